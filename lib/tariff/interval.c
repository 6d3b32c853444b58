/*
 * Interval data into TOU periods: the energy of each period and the largest
 * average power of each period.
 *
 * The billing period is first cut into "pieces": stretches of UTC time that
 * lie in one local day with one UTC offset (one per day for a fixed offset;
 * two on a day whose clocks change).  Each piece knows its day's schedule
 * row, so an interval costs a subtraction (its local second of the day) and
 * a table lookup, not a civil-date conversion, and the calendar is asked
 * once per day, not once per interval.  Intervals usually come in order and
 * back to back: then an interval that starts where the previous one ended,
 * with the same length, in the same piece, is aligned because the previous
 * one was, and cannot overlap anything because nothing earlier ends after
 * it; only the first out-of-order interval switches to the overlap bitmap
 * (5-minute slots), filled from the intervals seen so far.  Energies are
 * summed in a register while the period stays the same.
 *
 * Errors are the ones of the per-interval conversion this replaced, for the
 * same first bad interval, in the same order of checks.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/time_internal.h"
#include "tariff_internal.h"
#include "zone.h"

/* An hour whose two half hours fall in different periods. */
#define SPLIT_HOUR 0xFF
/* Pieces kept on the stack (a month with two clock changes fits). */
#define PIECES_LOCAL 40

static void index_row(const unsigned char *half, unsigned char *hour, unsigned char *run_end)
{
	for (int h = 0; h < 24; h++)
		hour[h] = half[2 * h] == half[2 * h + 1] ? half[2 * h] : SPLIT_HOUR;
	run_end[PCRM__DAY_SLOTS - 1] = PCRM__DAY_SLOTS;
	for (int i = PCRM__DAY_SLOTS - 2; i >= 0; i--)
		run_end[i] = half[i] == half[i + 1] ? run_end[i + 1] : (unsigned char)(i + 1);
}

void pcrm__tariff_index_hours(pcrm_tariff *t)
{
	for (int m = 0; m < 12; m++) {
		index_row(t->weekday[m], t->weekday_hour[m], t->weekday_run_end[m]);
		index_row(t->weekend[m], t->weekend_hour[m], t->weekend_run_end[m]);
	}
}

struct piece {
	int64_t from, to; /* UTC instants [from, to) */
	int64_t base;     /* the UTC instant whose local time is this day's 00:00 */
	const unsigned char *half; /* period per half hour (NULL: outside the billing period) */
	const unsigned char *hour; /* period per hour, or SPLIT_HOUR */
	const unsigned char *run_end; /* per half hour: where its period's run ends */
};

struct pieces {
	struct piece *v;
	size_t n, cap;
	struct piece local[PIECES_LOCAL];
};

static int pieces_push(struct pieces *ps, const struct piece *p)
{
	if (ps->n == ps->cap) {
		size_t cap = ps->cap * 2;
		struct piece *grown = malloc(cap * sizeof(*grown));
		if (!grown)
			return pcrm__error_oom();
		memcpy(grown, ps->v, ps->n * sizeof(*grown));
		if (ps->v != ps->local)
			free(ps->v);
		ps->v = grown;
		ps->cap = cap;
	}
	ps->v[ps->n++] = *p;
	return PCRM_OK;
}

/*
 * The schedule rows of local day `day` (days since 1970-01-01, civil date
 * d).  The weekday comes from the day number (1970-01-01 was a Thursday),
 * and the caller steps d from day to day: a full date conversion per day
 * would cost more than summing its hourly intervals.
 */
static void day_rows(const pcrm_tariff *t, const pcrm_calendar *cal, int64_t day, pcrm_date d,
                     struct piece *p)
{
	int weekend, m = d.month - 1;

	if (cal && t->holidays_as_weekend)
		weekend = !pcrm_calendar_is_working_day(cal, d);
	else
		weekend = pcrm__floor_mod(day + 3, 7) >= 5; /* Saturday, Sunday */
	p->half = weekend ? t->weekend[m] : t->weekday[m];
	p->hour = weekend ? t->weekend_hour[m] : t->weekday_hour[m];
	p->run_end = weekend ? t->weekend_run_end[m] : t->weekday_run_end[m];
}

