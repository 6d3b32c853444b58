/*
 * Identifying IVR callers on both stores: by caller number (one customer,
 * several, none), by customer number + the last ID characters (right,
 * wrong, X keyed as *), the lockout (counted in a window, reset by a right
 * try, ending on time, not extended while locked), the audit trail without
 * the digits, the org scope, and bad input changing nothing.
 */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

/* Two customers share a landline; one has a mobile of its own. */
static void setup(pcrm_test_store *t)
{
	static const char *const docs[] = {
		"{\"customer_no\": \"C1\", \"kind\": \"person\", \"name\": \"张三\","
		" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"3701\","
		" \"phones\": {\"mobile\": \"13800138000\", \"landline\": \"0531-88888888\"},"
		" \"id_number\": \"11010519491231002X\"}",
		"{\"customer_no\": \"C2\", \"kind\": \"person\", \"name\": \"李四\","
		" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"3701\","
		" \"phones\": {\"landline\": \"0531-88888888\"}, \"id_number\": \"110105194912310038\"}",
		"{\"customer_no\": \"C3\", \"kind\": \"person\", \"name\": \"王五\","
		" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"3702\","
		" \"phones\": {\"mobile\": \"13900139000\"}, \"id_number\": \"370202198001011232\"}",
		"{\"customer_no\": \"C4\", \"kind\": \"person\", \"name\": \"赵六\","
		" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"3701\"}",
	};

	pcrm_test_reopen_with_key(t);
	make_tree(t->ctx);
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		pcrm_assert_ok(pcrm_customer_create(t->ctx, &root_admin, docs[i], NULL));
}

static int64_t count_of(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;

	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

static pcrm_ivr_identity by_digits(pcrm_test_store *t, const char *no, const char *digits)
{
	pcrm_ivr_identity id;

	memset(&id, 0x5a, sizeof(id));
	pcrm_assert_ok(pcrm_ivr_identify_by_id_digits(t->ctx, &city_agent, no, digits, NULL, &id));
	return id;
}

PCRM_BACKEND_TEST(ivr_identify, by_phone_one_several_none)
{
	pcrm_ivr_identity id;

	setup(t);
	pcrm_assert_ok(pcrm_ivr_identify_by_phone(t->ctx, &city_agent, "+86 138 0013 8000", &id));
	cr_assert_eq(id.outcome, PCRM_IVR_IDENTIFIED);
	cr_assert_str_eq(id.customer_no, "C1");
	cr_assert_eq(id.candidates, 1);

	pcrm_assert_ok(pcrm_ivr_identify_by_phone(t->ctx, &city_agent, "(0531) 8888-8888", &id));
	cr_assert_eq(id.outcome, PCRM_IVR_AMBIGUOUS);
	cr_assert_str_eq(id.customer_no, "", "an ambiguous number names no customer");
	cr_assert_eq(id.candidates, 2);

	pcrm_assert_ok(pcrm_ivr_identify_by_phone(t->ctx, &city_agent, "13700137000", &id));
	cr_assert_eq(id.outcome, PCRM_IVR_NOT_IDENTIFIED);
	cr_assert_eq(id.candidates, 0);

	/* Qingdao's customer is outside Jinan's subtree: not found from there */
	pcrm_assert_ok(pcrm_ivr_identify_by_phone(t->ctx, &city_agent, "13900139000", &id));
	cr_assert_eq(id.outcome, PCRM_IVR_NOT_IDENTIFIED);

	pcrm_assert_fails(pcrm_ivr_identify_by_phone(t->ctx, &city_agent, "12345", &id),
	                  PCRM_EINVAL, "caller_number");
	cr_assert_null(strstr(pcrm_error_last(), "12345"), "the number is not echoed");
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM ivr_attempt"), 0, "a phone lookup writes nothing");
}

PCRM_BACKEND_TEST(ivr_identify, right_digits_identify_and_are_audited_without_them)
{
	pcrm_ivr_identity id;
	int64_t audits;

	setup(t);
	audits = count_of(t, "SELECT COUNT(*) FROM audit_log");
	id = by_digits(t, "C1", "002*"); /* the ID ends in X, keyed as * */
	cr_assert_eq(id.outcome, PCRM_IVR_IDENTIFIED);
	cr_assert_str_eq(id.customer_no, "C1");
	cr_assert_eq(id.attempts_left, 3);
	cr_assert_eq(id.locked_until, 0);
	id = by_digits(t, "C2", "0038");
	cr_assert_eq(id.outcome, PCRM_IVR_IDENTIFIED);
	cr_assert_str_eq(id.customer_no, "C2");

	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM ivr_attempt WHERE ok = 1"), 2);
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM audit_log"), audits + 2);
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'ivr.identify'"
	                         " AND summary LIKE '%identified%' AND summary NOT LIKE '%002%'"
	                         " AND summary NOT LIKE '%0038%'"), 2);
}

