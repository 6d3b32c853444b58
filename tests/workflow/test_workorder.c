/* Work orders on both stores: open, fire, guards, concurrency, timers, supervision, queries. */
#include "wf_fixtures.h"
#include "progress_probe.h"

#include "core/ctx.h"
#include "store/store.h"
#include "workflow/workflow_store.h"

#define ZHANG "3701000001"


static void setup(pcrm_test_store *t)
{
	make_tree(t->ctx);
	add_person(t->ctx, ZHANG, "37010201");
	define_test(t->ctx);
}

static pcrm_workorder *open_one(pcrm_test_store *t, const char *key, const char *org)
{
	pcrm_workorder *wo = NULL;
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "test", key, ZHANG, org,
	                                   "{\"channel\": \"phone\"}", &wo));
	return wo;
}

static int64_t count(pcrm_test_store *t, const char *table)
{
	char sql[128];
	int64_t n = -1;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

static int64_t count_where(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

/* The work order read again, and rebuilt from its history, agree. */
static void assert_replays(pcrm_test_store *t, const char *id)
{
	pcrm_workorder *a, *b;
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &root_admin, id, &a));
	pcrm_assert_ok(pcrm_workorder_replay(t->ctx, &root_admin, id, &b));
	cr_assert_str_eq(pcrm_workorder_json(a), pcrm_workorder_json(b));
	pcrm_workorder_free(a);
	pcrm_workorder_free(b);
}

static pcrm_workorder *get(pcrm_test_store *t, const char *id)
{
	pcrm_workorder *wo;
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &root_admin, id, &wo));
	return wo;
}

/* The newest history entry's JSON contains `needle`. */
static void assert_last_entry(pcrm_test_store *t, const char *id, const char *needle)
{
	pcrm_workorder_history *h;
	const char *e;
	pcrm_assert_ok(pcrm_workorder_history_load(t->ctx, &root_admin, id, &h));
	e = pcrm_workorder_history_at(h, pcrm_workorder_history_count(h) - 1);
	cr_assert(strstr(e, needle) != NULL, "last entry %s lacks %s", e, needle);
	pcrm_workorder_history_free(h);
}

PCRM_BACKEND_TEST(workorder, open_get_and_open_again)
{
	pcrm_workorder *wo, *again, *got;
	int64_t audits;
	setup(t);
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &city_agent, "test", "K1", ZHANG, "3701",
	                                   "{\"channel\": \"phone\", \"x\": null}", &wo));
	cr_assert_eq(strlen(pcrm_workorder_id(wo)), PCRM_WORKORDER_ID_LEN);
	cr_assert_str_eq(pcrm_workorder_business_key(wo), "K1");
	cr_assert_str_eq(pcrm_workorder_workflow(wo), "test");
	cr_assert_eq(pcrm_workorder_workflow_version(wo), 1);
	cr_assert_str_eq(pcrm_workorder_customer_no(wo), ZHANG);
	cr_assert_str_eq(pcrm_workorder_org_unit(wo), "3701");
	cr_assert_null(pcrm_workorder_owner(wo));
	cr_assert_str_eq(pcrm_workorder_state(wo), "accepted");
	cr_assert_str_eq(pcrm_workorder_status(wo), "open");
	cr_assert_str_eq(pcrm_workorder_data(wo), "{\"channel\":\"phone\"}");
	cr_assert_eq(pcrm_workorder_version(wo), 1);
	cr_assert_eq(pcrm_workorder_opened_at(wo), t->now);
	cr_assert_eq(pcrm_workorder_updated_at(wo), t->now);
	/* 8 working hours from Monday 09:00: 7 on Monday, the 8th ends Tuesday 09:30 */
	cr_assert_eq(pcrm_workorder_due_at(wo), cst(2026, 11, 24, 9, 30));
	cr_assert(!pcrm_workorder_is_overdue(wo));
	cr_assert(!pcrm_workorder_is_suspended(wo));
	cr_assert_eq(pcrm_workorder_reminders(wo), 0);
	cr_assert_eq(pcrm_workorder_escalations(wo), 0);

	/*
	 * The business key is taken while open.  The same request again (a retry;
	 * data compared after merging, so the null is immaterial) gives the same
	 * work order back and writes nothing, also after the work order moved on.
	 */
	audits = count(t, "audit_log");
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &city_agent, "test", "K1", ZHANG, "3701",
	                                   "{\"channel\": \"phone\"}", &again));
	cr_assert_str_eq(pcrm_workorder_json(again), pcrm_workorder_json(wo));
	pcrm_workorder_free(again);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, pcrm_workorder_id(wo), 1, "contact",
	                                   "{\"contact_note\": \"called\"}", NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &city_agent, "test", "K1", ZHANG, "3701",
	                                   "{\"channel\": \"phone\"}", &again));
	cr_assert_str_eq(pcrm_workorder_id(again), pcrm_workorder_id(wo));
	cr_assert_eq(pcrm_workorder_version(again), 2);
	pcrm_workorder_free(again);
	audits += 1; /* the contact */
	/* a different request with the open key says so, naming the key and the field only */
	again = (pcrm_workorder *)1;
	pcrm_assert_fails(pcrm_workorder_open(t->ctx, &city_agent, "test", "K1", ZHANG, "3701",
	                                      "{\"other\": 1}", &again),
	                  PCRM_EDUPLICATE, "\"K1\" is already open in workflow test");
	cr_assert_null(again);
	cr_assert(strstr(pcrm_error_last(), "different data") != NULL, "%s", pcrm_error_last());
	pcrm_assert_fails(pcrm_workorder_open(t->ctx, &city_agent, "test", "K1", NULL, "3701",
	                                      "{\"channel\": \"phone\"}", NULL),
	                  PCRM_EDUPLICATE, "with a different customer_no");
	cr_assert(strstr(pcrm_error_last(), ZHANG) == NULL, "no personal data in the message");
	pcrm_assert_fails(pcrm_workorder_open(t->ctx, &city_agent, "test", "K1", ZHANG, "370102",
	                                      "{\"channel\": \"phone\"}", NULL),
	                  PCRM_EDUPLICATE, "with a different org_unit");
	cr_assert_eq(count(t, "work_order"), 1);
	cr_assert_eq(count(t, "audit_log"), audits, "a refused open writes nothing");
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &monitor, pcrm_workorder_id(wo), &got));
	cr_assert_str_eq(pcrm_workorder_id(got), pcrm_workorder_id(wo));
	cr_assert_str_eq(pcrm_workorder_state(got), "contacted");
	pcrm_workorder_free(got);
	pcrm_workorder_free(wo);
}

