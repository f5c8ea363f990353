#!/bin/sh
# t110-extract-confirms-deletions: every organization the store links to
# that the walk did not return is asked for by id.  Here IT Glue deletes
# organization 3 and adds 17 right after page 1 (same total), so offset
# paging skips 6, which the store links to; 99 (linked) is long deleted;
# 14 (linked) answers 500 whatever is tried.  The snapshot gets 6 back,
# the manifest lists 99 as confirmed_deleted and 14 as unconfirmed_missing,
# organizations the walk returned are not asked for, and the store is
# only read.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
echo "110,14,manual,2025-12-01T10:00:00.000Z" >>"$T/store/links.csv"
printf '110,Umbrella Corp,11-50,Other,false,false,\n' >>"$T/store/organizations.csv"
cp -R "$T/store" "$T/store.before"
mkdir "$T/p"

# pipeline: a BullPhish ID pipeline on $T/store against the running mock.
pipeline() {
	cat >"$T/p/bp.yaml" <<YAML
name: e2e-confirm
product: bullphish
itglue:
  base_url: $MOCK_URL
  page_size: 5
  rate: 100
  retries: 1
store: ../store
YAML
}

mock_start --data "$ITG_REPO/fixtures/itglue" --midwalk-change 3:17 --fail-record 14 --log-requests
pipeline
"$ITG_BIN/itg-extract" -p "$T/p/bp.yaml" --out "$T/snap" 2>"$T/log" ||
	{ cat "$T/log" >&2; fail "itg-extract failed"; }
mock_stop
cat "$T/log"
M=$T/snap/manifest.json
cat "$M"

# 6 was skipped by the shifted pages, and found by id: it is in the snapshot.
gzip -dc "$T/snap/organizations.ndjson.gz" | sed 's/^{"id":"\([0-9]*\)".*/\1/' | tr '\n' ' ' >"$T/ids"
assert_eq "1 2 3 4 5 6 7 8 9 10 11 12 13 15 16 17 " "$(cat "$T/ids")" "organization ids"
gzip -dc "$T/snap/organizations.ndjson.gz" | grep -q '^{"id":"6","type":"organizations","attributes":{"name":"Old Harbor Marine LLC"' ||
	fail "organization 6 is not the record IT Glue served"
tr -d ' \n' <"$M" | grep -qF '"organizations":{"file":"organizations.ndjson.gz","records":16,' ||
	fail "manifest: organizations should have 16 records"
# 99 answered a JSON:API 404; 14 never answered anything but 500.
tr -d ' \n' <"$M" | grep -qF '"confirmed_deleted":["99"],"unconfirmed_missing":["14"]}' ||
	fail "manifest: confirmed_deleted / unconfirmed_missing"
assert_contains "$T/log" "INFO itg-extract: organizations: 3 of the 6 linked organizations not in the walk: 3 asked by id, 1 found, 1 confirmed deleted, 1 unconfirmed" "summary line"
assert_contains "$T/log" "WARN itg-extract: organizations/14: not confirmed deleted: HTTP 500 (Internal Server Error), after 2 attempts; its link is kept" "unconfirmed line"
assert_contains "$T/log" "organizations/14: HTTP 500 (Internal Server Error); retry 1 of 1" "retried like a page"
# the requests: only the missing ones, 14 twice (one retry)
for id in 6 99; do
	assert_eq 1 "$(grep -c "GET /organizations/$id " "$E2E_TMP/mock.err")" "requests for organization $id"
done
assert_eq 2 "$(grep -c 'GET /organizations/14 500' "$E2E_TMP/mock.err")" "requests for organization 14"
assert_eq 4 "$(grep -c 'GET /organizations/[0-9]' "$E2E_TMP/mock.err")" "single-organization requests"
# The account is the organization with primary: true.
tr -d '\n' <"$M" | grep -qF '"account": {    "primary_organization_id": "1",    "primary_organization_name": "Kaseya Partner MSP"  }' ||
	fail "manifest: account"
diff -r "$T/store.before" "$T/store" >&2 || fail "the store changed"

# Nothing missing: both lists are there, empty; and no request by id.
mock_start --data "$ITG_REPO/fixtures/itglue" --log-requests
pipeline
head -4 "$T/store.before/links.csv" | grep -v ',99,' >"$T/store/links.csv"
"$ITG_BIN/itg-extract" -p "$T/p/bp.yaml" --out "$T/snap2" 2>"$T/log2" ||
	{ cat "$T/log2" >&2; fail "itg-extract failed with nothing missing"; }
tr -d ' \n' <"$T/snap2/manifest.json" | grep -qF '"confirmed_deleted":[],"unconfirmed_missing":[]}' ||
	fail "manifest with nothing missing: $(cat "$T/snap2/manifest.json")"
assert_contains "$T/log2" "organizations: 0 of the 3 linked organizations not in the walk: 0 asked by id, 0 found, 0 confirmed deleted, 0 unconfirmed" "summary with nothing missing"
grep -q 'GET /organizations/' "$E2E_TMP/mock.err" && fail "an organization was asked for by id"

# Without organizations there is no account and no organizations entry.
"$ITG_BIN/itg-extract" -p "$T/p/bp.yaml" --resources contacts --out "$T/snap3" 2>"$T/log3" ||
	{ cat "$T/log3" >&2; fail "itg-extract of contacts failed"; }
mock_stop
tr -d ' \n' <"$T/snap3/manifest.json" | grep -qF '"account":{"primary_organization_id":null,"primary_organization_name":null}' ||
	fail "manifest without organizations: account"
assert_not_contains "$T/snap3/manifest.json" "confirmed_deleted" "manifest without organizations"
assert_no_canary "$T/log" "$T/snap"
exit 0
