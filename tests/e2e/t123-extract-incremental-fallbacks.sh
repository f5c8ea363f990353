#!/bin/sh
# t123-extract-incremental-fallbacks: when an incremental extract walks in
# full instead, and how it asks when IT Glue refuses a long range.
#   - full_every (pipeline or --full-every) older than the last full walk;
#   - a base whose file does not match its manifest (bad CRC): a warning;
#   - a base from another server;
#   - a server that refuses sort=-updated_at, or ignores it (contacts then
#     walked in full, with a warning);
#   - organizations' filter[updated_at]: one open range where the server
#     takes any, 7-day windows after a 422 where it refuses ranges over a
#     week (--max-range-days 7), and no 422 for a base younger than that.
# ITG_FIXED_TIME pins the start time a run records (and judges full_every by).
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
command -v jq >/dev/null 2>&1 || { echo "skip: jq is missing"; exit 77; }
cp -R "$ITG_REPO/fixtures/itglue" "$T/data"
mkdir "$T/p"
now_s=$(date -u +%s)

pipeline() {
	cat >"$T/p/bp.yaml" <<YAML
name: e2e-incremental-fallbacks
product: bullphish
itglue:
  base_url: $MOCK_URL
  page_size: 5
  rate: 100
  full_every: ${1:-24h}
YAML
}
mode() { jq -r .mode "$T/$1/manifest.json"; }

mock_start --data "$T/data" --log-requests
pipeline 3d
ITG_FIXED_TIME=$now_s snap_extract base -p "$T/p/bp.yaml"

# full_every: 3d in the pipeline; two days later incremental, four days later full.
ITG_FIXED_TIME=$((now_s + 2 * 86400)) snap_extract d2 -p "$T/p/bp.yaml" --since "$T/base"
assert_eq incremental "$(mode d2)" "two days after a full walk, full_every 3d"
ITG_FIXED_TIME=$((now_s + 4 * 86400)) snap_extract d4 -p "$T/p/bp.yaml" --since "$T/d2"
assert_eq full "$(mode d4)" "four days after the full walk, full_every 3d"
assert_contains "$T/d4.log" "INFO itg-extract: a full walk: the last full walk began 4d ago ($(jq -r .started_at "$T/base/manifest.json")), and full_every is 3d" "why full"
assert_eq 0 "$(snap_requests d4 'updated_at')" "no changes asked when walking in full"
# --full-every overrides the pipeline; the default is a day
ITG_FIXED_TIME=$((now_s + 4 * 86400)) snap_extract d4b -p "$T/p/bp.yaml" --since "$T/d2" --full-every 5d
assert_eq incremental "$(mode d4b)" "--full-every 5d"
pipeline
ITG_FIXED_TIME=$((now_s + 90000)) snap_extract h25 -p "$T/p/bp.yaml" --since "$T/base"
assert_eq full "$(mode h25)" "25 hours after, the default 24h"
assert_contains "$T/h25.log" "and full_every is 1d" "the default"
rc=0
"$ITG_BIN/itg-extract" -p "$T/p/bp.yaml" --since "$T/base" --full-every 2w --out "$T/x" 2>"$T/x.log" || rc=$?
assert_eq 2 "$rc" "--full-every 2w"
assert_contains "$T/x.log" '--full-every: "2w" is not a duration' "usage error"

# A base whose contacts file does not match its manifest: a warning, and a full walk.
cp -R "$T/base" "$T/bad"
jq '.resources.contacts.crc32 = "00000000"' "$T/base/manifest.json" >"$T/bad/manifest.json"
snap_extract after-bad -p "$T/p/bp.yaml" --since "$T/bad"
assert_eq full "$(mode after-bad)" "mode after a broken base"
assert_contains "$T/after-bad.log" "WARN itg-extract: the previous snapshot $T/bad cannot serve as a base (" "warning"
assert_contains "$T/after-bad.log" "contacts.ndjson.gz: does not match the snapshot manifest" "what is wrong"
snap_same_files base after-bad
# a base that is no snapshot at all, and one from another server
printf 'not json' >"$T/bad/manifest.json"
snap_extract after-bad2 -p "$T/p/bp.yaml" --since "$T/bad"
assert_eq full "$(mode after-bad2)" "mode after an unreadable manifest"
assert_contains "$T/after-bad2.log" "WARN itg-extract: the previous snapshot $T/bad cannot serve as a base" "warning for a bad manifest"
# a server that refuses sort=-updated_at, and one that ignores it: contacts walked in full
mock_stop
for how in --no-sort --ignore-sort; do
	mock_start --data "$T/data" --log-requests "$how" contacts
	pipeline
	snap_extract "b$how" -p "$T/p/bp.yaml"
	snap_extract "i$how" -p "$T/p/bp.yaml" --since "$T/b$how"
	snap_same_files "b$how" "i$how"
	assert_eq incremental "$(mode "i$how")" "mode with $how contacts"
	assert_contains "$T/i$how.log" "WARN itg-extract: contacts: IT Glue" "$how: the warning"
	assert_contains "$T/i$how.log" "; walking contacts in full" "$how: contacts walked in full"
	assert_contains "$T/i$how.log" "INFO itg-extract: organizations: 0 changed since" "$how: organizations still incremental"
	mock_stop
