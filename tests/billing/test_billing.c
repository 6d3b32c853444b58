/*
 * Tariff versions in the store, billing runs, stored bills and corrections
 * on both backends.  Figures are hand-checked on the Guangzhou residential
 * tariff (tiers 0.589 / 0.639 / 0.889, May-October thresholds 260 / 600):
 *
 *   600 kWh in October: 260 x 0.589 + 340 x 0.639 = 153.14 + 217.26 = 370.40
 *   200 kWh:            200 x 0.589                                  = 117.80
 *   700 kWh:            370.40 + 100 x 0.889                          = 459.30
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billing_fixtures.h"
#include "race.h"

#define DAY 86400

static const pcrm_actor qingdao_clerk = { "clerk-qd", PCRM_ROLE_DATA_CLERK, 1, "3702" };
static const pcrm_actor qingdao_admin = { "admin-qd", PCRM_ROLE_ADMIN, 2, "3702" };

#define read_tariff pcrm_test_read_tariff

#define dec pcrm_test_dec
#define assert_money pcrm_assert_dec

/* C1 600 kWh, C2 200 kWh, C3 no reading (all in 3701); C4 600 kWh in Qingdao (3702). */
static void setup(pcrm_test_store *t)
{
	char *gz = read_tariff("cn-gd-guangzhou-residential.json");
	make_tree(t->ctx);
	add_home(t, &city_clerk, 1, "37010201", "600");
	add_home(t, &city_clerk, 2, "370102", "200");
	add_home(t, &city_clerk, 3, "3701", NULL);
	add_home(t, &root_admin, 4, "3702", "600");
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, gz));
	free(gz);
}

static const char *const spec_3701 =
	"{\"org_unit\": \"3701\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\","
	" \"due_date\": \"2026-11-15\", \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}";
/* The same run posting each batch to the ledgers at once. */
static const char *const spec_3701_post =
	"{\"org_unit\": \"3701\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\","
	" \"due_date\": \"2026-11-15\", \"post\": true,"
	" \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}";
static const char *const post_3701 = "{\"org_unit\": \"3701\", \"period\": \"2026-10\"}";

/* Posts October's bills of 3701 and checks what the step says it did. */
static void post_month(pcrm_test_store *t, int64_t posted, int64_t already, const char *total)
{
	pcrm_billing_post_summary ps = PCRM_BILLING_POST_SUMMARY_INIT;
	pcrm_assert_ok(pcrm_billing_post(t->ctx, &city_admin, post_3701, NULL, NULL, &ps));
	cr_assert_eq(ps.posted, posted);
	cr_assert_eq(ps.already_posted, already);
	assert_money(ps.total, total);
}

/* ---- tariff versions ---- */

PCRM_BACKEND_TEST(billing, publish_is_idempotent_and_immutable)
{
	char *gz = read_tariff("cn-gd-guangzhou-residential.json");
	char *changed;
	pcrm_tariff *tariff;
	pcrm_date oct = { 2026, 10, 1 }, old = { 2025, 6, 1 };

	setup(t);
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, gz));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM tariff_version"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'tariff.publish'"), 1);
	changed = strdup(gz);
	memcpy(strstr(changed, "\"0.589\""), "\"0.590\"", 7);
	pcrm_assert_fails(pcrm_tariff_publish(t->ctx, &root_admin, changed), PCRM_ECONFLICT,
	                  "already published with another document");
	memcpy(strstr(changed, "\"version\": 1"), "\"version\": 2", 12);
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, changed));

	pcrm_assert_ok(pcrm_tariff_fetch(t->ctx, &city_agent, "cn-gd-guangzhou-residential", 0, oct,
	                                 &tariff));
	cr_assert_eq(pcrm_tariff_version(tariff), 2, "the newest version in effect");
	pcrm_tariff_free(tariff);
	pcrm_assert_ok(pcrm_tariff_fetch(t->ctx, &city_agent, "cn-gd-guangzhou-residential", 1, oct,
	                                 &tariff));
	cr_assert_eq(pcrm_tariff_version(tariff), 1);
	pcrm_tariff_free(tariff);
	pcrm_assert_fails(pcrm_tariff_fetch(t->ctx, &city_agent, "cn-gd-guangzhou-residential", 0,
	                                    old, &tariff),
	                  PCRM_ENOTFOUND, "no version in effect on 2025-06-01");
	pcrm_assert_fails(pcrm_tariff_fetch(t->ctx, &city_agent, "nope", 3, oct, &tariff),
	                  PCRM_ENOTFOUND, "\"nope\" version 3");
	free(changed);
	free(gz);
}

PCRM_BACKEND_TEST(billing, publish_rejects_bad_documents_and_actors)
{
	char *gz = read_tariff("cn-gd-guangzhou-residential.json");
	setup(t);
	pcrm_assert_fails(pcrm_tariff_publish(t->ctx, &root_admin, "{\"id\": 5}"), PCRM_EINVAL, "id");
	memcpy(strstr(gz, "\"0.589\""), "\"x.589\"", 7);
	pcrm_assert_fails(pcrm_tariff_publish(t->ctx, &root_admin, gz), PCRM_EINVAL, "energy.price");
	pcrm_assert_fails(pcrm_tariff_publish(t->ctx, &city_agent, "{}"), PCRM_EPERM, "tariff.write");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM tariff_version"), 1);
	free(gz);
}

/* ---- billing runs ---- */

PCRM_BACKEND_TEST(billing, run_bills_the_subtree_exactly)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_bill_list *bills;
	pcrm_ledger_summary ledger = PCRM_LEDGER_SUMMARY_INIT;
	const pcrm_bill_record *b;

	setup(t);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701, NULL, NULL, &s));
	cr_assert_eq(s.accounts, 3);
	cr_assert_eq(s.billed, 2);
	cr_assert_eq(s.no_usage, 1);
	cr_assert_eq(s.already_billed, 0);
	assert_money(s.total, "488.20");

	pcrm_assert_ok(pcrm_bill_list_load(t->ctx, &city_agent, "C1", NULL, NULL, &bills));
	cr_assert_eq(pcrm_bill_list_count(bills), 1);
	b = pcrm_bill_list_at(bills, 0);
	cr_assert_str_eq(b->bill_no, "A1-202610");
	cr_assert_str_eq(b->period, "2026-10");
	cr_assert_str_eq(b->status, "issued");
	cr_assert_str_eq(b->tariff_id, "cn-gd-guangzhou-residential");
	cr_assert_eq(b->tariff_version, 1);
	cr_assert_eq(b->due_date.day, 15);
	assert_money(b->total, "370.40");
	assert_money(b->energy, "600");
	cr_assert(strstr(b->json, "\"energy\"") && strstr(b->json, "370.40"), "%s", b->json);
	cr_assert_null(b->replaces);
	cr_assert_eq(b->posted, 0, "the run calculates; posting is a step of its own");
	pcrm_bill_list_free(bills);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'ledger.%'"), 0);

	post_month(t, 2, 0, "488.20");
	pcrm_assert_ok(pcrm_bill_list_load(t->ctx, &city_agent, "C1", NULL, NULL, &bills));
	cr_assert_eq(pcrm_bill_list_at(bills, 0)->posted, 1);
	pcrm_bill_list_free(bills);
	pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &city_agent, "A1", &ledger));
	assert_money(ledger.balance, "370.40");
	pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &city_agent, "A2", &ledger));
	assert_money(ledger.balance, "117.80");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill WHERE account_no = 'A4'"), 0,
	             "Qingdao is outside the subtree");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'billing.run'"), 1);
}

