/*
 * The work order in the store: the row <-> object mapping, the operation
 * object every change goes through (so every change is a delta in the
 * history), and the timers.
 *
 * A change reads the row, builds the new object and its delta, then writes
 * the row with a conditional UPDATE on the step count it read: a concurrent
 * change in between makes it PCRM_ECONFLICT and nothing is written.  The
 * history entry, the timers and the audit entry share the transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/text.h"
#include "org/org_internal.h"
#include "store/store.h"
#include "workorder_internal.h"

/*
 * C_OTEXT and C_OJSON (text, a JSON object) are left out of the work order's
 * object while NULL: columns added after work orders existed (schema 17),
 * so the JSON of a work order that does not use them stays what it was.
 */
enum col_type { C_TEXT, C_NTEXT, C_INT, C_NINT, C_DATA, C_OTEXT, C_OJSON };

static const struct column {
	const char *name;
	enum col_type type;
} columns[PCRM__WO_COLUMNS] = {
	{ "id", C_TEXT },         { "workflow", C_TEXT },     { "workflow_version", C_INT },
	{ "business_key", C_TEXT }, { "customer_no", C_NTEXT }, { "org_unit", C_TEXT },
	{ "owner", C_NTEXT },     { "state", C_TEXT },        { "status", C_TEXT },
	{ "data", C_DATA },       { "opened_by", C_TEXT },    { "opened_at", C_INT },
	{ "updated_at", C_INT },  { "due_at", C_NINT },       { "overdue", C_INT },
	{ "suspended", C_INT },   { "reminders", C_INT },     { "escalations", C_INT },
	{ "version", C_INT },     { "sla_class", C_OTEXT },   { "clocks", C_OJSON },
};

/* ---- row <-> object ---- */

int pcrm__workorder_from_row(pcrm_rows *rows, json_t **out, int *steps)
{
	json_t *obj = json_object();
	int rc = obj ? PCRM_OK : pcrm__error_oom();

	for (int i = 0; i < PCRM__WO_COLUMNS && rc == PCRM_OK; i++) {
		/* text only of text columns: asking SQLite for an integer's text formats and keeps it */
		const char *s = columns[i].type != C_INT && columns[i].type != C_NINT ?
		                        pcrm__rows_text(rows, i) :
		                        NULL;
		json_t *v;
		if ((columns[i].type == C_OTEXT || columns[i].type == C_OJSON) && !s)
			continue;
		switch (columns[i].type) {
		case C_OTEXT:
			v = json_string(s);
			break;
		case C_OJSON:
			v = json_loads(s, 0, NULL);
			if (!json_is_object(v)) {
				json_decref(v);
				json_decref(obj);
				return pcrm__error(PCRM_ESTORE, "work_order.%s: stored text is not a "
				                                "JSON object",
				                   columns[i].name);
			}
			break;
		case C_TEXT:
		case C_NTEXT:
			v = s ? json_string(s) : json_null();
			break;
		case C_DATA:
			v = s ? json_loads(s, 0, NULL) : NULL;
			if (!json_is_object(v)) {
				json_decref(v);
				json_decref(obj);
				return pcrm__error(PCRM_ESTORE, "work_order.data: stored text is not a "
				                                "JSON object");
			}
			break;
		default:
			v = json_integer(pcrm__rows_is_null(rows, i) ? 0 : pcrm__rows_int(rows, i));
		}
		/* the names are the fixed ASCII column names: no UTF-8 check of the key */
		if (!v || json_object_set_new_nocheck(obj, columns[i].name, v) != 0)
			rc = pcrm__error_oom();
	}
	if (rc != PCRM_OK) {
		json_decref(obj);
		return rc;
	}
	*steps = (int)pcrm__rows_int(rows, PCRM__WO_COLUMNS);
	*out = obj;
	return PCRM_OK;
}

const char *pcrm__wo_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

