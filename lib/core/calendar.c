/*
 * Business-calendar arithmetic: working days, working time, deadlines.
 *
 * Everything works on local days (day numbers at the calendar's fixed
 * offset) and seconds within them, never per second or minute.  A walk
 * visits a day at a time only near holidays and make-up days; between them
 * the weekly pattern repeats, so whole weeks are skipped with a
 * multiplication.  A long holiday range is skipped in one step.  Cost is
 * therefore about (number of holidays and make-up days crossed) + 14 days
 * per gap between them, whatever the duration.
 *
 * Edge semantics (docs/calendar-format.md):
 * - working intervals are half-open, [start, end): 12:00 is not working
 *   time in 08:30-12:00, but an addition that uses up its last second there
 *   ends at 12:00 and does not jump to the next interval's start;
 * - a start outside working hours (in a break, at night, on a holiday)
 *   counts from the next working moment;
 * - when nothing works within HORIZON_DAYS, the answer is PCRM_ENOTFOUND
 *   instead of an endless walk.
 */
#include <stdlib.h>

#include "calendar_internal.h"
#include "error.h"
#include "time_internal.h"

/* The longest run of days without working time a walk crosses: about ten years. */
#define HORIZON_DAYS 3660

static const struct pcrm__hours no_hours;

/* ---- lookups ---- */

const struct pcrm__day_range *pcrm__calendar_holiday(const pcrm_calendar *cal, int64_t day)
{
	size_t lo = 0, hi = cal->holiday_count;

	/* the first range starting after day; the one before it may contain day */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->holidays[mid].first <= day)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || cal->holidays[lo - 1].last < day)
		return NULL;
	return &cal->holidays[lo - 1];
}

