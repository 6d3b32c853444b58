/*
 * The periodic complaint report on both backends: a hand-checked month and
 * the month before it (every number, the period-on-period change
 * included), the overdue and repeat lists with their limits and order, the
 * period boundaries at UTC+8 (day, ISO week, month), hostile text escaped
 * in the HTML page, sealed data absent, permission denials and refused
 * requests that name the field.  Also: the contact-history entry of a
 * customer's ticket and its absence for an anonymous one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "backend.h"
#include "complaint/complaint_report_internal.h"
#include "core/ctx.h"
#include "store/store.h"
#include "complaint_fixture.h"

/* As tests/complaint/test_complaint.c, plus supply quality routed to Qingdao. */
static const char *const config =
	"{\"default_unit\": \"3701\", \"repeat_window_days\": 30,"
	" \"subcategories\": {\"service\": [\"attitude\", \"standards\"],"
	"   \"business\": [\"billing\"], \"outage\": [\"planned\"],"
	"   \"supply_quality\": [\"voltage\"], \"grid_construction\": [\"line_route\"]},"
	" \"rules\": [{\"category\": \"service\", \"subcategory\": \"attitude\","
	"              \"org_unit\": \"370102\", \"responsible_unit\": \"370102\"},"
	"            {\"category\": \"outage\", \"responsible_unit\": \"3701\"},"
	"            {\"category\": \"supply_quality\", \"responsible_unit\": \"3702\"}]}";

static void setup(pcrm_ctx *ctx)
{
	char *cal = read_source("data/calendars/cn-2026.json");
	static const char *const flows[] = { "complaint", "report", "suggestion" };
	make_tree(ctx);
	add_customer(ctx, ZHANG, "37010201", "13800138000");
	add_customer(ctx, LI, "370102", "13900139000");
	add_customer(ctx, QINGDAO, "3702", "13700137000");
	for (int i = 0; i < 3; i++) {
		char file[64], *def;
		snprintf(file, sizeof(file), "data/workflows/%s.json", flows[i]);
		def = read_source(file);
		pcrm_assert_ok(pcrm_workflow_define(ctx, &root_admin, def, cal, NULL));
		free(def);
	}
	free(cal);
	pcrm_assert_ok(pcrm_complaint_config_set(ctx, &root_admin, config));
}

static int64_t count(pcrm_ctx *ctx, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(ctx->store, sql, NULL, 0, &n));
	return n;
}

static pcrm_complaint *file_at(pcrm_ctx *ctx, const char *customer, const char *category,
                               const char *subcategory, const char *when, const char *description)
{
	char doc[1024];
	json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "channel", "phone", "category",
	                      category, "subcategory", subcategory, "nature", "complaint",
	                      "description", description, "customer_no", customer, "accepted_at",
	                      when);
	char *text = json_dumps(d, 0);
	pcrm_complaint *c = NULL;
	snprintf(doc, sizeof(doc), "%s", text);
	free(text);
	json_decref(d);
	/* the Jinan agent cannot file for a Qingdao customer: the province does */
	pcrm_assert_ok(pcrm_complaint_file(ctx, strcmp(customer, QINGDAO) == 0 ? &root_admin
	                                                                       : &city_agent,
	                                   doc, &c));
	return c;
}

