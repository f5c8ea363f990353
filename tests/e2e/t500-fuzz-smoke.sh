#!/bin/sh
# t500-fuzz-smoke: builds the libFuzzer targets of tests/fuzz/ and runs each
# for a few thousand inputs from its seed corpus, so a crash, a sanitizer
# report or a broken invariant in the readers (CSV, pipeline YAML, JSON,
# snapshot manifest, plan and plan manifest, store journal recovery,
# integration.json, name keys, email/domain tests) fails `make test`.
# `make fuzz` runs them for longer.  When clang cannot build them it prints
# "skip: WHY" and exits 77, which tests/e2e/run-all counts as a skip, not a
# pass.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
cd "$ITG_REPO"
T=$(e2e_tmp)

if ! command -v clang >/dev/null 2>&1; then
	echo "skip: clang not installed"
	exit 77
fi
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n){(void)d;(void)n;return 0;}\n' \
	>"$T/probe.c"
if ! clang -fsanitize=fuzzer,address,undefined "$T/probe.c" -o "$T/probe" 2>/dev/null; then
	echo "skip: clang cannot link libFuzzer (install libclang-rt-14-dev)"
	exit 77
fi

tests/fuzz/build.sh "$T/fuzz" >"$T/build.log" 2>&1 || { cat "$T/build.log" >&2; fail "fuzz targets do not build"; }
n=$(ls "$T"/fuzz/fuzz_* | wc -l)
want=$(ls tests/fuzz/fuzz_*.c | wc -l)
[ "$want" -ge 10 ] || fail "expected at least 10 fuzz targets in tests/fuzz/, found $want"
[ "$n" -eq "$want" ] || fail "built $n fuzz targets of $want"
# The Makefile exports ASAN_OPTIONS with abort_on_error=0 and exit codes; keep
# libFuzzer's own defaults here so every finding is a failure with its input.
unset ASAN_OPTIONS UBSAN_OPTIONS
tests/fuzz/run.sh "$T/fuzz" -runs=3000 -timeout=10 >"$T/run.out" 2>&1 || {
	cat "$T/run.out" >&2
	for a in "$T"/fuzz/artifacts/*; do
		[ -f "$a" ] || continue
		echo "input $(basename "$a"): $(od -An -c "$a" | head -5 | tr -s ' ')" >&2
	done
	fail "a fuzz target found a crash or a broken invariant"
}
ok=$(grep -c '^ok ' "$T/run.out")
assert_eq "$n" "$ok" "fuzz targets that ran clean"