PCRM_BACKEND_TEST(workorder, open_rejections_write_nothing)
{
	pcrm_workorder *wo = (pcrm_workorder *)1;
	int64_t audits;
	setup(t);
	audits = count(t, "audit_log");
	pcrm_assert_fails(pcrm_workorder_open(t->ctx, &city_agent, "nope", "K", NULL, "3701", NULL,
	                                      &wo),
	                  PCRM_ENOTFOUND, "workflow \"nope\" does not exist");
	cr_assert_null(wo);
	pcrm_assert_fails(pcrm_workorder_open(t->ctx, &city_agent, "test", "", NULL, "3701", NULL,
	                                      &wo),
	                  PCRM_EINVAL, "business_key: must be 1..64 bytes");
	pcrm_assert_fails(pcrm_workorder_open(t->ctx, &city_agent, "test", "K", NULL, "3701", "[1]",
	                                      &wo),
	                  PCRM_EINVAL, "data: must be a JSON object");
	pcrm_assert_fails(pcrm_workorder_open(t->ctx, &city_agent, "test", "K", NULL, "3701", "{",
	                                      &wo),
	                  PCRM_EINVAL, "data: line 1");
	pcrm_assert_fails(pcrm_workorder_open(t->ctx, &city_agent, "test", "K", "999", "3701", NULL,
	                                      &wo),
	                  PCRM_EPERM, "customer: unknown or outside");
	pcrm_assert_fails(pcrm_workorder_open(t->ctx, &city_agent, "test", "K", NULL, "9999", NULL,
	                                      &wo),
	                  PCRM_EPERM, "9999 is outside");
	/* the last two are refusals, audited like any other (and answered like them) */
	cr_assert_eq(count(t, "audit_log"), audits + 2);
	audits += 2;
	/* outside the actor's subtree, and monitors do not handle work orders: denied, audited */
	pcrm_assert_fails(pcrm_workorder_open(t->ctx, &city_agent, "test", "K", NULL, "3702", NULL,
	                                      &wo),
	                  PCRM_EPERM, "outside");
	pcrm_assert_fails(pcrm_workorder_open(t->ctx, &monitor, "test", "K", NULL, "37", NULL, &wo),
	                  PCRM_EPERM, "may not workorder.handle");
	cr_assert_eq(count(t, "audit_log"), audits + 2);
	cr_assert_eq(count(t, "work_order"), 0);
	cr_assert_eq(count(t, "work_order_history"), 0);
	cr_assert_eq(count(t, "work_order_timer"), 0);
	pcrm_assert_fails(pcrm_workorder_get(t->ctx, &root_admin, "x", &wo), PCRM_EINVAL, "id:");
	pcrm_assert_fails(pcrm_workorder_get(t->ctx, &root_admin,
	                                     "00000000-0000-4000-8000-000000000000", &wo),
	                  PCRM_EPERM, "work order: unknown or outside"); /* no oracle */
}

PCRM_BACKEND_TEST(workorder, fire_guards_and_optimistic_concurrency)
{
	pcrm_workorder *wo, *next = NULL, *again;
	const char *id;
	int64_t history;
	setup(t);
	wo = open_one(t, "K1", "3701");
	id = pcrm_workorder_id(wo);
	history = count(t, "work_order_history");

	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, &city_agent, id, 1, "close", NULL, NULL, &next),
	                  PCRM_ESTATE,
	                  "event: \"close\" is not possible in state \"accepted\" (possible: contact)");
	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, &city_agent, id, 1, "contact", "{}", NULL,
	                                      &next),
	                  PCRM_EINVAL, "data.contact_note: required by event \"contact\"");
	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, &city_clerk, id, 1, "contact",
	                                      "{\"contact_note\": \"ok\"}", NULL, &next),
	                  PCRM_EPERM, "role data_clerk may not fire it");
	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, &city_agent, id, 2, "contact",
	                                      "{\"contact_note\": \"ok\"}", NULL, &next),
	                  PCRM_ECONFLICT, "is at version 1, not 2");
	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, &city_agent, id, 1, "contact",
	                                      "{\"contact_note\": \"ok\"}", "\x01", &next),
	                  PCRM_EINVAL, "note: control character");
	cr_assert_null(next);
	cr_assert_eq(count(t, "work_order_history"), history);

	t->now += 600;
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 1, "contact",
	                                   "{\"contact_note\": \"called back\", \"channel\": null}",
	                                   "客户已联系", &next));
	cr_assert_str_eq(pcrm_workorder_state(next), "contacted");
	cr_assert_eq(pcrm_workorder_version(next), 2);
	cr_assert_eq(pcrm_workorder_updated_at(next), t->now);
	cr_assert_str_eq(pcrm_workorder_data(next), "{\"contact_note\":\"called back\"}");
	/* contacted has 2 calendar hours */
	cr_assert_eq(pcrm_workorder_due_at(next), t->now + 2 * HOUR);
	assert_last_entry(t, id, "\"kind\":\"fire\"");
	assert_last_entry(t, id, "\"note\":\"客户已联系\"");
	/* a second caller who read version 1 loses */
	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, &city_agent, id, 1, "wait", NULL, NULL, NULL),
	                  PCRM_ECONFLICT, "read it again");
	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, &city_agent, id, 2, "close", NULL, NULL, NULL),
	                  PCRM_EPERM, "needs level 2");
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &supervisor, id, 2, "close", NULL, NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, id, &again));
	cr_assert_str_eq(pcrm_workorder_status(again), "closed");
	cr_assert_eq(pcrm_workorder_due_at(again), 0);
	cr_assert_eq(count(t, "work_order_timer WHERE done = 0"), 0);
	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, &supervisor, id, 3, "close", NULL, NULL, NULL),
	                  PCRM_ESTATE, "is closed");
	pcrm_workorder_free(again);
	/* closed: the key is free again, for a new work order */
	again = open_one(t, "K1", "3701");
	cr_assert_str_neq(pcrm_workorder_id(again), id);
	pcrm_workorder_free(again);
	assert_replays(t, id);
	pcrm_workorder_free(next);
	pcrm_workorder_free(wo);
}

/* A tick reports the timers processed after each batch; a stop keeps what was committed. */
PCRM_BACKEND_TEST(workorder, tick_reports_progress_and_keeps_committed_batches_on_stop)
{
	struct progress_probe p = { 0 };
	pcrm_workorder *wo;
	int n = -1;
	setup(t);
	wo = open_one(t, "K1", "3701");
	p.stop_at = 1;
	pcrm_assert_fails(pcrm_workorder_tick_ext(t->ctx, &system_actor, cst(2026, 11, 23, 14, 30),
	                                          progress_probe_report, &p, &n),
	                  PCRM_ESTATE, "work-order tick stopped by the progress callback; "
	                               "timers processed so far: 1");
	cr_assert_eq(p.calls, 1);
	cr_assert_eq(p.seen[0], 1);
	cr_assert_eq(n, 1);
	assert_last_entry(t, pcrm_workorder_id(wo), "50% of the limit of state accepted used");
	/* the warning was committed: the next tick finds nothing, and reports nothing */
	memset(&p, 0, sizeof(p));
	pcrm_assert_ok(pcrm_workorder_tick_ext(t->ctx, &system_actor, cst(2026, 11, 23, 14, 30),
	                                       progress_probe_report, &p, &n));
	cr_assert_eq(n, 0);
	cr_assert_eq(p.calls, 0);
	pcrm_workorder_free(wo);
}

