/*
 * Loading the demand side of a tariff document: "basic" (the Chinese basic
 * charge, 基本电费, in the modes the tariff offers) and "demand_charges"
 * (international demand charges: tiers, a demand schedule of its own, a
 * ratchet).  The rules of tariff_load.c hold here too: unknown keys are
 * refused, decimals are strings, every message starts with the JSON path.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json_doc.h"
#include "demand.h"
#include "tariff_internal.h"

#define PATH_SIZE 128

static void sub(char *buf, const char *fmt, ...) PCRM_PRINTF(2, 3);

static void sub(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, PATH_SIZE, fmt, ap);
	va_end(ap);
}

/* The mode names of the document, indexed by pcrm_basic_mode. */
static const char *const mode_names[] = { "tariff", "capacity", "contract_demand",
	                                  "actual_demand", NULL };

/* ---- basic ---- */

static int load_fraction(const char *path, json_t *x, int64_t min, int64_t *out)
{
	int rc;

	if ((rc = pcrm__tariff_get_dec(path, x, PCRM__PRICE_SCALE, 0, out)) < 0)
		return rc;
	if (*out < min)
		return pcrm__error(PCRM_EINVAL, "%s: must be at least %s", path,
		                   min == 100000000 ? "1 (1.05 = 105 % of the contracted demand)" : "0");
	return PCRM_OK;
}

static int load_modes(json_t *v, struct pcrm__basic *b)
{
	static const char *const keys[] = { "capacity", "contract_demand", "actual_demand", NULL };
	char p[PATH_SIZE];
	int rc;

	if ((rc = pcrm__json_expect("basic.modes", v, JSON_OBJECT,
	                            "an object of mode -> price per month")) < 0 ||
	    (rc = pcrm__json_check_keys("basic.modes", v, keys)) < 0)
		return rc;
	if (json_object_size(v) == 0)
		return pcrm__error(PCRM_EINVAL, "basic.modes: offers no mode (capacity, "
		                   "contract_demand, actual_demand)");
	for (int m = PCRM_BASIC_MODE_CAPACITY; m <= PCRM_BASIC_MODE_ACTUAL_DEMAND; m++) {
		json_t *x = json_object_get(v, mode_names[m]);
		if (!x)
			continue;
		sub(p, "basic.modes.%s", mode_names[m]);
		if ((rc = pcrm__tariff_get_dec(p, x, PCRM__PRICE_SCALE, 0, &b->price[m])) < 0)
			return rc;
		b->offered[m] = 1;
	}
	return PCRM_OK;
}

/* The older form: {"kind": "capacity" | "demand", "price"}. */
static int load_kind(json_t *v, struct pcrm__basic *b)
{
	json_t *kind = json_object_get(v, "kind");
	int64_t price;
	int rc;

	if ((rc = pcrm__json_expect("basic.kind", kind, JSON_STRING, "\"capacity\" or \"demand\"")) < 0)
		return rc;
	if (strcmp(json_string_value(kind), "capacity") != 0 &&
	    strcmp(json_string_value(kind), "demand") != 0)
		return pcrm__error(PCRM_EINVAL, "basic.kind: expected \"capacity\" (per kVA) or "
		                   "\"demand\" (per kW of maximum demand)");
	if ((rc = pcrm__tariff_get_dec("basic.price", json_object_get(v, "price"),
	                               PCRM__PRICE_SCALE, 0, &price)) < 0)
		return rc;
	if (json_string_value(kind)[0] == 'c') {
		b->offered[PCRM_BASIC_MODE_CAPACITY] = 1;
		b->price[PCRM_BASIC_MODE_CAPACITY] = price;
		b->default_mode = PCRM_BASIC_MODE_CAPACITY;
		return PCRM_OK;
	}
	b->legacy_demand = 1;
	for (int m = PCRM_BASIC_MODE_CONTRACT_DEMAND; m <= PCRM_BASIC_MODE_ACTUAL_DEMAND; m++) {
		b->offered[m] = 1;
		b->price[m] = price;
	}
	return PCRM_OK;
}

