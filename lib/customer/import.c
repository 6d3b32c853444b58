/*
 * Bulk import of customers as JSON Lines.
 *
 * An import batch is checked completely (parse, validate, authorise, seal ID
 * numbers, duplicates within the batch) before the first row is written, and
 * then written in one transaction through the store's bulk path (COPY on
 * PostgreSQL), so a batch lands whole or not at all.
 *
 * Imports resume: inside the batch's transaction, the customers the store
 * already holds under the batch's numbers are read with one query; a line
 * whose stored customer has exactly its content is skipped (counted as
 * already present), one with other content fails the batch naming the line.
 * The ID number is compared through its keyed lookup hash, which sealing the
 * line computed anyway: HMAC-SHA256 under the context's key is equal exactly
 * when the numbers are, and nothing stored has to be decrypted (no AES-GCM
 * open per row, no stored number in clear in memory).
 *
 * The batch's one audit entry names its first customer; so that the others
 * are covered too (docs/security.md, "Coverage of business rows"), each row
 * is digested as it is written, as the audit log digests a stored customer,
 * and the entry lists every written customer with its digest
 * (lib/audit/cover_listed.c checks them at verification).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/crypto.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/json_doc.h"
#include "customer_internal.h"
#include "pii.h"
#include "org/org_internal.h"
#include "store/store.h"

#define DEFAULT_BATCH_LINES 10000
#define ORG_CACHE 64
#define EXPORT_PAGE 1000

struct import_row {
	json_t *doc;
	long line;
	int has_id;
	int present;          /* the store holds this customer with the same content */
	char differs[40];     /* the store holds it with other content: the first field that differs */
	int other_unit;       /* ... as a customer of another org unit than the line's */
	struct pcrm__sealed_id id;
	struct pcrm__customer_seal seal; /* the personal fields as they are stored (pii.h) */
	char covers[PCRM__AUDIT_COVERS_MAX]; /* the written row's after-image digest */
};

struct batch {
	struct import_row *rows;
	size_t count, cap;
	struct import_row **sorted; /* by customer number (check_duplicates) */
	size_t present;             /* rows marked present */
	/* org units the actor was already allowed to write: one check per unit, not per line */
	char allowed[ORG_CACHE][33];
	int nallowed;
};

static void batch_clear(struct batch *b)
{
	for (size_t i = 0; i < b->count; i++) {
		pcrm__customer_seal_clear(&b->rows[i].seal);
		json_decref(b->rows[i].doc);
	}
	free(b->rows);
	free(b->sorted);
	memset(b, 0, sizeof(*b));
}

static int authorise_org(pcrm_ctx *ctx, const pcrm_actor *actor, struct batch *b, const char *org)
{
	int rc;
	for (int i = 0; i < b->nallowed; i++)
		if (strcmp(b->allowed[i], org) == 0)
			return PCRM_OK;
	rc = pcrm_authorize(ctx, actor, PCRM_PERM_ARCHIVE_WRITE, org);
	if (rc == PCRM_OK && b->nallowed < ORG_CACHE && strlen(org) < sizeof(b->allowed[0]))
		snprintf(b->allowed[b->nallowed++], sizeof(b->allowed[0]), "%s", org);
	return rc;
}

static int add_line(pcrm_ctx *ctx, const pcrm_actor *actor, struct batch *b, const char *text,
                    size_t len, long line)
{
	struct import_row *r;
	json_error_t err;
	int rc;

	if (b->count == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 256;
		struct import_row *n = realloc(b->rows, ncap * sizeof(*n));
		if (!n)
			return pcrm__error_oom();
		b->rows = n;
		b->cap = ncap;
	}
	r = &b->rows[b->count];
	memset(r, 0, sizeof(*r));
	r->line = line;
	r->doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!r->doc)
		return pcrm__error(PCRM_EINVAL, "line %ld: invalid JSON at column %d: %s", line,
		                   err.column, pcrm__json_error_text(&err));
	b->count++;
	rc = pcrm__customer_validate(r->doc, 0);
	if (rc == PCRM_OK)
		rc = authorise_org(ctx, actor, b,
		                   json_string_value(json_object_get(r->doc, "org_unit")));
	r->has_id = json_object_get(r->doc, "id_number") != NULL;
	if (rc == PCRM_OK && r->has_id)
		rc = pcrm__customer_seal_id(ctx, json_string_value(json_object_get(r->doc, "customer_no")),
		                            json_string_value(json_object_get(r->doc, "id_number")),
		                            &r->id);
	if (rc == PCRM_OK)
		rc = pcrm__customer_seal(ctx, r->doc, NULL, &r->seal);
	if (rc != PCRM_OK)
		pcrm__error_prefix("line %ld", line);
	return rc;
}

