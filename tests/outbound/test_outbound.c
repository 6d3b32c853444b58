/*
 * Outbound messages and campaigns on both stores, through a recording
 * channel table: the preferred channel and the fallback order, gateway
 * refusals and passing failures with back-off, quiet hours, the rate limit,
 * do-not-contact, receipts, the contact history, campaigns with their
 * targets, the notice period and statistics, org scope and permissions, and
 * that no destination is ever stored or audited in clear.
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
static const pcrm_actor qingdao_admin = { "admin-qd", PCRM_ROLE_ADMIN, 2, "3702" };

#define MOBILE "13800138000"
#define EMAIL "zhang.san@example.com"

/* What the gateways were given, and how each channel answers. */
struct recorder {
	int sends;
	pcrm_outbound_channel channel[16];
	char destination[16][128];
	char body[16][512];
	char message_id[16][80];
	int answer[PCRM_OUTBOUND_CHANNEL_COUNT + 1]; /* status each channel returns */
};

static int record(struct recorder *r, const pcrm_outbound_message *m, char *ref, size_t size)
{
	int i = r->sends < 16 ? r->sends : 15;
	r->channel[i] = m->channel;
	snprintf(r->destination[i], sizeof(r->destination[i]), "%s", m->destination);
	snprintf(r->body[i], sizeof(r->body[i]), "%s", m->body);
	snprintf(r->message_id[i], sizeof(r->message_id[i]), "%s", m->message_id);
	r->sends++;
	snprintf(ref, size, "gw-%d", r->sends);
	return r->answer[m->channel];
}

static int send_any(void *u, const pcrm_outbound_message *m, char *ref, size_t size)
{
	return record(u, m, ref, size);
}

static pcrm_outbound_channels all_channels(struct recorder *r)
{
	pcrm_outbound_channels c = PCRM_OUTBOUND_CHANNELS_INIT;
	c.userdata = r;
	c.sms = c.email = c.wechat = c.voice = c.letter = send_any;
	return c;
}

static int64_t count_rows(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

static void add_customer(pcrm_test_store *t, const char *no, const char *org, const char *area,
                         const char *preferred, int with_email)
{
	char doc[1024], pref[64] = "", email[64] = "";
	if (preferred)
		snprintf(pref, sizeof(pref), ", \"preferred_channel\": \"%s\"", preferred);
	if (with_email)
		snprintf(email, sizeof(email), ", \"email\": \"%s\"", EMAIL);
	snprintf(doc, sizeof(doc),
	         "{\"customer_no\": \"%s\", \"kind\": \"person\", \"name\": \"张三\","
	         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"%s\","
	         " \"transformer_area\": \"%s\", \"phones\": {\"mobile\": \"%s\"}%s%s}",
	         no, org, area, MOBILE, email, pref);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &root_admin, doc, NULL));
}

static void queue(pcrm_test_store *t, const char *no, const char *id)
{
	char json[256];
	snprintf(json, sizeof(json), "{\"id\": \"%s\", \"body\": \"您的工单已受理。\"}", id);
	pcrm_assert_ok(pcrm_outbound_queue(t->ctx, &city_clerk, no, json, NULL, 0));
}

static void status_is(pcrm_test_store *t, const char *id, const char *expected, int attempts)
{
	char buf[16];
	int n = -1;
	pcrm_assert_ok(pcrm_outbound_status(t->ctx, &job, id, buf, sizeof(buf), &n));
	cr_assert_str_eq(buf, expected, "%s is %s, expected %s", id, buf, expected);
	if (attempts >= 0)
		cr_assert_eq(n, attempts, "%s: %d attempts, expected %d", id, n, attempts);
}

/* Personal data never sits in clear in the outbound tables or the audit log. */
static void no_clear_destinations(pcrm_test_store *t)
{
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%13800138000%'"
	                           " OR summary LIKE '%zhang.san%' OR summary LIKE '%张三%'"),
	             0);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM outbound_message WHERE body LIKE '%张三%'"
	                           " OR provider_ref LIKE '%13800%'"),
	             0);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM outbound_attempt WHERE "
	                           "provider_ref LIKE '%13800%' OR provider_ref LIKE '%zhang%'"),
	             0);
}

