#!/bin/sh
# run.sh OUTDIR LIBFUZZER-FLAG... - runs every target built by build.sh in
# OUTDIR on its seed corpus tests/fuzz/corpus/<target>/ (read only; new
# inputs go to OUTDIR/corpus/<target>/, crashes to OUTDIR/artifacts/).
# Examples: run.sh build/fuzz -max_total_time=20    run.sh DIR -runs=3000
# Prints one line per target; exits 1 if any target failed.
set -u
out=${1:?usage: tests/fuzz/run.sh OUTDIR FLAG...}
shift
rc=0
mkdir -p "$out/artifacts"
for t in tests/fuzz/fuzz_*.c; do
	name=$(basename "$t" .c)
	mkdir -p "$out/corpus/$name"
	log=$out/$name.log
	if "$out/$name" "$@" -artifact_prefix="$out/artifacts/$name-" -print_final_stats=1 \
		"$out/corpus/$name" "tests/fuzz/corpus/$name" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "ok   $name: ${runs:-?} runs"
	else
		rc=1
		echo "FAIL $name (log: $log)"
		grep -E 'fuzz check failed|ERROR: |SUMMARY: |runtime error|^    #[0-9] ' "$log" | head -20 | sed 's/^/    /'
	fi
done
exit "$rc"
