/*
 * Contract terms of two-part (两部制) accounts on both backends: the archive
 * keeps them (validated, canonical, audited), and a billing run bills with
 * them exactly as pcrm_bill_compute() does with the same attributes.
 *
 * Hand-checked figures, October 2026:
 *
 * Capacity tariff (energy 0.5 yuan/kWh, basic 25 yuan/kVA/month, one fund
 * 0.01 yuan/kWh, power-factor adjustment), 240,000 kWh and 155,000 kvarh,
 * contract capacity 1,250 kVA:
 *   energy   240,000 x 0.5                      = 120,000.00
 *   basic      1,250 x 25                       =  31,250.00
 *   PF = 240000 / sqrt(240000^2 + 155000^2) = 0.84004 -> 0.84
 *     standard 0.90: 6 steps below x 0.5 % = +3 %: 151,250.00 x 0.03  = 4,537.50
 *     standard 0.85: 1 step below = +0.5 %:        151,250.00 x 0.005 =   756.25
 *   fund     240,000 x 0.01                     =   2,400.00
 *   total (0.90) 158,187.50; total (0.85) 154,406.25
 *
 * cn-large-industry-two-part (demand 38.4 yuan/kW/month, excess above 105 %
 * of the contract at double price), peak 50,000, flat 80,000, valley 70,000
 * kWh, reactive 90,000 kvarh, maximum demand 900 kW (readings 850 and 900),
 * contracted demand 800 kW, standard 0.90:
 *   energy 50,000 x 0.9521 + 80,000 x 0.6126 + 70,000 x 0.2966
 *        = 47,605.00 + 49,008.00 + 20,762.00  = 117,375.00
 *   basic_contract_demand         800 kW (the contract) x 38.4 = 30,720.00
 *   basic_contract_demand_excess  900 - 840 (105 % of 800) = 60 kW x 76.8 = 4,608.00
 *   PF = 200000 / sqrt(200000^2 + 90000^2) = 0.91192 -> 0.91: -0.15 %
 *     of 152,703.00 = -229.0545 -> -229.05
 *   funds 200,000 x (0.0019688 + 0.0062 + 0.019) = 393.76 + 1,240.00 + 3,800.00
 *   total 152,703.00 - 229.05 + 5,433.76 = 157,907.71
 * The same account without contract terms bills the actual maximum demand:
 *   117,375.00 + 900 x 38.4 (34,560.00) + 5,433.76 = 157,368.76, no adjustment.
 *
 * Partial months on the capacity tariff (same usage, standard 0.90):
 *   supplied from 2026-10-10 (22 days): basic 31,250.00 x 22 / 30 = 22,916.67;
 *     PF +3 % of 142,916.67 = 4,287.50; total 120,000.00 + 22,916.67 + 4,287.50
 *     + 2,400.00 = 149,604.17
 *   supplied until 2026-10-20 (20 days): basic 31,250.00 x 20 / 30 = 20,833.33;
 *     PF +3 % of 140,833.33 = 4,224.9999 -> 4,225.00; total 147,458.33
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billing_fixtures.h"

#define dec pcrm_test_dec
#define assert_money pcrm_assert_dec

/* 2026-10-15 20:00 +08:00: a reading inside October, before OCT31's. */
static const pcrm_time OCT15 = 1792065600;

static const char *const capacity_tariff =
	"{\"id\": \"test-two-part-capacity\", \"version\": 1, \"usage_class\": \"large_industry\","
	" \"effective_from\": \"2026-01-01\", \"currency\": \"CNY\", \"rounding\": \"half_up\","
	" \"energy\": {\"price\": \"0.5\"}, \"basic\": {\"kind\": \"capacity\", \"price\": \"25\"},"
	" \"power_factor_adjustment\": true,"
	" \"funds\": [{\"code\": \"renewable\", \"name\": \"可再生能源电价附加\", \"price\": \"0.01\"}]}";

/* Asserts the three contract columns of an account ("NULL" for NULL). */
static void assert_columns(pcrm_test_store *t, const char *account_no, const char *capacity,
                           const char *demand, const char *pf)
{
	const char *expected[3] = { capacity, demand, pf };
	pcrm_sql_value p[1] = { PCRM_SQL_S(account_no) };
	pcrm_rows *rows;
	pcrm_assert_ok(pcrm__store_query(t->ctx->store,
	                                 "SELECT contract_capacity_kva, contract_demand_kw, pf_standard "
	                                 "FROM account WHERE account_no = $1",
	                                 p, 1, &rows));
	cr_assert_eq(pcrm__rows_next(rows), 1);
	for (int c = 0; c < 3; c++) {
		const char *v = pcrm__rows_is_null(rows, c) ? "NULL" : pcrm__rows_text(rows, c);
		cr_assert_str_eq(v, expected[c], "%s column %d is %s", account_no, c, v);
	}
	pcrm__rows_free(rows);
}

#define read_tariff pcrm_test_read_tariff

