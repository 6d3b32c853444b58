/*
 * Internal: what the billing files share: stored bills (rows, objects,
 * writing), loading an account's usage from its readings, and the tariff
 * versions a run needs.
 */
#ifndef PCRM_BILLING_INTERNAL_H
#define PCRM_BILLING_INTERNAL_H

#include <jansson.h>

#include <powercrm/billing.h>
#include <powercrm/metering.h>

struct pcrm_rows;
struct pcrm__audit_cover_rows;

/** Months of earlier demands an account's usage holds (a ratchet's longest look-back). */
#define PCRM__PRIOR_MONTHS 36

/** Longest code (account, customer, tariff id) and bill number. */
#define PCRM__BILL_CODE_MAX 64
#define PCRM__BILL_NO_MAX 96
/** Longest org unit path ("/37/3701/370102/..."), with its NUL. */
#define PCRM__ORG_PATH_MAX 160

/** A month: "2026-10" with its first and last day and the instants bounding its readings. */
struct pcrm__month {
	char text[8];
	pcrm_date first, last;
	pcrm_time from, to; /* readings in (from, to] */
};

/** Parses "YYYY-MM" (path names the field in errors). */
int pcrm__month_parse(const pcrm_ctx *ctx, const char *path, const char *text,
                      struct pcrm__month *out);

/**
 * What a bill is computed for besides the usage: the customer attributes
 * (migration 8's columns of `customer`) and the account's contract terms,
 * read with the customer and account rows.
 */
struct pcrm__bill_subject {
	char customer_no[PCRM__BILL_CODE_MAX + 1];
	char account_no[PCRM__BILL_CODE_MAX + 1];
	char usage_class[PCRM__BILL_CODE_MAX + 1];
	int household_size;
	int low_income;
	pcrm_contract_terms terms; /* migration 9's columns of `account` */
	char org_path[PCRM__ORG_PATH_MAX]; /* its org unit's path (a run's tariff overrides) */
};

/* ---- contract terms (contract_load.c) ---- */

/**
 * The columns of the contract terms, for a query that reads `account` as
 * `a`: whoever reads a bill's subject selects them with it, and
 * pcrm__contract_read() turns them into terms.
 */
#define PCRM__CONTRACT_COLUMNS                                                                 \
	"a.contract_capacity_kva, a.contract_demand_kw, a.pf_standard, a.supply_start, "         \
	"a.supply_end, a.basic_mode"
#define PCRM__CONTRACT_NCOLUMNS 6

/**
 * Reads the PCRM__CONTRACT_COLUMNS of the current row, starting at column
 * `col`, into `out`; a malformed stored term is PCRM_ESTORE naming the
 * account.
 */
int pcrm__contract_read(struct pcrm_rows *rows, int col, const char *account_no,
                        pcrm_contract_terms *out);

/*
 * "org unit o lies in the subtree whose path is $1", per engine.  On
 * PostgreSQL the prefix operator ^@ is estimated from the path's statistics
 * (substr(...) = $1 is a blind guess of one org unit, which made the first
 * executions of a run's batch query plan a hash join of every customer).
 */
#define PCRM__IN_SUBTREE_SQLITE "substr(o.path, 1, length($1)) = $1"
#define PCRM__IN_SUBTREE_PG "o.path ^@ $1"

/** Whether the context's store is PostgreSQL. */
int pcrm__billing_pg(const pcrm_ctx *ctx);

/* ---- run and post specs (run.c) ---- */

/** What every billing spec has: the subtree, the month and the batch size. */
struct pcrm__billing_spec {
	json_t *json; /* the parsed spec, owned: json_decref() it */
	const char *org_unit;
	struct pcrm__month month;
	int batch_size;
};

/**
 * Parses a spec, refuses keys outside `keys` (NULL-terminated) and reads
 * org_unit, period and batch_size (1..10000, default 500).  Errors name the
 * key.  out->json is set (or NULL) even on failure.
 */
int pcrm__billing_spec_load(pcrm_ctx *ctx, const char *text, const char *const *keys,
                            struct pcrm__billing_spec *out);

/**
 * Runs `batch` until it does nothing (*n == 0) or fails, calling `progress`
 * with *done after every batch; a nonzero answer stops with PCRM_ESTATE
 * ("<what> stopped by the progress callback after N bills; run it again").
 */
int pcrm__billing_batches(int (*batch)(void *state, size_t *n), void *state, const int64_t *done,
                          const char *what, pcrm_progress_fn progress, void *userdata);

/* ---- usage from readings (usage_load.c) ---- */

/**
 * What an account's bill needs besides its subject: the month's readings
 * per register (indexed by pcrm_register) and what it was billed earlier in
 * the year.
 */
