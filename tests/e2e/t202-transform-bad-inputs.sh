#!/bin/sh
# t202-transform-bad-inputs: a malformed CSV row, bad YAML, a truncated
# snapshot file, a manifest CRC mismatch, a store id that is not a decimal
# number, bytes that are not UTF-8 (in a cell, in a header), a store folder
# that does not exist and a store holding the other product's table each
# exit 2 with a message naming the file (and line), and leave no plan folder
# (nor a staged one) behind.  A select name matching nothing is no error: a
# review line select_not_found, and the run goes on.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mock_start --data "$ITG_REPO/fixtures/itglue"
"$ITG_BIN/itg-extract" -p "$ITG_REPO/pipelines/bullphish.yaml" --base-url "$MOCK_URL" \
	--out "$T/snap" 2>"$T/extract.log" || { cat "$T/extract.log" >&2; fail "itg-extract failed"; }
mock_stop

# fresh copies of every input for each case
setup() {
	rm -rf "$T/case" && mkdir -p "$T/case/out"
	cp "$ITG_REPO/pipelines/bullphish.yaml" "$T/case/p.yaml"
	cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/case/store"
	cp -R "$T/snap" "$T/case/snap"
}

# expect_bad WHAT TEXT...: itg-transform exits 2, stderr has every TEXT
expect_bad() {
	_what=$1
	shift
	_rc=0
	"$ITG_BIN/itg-transform" -p "$T/case/p.yaml" --snapshot "$T/case/snap" \
		--store "$T/case/store" --out "$T/case/out/plan" 2>"$T/case/err" || _rc=$?
	assert_eq 2 "$_rc" "$_what: exit code"
	[ -z "${T202_SHOW:-}" ] || cat "$T/case/err" >&2
	for _t in "$@"; do
		assert_contains "$T/case/err" "$_t" "$_what: message"
	done
	[ -z "$(ls -A "$T/case/out")" ] || fail "$_what: left $(ls -A "$T/case/out")"
}

setup
printf '110,Broken,11-50\n' >>"$T/case/store/organizations.csv"
expect_bad "malformed CSV row" "organizations.csv:11"

setup
printf 'sync:\n\tauto_link: exact\n' >>"$T/case/p.yaml"
expect_bad "bad YAML" "p.yaml:"

setup
f=$T/case/snap/contacts.ndjson.gz
head -c $(($(wc -c <"$f") / 2)) "$f" >"$f.cut" && mv "$f.cut" "$f"
expect_bad "truncated snapshot" "contacts.ndjson.gz"

setup
sed 's/"crc32": "[0-9a-f]*"/"crc32": "00000000"/' "$T/snap/manifest.json" >"$T/case/snap/manifest.json"
expect_bad "manifest CRC mismatch" "organizations" "crc"

# a hand-made manual link to IT Glue "abc": refused, never unlinked
setup
printf '105,abc,manual,\n' >>"$T/case/store/links.csv"
line=$(wc -l <"$T/case/store/links.csv" | tr -d ' ')
expect_bad "non-decimal IT Glue id" \
	"links.csv:$line: itglue_organization_id \"abc\" is not a decimal number: ids are digits only; fix the id or remove the row"

setup
printf '1009,109,Ann,Lee,ann@initech.example,Employee,13O1,\n' >>"$T/case/store/users.csv"
line=$(wc -l <"$T/case/store/users.csv" | tr -d ' ')
expect_bad "non-decimal contact id" "users.csv:$line: itglue_contact_id \"13O1\" is not a decimal number"

# Latin-1 bytes: a file saved in the wrong encoding
setup
printf '110,Caf\351 Latin,11-50,Other,false,false,\n' >>"$T/case/store/organizations.csv"
line=$(wc -l <"$T/case/store/organizations.csv" | tr -d ' ')
expect_bad "invalid UTF-8 in a cell" \
	"organizations.csv:$line: column \"name\" holds bytes that are not UTF-8 (byte 0xe9): save the file as UTF-8"

setup
{ printf 'organization_id,itglue_organization_id,source,linked_at,not\351\n'
  tail -n +2 "$ITG_REPO/fixtures/stores/bullphish/links.csv" | sed 's/$/,/'; } >"$T/case/store/links.csv"
expect_bad "invalid UTF-8 in a header" \
	"links.csv:1: the header holds bytes that are not UTF-8: save the file as UTF-8"

# a mistyped store: refused, and never created
setup
rc=0
"$ITG_BIN/itg-transform" -p "$T/case/p.yaml" --snapshot "$T/case/snap" \
	--store "$T/case/stroe" --out "$T/case/out/plan" 2>"$T/case/err" || rc=$?
assert_eq 2 "$rc" "missing store folder: exit code"
assert_contains "$T/case/err" "store folder $T/case/stroe does not exist: check \`store:\` in the pipeline; a new store is an empty folder: mkdir -m 700 $T/case/stroe" "missing store folder"
[ ! -e "$T/case/stroe" ] || fail "the missing store folder was created"
[ -z "$(ls -A "$T/case/out")" ] || fail "missing store folder: left a plan"

# a Dark Web ID store handed to a BullPhish ID pipeline
setup
cp "$ITG_REPO/fixtures/stores/darkwebid/domains.csv" "$T/case/store/domains.csv"
expect_bad "the other product's table" \
	"$T/case/store/domains.csv: domains.csv is a Dark Web ID table, and this is a BullPhish ID pipeline (product: bullphish)"

# a select entry that matches nothing: a review at the end of the reviews, the run goes on
setup
sed 's/"Northwind Traders"\]/"Northwind Traders", "No Such Org"]/' \
	"$ITG_REPO/pipelines/bullphish.yaml" >"$T/case/p.yaml"
line=$(grep -n 'No Such Org' "$T/case/p.yaml" | cut -d: -f1)
"$ITG_BIN/itg-transform" -p "$T/case/p.yaml" --snapshot "$T/case/snap" \
	--store "$T/case/store" --out "$T/case/out/plan" 2>"$T/case/err" ||
	{ cat "$T/case/err" >&2; fail "unknown select name: the run stopped"; }
assert_contains "$T/case/out/plan/plan.ndjson" \
	'{"action":"review","itglue_organization_id":null,"organization_id":null,"reason":"select_not_found","name":"No Such Org","candidates":[],"candidate_names":[]}' \
	"unknown select name: review line"
assert_contains "$T/case/err" "p.yaml:$line:" "unknown select name: warning names the line"
assert_contains "$T/case/out/plan/plan.ndjson" '"action":"import_organization","ref":"new:8"' \
	"unknown select name: the other entries still import"
