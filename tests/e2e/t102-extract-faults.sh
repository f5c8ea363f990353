#!/bin/sh
# t102-extract-faults: 5xx (JSON and HTML), dropped connections, truncated
# and malformed bodies, and a server-side rate limit with and without
# Retry-After: the snapshot still equals the one taken from a clean server.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)

mkdir "$T/data"
awk -v dir="$T/data" 'BEGIN {
	o = dir "/organizations.json"; c = dir "/contacts.json"
	printf "[" >o; printf "[" >c
	for (i = 1; i <= 100; i++) {
		printf "%s{\"id\":\"%d\",\"type\":\"organizations\",\"attributes\":{\"name\":\"Org %d\"}}", (i > 1 ? "," : ""), i, i >o
		printf "%s{\"id\":\"%d\",\"type\":\"contacts\",\"attributes\":{\"organization-id\":%d,\"name\":\"P %d\"}}", (i > 1 ? "," : ""), 1000 + i, i, i >c
	}
	print "]" >o; print "]" >c
}'
cp "$ITG_REPO/fixtures/itglue/organization_types.json" "$T/data/"

extract() {
	_out=$1
	shift
	"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/$_out" --page-size 20 \
		--resources organizations,contacts,organization_types "$@" 2>"$T/$_out.log" ||
		{ cat "$T/$_out.log" >&2; fail "extract into $_out failed"; }
}
same_as_clean() {
	for f in organizations contacts organization_types; do
		cmp "$T/clean/$f.ndjson.gz" "$T/$1/$f.ndjson.gz" || fail "$1: $f differs from the clean run"
	done
}

mock_start --data "$T/data"
extract clean --rate 100
mock_stop

# Server faults: every kind retried until the page comes whole.
mock_start --data "$T/data" --fail-rate 0.2 --fail-html-rate 0.5 --drop-rate 0.1 \
	--truncate-rate 0.05 --malformed-rate 0.05 --fault-seed 3
extract faults --rate 100
mock_stop
same_as_clean faults
grep -q 'retry 1 of 6' "$T/faults.log" || fail "no retry logged under faults"
grep -q 'HTML page (' "$T/faults.log" || fail "the HTML 502 was not summarised"
grep -q '<' "$T/faults.log" && fail "HTML reached the log"

# A server-side limit below our rate, with Retry-After: honoured, bucket slowed.
mock_start --data "$T/data" --rate-limit 5 --retry-after 1
extract limited --rate 40
mock_stop
same_as_clean limited
assert_contains "$T/limited.log" "429 (rate limit): slowing down" "429 slow-down"
grep -q 'HTTP 429.* in 1.0 s' "$T/limited.log" || fail "Retry-After not honoured"
grep 'HTTP 429' "$T/limited.log" | grep -qv ' in 1.0 s' && fail "a 429 retry ignored Retry-After"

# The same limit without Retry-After: our own backoff.
mock_start --data "$T/data" --rate-limit 5
extract limited2 --rate 40
mock_stop
same_as_clean limited2
assert_eq 1 "$(grep -c 'slowing down' "$T/limited2.log")" "slow-down is logged once"
exit 0
