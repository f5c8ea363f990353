#!/bin/sh
# t011-mock-faults: itg-mock's injected faults do what clients must survive:
# 5xx (JSON or HTML), dropped connections, truncated and malformed bodies,
# latency and a server that never answers; a fault seed replays a sequence.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
DATA=$ITG_REPO/fixtures/itglue

# get PATH [curl args...]: body in $T/body, headers in $T/headers; prints
# "STATUS CURL_EXIT".
get() {
	_path=$1
	shift
	_rc=0
	_code=$(curl -sS -g -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		-H "x-api-key: $E2E_CANARY" "$@" "$MOCK_URL$_path" 2>"$T/curl.err") || _rc=$?
	echo "$_code $_rc"
}
header_length() {
	tr -d '\r' <"$T/headers" | sed -n 's/^Content-Length: //p'
}
body_length() {
	wc -c <"$T/body" | tr -d ' '
}

# 5xx with a JSON:API body.
mock_start --data "$DATA" --fail-rate 1
case $(get /organizations) in
"500 0" | "502 0" | "503 0") ;;
*) fail "--fail-rate 1: expected a 5xx, got $(get /organizations)" ;;
esac
assert_contains "$T/body" '{"errors":[{"status":"50' "5xx body"
# Faults apply to data routes only.
assert_eq "404 0" "$(get /nowhere)" "unknown route under --fail-rate 1"
mock_stop

# 502 as an HTML page.
mock_start --data "$DATA" --fail-rate 1 --fail-html-rate 1
assert_eq "502 0" "$(get /contacts)" "HTML 502"
assert_contains "$T/headers" "Content-Type: text/html" "502 content type"
assert_contains "$T/body" "<title>502 Bad Gateway</title>" "502 body"
mock_stop

# Dropped connection: full Content-Length announced, half the body, then closed.
mock_start --data "$DATA" --drop-rate 1
assert_eq "200 18" "$(get /contacts)" "dropped answer (curl: partial file)"
[ "$(body_length)" -lt "$(header_length)" ] || fail "dropped body is not shorter than Content-Length"
mock_stop

# Truncated: a 200 whose short body matches its short Content-Length.
mock_start --data "$DATA" --truncate-rate 1
assert_eq "200 0" "$(get /organizations)" "truncated answer"
assert_eq "$(header_length)" "$(body_length)" "truncated body length"
[ "$(tail -c 1 "$T/body")" != "}" ] || fail "truncated body still ends the document"
assert_contains "$T/body" '{"data":[' "truncated body starts like a page"
mock_stop

# Malformed: a 200 whose JSON is broken.
mock_start --data "$DATA" --malformed-rate 1
assert_eq "200 0" "$(get /organizations)" "malformed answer"
assert_contains "$T/body" '"data":[,,' "malformed body"
mock_stop

# Latency.
mock_start --data "$DATA" --latency-ms 300
_t=$(curl -sS -o /dev/null -w '%{time_total}' -H "x-api-key: $E2E_CANARY" "$MOCK_URL/contact_types")
case $_t in
0.[012]*) fail "--latency-ms 300: answered in $_t s" ;;
esac
mock_stop

# Hang: the connection is accepted, never answered, and SIGTERM still stops the mock.
mock_start --data "$DATA" --hang
assert_eq "000 28" "$(get /organizations --max-time 1)" "hanging server (curl: timeout)"
_start=$(date +%s)
mock_stop
[ $(($(date +%s) - _start)) -le 3 ] || fail "itg-mock took over 3 s to stop while hanging"

# The same fault seed replays the same sequence.
sequence() {
	mock_start --data "$DATA" --fail-rate 0.5 --fault-seed "$1"
	_s=
	for _i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		_s="$_s$(get /organization_statuses | cut -d' ' -f1) "
	done
	mock_stop
	echo "$_s"
}
_a=$(sequence 42)
_b=$(sequence 42)
assert_eq "$_a" "$_b" "status sequence of --fault-seed 42"
case $_a in
*200*) ;;
*) fail "--fail-rate 0.5 never answered 200: $_a" ;;
esac
case $_a in
*50[023]*) ;;
*) fail "--fail-rate 0.5 never failed: $_a" ;;
esac
assert_no_canary "$T"
exit 0