int64_t pcrm__wo_int(const json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

/*
 * Parameters $1..$21 in column order; *data_text and *clocks_text are the
 * caller's to free.  With data_text (clocks_text) NULL, data (clocks) is not
 * serialised (its parameter is NULL).
 */
static int row_params(const json_t *obj, pcrm_sql_value *p, char **data_text, char **clocks_text)
{
	if (clocks_text)
		*clocks_text = NULL;
	for (int i = 0; i < PCRM__WO_COLUMNS; i++) {
		const json_t *v = json_object_get(obj, columns[i].name);
		switch (columns[i].type) {
		case C_OJSON:
			if (!v || !clocks_text) {
				p[i] = PCRM_SQL_NUL;
				break;
			}
			*clocks_text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
			if (!*clocks_text)
				return pcrm__error_oom();
			p[i] = PCRM_SQL_S(*clocks_text);
			break;
		case C_TEXT:
		case C_NTEXT:
		case C_OTEXT:
			p[i] = PCRM_SQL_S(json_string_value(v));
			break;
		case C_DATA:
			if (!data_text) {
				p[i] = PCRM_SQL_NUL;
				break;
			}
			*data_text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
			if (!*data_text)
				return pcrm__error_oom();
			p[i] = PCRM_SQL_S(*data_text);
			break;
		case C_NINT:
			p[i] = json_integer_value(v) ? PCRM_SQL_I(json_integer_value(v)) : PCRM_SQL_NUL;
			break;
		default:
			p[i] = PCRM_SQL_I(json_integer_value(v));
		}
	}
	return PCRM_OK;
}

static const char *open_key(const json_t *obj)
{
	return strcmp(pcrm__wo_str(obj, "status"), "open") == 0 ? pcrm__wo_str(obj, "business_key") :
	                                                          NULL;
}

int pcrm__workorder_insert(pcrm_ctx *ctx, const json_t *obj)
{
	static const char sql[] =
		"INSERT INTO work_order (id, workflow, workflow_version, business_key, customer_no, "
		"org_unit, owner, state, status, data, opened_by, opened_at, updated_at, due_at, "
		"overdue, suspended, reminders, escalations, version, sla_class, clocks, open_key, "
		"steps) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
		"$17, $18, $19, $20, $21, $22, 0)";
	pcrm_sql_value p[PCRM__WO_COLUMNS + 1];
	char *data = NULL, *clocks = NULL;
	int rc = row_params(obj, p, &data, &clocks);
	p[PCRM__WO_COLUMNS] = PCRM_SQL_S(open_key(obj));
	if (rc == PCRM_OK)
		rc = pcrm__store_exec(ctx->store, sql, p, PCRM__WO_COLUMNS + 1, NULL);
	free(data);
	free(clocks);
	return rc;
}

/*
 * Whether the row UPDATE sets column i: only what changed since the row was
 * last written (the delta's keys; open_key follows status and business_key).
 * SQLite rewrites the entry of every index on a column in the SET list, and
 * checks every foreign key among them, whether the value changed or not: a
 * transition setting all 19 columns rewrote four index pages of work_order
 * that nothing had changed in, and looked up its org unit, customer and
 * definition.  PostgreSQL compares values itself (HOT), so it loses nothing.
 */
static int sets_column(const struct pcrm__wo_op *op, int i)
{
	return json_object_get(op->delta, columns[i].name) != NULL;
}

static int sets_open_key(const struct pcrm__wo_op *op)
{
	return json_object_get(op->delta, "status") || json_object_get(op->delta, "business_key");
}

/*
 * Appends "name = $n, " at sql + *len with plain copies: an snprintf per
 * column cost more than the rest of the statement's text.
 */
static void append_set(char *sql, size_t *len, const char *name, int n)
{
	size_t l = strlen(name);
	memcpy(sql + *len, name, l);
	memcpy(sql + *len + l, " = $", 4);
	*len += l + 4;
	*len += pcrm__int_text(n, sql + *len);
	memcpy(sql + *len, ", ", 2);
	*len += 2;
}

/* A history entry's columns in the order of history_columns[] and history_params(). */
#define HISTORY_COLUMNS                                                                      \
	"work_order_id, seq, at, kind, operator_id, role, actor_org, event, from_state, "         \
	"to_state, note, delta"

static void history_params(const struct pcrm__wo_op *op, const struct pcrm__wo_entry *e,
                           const char *delta, pcrm_sql_value p[12]);

/*
 * "UPDATE work_order SET <changed columns> = $2.., steps = $k WHERE id = $1
 * AND steps = $k+1" and its parameters.  The text depends only on which
 * columns change (names from the fixed table above, values always bound), so
 * the few texts there are stay in the stores' statement caches.  At most 22
 * parameters, and the buffer holds every column's name.
 */
static int update_row(struct pcrm__wo_op *op, const struct pcrm__wo_entry *e, const char *delta,
                      int *with_history)
{
	static const char with[] = "WITH changed AS (UPDATE work_order SET ";
	const char *head = with + strlen("WITH changed AS (");
	pcrm_sql_value all[PCRM__WO_COLUMNS], p[PCRM__WO_COLUMNS + 3 + 10], h[12];
	char sql[2048], *data = NULL, *clocks = NULL, conflict[96];
	size_t len;
	int n = 1, rc = row_params(op->wo, all, json_object_get(op->delta, "data") ? &data : NULL,
	                           json_object_get(op->delta, "clocks") ? &clocks : NULL);

	*with_history = e && op->ctx->store->driver->kind == PCRM_STORE_POSTGRES;
	if (*with_history)
		head = with;
	len = strlen(head);
	memcpy(sql, head, len);
	p[0] = all[0]; /* id */
	for (int i = 1; i < PCRM__WO_COLUMNS; i++)
		if (sets_column(op, i)) {
			p[n++] = all[i];
			append_set(sql, &len, columns[i].name, n);
		}
	if (sets_open_key(op)) {
		p[n++] = PCRM_SQL_S(open_key(op->wo));
		append_set(sql, &len, "open_key", n);
	}
	p[n] = PCRM_SQL_I(op->steps + 1);
	p[n + 1] = PCRM_SQL_I(op->steps);
	len += (size_t)snprintf(sql + len, sizeof(sql) - len,
	                        "steps = $%d WHERE id = $1 AND steps = $%d", n + 1, n + 2);
	if (*with_history) {
		/*
		 * PostgreSQL: the history entry rides on the UPDATE as one
		 * statement, inserted once per row the UPDATE changed, so the
		 * statement's row count is the UPDATE's and the step-count check
		 * below holds for both.  seq is the new step count ($k); the
		 * entry's other values follow the UPDATE's parameters.
		 */
		history_params(op, e, delta, h);
		for (int i = 2; i < 12; i++)
			p[n + i] = h[i];
		snprintf(sql + len, sizeof(sql) - len,
		         " RETURNING 1) INSERT INTO work_order_history (" HISTORY_COLUMNS ") "
		         "SELECT $1, $%d, CAST($%d AS BIGINT), CAST($%d AS TEXT), CAST($%d AS TEXT), "
		         "CAST($%d AS TEXT), CAST($%d AS TEXT), CAST($%d AS TEXT), CAST($%d AS TEXT), "
		         "CAST($%d AS TEXT), CAST($%d AS TEXT), CAST($%d AS TEXT) FROM changed",
		         n + 1, n + 3, n + 4, n + 5, n + 6, n + 7, n + 8, n + 9, n + 10, n + 11, n + 12);
	}
	snprintf(conflict, sizeof(conflict), "work order %s changed meanwhile: read it again",
	         op->id);
	/*
	 * Sent with the next statement that needs an answer (the audit head's
	 * claim, SELECT ... FOR UPDATE on PostgreSQL, within pcrm__wo_commit): a
	 * missed step count is PCRM_ECONFLICT from there, and the transaction
	 * rolls back.  On PostgreSQL the history entry is part of the statement.
	 */
	if (rc == PCRM_OK)
		rc = pcrm__store_exec_later(op->ctx->store, sql, p, *with_history ? n + 12 : n + 2, 1,
		                            PCRM_ECONFLICT, conflict);
	free(data);
	free(clocks);
	return rc;
}

/*
 * A batch's staged rows are written by one statement of the store
 * (pcrm__store_update_from_json) that sets the columns a simple timer
 * changes and the new step count, for each row whose step count is still the
 * one it was read with.  One fixed list keeps one statement text per store;
 * a short one keeps SQLite from rewriting indexes on columns that did not
 * change (it updates every index on a column in the SET list).
 */
static const struct pcrm__json_column batch_columns[] = {
	{ "updated_at", 0 }, { "due_at", 0 }, { "overdue", 0 }, { "version", 0 }, { "steps", 0 },
};

static int batch_writes(const char *key)
{
	for (size_t i = 0; i < sizeof(batch_columns) / sizeof(batch_columns[0]); i++)
		if (strcmp(batch_columns[i].name, key) == 0)
			return 1;
	return 0;
}

/* One staged row as a JSON object: its id, the columns the batch sets, old and new step count. */
static json_t *many_row(const struct pcrm__wo_op *op)
{
	json_t *row = json_object();
	int bad = !row || json_object_set(row, "id", json_object_get(op->wo, "id")) != 0;
	for (size_t i = 0; !bad && i < sizeof(batch_columns) / sizeof(batch_columns[0]); i++) {
		const char *name = batch_columns[i].name;
		json_t *v = json_object_get(op->wo, name);
		if (strcmp(name, "steps") == 0)
			v = json_integer(op->steps);
		else if (strcmp(name, "due_at") == 0 && json_integer_value(v) == 0)
			v = json_null(); /* as row_params binds it */
		else
			v = json_incref(v);
		bad = !v || json_object_set_new(row, name, v) != 0;
	}
	if (!bad)
		bad = json_object_set_new(row, "old_steps", json_integer(op->stored_steps)) != 0;
	if (bad) {
		json_decref(row);
		return NULL;
	}
	return row;
}

int pcrm__wo_flush_many(pcrm_ctx *ctx, struct pcrm__wo_op *const *ops, int n, json_t *written)
{
	struct pcrm__json_update u = { "work_order", "id", batch_columns,
		                       (int)(sizeof(batch_columns) / sizeof(batch_columns[0])),
		                       "steps", "old_steps" };
	json_t *list = json_array();
	char *text = NULL;
	pcrm_rows *rows = NULL;
	int rc = list ? PCRM_OK : pcrm__error_oom();

	for (int r = 0; r < n && rc == PCRM_OK; r++)
		if (json_array_append_new(list, many_row(ops[r])) != 0)
			rc = pcrm__error_oom();
	if (rc == PCRM_OK && (text = json_dumps(list, JSON_COMPACT)) == NULL)
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = pcrm__store_update_from_json(ctx->store, &u, text, &rows);
	while (rc == PCRM_OK && rows) {
		int more = pcrm__rows_next(rows);
		if (more <= 0) {
			rc = more;
			break;
		}
		if (json_object_set_new(written, pcrm__rows_text(rows, 0), json_true()) != 0)
			rc = pcrm__error_oom();
	}
	pcrm__rows_free(rows);
	json_decref(list);
	free(text);
	return rc;
}

/*
 * Reads the row; with `home` set, also the org unit named home_code in the
 * same statement (home->code NULL when there is none).  A change needs both
 * (the work order, and the actor's unit for the permission check), and one
 * read costs one statement and one read lock instead of two.
 */
static int read_row(pcrm_ctx *ctx, const char *id, const char *home_code, json_t **obj,
                    int *steps, struct pcrm_org_unit *home)
{
	static const char plain[] = "SELECT " PCRM__WO_SELECT " FROM work_order w WHERE w.id = $1";
	static const char joined[] = "SELECT " PCRM__WO_SELECT ", " PCRM__ORG_COLUMNS("h") " FROM "
	                             "work_order w LEFT JOIN org_unit h ON h.code = $2 "
	                             "WHERE w.id = $1";
	pcrm_sql_value p[2] = { PCRM_SQL_S(id), PCRM_SQL_S(home_code) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, home ? joined : plain, p, home ? 2 : 1, &rows);

	*obj = NULL;
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1)
		rc = pcrm__workorder_from_row(rows, obj, steps);
	else if (rc == 0)
		rc = pcrm__error(PCRM_ENOTFOUND, "work order %.36s does not exist", id);
	/* after the work order's PCRM__WO_COLUMNS columns and its step count */
	if (rc == PCRM_OK && home && !pcrm__rows_is_null(rows, PCRM__WO_COLUMNS + 1))
		rc = pcrm__org_from_row(rows, PCRM__WO_COLUMNS + 1, home);
	pcrm__rows_free(rows);
	return rc;
}