PCRM_BACKEND_TEST(billing, rerun_creates_nothing_new)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	setup(t);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701_post, NULL, NULL, &s));
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701_post, NULL, NULL, &s));
	cr_assert_eq(s.billed, 0);
	cr_assert_eq(s.already_billed, 2);
	cr_assert_eq(s.no_usage, 1);
	assert_money(s.total, "0.00");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill"), 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry WHERE kind = 'bill'"), 2);
}

static int stop_after_first(int64_t done, void *userdata)
{
	int *calls = userdata;
	(*calls)++;
	return done >= 1;
}

PCRM_BACKEND_TEST(billing, an_interrupted_run_is_finished_by_running_it_again)
{
	static const char *const spec =
		"{\"org_unit\": \"3701\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\","
		" \"due_date\": \"2026-11-15\", \"batch_size\": 1, \"post\": true,"
		" \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}";
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	int calls = 0;

	setup(t);
	pcrm_assert_fails(pcrm_billing_run(t->ctx, &city_admin, spec, stop_after_first, &calls, &s),
	                  PCRM_ESTATE, "run it again");
	cr_assert_eq(calls, 1);
	cr_assert_eq(s.billed, 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill"), 1, "the committed batch stays");
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec, NULL, NULL, &s));
	cr_assert_eq(s.billed, 1);
	cr_assert_eq(s.already_billed, 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill"), 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry WHERE kind = 'bill'"), 2);
}

PCRM_BACKEND_TEST(billing, an_account_without_a_tariff_stops_the_run_and_names_it)
{
	static const char *const spec =
		"{\"org_unit\": \"3701\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\","
		" \"due_date\": \"2026-11-15\", \"tariffs\": {\"agriculture\": \"cn-gd-guangzhou-residential\"}}";
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	setup(t);
	pcrm_assert_fails(pcrm_billing_run(t->ctx, &city_admin, spec, NULL, NULL, &s), PCRM_EINVAL,
	                  "account \"A1\": tariffs names no tariff for usage class \"residential\"");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry"), 0);
}

PCRM_BACKEND_TEST(billing, bad_specs_name_the_field_and_change_nothing)
{
	static const struct {
		const char *spec;
		int status;
		const char *needle;
	} cases[] = {
		{ "not json", PCRM_EINVAL, "spec: not JSON" },
		{ "{\"org_unit\": \"3701\", \"period\": \"2026-13\", \"issue_date\": \"2026-11-01\","
		  " \"due_date\": \"2026-11-15\", \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}",
		  PCRM_EINVAL, "period" },
		{ "{\"org_unit\": \"3701\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-20\","
		  " \"due_date\": \"2026-11-15\", \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}",
		  PCRM_EINVAL, "due_date: lies before issue_date" },
		{ "{\"org_unit\": \"3701\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\","
		  " \"due_date\": \"2026-11-15\", \"tariffs\": {\"residential\": \"missing\"}}",
		  PCRM_ENOTFOUND, "tariffs.residential" },
		{ "{\"org_unit\": \"3701\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\","
		  " \"due_date\": \"2026-11-15\", \"tariffs\": {}}",
		  PCRM_EINVAL, "tariffs: names no tariff" },
		{ "{\"org_unit\": \"3701\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\","
		  " \"due_date\": \"2026-11-15\", \"batch_size\": 0,"
		  " \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}",
		  PCRM_EINVAL, "batch_size" },
		{ "{\"org_unit\": \"3701\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\","
		  " \"due_date\": \"2026-11-15\", \"colour\": 1,"
		  " \"tariffs\": {\"residential\": \"cn-gd-guangzhou-residential\"}}",
		  PCRM_EINVAL, "colour" },
	};
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;

	setup(t);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		pcrm_assert_fails(pcrm_billing_run(t->ctx, &city_admin, cases[i].spec, NULL, NULL, &s),
		                  cases[i].status, cases[i].needle);
	pcrm_assert_fails(pcrm_billing_run(t->ctx, &city_agent, spec_3701, NULL, NULL, &s), PCRM_EPERM,
	                  "billing.run");
	pcrm_assert_fails(pcrm_billing_run(t->ctx, &qingdao_admin, spec_3701, NULL, NULL, &s),
	                  PCRM_EPERM, "3701");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill"), 0);
}

/* ---- bills read back and corrected ---- */

PCRM_BACKEND_TEST(billing, bill_lists_filter_by_period_and_scope)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_bill_list *bills;

	setup(t);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701, NULL, NULL, &s));
	pcrm_assert_ok(pcrm_bill_list_load(t->ctx, &city_agent, "C1", "2026-10", "2026-10", &bills));
	cr_assert_eq(pcrm_bill_list_count(bills), 1);
	pcrm_bill_list_free(bills);
	pcrm_assert_ok(pcrm_bill_list_load(t->ctx, &city_agent, "C1", "2026-11", NULL, &bills));
	cr_assert_eq(pcrm_bill_list_count(bills), 0);
	cr_assert_null(pcrm_bill_list_at(bills, 0));
	pcrm_bill_list_free(bills);
	pcrm_assert_fails(pcrm_bill_list_load(t->ctx, &city_agent, "C1", "2026-1", NULL, &bills),
	                  PCRM_EINVAL, "from_period");
	/* refused without naming the customer's unit: the same words as for a number nobody has */
	pcrm_assert_fails(pcrm_bill_list_load(t->ctx, &qingdao_clerk, "C1", NULL, NULL, &bills),
	                  PCRM_EPERM, "customer: unknown or outside");
	cr_assert_null(strstr(pcrm_error_last(), "3701"), "%s", pcrm_error_last());
	pcrm_assert_fails(pcrm_bill_list_load(t->ctx, &city_agent, "C99", NULL, NULL, &bills),
	                  PCRM_EPERM, "customer: unknown or outside");
}

