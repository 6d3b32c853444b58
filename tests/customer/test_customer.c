/* The customer archive on both backends: every operation and every rejection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

static const char *const zhang =
	"{\"customer_no\": \"3701000001\", \"kind\": \"person\", \"name\": \"张三\","
	" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"37010201\","
	" \"transformer_area\": \"TA-0042\", \"feeder\": \"F-10kV-7\","
	" \"phones\": {\"mobile\": \"+86 138 0013 8000\", \"landline\": \"0531-88888888\"},"
	" \"email\": \"zhang@example.cn\", \"preferred_channel\": \"sms\","
	" \"addresses\": [{\"kind\": \"supply\", \"text\": \"历下区姚家街道1号\", \"postcode\": \"250014\"}],"
	" \"household_size\": 5, \"low_income\": true, \"id_number\": \"11010519491231002X\"}";

static const char *const steelworks =
	"{\"customer_no\": \"3701900001\", \"kind\": \"organisation\", \"name\": \"济南钢铁厂\","
	" \"usage_class\": \"large_industry\", \"voltage_level\": \"110kV\", \"org_unit\": \"370102\","
	" \"vip_level\": 3, \"account_manager\": \"agent-jn\","
	" \"phones\": {\"landline\": \"(0531) 8888-8888\"}, \"id_number\": \"91370100163000000X\"}";

static void setup(pcrm_test_store *t)
{
	pcrm_test_reopen_with_key(t);
	make_tree(t->ctx);
}

static const pcrm_actor senior_clerk = { "clerk-boss", PCRM_ROLE_DATA_CLERK, 2, "37" };

PCRM_BACKEND_TEST(customer, create_and_get)
{
	pcrm_customer *c;
	setup(t);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, zhang, &c));
	cr_assert_str_eq(pcrm_customer_no(c), "3701000001");
	cr_assert_eq(pcrm_customer_version(c), 1);
	pcrm_customer_free(c);

	pcrm_assert_ok(pcrm_customer_get(t->ctx, &city_agent, "3701000001", 0, &c));
	cr_assert_str_eq(pcrm_customer_name(c), "张三");
	cr_assert_str_eq(pcrm_customer_org_unit(c), "37010201");
	cr_assert_str_eq(pcrm_customer_status(c), "active");
	cr_assert_eq(pcrm_customer_vip_level(c), 0);
	cr_assert_eq(pcrm_customer_created_at(c), t->now);
	/* phones normalised, ID masked, defaults filled */
	cr_assert(strstr(pcrm_customer_json(c), "\"mobile\":\"13800138000\"") != NULL, "%s",
	          pcrm_customer_json(c));
	cr_assert(strstr(pcrm_customer_json(c), "\"landline\":\"053188888888\"") != NULL);
	cr_assert(strstr(pcrm_customer_json(c), "\"id_number\":\"1101**********002X\"") != NULL,
	          "%s", pcrm_customer_json(c));
	cr_assert(strstr(pcrm_customer_json(c), "\"registered\":false") != NULL);
	cr_assert(strstr(pcrm_customer_json(c), "19491231") == NULL);
	pcrm_customer_free(c);
}

PCRM_BACKEND_TEST(customer, id_number_is_never_stored_in_clear)
{
	int64_t n = -1;
	setup(t);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, zhang, NULL));
	/* no table holds the number in clear: not the row, not the audit log */
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store,
	                                     "SELECT COUNT(*) FROM customer WHERE doc LIKE '%19491231%' "
	                                     "OR id_cipher LIKE '%19491231%' OR id_masked LIKE '%1949%'",
	                                     NULL, 0, &n));
	cr_assert_eq(n, 0);
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store,
	                                     "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%1949%'",
	                                     NULL, 0, &n));
	cr_assert_eq(n, 0);
	/* and it is still found through its keyed hash */
	{
		pcrm_customer_list *l;
		pcrm_customer_query q = PCRM_CUSTOMER_QUERY_INIT;
		q.id_number = "11010519491231002X";
		pcrm_assert_ok(pcrm_customer_search(t->ctx, &city_agent, &q, &l));
		cr_assert_eq(pcrm_customer_list_count(l), 1);
		pcrm_customer_list_free(l);
	}
}

PCRM_BACKEND_TEST(customer, reveal_needs_the_right_role_and_is_audited)
{
	pcrm_customer *c;
	setup(t);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, zhang, NULL));
	pcrm_assert_fails(pcrm_customer_get(t->ctx, &city_agent, "3701000001", PCRM_CUSTOMER_REVEAL_ID,
	                                    &c),
	                  PCRM_EPERM, "pii.read");
	cr_assert_null(c);
	pcrm_assert_ok(pcrm_customer_get(t->ctx, &senior_clerk, "3701000001",
	                                 PCRM_CUSTOMER_REVEAL_ID, &c));
	cr_assert(strstr(pcrm_customer_json(c), "\"id_number\":\"11010519491231002X\"") != NULL,
	          "%s", pcrm_customer_json(c));
	pcrm_customer_free(c);
	pcrm_assert_fails(pcrm_customer_get(t->ctx, &senior_clerk, "3701000001", 4, &c), PCRM_EINVAL,
	                  "flags");
}

