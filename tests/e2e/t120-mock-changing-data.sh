#!/bin/sh
# t120-mock-changing-data: what incremental extracts need of itg-mock.
# filter[updated_at] ranges on organizations (closed, open ends, refused
# when malformed, and beyond --max-range-days), sort by updated_at both ways
# on contacts and domains, page[size]=1 totals, a --data folder read again
# when a file changes (a broken file keeps the previous data), and a
# --mutate file putting and deleting records on top of fixture and
# generated data.  Requests are counted per resource from --log-requests.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
command -v jq >/dev/null 2>&1 || { echo "skip: jq is missing"; exit 77; }

get() {
	curl -sS -g -o "$T/body" -w '%{http_code}' -H "x-api-key: $E2E_CANARY" "$MOCK_URL$1"
}
ids() { jq -r '[.data[].id] | join(" ")' "$T/body"; }
total() { jq -r '.meta["total-count"]' "$T/body"; }

cp -R "$ITG_REPO/fixtures/itglue" "$T/data"
mock_start --data "$T/data" --mutate "$T/mutate.json" --log-requests

# Ranges: organizations updated 2024-02-20 .. 2024-02-22 (inclusive), or since, or until.
assert_eq 200 "$(get '/organizations?sort=id&filter[updated_at]=2024-02-20T09:00:00Z,2024-02-22T09:00:00.000Z')" "closed range"
assert_eq "2 13 16" "$(ids)" "organizations in the closed range"
assert_contains "$T/body" '"filters":{"updated_at":"2024-02-20T09:00:00Z,2024-02-22T09:00:00.000Z"}' "meta.filters"
assert_eq 200 "$(get '/organizations?sort=id&filter[updated_at]=2024-02-26T00:00:00Z,*')" "open end"
assert_eq "3 5" "$(ids)" "organizations since 2024-02-26"
assert_eq 200 "$(get '/organizations?sort=id&filter[updated_at]=*,2024-02-14T09:00:00Z')" "open start"
assert_eq "1 15" "$(ids)" "organizations until 2024-02-14"
assert_eq 200 "$(get '/organizations?page[size]=1&filter[updated_at]=2030-01-01T00:00:00Z,*')" "nothing since"
assert_eq 0 "$(total)" "total of nothing"
for bad in 2024-02-20 'yesterday,*' '2024-02-20T09:00:00Z' '2024-13-01T00:00:00Z,*'; do
	assert_eq 422 "$(get "/organizations?filter[updated_at]=$bad")" "range '$bad'"
	assert_contains "$T/body" 'filter[updated_at] must be START,END' "422 for '$bad'"
done

# Sorting by updated_at, both ways; ties broken by id.
assert_eq 200 "$(get '/contacts?page[size]=3&sort=-updated_at')" "contacts newest first"
jq -r '[.data[].attributes["updated-at"]] | (. == (sort | reverse))' "$T/body" | grep -qx true ||
	fail "contacts are not newest first"
newest=$(ids)
assert_eq 37 "$(total)" "contacts total on a sorted page"
assert_eq 200 "$(get '/contacts?page[size]=1000&sort=updated_at')" "contacts oldest first"
assert_eq "$newest" "$(jq -r '[.data[-3:][].id] | reverse | join(" ")' "$T/body")" "oldest first is the reverse"
assert_eq 200 "$(get '/domains?page[size]=1000&sort=-updated_at')" "domains newest first"
jq -r '[.data[].attributes["updated-at"]] | (. == (sort | reverse))' "$T/body" | grep -qx true ||
	fail "domains are not newest first"
assert_eq 200 "$(get '/organizations?page[size]=1')" "a total"
assert_eq 15 "$(total)" "organizations total"
assert_eq 1 "$(jq '.data | length' "$T/body")" "page[size]=1 holds one record"

# The data folder changes: a rename with a new updated-at, served at once.
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
jq --arg now "$now" 'map(if .id == "4" then .attributes.name = "Durham City" | .attributes["updated-at"] = $now else . end)' \
	"$T/data/organizations.json" >"$T/o.json"
mv "$T/o.json" "$T/data/organizations.json"
assert_eq 200 "$(get '/organizations/4')" "renamed organization"
assert_eq "Durham City" "$(jq -r '.data.attributes.name' "$T/body")" "the new name"
assert_eq 200 "$(get "/organizations?filter[updated_at]=$now,*")" "changed since now"
assert_eq "4" "$(ids)" "only the renamed one changed since"
assert_contains "$E2E_TMP/mock.err" "the data changed: serving $T/data" "reload line"