static int is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

static int parse_lines(pcrm_ctx *ctx, const pcrm_actor *actor, struct batch *b, const char *data,
                       size_t len, long first_line)
{
	long line = first_line;
	size_t at = 0;
	while (at < len) {
		const char *nl = memchr(data + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - data) : len;
		if (!is_blank(data + at, end - at)) {
			int rc = add_line(ctx, actor, b, data + at, end - at, line);
			if (rc != PCRM_OK)
				return rc;
		}
		at = end + 1;
		line++;
	}
	return PCRM_OK;
}

static const char *row_no(const struct import_row *r)
{
	return json_string_value(json_object_get(r->doc, "customer_no"));
}

static int by_customer_no(const void *a, const void *b)
{
	return strcmp(row_no(*(struct import_row *const *)a), row_no(*(struct import_row *const *)b));
}

/* Sorts the batch by customer number (kept to match stored rows); a number twice is an error. */
static int check_duplicates(struct batch *b)
{
	struct import_row **sorted = malloc((b->count ? b->count : 1) * sizeof(*sorted));
	int rc = PCRM_OK;
	if (!sorted)
		return pcrm__error_oom();
	b->sorted = sorted;
	for (size_t i = 0; i < b->count; i++)
		sorted[i] = &b->rows[i];
	qsort(sorted, b->count, sizeof(*sorted), by_customer_no);
	for (size_t i = 1; i < b->count && rc == PCRM_OK; i++) {
		if (strcmp(row_no(sorted[i - 1]), row_no(sorted[i])) == 0) {
			const struct import_row *x = sorted[i - 1], *y = sorted[i];
			if (x->line > y->line) {
				x = sorted[i];
				y = sorted[i - 1];
			}
			rc = pcrm__error(PCRM_EDUPLICATE, "line %ld: customer_no: \"%s\" already on line %ld",
			                 y->line, row_no(y), x->line);
		}
	}
	return rc;
}

/* The first field (by name) whose value differs between a line's document and a stored one. */
static const char *first_difference(const json_t *line, const json_t *stored)
{
	const json_t *docs[2] = { line, stored };
	const char *first = NULL, *key;
	json_t *value;
	for (int d = 0; d < 2; d++) {
		json_object_foreach((json_t *)docs[d], key, value) {
			/* bookkeeping fields are not content; the ID number is compared by hash */
			if (strcmp(key, "id_number") == 0 || strcmp(key, "version") == 0 ||
			    strcmp(key, "created_at") == 0 || strcmp(key, "updated_at") == 0)
				continue;
			if (!json_equal(value, json_object_get(docs[1 - d], key)) &&
			    (!first || strcmp(key, first) < 0))
				first = key;
		}
	}
	return first;
}

/* Compares one stored customer with its line: marks the row present or names what differs. */
static int compare_stored(pcrm_ctx *ctx, struct batch *b, struct import_row *r,
                          pcrm_rows *rows)
{
	json_error_t err;
	const char *id_hash = pcrm__rows_text(rows, 3);
	json_t *stored = json_loads(pcrm__rows_text(rows, 2), 0, &err);
	const char *field;
	int rc;
	if (!stored)
		return pcrm__error(PCRM_ESTORE, "customer \"%s\": stored document does not parse",
		                   row_no(r));
	rc = pcrm__customer_unseal(ctx, row_no(r), stored, pcrm__rows_text(rows, 4),
	                           pcrm__rows_text(rows, 5), !pcrm__rows_is_null(rows, 6));
	if (rc != PCRM_OK) {
		json_decref(stored);
		return rc;
	}
	field = first_difference(r->doc, stored);
	if (field)
		snprintf(r->differs, sizeof(r->differs), "%s", field);
	else if (r->has_id ? !id_hash || strcmp(id_hash, r->id.hash) != 0 : id_hash != NULL)
		snprintf(r->differs, sizeof(r->differs), "id_number");
	json_decref(stored);
	if (!r->differs[0]) {
		r->present = 1;
		b->present++;
	}
	return PCRM_OK;
}