PCRM_BACKEND_TEST(customer, rejections_name_the_field_and_change_nothing)
{
	pcrm_customer_list *l;
	pcrm_customer_query q = PCRM_CUSTOMER_QUERY_INIT;
	setup(t);
	pcrm_assert_fails(pcrm_customer_create(t->ctx, &city_clerk, "{not json", NULL), PCRM_EINVAL,
	                  "invalid JSON");
	pcrm_assert_fails(pcrm_customer_create(t->ctx, &city_clerk,
	                                       "{\"customer_no\": \"1\", \"kind\": \"alien\"}", NULL),
	                  PCRM_EINVAL, "kind");
	pcrm_assert_fails(pcrm_customer_create(t->ctx, &city_clerk,
	                                       "{\"customer_no\": \"1\", \"kind\": \"person\", "
	                                       "\"name\": \"x\", \"usage_class\": \"residential\", "
	                                       "\"voltage_level\": \"220V\", \"org_unit\": \"3701\", "
	                                       "\"phones\": {\"mobile\": \"12345\"}}",
	                                       NULL),
	                  PCRM_EINVAL, "phones.mobile");
	pcrm_assert_fails(pcrm_customer_create(t->ctx, &city_clerk,
	                                       "{\"customer_no\": \"1\", \"kind\": \"person\", "
	                                       "\"name\": \"x\", \"usage_class\": \"residential\", "
	                                       "\"voltage_level\": \"220V\", \"org_unit\": \"3701\", "
	                                       "\"id_number\": \"110105194912310021\"}",
	                                       NULL),
	                  PCRM_EINVAL, "id_number");
	pcrm_assert_fails(pcrm_customer_create(t->ctx, &city_clerk,
	                                       "{\"customer_no\": \"1\", \"kind\": \"person\", "
	                                       "\"name\": \"x\", \"usage_class\": \"residential\", "
	                                       "\"voltage_level\": \"220V\", \"org_unit\": \"3701\", "
	                                       "\"colour\": \"red\"}",
	                                       NULL),
	                  PCRM_EINVAL, "colour: unknown field");
	pcrm_assert_fails(pcrm_customer_create(t->ctx, &city_clerk,
	                                       "{\"customer_no\": \"1\", \"kind\": \"person\", "
	                                       "\"name\": \"x\", \"usage_class\": \"residential\", "
	                                       "\"org_unit\": \"3701\"}",
	                                       NULL),
	                  PCRM_EINVAL, "voltage_level: is required");
	pcrm_assert_fails(pcrm_customer_create(t->ctx, &city_clerk,
	                                       "{\"customer_no\": \"1\", \"kind\": \"person\", "
	                                       "\"name\": \"x\", \"usage_class\": \"residential\", "
	                                       "\"voltage_level\": \"220V\", \"org_unit\": \"3701\", "
	                                       "\"vip_level\": 9}",
	                                       NULL),
	                  PCRM_EINVAL, "vip_level");
	pcrm_assert_ok(pcrm_customer_search(t->ctx, &senior_clerk, &q, &l));
	cr_assert_eq(pcrm_customer_list_count(l), 0);
	pcrm_customer_list_free(l);
}

PCRM_BACKEND_TEST(customer, duplicate_customer_number)
{
	setup(t);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, zhang, NULL));
	pcrm_assert_fails(pcrm_customer_create(t->ctx, &city_clerk, zhang, NULL), PCRM_EDUPLICATE,
	                  "3701000001");
}

PCRM_BACKEND_TEST(customer, update_is_versioned)
{
	pcrm_customer *c;
	setup(t);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, zhang, NULL));
	t->now += 3600;
	pcrm_assert_ok(pcrm_customer_update(t->ctx, &city_clerk, "3701000001",
	                                    "{\"name\": \"张三丰\", \"email\": null, "
	                                    "\"phones\": {\"mobile\": \"13900139000\"}}",
	                                    1, &c));
	cr_assert_eq(pcrm_customer_version(c), 2);
	cr_assert_str_eq(pcrm_customer_name(c), "张三丰");
	cr_assert_eq(pcrm_customer_updated_at(c), t->now);
	cr_assert(strstr(pcrm_customer_json(c), "email") == NULL);
	cr_assert(strstr(pcrm_customer_json(c), "1101**********002X") != NULL, "%s",
	          pcrm_customer_json(c));
	pcrm_customer_free(c);
	pcrm_assert_fails(pcrm_customer_update(t->ctx, &city_clerk, "3701000001",
	                                       "{\"name\": \"stale\"}", 1, NULL),
	                  PCRM_ECONFLICT, "version 2");
	pcrm_assert_fails(pcrm_customer_update(t->ctx, &city_clerk, "3701000001",
	                                       "{\"customer_no\": \"x\"}", 2, NULL),
	                  PCRM_EINVAL, "customer_no");
	pcrm_assert_fails(pcrm_customer_update(t->ctx, &city_clerk, "3701000001",
	                                       "{\"name\": null}", 2, NULL),
	                  PCRM_EINVAL, "name");
	pcrm_assert_fails(pcrm_customer_update(t->ctx, &city_clerk, "9999", "{\"name\": \"x\"}", 1,
	                                       NULL),
	                  PCRM_ENOTFOUND, "9999");
	pcrm_assert_ok(pcrm_customer_get(t->ctx, &city_agent, "3701000001", 0, &c));
	cr_assert_str_eq(pcrm_customer_name(c), "张三丰");
	cr_assert_eq(pcrm_customer_version(c), 2);
	pcrm_customer_free(c);
}