# A broken file keeps the previous data (warned once), until it is fixed.
printf '[{"id": "1",' >"$T/data/domains.json.tmp"
mv "$T/data/domains.json.tmp" "$T/data/domains.json"
assert_eq 200 "$(get '/organizations/4')" "served while a file is broken"
assert_eq "Durham City" "$(jq -r '.data.attributes.name' "$T/body")" "previous data kept"
assert_eq 200 "$(get '/domains?page[size]=1')" "domains while broken"
assert_eq 22 "$(total)" "previous domains kept"
assert_eq 1 "$(grep -c 'the data changed but cannot be read' "$E2E_TMP/mock.err")" "one warning"
cp "$ITG_REPO/fixtures/itglue/domains.json" "$T/data/domains.json"
assert_eq 200 "$(get '/domains?page[size]=1')" "domains fixed"
assert_eq 22 "$(total)" "domains after the fix"

# A --mutate file appearing: a contact put (added), another replaced, an organization deleted.
cat >"$T/mutate.tmp" <<JSON
{"contacts": {"put": [
  {"id": "900", "type": "contacts", "attributes": {"organization-id": 2, "name": "New Person", "updated-at": "$now"}},
  {"id": "201", "type": "contacts", "attributes": {"organization-id": 2, "name": "Alice Walker-Smith", "updated-at": "$now"}}]},
 "organizations": {"delete": ["5"]}}
JSON
mv "$T/mutate.tmp" "$T/mutate.json"
assert_eq 200 "$(get '/contacts?page[size]=2&sort=-updated_at')" "contacts after --mutate"
assert_eq "900 201" "$(ids)" "put records are the newest"
assert_eq 38 "$(total)" "one contact added"
assert_eq "Alice Walker-Smith" "$(jq -r '.data[1].attributes.name' "$T/body")" "replaced contact"
assert_eq 404 "$(get '/organizations/5')" "deleted organization"
assert_eq 200 "$(get '/organizations?page[size]=1')" "organizations after --mutate"
assert_eq 14 "$(total)" "one organization deleted"
# the mutation sits on top of the folder's data, which may change under it
assert_eq 200 "$(get '/organizations/4')" "renamed organization under --mutate"
assert_eq "Durham City" "$(jq -r '.data.attributes.name' "$T/body")" "folder change kept"
echo '{"contact": {}}' >"$T/mutate.tmp" && mv "$T/mutate.tmp" "$T/mutate.json"
assert_eq 200 "$(get '/organizations?page[size]=1')" "served with a bad --mutate file"
assert_eq 14 "$(total)" "previous mutation kept"
assert_contains "$E2E_TMP/mock.err" 'unknown resource "contact"' "bad --mutate file named"

# Requests counted per resource from --log-requests.
assert_eq 3 "$(grep -c 'GET /contacts[?]' "$E2E_TMP/mock.err")" "contacts listings requested"
assert_eq 3 "$(grep -c 'GET /domains[?]' "$E2E_TMP/mock.err")" "domains listings requested"
mock_stop

# --max-range-days: longer ranges (an open end counts up to now) are refused.
mock_start --data "$ITG_REPO/fixtures/itglue" --max-range-days 7
week_ago=$(date -u -d '-6 days' +%Y-%m-%dT%H:%M:%SZ)
month_ago=$(date -u -d '-30 days' +%Y-%m-%dT%H:%M:%SZ)
assert_eq 200 "$(get "/organizations?filter[updated_at]=$week_ago,*")" "six days to now"
assert_eq 422 "$(get "/organizations?filter[updated_at]=$month_ago,*")" "thirty days to now"
assert_contains "$T/body" 'filter[updated_at] range must not exceed 7 days' "range too long"
assert_eq 422 "$(get '/organizations?filter[updated_at]=*,2024-02-20T00:00:00Z')" "open start"
assert_eq 200 "$(get '/organizations?filter[updated_at]=2024-02-13T00:00:00Z,2024-02-20T00:00:00Z')" "seven days"
assert_eq 7 "$(total)" "organizations in seven days"
assert_eq 422 "$(get '/organizations?filter[updated_at]=2024-02-13T00:00:00Z,2024-02-20T00:00:01Z')" "a second more"
mock_stop

# Generated data with --mutate: put and delete by id.
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
cat >"$T/gen-mutate.json" <<JSON
{"organizations": {"put": [{"id": "3", "type": "organizations", "attributes": {"name": "Renamed Three", "updated-at": "$now"}}],
                   "delete": ["4"]}}
JSON
mock_start --generate 50 --contacts-per-org 2 --mutate "$T/gen-mutate.json"
assert_eq 200 "$(get '/organizations?page[size]=1')" "generated total"
assert_eq 49 "$(total)" "generated organizations less the deleted one"
assert_eq 200 "$(get '/organizations/3')" "put organization"
assert_eq "Renamed Three" "$(jq -r '.data.attributes.name' "$T/body")" "put record served"
assert_eq 404 "$(get '/organizations/4')" "deleted generated organization"
assert_eq 200 "$(get "/organizations?filter[updated_at]=$now,*")" "changed generated"
assert_eq "3" "$(ids)" "only the put one changed since now"
assert_eq 200 "$(get '/organizations/5')" "an untouched generated organization"
jq -e '.data.attributes["short-name"]' "$T/body" >/dev/null || fail "generated record not rendered"
mock_stop
exit 0
