/*
 * Bill computation: a pure function from (tariff, customer, period, usage)
 * to itemised lines (docs/tariff-format.md, "How a bill is computed").
 *
 * Internally energies are integers in micro-kWh and prices in 1e-8 of the
 * currency unit (the loader and the usage setters refuse more digits), so
 * every product is an exact 128-bit integer that is rounded once, per line,
 * to the fen.  The total is the sum of the rounded lines.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "demand.h"
#include "tariff_internal.h"

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define E6 INT64_C(1000000)
#define E8 INT64_C(100000000)
/* energy x price -> money: 10^(6 + 8 - 2) */
#define EP_TO_MONEY INT64_C(1000000000000)

/* Largest energy accepted by the power-factor computation (P^2 + Q^2 must stay in 128 bits). */
#define PF_MAX_UNITS (INT64_C(1) << 55)

/* a / b for a 128-bit a and a 64-bit b, with remainder; 64-bit division when a fits. */
static inline __attribute__((always_inline)) u128 divmod(u128 a, uint64_t b, uint64_t *rem)
{
	if (a >> 64 == 0) {
		*rem = (uint64_t)a % b;
		return (uint64_t)a / b;
	}
	*rem = (uint64_t)(a % b);
	return a / b;
}

/*
 * round(a * b * num / (d1 * d2)) into *out, d1 and d2 > 0, computed exactly:
 * the product is divided by d1 and then by d2 (so the divisions stay 128 by
 * 64 bits, mostly 64 by 64), and the two remainders decide the rounding,
 * since the dropped fraction is (r2 * d1 + r1) / (d1 * d2).  PCRM_EOVERFLOW
 * when the product or the result does not fit.
 */
static inline __attribute__((always_inline)) int frac_round(int64_t a, int64_t b, int64_t num,
                                                          int64_t d1, int64_t d2,
                      pcrm_rounding mode, int64_t *out)
{
	i128 x = (i128)a * b, y;
	const i128 small = (i128)INT64_MAX;
	uint64_t r1, r2;
	u128 mag, q, frac2, whole;
	int neg, up = 0;

	*out = 0; /* defined on failure too (the callers then return the status) */
	/* both factors below 2^63: the product fits in 126 bits, no check needed */
	if (x <= small && x >= -small)
		y = x * num;
	else if (__builtin_mul_overflow(x, (i128)num, &y))
		return pcrm__error(PCRM_EOVERFLOW, "bill: an amount does not fit (energy or price "
		                   "too large)");
	neg = y < 0;
	mag = neg ? (u128)0 - (u128)y : (u128)y;
	q = divmod(divmod(mag, (uint64_t)d1, &r1), (uint64_t)d2, &r2);
	if (r1 != 0 || r2 != 0) {
		frac2 = 2 * ((u128)r2 * (uint64_t)d1 + r1); /* twice the dropped part, in 1/(d1 d2) */
		whole = (u128)(uint64_t)d1 * (uint64_t)d2;
		switch (mode) {
		case PCRM_ROUND_HALF_UP: up = frac2 >= whole; break;
		case PCRM_ROUND_HALF_EVEN: up = frac2 > whole || (frac2 == whole && (q & 1)); break;
		case PCRM_ROUND_DOWN: up = 0; break;
		case PCRM_ROUND_UP: up = 1; break;
		case PCRM_ROUND_CEILING: up = !neg; break;
		case PCRM_ROUND_FLOOR: up = neg; break;
		}
	}
	q += (u128)up;
	if (q > (u128)INT64_MAX)
		return pcrm__error(PCRM_EOVERFLOW, "bill: an amount does not fit in 64 bits");
	*out = neg ? -(int64_t)q : (int64_t)q;
	return PCRM_OK;
}

int pcrm__frac_round(int64_t a, int64_t b, int64_t num, int64_t d1, int64_t d2,
                     pcrm_rounding mode, int64_t *out)
{
	return frac_round(a, b, num, d1, d2, mode, out);
}

static int add64(int64_t a, int64_t b, int64_t *out)
{
	if (__builtin_add_overflow(a, b, out))
		return pcrm__error(PCRM_EOVERFLOW, "bill: a sum does not fit in 64 bits");
	return PCRM_OK;
}

/* A decimal for display: trailing zeros dropped down to min_scale digits. */
static pcrm_decimal trim(int64_t units, int scale, int min_scale)
{
	while (scale > min_scale && units % 10 == 0) {
		units /= 10;
		scale--;
	}
	return pcrm_decimal_make(units, scale);
}

pcrm_decimal pcrm__trim(int64_t units, int scale, int min_scale)
{
	return trim(units, scale, min_scale);
}

/* ---- power factor and late fee (pure helpers, public) ---- */

static int pf_hundredths(int64_t p, int64_t q)
{
	u128 pp = (u128)p * (u128)p;
	u128 s = pp + (u128)q * (u128)q;

	/* largest r with P / sqrt(P^2 + Q^2) >= (r - 0.5) / 100, i.e. 40000 P^2 >= (2r-1)^2 (P^2+Q^2) */
	for (int r = 100; r >= 1; r--) {
		unsigned k = (unsigned)(2 * r - 1);
		if (pp * 40000u >= s * (k * k))
			return r;
	}
	return 0;
}

