#!/bin/sh
# The mass-change breaker (docs/contract.md section 10) on hand-written plans
# sealed like itg-transform's: a plan removing 37 of a store's 40 links is
# refused (exit 4, the message names both figures and the way out, the store
# byte-identical: every file, audit.ndjson and integration.json included, no
# report); a dry run of it exits 0 and says so in summary.json and report.md;
# --allow-mass-unlink applies it once.  The same for safety.max_user_unlinks,
# and a count limit (max_unlinks: 0) refuses a single unlink.  Unlinks of a
# --disconnect plan are not counted.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
SEAL=$ITG_REPO/tests/golden/load/seal
NOW=2026-03-01T05:00:00.000Z

# same_store BEFORE NOW WHAT: the same file names, every file byte for byte
same_store() {
	[ "$(cd "$1" && ls -A | sort)" = "$(cd "$2" && ls -A | sort)" ] ||
		fail "$3: the store's files changed: $(cd "$1" && ls -A | tr '\n' ' ') -> $(cd "$2" && ls -A | tr '\n' ' ')"
	for _f in "$1"/* "$1"/.[!.]*; do
		[ -e "$_f" ] || continue
		cmp -s "$_f" "$2/${_f##*/}" || fail "$3: ${_f##*/} changed"
	done
}

# A BullPhish ID store of 40 organizations, all linked, and 15 users with an
# IT Glue contact (5 more without), loaded before: integration.json,
# audit.ndjson and the lock file are there.
make_store() {
	mkdir -p "$1"
	{
		echo "id,name,employee_count,industry,phishing,training,last_sync"
		i=1
		while [ $i -le 40 ]; do echo "$i,Org $i,1-10,Other,false,false,$NOW"; i=$((i + 1)); done
	} >"$1/organizations.csv"
	{
		echo "organization_id,itglue_organization_id,source,linked_at"
		i=1
		while [ $i -le 40 ]; do echo "$i,$((1000 + i)),auto,$NOW"; i=$((i + 1)); done
	} >"$1/links.csv"
	{
		echo "id,organization_id,first_name,last_name,email,group,itglue_contact_id,last_sync"
		i=1
		while [ $i -le 20 ]; do
			c=$((5000 + i))
			[ $i -le 15 ] || c=
			echo "$i,1,First$i,Last$i,u$i@org1.example,Employee,$c,$NOW"
			i=$((i + 1))
		done
	} >"$1/users.csv"
	printf '{"status":"connected","region":"us","last_sync":"%s","last_error":null,"product":"bullphish","pipeline":"e2e-mass"}\n' \
		"$NOW" >"$1/integration.json"
	printf '{"run_id":"20260201T050000Z","time":"%s","action":"integration","table":"integration","key":"status","before":{"status":""},"after":{"status":"connected"},"reason":null}\n' \
		"$NOW" >"$1/audit.ndjson"
	: >"$1/.lock"
	chmod 600 "$1"/* "$1/.lock"
}

# case_dir NAME SAFETY_YAML: a case folder with its pipeline and a fresh store
case_dir() {
	W=$T/$1
	make_store "$W/store"
	mkdir -p "$W/plan"
	{
		echo "name: e2e-mass"
		echo "product: bullphish"
		echo "store: store"
		[ -z "$2" ] || printf '%s\n' "$2"
	} >"$W/pipeline.yaml"
}

unlinks() { # FROM TO REASON
	i=$1
	while [ "$i" -le "$2" ]; do
		echo "{\"action\":\"unlink\",\"organization_id\":\"$i\",\"itglue_organization_id\":\"$((1000 + i))\",\"reason\":\"$3\",\"source\":\"auto\"}"
		i=$((i + 1))
	done
}

user_unlinks() { # FROM TO
	i=$1
	while [ "$i" -le "$2" ]; do
		echo "{\"action\":\"unlink_user\",\"user_id\":\"$i\",\"itglue_contact_id\":\"$((5000 + i))\",\"reason\":\"itglue_deleted\"}"
		i=$((i + 1))
	done
}

load() { # CASE [FLAGS...]: runs itg-load, sets rc
	_w=$T/$1
	shift
	rm -rf "$_w/report"
	rc=0
	"$ITG_BIN/itg-load" -p "$_w/pipeline.yaml" --plan "$_w/plan" --report "$_w/report" "$@" \
		>"$_w/out" 2>"$_w/err" || rc=$?
}

# ---- 37 of 40 links, the default 10% (at least 10) ---------------------------
case_dir links ""
unlinks 1 37 itglue_deleted >"$W/plan/plan.ndjson"
"$SEAL" "$W"
cp -a "$W/store" "$W/before"

load links
assert_eq 4 "$rc" "exit code of a plan removing 37 of 40 links"
assert_contains "$W/err" "ERROR itg-load: the plan removes 37 of the store's 40 links, more than safety.max_unlinks allows (10: 10% of 40, at least 10): refused, nothing was changed; if IT Glue really lost them, apply it once with pipelines/run $W/pipeline.yaml --allow-mass-unlink (or itg-load --allow-mass-unlink)" "the refusal"
same_store "$W/before" "$W/store" "refused mass unlink"
[ ! -e "$W/report" ] || fail "a refused load wrote a report"
echo "ok: refused: $(cut -c1-150 "$W/err")"

load links --dry-run
assert_eq 0 "$rc" "exit code of a dry run of it"
same_store "$W/before" "$W/store" "dry run"
jq -e '.would_refuse == "mass_unlink"' "$W/report/summary.json" >/dev/null ||
	fail "summary.json would_refuse: $(jq -c .would_refuse "$W/report/summary.json")"
# near the top (right after the header table) and under "Needs a person"
line="A real load of this plan would be refused (exit 4, nothing changed): the plan removes 37 of the store's 40 links"
top=$(grep -nF "$line" "$W/report/report.md" | head -1 | cut -d: -f1)
happened=$(grep -n '^## What happened' "$W/report/report.md" | cut -d: -f1)
[ -n "$top" ] && [ "$top" -lt "$happened" ] || fail "report.md: no refusal line above What happened"
sed -n '/^## Needs a person/,/^## Changes/p' "$W/report/report.md" >"$W/needs"
assert_contains "$W/needs" "### Mass unlink: a real load would be refused" "Needs a person"
assert_contains "$W/needs" "$line" "Needs a person"
assert_contains "$W/report/report.html" "A real load of this plan would be refused" "report.html"
echo "ok: dry run: would_refuse mass_unlink"

load links --allow-mass-unlink
assert_eq 0 "$rc" "exit code with --allow-mass-unlink"
assert_eq 4 "$(wc -l <"$W/store/links.csv" | tr -d ' ')" "links.csv lines after the allowed load"
assert_eq 38 "$(wc -l <"$W/store/audit.ndjson" | tr -d ' ')" "audit lines (one before, 37 unlinks)"
jq -e '.would_refuse == null' "$W/report/summary.json" >/dev/null || fail "would_refuse after an allowed load"
assert_contains "$W/report/report.md" "--allow-mass-unlink let the plan through" "report.md"
echo "ok: applied once with --allow-mass-unlink"

# ---- users: 12 of 15 linked users --------------------------------------------
case_dir users ""
user_unlinks 1 12 >"$W/plan/plan.ndjson"
"$SEAL" "$W"
cp -a "$W/store" "$W/before"
load users
assert_eq 4 "$rc" "exit code of a plan unlinking 12 of 15 users"
assert_contains "$W/err" "the plan removes 12 of the store's 15 user links, more than safety.max_user_unlinks allows (10: 10% of 15, at least 10): refused, nothing was changed" "the user refusal"
assert_not_contains "$W/err" "safety.max_unlinks" "the user refusal"
same_store "$W/before" "$W/store" "refused user unlinks"
[ ! -e "$W/report" ] || fail "a refused load wrote a report"
load users --dry-run
assert_eq 0 "$rc" "dry run of the user unlinks"
jq -e '.would_refuse == "mass_unlink"' "$W/report/summary.json" >/dev/null || fail "users: would_refuse"
same_store "$W/before" "$W/store" "users dry run"
load users --allow-mass-unlink
assert_eq 0 "$rc" "user unlinks with --allow-mass-unlink"
assert_eq 3 "$(cut -d, -f7 "$W/store/users.csv" | grep -c "^50")" "users still linked (15 - 12)"
echo "ok: user unlinks refused, then applied once"

# ---- a count: max_unlinks 0 refuses one unlink --------------------------------
case_dir zero "safety:
  max_unlinks: 0"
unlinks 5 5 filtered_out >"$W/plan/plan.ndjson"
"$SEAL" "$W"
cp -a "$W/store" "$W/before"
load zero
assert_eq 4 "$rc" "exit code of one unlink with max_unlinks 0"
assert_contains "$W/err" "the plan removes 1 of the store's 40 links, more than safety.max_unlinks allows (0): refused" "the count refusal"
same_store "$W/before" "$W/store" "refused single unlink"
echo "ok: max_unlinks 0 refuses one unlink"

# ---- a --disconnect plan removes every link on purpose ------------------------
case_dir disconnect "safety:
  max_unlinks: 0"
unlinks 1 40 disconnect >"$W/plan/plan.ndjson"
"$SEAL" "$W"
load disconnect
assert_eq 0 "$rc" "exit code of a disconnect plan (its unlinks are not counted)"
assert_eq 1 "$(wc -l <"$W/store/links.csv" | tr -d ' ')" "links.csv after the disconnect (header)"
assert_eq operator "$(jq -r .disconnected_by "$W/store/integration.json")" "disconnected_by"
echo "ok: a disconnect plan is not refused"
