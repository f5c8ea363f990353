#!/bin/sh
# t103-extract-auth: a refused key (403) or resource (401) is not retried:
# exit 3 with a message naming the key, the region and the allowlist, no
# snapshot left behind, and a snapshot from an earlier run untouched.  Other
# refusals (422 page size, 404 HTML) exit 1 with a summary and a hint.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
DATA=$ITG_REPO/fixtures/itglue

mock_start --data "$DATA" --deny-resource contacts --log-requests
mkdir -p "$T/out/snap"
echo previous >"$T/out/snap/marker"

# A wrong key: 403 {"message":"Forbidden"}.
rc=0
ITGLUE_API_KEY=ITG.wrong-key "$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/snap" \
	2>"$T/log403" || rc=$?
assert_eq 3 "$rc" "exit code on 403"
assert_contains "$T/log403" "HTTP 403" "403 message"
assert_contains "$T/log403" "Forbidden" "403 body summary"
assert_contains "$T/log403" "key is wrong or revoked" "403 names the key"
assert_contains "$T/log403" "another region" "403 names the region"
assert_contains "$T/log403" "$MOCK_URL" "403 names the base URL"
assert_contains "$T/log403" "allowlist" "403 names the allowlist"
assert_not_contains "$T/log403" "retry" "403 retried"
assert_eq 1 "$(grep -c 'GET /organizations' "$E2E_TMP/mock.err")" "requests for organizations"
assert_eq "snap" "$(ls -A "$T/out")" "output parent after 403"
assert_eq "previous" "$(cat "$T/out/snap/marker")" "earlier snapshot"

# A key without access to a resource: 401 JSON:API errors.
rc=0
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/new" 2>"$T/log401" || rc=$?
assert_eq 3 "$rc" "exit code on 401"
assert_contains "$T/log401" "access to contacts (HTTP 401" "401 names the resource"
assert_contains "$T/log401" "lack access to this resource" "401 names the cause"
assert_contains "$T/log401" "another region" "401 names the region"
assert_contains "$T/log401" "allowlist" "401 names the allowlist"
assert_eq "snap" "$(ls -A "$T/out")" "output parent after 401"

# The same pipeline without contacts works with that key.
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/new" \
	--resources organizations,domains 2>"$T/log-ok" || { cat "$T/log-ok" >&2; fail "run without contacts"; }

# No key at all is a usage error (2) that says where a key comes from.
rc=0
ITGLUE_API_KEY= "$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/nokey" 2>"$T/log-nokey" || rc=$?
assert_eq 2 "$rc" "exit code without a key"
assert_contains "$T/log-nokey" "ITGLUE_API_KEY" "no-key message"
# A key file readable by others is refused.
printf '%s\n' "$E2E_CANARY" >"$T/key"
chmod 644 "$T/key"
rc=0
ITGLUE_API_KEY= "$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/nokey" \
	--api-key-file "$T/key" 2>"$T/log-keymode" || rc=$?
assert_eq 2 "$rc" "exit code with an open key file"
assert_contains "$T/log-keymode" "chmod 600" "key file mode message"
[ ! -e "$T/out/nokey" ] || fail "output left after a usage error"

# Plain http to a host that is not loopback is refused before any request.
rc=0
"$ITG_BIN/itg-extract" --base-url http://192.0.2.1 --out "$T/out/x" 2>"$T/log-http" || rc=$?
assert_eq 2 "$rc" "exit code for http to a remote host"
assert_contains "$T/log-http" "loopback" "http message"
assert_contains "$T/log-http" "usage: itg-extract" "synopsis on a usage error"
mock_stop

# 422 on the page size: say to lower --page-size; 404 HTML: summarised, not printed.
mock_start --data "$DATA" --max-page-size 100
rc=0
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/refused" 2>"$T/log422" || rc=$?
assert_eq 1 "$rc" "exit code on 422"
grep -q "HTTP 422 for [a-z_]* page 1" "$T/log422" || fail "422 message names no resource and page"
assert_contains "$T/log422" "lower --page-size (now 1000)" "422 hint"
rc=0
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL/v2" --out "$T/out/refused" --page-size 50 \
	2>"$T/log404" || rc=$?
assert_eq 1 "$rc" "exit code on 404"
assert_contains "$T/log404" "HTML page (" "404 summary"
assert_not_contains "$T/log404" "<" "HTML in the log"
[ ! -e "$T/out/refused" ] || fail "output left after 422/404"
ls -A "$T/out" | grep -q tmp && fail "staging folder left after 422/404"
exit 0
