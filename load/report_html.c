/*
 * report_html.c - report.html: the report model as one self-contained page.
 * Inline CSS, charts as inline SVG, no scripts and nothing fetched (a
 * Content-Security-Policy says so), every text HTML-escaped.  A list of the
 * sections at the top links to them (anchors in the page only).  Its size
 * does not grow with the plan: every table holds at most RDOC_MAX_ROWS rows.
 */
#include "report.h"

#include <string.h>

#define CHART_W 640
#define LABEL_W 180
#define BAR_W 340
#define ROW_H 24

static const char *const style =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2937;"
	"background:#f8fafc;margin:0}"
	"main{max-width:1100px;margin:0 auto;padding:24px 32px 48px;background:#fff}"
	"h1{font-size:24px;margin:0 0 16px}"
	"h2{font-size:19px;margin:32px 0 8px;padding-bottom:4px;border-bottom:2px solid #e2e8f0}"
	"h3{font-size:15px;margin:20px 0 6px}"
	"p{margin:6px 0}"
	"table{border-collapse:collapse;margin:8px 0 12px;font-size:13px}"
	"th,td{border:1px solid #e2e8f0;padding:4px 10px;text-align:left;vertical-align:top}"
	"th{background:#f1f5f9;font-weight:600}"
	"tr:nth-child(even) td{background:#fafafa}"
	"td.num{text-align:right;font-variant-numeric:tabular-nums}"
	"tr.alert td{color:#b91c1c;font-weight:600;background:#fef2f2}"
	"nav ul{margin:4px 0 16px;padding-left:20px}nav li{margin:2px 0}"
	"a{color:#1d4ed8}"
	"figure{margin:8px 0 16px}"
	"figcaption{font-size:12px;color:#64748b;margin-bottom:4px}"
	"svg text{font:12px system-ui,sans-serif;fill:#1f2937}"
	"@media print{body{background:#fff}main{padding:0}}";

void report_html_escape(struct buf *out, const char *s)
{
	for (const char *p = s ? s : ""; *p; p++) {
		switch (*p) {
		case '&':
			buf_adds(out, "&amp;");
			break;
		case '<':
			buf_adds(out, "&lt;");
			break;
		case '>':
			buf_adds(out, "&gt;");
			break;
		case '"':
			buf_adds(out, "&quot;");
			break;
		case '\'':
			buf_adds(out, "&#39;");
			break;
		default:
			buf_addc(out, *p);
		}
	}
}

static void tag_text(struct buf *out, const char *tag, const char *text)
{
	buf_addf(out, "<%s>", tag);
	report_html_escape(out, text);
	buf_addf(out, "</%s>\n", tag);
}

/* Whole numbers (ids, counts: "129,164") are right-aligned; "11-50" is not one. */
static int is_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s < '0' || *s > '9')
		return 0;
	for (; *s; s++)
		if ((*s < '0' || *s > '9') && !(*s == ',' && s[1] >= '0' && s[1] <= '9'))
			return 0;
	return 1;
}

static void render_table(struct buf *out, const struct rtable *t)
{
	buf_adds(out, "<table>\n<thead><tr>");
	for (size_t c = 0; c < t->ncols; c++) {
		buf_adds(out, "<th scope=\"col\">");
		report_html_escape(out, t->head[c]);
		buf_adds(out, "</th>");
	}
	buf_adds(out, "</tr></thead>\n<tbody>\n");
	for (size_t r = 0; r < t->nrows; r++) {
		buf_adds(out, t->flags && (t->flags[r] & RDOC_ROW_ALERT) ? "<tr class=\"alert\">"
									 : "<tr>");
		for (size_t c = 0; c < t->ncols; c++) {
			const char *v = t->cells[r * t->ncols + c];
			buf_adds(out, is_number(v) ? "<td class=\"num\">" : "<td>");
			report_html_escape(out, v);
			buf_adds(out, "</td>");
		}
		buf_adds(out, "</tr>\n");
	}
	buf_adds(out, "</tbody>\n</table>\n");
}

/*
 * A bar chart.  Counts are drawn to the scale of the largest; a license is
 * drawn against its total on a grey track: green, amber from 90% (full
 * included), red when over it (the bar fills the track and the label says by
 * how much).  A chart of lines that are not changes is drawn grey.
 * An unlimited license gets no bar, only its figure: a full bar would say
 * "all used".
 */