/* Index of the first make-up day on or after day (make_up_count when none). */
static size_t make_up_from(const pcrm_calendar *cal, int64_t day)
{
	size_t lo = 0, hi = cal->make_up_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->make_ups[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct pcrm__make_up *make_up_on(const pcrm_calendar *cal, int64_t day)
{
	size_t i = make_up_from(cal, day);

	return i < cal->make_up_count && cal->make_ups[i].day == day ? &cal->make_ups[i] : NULL;
}

/*
 * The first day on or after `day` that is a holiday or a make-up day, or
 * INT64_MAX: until then the weekly pattern alone decides.
 */
static int64_t next_special(const pcrm_calendar *cal, int64_t day)
{
	int64_t best = INT64_MAX;
	size_t lo = 0, hi = cal->holiday_count, i;

	/* ranges are sorted and disjoint, so their ends ascend too */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->holidays[mid].last < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < cal->holiday_count)
		best = cal->holidays[lo].first > day ? cal->holidays[lo].first : day;
	i = make_up_from(cal, day);
	if (i < cal->make_up_count && cal->make_ups[i].day < best)
		best = cal->make_ups[i].day;
	return best;
}

static int weekday_index(int64_t day)
{
	/* day 0, 1970-01-01, was a Thursday: index 3 with Monday 0 */
	return (int)pcrm__floor_mod(day + 3, 7);
}

/* The working hours of a local day: none on a holiday, borrowed on a make-up day. */
static const struct pcrm__hours *hours_on(const pcrm_calendar *cal, int64_t day)
{
	const struct pcrm__make_up *m;

	if (pcrm__calendar_holiday(cal, day))
		return &no_hours;
	if ((m = make_up_on(cal, day)) != NULL)
		return &cal->week[m->hours_as];
	return &cal->week[weekday_index(day)];
}

/* Working seconds of h within [from, to), both seconds of the day. */
static int64_t worked(const struct pcrm__hours *h, int64_t from, int64_t to)
{
	int64_t sum = 0;

	for (int i = 0; i < h->count; i++) {
		int64_t s = h->iv[i].start > from ? h->iv[i].start : from;
		int64_t e = h->iv[i].end < to ? h->iv[i].end : to;
		if (e > s)
			sum += e - s;
	}
	return sum;
}

/*
 * The second of the day at which `need` working seconds after `from` have
 * passed; need > 0 and at most worked(h, from, 86400).  Using up an interval
 * exactly ends at its end, not at the next one's start.
 */
static int64_t reach(const struct pcrm__hours *h, int64_t from, int64_t need)
{
	for (int i = 0; i < h->count; i++) {
		int64_t s = h->iv[i].start > from ? h->iv[i].start : from;
		if (h->iv[i].end <= s)
			continue;
		if (need <= h->iv[i].end - s)
			return s + need;
		need -= h->iv[i].end - s;
	}
	return 86400; /* not reached when the caller keeps its promise */
}

/* ---- walking forward ---- */

struct walk {
	const pcrm_calendar *cal;
	const char *op;     /* for messages */
	int64_t day;        /* the local day being looked at */
	int64_t last_work;  /* the last day known to have working time (or the first day) */
};

static int no_work_left(const struct walk *w)
{
	return pcrm__error(PCRM_ENOTFOUND,
	                   "%s: calendar \"%s\" has no working time within %d days", w->op,
	                   w->cal->name, HORIZON_DAYS);
}

/*
 * Steps to the next day that may have working time: past a whole holiday
 * range at once, and straight to the next make-up day when no weekday has
 * working hours.  ENOTFOUND when no work is left within the horizon,
 * EOVERFLOW past 9999-12-31.
 */
static int next_day(struct walk *w)
{
	const struct pcrm__day_range *r;
	int64_t next;

	w->day++;
	if ((r = pcrm__calendar_holiday(w->cal, w->day)) != NULL) {
		w->day = r->last + 1;
	} else if (w->cal->week_total == 0 && !make_up_on(w->cal, w->day)) {
		if ((next = next_special(w->cal, w->day)) == INT64_MAX)
			return no_work_left(w);
		w->day = next;
	}
	if (w->day - w->last_work > HORIZON_DAYS)
		return no_work_left(w);
	if (w->day > PCRM__MAX_DAY)
		return pcrm__error(PCRM_EOVERFLOW, "%s: the result would fall after 9999-12-31",
		                   w->op);
	return PCRM_OK;
}

/*
 * Skips whole ordinary weeks after w->day: k weeks, none containing a
 * holiday or make-up day, each worth `per_week` of the units (seconds or
 * days) still `left` to find.  At least one unit is left over, so the walk
 * itself finds where the count ends.
 */
static void skip_weeks(struct walk *w, int64_t *left, int64_t per_week)
{
	int64_t limit, k;

	if (per_week <= 0 || *left <= per_week)
		return;
	limit = next_special(w->cal, w->day + 1);
	if (limit > PCRM__MAX_DAY + 1)
		limit = PCRM__MAX_DAY + 1;
	k = (limit - (w->day + 1)) / 7;
	if (k > (*left - 1) / per_week)
		k = (*left - 1) / per_week;
	if (k > 0) {
		w->day += 7 * k;
		w->last_work = w->day;
		*left -= k * per_week;
	}
}

/* Local seconds of an instant, or EINVAL naming the argument when it is outside years 1..9999. */
static int local_of(const pcrm_calendar *cal, const char *op, const char *name, pcrm_time t,
                    int64_t *day, int64_t *sod)
{
	int64_t local;

	if (t < PCRM__MIN_LOCAL - cal->utc_offset || t > PCRM__MAX_LOCAL - cal->utc_offset)
		return pcrm__error(PCRM_EINVAL, "%s: %s %lld is outside years 1..9999", op, name,
		                   (long long)t);
	local = t + cal->utc_offset;
	*day = pcrm__floor_div(local, 86400);
	*sod = local - *day * 86400;
	return PCRM_OK;
}

/*
 * Stores the instant of local day + second of the day, unless that is
 * 24:00 of 9999-12-31, the one result that leaves civil time.
 */
static int finish(const struct walk *w, int64_t sod, pcrm_time *out)
{
	int64_t local = w->day * 86400 + sod;

	if (local > PCRM__MAX_LOCAL)
		return pcrm__error(PCRM_EOVERFLOW, "%s: the result would fall after 9999-12-31",
		                   w->op);
	*out = local - w->cal->utc_offset;
	return PCRM_OK;
}

static int check_args(const char *op, const pcrm_calendar *cal, const void *out)
{
	if (!cal)
		return pcrm__error(PCRM_EINVAL, "%s: cal is NULL", op);
	if (!out)
		return pcrm__error(PCRM_EINVAL, "%s: out is NULL", op);
	return PCRM_OK;
}

/* ---- public ---- */

void pcrm_calendar_free(pcrm_calendar *cal)
{
	if (!cal)
		return;
	free(cal->name);
	free(cal->holidays);
	free(cal->make_ups);
	free(cal);
}

const char *pcrm_calendar_name(const pcrm_calendar *cal)
{
	return cal ? cal->name : NULL;
}

int pcrm_calendar_utc_offset(const pcrm_calendar *cal)
{
	return cal ? cal->utc_offset : 0;
}

int pcrm_calendar_is_working_day(const pcrm_calendar *cal, pcrm_date date)
{
	if (!cal || !pcrm_date_is_valid(date))
		return 0;
	return hours_on(cal, pcrm_date_to_days(date))->count > 0;
}

int pcrm_calendar_is_working_time(const pcrm_calendar *cal, pcrm_time t)
{
	const struct pcrm__hours *h;
	int64_t day, sod;

	if (!cal || t < PCRM__MIN_LOCAL - cal->utc_offset || t > PCRM__MAX_LOCAL - cal->utc_offset)
		return 0;
	day = pcrm__floor_div(t + cal->utc_offset, 86400);
	sod = t + cal->utc_offset - day * 86400;
	h = hours_on(cal, day);
	for (int i = 0; i < h->count; i++) {
		if (h->iv[i].start <= sod && sod < h->iv[i].end)
			return 1;
	}
	return 0;
}

int pcrm_calendar_add_working_seconds(const pcrm_calendar *cal, pcrm_time start,
                                      int64_t seconds, pcrm_time *out)
{
	const char *op = "add working seconds";
	struct walk w = { cal, op, 0, 0 };
	const struct pcrm__hours *h;
	int64_t sod = 0, avail, left = seconds;
	int rc;

	if ((rc = check_args(op, cal, out)) < 0)
		return rc;
	if (seconds < 0)
		return pcrm__error(PCRM_EINVAL, "%s: seconds %lld is negative", op, (long long)seconds);
	if ((rc = local_of(cal, op, "start", start, &w.day, &sod)) < 0)
		return rc;
	if (seconds == 0) {
		*out = start;
		return PCRM_OK;
	}
	w.last_work = w.day;
	for (;;) {
		h = hours_on(cal, w.day);
		if ((avail = worked(h, sod, 86400)) > 0) {
			if (left <= avail)
				return finish(&w, reach(h, sod, left), out);
			left -= avail;
			w.last_work = w.day;
		}
		skip_weeks(&w, &left, cal->week_total);
		if ((rc = next_day(&w)) < 0)
			return rc;
		sod = 0;
	}
}

int pcrm_calendar_add_working_days(const pcrm_calendar *cal, pcrm_time start, int days,
                                   pcrm_time *out)
{
	const char *op = "add working days";
	struct walk w = { cal, op, 0, 0 };
	const struct pcrm__hours *h;
	int64_t sod = 0, tod, left = days;
	int i, rc;

	if ((rc = check_args(op, cal, out)) < 0)
		return rc;
	if (days < 0)
		return pcrm__error(PCRM_EINVAL, "%s: days %d is negative", op, days);
	if ((rc = local_of(cal, op, "start", start, &w.day, &sod)) < 0)
		return rc;
	if (days == 0) {
		*out = start;
		return PCRM_OK;
	}
	/* the next working moment: the rest of an interval, a later one today, or a later day */
	w.last_work = w.day;
	for (;;) {
		h = hours_on(cal, w.day);
		for (i = 0; i < h->count && h->iv[i].end <= sod; i++)
			;
		if (i < h->count) {
			tod = h->iv[i].start > sod ? h->iv[i].start : sod;
			break;
		}
		if ((rc = next_day(&w)) < 0)
			return rc;
		sod = 0;
	}
	/* then count working days after that day */
	w.last_work = w.day;
	while (left > 0) {
		skip_weeks(&w, &left, cal->week_days);
		if ((rc = next_day(&w)) < 0)
			return rc;
		if (hours_on(cal, w.day)->count > 0) {
			left--;
			w.last_work = w.day;
		}
	}
	/* the same time of day when it is working time (or ends an interval) there */
	h = hours_on(cal, w.day);
	for (i = 0; i < h->count; i++) {
		if (h->iv[i].start <= tod && tod <= h->iv[i].end)
			break;
	}
	if (i == h->count)
		tod = h->iv[h->count - 1].end;
	return finish(&w, tod, out);
}

int pcrm_calendar_working_seconds_between(const pcrm_calendar *cal, pcrm_time from,
                                          pcrm_time to, int64_t *out)
{
	const char *op = "working seconds between";
	const struct pcrm__day_range *r;
	int64_t day_from = 0, sod_from = 0, day_to = 0, sod_to = 0, day, next, weeks, total;
	int rc;

	if ((rc = check_args(op, cal, out)) < 0)
		return rc;
	if ((rc = local_of(cal, op, "from", from, &day_from, &sod_from)) < 0 ||
	    (rc = local_of(cal, op, "to", to, &day_to, &sod_to)) < 0)
		return rc;
	if (to <= from) {
		*out = 0;
		return PCRM_OK;
	}
	if (day_from == day_to) {
		*out = worked(hours_on(cal, day_from), sod_from, sod_to);
		return PCRM_OK;
	}
	total = worked(hours_on(cal, day_from), sod_from, 86400);
	/* whole days in between: ordinary weeks by multiplication, holiday ranges in one step */
	day = day_from + 1;
	while (day < day_to) {
		if ((r = pcrm__calendar_holiday(cal, day)) != NULL) {
			day = r->last + 1;
			continue;
		}
		next = next_special(cal, day);
		if (next > day) {
			weeks = ((next < day_to ? next : day_to) - day) / 7;
			total += weeks * cal->week_total;
			day += 7 * weeks;
			if (day >= day_to)
				break;
		}
		total += hours_on(cal, day)->total;
		day++;
	}
	total += worked(hours_on(cal, day_to), 0, sod_to);
	*out = total;
	return PCRM_OK;
}
