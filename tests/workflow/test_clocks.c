/*
 * Escalation levels, named clocks and severity classes on both stores
 * (docs/workflow-format.md "Escalation levels", "Named clocks", "Severity
 * classes").
 */
#include "wf_fixtures.h"

#include "core/ctx.h"
#include "store/store.h"

#define MIN 60

/*
 * A repair: the dispatched state has three levels (80 % tells the team lead
 * by name, 100 % flags and tells the city unit, 150 % escalates); named
 * clocks measure call-to-dispatch and call-to-arrival from the call, the
 * arrival one with a shorter limit for major faults and two levels of its own.
 */
static const char *const repair_def =
	"{\"name\": \"repair\","
	" \"states\": ["
	"  {\"name\": \"reported\", \"initial\": true},"
	"  {\"name\": \"dispatched\", \"limit\": {\"minutes\": 60, \"levels\": ["
	"    {\"percent\": 80, \"notify\": {\"operator\": \"lead-jn\"}},"
	"    {\"percent\": 100, \"flag\": true, \"notify\": {\"org_unit\": \"3701\"}},"
	"    {\"percent\": 150, \"escalate\": true}]}},"
	"  {\"name\": \"on_site\"},"
	"  {\"name\": \"closed\", \"final\": true}],"
	" \"transitions\": ["
	"  {\"event\": \"dispatch\", \"from\": \"reported\", \"to\": \"dispatched\"},"
	"  {\"event\": \"redispatch\", \"from\": \"dispatched\", \"to\": \"dispatched\"},"
	"  {\"event\": \"arrive\", \"from\": \"dispatched\", \"to\": \"on_site\"},"
	"  {\"event\": \"close\", \"from\": \"on_site\", \"to\": \"closed\"}],"
	" \"clocks\": ["
	"  {\"name\": \"dispatch\", \"start\": \"opened\", \"stop\": {\"event\": \"dispatch\"},"
	"   \"limit\": {\"minutes\": 20}},"
	"  {\"name\": \"arrival\", \"start\": \"opened\", \"stop\": {\"state\": \"on_site\"},"
	"   \"limit\": {\"minutes\": 45, \"by_class\": {\"major\": {\"minutes\": 30}},"
	"     \"levels\": [{\"percent\": 50, \"notify\": true}, {\"percent\": 100, \"flag\": true}]}},"
	"  {\"name\": \"repair\", \"start\": {\"state\": \"on_site\"}, \"stop\": {\"state\": \"closed\"}}]}";

/* Working-time levels: 8 working hours, levels at 50 % and 125 %, and a working-hour clock. */
static const char *const working_def =
	"{\"name\": \"ticket\","
	" \"states\": ["
	"  {\"name\": \"accepted\", \"initial\": true, \"limit\": {\"working_hours\": 8,"
	"   \"by_class\": {\"vip\": {\"working_hours\": 4}},"
	"   \"levels\": [{\"percent\": 50, \"notify\": true}, {\"percent\": 125, \"escalate\": true}]}},"
	"  {\"name\": \"handling\"},"
	"  {\"name\": \"closed\", \"final\": true}],"
	" \"transitions\": ["
	"  {\"event\": \"contact\", \"from\": \"accepted\", \"to\": \"handling\"},"
	"  {\"event\": \"close\", \"from\": \"handling\", \"to\": \"closed\"}],"
	" \"clocks\": ["
	"  {\"name\": \"contact\", \"start\": \"opened\", \"stop\": {\"state\": \"handling\"},"
	"   \"limit\": {\"working_hours\": 8}}]}";

static void setup(pcrm_test_store *t)
{
	char *cal = cn2026();
	int v = 0;
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, repair_def, NULL, &v));
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, working_def, cal, &v));
	free(cal);
}

