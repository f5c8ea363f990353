#!/bin/sh
# pipelines/run --dry-run writes a report and leaves the store byte-identical.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

e2e_tmp >/dev/null
T=$E2E_TMP
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bullphish.yaml" <<YAML
name: e2e-dry
product: bullphish
store: ../store
out: ../out
import:
  select: all
YAML

# Every file of the store with its bytes and mode.
store_state() {
	(cd "$T/store" && find . -type f -exec sha256sum {} + | sort &&
		find . -printf '%p %m\n' | sort)
}
store_state >"$T/before"

mock_start --data "$ITG_REPO/fixtures/itglue"
rc=0
"$ITG_REPO/pipelines/run" "$T/p/bullphish.yaml" --dry-run --base-url "$MOCK_URL" \
	>"$T/stdout" 2>"$T/stderr" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "pipelines/run --dry-run exited $rc, want 0"; }

store_state >"$T/after"
assert_file_eq "$T/before" "$T/after"
[ -f "$T/out/e2e-dry/latest/report/report.md" ] || fail "dry run wrote no report.md"
assert_no_canary "$T/out" "$T/stdout" "$T/stderr"