/* The civil date of `day`, stepped from the date of `prev_day` when it is the day after. */
static pcrm_date date_of(int64_t day, int64_t prev_day, pcrm_date prev)
{
	if (day != prev_day + 1 || prev.month == 0)
		return pcrm_date_from_days(day);
	if (prev.day < 28 || prev.day < pcrm_days_in_month(prev.year, prev.month)) {
		prev.day++;
		return prev;
	}
	prev.day = 1;
	if (++prev.month == 13) {
		prev.month = 1;
		prev.year++;
	}
	return prev;
}

/* Cuts local days [first_day, first_day + days) into pieces. */
static int make_pieces(const pcrm_tariff *t, const pcrm_calendar *cal, int64_t first_day,
                       int64_t days, struct pieces *ps)
{
	const struct pcrm__zone *z = t->zone;
	int64_t at, end, next, row_day = INT64_MIN, date_day = INT64_MIN;
	const unsigned char *half = NULL, *hour = NULL, *run_end = NULL;
	pcrm_date date = { 0, 0, 0 };
	int32_t off;
	int rc;

	ps->v = ps->local;
	ps->n = 0;
	ps->cap = PIECES_LOCAL;
	if (!z) {
		off = t->utc_offset;
		at = first_day * 86400 - off;
		end = (first_day + days) * 86400 - off;
		next = INT64_MAX;
	} else {
		at = pcrm__zone_local_start(z, first_day * 86400);
		end = pcrm__zone_local_start(z, (first_day + days) * 86400);
		off = pcrm__zone_offset_at(z, at);
		next = pcrm__zone_next_change(z, at);
	}
	while (at < end) {
		struct piece p;
		int64_t day;
		if (at >= next) {
			off = pcrm__zone_offset_at(z, at);
			next = pcrm__zone_next_change(z, at);
		}
		day = pcrm__floor_div(at + off, 86400);
		p.from = at;
		p.base = day * 86400 - off;
		p.to = p.base + 86400;
		if (p.to > next)
			p.to = next;
		if (p.to > end)
			p.to = end;
		if (day != row_day) {
			/* a clock change around midnight can give a piece of a day outside the period */
			if (day >= first_day && day < first_day + days) {
				date = date_of(day, date_day, date);
				date_day = day;
				day_rows(t, cal, day, date, &p);
			} else
				p.half = p.hour = p.run_end = NULL;
			half = p.half;
			hour = p.hour;
			run_end = p.run_end;
			row_day = day;
		}
		p.half = half;
		p.hour = hour;
		p.run_end = run_end;
		if ((rc = pieces_push(ps, &p)) < 0)
			return rc;
		at = p.to;
	}
	return PCRM_OK;
}

static void pieces_free(struct pieces *ps)
{
	if (ps->v != ps->local)
		free(ps->v);
}

/* The piece holding instant s, or NULL (pieces are contiguous and in order). */
static const struct piece *find_piece(const struct pieces *ps, int64_t s)
{
	size_t lo = 0, hi = ps->n;

	if (ps->n == 0 || s < ps->v[0].from || s >= ps->v[ps->n - 1].to)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (ps->v[mid].from <= s)
			lo = mid;
		else
			hi = mid;
	}
	return &ps->v[lo];
}

/* The intervals' local civil start, for messages. */
static int civil_of(const pcrm_tariff *t, int64_t s, pcrm_civil *c)
{
	return pcrm_time_to_civil(s, t->zone ? pcrm__zone_offset_at(t->zone, s) : t->utc_offset, c);
}

struct state {
	int64_t origin;        /* UTC start of the billing period (slot 0 of the bitmap) */
	unsigned char *used;   /* overlap bitmap, once intervals come out of order */
	size_t slots;
};

