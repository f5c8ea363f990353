#!/bin/sh
# A run killed in the middle of its load (after the journal is written) leaves
# no latest link; the next run of the pipeline finishes the interrupted load
# first (itg-load --recover), so it plans from the store as wholly after the
# killed run: nothing left to change, no journal, no temporary files.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

e2e_tmp >/dev/null
T=$E2E_TMP
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bullphish.yaml" <<YAML
name: e2e-crash
product: bullphish
store: ../store
out: ../out
sync:
  contacts:
    enabled: true
import:
  select: all
YAML

mock_start --data "$ITG_REPO/fixtures/itglue"

# Find the first crash point of itg-load (ITG_LOAD_CRASH_AT, a SIGKILL at
# its Nth write step) that leaves a journal, on a scratch copy of the store.
"$ITG_BIN/itg-extract" -p "$T/p/bullphish.yaml" --base-url "$MOCK_URL" --out "$T/snap" --quiet
n=0
found=
while [ "$n" -lt 60 ]; do
	n=$((n + 1))
	rm -rf "$T/scratch" "$T/plan" "$T/report"
	cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/scratch"
	"$ITG_BIN/itg-transform" -p "$T/p/bullphish.yaml" --store "$T/scratch" \
		--snapshot "$T/snap" --out "$T/plan" --quiet
	ITG_LOAD_CRASH_AT=$n "$ITG_BIN/itg-load" -p "$T/p/bullphish.yaml" --store "$T/scratch" \
		--plan "$T/plan" --report "$T/report" --quiet >/dev/null 2>&1 || true
	if [ -e "$T/scratch/.journal" ]; then
		found=$n
		break
	fi
done
[ -n "$found" ] || fail "no crash point of itg-load left a journal"

rc=0
ITG_LOAD_CRASH_AT=$found "$ITG_REPO/pipelines/run" "$T/p/bullphish.yaml" \
	--base-url "$MOCK_URL" >"$T/stdout" 2>"$T/stderr" || rc=$?
[ "$rc" -ne 0 ] || fail "the killed run exited 0"
[ -e "$T/store/.journal" ] || fail "the killed run left no journal"
[ ! -e "$T/out/e2e-crash/latest" ] || fail "latest points at a killed run"

rc=0
"$ITG_REPO/pipelines/run" "$T/p/bullphish.yaml" --base-url "$MOCK_URL" \
	>"$T/stdout" 2>"$T/stderr" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "the run after the crash exited $rc"; }
assert_contains "$T/stderr" "--recover" "stderr"
[ ! -e "$T/store/.journal" ] || fail "the journal is still there"
leftovers=$(find "$T/store" -name '.*.tmp.*')
[ -z "$leftovers" ] || fail "temporary files left in the store: $leftovers"
changing=$(jq '[.counts | to_entries[] | select(.key != "review" and .key != "skip") | .value] | add' \
	"$T/out/e2e-crash/latest/report/summary.json")
assert_eq 0 "$changing" "changing actions planned after recovery"