int pcrm__workorder_read(pcrm_ctx *ctx, const char *id, json_t **obj, int *steps)
{
	return read_row(ctx, id, NULL, obj, steps, NULL);
}

/* ---- the operation ---- */

int pcrm__wo_op_load_home(struct pcrm__wo_op *op, pcrm_ctx *ctx, const pcrm_actor *actor,
                          const char *id, pcrm_time now, struct pcrm_org_unit *home)
{
	int rc;
	memset(op, 0, sizeof(*op));
	if (home)
		memset(home, 0, sizeof(*home));
	op->ctx = ctx;
	op->actor = actor;
	op->now = now;
	op->delta = json_object();
	if (!op->delta)
		return pcrm__error_oom();
	rc = read_row(ctx, id, actor->org_unit, &op->wo, &op->steps, home);
	op->stored_steps = op->steps;
	if (rc == PCRM_OK) {
		op->id = pcrm__wo_str(op->wo, "id");
		rc = pcrm__workflow_load(ctx, pcrm__wo_str(op->wo, "workflow"),
		                         (int)pcrm__wo_int(op->wo, "workflow_version"), &op->wf);
	}
	return rc;
}

int pcrm__wo_op_load(struct pcrm__wo_op *op, pcrm_ctx *ctx, const pcrm_actor *actor,
                     const char *id, pcrm_time now)
{
	return pcrm__wo_op_load_home(op, ctx, actor, id, now, NULL);
}