/* Moves the ticket's work order to "reply" (contact, opinion, approval), as the workflow requires. */
static void to_reply(pcrm_ctx *ctx, const pcrm_complaint *c)
{
	pcrm_workorder *wo;
	int v;
	pcrm_assert_ok(pcrm_workorder_get(ctx, &city_agent, pcrm_complaint_work_order_id(c), &wo));
	v = pcrm_workorder_version(wo);
	if (strcmp(pcrm_workorder_state(wo), "accepted") == 0)
		pcrm_assert_ok(pcrm_workorder_fire(ctx, &city_agent, pcrm_complaint_work_order_id(c),
		                                   v++, "contact", "{\"contact_note\": \"已联系\"}",
		                                   NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_fire(ctx, &city_agent, pcrm_complaint_work_order_id(c), v,
	                                   "opinion", "{\"opinion\": \"已处理\"}", NULL, NULL));
	pcrm_workorder_free(wo);
	pcrm_assert_ok(pcrm_complaint_review(ctx, &jn_lead, pcrm_complaint_serial(c),
	                                     "{\"decision\": \"approve\"}", NULL));
}

static void reply(pcrm_ctx *ctx, const pcrm_complaint *c, int substantiated, const char *visit)
{
	char doc[256];
	to_reply(ctx, c);
	snprintf(doc, sizeof(doc), "{\"channel\": \"phone\", \"content\": \"x\", \"substantiated\": %s}",
	         substantiated ? "true" : "false");
	pcrm_assert_ok(pcrm_complaint_reply(ctx, &city_agent, pcrm_complaint_serial(c), doc, NULL));
	snprintf(doc, sizeof(doc), "{\"result\": \"x\", \"satisfaction\": \"%s\"}", visit);
	pcrm_assert_ok(pcrm_complaint_return_visit(ctx, &city_agent, pcrm_complaint_serial(c), doc,
	                                           NULL));
}

static json_t *report_json(pcrm_ctx *ctx, const pcrm_actor *actor, const char *request,
                           char **html)
{
	pcrm_complaint_report *r = NULL;
	json_error_t err;
	json_t *doc;
	pcrm_assert_ok(pcrm_complaint_report_build(ctx, actor, request, &r));
	doc = json_loads(pcrm_complaint_report_json(r), 0, &err);
	cr_assert_not_null(doc, "%s", err.text);
	if (html)
		*html = strdup(pcrm_complaint_report_html(r));
	pcrm_complaint_report_free(r);
	return doc;
}

static int64_t num(const json_t *doc, const char *path)
{
	const json_t *v = json_object_get(doc, path);
	cr_assert(json_is_integer(v), "%s is not an integer", path);
	return json_integer_value(v);
}

static const char *text(const json_t *doc, const char *key)
{
	const json_t *v = json_object_get(doc, key);
	cr_assert(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

/* Asserts the counts of a totals object, in report order. */
static void assert_counts(const json_t *o, const int64_t expected[7])
{
	static const char *const names[] = { "received", "handled", "overdue_open", "substantiated",
		                             "repeat", "visited", "satisfied" };
	for (int i = 0; i < 7; i++)
		cr_assert_eq(num(o, names[i]), expected[i], "%s: %lld, expected %lld", names[i],
		             (long long)num(o, names[i]), (long long)expected[i]);
}

static void assert_change(const json_t *change, const char *key, int64_t cur, int64_t prev,
                          const char *relative)
{
	const json_t *c = json_object_get(change, key);
	cr_assert_eq(num(c, "current"), cur, "%s current", key);
	cr_assert_eq(num(c, "previous"), prev, "%s previous", key);
	cr_assert_eq(num(c, "difference"), cur - prev, "%s difference", key);
	if (relative)
		cr_assert_str_eq(text(c, "relative"), relative, "%s relative", key);
	else
		cr_assert(json_is_null(json_object_get(c, "relative")), "%s relative", key);
}

static void assert_rate_change(const json_t *change, const char *key, const char *cur,
                               const char *prev, const char *diff)
{
	const json_t *c = json_object_get(change, key);
	cr_assert_str_eq(text(c, "current"), cur, "%s", key);
	cr_assert_str_eq(text(c, "previous"), prev, "%s", key);
	cr_assert_str_eq(text(c, "difference"), diff, "%s", key);
}

/*
 * The hand-checked data set (local time, UTC+8; filed by the Jinan agent (F by the province),
 * replies at the test clock 2026-11-23 09:00, then the clock runs two days
 * and the timers pass: every ticket still in acceptance is overdue).
 *
 * October (the previous period):
 *   P1 李 service/standards 10-10 10:00 -> 3701 (default); replied, not substantiated,
 *      visit satisfied
 *   P2 张 service/attitude  10-20 10:00 -> 370102; never replied: overdue
 *   D  李 service/standards 10-31 23:59:59 -> 3701; repeat of P1; overdue (the last second)
 *   => received 3, handled 1, overdue 2, substantiated 0, repeat 1, visited 1, satisfied 1;
 *      reply 1/3 = 0.3333, return visit 1/1, satisfaction 1/1
 * November (the period):
 *   C  李 outage/planned    11-01 00:00:00 -> 3701 (the first second); replied, not
 *      substantiated, visit basically satisfied (22 d 9 h)
 *   A  张 service/attitude  11-02 10:00 -> 370102; repeat of P2; replied substantiated,
 *      visit dissatisfied (20 d 23 h)
 *   B  张 service/attitude  11-05 10:00 -> 370102; repeat of A; overdue
 *   E  李 outage/planned    11-11 10:00 -> 3701; merged into C: not counted anywhere
 *   F  青岛 supply_quality  11-12 10:00 -> 3702; overdue
 *   G  李 business/billing  11-30 23:59:59 -> 3701 (the last second); overdue
 *   H  李 business/billing  12-01 00:00:00 -> 3701: December, not counted
 *   => 3701: received 2 (C, G), handled 1, overdue 1, visited 1, satisfied 1
 *      3702: received 1 (F), overdue 1, rates 0
 *      370102: received 2 (A, B), handled 1, overdue 1, substantiated 1, repeat 2, visited 1
 *      total: received 5, handled 2, overdue 3, substantiated 1, repeat 2, visited 2,
 *      satisfied 1; reply 2/5 = 0.4000, return visit 2/2, satisfaction 1/2 = 0.5000
 * Change: received +2 (2/3 = 0.6667), handled +1 (1.0000), overdue +1 (0.5000),
 * substantiated +1 (previous 0: null), repeat +1 (1.0000), visited +1 (1.0000),
 * satisfied 0 (0.0000); reply rate 0.4000 - 0.3333 = 0.0667, return visit 0.0000,
 * satisfaction 0.5000 - 1.0000 = -0.5000.
 */
struct month {
	pcrm_complaint *p1, *p2, *d, *c, *a, *b, *e, *f, *g, *h;
};

static void file_month(pcrm_test_store *t, struct month *m)
{
	int processed = 0;
	pcrm_ctx *ctx = t->ctx;
	m->p1 = file_at(ctx, LI, "service", "standards", "2026-10-10T10:00:00+08:00", "P1");
	m->p2 = file_at(ctx, ZHANG, "service", "attitude", "2026-10-20T10:00:00+08:00", "P2");
	m->d = file_at(ctx, LI, "service", "standards", "2026-10-31T23:59:59+08:00", "D");
	m->c = file_at(ctx, LI, "outage", "planned", "2026-11-01T00:00:00+08:00", "C");
	m->a = file_at(ctx, ZHANG, "service", "attitude", "2026-11-02T10:00:00+08:00", "A");
	m->b = file_at(ctx, ZHANG, "service", "attitude", "2026-11-05T10:00:00+08:00", "B");
	m->e = file_at(ctx, LI, "outage", "planned", "2026-11-11T10:00:00+08:00", "E");
	m->f = file_at(ctx, QINGDAO, "supply_quality", "voltage", "2026-11-12T10:00:00+08:00", "F");
	m->g = file_at(ctx, LI, "business", "billing", "2026-11-30T23:59:59+08:00", "G");
	m->h = file_at(ctx, LI, "business", "billing", "2026-12-01T00:00:00+08:00", "H");
	pcrm_assert_ok(pcrm_complaint_merge(ctx, &jn_lead, pcrm_complaint_serial(m->e),
	                                    pcrm_complaint_serial(m->c), NULL));
	reply(ctx, m->p1, 0, "satisfied");
	reply(ctx, m->c, 0, "basically_satisfied");
	reply(ctx, m->a, 1, "dissatisfied");
	t->now += 2 * DAY;
	pcrm_assert_ok(pcrm_workorder_tick(ctx, &system_actor, t->now, &processed));
	/* the data set is what the comment says */
	cr_assert_str_eq(pcrm_complaint_repeat_of(m->d), pcrm_complaint_serial(m->p1));
	cr_assert_str_eq(pcrm_complaint_repeat_of(m->a), pcrm_complaint_serial(m->p2));
	cr_assert_str_eq(pcrm_complaint_repeat_of(m->b), pcrm_complaint_serial(m->a));
	cr_assert_null(pcrm_complaint_repeat_of(m->g));
	cr_assert_str_eq(pcrm_complaint_responsible_unit(m->f), "3702");
}

static void free_month(struct month *m)
{
	pcrm_complaint *all[] = { m->p1, m->p2, m->d, m->c, m->a, m->b, m->e, m->f, m->g, m->h };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		pcrm_complaint_free(all[i]);
}

static const json_t *at(const json_t *list, size_t i)
{
	const json_t *v = json_array_get(list, i);
	cr_assert_not_null(v, "no element %zu", i);
	return v;
}

static pcrm_time due_of(pcrm_ctx *ctx, const pcrm_complaint *c)
{
	pcrm_workorder *wo;
	pcrm_time due;
	pcrm_assert_ok(pcrm_workorder_get(ctx, &root_admin, pcrm_complaint_work_order_id(c), &wo));
	cr_assert(pcrm_workorder_is_overdue(wo));
	due = pcrm_workorder_due_at(wo);
	pcrm_workorder_free(wo);
	return due;
}

static void assert_instant(const char *iso, pcrm_time expected)
{
	pcrm_time v;
	pcrm_assert_ok(pcrm_time_parse(iso, &v));
	cr_assert_eq(v, expected, "%s", iso);
}

PCRM_BACKEND_TEST(complaint_report, a_hand_checked_month_and_its_change)
{
	static const int64_t nov[7] = { 5, 2, 3, 1, 2, 2, 1 }, oct[7] = { 3, 1, 2, 0, 1, 1, 1 };
	static const int64_t u3701[7] = { 2, 1, 1, 0, 0, 1, 1 }, u3702[7] = { 1, 0, 1, 0, 0, 0, 0 },
	                     u370102[7] = { 2, 1, 1, 1, 2, 1, 0 };
	struct month m;
	json_t *r, *totals, *prev, *change, *units, *cats, *list;
	const json_t *row;

	setup(t->ctx);
	file_month(t, &m);
	r = report_json(t->ctx, &root_admin, "{\"period\": \"month\", \"date\": \"2026-11-15\"}",
	                NULL);
	cr_assert_str_eq(text(json_object_get(r, "org_unit"), "code"), "37");
	cr_assert_str_eq(text(json_object_get(r, "period"), "from"), "2026-11-01T00:00:00+08:00");
	cr_assert_str_eq(text(json_object_get(r, "period"), "to"), "2026-12-01T00:00:00+08:00");
	cr_assert_str_eq(text(json_object_get(r, "previous"), "from"), "2026-10-01T00:00:00+08:00");
	cr_assert_str_eq(text(json_object_get(r, "previous"), "to"), "2026-11-01T00:00:00+08:00");
	cr_assert_str_eq(text(r, "generated_at"), "2026-11-25T09:00:00+08:00");

	totals = json_object_get(r, "totals");
	assert_counts(totals, nov);
	cr_assert_str_eq(text(totals, "reply_rate"), "0.4000");
	cr_assert_str_eq(text(totals, "return_visit_rate"), "1.0000");
	cr_assert_str_eq(text(totals, "satisfaction_rate"), "0.5000");
	prev = json_object_get(r, "previous_totals");
	assert_counts(prev, oct);
	cr_assert_str_eq(text(prev, "reply_rate"), "0.3333");
	cr_assert_str_eq(text(prev, "return_visit_rate"), "1.0000");
	cr_assert_str_eq(text(prev, "satisfaction_rate"), "1.0000");

	change = json_object_get(r, "change");
	assert_change(change, "received", 5, 3, "0.6667");
	assert_change(change, "handled", 2, 1, "1.0000");
	assert_change(change, "overdue_open", 3, 2, "0.5000");
	assert_change(change, "substantiated", 1, 0, NULL);
	assert_change(change, "repeat", 2, 1, "1.0000");
	assert_change(change, "visited", 2, 1, "1.0000");
	assert_change(change, "satisfied", 1, 1, "0.0000");
	assert_rate_change(change, "reply_rate", "0.4000", "0.3333", "0.0667");
	assert_rate_change(change, "return_visit_rate", "1.0000", "1.0000", "0.0000");
	assert_rate_change(change, "satisfaction_rate", "0.5000", "1.0000", "-0.5000");

	units = json_object_get(r, "by_unit");
	cr_assert_eq(json_array_size(units), 3);
	row = at(units, 0);
	cr_assert_str_eq(text(row, "key1"), "3701");
	cr_assert_str_eq(text(row, "unit_name"), "济南供电公司");
	assert_counts(row, u3701);
	cr_assert_eq(num(row, "avg_handling_seconds"), 22 * DAY + 9 * HOUR);
	row = at(units, 1); /* ordered by code, as text */
	cr_assert_str_eq(text(row, "key1"), "370102");
	assert_counts(row, u370102);
	cr_assert_str_eq(text(row, "satisfaction_rate"), "0.0000");
	cr_assert_eq(num(row, "avg_handling_seconds"), 20 * DAY + 23 * HOUR);
	row = at(units, 2);
	cr_assert_str_eq(text(row, "key1"), "3702");
	assert_counts(row, u3702);
	cr_assert_str_eq(text(row, "reply_rate"), "0.0000");
	cr_assert_null(json_object_get(row, "avg_handling_seconds"));

	cats = json_object_get(r, "by_category");
	cr_assert_eq(json_array_size(cats), 4); /* business, outage, service, supply_quality */
	cr_assert_str_eq(text(at(cats, 0), "key1"), "business");
	cr_assert_eq(num(at(cats, 0), "received"), 1);
	cr_assert_str_eq(text(at(cats, 2), "key1"), "service");
	cr_assert_eq(num(at(cats, 2), "received"), 2);

	/* overdue: B, F, G by acceptance time, with their work orders' deadlines */
	list = json_object_get(r, "overdue");
	cr_assert_eq(num(list, "total"), 3);
	cr_assert_eq(num(list, "limit"), PCRM_COMPLAINT_REPORT_LIMIT);
	cr_assert_eq(json_array_size(json_object_get(list, "tickets")), 3);
	row = at(json_object_get(list, "tickets"), 0);
	cr_assert_str_eq(text(row, "serial"), pcrm_complaint_serial(m.b));
	cr_assert_str_eq(text(row, "responsible_unit"), "370102");
	cr_assert_str_eq(text(row, "unit_name"), "历下区供电中心");
	cr_assert_str_eq(text(row, "category"), "service");
	cr_assert_str_eq(text(row, "accepted_at"), "2026-11-05T10:00:00+08:00");
	assert_instant(text(row, "deadline"), due_of(t->ctx, m.b));
	cr_assert_str_eq(text(row, "description"), "B");
	cr_assert_str_eq(text(at(json_object_get(list, "tickets"), 1), "serial"),
	                 pcrm_complaint_serial(m.f));
	row = at(json_object_get(list, "tickets"), 2);
	cr_assert_str_eq(text(row, "serial"), pcrm_complaint_serial(m.g));
	assert_instant(text(row, "deadline"), due_of(t->ctx, m.g));
	/* repeats: A (of P2, from October) and B (of A) */
	list = json_object_get(r, "repeats");
	cr_assert_eq(num(list, "total"), 2);
	row = at(json_object_get(list, "tickets"), 0);
	cr_assert_str_eq(text(row, "serial"), pcrm_complaint_serial(m.a));
	cr_assert_str_eq(text(row, "repeat_of"), pcrm_complaint_serial(m.p2));
	row = at(json_object_get(list, "tickets"), 1);
	cr_assert_str_eq(text(row, "serial"), pcrm_complaint_serial(m.b));
	cr_assert_str_eq(text(row, "repeat_of"), pcrm_complaint_serial(m.a));
	json_decref(r);

	/* a limit keeps the first tickets and the total */
	r = report_json(t->ctx, &monitor, "{\"period\": \"month\", \"date\": \"2026-11-30\","
	                                  " \"limit\": 2}", NULL);
	list = json_object_get(r, "overdue");
	cr_assert_eq(num(list, "total"), 3);
	cr_assert_eq(num(list, "limit"), 2);
	cr_assert_eq(json_array_size(json_object_get(list, "tickets")), 2);
	cr_assert_str_eq(text(at(json_object_get(list, "tickets"), 1), "serial"),
	                 pcrm_complaint_serial(m.f));
	json_decref(r);

	/* the Jinan subtree: Qingdao's F is nowhere */
	r = report_json(t->ctx, &city_agent, "{\"period\": \"month\", \"date\": \"2026-11-01\"}",
	                NULL);
	cr_assert_eq(num(json_object_get(r, "totals"), "received"), 4);
	cr_assert_eq(num(json_object_get(r, "totals"), "overdue_open"), 2);
	cr_assert_eq(num(json_object_get(r, "overdue"), "total"), 2);
	{
		char *overdue = json_dumps(json_object_get(r, "overdue"), 0);
		cr_assert(strstr(overdue, pcrm_complaint_serial(m.f)) == NULL, "%s", overdue);
		free(overdue);
	}
	json_decref(r);
	free_month(&m);
}

PCRM_BACKEND_TEST(complaint_report, day_and_week_boundaries_in_local_time)
{
	struct month m;
	json_t *r;
	setup(t->ctx);
	file_month(t, &m);
	/* 2026-11-30 is a Monday: its ISO week holds G (23:59:59) but not H (12-01 00:00 is the
	   Tuesday: same week!) -- the week 11-30 .. 12-06 holds both */
	r = report_json(t->ctx, &root_admin, "{\"period\": \"week\", \"date\": \"2026-12-06\"}",
	                NULL);
	cr_assert_str_eq(text(json_object_get(r, "period"), "from"), "2026-11-30T00:00:00+08:00");
	cr_assert_str_eq(text(json_object_get(r, "period"), "to"), "2026-12-07T00:00:00+08:00");
	cr_assert_str_eq(text(json_object_get(r, "previous"), "from"), "2026-11-23T00:00:00+08:00");
	cr_assert_eq(num(json_object_get(r, "totals"), "received"), 2); /* G and H */
	cr_assert_eq(num(json_object_get(r, "previous_totals"), "received"), 0);
	assert_change(json_object_get(r, "change"), "received", 2, 0, NULL);
	json_decref(r);
	/* the day of G: its last second counts, H's first second of the next day does not */
	r = report_json(t->ctx, &root_admin, "{\"period\": \"day\", \"date\": \"2026-11-30\"}", NULL);
	cr_assert_eq(num(json_object_get(r, "totals"), "received"), 1);
	cr_assert_str_eq(text(at(json_object_get(json_object_get(r, "overdue"), "tickets"), 0),
	                      "serial"),
	                 pcrm_complaint_serial(m.g));
	cr_assert_str_eq(text(json_object_get(r, "previous"), "from"), "2026-11-29T00:00:00+08:00");
	json_decref(r);
	/* October 31st: D, the last second of the previous month */
	r = report_json(t->ctx, &root_admin, "{\"period\": \"day\", \"date\": \"2026-10-31\"}", NULL);
	cr_assert_eq(num(json_object_get(r, "totals"), "received"), 1);
	cr_assert_eq(num(json_object_get(r, "totals"), "repeat"), 1);
	json_decref(r);
	/* a custom span: 11-01 00:00 .. 11-03 00:00 holds C and A; the two days before hold D */
	r = report_json(t->ctx, &root_admin, "{\"period\": \"custom\","
	                " \"from\": \"2026-11-01T00:00:00+08:00\", \"to\": \"2026-11-03T00:00:00+08:00\"}",
	                NULL);
	cr_assert_eq(num(json_object_get(r, "totals"), "received"), 2);
	cr_assert_eq(num(json_object_get(r, "previous_totals"), "received"), 1);
	cr_assert_str_eq(text(json_object_get(r, "previous"), "from"), "2026-10-30T00:00:00+08:00");
	json_decref(r);
	free_month(&m);
}

Test(complaint_report_period, months_weeks_and_days_at_utc_plus_8)
{
	static const struct {
		const char *kind, *date, *from, *to;
	} cases[] = {
		{ "month", "2026-11-15", "2026-10-31T16:00:00Z", "2026-11-30T16:00:00Z" },
		{ "month", "2026-12-31", "2026-11-30T16:00:00Z", "2026-12-31T16:00:00Z" },
		{ "month", "2024-02-01", "2024-01-31T16:00:00Z", "2024-02-29T16:00:00Z" }, /* leap */
		{ "month", "2026-02-28", "2026-01-31T16:00:00Z", "2026-02-28T16:00:00Z" },
		{ "week", "2026-11-29", "2026-11-22T16:00:00Z", "2026-11-29T16:00:00Z" },  /* Sunday */
		{ "week", "2026-11-30", "2026-11-29T16:00:00Z", "2026-12-06T16:00:00Z" },  /* Monday */
		{ "week", "2027-01-01", "2026-12-27T16:00:00Z", "2027-01-03T16:00:00Z" },  /* year */
		{ "day", "2026-11-30", "2026-11-29T16:00:00Z", "2026-11-30T16:00:00Z" },
		{ "day", "2026-01-01", "2025-12-31T16:00:00Z", "2026-01-01T16:00:00Z" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pcrm_time from = 0, to = 0, ef, et;
		pcrm_assert_ok(pcrm_complaint_period(cases[i].kind, cases[i].date,
		                                     PCRM_UTC_OFFSET_CHINA, &from, &to));
		pcrm_assert_ok(pcrm_time_parse(cases[i].from, &ef));
		pcrm_assert_ok(pcrm_time_parse(cases[i].to, &et));
		cr_assert_eq(from, ef, "%s %s from", cases[i].kind, cases[i].date);
		cr_assert_eq(to, et, "%s %s to", cases[i].kind, cases[i].date);
	}
	/* the same date at UTC is eight hours later */
	{
		pcrm_time from, to;
		pcrm_assert_ok(pcrm_complaint_period("day", "2026-11-30", 0, &from, &to));
		assert_instant("2026-11-30T00:00:00Z", from);
	}
}

Test(complaint_report_period, previous_periods_and_refusals)
{
	static const struct {
		const char *request, *from, *prev_from, *prev_to;
	} cases[] = {
		{ "{\"period\": \"month\", \"date\": \"2026-03-31\"}", "2026-03-01T00:00:00+08:00",
		  "2026-02-01T00:00:00+08:00", "2026-03-01T00:00:00+08:00" },
		{ "{\"period\": \"month\", \"date\": \"2026-01-10\"}", "2026-01-01T00:00:00+08:00",
		  "2025-12-01T00:00:00+08:00", "2026-01-01T00:00:00+08:00" },
		{ "{\"period\": \"week\", \"date\": \"2026-01-01\"}", "2025-12-29T00:00:00+08:00",
		  "2025-12-22T00:00:00+08:00", "2025-12-29T00:00:00+08:00" },
		{ "{\"period\": \"day\", \"date\": \"2026-03-01\"}", "2026-03-01T00:00:00+08:00",
		  "2026-02-28T00:00:00+08:00", "2026-03-01T00:00:00+08:00" },
	};
	static const struct {
		const char *request, *needle;
	} bad[] = {
		{ "{\"period\": \"fortnight\", \"date\": \"2026-11-01\"}", "period: unknown kind" },
		{ "{\"date\": \"2026-11-01\"}", "period: missing" },
		{ "{\"period\": \"month\"}", "date: missing" },
		{ "{\"period\": \"month\", \"date\": \"2026-02-30\"}", "date: not a date" },
		{ "{\"period\": \"month\", \"date\": \"2026-11-01\", \"from\": \"2026-11-01T00:00:00Z\"}",
		  "from: only for period \"custom\"" },
		{ "{\"period\": \"custom\", \"from\": \"2026-11-02T00:00:00+08:00\","
		  " \"to\": \"2026-11-01T00:00:00+08:00\"}", "to: not after from" },
		{ "{\"period\": \"custom\", \"from\": \"2026-11-01T00:00:00+08:00\","
		  " \"to\": \"2026-11-01T00:00:00+08:00\"}", "to: not after from" },
		{ "{\"period\": \"custom\", \"from\": \"2026-11-01T00:00:00\","
		  " \"to\": \"2026-11-02T00:00:00+08:00\"}", "from: not an ISO 8601 instant" },
		{ "{\"period\": \"custom\", \"to\": \"2026-11-02T00:00:00+08:00\"}", "from: missing" },
		{ "{\"period\": \"day\", \"date\": \"2026-11-01\", \"limit\": 0}", "limit: must be" },
		{ "{\"period\": \"day\", \"date\": \"2026-11-01\", \"limit\": 1001}", "limit: must be" },
		{ "{\"period\": \"day\", \"date\": \"2026-11-01\", \"limit\": \"5\"}", "limit" },
		{ "{\"period\": \"day\", \"date\": \"2026-11-01\", \"org_unit\": \"37 01\"}", "org_unit" },
		{ "{\"period\": \"day\", \"date\": \"2026-11-01\", \"unit\": \"3701\"}",
		  "unknown key \"unit\"" },
		{ "{\"period\": \"month\", \"date\": \"0001-01-15\"}", "date: the period before" },
		{ "{\"period\": \"week\", \"date\": \"9999-12-31\"}", "outside years" },
		{ "[1]", "request" },
		{ "{\"period\": ", "request: line 1" },
	};
	struct pcrm__report_request r;
	pcrm_time from = 0, to = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pcrm_assert_ok(pcrm__report_request_parse(cases[i].request, PCRM_UTC_OFFSET_CHINA, &r));
		assert_instant(cases[i].from, r.from);
		assert_instant(cases[i].prev_from, r.prev_from);
		assert_instant(cases[i].prev_to, r.prev_to);
	}
	pcrm_assert_ok(pcrm__report_request_parse("{\"period\": \"month\", \"date\": \"9999-12-31\"}",
	                                          PCRM_UTC_OFFSET_CHINA, &r));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		pcrm_assert_fails(pcrm__report_request_parse(bad[i].request, PCRM_UTC_OFFSET_CHINA, &r),
		                  PCRM_EINVAL, bad[i].needle);
	pcrm_assert_fails(pcrm_complaint_period("quarter", "2026-11-01", PCRM_UTC_OFFSET_CHINA, &from,
	                                        &to), PCRM_EINVAL, "period");
	pcrm_assert_fails(pcrm_complaint_period("day", "2026-13-01", PCRM_UTC_OFFSET_CHINA, &from,
	                                        &to), PCRM_EINVAL, "date");
	pcrm_assert_fails(pcrm_complaint_period("day", "2026-11-01", 19 * 3600, &from, &to),
	                  PCRM_EINVAL, "utc_offset");
	cr_assert_eq(from, 0); /* untouched on failure */
}

PCRM_BACKEND_TEST(complaint_report, hostile_text_is_escaped_and_sealed_data_absent)
{
	static const char hostile[] = "<script>alert(\"x\")</script> & 'q' <img src=x onerror=y>";
	pcrm_complaint *c, *anon = NULL;
	pcrm_org_unit *u;
	char *html = NULL;
	json_t *r;

	pcrm_test_reopen_with_key(t);
	setup(t->ctx);
	pcrm_assert_ok(pcrm_org_unit_get(t->ctx, &root_admin, "370102", &u));
	pcrm_assert_ok(pcrm_org_unit_rename(t->ctx, &root_admin, "370102", "历下<b>中心</b>&\"甲\"",
	                                    pcrm_org_unit_version(u)));
	pcrm_org_unit_free(u);
	c = file_at(t->ctx, ZHANG, "service", "attitude", "2026-11-20T10:00:00+08:00", hostile);
	pcrm_assert_ok(pcrm_complaint_file(t->ctx, &city_agent,
	               "{\"channel\": \"phone\", \"category\": \"service\", \"subcategory\": \"attitude\","
	               " \"nature\": \"complaint\", \"description\": \"匿名来电\","
	               " \"caller_number\": \"0531-88886666\", \"target_person\": \"王某某\","
	               " \"target_phone\": \"13912345678\","
	               " \"anonymous\": {\"name\": \"匿名张先生\", \"contact\": \"0531-88886666\"},"
	               " \"accepted_at\": \"2026-11-21T10:00:00+08:00\"}", &anon));
	t->now += 2 * DAY;
	{
		int processed;
		pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, t->now, &processed));
	}
	r = report_json(t->ctx, &root_admin, "{\"period\": \"month\", \"date\": \"2026-11-15\"}",
	                &html);
	/* the JSON keeps the text (JSON escaping is jansson's); the page escapes it */
	cr_assert_str_eq(text(at(json_object_get(json_object_get(r, "overdue"), "tickets"), 0),
	                      "description"), hostile);
	cr_assert(strstr(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; "
	                       "&lt;img src=x onerror=y&gt;"), "%s", html);
	cr_assert(strstr(html, "历下&lt;b&gt;中心&lt;/b&gt;&amp;&quot;甲&quot;"), "%s", html);
	cr_assert(strstr(html, "<script") == NULL && strstr(html, "<img") == NULL &&
	          strstr(html, "<b>") == NULL, "%s", html);
	/* a self-contained page: no outside resource */
	cr_assert(strstr(html, "<!DOCTYPE html>") == html);
	cr_assert(strstr(html, "<meta charset=\"utf-8\">"));
	cr_assert(strstr(html, "src=\"") == NULL && strstr(html, "href=") == NULL &&
	          strstr(html, "http") == NULL);
	cr_assert(strstr(html, "超时未处理工单清单") && strstr(html, "环比"));
	cr_assert(strstr(html, "<td class=\"n\">2</td>")); /* received this month */
	/* sealed fields never appear, though this context holds the key */
	{
		char *json = json_dumps(r, 0);
		static const char *const secrets[] = { "匿名张先生", "王某某", "13912345678",
			                               "88886666" };
		for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
			cr_assert(strstr(json, secrets[i]) == NULL, "%s in %s", secrets[i], json);
			cr_assert(strstr(html, secrets[i]) == NULL, "%s in the page", secrets[i]);
		}
		free(json);
	}
	json_decref(r);
	free(html);
	pcrm_complaint_free(c);
	pcrm_complaint_free(anon);
}

