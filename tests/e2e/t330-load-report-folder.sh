#!/bin/sh
# The report folder of itg-load on a generated plan of a few thousand lines:
# every plan line is in some lists/ file by its plan_line and a name,
# report.html stays small (tables stop at 50 rows), figures have thousands
# separators, every changed BullPhish ID group has an upload file with the
# product's header; a plan with no change says "No changes" and lists no
# change table; a plan without an inventory says so; an inventory that does
# not match its manifest is refused (exit 2) before anything is written.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
export ITG_FIXED_TIME=1772341200
SEAL=$ITG_REPO/tests/golden/load/seal
command -v python3 >/dev/null 2>&1 || { echo "skip: python3 is missing (scripts/deps installs it)"; exit 77; }

# ---- a generated plan: 40 linked orgs renamed, 200 imported with 20 users each
W=$T/big
mkdir -p "$W/store" "$W/plan"
cat >"$W/pipeline.yaml" <<'YAML'
name: e2e-report
product: bullphish
store: store
YAML
python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
orgs = ["id,name,phishing,training"] + ["%d,Old %d,true,false" % (i, i) for i in range(1, 41)]
links = ["organization_id,itglue_organization_id,source"] + ["%d,%d,auto" % (i, 1000 + i) for i in range(1, 41)]
open(w + "/store/organizations.csv", "w").write("\n".join(orgs) + "\n")
open(w + "/store/links.csv", "w").write("\n".join(links) + "\n")
open(w + "/store/users.csv", "w").write("id,organization_id,first_name,last_name,email,group,itglue_contact_id\n")
lines = []
for i in range(1, 41):
    lines.append({"action": "rename", "organization_id": str(i), "itglue_organization_id": str(1000 + i),
                  "before": "Old %d" % i, "after": "New %d" % i})
for k in range(200):
    itg = str(2000 + k)
    lines.append({"action": "import_organization", "ref": "new:" + itg, "itglue_organization_id": itg,
                  "name": "Imported %d, Inc." % k, "employee_count": "11-50", "industry": "Other",
                  "phishing": True, "training": False, "license_limited": []})
for k in range(200):
    itg = str(2000 + k)
    for u in range(20):
        c = str(100000 + k * 100 + u)
        lines.append({"action": "import_user", "organization_ref": "new:" + itg,
                      "itglue_organization_id": itg, "itglue_contact_id": c, "first_name": "F" + c,
                      "last_name": "L", "email": "u%s@x.example" % c,
                      "group": "Staff" if u % 2 else "IT, Ops"})
lines.append({"action": "skip", "itglue_contact_id": "9", "itglue_organization_id": "2000", "reason": "no_email"})
with open(w + "/plan/plan.ndjson", "w") as f:
    for l in lines:
        f.write(json.dumps(l, separators=(",", ":")) + "\n")
PY
python3 "$SEAL" "$W" || fail "seal failed"
n=$(wc -l <"$W/plan/plan.ndjson" | tr -d ' ')
(cd "$W" && "$ITG_BIN/itg-load" -p pipeline.yaml --plan plan --report report --quiet) ||
	fail "itg-load failed on the generated plan"
R=$W/report

# every plan line is in a list, by number, and every list row has a name
python3 - "$R" "$n" <<'PY' || fail "some plan line is in no lists/ file"
import csv, glob, sys
r, n = sys.argv[1], int(sys.argv[2])
seen = set()
for path in glob.glob(r + "/lists/*.csv"):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if "plan_line" in row:
            seen.add(int(row["plan_line"]))
            named = [v for k, v in row.items() if k.endswith("name") or k in ("first_name", "domain")]
            if not any(named):
                sys.exit("%s: a row without a name: %s" % (path, row))
missing = sorted(set(range(1, n + 1)) - seen)
if missing:
    sys.exit("not in lists/: plan lines %s" % missing[:10])
