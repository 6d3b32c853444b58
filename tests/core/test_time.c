/*
 * Instants and civil time: known instants (checked with an independent
 * implementation, Python's datetime), a sweep over every day of years
 * 1..9999 checked against days_in_month, round trips at several offsets,
 * and every rejection of the parsers with the field its message names.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <powercrm.h>

/* ---- helpers ---- */

static pcrm_civil C(int y, int mo, int d, int h, int mi, int s)
{
	pcrm_civil c = { y, mo, d, h, mi, s };
	return c;
}

static pcrm_date D(int y, int m, int d)
{
	pcrm_date date = { y, m, d };
	return date;
}

static pcrm_time at(pcrm_civil c, int offset)
{
	pcrm_time t = 0;
	int rc = pcrm_time_from_civil(&c, offset, &t);
	cr_assert_eq(rc, PCRM_OK, "from civil: %s", pcrm_error_last());
	return t;
}

static pcrm_time P(const char *text)
{
	pcrm_time t = 0;
	int rc = pcrm_time_parse(text, &t);
	cr_assert_eq(rc, PCRM_OK, "parse \"%s\": %s", text, pcrm_error_last());
	return t;
}

static const char *F(pcrm_time t, int offset)
{
	static char bufs[4][32];
	static int next;
	char *buf = bufs[next++ % 4];
	int rc = pcrm_time_format(t, offset, buf, 32);
	cr_assert_eq(rc, PCRM_OK, "format %" PRId64 ": %s", t, pcrm_error_last());
	return buf;
}

/* rc must be `status`, and the thread's message must mention `needle`. */
static void expect_error(int rc, int status, const char *needle)
{
	cr_assert_eq(rc, status, "rc %d, want %d (%s)", rc, status, pcrm_error_last());
	cr_assert_eq(pcrm_error_last_status(), status);
	cr_assert(strstr(pcrm_error_last(), needle) != NULL,
	          "message \"%s\" lacks \"%s\"", pcrm_error_last(), needle);
}

static void expect_civil(pcrm_time t, int offset, pcrm_civil want)
{
	pcrm_civil c;
	int rc = pcrm_time_to_civil(t, offset, &c);
	cr_assert_eq(rc, PCRM_OK, "to civil: %s", pcrm_error_last());
	cr_assert(c.year == want.year && c.month == want.month && c.day == want.day &&
	          c.hour == want.hour && c.minute == want.minute && c.second == want.second,
	          "%" PRId64 " at %d is %04d-%02d-%02d %02d:%02d:%02d, want "
	          "%04d-%02d-%02d %02d:%02d:%02d", t, offset, c.year, c.month, c.day, c.hour,
	          c.minute, c.second, want.year, want.month, want.day, want.hour, want.minute,
	          want.second);
}

static uint64_t rng = 0x2545F4914F6CDD1Du;

static uint64_t next_random(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717u;
}

/* ---- known instants ---- */

Test(time, epoch_and_known_instants)
{
	cr_assert_eq(at(C(1970, 1, 1, 0, 0, 0), 0), 0);
	cr_assert_eq(at(C(2000, 1, 1, 0, 0, 0), 0), 946684800);
	cr_assert_eq(at(C(2026, 1, 1, 0, 0, 0), PCRM_UTC_OFFSET_CHINA), 1767196800);
	cr_assert_eq(at(C(2026, 11, 22, 8, 30, 0), PCRM_UTC_OFFSET_CHINA), 1795307400);
	cr_assert_eq(at(C(2026, 11, 22, 0, 30, 0), 0), 1795307400);
	cr_assert_eq(at(C(1, 1, 1, 0, 0, 0), 0), INT64_C(-62135596800));
	cr_assert_eq(at(C(9999, 12, 31, 23, 59, 59), 0), INT64_C(253402300799));
	expect_civil(0, 0, C(1970, 1, 1, 0, 0, 0));
	expect_civil(1795307400, 0, C(2026, 11, 22, 0, 30, 0));
	expect_civil(INT64_C(253402300799), 0, C(9999, 12, 31, 23, 59, 59));
}

