/*
 * Updating or inserting many rows of one table from a JSON array, in one
 * statement.
 *
 * The caller describes the table with the library's own identifiers (never
 * outside input; they are checked to be plain lower-case names and quoted
 * anyway) and passes the rows as one JSON parameter, so the statement text
 * depends only on the description and each store prepares it once:
 *
 *   PostgreSQL: UPDATE t SET c = v.c, ... FROM json_to_recordset($1::json)
 *               AS v(key text, c type, ..., guard_member bigint)
 *               WHERE t.key = v.key AND t.guard = v.guard_member
 *               AND t.key = ANY (ARRAY(SELECT json_array_elements($1::json) ->> 'key'))
 *               RETURNING t.key
 *     (the = ANY (ARRAY(...)) makes the plan probe the key's index whatever
 *     the statistics say; a join alone may scan the whole table)
 *   SQLite:     UPDATE t SET c = json_extract(v.value, '$.c'), ...
 *               FROM json_each($1) AS v WHERE t.key = json_extract(v.value, '$.key')
 *               AND t.guard = json_extract(v.value, '$.guard_member') RETURNING t.key
 *
 * and inserting:
 *
 *   PostgreSQL: INSERT INTO t (c, ...) SELECT c, ... FROM json_to_recordset($1::json)
 *               AS v(c type, ...)
 *   SQLite:     INSERT INTO t (c, ...) SELECT json_extract(value, '$.c'), ...
 *               FROM json_each($1)
 *
 * Unlike COPY, an insert is one ordinary statement, so it can wait in the
 * store's queue and travel with the transaction's next statement.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store.h"

struct text {
	char *s;
	size_t len, cap;
	int oom;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (t->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->oom = 1;
			return;
		}
		if ((size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		{
			size_t cap = t->cap * 2 + (size_t)n + 1;
			char *m = realloc(t->s, cap);
			if (!m) {
				t->oom = 1;
				return;
			}
			t->s = m;
			t->cap = cap;
		}
	}
}

static int is_name(const char *s)
{
	if (!s || !*s || strlen(s) > 63 || !((*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static int check_columns(const struct pcrm__json_column *columns, int n)
{
	if (n < 1)
		return pcrm__error(PCRM_ESTORE, "rows from JSON: no columns");
	for (int i = 0; i < n; i++)
		if (!is_name(columns[i].name))
			return pcrm__error(PCRM_ESTORE, "rows from JSON: not a plain identifier");
	return PCRM_OK;
}

static int check(const struct pcrm__json_update *u)
{
	if (!is_name(u->table) || !is_name(u->key) || !is_name(u->guard) ||
	    !is_name(u->guard_member))
		return pcrm__error(PCRM_ESTORE, "rows from JSON: not a plain identifier");
	return check_columns(u->columns, u->ncolumns);
}

static char *render(const struct pcrm__json_update *u, pcrm_store_kind kind)
{
	struct text t = { malloc(2048), 0, 2048, 0 };
	if (!t.s)
		return NULL;
	t.s[0] = '\0';
	add(&t, "UPDATE \"%s\" SET ", u->table);
	for (int i = 0; i < u->ncolumns; i++) {
		const char *c = u->columns[i].name;
		if (kind == PCRM_STORE_POSTGRES)
			add(&t, "%s\"%s\" = v.\"%s\"", i ? ", " : "", c, c);
		else
			add(&t, "%s\"%s\" = json_extract(v.value, '$.%s')", i ? ", " : "", c, c);
	}
	if (kind == PCRM_STORE_POSTGRES) {
		add(&t, " FROM json_to_recordset($1::json) AS v(\"%s\" text", u->key);
		for (int i = 0; i < u->ncolumns; i++)
			add(&t, ", \"%s\" %s", u->columns[i].name,
			    u->columns[i].text ? "text" : "bigint");
		add(&t, ", \"%s\" bigint) WHERE \"%s\".\"%s\" = v.\"%s\" AND \"%s\".\"%s\" = v.\"%s\" "
		        "AND \"%s\".\"%s\" = ANY (ARRAY(SELECT json_array_elements($1::json) ->> '%s')) "
		        "RETURNING \"%s\".\"%s\"",
		    u->guard_member, u->table, u->key, u->key, u->table, u->guard, u->guard_member,
		    u->table, u->key, u->key, u->table, u->key);
	} else {
		add(&t, " FROM json_each($1) AS v WHERE \"%s\".\"%s\" = json_extract(v.value, '$.%s') "
		        "AND \"%s\".\"%s\" = json_extract(v.value, '$.%s') RETURNING \"%s\".\"%s\"",
		    u->table, u->key, u->key, u->table, u->guard, u->guard_member, u->table, u->key);
	}
	if (t.oom) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

int pcrm__store_update_from_json(pcrm_store *st, const struct pcrm__json_update *u,
                                 const char *rows, pcrm_rows **out)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(rows) };
	char *sql;
	int rc = check(u);

	*out = NULL;
	if (rc != PCRM_OK)
		return rc;
	sql = render(u, st->driver->kind);
	if (!sql)
		return pcrm__error_oom();
	rc = pcrm__store_query(st, sql, p, 1, out);
	free(sql);
	return rc;
}

static char *render_insert(const char *table, const struct pcrm__json_column *columns, int n,
                           pcrm_store_kind kind)
{
	struct text t = { malloc(1024), 0, 1024, 0 };
	if (!t.s)
		return NULL;
	t.s[0] = '\0';
	add(&t, "INSERT INTO \"%s\" (", table);
	for (int i = 0; i < n; i++)
		add(&t, "%s\"%s\"", i ? ", " : "", columns[i].name);
	add(&t, ") SELECT ");
	for (int i = 0; i < n; i++) {
		if (kind == PCRM_STORE_POSTGRES)
			add(&t, "%sv.\"%s\"", i ? ", " : "", columns[i].name);
		else
			add(&t, "%sjson_extract(value, '$.%s')", i ? ", " : "", columns[i].name);
	}
	if (kind == PCRM_STORE_POSTGRES) {
		add(&t, " FROM json_to_recordset($1::json) AS v(");
		for (int i = 0; i < n; i++)
			add(&t, "%s\"%s\" %s", i ? ", " : "", columns[i].name,
			    columns[i].text ? "text" : "bigint");
		add(&t, ")");
	} else {
		add(&t, " FROM json_each($1)");
	}
	if (t.oom) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

int pcrm__store_insert_from_json(pcrm_store *st, const char *table,
                                 const struct pcrm__json_column *columns, int ncolumns,
                                 const char *rows)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(rows) };
	char *sql;
	int rc = is_name(table) ? check_columns(columns, ncolumns) :
	                          pcrm__error(PCRM_ESTORE, "rows from JSON: not a plain identifier");
	if (rc != PCRM_OK)
		return rc;
	sql = render_insert(table, columns, ncolumns, st->driver->kind);
	if (!sql)
		return pcrm__error_oom();
	rc = pcrm__store_exec_later(st, sql, p, 1, -1, 0, NULL);
	free(sql);
	return rc;
}
