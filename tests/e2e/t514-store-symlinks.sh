#!/bin/sh
# t514-store-symlinks: the store's files are never read or written through a
# symbolic link (docs/contract.md section 10).
#
# For each of links.csv, organizations.csv, users.csv, audit.ndjson,
# integration.json, .journal and .lock, planted as a link to a victim file
# outside the store (a copy of the real file, so that following the link
# would "work"), itg-transform, itg-load (and --dry-run) and pipelines/run
# exit 2 with a message naming the file and what to do, and the victim is
# byte-identical with its inode and mtime unchanged; a link to a file that
# does not exist never creates it.  A killed load's journal, with audit.ndjson
# then replaced by a link, is refused by the recovery (itg-load --recover,
# itg-load, pipelines/run) without truncating or appending to the victim, and
# finishes once the link is replaced by the file.  A store folder that is
# itself a link to a real store works.
. "${ITG_REPO:-.}/tests/e2e/lib.sh"
T=$(e2e_tmp)

mock_start --data "$ITG_REPO/fixtures/itglue"
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/snap" --quiet 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "clean extract failed"; }

# pipeline NAME: $T/NAME.yaml on the store $T/NAME (runs in $T/out-NAME).
pipeline() {
	cat >"$T/$1.yaml" <<YAML
name: e2e-store-links
product: bullphish
store: $1
out: out-$1
sync:
  contacts:
    enabled: true
import:
  select: all
YAML
}

# state FILE: what must not change about a victim: bytes, inode, size, mtime.
state() {
	printf '%s %s\n' "$(cksum <"$1")" "$(stat -c '%i %s %y' "$1")"
}

# tables_sum STORE: every plain file's checksum, and each link's target.
store_sum() {
	(cd "$1" && for f in $(ls -A); do
		if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"; else echo "$f $(cksum <"$f")"; fi
	done)
}

# A store that has seen one load: audit.ndjson, .lock, a bound integration.json.
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/good"
pipeline good
"$ITG_BIN/itg-transform" -p "$T/good.yaml" --snapshot "$T/snap" --out "$T/plan-good" --quiet &&
	"$ITG_BIN/itg-load" -p "$T/good.yaml" --plan "$T/plan-good" --report "$T/report-good" \
		--quiet || fail "the first load of the good store failed"
for f in links.csv organizations.csv users.csv audit.ndjson integration.json .lock; do
	[ -f "$T/good/$f" ] || fail "the good store has no $f"
done
[ -s "$T/good/audit.ndjson" ] || fail "the first load wrote no audit line"

# expect_refusal WHAT FILE RC ERRFILE: exit 2 and the message naming FILE.
expect_refusal() {
	[ "$3" -eq 2 ] || { cat "$4" >&2; fail "$1: exit $3, want 2"; }
	grep -qF "$2 is a symbolic link: the store's files must be plain files (a link could make the load write somewhere else); replace it with the file itself" "$4" ||
		{ cat "$4" >&2; fail "$1: the message does not name $2 and what to do"; }
}

