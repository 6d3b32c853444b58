/*
 * Bank account numbers sealed (schema 28, docs/security.md "Personal data"),
 * on both stores: the account row and the audit log keep only the mask, the
 * number opens only for bank.reconcile (audited, mask only), updates keep,
 * replace or drop the cipher, a context without the data key can store no
 * new number, and accounts written in clear before schema 28 are sealed by
 * pcrm_account_reseal() in resumable batches.  Erasure: tests/customer/test_pii.c.
 */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

static const pcrm_actor qd_admin = { "admin-qd", PCRM_ROLE_ADMIN, 2, "3702" };
static const pcrm_actor system_jn = { "crm-batch", PCRM_ROLE_SYSTEM, 1, "3701" };

static const char *const customer_c1 =
	"{\"customer_no\": \"C1\", \"kind\": \"organisation\", \"name\": \"历下钢构厂\","
	" \"usage_class\": \"large_industry\", \"voltage_level\": \"10kV\", \"org_unit\": \"37010201\"}";

/* 19 digits: mask keeps the first and the last 4 */
#define NUMBER_A2 "6222020200001234567"
#define MASK_A2 "6222***********4567"
static const char *const account_a2 =
	"{\"account_no\": \"A2\", \"name\": \"银行代扣户\", \"payment_method\": \"bank_collection\","
	" \"bank\": \"工商银行济南分行\", \"bank_account\": \"" NUMBER_A2 "\"}";
/* 10 digits: only the last 4 */
#define NUMBER_A3 "6228480012"
static const char *const account_a3 =
	"{\"account_no\": \"A3\", \"name\": \"农行代扣\", \"payment_method\": \"bank_collection\","
	" \"bank\": \"农业银行\", \"bank_account\": \"" NUMBER_A3 "\"}";

static int64_t count(pcrm_ctx *ctx, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(ctx->store, sql, NULL, 0, &n));
	return n;
}

static void setup(pcrm_test_store *t)
{
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, customer_c1, NULL));
	pcrm_assert_ok(pcrm_account_create(t->ctx, &city_clerk, "C1", account_a2, NULL));
}

static void assert_reveals(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                           const char *number)
{
	char *out = NULL;
	pcrm_assert_ok(pcrm_account_bank_account_reveal(ctx, actor, account_no, &out));
	cr_assert_str_eq(out, number);
	pcrm_free(out);
}

PCRM_BACKEND_TEST(bank_account, stored_sealed_shown_masked)
{
	pcrm_account *a;
	setup(t);
	pcrm_assert_ok(pcrm_account_get(t->ctx, &city_agent, "A2", &a));
	cr_assert(strstr(pcrm_account_json(a), "\"bank_account\":\"" MASK_A2 "\""), "%s",
	          pcrm_account_json(a));
	pcrm_account_free(a);
	/* nowhere in the row or the log in clear; the row has its cipher */
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM account WHERE doc LIKE '%" NUMBER_A2 "%' "
	                           "OR bank_cipher LIKE '%" NUMBER_A2 "%'"),
	             0);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM account WHERE account_no = 'A2' AND "
	                           "bank_cipher IS NOT NULL AND doc LIKE '%" MASK_A2 "%'"),
	             1);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%" NUMBER_A2
	                           "%'"),
	             0);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'account.create' "
	                           "AND summary LIKE '%" MASK_A2 "%'"),
	             1);
	/* a short number keeps only its last 4 digits */
	pcrm_assert_ok(pcrm_account_create(t->ctx, &city_clerk, "C1", account_a3, &a));
	cr_assert(strstr(pcrm_account_json(a), "\"bank_account\":\"******0012\""), "%s",
	          pcrm_account_json(a));
	pcrm_account_free(a);
}

PCRM_BACKEND_TEST(bank_account, reveal_needs_bank_reconcile_and_is_audited)
{
	char *out = (char *)"untouched";
	setup(t);
	assert_reveals(t->ctx, &city_admin, "A2", NUMBER_A2);
	assert_reveals(t->ctx, &system_jn, "A2", NUMBER_A2);
	/* the archive's own roles may not, nor another city, and a missing account alike */
	pcrm_assert_fails(pcrm_account_bank_account_reveal(t->ctx, &city_clerk, "A2", &out),
	                  PCRM_EPERM, "");
	cr_assert_null(out);
	pcrm_assert_fails(pcrm_account_bank_account_reveal(t->ctx, &city_agent, "A2", &out),
	                  PCRM_EPERM, "");
	pcrm_assert_fails(pcrm_account_bank_account_reveal(t->ctx, &qd_admin, "A2", &out),
	                  PCRM_EPERM, "unknown or outside");
	{
		char theirs[512];
		snprintf(theirs, sizeof(theirs), "%s", pcrm_error_last());
		pcrm_assert_fails(pcrm_account_bank_account_reveal(t->ctx, &qd_admin, "A404", &out),
		                  PCRM_EPERM, "unknown or outside");
		cr_assert_str_eq(pcrm_error_last(), theirs, "a missing account is refused alike");
	}
	cr_assert_null(strstr(pcrm_error_last(), "6222"));
	pcrm_assert_fails(pcrm_account_bank_account_reveal(t->ctx, &city_admin, "A2", NULL),
	                  PCRM_EINVAL, "out");
	pcrm_assert_fails(pcrm_account_bank_account_reveal(t->ctx, &city_admin, "", &out), PCRM_EINVAL,
	                  "account_no");
	/* each reveal is one entry with the mask; refusals are audited as denials */
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM audit_log WHERE action = "
	                           "'account.reveal_bank_account' AND object_id = 'A2' AND summary "
	                           "LIKE '%" MASK_A2 "%'"),
	             2);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%" NUMBER_A2
	                           "%'"),
	             0);
	/* a cash account has no number */
	pcrm_assert_ok(pcrm_account_create(t->ctx, &city_clerk, "C1",
	                                   "{\"account_no\": \"A1\", \"name\": \"x\","
	                                   " \"payment_method\": \"cash\"}",
	                                   NULL));
	pcrm_assert_fails(pcrm_account_bank_account_reveal(t->ctx, &city_admin, "A1", &out),
	                  PCRM_ESTATE, "no bank account");
	cr_assert_null(out);
}

