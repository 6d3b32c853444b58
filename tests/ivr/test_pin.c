/*
 * IVR PINs on both stores: set with the ID digits, identify by PIN, change
 * with the old PIN; the PIN is stored only as a salted PBKDF2 hash (never
 * in clear, never in the audit log); wrong PINs and wrong ID digits share
 * one lockout; a customer without a PIN is never identified by one; weak
 * and malformed PINs, scope and a missing permission change nothing.
 */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

static void setup(pcrm_test_store *t)
{
	static const char *const docs[] = {
		"{\"customer_no\": \"C1\", \"kind\": \"person\", \"name\": \"张三\","
		" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"3701\","
		" \"id_number\": \"11010519491231002X\"}",
		"{\"customer_no\": \"C2\", \"kind\": \"person\", \"name\": \"李四\","
		" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"3701\","
		" \"id_number\": \"110105194912310038\"}",
		"{\"customer_no\": \"C3\", \"kind\": \"person\", \"name\": \"王五\","
		" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"3702\","
		" \"id_number\": \"370202198001011232\"}",
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

static pcrm_ivr_outcome by_pin(pcrm_test_store *t, const char *no, const char *pin)
{
	pcrm_ivr_identity id;

	memset(&id, 0x5a, sizeof(id));
	pcrm_assert_ok(pcrm_ivr_identify_by_pin(t->ctx, &city_agent, no, pin, NULL, &id));
	if (id.outcome == PCRM_IVR_IDENTIFIED)
		cr_assert_str_eq(id.customer_no, no);
	else
		cr_assert_str_eq(id.customer_no, "");
	return id.outcome;
}

PCRM_BACKEND_TEST(ivr_pin, set_identify_change)
{
	pcrm_ivr_identity id;

	setup(t);
	/* no PIN yet: never identified by one (and the try counts) */
	cr_assert_eq(by_pin(t, "C1", "246810"), PCRM_IVR_NOT_IDENTIFIED);

	/* set with the right ID digits (X keyed as *) */
	t->now += 1;
	pcrm_assert_ok(pcrm_ivr_pin_set(t->ctx, &city_agent, "C1", "002*", "246810", NULL, &id));
	cr_assert_eq(id.outcome, PCRM_IVR_IDENTIFIED);
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM ivr_pin WHERE customer_no = 'C1'"
	                         " AND hash <> '246810' AND LENGTH(hash) = 64 AND LENGTH(salt) = 32"
	                         " AND iterations >= 100000"), 1, "stored as a salted PBKDF2 hash");
	t->now += 1;
	cr_assert_eq(by_pin(t, "C1", "246810"), PCRM_IVR_IDENTIFIED);
	cr_assert_eq(by_pin(t, "C1", "246811"), PCRM_IVR_NOT_IDENTIFIED);
	cr_assert_eq(by_pin(t, "C2", "246810"), PCRM_IVR_NOT_IDENTIFIED, "C1's PIN is not C2's");

	/* two customers with one PIN get different salts and hashes */
	pcrm_assert_ok(pcrm_ivr_pin_set(t->ctx, &city_agent, "C2", "0038", "246810", NULL, &id));
	cr_assert_eq(id.outcome, PCRM_IVR_IDENTIFIED);
	cr_assert_eq(count_of(t, "SELECT COUNT(DISTINCT hash) + COUNT(DISTINCT salt) FROM ivr_pin"),
	             4);

	/* change: the old PIN authorises it, then only the new one identifies */
	t->now += 1;
	pcrm_assert_ok(pcrm_ivr_pin_change(t->ctx, &city_agent, "C1", "246810", "975310", NULL,
	                                   &id));
	cr_assert_eq(id.outcome, PCRM_IVR_IDENTIFIED);
	t->now += 1;
	cr_assert_eq(by_pin(t, "C1", "246810"), PCRM_IVR_NOT_IDENTIFIED);
	t->now += 1; /* a wrong try in the second of a right one still counts */
	cr_assert_eq(by_pin(t, "C1", "975310"), PCRM_IVR_IDENTIFIED);

	/* a wrong old PIN or wrong digits change nothing */
	t->now += 1;
	pcrm_assert_ok(pcrm_ivr_pin_change(t->ctx, &city_agent, "C1", "111112", "135790", NULL,
	                                   &id));
	cr_assert_eq(id.outcome, PCRM_IVR_NOT_IDENTIFIED);
	pcrm_assert_ok(pcrm_ivr_pin_set(t->ctx, &city_agent, "C1", "0000", "135790", NULL, &id));
	cr_assert_eq(id.outcome, PCRM_IVR_NOT_IDENTIFIED);
	t->now += 1;
	cr_assert_eq(by_pin(t, "C1", "975310"), PCRM_IVR_IDENTIFIED, "two wrong tries: not locked");
	t->now += 1;
	cr_assert_eq(by_pin(t, "C1", "135790"), PCRM_IVR_NOT_IDENTIFIED);

	/* the audit trail names methods and outcomes, never a PIN */
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'ivr.pin_set'"), 3);
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%246810%'"
	                         " OR summary LIKE '%975310%' OR summary LIKE '%135790%'"), 0);
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'ivr.identify'"
	                         " AND summary LIKE '%\"pin\"%'"), 8);
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'ivr.identify'"
	                         " AND summary LIKE '%pin_change%'"), 2);
}

