#!/bin/sh
# itg-load reads plan.ndjson again from disk while it applies and reports
# (it keeps an index of the lines, not their text): a plan rewritten in
# place while a load runs is refused immediately before the switch (exit 4),
# the store is wholly as before and no report is written.
# ITG_LOAD_PAUSE_BEFORE_SWITCH holds the load at that moment.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
cp -R "$ITG_REPO/tests/golden/load/bullphish/input/." "$T/"
cd "$T" || fail "cannot enter $T"
: >store/.lock
cp -a store before

rc=0
ITG_LOAD_PAUSE_BEFORE_SWITCH=$T/go "$ITG_BIN/itg-load" -p pipeline.yaml --plan plan \
	--report report >out 2>err &
pid=$!
load_wait_at_switch "$pid" "$T/go"
# rewritten in place, as an editor or a second transform into the same folder would
head -n 1 plan/plan.ndjson >plan/one-line
cat plan/one-line >plan/plan.ndjson
touch "$T/go"
wait "$pid" || rc=$?
assert_eq 4 "$rc" "exit code of a load whose plan was rewritten while it ran"
assert_contains err "ERROR itg-load: plan/plan.ndjson was changed while the load read it: refused, nothing was changed; make the plan again (pipelines/run, or itg-transform)" "the refusal"
diff -r before store >&2 || fail "the store changed"
[ ! -e report ] || fail "a refused load wrote a report"
echo "ok: refused: $(cut -c1-120 err)"

# the shortened plan no longer matches its manifest, from the start
rc=0
"$ITG_BIN/itg-load" -p pipeline.yaml --plan plan --report report >out 2>err || rc=$?
assert_eq 2 "$rc" "exit code of the rewritten plan afterwards"
assert_contains err "plan/plan.ndjson: does not match its manifest" "the manifest refusal"
echo "ok: the rewritten plan is refused afterwards"
