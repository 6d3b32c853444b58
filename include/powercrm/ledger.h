/*
 * libpowercrm - the account ledger (账务): bills, payments, refunds,
 * adjustments and voids per billing account, arrears with age, dunning
 * (催缴) and bank collection (银电联网) with the daily reconciliation.
 *
 * Every billing account (metering.h) has a ledger: an append-only list of
 * entries, each with a signed amount (positive raises what the customer
 * owes, negative lowers it) and the balance after it.  The balance is
 * always the sum of the entries.  Open items are what is owed: bills and
 * debit adjustments, each with its open amount.  Payments and other credits
 * are allocated to the oldest open item first (by issue date, then due
 * date, then number); what is left over stays as a credit on the account
 * and is consumed by the next bill.  So balance = open items - credit, and
 * at most one of the two is nonzero.
 *
 * Posting is idempotent: every entry has a key (the bill number, the credit
 * note number, the caller's idempotency key, the bank's transaction id).
 * Posting the same key again with the same content changes nothing and
 * returns the first result with `replayed` set; the same key with other
 * content is PCRM_ECONFLICT.
 *
 * Money is exact: amounts are pcrm_decimal with two decimals (fen); in JSON
 * documents they are strings ("120.50"), never JSON numbers.
 *
 * Permissions (pcrm_authorize() on the customer's org unit): bills need
 * PCRM_PERM_BILLING_RUN; payments PCRM_PERM_PAYMENT_POST; refunds,
 * adjustments and voids PCRM_PERM_LEDGER_ADJUST; reading ledgers, arrears
 * and the dunning list PCRM_PERM_ARCHIVE_READ; recording a reminder
 * PCRM_PERM_CONTACT_WRITE; reconciling a bank statement
 * PCRM_PERM_BANK_RECONCILE on the actor's own unit.  Every posting is
 * audited in its own transaction; bad input names the field and writes
 * nothing.
 *
 * The late-payment penalty (电费违约金) is not computed here: the arrears
 * query gives, per open item, what the tariff engine's formula needs (the
 * open amount, the due date, the days past due at a date, whether the
 * customer is residential and whether the item is from an earlier year).
 * See docs/ledger.md.
 *
 * Threads: entries, lists, arrears and reconciliations are immutable once
 * returned and may be read from several threads; a context is used by one
 * thread at a time, as everywhere.
 */
#ifndef POWERCRM_LEDGER_H
#define POWERCRM_LEDGER_H

#include <powercrm/actor.h>
#include <powercrm/common.h>
#include <powercrm/ctx.h>
#include <powercrm/decimal.h>
#include <powercrm/time.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * One ledger entry.  Allocated by the library (strings in the same block);
 * fields are only ever appended to this struct.
 */
typedef struct pcrm_ledger_entry {
	const char *customer_no;
	const char *account_no;
	int64_t seq;              /**< 1, 2, ... per account */
	/** "bill", "payment", "refund", "adjustment" or "void" */
	const char *kind;
	/** the key: bill number, credit note number, idempotency key or bank transaction id */
	const char *ref;
	pcrm_decimal amount;      /**< signed, 2 decimals: + the customer owes more, - less */
	pcrm_decimal balance;     /**< the balance after this entry (open items - credit) */
	pcrm_decimal credit;      /**< the unallocated credit after this entry */
	pcrm_date date;           /**< business date: issue date, payment date, ... */
	pcrm_time posted_at;      /**< when it was posted (the context's clock) */
	const char *posted_by;    /**< operator id */
	/** The whole entry as JSON: the request, the allocations it made, ... */
	const char *json;
	int replayed;             /**< nonzero when a post found this entry already posted */
} pcrm_ledger_entry;

/**
 * Posts one entry to the ledger of account `account_no` from a JSON object
 * whose "kind" selects the fields (docs/ledger.md has them all):
 *
 *   bill        bill_no, period ("2026-10"), issue_date, due_date
 *               ("2026-11-15"), amount (> 0)
 *   payment     idempotency_key, amount (> 0), channel ("counter", "bank",
 *               "online"), paid_at (optional ISO instant; default now)
 *   refund      idempotency_key, amount (> 0, at most the credit), reason,
 *               at (optional)
 *   adjustment  idempotency_key, direction ("debit" or "credit"), amount
 *               (> 0), reason, at (optional), due_date (optional, debit)
 *   void        bill_no (of this account, not yet voided),
 *               credit_note_no, reason, at (optional)
 *
 * A void reverses the whole bill with a credit note: the bill stays in the
 * history, marked void; whatever had been paid on it becomes credit and is
 * allocated again.  Errors: PCRM_EINVAL naming the field, PCRM_ENOTFOUND
 * (a bill that is not the account's), PCRM_EPERM (also for an account
 * number nobody has, with the same message as for another unit's account), PCRM_ECONFLICT (the key was posted with
 * other content), PCRM_ESTATE (refund above the credit, bill already
 * void).  PCRM_ERETRY only when the posting's own transaction met a
 * deadlock, serialization failure or busy store 8 times running (it is
 * run again in between), or at once when the call runs inside the
 * caller's transaction (pcrm_ctx_begin()): then the caller runs its
 * transaction again.  `out` may be NULL; otherwise it receives the entry
 * (free with pcrm_ledger_entry_free()).
 */
