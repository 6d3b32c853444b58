/*
 * The customers a bulk import wrote, checked against the import's own entry.
 *
 * pcrm_customer_import() writes a batch of customers with one audit entry,
 * "customer.import", which names the batch's first customer only, so no
 * entry's after-image (cover.c, "customer") covers the others until their
 * next single change.  The import therefore digests each row as it writes
 * it, with the very encoding cover.c takes of a stored customer
 * (PCRM__AUDIT_CUSTOMER_COLUMNS), and lists the digests in the entry's
 * summary ("covered": [[customer number, covers], ...]), which the chain's
 * hash holds.  Verification reads the listed customers back with one query
 * per batch and recomputes each digest, except for customers that a newer
 * covering entry names: that entry's own after-image is checked instead
 * (pcrm__audit_cover_check(), verify.c), against the row as it has been
 * since.  A listed customer whose row is gone is reported: the library never
 * deletes a customer (an erasure rewrites the row under its own entry).
 *
 * A revision of the "customer" digest would have to be taken into account
 * here: the listed digests are revision 1's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit_internal.h"
#include "audit_verify.h"
#include "core/error.h"

/* One customer the import listed, and what verification found of it. */
struct listed {
	const char *customer_no, *covers;
	int seen;     /* its row was read: it matches or a newer entry covers it */
	int differs;  /* its row was read and no longer has the listed digest */
};

static int by_number(const void *a, const void *b)
{
	return strcmp(((const struct listed *)a)->customer_no,
	              ((const struct listed *)b)->customer_no);
}

static const char *listed_number(const void *items, size_t i)
{
	return ((const struct listed *)items)[i].customer_no;
}

/* The listed customers of a summary, by number; *n 0 and *out NULL when it lists none. */
static int parse_listed(const json_t *summary, struct listed **out, size_t *n)
{
	const json_t *covered = json_object_get(summary, "covered");
	size_t count = json_array_size(covered);
	struct listed *l;

	*out = NULL;
	*n = 0;
	if (count == 0) /* an import from before the list (or not an array): nothing to compare */
		return PCRM_OK;
	if (!(l = calloc(count, sizeof(*l))))
		return pcrm__error_oom();
	for (size_t i = 0; i < count; i++) {
		const json_t *pair = json_array_get(covered, i);
		l[i].customer_no = json_string_value(json_array_get(pair, 0));
		l[i].covers = json_string_value(json_array_get(pair, 1));
		if (!l[i].customer_no || !l[i].covers) {
			free(l);
			return PCRM_OK; /* not a list this check knows */
		}
	}
	qsort(l, count, sizeof(*l), by_number);
	*out = l;
	*n = count;
	return PCRM_OK;
}

/*
 * The listed customers' rows, and the newest covering entry of each ($2:
 * none newer than the import's own seq means the import still vouches for
 * the row).  audit_log_object (schema 47) finds each customer's entries.
 */
#define IMPORTED_ROWS_SQL(in_keys)                                                            \
	"SELECT " PCRM__AUDIT_CUSTOMER_COLUMNS ", CASE WHEN EXISTS (SELECT 1 FROM audit_log a "   \
	"WHERE a.object_type = 'customer' AND a.object_id = customer.customer_no "                \
	"AND a.seq > $2 AND a.covers <> '') THEN 1 ELSE 0 END FROM customer "                     \
	"WHERE customer_no" in_keys

/* The digest of the current row, as cover.c takes it and the import wrote it. */
static int row_covers(pcrm__audit_cover_rows *c, pcrm_rows *rows,
                      char out[PCRM__AUDIT_COVERS_MAX])
{
	pcrm_sql_value v[PCRM__AUDIT_CUSTOMER_COLUMN_COUNT];
	const pcrm_sql_value *p[PCRM__AUDIT_CUSTOMER_COLUMN_COUNT];
	int rc;
	for (int i = 0; i < PCRM__AUDIT_CUSTOMER_COLUMN_COUNT; i++) {
		v[i] = PCRM_SQL_S(pcrm__rows_text(rows, i)); /* the store's text, as cover.c hashes */
		p[i] = &v[i];
	}
	rc = pcrm__audit_cover_rows_add(c, p);
	return rc == PCRM_OK ? pcrm__audit_cover_rows_finish(c, out) : rc;
}

/* Compares the rows with the list: *bad receives the first customer that differs or is gone. */
static int compare(pcrm_ctx *ctx, int64_t seq, struct listed *l, size_t n, const char **bad)
{
	char *list = NULL, covers[PCRM__AUDIT_COVERS_MAX];
	pcrm__audit_cover_rows *c = NULL;
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_key_list(l, n, listed_number, &list);

	*bad = NULL;
	if (rc == PCRM_OK)
		rc = pcrm__audit_cover_rows_new("customer", &c);
	if (rc == PCRM_OK) {
		pcrm_sql_value p[2] = { PCRM_SQL_S(list), PCRM_SQL_I(seq) };
		rc = pcrm__store_query(ctx->store,
		                       ctx->store->driver->kind == PCRM_STORE_POSTGRES ?
		                               IMPORTED_ROWS_SQL(PCRM__SQL_IN_KEYS_PG("$1")) :
		                               IMPORTED_ROWS_SQL(PCRM__SQL_IN_KEYS_SQLITE("$1")),
		                       p, 2, &rows);
	}
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		struct listed key = { .customer_no = pcrm__rows_text(rows, 0) }, *it;
		rc = PCRM_OK;
		if (!(it = bsearch(&key, l, n, sizeof(*l), by_number)))
			continue;
		it->seen = 1;
		if (pcrm__rows_int(rows, PCRM__AUDIT_CUSTOMER_COLUMN_COUNT) == 1)
			continue; /* a newer entry's after-image covers it */
		rc = row_covers(c, rows, covers);
		it->differs = rc == PCRM_OK && strcmp(covers, it->covers) != 0;
	}
	pcrm__rows_free(rows);
	pcrm__audit_cover_rows_free(c);
	free(list);
	for (size_t i = 0; i < n && rc >= 0 && !*bad; i++)
		if (!l[i].seen || l[i].differs)
			*bad = l[i].customer_no;
	return rc < 0 ? rc : PCRM_OK;
}

int pcrm__audit_check_import(pcrm_ctx *ctx, const char *chain, int64_t chain_seq, int64_t seq,
                             const char *summary_text)
{
	const char *bad = NULL;
	struct listed *l = NULL;
	size_t n = 0;
	json_t *summary = json_loads(summary_text, 0, NULL);
	/* the entry's hash matched: a summary of another shape is the library's, not an attack */
	int rc = summary ? parse_listed(summary, &l, &n) : PCRM_OK;

	if (rc == PCRM_OK && n > 0)
		rc = compare(ctx, seq, l, n, &bad);
	if (rc == PCRM_OK && bad)
		rc = pcrm__error(PCRM_EINTEGRITY,
		                 "audit chain %s: entry %" PRId64 ": customer %.64s no longer matches "
		                 "the after-image the import recorded (changed outside the library)",
		                 chain, chain_seq, bad);
	free(l);
	json_decref(summary);
	return rc;
}
