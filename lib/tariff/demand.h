/*
 * Internal: the demand side of a tariff (docs/tariff-format.md, "basic" and
 * "demand_charges"): the Chinese basic charge in its three modes, and the
 * international demand charges with tiers, a demand schedule of their own
 * and ratchets.  Loaded by demand_load.c, billed by demand.c; bill.c calls
 * in through pcrm__demand_lines().
 */
#ifndef PCRM_TARIFF_DEMAND_H
#define PCRM_TARIFF_DEMAND_H

#include <jansson.h>

#include <powercrm/tariff.h>

struct pcrm_tariff;
struct pcrm_bill;

/** Tiers of one demand charge: kW in [max[i-1], max[i]) at price[i]; the last is open-ended. */
#define PCRM__DEMAND_MAX_TIERS 8
/** Months a ratchet may look back (URDB lookbackRange, ssc's lookback period). */
#define PCRM__RATCHET_MAX_MONTHS 36

struct pcrm__demand_tiers {
	size_t count;                           /* 0: no charge */
	int64_t max[PCRM__DEMAND_MAX_TIERS];    /* kW, ENERGY_SCALE; the last is unused */
	int64_t price[PCRM__DEMAND_MAX_TIERS];  /* per kW, PRICE_SCALE */
};

/* Chinese basic charge (基本电费): what the tariff offers, per mode. */
struct pcrm__basic {
	int offered[4];            /* indexed by pcrm_basic_mode (CAPACITY..ACTUAL_DEMAND) */
	int64_t price[4];          /* PRICE_SCALE, per kVA or kW per month */
	pcrm_basic_mode default_mode;
	int legacy_demand;         /* "kind": "demand": contract mode with a contract, else actual */
	int64_t excess_threshold;  /* PRICE_SCALE fraction: 1.05 */
	int64_t excess_multiplier; /* PRICE_SCALE: 2 */
	int64_t actual_floor;      /* PRICE_SCALE fraction of the capacity: 0.40; 0 = none */
	int calendar_days;         /* proration per day: 1 / days of the cycle (2024 rule), else 1/30 */
};

struct pcrm__demand {
	/* a demand schedule of its own (URDB demandweekdayschedule / demandweekendschedule) */
	int has_schedule;
	size_t period_count;
	char *periods[PCRM_TARIFF_MAX_PERIODS + 1]; /* NULL-terminated; the energy periods' names without a schedule */
	unsigned char weekday[12][48], weekend[12][48];
	/* by TOU (demand) period, and flat by month */
	int has_tou, has_flat;
	struct pcrm__demand_tiers tou[PCRM_TARIFF_MAX_PERIODS];
	struct pcrm__demand_tiers flat[12];
	/* ratchet: billing demand = max(measured, percent x highest earlier demand, minimum) */
	int has_ratchet;
	int ratchet_by_period;     /* 0: the month's maximum (flat charges); 1: also each TOU period */
	int ratchet_months;        /* look back 1..PCRM__RATCHET_MAX_MONTHS months */
	unsigned ratchet_month_mask; /* bit m: an earlier demand of calendar month m counts */
	int64_t ratchet_percent;   /* PRICE_SCALE fraction: 0.80 */
	int64_t ratchet_minimum;   /* kW, ENERGY_SCALE; 0 = none */
};

/* A demand of an earlier month given with pcrm_usage_set_prior_demand(). */
struct pcrm__prior_demand {
	int months_ago;                  /* 1..PCRM__RATCHET_MAX_MONTHS */
	char period[32 + 1];             /* "" = the month's maximum */
	int64_t kw;                      /* ENERGY_SCALE */
};

/* What demand.c needs of a bill being computed (filled by bill.c). */
struct pcrm__demand_in {
	const struct pcrm_tariff *t;
	const pcrm_bill_customer *c;
	const pcrm_usage *u;
	const pcrm_calendar *cal;
	pcrm_date start, end;
	int64_t first_day, days;
	const int64_t *energy;           /* per energy period, ENERGY_SCALE */
	int has_max_demand;
	int64_t max_demand;              /* kW, ENERGY_SCALE */
	const int *has_period_demand;    /* per energy period (interval data or registers) */
	const int64_t *period_demand;
};

/* ---- tariff_load.c's readers, shared with demand_load.c ---- */

/* pcrm__tariff_get_dec() and pcrm__tariff_period_index(): tariff_internal.h. */
/* An integer min..max. */
int pcrm__tariff_get_int(const char *path, const json_t *v, int min, int max, int *out);
/* A list of months 1..12 into a mask (bit m for month m). */
int pcrm__tariff_get_months(const char *path, const json_t *v, unsigned *mask);
/* A period name (1..32 bytes), copied into *out when out is not NULL. */
int pcrm__tariff_get_name(const char *path, const json_t *v, char **out);

/* ---- loading (demand_load.c) ---- */

/* "basic" of the document into t->basic (allocated). */
int pcrm__basic_load(json_t *v, struct pcrm_tariff *t);
/* "demand_charges" of the document into t->demand (allocated). */
int pcrm__demand_load(json_t *v, struct pcrm_tariff *t);
/* Frees what the two loaders allocated. */
void pcrm__demand_clear(struct pcrm_tariff *t);
/* Lines the demand side may add to a bill (for the bill's allocation). */
size_t pcrm__demand_line_count(const struct pcrm_tariff *t);

/* ---- billing (demand.c) ---- */

/* How many months a tariff's ratchet looks back (0: no ratchet): what a billing run reads. */
int pcrm__tariff_ratchet_months(const struct pcrm_tariff *t);

/* Appends the basic charge lines, then the demand charge lines. */
int pcrm__demand_lines(const struct pcrm__demand_in *in, struct pcrm_bill *bill);

#endif
