#!/bin/sh
# pipelines/run keeps STORE/integration.json telling the sync's story, as the
# products show it: syncing while a run is under way, connected after it;
# after a failure the status it had (connected once IT Glue took the key),
# with last_error naming the stage, and last_sync kept.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bp.yaml" <<YAML
name: e2e-status
product: bullphish
itglue:
  region: us
  retries: 0
  timeout: 5
store: ../store
out: ../out
YAML
status() { sed -n 's/.*"status" *: *"\([a-z]*\)".*/\1/p' "$T/store/integration.json"; }

# 1. syncing while the run is under way, then connected
mock_start --data "$ITG_REPO/fixtures/itglue" --latency-ms 700
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >"$T/out1" 2>&1 &
pid=$!
seen=""
i=0
while [ $i -lt 50 ] && [ -z "$seen" ]; do
	[ "$(status)" = syncing ] && seen=yes
	sleep 0.1
	i=$((i + 1))
done
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/out1" >&2; fail "run exited $rc, want 0"; }
assert_eq yes "$seen" "integration.json said syncing during the run"
assert_eq connected "$(status)" "status after a good run"
grep -q '"last_sync" *: *"20' "$T/store/integration.json" || fail "no last_sync after a good run"
last_sync=$(sed -n 's/.*"last_sync" *: *"\([^"]*\)".*/\1/p' "$T/store/integration.json")
mock_stop

# 2. IT Glue unreachable: the status it had, the error named, last_sync kept
rc=0
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "http://127.0.0.1:9" >"$T/out2" 2>&1 || rc=$?
assert_eq 1 "$rc" "exit code with IT Glue unreachable"
assert_eq connected "$(status)" "status after a network failure"
assert_contains "$T/store/integration.json" "itg-extract failed with exit code 1" "last_error"
assert_contains "$T/store/integration.json" "$last_sync" "last_sync kept"

# 3. a malformed store: transform refuses (2); the key was good, so connected
printf '999,broken\n' >>"$T/store/links.csv"
mock_start --data "$ITG_REPO/fixtures/itglue"
rc=0
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >"$T/out3" 2>&1 || rc=$?
assert_eq 2 "$rc" "exit code with a malformed links.csv"
assert_eq connected "$(status)" "status after a transform failure"
assert_contains "$T/store/integration.json" "itg-transform failed with exit code 2" "last_error"
assert_no_canary "$T/store" "$T/out1" "$T/out2" "$T/out3"
