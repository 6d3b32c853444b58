/*
 * libpowercrm - accounts, metering points, meters and readings (计量).
 *
 * A customer (customer.h) has one or more billing accounts; each account
 * has metering points (计量点); a metering point has at most one meter in
 * service at a time, and keeps the history of every meter installed,
 * removed and replaced there.  A meter has registers (total, peak, flat,
 * valley, critical peak, reactive, maximum demand), a multiplier (倍率: the
 * CT x PT ratio the readings are multiplied by) and a display of `digits`
 * integer digits, after which a cumulative register rolls over to zero.
 *
 * Readings, multipliers and energies are exact decimals (pcrm_decimal);
 * nothing here uses binary floating point.  In JSON documents decimals are
 * strings ("40", "0.5", "12345.67"); JSON numbers are refused for them, since
 * a JSON parser reads them through a double.
 *
 * Energy of a cumulative register: (reading - previous reading) x
 * multiplier; after a rollover, (10^digits - previous + reading) x
 * multiplier.  The first reading after installation is measured against the
 * installation's initial reading; a removal (or replacement) records the
 * old meter's final readings, which close it.  The maximum-demand register
 * is not cumulative: its reading is the demand itself, its "energy" is
 * reading x multiplier (the demand in kW), nothing is subtracted and a lower
 * reading than the last one is normal.
 *
 * Permissions: reading needs PCRM_PERM_ARCHIVE_READ, every change
 * PCRM_PERM_ARCHIVE_WRITE, both on the owning customer's org unit, which
 * must lie in the actor's subtree (township stations read but never write).
 * A denial is PCRM_EPERM and leaves only a "permission.denied" audit entry.
 * Every change, readings included, appends one audit entry in its own
 * transaction.  Nothing changes for a customer that is closed (PCRM_ESTATE).
 *
 * Formats and rules in detail: docs/metering.md.
 */
#ifndef POWERCRM_METERING_H
#define POWERCRM_METERING_H

#include <powercrm/actor.h>
#include <powercrm/common.h>
#include <powercrm/ctx.h>
#include <powercrm/decimal.h>
#include <powercrm/time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- registers ---- */

/** A register of a meter.  Values are stable; new ones are appended. */
typedef enum pcrm_register {
	PCRM_REGISTER_TOTAL = 1,         /**< "total": 总 active energy, kWh */
	PCRM_REGISTER_PEAK = 2,          /**< "peak": 峰 */
	PCRM_REGISTER_FLAT = 3,          /**< "flat": 平 */
	PCRM_REGISTER_VALLEY = 4,        /**< "valley": 谷 */
	PCRM_REGISTER_CRITICAL_PEAK = 5, /**< "critical_peak": 尖峰 */
	PCRM_REGISTER_REACTIVE = 6,      /**< "reactive": 无功, kvarh */
	PCRM_REGISTER_MAX_DEMAND = 7     /**< "max_demand": 最大需量, kW; not cumulative */
} pcrm_register;

/** The bit of `reg` in a register set (pcrm_meter_installation.registers). */
#define PCRM_REGISTER_BIT(reg) (1u << (unsigned int)(reg))

/** "total", "peak", ...; NULL for a value that is not a pcrm_register. */
PCRM_EXTERN(const char *) pcrm_register_name(pcrm_register reg);

/** Parses a name as returned by pcrm_register_name(); PCRM_EINVAL lists the names. */
PCRM_EXTERN(int) pcrm_register_parse(const char *name, pcrm_register *out);

/** Nonzero for registers that count up (all but PCRM_REGISTER_MAX_DEMAND). */
PCRM_EXTERN(int) pcrm_register_is_cumulative(pcrm_register reg);

/* ---- accounts (账户) ---- */

typedef struct pcrm_account pcrm_account;
typedef struct pcrm_account_list pcrm_account_list;