Test(time, negative_instants)
{
	cr_assert_eq(at(C(1969, 12, 31, 23, 59, 59), 0), -1);
	cr_assert_eq(at(C(1969, 7, 20, 20, 17, 40), 0), -14182940);
	cr_assert_eq(at(C(1900, 1, 1, 0, 0, 0), 0), INT64_C(-2208988800));
	expect_civil(-1, 0, C(1969, 12, 31, 23, 59, 59));
	expect_civil(-86400, 0, C(1969, 12, 31, 0, 0, 0));
	expect_civil(-86401, 0, C(1969, 12, 30, 23, 59, 59));
	expect_civil(INT64_C(-2208988800), 0, C(1900, 1, 1, 0, 0, 0));
	/* one second before the epoch is already 1970 in Beijing */
	expect_civil(-1, PCRM_UTC_OFFSET_CHINA, C(1970, 1, 1, 7, 59, 59));
}

Test(time, year_boundaries)
{
	pcrm_time newyear = at(C(2026, 1, 1, 0, 0, 0), 0);

	expect_civil(newyear - 1, 0, C(2025, 12, 31, 23, 59, 59));
	expect_civil(newyear, 0, C(2026, 1, 1, 0, 0, 0));
	/* Beijing's new year comes eight hours earlier */
	expect_civil(newyear - 8 * 3600, PCRM_UTC_OFFSET_CHINA, C(2026, 1, 1, 0, 0, 0));
	expect_civil(newyear - 8 * 3600 - 1, PCRM_UTC_OFFSET_CHINA, C(2025, 12, 31, 23, 59, 59));
	/* and New York's five hours later */
	expect_civil(newyear + 5 * 3600 - 1, -5 * 3600, C(2025, 12, 31, 23, 59, 59));
	expect_civil(at(C(1999, 12, 31, 23, 59, 59), 0) + 1, 0, C(2000, 1, 1, 0, 0, 0));
	expect_civil(at(C(2024, 2, 28, 23, 59, 59), 0) + 1, 0, C(2024, 2, 29, 0, 0, 0));
	expect_civil(at(C(2026, 2, 28, 23, 59, 59), 0) + 1, 0, C(2026, 3, 1, 0, 0, 0));
}

Test(time, utc_plus_8_versus_utc)
{
	pcrm_time t = at(C(2026, 11, 22, 8, 30, 0), PCRM_UTC_OFFSET_CHINA);

	cr_assert_eq(t, at(C(2026, 11, 22, 0, 30, 0), 0));
	expect_civil(t, 0, C(2026, 11, 22, 0, 30, 0));
	expect_civil(t, PCRM_UTC_OFFSET_CHINA, C(2026, 11, 22, 8, 30, 0));
	/* a Beijing morning before 08:00 is the previous day in UTC */
	expect_civil(at(C(2026, 3, 1, 7, 0, 0), PCRM_UTC_OFFSET_CHINA), 0, C(2026, 2, 28, 23, 0, 0));
	cr_assert_str_eq(F(t, 0), "2026-11-22T00:30:00Z");
	cr_assert_str_eq(F(t, PCRM_UTC_OFFSET_CHINA), "2026-11-22T08:30:00+08:00");
}

/* ---- dates ---- */

Test(time, leap_years)
{
	cr_assert(pcrm_date_is_valid(D(2024, 2, 29)));
	cr_assert(!pcrm_date_is_valid(D(2026, 2, 29)));
	cr_assert(pcrm_date_is_valid(D(2000, 2, 29)));  /* divisible by 400 */
	cr_assert(!pcrm_date_is_valid(D(1900, 2, 29))); /* by 100 but not 400 */
	cr_assert(!pcrm_date_is_valid(D(2100, 2, 29)));
	cr_assert_eq(pcrm_days_in_month(2024, 2), 29);
	cr_assert_eq(pcrm_days_in_month(2026, 2), 28);
	cr_assert_eq(pcrm_days_in_month(2000, 2), 29);
	cr_assert_eq(pcrm_days_in_month(1900, 2), 28);
	cr_assert_eq(pcrm_days_in_month(2026, 4), 30);
	cr_assert_eq(pcrm_days_in_month(2026, 12), 31);
	cr_assert_eq(pcrm_days_in_month(2026, 0), 0);
	cr_assert_eq(pcrm_days_in_month(2026, 13), 0);
	cr_assert_eq(pcrm_date_to_days(D(2000, 3, 1)) - pcrm_date_to_days(D(2000, 2, 28)), 2);
	cr_assert_eq(pcrm_date_to_days(D(1900, 3, 1)) - pcrm_date_to_days(D(1900, 2, 28)), 1);
}

