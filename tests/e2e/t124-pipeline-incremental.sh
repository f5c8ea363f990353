#!/bin/sh
# t124-pipeline-incremental: pipelines/run with itglue.incremental: true,
# run after run as a five-minute schedule would.  The first run has no
# previous snapshot (a full extract); the second starts from the first's
# (out/<name>/latest/snapshot, passed as --since, resolved) and asks only
# what changed: a renamed organization reaches the store.  A previous
# snapshot whose manifest does not read is not passed on: a full extract.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
command -v jq >/dev/null 2>&1 || { echo "skip: jq is missing"; exit 77; }
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/itglue" "$T/data"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bp.yaml" <<YAML
name: e2e-incr
product: bullphish
itglue:
  incremental: true
  full_every: 24h
store: ../store
out: ../out
YAML
mock_start --data "$T/data" --log-requests
LOG=$E2E_TMP/mock.err
OUT=$T/out/e2e-incr

# run N: pipelines/run, its stdout and stderr in $T/runN.*, the mock's requests in $T/runN.req
run() {
	_before=$(wc -l <"$LOG")
	"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >"$T/run$1.out" 2>"$T/run$1.err" ||
		{ cat "$T/run$1.err" >&2; fail "run $1 failed"; }
	tail -n +"$((_before + 1))" "$LOG" | grep ' GET /' >"$T/run$1.req" || true
	cp "$OUT/latest/run.log" "$T/run$1.log"
	cp "$OUT/latest/snapshot/manifest.json" "$T/run$1.manifest"
}

run 1
assert_eq full "$(jq -r .mode "$T/run1.manifest")" "first run"
assert_contains "$T/run1.log" "no previous snapshot ($OUT/latest/snapshot): a full extract" "first run says why"
assert_not_contains "$T/run1.log" "--since" "no --since the first time"
first=$(cd "$OUT/latest/snapshot" && pwd -P)
sleep 1

# the second run, at once: incremental from the first run's snapshot
run 2
assert_eq incremental "$(jq -r .mode "$T/run2.manifest")" "second run"
assert_eq "$first" "$(jq -r .base.path "$T/run2.manifest")" "second run's base"
assert_contains "$T/run2.log" "--since $first" "--since passed"
assert_eq 0 "$(grep -cE 'GET /(organizations|contacts)[?]page%5Bsize%5D=1000&page%5Bnumber%5D=[0-9]+&sort=id ' "$T/run2.req")" "no full walk"
second=$(cd "$OUT/latest/snapshot" && pwd -P)
[ "$first" != "$second" ] || fail "latest did not move"

# IT Glue renames a linked organization; the third run carries it to the store
sleep 1
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
jq --arg now "$now" 'map(if .id == "4" then .attributes.name = "Durham City" | .attributes["updated-at"] = $now else . end)' \
	"$T/data/organizations.json" >"$T/o.json"
mv "$T/o.json" "$T/data/organizations.json"
run 3
assert_eq incremental "$(jq -r .mode "$T/run3.manifest")" "third run"
assert_eq "$second" "$(jq -r .base.path "$T/run3.manifest")" "third run's base"
assert_eq "$(jq -r .started_at "$T/run1.manifest")" "$(jq -r .last_full_at "$T/run3.manifest")" "last full walk: the first run's"
grep -q '^103,Durham City,' "$T/store/organizations.csv" || fail "the rename did not reach the store: $(grep '^103,' "$T/store/organizations.csv")"
assert_le() { [ "$2" -le "$1" ] || fail "$3: $2 requests, at most $1 expected"; }
assert_le 8 "$(wc -l <"$T/run3.req" | tr -d ' ')" "requests of an incremental run"

# a previous snapshot whose manifest does not read: not passed on, a full extract
chmod u+w "$OUT/latest/snapshot/manifest.json"
printf '{' >"$OUT/latest/snapshot/manifest.json"
run 4
assert_eq full "$(jq -r .mode "$T/run4.manifest")" "after a broken previous snapshot"
assert_contains "$T/run4.log" "the previous snapshot cannot serve as a base (" "run.log says why"
assert_not_contains "$T/run4.log" "--since" "no --since after a broken snapshot"
mock_stop
assert_no_canary "$T/out"
exit 0