PCRM_BACKEND_TEST(ivr_pin, wrong_pins_and_digits_share_the_lockout)
{
	pcrm_ivr_identity id;

	setup(t);
	pcrm_assert_ok(pcrm_ivr_pin_set(t->ctx, &city_agent, "C1", "002*", "246810", NULL, &id));
	t->now += 1;
	cr_assert_eq(by_pin(t, "C1", "111111"), PCRM_IVR_NOT_IDENTIFIED);
	pcrm_assert_ok(pcrm_ivr_identify_by_id_digits(t->ctx, &city_agent, "C1", "9999", NULL, &id));
	cr_assert_eq(id.attempts_left, 1, "a wrong PIN and wrong digits count together");
	cr_assert_eq(by_pin(t, "C1", "222222"), PCRM_IVR_NOT_IDENTIFIED);
	/* locked: the right PIN is not even compared, and no PIN can be set */
	cr_assert_eq(by_pin(t, "C1", "246810"), PCRM_IVR_LOCKED);
	pcrm_assert_ok(pcrm_ivr_pin_set(t->ctx, &city_agent, "C1", "002*", "135790", NULL, &id));
	cr_assert_eq(id.outcome, PCRM_IVR_LOCKED);
	cr_assert_gt(id.locked_until, t->now);
	/* after the window the right PIN works, and it is still the first one */
	t->now += 901;
	cr_assert_eq(by_pin(t, "C1", "135790"), PCRM_IVR_NOT_IDENTIFIED);
	t->now += 1;
	cr_assert_eq(by_pin(t, "C1", "246810"), PCRM_IVR_IDENTIFIED);
}

PCRM_BACKEND_TEST(ivr_pin, weak_malformed_foreign_and_unpermitted_change_nothing)
{
	pcrm_ivr_identity id;

	setup(t);
	memset(&id, 0x5a, sizeof(id));
	pcrm_assert_fails(pcrm_ivr_pin_set(t->ctx, &city_agent, "C1", "002*", "123456", NULL, &id),
	                  PCRM_EINVAL, "new_pin: too easy");
	pcrm_assert_fails(pcrm_ivr_pin_set(t->ctx, &city_agent, "C1", "002*", "98765", NULL, &id),
	                  PCRM_EINVAL, "new_pin: must be 6 to 8 digits");
	pcrm_assert_fails(pcrm_ivr_pin_set(t->ctx, &city_agent, "C1", "002*", "777777", NULL, &id),
	                  PCRM_EINVAL, "new_pin: too easy");
	pcrm_assert_fails(pcrm_ivr_pin_set(t->ctx, &city_agent, "C1", "002*", NULL, NULL, &id),
	                  PCRM_EINVAL, "new_pin: missing");
	pcrm_assert_fails(pcrm_ivr_pin_set(t->ctx, &city_agent, "C1", "02*", "246810", NULL, &id),
	                  PCRM_EINVAL, "digits");
	pcrm_assert_fails(pcrm_ivr_identify_by_pin(t->ctx, &city_agent, "C1", "24681a", NULL, &id),
	                  PCRM_EINVAL, "pin: must be");
	cr_assert(strstr(pcrm_error_last(), "24681a") == NULL, "the PIN is never echoed");
	pcrm_assert_fails(pcrm_ivr_identify_by_pin(t->ctx, &city_agent, "C1", "123456789", NULL, &id),
	                  PCRM_EINVAL, "pin");
	pcrm_assert_fails(pcrm_ivr_pin_change(t->ctx, &city_agent, "C1", "12", "246810", NULL, &id),
	                  PCRM_EINVAL, "old_pin");
	pcrm_assert_fails(pcrm_ivr_identify_by_pin(t->ctx, &city_agent, "C1", "246810", NULL, NULL),
	                  PCRM_EINVAL, "out");
	/* Qingdao's customer and a number nobody has: one refusal */
	pcrm_assert_fails(pcrm_ivr_pin_set(t->ctx, &city_agent, "C3", "1232", "246810", NULL, &id),
	                  PCRM_EPERM, "customer");
	pcrm_assert_fails(pcrm_ivr_identify_by_pin(t->ctx, &city_agent, "C9", "246810", NULL, &id),
	                  PCRM_EPERM, "customer");
	/* a monitor reads the archive but writes nothing: no PIN */
	pcrm_assert_fails(pcrm_ivr_pin_set(t->ctx, &monitor, "C1", "002*", "246810", NULL, &id),
	                  PCRM_EPERM, "contact");
	cr_assert_eq(id.outcome, 0x5a5a5a5a, "the identity is untouched on failure");
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM ivr_pin"), 0);
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM ivr_attempt"), 0);
}

PCRM_BACKEND_TEST(ivr_pin, erasing_the_customer_deletes_the_pin)
{
	pcrm_ivr_identity id;

	setup(t);
	pcrm_assert_ok(pcrm_ivr_pin_set(t->ctx, &city_agent, "C1", "002*", "246810", NULL, &id));
	pcrm_assert_ok(pcrm_ivr_pin_set(t->ctx, &city_agent, "C2", "0038", "246810", NULL, &id));
	pcrm_assert_ok(pcrm_customer_close(t->ctx, &city_clerk, "C1", 1));
	pcrm_assert_ok(pcrm_customer_erase(t->ctx, &city_admin, "C1", 2));
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM ivr_pin WHERE customer_no = 'C1'"), 0);
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM ivr_pin"), 1, "C2's PIN stays");
}