PCRM_BACKEND_TEST(outbound, preferred_channel_first_and_contact_history)
{
	pcrm_outbound_policy policy = PCRM_OUTBOUND_POLICY_INIT;
	struct recorder r = { 0 };
	pcrm_outbound_channels c = all_channels(&r);
	pcrm_outbound_pass pass = PCRM_OUTBOUND_PASS_INIT;
	pcrm_contact_list *l = NULL;

	make_tree(t->ctx);
	add_customer(t, "C1", "3701", "TA-1", "email", 1);
	add_customer(t, "C2", "3701", "TA-1", NULL, 0);
	queue(t, "C1", "m1");
	queue(t, "C2", "m2");
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(pass.sent, 2);
	cr_assert_eq(r.sends, 2);
	/* C1 prefers e-mail; C2 has no preference: the policy's first, SMS */
	cr_assert_eq(r.channel[0], PCRM_OUTBOUND_EMAIL);
	cr_assert_str_eq(r.destination[0], EMAIL);
	cr_assert_eq(r.channel[1], PCRM_OUTBOUND_SMS);
	cr_assert_str_eq(r.destination[1], MOBILE);
	cr_assert_str_eq(r.body[1], "您的工单已受理。");
	status_is(t, "m1", "sent", 1);
	/* nothing is due any more */
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.sends, 2);
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &job, "C1", NULL, 10, &l));
	cr_assert_eq(pcrm_contact_list_count(l), 1);
	cr_assert_str_eq(pcrm_contact_channel(pcrm_contact_list_at(l, 0)), "email");
	cr_assert_str_eq(pcrm_contact_direction(pcrm_contact_list_at(l, 0)), "outbound");
	cr_assert(strstr(pcrm_contact_summary(pcrm_contact_list_at(l, 0)), "accepted"));
	pcrm_contact_list_free(l);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM outbound_attempt WHERE result = 'accepted'"
	                           " AND contact_id IS NOT NULL"),
	             2);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'outbound.attempt'"),
	             2);
	no_clear_destinations(t);
}

PCRM_BACKEND_TEST(outbound, refusal_falls_back_and_failure_backs_off)
{
	pcrm_outbound_policy policy = PCRM_OUTBOUND_POLICY_INIT;
	struct recorder r = { 0 };
	pcrm_outbound_channels c = all_channels(&r);
	pcrm_outbound_pass pass = PCRM_OUTBOUND_PASS_INIT;

	policy.max_attempts = 3;
	policy.backoff = 60;
	make_tree(t->ctx);
	add_customer(t, "C1", "3701", "TA-1", NULL, 1);
	queue(t, "C1", "m1");
	/* SMS refuses the number for good: the next channel in order (WeChat) at once */
	r.answer[PCRM_OUTBOUND_SMS] = PCRM_EINVAL;
	r.answer[PCRM_OUTBOUND_WECHAT] = PCRM_EIO;
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(pass.retried, 1);
	status_is(t, "m1", "queued", 1);
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.sends, 2);
	cr_assert_eq(r.channel[1], PCRM_OUTBOUND_WECHAT);
	cr_assert_str_eq(r.destination[1], "C1"); /* the bound customer number */
	/* WeChat failed for now: not again before the back-off, doubled for the second attempt */
	t->now += 119;
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.sends, 2);
	cr_assert_eq(pass.sent + pass.retried + pass.failed, 0);
	t->now += 1;
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.sends, 3);
	cr_assert_eq(r.channel[2], PCRM_OUTBOUND_WECHAT);
	/* the third attempt was the last: the message fails */
	cr_assert_eq(pass.failed, 1);
	status_is(t, "m1", "failed", 3);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM contact WHERE customer_no = 'C1'"), 3);
}

PCRM_BACKEND_TEST(outbound, backoff_doubles)
{
	pcrm_outbound_policy policy = PCRM_OUTBOUND_POLICY_INIT;
	struct recorder r = { 0 };
	pcrm_outbound_channels c = PCRM_OUTBOUND_CHANNELS_INIT;
	pcrm_outbound_pass pass = PCRM_OUTBOUND_PASS_INIT;

	c.userdata = &r;
	c.sms = send_any;
	policy.backoff = 100;
	policy.rate_limit = 0;
	r.answer[PCRM_OUTBOUND_SMS] = PCRM_EIO;
	make_tree(t->ctx);
	add_customer(t, "C1", "3701", "TA-1", NULL, 0);
	queue(t, "C1", "m1");
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	t->now += 100;
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.sends, 2);
	/* second failure: 200 s */
	t->now += 199;
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.sends, 2);
	t->now += 1;
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.sends, 3);
}

