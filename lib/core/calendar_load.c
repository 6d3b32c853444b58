/*
 * Loading a business calendar from its JSON document (docs/calendar-format.md).
 *
 * jansson parses; everything here is validation.  A calendar decides work-order
 * deadlines, so a document that is merely plausible is not good enough: every
 * field is checked, unknown keys are refused (a misspelt "holiday" must not
 * silently mean "no holidays"), and every message starts with the JSON path of
 * the offending value, e.g. "working_hours.mon[1]: end 12:00 is not after
 * start 13:30".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "calendar_internal.h"
#include "error.h"
#include "json_doc.h"
#include "time_internal.h"

/* Longest name accepted, in bytes: it is a label, not a description. */
#define NAME_MAX_BYTES 200

/* Largest calendar file read; real ones are a few kilobytes. */
#define FILE_MAX_BYTES (16 * 1024 * 1024)

/* How many bytes of a document string a message quotes. */
#define QUOTE_MAX 40

/* Room for any path built here: a key and two indexes. */
#define PATH_SIZE 96

static const char *const weekday_keys[8] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL
};
#define WEEKDAY_LIST "mon, tue, wed, thu, fri, sat, sun"

/* ---- message helpers ---- */

/*
 * Copies a document string into q for a message: quotes, backslashes and
 * control characters escaped, cut after QUOTE_MAX bytes but never inside a
 * UTF-8 sequence (jansson has already checked the encoding).
 */
static void quote(const char *s, char *q, size_t size)
{
	size_t used = 0, i;

	for (i = 0; s[i] && used + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i >= QUOTE_MAX && (c & 0xC0) != 0x80)
			break;
		if (c == '"' || c == '\\')
			used += (size_t)snprintf(q + used, size - used, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			used += (size_t)snprintf(q + used, size - used, "\\x%02x", c);
		else
			q[used++] = (char)c;
	}
	q[used] = '\0';
	if (s[i] && used + 4 <= size)
		memcpy(q + used, "...", 4);
}

static int expect_type(const char *path, const json_t *v, json_type type, const char *what)
{
	return pcrm__json_expect(path, v, type, what);
}

/* Writes a path such as "holidays[3].from"; PATH_SIZE is ample for our keys and indexes. */
static void make_path(char *buf, size_t size, const char *fmt, ...) PCRM_PRINTF(3, 4);

static void make_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

static void clock_text(int32_t sod, char buf[16])
{
	snprintf(buf, 16, "%02d:%02d", (int)(sod / 3600), (int)(sod / 60 % 60));
}

static void date_text(int64_t day, char buf[16])
{
	pcrm_date d = pcrm_date_from_days(day);
	snprintf(buf, 16, "%04d-%02d-%02d", d.year, d.month, d.day);
}

/* ---- scalars ---- */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "HH:MM" into seconds of the day; "24:00" only as the end of an interval. */
static int load_clock(const char *path, const json_t *v, int is_end, int32_t *out)
{
	char q[QUOTE_MAX * 4 + 8];
	const char *s;
	int h, m, rc;

	if ((rc = expect_type(path, v, JSON_STRING, "a time \"HH:MM\"")) < 0)
		return rc;
	s = json_string_value(v);
	if (json_string_length(v) != 5 || !is_digit(s[0]) || !is_digit(s[1]) || s[2] != ':' ||
	    !is_digit(s[3]) || !is_digit(s[4])) {
		quote(s, q, sizeof(q));
		return pcrm__error(PCRM_EINVAL, "%s: \"%s\" is not a time HH:MM", path, q);
	}
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59)
		return pcrm__error(PCRM_EINVAL, "%s: \"%s\": minute %d is out of range 0..59",
		                   path, s, m);
	if (h == 24 && m == 0) {
		if (!is_end)
			return pcrm__error(PCRM_EINVAL,
			                   "%s: 24:00 can only end an interval, a start is 00:00..23:59",
			                   path);
	} else if (h > 23) {
		return pcrm__error(PCRM_EINVAL, "%s: \"%s\": hour %d is out of range 0..23%s",
		                   path, s, h, is_end ? " (or 24:00 for the end of the day)" : "");
	}
	*out = h * 3600 + m * 60;
	return PCRM_OK;
}

