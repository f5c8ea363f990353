#!/bin/sh
# t104-extract-timeout: a server that accepts connections and never answers
# ends the run with exit 1 within timeout x (retries + 1) plus backoff,
# naming the resource and page, and leaves nothing behind.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mkdir "$T/out"
mock_start --data "$ITG_REPO/fixtures/itglue" --hang

start=$(date +%s)
rc=0
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/snap" --timeout 2 --retries 1 \
	--resources organizations 2>"$T/log" || rc=$?
elapsed=$(($(date +%s) - start))
assert_eq 1 "$rc" "exit code against a hanging server"
# 2 attempts of 2 s, one backoff of at most 1 s, and start-up slack
[ "$elapsed" -le 8 ] || fail "took $elapsed s, more than the 2 x (1 + 1) s bound allows"
[ "$elapsed" -ge 3 ] || fail "gave up after $elapsed s, before two 2 s attempts"
assert_contains "$T/log" "cannot fetch organizations page 1 after 2 attempts" "timeout message"
assert_contains "$T/log" "timed out" "timeout cause"
assert_eq "" "$(ls -A "$T/out")" "output parent"

# SIGTERM mid-run (a scheduler's timeout): exit 1 soon, staged folder removed.
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/snap" --timeout 30 \
	2>"$T/log-term" &
pid=$!
sleep 1
start=$(date +%s)
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq 1 "$rc" "exit code after SIGTERM"
[ $(($(date +%s) - start)) -le 3 ] || fail "SIGTERM took more than 3 s to end the run"
assert_contains "$T/log-term" "interrupted" "SIGTERM message"
assert_eq "" "$(ls -A "$T/out")" "output parent after SIGTERM"
exit 0
