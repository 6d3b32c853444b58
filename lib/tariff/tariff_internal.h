/* Internal: the loaded tariff, the usage and the bill. */
#ifndef PCRM_TARIFF_INTERNAL_H
#define PCRM_TARIFF_INTERNAL_H

#include <stdatomic.h>

#include <powercrm/tariff.h>

#include "core/error.h"

/* Internal fixed scales: energies in micro-kWh, prices in 1e-8 yuan. */
#define PCRM__ENERGY_SCALE 6
#define PCRM__PRICE_SCALE 8
#define PCRM__MONEY_SCALE 2

/* TOU schedules are kept per half hour (bands may change on the half hour). */
#define PCRM__DAY_SLOTS 48

/* Longest period name, fund / fixed charge code. */
#define PCRM__NAME_MAX 32

enum pcrm__tier_kind { PCRM__TIER_PRICE = 1, PCRM__TIER_SURCHARGE = 2 };
enum pcrm__tier_basis { PCRM__BASIS_MONTHLY = 0, PCRM__BASIS_ANNUAL, PCRM__BASIS_DAILY };
/* What an energy.rates tier maximum counts (URDB's "kWh", "kWh daily", "kWh/kW"). */
enum pcrm__max_unit { PCRM__MAX_KWH = 0, PCRM__MAX_KWH_DAILY, PCRM__MAX_KWH_PER_KW };
enum pcrm__net_mode { PCRM__NET_NONE = 0, PCRM__NET_METERING, PCRM__NET_BILLING };

struct pcrm__item {
	char *code;
	char *name;
	int64_t value; /* price (PRICE_SCALE) for funds, amount (MONEY_SCALE) for fixed charges */
};

/* One tier of a period's own prices (energy.rates.PERIOD[i]). */
struct pcrm__rate_tier {
	int64_t max;   /* ENERGY_SCALE, in `unit`; unused for the last tier */
	int unit;      /* enum pcrm__max_unit */
	int64_t price; /* PRICE_SCALE: price + adjustment */
};

struct pcrm__period_rates {
	size_t tier_count; /* >= 1 */
	struct pcrm__rate_tier tiers[PCRM_TARIFF_MAX_TIERS];
};

struct pcrm_tariff {
	atomic_int refs;
	char *id;
	int64_t version;
	char *usage_class;
	char currency[4];
	pcrm_date from, to;
	int has_to;
	pcrm_rounding rounding;
	int utc_offset;
	struct pcrm__zone *zone; /* "time_zone": NULL = the fixed utc_offset (zone.h) */

	/* time of use: period index per month (0..11) and half hour; weekday and weekend */
	int has_tou;
	size_t period_count;
	char *periods[PCRM_TARIFF_MAX_PERIODS + 1]; /* NULL-terminated */
	unsigned char weekday[12][PCRM__DAY_SLOTS];
	unsigned char weekend[12][PCRM__DAY_SLOTS];
	int holidays_as_weekend;
	/*
	 * Derived from the schedule for interval data (interval.c): the period of
	 * each whole hour, or 0xFF when its half hours differ; and for each half
	 * hour, the first later half hour of another period (48: none that day).
	 */
	unsigned char weekday_hour[12][24];
	unsigned char weekend_hour[12][24];
	unsigned char weekday_run_end[12][PCRM__DAY_SLOTS];
	unsigned char weekend_run_end[12][PCRM__DAY_SLOTS];

	/* energy: base price per period (PRICE_SCALE); tiers */
	int64_t period_price[PCRM_TARIFF_MAX_PERIODS];
	size_t tier_count; /* 0 = no tiers */
	int tier_kind;
	int tier_basis;
	int64_t tier_max[12][PCRM_TARIFF_MAX_TIERS]; /* ENERGY_SCALE, by month; last is unused */
	int64_t tier_price[PCRM_TARIFF_MAX_TIERS];    /* absolute price or surcharge */
	int large_household_min;                      /* 0 = none */
	int64_t large_household_extra[PCRM_TARIFF_MAX_TIERS];
	int has_low_income;
	int64_t low_income_kwh;   /* ENERGY_SCALE */
	int64_t low_income_price; /* PRICE_SCALE */
	/* energy.rates: prices and tier maxima per (period, tier); replaces the above */
	int has_period_rates;
	int rates_need_demand; /* a tier maximum is in kWh per kW */
	size_t rates_max_tiers;
	struct pcrm__period_rates rates[PCRM_TARIFF_MAX_PERIODS];

