#!/bin/sh
# The store files' fingerprints are checked again immediately before the
# switch: a hand edit of links.csv made while a load runs, after its start-up
# check, is refused (exit 4) and kept; the store is otherwise wholly as
# before (no temporary file, no journal, audit.ndjson and integration.json
# unchanged) and no report is written.  ITG_LOAD_PAUSE_BEFORE_SWITCH holds
# the load at that moment.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
cp -R "$ITG_REPO/tests/golden/load/bullphish/input/." "$T/"
cd "$T" || fail "cannot enter $T"
# a store loaded before: integration.json, audit.ndjson and the lock are there
printf '{"status":"connected","region":"us","last_sync":"2026-02-01T05:00:00.000Z","last_error":null}\n' \
	>store/integration.json
printf '{"run_id":"20260201T050000Z","time":"2026-02-01T05:00:00.000Z","action":"integration","table":"integration","key":"status","before":{"status":""},"after":{"status":"connected"},"reason":null}\n' \
	>store/audit.ndjson
: >store/.lock
cp -a store before

rc=0
ITG_LOAD_PAUSE_BEFORE_SWITCH=$T/go "$ITG_BIN/itg-load" -p pipeline.yaml --plan plan \
	--report report >out 2>err &
pid=$!
load_wait_at_switch "$pid" "$T/go"
# the new files are written beside the old ones, the journal is not there yet
ls -A store | grep -q '^\.links\.csv\.tmp\.' || fail "no temporary links.csv at the pause: $(ls -A store)"
[ ! -e store/.journal ] || fail "the journal exists before the switch"
printf '108,42,manual,2026-03-01T04:59:00.000Z\n' >>store/links.csv
cp store/links.csv edited-links.csv
touch "$T/go"
wait "$pid" || rc=$?
assert_eq 4 "$rc" "exit code of a load whose store was edited before the switch"
assert_contains err "ERROR itg-load: store/links.csv changed while itg-load was running (after its start-up check): refused, nothing was changed and the store keeps that edit; run the pipeline again (or itg-transform, then itg-load) to plan from the store as it is now" "the refusal"
cmp -s edited-links.csv store/links.csv || fail "the hand edit of links.csv was not kept"
[ "$(ls -A before | sort)" = "$(ls -A store | sort)" ] ||
	fail "files left in the store: $(ls -A store | tr '\n' ' ')"
for f in organizations.csv users.csv integration.json audit.ndjson .lock; do
	cmp -s "before/$f" "store/$f" || fail "store/$f changed"
done
[ ! -e report ] || fail "a refused load wrote a report"
echo "ok: refused and kept: $(cut -c1-140 err)"

# the plan is stale now, from the start
rc=0
"$ITG_BIN/itg-load" -p pipeline.yaml --plan plan --report report >out 2>err || rc=$?
assert_eq 4 "$rc" "exit code of the same plan afterwards"
assert_contains err "store/links.csv changed since the plan was made" "the stale refusal"
