/*
 * The workflow outbox's customer notices handed over to outbound delivery,
 * on both stores: a transition with "notify_customer" leaves a notice
 * addressed to the work order's customer (none for a work order without
 * one, none for a refused transition); operators' claims never see it and
 * cannot acknowledge it; the delivery pass hands it over and sends it on
 * the customer's preferred channel in the same pass, exactly once however
 * often the hand-over runs; scope and permissions; the definition field
 * validated.  Transitions the engine fires itself (a timer's expiry in the
 * tick, children closing with their master) leave their notice just as an
 * agent's fire does.  The crash half (kill -9 at every store call of a
 * hand-over, and of a tick that fires) is tests/crash/test_handover_crash.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

static const pcrm_actor job = { "outbound-job", PCRM_ROLE_SYSTEM, 1, "37" };
static const pcrm_actor qingdao_job = { "outbound-qd", PCRM_ROLE_SYSTEM, 1, "3702" };

#define NOTICE "您报修的故障已派工，抢修人员正在赶来。"

static const char def[] =
	"{\"name\": \"repair_notice\", \"states\": ["
	"  {\"name\": \"reported\", \"initial\": true}, {\"name\": \"dispatched\"},"
	"  {\"name\": \"closed\", \"final\": true}],"
	" \"transitions\": ["
	"  {\"event\": \"dispatch\", \"from\": \"reported\", \"to\": \"dispatched\","
	"   \"guard\": {\"require\": [\"crew\"]}, \"notify_customer\": \"" NOTICE "\"},"
	"  {\"event\": \"close\", \"from\": \"dispatched\", \"to\": \"closed\"}]}";

struct recorder {
	int sends;
	pcrm_outbound_channel channel[8];
	char message_id[8][96];
	char body[8][512];
};

static int record(void *u, const pcrm_outbound_message *m, char *ref, size_t size)
{
	struct recorder *r = u;
	int i = r->sends < 8 ? r->sends : 7;
	r->channel[i] = m->channel;
	snprintf(r->message_id[i], sizeof(r->message_id[i]), "%s", m->message_id);
	snprintf(r->body[i], sizeof(r->body[i]), "%s", m->body);
	r->sends++;
	(void)ref;
	(void)size;
	return PCRM_OK;
}

static int64_t count(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

static void add(pcrm_test_store *t, const char *no, const char *org, const char *preferred)
{
	char doc[512];
	snprintf(doc, sizeof(doc),
	         "{\"customer_no\": \"%s\", \"kind\": \"person\", \"name\": \"张三\","
	         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"%s\","
	         " \"phones\": {\"mobile\": \"13800138000\"}, \"email\": \"z@example.com\","
	         " \"preferred_channel\": \"%s\"}",
	         no, org, preferred);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &root_admin, doc, NULL));
}

static void open_in(pcrm_test_store *t, const char *workflow, const char *key,
                    const char *customer, const char *org, char id[PCRM_WORKORDER_ID_LEN + 1])
{
	pcrm_workorder *wo;
	t->now += 60;
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, workflow, key, customer, org, NULL,
	                                   &wo));
	snprintf(id, PCRM_WORKORDER_ID_LEN + 1, "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
}

static void open_wo(pcrm_test_store *t, const char *key, const char *customer, const char *org,
                    char id[PCRM_WORKORDER_ID_LEN + 1])
{
	open_in(t, "repair_notice", key, customer, org, id);
}

static int dispatch(pcrm_test_store *t, const char *id, const char *data)
{
	t->now += 60;
	return pcrm_workorder_fire(t->ctx, &city_agent, id, 1, "dispatch", data, NULL, NULL);
}

static void setup(pcrm_test_store *t)
{
	make_tree(t->ctx);
	add(t, "C1", "370102", "email");
	add(t, "C2", "3702", "sms");
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, def, NULL, NULL));
}

static pcrm_outbound_channels channels(struct recorder *r)
{
	pcrm_outbound_channels c = PCRM_OUTBOUND_CHANNELS_INIT;
	c.userdata = r;
	c.sms = c.email = record;
	return c;
}

PCRM_BACKEND_TEST(handover, notice_reaches_the_customer_once_in_the_same_pass)
{
	pcrm_outbound_policy policy = PCRM_OUTBOUND_POLICY_INIT;
	pcrm_outbound_pass pass = PCRM_OUTBOUND_PASS_INIT;
	struct recorder r = { 0 };
	pcrm_outbound_channels c = channels(&r);
	pcrm_notification_list *claimed = NULL;
	char w1[40], w2[40], nobody[40], notice_id[64], msg[96], buf[16];
	int64_t handed = -1;
	pcrm_contact_list *l = NULL;

	setup(t);
	open_wo(t, "K1", "C1", "3701", w1);
	open_wo(t, "K2", "C1", "3701", w2);
	open_wo(t, "K3", NULL, "3701", nobody);
	/* a refused transition (the crew missing) leaves no notice */
	pcrm_assert_fails(dispatch(t, w1, "{}"), PCRM_EINVAL, "data.crew");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_notification"), 0);
	pcrm_assert_ok(dispatch(t, w1, "{\"crew\": \"抢修一班\"}"));
	pcrm_assert_ok(dispatch(t, nobody, "{\"crew\": \"抢修一班\"}"));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_notification WHERE customer_no = 'C1'"
	                      " AND recipient IS NULL AND delivered_at IS NULL"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_notification"), 1,
	             "a work order of nobody in the archive has no one to tell");
	/* the notice names the fire entry: "<work order>/<seq>" (open is 1, dispatch 2) */
	snprintf(notice_id, sizeof(notice_id), "%s/2", w1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_history h JOIN work_order_notification n"
	                      " ON n.work_order_id = h.work_order_id AND n.seq = h.seq"
	                      " WHERE h.event = 'dispatch'"), 1);

	/* not for operators: claims skip it, acknowledging it is refused */
	pcrm_assert_ok(pcrm_notification_claim(t->ctx, &job, NULL, 100, 60, &claimed));
	cr_assert_eq(pcrm_notification_list_count(claimed), 0);
	pcrm_notification_list_free(claimed);
	pcrm_assert_fails(pcrm_notification_ack(t->ctx, &job, notice_id), PCRM_ESTATE,
	                  "addressed to the customer");

	/* one pass: handed over and sent, on the customer's preferred channel */
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 100, &pass));
	cr_assert_eq(pass.sent, 1);
	cr_assert_eq(r.sends, 1);
	cr_assert_eq(r.channel[0], PCRM_OUTBOUND_EMAIL);
	cr_assert_str_eq(r.body[0], NOTICE);
	snprintf(msg, sizeof(msg), "wo/%s", notice_id);
	cr_assert_str_eq(r.message_id[0], msg);
	pcrm_assert_ok(pcrm_outbound_status(t->ctx, &job, msg, buf, sizeof(buf), NULL));
	cr_assert_str_eq(buf, "sent");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_notification"
	                      " WHERE delivered_at IS NOT NULL AND delivered_by = 'outbound-job'"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'outbound.handover'"), 1);
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &job, "C1", NULL, 10, &l));
	cr_assert_eq(pcrm_contact_list_count(l), 1);
	cr_assert_str_eq(pcrm_contact_work_order_id(pcrm_contact_list_at(l, 0)), w1);
	pcrm_contact_list_free(l);

	/* again and again: nothing more */
	pcrm_assert_ok(pcrm_outbound_handover(t->ctx, &job, NULL, 100, &handed));
	cr_assert_eq(handed, 0);
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 100, &pass));
	cr_assert_eq(r.sends, 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM outbound_message"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'outbound.handover'"), 1,
	             "an empty hand-over writes no audit entry");

	/* the next notice, handed over on its own call, is sent by the next pass */
	pcrm_assert_ok(dispatch(t, w2, "{\"crew\": \"抢修二班\"}"));
	pcrm_assert_ok(pcrm_outbound_handover(t->ctx, &job, "3701", 100, &handed));
	cr_assert_eq(handed, 1);
	pcrm_assert_ok(pcrm_outbound_handover(t->ctx, &job, "3701", 100, &handed));
	cr_assert_eq(handed, 0);
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 100, &pass));
	cr_assert_eq(r.sends, 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM outbound_message WHERE work_order_id IS NOT NULL"
	                      " AND body IS NOT NULL"), 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%13800138000%'"
	                      " OR summary LIKE '%z@example.com%'"), 0);
}