done
assert_contains "$T/i--no-sort.log" "IT Glue answered HTTP 422 (Unprocessable Entity: sort is not supported for contacts) to a page of the changes" "refused sort"
assert_contains "$T/i--ignore-sort.log" "IT Glue did not list contacts newest first" "ignored sort"
mock_start --data "$T/data" --log-requests
pipeline
jq '.base_url = "https://api.eu.itglue.com"' "$T/base/manifest.json" >"$T/m.json"
cp -R "$T/base" "$T/eu" && mv "$T/m.json" "$T/eu/manifest.json"
snap_extract after-eu -p "$T/p/bp.yaml" --since "$T/eu"
assert_eq full "$(mode after-eu)" "mode after a base of another server"
assert_contains "$T/after-eu.log" "a full walk: the previous snapshot came from https://api.eu.itglue.com, not $MOCK_URL" "why"
# --since naming a folder with no snapshot: the operator named it, so the
# full walk is a warning (seen under --quiet), not an info line
snap_extract after-none -p "$T/p/bp.yaml" --since "$T/nowhere" --quiet
assert_eq full "$(mode after-none)" "mode after --since of no snapshot"
assert_contains "$T/after-none.log" "WARN itg-extract: --since $T/nowhere: " "warning for --since of no snapshot"
mock_stop

# Windows.  A base ten days old (its start pinned), then an organization renamed now.
mock_start --data "$T/data" --log-requests --max-range-days 7
pipeline 30d
ITG_FIXED_TIME=$((now_s - 10 * 86400)) snap_extract old -p "$T/p/bp.yaml"
ITG_FIXED_TIME=$((now_s - 86400)) snap_extract young -p "$T/p/bp.yaml"
sleep 1
stamp=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
jq --arg now "$stamp" 'map(if .id == "8" then .attributes.name = "Acme Dental Group" | .attributes["updated-at"] = $now else . end)' \
	"$T/data/organizations.json" >"$T/o.json"
mv "$T/o.json" "$T/data/organizations.json"
snap_extract w -p "$T/p/bp.yaml" --since "$T/old"
snap_extract fw -p "$T/p/bp.yaml" --full
snap_same_files fw w
assert_eq incremental "$(mode w)" "mode with windows"
assert_contains "$T/w.log" "WARN itg-extract: organizations: HTTP 422 to filter[updated_at]=" "the refusal"
assert_contains "$T/w.log" "asking 7 days at a time" "the fallback"
assert_contains "$T/w.log" "INFO itg-extract: organizations: 1 changed since" "the change found"
assert_eq 1 "$(snap_requests w 'updated_at%5D=[^&]*%2C\*.* 422 ')" "the open range refused"
assert_eq 2 "$(snap_requests w 'updated_at%5D=[^&]*%2C[0-9].* 200 ')" "two 7-day windows"
# a base a day old: no refusal, one open range
snap_extract y -p "$T/p/bp.yaml" --since "$T/young"
snap_same_files fw y
assert_eq 0 "$(snap_requests y ' 422 ')" "no refusal for a young base"
assert_eq 1 "$(snap_requests y 'updated_at%5D=[^&]*%2C\* 200 |updated_at%5D=[^&]*%2C\*&sort=id 200 ')" "one open range"
mock_stop
# the same old base against a server that takes any range: one open range, no window
mock_start --data "$T/data" --log-requests
pipeline 30d
jq --arg u "$MOCK_URL" '.base_url = $u' "$T/old/manifest.json" >"$T/m.json"
mv "$T/m.json" "$T/old/manifest.json"
snap_extract w2 -p "$T/p/bp.yaml" --since "$T/old"
snap_same_files fw w2
assert_eq 0 "$(snap_requests w2 ' 422 ')" "no refusal without the limit"
assert_eq 1 "$(snap_requests w2 'updated_at%5D=[^&]*%2C\*')" "one open range without the limit"
assert_not_contains "$T/w2.log" "7 days at a time" "no windows without the limit"
mock_stop
exit 0
