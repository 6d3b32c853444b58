/*
 * Shared by the coverage tests (tests/audit/test_audit_cover*.c): the
 * attacker's raw SQL, the two auditors' verifications, and the ledger
 * situations several of them start from.
 */
#ifndef PCRM_TEST_AUDIT_COVER_FIXTURE_H
#define PCRM_TEST_AUDIT_COVER_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../billing/billing_fixtures.h"
#include "audit/audit_internal.h"
#include "core/ctx.h"
#include "store/store.h"

/* Jinan's auditor: verifies the chains of city 3701 only (the province's `monitor` all). */
static const pcrm_actor city_monitor = { "monitor-jn", PCRM_ROLE_MONITOR, 1, "3701" };

/* The attacker's statement, straight into the database; it must change a row. */
static inline void raw(pcrm_test_store *t, const char *sql)
{
	int64_t changed = 0;
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, sql, NULL, 0, &changed));
	cr_assert_gt(changed, 0, "the attack changed no row: %s", sql);
}

/* Both auditors find nothing. */
static inline void assert_verifies(pcrm_test_store *t)
{
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, NULL, NULL));
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &city_monitor, NULL, NULL));
}

/* Found by the province's auditor (entries in the province's chain, or a system actor's). */
static inline void assert_tampered_in_province(pcrm_test_store *t, const char *needle)
{
	int64_t bad = 0;
	pcrm_assert_fails(pcrm_audit_verify(t->ctx, &monitor, NULL, &bad), PCRM_EINTEGRITY, needle);
	cr_assert_gt(bad, 0);
}

/* Found by the province's auditor and by the city's (the entries are in the city's chain). */
static inline void assert_tampered(pcrm_test_store *t, const char *needle)
{
	assert_tampered_in_province(t, needle);
	pcrm_assert_fails(pcrm_audit_verify(t->ctx, &city_monitor, NULL, NULL), PCRM_EINTEGRITY,
	                  needle);
}

/* A counter payment's request (the returned text lives until the next call). */
static inline const char *payment(const char *key, const char *amount)
{
	static char doc[256];
	snprintf(doc, sizeof(doc),
	         "{\"kind\": \"payment\", \"idempotency_key\": \"%s\", \"amount\": \"%s\","
	         " \"channel\": \"counter\"}",
	         key, amount);
	return doc;
}

/* Home 1 (A1) with a bill of 300.00 and a payment of 100.00 on it, both posted singly. */
static inline void billed_and_part_paid(pcrm_test_store *t)
{
	make_tree(t->ctx);
	pcrm_test_add_home(t->ctx, &city_clerk, 1, "3701", "C1", "A1", "P1", "M1", SEP15);
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_admin, "A1",
	                                "{\"kind\": \"bill\", \"bill_no\": \"B1\","
	                                " \"period\": \"2026-10\", \"amount\": \"300.00\","
	                                " \"issue_date\": \"2026-11-01\","
	                                " \"due_date\": \"2026-11-15\"}",
	                                NULL));
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A1", payment("K1", "100.00"), NULL));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_item WHERE open_amount = '200.00'"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'account' "
	                      "AND covers LIKE '3/%'"),
	             2, "both postings cover the account with revision 3");
	assert_verifies(t);
}

/*
 * October's run over 3701 posted in bulk (one entry for the batch, none per
 * account), A1 with a September bill of 10.00 posted singly before (no
 * credit, so the batch posts A1 in bulk too): A1's balance and items change
 * without an entry naming A1, and verify.
 */
static inline void run_and_post_october(pcrm_test_store *t)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	char *gz = pcrm_test_read_tariff("cn-gd-guangzhou-residential.json");
	make_tree(t->ctx);
	add_home(t, &city_clerk, 1, "3701", "600");
	add_home(t, &city_clerk, 2, "3701", "200");
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_admin, "A1",
	                                "{\"kind\": \"bill\", \"bill_no\": \"B0\","
	                                " \"period\": \"2026-09\", \"amount\": \"10.00\","
	                                " \"issue_date\": \"2026-10-01\","
	                                " \"due_date\": \"2026-10-15\"}",
	                                NULL));
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, gz));
	free(gz);
	assert_verifies(t);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin,
	                                "{\"org_unit\": \"3701\", \"period\": \"2026-10\","
	                                " \"issue_date\": \"2026-11-01\", \"due_date\": \"2026-11-15\","
	                                " \"batch_size\": 10, \"post\": true,"
	                                " \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}",
	                                NULL, NULL, &s));
	cr_assert_eq(s.billed, 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_item WHERE kind = 'bill'"), 3);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.post_bills'"),
	             1, "both October bills posted in bulk");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.post' "
	                      "AND object_id = 'A1'"),
	             1, "A1's only single posting is September's bill");
	assert_verifies(t);
}

#endif
