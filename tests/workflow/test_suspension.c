/*
 * SLA pause discipline on both stores: a suspension names a reason code of
 * the definition, may need a supervisor's approval of a given level, ends by
 * itself at its resume time (tick), and those without an end are reported.
 */
#include "wf_fixtures.h"

#include "core/ctx.h"
#include "store/store.h"

static const pcrm_actor junior_admin = { "admin-jn1", PCRM_ROLE_ADMIN, 1, "3701" };

/* Handling has 2 hours, the whole 10; three reasons to suspend. */
static const char *const pause_def =
	"{\"name\": \"pause_test\", \"limit\": {\"hours\": 10},"
	" \"suspension\": {\"reasons\": ["
	"  {\"code\": \"customer_request\", \"title\": \"客户要求暂缓\", \"approval_level\": 2,"
	"   \"max\": {\"days\": 3}},"
	"  {\"code\": \"force_majeure\", \"max\": {\"hours\": 4}},"
	"  {\"code\": \"awaiting_materials\"}]},"
	" \"states\": ["
	"  {\"name\": \"handling\", \"initial\": true, \"limit\": {\"hours\": 2}},"
	"  {\"name\": \"closed\", \"final\": true}],"
	" \"transitions\": [{\"event\": \"close\", \"from\": \"handling\", \"to\": \"closed\"}]}";

static void setup(pcrm_test_store *t)
{
	make_tree(t->ctx);
	define_test(t->ctx);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, pause_def, NULL, NULL));
}

static void open_order(pcrm_test_store *t, const char *wf, const char *key, char *id)
{
	pcrm_workorder *wo;
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &city_agent, wf, key, NULL, "3701", NULL, &wo));
	snprintf(id, PCRM_WORKORDER_ID_LEN + 1, "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
}

static pcrm_workorder *get(pcrm_test_store *t, const char *id)
{
	pcrm_workorder *wo;
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &root_admin, id, &wo));
	return wo;
}