static pcrm_workorder *open_repair(pcrm_test_store *t, const char *key, const char *cls)
{
	pcrm_workorder *wo = NULL;
	pcrm_assert_ok(pcrm_workorder_open_classed(t->ctx, &root_admin, "repair", key, NULL, "3701",
	                                           cls, NULL, &wo));
	return wo;
}

static pcrm_workorder *get(pcrm_test_store *t, const char *id)
{
	pcrm_workorder *wo;
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &root_admin, id, &wo));
	return wo;
}

static int64_t count_where(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

static int tick(pcrm_ctx *ctx, pcrm_time at)
{
	int n = -1;
	pcrm_assert_ok(pcrm_workorder_tick(ctx, &system_actor, at, &n));
	return n;
}

static void assert_replays(pcrm_test_store *t, const char *id)
{
	pcrm_workorder *a, *b;
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &root_admin, id, &a));
	pcrm_assert_ok(pcrm_workorder_replay(t->ctx, &root_admin, id, &b));
	cr_assert_str_eq(pcrm_workorder_json(a), pcrm_workorder_json(b));
	pcrm_workorder_free(a);
	pcrm_workorder_free(b);
}

static void fire(pcrm_test_store *t, const char *id, const char *event)
{
	pcrm_workorder *wo = get(t, id);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, pcrm_workorder_version(wo), event,
	                                   NULL, NULL, NULL));
	pcrm_workorder_free(wo);
}