int pcrm__basic_load(json_t *v, pcrm_tariff *t)
{
	static const char *const keys[] = {
		"kind", "price", "modes", "default_mode", "excess_threshold", "excess_multiplier",
		"actual_demand_floor", "proration", NULL
	};
	struct pcrm__basic *b;
	json_t *x;
	int rc, m;

	if ((rc = pcrm__json_expect("basic", v, JSON_OBJECT, "an object")) < 0 ||
	    (rc = pcrm__json_check_keys("basic", v, keys)) < 0)
		return rc;
	if (!(b = t->basic = calloc(1, sizeof(*b))))
		return pcrm__error_oom();
	b->excess_threshold = 105000000;  /* 1.05 */
	b->excess_multiplier = 200000000; /* 2 */
	if (json_object_get(v, "modes")) {
		if (json_object_get(v, "kind") || json_object_get(v, "price"))
			return pcrm__error(PCRM_EINVAL, "basic: give either \"modes\" or \"kind\" and "
			                   "\"price\", not both");
		if ((rc = load_modes(json_object_get(v, "modes"), b)) < 0)
			return rc;
	} else {
		if (!json_object_get(v, "kind"))
			return pcrm__error(PCRM_EINVAL, "basic: give \"modes\" (the basic-charge modes "
			                   "offered, with their prices)");
		if (json_object_get(v, "default_mode"))
			return pcrm__error(PCRM_EINVAL, "basic.default_mode: only with \"modes\"");
		if ((rc = load_kind(v, b)) < 0)
			return rc;
	}
	if ((x = json_object_get(v, "default_mode"))) {
		if ((rc = pcrm__json_expect("basic.default_mode", x, JSON_STRING, "a mode name")) < 0)
			return rc;
		for (m = PCRM_BASIC_MODE_CAPACITY; mode_names[m]; m++)
			if (strcmp(mode_names[m], json_string_value(x)) == 0)
				break;
		if (!mode_names[m] || !b->offered[m])
			return pcrm__error(PCRM_EINVAL, "basic.default_mode: is not one of basic.modes");
		b->default_mode = (pcrm_basic_mode)m;
	} else if (!b->legacy_demand) {
		int n = 0;
		for (m = PCRM_BASIC_MODE_CAPACITY; m <= PCRM_BASIC_MODE_ACTUAL_DEMAND; m++)
			if (b->offered[m]) {
				b->default_mode = (pcrm_basic_mode)m;
				n++;
			}
		if (n > 1) /* the customer's contract chooses; none chosen is an error when billing */
			b->default_mode = PCRM_BASIC_MODE_TARIFF;
	}
	if ((x = json_object_get(v, "excess_threshold"))) {
		if (!b->offered[PCRM_BASIC_MODE_CONTRACT_DEMAND])
			return pcrm__error(PCRM_EINVAL, "basic.excess_threshold: only for \"demand\" "
			                   "(the contract_demand mode)");
		if ((rc = load_fraction("basic.excess_threshold", x, 100000000,
		                        &b->excess_threshold)) < 0)
			return rc;
	}
	if ((x = json_object_get(v, "excess_multiplier"))) {
		if (!b->offered[PCRM_BASIC_MODE_CONTRACT_DEMAND])
			return pcrm__error(PCRM_EINVAL, "basic.excess_multiplier: only for \"demand\" "
			                   "(the contract_demand mode)");
		if ((rc = load_fraction("basic.excess_multiplier", x, 0, &b->excess_multiplier)) < 0)
			return rc;
	}
	if ((x = json_object_get(v, "actual_demand_floor"))) {
		if (!b->offered[PCRM_BASIC_MODE_ACTUAL_DEMAND])
			return pcrm__error(PCRM_EINVAL, "basic.actual_demand_floor: only with the "
			                   "actual_demand mode");
		if ((rc = load_fraction("basic.actual_demand_floor", x, 0, &b->actual_floor)) < 0)
			return rc;
		if (b->actual_floor > 100000000)
			return pcrm__error(PCRM_EINVAL, "basic.actual_demand_floor: above 1 (0.40 = 40 %% "
			                   "of the installed capacity)");
	} else if (b->offered[PCRM_BASIC_MODE_ACTUAL_DEMAND] && !b->legacy_demand) {
		return pcrm__error(PCRM_EINVAL, "basic.actual_demand_floor: required with the "
		                   "actual_demand mode (\"0.40\" for the 40 %% rule, \"0\" for none)");
	}
	if ((x = json_object_get(v, "proration"))) {
		if ((rc = pcrm__json_expect("basic.proration", x, JSON_STRING,
		                            "\"thirtieths\" or \"calendar_days\"")) < 0)
			return rc;
		if (strcmp(json_string_value(x), "calendar_days") == 0)
			b->calendar_days = 1;
		else if (strcmp(json_string_value(x), "thirtieths") != 0)
			return pcrm__error(PCRM_EINVAL, "basic.proration: expected \"thirtieths\" (1/30 "
			                   "per day) or \"calendar_days\" (1/days of the cycle per day)");
	}
	return PCRM_OK;
}

