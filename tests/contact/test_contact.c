/* The contact history on both backends: recording, paging, permissions, the call-log line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "customer/contact_internal.h"
#include "store/store.h"

#define ZHANG "3701000001"   /* in the township station 37010201 */
#define QINGDAO "3702000001" /* in the city 3702, beside 3701 */

static const pcrm_actor qingdao_agent = { "agent-qd", PCRM_ROLE_AGENT, 1, "3702" };

static const char *const full_call =
	"{\"at\": \"2026-11-23T08:30:00+08:00\", \"channel\": \"phone\", \"direction\": \"inbound\","
	" \"agent\": \"agent-07\", \"caller_number\": \"+86 138 0013 8000\", \"duration_seconds\": 125,"
	" \"business_code\": \"YK-0101\", \"summary\": \"客户询问电费；已答复\","
	" \"work_order_id\": \"WO-2026-000123\"}";

static const char *const minimal_sms =
	"{\"channel\": \"sms\", \"direction\": \"outbound\", \"summary\": \"欠费提醒\"}";

static void add_customer(pcrm_ctx *ctx, const char *no, const char *org)
{
	char doc[512];
	snprintf(doc, sizeof(doc),
	         "{\"customer_no\": \"%s\", \"kind\": \"person\", \"name\": \"客户%s\","
	         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"%s\","
	         " \"phones\": {\"mobile\": \"13800138000\"}}",
	         no, no, org);
	pcrm_assert_ok(pcrm_customer_create(ctx, &root_admin, doc, NULL));
}

static void setup(pcrm_test_store *t)
{
	make_tree(t->ctx);
	add_customer(t->ctx, ZHANG, "37010201");
	add_customer(t->ctx, QINGDAO, "3702");
}

static int64_t contact_count(pcrm_test_store *t)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, "SELECT COUNT(*) FROM contact", NULL, 0,
	                                     &n));
	return n;
}

static int64_t audit_count(pcrm_test_store *t)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, "SELECT COUNT(*) FROM audit_log", NULL, 0,
	                                     &n));
	return n;
}

/* A document with one field added to the minimal one. */
static const char *with_field(char *buf, size_t size, const char *field)
{
	snprintf(buf, size,
	         "{\"channel\": \"phone\", \"direction\": \"inbound\", \"summary\": \"来电\", %s}",
	         field);
	return buf;
}

static void assert_same(const pcrm_contact *a, const pcrm_contact *b)
{
	cr_assert_str_eq(pcrm_contact_id(a), pcrm_contact_id(b));
	cr_assert_str_eq(pcrm_contact_customer_no(a), pcrm_contact_customer_no(b));
	cr_assert_eq(pcrm_contact_at(a), pcrm_contact_at(b));
	cr_assert_str_eq(pcrm_contact_channel(a), pcrm_contact_channel(b));
	cr_assert_str_eq(pcrm_contact_direction(a), pcrm_contact_direction(b));
	cr_assert_str_eq(pcrm_contact_agent(a), pcrm_contact_agent(b));
	cr_assert_str_eq(pcrm_contact_caller_number(a), pcrm_contact_caller_number(b));
	cr_assert_eq(pcrm_contact_duration_seconds(a), pcrm_contact_duration_seconds(b));
	cr_assert_str_eq(pcrm_contact_business_code(a), pcrm_contact_business_code(b));
	cr_assert_str_eq(pcrm_contact_summary(a), pcrm_contact_summary(b));
	cr_assert_str_eq(pcrm_contact_work_order_id(a), pcrm_contact_work_order_id(b));
	cr_assert_str_eq(pcrm_contact_recorded_by(a), pcrm_contact_recorded_by(b));
	cr_assert_eq(pcrm_contact_recorded_at(a), pcrm_contact_recorded_at(b));
}