	/* net metering / net billing: exported energy credited at a sell price per period */
	int net_mode; /* enum pcrm__net_mode */
	int64_t sell_price[PCRM_TARIFF_MAX_PERIODS]; /* PRICE_SCALE */

	/* the demand side (demand.h): basic charge modes, demand charges; NULL when absent */
	struct pcrm__basic *basic;
	struct pcrm__demand *demand;

	int pf_adjust;

	size_t fund_count, fixed_count;
	struct pcrm__item funds[PCRM_TARIFF_MAX_ITEMS];
	struct pcrm__item fixed[PCRM_TARIFF_MAX_ITEMS];

	int has_min_monthly, has_min_annual;
	int64_t min_monthly, min_annual; /* MONEY_SCALE */
};

struct pcrm__period_kwh {
	char name[PCRM__NAME_MAX + 1];
	int64_t kwh; /* ENERGY_SCALE */
};

struct pcrm__interval {
	pcrm_time start;
	int32_t seconds;
	int64_t kwh; /* ENERGY_SCALE */
};

struct pcrm_usage {
	int has_total;
	int64_t total;
	size_t period_count;
	struct pcrm__period_kwh periods[PCRM_TARIFF_MAX_PERIODS];
	size_t demand_count; /* maximum demand per TOU period (kW, ENERGY_SCALE) */
	struct pcrm__period_kwh demands[PCRM_TARIFF_MAX_PERIODS];
	int has_reactive, has_max_demand;
	int64_t reactive;   /* ENERGY_SCALE */
	int64_t max_demand; /* ENERGY_SCALE (kW) */
	size_t interval_count, interval_cap;
	struct pcrm__interval *intervals;
	/* exported energy (net metering): a total, per period or intervals */
	int has_export_total;
	int64_t export_total; /* ENERGY_SCALE */
	size_t export_period_count;
	struct pcrm__period_kwh export_periods[PCRM_TARIFF_MAX_PERIODS];
	size_t export_interval_count, export_interval_cap;
	struct pcrm__interval *export_intervals;
	int64_t credit_brought_forward; /* MONEY_SCALE */
	size_t prior_count, prior_cap; /* demands of earlier months (ratchets), demand.c */
	struct pcrm__prior_demand *prior;
};

struct pcrm_bill {
	pcrm_tariff *tariff; /* a reference */
	pcrm_date start, end;
	int has_pf;
	pcrm_decimal pf;
	int has_max_demand;       /* the measured maximum demand, for later months' ratchets */
	pcrm_decimal max_demand;
	pcrm_decimal total;
	pcrm_decimal energy;
	pcrm_decimal credit_carried; /* net metering: credit for the next bill */
	size_t count, cap;
	pcrm_bill_line lines[];
};

/* Takes a reference to a tariff (bills keep theirs). */
void pcrm__tariff_ref(pcrm_tariff *t);

/* The period of half-hour `slot` (0..47) of a day in `month` (1..12) (weekend days: nonzero). */
static inline int pcrm__tariff_period(const pcrm_tariff *t, int month, int slot, int weekend)
{
	return weekend ? t->weekend[month - 1][slot] : t->weekday[month - 1][slot];
}

/*
 * A given decimal brought exactly to `scale`: PCRM_EINVAL naming `what` when
 * digits would be lost or it does not fit (it is input, not arithmetic).
 */
int pcrm__to_fixed(const char *what, pcrm_decimal d, int scale, int64_t *out);

/*
 * Whether a bill of this tariff reads what the customer was billed earlier
 * in the year (pcrm_bill_customer.ytd_kwh / ytd_amount): annual tiers
 * always, an annual minimum in the bill that closes the year (`year_end`
 * nonzero).  A billing run reads the year's earlier bills only then.
 */
int pcrm__tariff_uses_year_to_date(const pcrm_tariff *t, int year_end);

/*
 * The upper threshold (ENERGY_SCALE) of tier i (not the last) of the
 * tariff's global tiers for a bill starting in `month` (1..12, seasonal
 * thresholds) of `days` days (daily basis), raised for a household of
 * `household_size` (tiers.c): what bills split energy at and what
 * pcrm_tariff_tier_position() measures against.
 */
int pcrm__tier_threshold(const pcrm_tariff *t, int month, size_t i, int household_size,
                         int64_t days, int64_t *out);

/* What interval data adds up to, per TOU period (interval.c). */
struct pcrm__interval_totals {
	int64_t energy[PCRM_TARIFF_MAX_PERIODS]; /* ENERGY_SCALE */
	int has_max_demand;
	int64_t max_demand; /* kW, ENERGY_SCALE: the largest kWh x 3600 / seconds */
	int has_period_demand[PCRM_TARIFF_MAX_PERIODS];
	int64_t period_demand[PCRM_TARIFF_MAX_PERIODS];
};

