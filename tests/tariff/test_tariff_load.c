/*
 * Tariff documents: the shipped examples load, accessors report what the
 * document says, and every kind of bad document is refused with a message
 * that starts with the JSON path of the bad field (nothing is made).
 */
#include "tariff_test.h"

#define HEAD "\"id\":\"t\",\"version\":1,\"effective_from\":\"2026-01-01\",\"currency\":\"CNY\"," \
             "\"rounding\":\"half_up\""
#define TOU2 "\"tou\":{\"periods\":[\"peak\",\"valley\"],\"seasons\":[{\"months\":[1,2,3,4,5,6," \
             "7,8,9,10,11,12],\"weekday\":[{\"from\":\"00:00\",\"to\":\"08:00\",\"period\":" \
             "\"valley\"},{\"from\":\"08:00\",\"to\":\"24:00\",\"period\":\"peak\"}]}]}"

static void rejects(const char *json, const char *needle)
{
	pcrm_tariff *t = (pcrm_tariff *)1;
	expect_error(pcrm_tariff_load(&t, json), PCRM_EINVAL, needle);
	cr_assert_null(t);
}

/* Two periods on a 12 x 24 weekday schedule: 0 everywhere but `value` at (month, hour). */
static void schedule_doc(char *json, size_t size, int month, int hour, int value)
{
	size_t n = 0;

	n += (size_t)snprintf(json + n, size - n, "{" HEAD ",\"tou\":{\"periods\":[\"a\",\"b\"],"
	                      "\"weekday\":[");
	for (int m = 0; m < 12; m++) {
		n += (size_t)snprintf(json + n, size - n, "%s[", m ? "," : "");
		for (int h = 0; h < 24; h++)
			n += (size_t)snprintf(json + n, size - n, "%s%d", h ? "," : "",
			                      (m == month && h == hour) ? value : 0);
		n += (size_t)snprintf(json + n, size - n, "]");
	}
	snprintf(json + n, size - n, "]},\"energy\":{\"prices\":{\"a\":\"1\",\"b\":\"2\"}}}");
}

Test(tariff_load, shipped_examples_load)
{
	static const char *const names[] = {
		"cn-gd-guangzhou-residential", "cn-residential-tiered-tou",
		"cn-large-industry-two-part", "us-commercial-tou-demand"
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		pcrm_tariff *t = load_data_tariff(names[i]);
		cr_assert_str_eq(pcrm_tariff_id(t), names[i]);
		pcrm_tariff_free(t);
	}
}

Test(tariff_load, accessors)
{
	pcrm_tariff *t = load_data_tariff("cn-large-industry-two-part");
	pcrm_date from = pcrm_tariff_effective_from(t), to = pcrm_tariff_effective_to(t);

	cr_assert_eq(pcrm_tariff_version(t), 1);
	cr_assert_str_eq(pcrm_tariff_currency(t), "CNY");
	cr_assert_eq(from.year, 2026);
	cr_assert_eq(from.month, 1);
	cr_assert_eq(to.year, 0, "open-ended");
	cr_assert_eq(pcrm_tariff_period_count(t), 5);
	cr_assert_str_eq(pcrm_tariff_period_name(t, 0), "critical_peak");
	cr_assert_str_eq(pcrm_tariff_period_name(t, 4), "deep_valley");
	cr_assert_null(pcrm_tariff_period_name(t, 5));
	pcrm_tariff_free(t);
	pcrm_tariff_free(NULL);
	cr_assert_null(pcrm_tariff_id(NULL));
	cr_assert_eq(pcrm_tariff_period_count(NULL), 0);

	t = load_data_tariff("cn-gd-guangzhou-residential");
	cr_assert_eq(pcrm_tariff_period_count(t), 1);
	cr_assert_str_eq(pcrm_tariff_period_name(t, 0), "all");
	pcrm_tariff_free(t);
}

