#!/bin/sh
# keep_runs: 2 and three runs leave the two newest run folders, and latest
# names the newest.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

e2e_tmp >/dev/null
T=$E2E_TMP
mkdir "$T/p"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p/bullphish.yaml" <<YAML
name: e2e-keep
product: bullphish
store: ../store
out: ../out
keep_runs: 2
YAML

mock_start --data "$ITG_REPO/fixtures/itglue"
for i in 1 2 3; do
	"$ITG_REPO/pipelines/run" "$T/p/bullphish.yaml" --base-url "$MOCK_URL" \
		>"$T/stdout" 2>"$T/stderr" || { cat "$T/stderr" >&2; fail "run $i failed"; }
	readlink "$T/out/e2e-keep/latest" >>"$T/ids"
done

assert_eq 3 "$(sort -u "$T/ids" | wc -l | tr -d ' ')" "distinct run ids"
kept=$(find "$T/out/e2e-keep" -mindepth 1 -maxdepth 1 -type d -name '*T*Z' -printf '%f\n' | sort)
assert_eq "$(tail -n 2 "$T/ids")" "$kept" "run folders kept"
assert_eq "$(tail -n 1 "$T/ids")" "$(readlink "$T/out/e2e-keep/latest")" "latest"