# planted FILE TAG [dangling]: a copy of the good store $T/s-TAG with FILE a
# link to $T/victim-TAG (a copy of the file, or a few bytes when the store
# has none), or with "dangling" to $T/ghost-TAG, which does not exist; every
# stage is refused and the victim stays as it was.
planted() {
	f=$1
	tag=$2
	s=$T/s-$tag
	victim=$T/victim-$tag
	ghost=$T/ghost-$tag
	cp -R "$T/good" "$s"
	pipeline "s-$tag"
	"$ITG_BIN/itg-transform" -p "$T/s-$tag.yaml" --snapshot "$T/snap" --out "$T/plan-$tag" \
		--quiet || fail "$f: the plan before the link was planted failed"
	if [ -e "$s/$f" ]; then cp "$s/$f" "$victim"; else printf 'not the store\n' >"$victim"; fi
	rm -f "$s/$f"
	if [ "${3:-}" = dangling ]; then
		ln -s "$ghost" "$s/$f"
	else
		ln -s "$victim" "$s/$f"
	fi
	before=$(state "$victim")
	sum=$(store_sum "$s")

	rc=0
	"$ITG_BIN/itg-transform" -p "$T/s-$tag.yaml" --snapshot "$T/snap" --out "$T/plan-$tag-2" \
		>"$T/out" 2>"$T/err" || rc=$?
	expect_refusal "itg-transform, $f${3:+ ($3)}" "$s/$f" "$rc" "$T/err"
	[ ! -e "$T/plan-$tag-2" ] || fail "itg-transform, $f: a plan was written"

	for mode in "" --dry-run; do
		rc=0
		"$ITG_BIN/itg-load" -p "$T/s-$tag.yaml" --plan "$T/plan-$tag" --report "$T/report-$tag" \
			$mode >"$T/out" 2>"$T/err" || rc=$?
		expect_refusal "itg-load $mode, $f${3:+ ($3)}" "$s/$f" "$rc" "$T/err"
		[ ! -e "$T/report-$tag" ] || fail "itg-load $mode, $f: a report was written"
		assert_eq "$sum" "$(store_sum "$s")" "the store after itg-load $mode, $f"
	done
	echo "ok: $f${3:+ ($3)}: $(grep ERROR "$T/err" | head -1 | cut -c1-150)"

	# pipelines/run: a dry run leaves the store as it was; a real run may
	# only record the failure in integration.json (itself refused when linked)
	rc=0
	"$ITG_REPO/pipelines/run" "$T/s-$tag.yaml" --base-url "$MOCK_URL" --dry-run \
		>"$T/out" 2>"$T/err" || rc=$?
	expect_refusal "pipelines/run --dry-run, $f${3:+ ($3)}" "$s/$f" "$rc" "$T/err"
	assert_eq "$sum" "$(store_sum "$s")" "the store after pipelines/run --dry-run, $f"
	rc=0
	"$ITG_REPO/pipelines/run" "$T/s-$tag.yaml" --base-url "$MOCK_URL" \
		>"$T/out" 2>"$T/err" || rc=$?
	expect_refusal "pipelines/run, $f${3:+ ($3)}" "$s/$f" "$rc" "$T/err"
	for g in links.csv organizations.csv users.csv audit.ndjson; do
		[ "$g" = "$f" ] && continue
		cmp -s "$T/good/$g" "$s/$g" || fail "pipelines/run, $f: $g changed"
	done
	[ -L "$s/$f" ] || fail "$f: the link was replaced"

	assert_eq "$before" "$(state "$victim")" "the victim of $f${3:+ ($3)}"
	[ ! -e "$ghost" ] || fail "$f: the target of a dangling link was created"
	assert_no_canary "$T/out" "$T/err"
}

planted links.csv links
planted organizations.csv orgs
planted users.csv users
planted audit.ndjson audit
planted integration.json integration
planted .journal journal
planted .lock lock
planted audit.ndjson audit-ghost dangling
planted .lock lock-ghost dangling
planted links.csv links-ghost dangling

# ---- a killed load, then audit.ndjson replaced by a link ---------------------
# The plan from the fixture store changes rows, so its load appends audit
# lines; audit.ndjson already holds those of an earlier run.
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/crash-base"
cp "$T/good/audit.ndjson" "$T/crash-base/audit.ndjson"
pipeline s-crash
n=0
found=
while [ "$n" -lt 60 ]; do
	n=$((n + 1))
	rm -rf "$T/s-crash" "$T/plan-crash" "$T/report-crash"
	cp -R "$T/crash-base" "$T/s-crash"
	"$ITG_BIN/itg-transform" -p "$T/s-crash.yaml" --snapshot "$T/snap" --out "$T/plan-crash" --quiet
	ITG_LOAD_CRASH_AT=$n "$ITG_BIN/itg-load" -p "$T/s-crash.yaml" --plan "$T/plan-crash" \
		--report "$T/report-crash" --quiet >/dev/null 2>&1 || true
	if [ -e "$T/s-crash/.journal" ]; then
		found=$n
		break
	fi
