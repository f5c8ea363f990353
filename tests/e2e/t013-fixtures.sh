#!/bin/sh
# t013-fixtures: the bundled data set loads, holds the records its README
# describes, and its stores carry exactly the contract's CSV columns.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
F=$ITG_REPO/fixtures

count() {
	_code=$(curl -sS -g -o "$T/body" -w '%{http_code}' -H "x-api-key: $E2E_CANARY" \
		"$MOCK_URL/$1?page[size]=1")
	assert_eq 200 "$_code" "status of /$1"
	sed -n 's/.*"total-count":\([0-9]*\).*/\1/p' "$T/body"
}

mock_start --data "$F/itglue"
assert_eq 15 "$(count organizations)" "organizations"
assert_eq 4 "$(count organization_types)" "organization types"
assert_eq 2 "$(count organization_statuses)" "organization statuses"
assert_eq 37 "$(count contacts)" "contacts"
assert_eq 4 "$(count contact_types)" "contact types"
assert_eq 22 "$(count domains)" "domains"
mock_stop

header() {
	head -n 1 "$F/stores/$1"
}
assert_eq "id,name,employee_count,industry,phishing,training,last_sync" "$(header bullphish/organizations.csv)" "bullphish organizations.csv header"
assert_eq "organization_id,itglue_organization_id,source,linked_at" "$(header bullphish/links.csv)" "bullphish links.csv header"
assert_eq "id,organization_id,first_name,last_name,email,group,itglue_contact_id,last_sync" "$(header bullphish/users.csv)" "bullphish users.csv header"
assert_eq "id,name,employee_count,industry,last_sync" "$(header darkwebid/organizations.csv)" "darkwebid organizations.csv header"
assert_eq "organization_id,itglue_organization_id,source,linked_at" "$(header darkwebid/links.csv)" "darkwebid links.csv header"
assert_eq "id,organization_id,domain,itglue_domain_id,status,reason,last_sync" "$(header darkwebid/domains.csv)" "darkwebid domains.csv header"

# Every row has as many fields as its header (none of these cells is quoted).
for f in "$F"/stores/*/*.csv; do
	awk -F, 'NR == 1 { n = NF } NF != n { print FILENAME ":" NR ": " NF " fields, header has " n; bad = 1 }
		END { exit bad }' "$f" || fail "$f has a ragged row"
done
[ -f "$ITG_REPO/pipelines/protected-domains.txt" ] || fail "pipelines/protected-domains.txt is missing"
exit 0
