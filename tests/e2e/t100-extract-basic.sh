#!/bin/sh
# t100-extract-basic: a multi-page data set arrives whole: every record once,
# in numeric id order (an 18-digit id last), the manifest counts match the
# files, domains are asked for without sort=id, files are 0600 and the
# folder 0700.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)

# gen_data DIR N: N organizations (ids 1..N-1 and one beyond 2^53), two
# contacts and one domain each, two organization types.
gen_data() {
	mkdir -p "$1"
	awk -v n="$2" -v dir="$1" 'BEGIN {
		big = "123456789012345678"
		o = dir "/organizations.json"; c = dir "/contacts.json"; d = dir "/domains.json"
		printf "[" >o; printf "[" >c; printf "[" >d
		for (i = 1; i <= n; i++) {
			id = i < n ? i : big
			printf "%s{\"id\":\"%s\",\"type\":\"organizations\",\"attributes\":{\"name\":\"Org %d\",\"organization-type-id\":1,\"quick-notes\":null,\"primary\":false}}", (i > 1 ? "," : ""), id, i >o
			for (k = 0; k < 2; k++)
				printf "%s{\"id\":\"%d\",\"type\":\"contacts\",\"attributes\":{\"organization-id\":%s,\"name\":\"Person %d\",\"contact-emails\":[{\"value\":\"p%d@org%d.example\",\"primary\":true}]}}", (i + k > 1 ? "," : ""), 100000 + 2 * i + k, id, 2 * i + k, 2 * i + k, i >c
			printf "%s{\"id\":\"%d\",\"type\":\"domains\",\"attributes\":{\"organization-id\":%s,\"name\":\"org%d.example\"}}", (i > 1 ? "," : ""), 500000 + i, id, i >d
		}
		print "]" >o; print "]" >c; print "]" >d
		print "[{\"id\":\"2\",\"type\":\"organization-types\",\"attributes\":{\"name\":\"Vendor\"}},{\"id\":\"1\",\"type\":\"organization-types\",\"attributes\":{\"name\":\"Customer\"}}]" >(dir "/organization_types.json")
	}'
}
# ids FILE.ndjson.gz: the record ids, one per line, in file order.
ids() {
	gzip -dc "$1" | sed 's/^{"id":"\([0-9]*\)".*$/\1/'
}

gen_data "$T/data" 300
mock_start --data "$T/data" --log-requests

"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/snap" --page-size 50 \
	--rate 50 2>"$T/log" || { cat "$T/log" >&2; fail "itg-extract failed"; }

S=$T/out/snap
{ seq 1 299; echo 123456789012345678; } >"$T/want.orgs"
ids "$S/organizations.ndjson.gz" >"$T/got.orgs"
assert_file_eq "$T/want.orgs" "$T/got.orgs"
ids "$S/contacts.ndjson.gz" >"$T/got.contacts"
assert_eq 600 "$(wc -l <"$T/got.contacts" | tr -d ' ')" "contacts"
assert_eq 600 "$(sort -u "$T/got.contacts" | wc -l | tr -d ' ')" "distinct contacts"
sort -n "$T/got.contacts" | cmp -s - "$T/got.contacts" || fail "contacts are not in id order"
assert_eq "300" "$(ids "$S/domains.ndjson.gz" | wc -l | tr -d ' ')" "domains"
printf '1\n2\n' >"$T/want.types"
ids "$S/organization_types.ndjson.gz" >"$T/got.types"
assert_file_eq "$T/want.types" "$T/got.types"
assert_eq 0 "$(gzip -dc "$S/organization_statuses.ndjson.gz" | wc -c | tr -d ' ')" "empty resource"

# Records are written exactly as served: key order and values kept.
gzip -dc "$S/organizations.ndjson.gz" | head -1 >"$T/first"
assert_contains "$T/first" '{"id":"1","type":"organizations","attributes":{"name":"Org 1","organization-type-id":1,"quick-notes":null,"primary":false}' "first record"