PCRM_BACKEND_TEST(billing, a_correction_voids_and_bills_again)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_bill_record *fresh;
	pcrm_bill_list *bills;
	pcrm_ledger_summary ledger = PCRM_LEDGER_SUMMARY_INIT;

	setup(t);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701_post, NULL, NULL, &s));
	/* a late reading of the same month: 100 kWh more */
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL, dec("1700"),
	                                   OCT31 + 3600, 0, NULL));
	pcrm_assert_fails(pcrm_bill_correct(t->ctx, &city_agent, "A1-202610", "late reading", &fresh),
	                  PCRM_EPERM, "billing.run");
	pcrm_assert_ok(pcrm_bill_correct(t->ctx, &city_admin, "A1-202610", "late reading", &fresh));
	cr_assert_str_eq(fresh->bill_no, "A1-202610-R1");
	cr_assert_str_eq(fresh->replaces, "A1-202610");
	assert_money(fresh->total, "459.30");
	assert_money(fresh->energy, "700");
	cr_assert_eq(fresh->due_date.day, 15, "the due date stays");
	cr_assert_eq(fresh->posted, 1, "the bill replacing a posted bill is posted");
	pcrm_bill_record_free(fresh);

	pcrm_assert_ok(pcrm_bill_list_load(t->ctx, &city_agent, "C1", NULL, NULL, &bills));
	cr_assert_eq(pcrm_bill_list_count(bills), 2, "both stay in history");
	cr_assert_str_eq(pcrm_bill_list_at(bills, 0)->bill_no, "A1-202610-R1");
	cr_assert_str_eq(pcrm_bill_list_at(bills, 1)->status, "void");
	cr_assert_eq(pcrm_bill_list_at(bills, 1)->posted, 1, "its entry stays in the ledger");
	pcrm_bill_list_free(bills);
	pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &city_agent, "A1", &ledger));
	assert_money(ledger.balance, "459.30");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry WHERE kind = 'void'"), 1);

	pcrm_assert_fails(pcrm_bill_correct(t->ctx, &city_admin, "A1-202610", "again", &fresh),
	                  PCRM_ESTATE, "is void");
	pcrm_assert_fails(pcrm_bill_correct(t->ctx, &city_admin, "A1-202610-R1", "", &fresh),
	                  PCRM_EINVAL, "reason");
	pcrm_assert_fails(pcrm_bill_correct(t->ctx, &city_admin, "nope", "x", &fresh), PCRM_EPERM,
	                  "bill: unknown or outside");
	/* a rerun of the month still finds everything billed, and posted */
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701, NULL, NULL, &s));
	cr_assert_eq(s.billed, 0);
	cr_assert_eq(s.already_billed, 2);
	post_month(t, 0, 2, "0.00");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry WHERE kind = 'bill'"), 3);
}

/*
 * Annual tiers (年阶梯) start from the energy of the year's earlier bills,
 * which a run reads only when a tariff of the run uses them; a tariff with
 * monthly tiers bills the same month alike, whatever came before.  Tiers
 * 0..700 kWh at 0.589, 700..1000 at 0.639, above at 0.889 a year:
 *
 *   September 500 kWh:                          500 x 0.589 = 294.50
 *   October 600 kWh after 500: 200 x 0.589 + 300 x 0.639 + 100 x 0.889
 *                            = 117.80 + 191.70 + 88.90        = 398.40
 *   October 600 kWh, monthly Guangzhou tiers                   = 370.40
 */
static const char annual_tariff[] =
	"{\"id\": \"annual-residential\", \"version\": 1, \"name\": \"annual tiers\","
	" \"usage_class\": \"residential\", \"effective_from\": \"2026-01-01\", \"currency\": \"CNY\","
	" \"rounding\": \"half_up\", \"utc_offset\": \"+08:00\", \"energy\": {\"price\": \"0.589\","
	" \"tier_basis\": \"annual\", \"tiers\": [{\"max\": \"700\", \"surcharge\": \"0\"},"
	" {\"max\": \"1000\", \"surcharge\": \"0.05\"}, {\"surcharge\": \"0.30\"}]}}";

static void run_month(pcrm_test_store *t, const char *period, const char *tariff,
                      const char *total)
{
	char spec[384];
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	snprintf(spec, sizeof(spec),
	         "{\"org_unit\": \"3701\", \"period\": \"%s\", \"issue_date\": \"2026-11-01\","
	         " \"due_date\": \"2026-11-15\", \"tariffs\": {\"residential\": \"%s\"}}",
	         period, tariff);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec, NULL, NULL, &s));
	cr_assert_eq(s.billed, 1, "%s", period);
	assert_money(s.total, total);
}

PCRM_BACKEND_TEST(billing, annual_tiers_start_from_the_years_earlier_bills)
{
	const pcrm_time sep30 = OCT31 - 31 * DAY; /* 2026-09-30 20:00 +08:00 */
	char *gz = read_tariff("cn-gd-guangzhou-residential.json");
	pcrm_bill_record *fresh;

	make_tree(t->ctx);
	add_home(t, &city_clerk, 1, "3701", NULL);
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                   dec("1500"), sep30, 0, NULL));
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL,
	                                   dec("2100"), OCT31, 0, NULL));
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, annual_tariff));
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, gz));
	free(gz);

	run_month(t, "2026-09", "annual-residential", "294.50");
	run_month(t, "2026-10", "annual-residential", "398.40");
	/* a correction bills the month again from the same earlier bills */
	pcrm_assert_ok(pcrm_bill_correct(t->ctx, &city_admin, "A1-202610", "check", &fresh));
	assert_money(fresh->total, "398.40");
	pcrm_bill_record_free(fresh);
	/* the same month on monthly tiers: September's bill does not count */
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, "DELETE FROM bill WHERE period = '2026-10'",
	                                NULL, 0, NULL));
	run_month(t, "2026-10", "cn-gd-guangzhou-residential", "370.40");
}

/* ---- the late-payment penalty ---- */

static void post_bill(pcrm_test_store *t, const char *account, const char *no, const char *due,
                      const char *amount)
{
	char doc[256];
	snprintf(doc, sizeof(doc),
	         "{\"kind\": \"bill\", \"bill_no\": \"%s\", \"period\": \"2025-12\","
	         " \"issue_date\": \"2025-12-01\", \"due_date\": \"%s\", \"amount\": \"%s\"}",
	         no, due, amount);
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &root_admin, account, doc, NULL));
}

