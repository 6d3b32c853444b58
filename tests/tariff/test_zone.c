/*
 * Tariffs in an IANA time zone ("time_zone"): TOU hours follow the local
 * clock across daylight-saving changes, so a spring day has 23 hourly
 * intervals and an autumn day 25, each in the period of its local hour;
 * years past the last transition listed in the TZif file follow its footer
 * rule; bad zone names and bad TZif data are refused by field.
 */
#include "tariff_test.h"

#include "tariff/zone.h"

/* 0 off-peak, 1 on-peak 16:00-21:00, 2 "night1" for 01:00-02:00 (the repeated hour). */
#define ROW "[0,2,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,0,0,0]"
#define ROWS ROW "," ROW "," ROW "," ROW "," ROW "," ROW "," ROW "," ROW "," ROW "," ROW "," \
	ROW "," ROW

static pcrm_tariff *zone_tariff(const char *zone)
{
	char json[4096];
	snprintf(json, sizeof(json),
	         "{\"id\": \"us-tou-dst\", \"version\": 1, \"effective_from\": \"2026-01-01\","
	         " \"currency\": \"USD\", \"rounding\": \"half_even\", \"time_zone\": \"%s\","
	         " \"tou\": {\"periods\": [\"off\", \"on\", \"night1\"], \"weekday\": [" ROWS "]},"
	         " \"energy\": {\"prices\": {\"off\": \"0.10\", \"on\": \"0.40\","
	         " \"night1\": \"0.05\"}}}", zone);
	return load_tariff(json);
}

static pcrm_time utc(int y, int mo, int d, int h)
{
	pcrm_civil c = { y, mo, d, h, 0, 0 };
	pcrm_time t;
	cr_assert_eq(pcrm_time_from_civil(&c, 0, &t), PCRM_OK);
	return t;
}

static void assert_energy(const pcrm_bill *b, const char *period, const char *kwh)
{
	const pcrm_bill_line *l = find_line(b, "energy", period, 0);
	cr_assert_not_null(l, "no energy line for %s", period);
	assert_dec(l->quantity, kwh);
}

/*
 * `hours` hourly intervals from the UTC instant of local midnight; interval
 * i carries i + 1 kWh.  Billed for that one day.
 */
static pcrm_bill *bill_day(const pcrm_tariff *t, pcrm_date day, pcrm_time midnight, int hours,
                           int extra_ok)
{
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;
	int rc;

	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	for (int i = 0; i < hours + (extra_ok ? 0 : 1); i++)
		cr_assert_eq(pcrm_usage_add_interval(u, midnight + i * 3600, 3600,
		                                     pcrm_decimal_from_int(i + 1)), PCRM_OK);
	rc = pcrm_bill_compute(t, NULL, day, day, u, NULL, &b);
	pcrm_usage_free(u);
	if (!extra_ok) {
		/* one hour more than the day has: the next day's midnight */
		cr_assert_eq(rc, PCRM_EINVAL);
		cr_assert(strstr(pcrm_error_last(), "is outside the billing period"), "%s",
		          pcrm_error_last());
		cr_assert(strstr(pcrm_error_last(), "00:00"), "%s", pcrm_error_last());
		return NULL;
	}
	cr_assert_eq(rc, PCRM_OK, "%s", pcrm_error_last());
	return b;
}

Test(zone, spring_forward_day_has_23_local_hours)
{
	pcrm_tariff *t = zone_tariff("America/Los_Angeles");
	/* 2026-03-08: 02:00 PST becomes 03:00 PDT; local midnight is 08:00 UTC */
	pcrm_bill *b = bill_day(t, DAY(2026, 3, 8), utc(2026, 3, 8, 8), 23, 1);

	/* i = 0 00:00, i = 1 01:00 (night1), i = 2 03:00, ..., 16:00-21:00 are i = 15..19 */
	assert_energy(b, "night1", "2");
	assert_energy(b, "on", "90");
	assert_energy(b, "off", "184");
	assert_dec(pcrm_bill_energy(b), "276");
	pcrm_bill_free(b);
	cr_assert_null(bill_day(t, DAY(2026, 3, 8), utc(2026, 3, 8, 8), 23, 0));
	pcrm_tariff_free(t);
}

