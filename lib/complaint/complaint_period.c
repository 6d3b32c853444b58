/*
 * Report periods: a local day, an ISO week (Monday start) or a calendar
 * month at a fixed UTC offset, and the validated report request that names
 * one.  Pure: no store, no clock, so the request parser is fuzzed alone.
 */
#include <stdio.h>
#include <string.h>

#include "complaint_report_internal.h"
#include "core/error.h"
#include "core/json_doc.h"
#include "core/time_internal.h"

#define REQUEST_MAX 4096
#define ORG_CODE_MAX 32

/* Local midnight of day number `days` as an instant; PCRM_EINVAL outside years 1..9999. */
static int midnight(int64_t days, int utc_offset, pcrm_time *out)
{
	if (days < PCRM__MIN_DAY || days > PCRM__MAX_DAY + 1)
		return pcrm__error(PCRM_EINVAL, "date: the period reaches outside years 1..9999");
	*out = days * 86400 - utc_offset;
	return PCRM_OK;
}

/* First and one-past-last day number of the period of `kind` holding `date`. */
static int period_days(const char *kind, pcrm_date date, int64_t *first, int64_t *end)
{
	int64_t days = pcrm_date_to_days(date);
	if (strcmp(kind, "day") == 0) {
		*first = days;
		*end = days + 1;
	} else if (strcmp(kind, "week") == 0) {
		*first = days - (pcrm_date_weekday(date) - 1);
		*end = *first + 7;
	} else if (strcmp(kind, "month") == 0) {
		*first = days - (date.day - 1);
		*end = *first + pcrm_days_in_month(date.year, date.month);
	} else {
		return pcrm__error(PCRM_EINVAL, "period: unknown kind (expected day, week or month)");
	}
	return PCRM_OK;
}

static int period_of(const char *kind, pcrm_date date, int utc_offset, pcrm_time *from,
                     pcrm_time *to, int64_t *first_day)
{
	int64_t first = 0, end = 0;
	int rc = period_days(kind, date, &first, &end);
	if (rc == PCRM_OK)
		rc = midnight(first, utc_offset, from);
	if (rc == PCRM_OK)
		rc = midnight(end, utc_offset, to);
	if (first_day)
		*first_day = first;
	return rc;
}

static int check_offset(int utc_offset)
{
	if (utc_offset < -PCRM__MAX_UTC_OFFSET || utc_offset > PCRM__MAX_UTC_OFFSET)
		return pcrm__error(PCRM_EINVAL, "utc_offset: %d is beyond +-18:00", utc_offset);
	return PCRM_OK;
}

int pcrm_complaint_period(const char *kind, const char *date, int utc_offset,
                          pcrm_time *period_from, pcrm_time *period_to)
{
	pcrm_date d;
	pcrm_time from, to;
	int rc;

	if (!period_from || !period_to)
		return pcrm__error(PCRM_EINVAL, "%s: is NULL", !period_from ? "period_from" : "period_to");
	if (!kind)
		return pcrm__error(PCRM_EINVAL, "period: missing (expected day, week or month)");
	rc = check_offset(utc_offset);
	if (rc == PCRM_OK && (!date || pcrm_date_parse(date, &d) != PCRM_OK))
		rc = pcrm__error(PCRM_EINVAL, "date: not a date YYYY-MM-DD");
	if (rc == PCRM_OK)
		rc = period_of(kind, d, utc_offset, &from, &to, NULL);
	if (rc != PCRM_OK)
		return rc;
	*period_from = from;
	*period_to = to;
	return PCRM_OK;
}

/* An optional string member of at most `max` bytes; NULL when absent. */
static int string_member(const json_t *doc, const char *name, size_t max, const char **out)
{
	const json_t *v = json_object_get(doc, name);
	int rc;
	*out = NULL;
	if (!v)
		return PCRM_OK;
	rc = pcrm__json_expect(name, v, JSON_STRING, "a string");
	if (rc == PCRM_OK && (json_string_length(v) == 0 || json_string_length(v) > max))
		rc = pcrm__error(PCRM_EINVAL, "%s: must be 1..%zu bytes", name, max);
	if (rc == PCRM_OK)
		*out = json_string_value(v);
	return rc;
}

static int instant_member(const json_t *doc, const char *name, pcrm_time *out)
{
	const char *s;
	int rc = string_member(doc, name, 64, &s);
	if (rc == PCRM_OK && !s)
		rc = pcrm__error(PCRM_EINVAL, "%s: missing (a custom period needs from and to)", name);
	if (rc == PCRM_OK && pcrm_time_parse(s, out) != PCRM_OK)
		rc = pcrm__error(PCRM_EINVAL, "%s: not an ISO 8601 instant with offset", name);
	return rc;
}

static int org_member(const json_t *doc, struct pcrm__report_request *r)
{
	const char *s;
	int rc = string_member(doc, "org_unit", ORG_CODE_MAX, &s);
	if (rc != PCRM_OK || !s)
		return rc;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return pcrm__error(PCRM_EINVAL, "org_unit: not an org unit code (letters, digits, "
			                                "'-', '_', '.')");
	snprintf(r->org_unit, sizeof(r->org_unit), "%s", s);
	return PCRM_OK;
}