PCRM_BACKEND_TEST(workorder, tick_processes_each_timer_once)
{
	pcrm_workorder *wo, *after;
	int n = -1;
	setup(t);
	wo = open_one(t, "K1", "3701");
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 11, 23, 14, 29), &n));
	cr_assert_eq(n, 0);
	/* half of 8 working hours: Monday 14:30 */
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 11, 23, 14, 30), &n));
	cr_assert_eq(n, 1);
	assert_last_entry(t, pcrm_workorder_id(wo), "50% of the limit of state accepted used");
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 11, 23, 14, 30), &n));
	cr_assert_eq(n, 0);
	after = get(t, pcrm_workorder_id(wo));
	cr_assert_eq(pcrm_workorder_version(after), 1, "a warning does not change the version");
	pcrm_workorder_free(after);

	/*
	 * The state limit passes: flagged, and escalated: the parent org unit
	 * supervises it (an entry of its own, "to" the unit), the work order stays
	 * with its unit.
	 */
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 11, 24, 9, 30), &n));
	cr_assert_eq(n, 1);
	after = get(t, pcrm_workorder_id(wo));
	cr_assert(pcrm_workorder_is_overdue(after));
	cr_assert_str_eq(pcrm_workorder_org_unit(after), "3701");
	cr_assert_eq(pcrm_workorder_escalations(after), 1);
	cr_assert_eq(pcrm_workorder_version(after), 3, "the expiry and the escalation");
	assert_last_entry(t, pcrm_workorder_id(wo), "\"kind\":\"escalate\"");
	assert_last_entry(t, pcrm_workorder_id(wo), "\"to\":\"37\"");
	/* the process limit remains: 5 working days, Monday 30 November 09:00 */
	cr_assert_eq(pcrm_workorder_due_at(after), cst(2026, 11, 30, 9, 0));
	pcrm_workorder_free(after);
	/* 80% of the process limit (30 of 37.5 working hours): Friday 09:00 */
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 11, 27, 8, 59), &n));
	cr_assert_eq(n, 0);
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 11, 27, 9, 0), &n));
	cr_assert_eq(n, 1);
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 12, 1, 0, 0), &n));
	cr_assert_eq(n, 1);
	assert_last_entry(t, pcrm_workorder_id(wo), "\"kind\":\"notify\"");
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2027, 1, 1, 0, 0), &n));
	cr_assert_eq(n, 0);
	assert_replays(t, pcrm_workorder_id(wo));
	/* tick needs the supervise permission */
	pcrm_assert_fails(pcrm_workorder_tick(t->ctx, &city_agent, t->now, &n), PCRM_EPERM,
	                  "workorder.supervise");
	pcrm_workorder_free(wo);
}

PCRM_BACKEND_TEST(workorder, a_limit_can_fire_an_automatic_event)
{
	pcrm_workorder *wo, *after;
	int n = 0;
	setup(t);
	wo = open_one(t, "K1", "3701");
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, pcrm_workorder_id(wo), 1, "contact",
	                                   "{\"contact_note\": \"x\"}", NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, t->now + 2 * HOUR, &n));
	cr_assert_eq(n, 1);
	after = get(t, pcrm_workorder_id(wo));
	cr_assert_str_eq(pcrm_workorder_state(after), "closed");
	cr_assert_str_eq(pcrm_workorder_status(after), "closed");
	cr_assert_eq(count(t, "work_order_timer WHERE done = 0"), 0);
	assert_last_entry(t, pcrm_workorder_id(wo), "automatic: limit of state contacted passed");
	assert_replays(t, pcrm_workorder_id(wo));
	pcrm_workorder_free(after);
	pcrm_workorder_free(wo);
}

static pcrm_time timer_due(pcrm_test_store *t, const char *scope)
{
	char sql[160];
	int64_t v = -1;
	snprintf(sql, sizeof(sql),
	         "SELECT COALESCE(due_at, -remaining) FROM work_order_timer WHERE done = 0 AND "
	         "kind = 'due' AND scope = '%s'",
	         scope);
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &v));
	return v;
}

PCRM_BACKEND_TEST(workorder, pause_states_and_suspension_stop_the_clock)
{
	pcrm_workorder *wo, *w;
	const char *id;
	setup(t);
	wo = open_one(t, "K1", "3701");
	id = pcrm_workorder_id(wo);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 1, "contact",
	                                   "{\"contact_note\": \"x\"}", NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 2, "wait", NULL, NULL, &w));
	/* waiting on the customer: the process clock stops with 37.5 working hours left */
	cr_assert_eq(pcrm_workorder_due_at(w), 0);
	cr_assert_eq(timer_due(t, "process"), -(int64_t)(75 * HOUR / 2));
	pcrm_workorder_free(w);
	t->now = cst(2026, 11, 25, 9, 0); /* Wednesday */
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 3, "back", NULL, NULL, &w));
	cr_assert_eq(timer_due(t, "process"), cst(2026, 12, 2, 9, 0));
	cr_assert_eq(pcrm_workorder_due_at(w), cst(2026, 11, 25, 11, 0));
	pcrm_workorder_free(w);

	/* suspended: every clock stops, no event may fire */
	t->now = cst(2026, 11, 25, 10, 0);
	pcrm_assert_ok(pcrm_workorder_suspend(t->ctx, &supervisor, id, 4, "客户要求暂停", &w));
	cr_assert(pcrm_workorder_is_suspended(w));
	cr_assert_eq(pcrm_workorder_due_at(w), 0);
	pcrm_workorder_free(w);
	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, &supervisor, id, 5, "close", NULL, NULL, NULL),
	                  PCRM_ESTATE, "is suspended");
	pcrm_assert_fails(pcrm_workorder_suspend(t->ctx, &supervisor, id, 5, NULL, NULL),
	                  PCRM_ESTATE, "already suspended");
	pcrm_assert_fails(pcrm_workorder_suspend(t->ctx, &city_agent, id, 5, NULL, NULL),
	                  PCRM_EPERM, "workorder.supervise");
	{
		int n = -1;
		pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 12, 31, 0, 0), &n));
		cr_assert_eq(n, 0, "suspended timers never fire");
	}
	t->now = cst(2026, 11, 25, 12, 0);
	pcrm_assert_ok(pcrm_workorder_resume(t->ctx, &supervisor, id, 5, NULL, &w));
	cr_assert(!pcrm_workorder_is_suspended(w));
	/* the hour that was left of the 2-hour limit */
	cr_assert_eq(pcrm_workorder_due_at(w), cst(2026, 11, 25, 13, 0));
	pcrm_workorder_free(w);
	pcrm_assert_fails(pcrm_workorder_resume(t->ctx, &supervisor, id, 6, NULL, NULL),
	                  PCRM_ESTATE, "not suspended");
	assert_replays(t, id);
	pcrm_workorder_free(wo);
}

