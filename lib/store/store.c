/* Driver-independent store logic: choosing a driver, reconnecting, transactions. */
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "store.h"

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int pcrm__store_open(pcrm_store **out, const char *uri)
{
	*out = NULL;
	if (!uri || !*uri)
		return pcrm__error(PCRM_EINVAL, "uri: missing (use sqlite:PATH, sqlite::memory: or "
		                                "postgresql://...)");
	if (starts_with(uri, "sqlite:"))
		return pcrm__sqlite_open(out, uri + strlen("sqlite:"));
	/* libpq understands both URI spellings itself; pass them through whole. */
	if (starts_with(uri, "postgresql://") || starts_with(uri, "postgres://"))
		return pcrm__postgres_open(out, uri);
	if (starts_with(uri, "postgresql:"))
		return pcrm__postgres_open(out, uri + strlen("postgresql:"));
	return pcrm__error(PCRM_EINVAL,
	                   "uri: \"%.64s\" has an unknown scheme (use sqlite:PATH, sqlite::memory: or "
	                   "postgresql://...)",
	                   uri);
}

void pcrm__store_close(pcrm_store *st)
{
	if (!st)
		return;
	if (st->tx_depth > 0)
		st->driver->exec_script(st, "ROLLBACK");
	st->driver->close(st);
}

/*
 * A connection lost inside a transaction must not be replaced silently: the
 * caller's earlier statements are gone with it.  Outside one, reconnecting
 * before the next statement is safe, and it is what "the next call can
 * reconnect" means.
 */
static int ensure_connected(pcrm_store *st)
{
	if (!st->driver->is_broken(st))
		return PCRM_OK;
	if (st->tx_depth > 0)
		return pcrm__error(PCRM_ECONNECTION,
		                   "store connection was lost inside a transaction; roll it back");
	return st->driver->reconnect(st);
}

static void note_failure(pcrm_store *st, int rc)
{
	/* Remember the shallowest depth that saw a failure: PostgreSQL has aborted from there on. */
	if (rc < 0 && st->tx_depth > 0 && (st->tx_failed == 0 || st->tx_depth < st->tx_failed))
		st->tx_failed = st->tx_depth;
}

int pcrm__store_exec(pcrm_store *st, const char *sql, const pcrm_sql_value *params, int nparams,
                     int64_t *changes)
{
	int rc = ensure_connected(st);
	st->statements++;
	if (rc == PCRM_OK)
		rc = st->driver->exec(st, sql, params, nparams, changes);
	note_failure(st, rc);
	return rc;
}

int pcrm__store_query(pcrm_store *st, const char *sql, const pcrm_sql_value *params, int nparams,
                      pcrm_rows **out)
{
	int rc;
	*out = NULL;
	rc = ensure_connected(st);
	st->statements++;
	if (rc == PCRM_OK)
		rc = st->driver->query(st, sql, params, nparams, out);
	note_failure(st, rc);
	return rc;
}

int pcrm__store_query_int(pcrm_store *st, const char *sql, const pcrm_sql_value *params,
                          int nparams, int64_t *out)
{
	pcrm_rows *rows;
	int rc = pcrm__store_query(st, sql, params, nparams, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1) {
		*out = pcrm__rows_int(rows, 0);
		rc = PCRM_OK;
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "no row");
	}
	pcrm__rows_free(rows);
	return rc;
}

int pcrm__store_begin(pcrm_store *st)
{
	char sql[64];
	int rc;

	if (st->tx_depth == 0) {
		rc = ensure_connected(st);
		if (rc != PCRM_OK)
			return rc;
		/* SQLite: take the write lock now, so two writers never deadlock on upgrade. */
		rc = st->driver->exec_script(st, st->driver->kind == PCRM_STORE_SQLITE ?
		                                     "BEGIN IMMEDIATE" : "BEGIN");
		st->statements++;
		if (rc == PCRM_OK) {
			st->tx_depth = 1;
			st->tx_failed = 0;
			st->tx_serial++;
		}
		return rc;
	}
	snprintf(sql, sizeof(sql), "SAVEPOINT pcrm_sp_%d", st->tx_depth);
	st->statements++;
	rc = st->driver->exec_script(st, sql);
	if (rc == PCRM_OK)
		st->tx_depth++;
	return rc;
}