PCRM_BACKEND_TEST(handover, scope_and_permission)
{
	char w1[40], w2[40];
	int64_t handed = -1;
	pcrm_notification_list *claimed = NULL;

	setup(t);
	open_wo(t, "K1", "C1", "3701", w1);
	open_wo(t, "K2", "C2", "3702", w2);
	pcrm_assert_ok(dispatch(t, w1, "{\"crew\": \"抢修一班\"}"));
	t->now += 60;
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &root_admin, w2, 1, "dispatch",
	                                   "{\"crew\": \"青岛一班\"}", NULL, NULL));
	/* a monitor may not write contacts: refused, nothing handed over */
	pcrm_assert_fails(pcrm_outbound_handover(t->ctx, &monitor, NULL, 10, &handed), PCRM_EPERM,
	                  "");
	/* Qingdao's job may not reach Jinan */
	pcrm_assert_fails(pcrm_outbound_handover(t->ctx, &qingdao_job, "3701", 10, &handed),
	                  PCRM_EPERM, "");
	pcrm_assert_fails(pcrm_outbound_handover(t->ctx, &job, NULL, 0, &handed), PCRM_EINVAL,
	                  "limit: 0 is not within 1..1000");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM outbound_message"), 0);
	/* its own unit's notice only */
	pcrm_assert_ok(pcrm_outbound_handover(t->ctx, &qingdao_job, NULL, 10, &handed));
	cr_assert_eq(handed, 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM outbound_message WHERE customer_no = 'C2'"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_notification WHERE delivered_at IS NULL"),
	             1);
	/* the limit: one at a time, oldest first */
	pcrm_assert_ok(pcrm_outbound_handover(t->ctx, &job, NULL, 1, &handed));
	cr_assert_eq(handed, 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_notification WHERE delivered_at IS NULL"),
	             0);
	/* operator notifications still reach operators: a reminder is claimed as before */
	t->now += 60;
	pcrm_assert_ok(pcrm_workorder_remind(t->ctx, &root_admin, w1, "请尽快处理", NULL));
	pcrm_assert_ok(pcrm_notification_claim(t->ctx, &job, NULL, 100, 60, &claimed));
	cr_assert_eq(pcrm_notification_list_count(claimed), 1);
	cr_assert_str_eq(pcrm_notification_list_at(claimed, 0)->kind, "remind");
	pcrm_notification_list_free(claimed);
	pcrm_assert_ok(pcrm_outbound_handover(t->ctx, &job, NULL, 10, &handed));
	cr_assert_eq(handed, 0, "a reminder is never handed to the customer");
}

