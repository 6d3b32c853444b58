/*
 * A loaded tariff: accessors, reference counting, TOU period lookup, and the
 * usage object that bills are computed from.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "demand.h"
#include "tariff_internal.h"
#include "zone.h"

static const int64_t pow10[PCRM_DECIMAL_MAX_SCALE + 1] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
	10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000,
	1000000000000000, 10000000000000000, 100000000000000000, 1000000000000000000
};

int pcrm__to_fixed(const char *what, pcrm_decimal d, int scale, int64_t *out)
{
	int64_t f;

	if (d.scale < 0 || d.scale > PCRM_DECIMAL_MAX_SCALE)
		return pcrm__error(PCRM_EINVAL, "%s: scale %d is outside 0..%d", what, d.scale,
		                   PCRM_DECIMAL_MAX_SCALE);
	if (d.scale > scale) {
		f = pow10[d.scale - scale];
		if (d.units % f != 0)
			return pcrm__error(PCRM_EINVAL, "%s: more than %d digits after the point", what,
			                   scale);
		*out = d.units / f;
		return PCRM_OK;
	}
	/* every caller converts a value it was given: too large is bad input */
	if (__builtin_mul_overflow(d.units, pow10[scale - d.scale], out))
		return pcrm__error(PCRM_EINVAL, "%s: too large for %d decimals", what, scale);
	return PCRM_OK;
}

void pcrm__tariff_clear(pcrm_tariff *t)
{
	pcrm__demand_clear(t);
	free(t->id);
	free(t->usage_class);
	if (t->zone) {
		pcrm__zone_clear(t->zone);
		free(t->zone);
		t->zone = NULL;
	}
	for (size_t i = 0; i < PCRM_TARIFF_MAX_PERIODS; i++)
		free(t->periods[i]);
	for (size_t i = 0; i < PCRM_TARIFF_MAX_ITEMS; i++) {
		free(t->funds[i].code);
		free(t->funds[i].name);
		free(t->fixed[i].code);
		free(t->fixed[i].name);
	}
}

void pcrm__tariff_ref(pcrm_tariff *t)
{
	atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
}

void pcrm_tariff_free(pcrm_tariff *tariff)
{
	if (!tariff)
		return;
	if (atomic_fetch_sub_explicit(&tariff->refs, 1, memory_order_acq_rel) != 1)
		return;
	pcrm__tariff_clear(tariff);
	free(tariff);
}

const char *pcrm_tariff_id(const pcrm_tariff *tariff)
{
	return tariff ? tariff->id : NULL;
}

int64_t pcrm_tariff_version(const pcrm_tariff *tariff)
{
	return tariff ? tariff->version : 0;
}

const char *pcrm_tariff_currency(const pcrm_tariff *tariff)
{
	return tariff ? tariff->currency : NULL;
}

pcrm_date pcrm_tariff_effective_from(const pcrm_tariff *tariff)
{
	pcrm_date none = { 0, 0, 0 };
	return tariff ? tariff->from : none;
}

pcrm_date pcrm_tariff_effective_to(const pcrm_tariff *tariff)
{
	pcrm_date none = { 0, 0, 0 };
	return tariff && tariff->has_to ? tariff->to : none;
}

size_t pcrm_tariff_period_count(const pcrm_tariff *tariff)
{
	return tariff ? tariff->period_count : 0;
}

int pcrm__tariff_uses_year_to_date(const pcrm_tariff *t, int year_end)
{
	return t->tier_basis == PCRM__BASIS_ANNUAL || (t->has_min_annual && year_end);
}

const char *pcrm_tariff_period_name(const pcrm_tariff *tariff, size_t i)
{
	return tariff && i < tariff->period_count ? tariff->periods[i] : NULL;
}

int pcrm_tariff_period_at(const pcrm_tariff *tariff, pcrm_time t, const pcrm_calendar *cal,
                          int *out)
{
	pcrm_civil c;
	pcrm_date d;
	int rc, weekend;

	if (!tariff || !out)
		return pcrm__error(PCRM_EINVAL, "tariff period at: %s is NULL",
		                   tariff ? "out" : "tariff");
	if ((rc = pcrm_time_to_civil(t, tariff->zone ? pcrm__zone_offset_at(tariff->zone, t)
	                                              : tariff->utc_offset, &c)) < 0)
		return rc;
	d.year = c.year;
	d.month = c.month;
	d.day = c.day;
	if (cal && tariff->holidays_as_weekend)
		weekend = !pcrm_calendar_is_working_day(cal, d);
	else
		weekend = pcrm_date_weekday(d) >= 6;
	*out = pcrm__tariff_period(tariff, c.month, c.hour * 2 + c.minute / 30, weekend);
	return PCRM_OK;
}

/* ---- usage ---- */

int pcrm_usage_new(pcrm_usage **out)
{
	if (!out)
		return pcrm__error(PCRM_EINVAL, "usage new: out is NULL");
	if (!(*out = calloc(1, sizeof(**out))))
		return pcrm__error_oom();
	return PCRM_OK;
}

void pcrm_usage_free(pcrm_usage *usage)
{
	if (!usage)
		return;
	free(usage->intervals);
	free(usage->export_intervals);
	free(usage->prior);
	free(usage);
}

/* An energy argument: non-negative, at most 6 decimals. */
static int energy_arg(const char *what, pcrm_decimal d, int64_t *out)
{
	int rc;

	if ((rc = pcrm__to_fixed(what, d, PCRM__ENERGY_SCALE, out)) < 0)
		return rc;
	if (*out < 0)
		return pcrm__error(PCRM_EINVAL, "%s: negative", what);
	return PCRM_OK;
}