static int by_no_key(const void *key, const void *elem)
{
	return strcmp(key, row_no(*(struct import_row *const *)elem));
}

/* The batch's customer numbers as one JSON array: one parameter, one statement per store. */
static char *numbers_json(const struct batch *b)
{
	json_t *nos = json_array();
	char *text = NULL;
	int bad = !nos;
	for (size_t i = 0; i < b->count && !bad; i++)
		bad = json_array_append_new(nos, json_string(row_no(&b->rows[i]))) != 0;
	if (!bad)
		text = json_dumps(nos, JSON_COMPACT);
	json_decref(nos);
	return text;
}

/*
 * Reads the customers the store already holds under the batch's numbers
 * (inside the batch's transaction) and compares each with its line; the
 * first line, in file order, whose stored customer differs fails the batch.
 * The field is named only when the stored customer is of the line's org unit,
 * which the actor was authorised to write: a customer elsewhere is not
 * described to someone who may not read it.
 */
static int find_present(pcrm_ctx *ctx, struct batch *b)
{
	static const char sql_pg[] =
		"SELECT customer_no, org_unit, doc, id_hash, pii_cipher, pii_key, erased_at FROM customer "
		"WHERE customer_no = ANY (ARRAY(SELECT json_array_elements_text($1::json)))";
	static const char sql_sqlite[] =
		"SELECT customer_no, org_unit, doc, id_hash, pii_cipher, pii_key, erased_at FROM customer "
		"WHERE customer_no IN (SELECT value FROM json_each($1))";
	int pg = ctx->store->driver->kind == PCRM_STORE_POSTGRES;
	char *nos = numbers_json(b);
	pcrm_sql_value p[1] = { PCRM_SQL_S(nos) };
	pcrm_rows *rows = NULL;
	int rc = nos ? pcrm__store_query(ctx->store, pg ? sql_pg : sql_sqlite, p, 1, &rows) :
	               pcrm__error_oom();

	while (rc == PCRM_OK) {
		struct import_row **hit;
		int more = pcrm__rows_next(rows);
		if (more <= 0) {
			rc = more;
			break;
		}
		hit = bsearch(pcrm__rows_text(rows, 0), b->sorted, b->count, sizeof(*b->sorted),
		              by_no_key);
		if (!hit)
			continue;
		rc = compare_stored(ctx, b, *hit, rows);
		(*hit)->other_unit = strcmp(pcrm__rows_text(rows, 1),
		                            json_string_value(json_object_get((*hit)->doc,
		                                                              "org_unit"))) != 0;
	}
	pcrm__rows_free(rows);
	free(nos);
	for (size_t i = 0; rc == PCRM_OK && i < b->count; i++) {
		const struct import_row *r = &b->rows[i];
		if (!r->differs[0])
			continue;
		if (r->other_unit)
			return pcrm__error(PCRM_EDUPLICATE, "line %ld: customer_no: \"%s\" is already taken",
			                   r->line, row_no(r));
		return pcrm__error(PCRM_EDUPLICATE,
		                   "line %ld: customer_no: \"%s\" is already taken by a stored customer "
		                   "whose %s differs from the line",
		                   r->line, row_no(r), r->differs);
	}
	return rc;
}

/* A duplicate against the store: name the line whose customer number the store refused. */
static int duplicate_line(const struct batch *b, size_t hint, int rc)
{
	const char *key = strstr(pcrm_error_last(), "=(");
	char no[64] = "";
	if (hint < b->count)
		return pcrm__error(rc, "line %ld: customer_no: \"%s\" is already taken",
		                   b->rows[hint].line, row_no(&b->rows[hint]));
	if (key)
		sscanf(key + 2, "%63[^)]", no);
	for (size_t i = 0; i < b->count; i++)
		if (strcmp(row_no(&b->rows[i]), no) == 0)
			return pcrm__error(rc, "line %ld: customer_no: \"%s\" is already taken",
			                   b->rows[i].line, no);
	return rc;
}

/*
 * The row's after-image digest (lib/audit/cover.c, "customer") from the
 * values written: v holds them in copy_customers()' order, of which the
 * digest takes PCRM__AUDIT_CUSTOMER_COLUMNS (customer_no .. id_hash, version).
 */