/**
 * Creates a billing account of customer `customer_no` from a JSON object:
 * account_no (unique across all customers), name, payment_method ("cash",
 * "bank_collection" or "prepaid"), bank and bank_account (8..32 digits;
 * required for bank_collection, refused otherwise; stored sealed, so only a
 * context with the data key stores one, PCRM_EPERM naming bank_account
 * otherwise; read back as its mask: pcrm_account_bank_account_reveal()),
 * status ("active" by default,
 * "suspended", "closed"), and the contract terms of a two-part (两部制)
 * account, each optional: contract_capacity_kva (合同容量, kVA) and
 * contract_demand_kw (需量核定值, kW) as decimal strings above 0 with at most
 * 6 decimals, pf_standard (功率因数考核标准) "0.90", "0.85" or "0.80",
 * supply_start and supply_end ("YYYY-MM-DD", the first and last day of
 * supply, end not before start) (see pcrm_contract_terms).  PCRM_EINVAL names the field, PCRM_EDUPLICATE
 * when the account number is taken, PCRM_EPERM when the customer does
 * not exist or lies outside the actor's subtree (alike: org.h), PCRM_ESTATE
 * when it is closed.  `out` may be NULL; otherwise it
 * receives the stored account (free with pcrm_account_free()).
 */
PCRM_EXTERN(int) pcrm_account_create(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *customer_no, const char *json,
                                     pcrm_account **out);

/**
 * Reads an account (free with pcrm_account_free()).  An account number
 * nobody has is refused like one of another unit: PCRM_EPERM, one message.
 * So are the metering points, meters and readings below, by number.
 */
PCRM_EXTERN(int) pcrm_account_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                                  pcrm_account **out);

/**
 * Changes the fields present in `patch_json` (null removes an optional
 * field; account_no cannot change).  `expected_version` is the version the
 * caller read: PCRM_ECONFLICT when the account changed since.  A closed
 * account cannot change (PCRM_ESTATE), and an account with active metering
 * points cannot be closed (PCRM_ESTATE).  `out` may be NULL.
 */
PCRM_EXTERN(int) pcrm_account_update(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *account_no, const char *patch_json,
                                     int expected_version, pcrm_account **out);

/**
 * The bank account number of a bank-collection account in clear, for what
 * must give it to the bank (the collection file of a bank-collection run):
 * *out receives it (malloc'd; wipe and free it with pcrm_free() as soon as
 * it is handed on).  Everywhere else (pcrm_account_json(), lists, the audit
 * log) an account shows only its mask ("6222***********4567": the last 4
 * digits, and the first 4 when it has 16 or more), since the number is
 * stored sealed under the customer's data key (docs/security.md, "Personal
 * data").  Needs PCRM_PERM_BANK_RECONCILE on the customer's unit (an
 * account nobody has is refused like one of another unit: PCRM_EPERM, one
 * message) and a context with the data key (PCRM_EPERM naming bank_account
 * without).  PCRM_ESTATE when the account is not a bank collection, or when
 * its customer's personal data was erased (pcrm_customer_erase(): the
 * number is gone for good).  Audited ("account.reveal_bank_account", with
 * the mask only).
 */
PCRM_EXTERN(int) pcrm_account_bank_account_reveal(pcrm_ctx *ctx, const pcrm_actor *actor,
                                                  const char *account_no, char **out);

/**
 * Seals the bank account numbers of accounts written before schema 28
 * (which kept them in clear in the document): at most `batch` accounts
 * (1..10000; 0 = 1000) of the actor's subtree, in one transaction, with one
 * "account.reseal" audit entry naming them.  Afterwards each holds the
 * number sealed under its customer's data key and a mask in its document,
 * as accounts written since.  *remaining (may be NULL) receives how many
 * such accounts the subtree still has: call again until it is 0 (a call
 * that fails changes nothing, so calling again resumes).  Accounts of
 * erased customers are not counted (erasure masked them).  Needs the data
 * key (PCRM_EPERM without) and PCRM_PERM_ARCHIVE_WRITE on the actor's unit.
 */
PCRM_EXTERN(int) pcrm_account_reseal(pcrm_ctx *ctx, const pcrm_actor *actor, int batch,
                                     int64_t *remaining);

/** The accounts of a customer, by account number (free with pcrm_account_list_free()). */
PCRM_EXTERN(int) pcrm_account_list_load(pcrm_ctx *ctx, const pcrm_actor *actor,
                                        const char *customer_no, pcrm_account_list **out);

PCRM_EXTERN(void) pcrm_account_free(pcrm_account *account);

