/*
 * Net metering and net billing (URDB dgrules): the tariff's net_metering
 * section, the exported energy of a usage, and its sum per TOU period.
 *
 * Exports are a second channel beside the imports rather than signed
 * interval values: a meter with a generator keeps two registers (import and
 * export), one interval may hold both, and the imports keep every rule they
 * had (non-negative, demand from them alone).  How a bill credits the
 * exports is in bill.c (export_credit_lines()) and docs/tariff-format.md.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/json_doc.h"
#include "tariff_internal.h"

/* ---- the tariff's section ---- */

int pcrm__load_net_metering(const json_t *v, pcrm_tariff *t)
{
	static const char *const keys[] = { "mode", "sell_price", "sell_prices", NULL };
	char p[PCRM__PATH_SIZE];
	const json_t *mode, *one, *each;
	int rc;

	if ((rc = pcrm__json_expect("net_metering", v, JSON_OBJECT, "an object")) < 0 ||
	    (rc = pcrm__json_check_keys("net_metering", v, keys)) < 0)
		return rc;
	mode = json_object_get(v, "mode");
	if ((rc = pcrm__json_expect("net_metering.mode", mode, JSON_STRING,
	                            "\"net_metering\" or \"net_billing\"")) < 0)
		return rc;
	if (strcmp(json_string_value(mode), "net_metering") == 0)
		t->net_mode = PCRM__NET_METERING;
	else if (strcmp(json_string_value(mode), "net_billing") == 0)
		t->net_mode = PCRM__NET_BILLING;
	else
		return pcrm__error(PCRM_EINVAL, "net_metering.mode: expected \"net_metering\" (imports "
		                   "and exports netted per period) or \"net_billing\" (every exported "
		                   "kWh credited at the sell price)");
	one = json_object_get(v, "sell_price");
	each = json_object_get(v, "sell_prices");
	if ((one != NULL) == (each != NULL))
		return pcrm__error(PCRM_EINVAL, "net_metering: give exactly one of \"sell_price\" (all "
		                   "periods) and \"sell_prices\" (per period)");
	if (one) {
		if ((rc = pcrm__tariff_get_dec("net_metering.sell_price", one, PCRM__PRICE_SCALE, 0,
		                               &t->sell_price[0])) < 0)
			return rc;
		for (size_t i = 1; i < t->period_count; i++)
			t->sell_price[i] = t->sell_price[0];
		return PCRM_OK;
	}
	if ((rc = pcrm__json_expect("net_metering.sell_prices", each, JSON_OBJECT,
	                            "an object of period name -> price")) < 0 ||
	    (rc = pcrm__json_check_keys("net_metering.sell_prices", each,
	                                (const char *const *)t->periods)) < 0)
		return rc;
	for (size_t i = 0; i < t->period_count; i++) {
		pcrm__tariff_path(p, "net_metering.sell_prices.%s", t->periods[i]);
		if ((rc = pcrm__tariff_get_dec(p, json_object_get(each, t->periods[i]),
		                               PCRM__PRICE_SCALE, 0, &t->sell_price[i])) < 0)
			return rc;
	}
	return PCRM_OK;
}

/* ---- the usage's exports ---- */

static int export_arg(const char *what, pcrm_decimal d, int scale, int64_t *out)
{
	int rc;

	if ((rc = pcrm__to_fixed(what, d, scale, out)) < 0)
		return rc;
	if (*out < 0)
		return pcrm__error(PCRM_EINVAL, "%s: negative (exports are a channel of their own, "
		                   "not negative imports)", what);
	return PCRM_OK;
}

int pcrm_usage_set_export_total(pcrm_usage *usage, pcrm_decimal kwh)
{
	int64_t v;
	int rc;

	if (!usage)
		return pcrm__error(PCRM_EINVAL, "usage set export total: usage is NULL");
	if ((rc = export_arg("usage.export_total", kwh, PCRM__ENERGY_SCALE, &v)) < 0)
		return rc;
	if (usage->export_interval_count || usage->export_period_count)
		return pcrm__error(PCRM_EINVAL, "usage.export_total: the usage already has export %s",
		                   usage->export_interval_count ? "intervals" : "period registers");
	usage->export_total = v;
	usage->has_export_total = 1;
	return PCRM_OK;
}

int pcrm_usage_set_export_period(pcrm_usage *usage, const char *period, pcrm_decimal kwh)
{
	size_t i;
	int64_t v;
	int rc;

	if (!usage)
		return pcrm__error(PCRM_EINVAL, "usage set export period: usage is NULL");
	if (!period || !*period || strlen(period) > PCRM__NAME_MAX)
		return pcrm__error(PCRM_EINVAL, "usage.export_periods: a period name is 1..%d bytes",
		                   PCRM__NAME_MAX);
	if ((rc = export_arg("usage.export_periods", kwh, PCRM__ENERGY_SCALE, &v)) < 0)
		return rc;
	if (usage->export_interval_count || usage->has_export_total)
		return pcrm__error(PCRM_EINVAL, "usage.export_periods: the usage already has %s",
		                   usage->has_export_total ? "an export total" : "export intervals");
	for (i = 0; i < usage->export_period_count; i++)
		if (strcmp(usage->export_periods[i].name, period) == 0)
			break;
	if (i == PCRM_TARIFF_MAX_PERIODS)
		return pcrm__error(PCRM_EINVAL, "usage.export_periods: more than %d periods",
		                   PCRM_TARIFF_MAX_PERIODS);
	if (i == usage->export_period_count) {
		memcpy(usage->export_periods[i].name, period, strlen(period) + 1);
		usage->export_period_count++;
	}
	usage->export_periods[i].kwh = v;
	return PCRM_OK;
}

