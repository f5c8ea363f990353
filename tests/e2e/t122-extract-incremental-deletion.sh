#!/bin/sh
# t122-extract-incremental-deletion: IT Glue deletes an organization the
# store links to (4) and renames another.  The incremental extract finds
# the total one short of the base with the changes, walks organizations in
# full and confirms the deletion by id as section 3 says: the snapshot is
# byte-identical to a full extract of the new state, with 4 in
# confirmed_deleted, and contacts still come from the base.  The next
# incremental run, from that snapshot, is cheap again.  Then a deletion
# hidden by a creation (totals agree) and a deleted contact: both walked in
# full, which makes the snapshot a full one.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
command -v jq >/dev/null 2>&1 || { echo "skip: jq is missing"; exit 77; }
cp -R "$ITG_REPO/fixtures/itglue" "$T/data"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
mkdir "$T/p"
mock_start --data "$T/data" --log-requests
cat >"$T/p/bp.yaml" <<YAML
name: e2e-incremental-deletion
product: bullphish
itglue:
  base_url: $MOCK_URL
  page_size: 5
  rate: 100
store: ../store
YAML

snap_extract s1 -p "$T/p/bp.yaml"
sleep 1
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
jq --arg now "$now" '[.[] | select(.id != "4") | if .id == "9" then .attributes.name = "Globex Corporation" | .attributes["updated-at"] = $now else . end]' \
	"$T/data/organizations.json" >"$T/o.json"
mv "$T/o.json" "$T/data/organizations.json"

snap_extract s2 -p "$T/p/bp.yaml" --since "$T/s1"
snap_extract f2 -p "$T/p/bp.yaml"
cat "$T/s2.log"
snap_same_files f2 s2
M2=$T/s2/manifest.json
assert_eq incremental "$(jq -r .mode "$M2")" "mode"
assert_eq '["4","99"]' "$(jq -c .resources.organizations.confirmed_deleted "$M2")" "deletion confirmed"
assert_eq '[]' "$(jq -c .resources.organizations.unconfirmed_missing "$M2")" "nothing unconfirmed"
assert_eq "$(jq -c .resources.organizations "$T/f2/manifest.json")" "$(jq -c .resources.organizations "$M2")" "as a full extract says"
assert_contains "$T/s2.log" "INFO itg-extract: organizations: IT Glue has 14, the previous snapshot with the 1 changed merged in 15 (something was deleted); walking organizations in full" "organizations walked in full"
assert_contains "$T/s2.log" "INFO itg-extract: contacts: 0 changed since" "contacts from the base"
gzip -dc "$T/s2/organizations.ndjson.gz" | grep -q '"name":"Globex Corporation"' || fail "rename missing"
# the full walk: every page, sorted by id; 4 asked by id and 404
assert_eq 3 "$(snap_requests s2 'GET /organizations[?]page%5Bsize%5D=5&page%5Bnumber%5D=[0-9]+&sort=id ')" "organizations pages"
assert_eq 0 "$(snap_requests s2 'GET /contacts[?]page%5Bsize%5D=5&page%5Bnumber%5D=[0-9]+&sort=id ')" "contacts pages"
assert_eq 1 "$(snap_requests s2 'GET /organizations/4 404')" "the deleted organization asked by id"

# The next run from it: cheap again.
snap_extract s3 -p "$T/p/bp.yaml" --since "$T/s2"
snap_same_files f2 s3
assert_eq incremental "$(jq -r .mode "$T/s3/manifest.json")" "mode of the next run"
assert_eq '["4","99"]' "$(jq -c .resources.organizations.confirmed_deleted "$T/s3/manifest.json")" "deletion still confirmed"
assert_eq 0 "$(snap_requests s3 'GET /(organizations|contacts)[?]page%5Bsize%5D=5&page%5Bnumber%5D=[0-9]+&sort=id ')" "no full walk of a big resource"
assert_eq 8 "$(wc -l <"$T/s3.req" | tr -d ' ')" "requests of the next run (3 small walks, 2 totals and changes, 2 by id)"
# with a deletion and a creation since: the totals agree, but the created one is a change
sleep 1
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
jq --arg now "$now" '[.[] | select(.id != "12")] + [(.[0] | .id = "40" | .attributes.name = "Newco" | .attributes.primary = false | .attributes["updated-at"] = $now)]' \
	"$T/data/organizations.json" >"$T/o.json"
jq '[.[] | select(.id != "205")]' "$T/data/contacts.json" >"$T/c.json"
mv "$T/o.json" "$T/data/organizations.json"
mv "$T/c.json" "$T/data/contacts.json"
snap_extract s4 -p "$T/p/bp.yaml" --since "$T/s3"
snap_extract f4 -p "$T/p/bp.yaml"
snap_same_files f4 s4
# (9, renamed a moment ago, is within the overlap: asked again, a change again)
assert_contains "$T/s4.log" "organizations: IT Glue has 14, the previous snapshot with the 2 changed merged in 15 (something was deleted)" "creation and deletion"
assert_contains "$T/s4.log" "contacts: IT Glue has 36, the previous snapshot with the 0 changed merged in 37 (something was deleted); walking contacts in full" "deleted contact"
# every resource walked in full: a full snapshot
assert_eq full "$(jq -r .mode "$T/s4/manifest.json")" "mode when all was walked"
assert_eq null "$(jq -c .base "$T/s4/manifest.json")" "base when all was walked"
assert_eq null "$(jq -r .last_full_at "$T/s4/manifest.json")" "no last_full_at when all was walked"
mock_stop
exit 0
