/*
 * libpowercrm - tariff versions in the store, billing runs and stored bills
 * (抄核收: the monthly run that turns readings into bills).
 *
 * tariff.h computes one bill from a tariff and a usage, touching nothing.
 * This header is where bills meet the store:
 *
 *   - tariff versions are published into the store (immutable once there),
 *     so every bill can name the exact version it used and be recomputed;
 *   - a billing run (电费核算, calculation) bills every active account of an
 *     org unit's subtree for one month: usage from the meter readings of
 *     the account's metering points, the tariff of the customer's usage
 *     class, and each bill stored, itemised as pcrm_bill_to_json() gives it;
 *   - once reviewed (电费审核), the month's bills are posted to the account
 *     ledgers (ledger.h) by pcrm_billing_post() (电费发行, issuance): only
 *     then are they receivables (应收) that arrears, late-payment penalties
 *     and dunning see.  A run with "post": true does both at once;
 *   - stored bills are read back per customer and period (the call center's
 *     most asked question), and a wrong bill is corrected: voided with a
 *     credit note and billed again from the current readings.
 *
 * A run is idempotent and resumable: an account that already has a current
 * bill for the period is skipped, and accounts are billed in batches, each
 * committed on its own, so a run that stopped (crash, cancel, an account it
 * could not bill) is finished by running it again, never doubling a bill.
 * Posting is idempotent and resumable the same way.
 *
 * Words: a bill's status is "issued" (current: the bill of its account and
 * month) or "void" (corrected, replaced by another).  "issued" says nothing
 * about the ledger: a bill is *posted* when the ledger holds its entry
 * (pcrm_bill_record.posted), and only pcrm_billing_post(), a run with
 * "post": true, or a correction of a posted bill post one.
 *
 * Permissions: publishing needs PCRM_PERM_TARIFF_WRITE; runs and
 * corrections PCRM_PERM_BILLING_RUN (corrections also
 * PCRM_PERM_LEDGER_ADJUST, for the void); reading tariffs and bills
 * PCRM_PERM_ARCHIVE_READ.  Everything is audited.
 *
 * Threads: like every call on a pcrm_ctx, one thread at a time per context.
 */
#ifndef POWERCRM_BILLING_H
#define POWERCRM_BILLING_H

#include <powercrm/actor.h>
#include <powercrm/common.h>
#include <powercrm/ctx.h>
#include <powercrm/customer.h>
#include <powercrm/decimal.h>
#include <powercrm/ledger.h>
#include <powercrm/tariff.h>
#include <powercrm/time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- tariff versions ---- */

/**
 * Validates a tariff document (pcrm_tariff_load()) and stores it as version
 * `version` of tariff `id`.  Publishing the same id and version again with
 * the same document (compared after sorting keys and dropping whitespace)
 * changes nothing; with another document it is
 * PCRM_ECONFLICT (a published version never changes: publish a new one).
 * Needs PCRM_PERM_TARIFF_WRITE; audited as "tariff.publish".
 *
 * A tariff id belongs to the org unit of its first publisher.  The owner and
 * its ancestors publish base versions; an actor of a unit inside the owner's
 * subtree publishes an override that applies to its own subtree only, and
 * only while the newest base version says "overridable": true (a field only
 * the store reads: pcrm_tariff_load() refuses it as unknown; docs/billing.md).
 * Anyone else is refused with PCRM_EPERM and nothing is stored.
 */
PCRM_EXTERN(int) pcrm_tariff_publish(pcrm_ctx *ctx, const pcrm_actor *actor, const char *json);

/**
 * Loads a published tariff: version `version` of `id`, or with `version` 0
 * the newest base version in effect on `on` (a unit's override only by its
 * number).  PCRM_ENOTFOUND names what is
 * missing.  Free the result with pcrm_tariff_free().
 */
PCRM_EXTERN(int) pcrm_tariff_fetch(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                   int64_t version, pcrm_date on, pcrm_tariff **out);

/* ---- billing runs ---- */

/** What a run did.  A plain value. */
typedef struct pcrm_billing_summary {
	unsigned int version; /**< PCRM_BILLING_SUMMARY_VERSION, set by the caller (PCRM_BILLING_SUMMARY_INIT) */
	int64_t accounts;       /**< active accounts in the subtree without a bill for the period */
	int64_t billed;         /**< bills calculated and stored by this call (posted too with "post") */
	int64_t already_billed; /**< accounts skipped because they had a current bill for the period */
	int64_t no_usage;       /**< accounts without any reading in the period (not billed) */
	pcrm_decimal total;     /**< the sum of the bills stored by this call */
} pcrm_billing_summary;

