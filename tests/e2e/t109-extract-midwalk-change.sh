#!/bin/sh
# t109-extract-midwalk-change: IT Glue deletes one organization and adds
# another while the pages are fetched (same total).  Offset paging then
# shows a record twice and the count falls short: itg-extract walks
# organizations again from page 1 and publishes a complete snapshot equal,
# byte for byte, to a clean extract of the final state.  If the second walk
# disagrees too, nothing is published.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)

# orgs DIR DELETE ADD: 20 organizations with ids 10, 20, ... 200; DELETE
# (if not 0) left out and ADD (if not 0) holding DELETE's attributes, as
# itg-mock --midwalk-change DELETE:ADD serves them once changed.
orgs() {
	mkdir -p "$1"
	awk -v file="$1/organizations.json" -v del="$2" -v add="$3" 'BEGIN {
		printf "[" >file
		n = 0
		for (i = 10; i <= 200; i += 10) {
			id = i
			if (i == del) { if (!add) continue; id = add }
			printf "%s{\"id\":\"%d\",\"type\":\"organizations\",\"attributes\":{\"name\":\"Org %d\",\"primary\":%s}}", (n++ ? "," : ""), id, i, (i == 10 ? "true" : "false") >file
		}
		print "]" >file
	}'
}
orgs "$T/before" 0 0
orgs "$T/after" 110 15

extract() {
	"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/$1" --page-size 5 --rate 100 \
		--resources organizations 2>"$T/$1.log"
}

# A clean extract of the final state.
mock_start --data "$T/after"
extract clean || { cat "$T/clean.log" >&2; fail "the clean extraction failed"; }
mock_stop

# Page 1 (10..50) is served from the first state; then 110 goes and 15 comes,
# so page 2 starts with 50 again and 110's place is taken: 19 distinct of 20.
mock_start --data "$T/before" --midwalk-change 110:15 --log-requests
extract changed || { cat "$T/changed.log" >&2; fail "the extraction during a change failed"; }
mock_stop
cat "$T/changed.log"
assert_contains "$T/changed.log" "WARN itg-extract: organizations: the server said 20 records but 19 arrived; walking organizations again from the start" "first walk"
assert_eq 2 "$(grep -c 'GET /organizations?page%5Bsize%5D=5&page%5Bnumber%5D=1&' "$E2E_TMP/mock.err")" \
	"page 1 requests"
cmp "$T/clean/organizations.ndjson.gz" "$T/changed/organizations.ndjson.gz" ||
	fail "the snapshot differs from a clean extract of the final state"
gzip -dc "$T/changed/organizations.ndjson.gz" | grep -q '"id":"110"' && fail "the deleted organization is in the snapshot"
gzip -dc "$T/changed/organizations.ndjson.gz" | grep -q '"id":"15"' || fail "the added organization is missing"
grep -v '_at"\|base_url' "$T/clean/manifest.json" >"$T/m.clean"
grep -v '_at"\|base_url' "$T/changed/manifest.json" >"$T/m.changed"
assert_file_eq "$T/m.clean" "$T/m.changed"
assert_contains "$T/changed/manifest.json" '"primary_organization_name": "Org 10"' "account"

# The same change, but the server also states a total one too high: both walks
# disagree, and nothing is published.
mock_start --data "$T/before" --midwalk-change 110:15 --lie-total organizations:1
rc=0
extract twice || rc=$?
mock_stop
cat "$T/twice.log"
assert_eq 1 "$rc" "exit code when both walks disagree"
assert_contains "$T/twice.log" "WARN itg-extract: organizations: the server said 21 records but 19 arrived; walking organizations again from the start" "first walk"
assert_contains "$T/twice.log" "ERROR itg-extract: organizations: the server said 21 records but 20 arrived, twice: IT Glue changed during the walk or answered inconsistently; nothing was published, run again later" "second walk"
[ ! -e "$T/twice" ] || fail "a snapshot was published"
exit 0
