#!/bin/sh
# itg-load refuses with exit 4 when the store changed since the plan was made
# (naming the file and saying to re-run itg-transform) and when another run
# holds the store lock; in both cases the store is left exactly as it was.
set -u
top=${ITG_REPO:-$(pwd)}
bin=$(cd "${ITG_BIN:-bin}" && pwd)
tmp=$(mktemp -d)
holder=
sleeper=
stop_holder() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
	[ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
	holder=
	sleeper=
}
trap 'stop_holder; rm -rf "$tmp"' EXIT INT TERM
fail=0

bad() {
	echo "FAIL: $*"
	fail=1
}

cp -R "$top/tests/golden/load/bullphish/input/." "$tmp/"
cd "$tmp" || exit 1

# stale: an operator edited links.csv after the plan was made
printf '7,999,manual,2026-02-01T00:00:00.000Z\n' >>store/links.csv
cp -R store before
"$bin/itg-load" -p pipeline.yaml --plan plan --report report 2>err
rc=$?
[ "$rc" -eq 4 ] || bad "stale plan: exit $rc, want 4"
grep -q 'store/links.csv changed since the plan was made: re-run itg-transform' err ||
	bad "stale plan: message: $(cat err)"
rm -f store/.lock   # taking the lock may create it; nothing else may change
diff -r before store >/dev/null || bad "stale plan: the store changed"
[ ! -e report ] || bad "stale plan: a report was written"

# lock: another run holds STORE/.lock
rm -rf store before
cp -R "$top/tests/golden/load/bullphish/input/store" store
command -v flock >/dev/null || { echo "FAIL: flock(1) is needed"; exit 1; }
touch store/.lock
# -o: only flock itself holds the lock, so stopping it releases the lock
flock -o store/.lock sleep 30 &
holder=$!
i=0
until ! flock -n store/.lock true 2>/dev/null || [ "$i" -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleeper=$(ps -o pid= --ppid "$holder" 2>/dev/null | tr -d ' ')
cp -R store before
for mode in "" --dry-run; do
	"$bin/itg-load" -p pipeline.yaml --plan plan --report report $mode 2>err
	rc=$?
	[ "$rc" -eq 4 ] || bad "lock held${mode:+ ($mode)}: exit $rc, want 4"
	grep -q 'another run holds the store lock store/.lock' err ||
		bad "lock held: message: $(cat err)"
done
diff -r before store >/dev/null || bad "lock held: the store changed"
stop_holder
"$bin/itg-load" -p pipeline.yaml --plan plan --report report --quiet ||
	bad "after the lock was released: exit $?"
[ "$fail" -eq 0 ] && echo "stale plan and held lock refused with exit 4"
exit "$fail"
