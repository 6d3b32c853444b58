/*
 * The demand side, values checked by hand (docs/tariff-format.md, "basic"
 * and "demand_charges"): the three Chinese basic-charge modes and their
 * proration over meter-reading cycles, tiered demand charges flat and by
 * period, a demand schedule of its own whose period straddles energy
 * periods, ratchets from earlier months, and the loader's rejections.
 */
#include "tariff_test.h"

#define HEAD "\"id\":\"t\",\"version\":1,\"effective_from\":\"2025-01-01\",\"currency\":\"CNY\"," \
             "\"rounding\":\"half_up\""
/* energy: "on" 12:00-18:00 on weekdays, "off" else (weekends all "off") */
#define TOU_ON_OFF                                                                            \
	"\"tou\":{\"periods\":[\"on\",\"off\"],\"seasons\":[{\"months\":[1,2,3,4,5,6,7,8,9,10,11," \
	"12],\"weekday\":[{\"from\":\"00:00\",\"to\":\"12:00\",\"period\":\"off\"},{\"from\":"      \
	"\"12:00\",\"to\":\"18:00\",\"period\":\"on\"},{\"from\":\"18:00\",\"to\":\"24:00\","        \
	"\"period\":\"off\"}],\"weekend\":[{\"from\":\"00:00\",\"to\":\"24:00\",\"period\":"         \
	"\"off\"}]}]},\"energy\":{\"prices\":{\"on\":\"0.2\",\"off\":\"0.1\"}}"

static size_t count_lines(const pcrm_bill *b, const char *code)
{
	size_t n = 0;
	for (size_t i = 0; i < pcrm_bill_line_count(b); i++)
		n += strcmp(pcrm_bill_line_at(b, i)->code, code) == 0;
	return n;
}

static pcrm_usage *usage_demand(const char *kwh, const char *kw)
{
	pcrm_usage *u = NULL;
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_total(u, D(kwh)), PCRM_OK);
	if (kw)
		cr_assert_eq(pcrm_usage_set_max_demand(u, D(kw)), PCRM_OK);
	return u;
}

static void rejects(const char *json, const char *needle)
{
	pcrm_tariff *t = (pcrm_tariff *)1;
	expect_error(pcrm_tariff_load(&t, json), PCRM_EINVAL, needle);
	cr_assert_null(t);
}

/* ---- the Chinese basic charge: three modes ---- */

#define MODES "\"basic\":{\"modes\":{\"capacity\":\"25\",\"contract_demand\":\"38\"," \
              "\"actual_demand\":\"38\"},\"default_mode\":\"capacity\","            \
              "\"actual_demand_floor\":\"0.40\",\"proration\":\"calendar_days\"}"

