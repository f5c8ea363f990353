#!/bin/sh
# t114-extract-echoed-key: a server that quotes the x-api-key it was sent
# (plain and percent-encoded) in every error body: 403, 401, 422, 500, 502
# HTML and 503 text lines.  The key (a random canary) appears in no log
# line, human or json, and in no output; the logs show "[key]" where the
# server quoted it, so the quote did reach the log and was scrubbed.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
DATA=$ITG_REPO/fixtures/itglue
mkdir "$T/out"

# extract NAME WANT_RC ARGS...: one run in each log format; its logs are
# $T/NAME.human and $T/NAME.json, its output $T/out/NAME.*
extract() {
	_name=$1 _want=$2
	shift 2
	for _fmt in human json; do
		_rc=0
		"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/$_name.$_fmt" --rate 100 \
			--verbose --log-format "$_fmt" "$@" >"$T/$_name.$_fmt.stdout" \
			2>"$T/$_name.$_fmt" || _rc=$?
		assert_eq "$_want" "$_rc" "exit code of $_name ($_fmt)"
		assert_no_canary "$T/$_name.$_fmt" "$T/$_name.$_fmt.stdout"
		[ ! -d "$T/out/$_name.$_fmt" ] || assert_no_canary "$T/out/$_name.$_fmt"
		assert_contains "$T/$_name.$_fmt" "[key]" "the scrubbed quote in $_name ($_fmt)"
	done
}

# 403: a key the server refuses, and quotes (the canary is part of it)
mock_start --data "$DATA" --echo-key
ITGLUE_API_KEY="$E2E_CANARY-revoked"
export ITGLUE_API_KEY
extract refused 3
assert_contains "$T/refused.human" "HTTP 403" "403 message"
ITGLUE_API_KEY=$E2E_CANARY
export ITGLUE_API_KEY

mock_stop

# 422 on page 1 (taken for a refused sort=id: a warning, asked again), then
# on the page size again (fatal)
mock_start --data "$DATA" --echo-key --no-sort contacts --max-page-size 5
extract nosort 1 --page-size 10
assert_contains "$T/nosort.human" "asking again without sort=id" "the 422 warning"
assert_contains "$T/nosort.human" "HTTP 422" "the 422 error"
mock_stop

# 401 on one resource
mock_start --data "$DATA" --echo-key --deny-resource contacts
extract denied 3
assert_contains "$T/denied.human" "HTTP 401" "401 message"
mock_stop

# 500, 502 (HTML), 503 (a text line) retried until the run succeeds
mock_start --data "$DATA" --echo-key --fail-rate 0.4 --fail-html-rate 0.2 --fault-seed 3
extract retried 0 --page-size 5 --retries 20
mock_stop
grep -q 'HTTP 50[0-3] ([^)]*\[key\]' "$T/retried.human" || fail "no retry line quoted the scrubbed key"
assert_contains "$T/retried.human" "Service Unavailable; request x-api-key: [key] (as sent: [key])" "the 503 text line"
exit 0
