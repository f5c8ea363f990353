#!/bin/sh
# Crash safety of itg-load: a real load is killed (SIGKILL,
# through the ITG_LOAD_CRASH_AT test hook) at every numbered point of its
# transaction: each table write and fsync, the pending audit file's write and
# fsync, the journal, each rename, each half of each audit line, each folder
# fsync, the removal of the journal and of the pending audit file.  After each
# kill the same plan is loaded again; that run first recovers the store, then
# either applies the plan (the store was wholly OLD: exit 0) or refuses it as
# stale (wholly NEW: exit 4).  Either way the store must end byte-identical
# to an uninterrupted load (every CSV, integration.json, audit.ndjson and
# the copy of links.csv left for the next load, .links.last-run.csv: an
# audit line written twice or lost fails), with no temporary file (the
# pending audit file among them) or journal left behind.  A store
# that recovered to a mix would be refused as stale and then differ from NEW.
#
# t311-load-killed-darkwebid.sh runs this for the Dark Web ID fixture
# (LOAD_KILL_PRODUCT), so that each script stays well under a minute under
# the sanitizers; together they check 102 points.
set -u
product=${LOAD_KILL_PRODUCT:-bullphish}
top=${ITG_REPO:-$(pwd)}
bin=$(cd "${ITG_BIN:-bin}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export ITG_FIXED_TIME=1772341200
files="organizations.csv links.csv users.csv domains.csv integration.json audit.ndjson .links.last-run.csv"
total=0
fail=0

bad() {
	echo "FAIL: $*"
	fail=1
}

# same_store A B: the store files of A and B are identical (absent counts).
same_store() {
	for f in $files; do
		if [ -e "$1/$f" ] || [ -e "$2/$f" ]; then
			cmp -s "$1/$f" "$2/$f" || return 1
		fi
	done
	return 0
}

# clean_store S: nothing but the store files and the lock file.
clean_store() {
	for f in $(ls -A "$1"); do
		case " $files .lock " in
		*" $f "*) ;;
		*) echo "left behind in the store: $f"; return 1 ;;
		esac
	done
	return 0
}

for product in $product; do
	old="$tmp/$product-old"
	ref="$tmp/$product-new"
	mkdir -p "$old"
	cp -R "$top/tests/golden/load/$product/input/." "$old/"
	cp -R "$old" "$ref"
	(cd "$ref" && "$bin/itg-load" -p pipeline.yaml --plan plan --report report --verbose) \
		2>"$tmp/log" || { bad "$product: reference load failed: $(cat "$tmp/log")"; continue; }
	points=$(sed -n 's/.*transaction passed \([0-9]*\) crash points.*/\1/p' "$tmp/log")
	[ -n "$points" ] && [ "$points" -gt 0 ] || { bad "$product: no crash point count"; continue; }
	same_store "$old/store" "$ref/store" && { bad "$product: the plan changes nothing"; continue; }

	n=1
	olds=0
	news=0
	while [ "$n" -le "$points" ]; do
		w="$tmp/work"
		rm -rf "$w"
		cp -R "$old" "$w"
		cd "$w" || exit 1
		ITG_LOAD_CRASH_AT=$n "$bin/itg-load" -p pipeline.yaml --plan plan --report report \
			--quiet 2>/dev/null
		rc=$?
		[ "$rc" -eq 137 ] || bad "$product: point $n: load was not killed (exit $rc)"
		# the next load finishes or discards the interrupted one first
		"$bin/itg-load" -p pipeline.yaml --plan plan --report report --quiet 2>/dev/null
		rc=$?
		case $rc in
		0) olds=$((olds + 1)) ;;   # recovered to OLD: the plan applied again
		4) news=$((news + 1)) ;;   # recovered to NEW: the plan is now stale
		*) bad "$product: point $n: reload exit $rc, want 0 (store was old) or 4 (new)" ;;
		esac
		same_store store "$ref/store" || {
			bad "$product: point $n: store is not exactly new after the reload (exit $rc)"
			for f in $files; do cmp "$ref/store/$f" "store/$f" 2>&1 | head -1; done
		}
		clean_store store || bad "$product: point $n: recovery left files"
		cd "$top" || exit 1
		n=$((n + 1))
	done
	[ "$olds" -gt 0 ] && [ "$news" -gt 0 ] ||
		bad "$product: expected kills before and after the decision ($olds old, $news new)"
	echo "$product: $points kill points, $olds recovered to old, $news to new"
	total=$((total + points))
done
[ "$total" -ge 40 ] || bad "only $total kill points"
echo "kill points checked: $total"
exit "$fail"
