/*
 * The periodic complaint report: the public statistics of a period and of
 * the period before (by responsible unit and by category), their totals,
 * the change between them, and the overdue and repeat lists, as one JSON
 * document that the HTML page is rendered from (so the two never disagree).
 *
 * Built on pcrm_complaint_stats_compute() rather than on the ticket table,
 * so the report counts exactly what the statistics count.  Totals are sums
 * of the groups' counts with the rates computed again from the sums (the
 * same rule: 4 digits, half up, 0 over 0); the mean handling time is not
 * totalled, as the groups give it rounded down and their sum would not be
 * exact.  The definitions are in docs/complaints.md ("The periodic report").
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "complaint_report_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "org/org_internal.h"

#define RATE_SCALE 4

struct pcrm_complaint_report {
	char *json;
	char *html;
};

/* The counted statistics, in report order, and where each lives in a group. */
static const struct {
	const char *name;
	size_t offset;
} counts[] = {
	{ "received", offsetof(pcrm_complaint_stat, received) },
	{ "handled", offsetof(pcrm_complaint_stat, handled) },
	{ "overdue_open", offsetof(pcrm_complaint_stat, overdue_open) },
	{ "substantiated", offsetof(pcrm_complaint_stat, substantiated) },
	{ "repeat", offsetof(pcrm_complaint_stat, repeat) },
	{ "visited", offsetof(pcrm_complaint_stat, visited) },
	{ "satisfied", offsetof(pcrm_complaint_stat, satisfied) },
};
#define NCOUNTS (sizeof(counts) / sizeof(counts[0]))

/* The rates and their numerator and denominator among `counts`. */
static const struct {
	const char *name;
	size_t num, den;
} rates[] = {
	{ "reply_rate", 1, 0 },        /* handled / received */
	{ "return_visit_rate", 5, 1 }, /* visited / handled */
	{ "satisfaction_rate", 6, 5 }, /* satisfied / visited */
};
#define NRATES (sizeof(rates) / sizeof(rates[0]))

struct totals {
	int64_t n[NCOUNTS];
	pcrm_decimal rate[NRATES];
};

void pcrm_complaint_report_free(pcrm_complaint_report *r)
{
	if (!r)
		return;
	free(r->json);
	free(r->html);
	free(r);
}

const char *pcrm_complaint_report_json(const pcrm_complaint_report *r) { return r ? r->json : NULL; }

const char *pcrm_complaint_report_html(const pcrm_complaint_report *r) { return r ? r->html : NULL; }

static int decimal_json(pcrm_decimal d, json_t **out)
{
	char buf[PCRM_DECIMAL_STRING_MAX];
	int rc = pcrm_decimal_format(d, buf, sizeof(buf));
	*out = rc == PCRM_OK ? json_string(buf) : NULL;
	return rc != PCRM_OK ? rc : *out ? PCRM_OK : pcrm__error_oom();
}

/* num / den with 4 digits, half up; 0 when den is 0 (as the statistics). */
static int ratio(int64_t num, int64_t den, pcrm_decimal *out)
{
	*out = pcrm_decimal_make(0, RATE_SCALE);
	if (den == 0)
		return PCRM_OK;
	return pcrm_decimal_div(pcrm_decimal_from_int(num), pcrm_decimal_from_int(den), RATE_SCALE,
	                        PCRM_ROUND_HALF_UP, out);
}

static int sum_groups(const pcrm_complaint_stats *s, struct totals *t)
{
	int rc = PCRM_OK;
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < pcrm_complaint_stats_count(s); i++) {
		const char *row = (const char *)pcrm_complaint_stats_at(s, i);
		for (size_t k = 0; k < NCOUNTS; k++) {
			int64_t v;
			memcpy(&v, row + counts[k].offset, sizeof(v));
			if (__builtin_add_overflow(t->n[k], v, &t->n[k]))
				return pcrm__error(PCRM_EOVERFLOW, "%s: the total overflows", counts[k].name);
		}
	}
	for (size_t k = 0; rc == PCRM_OK && k < NRATES; k++)
		rc = ratio(t->n[rates[k].num], t->n[rates[k].den], &t->rate[k]);
	return rc;
}

