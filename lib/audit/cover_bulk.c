/*
 * What a billing run's bulk posting wrote, checked against its own entry.
 *
 * pcrm__ledger_post_bills() posts a batch of bills with one audit entry,
 * "ledger.post_bills", whose summary lists every ledger entry it appended
 * (account, customer, seq, bill number, amount, balance, credit) and names
 * no single account, so no account's after-image commits to those rows
 * until the account's next single posting (cover.c, "account").  The
 * summary is in the chain, so verification compares the rows with it
 * instead: nothing is digested while posting, and the check costs one
 * query per batch.  For each listed entry:
 *
 *   - the ledger entry is there (by its key, "bill/<bill number>"), a bill
 *     of that account and seq with the listed amount, balance and credit;
 *   - while it is its account's newest entry, the account's ledger row
 *     holds its seq, balance and credit;
 *   - its open item is there, a bill of that seq and amount, and untouched
 *     (open, nothing paid) unless a later entry of the account other than
 *     a bill exists: only single postings (payments, voids, adjustments,
 *     refunds) settle or void items, and each writes an entry naming the
 *     account whose digest then covers the item whole.  A bill of an account
 *     with credit is posted singly, never in bulk, so a later bulk or single
 *     bill never settles an item.
 *
 * Since the summary carries a digest of the rows ("rows_sha256",
 * bulk_posting.h), the same query also returns every column of each entry
 * and of its item (but what later single postings change of the item: its
 * open amount and status), hashed here as the posting hashed them while
 * writing: the entry's key, business day, posting time and operator,
 * request and document texts, and the item's period, days and usage class
 * are covered from the posting on.  Entries written before the digest have
 * no "rows_sha256" and are checked against their list only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit_internal.h"
#include "audit_verify.h"
#include "bulk_posting.h"
#include "core/error.h"

/* One ledger entry the batch listed, and whether the store still holds it as listed. */
struct listed {
	const char *account_no, *ref, *amount, *balance, *credit;
	json_int_t seq;
	int seen;
	const char *differs; /* what of it differs, once a row of it was read */
	/* the digests of its entry and item rows as stored (when seen) */
	char entry_hex[PCRM_SHA256_HEX_LEN + 1], item_hex[PCRM_SHA256_HEX_LEN + 1];
};

static int by_account(const void *a, const void *b)
{
	return strcmp(((const struct listed *)a)->account_no, ((const struct listed *)b)->account_no);
}