/* Marks interval iv's 5-minute slots; nonzero when one was taken already. */
static int mark(struct state *st, const struct pcrm__interval *iv)
{
	size_t slot = (size_t)((iv->start - st->origin) / 300), n = (size_t)iv->seconds / 300;

	for (size_t k = 0; k < n; k++, slot++) {
		if (st->used[slot / 8] & (1u << (slot % 8)))
			return 1;
		st->used[slot / 8] |= (unsigned char)(1u << (slot % 8));
	}
	return 0;
}

/* The first out-of-order interval: the bitmap, with every interval before `i`. */
static int start_bitmap(struct state *st, const struct pcrm__interval *ivs, size_t i,
                        int64_t end)
{
	st->slots = (size_t)((end - st->origin) / 300) + 13;
	if (!(st->used = calloc((st->slots + 7) / 8, 1)))
		return pcrm__error_oom();
	for (size_t j = 0; j < i; j++)
		(void)mark(st, &ivs[j]); /* each began after all before it ended: no overlap */
	return PCRM_OK;
}

/*
 * The run of intervals in one period so far: its energy and largest demand
 * stay in registers until the period changes.  `room` is what the period's
 * total can still take, so a sum that would overflow fails at the same
 * interval as adding one interval at a time did.
 */
struct run {
	size_t p;
	uint64_t kwh, room;
	int64_t kw;
	size_t n;
};

static void run_start(struct run *r, const struct pcrm__interval_totals *o, size_t p)
{
	r->p = p;
	r->kwh = 0;
	r->room = (uint64_t)(INT64_MAX - o->energy[p]);
	r->kw = 0;
	r->n = 0;
}

static void run_flush(const struct run *r, struct pcrm__interval_totals *o)
{
	if (!r->n)
		return;
	o->energy[r->p] += (int64_t)r->kwh;
	if (!o->has_period_demand[r->p] || r->kw > o->period_demand[r->p])
		o->period_demand[r->p] = r->kw;
	o->has_period_demand[r->p] = 1;
	if (!o->has_max_demand || r->kw > o->max_demand)
		o->max_demand = r->kw;
	o->has_max_demand = 1;
}

/* One channel of interval data: the imports or the exports, named as errors name them. */
struct channel {
	const struct pcrm__interval *iv;
	size_t count;
	const char *name; /* "usage.intervals" */
	const char *noun; /* "interval" */
};

/*
 * The fast lane: after interval i (checked in full, period run.p, local
 * second `sod` of piece pc), the intervals that follow it back to back with
 * the same length and stay in the same period (within its piece, or on
 * through midnight into following days of the same offset) need none of the
 * checks: each is aligned and overlaps nothing because the one before it
 * did not, and its period is the run's.  They are only summed.  Returns the
 * index of the last interval taken; stops before one whose energy would
 * overflow the period's total, so the full checks report it.
 */