/* A large-industry customer C<n> in Jinan with account A<n> holding `terms` (JSON members, or ""). */
static void add_plant(pcrm_test_store *t, int n, const char *terms)
{
	char doc[1024], no[16];
	snprintf(no, sizeof(no), "C%d", n);
	snprintf(doc, sizeof(doc),
	         "{\"customer_no\": \"%s\", \"kind\": \"organisation\", \"name\": \"工厂%d\","
	         " \"usage_class\": \"large_industry\", \"voltage_level\": \"10kV\","
	         " \"org_unit\": \"3701\"}", no, n);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, doc, NULL));
	snprintf(doc, sizeof(doc),
	         "{\"account_no\": \"A%d\", \"name\": \"电费\", \"payment_method\": \"cash\"%s%s}", n,
	         *terms ? ", " : "", terms);
	pcrm_assert_ok(pcrm_account_create(t->ctx, &city_clerk, no, doc, NULL));
	snprintf(doc, sizeof(doc),
	         "{\"mp_no\": \"P%d\", \"account_no\": \"A%d\", \"purpose\": \"settlement\","
	         " \"voltage_level\": \"10kV\"}", n, n);
	pcrm_assert_ok(pcrm_metering_point_create(t->ctx, &city_clerk, no, doc, NULL));
}

struct reading {
	pcrm_register reg;
	const char *value;
	pcrm_time at;
};

/* Installs meter M<n> at P<n> (`fields`: its members after meter_no and type) and reads it. */
static void meter_with_readings(pcrm_test_store *t, int n, const char *fields,
                                const struct reading *readings, size_t count)
{
	char doc[512], mp[16], meter[16];
	snprintf(mp, sizeof(mp), "P%d", n);
	snprintf(meter, sizeof(meter), "M%d", n);
	snprintf(doc, sizeof(doc), "{\"meter_no\": \"%s\", \"type\": \"three_phase_four_wire\", %s}",
	         meter, fields);
	pcrm_assert_ok(pcrm_meter_install(t->ctx, &city_clerk, mp, doc, SEP15));
	for (size_t i = 0; i < count; i++)
		pcrm_assert_ok(pcrm_reading_record(t->ctx, &city_clerk, meter, readings[i].reg,
		                                   dec(readings[i].value), readings[i].at, 0, NULL));
}

/* Multiplier 100, total + reactive; October: 240,000 kWh, 155,000 kvarh. */
static void meter_total_reactive(pcrm_test_store *t, int n)
{
	static const struct reading readings[] = {
		{ PCRM_REGISTER_TOTAL, "3400", OCT31 }, { PCRM_REGISTER_REACTIVE, "2050", OCT31 },
	};
	meter_with_readings(t, n,
	                    "\"multiplier\": \"100\", \"digits\": 6, \"registers\": [\"total\", "
	                    "\"reactive\"], \"initial_readings\": {\"total\": \"1000\", "
	                    "\"reactive\": \"500\"}",
	                    readings, sizeof(readings) / sizeof(readings[0]));
}

/* Multiplier 10, TOU + reactive + demand; the October figures above. */
static void meter_tou_demand(pcrm_test_store *t, int n)
{
	static const struct reading readings[] = {
		{ PCRM_REGISTER_PEAK, "5100", OCT31 },      { PCRM_REGISTER_FLAT, "8100", OCT31 },
		{ PCRM_REGISTER_VALLEY, "7100", OCT31 },    { PCRM_REGISTER_REACTIVE, "9100", OCT31 },
		{ PCRM_REGISTER_MAX_DEMAND, "85", OCT15 },  { PCRM_REGISTER_MAX_DEMAND, "90", OCT31 },
	};
	meter_with_readings(t, n,
	                    "\"multiplier\": \"10\", \"digits\": 6, \"registers\": [\"peak\", "
	                    "\"flat\", \"valley\", \"reactive\", \"max_demand\"], "
	                    "\"initial_readings\": {\"peak\": \"100\", \"flat\": \"100\", "
	                    "\"valley\": \"100\", \"reactive\": \"100\"}",
	                    readings, sizeof(readings) / sizeof(readings[0]));
}

/* Jinan, a published tariff, plants C1 and C2 with their terms and October readings. */
static void two_plants(pcrm_test_store *t, const char *tariff, const char *terms1,
                       const char *terms2, void (*meter)(pcrm_test_store *, int))
{
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, tariff));
	add_plant(t, 1, terms1);
	add_plant(t, 2, terms2);
	meter(t, 1);
	meter(t, 2);
}

static const char *spec(const char *tariff_id)
{
	static char buf[512];
	snprintf(buf, sizeof(buf),
	         "{\"org_unit\": \"3701\", \"period\": \"2026-10\", \"issue_date\": \"2026-11-01\","
	         " \"due_date\": \"2026-11-15\", \"tariffs\": {\"large_industry\": \"%s\"}}",
	         tariff_id);
	return buf;
}

