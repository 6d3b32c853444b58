/*
 * After-image digests: what an audit entry commits to of the business rows
 * its change left behind, so that editing those rows directly in the
 * database (a ledger amount, a work order's return-visit result) is found by
 * pcrm_audit_verify() even though no audit entry was touched.
 *
 * Each covered object type names the rows that make up one object.  Rows
 * that are only ever appended (ledger entries, work-order history) are
 * digested up to the newest one at the time of the entry, and that bound is
 * recorded ("<bound>:<hex>"): later appends by bulk operations whose entries
 * name no single object (a billing posting, a timer tick) then leave the
 * digest intact, while an edit of any row up to the bound changes it.
 * Single rows are digested whole ("0:<hex>"), minus columns that legitimate
 * bulk operations change without an entry of that object (a bill's status,
 * set to 'void' by the correction that replaces it).  docs/security.md lists
 * what is covered and what is not yet.
 *
 * Every column is read as text (both stores render integers in decimal) and
 * hashed length-prefixed, NULL as its own mark, so no two row sets encode
 * alike.
 *
 * A writer that knows every column of the rows it writes (the billing run's
 * batch of bills) digests them as it writes them instead of reading them back
 * (pcrm__audit_cover_rows_*): the same encoding of the same text, in the same
 * order, so verification recomputes exactly that digest from the stored rows.
 * The order is byte order of the first column on both stores (COLLATE "C" on
 * PostgreSQL), which C can reproduce whatever the database's collation.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"
#include "core/error.h"

struct covered_type {
	const char *object_type;
	/* $1 the object id; bounded ones: $2 the bound, the first column the row's seq */
	const char *sql;
	int bounded;
	int columns;
	/* PostgreSQL's text when it differs (a byte-order ORDER BY), else NULL */
	const char *sql_pg;
	/* rows in byte order of their unique first column: a writer may digest them */
	int written_digest;
};

#define BILL_BATCH_COLUMNS                                                                   \
	"bill_no, customer_no, account_no, period, tariff_id, tariff_version, issue_day, "       \
	"due_day, energy, total, replaces, doc, created_at, created_by"

static const struct covered_type covered[] = {
	{ "customer",
	  "SELECT customer_no, org_unit, kind, name, usage_class, voltage_level, status, vip_level, "
	  "transformer_area, doc, id_masked, id_cipher, id_hash, version FROM customer "
	  "WHERE customer_no = $1",
	  0, 14, NULL, 0 },
	{ "bill",
	  "SELECT bill_no, customer_no, account_no, period, tariff_id, tariff_version, issue_day, "
	  "due_day, energy, total, replaces, doc, created_at, created_by FROM bill "
	  "WHERE bill_no = $1",
	  0, 14, NULL, 0 },
	/*
	 * The bills of one billing-run batch (bill.batch, migration 23), minus
	 * their status.  The run digests them as it writes them
	 * (pcrm__bill_insert() names these columns in this order).
	 */
	{ "bill_batch",
	  "SELECT " BILL_BATCH_COLUMNS " FROM bill WHERE batch = $1 ORDER BY bill_no",
	  0, 14,
	  "SELECT " BILL_BATCH_COLUMNS " FROM bill WHERE batch = $1 ORDER BY bill_no COLLATE \"C\"",
	  1 },
	/*
	 * A contact, minus its sealed text (caller number, summary, cipher): a
	 * reseal and an erasure change those under the customer's entry, and the
	 * cipher is authenticated by AES-GCM with the contact id.
	 */
	{ "contact",
	  "SELECT customer_no, id, at, channel, direction, agent, duration_seconds, business_code, "
	  "work_order_id, recorded_by, recorded_at FROM contact WHERE id = $1",
	  0, 11, NULL, 0 },
	/* every version of a tariff id, each published with an entry of the id */
	{ "tariff",
	  "SELECT version, tariff_id, effective_from, effective_to, doc, doc_hash, published_at, "
	  "published_by, owner_unit, scope_unit FROM tariff_version WHERE tariff_id = $1 "
	  "ORDER BY version",
	  0, 10, NULL, 0 },
	/*
	 * A meter's readings up to the newest reading time (a final reading of a
	 * removal or replacement comes later, under the metering point's entry),
	 * minus the account, which moves with the metering point.
	 */
	{ "meter",
	  "SELECT read_at, installation_id, reg, seq, customer_no, mp_no, meter_no, value, previous, "
	  "previous_at, multiplier, energy, flags, recorded_at FROM meter_reading "
	  "WHERE meter_no = $1 AND read_at <= CAST($2 AS BIGINT) "
	  "ORDER BY read_at, installation_id, reg, seq",
	  1, 14, NULL, 0 },
	/* an account's ledger: every entry up to the bound */
	{ "account",
	  "SELECT seq, entry_key, kind, ref, amount, balance, credit, business_day, posted_at, "
	  "posted_by, request, doc FROM ledger_entry "
	  "WHERE customer_no = (SELECT customer_no FROM ledger_account WHERE account_no = $1) "
	  "AND account_no = $1 AND seq <= CAST($2 AS BIGINT) ORDER BY seq",
	  1, 12, NULL, 0 },
	/* a work order's history, which its stored state replays from */
	{ "work_order",
	  "SELECT seq, at, kind, operator_id, role, actor_org, event, from_state, to_state, note, "
	  "delta FROM work_order_history WHERE work_order_id = $1 AND seq <= CAST($2 AS BIGINT) ORDER BY seq",
	  1, 11, NULL, 0 },
};

