/*
 * Coverage of the ledger rows next to an account's entries (docs/security.md,
 * "Coverage of business rows"), on both stores: allocations, payments and
 * dunning reminders (revision 3 of the "account" digest), and every column
 * of the entries and items a billing run's bulk posting writes (the digest
 * its own entry records, lib/audit/bulk_posting.h).  Each is edited or
 * deleted straight in the database and found by pcrm_audit_verify(); what
 * the library does later (payments, reminders, voids, the next month's
 * posting) is not reported as tampering; entries taken with an older
 * revision are checked as they were taken.
 */
#include <jansson.h>

#include "audit/audit_verify.h"
#include "audit/bulk_posting.h"
#include "audit_cover_fixture.h"
#include "race.h"

/* billed_and_part_paid() and 50.00 more paid by bank. */
static void billed_and_paid(pcrm_test_store *t)
{
	billed_and_part_paid(t);
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A1",
	                                "{\"kind\": \"payment\", \"amount\": \"50.00\","
	                                " \"channel\": \"bank\", \"bank_code\": \"ICBC\","
	                                " \"transaction_id\": \"T-0001\"}",
	                                NULL));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_allocation"), 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_payment"), 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'account' "
	                      "AND covers LIKE '3/%'"),
	             3, "every posting covers the account with revision 3");
	assert_verifies(t);
}

/* Each statement, then its undoing: found, then clean again. */
static void assert_each_found(pcrm_test_store *t, const char *const (*edits)[2], size_t n,
                              const char *needle)
{
	for (size_t i = 0; i < n; i++) {
		raw(t, edits[i][0]);
		assert_tampered(t, needle);
		raw(t, edits[i][1]);
		assert_verifies(t);
	}
}

/* ---- allocations and payments ---- */

PCRM_BACKEND_TEST(audit_cover_ledger, edited_allocation_is_found)
{
	static const char *const edits[][2] = {
		{ "UPDATE ledger_allocation SET amount = '300.00' WHERE amount = '100.00'",
		  "UPDATE ledger_allocation SET amount = '100.00' WHERE amount = '300.00'" },
		{ "UPDATE ledger_allocation SET item_no = 'B9' WHERE amount = '50.00'",
		  "UPDATE ledger_allocation SET item_no = 'B1' WHERE amount = '50.00'" },
	};
	billed_and_paid(t);
	assert_each_found(t, edits, sizeof(edits) / sizeof(edits[0]), "account A1 no longer matches");
	raw(t, "DELETE FROM ledger_allocation WHERE amount = '50.00'");
	assert_tampered(t, "account A1 no longer matches");
}

PCRM_BACKEND_TEST(audit_cover_ledger, edited_payment_row_is_found)
{
	static const char *const edits[][2] = {
		{ "UPDATE ledger_payment SET channel = 'online' WHERE channel = 'counter'",
		  "UPDATE ledger_payment SET channel = 'counter' WHERE channel = 'online'" },
		{ "UPDATE ledger_payment SET paid_day = paid_day - 1 WHERE channel = 'counter'",
		  "UPDATE ledger_payment SET paid_day = paid_day + 1 WHERE channel = 'counter'" },
		{ "UPDATE ledger_payment SET paid_at = paid_at - 60 WHERE channel = 'bank'",
		  "UPDATE ledger_payment SET paid_at = paid_at + 60 WHERE channel = 'bank'" },
		{ "UPDATE ledger_payment SET bank_txn_id = 'T-0002' WHERE channel = 'bank'",
		  "UPDATE ledger_payment SET bank_txn_id = 'T-0001' WHERE channel = 'bank'" },
		{ "UPDATE ledger_payment SET amount = '5.00' WHERE channel = 'bank'",
		  "UPDATE ledger_payment SET amount = '50.00' WHERE channel = 'bank'" },
	};
	billed_and_paid(t);
	assert_each_found(t, edits, sizeof(edits) / sizeof(edits[0]), "account A1 no longer matches");
	raw(t, "DELETE FROM ledger_payment WHERE channel = 'bank'");
	assert_tampered(t, "account A1 no longer matches");
}

