#!/bin/sh
# Two runs of one pipeline never overlap: while another process holds
# out/<name>/.lock, pipelines/run exits 4 at once without making a run folder;
# once the lock is free it runs.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

e2e_tmp >/dev/null
T=$E2E_TMP
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bullphish.yaml" <<YAML
name: e2e-lock
product: bullphish
store: ../store
out: ../out
YAML
mkdir -p "$T/out/e2e-lock"

mock_start --data "$ITG_REPO/fixtures/itglue"

# Hold the lock in this shell (an open file description of our own) and
# keep it from the child.
exec 8>>"$T/out/e2e-lock/.lock"
flock -n 8 || fail "cannot take the lock for the test"
rc=0
"$ITG_REPO/pipelines/run" "$T/p/bullphish.yaml" --base-url "$MOCK_URL" \
	>"$T/stdout" 2>"$T/stderr" 8>&- || rc=$?
assert_eq 4 "$rc" "exit code while the lock is held"
assert_contains "$T/stderr" ".lock" "message names the lock"
[ -z "$(find "$T/out/e2e-lock" -mindepth 1 -maxdepth 1 -type d -name "*T*Z")" ] ||
	fail "a run folder was made while the lock was held"
exec 8>&-

rc=0
"$ITG_REPO/pipelines/run" "$T/p/bullphish.yaml" --base-url "$MOCK_URL" \
	>"$T/stdout" 2>"$T/stderr" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "run after the lock was freed exited $rc"; }