Test(demand, the_contract_chooses_one_of_three_basic_modes)
{
	pcrm_tariff *t = load_tariff("{" HEAD ",\"energy\":{\"price\":\"0.5\"}," MODES "}");
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_usage *u = usage_demand("0", "700");
	pcrm_bill *b;

	c.contract_capacity_kva = D("2000");
	c.contract_demand_kw = D("1000");
	/* the tariff's default: capacity, 2,000 kVA x 25 = 50,000.00 */
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "basic_capacity", NULL, 0, "2000", "25.00", "50000.00");
	cr_assert_eq(pcrm_bill_line_count(b), 1);
	pcrm_bill_free(b);
	/* by contracted demand, 700 kW measured: the contract 1,000 kW x 38 = 38,000.00 */
	c.basic_mode = PCRM_BASIC_MODE_CONTRACT_DEMAND;
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "basic_contract_demand", NULL, 0, "1000", "38.00", "38000.00");
	cr_assert_null(find_line(b, "basic_contract_demand_excess", NULL, 0));
	pcrm_bill_free(b);
	/* 1,100 kW: + (1,100 - 1,050) x 76 = 3,800.00 */
	cr_assert_eq(pcrm_usage_set_max_demand(u, D("1100")), PCRM_OK);
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "basic_contract_demand_excess", NULL, 0, "50", "76.00", "3800.00");
	assert_dec(pcrm_bill_total(b), "41800.00");
	pcrm_bill_free(b);
	/* by actual demand: 700 kW is below 40 % of 2,000 kVA, so 800 kW x 38 = 30,400.00 */
	c.basic_mode = PCRM_BASIC_MODE_ACTUAL_DEMAND;
	cr_assert_eq(pcrm_usage_set_max_demand(u, D("700")), PCRM_OK);
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "basic_actual_demand", NULL, 0, "800", "38.00", "30400.00");
	cr_assert_eq(find_line(b, "basic_actual_demand", NULL, 0)->kind,
	             PCRM_LINE_BASIC_ACTUAL_DEMAND);
	pcrm_bill_free(b);
	/* above the floor: the measured 900.5 kW x 38 = 34,219.00 */
	cr_assert_eq(pcrm_usage_set_max_demand(u, D("900.5")), PCRM_OK);
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "basic_actual_demand", NULL, 0, "900.5", "38.00", "34219.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(demand, basic_modes_refuse_what_the_contract_lacks)
{
	pcrm_tariff *t = load_tariff("{" HEAD ",\"energy\":{\"price\":\"0.5\"},\"basic\":{\"modes\":"
	                             "{\"capacity\":\"25\",\"actual_demand\":\"38\"},"
	                             "\"actual_demand_floor\":\"0\"}}");
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_usage *u = usage_demand("0", "10");
	pcrm_bill *b = NULL;

	c.contract_capacity_kva = D("100");
	expect_error(pcrm_bill_compute(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "customer.basic_mode: tariff t offers several basic-charge modes");
	c.basic_mode = PCRM_BASIC_MODE_CONTRACT_DEMAND;
	expect_error(pcrm_bill_compute(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "customer.basic_mode: tariff t does not offer the contract_demand");
	c.basic_mode = (pcrm_basic_mode)7;
	expect_error(pcrm_bill_compute(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "customer.basic_mode: 7 is not a mode");
	/* a floor of 0: the measured 10 kW, no capacity needed */
	c.basic_mode = PCRM_BASIC_MODE_ACTUAL_DEMAND;
	c.contract_capacity_kva = D("0");
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "basic_actual_demand", NULL, 0, "10", "38.00", "380.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(demand, a_version_1_customer_still_bills_with_the_tariffs_mode)
{
	pcrm_tariff *t = load_tariff("{" HEAD ",\"energy\":{\"price\":\"0.5\"}," MODES "}");
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_usage *u = usage_demand("0", "700");
	pcrm_bill *b;

	c.version = 1;
	c.contract_capacity_kva = D("2000");
	c.basic_mode = PCRM_BASIC_MODE_ACTUAL_DEMAND; /* not part of version 1: not read */
	b = bill_ok(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "basic_capacity", NULL, 0, "2000", "25.00", "50000.00");
	pcrm_bill_free(b);
	c.version = 3;
	expect_error(pcrm_bill_compute(t, &c, DAY(2026, 7, 1), DAY(2026, 7, 31), u, NULL, &b),
	             PCRM_EINVAL, "customer.version: 3 is not 1 or 2");
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

/*
 * 供电营业规则: the basic charge is monthly; only the month (cycle) of a new
 * connection, change or termination pays per day supplied.
 */
Test(demand, a_whole_meter_reading_cycle_pays_the_whole_month)
{
	pcrm_tariff *cal = load_tariff("{" HEAD ",\"energy\":{\"price\":\"0.5\"}," MODES "}");
	pcrm_tariff *thirty = load_tariff("{" HEAD ",\"energy\":{\"price\":\"0.5\"},\"basic\":{"
	                                  "\"kind\":\"capacity\",\"price\":\"25\"}}");
	pcrm_bill_customer c = PCRM_BILL_CUSTOMER_INIT;
	pcrm_usage *u = usage_demand("0", NULL);
	pcrm_bill *b;

	c.contract_capacity_kva = D("2000");
	/* calendar days: 10..31 July, 22 days: 50,000.00 x 22 / 31 = 35,483.870... */
	b = bill_ok(cal, &c, DAY(2026, 7, 10), DAY(2026, 7, 31), u);
	assert_bill_line(b, "basic_capacity", NULL, 0, "2000", "25.00", "35483.87");
	cr_assert_eq(find_line(b, "basic_capacity", NULL, 0)->prorate_days, 22);
	pcrm_bill_free(b);
	/* a 31-day cycle 25 July .. 24 August billed whole: the whole month */
	c.cycle_start = DAY(2026, 7, 25);
	c.cycle_end = DAY(2026, 8, 24);
	b = bill_ok(thirty, &c, DAY(2026, 7, 25), DAY(2026, 8, 24), u);
	assert_bill_line(b, "basic_capacity", NULL, 0, "2000", "25.00", "50000.00");
	cr_assert_eq(find_line(b, "basic_capacity", NULL, 0)->prorate_days, 0);
	pcrm_bill_free(b);
	/* supplied from 1 August: 24 days of the cycle; 1/30 a day = 40,000.00 */
	b = bill_ok(thirty, &c, DAY(2026, 8, 1), DAY(2026, 8, 24), u);
	assert_bill_line(b, "basic_capacity", NULL, 0, "2000", "25.00", "40000.00");
	cr_assert_eq(find_line(b, "basic_capacity", NULL, 0)->prorate_days, 24);
	pcrm_bill_free(b);
	/* calendar days: 1 / 31 (the cycle's days) a day: 50,000.00 x 24 / 31 = 38,709.677... */
	b = bill_ok(cal, &c, DAY(2026, 8, 1), DAY(2026, 8, 24), u);
	assert_bill_line(b, "basic_capacity", NULL, 0, "2000", "25.00", "38709.68");
	pcrm_bill_free(b);
	/* without the cycle the same 31 days are not a calendar month: 31 / 30 (older rule) */
	c.cycle_start = DAY(0, 0, 0);
	c.cycle_end = DAY(0, 0, 0);
	b = bill_ok(thirty, &c, DAY(2026, 7, 25), DAY(2026, 8, 24), u);
	assert_bill_line(b, "basic_capacity", NULL, 0, "2000", "25.00", "51666.67");
	pcrm_bill_free(b);
	c.cycle_start = DAY(2026, 7, 25);
	c.cycle_end = DAY(2026, 8, 24);
	expect_error(pcrm_bill_compute(thirty, &c, DAY(2026, 8, 1), DAY(2026, 8, 31), u, NULL, &b),
	             PCRM_EINVAL, "customer.cycle_start: the billing period is not inside");
	c.cycle_end = DAY(0, 0, 0);
	expect_error(pcrm_bill_compute(thirty, &c, DAY(2026, 8, 1), DAY(2026, 8, 20), u, NULL, &b),
	             PCRM_EINVAL, "customer.cycle_end: give both cycle dates or neither");
	pcrm_usage_free(u);
	pcrm_tariff_free(cal);
	pcrm_tariff_free(thirty);
}

/* ---- demand charges with tiers ---- */

#define TIERS3 "[{\"max\":\"100\",\"price\":\"10\"},{\"max\":\"250\",\"price\":\"8\"},{\"price\":\"6\"}]"

Test(demand, flat_demand_tiers_by_month)
{
	pcrm_tariff *t = load_tariff("{" HEAD ",\"energy\":{\"price\":\"0.1\"},\"demand_charges\":{"
	                             "\"flat_by_month\":[\"5\",\"5\",\"5\",\"5\",\"5\",\"5\"," TIERS3
	                             ",\"5\",\"5\",\"5\",\"5\",\"5\"]}}");
	pcrm_usage *u = usage_demand("1000", "300");
	pcrm_bill *b;

	/* July: 100 kW x 10 + 150 kW x 8 + 50 kW x 6 = 1,000 + 1,200 + 300 */
	b = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "demand_flat", NULL, 1, "100", "10.00", "1000.00");
	assert_bill_line(b, "demand_flat", NULL, 2, "150", "8.00", "1200.00");
	assert_bill_line(b, "demand_flat", NULL, 3, "50", "6.00", "300.00");
	assert_dec(pcrm_bill_total(b), "2600.00"); /* + 1,000 kWh x 0.1 */
	pcrm_bill_free(b);
	/* 80 kW stays in tier 1 */
	cr_assert_eq(pcrm_usage_set_max_demand(u, D("80")), PCRM_OK);
	b = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "demand_flat", NULL, 1, "80", "10.00", "800.00");
	cr_assert_eq(count_lines(b, "demand_flat"), 1);
	pcrm_bill_free(b);
	/* June has one price: one line without a tier, 80 x 5 */
	b = bill_ok(t, NULL, DAY(2026, 6, 1), DAY(2026, 6, 30), u);
	assert_bill_line(b, "demand_flat", NULL, 0, "80", "5.00", "400.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

/* A demand schedule: "d_peak" 10:00-20:00 on weekdays, "d_base" else. */
static void demand_schedule(char *buf, size_t size, const char *by_period)
{
	char wd[256], we[256], rows_wd[4096] = "", rows_we[4096] = "";
	size_t n = 0;

	n += (size_t)snprintf(wd + n, sizeof(wd) - n, "[");
	for (int h = 0; h < 24; h++)
		n += (size_t)snprintf(wd + n, sizeof(wd) - n, "%s%d", h ? "," : "",
		                      h >= 10 && h < 20 ? 0 : 1);
	snprintf(wd + n, sizeof(wd) - n, "]");
	snprintf(we, sizeof(we), "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]");
	for (int m = 0; m < 12; m++) {
		strcat(rows_wd, m ? "," : "");
		strcat(rows_wd, wd);
		strcat(rows_we, m ? "," : "");
		strcat(rows_we, we);
	}
	snprintf(buf, size, "{" HEAD "," TOU_ON_OFF ",\"demand_charges\":{\"schedule\":{\"periods\":"
	         "[\"d_peak\",\"d_base\"],\"weekday\":[%s],\"weekend\":[%s]},\"by_period\":%s}}",
	         rows_wd, rows_we, by_period);
}

static pcrm_time at(int day, int hour)
{
	pcrm_civil c;
	pcrm_time t;
	memset(&c, 0, sizeof(c));
	c.year = 2026;
	c.month = 7;
	c.day = day;
	c.hour = hour;
	cr_assert_eq(pcrm_time_from_civil(&c, PCRM_UTC_OFFSET_CHINA, &t), PCRM_OK);
	return t;
}

Test(demand, a_demand_period_straddling_energy_periods_is_charged_once)
{
	char json[16384];
	pcrm_tariff *t;
	pcrm_usage *u = NULL, *regs = NULL;
	pcrm_bill *b;

	demand_schedule(json, sizeof(json), "{\"d_peak\":[{\"max\":\"30\",\"price\":\"10\"},"
	                "{\"price\":\"20\"}],\"d_base\":\"2\"}");
	t = load_tariff(json);
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	/* July 2026, hourly: 10 kWh an hour, but 50 at 10:00 and 40 at 14:00 on Wednesday
	 * the 1st (energy "off" and "on", both in "d_peak"), 70 at 15:00 on Saturday the 4th */
	for (int d = 1; d <= 31; d++)
		for (int h = 0; h < 24; h++) {
			const char *kwh = d == 1 && h == 10 ? "50" : d == 1 && h == 14 ? "40" :
			                  d == 4 && h == 15 ? "70" : "10";
			cr_assert_eq(pcrm_usage_add_interval(u, at(d, h), 3600, D(kwh)), PCRM_OK);
		}
	b = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	/* energy: 23 weekdays x 6 "on" hours = 138 h: 1,380 + 30 = 1,410 kWh x 0.2 = 282.00;
	 * "off": 606 h: 6,060 + 40 + 60 = 6,160 kWh x 0.1 = 616.00 */
	assert_bill_line(b, "energy", "on", 0, "1410", "0.20", "282.00");
	assert_bill_line(b, "energy", "off", 0, "6160", "0.10", "616.00");
	/* d_peak's peak 50 kW, once: 30 x 10 + 20 x 20; d_base's 70 kW x 2 */
	assert_bill_line(b, "demand_tou", "d_peak", 1, "30", "10.00", "300.00");
	assert_bill_line(b, "demand_tou", "d_peak", 2, "20", "20.00", "400.00");
	assert_bill_line(b, "demand_tou", "d_base", 0, "70", "2.00", "140.00");
	cr_assert_eq(count_lines(b, "demand_tou"), 3);
	assert_dec(pcrm_bill_total(b), "1738.00");
	pcrm_bill_free(b);

	/* the same from registers named after the demand periods */
	cr_assert_eq(pcrm_usage_new(&regs), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(regs, "on", D("1410")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(regs, "off", D("6160")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period_demand(regs, "d_peak", D("50")), PCRM_OK);
	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), regs, NULL, &b),
	             PCRM_EINVAL, "usage.period_demand.d_base: tariff t charges demand by demand "
	             "period");
	cr_assert_eq(pcrm_usage_set_period_demand(regs, "d_base", D("70")), PCRM_OK);
	b = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), regs);
	assert_dec(pcrm_bill_total(b), "1738.00");
	pcrm_bill_free(b);
	cr_assert_eq(pcrm_usage_set_period_demand(regs, "on", D("50")), PCRM_OK);
	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), regs, NULL, &b),
	             PCRM_EINVAL, "usage.period_demand.on: not a period of tariff t's demand");
	pcrm_usage_free(regs);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

