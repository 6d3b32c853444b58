/*
 * Reopening a closed work order within the definition's period (both edges
 * of the period, refusals that change nothing) and a guard's fixed "values"
 * (a return visit's satisfaction scale), on both stores; the definition
 * checks of both without a store.
 */
#include "wf_fixtures.h"

#include "core/ctx.h"
#include "store/store.h"
#include "workflow/workflow_internal.h"

/* Handling (2 h) and a visit; 10 h for the whole; reopened within 7 days back to handling. */
static const char *const visit_def =
	"{\"name\": \"visit_test\", \"limit\": {\"hours\": 10},"
	" \"reopen\": {\"days\": 7, \"to\": \"handling\"},"
	" \"states\": ["
	"  {\"name\": \"handling\", \"initial\": true, \"limit\": {\"hours\": 2}},"
	"  {\"name\": \"visit\", \"pause\": true},"
	"  {\"name\": \"closed\", \"final\": true}],"
	" \"transitions\": ["
	"  {\"event\": \"done\", \"from\": \"handling\", \"to\": \"visit\"},"
	"  {\"event\": \"visit\", \"from\": \"visit\", \"to\": \"closed\", \"guard\": {"
	"    \"require\": [\"satisfaction\"],"
	"    \"values\": {\"satisfaction\": [\"satisfied\", \"basically_satisfied\"]}}},"
	"  {\"event\": \"dissatisfied\", \"from\": \"visit\", \"to\": \"handling\", \"guard\": {"
	"    \"values\": {\"satisfaction\": [\"dissatisfied\"]}}}]}";

static void setup(pcrm_test_store *t)
{
	make_tree(t->ctx);
	define_test(t->ctx);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, visit_def, NULL, NULL));
}

static pcrm_workorder *get(pcrm_test_store *t, const char *id)
{
	pcrm_workorder *wo;
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &root_admin, id, &wo));
	return wo;
}

static size_t history_count(pcrm_test_store *t, const char *id)
{
	pcrm_workorder_history *h;
	size_t n;
	pcrm_assert_ok(pcrm_workorder_history_load(t->ctx, &root_admin, id, &h));
	n = pcrm_workorder_history_count(h);
	pcrm_workorder_history_free(h);
	return n;
}

static int64_t timers_of(pcrm_test_store *t, const char *id)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(id) };
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store,
	                                     "SELECT COUNT(*) FROM work_order_timer WHERE "
	                                     "work_order_id = $1 AND done = 0",
	                                     p, 1, &n));
	return n;
}

/* Opens a visit_test work order and closes it satisfied at t->now; *id receives its id. */
static void open_and_close(pcrm_test_store *t, const char *key, char *id)
{
	pcrm_workorder *wo;
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &city_agent, "visit_test", key, NULL, "3701",
	                                   NULL, &wo));
	snprintf(id, PCRM_WORKORDER_ID_LEN + 1, "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 1, "done", NULL, NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 2, "visit",
	                                   "{\"satisfaction\": \"satisfied\"}", NULL, &wo));
	cr_assert_str_eq(pcrm_workorder_status(wo), "closed");
	cr_assert_eq(pcrm_workorder_version(wo), 3);
	pcrm_workorder_free(wo);
	cr_assert_eq(timers_of(t, id), 0);
}

PCRM_BACKEND_TEST(reopen, at_the_end_of_the_period_reenters_handling_with_its_history)
{
	char id[PCRM_WORKORDER_ID_LEN + 1];
	pcrm_workorder *wo, *replayed;
	pcrm_workorder_history *h;
	const char *e;
	pcrm_time closed;
	setup(t);
	open_and_close(t, "R1", id);
	closed = t->now;
	/* exactly 7 x 24 hours after closing: the edge counts */
	t->now = closed + 7 * DAY;
	pcrm_assert_ok(pcrm_workorder_reopen(t->ctx, &city_agent, id, 3, "客户来电：问题未解决",
	                                     &wo));
	cr_assert_str_eq(pcrm_workorder_status(wo), "open");
	cr_assert_str_eq(pcrm_workorder_state(wo), "handling");
	cr_assert_eq(pcrm_workorder_version(wo), 4);
	cr_assert_eq(pcrm_workorder_updated_at(wo), t->now);
	cr_assert(!pcrm_workorder_is_overdue(wo));
	/* both clocks started afresh: handling's 2 h is the earlier of 2 h and the process's 10 h */
	cr_assert_eq(pcrm_workorder_due_at(wo), t->now + 2 * HOUR);
	cr_assert_eq(timers_of(t, id), 2);
	pcrm_workorder_free(wo);

	/* the same work order: its history goes on with a reopen entry */
	pcrm_assert_ok(pcrm_workorder_history_load(t->ctx, &root_admin, id, &h));
	cr_assert_eq(pcrm_workorder_history_count(h), 4); /* open, done, visit, reopen */
	e = pcrm_workorder_history_at(h, 3);
	cr_assert(strstr(e, "\"kind\":\"reopen\"") && strstr(e, "\"from\":\"closed\"") &&
	                  strstr(e, "\"to\":\"handling\""),
	          "%s", e);
	pcrm_workorder_history_free(h);
	wo = get(t, id);
	pcrm_assert_ok(pcrm_workorder_replay(t->ctx, &root_admin, id, &replayed));
	cr_assert_str_eq(pcrm_workorder_json(wo), pcrm_workorder_json(replayed));
	pcrm_workorder_free(replayed);
	pcrm_workorder_free(wo);

	/* it runs as before: the state limit passes, the order is flagged; it closes again */
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, t->now + 2 * HOUR, NULL));
	wo = get(t, id);
	cr_assert(pcrm_workorder_is_overdue(wo));
	pcrm_workorder_free(wo);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 5, "done", NULL, NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 6, "visit",
	                                   "{\"satisfaction\": \"basically_satisfied\"}", NULL,
	                                   &wo));
	cr_assert_str_eq(pcrm_workorder_status(wo), "closed");
	pcrm_workorder_free(wo);
	cr_assert_eq(timers_of(t, id), 0);
}