static int pf_units(const char *what, pcrm_decimal d, int64_t *out)
{
	int rc;

	if ((rc = pcrm__to_fixed(what, d, PCRM__ENERGY_SCALE, out)) < 0)
		return rc;
	if (*out < 0)
		return pcrm__error(PCRM_EINVAL, "%s: negative", what);
	if (*out >= PF_MAX_UNITS)
		return pcrm__error(PCRM_EOVERFLOW, "%s: above 3.6e10, too large for the power factor",
		                   what);
	return PCRM_OK;
}

int pcrm_power_factor(pcrm_decimal kwh, pcrm_decimal kvarh, pcrm_decimal *out)
{
	int64_t p, q;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "power factor: out is NULL");
	if ((rc = pf_units("power factor: kwh", kwh, &p)) < 0 ||
	    (rc = pf_units("power factor: kvarh", kvarh, &q)) < 0)
		return rc;
	if (p == 0 && q == 0)
		return pcrm__error(PCRM_EINVAL, "power factor: no energy at all, the power factor is "
		                   "undefined");
	*out = pcrm_decimal_make(pf_hundredths(p, q), 2);
	return PCRM_OK;
}

/* The 1983 table as a rate in 1e-4 (200 = +2 %), for r hundredths and standard s. */
static int64_t pf_rate(int r, int s)
{
	int d = s - r;

	if (d > 0) /* below the standard: 0.5 % per 0.01 for 20 steps, then 1 %, then 2 % */
		return d <= 20 ? d * 50 : d <= 25 ? 1000 + (d - 20) * 100 : 1500 + (d - 25) * 200;
	switch (s) {
	case 90: return r <= 94 ? -(r - 90) * 15 : -75;
	case 85: return r <= 90 ? -(r - 85) * 10 : r <= 93 ? -(50 + (r - 90) * 15) : -110;
	default: return r <= 90 ? -(r - 80) * 10 : r == 91 ? -115 : -130;
	}
}

int pcrm_power_factor_rate(pcrm_decimal pf, int standard, pcrm_decimal *out)
{
	int64_t r;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "power factor rate: out is NULL");
	if (standard != 90 && standard != 85 && standard != 80)
		return pcrm__error(PCRM_EINVAL, "power factor rate: standard %d is not 90, 85 or 80",
		                   standard);
	if ((rc = pcrm__to_fixed("power factor rate: pf", pf, 2, &r)) < 0)
		return rc;
	if (r < 0 || r > 100)
		return pcrm__error(PCRM_EINVAL, "power factor rate: pf is outside 0..1");
	*out = pcrm_decimal_make(pf_rate((int)r, standard), 4);
	return PCRM_OK;
}

int pcrm_late_fee(pcrm_decimal current_year, pcrm_decimal earlier_years, int days,
                  int residential, pcrm_decimal *out)
{
	pcrm_decimal a, b, sum, fee;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "late fee: out is NULL");
	if (days < 0)
		return pcrm__error(PCRM_EINVAL, "late fee: days %d is negative", days);
	if (pcrm_decimal_sign(current_year) < 0 || pcrm_decimal_sign(earlier_years) < 0)
		return pcrm__error(PCRM_EINVAL, "late fee: arrears are negative");
	/* per mille per day: residential 1 on everything; others 2 this year, 3 earlier years */
	if ((rc = pcrm_decimal_mul(current_year, pcrm_decimal_from_int((int64_t)days *
	                           (residential ? 1 : 2)), &a)) < 0 ||
	    (rc = pcrm_decimal_mul(earlier_years, pcrm_decimal_from_int((int64_t)days *
	                           (residential ? 1 : 3)), &b)) < 0 ||
	    (rc = pcrm_decimal_add(a, b, &sum)) < 0 ||
	    (rc = pcrm_decimal_div(sum, pcrm_decimal_from_int(1000), 2, PCRM_ROUND_HALF_UP,
	                           &fee)) < 0)
		return rc;
	if (pcrm_decimal_sign(sum) > 0 && fee.units < 100)
		fee = pcrm_decimal_make(100, 2); /* a penalty below 1 yuan is charged as 1 yuan */
	*out = fee;
	return PCRM_OK;
}

/* ---- the bill ---- */

struct calc {
	const pcrm_tariff *t;
	const pcrm_bill_customer *c;
	const pcrm_usage *u;
	const pcrm_calendar *cal;
	pcrm_date start, end;
	int64_t first_day, days;
	int month;
	int64_t energy[PCRM_TARIFF_MAX_PERIODS]; /* ENERGY_SCALE */
	int64_t total;
	int has_max_demand;
	int64_t max_demand;
	int has_period_demand[PCRM_TARIFF_MAX_PERIODS];
	int64_t period_demand[PCRM_TARIFF_MAX_PERIODS]; /* max kW within each period */
	int64_t exported[PCRM_TARIFF_MAX_PERIODS]; /* ENERGY_SCALE, the usage's exports */
	int64_t credited[PCRM_TARIFF_MAX_PERIODS]; /* ENERGY_SCALE, kWh credited at the sell price */
	int64_t credit_carried;                    /* MONEY_SCALE */
	pcrm_bill *bill;
};