int pcrm_usage_add_export_interval(pcrm_usage *usage, pcrm_time start, int seconds,
                                   pcrm_decimal kwh)
{
	struct pcrm__interval *grown;
	int64_t v;
	int rc;

	if (!usage)
		return pcrm__error(PCRM_EINVAL, "usage add export interval: usage is NULL");
	if (seconds != 300 && seconds != 600 && seconds != 900 && seconds != 1800 &&
	    seconds != 3600)
		return pcrm__error(PCRM_EINVAL, "usage.export_intervals[%zu].seconds: %d is not 300, "
		                   "600, 900, 1800 or 3600", usage->export_interval_count, seconds);
	if ((rc = export_arg("usage.export_intervals", kwh, PCRM__ENERGY_SCALE, &v)) < 0)
		return rc;
	if (usage->has_export_total || usage->export_period_count)
		return pcrm__error(PCRM_EINVAL, "usage.export_intervals: the usage already has %s",
		                   usage->has_export_total ? "an export total" : "export registers");
	if (usage->export_interval_count == usage->export_interval_cap) {
		size_t cap = usage->export_interval_cap ? usage->export_interval_cap * 2 : 256;
		if (cap > SIZE_MAX / sizeof(*grown) ||
		    !(grown = realloc(usage->export_intervals, cap * sizeof(*grown))))
			return pcrm__error_oom();
		usage->export_intervals = grown;
		usage->export_interval_cap = cap;
	}
	grown = &usage->export_intervals[usage->export_interval_count++];
	grown->start = start;
	grown->seconds = seconds;
	grown->kwh = v;
	return PCRM_OK;
}

int pcrm_usage_set_credit_brought_forward(pcrm_usage *usage, pcrm_decimal amount)
{
	if (!usage)
		return pcrm__error(PCRM_EINVAL, "usage set credit brought forward: usage is NULL");
	return export_arg("usage.credit_brought_forward", amount, PCRM__MONEY_SCALE,
	                  &usage->credit_brought_forward);
}

int pcrm__usage_has_exports(const pcrm_usage *u)
{
	return u->has_export_total || u->export_period_count || u->export_interval_count ||
	       u->credit_brought_forward;
}

/* ---- exports per period ---- */

int pcrm__usage_exports(const pcrm_tariff *t, const pcrm_usage *u, const pcrm_calendar *cal,
                        pcrm_date start, int64_t days, int64_t out[PCRM_TARIFF_MAX_PERIODS])
{
	struct pcrm__interval_totals totals;
	int rc, p;

	memset(out, 0, sizeof(int64_t) * PCRM_TARIFF_MAX_PERIODS);
	if (!pcrm__usage_has_exports(u))
		return PCRM_OK;
	if (t->net_mode == PCRM__NET_NONE)
		return pcrm__error(PCRM_EINVAL, "usage.%s: tariff %s has no net_metering section, so "
		                   "it cannot credit exported energy",
		                   u->credit_brought_forward ? "credit_brought_forward" : "exports",
		                   t->id);
	if (u->has_export_total) {
		if (t->period_count != 1)
			return pcrm__error(PCRM_EINVAL, "usage.export_total: tariff %s has %zu time-of-use "
			                   "periods; give the exports per period or as intervals", t->id,
			                   t->period_count);
		out[0] = u->export_total;
		return PCRM_OK;
	}
	for (size_t i = 0; i < u->export_period_count; i++) {
		if ((p = pcrm__tariff_period_index(t, u->export_periods[i].name)) < 0) {
			char q[PCRM_QUOTE_SIZE];
			pcrm__quote(u->export_periods[i].name, strlen(u->export_periods[i].name), q,
			            sizeof(q));
			return pcrm__error(PCRM_EINVAL, "usage.export_periods.%s: not a period of tariff "
			                   "%s", q, t->id);
		}
		out[p] = u->export_periods[i].kwh;
	}
	if (!u->export_interval_count)
		return PCRM_OK;
	/* the import intervals' path: the same checks, and the same local time across DST */
	if ((rc = pcrm__export_intervals_to_periods(t, u, pcrm_date_to_days(start), days, cal,
	                                            &totals)) < 0)
		return rc;
	memcpy(out, totals.energy, sizeof(totals.energy));
	return PCRM_OK;
}