/* The account's one stored bill. */
static pcrm_bill_list *bills_of(pcrm_test_store *t, const char *customer_no)
{
	pcrm_bill_list *bills;
	pcrm_assert_ok(pcrm_bill_list_load(t->ctx, &city_agent, customer_no, NULL, NULL, &bills));
	cr_assert_eq(pcrm_bill_list_count(bills), 1);
	return bills;
}

/* The customer's one bill: its total, text its JSON holds and text it lacks (NULL-ended lists). */
static void assert_bill(pcrm_test_store *t, const char *customer_no, const char *total,
                        const char *const *has, const char *const *lacks)
{
	pcrm_bill_list *bills = bills_of(t, customer_no);
	const char *json = pcrm_bill_list_at(bills, 0)->json;
	assert_money(pcrm_bill_list_at(bills, 0)->total, total);
	for (; has && *has; has++)
		cr_assert(strstr(json, *has), "%s lacks %s", json, *has);
	for (; lacks && *lacks; lacks++)
		cr_assert_null(strstr(json, *lacks), "%s holds %s", json, *lacks);
	pcrm_bill_list_free(bills);
}

/* The run's bill is exactly pcrm_bill_compute() of the same attributes and usage. */
static void assert_same_as_compute(pcrm_test_store *t, const char *customer_no,
                                   const char *tariff_id, const pcrm_bill_customer *cust,
                                   const pcrm_usage *usage)
{
	pcrm_date first = { 2026, 10, 1 }, last = { 2026, 10, 31 };
	pcrm_tariff *tariff;
	pcrm_bill *bill;
	pcrm_bill_list *bills = bills_of(t, customer_no);
	char *json;

	pcrm_assert_ok(pcrm_tariff_fetch(t->ctx, &city_agent, tariff_id, 0, first, &tariff));
	pcrm_assert_ok(pcrm_bill_compute(tariff, cust, first, last, usage, NULL, &bill));
	json = malloc(pcrm_bill_json_size(bill));
	cr_assert(json);
	pcrm_assert_ok(pcrm_bill_to_json(bill, json, pcrm_bill_json_size(bill)));
	cr_assert_str_eq(pcrm_bill_list_at(bills, 0)->json, json);
	free(json);
	pcrm_bill_free(bill);
	pcrm_tariff_free(tariff);
	pcrm_bill_list_free(bills);
}

/* ---- the archive ---- */

PCRM_BACKEND_TEST(contract, terms_are_stored_canonical_in_the_document_and_the_columns)
{
	pcrm_account *a;
	pcrm_contract_terms terms = PCRM_CONTRACT_TERMS_INIT;

	make_tree(t->ctx);
	add_plant(t, 1, "\"contract_capacity_kva\": \"01250.0\", \"contract_demand_kw\": \"800\","
	                " \"pf_standard\": \"0.9\"");
	pcrm_assert_ok(pcrm_account_get(t->ctx, &city_agent, "A1", &a));
	cr_assert(strstr(pcrm_account_json(a), "\"contract_capacity_kva\":\"1250.0\"") &&
	          strstr(pcrm_account_json(a), "\"contract_demand_kw\":\"800\"") &&
	          strstr(pcrm_account_json(a), "\"pf_standard\":\"0.90\""),
	          "%s", pcrm_account_json(a));
	pcrm_assert_ok(pcrm_account_contract(a, &terms));
	cr_assert_eq(terms.version, PCRM_CONTRACT_TERMS_VERSION);
	assert_money(terms.contract_capacity_kva, "1250.0");
	assert_money(terms.contract_demand_kw, "800");
	cr_assert_eq(terms.pf_standard, 90);
	pcrm_account_free(a);
	assert_columns(t, "A1", "1250.0", "800", "0.90");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'account.create' "
	                      "AND summary LIKE '%contract_capacity_kva%'"),
	             1, "the create's audit entry holds the terms");

	/* null removes a term from the document and the column */
	pcrm_assert_ok(pcrm_account_update(t->ctx, &city_clerk, "A1", "{\"contract_demand_kw\": null}",
	                                   1, &a));
	pcrm_assert_ok(pcrm_account_contract(a, &terms));
	cr_assert(pcrm_decimal_is_zero(terms.contract_demand_kw));
	cr_assert_eq(terms.pf_standard, 90);
	cr_assert_null(strstr(pcrm_account_json(a), "contract_demand_kw"));
	pcrm_account_free(a);
	assert_columns(t, "A1", "1250.0", "NULL", "0.90");

	/* an account without terms reads zeros */
	add_plant(t, 2, "");
	pcrm_assert_ok(pcrm_account_get(t->ctx, &city_agent, "A2", &a));
	pcrm_assert_ok(pcrm_account_contract(a, &terms));
	cr_assert(pcrm_decimal_is_zero(terms.contract_capacity_kva));
	cr_assert(pcrm_decimal_is_zero(terms.contract_demand_kw));
	cr_assert_eq(terms.pf_standard, 0);
	pcrm_assert_fails(pcrm_account_contract(a, NULL), PCRM_EINVAL, "out");
	pcrm_account_free(a);
	pcrm_assert_fails(pcrm_account_contract(NULL, &terms), PCRM_EINVAL, "account");
	assert_columns(t, "A2", "NULL", "NULL", "NULL");
}

