#!/bin/sh
# t112-extract-gzip-bombs: every answer of the server is a gzip bomb of
# 100 MiB.  At --concurrency 8 the pages in flight would hold far more than
# the 256 MiB that all inflated bodies may take together, so the run fails
# (exit 1) naming the resource and page of the body that went over, not
# retried, with memory bound by the shared budget (before it, each
# response had its own 256 MiB).  Bombs that fit the budget are only large
# pages: the snapshot is the one the plain server gives.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mkdir "$T/out"
[ -x /usr/bin/time ] || fail "/usr/bin/time is missing: run scripts/deps"
# freed memory held back by AddressSanitizer would count as the budget's
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
export ASAN_OPTIONS

# The answers are held back 300 ms, so the six first pages arrive together.
mock_start --generate 20 --gzip-bomb 100 --latency-ms 300 --log-requests
rc=0
/usr/bin/time -f %M -o "$T/rss" timeout 60 "$ITG_BIN/itg-extract" --base-url "$MOCK_URL" \
	--out "$T/out/snap" --page-size 10 --concurrency 8 --rate 100 2>"$T/bomb.log" || rc=$?
mock_stop
cat "$T/bomb.log"
assert_eq 1 "$rc" "exit code under gzip bombs"
assert_contains "$T/bomb.log" "page 1: the answers in flight would inflate to more than 256 MiB (this one to " "message"
assert_contains "$T/bomb.log" "IT Glue answered something that is not a page of" "message"
assert_contains "$T/bomb.log" "nothing was published" "message"
assert_not_contains "$T/bomb.log" "retry" "a bomb retried"
# the one stopped had less than the whole budget: the others held the rest
stopped=$(sed -n 's/.*(this one to \([0-9]*\)\.[0-9] MiB.*/\1/p' "$T/bomb.log")
[ -n "$stopped" ] && [ "$stopped" -lt 256 ] ||
	fail "the body stopped had $stopped MiB: the budget was not shared"
rss=$(tail -1 "$T/rss")
echo "max RSS: $rss KB"
# 256 MiB of bodies and what parsing one of them takes, not 6 x 100 MiB
[ "$rss" -lt 524288 ] || fail "max RSS $rss KB, more than 512 MB"
assert_eq "" "$(ls -A "$T/out")" "what is under the output folder"

# Small bombs (1 MiB more per answer) fit: the same snapshot as without them.
mock_start --data "$ITG_REPO/fixtures/itglue"
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/plain" --page-size 5 --rate 100 \
	2>"$T/plain.log" || { cat "$T/plain.log" >&2; fail "the plain extraction failed"; }
mock_stop
mock_start --data "$ITG_REPO/fixtures/itglue" --gzip-bomb 1 --log-requests
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/small" --page-size 5 --rate 100 \
	--concurrency 8 2>"$T/small.log" || { cat "$T/small.log" >&2; fail "small bombs failed the run"; }
mock_stop
grep -q 'gzip bomb' "$E2E_TMP/mock.err" || fail "the mock sent no gzip answer"
for f in "$T/out/plain"/*.gz; do
	cmp "$f" "$T/out/small/$(basename "$f")" || fail "$(basename "$f") differs under small bombs"
done
exit 0
