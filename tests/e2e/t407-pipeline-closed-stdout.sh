#!/bin/sh
# pipelines/run with standard output closed, or on a full disk, still runs
# every stage, and its exit code says the summary could not be written (1,
# with the reason on stderr and in run.log); with standard error or input
# closed it runs as usual.  No file of the run lands on a closed descriptor.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bp.yaml" <<YAML
name: e2e-fds
product: bullphish
store: ../store
out: ../out
YAML
mock_start --data "$ITG_REPO/fixtures/itglue"

# every_stage_ran LOG: run.log names each stage's start and itg-load's end
every_stage_ran() {
	for _s in itg-extract itg-transform itg-load; do
		assert_contains "$1" "bin/$_s -p" "run.log"
	done
	assert_contains "$1" "INFO itg-load: run" "run.log"
}

# 1. standard output closed
rc=0
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >&- 2>"$T/err1" || rc=$?
assert_eq 1 "$rc" "exit code with standard output closed"
run1=$(readlink "$T/out/e2e-fds/latest") || fail "no latest after the stages all ran"
every_stage_ran "$T/out/e2e-fds/$run1/run.log"
[ -f "$T/out/e2e-fds/$run1/report/summary.json" ] || fail "no summary.json"
assert_contains "$T/err1" "cannot write the summary to standard output" "stderr"
assert_contains "$T/out/e2e-fds/$run1/run.log" "cannot write the summary to standard output" "run.log"
assert_contains "$T/err1" "failed (exit 1)" "stderr"
assert_not_contains "$T/err1" "complete" "stderr"
grep -q '"status":"connected"' "$T/store/integration.json" || fail "the load did not complete"

# 2. standard output on a full disk
rc=0
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >/dev/full 2>"$T/err2" || rc=$?
assert_eq 1 "$rc" "exit code with standard output on /dev/full"
run2=$(readlink "$T/out/e2e-fds/latest")
[ "$run2" != "$run1" ] || fail "the second run did not complete its stages"
every_stage_ran "$T/out/e2e-fds/$run2/run.log"
assert_contains "$T/err2" "No space left on device" "stderr"

# 3. standard error and input closed: a good run, its log complete
rc=0
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >"$T/out3" 2>&- <&- || rc=$?
assert_eq 0 "$rc" "exit code with standard error and input closed"
run3=$(readlink "$T/out/e2e-fds/latest")
[ "$run3" != "$run2" ] || fail "the third run did not complete"
every_stage_ran "$T/out/e2e-fds/$run3/run.log"
assert_contains "$T/out/e2e-fds/$run3/run.log" "INFO itg-run: run $run3 complete" "run.log"
assert_contains "$T/out3" "run $run3: e2e-fds (bullphish), applied" "stdout"
# nothing but the run's own files in its folder
extra=$(find "$T/out/e2e-fds/$run3" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ')
assert_eq "plan report run.log snapshot " "$extra" "run folder contents"
assert_no_canary "$T/out" "$T/store" "$T/err1" "$T/err2" "$T/out3"