PCRM_BACKEND_TEST(contact, record_and_list)
{
	pcrm_contact *c;
	pcrm_contact_list *l;
	setup(t);
	pcrm_assert_ok(pcrm_contact_record(t->ctx, &city_agent, ZHANG, full_call, &c));
	cr_assert_eq(strlen(pcrm_contact_id(c)), PCRM_CONTACT_ID_LEN);
	cr_assert_str_eq(pcrm_contact_customer_no(c), ZHANG);
	cr_assert_eq(pcrm_contact_at(c), t->now - 1800);
	cr_assert_str_eq(pcrm_contact_channel(c), "phone");
	cr_assert_str_eq(pcrm_contact_direction(c), "inbound");
	cr_assert_str_eq(pcrm_contact_agent(c), "agent-07");
	cr_assert_str_eq(pcrm_contact_caller_number(c), "13800138000");
	cr_assert_eq(pcrm_contact_duration_seconds(c), 125);
	cr_assert_str_eq(pcrm_contact_business_code(c), "YK-0101");
	cr_assert_str_eq(pcrm_contact_summary(c), "客户询问电费；已答复");
	cr_assert_str_eq(pcrm_contact_work_order_id(c), "WO-2026-000123");
	cr_assert_str_eq(pcrm_contact_recorded_by(c), "agent-jn");
	cr_assert_eq(pcrm_contact_recorded_at(c), t->now);

	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &city_agent, ZHANG, NULL, 0, &l));
	cr_assert_eq(pcrm_contact_list_count(l), 1);
	cr_assert_null(pcrm_contact_list_next_cursor(l));
	assert_same(pcrm_contact_list_at(l, 0), c);
	cr_assert_null(pcrm_contact_list_at(l, 1));
	pcrm_contact_list_free(l);
	pcrm_contact_free(c);

	/* another customer's history is separate */
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &root_admin, QINGDAO, NULL, 0, &l));
	cr_assert_eq(pcrm_contact_list_count(l), 0);
	cr_assert_null(pcrm_contact_list_next_cursor(l));
	pcrm_contact_list_free(l);
	/* out may be NULL */
	pcrm_assert_ok(pcrm_contact_record(t->ctx, &city_agent, ZHANG, minimal_sms, NULL));
	cr_assert_eq(contact_count(t), 2);
}

PCRM_BACKEND_TEST(contact, defaults_come_from_the_clock_and_the_actor)
{
	pcrm_contact *c;
	setup(t);
	t->now += 42;
	pcrm_assert_ok(pcrm_contact_record(t->ctx, &city_agent, ZHANG, minimal_sms, &c));
	cr_assert_eq(pcrm_contact_at(c), t->now);
	cr_assert_eq(pcrm_contact_recorded_at(c), t->now);
	cr_assert_str_eq(pcrm_contact_agent(c), city_agent.operator_id);
	cr_assert_null(pcrm_contact_caller_number(c));
	cr_assert_eq(pcrm_contact_duration_seconds(c), -1);
	cr_assert_null(pcrm_contact_business_code(c));
	cr_assert_null(pcrm_contact_work_order_id(c));
	pcrm_contact_free(c);
}