static int64_t count(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
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

PCRM_BACKEND_TEST(suspension, a_reason_from_the_definition_is_required)
{
	char id[PCRM_WORKORDER_ID_LEN + 1];
	pcrm_workorder *wo;
	setup(t);
	open_order(t, "pause_test", "S1", id);
	pcrm_assert_fails(pcrm_workorder_suspend(t->ctx, &city_admin, id, 1, NULL, NULL),
	                  PCRM_EINVAL, "reason: workflow pause_test suspends only for a reason code");
	pcrm_assert_fails(pcrm_workorder_suspend_request(t->ctx, &city_admin, id, 1, NULL, 0, NULL,
	                                                 NULL),
	                  PCRM_EINVAL, "reason: missing");
	pcrm_assert_fails(pcrm_workorder_suspend_request(t->ctx, &city_admin, id, 1, "bogus", 0,
	                                                 NULL, NULL),
	                  PCRM_EINVAL,
	                  "reason: \"bogus\" is not one of customer_request, force_majeure, "
	                  "awaiting_materials");
	pcrm_assert_fails(pcrm_workorder_suspend_request(t->ctx, &city_admin, id, 1, "force_majeure",
	                                                 t->now, NULL, NULL),
	                  PCRM_EINVAL, "resume_at: not after now");
	pcrm_assert_fails(pcrm_workorder_suspend_request(t->ctx, &city_admin, id, 1, "force_majeure",
	                                                 t->now + 4 * HOUR + 1, NULL, NULL),
	                  PCRM_EINVAL, "resume_at: after the longest suspension for reason "
	                               "force_majeure");
	/* applied at once, a reason is a supervisor's action: a first-level agent may not */
	pcrm_assert_fails(pcrm_workorder_suspend_request(t->ctx, &city_agent, id, 1, "force_majeure",
	                                                 0, NULL, NULL),
	                  PCRM_EPERM, "");
	wo = get(t, id);
	cr_assert_eq(pcrm_workorder_version(wo), 1);
	cr_assert(!pcrm_workorder_is_suspended(wo));
	pcrm_workorder_free(wo);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_suspension"), 0);
	/* a definition without reasons has none to give */
	open_order(t, "test", "S2", id);
	pcrm_assert_fails(pcrm_workorder_suspend_request(t->ctx, &city_admin, id, 1, "force_majeure",
	                                                 0, NULL, NULL),
	                  PCRM_EINVAL, "lists no suspension reasons");
}

PCRM_BACKEND_TEST(suspension, approval_needs_the_reasons_level_and_stops_clocks_only_then)
{
	char id[PCRM_WORKORDER_ID_LEN + 1], *json = NULL;
	pcrm_workorder *wo;
	pcrm_time due, asked = t->now;
	int64_t denials;
	setup(t);
	open_order(t, "pause_test", "A1", id);
	wo = get(t, id);
	due = pcrm_workorder_due_at(wo);
	cr_assert_eq(due, t->now + 2 * HOUR);
	pcrm_workorder_free(wo);
	/* an agent requests; the clocks go on running */
	pcrm_assert_ok(pcrm_workorder_suspend_request(t->ctx, &city_agent, id, 1, "customer_request",
	                                              0, "客户出差，要求暂缓", &wo));
	cr_assert(!pcrm_workorder_is_suspended(wo));
	cr_assert_eq(pcrm_workorder_version(wo), 2);
	cr_assert_eq(pcrm_workorder_due_at(wo), due);
	pcrm_workorder_free(wo);
	assert_last_entry(t, id, "\"kind\":\"suspend_request\"");
	assert_last_entry(t, id, "\"event\":\"customer_request\"");
	pcrm_assert_ok(pcrm_workorder_suspension_get(t->ctx, &monitor, id, &json));
	cr_assert(strstr(json, "\"status\":\"requested\"") && strstr(json, "\"resume_at\":null"),
	          "%s", json);
	pcrm_free(json);
	pcrm_assert_fails(pcrm_workorder_suspend_request(t->ctx, &city_agent, id, 2,
	                                                 "customer_request", 0, NULL, NULL),
	                  PCRM_ESTATE, "request pending");
	/* a level-1 supervisor may not decide a level-2 reason; the refusal is audited */
	denials = count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'permission.denied'");
	pcrm_assert_fails(pcrm_workorder_suspend_decide(t->ctx, &junior_admin, id, 2, 1, NULL, NULL),
	                  PCRM_EPERM, "needs level 2");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'permission.denied'"),
	             denials + 1);
	/* an agent may not decide at all */
	pcrm_assert_fails(pcrm_workorder_suspend_decide(t->ctx, &city_agent, id, 2, 1, NULL, NULL),
	                  PCRM_EPERM, "");
	/* approved an hour later: suspended from then, the state clock keeps its hour left */
	t->now += HOUR;
	pcrm_assert_ok(pcrm_workorder_suspend_decide(t->ctx, &city_admin, id, 2, 1, "同意", &wo));
	cr_assert(pcrm_workorder_is_suspended(wo));
	cr_assert_eq(pcrm_workorder_due_at(wo), 0);
	pcrm_workorder_free(wo);
	assert_last_entry(t, id, "\"kind\":\"suspend\"");
	pcrm_assert_ok(pcrm_workorder_suspension_get(t->ctx, &monitor, id, &json));
	cr_assert(strstr(json, "\"status\":\"active\"") && strstr(json, "\"decided_by\":\"admin-jn\""),
	          "%s", json);
	/* the reason's longest: 3 days from the approval */
	{
		char want[64];
		snprintf(want, sizeof(want), "\"resume_at\":%lld", (long long)(asked + HOUR + 3 * DAY));
		cr_assert(strstr(json, want), "%s lacks %s", json, want);
	}
	pcrm_free(json);
	pcrm_assert_fails(pcrm_workorder_suspend_decide(t->ctx, &city_admin, id, 3, 1, NULL, NULL),
	                  PCRM_ESTATE, "no suspension request pending");
	/* resumed by hand before its end: the record goes, the hour left runs again */
	t->now += HOUR;
	pcrm_assert_ok(pcrm_workorder_resume(t->ctx, &city_admin, id, 3, NULL, &wo));
	cr_assert_eq(pcrm_workorder_due_at(wo), t->now + HOUR);
	pcrm_workorder_free(wo);
	pcrm_assert_fails(pcrm_workorder_suspension_get(t->ctx, &monitor, id, &json), PCRM_ENOTFOUND,
	                  "has no suspension");
}

PCRM_BACKEND_TEST(suspension, a_rejection_needs_its_reason_and_leaves_the_order_running)
{
	char id[PCRM_WORKORDER_ID_LEN + 1], *json = NULL;
	pcrm_workorder *wo;
	setup(t);
	open_order(t, "pause_test", "R1", id);
	pcrm_assert_ok(pcrm_workorder_suspend_request(t->ctx, &city_agent, id, 1, "customer_request",
	                                              t->now + DAY, NULL, NULL));
	pcrm_assert_fails(pcrm_workorder_suspend_decide(t->ctx, &city_admin, id, 2, 0, NULL, NULL),
	                  PCRM_EINVAL, "note: a rejection needs its reason");
	pcrm_assert_ok(pcrm_workorder_suspend_decide(t->ctx, &city_admin, id, 2, 0,
	                                             "退回：无客户书面申请", &wo));
	cr_assert(!pcrm_workorder_is_suspended(wo));
	cr_assert_eq(pcrm_workorder_version(wo), 3);
	cr_assert_eq(pcrm_workorder_due_at(wo), t->now + 2 * HOUR);
	pcrm_workorder_free(wo);
	assert_last_entry(t, id, "\"kind\":\"suspend_reject\"");
	pcrm_assert_fails(pcrm_workorder_suspension_get(t->ctx, &monitor, id, &json), PCRM_ENOTFOUND,
	                  "has no suspension");
	/* a new request may follow */
	pcrm_assert_ok(pcrm_workorder_suspend_request(t->ctx, &city_agent, id, 3, "customer_request",
	                                              0, NULL, NULL));
}