Test(zone, fall_back_day_has_25_local_hours)
{
	pcrm_tariff *t = zone_tariff("America/Los_Angeles");
	/* 2026-11-01: 02:00 PDT becomes 01:00 PST; local midnight is 07:00 UTC */
	pcrm_bill *b = bill_day(t, DAY(2026, 11, 1), utc(2026, 11, 1, 7), 25, 1);

	/* 01:00 twice (i = 1, 2: night1); 16:00-21:00 are i = 17..21 */
	assert_energy(b, "night1", "5");
	assert_energy(b, "on", "100");
	assert_energy(b, "off", "220");
	assert_dec(pcrm_bill_energy(b), "325");
	pcrm_bill_free(b);
	cr_assert_null(bill_day(t, DAY(2026, 11, 1), utc(2026, 11, 1, 7), 25, 0));
	pcrm_tariff_free(t);
}

Test(zone, new_york_and_the_footer_rule_after_2037)
{
	pcrm_tariff *t = zone_tariff("America/New_York");
	/* 2040 lies past the transitions a TZif file lists: the footer's rule M3.2.0 */
	pcrm_bill *b = bill_day(t, DAY(2040, 3, 11), utc(2040, 3, 11, 5), 23, 1);

	assert_energy(b, "on", "90");
	pcrm_bill_free(b);
	b = bill_day(t, DAY(2040, 11, 4), utc(2040, 11, 4, 4), 25, 1);
	assert_energy(b, "night1", "5");
	assert_energy(b, "on", "100");
	pcrm_bill_free(b);
	pcrm_tariff_free(t);
}

Test(zone, southern_hemisphere_and_a_whole_month)
{
	pcrm_tariff *t = zone_tariff("Australia/Sydney");
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;
	/* 2026-04-05: 03:00 AEDT becomes 02:00 AEST; local midnight is 13:00 UTC the day before */
	pcrm_bill *day = bill_day(t, DAY(2026, 4, 5), utc(2026, 4, 4, 13), 25, 1);

	assert_dec(pcrm_bill_energy(day), "325");
	pcrm_bill_free(day);
	/* all of April: 30 x 24 + 1 hours from local midnight on 1 April (13:00 UTC 31 March) */
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	for (int i = 0; i < 30 * 24 + 1; i++)
		cr_assert_eq(pcrm_usage_add_interval(u, utc(2026, 3, 31, 13) + i * 3600, 3600, D("1")),
		             PCRM_OK);
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2026, 4, 1), DAY(2026, 4, 30), u, NULL, &b),
	             PCRM_OK, "%s", pcrm_error_last());
	assert_dec(pcrm_bill_energy(b), "721");
	assert_energy(b, "night1", "30"); /* Sydney repeats 02:00, not 01:00 */
	assert_energy(b, "on", "150");
	pcrm_bill_free(b);
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}

Test(zone, period_at_follows_the_local_clock)
{
	pcrm_tariff *t = zone_tariff("America/Los_Angeles");
	int p = -1;

	/* 23:30 UTC is 16:30 PDT in July (on-peak) but 15:30 PST in January */
	cr_assert_eq(pcrm_tariff_period_at(t, utc(2026, 7, 1, 23) + 1800, NULL, &p), PCRM_OK);
	cr_assert_eq(p, 1);
	cr_assert_eq(pcrm_tariff_period_at(t, utc(2026, 1, 15, 23) + 1800, NULL, &p), PCRM_OK);
	cr_assert_eq(p, 0);
	cr_assert_eq(pcrm_tariff_period_at(t, utc(2026, 1, 16, 0) + 1800, NULL, &p), PCRM_OK);
	cr_assert_eq(p, 1);
	pcrm_tariff_free(t);
}

