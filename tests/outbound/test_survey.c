/*
 * Return-visit survey campaigns on both stores, on the shipped repair and
 * complaint definitions: which work orders a survey reaches (waiting for
 * their visit, finished within the window, of the campaign's subtree, not
 * surveyed since), and that an answer is the same record an agent's return
 * visit makes: the repair's "visit" with its satisfaction, the complaint
 * ticket's visit_result and satisfaction (dissatisfied: back to handling),
 * the message answered, all audited, and nothing at all when it fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../complaint/complaint_fixture.h"
#include "core/ctx.h"
#include "store/store.h"

static const pcrm_actor job = { "survey-job", PCRM_ROLE_SYSTEM, 1, "37" };
static const pcrm_actor qingdao_job = { "survey-qd", PCRM_ROLE_SYSTEM, 1, "3702" };

static const char config[] =
	"{\"default_unit\": \"3701\", \"repeat_window_days\": 30,"
	" \"subcategories\": {\"service\": [\"attitude\"], \"business\": [\"billing\"],"
	"   \"outage\": [\"planned\"], \"supply_quality\": [\"voltage\"],"
	"   \"grid_construction\": [\"line_route\"]},"
	" \"rules\": []}";

struct recorder {
	int sends;
	char message_id[8][96];
	char body[8][512];
};

static int record(void *u, const pcrm_outbound_message *m, char *ref, size_t size)
{
	struct recorder *r = u;
	int i = r->sends < 8 ? r->sends : 7;
	snprintf(r->message_id[i], sizeof(r->message_id[i]), "%s", m->message_id);
	snprintf(r->body[i], sizeof(r->body[i]), "%s", m->body);
	r->sends++;
	snprintf(ref, size, "gw-%d", r->sends);
	return PCRM_OK;
}

static int64_t count(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

static void define(pcrm_test_store *t, const char *file)
{
	char *def = read_source(file), *cal = cn2026();
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, def, cal, NULL));
	free(def);
	free(cal);
}

static void setup(pcrm_test_store *t)
{
	make_tree(t->ctx);
	add_customer(t->ctx, ZHANG, "37010201", "13800138000");
	add_customer(t->ctx, LI, "370102", "13900139000");
	add_customer(t->ctx, QINGDAO, "3702", "13700137000");
	define(t, "data/workflows/fault-repair-urban.json");
	define(t, "data/workflows/complaint.json");
	pcrm_assert_ok(pcrm_complaint_config_set(t->ctx, &root_admin, config));
}

static void fire(pcrm_test_store *t, const char *id, const char *event, const char *data)
{
	pcrm_workorder *wo;
	t->now += 60;
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &root_admin, id, &wo));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &root_admin, id, pcrm_workorder_version(wo), event,
	                                   data, NULL, NULL));
	pcrm_workorder_free(wo);
}

/* A repair of `customer` handled by `org`, taken to `restored` (waiting for its visit). */
static void restored_repair(pcrm_test_store *t, const char *key, const char *customer,
                            const char *org, int restore, char id[PCRM_WORKORDER_ID_LEN + 1])
{
	pcrm_workorder *wo;
	t->now += 60;
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "fault_repair_urban", key, customer,
	                                   org, NULL, &wo));
	snprintf(id, PCRM_WORKORDER_ID_LEN + 1, "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	fire(t, id, "dispatch", "{\"crew\": \"抢修一班\"}");
	if (!restore)
		return;
	fire(t, id, "arrive", NULL);
	fire(t, id, "restore", "{\"cause\": \"树障\"}");
}

/* A complaint of ZHANG taken through review and reply to its return visit. */
static pcrm_complaint *replied_complaint(pcrm_test_store *t)
{
	pcrm_complaint *c = NULL;
	const char *wo;
	pcrm_assert_ok(pcrm_complaint_file(t->ctx, &city_agent,
	               "{\"channel\": \"phone\", \"category\": \"service\", \"subcategory\": "
	               "\"attitude\", \"nature\": \"complaint\", \"description\": \"营业厅人员态度差\","
	               " \"customer_no\": \"" ZHANG "\"}", &c));
	wo = pcrm_complaint_work_order_id(c);
	fire(t, wo, "contact", "{\"contact_note\": \"已联系\"}");
	fire(t, wo, "opinion", "{\"opinion\": \"拟致歉\"}");
	pcrm_assert_ok(pcrm_complaint_review(t->ctx, &jn_lead, pcrm_complaint_serial(c),
	                                     "{\"decision\": \"approve\"}", NULL));
	t->now += 60;
	pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(c),
	               "{\"channel\": \"phone\", \"content\": \"已核实并致歉\", \"substantiated\": true}",
	               NULL));
	return c;
}