PCRM_BACKEND_TEST(contact, rejections_name_the_field_and_write_nothing)
{
	char doc[4096], big[PCRM_CONTACT_SUMMARY_MAX + 2];
	int64_t audits;
	pcrm_contact *c = (pcrm_contact *)&c; /* must come back NULL */
	setup(t);
	audits = audit_count(t);

	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                      "{\"channel\": \"fax\", \"direction\": \"inbound\","
	                                      " \"summary\": \"x\"}",
	                                      &c),
	                  PCRM_EINVAL, "channel: must be one of phone, sms, wechat");
	cr_assert_null(c);
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                      "{\"channel\": \"phone\", \"direction\": \"up\","
	                                      " \"summary\": \"x\"}",
	                                      NULL),
	                  PCRM_EINVAL, "direction: must be one of inbound, outbound");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                      with_field(doc, sizeof(doc),
	                                                 "\"caller_number\": \"12345\""),
	                                      NULL),
	                  PCRM_EINVAL, "caller_number: phone: 5 digits are not a mobile");
	cr_assert_null(strstr(pcrm_error_last(), "12345"), "echoes the number: %s",
	               pcrm_error_last());
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                      with_field(doc, sizeof(doc),
	                                                 "\"caller_number\": \"88888888\""),
	                                      NULL),
	                  PCRM_EINVAL, "caller_number: phone: a local number without area code");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                      "{\"channel\": \"phone\", \"direction\": \"inbound\"}",
	                                      NULL),
	                  PCRM_EINVAL, "summary: is required");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                      "{\"channel\": \"phone\", \"direction\": \"inbound\","
	                                      " \"summary\": \"\"}",
	                                      NULL),
	                  PCRM_EINVAL, "summary: must be 1..2000 bytes, not 0");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(doc, sizeof(doc), "{\"channel\": \"phone\", \"direction\": \"inbound\","
	                           " \"summary\": \"%s\"}", big);
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG, doc, NULL), PCRM_EINVAL,
	                  "summary: must be 1..2000 bytes, not 2001");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                      "{\"channel\": \"phone\", \"direction\": \"inbound\","
	                                      " \"summary\": \"bell \\u0007\"}",
	                                      NULL),
	                  PCRM_EINVAL, "summary: control character U+0007 at byte 6");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                      with_field(doc, sizeof(doc), "\"colour\": \"red\""),
	                                      NULL),
	                  PCRM_EINVAL, "colour: unknown field");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                      with_field(doc, sizeof(doc), "\"work_order_id\": null"),
	                                      NULL),
	                  PCRM_EINVAL, "work_order_id: must not be null");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                      with_field(doc, sizeof(doc),
	                                                 "\"at\": \"2026-11-23T09:00:00\""),
	                                      NULL),
	                  PCRM_EINVAL, "at: ");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                      with_field(doc, sizeof(doc), "\"at\": 1795395600"), NULL),
	                  PCRM_EINVAL, "at: must be a string");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                      with_field(doc, sizeof(doc), "\"duration_seconds\": -1"),
	                                      NULL),
	                  PCRM_EINVAL, "duration_seconds: -1 is outside 0..86400");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                      with_field(doc, sizeof(doc), "\"duration_seconds\": 1.5"),
	                                      NULL),
	                  PCRM_EINVAL, "duration_seconds: must be an integer");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                      with_field(doc, sizeof(doc),
	                                                 "\"business_code\": \"业务 1\""),
	                                      NULL),
	                  PCRM_EINVAL, "business_code: byte 0x");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                      with_field(doc, sizeof(doc), "\"agent\": \"\""), NULL),
	                  PCRM_EINVAL, "agent: must be 1..64 bytes");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG, "{\"channel\": ", NULL),
	                  PCRM_EINVAL, "contact: invalid JSON");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG, "[1, 2]", NULL), PCRM_EINVAL,
	                  "contact: must be a JSON object");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                      "{\"channel\": \"sms\", \"channel\": \"phone\","
	                                      " \"direction\": \"inbound\", \"summary\": \"x\"}",
	                                      NULL),
	                  PCRM_EINVAL, "duplicate");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, ZHANG, NULL, NULL), PCRM_EINVAL,
	                  "contact: missing");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, NULL, minimal_sms, NULL),
	                  PCRM_EINVAL, "customer_no: missing");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, NULL, ZHANG, minimal_sms, NULL), PCRM_EINVAL,
	                  "actor");
	cr_assert_eq(contact_count(t), 0);
	cr_assert_eq(audit_count(t), audits);
	cr_assert_eq(pcrm_ctx_tx_depth(t->ctx), 0);

	/* exactly at the limits is fine */
	big[PCRM_CONTACT_SUMMARY_MAX] = '\0';
	snprintf(doc, sizeof(doc), "{\"channel\": \"phone\", \"direction\": \"inbound\","
	                           " \"summary\": \"%s\", \"duration_seconds\": 86400}", big);
	pcrm_assert_ok(pcrm_contact_record(t->ctx, &city_agent, ZHANG, doc, NULL));
}

PCRM_BACKEND_TEST(contact, unknown_customer)
{
	pcrm_contact_list *l = (pcrm_contact_list *)&l;
	setup(t);
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &city_agent, "9999", minimal_sms, NULL),
	                  PCRM_EPERM, "customer: unknown or outside");
	pcrm_assert_fails(pcrm_contact_list_load(t->ctx, &city_agent, "9999", NULL, 0, &l),
	                  PCRM_EPERM, "customer: unknown or outside");
	cr_assert_null(l);
	cr_assert_eq(contact_count(t), 0);
}

