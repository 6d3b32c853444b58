/* Internal: what the ledger files share (documents, money, posting, the bank statement). */
#ifndef PCRM_LEDGER_INTERNAL_H
#define PCRM_LEDGER_INTERNAL_H

#include <jansson.h>

#include <powercrm/ledger.h>

#include "core/vec.h"
#include "store/store.h"

/** Longest code (customer, account number, org unit), as in the archive. */
#define PCRM__LEDGER_CODE_MAX 32
/** Longest key or reference (bill number, idempotency key, bank transaction id). */
#define PCRM__LEDGER_KEY_MAX 64
#define PCRM__LEDGER_TEXT_MAX 500
#define PCRM__BANK_CODE_MAX 16

/* ---- money (two decimals) and dates ---- */

/** Parses an amount: > 0, at most 2 decimals; returned at scale 2.  Errors name `path`. */
int pcrm__money_parse(const char *path, const char *text, pcrm_decimal *out);

/** Canonical text of an amount. */
void pcrm__money_text(pcrm_decimal v, char out[PCRM_DECIMAL_STRING_MAX]);

/** Reads a stored amount; PCRM_ESTORE when malformed. */
int pcrm__money_load(const char *text, pcrm_decimal *out);

/** The civil date of an instant at the context's offset, as days since 1970-01-01. */
int64_t pcrm__ledger_day(const pcrm_ctx *ctx, pcrm_time t);

/* ---- lists (ledger_list.c) ---- */

/**
 * Runs a query and steps to its first row: 1 (a row) or 0 (none) with
 * *rows open, < 0 on failure.  The caller frees *rows in every case
 * (pcrm__rows_free(NULL) is a no-op).
 */
int pcrm__ledger_first_row(pcrm_store *st, const char *sql, const pcrm_sql_value *params,
                           int nparams, pcrm_rows **rows);

/* ---- a checked posting request (ledger_doc.c) ---- */

struct pcrm__ledger_request {
	const char *kind;         /* bill, payment, refund, adjustment, void */
	const char *ref;          /* what the entry shows as its reference */
	char key[PCRM__LEDGER_KEY_MAX * 2 + 32]; /* the entry key (unique in the store) */
	pcrm_decimal amount;      /* > 0 (zero for a void: the bill decides) */
	int debit;                /* adjustments: 1 debit, 0 credit */
	const char *period;       /* bills */
	int64_t issue_day, due_day; /* bills; due_day also debit adjustments (-1 = business day) */
	const char *bill_no;      /* bills, voids */
	const char *channel;      /* payments */
	const char *bank_code, *transaction_id; /* bank payments */
	int has_at;               /* at / paid_at given */
	pcrm_time at;
};

/**
 * Validates a posting document in place (amounts and dates rewritten in
 * canonical form) and fills `out` (strings borrowed from the document).
 * PCRM_EINVAL names the field.  Needs no store.
 */
int pcrm__ledger_request_check(json_t *doc, struct pcrm__ledger_request *out);

/** Parses JSON text of `len` bytes into an object; PCRM_EINVAL names `what`. */
int pcrm__ledger_parse_json(const char *what, const char *text, size_t len, json_t **out);

/* ---- posting (ledger.c) ---- */

/**
 * Validates, authorizes and posts one request document (borrowed, may be
 * rewritten) to `account_no`, in its own nested transaction.
 */
int pcrm__ledger_post_doc(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                          json_t *doc, pcrm_ledger_entry **out);

/** The request as stored for comparison: the checked document plus the account (malloc'd). */
char *pcrm__ledger_request_text(const json_t *doc, const char *account_no);

/**
 * A new bill for pcrm__ledger_post_bills(): its account and the fields of
 * its posting request {"kind": "bill", "bill_no", "period", "issue_date",
 * "due_date", "amount"} (pcrm__ledger_bill_doc()), strings borrowed.
 */
struct pcrm__ledger_bill {
	const char *customer_no, *account_no, *usage_class;
	const char *bill_no;
	const char *period; /* "YYYY-MM" */
	pcrm_date issue_date, due_date;
	pcrm_decimal amount;
};

/* ---- a bill's request from its fields (ledger_bill_request.c) ---- */

/** The bill's posting request as a document, for the single posting (NULL: out of memory). */
json_t *pcrm__ledger_bill_doc(const struct pcrm__ledger_bill *b);

/** A bill's checked request and the texts its ledger entry stores. */
struct pcrm__ledger_bill_request {
	struct pcrm__ledger_request req; /* strings borrowed from the bill or doc_json */
	char *request; /* the entry's `request`: pcrm__ledger_request_text() of the document */
	char *doc;     /* the entry's `doc`: the document with "allocations": [] */
	json_t *doc_json; /* the document, when the fields went the document way */
};

/**
 * Checks a bill's request as pcrm__ledger_request_check() checks its
 * document (same errors) and renders the texts byte for byte as the
 * document way does, without building the document when every field is
 * one that needs no escape.  Free with pcrm__ledger_bill_request_clear(),
 * also after a failure.
 */
