#!/bin/sh
# IT Glue refuses the key: pipelines/run exits 3, runs no later stage, leaves
# latest alone and marks the store's integration disconnected by itglue,
# keeping the last good sync time.  Unlike an operator's disconnect, it heals
# by itself: the next run with a good key reconnects.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

e2e_tmp >/dev/null
T=$E2E_TMP
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bullphish.yaml" <<YAML
name: e2e-key
product: bullphish
itglue:
  region: eu
store: ../store
out: ../out
YAML

mock_start --data "$ITG_REPO/fixtures/itglue"

# A good run first, so there is a last sync to keep.
"$ITG_REPO/pipelines/run" "$T/p/bullphish.yaml" --base-url "$MOCK_URL" \
	>"$T/stdout1" 2>"$T/stderr1" || { cat "$T/stderr1" >&2; fail "first run failed"; }
good=$(readlink "$T/out/e2e-key/latest")
last_sync=$(jq -r .last_sync "$T/store/integration.json")
case $last_sync in ""|null) fail "no last_sync after a good run" ;; esac

rc=0
ITGLUE_API_KEY=ITG.wrong-key "$ITG_REPO/pipelines/run" "$T/p/bullphish.yaml" \
	--base-url "$MOCK_URL" >"$T/stdout" 2>"$T/stderr" || rc=$?
assert_eq 3 "$rc" "exit code with a wrong key"

assert_eq disconnected "$(jq -r .status "$T/store/integration.json")" "integration status"
assert_eq itglue "$(jq -r .disconnected_by "$T/store/integration.json")" "disconnected_by"
assert_eq eu "$(jq -r .region "$T/store/integration.json")" "integration region"
assert_eq "$last_sync" "$(jq -r .last_sync "$T/store/integration.json")" "last_sync kept"
jq -r .last_error "$T/store/integration.json" | grep -q 401/403 || fail "last_error does not name 401/403"
assert_eq 600 "$(stat -c %a "$T/store/integration.json")" "integration.json mode"
assert_eq "$good" "$(readlink "$T/out/e2e-key/latest")" "latest after a failed run"
grep -q 'itg-extract failed with exit code 3' "$T/stderr" || fail "no failure line on stderr"
! grep -q 'itg-transform' "$T/stderr" || fail "transform ran after extract failed"
assert_no_canary "$T/out" "$T/store" "$T/stdout" "$T/stderr"
assert_not_contains "$T/stderr" "ITG.wrong-key" "stderr"

# the next good run heals it, and the audit says so
rc=0
"$ITG_REPO/pipelines/run" "$T/p/bullphish.yaml" --base-url "$MOCK_URL" \
	>"$T/stdout3" 2>"$T/stderr3" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr3" >&2; fail "the run after the wrong key exited $rc"; }
assert_eq connected "$(jq -r .status "$T/store/integration.json")" "status after a good run"
assert_eq null "$(jq -r .disconnected_by "$T/store/integration.json")" "disconnected_by after a good run"
assert_eq null "$(jq -r .last_error "$T/store/integration.json")" "last_error after a good run"
tail -1 "$T/store/audit.ndjson" | jq -e '.table == "integration" and .before.status == "disconnected" and .after.status == "connected"' >/dev/null ||
	fail "audit.ndjson does not record the reconnection: $(tail -1 "$T/store/audit.ndjson")"