PCRM_EXTERN(int) pcrm_ledger_post(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                                  const char *json, pcrm_ledger_entry **out);

/** Frees an entry from a post; NULL is a no-op.  Never free a list item. */
PCRM_EXTERN(void) pcrm_ledger_entry_free(pcrm_ledger_entry *entry);

typedef struct pcrm_ledger_list pcrm_ledger_list;

/** The whole ledger of an account, oldest entry first (free with pcrm_ledger_list_free()). */
PCRM_EXTERN(int) pcrm_ledger_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                                  pcrm_ledger_list **out);
PCRM_EXTERN(size_t) pcrm_ledger_list_count(const pcrm_ledger_list *list);
/** The i-th entry, owned by the list; NULL when i is out of range. */
PCRM_EXTERN(const pcrm_ledger_entry *) pcrm_ledger_list_at(const pcrm_ledger_list *list, size_t i);
PCRM_EXTERN(void) pcrm_ledger_list_free(pcrm_ledger_list *list);

/** An account's standing.  A plain value. */
typedef struct pcrm_ledger_summary {
	unsigned int version; /**< PCRM_LEDGER_SUMMARY_VERSION, set by the caller (PCRM_LEDGER_SUMMARY_INIT) */
	pcrm_decimal balance; /**< sum of the ledger: open - credit */
	pcrm_decimal open;    /**< sum of the open amounts of open items */
	pcrm_decimal credit;  /**< unallocated credit */
	int64_t entries;      /**< number of entries */
} pcrm_ledger_summary;

/** The layout of pcrm_ledger_summary this header describes; the caller sets it (docs/abi.md). */
#define PCRM_LEDGER_SUMMARY_VERSION 1
/** A pcrm_ledger_summary to pass to the library: its version set, every other field zero. */
#define PCRM_LEDGER_SUMMARY_INIT { .version = PCRM_LEDGER_SUMMARY_VERSION }

/** The standing of an account (zero for an account with no entries). */
PCRM_EXTERN(int) pcrm_ledger_summary_load(pcrm_ctx *ctx, const pcrm_actor *actor,
                                          const char *account_no, pcrm_ledger_summary *out);

/* ---- arrears (欠费) ---- */

/** One open item with its age at a date.  Strings owned by the list. */
typedef struct pcrm_arrears_item {
	const char *customer_no;
	const char *account_no;
	const char *item_no;      /**< the bill number, or the adjustment's key */
	const char *kind;         /**< "bill" or "adjustment" */
	const char *period;       /**< "2026-10" for bills, NULL for adjustments */
	pcrm_date issue_date;
	pcrm_date due_date;
	pcrm_decimal amount;      /**< as billed */
	pcrm_decimal open_amount; /**< still unpaid */
	int days_past_due;        /**< days after the due date at the as-of date (0 when not yet due) */
	int prior_year;           /**< nonzero when due in an earlier calendar year than the as-of date */
	int residential;          /**< the customer's usage class was residential when posted */
	const char *usage_class;  /**< the customer's usage class when posted */
} pcrm_arrears_item;

typedef struct pcrm_arrears pcrm_arrears;

/**
 * The open items of customer `customer_no` (of one account when
 * `account_no` is not NULL), oldest first, aged at `as_of`.  This is also
 * the arrears query a bank sends before collecting (银电联网 欠费查询).
 * Free with pcrm_arrears_free().
 */
PCRM_EXTERN(int) pcrm_arrears_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                                   const char *account_no, pcrm_date as_of, pcrm_arrears **out);
PCRM_EXTERN(size_t) pcrm_arrears_count(const pcrm_arrears *arrears);
PCRM_EXTERN(const pcrm_arrears_item *) pcrm_arrears_at(const pcrm_arrears *arrears, size_t i);
/** The sum of the open amounts. */
PCRM_EXTERN(pcrm_decimal) pcrm_arrears_total(const pcrm_arrears *arrears);
PCRM_EXTERN(void) pcrm_arrears_free(pcrm_arrears *arrears);

/* ---- dunning (催缴) ---- */

/** One account in arrears.  Strings owned by the list. */
typedef struct pcrm_dunning_item {
	const char *customer_no;
	const char *account_no;
	const char *org_unit;
	pcrm_decimal arrears;     /**< all open amounts of the account */
	int open_items;
	pcrm_date oldest_due;     /**< the due date of the oldest open item */
	int days_past_due;        /**< of the oldest open item, at the as-of date */
	/** reminders recorded on or after the oldest open item's due date */
	int reminders;
	pcrm_time last_reminded_at; /**< 0 when never reminded */
} pcrm_dunning_item;

typedef struct pcrm_dunning_list pcrm_dunning_list;

/**
 * The accounts in `org_unit`'s subtree (the actor's own when NULL) whose
 * oldest open item is more than `min_days` days past due at `as_of`, most
 * overdue first.  Free with pcrm_dunning_list_free().
 */