int pcrm__ledger_bill_prepare(const struct pcrm__ledger_bill *b,
                              struct pcrm__ledger_bill_request *out);
void pcrm__ledger_bill_request_clear(struct pcrm__ledger_bill_request *r);

/**
 * Whether jansson writes every byte of `s` as it is: printable ASCII
 * without '"' and '\\', so a writer may copy it between quotes.
 */
int pcrm__ledger_json_plain(const char *s);

/* ---- a batch posting's audit summary (ledger_batch_summary.c) ---- */

/** One entry of a batch posting, as the batch's audit entry lists it. */
struct pcrm__ledger_batch_line {
	const char *account_no, *customer_no, *ref;
	int64_t seq;
	pcrm_decimal amount, balance, credit; /* written as pcrm__money_text() writes them */
};

/**
 * The summary {"count": count, "entries": [{"account_no", "amount",
 * "balance", "credit", "customer_no", "ref", "seq"}, ...], "kind": "bill",
 * "rows_sha256": rows_hex} (audit/bulk_posting.h) as
 * json_dumps(JSON_COMPACT | JSON_SORT_KEYS) writes it (malloc'd; NULL when
 * out of memory).
 */
char *pcrm__ledger_batch_summary(const struct pcrm__ledger_batch_line *lines, size_t n,
                                 int64_t count, const char *rows_hex);

/**
 * Posts new bills of distinct accounts inside the caller's open transaction,
 * with the same ledger as posting them one by one (pcrm__ledger_post_doc())
 * would give: each account's entries are numbered on, balances computed in
 * C, the entry and item rows written through the bulk path (COPY on
 * PostgreSQL), one write of ledger_account per account.  An account that
 * holds credit is posted through the single path, which allocates the
 * credit to the new bill.  The batch is audited by one "ledger.post_bills"
 * entry listing every entry it appended.
 *
 * No permission check: the caller authorised the scope the accounts come
 * from.  A key posted before (a replay or a conflict) or a concurrent
 * posting to one of the accounts fails the statement (PCRM_EDUPLICATE or
 * PCRM_ERETRY) and leaves the transaction to roll back: the caller posts
 * that batch one by one instead, which answers those cases as ever.
 */
int pcrm__ledger_post_bills(pcrm_ctx *ctx, const pcrm_actor *actor,
                            const struct pcrm__ledger_bill *bills, size_t n);

/**
 * Takes the ledger row locks of accounts account(items, 0 .. n - 1) (NULL:
 * left out) in account order, creating the rows missing at zero first, in
 * the caller's transaction: the first step of a transaction that then posts
 * to them one by one (pcrm__ledger_post_doc()), so that no account lock is
 * taken after the audit head (docs/architecture.md, "Lock order").  Does
 * nothing on SQLite, whose transactions hold the one write lock.
 */
int pcrm__ledger_lock_accounts(pcrm_ctx *ctx, const void *items, size_t n,
                               const char *(*account)(const void *items, size_t i));

/** The account with its customer's org unit and usage class. */
struct pcrm__ledger_account {
	char customer_no[PCRM__LEDGER_CODE_MAX + 1];
	char account_no[PCRM__LEDGER_CODE_MAX + 1];
	char org_unit[PCRM__LEDGER_CODE_MAX + 1];
	char usage_class[PCRM__LEDGER_CODE_MAX + 1];
};

/** Loads an account; PCRM_ENOTFOUND names it. */
int pcrm__ledger_account_load(pcrm_ctx *ctx, const char *account_no,
                              struct pcrm__ledger_account *out);

/** Builds an entry object from the columns of pcrm__LEDGER_ENTRY_COLUMNS starting at 0. */
int pcrm__ledger_entry_from_row(struct pcrm_rows *rows, pcrm_ledger_entry **out);

#define PCRM__LEDGER_ENTRY_COLUMNS                                                           \
	"customer_no, account_no, seq, kind, ref, amount, balance, credit, business_day, "   \
	"posted_at, posted_by, doc"

/* ---- bank statements (bank_statement.c) ---- */

struct pcrm__bank_line {
	int line;
	char transaction_id[PCRM__LEDGER_KEY_MAX + 1];
	char account_no[PCRM__LEDGER_CODE_MAX + 1];
	pcrm_decimal amount;
	int seconds; /* time of day */
};

struct pcrm__bank_statement {
	char bank_code[PCRM__BANK_CODE_MAX + 1];
	pcrm_date date;
	struct pcrm__bank_line *lines;
	size_t count;
};

/**
 * Parses a statement (docs/bank-statement-format.md).  PCRM_EINVAL names
 * the line and field ("line 3, amount: ...").  On failure nothing is left
 * to free; on success free with pcrm__bank_statement_clear().
 */
int pcrm__bank_statement_parse(const char *text, size_t len, struct pcrm__bank_statement *out);
void pcrm__bank_statement_clear(struct pcrm__bank_statement *s);

#endif