static void expect_zone_refused(const char *zone, const char *needle)
{
	char json[512];
	pcrm_tariff *t = NULL;

	snprintf(json, sizeof(json),
	         "{\"id\": \"z\", \"version\": 1, \"effective_from\": \"2026-01-01\","
	         " \"currency\": \"USD\", \"rounding\": \"half_even\", \"time_zone\": %s,"
	         " \"energy\": {\"price\": \"0.10\"}}", zone);
	expect_error(pcrm_tariff_load(&t, json), PCRM_EINVAL, needle);
	cr_assert_null(t);
}

Test(zone, bad_zone_names_are_refused)
{
	pcrm_tariff *t = NULL;

	expect_zone_refused("\"../../etc/passwd\"", "time_zone: not an IANA zone name");
	expect_zone_refused("\"/etc/localtime\"", "time_zone: not an IANA zone name");
	expect_zone_refused("\"America/./New_York\"", "time_zone: not an IANA zone name");
	expect_zone_refused("\"\"", "time_zone: not an IANA zone name");
	expect_zone_refused("\"Mars/Olympus_Mons\"", "is not in the system's time zone data");
	expect_zone_refused("\"America\"", "time_zone: \"America\" is not a zone");
	expect_zone_refused("-5", "time_zone: expected an IANA zone name");
	expect_error(pcrm_tariff_load(&t, "{\"id\": \"z\", \"version\": 1, \"effective_from\": "
	                              "\"2026-01-01\", \"currency\": \"USD\", \"rounding\": "
	                              "\"half_even\", \"time_zone\": \"UTC\", \"utc_offset\": "
	                              "\"+00:00\", \"energy\": {\"price\": \"0.10\"}}"),
	             PCRM_EINVAL, "time_zone: give either");
	cr_assert_null(t);
}

/* ---- the TZif parser itself ---- */