Test(time, date_validity_and_range)
{
	cr_assert(pcrm_date_is_valid(D(1, 1, 1)));
	cr_assert(pcrm_date_is_valid(D(9999, 12, 31)));
	cr_assert(!pcrm_date_is_valid(D(0, 12, 31)));
	cr_assert(!pcrm_date_is_valid(D(10000, 1, 1)));
	cr_assert(!pcrm_date_is_valid(D(2026, 0, 1)));
	cr_assert(!pcrm_date_is_valid(D(2026, 13, 1)));
	cr_assert(!pcrm_date_is_valid(D(2026, 4, 31)));
	cr_assert(!pcrm_date_is_valid(D(2026, 1, 0)));
	cr_assert(!pcrm_date_is_valid(D(-2026, 1, 1)));
	cr_assert_eq(pcrm_date_to_days(D(1970, 1, 1)), 0);
	cr_assert_eq(pcrm_date_to_days(D(1969, 12, 31)), -1);
	cr_assert_eq(pcrm_date_to_days(D(1, 1, 1)), -719162);
	cr_assert_eq(pcrm_date_to_days(D(9999, 12, 31)), 2932896);
	cr_assert_eq(pcrm_date_to_days(D(2026, 2, 29)), INT64_MIN);
	cr_assert_eq(pcrm_date_from_days(-719163).year, 0);
	cr_assert_eq(pcrm_date_from_days(2932897).year, 0);
	cr_assert_eq(pcrm_date_from_days(INT64_MAX).month, 0);
	cr_assert_eq(pcrm_date_from_days(INT64_MIN).day, 0);
}

/*
 * Every day of years 1..9999: the next day number is the next calendar day
 * (by days_in_month, not by the conversion itself), the weekday advances
 * by one, and the conversion inverts.
 */
Test(time, every_day_of_years_1_to_9999)
{
	pcrm_date prev = pcrm_date_from_days(-719162);
	int prev_wd = pcrm_date_weekday(prev);

	cr_assert(prev.year == 1 && prev.month == 1 && prev.day == 1);
	cr_assert_eq(prev_wd, 1); /* 0001-01-01 was a Monday (proleptic Gregorian) */
	for (int64_t n = -719161; n <= 2932896; n++) {
		pcrm_date d = pcrm_date_from_days(n), want = prev;
		int wd;

		if (++want.day > pcrm_days_in_month(want.year, want.month)) {
			want.day = 1;
			if (++want.month > 12) {
				want.month = 1;
				want.year++;
			}
		}
		if (d.year != want.year || d.month != want.month || d.day != want.day)
			cr_assert_fail("day %" PRId64 " is %04d-%02d-%02d, want %04d-%02d-%02d", n,
			         d.year, d.month, d.day, want.year, want.month, want.day);
		if (pcrm_date_to_days(d) != n)
			cr_assert_fail("%04d-%02d-%02d gives day %" PRId64 ", want %" PRId64, d.year, d.month,
			         d.day, pcrm_date_to_days(d), n);
		wd = pcrm_date_weekday(d);
		if (wd != prev_wd % 7 + 1)
			cr_assert_fail("weekday of day %" PRId64 " is %d after %d", n, wd, prev_wd);
		prev = d;
		prev_wd = wd;
	}
	cr_assert(prev.year == 9999 && prev.month == 12 && prev.day == 31);
	cr_assert_eq(prev_wd, 5);
}

Test(time, weekdays)
{
	cr_assert_eq(pcrm_date_weekday(D(1970, 1, 1)), 4);
	cr_assert_eq(pcrm_date_weekday(D(2000, 1, 1)), 6);
	cr_assert_eq(pcrm_date_weekday(D(2026, 2, 14)), 6);
	cr_assert_eq(pcrm_date_weekday(D(2026, 1, 4)), 7);
	cr_assert_eq(pcrm_date_weekday(D(2026, 2, 16)), 1);
	cr_assert_eq(pcrm_date_weekday(D(1969, 12, 29)), 1);
	cr_assert_eq(pcrm_date_weekday(D(2026, 2, 29)), 0);
}

/* ---- conversions ---- */