PCRM_BACKEND_TEST(outbound, quiet_hours_hold_calls)
{
	pcrm_outbound_policy policy = PCRM_OUTBOUND_POLICY_INIT;
	struct recorder r = { 0 };
	pcrm_outbound_channels c = PCRM_OUTBOUND_CHANNELS_INIT;
	pcrm_outbound_pass pass = PCRM_OUTBOUND_PASS_INIT;
	pcrm_time morning;

	c.userdata = &r;
	c.voice = send_any;
	make_tree(t->ctx);
	add_customer(t, "C1", "3701", "TA-1", "phone", 0);
	/* 2026-11-23T22:30:00+08:00 */
	pcrm_assert_ok(pcrm_time_parse("2026-11-23T22:30:00+08:00", &t->now));
	pcrm_assert_ok(pcrm_time_parse("2026-11-24T08:00:00+08:00", &morning));
	queue(t, "C1", "m1");
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(pass.deferred, 1);
	cr_assert_eq(r.sends, 0);
	t->now = morning - 1;
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.sends, 0);
	t->now = morning;
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.sends, 1);
	cr_assert_eq(r.channel[0], PCRM_OUTBOUND_VOICE);
	cr_assert_str_eq(r.destination[0], MOBILE);
	/* a voice attempt is a "phone" contact */
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM contact WHERE channel = 'phone'"), 1);
	/* SMS is not quiet by default: at night it goes out */
	c.sms = send_any;
	pcrm_assert_ok(pcrm_time_parse("2026-11-24T23:00:00+08:00", &t->now));
	add_customer(t, "C2", "3701", "TA-1", NULL, 0);
	queue(t, "C2", "m2");
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.sends, 2);
	cr_assert_eq(r.channel[1], PCRM_OUTBOUND_SMS);
}

PCRM_BACKEND_TEST(outbound, rate_limit_per_customer)
{
	pcrm_outbound_policy policy = PCRM_OUTBOUND_POLICY_INIT;
	struct recorder r = { 0 };
	pcrm_outbound_channels c = all_channels(&r);
	pcrm_outbound_pass pass = PCRM_OUTBOUND_PASS_INIT;

	policy.rate_limit = 2;
	policy.rate_window = 3600;
	make_tree(t->ctx);
	add_customer(t, "C1", "3701", "TA-1", NULL, 0);
	add_customer(t, "C2", "3701", "TA-1", NULL, 0);
	queue(t, "C1", "a1");
	queue(t, "C1", "a2");
	queue(t, "C1", "a3");
	queue(t, "C2", "b1");
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(pass.sent, 3, "sent %d deferred %d retried %d failed %d suppressed %d", pass.sent,
	             pass.deferred, pass.retried, pass.failed, pass.suppressed);
	cr_assert_eq(pass.deferred, 1);
	status_is(t, "a3", "queued", 0);
	t->now += 3599;
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(pass.sent, 0);
	t->now += 1;
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(pass.sent, 1);
	status_is(t, "a3", "sent", 1);
}

PCRM_BACKEND_TEST(outbound, do_not_contact_per_channel)
{
	pcrm_outbound_policy policy = PCRM_OUTBOUND_POLICY_INIT;
	struct recorder r = { 0 };
	pcrm_outbound_channels c = PCRM_OUTBOUND_CHANNELS_INIT;
	pcrm_outbound_pass pass = PCRM_OUTBOUND_PASS_INIT;

	c.userdata = &r;
	c.sms = send_any;
	make_tree(t->ctx);
	add_customer(t, "C1", "3701", "TA-1", "sms", 1);
	pcrm_assert_ok(pcrm_outbound_set_do_not_contact(t->ctx, &city_clerk, "C1",
	                                                PCRM_OUTBOUND_SMS, 1));
	queue(t, "C1", "m1");
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.sends, 0);
	cr_assert_eq(pass.suppressed, 1);
	status_is(t, "m1", "suppressed", 0);
	/* with an e-mail gateway the message goes there instead */
	c.email = send_any;
	queue(t, "C1", "m2");
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.sends, 1);
	cr_assert_eq(r.channel[0], PCRM_OUTBOUND_EMAIL);
	/* cleared, SMS is used again */
	pcrm_assert_ok(pcrm_outbound_set_do_not_contact(t->ctx, &city_clerk, "C1",
	                                                PCRM_OUTBOUND_SMS, 0));
	queue(t, "C1", "m3");
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.channel[1], PCRM_OUTBOUND_SMS);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'outbound.preference'"),
	             2);
}