PCRM_BACKEND_TEST(contract, bad_terms_name_the_field_and_change_nothing)
{
	static const struct { const char *patch, *needle; } bad[] = {
		{ "{\"contract_capacity_kva\": \"0\"}", "contract_capacity_kva: must be greater than 0" },
		{ "{\"contract_capacity_kva\": \"-5\"}", "contract_capacity_kva: must be greater than 0" },
		{ "{\"contract_capacity_kva\": 2000}", "contract_capacity_kva: must be a decimal string" },
		{ "{\"contract_capacity_kva\": \"1.1234567\"}", "contract_capacity_kva: at most 6 decimals" },
		{ "{\"contract_capacity_kva\": \"1000000000\"}", "contract_capacity_kva: must be below" },
		{ "{\"contract_demand_kw\": \"8OO\"}", "contract_demand_kw" },
		{ "{\"pf_standard\": \"0.95\"}", "pf_standard: must be one of \"0.90\", \"0.85\", \"0.80\"" },
		{ "{\"pf_standard\": 0.9}", "pf_standard: must be one of" },
		{ "{\"contract_capacity\": \"2000\"}", "contract_capacity: unknown field" },
		{ "{\"supply_start\": \"2026-13-01\"}", "supply_start: must be a date \"YYYY-MM-DD\"" },
		{ "{\"supply_end\": \"2026-1-5\"}", "supply_end: must be a date" },
		{ "{\"supply_start\": \"2026-10-10\", \"supply_end\": \"2026-10-01\"}",
		  "supply_end: 2026-10-01 lies before supply_start 2026-10-10" },
	};
	pcrm_contract_terms terms = PCRM_CONTRACT_TERMS_INIT;
	int64_t audits;
	char doc[256];

	make_tree(t->ctx);
	add_plant(t, 1, "\"contract_capacity_kva\": \"2000\", \"pf_standard\": \"0.90\"");
	audits = count(t, "SELECT COUNT(*) FROM audit_log");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pcrm_assert_fails(pcrm_account_update(t->ctx, &city_clerk, "A1", bad[i].patch, 1, NULL),
		                  PCRM_EINVAL, bad[i].needle);
		/* the same value refused on create */
		snprintf(doc, sizeof(doc), "{\"account_no\": \"B%zu\", \"name\": \"x\","
		         " \"payment_method\": \"cash\", %s", i, bad[i].patch + 1);
		pcrm_assert_fails(pcrm_account_create(t->ctx, &city_clerk, "C1", doc, NULL), PCRM_EINVAL,
		                  bad[i].needle);
	}
	/* the typed setter: the same checks */
	terms.contract_capacity_kva = dec("-1");
	pcrm_assert_fails(pcrm_account_set_contract(t->ctx, &city_clerk, "A1", &terms, 1, NULL),
	                  PCRM_EINVAL, "contract_capacity_kva: must be greater than 0");
	terms.contract_capacity_kva = dec("2000");
	terms.contract_demand_kw = dec("0.0000001");
	pcrm_assert_fails(pcrm_account_set_contract(t->ctx, &city_clerk, "A1", &terms, 1, NULL),
	                  PCRM_EINVAL, "contract_demand_kw: at most 6 decimals");
	terms.contract_demand_kw = dec("0");
	terms.pf_standard = 95;
	pcrm_assert_fails(pcrm_account_set_contract(t->ctx, &city_clerk, "A1", &terms, 1, NULL),
	                  PCRM_EINVAL, "pf_standard: 95 is not 90, 85, 80 or 0");
	terms.pf_standard = 85;
	terms.supply_start = (pcrm_date){ 2026, 2, 30 };
	pcrm_assert_fails(pcrm_account_set_contract(t->ctx, &city_clerk, "A1", &terms, 1, NULL),
	                  PCRM_EINVAL, "supply_start: must be a date");
	terms.supply_start = (pcrm_date){ 2026, 10, 10 };
	terms.supply_end = (pcrm_date){ 2026, 10, 9 };
	pcrm_assert_fails(pcrm_account_set_contract(t->ctx, &city_clerk, "A1", &terms, 1, NULL),
	                  PCRM_EINVAL, "supply_end: 2026-10-09 lies before supply_start 2026-10-10");
	terms.supply_end = (pcrm_date){ 0, 0, 0 };
	terms.version = 7;
	pcrm_assert_fails(pcrm_account_set_contract(t->ctx, &city_clerk, "A1", &terms, 1, NULL),
	                  PCRM_EINVAL, "terms.version");
	pcrm_assert_fails(pcrm_account_set_contract(t->ctx, &city_clerk, "A1", NULL, 1, NULL),
	                  PCRM_EINVAL, "terms");
	terms.version = PCRM_CONTRACT_TERMS_VERSION;
	pcrm_assert_fails(pcrm_account_set_contract(t->ctx, &city_clerk, "A1", &terms, 5, NULL),
	                  PCRM_ECONFLICT, "version 1, not 5");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log"), audits, "no refusal left a trace");

	/* an agent may not change the archive: refused and audited as a denial only */
	pcrm_assert_fails(pcrm_account_set_contract(t->ctx, &city_agent, "A1", &terms, 1, NULL),
	                  PCRM_EPERM, "archive.write");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'permission.denied'"), 1);

	assert_columns(t, "A1", "2000", "NULL", "0.90");
	cr_assert_eq(count(t, "SELECT version FROM account WHERE account_no = 'A1'"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM account WHERE account_no LIKE 'B%'"), 0);
}

PCRM_BACKEND_TEST(contract, set_contract_is_an_audited_account_update)
{
	pcrm_contract_terms terms = PCRM_CONTRACT_TERMS_INIT, back = PCRM_CONTRACT_TERMS_INIT;
	pcrm_account *a;

	make_tree(t->ctx);
	add_plant(t, 1, "\"contract_demand_kw\": \"500\"");
	terms.contract_capacity_kva = dec("3150");
	terms.pf_standard = 85;
	terms.supply_start = (pcrm_date){ 2026, 10, 10 };
	pcrm_assert_ok(pcrm_account_set_contract(t->ctx, &city_clerk, "A1", &terms, 1, &a));
	cr_assert_eq(pcrm_account_version(a), 2);
	pcrm_assert_ok(pcrm_account_contract(a, &back));
	assert_money(back.contract_capacity_kva, "3150");
	cr_assert(pcrm_decimal_is_zero(back.contract_demand_kw), "zero removes the contracted demand");
	cr_assert_eq(back.pf_standard, 85);
	cr_assert(back.supply_start.year == 2026 && back.supply_start.month == 10 &&
	          back.supply_start.day == 10);
	cr_assert(!pcrm_date_is_valid(back.supply_end));
	cr_assert(strstr(pcrm_account_json(a), "\"supply_start\":\"2026-10-10\""), "%s",
	          pcrm_account_json(a));
	pcrm_account_free(a);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM account WHERE supply_start = '2026-10-10' "
	                      "AND supply_end IS NULL"), 1);
	assert_columns(t, "A1", "3150", "NULL", "0.85");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'account.update' "
	                      "AND object_id = 'A1' AND summary LIKE '%\"pf_standard\":\"0.85\"%' "
	                      "AND summary LIKE '%\"contract_capacity_kva\":\"3150\"%'"),
	             1, "one account.update entry with the new terms");
	/* and back to none */
	terms = (pcrm_contract_terms)PCRM_CONTRACT_TERMS_INIT;
	pcrm_assert_ok(pcrm_account_set_contract(t->ctx, &city_clerk, "A1", &terms, 2, NULL));
	assert_columns(t, "A1", "NULL", "NULL", "NULL");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM account WHERE supply_start IS NULL"), 1);
}

