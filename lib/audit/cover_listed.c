/*
 * Rows a bulk writer listed in its entry, each with its after-image digest,
 * checked against the store.
 *
 * A bulk writer audits a batch with one entry that names one object at
 * most, so no entry's after-image (cover.c) covers the batch's other rows:
 *
 *   - pcrm_customer_import() writes customers under one "customer.import"
 *     entry naming the batch's first customer; its summary lists every
 *     customer written ("covered": [[customer number, covers], ...]);
 *   - the call-record sink writes call records and the contacts of answered
 *     calls under one "call_record.store" entry; each call its summary
 *     lists ("calls") has the digest of its record ("covers") and of its
 *     contact ("contact_covers").
 *
 * The writers digest each row as they write it, with the very encoding
 * cover.c takes of a stored row of the type (pcrm__audit_cover_rows_*), and
 * the summary is in the chain's hash.  Verification reads each batch's
 * listed rows back with one query per kind of row and recomputes each
 * digest, except for rows that a newer covering entry names: that entry's
 * own after-image is checked instead (verify.c), against the row as it has
 * been since (a customer's next change, a contact's update).  A listed row
 * that is gone is reported: the library deletes none of them.
 *
 * The listed digests are revision 1's of their types; a new revision of
 * "customer", "contact" or "call_record_row" must be taken into account here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit_internal.h"
#include "audit_verify.h"
#include "core/error.h"

/* What one kind of listed row is, and how its rows are read back. */
struct listed_kind {
	const char *type; /* the covered type (cover.c) whose digest the list holds */
	/*
	 * $1 the rows' ids (PCRM__SQL_IN_KEYS_*), $2 the entry's seq: the row's
	 * key as listed, the type's columns, then 1 when a newer covering entry
	 * names the row, else 0.
	 */
	const char *sql_pg, *sql_sqlite;
	int columns;
};

/* One row an entry listed, and what verification found of it. */
struct listed {
	const char *key;    /* as the query's first column gives it */
	const char *id;     /* what the query looks the row up by */
	const char *covers; /* the digest the writer took */
	char key_buf[96];   /* the key when it is composed ("<call id>/<arrived ms>") */
	int seen;           /* its row was read: it matches or a newer entry covers it */
	int differs;        /* its row was read and no longer has the listed digest */
};

/* 1 when a newer entry of the object names the row ($2: the listing entry's seq). */
#define NEWER_ENTRY(type, id)                                                                 \
	"CASE WHEN EXISTS (SELECT 1 FROM audit_log a WHERE a.object_type = '" type "' "          \
	"AND a.object_id = " id " AND a.seq > $2 AND a.covers <> '') THEN 1 ELSE 0 END"

#define CUSTOMERS_SQL(in_keys)                                                                \
	"SELECT customer_no, " PCRM__AUDIT_CUSTOMER_COLUMNS ", "                                  \
	NEWER_ENTRY("customer", "customer.customer_no") " FROM customer WHERE customer_no" in_keys

#define CONTACTS_SQL(in_keys)                                                                 \
	"SELECT id, " PCRM__AUDIT_CONTACT_COLUMNS ", " NEWER_ENTRY("contact", "contact.id")       \
	" FROM contact WHERE id" in_keys

/* No entry names a call record: $2 only keeps both stores' parameter lists alike. */
#define CALL_RECORDS_SQL(in_keys)                                                             \
	"SELECT call_id || '/' || CAST(arrived_ms AS TEXT), " PCRM__AUDIT_CALL_RECORD_COLUMNS    \
	", CASE WHEN CAST($2 AS BIGINT) IS NULL THEN 1 ELSE 0 END FROM call_record "              \
	"WHERE call_id" in_keys

static const struct listed_kind customers = {
	"customer", CUSTOMERS_SQL(PCRM__SQL_IN_KEYS_PG("$1")),
	CUSTOMERS_SQL(PCRM__SQL_IN_KEYS_SQLITE("$1")), PCRM__AUDIT_CUSTOMER_COLUMN_COUNT
};

