#!/bin/sh
# t101-extract-deterministic: two snapshots of the same data are
# byte-identical, whatever order the concurrent pages came back in.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)

# 120 organizations with ids in no particular order, three contacts each.
mkdir "$T/data"
awk -v dir="$T/data" 'BEGIN {
	o = dir "/organizations.json"; c = dir "/contacts.json"
	printf "[" >o; printf "[" >c
	for (i = 1; i <= 120; i++) {
		id = (i * 7919) % 100003
		printf "%s{\"id\":\"%d\",\"type\":\"organizations\",\"attributes\":{\"name\":\"Org \\u00e9 %d\",\"score\":1.50,\"big\":123456789012345678901}}", (i > 1 ? "," : ""), id, i >o
		for (k = 0; k < 3; k++)
			printf "%s{\"id\":\"%d\",\"type\":\"contacts\",\"attributes\":{\"organization-id\":%d,\"name\":\"P %d\"}}", (i + k > 1 ? "," : ""), 9000000 - 3 * i - k, id, 3 * i + k >c
	}
	print "]" >o; print "]" >c
}'
mock_start --data "$T/data" --latency-ms 20

for run in 1 2; do
	"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/snap$run" --page-size 10 \
		--rate 100 --concurrency 6 2>"$T/log$run" ||
		{ cat "$T/log$run" >&2; fail "run $run failed"; }
done
for f in "$T"/snap1/*.ndjson.gz; do
	cmp "$f" "$T/snap2/$(basename "$f")" || fail "$(basename "$f") differs between runs"
done
# The manifests differ only in their times.
grep -v '_at"' "$T/snap1/manifest.json" >"$T/m1"
grep -v '_at"' "$T/snap2/manifest.json" >"$T/m2"
assert_file_eq "$T/m1" "$T/m2"
# Number text is kept as served (no double rounding of 1.50 or a 21-digit integer).
gzip -dc "$T/snap1/organizations.ndjson.gz" | head -1 >"$T/first"
assert_contains "$T/first" '"score":1.50,"big":123456789012345678901' "numbers as served"
assert_eq 120 "$(gzip -dc "$T/snap1/organizations.ndjson.gz" | wc -l | tr -d ' ')" "organizations"
assert_eq 360 "$(gzip -dc "$T/snap1/contacts.ndjson.gz" | wc -l | tr -d ' ')" "contacts"

# A second run over an existing folder replaces it whole.
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/snap1" --page-size 50 \
	--resources organizations 2>"$T/log3" || { cat "$T/log3" >&2; fail "run 3 failed"; }
assert_eq "manifest.json organizations.ndjson.gz" "$(ls "$T/snap1" | tr '\n' ' ' | sed 's/ $//')" \
	"replaced folder"
cmp "$T/snap1/organizations.ndjson.gz" "$T/snap2/organizations.ndjson.gz" ||
	fail "page size changed the snapshot"
exit 0
