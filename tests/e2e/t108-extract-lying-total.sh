#!/bin/sh
# t108-extract-lying-total: a meta.total-count that disagrees with the
# records served, lower or higher, for organizations or for another
# resource, makes itg-extract walk that resource again from page 1, once,
# and then fail (exit 1) naming the resource and both figures: nothing is
# published, an earlier snapshot stays as it was.  A lower total whose
# pages are all full is caught by the one page asked beyond them.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
DATA=$ITG_REPO/fixtures/itglue
mkdir "$T/out"

mock_start --data "$DATA"
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/snap" --page-size 5 --rate 100 \
	2>"$T/good.log" || { cat "$T/good.log" >&2; fail "the clean extraction failed"; }
cp -R "$T/out/snap" "$T/snap.before"
mock_stop

# lying LIE WANT: extraction under --lie-total LIE exits 1 with the message WANT.
lying() {
	mock_start --data "$DATA" --lie-total "$1" --log-requests
	rc=0
	"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/snap" --page-size 5 \
		--rate 100 2>"$T/lie.log" || rc=$?
	mock_stop
	echo "--lie-total $1: exit $rc"
	grep 'WARN\|ERROR' "$T/lie.log"
	assert_eq 1 "$rc" "exit code under --lie-total $1"
	assert_contains "$T/lie.log" "ERROR itg-extract: $2, twice: IT Glue changed during the walk or answered inconsistently; nothing was published, run again later" "failure under --lie-total $1"
	assert_contains "$T/lie.log" "WARN itg-extract: $2; walking ${2%%:*} again from the start" "first disagreement under --lie-total $1"
	# walked twice, from page 1 each time
	_res=${1%%:*}
	assert_eq 2 "$(grep -c "GET /$_res?page%5Bsize%5D=5&page%5Bnumber%5D=1[&]" "$E2E_TMP/mock.err")" \
		"page 1 of $_res requests under --lie-total $1"
	diff -r "$T/snap.before" "$T/out/snap" >&2 || fail "the earlier snapshot changed under --lie-total $1"
	assert_eq snap "$(ls -A "$T/out")" "what is under the output folder"
}

# 15 organizations said to be 12: pages of 5 still bring 15.
lying organizations:-3 "organizations: the server said 12 records but 15 arrived"
# said to be 20: page 4 is empty.
lying organizations:5 "organizations: the server said 20 records but 15 arrived"
# 37 contacts said to be 35: the 7 stated pages hold exactly 35, so the count
# would agree; the last page is full, and the page after it shows the rest
lying contacts:-2 "contacts: the server said 35 records but 37 arrived"
# said to be 17: 4 pages, the 4th full, and the 5th (one more) still has records
lying contacts:-20 "contacts: the server said 17 records but 25 arrived"

# Without an earlier snapshot, nothing at all appears.
mock_start --data "$DATA" --lie-total organizations:1
rc=0
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/fresh" --page-size 5 --rate 100 \
	2>"$T/fresh.log" || rc=$?
mock_stop
assert_eq 1 "$rc" "exit code without an earlier snapshot"
assert_contains "$T/fresh.log" "organizations: the server said 16 records but 15 arrived, twice" "message"
[ ! -e "$T/fresh" ] || fail "a snapshot was published"
[ -z "$(ls -A "$T" | grep '^\.fresh')" ] || fail "a staged folder was left behind"
exit 0