PCRM_BACKEND_TEST(complaint_report, permissions_and_refusals_name_the_field)
{
	pcrm_complaint_report *r = NULL;
	int64_t denied, rows;
	json_t *doc;

	setup(t->ctx);
	denied = count(t->ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'permission.denied'");
	rows = count(t->ctx, "SELECT COUNT(*) FROM audit_log");
	pcrm_assert_fails(pcrm_complaint_report_build(t->ctx, &qd_agent,
	                  "{\"period\": \"month\", \"date\": \"2026-11-15\", \"org_unit\": \"3701\"}",
	                  &r), PCRM_EPERM, "org_unit: ");
	cr_assert_null(r);
	pcrm_assert_fails(pcrm_complaint_report_build(t->ctx, &city_agent,
	                  "{\"period\": \"month\", \"date\": \"2026-11-15\", \"org_unit\": \"37\"}",
	                  &r), PCRM_EPERM, "org_unit: ");
	pcrm_assert_fails(pcrm_complaint_report_build(t->ctx, &root_admin,
	                  "{\"period\": \"month\", \"date\": \"2026-11-15\", \"org_unit\": \"3799\"}",
	                  &r), PCRM_EPERM, "org_unit: "); /* unknown: refused like outside (no oracle) */
	/* the denials are audited, and nothing else was written */
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM audit_log WHERE action = "
	                           "'permission.denied'"), denied + 3);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM audit_log"), rows + 3);
	pcrm_assert_fails(pcrm_complaint_report_build(t->ctx, &city_agent,
	                  "{\"period\": \"month\", \"date\": \"2026-11-15\", \"limit\": -1}", &r),
	                  PCRM_EINVAL, "limit");
	pcrm_assert_fails(pcrm_complaint_report_build(t->ctx, &city_agent, NULL, &r), PCRM_EINVAL,
	                  "request");
	/* a monitor reads the province; an agent its own city by default */
	doc = report_json(t->ctx, &monitor, "{\"period\": \"month\", \"date\": \"2026-11-15\"}", NULL);
	cr_assert_str_eq(text(json_object_get(doc, "org_unit"), "code"), "37");
	json_decref(doc);
	doc = report_json(t->ctx, &city_agent, "{\"period\": \"month\", \"date\": \"2026-11-15\"}",
	                  NULL);
	cr_assert_str_eq(text(json_object_get(doc, "org_unit"), "code"), "3701");
	cr_assert_eq(num(json_object_get(doc, "totals"), "received"), 0);
	cr_assert_str_eq(text(json_object_get(doc, "totals"), "reply_rate"), "0.0000");
	json_decref(doc);
}

