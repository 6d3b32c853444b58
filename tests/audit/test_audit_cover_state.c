/*
 * After-image coverage of rows that hold an object's current state, next to
 * the append-only rows it is replayed from (docs/security.md, "Coverage of
 * business rows"), on both stores: the work order's own row, a complaint
 * ticket (its return-visit result and satisfaction), an account's ledger row
 * (balance, credit) and its open items.  Each is edited straight in the
 * database and found by pcrm_audit_verify(); what the library changes in
 * bulk without an entry naming the object (a timer tick, a billing run's
 * posting) is not reported as tampering.
 */
#include "../complaint/complaint_fixture.h"
#include "audit_cover_fixture.h"

/* ---- the work order's row ---- */

/* A "test" work order in 3701, contacted with the note "called"; its id into id. */
static void contacted_order(pcrm_test_store *t, char id[PCRM_WORKORDER_ID_LEN + 1])
{
	pcrm_workorder *wo;
	make_tree(t->ctx);
	define_test(t->ctx);
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "test", "T1", NULL, "3701", NULL,
	                                   &wo));
	snprintf(id, PCRM_WORKORDER_ID_LEN + 1, "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 1, "contact",
	                                   "{\"contact_note\": \"called\"}", NULL, NULL));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'work_order' "
	                      "AND covers LIKE '3/%'"),
	             2, "open and contact cover the row (revision 3)");
	assert_verifies(t);
}

PCRM_BACKEND_TEST(audit_cover_state, edited_work_order_state_is_found)
{
	char id[PCRM_WORKORDER_ID_LEN + 1], needle[96];
	contacted_order(t, id);
	snprintf(needle, sizeof(needle), "work_order %s no longer matches", id);
	/* closed by hand, the history left alone */
	raw(t, "UPDATE work_order SET state = 'closed', status = 'closed', open_key = NULL");
	assert_tampered(t, needle);
	raw(t, "UPDATE work_order SET state = 'contacted', status = 'open', open_key = 'T1'");
	assert_verifies(t);
	/* the result written into the data, and the owner moved */
	raw(t, "UPDATE work_order SET data = replace(data, 'called', 'satisfied')");
	assert_tampered(t, needle);
	raw(t, "UPDATE work_order SET data = replace(data, 'satisfied', 'called')");
	assert_verifies(t);
	raw(t, "UPDATE work_order SET owner = 'agent-x'");
	assert_tampered(t, needle);
}

PCRM_BACKEND_TEST(audit_cover_state, deleted_work_order_row_is_found)
{
	char id[PCRM_WORKORDER_ID_LEN + 1], needle[96];
	contacted_order(t, id);
	raw(t, "DELETE FROM work_order_timer");
	raw(t, "DELETE FROM work_order_history");
	raw(t, "DELETE FROM work_order");
	snprintf(needle, sizeof(needle), "work_order %s no longer matches", id);
	assert_tampered(t, needle);
}

/*
 * A tick's warning (batched: no entry naming the work order) changes
 * updated_at, version and steps and appends history; its escalation writes
 * the work order's own entry.  Neither is tampering; an edit of what the
 * escalation left is.
 */
PCRM_BACKEND_TEST(audit_cover_state, ticks_keep_the_work_order_verifiable)
{
	pcrm_workorder *wo;
	char needle[96];
	int n = -1;
	make_tree(t->ctx);
	define_test(t->ctx);
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "test", "T1", NULL, "3701", NULL,
	                                   &wo));
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 11, 23, 14, 30), &n));
	cr_assert_eq(n, 1);
	assert_verifies(t);
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 11, 24, 9, 30), &n));
	cr_assert_eq(n, 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order WHERE escalations = 1 "
	                      "AND overdue = 1"),
	             1);
	assert_verifies(t);
	raw(t, "UPDATE work_order SET escalations = 0");
	snprintf(needle, sizeof(needle), "work_order %s no longer matches", pcrm_workorder_id(wo));
	/* the escalation's entry, the newest of the work order, is the ticking system's (unit 37) */
	assert_tampered_in_province(t, needle);
	pcrm_workorder_free(wo);
}

/* ---- complaint tickets ---- */

static const char *const complaint_config =
	"{\"default_unit\": \"3701\", \"repeat_window_days\": 30,"
	" \"subcategories\": {\"service\": [\"attitude\"], \"business\": [\"billing\"],"
	"   \"outage\": [\"planned\"], \"supply_quality\": [\"voltage\"],"
	"   \"grid_construction\": [\"line_route\"]},"
	" \"rules\": []}";

