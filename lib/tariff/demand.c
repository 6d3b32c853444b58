/*
 * Billing the demand side (docs/tariff-format.md, "basic" and
 * "demand_charges"):
 *
 *   - the Chinese basic charge in the mode of the customer's contract
 *     (发改办价格〔2016〕1583号): by transformer capacity, by contracted
 *     maximum demand (the contract value, the part above 105 % of it at
 *     double price), by actual maximum demand (with a floor of a fraction
 *     of the installed capacity), prorated per day only for the part of a
 *     meter-reading cycle the customer was supplied in;
 *   - international demand charges, flat by month and by TOU period, each
 *     with tiers, the periods from the energy schedule or a demand schedule
 *     of their own, and a ratchet that bills at least a percentage of the
 *     highest demand of earlier months.
 *
 * Every amount is one exact product rounded once (pcrm__frac_round()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "demand.h"
#include "tariff_internal.h"

#define E8 INT64_C(100000000)

static const char *const mode_text[] = { "tariff", "capacity", "contract_demand",
	                                 "actual_demand" };

/* ---- earlier months' demands (usage) ---- */

int pcrm_usage_set_prior_demand(pcrm_usage *usage, int months_ago, const char *period,
                                pcrm_decimal kw)
{
	struct pcrm__prior_demand *p = NULL;
	int64_t v;
	int rc;

	if (!usage)
		return pcrm__error(PCRM_EINVAL, "usage set prior demand: usage is NULL");
	if (months_ago < 1 || months_ago > PCRM__RATCHET_MAX_MONTHS)
		return pcrm__error(PCRM_EINVAL, "usage.prior_demand: months_ago %d is outside 1..%d",
		                   months_ago, PCRM__RATCHET_MAX_MONTHS);
	if (period && (!*period || strlen(period) > PCRM__NAME_MAX))
		return pcrm__error(PCRM_EINVAL, "usage.prior_demand: a period name is 1..%d bytes",
		                   PCRM__NAME_MAX);
	if ((rc = pcrm__to_fixed("usage.prior_demand", kw, PCRM__ENERGY_SCALE, &v)) < 0)
		return rc;
	if (v < 0)
		return pcrm__error(PCRM_EINVAL, "usage.prior_demand: negative");
	for (size_t i = 0; i < usage->prior_count; i++)
		if (usage->prior[i].months_ago == months_ago &&
		    strcmp(usage->prior[i].period, period ? period : "") == 0)
			p = &usage->prior[i];
	if (!p) {
		if (usage->prior_count == usage->prior_cap) {
			size_t cap = usage->prior_cap ? usage->prior_cap * 2 : 16;
			struct pcrm__prior_demand *grown = realloc(usage->prior, cap * sizeof(*grown));
			if (!grown)
				return pcrm__error_oom();
			usage->prior = grown;
			usage->prior_cap = cap;
		}
		p = &usage->prior[usage->prior_count++];
		p->months_ago = months_ago;
		snprintf(p->period, sizeof(p->period), "%s", period ? period : "");
	}
	p->kw = v;
	return PCRM_OK;
}

/* ---- the basic charge ---- */

/*
 * Days billed and the divisor of a basic charge; days 0 = the whole monthly
 * charge.  The charge is monthly (供电营业规则 Art. 84, 1996; 2024 text
 * the same in substance): a bill covering its whole meter-reading cycle pays
 * all of it, whatever the cycle's length; only a part of a cycle (the month
 * a supply starts, changes or ends) pays per day, 1/30 (1996) or 1/the
 * cycle's days (2024: 当月日历天数).
 */