static pcrm_decimal quote(pcrm_test_store *t, const char *account, int y, int m, int d)
{
	pcrm_date on = { y, m, d };
	pcrm_decimal fee;
	pcrm_assert_ok(pcrm_late_fee_quote(t->ctx, &city_agent, account, on, &fee));
	return fee;
}

PCRM_BACKEND_TEST(billing, late_fee_of_a_run_bill)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_ledger_entry *e;
	pcrm_ledger_summary ledger = PCRM_LEDGER_SUMMARY_INIT;
	pcrm_date nov20 = { 2026, 11, 20 };

	setup(t);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701, NULL, NULL, &s));
	/* calculated, not issued: no receivable, no penalty, no arrears */
	assert_money(quote(t, "A1", 2026, 11, 20), "0.00");
	pcrm_assert_ok(pcrm_late_fee_post(t->ctx, &city_admin, "A1", nov20, "LF-EARLY", &e));
	cr_assert_null(e, "an unposted bill earns no penalty");
	post_month(t, 2, 0, "488.20");
	assert_money(quote(t, "A1", 2026, 11, 15), "0.00");           /* due today: nothing yet */
	assert_money(quote(t, "A1", 2026, 11, 17), "1.00");         /* 370.40 x 2 x 1/1000 = 0.74 */
	assert_money(quote(t, "A1", 2026, 11, 20), "1.85");         /* 370.40 x 5 / 1000 = 1.852 */
	pcrm_assert_ok(pcrm_late_fee_post(t->ctx, &city_admin, "A1", nov20, "LF-A1-1120", &e));
	cr_assert_str_eq(e->kind, "adjustment");
	assert_money(e->amount, "1.85");
	pcrm_ledger_entry_free(e);
	pcrm_assert_ok(pcrm_late_fee_post(t->ctx, &city_admin, "A1", nov20, "LF-A1-1120", &e));
	cr_assert(e->replayed, "the same key posts once");
	pcrm_ledger_entry_free(e);
	pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &city_agent, "A1", &ledger));
	assert_money(ledger.balance, "372.25");
	/* the posted penalty earns no penalty itself */
	assert_money(quote(t, "A1", 2026, 11, 20), "1.85");
	pcrm_assert_fails(pcrm_late_fee_post(t->ctx, &city_agent, "A1", nov20, "LF-2", &e), PCRM_EPERM,
	                  "ledger.adjust");
	pcrm_assert_ok(pcrm_late_fee_post(t->ctx, &city_admin, "A2", (pcrm_date){ 2026, 11, 10 },
	                                  "LF-A2", &e));
	cr_assert_null(e, "nothing overdue, nothing posted");
}

PCRM_BACKEND_TEST(billing, late_fee_minimum_is_on_the_total_and_rates_follow_the_rules)
{
	static const char *const shop =
		"{\"customer_no\": \"S1\", \"kind\": \"organisation\", \"name\": \"小卖部\","
		" \"usage_class\": \"general_commercial_industrial\", \"voltage_level\": \"380V\","
		" \"org_unit\": \"3701\"}";
	pcrm_date bad = { 2026, 2, 30 };
	pcrm_decimal fee;

	setup(t);
	/* two residential bills of 100.00 due 2026-11-10: 2 days late, 0.20 each, 1.00 in all */
	post_bill(t, "A3", "B1", "2026-11-10", "100.00");
	post_bill(t, "A3", "B2", "2026-11-10", "100.00");
	assert_money(quote(t, "A3", 2026, 11, 12), "1.00");
	/* a shop: 2 per mille this year, 3 per mille on a bill due last year */
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, shop, NULL));
	pcrm_assert_ok(pcrm_account_create(t->ctx, &city_clerk, "S1",
	                                   "{\"account_no\": \"AS1\", \"name\": \"电费\","
	                                   " \"payment_method\": \"cash\"}", NULL));
	post_bill(t, "AS1", "S-OLD", "2025-12-20", "1000.00"); /* 2026-01-10: 21 days, 3/1000 */
	post_bill(t, "AS1", "S-NEW", "2026-01-05", "500.00");  /* 5 days, 2/1000 */
	/* 1000 x 21 x 0.003 + 500 x 5 x 0.002 = 63.00 + 5.00 */
	assert_money(quote(t, "AS1", 2026, 1, 10), "68.00");
	pcrm_assert_fails(pcrm_late_fee_quote(t->ctx, &city_agent, "AS1", bad, &fee), PCRM_EINVAL,
	                  "on");
	pcrm_assert_fails(pcrm_late_fee_quote(t->ctx, &city_agent, "NOPE", (pcrm_date){ 2026, 1, 1 },
	                                      &fee),
	                  PCRM_EPERM, "account: unknown or outside");
}

/* ---- property: how a month's readings are split never changes its bill ---- */

PCRM_BACKEND_TEST(billing, splitting_a_months_readings_never_changes_the_bill)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	unsigned int seed = 20261031;

	setup(t);
	/* C10..C17 each consume 731.25 kWh in October, read 1..8 times at random instants */
	for (int n = 10; n < 18; n++) {
		char meter[16];
		int parts = n - 9;
		int64_t left = 73125, value = 100000; /* hundredths of kWh; initial 1000 */
		pcrm_time when = OCT31 - 29 * DAY;
		add_home(t, &city_clerk, n, "3701", NULL);
		snprintf(meter, sizeof(meter), "M%d", n);
		for (int p = 0; p < parts; p++) {
			int64_t step = p == parts - 1 ? left : 1 + (int64_t)(rand_r(&seed) % (unsigned)(left / 2 + 1));
			left -= step;
			value += step;
			when += 1 + (pcrm_time)(rand_r(&seed) % (unsigned)(3 * DAY));
			pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, meter, PCRM_REGISTER_TOTAL,
			                                   pcrm_decimal_make(value, 2),
			                                   p == parts - 1 ? OCT31 : when, 0, NULL));
		}
	}
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701, NULL, NULL, &s));
	cr_assert_eq(s.billed, 10);
	/* 260 x 0.589 + 340 x 0.639 + 131.25 x 0.889 = 153.14 + 217.26 + 116.68 */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill WHERE account_no IN ('A10', 'A11', 'A12', "
	                      "'A13', 'A14', 'A15', 'A16', 'A17') AND total = '487.08' "
	                      "AND energy = '731.25'"),
	             8, "every split bills the same");
}

/* ---- the batch posting gives the ledger of posting one by one ---- */

static void post(pcrm_test_store *t, const char *account_no, const char *json)
{
	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &root_admin, account_no, json, NULL));
}

