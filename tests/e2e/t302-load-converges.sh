#!/bin/sh
# The real chain, for both products: itg-extract from the test server,
# itg-transform, itg-load; then transform the same snapshot against the
# updated store and load again.  The second load must change no CSV table and
# append no audit line (docs/contract.md section 7: a plan made from unchanged
# inputs changes nothing), and its summary must say 0 rows changed.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mock_start --data "$ITG_REPO/fixtures/itglue"
for product in bullphish darkwebid; do
	W=$T/$product
	mkdir -p "$W"
	cp -R "$ITG_REPO/fixtures/stores/$product" "$W/store"
	cp "$ITG_REPO/pipelines/protected-domains.txt" "$W/"
	sed 's#^store:.*#store: store#; s#^out:.*#out: out#' "$ITG_REPO/pipelines/$product.yaml" \
		>"$W/p.yaml"
	"$ITG_BIN/itg-extract" -p "$W/p.yaml" --base-url "$MOCK_URL" --out "$W/snap" --quiet ||
		fail "$product: itg-extract exited $?"
	"$ITG_BIN/itg-transform" -p "$W/p.yaml" --snapshot "$W/snap" --out "$W/plan1" --quiet ||
		fail "$product: first itg-transform exited $?"
	"$ITG_BIN/itg-load" -p "$W/p.yaml" --plan "$W/plan1" --report "$W/r1" --quiet ||
		fail "$product: first itg-load exited $?"
	cp -R "$W/store" "$W/after1"
	"$ITG_BIN/itg-transform" -p "$W/p.yaml" --snapshot "$W/snap" --out "$W/plan2" --quiet ||
		fail "$product: second itg-transform exited $?"
	"$ITG_BIN/itg-load" -p "$W/p.yaml" --plan "$W/plan2" --report "$W/r2" --quiet ||
		fail "$product: second itg-load exited $?"
	for f in "$W"/after1/*.csv "$W/after1/audit.ndjson"; do
		[ -e "$f" ] || continue
		cmp -s "$f" "$W/store/$(basename "$f")" ||
			fail "$product: the second load changed $(basename "$f")"
	done
	assert_contains "$W/r2/summary.json" '"rows_changed": 0' "$product: second summary"
	if grep -q '"rows_changed": 0,' "$W/r1/summary.json"; then
		fail "$product: the first load changed nothing, the test proves nothing"
	fi
	assert_contains "$W/store/integration.json" '"status":"connected"' "$product: integration"
	assert_no_canary "$W/store" "$W/r1" "$W/r2"
done
mock_stop
echo "second load of an unchanged input changed nothing, both products"