PCRM_BACKEND_TEST(reopen, one_second_after_the_period_is_refused_and_changes_nothing)
{
	char id[PCRM_WORKORDER_ID_LEN + 1];
	pcrm_workorder *before, *after, *out = (pcrm_workorder *)1;
	size_t entries;
	setup(t);
	open_and_close(t, "R2", id);
	t->now += 7 * DAY + 1;
	before = get(t, id);
	entries = history_count(t, id);
	pcrm_assert_fails(pcrm_workorder_reopen(t->ctx, &city_agent, id, 3, NULL, &out),
	                  PCRM_ESTATE, "reopening period (7 days after closing) ended at");
	cr_assert_null(out);
	after = get(t, id);
	cr_assert_str_eq(pcrm_workorder_json(before), pcrm_workorder_json(after));
	cr_assert_eq(history_count(t, id), entries);
	cr_assert_eq(timers_of(t, id), 0);
	pcrm_workorder_free(before);
	pcrm_workorder_free(after);
}

PCRM_BACKEND_TEST(reopen, refusals_name_what_is_wrong)
{
	char id[PCRM_WORKORDER_ID_LEN + 1], other[PCRM_WORKORDER_ID_LEN + 1];
	pcrm_workorder *wo;
	setup(t);
	open_and_close(t, "R3", id);
	/* stale version, bad note, an actor outside the unit's subtree */
	pcrm_assert_fails(pcrm_workorder_reopen(t->ctx, &city_agent, id, 2, NULL, NULL),
	                  PCRM_ECONFLICT, "not 2");
	pcrm_assert_fails(pcrm_workorder_reopen(t->ctx, &city_agent, id, 3, "", NULL), PCRM_EINVAL,
	                  "note");
	pcrm_assert_fails(pcrm_workorder_reopen(t->ctx, &county_agent, id, 3, NULL, NULL),
	                  PCRM_EPERM, "");
	pcrm_assert_fails(pcrm_workorder_reopen(t->ctx, &city_agent, "not-an-id", 3, NULL, NULL),
	                  PCRM_EINVAL, "id");

	/* an open work order, and one cancelled by withdrawal, are not closed */
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &city_agent, "visit_test", "R4", NULL, "3701",
	                                   NULL, &wo));
	snprintf(other, sizeof(other), "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	pcrm_assert_fails(pcrm_workorder_reopen(t->ctx, &city_agent, other, 1, NULL, NULL),
	                  PCRM_ESTATE, "is open: only a closed one");
	pcrm_assert_ok(pcrm_workorder_withdraw(t->ctx, &city_admin, other, 1, NULL, NULL));
	pcrm_assert_fails(pcrm_workorder_reopen(t->ctx, &city_agent, other, 2, NULL, NULL),
	                  PCRM_ESTATE, "is cancelled");

	/* a new work order took the business key while this one was closed */
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &city_agent, "visit_test", "R3", NULL, "3701",
	                                   NULL, NULL));
	pcrm_assert_fails(pcrm_workorder_reopen(t->ctx, &city_agent, id, 3, NULL, NULL),
	                  PCRM_EDUPLICATE, "\"R3\" is open in another work order");

	/* a definition without "reopen" */
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &city_agent, "test", "T1", NULL, "3701", NULL,
	                                   &wo));
	snprintf(other, sizeof(other), "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, other, 1, "contact",
	                                   "{\"contact_note\": \"ok\"}", NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_admin, other, 2, "close", NULL, NULL,
	                                   NULL));
	pcrm_assert_fails(pcrm_workorder_reopen(t->ctx, &city_agent, other, 3, NULL, NULL),
	                  PCRM_ESTATE, "allows no reopening");
}

