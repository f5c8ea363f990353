#!/bin/sh
# t600-demo: make demo's story (scripts/demo, fixtures/README.md) runs in
# a copy of the repository's demo files and every step has its outcome in
# its run's plan, summary or store: Test SMB auto-linked, the manual link
# made by hand kept, City of Raleigh relinked to City of Durham, the rename
# arriving, the deletion confirmed by a 404 and unlinked, the Inactive link
# filtered out, the .gov domains unimported, the license limits reached.
# Then a broken step: FAILED for its pipeline, the rest not run, exit 1.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

command -v jq >/dev/null 2>&1 || { echo "skip: jq is missing"; exit 77; }

T=$(e2e_tmp)

# The demo writes out/demo/ beside the scripts it runs: a copy keeps the
# repository's own out/demo/ untouched.
copy_repo() {
	mkdir -p "$1/scripts" "$1/pipelines"
	cp "$ITG_REPO/scripts/demo" "$ITG_REPO/scripts/demo_outcome.py" "$1/scripts/"
	cp -R "$ITG_REPO/fixtures" "$1/fixtures"
	cp "$ITG_REPO/pipelines/run" "$ITG_REPO/pipelines/bullphish.yaml" \
		"$ITG_REPO/pipelines/darkwebid.yaml" "$ITG_REPO/pipelines/protected-domains.txt" \
		"$1/pipelines/"
}
R=$T/repo
copy_repo "$R"

rc=0
ITG_BIN=$ITG_BIN sh "$R/scripts/demo" >"$T/demo.out" 2>"$T/demo.err" || rc=$?
if [ "$rc" -ne 0 ]; then
	cat "$T/demo.out" "$T/demo.err" >&2
	fail "scripts/demo exited $rc"
fi

# The outcome lines the demo prints from the plans and the stores
# (scripts/demo_outcome.py), and no program failing to read them.
assert_contains "$T/demo.out" \
	"plan:    unlink   testingorg5 (102) -/- IT Glue 3 (manual link): itglue_deleted (IT Glue answered 404: deletion confirmed); IT Glue org None" \
	"demo output"
assert_contains "$T/demo.out" \
	"plan:    import   IT Glue 12 Big Phish Co: 11-50, Other, phishing off (license_limit), training off" \
	"demo output"
assert_contains "$T/demo.out" \
	"plan:    domains  unimported gov_domain: springfield-county.gov, springfield-exchange.gov.uk" \
	"demo output"
assert_contains "$T/demo.out" "links:   101->2 auto, 103->4 manual, 105->7 auto" "demo output"
[ "$(grep -c '^links:   ' "$T/demo.out")" -eq 9 ] || fail "the demo did not print the links of its 9 runs"
! grep -q 'demo_outcome.py\|itglue_at.py:\|cannot read the outcome' "$T/demo.err" ||
	fail "the demo could not read an outcome: $(cat "$T/demo.err")"

# The closing lines: ok per pipeline, as before the story had steps.
assert_contains "$T/demo.out" "bullphish-demo (steps 1-6 and 8): ok" "demo output"
assert_contains "$T/demo.out" "darkwebid-demo (steps 7 and 8): ok" "demo output"
n=0
for s in 1 2 3 4 5 6 7 8; do
	assert_contains "$T/demo.out" "== step $s of 8: " "demo output"
	# the titles come in order
	line=$(grep -n "== step $s of 8: " "$T/demo.out" | cut -d: -f1)
	[ "$line" -gt "$n" ] || fail "step $s is printed before step $((s - 1))"
	n=$line
done

D=$R/out/demo
S=$D/steps
for step in 1-bullphish 2-bullphish 3-bullphish 4-bullphish 5-bullphish 6-bullphish \
	7-darkwebid 8-bullphish 8-darkwebid; do
	[ -f "$S/$step/plan/plan.ndjson" ] || fail "step $step has no plan"
	assert_eq applied "$(jq -r .status "$S/$step/report/summary.json")" "step $step status"
done

# plan_count STEP FILTER: how many lines of the step's plan pass the jq
# FILTER (jq 1.6's -e judges only the last input, so count instead).
plan_count() {
	jq -n "[inputs | select($2)] | length" "$S/$1/plan/plan.ndjson" ||
		fail "step $1: cannot read its plan"
}
plan_has() {
	[ "$(plan_count "$1" "$2")" -gt 0 ] || fail "step $1: the plan has no line for $3"
}
plan_lacks() {
	assert_eq 0 "$(plan_count "$1" "$2")" "step $1: plan lines for $3"
}

# 1: Test SMB auto-linked by exact name.
plan_has 1-bullphish '.action == "link" and .organization_id == "101" and .itglue_organization_id == "2"
	and .reason == "name_match" and .match == "exact"' "Test SMB's link"
plan_lacks 1-bullphish '.organization_id == "102"' "test21 (not linked yet)"
# 2: the operator's manual link is taken as it is and renames test21.
plan_has 2-bullphish '.action == "rename" and .organization_id == "102" and .before == "test21"
	and .after == "testingorg7"' "test21 renamed testingorg7"
plan_lacks 2-bullphish '.action == "unlink" or .action == "link"' "a link change"
# 3: City of Raleigh relinked to City of Durham: the old auto link goes.
plan_has 3-bullphish '.action == "unlink" and .organization_id == "103" and .itglue_organization_id == "5"
	and .reason == "superseded_by_manual"' "the old City of Raleigh link"