/* ---- demand charges ---- */

/* A price per kW ("12.50") or tiers [{"max", "price"}, ..., {"price"}]. */
static int load_tiers(const char *path, json_t *v, struct pcrm__demand_tiers *out)
{
	static const char *const keys[] = { "max", "price", NULL };
	char p[PATH_SIZE], f[PATH_SIZE];
	size_t i, n;
	json_t *x;
	int rc;

	if (!json_is_array(v)) { /* one price: a decimal string, as every price */
		out->count = 1;
		return pcrm__tariff_get_dec(path, v, PCRM__PRICE_SCALE, 0, &out->price[0]);
	}
	n = json_array_size(v);
	if (n < 1 || n > PCRM__DEMAND_MAX_TIERS)
		return pcrm__error(PCRM_EINVAL, "%s: has %zu tiers, expected 1..%d", path, n,
		                   PCRM__DEMAND_MAX_TIERS);
	json_array_foreach(v, i, x) {
		sub(p, "%s[%zu]", path, i);
		if ((rc = pcrm__json_expect(p, x, JSON_OBJECT, "a tier {\"max\", \"price\"}")) < 0 ||
		    (rc = pcrm__json_check_keys(p, x, keys)) < 0)
			return rc;
		sub(f, "%s.price", p);
		if ((rc = pcrm__tariff_get_dec(f, json_object_get(x, "price"), PCRM__PRICE_SCALE, 0,
		                               &out->price[i])) < 0)
			return rc;
		sub(f, "%s.max", p);
		if (i + 1 == n) {
			if (json_object_get(x, "max"))
				return pcrm__error(PCRM_EINVAL, "%s: the last tier is open-ended and has no "
				                   "max", f);
			break;
		}
		if ((rc = pcrm__tariff_get_dec(f, json_object_get(x, "max"), PCRM__ENERGY_SCALE, 0,
		                               &out->max[i])) < 0)
			return rc;
		if (out->max[i] <= (i ? out->max[i - 1] : 0))
			return pcrm__error(PCRM_EINVAL, "%s: is not above the tier before it", f);
	}
	out->count = n;
	return PCRM_OK;
}

static int demand_period_index(const struct pcrm__demand *d, const char *name)
{
	for (size_t i = 0; i < d->period_count; i++)
		if (strcmp(d->periods[i], name) == 0)
			return (int)i;
	return -1;
}

