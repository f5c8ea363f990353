#!/bin/sh
# On a terminal, pipelines/run shows the stages' progress lines (itg-extract
# page by page, itg-load's steps) although each stage writes into the
# runner's pipe, and run.log gets none of them: no carriage return, no
# escape sequence.  Without a terminal (even with ITG_PROGRESS=1 inherited)
# or with --quiet, there is no progress anywhere.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

e2e_tmp >/dev/null
T=$E2E_TMP
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store-quick"
# two-record pages: the extract walks 30-odd pages, a few seconds at 8 per second
cat >"$T/p/slow.yaml" <<YAML
name: e2e-progress
product: bullphish
itglue:
  page_size: 2
store: ../store
out: ../out
YAML
cat >"$T/p/quick.yaml" <<YAML
name: e2e-progress-quick
product: bullphish
store: ../store-quick
out: ../out
YAML

mock_start --data "$ITG_REPO/fixtures/itglue" --latency-ms 50

# in_pty OUT CMD...: runs CMD with a pseudo-terminal as its standard input,
# output and error, everything it shows copied to OUT; exits with its code.
in_pty() {
	python3 - "$@" <<'PY'
import os, pty, sys
out = open(sys.argv[1], "wb")
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    out.write(data)
out.close()
_, status = os.waitpid(pid, 0)
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)
PY
}

ESC=$(printf '\033')
CR=$(printf '\r')

# no_control FILE WHAT: not one carriage return or escape byte in FILE
no_control() {
	n=$(tr -cd '\r\033' <"$1" | wc -c | tr -d ' ')
	[ "$n" -eq 0 ] || fail "$2 holds $n carriage returns or escape bytes"
}

# --- on a terminal ---------------------------------------------------------
rc=0
in_pty "$T/term" "$ITG_REPO/pipelines/run" "$T/p/slow.yaml" --base-url "$MOCK_URL" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/term" >&2; fail "pipelines/run on a terminal exited $rc, want 0"; }
# each progress line rewrites the terminal's line: "\r\033[K" then the text
grep -qF "${CR}${ESC}[Kitg-extract: organizations: " "$T/term" ||
	{ cat -v "$T/term" >&2; fail "the terminal shows no progress line of itg-extract"; }
grep -q "itg-extract: contacts: [0-9]* records, [0-9]* of [0-9]* pages" "$T/term" ||
	fail "the terminal shows no page count of itg-extract"
grep -qF "${CR}${ESC}[Kitg-load: applying plan lines: " "$T/term" ||
	{ cat -v "$T/term" >&2; fail "the terminal shows no progress line of itg-load"; }
# and the whole lines as well
assert_contains "$T/term" "INFO itg-extract: extracted 5 resources" "terminal"
assert_contains "$T/term" "INFO itg-run: run " "terminal"
log=$T/out/e2e-progress/latest/run.log
[ -f "$log" ] || fail "no run.log in the latest run"
no_control "$log" "run.log of the run on a terminal"
assert_not_contains "$log" " of 19 pages" "run.log (a progress line)"
assert_not_contains "$log" "applying plan lines" "run.log (a progress line)"
assert_contains "$log" "INFO itg-extract: extracted 5 resources" "run.log"
# every line of run.log starts with its time
bad=$(grep -cv '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:]\{8\}\.[0-9]\{3\}Z ' "$log" || true)
assert_eq 0 "$bad" "run.log lines without a time stamp"

# --- without a terminal, ITG_PROGRESS=1 inherited --------------------------
rc=0
ITG_PROGRESS=1 "$ITG_REPO/pipelines/run" "$T/p/quick.yaml" --base-url "$MOCK_URL" \
	>"$T/stdout" 2>"$T/stderr" </dev/null || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "pipelines/run without a terminal exited $rc"; }
no_control "$T/stderr" "standard error without a terminal"
assert_not_contains "$T/stderr" "records, 1 of" "standard error without a terminal"
assert_not_contains "$T/stderr" "applying plan lines" "standard error without a terminal"
assert_contains "$T/stderr" "INFO itg-extract: extracted 5 resources" "standard error"
no_control "$T/out/e2e-progress-quick/latest/run.log" "run.log without a terminal"
assert_contains "$T/out/e2e-progress-quick/latest/run.log" "INFO itg-load: run " "run.log"

# --- on a terminal with --quiet: warnings and errors only, no progress -----
rc=0
in_pty "$T/term-quiet" "$ITG_REPO/pipelines/run" "$T/p/quick.yaml" --base-url "$MOCK_URL" \
	--quiet || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/term-quiet" >&2; fail "pipelines/run --quiet exited $rc"; }
assert_not_contains "$T/term-quiet" "${ESC}[K" "terminal with --quiet"
assert_not_contains "$T/term-quiet" "records, 1 of" "terminal with --quiet"
assert_contains "$T/term-quiet" "report: " "terminal with --quiet (the summary)"

assert_no_canary "$T/out" "$T/term" "$T/term-quiet" "$T/stderr"
mock_stop