Test(tariff_load, period_at_reads_seasonal_bands_in_utc_plus_8)
{
	pcrm_tariff *t = load_data_tariff("cn-large-industry-two-part");
	pcrm_time at;
	pcrm_civil c = { 2026, 7, 15, 15, 30, 0 };
	int p;

	cr_assert_eq(pcrm_time_from_civil(&c, PCRM_UTC_OFFSET_CHINA, &at), PCRM_OK);
	cr_assert_eq(pcrm_tariff_period_at(t, at, NULL, &p), PCRM_OK);
	cr_assert_str_eq(pcrm_tariff_period_name(t, (size_t)p), "critical_peak");
	c.month = 4;
	c.hour = 11; /* spring noon: deep valley */
	cr_assert_eq(pcrm_time_from_civil(&c, PCRM_UTC_OFFSET_CHINA, &at), PCRM_OK);
	cr_assert_eq(pcrm_tariff_period_at(t, at, NULL, &p), PCRM_OK);
	cr_assert_str_eq(pcrm_tariff_period_name(t, (size_t)p), "deep_valley");
	c.hour = 23;
	cr_assert_eq(pcrm_time_from_civil(&c, PCRM_UTC_OFFSET_CHINA, &at), PCRM_OK);
	cr_assert_eq(pcrm_tariff_period_at(t, at, NULL, &p), PCRM_OK);
	cr_assert_str_eq(pcrm_tariff_period_name(t, (size_t)p), "flat");
	expect_error(pcrm_tariff_period_at(t, at, NULL, NULL), PCRM_EINVAL, "out is NULL");
	pcrm_tariff_free(t);
}

Test(tariff_load, holidays_count_as_weekend_with_a_calendar)
{
	pcrm_tariff *t = load_data_tariff("us-commercial-tou-demand");
	pcrm_calendar *cal = NULL;
	pcrm_civil c = { 2026, 10, 1, 17, 0, 0 }; /* Thursday, a holiday in cn-2026 */
	pcrm_time at;
	int p;

	cr_assert_eq(pcrm_calendar_load_file(&cal, data_path("data/calendars/cn-2026.json")),
	             PCRM_OK, "%s", pcrm_error_last());
	cr_assert_eq(pcrm_time_from_civil(&c, -8 * 3600, &at), PCRM_OK);
	cr_assert_eq(pcrm_tariff_period_at(t, at, NULL, &p), PCRM_OK);
	cr_assert_str_eq(pcrm_tariff_period_name(t, (size_t)p), "winter_peak");
	cr_assert_eq(pcrm_tariff_period_at(t, at, cal, &p), PCRM_OK);
	cr_assert_str_eq(pcrm_tariff_period_name(t, (size_t)p), "winter_off_peak");
	c.day = 3; /* Saturday */
	cr_assert_eq(pcrm_time_from_civil(&c, -8 * 3600, &at), PCRM_OK);
	cr_assert_eq(pcrm_tariff_period_at(t, at, NULL, &p), PCRM_OK);
	cr_assert_str_eq(pcrm_tariff_period_name(t, (size_t)p), "winter_off_peak");
	pcrm_calendar_free(cal);
	pcrm_tariff_free(t);
}

Test(tariff_load, twelve_by_24_schedule)
{
	char json[8192];
	pcrm_tariff *t;
	pcrm_civil c = { 2026, 3, 2, 5, 0, 0 }; /* Monday */
	pcrm_time at;
	int p;

	schedule_doc(json, sizeof(json), 2, 5, 1);
	t = load_tariff(json);
	cr_assert_eq(pcrm_time_from_civil(&c, PCRM_UTC_OFFSET_CHINA, &at), PCRM_OK);
	cr_assert_eq(pcrm_tariff_period_at(t, at, NULL, &p), PCRM_OK);
	cr_assert_eq(p, 1);
	c.month = 4;
	cr_assert_eq(pcrm_time_from_civil(&c, PCRM_UTC_OFFSET_CHINA, &at), PCRM_OK);
	cr_assert_eq(pcrm_tariff_period_at(t, at, NULL, &p), PCRM_OK);
	cr_assert_eq(p, 0);
	pcrm_tariff_free(t);

	rejects("{" HEAD ",\"tou\":{\"periods\":[\"a\"],\"weekday\":[[0]]},\"energy\":{\"prices\":"
	        "{\"a\":\"1\"}}}", "tou.weekday: has 1 months, expected 12");
}

/* ---- rejections: each names the path ---- */