static int load_schedule(json_t *v, struct pcrm__demand *d)
{
	static const char *const keys[] = { "periods", "weekday", "weekend", NULL };
	char p[PATH_SIZE];
	json_t *list, *x;
	size_t i;
	int rc;

	if ((rc = pcrm__json_expect("demand_charges.schedule", v, JSON_OBJECT, "an object")) < 0 ||
	    (rc = pcrm__json_check_keys("demand_charges.schedule", v, keys)) < 0)
		return rc;
	list = json_object_get(v, "periods");
	if ((rc = pcrm__json_expect("demand_charges.schedule.periods", list, JSON_ARRAY,
	                            "a list of demand period names")) < 0)
		return rc;
	if (json_array_size(list) < 1 || json_array_size(list) > PCRM_TARIFF_MAX_PERIODS)
		return pcrm__error(PCRM_EINVAL, "demand_charges.schedule.periods: has %zu periods, "
		                   "expected 1..%d", json_array_size(list), PCRM_TARIFF_MAX_PERIODS);
	json_array_foreach(list, i, x) {
		sub(p, "demand_charges.schedule.periods[%zu]", i);
		if ((rc = pcrm__tariff_get_name(p, x, NULL)) < 0)
			return rc;
		if (demand_period_index(d, json_string_value(x)) >= 0)
			return pcrm__error(PCRM_EINVAL, "%s: is listed twice", p);
		if ((rc = pcrm__tariff_get_name(p, x, &d->periods[i])) < 0)
			return rc;
		d->period_count++;
	}
	d->has_schedule = 1;
	if ((rc = pcrm__tariff_load_matrix("demand_charges.schedule.weekday",
	                                   json_object_get(v, "weekday"), d->period_count,
	                                   d->weekday)) < 0)
		return rc;
	if ((x = json_object_get(v, "weekend")))
		return pcrm__tariff_load_matrix("demand_charges.schedule.weekend", x, d->period_count,
		                                d->weekend);
	memcpy(d->weekend, d->weekday, sizeof(d->weekend));
	return PCRM_OK;
}

static int load_ratchet(json_t *v, struct pcrm__demand *d)
{
	static const char *const keys[] = { "percent", "months", "lookback_months", "by",
		                            "minimum_kw", NULL };
	json_t *x;
	int rc;

	if ((rc = pcrm__json_expect("demand_charges.ratchet", v, JSON_OBJECT, "an object")) < 0 ||
	    (rc = pcrm__json_check_keys("demand_charges.ratchet", v, keys)) < 0)
		return rc;
	if ((rc = pcrm__tariff_get_dec("demand_charges.ratchet.percent",
	                               json_object_get(v, "percent"), PCRM__PRICE_SCALE, 0,
	                               &d->ratchet_percent)) < 0 ||
	    (rc = pcrm__tariff_get_int("demand_charges.ratchet.months", json_object_get(v, "months"),
	                               1, PCRM__RATCHET_MAX_MONTHS, &d->ratchet_months)) < 0)
		return rc;
	if (d->ratchet_percent > 100000000)
		return pcrm__error(PCRM_EINVAL, "demand_charges.ratchet.percent: above 1 (0.80 = 80 %%)");
	d->ratchet_month_mask = 0x1ffe; /* months 1..12 */
	if ((x = json_object_get(v, "lookback_months")) &&
	    (rc = pcrm__tariff_get_months("demand_charges.ratchet.lookback_months", x,
	                                  &d->ratchet_month_mask)) < 0)
		return rc;
	if ((x = json_object_get(v, "minimum_kw")) &&
	    (rc = pcrm__tariff_get_dec("demand_charges.ratchet.minimum_kw", x, PCRM__ENERGY_SCALE, 0,
	                               &d->ratchet_minimum)) < 0)
		return rc;
	if ((x = json_object_get(v, "by"))) {
		if ((rc = pcrm__json_expect("demand_charges.ratchet.by", x, JSON_STRING,
		                            "\"month\" or \"period\"")) < 0)
			return rc;
		if (strcmp(json_string_value(x), "period") == 0)
			d->ratchet_by_period = 1;
		else if (strcmp(json_string_value(x), "month") != 0)
			return pcrm__error(PCRM_EINVAL, "demand_charges.ratchet.by: expected \"month\" "
			                   "(the month's maximum) or \"period\" (each TOU period's)");
	}
	if (d->ratchet_by_period ? !d->has_tou : !d->has_flat)
		return pcrm__error(PCRM_EINVAL, "demand_charges.ratchet: ratchets %s, but the tariff "
		                   "has no such charge",
		                   d->ratchet_by_period ? "demand_charges.by_period" :
		                                          "demand_charges.flat_by_month");
	d->has_ratchet = 1;
	return PCRM_OK;
}