PCRM_BACKEND_TEST(workorder, limits_follow_the_business_calendar)
{
	pcrm_workorder *wo, *w;
	setup(t);
	/* Wednesday before National Day: 7 hours that day, then 1-7 October are holidays */
	t->now = cst(2026, 9, 30, 9, 0);
	wo = open_one(t, "K1", "3701");
	cr_assert_eq(pcrm_workorder_due_at(wo), cst(2026, 10, 8, 9, 30));
	pcrm_workorder_free(wo);
	/* Friday 9 October: Saturday 10 October is a make-up working day */
	t->now = cst(2026, 10, 9, 9, 0);
	wo = open_one(t, "K2", "3701");
	cr_assert_eq(pcrm_workorder_due_at(wo), cst(2026, 10, 10, 9, 30));
	pcrm_workorder_free(wo);
	/* a pause over a weekend costs no working time */
	t->now = cst(2026, 11, 27, 9, 0); /* Friday */
	wo = open_one(t, "K3", "3701");
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, pcrm_workorder_id(wo), 1, "contact",
	                                   "{\"contact_note\": \"x\"}", NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, pcrm_workorder_id(wo), 2, "wait",
	                                   NULL, NULL, NULL));
	t->now = cst(2026, 11, 30, 9, 0); /* Monday */
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, pcrm_workorder_id(wo), 3, "back",
	                                   NULL, NULL, &w));
	/* 37.5 working hours from Monday 09:00: Monday 7 December 09:00 */
	{
		char sql[200];
		int64_t v = 0;
		snprintf(sql, sizeof(sql),
		         "SELECT due_at FROM work_order_timer WHERE done = 0 AND kind = 'due' AND "
		         "scope = 'process' AND work_order_id = '%s'",
		         pcrm_workorder_id(wo));
		pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &v));
		cr_assert_eq(v, cst(2026, 12, 7, 9, 0));
	}
	pcrm_workorder_free(w);
	pcrm_workorder_free(wo);
}

PCRM_BACKEND_TEST(workorder, supervisor_actions)
{
	pcrm_workorder *wo, *w;
	const char *id;
	setup(t);
	wo = open_one(t, "K1", "370102");
	id = pcrm_workorder_id(wo);
	pcrm_assert_ok(pcrm_workorder_remind(t->ctx, &supervisor, id, "请尽快处理", &w));
	cr_assert_eq(pcrm_workorder_reminders(w), 1);
	cr_assert_eq(pcrm_workorder_version(w), 2);
	pcrm_workorder_free(w);
	assert_last_entry(t, id, "\"kind\":\"remind\"");
	pcrm_assert_fails(pcrm_workorder_remind(t->ctx, &county_agent, id, NULL, NULL), PCRM_EPERM,
	                  "workorder.supervise");
	pcrm_assert_ok(pcrm_workorder_reassign(t->ctx, &supervisor, id, 2, "agent-lx", NULL, NULL,
	                                       &w));
	cr_assert_str_eq(pcrm_workorder_owner(w), "agent-lx");
	pcrm_workorder_free(w);
	pcrm_assert_fails(pcrm_workorder_reassign(t->ctx, &supervisor, id, 3, NULL, "3702", NULL,
	                                          NULL),
	                  PCRM_EPERM, "outside");
	pcrm_assert_fails(pcrm_workorder_reassign(t->ctx, &supervisor, id, 2, NULL, NULL, NULL,
	                                          NULL),
	                  PCRM_ECONFLICT, "not 2");
	pcrm_assert_ok(pcrm_workorder_reassign(t->ctx, &supervisor, id, 3, NULL, "37010201", NULL,
	                                       &w));
	cr_assert_null(pcrm_workorder_owner(w));
	cr_assert_str_eq(pcrm_workorder_org_unit(w), "37010201");
	pcrm_workorder_free(w);
	/*
	 * 督办: supervision goes up the tree one unit at a time, never past the
	 * top; the work order stays with its unit.
	 */
	pcrm_assert_ok(pcrm_workorder_escalate(t->ctx, &supervisor, id, NULL, &w));
	cr_assert_str_eq(pcrm_workorder_org_unit(w), "37010201");
	assert_last_entry(t, id, "\"to\":\"370102\"");
	pcrm_workorder_free(w);
	pcrm_assert_ok(pcrm_workorder_escalate(t->ctx, &supervisor, id, NULL, NULL));
	assert_last_entry(t, id, "\"to\":\"3701\"");
	pcrm_assert_ok(pcrm_workorder_escalate(t->ctx, &root_admin, id, NULL, &w));
	assert_last_entry(t, id, "\"to\":\"37\"");
	cr_assert_str_eq(pcrm_workorder_org_unit(w), "37010201");
	cr_assert_eq(pcrm_workorder_escalations(w), 3);
	pcrm_workorder_free(w);
	pcrm_assert_fails(pcrm_workorder_escalate(t->ctx, &root_admin, id, NULL, NULL), PCRM_ESTATE,
	                  "at the top");
	/* no step completed yet: withdrawing cancels */
	pcrm_assert_ok(pcrm_workorder_withdraw(t->ctx, &root_admin, id, 7, "重复工单", &w));
	cr_assert_str_eq(pcrm_workorder_status(w), "cancelled");
	cr_assert_eq(pcrm_workorder_due_at(w), 0);
	pcrm_workorder_free(w);
	assert_last_entry(t, id, "\"kind\":\"cancel\"");
	pcrm_assert_fails(pcrm_workorder_withdraw(t->ctx, &root_admin, id, 8, NULL, NULL),
	                  PCRM_ESTATE, "is cancelled");
	assert_replays(t, id);
	pcrm_workorder_free(wo);
}

/*
 * Issue 17: a timed escalation must not lock the handling unit out.  A city
 * agent opens and dispatches an urban repair; the 45-minute arrival limit
 * passes (flag, escalate, notify); the agent still records the arrival, and
 * the superior unit supervises (reminds, reassigns) what it was told about.
 */
PCRM_BACKEND_TEST(workorder, escalated_repair_stays_with_the_unit_that_handles_it)
{
	static const pcrm_actor province_lead = { "lead-sd", PCRM_ROLE_AGENT, 3, "37" };
	char *def = read_source("data/workflows/fault-repair-urban.json"), *cal = cn2026();
	pcrm_notification_list *l;
	pcrm_workorder *wo, *w;
	char id[PCRM_WORKORDER_ID_LEN + 1];
	int n = -1, version;

	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, def, cal, NULL));
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &city_agent, "fault_repair_urban", "R1", NULL,
	                                   "3701", "{\"address\": \"经十路\"}", &wo));
	snprintf(id, sizeof(id), "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 1, "dispatch",
	                                   "{\"crew\": \"A\"}", NULL, &wo));
	cr_assert_eq(pcrm_workorder_due_at(wo), t->now + 45 * 60);
	pcrm_workorder_free(wo);

	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, t->now + 45 * 60, &n));
	/* opened and dispatched at once, the arrival clock (from the call) passes with the state */
	cr_assert_eq(n, 3, "the warning at 75 %%, the limit and the arrival clock");
	wo = get(t, id);
	cr_assert(pcrm_workorder_is_overdue(wo));
	cr_assert_eq(pcrm_workorder_escalations(wo), 1);
	cr_assert_str_eq(pcrm_workorder_org_unit(wo), "3701", "ownership does not move");
	version = pcrm_workorder_version(wo);
	pcrm_workorder_free(wo);
	/* the superior unit was told (escalate) and the unit itself (notify) */
	l = NULL;
	pcrm_assert_ok(pcrm_notification_claim(t->ctx, &province_lead, "37", 10, 60, &l));
	cr_assert_eq(pcrm_notification_list_count(l), 2);
	cr_assert_str_eq(pcrm_notification_list_at(l, 0)->kind, "escalate");
	cr_assert_str_eq(pcrm_notification_list_at(l, 0)->org_unit, "37");
	cr_assert_str_eq(pcrm_notification_list_at(l, 1)->kind, "notify");
	cr_assert_str_eq(pcrm_notification_list_at(l, 1)->org_unit, "3701");
	pcrm_notification_list_free(l);

	/* the city agent who opened it still records the arrival */
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, version, "arrive", NULL, NULL,
	                                   &wo));
	cr_assert_str_eq(pcrm_workorder_state(wo), "on_site");
	pcrm_workorder_free(wo);
	/* the superior supervises: it sees, reminds and reassigns; ownership moves only so */
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &province_lead, id, &wo));
	pcrm_workorder_free(wo);
	pcrm_assert_ok(pcrm_workorder_remind(t->ctx, &province_lead, id, "请尽快恢复", NULL));
	pcrm_assert_ok(pcrm_workorder_reassign(t->ctx, &province_lead, id, version + 2, NULL,
	                                       "3702", "改派", &w));
	cr_assert_str_eq(pcrm_workorder_org_unit(w), "3702");
	pcrm_workorder_free(w);
	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, &city_agent, id, version + 3, "restore",
	                                      "{\"cause\": \"fuse\"}", NULL, NULL),
	                  PCRM_EPERM, "");
	/* 37 supervised it already and is still above its new unit: nothing higher */
	pcrm_assert_fails(pcrm_workorder_escalate(t->ctx, &province_lead, id, NULL, NULL),
	                  PCRM_ESTATE, "org unit 37 is at the top");
	assert_replays(t, id);
	free(def);
	free(cal);
}