/* A void after payments re-allocates: new allocations under the void's entry, all clean. */
PCRM_BACKEND_TEST(audit_cover_ledger, voids_and_refunds_keep_the_rows_verifiable)
{
	billed_and_paid(t);
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_admin, "A1",
	                                "{\"kind\": \"void\", \"bill_no\": \"B1\","
	                                " \"credit_note_no\": \"CN1\", \"reason\": \"wrong reading\"}",
	                                NULL));
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_admin, "A1",
	                                "{\"kind\": \"refund\", \"idempotency_key\": \"R1\","
	                                " \"amount\": \"150.00\", \"reason\": \"moved away\"}",
	                                NULL));
	assert_verifies(t);
	raw(t, "UPDATE ledger_payment SET amount = '500.00' WHERE channel = 'counter'");
	assert_tampered(t, "account A1 no longer matches");
}

/* ---- dunning reminders ---- */

/* billed_and_paid() and two reminders of the 150.00 still open. */
static void reminded(pcrm_test_store *t)
{
	billed_and_paid(t);
	pcrm_assert_ok(pcrm_dunning_remind(t->ctx, &city_agent, "A1", "{\"channel\": \"sms\"}"));
	pcrm_assert_ok(pcrm_dunning_remind(t->ctx, &city_agent, "A1",
	                                   "{\"channel\": \"phone\", \"note\": \"客户答应周五缴费\"}"));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'dunning.remind' "
	                      "AND covers LIKE '3/%'"),
	             2);
	assert_verifies(t);
}

PCRM_BACKEND_TEST(audit_cover_ledger, edited_or_deleted_reminder_is_found)
{
	static const char *const edits[][2] = {
		{ "UPDATE dunning_reminder SET channel = 'visit' WHERE channel = 'sms'",
		  "UPDATE dunning_reminder SET channel = 'sms' WHERE channel = 'visit'" },
		{ "UPDATE dunning_reminder SET note = '客户拒缴' WHERE channel = 'phone'",
		  "UPDATE dunning_reminder SET note = '客户答应周五缴费' WHERE channel = 'phone'" },
		{ "UPDATE dunning_reminder SET at = at - 86400, day = day - 1 WHERE channel = 'sms'",
		  "UPDATE dunning_reminder SET at = at + 86400, day = day + 1 WHERE channel = 'sms'" },
		{ "UPDATE dunning_reminder SET reminded_by = 'agent-x' WHERE channel = 'sms'",
		  "UPDATE dunning_reminder SET reminded_by = 'agent-jn' WHERE channel = 'sms'" },
	};
	reminded(t);
	assert_each_found(t, edits, sizeof(edits) / sizeof(edits[0]), "account A1 no longer matches");
	raw(t, "DELETE FROM dunning_reminder WHERE channel = 'sms'");
	assert_tampered(t, "account A1 no longer matches");
}

/* A reminder that was never sent, added to show the regulator a dunning effort. */
PCRM_BACKEND_TEST(audit_cover_ledger, forged_reminder_is_found)
{
	reminded(t);
	raw(t, "INSERT INTO dunning_reminder (customer_no, account_no, id, at, day, channel, note, "
	       "reminded_by) SELECT customer_no, account_no, 'forged', at, day, 'visit', NULL, "
	       "reminded_by FROM dunning_reminder WHERE channel = 'sms'");
	assert_tampered(t, "account A1 no longer matches");
}

/* Payments after reminders, and reminders after payments: clean. */
PCRM_BACKEND_TEST(audit_cover_ledger, reminders_and_payments_interleave_cleanly)
{
	reminded(t);
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A1", payment("K2", "20.00"), NULL));
	pcrm_assert_ok(pcrm_dunning_remind(t->ctx, &city_agent, "A1", "{\"channel\": \"letter\"}"));
	assert_verifies(t);
	raw(t, "UPDATE dunning_reminder SET channel = 'wechat' WHERE channel = 'letter'");
	assert_tampered(t, "account A1 no longer matches");
}

