/*
 * libpowercrm - tariffs and bill computation (电价 / 电费).
 *
 * A tariff is a versioned JSON document (docs/tariff-format.md): id,
 * version, effective dates, currency, rounding, time-of-use periods, energy
 * prices with tiers (阶梯), basic (demand) charges of the two-part tariff,
 * international demand charges (flat by month, by TOU period), power-factor
 * adjustment (力率调整), government funds (政府性基金及附加), fixed and
 * minimum charges.  pcrm_tariff_load() validates the whole
 * document; an error names the JSON path of the bad field
 * ("energy.tiers[2].max: ...") and nothing is made.
 *
 * pcrm_bill_compute() is a pure function from (tariff, customer attributes,
 * period, usage) to an itemised bill: every line has a quantity, a unit
 * price, an amount rounded to the fen with the tariff's rounding mode, and a
 * machine-readable reason code; the total is the sum of the lines.  No
 * floating point takes part: money and energy are pcrm_decimal.
 *
 * Threads: a loaded tariff and a computed bill are immutable and may be
 * shared; a pcrm_usage is filled by one thread, then read-only.  A bill keeps
 * its tariff alive (reference counted), so the strings of its lines stay
 * valid after pcrm_tariff_free() until the bill is freed too.
 */
#ifndef POWERCRM_TARIFF_H
#define POWERCRM_TARIFF_H

#include <powercrm/common.h>
#include <powercrm/decimal.h>
#include <powercrm/time.h>
#include <powercrm/calendar.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Tariffs                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct pcrm_tariff pcrm_tariff;

/**
 * The most TOU periods, tiers (per period), funds and fixed charges a tariff
 * may have.  36 periods is the limit of NREL ssc's utility-rate module (its
 * schedules hold period numbers 1..36), so every URDB tariff ssc can bill
 * fits (it was 16; see CHANGELOG).
 */
#define PCRM_TARIFF_MAX_PERIODS 36
#define PCRM_TARIFF_MAX_TIERS 8
#define PCRM_TARIFF_MAX_ITEMS 16

/**
 * Loads a tariff from a JSON document (NUL-terminated).  The document is
 * validated completely; PCRM_EINVAL names the JSON path of the first bad
 * field, e.g. "energy.tiers[2].max: 400 is not above energy.tiers[1].max 400".
 * Prices and energies are decimal strings ("0.5283"); JSON numbers are
 * refused for them.  Free the result with pcrm_tariff_free().
 */
PCRM_EXTERN(int) pcrm_tariff_load(pcrm_tariff **out, const char *json);

/** Loads a tariff from a JSON file (PCRM_EIO when it cannot be read). */
PCRM_EXTERN(int) pcrm_tariff_load_file(pcrm_tariff **out, const char *path);

/** Releases the caller's reference; bills computed from it keep their own.  NULL is a no-op. */
PCRM_EXTERN(void) pcrm_tariff_free(pcrm_tariff *tariff);

/** The tariff's id; lives as long as the tariff (NULL for NULL). */
PCRM_EXTERN(const char *) pcrm_tariff_id(const pcrm_tariff *tariff);

/** The tariff's version number (>= 1; 0 for NULL). */
PCRM_EXTERN(int64_t) pcrm_tariff_version(const pcrm_tariff *tariff);

/** The ISO 4217 currency code ("CNY"); lives as long as the tariff. */
PCRM_EXTERN(const char *) pcrm_tariff_currency(const pcrm_tariff *tariff);

/** First day the tariff applies. */
PCRM_EXTERN(pcrm_date) pcrm_tariff_effective_from(const pcrm_tariff *tariff);

/** Last day the tariff applies (inclusive); {0, 0, 0} when open-ended. */
PCRM_EXTERN(pcrm_date) pcrm_tariff_effective_to(const pcrm_tariff *tariff);

/** Number of time-of-use periods (1 for a tariff without TOU: the period "all"). */
PCRM_EXTERN(size_t) pcrm_tariff_period_count(const pcrm_tariff *tariff);

/** Name of period i ("peak", "valley", ...); NULL when i is out of range. */
PCRM_EXTERN(const char *) pcrm_tariff_period_name(const pcrm_tariff *tariff, size_t i);