/* A "YYYY-MM-DD" string into a day number. */
static int load_date(const char *path, const json_t *v, int64_t *day)
{
	pcrm_date d;
	int rc;

	if ((rc = expect_type(path, v, JSON_STRING, "a date \"YYYY-MM-DD\"")) < 0)
		return rc;
	if ((rc = pcrm_date_parse(json_string_value(v), &d)) < 0) {
		pcrm__error_prefix("%s", path);
		return rc;
	}
	*day = pcrm_date_to_days(d);
	return PCRM_OK;
}

/* An optional "name" member of a holiday or make-up day: a label, only checked. */
static int load_label(const char *base, json_t *obj)
{
	char path[PATH_SIZE];
	json_t *v = json_object_get(obj, "name");

	if (!v)
		return PCRM_OK;
	make_path(path, sizeof(path), "%s.name", base);
	return expect_type(path, v, JSON_STRING, "a string");
}

/* ---- working hours ---- */

static int load_day(const char *path, json_t *list, struct pcrm__hours *h)
{
	char ipath[PATH_SIZE], epath[PATH_SIZE], a[16], b[16], c[16], d[16];
	int32_t start, end, prev_start = 0, prev_end = 0;
	size_t n;
	int rc;

	if ((rc = expect_type(path, list, JSON_ARRAY,
	                      "a list of intervals [\"HH:MM\", \"HH:MM\"] ([] for no work)")) < 0)
		return rc;
	n = json_array_size(list);
	if (n > PCRM__MAX_INTERVALS)
		return pcrm__error(PCRM_EINVAL, "%s: %zu intervals, at most %d are supported",
		                   path, n, PCRM__MAX_INTERVALS);
	for (size_t i = 0; i < n; i++) {
		json_t *item = json_array_get(list, i);

		make_path(ipath, sizeof(ipath), "%s[%zu]", path, i);
		if (!json_is_array(item) || json_array_size(item) != 2)
			return pcrm__error(PCRM_EINVAL,
			                   "%s: expected an interval [\"HH:MM\", \"HH:MM\"], got %s",
			                   ipath, json_is_array(item) ? "an array of another length"
			                                              : pcrm__json_type_name(item));
		make_path(epath, sizeof(epath), "%s[0]", ipath);
		if ((rc = load_clock(epath, json_array_get(item, 0), 0, &start)) < 0)
			return rc;
		make_path(epath, sizeof(epath), "%s[1]", ipath);
		if ((rc = load_clock(epath, json_array_get(item, 1), 1, &end)) < 0)
			return rc;
		clock_text(start, a);
		clock_text(end, b);
		if (end <= start)
			return pcrm__error(PCRM_EINVAL, "%s: end %s is not after start %s", ipath, b, a);
		if (i > 0 && start < prev_end) {
			clock_text(prev_start, c);
			clock_text(prev_end, d);
			return pcrm__error(PCRM_EINVAL, "%s: %s-%s %s %s[%zu] %s-%s", ipath, a, b,
			                   start < prev_start ? "is listed after, but starts before,"
			                                      : "overlaps",
			                   path, i - 1, c, d);
		}
		/* touching intervals merge, so "stays at the end of an interval" has one meaning */
		if (h->count > 0 && h->iv[h->count - 1].end == start) {
			h->iv[h->count - 1].end = end;
		} else {
			h->iv[h->count].start = start;
			h->iv[h->count].end = end;
			h->count++;
		}
		h->total += end - start;
		prev_start = start;
		prev_end = end;
	}
	return PCRM_OK;
}

static int load_working_hours(json_t *obj, pcrm_calendar *cal)
{
	char path[PATH_SIZE];
	int rc;

	if ((rc = expect_type("working_hours", obj, JSON_OBJECT,
	                      "an object with the keys " WEEKDAY_LIST)) < 0 ||
	    (rc = pcrm__json_check_keys("working_hours", obj, weekday_keys)) < 0)
		return rc;
	for (int d = 0; d < 7; d++) {
		json_t *list = json_object_get(obj, weekday_keys[d]);

		make_path(path, sizeof(path), "working_hours.%s", weekday_keys[d]);
		/* required even when empty: an omitted day is more often a mistake than a rest day */
		if (!list)
			return pcrm__error(PCRM_EINVAL, "%s: missing (write [] for a day without work)",
			                   path);
		if ((rc = load_day(path, list, &cal->week[d])) < 0)
			return rc;
		cal->week_total += cal->week[d].total;
		cal->week_days += cal->week[d].count > 0;
	}
	return PCRM_OK;
}

