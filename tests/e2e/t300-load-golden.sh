#!/bin/sh
# itg-load on hand-written plans and fixture stores (tests/golden/load/PRODUCT/input)
# with the clock pinned: every file of the report folder (report.md, report.html,
# summary.json, changes.csv, mapping.csv, lists/, upload/) and the store after the
# load must equal the reviewed files beside the input, and the folder holds no
# other file.  A dry run first must
# give the same figures and leave the store byte-identical.
set -u
top=${ITG_REPO:-$(pwd)}
bin=$(cd "${ITG_BIN:-bin}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export ITG_FIXED_TIME=1772341200   # 2026-03-01T05:00:00Z
fail=0

bad() {
	echo "FAIL: $*"
	fail=1
}

for product in bullphish darkwebid; do
	golden="$top/tests/golden/load/$product"
	work="$tmp/$product"
	mkdir -p "$work"
	cp -R "$golden/input/." "$work/"
	cd "$work" || exit 1

	"$bin/itg-load" -p pipeline.yaml --plan plan --report dry --dry-run --quiet ||
		bad "$product: dry run exited $?"
	diff -r "$golden/input/store" store >/dev/null || bad "$product: dry run changed the store"
	[ ! -e store/.lock ] || bad "$product: dry run created store/.lock"
	grep -q '"status": "dry_run"' dry/summary.json || bad "$product: dry run summary status"

	"$bin/itg-load" -p pipeline.yaml --plan plan --report report --quiet ||
		bad "$product: load exited $?"
	want=$(cd "$golden" && find . -type f ! -path './input/*' ! -path './store-after/*' | sort)
	got=$(cd report && find . -type f | sort)
	[ "$want" = "$got" ] || {
		bad "$product: the report folder's files differ from the golden ones"
		printf '%s\n' "$want" >"$tmp/want"
		printf '%s\n' "$got" >"$tmp/got"
		diff "$tmp/want" "$tmp/got" | head -20
	}
	for f in $want; do
		cmp -s "$golden/$f" "report/$f" || {
			bad "$product: report/$f differs from tests/golden/load/$product/$f"
			diff "$golden/$f" "report/$f" | head -20
		}
	done
	for f in "$golden"/store-after/*; do
		name=$(basename "$f")
		cmp -s "$f" "store/$name" || {
			bad "$product: store/$name differs from the golden store-after/$name"
			diff "$f" "store/$name" | head -20
		}
	done
	# the dry run reports the same changes, only the status differs
	sed 's/dry_run/applied/' dry/summary.json | cmp -s - report/summary.json ||
		bad "$product: dry-run summary differs from the applied one beyond its status"
	cmp -s dry/changes.csv report/changes.csv || bad "$product: dry-run changes.csv differs"
	grep -qi '<script' report/report.html && bad "$product: report.html has a script"
	grep -q '<svg' report/report.html || bad "$product: report.html has no chart"
	grep -Eq '(src|href)="https?:' report/report.html && bad "$product: report.html links out"
	perms=$(ls -l store/users.csv store/domains.csv 2>/dev/null | cut -c1-10 | sort -u)
	[ "$perms" = "-rw-------" ] || bad "$product: store tables are not 0600 ($perms)"
	cd "$top" || exit 1
done
[ "$fail" -eq 0 ] && echo "load golden reports match"
exit "$fail"
