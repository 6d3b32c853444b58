/*
 * Coverage of what a batched timer tick writes, of a work order's links and
 * notifications, and of a complaint's sealed caller number
 * (docs/security.md, "Coverage of business rows"), on both stores.  Each
 * column is edited straight in the database and found by
 * pcrm_audit_verify(); legitimate ticks, escalations, deliveries, changes
 * and reseals are not reported.
 */
#include "../complaint/complaint_fixture.h"
#include "audit_cover_fixture.h"

/* A "test" work order in 3701 (its id into id), warned by a batched tick. */
static void warned_order(pcrm_test_store *t, char id[PCRM_WORKORDER_ID_LEN + 1])
{
	pcrm_workorder *wo;
	int n = -1;
	make_tree(t->ctx);
	define_test(t->ctx);
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "test", "T1", NULL, "3701", NULL,
	                                   &wo));
	snprintf(id, PCRM_WORKORDER_ID_LEN + 1, "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 11, 23, 14, 30), &n));
	cr_assert_eq(n, 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'workorder.tick' "
	                      "AND summary LIKE '%\"row_covers\"%'"),
	             1, "the tick's entry lists its digests");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order WHERE steps = 2"), 1);
	assert_verifies(t);
	pcrm_assert_ok(pcrm_audit_verify(t->ctx, &city_monitor, NULL, NULL));
}

/* Each of the five columns the tick wrote, edited and put back. */
PCRM_BACKEND_TEST(audit_cover_wo, columns_a_tick_wrote_are_covered)
{
	static const char *const edits[][2] = {
		{ "UPDATE work_order SET updated_at = updated_at + 1",
		  "UPDATE work_order SET updated_at = updated_at - 1" },
		{ "UPDATE work_order SET due_at = due_at + 86400",
		  "UPDATE work_order SET due_at = due_at - 86400" },
		{ "UPDATE work_order SET overdue = 1", "UPDATE work_order SET overdue = 0" },
		{ "UPDATE work_order SET version = version + 5",
		  "UPDATE work_order SET version = version - 5" },
	};
	char id[PCRM_WORKORDER_ID_LEN + 1], needle[128];
	warned_order(t, id);
	snprintf(needle, sizeof(needle), "work order %s: its row no longer matches what the timer "
	                                 "tick recorded", id);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		raw(t, edits[i][0]);
		assert_tampered_in_province(t, needle);
		raw(t, edits[i][1]);
		assert_verifies(t);
	}
	/* the step count lowered below the tick's entry, or raised past it */
	raw(t, "UPDATE work_order SET steps = 1");
	snprintf(needle, sizeof(needle), "work order %s: its step count no longer matches", id);
	assert_tampered_in_province(t, needle);
	raw(t, "UPDATE work_order SET steps = 3");
	snprintf(needle, sizeof(needle), "work_order %s no longer matches", id);
	assert_tampered_in_province(t, needle);
}

/* The history entry the tick appended (no entry of the work order covers it yet). */
PCRM_BACKEND_TEST(audit_cover_wo, history_a_tick_wrote_is_covered)
{
	char id[PCRM_WORKORDER_ID_LEN + 1], needle[128];
	warned_order(t, id);
	snprintf(needle, sizeof(needle), "work order %s: its history entry no longer matches", id);
	raw(t, "UPDATE work_order_history SET note = 'nothing happened' WHERE seq = 2");
	assert_tampered_in_province(t, needle);
	raw(t, "DELETE FROM work_order_history WHERE seq = 2");
	assert_tampered_in_province(t, "work order");
}

/*
 * Later changes keep it verifiable and take over: a second tick's
 * escalation (the work order's own entry), then an agent's transition; the
 * first tick's row digest no longer applies, the newest entry's does.
 */