static void create_campaign(pcrm_test_store *t, const char *id, pcrm_time from, pcrm_time to)
{
	char doc[1024], f[40], u[40], s[40];
	pcrm_assert_ok(pcrm_time_format(from, PCRM_UTC_OFFSET_CHINA, f, sizeof(f)));
	pcrm_assert_ok(pcrm_time_format(to, PCRM_UTC_OFFSET_CHINA, u, sizeof(u)));
	pcrm_assert_ok(pcrm_time_format(t->now, PCRM_UTC_OFFSET_CHINA, s, sizeof(s)));
	snprintf(doc, sizeof(doc),
	         "{\"id\": \"%s\", \"org_unit\": \"3701\", \"name\": \"办结回访\","
	         " \"kind\": \"return_visit_survey\","
	         " \"template\": \"尊敬的{name}：您的工单已办结，请回复1满意、2基本满意、3不满意。\","
	         " \"schedule_at\": \"%s\", \"channels\": [\"sms\"],"
	         " \"target\": {\"finished_from\": \"%s\", \"finished_to\": \"%s\"}}",
	         id, s, f, u);
	pcrm_assert_ok(pcrm_campaign_create(t->ctx, &job, doc));
}

static void deliver(pcrm_test_store *t, struct recorder *r, int expected)
{
	pcrm_outbound_channels c = PCRM_OUTBOUND_CHANNELS_INIT;
	pcrm_outbound_policy policy = PCRM_OUTBOUND_POLICY_INIT;
	pcrm_outbound_pass pass = PCRM_OUTBOUND_PASS_INIT;
	c.userdata = r;
	c.sms = record;
	policy.rate_limit = 0;
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 100, &pass));
	cr_assert_eq(pass.sent, expected, "%d sent, expected %d", pass.sent, expected);
}

static void status_is(pcrm_test_store *t, const char *id, const char *expected)
{
	char buf[16];
	pcrm_assert_ok(pcrm_outbound_status(t->ctx, &job, id, buf, sizeof(buf), NULL));
	cr_assert_str_eq(buf, expected, "%s is %s, expected %s", id, buf, expected);
}

static void state_is(pcrm_test_store *t, const char *id, const char *state)
{
	pcrm_workorder *wo;
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &root_admin, id, &wo));
	cr_assert_str_eq(pcrm_workorder_state(wo), state);
	pcrm_workorder_free(wo);
}

PCRM_BACKEND_TEST(survey, targets_finished_unvisited_work_orders_in_window_and_subtree)
{
	char early[40], r1[40], r2[40], qd[40], anon_id[40];
	pcrm_complaint *c;
	pcrm_time from;
	int64_t n = -1;
	char msg[128];

	setup(t);
	restored_repair(t, "R0", LI, "370102", 1, early); /* finished before the window */
	t->now += 3600;
	from = t->now;
	restored_repair(t, "R1", LI, "370102", 1, r1);
	restored_repair(t, "R2", LI, "370102", 0, r2);     /* dispatched: not finished */
	restored_repair(t, "R3", QINGDAO, "3702", 1, qd);  /* another city's customer */
	restored_repair(t, "R4", NULL, "3701", 1, anon_id); /* nobody to ask */
	c = replied_complaint(t);
	t->now += 60;
	create_campaign(t, "RV-1", from, t->now);
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &job, "RV-1", &n));
	cr_assert_eq(n, 2, "the repair R1 and the complaint, %lld queued", (long long)n);
	snprintf(msg, sizeof(msg), "RV-1/%s", r1);
	status_is(t, msg, "queued");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM outbound_message WHERE campaign_id = 'RV-1'"
	                      " AND work_order_id IS NOT NULL AND body IS NULL"), 2);
	/* again: nothing new */
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &job, "RV-1", &n));
	cr_assert_eq(n, 0);
	/* another campaign over the same window: surveyed already since they finished */
	create_campaign(t, "RV-2", from - 7200, t->now);
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &job, "RV-2", &n));
	cr_assert_eq(n, 1, "only R0, which RV-1's window left out");
	snprintf(msg, sizeof(msg), "RV-2/%s", early);
	status_is(t, msg, "queued");
	/* a bad target names its path and stores nothing */
	pcrm_assert_fails(pcrm_campaign_create(t->ctx, &job,
	                  "{\"id\": \"RV-X\", \"org_unit\": \"3701\", \"name\": \"x\","
	                  " \"kind\": \"return_visit_survey\", \"template\": \"请回复\","
	                  " \"schedule_at\": \"2026-11-23T09:00:00+08:00\","
	                  " \"target\": {\"finished_from\": \"2026-11-23T09:00:00+08:00\","
	                  " \"finished_to\": \"2026-11-22T09:00:00+08:00\"}}"),
	                  PCRM_EINVAL, "target.finished_to: must be after finished_from");
	pcrm_assert_fails(pcrm_campaign_create(t->ctx, &job,
	                  "{\"id\": \"RV-X\", \"org_unit\": \"3701\", \"name\": \"x\","
	                  " \"kind\": \"return_visit_survey\", \"template\": \"请回复\","
	                  " \"schedule_at\": \"2026-11-23T09:00:00+08:00\","
	                  " \"target\": {\"finished_from\": \"2026-11-22T09:00:00+08:00\","
	                  " \"finished_to\": \"2026-11-23T09:00:00+08:00\", \"workflows\": [\"Bad\"]}}"),
	                  PCRM_EINVAL, "target.workflows[0]");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM outbound_campaign WHERE id = 'RV-X'"), 0);
	/* limited to the complaint definitions, the repair is not reached */
	{
		char doc[1024], f[40], u[40];
		pcrm_assert_ok(pcrm_time_format(from - 7200, PCRM_UTC_OFFSET_CHINA, f, sizeof(f)));
		pcrm_assert_ok(pcrm_time_format(t->now, PCRM_UTC_OFFSET_CHINA, u, sizeof(u)));
		snprintf(doc, sizeof(doc),
		         "{\"id\": \"RV-3\", \"org_unit\": \"37\", \"name\": \"省回访\","
		         " \"kind\": \"return_visit_survey\", \"template\": \"请回复\","
		         " \"schedule_at\": \"%s\", \"target\": {\"finished_from\": \"%s\","
		         " \"finished_to\": \"%s\", \"workflows\": [\"fault_repair_urban\"]}}",
		         u, f, u);
		pcrm_assert_ok(pcrm_campaign_create(t->ctx, &job, doc));
		pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &job, "RV-3", &n));
		cr_assert_eq(n, 1, "Qingdao's repair only: the province reaches it, the rest surveyed");
		snprintf(msg, sizeof(msg), "RV-3/%s", qd);
		status_is(t, msg, "queued");
	}
	pcrm_complaint_free(c);
}

