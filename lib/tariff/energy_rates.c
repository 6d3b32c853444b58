/*
 * energy.rates: every TOU period with its own tiers, each tier with its own
 * maximum and price (URDB's energyratestructure[period][tier]).
 *
 * A tier maximum counts kWh in the billing period ("kWh"), kWh per day of
 * the period ("kWh daily") or kWh per kW of demand ("kWh/kW"): the unit
 * names are URDB's, so an importer copies them.  The bill turns them into
 * kWh (bill.c, rate_tier_maxima()); here only what can be checked without a
 * bill is checked: maxima above 0, increasing among the tiers of one unit,
 * and an open-ended last tier.
 */
#include <string.h>

#include <jansson.h>

#include "core/json_doc.h"
#include "tariff_internal.h"

static const char *const unit_names[] = { "kWh", "kWh daily", "kWh/kW", NULL };

static int load_rate_tier(const char *period_path, size_t i, size_t n, const json_t *v,
                          struct pcrm__period_rates *r)
{
	static const char *const keys[] = { "max", "max_unit", "price", "adjustment", NULL };
	struct pcrm__rate_tier *tier = &r->tiers[i];
	char p[PCRM__PATH_SIZE], f[PCRM__PATH_SIZE];
	json_t *max, *unit, *adj;
	int64_t a = 0;
	int rc, u = PCRM__MAX_KWH;

	pcrm__tariff_path(p, "%s[%zu]", period_path, i);
	if ((rc = pcrm__json_expect(p, v, JSON_OBJECT, "a tier {\"max\", \"max_unit\", \"price\", "
	                            "\"adjustment\"}")) < 0 ||
	    (rc = pcrm__json_check_keys(p, v, keys)) < 0)
		return rc;
	max = json_object_get(v, "max");
	unit = json_object_get(v, "max_unit");
	pcrm__tariff_path(f, "%s.max", p);
	if (i + 1 < n && !max)
		return pcrm__error(PCRM_EINVAL, "%s: missing (every tier but the last has a max)", f);
	if (i + 1 == n && (max || unit))
		return pcrm__error(PCRM_EINVAL, "%s.%s: the last tier is open-ended and has no max",
		                   p, max ? "max" : "max_unit");
	if (unit) {
		pcrm__tariff_path(f, "%s.max_unit", p);
		if ((rc = pcrm__json_expect(f, unit, JSON_STRING, "\"kWh\", \"kWh daily\" or "
		                            "\"kWh/kW\"")) < 0)
			return rc;
		while (unit_names[u] && strcmp(unit_names[u], json_string_value(unit)) != 0)
			u++;
		if (!unit_names[u])
			return pcrm__error(PCRM_EINVAL, "%s: expected \"kWh\" (in the billing period), "
			                   "\"kWh daily\" (per day of it) or \"kWh/kW\" (per kW of demand)",
			                   f);
	}
	tier->unit = u;
	if (max) {
		pcrm__tariff_path(f, "%s.max", p);
		if ((rc = pcrm__tariff_get_dec(f, max, PCRM__ENERGY_SCALE, 0, &tier->max)) < 0)
			return rc;
		if (tier->max == 0)
			return pcrm__error(PCRM_EINVAL, "%s: must be above 0", f);
		/* tiers of one unit must grow; across units only the bill can compare them */
		for (size_t j = i; j-- > 0;) {
			if (r->tiers[j].unit != u)
				continue;
			if (tier->max <= r->tiers[j].max)
				return pcrm__error(PCRM_EINVAL, "%s: %s is not above %s[%zu].max", f,
				                   json_string_value(max), period_path, j);
			break;
		}
	}
	pcrm__tariff_path(f, "%s.price", p);
	if ((rc = pcrm__tariff_get_dec(f, json_object_get(v, "price"), PCRM__PRICE_SCALE, 0,
	                               &tier->price)) < 0)
		return rc;
	/* URDB's "adj" (riders, fuel adjustments) may be negative: a credit per kWh */
	if ((adj = json_object_get(v, "adjustment"))) {
		pcrm__tariff_path(f, "%s.adjustment", p);
		if ((rc = pcrm__tariff_get_dec(f, adj, PCRM__PRICE_SCALE, 1, &a)) < 0)
			return rc;
		if (__builtin_add_overflow(tier->price, a, &tier->price))
			return pcrm__error(PCRM_EINVAL, "%s: price + adjustment is too large", f);
	}
	return PCRM_OK;
}

static int load_period_rates(const char *path, const json_t *v, struct pcrm__period_rates *r)
{
	size_t n;
	int rc;

	if ((rc = pcrm__json_expect(path, v, JSON_ARRAY, "a list of tiers")) < 0)
		return rc;
	n = json_array_size(v);
	if (n < 1 || n > PCRM_TARIFF_MAX_TIERS)
		return pcrm__error(PCRM_EINVAL, "%s: has %zu tiers, expected 1..%d", path, n,
		                   PCRM_TARIFF_MAX_TIERS);
	r->tier_count = n;
	for (size_t i = 0; i < n; i++)
		if ((rc = load_rate_tier(path, i, n, json_array_get(v, i), r)) < 0)
			return rc;
	return PCRM_OK;
}

int pcrm__load_energy_rates(const json_t *v, pcrm_tariff *t)
{
	char p[PCRM__PATH_SIZE];
	int rc;

	if ((rc = pcrm__json_expect("energy.rates", v, JSON_OBJECT,
	                            "an object of period name -> list of tiers")) < 0 ||
	    (rc = pcrm__json_check_keys("energy.rates", v, (const char *const *)t->periods)) < 0)
		return rc;
	for (size_t i = 0; i < t->period_count; i++) {
		struct pcrm__period_rates *r = &t->rates[i];
		const json_t *list = json_object_get(v, t->periods[i]);
		pcrm__tariff_path(p, "energy.rates.%s", t->periods[i]);
		if (!list)
			return pcrm__error(PCRM_EINVAL, "%s: missing (every period needs its tiers; "
			                   "a period without tiers is one tier with a price)", p);
		if ((rc = load_period_rates(p, list, r)) < 0)
			return rc;
		if (r->tier_count > t->rates_max_tiers)
			t->rates_max_tiers = r->tier_count;
		for (size_t k = 0; k + 1 < r->tier_count; k++)
			if (r->tiers[k].unit == PCRM__MAX_KWH_PER_KW)
				t->rates_need_demand = 1;
	}
	t->has_period_rates = 1;
	return PCRM_OK;
}
