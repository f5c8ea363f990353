# lib.sh - helpers sourced by every tests/e2e/tNNN-*.sh script (POSIX sh).
#
#   . "${ITG_REPO:-.}/tests/e2e/lib.sh"
#
# Gives: ITG_BIN (binaries, default bin/), ITG_REPO (repository top),
#   e2e_tmp                 print the script's private temp folder (removed on exit)
#   mock_start [ARGS...]    start $ITG_BIN/itg-mock on a free port; sets MOCK_URL, MOCK_PID
#   mock_stop               stop it (SIGTERM) and fail if it did not exit 0
#   fail MESSAGE            print "FAIL: MESSAGE" and exit 1
#   assert_eq WANT GOT [WHAT]
#   assert_file_eq WANT_FILE GOT_FILE     (diff -u)
#   assert_contains FILE TEXT [WHAT]      (fixed string)
#   assert_not_contains FILE TEXT [WHAT]
#   assert_no_canary FILE...              the API key appears in none of them
# A canary key ITG.canary-<random> is exported as both ITG_MOCK_API_KEY and
# ITGLUE_API_KEY, so a test can grep every output for $E2E_CANARY.
# One EXIT trap stops the mock and removes the temp folder.

set -eu

ITG_REPO=${ITG_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
ITG_BIN=${ITG_BIN:-bin}
case $ITG_BIN in
/*) ;;
*) ITG_BIN=$ITG_REPO/$ITG_BIN ;;
esac
export ITG_REPO ITG_BIN

E2E_CANARY="ITG.canary-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
ITG_MOCK_API_KEY=$E2E_CANARY
ITGLUE_API_KEY=$E2E_CANARY
export E2E_CANARY ITG_MOCK_API_KEY ITGLUE_API_KEY

E2E_TMP=
MOCK_PID=
MOCK_URL=

e2e_cleanup() {
	if [ -n "$MOCK_PID" ]; then
		kill "$MOCK_PID" 2>/dev/null || true
		wait "$MOCK_PID" 2>/dev/null || true
	fi
	if [ -n "$E2E_TMP" ]; then
		rm -rf "$E2E_TMP"
	fi
}
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Made now, not lazily: T=$(e2e_tmp) runs in a subshell and could not set it.
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/itg-e2e.XXXXXX")

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

e2e_tmp() {
	echo "$E2E_TMP"
}

# load_wait_at_switch PID FILE: waits (up to 30 s) until the itg-load PID,
# started with ITG_LOAD_PAUSE_BEFORE_SWITCH=FILE, holds at the switch
# (FILE.waiting exists); touching FILE lets it go on.  Fails if it ends first.
load_wait_at_switch() {
	_i=0
	while [ ! -e "$2.waiting" ]; do
		kill -0 "$1" 2>/dev/null || { cat err >&2 2>/dev/null; fail "itg-load ended before the switch"; }
		_i=$((_i + 1))
		[ $_i -le 300 ] || fail "itg-load did not reach the switch within 30 s"
		sleep 0.1
	done
}

# mock_start [itg-mock args...]: waits (up to 10 s) for the port file.
mock_start() {
	[ -z "$MOCK_PID" ] || fail "mock_start: a mock is already running"
	_port_file=$E2E_TMP/mock.port
	rm -f "$_port_file"
	"$ITG_BIN/itg-mock" --port 0 --port-file "$_port_file" "$@" \
		>"$E2E_TMP/mock.out" 2>"$E2E_TMP/mock.err" &
	MOCK_PID=$!
	_i=0
	while [ ! -s "$_port_file" ]; do
		if ! kill -0 "$MOCK_PID" 2>/dev/null; then
			cat "$E2E_TMP/mock.err" >&2
			MOCK_PID=
			fail "itg-mock exited before listening (args: $*)"
		fi
		_i=$((_i + 1))
		[ "$_i" -le 200 ] || fail "itg-mock did not start within 10 s"
		sleep 0.05
	done
	MOCK_URL=http://127.0.0.1:$(cat "$_port_file")
	export MOCK_URL MOCK_PID
}

mock_stop() {
	[ -n "$MOCK_PID" ] || return 0
	kill "$MOCK_PID"
	_rc=0
	wait "$MOCK_PID" || _rc=$?
	MOCK_PID=
	if [ "$_rc" -ne 0 ]; then
		cat "$E2E_TMP/mock.err" >&2
		fail "itg-mock exited with $_rc on SIGTERM"
	fi
}

assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: expected '$1', got '$2'"
}

assert_file_eq() {
	diff -u "$1" "$2" >&2 || fail "$2 differs from $1"
}

assert_contains() {
	grep -qF -- "$2" "$1" || fail "${3:-$1}: does not contain '$2'"
}

assert_not_contains() {
	! grep -qF -- "$2" "$1" || fail "${3:-$1}: contains '$2'"
}

assert_no_canary() {
	for _f in "$@"; do
		! grep -rqF -- "$E2E_CANARY" "$_f" || fail "$_f: contains the API key"
	done
}

# Snapshots made by itg-extract against the mock, for the tests of
# incremental runs.  snap_extract NAME ARGS...: runs itg-extract into
# $T/NAME, its log in $T/NAME.log, the mock's request lines of that run
# (mock_start --log-requests) in $T/NAME.req.
snap_extract() {
	_name=$1
	shift
	_before=$(wc -l <"$E2E_TMP/mock.err")
	"$ITG_BIN/itg-extract" "$@" --out "$T/$_name" 2>"$T/$_name.log" ||
		{ cat "$T/$_name.log" >&2; fail "itg-extract $_name failed"; }
	tail -n +"$((_before + 1))" "$E2E_TMP/mock.err" | grep ' GET /' >"$T/$_name.req" || true
}
# snap_requests NAME PATTERN: how many requests of run NAME match (grep -E)
snap_requests() { grep -cE "$2" "$T/$1.req" || true; }
# snap_same_files A B: snapshot B has the resource files of A, each
# byte-identical, and the same manifest entries for them
snap_same_files() {
	for _f in "$T/$1"/*.ndjson.gz; do
		cmp "$_f" "$T/$2/$(basename "$_f")" || fail "$2/$(basename "$_f") differs from $1's"
	done
	assert_eq "$(cd "$T/$1" && ls ./*.ndjson.gz)" "$(cd "$T/$2" && ls ./*.ndjson.gz)" "files of $2"
	assert_eq "$(jq -c .resources "$T/$1/manifest.json")" "$(jq -c .resources "$T/$2/manifest.json")" \
		"manifest resources of $2"
}
