#!/bin/sh
# t510-full-disk: a full disk, simulated with a file size limit (ulimit -f,
# as systemd's LimitFSIZE sets it; SIGXFSZ is left at its default, which
# kills: every program ignores it itself, so its writes fail with EFBIG
# instead and it says which file), makes each stage exit 1 with a
# message naming the file it could not write, and lose nothing:
#   itg-extract   no new snapshot, an earlier snapshot under --out untouched,
#                 no staging folder left
#   itg-transform no plan folder, no staging folder left
#   itg-load      at every limit tried, the store is wholly as before or
#                 wholly as after a clean load, with no temporary or journal
#                 file left; a failure while writing the store or the
#                 report leaves the store as before, byte for byte (the report
#                 is written before the store changes), and a store as after
#                 comes with exit 0 and its whole report
. "${ITG_REPO:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
T=$(e2e_tmp)

# limited BYTES CMD...: runs CMD with files capped at about BYTES; stderr to $T/err.
# The unit of `ulimit -f` differs between shells (512 or 1024 bytes): measured.
unit=$(sh -c 'trap "" XFSZ; ulimit -f 1; head -c 4096 /dev/zero >"$1" 2>/dev/null; wc -c <"$1"' sh "$T/unit")
unit=$(echo "$unit" | tr -d ' ')
[ "$unit" -gt 0 ] || fail "could not measure the ulimit -f unit"
limited() {
	_blocks=$(( $1 / unit ))
	[ "$_blocks" -ge 1 ] || _blocks=1
	shift
	_rc=0
	(ulimit -f "$_blocks"; exec "$@") >"$T/out" 2>"$T/err" || _rc=$?
	return "$_rc"
}
# expect_fail WHAT FILE-PATTERN: the last `limited` run exited 1 and its
# message names a file matching the pattern.
expect_fail() {
	[ "$rc" -eq 1 ] || { cat "$T/err" >&2; fail "$1: exit $rc under a full disk, want 1"; }
	grep -q "ERROR.*$2" "$T/err" || { cat "$T/err" >&2; fail "$1: the message does not name the file ($2)"; }
	grep -qi 'too large\|no space' "$T/err" || { cat "$T/err" >&2; fail "$1: the message does not say why"; }
}
# no_staging DIR: no ".NAME.tmp.*" left in DIR.
no_staging() {
	_left=$(find "$1" -maxdepth 1 -name '.*.tmp*' | head -3)
	[ -z "$_left" ] || fail "staging left behind: $_left"
}

mock_start --generate 120 --seed 5

# ---- itg-extract --------------------------------------------------------------
mkdir "$T/snaps"
"$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/snaps/snap" --rate 200 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "clean extract failed"; }
cp -R "$T/snaps/snap" "$T/snap.before"
orgs_gz=$(wc -c <"$T/snaps/snap/organizations.ndjson.gz")
[ "$orgs_gz" -gt 4096 ] || fail "generated organizations too small to fill a 2 KB disk ($orgs_gz bytes)"
contacts_gz=$(wc -c <"$T/snaps/snap/contacts.ndjson.gz")

for lim in 2048 $((contacts_gz / 2)); do
	rc=0
	limited "$lim" "$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/snaps/snap" --rate 200 || rc=$?
	expect_fail "itg-extract (limit $lim bytes)" '\.ndjson\.gz'
	diff -r "$T/snap.before" "$T/snaps/snap" >&2 || fail "itg-extract damaged the earlier snapshot"
	rc=0
	limited "$lim" "$ITG_BIN/itg-extract" --base-url "$MOCK_URL" --out "$T/snaps/new" --rate 200 || rc=$?
	expect_fail "itg-extract to a new folder (limit $lim bytes)" '\.ndjson\.gz'
	[ ! -e "$T/snaps/new" ] || fail "itg-extract left a partial snapshot under --out"
	no_staging "$T/snaps"
done
assert_no_canary "$T/err"

# ---- itg-transform ------------------------------------------------------------
mkdir "$T/p" "$T/plans"
cp -R "$ITG_REPO/fixtures/stores/bullphish" "$T/store"
for contacts in false true; do
	cat >"$T/p/c-$contacts.yaml" <<YAML