static void post_october_bill(pcrm_test_store *t, const char *account_no, const char *amount)
{
	char json[256];
	snprintf(json, sizeof(json),
	         "{\"kind\": \"bill\", \"bill_no\": \"%s-202610\", \"period\": \"2026-10\","
	         " \"issue_date\": \"2026-11-01\", \"due_date\": \"2026-11-15\", \"amount\": \"%s\"}",
	         account_no, amount);
	post(t, account_no, json);
}

/* An account's history before October's bill: a payment (credit) or an adjustment owed. */
static void history(pcrm_test_store *t, const char *account_no, int with_credit)
{
	char json[256];
	if (with_credit)
		snprintf(json, sizeof(json),
		         "{\"kind\": \"payment\", \"idempotency_key\": \"PAY-%s\", \"amount\": \"50.00\","
		         " \"channel\": \"counter\"}", account_no);
	else
		snprintf(json, sizeof(json),
		         "{\"kind\": \"adjustment\", \"idempotency_key\": \"ADJ-%s\", \"direction\": "
		         "\"debit\", \"amount\": \"10.00\", \"reason\": \"meter seal\"}", account_no);
	post(t, account_no, json);
}

static char *replace_all(const char *s, const char *from, const char *to)
{
	size_t nf = strlen(from), nt = strlen(to);
	char *out = calloc(1, strlen(s) * 2 + 1), *o = out;
	while (*s) {
		if (strncmp(s, from, nf) == 0) {
			memcpy(o, to, nt);
			o += nt;
			s += nf;
		} else {
			*o++ = *s++;
		}
	}
	return out;
}

/* The run's account and its twin posted one by one end with the same ledger. */
static void assert_same_ledger(pcrm_test_store *t, const char *run_acct, const char *twin)
{
	pcrm_ledger_list *a, *b;
	pcrm_ledger_summary sa = PCRM_LEDGER_SUMMARY_INIT, sb = PCRM_LEDGER_SUMMARY_INIT;
	char from[32], to[32], sql[640];

	pcrm_assert_ok(pcrm_ledger_load(t->ctx, &root_admin, run_acct, &a));
	pcrm_assert_ok(pcrm_ledger_load(t->ctx, &root_admin, twin, &b));
	cr_assert_eq(pcrm_ledger_list_count(a), pcrm_ledger_list_count(b));
	snprintf(from, sizeof(from), "%s-202610", twin);
	snprintf(to, sizeof(to), "%s-202610", run_acct);
	for (size_t i = 0; i < pcrm_ledger_list_count(a); i++) {
		const pcrm_ledger_entry *x = pcrm_ledger_list_at(a, i), *y = pcrm_ledger_list_at(b, i);
		cr_assert_eq(x->seq, y->seq);
		cr_assert_str_eq(x->kind, y->kind);
		cr_assert_eq(pcrm_decimal_cmp(x->amount, y->amount), 0);
		cr_assert_eq(pcrm_decimal_cmp(x->balance, y->balance), 0);
		cr_assert_eq(pcrm_decimal_cmp(x->credit, y->credit), 0);
		cr_assert_eq(pcrm_date_to_days(x->date), pcrm_date_to_days(y->date));
		if (strcmp(x->kind, "bill") == 0) {
			char *twin_json = replace_all(y->json, from, to);
			cr_assert_str_eq(x->json, twin_json);
			free(twin_json);
		}
	}
	pcrm_ledger_list_free(a);
	pcrm_ledger_list_free(b);
	pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &root_admin, run_acct, &sa));
	pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &root_admin, twin, &sb));
	cr_assert_eq(pcrm_decimal_cmp(sa.balance, sb.balance), 0);
	cr_assert_eq(pcrm_decimal_cmp(sa.open, sb.open), 0);
	cr_assert_eq(pcrm_decimal_cmp(sa.credit, sb.credit), 0);
	cr_assert_eq(sa.entries, sb.entries);
	snprintf(sql, sizeof(sql),
	         "SELECT COUNT(*) FROM ledger_item a JOIN ledger_item b ON b.account_no = '%s' "
	         "AND b.seq = a.seq AND b.kind = a.kind AND b.amount = a.amount "
	         "AND b.open_amount = a.open_amount AND b.status = a.status "
	         "AND b.issue_day = a.issue_day AND b.due_day = a.due_day "
	         "AND b.usage_class = a.usage_class WHERE a.account_no = '%s'",
	         twin, run_acct);
	{
		int64_t same = count(t, sql);
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM ledger_item WHERE account_no = '%s'",
		         run_acct);
		cr_assert_eq(same, count(t, sql), "%s and %s hold the same items", run_acct, twin);
		cr_assert_gt(same, 0);
	}
}

/* A run posting at once, or a run and then the posting step, give the ledger of posting one by one. */
static void check_ledger_of_posting_one_by_one(pcrm_test_store *t, int post_step)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_ledger_summary l = PCRM_LEDGER_SUMMARY_INIT;

	setup(t);
	/* A5 and A6 are twins of A1 and A2 outside the run's subtree. */
	add_home(t, &root_admin, 5, "3702", "600");
	add_home(t, &root_admin, 6, "3702", "200");
	history(t, "A1", 1);
	history(t, "A5", 1);
	history(t, "A2", 0);
	history(t, "A6", 0);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, post_step ? spec_3701 : spec_3701_post,
	                                NULL, NULL, &s));
	cr_assert_eq(s.billed, 2);
	if (post_step)
		post_month(t, 2, 0, "488.20");
	post_october_bill(t, "A5", "370.40");
	post_october_bill(t, "A6", "117.80");

	assert_same_ledger(t, "A1", "A5");
	assert_same_ledger(t, "A2", "A6");
	/* The batch stored the canonical request: posting the same bill again is a replay. */
	post_october_bill(t, "A2", "117.80");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry WHERE account_no = 'A2'"), 2);
	/* The credit of 50.00 went to the new bill: 370.40 - 50.00 open. */
	pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &root_admin, "A1", &l));
	assert_money(l.balance, "320.40");
	assert_money(l.credit, "0.00");
	pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &root_admin, "A2", &l));
	assert_money(l.balance, "127.80");
	/* A2 went through the batch (one audit entry listing it), A1 one by one. */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.post_bills' "
	                      "AND summary LIKE '%\"A2-202610\"%' AND summary NOT LIKE '%A1-%'"),
	             1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.post' "
	                      "AND object_id = 'A1' AND summary LIKE '%A1-202610%'"),
	             1);
}

PCRM_BACKEND_TEST(billing, a_run_posts_the_ledger_of_posting_one_by_one)
{
	check_ledger_of_posting_one_by_one(t, 0);
}