PCRM_BACKEND_TEST(clocks, levels_fire_once_each_at_their_percentages_across_a_restart)
{
	struct pcrm_test_race_store r; /* on SQLite a file, so that a second process sees it */
	pcrm_test_store *mem = t;
	pcrm_workorder *wo, *w;
	pcrm_ctx *again = NULL;
	const char *id;
	pcrm_time t0;
	int n;

	t = pcrm_test_race_store(mem, &r);
	t0 = t->now;
	setup(t);
	wo = open_repair(t, "L1", NULL);
	id = pcrm_workorder_id(wo);
	fire(t, id, "dispatch");
	/* the arrival clock's 50 % level (22.5 min) comes first; nothing of the state's yet */
	cr_assert_eq(tick(t->ctx, t0 + 30 * MIN), 1);
	cr_assert_eq(count_where(t, "SELECT COUNT(*) FROM work_order_history WHERE kind = 'level'"),
	             1);
	/* 45 min: the arrival clock passes and its 100 % level flags; 48 min: the state's 80 % */
	cr_assert_eq(tick(t->ctx, t0 + 47 * MIN), 2);
	cr_assert_eq(tick(t->ctx, t0 + 48 * MIN), 1);
	cr_assert_eq(tick(t->ctx, t0 + 48 * MIN), 0, "a level fires once");
	/* the 80 % level's notification is addressed to the team lead by name */
	cr_assert_eq(count_where(t, "SELECT COUNT(*) FROM work_order_notification WHERE "
	                            "recipient = 'lead-jn' AND kind = 'notify'"),
	             1);
	w = get(t, id);
	cr_assert(pcrm_workorder_is_overdue(w));
	pcrm_workorder_free(w);

	/* a restart: another process, with nothing but the store, goes on where this one stopped */
	pcrm_assert_ok(open_another(t, &again));
	/* at 60 min the state's limit passes and its 100 % level fires: two timers */
	n = tick(again, t0 + 60 * MIN);
	pcrm_ctx_close(again);
	cr_assert_eq(n, 2, "%d", n);
	w = get(t, id);
	cr_assert_eq(pcrm_workorder_escalations(w), 0, "150 %% has not come yet");
	pcrm_workorder_free(w);
	cr_assert_eq(count_where(t, "SELECT COUNT(*) FROM work_order_notification WHERE "
	                            "org_unit = '3701' AND recipient IS NULL AND kind = 'notify'"),
	             2); /* the arrival clock's 50 % (the unit) and the state's 100 % */
	/* 150 %: escalated to the province, once */
	cr_assert_eq(tick(t->ctx, t0 + 90 * MIN), 1);
	cr_assert_eq(tick(t->ctx, t0 + 200 * MIN), 0);
	w = get(t, id);
	cr_assert_eq(pcrm_workorder_escalations(w), 1);
	pcrm_workorder_free(w);
	cr_assert_eq(count_where(t, "SELECT COUNT(*) FROM work_order_history WHERE kind = 'level'"),
	             5);
	/* each level is audited on its own */
	cr_assert_eq(count_where(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'workorder.level'"),
	             5);
	assert_replays(t, id);
	pcrm_workorder_free(wo);
	pcrm_test_race_store_remove(&r);
}

PCRM_BACKEND_TEST(clocks, a_redispatch_restarts_the_state_levels_not_the_clocks)
{
	pcrm_workorder *wo, *w;
	const char *id;
	pcrm_time t0 = t->now, arrival_due;

	setup(t);
	wo = open_repair(t, "R1", NULL);
	id = pcrm_workorder_id(wo);
	arrival_due = pcrm_workorder_clock_due_at(wo, "arrival");
	cr_assert_eq(arrival_due, t0 + 45 * MIN, "from the call");
	cr_assert_eq(pcrm_workorder_clock_due_at(wo, "dispatch"), t0 + 20 * MIN);
	cr_assert_eq(pcrm_workorder_due_at(wo), t0 + 20 * MIN, "due_at is the earliest");
	cr_assert_eq(pcrm_workorder_clock_started_at(wo, "repair"), 0, "not started yet");

	t->now = t0 + 25 * MIN;
	fire(t, id, "dispatch");
	t->now = t0 + 40 * MIN;
	fire(t, id, "redispatch");
	w = get(t, id);
	cr_assert_eq(pcrm_workorder_clock_due_at(w, "arrival"), arrival_due,
	             "a re-dispatch does not restart the arrival clock");
	cr_assert_eq(pcrm_workorder_clock_due_at(w, "dispatch"), 0, "stopped");
	pcrm_workorder_free(w);
	/* the state's 80 % level counts from the re-dispatch: 40 + 48 min */
	cr_assert_eq(count_where(t, "SELECT COUNT(*) FROM work_order_timer WHERE done = 0 AND "
	                            "scope = 'state' AND kind = 'level'"),
	             3);
	t->now = t0 + 50 * MIN;
	fire(t, id, "arrive");
	w = get(t, id);
	{
		int64_t s = 0;
		cr_assert_str_eq(pcrm_workorder_clock_result(w, "dispatch", &s), "missed");
		cr_assert_eq(s, -5 * MIN, "5 minutes late");
		cr_assert_str_eq(pcrm_workorder_clock_result(w, "arrival", &s), "missed");
		cr_assert_eq(s, -5 * MIN);
		cr_assert_null(pcrm_workorder_clock_result(w, "repair", &s), "still running");
		cr_assert_eq(s, 0);
		cr_assert_null(pcrm_workorder_clock_result(w, "nonesuch", NULL));
	}
	cr_assert_eq(pcrm_workorder_clock_started_at(w, "repair"), t0 + 50 * MIN);
	cr_assert_eq(pcrm_workorder_clock_due_at(w, "repair"), 0, "a clock without a limit");
	cr_assert(strstr(pcrm_workorder_json(w), "\"late_seconds\":300") != NULL,
	          "the results are in the work order's JSON: %s", pcrm_workorder_json(w));
	pcrm_workorder_free(w);
	/* levels of the state left are gone with it; no clock timers are left running */
	cr_assert_eq(count_where(t, "SELECT COUNT(*) FROM work_order_timer WHERE done = 0"), 0);
	t->now = t0 + 110 * MIN;
	fire(t, id, "close");
	w = get(t, id);
	cr_assert(strstr(pcrm_workorder_json(w), "\"elapsed_seconds\":3600") != NULL,
	          "%s", pcrm_workorder_json(w));
	pcrm_workorder_free(w);
	assert_replays(t, id);
	pcrm_workorder_free(wo);
}

PCRM_BACKEND_TEST(clocks, a_clock_met_in_time_records_how_early)
{
	pcrm_workorder *wo, *w;
	const char *id;
	pcrm_time t0 = t->now;
	int64_t s = -1;

	setup(t);
	wo = open_repair(t, "M1", NULL);
	id = pcrm_workorder_id(wo);
	t->now = t0 + 5 * MIN;
	fire(t, id, "dispatch");
	t->now = t0 + 30 * MIN;
	fire(t, id, "arrive");
	w = get(t, id);
	cr_assert_str_eq(pcrm_workorder_clock_result(w, "dispatch", &s), "met");
	cr_assert_eq(s, 15 * MIN);
	cr_assert_str_eq(pcrm_workorder_clock_result(w, "arrival", &s), "met");
	cr_assert_eq(s, 15 * MIN);
	pcrm_workorder_free(w);
	/* no level of the stopped clocks fires afterwards */
	cr_assert_eq(tick(t->ctx, t0 + 10 * HOUR), 0);
	pcrm_workorder_free(wo);
}

PCRM_BACKEND_TEST(clocks, the_class_chooses_the_limit_and_a_change_is_audited)
{
	pcrm_workorder *wo, *w, *normal;
	const char *id;
	pcrm_time t0 = t->now;

	setup(t);
	normal = open_repair(t, "C0", NULL);
	cr_assert_str_eq(pcrm_workorder_sla_class(normal), "normal");
	cr_assert(strstr(pcrm_workorder_json(normal), "sla_class") == NULL,
	          "no class given: the JSON is as before");
	wo = open_repair(t, "C1", "major");
	id = pcrm_workorder_id(wo);
	cr_assert_str_eq(pcrm_workorder_sla_class(wo), "major");
	cr_assert_eq(pcrm_workorder_clock_due_at(wo, "arrival"), t0 + 30 * MIN);
	cr_assert_eq(pcrm_workorder_clock_due_at(wo, "dispatch"), t0 + 20 * MIN, "no by_class");
	/* the retry of the open must give the same class */
	pcrm_assert_fails(pcrm_workorder_open_classed(t->ctx, &root_admin, "repair", "C1", NULL,
	                                              "3701", "important", NULL, NULL),
	                  PCRM_EDUPLICATE, "sla_class");
	pcrm_assert_fails(pcrm_workorder_open_classed(t->ctx, &root_admin, "repair", "C2", NULL,
	                                              "3701", "urgent", NULL, NULL),
	                  PCRM_EINVAL, "sla_class");

	/* the major limit's 50 % level (15 min) fires, only for the major work order */
	cr_assert_eq(tick(t->ctx, t0 + 16 * MIN), 1);
	/* back to normal: the arrival clock counts 45 min from the call again */
	pcrm_assert_fails(pcrm_workorder_reclassify(t->ctx, &city_agent, id,
	                                            pcrm_workorder_version(wo), "normal", NULL, NULL),
	                  PCRM_EPERM, "workorder.supervise");
	w = get(t, id);
	pcrm_assert_fails(pcrm_workorder_reclassify(t->ctx, &supervisor, id,
	                                            pcrm_workorder_version(w), "major", NULL, NULL),
	                  PCRM_ESTATE, "already of class major");
	pcrm_assert_fails(pcrm_workorder_reclassify(t->ctx, &supervisor, id,
	                                            pcrm_workorder_version(w), "urgent", NULL, NULL),
	                  PCRM_EINVAL, "sla_class");
	pcrm_workorder_free(w);
	w = get(t, id);
	pcrm_assert_ok(pcrm_workorder_reclassify(t->ctx, &supervisor, id, pcrm_workorder_version(w),
	                                         "normal", "客户非重要用户", NULL));
	pcrm_workorder_free(w);
	w = get(t, id);
	cr_assert_str_eq(pcrm_workorder_sla_class(w), "normal");
	cr_assert_eq(pcrm_workorder_clock_due_at(w, "arrival"), t0 + 45 * MIN);
	pcrm_workorder_free(w);
	cr_assert_eq(count_where(t, "SELECT COUNT(*) FROM audit_log WHERE "
	                            "action = 'workorder.reclassify'"),
	             1);
	/* at 30 min: both dispatch clocks pass and the normal order's 50 % level; no arrival */
	cr_assert_eq(tick(t->ctx, t0 + 30 * MIN), 3);
	cr_assert_eq(count_where(t, "SELECT COUNT(*) FROM work_order_history WHERE "
	                            "note = 'clock arrival passed'"),
	             0);
	cr_assert_eq(count_where(t, "SELECT COUNT(*) FROM work_order_history WHERE "
	                            "kind = 'level' AND note LIKE 'level 1:%clock arrival%'"),
	             2, "the 50 %% level fired once per work order, not again after the change");
	/* at 45 min: each arrival clock passes and its 100 % level fires */
	cr_assert_eq(tick(t->ctx, t0 + 45 * MIN), 4);
	assert_replays(t, id);
	pcrm_workorder_free(wo);
	pcrm_workorder_free(normal);
}

PCRM_BACKEND_TEST(clocks, levels_and_clocks_count_working_time)
{
	pcrm_workorder *wo, *vip, *w;
	/* Monday; cn-2026 works 8:30-12:00 and 13:30-17:30, 7.5 hours a day */
	pcrm_time mon = cst(2026, 11, 23, 9, 0);
	int64_t s = 0;

	t->now = mon;
	setup(t);
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "ticket", "W1", NULL, "3701", NULL,
	                                   &wo));
	pcrm_assert_ok(pcrm_workorder_open_classed(t->ctx, &root_admin, "ticket", "W2", NULL, "3701",
	                                           "vip", NULL, &vip));
	/* 8 working hours: 7 on Monday, then Tuesday 8:30-9:30; the VIP's 4: Monday 14:30 */
	cr_assert_eq(pcrm_workorder_due_at(wo), cst(2026, 11, 24, 9, 30));
	cr_assert_eq(pcrm_workorder_clock_due_at(wo, "contact"), cst(2026, 11, 24, 9, 30));
	cr_assert_eq(pcrm_workorder_due_at(vip), cst(2026, 11, 23, 14, 30));
	cr_assert_eq(pcrm_workorder_clock_due_at(vip, "contact"), cst(2026, 11, 24, 9, 30),
	             "the clock has no by_class");
	/* the VIP's 50 %: 2 working hours, Monday 11:00 */
	cr_assert_eq(tick(t->ctx, cst(2026, 11, 23, 14, 29)), 1);
	/* W1's 50 % (4 working hours, after the lunch break) and the VIP's expiry */
	cr_assert_eq(tick(t->ctx, cst(2026, 11, 23, 14, 30)), 2);
	/* the VIP's 125 % (Monday 15:30), W1's state limit, both contact clocks (Tuesday 9:30) */
	cr_assert_eq(tick(t->ctx, cst(2026, 11, 24, 11, 29)), 4);
	w = get(t, pcrm_workorder_id(wo));
	cr_assert_eq(pcrm_workorder_escalations(w), 0);
	cr_assert(pcrm_workorder_is_overdue(w));
	pcrm_workorder_free(w);
	/* W1's 125 %: 10 working hours, Tuesday 11:30 */
	cr_assert_eq(tick(t->ctx, cst(2026, 11, 24, 11, 30)), 1);
	w = get(t, pcrm_workorder_id(wo));
	cr_assert_eq(pcrm_workorder_escalations(w), 1);
	pcrm_workorder_free(w);
	/* contact on Tuesday 15:00: 4 working hours late (9:30-12:00, 13:30-15:00) */
	t->now = cst(2026, 11, 24, 15, 0);
	fire(t, pcrm_workorder_id(wo), "contact");
	w = get(t, pcrm_workorder_id(wo));
	cr_assert_str_eq(pcrm_workorder_clock_result(w, "contact", &s), "missed");
	cr_assert_eq(s, -4 * HOUR);
	pcrm_workorder_free(w);
	assert_replays(t, pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	pcrm_workorder_free(vip);
}

