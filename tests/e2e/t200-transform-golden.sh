#!/bin/sh
# t200-transform-golden: the story fixtures, extracted by the real extractor
# from the real test server, transform into the reviewed golden plans of
# both products (tests/golden/transform/*/plan.ndjson, checked line by line
# against docs/rules.md) and their reviewed inventories (inventory.ndjson,
# checked against docs/plan-format.md and fixtures/README.md); the plan
# folder is 0700, its files 0600, and the manifest's figures describe
# plan.ndjson and inventory.ndjson.  The extractor reads the same
# store the transform does, so it asks IT Glue for organization 99 (linked,
# gone from the walk), which answers 404: the snapshot confirms the
# deletion and the golden plans unlink it (itglue_deleted).
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mock_start --data "$ITG_REPO/fixtures/itglue"

for p in bullphish darkwebid; do
	cp -R "$ITG_REPO/fixtures/stores/$p" "$T/store-$p"
	# the example pipeline, on the copied store, for the extractor
	sed "s|^store: .*|store: $T/store-$p|" "$ITG_REPO/pipelines/$p.yaml" >"$T/extract-$p.yaml"
	"$ITG_BIN/itg-extract" -p "$T/extract-$p.yaml" --base-url "$MOCK_URL" \
		--out "$T/snap-$p" 2>"$T/extract-$p.log" ||
		{ cat "$T/extract-$p.log" >&2; fail "itg-extract failed for $p"; }
	tr -d ' \n' <"$T/snap-$p/manifest.json" |
		grep -qF '"confirmed_deleted":["99"],"unconfirmed_missing":[]' ||
		fail "$p snapshot does not confirm the deletion of 99"
	"$ITG_BIN/itg-transform" -p "$ITG_REPO/pipelines/$p.yaml" --snapshot "$T/snap-$p" \
		--store "$T/store-$p" --out "$T/plan-$p" 2>"$T/transform-$p.log" ||
		{ cat "$T/transform-$p.log" >&2; fail "itg-transform failed for $p"; }
	assert_file_eq "$ITG_REPO/tests/golden/transform/$p/plan.ndjson" "$T/plan-$p/plan.ndjson"
	assert_file_eq "$ITG_REPO/tests/golden/transform/$p/inventory.ndjson" \
		"$T/plan-$p/inventory.ndjson"

	assert_eq "drwx------" "$(ls -ld "$T/plan-$p" | cut -c1-10)" "plan folder mode"
	assert_eq "-rw-------" "$(ls -l "$T/plan-$p/plan.ndjson" | cut -c1-10)" "plan.ndjson mode"
	assert_eq "-rw-------" "$(ls -l "$T/plan-$p/manifest.json" | cut -c1-10)" "manifest mode"
	assert_eq "-rw-------" "$(ls -l "$T/plan-$p/inventory.ndjson" | cut -c1-10)" \
		"inventory.ndjson mode"
	# the manifest's figures of both files, in its "plan" and "inventory" keys
	for f in plan inventory; do
		lines=$(wc -l <"$T/plan-$p/$f.ndjson" | tr -d ' ')
		bytes=$(wc -c <"$T/plan-$p/$f.ndjson" | tr -d ' ')
		tr -d ' \n' <"$T/plan-$p/manifest.json" |
			grep -qF "\"$f\":{\"file\":\"$f.ndjson\",\"lines\":$lines,\"bytes\":$bytes," ||
			fail "$p manifest: $f is not $lines lines, $bytes bytes"
	done
	assert_contains "$T/plan-$p/manifest.json" "\"product\": \"$p\"" "$p manifest"
	# the store is read, never written
	diff -r "$ITG_REPO/fixtures/stores/$p" "$T/store-$p" >&2 || fail "$p store changed"
	assert_no_canary "$T/plan-$p" "$T/transform-$p.log"
done

assert_contains "$T/plan-bullphish/manifest.json" "\"import_user\": 24" "bullphish counts"
assert_contains "$T/plan-bullphish/manifest.json" "\"users.csv\"" "bullphish store files"
assert_contains "$T/plan-darkwebid/manifest.json" "\"pending\": 5" "darkwebid domains"
assert_contains "$T/plan-darkwebid/manifest.json" "\"unimported\": 13" "darkwebid domains"
# nothing but the plan is left beside it
[ -z "$(ls -A "$T" | grep '^\.plan')" ] || fail "a staged plan folder was left behind"
mock_stop