PCRM_BACKEND_TEST(billing, the_posting_step_posts_the_ledger_of_posting_one_by_one)
{
	check_ledger_of_posting_one_by_one(t, 1);
}

PCRM_BACKEND_TEST(billing, a_bill_already_in_the_ledger_is_replayed_or_refused_as_ever)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_ledger_summary l = PCRM_LEDGER_SUMMARY_INIT;

	setup(t);
	/* A2's October bill was posted to its ledger before, with the very same content. */
	post_october_bill(t, "A2", "117.80");
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701_post, NULL, NULL, &s));
	cr_assert_eq(s.billed, 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry WHERE account_no = 'A2'"), 1);
	pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &root_admin, "A2", &l));
	assert_money(l.balance, "117.80");
	pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &root_admin, "A1", &l));
	assert_money(l.balance, "370.40");
}

PCRM_BACKEND_TEST(billing, a_bill_number_posted_with_other_content_stops_the_batch)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;

	setup(t);
	post_october_bill(t, "A1", "1.00");
	pcrm_assert_fails(pcrm_billing_run(t->ctx, &city_admin, spec_3701_post, NULL, NULL, &s),
	                  PCRM_ECONFLICT, "A1-202610");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill"), 0, "the batch rolled back whole");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry"), 1);
}

/* ---- the posting step (电费发行) ---- */

PCRM_BACKEND_TEST(billing, posting_is_idempotent_and_resumable)
{
	static const char *const one_at_a_time =
		"{\"org_unit\": \"3701\", \"period\": \"2026-10\", \"batch_size\": 1}";
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_billing_post_summary ps = PCRM_BILLING_POST_SUMMARY_INIT;
	pcrm_ledger_summary l = PCRM_LEDGER_SUMMARY_INIT;
	int calls = 0;

	setup(t);
	add_home(t, &city_clerk, 5, "370102", "700");
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701, NULL, NULL, &s));
	cr_assert_eq(s.billed, 3);
	pcrm_assert_fails(pcrm_billing_post(t->ctx, &city_admin, one_at_a_time, stop_after_first,
	                                    &calls, &ps),
	                  PCRM_ESTATE, "run it again");
	cr_assert_eq(calls, 1);
	cr_assert_eq(ps.posted, 1);
	assert_money(ps.total, "370.40");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry"), 1, "the committed batch stays");
	/* resumed: the rest, nothing twice */
	pcrm_assert_ok(pcrm_billing_post(t->ctx, &city_admin, one_at_a_time, NULL, NULL, &ps));
	cr_assert_eq(ps.bills, 3);
	cr_assert_eq(ps.posted, 2);
	cr_assert_eq(ps.already_posted, 1);
	cr_assert_eq(ps.nothing_owed, 0);
	assert_money(ps.total, "577.10");
	/* once more: nothing new, not even an audit entry */
	{
		int64_t audit = count(t, "SELECT COUNT(*) FROM audit_log");
		post_month(t, 0, 3, "0.00");
		cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log"), audit);
	}
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry WHERE kind = 'bill'"), 3);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.post_bills'"), 3,
	             "one audit entry per batch");
	pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &city_agent, "A5", &l));
	assert_money(l.balance, "459.30");
	/* Qingdao's bill is outside the subtree: not billed, not posted */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry WHERE account_no = 'A4'"), 0);
	/* a run that posts finds the month posted already */
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701_post, NULL, NULL, &s));
	cr_assert_eq(s.billed, 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry WHERE kind = 'bill'"), 3);
}

PCRM_BACKEND_TEST(billing, posting_checks_its_spec_and_the_actor_and_changes_nothing)
{
	static const struct {
		const char *spec;
		int status;
		const char *needle;
	} cases[] = {
		{ NULL, PCRM_EINVAL, "spec: is NULL" },
		{ "[1]", PCRM_EINVAL, "spec" },
		{ "{\"period\": \"2026-10\"}", PCRM_EINVAL, "org_unit" },
		{ "{\"org_unit\": 3701, \"period\": \"2026-10\"}", PCRM_EINVAL, "org_unit" },
		{ "{\"org_unit\": \"3701\"}", PCRM_EINVAL, "period" },
		{ "{\"org_unit\": \"3701\", \"period\": \"2026-13\"}", PCRM_EINVAL, "period" },
		{ "{\"org_unit\": \"3701\", \"period\": \"2026-10\", \"batch_size\": 10001}",
		  PCRM_EINVAL, "batch_size" },
		{ "{\"org_unit\": \"3701\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\"}",
		  PCRM_EINVAL, "issue_date" },
		{ "{\"org_unit\": \"9999\", \"period\": \"2026-10\"}", PCRM_EPERM, "9999 is outside" },
	};
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_billing_post_summary ps = PCRM_BILLING_POST_SUMMARY_INIT;

	setup(t);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701, NULL, NULL, &s));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		pcrm_assert_fails(pcrm_billing_post(t->ctx, &city_admin, cases[i].spec, NULL, NULL, &ps),
		                  cases[i].status, cases[i].needle);
	pcrm_assert_fails(pcrm_billing_post(t->ctx, &city_agent, post_3701, NULL, NULL, &ps),
	                  PCRM_EPERM, "billing.run");
	pcrm_assert_fails(pcrm_billing_post(t->ctx, &qingdao_admin, post_3701, NULL, NULL, &ps),
	                  PCRM_EPERM, "3701");
	cr_assert_eq(ps.posted, 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_account"), 0);
	/* the unknown org unit 9999 is refused (and audited) like one outside the subtree */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'permission.denied'"), 3);
	/* "post" must be a boolean */
	pcrm_assert_fails(pcrm_billing_run(t->ctx, &city_admin,
	                                   "{\"org_unit\": \"3701\", \"period\": \"2026-10\","
	                                   " \"issue_date\": \"2026-11-01\", \"due_date\": \"2026-11-15\","
	                                   " \"post\": 1, \"tariffs\": {\"residential\": \"x\"}}",
	                                   NULL, NULL, &s),
	                  PCRM_EINVAL, "post: expected true or false");
}