/* ---- holidays ---- */

static int by_first(const void *a, const void *b)
{
	const struct pcrm__day_range *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int load_holiday(const char *path, json_t *item, struct pcrm__day_range *r)
{
	static const char *const keys[] = { "from", "to", "name", NULL };
	char sub[PATH_SIZE], a[16], b[16];
	json_t *v;
	int rc;

	if (json_is_string(item)) {
		if ((rc = load_date(path, item, &r->first)) < 0)
			return rc;
		r->last = r->first;
		return PCRM_OK;
	}
	if (!json_is_object(item))
		return pcrm__error(PCRM_EINVAL, "%s: expected a date \"YYYY-MM-DD\" or an object "
		                   "{\"from\", \"to\", \"name\"}, got %s", path, pcrm__json_type_name(item));
	if ((rc = pcrm__json_check_keys(path, item, keys)) < 0)
		return rc;
	make_path(sub, sizeof(sub), "%s.from", path);
	if (!(v = json_object_get(item, "from")))
		return pcrm__error(PCRM_EINVAL, "%s: missing", sub);
	if ((rc = load_date(sub, v, &r->first)) < 0)
		return rc;
	r->last = r->first;
	make_path(sub, sizeof(sub), "%s.to", path);
	if ((v = json_object_get(item, "to")) && (rc = load_date(sub, v, &r->last)) < 0)
		return rc;
	if (r->last < r->first) {
		date_text(r->first, a);
		date_text(r->last, b);
		return pcrm__error(PCRM_EINVAL, "%s: %s is before from %s", sub, b, a);
	}
	return load_label(path, item);
}

static int load_holidays(json_t *list, pcrm_calendar *cal)
{
	char path[PATH_SIZE], a[16], b[16], c[16], d[16];
	size_t n;
	int rc;

	if ((rc = expect_type("holidays", list, JSON_ARRAY, "a list of dates or ranges")) < 0)
		return rc;
	n = json_array_size(list);
	if (n == 0)
		return PCRM_OK;
	if (!(cal->holidays = calloc(n, sizeof(*cal->holidays))))
		return pcrm__error_oom();
	for (size_t i = 0; i < n; i++) {
		make_path(path, sizeof(path), "holidays[%zu]", i);
		cal->holidays[i].index = i;
		if ((rc = load_holiday(path, json_array_get(list, i), &cal->holidays[i])) < 0)
			return rc;
		cal->holiday_count++;
	}
	qsort(cal->holidays, n, sizeof(*cal->holidays), by_first);
	/* sorted by start, the ranges are disjoint exactly when each neighbour pair is */
	for (size_t i = 1; i < n; i++) {
		const struct pcrm__day_range *p = &cal->holidays[i - 1], *r = &cal->holidays[i];
		const struct pcrm__day_range *later = p->index > r->index ? p : r;
		const struct pcrm__day_range *earlier = later == p ? r : p;

		if (r->first > p->last)
			continue;
		date_text(later->first, a);
		date_text(later->last, b);
		date_text(earlier->first, c);
		date_text(earlier->last, d);
		return pcrm__error(PCRM_EINVAL, "holidays[%zu]: %s..%s overlaps holidays[%zu] %s..%s "
		                   "(each day may be listed once)",
		                   later->index, a, b, earlier->index, c, d);
	}
	return PCRM_OK;
}

/* ---- make-up working days ---- */

static int by_day(const void *a, const void *b)
{
	const struct pcrm__make_up *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int load_hours_as(const char *path, json_t *v, const pcrm_calendar *cal, int *out)
{
	char q[QUOTE_MAX * 4 + 8];
	int rc, d;

	if (v) {
		if ((rc = expect_type(path, v, JSON_STRING, "a weekday (" WEEKDAY_LIST ")")) < 0)
			return rc;
		for (d = 0; d < 7 && strcmp(json_string_value(v), weekday_keys[d]) != 0; d++)
			;
		if (d == 7) {
			quote(json_string_value(v), q, sizeof(q));
			return pcrm__error(PCRM_EINVAL, "%s: \"%s\" is not a weekday (" WEEKDAY_LIST ")",
			                   path, q);
		}
	} else {
		d = 0;
	}
	/* a working day without working hours would count as a day but never as time */
	if (cal->week[d].count == 0)
		return pcrm__error(PCRM_EINVAL,
		                   "%s: working_hours.%s is empty, a make-up day needs working hours%s",
		                   path, weekday_keys[d], v ? "" : " (\"mon\" is the default)");
	*out = d;
	return PCRM_OK;
}

static int load_make_up(const char *path, json_t *item, const pcrm_calendar *cal,
                        struct pcrm__make_up *m)
{
	static const char *const keys[] = { "date", "hours_as", "name", NULL };
	char sub[PATH_SIZE];
	json_t *v;
	int rc;

	if (json_is_string(item)) {
		if ((rc = load_date(path, item, &m->day)) < 0)
			return rc;
		return load_hours_as(path, NULL, cal, &m->hours_as);
	}
	if (!json_is_object(item))
		return pcrm__error(PCRM_EINVAL, "%s: expected a date \"YYYY-MM-DD\" or an object "
		                   "{\"date\", \"hours_as\", \"name\"}, got %s", path,
		                   pcrm__json_type_name(item));
	if ((rc = pcrm__json_check_keys(path, item, keys)) < 0)
		return rc;
	make_path(sub, sizeof(sub), "%s.date", path);
	if (!(v = json_object_get(item, "date")))
		return pcrm__error(PCRM_EINVAL, "%s: missing", sub);
	if ((rc = load_date(sub, v, &m->day)) < 0)
		return rc;
	make_path(sub, sizeof(sub), "%s.hours_as", path);
	if ((rc = load_hours_as(sub, json_object_get(item, "hours_as"), cal, &m->hours_as)) < 0)
		return rc;
	return load_label(path, item);
}

static int load_make_ups(json_t *list, pcrm_calendar *cal)
{
	char path[PATH_SIZE], a[16], b[16], c[16];
	const struct pcrm__day_range *h;
	size_t n;
	int rc;

	if ((rc = expect_type("make_up_working_days", list, JSON_ARRAY, "a list of dates")) < 0)
		return rc;
	n = json_array_size(list);
	if (n == 0)
		return PCRM_OK;
	if (!(cal->make_ups = calloc(n, sizeof(*cal->make_ups))))
		return pcrm__error_oom();
	for (size_t i = 0; i < n; i++) {
		make_path(path, sizeof(path), "make_up_working_days[%zu]", i);
		cal->make_ups[i].index = i;
		if ((rc = load_make_up(path, json_array_get(list, i), cal, &cal->make_ups[i])) < 0)
			return rc;
		cal->make_up_count++;
	}
	qsort(cal->make_ups, n, sizeof(*cal->make_ups), by_day);
	for (size_t i = 0; i < n; i++) {
		const struct pcrm__make_up *m = &cal->make_ups[i];

		date_text(m->day, a);
		if (i > 0 && m->day == m[-1].day)
			return pcrm__error(PCRM_EINVAL,
			                   "make_up_working_days[%zu]: %s is already listed as "
			                   "make_up_working_days[%zu]", m->index, a, m[-1].index);
		if ((h = pcrm__calendar_holiday(cal, m->day)) != NULL) {
			date_text(h->first, b);
			date_text(h->last, c);
			return pcrm__error(PCRM_EINVAL,
			                   "make_up_working_days[%zu]: %s is also a holiday "
			                   "(holidays[%zu] %s..%s)", m->index, a, h->index, b, c);
		}
	}
	return PCRM_OK;
}

/* ---- the document ---- */

static int load_name(json_t *v, pcrm_calendar *cal)
{
	size_t len;
	int rc;

	if ((rc = expect_type("name", v, JSON_STRING, "a string")) < 0)
		return rc;
	len = json_string_length(v);
	if (len == 0 || len > NAME_MAX_BYTES)
		return pcrm__error(PCRM_EINVAL, "name: must be 1..%d bytes long, is %zu",
		                   NAME_MAX_BYTES, len);
	if (!(cal->name = malloc(len + 1)))
		return pcrm__error_oom();
	memcpy(cal->name, json_string_value(v), len + 1);
	return PCRM_OK;
}

static int load_offset(json_t *v, pcrm_calendar *cal)
{
	char q[QUOTE_MAX * 4 + 8];
	const char *s;
	int rc;

	if ((rc = expect_type("utc_offset", v, JSON_STRING, "a string such as \"+08:00\"")) < 0)
		return rc;
	s = json_string_value(v);
	if ((rc = pcrm__parse_utc_offset(s, json_string_length(v), &cal->utc_offset)) < 0) {
		quote(s, q, sizeof(q));
		pcrm__error_prefix("utc_offset: \"%s\"", q);
	}
	return rc;
}

static int load_document(json_t *root, pcrm_calendar *cal)
{
	static const char *const keys[] = {
		"name", "description", "utc_offset", "working_hours", "holidays", "make_up_working_days",
		NULL
	};
	static const char *const required[] = { "name", "utc_offset", "working_hours" };
	json_t *v;
	int rc;

	if (!json_is_object(root))
		return pcrm__error(PCRM_EINVAL, "document: expected an object, got %s",
		                   pcrm__json_type_name(root));
	if ((rc = pcrm__json_check_keys("document", root, keys)) < 0)
		return rc;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!json_object_get(root, required[i]))
			return pcrm__error(PCRM_EINVAL, "%s: missing (it is required)", required[i]);
	}
	if ((rc = load_name(json_object_get(root, "name"), cal)) < 0 ||
	    (rc = load_offset(json_object_get(root, "utc_offset"), cal)) < 0)
		return rc;
	if ((v = json_object_get(root, "description")) &&
	    (rc = expect_type("description", v, JSON_STRING, "a string")) < 0)
		return rc;
	/* working hours first: a make-up day is checked against the hours it borrows */
	if ((rc = load_working_hours(json_object_get(root, "working_hours"), cal)) < 0)
		return rc;
	if ((v = json_object_get(root, "holidays")) && (rc = load_holidays(v, cal)) < 0)
		return rc;
	if ((v = json_object_get(root, "make_up_working_days")) && (rc = load_make_ups(v, cal)) < 0)
		return rc;
	return PCRM_OK;
}