/** The layout of pcrm_billing_summary this header describes; the caller sets it (docs/abi.md). */
#define PCRM_BILLING_SUMMARY_VERSION 1
/** A pcrm_billing_summary to pass to the library: its version set, every other field zero. */
#define PCRM_BILLING_SUMMARY_INIT { .version = PCRM_BILLING_SUMMARY_VERSION }

/**
 * Bills one month for the active accounts of active customers in an org
 * unit's subtree.  `spec` is a JSON object:
 *
 *   org_unit     required  the subtree to bill
 *   period       required  "2026-10": the calendar month billed
 *   issue_date   required  "2026-11-01"
 *   due_date     required  "2026-11-15", not before issue_date
 *   tariffs      required  usage class -> tariff id, e.g.
 *                          {"residential": "cn-residential-tiered-tou"};
 *                          the version in effect on the first day of the
 *                          period is used and must cover the whole month
 *   batch_size   optional  accounts per committed batch, 1..10000 (500)
 *   post         optional  true: post each batch's bills to the ledgers in
 *                          the batch's transaction (as pcrm_billing_post()
 *                          would); false (the default): store them only.
 *                          A run posts only the bills it stores: bills
 *                          stored by an earlier run are posted by
 *                          pcrm_billing_post()
 *
 * The usage of an account is the sum, over its metering points, of the
 * energy of every reading taken in the month ((first day 00:00, first day
 * of the next month 00:00] at the context's UTC offset), per register:
 * "total" for a tariff with one period, otherwise each TOU register
 * ("peak", "flat", "valley", "critical_peak") under the tariff period of the
 * same name; "reactive" for the power factor and the largest "max_demand".
 * Household size and the low-income flag come from the customer (the
 * columns schema 8 keeps from its document);
 * for annual tiers and minimums, the energy and charges of the account's
 * bills earlier in the same year.  Accounts without readings in the month
 * are counted in no_usage and not billed.
 *
 * Each bill is stored with number "<account_no>-<YYYYMM>", status "issued",
 * not posted (unless "post": true).  `progress` (may be NULL) is called after every
 * committed batch with the number of bills stored so far; returning nonzero
 * stops the run with PCRM_ESTATE, the committed batches staying.  An
 * account that cannot be billed (no tariff for its usage class, a usage the
 * tariff refuses) stops the run with an error naming the account; the
 * batches before it stay, and a rerun after the fix finishes the rest.
 * `out` may be NULL.
 *
 * Runs may overlap: a batch reads the readings of its own accounts only,
 * so accounts of other subtrees whose numbers lie between its own, and
 * accounts billed already (a catch-up run after a county's run, a second
 * run of the month at once), are neither read nor billed again; a bill
 * another run writes meanwhile makes the batch be read again.  Every
 * batch's transaction is the library's own: a deadlock or serialization
 * failure (PostgreSQL) or a busy store (SQLite) runs it again, and
 * PCRM_ERETRY is returned only when that kept failing (8 attempts), or when
 * the call runs inside the caller's transaction (pcrm_ctx_begin()), which
 * only the caller can run again.
 */
PCRM_EXTERN(int) pcrm_billing_run(pcrm_ctx *ctx, const pcrm_actor *actor, const char *spec,
                                  pcrm_progress_fn progress, void *userdata,
                                  pcrm_billing_summary *out);

/* ---- posting (issuance) ---- */

/** What a call of pcrm_billing_post() did.  A plain value. */
typedef struct pcrm_billing_post_summary {
	unsigned int version; /**< PCRM_BILLING_POST_SUMMARY_VERSION, set by the caller (PCRM_BILLING_POST_SUMMARY_INIT) */
	int64_t bills;          /**< current bills of the month and subtree looked at */
	int64_t posted;         /**< bills posted to the ledgers by this call */
	int64_t already_posted; /**< bills the ledger held already (a rerun) */
	int64_t nothing_owed;   /**< bills with a total of zero: nothing to post, never posted */
	pcrm_decimal total;     /**< the sum of the bills posted by this call */
} pcrm_billing_post_summary;

