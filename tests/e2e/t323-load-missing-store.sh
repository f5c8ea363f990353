#!/bin/sh
# A store folder that does not exist is an input error (exit 2) naming the
# path, for a load, a dry run and --recover alike, and the load never makes
# it: a mistyped `store:` must not start a second, empty store.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
cp -R "$ITG_REPO/tests/golden/load/bullphish/input/." "$T/"
sed 's/^store: store$/store: stroe/' "$T/pipeline.yaml" >"$T/typo.yaml"
grep -q '^store: stroe$' "$T/typo.yaml" || fail "the pipeline has no store: line to mistype"
for mode in "" --dry-run; do
	rc=0
	"$ITG_BIN/itg-load" -p "$T/typo.yaml" --plan "$T/plan" --report "$T/report" $mode \
		>"$T/out" 2>"$T/err" || rc=$?
	assert_eq 2 "$rc" "exit code of a missing store folder${mode:+ ($mode)}"
	assert_contains "$T/err" "ERROR itg-load: store folder $T/stroe does not exist: check \`store:\` in $T/typo.yaml (or --store)" "the message"
	[ ! -e "$T/stroe" ] || fail "itg-load made the store folder${mode:+ ($mode)}"
	[ ! -e "$T/report" ] || fail "a report was written${mode:+ ($mode)}"
done
rc=0
"$ITG_BIN/itg-load" -p "$T/typo.yaml" --recover >"$T/out" 2>"$T/err" || rc=$?
assert_eq 2 "$rc" "exit code of --recover with a missing store folder"
[ ! -e "$T/stroe" ] || fail "itg-load --recover made the store folder"
echo "ok: $(cut -c1-160 "$T/err")"