struct pcrm__account_usage {
	char account_no[PCRM__BILL_CODE_MAX + 1];
	pcrm_decimal reg[PCRM_REGISTER_MAX_DEMAND + 1];
	unsigned int present; /* PCRM_REGISTER_BIT() of registers with a reading */
	pcrm_decimal ytd_kwh, ytd_amount;
	/* maximum demands of earlier months (index: months ago - 1), bit i of prior_mask */
	uint64_t prior_mask;
	pcrm_decimal prior_demand[PCRM__PRIOR_MONTHS];
};

/*
 * Fills the prior demands of `n` sorted usages from the accounts' current
 * bills of the `months` months before `month` (demand_history.c): what a
 * tariff's ratchet looks back at (pcrm__tariff_ratchet_months()).  Nothing
 * is read when months is 0.
 */
int pcrm__demand_history_load(pcrm_ctx *ctx, const struct pcrm__month *month, int months,
                              struct pcrm__account_usage *usages, size_t n);

/** Orders usages by account number, byte by byte (qsort / bsearch). */
int pcrm__usage_cmp(const void *a, const void *b);

/** The usage of `account_no` among `n` sorted usages, or NULL. */
struct pcrm__account_usage *pcrm__usage_find(struct pcrm__account_usage *usages, size_t n,
                                             const char *account_no);

/**
 * Loads the usage of the `n` accounts of `subjects` (a batch) for a month:
 * readings summed per register (max demand: the largest) and, when
 * `year_to_date` is nonzero, what the account was billed earlier in the
 * year (zero otherwise: pass nonzero whenever a tariff of the bills may use
 * it, pcrm__tariff_uses_year_to_date()).  One query reads the readings of
 * exactly these accounts, whatever other accounts' numbers lie between
 * theirs.  Fills `out` (room for `n` items) sorted by account number, one
 * item per account with at least one reading; *count receives how many.
 */
int pcrm__usage_load(pcrm_ctx *ctx, const struct pcrm__bill_subject *subjects, size_t n,
                     const struct pcrm__month *month, int year_to_date,
                     struct pcrm__account_usage *out, size_t *count);

/**
 * Adds what the accounts named in `accounts` (a pcrm__store_key_list())
 * were billed earlier in the tariff year of `month` (its issued bills of
 * January up to the month before) to the ytd_kwh / ytd_amount of their
 * items among the `n` sorted usages (accounts without an item are skipped):
 * what annual tiers and minimums start from, for a run and for
 * pcrm_tier_position_get() alike.
 */
int pcrm__year_to_date_load(pcrm_ctx *ctx, const char *accounts, const struct pcrm__month *month,
                            struct pcrm__account_usage *out, size_t n);

/**
 * Where the year to date of `account_no` adds up (*kwh, *amount, set by the
 * caller to zero first): nonzero, or 0 to skip the account's bills.
 */
typedef int (*pcrm__ytd_find)(void *arg, const char *account_no, pcrm_decimal **kwh,
                              pcrm_decimal **amount);

/**
 * The one year-to-date query under pcrm__year_to_date_load(), for any
 * holder of the totals: adds each issued bill of the year before `month`
 * of the accounts in `accounts` where `find` says (pcrm__tier_positions_each()
 * keeps them beside its customers, not in 700-byte usages).
 */
int pcrm__year_to_date_read(pcrm_ctx *ctx, const char *accounts, const struct pcrm__month *month,
                            pcrm__ytd_find find, void *arg);

/**
 * Builds the pcrm_usage and pcrm_bill_customer of one account for a tariff
 * and computes its bill with the subject's customer attributes and contract
 * terms: the month, or its days inside the account's supply dates (a
 * partial month prorates the basic charge).  PCRM_EINVAL names the
 * account.
 */
int pcrm__bill_compute_for(const pcrm_tariff *tariff, const struct pcrm__bill_subject *s,
                           const struct pcrm__account_usage *u, const struct pcrm__month *month,
                           pcrm_bill **out);

/* ---- the tier position this year (tier_position.c, tier_positions.c) ---- */

/** The month of `on` ("on: ..." errors for a date outside 1970..9998). */
int pcrm__tier_month(const pcrm_ctx *ctx, pcrm_date on, struct pcrm__month *month);

/** A position of `on`'s year before anything is known: `version` set, the rest zero. */
void pcrm__tier_position_start(pcrm_tier_position *p, int version, pcrm_date on);

/**
 * pcrm_tariff_tier_position() with the tariff's id and version: the one
 * step every position takes once its tariff and energy are known, so a
 * single customer and a campaign's thousands are positioned alike.
 */
int pcrm__tier_position_apply(const pcrm_tariff *tariff, int household_size, pcrm_date on,
                              pcrm_decimal energy, pcrm_tier_position *p);