/* The issue: "the customer's contact history gets an entry linked to the ticket". */
PCRM_BACKEND_TEST(complaint_report, contact_history_for_customers_not_for_anonymous_callers)
{
	pcrm_complaint *c = NULL, *anon = NULL;
	pcrm_contact_list *contacts;
	json_error_t err;
	json_t *doc;

	pcrm_test_reopen_with_key(t);
	setup(t->ctx);
	c = file_at(t->ctx, LI, "service", "standards", "2026-11-20T10:00:00+08:00", "x");
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &city_agent, LI, NULL, 0, &contacts));
	cr_assert_eq(pcrm_contact_list_count(contacts), 1);
	cr_assert_str_eq(pcrm_contact_work_order_id(pcrm_contact_list_at(contacts, 0)),
	                 pcrm_complaint_work_order_id(c));
	doc = json_loads(pcrm_complaint_json(c), 0, &err);
	cr_assert_str_eq(text(doc, "contact_id"), pcrm_contact_id(pcrm_contact_list_at(contacts, 0)));
	json_decref(doc);
	pcrm_contact_list_free(contacts);

	pcrm_assert_ok(pcrm_complaint_file(t->ctx, &city_agent,
	               "{\"channel\": \"phone\", \"category\": \"service\", \"subcategory\": \"attitude\","
	               " \"nature\": \"report\", \"description\": \"x\","
	               " \"caller_number\": \"0531-88886666\","
	               " \"anonymous\": {\"name\": \"匿名\", \"contact\": \"0531-88886666\"}}", &anon));
	/* no customer, so no contact entry: the work order and the ticket are the record */
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM contact"), 1);
	doc = json_loads(pcrm_complaint_json(anon), 0, &err);
	cr_assert(json_is_null(json_object_get(doc, "contact_id")) ||
	          !json_object_get(doc, "contact_id"), "%s", pcrm_complaint_json(anon));
	json_decref(doc);
	pcrm_complaint_free(c);
	pcrm_complaint_free(anon);
}