static size_t back_to_back(const struct channel *ch, size_t i, const struct piece *pc,
                           const struct piece *pend, int64_t sod, struct run *run,
                           int64_t *prev_end, int64_t *max_end, int *rc)
{
	static const int64_t per_hour[13] = { 0, 12, 6, 4, 0, 0, 2, 0, 0, 0, 0, 0, 1 };
	const struct pcrm__interval *iv = ch->iv;
	int32_t seconds = iv[i].seconds;
	int64_t end_sod = (int64_t)pc->run_end[sod / 1800] * 1800, expect = iv[i].start + seconds;
	int64_t kw, biggest = 0;
	uint64_t left = run->room - run->kwh, sum = 0, bound;
	size_t j = i + 1, last;

	if (pc->to - pc->base < end_sod)
		end_sod = pc->to - pc->base;
	/*
	 * A period that runs through midnight into a day with the same offset
	 * goes on in the next piece (local seconds past 86400 on this base).
	 */
	for (const struct piece *next = pc + 1, *at = pc;
	     next < pend && end_sod == at->to - pc->base && next->from == at->to &&
	     next->base == at->base + 86400 && next->half && next->half[0] == run->p;
	     at = next++) {
		end_sod = next->base - pc->base + (int64_t)next->run_end[0] * 1800;
		if (next->to - pc->base < end_sod)
			end_sod = next->to - pc->base;
	}
	if (end_sod - sod < 2 * (int64_t)seconds)
		return i; /* no room for a second one */
	/* the last one that ends by end_sod (interval i ends by then: it was checked) */
	last = i + (size_t)((end_sod - sod) / seconds) - 1;
	if (last >= ch->count)
		last = ch->count - 1;
	/*
	 * Summed without a check per interval: below, the largest value times
	 * the count bounds the sum; only when that bound does not fit (values
	 * near 2^63 / 288) is the run summed again one checked step at a time.
	 */
	for (; j <= last; j++, expect += seconds) {
		int64_t kwh = iv[j].kwh;
		if ((iv[j].start != expect) | (iv[j].seconds != seconds))
			break;
		sum += (uint64_t)kwh;
		biggest = kwh > biggest ? kwh : biggest;
	}
	if (j > i + 1 && (__builtin_mul_overflow((uint64_t)biggest, (uint64_t)(j - i - 1), &bound) ||
	                  bound > left)) {
		size_t taken = i + 1;
		for (sum = 0, biggest = 0; taken < j && (uint64_t)iv[taken].kwh <= left - sum; taken++) {
			sum += (uint64_t)iv[taken].kwh;
			biggest = iv[taken].kwh > biggest ? iv[taken].kwh : biggest;
		}
		j = taken; /* stops before the one that overflows: the full checks report it */
		expect = iv[i].start + (int64_t)(j - i) * seconds;
	}
	if (j == i + 1)
		return i;
	if (__builtin_mul_overflow(biggest, per_hour[seconds / 300], &kw)) {
		/* report the first one, as one at a time would have */
		for (size_t k = i + 1; k < j; k++)
			if (__builtin_mul_overflow(iv[k].kwh, per_hour[seconds / 300], &kw)) {
				*rc = pcrm__error(PCRM_EOVERFLOW, "%s[%zu]: demand too large", ch->name,
				                  k);
				return k;
			}
	}
	run->kwh += sum;
	if (kw > run->kw)
		run->kw = kw;
	run->n += j - i - 1;
	*prev_end = expect;
	if (expect > *max_end)
		*max_end = expect;
	return j - 1;
}

