#!/bin/sh
# t204-transform-refusals: one store, one integration (docs/contract.md sections 6
# and 10).  A store whose integration.json binds it to another product,
# another pipeline name or another IT Glue account, or says the operator
# disconnected it, is refused with exit 4 and a message naming what it is
# bound to and the way out, and no plan is written; --connect then plans
# (manifest "connect": true); a key refused by IT Glue (disconnected_by:
# itglue) is not refused; --disconnect needs no snapshot, and is refused
# for a store bound elsewhere; --connect with --disconnect is a usage error.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
P=$ITG_REPO/pipelines/bullphish.yaml
mock_start --data "$ITG_REPO/fixtures/itglue"
"$ITG_BIN/itg-extract" -p "$P" --base-url "$MOCK_URL" --out "$T/snap" 2>"$T/extract.log" ||
	{ cat "$T/extract.log" >&2; fail "itg-extract failed"; }
mock_stop
assert_contains "$T/snap/manifest.json" '"primary_organization_id": "1"' "snapshot account"

STATE='"status":"connected","region":"us","last_sync":"2026-01-15T05:00:00.000Z","last_error":null'
OURS='"product":"bullphish","pipeline":"bullphish-demo","itglue_account":{"primary_organization_id":"1","primary_organization_name":"Kaseya Partner MSP"}'

# store INTEGRATION_JSON: a fresh copy of the fixture store with that integration.json
store() {
	rm -rf "$T/store" "$T/store.before" "$T/out" && mkdir -p "$T/out"
	cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
	printf '%s\n' "$1" >"$T/store/integration.json"
	cp -R "$T/store" "$T/store.before"
}

# transform [ARGS...]: itg-transform on $T/store into $T/out/plan; sets rc
transform() {
	rc=0
	"$ITG_BIN/itg-transform" -p "$P" --store "$T/store" --out "$T/out/plan" "$@" \
		2>"$T/err" || rc=$?
}

# refused WHAT TEXT: exit 4, the message, no plan, the store untouched
refused() {
	assert_eq 4 "$rc" "$1: exit code"
	assert_contains "$T/err" "$T/store/integration.json: $2" "$1: message"
	assert_contains "$T/err" "point \`store:\` at this pipeline's own store, or re-bind this one on purpose with \`pipelines/run $P --connect\` (or \`itg-transform --connect\`)" "$1: the way out"
	[ -z "$(ls -A "$T/out")" ] || fail "$1: left $(ls -A "$T/out")"
	diff -r "$T/store.before" "$T/store" >&2 || fail "$1: the store changed"
}

# bound to this integration: planned, not re-binding
store "{$STATE,$OURS}"
transform --snapshot "$T/snap"
[ "$rc" -eq 0 ] || { cat "$T/err" >&2; fail "a store bound to this integration was refused"; }
assert_contains "$T/out/plan/manifest.json" '"connect": false' "manifest connect"

store "{$STATE,\"product\":\"darkwebid\",\"pipeline\":\"darkwebid-demo\"}"
transform --snapshot "$T/snap"
refused "another product" "this store is bound to product darkwebid (Dark Web ID), and pipeline $P is bullphish"
# --connect re-binds on purpose: it plans, and says so
transform --snapshot "$T/snap" --connect
[ "$rc" -eq 0 ] || { cat "$T/err" >&2; fail "--connect did not plan"; }
assert_contains "$T/out/plan/manifest.json" '"connect": true' "manifest connect after --connect"
assert_contains "$T/out/plan/plan.ndjson" '"reason":"itglue_deleted"' "the --connect plan"

store "{$STATE,\"product\":\"bullphish\",\"pipeline\":\"bullphish-nightly\"}"
transform --snapshot "$T/snap"
refused "another pipeline" "this store is bound to pipeline \"bullphish-nightly\", not \"bullphish-demo\" ($P)"
# --disconnect is refused too: it would remove the other pipeline's links
transform --disconnect
refused "--disconnect of another pipeline's store" "this store is bound to pipeline \"bullphish-nightly\""