PY
size=$(wc -c <"$R/report.html" | tr -d ' ')
[ "$size" -lt 1000000 ] || fail "report.html is $size bytes for $n plan lines"
assert_contains "$R/report.md" "The first 50 of 4,000 rows are shown; every one is in lists/users_imported.csv." "report.md"
assert_contains "$R/report.md" "| import_user | new_contact | 4,000 | 4,000 |" "report.md"
assert_contains "$R/report.md" "| New 1 (1) | New 1 (1001) | Old 1 | New 1 | itglue_renamed |" "report.md"
assert_contains "$R/report.html" "4,000" "report.html"
assert_eq 4000 "$(grep -c ',new_contact$' "$R/lists/users_imported.csv" || true)" "users in lists/users_imported.csv"
# changes.csv: the contract's eight columns first, then the names
assert_eq "run_id,table,key,field,old,new,action,reason,name,organization,itglue,plan_line" \
	"$(head -1 "$R/changes.csv")" "changes.csv header"
grep -q ',organizations,1,name,Old 1,New 1,rename,itglue_renamed,New 1,New 1 (1),New 1 (1001),1$' "$R/changes.csv" ||
	fail "changes.csv has no named rename row"
# one upload file per changed group: 200 orgs x 2 groups, each with the header and its members
assert_eq 400 "$(find "$R/upload" -name '*.csv' | wc -l | tr -d ' ')" "upload files"
f=$(find "$R/upload" -name 'it-ops.csv' | head -1)
[ -n "$f" ] || fail "no upload file for the group \"IT, Ops\""
assert_eq "First Name,Last Name,Email,Position" "$(head -1 "$f")" "upload header"
assert_eq 11 "$(wc -l <"$f" | tr -d ' ')" "lines of one group file (header and 10 members)"
assert_eq 401 "$(wc -l <"$R/lists/upload_files.csv" | tr -d ' ')" "lists/upload_files.csv lines"
perms=$(find "$R" -type f -perm /077 | head -3)
[ -z "$perms" ] || fail "report files readable by others: $perms"
dperms=$(find "$R" -type d -perm /077 | head -3)
[ -z "$dperms" ] || fail "report folders open to others: $dperms"
assert_contains "$R/report.md" "This plan has no inventory" "report.md without an inventory"
echo "ok: $n plan lines, report.html $size bytes, every line in lists/"

# ---- no change: an empty plan on a connected store
N=$T/noop
mkdir -p "$N/store" "$N/plan"
cp "$W/pipeline.yaml" "$N/"
printf 'id,name\n7,Globex\n' >"$N/store/organizations.csv"
printf '{"status":"connected","region":"us"}\n' >"$N/store/integration.json"
: >"$N/plan/plan.ndjson"
python3 "$SEAL" "$N" || fail "seal failed"
(cd "$N" && "$ITG_BIN/itg-load" -p pipeline.yaml --plan plan --report report --quiet) ||
	fail "itg-load failed on an empty plan"
assert_contains "$N/report/report.md" "No changes: applying the plan changed nothing in the store." "report.md"
sed -n '/^## Changes/,/^## /p' "$N/report/report.md" >"$N/changes"
assert_contains "$N/changes" "No changes." "Changes section"
assert_not_contains "$N/changes" "###" "Changes section of a run with no change"
assert_contains "$N/report/report.md" "| Globex (7) | None |" "the integration view"
echo "ok: a plan with no change says No changes"

# ---- an inventory that does not match the manifest
B=$T/bad
cp -R "$ITG_REPO/tests/golden/load/bullphish/input" "$B"
printf '{"kind":"filter","filter":"contact_types","all":true,"entries":[]}\n' >>"$B/plan/inventory.ndjson"
set +e
(cd "$B" && "$ITG_BIN/itg-load" -p pipeline.yaml --plan plan --report report --quiet) 2>"$T/err"
rc=$?
set -e
assert_eq 2 "$rc" "exit code of a plan whose inventory differs from its manifest"
assert_contains "$T/err" "inventory.ndjson" "the error"
[ ! -e "$B/report" ] || fail "a refused load wrote a report"
for f in "$ITG_REPO"/tests/golden/load/bullphish/input/store/*; do
	cmp -s "$f" "$B/store/${f##*/}" || fail "a refused load changed ${f##*/}"
done
[ ! -e "$B/store/audit.ndjson" ] && [ ! -e "$B/store/integration.json" ] ||
	fail "a refused load wrote audit.ndjson or integration.json"
echo "ok: an inventory that differs from its manifest is refused"