PCRM_EXTERN(int) pcrm_dunning_list_load(pcrm_ctx *ctx, const pcrm_actor *actor,
                                        const char *org_unit, pcrm_date as_of, int min_days,
                                        pcrm_dunning_list **out);
PCRM_EXTERN(size_t) pcrm_dunning_list_count(const pcrm_dunning_list *list);
PCRM_EXTERN(const pcrm_dunning_item *) pcrm_dunning_list_at(const pcrm_dunning_list *list,
                                                            size_t i);
PCRM_EXTERN(void) pcrm_dunning_list_free(pcrm_dunning_list *list);

/**
 * Records that account `account_no` was reminded to pay.  `json`: channel
 * ("sms", "phone", "letter", "visit", "wechat"), at (optional ISO instant,
 * default now, not in the future), note (optional, 1..500 bytes).  The
 * actor is recorded as who reminded.  Audited as "dunning.remind".
 */
PCRM_EXTERN(int) pcrm_dunning_remind(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *account_no, const char *json);

/* ---- bank collection (银电联网) ---- */

/**
 * Posts a payment collected by a bank.  `json`: bank_code (1..16 letters,
 * digits), transaction_id (1..64 letters, digits, - _ .), account_no,
 * amount (> 0), paid_at (ISO instant).  The bank's transaction id is the
 * idempotency key: posting it again returns the first entry (replayed);
 * with another amount or account it is PCRM_ECONFLICT.  PCRM_ERETRY only as
 * pcrm_ledger_post() says.
 */
PCRM_EXTERN(int) pcrm_bank_payment_post(pcrm_ctx *ctx, const pcrm_actor *actor, const char *json,
                                        pcrm_ledger_entry **out);

/** Post the payments the bank has and the ledger lacks (pcrm_bank_reconcile()). */
#define PCRM_BANK_RECONCILE_POST_MISSING 1u

/** One line of a reconciliation.  Strings owned by the reconciliation. */
typedef struct pcrm_bank_recon_item {
	/**
	 * "matched", "amount_mismatch" (the amount, or the account, differs),
	 * "missing_ours" (in the statement, not
	 * in the ledger), "missing_bank" (in the ledger, not in the statement),
	 * or "posted" (was missing_ours and PCRM_BANK_RECONCILE_POST_MISSING
	 * posted it)
	 */
	const char *status;
	const char *transaction_id;
	const char *account_no;
	pcrm_decimal bank_amount;  /**< zero for missing_bank */
	pcrm_decimal ledger_amount; /**< zero for missing_ours */
	int line;                  /**< the statement line, 0 for missing_bank */
} pcrm_bank_recon_item;

typedef struct pcrm_bank_reconciliation pcrm_bank_reconciliation;

/**
 * Reconciles one bank's statement of one day (docs/bank-statement-format.md:
 * `len` bytes of CSV) against the bank payments in the ledger of that bank
 * and that day (by the civil date of paid_at at the context's UTC offset).
 * Items come in statement order, then the payments missing from the
 * statement by transaction id.  A malformed statement is PCRM_EINVAL naming
 * its line and field ("line 3, amount: ...") and posts nothing.  With
 * PCRM_BANK_RECONCILE_POST_MISSING the lines missing on our side are posted
 * as bank payments, all in one transaction, which first locks the lines'
 * ledger rows in account order (docs/architecture.md, "Lock order").
 * Posting is resumable: a line the ledger already holds (same transaction
 * id, account and amount: posted by an earlier run or by
 * pcrm_bank_payment_post()) is reported "matched" and not posted again;
 * when posting, a line the ledger holds with another amount or account is
 * PCRM_ECONFLICT naming the line, and nothing of the statement is posted.
 * Audited as "bank.reconcile".  PCRM_ERETRY (a busy store, a serialization
 * failure) is returned, not retried inside: nothing was posted, and calling
 * it again is safe (lines posted meanwhile are then matched).
 */
PCRM_EXTERN(int) pcrm_bank_reconcile(pcrm_ctx *ctx, const pcrm_actor *actor, const char *text,
                                     size_t len, unsigned int flags,
                                     pcrm_bank_reconciliation **out);

/**
 * pcrm_bank_reconcile() reporting to `progress` (may be NULL) the number of
 * statement lines matched so far, every 1,000 lines and after the last; when
 * it returns nonzero the reconciliation stops with PCRM_ESTATE and nothing
 * is posted or audited (it is one transaction).
 */
PCRM_EXTERN(int) pcrm_bank_reconcile_ext(pcrm_ctx *ctx, const pcrm_actor *actor,
                                         const char *text, size_t len, unsigned int flags,
                                         pcrm_progress_fn progress, void *userdata,
                                         pcrm_bank_reconciliation **out);
PCRM_EXTERN(size_t) pcrm_bank_reconciliation_count(const pcrm_bank_reconciliation *r);
PCRM_EXTERN(const pcrm_bank_recon_item *)
pcrm_bank_reconciliation_at(const pcrm_bank_reconciliation *r, size_t i);
PCRM_EXTERN(void) pcrm_bank_reconciliation_free(pcrm_bank_reconciliation *r);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_LEDGER_H */