Test(time, civil_round_trips_at_several_offsets)
{
	static const int offsets[] = { 0, PCRM_UTC_OFFSET_CHINA, -5 * 3600, 5 * 3600 + 45 * 60,
	                               -18 * 3600, 18 * 3600, 1 };
	const int64_t lo = INT64_C(-62135596800) + 18 * 3600, hi = INT64_C(253402300799) - 18 * 3600;

	for (int i = 0; i < 200000; i++) {
		int64_t t = lo + (int64_t)(next_random() % (uint64_t)(hi - lo + 1));
		int off = offsets[i % (int)(sizeof(offsets) / sizeof(offsets[0]))];
		pcrm_civil c;
		pcrm_time back;

		cr_assert_eq(pcrm_time_to_civil(t, off, &c), PCRM_OK, "%s", pcrm_error_last());
		cr_assert_eq(pcrm_time_from_civil(&c, off, &back), PCRM_OK, "%s", pcrm_error_last());
		if (back != t)
			cr_assert_fail("%" PRId64 " at %d came back as %" PRId64, t, off, back);
	}
}

Test(time, from_civil_names_the_bad_field)
{
	pcrm_time t = 42;

	expect_error(pcrm_time_from_civil(&(pcrm_civil){ 0, 1, 1, 0, 0, 0 }, 0, &t), PCRM_EINVAL,
	             "year 0 is out of range 1..9999");
	expect_error(pcrm_time_from_civil(&(pcrm_civil){ 10000, 1, 1, 0, 0, 0 }, 0, &t),
	             PCRM_EINVAL, "year 10000");
	expect_error(pcrm_time_from_civil(&(pcrm_civil){ 2026, 13, 1, 0, 0, 0 }, 0, &t),
	             PCRM_EINVAL, "month 13 is out of range 1..12");
	expect_error(pcrm_time_from_civil(&(pcrm_civil){ 2026, 0, 1, 0, 0, 0 }, 0, &t),
	             PCRM_EINVAL, "month 0");
	expect_error(pcrm_time_from_civil(&(pcrm_civil){ 2026, 2, 31, 0, 0, 0 }, 0, &t),
	             PCRM_EINVAL, "day 31 is out of range for 2026-02");
	expect_error(pcrm_time_from_civil(&(pcrm_civil){ 2026, 2, 29, 0, 0, 0 }, 0, &t),
	             PCRM_EINVAL, "day 29 is out of range for 2026-02");
	expect_error(pcrm_time_from_civil(&(pcrm_civil){ 1900, 2, 29, 0, 0, 0 }, 0, &t),
	             PCRM_EINVAL, "day 29 is out of range for 1900-02");
	expect_error(pcrm_time_from_civil(&(pcrm_civil){ 2026, 1, 0, 0, 0, 0 }, 0, &t),
	             PCRM_EINVAL, "day 0");
	expect_error(pcrm_time_from_civil(&(pcrm_civil){ 2026, 1, 1, 24, 0, 0 }, 0, &t),
	             PCRM_EINVAL, "hour 24 is out of range 0..23");
	expect_error(pcrm_time_from_civil(&(pcrm_civil){ 2026, 1, 1, -1, 0, 0 }, 0, &t),
	             PCRM_EINVAL, "hour -1");
	expect_error(pcrm_time_from_civil(&(pcrm_civil){ 2026, 1, 1, 0, 60, 0 }, 0, &t),
	             PCRM_EINVAL, "minute 60 is out of range 0..59");
	expect_error(pcrm_time_from_civil(&(pcrm_civil){ 2026, 1, 1, 0, 0, 60 }, 0, &t),
	             PCRM_EINVAL, "second 60 is out of range 0..59 (no leap seconds)");
	expect_error(pcrm_time_from_civil(&(pcrm_civil){ 2026, 1, 1, 0, 0, 0 }, 19 * 3600, &t),
	             PCRM_EINVAL, "utc_offset 68400 is out of range");
	expect_error(pcrm_time_from_civil(NULL, 0, &t), PCRM_EINVAL, "civil is NULL");
	expect_error(pcrm_time_from_civil(&(pcrm_civil){ 2026, 1, 1, 0, 0, 0 }, 0, NULL),
	             PCRM_EINVAL, "out is NULL");
	cr_assert_eq(t, 42, "a failed conversion leaves out untouched");
	cr_assert(pcrm_time_from_civil(&(pcrm_civil){ 2024, 2, 29, 0, 0, 0 }, 0, &t) == PCRM_OK);
	cr_assert(pcrm_time_from_civil(&(pcrm_civil){ 2000, 2, 29, 0, 0, 0 }, 0, &t) == PCRM_OK);
}