Test(tariff_load, rejects_syntax_and_shape)
{
	rejects("{", "JSON syntax");
	rejects("[]", "document: expected an object");
	rejects("{\"id\":\"a\",\"id\":\"b\"}", "JSON syntax");
	rejects("{" HEAD ",\"fundz\":[],\"energy\":{\"price\":\"1\"}}", "unknown key \"fundz\"");
	rejects("{\"version\":1}", "id: missing");
	rejects("{\"id\":\"a b\"}", "id: \"a b\" may hold only");
	rejects("{\"id\":\"t\",\"version\":0}", "version: 0 is not >= 1");
	rejects("{\"id\":\"t\",\"version\":1,\"effective_from\":\"2026-02-30\"}", "effective_from");
	rejects("{" HEAD ",\"effective_to\":\"2025-12-31\",\"energy\":{\"price\":\"1\"}}",
	        "effective_to: 2025-12-31 is before effective_from");
	rejects("{\"id\":\"t\",\"version\":1,\"effective_from\":\"2026-01-01\",\"currency\":\"cny\"}",
	        "currency: expected three upper-case letters");
	rejects("{\"id\":\"t\",\"version\":1,\"effective_from\":\"2026-01-01\",\"currency\":\"CNY\","
	        "\"rounding\":\"bankers\"}", "rounding: expected half_up");
	rejects("{" HEAD ",\"utc_offset\":\"+8\",\"energy\":{\"price\":\"1\"}}", "utc_offset");
	rejects("{" HEAD "}", "energy: missing");
}

Test(tariff_load, rejects_numbers_for_money)
{
	rejects("{" HEAD ",\"energy\":{\"price\":0.589}}",
	        "energy.price: expected a decimal string such as \"0.5283\", got a JSON number");
	rejects("{" HEAD ",\"energy\":{\"price\":1}}", "energy.price: expected a decimal string");
	rejects("{" HEAD ",\"energy\":{\"price\":\"0.123456789\"}}",
	        "energy.price: \"0.123456789\" has more than 8 digits");
	rejects("{" HEAD ",\"energy\":{\"price\":\"-0.5\"}}", "energy.price: \"-0.5\" is negative");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1e3\"}}", "energy.price");
}

Test(tariff_load, rejects_bad_tiers)
{
	rejects("{" HEAD ",\"energy\":{\"price\":\"0.5\",\"tiers\":[{\"max\":\"200\",\"surcharge\":"
	        "\"0\"},{\"max\":\"400\",\"surcharge\":\"0.05\"},{\"max\":\"900\",\"surcharge\":"
	        "\"0.3\"}]}}", "energy.tiers[2].max: the last tier is open-ended");
	rejects("{" HEAD ",\"energy\":{\"price\":\"0.5\",\"tiers\":[{\"max\":\"200\",\"surcharge\":"
	        "\"0\"},{\"max\":\"200\",\"surcharge\":\"0.05\"},{\"surcharge\":\"0.3\"}]}}",
	        "energy.tiers[1].max: 200 is not above energy.tiers[0].max");
	rejects("{" HEAD ",\"energy\":{\"price\":\"0.5\",\"tiers\":[{\"surcharge\":\"0\"},"
	        "{\"surcharge\":\"0.3\"}]}}", "energy.tiers[0].max: missing");
	rejects("{" HEAD ",\"energy\":{\"price\":\"0.5\",\"tiers\":[{\"max\":\"200\",\"surcharge\":"
	        "\"0\"},{\"price\":\"0.3\"}]}}", "energy.tiers[1]: all tiers give a");
	rejects("{" HEAD ",\"energy\":{\"price\":\"0.5\",\"tiers\":[{\"max\":\"200\",\"surcharge\":"
	        "\"0\",\"price\":\"1\"},{\"surcharge\":\"0.3\"}]}}", "energy.tiers[0]: give exactly one");
	rejects("{" HEAD ",\"energy\":{\"price\":\"0.5\",\"tiers\":[{\"max\":200,\"surcharge\":"
	        "\"0\"},{\"surcharge\":\"0.3\"}]}}", "energy.tiers[0].max: expected a decimal string");
	rejects("{" HEAD ",\"energy\":{\"price\":\"0.5\",\"tiers\":[]}}",
	        "energy.tiers: has 0 tiers");
	rejects("{" HEAD ",\"energy\":{\"tiers\":[{\"max\":\"1\",\"price\":\"0.5\"},{\"price\":"
	        "\"0.6\"}],\"price\":\"0.5\"}}", "energy.price: the tiers give absolute prices");
	rejects("{" HEAD ",\"energy\":{\"price\":\"0.5\",\"tier_basis\":\"monthly\"}}",
	        "energy.tier_basis: only meaningful with energy.tiers");
	rejects("{" HEAD ",\"energy\":{\"price\":\"0.5\",\"tier_basis\":\"weekly\",\"tiers\":"
	        "[{\"surcharge\":\"0\"}]}}", "energy.tier_basis: expected");
	rejects("{" HEAD ",\"energy\":{\"price\":\"0.5\",\"tiers\":[{\"max\":\"200\",\"surcharge\":"
	        "\"0\"},{\"surcharge\":\"0.3\"}],\"seasonal_max\":[{\"months\":[5,6],\"max\":[\"260\","
	        "\"600\"]}]}}", "energy.seasonal_max[0].max: has 2 values, expected 1");
	rejects("{" HEAD ",\"energy\":{\"price\":\"0.5\",\"tiers\":[{\"max\":\"200\",\"surcharge\":"
	        "\"0\"},{\"surcharge\":\"0.3\"}],\"seasonal_max\":[{\"months\":[5,6],\"max\":[\"260\"]},"
	        "{\"months\":[6,7],\"max\":[\"260\"]}]}}",
	        "energy.seasonal_max[1].months: a month is already");
	rejects("{" HEAD ",\"energy\":{\"price\":\"0.5\",\"tiers\":[{\"max\":\"200\",\"surcharge\":"
	        "\"0\"},{\"surcharge\":\"0.3\"}],\"seasonal_max\":[{\"months\":[13],\"max\":[\"260\"]}]}}",
	        "energy.seasonal_max[0].months[0]: 13 is outside 1..12");
	rejects("{" HEAD ",\"energy\":{\"price\":\"0.5\",\"tiers\":[{\"max\":\"200\",\"surcharge\":"
	        "\"0\"},{\"surcharge\":\"0.3\"}],\"large_household\":{\"min_size\":1,\"extra\":[\"1\"]}}}",
	        "energy.large_household.min_size: 1 is outside 2..100");
	rejects("{" HEAD ",\"energy\":{\"price\":\"0.5\",\"low_income\":{\"free_kwh\":\"10\"}}}",
	        "energy.low_income.price: missing");
}

