#!/bin/sh
# t512-bad-inputs: every malformed input is refused with a clear error that
# names the file (and the line where there is one), and nothing is lost:
#   itg-transform  malformed store CSV, malformed pipeline YAML, a damaged
#                  snapshot (corrupt or truncated .gz, manifest.json not JSON,
#                  a record line not JSON behind a consistent manifest): exit 2,
#                  no plan folder, no staging left; a BOM + CRLF store is
#                  accepted and gives the same plan
#   itg-extract    every answer malformed or truncated, --retries 1: exit 1,
#                  a message naming the resource, no snapshot left
#   itg-load       a plan edited after its manifest, a plan of the other
#                  product: exit 2, store untouched, no report
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
T=$(e2e_tmp)

mock_start --data "$ITG_REPO/fixtures/itglue"
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/snap" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "clean extract failed"; }
mock_stop

mkdir "$T/p" "$T/plans"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cp -R "$ITG_REPO/fixtures/stores/darkwebid" "$T/dstore"
# pipeline NAME STORE [PRODUCT]: a pipeline file $T/p/NAME.yaml on STORE.
pipeline() {
	if [ "${3:-bullphish}" = bullphish ]; then
		_sync='sync:
  contacts:
    enabled: true'
	else
		_sync='sync:
  auto_link: normalized'
	fi
	cat >"$T/p/$1.yaml" <<YAML
name: e2e-bad-inputs
product: ${3:-bullphish}
store: ../$2
$_sync
import:
  select: all
YAML
}
pipeline good store
"$ITG_BIN/itg-transform" -p "$T/p/good.yaml" --snapshot "$T/snap" --out "$T/plans/good" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "transform of good inputs failed"; }

# refused WHAT PATTERN PIPELINE SNAPSHOT: itg-transform exits 2, its message
# matches PATTERN (a grep regex naming the file and line), and no plan
# folder or staging folder is left.
refused() {
	_rc=0
	"$ITG_BIN/itg-transform" -p "$3" --snapshot "$4" --out "$T/plans/bad" >"$T/out" 2>"$T/err" || _rc=$?
	[ "$_rc" -eq 2 ] || { cat "$T/err" >&2; fail "$1: exit $_rc, want 2"; }
	grep -q "ERROR itg-transform: .*$2" "$T/err" || { cat "$T/err" >&2; fail "$1: message does not match '$2'"; }
	[ ! -e "$T/plans/bad" ] || fail "$1: a plan folder was left"
	_left=$(find "$T/plans" -maxdepth 1 -name '.*tmp*' | head -3)
	[ -z "$_left" ] || fail "$1: staging left: $_left"
	echo "ok: $1: $(grep ERROR "$T/err" | head -1 | cut -c1-160)"
}

# ---- store CSV ----------------------------------------------------------------
cp -R "$T/store" "$T/s-quote"
printf '104,"7,manual,2025-01-01T00:00:00.000Z\n' >>"$T/s-quote/links.csv"
n=$(wc -l <"$T/s-quote/links.csv" | tr -d ' ')
pipeline s-quote s-quote
refused "unterminated quote" "s-quote/links.csv:$n:" "$T/p/s-quote.yaml" "$T/snap"

cp -R "$T/store" "$T/s-count"
printf '999,Foo Ltd\n' >>"$T/s-count/organizations.csv"
printf '1000,Bar Ltd,11-50,Other,false,false,\n' >>"$T/s-count/organizations.csv"
n=$(( $(wc -l <"$T/s-count/organizations.csv") - 1 ))
pipeline s-count s-count
refused "wrong field count" "s-count/organizations.csv:$n:.*2 fields" "$T/p/s-count.yaml" "$T/snap"
diff -r "$ITG_REPO/fixtures/stores/bullphish" "$T/store" >&2 || fail "a refused transform changed the store"