/* Ten reminders of A1 from a connection of its own. */
static int remind_ten(pcrm_test_store *t)
{
	pcrm_ctx *ctx = NULL;
	int rc = open_another(t, &ctx);
	for (int i = 0; i < 10 && rc == PCRM_OK; i++)
		rc = pcrm_dunning_remind(ctx, &city_agent, "A1", "{\"channel\": \"sms\"}");
	pcrm_ctx_close(ctx);
	return rc;
}

/* Ten payments of 1.00 to A1 from a connection of its own. */
static int pay_ten(pcrm_test_store *t)
{
	pcrm_ctx *ctx = NULL;
	char key[16];
	int rc = open_another(t, &ctx);
	for (int i = 0; i < 10 && rc == PCRM_OK; i++) {
		snprintf(key, sizeof(key), "race-%d", i);
		rc = pcrm_ledger_post(ctx, &city_agent, "A1", payment(key, "1.00"), NULL);
	}
	pcrm_ctx_close(ctx);
	return rc;
}

/*
 * Reminders and payments of one account from two processes at once: each
 * entry's digest is taken holding the account's ledger row, so the newest
 * entry's digest is of the rows as they stand.
 */
PCRM_BACKEND_TEST(audit_cover_ledger, concurrent_reminders_and_payments_verify)
{
	struct pcrm_test_race_store r;
	pcrm_test_store *s = pcrm_test_race_store(t, &r);
	int mine = -100, theirs = -100;
	billed_and_paid(s);
	race_pair(s, remind_ten, pay_ten, &mine, &theirs);
	pcrm_assert_ok(mine);
	pcrm_assert_ok(theirs);
	race_two(s, remind_ten, &mine, &theirs);
	pcrm_assert_ok(mine);
	pcrm_assert_ok(theirs);
	cr_assert_eq(count(s, "SELECT COUNT(*) FROM dunning_reminder"), 30);
	cr_assert_eq(count(s, "SELECT COUNT(*) FROM ledger_payment"), 12);
	assert_verifies(s);
	pcrm_test_race_store_remove(&r);
}

/* ---- revisions ---- */

/*
 * An entry taken with revision 2 of "account" (entries, items and the
 * ledger row, as before allocations, payments and reminders were covered)
 * is checked as revision 2: an edit of a payment row alone does not fail
 * it, revision 3 sees it; an edit of an entry fails both.
 */
PCRM_BACKEND_TEST(audit_cover_ledger, revision_2_entries_are_checked_as_they_were_taken)
{
	char two[PCRM__AUDIT_COVERS_MAX], three[PCRM__AUDIT_COVERS_MAX];
	int same = -1;
	reminded(t);
	pcrm_assert_ok(pcrm__audit_cover_revision(t->ctx, "account", "A1", 2, two));
	pcrm_assert_ok(pcrm__audit_cover(t->ctx, "account", "A1", three));
	cr_assert(strncmp(two, "2/3:", 4) == 0, "revision 2, bound 3: %s", two);
	cr_assert(strncmp(three, "3/3:", 4) == 0, "revision 3, bound 3: %s", three);

	raw(t, "UPDATE ledger_payment SET channel = 'online' WHERE channel = 'counter'");
	pcrm_assert_ok(pcrm__audit_cover_check(t->ctx, "account", "A1", two, &same));
	cr_assert_eq(same, 1, "revision 2 does not cover payments");
	pcrm_assert_ok(pcrm__audit_cover_check(t->ctx, "account", "A1", three, &same));
	cr_assert_eq(same, 0, "revision 3 does");
	raw(t, "UPDATE ledger_payment SET channel = 'counter' WHERE channel = 'online'");

	raw(t, "UPDATE ledger_entry SET posted_by = 'x' WHERE seq = 2");
	pcrm_assert_ok(pcrm__audit_cover_check(t->ctx, "account", "A1", two, &same));
	cr_assert_eq(same, 0, "revision 2 covers the entries");
	pcrm_assert_ok(pcrm__audit_cover_check(t->ctx, "account", "A1", three, &same));
	cr_assert_eq(same, 0);
}