static int prorate(const struct pcrm__demand_in *in, int *days, int *base)
{
	const pcrm_bill_customer *c = in->c;
	const struct pcrm__basic *b = in->t->basic;
	int64_t cs, ce;

	if (pcrm_date_is_valid(c->cycle_start) || pcrm_date_is_valid(c->cycle_end)) {
		if (!pcrm_date_is_valid(c->cycle_start) || !pcrm_date_is_valid(c->cycle_end))
			return pcrm__error(PCRM_EINVAL, "customer.%s: give both cycle dates or neither",
			                   pcrm_date_is_valid(c->cycle_start) ? "cycle_end" :
			                                                        "cycle_start");
		cs = pcrm_date_to_days(c->cycle_start);
		ce = pcrm_date_to_days(c->cycle_end);
		if (ce < cs || ce - cs + 1 > 62)
			return pcrm__error(PCRM_EINVAL, "customer.cycle_end: the cycle is not 1..62 days");
		if (in->first_day < cs || in->first_day + in->days - 1 > ce)
			return pcrm__error(PCRM_EINVAL, "customer.cycle_start: the billing period is not "
			                   "inside the meter-reading cycle");
		*days = in->first_day == cs && in->first_day + in->days - 1 == ce ? 0 : (int)in->days;
		*base = b->calendar_days ? (int)(ce - cs + 1) : 30;
		return PCRM_OK;
	}
	/* no cycle given: the calendar month of the start is the cycle */
	if (in->start.day == 1 && in->end.year == in->start.year &&
	    in->end.month == in->start.month &&
	    in->end.day == pcrm_days_in_month(in->end.year, in->end.month))
		*days = 0;
	else
		*days = (int)in->days;
	*base = b->calendar_days ? pcrm_days_in_month(in->start.year, in->start.month) : 30;
	return PCRM_OK;
}

static int basic_line(const struct pcrm__demand_in *in, pcrm_bill *bill, int days, int base,
                      pcrm_bill_line_kind kind, const char *code, const char *unit, int64_t qty,
                      int64_t price)
{
	pcrm_bill_line *l;
	int64_t amount;
	int rc;

	if ((rc = pcrm__frac_round(qty, price, days ? days : 1, days ? base : 1, PCRM__EP_TO_MONEY,
	                           in->t->rounding, &amount)) < 0)
		return rc;
	l = pcrm__bill_add_line(bill, kind, code, unit);
	l->quantity = pcrm__trim(qty, PCRM__ENERGY_SCALE, 0);
	l->unit_price = pcrm__trim(price, PCRM__PRICE_SCALE, 2);
	l->prorate_days = days;
	l->amount = pcrm_decimal_make(amount, PCRM__MONEY_SCALE);
	return PCRM_OK;
}

/* A contract term at ENERGY_SCALE, required (> 0) by the mode. */
static int term(const struct pcrm__demand_in *in, const char *field, pcrm_decimal d,
                pcrm_basic_mode mode, int64_t *out)
{
	int rc = pcrm__to_fixed(field, d, PCRM__ENERGY_SCALE, out);

	if (rc == PCRM_OK && *out <= 0)
		rc = pcrm__error(PCRM_EINVAL, "%s: tariff %s charges the basic charge by %s; give the "
		                 "contracted value", field, in->t->id, mode_text[mode]);
	return rc;
}

static int measured(const struct pcrm__demand_in *in, pcrm_basic_mode mode)
{
	if (in->has_max_demand)
		return PCRM_OK;
	return pcrm__error(PCRM_EINVAL, "usage.max_demand: tariff %s bills the basic charge by %s "
	                   "maximum demand; give it (or interval data)", in->t->id,
	                   mode == PCRM_BASIC_MODE_ACTUAL_DEMAND ? "actual" : "contracted");
}

