/*
 * Instants, civil time in a fixed UTC offset, ISO 8601 text.
 *
 * Civil dates are converted with Howard Hinnant's days_from_civil /
 * civil_from_days algorithms (proleptic Gregorian calendar, eras of 400
 * years), in 64-bit integers.  Nothing here reads TZ or calls mktime,
 * timegm or localtime: those depend on process-wide state, are not all
 * thread-safe, and China's offset is fixed anyway.
 *
 * Civil time is limited to years 1..9999 so every date prints as four
 * digits and the day arithmetic never comes near overflow.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <powercrm/time.h>

#include "error.h"
#include "time_internal.h"

/* How much of a bad input string an error message quotes. */

/* "YYYY-MM-DDTHH:MM:SS+HH:MM" and its NUL. */
#define FORMAT_LEN 25

/* ---- the two algorithms ---- */

/* Days since 1970-01-01 of y-m-d; m must be 1..12, any y and d compute. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	/* the year starts in March, so the leap day is the last of the year */
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;                                    /* [0, 399] */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  /* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

/* The inverse; z must keep the year within int (callers check the range). */
static pcrm_date civil_from_days(int64_t z)
{
	int64_t era, doe, yoe, doy, mp, y;
	pcrm_date date;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;                                       /* [0, 146096] */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  /* [0, 399] */
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                /* [0, 365] */
	mp = (5 * doy + 2) / 153;                                     /* [0, 11] */
	date.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	date.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	date.year = (int)(y + (date.month <= 2));
	return date;
}

static int is_leap(int year)
{
	return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

/* ---- dates ---- */

int pcrm_days_in_month(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 0;
	return days[month - 1] + (month == 2 && is_leap(year));
}

int pcrm_date_is_valid(pcrm_date date)
{
	return date.year >= 1 && date.year <= 9999 && date.month >= 1 && date.month <= 12 &&
	       date.day >= 1 && date.day <= pcrm_days_in_month(date.year, date.month);
}

int64_t pcrm_date_to_days(pcrm_date date)
{
	if (!pcrm_date_is_valid(date))
		return INT64_MIN;
	return days_from_civil(date.year, date.month, date.day);
}

pcrm_date pcrm_date_from_days(int64_t days)
{
	pcrm_date none = { 0, 0, 0 };

	if (days < PCRM__MIN_DAY || days > PCRM__MAX_DAY)
		return none;
	return civil_from_days(days);
}

int pcrm_date_weekday(pcrm_date date)
{
	if (!pcrm_date_is_valid(date))
		return 0;
	/* 1970-01-01 was a Thursday: day 0 is ISO weekday 4 */
	return (int)pcrm__floor_mod(pcrm_date_to_days(date) + 3, 7) + 1;
}

/* ---- validation with messages naming the field ---- */

static int check_date_fields(int year, int month, int day)
{
	if (year < 1 || year > 9999)
		return pcrm__error(PCRM_EINVAL, "year %d is out of range 1..9999", year);
	if (month < 1 || month > 12)
		return pcrm__error(PCRM_EINVAL, "month %d is out of range 1..12", month);
	if (day < 1 || day > pcrm_days_in_month(year, month))
		return pcrm__error(PCRM_EINVAL, "day %d is out of range for %04d-%02d (1..%d)",
		                   day, year, month, pcrm_days_in_month(year, month));
	return PCRM_OK;
}

static int check_civil(const pcrm_civil *c)
{
	int rc = check_date_fields(c->year, c->month, c->day);

	if (rc < 0)
		return rc;
	if (c->hour < 0 || c->hour > 23)
		return pcrm__error(PCRM_EINVAL, "hour %d is out of range 0..23", c->hour);
	if (c->minute < 0 || c->minute > 59)
		return pcrm__error(PCRM_EINVAL, "minute %d is out of range 0..59", c->minute);
	if (c->second < 0 || c->second > 59)
		return pcrm__error(PCRM_EINVAL, "second %d is out of range 0..59 (no leap seconds)",
		                   c->second);
	return PCRM_OK;
}

static int check_offset(const char *op, int utc_offset)
{
	if (utc_offset >= -PCRM__MAX_UTC_OFFSET && utc_offset <= PCRM__MAX_UTC_OFFSET)
		return PCRM_OK;
	return pcrm__error(PCRM_EINVAL, "%s: utc_offset %d is out of range -%d..%d (+-18:00)",
	                   op, utc_offset, PCRM__MAX_UTC_OFFSET, PCRM__MAX_UTC_OFFSET);
}

/* ---- instants ---- */

int pcrm_time_from_civil(const pcrm_civil *civil, int utc_offset, pcrm_time *out)
{
	int rc;

	if (!civil || !out)
		return pcrm__error(PCRM_EINVAL, "time from civil: %s is NULL", civil ? "out" : "civil");
	if ((rc = check_offset("time from civil", utc_offset)) < 0)
		return rc;
	if ((rc = check_civil(civil)) < 0)
		return rc;
	*out = days_from_civil(civil->year, civil->month, civil->day) * 86400 +
	       civil->hour * 3600 + civil->minute * 60 + civil->second - utc_offset;
	return PCRM_OK;
}

/*
 * The wall-clock time of t at a valid offset, or EOVERFLOW (named after op)
 * when it falls outside years 1..9999.
 */
static int to_civil(const char *op, pcrm_time t, int utc_offset, pcrm_civil *out)
{
	int64_t local, days, secs;
	pcrm_date date;

	/* compare before adding: t + utc_offset could overflow at the int64 edges */
	if (t < PCRM__MIN_LOCAL - utc_offset || t > PCRM__MAX_LOCAL - utc_offset)
		return pcrm__error(PCRM_EOVERFLOW,
		                   "%s: instant %lld is outside years 1..9999 at offset %d",
		                   op, (long long)t, utc_offset);
	local = t + utc_offset;
	days = pcrm__floor_div(local, 86400);
	secs = local - days * 86400;
	date = civil_from_days(days);
	out->year = date.year;
	out->month = date.month;
	out->day = date.day;
	out->hour = (int)(secs / 3600);
	out->minute = (int)(secs / 60 % 60);
	out->second = (int)(secs % 60);
	return PCRM_OK;
}

int pcrm_time_to_civil(pcrm_time t, int utc_offset, pcrm_civil *out)
{
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "time to civil: out is NULL");
	if ((rc = check_offset("time to civil", utc_offset)) < 0)
		return rc;
	return to_civil("time to civil", t, utc_offset, out);
}