/* ---- billing runs ---- */

PCRM_BACKEND_TEST(contract, a_run_bills_capacity_energy_and_power_factor)
{
	pcrm_bill_customer cust = PCRM_BILL_CUSTOMER_INIT;
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_usage *usage;

	two_plants(t, capacity_tariff, "\"contract_capacity_kva\": \"1250\", \"pf_standard\": \"0.90\"",
	           "\"contract_capacity_kva\": \"1250\", \"pf_standard\": \"0.85\"",
	           meter_total_reactive);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec("test-two-part-capacity"), NULL,
	                                NULL, &s));
	cr_assert_eq(s.billed, 2);
	assert_money(s.total, "312593.75");

	assert_bill(t, "C1", "158187.50",
	            (const char *const[]){
	                    "{\"amount\":\"120000.00\",\"code\":\"energy\"",
	                    "{\"amount\":\"31250.00\",\"code\":\"basic_capacity\"",
	                    "{\"amount\":\"4537.50\",\"code\":\"power_factor_adjustment\"",
	                    "{\"amount\":\"2400.00\",\"code\":\"fund\"", "\"power_factor\":\"0.84\"",
	                    NULL },
	            NULL);
	assert_bill(t, "C2", "154406.25",
	            (const char *const[]){
	                    "{\"amount\":\"756.25\",\"code\":\"power_factor_adjustment\"", NULL },
	            NULL);

	pcrm_assert_ok(pcrm_usage_new(&usage));
	pcrm_assert_ok(pcrm_usage_set_total(usage, dec("240000")));
	pcrm_assert_ok(pcrm_usage_set_reactive(usage, dec("155000")));
	cust.usage_class = "large_industry";
	cust.contract_capacity_kva = dec("1250");
	cust.pf_standard = 90;
	assert_same_as_compute(t, "C1", "test-two-part-capacity", &cust, usage);
	cust.pf_standard = 85;
	assert_same_as_compute(t, "C2", "test-two-part-capacity", &cust, usage);
	pcrm_usage_free(usage);
}