PCRM_BACKEND_TEST(ivr_identify, wrong_digits_lock_out_and_the_lock_ends_on_time)
{
	pcrm_time start;
	pcrm_ivr_identity id;

	setup(t);
	start = t->now;
	id = by_digits(t, "C1", "0020"); /* X is not 0 */
	cr_assert_eq(id.outcome, PCRM_IVR_NOT_IDENTIFIED);
	cr_assert_str_eq(id.customer_no, "");
	cr_assert_eq(id.attempts_left, 2);
	t->now += 60;
	id = by_digits(t, "C1", "1234");
	cr_assert_eq(id.attempts_left, 1);
	t->now += 60;
	id = by_digits(t, "C1", "9999");
	cr_assert_eq(id.outcome, PCRM_IVR_NOT_IDENTIFIED);
	cr_assert_eq(id.attempts_left, 0);
	cr_assert_eq(id.locked_until, start + 900, "the oldest counted try + the window");

	/* locked: even the right digits are not compared, and the lock is not extended */
	t->now += 60;
	id = by_digits(t, "C1", "002*");
	cr_assert_eq(id.outcome, PCRM_IVR_LOCKED);
	cr_assert_str_eq(id.customer_no, "");
	cr_assert_eq(id.locked_until, start + 900);
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM ivr_attempt"), 3);
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'ivr.identify'"
	                         " AND summary LIKE '%locked%'"), 1);

	/* another customer is not locked */
	cr_assert_eq(by_digits(t, "C2", "0038").outcome, PCRM_IVR_IDENTIFIED);

	/* one second before the end still locked; at the end the oldest try left the window */
	t->now = start + 899;
	cr_assert_eq(by_digits(t, "C1", "002*").outcome, PCRM_IVR_LOCKED);
	t->now = start + 900;
	id = by_digits(t, "C1", "002*");
	cr_assert_eq(id.outcome, PCRM_IVR_IDENTIFIED);
	cr_assert_str_eq(id.customer_no, "C1");
}

PCRM_BACKEND_TEST(ivr_identify, a_right_try_resets_the_count)
{
	pcrm_ivr_lockout two = { 2, 600 };
	pcrm_ivr_identity id;

	setup(t);
	pcrm_assert_ok(pcrm_ivr_identify_by_id_digits(t->ctx, &city_agent, "C2", "1111", &two, &id));
	cr_assert_eq(id.attempts_left, 1);
	t->now += 10;
	pcrm_assert_ok(pcrm_ivr_identify_by_id_digits(t->ctx, &city_agent, "C2", "0038", &two, &id));
	cr_assert_eq(id.outcome, PCRM_IVR_IDENTIFIED);
	t->now += 10;
	pcrm_assert_ok(pcrm_ivr_identify_by_id_digits(t->ctx, &city_agent, "C2", "1111", &two, &id));
	cr_assert_eq(id.outcome, PCRM_IVR_NOT_IDENTIFIED);
	cr_assert_eq(id.attempts_left, 1, "the wrong try before the right one no longer counts");
	t->now += 10;
	pcrm_assert_ok(pcrm_ivr_identify_by_id_digits(t->ctx, &city_agent, "C2", "2222", &two, &id));
	cr_assert_eq(id.attempts_left, 0);
	t->now += 10;
	pcrm_assert_ok(pcrm_ivr_identify_by_id_digits(t->ctx, &city_agent, "C2", "0038", &two, &id));
	cr_assert_eq(id.outcome, PCRM_IVR_LOCKED);
}

PCRM_BACKEND_TEST(ivr_identify, no_id_number_never_matches)
{
	setup(t);
	cr_assert_eq(by_digits(t, "C4", "0000").outcome, PCRM_IVR_NOT_IDENTIFIED);
	cr_assert_eq(by_digits(t, "C4", "****").outcome, PCRM_IVR_NOT_IDENTIFIED);
}

PCRM_BACKEND_TEST(ivr_identify, bad_input_and_scope_change_nothing)
{
	static const pcrm_ivr_lockout bad_policies[] = { { 0, 900 }, { 101, 900 }, { 3, 59 },
		                                         { 3, 86401 } };
	pcrm_ivr_identity id;
	int64_t audits;

	setup(t);
	audits = count_of(t, "SELECT COUNT(*) FROM audit_log");
	pcrm_assert_fails(pcrm_ivr_identify_by_id_digits(t->ctx, &city_agent, "C1", "00a1", NULL, &id),
	                  PCRM_EINVAL, "digits: must be the last 4 characters");
	cr_assert_null(strstr(pcrm_error_last(), "00a1"));
	pcrm_assert_fails(pcrm_ivr_identify_by_id_digits(t->ctx, &city_agent, "C1", "00211", NULL, &id),
	                  PCRM_EINVAL, "digits:");
	pcrm_assert_fails(pcrm_ivr_identify_by_id_digits(t->ctx, &city_agent, "C1", NULL, NULL, &id),
	                  PCRM_EINVAL, "digits: missing");
	pcrm_assert_fails(pcrm_ivr_identify_by_id_digits(t->ctx, &city_agent, "C 1", "0021", NULL, &id),
	                  PCRM_EINVAL, "customer_no");
	for (size_t i = 0; i < sizeof(bad_policies) / sizeof(bad_policies[0]); i++)
		pcrm_assert_fails(pcrm_ivr_identify_by_id_digits(t->ctx, &city_agent, "C1", "0021",
		                                                 &bad_policies[i], &id),
		                  PCRM_EINVAL, "policy.");
	pcrm_assert_fails(pcrm_ivr_identify_by_id_digits(t->ctx, &city_agent, "C1", "0021", NULL, NULL),
	                  PCRM_EINVAL, "out");
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM audit_log"), audits, "bad input is not audited");

	/* Qingdao's customer and a number nobody has: the same refusal */
	pcrm_assert_fails(pcrm_ivr_identify_by_id_digits(t->ctx, &city_agent, "C3", "1234", NULL, &id),
	                  PCRM_EPERM, "customer: unknown or outside the org subtree");
	pcrm_assert_fails(pcrm_ivr_identify_by_id_digits(t->ctx, &city_agent, "C9", "1234", NULL, &id),
	                  PCRM_EPERM, "customer: unknown or outside the org subtree");
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM ivr_attempt"), 0);
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'ivr.identify'"), 0);
}
