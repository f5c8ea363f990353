#!/bin/sh
# t205-transform-explain: itg-transform --explain ORG on the story fixtures
# tells every rule's decision for one organization: a linked one, an
# ambiguous one, an out-of-scope one, a product org named by its name, the
# Dark Web ID domains of a linked one; an unknown name exits 2 with the
# closest names.  Without --out it writes no plan and leaves no scratch
# folder; with --out it publishes the same plan as a plain run.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mkdir "$T/tmp"
TMPDIR=$T/tmp
export TMPDIR
mock_start --data "$ITG_REPO/fixtures/itglue"
for p in bullphish darkwebid; do
	cp -R "$ITG_REPO/fixtures/stores/$p" "$T/store-$p"
	# the example pipeline, on the copied store, for the extractor
	sed "s|^store: .*|store: $T/store-$p|" "$ITG_REPO/pipelines/$p.yaml" >"$T/$p.yaml"
	"$ITG_BIN/itg-extract" -p "$T/$p.yaml" --base-url "$MOCK_URL" --out "$T/snap-$p" \
		2>"$T/extract.log" || { cat "$T/extract.log" >&2; fail "itg-extract failed for $p"; }
done
mock_stop

# explain PRODUCT ORG [ARGS...]: stdout in $T/out, stderr in $T/err, exit status in $rc
explain() {
	_p=$1 _org=$2
	shift 2
	rc=0
	"$ITG_BIN/itg-transform" -p "$ITG_REPO/pipelines/$_p.yaml" --store "$T/store-$_p" \
		--snapshot "$T/snap-$_p" --explain "$_org" "$@" >"$T/out" 2>"$T/err" || rc=$?
}

# a linked org: the link this plan makes, its contacts in short
explain bullphish 2
assert_eq 0 "$rc" "--explain 2"
assert_eq 'IT Glue organization 2 "Test SMB"' "$(head -n 1 "$T/out")" "first line"
assert_contains "$T/out" '    type 10 "Customer": selected by sync.organization_types entry "Customer"'
assert_contains "$T/out" '    name key (normalized, docs/rules.md 7): "testsmb"'
assert_contains "$T/out" '    linked to product organization 101 "Test SMB" by this plan (link name_match, match exact)'
assert_contains "$T/out" '  after the plan (inventory.ndjson): state linked, organization 101, source auto, reason name_match'
assert_contains "$T/out" '  contacts: 9 in the snapshot: import_user 4, skip no_email 1, skip invalid_email 1, skip duplicate_email 1, no line (contact type not selected) 2'
assert_contains "$T/out" '    207 Frances Ortiz: skip duplicate_email'
assert_contains "$T/out" '  plan lines naming it: link 1, import_user 4, skip 3'
[ ! -e "$T/plan" ] || fail "--explain without --out wrote a plan"
[ -z "$(ls -A "$T/tmp")" ] || fail "--explain left $(ls -A "$T/tmp") in TMPDIR"
assert_no_canary "$T/out" "$T/err"

# an ambiguous one: the candidates and the review
explain bullphish Globex
assert_eq 0 "$rc" "--explain Globex"
assert_contains "$T/out" '2 organizations match; each is explained below (--explain ID picks one)'
assert_contains "$T/out" '    not linked: ambiguous (review ambiguous_name, match normalized): 2 product organizations share the key: 106 "Globex", 107 "Globex LLC"; link it by hand with a manual row in links.csv'
assert_contains "$T/out" '    not imported: not selected'
assert_contains "$T/out" '  after the plan (inventory.ndjson): state review, reason ambiguous_name'
assert_contains "$T/out" 'product organization 106 "Globex" (organizations.csv line 7)'

# an out-of-scope one: the filter entry, the removed link
explain bullphish "Old Harbor Marine LLC"
assert_eq 0 "$rc" "--explain Old Harbor Marine LLC"
assert_contains "$T/out" '  scope: out of scope (excluded by organization_statuses)'
assert_contains "$T/out" '    status 21 "Inactive": not selected: no entry of sync.organization_statuses [Active] names it'
assert_contains "$T/out" '    links.csv line 4: product organization 104 "Old Harbor Marine" to IT Glue organization 6, source auto'
assert_contains "$T/out" '      removed (unlink filtered_out): the IT Glue organization is out of scope'
assert_contains "$T/out" '  after the plan (inventory.ndjson): state out_of_scope, excluded_by organization_statuses, reason filtered_out'

# an imported one: select entry, override, the license's first fit
explain bullphish "Big Phish Co"
assert_eq 0 "$rc" "--explain Big Phish Co"
assert_contains "$T/out" '    entry "Big Phish Co" (line 30) names it'
assert_contains "$T/out" '      phishing: requested, left off by the license (import.defaults.phishing): needs 8 seats (one per imported user), 15 of the 20 were used before it'

# a product org by its name
explain bullphish "Cafe Zurich"
assert_eq 0 "$rc" "--explain Cafe Zurich"
assert_eq 'product organization 105 "Cafe Zurich" (organizations.csv line 6)' \
	"$(head -n 1 "$T/out")" "first line"
assert_contains "$T/out" '    linked to IT Glue organization 7 "Café Zürich GmbH" by this plan (link name_match, match normalized)'
assert_contains "$T/out" '  rename: product organization 105 "Cafe Zurich" becomes "Café Zürich GmbH"'
assert_contains "$T/out" '    703 Jürg Weiß: skip invalid_email'

# Dark Web ID: each domain with its status and reason
explain darkwebid "Wayne Enterprises"
assert_eq 0 "$rc" "--explain Wayne Enterprises"
assert_contains "$T/out" '    5012 "wayne-enterprises.com": no line: already imported (domains.csv)'
assert_contains "$T/out" '    5013 "wayne-internal.com": import_domain unimported protected_domain'
assert_contains "$T/out" '    5015 "wayne-tech.com": import_domain unimported license_limit'

# an unknown name: exit 2, the closest names, nothing on stdout, no plan
explain bullphish "Globx Corp" --out "$T/plan"
assert_eq 2 "$rc" "--explain of an unknown name"
[ ! -s "$T/out" ] || fail "an unknown name printed an explanation"
assert_contains "$T/err" 'ERROR itg-transform: no IT Glue or product organization has the id or name "Globx Corp"; the closest names: "Globex" (IT Glue 9)'
[ ! -e "$T/plan" ] || fail "an unknown name published a plan"

# with --out the plan is published as by a plain run
explain bullphish 13 --out "$T/plan"
assert_eq 0 "$rc" "--explain 13 --out"
assert_file_eq "$ITG_REPO/tests/golden/transform/bullphish/plan.ndjson" "$T/plan/plan.ndjson"
assert_file_eq "$ITG_REPO/tests/golden/transform/bullphish/inventory.ndjson" \
	"$T/plan/inventory.ndjson"
assert_contains "$T/out" '    1302 Joanna Smith: update_user (user 1002): last_name'
assert_contains "$T/out" '    1304 Milton Waddams: unlink_user filtered_out (user 1004): its contact type Terminated is not selected'
assert_contains "$T/out" '    user 1005 (its contact 1399 is not among these): unlink_user itglue_deleted'

# not with --disconnect
explain bullphish 2 --disconnect
assert_eq 2 "$rc" "--explain with --disconnect"
assert_contains "$T/err" "--explain and --disconnect exclude each other"
[ -z "$(ls -A "$T/tmp")" ] || fail "--explain left $(ls -A "$T/tmp") in TMPDIR"