void pcrm__wo_op_clear(struct pcrm__wo_op *op)
{
	json_decref(op->wo);
	json_decref(op->delta);
	pcrm_workflow_free(op->wf);
	memset(op, 0, sizeof(*op));
}

void pcrm__wo_set(struct pcrm__wo_op *op, const char *key, json_t *v)
{
	if (!v) {
		op->oom = 1;
		return;
	}
	if (json_equal(json_object_get(op->wo, key), v)) {
		json_decref(v);
		return;
	}
	if (op->batch && !batch_writes(key))
		op->unbatched = key;
	if (json_object_set(op->wo, key, v) != 0 || json_object_set_new(op->delta, key, v) != 0)
		op->oom = 1;
}

void pcrm__wo_set_str(struct pcrm__wo_op *op, const char *key, const char *s)
{
	pcrm__wo_set(op, key, s ? json_string(s) : json_null());
}

void pcrm__wo_set_int(struct pcrm__wo_op *op, const char *key, int64_t v)
{
	pcrm__wo_set(op, key, json_integer(v));
}

int pcrm__wo_patch_data(struct pcrm__wo_op *op, const json_t *patch)
{
	if (!patch || json_object_size(patch) == 0)
		return PCRM_OK;
	if (pcrm__json_merge_patch(json_object_get(op->wo, "data"), patch) != PCRM_OK ||
	    json_object_set(op->delta, "data", (json_t *)patch) != 0)
		return pcrm__error_oom();
	if (op->batch)
		op->unbatched = "data";
	return PCRM_OK;
}

/* HISTORY_COLUMNS one by one, for the bulk path (pcrm__wo_batch_write) */
static const char *const history_columns[12] = {
	"work_order_id", "seq", "at", "kind", "operator_id", "role",
	"actor_org", "event", "from_state", "to_state", "note", "delta"
};

/* The values of the next history entry, in history_columns order. */
static void history_params(const struct pcrm__wo_op *op, const struct pcrm__wo_entry *e,
                           const char *delta, pcrm_sql_value p[12])
{
	p[0] = PCRM_SQL_S(op->id);
	p[1] = PCRM_SQL_I(op->steps + 1);
	p[2] = PCRM_SQL_I(op->now);
	p[3] = PCRM_SQL_S(e->kind);
	p[4] = PCRM_SQL_S(op->actor->operator_id);
	p[5] = PCRM_SQL_S(pcrm_role_name(op->actor->role));
	p[6] = PCRM_SQL_S(op->actor->org_unit);
	p[7] = PCRM_SQL_S(e->event);
	p[8] = PCRM_SQL_S(e->from);
	p[9] = PCRM_SQL_S(e->to);
	p[10] = PCRM_SQL_S(e->note);
	p[11] = PCRM_SQL_S(delta);
}

static int insert_history(struct pcrm__wo_op *op, const struct pcrm__wo_entry *e,
                          const char *delta)
{
	static const char sql[] =
		"INSERT INTO work_order_history (" HISTORY_COLUMNS ") "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
	pcrm_sql_value p[12];
	history_params(op, e, delta, p);
	return pcrm__store_exec_later(op->ctx->store, sql, p, 12, -1, 0, NULL);
}

/* ---- a batch of staged entries (tick) ---- */

struct staged {
	pcrm_sql_value v[12];
	char *text[12]; /* owned copies behind v */
};

struct pcrm__wo_batch {
	struct staged *rows;
	size_t n, cap;
	json_t *items; /* what the batch's audit entry lists */
	json_t *written_rows; /* id -> the row columns the batch wrote (many_row()) */
};

int pcrm__wo_batch_new(struct pcrm__wo_batch **out)
{
	struct pcrm__wo_batch *b = calloc(1, sizeof(*b));
	if (b) {
		b->items = json_array();
		b->written_rows = json_object();
	}
	if (!b || !b->items || !b->written_rows) {
		if (b) {
			json_decref(b->items);
			json_decref(b->written_rows);
		}
		free(b);
		return pcrm__error_oom();
	}
	*out = b;
	return PCRM_OK;
}

