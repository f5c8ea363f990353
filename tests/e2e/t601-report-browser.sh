#!/bin/sh
# report.html as a browser shows it: the golden BullPhish ID and Dark Web ID
# loads are opened in headless Chromium (Debian's chromium package;
# scripts/deps installs it when it can), and the text of the rendered page
# must hold every main section with its figures and names.  Where Chromium
# is missing or cannot start here, the script says why and exits 77 (a skip).
# shellcheck source=tests/e2e/lib.sh
. "${ITG_REPO:-.}/tests/e2e/lib.sh"

T=$(e2e_tmp)
export ITG_FIXED_TIME=1772341200

browser=
for b in chromium chromium-browser; do
	if command -v "$b" >/dev/null 2>&1; then
		browser=$b
		break
	fi
done
[ -n "$browser" ] || { echo "skip: chromium is not installed (apt-get install chromium)"; exit 77; }

# render FILE OUT: the DOM after the page was laid out, or exit 77 when the
# browser cannot run in this environment
render() {
	profile=$(mktemp -d "$T/profile.XXXXXX")
	set +e
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
		--dump-dom "file://$1" >"$2" 2>"$T/browser.err"
	rc=$?
	set -e
	if [ "$rc" -ne 0 ] || ! grep -q '</html>' "$2"; then
		echo "skip: $browser could not render a page here (exit $rc): $(tail -1 "$T/browser.err" | cut -c1-160)"
		exit 77
	fi
}

# The page's text, one block a line: tags dropped, entities of the golden names undone.
page_text() {
	sed -e 's/<\/\(p\|h[1-3]\|tr\|li\|figcaption\)>/&\n/g' "$1" | sed -e 's/<[^>]*>/ /g' \
		-e 's/&amp;/\&/g' -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&#39;/'"'"'/g' \
		-e 's/  */ /g' >"$2"
}

for product in bullphish darkwebid; do
	W=$T/$product
	cp -R "$ITG_REPO/tests/golden/load/$product/input" "$W"
	(cd "$W" && "$ITG_BIN/itg-load" -p pipeline.yaml --plan plan --report report --quiet) ||
		fail "$product: itg-load failed"
	render "$W/report/report.html" "$W/dom.html"
	page_text "$W/dom.html" "$W/text"
	grep -qi '<script' "$W/dom.html" && fail "$product: the rendered page has a script"
	[ "$(grep -c '<svg' "$W/dom.html")" -ge 2 ] || fail "$product: fewer than two charts rendered"
	for want in "IT Glue sync report: $product-golden" "What happened" "License consumption" \
		"Needs a person" "Changes" "The integration after this run" "Product organizations" \
		"IT Glue organizations not linked" "Sync filters in effect" "Organization statuses" \
		"Files beside this report" "What it means" "What to do"; do
		grep -qF "$want" "$W/text" || fail "$product: the rendered page lacks \"$want\""
	done
	echo "ok: $product: report.html renders every section"
done

B=$T/bullphish/text
for want in "The plan has 16 lines. Applying it changed 17 rows (72 field values)." \
	"Training seats 6 6 0" "6 / 10" "6 / 6" \
	"Globex Corporation (7) Globex Corporation (102) normalized name_match" \
	"Umbrella (20) deleted in IT Glue (104) auto itglue_deleted" \
	"Initech (12) Initech (103) Initech LLC Initech itglue_renamed" \
	"Oscorp (109) Vendor Active available: not selected for import not_selected" \
	"Files to upload to BullPhish ID" "upload/24-wayne-sons-enterprises/board.csv" \
	"Wayne & Sons <Enterprises> (24)"; do
	grep -qF "$want" "$B" || fail "bullphish: the rendered page lacks \"$want\""
done
D=$T/darkwebid/text
for want in "acme.gov 502 Acme Dental (1) gov_domain" "ask your import manager" \
	"support@idagent.com" "Domains 5 4 none: 1 over the license" "5 / 4: 1 over" \
	"Licenses over their total" "Initrode (104)"; do
	grep -qF "$want" "$D" || fail "darkwebid: the rendered page lacks \"$want\""
done
grep -qF "Files to upload to BullPhish ID" "$D" && fail "darkwebid: a BullPhish ID upload section"
echo "ok: the rendered pages name every id, explain every reason and flag the license over its total"
