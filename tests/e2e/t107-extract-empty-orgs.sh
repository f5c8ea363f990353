#!/bin/sh
# t107-extract-empty-orgs: an HTTP 200 with no organization at all, while
# the pipeline's store holds links, fails the extraction (exit 1, the
# message says why and what to check) and publishes nothing: an earlier
# snapshot under --out stays as it was, and no staged folder is left.
# Without a store (no pipeline, or a store folder not made yet) no links are
# known, and an empty account is extracted as such; a malformed links.csv
# is left to itg-transform to refuse, and the manifest confirms nothing.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store.before"
mkdir "$T/p" "$T/out"

# pipeline FILE STORE: a BullPhish ID pipeline against the running mock.
pipeline() {
	cat >"$1" <<YAML
name: e2e-empty
product: bullphish
itglue:
  base_url: $MOCK_URL
  page_size: 5
  rate: 100
store: $2
YAML
}

# Yesterday's good snapshot.
mock_start --data "$ITG_REPO/fixtures/itglue"
pipeline "$T/p/bp.yaml" "$T/store"
"$ITG_BIN/itg-extract" -p "$T/p/bp.yaml" --out "$T/out/snap" 2>"$T/good.log" ||
	{ cat "$T/good.log" >&2; fail "the first extraction failed"; }
cp -R "$T/out/snap" "$T/snap.before"
mock_stop

# Tonight IT Glue answers 200 with data [] for organizations.
mock_start --data "$ITG_REPO/fixtures/itglue" --empty-organizations
pipeline "$T/p/bp.yaml" "$T/store"
rc=0
"$ITG_BIN/itg-extract" -p "$T/p/bp.yaml" --out "$T/out/snap" 2>"$T/empty.log" || rc=$?
cat "$T/empty.log"
assert_eq 1 "$rc" "exit code of an empty organizations walk with links"
assert_contains "$T/empty.log" "ERROR itg-extract: organizations: IT Glue returned no organization at all, but the store holds links to 5; IT Glue does not lose every organization overnight: check that the API key may read organizations (Account > Settings > API Keys) and that the region or base URL is the account's; nothing was published" "message"
# nothing published: the earlier snapshot is untouched, nothing staged beside it
diff -r "$T/snap.before" "$T/out/snap" >&2 || fail "the earlier snapshot changed"
assert_eq snap "$(ls -A "$T/out")" "what is under the output folder"
# the store is read, never written
diff -r "$T/store.before" "$T/store" >&2 || fail "the store changed"
# and no organization was asked for by id: there is nothing to compare with
grep -q 'organizations/' "$T/empty.log" && fail "organizations were asked for by id"

# No store known: no links, so an empty account is what it is.
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/nostore" --page-size 5 \
	--resources organizations 2>"$T/nostore.log" ||
	{ cat "$T/nostore.log" >&2; fail "an empty walk without a store failed"; }
assert_contains "$T/nostore.log" "organizations: 0 records" "empty walk without a store"
tr -d ' \n' <"$T/out/nostore/manifest.json" | grep -qF '"records":0,"crc32":"00000000","bytes":0,"confirmed_deleted":[],"unconfirmed_missing":[]}' ||
	fail "manifest of the empty walk: $(cat "$T/out/nostore/manifest.json")"
assert_contains "$T/out/nostore/manifest.json" '"primary_organization_id": null' "no account"
# A store folder that does not exist yet has no links either (the transform says so).
pipeline "$T/p/new.yaml" "$T/no-such-store"
"$ITG_BIN/itg-extract" -p "$T/p/new.yaml" --out "$T/out/new" 2>"$T/new.log" ||
	{ cat "$T/new.log" >&2; fail "an empty walk with a store not made yet failed"; }
[ ! -e "$T/no-such-store" ] || fail "the missing store was created"
# An empty links.csv is no links.
mkdir "$T/store2"
head -1 "$T/store/links.csv" >"$T/store2/links.csv"
pipeline "$T/p/nolinks.yaml" "$T/store2"
"$ITG_BIN/itg-extract" -p "$T/p/nolinks.yaml" --out "$T/out/nolinks" 2>"$T/nolinks.log" ||
	{ cat "$T/nolinks.log" >&2; fail "an empty walk with no links failed"; }
# A malformed links.csv: the links are unknown, which the manifest says by
# leaving out both lists, and itg-transform will refuse the store (exit 2).
cp -R "$T/store" "$T/store3"
printf '999,broken\n' >>"$T/store3/links.csv"
pipeline "$T/p/broken.yaml" "$T/store3"
"$ITG_BIN/itg-extract" -p "$T/p/broken.yaml" --out "$T/out/broken" 2>"$T/broken.log" ||
	{ cat "$T/broken.log" >&2; fail "a malformed links.csv failed the extraction"; }
assert_contains "$T/broken.log" "WARN itg-extract: $T/store3/links.csv:7: 2 fields, header has 4" "warning names the file and line"
assert_contains "$T/broken.log" "deletions are not confirmed in this snapshot (its manifest has no confirmed_deleted or unconfirmed_missing), and itg-transform refuses the store until links.csv is fixed" "warning"
assert_not_contains "$T/out/broken/manifest.json" "confirmed_deleted" "manifest with unknown links"
mock_stop
assert_no_canary "$T/empty.log" "$T/out"
exit 0
