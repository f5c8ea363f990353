#!/bin/sh
# t111-extract-absurd-page-count: a server whose page 1 announces a billion
# pages (with a total-count to match) is refused at once, with memory that
# does not grow with the announcement, naming the resource and both
# figures; nothing is published and an earlier snapshot stays.  A large
# announcement under the cap is walked lazily: a few requests in flight,
# and the walk ends at the first empty page instead of queueing them all.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
DATA=$ITG_REPO/fixtures/itglue
mkdir "$T/out"
[ -x /usr/bin/time ] || fail "/usr/bin/time is missing: run scripts/deps"

mock_start --data "$DATA"
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/snap" --page-size 5 --rate 100 \
	2>"$T/good.log" || { cat "$T/good.log" >&2; fail "the clean extraction failed"; }
cp -R "$T/out/snap" "$T/snap.before"
mock_stop

# A billion pages announced: refused after page 1, well within 200 MB.
mock_start --data "$DATA" --announce-pages 1000000000 --log-requests
rc=0
/usr/bin/time -f %M -o "$T/rss" timeout 30 "$ITG_BIN/itg-extract" --base-url "$MOCK_URL" \
	--out "$T/out/snap" --page-size 5 --rate 100 2>"$T/billion.log" || rc=$?
mock_stop
cat "$T/billion.log"
assert_eq 1 "$rc" "exit code when a billion pages are announced"
assert_contains "$T/billion.log" "IT Glue announced 1000000000 pages (total-count 5000000000 at 5 a page), more than the 100000 pages a walk may take: the server is not answering as IT Glue does" "message"
assert_contains "$T/billion.log" "raise --page-size (now 5); nothing was published" "hint"
rss=$(tail -1 "$T/rss")
echo "max RSS: $rss KB"
[ "$rss" -lt 204800 ] || fail "max RSS $rss KB, more than 200 MB"
# page 1 of each resource, and nothing more
pages=$(grep -c 'GET /' "$E2E_TMP/mock.err")
[ "$pages" -le 6 ] || fail "$pages requests: pages after page 1 were asked for"
diff -r "$T/snap.before" "$T/out/snap" >&2 || fail "the earlier snapshot changed"
assert_eq snap "$(ls -A "$T/out")" "what is under the output folder"

# 50,000 pages announced (under the cap) of a data set of 3: the pages are
# queued a few at a time, the first empty one ends the walk, and the count
# that disagrees fails the run after the second walk.
mock_start --data "$DATA" --announce-pages 50000 --log-requests
rc=0
/usr/bin/time -f %M -o "$T/rss" timeout 60 "$ITG_BIN/itg-extract" --base-url "$MOCK_URL" \
	--out "$T/fresh" --page-size 5 --rate 200 --concurrency 4 --resources organizations \
	2>"$T/lazy.log" || rc=$?
mock_stop
cat "$T/lazy.log"
assert_eq 1 "$rc" "exit code when 50000 pages are announced"
assert_contains "$T/lazy.log" "organizations: the server said 250000 records but 15 arrived, twice" "message"
pages=$(grep -c 'GET /organizations' "$E2E_TMP/mock.err")
echo "requests: $pages"
# two walks of 3 pages, an empty 4th, and at most a window (2 x 4) beyond it each
[ "$pages" -le 30 ] || fail "$pages requests for a walk that ends at page 4"
rss=$(tail -1 "$T/rss")
[ "$rss" -lt 204800 ] || fail "max RSS $rss KB, more than 200 MB"
[ ! -e "$T/fresh" ] || fail "a snapshot was published"
exit 0
