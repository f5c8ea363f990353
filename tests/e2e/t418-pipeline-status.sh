#!/bin/sh
# pipelines/run PIPELINE --status: the integration's state and the last
# runs, read from integration.json and the run folders alone.  After a good
# run, a dry run, a run whose key IT Glue refuses and a --disconnect, it
# shows each as it ended with the exit code of its documented mapping (0
# connected and the last run good, 3 disconnected by IT Glue, 4 disconnected
# by the operator), --json says the same, and every --status leaves the
# store and out/ byte-identical with their mtimes.  It calls no IT Glue (the
# test server is stopped, the key is not set) and answers at once while a
# run holds the pipeline's lock, naming that run as under way, without
# getting in that run's way.  Misuse, a missing store and a bad pipeline are
# exit 2.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bp.yaml" <<YAML
name: e2e-status
product: bullphish
itglue:
  retries: 0
  timeout: 10
store: ../store
out: ../out
YAML
P=$T/p/bp.yaml
OUT=$T/out/e2e-status

# Every file and folder of the store and out/, with size, mode, mtime and content.
snap() {
	(cd "$T" && find store out -printf '%p %y %s %m %T@ %l\n' 2>/dev/null | LC_ALL=C sort &&
		find store out -type f -exec sha256sum {} + 2>/dev/null | LC_ALL=C sort)
}

# status NAME [ARGS...]: --status into $T/NAME.out, its exit code in $T/NAME.rc;
# with no IT Glue to reach and no key, and nothing changed by it.
status() {
	_name=$1
	shift
	snap >"$T/before.snap"
	_rc=0
	env -u ITGLUE_API_KEY "$ITG_REPO/pipelines/run" "$P" --status "$@" \
		>"$T/$_name.out" 2>"$T/$_name.err" || _rc=$?
	echo "$_rc" >"$T/$_name.rc"
	snap >"$T/after.snap"
	diff -u "$T/before.snap" "$T/after.snap" >&2 || fail "--status ($_name) changed a file"
	assert_no_canary "$T/$_name.out" "$T/$_name.err"
}
rc_of() { cat "$T/$1.rc"; }
newest() { find "$OUT" -mindepth 1 -maxdepth 1 -type d -name '*T*Z' | sort | tail -1 | xargs basename; }

# --- misuse, a bad pipeline, a missing store: exit 2 ------------------------
rc=0
"$ITG_REPO/pipelines/run" "$P" --json >"$T/o" 2>"$T/e" || rc=$?
assert_eq 2 "$rc" "--json without --status"
rc=0
"$ITG_REPO/pipelines/run" "$P" --status --dry-run >"$T/o" 2>"$T/e" || rc=$?
assert_eq 2 "$rc" "--status with --dry-run"
assert_contains "$T/e" "--status only reads the state"
rc=0
"$ITG_REPO/pipelines/run" "$P" --status --runs 0 >"$T/o" 2>"$T/e" || rc=$?
assert_eq 2 "$rc" "--runs 0"
sed 's/^store: .*/store: ..\/stroe/' "$P" >"$T/p/typo.yaml"
rc=0
"$ITG_REPO/pipelines/run" "$T/p/typo.yaml" --status >"$T/o" 2>"$T/e" || rc=$?
assert_eq 2 "$rc" "--status with a missing store"
assert_contains "$T/e" "ERROR itg-run: store folder $T/p/../stroe does not exist: check \`store:\` in $T/p/typo.yaml"
[ ! -e "$T/stroe" ] || fail "--status made the missing store"
printf 'name: e2e-status\nproduct: bullphish\nbogus: 1\n' >"$T/p/bad.yaml"
rc=0
"$ITG_BIN/itg-run" --status "$T/p/bad.yaml" >"$T/o" 2>"$T/e" || rc=$?
assert_eq 2 "$rc" "--status with an invalid pipeline"
assert_contains "$T/e" "bad.yaml:3"

# --- no run yet: said so, exit 0, out/ not made ------------------------------
status none
assert_eq 0 "$(rc_of none)" "exit code before any run"
assert_contains "$T/none.out" "runs:        none yet ($T/p/../out/e2e-status does not exist)"
assert_contains "$T/none.out" "run lock:    free: no run is under way"
[ ! -e "$T/out" ] || fail "--status made the out folder"

# --- a good run -----------------------------------------------------------
mock_start --data "$ITG_REPO/fixtures/itglue"
"$ITG_REPO/pipelines/run" "$P" --base-url "$MOCK_URL" >"$T/run1.out" 2>"$T/run1.err" ||
	{ cat "$T/run1.err" >&2; fail "the good run failed"; }
good=$(newest)
changes=$(jq -r '[.changed | to_entries[] | select(.value != 0) | "\(.key) \(.value)"] | join(", ")' \
	"$OUT/$good/report/summary.json")
[ -n "$changes" ] || fail "the good run changed nothing: the test shows nothing"
mock_stop

status good
assert_eq 0 "$(rc_of good)" "exit code after a good run"
assert_contains "$T/good.out" "pipeline:    e2e-status (bullphish), $P"
assert_contains "$T/good.out" "store:       $T/store"
assert_contains "$T/good.out" "integration: connected"
assert_contains "$T/good.out" "last sync:   $(jq -r .last_sync "$T/store/integration.json")"
assert_contains "$T/good.out" "last error:  none"
assert_contains "$T/good.out" "region:      us"
assert_contains "$T/good.out" "bound to:    product bullphish, pipeline e2e-status, IT Glue account $(jq -r .itglue_account.primary_organization_id "$T/store/integration.json") ($(jq -r .itglue_account.primary_organization_name "$T/store/integration.json"))"
assert_contains "$T/good.out" "latest:      $good"
assert_contains "$T/good.out" "runs:        1 in $OUT, newest first (* = latest)"
assert_contains "$T/good.out" "* $good  applied: $changes"
assert_contains "$T/good.out" "result:      exit 0, connected, the last run ($good) succeeded"