/* Fills the interval tables (weekday_hour, ..._run_end) from the schedule (after loading). */
void pcrm__tariff_index_hours(pcrm_tariff *t);

/*
 * Sums interval data into TOU periods for the local days [first_day,
 * first_day + days) (days since 1970-01-01): each interval goes to the
 * period of its start's local clock time (the tariff's zone or fixed
 * offset).  Refuses, naming the interval, one outside the period, not
 * aligned to its length, overlapping an earlier one, or an hour that spans
 * two periods; PCRM_EOVERFLOW for a sum or demand that does not fit.
 */
int pcrm__intervals_to_periods(const pcrm_tariff *t, const pcrm_usage *u, int64_t first_day,
                               int64_t days, const pcrm_calendar *cal,
                               struct pcrm__interval_totals *out);

/*
 * The same for the usage's export intervals (net_metering.c), with the same
 * checks and errors naming usage.export_intervals[i]: local time through
 * the tariff's zone, so a 25-hour autumn day's repeated hour is two hours,
 * not an overlap.
 */
int pcrm__export_intervals_to_periods(const pcrm_tariff *t, const pcrm_usage *u,
                                      int64_t first_day, int64_t days, const pcrm_calendar *cal,
                                      struct pcrm__interval_totals *out);
/* ---- helpers of the document loader, shared by its part loaders ---- */

struct json_t;

/* Formats a JSON path into buf (PCRM__PATH_SIZE bytes). */
#define PCRM__PATH_SIZE 128
void pcrm__tariff_path(char *buf, const char *fmt, ...) PCRM_PRINTF(2, 3);

/* A decimal string exact at `scale` digits (>= 0 unless negative_ok); errors name `path`. */
int pcrm__tariff_get_dec(const char *path, const struct json_t *v, int scale, int negative_ok,
                         int64_t *out);

/* The index of a period name, or -1. */
int pcrm__tariff_period_index(const pcrm_tariff *t, const char *name);

/* A 12 x 24 schedule of period indexes 0..periods-1 into half-hour slots; errors name `path`. */
int pcrm__tariff_load_matrix(const char *path, const struct json_t *v, size_t periods,
                             unsigned char out[12][PCRM__DAY_SLOTS]);

/* energy.rates (energy_rates.c): prices and tier maxima per period. */
int pcrm__load_energy_rates(const struct json_t *v, pcrm_tariff *t);

/* net_metering (net_metering.c). */
int pcrm__load_net_metering(const struct json_t *v, pcrm_tariff *t);

/*
 * The exported energy of each period (ENERGY_SCALE) for the bill of days
 * start .. start + days - 1 (net_metering.c); PCRM_EINVAL names the usage
 * field at fault, e.g. when the tariff has no net_metering section.
 */
int pcrm__usage_exports(const pcrm_tariff *t, const pcrm_usage *u, const pcrm_calendar *cal,
                        pcrm_date start, int64_t days, int64_t out[PCRM_TARIFF_MAX_PERIODS]);

/* Whether the usage carries exports or a brought-forward credit. */
int pcrm__usage_has_exports(const pcrm_usage *u);

/* Frees what the loader allocated in a tariff (not the tariff itself). */
void pcrm__tariff_clear(pcrm_tariff *t);

/* Appends a zeroed line to a bill (its room was reserved when it was allocated). */
pcrm_bill_line *pcrm__bill_add_line(pcrm_bill *b, pcrm_bill_line_kind kind, const char *code,
                                    const char *unit);

/*
 * round(a * b * num / (d1 * d2)) with the rounding `mode`, exact (128-bit);
 * PCRM_EOVERFLOW when it does not fit.  For amounts: a = kW (ENERGY_SCALE),
 * b = price (PRICE_SCALE), d2 = PCRM__EP_TO_MONEY.
 */
int pcrm__frac_round(int64_t a, int64_t b, int64_t num, int64_t d1, int64_t d2,
                     pcrm_rounding mode, int64_t *out);
#define PCRM__EP_TO_MONEY INT64_C(1000000000000)

/* A decimal for display: trailing zeros dropped down to min_scale digits. */
pcrm_decimal pcrm__trim(int64_t units, int scale, int min_scale);

/** pcrm_bill_to_json()'s text, rendered once (malloc'd; NULL when out of memory). */
char *pcrm__bill_json_text(const pcrm_bill *bill);

#endif