int pcrm_calendar_load(pcrm_calendar **out, const char *json)
{
	pcrm_calendar *cal;
	json_error_t err;
	json_t *root;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "calendar load: out is NULL");
	*out = NULL;
	if (!json)
		return pcrm__error(PCRM_EINVAL, "calendar load: json is NULL");
	/* duplicate keys are refused: with two "mon" entries, which one was meant? */
	if (!(root = json_loads(json, JSON_REJECT_DUPLICATES, &err)))
		return pcrm__error(PCRM_EINVAL, "JSON syntax, line %d column %d: %s",
		                   err.line, err.column, err.text);
	if (!(cal = calloc(1, sizeof(*cal)))) {
		json_decref(root);
		return pcrm__error_oom();
	}
	rc = load_document(root, cal);
	json_decref(root);
	if (rc < 0) {
		pcrm_calendar_free(cal);
		return rc;
	}
	*out = cal;
	return PCRM_OK;
}

int pcrm_calendar_load_file(pcrm_calendar **out, const char *path)
{
	char *buf = NULL;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "calendar load file: out is NULL");
	*out = NULL;
	if (!path)
		return pcrm__error(PCRM_EINVAL, "calendar load file: path is NULL");
	if ((rc = pcrm__read_text_file(path, FILE_MAX_BYTES, "calendar", &buf)) < 0)
		return rc;
	if ((rc = pcrm_calendar_load(out, buf)) < 0)
		pcrm__error_prefix("%s", path);
	free(buf);
	return rc;
}