PCRM_BACKEND_TEST(reopen, guard_values_refuse_what_is_not_on_the_scale)
{
	pcrm_workorder *wo;
	char id[PCRM_WORKORDER_ID_LEN + 1];
	setup(t);
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &city_agent, "visit_test", "V1", NULL, "3701",
	                                   NULL, &wo));
	snprintf(id, sizeof(id), "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 1, "done", NULL, NULL, NULL));
	/* free text, a number, the wrong end of the scale: refused, naming the allowed values only */
	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, &city_agent, id, 2, "visit",
	                                      "{\"satisfaction\": \"还行吧 13800138000\"}", NULL,
	                                      NULL),
	                  PCRM_EINVAL,
	                  "data.satisfaction: must be one of satisfied, basically_satisfied for "
	                  "event \"visit\"");
	cr_assert(strstr(pcrm_error_last(), "13800138000") == NULL);
	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, &city_agent, id, 2, "visit",
	                                      "{\"satisfaction\": 5}", NULL, NULL),
	                  PCRM_EINVAL, "data.satisfaction");
	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, &city_agent, id, 2, "dissatisfied",
	                                      "{\"satisfaction\": \"satisfied\"}", NULL, NULL),
	                  PCRM_EINVAL, "must be one of dissatisfied");
	wo = get(t, id);
	cr_assert_eq(pcrm_workorder_version(wo), 2);
	cr_assert_str_eq(pcrm_workorder_state(wo), "visit");
	pcrm_workorder_free(wo);
	/* absent is left to "require": dissatisfied does not require it */
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 2, "dissatisfied", NULL, NULL,
	                                   NULL));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 3, "done", NULL, NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 4, "dissatisfied",
	                                   "{\"satisfaction\": \"dissatisfied\"}", NULL, NULL));
}

/* ---- the definition checks (no store) ---- */

static void assert_def_fails(const char *reopen, const char *guard, const char *needle)
{
	char doc[2048];
	snprintf(doc, sizeof(doc),
	         "{\"name\": \"d\"%s, \"states\": [{\"name\": \"a\", \"initial\": true},"
	         " {\"name\": \"z\", \"final\": true}],"
	         " \"transitions\": [{\"event\": \"go\", \"from\": \"a\", \"to\": \"z\"%s}]}",
	         reopen, guard);
	pcrm_assert_fails(pcrm_workflow_check(doc, NULL), PCRM_EINVAL, needle);
}

Test(reopen_definition, reopen_and_values_are_validated_with_their_path)
{
	assert_def_fails(", \"reopen\": {\"days\": 7, \"to\": \"nowhere\"}", "",
	                 "reopen.to: unknown state \"nowhere\"");
	assert_def_fails(", \"reopen\": {\"days\": 7, \"to\": \"z\"}", "",
	                 "reopen.to: \"z\" is a final state");
	assert_def_fails(", \"reopen\": {\"days\": 0, \"to\": \"a\"}", "",
	                 "reopen.days: must be an integer 1..366");
	assert_def_fails(", \"reopen\": {\"days\": 1, \"working_days\": 1, \"to\": \"a\"}", "",
	                 "reopen: needs exactly one of days, working_days");
	assert_def_fails(", \"reopen\": {\"to\": \"a\"}", "",
	                 "reopen: needs exactly one of days, working_days");
	assert_def_fails(", \"reopen\": {\"days\": 1, \"to\": \"a\", \"hours\": 2}", "",
	                 "reopen: unknown field \"hours\"");
	assert_def_fails(", \"reopen\": [7]", "", "reopen: must be an object");
	/* working days need the business calendar */
	assert_def_fails(", \"reopen\": {\"working_days\": 5, \"to\": \"a\"}", "",
	                 "calendar: working-time limits need a business calendar");
	assert_def_fails("", ", \"guard\": {\"values\": []}",
	                 "transitions[0].guard.values: must be an object of 1..32 fields");
	assert_def_fails("", ", \"guard\": {\"values\": {\"Bad-Name\": [\"x\"]}}",
	                 "transitions[0].guard.values: field \"Bad-Name\"");
	assert_def_fails("", ", \"guard\": {\"values\": {\"s\": []}}",
	                 "transitions[0].guard.values.s: must be an array of 1..64 strings");
	assert_def_fails("", ", \"guard\": {\"values\": {\"s\": [\"x\", 1]}}",
	                 "transitions[0].guard.values.s[1]: must be a string");
	assert_def_fails("", ", \"guard\": {\"values\": {\"s\": [\"x\", \"x\"]}}",
	                 "transitions[0].guard.values.s[1]: repeats [0]");
	assert_def_fails("", ", \"guard\": {\"values\": {\"s\": [\"a\\u202eb\"]}}",
	                 "U+202E");
}

Test(reopen_definition, the_picture_shows_the_reopening)
{
	char *cal = cn2026(), *dot = NULL;
	pcrm_workflow *wf = NULL;
	pcrm_assert_ok(pcrm__workflow_parse(visit_def, cal, &wf));
	pcrm_assert_ok(pcrm_workflow_to_dot(wf, &dot));
	cr_assert(strstr(dot, "closed -> handling [label=\"reopen (7 days)\", style=dotted];"),
	          "%s", dot);
	pcrm_free(dot);
	pcrm_workflow_free(wf);
	free(cal);
}