/* Accessors: strings live as long as the account (or the list holding it). */
PCRM_EXTERN(const char *) pcrm_account_no(const pcrm_account *a);
PCRM_EXTERN(const char *) pcrm_account_customer_no(const pcrm_account *a);
PCRM_EXTERN(const char *) pcrm_account_name(const pcrm_account *a);
/** "cash", "bank_collection" or "prepaid". */
PCRM_EXTERN(const char *) pcrm_account_payment_method(const pcrm_account *a);
/** "active", "suspended" or "closed". */
PCRM_EXTERN(const char *) pcrm_account_status(const pcrm_account *a);
PCRM_EXTERN(int) pcrm_account_version(const pcrm_account *a);
PCRM_EXTERN(pcrm_time) pcrm_account_created_at(const pcrm_account *a);
PCRM_EXTERN(pcrm_time) pcrm_account_updated_at(const pcrm_account *a);
/** The whole account as JSON: the create format plus customer_no, version and times. */
PCRM_EXTERN(const char *) pcrm_account_json(const pcrm_account *a);

/**
 * The contract terms of an account that a two-part (两部制) tariff bills
 * with.  The first three are the fields of pcrm_bill_customer of the same
 * names (tariff.h), which a billing run fills from them.  Zero means "not
 * contracted": no capacity (a tariff charging by capacity then refuses to
 * bill), no contracted demand (no excess above it), no power-factor standard
 * (no adjustment).  The supply dates bound the days a run bills in the
 * month of a new connection or a termination (新装 / 销户), so the basic
 * charge of that month is prorated 1/30 per day; {0, 0, 0} means none.
 */
typedef struct pcrm_contract_terms {
	int version;                        /**< PCRM_CONTRACT_TERMS_VERSION */
	pcrm_decimal contract_capacity_kva; /**< 合同容量 (kVA): the basic charge by capacity */
	pcrm_decimal contract_demand_kw;    /**< 需量核定值 (kW): demand above 105 % of it pays double */
	int pf_standard;                    /**< 功率因数考核标准 in hundredths: 90, 85, 80, or 0 (none) */
	pcrm_date supply_start;             /**< first day of supply (送电), or {0, 0, 0} */
	pcrm_date supply_end;               /**< last day of supply (终止供电), or {0, 0, 0} */
	/* version 2 */
	/**
	 * 基本电价计费方式: the basic-charge mode chosen in the contract, a pcrm_basic_mode
	 * (tariff.h): 1 capacity, 2 contract_demand, 3 actual_demand; 0 = the tariff's default.
	 * Stored as "basic_mode": "capacity" | "contract_demand" | "actual_demand".
	 */
	int basic_mode;
} pcrm_contract_terms;

/** Version 1 (without basic_mode) is still accepted by pcrm_account_set_contract(). */
#define PCRM_CONTRACT_TERMS_VERSION 2
#define PCRM_CONTRACT_TERMS_INIT { PCRM_CONTRACT_TERMS_VERSION, { 0, 0 }, { 0, 0 }, 0, \
                                   { 0, 0, 0 }, { 0, 0, 0 }, 0 }

/**
 * Reads the contract terms of an account into `out` (zero where the account
 * has none).  The caller sets `out->version` (PCRM_CONTRACT_TERMS_INIT): the
 * layout it was compiled with (docs/abi.md).  PCRM_EINVAL when an argument is
 * NULL or the version is not one this library knows.
 */
PCRM_EXTERN(int) pcrm_account_contract(const pcrm_account *a, pcrm_contract_terms *out);

/**
 * Sets all the contract terms of an account at once: a zero field removes
 * that term.  The same change as pcrm_account_update() with the patch
 * {"contract_capacity_kva", "contract_demand_kw", "pf_standard",
 * "supply_start", "supply_end", "basic_mode"} (decimals written as given, the standard as
 * "0.90" / "0.85" / "0.80", dates as "YYYY-MM-DD", zero as null),
 * with the same checks and the same "account.update" audit entry: a bad
 * value is PCRM_EINVAL naming the field and changes nothing.  `out` may be
 * NULL; otherwise it receives the stored account.
 */
PCRM_EXTERN(int) pcrm_account_set_contract(pcrm_ctx *ctx, const pcrm_actor *actor,
                                           const char *account_no,
                                           const pcrm_contract_terms *terms,
                                           int expected_version, pcrm_account **out);