PCRM_BACKEND_TEST(customer, moving_needs_write_on_both_org_units)
{
	setup(t);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, zhang, NULL));
	pcrm_assert_fails(pcrm_customer_update(t->ctx, &city_clerk, "3701000001",
	                                       "{\"org_unit\": \"3702\"}", 1, NULL),
	                  PCRM_EPERM, "outside");
	pcrm_assert_ok(pcrm_customer_update(t->ctx, &senior_clerk, "3701000001",
	                                    "{\"org_unit\": \"3702\"}", 1, NULL));
}

PCRM_BACKEND_TEST(customer, close_is_final)
{
	setup(t);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, zhang, NULL));
	pcrm_assert_ok(pcrm_customer_close(t->ctx, &city_clerk, "3701000001", 1));
	pcrm_assert_fails(pcrm_customer_close(t->ctx, &city_clerk, "3701000001", 2), PCRM_ESTATE,
	                  "closed");
	pcrm_assert_fails(pcrm_customer_update(t->ctx, &city_clerk, "3701000001",
	                                       "{\"name\": \"x\"}", 2, NULL),
	                  PCRM_ESTATE, "closed");
}

PCRM_BACKEND_TEST(customer, permissions_follow_role_and_subtree)
{
	pcrm_customer *c;
	pcrm_customer_list *l;
	setup(t);
	/* agents read, never write */
	pcrm_assert_fails(pcrm_customer_create(t->ctx, &city_agent, zhang, NULL), PCRM_EPERM,
	                  "archive.write");
	/* township stations read their own archives but cannot modify them */
	pcrm_assert_fails(pcrm_customer_create(t->ctx, &township_clerk, zhang, NULL), PCRM_EPERM,
	                  "read-only");
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, zhang, NULL));
	pcrm_assert_ok(pcrm_customer_get(t->ctx, &township_clerk, "3701000001", 0, &c));
	pcrm_customer_free(c);
	pcrm_assert_fails(pcrm_customer_update(t->ctx, &township_clerk, "3701000001",
	                                       "{\"name\": \"x\"}", 1, NULL),
	                  PCRM_EPERM, "read-only");
	/* an actor never sees customers outside its subtree */
	{
		pcrm_actor qingdao = { "agent-qd", PCRM_ROLE_AGENT, 1, "3702" };
		pcrm_customer_query q = PCRM_CUSTOMER_QUERY_INIT;
		pcrm_assert_fails(pcrm_customer_get(t->ctx, &qingdao, "3701000001", 0, &c), PCRM_EPERM,
		                  "outside");
		pcrm_assert_ok(pcrm_customer_search(t->ctx, &qingdao, &q, &l));
		cr_assert_eq(pcrm_customer_list_count(l), 0);
		pcrm_customer_list_free(l);
		pcrm_assert_ok(pcrm_customer_find_by_phone(t->ctx, &qingdao, "13800138000", &l));
		cr_assert_eq(pcrm_customer_list_count(l), 0);
		pcrm_customer_list_free(l);
	}
}

PCRM_BACKEND_TEST(customer, screen_pop_normalises_and_puts_vips_first)
{
	pcrm_customer_list *l;
	setup(t);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, zhang, NULL));
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, steelworks, NULL));
	/* both share the landline 0531 8888 8888, written differently */
	pcrm_assert_ok(pcrm_customer_find_by_phone(t->ctx, &city_agent, "+8653188888888", &l));
	cr_assert_eq(pcrm_customer_list_count(l), 2);
	cr_assert_str_eq(pcrm_customer_no(pcrm_customer_list_at(l, 0)), "3701900001");
	cr_assert_str_eq(pcrm_customer_no(pcrm_customer_list_at(l, 1)), "3701000001");
	pcrm_customer_list_free(l);
	pcrm_assert_ok(pcrm_customer_find_by_phone(t->ctx, &city_agent, "0086-138-0013-8000", &l));
	cr_assert_eq(pcrm_customer_list_count(l), 1);
	pcrm_customer_list_free(l);
	pcrm_assert_ok(pcrm_customer_find_by_phone(t->ctx, &city_agent, "013800138000", &l));
	cr_assert_eq(pcrm_customer_list_count(l), 1);
	pcrm_customer_list_free(l);
	pcrm_assert_ok(pcrm_customer_find_by_phone(t->ctx, &city_agent, "13700000000", &l));
	cr_assert_eq(pcrm_customer_list_count(l), 0);
	pcrm_customer_list_free(l);
	pcrm_assert_fails(pcrm_customer_find_by_phone(t->ctx, &city_agent, "88888888", &l),
	                  PCRM_EINVAL, "area code");
	pcrm_assert_fails(pcrm_customer_find_by_phone(t->ctx, &city_agent, "abc", &l), PCRM_EINVAL,
	                  "caller_number");
}