/* After a reassignment out from under the supervising unit, escalation starts from the new unit. */
PCRM_BACKEND_TEST(workorder, escalation_after_reassignment_starts_from_the_new_unit)
{
	pcrm_workorder *wo, *w;
	char id[PCRM_WORKORDER_ID_LEN + 1];
	setup(t);
	wo = open_one(t, "K1", "37010201");
	snprintf(id, sizeof(id), "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	pcrm_assert_ok(pcrm_workorder_escalate(t->ctx, &root_admin, id, NULL, &w));
	assert_last_entry(t, id, "\"to\":\"370102\"");
	pcrm_assert_ok(pcrm_workorder_reassign(t->ctx, &root_admin, id, pcrm_workorder_version(w),
	                                       NULL, "3702", NULL, NULL));
	pcrm_workorder_free(w);
	pcrm_assert_ok(pcrm_workorder_escalate(t->ctx, &root_admin, id, NULL, &w));
	/* not 3701 (one above 370102, which is not above 3702): the parent of 3702 */
	assert_last_entry(t, id, "\"to\":\"37\"");
	cr_assert_str_eq(pcrm_workorder_org_unit(w), "3702");
	cr_assert_eq(pcrm_workorder_escalations(w), 2);
	pcrm_workorder_free(w);
	assert_replays(t, id);
}

PCRM_BACKEND_TEST(workorder, withdraw_steps_back_one_at_a_time)
{
	pcrm_workorder *wo, *w;
	const char *id;
	setup(t);
	wo = open_one(t, "K1", "3701");
	id = pcrm_workorder_id(wo);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 1, "contact",
	                                   "{\"contact_note\": \"x\"}", NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 2, "wait", NULL, NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_withdraw(t->ctx, &supervisor, id, 3, NULL, &w));
	cr_assert_str_eq(pcrm_workorder_state(w), "contacted");
	pcrm_workorder_free(w);
	assert_last_entry(t, id, "\"from\":\"waiting\"");
	pcrm_assert_ok(pcrm_workorder_withdraw(t->ctx, &supervisor, id, 4, NULL, &w));
	cr_assert_str_eq(pcrm_workorder_state(w), "accepted");
	/* the state's limit starts again */
	cr_assert_eq(pcrm_workorder_due_at(w), cst(2026, 11, 24, 9, 30));
	pcrm_workorder_free(w);
	pcrm_assert_ok(pcrm_workorder_withdraw(t->ctx, &supervisor, id, 5, NULL, &w));
	cr_assert_str_eq(pcrm_workorder_status(w), "cancelled");
	pcrm_workorder_free(w);
	assert_replays(t, id);
	pcrm_workorder_free(wo);
}

PCRM_BACKEND_TEST(workorder, comments_and_links)
{
	pcrm_workorder *a = NULL, *b = NULL, *w;
	pcrm_workorder_history *h;
	setup(t);
	a = open_one(t, "K1", "3701");
	b = open_one(t, "K2", "3701");
	pcrm_assert_ok(pcrm_workorder_comment(t->ctx, &city_agent, pcrm_workorder_id(a), "已回电"));
	pcrm_assert_fails(pcrm_workorder_comment(t->ctx, &city_agent, pcrm_workorder_id(a), ""),
	                  PCRM_EINVAL, "text: must be 1..2000 bytes");
	w = get(t, pcrm_workorder_id(a));
	cr_assert_eq(pcrm_workorder_version(w), 1, "comments do not change the version");
	pcrm_workorder_free(w);
	pcrm_assert_ok(pcrm_workorder_link(t->ctx, &city_agent, pcrm_workorder_id(a),
	                                   pcrm_workorder_id(b), "spawned"));
	pcrm_assert_fails(pcrm_workorder_link(t->ctx, &city_agent, pcrm_workorder_id(a),
	                                      pcrm_workorder_id(b), "spawned"),
	                  PCRM_EDUPLICATE, "already linked");
	pcrm_assert_fails(pcrm_workorder_link(t->ctx, &city_agent, pcrm_workorder_id(a),
	                                      pcrm_workorder_id(a), "spawned"),
	                  PCRM_EINVAL, "cannot link to itself");
	pcrm_assert_fails(pcrm_workorder_link(t->ctx, &city_agent, pcrm_workorder_id(a),
	                                      pcrm_workorder_id(b), "spawned by"),
	                  PCRM_EINVAL, "relation:");
	assert_last_entry(t, pcrm_workorder_id(b), "\"kind\":\"linked\"");
	pcrm_assert_ok(pcrm_workorder_history_load(t->ctx, &city_agent, pcrm_workorder_id(a), &h));
	cr_assert_eq(pcrm_workorder_history_count(h), 3);
	cr_assert(strstr(pcrm_workorder_history_at(h, 0), "\"kind\":\"open\"") != NULL);
	cr_assert(strstr(pcrm_workorder_history_at(h, 1), "\"note\":\"已回电\"") != NULL);
	cr_assert(strstr(pcrm_workorder_history_at(h, 2), pcrm_workorder_id(b)) != NULL);
	cr_assert_null(pcrm_workorder_history_at(h, 3));
	pcrm_workorder_history_free(h);
	assert_replays(t, pcrm_workorder_id(a));
	assert_replays(t, pcrm_workorder_id(b));
	pcrm_workorder_free(a);
	pcrm_workorder_free(b);
}

