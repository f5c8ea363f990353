#!/bin/sh
# t511-kill-extract: itg-extract killed (SIGKILL) at several moments of a
# slow, many-page extraction leaves nothing under the final --out name (a
# staged ".NAME.tmp.*" sibling may stay behind and is reported), leaves an
# earlier snapshot under that name untouched, and the next run succeeds
# with the same records as a clean run.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
T=$(e2e_tmp)

mock_start --generate 150 --contacts-per-org 20 --seed 7 --latency-ms 120
EXTRACT="$ITG_BIN/itg-extract --base-url $MOCK_URL --page-size 50 --rate 100 --concurrency 2"

# strip_times MANIFEST: the manifest without its start and finish times.
strip_times() {
	grep -v '"started_at"\|"finished_at"' "$1"
}
# same_snapshot A B: identical record files and manifests (times aside).
same_snapshot() {
	[ "$(ls "$1")" = "$(ls "$2")" ] || { echo "files: $(ls "$1" | tr '\n' ' ') vs $(ls "$2" | tr '\n' ' ')" >&2; return 1; }
	for _f in "$1"/*.ndjson.gz; do
		cmp "$_f" "$2/$(basename "$_f")" >&2 || return 1
	done
	strip_times "$1/manifest.json" >"$T/m1"
	strip_times "$2/manifest.json" >"$T/m2"
	diff -u "$T/m1" "$T/m2" >&2
}
# kill_after SECONDS OUT: starts an extraction into OUT, SIGKILLs it after
# SECONDS; fails if it finished first (the moment would not be mid-run).
kill_after() {
	$EXTRACT --out "$2" >"$T/kill.out" 2>"$T/kill.err" &
	_pid=$!
	sleep "$1"
	kill -0 "$_pid" 2>/dev/null || { wait "$_pid" || true; cat "$T/kill.err" >&2; fail "itg-extract finished within $1 s: not killed mid-run"; }
	kill -KILL "$_pid"
	wait "$_pid" 2>/dev/null || true
}

start=$(date +%s)
$EXTRACT --out "$T/clean/snap" 2>"$T/err" || { cat "$T/err" >&2; fail "clean extract failed"; }
took=$(( $(date +%s) - start ))
[ "$took" -ge 3 ] || fail "the clean extraction took ${took} s; too quick to kill mid-run"

mkdir "$T/out"
leftovers=0
for when in 0.2 0.7 1.3 1.8; do
	kill_after "$when" "$T/out/snap"
	[ ! -e "$T/out/snap" ] || fail "killed after $when s: something appeared under the final name"
	n=$(find "$T/out" -maxdepth 1 -name '.snap.tmp.*' | wc -l | tr -d ' ')
	leftovers=$((leftovers + n))
	echo "killed after $when s: nothing under the final name; staged folders beside it: $n"
done

$EXTRACT --out "$T/out/snap" 2>"$T/err" || { cat "$T/err" >&2; fail "extract after the kills failed"; }
same_snapshot "$T/clean/snap" "$T/out/snap" || fail "the snapshot after the kills differs from a clean run's"

# An earlier snapshot under the final name survives a killed run untouched.
cp -R "$T/out/snap" "$T/before"
kill_after 0.8 "$T/out/snap"
[ -d "$T/out/snap" ] || fail "a killed run removed the earlier snapshot"
diff -r "$T/before" "$T/out/snap" >&2 || fail "a killed run changed the earlier snapshot"
$EXTRACT --out "$T/out/snap" 2>"$T/err" || { cat "$T/err" >&2; fail "extract over the earlier snapshot failed"; }
same_snapshot "$T/clean/snap" "$T/out/snap" || fail "the replacing snapshot differs from a clean run's"

n=$(find "$T/out" -maxdepth 1 -name '.snap.tmp.*' | wc -l | tr -d ' ')
echo "staged folders left beside --out after all runs: $n (killed runs left $leftovers)"
assert_no_canary "$T/out" "$T/err" "$T/kill.err"
exit 0