PCRM_BACKEND_TEST(audit_cover_wo, later_entries_cover_the_columns)
{
	char id[PCRM_WORKORDER_ID_LEN + 1], needle[128];
	int n = -1;
	warned_order(t, id);
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 11, 24, 9, 30), &n));
	cr_assert_eq(n, 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order WHERE escalations = 1 "
	                      "AND overdue = 1"),
	             1);
	assert_verifies(t);
	snprintf(needle, sizeof(needle), "work_order %s no longer matches", id);
	raw(t, "UPDATE work_order SET due_at = due_at + 86400");
	assert_tampered_in_province(t, needle);
	raw(t, "UPDATE work_order SET due_at = due_at - 86400");
	assert_verifies(t);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, 3, "contact",
	                                   "{\"contact_note\": \"called\"}", NULL, NULL));
	assert_verifies(t);
	raw(t, "UPDATE work_order SET overdue = 0");
	assert_tampered_in_province(t, needle);
}

/* Before any tick the work order's own entry covers those columns too. */
PCRM_BACKEND_TEST(audit_cover_wo, own_entry_covers_the_columns_until_a_tick)
{
	pcrm_workorder *wo;
	char needle[128];
	make_tree(t->ctx);
	define_test(t->ctx);
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "test", "T1", NULL, "3701", NULL,
	                                   &wo));
	snprintf(needle, sizeof(needle), "work_order %s no longer matches", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	assert_verifies(t);
	raw(t, "UPDATE work_order SET updated_at = updated_at + 1");
	assert_tampered_in_province(t, needle);
	raw(t, "UPDATE work_order SET updated_at = updated_at - 1, version = version + 1");
	assert_tampered_in_province(t, needle);
}

/* A link the work order made, and the notification its escalation wrote (delivered: no change). */
PCRM_BACKEND_TEST(audit_cover_wo, links_and_notifications_are_covered)
{
	pcrm_workorder *other;
	pcrm_notification_list *claimed = NULL;
	char id[PCRM_WORKORDER_ID_LEN + 1], needle[128];
	int n = -1;
	warned_order(t, id);
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, cst(2026, 11, 24, 9, 30), &n));
	cr_assert_eq(n, 1);
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "test", "T2", NULL, "3701", NULL,
	                                   &other));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_notification WHERE kind = "
	                      "'escalate'"),
	             1);
	pcrm_assert_ok(pcrm_workorder_link(t->ctx, &city_agent, id, pcrm_workorder_id(other),
	                                   "duplicate"));
	pcrm_workorder_free(other);
	assert_verifies(t);
	snprintf(needle, sizeof(needle), "work_order %s no longer matches", id);

	raw(t, "UPDATE work_order_link SET relation = 'related'");
	assert_tampered_in_province(t, needle);
	raw(t, "UPDATE work_order_link SET relation = 'duplicate'");
	assert_verifies(t);

	/* delivered (claimed and acknowledged): verifiable still */
	pcrm_assert_ok(pcrm_notification_claim(t->ctx, &root_admin, "37", 10, 60, &claimed));
	cr_assert_geq(pcrm_notification_list_count(claimed), 1);
	for (size_t i = 0; i < pcrm_notification_list_count(claimed); i++)
		pcrm_assert_ok(pcrm_notification_ack(t->ctx, &root_admin,
		                                     pcrm_notification_list_at(claimed, i)->id));
	pcrm_notification_list_free(claimed);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_notification WHERE kind = "
	                      "'escalate' AND delivered_at IS NOT NULL"),
	             1);
	assert_verifies(t);
	raw(t, "UPDATE work_order_notification SET note = 'all fine' WHERE kind = 'escalate'");
	assert_tampered_in_province(t, needle);
	raw(t, "DELETE FROM work_order_notification WHERE kind = 'escalate'");
	assert_tampered_in_province(t, needle);
}

PCRM_BACKEND_TEST(audit_cover_wo, deleted_link_is_found)
{
	pcrm_workorder *other;
	char id[PCRM_WORKORDER_ID_LEN + 1], needle[128];
	warned_order(t, id);
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, "test", "T2", NULL, "3701", NULL,
	                                   &other));
	pcrm_assert_ok(pcrm_workorder_link(t->ctx, &city_agent, id, pcrm_workorder_id(other),
	                                   "duplicate"));
	pcrm_workorder_free(other);
	assert_verifies(t);
	raw(t, "DELETE FROM work_order_link");
	snprintf(needle, sizeof(needle), "work_order %s no longer matches", id);
	assert_tampered_in_province(t, needle);
}

