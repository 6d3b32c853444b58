/*
 * Business calendars: the shipped China 2026 calendar against hand counts
 * from the State Council notice, the edge semantics documented in
 * calendar.h, a brute-force oracle (minute by minute with
 * is_working_time) for working_seconds_between, the property
 * between(start, add(start, d)) == d, and every validation error with the
 * JSON path it names.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <powercrm.h>

/* ---- helpers ---- */

#define HOUR 3600
#define WORKDAY (7 * HOUR + 30 * 60) /* 08:30-12:00 and 13:30-17:30 */

static pcrm_calendar *load_shipped(const char *name)
{
	const char *root = getenv("PCRM_SOURCE_ROOT");
	char path[4096];
	pcrm_calendar *cal = NULL;
	int rc;

	cr_assert(root != NULL, "PCRM_SOURCE_ROOT is not set");
	snprintf(path, sizeof(path), "%s/data/calendars/%s", root, name);
	rc = pcrm_calendar_load_file(&cal, path);
	cr_assert_eq(rc, PCRM_OK, "%s: %s", path, pcrm_error_last());
	return cal;
}

/* JSON written with ' for " so the documents below stay readable. */
static const char *J(const char *text)
{
	static char bufs[2][8192];
	static int next;
	char *buf = bufs[next++ % 2];
	size_t i;

	for (i = 0; text[i] && i + 1 < sizeof(bufs[0]); i++)
		buf[i] = text[i] == '\'' ? '"' : text[i];
	buf[i] = '\0';
	return buf;
}

/* A document with Monday's hours and the members after working_hours given. */
static const char *doc(const char *mon, const char *tail)
{
	static char buf[8192];
	snprintf(buf, sizeof(buf),
	         "{'name': 'test', 'utc_offset': '+08:00', 'working_hours': {'mon': %s, "
	         "'tue': [['08:30', '12:00'], ['13:30', '17:30']], "
	         "'wed': [['08:30', '12:00'], ['13:30', '17:30']], "
	         "'thu': [['08:30', '12:00'], ['13:30', '17:30']], "
	         "'fri': [['08:30', '12:00'], ['13:30', '17:30']], 'sat': [], 'sun': []}%s}",
	         mon, tail);
	return J(buf);
}

#define STD_DAY "[['08:30', '12:00'], ['13:30', '17:30']]"

static pcrm_calendar *load(const char *json)
{
	pcrm_calendar *cal = NULL;
	int rc = pcrm_calendar_load(&cal, json);
	cr_assert_eq(rc, PCRM_OK, "load: %s\n%s", pcrm_error_last(), json);
	return cal;
}

static pcrm_time P(const char *text)
{
	pcrm_time t = 0;
	int rc = pcrm_time_parse(text, &t);
	cr_assert_eq(rc, PCRM_OK, "parse \"%s\": %s", text, pcrm_error_last());
	return t;
}

static const char *F(pcrm_time t)
{
	static char bufs[4][32];
	static int next;
	char *buf = bufs[next++ % 4];
	if (pcrm_time_format(t, PCRM_UTC_OFFSET_CHINA, buf, 32) != PCRM_OK)
		snprintf(buf, 32, "%" PRId64, t);
	return buf;
}

static pcrm_date D(const char *text)
{
	pcrm_date d = { 0, 0, 0 };
	int rc = pcrm_date_parse(text, &d);
	cr_assert_eq(rc, PCRM_OK, "%s", pcrm_error_last());
	return d;
}

static void expect_error(int rc, int status, const char *needle)
{
	cr_assert_eq(rc, status, "rc %d, want %d (%s)", rc, status, pcrm_error_last());
	cr_assert_eq(pcrm_error_last_status(), status);
	cr_assert(strstr(pcrm_error_last(), needle) != NULL,
	          "message \"%s\" lacks \"%s\"", pcrm_error_last(), needle);
}

static pcrm_time add_seconds(const pcrm_calendar *cal, pcrm_time start, int64_t seconds)
{
	pcrm_time t = 0;
	int rc = pcrm_calendar_add_working_seconds(cal, start, seconds, &t);
	cr_assert_eq(rc, PCRM_OK, "add %" PRId64 " s to %s: %s", seconds, F(start),
	             pcrm_error_last());
	return t;
}

static pcrm_time add_days(const pcrm_calendar *cal, pcrm_time start, int days)
{
	pcrm_time t = 0;
	int rc = pcrm_calendar_add_working_days(cal, start, days, &t);
	cr_assert_eq(rc, PCRM_OK, "add %d days to %s: %s", days, F(start), pcrm_error_last());
	return t;
}

static int64_t between(const pcrm_calendar *cal, pcrm_time from, pcrm_time to)
{
	int64_t s = -1;
	int rc = pcrm_calendar_working_seconds_between(cal, from, to, &s);
	cr_assert_eq(rc, PCRM_OK, "between %s and %s: %s", F(from), F(to), pcrm_error_last());
	return s;
}