static void staged_clear(struct staged *r)
{
	for (int i = 0; i < 12; i++)
		free(r->text[i]);
}

int pcrm__wo_batch_keep(struct pcrm__wo_batch *b, const json_t *written,
                        struct pcrm__wo_op *const *ops, int n)
{
	size_t kept = 0;
	/* the columns each written row now holds, for the entry's digests */
	for (int i = 0; i < n; i++)
		if (json_object_get(written, ops[i]->id) &&
		    json_object_set_new(b->written_rows, ops[i]->id, many_row(ops[i])) != 0)
			return pcrm__error_oom();
	for (size_t i = 0; i < b->n; i++) {
		if (json_object_get(written, b->rows[i].v[0].s)) {
			b->rows[kept] = b->rows[i];
			json_array_set(b->items, kept, json_array_get(b->items, i));
			kept++;
		} else {
			staged_clear(&b->rows[i]);
		}
	}
	b->n = kept;
	while (json_array_size(b->items) > kept)
		json_array_remove(b->items, json_array_size(b->items) - 1);
	return PCRM_OK;
}

void pcrm__wo_batch_free(struct pcrm__wo_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		staged_clear(&b->rows[i]);
	free(b->rows);
	json_decref(b->items);
	json_decref(b->written_rows);
	free(b);
}

static int stage(struct pcrm__wo_op *op, const struct pcrm__wo_entry *e, const char *delta,
                 json_t *item)
{
	struct pcrm__wo_batch *b = op->batch;
	struct staged *r;
	pcrm_sql_value p[12];

	if (b->n == b->cap) {
		struct staged *m = realloc(b->rows, (b->cap = b->cap * 2 + 64) * sizeof(*m));
		if (!m)
			return pcrm__error_oom();
		b->rows = m;
	}
	r = &b->rows[b->n];
	memset(r, 0, sizeof(*r));
	history_params(op, e, delta, p);
	for (int i = 0; i < 12; i++) {
		r->v[i] = p[i];
		if (p[i].type == PCRM_SQL_TEXT) {
			r->text[i] = strdup(p[i].s);
			if (!r->text[i]) {
				staged_clear(r);
				return pcrm__error_oom();
			}
			r->v[i].s = r->text[i];
		}
	}
	if (json_array_append(b->items, item) != 0) {
		staged_clear(r);
		return pcrm__error_oom();
	}
	b->n++;
	return PCRM_OK;
}

/* A JSON integer or null as the store binds it. */
static pcrm_sql_value json_value(const json_t *v)
{
	return json_is_integer(v) ? PCRM_SQL_I(json_integer_value(v)) : PCRM_SQL_NUL;
}

/*
 * Sets item i's "covers", the digest of its history entry, and when it is
 * its work order's last in the batch "row_covers", of the row columns the
 * batch wrote.
 */
static int item_covers(struct pcrm__wo_batch *b, size_t i)
{
	static const char *const row_columns[PCRM__AUDIT_TICK_ROW_COLUMNS] = {
		"updated_at", "due_at", "overdue", "version", "steps"
	};
	pcrm_sql_value row[PCRM__AUDIT_TICK_ROW_COLUMNS];
	char hex[PCRM_SHA256_HEX_LEN + 1];
	const char *id = b->rows[i].v[0].s;
	/* a work order's entries are staged one after the other */
	int last = i + 1 == b->n || strcmp(b->rows[i + 1].v[0].s, id) != 0;
	const json_t *written = json_object_get(b->written_rows, id);
	int rc;

	for (int c = 0; c < PCRM__AUDIT_TICK_ROW_COLUMNS; c++)
		row[c] = json_value(json_object_get(written, row_columns[c]));
	rc = pcrm__audit_tick_digest(b->rows[i].v, PCRM__AUDIT_TICK_HISTORY_COLUMNS, hex);
	if (rc == PCRM_OK &&
	    json_object_set_new(json_array_get(b->items, i), "covers", json_string(hex)) != 0)
		rc = pcrm__error_oom();
	if (rc == PCRM_OK && last)
		rc = pcrm__audit_tick_digest(row, PCRM__AUDIT_TICK_ROW_COLUMNS, hex);
	if (rc == PCRM_OK && last &&
	    json_object_set_new(json_array_get(b->items, i), "row_covers", json_string(hex)) != 0)
		rc = pcrm__error_oom();
	return rc;
}

int pcrm__wo_batch_write(pcrm_ctx *ctx, const pcrm_actor *actor, struct pcrm__wo_batch *b,
                         pcrm_time now)
{
	json_t *summary;
	int rc;

	if (b->n == 0)
		return PCRM_OK;
	rc = pcrm__store_bulk_begin(ctx->store, "work_order_history", history_columns, 12);
	for (size_t i = 0; i < b->n && rc == PCRM_OK; i++)
		rc = pcrm__store_bulk_row(ctx->store, b->rows[i].v);
	if (rc == PCRM_OK)
		rc = pcrm__store_bulk_end(ctx->store, 0);
	else if (ctx->store->bulk_columns)
		pcrm__store_bulk_end(ctx->store, 1);
	/* history_params() order: 0 work order, 1 seq, 2 at, 3 kind, 10 note */
	for (size_t i = 0; i < b->n && rc == PCRM_OK; i++) {
		const pcrm_sql_value *v = b->rows[i].v;
		if (pcrm__wo_kind_notifies(v[3].s))
			rc = pcrm__wo_notification_write(ctx, v[0].s, v[1].i, v[3].s, v[10].s, v[2].i,
			                                 NULL, NULL, NULL, 0);
	}
	/* each listed with its digest (cover_workorder.c): verification checks them */
	for (size_t i = 0; i < b->n && rc == PCRM_OK; i++)
		rc = item_covers(b, i);
	if (rc != PCRM_OK)
		return rc;
	/* one audit entry for the batch, listing every history entry it wrote */
	summary = json_pack("{s:I, s:I, s:O}", "at", (json_int_t)now, "entries", (json_int_t)b->n,
	                    "work_orders", b->items);
	if (!summary)
		return pcrm__error_oom();
	rc = pcrm__audit_append_in_tx(ctx, actor, PCRM__AUDIT_TICK, "work_order", "", summary);
	json_decref(summary);
	return rc;
}