PCRM_BACKEND_TEST(customer, search_pages_with_a_cursor)
{
	pcrm_customer_query q = PCRM_CUSTOMER_QUERY_INIT;
	pcrm_customer_list *l;
	char doc[512], cursor[64];
	int seen = 0;
	setup(t);
	for (int i = 0; i < 25; i++) {
		snprintf(doc, sizeof(doc),
		         "{\"customer_no\": \"C%03d\", \"kind\": \"person\", \"name\": \"%s%d\","
		         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\","
		         " \"org_unit\": \"%s\", \"transformer_area\": \"%s\"}",
		         i, i % 2 ? "王" : "李", i, i % 5 ? "370102" : "3702", i % 3 ? "TA-1" : "TA-2");
		pcrm_assert_ok(pcrm_customer_create(t->ctx, &root_admin, doc, NULL));
	}
	q.limit = 7;
	q.org_unit = "3701";
	do {
		pcrm_assert_ok(pcrm_customer_search(t->ctx, &city_agent, &q, &l));
		seen += (int)pcrm_customer_list_count(l);
		if (pcrm_customer_list_next_cursor(l)) {
			snprintf(cursor, sizeof(cursor), "%s", pcrm_customer_list_next_cursor(l));
			q.cursor = cursor;
		} else {
			q.cursor = NULL;
		}
		pcrm_customer_list_free(l);
	} while (q.cursor);
	cr_assert_eq(seen, 20); /* the five in 3702 are outside */

	q = (pcrm_customer_query)PCRM_CUSTOMER_QUERY_INIT;
	q.name_prefix = "王";
	q.transformer_area = "TA-1";
	pcrm_assert_ok(pcrm_customer_search(t->ctx, &root_admin, &q, &l));
	for (size_t i = 0; i < pcrm_customer_list_count(l); i++)
		cr_assert(strncmp(pcrm_customer_name(pcrm_customer_list_at(l, i)), "王", 3) == 0);
	cr_assert_eq(pcrm_customer_list_count(l), 8);
	pcrm_customer_list_free(l);

	q = (pcrm_customer_query)PCRM_CUSTOMER_QUERY_INIT;
	q.limit = 5000;
	pcrm_assert_fails(pcrm_customer_search(t->ctx, &root_admin, &q, &l), PCRM_EINVAL,
	                  "query.limit");
	q.limit = 0;
	q.org_unit = "3702";
	pcrm_assert_fails(pcrm_customer_search(t->ctx, &city_agent, &q, &l), PCRM_EPERM, "outside");
}

PCRM_BACKEND_TEST(customer, mutations_are_audited)
{
	int64_t checked = 0;
	setup(t);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, zhang, NULL));
	pcrm_assert_ok(pcrm_customer_update(t->ctx, &city_clerk, "3701000001", "{\"vip_level\": 1}",
	                                    1, NULL));
	pcrm_assert_ok(pcrm_customer_close(t->ctx, &city_clerk, "3701000001", 2));
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, &checked, NULL));
	cr_assert_eq(checked, 8); /* 5 org units + create, update, close */
}

PCRM_BACKEND_TEST(customer, id_numbers_need_the_data_key)
{
	pcrm_customer_query q = PCRM_CUSTOMER_QUERY_INIT;
	pcrm_customer_list *l;
	make_tree(t->ctx); /* the default test context has no data key */
	pcrm_assert_fails(pcrm_customer_create(t->ctx, &city_clerk, zhang, NULL), PCRM_EPERM,
	                  "data key");
	q.id_number = "11010519491231002X";
	pcrm_assert_fails(pcrm_customer_search(t->ctx, &city_clerk, &q, &l), PCRM_EPERM, "data key");
}

Test(phone, normalisation)
{
	char out[PCRM_PHONE_MAX];
	const char *cases[][2] = {
		{ "13800138000", "13800138000" },      { "+86 138 0013 8000", "13800138000" },
		{ "0086-13800138000", "13800138000" }, { "013800138000", "13800138000" },
		{ "0531-88888888", "053188888888" },   { "(0531)8888-8888", "053188888888" },
		{ "+86 531 8888 8888", "053188888888" }, { "010-12345678", "01012345678" },
		{ "+86 10 1234 5678", "01012345678" }, { "0371-6123456", "03716123456" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pcrm_assert_ok(pcrm_phone_normalize(cases[i][0], out, sizeof(out)));
		cr_assert_str_eq(out, cases[i][1], "%s", cases[i][0]);
	}
	pcrm_assert_fails(pcrm_phone_normalize("88888888", out, sizeof(out)), PCRM_EINVAL, "area code");
	pcrm_assert_fails(pcrm_phone_normalize("+1 415 555 0100", out, sizeof(out)), PCRM_EINVAL,
	                  "+86");
	pcrm_assert_fails(pcrm_phone_normalize("12345", out, sizeof(out)), PCRM_EINVAL,
	                  "phone: 5 digits are not a mobile");
	pcrm_assert_fails(pcrm_phone_normalize("1380013800x", out, sizeof(out)), PCRM_EINVAL,
	                  "phone: the character at byte 11 is not a digit");
	/* a phone number is personal data: no message quotes it */
	cr_assert_null(strstr(pcrm_error_last(), "1380013800"), "%s", pcrm_error_last());
	pcrm_assert_fails(pcrm_phone_normalize("+1 415 555 0100", out, sizeof(out)), PCRM_EINVAL,
	                  "not a Chinese (+86) number");
	cr_assert_null(strstr(pcrm_error_last(), "415"), "%s", pcrm_error_last());
	pcrm_assert_fails(pcrm_phone_normalize("138001380001380013800", out, sizeof(out)),
	                  PCRM_EINVAL, "phone: more than");
	cr_assert_null(strstr(pcrm_error_last(), "13800"), "%s", pcrm_error_last());
	pcrm_assert_fails(pcrm_phone_normalize("", out, sizeof(out)), PCRM_EINVAL, "phone");
	pcrm_assert_fails(pcrm_phone_normalize("12800138000", out, sizeof(out)), PCRM_EINVAL, "phone");
	pcrm_assert_fails(pcrm_phone_normalize("13800138000", out, 5), PCRM_EINVAL, "buffer");
}

/* ---- JSON Lines import and export ---- */

static void line_for(char *buf, size_t size, const char *no, const char *org, const char *mobile)
{
	snprintf(buf, size,
	         "{\"customer_no\": \"%s\", \"kind\": \"person\", \"name\": \"客户%s\","
	         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"%s\","
	         " \"phones\": {\"mobile\": \"%s\"}}\n",
	         no, no, org, mobile);
}

static int64_t customer_count(pcrm_test_store *t)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, "SELECT COUNT(*) FROM customer", NULL, 0,
	                                     &n));
	return n;
}