Test(tariff_load, rejects_bad_time_of_use)
{
	rejects("{" HEAD ",\"tou\":{\"periods\":[]},\"energy\":{}}", "tou.periods: has 0 periods");
	rejects("{" HEAD ",\"tou\":{\"periods\":[\"a\",\"a\"]},\"energy\":{}}",
	        "tou.periods[1]: \"a\" is listed twice");
	rejects("{" HEAD ",\"tou\":{\"periods\":[\"a\"],\"seasons\":[{\"months\":[1,2,3,4,5,6,7,8,9,"
	        "10,11,12],\"weekday\":[{\"from\":\"00:00\",\"to\":\"08:15\",\"period\":\"a\"}]}]},"
	        "\"energy\":{}}", "tou.seasons[0].weekday[0].to: \"08:15\": bands start and end on "
	        "the hour or the half hour");
	rejects("{" HEAD ",\"tou\":{\"periods\":[\"a\"],\"seasons\":[{\"months\":[1,2,3,4,5,6,7,8,9,"
	        "10,11,12],\"weekday\":[{\"from\":\"00:00\",\"to\":\"05:00\",\"period\":\"a\"}]}]},"
	        "\"energy\":{}}", "tou.seasons[0].weekday: 05:00-05:30 is in no band");
	rejects("{" HEAD ",\"tou\":{\"periods\":[\"a\"],\"seasons\":[{\"months\":[1,2,3,4,5,6,7,8,9,"
	        "10,11,12],\"weekday\":[{\"from\":\"00:00\",\"to\":\"24:00\",\"period\":\"b\"}]}]},"
	        "\"energy\":{}}", "tou.seasons[0].weekday[0].period: \"b\" is not one of tou.periods");
	rejects("{" HEAD ",\"tou\":{\"periods\":[\"a\"],\"seasons\":[{\"months\":[1,2,3,4,5,6,7,8,9,"
	        "10,11,12],\"weekday\":[{\"from\":\"00:00\",\"to\":\"24:00\",\"period\":\"a\"},"
	        "{\"from\":\"03:00\",\"to\":\"04:00\",\"period\":\"a\"}]}]},\"energy\":{}}",
	        "tou.seasons[0].weekday[1]: 03:00-03:30 is already covered");
	rejects("{" HEAD ",\"tou\":{\"periods\":[\"a\"],\"seasons\":[{\"months\":[1,2,3,4,5,6,7,8,9,"
	        "10,11],\"weekday\":[{\"from\":\"00:00\",\"to\":\"24:00\",\"period\":\"a\"}]}]},"
	        "\"energy\":{}}", "tou.seasons: month 12 is in no season");
	rejects("{" HEAD "," TOU2 ",\"energy\":{\"prices\":{\"peak\":\"1\"}}}",
	        "energy.prices.valley: missing");
	rejects("{" HEAD "," TOU2 ",\"energy\":{\"prices\":{\"peak\":\"1\",\"valley\":\"1\","
	        "\"flat\":\"1\"}}}", "energy.prices: unknown key \"flat\"");
	rejects("{" HEAD "," TOU2 ",\"energy\":{\"price\":\"1\"}}",
	        "energy.price: the tariff has tou periods");
	rejects("{" HEAD ",\"tou\":{\"periods\":[\"a\"],\"weekday\":[],\"seasons\":[]},"
	        "\"energy\":{}}", "tou: give either \"seasons\"");
	rejects("{" HEAD ",\"tou\":{\"periods\":[\"a\"]},\"energy\":{}}",
	        "tou.weekday: missing (expected 12 lists");
	rejects("{" HEAD ",\"tou\":{\"periods\":[\"a\"],\"holidays_as_weekend\":1,\"weekday\":[]},"
	        "\"energy\":{}}", "tou.holidays_as_weekend: expected true or false");
	rejects("{" HEAD ",\"energy\":{\"prices\":{\"all\":\"1\"}}}",
	        "energy.prices: only with tou periods");
	rejects("{" HEAD ",\"tou\":{\"periods\":[\"a\"],\"seasons\":[{\"months\":[1,2,3,4,5,6,7,8,9,"
	        "10,11,12],\"weekday\":[{\"from\":\"00:00\",\"to\":\"24:00\",\"period\":\"a\"}],"
	        "\"weekend\":[{\"from\":\"24:00\",\"to\":\"24:00\",\"period\":\"a\"}]}]},"
	        "\"energy\":{}}", "tou.seasons[0].weekend[0].from: \"24:00\": outside 00:00..23:30");
}

