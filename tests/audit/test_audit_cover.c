/*
 * After-image coverage of contacts, meter readings, tariffs and payments
 * (docs/security.md, "Coverage of business rows"), on both stores: each row
 * edited or deleted straight in the database is found by pcrm_audit_verify(),
 * and what the library itself changes later (a reseal, an erasure, a meter's
 * removal, a new tariff version) is not reported as tampering.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../billing/billing_fixtures.h"
#include "core/ctx.h"
#include "store/store.h"

static const pcrm_actor city_monitor = { "monitor-jn", PCRM_ROLE_MONITOR, 1, "3701" };

static void raw(pcrm_test_store *t, const char *sql)
{
	int64_t changed = 0;
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, sql, NULL, 0, &changed));
	cr_assert_gt(changed, 0, "the attack changed no row: %s", sql);
}

static void assert_verifies(pcrm_test_store *t)
{
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &monitor, NULL, NULL));
}

/* Found by the province's auditor, and by the city's where the entry is in the city's chain. */
static void assert_found(pcrm_test_store *t, const char *needle, int in_city_chain)
{
	int64_t bad = 0;
	pcrm_assert_fails(pcrm_audit_verify(t->ctx, &monitor, NULL, &bad), PCRM_EINTEGRITY, needle);
	cr_assert_gt(bad, 0);
	if (in_city_chain)
		pcrm_assert_fails(pcrm_audit_verify(t->ctx, &city_monitor, NULL, NULL),
		                  PCRM_EINTEGRITY, needle);
}

static void assert_row_tampered(pcrm_test_store *t, const char *needle)
{
	assert_found(t, needle, 1);
}

/* ---- contacts ---- */

/* Customer C1 (home 1 in 3701) with one contact; its id into `id`. */
static void add_contact(pcrm_test_store *t, char id[64])
{
	pcrm_contact *c = NULL;
	make_tree(t->ctx);
	pcrm_test_add_home(t->ctx, &city_clerk, 1, "3701", "C1", "A1", "P1", "M1", SEP15);
	pcrm_assert_ok(pcrm_contact_record(t->ctx, &city_agent, "C1",
	                                   "{\"channel\": \"phone\", \"direction\": \"inbound\","
	                                   " \"caller_number\": \"15905310000\","
	                                   " \"business_code\": \"billing\","
	                                   " \"summary\": \"问电费\"}",
	                                   &c));
	snprintf(id, 64, "%s", pcrm_contact_id(c));
	pcrm_contact_free(c);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'contact' "
	                      "AND covers <> ''"),
	             1, "contact.record covers its row");
	assert_verifies(t);
}

PCRM_BACKEND_TEST(audit_cover, edited_contact_is_found)
{
	char id[64], needle[128];
	add_contact(t, id);
	raw(t, "UPDATE contact SET business_code = 'complaint'");
	snprintf(needle, sizeof(needle), "contact %s no longer matches", id);
	assert_row_tampered(t, needle);
}

PCRM_BACKEND_TEST(audit_cover, deleted_contact_is_found)
{
	char id[64], needle[128];
	add_contact(t, id);
	raw(t, "DELETE FROM contact");
	snprintf(needle, sizeof(needle), "contact %s no longer matches", id);
	assert_row_tampered(t, needle);
}

PCRM_BACKEND_TEST(audit_cover, erasing_a_customer_leaves_its_contacts_verifiable)
{
	char id[64];
	add_contact(t, id);
	pcrm_assert_ok(pcrm_customer_close(t->ctx, &city_clerk, "C1", 1));
	pcrm_assert_ok(pcrm_customer_erase(t->ctx, &city_admin, "C1", 2));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM contact WHERE caller_number IS NULL"), 1,
	             "the erasure changed the contact");
	assert_verifies(t);
}

/* ---- meter readings ---- */

/* Home 1's meter M1 with two October readings, then removed with its final reading. */
static void add_readings(pcrm_test_store *t, int remove)
{
	make_tree(t->ctx);
	pcrm_test_add_home(t->ctx, &city_clerk, 1, "3701", "C1", "A1", "P1", "M1", SEP15);
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                   pcrm_test_dec("1100"), OCT31 - 10 * 86400, 0, NULL));
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                   pcrm_test_dec("1250"), OCT31, 0, NULL));
	if (remove)
		pcrm_assert_ok(pcrm_meter_remove(t->ctx, &city_clerk, "P1",
		                                 "{\"reason\": \"fault\","
		                                 " \"final_readings\": {\"total\": \"1260\"}}",
		                                 OCT31 + 86400));
	cr_assert_geq(count(t, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'meter' "
	                       "AND covers <> ''"),
	              2);
	assert_verifies(t);
}

PCRM_BACKEND_TEST(audit_cover, edited_reading_is_found)
{
	add_readings(t, 0);
	raw(t, "UPDATE meter_reading SET value = '1150', energy = '50' WHERE meter_no = 'M1' "
	       "AND value = '1100'");
	assert_row_tampered(t, "meter M1 no longer matches");
}

PCRM_BACKEND_TEST(audit_cover, deleted_newest_reading_is_found)
{
	add_readings(t, 0);
	raw(t, "DELETE FROM meter_reading WHERE meter_no = 'M1' AND value = '1250'");
	assert_row_tampered(t, "meter M1 no longer matches");
}

