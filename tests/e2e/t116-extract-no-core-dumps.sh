#!/bin/sh
# t116-extract-no-core-dumps: a running itg-extract can leave no core file
# (the key and personal data would be in it): its core size limit is 0,
# soft and hard, and it is not dumpable, which /proc shows by giving its
# files to root instead of the user it runs as.  The same limit holds in
# every program that starts through cmd_main (itg-mock here).
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)

# wait_for_connection PID: until (up to 10 s) PID is itg-extract (setpriv
# has exec'd it) with a TCP connection open, that is, it is past its start
# and waiting for the mock's answer.  A socket alone is not enough: one the
# test itself inherited would show before the exec.
wait_for_connection() {
	_i=0
	until [ "$(cat "/proc/$1/comm" 2>/dev/null)" = itg-extract ] &&
		ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'socket:'; do
		kill -0 "$1" 2>/dev/null || { cat "$T/log" >&2; fail "itg-extract ended early"; }
		_i=$((_i + 1))
		[ "$_i" -le 200 ] || fail "itg-extract opened no connection within 10 s"
		sleep 0.05
	done
}

# core_limit_is_zero PID WHAT
core_limit_is_zero() {
	_line=$(grep "^Max core file size" "/proc/$1/limits") || { cat "$T/log" >&2 2>/dev/null; fail "$2: no /proc/$1/limits"; }
	echo "$2: $_line"
	set -- "$1" "$2" $_line
	# Max core file size SOFT HARD bytes
	assert_eq "0 0" "$7 $8" "$2: core file size limits (soft hard)"
}

# Answers are held back 10 s: the extraction is running while we look.
mock_start --data "$ITG_REPO/fixtures/itglue" --latency-ms 10000
core_limit_is_zero "$MOCK_PID" itg-mock

# As root every /proc file is root's anyway: run the extraction as nobody,
# so that a dumpable process would show its own uid.
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null || fail "setpriv (util-linux) is missing"
	chmod 711 "$T"
	mkdir -m 777 "$T/out"
	run_as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	uid=65534
else
	mkdir "$T/out"
	run_as=
	uid=$(id -u)
fi
# shellcheck disable=SC2086
$run_as "$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/snap" \
	--resources organization_types --timeout 30 2>"$T/log" &
pid=$!
wait_for_connection "$pid"
core_limit_is_zero "$pid" itg-extract
owner=$(stat -c %u "/proc/$pid/status") || { cat "$T/log" >&2; fail "itg-extract is not running"; }
echo "itg-extract runs as uid $uid; /proc/$pid/status belongs to uid $owner"
assert_eq "$uid" "$(awk '/^Uid:/ { print $3 }' "/proc/$pid/status")" "effective uid of itg-extract"
assert_eq 0 "$owner" "owner of /proc/PID/status (0: not dumpable)"
[ "$uid" -ne 0 ] || fail "cannot tell dumpable from not as root"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq 1 "$rc" "exit code of the interrupted extraction"
assert_no_canary "$T/log"
exit 0
