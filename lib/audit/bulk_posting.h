/*
 * What a billing run's bulk posting records about the ledger rows it writes,
 * shared by its writer (lib/ledger/ledger_batch.c, ledger_batch_summary.c)
 * and its checker (lib/audit/cover_bulk.c, verify.c), so that the action
 * name, the summary's keys and the digest of the rows are declared once.
 *
 * The summary (JSON, keys sorted as json_dumps(JSON_SORT_KEYS) writes them):
 *
 *   {"count": <bills posted in bulk>,
 *    "entries": [{"account_no", "amount", "balance", "credit", "customer_no",
 *                 "ref", "seq"}, ...],       one per bulk-posted entry, in
 *                                            byte order of account_no
 *    "kind": "bill",
 *    "rows_sha256": "<hex>"}                 the digest below
 *
 * The digest commits to every column of each bulk-posted ledger entry and
 * to every column of its open item except what later single postings
 * change (open_amount, status): SHA-256 over the listed entries in the
 * list's order, each as "<entry row hex>\n<item row hex>\n", each row hex
 * the SHA-256 of its columns encoded as cover.c encodes a row's columns.
 * Entries written before the digest existed have no "rows_sha256" and are
 * checked against their list only.
 */
#ifndef PCRM_AUDIT_BULK_POSTING_H
#define PCRM_AUDIT_BULK_POSTING_H

#include "core/crypto.h"
#include "store/store.h"

/** The bulk posting's audit action (object type "accounts", id "<first>..<last>"). */
#define PCRM__BULK_POSTING_ACTION "ledger.post_bills"

/* The summary's keys, in the byte order JSON_SORT_KEYS writes them. */
#define PCRM__BULK_POSTING_COUNT "count"
#define PCRM__BULK_POSTING_ENTRIES "entries"
#define PCRM__BULK_POSTING_KIND "kind"
#define PCRM__BULK_POSTING_ROWS "rows_sha256"
/* One listed entry's keys, in the same order. */
#define PCRM__BULK_LINE_ACCOUNT "account_no"
#define PCRM__BULK_LINE_AMOUNT "amount"
#define PCRM__BULK_LINE_BALANCE "balance"
#define PCRM__BULK_LINE_CREDIT "credit"
#define PCRM__BULK_LINE_CUSTOMER "customer_no"
#define PCRM__BULK_LINE_REF "ref"
#define PCRM__BULK_LINE_SEQ "seq"

/**
 * The ledger_entry columns digested, in this order, each prefixed by `a`
 * (a table alias and dot, or ""): every column, as the posting writes them
 * (ledger_batch.c, entry_columns).
 */
#define PCRM__BULK_ENTRY_DIGESTED(a)                                                         \
	a "customer_no, " a "account_no, " a "seq, " a "entry_key, " a "kind, " a "ref, " a      \
	"amount, " a "balance, " a "credit, " a "business_day, " a "posted_at, " a "posted_by, " \
	a "request, " a "doc"
#define PCRM__BULK_ENTRY_DIGESTED_N 14
/** The ledger_item columns digested, in this order: all but open_amount and status. */
#define PCRM__BULK_ITEM_DIGESTED(a)                                                          \
	a "customer_no, " a "account_no, " a "item_no, " a "kind, " a "seq, " a "period, " a     \
	"issue_day, " a "due_day, " a "amount, " a "usage_class"
#define PCRM__BULK_ITEM_DIGESTED_N 10

/**
 * The hex SHA-256 of one row's columns `values[columns[0..n)]` as bound for
 * writing (integers in decimal, as the store gives them back), encoded as
 * cover.c encodes a stored row.  `h` is reset first (a writer reuses one).
 */
int pcrm__audit_values_hex(pcrm_sha256 *h, const pcrm_sql_value *values, const int *columns,
                           int n, char out[PCRM_SHA256_HEX_LEN + 1]);

/** The same digest of columns first..first+n-1 of a stored row. */
int pcrm__audit_stored_hex(pcrm_sha256 *h, pcrm_rows *rows, int first, int n,
                           char out[PCRM_SHA256_HEX_LEN + 1]);

/** Adds one listed entry's two row digests to the batch's digest `h`. */
int pcrm__audit_bulk_rows_add(pcrm_sha256 *h, const char *entry_hex, const char *item_hex);

#endif