Test(time, to_civil_outside_years_1_to_9999)
{
	pcrm_civil c;

	expect_error(pcrm_time_to_civil(INT64_MAX, 0, &c), PCRM_EOVERFLOW, "outside years 1..9999");
	expect_error(pcrm_time_to_civil(INT64_MIN, PCRM_UTC_OFFSET_CHINA, &c), PCRM_EOVERFLOW,
	             "outside years 1..9999");
	expect_error(pcrm_time_to_civil(INT64_C(253402300800), 0, &c), PCRM_EOVERFLOW, "9999");
	expect_error(pcrm_time_to_civil(INT64_C(253402300799), 1, &c), PCRM_EOVERFLOW, "9999");
	expect_error(pcrm_time_to_civil(INT64_C(-62135596801), 0, &c), PCRM_EOVERFLOW, "1..9999");
	/* the same instant is still in year 1 further east */
	expect_civil(INT64_C(-62135596801), 3600, C(1, 1, 1, 0, 59, 59));
	expect_error(pcrm_time_to_civil(0, -19 * 3600, &c), PCRM_EINVAL, "utc_offset");
	expect_error(pcrm_time_to_civil(0, 0, NULL), PCRM_EINVAL, "out is NULL");
}

/* ---- parsing ---- */

Test(time, parse_accepts_the_documented_forms)
{
	const pcrm_time want = 1795307400;

	cr_assert_eq(P("2026-11-22T08:30:00+08:00"), want);
	cr_assert_eq(P("2026-11-22T00:30:00Z"), want);
	cr_assert_eq(P("2026-11-22 08:30:00+0800"), want);
	cr_assert_eq(P("2026-11-22 00:30:00Z"), want);
	cr_assert_eq(P("2026-11-22T00:30:00+00:00"), want);
	cr_assert_eq(P("2026-11-21T19:30:00-05:00"), want);
	cr_assert_eq(P("2026-11-21T19:30:00-0500"), want);
	cr_assert_eq(P("2026-11-22T06:15:00+05:45"), want);
	cr_assert_eq(P("2026-11-22T18:30:00+18:00"), want);
	cr_assert_eq(P("1970-01-01T00:00:00Z"), 0);
	cr_assert_eq(P("1969-12-31T23:59:59Z"), -1);
	cr_assert_eq(P("2024-02-29T12:00:00Z"), at(C(2024, 2, 29, 12, 0, 0), 0));
	cr_assert_eq(P("0001-01-01T00:00:00Z"), INT64_C(-62135596800));
	cr_assert_eq(P("9999-12-31T23:59:59Z"), INT64_C(253402300799));
}

static void expect_parse_error(const char *text, const char *needle)
{
	pcrm_time t = 42;
	expect_error(pcrm_time_parse(text, &t), PCRM_EINVAL, needle);
	cr_assert_eq(t, 42, "\"%s\": out changed on failure", text);
}

