/*
 * The printable page of the periodic complaint report, rendered from the
 * report's JSON document: one self-contained HTML file (UTF-8, styles
 * inline, nothing fetched from elsewhere) with Chinese labels, for a
 * browser's print to A4.  Every text that came from the store or the
 * request (unit names, ticket descriptions, codes, serials) goes through
 * pcrm__html_escape(); only the library's own labels are written as they are.
 */
#include <stdlib.h>
#include <string.h>

#include "complaint_report_internal.h"
#include "core/error.h"
#include "core/strbuf.h"

void pcrm__html_escape(struct pcrm__strbuf *b, const char *text)
{
	const char *run = text;
	if (!text)
		return;
	for (const char *p = text;; p++) {
		const char *entity = NULL;
		switch (*p) {
		case '&': entity = "&amp;"; break;
		case '<': entity = "&lt;"; break;
		case '>': entity = "&gt;"; break;
		case '"': entity = "&quot;"; break;
		case '\'': entity = "&#39;"; break;
		case '\0': break;
		default: continue;
		}
		pcrm__strbuf_add(b, "%.*s", (int)(p - run), run);
		if (!entity)
			return;
		pcrm__strbuf_add(b, "%s", entity);
		run = p + 1;
	}
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const struct {
	const char *code, *label;
} categories[] = {
	{ "service", "服务" },           { "business", "营业" },
	{ "outage", "停送电" },          { "supply_quality", "供电质量" },
	{ "grid_construction", "电网建设" },
};

/* The category's Chinese name; an unknown code is printed (escaped) as it is. */
static void category(struct pcrm__strbuf *b, const char *code)
{
	for (size_t i = 0; i < sizeof(categories) / sizeof(categories[0]); i++)
		if (code && strcmp(code, categories[i].code) == 0) {
			pcrm__strbuf_add(b, "%s", categories[i].label);
			return;
		}
	pcrm__html_escape(b, code);
}

/* "2026-11-02T10:00:00+08:00" -> "2026-11-02 10:00" (local time: the offset is the report's). */
static void local_time(struct pcrm__strbuf *b, const char *iso)
{
	if (!iso || strlen(iso) < 16) {
		pcrm__strbuf_add(b, "—");
		return;
	}
	pcrm__strbuf_add(b, "%.10s %.5s", iso, iso + 11);
}

/* A 4-digit fraction as a percentage with 2 digits: "0.5000" -> "50.00%" (exact: a shift). */
static void percent(struct pcrm__strbuf *b, const char *fraction, int signed_)
{
	pcrm_decimal d;
	char buf[PCRM_DECIMAL_STRING_MAX];
	if (!fraction || pcrm_decimal_parse(fraction, &d) != PCRM_OK || d.scale < 2 ||
	    pcrm_decimal_format(pcrm_decimal_make(d.units, d.scale - 2), buf, sizeof(buf)) != PCRM_OK) {
		pcrm__strbuf_add(b, "—");
		return;
	}
	pcrm__strbuf_add(b, "%s%s%%", signed_ && d.units > 0 ? "+" : "", buf);
}

static void duration(struct pcrm__strbuf *b, const json_t *seconds)
{
	json_int_t s = json_integer_value(seconds);
	if (!json_is_integer(seconds)) {
		pcrm__strbuf_add(b, "—");
		return;
	}
	pcrm__strbuf_add(b, "%lld小时%02lld分", (long long)(s / 3600), (long long)(s % 3600 / 60));
}

static const char style[] =
	"<style>"
	"@page{size:A4;margin:15mm}"
	"body{font-family:\"WenQuanYi Micro Hei\",\"Microsoft YaHei\",sans-serif;font-size:10.5pt;"
	"color:#000;margin:0 auto;max-width:190mm}"
	"h1{font-size:16pt;text-align:center;margin:0 0 4mm}"
	"h2{font-size:12pt;margin:6mm 0 2mm;border-bottom:1px solid #000}"
	"table{border-collapse:collapse;width:100%;page-break-inside:auto}"
	"tr{page-break-inside:avoid}"
	"th,td{border:1px solid #444;padding:1mm 1.5mm;vertical-align:top}"
	"th{background:#eee;font-weight:bold}"
	"td.n{text-align:right;white-space:nowrap}"
	"td.d{word-break:break-all}"
	"p.meta{margin:1mm 0}"
	"</style>";

static const char *kind_label(const char *kind)
{
	if (strcmp(kind, "day") == 0)
		return "日报";
	if (strcmp(kind, "week") == 0)
		return "周报";
	if (strcmp(kind, "month") == 0)
		return "月报";
	return "专项报表";
}

static void header(struct pcrm__strbuf *b, const json_t *r)
{
	const json_t *unit = json_object_get(r, "org_unit"), *period = json_object_get(r, "period"),
	             *prev = json_object_get(r, "previous");
	pcrm__strbuf_add(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
	                    "<title>投诉统计%s - ", kind_label(str(period, "kind")));
	pcrm__html_escape(b, str(unit, "name"));
	pcrm__strbuf_add(b, "</title>%s</head><body>\n<h1>", style);
	pcrm__html_escape(b, str(unit, "name"));
	pcrm__strbuf_add(b, " 投诉统计%s</h1>\n<p class=\"meta\">统计范围：", kind_label(str(period, "kind")));
	pcrm__html_escape(b, str(unit, "name"));
	pcrm__strbuf_add(b, "（");
	pcrm__html_escape(b, str(unit, "code"));
	pcrm__strbuf_add(b, "）及所属单位，按责任单位统计</p>\n<p class=\"meta\">统计周期：");
	local_time(b, str(period, "from"));
	pcrm__strbuf_add(b, " 至 ");
	local_time(b, str(period, "to"));
	pcrm__strbuf_add(b, "（不含）；对比周期：");
	local_time(b, str(prev, "from"));
	pcrm__strbuf_add(b, " 至 ");
	local_time(b, str(prev, "to"));
	pcrm__strbuf_add(b, "（不含）</p>\n<p class=\"meta\">生成时间：");
	local_time(b, str(r, "generated_at"));
	pcrm__strbuf_add(b, "</p>\n");
}

static const struct {
	const char *key, *label;
} count_labels[] = {
	{ "received", "受理量" },       { "handled", "处理量（已答复）" },
	{ "overdue_open", "超时未处理量" }, { "substantiated", "投诉成立量" },
	{ "repeat", "重复投诉量" },     { "visited", "回访量" },
	{ "satisfied", "满意量（含基本满意）" },
}, rate_labels[] = {
	{ "reply_rate", "答复率" },
	{ "return_visit_rate", "回访率" },
	{ "satisfaction_rate", "满意率" },
};
#define NCOUNT_LABELS (sizeof(count_labels) / sizeof(count_labels[0]))
#define NRATE_LABELS (sizeof(rate_labels) / sizeof(rate_labels[0]))

static void summary(struct pcrm__strbuf *b, const json_t *r)
{
	const json_t *change = json_object_get(r, "change");
	pcrm__strbuf_add(b, "<h2>一、汇总及环比</h2>\n<table><tr><th>指标</th><th>本期</th>"
	                    "<th>上期</th><th>增减</th><th>环比</th></tr>\n");
	for (size_t i = 0; i < NCOUNT_LABELS; i++) {
		const json_t *c = json_object_get(change, count_labels[i].key);
		json_int_t diff = json_integer_value(json_object_get(c, "difference"));
		pcrm__strbuf_add(b, "<tr><td>%s</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
		                    "<td class=\"n\">%s%lld</td><td class=\"n\">",
		                 count_labels[i].label,
		                 (long long)json_integer_value(json_object_get(c, "current")),
		                 (long long)json_integer_value(json_object_get(c, "previous")),
		                 diff > 0 ? "+" : "", (long long)diff);
		percent(b, str(c, "relative"), 1);
		pcrm__strbuf_add(b, "</td></tr>\n");
	}
	for (size_t i = 0; i < NRATE_LABELS; i++) {
		const json_t *c = json_object_get(change, rate_labels[i].key);
		pcrm__strbuf_add(b, "<tr><td>%s</td><td class=\"n\">", rate_labels[i].label);
		percent(b, str(c, "current"), 0);
		pcrm__strbuf_add(b, "</td><td class=\"n\">");
		percent(b, str(c, "previous"), 0);
		pcrm__strbuf_add(b, "</td><td class=\"n\">");
		percent(b, str(c, "difference"), 1);
		pcrm__strbuf_add(b, "</td><td class=\"n\">—</td></tr>\n");
	}
	pcrm__strbuf_add(b, "</table>\n<p class=\"meta\">环比 = (本期 - 上期) / 上期，上期为 0 时"
	                    "记“—”；比率的增减为百分点。</p>\n");
}

/* One statistics table: by unit (name and code) or by category. */
static void groups(struct pcrm__strbuf *b, const char *title, const char *key_label,
                   const json_t *rows, int by_unit)
{
	size_t i;
	const json_t *row;
	pcrm__strbuf_add(b, "<h2>%s</h2>\n<table><tr><th>%s</th>", title, key_label);
	for (size_t k = 0; k < 5; k++)
		pcrm__strbuf_add(b, "<th>%s</th>", count_labels[k].label);
	for (size_t k = 0; k < NRATE_LABELS; k++)
		pcrm__strbuf_add(b, "<th>%s</th>", rate_labels[k].label);
	pcrm__strbuf_add(b, "<th>平均处理时长</th></tr>\n");
	json_array_foreach (rows, i, row) {
		pcrm__strbuf_add(b, "<tr><td>");
		if (by_unit) {
			pcrm__html_escape(b, str(row, "unit_name"));
			pcrm__strbuf_add(b, "（");
			pcrm__html_escape(b, str(row, "key1"));
			pcrm__strbuf_add(b, "）");
		} else {
			category(b, str(row, "key1"));
		}
		pcrm__strbuf_add(b, "</td>");
		for (size_t k = 0; k < 5; k++)
			pcrm__strbuf_add(b, "<td class=\"n\">%lld</td>",
			                 (long long)json_integer_value(
			                         json_object_get(row, count_labels[k].key)));
		for (size_t k = 0; k < NRATE_LABELS; k++) {
			pcrm__strbuf_add(b, "<td class=\"n\">");
			percent(b, str(row, rate_labels[k].key), 0);
			pcrm__strbuf_add(b, "</td>");
		}
		pcrm__strbuf_add(b, "<td class=\"n\">");
		duration(b, json_object_get(row, "avg_handling_seconds"));
		pcrm__strbuf_add(b, "</td></tr>\n");
	}
	if (json_array_size(rows) == 0)
		pcrm__strbuf_add(b, "<tr><td colspan=\"10\">本期无工单</td></tr>\n");
	pcrm__strbuf_add(b, "</table>\n");
}

/* The overdue (repeat = 0) or the repeat list, with "N 件，列出前 M 件". */
static void ticket_list(struct pcrm__strbuf *b, const json_t *list, int repeat)
{
	const json_t *tickets = json_object_get(list, "tickets"), *t;
	size_t i;
	pcrm__strbuf_add(b, "<h2>%s</h2>\n<p class=\"meta\">共 %lld 件，列出 %zu 件（上限 %lld 件），"
	                    "按受理时间排序。</p>\n<table><tr><th>工单编号</th>%s<th>责任单位</th>"
	                    "<th>类别</th><th>受理时间</th>%s<th>诉求内容</th></tr>\n",
	                 repeat ? "五、重复投诉清单" : "四、超时未处理工单清单",
	                 (long long)json_integer_value(json_object_get(list, "total")),
	                 json_array_size(tickets),
	                 (long long)json_integer_value(json_object_get(list, "limit")),
	                 repeat ? "<th>原工单编号</th>" : "", repeat ? "" : "<th>处理时限</th><th>已超时限</th>");
	json_array_foreach (tickets, i, t) {
		pcrm__strbuf_add(b, "<tr><td>");
		pcrm__html_escape(b, str(t, "serial"));
		if (repeat) {
			pcrm__strbuf_add(b, "</td><td>");
			pcrm__html_escape(b, str(t, "repeat_of"));
		}
		pcrm__strbuf_add(b, "</td><td>");
		pcrm__html_escape(b, str(t, "unit_name"));
		pcrm__strbuf_add(b, "</td><td>");
		category(b, str(t, "category"));
		pcrm__strbuf_add(b, "</td><td class=\"n\">");
		local_time(b, str(t, "accepted_at"));
		if (!repeat) {
			pcrm__strbuf_add(b, "</td><td class=\"n\">");
			/* no running limit left: every one, the process limit included, has passed */
			if (str(t, "deadline"))
				local_time(b, str(t, "deadline"));
			else
				pcrm__strbuf_add(b, "全部时限已过");
			/* the due time it missed, also once no limit runs any more */
			pcrm__strbuf_add(b, "</td><td class=\"n\">");
			if (str(t, "missed_due_at"))
				local_time(b, str(t, "missed_due_at"));
			else
				pcrm__strbuf_add(b, "—");
		}
		pcrm__strbuf_add(b, "</td><td class=\"d\">");
		pcrm__html_escape(b, str(t, "description"));
		pcrm__strbuf_add(b, "</td></tr>\n");
	}
	if (json_array_size(tickets) == 0)
		pcrm__strbuf_add(b, "<tr><td colspan=\"7\">无</td></tr>\n");
	pcrm__strbuf_add(b, "</table>\n");
}

int pcrm__report_html(const json_t *r, char **out)
{
	struct pcrm__strbuf b = { 0 };
	header(&b, r);
	summary(&b, r);
	groups(&b, "二、按责任单位统计", "责任单位", json_object_get(r, "by_unit"), 1);
	groups(&b, "三、按类别统计", "类别", json_object_get(r, "by_category"), 0);
	ticket_list(&b, json_object_get(r, "overdue"), 0);
	ticket_list(&b, json_object_get(r, "repeats"), 1);
	pcrm__strbuf_add(&b, "</body></html>\n");
	if (b.failed) {
		free(b.p);
		return pcrm__error_oom();
	}
	*out = b.p;
	return PCRM_OK;
}
