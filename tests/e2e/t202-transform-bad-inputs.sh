#!/bin/sh
# t202-transform-bad-inputs: a malformed CSV row, bad YAML, a truncated
# snapshot file, a manifest CRC mismatch and a select name matching nothing
# each exit 2 with a message naming the file (and line), and leave no plan
# folder (nor a staged one) behind.
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

setup
sed 's/"Northwind Traders"\]/"Northwind Traders", "No Such Org"]/' \
	"$ITG_REPO/pipelines/bullphish.yaml" >"$T/case/p.yaml"
line=$(grep -n 'No Such Org' "$T/case/p.yaml" | cut -d: -f1)
expect_bad "unknown select name" "p.yaml:$line:" "\"No Such Org\""