static void three_lines(char *buf, size_t size, const char *third_mobile)
{
	char a[512], b[512], c[512];
	line_for(a, sizeof(a), "I001", "370102", "13800000001");
	line_for(b, sizeof(b), "I002", "37010201", "13800000002");
	line_for(c, sizeof(c), "I003", "3701", third_mobile);
	snprintf(buf, size, "%s\n%s%s", a, b, c); /* a blank line 2 is skipped, numbering counts it */
}

PCRM_BACKEND_TEST(customer_import, a_good_batch_lands_whole)
{
	char data[2048];
	int64_t n = -1;
	pcrm_customer_list *l;
	setup(t);
	three_lines(data, sizeof(data), "13800000003");
	pcrm_assert_ok(pcrm_customer_import(t->ctx, &city_clerk, data, strlen(data), &n));
	cr_assert_eq(n, 3);
	cr_assert_eq(customer_count(t), 3);
	pcrm_assert_ok(pcrm_customer_find_by_phone(t->ctx, &city_agent, "+86 138 0000 0002", &l));
	cr_assert_eq(pcrm_customer_list_count(l), 1);
	cr_assert_str_eq(pcrm_customer_no(pcrm_customer_list_at(l, 0)), "I002");
	pcrm_customer_list_free(l);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, &n, NULL));
	cr_assert_eq(n, 6); /* 5 org units + one entry for the batch */
}

PCRM_BACKEND_TEST(customer_import, one_bad_line_imports_nothing)
{
	char data[2048];
	int64_t n = -1;
	setup(t);
	three_lines(data, sizeof(data), "12345");
	pcrm_assert_fails(pcrm_customer_import(t->ctx, &city_clerk, data, strlen(data), &n),
	                  PCRM_EINVAL, "line 4: phones.mobile");
	cr_assert_eq(n, 0);
	cr_assert_eq(customer_count(t), 0);

	snprintf(data, sizeof(data), "{\"customer_no\": \"X\"}\n{oops\n");
	pcrm_assert_fails(pcrm_customer_import(t->ctx, &city_clerk, data, strlen(data), NULL),
	                  PCRM_EINVAL, "line 1: kind");
	snprintf(data, sizeof(data), "\n{oops\n");
	pcrm_assert_fails(pcrm_customer_import(t->ctx, &city_clerk, data, strlen(data), NULL),
	                  PCRM_EINVAL, "line 2: invalid JSON");
	cr_assert_eq(customer_count(t), 0);
}

PCRM_BACKEND_TEST(customer_import, duplicates_are_named_by_line)
{
	char a[512], b[512], data[2048];
	setup(t);
	line_for(a, sizeof(a), "D001", "3701", "13800000001");
	line_for(b, sizeof(b), "D002", "3701", "13800000002");
	snprintf(data, sizeof(data), "%s%s%s", a, b, a);
	pcrm_assert_fails(pcrm_customer_import(t->ctx, &city_clerk, data, strlen(data), NULL),
	                  PCRM_EDUPLICATE, "line 3: customer_no: \"D001\" already on line 1");
	pcrm_assert_ok(pcrm_customer_import(t->ctx, &city_clerk, a, strlen(a), NULL));
	/* the same number with other content in the store (an identical line would be skipped) */
	line_for(a, sizeof(a), "D001", "3701", "13800000009");
	snprintf(data, sizeof(data), "%s%s", b, a);
	pcrm_assert_fails(pcrm_customer_import(t->ctx, &city_clerk, data, strlen(data), NULL),
	                  PCRM_EDUPLICATE, "line 2: customer_no: \"D001\" is already taken");
	cr_assert(strstr(pcrm_error_last(), "13800000009") == NULL, "%s", pcrm_error_last());
	cr_assert_eq(customer_count(t), 1);
	cr_assert_eq(pcrm_ctx_tx_depth(t->ctx), 0);
}

PCRM_BACKEND_TEST(customer_import, permission_is_checked_for_every_line)
{
	char a[512], b[512], data[2048];
	setup(t);
	line_for(a, sizeof(a), "P001", "3701", "13800000001");
	line_for(b, sizeof(b), "P002", "3702", "13800000002");
	snprintf(data, sizeof(data), "%s%s", a, b);
	pcrm_assert_fails(pcrm_customer_import(t->ctx, &city_clerk, data, strlen(data), NULL),
	                  PCRM_EPERM, "line 2");
	cr_assert_eq(customer_count(t), 0);
	pcrm_assert_fails(pcrm_customer_import(t->ctx, &city_agent, a, strlen(a), NULL), PCRM_EPERM,
	                  "archive.write");
}

struct sink {
	char buf[16384];
	size_t len;
};

static int to_sink(const char *data, size_t len, void *ud)
{
	struct sink *s = ud;
	if (s->len + len >= sizeof(s->buf))
		return 1;
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	s->buf[s->len] = '\0';
	return 0;
}