PCRM_BACKEND_TEST(outbound, receipts_move_forward)
{
	pcrm_outbound_policy policy = PCRM_OUTBOUND_POLICY_INIT;
	struct recorder r = { 0 };
	pcrm_outbound_channels c = all_channels(&r);
	pcrm_outbound_pass pass = PCRM_OUTBOUND_PASS_INIT;

	make_tree(t->ctx);
	add_customer(t, "C1", "3701", "TA-1", NULL, 1);
	queue(t, "C1", "m1");
	queue(t, "C1", "m2");
	pcrm_assert_fails(pcrm_outbound_receipt(t->ctx, &job, "m1", PCRM_OUTBOUND_DELIVERED),
	                  PCRM_ESTATE, "never sent");
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	pcrm_assert_ok(pcrm_outbound_receipt(t->ctx, &job, "m1", PCRM_OUTBOUND_ANSWERED));
	/* a late "delivered" does not move it back */
	pcrm_assert_ok(pcrm_outbound_receipt(t->ctx, &job, "m1", PCRM_OUTBOUND_DELIVERED));
	status_is(t, "m1", "answered", 1);
	/* bounced: queued again on the next channel */
	pcrm_assert_ok(pcrm_outbound_receipt(t->ctx, &job, "m2", PCRM_OUTBOUND_UNDELIVERED));
	status_is(t, "m2", "queued", 1);
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.channel[2], PCRM_OUTBOUND_WECHAT);
	pcrm_assert_ok(pcrm_outbound_receipt(t->ctx, &job, "m2", PCRM_OUTBOUND_OPTED_OUT));
	status_is(t, "m2", "opted_out", 2);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM outbound_preference WHERE customer_no = 'C1'"
	                           " AND channel = 'wechat' AND do_not_contact = 1"),
	             1);
	/* every attempt and every receipt is in the contact history */
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM contact WHERE customer_no = 'C1'"), 3 + 4);
	pcrm_assert_fails(pcrm_outbound_receipt(t->ctx, &qingdao_job, "m1", PCRM_OUTBOUND_CONFIRMED),
	                  PCRM_EPERM, "outside");
	pcrm_assert_fails(pcrm_outbound_receipt(t->ctx, &job, "nope", PCRM_OUTBOUND_CONFIRMED),
	                  PCRM_EPERM, "outside");
	no_clear_destinations(t);
}