Test(tariff_load, rejects_bad_schedule_cell)
{
	char json[8192];

	schedule_doc(json, sizeof(json), 3, 17, 2);
	rejects(json, "tou.weekday[3][17]: 2 is outside 0..1");
}

Test(tariff_load, rejects_bad_charges)
{
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"basic\":{\"kind\":\"energy\",\"price\":"
	        "\"1\"}}", "basic.kind: expected \"capacity\"");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"basic\":{\"kind\":\"capacity\",\"price\":"
	        "\"1\",\"excess_threshold\":\"1.05\"}}", "basic.excess_threshold: only for");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"basic\":{\"kind\":\"demand\",\"price\":"
	        "\"1\",\"excess_threshold\":\"0.9\"}}", "basic.excess_threshold: must be at least 1");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"funds\":[{\"code\":\"a\",\"name\":\"A\","
	        "\"price\":\"0.1\"},{\"code\":\"a\",\"name\":\"B\",\"price\":\"0.1\"}]}",
	        "funds[1].code: \"a\" is already funds[0].code");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"fixed_charges\":[{\"code\":\"m\",\"name\":"
	        "\"M\",\"amount\":\"1.005\"}]}", "fixed_charges[0].amount: \"1.005\" has more than 2");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"fixed_charges\":[{\"code\":\"m\",\"name\":"
	        "\"\",\"amount\":\"1\"}]}", "fixed_charges[0].name: must be 1..200 bytes");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"demand_charges\":{\"flat_by_month\":"
	        "[\"1\"]}}", "demand_charges.flat_by_month: has 1 prices, expected 12");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"demand_charges\":{\"by_period\":"
	        "{\"all\":\"1\"}}}", "demand_charges.by_period: the tariff has no tou periods");
	rejects("{" HEAD "," TOU2 ",\"energy\":{\"prices\":{\"peak\":\"1\",\"valley\":\"1\"}},"
	        "\"demand_charges\":{\"by_period\":{\"peak\":\"1\",\"mid\":\"2\"}}}",
	        "demand_charges.by_period: unknown key \"mid\"");
	rejects("{" HEAD "," TOU2 ",\"energy\":{\"prices\":{\"peak\":\"1\",\"valley\":\"1\"}},"
	        "\"demand_charges\":{\"by_period\":{\"peak\":12}}}",
	        "demand_charges.by_period.peak: expected a decimal string");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"basic\":{\"kind\":\"demand\"}}",
	        "basic.price: missing");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\",\"low_income\":{\"free_kwh\":\"1\","
	        "\"price\":\"1\",\"months\":[1]}}}", "energy.low_income: unknown key \"months\"");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"funds\":[{\"code\":\"a b\",\"name\":"
	        "\"A\",\"price\":\"0.1\"}]}", "funds[0].code: \"a b\" may hold only");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"funds\":{}}",
	        "funds: expected a list, got an object");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"minimum\":{\"weekly\":\"1\"}}",
	        "minimum: unknown key \"weekly\"");
	rejects("{" HEAD ",\"energy\":{\"price\":\"1\"},\"power_factor_adjustment\":\"yes\"}",
	        "power_factor_adjustment: expected true or false");
}