/**
 * The index of the TOU period that instant `t` belongs to, read as civil time
 * in the tariff's UTC offset.  With `cal` (optional) and a tariff whose
 * schedule says "holidays_as_weekend", a day the calendar says is not a
 * working day uses the weekend schedule (and a make-up working day the
 * weekday one); without it Saturday and Sunday are the weekend.
 */
PCRM_EXTERN(int) pcrm_tariff_period_at(const pcrm_tariff *tariff, pcrm_time t,
                                       const pcrm_calendar *cal, int *out);

/* ------------------------------------------------------------------------ */
/* Usage                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * What was consumed in the billing period: register readings (a total or an
 * energy per TOU period, optionally reactive energy and maximum demand) or
 * interval data (kWh per 5, 10, 15, 30 or 60 minutes).  Energies are kWh with
 * at most 6 decimals, non-negative.
 */
typedef struct pcrm_usage pcrm_usage;

/** Makes an empty usage; free it with pcrm_usage_free(). */
PCRM_EXTERN(int) pcrm_usage_new(pcrm_usage **out);

/** Frees a usage; NULL is a no-op. */
PCRM_EXTERN(void) pcrm_usage_free(pcrm_usage *usage);

/** Sets the total active energy register (for a tariff with one period). */
PCRM_EXTERN(int) pcrm_usage_set_total(pcrm_usage *usage, pcrm_decimal kwh);

/** Sets the active energy of the TOU period `period` (a name of the tariff's periods). */
PCRM_EXTERN(int) pcrm_usage_set_period(pcrm_usage *usage, const char *period, pcrm_decimal kwh);

/** Sets the reactive energy (kvarh) for the power-factor adjustment. */
PCRM_EXTERN(int) pcrm_usage_set_reactive(pcrm_usage *usage, pcrm_decimal kvarh);

/**
 * Sets the energy exported to the grid (kWh) in the billing period, for a
 * tariff with a net_metering section and one period (docs/tariff-format.md,
 * "Net metering and net billing").  Exports are a second channel beside the
 * imported energy: register or interval values stay non-negative imports.
 */
PCRM_EXTERN(int) pcrm_usage_set_export_total(pcrm_usage *usage, pcrm_decimal kwh);

/** Sets the energy exported within TOU period `period` (a name of the tariff's periods). */
PCRM_EXTERN(int) pcrm_usage_set_export_period(pcrm_usage *usage, const char *period,
                                              pcrm_decimal kwh);

/**
 * Appends one interval of exported energy (same rules as
 * pcrm_usage_add_interval(): 300..3600 seconds, aligned, no overlap among
 * the export intervals, an hour may not straddle two TOU periods).  Cannot
 * be mixed with export registers.
 */
PCRM_EXTERN(int) pcrm_usage_add_export_interval(pcrm_usage *usage, pcrm_time start, int seconds,
                                                pcrm_decimal kwh);

/**
 * Sets the net-metering credit brought forward from the previous bill (an
 * amount in the tariff's currency, 2 decimals, non-negative): the value of
 * pcrm_bill_credit_carried_forward() of that bill.
 */
PCRM_EXTERN(int) pcrm_usage_set_credit_brought_forward(pcrm_usage *usage, pcrm_decimal amount);

/** Sets the maximum demand (kW) read from the demand register. */
PCRM_EXTERN(int) pcrm_usage_set_max_demand(pcrm_usage *usage, pcrm_decimal kw);

/**
 * Sets the maximum demand (kW) within TOU period `period`, for tariffs with
 * demand charges by TOU period (interval data gives it without this call).
 */
PCRM_EXTERN(int) pcrm_usage_set_period_demand(pcrm_usage *usage, const char *period,
                                              pcrm_decimal kw);

/**
 * Appends one interval of metered energy starting at `start` and lasting
 * `seconds` (300, 600, 900, 1800 or 3600); `start` must be a multiple of
 * `seconds` within its hour.  Intervals may come in any order and must not
 * overlap; an hourly interval whose half hours fall in two TOU periods is
 * refused (all checked by pcrm_bill_compute()).  Cannot be mixed with
 * register energies.
 */