# The manifest: counts and sizes match the files; the region (the default
# here) is recorded beside the base URL that was used.
M=$S/manifest.json
for r in organizations:300 contacts:600 domains:300 organization_types:2 organization_statuses:0 contact_types:0; do
	name=${r%%:*}
	n=${r#*:}
	bytes=$(gzip -dc "$S/$name.ndjson.gz" | wc -c | tr -d ' ')
	tr -d ' \n' <"$M" | grep -qF "\"$name\":{\"file\":\"$name.ndjson.gz\",\"records\":$n," ||
		fail "manifest: $name should have $n records"
	tr -d ' \n' <"$M" | grep -qF "\"$name\":{\"file\":\"$name.ndjson.gz\",\"records\":$n,\"crc32\":\"" ||
		fail "manifest: $name has no crc32"
	tr -d ' \n' <"$M" | grep -q "\"$name\":{[^}]*\"bytes\":$bytes[,}]" ||
		fail "manifest: $name should have $bytes bytes"
done
assert_contains "$M" '"region": "us"' "manifest region"
assert_contains "$M" "\"base_url\": \"$MOCK_URL\"" "manifest base_url"
grep -q '"finished_at": "[0-9-]*T[0-9:.]*Z"' "$M" || fail "manifest: no finished_at"

# Paging and sorting as IT Glue wants them.
grep -q 'GET /organizations?.*page%5Bsize%5D=50.*page%5Bnumber%5D=6' "$E2E_TMP/mock.err" ||
	fail "page 6 of organizations was not asked for"
grep 'GET /domains' "$E2E_TMP/mock.err" | grep -q 'sort=' && fail "domains were asked for with sort"
grep 'GET /organizations' "$E2E_TMP/mock.err" | grep -qv 'sort=id' && fail "organizations without sort=id"
grep -q ' 422 ' "$E2E_TMP/mock.err" && fail "the mock refused a request"

# Modes: personal data is private.
case $(ls -ld "$S") in drwx------*) ;; *) fail "snapshot folder is not 0700: $(ls -ld "$S")" ;; esac
for f in "$S"/*; do
	case $(ls -l "$f") in -rw-------*) ;; *) fail "$f is not 0600" ;; esac
done
# Nothing else beside it: the staging folder was renamed into place.
assert_eq snap "$(ls -A "$T/out")" "output parent"

# Logs: one line per resource and a summary.
assert_contains "$T/log" "INFO itg-extract: organizations: 300 records in 6 pages" "log"
assert_contains "$T/log" "extracted 6 resources: 1202 records" "summary"

# A resource list picks what is fetched.
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/two" \
	--resources organizations,domains 2>"$T/log2" || { cat "$T/log2" >&2; fail "--resources run failed"; }
assert_eq "domains.ndjson.gz manifest.json organizations.ndjson.gz" \
	"$(ls "$T/out/two" | tr '\n' ' ' | sed 's/ $//')" "files of --resources run"

# A pipeline gives the settings and the product's resources; flags override it.
mkdir "$T/p"
cat >"$T/p/dwid.yaml" <<YAML
name: e2e-extract
product: darkwebid
itglue:
  region: eu
  base_url: $MOCK_URL
  page_size: 100
  rate: 50
store: ../store
YAML
"$ITG_BIN/itg-extract" -p "$T/p/dwid.yaml" --out "$T/out/dwid" 2>"$T/log3" ||
	{ cat "$T/log3" >&2; fail "pipeline run failed"; }
assert_eq "domains.ndjson.gz manifest.json organization_statuses.ndjson.gz organization_types.ndjson.gz organizations.ndjson.gz" \
	"$(ls "$T/out/dwid" | tr '\n' ' ' | sed 's/ $//')" "files of a Dark Web ID pipeline"
grep -q 'GET /organizations?page%5Bsize%5D=100&' "$E2E_TMP/mock.err" || fail "page_size of the pipeline not used"
"$ITG_BIN/itg-extract" -p "$T/p/dwid.yaml" --out "$T/out/dwid2" --page-size 77 \
	--resources organizations 2>"$T/log4" || { cat "$T/log4" >&2; fail "pipeline run with flags failed"; }
grep -q 'GET /organizations?page%5Bsize%5D=77&' "$E2E_TMP/mock.err" || fail "--page-size did not override"
assert_eq "manifest.json organizations.ndjson.gz" "$(ls "$T/out/dwid2" | tr '\n' ' ' | sed 's/ $//')" \
	"--resources did not override the product's"
exit 0