int pcrm__demand_load(json_t *v, pcrm_tariff *t)
{
	static const char *const keys[] = { "flat_by_month", "by_period", "schedule", "ratchet",
		                            NULL };
	char p[PATH_SIZE];
	struct pcrm__demand *d;
	const char *name;
	json_t *x, *price;
	int rc;

	if ((rc = pcrm__json_expect("demand_charges", v, JSON_OBJECT, "an object")) < 0 ||
	    (rc = pcrm__json_check_keys("demand_charges", v, keys)) < 0)
		return rc;
	if (!(d = t->demand = calloc(1, sizeof(*d))))
		return pcrm__error_oom();
	if ((x = json_object_get(v, "schedule")) && (rc = load_schedule(x, d)) < 0)
		return rc;
	if ((x = json_object_get(v, "flat_by_month"))) {
		if ((rc = pcrm__json_expect("demand_charges.flat_by_month", x, JSON_ARRAY,
		                            "12 prices per kW (or tier lists), January..December")) < 0)
			return rc;
		if (json_array_size(x) != 12)
			return pcrm__error(PCRM_EINVAL, "demand_charges.flat_by_month: has %zu prices, "
			                   "expected 12 (January..December)", json_array_size(x));
		for (size_t m = 0; m < 12; m++) {
			sub(p, "demand_charges.flat_by_month[%zu]", m);
			if ((rc = load_tiers(p, json_array_get(x, m), &d->flat[m])) < 0)
				return rc;
		}
		d->has_flat = 1;
	}
	if ((x = json_object_get(v, "by_period"))) {
		if (!d->has_schedule && !t->has_tou)
			return pcrm__error(PCRM_EINVAL, "demand_charges.by_period: the tariff has no tou "
			                   "periods and no demand_charges.schedule");
		if ((rc = pcrm__json_expect("demand_charges.by_period", x, JSON_OBJECT,
		                            "an object of period name -> price per kW or tiers")) < 0)
			return rc;
		if ((rc = pcrm__json_check_keys("demand_charges.by_period", x,
		                                (const char *const *)(d->has_schedule ? d->periods :
		                                                                        t->periods))) < 0)
			return rc;
		json_object_foreach(x, name, price) {
			int i = d->has_schedule ? demand_period_index(d, name) :
			                          pcrm__tariff_period_index(t, name);
			sub(p, "demand_charges.by_period.%s", d->has_schedule ? d->periods[i] :
			                                                      t->periods[i]);
			if ((rc = load_tiers(p, price, &d->tou[i])) < 0)
				return rc;
			d->has_tou = 1;
		}
	}
	if ((x = json_object_get(v, "ratchet")) && (rc = load_ratchet(x, d)) < 0)
		return rc;
	return PCRM_OK;
}

void pcrm__demand_clear(pcrm_tariff *t)
{
	if (t->demand)
		for (size_t i = 0; i < PCRM_TARIFF_MAX_PERIODS; i++)
			free(t->demand->periods[i]);
	free(t->demand);
	free(t->basic);
	t->demand = NULL;
	t->basic = NULL;
}

size_t pcrm__demand_line_count(const pcrm_tariff *t)
{
	size_t n = 2, flat = 0; /* basic: at most two lines */

	for (size_t i = 0; t->demand && i < 12; i++) /* demand: the flat tiers of a month ... */
		flat = t->demand->flat[i].count > flat ? t->demand->flat[i].count : flat;
	for (size_t p = 0; t->demand && p < PCRM_TARIFF_MAX_PERIODS; p++) /* ... and each period's */
		n += t->demand->tou[p].count;
	return n + flat;
}