/** The layout of pcrm_billing_post_summary this header describes; the caller sets it (docs/abi.md). */
#define PCRM_BILLING_POST_SUMMARY_VERSION 1
/** A pcrm_billing_post_summary to pass to the library: its version set, every other field zero. */
#define PCRM_BILLING_POST_SUMMARY_INIT { .version = PCRM_BILLING_POST_SUMMARY_VERSION }

/**
 * Posts the stored, current (status "issued"), not yet posted bills of one
 * month in an org unit's subtree to the account ledgers, as bill entries
 * with the issue and due dates the run stored (电费发行: the bills become
 * receivables).  `spec` is a JSON object:
 *
 *   org_unit     required  the subtree; the actor needs
 *                          PCRM_PERM_BILLING_RUN on it
 *   period       required  "2026-10"
 *   batch_size   optional  bills per committed batch, 1..10000 (500)
 *
 * Unknown keys are refused; errors name the key, and nothing is written.
 * Bills are taken in account order, a batch per transaction, through the
 * ledger's batch posting (one "ledger.post_bills" audit entry per batch;
 * accounts holding credit go through the single posting, which allocates
 * it).  A bill is posted exactly when the ledger holds its entry, so the
 * call is idempotent and resumable: a bill posted before with the same
 * content is counted in already_posted, one whose number the ledger holds
 * with other content stops the call with PCRM_ECONFLICT naming it (the
 * batches before it stay).  `progress` (may be NULL) is called after every
 * committed batch with the number of bills posted so far; returning nonzero
 * stops with PCRM_ESTATE, the committed batches staying.  `out` may be NULL.
 *
 * Concurrent payments and corrections of the same accounts are ordinary:
 * each batch takes its locks in the library's one order (bill rows, ledger
 * rows in account order, audit head last; docs/architecture.md) and is run
 * again after a deadlock or busy store, so PCRM_ERETRY is returned only as
 * pcrm_billing_run() says.
 */
PCRM_EXTERN(int) pcrm_billing_post(pcrm_ctx *ctx, const pcrm_actor *actor, const char *spec,
                                   pcrm_progress_fn progress, void *userdata,
                                   pcrm_billing_post_summary *out);

/* ---- stored bills ---- */

/** A stored bill.  Allocated by the library; strings live as long as it (or its list). */
typedef struct pcrm_bill_record {
	const char *bill_no;
	const char *customer_no;
	const char *account_no;
	const char *period;        /**< "2026-10" */
	const char *status;        /**< "issued" (current, posted or not) or "void" */
	const char *tariff_id;
	int64_t tariff_version;
	pcrm_date issue_date;
	pcrm_date due_date;
	pcrm_decimal energy;       /**< kWh billed */
	pcrm_decimal total;        /**< the amount owed (posted to the ledger when posted) */
	const char *replaces;      /**< the bill this one corrects, or NULL */
	/** The itemised bill as pcrm_bill_to_json() wrote it: lines, quantities, prices, reasons */
	const char *json;
	/** 1 when the ledger holds the bill's entry (a receivable, or a void bill's credited
	 *  entry), 0 when it was never posted (a bill of zero is never posted) */
	int posted;
} pcrm_bill_record;

typedef struct pcrm_bill_list pcrm_bill_list;

/**
 * The bills of customer `customer_no` whose period lies within
 * `from_period` .. `to_period` ("2026-01" .. "2026-12", both inclusive;
 * either may be NULL for no bound), newest period first, void ones
 * included.  Free with pcrm_bill_list_free().
 */
PCRM_EXTERN(int) pcrm_bill_list_load(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *customer_no, const char *from_period,
                                     const char *to_period, pcrm_bill_list **out);
PCRM_EXTERN(size_t) pcrm_bill_list_count(const pcrm_bill_list *list);
/** The i-th bill, owned by the list; NULL when i is out of range. */
PCRM_EXTERN(const pcrm_bill_record *) pcrm_bill_list_at(const pcrm_bill_list *list, size_t i);
PCRM_EXTERN(void) pcrm_bill_list_free(pcrm_bill_list *list);