name: e2e-full-disk
product: bullphish
store: ../store
sync:
  contacts:
    enabled: $contacts
import:
  select: all
YAML
	rc=0
	limited 2048 "$ITG_BIN/itg-transform" -p "$T/p/c-$contacts.yaml" --snapshot "$T/snaps/snap" \
		--out "$T/plans/plan" || rc=$?
	expect_fail "itg-transform (contacts $contacts)" "$T/plans/"
	[ ! -e "$T/plans/plan" ] || fail "itg-transform left a plan folder (contacts $contacts)"
	no_staging "$T/plans"
done

# ---- itg-load -----------------------------------------------------------------
"$ITG_BIN/itg-transform" -p "$T/p/c-true.yaml" --snapshot "$T/snaps/snap" --out "$T/plans/plan" \
	2>"$T/err" || { cat "$T/err" >&2; fail "clean transform failed"; }
cp -R "$T/store" "$T/store.before"
cp -R "$T/store" "$T/store.after"
export ITG_FIXED_TIME=1700000000
"$ITG_BIN/itg-load" -p "$T/p/c-true.yaml" --store "$T/store.after" --plan "$T/plans/plan" \
	--report "$T/report.clean" 2>"$T/err" || { cat "$T/err" >&2; fail "clean load failed"; }
rm -f "$T/store.after/.lock"
biggest=$(ls -l "$T/store.after" "$T/report.clean" | awk '$5 > m { m = $5 } END { print m }')

# same_store A B: the same files with the same bytes (the lock file aside).
same_store() {
	[ "$(ls -A "$1" | grep -vx '\.lock')" = "$(ls -A "$2" | grep -vx '\.lock')" ] || return 1
	for _f in "$1"/*; do cmp -s "$_f" "$2/$(basename "$_f")" || return 1; done
	for _f in "$1"/.[!.]*; do
		[ -e "$_f" ] || continue
		[ "$(basename "$_f")" = .lock ] || return 1
	done
	return 0
}

failed_before=0
for lim in 1024 4096 32768 $((biggest / 8)) $((biggest / 3)) $((biggest / 2)) $((biggest - 1024)); do
	rm -rf "$T/store" "$T/rep"
	cp -R "$T/store.before" "$T/store"
	rc=0
	limited "$lim" "$ITG_BIN/itg-load" -p "$T/p/c-true.yaml" --plan "$T/plans/plan" \
		--report "$T/rep" || rc=$?
	left=$(find "$T/store" -name '*.tmp*' -o -name '.journal*' | head -3)
	[ -z "$left" ] || fail "itg-load (limit $lim bytes) left $left"
	if same_store "$T/store.before" "$T/store"; then
		[ "$rc" -ne 0 ] || fail "itg-load (limit $lim bytes) exited 0 but changed nothing"
		expect_fail "itg-load (limit $lim bytes)" "$T/"
		failed_before=$((failed_before + 1))
		echo "itg-load limit $lim: exit $rc, store as before"
	elif same_store "$T/store.after" "$T/store"; then
		[ "$rc" -eq 0 ] || { cat "$T/err" >&2; fail "itg-load (limit $lim bytes): exit $rc with the store applied: a report failure must stop the load before the store changes"; }
		[ -f "$T/rep/summary.json" ] || fail "itg-load (limit $lim bytes): the store applied without its report"
		echo "itg-load limit $lim: exit $rc, store as after"
	else
		diff -r "$T/store.before" "$T/store" | head -20 >&2
		fail "itg-load (limit $lim bytes, exit $rc): the store is neither as before nor as after"
	fi
	[ "$rc" -ne 0 ] || [ ! -e "$T/rep" ] || [ -f "$T/rep/summary.json" ] ||
		fail "itg-load (limit $lim bytes): a partial report folder"
	no_staging "$T"
done
[ "$failed_before" -ge 2 ] || fail "only $failed_before limits failed before the store switch; the test no longer reaches the store writes"
exit 0