pcrm_bill_line *pcrm__bill_add_line(pcrm_bill *b, pcrm_bill_line_kind kind, const char *code,
                                    const char *unit)
{
	pcrm_bill_line *l = &b->lines[b->count++];

	memset(l, 0, sizeof(*l));
	l->kind = kind;
	l->code = code;
	l->unit = unit;
	return l;
}

static pcrm_bill_line *add_line(struct calc *k, pcrm_bill_line_kind kind, const char *code,
                                const char *unit)
{
	return pcrm__bill_add_line(k->bill, kind, code, unit);
}

static void set_money(pcrm_bill_line *l, int64_t amount)
{
	l->amount = pcrm_decimal_make(amount, PCRM__MONEY_SCALE);
}

/* Sums the amounts of lines [from, to). */
static int sum_lines(const pcrm_bill *b, size_t from, size_t to, int64_t *out)
{
	int64_t s = 0;
	int rc;

	for (size_t i = from; i < to; i++)
		if ((rc = add64(s, b->lines[i].amount.units, &s)) < 0)
			return rc;
	*out = s;
	return PCRM_OK;
}

static int customer_check(const struct calc *k)
{
	const pcrm_bill_customer *c = k->c;
	const pcrm_tariff *t = k->t;
	static const char *const fields[] = {
		"customer.contract_capacity_kva", "customer.contract_demand_kw", "customer.ytd_kwh",
		"customer.ytd_amount"
	};
	const pcrm_decimal *values[4];
	int64_t v;
	int rc;

	if (c->household_size < 0 || c->household_size > 1000)
		return pcrm__error(PCRM_EINVAL, "customer.household_size: %d is outside 0..1000",
		                   c->household_size);
	if (c->pf_standard != 0 && c->pf_standard != 80 && c->pf_standard != 85 &&
	    c->pf_standard != 90)
		return pcrm__error(PCRM_EINVAL, "customer.pf_standard: %d is not 90, 85, 80 or 0 "
		                   "(none)", c->pf_standard);
	if (c->usage_class && t->usage_class && strcmp(c->usage_class, t->usage_class) != 0) {
		char q[PCRM_QUOTE_SIZE];
		pcrm__quote(c->usage_class, strlen(c->usage_class), q, sizeof(q));
		return pcrm__error(PCRM_EINVAL, "customer.usage_class: \"%s\" is not the tariff's "
		                   "\"%s\"", q, t->usage_class);
	}
	values[0] = &c->contract_capacity_kva;
	values[1] = &c->contract_demand_kw;
	values[2] = &c->ytd_kwh;
	values[3] = &c->ytd_amount;
	for (int i = 0; i < 4; i++) {
		if ((rc = pcrm__to_fixed(fields[i], *values[i], i == 3 ? PCRM__MONEY_SCALE
		                                                       : PCRM__ENERGY_SCALE, &v)) < 0)
			return rc;
		if (v < 0)
			return pcrm__error(PCRM_EINVAL, "%s: negative", fields[i]);
	}
	return PCRM_OK;
}

static int period_check(struct calc *k)
{
	const pcrm_tariff *t = k->t;
	char a[16], b[16];
	int64_t last;

	if (!pcrm_date_is_valid(k->start) || !pcrm_date_is_valid(k->end))
		return pcrm__error(PCRM_EINVAL, "period.%s: not a valid date",
		                   pcrm_date_is_valid(k->start) ? "end" : "start");
	k->first_day = pcrm_date_to_days(k->start);
	last = pcrm_date_to_days(k->end);
	k->days = last - k->first_day + 1;
	if (k->days < 1 || k->days > 366 || k->first_day < pcrm_date_to_days(t->from) ||
	    (t->has_to && last > pcrm_date_to_days(t->to))) {
		snprintf(a, sizeof(a), "%04d-%02d-%02d", k->start.year, k->start.month, k->start.day);
		snprintf(b, sizeof(b), "%04d-%02d-%02d", k->end.year, k->end.month, k->end.day);
		if (k->days < 1 || k->days > 366)
			return pcrm__error(PCRM_EINVAL, "period: %s .. %s is not 1..366 days", a, b);
		if (k->first_day < pcrm_date_to_days(t->from))
			return pcrm__error(PCRM_EINVAL, "period.start: %s is before the tariff's "
			                   "effective_from", a);
		return pcrm__error(PCRM_EINVAL, "period.end: %s is after the tariff's effective_to", b);
	}
	k->month = k->start.month;
	return PCRM_OK;
}