PCRM_BACKEND_TEST(contact, permissions_follow_role_and_subtree)
{
	pcrm_contact_list *l;
	int64_t before;
	setup(t);
	/* township stations record contacts: they are not archive modifications */
	pcrm_assert_ok(pcrm_contact_record(t->ctx, &township_clerk, ZHANG, minimal_sms, NULL));
	/* monitors listen and read, never record; the refusal is audited */
	before = audit_count(t);
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &monitor, ZHANG, minimal_sms, NULL), PCRM_EPERM,
	                  "contact.write");
	cr_assert_eq(audit_count(t), before + 1);
	/* nobody acts outside their subtree */
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &qingdao_agent, ZHANG, minimal_sms, NULL),
	                  PCRM_EPERM, "outside");
	pcrm_assert_fails(pcrm_contact_record(t->ctx, &township_clerk, QINGDAO, minimal_sms, NULL),
	                  PCRM_EPERM, "outside");
	pcrm_assert_fails(pcrm_contact_list_load(t->ctx, &qingdao_agent, ZHANG, NULL, 0, &l),
	                  PCRM_EPERM, "outside");
	cr_assert_null(l);
	cr_assert_eq(contact_count(t), 1);
	/* reading needs archive.read: the monitor and the township station both have it */
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &monitor, ZHANG, NULL, 0, &l));
	cr_assert_eq(pcrm_contact_list_count(l), 1);
	pcrm_contact_list_free(l);
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &township_clerk, ZHANG, NULL, 0, &l));
	cr_assert_eq(pcrm_contact_list_count(l), 1);
	pcrm_contact_list_free(l);
	/* a malformed actor is bad input, not a refusal */
	{
		pcrm_actor bad = city_agent;
		bad.level = 9;
		pcrm_assert_fails(pcrm_contact_list_load(t->ctx, &bad, ZHANG, NULL, 0, &l),
		                  PCRM_EINVAL, "actor.level");
	}
}

/* Walks every page, checking order and collecting ids; returns the number of contacts seen. */
static int walk(pcrm_test_store *t, int limit, char ids[][PCRM_CONTACT_ID_LEN + 1], int max,
                int *pages)
{
	char cursor[128];
	const char *next = NULL;
	pcrm_time prev_at = INT64_MAX;
	char prev_id[PCRM_CONTACT_ID_LEN + 2] = "~"; /* above every id */
	size_t page = limit ? (size_t)limit : 50;
	int seen = 0;

	*pages = 0;
	do {
		pcrm_contact_list *l;
		pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &city_agent, ZHANG, next, limit, &l));
		(*pages)++;
		cr_assert_leq(pcrm_contact_list_count(l), page);
		for (size_t i = 0; i < pcrm_contact_list_count(l); i++) {
			const pcrm_contact *c = pcrm_contact_list_at(l, i);
			/* strictly descending by (at, id): newest first, no repeats */
			cr_assert(pcrm_contact_at(c) < prev_at ||
			                  (pcrm_contact_at(c) == prev_at &&
			                   strcmp(pcrm_contact_id(c), prev_id) < 0),
			          "contact %d is out of order", seen);
			prev_at = pcrm_contact_at(c);
			snprintf(prev_id, sizeof(prev_id), "%s", pcrm_contact_id(c));
			cr_assert_lt(seen, max);
			snprintf(ids[seen++], PCRM_CONTACT_ID_LEN + 1, "%s", pcrm_contact_id(c));
		}
		next = pcrm_contact_list_next_cursor(l);
		if (next) {
			cr_assert_eq(pcrm_contact_list_count(l), page);
			snprintf(cursor, sizeof(cursor), "%s", next);
			next = cursor;
		}
		pcrm_contact_list_free(l);
	} while (next);
	return seen;
}