static int usage_check(const pcrm_usage *usage, const char *op)
{
	if (!usage)
		return pcrm__error(PCRM_EINVAL, "%s: usage is NULL", op);
	return PCRM_OK;
}

int pcrm_usage_set_total(pcrm_usage *usage, pcrm_decimal kwh)
{
	int rc;

	if ((rc = usage_check(usage, "usage set total")) < 0 ||
	    (rc = energy_arg("usage.total", kwh, &usage->total)) < 0)
		return rc;
	if (usage->interval_count || usage->period_count)
		return pcrm__error(PCRM_EINVAL, "usage.total: the usage already has %s",
		                   usage->interval_count ? "intervals" : "period registers");
	usage->has_total = 1;
	return PCRM_OK;
}

/* Sets the value of `period` in a per-period list (energies or demands). */
static int set_named(const char *list, struct pcrm__period_kwh *items, size_t *count,
                     const char *period, int64_t v)
{
	char q[PCRM_QUOTE_SIZE];
	size_t i;

	for (i = 0; i < *count; i++)
		if (strcmp(items[i].name, period) == 0)
			break;
	if (i == PCRM_TARIFF_MAX_PERIODS) {
		pcrm__quote(period, strlen(period), q, sizeof(q));
		return pcrm__error(PCRM_EINVAL, "usage.%s.%s: more than %d periods", list, q,
		                   PCRM_TARIFF_MAX_PERIODS);
	}
	if (i == *count) {
		memcpy(items[i].name, period, strlen(period) + 1);
		(*count)++;
	}
	items[i].kwh = v;
	return PCRM_OK;
}

/* A period name and a value for it: checked, then the value at ENERGY_SCALE. */
static int named_arg(const pcrm_usage *usage, const char *op, const char *what,
                     const char *period, pcrm_decimal value, int64_t *v)
{
	char q[PCRM_QUOTE_SIZE];
	int rc;

	if ((rc = usage_check(usage, op)) < 0)
		return rc;
	if (!period || !*period || strlen(period) > PCRM__NAME_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: a period name is 1..%d bytes", what,
		                   PCRM__NAME_MAX);
	if ((rc = energy_arg(what, value, v)) < 0) {
		pcrm__quote(period, strlen(period), q, sizeof(q));
		pcrm__error_prefix("\"%s\"", q);
	}
	return rc;
}

int pcrm_usage_set_period(pcrm_usage *usage, const char *period, pcrm_decimal kwh)
{
	char q[PCRM_QUOTE_SIZE];
	int64_t v = 0;
	int rc;

	if ((rc = named_arg(usage, "usage set period", "usage.periods", period, kwh, &v)) < 0)
		return rc;
	if (usage->interval_count || usage->has_total) {
		pcrm__quote(period, strlen(period), q, sizeof(q));
		return pcrm__error(PCRM_EINVAL, "usage.periods.%s: the usage already has %s", q,
		                   usage->has_total ? "a total" : "intervals");
	}
	return set_named("periods", usage->periods, &usage->period_count, period, v);
}

int pcrm_usage_set_period_demand(pcrm_usage *usage, const char *period, pcrm_decimal kw)
{
	int64_t v = 0;
	int rc;

	if ((rc = named_arg(usage, "usage set period demand", "usage.period_demand", period, kw,
	                    &v)) < 0)
		return rc;
	return set_named("period_demand", usage->demands, &usage->demand_count, period, v);
}

int pcrm_usage_set_reactive(pcrm_usage *usage, pcrm_decimal kvarh)
{
	int rc;

	if ((rc = usage_check(usage, "usage set reactive")) < 0 ||
	    (rc = energy_arg("usage.reactive", kvarh, &usage->reactive)) < 0)
		return rc;
	usage->has_reactive = 1;
	return PCRM_OK;
}

int pcrm_usage_set_max_demand(pcrm_usage *usage, pcrm_decimal kw)
{
	int rc;

	if ((rc = usage_check(usage, "usage set max demand")) < 0 ||
	    (rc = energy_arg("usage.max_demand", kw, &usage->max_demand)) < 0)
		return rc;
	usage->has_max_demand = 1;
	return PCRM_OK;
}

int pcrm_usage_add_interval(pcrm_usage *usage, pcrm_time start, int seconds, pcrm_decimal kwh)
{
	struct pcrm__interval *grown;
	int64_t v;
	int rc;

	if ((rc = usage_check(usage, "usage add interval")) < 0)
		return rc;
	if (seconds != 300 && seconds != 600 && seconds != 900 && seconds != 1800 &&
	    seconds != 3600)
		return pcrm__error(PCRM_EINVAL, "usage.intervals[%zu].seconds: %d is not 300, 600, "
		                   "900, 1800 or 3600", usage->interval_count, seconds);
	if ((rc = energy_arg("usage.intervals", kwh, &v)) < 0)
		return rc;
	if (usage->has_total || usage->period_count)
		return pcrm__error(PCRM_EINVAL, "usage.intervals: the usage already has %s",
		                   usage->has_total ? "a total" : "period registers");
	if (usage->interval_count == usage->interval_cap) {
		size_t cap = usage->interval_cap ? usage->interval_cap * 2 : 1024;
		if (cap > SIZE_MAX / sizeof(*grown) ||
		    !(grown = realloc(usage->intervals, cap * sizeof(*grown))))
			return pcrm__error_oom();
		usage->intervals = grown;
		usage->interval_cap = cap;
	}
	usage->intervals[usage->interval_count].start = start;
	usage->intervals[usage->interval_count].seconds = seconds;
	usage->intervals[usage->interval_count].kwh = v;
	usage->interval_count++;
	return PCRM_OK;
}