PCRM_BACKEND_TEST(clocks, a_cancelled_work_order_has_no_running_clock)
{
	pcrm_workorder *wo, *w;

	setup(t);
	wo = open_repair(t, "X1", NULL);
	cr_assert_eq(pcrm_workorder_clock_due_at(wo, "arrival"), t->now + 45 * MIN);
	/* no step completed: the withdrawal cancels it */
	pcrm_assert_ok(pcrm_workorder_withdraw(t->ctx, &supervisor, pcrm_workorder_id(wo), 1, NULL,
	                                       &w));
	cr_assert_str_eq(pcrm_workorder_status(w), "cancelled");
	cr_assert_eq(pcrm_workorder_clock_due_at(w, "arrival"), 0);
	cr_assert_null(pcrm_workorder_clock_result(w, "arrival", NULL), "it never stopped");
	pcrm_workorder_free(w);
	cr_assert_eq(count_where(t, "SELECT COUNT(*) FROM work_order_timer WHERE done = 0"), 0);
	cr_assert_eq(tick(t->ctx, t->now + 10 * HOUR), 0);
	pcrm_workorder_free(wo);
}

/*
 * Levels that name a role (and level) in the handling unit or the unit
 * above, as Znuny and GLPI do: the team lead at 80 %, the unit manager at
 * 100 %, the superior unit's supervisor at 150 %.
 */