PCRM_EXTERN(int) pcrm_usage_add_interval(pcrm_usage *usage, pcrm_time start, int seconds,
                                         pcrm_decimal kwh);

/**
 * Sets the maximum demand (kW) of an earlier month, `months_ago` (1 = the
 * month before the bill's, up to 36) months before the month of the bill's
 * start, for a tariff with a demand ratchet (billing demand,
 * docs/tariff-format.md): `period` NULL for the month's maximum, or a
 * demand period name for a ratchet by TOU period.  Setting the same month
 * and period again replaces the value.  A billing run passes them from the
 * account's earlier bills itself.
 */
PCRM_EXTERN(int) pcrm_usage_set_prior_demand(pcrm_usage *usage, int months_ago,
                                             const char *period, pcrm_decimal kw);

/* ------------------------------------------------------------------------ */
/* Bills                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * How a two-part tariff's basic charge (基本电费) is computed for a customer
 * (发改办价格〔2016〕1583号): the mode is a term of the customer's contract.
 */
typedef enum pcrm_basic_mode {
	PCRM_BASIC_MODE_TARIFF = 0,          /**< the tariff's basic.default_mode (or its one mode) */
	PCRM_BASIC_MODE_CAPACITY = 1,        /**< 按变压器容量: contract_capacity_kva x price */
	PCRM_BASIC_MODE_CONTRACT_DEMAND = 2, /**< 按合同最大需量: the contract kW; above 105 % double */
	PCRM_BASIC_MODE_ACTUAL_DEMAND = 3    /**< 按实际最大需量: measured kW, floor a % of capacity */
} pcrm_basic_mode;

/** Customer attributes the tariff needs. */
typedef struct pcrm_bill_customer {
	int version;                       /**< PCRM_BILL_CUSTOMER_VERSION */
	const char *usage_class;           /**< optional; must match the tariff's usage_class when both are set */
	int household_size;                /**< persons; large households get raised tier thresholds */
	int low_income;                    /**< nonzero: the tariff's low-income free allowance applies */
	pcrm_decimal contract_capacity_kva; /**< basic charge by capacity (kVA) */
	pcrm_decimal contract_demand_kw;   /**< contracted demand (kW); zero = none (no excess) */
	int pf_standard;                   /**< power-factor standard in hundredths: 90, 85, 80, or 0 (none) */
	pcrm_decimal ytd_kwh;              /**< annual tiers: energy billed earlier in the tariff year */
	pcrm_decimal ytd_amount;           /**< annual minimum: charges billed earlier in the year */
	int year_end;                      /**< nonzero: this bill closes the year (annual minimum) */
	/* version 2 */
	pcrm_basic_mode basic_mode;        /**< the contract's basic-charge mode; 0 = the tariff's */
	/**
	 * The meter-reading cycle (抄表周期) the bill belongs to, inclusive; {0, 0, 0} for both
	 * means the calendar month of `start`.  A bill covering the whole cycle pays the whole
	 * monthly basic charge; a part of it (a new connection, a termination) pays per day.
	 */
	pcrm_date cycle_start, cycle_end;
} pcrm_bill_customer;

/** Version 1 (without basic_mode and the cycle) is still accepted. */
#define PCRM_BILL_CUSTOMER_VERSION 2
#define PCRM_BILL_CUSTOMER_INIT { PCRM_BILL_CUSTOMER_VERSION, NULL, 1, 0, { 0, 0 }, { 0, 0 }, 0, \
                                  { 0, 0 }, { 0, 0 }, 0, PCRM_BASIC_MODE_TARIFF, { 0, 0, 0 }, \
                                  { 0, 0, 0 } }

