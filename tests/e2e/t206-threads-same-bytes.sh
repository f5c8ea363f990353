#!/bin/sh
# t206-threads-same-bytes: the number of threads (ITG_THREADS) changes no
# byte of what the stages write.  itg-extract of a generated account whose
# contacts take several gzip members gives the same snapshot files with 1
# and 4 threads; itg-transform of it into an empty store (every contact
# imported) gives the same plan, inventory and manifest with 1, 2 and 8.
# A value that is not a count from 1 to 8 is exit 2 naming the variable,
# and nothing is written.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
command -v python3 >/dev/null 2>&1 || fail "python3 is needed"
mock_start --generate 300 --contacts-per-org 25 --seed 3

for n in 1 4; do
	ITG_THREADS=$n "$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/snap$n" --rate 500 \
		2>"$T/extract.log" || { cat "$T/extract.log" >&2; fail "itg-extract ($n threads) failed"; }
done
mock_stop
for f in "$T"/snap1/*.ndjson.gz; do
	cmp "$f" "$T/snap4/${f##*/}" || fail "${f##*/} differs between 1 and 4 threads"
done

# the contacts really are several members (a member a MiB of text)
members=$(python3 - "$T/snap1/contacts.ndjson.gz" <<'EOF'
import sys, zlib
data = open(sys.argv[1], "rb").read()
n = 0
while data:
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    d.decompress(data)
    if not d.eof:
        sys.exit("a member does not end")
    n += 1
    data = d.unused_data
print(n)
EOF
) || fail "the contacts file is not whole gzip members"
[ "$members" -ge 3 ] || fail "the contacts file is $members gzip member(s), want several"

mkdir "$T/store"
cat >"$T/p.yaml" <<YAML
name: e2e-threads
product: bullphish
store: store
sync:
  contacts:
    enabled: true
import:
  select: all
YAML
for n in 1 2 8; do
	ITG_THREADS=$n "$ITG_BIN/itg-transform" -p "$T/p.yaml" --snapshot "$T/snap1" --out "$T/plan$n" \
		2>"$T/transform.log" || { cat "$T/transform.log" >&2; fail "itg-transform ($n threads) failed"; }
done
lines=$(grep -c '"action":"import_user"' "$T/plan1/plan.ndjson")
[ "$lines" -gt 5000 ] || fail "only $lines import_user lines: the account is too small to share out"
for n in 2 8; do
	for f in plan.ndjson inventory.ndjson manifest.json; do
		cmp "$T/plan1/$f" "$T/plan$n/$f" || fail "$f differs between 1 and $n threads"
	done
done

for bad in 0 9 two -1; do
	rc=0
	ITG_THREADS=$bad "$ITG_BIN/itg-transform" -p "$T/p.yaml" --snapshot "$T/snap1" --out "$T/bad" \
		2>"$T/err" || rc=$?
	assert_eq 2 "$rc" "itg-transform with ITG_THREADS=$bad"
	grep -q "ITG_THREADS=$bad is not a number of threads: give a whole number from 1 to 8" "$T/err" ||
		{ cat "$T/err" >&2; fail "ITG_THREADS=$bad: the message does not say what is wrong"; }
	[ ! -e "$T/bad" ] || fail "ITG_THREADS=$bad: a plan was written"
done
rc=0
ITG_THREADS=0 "$ITG_BIN/itg-extract" --base-url "http://127.0.0.1:9" --out "$T/badsnap" 2>"$T/err" || rc=$?
assert_eq 2 "$rc" "itg-extract with ITG_THREADS=0"
[ ! -e "$T/badsnap" ] || fail "ITG_THREADS=0: a snapshot was written"