PCRM_BACKEND_TEST(bank_account, updates_keep_replace_and_drop_the_number)
{
	pcrm_account *a;
	setup(t);
	/* another field: the sealed number stays */
	pcrm_assert_ok(pcrm_account_update(t->ctx, &city_clerk, "A2", "{\"name\": \"改名\"}", 1, &a));
	cr_assert(strstr(pcrm_account_json(a), MASK_A2), "%s", pcrm_account_json(a));
	pcrm_account_free(a);
	assert_reveals(t->ctx, &city_admin, "A2", NUMBER_A2);
	/* a mask is not a number anyone may write */
	pcrm_assert_fails(pcrm_account_update(t->ctx, &city_clerk, "A2",
	                                      "{\"bank_account\": \"" MASK_A2 "\"}", 2, NULL),
	                  PCRM_EINVAL, "bank_account: the character at byte 5 is not a digit");
	/* a new number */
	pcrm_assert_ok(pcrm_account_update(t->ctx, &city_clerk, "A2",
	                                   "{\"bank_account\": \"6217000010002222333\"}", 2, &a));
	cr_assert(strstr(pcrm_account_json(a), "6217***********2333"), "%s", pcrm_account_json(a));
	pcrm_account_free(a);
	assert_reveals(t->ctx, &city_admin, "A2", "6217000010002222333");
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM audit_log WHERE summary LIKE "
	                           "'%6217000010002222333%'"),
	             0);
	/* no more bank collection: the cipher goes too */
	pcrm_assert_ok(pcrm_account_update(t->ctx, &city_clerk, "A2",
	                                   "{\"payment_method\": \"cash\", \"bank\": null,"
	                                   " \"bank_account\": null}",
	                                   3, NULL));
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM account WHERE bank_cipher IS NOT NULL"), 0);
	pcrm_assert_fails(pcrm_account_bank_account_reveal(t->ctx, &city_admin, "A2", &(char *){ 0 }),
	                  PCRM_ESTATE, "no bank account");
}

PCRM_BACKEND_FILE_TEST(bank_account, without_the_data_key)
{
	pcrm_ctx *keyless;
	char *out = NULL;
	setup(t);
	keyless = pcrm_test_open_keyless(t);
	/* no new number without the key; nothing stored */
	pcrm_assert_fails(pcrm_account_create(keyless, &city_clerk, "C1", account_a3, NULL),
	                  PCRM_EPERM, "bank_account");
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM account WHERE account_no = 'A3'"), 0);
	/* work that leaves the number alone goes on */
	pcrm_assert_ok(pcrm_account_update(keyless, &city_clerk, "A2", "{\"name\": \"无钥更名\"}", 1,
	                                   NULL));
	pcrm_assert_fails(pcrm_account_bank_account_reveal(keyless, &city_admin, "A2", &out),
	                  PCRM_EPERM, "bank_account");
	pcrm_assert_fails(pcrm_account_reseal(keyless, &city_admin, 0, NULL), PCRM_EPERM, "reseal");
	pcrm_ctx_close(keyless);
	assert_reveals(t->ctx, &city_admin, "A2", NUMBER_A2);
}

PCRM_BACKEND_TEST(bank_account, a_cipher_moved_to_another_account_does_not_open)
{
	char *out = NULL;
	setup(t);
	pcrm_assert_ok(pcrm_account_create(t->ctx, &city_clerk, "C1", account_a3, NULL));
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store,
	                                "UPDATE account SET bank_cipher = (SELECT bank_cipher FROM "
	                                "account WHERE account_no = 'A2') WHERE account_no = 'A3'",
	                                NULL, 0, NULL));
	pcrm_assert_fails(pcrm_account_bank_account_reveal(t->ctx, &city_admin, "A3", &out),
	                  PCRM_EINTEGRITY, "");
	cr_assert_null(out);
}