PCRM_BACKEND_TEST(outbound, scope_and_bad_input)
{
	pcrm_outbound_policy policy = PCRM_OUTBOUND_POLICY_INIT;
	struct recorder r = { 0 };
	pcrm_outbound_channels c = all_channels(&r);
	pcrm_outbound_pass pass = PCRM_OUTBOUND_PASS_INIT;
	int64_t audits;

	make_tree(t->ctx);
	add_customer(t, "C1", "3701", "TA-1", NULL, 0);
	audits = count_rows(t, "SELECT COUNT(*) FROM outbound_message");
	pcrm_assert_fails(pcrm_outbound_queue(t->ctx, &city_clerk, "C1", "{\"body\": \"\"}", NULL, 0),
	                  PCRM_EINVAL, "body");
	pcrm_assert_fails(pcrm_outbound_queue(t->ctx, &city_clerk, "C1",
	                                      "{\"body\": \"x\", \"to\": \"13800138000\"}", NULL, 0),
	                  PCRM_EINVAL, "unknown key");
	cr_assert(strstr(pcrm_error_last(), "13800138000") == NULL);
	pcrm_assert_fails(pcrm_outbound_queue(t->ctx, &qingdao_admin, "C1", "{\"body\": \"x\"}", NULL,
	                                      0),
	                  PCRM_EPERM, "outside");
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM outbound_message"), audits);
	queue(t, "C1", "m1");
	pcrm_assert_fails(pcrm_outbound_queue(t->ctx, &city_clerk, "C1",
	                                      "{\"id\": \"m1\", \"body\": \"x\"}", NULL, 0),
	                  PCRM_EDUPLICATE, "id");
	/* Qingdao's job does not see Jinan's queue */
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &qingdao_job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.sends, 0);
	pcrm_assert_fails(pcrm_outbound_deliver(t->ctx, &qingdao_job, "3701", &c, &policy, 10, &pass),
	                  PCRM_EPERM, "");
	policy.quiet_end = 1440;
	pcrm_assert_fails(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass),
	                  PCRM_EINVAL, "policy.quiet_end");
	policy = (pcrm_outbound_policy)PCRM_OUTBOUND_POLICY_INIT;
	pass.version = 0;
	pcrm_assert_fails(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass),
	                  PCRM_EINVAL, "pass.version: 0 is not 1..1");
	pass.version = PCRM_OUTBOUND_PASS_VERSION;
	c.version = 7;
	pcrm_assert_fails(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass),
	                  PCRM_EINVAL, "channels");
	cr_assert_eq(r.sends, 0);
	pcrm_assert_fails(pcrm_outbound_set_do_not_contact(t->ctx, &monitor, "C1",
	                                                   PCRM_OUTBOUND_SMS, 1),
	                  PCRM_EPERM, "");
}

/* ---- campaigns ---- */

static void outage_campaign(char *buf, size_t size, const char *id, const char *schedule,
                            const char *start)
{
	snprintf(buf, size,
	         "{\"id\": \"%s\", \"org_unit\": \"3701\", \"name\": \"10kV 检修停电\","
	         " \"kind\": \"planned_outage\","
	         " \"template\": \"尊敬的{name}（户号{customer_no}）：台区{transformer_area}将于"
	         "{outage_start}至{outage_end}停电检修。\","
	         " \"schedule_at\": \"%s\", \"channels\": [\"sms\", \"wechat\"],"
	         " \"target\": {\"transformer_areas\": [\"TA-1\", \"TA-2\"],"
	         " \"outage_start\": \"%s\", \"outage_end\": \"2026-12-05T17:00:00+08:00\"}}",
	         id, schedule, start);
}