static const char *member(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *entry_key(const void *keys, size_t i)
{
	return ((char *const *)keys)[i];
}

/* The listed entries of a summary; *n 0 and *out NULL when it lists none.  Free *out. */
static int parse_listed(const json_t *summary, struct listed **out, size_t *n)
{
	const json_t *entries = json_object_get(summary, PCRM__BULK_POSTING_ENTRIES);
	struct listed *l;

	*out = NULL;
	*n = 0;
	if (!json_is_array(entries))
		return PCRM_OK;
	if (json_array_size(entries) == 0)
		return PCRM_OK;
	if (!(l = calloc(json_array_size(entries), sizeof(*l))))
		return pcrm__error_oom();
	for (size_t i = 0; i < json_array_size(entries); i++) {
		const json_t *e = json_array_get(entries, i);
		l[i].account_no = member(e, PCRM__BULK_LINE_ACCOUNT);
		l[i].ref = member(e, PCRM__BULK_LINE_REF);
		l[i].amount = member(e, PCRM__BULK_LINE_AMOUNT);
		l[i].balance = member(e, PCRM__BULK_LINE_BALANCE);
		l[i].credit = member(e, PCRM__BULK_LINE_CREDIT);
		l[i].seq = json_integer_value(json_object_get(e, PCRM__BULK_LINE_SEQ));
		if (!l[i].account_no || !l[i].ref || !l[i].amount || !l[i].balance || !l[i].credit) {
			free(l);
			return PCRM_OK; /* not a list this check knows: nothing to compare */
		}
	}
	qsort(l, json_array_size(entries), sizeof(*l), by_account);
	*out = l;
	*n = json_array_size(entries);
	return PCRM_OK;
}

/* Room for the account number a failure names (PCRM__LEDGER_CODE_MAX and more). */
#define BAD_MAX 128

/* Column 8 on: the digested columns of the entry (e.) and of its item (i.), bulk_posting.h. */
#define FIRST_DIGESTED 8
#define DIGESTED_COLUMNS PCRM__BULK_ENTRY_DIGESTED("e.") ", " PCRM__BULK_ITEM_DIGESTED("i.")

#define BULK_ROWS_SQL(in_keys)                                                                \
	"SELECT e.account_no, e.seq, e.kind, e.ref, e.amount, e.balance, e.credit, "              \
	"CASE WHEN NOT EXISTS (SELECT 1 FROM ledger_entry x WHERE x.customer_no = e.customer_no " \
	"AND x.account_no = e.account_no AND x.seq > e.seq) AND (a.entries IS NULL OR "          \
	"a.entries <> e.seq OR a.balance <> e.balance OR a.credit <> e.credit) THEN 'ledger' "    \
	"WHEN i.item_no IS NULL OR i.kind <> 'bill' OR i.seq <> e.seq OR i.amount <> e.amount "   \
	"OR i.account_no <> e.account_no THEN 'item' "                                            \
	"WHEN (i.status <> 'open' OR i.open_amount <> i.amount) AND NOT EXISTS (SELECT 1 FROM "   \
	"ledger_entry y WHERE y.customer_no = e.customer_no AND y.account_no = e.account_no "     \
	"AND y.seq > e.seq AND y.kind <> 'bill') THEN 'item' ELSE '' END, "                      \
	DIGESTED_COLUMNS                                                                          \
	" FROM ledger_entry e "                                                                   \
	"LEFT JOIN ledger_account a ON a.customer_no = e.customer_no AND a.account_no = "         \
	"e.account_no "                                                                           \
	"LEFT JOIN ledger_item i ON i.item_no = e.ref "                                           \
	"WHERE e.entry_key" in_keys

static int same(const char *stored, const char *listed)
{
	return stored && strcmp(stored, listed) == 0;
}

/*
 * Compares the rows with the listed entries: *bad names the first account
 * whose rows differ ("" when none), *what what of it differs.  With `h`
 * (the summary has a digest) each matching row's digests are taken too.
 */
static int compare(pcrm_ctx *ctx, pcrm_sha256 *h, struct listed *l, size_t n,
                   char bad[BAD_MAX], const char **what)
{
	char **keys = calloc(n, sizeof(*keys)), *list = NULL;
	pcrm_rows *rows = NULL;
	int rc = keys ? PCRM_OK : pcrm__error_oom();

	bad[0] = '\0';
	for (size_t i = 0; i < n && rc == PCRM_OK; i++) {
		size_t len = strlen(l[i].ref) + sizeof("bill/");
		if (!(keys[i] = malloc(len)))
			rc = pcrm__error_oom();
		else
			snprintf(keys[i], len, "bill/%s", l[i].ref); /* the posting's entry_key */
	}
	if (rc == PCRM_OK)
		rc = pcrm__store_key_list(keys, n, entry_key, &list);
	if (rc == PCRM_OK) {
		pcrm_sql_value p[1] = { PCRM_SQL_S(list) };
		rc = pcrm__store_query(ctx->store,
		                       ctx->store->driver->kind == PCRM_STORE_POSTGRES ?
		                               BULK_ROWS_SQL(PCRM__SQL_IN_KEYS_PG("$1")) :
		                               BULK_ROWS_SQL(PCRM__SQL_IN_KEYS_SQLITE("$1")),
		                       p, 1, &rows);
	}
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		struct listed key = { .account_no = pcrm__rows_text(rows, 0) }, *it;
		const char *flag = pcrm__rows_text(rows, 7);
		rc = PCRM_OK;
		it = key.account_no ? bsearch(&key, l, n, sizeof(*l), by_account) : NULL;
		if (!it)
			continue; /* another account's entry under a listed key: the listed one is missing */
		if (pcrm__rows_int(rows, 1) != it->seq || !same(pcrm__rows_text(rows, 2), "bill") ||
		    !same(pcrm__rows_text(rows, 3), it->ref) ||
		    !same(pcrm__rows_text(rows, 4), it->amount) ||
		    !same(pcrm__rows_text(rows, 5), it->balance) ||
		    !same(pcrm__rows_text(rows, 6), it->credit))
			it->differs = "its ledger entry";
		else if (flag && strcmp(flag, "ledger") == 0)
			it->differs = "the ledger row's balance";
		else if (flag && flag[0])
			it->differs = "its open item";
		else
			it->seen = 1;
		if (it->seen && h)
			rc = pcrm__audit_stored_hex(h, rows, FIRST_DIGESTED, PCRM__BULK_ENTRY_DIGESTED_N,
			                            it->entry_hex);
		if (it->seen && h && rc == PCRM_OK)
			rc = pcrm__audit_stored_hex(h, rows,
			                            FIRST_DIGESTED + PCRM__BULK_ENTRY_DIGESTED_N,
			                            PCRM__BULK_ITEM_DIGESTED_N, it->item_hex);
	}
	pcrm__rows_free(rows);
	for (size_t i = 0; i < n && rc >= 0 && !bad[0]; i++)
		if (!l[i].seen) {
			snprintf(bad, BAD_MAX, "%s", l[i].account_no);
			*what = l[i].differs ? l[i].differs : "its ledger entry"; /* no row: deleted */
		}
	for (size_t i = 0; keys && i < n; i++)
		free(keys[i]);
	free(keys);
	free(list);
	return rc < 0 ? rc : PCRM_OK;
}

