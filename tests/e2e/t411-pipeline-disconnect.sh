#!/bin/sh
# pipelines/run --disconnect hands --disconnect to itg-transform: the run
# removes every link, keeps the organizations, and leaves integration.json
# disconnected with the time of the last sync.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bp.yaml" <<YAML
name: e2e-disconnect
product: bullphish
store: ../store
out: ../out
YAML
mock_start --data "$ITG_REPO/fixtures/itglue"
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >"$T/out1" 2>"$T/err1" ||
	{ cat "$T/err1" >&2; fail "the first run failed"; }
last_sync=$(jq -r .last_sync "$T/store/integration.json")
orgs=$(wc -l <"$T/store/organizations.csv")
sleep 1

rc=0
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --disconnect --base-url "$MOCK_URL" \
	>"$T/out2" 2>"$T/err2" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/err2" >&2; fail "pipelines/run --disconnect exited $rc"; }
grep -q 'bin/itg-transform -p .* --disconnect' "$T/err2" || fail "itg-transform did not get --disconnect"
! grep -q 'bin/itg-extract -p .* --disconnect' "$T/err2" || fail "itg-extract got --disconnect"
assert_eq 1 "$(wc -l <"$T/store/links.csv" | tr -d ' ')" "links.csv lines (the header only)"
assert_eq "$orgs" "$(wc -l <"$T/store/organizations.csv")" "organizations.csv lines"
assert_eq disconnected "$(jq -r .status "$T/store/integration.json")" "integration status"
assert_eq "$last_sync" "$(jq -r .last_sync "$T/store/integration.json")" "last_sync kept"
assert_contains "$T/out2" "integration disconnected" "summary"
assert_no_canary "$T/out" "$T/store" "$T/out2" "$T/err2"
