#!/bin/sh
# SIGTERM (and SIGHUP) to pipelines/run during a slow extract: the extract
# ends with it (no itg-extract process left), no later stage runs, latest
# stays, the store is byte-identical but for integration.json, which keeps
# the status it had and its last_sync and says in last_error that the run
# was interrupted; the exit code is 1.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bp.yaml" <<YAML
name: e2e-term
product: bullphish
store: ../store
out: ../out
YAML

# every file of the store but integration.json, with its bytes and mode
store_state() {
	(cd "$T/store" && find . -type f ! -name integration.json -exec sha256sum {} + | sort &&
		find . ! -name integration.json -printf '%p %m\n' | sort)
}
# pids of itg-extract processes writing under this test's out/
extract_pids() {
	for _p in /proc/[0-9]*; do
		_cmd=$(tr '\0' ' ' <"$_p/cmdline" 2>/dev/null) || continue
		case $_cmd in
		*itg-extract*"$T/out/"*) echo "${_p#/proc/}" ;;
		esac
	done
}

# A good run first: a status and a last sync to keep.
mock_start --data "$ITG_REPO/fixtures/itglue"
"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >"$T/out0" 2>"$T/err0" ||
	{ cat "$T/err0" >&2; fail "the first run failed"; }
mock_stop
good=$(readlink "$T/out/e2e-term/latest")
last_sync=$(jq -r .last_sync "$T/store/integration.json")
store_state >"$T/before"

mock_start --data "$ITG_REPO/fixtures/itglue" --latency-ms 1500
for sig in TERM HUP; do
	"$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >"$T/out.$sig" 2>"$T/err.$sig" &
	pid=$!
	i=0
	while [ -z "$(extract_pids)" ]; do
		i=$((i + 1))
		[ "$i" -le 100 ] || { kill "$pid"; fail "SIG$sig: itg-extract did not start within 10 s"; }
		sleep 0.1
	done
	sleep 0.5
	kill -"$sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq 1 "$rc" "exit code after SIG$sig"
	left=$(extract_pids)
	[ -z "$left" ] || fail "SIG$sig: itg-extract still running: $left"
	assert_contains "$T/err.$sig" "interrupted by SIG$sig during itg-extract" "stderr"
	assert_not_contains "$T/err.$sig" "bin/itg-transform" "stderr"
	assert_eq connected "$(jq -r .status "$T/store/integration.json")" "status after SIG$sig"
	assert_eq "$last_sync" "$(jq -r .last_sync "$T/store/integration.json")" "last_sync after SIG$sig"
	jq -r .last_error "$T/store/integration.json" | grep -q "interrupted by SIG$sig" ||
		fail "SIG$sig: last_error does not say interrupted"
	assert_eq "$good" "$(readlink "$T/out/e2e-term/latest")" "latest after SIG$sig"
	store_state >"$T/after"
	assert_file_eq "$T/before" "$T/after"
	run=$(find "$T/out/e2e-term" -mindepth 1 -maxdepth 1 -type d -newer "$T/before" -name '*T*Z' | sort | tail -n 1)
	assert_contains "$run/run.log" "interrupted by SIG$sig" "run.log"
	[ ! -e "$run/snapshot" ] || fail "SIG$sig: a snapshot was published"
	sleep 1   # a new second, a new run id
	touch "$T/before"
done
assert_no_canary "$T/out" "$T/store" "$T/err.TERM" "$T/err.HUP"
