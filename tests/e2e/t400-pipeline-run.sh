#!/bin/sh
# pipelines/run against the test server with a copy of the BullPhish ID
# fixture store: exit 0, one run folder with snapshot, plan, report and
# run.log, private modes, latest pointing at it, and no API key anywhere.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

e2e_tmp >/dev/null
T=$E2E_TMP
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bullphish.yaml" <<YAML
name: e2e-run
product: bullphish
itglue:
  region: us
store: ../store
out: ../out
YAML

mock_start --data "$ITG_REPO/fixtures/itglue"

rc=0
(cd / && "$ITG_REPO/pipelines/run" "$T/p/bullphish.yaml" --base-url "$MOCK_URL") \
	>"$T/stdout" 2>"$T/stderr" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "pipelines/run exited $rc, want 0"; }

runs=$(find "$T/out/e2e-run" -mindepth 1 -maxdepth 1 -type d -name "*T*Z" -printf "%f\n")
assert_eq 1 "$(echo "$runs" | wc -l | tr -d ' ')" "number of run folders"
echo "$runs" | grep -qx '[0-9]\{8\}T[0-9]\{6\}Z' || fail "run id '$runs' is not YYYYMMDDTHHMMSSZ"
assert_eq "$runs" "$(readlink "$T/out/e2e-run/latest")" "latest"

run=$T/out/e2e-run/latest
for f in snapshot/manifest.json plan/plan.ndjson plan/manifest.json \
	report/report.md report/report.html report/changes.csv report/summary.json run.log; do
	[ -f "$run/$f" ] || fail "run folder lacks $f"
done
assert_eq 700 "$(stat -c %a "$T/out/e2e-run/$runs")" "run folder mode"
assert_eq 600 "$(stat -c %a "$run/run.log")" "run.log mode"
assert_contains "$run/run.log" "itg-load" "run.log"
assert_contains "$T/stdout" "report/report.md" "stdout"
grep -q '"status" *: *"connected"' "$T/store/integration.json" ||
	fail "integration.json does not say connected"
assert_no_canary "$T/out" "$T/store" "$T/stdout" "$T/stderr"
# the report and the audit lines carry the run folder's id (ITG_RUN_ID)
assert_contains "$run/report/summary.json" "\"$runs\"" "summary.json run id"
grep -q "\"run_id\":\"$runs\"" "$T/store/audit.ndjson" ||
	fail "audit.ndjson lines do not carry run id $runs"
