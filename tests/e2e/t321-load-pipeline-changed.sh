#!/bin/sh
# A plan is loaded only with the pipeline file it was made with: edit the
# pipeline between itg-transform and itg-load (a comment is enough) and the
# load is refused, exit 4, naming the file and saying to make the plan again,
# the store byte-identical and no report; a dry run is refused the same way.
# The plan made again from the edited file loads.
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
cat >"$T/p.yaml" <<YAML
name: e2e-changed
product: bullphish
store: store
YAML
mock_start --data "$ITG_REPO/fixtures/itglue"
"$ITG_BIN/itg-extract" -p "$T/p.yaml" --base-url "$MOCK_URL" --out "$T/snap" --quiet ||
	fail "itg-extract exited $?"
mock_stop
"$ITG_BIN/itg-transform" -p "$T/p.yaml" --snapshot "$T/snap" --out "$T/plan" --quiet ||
	fail "itg-transform exited $?"

printf '# an operator was here\n' >>"$T/p.yaml"
cp -a "$T/store" "$T/before"
for mode in "" --dry-run; do
	rc=0
	"$ITG_BIN/itg-load" -p "$T/p.yaml" --plan "$T/plan" --report "$T/report" $mode \
		>"$T/out" 2>"$T/err" || rc=$?
	assert_eq 4 "$rc" "exit code of a plan made with another pipeline file${mode:+ ($mode)}"
	assert_contains "$T/err" "ERROR itg-load: $T/p.yaml is not the pipeline file the plan in $T/plan was made with" "the refusal"
	assert_contains "$T/err" "make the plan again with this file (pipelines/run $T/p.yaml, or itg-transform -p $T/p.yaml)" "the way on"
	diff -r "$T/before" "$T/store" >&2 || fail "the store changed${mode:+ ($mode)}"
	[ ! -e "$T/report" ] || fail "a refused load wrote a report"
done
echo "ok: refused: $(cut -c1-160 "$T/err")"

"$ITG_BIN/itg-transform" -p "$T/p.yaml" --snapshot "$T/snap" --out "$T/plan2" --quiet ||
	fail "itg-transform again exited $?"
"$ITG_BIN/itg-load" -p "$T/p.yaml" --plan "$T/plan2" --report "$T/report" --quiet ||
	fail "the plan made again did not load (exit $?)"
echo "ok: the plan made again from the edited file loads"
