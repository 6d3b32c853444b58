/* Internal: the loaded tariff, the usage and the bill. */
#ifndef PCRM_TARIFF_INTERNAL_H
#define PCRM_TARIFF_INTERNAL_H

#include <stdatomic.h>

#include <powercrm/tariff.h>

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

struct pcrm__item {
	char *code;
	char *name;
	int64_t value; /* price (PRICE_SCALE) for funds, amount (MONEY_SCALE) for fixed charges */
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

	/* time of use: period index per month (0..11) and half hour; weekday and weekend */
	int has_tou;
	size_t period_count;
	char *periods[PCRM_TARIFF_MAX_PERIODS + 1]; /* NULL-terminated */
	unsigned char weekday[12][PCRM__DAY_SLOTS];
	unsigned char weekend[12][PCRM__DAY_SLOTS];
	int holidays_as_weekend;

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
