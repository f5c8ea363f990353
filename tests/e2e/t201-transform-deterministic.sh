#!/bin/sh
# t201-transform-deterministic: identical inputs give byte-identical plans,
# inventories and manifests, from any working directory; two extractions of
# the same data give the same plan; a --disconnect plan holds only unlink
# lines.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mock_start --data "$ITG_REPO/fixtures/itglue"
P=$ITG_REPO/pipelines/bullphish.yaml
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"

for n in 1 2; do
	"$ITG_BIN/itg-extract" -p "$P" --base-url "$MOCK_URL" --out "$T/snap$n" \
		2>"$T/extract.log" || { cat "$T/extract.log" >&2; fail "itg-extract failed"; }
done
mock_stop

run() { # run SNAPSHOT OUT [ARGS...]
	_s=$1 _o=$2
	shift 2
	"$ITG_BIN/itg-transform" -p "$P" --snapshot "$_s" --store "$T/store" --out "$_o" "$@" \
		2>"$T/transform.log" || { cat "$T/transform.log" >&2; fail "itg-transform failed"; }
}

run "$T/snap1" "$T/a"
run "$T/snap1" "$T/b"
cmp "$T/a/plan.ndjson" "$T/b/plan.ndjson" || fail "two runs gave different plans"
cmp "$T/a/manifest.json" "$T/b/manifest.json" || fail "two runs gave different manifests"
cmp "$T/a/inventory.ndjson" "$T/b/inventory.ndjson" || fail "two runs gave different inventories"

# another working directory, the same absolute inputs: the same plan
(cd / && run "$T/snap1" "$T/c") || exit 1
cmp "$T/a/plan.ndjson" "$T/c/plan.ndjson" || fail "the working directory changed the plan"

# a second extraction of the same data: the same plan
run "$T/snap2" "$T/d"
cmp "$T/a/plan.ndjson" "$T/d/plan.ndjson" || fail "a second snapshot changed the plan"
cmp "$T/a/inventory.ndjson" "$T/d/inventory.ndjson" || fail "a second snapshot changed the inventory"

# publishing over an earlier plan replaces it whole
run "$T/snap1" "$T/a" --disconnect
assert_eq 5 "$(grep -c '"reason":"disconnect"' "$T/a/plan.ndjson")" "disconnect unlinks"
assert_eq 5 "$(wc -l <"$T/a/plan.ndjson" | tr -d ' ')" "disconnect plan lines"
assert_contains "$T/a/manifest.json" '"integration_status": "disconnected"'

# a pipeline saved with a UTF-8 byte order mark (as some editors on Windows
# write it) reads the same: the same plan
printf '\357\273\277' >"$T/bom.yaml"
cat "$P" >>"$T/bom.yaml"
"$ITG_BIN/itg-transform" -p "$T/bom.yaml" --snapshot "$T/snap1" --store "$T/store" --out "$T/e" \
	2>"$T/transform.log" || { cat "$T/transform.log" >&2; fail "a pipeline with a BOM was refused"; }

cmp "$T/c/plan.ndjson" "$T/e/plan.ndjson" || fail "a BOM changed the plan"