PCRM_EXTERN(size_t) pcrm_account_list_count(const pcrm_account_list *list);
/** The i-th account, owned by the list; NULL when i is out of range. */
PCRM_EXTERN(const pcrm_account *) pcrm_account_list_at(const pcrm_account_list *list, size_t i);
PCRM_EXTERN(void) pcrm_account_list_free(pcrm_account_list *list);

/* ---- metering points (计量点) ---- */

typedef struct pcrm_metering_point pcrm_metering_point;
typedef struct pcrm_metering_point_list pcrm_metering_point_list;

/**
 * Creates a metering point of customer `customer_no` from a JSON object:
 * mp_no (unique across all customers), account_no (an account of the same
 * customer that is not closed), purpose ("settlement", "assessment",
 * "internal"), voltage_level (as for customers: "220V", "10kV", ...),
 * location (optional text), status ("active" by default, or "inactive").
 * Errors as for pcrm_account_create(); an account that belongs to another
 * customer is PCRM_EINVAL naming account_no.  `out` may be NULL.
 */
PCRM_EXTERN(int) pcrm_metering_point_create(pcrm_ctx *ctx, const pcrm_actor *actor,
                                            const char *customer_no, const char *json,
                                            pcrm_metering_point **out);

/** Reads a metering point (free with pcrm_metering_point_free()). */
PCRM_EXTERN(int) pcrm_metering_point_get(pcrm_ctx *ctx, const pcrm_actor *actor,
                                         const char *mp_no, pcrm_metering_point **out);

/**
 * Changes the fields present in `patch_json`, versioned like
 * pcrm_account_update().  mp_no cannot change; account_no may move to
 * another open account of the same customer; a metering point with a meter
 * in service cannot become "inactive" (PCRM_ESTATE: remove the meter first).
 */
PCRM_EXTERN(int) pcrm_metering_point_update(pcrm_ctx *ctx, const pcrm_actor *actor,
                                            const char *mp_no, const char *patch_json,
                                            int expected_version, pcrm_metering_point **out);

/** The metering points of a customer, by mp_no (free with pcrm_metering_point_list_free()). */
PCRM_EXTERN(int) pcrm_metering_point_list_load(pcrm_ctx *ctx, const pcrm_actor *actor,
                                               const char *customer_no,
                                               pcrm_metering_point_list **out);

PCRM_EXTERN(void) pcrm_metering_point_free(pcrm_metering_point *mp);

/* Accessors: strings live as long as the metering point (or the list holding it). */
PCRM_EXTERN(const char *) pcrm_metering_point_no(const pcrm_metering_point *mp);
PCRM_EXTERN(const char *) pcrm_metering_point_customer_no(const pcrm_metering_point *mp);
PCRM_EXTERN(const char *) pcrm_metering_point_account_no(const pcrm_metering_point *mp);
PCRM_EXTERN(const char *) pcrm_metering_point_purpose(const pcrm_metering_point *mp);
PCRM_EXTERN(const char *) pcrm_metering_point_voltage_level(const pcrm_metering_point *mp);
/** "active" or "inactive". */
PCRM_EXTERN(const char *) pcrm_metering_point_status(const pcrm_metering_point *mp);
PCRM_EXTERN(int) pcrm_metering_point_version(const pcrm_metering_point *mp);
PCRM_EXTERN(pcrm_time) pcrm_metering_point_created_at(const pcrm_metering_point *mp);
PCRM_EXTERN(pcrm_time) pcrm_metering_point_updated_at(const pcrm_metering_point *mp);
/** The whole metering point as JSON: the create format plus customer_no, version and times. */
PCRM_EXTERN(const char *) pcrm_metering_point_json(const pcrm_metering_point *mp);

PCRM_EXTERN(size_t) pcrm_metering_point_list_count(const pcrm_metering_point_list *list);
/** The i-th metering point, owned by the list; NULL when i is out of range. */
PCRM_EXTERN(const pcrm_metering_point *)
pcrm_metering_point_list_at(const pcrm_metering_point_list *list, size_t i);
PCRM_EXTERN(void) pcrm_metering_point_list_free(pcrm_metering_point_list *list);

/* ---- meters: installation, removal, replacement, history ---- */