static void define(pcrm_ctx *ctx, const char *file)
{
	char *def = read_source(file), *cal = read_source("data/calendars/cn-2026.json");
	pcrm_assert_ok(pcrm_workflow_define(ctx, &root_admin, def, cal, NULL));
	free(def);
	free(cal);
}

static void fire_next(pcrm_test_store *t, const char *work_order, const char *event,
                      const char *data)
{
	pcrm_workorder *wo;
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, work_order, &wo));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, work_order,
	                                   pcrm_workorder_version(wo), event, data, NULL, NULL));
	pcrm_workorder_free(wo);
}

/* A complaint of ZHANG's replied to and visited back; its serial into `serial`. */
static void visited_complaint(pcrm_test_store *t, char serial[64])
{
	pcrm_complaint *c = NULL;
	make_tree(t->ctx);
	add_customer(t->ctx, ZHANG, "37010201", "13800138000");
	define(t->ctx, "data/workflows/complaint.json");
	pcrm_assert_ok(pcrm_complaint_config_set(t->ctx, &root_admin, complaint_config));
	pcrm_assert_ok(pcrm_complaint_file(t->ctx, &city_agent,
	                                   "{\"channel\": \"phone\", \"category\": \"service\","
	                                   " \"subcategory\": \"attitude\", \"nature\": \"complaint\","
	                                   " \"description\": \"营业厅人员态度差\","
	                                   " \"customer_no\": \"" ZHANG "\"}",
	                                   &c));
	snprintf(serial, 64, "%s", pcrm_complaint_serial(c));
	fire_next(t, pcrm_complaint_work_order_id(c), "contact", "{\"contact_note\": \"已联系\"}");
	fire_next(t, pcrm_complaint_work_order_id(c), "opinion", "{\"opinion\": \"拟致歉\"}");
	pcrm_assert_ok(pcrm_complaint_review(t->ctx, &jn_lead, serial, "{\"decision\": \"approve\"}",
	                                     NULL));
	pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, serial,
	                                    "{\"channel\": \"phone\", \"content\": \"已核实并致歉\","
	                                    " \"substantiated\": true, \"opinion\": \"接受\"}",
	                                    NULL));
	pcrm_assert_ok(pcrm_complaint_return_visit(t->ctx, &city_agent, serial,
	                                           "{\"result\": \"客户仍不满意\","
	                                           " \"satisfaction\": \"dissatisfied\"}",
	                                           NULL));
	pcrm_complaint_free(c);
	cr_assert_geq(count(t, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'complaint' "
	                       "AND covers <> ''"),
	              4, "filing, review, reply and return visit cover the ticket");
	assert_verifies(t);
}

PCRM_BACKEND_TEST(audit_cover_state, edited_return_visit_result_is_found)
{
	char serial[64], needle[128];
	visited_complaint(t, serial);
	snprintf(needle, sizeof(needle), "complaint %s no longer matches", serial);
	/* the regulator's satisfaction rate improved by hand */
	raw(t, "UPDATE complaint SET satisfaction = 'satisfied', visit_result = '满意'");
	assert_tampered(t, needle);
	raw(t, "UPDATE complaint SET satisfaction = 'dissatisfied', visit_result = '客户仍不满意'");
	assert_verifies(t);
	raw(t, "UPDATE complaint SET satisfaction = 'satisfied'");
	assert_tampered(t, needle);
}

PCRM_BACKEND_TEST(audit_cover_state, edited_or_deleted_ticket_is_found)
{
	char serial[64], needle[128];
	visited_complaint(t, serial);
	snprintf(needle, sizeof(needle), "complaint %s no longer matches", serial);
	raw(t, "UPDATE complaint SET status = 'closed', reopened = 0");
	assert_tampered(t, needle);
	raw(t, "DELETE FROM complaint");
	assert_tampered(t, needle);
}

/* ---- ledger rows: the account's balance and its open items ---- */

PCRM_BACKEND_TEST(audit_cover_state, edited_ledger_balance_is_found)
{
	billed_and_part_paid(t);
	raw(t, "UPDATE ledger_account SET balance = '0.00' WHERE account_no = 'A1'");
	assert_tampered(t, "account A1 no longer matches");
	raw(t, "UPDATE ledger_account SET balance = '200.00' WHERE account_no = 'A1'");
	assert_verifies(t);
	raw(t, "UPDATE ledger_account SET credit = '50.00' WHERE account_no = 'A1'");
	assert_tampered(t, "account A1 no longer matches");
	raw(t, "UPDATE ledger_account SET credit = '0.00' WHERE account_no = 'A1'");
	/* the count of entries moved back, as if the payment had never been posted */
	raw(t, "UPDATE ledger_account SET entries = 1, balance = '300.00' WHERE account_no = 'A1'");
	assert_tampered(t, "account A1 no longer matches");
}