/* ---- accounts written in clear before schema 28 ---- */

/* Puts an account back into the form migration 28 finds: the number in the document. */
static void make_legacy(pcrm_test_store *t, const char *account_no, const char *number)
{
	char doc[512];
	pcrm_sql_value p[2] = { PCRM_SQL_S(account_no), PCRM_SQL_S(doc) };
	snprintf(doc, sizeof(doc),
	         "{\"account_no\":\"%s\",\"bank\":\"b\",\"bank_account\":\"%s\",\"name\":\"x\","
	         "\"payment_method\":\"bank_collection\",\"status\":\"active\"}",
	         account_no, number);
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store,
	                                "UPDATE account SET doc = $2, bank_cipher = NULL "
	                                "WHERE account_no = $1",
	                                p, 2, NULL));
}

PCRM_BACKEND_FILE_TEST(bank_account, reseal_seals_accounts_stored_in_clear)
{
	pcrm_ctx *keyless;
	pcrm_account *a;
	int64_t remaining = -1, checked = 0;

	setup(t);
	pcrm_assert_ok(pcrm_account_create(t->ctx, &city_clerk, "C1", account_a3, NULL));
	pcrm_assert_ok(pcrm_account_create(t->ctx, &city_clerk, "C1",
	                                   "{\"account_no\": \"A4\", \"name\": \"x\","
	                                   " \"payment_method\": \"bank_collection\", \"bank\": \"b\","
	                                   " \"bank_account\": \"6013820000004444\"}",
	                                   NULL));
	make_legacy(t, "A2", NUMBER_A2);
	make_legacy(t, "A3", NUMBER_A3);
	make_legacy(t, "A4", "6013820000004444");

	/* read as before meanwhile, the clear number included */
	pcrm_assert_ok(pcrm_account_get(t->ctx, &city_agent, "A2", &a));
	cr_assert(strstr(pcrm_account_json(a), NUMBER_A2), "%s", pcrm_account_json(a));
	pcrm_account_free(a);
	assert_reveals(t->ctx, &city_admin, "A2", NUMBER_A2);
	/* a keyless update leaves it as it is; a keyed one seals it */
	keyless = pcrm_test_open_keyless(t);
	pcrm_assert_ok(pcrm_account_update(keyless, &city_clerk, "A4", "{\"name\": \"y\"}", 1, NULL));
	pcrm_ctx_close(keyless);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM account WHERE doc LIKE '%6013820000004444%'"),
	             1);
	pcrm_assert_ok(pcrm_account_update(t->ctx, &city_clerk, "A4", "{\"name\": \"z\"}", 2, NULL));
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM account WHERE doc LIKE '%6013820000004444%'"),
	             0);
	assert_reveals(t->ctx, &city_admin, "A4", "6013820000004444");

	/* who may, and bad batches */
	pcrm_assert_fails(pcrm_account_reseal(t->ctx, &city_agent, 1, &remaining), PCRM_EPERM, "");
	cr_assert_eq(remaining, -1);
	pcrm_assert_fails(pcrm_account_reseal(t->ctx, &city_clerk, -1, &remaining), PCRM_EINVAL,
	                  "batch");
	pcrm_assert_fails(pcrm_account_reseal(t->ctx, &city_clerk, 10001, &remaining), PCRM_EINVAL,
	                  "batch");
	/* another city's actor sees none of them and seals nothing */
	pcrm_assert_ok(pcrm_account_reseal(t->ctx, &qd_admin, 0, &remaining));
	cr_assert_eq(remaining, 0);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM account WHERE bank_cipher IS NULL"), 2);

	/* one a call, resumable: what a call sealed stays sealed */
	pcrm_assert_ok(pcrm_account_reseal(t->ctx, &city_clerk, 1, &remaining));
	cr_assert_eq(remaining, 1);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM account WHERE bank_cipher IS NULL"), 1);
	pcrm_assert_ok(pcrm_account_reseal(t->ctx, &city_clerk, 1, &remaining));
	cr_assert_eq(remaining, 0);

	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM account WHERE doc LIKE '%" NUMBER_A2 "%' "
	                           "OR doc LIKE '%" NUMBER_A3 "%' OR bank_cipher IS NULL"),
	             0);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'account.reseal'"),
	             2);
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%" NUMBER_A3
	                           "%' OR summary LIKE '%" NUMBER_A2 "%'"),
	             0);
	assert_reveals(t->ctx, &city_admin, "A2", NUMBER_A2);
	assert_reveals(t->ctx, &city_admin, "A3", NUMBER_A3);
	pcrm_assert_ok(pcrm_account_get(t->ctx, &city_agent, "A3", &a));
	cr_assert(strstr(pcrm_account_json(a), "\"******0012\""), "%s", pcrm_account_json(a));
	pcrm_account_free(a);
	/* nothing left: no entry */
	pcrm_assert_ok(pcrm_account_reseal(t->ctx, &city_clerk, 0, NULL));
	cr_assert_eq(count(t->ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'account.reseal'"),
	             2);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, &checked, NULL));
	cr_assert_gt(checked, 0);
}
