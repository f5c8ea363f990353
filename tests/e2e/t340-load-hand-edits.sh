#!/bin/sh
# The operator's own edits of links.csv appear in the report and the audit:
# after a first run through pipelines/run (whose store had no copy of
# links.csv from an earlier run, so it reports no hand edits), a manual link
# is added and another deleted by hand.  A dry run reports both, with their
# lines, and writes nothing in the store; the next real run reports them and
# appends one audit.ndjson line each, action hand_edit, with its run id and
# the lines; a third run with no edit reports none.  A symbolic link in
# place of the copy (.links.last-run.csv) is refused like any store file's.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bp.yaml" <<YAML
name: e2e-hand
product: bullphish
store: ../store
out: ../out
YAML
mock_start --data "$ITG_REPO/fixtures/itglue"
S=$T/store
R=$T/out/e2e-hand/latest/report
COPY=$S/.links.last-run.csv

run() {
	_n=$1
	shift
	"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" "$@" >"$T/out$_n" 2>"$T/err$_n" ||
		{ cat "$T/err$_n" >&2; fail "run $_n failed"; }
}

hand_lines() {
	jq -c 'select(.action == "hand_edit")' "$S/audit.ndjson"
}

# 1. the store's first run: no copy yet, so no hand edits to report
run 1
[ -f "$COPY" ] || fail "the first run left no $COPY"
cmp -s "$S/links.csv" "$COPY" || fail "the copy differs from links.csv as the run left it"
assert_eq "-rw-------" "$(ls -l "$COPY" | cut -c1-10)" "mode of the copy"
assert_eq false "$(jq 'has("hand_edits")' "$R/summary.json")" "hand_edits in the first summary"
assert_not_contains "$R/report.md" "Changed by hand" "report.md of the first run"
[ -z "$(hand_lines)" ] || fail "the first run recorded hand edits"

# 2. by hand: the manual link of City of Durham (103) goes, Globex (106) gets one
gone=$(grep -n '^103,4,manual,' "$S/links.csv" | cut -d: -f1)
[ -n "$gone" ] || fail "the fixture store has no manual link 103,4"
grep -v '^103,4,manual,' "$S/links.csv" >"$T/links.new"
printf '106,9,manual,2026-03-01T04:59:00.000Z\n' >>"$T/links.new"
cat "$T/links.new" >"$S/links.csv"
added=$(wc -l <"$S/links.csv" | tr -d ' ')
cp -a "$S" "$T/before"
sleep 1

# 3. a dry run reports both and writes nothing
run 2 --dry-run
diff -r "$T/before" "$S" >&2 || fail "the dry run changed the store"
assert_contains "$R/report.md" "## Changed by hand since the last run" "dry-run report.md"
assert_contains "$R/report.md" "in 2 links: 1 added, 1 removed, 0 changed by hand. A real load records each one in audit.ndjson (action hand_edit); this dry run recorded nothing." "dry-run report.md"
assert_contains "$R/report.md" "| added | Globex (106) | Globex (9) | $added |  |  | source: manual; linked_at: 2026-03-01T04:59:00.000Z |" "dry-run report.md"
assert_contains "$R/report.md" "| removed | City of Durham (103) | City of Durham (4) |  | $gone | source: manual; linked_at: 2025-11-04T09:12:00.000Z |  |" "dry-run report.md"
assert_contains "$R/report.html" ">Changed by hand since the last run</h2>" "dry-run report.html"
assert_eq 2 "$(jq .hand_edits "$R/summary.json")" "hand_edits of the dry run"
assert_contains "$R/changes.csv" ",links,106/9,source,,manual,hand_edit,added" "dry-run changes.csv"
assert_contains "$R/changes.csv" ",links,103/4,source,manual,,hand_edit,removed" "dry-run changes.csv"
assert_contains "$R/changes.csv" ",links,106/9,source,,manual,hand_edit,added,Globex / Globex,Globex (106),Globex (9)," "dry-run changes.csv: the names beside a hand edit"
grep -q "links.csv was changed by hand since the last run: 1 added, 1 removed, 0 changed (a real load records them in audit.ndjson)" "$T/err2" ||
	fail "the dry run's log does not say what was changed by hand"