/**
 * Corrects a current bill: marks it "void" (it stays in history) and, when
 * it was posted, voids it in the ledger with credit note "<bill_no>-CN" and
 * the reason; then bills the same account and period again from the
 * readings as they are now, with the tariff version the voided bill used,
 * under number "<account_no>-<YYYYMM>-R<n>", n counting the corrections of
 * that account's month (the first "-R1").  The new bill keeps the issue and
 * due dates of the one it replaces and is posted exactly when the voided
 * bill was: correcting an unposted bill (before issuance) leaves the ledger
 * untouched, and pcrm_billing_post() posts the new bill later.
 * `reason`: 1..500 bytes.  PCRM_ESTATE when the bill is already void.
 * PCRM_ERETRY only as pcrm_billing_run() says (its transaction is run again
 * after a deadlock or busy store).  `out` may be NULL; otherwise it receives the new bill (free with
 * pcrm_bill_record_free()).
 */
PCRM_EXTERN(int) pcrm_bill_correct(pcrm_ctx *ctx, const pcrm_actor *actor, const char *bill_no,
                                   const char *reason, pcrm_bill_record **out);

/** Frees a bill from pcrm_bill_correct(); NULL is a no-op.  Never free a list item. */
PCRM_EXTERN(void) pcrm_bill_record_free(pcrm_bill_record *bill);

/* ---- the tier position this year (阶梯档位) ---- */

/**
 * Where residential customer `customer_no` stands on the annual energy
 * tiers on date `on`: the energy its issued bills of the tariff year (the
 * calendar year of `on`, months before the month of `on`) add up to, the
 * tier the next kWh is billed in, that tier's thresholds and the kWh left
 * before the next one.  It is exactly what the bill of `on`'s month would
 * start from: the year-to-date energy a billing run reads, and
 * pcrm_tariff_tier_position() with the customer's household size (the
 * large-household thresholds) and the month's seasonal thresholds.
 *
 * The account: `account_no`, or with NULL the customer's account with the
 * newest issued bill.  The tariff: the one that account's newest bill up to
 * `on`'s month was computed with (a billing run names tariffs per run, so
 * the bills are what tells a customer's tariff), in the version in effect on
 * `on` (the unit's override where a run would take one), else the version
 * that bill used.
 *
 * Answers, not errors: PCRM_TIER_NOT_RESIDENTIAL for a customer whose usage
 * class is not "residential", PCRM_TIER_NO_BILL when the account has no
 * bill yet, PCRM_TIER_NO_TIERS / PCRM_TIER_NOT_ANNUAL as the tariff says.
 *
 * A read: nothing is written.  Needs PCRM_PERM_ARCHIVE_READ on the customer;
 * PCRM_EPERM, one message, for a customer number that is unknown or outside
 * the actor's subtree; PCRM_ENOTFOUND for an account_no that is not the
 * customer's; PCRM_EINVAL names "customer_no", "account_no", "on" or
 * "out.version".  On failure *out is unchanged.
 */
PCRM_EXTERN(int) pcrm_tier_position_get(pcrm_ctx *ctx, const pcrm_actor *actor,
                                        const char *customer_no, const char *account_no,
                                        pcrm_date on, pcrm_tier_position *out);

/* ---- late-payment penalty (电费违约金) ---- */

/**
 * The late-payment penalty owed on account `account_no` at date `on`: for
 * every open bill past its due date, its open amount x the days past due x
 * the daily rate of pcrm_late_fee() (residential 1 per mille; others 2 per
 * mille on bills due this year, 3 per mille on earlier years), summed
 * exactly and rounded once to the fen; a positive total below 1.00 is 1.00
 * (per usage class, should an account hold bills of both).  Penalties
 * already posted are open adjustments, not bills, and earn no penalty.
 * Zero when nothing is overdue.  Needs PCRM_PERM_ARCHIVE_READ.
 */
PCRM_EXTERN(int) pcrm_late_fee_quote(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *account_no, pcrm_date on, pcrm_decimal *out);

/**
 * Posts the penalty of pcrm_late_fee_quote() at `on` to the ledger as a
 * debit adjustment (reason "late_fee", due on `on`) under
 * `idempotency_key`, typically at the counter right before the payment it
 * goes with; the same key again returns the first entry.  When nothing is
 * owed, nothing is posted and *out (if given) is NULL.  Needs
 * PCRM_PERM_LEDGER_ADJUST.  Free *out with pcrm_ledger_entry_free().
 */
PCRM_EXTERN(int) pcrm_late_fee_post(pcrm_ctx *ctx, const pcrm_actor *actor,
                                    const char *account_no, pcrm_date on,
                                    const char *idempotency_key, pcrm_ledger_entry **out);

#ifdef __cplusplus
}
#endif

#endif