/* Interval data: each interval into the TOU period of its local start (interval.c). */
static int intervals_to_periods(struct calc *k)
{
	struct pcrm__interval_totals sums;
	int rc;

	if ((rc = pcrm__intervals_to_periods(k->t, k->u, k->first_day, k->days, k->cal,
	                                     &sums)) < 0)
		return rc;
	memcpy(k->energy, sums.energy, sizeof(k->energy));
	k->has_max_demand = sums.has_max_demand;
	k->max_demand = sums.max_demand;
	memcpy(k->has_period_demand, sums.has_period_demand, sizeof(k->has_period_demand));
	memcpy(k->period_demand, sums.period_demand, sizeof(k->period_demand));
	return PCRM_OK;
}

/* The index of the tariff period a usage entry names (usage.LIST.NAME in the error). */
static int tariff_period(const pcrm_tariff *t, const char *list, const char *name, size_t *out)
{
	char q[PCRM_QUOTE_SIZE];
	size_t p = 0;

	while (p < t->period_count && strcmp(t->periods[p], name) != 0)
		p++;
	if (p == t->period_count) {
		pcrm__quote(name, strlen(name), q, sizeof(q));
		return pcrm__error(PCRM_EINVAL, "usage.%s.%s: not a period of tariff %s", list, q,
		                   t->id);
	}
	*out = p;
	return PCRM_OK;
}

static int usage_to_periods(struct calc *k)
{
	const pcrm_usage *u = k->u;
	const pcrm_tariff *t = k->t;
	size_t p;
	int rc;

	if (u->interval_count) {
		if ((rc = intervals_to_periods(k)) < 0)
			return rc;
	} else if (u->period_count) {
		for (size_t i = 0; i < u->period_count; i++) {
			if ((rc = tariff_period(t, "periods", u->periods[i].name, &p)) < 0)
				return rc;
			k->energy[p] = u->periods[i].kwh;
		}
	} else if (u->has_total) {
		if (t->period_count != 1)
			return pcrm__error(PCRM_EINVAL, "usage.total: tariff %s has %zu time-of-use "
			                   "periods; give the energy per period or interval data",
			                   t->id, t->period_count);
		k->energy[0] = u->total;
	}
	if (u->has_max_demand) {
		k->has_max_demand = 1;
		k->max_demand = u->max_demand;
	}
	/* with a demand schedule of its own, demand.c reads the period demands */
	for (size_t i = 0; !(t->demand && t->demand->has_schedule) && i < u->demand_count; i++) {
		if ((rc = tariff_period(t, "period_demand", u->demands[i].name, &p)) < 0)
			return rc;
		k->has_period_demand[p] = 1;
		k->period_demand[p] = u->demands[i].kwh;
	}
	k->total = 0;
	for (p = 0; p < t->period_count; p++)
		if ((rc = add64(k->total, k->energy[p], &k->total)) < 0)
			return rc;
	return PCRM_OK;
}

/*
 * Net metering nets imports and exports per TOU period: a period's net
 * import is billed, its net export credited.  Net billing bills every
 * import and credits every export.
 */
static int net_energy(struct calc *k)
{
	const pcrm_tariff *t = k->t;
	int rc;

	if ((rc = pcrm__usage_exports(t, k->u, k->cal, k->start, k->days, k->exported)) < 0)
		return rc;
	if (t->net_mode == PCRM__NET_NONE)
		return PCRM_OK;
	k->total = 0;
	for (size_t p = 0; p < t->period_count; p++) {
		if (t->net_mode == PCRM__NET_METERING) {
			int64_t net = k->energy[p] - k->exported[p]; /* both in 0..INT64_MAX */
			k->energy[p] = net > 0 ? net : 0;
			k->credited[p] = net < 0 ? -net : 0;
		} else {
			k->credited[p] = k->exported[p];
		}
		if ((rc = add64(k->total, k->energy[p], &k->total)) < 0)
			return rc;
	}
	return PCRM_OK;
}

/* Energy of this bill in each tier (sum = total). */
static int tier_split(struct calc *k, int64_t tiers[PCRM_TARIFF_MAX_TIERS])
{
	const pcrm_tariff *t = k->t;
	int64_t lo = 0, from = 0, to, th;
	int rc;

	if (t->tier_basis == PCRM__BASIS_ANNUAL &&
	    (rc = pcrm__to_fixed("customer.ytd_kwh", k->c->ytd_kwh, PCRM__ENERGY_SCALE, &from)) < 0)
		return rc;
	if ((rc = add64(from, k->total, &to)) < 0)
		return rc;
	for (size_t i = 0; i < t->tier_count; i++) {
		int64_t hi = INT64_MAX, a, b;
		if (i + 1 < t->tier_count) {
			if ((rc = pcrm__tier_threshold(t, k->month, i, k->c->household_size, k->days,
			                               &th)) < 0)
				return rc;
			hi = th;
		}
		a = from > lo ? from : lo;
		b = to < hi ? to : hi;
		tiers[i] = b > a ? b - a : 0;
		lo = hi;
	}
	return PCRM_OK;
}