static size_t query_count(pcrm_test_store *t, const pcrm_actor *actor,
                          const pcrm_workorder_filter *f)
{
	pcrm_workorder_list *l;
	size_t n;
	pcrm_assert_ok(pcrm_workorder_query(t->ctx, actor, f, NULL, 1000, &l));
	n = pcrm_workorder_list_count(l);
	pcrm_workorder_list_free(l);
	return n;
}

PCRM_BACKEND_TEST(workorder, queries)
{
	pcrm_workorder_filter f = PCRM_WORKORDER_FILTER_INIT;
	pcrm_workorder_list *l;
	pcrm_workorder *w;
	char key[16];
	int seen = 0;
	const char *cursor;
	char *saved = NULL;
	setup(t);
	for (int i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "Q%d", i);
		t->now += 60;
		pcrm_workorder_free(open_one(t, key, i < 2 ? "370102" : "3701"));
	}
	w = open_one(t, "Q9", "3702");
	pcrm_assert_ok(pcrm_workorder_reassign(t->ctx, &root_admin, pcrm_workorder_id(w), 1,
	                                       "agent-qd", NULL, NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &root_admin, pcrm_workorder_id(w), 2, "contact",
	                                   "{\"contact_note\": \"x\"}", NULL, NULL));
	cr_assert_eq(query_count(t, &root_admin, NULL), 6);
	cr_assert_eq(query_count(t, &city_agent, NULL), 5);
	cr_assert_eq(query_count(t, &county_agent, NULL), 2);
	f.org_unit = "370102";
	cr_assert_eq(query_count(t, &root_admin, &f), 2);
	f.org_unit = NULL;
	f.state = "contacted";
	cr_assert_eq(query_count(t, &root_admin, &f), 1);
	f.state = NULL;
	f.owner = "agent-qd";
	cr_assert_eq(query_count(t, &root_admin, &f), 1);
	f.owner = NULL;
	f.customer_no = ZHANG;
	cr_assert_eq(query_count(t, &root_admin, &f), 6);
	f.customer_no = "nobody";
	cr_assert_eq(query_count(t, &root_admin, &f), 0);
	f.customer_no = NULL;
	f.workflow = "test";
	/* the contacted one is due in 2 hours, the others on Tuesday */
	f.due_within_minutes = 120;
	cr_assert_eq(query_count(t, &root_admin, &f), 1);
	f.due_within_minutes = -1;
	f.overdue_only = 1;
	cr_assert_eq(query_count(t, &root_admin, &f), 0);
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 11, 24, 12, 0), NULL));
	cr_assert_eq(query_count(t, &root_admin, &f), 5);
	f.overdue_only = 0;
	/* the contacted one closed itself: only with include_closed */
	cr_assert_eq(query_count(t, &root_admin, &f), 5);
	f.include_closed = 1;
	cr_assert_eq(query_count(t, &root_admin, &f), 6);

	/* paging by key: every work order once, oldest first */
	cursor = NULL;
	do {
		pcrm_assert_ok(pcrm_workorder_query(t->ctx, &root_admin, &f, cursor, 4, &l));
		seen += (int)pcrm_workorder_list_count(l);
		free(saved);
		saved = pcrm_workorder_list_next_cursor(l) ? strdup(pcrm_workorder_list_next_cursor(l)) :
		                                             NULL;
		cursor = saved;
		pcrm_workorder_list_free(l);
	} while (cursor);
	cr_assert_eq(seen, 6);
	pcrm_assert_fails(pcrm_workorder_query(t->ctx, &root_admin, &f, "bogus", 4, &l), PCRM_EINVAL,
	                  "cursor: \"bogus\" is not a cursor from pcrm_workorder_list_next_cursor()");
	pcrm_assert_fails(pcrm_workorder_query(t->ctx, &root_admin, &f, NULL, 1001, &l), PCRM_EINVAL,
	                  "limit:");
	f.due_within_minutes = -5;
	pcrm_assert_fails(pcrm_workorder_query(t->ctx, &root_admin, &f, NULL, 0, &l), PCRM_EINVAL,
	                  "filter.due_within_minutes");
	f.due_within_minutes = -1;
	f.version = 99;
	pcrm_assert_fails(pcrm_workorder_query(t->ctx, &root_admin, &f, NULL, 0, &l), PCRM_EINVAL,
	                  "filter.version");
	pcrm_workorder_free(w);
}

/*
 * "Due within N minutes" finds its candidates through the timers (work_order
 * has no due index): it must select exactly the open work orders whose due_at
 * is at most now + N minutes, whatever happened to their timers (claimed by a
 * tick, paused by a suspension, restarted), and page through them.
 */
static void assert_due_within_matches_due_at(pcrm_test_store *t)
{
	static const int windows[] = { 0, 30, 60, 120, 600, 1440, 4320, 100000 };
	for (size_t i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		pcrm_workorder_filter f = PCRM_WORKORDER_FILTER_INIT;
		char sql[160], *saved = NULL;
		const char *cursor = NULL;
		size_t seen = 0;
		int64_t expected;
		snprintf(sql, sizeof(sql),
		         "SELECT COUNT(*) FROM work_order WHERE status = 'open' AND due_at <= %lld",
		         (long long)(t->now + (pcrm_time)windows[i] * 60));
		expected = count_where(t, sql);
		f.due_within_minutes = windows[i];
		cr_assert_eq((int64_t)query_count(t, &root_admin, &f), expected, "within %d minutes",
		             windows[i]);
		do {
			pcrm_workorder_list *l;
			pcrm_assert_ok(pcrm_workorder_query(t->ctx, &root_admin, &f, cursor, 1, &l));
			for (size_t k = 0; k < pcrm_workorder_list_count(l); k++)
				cr_assert(pcrm_workorder_due_at(pcrm_workorder_list_at(l, k)) <=
				          t->now + (pcrm_time)windows[i] * 60);
			seen += pcrm_workorder_list_count(l);
			free(saved);
			saved = pcrm_workorder_list_next_cursor(l) ?
			                strdup(pcrm_workorder_list_next_cursor(l)) :
			                NULL;
			cursor = saved;
			pcrm_workorder_list_free(l);
		} while (cursor);
		cr_assert_eq((int64_t)seen, expected, "paged, within %d minutes", windows[i]);
	}
}

PCRM_BACKEND_TEST(workorder, due_within_follows_every_timer_change)
{
	pcrm_workorder *w[4];
	setup(t);
	for (int i = 0; i < 4; i++) {
		char key[16];
		snprintf(key, sizeof(key), "D%d", i);
		t->now += 60;
		w[i] = open_one(t, key, "3701");
	}
	assert_due_within_matches_due_at(t);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &root_admin, pcrm_workorder_id(w[1]), 1,
	                                   "contact", "{\"contact_note\": \"x\"}", NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_suspend(t->ctx, &root_admin, pcrm_workorder_id(w[2]), 1,
	                                      "waiting for the customer", NULL));
	assert_due_within_matches_due_at(t);
	/* warnings claim their timers; due timers stay */
	t->now += 4 * HOUR;
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, t->now, NULL));
	assert_due_within_matches_due_at(t);
	pcrm_assert_ok(pcrm_workorder_resume(t->ctx, &root_admin, pcrm_workorder_id(w[2]), 2, NULL,
	                                     NULL));
	assert_due_within_matches_due_at(t);
	/* every limit passes: the state timers are claimed, the process timers remain */
	t->now += 2 * 86400;
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, t->now, NULL));
	assert_due_within_matches_due_at(t);
	t->now += 30 * 86400;
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, t->now, NULL));
	assert_due_within_matches_due_at(t);
	for (int i = 0; i < 4; i++) {
		assert_replays(t, pcrm_workorder_id(w[i]));
		pcrm_workorder_free(w[i]);
	}
}

