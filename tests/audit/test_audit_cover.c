/*
 * After-image coverage of contacts, meter readings, tariffs and payments
 * (docs/security.md, "Coverage of business rows"), on both stores: each row
 * edited or deleted straight in the database is found by pcrm_audit_verify(),
 * and what the library itself changes later (a reseal, an erasure, a meter's
 * removal, a new tariff version) is not reported as tampering.
 */
#include "audit_cover_fixture.h"

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
	assert_tampered(t, needle);
}

PCRM_BACKEND_TEST(audit_cover, deleted_contact_is_found)
{
	char id[64], needle[128];
	add_contact(t, id);
	raw(t, "DELETE FROM contact");
	snprintf(needle, sizeof(needle), "contact %s no longer matches", id);
	assert_tampered(t, needle);
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
	assert_tampered(t, "meter M1 no longer matches");
}

PCRM_BACKEND_TEST(audit_cover, deleted_newest_reading_is_found)
{
	add_readings(t, 0);
	raw(t, "DELETE FROM meter_reading WHERE meter_no = 'M1' AND value = '1250'");
	assert_tampered(t, "meter M1 no longer matches");
}

PCRM_BACKEND_TEST(audit_cover, a_removal_keeps_the_readings_verifiable)
{
	add_readings(t, 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_reading WHERE meter_no = 'M1'"), 3);
	raw(t, "UPDATE meter_reading SET read_at = read_at - 3600 WHERE meter_no = 'M1' "
	       "AND value = '1250'");
	assert_tampered(t, "meter M1 no longer matches");
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
	assert_tampered(t, "account A1 no longer matches");
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
	assert_tampered_in_province(t, "tariff cn-gd-guangzhou-residential no longer matches");
}

PCRM_BACKEND_TEST(audit_cover, moved_or_deleted_tariff_version_is_found)
{
	publish_two(t);
	raw(t, "UPDATE tariff_version SET scope_unit = '3702' WHERE version = 2");
	assert_tampered_in_province(t, "tariff cn-gd-guangzhou-residential no longer matches");
	raw(t, "UPDATE tariff_version SET scope_unit = NULL WHERE version = 2");
	assert_verifies(t);
	raw(t, "DELETE FROM tariff_version WHERE version = 2");
	assert_tampered_in_province(t, "tariff cn-gd-guangzhou-residential no longer matches");
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
	assert_tampered(t, "bill_batch ");
}

PCRM_BACKEND_TEST(audit_cover, deleted_or_moved_run_bill_is_found)
{
	run_october(t, 0);
	raw(t, "UPDATE bill SET batch = NULL WHERE bill_no = 'A2-202610'");
	assert_tampered(t, "bill_batch ");
	raw(t, "UPDATE bill SET batch = (SELECT batch FROM bill WHERE bill_no = 'A1-202610') "
	       "WHERE bill_no = 'A2-202610'");
	assert_verifies(t);
	raw(t, "DELETE FROM bill WHERE bill_no = 'A2-202610'");
	assert_tampered(t, "bill_batch ");
}

PCRM_BACKEND_TEST(audit_cover, a_correction_keeps_the_run_verifiable)
{
	run_october(t, 1);
	raw(t, "UPDATE bill SET energy = '1' WHERE bill_no = 'A1-202610'");
	assert_tampered(t, "bill_batch ");
}

/* ---- run bills digested as they are written ---- */

/* Every billing.run entry's covers equals the digest verification takes of its stored bills. */
static void assert_run_covers_are_the_stored_digest(pcrm_test_store *t, int64_t entries)
{
	char ids[8][64], covers[8][PCRM__AUDIT_COVERS_MAX], stored[PCRM__AUDIT_COVERS_MAX];
	pcrm_rows *rows = NULL;
	int64_t n = 0;
	int rc;

	pcrm_assert_ok(pcrm__store_query(t->ctx->store,
	                                 "SELECT object_id, covers FROM audit_log "
	                                 "WHERE action = 'billing.run' ORDER BY seq",
	                                 NULL, 0, &rows));
	while ((rc = pcrm__rows_next(rows)) == 1 && n < 8) {
		snprintf(ids[n], sizeof(ids[n]), "%s", pcrm__rows_text(rows, 0));
		snprintf(covers[n], sizeof(covers[n]), "%s", pcrm__rows_text(rows, 1));
		n++;
	}
	pcrm__rows_free(rows);
	cr_assert_geq(rc, 0);
	cr_assert_eq(n, entries);
	for (int64_t i = 0; i < n; i++) {
		pcrm_assert_ok(pcrm__audit_cover(t->ctx, "bill_batch", ids[i], stored));
		cr_assert_gt(strlen(stored), 2, "batch %s has bills", ids[i]);
		cr_assert_str_eq(covers[i], stored, "batch %s: written digest is the stored rows'", ids[i]);
	}
}

PCRM_BACKEND_TEST(audit_cover, run_digest_is_the_digest_of_the_stored_bills)
{
	run_october(t, 0);
	assert_run_covers_are_the_stored_digest(t, 2);
}

static const char *const bill_columns[] = {
	"customer_no", "bill_no", "account_no", "period", "status", "tariff_id", "tariff_version",
	"issue_day", "due_day", "energy", "total", "replaces", "doc", "created_at", "created_by",
	"batch",
};
/* A "bill_batch" row's columns (lib/audit/cover.c) among bill_columns. */
static const int covered_columns[14] = { 1, 0, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };

/* Writes the rows through the bulk path (COPY on PostgreSQL), as the run does. */
static void write_bills(pcrm_test_store *t, pcrm_sql_value rows[][16], int n)
{
	int rc;
	pcrm_assert_ok(pcrm__store_begin(t->ctx->store));
	rc = pcrm__store_bulk_begin(t->ctx->store, "bill", bill_columns, 16);
	for (int i = 0; i < n && rc == PCRM_OK; i++)
		rc = pcrm__store_bulk_row(t->ctx->store, rows[i]);
	if (rc == PCRM_OK)
		rc = pcrm__store_bulk_end(t->ctx->store, 0);
	pcrm_assert_ok(pcrm__store_finish(t->ctx->store, rc));
}

/* The digest taken while writing rows[0..n) of batch "b-1", in the order given. */
static void written_digest(pcrm_sql_value rows[][16], int n, char out[PCRM__AUDIT_COVERS_MAX])
{
	pcrm__audit_cover_rows *c = NULL;
	pcrm_assert_ok(pcrm__audit_cover_rows_new("bill_batch", &c));
	for (int i = 0; i < n; i++) {
		const pcrm_sql_value *v[14];
		if (strcmp(rows[i][15].s, "b-1") != 0)
			continue;
		for (int k = 0; k < 14; k++)
			v[k] = &rows[i][covered_columns[k]];
		pcrm_assert_ok(pcrm__audit_cover_rows_add(c, v));
	}
	pcrm_assert_ok(pcrm__audit_cover_rows_finish(c, out));
	pcrm__audit_cover_rows_free(c);
}

/*
 * Values whose text could come back otherwise from one engine or the other:
 * decimals with trailing zeros, NULL against "", Chinese text and the
 * characters COPY escapes (tab, newline, backslash) in the document, bill
 * numbers whose byte order is not their accounts' order, a bill of another
 * batch.
 */
PCRM_BACKEND_TEST(audit_cover, bills_digested_while_written_match_their_stored_rows)
{
	static const char doc1[] = "{\"lines\":[{\"name\":\"第一档电量电费\",\"amount\":\"0.10\"}],"
	                           "\"note\":\"tab\there, back\\\\slash, new\nline\"}";
	pcrm_sql_value rows[4][16] = {
		{ PCRM_SQL_S("C1"), PCRM_SQL_S("A1-202610"), PCRM_SQL_S("A1"), PCRM_SQL_S("2026-10"),
		  PCRM_SQL_S("issued"), PCRM_SQL_S("cn-gd-guangzhou-residential"), PCRM_SQL_I(3),
		  PCRM_SQL_I(20758), PCRM_SQL_I(20772), PCRM_SQL_S("0.10"), PCRM_SQL_S("100.00"),
		  PCRM_SQL_NUL, PCRM_SQL_S(doc1), PCRM_SQL_I(1793491200), PCRM_SQL_S("抄表员-济南"),
		  PCRM_SQL_S("b-1") },
		/* account A1-1 sorts after A1, its bill A1-1-202610 before A1-202610 */
		{ PCRM_SQL_S("C2"), PCRM_SQL_S("A1-1-202610"), PCRM_SQL_S("A1-1"), PCRM_SQL_S("2026-10"),
		  PCRM_SQL_S("issued"), PCRM_SQL_S("t"), PCRM_SQL_I(1), PCRM_SQL_I(20758),
		  PCRM_SQL_I(20772), PCRM_SQL_S("1200"), PCRM_SQL_S("-3.50"), PCRM_SQL_S(""),
		  PCRM_SQL_S("{}"), PCRM_SQL_I(-1), PCRM_SQL_S(""), PCRM_SQL_S("b-1") },
		{ PCRM_SQL_S("C3"), PCRM_SQL_S("A2-202610"), PCRM_SQL_S("A2"), PCRM_SQL_S("2026-10"),
		  PCRM_SQL_S("issued"), PCRM_SQL_S("t"), PCRM_SQL_I(1), PCRM_SQL_I(20758),
		  PCRM_SQL_I(20772), PCRM_SQL_S("0.000"), PCRM_SQL_S("0.00"), PCRM_SQL_S("A2-202609"),
		  PCRM_SQL_S("{\"说明\":\"低保户减免\"}"), PCRM_SQL_I(0), PCRM_SQL_S("x"),
		  PCRM_SQL_S("b-1") },
		{ PCRM_SQL_S("C4"), PCRM_SQL_S("A3-202610"), PCRM_SQL_S("A3"), PCRM_SQL_S("2026-10"),
		  PCRM_SQL_S("issued"), PCRM_SQL_S("t"), PCRM_SQL_I(1), PCRM_SQL_I(20758),
		  PCRM_SQL_I(20772), PCRM_SQL_S("1"), PCRM_SQL_S("1.00"), PCRM_SQL_NUL,
		  PCRM_SQL_S("{}"), PCRM_SQL_I(0), PCRM_SQL_S("x"), PCRM_SQL_S("b-2") },
	};
	char written[PCRM__AUDIT_COVERS_MAX], stored[PCRM__AUDIT_COVERS_MAX];
	int same = 0;

	write_bills(t, rows, 4);
	written_digest(rows, 4, written);
	pcrm_assert_ok(pcrm__audit_cover(t->ctx, "bill_batch", "b-1", stored));
	cr_assert_gt(strlen(stored), 2);
	cr_assert_str_eq(written, stored);
	pcrm_assert_ok(pcrm__audit_cover_check(t->ctx, "bill_batch", "b-1", written, &same));
	cr_assert_eq(same, 1);

	/* the text form counts: "0.1" is not the "0.10" stored, NULL is not "" */
	rows[0][9] = PCRM_SQL_S("0.1");
	written_digest(rows, 4, written);
	cr_assert_str_neq(written, stored);
	rows[0][9] = PCRM_SQL_S("0.10");
	rows[1][11] = PCRM_SQL_NUL;
	written_digest(rows, 4, written);
	cr_assert_str_neq(written, stored);
}

/*
 * Rows in byte order are hashed as they come, rows out of order sorted at the
 * end: both give the stored rows' digest.  One object digests batch after
 * batch (its buffer kept), and a reset forgets a failed attempt's rows.
 */
PCRM_BACKEND_TEST(audit_cover, written_digest_same_in_any_order_and_object_reused)
{
	static const char *const accounts[3] = { "A1", "A1-1", "A2" }; /* A1-1-... < A1-... */
	pcrm_sql_value rows[3][16];
	char bill_nos[3][16], ordered[PCRM__AUDIT_COVERS_MAX], stored[PCRM__AUDIT_COVERS_MAX];
	char again[PCRM__AUDIT_COVERS_MAX], shuffled[PCRM__AUDIT_COVERS_MAX];
	static const int in_order[3] = { 1, 0, 2 }, out_of_order[3] = { 2, 0, 1 };
	pcrm__audit_cover_rows *c = NULL;
	const pcrm_sql_value *v[14];

	for (int i = 0; i < 3; i++) {
		snprintf(bill_nos[i], sizeof(bill_nos[i]), "%s-202610", accounts[i]);
		pcrm_sql_value r[16] = {
			PCRM_SQL_S("C1"), PCRM_SQL_S(bill_nos[i]), PCRM_SQL_S(accounts[i]),
			PCRM_SQL_S("2026-10"), PCRM_SQL_S("issued"), PCRM_SQL_S("t"), PCRM_SQL_I(1),
			PCRM_SQL_I(20758), PCRM_SQL_I(-20772), PCRM_SQL_S("12.5"), PCRM_SQL_S("6.25"),
			i == 1 ? PCRM_SQL_S("A1-1-202609") : PCRM_SQL_NUL, PCRM_SQL_S("{\"k\":\"\t\"}"),
			PCRM_SQL_I(INT64_MIN), PCRM_SQL_S("x"), PCRM_SQL_S("b-1")
		};
		memcpy(rows[i], r, sizeof(r));
	}
	write_bills(t, rows, 3);
	pcrm_assert_ok(pcrm__audit_cover(t->ctx, "bill_batch", "b-1", stored));

	pcrm_assert_ok(pcrm__audit_cover_rows_new("bill_batch", &c));
	for (int round = 0; round < 2; round++) {
		char *out = round == 0 ? ordered : again;
		for (int i = 0; i < 3; i++) {
			for (int k = 0; k < 14; k++)
				v[k] = &rows[in_order[i]][covered_columns[k]];
			pcrm_assert_ok(pcrm__audit_cover_rows_add(c, v));
		}
		pcrm_assert_ok(pcrm__audit_cover_rows_finish(c, out));
	}
	cr_assert_str_eq(ordered, stored);
	cr_assert_str_eq(again, stored); /* finish() left the object empty */

	/* a failed attempt's row, forgotten; then the rows out of order */
	for (int k = 0; k < 14; k++)
		v[k] = &rows[0][covered_columns[k]];
	pcrm_assert_ok(pcrm__audit_cover_rows_add(c, v));
	pcrm_assert_ok(pcrm__audit_cover_rows_reset(c));
	for (int i = 0; i < 3; i++) {
		for (int k = 0; k < 14; k++)
			v[k] = &rows[out_of_order[i]][covered_columns[k]];
		pcrm_assert_ok(pcrm__audit_cover_rows_add(c, v));
	}
	pcrm_assert_ok(pcrm__audit_cover_rows_finish(c, shuffled));
	cr_assert_str_eq(shuffled, stored);

	/* without the reset the extra row would be in the digest: it does count */
	pcrm_assert_ok(pcrm__audit_cover_rows_add(c, v));
	for (int i = 0; i < 3; i++) {
		for (int k = 0; k < 14; k++)
			v[k] = &rows[in_order[i]][covered_columns[k]];
		pcrm_assert_ok(pcrm__audit_cover_rows_add(c, v));
	}
	pcrm_assert_ok(pcrm__audit_cover_rows_finish(c, shuffled));
	cr_assert_str_neq(shuffled, stored);
	pcrm__audit_cover_rows_free(c);
}

/* Only types whose rows a writer can order as the store does are digested while written. */
PCRM_BACKEND_TEST(audit_cover, only_ordered_types_are_digested_while_written)
{
	pcrm__audit_cover_rows *c = (pcrm__audit_cover_rows *)t;
	pcrm_assert_fails(pcrm__audit_cover_rows_new("account", &c), PCRM_EINVAL, "account");
	cr_assert_null(c);
	pcrm_assert_fails(pcrm__audit_cover_rows_new("no such type", &c), PCRM_EINVAL,
	                  "no such type");
}