static const struct listed_kind contacts = {
	"contact", CONTACTS_SQL(PCRM__SQL_IN_KEYS_PG("$1")),
	CONTACTS_SQL(PCRM__SQL_IN_KEYS_SQLITE("$1")), PCRM__AUDIT_CONTACT_COLUMN_COUNT
};

static const struct listed_kind call_records = {
	"call_record_row", CALL_RECORDS_SQL(PCRM__SQL_IN_KEYS_PG("$1")),
	CALL_RECORDS_SQL(PCRM__SQL_IN_KEYS_SQLITE("$1")), PCRM__AUDIT_CALL_RECORD_COLUMN_COUNT
};

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct listed *)a)->key, ((const struct listed *)b)->key);
}

static const char *listed_id(const void *items, size_t i)
{
	return ((const struct listed *)items)[i].id;
}

/* The digest of the current row (columns 1 .. kind->columns), as cover.c takes it. */
static int row_covers(const struct listed_kind *kind, pcrm__audit_cover_rows *c,
                      pcrm_rows *rows, char out[PCRM__AUDIT_COVERS_MAX])
{
	pcrm_sql_value v[PCRM__AUDIT_COVER_COLUMNS_MAX];
	const pcrm_sql_value *p[PCRM__AUDIT_COVER_COLUMNS_MAX];
	int rc;
	for (int i = 0; i < kind->columns; i++) {
		v[i] = PCRM_SQL_S(pcrm__rows_text(rows, i + 1)); /* the store's text, as cover.c hashes */
		p[i] = &v[i];
	}
	rc = pcrm__audit_cover_rows_add(c, p);
	return rc == PCRM_OK ? pcrm__audit_cover_rows_finish(c, out) : rc;
}

/*
 * Compares the listed rows (sorted by key) with the store: *bad receives
 * the key of the first that differs or is gone, NULL when none.
 */
static int compare(pcrm_ctx *ctx, const struct listed_kind *kind, int64_t seq, struct listed *l,
                   size_t n, const char **bad)
{
	char *list = NULL, covers[PCRM__AUDIT_COVERS_MAX];
	pcrm__audit_cover_rows *c = NULL;
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_key_list(l, n, listed_id, &list);

	*bad = NULL;
	if (rc == PCRM_OK)
		rc = pcrm__audit_cover_rows_new(kind->type, &c);
	if (rc == PCRM_OK) {
		pcrm_sql_value p[2] = { PCRM_SQL_S(list), PCRM_SQL_I(seq) };
		rc = pcrm__store_query(ctx->store,
		                       ctx->store->driver->kind == PCRM_STORE_POSTGRES ? kind->sql_pg :
		                                                                       kind->sql_sqlite,
		                       p, 2, &rows);
	}
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		struct listed key = { .key = pcrm__rows_text(rows, 0) }, *it;
		rc = PCRM_OK;
		if (!key.key || !(it = bsearch(&key, l, n, sizeof(*l), by_key)))
			continue; /* another row under a listed id (a call id used again later) */
		it->seen = 1;
		if (pcrm__rows_int(rows, kind->columns + 1) == 1)
			continue; /* a newer entry's after-image covers it */
		rc = row_covers(kind, c, rows, covers);
		it->differs = rc == PCRM_OK && strcmp(covers, it->covers) != 0;
	}
	pcrm__rows_free(rows);
	pcrm__audit_cover_rows_free(c);
	free(list);
	for (size_t i = 0; i < n && rc >= 0 && !*bad; i++)
		if (!l[i].seen || l[i].differs)
			*bad = l[i].key;
	return rc < 0 ? rc : PCRM_OK;
}

