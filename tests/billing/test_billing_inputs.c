/*
 * What a billing run reads, where it reads it (migration 13): the copies of
 * the customer's attributes on its accounts and of the metering point's
 * account on its readings, kept right by every write that changes their
 * source and filled by the migration; and the run's first-run shortcut
 * (no "current bill yet" test per account) giving way when a bill of the
 * month appears meanwhile.  Both backends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billing_fixtures.h"

static void setup(pcrm_test_store *t)
{
	char *gz = pcrm_test_read_tariff("cn-gd-guangzhou-residential.json");
	make_tree(t->ctx);
	add_home(t, &city_clerk, 1, "37010201", "600");
	add_home(t, &city_clerk, 2, "370102", "200");
	add_home(t, &city_clerk, 3, "3701", NULL);
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, gz));
	free(gz);
}

/* "a differs from b", NULL a value of its own (IS DISTINCT FROM is SQLite 3.39+, the build takes 3.35) */
#define DIFFERS(a, b) "(" a " <> " b " OR (" a " IS NULL) <> (" b " IS NULL))"

/* How many accounts' copies differ from their customer's row (0 when kept right). */
static int64_t accounts_out_of_step(pcrm_test_store *t)
{
	return count(t, "SELECT COUNT(*) FROM account a JOIN customer c "
	                "ON c.customer_no = a.customer_no WHERE " DIFFERS("a.org_unit", "c.org_unit")
	                " OR " DIFFERS("a.usage_class", "c.usage_class")
	                " OR " DIFFERS("a.household_size", "c.household_size")
	                " OR " DIFFERS("a.low_income", "c.low_income")
	                " OR " DIFFERS("a.customer_status", "c.status"));
}

/* How many readings' account differs from their metering point's (0 when kept right). */
static int64_t readings_out_of_step(pcrm_test_store *t)
{
	return count(t, "SELECT COUNT(*) FROM meter_reading r JOIN metering_point m "
	                "ON m.mp_no = r.mp_no WHERE " DIFFERS("r.account_no", "m.account_no"));
}

static const char *const spec_3701 =
	"{\"org_unit\": \"3701\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\","
	" \"due_date\": \"2026-11-15\", \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}";

PCRM_BACKEND_TEST(billing_inputs, account_copies_follow_every_customer_write)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;

	setup(t);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM account WHERE org_unit = '37010201' "
	                      "AND usage_class = 'residential' AND household_size = 1 "
	                      "AND low_income = 0 AND customer_status = 'active' AND account_no = 'A1'"),
	             1, "an account is created with its customer's attributes");
	/* a second account of the same customer gets them too */
	pcrm_assert_ok(pcrm_account_create(t->ctx, &city_clerk, "C1",
	                                   "{\"account_no\": \"A1b\", \"name\": \"二号\","
	                                   " \"payment_method\": \"cash\"}",
	                                   NULL));
	pcrm_assert_ok(pcrm_customer_update(t->ctx, &city_clerk, "C1",
	                                    "{\"household_size\": 5, \"low_income\": true,"
	                                    " \"usage_class\": \"agriculture\", \"org_unit\": \"370102\"}",
	                                    1, NULL));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM account WHERE customer_no = 'C1' "
	                      "AND org_unit = '370102' AND usage_class = 'agriculture' "
	                      "AND household_size = 5 AND low_income = 1"),
	             2, "both accounts follow the update");
	pcrm_assert_ok(pcrm_customer_update(t->ctx, &city_clerk, "C1", "{\"usage_class\": "
	                                    "\"residential\", \"status\": \"suspended\"}", 2, NULL));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM account WHERE customer_status = 'suspended'"), 2);
	cr_assert_eq(accounts_out_of_step(t), 0);

	/* what the run bills follows the copies: C1 is suspended, so only A2 */
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701, NULL, NULL, &s));
	cr_assert_eq(s.billed, 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill WHERE account_no = 'A2'"), 1);

	/* back to active and out of the run's subtree: still not billed */
	pcrm_assert_ok(pcrm_customer_update(t->ctx, &root_admin, "C1",
	                                    "{\"status\": \"active\", \"org_unit\": \"3702\"}", 3,
	                                    NULL));
	cr_assert_eq(accounts_out_of_step(t), 0);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701, NULL, NULL, &s));
	cr_assert_eq(s.billed, 0);
	/* back in: billed */
	pcrm_assert_ok(pcrm_customer_update(t->ctx, &root_admin, "C1",
	                                    "{\"org_unit\": \"37010201\"}", 4, NULL));
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701, NULL, NULL, &s));
	cr_assert_eq(s.billed, 1);
	cr_assert_eq(s.already_billed, 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill WHERE account_no = 'A1'"), 1);

	pcrm_assert_ok(pcrm_customer_close(t->ctx, &city_clerk, "C3", 1));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM account WHERE account_no = 'A3' "
	                      "AND customer_status = 'closed'"),
	             1);
	cr_assert_eq(accounts_out_of_step(t), 0);

	/* the check sees a copy gone wrong, and the customer's next update repairs it */
	pcrm_assert_ok(t->ctx->store->driver->exec_script(
		t->ctx->store, "UPDATE account SET household_size = NULL WHERE account_no = 'A2'"));
	cr_assert_eq(accounts_out_of_step(t), 1);
	pcrm_assert_ok(pcrm_customer_update(t->ctx, &city_clerk, "C2", "{\"name\": \"居民二\"}", 1,
	                                    NULL));
	cr_assert_eq(accounts_out_of_step(t), 0);
}