/*
 * Once every time limit of a ticket has passed, its work order has no
 * running deadline (null), but the overdue list still gives the due time it
 * missed: the earliest unmet one (here the first contact's, one working day
 * after acceptance), and the page prints both.
 */
PCRM_BACKEND_TEST(complaint_report, the_overdue_list_keeps_the_missed_due_time)
{
	pcrm_complaint *c, *in_time;
	pcrm_workorder *wo;
	pcrm_time accepted, first_contact_due;
	json_t *r, *list;
	const json_t *row;
	char *html = NULL;
	int processed;
	setup(t->ctx);
	pcrm_assert_ok(pcrm_time_parse("2026-11-02T09:00:00+08:00", &accepted));
	t->now = accepted;
	c = file_at(t->ctx, ZHANG, "service", "attitude", "2026-11-02T09:00:00+08:00", "无人联系");
	/* one contacted in time: its first-contact clock is met, so it missed nothing yet */
	in_time = file_at(t->ctx, LI, "business", "billing", "2026-11-02T09:00:00+08:00", "按时");
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, pcrm_complaint_work_order_id(in_time),
	                                   1, "contact", "{\"contact_note\": \"已联系\"}", NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &root_admin, pcrm_complaint_work_order_id(c), &wo));
	first_contact_due = pcrm_workorder_clock_due_at(wo, "first_contact");
	cr_assert_gt(first_contact_due, accepted);
	pcrm_workorder_free(wo);
	/* ten days later every limit (1 and 5 working days) has passed */
	t->now = accepted + 10 * DAY;
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, t->now, &processed));
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &root_admin, pcrm_complaint_work_order_id(c), &wo));
	cr_assert(pcrm_workorder_is_overdue(wo));
	cr_assert_eq(pcrm_workorder_due_at(wo), 0, "no limit runs any more");
	pcrm_workorder_free(wo);

	r = report_json(t->ctx, &root_admin, "{\"period\": \"month\", \"date\": \"2026-11-15\"}",
	                &html);
	list = json_object_get(r, "overdue");
	/* the in-time one is overdue too (its handling opinion is late), and listed after c */
	cr_assert_eq(num(list, "total"), 2);
	row = at(json_object_get(list, "tickets"), 0);
	cr_assert_str_eq(text(row, "serial"), pcrm_complaint_serial(c));
	cr_assert(json_is_null(json_object_get(row, "deadline")));
	assert_instant(text(row, "missed_due_at"), first_contact_due);
	/* the in-time ticket met its first contact: what it missed is the 5-day reply deadline */
	row = at(json_object_get(list, "tickets"), 1);
	cr_assert_str_eq(text(row, "serial"), pcrm_complaint_serial(in_time));
	cr_assert_gt(strlen(text(row, "missed_due_at")), 0);
	{
		pcrm_time missed;
		pcrm_assert_ok(pcrm_time_parse(text(row, "missed_due_at"), &missed));
		cr_assert_gt(missed, first_contact_due);
		cr_assert_lt(missed, t->now);
	}
	cr_assert(strstr(html, "全部时限已过"), "%s", html);
	cr_assert(strstr(html, "<th>已超时限</th>"), "%s", html);
	json_decref(r);
	free(html);
	pcrm_complaint_free(c);
	pcrm_complaint_free(in_time);
}