static int channel_to_periods(const pcrm_tariff *t, const struct channel *ch,
                              int64_t first_day, int64_t days, const pcrm_calendar *cal,
                              struct pcrm__interval_totals *out)
{
	/* kW per kWh for an interval of k x 5 minutes (only 1, 2, 3, 6, 12 occur) */
	static const int64_t per_hour[13] = { 0, 12, 6, 4, 0, 0, 2, 0, 0, 0, 0, 0, 1 };
	struct pieces ps;
	struct state st;
	const struct piece *pc;
	int64_t prev_end = INT64_MIN, max_end = INT64_MIN;
	int32_t prev_seconds = 0;
	struct run run;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = make_pieces(t, cal, first_day, days, &ps)) < 0) {
		pieces_free(&ps);
		return rc;
	}
	run_start(&run, out, 0);
	st.origin = ps.n ? ps.v[0].from : 0;
	st.used = NULL;
	pc = ps.n ? &ps.v[0] : NULL;
	for (size_t i = 0; i < ch->count; i++) {
		const struct pcrm__interval *iv = &ch->iv[i];
		int64_t s = iv->start, sod, kw;
		int32_t seconds = iv->seconds;
		size_t p;

		if (!pc || s < pc->from || s >= pc->to || !pc->half) {
			pcrm_civil c;
			/* in order, the next interval is mostly in the next piece */
			if (pc && pc + 1 < ps.v + ps.n && s >= pc[1].from && s < pc[1].to)
				pc++;
			else
				pc = find_piece(&ps, s);
			if (!pc || !pc->half) {
				if ((rc = civil_of(t, s, &c)) < 0) {
					pcrm__error_prefix("%s[%zu].start", ch->name, i);
					goto done;
				}
				rc = pcrm__error(PCRM_EINVAL, "%s[%zu].start: %04d-%02d-%02d %02d:%02d is "
				                 "outside the billing period", ch->name, i, c.year, c.month,
				                 c.day, c.hour, c.minute);
				goto done;
			}
			prev_end = INT64_MIN; /* a new piece: check the alignment again */
		}
		sod = s - pc->base;
		if ((s != prev_end || seconds != prev_seconds) && sod % seconds != 0) {
			rc = pcrm__error(PCRM_EINVAL, "%s[%zu].start: %02d:%02d:%02d is not aligned to "
			                 "its %d seconds", ch->name, i, (int)(sod / 3600),
			                 (int)(sod / 60 % 60), (int)(sod % 60), seconds);
			goto done;
		}
		if (s < max_end || st.used) {
			if (!st.used && (rc = start_bitmap(&st, ch->iv, i, ps.v[ps.n - 1].to)) < 0)
				goto done;
			if (mark(&st, iv)) {
				rc = pcrm__error(PCRM_EINVAL, "%s[%zu]: overlaps an earlier %s", ch->name, i,
				                 ch->noun);
				goto done;
			}
		}
		prev_end = s + seconds;
		prev_seconds = seconds;
		if (prev_end > max_end)
			max_end = prev_end;
		if (seconds == 3600) {
			p = pc->hour[sod / 3600];
			/* an hour whose half hours lie in two periods cannot be split without guessing */
			if (p == SPLIT_HOUR) {
				int h = (int)(sod / 3600);
				rc = pcrm__error(PCRM_EINVAL, "%s[%zu]: %02d:00-%02d:00 spans two TOU periods "
				                 "(%s, %s); give intervals of 30 minutes or less", ch->name,
				                 i, h, h + 1, t->periods[pc->half[2 * h]],
				                 t->periods[pc->half[2 * h + 1]]);
				goto done;
			}
		} else {
			p = pc->half[sod / 1800];
		}
		if (p != run.p) {
			run_flush(&run, out);
			run_start(&run, out, p);
		}
		/* both are below 2^63: the unsigned sum cannot wrap */
		if ((run.kwh += (uint64_t)iv->kwh) > run.room) {
			rc = pcrm__error(PCRM_EOVERFLOW, "bill: a sum does not fit in 64 bits");
			goto done;
		}
		if (__builtin_mul_overflow(iv->kwh, per_hour[seconds / 300], &kw)) {
			rc = pcrm__error(PCRM_EOVERFLOW, "%s[%zu]: demand too large", ch->name, i);
			goto done;
		}
		if (kw > run.kw)
			run.kw = kw;
		run.n++;
		if (!st.used)
			i = back_to_back(ch, i, pc, ps.v + ps.n, sod, &run, &prev_end, &max_end, &rc);
		if (rc < 0)
			goto done;
	}
	run_flush(&run, out);
	rc = PCRM_OK;
done:
	free(st.used);
	pieces_free(&ps);
	return rc;
}

int pcrm__intervals_to_periods(const pcrm_tariff *t, const pcrm_usage *u, int64_t first_day,
                               int64_t days, const pcrm_calendar *cal,
                               struct pcrm__interval_totals *out)
{
	const struct channel ch = { u->intervals, u->interval_count, "usage.intervals",
		                    "interval" };
	return channel_to_periods(t, &ch, first_day, days, cal, out);
}

int pcrm__export_intervals_to_periods(const pcrm_tariff *t, const pcrm_usage *u,
                                      int64_t first_day, int64_t days, const pcrm_calendar *cal,
                                      struct pcrm__interval_totals *out)
{
	const struct channel ch = { u->export_intervals, u->export_interval_count,
		                    "usage.export_intervals", "export interval" };
	return channel_to_periods(t, &ch, first_day, days, cal, out);
}