static int energy_line(struct calc *k, size_t p, size_t tier, int64_t kwh_num, int64_t kwh_den,
                       int64_t price)
{
	const pcrm_tariff *t = k->t;
	pcrm_bill_line *l = add_line(k, PCRM_LINE_ENERGY, "energy", "kWh");
	int64_t amount, qty;
	int rc;

	/* the period's energy times this tier's share of the total, times the price: one rounding */
	if ((rc = frac_round(k->energy[p], price, kwh_num, kwh_den, EP_TO_MONEY, t->rounding,
	                     &amount)) < 0)
		return rc;
	if (kwh_num == kwh_den)
		qty = k->energy[p];
	else if ((rc = frac_round(k->energy[p], kwh_num, 1, kwh_den, 1, PCRM_ROUND_HALF_UP, &qty)) < 0)
		return rc;
	l->period = t->has_tou ? t->periods[p] : NULL;
	l->tier = t->tier_count || (t->has_period_rates && t->rates[p].tier_count > 1) ?
	          (int)tier + 1 : 0;
	l->quantity = trim(qty, PCRM__ENERGY_SCALE, 0);
	l->unit_price = trim(price, PCRM__PRICE_SCALE, 2);
	set_money(l, amount);
	return PCRM_OK;
}

/*
 * The demand a tier maximum in kWh per kW is multiplied by: the maximum
 * demand of the bill (register or intervals).  One place, so that a billing
 * demand (ratchets) can take its place.
 */
static int rate_tier_demand(const struct calc *k, int64_t *kw)
{
	if (!k->has_max_demand)
		return pcrm__error(PCRM_EINVAL, "usage.max_demand: tariff %s has energy tier maxima "
		                   "in kWh per kW (energy.rates); give it (or interval data)", k->t->id);
	*kw = k->max_demand;
	return PCRM_OK;
}

/*
 * A period's tier maxima in kWh for this bill (ENERGY_SCALE; the last is
 * open-ended): "kWh daily" times the days billed, "kWh/kW" times the demand
 * (rounded half-up to the micro-kWh).  A maximum not above the one before
 * it (possible only across units) is raised to it: that tier gets no energy.
 */
static int rate_tier_maxima(const struct calc *k, size_t p, int64_t hi[PCRM_TARIFF_MAX_TIERS])
{
	const struct pcrm__period_rates *r = &k->t->rates[p];
	int64_t prev = 0, m, kw = 0;
	int rc;

	for (size_t i = 0; i + 1 < r->tier_count; i++) {
		m = r->tiers[i].max;
		if (r->tiers[i].unit == PCRM__MAX_KWH_DAILY &&
		    __builtin_mul_overflow(m, k->days, &m))
			return pcrm__error(PCRM_EOVERFLOW, "energy.rates.%s[%zu].max x days does not fit",
			                   k->t->periods[p], i);
		if (r->tiers[i].unit == PCRM__MAX_KWH_PER_KW &&
		    ((rc = rate_tier_demand(k, &kw)) < 0 ||
		     (rc = frac_round(m, kw, 1, E6, 1, PCRM_ROUND_HALF_UP, &m)) < 0))
			return rc;
		hi[i] = prev = m > prev ? m : prev;
	}
	hi[r->tier_count - 1] = INT64_MAX;
	return PCRM_OK;
}

/*
 * energy.rates: the month's total in each tier of period p's own maxima,
 * and the period's share of each tier (E_p x T_k / E_total), as the global
 * tiers do; with the same maxima in every period this is how NREL's ssc
 * splits a TOU month into tiers.
 */
static int period_rate_lines(struct calc *k)
{
	const pcrm_tariff *t = k->t;
	int64_t hi[PCRM_TARIFF_MAX_TIERS];
	int rc;

	for (size_t p = 0; p < t->period_count; p++) {
		const struct pcrm__period_rates *r = &t->rates[p];
		int64_t lo = 0;
		if (k->energy[p] == 0)
			continue;
		if ((rc = rate_tier_maxima(k, p, hi)) < 0)
			return rc;
		for (size_t i = 0; i < r->tier_count; i++) {
			int64_t top = k->total < hi[i] ? k->total : hi[i];
			int64_t in_tier = top > lo ? top - lo : 0;
			lo = hi[i];
			if (in_tier == 0)
				continue;
			if ((rc = energy_line(k, p, i, in_tier, k->total, r->tiers[i].price)) < 0)
				return rc;
		}
	}
	return PCRM_OK;
}

static int energy_lines(struct calc *k)
{
	const pcrm_tariff *t = k->t;
	int64_t tiers[PCRM_TARIFF_MAX_TIERS];
	int rc;

	if (t->has_period_rates)
		return period_rate_lines(k);
	if (!t->tier_count) {
		for (size_t p = 0; p < t->period_count; p++)
			if (k->energy[p] > 0 &&
			    (rc = energy_line(k, p, 0, 1, 1, t->period_price[p])) < 0)
				return rc;
		return PCRM_OK;
	}
	if ((rc = tier_split(k, tiers)) < 0)
		return rc;
	for (size_t p = 0; p < t->period_count; p++) {
		if (k->energy[p] == 0)
			continue;
		for (size_t i = 0; i < t->tier_count; i++) {
			int64_t price = t->tier_price[i];
			if (tiers[i] == 0)
				continue;
			if (t->tier_kind == PCRM__TIER_SURCHARGE &&
			    (rc = add64(price, t->period_price[p], &price)) < 0)
				return rc;
			if ((rc = energy_line(k, p, i, tiers[i], k->total, price)) < 0)
				return rc;
		}
	}
	return PCRM_OK;
}