PCRM_BACKEND_TEST(customer_import, export_is_importable)
{
	struct sink out = { "", 0 };
	int64_t n = -1;
	pcrm_ctx *other;
	setup(t);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, zhang, NULL));
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, steelworks, NULL));
	pcrm_assert_ok(pcrm_customer_export(t->ctx, &city_agent, NULL, 0, to_sink, &out, &n));
	cr_assert_eq(n, 2);
	cr_assert(strstr(out.buf, "id_number") == NULL, "%s", out.buf);
	cr_assert(strstr(out.buf, "\"customer_no\":\"3701000001\"") != NULL);

	/* into a fresh store: same customers back */
	cr_assert_eq(pcrm_ctx_open(&other, "sqlite::memory:", NULL), PCRM_OK);
	make_tree(other);
	pcrm_assert_ok(pcrm_customer_import(other, &city_clerk, out.buf, out.len, &n));
	cr_assert_eq(n, 2);
	pcrm_ctx_close(other);

	/* revealing needs pii.read and is audited */
	out.len = 0;
	pcrm_assert_fails(pcrm_customer_export(t->ctx, &city_agent, NULL, PCRM_CUSTOMER_REVEAL_ID,
	                                       to_sink, &out, &n),
	                  PCRM_EPERM, "pii.read");
	pcrm_assert_ok(pcrm_customer_export(t->ctx, &senior_clerk, "370102", PCRM_CUSTOMER_REVEAL_ID,
	                                    to_sink, &out, &n));
	cr_assert_eq(n, 2);
	cr_assert(strstr(out.buf, "11010519491231002X") != NULL);
	pcrm_assert_fails(pcrm_customer_export(t->ctx, &city_agent, "3702", 0, to_sink, &out, &n),
	                  PCRM_EPERM, "outside");
}

static int count_progress(int64_t done, void *ud)
{
	int *calls = ud;
	(*calls)++;
	(void)done;
	return 0;
}

PCRM_BACKEND_TEST(customer_import, files_import_in_batches)
{
	char path[] = "/tmp/pcrm-import-XXXXXX";
	int fd = mkstemp(path), calls = 0;
	FILE *f = fdopen(fd, "w");
	int64_t n = -1;
	setup(t);
	for (int i = 1; i <= 25; i++) {
		char no[16], mobile[16], line[512];
		snprintf(no, sizeof(no), "F%03d", i);
		snprintf(mobile, sizeof(mobile), "139%08d", i);
		line_for(line, sizeof(line), no, "370102", i == 23 ? "not-a-phone" : mobile);
		fputs(line, f);
	}
	fclose(f);
	pcrm_assert_fails(pcrm_customer_import_file(t->ctx, &city_clerk, path, 10, count_progress,
	                                            &calls, &n),
	                  PCRM_EINVAL, "line 23: phones.mobile");
	cr_assert_eq(n, 20);
	cr_assert_eq(calls, 2);
	cr_assert_eq(customer_count(t), 20);
	unlink(path);
	pcrm_assert_fails(pcrm_customer_import_file(t->ctx, &city_clerk, "/nonexistent/x.jsonl", 0,
	                                            NULL, NULL, &n),
	                  PCRM_EIO, "/nonexistent/x.jsonl");
}

/* ---- resuming an interrupted import ---- */

#define RESUME_LINES 25

/* Line i of the resumable file: every third customer with an ID number (sealed in the store). */
static void resume_line(char *buf, size_t size, int i, const char *mobile, const char *id)
{
	char no[16], phone[16], id_field[64] = "";
	snprintf(no, sizeof(no), "R%03d", i);
	snprintf(phone, sizeof(phone), "139%08d", i);
	if (id || i % 3 == 0)
		snprintf(id_field, sizeof(id_field), ", \"id_number\": \"%s\"",
		         id ? id : "11010519491231002X");
	snprintf(buf, size,
	         "{\"customer_no\": \"%s\", \"kind\": \"person\", \"name\": \"客户%s\","
	         " \"usage_class\": \"residential\", \"voltage_level\": \"220V\","
	         " \"org_unit\": \"370102\", \"phones\": {\"mobile\": \"%s\"}%s}\n",
	         no, no, mobile ? mobile : phone, id_field);
}

/* The file's first `lines` lines as text; line `changed` (0: none) with another mobile or ID. */
static char *resume_text(int lines, int changed, const char *mobile, const char *id)
{
	size_t cap = (size_t)lines * 512 + 1, len = 0;
	char *text = malloc(cap);
	cr_assert_not_null(text);
	text[0] = '\0';
	for (int i = 1; i <= lines; i++) {
		resume_line(text + len, cap - len, i, i == changed ? mobile : NULL,
		            i == changed ? id : NULL);
		len += strlen(text + len);
	}
	return text;
}

static char *resume_file(int changed, const char *mobile, const char *id)
{
	static char path[64];
	char *text = resume_text(RESUME_LINES, changed, mobile, id);
	int fd;
	FILE *f;
	snprintf(path, sizeof(path), "/tmp/pcrm-resume-XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	free(text);
	return path;
}

/* Each customer of the file exactly once, with its phone in the index once. */
static void assert_all_once(pcrm_test_store *t, int64_t customers)
{
	int64_t n = -1;
	cr_assert_eq(customer_count(t), customers);
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store,
	                                     "SELECT COUNT(DISTINCT customer_no) FROM customer_phone",
	                                     NULL, 0, &n));
	cr_assert_eq(n, customers);
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, "SELECT COUNT(*) FROM customer_phone",
	                                     NULL, 0, &n));
	cr_assert_eq(n, customers);
}

static int64_t audit_entries(pcrm_test_store *t)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, &n, NULL));
	return n;
}