# --- a dry run (the test server again, on another port) --------------------
mock_start --data "$ITG_REPO/fixtures/itglue"
"$ITG_REPO/pipelines/run" "$P" --base-url "$MOCK_URL" --dry-run >"$T/run2.out" 2>"$T/run2.err" ||
	{ cat "$T/run2.err" >&2; fail "the dry run failed"; }
dry=$(newest)
status dry
assert_eq 0 "$(rc_of dry)" "exit code after a dry run"
# the store matches IT Glue after the good run: nothing left to change
assert_contains "$T/dry.out" "* $dry  dry run: nothing to change"
assert_contains "$T/dry.out" "  $good  applied: $changes"

# --- IT Glue refuses the key: exit 3 ----------------------------------------
rc=0
ITGLUE_API_KEY=ITG.wrong-key "$ITG_REPO/pipelines/run" "$P" --base-url "$MOCK_URL" \
	>"$T/run3.out" 2>"$T/run3.err" || rc=$?
assert_eq 3 "$rc" "exit code of the run with a wrong key"
refused=$(newest)
mock_stop
status refused
assert_eq 3 "$(rc_of refused)" "--status exit code after IT Glue refused the key"
assert_contains "$T/refused.out" "integration: disconnected (disconnected_by: itglue): IT Glue refused the API key; the next run with a good key reconnects"
assert_contains "$T/refused.out" "last error:  IT Glue refused the API key (HTTP 401/403)"
assert_contains "$T/refused.out" "  $refused  failed in itg-extract (exit 3): itg-extract: IT Glue refused the API key"
assert_contains "$T/refused.out" "* $dry  dry run"
assert_contains "$T/refused.out" "result:      exit 3, disconnected by IT Glue"

# --json: the same, for a machine
status refused-json --json
assert_eq 3 "$(rc_of refused-json)" "--status --json exit code"
assert_eq "disconnected itglue 3 failed 3 itg-extract $dry true 3" \
	"$(jq -r '[.integration.status, .integration.disconnected_by, .runs_total,
		   .runs[0].outcome, .runs[0].exit_code, .runs[0].stage, .latest,
		   .runs[1].latest, .exit_code] | join(" ")' "$T/refused-json.out")" "--json"
assert_eq "$changes" "$(jq -r '[.runs[2].changes | to_entries[] | "\(.key) \(.value)"] | join(", ")' \
	"$T/refused-json.out")" "--json changes of the good run"

# --runs 1: the newest only
status one --runs 1
assert_contains "$T/one.out" "runs:        3 in $OUT, the newest 1 shown (* = latest)"
assert_not_contains "$T/one.out" "$dry  dry run"

# --- --disconnect: exit 4 -----------------------------------------------------
ITGLUE_API_KEY=ITG.revoked "$ITG_REPO/pipelines/run" "$P" --disconnect >"$T/run4.out" \
	2>"$T/run4.err" || { cat "$T/run4.err" >&2; fail "--disconnect failed"; }
disc=$(newest)
links=$(jq -r .changed.unlink "$OUT/$disc/report/summary.json")
status disc
assert_eq 4 "$(rc_of disc)" "--status exit code after --disconnect"
assert_contains "$T/disc.out" "integration: disconnected (disconnected_by: operator): runs are refused until pipelines/run $P --connect"
assert_contains "$T/disc.out" "* $disc  applied: unlink $links"
assert_contains "$T/disc.out" "result:      exit 4, disconnected by the operator"

# --- while a run holds the pipeline's lock -----------------------------------
# a lock held by another process: --status answers at once, and says so
exec 8>>"$OUT/.lock"
flock -n 8 || fail "cannot take the pipeline's lock for the test"
status held
exec 8>&-
assert_eq 4 "$(rc_of held)" "--status exit code while the lock is held"
assert_contains "$T/held.out" "run lock:    held: a run is under way"

# a real run under way (a slow test server): shown under way; the one before is judged
mock_start --data "$ITG_REPO/fixtures/itglue" --latency-ms 1500
"$ITG_REPO/pipelines/run" "$P" --base-url "$MOCK_URL" --connect >"$T/run5.out" 2>"$T/run5.err" &
pid=$!
i=0
while ! grep -qs 'itg-extract -p' "$OUT/$(newest)/run.log" || [ "$(newest)" = "$disc" ]; do
	i=$((i + 1))
	[ $i -le 100 ] || fail "the slow run did not start its extract"
	sleep 0.1
done
slow=$(newest)
rc=0
env -u ITGLUE_API_KEY "$ITG_REPO/pipelines/run" "$P" --status >"$T/busy.out" 2>"$T/busy.err" || rc=$?
kill -0 "$pid" 2>/dev/null || fail "the slow run ended before --status was asked: the test shows nothing"
assert_eq 4 "$rc" "--status exit code during a --connect run (disconnected until it completes)"
assert_contains "$T/busy.out" "integration: syncing (disconnected_by: operator): a run is under way"
assert_contains "$T/busy.out" "run lock:    held: a run is under way"
assert_contains "$T/busy.out" "  $slow  under way (the pipeline's lock is held)"
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/run5.err" >&2; fail "the run under way exited $rc after --status"; }
mock_stop
status after
assert_eq 0 "$(rc_of after)" "--status exit code after the --connect run"
assert_contains "$T/after.out" "* $slow  applied"
assert_contains "$T/after.out" "integration: connected"
echo "ok: $(head -1 "$T/after.out")"
