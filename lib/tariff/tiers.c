/*
 * The thresholds of a tariff's energy tiers (阶梯) and where a year's
 * energy stands on them.
 *
 * Why one function for both: a bill splits its energy at these thresholds
 * (bill.c, tier_split) and the IVR and the tier-threshold campaigns tell a
 * customer how far the next one is.  Were the seasonal thresholds or the
 * large-household rise computed twice, a caller could hear "第一档" about
 * energy the next bill charges at the second tier's price.
 */
#include <string.h>

#include "core/error.h"
#include "core/out_version.h"
#include "tariff_internal.h"

int pcrm__tier_threshold(const pcrm_tariff *t, int month, size_t i, int household_size,
                         int64_t days, int64_t *out)
{
	int64_t th = t->tier_max[month - 1][i];

	if (t->large_household_min && household_size >= t->large_household_min &&
	    __builtin_add_overflow(th, t->large_household_extra[i], &th))
		return pcrm__error(PCRM_EOVERFLOW, "energy.tiers[%zu].max + large_household does "
		                   "not fit", i);
	if (t->tier_basis == PCRM__BASIS_DAILY && __builtin_mul_overflow(th, days, &th))
		return pcrm__error(PCRM_EOVERFLOW, "energy.tiers[%zu].max x days does not fit", i);
	*out = th;
	return PCRM_OK;
}

/* Energies for display: whole kWh stay whole ("2760"), fractions keep their digits. */
static pcrm_decimal kwh(int64_t units)
{
	return pcrm__trim(units, PCRM__ENERGY_SCALE, 0);
}

int pcrm_tariff_tier_position(const pcrm_tariff *tariff, int household_size, pcrm_date on,
                              pcrm_decimal energy, pcrm_tier_position *out)
{
	pcrm_tier_position p;
	int64_t e, lo = 0, hi = 0;
	int rc;

	if (!tariff || !out)
		return pcrm__error(PCRM_EINVAL, "%s: is NULL", tariff ? "out" : "tariff");
	if ((rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_TIER_POSITION)) != PCRM_OK)
		return rc;
	if (household_size < 0 || household_size > 1000)
		return pcrm__error(PCRM_EINVAL, "household_size: %d is outside 0..1000",
		                   household_size);
	if (!pcrm_date_is_valid(on))
		return pcrm__error(PCRM_EINVAL, "on: not a valid date");
	if ((rc = pcrm__to_fixed("energy", energy, PCRM__ENERGY_SCALE, &e)) < 0)
		return rc;
	if (e < 0)
		return pcrm__error(PCRM_EINVAL, "energy: negative");

	memset(&p, 0, sizeof(p));
	p.version = out->version;
	p.year = on.year;
	p.energy = kwh(e);
	p.lower = p.upper = p.remaining = kwh(0);
	p.tier_count = (int)tariff->tier_count;
	if (tariff->tier_count == 0) {
		/* energy.rates keeps its tiers per period, and they are never annual */
		if (tariff->has_period_rates && tariff->rates_max_tiers > 1) {
			p.status = PCRM_TIER_NOT_ANNUAL;
			p.tier_count = (int)tariff->rates_max_tiers;
		} else {
			p.status = PCRM_TIER_NO_TIERS;
		}
	} else if (tariff->tier_basis != PCRM__BASIS_ANNUAL) {
		p.status = PCRM_TIER_NOT_ANNUAL;
	} else {
		/*
		 * tier_split's rule: the tier holds (lo, hi], so energy that reached hi
		 * has filled it and the next kWh is the next tier's
		 */
		size_t i;
		for (i = 0; i + 1 < tariff->tier_count; i++) {
			if ((rc = pcrm__tier_threshold(tariff, on.month, i, household_size, 1, &hi)) < 0)
				return rc;
			if (e < hi)
				break;
			lo = hi;
		}
		p.status = PCRM_TIER_POSITIONED;
		p.tier = (int)i + 1;
		p.last_tier = i + 1 == tariff->tier_count;
		p.lower = kwh(lo);
		if (!p.last_tier) {
			p.upper = kwh(hi);
			p.remaining = kwh(hi - e);
		}
	}
	*out = p;
	return PCRM_OK;
}