/* ---- what a bulk posting wrote, against the digest its entry records ---- */

static const char bulk_needle[] = "a ledger entry or item of accounts A1..A2 no longer matches "
                                  "what the bulk posting recorded";

/*
 * A2's bulk-posted entry and item (no single posting names A2): every column
 * the batch's list does not hold, changed and changed back.
 */
PCRM_BACKEND_TEST(audit_cover_ledger, bulk_posted_columns_are_covered)
{
	static const char *const edits[][2] = {
		{ "UPDATE ledger_entry SET business_day = business_day + 1 WHERE account_no = 'A2'",
		  "UPDATE ledger_entry SET business_day = business_day - 1 WHERE account_no = 'A2'" },
		{ "UPDATE ledger_entry SET posted_at = posted_at - 3600 WHERE account_no = 'A2'",
		  "UPDATE ledger_entry SET posted_at = posted_at + 3600 WHERE account_no = 'A2'" },
		{ "UPDATE ledger_entry SET posted_by = 'x' || posted_by WHERE account_no = 'A2'",
		  "UPDATE ledger_entry SET posted_by = substr(posted_by, 2) WHERE account_no = 'A2'" },
		{ "UPDATE ledger_entry SET request = request || ' ' WHERE account_no = 'A2'",
		  "UPDATE ledger_entry SET request = substr(request, 1, length(request) - 1) "
		  "WHERE account_no = 'A2'" },
		{ "UPDATE ledger_entry SET doc = doc || ' ' WHERE account_no = 'A2'",
		  "UPDATE ledger_entry SET doc = substr(doc, 1, length(doc) - 1) "
		  "WHERE account_no = 'A2'" },
		{ "UPDATE ledger_item SET period = '2026-11' WHERE item_no = 'A2-202610'",
		  "UPDATE ledger_item SET period = '2026-10' WHERE item_no = 'A2-202610'" },
		{ "UPDATE ledger_item SET issue_day = issue_day + 1 WHERE item_no = 'A2-202610'",
		  "UPDATE ledger_item SET issue_day = issue_day - 1 WHERE item_no = 'A2-202610'" },
		{ "UPDATE ledger_item SET due_day = due_day + 30 WHERE item_no = 'A2-202610'",
		  "UPDATE ledger_item SET due_day = due_day - 30 WHERE item_no = 'A2-202610'" },
		{ "UPDATE ledger_item SET usage_class = 'x' || usage_class WHERE item_no = 'A2-202610'",
		  "UPDATE ledger_item SET usage_class = substr(usage_class, 2) "
		  "WHERE item_no = 'A2-202610'" },
	};
	run_and_post_october(t);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = '"
	                      PCRM__BULK_POSTING_ACTION "' AND summary LIKE '%\"rows_sha256\":\"%'"),
	             1, "the bulk posting records its rows' digest");
	assert_each_found(t, edits, sizeof(edits) / sizeof(edits[0]), bulk_needle);
}

/* The entry's key moved: the listed entry is no longer found under it. */
PCRM_BACKEND_TEST(audit_cover_ledger, bulk_posted_entry_key_is_covered)
{
	run_and_post_october(t);
	raw(t, "UPDATE ledger_entry SET entry_key = 'x' || entry_key WHERE account_no = 'A2'");
	assert_tampered(t, "account A2: its ledger entry no longer matches");
}

/* A1 had a single posting before: its bulk-posted item's usage class is covered all the same. */
PCRM_BACKEND_TEST(audit_cover_ledger, bulk_posted_item_of_a_known_account_is_covered)
{
	run_and_post_october(t);
	raw(t, "UPDATE ledger_item SET usage_class = 'commercial' WHERE item_no = 'A1-202610'");
	assert_tampered(t, bulk_needle);
}