Test(tariff_load, file_errors)
{
	pcrm_tariff *t = (pcrm_tariff *)1;
	expect_error(pcrm_tariff_load_file(&t, "/nonexistent/tariff.json"), PCRM_EIO, "cannot open");
	cr_assert_null(t);
	expect_error(pcrm_tariff_load(&t, NULL), PCRM_EINVAL, "json is NULL");
	expect_error(pcrm_tariff_load(NULL, "{}"), PCRM_EINVAL, "out is NULL");
}

Test(tariff_load, bands_on_the_half_hour)
{
	pcrm_tariff *t = load_tariff("{" HEAD ",\"tou\":{\"periods\":[\"peak\",\"flat\"],\"seasons\":"
	                             "[{\"months\":[1,2,3,4,5,6,7,8,9,10,11,12],\"weekday\":["
	                             "{\"from\":\"00:00\",\"to\":\"10:30\",\"period\":\"flat\"},"
	                             "{\"from\":\"10:30\",\"to\":\"11:30\",\"period\":\"peak\"},"
	                             "{\"from\":\"11:30\",\"to\":\"24:00\",\"period\":\"flat\"}]}]},"
	                             "\"energy\":{\"prices\":{\"peak\":\"1\",\"flat\":\"0.5\"}}}");
	pcrm_civil c = { 2026, 3, 2, 10, 15, 0 };
	pcrm_time at;
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;
	int p;

	cr_assert_eq(pcrm_time_from_civil(&c, PCRM_UTC_OFFSET_CHINA, &at), PCRM_OK);
	cr_assert_eq(pcrm_tariff_period_at(t, at, NULL, &p), PCRM_OK);
	cr_assert_str_eq(pcrm_tariff_period_name(t, (size_t)p), "flat");
	cr_assert_eq(pcrm_tariff_period_at(t, at + 1800, NULL, &p), PCRM_OK);
	cr_assert_str_eq(pcrm_tariff_period_name(t, (size_t)p), "peak");

	/* an hourly interval 10:00-11:00 would have to be split: refused */
	c.minute = 0;
	cr_assert_eq(pcrm_time_from_civil(&c, PCRM_UTC_OFFSET_CHINA, &at), PCRM_OK);
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, at, 3600, D("2")), PCRM_OK);
	expect_error(pcrm_bill_compute(t, NULL, DAY(2026, 3, 1), DAY(2026, 3, 31), u, NULL, &b),
	             PCRM_EINVAL, "usage.intervals[0]: 10:00-11:00 spans two TOU periods (flat, peak)");
	pcrm_usage_free(u);
	/* half hours are fine: 1 kWh flat + 1 kWh peak */
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, at, 1800, D("1")), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_interval(u, at + 1800, 1800, D("1")), PCRM_OK);
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2026, 3, 1), DAY(2026, 3, 31), u, NULL, &b),
	             PCRM_OK, "%s", pcrm_error_last());
	assert_dec(pcrm_bill_total(b), "1.50");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}