PCRM_BACKEND_TEST(workorder, running_work_orders_keep_their_version)
{
	pcrm_workorder *old, *young, *w;
	char *cal = cn2026();
	const char *from = "{\"hours\": 2,", *at;
	char doc[4096];
	int v = 0;
	setup(t);
	old = open_one(t, "K1", "3701");
	at = strstr(test_def, from);
	snprintf(doc, sizeof(doc), "%.*s{\"hours\": 5,%s", (int)(at - test_def), test_def,
	         at + strlen(from));
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, doc, cal, &v));
	cr_assert_eq(v, 2);
	young = open_one(t, "K2", "3701");
	cr_assert_eq(pcrm_workorder_workflow_version(old), 1);
	cr_assert_eq(pcrm_workorder_workflow_version(young), 2);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, pcrm_workorder_id(old), 1, "contact",
	                                   "{\"contact_note\": \"x\"}", NULL, &w));
	cr_assert_eq(pcrm_workorder_due_at(w), t->now + 2 * HOUR);
	pcrm_workorder_free(w);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, pcrm_workorder_id(young), 1,
	                                   "contact", "{\"contact_note\": \"x\"}", NULL, &w));
	cr_assert_eq(pcrm_workorder_due_at(w), t->now + 5 * HOUR);
	pcrm_workorder_free(w);
	pcrm_workorder_free(old);
	pcrm_workorder_free(young);
	free(cal);
}

/* ---- two processes ticking at once ---- */

#define RACE_ORDERS 30

/* Opens its own connection and ticks; the count of timers it processed, or a negative status. */
static int race(pcrm_test_store *t)
{
	pcrm_ctx *ctx = NULL;
	int processed = 0, rc = open_another(t, &ctx);
	if (rc == PCRM_OK)
		rc = pcrm_workorder_tick(ctx, &system_actor, cst(2026, 11, 24, 12, 0), &processed);
	pcrm_ctx_close(ctx);
	return rc == PCRM_OK ? processed : rc;
}

PCRM_BACKEND_TEST(workorder, tick_from_two_processes_applies_each_timer_once)
{
	struct pcrm_test_race_store r;
	pcrm_test_store *s = pcrm_test_race_store(t, &r);
	int64_t warnings = 0;
	int mine, theirs;

	setup(s);
	for (int i = 0; i < RACE_ORDERS; i++) {
		char key[16];
		snprintf(key, sizeof(key), "R%d", i);
		pcrm_workorder_free(open_one(s, key, "3701"));
	}
	/* a second process with its own connection, racing this one */
	race_two(s, race, &mine, &theirs);
	cr_assert(mine >= 0 && theirs >= 0, "tick failed: %d / %d", mine, theirs);
	/* per work order: the state warning and the state limit, nothing twice */
	cr_assert_eq(mine + theirs, 2 * RACE_ORDERS, "%d + %d", mine, theirs);
	pcrm_assert_ok(pcrm__store_query_int(s->ctx->store,
	                                     "SELECT COUNT(*) FROM work_order_history "
	                                     "WHERE kind = 'warning'",
	                                     NULL, 0, &warnings));
	cr_assert_eq(warnings, RACE_ORDERS);
	pcrm_test_race_store_remove(&r);
}

/* ---- the shipped definitions at work ---- */

static pcrm_workorder *open_shipped(pcrm_test_store *t, const char *file, const char *name)
{
	char rel[128], *doc, *cal = cn2026();
	pcrm_workorder *wo = NULL;
	snprintf(rel, sizeof(rel), "data/workflows/%s.json", file);
	doc = read_source(rel);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, doc, cal, NULL));
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &city_agent, name, "S1", NULL, "3701", NULL, &wo));
	free(doc);
	free(cal);
	return wo;
}

PCRM_BACKEND_TEST(workorder, shipped_fault_repair_and_complaint)
{
	pcrm_workorder *wo, *w;
	make_tree(t->ctx);
	wo = open_shipped(t, "fault-repair-urban", "fault_repair_urban");
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, pcrm_workorder_id(wo), 1, "dispatch",
	                                   "{\"crew\": \"抢修一班\"}", NULL, &w));
	cr_assert_eq(pcrm_workorder_due_at(w), t->now + 45 * 60, "urban arrival: 45 minutes");
	pcrm_workorder_free(w);
	t->now += 30 * 60;
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, pcrm_workorder_id(wo), 2, "arrive",
	                                   NULL, NULL, &w));
	cr_assert_eq(pcrm_workorder_due_at(w), t->now + 3 * HOUR, "urban restoration: 3 hours");
	pcrm_workorder_free(w);
	pcrm_workorder_free(wo);

	/* a complaint accepted on Monday 09:00 must see the customer contacted by Tuesday 09:00 */
	t->now = cst(2026, 11, 23, 9, 0);
	wo = open_shipped(t, "complaint", "complaint");
	cr_assert_eq(pcrm_workorder_due_at(wo), cst(2026, 11, 24, 9, 0));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, pcrm_workorder_id(wo), 1, "contact",
	                                   "{\"contact_note\": \"已致电\"}", NULL, &w));
	/* then the handling opinion: 5 working days from acceptance */
	cr_assert_eq(pcrm_workorder_due_at(w), cst(2026, 11, 30, 9, 0));
	pcrm_workorder_free(w);
	pcrm_workorder_free(wo);
}

PCRM_BACKEND_TEST(workorder, a_tampered_state_is_reported_not_trusted)
{
	pcrm_workorder *wo;
	char sql[160];
	setup(t);
	wo = open_one(t, "K1", "3701");
	snprintf(sql, sizeof(sql), "UPDATE work_order SET state = 'forged' WHERE id = '%s'",
	         pcrm_workorder_id(wo));
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, sql, NULL, 0, NULL));
	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, &city_agent, pcrm_workorder_id(wo), 1,
	                                      "contact", "{\"contact_note\": \"x\"}", NULL, NULL),
	                  PCRM_EINTEGRITY, "state \"forged\" is not in workflow test version 1");
	pcrm_assert_fails(pcrm_workorder_withdraw(t->ctx, &root_admin, pcrm_workorder_id(wo), 1,
	                                          NULL, NULL),
	                  PCRM_EINTEGRITY, "forged");
	/* the replay shows what the history says, which differs from the forged row */
	{
		pcrm_workorder *replayed;
		pcrm_assert_ok(pcrm_workorder_replay(t->ctx, &root_admin, pcrm_workorder_id(wo),
		                                     &replayed));
		cr_assert_str_eq(pcrm_workorder_state(replayed), "accepted");
		pcrm_workorder_free(replayed);
	}
	pcrm_workorder_free(wo);
}