static void render_chart(struct buf *out, const struct rblock *b)
{
	long long max = 1;
	int h = (int)b->nbars * ROW_H + 8;
	char v[32], t[32], x[32];

	for (size_t i = 0; i < b->nbars; i++)
		if (!b->bars[i].is_license && b->bars[i].value > max)
			max = b->bars[i].value;
	buf_adds(out, "<figure>\n<figcaption>");
	report_html_escape(out, b->text);
	buf_addf(out, "</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		      "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
		 CHART_W, h, CHART_W, h);
	report_html_escape(out, b->text);
	buf_adds(out, "\">\n");
	for (size_t i = 0; i < b->nbars; i++) {
		const struct rbar *r = &b->bars[i];
		int y = (int)i * ROW_H + 4, w = 0, text_x;
		int unlimited = r->is_license && r->total < 0;
		int over = r->is_license && r->total >= 0 && r->value > r->total;
		const char *fill = b->muted ? "#94a3b8" : "#3b82f6";

		buf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W - 8,
			 y + ROW_H - 12);
		report_html_escape(out, r->label);
		buf_adds(out, "</text>\n");
		if (r->is_license && !unlimited) {
			long long scale = r->total > 0 ? r->total : 1;
			if (r->value > r->total)
				fill = "#dc2626";
			else if (r->value * 10 >= r->total * 9)
				fill = "#f59e0b";
			else
				fill = "#16a34a";
			/* the whole license as the track behind the bar */
			buf_addf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\" "
				      "fill=\"#e5e7eb\"/>\n",
				 LABEL_W, y, BAR_W, ROW_H - 8);
			w = (int)((double)(r->value < 0 ? 0 : r->value) / (double)scale * BAR_W + 0.5);
		} else if (!r->is_license) {
			w = (int)((double)(r->value < 0 ? 0 : r->value) / (double)max * BAR_W + 0.5);
		}
		if (w > BAR_W)
			w = BAR_W;
		if (!unlimited && r->value > 0 && w < 2)
			w = 2;
		if (w > 0)
			buf_addf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
				      "rx=\"3\" fill=\"%s\"/>\n",
				 LABEL_W, y, w, ROW_H - 8, fill);
		text_x = LABEL_W + (r->is_license && !unlimited ? BAR_W : w) + 8;
		buf_addf(out, "<text x=\"%d\" y=\"%d\"%s>", text_x, y + ROW_H - 12,
			 over ? " style=\"fill:#b91c1c;font-weight:600\"" : "");
		rdoc_num(r->value, v);
		if (unlimited)
			buf_addf(out, "%s used, unlimited", v);
		else if (over)
			buf_addf(out, "%s / %s: %s over", v, rdoc_num(r->total, t),
				 rdoc_num(r->value - r->total, x));
		else if (r->is_license)
			buf_addf(out, "%s / %s", v, rdoc_num(r->total, t));
		else
			buf_adds(out, v);
		buf_adds(out, "</text>\n");
	}
	buf_adds(out, "</svg>\n</figure>\n");
}

void report_render_html(const struct rdoc *d, struct buf *out)
{
	buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		      "style-src 'unsafe-inline'; img-src data:\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
	tag_text(out, "title", d->title);
	buf_addf(out, "<style>%s</style>\n</head>\n<body>\n<main>\n", style);
	tag_text(out, "h1", d->title);
	buf_adds(out, "<nav><ul>\n");
	for (size_t i = 0; i < d->n; i++)
		if (d->b[i].kind == RB_H2) {
			buf_addf(out, "<li><a href=\"#s%zu\">", i);
			report_html_escape(out, d->b[i].text);
			buf_adds(out, "</a></li>\n");
		}
	buf_adds(out, "</ul></nav>\n");
	for (size_t i = 0; i < d->n; i++) {
		const struct rblock *b = &d->b[i];
		switch (b->kind) {
		case RB_H2:
			buf_addf(out, "<h2 id=\"s%zu\">", i);
			report_html_escape(out, b->text);
			buf_adds(out, "</h2>\n");
			break;
		case RB_H3:
			tag_text(out, "h3", b->text);
			break;
		case RB_PARA:
			tag_text(out, "p", b->text);
			break;
		case RB_TABLE:
			render_table(out, &b->t);
			break;
		case RB_CHART:
			render_chart(out, b);
			break;
		}
	}
	buf_adds(out, "</main>\n</body>\n</html>\n");
}
