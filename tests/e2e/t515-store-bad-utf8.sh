#!/bin/sh
# t515-store-bad-utf8: a store file holding bytes that are not UTF-8 is
# refused end to end (docs/rules.md 36, docs/contract.md section 10):
# itg-transform, itg-load, pipelines/run and pipelines/run --dry-run exit 2
# naming the file and the line, the store's tables and audit.ndjson stay
# byte-identical (no audit line is written), and no plan or report appears.
# itg-load is given a plan whose manifest carries the bad file's own
# fingerprint, so that it is the load's own check that refuses the byte and
# not the stale-plan check.
. "${ITG_REPO:-.}/tests/e2e/lib.sh"
T=$(e2e_tmp)
command -v python3 >/dev/null 2>&1 || fail "python3 is needed to re-fingerprint the plan"

mock_start --data "$ITG_REPO/fixtures/itglue"
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/snap" --quiet 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "clean extract failed"; }

cat >"$T/bp.yaml" <<YAML
name: e2e-bad-utf8
product: bullphish
store: store
out: runs
sync:
  contacts:
    enabled: true
import:
  select: all
YAML
# a store that has seen one load, so that it has an audit.ndjson to keep
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
"$ITG_BIN/itg-transform" -p "$T/bp.yaml" --snapshot "$T/snap" --out "$T/plan0" --quiet &&
	"$ITG_BIN/itg-load" -p "$T/bp.yaml" --plan "$T/plan0" --report "$T/report0" --quiet ||
	fail "the first load failed"
[ -s "$T/store/audit.ndjson" ] || fail "the first load wrote no audit line"
"$ITG_BIN/itg-transform" -p "$T/bp.yaml" --snapshot "$T/snap" --out "$T/plan" --quiet ||
	fail "the plan from the valid store failed"

# 0xff inside the first_name of the user on line 3 of users.csv
sed -n 1p "$T/store/users.csv" | grep -q '^id,organization_id,first_name,' ||
	fail "users.csv does not begin with id,organization_id,first_name"
bad=$(printf '\377')
LC_ALL=C sed "3s/^\([^,]*,[^,]*,\)/\1$bad/" "$T/store/users.csv" >"$T/users.x"
cmp -s "$T/store/users.csv" "$T/users.x" && fail "line 3 of users.csv was not changed"
mv "$T/users.x" "$T/store/users.csv"
chmod 600 "$T/store/users.csv"

# The plan again, with users.csv's fingerprint now that of the bad file.
python3 - "$T/plan/manifest.json" "$T/store/users.csv" <<'EOF' || fail "cannot re-fingerprint"
import json, sys
man_path, users = sys.argv[1], sys.argv[2]
data = open(users, "rb").read()
h = 1469598103934665603  # HASH_FNV1A64_BASIS (lib/hash.h)
for b in data:
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
man = json.load(open(man_path))
f = man["store"]["files"]["users.csv"]
f["present"], f["bytes"], f["fnv1a64"] = True, len(data), "%016x" % h
json.dump(man, open(man_path, "w"), indent=2)
EOF

sums() {
	for f in organizations.csv links.csv users.csv audit.ndjson; do
		printf '%s %s\n' "$f" "$(cksum <"$T/store/$f")"
	done
}
before=$(sums)
before_all=$(cd "$T/store" && ls -A | while read -r f; do echo "$f $(cksum <"$f")"; done)
want="store/users.csv:3: column \"first_name\" holds bytes that are not UTF-8 (byte 0xff): save the file as UTF-8"

# refused WHAT RC: exit 2, the message names the file and line, nothing changed.
refused() {
	[ "$2" -eq 2 ] || { cat "$T/err" >&2; fail "$1: exit $2, want 2"; }
	grep -qF "$want" "$T/err" || { cat "$T/err" >&2; fail "$1: the message does not name users.csv:3"; }
	assert_eq "$before" "$(sums)" "the tables and audit.ndjson after $1"
	echo "ok: $1: $(grep -F "$want" "$T/err" | head -1 | cut -c1-160)"
}

rc=0
"$ITG_BIN/itg-transform" -p "$T/bp.yaml" --snapshot "$T/snap" --out "$T/plan-bad" \
	>"$T/out" 2>"$T/err" || rc=$?
refused itg-transform "$rc"
[ ! -e "$T/plan-bad" ] || fail "itg-transform wrote a plan"

for mode in --dry-run ""; do
	rc=0
	"$ITG_BIN/itg-load" -p "$T/bp.yaml" --plan "$T/plan" --report "$T/report" $mode \
		>"$T/out" 2>"$T/err" || rc=$?
	refused "itg-load${mode:+ $mode}" "$rc"
	grep -q 'changed since the plan' "$T/err" && fail "itg-load $mode: refused as stale, not for the byte"
	[ ! -e "$T/report" ] || fail "itg-load $mode wrote a report"
	[ ! -e "$T/store/.journal" ] || fail "itg-load $mode left a journal"
done

rc=0
"$ITG_REPO/pipelines/run" "$T/bp.yaml" --base-url "$MOCK_URL" --dry-run >"$T/out" 2>"$T/err" || rc=$?
refused "pipelines/run --dry-run" "$rc"
assert_eq "$before_all" "$(cd "$T/store" && ls -A | while read -r f; do echo "$f $(cksum <"$f")"; done)" \
	"every store file after pipelines/run --dry-run"
rc=0
"$ITG_REPO/pipelines/run" "$T/bp.yaml" --base-url "$MOCK_URL" >"$T/out" 2>"$T/err" || rc=$?
refused "pipelines/run" "$rc"
assert_no_canary "$T/out" "$T/err"
mock_stop
exit 0