PCRM_BACKEND_TEST(contact, pages_newest_first_without_gaps_or_repeats)
{
	char ids[32][PCRM_CONTACT_ID_LEN + 1], again[32][PCRM_CONTACT_ID_LEN + 1];
	char recorded[25][PCRM_CONTACT_ID_LEN + 1], doc[256];
	int pages = 0;
	setup(t);
	/* 25 contacts, three to a minute: equal instants must still page stably */
	for (int i = 0; i < 25; i++) {
		pcrm_contact *c;
		pcrm_time at = t->now - 3600 + (i / 3) * 60;
		char when[32];
		pcrm_assert_ok(pcrm_time_format(at, PCRM_UTC_OFFSET_CHINA, when, sizeof(when)));
		snprintf(doc, sizeof(doc),
		         "{\"at\": \"%s\", \"channel\": \"phone\", \"direction\": \"inbound\","
		         " \"summary\": \"call %d\"}",
		         when, i);
		pcrm_assert_ok(pcrm_contact_record(t->ctx, &city_agent, ZHANG, doc, &c));
		snprintf(recorded[i], sizeof(recorded[i]), "%s", pcrm_contact_id(c));
		pcrm_contact_free(c);
	}
	cr_assert_eq(walk(t, 10, ids, 32, &pages), 25);
	cr_assert_eq(pages, 3);
	/* every recorded contact exactly once */
	for (int i = 0; i < 25; i++) {
		int found = 0;
		for (int j = 0; j < 25; j++)
			found += strcmp(recorded[i], ids[j]) == 0;
		cr_assert_eq(found, 1, "contact %d seen %d times", i, found);
	}
	/* the newest is the last one recorded (alone in its minute) */
	cr_assert_str_eq(ids[0], recorded[24]);
	/* the same order again, and with other page sizes */
	cr_assert_eq(walk(t, 10, again, 32, &pages), 25);
	for (int i = 0; i < 25; i++)
		cr_assert_str_eq(ids[i], again[i]);
	cr_assert_eq(walk(t, 7, again, 32, &pages), 25);
	cr_assert_eq(pages, 4);
	for (int i = 0; i < 25; i++)
		cr_assert_str_eq(ids[i], again[i]);
	cr_assert_eq(walk(t, 25, again, 32, &pages), 25);
	cr_assert_eq(pages, 1);
	cr_assert_eq(walk(t, 0, again, 32, &pages), 25); /* default page size 50 */
	cr_assert_eq(pages, 1);
}

PCRM_BACKEND_TEST(contact, new_contacts_do_not_shift_later_pages)
{
	char cursor[128], doc[256];
	pcrm_contact_list *l;
	const pcrm_contact *first_of_page2;
	char expected[PCRM_CONTACT_ID_LEN + 1];
	setup(t);
	for (int i = 0; i < 6; i++) {
		snprintf(doc, sizeof(doc),
		         "{\"channel\": \"phone\", \"direction\": \"inbound\", \"summary\": \"c%d\"}",
		         i);
		pcrm_assert_ok(pcrm_contact_record(t->ctx, &city_agent, ZHANG, doc, NULL));
		t->now += 10;
	}
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &city_agent, ZHANG, NULL, 3, &l));
	snprintf(cursor, sizeof(cursor), "%s", pcrm_contact_list_next_cursor(l));
	pcrm_contact_list_free(l);
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &city_agent, ZHANG, cursor, 3, &l));
	snprintf(expected, sizeof(expected), "%s", pcrm_contact_id(pcrm_contact_list_at(l, 0)));
	pcrm_contact_list_free(l);
	/* a call comes in while the agent reads page 1 */
	pcrm_assert_ok(pcrm_contact_record(t->ctx, &city_agent, ZHANG, minimal_sms, NULL));
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &city_agent, ZHANG, cursor, 3, &l));
	cr_assert_eq(pcrm_contact_list_count(l), 3);
	first_of_page2 = pcrm_contact_list_at(l, 0);
	cr_assert_str_eq(pcrm_contact_id(first_of_page2), expected);
	cr_assert_str_eq(pcrm_contact_summary(pcrm_contact_list_at(l, 2)), "c0");
	cr_assert_null(pcrm_contact_list_next_cursor(l));
	pcrm_contact_list_free(l);
}