/** Receives one customer's position from pcrm__tier_positions_each(). */
typedef int (*pcrm__tier_position_fn)(void *arg, const char *customer_no,
                                      const pcrm_tier_position *p);

/**
 * The positions on `on` of the `n` customers named in `customers`, each
 * exactly what pcrm_tier_position_get() (account_no NULL) would say, in a
 * fixed number of queries whatever `n` (tier_positions.c): `each` is called
 * once per known customer, in the store's customer number order, and its
 * failure stops the walk and is returned.  Unknown numbers are skipped.
 * No permission check: the caller authorised PCRM_PERM_ARCHIVE_READ on a
 * subtree that holds the customers.  Holds some 100 bytes per customer.
 */
int pcrm__tier_positions_each(pcrm_ctx *ctx, const char *const *customers, size_t n, pcrm_date on,
                              pcrm__tier_position_fn each, void *arg);

/* ---- tariff versions (tariff_store.c) ---- */

/** pcrm_tariff_fetch() without the permission check (version 0: the base version in effect). */
int pcrm__tariff_fetch(pcrm_ctx *ctx, const char *id, int64_t version, pcrm_date on,
                       pcrm_tariff **out);

/** One version of a tariff a run may bill with, and the subtree it applies to. */
struct pcrm__tariff_choice {
	pcrm_tariff *tariff;
	char *scope_path; /* the overriding unit's org path; NULL for the base version (first) */
};

/**
 * The versions of tariff `id` in effect on `on`: the base version first
 * (PCRM_ENOTFOUND without one), then the newest override of every unit that
 * has one (docs/security.md, "Tariff and definition ownership").  Free with
 * pcrm__tariff_choices_free().
 */
int pcrm__tariff_fetch_choices(pcrm_ctx *ctx, const char *id, pcrm_date on,
                               struct pcrm__tariff_choice **out, size_t *count);
void pcrm__tariff_choices_free(struct pcrm__tariff_choice *c, size_t n);

/**
 * The most specific of `n` choices for an account whose customer's org unit
 * has path `org_path`: the override of the deepest unit on the path, else
 * the base version.
 */
const pcrm_tariff *pcrm__tariff_choose(const struct pcrm__tariff_choice *c, size_t n,
                                       const char *org_path);

/* ---- stored bills (bill_store.c) ---- */

/** What is stored of an issued bill besides the computed bill. */
struct pcrm__bill_meta {
	const char *bill_no;
	const char *replaces;      /* NULL for a run's bill */
	pcrm_date issue_date, due_date;
	const char *batch; /* the run's batch (its audit entry's object id); NULL for a correction */
};

/**
 * Stores a current (status "issued") bill inside the caller's transaction;
 * posting it is pcrm__bill_post().  `bulk` nonzero writes the bill row
 * through the bulk path already begun by the caller
 * (pcrm__bill_bulk_begin()).  `cover` (may be NULL) receives the row's
 * after-image for the audit entry of its batch (a "bill_batch" digest,
 * lib/audit/cover.c), so the batch's bills need not be read back.
 */
int pcrm__bill_insert(pcrm_ctx *ctx, const pcrm_actor *actor, const struct pcrm__bill_subject *s,
                      const struct pcrm__month *month, const struct pcrm__bill_meta *meta,
                      const pcrm_bill *bill, int bulk, struct pcrm__audit_cover_rows *cover);
int pcrm__bill_bulk_begin(pcrm_ctx *ctx);
int pcrm__bill_post(pcrm_ctx *ctx, const pcrm_actor *actor, const struct pcrm__bill_subject *s,
                    const struct pcrm__month *month, const struct pcrm__bill_meta *meta,
                    const pcrm_bill *bill);
struct pcrm__ledger_bill;
/**
 * The ledger posting request of a bill owing `amount`: fills the request's
 * fields of `out` (lib/ledger/ledger_internal.h; strings borrowed from
 * month and meta), the caller its account's.  The run and the posting step
 * both make it here, so a rerun finds the same request.  Post it only when
 * `amount` is above zero.
 */
void pcrm__bill_request(const struct pcrm__month *month, const struct pcrm__bill_meta *meta,
                        pcrm_decimal amount, struct pcrm__ledger_bill *out);

/** Whether the ledger holds the entry of bill `bill_no` ("bill/<bill_no>"). */
int pcrm__bill_is_posted(pcrm_ctx *ctx, const char *bill_no, int *posted);

/** Loads one stored bill by number (no permission check); PCRM_ENOTFOUND names it. */
int pcrm__bill_record_load(pcrm_ctx *ctx, const char *bill_no, pcrm_bill_record **out,
                           char org_unit[PCRM__BILL_CODE_MAX + 1]);

#endif