/* What the audit records of one entry: in its own entry, or as an item of a tick batch's. */
static json_t *audit_item(struct pcrm__wo_op *op, const struct pcrm__wo_entry *e)
{
	json_t *s = json_pack("{s:s, s:i, s:s, s:i}", "workflow", pcrm__wo_str(op->wo, "workflow"),
	                      "seq", op->steps + 1, "state", pcrm__wo_str(op->wo, "state"),
	                      "version", (int)pcrm__wo_int(op->wo, "version"));
	if (s && e->event)
		json_object_set_new(s, "event", json_string(e->event));
	if (s && e->from)
		json_object_set_new(s, "from", json_string(e->from));
	if (s && op->batch) {
		json_object_set_new(s, "id", json_string(op->id));
		json_object_set_new(s, "kind", json_string(e->kind));
	}
	return s;
}

static int audit(struct pcrm__wo_op *op, const struct pcrm__wo_entry *e, json_t *s)
{
	char action[48];
	snprintf(action, sizeof(action), "workorder.%s", e->kind);
	/* every caller rolls its transaction (or the timer's savepoint) back when this fails */
	return pcrm__audit_append_in_tx(op->ctx, op->actor, action, "work_order", op->id, s);
}

int pcrm__wo_commit(struct pcrm__wo_op *op, const struct pcrm__wo_entry *e)
{
	json_t *item;
	char *delta;
	int rc;

	if (e->bump) {
		pcrm__wo_set_int(op, "version", pcrm__wo_int(op->wo, "version") + 1);
		pcrm__wo_set_int(op, "updated_at", op->now);
	}
	if (op->oom)
		return pcrm__error_oom();
	if (op->unbatched)
		return pcrm__error(PCRM_ESTATE, "work order %s: a batched tick may not change %s",
		                   op->id, op->unbatched);
	/* the batch stages no outbox rows: a timer that fires goes the ordinary way (tick.c) */
	if (op->batch && op->customer_notice)
		return pcrm__error(PCRM_ESTATE, "work order %s: a batched tick may not notify the "
		                   "customer", op->id);
	delta = json_dumps(op->delta, JSON_COMPACT | JSON_SORT_KEYS);
	item = audit_item(op, e);
	if (!delta || !item) {
		free(delta);
		json_decref(item);
		return pcrm__error_oom();
	}
	if (op->batch) {
		/* staged: the row is written by pcrm__wo_flush_many, history and audit by the batch */
		rc = stage(op, e, delta, item);
	} else {
		int inserted = 0;
		rc = update_row(op, e, delta, &inserted);
		if (rc == PCRM_OK && !inserted)
			rc = insert_history(op, e, delta);
		if (rc == PCRM_OK && pcrm__wo_kind_notifies(e->kind))
			rc = pcrm__wo_notification_write(op->ctx, op->id, op->steps + 1, e->kind,
			                                 e->note, op->now, e->address, op->recipient,
			                                 op->recipient_role, op->recipient_level);
		if (rc == PCRM_OK && op->customer_notice)
			rc = pcrm__wo_customer_notice_write(op, op->steps + 1, op->customer_notice);
		op->customer_notice = NULL;
		if (rc == PCRM_OK)
			rc = audit(op, e, item);
	}
	free(delta);
	json_decref(item);
	if (rc == PCRM_OK) {
		op->steps++;
		if (!op->batch)
			op->stored_steps = op->steps;
		json_object_clear(op->delta);
	}
	return rc;
}

/* ---- timers ---- */

/*
 * Sets the pending timer of (scope, kind) to run until `due`: the row there
 * is, rescheduled in place, or a new one.  In place, a transition changes one
 * table row and its (done, due_at) index entry; deleting and inserting
 * changed both of the timer's indexes and, in a large table, a second table
 * page (the new row's, at the end).  A state's timers come only from its own
 * limit, so there is at most one pending timer per scope and kind.
 */