static int low_income_line(struct calc *k)
{
	const pcrm_tariff *t = k->t;
	int64_t qty, amount;
	pcrm_bill_line *l;
	int rc;

	if (!t->has_low_income || !k->c->low_income || k->total == 0)
		return PCRM_OK;
	qty = k->total < t->low_income_kwh ? k->total : t->low_income_kwh;
	if ((rc = frac_round(qty, -t->low_income_price, 1, 1, EP_TO_MONEY, t->rounding, &amount)) < 0)
		return rc;
	l = add_line(k, PCRM_LINE_LOW_INCOME, "low_income_allowance", "kWh");
	l->quantity = trim(qty, PCRM__ENERGY_SCALE, 0);
	l->unit_price = trim(-t->low_income_price, PCRM__PRICE_SCALE, 2);
	set_money(l, amount);
	return PCRM_OK;
}

/*
 * Net metering / net billing credits: each period's credited kWh at its sell
 * price, then the credit brought forward from the previous bill.  Credits
 * offset the energy charges (energy and low-income lines) and no more: what
 * is left is taken back in one positive line and carried forward to the next
 * bill.  They come after the power-factor adjustment, whose base is what the
 * customer consumed, not what they sold.
 */
static int export_credit_lines(struct calc *k)
{
	const pcrm_tariff *t = k->t;
	int64_t charges, credit = 0, amount = 0, brought = k->u->credit_brought_forward;
	pcrm_bill_line *l;
	int rc;

	if (t->net_mode == PCRM__NET_NONE)
		return PCRM_OK;
	charges = 0;
	for (size_t i = 0; i < k->bill->count; i++) {
		const pcrm_bill_line *e = &k->bill->lines[i];
		if ((e->kind == PCRM_LINE_ENERGY || e->kind == PCRM_LINE_LOW_INCOME) &&
		    (rc = add64(charges, e->amount.units, &charges)) < 0)
			return rc;
	}
	for (size_t p = 0; p < t->period_count; p++) {
		if (k->credited[p] == 0)
			continue;
		if ((rc = frac_round(k->credited[p], -t->sell_price[p], 1, 1, EP_TO_MONEY,
		                     t->rounding, &amount)) < 0 ||
		    (rc = add64(credit, -amount, &credit)) < 0)
			return rc;
		l = add_line(k, PCRM_LINE_EXPORT_CREDIT, "export_credit", "kWh");
		l->period = t->has_tou ? t->periods[p] : NULL;
		l->quantity = trim(k->credited[p], PCRM__ENERGY_SCALE, 0);
		l->unit_price = trim(-t->sell_price[p], PCRM__PRICE_SCALE, 2);
		set_money(l, amount);
	}
	if (brought > 0) {
		if ((rc = add64(credit, brought, &credit)) < 0)
			return rc;
		l = add_line(k, PCRM_LINE_CREDIT_BROUGHT_FORWARD, "credit_brought_forward", "bill");
		l->quantity = pcrm_decimal_make(1, 0);
		l->unit_price = pcrm_decimal_make(-brought, PCRM__MONEY_SCALE);
		set_money(l, -brought);
	}
	if (charges < 0)
		charges = 0;
	if (credit <= charges)
		return PCRM_OK;
	k->credit_carried = credit - charges;
	l = add_line(k, PCRM_LINE_CREDIT_CARRIED_FORWARD, "credit_carried_forward", "bill");
	l->quantity = pcrm_decimal_make(1, 0);
	l->unit_price = pcrm_decimal_make(k->credit_carried, PCRM__MONEY_SCALE);
	set_money(l, k->credit_carried);
	return PCRM_OK;
}


/* The basic charge and the demand charges: demand.c. */
static int demand_side_lines(struct calc *k)
{
	struct pcrm__demand_in in;

	in.t = k->t;
	in.c = k->c;
	in.u = k->u;
	in.cal = k->cal;
	in.start = k->start;
	in.end = k->end;
	in.first_day = k->first_day;
	in.days = k->days;
	in.energy = k->energy;
	in.has_max_demand = k->has_max_demand;
	in.max_demand = k->max_demand;
	in.has_period_demand = k->has_period_demand;
	in.period_demand = k->period_demand;
	return pcrm__demand_lines(&in, k->bill);
}