static int digest_row(pcrm__audit_cover_rows *c, const pcrm_sql_value *v, struct import_row *r)
{
	const pcrm_sql_value *covered[] = { &v[0], &v[1], &v[2], &v[3],  &v[4],  &v[5],  &v[6],
		                            &v[7], &v[8], &v[9], &v[10], &v[11], &v[12], &v[15] };
	int rc = pcrm__audit_cover_rows_add(c, covered);
	return rc == PCRM_OK ? pcrm__audit_cover_rows_finish(c, r->covers) : rc;
}

static int copy_customers(pcrm_ctx *ctx, struct batch *b, pcrm_time now)
{
	static const char *const cols[] = { "customer_no", "org_unit", "kind", "name",
		                            "usage_class", "voltage_level", "status", "vip_level",
		                            "transformer_area", "doc", "id_masked", "id_cipher",
		                            "id_hash", "created_at", "updated_at", "version",
		                            "household_size", "low_income", "pii_cipher",
		                            "pii_key", "key_version", "name_hash" };
	pcrm__audit_cover_rows *cover = NULL;
	size_t i;
	int rc = pcrm__audit_cover_rows_new("customer", &cover);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__store_bulk_begin(ctx->store, "customer", cols, 22);
	for (i = 0; rc == PCRM_OK && i < b->count; i++) {
		struct import_row *r = &b->rows[i];
		const json_t *d = r->doc;
		char *text;
		pcrm_sql_value v[22];
		if (r->present)
			continue;
		text = pcrm__customer_stored_doc(d);
		if (!text) {
			rc = pcrm__error_oom();
			break;
		}
		v[0] = PCRM_SQL_S(row_no(r));
		v[1] = PCRM_SQL_S(json_string_value(json_object_get(d, "org_unit")));
		v[2] = PCRM_SQL_S(json_string_value(json_object_get(d, "kind")));
		v[3] = PCRM_SQL_S(r->seal.name_masked);
		v[4] = PCRM_SQL_S(json_string_value(json_object_get(d, "usage_class")));
		v[5] = PCRM_SQL_S(json_string_value(json_object_get(d, "voltage_level")));
		v[6] = PCRM_SQL_S(json_string_value(json_object_get(d, "status")));
		v[7] = PCRM_SQL_I(json_integer_value(json_object_get(d, "vip_level")));
		v[8] = PCRM_SQL_S(json_string_value(json_object_get(d, "transformer_area")));
		v[9] = PCRM_SQL_S(text);
		v[10] = PCRM_SQL_S(r->has_id ? r->id.masked : NULL);
		v[11] = PCRM_SQL_S(r->has_id ? r->id.cipher : NULL);
		v[12] = PCRM_SQL_S(r->has_id ? r->id.hash : NULL);
		v[13] = PCRM_SQL_I(now);
		v[14] = PCRM_SQL_I(now);
		v[15] = PCRM_SQL_I(1);
		v[16] = PCRM_SQL_I(pcrm__customer_household_size(d));
		v[17] = PCRM_SQL_I(pcrm__customer_low_income(d));
		v[18] = PCRM_SQL_S(r->seal.cipher);
		v[19] = PCRM_SQL_S(r->seal.dek_wrapped);
		v[20] = PCRM_SQL_I(ctx->key_version);
		v[21] = PCRM_SQL_S(r->seal.name_hash);
		rc = pcrm__store_bulk_row(ctx->store, v);
		if (rc == PCRM_OK)
			rc = digest_row(cover, v, r);
		free(text);
	}
	pcrm__audit_cover_rows_free(cover);
	if (rc != PCRM_OK) {
		pcrm__error_state e;
		pcrm__error_save(&e);
		pcrm__store_bulk_end(ctx->store, 1);
		pcrm__error_restore(&e, rc);
		return rc == PCRM_EDUPLICATE ? duplicate_line(b, i - 1, rc) : rc;
	}
	rc = pcrm__store_bulk_end(ctx->store, 0);
	return rc == PCRM_EDUPLICATE ? duplicate_line(b, b->count, rc) : rc;
}