PCRM_BACKEND_TEST(outbound, planned_outage_campaign)
{
	pcrm_outbound_policy policy = PCRM_OUTBOUND_POLICY_INIT;
	pcrm_campaign_stats s = PCRM_CAMPAIGN_STATS_INIT;
	struct recorder r = { 0 };
	pcrm_outbound_channels c = all_channels(&r);
	pcrm_outbound_pass pass = PCRM_OUTBOUND_PASS_INIT;
	char json[2048];
	int64_t n = -1;

	make_tree(t->ctx);
	add_customer(t, "C1", "3701", "TA-1", NULL, 0);
	add_customer(t, "C2", "37010201", "TA-2", NULL, 0);
	add_customer(t, "C3", "3701", "TA-3", NULL, 0);  /* another area */
	add_customer(t, "C4", "3702", "TA-1", NULL, 0);  /* same code, other city: out of scope */
	/* less than 7 days between schedule and outage: refused */
	outage_campaign(json, sizeof(json), "OUT-1", "2026-11-30T09:00:00+08:00",
	                "2026-12-05T08:00:00+08:00");
	pcrm_assert_fails(pcrm_campaign_create(t->ctx, &city_admin, json), PCRM_EINVAL,
	                  "7 days");
	outage_campaign(json, sizeof(json), "OUT-1", "2026-11-24T09:00:00+08:00",
	                "2026-12-05T08:00:00+08:00");
	pcrm_assert_fails(pcrm_campaign_create(t->ctx, &city_agent, json), PCRM_EPERM,
	                  "campaign.write");
	pcrm_assert_fails(pcrm_campaign_create(t->ctx, &qingdao_admin, json), PCRM_EPERM, "");
	pcrm_assert_ok(pcrm_campaign_create(t->ctx, &city_admin, json));
	pcrm_assert_fails(pcrm_campaign_create(t->ctx, &city_admin, json), PCRM_EDUPLICATE, "OUT-1");
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &city_admin, "OUT-1", &n));
	cr_assert_eq(n, 2);
	/* queueing again adds only customers new to the target */
	add_customer(t, "C5", "3701", "TA-2", NULL, 0);
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &city_admin, "OUT-1", &n));
	cr_assert_eq(n, 1);
	/* nothing goes out before the schedule */
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.sends, 0);
	t->now += 86400;
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.sends, 3);
	cr_assert_str_eq(r.body[0], "尊敬的张**（户号C1）：台区TA-1将于2026-12-05T08:00:00+08:00至"
	                            "2026-12-05T17:00:00+08:00停电检修。");
	pcrm_assert_ok(pcrm_outbound_receipt(t->ctx, &job, "OUT-1/C1", PCRM_OUTBOUND_DELIVERED));
	pcrm_assert_ok(pcrm_outbound_receipt(t->ctx, &job, "OUT-1/C2", PCRM_OUTBOUND_CONFIRMED));
	pcrm_assert_ok(pcrm_outbound_receipt(t->ctx, &job, "OUT-1/C5", PCRM_OUTBOUND_OPTED_OUT));
	pcrm_assert_ok(pcrm_campaign_stats_get(t->ctx, &monitor, "OUT-1", &s));
	cr_assert_eq(s.queued, 3, "queued %lld sent %lld", (long long)s.queued, (long long)s.sent);
	cr_assert_eq(s.waiting, 0);
	cr_assert_eq(s.sent, 3);
	cr_assert_eq(s.delivered, 2);
	cr_assert_eq(s.answered, 1);
	cr_assert_eq(s.confirmed, 1);
	cr_assert_eq(s.opted_out, 1);
	cr_assert_eq(s.failed, 0);
	pcrm_assert_fails(pcrm_campaign_stats_get(t->ctx, &qingdao_admin, "OUT-1", &s), PCRM_EPERM,
	                  "outside");
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'campaign.queue'"),
	             2);
	/* past the notice deadline the campaign cannot be queued any more */
	pcrm_assert_ok(pcrm_time_parse("2026-11-28T08:00:01+08:00", &t->now));
	pcrm_assert_fails(pcrm_campaign_queue(t->ctx, &city_admin, "OUT-1", &n), PCRM_ESTATE,
	                  "7 days");
	no_clear_destinations(t);
}

PCRM_BACKEND_TEST(outbound, tariff_announcement_and_bad_campaigns)
{
	char json[1024];
	int64_t n = -1;

	make_tree(t->ctx);
	add_customer(t, "C1", "3701", "TA-1", NULL, 0);
	add_customer(t, "C2", "370102", "TA-9", NULL, 0);
	add_customer(t, "C3", "3702", "TA-1", NULL, 0);
	snprintf(json, sizeof(json),
	         "{\"id\": \"TAR-1\", \"org_unit\": \"3701\", \"name\": \"居民阶梯电价调整\","
	         " \"kind\": \"tariff_announcement\", \"template\": \"{name}：新电价1月1日起执行。\","
	         " \"schedule_at\": \"2026-11-23T10:00:00+08:00\","
	         " \"target\": {\"usage_classes\": [\"residential\"]}}");
	pcrm_assert_ok(pcrm_campaign_create(t->ctx, &city_admin, json));
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &city_admin, "TAR-1", &n));
	cr_assert_eq(n, 2);
	pcrm_assert_fails(pcrm_campaign_create(t->ctx, &city_admin,
	                                       "{\"id\": \"X\", \"org_unit\": \"3701\", \"name\": \"n\","
	                                       " \"kind\": \"tariff_announcement\","
	                                       " \"template\": \"{id_number}\","
	                                       " \"schedule_at\": \"2026-11-23T10:00:00+08:00\","
	                                       " \"target\": {}}"),
	                  PCRM_EINVAL, "template: unknown placeholder at byte 1");
	pcrm_assert_fails(pcrm_campaign_create(t->ctx, &city_admin,
	                                       "{\"id\": \"X\", \"org_unit\": \"3701\", \"name\": \"n\","
	                                       " \"kind\": \"survey\", \"template\": \"t\","
	                                       " \"schedule_at\": \"2026-11-23T10:00:00+08:00\","
	                                       " \"target\": {}}"),
	                  PCRM_EINVAL, "kind");
	pcrm_assert_fails(pcrm_campaign_create(t->ctx, &city_admin,
	                                       "{\"id\": \"X\", \"org_unit\": \"3701\", \"name\": \"n\","
	                                       " \"kind\": \"planned_outage\", \"template\": \"t\","
	                                       " \"schedule_at\": \"2026-11-23T10:00:00+08:00\","
	                                       " \"target\": {\"transformer_areas\": [\"A;B\"],"
	                                       " \"outage_start\": \"2026-12-23T10:00:00+08:00\","
	                                       " \"outage_end\": \"2026-12-23T12:00:00+08:00\"}}"),
	                  PCRM_EINVAL, "target.transformer_areas[0]");
	pcrm_assert_fails(pcrm_campaign_create(t->ctx, &city_admin,
	                                       "{\"id\": \"X\", \"org_unit\": \"3701\", \"name\": \"n\","
	                                       " \"kind\": \"tariff_announcement\", \"template\": \"t\","
	                                       " \"schedule_at\": \"2026-11-23T10:00:00+08:00\","
	                                       " \"channels\": [\"fax\"], \"target\": {}}"),
	                  PCRM_EINVAL, "channels[0]");
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM outbound_campaign"), 1);
	pcrm_assert_fails(pcrm_campaign_queue(t->ctx, &city_admin, "NOPE", &n), PCRM_EPERM, "");
}