int pcrm__store_commit(pcrm_store *st)
{
	char sql[64];
	int rc;

	if (st->tx_depth == 0)
		return pcrm__error(PCRM_ESTATE, "commit: no transaction is open");
	if (st->tx_depth == 1) {
		if (st->tx_failed) {
			pcrm__store_rollback(st);
			return pcrm__error(PCRM_ESTATE,
			                   "commit: a statement in this transaction failed; it was rolled back");
		}
		st->statements++;
		rc = st->driver->exec_script(st, "COMMIT");
		/* A failed COMMIT ends the transaction on both engines (PostgreSQL rolls back). */
		if (rc != PCRM_OK && st->driver->kind == PCRM_STORE_SQLITE)
			st->driver->exec_script(st, "ROLLBACK");
		st->tx_depth = 0;
		st->tx_failed = 0;
		return rc;
	}
	snprintf(sql, sizeof(sql), "RELEASE SAVEPOINT pcrm_sp_%d", st->tx_depth - 1);
	if (st->tx_failed >= st->tx_depth) {
		/* Releasing a savepoint whose work failed would fail on PostgreSQL: undo it instead. */
		pcrm__store_rollback(st);
		return pcrm__error(PCRM_ESTATE,
		                   "commit: a statement in this transaction failed; it was rolled back");
	}
	st->statements++;
	rc = st->driver->exec_script(st, sql);
	if (rc == PCRM_OK)
		st->tx_depth--;
	return rc;
}

int pcrm__store_rollback(pcrm_store *st)
{
	char sql[128];
	int rc;

	if (st->tx_depth == 0)
		return pcrm__error(PCRM_ESTATE, "rollback: no transaction is open");
	if (st->tx_depth == 1) {
		st->tx_depth = 0;
		st->tx_failed = 0;
		if (st->driver->is_broken(st))
			return PCRM_OK; /* the server already discarded it */
		return st->driver->exec_script(st, "ROLLBACK");
	}
	st->tx_depth--;
	snprintf(sql, sizeof(sql), "ROLLBACK TO SAVEPOINT pcrm_sp_%d; RELEASE SAVEPOINT pcrm_sp_%d",
	         st->tx_depth, st->tx_depth);
	rc = st->driver->exec_script(st, sql);
	/* Rolling back to a savepoint repairs a transaction aborted by an error after it. */
	if (rc == PCRM_OK && st->tx_failed > st->tx_depth)
		st->tx_failed = 0;
	return rc;
}

int pcrm__store_finish(pcrm_store *st, int rc)
{
	if (rc == PCRM_OK)
		return pcrm__store_commit(st);
	{
		/* Keep the first error's message: the rollback must not overwrite it. */
		char saved[1024];
		snprintf(saved, sizeof(saved), "%s", pcrm_error_last());
		pcrm__store_rollback(st);
		pcrm__error(rc, "%s", saved);
	}
	return rc;
}

int pcrm__store_bulk_begin(pcrm_store *st, const char *table, const char *const *columns,
                           int ncolumns)
{
	int rc;
	if (st->tx_depth == 0)
		return pcrm__error(PCRM_ESTATE, "bulk insert needs an open transaction");
	if (st->bulk_columns)
		return pcrm__error(PCRM_ESTATE, "a bulk insert is already in progress");
	rc = st->driver->bulk_begin(st, table, columns, ncolumns);
	if (rc == PCRM_OK)
		st->bulk_columns = ncolumns;
	note_failure(st, rc);
	return rc;
}

int pcrm__store_bulk_row(pcrm_store *st, const pcrm_sql_value *values)
{
	int rc;
	if (!st->bulk_columns)
		return pcrm__error(PCRM_ESTATE, "no bulk insert in progress");
	rc = st->driver->bulk_row(st, values);
	note_failure(st, rc);
	return rc;
}

int pcrm__store_bulk_end(pcrm_store *st, int abort)
{
	int rc;
	if (!st->bulk_columns)
		return pcrm__error(PCRM_ESTATE, "no bulk insert in progress");
	rc = st->driver->bulk_end(st, abort);
	st->bulk_columns = 0;
	note_failure(st, rc);
	return rc;
}