done
[ -n "$found" ] || fail "no crash point of itg-load left a journal"
grep -q '"bytes":[1-9]' "$T/s-crash/.journal" || fail "the journal records no audit lines to append"
cmp -s "$T/crash-base/audit.ndjson" "$T/s-crash/audit.ndjson" ||
	fail "the audit file changed before the journal was published"
# the victim: the audit file's bytes and one line more, so that cutting it
# back to the recorded size would show, as would an append
victim=$T/victim-crash
{ cat "$T/s-crash/audit.ndjson"; echo '{"someone":"else"}'; } >"$victim"
rm "$T/s-crash/audit.ndjson"
ln -s "$victim" "$T/s-crash/audit.ndjson"
before=$(state "$victim")
sum=$(store_sum "$T/s-crash")
link_path=$T/s-crash/audit.ndjson
rc=0
"$ITG_BIN/itg-load" -p "$T/s-crash.yaml" --recover >"$T/out" 2>"$T/err" || rc=$?
expect_refusal "itg-load --recover, audit.ndjson after a crash" "$link_path" "$rc" "$T/err"
assert_eq "$sum" "$(store_sum "$T/s-crash")" "the store after a refused recovery"
rc=0
"$ITG_BIN/itg-load" -p "$T/s-crash.yaml" --plan "$T/plan-crash" --report "$T/report-crash" \
	>"$T/out" 2>"$T/err" || rc=$?
expect_refusal "itg-load, audit.ndjson after a crash" "$link_path" "$rc" "$T/err"
[ ! -e "$T/report-crash" ] || fail "a report was published by a refused recovery"
rc=0
"$ITG_REPO/pipelines/run" "$T/s-crash.yaml" --base-url "$MOCK_URL" >"$T/out" 2>"$T/err" || rc=$?
expect_refusal "pipelines/run, audit.ndjson after a crash" "$link_path" "$rc" "$T/err"
[ -e "$T/s-crash/.journal" ] || fail "the journal went although the recovery was refused"
assert_eq "$before" "$(state "$victim")" "the victim of audit.ndjson during a recovery"
echo "ok: audit.ndjson linked during a recovery: $(grep ERROR "$T/err" | head -1 | cut -c1-150)"
# what the message says: the file itself in place of the link; then it finishes
rm "$T/s-crash/audit.ndjson"
cp "$T/crash-base/audit.ndjson" "$T/s-crash/audit.ndjson"
"$ITG_BIN/itg-load" -p "$T/s-crash.yaml" --recover --quiet 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "the recovery with the file back in place failed"; }
[ ! -e "$T/s-crash/.journal" ] || fail "the journal is still there after the recovery"
[ "$(wc -c <"$T/s-crash/audit.ndjson")" -gt "$(wc -c <"$T/crash-base/audit.ndjson")" ] ||
	fail "the recovery appended no audit line"
assert_eq "$before" "$(state "$victim")" "the victim after the recovery"

# ---- a store folder that is itself a link ------------------------------------
cp -R "$T/good" "$T/real-store"
ln -s real-store "$T/mounted"
pipeline mounted
"$ITG_BIN/itg-transform" -p "$T/mounted.yaml" --snapshot "$T/snap" --out "$T/plan-mounted" \
	--quiet 2>"$T/err" || { cat "$T/err" >&2; fail "itg-transform on a linked store folder"; }
"$ITG_BIN/itg-load" -p "$T/mounted.yaml" --plan "$T/plan-mounted" --report "$T/report-mounted" \
	--quiet 2>"$T/err" || { cat "$T/err" >&2; fail "itg-load on a linked store folder"; }
"$ITG_REPO/pipelines/run" "$T/mounted.yaml" --base-url "$MOCK_URL" >"$T/out" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "pipelines/run on a linked store folder"; }
[ -L "$T/mounted" ] || fail "the linked store folder was replaced"
[ -f "$T/real-store/integration.json" ] && [ ! -e "$T/real-store/.journal" ] ||
	fail "the real store behind the link is not as a load leaves it"
grep -q '"status":"connected"' "$T/real-store/integration.json" ||
	fail "the real store's integration.json was not written"
echo "ok: a store folder that is a link to a real store"
mock_stop
exit 0
