#!/bin/sh
# t014-mock-records-and-data-faults: itg-mock answers single records as IT
# Glue does (docs/itglue-api.md 4a: {"data": {...}}, a JSON:API 404 for an
# unknown id, an HTML 404 for /domains/ID, which is no route), and its data
# faults look like a server that loses or shifts records: an empty
# organizations list, a lying total, a change after page 1, a record that
# answers 500.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
DATA=$ITG_REPO/fixtures/itglue

# get PATH: body in $T/body, headers in $T/headers, prints the status.
get() {
	curl -sS -g -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		-H "x-api-key: $E2E_CANARY" "$MOCK_URL$1"
}
ids() {
	tr ',' '\n' <"$T/body" | sed -n 's/^.*"id":"\([0-9]*\)".*$/\1/p' | tr '\n' ' '
}
meta() {
	sed -n 's/.*"meta":{\([^}]*\)}.*/\1/p' "$T/body" | sed 's/,"filters":{$//'
}

mock_start --data "$DATA" --fail-record 5
# A known id: one resource object, shaped as in a list.
assert_eq 200 "$(get /organizations/3)" "status of a known organization"
assert_contains "$T/headers" "Content-Type: application/vnd.api+json" "content type"
assert_contains "$T/body" '{"data":{"id":"3","type":"organizations","attributes":{"name":"testingorg5"' "record body"
assert_eq 200 "$(get /contacts/201)" "status of a known contact"
assert_contains "$T/body" '{"data":{"id":"201","type":"contacts"' "contact body"
for r in organization_types/10 organization_statuses/20 contact_types/30; do
	assert_eq 200 "$(get "/$r")" "status of /$r"
done
# An unknown id: 404 with JSON:API errors.
assert_eq 404 "$(get /organizations/99)" "status of a deleted organization"
assert_contains "$T/headers" "Content-Type: application/vnd.api+json" "404 content type"
assert_eq '{"errors":[{"status":"404","title":"Record not found","detail":"Couldn'"'"'t find Organization with '"'"'id'"'"'=99"}]}' \
	"$(cat "$T/body")" "404 body"
assert_eq 404 "$(get /organizations/abc)" "status of a non-id"
assert_contains "$T/body" '"errors"' "non-id body"
# There is no /domains/ID: an unknown route is an HTML page.
assert_eq 404 "$(get /domains/5001)" "status of /domains/ID"
assert_contains "$T/headers" "Content-Type: text/html" "/domains/ID content type"
assert_contains "$T/body" "<html>" "/domains/ID body"
# --fail-record: that id answers 500, the others do not.
assert_eq 500 "$(get /organizations/5)" "status of a failing record"
assert_contains "$T/body" '{"errors":[{"status":"500"' "500 body"
assert_eq 200 "$(get '/organizations?filter[id]=5')" "the list still serves it"
# The key check covers single records too.
_code=$(curl -sS -o /dev/null -w '%{http_code}' "$MOCK_URL/organizations/3")
assert_eq 403 "$_code" "single record without a key"
mock_stop

# --empty-organizations: data [], total-count 0, total-pages 0; the rest as usual.
mock_start --data "$DATA" --empty-organizations
assert_eq 200 "$(get '/organizations?page[size]=5')" "status of the empty list"
assert_contains "$T/body" '"data":[]' "empty data"
assert_contains "$T/body" '"total-pages":0,"total-count":0' "empty meta"
assert_eq 200 "$(get '/contacts?page[size]=1')" "contacts under --empty-organizations"
assert_contains "$T/body" '"total-count":37' "contacts are still there"
mock_stop

# --lie-total: the stated total is off, total-pages follow the lie, the data do not.
mock_start --data "$DATA" --lie-total organizations:-6 --lie-total contacts:3
assert_eq 200 "$(get '/organizations?page[size]=5&sort=id')" "status under a lower total"
assert_eq '"current-page":1,"next-page":2,"prev-page":null,"total-pages":2,"total-count":9' "$(meta)" "lower total meta"
assert_eq "1 2 3 4 5 " "$(ids)" "page 1 is still whole"
assert_eq 200 "$(get '/organizations?page[size]=5&page[number]=3&sort=id')" "page 3 under a lower total"
assert_eq "11 12 13 15 16 " "$(ids)" "records past the stated total are still served"
assert_eq 200 "$(get '/contacts?page[size]=10')" "status under a higher total"
assert_contains "$T/body" '"total-pages":4,"total-count":40' "higher total meta"
mock_stop

# --midwalk-change: page 1 is the old state, everything after it the new one.
mock_start --data "$DATA" --midwalk-change 3:17
assert_eq 200 "$(get /organizations/3)" "3 before the change"
assert_eq 404 "$(get /organizations/17)" "17 before the change"
assert_eq 200 "$(get '/organizations?page[size]=5&page[number]=2&sort=id')" "page 2 does not trigger it"
assert_eq "6 7 8 9 10 " "$(ids)" "page 2 before the change"
assert_eq 200 "$(get '/organizations?page[size]=5&sort=id')" "page 1"
assert_eq "1 2 3 4 5 " "$(ids)" "page 1 is the old state"
assert_eq 200 "$(get '/organizations?page[size]=5&page[number]=2&sort=id')" "page 2 after the change"
assert_eq "7 8 9 10 11 " "$(ids)" "6 moved to page 1, unseen"
assert_eq 200 "$(get '/organizations?page[size]=5&page[number]=3&sort=id')" "page 3 after the change"
assert_eq "12 13 15 16 17 " "$(ids)" "17 is new"
assert_contains "$T/body" '"total-count":15' "same total"
assert_eq 404 "$(get /organizations/3)" "3 after the change"
assert_eq 200 "$(get /organizations/17)" "17 after the change"
assert_contains "$T/body" '{"data":{"id":"17","type":"organizations","attributes":{"name":"testingorg5"' "17 is 3 under a new id"
# once only: page 1 again is the new state
assert_eq 200 "$(get '/organizations?page[size]=5&sort=id')" "page 1 again"
assert_eq "1 2 4 5 6 " "$(ids)" "page 1 of the new state"
mock_stop

# Bad data-fault options are usage errors.
usage() {
	_rc=0
	"$ITG_BIN/itg-mock" "$@" >/dev/null 2>"$T/usage.err" || _rc=$?
	assert_eq 2 "$_rc" "exit code of: $*"
}
usage --lie-total organizations
usage --lie-total nothing:3
usage --midwalk-change 3:3
usage --midwalk-change 3
usage --fail-record x
usage --data "$DATA" --midwalk-change 14:30
assert_contains "$T/usage.err" "organization 14 is not in the data" "unknown id to delete"
usage --data "$DATA" --midwalk-change 3:4
assert_contains "$T/usage.err" "organization 4 is already in the data" "existing id to add"
usage --generate 10 --midwalk-change 3:4000
assert_contains "$T/usage.err" "--midwalk-change needs --data" "generated data"
exit 0