/* Sorts and compares n listed rows; PCRM_EINTEGRITY naming the entry and the first bad row. */
static int check(pcrm_ctx *ctx, const struct listed_kind *kind, const char *what,
                 const char *chain, int64_t chain_seq, int64_t seq, struct listed *l, size_t n)
{
	const char *bad = NULL;
	int rc;
	if (n == 0)
		return PCRM_OK;
	qsort(l, n, sizeof(*l), by_key);
	rc = compare(ctx, kind, seq, l, n, &bad);
	if (rc == PCRM_OK && bad)
		rc = pcrm__error(PCRM_EINTEGRITY,
		                 "audit chain %s: entry %" PRId64 ": %s %.64s no longer matches "
		                 "the after-image the %s recorded (changed outside the library)",
		                 chain, chain_seq, kind->type, bad, what);
	return rc;
}

/*
 * The summary of an entry the verifier read (its hash matched): a summary
 * of another shape is the library's, an entry from before the list, not an
 * attack, and lists nothing.
 */
static int listed_new(const json_t *array, struct listed **out)
{
	*out = NULL;
	if (json_array_size(array) == 0)
		return PCRM_OK;
	if (!(*out = calloc(json_array_size(array), sizeof(**out))))
		return pcrm__error_oom();
	return PCRM_OK;
}

int pcrm__audit_check_import(pcrm_ctx *ctx, const char *chain, int64_t chain_seq, int64_t seq,
                             const char *summary_text)
{
	json_t *summary = json_loads(summary_text, 0, NULL);
	const json_t *covered = json_object_get(summary, "covered");
	struct listed *l = NULL;
	size_t n = 0;
	int rc = listed_new(covered, &l);

	for (size_t i = 0; rc == PCRM_OK && l && i < json_array_size(covered); i++) {
		const json_t *pair = json_array_get(covered, i);
		l[n].key = l[n].id = json_string_value(json_array_get(pair, 0));
		l[n].covers = json_string_value(json_array_get(pair, 1));
		if (l[n].key && l[n].covers)
			n++;
	}
	if (rc == PCRM_OK)
		rc = check(ctx, &customers, "import", chain, chain_seq, seq, l, n);
	free(l);
	json_decref(summary);
	return rc;
}

int pcrm__audit_check_call_records(pcrm_ctx *ctx, const char *chain, int64_t chain_seq,
                                   int64_t seq, const char *summary_text)
{
	json_t *summary = json_loads(summary_text, 0, NULL);
	const json_t *calls = json_object_get(summary, "calls");
	struct listed *records = NULL, *contacted = NULL;
	size_t nr = 0, nc = 0;
	int rc = listed_new(calls, &records);

	if (rc == PCRM_OK)
		rc = listed_new(calls, &contacted);
	for (size_t i = 0; rc == PCRM_OK && records && i < json_array_size(calls); i++) {
		const json_t *call = json_array_get(calls, i);
		const char *id = json_string_value(json_object_get(call, "call_id"));
		json_int_t arrived = json_integer_value(json_object_get(call, "arrived_ms"));
		struct listed *r = &records[nr], *c = &contacted[nc];
		r->covers = json_string_value(json_object_get(call, "covers"));
		if (id && r->covers) {
			snprintf(r->key_buf, sizeof(r->key_buf), "%s/%" JSON_INTEGER_FORMAT, id, arrived);
			r->key = r->key_buf;
			r->id = id;
			nr++;
		}
		c->key = c->id = json_string_value(json_object_get(call, "contact_id"));
		c->covers = json_string_value(json_object_get(call, "contact_covers"));
		if (c->key && c->covers)
			nc++;
	}
	if (rc == PCRM_OK)
		rc = check(ctx, &call_records, "call-record sink", chain, chain_seq, seq, records, nr);
	if (rc == PCRM_OK)
		rc = check(ctx, &contacts, "call-record sink", chain, chain_seq, seq, contacted, nc);
	free(records);
	free(contacted);
	json_decref(summary);
	return rc;
}
