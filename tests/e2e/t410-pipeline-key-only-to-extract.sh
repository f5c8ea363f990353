#!/bin/sh
# Only itg-extract gets the API key in its environment, whether it came
# from ITGLUE_API_KEY or from the systemd credential; every stage gets
# ITG_RUN_ID; every line of run.log starts with the UTC time.  The stages
# here are the real ones behind wrappers (via ITG_BIN) that save their
# environment first.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mkdir "$T/p" "$T/bin" "$T/cred"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bp.yaml" <<YAML
name: e2e-env
product: bullphish
store: ../store
out: ../out
YAML
for stage in itg-extract itg-transform itg-load; do
	cat >"$T/bin/$stage" <<SH
#!/bin/sh
env >"$T/env.$stage"
exec "$ITG_BIN/$stage" "\$@"
SH
	chmod 700 "$T/bin/$stage"
done
ln -s "$ITG_BIN/itg-run" "$T/bin/itg-run"
mock_start --data "$ITG_REPO/fixtures/itglue"
# the test server has the key; the run must see it only as ITGLUE_API_KEY
# (E2E_CANARY stays a variable of this script, not of the environment)
canary=$E2E_CANARY
unset ITG_MOCK_API_KEY E2E_CANARY
E2E_CANARY=$canary

check_env() {
	_run=$(readlink "$T/out/e2e-env/latest")
	grep -qx "ITGLUE_API_KEY=$E2E_CANARY" "$T/env.itg-extract" ||
		fail "$1: itg-extract did not get the key"
	for _s in itg-transform itg-load; do
		! grep -q '^ITGLUE_API_KEY=' "$T/env.$_s" || fail "$1: $_s got the API key"
		! grep -qF "$E2E_CANARY" "$T/env.$_s" || fail "$1: $_s saw the key's value"
	done
	for _s in itg-extract itg-transform itg-load; do
		grep -qx "ITG_RUN_ID=$_run" "$T/env.$_s" || fail "$1: $_s lacks ITG_RUN_ID=$_run"
	done
	_bad=$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z ' \
		"$T/out/e2e-env/$_run/run.log") || true
	assert_eq 0 "$_bad" "$1: run.log lines without the time"
	assert_contains "$T/out/e2e-env/$_run/run.log" "Z INFO itg-load: run $_run" "run.log"
	rm -f "$T"/env.*
}

# 1. the key in the environment
rc=0
ITG_BIN=$T/bin "$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" \
	>"$T/stdout" 2>"$T/stderr" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "run with ITGLUE_API_KEY exited $rc"; }
check_env ITGLUE_API_KEY

# 2. the key as a systemd credential (LoadCredential=itglue-api-key:...)
printf '%s\n' "$E2E_CANARY" >"$T/cred/itglue-api-key"
chmod 600 "$T/cred/itglue-api-key"
sleep 1
rc=0
env -u ITGLUE_API_KEY CREDENTIALS_DIRECTORY="$T/cred" ITG_BIN="$T/bin" \
	"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" \
	>"$T/stdout" 2>"$T/stderr" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "run with the credential exited $rc"; }
check_env credential
assert_no_canary "$T/out" "$T/store" "$T/stdout" "$T/stderr"

# 3. a credential that is not a plain file (a FIFO) is refused at once, by
# name, before anything runs: never waited on, never "no key"
rm -f "$T/cred/itglue-api-key"
mkfifo "$T/cred/itglue-api-key"
rc=0
env -u ITGLUE_API_KEY CREDENTIALS_DIRECTORY="$T/cred" ITG_BIN="$T/bin" \
	timeout 10 "$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" \
	>"$T/stdout" 2>"$T/stderr" || rc=$?
assert_eq 2 "$rc" "a FIFO credential: exit code"
assert_contains "$T/stderr" "itglue-api-key is a FIFO, not a regular file" "a FIFO credential"