static int copy_phones(pcrm_ctx *ctx, const struct batch *b)
{
	static const char *const cols[] = { "customer_no", "kind", "phone", "phone_hash" };
	int rc = pcrm__store_bulk_begin(ctx->store, "customer_phone", cols, 4);
	for (size_t i = 0; rc == PCRM_OK && i < b->count; i++) {
		const struct pcrm__customer_seal *seal = &b->rows[i].seal;
		if (b->rows[i].present)
			continue;
		for (size_t k = 0; k < seal->phone_count && rc == PCRM_OK; k++) {
			pcrm_sql_value v[4] = { PCRM_SQL_S(row_no(&b->rows[i])),
				                PCRM_SQL_S(seal->phones[k].kind),
				                PCRM_SQL_S(seal->phones[k].masked),
				                PCRM_SQL_S(seal->phones[k].hash) };
			rc = pcrm__store_bulk_row(ctx->store, v);
		}
	}
	if (rc != PCRM_OK) {
		pcrm__store_bulk_end(ctx->store, 1);
		return rc;
	}
	return pcrm__store_bulk_end(ctx->store, 0);
}

/* The first (dir 1) or last (dir -1) row the batch writes; there is one. */
static const struct import_row *written_end(const struct batch *b, int dir)
{
	size_t i = dir > 0 ? 0 : b->count - 1;
	while (b->rows[i].present)
		i += (size_t)dir;
	return &b->rows[i];
}

/* [[customer number, digest], ...] of the rows written, by number (lib/audit/cover_listed.c). */
static json_t *covered_list(const struct batch *b)
{
	json_t *list = json_array();
	int bad = !list;
	for (size_t i = 0; i < b->count && !bad; i++) {
		const struct import_row *r = b->sorted[i];
		if (!r->present)
			bad = json_array_append_new(list, json_pack("[s, s]", row_no(r), r->covers)) != 0;
	}
	if (bad) {
		json_decref(list);
		return NULL;
	}
	return list;
}

static int write_batch(pcrm_ctx *ctx, const pcrm_actor *actor, struct batch *b,
                       const char *data, size_t len)
{
	char digest[PCRM_SHA256_HEX_LEN + 1];
	const struct import_row *first;
	json_t *summary;
	int rc = find_present(ctx, b);
	if (rc != PCRM_OK || b->present == b->count)
		return rc; /* all there: a rerun of a committed batch writes nothing */
	rc = copy_customers(ctx, b, pcrm_ctx_now(ctx));
	if (rc == PCRM_OK)
		rc = copy_phones(ctx, b);
	if (rc == PCRM_OK)
		rc = pcrm__sha256_hex(data, len, digest);
	if (rc != PCRM_OK)
		return rc;
	first = written_end(b, 1);
	summary = json_pack("{s:I, s:I, s:s, s:s, s:s, s:o?}", "count",
	                    (json_int_t)(b->count - b->present), "already_present",
	                    (json_int_t)b->present, "first", row_no(first), "last",
	                    row_no(written_end(b, -1)), "sha256", digest, "covered", covered_list(b));
	if (!summary || !json_object_get(summary, "covered")) {
		json_decref(summary);
		return pcrm__error_oom();
	}
	/* the entry names the first customer: its digest is the one taken while writing */
	rc = pcrm__audit_append_covered(ctx, actor, "customer.import", "customer", row_no(first),
	                                summary, first->covers);
	json_decref(summary);
	return rc;
}

static int import_batch(pcrm_ctx *ctx, const pcrm_actor *actor, const char *data, size_t len,
                        long first_line, pcrm_import_result *result)
{
	struct batch b;
	int rc = pcrm_actor_validate(actor);
	memset(&b, 0, sizeof(b));
	if (rc == PCRM_OK)
		rc = parse_lines(ctx, actor, &b, data, len, first_line);
	if (rc == PCRM_OK)
		rc = check_duplicates(&b);
	if (rc == PCRM_OK && b.count > 0) {
		rc = pcrm__store_begin(ctx->store);
		if (rc == PCRM_OK)
			rc = pcrm__store_finish(ctx->store, write_batch(ctx, actor, &b, data, len));
	}
	if (rc == PCRM_OK) {
		result->imported += (int64_t)(b.count - b.present);
		result->already_present += (int64_t)b.present;
	}
	batch_clear(&b);
	return rc;
}

/*
 * Checks the version the caller gave the result and zeroes its counts.  A
 * later library accepts every version up to its own and fills only the
 * fields of the caller's version.
 */