PCRM_BACKEND_TEST(billing_inputs, readings_follow_their_metering_point_to_another_account)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_bill_list *bills;
	pcrm_decimal v;

	setup(t);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_reading WHERE account_no = 'A1'"),
	             count(t, "SELECT COUNT(*) FROM meter_reading WHERE mp_no = 'P1'"),
	             "a reading carries its point's account");
	cr_assert_gt(count(t, "SELECT COUNT(*) FROM meter_reading WHERE account_no = 'A1'"), 0);
	cr_assert_eq(readings_out_of_step(t), 0);
	pcrm_assert_ok(pcrm_account_create(t->ctx, &city_clerk, "C1",
	                                   "{\"account_no\": \"A1b\", \"name\": \"二号\","
	                                   " \"payment_method\": \"cash\"}",
	                                   NULL));
	pcrm_assert_ok(pcrm_metering_point_update(t->ctx, &city_clerk, "P1",
	                                          "{\"account_no\": \"A1b\"}", 1, NULL));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_reading WHERE account_no = 'A1'"), 0,
	             "the point's readings moved with it");
	/* a reading recorded after the move is the new account's too */
	pcrm_assert_ok(pcrm_decimal_parse("1650", &v));
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL, v, OCT31 + 3600,
	                                   0, NULL));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_reading WHERE account_no = 'A1b'"),
	             count(t, "SELECT COUNT(*) FROM meter_reading WHERE mp_no = 'P1'"));
	cr_assert_eq(readings_out_of_step(t), 0);
	pcrm_assert_ok(t->ctx->store->driver->exec_script(
		t->ctx->store, "UPDATE meter_reading SET account_no = NULL WHERE mp_no = 'P2'"));
	cr_assert_gt(readings_out_of_step(t), 0, "the check sees a copy gone wrong");
	pcrm_assert_ok(t->ctx->store->driver->exec_script(
		t->ctx->store, "UPDATE meter_reading SET account_no = 'A2' WHERE mp_no = 'P2'"));
	/* an update that does not move the point leaves its readings alone */
	pcrm_assert_ok(pcrm_metering_point_update(t->ctx, &city_clerk, "P1",
	                                          "{\"purpose\": \"assessment\"}", 2, NULL));
	cr_assert_eq(readings_out_of_step(t), 0);

	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701, NULL, NULL, &s));
	cr_assert_eq(s.billed, 2, "A1b (650 kWh) and A2; A1 has no reading any more");
	pcrm_assert_ok(pcrm_bill_list_load(t->ctx, &city_agent, "C1", NULL, NULL, &bills));
	cr_assert_eq(pcrm_bill_list_count(bills), 1);
	cr_assert_str_eq(pcrm_bill_list_at(bills, 0)->account_no, "A1b");
	pcrm_assert_dec(pcrm_bill_list_at(bills, 0)->energy, "650");
	pcrm_bill_list_free(bills);
}