PCRM_BACKEND_TEST(audit_cover_state, edited_ledger_item_is_found)
{
	billed_and_part_paid(t);
	raw(t, "UPDATE ledger_item SET open_amount = '0.00', status = 'paid' WHERE item_no = 'B1'");
	assert_tampered(t, "account A1 no longer matches");
	raw(t, "UPDATE ledger_item SET open_amount = '200.00', status = 'open' WHERE item_no = 'B1'");
	assert_verifies(t);
	raw(t, "UPDATE ledger_item SET amount = '30.00' WHERE item_no = 'B1'");
	assert_tampered(t, "account A1 no longer matches");
	raw(t, "UPDATE ledger_item SET amount = '300.00' WHERE item_no = 'B1'");
	raw(t, "UPDATE ledger_item SET due_day = due_day + 30 WHERE item_no = 'B1'");
	assert_tampered(t, "account A1 no longer matches");
}

/* An edit of the bulk-posted item or of the balance it left is found. */
PCRM_BACKEND_TEST(audit_cover_state, bulk_posting_verifies_and_its_rows_are_checked)
{
	run_and_post_october(t);
	raw(t, "UPDATE ledger_item SET open_amount = '0.00', status = 'paid' "
	       "WHERE item_no = 'A1-202610'");
	assert_tampered(t, "account A1: its open item no longer matches");
	raw(t, "UPDATE ledger_item SET open_amount = amount, status = 'open' "
	       "WHERE item_no = 'A1-202610'");
	assert_verifies(t);
	raw(t, "UPDATE ledger_item SET amount = '1.00', open_amount = '1.00' "
	       "WHERE item_no = 'A1-202610'");
	assert_tampered(t, "account A1: its open item no longer matches");
}

PCRM_BACKEND_TEST(audit_cover_state, balance_left_by_a_bulk_posting_is_checked)
{
	run_and_post_october(t);
	raw(t, "UPDATE ledger_account SET balance = '-50.00' WHERE account_no = 'A1'");
	assert_tampered(t, "account A1: the ledger row's balance no longer matches");
}

/* A payment after the bulk posting covers the bulk-posted item whole. */
PCRM_BACKEND_TEST(audit_cover_state, a_later_payment_covers_the_bulk_posted_item)
{
	run_and_post_october(t);
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A1", payment("K3", "10.00"), NULL));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_item WHERE item_no = 'B0' "
	                      "AND status = 'paid'"),
	             1);
	assert_verifies(t);
	/* what the bulk posting's own check leaves to later single postings: the open amount */
	raw(t, "UPDATE ledger_item SET open_amount = '1.00' WHERE item_no = 'A1-202610'");
	assert_tampered(t, "account A1 no longer matches");
}

/* ---- what a bulk posting wrote, against its own entry ---- */

/* A2 has no single posting: its rows are checked against the batch's entry only. */
PCRM_BACKEND_TEST(audit_cover_state, edited_bulk_posted_entry_is_found)
{
	run_and_post_october(t);
	raw(t, "UPDATE ledger_entry SET amount = '1.00', balance = '1.00' WHERE account_no = 'A2'");
	assert_tampered(t, "account A2: its ledger entry no longer matches what the bulk posting "
	                   "recorded");
}

PCRM_BACKEND_TEST(audit_cover_state, deleted_bulk_posted_entry_is_found)
{
	run_and_post_october(t);
	raw(t, "DELETE FROM ledger_entry WHERE account_no = 'A2'");
	assert_tampered(t, "account A2: its ledger entry no longer matches");
}

PCRM_BACKEND_TEST(audit_cover_state, balance_of_a_bulk_only_account_is_checked)
{
	run_and_post_october(t);
	raw(t, "UPDATE ledger_account SET balance = '0.00' WHERE account_no = 'A2'");
	assert_tampered(t, "account A2: the ledger row's balance no longer matches");
	raw(t, "UPDATE ledger_account SET balance = (SELECT balance FROM ledger_entry "
	       "WHERE account_no = 'A2') WHERE account_no = 'A2'");
	assert_verifies(t);
	raw(t, "UPDATE ledger_account SET entries = 0 WHERE account_no = 'A2'");
	assert_tampered(t, "account A2: the ledger row's balance no longer matches");
}