Test(time, parse_rejections_say_why)
{
	expect_parse_error("2026-11-22T08:30:00", "the UTC offset is missing");
	expect_parse_error("2026-11-22 08:30:00", "offset is missing");
	expect_parse_error("2026-11-22T08:30:00.250+08:00", "fractional seconds");
	expect_parse_error("2026-11-22T08:30:00,250Z", "fractional seconds");
	expect_parse_error("2026-11-22T08:30:00z", "'Z'");
	expect_parse_error("2026-11-22t08:30:00Z", "unexpected 't' at position 11, expected 'T'");
	expect_parse_error("2026-11-22T08:30Z", "unexpected 'Z' at position 17");
	expect_parse_error("2026-11-22", "ends at position 11");
	expect_parse_error("", "ends at position 1, expected a digit");
	expect_parse_error("26-11-22T08:30:00Z", "unexpected '-' at position 3");
	expect_parse_error("2026/11/22T08:30:00Z", "unexpected '/' at position 5, expected '-'");
	expect_parse_error(" 2026-11-22T08:30:00Z", "position 1");
	expect_parse_error("2026-11-22T8:30:00Z", "position 13");
	expect_parse_error("2026-11-22 08:3a:00Z", "unexpected 'a' at position 16");
	expect_parse_error("2026-11-22T08:30:00\x01Z", "\"2026-11-22T08:30:00\\x01Z\" is not");
	expect_parse_error("2026-11-22T08:3\x01:00Z", "unexpected byte 0x01 at position 16");
	expect_parse_error("2026-11-22T08:30:00+08", "offset must be");
	expect_parse_error("2026-11-22T08:30:00+8:00", "offset must be");
	expect_parse_error("2026-11-22T08:30:00+08:0", "offset must be");
	expect_parse_error("2026-11-22T08:30:00+08:000", "offset must be");
	expect_parse_error("2026-11-22T08:30:00+08-00", "offset must be");
	expect_parse_error("2026-11-22T08:30:00Z ", "offset must be");
	expect_parse_error("2026-11-22T08:30:00ZZ", "offset must be");
	expect_parse_error("2026-11-22T08:30:00 +08:00", "offset must be");
	expect_parse_error("2026-11-22T08:30:00+08:60", "offset minute 60");
	expect_parse_error("2026-11-22T08:30:00+19:00", "offset 19:00 is beyond 18:00");
	expect_parse_error("2026-11-22T08:30:00+18:01", "beyond 18:00");
	expect_parse_error("2026-11-22T08:30:00-00:00", "offset unknown");
	expect_parse_error("2026-11-22T08:30:00-0000", "offset unknown");
	expect_parse_error("2026-13-22T08:30:00Z", "month 13 is out of range");
	expect_parse_error("2026-00-22T08:30:00Z", "month 0");
	expect_parse_error("2026-02-29T08:30:00Z", "day 29 is out of range for 2026-02");
	expect_parse_error("1900-02-29T08:30:00Z", "day 29 is out of range for 1900-02");
	expect_parse_error("2026-04-31T08:30:00Z", "day 31");
	expect_parse_error("2026-04-00T08:30:00Z", "day 0");
	expect_parse_error("0000-01-01T00:00:00Z", "year 0");
	expect_parse_error("2026-11-22T24:00:00Z", "hour 24");
	expect_parse_error("2026-11-22T23:60:00Z", "minute 60");
	expect_parse_error("2026-11-22T23:59:60Z", "second 60");
	/* the message quotes the input, escaped and cut */
	expect_parse_error("2026-11-22T08:30:00", "\"2026-11-22T08:30:00\" is not an instant");
	expect_parse_error("2026-11-22T08:30:00+08:00 and then a very long tail indeed", "...");
	expect_error(pcrm_time_parse(NULL, &(pcrm_time){ 0 }), PCRM_EINVAL, "text is NULL");
	expect_error(pcrm_time_parse("2026-11-22T08:30:00Z", NULL), PCRM_EINVAL, "out is NULL");
}

Test(time, date_parse)
{
	pcrm_date d = { 0, 0, 0 };

	cr_assert_eq(pcrm_date_parse("2026-02-14", &d), PCRM_OK, "%s", pcrm_error_last());
	cr_assert(d.year == 2026 && d.month == 2 && d.day == 14);
	cr_assert_eq(pcrm_date_parse("2024-02-29", &d), PCRM_OK);
	cr_assert_eq(pcrm_date_parse("0001-01-01", &d), PCRM_OK);
	cr_assert_eq(pcrm_date_parse("9999-12-31", &d), PCRM_OK);
	d.year = 7;
	expect_error(pcrm_date_parse("2026-02-30", &d), PCRM_EINVAL,
	             "\"2026-02-30\" is not a valid date: day 30 is out of range for 2026-02");
	expect_error(pcrm_date_parse("2026-02-29", &d), PCRM_EINVAL, "day 29");
	expect_error(pcrm_date_parse("2026-13-01", &d), PCRM_EINVAL, "month 13");
	expect_error(pcrm_date_parse("0000-01-01", &d), PCRM_EINVAL, "year 0");
	expect_error(pcrm_date_parse("2026-2-14", &d), PCRM_EINVAL, "position 7");
	expect_error(pcrm_date_parse("2026-02-14 ", &d), PCRM_EINVAL, "unexpected text after");
	expect_error(pcrm_date_parse("2026-02-14T00:00:00Z", &d), PCRM_EINVAL, "after the day");
	expect_error(pcrm_date_parse("20260214", &d), PCRM_EINVAL, "expected '-'");
	expect_error(pcrm_date_parse("", &d), PCRM_EINVAL, "ends at position 1");
	expect_error(pcrm_date_parse("２０２６-02-14", &d), PCRM_EINVAL, "byte 0xef");
	expect_error(pcrm_date_parse(NULL, &d), PCRM_EINVAL, "text is NULL");
	expect_error(pcrm_date_parse("2026-02-14", NULL), PCRM_EINVAL, "out is NULL");
	cr_assert_eq(d.year, 7, "a failed parse leaves out untouched");
}

