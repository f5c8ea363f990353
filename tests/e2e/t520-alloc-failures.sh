#!/bin/sh
# t520-alloc-failures: memory running out part-way through a run ends in a
# clean error exit, never a crash or a damaged output.  With the
# allocation-failure build (make allocfail: lib/xalloc.h), a small real run
# of each stage is first counted (ITG_COUNT_ALLOCS), then run again with its
# Nth allocation failing (ITG_FAIL_ALLOC_AT=N) for N over its allocations:
#   itg-extract  against itg-mock on the fixture, 5 records a page
#   itg-transform the fixture snapshot and store, contacts and imports on
#   itg-load     each product's golden plan into a copy of its store
#   pipelines/run the fixture pipeline, the stages themselves unharmed
# Each time: exit 1 (no signal, no sanitizer report, never 0 once the
# failure was injected) with the "out of memory" line on stderr; what is
# published under a final name (snapshot, plan, report, run folder parts,
# latest) is either absent or the whole output of a clean run; inputs are
# untouched; and the store is wholly as before or wholly as after (a store
# left with a journal is first recovered with itg-load --recover, as the
# next run would).  Printed per stage, not failed: how many points left a
# staging folder beside an output or a journal in the store (exit 1 on the
# spot cleans nothing up; the next run sweeps the store's), left
# integration.json "syncing" (as a killed run does), or applied the store
# with the report still in its staging folder.
#
# make test samples about ITG_ALLOC_POINTS (default 100) points per stage,
# evenly spread; ITG_ALLOC_STRIDE=1 (make allocsweep) sweeps every one.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
T=$(e2e_tmp)
AF=${ITG_ALLOCFAIL_BIN:-$ITG_REPO/build/allocfail/bin}
case $AF in /*) ;; *) AF=$ITG_REPO/$AF ;; esac
for p in itg-extract itg-transform itg-load itg-run; do
	[ -x "$AF/$p" ] || { echo "skip: no allocation-failure build in $AF (run make allocfail)"; exit 77; }
done
command -v jq >/dev/null 2>&1 || fail "jq is needed"

# a sanitizer report must not look like the clean exit 1
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:exitcode=86"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=87"
export ITG_FIXED_TIME=1772341200   # 2026-03-01T05:00:00Z: outputs comparable byte for byte
POINTS=${ITG_ALLOC_POINTS:-100}
G=$ITG_REPO/tests/golden/load

mock_start --data "$ITG_REPO/fixtures/itglue"
mkdir "$T/p"
sed -e 's|^name: .*|name: alloc-sweep|' -e 's|^store: .*|store: ../store|' \
	-e 's|^out: .*|out: ../out|' -e 's|^  rate: .*|  rate: 1000|' \
	-e 's|^  concurrency: .*|  concurrency: 1|' -e 's|^  page_size: .*|  page_size: 5|' \
	"$ITG_REPO/pipelines/bullphish.yaml" >"$T/p/sweep.yaml"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"

# ---- comparisons and the sweep --------------------------------------------

# visible FOLDER: its file names but the hidden ones (lock, journal, temps)
visible() {
	ls "$1"
}

# same_files A B: the same visible files with the same bytes
same_files() {
	[ "$(visible "$1")" = "$(visible "$2")" ] || return 1
	for _f in $(visible "$1"); do cmp -s "$1/$_f" "$2/$_f" || return 1; done
	return 0
}

# norm_tree SRC DST: a copy with run ids (the real clock) replaced by RUNID
norm_tree() {
	cp -R "$1" "$2"
	find "$2" -type f ! -name '*.gz' -exec sed -i -E 's/[0-9]{8}T[0-9]{6}Z/RUNID/g' {} +
}

# published_ok CLEAN GOT WHAT: GOT is absent, or the same as CLEAN
published_ok() {
	[ -e "$2" ] || return 0
	diff -r "$1" "$2" >"$T/diff" 2>&1 ||
		{ head -20 "$T/diff" >&2; fail "$3: a partial or different output under its final name ($2)"; }
}

# staging DIR: true when DIR holds a leftover ".NAME.tmp.*"
staging() {
	[ -n "$(find "$1" -maxdepth 1 -name '.*.tmp.*' 2>/dev/null | head -1)" ]
}

# settle STORE PIPELINE WHAT: a journal the failure left in STORE is
# recovered (itg-load --recover, as the next run does first); STATE becomes
# "recovered-" then, else empty.
settle() {
	STATE=
	[ -e "$1/.journal" ] || return 0
	_rc=0
	"$ITG_BIN/itg-load" -p "$2" --store "$1" --recover --quiet 2>"$T/recover.err" || _rc=$?
	[ "$_rc" -eq 0 ] ||
		{ cat "$T/recover.err" >&2; fail "$3: itg-load --recover of the store left behind exited $_rc"; }
	STATE=recovered-
}

# compare GOT BEFORE AFTER WHAT: the store GOT is wholly as BEFORE or as AFTER;
# STATE gets "before" or "after" appended
compare() {
	if same_files "$2" "$1"; then
		STATE=${STATE}before
	elif same_files "$3" "$1"; then
		STATE=${STATE}after
	else
		diff -r "$2" "$1" | head -20 >&2
		fail "$4: the store is neither wholly as before nor wholly as after"
	fi
}

# sweep STAGE: counts run_STAGE's allocations in a clean run (clean_STAGE then
# keeps its outputs), and fails the chosen ones in turn, check_STAGE after each.
sweep() {
	_stage=$1
	F_staging=0 F_unpublished=0 F_recovered=0 F_syncing=0
	prep_"$_stage"
	rm -f "$T/count"
	_rc=0
	ITG_COUNT_ALLOCS=$T/count
	export ITG_COUNT_ALLOCS
	run_"$_stage" || _rc=$?
	unset ITG_COUNT_ALLOCS
	[ "$_rc" -eq 0 ] || { cat "$T/err" >&2; fail "$_stage: the clean run exited $_rc"; }
	_total=$(tail -1 "$T/count" | cut -d' ' -f1)
	[ "$_total" -gt 0 ] || fail "$_stage: no allocation counted"
	clean_"$_stage"
	_stride=${ITG_ALLOC_STRIDE:-$(( (_total + POINTS - 1) / POINTS ))}
	[ "$_stride" -ge 1 ] || _stride=1
	_n=1 _swept=0 _missed=0
	while [ "$_n" -le "$_total" ]; do
		prep_"$_stage"
		rm -f "$T/count"
		_rc=0
		ITG_FAIL_ALLOC_AT=$_n ITG_COUNT_ALLOCS=$T/count
		export ITG_FAIL_ALLOC_AT ITG_COUNT_ALLOCS
		run_"$_stage" || _rc=$?
		unset ITG_FAIL_ALLOC_AT ITG_COUNT_ALLOCS
		_what="$_stage${LABEL:+ ($LABEL)}, allocation $_n of $_total"
		_injected=$(tail -1 "$T/count" 2>/dev/null | cut -d' ' -f2)
		if [ "$_injected" = 0 ]; then
			# this run made fewer allocations than the clean one: no failure here
			[ "$_rc" -eq 0 ] || { cat "$T/err" >&2; fail "$_what: not reached, yet exit $_rc"; }
			_missed=$((_missed + 1))
		else
			[ "$_rc" -eq 1 ] || { cat "$T/err" >&2; fail "$_what: exit $_rc, want 1 (above 128: a signal; 86 or 87: a sanitizer report)"; }
			[ "$_injected" = "$_n" ] || fail "$_what: the count file says '$_injected'"
			grep -q 'out of memory' "$T/err" || { cat "$T/err" >&2; fail "$_what: no out of memory message"; }
			! grep -q 'Sanitizer\|runtime error' "$T/err" || { cat "$T/err" >&2; fail "$_what: a sanitizer report"; }
			check_"$_stage" "$_what"
			_swept=$((_swept + 1))
		fi
		if [ "$_n" -lt "$_total" ] && [ $((_n + _stride)) -gt "$_total" ]; then
			_n=$_total
		else
			_n=$((_n + _stride))
		fi
	done
	[ "$_swept" -ge 1 ] || fail "$_stage: no allocation failure was injected"
	if [ "$_stride" -eq 1 ]; then
		_how="every one"
	else
		_how="every ${_stride}th and the last"
	fi
	_notes=
	[ "$F_recovered" -eq 0 ] || _notes="$_notes; $F_recovered left a journal, recovered"
	[ "$F_staging" -eq 0 ] || _notes="$_notes; $F_staging left a staging folder"
	[ "$F_syncing" -eq 0 ] || _notes="$_notes; $F_syncing left integration.json syncing"
	[ "$F_unpublished" -eq 0 ] ||
		_notes="$_notes; $F_unpublished applied the store with the report left in its staging folder"
	echo "$_stage${LABEL:+ ($LABEL)}: $_swept of $_total allocation points swept ($_how), $_missed not reached$_notes"
	assert_no_canary "$T/err"
}

# ---- itg-extract ------------------------------------------------------------
prep_extract() {
	rm -rf "$T/x"
	mkdir "$T/x"
}
run_extract() {
	"$AF/itg-extract" -p "$T/p/sweep.yaml" --base-url "$MOCK_URL" --out "$T/x/snap" \
		--quiet 2>"$T/err"
}
clean_extract() {
	cp -R "$T/x/snap" "$T/snap.clean"
}
check_extract() {
	published_ok "$T/snap.clean" "$T/x/snap" "$1"
	same_files "$ITG_REPO/fixtures/stores/bullphish" "$T/store" || fail "$1: the store changed"
	! staging "$T/x" || F_staging=$((F_staging + 1))
}

# ---- itg-transform ----------------------------------------------------------
prep_transform() {
	rm -rf "$T/t"
	mkdir "$T/t"
}
run_transform() {
	"$AF/itg-transform" -p "$T/p/sweep.yaml" --snapshot "$T/snap.clean" --out "$T/t/plan" \
		--quiet 2>"$T/err"
}
clean_transform() {
	cp -R "$T/t/plan" "$T/plan.clean"
}
check_transform() {
	published_ok "$T/plan.clean" "$T/t/plan" "$1"
	same_files "$ITG_REPO/fixtures/stores/bullphish" "$T/store" || fail "$1: the store changed"
	diff -r "$T/snap.clean" "$T/snap.check" >/dev/null || fail "$1: the snapshot changed"
	! staging "$T/t" || F_staging=$((F_staging + 1))
}

# ---- itg-load ---------------------------------------------------------------
prep_load() {
	rm -rf "$T/l"
	cp -R "$G/$LABEL/input" "$T/l"
}
run_load() {
	(cd "$T/l" && ITG_RUN_ID=20260301T050000Z "$AF/itg-load" -p pipeline.yaml --plan plan \
		--report report --quiet) 2>"$T/err"
}
clean_load() {
	rm -rf "$T/load.after" "$T/load.report"
	cp -R "$T/l/store" "$T/load.after"
	cp -R "$T/l/report" "$T/load.report"
}
check_load() {
	published_ok "$T/load.report" "$T/l/report" "$1"
	diff -r "$G/$LABEL/input/plan" "$T/l/plan" >/dev/null || fail "$1: the plan changed"
	settle "$T/l/store" "$T/l/pipeline.yaml" "$1"
	compare "$T/l/store" "$G/$LABEL/input/store" "$T/load.after" "$1"
	case $STATE in
	recovered-*) F_recovered=$((F_recovered + 1)) ;;
	esac
	case $STATE in
	*after) [ -e "$T/l/report" ] || F_unpublished=$((F_unpublished + 1)) ;;
	esac
	! staging "$T/l" || F_staging=$((F_staging + 1))
}

# ---- pipelines/run ----------------------------------------------------------
prep_run() {
	rm -rf "$T/out" "$T/store"
	cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
}
# The stages the runner starts keep fd 3 open: reading it to its end waits
# for a stage that outlives a runner that ran out of memory.
run_run() {
	{
		_r=0
		"$AF/itg-run" "$T/p/sweep.yaml" --base-url "$MOCK_URL" >"$T/run.out" 2>"$T/err" || _r=$?
		echo "$_r" >"$T/rc"
	} 3>&1 | cat >/dev/null
	return "$(cat "$T/rc")"
}
INT_NORM='.disconnected_by = .disconnected_by'
clean_run() {
	_id=$(readlink "$T/out/alloc-sweep/latest")
	for _part in snapshot plan report; do
		norm_tree "$T/out/alloc-sweep/$_id/$_part" "$T/run.$_part"
	done
	norm_tree "$T/store" "$T/run.after"
	cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/run.before"
	# an absent disconnected_by reads as null (lib/integration.c), and every
	# rewrite of the file writes it: compare the files with the key made explicit
	jq -cS "$INT_NORM" "$T/run.before/integration.json" >"$T/int.before"
	jq -cS "$INT_NORM"' | .status = "syncing"' "$T/run.before/integration.json" >"$T/int.syncing"
	jq -cS "$INT_NORM" "$T/run.after/integration.json" >"$T/int.after"
	rm "$T/run.before/integration.json" "$T/run.after/integration.json"
}
check_run() {
	for _d in "$T"/out/alloc-sweep/*T*Z; do
		[ -d "$_d" ] || continue
		for _part in snapshot plan report; do
			[ -e "$_d/$_part" ] || continue
			rm -rf "$T/got"
			norm_tree "$_d/$_part" "$T/got"
			published_ok "$T/run.$_part" "$T/got" "$1 ($_part)"
		done
		! staging "$_d" || F_staging=$((F_staging + 1))
	done
	if [ -e "$T/out/alloc-sweep/latest" ]; then
		_id=$(readlink "$T/out/alloc-sweep/latest")
		for _part in snapshot plan report; do
			[ -e "$T/out/alloc-sweep/$_id/$_part" ] || fail "$1: latest points at a run without its $_part"
		done
	fi
	settle "$T/store" "$T/p/sweep.yaml" "$1"
	case $STATE in
	recovered-*) F_recovered=$((F_recovered + 1)) ;;
	esac
	rm -rf "$T/got"
	norm_tree "$T/store" "$T/got"
	# integration.json: before, after, or before but "syncing", as a runner
	# killed mid-run leaves it too (the next run sets it right)
	jq -cS "$INT_NORM" "$T/got/integration.json" >"$T/int.got"
	if cmp -s "$T/int.got" "$T/int.syncing"; then
		F_syncing=$((F_syncing + 1))
	else
		cmp -s "$T/int.got" "$T/int.before" || cmp -s "$T/int.got" "$T/int.after" ||
			fail "$1: integration.json is neither as before, as after nor syncing: $(cat "$T/int.got")"
	fi
	rm "$T/got/integration.json"
	compare "$T/got" "$T/run.before" "$T/run.after" "$1"
}

# ---- the sweeps ---------------------------------------------------------------
LABEL=
sweep extract
cp -R "$T/snap.clean" "$T/snap.check"
sweep transform
for LABEL in bullphish darkwebid; do
	sweep load
done
LABEL=
sweep run
mock_stop