PCRM_BACKEND_TEST(customer_import, a_rerun_after_an_interruption_skips_what_is_there)
{
	pcrm_import_result r = PCRM_IMPORT_RESULT_INIT;
	char *first = resume_text(7, 0, NULL, NULL), *path;
	char *all = resume_text(RESUME_LINES, 0, NULL, NULL);
	int64_t n = -1, entries;
	int calls = 0;
	setup(t);
	/* the store as an import leaves it when killed after line 7 */
	pcrm_assert_ok(pcrm_customer_import(t->ctx, &city_clerk, first, strlen(first), &n));
	cr_assert_eq(n, 7);
	path = resume_file(0, NULL, NULL);
	pcrm_assert_ok(pcrm_customer_import_file_ext(t->ctx, &city_clerk, path, 10, count_progress,
	                                             &calls, &r));
	cr_assert_eq(r.imported, RESUME_LINES - 7);
	cr_assert_eq(r.already_present, 7);
	cr_assert_eq(calls, 3);
	assert_all_once(t, RESUME_LINES);
	/* the batch with the first 7 lines wrote 3 and says it skipped 7 */
	entries = audit_entries(t);

	/* everything there: nothing written, not even an audit entry */
	r.version = PCRM_IMPORT_RESULT_VERSION;
	pcrm_assert_ok(pcrm_customer_import_file_ext(t->ctx, &city_clerk, path, 0, NULL, NULL, &r));
	cr_assert_eq(r.imported, 0);
	cr_assert_eq(r.already_present, RESUME_LINES);
	pcrm_assert_ok(pcrm_customer_import_ext(t->ctx, &city_clerk, all, strlen(all), &r));
	cr_assert_eq(r.already_present, RESUME_LINES);
	pcrm_assert_ok(pcrm_customer_import(t->ctx, &city_clerk, all, strlen(all), &n));
	cr_assert_eq(n, 0);
	cr_assert_eq(audit_entries(t), entries);
	assert_all_once(t, RESUME_LINES);
	cr_assert_eq(pcrm_ctx_tx_depth(t->ctx), 0);

	/* a result of an unknown version is refused before anything happens */
	r.version = 99;
	pcrm_assert_fails(pcrm_customer_import_ext(t->ctx, &city_clerk, all, strlen(all), &r),
	                  PCRM_EINVAL, "result.version: 99");
	unlink(path);
	free(first);
	free(all);
}

PCRM_BACKEND_TEST(customer_import, a_rerun_with_a_changed_line_names_it_and_writes_nothing)
{
	pcrm_import_result r = PCRM_IMPORT_RESULT_INIT;
	char *first = resume_text(7, 0, NULL, NULL), *path;
	int64_t entries;
	setup(t);
	pcrm_assert_ok(pcrm_customer_import(t->ctx, &city_clerk, first, strlen(first), NULL));
	entries = audit_entries(t);

	/* line 5 with another mobile: the file is one batch, so none of its 18 new lines lands */
	path = resume_file(5, "13712345678", NULL);
	pcrm_assert_fails(pcrm_customer_import_file_ext(t->ctx, &city_clerk, path, 0, NULL, NULL, &r),
	                  PCRM_EDUPLICATE,
	                  "line 5: customer_no: \"R005\" is already taken by a stored customer whose "
	                  "phones differs");
	cr_assert(strstr(pcrm_error_last(), "13712345678") == NULL, "%s", pcrm_error_last());
	cr_assert_eq(r.imported, 0);
	cr_assert_eq(r.already_present, 0);
	assert_all_once(t, 7);
	cr_assert_eq(audit_entries(t), entries);
	unlink(path);

	/* line 6 with another ID number: compared through the keyed hash, named, not echoed */
	path = resume_file(6, NULL, "370102198001011237");
	pcrm_assert_fails(pcrm_customer_import_file(t->ctx, &city_clerk, path, 0, NULL, NULL, NULL),
	                  PCRM_EDUPLICATE, "line 6: customer_no: \"R006\" is already taken by a "
	                                   "stored customer whose id_number differs");
	cr_assert(strstr(pcrm_error_last(), "3701021980") == NULL, "%s", pcrm_error_last());
	unlink(path);
	/* line 3 was stored with an ID number: a line without one differs too */
	{
		static const char id_field[] = ", \"id_number\": \"11010519491231002X\"";
		char *text = resume_text(RESUME_LINES, 0, NULL, NULL);
		char *id = strstr(text, id_field); /* line 3's: the first line with one */
		cr_assert_not_null(id);
		if (id)
			memmove(id, id + sizeof(id_field) - 1, strlen(id + sizeof(id_field) - 1) + 1);
		pcrm_assert_fails(pcrm_customer_import(t->ctx, &city_clerk, text, strlen(text), NULL),
		                  PCRM_EDUPLICATE, "line 3: customer_no: \"R003\" is already taken by a "
		                                   "stored customer whose id_number differs");
		free(text);
	}

	/* a stored customer changed since (an update) is content the file does not have */
	{
		pcrm_customer *c;
		pcrm_assert_ok(pcrm_customer_update(t->ctx, &city_clerk, "R002",
		                                    "{\"vip_level\": 2}", 1, &c));
		pcrm_customer_free(c);
	}
	path = resume_file(0, NULL, NULL);
	pcrm_assert_fails(pcrm_customer_import_file(t->ctx, &city_clerk, path, 0, NULL, NULL, NULL),
	                  PCRM_EDUPLICATE, "line 2: customer_no: \"R002\" is already taken by a "
	                                   "stored customer whose vip_level differs");
	assert_all_once(t, 7);
	/* batches before the one with the bad line stay, as in any import (batches of 1) */
	pcrm_assert_fails(pcrm_customer_import_file_ext(t->ctx, &city_clerk, path, 1, NULL, NULL, &r),
	                  PCRM_EDUPLICATE, "line 2:");
	cr_assert_eq(r.already_present, 1);
	cr_assert_eq(r.imported, 0);
	unlink(path);
	free(first);
}