static void post_bill(pcrm_test_store *t, const char *account, const char *no, const char *amount)
{
	char json[512];
	snprintf(json, sizeof(json),
	         "{\"kind\": \"bill\", \"bill_no\": \"%s\", \"period\": \"2026-09\", \"issue_date\":"
	         " \"2026-10-01\", \"due_date\": \"2026-10-15\", \"amount\": \"%s\"}",
	         no, amount);
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &root_admin, account, json, NULL));
}

PCRM_BACKEND_TEST(outbound, arrears_reminder_from_the_dunning_list)
{
	pcrm_outbound_policy policy = PCRM_OUTBOUND_POLICY_INIT;
	struct recorder r = { 0 };
	pcrm_outbound_channels c = all_channels(&r);
	pcrm_outbound_pass pass = PCRM_OUTBOUND_PASS_INIT;
	int64_t n = -1;

	make_tree(t->ctx);
	pcrm_test_add_home(t->ctx, &root_admin, 1, "3701", "H1", "A1", "P1", "M1", t->now - 86400 * 90);
	pcrm_test_add_home(t->ctx, &root_admin, 2, "3701", "H2", "A2", "P2", "M2", t->now - 86400 * 90);
	pcrm_test_add_home(t->ctx, &root_admin, 3, "3701", "H3", "A3", "P3", "M3", t->now - 86400 * 90);
	post_bill(t, "A1", "B1", "100.00");
	post_bill(t, "A2", "B2", "58.30");
	/* H2 was reminded twice already: max_reminders 2 leaves it out; H3 owes nothing */
	pcrm_assert_ok(pcrm_dunning_remind(t->ctx, &city_agent, "A2", "{\"channel\": \"sms\"}"));
	pcrm_assert_ok(pcrm_dunning_remind(t->ctx, &city_agent, "A2", "{\"channel\": \"phone\"}"));
	pcrm_assert_ok(pcrm_campaign_create(
		t->ctx, &city_admin,
		"{\"id\": \"ARR-1\", \"org_unit\": \"3701\", \"name\": \"催费\","
		" \"kind\": \"arrears_reminder\", \"template\": \"户号{customer_no}欠费{arrears}元。\","
		" \"schedule_at\": \"2026-11-23T09:00:00+08:00\","
		" \"target\": {\"min_days\": 7, \"max_reminders\": 2}}"));
	pcrm_assert_ok(pcrm_campaign_queue(t->ctx, &city_admin, "ARR-1", &n));
	cr_assert_eq(n, 1);
	pcrm_assert_ok(pcrm_outbound_deliver(t->ctx, &job, NULL, &c, &policy, 10, &pass));
	cr_assert_eq(r.sends, 1);
	cr_assert_str_eq(r.message_id[0], "ARR-1/H1");
	cr_assert_str_eq(r.body[0], "户号H1欠费100.00元。");
}