static int totals_json(const struct totals *t, json_t **out)
{
	json_t *o = json_object(), *v;
	int rc = o ? PCRM_OK : pcrm__error_oom();
	for (size_t k = 0; rc == PCRM_OK && k < NCOUNTS; k++)
		if (json_object_set_new(o, counts[k].name, json_integer(t->n[k])) != 0)
			rc = pcrm__error_oom();
	for (size_t k = 0; rc == PCRM_OK && k < NRATES; k++)
		if ((rc = decimal_json(t->rate[k], &v)) == PCRM_OK &&
		    json_object_set_new(o, rates[k].name, v) != 0)
			rc = pcrm__error_oom();
	if (rc != PCRM_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return PCRM_OK;
}

/*
 * Period-on-period change.  A count: current, previous, difference and
 * relative = difference / previous (4 digits, half up; null when the previous
 * period had none).  A rate: current, previous and difference, exact.
 */
static int change_json(const struct totals *cur, const struct totals *prev, json_t **out)
{
	json_t *o = json_object();
	int rc = o ? PCRM_OK : pcrm__error_oom();

	for (size_t k = 0; rc == PCRM_OK && k < NCOUNTS; k++) {
		int64_t diff = cur->n[k] - prev->n[k]; /* both are counts of rows: no overflow */
		json_t *rel = json_null(), *c;
		if (prev->n[k] != 0) {
			pcrm_decimal d;
			json_decref(rel);
			rel = NULL;
			rc = pcrm_decimal_div(pcrm_decimal_from_int(diff), pcrm_decimal_from_int(prev->n[k]),
			                      RATE_SCALE, PCRM_ROUND_HALF_UP, &d);
			if (rc == PCRM_OK)
				rc = decimal_json(d, &rel);
		}
		c = rc == PCRM_OK ? json_pack("{s:I, s:I, s:I, s:o}", "current", (json_int_t)cur->n[k],
		                              "previous", (json_int_t)prev->n[k], "difference",
		                              (json_int_t)diff, "relative", rel)
		                  : NULL;
		if (rc == PCRM_OK && (!c || json_object_set_new(o, counts[k].name, c) != 0))
			rc = pcrm__error_oom();
	}
	for (size_t k = 0; rc == PCRM_OK && k < NRATES; k++) {
		pcrm_decimal diff;
		json_t *a = NULL, *b = NULL, *d = NULL, *c;
		rc = pcrm_decimal_sub(cur->rate[k], prev->rate[k], &diff);
		if (rc == PCRM_OK)
			rc = decimal_json(cur->rate[k], &a);
		if (rc == PCRM_OK)
			rc = decimal_json(prev->rate[k], &b);
		if (rc == PCRM_OK)
			rc = decimal_json(diff, &d);
		if (rc != PCRM_OK) {
			json_decref(a);
			json_decref(b);
			break;
		}
		c = json_pack("{s:o, s:o, s:o}", "current", a, "previous", b, "difference", d);
		if (!c || json_object_set_new(o, rates[k].name, c) != 0)
			rc = pcrm__error_oom();
	}
	if (rc != PCRM_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return PCRM_OK;
}

/* The "rows" of the statistics' own JSON: whatever the statistics report, the report shows. */
static int stats_rows(const pcrm_complaint_stats *s, json_t **out)
{
	json_error_t err;
	json_t *doc = json_loads(pcrm_complaint_stats_json(s), 0, &err);
	json_t *rows = doc ? json_incref(json_object_get(doc, "rows")) : NULL;
	json_decref(doc);
	if (!rows)
		return pcrm__error_oom();
	*out = rows;
	return PCRM_OK;
}

/* Adds each by-unit row's unit name (the rows hold codes; the page prints names). */
static int name_units(pcrm_ctx *ctx, json_t *rows)
{
	size_t i;
	json_t *row;
	json_array_foreach (rows, i, row) {
		struct pcrm_org_unit u;
		int rc = pcrm__org_load(ctx, json_string_value(json_object_get(row, "key1")), &u);
		if (rc != PCRM_OK)
			return rc;
		rc = json_object_set_new(row, "unit_name", json_string(u.name)) == 0
		             ? PCRM_OK
		             : pcrm__error_oom();
		pcrm__org_clear(&u);
		if (rc != PCRM_OK)
			return rc;
	}
	return PCRM_OK;
}

static int set_instant(json_t *o, const char *key, pcrm_time t, int utc_offset)
{
	char buf[32];
	int rc = pcrm_time_format(t, utc_offset, buf, sizeof(buf));
	if (rc == PCRM_OK && json_object_set_new(o, key, json_string(buf)) != 0)
		rc = pcrm__error_oom();
	return rc;
}

/* The body: statistics, totals, change, lists, into `doc`. */
static int fill(pcrm_ctx *ctx, const pcrm_actor *actor, const struct pcrm__report_request *req,
                const struct pcrm_org_unit *unit, const char *scope, json_t *doc)
{
	pcrm_complaint_stats *cur = NULL, *prev = NULL, *by_cat = NULL;
	struct totals tc, tp;
	json_t *v;
	int rc;

	rc = pcrm_complaint_stats_compute(ctx, actor, unit->code, req->from, req->to, "responsible_unit", &cur);
	if (rc == PCRM_OK)
		rc = pcrm_complaint_stats_compute(ctx, actor, unit->code, req->prev_from, req->prev_to, "responsible_unit",
		             &prev);
	if (rc == PCRM_OK)
		rc = pcrm_complaint_stats_compute(ctx, actor, unit->code, req->from, req->to, "category", &by_cat);
	if (rc == PCRM_OK)
		rc = sum_groups(cur, &tc);
	if (rc == PCRM_OK)
		rc = sum_groups(prev, &tp);
	if (rc == PCRM_OK && (rc = totals_json(&tc, &v)) == PCRM_OK)
		rc = json_object_set_new(doc, "totals", v) == 0 ? PCRM_OK : pcrm__error_oom();
	if (rc == PCRM_OK && (rc = totals_json(&tp, &v)) == PCRM_OK)
		rc = json_object_set_new(doc, "previous_totals", v) == 0 ? PCRM_OK : pcrm__error_oom();
	if (rc == PCRM_OK && (rc = change_json(&tc, &tp, &v)) == PCRM_OK)
		rc = json_object_set_new(doc, "change", v) == 0 ? PCRM_OK : pcrm__error_oom();
	if (rc == PCRM_OK && (rc = stats_rows(cur, &v)) == PCRM_OK) {
		rc = json_object_set_new(doc, "by_unit", v) == 0 ? PCRM_OK : pcrm__error_oom();
		if (rc == PCRM_OK)
			rc = name_units(ctx, v);
	}
	if (rc == PCRM_OK && (rc = stats_rows(by_cat, &v)) == PCRM_OK)
		rc = json_object_set_new(doc, "by_category", v) == 0 ? PCRM_OK : pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = pcrm__report_lists(ctx, scope, req->from, req->to, req->limit, doc);
	pcrm_complaint_stats_free(cur);
	pcrm_complaint_stats_free(prev);
	pcrm_complaint_stats_free(by_cat);
	return rc;
}

/* The head of the document: who, which unit, which periods. */
static int head(pcrm_ctx *ctx, const struct pcrm__report_request *req,
                const struct pcrm_org_unit *unit, json_t **out)
{
	int off = pcrm_ctx_utc_offset(ctx);
	json_t *doc = json_pack("{s:{s:s, s:s}, s:{s:s}, s:{}, s:i}", "org_unit", "code", unit->code,
	                        "name", unit->name, "period", "kind", req->kind, "previous", "limit",
	                        req->limit);
	json_t *period = json_object_get(doc, "period"), *previous = json_object_get(doc, "previous");
	int rc = doc ? PCRM_OK : pcrm__error_oom();
	if (rc == PCRM_OK && req->date[0] &&
	    json_object_set_new(period, "date", json_string(req->date)) != 0)
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = set_instant(period, "from", req->from, off);
	if (rc == PCRM_OK)
		rc = set_instant(period, "to", req->to, off);
	if (rc == PCRM_OK)
		rc = set_instant(previous, "from", req->prev_from, off);
	if (rc == PCRM_OK)
		rc = set_instant(previous, "to", req->prev_to, off);
	if (rc == PCRM_OK)
		rc = set_instant(doc, "generated_at", pcrm_ctx_now(ctx), off);
	if (rc != PCRM_OK) {
		json_decref(doc);
		return rc;
	}
	*out = doc;
	return PCRM_OK;
}

static int build(pcrm_ctx *ctx, const pcrm_actor *actor, const struct pcrm__report_request *req,
                 pcrm_complaint_report *r)
{
	const char *org = req->org_unit[0] ? req->org_unit : actor->org_unit;
	struct pcrm_org_unit unit = { 0 };
	char *scope = NULL;
	json_t *doc = NULL;
	int rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_ARCHIVE_READ, org, &scope);

	if (rc != PCRM_OK) {
		pcrm__error_prefix("org_unit");
		return rc;
	}
	rc = pcrm__org_load(ctx, org, &unit);
	if (rc == PCRM_OK)
		rc = head(ctx, req, &unit, &doc);
	if (rc == PCRM_OK)
		rc = fill(ctx, actor, req, &unit, scope, doc);
	if (rc == PCRM_OK)
		rc = (r->json = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER)) ? PCRM_OK
		                                                                    : pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = pcrm__report_html(doc, &r->html);
	json_decref(doc);
	pcrm__org_clear(&unit);
	free(scope);
	return rc;
}

int pcrm_complaint_report_build(pcrm_ctx *ctx, const pcrm_actor *actor, const char *request,
                                pcrm_complaint_report **out)
{
	struct pcrm__report_request req;
	pcrm_complaint_report *r = NULL;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__report_request_parse(request, pcrm_ctx_utc_offset(ctx), &req);
	if (rc == PCRM_OK)
		rc = (r = calloc(1, sizeof(*r))) ? PCRM_OK : pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = build(ctx, actor, &req, r);
	if (rc != PCRM_OK) {
		pcrm_complaint_report_free(r);
		return rc;
	}
	*out = r;
	return PCRM_OK;
}
