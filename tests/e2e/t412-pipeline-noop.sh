#!/bin/sh
# A run that changes nothing records nothing: the same unchanged inputs loaded
# twice through pipelines/run append nothing to audit.ndjson the second time
# (the status the runner writes while it runs, syncing, is not a change), its
# report says nothing changed, and integration.json only gets the new
# last_sync.  The first applied run binds the store: product, pipeline name
# and the IT Glue account of the snapshot.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bp.yaml" <<YAML
name: e2e-noop
product: bullphish
store: ../store
out: ../out
YAML
mock_start --data "$ITG_REPO/fixtures/itglue"

"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >"$T/out1" 2>"$T/err1" ||
	{ cat "$T/err1" >&2; fail "the first run failed"; }
I=$T/store/integration.json
assert_eq bullphish "$(jq -r .product "$I")" "bound product"
assert_eq e2e-noop "$(jq -r .pipeline "$I")" "bound pipeline"
assert_eq 1 "$(jq -r .itglue_account.primary_organization_id "$I")" "bound account id"
assert_eq "Kaseya Partner MSP" "$(jq -r .itglue_account.primary_organization_name "$I")" "bound account name"
assert_eq null "$(jq -r .disconnected_by "$I")" "disconnected_by"
grep -q '"action":"integration"' "$T/store/audit.ndjson" &&
	fail "the first run recorded a status change for a store that was connected already"
cp "$T/store/audit.ndjson" "$T/audit1"
cp -a "$T/store" "$T/after1"
first=$(jq -r .last_sync "$I")
sleep 1

"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >"$T/out2" 2>"$T/err2" ||
	{ cat "$T/err2" >&2; fail "the second run failed"; }
cmp "$T/audit1" "$T/store/audit.ndjson" ||
	fail "the second run appended to audit.ndjson: $(tail -2 "$T/store/audit.ndjson")"
for f in "$T"/after1/*.csv; do
	cmp -s "$f" "$T/store/${f##*/}" || fail "the second run changed ${f##*/}"
done
R=$T/out/e2e-noop/latest/report
assert_eq 0 "$(jq -r .rows_changed "$R/summary.json")" "rows_changed of the second run"
assert_contains "$R/report.md" "No changes: applying the plan changed nothing in the store." "report.md"
assert_not_contains "$R/report.md" "Integration status:" "report.md"
assert_eq 1 "$(wc -l <"$R/changes.csv" | tr -d ' ')" "changes.csv lines (the header only)"
assert_eq connected "$(jq -r .status "$I")" "status after the second run"
[ "$(jq -r .last_sync "$I")" != "$first" ] || fail "last_sync was not renewed by the second run"
jq -e '.product == "bullphish" and .pipeline == "e2e-noop" and .itglue_account.primary_organization_id == "1"' "$I" >/dev/null ||
	fail "the binding did not survive the second run: $(cat "$I")"
echo "ok: the second run changed nothing and recorded nothing"