static unsigned char *read_zone_file(const char *name, size_t *len)
{
	char path[256];
	static unsigned char buf[65536];
	FILE *f;

	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
	cr_assert_not_null(f = fopen(path, "rb"), "%s", path);
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

Test(zone, tzif_offsets_and_truncation)
{
	struct pcrm__zone z;
	size_t len;
	unsigned char *data = read_zone_file("Europe/Dublin", &len);

	cr_assert_eq(pcrm__zone_parse(data, len, &z), PCRM_OK, "%s", pcrm_error_last());
	/* Dublin's rule has negative daylight time ("IST-1GMT0,M10.5.0,M3.5.0/1"): +1 h in summer */
	cr_assert_eq(pcrm__zone_offset_at(&z, utc(2026, 7, 1, 12)), 3600);
	cr_assert_eq(pcrm__zone_offset_at(&z, utc(2026, 1, 1, 12)), 0);
	cr_assert_eq(pcrm__zone_offset_at(&z, utc(2050, 7, 1, 12)), 3600);
	cr_assert_eq(pcrm__zone_offset_at(&z, utc(2050, 12, 1, 12)), 0);
	/* 2050-03-27 01:00 UTC: the last Sunday of March */
	cr_assert_eq(pcrm__zone_next_change(&z, utc(2050, 3, 20, 0)), utc(2050, 3, 27, 1));
	pcrm__zone_clear(&z);

	for (size_t cut = 0; cut < len; cut += 97)
		expect_error(pcrm__zone_parse(data, cut, &z), PCRM_EINVAL, "TZif: ");
	data[0] = 'X';
	expect_error(pcrm__zone_parse(data, len, &z), PCRM_EINVAL, "TZif: not a TZif file");
}

Test(zone, utc_and_fixed_zones)
{
	struct pcrm__zone z;
	size_t len;
	unsigned char *data = read_zone_file("Asia/Shanghai", &len);

	cr_assert_eq(pcrm__zone_parse(data, len, &z), PCRM_OK, "%s", pcrm_error_last());
	cr_assert_eq(pcrm__zone_offset_at(&z, utc(2026, 7, 1, 0)), 8 * 3600);
	cr_assert_eq(pcrm__zone_next_change(&z, utc(2026, 7, 1, 0)), INT64_MAX);
	cr_assert_eq(pcrm__zone_local_start(&z, utc(2026, 7, 1, 0)), utc(2026, 6, 30, 16));
	pcrm__zone_clear(&z);
}

/*
 * Exported energy goes through the same local clock: on the 25-hour autumn
 * day the repeated 01:00 hour is two hours of export, not an overlap (the
 * export path once placed intervals by civil time of day and refused the
 * second 01:00 as overlapping the first), and each hour is netted in the
 * period of its local hour.
 */
Test(zone, exports_on_the_fall_back_day_follow_the_local_clock)
{
	char json[4096];
	pcrm_tariff *t;
	pcrm_usage *u = NULL;
	pcrm_bill *b = NULL;
	pcrm_time midnight = utc(2026, 11, 1, 7); /* 2026-11-01 00:00 PDT */

	snprintf(json, sizeof(json),
	         "{\"id\": \"us-tou-dst\", \"version\": 1, \"effective_from\": \"2026-01-01\","
	         " \"currency\": \"USD\", \"rounding\": \"half_even\","
	         " \"time_zone\": \"America/Los_Angeles\","
	         " \"tou\": {\"periods\": [\"off\", \"on\", \"night1\"], \"weekday\": [" ROWS "]},"
	         " \"energy\": {\"prices\": {\"off\": \"0.10\", \"on\": \"0.40\","
	         " \"night1\": \"0.05\"}},"
	         " \"net_metering\": {\"mode\": \"net_metering\", \"sell_price\": \"0.01\"}}");
	t = load_tariff(json);
	cr_assert_eq(pcrm_usage_new(&u), PCRM_OK);
	/* imports: 10 kWh each of the day's 25 hours */
	for (int i = 0; i < 25; i++)
		cr_assert_eq(pcrm_usage_add_interval(u, midnight + i * 3600, 3600, D("10")), PCRM_OK);
	/* exports: 1 kWh in each local 01:00 hour (i = 1 PDT, i = 2 PST), 2 at 17:00 (i = 18) */
	cr_assert_eq(pcrm_usage_add_export_interval(u, midnight + 1 * 3600, 3600, D("1")), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_export_interval(u, midnight + 2 * 3600, 3600, D("1")), PCRM_OK);
	cr_assert_eq(pcrm_usage_add_export_interval(u, midnight + 18 * 3600, 3600, D("2")), PCRM_OK);
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2026, 11, 1), DAY(2026, 11, 1), u, NULL, &b),
	             PCRM_OK, "%s", pcrm_error_last());
	/* night1 2 x 10 - 2 = 18; on 5 x 10 - 2 = 48; off 18 x 10 = 180 */
	assert_energy(b, "night1", "18");
	assert_energy(b, "on", "48");
	assert_energy(b, "off", "180");
	pcrm_bill_free(b);
	b = NULL;

	/* a real overlap is still one: the second 01:00 PST hour given twice */
	cr_assert_eq(pcrm_usage_add_export_interval(u, midnight + 2 * 3600, 1800, D("1")), PCRM_OK);
	cr_assert_eq(pcrm_bill_compute(t, NULL, DAY(2026, 11, 1), DAY(2026, 11, 1), u, NULL, &b),
	             PCRM_EINVAL);
	cr_assert_null(b);
	cr_assert(strstr(pcrm_error_last(), "usage.export_intervals[3]: overlaps an earlier export "
	                 "interval"), "%s", pcrm_error_last());
	pcrm_usage_free(u);
	pcrm_tariff_free(t);
}
