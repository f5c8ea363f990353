#!/bin/sh
# build.sh OUTDIR - builds every libFuzzer target tests/fuzz/fuzz_*.c into
# OUTDIR/fuzz_* with clang (-fsanitize=fuzzer,address,undefined), compiling
# the library sources they exercise into OUTDIR/obj/.  Run from the
# repository top.  Exits 77 when clang is missing.  FUZZ_CFLAGS adds flags
# to the targets.
set -eu
out=${1:?usage: tests/fuzz/build.sh OUTDIR}
CLANG=${CLANG:-clang}
command -v "$CLANG" >/dev/null 2>&1 || { echo "fuzz: $CLANG not found" >&2; exit 77; }

# the whole shared library (it needs none of libcurl), and the stage files
# whose readers are fuzzed
SRCS="$(ls lib/*.c | tr '\n' ' ') transform/names.c transform/validate.c
      load/planread.c load/journal.c"
PKGS="yajl yaml-0.1 zlib libutf8proc"
CSTD="-std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
OPT="-g -O1 -fno-omit-frame-pointer"
# shellcheck disable=SC2086
PKG_CFLAGS=$(pkg-config --cflags $PKGS)
# shellcheck disable=SC2086
PKG_LIBS="$(pkg-config --libs $PKGS) -lcsv"

mkdir -p "$out/obj"
objs=
pids=
for src in $SRCS; do
	obj=$out/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')
	objs="$objs $obj"
	# Others' warnings must not stop the fuzz build: no -Werror for library code.
	# shellcheck disable=SC2086
	$CLANG $CSTD $OPT $SAN -fsanitize=fuzzer-no-link -Wall -Wextra -Ilib -Itransform -Iload \
		$PKG_CFLAGS -c "$src" -o "$obj" &
	pids="$pids $!"
done
rc=0
for p in $pids; do wait "$p" || rc=1; done
[ "$rc" -eq 0 ] || { echo "fuzz: compiling the library failed" >&2; exit 1; }

pids=
for t in tests/fuzz/fuzz_*.c; do
	name=$(basename "$t" .c)
	# shellcheck disable=SC2086
	$CLANG $CSTD $OPT $SAN -fsanitize=fuzzer -Wall -Wextra -Werror ${FUZZ_CFLAGS:-} -Ilib -Itransform -Iload \
		$PKG_CFLAGS "$t" $objs -o "$out/$name" $PKG_LIBS &
	pids="$pids $!"
done
for p in $pids; do wait "$p" || rc=1; done
[ "$rc" -eq 0 ] || { echo "fuzz: linking a target failed" >&2; exit 1; }