/* ---- tick in batches ---- */

/* Calendar time only: a warning at half an hour, flagged and notified after an hour. */
static const char *const plain_def =
	"{\"name\": \"plain\", \"states\": ["
	" {\"name\": \"open\", \"initial\": true, \"limit\": {\"hours\": 1, \"warn_percent\": 50,"
	"  \"on_expiry\": {\"flag\": true, \"notify\": true}}},"
	" {\"name\": \"done\", \"final\": true}],"
	" \"transitions\": [{\"event\": \"finish\", \"from\": \"open\", \"to\": \"done\"}]}";

#define BATCH_ORDERS 300 /* 600 timers: more than one batch of 500 */

PCRM_BACKEND_TEST(workorder, tick_batches_are_written_together_and_audited_once_each)
{
	char ids[BATCH_ORDERS][PCRM_WORKORDER_ID_LEN + 1];
	int64_t audits, history, checked = 0, first_bad = -1;
	int n = -1;

	setup(t);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, plain_def, NULL, NULL));
	for (int i = 0; i < BATCH_ORDERS; i++) {
		pcrm_workorder *wo = NULL;
		char key[16];
		snprintf(key, sizeof(key), "B%d", i);
		pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "plain", key, NULL, "3701",
		                                   NULL, &wo));
		snprintf(ids[i], sizeof(ids[i]), "%s", pcrm_workorder_id(wo));
		pcrm_workorder_free(wo);
	}
	audits = count(t, "audit_log");
	history = count(t, "work_order_history");
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, t->now + 2 * HOUR, &n));
	cr_assert_eq(n, 2 * BATCH_ORDERS);
	/* per work order: warning, expire, notify */
	cr_assert_eq(count(t, "work_order_history"), history + 3 * BATCH_ORDERS);
	/* one audit entry per batch (500 timers, then 100), naming every entry it covers */
	cr_assert_eq(count(t, "audit_log"), audits + 2);
	cr_assert_eq(count_where(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'workorder.tick'"),
	             2);
	for (int i = 0; i < BATCH_ORDERS; i += 37) {
		char sql[256];
		snprintf(sql, sizeof(sql),
		         "SELECT COUNT(*) FROM audit_log WHERE action = 'workorder.tick' AND "
		         "summary LIKE '%%\"id\":\"%.36s\"%%'",
		         ids[i]);
		/* warnings come first (oldest due first), so an order's entries may span two batches */
		cr_assert(count_where(t, sql) >= 1, "%s is in no batch entry", ids[i]);
	}
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &root_admin, &checked, &first_bad));
	cr_assert_eq(first_bad, 0);
	for (int i = 0; i < BATCH_ORDERS; i += 7) {
		pcrm_workorder *after = get(t, ids[i]);
		cr_assert(pcrm_workorder_is_overdue(after));
		cr_assert_eq(pcrm_workorder_version(after), 2);
		cr_assert_eq(pcrm_workorder_due_at(after), 0);
		pcrm_workorder_free(after);
		assert_replays(t, ids[i]);
	}
	assert_last_entry(t, ids[0], "\"kind\":\"notify\"");
	/* nothing is processed twice */
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, t->now + 3 * HOUR, &n));
	cr_assert_eq(n, 0);
	cr_assert_eq(count(t, "work_order_history"), history + 3 * BATCH_ORDERS);
}

/* ---- the definition cache ---- */

static const char *const plain_v2 =
	"{\"name\": \"plain\", \"states\": ["
	" {\"name\": \"new\", \"initial\": true}, {\"name\": \"done\", \"final\": true}],"
	" \"transitions\": [{\"event\": \"finish\", \"from\": \"new\", \"to\": \"done\"}]}";

static const char *const plain_v2_other =
	"{\"name\": \"plain\", \"states\": ["
	" {\"name\": \"fresh\", \"initial\": true}, {\"name\": \"done\", \"final\": true}],"
	" \"transitions\": [{\"event\": \"finish\", \"from\": \"fresh\", \"to\": \"done\"}]}";

static pcrm_workorder *open_plain(pcrm_ctx *ctx, const char *key)
{
	pcrm_workorder *wo = NULL;
	pcrm_assert_ok(pcrm_workorder_open(ctx, &root_admin, "plain", key, NULL, "3701", NULL, &wo));
	return wo;
}

PCRM_BACKEND_TEST(workorder, definition_cache_follows_new_versions_and_is_per_context)
{
	pcrm_workorder *v1, *v2, *again;
	pcrm_ctx_options opts;
	pcrm_ctx *other = NULL;
	int cached, version = 0;

	setup(t);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, plain_def, NULL, NULL));
	v1 = open_plain(t->ctx, "C1");
	cr_assert_eq(pcrm_workorder_workflow_version(v1), 1);
	cached = pcrm__workflow_count_cached(t->ctx);
	cr_assert(cached >= 1);

	/* a version stored in a transaction that rolls back is never served from the cache */
	pcrm_assert_ok(pcrm__store_begin(t->ctx->store));
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, plain_v2_other, NULL, &version));
	cr_assert_eq(version, 2);
	pcrm_workorder_free(open_plain(t->ctx, "C2"));
	pcrm_assert_ok(pcrm__store_rollback(t->ctx->store));
	cr_assert_eq(pcrm__workflow_count_cached(t->ctx), cached);

	/* a new version: new work orders use it, running ones keep theirs */
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, plain_v2, NULL, &version));
	cr_assert_eq(version, 2);
	v2 = open_plain(t->ctx, "C2");
	cr_assert_eq(pcrm_workorder_workflow_version(v2), 2);
	cr_assert_str_eq(pcrm_workorder_state(v2), "new");
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &root_admin, pcrm_workorder_id(v1), 1, "finish",
	                                   NULL, NULL, &again));
	cr_assert_eq(pcrm_workorder_workflow_version(again), 1);
	cr_assert_str_eq(pcrm_workorder_state(again), "done");
	pcrm_workorder_free(again);

	/* another context has its own cache, and sees versions defined elsewhere */
	pcrm_ctx_options_init(&opts, PCRM_CTX_OPTIONS_VERSION);
	opts.clock = pcrm_test_clock;
	opts.clock_data = t;
	pcrm_assert_ok(pcrm_ctx_open(&other, t->uri, &opts));
	cr_assert_eq(pcrm__workflow_count_cached(other), 0);
	if (strcmp(pcrm_ctx_backend(t->ctx), "postgresql") == 0) {
		cached = pcrm__workflow_count_cached(t->ctx);
		pcrm_assert_ok(pcrm_workflow_define(other, &root_admin, plain_v2_other, NULL, &version));
		cr_assert_eq(version, 3);
		cr_assert_eq(pcrm__workflow_count_cached(t->ctx), cached);
		again = open_plain(t->ctx, "C3");
		cr_assert_eq(pcrm_workorder_workflow_version(again), 3);
		cr_assert_str_eq(pcrm_workorder_state(again), "fresh");
		pcrm_workorder_free(again);
	}
	pcrm_ctx_close(other);
	pcrm_workorder_free(v1);
	pcrm_workorder_free(v2);
}