PCRM_BACKEND_TEST(customer_import, a_customer_of_another_unit_is_not_described)
{
	char a[512], b[512];
	setup(t);
	line_for(a, sizeof(a), "O001", "3702", "13800000001");
	pcrm_assert_ok(pcrm_customer_import(t->ctx, &root_admin, a, strlen(a), NULL));
	/* the Jinan clerk may write 3701, not read the Qingdao customer holding the number */
	line_for(b, sizeof(b), "O001", "3701", "13800000001");
	pcrm_assert_fails(pcrm_customer_import(t->ctx, &city_clerk, b, strlen(b), NULL),
	                  PCRM_EDUPLICATE, "line 1: customer_no: \"O001\" is already taken");
	cr_assert(strstr(pcrm_error_last(), "differs") == NULL, "%s", pcrm_error_last());
}

static pcrm_ctx *open_keyed(pcrm_test_store *t, const char *uri)
{
	static const unsigned char key[PCRM_DATA_KEY_LEN] = "0123456789abcdef0123456789abcde";
	pcrm_ctx_options opts;
	pcrm_ctx *ctx = NULL;
	pcrm_ctx_options_init(&opts, PCRM_CTX_OPTIONS_VERSION);
	opts.clock = pcrm_test_clock;
	opts.clock_data = t;
	opts.data_key = key;
	opts.data_key_len = sizeof(key);
	if (pcrm_ctx_open(&ctx, uri, &opts) != PCRM_OK)
		return NULL;
	return ctx;
}

/* The progress callback of the doomed child: kill -9 itself once `*after` lines are done. */
static int die_after(int64_t done, void *ud)
{
	if (done >= *(int64_t *)ud)
		raise(SIGKILL);
	return 0;
}

PCRM_BACKEND_TEST(customer_import, a_killed_import_is_finished_by_a_rerun)
{
	char dir[] = "/tmp/pcrm-kill-XXXXXX", uri[128], cmd[160], *path;
	const char *u = t->uri;
	pcrm_import_result r = PCRM_IMPORT_RESULT_INIT;
	int64_t after = 20, n = -1;
	pcrm_ctx *ctx;
	int status;
	pid_t pid;

	if (strcmp(t->uri, "sqlite::memory:") == 0) {
		/* two processes need a file */
		cr_assert_not_null(mkdtemp(dir));
		snprintf(uri, sizeof(uri), "sqlite:%s/crm.db", dir);
		u = uri;
	}
	ctx = open_keyed(t, u);
	cr_assert_not_null(ctx, "%s", pcrm_error_last());
	make_tree(ctx);
	pcrm_ctx_close(ctx);
	path = resume_file(0, NULL, NULL);

	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		/* its own connection; killed after the second batch of 10 committed */
		pcrm_ctx *mine = open_keyed(t, u);
		if (mine)
			pcrm_customer_import_file(mine, &city_clerk, path, 10, die_after, &after, NULL);
		_exit(3); /* not killed: the parent's assertion says so */
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child status %d", status);

	ctx = open_keyed(t, u);
	cr_assert_not_null(ctx, "%s", pcrm_error_last());
	pcrm_assert_ok(pcrm__store_query_int(ctx->store, "SELECT COUNT(*) FROM customer", NULL, 0,
	                                     &n));
	cr_assert_eq(n, 20);
	pcrm_assert_ok(pcrm_customer_import_file_ext(ctx, &city_clerk, path, 10, NULL, NULL, &r));
	cr_assert_eq(r.already_present, 20);
	cr_assert_eq(r.imported, RESUME_LINES - 20);
	pcrm_assert_ok(pcrm__store_query_int(ctx->store,
	                                     "SELECT COUNT(*) FROM customer c WHERE c.customer_no "
	                                     "LIKE 'R%' AND (SELECT COUNT(*) FROM customer_phone p "
	                                     "WHERE p.customer_no = c.customer_no) = 1",
	                                     NULL, 0, &n));
	cr_assert_eq(n, RESUME_LINES);
	pcrm_assert_ok(pcrm_audit_verify(ctx, &monitor, &n, NULL));
	pcrm_ctx_close(ctx);
	unlink(path);
	if (u == uri) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		cr_assert_eq(system(cmd), 0);
	}
}

Test(customer_accessors, null_customer_gives_null_or_zero)
{
	cr_assert_null(pcrm_customer_no(NULL));
	cr_assert_null(pcrm_customer_name(NULL));
	cr_assert_null(pcrm_customer_org_unit(NULL));
	cr_assert_null(pcrm_customer_status(NULL));
	cr_assert_null(pcrm_customer_json(NULL));
	cr_assert_eq(pcrm_customer_vip_level(NULL), 0);
	cr_assert_eq(pcrm_customer_version(NULL), 0);
	cr_assert_eq(pcrm_customer_created_at(NULL), 0);
	cr_assert_eq(pcrm_customer_updated_at(NULL), 0);
}