plan_has 3-bullphish '.action == "rename" and .organization_id == "103" and .before == "City of Raleigh"
	and .after == "City of Durham"' "City of Raleigh renamed City of Durham"
# 4: the rename in IT Glue arrives (the manual link of step 2 is still there).
plan_has 4-bullphish '.action == "rename" and .organization_id == "102" and .before == "testingorg7"
	and .after == "testingorg5"' "testingorg7 renamed testingorg5"
# 5: the deletion, confirmed by IT Glue's 404, unlinks the manual link.
plan_has 5-bullphish '.action == "unlink" and .organization_id == "102" and .itglue_organization_id == "3"
	and .reason == "itglue_deleted" and .source == "manual"' "the deleted org's link"
jq -e '.resources.organizations.confirmed_deleted | index("3")' "$S/5-bullphish/snapshot/manifest.json" \
	>/dev/null || fail "step 5: the snapshot does not confirm organization 3's deletion"
jq -e '.resources.organizations.confirmed_deleted | index("3") | not' \
	"$S/4-bullphish/snapshot/manifest.json" >/dev/null || fail "step 4: organization 3 is already gone"
# 6: Inactive deselected: the Inactive org's link is filtered out, not before.
plan_has 6-bullphish '.action == "unlink" and .organization_id == "104" and .itglue_organization_id == "6"
	and .reason == "filtered_out"' "the Inactive org's link"
plan_lacks 5-bullphish '.reason == "filtered_out"' "a filtered_out unlink"
# 7: Dark Web ID imports Springfield County Government; its .gov domains wait.
plan_has 7-darkwebid '.action == "import_organization" and .name == "Springfield County Government"' \
	"Springfield's import"
plan_has 7-darkwebid '.action == "import_domain" and .itglue_domain_id == "5009" and .status == "unimported"
	and .reason == "gov_domain"' "springfield-county.gov"
plan_has 7-darkwebid '.action == "import_domain" and .itglue_domain_id == "5011" and .reason == "gov_domain"' \
	"springfield-exchange.gov.uk"
plan_has 7-darkwebid '.action == "import_domain" and .itglue_domain_id == "5010" and .status == "pending"' \
	"springfieldcounty.org"
plan_lacks 7-darkwebid '.reason == "license_limit"' "a license_limit domain"
# 8: the license limits: Big Phish Co's phishing left off, a domain over 8.
plan_has 8-bullphish '.action == "import_organization" and .name == "Big Phish Co"
	and .reason == "license_limit" and .license_limited == ["phishing"]' "Big Phish Co"
plan_has 8-bullphish '.action == "import_organization" and .name == "Acme Dental" and .phishing == true' \
	"Acme Dental with phishing"
assert_eq "1 15 20" "$(jq -r '"\(.license_limited) \(.licenses.phishing.used) \(.licenses.phishing.total)"' \
	"$S/8-bullphish/report/summary.json")" "step 8 phishing seats"
plan_has 8-darkwebid '.action == "import_domain" and .itglue_domain_id == "5007" and .status == "unimported"
	and .reason == "license_limit"' "acme-dental-care.com"
assert_eq "8 8" "$(jq -r '"\(.licenses.domains.used) \(.licenses.domains.total)"' \
	"$S/8-darkwebid/report/summary.json")" "step 8 domains"

# The stores at the end of the story.
B=$D/stores/bullphish
assert_contains "$B/links.csv" "103,4,manual," "bullphish links.csv"
assert_not_contains "$B/links.csv" "102," "bullphish links.csv (102's IT Glue org is None)"
assert_not_contains "$B/links.csv" "104," "bullphish links.csv (104 filtered out)"
assert_contains "$B/organizations.csv" "102,testingorg5," "bullphish organizations.csv"
assert_contains "$B/organizations.csv" "103,City of Durham," "bullphish organizations.csv"
assert_contains "$D/stores/darkwebid/domains.csv" "springfield-county.gov,5009,unimported,gov_domain," \
	"darkwebid domains.csv"

# The demo's throwaway key is in no output.
! grep -rqF "ITG.demo." "$D" "$T/demo.out" "$T/demo.err" || fail "the demo's key is in its outputs"

# A broken step: its pipeline FAILED, the others not run, exit non-zero,
# and the test server stopped all the same.
R2=$T/broken
copy_repo "$R2"
echo "no_such_key: 1" >>"$R2/fixtures/demo/bullphish.yaml"
rc=0
ITG_BIN=$ITG_BIN sh "$R2/scripts/demo" >"$T/broken.out" 2>"$T/broken.err" || rc=$?
[ "$rc" -ne 0 ] || fail "a demo with a broken pipeline exited 0"
assert_contains "$T/broken.out" \
	"bullphish-demo (steps 1-6 and 8): FAILED (step 1, fixtures/demo/bullphish.yaml, exit 2)" \
	"broken demo output"
assert_contains "$T/broken.out" "darkwebid-demo (steps 7 and 8): not run" "broken demo output"
assert_contains "$T/broken.out" "== step 2 of 8: " "broken demo output"
assert_contains "$T/broken.out" "not run: step 1 failed" "broken demo output"
[ ! -e "$R2/out/demo/steps/2-bullphish" ] || fail "the broken demo went on after step 1"
url=$(sed -n 's/^ *test server at \(http:[^,]*\),.*/\1/p' "$T/broken.out" | head -n 1)
[ -n "$url" ] || fail "the broken demo did not say where its test server was"
! curl -s -o /dev/null --max-time 5 "$url/organizations" || fail "the broken demo left $url running"
exit 0