PCRM_BACKEND_TEST(contract, a_run_bills_demand_with_the_excess_over_105_percent)
{
	pcrm_bill_customer cust = PCRM_BILL_CUSTOMER_INIT;
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_bill_record *fresh;
	pcrm_usage *usage;
	char *tariff = read_tariff("cn-large-industry-two-part.json");

	two_plants(t, tariff, "\"contract_demand_kw\": \"800\", \"pf_standard\": \"0.90\"", "",
	           meter_tou_demand);
	free(tariff);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec("cn-large-industry-two-part"),
	                                NULL, NULL, &s));
	cr_assert_eq(s.billed, 2);

	assert_bill(t, "C1", "157907.71",
	            (const char *const[]){
	                    "{\"amount\":\"30720.00\",\"code\":\"basic_contract_demand\","
	                    "\"quantity\":\"800\"",
	                    "{\"amount\":\"4608.00\",\"code\":\"basic_contract_demand_excess\","
	                    "\"quantity\":\"60\"",
	                    "{\"amount\":\"-229.05\",\"code\":\"power_factor_adjustment\"",
	                    "\"power_factor\":\"0.91\"", NULL },
	            NULL);
	/* without terms: the actual maximum demand, no excess, no adjustment */
	assert_bill(t, "C2", "157368.76",
	            (const char *const[]){ "{\"amount\":\"34560.00\",\"code\":\"basic_actual_demand\"",
	                                   NULL },
	            (const char *const[]){ "basic_contract_demand", "power_factor", NULL });

	pcrm_assert_ok(pcrm_usage_new(&usage));
	pcrm_assert_ok(pcrm_usage_set_period(usage, "peak", dec("50000")));
	pcrm_assert_ok(pcrm_usage_set_period(usage, "flat", dec("80000")));
	pcrm_assert_ok(pcrm_usage_set_period(usage, "valley", dec("70000")));
	pcrm_assert_ok(pcrm_usage_set_reactive(usage, dec("90000")));
	pcrm_assert_ok(pcrm_usage_set_max_demand(usage, dec("900")));
	cust.usage_class = "large_industry";
	cust.contract_demand_kw = dec("800");
	cust.pf_standard = 90;
	assert_same_as_compute(t, "C1", "cn-large-industry-two-part", &cust, usage);
	pcrm_usage_free(usage);

	/* a correction bills with the terms as well */
	pcrm_assert_ok(pcrm_bill_correct(t->ctx, &city_admin, "A1-202610", "check", &fresh));
	assert_money(fresh->total, "157907.71");
	pcrm_bill_record_free(fresh);
}

/*
 * The basic-charge mode is the contract's (发改办价格〔2016〕1583号).  A tariff offering all
 * three (capacity 25 yuan/kVA, contracted or actual demand 38 yuan/kW, floor 40 % of the
 * capacity), energy 0.5 yuan/kWh; October: 200,000 kWh (the TOU registers summed),
 * maximum demand 900 kW:
 *   C1 by contracted demand, 800 kW: 100,000.00 + 800 x 38 + (900 - 840) x 76
 *      = 100,000.00 + 30,400.00 + 4,560.00 = 134,960.00
 *   C2 by actual demand, 2,500 kVA installed: max(900, 0.40 x 2,500 = 1,000) x 38
 *      = 38,000.00: 138,000.00; switched to capacity: 2,500 x 25 = 62,500.00: 162,500.00
 */
static const char *const modes_tariff =
	"{\"id\": \"test-basic-modes\", \"version\": 1, \"usage_class\": \"large_industry\","
	" \"effective_from\": \"2026-01-01\", \"currency\": \"CNY\", \"rounding\": \"half_up\","
	" \"energy\": {\"price\": \"0.5\"}, \"basic\": {\"modes\": {\"capacity\": \"25\","
	" \"contract_demand\": \"38\", \"actual_demand\": \"38\"}, \"default_mode\": \"capacity\","
	" \"actual_demand_floor\": \"0.40\"}}";