/* Whether the listed rows' digests, in the list's order, make up the recorded one. */
static int rows_match(pcrm_sha256 *h, const struct listed *l, size_t n, const char *recorded,
                      int *match)
{
	char hex[PCRM_SHA256_HEX_LEN + 1];
	int rc = pcrm__sha256_reset(h);
	for (size_t i = 0; i < n && rc == PCRM_OK; i++)
		rc = pcrm__audit_bulk_rows_add(h, l[i].entry_hex, l[i].item_hex);
	if (rc == PCRM_OK)
		rc = pcrm__sha256_final_hex(h, hex);
	*match = rc == PCRM_OK && strcmp(hex, recorded) == 0;
	return rc;
}

int pcrm__audit_check_bulk_posting(pcrm_ctx *ctx, const char *chain, int64_t chain_seq,
                                   const char *summary_text)
{
	char bad[BAD_MAX] = "";
	const char *what = NULL, *digest;
	struct listed *l = NULL;
	size_t n = 0;
	pcrm_sha256 *h = NULL;
	int match = 1;
	json_t *summary = json_loads(summary_text, 0, NULL);
	/* the entry's hash matched: a summary of another shape is the library's, not an attack */
	int rc = summary ? parse_listed(summary, &l, &n) : PCRM_OK;

	/* written before the rows were digested: checked against the list only */
	digest = summary ? member(summary, PCRM__BULK_POSTING_ROWS) : NULL;
	if (rc == PCRM_OK && n > 0 && digest)
		rc = pcrm__sha256_new(&h);
	if (rc == PCRM_OK && n > 0)
		rc = compare(ctx, h, l, n, bad, &what);
	if (rc == PCRM_OK && n > 0 && digest && !bad[0])
		rc = rows_match(h, l, n, digest, &match);
	if (rc == PCRM_OK && !match)
		rc = pcrm__error(PCRM_EINTEGRITY,
		                 "audit chain %s: entry %" PRId64 ": a ledger entry or item of accounts "
		                 "%.64s..%.64s no longer matches what the bulk posting recorded (changed "
		                 "outside the library)",
		                 chain, chain_seq, l[0].account_no, l[n - 1].account_no);
	if (rc == PCRM_OK && bad[0])
		rc = pcrm__error(PCRM_EINTEGRITY,
		                 "audit chain %s: entry %" PRId64 ": account %.64s: %s no longer "
		                 "matches what the bulk posting recorded (changed outside the library)",
		                 chain, chain_seq, bad, what);
	pcrm__sha256_free(h);
	free(l);
	json_decref(summary);
	return rc;
}