PCRM_BACKEND_TEST(contact, list_arguments_are_checked)
{
	pcrm_contact_list *l = (pcrm_contact_list *)&l;
	setup(t);
	pcrm_assert_fails(pcrm_contact_list_load(t->ctx, &city_agent, ZHANG, NULL, 1001, &l),
	                  PCRM_EINVAL, "limit: 1001 is outside 1..1000");
	cr_assert_null(l);
	pcrm_assert_fails(pcrm_contact_list_load(t->ctx, &city_agent, ZHANG, NULL, -1, &l),
	                  PCRM_EINVAL, "limit");
	pcrm_assert_fails(pcrm_contact_list_load(t->ctx, &city_agent, ZHANG, "garbage", 10, &l),
	                  PCRM_EINVAL,
	                  "cursor: \"garbage\" is not a cursor from pcrm_contact_list_next_cursor()");
	pcrm_assert_fails(pcrm_contact_list_load(t->ctx, &city_agent, ZHANG, "", 10, &l),
	                  PCRM_EINVAL, "cursor");
	pcrm_assert_fails(pcrm_contact_list_load(t->ctx, &city_agent, ZHANG,
	                                         "1795395600.not-a-uuid-at-all-but-36-characters", 10,
	                                         &l),
	                  PCRM_EINVAL, "cursor");
	pcrm_assert_fails(pcrm_contact_list_load(t->ctx, &city_agent, ZHANG,
	                                         "1795395600.00000000-0000-4000-8000-000000000000x",
	                                         10, &l),
	                  PCRM_EINVAL, "cursor");
	pcrm_assert_fails(pcrm_contact_list_load(t->ctx, &city_agent, NULL, NULL, 10, &l),
	                  PCRM_EINVAL, "customer_no: missing");
	pcrm_assert_fails(pcrm_contact_list_load(t->ctx, &city_agent, ZHANG, NULL, 10, NULL),
	                  PCRM_EINVAL, "out");
	/* a well-formed cursor past everything simply gives an empty page */
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &city_agent, ZHANG,
	                                      "0.00000000-0000-4000-8000-000000000000", 10, &l));
	cr_assert_eq(pcrm_contact_list_count(l), 0);
	pcrm_contact_list_free(l);
}

PCRM_BACKEND_TEST(contact, a_closed_customer_keeps_its_history)
{
	pcrm_contact_list *l;
	setup(t);
	pcrm_assert_ok(pcrm_contact_record(t->ctx, &city_agent, ZHANG, full_call, NULL));
	pcrm_assert_ok(pcrm_customer_close(t->ctx, &root_admin, ZHANG, 1));
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &city_agent, ZHANG, NULL, 0, &l));
	cr_assert_eq(pcrm_contact_list_count(l), 1);
	pcrm_contact_list_free(l);
	/* a former customer still calls about the final bill: that is recorded too */
	pcrm_assert_ok(pcrm_contact_record(t->ctx, &city_agent, ZHANG, minimal_sms, NULL));
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &monitor, ZHANG, NULL, 0, &l));
	cr_assert_eq(pcrm_contact_list_count(l), 2);
	pcrm_contact_list_free(l);
}

struct last_entry {
	char action[64];
	char object_type[64];
	char object_id[64];
	char operator_id[64];
	char summary[1024];
};

static int keep_last(const pcrm_audit_entry *e, void *ud)
{
	struct last_entry *last = ud;
	snprintf(last->action, sizeof(last->action), "%s", e->action);
	snprintf(last->object_type, sizeof(last->object_type), "%s", e->object_type);
	snprintf(last->object_id, sizeof(last->object_id), "%s", e->object_id);
	snprintf(last->operator_id, sizeof(last->operator_id), "%s", e->operator_id);
	snprintf(last->summary, sizeof(last->summary), "%s", e->summary);
	return 0;
}