#define expect_time(got, want)                                                              \
	do {                                                                                \
		pcrm_time got_ = (got), want_ = P(want);                                    \
		cr_assert_eq(got_, want_, "%s is %s, want %s", #got, F(got_), F(want_));    \
	} while (0)

static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint64_t next_random(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717u;
}

/* ---- the shipped China 2026 calendar ---- */

Test(calendar, shipped_calendars_load)
{
	pcrm_calendar *cn = load_shipped("cn-2026.json"), *always = load_shipped("always.json");

	cr_assert_str_eq(pcrm_calendar_name(cn), "cn-2026");
	cr_assert_eq(pcrm_calendar_utc_offset(cn), PCRM_UTC_OFFSET_CHINA);
	cr_assert_str_eq(pcrm_calendar_name(always), "always");
	cr_assert_eq(pcrm_calendar_utc_offset(always), PCRM_UTC_OFFSET_CHINA);
	pcrm_calendar_free(cn);
	pcrm_calendar_free(always);
	pcrm_calendar_free(NULL);
}

Test(calendar, cn_2026_working_days)
{
	static const char *const holidays[] = {
		"2026-01-01", "2026-01-02", "2026-01-03", "2026-02-15", "2026-02-16", "2026-02-17",
		"2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
		"2026-04-04", "2026-04-05", "2026-04-06", "2026-05-01", "2026-05-02", "2026-05-03",
		"2026-05-04", "2026-05-05", "2026-06-19", "2026-06-20", "2026-06-21", "2026-09-25",
		"2026-09-26", "2026-09-27", "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04",
		"2026-10-05", "2026-10-06", "2026-10-07",
	};
	static const char *const make_ups[] = {
		"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
	};
	pcrm_calendar *cal = load_shipped("cn-2026.json");

	for (size_t i = 0; i < sizeof(holidays) / sizeof(holidays[0]); i++)
		cr_assert(!pcrm_calendar_is_working_day(cal, D(holidays[i])), "%s", holidays[i]);
	for (size_t i = 0; i < sizeof(make_ups) / sizeof(make_ups[0]); i++)
		cr_assert(pcrm_calendar_is_working_day(cal, D(make_ups[i])), "%s", make_ups[i]);
	/* the make-up Saturday before the Spring Festival */
	cr_assert(pcrm_calendar_is_working_day(cal, D("2026-02-14")));
	/* ordinary weekends and weekdays */
	cr_assert(!pcrm_calendar_is_working_day(cal, D("2026-03-07")));
	cr_assert(!pcrm_calendar_is_working_day(cal, D("2026-03-08")));
	cr_assert(pcrm_calendar_is_working_day(cal, D("2026-03-09")));
	cr_assert(pcrm_calendar_is_working_day(cal, D("2026-02-24")));
	cr_assert(pcrm_calendar_is_working_day(cal, D("2026-12-31")));
	/* after 2026 only the weekly pattern is known */
	cr_assert(pcrm_calendar_is_working_day(cal, D("2027-01-01")));
	cr_assert(!pcrm_calendar_is_working_day(cal, (pcrm_date){ 2026, 2, 30 }));
	cr_assert(!pcrm_calendar_is_working_day(NULL, D("2026-03-09")));
	pcrm_calendar_free(cal);
}

/*
 * 2026 has 261 weekdays; 19 of them are holidays and 6 weekend days are
 * worked: 248 working days (= 261 - 13 statutory holidays), 7.5 hours each.
 */
Test(calendar, cn_2026_year_total)
{
	pcrm_calendar *cal = load_shipped("cn-2026.json");
	int days = 0;

	for (int64_t n = pcrm_date_to_days(D("2026-01-01")); n <= pcrm_date_to_days(D("2026-12-31"));
	     n++)
		days += pcrm_calendar_is_working_day(cal, pcrm_date_from_days(n));
	cr_assert_eq(days, 248);
	cr_assert_eq(between(cal, P("2026-01-01T00:00:00+08:00"), P("2027-01-01T00:00:00+08:00")),
	             248 * WORKDAY);
	pcrm_calendar_free(cal);
}

Test(calendar, working_time)
{
	pcrm_calendar *cal = load_shipped("cn-2026.json");

	cr_assert(!pcrm_calendar_is_working_time(cal, P("2026-03-09T08:29:59+08:00")));
	cr_assert(pcrm_calendar_is_working_time(cal, P("2026-03-09T08:30:00+08:00")));
	cr_assert(pcrm_calendar_is_working_time(cal, P("2026-03-09T11:59:59+08:00")));
	cr_assert(!pcrm_calendar_is_working_time(cal, P("2026-03-09T12:00:00+08:00")));
	cr_assert(!pcrm_calendar_is_working_time(cal, P("2026-03-09T13:29:59+08:00")));
	cr_assert(pcrm_calendar_is_working_time(cal, P("2026-03-09T13:30:00+08:00")));
	cr_assert(!pcrm_calendar_is_working_time(cal, P("2026-03-09T17:30:00+08:00")));
	/* 09:00 in Beijing is 01:00 UTC: the calendar reads its own offset */
	cr_assert(pcrm_calendar_is_working_time(cal, P("2026-03-09T01:00:00Z")));
	cr_assert(pcrm_calendar_is_working_time(cal, P("2026-03-09T09:29:59Z")));
	cr_assert(!pcrm_calendar_is_working_time(cal, P("2026-03-09T09:30:00Z")));
	cr_assert(pcrm_calendar_is_working_time(cal, P("2026-02-14T09:00:00+08:00")));
	cr_assert(!pcrm_calendar_is_working_time(cal, P("2026-02-16T09:00:00+08:00")));
	cr_assert(!pcrm_calendar_is_working_time(cal, P("2026-03-07T09:00:00+08:00")));
	cr_assert(!pcrm_calendar_is_working_time(cal, INT64_MAX));
	cr_assert(!pcrm_calendar_is_working_time(cal, INT64_MIN));
	cr_assert(!pcrm_calendar_is_working_time(NULL, 0));
	pcrm_calendar_free(cal);
}

/* ---- working days ---- */

/*
 * Thursday 12 February 10:00 + 5 working days, counted by hand:
 * Fri 13 (1), Sat 14 make-up (2), 15-23 Spring Festival, Tue 24 (3),
 * Wed 25 (4), Thu 26 (5).
 */
Test(calendar, five_working_days_across_the_spring_festival)
{
	pcrm_calendar *cal = load_shipped("cn-2026.json");
	pcrm_time start = P("2026-02-12T10:00:00+08:00");
	pcrm_time due = add_days(cal, start, 5);

	expect_time(due, "2026-02-26T10:00:00+08:00");
	/* five days of 7.5 hours: the two functions agree */
	cr_assert_eq(between(cal, start, due), 5 * WORKDAY);
	expect_time(add_seconds(cal, start, 5 * WORKDAY), "2026-02-26T10:00:00+08:00");
	expect_time(add_days(cal, start, 1), "2026-02-13T10:00:00+08:00");
	expect_time(add_days(cal, start, 2), "2026-02-14T10:00:00+08:00");
	expect_time(add_days(cal, start, 3), "2026-02-24T10:00:00+08:00");
	/* National Day: Sun 20 Sep is worked, 25-27 Sep and 1-7 Oct are not, Sat 10 Oct is */
	expect_time(add_days(cal, P("2026-09-18T09:00:00+08:00"), 1), "2026-09-20T09:00:00+08:00");
	expect_time(add_days(cal, P("2026-09-30T09:00:00+08:00"), 1), "2026-10-08T09:00:00+08:00");
	expect_time(add_days(cal, P("2026-10-09T09:00:00+08:00"), 1), "2026-10-10T09:00:00+08:00");
	expect_time(add_days(cal, P("2026-10-09T09:00:00+08:00"), 2), "2026-10-12T09:00:00+08:00");
	pcrm_calendar_free(cal);
}

Test(calendar, working_days_from_outside_working_hours)
{
	pcrm_calendar *cal = load_shipped("cn-2026.json");

	/* in the lunch break: counts from 13:30 */
	expect_time(add_days(cal, P("2026-03-09T12:30:00+08:00"), 1), "2026-03-10T13:30:00+08:00");
	/* the end of the morning is not working time either */
	expect_time(add_days(cal, P("2026-03-09T12:00:00+08:00"), 1), "2026-03-10T13:30:00+08:00");
	/* Friday evening: counts from Monday 08:30 */
	expect_time(add_days(cal, P("2026-03-13T18:00:00+08:00"), 1), "2026-03-17T08:30:00+08:00");
	/* before opening */
	expect_time(add_days(cal, P("2026-03-09T07:00:00+08:00"), 1), "2026-03-10T08:30:00+08:00");
	/* on a holiday: counts from the first working moment after it */
	expect_time(add_days(cal, P("2026-02-16T10:00:00+08:00"), 1), "2026-02-25T08:30:00+08:00");
	/* the last working second counts as that day */
	expect_time(add_days(cal, P("2026-03-09T17:29:59+08:00"), 1), "2026-03-10T17:29:59+08:00");
	/* zero days: start unchanged, even outside working hours */
	expect_time(add_days(cal, P("2026-03-08T03:00:00+08:00"), 0), "2026-03-08T03:00:00+08:00");
	pcrm_calendar_free(cal);
}

/* A time of day that the target day does not work: the end of that day's hours. */
Test(calendar, working_days_onto_a_shorter_day)
{
	pcrm_calendar *cal = load(J(
		"{'name': 'half-friday', 'utc_offset': '+08:00', 'working_hours': {"
		"'mon': " STD_DAY ", 'tue': " STD_DAY ", 'wed': " STD_DAY ", 'thu': " STD_DAY ", "
		"'fri': [['08:30', '12:00']], 'sat': [], 'sun': []}, "
		"'make_up_working_days': [{'date': '2026-03-14', 'hours_as': 'fri'}]}"));

	expect_time(add_days(cal, P("2026-03-12T16:00:00+08:00"), 1), "2026-03-13T12:00:00+08:00");
	expect_time(add_days(cal, P("2026-03-12T16:00:00+08:00"), 2), "2026-03-14T12:00:00+08:00");
	expect_time(add_days(cal, P("2026-03-12T16:00:00+08:00"), 3), "2026-03-16T16:00:00+08:00");
	expect_time(add_days(cal, P("2026-03-12T11:59:00+08:00"), 1), "2026-03-13T11:59:00+08:00");
	expect_time(add_days(cal, P("2026-03-12T12:00:00+08:00"), 1), "2026-03-13T12:00:00+08:00");
	pcrm_calendar_free(cal);
}

/* ---- working seconds ---- */

Test(calendar, working_hours_across_lunch_and_overnight)
{
	pcrm_calendar *cal = load_shipped("cn-2026.json");

	/* 11:00-12:00, then 13:30-14:30 */
	expect_time(add_seconds(cal, P("2026-03-09T11:00:00+08:00"), 2 * HOUR),
	            "2026-03-09T14:30:00+08:00");
	/* using up the morning exactly ends at 12:00, not at 13:30 */
	expect_time(add_seconds(cal, P("2026-03-09T11:00:00+08:00"), HOUR),
	            "2026-03-09T12:00:00+08:00");
	expect_time(add_seconds(cal, P("2026-03-09T11:00:00+08:00"), HOUR + 1),
	            "2026-03-09T13:30:01+08:00");
	/* and using up the day ends at 17:30, not at the next morning */
	expect_time(add_seconds(cal, P("2026-03-09T17:00:00+08:00"), 30 * 60),
	            "2026-03-09T17:30:00+08:00");
	/* overnight: 30 minutes on Monday, 30 on Tuesday */
	expect_time(add_seconds(cal, P("2026-03-09T17:00:00+08:00"), HOUR),
	            "2026-03-10T09:00:00+08:00");
	/* from inside the break: counts from 13:30 */
	expect_time(add_seconds(cal, P("2026-03-09T12:30:00+08:00"), HOUR),
	            "2026-03-09T14:30:00+08:00");
	/* over the weekend */
	expect_time(add_seconds(cal, P("2026-03-13T17:00:00+08:00"), HOUR),
	            "2026-03-16T09:00:00+08:00");
	/* Friday 16:00 + 3 h: 1.5 h on Friday, 1.5 h on the make-up Saturday */
	expect_time(add_seconds(cal, P("2026-02-13T16:00:00+08:00"), 3 * HOUR),
	            "2026-02-14T10:00:00+08:00");
	/* a full make-up day, nine days of Spring Festival, then two hours */
	expect_time(add_seconds(cal, P("2026-02-14T08:30:00+08:00"), WORKDAY + 2 * HOUR),
	            "2026-02-24T10:30:00+08:00");
	/* from a holiday */
	expect_time(add_seconds(cal, P("2026-02-15T10:00:00+08:00"), HOUR),
	            "2026-02-24T09:30:00+08:00");
	/* the instant's offset does not matter, the calendar's does */
	expect_time(add_seconds(cal, P("2026-03-09T03:00:00Z"), 2 * HOUR),
	            "2026-03-09T14:30:00+08:00");
	pcrm_calendar_free(cal);
}

Test(calendar, zero_and_negative)
{
	pcrm_calendar *cal = load_shipped("cn-2026.json");
	pcrm_time sunday = P("2026-03-08T03:00:00+08:00"), t = 42;
	int64_t s = 42;

	expect_time(add_seconds(cal, sunday, 0), "2026-03-08T03:00:00+08:00");
	cr_assert_eq(between(cal, sunday, sunday), 0);
	cr_assert_eq(between(cal, P("2026-03-10T10:00:00+08:00"), P("2026-03-09T10:00:00+08:00")), 0);
	expect_error(pcrm_calendar_add_working_seconds(cal, sunday, -1, &t), PCRM_EINVAL,
	             "seconds -1 is negative");
	expect_error(pcrm_calendar_add_working_days(cal, sunday, -1, &t), PCRM_EINVAL,
	             "days -1 is negative");
	expect_error(pcrm_calendar_add_working_seconds(NULL, sunday, 1, &t), PCRM_EINVAL,
	             "cal is NULL");
	expect_error(pcrm_calendar_add_working_days(cal, sunday, 1, NULL), PCRM_EINVAL,
	             "out is NULL");
	expect_error(pcrm_calendar_working_seconds_between(cal, 0, 1, NULL), PCRM_EINVAL,
	             "out is NULL");
	expect_error(pcrm_calendar_add_working_seconds(cal, INT64_MAX, 1, &t), PCRM_EINVAL,
	             "start");
	expect_error(pcrm_calendar_working_seconds_between(cal, INT64_MIN, 0, &s), PCRM_EINVAL,
	             "from");
	expect_error(pcrm_calendar_working_seconds_between(cal, 0, INT64_MAX, &s), PCRM_EINVAL,
	             "to ");
	cr_assert_eq(t, 42);
	cr_assert_eq(s, 42);
	pcrm_calendar_free(cal);
}

Test(calendar, no_working_hours_is_not_found)
{
	pcrm_calendar *cal = load(J(
		"{'name': 'never', 'utc_offset': '+08:00', 'working_hours': {'mon': [], "
		"'tue': [], 'wed': [], 'thu': [], 'fri': [], 'sat': [], 'sun': []}, "
		"'holidays': ['2026-03-09']}"));
	pcrm_time start = P("2026-03-09T10:00:00+08:00"), t = 42;

	expect_error(pcrm_calendar_add_working_seconds(cal, start, 1, &t), PCRM_ENOTFOUND,
	             "no working time");
	expect_error(pcrm_calendar_add_working_days(cal, start, 1, &t), PCRM_ENOTFOUND,
	             "\"never\" has no working time");
	cr_assert_eq(t, 42);
	/* nothing to count is not an error */
	expect_time(add_seconds(cal, start, 0), "2026-03-09T10:00:00+08:00");
	cr_assert_eq(between(cal, P("0001-01-02T00:00:00Z"), P("9999-12-30T00:00:00Z")), 0);
	cr_assert(!pcrm_calendar_is_working_day(cal, D("2026-03-10")));
	pcrm_calendar_free(cal);
}

/* Holidays for longer than the horizon (about ten years) end the search too. */
Test(calendar, horizon)
{
	pcrm_calendar *cal = load(doc(STD_DAY,
		", 'holidays': [{'from': '2026-01-01', 'to': '2040-12-31'}, "
		"{'from': '2041-01-02', 'to': '2045-12-31'}]"));
	pcrm_time t;

	expect_error(pcrm_calendar_add_working_seconds(cal, P("2026-01-01T10:00:00+08:00"), 1, &t),
	             PCRM_ENOTFOUND, "within 3660 days");
	expect_error(pcrm_calendar_add_working_days(cal, P("2026-01-01T10:00:00+08:00"), 1, &t),
	             PCRM_ENOTFOUND, "no working time");
	/* 2041-01-01 is a Tuesday between the two ranges; then five years off is within reach */
	expect_time(add_seconds(cal, P("2040-12-31T10:00:00+08:00"), HOUR),
	            "2041-01-01T09:30:00+08:00");
	expect_time(add_seconds(cal, P("2041-01-01T17:00:00+08:00"), HOUR),
	            "2046-01-01T09:00:00+08:00");
	expect_time(add_days(cal, P("2041-01-01T10:00:00+08:00"), 1), "2046-01-01T10:00:00+08:00");
	cr_assert_eq(between(cal, P("2026-01-01T00:00:00+08:00"), P("2046-01-01T09:00:00+08:00")),
	             WORKDAY + 30 * 60);
	pcrm_calendar_free(cal);
}

Test(calendar, far_future_is_fast_and_overflows_cleanly)
{
	pcrm_calendar *cal = load_shipped("cn-2026.json");
	pcrm_time start = P("2026-02-12T10:00:00+08:00"), t;
	int64_t d = INT64_C(10000000000); /* about 1400 years of office hours */
	pcrm_time end = add_seconds(cal, start, d);

	cr_assert_eq(between(cal, start, end), d);
	cr_assert_eq(between(cal, start, end - 1), d - 1, "the result is the earliest such instant");
	/* 260 working days a year from 2027 on (the weekly pattern) */
	end = add_days(cal, P("2027-01-04T10:00:00+08:00"), 100000);
	cr_assert_eq(between(cal, P("2027-01-04T10:00:00+08:00"), end),
	             INT64_C(100000) * WORKDAY);
	expect_error(pcrm_calendar_add_working_seconds(cal, start, INT64_MAX, &t), PCRM_EOVERFLOW,
	             "after 9999-12-31");
	expect_error(pcrm_calendar_add_working_days(cal, start, INT_MAX, &t), PCRM_EOVERFLOW,
	             "after 9999-12-31");
	pcrm_calendar_free(cal);
}

/* ---- properties ---- */

/* Minute by minute with is_working_time: slow, simple, independent of the walk. */
static int64_t between_by_minutes(const pcrm_calendar *cal, pcrm_time from, pcrm_time to)
{
	int64_t sum = 0;
	for (pcrm_time m = from; m < to; m += 60)
		sum += pcrm_calendar_is_working_time(cal, m) ? 60 : 0;
	return sum;
}

Test(calendar, between_matches_a_minute_by_minute_count)
{
	pcrm_calendar *cal = load_shipped("cn-2026.json");
	const pcrm_time lo = P("2025-12-25T00:00:00+08:00"), hi = P("2027-01-10T00:00:00+08:00");

	for (int i = 0; i < 300; i++) {
		pcrm_time from = lo + (pcrm_time)(next_random() % (uint64_t)(hi - lo)) / 60 * 60;
		pcrm_time to = from + (pcrm_time)(next_random() % (25 * 1440)) * 60;
		int64_t want = between_by_minutes(cal, from, to);

		cr_assert_eq(between(cal, from, to), want, "between %s and %s", F(from), F(to));
	}
	pcrm_calendar_free(cal);
}

/* between(start, add(start, d)) == d, and add() gives the earliest such instant. */
static void check_add_between(const pcrm_calendar *cal, pcrm_time start, int64_t d)
{
	pcrm_time end = add_seconds(cal, start, d);
	int64_t got = between(cal, start, end);

	if (got != d)
		cr_assert_fail("%s + %" PRId64 " s = %s, but between says %" PRId64, F(start), d, F(end),
		         got);
	if (d > 0 && between(cal, start, end - 1) != d - 1)
		cr_assert_fail("%s + %" PRId64 " s = %s is not the earliest", F(start), d, F(end));
	if (d > 0 && !pcrm_calendar_is_working_time(cal, end - 1))
		cr_assert_fail("%s + %" PRId64 " s = %s: the last second counted is not working time",
		         F(start), d, F(end));
}

Test(calendar, add_and_between_agree)
{
	static const int64_t edges[] = {
		0, 1, 59, 60, 30 * 60, HOUR, 3 * HOUR + 30 * 60, 4 * HOUR, WORKDAY, WORKDAY + 1,
		2 * WORKDAY, 5 * WORKDAY, 37 * WORKDAY,
	};
	pcrm_calendar *cal = load_shipped("cn-2026.json");
	const pcrm_time lo = P("2025-12-20T00:00:00+08:00"), hi = P("2027-01-10T00:00:00+08:00");

	for (int i = 0; i < 20000; i++) {
		pcrm_time start = lo + (pcrm_time)(next_random() % (uint64_t)(hi - lo));
		int64_t d = i % 2 ? edges[i / 2 % (int)(sizeof(edges) / sizeof(edges[0]))]
		                  : (int64_t)(next_random() % (60 * WORKDAY));

		check_add_between(cal, start, d);
	}
	pcrm_calendar_free(cal);
}

/* Irregular hours, midnight-touching intervals, clustered holidays and make-up days. */
static const char *const odd_calendar =
	"{'name': 'odd', 'utc_offset': '-03:30', 'working_hours': {"
	"'mon': [['00:00', '01:00'], ['23:00', '24:00']], 'tue': " STD_DAY ", 'wed': [], "
	"'thu': [['12:00', '12:01']], 'fri': [['00:00', '24:00']], 'sat': [], "
	"'sun': [['10:00', '11:00']]}, "
	"'holidays': ['2026-03-02', {'from': '2026-03-03', 'to': '2026-03-20'}, '2026-06-01', "
	"{'from': '2026-12-24', 'to': '2027-01-06'}, '2027-05-07', '2027-05-08'], "
	"'make_up_working_days': ['2026-03-21', {'date': '2026-03-22', 'hours_as': 'fri'}, "
	"{'date': '2026-06-03', 'hours_as': 'sun'}, {'date': '2027-01-07', 'hours_as': 'thu'}, "
	"{'date': '2027-05-09', 'hours_as': 'tue'}]}";

Test(calendar, odd_calendar_properties)
{
	pcrm_calendar *cal = load(J(odd_calendar));
	const pcrm_time lo = P("2026-02-01T00:00:00Z"), hi = P("2027-06-01T00:00:00Z");

	for (int i = 0; i < 300; i++) {
		pcrm_time from = lo + (pcrm_time)(next_random() % (uint64_t)(hi - lo)) / 60 * 60;
		pcrm_time to = from + (pcrm_time)(next_random() % (40 * 1440)) * 60;

		cr_assert_eq(between(cal, from, to), between_by_minutes(cal, from, to),
		             "between %s and %s", F(from), F(to));
	}
	for (int i = 0; i < 20000; i++) {
		pcrm_time start = lo + (pcrm_time)(next_random() % (uint64_t)(hi - lo));
		int64_t d = i % 3 == 0 ? (int64_t)(next_random() % (200 * HOUR))
		          : i % 3 == 1 ? (int64_t)(next_random() % (3 * HOUR))
		                       : (int64_t)(next_random() % 1000) * 60;

		check_add_between(cal, start, d);
	}
	/* the week after Friday's 24 hours: Sunday 10:00-11:00 (the calendar's own offset) */
	expect_time(add_seconds(cal, P("2026-02-06T00:00:00-03:30"), 24 * HOUR + 1),
	            "2026-02-08T10:00:01-03:30");
	/* 19 days of holidays, then a make-up Saturday with Monday's hours */
	expect_time(add_seconds(cal, P("2026-03-01T11:00:00-03:30"), 1),
	            "2026-03-21T00:00:01-03:30");
	/* 10:30 is not working time on that Saturday: the end of its hours, 24:00 */
	expect_time(add_days(cal, P("2026-03-01T10:30:00-03:30"), 1), "2026-03-22T00:00:00-03:30");
	/* the next day is a make-up Sunday with Friday's hours, where 10:30 works */
	expect_time(add_days(cal, P("2026-03-01T10:30:00-03:30"), 2), "2026-03-22T10:30:00-03:30");
	pcrm_calendar_free(cal);
}

Test(calendar, working_days_agree_with_is_working_day)
{
	pcrm_calendar *cal = load_shipped("cn-2026.json");
	const pcrm_time lo = P("2025-12-20T00:00:00+08:00"), hi = P("2026-12-20T00:00:00+08:00");

	for (int i = 0; i < 2000; i++) {
		pcrm_time start = lo + (pcrm_time)(next_random() % (uint64_t)(hi - lo));
		int n = 1 + (int)(next_random() % 20), counted = 0;
		pcrm_time due = add_days(cal, start, n), first;
		pcrm_civil a, b;
		int64_t day, last;

		/* the due time lies in working time or ends an interval */
		cr_assert(pcrm_calendar_is_working_time(cal, due) ||
		          pcrm_calendar_is_working_time(cal, due - 1), "%s", F(due));
		/* exactly n working days after the day of the first working moment */
		first = add_seconds(cal, start, 1) - 1;
		pcrm_time_to_civil(first, PCRM_UTC_OFFSET_CHINA, &a);
		pcrm_time_to_civil(due, PCRM_UTC_OFFSET_CHINA, &b);
		day = pcrm_date_to_days((pcrm_date){ a.year, a.month, a.day });
		last = pcrm_date_to_days((pcrm_date){ b.year, b.month, b.day });
		for (int64_t k = day + 1; k <= last; k++)
			counted += pcrm_calendar_is_working_day(cal, pcrm_date_from_days(k));
		cr_assert_eq(counted, n, "%s + %d days = %s", F(start), n, F(due));
		/* at the same time of day (every day of this calendar has the same hours) */
		cr_assert(a.hour == b.hour && a.minute == b.minute && a.second == b.second,
		          "%s + %d days = %s", F(start), n, F(due));
	}
	pcrm_calendar_free(cal);
}

Test(calendar, always_is_the_clock)
{
	pcrm_calendar *cal = load_shipped("always.json");
	const pcrm_time lo = P("2020-01-01T00:00:00Z"), hi = P("2030-01-01T00:00:00Z");

	for (int i = 0; i < 5000; i++) {
		pcrm_time start = lo + (pcrm_time)(next_random() % (uint64_t)(hi - lo));
		int64_t d = (int64_t)(next_random() % (400 * 86400));
		int n = (int)(next_random() % 400);

		cr_assert_eq(add_seconds(cal, start, d), start + d);
		cr_assert_eq(between(cal, start, start + d), d);
		cr_assert_eq(add_days(cal, start, n), start + (pcrm_time)n * 86400);
		cr_assert(pcrm_calendar_is_working_time(cal, start));
	}
	/* midnight ends one interval and starts the next: a whole day ends at 24:00 */
	expect_time(add_seconds(cal, P("2026-03-09T00:00:00+08:00"), 86400),
	            "2026-03-10T00:00:00+08:00");
	/* ... except on the last day of civil time */
	expect_time(add_seconds(cal, P("9999-12-31T23:00:00+08:00"), 3599),
	            "9999-12-31T23:59:59+08:00");
	expect_error(pcrm_calendar_add_working_seconds(cal, P("9999-12-31T23:00:00+08:00"), 3600,
	                                               &(pcrm_time){ 0 }),
	             PCRM_EOVERFLOW, "after 9999-12-31");
	expect_error(pcrm_calendar_add_working_days(cal, P("9999-12-31T10:00:00+08:00"), 1,
	                                            &(pcrm_time){ 0 }),
	             PCRM_EOVERFLOW, "after 9999-12-31");
	pcrm_calendar_free(cal);
}

Test(calendar, touching_intervals_merge)
{
	pcrm_calendar *cal = load(doc("[['08:00', '12:00'], ['12:00', '13:00'], ['20:00', '24:00']]",
	                              ""));

	expect_time(add_seconds(cal, P("2026-03-09T08:00:00+08:00"), 4 * HOUR),
	            "2026-03-09T12:00:00+08:00");
	expect_time(add_seconds(cal, P("2026-03-09T08:00:00+08:00"), 5 * HOUR),
	            "2026-03-09T13:00:00+08:00");
	expect_time(add_seconds(cal, P("2026-03-09T08:00:00+08:00"), 9 * HOUR),
	            "2026-03-10T00:00:00+08:00");
	expect_time(add_seconds(cal, P("2026-03-09T08:00:00+08:00"), 9 * HOUR + 1),
	            "2026-03-10T08:30:01+08:00");
	cr_assert(pcrm_calendar_is_working_time(cal, P("2026-03-09T12:00:00+08:00")));
	cr_assert(pcrm_calendar_is_working_time(cal, P("2026-03-09T23:59:59+08:00")));
	cr_assert_eq(between(cal, P("2026-03-09T00:00:00+08:00"), P("2026-03-10T00:00:00+08:00")),
	             9 * HOUR);
	pcrm_calendar_free(cal);
}

/* ---- validation ---- */

static void expect_load_error(const char *json, const char *needle)
{
	pcrm_calendar *cal = (pcrm_calendar *)&cal;
	int rc = pcrm_calendar_load(&cal, json);

	cr_assert_eq(rc, PCRM_EINVAL, "rc %d for\n%s", rc, json);
	cr_assert_null(cal, "out is NULL after a failure");
	cr_assert(strstr(pcrm_error_last(), needle) != NULL, "message \"%s\" lacks \"%s\"",
	          pcrm_error_last(), needle);
}

Test(calendar, document_errors)
{
	expect_load_error("{", "JSON syntax, line 1");
	expect_load_error("", "JSON syntax");
	expect_load_error("[]", "document: expected an object, got an array");
	expect_load_error(doc(STD_DAY, ", 'foo': 1"), "document: unknown key \"foo\"");
	expect_load_error(J("{'utc_offset': '+08:00', 'working_hours': {}}"), "name: missing");
	expect_load_error(J("{'name': 'x', 'working_hours': {}}"), "utc_offset: missing");
	expect_load_error(J("{'name': 'x', 'utc_offset': '+08:00'}"), "working_hours: missing");
	expect_load_error(J("{'name': '', 'utc_offset': '+08:00', 'working_hours': {}}"),
	                  "name: must be 1..200 bytes long");
	expect_load_error(J("{'name': 5, 'utc_offset': '+08:00', 'working_hours': {}}"),
	                  "name: expected a string, got an integer");
	expect_load_error(J("{'name': 'a', 'name': 'b', 'utc_offset': '+08:00'}"), "duplicate");
	expect_load_error(J("{'name': 'x', 'utc_offset': '+8', 'working_hours': {}}"),
	                  "utc_offset: \"+8\": the UTC offset must be");
	expect_load_error(J("{'name': 'x', 'utc_offset': '+19:00', 'working_hours': {}}"),
	                  "utc_offset: \"+19:00\": offset 19:00 is beyond 18:00");
	expect_load_error(J("{'name': 'x', 'utc_offset': '-00:00', 'working_hours': {}}"),
	                  "offset unknown");
	expect_load_error(J("{'name': 'x', 'utc_offset': 8, 'working_hours': {}}"),
	                  "utc_offset: expected a string");
	expect_load_error(J("{'name': 'x', 'utc_offset': '+08:00', 'working_hours': {}, "
	                    "'description': 1}"), "description: expected a string, got an integer");
}

Test(calendar, working_hours_errors)
{
	char many[4096] = "[";

	expect_load_error(J("{'name': 'x', 'utc_offset': '+08:00', 'working_hours': []}"),
	                  "working_hours: expected an object");
	expect_load_error(J("{'name': 'x', 'utc_offset': '+08:00', 'working_hours': "
	                    "{'monday': []}}"), "working_hours: unknown key \"monday\"");
	expect_load_error(J("{'name': 'x', 'utc_offset': '+08:00', 'working_hours': {'mon': [], "
	                    "'tue': [], 'wed': [], 'thu': [], 'fri': [], 'sat': []}}"),
	                  "working_hours.sun: missing (write [] for a day without work)");
	expect_load_error(doc("[['08:30', '12:00'], ['13:30', '12:00']]", ""),
	                  "working_hours.mon[1]: end 12:00 is not after start 13:30");
	expect_load_error(doc("[['13:30', '12:00']]", ""),
	                  "working_hours.mon[0]: end 12:00 is not after start 13:30");
	expect_load_error(doc("[['08:30', '08:30']]", ""), "end 08:30 is not after start 08:30");
	expect_load_error(doc("[['08:30', '12:00'], ['11:00', '13:00']]", ""),
	                  "working_hours.mon[1]: 11:00-13:00 overlaps working_hours.mon[0] "
	                  "08:30-12:00");
	expect_load_error(doc("[['08:30', '12:00'], ['08:30', '12:00']]", ""),
	                  "working_hours.mon[1]: 08:30-12:00 overlaps");
	expect_load_error(doc("[['13:30', '17:30'], ['08:30', '12:00']]", ""),
	                  "working_hours.mon[1]: 08:30-12:00 is listed after, but starts before, "
	                  "working_hours.mon[0] 13:30-17:30");
	expect_load_error(doc("[['8:30', '12:00']]", ""),
	                  "working_hours.mon[0][0]: \"8:30\" is not a time HH:MM");
	expect_load_error(doc("[['08:30:00', '12:00']]", ""), "\"08:30:00\" is not a time HH:MM");
	expect_load_error(doc("[['08:30', '25:00']]", ""),
	                  "working_hours.mon[0][1]: \"25:00\": hour 25 is out of range 0..23");
	expect_load_error(doc("[['08:30', '24:01']]", ""), "hour 24 is out of range");
	expect_load_error(doc("[['08:30', '12:60']]", ""),
	                  "working_hours.mon[0][1]: \"12:60\": minute 60 is out of range 0..59");
	expect_load_error(doc("[['24:00', '24:00']]", ""),
	                  "working_hours.mon[0][0]: 24:00 can only end an interval");
	expect_load_error(doc("[['08:30']]", ""), "working_hours.mon[0]: expected an interval");
	expect_load_error(doc("[['08:30', '12:00', '13:00']]", ""),
	                  "working_hours.mon[0]: expected an interval");
	expect_load_error(doc("['08:30-12:00']", ""),
	                  "working_hours.mon[0]: expected an interval [\"HH:MM\", \"HH:MM\"], "
	                  "got a string");
	expect_load_error(doc("[[830, '12:00']]", ""),
	                  "working_hours.mon[0][0]: expected a time \"HH:MM\", got an integer");
	expect_load_error(doc("'08:30-17:30'", ""), "working_hours.mon: expected a list");
	expect_load_error(doc("null", ""), "working_hours.mon: expected a list");
	/* the count is checked before the intervals themselves */
	for (int i = 0; i < 49; i++)
		strcat(many, i ? ", ['08:00', '09:00']" : "['08:00', '09:00']");
	strcat(many, "]");
	expect_load_error(doc(many, ""), "working_hours.mon: 49 intervals, at most 48");
}

Test(calendar, holiday_errors)
{
	expect_load_error(doc(STD_DAY, ", 'holidays': {}"), "holidays: expected a list");
	expect_load_error(doc(STD_DAY, ", 'holidays': ['2026-01-01', '2026-05-01', '2026-10-01', "
	                               "'2026-02-30']"),
	                  "holidays[3]: \"2026-02-30\" is not a valid date");
	expect_load_error(doc(STD_DAY, ", 'holidays': ['2026-1-1']"),
	                  "holidays[0]: \"2026-1-1\" is not a date YYYY-MM-DD");
	expect_load_error(doc(STD_DAY, ", 'holidays': [5]"),
	                  "holidays[0]: expected a date \"YYYY-MM-DD\" or an object");
	expect_load_error(doc(STD_DAY, ", 'holidays': [{'to': '2026-01-03'}]"),
	                  "holidays[0].from: missing");
	expect_load_error(doc(STD_DAY, ", 'holidays': [{'from': '2026/01/01'}]"),
	                  "holidays[0].from: \"2026/01/01\" is not a date");
	expect_load_error(doc(STD_DAY, ", 'holidays': [{'from': '2026-01-01', 'to': '2026-01-32'}]"),
	                  "holidays[0].to: \"2026-01-32\" is not a valid date");
	expect_load_error(doc(STD_DAY, ", 'holidays': [{'from': '2026-01-03', 'to': '2026-01-01'}]"),
	                  "holidays[0].to: 2026-01-01 is before from 2026-01-03");
	expect_load_error(doc(STD_DAY, ", 'holidays': [{'from': '2026-01-01', 'until': 'x'}]"),
	                  "holidays[0]: unknown key \"until\" (expected from, to, name)");
	expect_load_error(doc(STD_DAY, ", 'holidays': [{'from': '2026-01-01', 'name': 7}]"),
	                  "holidays[0].name: expected a string");
	expect_load_error(doc(STD_DAY, ", 'holidays': [{'from': '2026-02-15', 'to': '2026-02-23'}, "
	                               "'2026-02-16']"),
	                  "holidays[1]: 2026-02-16..2026-02-16 overlaps holidays[0] "
	                  "2026-02-15..2026-02-23");
	expect_load_error(doc(STD_DAY, ", 'holidays': ['2026-02-16', {'from': '2026-02-15', "
	                               "'to': '2026-02-23'}]"),
	                  "holidays[1]: 2026-02-15..2026-02-23 overlaps holidays[0]");
	expect_load_error(doc(STD_DAY, ", 'holidays': ['2026-01-01', '2026-01-01']"),
	                  "holidays[1]: 2026-01-01..2026-01-01 overlaps holidays[0]");
	/* long keys are quoted and cut, control characters escaped */
	expect_load_error(doc(STD_DAY, ", 'holidays': [{'from': '2026-01-01', "
	                               "'\\u0001aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa': 1}]"),
	                  "unknown key \"\\x01aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"");
}

Test(calendar, make_up_day_errors)
{
	expect_load_error(doc(STD_DAY, ", 'make_up_working_days': 'x'"),
	                  "make_up_working_days: expected a list");
	expect_load_error(doc(STD_DAY, ", 'make_up_working_days': ['2026-02-30']"),
	                  "make_up_working_days[0]: \"2026-02-30\" is not a valid date");
	expect_load_error(doc(STD_DAY, ", 'make_up_working_days': [true]"),
	                  "make_up_working_days[0]: expected a date \"YYYY-MM-DD\" or an object");
	expect_load_error(doc(STD_DAY, ", 'make_up_working_days': [{'hours_as': 'mon'}]"),
	                  "make_up_working_days[0].date: missing");
	expect_load_error(doc(STD_DAY, ", 'make_up_working_days': [{'date': '2026-02-14', "
	                               "'hours': 'mon'}]"),
	                  "make_up_working_days[0]: unknown key \"hours\"");
	expect_load_error(doc(STD_DAY, ", 'make_up_working_days': [{'date': '2026-02-14', "
	                               "'hours_as': 'monday'}]"),
	                  "make_up_working_days[0].hours_as: \"monday\" is not a weekday");
	expect_load_error(doc(STD_DAY, ", 'make_up_working_days': [{'date': '2026-02-14', "
	                               "'hours_as': 3}]"),
	                  "make_up_working_days[0].hours_as: expected a weekday");
	expect_load_error(doc(STD_DAY, ", 'make_up_working_days': [{'date': '2026-02-14', "
	                               "'hours_as': 'sun'}]"),
	                  "make_up_working_days[0].hours_as: working_hours.sun is empty");
	expect_load_error(doc("[]", ", 'make_up_working_days': ['2026-02-14']"),
	                  "make_up_working_days[0]: working_hours.mon is empty, a make-up day "
	                  "needs working hours (\"mon\" is the default)");
	expect_load_error(doc(STD_DAY, ", 'make_up_working_days': [{'date': '2026-02-14', "
	                               "'name': []}]"),
	                  "make_up_working_days[0].name: expected a string, got an array");
	expect_load_error(doc(STD_DAY, ", 'make_up_working_days': ['2026-02-28', '2026-02-14', "
	                               "{'date': '2026-02-14'}]"),
	                  "make_up_working_days[2]: 2026-02-14 is already listed as "
	                  "make_up_working_days[1]");
	expect_load_error(doc(STD_DAY, ", 'holidays': [{'from': '2026-02-10', 'to': '2026-02-20'}], "
	                               "'make_up_working_days': ['2026-02-14']"),
	                  "make_up_working_days[0]: 2026-02-14 is also a holiday (holidays[0] "
	                  "2026-02-10..2026-02-20)");
}

Test(calendar, load_arguments_and_files)
{
	pcrm_calendar *cal = NULL;
	char path[] = "/tmp/pcrm_calendar_XXXXXX";
	const char *bad = "{\"name\": 1, \"utc_offset\": \"+08:00\", \"working_hours\": {}}";
	int fd;

	expect_error(pcrm_calendar_load(NULL, "{}"), PCRM_EINVAL, "out is NULL");
	expect_error(pcrm_calendar_load(&cal, NULL), PCRM_EINVAL, "json is NULL");
	expect_error(pcrm_calendar_load_file(&cal, NULL), PCRM_EINVAL, "path is NULL");
	expect_error(pcrm_calendar_load_file(&cal, "/nonexistent/cal.json"), PCRM_EIO,
	             "/nonexistent/cal.json: cannot open");
	cr_assert_null(cal);
	/* a valid document followed by a NUL and junk is not a valid file */
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert(write(fd, "{}\0junk", 7) == 7);
	close(fd);
	expect_error(pcrm_calendar_load_file(&cal, path), PCRM_EINVAL, "contains a NUL byte");
	unlink(path);
	/* errors inside a file name the file and the path */
	strcpy(path, "/tmp/pcrm_calendar_XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert(write(fd, bad, strlen(bad)) == (ssize_t)strlen(bad));
	close(fd);
	expect_error(pcrm_calendar_load_file(&cal, path), PCRM_EINVAL, ": name: expected a string");
	cr_assert(strstr(pcrm_error_last(), path) == pcrm_error_last());
	unlink(path);
}
