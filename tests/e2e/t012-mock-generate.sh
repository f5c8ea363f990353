#!/bin/sh
# t012-mock-generate: --generate makes the same data set for the same seed,
# another for another seed, with the awkward cases a sync must handle
# (18-digit ids, shared and non-ASCII names, null types, odd emails).
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)

# get PATH OUT: saves the body without its links (they name the port).
get() {
	_code=$(curl -sS -g -o "$T/raw" -w '%{http_code}' -H "x-api-key: $E2E_CANARY" "$MOCK_URL$1")
	assert_eq 200 "$_code" "status of $1"
	sed 's/,"links":{.*}}$/}/' "$T/raw" >"$2"
}
# snapshot DIR: every page of every resource of the running mock.
snapshot() {
	mkdir -p "$1"
	for _r in organizations organization_types organization_statuses contact_types; do
		get "/$_r?page[size]=1000" "$1/$_r"
	done
	get '/contacts?page[size]=1000&page[number]=1' "$1/contacts.1"
	get '/contacts?page[size]=1000&page[number]=2' "$1/contacts.2"
	get '/domains?page[size]=1000' "$1/domains"
}

GEN="--generate 120 --contacts-per-org 10 --domains-per-org 3"

mock_start $GEN --seed 7
snapshot "$T/a"
get '/organizations?page[size]=1' "$T/one"
assert_contains "$T/one" '"total-count":120' "organization count"
get '/domains?page[size]=1' "$T/one"
assert_contains "$T/one" '"total-count":360' "domain count"
get '/contact_types' "$T/one"
assert_contains "$T/one" '"name":"Terminated"' "contact types"

# 18-digit ids stay exact, as strings in data[].id and numbers in foreign keys.
get '/organizations?sort=-id&page[size]=1' "$T/one"
assert_contains "$T/one" '"id":"900000000000000119"' "18-digit organization id"
get '/contacts?filter[organization_id]=900000000000000119&page[size]=1000' "$T/one"
assert_contains "$T/one" '"organization-id":900000000000000119,' "18-digit foreign key"
grep -q '"total-count":[1-9]' "$T/one" || fail "no contacts for the 18-digit organization"
get '/domains?filter[organization_id]=5' "$T/one"
assert_contains "$T/one" '"total-count":3' "domains of one organization"

# Awkward cases are there.
assert_contains "$T/a/organizations" '"primary":true' "the MSP's own organization"
assert_contains "$T/a/organizations" '"organization-type-id":null' "an organization without a type"
[ "$(grep -o '"name":"[^"]*"' "$T/a/organizations" | sort | uniq -d | wc -l)" -ge 1 ] ||
	fail "no two organizations share a name"
grep -q '"name":"[^"]*[^ -~"][^"]*"' "$T/a/organizations" || fail "no non-ASCII organization name"
assert_contains "$T/a/contacts.1" '"contact-emails":[]' "a contact without email"
assert_contains "$T/a/contacts.1" '"primary":false,"label-name":"Home"' "a secondary email"
grep -q '"value":"[^"]*(at)[^"]*"\|"value":"[^"@]*@[^".]*"' "$T/a/contacts.1" "$T/a/contacts.2" ||
	fail "no invalid email"
grep -q '"name":"[^"]*\.gov' "$T/a/domains" || fail "no .gov domain"
mock_stop

# Same seed, same data; another seed, other data.
mock_start $GEN --seed 7
snapshot "$T/b"
mock_stop
for f in organizations organization_types organization_statuses contact_types contacts.1 contacts.2 domains; do
	assert_file_eq "$T/a/$f" "$T/b/$f"
done
mock_start $GEN --seed 8
snapshot "$T/c"
mock_stop
! cmp -s "$T/a/contacts.1" "$T/c/contacts.1" || fail "--seed 8 gave the contacts of --seed 7"

# A big data set starts fast and pages quickly (the benchmark size).
_start=$(date +%s)
mock_start --generate 20000 --contacts-per-org 25
get '/contacts?page[size]=1000&page[number]=400&sort=id' "$T/one"
assert_contains "$T/one" '"current-page":400' "page 400 of the big data set"
mock_stop
[ $(($(date +%s) - _start)) -le 20 ] || fail "the 20000-organization data set took over 20 s"
exit 0