PCRM_BACKEND_TEST(audit_cover, a_removal_keeps_the_readings_verifiable)
{
	add_readings(t, 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_reading WHERE meter_no = 'M1'"), 3);
	raw(t, "UPDATE meter_reading SET read_at = read_at - 3600 WHERE meter_no = 'M1' "
	       "AND value = '1250'");
	assert_row_tampered(t, "meter M1 no longer matches");
}

/* ---- payments (ledger entries) ---- */

PCRM_BACKEND_TEST(audit_cover, edited_payment_is_found)
{
	make_tree(t->ctx);
	pcrm_test_add_home(t->ctx, &city_clerk, 1, "3701", "C1", "A1", "P1", "M1", SEP15);
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A1",
	                                "{\"kind\": \"payment\", \"idempotency_key\": \"K1\","
	                                " \"amount\": \"150.00\", \"channel\": \"counter\"}",
	                                NULL));
	assert_verifies(t);
	raw(t, "UPDATE ledger_entry SET amount = '15.00', balance = '15.00' "
	       "WHERE account_no = 'A1'");
	assert_row_tampered(t, "account A1 no longer matches");
}

/* ---- tariffs ---- */

static void publish_two(pcrm_test_store *t)
{
	char *gz = pcrm_test_read_tariff("cn-gd-guangzhou-residential.json");
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, gz));
	memcpy(strstr(gz, "\"version\": 1"), "\"version\": 2", 12);
	memcpy(strstr(gz, "\"0.589\""), "\"0.600\"", 7);
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, gz));
	free(gz);
	assert_verifies(t);
}

PCRM_BACKEND_TEST(audit_cover, edited_tariff_price_is_found)
{
	publish_two(t);
	/* the DBA lowers version 1's price; the province's entries are in the province's chain */
	raw(t, "UPDATE tariff_version SET doc = replace(doc, '0.589', '0.389') WHERE version = 1");
	assert_found(t, "tariff cn-gd-guangzhou-residential no longer matches", 0);
}

PCRM_BACKEND_TEST(audit_cover, moved_or_deleted_tariff_version_is_found)
{
	publish_two(t);
	raw(t, "UPDATE tariff_version SET scope_unit = '3702' WHERE version = 2");
	assert_found(t, "tariff cn-gd-guangzhou-residential no longer matches", 0);
	raw(t, "UPDATE tariff_version SET scope_unit = NULL WHERE version = 2");
	assert_verifies(t);
	raw(t, "DELETE FROM tariff_version WHERE version = 2");
	assert_found(t, "tariff cn-gd-guangzhou-residential no longer matches", 0);
}

/* ---- bills of billing runs ---- */

/* October's run over 3701 in batches of 2: homes 1..3 (A3 without reading), one correction. */
static void run_october(pcrm_test_store *t, int correct)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	char *gz = pcrm_test_read_tariff("cn-gd-guangzhou-residential.json");
	make_tree(t->ctx);
	add_home(t, &city_clerk, 1, "37010201", "600");
	add_home(t, &city_clerk, 2, "370102", "200");
	add_home(t, &city_clerk, 3, "3701", NULL);
	add_home(t, &city_clerk, 4, "3701", "300");
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, gz));
	free(gz);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin,
	                                "{\"org_unit\": \"3701\", \"period\": \"2026-10\","
	                                " \"issue_date\": \"2026-11-01\", \"due_date\": \"2026-11-15\","
	                                " \"batch_size\": 2, \"post\": true,"
	                                " \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}",
	                                NULL, NULL, &s));
	cr_assert_eq(s.billed, 3);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'billing.run' "
	                      "AND object_type = 'bill_batch' AND covers <> ''"),
	             2, "one covering entry per batch");
	cr_assert_eq(count(t, "SELECT COUNT(DISTINCT batch) FROM bill"), 2);
	if (correct) {
		pcrm_bill_record *fresh = NULL;
		pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
		                                   pcrm_test_dec("1700"), OCT31 + 3600, 0, NULL));
		pcrm_assert_ok(pcrm_bill_correct(t->ctx, &city_admin, "A1-202610", "late reading",
		                                 &fresh));
		pcrm_bill_record_free(fresh);
		cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill WHERE status = 'void'"), 1);
	}
	assert_verifies(t);
}

PCRM_BACKEND_TEST(audit_cover, edited_run_bill_is_found)
{
	run_october(t, 0);
	raw(t, "UPDATE bill SET total = '1.00' WHERE bill_no = 'A4-202610'");
	assert_row_tampered(t, "bill_batch ");
}

PCRM_BACKEND_TEST(audit_cover, deleted_or_moved_run_bill_is_found)
{
	run_october(t, 0);
	raw(t, "UPDATE bill SET batch = NULL WHERE bill_no = 'A2-202610'");
	assert_row_tampered(t, "bill_batch ");
	raw(t, "UPDATE bill SET batch = (SELECT batch FROM bill WHERE bill_no = 'A1-202610') "
	       "WHERE bill_no = 'A2-202610'");
	assert_verifies(t);
	raw(t, "DELETE FROM bill WHERE bill_no = 'A2-202610'");
	assert_row_tampered(t, "bill_batch ");
}

PCRM_BACKEND_TEST(audit_cover, a_correction_keeps_the_run_verifiable)
{
	run_october(t, 1);
	raw(t, "UPDATE bill SET energy = '1' WHERE bill_no = 'A1-202610'");
	assert_row_tampered(t, "bill_batch ");
}
