#!/bin/sh
# t105-extract-no-key-leak: the API key (a random canary) appears in no
# snapshot file and no log line, in human and json log formats, on success,
# on retries and on refusal, whether it came from the environment or a file.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mkdir "$T/out"

# decompress S: every snapshot file as text, for grepping.
decompress() {
	for f in "$1"/*; do
		case $f in
		*.gz) gzip -dc "$f" ;;
		*) cat "$f" ;;
		esac
	done >"$1.txt"
}

mock_start --data "$ITG_REPO/fixtures/itglue" --fail-rate 0.2 --drop-rate 0.1 \
	--rate-limit 20 --fault-seed 5
for fmt in human json; do
	"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/$fmt" --page-size 10 \
		--rate 30 --verbose --log-format "$fmt" >"$T/$fmt.stdout" 2>"$T/$fmt.log" ||
		{ cat "$T/$fmt.log" >&2; fail "$fmt run failed"; }
	decompress "$T/out/$fmt"
	[ -s "$T/out/$fmt.txt" ] || fail "$fmt: empty snapshot"
	assert_no_canary "$T/out/$fmt" "$T/out/$fmt.txt" "$T/$fmt.log" "$T/$fmt.stdout"
done
grep -q retry "$T/human.log" || fail "no retry happened, so the retry path was not checked"
head -1 "$T/json.log" | grep -q '^{"time":"' || fail "json log lines are not JSON objects"

# From a key file, with the environment empty.
printf '%s\n' "$E2E_CANARY" >"$T/key"
chmod 600 "$T/key"
ITGLUE_API_KEY= "$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/file" \
	--api-key-file "$T/key" --verbose 2>"$T/file.log" ||
	{ cat "$T/file.log" >&2; fail "run with a key file failed"; }
decompress "$T/out/file"
assert_no_canary "$T/out/file" "$T/out/file.txt" "$T/file.log"
mock_stop

# A refused key is not echoed either.
mock_start --data "$ITG_REPO/fixtures/itglue"
for fmt in human json; do
	rc=0
	ITGLUE_API_KEY="$E2E_CANARY-revoked" "$ITG_BIN/itg-extract" --base-url "$MOCK_URL" \
		--out "$T/out/refused" --verbose --log-format "$fmt" 2>"$T/refused.$fmt.log" || rc=$?
	assert_eq 3 "$rc" "exit code of a refused key ($fmt)"
	assert_no_canary "$T/refused.$fmt.log"
done
exit 0