static int limit_member(const json_t *doc, struct pcrm__report_request *r)
{
	const json_t *v = json_object_get(doc, "limit");
	int rc;
	r->limit = PCRM_COMPLAINT_REPORT_LIMIT;
	if (!v)
		return PCRM_OK;
	rc = pcrm__json_expect("limit", v, JSON_INTEGER, "an integer");
	if (rc == PCRM_OK && (json_integer_value(v) < 1 ||
	                      json_integer_value(v) > PCRM_COMPLAINT_REPORT_LIMIT_MAX))
		rc = pcrm__error(PCRM_EINVAL, "limit: must be 1..%d", PCRM_COMPLAINT_REPORT_LIMIT_MAX);
	if (rc == PCRM_OK)
		r->limit = (int)json_integer_value(v);
	return rc;
}

/* A day, week or month: the date names it, the period before is the one holding the day before. */
static int calendar_period(const json_t *doc, int utc_offset, struct pcrm__report_request *r)
{
	const char *s;
	pcrm_date d;
	int64_t first;
	int rc;

	if (json_object_get(doc, "from") || json_object_get(doc, "to"))
		return pcrm__error(PCRM_EINVAL, "%s: only for period \"custom\" (a %s is named by date)",
		                   json_object_get(doc, "from") ? "from" : "to", r->kind);
	rc = string_member(doc, "date", 10, &s);
	if (rc == PCRM_OK && !s)
		rc = pcrm__error(PCRM_EINVAL, "date: missing (YYYY-MM-DD inside the %s)", r->kind);
	if (rc == PCRM_OK && pcrm_date_parse(s, &d) != PCRM_OK)
		rc = pcrm__error(PCRM_EINVAL, "date: not a date YYYY-MM-DD");
	if (rc == PCRM_OK)
		rc = period_of(r->kind, d, utc_offset, &r->from, &r->to, &first);
	if (rc == PCRM_OK) {
		pcrm_date before = pcrm_date_from_days(first - 1);
		if (!pcrm_date_is_valid(before))
			return pcrm__error(PCRM_EINVAL, "date: the period before reaches outside years "
			                                "1..9999");
		rc = period_of(r->kind, before, utc_offset, &r->prev_from, &r->prev_to, NULL);
	}
	if (rc == PCRM_OK)
		snprintf(r->date, sizeof(r->date), "%s", s);
	return rc;
}

/* A custom span [from, to): the period before is as long and ends where it starts. */
static int custom_period(const json_t *doc, struct pcrm__report_request *r)
{
	int rc;
	if (json_object_get(doc, "date"))
		return pcrm__error(PCRM_EINVAL, "date: not for period \"custom\" (give from and to)");
	rc = instant_member(doc, "from", &r->from);
	if (rc == PCRM_OK)
		rc = instant_member(doc, "to", &r->to);
	if (rc == PCRM_OK && r->to <= r->from)
		rc = pcrm__error(PCRM_EINVAL, "to: not after from (the period is [from, to))");
	if (rc == PCRM_OK) {
		/* instants that parse lie within years 1..9999: no overflow here */
		r->prev_to = r->from;
		r->prev_from = r->from - (r->to - r->from);
	}
	return rc;
}

int pcrm__report_request_parse(const char *json, int utc_offset, struct pcrm__report_request *r)
{
	static const char *const keys[] = { "period", "date", "from", "to", "org_unit", "limit",
		                            NULL };
	static const char *const kinds[] = { "day", "week", "month", "custom", NULL };
	json_error_t err;
	json_t *doc = NULL;
	const char *kind = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = check_offset(utc_offset);
	if (rc != PCRM_OK)
		return rc;
	if (!json || strlen(json) > REQUEST_MAX)
		return pcrm__error(PCRM_EINVAL, "request: missing or larger than %d bytes", REQUEST_MAX);
	doc = json_loads(json, JSON_REJECT_DUPLICATES, &err);
	if (!doc)
		return pcrm__error(PCRM_EINVAL, "request: line %d column %d: %s", err.line, err.column,
		                   pcrm__json_error_text(&err));
	rc = pcrm__json_expect("request", doc, JSON_OBJECT, "an object");
	if (rc == PCRM_OK)
		rc = pcrm__json_check_keys("", doc, keys);
	if (rc == PCRM_OK)
		rc = string_member(doc, "period", 16, &kind);
	if (rc == PCRM_OK && !kind)
		rc = pcrm__error(PCRM_EINVAL, "period: missing (day, week, month or custom)");
	if (rc == PCRM_OK) {
		int known = 0;
		for (int i = 0; kinds[i]; i++)
			known |= strcmp(kind, kinds[i]) == 0;
		if (!known)
			rc = pcrm__error(PCRM_EINVAL, "period: unknown kind (day, week, month or custom)");
	}
	if (rc == PCRM_OK) {
		snprintf(r->kind, sizeof(r->kind), "%s", kind);
		rc = strcmp(kind, "custom") == 0 ? custom_period(doc, r)
		                                 : calendar_period(doc, utc_offset, r);
	}
	if (rc == PCRM_OK)
		rc = org_member(doc, r);
	if (rc == PCRM_OK)
		rc = limit_member(doc, r);
	json_decref(doc);
	return rc;
}