PCRM_BACKEND_TEST(survey, answer_is_the_return_visit_on_work_order_and_complaint)
{
	struct recorder r = { 0 };
	char r1[40], msg_repair[128], msg_ticket[128];
	pcrm_complaint *c, *after;
	pcrm_workorder *wo;
	pcrm_time from;
	int64_t n = 0;

	setup(t);
	from = t->now;
	restored_repair(t, "R1", LI, "370102", 1, r1);
	c = replied_complaint(t);
	t->now += 60;
	create_campaign(t, "RV-1", from, t->now);
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &job, "RV-1", &n));
	cr_assert_eq(n, 2);
	snprintf(msg_repair, sizeof(msg_repair), "RV-1/%s", r1);
	snprintf(msg_ticket, sizeof(msg_ticket), "RV-1/%s", pcrm_complaint_work_order_id(c));

	/* not sent yet: nobody can have answered */
	pcrm_assert_fails(pcrm_campaign_survey_answer(t->ctx, &job, msg_repair,
	                  "{\"satisfaction\": \"satisfied\"}"), PCRM_ESTATE, "after it was sent");
	deliver(t, &r, 2);
	cr_assert(strstr(r.body[0], "请回复1满意") != NULL, "%s", r.body[0]);
	cr_assert(strstr(r.body[0], "客户") == NULL, "the name is masked: %s", r.body[0]);

	/* bad answers name the field and change nothing */
	pcrm_assert_fails(pcrm_campaign_survey_answer(t->ctx, &job, msg_repair,
	                  "{\"satisfaction\": \"ok\"}"), PCRM_EINVAL, "satisfaction: must be one of");
	pcrm_assert_fails(pcrm_campaign_survey_answer(t->ctx, &job, msg_repair,
	                  "{\"satisfaction\": \"satisfied\", \"mood\": 1}"), PCRM_EINVAL, "mood");
	pcrm_assert_fails(pcrm_campaign_survey_answer(t->ctx, &job, msg_repair,
	                  "{\"satisfaction\": \"satisfied\", \"result\": \"\"}"), PCRM_EINVAL,
	                  "result: must be 1..2000 bytes");
	/* another city's job: the same refusal as for a message nobody has */
	pcrm_assert_fails(pcrm_campaign_survey_answer(t->ctx, &qingdao_job, msg_repair,
	                  "{\"satisfaction\": \"satisfied\"}"), PCRM_EPERM, "");
	pcrm_assert_fails(pcrm_campaign_survey_answer(t->ctx, &qingdao_job, "RV-1/nobody",
	                  "{\"satisfaction\": \"satisfied\"}"), PCRM_EPERM, "");
	state_is(t, r1, "restored");
	status_is(t, msg_repair, "sent");

	/* the repair: its "visit", as an agent's */
	t->now += 60;
	pcrm_assert_ok(pcrm_campaign_survey_answer(t->ctx, &job, msg_repair,
	               "{\"satisfaction\": \"satisfied\", \"result\": \"抢修及时\"}"));
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &root_admin, r1, &wo));
	cr_assert_str_eq(pcrm_workorder_state(wo), "closed");
	cr_assert_str_eq(pcrm_workorder_status(wo), "closed");
	cr_assert(strstr(pcrm_workorder_data(wo), "\"satisfaction\":\"satisfied\""), "%s",
	          pcrm_workorder_data(wo));
	cr_assert(strstr(pcrm_workorder_data(wo), "抢修及时"), "%s", pcrm_workorder_data(wo));
	pcrm_workorder_free(wo);
	status_is(t, msg_repair, "answered");
	/* answered once */
	pcrm_assert_fails(pcrm_campaign_survey_answer(t->ctx, &job, msg_repair,
	                  "{\"satisfaction\": \"dissatisfied\"}"), PCRM_ESTATE, "is answered");

	/* the complaint: the ticket's return visit; dissatisfied sends it back to handling */
	pcrm_assert_ok(pcrm_campaign_survey_answer(t->ctx, &job, msg_ticket,
	               "{\"satisfaction\": \"dissatisfied\", \"result\": \"仍不满意\"}"));
	pcrm_assert_ok(pcrm_complaint_get(t->ctx, &root_admin, pcrm_complaint_serial(c), &after));
	cr_assert_str_eq(pcrm_complaint_status(after), "open");
	cr_assert(strstr(pcrm_complaint_json(after), "\"satisfaction\":\"dissatisfied\""), "%s",
	          pcrm_complaint_json(after));
	cr_assert(strstr(pcrm_complaint_json(after), "仍不满意"), "%s", pcrm_complaint_json(after));
	pcrm_complaint_free(after);
	state_is(t, pcrm_complaint_work_order_id(c), "handling");
	status_is(t, msg_ticket, "answered");

	/* audited: the visit by its module, the answer linking message and work order */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'outbound.survey_answer'"),
	             2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaint.return_visit'"),
	             1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM outbound_attempt WHERE result = 'answered'"), 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%13900139000%'"
	                      " OR summary LIKE '%13800138000%'"), 0);
	{
		pcrm_campaign_stats s = PCRM_CAMPAIGN_STATS_INIT;
		pcrm_assert_ok(pcrm_campaign_stats_get(t->ctx, &job, "RV-1", &s));
		cr_assert_eq(s.answered, 2);
		cr_assert_eq(s.sent, 2);
	}
	pcrm_complaint_free(c);
}