static int basic_lines(const struct pcrm__demand_in *in, pcrm_bill *bill)
{
	const struct pcrm__basic *b = in->t->basic;
	pcrm_basic_mode mode = in->c->basic_mode;
	int64_t qty, contract, limit, price, floor_kw = 0;
	int rc, days = 0, base = 30;

	if (!b)
		return PCRM_OK;
	if ((int)mode < PCRM_BASIC_MODE_TARIFF || (int)mode > PCRM_BASIC_MODE_ACTUAL_DEMAND)
		return pcrm__error(PCRM_EINVAL, "customer.basic_mode: %d is not a mode (0..3)",
		                   (int)mode);
	if (mode == PCRM_BASIC_MODE_TARIFF)
		mode = b->default_mode;
	if (mode == PCRM_BASIC_MODE_TARIFF && b->legacy_demand) /* "kind": "demand" */
		mode = in->c->contract_demand_kw.units > 0 ? PCRM_BASIC_MODE_CONTRACT_DEMAND :
		                                             PCRM_BASIC_MODE_ACTUAL_DEMAND;
	if (mode == PCRM_BASIC_MODE_TARIFF)
		return pcrm__error(PCRM_EINVAL, "customer.basic_mode: tariff %s offers several "
		                   "basic-charge modes and no default_mode; the contract must choose",
		                   in->t->id);
	if (!b->offered[mode])
		return pcrm__error(PCRM_EINVAL, "customer.basic_mode: tariff %s does not offer the "
		                   "%s mode", in->t->id, mode_text[mode]);
	if ((rc = prorate(in, &days, &base)) < 0)
		return rc;
	price = b->price[mode];
	switch (mode) {
	case PCRM_BASIC_MODE_CAPACITY:
		if ((rc = term(in, "customer.contract_capacity_kva", in->c->contract_capacity_kva,
		               mode, &qty)) < 0)
			return rc;
		return basic_line(in, bill, days, base, PCRM_LINE_BASIC_CAPACITY, "basic_capacity",
		                  "kVA", qty, price);
	case PCRM_BASIC_MODE_CONTRACT_DEMAND:
		/* the contract value always; the part above 105 % of it at double price */
		if ((rc = term(in, "customer.contract_demand_kw", in->c->contract_demand_kw, mode,
		               &contract)) < 0 ||
		    (rc = measured(in, mode)) < 0 ||
		    (rc = pcrm__frac_round(contract, b->excess_threshold, 1, 1, E8, PCRM_ROUND_HALF_UP,
		                           &limit)) < 0 ||
		    (rc = basic_line(in, bill, days, base, PCRM_LINE_BASIC_CONTRACT_DEMAND,
		                     "basic_contract_demand", "kW", contract, price)) < 0)
			return rc;
		if (in->max_demand <= limit)
			return PCRM_OK;
		if ((rc = pcrm__frac_round(price, b->excess_multiplier, 1, 1, E8, PCRM_ROUND_HALF_UP,
		                           &price)) < 0)
			return rc;
		return basic_line(in, bill, days, base, PCRM_LINE_BASIC_CONTRACT_EXCESS,
		                  "basic_contract_demand_excess", "kW", in->max_demand - limit, price);
	default: /* actual maximum demand, at least the floor (a fraction of the capacity) */
		if ((rc = measured(in, mode)) < 0)
			return rc;
		if (b->actual_floor > 0 &&
		    ((rc = term(in, "customer.contract_capacity_kva", in->c->contract_capacity_kva,
		                mode, &qty)) < 0 ||
		     (rc = pcrm__frac_round(qty, b->actual_floor, 1, 1, E8, PCRM_ROUND_HALF_UP,
		                            &floor_kw)) < 0))
			return rc;
		qty = in->max_demand > floor_kw ? in->max_demand : floor_kw;
		return basic_line(in, bill, days, base, PCRM_LINE_BASIC_ACTUAL_DEMAND,
		                  "basic_actual_demand", "kW", qty, price);
	}
}

/* ---- demand charges ---- */

/* Maximum demand per demand period, from the energy periods or the demand schedule. */
struct peaks {
	size_t count;
	const char *const *names;
	int has[PCRM_TARIFF_MAX_PERIODS];
	int64_t kw[PCRM_TARIFF_MAX_PERIODS];
};

/* Whether demand period p occurs in the bill's months (weekday or weekend). */
static int occurs(const struct pcrm__demand *d, const struct pcrm__demand_in *in, size_t p)
{
	int m = in->start.month;

	for (int64_t n = 0; n < 13; n++) {
		for (int s = 0; s < 48; s++)
			if (d->weekday[m - 1][s] == p || d->weekend[m - 1][s] == p)
				return 1;
		if (m == in->end.month)
			break;
		m = m % 12 + 1;
	}
	return 0;
}