static const char *const roles_def =
	"{\"name\": \"roles\","
	" \"states\": ["
	"  {\"name\": \"handling\", \"initial\": true, \"limit\": {\"minutes\": 100, \"levels\": ["
	"    {\"percent\": 80, \"notify\": {\"role\": \"agent\", \"level\": 2}},"
	"    {\"percent\": 100, \"flag\": true, \"notify\": {\"role\": \"admin\", \"level\": 3,"
	"                                                 \"unit\": \"own\"}},"
	"    {\"percent\": 150, \"escalate\": true, \"notify\": {\"role\": \"monitor\","
	"                                                      \"unit\": \"parent\"}}]}},"
	"  {\"name\": \"closed\", \"final\": true}],"
	" \"transitions\": [{\"event\": \"close\", \"from\": \"handling\", \"to\": \"closed\"}]}";

PCRM_BACKEND_TEST(clocks, levels_notify_a_role_in_the_handling_unit_or_the_one_above)
{
	pcrm_workorder *wo, *top;
	pcrm_notification_list *l;
	const pcrm_notification *n;
	pcrm_time t0 = t->now;
	int v = 0;
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, roles_def, NULL, &v));
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "roles", "R1", NULL, "370102", NULL,
	                                   &wo));
	/* a province-level work order has no unit above: its own unit is told, and says so */
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "roles", "R2", NULL, "37", NULL,
	                                   &top));
	cr_assert_eq(tick(t->ctx, t0 + 80 * MIN), 2);
	/* 100 %: the level and the limit's own expiry timer, for each work order */
	cr_assert_eq(tick(t->ctx, t0 + 100 * MIN), 4);
	cr_assert_eq(tick(t->ctx, t0 + 150 * MIN), 2);
	cr_assert_eq(tick(t->ctx, t0 + 300 * MIN), 0, "each level fires once");

	pcrm_assert_ok(pcrm_notification_claim(t->ctx, &root_admin, "37", 100, 60, &l));
	/* R1's entries: 1 open, 2 level 80 %, 3 its notify, 4 level 100 %, 5 notify, 6 level
	   150 %, 7 escalate, 8 notify; only the notify entries carry a role */
	cr_assert_eq(count_where(t, "SELECT COUNT(*) FROM work_order_notification WHERE "
	                            "recipient_role IS NOT NULL"),
	             6);
	for (size_t i = 0; i < pcrm_notification_list_count(l); i++) {
		n = pcrm_notification_list_at(l, i);
		if (strcmp(n->work_order_id, pcrm_workorder_id(wo)) != 0 || strcmp(n->kind, "notify"))
			continue;
		cr_assert_null(n->recipient, "a role is told, not the owner");
		cr_assert_not_null(n->recipient_role);
		if (strcmp(n->recipient_role, "agent") == 0) {
			cr_assert_eq(n->recipient_level, 2);
			cr_assert_str_eq(n->org_unit, "370102");
			cr_assert(strstr(n->note, "to agent level 2 in 370102"), "%s", n->note);
		} else if (strcmp(n->recipient_role, "admin") == 0) {
			cr_assert_eq(n->recipient_level, 3);
			cr_assert_str_eq(n->org_unit, "370102");
		} else {
			cr_assert_str_eq(n->recipient_role, "monitor");
			cr_assert_eq(n->recipient_level, 0, "no level: any");
			cr_assert_str_eq(n->org_unit, "3701", "the unit above the handling unit");
			cr_assert(strstr(n->note, "to monitor in 3701"), "%s", n->note);
		}
	}
	/* the top unit's 150 % target: told in its own unit, the note says why */
	cr_assert_eq(count_where(t, "SELECT COUNT(*) FROM work_order_notification WHERE "
	                            "recipient_role = 'monitor' AND org_unit = '37' AND note LIKE "
	                            "'%no unit above 37%'"),
	             1);
	pcrm_notification_list_free(l);
	/* the work order stays with its unit: supervision is added, ownership does not move */
	{
		pcrm_workorder *w = get(t, pcrm_workorder_id(wo));
		cr_assert_str_eq(pcrm_workorder_org_unit(w), "370102");
		cr_assert_eq(pcrm_workorder_escalations(w), 1);
		pcrm_workorder_free(w);
	}
	assert_replays(t, pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	pcrm_workorder_free(top);
}

