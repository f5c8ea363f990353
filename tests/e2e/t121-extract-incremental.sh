#!/bin/sh
# t121-extract-incremental: a full extract, then IT Glue changes (two
# organizations renamed, a contact changed, two contacts added), then an
# incremental extract from the first snapshot.  Its resource files are
# byte-identical to those of a fresh full extract of the new state, its
# manifest says mode incremental and names its base, and it asked only a
# handful of requests (counted per resource from the mock's log).  The next
# run from it, with nothing changed, is as cheap; with itglue.incremental
# and no --since the extract starts from the snapshot it replaces.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
command -v jq >/dev/null 2>&1 || { echo "skip: jq is missing"; exit 77; }
cp -R "$ITG_REPO/fixtures/itglue" "$T/data"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
mkdir "$T/p"
mock_start --data "$T/data" --log-requests
cat >"$T/p/bp.yaml" <<YAML
name: e2e-incremental
product: bullphish
itglue:
  base_url: $MOCK_URL
  page_size: 5
  rate: 100
store: ../store
YAML
sed 's/^itglue:$/itglue:\n  incremental: true/' "$T/p/bp.yaml" >"$T/p/incr.yaml"

snap_extract s1 -p "$T/p/bp.yaml"
M1=$T/s1/manifest.json
assert_eq full "$(jq -r .mode "$M1")" "mode of a full snapshot"
assert_eq null "$(jq -c .base "$M1")" "base of a full snapshot"
assert_eq null "$(jq -r .last_full_at "$M1")" "no last_full_at in a full snapshot (its own start)"

# IT Glue changes: the times are now, after the first snapshot began.
sleep 1
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
jq --arg now "$now" 'map(if .id == "4" or .id == "7" then .attributes.name += " (renamed)" | .attributes["updated-at"] = $now else . end)' \
	"$T/data/organizations.json" >"$T/o.json"
jq --arg now "$now" '(map(if .id == "201" then .attributes.title = "Head of Office" | .attributes["updated-at"] = $now else . end))
	+ [(.[0] | .id = "950" | .attributes.name = "Nia New" | .attributes["first-name"] = "Nia" | .attributes["updated-at"] = $now),
	   (.[1] | .id = "951" | .attributes.name = "Ned New" | .attributes["first-name"] = "Ned" | .attributes["updated-at"] = $now)]' \
	"$T/data/contacts.json" >"$T/c.json"
mv "$T/o.json" "$T/data/organizations.json"
mv "$T/c.json" "$T/data/contacts.json"

snap_extract s2 -p "$T/p/bp.yaml" --since "$T/s1"
snap_extract f2 -p "$T/p/bp.yaml"
cat "$T/s2.log"
snap_same_files f2 s2
gzip -dc "$T/s2/organizations.ndjson.gz" | grep -q '"name":"City of Durham (renamed)"' || fail "rename missing"
gzip -dc "$T/s2/contacts.ndjson.gz" | grep -q '"id":"951"' || fail "added contact missing"
assert_eq 39 "$(jq .resources.contacts.records "$T/s2/manifest.json")" "contacts"
M2=$T/s2/manifest.json
assert_eq incremental "$(jq -r .mode "$M2")" "mode"
assert_eq "$(cd "$T/s1" && pwd -P)" "$(jq -r .base.path "$M2")" "base.path"
assert_eq "$(jq -r .started_at "$M1")" "$(jq -r .base.started_at "$M2")" "base.started_at"
assert_eq "$(jq -r .started_at "$M1")" "$(jq -r .last_full_at "$M2")" "last_full_at carried forward"
assert_eq '["99"]' "$(jq -c .resources.organizations.confirmed_deleted "$M2")" "deletions still confirmed"
assert_eq "$(jq -c .account "$M1")" "$(jq -c .account "$M2")" "account"
# the requests: the changes, two totals and the small resources, and 99 asked by id
cat "$T/s2.req"
assert_eq 1 "$(snap_requests s2 'GET /organizations[?].*filter%5Bupdated_at%5D=[^&]*%2C\*')" "organizations changed since the mark"
assert_eq 1 "$(snap_requests s2 'GET /organizations[?]page%5Bsize%5D=1&page%5Bnumber%5D=1 ')" "organizations total"
assert_eq 1 "$(snap_requests s2 'GET /contacts[?].*sort=-updated_at')" "contacts newest first"
assert_eq 1 "$(snap_requests s2 'GET /organizations/99 ')" "the linked organization missing"
for r in organization_types organization_statuses contact_types; do
	assert_eq 1 "$(snap_requests s2 "GET /$r[?]")" "$r, small: walked in full"
done
assert_eq 7 "$(wc -l <"$T/s2.req" | tr -d ' ')" "requests of the incremental run"
full_pages=$(snap_requests f2 'GET /(organizations|contacts)[?]')
[ "$full_pages" -ge 11 ] || fail "the full walk asked only $full_pages pages of organizations and contacts"
# the mark is 5 minutes before the base began
began=$(date -u -d "$(jq -r .started_at "$M1")" +%s)
mark=$(date -u -d "@$((began - 300))" +%Y-%m-%dT%H%%3A%M%%3A%SZ)
assert_contains "$T/s2.req" "filter%5Bupdated_at%5D=$mark%2C*" "the mark with its overlap"
assert_contains "$T/s2.log" "INFO itg-extract: organizations: 2 changed since" "organizations log"
assert_contains "$T/s2.log" "INFO itg-extract: contacts: 3 changed since" "contacts log"

# Nothing changed since: as cheap, and the same files (copied from the base).
snap_extract s3 -p "$T/p/bp.yaml" --since "$T/s2"
snap_same_files f2 s3
assert_eq 7 "$(wc -l <"$T/s3.req" | tr -d ' ')" "requests with nothing changed"
assert_eq "$(cd "$T/s2" && pwd -P)" "$(jq -r .base.path "$T/s3/manifest.json")" "base of the third"
assert_eq "$(jq -r .started_at "$M1")" "$(jq -r .last_full_at "$T/s3/manifest.json")" "last_full_at still the first's"

# itglue.incremental without --since: the snapshot about to be replaced is the base.
cp -R "$T/s1" "$T/same"
snap_extract same -p "$T/p/incr.yaml"
snap_same_files f2 same
assert_eq incremental "$(jq -r .mode "$T/same/manifest.json")" "mode in place"
assert_contains "$T/same.log" "incremental, from $(cd "$T" && pwd -P)/same" "base in place"
# --full overrides the pipeline; --since and --full exclude each other.
snap_extract full -p "$T/p/incr.yaml" --full
assert_eq full "$(jq -r .mode "$T/full/manifest.json")" "mode with --full"
rc=0
"$ITG_BIN/itg-extract" -p "$T/p/bp.yaml" --since "$T/s1" --full --out "$T/x" 2>"$T/x.log" || rc=$?
assert_eq 2 "$rc" "--since with --full"
assert_contains "$T/x.log" "--since and --full exclude each other" "usage error"
# no snapshot to start from: a full walk, said plainly
snap_extract first -p "$T/p/incr.yaml"
assert_eq full "$(jq -r .mode "$T/first/manifest.json")" "mode with nothing to start from"
assert_contains "$T/first.log" "holds no snapshot: a full walk" "no base"
mock_stop
assert_no_canary "$T"
exit 0