/** The reason of a bill line. */
typedef enum pcrm_bill_line_kind {
	PCRM_LINE_ENERGY = 0,           /**< "energy": kWh of one period in one tier */
	PCRM_LINE_LOW_INCOME,           /**< "low_income_allowance": free kWh credited (negative) */
	PCRM_LINE_BASIC_CAPACITY,       /**< "basic_capacity": contracted kVA x price per month */
	PCRM_LINE_BASIC_DEMAND,         /**< "basic_demand": no longer made (bills before the three modes) */
	PCRM_LINE_BASIC_DEMAND_EXCESS,  /**< "basic_demand_excess": no longer made (as basic_demand) */
	PCRM_LINE_POWER_FACTOR,         /**< "power_factor_adjustment": base x rate (negative = reduction) */
	PCRM_LINE_FUND,                 /**< "fund": a government fund or surcharge per kWh */
	PCRM_LINE_FIXED,                /**< "fixed_charge": a fixed amount per bill */
	PCRM_LINE_MINIMUM_MONTHLY,      /**< "minimum_monthly": top-up to the monthly minimum */
	PCRM_LINE_MINIMUM_ANNUAL,       /**< "minimum_annual": top-up to the annual minimum */
	PCRM_LINE_DEMAND_FLAT,          /**< "demand_flat": (billing) demand kW x the month's price, per tier */
	PCRM_LINE_DEMAND_TOU,           /**< "demand_tou": (billing) demand within a TOU / demand period x its price, per tier */
	PCRM_LINE_EXPORT_CREDIT,        /**< "export_credit": exported (net billing) or net excess (net metering) kWh x sell price, negative */
	PCRM_LINE_CREDIT_BROUGHT_FORWARD, /**< "credit_brought_forward": the previous bill's unused credit, negative */
	PCRM_LINE_CREDIT_CARRIED_FORWARD, /**< "credit_carried_forward": credit above the energy charges, taken back (positive) and carried to the next bill */
	PCRM_LINE_BASIC_CONTRACT_DEMAND, /**< "basic_contract_demand": the contracted kW x price (按合同最大需量) */
	PCRM_LINE_BASIC_CONTRACT_EXCESS, /**< "basic_contract_demand_excess": kW above 105 % of the contract x double price */
	PCRM_LINE_BASIC_ACTUAL_DEMAND   /**< "basic_actual_demand": measured kW (at least the floor) x price (按实际最大需量) */
} pcrm_bill_line_kind;

/** One line of a bill; its strings live as long as the bill. */
typedef struct pcrm_bill_line {
	pcrm_bill_line_kind kind;
	const char *code;          /**< the reason code: "energy", "basic_demand", "fund", ... */
	const char *period;        /**< TOU period name, or NULL */
	int tier;                  /**< tier number 1.., or 0 */
	const char *item;          /**< fund / fixed charge code from the tariff, or NULL */
	const char *name;          /**< fund / fixed charge display name, or NULL */
	pcrm_decimal quantity;     /**< kWh, kVA, kW, the base amount (power factor), or 1 */
	const char *unit;          /**< "kWh", "kVA", "kW", "CNY", "bill" */
	pcrm_decimal unit_price;   /**< price per unit (a rate for the power-factor line) */
	int prorate_days;          /**< basic charges of part of a cycle: days billed (/30 or /the cycle's days); else 0 */
	pcrm_decimal amount;       /**< rounded to the fen with the tariff's rounding */
} pcrm_bill_line;

typedef struct pcrm_bill pcrm_bill;

/**
 * Computes the bill of one customer for the days `start` .. `end`
 * (inclusive) from `usage`.  `cal` is optional (holidays as weekend days).
 * The period must lie within the tariff's effective dates and span at most
 * 366 days.  PCRM_EINVAL names what was wrong ("usage.intervals[17]: ...",
 * "customer.pf_standard: ...", "usage.reactive: ..." when the tariff needs
 * a value the usage lacks); PCRM_EOVERFLOW when an amount does not fit.
 * Lines come in this order: energy, low-income allowance, basic charges,
 * demand charges, power-factor adjustment, export credits and the
 * net-metering credit brought / carried forward, funds, fixed charges,
 * minimum top-ups (docs/tariff-format.md).
 * Free the result with pcrm_bill_free().
 */
PCRM_EXTERN(int) pcrm_bill_compute(const pcrm_tariff *tariff, const pcrm_bill_customer *customer,
                                   pcrm_date start, pcrm_date end, const pcrm_usage *usage,
                                   const pcrm_calendar *cal, pcrm_bill **out);

/** Frees a bill (and its reference to the tariff); NULL is a no-op. */
PCRM_EXTERN(void) pcrm_bill_free(pcrm_bill *bill);

/** Number of lines (0 for NULL). */
PCRM_EXTERN(size_t) pcrm_bill_line_count(const pcrm_bill *bill);