PCRM_BACKEND_TEST(billing_inputs, migration_13_fills_the_copies_from_the_stored_rows)
{
	static const char *const drop[] = {
		"DROP INDEX meter_reading_by_account",
		/* schema 28's partial index names account.org_unit: SQLite cannot drop the column under it */
		"DROP INDEX account_bank_in_clear",
		"ALTER TABLE meter_reading DROP COLUMN account_no",
		"ALTER TABLE account DROP COLUMN org_unit",
		"ALTER TABLE account DROP COLUMN usage_class",
		"ALTER TABLE account DROP COLUMN household_size",
		"ALTER TABLE account DROP COLUMN low_income",
		"ALTER TABLE account DROP COLUMN customer_status",
		"DELETE FROM pcrm_schema WHERE version = 13",
	};
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	int v = 0;

	setup(t);
	pcrm_assert_ok(pcrm_customer_update(t->ctx, &city_clerk, "C2",
	                                    "{\"household_size\": 4, \"low_income\": true}", 1, NULL));
	/* back to a database of schema 12, whose customer and metering-point rows alone say it */
	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		pcrm_assert_ok(t->ctx->store->driver->exec_script(t->ctx->store, drop[i]));
	pcrm_assert_ok(pcrm__store_migrate(t->ctx->store, 1793448000));
	pcrm_assert_ok(pcrm_ctx_schema_version(t->ctx, &v));
	cr_assert_geq(v, 13);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM pcrm_schema WHERE version = 13"), 1,
	             "migration 13 applied again");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM account WHERE account_no = 'A2' "
	                      "AND org_unit = '370102' AND household_size = 4 AND low_income = 1 "
	                      "AND usage_class = 'residential' AND customer_status = 'active'"),
	             1);
	cr_assert_eq(accounts_out_of_step(t), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM meter_reading WHERE account_no IS NULL"), 0);
	cr_assert_eq(readings_out_of_step(t), 0);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701, NULL, NULL, &s));
	cr_assert_eq(s.billed, 2);
	pcrm_assert_dec(s.total, "488.20");
}

/* ---- the first run of a month leaves out the "current bill yet" test ---- */

struct meanwhile {
	pcrm_ctx *ctx;
	int calls;
	int rc;
};

/*
 * After the outer run's first batch (A1), someone else bills the county
 * 370102, whose unbilled account A2 is the outer run's next: the outer
 * run, started with no bill of the month, does not test for one per
 * account, so its COPY of A2's bill meets the unique index.
 */
static int bill_the_county_meanwhile(int64_t done, void *userdata)
{
	static const char *const county =
		"{\"org_unit\": \"370102\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\","
		" \"due_date\": \"2026-11-15\", \"tariffs\": {\"residential\": "
		"\"cn-gd-guangzhou-residential\"}}";
	struct meanwhile *m = userdata;
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	(void)done;
	if (m->calls++ == 0)
		m->rc = pcrm_billing_run(m->ctx, &city_admin, county, NULL, NULL, &s);
	return 0;
}

PCRM_BACKEND_TEST(billing_inputs, a_bill_written_meanwhile_is_not_written_twice)
{
	static const char *const spec =
		"{\"org_unit\": \"3701\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\","
		" \"due_date\": \"2026-11-15\", \"batch_size\": 1,"
		" \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}";
	struct meanwhile m = { t->ctx, 0, -1 };
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;

	setup(t);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec, bill_the_county_meanwhile, &m, &s));
	pcrm_assert_ok(m.rc);
	cr_assert_eq(s.already_billed, 0, "nothing was billed when the run started");
	cr_assert_eq(s.billed, 1, "A1 only: A2 was billed meanwhile");
	cr_assert_eq(s.no_usage, 1);
	pcrm_assert_dec(s.total, "370.40");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill"), 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill WHERE account_no = 'A2'"), 1);
	/* and a rerun finds everything billed */
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec, NULL, NULL, &s));
	cr_assert_eq(s.billed, 0);
	cr_assert_eq(s.already_billed, 2);
}
