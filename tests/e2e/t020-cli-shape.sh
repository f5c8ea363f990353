#!/bin/sh
# t020-cli-shape: every program has the same command-line shape (lib/cmd.h):
# --help on stdout with exit 0, --version, usage errors with the synopsis on
# stderr and exit 2, a failed write to stdout is exit 1, and --log-format
# json turns the error line of a failed run into one JSON object.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)

# run NAME ARGS...: exit status in $rc, output in $T/out and $T/err.
run() {
	_name=$1
	shift
	rc=0
	"$ITG_BIN/$_name" "$@" >"$T/out" 2>"$T/err" || rc=$?
}

# args_failing_run NAME: options that pass the parser but make the run fail
# on a file that does not exist (exit 2).
args_failing_run() {
	case $1 in
	itg-extract) echo "-p $T/missing.yaml --out $T/snap" ;;
	itg-transform) echo "-p $T/missing.yaml --snapshot $T/snap --out $T/plan" ;;
	itg-load) echo "-p $T/missing.yaml --plan $T/plan --report $T/report" ;;
	itg-mock) echo "--data $T/missing" ;;
	esac
}

for p in itg-extract itg-transform itg-load itg-mock; do
	# --help: stdout only, exit 0, the common options listed.
	run "$p" --help
	assert_eq 0 "$rc" "$p --help exit code"
	[ ! -s "$T/err" ] || fail "$p --help wrote to stderr: $(cat "$T/err")"
	assert_eq "usage: $p" "$(head -n 1 "$T/out" | cut -d' ' -f1-2)" "$p --help first line"
	for opt in --log-format --quiet --verbose --version --help; do
		assert_contains "$T/out" "$opt" "$p --help"
	done
	[ "$p" = itg-mock ] || assert_contains "$T/out" "-p, --pipeline FILE" "$p --help"

	# --version
	run "$p" --version
	assert_eq 0 "$rc" "$p --version exit code"
	assert_eq "$p 1.0.0" "$(cat "$T/out")" "$p --version"
	[ ! -s "$T/err" ] || fail "$p --version wrote to stderr"

	# An unknown option: what is wrong, the synopsis and a hint, on stderr only.
	run "$p" --no-such-option
	assert_eq 2 "$rc" "$p --no-such-option exit code"
	[ ! -s "$T/out" ] || fail "$p --no-such-option wrote to stdout"
	assert_eq "$p: unknown option --no-such-option" "$(head -n 1 "$T/err")" "$p usage error"
	assert_contains "$T/err" "usage: $p" "$p usage error"
	assert_eq "try '$p --help'" "$(tail -n 1 "$T/err")" "$p usage error last line"

	# A missing value, a bad log format, a stray argument: usage errors too.
	run "$p" --log-format
	assert_eq 2 "$rc" "$p --log-format without a value"
	assert_contains "$T/err" "$p: option --log-format needs a value" "$p missing value"
	run "$p" --log-format bogus
	assert_eq 2 "$rc" "$p --log-format bogus"
	assert_contains "$T/err" "usage: $p" "$p --log-format bogus"
	run "$p" stray
	assert_eq 2 "$rc" "$p with a stray argument"
	assert_contains "$T/err" "$p: unexpected argument \"stray\"" "$p stray argument"

	# stdout closed: --help cannot be written, and says so.
	rc=0
	"$ITG_BIN/$p" --help >&- 2>"$T/err" || rc=$?
	assert_eq 1 "$rc" "$p --help with stdout closed"
	assert_contains "$T/err" "$p: cannot write to standard output: " "$p closed stdout"
	# stdout on a full disk: the same.
	rc=0
	"$ITG_BIN/$p" --version >/dev/full 2>"$T/err" || rc=$?
	assert_eq 1 "$rc" "$p --version to /dev/full"
	assert_contains "$T/err" "No space left on device" "$p full stdout"

	# A failed run: its error once, as a log line; as JSON with --log-format json.
	# shellcheck disable=SC2046 # the words of args_failing_run are meant to split
	run "$p" $(args_failing_run "$p")
	assert_eq 2 "$rc" "$p on a missing file"
	assert_eq 1 "$(grep -c "^ERROR $p: " "$T/err")" "$p error lines"
	# shellcheck disable=SC2046
	run "$p" --log-format json $(args_failing_run "$p")
	assert_eq 2 "$rc" "$p --log-format json on a missing file"
	[ -s "$T/err" ] || fail "$p --log-format json: no error line"
	python3 - "$T/err" "$p" <<'EOF' || fail "$p --log-format json: stderr is not JSON lines"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
objs = [json.loads(line) for line in lines]
assert all(isinstance(o, dict) for o in objs), "not objects"
errors = [o for o in objs if o.get("level") == "error"]
assert len(errors) == 1, "want one error line, got %d" % len(errors)
assert errors[0]["stage"] == sys.argv[2], errors[0]
assert "missing" in errors[0]["msg"], errors[0]
EOF
done

# Only whole option names: "--api-key KEY" is not --api-key-file, and the key
# it was given is quoted nowhere; nor is a mistyped option's "=VALUE".
run itg-extract --api-key "$E2E_CANARY" --out "$T/snap"
assert_eq 2 "$rc" "itg-extract --api-key exit code"
assert_eq "itg-extract: unknown option --api-key (write the whole name)" "$(head -n 1 "$T/err")" \
	"itg-extract --api-key"
run itg-extract "--api-key=$E2E_CANARY" --out "$T/snap"
assert_eq 2 "$rc" "itg-extract --api-key= exit code"
run itg-extract "--apikey=$E2E_CANARY" --out "$T/snap"
assert_eq 2 "$rc" "itg-extract --apikey= exit code"
assert_no_canary "$T/out" "$T/err"
[ ! -e "$T/snap" ] || fail "a snapshot after a usage error"

# A pipeline's itglue.base_url that is refused is named by file, line and
# column like any other key, not as the --base-url flag.
printf 'name: x\nproduct: bullphish\nstore: store\nitglue:\n  base_url: http://192.0.2.1\n' \
	>"$T/remote.yaml"
run itg-extract -p "$T/remote.yaml" --out "$T/snap"
assert_eq 2 "$rc" "itg-extract with a remote http base_url"
assert_contains "$T/err" "ERROR itg-extract: $T/remote.yaml:5:13: itglue.base_url: plain http is allowed only to loopback" \
	"base_url refusal"
# An explicit --region overrides the file's base_url as it overrides its
# region: the refused URL is not even read, and the run goes on to ask for a
# key (none here: exit 2 before anything is fetched).
(unset ITGLUE_API_KEY; run itg-extract -p "$T/remote.yaml" --region eu --out "$T/snap"
assert_eq 2 "$rc" "itg-extract --region over a file's base_url"
assert_not_contains "$T/err" "itglue.base_url" "base_url read despite --region"
assert_contains "$T/err" "no IT Glue API key" "--region run asks for the key") || exit 1
[ ! -e "$T/snap" ] || fail "a snapshot after a missing key"
exit 0