PCRM_BACKEND_TEST(handover, definition_field_is_validated)
{
	static const char head[] =
		"{\"name\": \"bad\", \"states\": [{\"name\": \"a\", \"initial\": true},"
		" {\"name\": \"b\", \"final\": true}], \"transitions\": [{\"event\": \"go\","
		" \"from\": \"a\", \"to\": \"b\", \"notify_customer\": ";
	char doc[4096], big[600];

	make_tree(t->ctx);
	snprintf(doc, sizeof(doc), "%s123}]}", head);
	pcrm_assert_fails(pcrm_workflow_define(t->ctx, &root_admin, doc, NULL, NULL), PCRM_EINVAL,
	                  "transitions[0].notify_customer: must be a string");
	snprintf(doc, sizeof(doc), "%s\"\"}]}", head);
	pcrm_assert_fails(pcrm_workflow_define(t->ctx, &root_admin, doc, NULL, NULL), PCRM_EINVAL,
	                  "transitions[0].notify_customer: must be 1..500 bytes");
	memset(big, 'x', 501);
	big[501] = '\0';
	snprintf(doc, sizeof(doc), "%s\"%s\"}]}", head, big);
	pcrm_assert_fails(pcrm_workflow_define(t->ctx, &root_admin, doc, NULL, NULL), PCRM_EINVAL,
	                  "must be 1..500 bytes");
	snprintf(doc, sizeof(doc), "%s\"a\\u0007b\"}]}", head);
	pcrm_assert_fails(pcrm_workflow_define(t->ctx, &root_admin, doc, NULL, NULL), PCRM_EINVAL,
	                  "transitions[0].notify_customer");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM workflow_def"), 0);
}

#define AUTO_NOTICE "您的报修工单超时未处理，已自动转办。"
#define MASTER_NOTICE "您所在台区的故障已修复，工单随主单办结。"

/* Transitions the engine fires: a state limit's expiry, and closing with the master. */
static const char auto_def[] =
	"{\"name\": \"repair_auto\", \"states\": ["
	"  {\"name\": \"reported\", \"initial\": true},"
	"  {\"name\": \"dispatched\", \"limit\": {\"minutes\": 30,"
	"     \"on_expiry\": {\"flag\": true, \"fire\": \"time_out\"}}},"
	"  {\"name\": \"transferred\", \"final\": true}, {\"name\": \"closed\", \"final\": true}],"
	" \"close_with_master\": {\"event\": \"master_closed\"},"
	" \"transitions\": ["
	"  {\"event\": \"dispatch\", \"from\": \"reported\", \"to\": \"dispatched\"},"
	"  {\"event\": \"time_out\", \"from\": \"dispatched\", \"to\": \"transferred\","
	"   \"notify_customer\": \"" AUTO_NOTICE "\"},"
	"  {\"event\": \"master_closed\", \"from\": \"reported\", \"to\": \"closed\","
	"   \"notify_customer\": \"" MASTER_NOTICE "\"},"
	"  {\"event\": \"master_closed\", \"from\": \"dispatched\", \"to\": \"closed\","
	"   \"notify_customer\": \"" MASTER_NOTICE "\"}]}";

