#!/bin/sh
# t113-extract-huge-record: one record far larger than a record may be
# (3 MB of JSON, against 1 MiB) fails the run with exit 1, naming the
# resource and the record's id; nothing is published.  A record just under
# the bound is taken as it is.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
DATA=$ITG_REPO/fixtures/itglue
mkdir "$T/out"

mock_start --data "$DATA" --huge-record contacts:204:3000000
rc=0
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/snap" --page-size 10 --rate 100 \
	2>"$T/huge.log" || rc=$?
mock_stop
cat "$T/huge.log"
assert_eq 1 "$rc" "exit code with a huge record"
assert_contains "$T/huge.log" "ERROR itg-extract: contacts record 204 is 2.86 MiB of JSON, more than the 1 MiB a record may hold: IT Glue answered something that is not a contact; nothing was published" "message"
assert_eq "" "$(ls -A "$T/out")" "what is under the output folder"

# The same on an organization, in the walk or asked for by id.
mock_start --data "$DATA" --huge-record organizations:8:2000000
rc=0
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/snap" --resources organizations \
	--rate 100 2>"$T/org.log" || rc=$?
mock_stop
assert_eq 1 "$rc" "exit code with a huge organization"
assert_contains "$T/org.log" "organizations record 8 is 1.91 MiB of JSON" "message"
assert_contains "$T/org.log" "not an organization; nothing was published" "message"

# 1,000,000 bytes of notes: under 1 MiB with the rest of the record.
mock_start --data "$DATA" --huge-record contacts:204:1000000
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/snap" --resources contacts \
	--rate 100 2>"$T/under.log" || { cat "$T/under.log" >&2; fail "a record under the bound failed the run"; }
mock_stop
gzip -dc "$T/out/snap/contacts.ndjson.gz" | grep '"id":"204"' | grep -q '"notes":"xxxx' ||
	fail "the large record is not in the snapshot"
exit 0