PCRM_BACKEND_TEST(contract, a_run_bills_each_account_in_its_contracts_basic_mode)
{
	pcrm_contract_terms terms = PCRM_CONTRACT_TERMS_INIT;
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	pcrm_bill_record *fresh;
	pcrm_account *a;

	two_plants(t, modes_tariff,
	           "\"contract_capacity_kva\": \"1250\", \"contract_demand_kw\": \"800\", "
	           "\"basic_mode\": \"contract_demand\"",
	           "\"contract_capacity_kva\": \"2500\", \"basic_mode\": \"actual_demand\"",
	           meter_tou_demand);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec("test-basic-modes"), NULL, NULL,
	                                &s));
	cr_assert_eq(s.billed, 2);
	assert_bill(t, "C1", "134960.00",
	            (const char *const[]){
	                    "{\"amount\":\"30400.00\",\"code\":\"basic_contract_demand\","
	                    "\"quantity\":\"800\"",
	                    "{\"amount\":\"4560.00\",\"code\":\"basic_contract_demand_excess\","
	                    "\"quantity\":\"60\"", NULL },
	            NULL);
	assert_bill(t, "C2", "138000.00",
	            (const char *const[]){
	                    "{\"amount\":\"38000.00\",\"code\":\"basic_actual_demand\","
	                    "\"quantity\":\"1000\"", NULL },
	            NULL);
	/* the mode is a term of the account: read, changed, stored in its column */
	pcrm_assert_ok(pcrm_account_get(t->ctx, &city_clerk, "A2", &a));
	pcrm_assert_ok(pcrm_account_contract(a, &terms));
	cr_assert_eq(terms.basic_mode, PCRM_BASIC_MODE_ACTUAL_DEMAND);
	cr_assert(strstr(pcrm_account_json(a), "\"basic_mode\":\"actual_demand\""));
	pcrm_account_free(a);
	terms.basic_mode = PCRM_BASIC_MODE_CAPACITY;
	pcrm_assert_ok(pcrm_account_set_contract(t->ctx, &city_clerk, "A2", &terms, 1, NULL));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM account WHERE basic_mode = 'capacity'"), 1);
	/* a version 1 caller leaves the mode alone */
	terms.version = 1;
	terms.basic_mode = PCRM_BASIC_MODE_ACTUAL_DEMAND;
	pcrm_assert_ok(pcrm_account_set_contract(t->ctx, &city_clerk, "A2", &terms, 2, NULL));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM account WHERE basic_mode = 'capacity'"), 1);
	pcrm_assert_fails(pcrm_account_update(t->ctx, &city_clerk, "A2",
	                                      "{\"basic_mode\": \"monthly\"}", 3, NULL),
	                  PCRM_EINVAL, "basic_mode");
	/* a correction bills in the mode the contract now has */
	pcrm_assert_ok(pcrm_bill_correct(t->ctx, &city_admin, "A2-202610", "mode changed", &fresh));
	assert_money(fresh->total, "162500.00");
	cr_assert(strstr(fresh->json, "\"code\":\"basic_capacity\""));
	pcrm_bill_record_free(fresh);
}

/*
 * A demand ratchet in runs: flat demand charge 10 yuan/kW, billing demand at least 80 % of the
 * highest measured demand of the 11 months before; energy 0.5 yuan/kWh, 1,000 kWh a month.
 *   September: 200 kW measured: 500.00 + 2,000.00 = 2,500.00
 *   October:   100 kW measured, 0.8 x 200 = 160 kW: 500.00 + 1,600.00 = 2,100.00
 *   November:   90 kW measured; October measured 100 (not its billed 160), September 200:
 *              160 kW again: 2,100.00
 */
static const char *const ratchet_tariff =
	"{\"id\": \"test-ratchet\", \"version\": 1, \"usage_class\": \"large_industry\","
	" \"effective_from\": \"2026-01-01\", \"currency\": \"CNY\", \"rounding\": \"half_up\","
	" \"energy\": {\"price\": \"0.5\"}, \"demand_charges\": {\"flat_by_month\": [\"10\","
	" \"10\", \"10\", \"10\", \"10\", \"10\", \"10\", \"10\", \"10\", \"10\", \"10\", \"10\"],"
	" \"ratchet\": {\"percent\": \"0.80\", \"months\": 11}}}";

static void run_month(pcrm_test_store *t, const char *period, const char *issue, const char *due)
{
	char buf[512];
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;
	snprintf(buf, sizeof(buf),
	         "{\"org_unit\": \"3701\", \"period\": \"%s\", \"issue_date\": \"%s\","
	         " \"due_date\": \"%s\", \"tariffs\": {\"large_industry\": \"test-ratchet\"}}",
	         period, issue, due);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, buf, NULL, NULL, &s));
	cr_assert_eq(s.billed, 1);
}

static void assert_bill_no(pcrm_test_store *t, const char *bill_no, const char *total,
                           const char *has)
{
	pcrm_bill_list *bills;
	int found = 0;
	pcrm_assert_ok(pcrm_bill_list_load(t->ctx, &city_agent, "C1", NULL, NULL, &bills));
	for (size_t i = 0; i < pcrm_bill_list_count(bills); i++) {
		const pcrm_bill_record *b = pcrm_bill_list_at(bills, i);
		if (strcmp(b->bill_no, bill_no) != 0)
			continue;
		found = 1;
		assert_money(b->total, total);
		cr_assert(strstr(b->json, has), "%s lacks %s", b->json, has);
	}
	cr_assert(found, "no bill %s", bill_no);
	pcrm_bill_list_free(bills);
}