pcrm_time pcrm_clock_system(void *userdata)
{
	struct timespec ts;

	(void)userdata;
	/* cannot fail with CLOCK_REALTIME and a valid pointer; 0 is the documented fallback */
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (pcrm_time)ts.tv_sec;
}

/* ---- text ---- */

/* Raises EINVAL as `"<text>" is not <what>: <why>`. */
static int parse_fail(const char *text, const char *what, const char *why)
{
	char q[PCRM_QUOTE_SIZE];

	pcrm__quote(text, strlen(text), q, sizeof(q));
	return pcrm__error(PCRM_EINVAL, "\"%s\" is not %s: %s", q, what, why);
}

/* Adds `"<text>" is not <what>: ` in front of the message a check just raised. */
static int parse_prefix(int rc, const char *text, const char *what)
{
	char q[PCRM_QUOTE_SIZE];

	pcrm__quote(text, strlen(text), q, sizeof(q));
	pcrm__error_prefix("\"%s\" is not %s", q, what);
	return rc;
}

static int is_digit(char c)
{
	/* not isdigit(): that one follows the locale */
	return c >= '0' && c <= '9';
}

/* The value of n digits at s, or -1 when one of them is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * Checks that `text` (NUL-terminated) matches `pattern` up to the pattern's
 * length, where '9' stands for a digit and every other character for itself.
 * Returns the 0-based position of the first mismatch, or -1.  The NUL at the
 * end of a short text mismatches, so reading stops there.
 */
static int match_shape(const char *text, const char *pattern)
{
	for (int i = 0; pattern[i]; i++) {
		if (pattern[i] == '9' ? !is_digit(text[i]) : text[i] != pattern[i])
			return i;
	}
	return -1;
}

static int shape_fail(const char *text, const char *what, const char *pattern, int at)
{
	char why[96];
	unsigned char c = (unsigned char)text[at];
	const char *want = pattern[at] == '9' ? "a digit" : NULL;
	char lit[4] = { '\'', pattern[at], '\'', '\0' };

	if (!want)
		want = pattern[at] == ' ' ? "' '" : lit;
	/* positions count from 1, as a person reading the input would */
	if (c == '\0')
		snprintf(why, sizeof(why), "ends at position %d, expected %s", at + 1, want);
	else if (c >= 0x20 && c < 0x7f)
		snprintf(why, sizeof(why), "unexpected '%c' at position %d, expected %s",
		         c, at + 1, want);
	else
		snprintf(why, sizeof(why), "unexpected byte 0x%02x at position %d, expected %s",
		         c, at + 1, want);
	return parse_fail(text, what, why);
}

int pcrm_date_parse(const char *text, pcrm_date *out)
{
	static const char shape[] = "9999-99-99";
	int at, rc;
	pcrm_date d;

	if (!text || !out)
		return pcrm__error(PCRM_EINVAL, "date parse: %s is NULL", text ? "out" : "text");
	if ((at = match_shape(text, shape)) >= 0)
		return shape_fail(text, "a date YYYY-MM-DD", shape, at);
	if (text[sizeof(shape) - 1] != '\0')
		return parse_fail(text, "a date YYYY-MM-DD", "unexpected text after the day");
	d.year = digits(text, 4);
	d.month = digits(text + 5, 2);
	d.day = digits(text + 8, 2);
	if ((rc = check_date_fields(d.year, d.month, d.day)) < 0)
		return parse_prefix(rc, text, "a valid date");
	*out = d;
	return PCRM_OK;
}