static int schedule_peaks(const struct pcrm__demand_in *in, struct peaks *pk)
{
	const struct pcrm__demand *d = in->t->demand;
	const pcrm_usage *u = in->u;
	int rc;

	if (!u->interval_count) {
		for (size_t i = 0; i < u->demand_count; i++) {
			size_t p = 0;
			while (p < d->period_count && strcmp(d->periods[p], u->demands[i].name) != 0)
				p++;
			if (p == d->period_count) {
				char q[PCRM_QUOTE_SIZE];
				pcrm__quote(u->demands[i].name, strlen(u->demands[i].name), q, sizeof(q));
				return pcrm__error(PCRM_EINVAL, "usage.period_demand.%s: not a period of "
				                   "tariff %s's demand schedule", q, in->t->id);
			}
			pk->has[p] = 1;
			pk->kw[p] = u->demands[i].kwh;
		}
		for (size_t p = 0; p < d->period_count; p++)
			if (d->tou[p].count && !pk->has[p] && occurs(d, in, p))
				return pcrm__error(PCRM_EINVAL, "usage.period_demand.%s: tariff %s charges "
				                   "demand by demand period; give it (or interval data)",
				                   d->periods[p], in->t->id);
		return PCRM_OK;
	}
	/* interval data (already checked by bill.c): each interval in its demand period */
	for (size_t i = 0; i < u->interval_count; i++) {
		const struct pcrm__interval *iv = &u->intervals[i];
		pcrm_civil c;
		pcrm_date day;
		int weekend, p;
		int64_t kw;

		if ((rc = pcrm_time_to_civil(iv->start, in->t->utc_offset, &c)) < 0)
			return rc;
		day.year = c.year;
		day.month = c.month;
		day.day = c.day;
		if (in->cal && in->t->holidays_as_weekend)
			weekend = !pcrm_calendar_is_working_day(in->cal, day);
		else
			weekend = pcrm_date_weekday(day) >= 6;
		p = (weekend ? d->weekend : d->weekday)[c.month - 1][c.hour * 2 + c.minute / 30];
		if (__builtin_mul_overflow(iv->kwh, (int64_t)(3600 / iv->seconds), &kw))
			return pcrm__error(PCRM_EOVERFLOW, "usage.intervals[%zu]: demand too large", i);
		if (!pk->has[p] || kw > pk->kw[p])
			pk->kw[p] = kw;
		pk->has[p] = 1;
	}
	return PCRM_OK;
}

static int energy_period_peaks(const struct pcrm__demand_in *in, struct peaks *pk)
{
	const pcrm_tariff *t = in->t;

	for (size_t p = 0; p < t->period_count; p++) {
		if (!t->demand->tou[p].count)
			continue;
		if (in->has_period_demand[p]) {
			pk->has[p] = 1;
			pk->kw[p] = in->period_demand[p];
		} else if (!in->u->interval_count && in->energy[p] != 0) {
			/* no energy in the period (no interval in it, a register of 0): no demand */
			return pcrm__error(PCRM_EINVAL, "usage.period_demand.%s: tariff %s charges demand "
			                   "by TOU period; give it (or interval data)", t->periods[p],
			                   t->id);
		}
	}
	return PCRM_OK;
}

/*
 * The billing demand: max(measured, percent x the highest demand of the
 * lookback months, the minimum).  `period` "" for the month's maximum.
 */
static int ratchet(const struct pcrm__demand_in *in, const char *period, int64_t *kw)
{
	const struct pcrm__demand *d = in->t->demand;
	const pcrm_usage *u = in->u;
	int64_t high = 0, floor_kw;
	int rc;

	for (size_t i = 0; i < u->prior_count; i++) {
		const struct pcrm__prior_demand *p = &u->prior[i];
		int month = ((in->start.month - 1 - p->months_ago) % 12 + 12) % 12 + 1;
		if (p->months_ago > d->ratchet_months || !(d->ratchet_month_mask & (1u << month)) ||
		    strcmp(p->period, period) != 0)
			continue;
		high = p->kw > high ? p->kw : high;
	}
	if ((rc = pcrm__frac_round(high, d->ratchet_percent, 1, 1, E8, PCRM_ROUND_HALF_UP,
	                           &floor_kw)) < 0)
		return rc;
	if (floor_kw > *kw)
		*kw = floor_kw;
	if (d->ratchet_minimum > *kw)
		*kw = d->ratchet_minimum;
	return PCRM_OK;
}