PCRM_BACKEND_TEST(contact, recording_is_audited_in_the_same_transaction)
{
	struct last_entry last;
	pcrm_contact *c;
	int64_t checked = 0, audits;
	setup(t);
	pcrm_assert_ok(pcrm_contact_record(t->ctx, &township_clerk, ZHANG, full_call, &c));
	pcrm_assert_ok(pcrm_audit_list(t->ctx, &monitor, 0, 0, keep_last, &last));
	cr_assert_str_eq(last.action, "contact.record");
	cr_assert_str_eq(last.object_type, "contact");
	cr_assert_str_eq(last.object_id, pcrm_contact_id(c));
	cr_assert_str_eq(last.operator_id, "clerk-tw");
	cr_assert(strstr(last.summary, "\"customer_no\":\"3701000001\"") != NULL, "%s", last.summary);
	cr_assert(strstr(last.summary, "\"work_order_id\":\"WO-2026-000123\"") != NULL, "%s",
	          last.summary);
	/* the summary's text stays out of the append-only log */
	cr_assert(strstr(last.summary, "summary\":\"") == NULL, "%s", last.summary);
	pcrm_contact_free(c);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, &checked, NULL));
	cr_assert_eq(checked, audit_count(t));

	/* inside the caller's transaction: a rollback takes the contact and its entry away */
	audits = audit_count(t);
	pcrm_assert_ok(pcrm_ctx_begin(t->ctx));
	pcrm_assert_ok(pcrm_contact_record(t->ctx, &city_agent, ZHANG, minimal_sms, NULL));
	cr_assert_eq(contact_count(t), 2);
	pcrm_assert_ok(pcrm_ctx_rollback(t->ctx));
	cr_assert_eq(contact_count(t), 1);
	cr_assert_eq(audit_count(t), audits);
}

PCRM_BACKEND_TEST(contact, log_line_of_a_recorded_contact)
{
	char line[PCRM_CONTACT_LOG_LINE_MAX], tiny[40];
	pcrm_contact *c;
	pcrm_contact_list *l;
	setup(t);
	pcrm_assert_ok(pcrm_contact_record(
		t->ctx, &city_agent, ZHANG,
		"{\"at\": \"2026-11-23T00:30:00Z\", \"channel\": \"phone\", \"direction\": \"inbound\","
		" \"agent\": \"agent-07\", \"caller_number\": \"0531-88888888\", \"duration_seconds\": 125,"
		" \"business_code\": \"YK-0101\","
		" \"summary\": \"询问电费;已答复\\n回访: 满意\\t(备注 C:\\\\temp)\"}",
		&c));
	pcrm_assert_ok(pcrm_contact_format_log_line(c, line, sizeof(line)));
	cr_assert_str_eq(line, "2026-11-23T08:30:00+08:00;3701000001;053188888888;agent-07;125;"
	                       "YK-0101;询问电费\\x3B已答复\\n回访: 满意\\t(备注 C:\\\\temp)");
	/* a line read back from the store is the same */
	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &city_agent, ZHANG, NULL, 1, &l));
	{
		char again[PCRM_CONTACT_LOG_LINE_MAX];
		pcrm_assert_ok(pcrm_contact_format_log_line(pcrm_contact_list_at(l, 0), again,
		                                            sizeof(again)));
		cr_assert_str_eq(again, line);
	}
	pcrm_contact_list_free(l);
	/* too small: an error saying what it needs, and no half line */
	pcrm_assert_fails(pcrm_contact_format_log_line(c, tiny, sizeof(tiny)), PCRM_EINVAL,
	                  "needs");
	cr_assert_str_eq(tiny, "");
	pcrm_assert_fails(pcrm_contact_format_log_line(c, line, strlen(line)), PCRM_EINVAL,
	                  "needs");
	pcrm_contact_free(c);

	/* absent optional fields are empty */
	pcrm_assert_ok(pcrm_contact_record(t->ctx, &city_agent, ZHANG, minimal_sms, &c));
	pcrm_assert_ok(pcrm_contact_format_log_line(c, line, sizeof(line)));
	cr_assert_str_eq(line, "2026-11-23T09:00:00+08:00;3701000001;;agent-jn;;;欠费提醒");
	pcrm_contact_free(c);
}

/* ---- without a store ---- */

static pcrm_contact *make(const char *agent, const char *summary, int duration)
{
	struct pcrm__contact_fields f;
	pcrm_contact *c;
	memset(&f, 0, sizeof(f));
	f.id = "00000000-0000-4000-8000-000000000001";
	f.customer_no = "C1";
	f.at = 1795395600;
	f.channel = "phone";
	f.direction = "inbound";
	f.agent = agent;
	f.summary = summary;
	f.duration_seconds = duration;
	f.recorded_by = "x";
	pcrm_assert_ok(pcrm__contact_new(&f, 0, &c));
	return c;
}