# BOM + CRLF: the same tables, so the same plan.
cp -R "$T/store" "$T/s-crlf"
for f in "$T"/s-crlf/*.csv; do
	{ printf '\357\273\277'; sed 's/$/\r/' "$f"; } >"$f.x" && mv "$f.x" "$f"
done
head -c 3 "$T/s-crlf/links.csv" | od -An -tx1 | grep -q 'ef bb bf' || fail "the BOM test file has no BOM"
pipeline s-crlf s-crlf
"$ITG_BIN/itg-transform" -p "$T/p/s-crlf.yaml" --snapshot "$T/snap" --out "$T/plans/crlf" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "a store with BOM and CRLF was refused"; }
cmp "$T/plans/good/plan.ndjson" "$T/plans/crlf/plan.ndjson" || fail "BOM + CRLF store gives another plan"

# ---- pipeline YAML ------------------------------------------------------------
base='name: e2e-bad-inputs
product: bullphish
store: ../store
sync:'
printf '%s\n\tauto_link: exact\n' "$base" >"$T/p/tab.yaml"
refused "tab indentation" "p/tab.yaml:5:" "$T/p/tab.yaml" "$T/snap"
printf '%s\n  auto_lnk: exact\n' "$base" >"$T/p/unknown.yaml"
refused "unknown key" "p/unknown.yaml:5:3:.*auto_lnk" "$T/p/unknown.yaml" "$T/snap"
printf '%s\n  auto_link: sometimes\n' "$base" >"$T/p/enum.yaml"
refused "bad enum value" "p/enum.yaml:5:[0-9]*:.*sometimes" "$T/p/enum.yaml" "$T/snap"
printf '%s\n  auto_link: exact\nimport:\n  defaults:\n    industry: Fishing\n' "$base" >"$T/p/industry.yaml"
refused "industry outside the list" "p/industry.yaml:8:[0-9]*:.*Fishing" "$T/p/industry.yaml" "$T/snap"

# ---- snapshot -----------------------------------------------------------------
cp -R "$T/snap" "$T/snap-corrupt"
size=$(wc -c <"$T/snap-corrupt/organizations.ndjson.gz")
off=$((size / 2))
byte=$(od -An -tu1 -j "$off" -N1 "$T/snap-corrupt/organizations.ndjson.gz" | tr -d ' ')
printf "\\$(printf '%03o' $(( (byte + 85) % 256 )))" |
	dd of="$T/snap-corrupt/organizations.ndjson.gz" bs=1 seek="$off" conv=notrunc 2>/dev/null
cmp -s "$T/snap/organizations.ndjson.gz" "$T/snap-corrupt/organizations.ndjson.gz" && fail "byte not changed"
refused "corrupted .gz byte" "organizations.ndjson.gz" "$T/p/good.yaml" "$T/snap-corrupt"

cp -R "$T/snap" "$T/snap-trunc"
size=$(wc -c <"$T/snap-trunc/contacts.ndjson.gz")
head -c $((size - 12)) "$T/snap/contacts.ndjson.gz" >"$T/snap-trunc/contacts.ndjson.gz"
refused "truncated .gz" "contacts.ndjson.gz" "$T/p/good.yaml" "$T/snap-trunc"

cp -R "$T/snap" "$T/snap-manifest"
printf '{"format": 1, "resources": {\n' >"$T/snap-manifest/manifest.json"
refused "manifest.json not JSON" "snap-manifest/manifest.json" "$T/p/good.yaml" "$T/snap-manifest"

# A record line that is not JSON, in a .gz that is sound and a manifest whose
# CRC-32 and length match it, so the line reader is what must catch it.
# regz SRC.ndjson DIR RESOURCE: writes DIR/RESOURCE.ndjson.gz from SRC and
# sets the manifest's crc32 (from the gzip trailer) and bytes for it.
regz() {
	gzip -nc "$1" >"$2/$3.ndjson.gz"
	_crc=$(tail -c 8 "$2/$3.ndjson.gz" | od -An -tx1 -N4 | awk '{ print $4 $3 $2 $1 }')
	_bytes=$(wc -c <"$1" | tr -d ' ')
	awk -v r="\"$3\":" -v crc="$_crc" -v bytes="$_bytes" '
		index($0, r) { o = 1 }
		o && /"crc32"/ { sub(/"crc32": *"[0-9a-f]*"/, "\"crc32\": \"" crc "\"") }
		o && /"bytes"/ { sub(/"bytes": *[0-9]+/, "\"bytes\": " bytes) }
		o && /}/ { o = 0 }
		{ print }' "$2/manifest.json" >"$2/manifest.x" && mv "$2/manifest.x" "$2/manifest.json"
}
cp -R "$T/snap" "$T/snap-regz"
gzip -dc "$T/snap/organizations.ndjson.gz" | sed '1s/"name":"/"name": "/' >"$T/orgs.ndjson"
regz "$T/orgs.ndjson" "$T/snap-regz" organizations
cmp -s "$T/snap/manifest.json" "$T/snap-regz/manifest.json" && fail "control: the manifest was not rewritten"
# Control: the rewritten snapshot is sound, so the method of fixing the manifest works.
"$ITG_BIN/itg-transform" -p "$T/p/good.yaml" --snapshot "$T/snap-regz" --out "$T/plans/regz" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "control: a re-compressed snapshot with a fixed manifest was refused"; }
cp -R "$T/snap" "$T/snap-line"
gzip -dc "$T/snap/organizations.ndjson.gz" | sed '3s/.*/{"id":"3","type":"organizations","attributes":{"name":/' >"$T/orgs.ndjson"
regz "$T/orgs.ndjson" "$T/snap-line" organizations
refused "record line not JSON" "organizations.ndjson.gz:3:" "$T/p/good.yaml" "$T/snap-line"
grep -q 'does not match' "$T/err" && fail "the manifest check, not the line reader, caught the bad line"

# ---- itg-extract against broken answers --------------------------------------
for fault in --malformed-rate --truncate-rate; do
	mock_start --data "$ITG_REPO/fixtures/itglue" "$fault" 1.0
	mkdir -p "$T/x"
	rc=0
	"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/x/snap" --retries 1 --rate 50 \
		>"$T/out" 2>"$T/err" || rc=$?
	mock_stop
	[ "$rc" -eq 1 ] || { cat "$T/err" >&2; fail "itg-extract with $fault 1.0: exit $rc, want 1"; }
	grep -q 'ERROR itg-extract: .*\(organizations\|organization_types\|organization_statuses\|contacts\|contact_types\|domains\)' "$T/err" ||
		{ cat "$T/err" >&2; fail "itg-extract with $fault 1.0: the message names no resource"; }
	[ -z "$(ls -A "$T/x")" ] || fail "itg-extract with $fault 1.0 left $(ls -A "$T/x")"
	assert_no_canary "$T/err"
	echo "ok: extract $fault 1.0: $(grep ERROR "$T/err" | head -1 | cut -c1-160)"
done

# ---- itg-load -----------------------------------------------------------------
cp -R "$T/store" "$T/store.before"
# load_refused WHAT PLAN PATTERN: itg-load exits 2 naming the file, the store
# is untouched and no report is written.
load_refused() {
	_rc=0
	"$ITG_BIN/itg-load" -p "$T/p/good.yaml" --plan "$2" --report "$T/report" >"$T/out" 2>"$T/err" || _rc=$?
	[ "$_rc" -eq 2 ] || { cat "$T/err" >&2; fail "$1: exit $_rc, want 2"; }
	grep -q "ERROR itg-load: .*$3" "$T/err" || { cat "$T/err" >&2; fail "$1: message does not match '$3'"; }
	diff -r "$T/store.before" "$T/store" >&2 || fail "$1: the store changed"
	[ ! -e "$T/report" ] || fail "$1: a report was written for a refused plan"
	echo "ok: $1: $(grep ERROR "$T/err" | head -1 | cut -c1-160)"
}
cp -R "$T/plans/good" "$T/plans/edited"
sed '1s/"reason":"[a-z_]*"/"reason":"disconnect"/' "$T/plans/good/plan.ndjson" >"$T/plans/edited/plan.ndjson"
cmp -s "$T/plans/good/plan.ndjson" "$T/plans/edited/plan.ndjson" && fail "plan line 1 has no reason to edit"
load_refused "plan edited after its manifest" "$T/plans/edited" "plan.ndjson"
# The same length, one digit changed: only the CRC-32 can tell.
cp -R "$T/plans/good" "$T/plans/digit"
sed '1s/"organization_id":"\([0-9]*\)[0-9]"/"organization_id":"\19"/' "$T/plans/good/plan.ndjson" >"$T/plans/digit/plan.ndjson"
if cmp -s "$T/plans/good/plan.ndjson" "$T/plans/digit/plan.ndjson"; then
	sed '1s/"organization_id":"\([0-9]*\)[0-9]"/"organization_id":"\18"/' "$T/plans/good/plan.ndjson" >"$T/plans/digit/plan.ndjson"
fi
assert_eq "$(wc -c <"$T/plans/good/plan.ndjson")" "$(wc -c <"$T/plans/digit/plan.ndjson")" "edited plan length"
load_refused "plan with one digit changed" "$T/plans/digit" "plan.ndjson"

pipeline dw dstore darkwebid
"$ITG_BIN/itg-transform" -p "$T/p/dw.yaml" --snapshot "$T/snap" --out "$T/plans/dw" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "Dark Web ID transform failed"; }
load_refused "plan of the other product" "$T/plans/dw" "darkwebid"
exit 0