/* ---- a complaint's sealed caller number ---- */

static const char *const complaint_config =
	"{\"default_unit\": \"3701\", \"repeat_window_days\": 30,"
	" \"subcategories\": {\"service\": [\"attitude\"], \"business\": [\"billing\"],"
	"   \"outage\": [\"planned\"], \"supply_quality\": [\"voltage\"],"
	"   \"grid_construction\": [\"line_route\"]},"
	" \"rules\": []}";

/* A complaint filed with a caller number; its serial into `serial`. */
static void filed_with_caller(pcrm_test_store *t, char serial[64])
{
	char *def = read_source("data/workflows/complaint.json"),
	     *cal = read_source("data/calendars/cn-2026.json");
	pcrm_complaint *c = NULL;
	make_tree(t->ctx);
	add_customer(t->ctx, ZHANG, "37010201", "13800138000");
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, def, cal, NULL));
	free(def);
	free(cal);
	pcrm_assert_ok(pcrm_complaint_config_set(t->ctx, &root_admin, complaint_config));
	pcrm_assert_ok(pcrm_complaint_file(t->ctx, &city_agent,
	                                   "{\"channel\": \"phone\", \"category\": \"service\","
	                                   " \"subcategory\": \"attitude\", \"nature\": \"complaint\","
	                                   " \"description\": \"营业厅人员态度差\","
	                                   " \"caller_number\": \"0531-88886666\","
	                                   " \"customer_no\": \"" ZHANG "\"}",
	                                   &c));
	snprintf(serial, 64, "%s", pcrm_complaint_serial(c));
	pcrm_complaint_free(c);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'complaint' "
	                      "AND covers LIKE '2/%'"),
	             1, "the filing covers the ticket with revision 2");
	assert_verifies(t);
}

PCRM_BACKEND_TEST(audit_cover_wo, sealed_caller_number_is_covered)
{
	static const char *const edits[][2] = {
		{ "UPDATE complaint SET caller_number = replace(caller_number, '6666', '1234')",
		  "UPDATE complaint SET caller_number = replace(caller_number, '1234', '6666')" },
		{ "UPDATE complaint SET caller_hash = 'x' || caller_hash",
		  "UPDATE complaint SET caller_hash = substr(caller_hash, 2)" },
		{ "UPDATE complaint SET caller_cipher = caller_cipher || 'AA'",
		  "UPDATE complaint SET caller_cipher = substr(caller_cipher, 1, "
		  "length(caller_cipher) - 2)" },
	};
	char serial[64], needle[128];
	filed_with_caller(t, serial);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM complaint WHERE caller_number LIKE '%6666' "
	                      "AND caller_hash IS NOT NULL AND caller_cipher IS NOT NULL"),
	             1);
	snprintf(needle, sizeof(needle), "complaint %s no longer matches", serial);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		raw(t, edits[i][0]);
		assert_tampered_in_province(t, needle);
		raw(t, edits[i][1]);
		assert_verifies(t);
	}
}

/*
 * A ticket whose number is in clear (as one filed before schema 24) is
 * sealed by pcrm_complaint_reseal(), which writes the ticket's own entry:
 * the sealed number is covered from then on.
 */
PCRM_BACKEND_TEST(audit_cover_wo, reseal_covers_what_it_sealed)
{
	char serial[64], needle[128];
	int64_t left = -1;
	filed_with_caller(t, serial);
	raw(t, "UPDATE complaint SET caller_number = '053188886666', caller_hash = NULL, "
	       "caller_cipher = NULL");
	snprintf(needle, sizeof(needle), "complaint %s no longer matches", serial);
	assert_tampered_in_province(t, needle); /* the filing's entry covered the sealed number */
	pcrm_assert_ok(pcrm_complaint_reseal(t->ctx, &root_admin, 0, &left));
	cr_assert_eq(left, 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = "
	                      "'complaint.seal_caller' AND covers LIKE '2/%'"),
	             1);
	assert_verifies(t);
	raw(t, "UPDATE complaint SET caller_number = '053*****0000'");
	assert_tampered_in_province(t, needle);
}