/* How many customer notices of `event` are written at that event's own fire entry. */
static int64_t notices_at_fire(pcrm_test_store *t, const char *event, const char *text)
{
	pcrm_sql_value p[2] = { PCRM_SQL_S(event), PCRM_SQL_S(text) };
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(
		t->ctx->store,
		"SELECT COUNT(*) FROM work_order_notification n JOIN work_order_history h"
		" ON h.work_order_id = n.work_order_id AND h.seq = n.seq"
		" WHERE n.customer_no IS NOT NULL AND h.event = $1 AND n.note = $2",
		p, 2, &n));
	return n;
}

PCRM_BACKEND_TEST(handover, a_transition_the_tick_fires_tells_the_customer_once)
{
	pcrm_outbound_policy policy = PCRM_OUTBOUND_POLICY_INIT;
	pcrm_outbound_pass pass = PCRM_OUTBOUND_PASS_INIT;
	struct recorder r = { 0 };
	pcrm_outbound_channels c = channels(&r);
	char w1[40], nobody[40];
	int processed = -1;

	setup(t);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, auto_def, NULL, NULL));
	open_in(t, "repair_auto", "K1", "C1", "3701", w1);
	open_in(t, "repair_auto", "K2", NULL, "3701", nobody);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, w1, 1, "dispatch", NULL, NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, nobody, 1, "dispatch", NULL, NULL,
	                                   NULL));
	/* not yet due: nothing fires, nobody is told */
	t->now += 29 * 60;
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &root_admin, t->now, &processed));
	cr_assert_eq(processed, 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_notification"
	                      " WHERE customer_no IS NOT NULL"), 0);

	t->now += 2 * 60;
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &root_admin, t->now, &processed));
	cr_assert_eq(processed, 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order WHERE state = 'transferred'"), 2);
	/* the expiry fired time_out: its notice, at its fire entry, for the one with a customer */
	cr_assert_eq(notices_at_fire(t, "time_out", AUTO_NOTICE), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_notification"
	                      " WHERE customer_no IS NOT NULL"), 1);
	/* a tick with nothing due adds none */
	t->now += 3600;
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &root_admin, t->now, &processed));
	cr_assert_eq(processed, 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_notification"
	                      " WHERE customer_no IS NOT NULL"), 1);

	/* handed over and sent like an agent's notice, once */
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 100, &pass));
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 100, &pass));
	cr_assert_eq(r.sends, 1);
	cr_assert_eq(r.channel[0], PCRM_OUTBOUND_EMAIL);
	cr_assert_str_eq(r.body[0], AUTO_NOTICE);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM outbound_message WHERE work_order_id IS NOT NULL"),
	             1);
}

PCRM_BACKEND_TEST(handover, children_closing_with_their_master_tell_their_customers)
{
	char master[40], c1[40], c2[40], c3[40];

	setup(t);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, auto_def, NULL, NULL));
	open_wo(t, "M", NULL, "3701", master);
	open_in(t, "repair_auto", "K1", "C1", "3701", c1);
	open_in(t, "repair_auto", "K2", "C1", "3701", c2);
	open_in(t, "repair_auto", "K3", NULL, "3701", c3);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, c2, 1, "dispatch", NULL, NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_attach(t->ctx, &root_admin, c1, master));
	pcrm_assert_ok(pcrm_workorder_attach(t->ctx, &root_admin, c2, master));
	pcrm_assert_ok(pcrm_workorder_attach(t->ctx, &root_admin, c3, master));
	pcrm_assert_ok(dispatch(t, master, "{\"crew\": \"抢修一班\"}"));
	t->now += 60;
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, master, 2, "close", NULL, NULL,
	                                   NULL));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order WHERE state = 'closed'"), 4);
	/* one notice per child with a customer (from either state), at its master_closed entry */
	cr_assert_eq(notices_at_fire(t, "master_closed", MASTER_NOTICE), 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_notification"
	                      " WHERE customer_no IS NOT NULL"), 2);
}