PCRM_BACKEND_TEST(suspension, tick_resumes_at_the_end_and_the_clock_restarts_from_there)
{
	char id[PCRM_WORKORDER_ID_LEN + 1];
	pcrm_workorder *wo;
	pcrm_time start = t->now;
	int n = -1;
	setup(t);
	open_order(t, "pause_test", "T1", id);
	/* suspended an hour in, with an hour of the state's 2 left, for at most 4 hours */
	t->now = start + HOUR;
	pcrm_assert_ok(pcrm_workorder_suspend_request(t->ctx, &city_admin, id, 1, "force_majeure", 0,
	                                              NULL, &wo));
	cr_assert(pcrm_workorder_is_suspended(wo));
	pcrm_workorder_free(wo);
	/* not yet at its end: nothing to resume */
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, start + 5 * HOUR - 1, &n));
	cr_assert_eq(n, 0);
	/* tick comes half an hour after the end: resumed as of the end */
	t->now = start + 5 * HOUR + 30 * 60;
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, t->now, &n));
	cr_assert_eq(n, 1);
	wo = get(t, id);
	cr_assert(!pcrm_workorder_is_suspended(wo));
	cr_assert_eq(pcrm_workorder_updated_at(wo), start + 5 * HOUR);
	cr_assert_eq(pcrm_workorder_due_at(wo), start + 6 * HOUR);
	cr_assert(!pcrm_workorder_is_overdue(wo));
	pcrm_workorder_free(wo);
	assert_last_entry(t, id, "automatic: the suspension for force_majeure ended");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_suspension"), 0);
	/* again: nothing; then the state limit passes an hour after the resumption */
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, t->now, &n));
	cr_assert_eq(n, 0);
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, start + 6 * HOUR, &n));
	wo = get(t, id);
	cr_assert(pcrm_workorder_is_overdue(wo));
	pcrm_workorder_free(wo);
}

static size_t listed(pcrm_test_store *t, const pcrm_actor *actor, const char *id)
{
	pcrm_workorder_list *l;
	size_t found = 0, n;
	pcrm_assert_ok(pcrm_workorder_suspended_unlimited(t->ctx, actor, NULL, NULL, 0, &l));
	n = pcrm_workorder_list_count(l);
	for (size_t i = 0; i < n; i++)
		if (strcmp(pcrm_workorder_id(pcrm_workorder_list_at(l, i)), id) == 0)
			found = 1;
	pcrm_workorder_list_free(l);
	return found ? n : 0;
}

PCRM_BACKEND_TEST(suspension, suspended_without_an_end_are_reported_in_the_subtree)
{
	char open_ended[PCRM_WORKORDER_ID_LEN + 1], limited[PCRM_WORKORDER_ID_LEN + 1],
		plain[PCRM_WORKORDER_ID_LEN + 1];
	pcrm_workorder_list *l;
	setup(t);
	open_order(t, "pause_test", "U1", open_ended);
	open_order(t, "pause_test", "U2", limited);
	open_order(t, "test", "U3", plain);
	pcrm_assert_ok(pcrm_workorder_suspend_request(t->ctx, &city_admin, open_ended, 1,
	                                              "awaiting_materials", 0, NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_suspend_request(t->ctx, &city_admin, limited, 1,
	                                              "force_majeure", 0, NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_suspend(t->ctx, &city_admin, plain, 1, NULL, NULL));
	/* a reason without "max" and no resume time, and a reason-less suspension: 2; not the limited */
	cr_assert_eq(listed(t, &city_agent, open_ended), 2);
	cr_assert_eq(listed(t, &city_agent, plain), 2);
	cr_assert_eq(listed(t, &city_agent, limited), 0);
	/* a county actor sees nothing of the city's */
	pcrm_assert_ok(pcrm_workorder_suspended_unlimited(t->ctx, &county_agent, NULL, NULL, 0, &l));
	cr_assert_eq(pcrm_workorder_list_count(l), 0);
	pcrm_workorder_list_free(l);
	pcrm_assert_fails(pcrm_workorder_suspended_unlimited(t->ctx, &county_agent, "3701", NULL, 0,
	                                                     &l),
	                  PCRM_EPERM, "");
	/* paging: one at a time */
	pcrm_assert_ok(pcrm_workorder_suspended_unlimited(t->ctx, &city_agent, "3701", NULL, 1, &l));
	cr_assert_eq(pcrm_workorder_list_count(l), 1);
	cr_assert_not_null(pcrm_workorder_list_next_cursor(l));
	{
		pcrm_workorder_list *next;
		pcrm_assert_ok(pcrm_workorder_suspended_unlimited(t->ctx, &city_agent, "3701",
		                                                  pcrm_workorder_list_next_cursor(l),
		                                                  1, &next));
		cr_assert_eq(pcrm_workorder_list_count(next), 1);
		cr_assert_null(pcrm_workorder_list_next_cursor(next));
		pcrm_workorder_list_free(next);
	}
	pcrm_workorder_list_free(l);
	/* resumed: off the list */
	pcrm_assert_ok(pcrm_workorder_resume(t->ctx, &city_admin, open_ended, 2, NULL, NULL));
	cr_assert_eq(listed(t, &city_agent, plain), 1);
}