PCRM_BACKEND_TEST(audit_cover_state, item_of_a_bulk_only_account_is_checked)
{
	run_and_post_october(t);
	raw(t, "UPDATE ledger_item SET open_amount = '0.00', status = 'paid' "
	       "WHERE item_no = 'A2-202610'");
	assert_tampered(t, "account A2: its open item no longer matches");
	raw(t, "UPDATE ledger_item SET open_amount = amount, status = 'open' "
	       "WHERE item_no = 'A2-202610'");
	assert_verifies(t);
	raw(t, "DELETE FROM ledger_item WHERE item_no = 'A2-202610'");
	assert_tampered(t, "account A2: its open item no longer matches");
}

/* Entry, item and balance of A1's bulk-posted bill lowered together: the batch's entry differs. */
PCRM_BACKEND_TEST(audit_cover_state, consistent_edit_of_bulk_posted_rows_is_found)
{
	run_and_post_october(t);
	raw(t, "UPDATE ledger_entry SET amount = '1.00', balance = '11.00' "
	       "WHERE account_no = 'A1' AND kind = 'bill' AND ref = 'A1-202610'");
	raw(t, "UPDATE ledger_item SET amount = '1.00', open_amount = '1.00' "
	       "WHERE item_no = 'A1-202610'");
	raw(t, "UPDATE ledger_account SET balance = '11.00' WHERE account_no = 'A1'");
	assert_tampered(t, "account A1: its ledger entry no longer matches what the bulk posting "
	                   "recorded");
}

/* A payment settling a bulk-posted item: the item changes legitimately, and still verifies. */
PCRM_BACKEND_TEST(audit_cover_state, paying_a_bulk_posted_item_verifies)
{
	run_and_post_october(t);
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &city_agent, "A2", payment("K4", "20.00"), NULL));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_item WHERE item_no = 'A2-202610' "
	                      "AND open_amount <> amount"),
	             1);
	assert_verifies(t);
	raw(t, "UPDATE ledger_item SET open_amount = amount WHERE item_no = 'A2-202610'");
	assert_tampered(t, "account A2 no longer matches");
}

/* ---- revisions ---- */

/*
 * An entry taken with revision 1 of "work_order" (the history only, as
 * before the row was covered) is checked as revision 1: an edit of the row
 * alone does not fail it, an edit of the history does; revision 2 sees both.
 */
PCRM_BACKEND_TEST(audit_cover_state, older_revisions_are_checked_as_they_were_taken)
{
	char id[PCRM_WORKORDER_ID_LEN + 1], one[PCRM__AUDIT_COVERS_MAX], two[PCRM__AUDIT_COVERS_MAX];
	char other[PCRM__AUDIT_COVERS_MAX + 8];
	int same = -1;
	contacted_order(t, id);
	pcrm_assert_ok(pcrm__audit_cover_revision(t->ctx, "work_order", id, 1, one));
	pcrm_assert_ok(pcrm__audit_cover_revision(t->ctx, "work_order", id, 2, two));
	cr_assert(strncmp(one, "2:", 2) == 0, "revision 1 has no prefix: %s", one);
	cr_assert(strncmp(two, "2/2:", 4) == 0, "revision 2 says so: %s", two);
	cr_assert_str_neq(one + 2, two + 4, "revision 2 digests more");

	raw(t, "UPDATE work_order SET state = 'closed'");
	pcrm_assert_ok(pcrm__audit_cover_check(t->ctx, "work_order", id, one, &same));
	cr_assert_eq(same, 1, "revision 1 does not cover the row");
	pcrm_assert_ok(pcrm__audit_cover_check(t->ctx, "work_order", id, two, &same));
	cr_assert_eq(same, 0, "revision 2 does");

	raw(t, "UPDATE work_order_history SET note = 'x' WHERE seq = 2");
	pcrm_assert_ok(pcrm__audit_cover_check(t->ctx, "work_order", id, one, &same));
	cr_assert_eq(same, 0, "revision 1 covers the history");

	/* a revision the type never had, or a malformed one, matches nothing */
	snprintf(other, sizeof(other), "4/%s", one);
	pcrm_assert_ok(pcrm__audit_cover_check(t->ctx, "work_order", id, other, &same));
	cr_assert_eq(same, 0);
	snprintf(other, sizeof(other), "x/%s", one);
	pcrm_assert_ok(pcrm__audit_cover_check(t->ctx, "work_order", id, other, &same));
	cr_assert_eq(same, 0);
	pcrm_assert_ok(pcrm__audit_cover_revision(t->ctx, "work_order", id, 4, other));
	cr_assert_str_eq(other, "");
}