PCRM_BACKEND_TEST(billing, correcting_an_unposted_bill_leaves_the_ledger_alone)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_bill_record *fresh;
	pcrm_bill_list *bills;
	pcrm_ledger_summary l = PCRM_LEDGER_SUMMARY_INIT;

	setup(t);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701, NULL, NULL, &s));
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL, dec("1700"),
	                                   OCT31 + 3600, 0, NULL));
	pcrm_assert_ok(pcrm_bill_correct(t->ctx, &city_admin, "A1-202610", "review: late reading",
	                                 &fresh));
	cr_assert_str_eq(fresh->bill_no, "A1-202610-R1");
	assert_money(fresh->total, "459.30");
	cr_assert_eq(fresh->posted, 0, "the bill replacing an unposted bill is not posted");
	pcrm_bill_record_free(fresh);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry"), 0, "the ledger is untouched");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_account"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'bill.correct' "
	                      "AND summary LIKE '%\"posted\":false%'"),
	             1);

	/* issuance posts the current bills only: the correction, not the void one */
	post_month(t, 2, 0, "577.10");
	pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &city_agent, "A1", &l));
	assert_money(l.balance, "459.30");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry WHERE ref = 'A1-202610'"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry WHERE kind = 'void'"), 0);
	pcrm_assert_ok(pcrm_bill_list_load(t->ctx, &city_agent, "C1", NULL, NULL, &bills));
	cr_assert_eq(pcrm_bill_list_count(bills), 2);
	cr_assert_eq(pcrm_bill_list_at(bills, 0)->posted, 1);
	cr_assert_str_eq(pcrm_bill_list_at(bills, 1)->status, "void");
	cr_assert_eq(pcrm_bill_list_at(bills, 1)->posted, 0);
	pcrm_bill_list_free(bills);

	/* once posted, a correction credits the ledger and posts its bill */
	pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, "M1", PCRM_REGISTER_TOTAL, dec("1800"),
	                                   OCT31 + 7200, 0, NULL));
	pcrm_assert_ok(pcrm_bill_correct(t->ctx, &city_admin, "A1-202610-R1", "late reading",
	                                 &fresh));
	cr_assert_str_eq(fresh->bill_no, "A1-202610-R2");
	cr_assert_eq(fresh->posted, 1);
	assert_money(fresh->total, "548.20"); /* 370.40 + 200 x 0.889 */
	pcrm_bill_record_free(fresh);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry WHERE kind = 'void' "
	                      "AND ref = 'A1-202610-R1-CN'"),
	             1);
	pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &city_agent, "A1", &l));
	assert_money(l.balance, "548.20");
	post_month(t, 0, 2, "0.00");
}

PCRM_BACKEND_TEST(billing, posting_replays_a_bill_the_ledger_holds_with_the_same_content)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_ledger_summary l = PCRM_LEDGER_SUMMARY_INIT;

	setup(t);
	/* A2's October bill is in its ledger already with the same content: a replay */
	post_october_bill(t, "A2", "117.80");
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701, NULL, NULL, &s));
	post_month(t, 1, 1, "370.40");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry WHERE account_no = 'A2'"), 1);
	pcrm_assert_ok(pcrm_ledger_summary_load(t->ctx, &root_admin, "A2", &l));
	assert_money(l.balance, "117.80");
}

PCRM_BACKEND_TEST(billing, posting_stops_at_a_bill_number_the_ledger_holds_with_other_content)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_billing_post_summary ps = PCRM_BILLING_POST_SUMMARY_INIT;

	setup(t);
	post_october_bill(t, "A1", "1.00");
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec_3701, NULL, NULL, &s));
	cr_assert_eq(s.billed, 2, "calculation does not look at the ledger");
	pcrm_assert_fails(pcrm_billing_post(t->ctx, &city_admin, post_3701, NULL, NULL, &ps),
	                  PCRM_ECONFLICT, "A1-202610");
	cr_assert_eq(ps.posted, 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM ledger_entry"), 1, "the batch rolled back whole");
}

/* ---- what a bill needs of a customer, as columns (migration 8) ---- */

static int64_t customer_column(pcrm_test_store *t, const char *customer_no, const char *column)
{
	char sql[160];
	snprintf(sql, sizeof(sql), "SELECT %s FROM customer WHERE customer_no = '%s'", column,
	         customer_no);
	return count(t, sql);
}

static const char *const big_family =
	"{\"customer_no\": \"H1\", \"kind\": \"person\", \"name\": \"五口之家\","
	" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"3701\","
	" \"household_size\": 5, \"low_income\": true}";

PCRM_BACKEND_TEST(billing, every_customer_write_sets_the_columns_a_bill_reads)
{
	static const char jsonl[] =
		"{\"customer_no\": \"H2\", \"kind\": \"person\", \"name\": \"甲\", \"usage_class\": "
		"\"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"3701\", "
		"\"household_size\": 7, \"low_income\": true}\n"
		"{\"customer_no\": \"H3\", \"kind\": \"person\", \"name\": \"乙\", \"usage_class\": "
		"\"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"3701\"}\n";
	int64_t imported = 0;

	setup(t);
	cr_assert_eq(customer_column(t, "C1", "household_size"), 1, "absent: 1");
	cr_assert_eq(customer_column(t, "C1", "low_income"), 0);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, big_family, NULL));
	cr_assert_eq(customer_column(t, "H1", "household_size"), 5);
	cr_assert_eq(customer_column(t, "H1", "low_income"), 1);
	pcrm_assert_ok(pcrm_customer_update(t->ctx, &city_clerk, "H1",
	                                    "{\"household_size\": 3, \"low_income\": false}", 1, NULL));
	cr_assert_eq(customer_column(t, "H1", "household_size"), 3);
	cr_assert_eq(customer_column(t, "H1", "low_income"), 0);
	pcrm_assert_ok(pcrm_customer_update(t->ctx, &city_clerk, "H1", "{\"household_size\": null}",
	                                    2, NULL));
	cr_assert_eq(customer_column(t, "H1", "household_size"), 1, "removed: 1 again");
	pcrm_assert_ok(pcrm_customer_import(t->ctx, &city_clerk, jsonl, strlen(jsonl), &imported));
	cr_assert_eq(imported, 2);
	cr_assert_eq(customer_column(t, "H2", "household_size"), 7);
	cr_assert_eq(customer_column(t, "H2", "low_income"), 1);
	cr_assert_eq(customer_column(t, "H3", "household_size"), 1);
	cr_assert_eq(customer_column(t, "H3", "low_income"), 0);
}