Test(contact_log_line, escapes_every_separator_and_control_byte)
{
	char line[PCRM_CONTACT_LOG_LINE_MAX];
	pcrm_contact *c = make("坐席;7", "a;b\\c\r\nd\te\x01\x7f;", 0);
	pcrm_assert_ok(pcrm_contact_format_log_line(c, line, sizeof(line)));
	cr_assert_str_eq(line, "2026-11-23T01:00:00Z;C1;;坐席\\x3B7;0;;"
	                       "a\\x3Bb\\\\c\\r\\nd\\te\\x01\\x7F\\x3B");
	pcrm_contact_free(c);
}

Test(contact_log_line, the_worst_case_fits_the_documented_maximum)
{
	static char agent[PCRM__CONTACT_AGENT_MAX + 1], summary[PCRM_CONTACT_SUMMARY_MAX + 1];
	static char line[PCRM_CONTACT_LOG_LINE_MAX];
	pcrm_contact *c;
	memset(agent, ';', PCRM__CONTACT_AGENT_MAX);
	memset(summary, ';', PCRM_CONTACT_SUMMARY_MAX);
	c = make(agent, summary, PCRM__CONTACT_DURATION_MAX);
	pcrm_assert_ok(pcrm_contact_format_log_line(c, line, sizeof(line)));
	cr_assert_eq(strlen(line), 20 + 1 + 2 + 1 + 0 + 1 + 4 * 64 + 1 + 5 + 1 + 0 + 1 + 4 * 2000);
	pcrm_contact_free(c);
}

Test(contact_log_line, rejects_null_arguments)
{
	char line[16];
	pcrm_assert_fails(pcrm_contact_format_log_line(NULL, line, sizeof(line)), PCRM_EINVAL,
	                  "contact");
}

Test(contact_doc, parse_normalises_and_reports_what_was_given)
{
	struct pcrm__contact_fields f;
	json_t *doc;
	const char *text = "{\"channel\": \"wechat\", \"direction\": \"inbound\", \"summary\": \"s\","
	                   " \"caller_number\": \"0086-138-0013-8000\","
	                   " \"at\": \"2026-11-23 09:00:00+0800\"}";
	pcrm_assert_ok(pcrm__contact_parse(text, strlen(text), &doc, &f));
	cr_assert_str_eq(f.caller_number, "13800138000");
	cr_assert(f.has_at);
	cr_assert_eq(f.at, 1795395600);
	cr_assert_null(f.agent);
	cr_assert_eq(f.duration_seconds, -1);
	json_decref(doc);
	/* every channel and direction of the documentation is accepted */
	{
		static const char *const channels[] = { "phone", "sms", "wechat", "web", "email",
			                                "counter", "visit", "ivr" };
		for (size_t i = 0; i < sizeof(channels) / sizeof(channels[0]); i++) {
			char buf[128];
			snprintf(buf, sizeof(buf),
			         "{\"channel\": \"%s\", \"direction\": \"outbound\", \"summary\": \"s\"}",
			         channels[i]);
			pcrm_assert_ok(pcrm__contact_parse(buf, strlen(buf), &doc, &f));
			json_decref(doc);
		}
	}
	/* the length is honoured: bytes after it are not read */
	pcrm_assert_fails(pcrm__contact_parse(text, 10, &doc, &f), PCRM_EINVAL, "invalid JSON");
	cr_assert_null(doc);
	text = "{\"channel\": \"phone\", \"direction\": \"inbound\", \"summary\": \"s\","
	       " \"at\": \"1969-12-31T23:59:59Z\"}";
	pcrm_assert_fails(pcrm__contact_parse(text, strlen(text), &doc, &f), PCRM_EINVAL,
	                  "at: \"1969-12-31T23:59:59Z\" is outside");
	text = "{\"channel\": \"phone\", \"direction\": \"inbound\", \"summary\": \"s\","
	       " \"at\": \"9999-12-31T00:00:00Z\"}";
	pcrm_assert_fails(pcrm__contact_parse(text, strlen(text), &doc, &f), PCRM_EINVAL,
	                  "is outside 1970-01-01T00:00:00Z .. 9999-12-30T00:00:00Z");
}