PCRM_BACKEND_TEST(contract, a_run_ratchets_demand_from_the_accounts_earlier_bills)
{
	static const pcrm_time SEP25 = SEP15 + 10 * 86400, NOV30 = OCT31 + 30 * 86400;
	static const struct reading readings[] = {
		{ PCRM_REGISTER_TOTAL, "2000", SEP25 }, { PCRM_REGISTER_MAX_DEMAND, "200", SEP25 },
		{ PCRM_REGISTER_TOTAL, "3000", OCT31 }, { PCRM_REGISTER_MAX_DEMAND, "100", OCT31 },
		{ PCRM_REGISTER_TOTAL, "4000", NOV30 }, { PCRM_REGISTER_MAX_DEMAND, "90", NOV30 },
	};
	pcrm_bill_record *fresh;

	t->now = NOV30 + 3600; /* November's reading is not in the future */
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_tariff_publish(t->ctx, &root_admin, ratchet_tariff));
	add_plant(t, 1, "");
	meter_with_readings(t, 1,
	                    "\"multiplier\": \"1\", \"digits\": 6, \"registers\": [\"total\", "
	                    "\"max_demand\"], \"initial_readings\": {\"total\": \"1000\"}",
	                    readings, sizeof(readings) / sizeof(readings[0]));
	run_month(t, "2026-09", "2026-10-01", "2026-10-15");
	assert_bill_no(t, "A1-202609", "2500.00", "\"max_demand_kw\":\"200\"");
	run_month(t, "2026-10", "2026-11-01", "2026-11-15");
	assert_bill_no(t, "A1-202610", "2100.00",
	               "{\"amount\":\"1600.00\",\"code\":\"demand_flat\",\"quantity\":\"160\"");
	assert_bill_no(t, "A1-202610", "2100.00", "\"max_demand_kw\":\"100\"");
	run_month(t, "2026-11", "2026-12-01", "2026-12-15");
	assert_bill_no(t, "A1-202611", "2100.00", "\"quantity\":\"160\"");
	/* a correction looks back the same way */
	pcrm_assert_ok(pcrm_bill_correct(t->ctx, &city_admin, "A1-202610", "check", &fresh));
	assert_money(fresh->total, "2100.00");
	pcrm_bill_record_free(fresh);
}

PCRM_BACKEND_TEST(contract, a_capacity_tariff_without_a_contracted_capacity_stops_the_run)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;

	two_plants(t, capacity_tariff, "\"contract_capacity_kva\": \"1250\"",
	           "\"pf_standard\": \"0.90\"", meter_total_reactive);
	pcrm_assert_fails(pcrm_billing_run(t->ctx, &city_admin, spec("test-two-part-capacity"), NULL,
	                                   NULL, &s),
	                  PCRM_EINVAL, "account \"A2\": customer.contract_capacity_kva");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill"), 0, "the failing batch leaves nothing");
	/* give it its capacity and run again */
	pcrm_assert_ok(pcrm_account_update(t->ctx, &city_clerk, "A2",
	                                   "{\"contract_capacity_kva\": \"1250\"}", 1, NULL));
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec("test-two-part-capacity"), NULL,
	                                NULL, &s));
	cr_assert_eq(s.billed, 2);
	/* A1 has no standard: 153,650.00 without adjustment; A2 (0.90): 158,187.50 */
	assert_money(s.total, "311837.50");
}

PCRM_BACKEND_TEST(contract, the_month_of_a_new_or_ended_supply_prorates_the_basic_charge)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;

	two_plants(t, capacity_tariff,
	           "\"contract_capacity_kva\": \"1250\", \"pf_standard\": \"0.90\","
	           " \"supply_start\": \"2026-10-10\"",
	           "\"contract_capacity_kva\": \"1250\", \"pf_standard\": \"0.90\","
	           " \"supply_start\": \"2020-01-01\", \"supply_end\": \"2026-10-20\"",
	           meter_total_reactive);
	pcrm_assert_ok(pcrm_billing_run(t->ctx, &city_admin, spec("test-two-part-capacity"), NULL,
	                                NULL, &s));
	cr_assert_eq(s.billed, 2);
	assert_money(s.total, "297062.50");
	assert_bill(t, "C1", "149604.17",
	            (const char *const[]){
	                    "{\"amount\":\"22916.67\",\"code\":\"basic_capacity\",\"prorate_days\":22",
	                    "{\"amount\":\"4287.50\",\"code\":\"power_factor_adjustment\"",
	                    "\"period_end\":\"2026-10-31\",\"period_start\":\"2026-10-10\"", NULL },
	            NULL);
	assert_bill(t, "C2", "147458.33",
	            (const char *const[]){
	                    "{\"amount\":\"20833.33\",\"code\":\"basic_capacity\",\"prorate_days\":20",
	                    "\"period_end\":\"2026-10-20\",\"period_start\":\"2026-10-01\"", NULL },
	            NULL);
}

PCRM_BACKEND_TEST(contract, readings_outside_the_supply_dates_stop_the_run_and_name_the_account)
{
	pcrm_billing_summary s = PCRM_BILLING_SUMMARY_INIT;

	two_plants(t, capacity_tariff, "\"contract_capacity_kva\": \"1250\"",
	           "\"contract_capacity_kva\": \"1250\", \"supply_start\": \"2026-11-05\"",
	           meter_total_reactive);
	pcrm_assert_fails(pcrm_billing_run(t->ctx, &city_admin, spec("test-two-part-capacity"), NULL,
	                                   NULL, &s),
	                  PCRM_EINVAL, "account \"A2\": supply_start / supply_end: the account is "
	                               "not supplied in 2026-10");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM bill"), 0);
}