PCRM_BACKEND_TEST(clocks, a_role_target_is_validated_by_path)
{
	static const char *const bad[][2] = {
		{ "{\"role\": \"boss\"}", "levels[0].notify.role" },
		{ "{\"role\": \"system\"}", "levels[0].notify.role" },
		{ "{\"role\": \"agent\", \"level\": 4}", "levels[0].notify.level" },
		{ "{\"role\": \"agent\", \"unit\": \"grandparent\"}", "levels[0].notify.unit" },
		{ "{\"operator\": \"x\", \"level\": 2}", "levels[0].notify: level and unit" },
		{ "{\"operator\": \"x\", \"role\": \"agent\"}", "exactly one of" },
	};
	char def[1024];
	make_tree(t->ctx);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(def, sizeof(def),
		         "{\"name\": \"bad\", \"states\": [{\"name\": \"a\", \"initial\": true,"
		         " \"limit\": {\"minutes\": 10, \"levels\": [{\"percent\": 80, \"notify\": %s}]}},"
		         " {\"name\": \"z\", \"final\": true}],"
		         " \"transitions\": [{\"event\": \"e\", \"from\": \"a\", \"to\": \"z\"}]}",
		         bad[i][0]);
		pcrm_assert_fails(pcrm_workflow_define(t->ctx, &root_admin, def, NULL, NULL),
		                  PCRM_EINVAL, bad[i][1]);
	}
	cr_assert_eq(count_where(t, "SELECT COUNT(*) FROM workflow_def"), 0);
}