sleep 1

# 4. the real run reports them again and records them, with its run id
run 3
id=$(jq -r .run_id "$R/summary.json")
assert_eq "$id" "$(basename "$(readlink "$T/out/e2e-hand/latest")")" "run id of the report"
assert_eq 2 "$(jq .hand_edits "$R/summary.json")" "hand_edits of the real run"
assert_contains "$R/report.md" "This run recorded each one in audit.ndjson (action hand_edit)." "report.md"
assert_contains "$R/report.md" "| added | Globex (106) | Globex (9) | $added |" "report.md"
assert_contains "$R/report.md" "| removed | City of Durham (103) | City of Durham (4) |  | $gone |" "report.md"
hand_lines >"$T/hand"
assert_eq 2 "$(wc -l <"$T/hand" | tr -d ' ')" "hand_edit lines in audit.ndjson"
want_added="{\"run_id\":\"$id\",\"action\":\"hand_edit\",\"table\":\"links\",\"key\":\"106/9\",\"before\":null,\"after\":{\"organization_id\":\"106\",\"itglue_organization_id\":\"9\",\"source\":\"manual\",\"linked_at\":\"2026-03-01T04:59:00.000Z\"},\"reason\":\"added\",\"line\":$added,\"last_run_line\":null}"
want_removed="{\"run_id\":\"$id\",\"action\":\"hand_edit\",\"table\":\"links\",\"key\":\"103/4\",\"before\":{\"organization_id\":\"103\",\"itglue_organization_id\":\"4\",\"source\":\"manual\",\"linked_at\":\"2025-11-04T09:12:00.000Z\"},\"after\":null,\"reason\":\"removed\",\"line\":null,\"last_run_line\":$gone}"
assert_eq "$want_added
$want_removed" "$(jq -c 'del(.time)' "$T/hand")" "the hand_edit audit lines"
# recorded before the run's own changes, in the same append
first_own=$(grep -n '"run_id":"'"$id"'"' "$S/audit.ndjson" | head -1 | cut -d: -f1)
assert_eq hand_edit "$(sed -n "${first_own}p" "$S/audit.ndjson" | jq -r .action)" "first audit line of the run"
cmp -s "$S/links.csv" "$COPY" || fail "the copy differs from links.csv after the second run"
assert_eq "-rw-------" "$(ls -l "$COPY" | cut -c1-10)" "mode of the copy"
cp "$S/audit.ndjson" "$T/audit3"
sleep 1

# 5. no edit since: none reported, none recorded
run 4
assert_eq 0 "$(jq .hand_edits "$R/summary.json")" "hand_edits of the third run"
assert_contains "$R/report.md" "links.csv is as the last run left it: nothing was changed by hand." "report.md of the third run"
assert_not_contains "$R/changes.csv" "hand_edit" "changes.csv of the third run"
hand_lines >"$T/hand4"
cmp -s "$T/hand" "$T/hand4" || fail "the third run recorded hand edits: $(tail -1 "$T/hand4")"

# 6. a link in place of the copy is refused, and what it points at is left alone
mv "$COPY" "$T/elsewhere.csv"
cp "$T/elsewhere.csv" "$T/elsewhere.before"
ln -s "$T/elsewhere.csv" "$COPY"
rc=0
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >"$T/out5" 2>"$T/err5" || rc=$?
assert_eq 2 "$rc" "exit code with a link in place of the copy"
assert_contains "$T/err5" "store/.links.last-run.csv is a symbolic link" "the refusal"
cmp -s "$T/elsewhere.before" "$T/elsewhere.csv" || fail "the file the link points at changed"
[ -L "$COPY" ] || fail "the link was replaced"
echo "ok: hand edits reported by the dry run, recorded by run $id, none the run after"