/* ---- formatting ---- */

Test(time, format)
{
	char buf[32];

	cr_assert_str_eq(F(0, 0), "1970-01-01T00:00:00Z");
	cr_assert_str_eq(F(-1, 0), "1969-12-31T23:59:59Z");
	cr_assert_str_eq(F(0, PCRM_UTC_OFFSET_CHINA), "1970-01-01T08:00:00+08:00");
	cr_assert_str_eq(F(0, -5 * 3600), "1969-12-31T19:00:00-05:00");
	cr_assert_str_eq(F(0, 5 * 3600 + 45 * 60), "1970-01-01T05:45:00+05:45");
	cr_assert_str_eq(F(0, -(9 * 3600 + 30 * 60)), "1969-12-31T14:30:00-09:30");
	cr_assert_str_eq(F(INT64_C(253402300799), 0), "9999-12-31T23:59:59Z");
	cr_assert_str_eq(F(INT64_C(-62135596800), 0), "0001-01-01T00:00:00Z");
	/* 25 characters and the NUL */
	cr_assert_eq(pcrm_time_format(0, PCRM_UTC_OFFSET_CHINA, buf, 26), PCRM_OK);
	expect_error(pcrm_time_format(0, PCRM_UTC_OFFSET_CHINA, buf, 25), PCRM_EINVAL,
	             "needs 26 bytes, buffer has 25");
	cr_assert_str_eq(buf, "", "a failed format leaves an empty string");
	expect_error(pcrm_time_format(0, 0, buf, 20), PCRM_EINVAL, "needs 21 bytes");
	cr_assert_eq(pcrm_time_format(0, 0, buf, 21), PCRM_OK);
	expect_error(pcrm_time_format(0, 0, buf, 0), PCRM_EINVAL, "buffer has 0");
	expect_error(pcrm_time_format(0, 30, buf, sizeof(buf)), PCRM_EINVAL,
	             "not a whole number of minutes");
	expect_error(pcrm_time_format(0, 20 * 3600, buf, sizeof(buf)), PCRM_EINVAL, "utc_offset");
	expect_error(pcrm_time_format(INT64_MAX, 0, buf, sizeof(buf)), PCRM_EOVERFLOW,
	             "outside years 1..9999");
	expect_error(pcrm_time_format(INT64_C(-62135596800), -60, buf, sizeof(buf)),
	             PCRM_EOVERFLOW, "time format");
	expect_error(pcrm_time_format(0, 0, NULL, 32), PCRM_EINVAL, "buf is NULL");
}

Test(time, parse_format_round_trips)
{
	static const int offsets[] = { 0, PCRM_UTC_OFFSET_CHINA, -5 * 3600, 5 * 3600 + 45 * 60,
	                               -(3 * 3600 + 30 * 60), 14 * 3600 };
	const int64_t lo = INT64_C(-62135596800) + 18 * 3600, hi = INT64_C(253402300799) - 18 * 3600;

	for (int i = 0; i < 100000; i++) {
		int64_t t = lo + (int64_t)(next_random() % (uint64_t)(hi - lo + 1));
		int off = offsets[i % (int)(sizeof(offsets) / sizeof(offsets[0]))];
		const char *s = F(t, off);
		char again[32];

		if (P(s) != t)
			cr_assert_fail("\"%s\" parses to %" PRId64 ", not %" PRId64, s, P(s), t);
		/* formatting is canonical: the parsed text at its own offset prints back the same */
		cr_assert_eq(pcrm_time_format(P(s), off, again, sizeof(again)), PCRM_OK);
		cr_assert_str_eq(again, s);
	}
}

/* ---- the clock ---- */

Test(time, system_clock)
{
	time_t before = time(NULL);
	pcrm_time now = pcrm_clock_system(NULL);
	time_t after = time(NULL);

	cr_assert(now >= (pcrm_time)before - 1 && now <= (pcrm_time)after + 1,
	          "clock %" PRId64 " not between %lld and %lld", now, (long long)before,
	          (long long)after);
}