/*
 * What the library does after the bulk posting leaves it clean: a payment of
 * a bulk-posted item (open amount and status change), a void of it, a
 * reminder, and the next month's bulk posting on top.
 */
PCRM_BACKEND_TEST(audit_cover_ledger, later_operations_keep_the_bulk_posting_verifiable)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	run_and_post_october(t);
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A2", payment("K5", "20.00"), NULL));
	pcrm_assert_ok(pcrm_dunning_remind(t->ctx, &city_agent, "A2", "{\"channel\": \"sms\"}"));
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_admin, "A1",
	                                "{\"kind\": \"void\", \"bill_no\": \"A1-202610\","
	                                " \"credit_note_no\": \"CN1\", \"reason\": \"wrong reading\"}",
	                                NULL));
	assert_verifies(t);
	t->now = OCT31 + 40 * 86400; /* December: November is read and billed */
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M2", PCRM_REGISTER_TOTAL,
	                                   pcrm_test_dec("1400"), OCT31 + 30 * 86400, 0, NULL));
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin,
	                                "{\"org_unit\": \"3701\", \"period\": \"2026-11\","
	                                " \"issue_date\": \"2026-12-01\", \"due_date\": \"2026-12-15\","
	                                " \"batch_size\": 10, \"post\": true,"
	                                " \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}",
	                                NULL, NULL, &s));
	cr_assert_eq(s.billed, 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = '"
	                      PCRM__BULK_POSTING_ACTION "'"),
	             2, "A2's November bill posted in bulk on top");
	assert_verifies(t);
	raw(t, "UPDATE ledger_item SET period = '2026-09' WHERE item_no = 'A2-202610'");
	assert_tampered(t, bulk_needle);
}

/*
 * A bulk posting recorded before the digest existed (no "rows_sha256") is
 * checked against its list only: an edit of a column the list does not
 * hold passes it, while the same summary with its digest fails.
 */
PCRM_BACKEND_TEST(audit_cover_ledger, bulk_postings_without_a_digest_are_checked_by_their_list)
{
	json_t *summary;
	char *with, *without;
	pcrm_rows *rows = NULL;
	run_and_post_october(t);
	pcrm_assert_ok(pcrm__store_query(t->ctx->store,
	                                 "SELECT summary FROM audit_log WHERE action = '"
	                                 PCRM__BULK_POSTING_ACTION "'",
	                                 NULL, 0, &rows));
	cr_assert_eq(pcrm__rows_next(rows), 1);
	with = strdup(pcrm__rows_text(rows, 0));
	pcrm__rows_free(rows);
	summary = json_loads(with, 0, NULL);
	cr_assert_not_null(summary);
	cr_assert_eq(json_object_del(summary, PCRM__BULK_POSTING_ROWS), 0);
	without = json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(summary);

	pcrm_assert_ok(pcrm__audit_check_bulk_posting(t->ctx, "3701", 1, with));
	pcrm_assert_ok(pcrm__audit_check_bulk_posting(t->ctx, "3701", 1, without));
	raw(t, "UPDATE ledger_entry SET posted_by = 'x' WHERE account_no = 'A2'");
	pcrm_assert_fails(pcrm__audit_check_bulk_posting(t->ctx, "3701", 1, with), PCRM_EINTEGRITY,
	                  bulk_needle);
	pcrm_assert_ok(pcrm__audit_check_bulk_posting(t->ctx, "3701", 1, without));
	/* the list still holds the amounts */
	raw(t, "UPDATE ledger_entry SET amount = '1.00' WHERE account_no = 'A2'");
	pcrm_assert_fails(pcrm__audit_check_bulk_posting(t->ctx, "3701", 1, without),
	                  PCRM_EINTEGRITY, "account A2: its ledger entry no longer matches");
	free(with);
	free(without);
}
