#!/bin/sh
# A dry run writes nothing in the store, whatever happens: with a key IT
# Glue refuses it exits 3 and leaves integration.json byte-identical, or
# absent when there was none (docs/contract.md section 10).
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bp.yaml" <<YAML
name: e2e-dry-key
product: bullphish
store: ../store
out: ../out
YAML
store_state() {
	(cd "$T/store" && find . -type f -exec sha256sum {} + | sort &&
		find . -printf '%p %m\n' | sort)
}
mock_start --data "$ITG_REPO/fixtures/itglue"

for case in present absent; do
	[ "$case" = absent ] && rm "$T/store/integration.json"
	store_state >"$T/before"
	rc=0
	ITGLUE_API_KEY=ITG.wrong-key "$ITG_REPO/pipelines/run" "$T/p/bp.yaml" --dry-run \
		--base-url "$MOCK_URL" >"$T/stdout" 2>"$T/stderr" || rc=$?
	assert_eq 3 "$rc" "exit code of a dry run with a wrong key ($case integration.json)"
	assert_contains "$T/stderr" "itg-extract failed with exit code 3" "stderr"
	store_state >"$T/after"
	assert_file_eq "$T/before" "$T/after"
	assert_not_contains "$T/stderr" "integration status in" "stderr"
	assert_not_contains "$T/stderr" "ITG.wrong-key" "stderr"
	sleep 1
done
[ ! -e "$T/store/integration.json" ] || fail "a dry run created integration.json"
assert_no_canary "$T/out" "$T/stdout" "$T/stderr"