static int power_factor_line(struct calc *k)
{
	const pcrm_tariff *t = k->t;
	const pcrm_usage *u = k->u;
	int64_t base, amount, rate;
	pcrm_bill_line *l;
	int r, rc;

	if (!t->pf_adjust || k->c->pf_standard == 0)
		return PCRM_OK;
	if (!u->has_reactive)
		return pcrm__error(PCRM_EINVAL, "usage.reactive: tariff %s adjusts for the power "
		                   "factor (customer.pf_standard %d); give the reactive energy",
		                   t->id, k->c->pf_standard);
	if (k->total == 0 && u->reactive == 0)
		return PCRM_OK;
	if (k->total >= PF_MAX_UNITS || u->reactive >= PF_MAX_UNITS)
		return pcrm__error(PCRM_EOVERFLOW, "usage: energy above 3.6e10, too large for the "
		                   "power factor");
	r = pf_hundredths(k->total, u->reactive);
	rate = pf_rate(r, k->c->pf_standard);
	/* the base: basic and energy charges, before funds */
	if ((rc = sum_lines(k->bill, 0, k->bill->count, &base)) < 0 ||
	    (rc = frac_round(base, rate, 1, 1, 10000, t->rounding, &amount)) < 0)
		return rc;
	k->bill->has_pf = 1;
	k->bill->pf = pcrm_decimal_make(r, 2);
	l = add_line(k, PCRM_LINE_POWER_FACTOR, "power_factor_adjustment", t->currency);
	l->quantity = pcrm_decimal_make(base, PCRM__MONEY_SCALE);
	l->unit_price = trim(rate, 4, 2);
	set_money(l, amount);
	return PCRM_OK;
}

static int fund_and_fixed_lines(struct calc *k)
{
	const pcrm_tariff *t = k->t;
	pcrm_bill_line *l;
	int64_t amount;
	int rc;

	for (size_t i = 0; i < t->fund_count; i++) {
		if ((rc = frac_round(k->total, t->funds[i].value, 1, 1, EP_TO_MONEY, t->rounding,
		                     &amount)) < 0)
			return rc;
		l = add_line(k, PCRM_LINE_FUND, "fund", "kWh");
		l->item = t->funds[i].code;
		l->name = t->funds[i].name;
		l->quantity = trim(k->total, PCRM__ENERGY_SCALE, 0);
		l->unit_price = trim(t->funds[i].value, PCRM__PRICE_SCALE, 2);
		set_money(l, amount);
	}
	for (size_t i = 0; i < t->fixed_count; i++) {
		l = add_line(k, PCRM_LINE_FIXED, "fixed_charge", "bill");
		l->item = t->fixed[i].code;
		l->name = t->fixed[i].name;
		l->quantity = pcrm_decimal_make(1, 0);
		l->unit_price = pcrm_decimal_make(t->fixed[i].value, PCRM__MONEY_SCALE);
		set_money(l, t->fixed[i].value);
	}
	return PCRM_OK;
}

/* Minimum charges compare everything but the government funds. */
static int minimum_lines(struct calc *k)
{
	const pcrm_tariff *t = k->t;
	int64_t sum = 0, ytd, year;
	pcrm_bill_line *l;
	int rc;

	for (size_t i = 0; i < k->bill->count; i++)
		if (k->bill->lines[i].kind != PCRM_LINE_FUND &&
		    (rc = add64(sum, k->bill->lines[i].amount.units, &sum)) < 0)
			return rc;
	if (t->has_min_monthly && sum < t->min_monthly) {
		l = add_line(k, PCRM_LINE_MINIMUM_MONTHLY, "minimum_monthly", "bill");
		l->quantity = pcrm_decimal_make(1, 0);
		l->unit_price = pcrm_decimal_make(t->min_monthly - sum, PCRM__MONEY_SCALE);
		set_money(l, t->min_monthly - sum);
		sum = t->min_monthly;
	}
	if (!t->has_min_annual || !k->c->year_end)
		return PCRM_OK;
	if ((rc = pcrm__to_fixed("customer.ytd_amount", k->c->ytd_amount, PCRM__MONEY_SCALE,
	                         &ytd)) < 0 ||
	    (rc = add64(ytd, sum, &year)) < 0)
		return rc;
	if (year < t->min_annual) {
		l = add_line(k, PCRM_LINE_MINIMUM_ANNUAL, "minimum_annual", "bill");
		l->quantity = pcrm_decimal_make(1, 0);
		l->unit_price = pcrm_decimal_make(t->min_annual - year, PCRM__MONEY_SCALE);
		set_money(l, t->min_annual - year);
	}
	return PCRM_OK;
}

