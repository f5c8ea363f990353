#!/bin/sh
# t115-extract-key-file-kinds: a key file that is a FIFO is refused at once
# (it used to block forever, waiting for a writer, holding the pipeline's
# lock), with a message saying what it is; so are a symbolic link (not the
# bare "Too many levels of symbolic links"), a folder and a device.  The
# key is never printed.  Exit 2, nothing fetched.
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mkdir "$T/out" "$T/keys"
unset ITGLUE_API_KEY
printf '%s\n' "$E2E_CANARY" >"$T/keys/real"
chmod 600 "$T/keys/real"
mkfifo -m 600 "$T/keys/fifo"
ln -s "$T/keys/real" "$T/keys/link"
mkdir -m 700 "$T/keys/folder"

mock_start --data "$ITG_REPO/fixtures/itglue" --log-requests

# refused FILE MESSAGE: itg-extract with --api-key-file FILE exits 2 within
# 5 s, saying MESSAGE, asking nothing of the server
refused() {
	_rc=0
	timeout 5 "$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/snap" \
		--api-key-file "$1" 2>"$T/log" || _rc=$?
	cat "$T/log"
	[ "$_rc" -ne 124 ] || fail "$1: still waiting after 5 s"
	assert_eq 2 "$_rc" "exit code for key file $1"
	assert_contains "$T/log" "$2" "message for $1"
	assert_no_canary "$T/log"
}

refused "$T/keys/fifo" "API key file $T/keys/fifo is a FIFO, not a regular file: put the key in a plain file, mode 600"
refused "$T/keys/link" "API key file $T/keys/link is a symbolic link: name the file itself, not a link to it"
assert_not_contains "$T/log" "Too many levels" "symbolic link message"
refused "$T/keys/folder" "API key file $T/keys/folder is a folder, not a regular file"
refused /dev/null "API key file /dev/null is a character device, not a regular file"
chmod 640 "$T/keys/real"
refused "$T/keys/real" "is readable by others (mode 640): run chmod 600 $T/keys/real"
chmod 600 "$T/keys/real"
[ ! -s "$E2E_TMP/mock.err" ] || fail "the server was asked something: $(cat "$E2E_TMP/mock.err")"

# The plain file itself works.
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/out/snap" --api-key-file "$T/keys/real" \
	--resources organization_types 2>"$T/log" || { cat "$T/log" >&2; fail "the plain key file failed"; }
assert_no_canary "$T/log" "$T/out/snap"

# Through the pipeline: a FIFO as itglue.api_key_file fails the run at
# once, and the next run is not locked out.
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bp.yaml" <<YAML
name: e2e-keyfile
product: bullphish
store: ../store
out: ../out
itglue:
  api_key_file: ../keys/fifo
YAML
rc=0
timeout 20 "$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >"$T/run1" \
	2>"$T/run1.err" || rc=$?
cat "$T/run1.err"
[ "$rc" -ne 124 ] || fail "the pipeline run still waits on the FIFO after 20 s"
[ "$rc" -ne 0 ] || fail "the pipeline run with a FIFO key file succeeded"
assert_contains "$T/run1.err" "is a FIFO, not a regular file" "pipeline message"
rc=0
timeout 20 "$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --base-url "$MOCK_URL" >"$T/run2" \
	2>"$T/run2.err" || rc=$?
[ "$rc" -ne 4 ] || fail "the next run found the lock held"
assert_no_canary "$T/run1" "$T/run1.err" "$T/run2" "$T/run2.err"
exit 0