static int result_start(pcrm_import_result *result)
{
	if (result->version < 1 || result->version > PCRM_IMPORT_RESULT_VERSION)
		return pcrm__error(PCRM_EINVAL, "result.version: %u is not supported (1..%d)",
		                   result->version, PCRM_IMPORT_RESULT_VERSION);
	result->imported = 0;
	result->already_present = 0;
	return PCRM_OK;
}

int pcrm_customer_import_ext(pcrm_ctx *ctx, const pcrm_actor *actor, const char *jsonl,
                             size_t len, pcrm_import_result *result)
{
	pcrm_import_result own = PCRM_IMPORT_RESULT_INIT;
	int rc;
	if (!result)
		result = &own;
	rc = result_start(result);
	if (rc != PCRM_OK)
		return rc;
	if (!jsonl)
		return pcrm__error(PCRM_EINVAL, "jsonl: missing");
	return import_batch(ctx, actor, jsonl, len, 1, result);
}

int pcrm_customer_import(pcrm_ctx *ctx, const pcrm_actor *actor, const char *jsonl, size_t len,
                         int64_t *imported)
{
	pcrm_import_result result = PCRM_IMPORT_RESULT_INIT;
	int rc = pcrm_customer_import_ext(ctx, actor, jsonl, len, &result);
	if (imported)
		*imported = result.imported;
	return rc;
}

/* Reads up to `lines` lines into buf (grown as needed); returns the number read. */
static long read_lines(FILE *f, long lines, char **buf, size_t *cap, size_t *len)
{
	char *line = NULL;
	size_t line_cap = 0;
	ssize_t n;
	long got = 0;
	*len = 0;
	while (got < lines && (n = getline(&line, &line_cap, f)) > 0) {
		if (*len + (size_t)n + 1 > *cap) {
			size_t ncap = (*len + (size_t)n + 1) * 2;
			char *nb = realloc(*buf, ncap);
			if (!nb) {
				free(line);
				return -1;
			}
			*buf = nb;
			*cap = ncap;
		}
		memcpy(*buf + *len, line, (size_t)n);
		*len += (size_t)n;
		got++;
	}
	free(line);
	return got;
}

int pcrm_customer_import_file_ext(pcrm_ctx *ctx, const pcrm_actor *actor, const char *path,
                                  int batch_lines, pcrm_progress_fn progress, void *userdata,
                                  pcrm_import_result *result)
{
	pcrm_import_result own = PCRM_IMPORT_RESULT_INIT;
	long line = 1, got;
	size_t cap = 0, len;
	char *buf = NULL;
	FILE *f;
	int rc;

	if (!result)
		result = &own;
	rc = result_start(result);
	if (rc != PCRM_OK)
		return rc;
	if (batch_lines < 0)
		return pcrm__error(PCRM_EINVAL, "batch_lines: %d is negative", batch_lines);
	if (!path || !(f = fopen(path, "r")))
		return pcrm__error(PCRM_EIO, "cannot open \"%s\" for reading", path ? path : "(null)");
	while ((got = read_lines(f, batch_lines ? batch_lines : DEFAULT_BATCH_LINES, &buf, &cap,
	                         &len)) > 0) {
		rc = import_batch(ctx, actor, buf, len, line, result);
		if (rc != PCRM_OK)
			break;
		line += got;
		if (progress && progress(result->imported + result->already_present, userdata)) {
			rc = pcrm__error(PCRM_ESTATE, "import stopped by the progress callback after %lld "
			                              "customers (%lld of them already present)",
			                 (long long)(result->imported + result->already_present),
			                 (long long)result->already_present);
			break;
		}
	}
	if (got < 0)
		rc = pcrm__error_oom();
	else if (rc == PCRM_OK && ferror(f))
		rc = pcrm__error(PCRM_EIO, "error reading \"%s\"", path);
	fclose(f);
	free(buf);
	return rc;
}

int pcrm_customer_import_file(pcrm_ctx *ctx, const pcrm_actor *actor, const char *path,
                              int batch_lines, pcrm_progress_fn progress, void *userdata,
                              int64_t *imported)
{
	pcrm_import_result result = PCRM_IMPORT_RESULT_INIT;
	int rc = pcrm_customer_import_file_ext(ctx, actor, path, batch_lines, progress, userdata,
	                                       &result);
	if (imported)
		*imported = result.imported;
	return rc;
}