int pcrm__parse_utc_offset(const char *text, size_t len, int *out)
{
	int hours, minutes;

	if (len == 1 && text[0] == 'Z') {
		*out = 0;
		return PCRM_OK;
	}
	if (len == 0 || (text[0] != '+' && text[0] != '-'))
		return pcrm__error(PCRM_EINVAL, "the UTC offset must be Z, +HH:MM or -HH:MM");
	if (len == 6 && text[3] == ':') {
		hours = digits(text + 1, 2);
		minutes = digits(text + 4, 2);
	} else if (len == 5) {
		hours = digits(text + 1, 2);
		minutes = digits(text + 3, 2);
	} else {
		hours = minutes = -1;
	}
	if (hours < 0 || minutes < 0)
		return pcrm__error(PCRM_EINVAL, "the UTC offset must be Z, +HH:MM or -HH:MM");
	if (minutes > 59)
		return pcrm__error(PCRM_EINVAL, "offset minute %d is out of range 0..59", minutes);
	if (hours * 60 + minutes > 18 * 60)
		return pcrm__error(PCRM_EINVAL, "offset %02d:%02d is beyond 18:00", hours, minutes);
	if (text[0] == '-' && hours == 0 && minutes == 0)
		return pcrm__error(PCRM_EINVAL,
		                   "offset -00:00 means \"offset unknown\" (RFC 3339); write +00:00");
	*out = (text[0] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
	return PCRM_OK;
}

int pcrm_time_parse(const char *text, pcrm_time *out)
{
	static const char shape[] = "9999-99-99T99:99:99";
	static const char shape_space[] = "9999-99-99 99:99:99";
	const size_t offset_at = sizeof(shape) - 1;
	const char *what = "an instant YYYY-MM-DDTHH:MM:SS+HH:MM";
	pcrm_civil c;
	pcrm_time t;
	int offset, at, rc;

	if (!text || !out)
		return pcrm__error(PCRM_EINVAL, "time parse: %s is NULL", text ? "out" : "text");
	/* a mismatch at position 10 means the first ten bytes exist, so text[10] may be read */
	at = match_shape(text, shape);
	if (at == 10 && text[10] == ' ') {
		if ((at = match_shape(text, shape_space)) >= 0)
			return shape_fail(text, what, shape_space, at);
	} else if (at >= 0) {
		return shape_fail(text, what, shape, at);
	}
	switch (text[offset_at]) {
	case '\0':
		return parse_fail(text, what,
		                  "the UTC offset is missing (add Z, +08:00 or another offset)");
	case '.':
	case ',':
		return parse_fail(text, what, "fractional seconds are not supported");
	case 'z':
		return parse_fail(text, what, "write the UTC designator as 'Z'");
	}
	c.year = digits(text, 4);
	c.month = digits(text + 5, 2);
	c.day = digits(text + 8, 2);
	c.hour = digits(text + 11, 2);
	c.minute = digits(text + 14, 2);
	c.second = digits(text + 17, 2);
	if ((rc = pcrm__parse_utc_offset(text + offset_at, strlen(text + offset_at), &offset)) < 0)
		return parse_prefix(rc, text, what);
	if ((rc = check_civil(&c)) < 0)
		return parse_prefix(rc, text, "a valid instant");
	if ((rc = pcrm_time_from_civil(&c, offset, &t)) < 0)
		return rc;
	*out = t;
	return PCRM_OK;
}

int pcrm_time_format(pcrm_time t, int utc_offset, char *buf, size_t size)
{
	char tmp[FORMAT_LEN + 8];
	pcrm_civil c;
	int len, rc, mag;

	if (!buf)
		return pcrm__error(PCRM_EINVAL, "time format: buf is NULL");
	if (size > 0)
		buf[0] = '\0';
	if ((rc = check_offset("time format", utc_offset)) < 0)
		return rc;
	/* the text has no place for seconds of offset, and rounding would misstate the time */
	if (utc_offset % 60 != 0)
		return pcrm__error(PCRM_EINVAL,
		                   "time format: utc_offset %d is not a whole number of minutes",
		                   utc_offset);
	if ((rc = to_civil("time format", t, utc_offset, &c)) < 0)
		return rc;
	len = snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d",
	               c.year, c.month, c.day, c.hour, c.minute, c.second);
	if (utc_offset == 0) {
		tmp[len++] = 'Z';
		tmp[len] = '\0';
	} else {
		mag = utc_offset < 0 ? -utc_offset : utc_offset;
		len += snprintf(tmp + len, sizeof(tmp) - (size_t)len, "%c%02d:%02d",
		                utc_offset < 0 ? '-' : '+', mag / 3600, mag / 60 % 60);
	}
	if ((size_t)len >= size)
		return pcrm__error(PCRM_EINVAL, "time format: \"%s\" needs %d bytes, buffer has %zu",
		                   tmp, len + 1, size);
	memcpy(buf, tmp, (size_t)len + 1);
	return PCRM_OK;
}
