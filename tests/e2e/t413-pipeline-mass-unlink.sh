#!/bin/sh
# The mass-change breaker through pipelines/run: sync settings that put every
# linked organization out of scope plan 4 unlinks, more than
# safety.max_unlinks (2) allows.  A dry run exits 0 and its summary says the
# real load would be refused; the real run exits 4 with the tables and
# audit.ndjson byte-identical (integration.json records the failed stage, as
# after any failure); --allow-mass-unlink applies it once.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bp.yaml" <<YAML
name: e2e-mass
product: bullphish
store: ../store
out: ../out
sync:
  organization_statuses: [Inactive]
safety:
  max_unlinks: 2
YAML
mock_start --data "$ITG_REPO/fixtures/itglue"
cp -a "$T/store" "$T/before"

rc=0
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" --dry-run >"$T/out1" 2>"$T/err1" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/err1" >&2; fail "the dry run exited $rc"; }
assert_contains "$T/out1" "dry run, store untouched; a real load would be refused: mass_unlink" "the summary"
diff -r "$T/before" "$T/store" >&2 || fail "the dry run changed the store"
sleep 1

rc=0
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >"$T/out2" 2>"$T/err2" || rc=$?
assert_eq 4 "$rc" "exit code of the run"
assert_contains "$T/err2" "ERROR itg-load: the plan removes 4 of the store's 5 links, more than safety.max_unlinks allows (2): refused, nothing was changed; if IT Glue really lost them, apply it once with pipelines/run $T/p/bp.yaml --allow-mass-unlink (or itg-load --allow-mass-unlink)" "the refusal"
for f in "$T"/before/*.csv; do
	cmp -s "$f" "$T/store/${f##*/}" || fail "the refused run changed ${f##*/}"
done
[ ! -e "$T/store/audit.ndjson" ] || fail "the refused run wrote audit.ndjson"
assert_contains "$T/store/integration.json" "itg-load failed with exit code 4" "last_error"
assert_eq connected "$(jq -r .status "$T/store/integration.json")" "status after the refused run"
sleep 1

rc=0
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" --allow-mass-unlink \
	>"$T/out3" 2>"$T/err3" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/err3" >&2; fail "the run with --allow-mass-unlink exited $rc"; }
grep -q 'bin/itg-load -p .* --allow-mass-unlink' "$T/err3" || fail "itg-load did not get --allow-mass-unlink"
! grep -q 'bin/itg-transform -p .* --allow-mass-unlink' "$T/err3" || fail "itg-transform got --allow-mass-unlink"
assert_eq 2 "$(wc -l <"$T/store/links.csv" | tr -d ' ')" "links.csv lines after the allowed run"
assert_eq null "$(jq -r .last_error "$T/store/integration.json")" "last_error after the allowed run"
echo "ok: dry run warned, real run refused, --allow-mass-unlink applied"