static int set_timer(struct pcrm__wo_op *op, const char *scope, const char *kind, int working,
                     pcrm_time due)
{
	static const char update[] =
		"UPDATE work_order_timer SET working = $4, due_at = $5, remaining = NULL "
		"WHERE work_order_id = $1 AND done = 0 AND scope = $2 AND kind = $3";
	/*
	 * PostgreSQL: both in one statement, the INSERT only when the UPDATE
	 * moved no row.  Both were pipelined already; as one statement the
	 * backend binds, starts and ends one executor instead of two (and the
	 * INSERT no longer probes the timer index again).  A concurrent
	 * transition of the same work order that inserted a timer too is rolled
	 * back by the step-count check of the work order's own UPDATE.  The
	 * casts give $2 and $3 one type, text, both as values and in the
	 * comparisons (scope and kind are domains over text, schema 14).
	 */
	static const char upsert_pg[] =
		"WITH moved AS (UPDATE work_order_timer SET working = $4, due_at = $5, "
		"remaining = NULL WHERE work_order_id = $1 AND done = 0 AND scope = $2 AND kind = $3 "
		"RETURNING 1) "
		"INSERT INTO work_order_timer (work_order_id, scope, kind, working, due_at, done) "
		"SELECT $1, CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS INTEGER), "
		"CAST($5 AS BIGINT), 0 WHERE NOT EXISTS (SELECT 1 FROM moved)";
	static const char fresh[] =
		"INSERT INTO work_order_timer (work_order_id, scope, kind, working, due_at, done) "
		"VALUES ($1, $2, $3, $4, $5, 0)";
	pcrm_sql_value p[5] = { PCRM_SQL_S(op->id), PCRM_SQL_S(scope), PCRM_SQL_S(kind),
		                PCRM_SQL_I(working), PCRM_SQL_I(due) };
	int64_t moved = 0;
	int rc;
	if (op->fresh) /* a work order being opened has nothing to reschedule */
		return pcrm__store_exec_later(op->ctx->store, fresh, p, 5, -1, 0, NULL);
	if (op->ctx->store->driver->kind == PCRM_STORE_POSTGRES)
		return pcrm__store_exec_later(op->ctx->store, upsert_pg, p, 5, -1, 0, NULL);
	/* SQLite runs each statement as it comes, so the INSERT runs only where needed */
	rc = pcrm__store_exec(op->ctx->store, update, p, 5, &moved);
	if (rc == PCRM_OK && moved == 0)
		rc = pcrm__store_exec(op->ctx->store, fresh, p, 5, NULL);
	return rc;
}

static int drop_timer(struct pcrm__wo_op *op, const char *scope, const char *kind)
{
	static const char sql[] = "DELETE FROM work_order_timer WHERE work_order_id = $1 AND done = 0 "
	                          "AND scope = $2 AND kind = $3";
	pcrm_sql_value p[3] = { PCRM_SQL_S(op->id), PCRM_SQL_S(scope), PCRM_SQL_S(kind) };
	return pcrm__store_exec_later(op->ctx->store, sql, p, 3, -1, 0, NULL);
}

int pcrm__wo_schedule(struct pcrm__wo_op *op, const char *scope,
                      const struct pcrm__wf_limit *defined, int may_warn, pcrm_time *due_out)
{
	/* the amount of the work order's severity class (by_class), else the limit's own */
	struct pcrm__wf_limit eff = pcrm__wo_limit(op, defined);
	const struct pcrm__wf_limit *limit = &eff;
	pcrm_time due = 0, warn;
	int working = pcrm__workflow_unit_is_working(limit->unit), rc;
	if (due_out)
		*due_out = 0;
	if (!limit->set)
		return PCRM_OK;
	rc = pcrm__workflow_limit_due(op->wf, limit, op->now, &due, &warn);
	if (rc == PCRM_OK && limit->nlevels)
		rc = pcrm__wo_schedule_levels(op, scope, NULL, limit, op->now, due);
	if (rc == PCRM_OK)
		rc = set_timer(op, scope, "due", working, due);
	if (rc == PCRM_OK && warn)
		rc = set_timer(op, scope, "warn", working, warn);
	else if (rc == PCRM_OK && may_warn)
		rc = drop_timer(op, scope, "warn");
	if (due_out)
		*due_out = due;
	return rc;
}

int pcrm__wo_cancel_timers(struct pcrm__wo_op *op, const char *scope)
{
	static const char one[] =
		"DELETE FROM work_order_timer WHERE work_order_id = $1 AND done = 0 AND scope = $2";
	static const char all[] = "DELETE FROM work_order_timer WHERE work_order_id = $1 AND done = 0";
	pcrm_sql_value p[2] = { PCRM_SQL_S(op->id), PCRM_SQL_S(scope) };
	return pcrm__store_exec_later(op->ctx->store, scope ? one : all, p, scope ? 2 : 1, -1, 0,
	                              NULL);
}

struct timer_row {
	int64_t id;
	int process, due_kind, working, running;
	pcrm_time due;
	int64_t remaining;
	char clock[PCRM__WF_NAME_MAX + 1]; /* a named clock's due timer, else "" */
};

static int read_timers(struct pcrm__wo_op *op, struct timer_row **out, size_t *n)
{
	static const char sql[] = "SELECT id, scope, working, due_at, remaining, kind, clock FROM "
	                          "work_order_timer WHERE work_order_id = $1 AND done = 0";
	pcrm_sql_value p[1] = { PCRM_SQL_S(op->id) };
	struct timer_row *t = NULL;
	size_t cap = 0;
	pcrm_rows *rows;
	int rc = pcrm__store_query(op->ctx->store, sql, p, 1, &rows);

	*n = 0;
	if (rc != PCRM_OK)
		return rc;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		if (*n == cap) {
			struct timer_row *m = realloc(t, (cap = cap * 2 + 4) * sizeof(*t));
			if (!m) {
				rc = pcrm__error_oom();
				break;
			}
			t = m;
		}
		t[*n].id = pcrm__rows_int(rows, 0);
		t[*n].process = strcmp(pcrm__rows_text(rows, 1), "process") == 0;
		t[*n].working = (int)pcrm__rows_int(rows, 2);
		t[*n].running = !pcrm__rows_is_null(rows, 3);
		t[*n].due = pcrm__rows_int(rows, 3);
		t[*n].remaining = pcrm__rows_int(rows, 4);
		t[*n].due_kind = strcmp(pcrm__rows_text(rows, 5), "due") == 0;
		snprintf(t[*n].clock, sizeof(t[*n].clock), "%s",
		         t[*n].due_kind && !pcrm__rows_is_null(rows, 6) ? pcrm__rows_text(rows, 6) : "");
		(*n)++;
	}
	pcrm__rows_free(rows);
	*out = t;
	return rc < 0 ? rc : PCRM_OK;
}