/* ---- ratchets ---- */

Test(demand, ratchet_bills_a_share_of_the_highest_earlier_demand)
{
	pcrm_tariff *t = load_tariff("{" HEAD ",\"energy\":{\"price\":\"0.1\"},\"demand_charges\":{"
	                             "\"flat_by_month\":[\"10\",\"10\",\"10\",\"10\",\"10\",\"10\","
	                             "\"10\",\"10\",\"10\",\"10\",\"10\",\"10\"],\"ratchet\":{"
	                             "\"percent\":\"0.80\",\"months\":11,\"minimum_kw\":\"50\"}}}");
	pcrm_tariff *summer = load_tariff("{" HEAD ",\"energy\":{\"price\":\"0.1\"},"
	                                  "\"demand_charges\":{\"flat_by_month\":[\"10\",\"10\","
	                                  "\"10\",\"10\",\"10\",\"10\",\"10\",\"10\",\"10\",\"10\","
	                                  "\"10\",\"10\"],\"ratchet\":{\"percent\":\"0.80\","
	                                  "\"months\":11,\"lookback_months\":[6,7,8,9]}}}");
	pcrm_usage *u = usage_demand("0", "100");
	pcrm_bill *b;

	/* June 120, April 150, last July 400 (12 months ago: outside 11) */
	cr_assert_eq(pcrm_usage_set_prior_demand(u, 1, NULL, D("120")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_prior_demand(u, 3, NULL, D("150")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_prior_demand(u, 12, NULL, D("400")), PCRM_OK);
	/* max(100, 0.8 x 150 = 120, 50) = 120 kW x 10 */
	b = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "demand_flat", NULL, 0, "120", "10.00", "1200.00");
	pcrm_bill_free(b);
	/* only summer months look back: June's 120 x 0.8 = 96 < 100 measured */
	b = bill_ok(summer, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "demand_flat", NULL, 0, "100", "10.00", "1000.00");
	pcrm_bill_free(b);
	/* setting a month again replaces it: June 200 -> 160 */
	cr_assert_eq(pcrm_usage_set_prior_demand(u, 1, NULL, D("200")), PCRM_OK);
	b = bill_ok(summer, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "demand_flat", NULL, 0, "160", "10.00", "1600.00");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	/* no history, 30 kW measured: the minimum 50 kW */
	u = usage_demand("0", "30");
	b = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "demand_flat", NULL, 0, "50", "10.00", "500.00");
	pcrm_bill_free(b);
	expect_error(pcrm_usage_set_prior_demand(u, 37, NULL, D("1")), PCRM_EINVAL,
	             "usage.prior_demand: months_ago 37 is outside 1..36");
	expect_error(pcrm_usage_set_prior_demand(u, 1, NULL, D("-1")), PCRM_EINVAL,
	             "usage.prior_demand: negative");
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
	pcrm_tariff_free(summer);
}