store "{$STATE,\"product\":\"bullphish\",\"pipeline\":\"bullphish-demo\",\"itglue_account\":{\"primary_organization_id\":\"4242\",\"primary_organization_name\":\"Other MSP\"}}"
transform --snapshot "$T/snap"
refused "another account" "this store is bound to IT Glue account 4242 (Other MSP), and snapshot $T/snap is of account 1 (Kaseya Partner MSP)"
# a snapshot naming no account is no proof of the same account
mkdir "$T/snap-noaccount"
cp "$T/snap/"*.gz "$T/snap-noaccount/"
sed 's/"primary_organization_id": "1"/"primary_organization_id": null/; s/"primary_organization_name": "Kaseya Partner MSP"/"primary_organization_name": null/' \
	"$T/snap/manifest.json" >"$T/snap-noaccount/manifest.json"
store "{$STATE,$OURS}"
transform --snapshot "$T/snap-noaccount"
refused "a snapshot with no account" "this store is bound to IT Glue account 1 (Kaseya Partner MSP), and snapshot $T/snap-noaccount names no account"

# disconnected by the operator: refused until --connect
store '{"status":"disconnected","region":"us","last_sync":"2026-01-15T05:00:00.000Z","last_error":null,"product":"bullphish","pipeline":"bullphish-demo","disconnected_by":"operator"}'
transform --snapshot "$T/snap"
assert_eq 4 "$rc" "disconnected by the operator: exit code"
assert_contains "$T/err" "$T/store/integration.json: the integration was disconnected on purpose (disconnected_by: operator), so nothing is planned for this store: resume it with \`pipelines/run $P --connect\` (or \`itg-transform --connect\`)" "disconnected by the operator: message"
[ -z "$(ls -A "$T/out")" ] || fail "disconnected by the operator: left a plan"
# disconnecting again is harmless
transform --disconnect
[ "$rc" -eq 0 ] || { cat "$T/err" >&2; fail "--disconnect of a disconnected store was refused"; }
rm -rf "$T/out/plan"
transform --snapshot "$T/snap" --connect
[ "$rc" -eq 0 ] || { cat "$T/err" >&2; fail "--connect did not resume"; }
assert_contains "$T/out/plan/manifest.json" '"connect": true' "manifest connect on resume"

# a key refused by IT Glue is no decision of the operator's: not refused
store '{"status":"disconnected","region":"us","last_sync":"2026-01-15T05:00:00.000Z","last_error":"IT Glue refused the API key (HTTP 401/403)","disconnected_by":"itglue"}'
transform --snapshot "$T/snap"
[ "$rc" -eq 0 ] || { cat "$T/err" >&2; fail "disconnected_by itglue was refused"; }

# --disconnect needs no snapshot (IT Glue unreachable, the key revoked)
store "{$STATE,$OURS}"
transform --disconnect
[ "$rc" -eq 0 ] || { cat "$T/err" >&2; fail "--disconnect without --snapshot failed"; }
assert_eq 5 "$(grep -c '"reason":"disconnect"' "$T/out/plan/plan.ndjson")" "disconnect lines"
assert_eq 5 "$(wc -l <"$T/out/plan/plan.ndjson" | tr -d ' ')" "disconnect plan lines"
tr -d ' \n' <"$T/out/plan/manifest.json" |
	grep -qF '"disconnect":true,"connect":false,"integration_status":"disconnected","snapshot":{"path":null,"region":null,"base_url":null,"started_at":null,"finished_at":null,"account":{"primary_organization_id":null,"primary_organization_name":null}' ||
	fail "manifest of --disconnect without a snapshot: $(cat "$T/out/plan/manifest.json")"
# ... and loads: the store is disconnected, its orgs kept
"$ITG_BIN/itg-load" -p "$P" --store "$T/store" --plan "$T/out/plan" --report "$T/out/report" \
	2>"$T/load.err" || { cat "$T/load.err" >&2; fail "itg-load of the --disconnect plan failed"; }
assert_eq 1 "$(wc -l <"$T/store/links.csv" | tr -d ' ')" "links.csv after the disconnect (header only)"
assert_eq disconnected "$(jq -r .status "$T/store/integration.json")" "integration status"

# an ordinary plan still needs a snapshot; --connect and --disconnect exclude each other
rm -rf "$T/out" && mkdir "$T/out"
transform
assert_eq 2 "$rc" "no --snapshot: exit code"
assert_contains "$T/err" "--snapshot DIR and --out PLANDIR are required" "no --snapshot: message"
transform --snapshot "$T/snap" --connect --disconnect
assert_eq 2 "$rc" "--connect --disconnect: exit code"
assert_contains "$T/err" "--connect and --disconnect exclude each other" "--connect --disconnect"
[ -z "$(ls -A "$T/out")" ] || fail "a usage error left a plan"