int pcrm_bill_compute(const pcrm_tariff *tariff, const pcrm_bill_customer *customer,
                      pcrm_date start, pcrm_date end, const pcrm_usage *usage,
                      const pcrm_calendar *cal, pcrm_bill **out)
{
	static const pcrm_bill_customer defaults = PCRM_BILL_CUSTOMER_INIT;
	pcrm_bill_customer cust = defaults;
	struct calc k;
	size_t cap;
	int64_t total;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "bill compute: out is NULL");
	*out = NULL;
	if (!tariff || !usage)
		return pcrm__error(PCRM_EINVAL, "bill compute: %s is NULL", tariff ? "usage" : "tariff");
	/* version 1 is the struct without basic_mode and the cycle: copy only what it has */
	if (customer && customer->version != 1 && customer->version != PCRM_BILL_CUSTOMER_VERSION)
		return pcrm__error(PCRM_EINVAL, "customer.version: %d is not 1 or %d",
		                   customer->version, PCRM_BILL_CUSTOMER_VERSION);
	if (customer)
		memcpy(&cust, customer, customer->version == 1 ?
		                                offsetof(pcrm_bill_customer, basic_mode) :
		                                sizeof(cust));
	memset(&k, 0, sizeof(k));
	k.t = tariff;
	k.c = &cust;
	k.u = usage;
	k.cal = cal;
	k.start = start;
	k.end = end;
	if ((rc = customer_check(&k)) < 0 || (rc = period_check(&k)) < 0 ||
	    (rc = usage_to_periods(&k)) < 0 || (rc = net_energy(&k)) < 0)
		return rc;
	cap = tariff->period_count * (tariff->tier_count ? tariff->tier_count : 1) + 5 +
	      pcrm__demand_line_count(tariff) + tariff->fund_count + tariff->fixed_count;
	/* energy.rates lines beyond one per period; export credits and the two credit lines */
	cap += tariff->period_count * tariff->rates_max_tiers + tariff->period_count + 2;
	if (!(k.bill = malloc(sizeof(*k.bill) + cap * sizeof(pcrm_bill_line))))
		return pcrm__error_oom();
	k.bill->count = 0;
	k.bill->cap = cap;
	k.bill->has_pf = 0;
	if ((rc = energy_lines(&k)) < 0 || (rc = low_income_line(&k)) < 0 ||
	    (rc = demand_side_lines(&k)) < 0 ||
	    (rc = power_factor_line(&k)) < 0 || (rc = export_credit_lines(&k)) < 0 ||
	    (rc = fund_and_fixed_lines(&k)) < 0 || (rc = minimum_lines(&k)) < 0 ||
	    (rc = sum_lines(k.bill, 0, k.bill->count, &total)) < 0) {
		free(k.bill);
		return rc;
	}
	k.bill->total = pcrm_decimal_make(total, PCRM__MONEY_SCALE);
	k.bill->energy = trim(k.total, PCRM__ENERGY_SCALE, 0);
	k.bill->credit_carried = pcrm_decimal_make(k.credit_carried, PCRM__MONEY_SCALE);
	k.bill->has_max_demand = k.has_max_demand;
	k.bill->max_demand = trim(k.max_demand, PCRM__ENERGY_SCALE, 0);
	k.bill->start = start;
	k.bill->end = end;
	k.bill->tariff = (pcrm_tariff *)tariff;
	pcrm__tariff_ref(k.bill->tariff);
	*out = k.bill;
	return PCRM_OK;
}

void pcrm_bill_free(pcrm_bill *bill)
{
	if (!bill)
		return;
	pcrm_tariff_free(bill->tariff);
	free(bill);
}

size_t pcrm_bill_line_count(const pcrm_bill *bill)
{
	return bill ? bill->count : 0;
}

const pcrm_bill_line *pcrm_bill_line_at(const pcrm_bill *bill, size_t i)
{
	return bill && i < bill->count ? &bill->lines[i] : NULL;
}

pcrm_decimal pcrm_bill_total(const pcrm_bill *bill)
{
	return bill ? bill->total : pcrm_decimal_make(0, PCRM__MONEY_SCALE);
}

pcrm_decimal pcrm_bill_credit_carried_forward(const pcrm_bill *bill)
{
	return bill ? bill->credit_carried : pcrm_decimal_make(0, PCRM__MONEY_SCALE);
}

pcrm_decimal pcrm_bill_energy(const pcrm_bill *bill)
{
	return bill ? bill->energy : pcrm_decimal_make(0, 0);
}

const char *pcrm_bill_tariff_id(const pcrm_bill *bill)
{
	return bill ? bill->tariff->id : NULL;
}

int64_t pcrm_bill_tariff_version(const pcrm_bill *bill)
{
	return bill ? bill->tariff->version : 0;
}

pcrm_date pcrm_bill_period_start(const pcrm_bill *bill)
{
	pcrm_date none = {0, 0, 0};
	return bill ? bill->start : none;
}

pcrm_date pcrm_bill_period_end(const pcrm_bill *bill)
{
	pcrm_date none = {0, 0, 0};
	return bill ? bill->end : none;
}

int pcrm_bill_max_demand(const pcrm_bill *bill, pcrm_decimal *out)
{
	if (!bill || !out)
		return pcrm__error(PCRM_EINVAL, "bill max demand: %s is NULL", bill ? "out" : "bill");
	if (!bill->has_max_demand)
		return pcrm__error(PCRM_ENOTFOUND, "bill max demand: the usage had no maximum demand");
	*out = bill->max_demand;
	return PCRM_OK;
}

int pcrm_bill_power_factor(const pcrm_bill *bill, pcrm_decimal *out)
{
	if (!bill || !out)
		return pcrm__error(PCRM_EINVAL, "bill power factor: %s is NULL", bill ? "out" : "bill");
	if (!bill->has_pf)
		return pcrm__error(PCRM_ENOTFOUND, "bill power factor: the bill has no power-factor "
		                   "adjustment");
	*out = bill->pf;
	return PCRM_OK;
}
