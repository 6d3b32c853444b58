/*
 * Updating many rows of one table from a JSON array, in one statement.
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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "store.h"

static int check_columns(const struct pcrm__json_column *columns, int n)
{
	if (n < 1)
		return pcrm__error(PCRM_ESTORE, "update from JSON: no columns");
	for (int i = 0; i < n; i++)
		if (!pcrm__store_is_identifier(columns[i].name))
			return pcrm__error(PCRM_ESTORE, "update from JSON: not a plain identifier");
	return PCRM_OK;
}

static int check(const struct pcrm__json_update *u)
{
	if (!pcrm__store_is_identifier(u->table) || !pcrm__store_is_identifier(u->key) || !pcrm__store_is_identifier(u->guard) ||
	    !pcrm__store_is_identifier(u->guard_member))
		return pcrm__error(PCRM_ESTORE, "update from JSON: not a plain identifier");
	return check_columns(u->columns, u->ncolumns);
}

static char *render(const struct pcrm__json_update *u, pcrm_store_kind kind)
{
	struct pcrm__strbuf t = { NULL, 0, 0, 0 };
	const char *tb = u->table, *k = u->key, *g = u->guard, *gm = u->guard_member;

	pcrm__strbuf_add(&t, "UPDATE \"%s\" SET ", tb);
	for (int i = 0; i < u->ncolumns; i++) {
		const char *c = u->columns[i].name, *sep = i ? ", " : "";
		if (kind == PCRM_STORE_POSTGRES)
			pcrm__strbuf_add(&t, "%s\"%s\" = v.\"%s\"", sep, c, c);
		else
			pcrm__strbuf_add(&t, "%s\"%s\" = json_extract(v.value, '$.%s')", sep, c, c);
	}
	if (kind == PCRM_STORE_POSTGRES) {
		pcrm__strbuf_add(&t, " FROM json_to_recordset($1::json) AS v(\"%s\" text", k);
		for (int i = 0; i < u->ncolumns; i++)
			pcrm__strbuf_add(&t, ", \"%s\" %s", u->columns[i].name,
			                 u->columns[i].text ? "text" : "bigint");
		pcrm__strbuf_add(&t, ", \"%s\" bigint) WHERE \"%s\".\"%s\" = v.\"%s\"", gm, tb, k, k);
		pcrm__strbuf_add(&t, " AND \"%s\".\"%s\" = v.\"%s\"", tb, g, gm);
		pcrm__strbuf_add(&t, " AND \"%s\".\"%s\" = ANY (ARRAY(SELECT "
		                     "json_array_elements($1::json) ->> '%s'))", tb, k, k);
	} else {
		pcrm__strbuf_add(&t, " FROM json_each($1) AS v WHERE \"%s\".\"%s\" = "
		                     "json_extract(v.value, '$.%s')", tb, k, k);
		pcrm__strbuf_add(&t, " AND \"%s\".\"%s\" = json_extract(v.value, '$.%s')", tb, g,
		                 gm);
	}
	pcrm__strbuf_add(&t, " RETURNING \"%s\".\"%s\"", tb, k);
	if (t.failed) {
		free(t.p);
		return NULL;
	}
	return t.p;
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
