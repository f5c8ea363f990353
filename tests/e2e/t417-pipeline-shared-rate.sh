#!/bin/sh
# Two pipelines of one IT Glue account with one `out` folder, started
# together, never extract at the same time (IT Glue's rate budget is per
# account): the second waits for OUT/.itglue-<host>.lock, says so, and both
# succeed; the mock's request log shows one walk after the other.  A lock
# held longer than ITG_EXTRACT_LOCK_WAIT is exit 4 with nothing fetched.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

e2e_tmp >/dev/null
T=$E2E_TMP
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store-b"
cp -R "$ITG_REPO/fixtures/stores/darkwebid" "$T/store-d"
# small pages: each extract takes a few seconds at 8 requests per second
cat >"$T/p/bullphish.yaml" <<YAML
name: e2e-rate-bullphish
product: bullphish
itglue:
  page_size: 2
store: ../store-b
out: ../out
YAML
cat >"$T/p/darkwebid.yaml" <<YAML
name: e2e-rate-darkwebid
product: darkwebid
itglue:
  page_size: 2
store: ../store-d
out: ../out
YAML

mock_start --data "$ITG_REPO/fixtures/itglue" --latency-ms 50 --log-requests
port=${MOCK_URL##*:}

rcb=0
rcd=0
"$ITG_REPO/pipelines/run" "$T/p/bullphish.yaml" --base-url "$MOCK_URL" \
	>"$T/b.out" 2>"$T/b.err" &
pb=$!
"$ITG_REPO/pipelines/run" "$T/p/darkwebid.yaml" --base-url "$MOCK_URL" \
	>"$T/d.out" 2>"$T/d.err" &
pd=$!
wait "$pb" || rcb=$?
wait "$pd" || rcd=$?
[ "$rcb" -eq 0 ] || { cat "$T/b.err" >&2; fail "the bullphish pipeline exited $rcb, want 0"; }
[ "$rcd" -eq 0 ] || { cat "$T/d.err" >&2; fail "the darkwebid pipeline exited $rcd, want 0"; }

# exactly one of them waited, and said why
msg="waiting for another pipeline's extract from 127.0.0.1:$port to finish (IT Glue's rate budget is per account)"
waited=0
for f in "$T/b.err" "$T/d.err"; do
	if grep -qF "$msg" "$f"; then
		waited=$((waited + 1))
	fi
done
assert_eq 1 "$waited" "runs that waited for the other's extract"

lock=$T/out/.itglue-127.0.0.1_$port.lock
[ -f "$lock" ] || fail "no lock file $lock"
assert_eq 600 "$(stat -c %a "$lock")" "lock file mode"

# run.log: [the runner starts itg-extract, itg-extract's last line] of each
# run; the two spans do not overlap
span() {
	_log=$T/out/$1/latest/run.log
	[ -f "$_log" ] || fail "no run.log for $1"
	_start=$(grep -F "INFO itg-run: run " "$_log" | grep -F "/itg-extract " | cut -d' ' -f1)
	_end=$(grep -F " itg-extract: " "$_log" | tail -1 | cut -d' ' -f1)
	[ -n "$_start" ] && [ -n "$_end" ] || fail "$1: cannot find the extract in $_log"
	echo "$_start $_end"
}
set -- $(span e2e-rate-bullphish) $(span e2e-rate-darkwebid)
bs=$1 be=$2 ds=$3 de=$4
if [ "$be" \< "$ds" ] || [ "$be" = "$ds" ]; then
	first=bullphish
elif [ "$de" \< "$bs" ] || [ "$de" = "$bs" ]; then
	first=darkwebid
else
	fail "the extracts overlap: bullphish $bs to $be, darkwebid $ds to $de"
fi

# the mock saw one walk, then the other: bullphish asks for contacts (never
# domains), darkwebid for domains (never contacts)
grep -n 'itg-mock: GET /contacts?' "$T/mock.err" | cut -d: -f1 >"$T/contacts.lines"
grep -n 'itg-mock: GET /domains?' "$T/mock.err" | cut -d: -f1 >"$T/domains.lines"
[ -s "$T/contacts.lines" ] && [ -s "$T/domains.lines" ] ||
	fail "the mock's log lacks the contacts or the domains walk"
if [ "$first" = bullphish ]; then
	[ "$(tail -1 "$T/contacts.lines")" -lt "$(head -1 "$T/domains.lines")" ] ||
		fail "the mock served domains before the last contacts page"
else
	[ "$(tail -1 "$T/domains.lines")" -lt "$(head -1 "$T/contacts.lines")" ] ||
		fail "the mock served contacts before the last domains page"
fi

# --- a lock held too long: exit 4, nothing fetched -------------------------
exec 8>>"$lock"
flock -n 8 || fail "cannot take the extract lock for the test"
requests=$(grep -c 'itg-mock: ' "$T/mock.err")
rc=0
ITG_EXTRACT_LOCK_WAIT=1 "$ITG_REPO/pipelines/run" "$T/p/bullphish.yaml" \
	--base-url "$MOCK_URL" >"$T/held.out" 2>"$T/held.err" 8>&- || rc=$?
exec 8>&-
assert_eq 4 "$rc" "exit code while another holds the extract lock"
assert_contains "$T/held.err" "$msg" "standard error"
assert_contains "$T/held.err" "still holds $lock after 1 s" "standard error"
assert_eq "$requests" "$(grep -c 'itg-mock: ' "$T/mock.err")" "requests while the lock was held"
grep -q '"last_error" *: *"[^"]*itg-extract did not start' "$T/store-b/integration.json" ||
	fail "integration.json last_error does not say the extract did not start"

# --- SIGTERM while waiting: the run ends at once (exit 1), nothing fetched --
exec 8>>"$lock"
flock -n 8 || fail "cannot take the extract lock for the test"
ITG_EXTRACT_LOCK_WAIT=60 "$ITG_REPO/pipelines/run" "$T/p/bullphish.yaml" \
	--base-url "$MOCK_URL" >"$T/term.out" 2>"$T/term.err" 8>&- &
pw=$!
i=0
until grep -qF "$msg" "$T/term.err"; do
	i=$((i + 1))
	[ "$i" -le 200 ] || fail "the run did not say it waits within 10 s"
	sleep 0.05
done
kill -TERM "$pw"
rc=0
wait "$pw" || rc=$?
exec 8>&-
assert_eq 1 "$rc" "exit code of a run ended by SIGTERM while it waited"
assert_contains "$T/term.err" "interrupted by SIGTERM during the wait for another pipeline's extract" \
	"standard error"
assert_eq "$requests" "$(grep -c 'itg-mock: ' "$T/mock.err")" "requests of the interrupted run"

rc=0
ITG_EXTRACT_LOCK_WAIT=soon "$ITG_REPO/pipelines/run" "$T/p/bullphish.yaml" \
	--base-url "$MOCK_URL" >/dev/null 2>"$T/bad.err" || rc=$?
assert_eq 2 "$rc" "exit code of a bad ITG_EXTRACT_LOCK_WAIT"
assert_contains "$T/bad.err" "ITG_EXTRACT_LOCK_WAIT=soon" "standard error"

assert_no_canary "$T/out" "$T/b.err" "$T/d.err" "$T/held.err"
mock_stop