/* One line per tier the demand reaches (always the first). */
static int tier_lines(const struct pcrm__demand_in *in, pcrm_bill *bill, pcrm_bill_line_kind kind,
                      const char *code, const char *period, const struct pcrm__demand_tiers *tiers,
                      int64_t kw)
{
	for (size_t i = 0; i < tiers->count; i++) {
		int64_t lo = i ? tiers->max[i - 1] : 0;
		int64_t hi = i + 1 < tiers->count ? tiers->max[i] : INT64_MAX;
		int64_t part = kw < lo ? 0 : (kw < hi ? kw : hi) - lo, amount;
		pcrm_bill_line *l;
		int rc;

		if (part == 0 && i > 0)
			break;
		if ((rc = pcrm__frac_round(part, tiers->price[i], 1, 1, PCRM__EP_TO_MONEY,
		                           in->t->rounding, &amount)) < 0)
			return rc;
		l = pcrm__bill_add_line(bill, kind, code, "kW");
		l->period = period;
		l->tier = tiers->count > 1 ? (int)i + 1 : 0;
		l->quantity = pcrm__trim(part, PCRM__ENERGY_SCALE, 0);
		l->unit_price = pcrm__trim(tiers->price[i], PCRM__PRICE_SCALE, 2);
		l->amount = pcrm_decimal_make(amount, PCRM__MONEY_SCALE);
	}
	return PCRM_OK;
}

static int demand_charge_lines(const struct pcrm__demand_in *in, pcrm_bill *bill)
{
	const pcrm_tariff *t = in->t;
	const struct pcrm__demand *d = t->demand;
	struct peaks pk;
	int64_t kw;
	int rc;

	if (!d)
		return PCRM_OK;
	if (d->has_flat) {
		if (!in->has_max_demand)
			return pcrm__error(PCRM_EINVAL, "usage.max_demand: tariff %s has a flat demand "
			                   "charge; give it (or interval data)", t->id);
		kw = in->max_demand;
		if (d->has_ratchet && (rc = ratchet(in, "", &kw)) < 0)
			return rc;
		if ((rc = tier_lines(in, bill, PCRM_LINE_DEMAND_FLAT, "demand_flat", NULL,
		                     &d->flat[in->start.month - 1], kw)) < 0)
			return rc;
	}
	if (!d->has_tou)
		return PCRM_OK;
	memset(&pk, 0, sizeof(pk));
	pk.count = d->has_schedule ? d->period_count : t->period_count;
	pk.names = d->has_schedule ? (const char *const *)d->periods :
	                             (const char *const *)t->periods;
	if ((rc = d->has_schedule ? schedule_peaks(in, &pk) : energy_period_peaks(in, &pk)) < 0)
		return rc;
	for (size_t p = 0; p < pk.count; p++) {
		if (!d->tou[p].count || !pk.has[p])
			continue;
		kw = pk.kw[p];
		if (d->has_ratchet && d->ratchet_by_period && (rc = ratchet(in, pk.names[p], &kw)) < 0)
			return rc;
		if ((rc = tier_lines(in, bill, PCRM_LINE_DEMAND_TOU, "demand_tou", pk.names[p],
		                     &d->tou[p], kw)) < 0)
			return rc;
	}
	return PCRM_OK;
}

int pcrm__tariff_ratchet_months(const pcrm_tariff *t)
{
	return t->demand && t->demand->has_ratchet ? t->demand->ratchet_months : 0;
}

int pcrm__demand_lines(const struct pcrm__demand_in *in, pcrm_bill *bill)
{
	int rc = basic_lines(in, bill);

	return rc < 0 ? rc : demand_charge_lines(in, bill);
}
