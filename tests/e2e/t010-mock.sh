#!/bin/sh
# t010-mock: itg-mock answers like IT Glue: paging meta, page-size cap, API-key
# check, rate limit with and without Retry-After, HTML 404, sort and filters.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)

# get PATH [curl args...]: body in $T/body, headers in $T/headers, prints the
# status.  Sends the key $KEY (default: the canary the mock accepts).
get() {
	_path=$1
	shift
	curl -sS -g -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		-H "x-api-key: ${KEY:-$E2E_CANARY}" -H 'Accept: application/vnd.api+json' \
		"$@" "$MOCK_URL$_path"
}
# ids PATH...: the data[].id values of the body, one line, space-separated.
ids() {
	tr ',' '\n' <"$T/body" | sed -n 's/^.*"id":"\([0-9]*\)".*$/\1/p' | tr '\n' ' '
}

mock_start --data "$ITG_REPO/fixtures/itglue" --log-requests

# Paging: 15 organizations in pages of 5.
assert_eq 200 "$(get '/organizations?page[size]=5')" "status of page 1"
assert_contains "$T/headers" "Content-Type: application/vnd.api+json" "content type"
assert_contains "$T/body" '"current-page":1,"next-page":2,"prev-page":null,"total-pages":3,"total-count":15' "page 1 meta"
assert_contains "$T/body" "\"next\":\"$MOCK_URL/organizations?page%5Bnumber%5D=2&page%5Bsize%5D=5\"" "links.next"
assert_contains "$T/body" '"type":"organizations"' "resource type"
assert_eq 200 "$(get '/organizations?page[size]=5&page[number]=3')" "status of page 3"
assert_contains "$T/body" '"current-page":3,"next-page":null,"prev-page":2,"total-pages":3' "last page meta"
assert_eq 200 "$(get '/organizations?page[size]=5&page[number]=4')" "status past the end"
assert_contains "$T/body" '"data":[]' "page past the end is empty"

# Nothing matches: total-pages is 0, not 1.
assert_eq 200 "$(get '/organizations?filter[id]=999')" "status of an empty match"
assert_contains "$T/body" '"total-pages":0,"total-count":0' "empty match meta"

# Page size above 1000 is a JSON:API 422.
assert_eq 422 "$(get '/contacts?page[size]=1001')" "status of page[size]=1001"
assert_contains "$T/body" '"errors":[{"status":"422"' "422 body"
assert_eq 200 "$(get '/contacts?page[size]=1000')" "status of page[size]=1000"

# Wrong or missing key: 403 with IT Glue's gateway body.
assert_eq 403 "$(KEY=ITG.wrong get /organizations)" "status with a wrong key"
assert_eq '{"message":"Forbidden"}' "$(cat "$T/body")" "403 body"
_code=$(curl -sS -o "$T/body" -w '%{http_code}' "$MOCK_URL/organizations")
assert_eq 403 "$_code" "status without a key"

# Unknown route or method: an HTML page.
assert_eq 404 "$(get /organizations/2/passwords)" "status of an unknown route"
assert_contains "$T/headers" "Content-Type: text/html" "404 content type"
assert_contains "$T/body" "<html>" "404 body"
assert_eq 404 "$(get /organizations -X POST)" "status of POST"

# Sorting: sort=id is id order, the default order is not; domains refuse sort=id.
assert_eq 200 "$(get '/organizations?sort=id')" "status of sort=id"
assert_eq "1 2 3 4 5 6 7 8 9 10 11 12 13 15 16 " "$(ids)" "ids under sort=id"
assert_eq 200 "$(get '/organizations?sort=-id&page[size]=3')" "status of sort=-id"
assert_eq "16 15 13 " "$(ids)" "ids under sort=-id"
get /organizations >/dev/null
[ "$(ids)" != "1 2 3 4 5 6 7 8 9 10 11 12 13 15 16 " ] || fail "default order is id order"
assert_eq 422 "$(get '/domains?sort=id')" "status of sort=id on domains"
assert_contains "$T/body" '"errors"' "domains sort=id body"
assert_eq 200 "$(get '/domains?sort=updated_at')" "status of sort=updated_at on domains"

# Filters: organization_id on contacts, comma = OR, ids as strings, keys as numbers.
assert_eq 200 "$(get '/contacts?filter[organization_id]=8&sort=id')" "status of filter[organization_id]"
assert_eq "801 802 803 804 805 806 " "$(ids)" "contacts of Acme Dental"
assert_contains "$T/body" '"organization-id":8,' "organization-id is a number"
assert_eq 200 "$(get '/contacts?filter[organization_id]=8,12&page[size]=1')" "status of an OR filter"
assert_contains "$T/body" '"total-count":14' "contacts of Acme Dental or Big Phish Co"
assert_eq 200 "$(get '/organizations?filter[organization_status_id]=21')" "status of a status filter"
assert_eq "6 " "$(ids)" "Inactive organizations"
assert_eq 200 "$(get '/organizations?filter[organization_type_id]=11')" "status of a type filter"
assert_eq "11 " "$(ids)" "Prospect organizations"
for r in organization_types organization_statuses contact_types domains; do
	assert_eq 200 "$(get "/$r")" "status of /$r"
done

# The key never appears in the request log.
mock_stop
assert_contains "$T/mock.out" "itg-mock: listening on http://127.0.0.1:" "listening line"
assert_contains "$T/mock.err" "GET /contacts?filter[organization_id]=8&sort=id 200" "request log"
assert_no_canary "$T/mock.out" "$T/mock.err"

# A denied resource: 401 with a JSON:API body whose status is a number.
mock_start --data "$ITG_REPO/fixtures/itglue" --deny-resource contacts
assert_eq 401 "$(get /contacts)" "status of a denied resource"
assert_contains "$T/body" '{"errors":[{"status":401,"title":"Unauthorized","detail":"Unauthorized resource access"}]}' "401 body"
assert_eq 200 "$(get /organizations)" "status of an allowed resource"
mock_stop

# Rate limit with Retry-After: a burst of 2, then 429.
mock_start --data "$ITG_REPO/fixtures/itglue" --rate-limit 2 --retry-after 7
get /organizations >/dev/null
get /organizations >/dev/null
assert_eq 429 "$(get /organizations)" "status over the rate limit"
assert_contains "$T/headers" "Retry-After: 7" "Retry-After header"
sleep 1
assert_eq 200 "$(get /organizations)" "status after the bucket refilled"
mock_stop

# Rate limit without Retry-After.
mock_start --data "$ITG_REPO/fixtures/itglue" --rate-limit 1
get /organizations >/dev/null
assert_eq 429 "$(get /organizations)" "status over the rate limit"
assert_not_contains "$T/headers" "Retry-After" "429 without --retry-after"
mock_stop

# Bad options are usage errors.
_rc=0
"$ITG_BIN/itg-mock" --fail-rate 2 >/dev/null 2>"$T/usage.err" || _rc=$?
assert_eq 2 "$_rc" "exit code of --fail-rate 2"
assert_contains "$T/usage.err" "--fail-rate 2" "usage message"
_rc=0
"$ITG_BIN/itg-mock" --data "$T/missing" >/dev/null 2>"$T/usage.err" || _rc=$?
assert_eq 2 "$_rc" "exit code of a missing --data folder"
exit 0