/** Line i, or NULL when out of range; lives as long as the bill. */
PCRM_EXTERN(const pcrm_bill_line *) pcrm_bill_line_at(const pcrm_bill *bill, size_t i);

/** The total: the sum of the lines' amounts. */
PCRM_EXTERN(pcrm_decimal) pcrm_bill_total(const pcrm_bill *bill);

/**
 * The net-metering credit carried forward to the next bill (2 decimals;
 * zero when there is none): give it to that bill's usage with
 * pcrm_usage_set_credit_brought_forward().
 */
PCRM_EXTERN(pcrm_decimal) pcrm_bill_credit_carried_forward(const pcrm_bill *bill);

/** The active energy billed (kWh). */
PCRM_EXTERN(pcrm_decimal) pcrm_bill_energy(const pcrm_bill *bill);

/** Id of the tariff the bill was computed with; lives as long as the bill. */
PCRM_EXTERN(const char *) pcrm_bill_tariff_id(const pcrm_bill *bill);

/** Version of the tariff the bill was computed with. */
PCRM_EXTERN(int64_t) pcrm_bill_tariff_version(const pcrm_bill *bill);

/**
 * First day of the billing period (the usage's `start`); {0, 0, 0} for NULL.
 * With pcrm_bill_period_end() it saves reading the bill's JSON for the dates.
 */
PCRM_EXTERN(pcrm_date) pcrm_bill_period_start(const pcrm_bill *bill);

/** Last day of the billing period, inclusive (the usage's `end`); {0, 0, 0} for NULL. */
PCRM_EXTERN(pcrm_date) pcrm_bill_period_end(const pcrm_bill *bill);

/**
 * The monthly average power factor used for the adjustment (2 decimals);
 * PCRM_ENOTFOUND when the bill has no power-factor adjustment.
 */
PCRM_EXTERN(int) pcrm_bill_power_factor(const pcrm_bill *bill, pcrm_decimal *out);

/**
 * The measured maximum demand (kW) of the bill's usage (the demand register,
 * or the largest interval), before any ratchet or floor: what a later
 * month's ratchet looks back at (the bill's JSON carries it as
 * "max_demand_kw").  PCRM_ENOTFOUND when the usage had none.
 */
PCRM_EXTERN(int) pcrm_bill_max_demand(const pcrm_bill *bill, pcrm_decimal *out);

/** Bytes pcrm_bill_to_json() needs, including the NUL (0 for NULL). */
PCRM_EXTERN(size_t) pcrm_bill_json_size(const pcrm_bill *bill);

/**
 * Writes the bill as one JSON object (tariff id and version, period, lines,
 * total; decimals as strings) into buf.  PCRM_EINVAL when size is too small
 * (the message says how many bytes are needed).
 */
PCRM_EXTERN(int) pcrm_bill_to_json(const pcrm_bill *bill, char *buf, size_t size);

/* ------------------------------------------------------------------------ */
/* Tier position (阶梯档位)                                                  */
/* ------------------------------------------------------------------------ */

/** Where a customer stands on a tariff's energy tiers, or why no tier applies. */
typedef enum pcrm_tier_status {
	PCRM_TIER_POSITIONED = 0,   /**< annual tiers: tier, lower, upper and remaining are set */
	PCRM_TIER_NO_TIERS,         /**< the tariff has no energy tiers */
	PCRM_TIER_NOT_ANNUAL,       /**< tiers start again every bill (monthly, daily, energy.rates): no position over the year */
	PCRM_TIER_NOT_RESIDENTIAL,  /**< pcrm_tier_position_get(): the customer is not residential */
	PCRM_TIER_NO_BILL           /**< pcrm_tier_position_get(): no bill yet, so no tariff is known */
} pcrm_tier_status;