/**
 * Installs a meter at metering point `mp_no` at `installed_at` (not in the
 * future).  `meter_json`: meter_no, type ("single_phase",
 * "three_phase_three_wire", "three_phase_four_wire"), model (optional
 * text), multiplier (decimal string > 0, at most 6 decimals), digits
 * (integer digits of the display, 1..12), registers (an array of register
 * names, no repeats) and initial_readings (an object giving every
 * cumulative register of `registers` its reading at installation; the
 * demand register takes none).
 *
 * PCRM_EINVAL names the field ("initial_readings.peak: missing");
 * PCRM_ESTATE when the metering point already has a meter in service or is
 * inactive; PCRM_EDUPLICATE when the meter is in service elsewhere;
 * PCRM_EINVAL when `installed_at` lies before the last removal at this
 * metering point or of this meter.  A meter removed earlier may be
 * installed again; each installation is its own history entry.
 */
PCRM_EXTERN(int) pcrm_meter_install(pcrm_ctx *ctx, const pcrm_actor *actor, const char *mp_no,
                                    const char *meter_json, pcrm_time installed_at);

/**
 * Removes the meter in service at `mp_no` at `removed_at` (after its
 * installation and its last reading, not in the future).  `removal_json`:
 * reason ("fault", "periodic_rotation", "capacity_change", "upgrade",
 * "closure", "other"), note (optional text) and final_readings (an object
 * giving every cumulative register its last reading, optionally the demand
 * register too).  Each final reading is recorded like a reading (flag
 * PCRM_READING_FINAL, its energy measured against the previous reading) and
 * may not go below it.  PCRM_ESTATE when no meter is in service.
 */
PCRM_EXTERN(int) pcrm_meter_remove(pcrm_ctx *ctx, const pcrm_actor *actor, const char *mp_no,
                                   const char *removal_json, pcrm_time removed_at);

/**
 * Replaces the meter in service at `mp_no` at `at`: pcrm_meter_remove() of
 * the old meter with `removal_json` and pcrm_meter_install() of the new one
 * with `meter_json`, in one transaction and one audit entry.  This is how a
 * reading "goes backwards" legitimately: the old meter closes with its final
 * readings and the new one starts from its initial readings.  Errors as for
 * the two operations; an error in one of the two documents is prefixed with
 * its name ("new_meter: multiplier: must be greater than 0").  On any error
 * the old meter stays in service.
 */
PCRM_EXTERN(int) pcrm_meter_replace(pcrm_ctx *ctx, const pcrm_actor *actor, const char *mp_no,
                                    const char *removal_json, const char *meter_json,
                                    pcrm_time at);

/** One installation of a meter at a metering point; strings owned by the history list. */
typedef struct pcrm_meter_installation {
	const char *meter_no;
	const char *type;
	pcrm_decimal multiplier;
	int digits;
	unsigned int registers;     /**< PCRM_REGISTER_BIT() of each register */
	pcrm_time installed_at;
	int in_service;             /**< nonzero until removed */
	pcrm_time removed_at;       /**< meaningful when !in_service */
	const char *removal_reason; /**< NULL while in service */
	/** Everything as JSON: the install document, installed_at, and once removed "removal". */
	const char *json;
} pcrm_meter_installation;

typedef struct pcrm_meter_history pcrm_meter_history;

/**
 * The installations at metering point `mp_no`, oldest first; the meter in
 * service, if any, is last.  Free with pcrm_meter_history_free().
 */
PCRM_EXTERN(int) pcrm_meter_history_load(pcrm_ctx *ctx, const pcrm_actor *actor,
                                         const char *mp_no, pcrm_meter_history **out);

PCRM_EXTERN(size_t) pcrm_meter_history_count(const pcrm_meter_history *history);
/** The i-th installation, owned by the history; NULL when i is out of range. */
PCRM_EXTERN(const pcrm_meter_installation *)
pcrm_meter_history_at(const pcrm_meter_history *history, size_t i);
PCRM_EXTERN(void) pcrm_meter_history_free(pcrm_meter_history *history);

/* ---- readings (抄表) ---- */

/** Flag for pcrm_reading_record(): the display passed 10^digits and started again from zero. */
#define PCRM_READING_ROLLOVER 1u
/** Set on readings recorded by pcrm_meter_remove() / _replace() (never passed in). */
#define PCRM_READING_FINAL 2u