PCRM_BACKEND_TEST(billing, migration_8_fills_the_columns_from_stored_documents)
{
	static const char *const drop[] = { "ALTER TABLE customer DROP COLUMN household_size",
		                            "ALTER TABLE customer DROP COLUMN low_income",
		                            "DROP INDEX bill_issued_by_period",
		                            "DELETE FROM pcrm_schema WHERE version = 8" };
	int v = 0;

	setup(t);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, big_family, NULL));
	/* back to a database of schema 7, whose documents alone hold the attributes */
	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		pcrm_assert_ok(t->ctx->store->driver->exec_script(t->ctx->store, drop[i]));
	pcrm_assert_ok(pcrm__store_migrate(t->ctx->store, 1793448000));
	pcrm_assert_ok(pcrm_ctx_schema_version(t->ctx, &v));
	cr_assert_geq(v, 8);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM pcrm_schema WHERE version = 8"), 1,
	             "migration 8 applied again");
	cr_assert_eq(customer_column(t, "H1", "household_size"), 5);
	cr_assert_eq(customer_column(t, "H1", "low_income"), 1);
	cr_assert_eq(customer_column(t, "C1", "household_size"), 1);
	cr_assert_eq(customer_column(t, "C1", "low_income"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM customer WHERE household_size = 1 "
	                      "AND low_income = 0"),
	             4);
}

/* ---- the posting step and corrections at once ---- */

#define RACE_HOMES 60

static const char *const post_in_pairs =
	"{\"org_unit\": \"3701\", \"period\": \"2026-10\", \"batch_size\": 1}";

/* The posting step on a connection of its own, a bill a transaction; the bills it posted. */
static int post_racing(pcrm_test_store *t)
{
	pcrm_ctx *ctx = NULL;
	pcrm_billing_post_summary ps = PCRM_BILLING_POST_SUMMARY_INIT;
	int rc = open_another(t, &ctx);
	if (rc == PCRM_OK)
		rc = pcrm_billing_post(ctx, &city_admin, post_in_pairs, NULL, NULL, &ps);
	pcrm_ctx_close(ctx);
	return rc == PCRM_OK ? (int)ps.posted : rc;
}

/* Whether the race corrects account A<100 + i>'s bill: every other one. */
static int race_corrects(int i)
{
	return i % 2 == 0;
}

/*
 * Corrects every other bill on a connection of its own, from the last
 * account down while the posting step goes up, so that the two meet: some
 * bills are posted before their correction, some corrected before their
 * posting.  How many it corrected.
 */
static int correct_racing(pcrm_test_store *t)
{
	pcrm_ctx *ctx = NULL;
	int done = 0, rc = open_another(t, &ctx);
	for (int i = RACE_HOMES; i >= 1 && rc == PCRM_OK; i--) {
		if (!race_corrects(i))
			continue;
		char bill_no[32];
		snprintf(bill_no, sizeof(bill_no), "A%d-202610", 100 + i);
		rc = pcrm_bill_correct(ctx, &city_admin, bill_no, "review: late reading", NULL);
		done += rc == PCRM_OK;
	}
	pcrm_ctx_close(ctx);
	return rc == PCRM_OK ? done : rc;
}

/*
 * A correction racing the posting step never leaves the ledger out of step
 * with the bills: a voided bill the ledger holds is credited, the ledger
 * never holds a bill voided before it was posted, and once the step has
 * run again every account owes exactly its current bill.
 */
PCRM_BACKEND_TEST(billing, corrections_racing_the_posting_step_keep_the_ledger_in_step)
{
	struct pcrm_test_race_store r;
	pcrm_test_store *s = pcrm_test_race_store(t, &r);
	pcrm_billing_summary sum = PCRM_BILLING_SUMMARY_INIT;
	pcrm_billing_post_summary ps = PCRM_BILLING_POST_SUMMARY_INIT;
	int posted = 0, corrected = 0;

	setup(s);
	for (int i = 1; i <= RACE_HOMES; i++)
		add_home(s, &city_clerk, 100 + i, "370102", "600");
	pcrm_assert_ok(pcrm_billing_run(s->ctx, &city_admin, spec_3701, NULL, NULL, &sum));
	cr_assert_eq(sum.billed, RACE_HOMES + 2);
	/* late readings: each corrected bill grows from 370.40 to 459.30 */
	for (int i = 1; i <= RACE_HOMES; i++) {
		char meter[16];
		if (!race_corrects(i))
			continue;
		snprintf(meter, sizeof(meter), "M%d", 100 + i);
		pcrm_assert_ok(pcrm_reading_record(s->ctx, &city_clerk, meter, PCRM_REGISTER_TOTAL,
		                                   dec("1700"), OCT31 + 3600, 0, NULL));
	}

	race_pair(s, correct_racing, post_racing, &corrected, &posted);
	cr_assert_eq(corrected, RACE_HOMES / 2, "corrections: %d (%s)", corrected, pcrm_error_last());
	cr_assert(posted >= 0, "posting step: %d", posted);

	/* a voided bill is in the ledger exactly when its credit note is */
	cr_assert_eq(count(s, "SELECT COUNT(*) FROM bill b WHERE b.status = 'void' AND "
	                      "EXISTS (SELECT 1 FROM ledger_entry e WHERE e.kind = 'bill' "
	                      "AND e.ref = b.bill_no) <> EXISTS (SELECT 1 FROM ledger_entry v "
	                      "WHERE v.kind = 'void' AND v.ref = b.bill_no || '-CN')"),
	             0);
	/* a bill replacing a posted one was posted with the correction */
	cr_assert_eq(count(s, "SELECT COUNT(*) FROM bill n JOIN bill o ON o.bill_no = n.replaces "
	                      "WHERE EXISTS (SELECT 1 FROM ledger_entry e WHERE e.kind = 'bill' "
	                      "AND e.ref = o.bill_no) AND NOT EXISTS (SELECT 1 FROM ledger_entry e "
	                      "WHERE e.kind = 'bill' AND e.ref = n.bill_no)"),
	             0);

	/* the step run again posts what the race left, and every account owes its current bill */
	pcrm_assert_ok(pcrm_billing_post(s->ctx, &city_admin, post_3701, NULL, NULL, &ps));
	cr_assert_eq(ps.bills, RACE_HOMES + 2);
	cr_assert_eq(ps.posted + ps.already_posted, RACE_HOMES + 2);
	for (int i = 1; i <= RACE_HOMES; i++) {
		char acct[16];
		pcrm_ledger_summary l = PCRM_LEDGER_SUMMARY_INIT;
		snprintf(acct, sizeof(acct), "A%d", 100 + i);
		pcrm_assert_ok(pcrm_ledger_summary_load(s->ctx, &city_agent, acct, &l));
		assert_money(l.balance, race_corrects(i) ? "459.30" : "370.40");
	}
	cr_assert_eq(count(s, "SELECT COUNT(*) FROM ledger_entry WHERE kind = 'void'"),
	             count(s, "SELECT COUNT(*) FROM bill b WHERE b.status = 'void' AND EXISTS "
	                      "(SELECT 1 FROM ledger_entry e WHERE e.kind = 'bill' "
	                      "AND e.ref = b.bill_no)"));
	pcrm_test_race_store_remove(&r);
}