/** A caller-allocated output: start from PCRM_TIER_POSITION_INIT (docs/abi.md). */
typedef struct pcrm_tier_position {
	unsigned int version;      /**< PCRM_TIER_POSITION_VERSION, set by the caller */
	pcrm_tier_status status;
	int year;                  /**< the tariff year: the calendar year of the date asked about */
	int tier_count;            /**< the tariff's energy tiers (0: none) */
	int tier;                  /**< 1..tier_count when POSITIONED, else 0 */
	int last_tier;             /**< nonzero: in the open-ended top tier (no upper threshold) */
	pcrm_decimal energy;       /**< kWh counted against the tiers: billed earlier in the year */
	pcrm_decimal lower;        /**< the tier's lower threshold (kWh; 0 for the first tier) */
	pcrm_decimal upper;        /**< the tier's upper threshold (kWh; 0 in the top tier) */
	pcrm_decimal remaining;    /**< upper - energy: kWh left before the next tier (0 in the top tier) */
	/* filled by pcrm_tier_position_get() only ("" / 0 from pcrm_tariff_tier_position()) */
	char account_no[65];       /**< the account the position is of */
	char tariff_id[65];        /**< the tariff it was read from */
	int64_t tariff_version;
} pcrm_tier_position;

/** The layout of pcrm_tier_position this header describes. */
#define PCRM_TIER_POSITION_VERSION 1
/** A pcrm_tier_position to pass to the library: its version set, every other field zero. */
#define PCRM_TIER_POSITION_INIT { .version = PCRM_TIER_POSITION_VERSION }

/**
 * Where `energy` kWh billed earlier in the tariff year put a customer of
 * `household_size` persons (0..1000) on the annual tiers of `tariff` on
 * date `on`: the tier the next kWh is billed in, its thresholds (the month
 * of `on` chooses seasonal thresholds; households of large_household.min_size
 * or more get the raised ones) and the kWh left before the next tier.
 * These are the thresholds pcrm_bill_compute() splits a bill's energy at
 * (one function computes them for both), and a bill starting at `energy`
 * bills its first kWh in `tier`: a tier holds the energy above its lower
 * threshold up to and including its upper one, so energy that reached a
 * threshold has filled the tier below and stands in the next one
 * (`remaining` is never 0 below the top tier).
 *
 * A tariff without tiers gives PCRM_TIER_NO_TIERS, one whose tiers start
 * again every bill (monthly, daily, energy.rates) PCRM_TIER_NOT_ANNUAL,
 * both with `tier` 0; that is an answer, not an error.  Pure: reads only
 * the tariff.  PCRM_EINVAL names `out.version`, "household_size", "on" or
 * "energy" (negative, or more than 6 decimals).
 */
PCRM_EXTERN(int) pcrm_tariff_tier_position(const pcrm_tariff *tariff, int household_size,
                                           pcrm_date on, pcrm_decimal energy,
                                           pcrm_tier_position *out);

/* ------------------------------------------------------------------------ */
/* Power factor and late-payment penalty                                    */
/* ------------------------------------------------------------------------ */

/**
 * The monthly average power factor P / sqrt(P^2 + Q^2) of active energy
 * `kwh` and reactive energy `kvarh`, rounded half-up to 2 decimals, computed
 * exactly (no square root is taken).  PCRM_EINVAL for negative values or
 * both zero; PCRM_EOVERFLOW for energies above 3.6e10.
 */
PCRM_EXTERN(int) pcrm_power_factor(pcrm_decimal kwh, pcrm_decimal kvarh, pcrm_decimal *out);

/**
 * The adjustment rate of the 1983 rules (功率因数调整电费办法) for a power
 * factor `pf` (2 decimals) and a standard of 90, 85 or 80 hundredths: 0.02
 * for +2 %, -0.0075 for a 0.75 % reduction.  PCRM_EINVAL for another
 * standard or a power factor outside 0..1.
 */
PCRM_EXTERN(int) pcrm_power_factor_rate(pcrm_decimal pf, int standard, pcrm_decimal *out);

/**
 * The late-payment penalty (电费违约金) for `days` days after the due date:
 * residential customers 1 per mille per day on all arrears; others 2 per
 * mille on `current_year` arrears and 3 per mille on `earlier_years`
 * arrears.  Rounded half-up to the fen; a positive penalty below 1.00 is
 * charged as 1.00.  PCRM_EINVAL for negative arrears or days.
 */
PCRM_EXTERN(int) pcrm_late_fee(pcrm_decimal current_year, pcrm_decimal earlier_years, int days,
                               int residential, pcrm_decimal *out);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_TARIFF_H */
