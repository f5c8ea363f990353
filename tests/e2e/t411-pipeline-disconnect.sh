#!/bin/sh
# A disconnect that lasts (docs/contract.md section 10).  pipelines/run
# --disconnect needs nothing of IT Glue: it runs no itg-extract (here with
# the test server stopped and a revoked key), removes every link, keeps the
# organizations, and leaves integration.json disconnected by the operator
# with the time of the last sync.  Every later plain run (and dry run) is
# then refused, exit 4, before anything is fetched (the server's request log
# stays empty), without a run folder, the store byte-identical; --disconnect
# with --connect is a usage error; --connect resumes.
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
runs() { find "$T/out/e2e-disconnect" -mindepth 1 -maxdepth 1 -type d -name '*T*Z' | wc -l | tr -d ' '; }

mock_start --data "$ITG_REPO/fixtures/itglue"
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >"$T/out1" 2>"$T/err1" ||
	{ cat "$T/err1" >&2; fail "the first run failed"; }
mock_stop
last_sync=$(jq -r .last_sync "$T/store/integration.json")
orgs=$(wc -l <"$T/store/organizations.csv")
links=$(wc -l <"$T/store/links.csv")
sleep 1

# --disconnect: no IT Glue at all (the server is stopped, the key revoked)
rc=0
ITGLUE_API_KEY=ITG.revoked "$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --disconnect \
	>"$T/out2" 2>"$T/err2" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/err2" >&2; fail "pipelines/run --disconnect exited $rc"; }
grep -q 'bin/itg-transform -p .* --disconnect' "$T/err2" || fail "itg-transform did not get --disconnect"
! grep -q 'itg-transform -p .* --snapshot' "$T/err2" || fail "itg-transform got a --snapshot"
! grep -q 'bin/itg-extract' "$T/err2" || fail "itg-extract ran for a --disconnect"
[ ! -e "$T/out/e2e-disconnect/latest/snapshot" ] || fail "a --disconnect run took a snapshot"
assert_contains "$T/out2" "integration disconnected" "summary"
assert_eq 1 "$(wc -l <"$T/store/links.csv" | tr -d ' ')" "links.csv lines (the header only)"
assert_eq "$orgs" "$(wc -l <"$T/store/organizations.csv")" "organizations.csv lines"
assert_eq disconnected "$(jq -r .status "$T/store/integration.json")" "integration status"
assert_eq operator "$(jq -r .disconnected_by "$T/store/integration.json")" "disconnected_by"
assert_eq "$last_sync" "$(jq -r .last_sync "$T/store/integration.json")" "last_sync kept"
echo "ok: --disconnect ran without IT Glue"

# every later run is refused before it fetches anything
cp -a "$T/store" "$T/before"
before_runs=$(runs)
mock_start --data "$ITG_REPO/fixtures/itglue" --log-requests
for mode in "" --dry-run; do
	rc=0
	"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" $mode \
		>"$T/out3" 2>"$T/err3" || rc=$?
	assert_eq 4 "$rc" "exit code of a${mode:+ dry} run after the disconnect"
	assert_contains "$T/err3" "ERROR itg-run: $T/store/integration.json says disconnected_by: operator (the integration was ended on purpose with --disconnect): this run is refused, nothing was fetched or changed; to resume it: pipelines/run $T/p/bp.yaml --connect" "the refusal"
	! grep -q 'itg-extract' "$T/err3" || fail "a stage ran after the disconnect"
	diff -r "$T/before" "$T/store" >&2 || fail "the refused run changed the store"
	assert_eq "$before_runs" "$(runs)" "run folders after a refused run"
done
! grep -q 'itg-mock: GET' "$T/mock.err" || fail "the refused runs fetched: $(grep 'itg-mock: GET' "$T/mock.err" | head -3)"
echo "ok: refused: $(grep ERROR "$T/err3" | cut -c1-150)"

rc=0
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --disconnect --connect >"$T/out4" 2>"$T/err4" || rc=$?
assert_eq 2 "$rc" "exit code of --disconnect with --connect"
assert_contains "$T/err4" "--disconnect and --connect do not go together" "the usage error"
diff -r "$T/before" "$T/store" >&2 || fail "the usage error changed the store"

# --connect resumes: the links are made again, and the store is connected
rc=0
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" --connect \
	>"$T/out5" 2>"$T/err5" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/err5" >&2; fail "pipelines/run --connect exited $rc"; }
grep -q 'bin/itg-transform -p .* --connect' "$T/err5" || fail "itg-transform did not get --connect"
grep -q 'itg-mock: GET' "$T/mock.err" || fail "the --connect run fetched nothing"
assert_eq connected "$(jq -r .status "$T/store/integration.json")" "status after --connect"
assert_eq null "$(jq -r .disconnected_by "$T/store/integration.json")" "disconnected_by after --connect"
assert_eq "$links" "$(wc -l <"$T/store/links.csv")" "links.csv lines after --connect"
tail -1 "$T/store/audit.ndjson" | jq -e '.table == "integration" and .before.status == "disconnected" and .after.status == "connected"' >/dev/null ||
	fail "audit.ndjson does not record the reconnection: $(tail -1 "$T/store/audit.ndjson")"
echo "ok: --connect resumed"

# and the next plain run goes through again
rc=0
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >"$T/out6" 2>"$T/err6" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/err6" >&2; fail "the run after --connect exited $rc"; }
assert_no_canary "$T/out" "$T/store" "$T/out2" "$T/err2" "$T/err3" "$T/err5"