/** One reading of one register, with what it was measured against.  A plain value. */
typedef struct pcrm_reading {
	unsigned int version; /**< PCRM_READING_VERSION, set by the caller (PCRM_READING_INIT) */
	pcrm_register reg;
	pcrm_time read_at;
	pcrm_decimal value;       /**< as shown on the display */
	/**
	 * The reading subtracted: the last reading of this register on this
	 * installation, or its initial reading.  For the demand register the
	 * last demand reading, shown for comparison only (zero at first).
	 */
	pcrm_decimal previous;
	pcrm_time previous_at;    /**< when `previous` was taken (the installation time for initial readings) */
	pcrm_decimal multiplier;
	/** Exact: (value - previous) x multiplier, the rollover form, or value x multiplier for demand. */
	pcrm_decimal energy;
	unsigned int flags;       /**< PCRM_READING_ROLLOVER, PCRM_READING_FINAL */
	pcrm_time recorded_at;    /**< when it was entered (the context's clock) */
} pcrm_reading;

/** The layout of pcrm_reading this header describes; the caller sets it (docs/abi.md). */
#define PCRM_READING_VERSION 1
/** A pcrm_reading to pass to the library: its version set, every other field zero. */
#define PCRM_READING_INIT { .version = PCRM_READING_VERSION }

/**
 * Records a reading of register `reg` of meter `meter_no` (in service)
 * taken at `read_at`, which must be later than the register's previous
 * reading (or the installation) and not in the future.  `value` must be
 * >= 0, below 10^digits, with at most 6 decimals.  `flags` is 0 or
 * PCRM_READING_ROLLOVER.
 *
 * A cumulative reading below the previous one is PCRM_EINVAL naming the
 * register and both values, unless flagged as a rollover (which in turn
 * must go below the previous one).  Rollover is refused for the demand
 * register.  PCRM_EPERM when the meter is unknown or serves a customer
 * outside the actor's subtree (alike), PCRM_ESTATE when it
 * is no longer in service, PCRM_EINVAL ("register: ...") when the meter
 * lacks that register, PCRM_EOVERFLOW when the energy does not fit.  On
 * success `out` (may be NULL) receives the stored reading with its energy.
 * Concurrent readings of one meter are serialised and each is checked
 * against the one committed before it.
 */
PCRM_EXTERN(int) pcrm_reading_record(pcrm_ctx *ctx, const pcrm_actor *actor, const char *meter_no,
                                     pcrm_register reg, pcrm_decimal value, pcrm_time read_at,
                                     unsigned int flags, pcrm_reading *out);

typedef struct pcrm_reading_list pcrm_reading_list;

/**
 * The readings of register `reg` of meter `meter_no` taken in the period
 * (from, to] (after `from`, up to and including `to`: a reading reports the
 * consumption up to its instant), oldest first, across all installations
 * of that meter inside the actor's subtree, final readings included.
 * PCRM_EPERM when the meter was never installed or now serves a customer
 * outside the actor's subtree (one message for both); PCRM_EINVAL when to < from.
 * Free with pcrm_reading_list_free().
 */
PCRM_EXTERN(int) pcrm_reading_list_load(pcrm_ctx *ctx, const pcrm_actor *actor,
                                        const char *meter_no, pcrm_register reg, pcrm_time from,
                                        pcrm_time to, pcrm_reading_list **out);

PCRM_EXTERN(size_t) pcrm_reading_list_count(const pcrm_reading_list *list);
/** The i-th reading, owned by the list; NULL when i is out of range. */
PCRM_EXTERN(const pcrm_reading *) pcrm_reading_list_at(const pcrm_reading_list *list, size_t i);
PCRM_EXTERN(void) pcrm_reading_list_free(pcrm_reading_list *list);

/**
 * The energy of register `reg` at metering point `mp_no` in the period
 * (from, to]: the exact sum of the energies of every reading taken in it,
 * whichever meter was in service (so a replacement inside the period counts
 * the old meter up to its final reading and the new one from its initial
 * reading).  For PCRM_REGISTER_MAX_DEMAND, the largest demand (reading x
 * multiplier) instead of a sum.  Zero when there is no reading.
 * PCRM_EOVERFLOW when the sum does not fit.
 */
PCRM_EXTERN(int) pcrm_metering_point_energy(pcrm_ctx *ctx, const pcrm_actor *actor,
                                            const char *mp_no, pcrm_register reg, pcrm_time from,
                                            pcrm_time to, pcrm_decimal *out);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_METERING_H */