PCRM_BACKEND_TEST(survey, an_agent_visit_first_leaves_the_answer_refused_and_nothing_changed)
{
	struct recorder r = { 0 };
	char r1[40], msg[128];
	pcrm_time from;
	int64_t n = 0, audits;

	setup(t);
	from = t->now;
	restored_repair(t, "R1", LI, "370102", 1, r1);
	t->now += 60;
	create_campaign(t, "RV-1", from, t->now);
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &job, "RV-1", &n));
	cr_assert_eq(n, 1);
	deliver(t, &r, 1);
	snprintf(msg, sizeof(msg), "RV-1/%s", r1);
	/* an agent called the customer back before the reply came */
	fire(t, r1, "visit", "{\"satisfaction\": \"basically_satisfied\"}");
	audits = count(t, "SELECT COUNT(*) FROM audit_log");
	pcrm_assert_fails(pcrm_campaign_survey_answer(t->ctx, &job, msg,
	                  "{\"satisfaction\": \"satisfied\"}"), PCRM_ESTATE, "");
	status_is(t, msg, "sent");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM outbound_attempt WHERE result = 'answered'"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM contact WHERE summary LIKE '%answered%'"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action <> 'permission.denied'"),
	             audits, "the rolled-back answer left no audit entry");
	/* a message that is not a survey */
	pcrm_assert_ok(pcrm_outbound_queue(t->ctx, &city_clerk, LI,
	                                   "{\"id\": \"plain-1\", \"body\": \"您好\"}", NULL, 0));
	pcrm_assert_fails(pcrm_campaign_survey_answer(t->ctx, &job, "plain-1",
	                  "{\"satisfaction\": \"satisfied\"}"), PCRM_EINVAL,
	                  "is not a return-visit survey");
}