/* Stops a running timer that is not yet due, keeping the time it had left. */
static int pause_timer(struct pcrm__wo_op *op, struct timer_row *t)
{
	static const char sql[] =
		"UPDATE work_order_timer SET due_at = NULL, remaining = $2 WHERE id = $1";
	int64_t left = t->due - op->now;
	int rc = PCRM_OK;
	if (t->due <= op->now)
		return PCRM_OK; /* already due: the next tick processes it */
	if (t->working)
		rc = pcrm_calendar_working_seconds_between(op->wf->calendar, op->now, t->due, &left);
	if (rc == PCRM_OK) {
		pcrm_sql_value p[2] = { PCRM_SQL_I(t->id), PCRM_SQL_I(left) };
		rc = pcrm__store_exec_later(op->ctx->store, sql, p, 2, -1, 0, NULL);
		t->running = 0;
	}
	if (rc == PCRM_OK && *t->clock)
		rc = pcrm__wo_clock_timer_moved(op, t->clock, 0, 0, left);
	return rc;
}

static int resume_timer(struct pcrm__wo_op *op, struct timer_row *t)
{
	static const char sql[] =
		"UPDATE work_order_timer SET due_at = $2, remaining = NULL WHERE id = $1";
	pcrm_time due = op->now + t->remaining;
	int rc = PCRM_OK;
	if (t->working)
		rc = pcrm_calendar_add_working_seconds(op->wf->calendar, op->now, t->remaining, &due);
	if (rc == PCRM_OK) {
		pcrm_sql_value p[2] = { PCRM_SQL_I(t->id), PCRM_SQL_I(due) };
		rc = pcrm__store_exec_later(op->ctx->store, sql, p, 2, -1, 0, NULL);
		t->running = 1;
		t->due = due;
	}
	if (rc == PCRM_OK && *t->clock)
		rc = pcrm__wo_clock_timer_moved(op, t->clock, 1, due, 0);
	return rc;
}

/* Pauses or restarts each pending timer as it should be now; due_at is the earliest due one. */
int pcrm__wo_sync_timers(struct pcrm__wo_op *op)
{
	size_t idx = pcrm__workflow_state_index(op->wf, pcrm__wo_str(op->wo, "state")), n = 0;
	int suspended = pcrm__wo_int(op->wo, "suspended") != 0;
	int paused_state = idx != (size_t)-1 && op->wf->states[idx].pause;
	struct timer_row *t = NULL;
	int64_t due = 0;
	int rc = read_timers(op, &t, &n);

	for (size_t i = 0; i < n && rc == PCRM_OK; i++) {
		int run = !suspended && !(t[i].process && paused_state);
		if (t[i].running && !run)
			rc = pause_timer(op, &t[i]);
		else if (!t[i].running && run)
			rc = resume_timer(op, &t[i]);
		if (t[i].running && t[i].due_kind && (due == 0 || t[i].due < due))
			due = t[i].due;
	}
	free(t);
	if (rc == PCRM_OK)
		pcrm__wo_set_int(op, "due_at", due);
	return rc;
}

int pcrm__wo_enter_state(struct pcrm__wo_op *op, size_t state)
{
	const struct pcrm__wf_state *s = &op->wf->states[state];
	size_t left = pcrm__workflow_state_index(op->wf, pcrm__wo_str(op->wo, "state"));
	/* a warning of the state left can be pending only if its limit warns */
	int may_warn = left == (size_t)-1 || op->wf->states[left].limit.warn_percent != 0;
	pcrm_time due = 0;
	int rc = PCRM_OK;

	pcrm__wo_set_str(op, "state", s->name);
	rc = pcrm__wo_clocks_at(op, PCRM__WF_AT_STATE, s->name);
	/* the new state's limit reschedules the pending state timers in place */
	if (rc == PCRM_OK && (s->final || !s->limit.set))
		rc = pcrm__wo_cancel_timers(op, s->final ? NULL : "state");
	else if (rc == PCRM_OK && left != (size_t)-1 && op->wf->states[left].limit.nlevels)
		rc = pcrm__wo_drop_levels(op, "state"); /* the levels of the state left */
	if (rc == PCRM_OK && s->final) {
		pcrm__wo_set_str(op, "status", "closed");
		rc = pcrm__wo_close_children(op); /* master.c: the callers' orders close with it */
	}
	if (rc == PCRM_OK && !s->final)
		rc = pcrm__wo_schedule(op, "state", &s->limit, may_warn, &due);
	if (rc != PCRM_OK)
		return rc;
	/*
	 * Without a process limit or named clocks and not suspended, the pending timers are exactly
	 * the ones just scheduled, all running (a pause state stops only process
	 * timers): due_at is known without reading them back.
	 */
	if (!op->wf->process.set && !op->wf->nclocks && !pcrm__wo_int(op->wo, "suspended")) {
		pcrm__wo_set_int(op, "due_at", due);
		return PCRM_OK;
	}
	return pcrm__wo_sync_timers(op);
}