Test(demand, ratchet_by_period)
{
	pcrm_tariff *t = load_tariff("{" HEAD "," TOU_ON_OFF ",\"demand_charges\":{\"by_period\":"
	                             "{\"on\":\"12.5\"},\"ratchet\":{\"percent\":\"0.75\","
	                             "\"months\":6,\"by\":\"period\"}}}");
	pcrm_usage *u = NULL;
	pcrm_bill *b;

	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "on", D("1000")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period(u, "off", D("2000")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_period_demand(u, "on", D("60")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_prior_demand(u, 2, "on", D("90")), PCRM_OK);
	cr_assert_eq(pcrm_usage_set_prior_demand(u, 1, NULL, D("500")), PCRM_OK); /* not "on" */
	/* max(60, 0.75 x 90 = 67.5) = 67.5 kW x 12.5 = 843.75 */
	b = bill_ok(t, NULL, DAY(2026, 7, 1), DAY(2026, 7, 31), u);
	assert_bill_line(b, "demand_tou", "on", 0, "67.5", "12.50", "843.75");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

/* ---- the loader ---- */

Test(demand, loader_rejects_bad_demand_documents)
{
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"basic\":{\"modes\":{\"capacity\":\"1\"},"
	        "\"kind\":\"capacity\"}}", "basic: give either \"modes\" or \"kind\"");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"basic\":{\"modes\":{\"actual_demand\":"
	        "\"1\"}}}", "basic.actual_demand_floor: required with the actual_demand mode");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"basic\":{\"modes\":{\"capacity\":\"1\"},"
	        "\"default_mode\":\"contract_demand\"}}", "basic.default_mode: is not one of");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"basic\":{\"modes\":{\"capacity\":\"1\","
	        "\"energy\":\"1\"}}}", "basic.modes: unknown key \"energy\"");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"basic\":{\"modes\":{}}}",
	        "basic.modes: offers no mode");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"basic\":{\"modes\":{\"actual_demand\":"
	        "\"1\"},\"actual_demand_floor\":\"1.5\"}}", "basic.actual_demand_floor: above 1");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"basic\":{\"kind\":\"capacity\",\"price\":"
	        "\"1\",\"proration\":\"weekly\"}}", "basic.proration: expected \"thirtieths\"");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"demand_charges\":{\"flat_by_month\":["
	        "\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",[{\"max\":\"100\",\"price\":\"1\"},{\"max\":"
	        "\"90\",\"price\":\"1\"},{\"price\":\"1\"}],\"1\",\"1\",\"1\",\"1\",\"1\"]}}",
	        "demand_charges.flat_by_month[6][1].max: is not above the tier before it");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"demand_charges\":{\"flat_by_month\":["
	        "\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",[{\"max\":\"100\",\"price\":\"1\"}],\"1\",\"1\","
	        "\"1\",\"1\",\"1\"]}}", "demand_charges.flat_by_month[6][0].max: the last tier is "
	        "open-ended");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"demand_charges\":{\"flat_by_month\":["
	        "\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",[{\"price\":1}],\"1\",\"1\",\"1\",\"1\",\"1\"]}}",
	        "demand_charges.flat_by_month[6][0].price: expected a decimal string");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"demand_charges\":{\"ratchet\":{"
	        "\"percent\":\"0.8\",\"months\":11}}}", "demand_charges.ratchet: ratchets "
	        "demand_charges.flat_by_month, but the tariff has no such charge");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"demand_charges\":{\"flat_by_month\":["
	        "\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\",\"1\"],\"ratchet\":{"
	        "\"percent\":\"0.8\",\"months\":37}}}", "demand_charges.ratchet.months: 37 is "
	        "outside 1..36");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"demand_charges\":{\"schedule\":{"
	        "\"periods\":[\"a\",\"a\"]}}}", "demand_charges.schedule.periods[1]: is listed twice");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"demand_charges\":{\"schedule\":{"
	        "\"periods\":[\"a\"],\"weekday\":[]}}}",
	        "demand_charges.schedule.weekday: has 0 months, expected 12");
}

Test(demand, a_bad_schedule_cell_is_named)
{
	char json[16384], *cell;

	demand_schedule(json, sizeof(json), "{\"d_peak\":\"1\"}");
	/* the third month's weekday hour 10 (",0") becomes 2 */
	cell = strstr(json, "\"weekday\":[[");
	for (int m = 0; m < 2; m++)
		cell = strstr(cell + 1, "],[");
	cell = strstr(cell, ",0");
	cell[1] = '2';
	rejects(json, "demand_charges.schedule.weekday[2][10]: 2 is outside 0..1");
}
