#!/bin/sh
# t203-transform-converges: once a plan is loaded, transforming the same
# snapshot against the updated store plans no changing action: only review,
# skip and still-unimported domains remain (docs/contract.md section 6).  The
# snapshot confirms the deletion of organization 99, so its link goes in the
# first plan and the second has no unconfirmed_deletion review.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mock_start --data "$ITG_REPO/fixtures/itglue"

for p in bullphish darkwebid; do
	P=$ITG_REPO/pipelines/$p.yaml
	cp -R "$ITG_REPO/fixtures/stores/$p" "$T/store-$p"
	# the extractor reads the same store, so it confirms the deletion of 99
	sed "s|^store: .*|store: $T/store-$p|" "$P" >"$T/extract-$p.yaml"
	"$ITG_BIN/itg-extract" -p "$T/extract-$p.yaml" --base-url "$MOCK_URL" \
		--out "$T/snap-$p" 2>"$T/log" || { cat "$T/log" >&2; fail "itg-extract failed for $p"; }
	"$ITG_BIN/itg-transform" -p "$P" --snapshot "$T/snap-$p" --store "$T/store-$p" \
		--out "$T/plan1-$p" 2>"$T/log" || { cat "$T/log" >&2; fail "first transform failed for $p"; }
	"$ITG_BIN/itg-load" -p "$P" --plan "$T/plan1-$p" --store "$T/store-$p" \
		--report "$T/report-$p" 2>"$T/log" || { cat "$T/log" >&2; fail "itg-load failed for $p"; }
	"$ITG_BIN/itg-transform" -p "$P" --snapshot "$T/snap-$p" --store "$T/store-$p" \
		--out "$T/plan2-$p" 2>"$T/log" || { cat "$T/log" >&2; fail "second transform failed for $p"; }
	left=$(grep -v -e '"action":"review"' -e '"action":"skip"' -e '"status":"unimported"' \
		"$T/plan2-$p/plan.ndjson" || true)
	[ -z "$left" ] || fail "$p: the second plan still changes things: $left"
	[ -s "$T/plan1-$p/plan.ndjson" ] || fail "$p: the first plan is empty"
done
assert_eq 1 "$(grep -c '"action":"review"' "$T/plan2-bullphish/plan.ndjson")" "bullphish reviews"
assert_eq 13 "$(grep -c '"status":"unimported"' "$T/plan2-darkwebid/plan.ndjson")" "darkwebid unimported"
mock_stop