static const struct covered_type *find_type(const char *object_type)
{
	for (size_t i = 0; i < sizeof(covered) / sizeof(covered[0]); i++)
		if (strcmp(covered[i].object_type, object_type) == 0)
			return &covered[i];
	return NULL;
}

/* What precedes a column's text: its length "<n>:", or "-" for NULL (followed by no text). */
static size_t column_prefix(const char *value, size_t value_len, char out[32])
{
	if (!value) {
		memcpy(out, "-", 2);
		return 1;
	}
	return (size_t)snprintf(out, 32, "%zu:", value_len);
}

static int hash_column(pcrm_sha256 *h, const char *value)
{
	char prefix[32];
	size_t len = value ? strlen(value) : 0;
	int rc = pcrm__sha256_update(h, prefix, column_prefix(value, len, prefix));
	if (rc == PCRM_OK && value)
		rc = pcrm__sha256_update(h, value, len);
	return rc == PCRM_OK ? pcrm__sha256_update(h, "\n", 1) : rc;
}

/*
 * Digests the object's rows up to `bound` into out; *newest receives the
 * last row's seq, *count (may be NULL) the number of rows.
 */
static int digest(pcrm_ctx *ctx, const struct covered_type *t, const char *object_id,
                  int64_t bound, int64_t *newest, int64_t *count,
                  char out[PCRM_SHA256_HEX_LEN + 1])
{
	int64_t rows_seen = 0;
	pcrm_sql_value p[2] = { PCRM_SQL_S(object_id), PCRM_SQL_I(bound) };
	pcrm_sha256 *h;
	pcrm_rows *rows;
	int rc = pcrm__sha256_new(&h);
	if (rc != PCRM_OK)
		return rc;
	*newest = 0;
	rc = pcrm__store_query(ctx->store,
	                       t->sql_pg && ctx->store->driver->kind == PCRM_STORE_POSTGRES ?
	                               t->sql_pg :
	                               t->sql,
	                       p, t->bounded ? 2 : 1, &rows);
	if (rc == PCRM_OK) {
		while ((rc = pcrm__rows_next(rows)) == 1) {
			rc = pcrm__sha256_update(h, "row\n", 4);
			for (int i = 0; i < t->columns && rc == PCRM_OK; i++)
				rc = hash_column(h, pcrm__rows_text(rows, i));
			if (rc != PCRM_OK)
				break;
			if (t->bounded)
				*newest = pcrm__rows_int(rows, 0);
			rows_seen++;
		}
		pcrm__rows_free(rows);
	}
	if (rc == PCRM_OK)
		rc = pcrm__sha256_final_hex(h, out);
	pcrm__sha256_free(h);
	if (count)
		*count = rows_seen;
	return rc;
}

int pcrm__audit_cover(pcrm_ctx *ctx, const char *object_type, const char *object_id,
                      char out[PCRM__AUDIT_COVERS_MAX])
{
	const struct covered_type *t = find_type(object_type);
	char hex[PCRM_SHA256_HEX_LEN + 1];
	int64_t newest, count;
	int rc;

	out[0] = '\0';
	if (!t || !object_id[0])
		return PCRM_OK;
	rc = digest(ctx, t, object_id, INT64_MAX, &newest, &count, hex);
	/*
	 * No rows, nothing to cover: an object id that names a batch rather than
	 * an object (a customer import's row number), an account with no ledger
	 * entries yet.
	 */
	if (rc == PCRM_OK && count > 0)
		snprintf(out, PCRM__AUDIT_COVERS_MAX, "%" PRId64 ":%s", newest, hex);
	return rc;
}

int pcrm__audit_cover_check(pcrm_ctx *ctx, const char *object_type, const char *object_id,
                            const char *covers, int *same)
{
	const struct covered_type *t = find_type(object_type);
	char hex[PCRM_SHA256_HEX_LEN + 1], *end;
	const char *colon = strchr(covers, ':');
	int64_t bound, newest;
	int rc;

	*same = 0;
	/* an entry whose type is no longer covered, or whose value is not ours: cannot match */
	if (!t || !colon)
		return PCRM_OK;
	bound = strtoll(covers, &end, 10);
	if (end != colon)
		return PCRM_OK;
	rc = digest(ctx, t, object_id, t->bounded ? bound : INT64_MAX, &newest, NULL, hex);
	if (rc == PCRM_OK)
		*same = strcmp(hex, colon + 1) == 0 && (!t->bounded || newest == bound);
	return rc;
}

/* ---- digests taken while writing ---- */

struct written_row {
	char *text; /* the row's encoding: "row\n" and each column as hash_column() feeds it */
	size_t len;
	const char *key; /* the first column's text, inside `text` */
	size_t key_len;
};

struct pcrm__audit_cover_rows {
	const struct covered_type *type;
	struct written_row *rows;
	size_t n, cap;
};

int pcrm__audit_cover_rows_new(const char *object_type, pcrm__audit_cover_rows **out)
{
	const struct covered_type *t = find_type(object_type);
	pcrm__audit_cover_rows *c;

	*out = NULL;
	if (!t || !t->written_digest)
		return pcrm__error(PCRM_EINVAL, "object type \"%s\": not digested while written",
		                   object_type);
	if (!(c = calloc(1, sizeof(*c))))
		return pcrm__error_oom();
	c->type = t;
	*out = c;
	return PCRM_OK;
}

/* A value as the store gives it back as text: integers in decimal, text as written. */
static const char *value_text(const pcrm_sql_value *v, char buf[32])
{
	if (v->type != PCRM_SQL_INT)
		return v->s;
	snprintf(buf, 32, "%" PRId64, v->i);
	return buf;
}

int pcrm__audit_cover_rows_add(pcrm__audit_cover_rows *c, const pcrm_sql_value *const *values)
{
	char ints[PCRM__AUDIT_COVER_COLUMNS_MAX][32], prefixes[PCRM__AUDIT_COVER_COLUMNS_MAX][32];
	const char *text[PCRM__AUDIT_COVER_COLUMNS_MAX];
	size_t lens[PCRM__AUDIT_COVER_COLUMNS_MAX], plens[PCRM__AUDIT_COVER_COLUMNS_MAX];
	size_t len = 4, at;
	struct written_row *row;
	int columns = c->type->columns;

	for (int i = 0; i < columns; i++) {
		text[i] = value_text(values[i], ints[i]);
		lens[i] = text[i] ? strlen(text[i]) : 0;
		plens[i] = column_prefix(text[i], lens[i], prefixes[i]);
		len += plens[i] + lens[i] + 1;
	}
	if (!text[0]) /* the order is the first column's: NOT NULL in every such table */
		return pcrm__error(PCRM_EINVAL, "%s: a row without its first column",
		                   c->type->object_type);
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct written_row *grown = realloc(c->rows, cap * sizeof(*grown));
		if (!grown)
			return pcrm__error_oom();
		c->rows = grown;
		c->cap = cap;
	}
	row = &c->rows[c->n];
	if (!(row->text = malloc(len)))
		return pcrm__error_oom();
	memcpy(row->text, "row\n", 4);
	at = 4;
	for (int i = 0; i < columns; i++) {
		memcpy(row->text + at, prefixes[i], plens[i]);
		at += plens[i];
		if (i == 0) {
			row->key = row->text + at;
			row->key_len = lens[0];
		}
		if (text[i])
			memcpy(row->text + at, text[i], lens[i]);
		at += lens[i];
		row->text[at++] = '\n';
	}
	row->len = at;
	c->n++;
	return PCRM_OK;
}

/* Byte order, as SQLite's BINARY and PostgreSQL's "C" collation compare. */
static int by_key(const void *a, const void *b)
{
	const struct written_row *x = a, *y = b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int d = memcmp(x->key, y->key, n);
	if (d != 0)
		return d;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

int pcrm__audit_cover_rows_finish(pcrm__audit_cover_rows *c, char out[PCRM__AUDIT_COVERS_MAX])
{
	char hex[PCRM_SHA256_HEX_LEN + 1];
	pcrm_sha256 *h;
	int rc;

	out[0] = '\0';
	if (c->n == 0) /* as pcrm__audit_cover(): no rows, nothing to cover */
		return PCRM_OK;
	/* mostly in order already: the run writes in account order */
	qsort(c->rows, c->n, sizeof(*c->rows), by_key);
	if ((rc = pcrm__sha256_new(&h)) != PCRM_OK)
		return rc;
	for (size_t i = 0; i < c->n && rc == PCRM_OK; i++)
		rc = pcrm__sha256_update(h, c->rows[i].text, c->rows[i].len);
	if (rc == PCRM_OK)
		rc = pcrm__sha256_final_hex(h, hex);
	pcrm__sha256_free(h);
	if (rc == PCRM_OK) /* single rows: bound 0, as pcrm__audit_cover() writes it */
		snprintf(out, PCRM__AUDIT_COVERS_MAX, "0:%s", hex);
	return rc;
}

void pcrm__audit_cover_rows_free(pcrm__audit_cover_rows *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->rows[i].text);
	free(c->rows);
	free(c);
}
