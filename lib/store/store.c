/*
 * Driver-independent store logic: choosing a driver, reconnecting,
 * transactions, and the queue of statements sent later (pipelining).
 *
 * On a driver with a pipeline, BEGIN, SAVEPOINT and statements given to
 * pcrm__store_exec_later() wait in st->queue until a statement needs an
 * answer (a query, an exec whose row count is asked for, a savepoint
 * release, COMMIT); then the queue and that statement travel in one round
 * trip.  Rolling back drops what was queued inside the undone part, and
 * skips the server entirely when its BEGIN or SAVEPOINT was never sent.
 */
#include <stdio.h>
#include <stdlib.h>
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
	/*
	 * Quote the scheme only: the rest of a mistyped PostgreSQL URI
	 * ("postgresq://user:secret@host") may hold a password.
	 */
	{
		char q[PCRM_QUOTE_SIZE];
		pcrm__quote(uri, strcspn(uri, ":"), q, sizeof(q));
		return pcrm__error(PCRM_EINVAL,
		                   "uri: scheme \"%s\" is unknown (use sqlite:PATH, sqlite::memory: or "
		                   "postgresql://...)",
		                   q);
	}
}

static void queued_clear(struct pcrm__queued *q)
{
	for (int i = 0; i < q->nparams; i++)
		if (q->params[i].type == PCRM_SQL_TEXT)
			free((char *)q->params[i].s);
	free(q->params);
	free(q->sql);
	free(q->mismatch_msg);
	memset(q, 0, sizeof(*q));
}

/* Drops the queued statements from index `from` on. */
static void queue_truncate(pcrm_store *st, int from)
{
	while (st->nqueued > from)
		queued_clear(&st->queue[--st->nqueued]);
}

static int queue_push(pcrm_store *st, const char *sql, const pcrm_sql_value *params, int nparams,
                      int64_t expect, int mismatch, const char *mismatch_msg, int savepoint)
{
	struct pcrm__queued *q;
	if (st->nqueued == st->queue_cap) {
		int cap = st->queue_cap ? st->queue_cap * 2 : 16;
		struct pcrm__queued *m = realloc(st->queue, (size_t)cap * sizeof(*m));
		if (!m)
			return pcrm__error_oom();
		st->queue = m;
		st->queue_cap = cap;
	}
	q = &st->queue[st->nqueued];
	memset(q, 0, sizeof(*q));
	q->depth = st->tx_depth;
	q->savepoint = savepoint;
	q->expect = expect;
	q->mismatch = mismatch;
	q->sql = strdup(sql);
	q->mismatch_msg = mismatch_msg ? strdup(mismatch_msg) : NULL;
	q->params = nparams ? calloc((size_t)nparams, sizeof(*q->params)) : NULL;
	if (!q->sql || (mismatch_msg && !q->mismatch_msg) || (nparams && !q->params)) {
		queued_clear(q);
		return pcrm__error_oom();
	}
	for (int i = 0; i < nparams; i++) {
		q->params[i] = params[i];
		if (params[i].type == PCRM_SQL_TEXT) {
			q->params[i].s = strdup(params[i].s);
			if (!q->params[i].s) {
				q->params[i].type = PCRM_SQL_NULL;
				q->nparams = i;
				queued_clear(q);
				return pcrm__error_oom();
			}
		}
		q->nparams = i + 1;
	}
	st->nqueued++;
	return PCRM_OK;
}

static int queue_has_expectation(const pcrm_store *st)
{
	for (int i = 0; i < st->nqueued; i++)
		if (st->queue[i].expect >= 0)
			return 1;
	return 0;
}

/* Remembers the shallowest depth that saw a failure: PostgreSQL has aborted from there on. */
static void note_failure(pcrm_store *st, int rc)
{
	if (rc < 0 && st->tx_depth > 0 && (st->tx_failed == 0 || st->tx_depth < st->tx_failed))
		st->tx_failed = st->tx_depth;
}

/*
 * Sends the queue followed by `sql` (NULL: the queue alone) in one round
 * trip.  The queue is empty afterwards whatever happened: every statement in
 * it was sent (or, after the first failure, skipped by the server).
 */
static int send(pcrm_store *st, const char *sql, const pcrm_sql_value *params, int nparams,
                int64_t *changes, pcrm_rows **out)
{
	int64_t started = pcrm__trace_start(st, PCRM_TRACE_STATEMENT);
	int rc, n = st->nqueued + (sql != NULL);
	st->round_trips++;
	rc = st->driver->pipeline(st, st->queue, st->nqueued, sql, params, nparams, changes, out);
	/* before the queue (and the SQL it owns) is dropped */
	pcrm__trace_timed(st, PCRM_TRACE_STATEMENT, sql ? sql : st->queue[st->nqueued - 1].sql,
	                  started, n, rc);
	queue_truncate(st, 0);
	return rc;
}

/* A statement sent on its own (transaction control, a script), traced. */
static int run_script(pcrm_store *st, const char *sql)
{
	int64_t started = pcrm__trace_start(st, PCRM_TRACE_STATEMENT);
	int rc = st->driver->exec_script(st, sql);
	pcrm__trace_timed(st, PCRM_TRACE_STATEMENT, sql, started, 1, rc);
	return rc;
}

int pcrm__store_flush(pcrm_store *st)
{
	int rc;
	if (st->nqueued == 0)
		return PCRM_OK;
	rc = send(st, NULL, NULL, 0, NULL, NULL);
	note_failure(st, rc);
	return rc;
}

/* Sends a statement that ends a transaction or savepoint, with the queue when that is safe. */
static int send_end(pcrm_store *st, const char *sql)
{
	int rc;
	/* The server would run `sql` before the client saw a queued statement miss its rows. */
	if (st->nqueued == 0 || queue_has_expectation(st)) {
		rc = pcrm__store_flush(st);
		if (rc != PCRM_OK)
			return rc;
		st->round_trips++;
		return run_script(st, sql);
	}
	rc = send(st, sql, NULL, 0, NULL, NULL);
	note_failure(st, rc);
	return rc;
}

static int queued_opener(const pcrm_store *st, int depth);

void pcrm__store_close(pcrm_store *st)
{
	if (!st)
		return;
	int begun = st->tx_depth > 0 && !(st->nqueued && queued_opener(st, 1) == 0);
	queue_truncate(st, 0);
	if (begun)
		st->driver->exec_script(st, "ROLLBACK");
	free(st->queue);
	st->queue = NULL;
	st->queue_cap = 0;
	pcrm__trace_clear(st);
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

int pcrm__store_exec(pcrm_store *st, const char *sql, const pcrm_sql_value *params, int nparams,
                     int64_t *changes)
{
	int rc = ensure_connected(st);
	st->statements++;
	if (rc == PCRM_OK && st->nqueued) {
		rc = send(st, sql, params, nparams, changes, NULL);
	} else if (rc == PCRM_OK) {
		int64_t started = pcrm__trace_start(st, PCRM_TRACE_STATEMENT);
		st->round_trips++;
		rc = st->driver->exec(st, sql, params, nparams, changes);
		pcrm__trace_timed(st, PCRM_TRACE_STATEMENT, sql, started, 1, rc);
	}
	note_failure(st, rc);
	return rc;
}

int pcrm__store_exec_later(pcrm_store *st, const char *sql, const pcrm_sql_value *params,
                           int nparams, int64_t expect, int mismatch, const char *mismatch_msg)
{
	int64_t changes = 0;
	int rc;
	if (!st->driver->pipeline || st->tx_depth == 0 || st->tx_failed) {
		rc = pcrm__store_exec(st, sql, params, nparams, &changes);
		if (rc == PCRM_OK && expect >= 0 && changes != expect) {
			rc = pcrm__error(mismatch, "%s", mismatch_msg ? mismatch_msg : "no row changed");
			note_failure(st, rc);
		}
		return rc;
	}
	st->statements++;
	return queue_push(st, sql, params, nparams, expect, mismatch, mismatch_msg, 0);
}

int pcrm__store_query(pcrm_store *st, const char *sql, const pcrm_sql_value *params, int nparams,
                      pcrm_rows **out)
{
	int rc;
	*out = NULL;
	rc = ensure_connected(st);
	st->statements++;
	if (rc == PCRM_OK && st->nqueued) {
		rc = send(st, sql, params, nparams, NULL, out);
	} else if (rc == PCRM_OK) {
		/* the round trip: a query's rows are read afterwards, already received */
		int64_t started = pcrm__trace_start(st, PCRM_TRACE_STATEMENT);
		st->round_trips++;
		rc = st->driver->query(st, sql, params, nparams, out);
		pcrm__trace_timed(st, PCRM_TRACE_STATEMENT, sql, started, 1, rc);
	}
	note_failure(st, rc);
	return rc;
}

int pcrm__store_query_generic(pcrm_store *st, const char *sql, const pcrm_sql_value *params,
                              int nparams, pcrm_rows **out)
{
	int rc;
	if (st->driver->kind != PCRM_STORE_POSTGRES || !st->driver->pipeline || st->tx_depth > 0 ||
	    st->nqueued > 0)
		return pcrm__store_query(st, sql, params, nparams, out);
	/* queued, so it travels in the query's pipeline: one round trip, one implicit transaction */
	st->statements++;
	rc = queue_push(st, "SELECT set_config('plan_cache_mode', 'force_generic_plan', true)", NULL,
	                0, -1, 0, NULL, 0);
	if (rc == PCRM_OK)
		rc = pcrm__store_query(st, sql, params, nparams, out);
	else
		*out = NULL;
	queue_truncate(st, 0); /* sent with the query, or left unsent when it could not be */
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

/* Runs transaction control now, or queues it (BEGIN, SAVEPOINT) on a pipelining driver. */
static int control(pcrm_store *st, const char *sql, int savepoint)
{
	st->statements++;
	if (st->driver->pipeline)
		return queue_push(st, sql, NULL, 0, -1, 0, NULL, savepoint);
	st->round_trips++;
	return run_script(st, sql);
}

int pcrm__store_begin(pcrm_store *st)
{
	char sql[64];
	int rc;

	if (st->tx_depth == 0) {
		rc = ensure_connected(st);
		if (rc != PCRM_OK)
			return rc;
		queue_truncate(st, 0);
		/* SQLite: take the write lock now, so two writers never deadlock on upgrade. */
		rc = control(st, st->driver->kind == PCRM_STORE_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN",
		             1);
		if (rc == PCRM_OK) {
			st->tx_depth = 1;
			st->tx_failed = 0;
			st->tx_serial++;
			st->tx_started = pcrm__trace_start(st, PCRM_TRACE_TRANSACTION);
		}
		return rc;
	}
	rc = pcrm__trace_tx_begin(st, st->tx_depth + 1);
	if (rc != PCRM_OK)
		return rc;
	snprintf(sql, sizeof(sql), "SAVEPOINT pcrm_sp_%d", st->tx_depth);
	rc = control(st, sql, st->tx_depth + 1);
	if (rc == PCRM_OK)
		st->tx_depth++;
	return rc;
}

/*
 * The index of the queued statement that opened depth `depth` (BEGIN for 1,
 * a SAVEPOINT deeper), or -1 when it was sent already.
 */
static int queued_opener(const pcrm_store *st, int depth)
{
	for (int i = 0; i < st->nqueued; i++)
		if (st->queue[i].savepoint == depth)
			return i;
	return -1;
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
		if (queued_opener(st, 1) == 0 && st->nqueued == 1) {
			queue_truncate(st, 0); /* nothing was sent: nothing to commit */
			rc = PCRM_OK;
		} else {
			rc = send_end(st, "COMMIT");
		}
		/* A failed COMMIT ends the transaction on both engines (PostgreSQL rolls back). */
		if (rc != PCRM_OK && st->driver->kind == PCRM_STORE_SQLITE)
			st->driver->exec_script(st, "ROLLBACK");
		queue_truncate(st, 0);
		st->tx_depth = 0;
		st->tx_failed = 0;
		pcrm__trace_timed(st, PCRM_TRACE_TRANSACTION, "commit", st->tx_started, 0, rc);
		pcrm__trace_tx_end(st, rc == PCRM_OK);
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
	rc = send_end(st, sql);
	if (rc == PCRM_OK) {
		st->tx_depth--;
		return rc;
	}
	/* A queued statement of this savepoint failed: undo the savepoint, as a failed call must. */
	{
		pcrm__error_state e;
		pcrm__error_save(&e);
		pcrm__store_rollback(st);
		pcrm__error_restore(&e, rc);
	}
	return rc;
}

int pcrm__store_rollback(pcrm_store *st)
{
	char sql[128];
	int rc;

	if (st->tx_depth == 0)
		return pcrm__error(PCRM_ESTATE, "rollback: no transaction is open");
	if (st->tx_depth == 1) {
		int unsent = queued_opener(st, 1) == 0;
		queue_truncate(st, 0);
		st->tx_depth = 0;
		st->tx_failed = 0;
		pcrm__trace_timed(st, PCRM_TRACE_TRANSACTION, "rollback", st->tx_started, 0, PCRM_OK);
		pcrm__trace_tx_end(st, 0);
		if (unsent || st->driver->is_broken(st))
			return PCRM_OK; /* never begun on the server, or it already discarded it */
		return run_script(st, "ROLLBACK");
	}
	{
		/* What was queued inside the savepoint is dropped; if its SAVEPOINT is, so is the undo. */
		int opener = queued_opener(st, st->tx_depth);
		pcrm__trace_tx_rollback(st, st->tx_depth);
		st->tx_depth--;
		if (opener >= 0) {
			queue_truncate(st, opener);
			return PCRM_OK;
		}
		for (int i = 0; i < st->nqueued; i++)
			if (st->queue[i].depth > st->tx_depth) {
				queue_truncate(st, i);
				break;
			}
		rc = pcrm__store_flush(st);
		if (rc != PCRM_OK)
			return rc;
	}
	snprintf(sql, sizeof(sql), "ROLLBACK TO SAVEPOINT pcrm_sp_%d; RELEASE SAVEPOINT pcrm_sp_%d",
	         st->tx_depth, st->tx_depth);
	rc = run_script(st, sql);
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
		pcrm__error_state e;
		pcrm__error_save(&e);
		pcrm__store_rollback(st);
		pcrm__error_restore(&e, rc);
	}
	return rc;
}

int pcrm__store_is_identifier(const char *s)
{
	if (!s || !*s || strlen(s) > 63 || !((*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

int pcrm__store_bulk_begin(pcrm_store *st, const char *table, const char *const *columns,
                           int ncolumns)
{
	int rc;
	/* the drivers write these names into COPY / INSERT text: plain identifiers only */
	if (!pcrm__store_is_identifier(table) || ncolumns < 1)
		return pcrm__error(PCRM_ESTORE, "bulk insert: not a plain table name");
	for (int i = 0; i < ncolumns; i++)
		if (!pcrm__store_is_identifier(columns[i]))
			return pcrm__error(PCRM_ESTORE, "bulk insert into %s: column %d is not a plain "
			                                "identifier",
			                   table, i + 1);
	if (st->tx_depth == 0)
		return pcrm__error(PCRM_ESTATE, "bulk insert needs an open transaction");
	if (st->bulk_columns)
		return pcrm__error(PCRM_ESTATE, "a bulk insert is already in progress");
	st->round_trips++; /* COPY waits for the server to accept the data */
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
	/* aborting after a failed begin: nothing to undo, and the begin's message must stay */
	if (!st->bulk_columns && abort)
		return PCRM_OK;
	if (!st->bulk_columns)
		return pcrm__error(PCRM_ESTATE, "no bulk insert in progress");
	st->round_trips++; /* and once more for its outcome */
	rc = st->driver->bulk_end(st, abort);
	st->bulk_columns = 0;
	note_failure(st, rc);
	return rc;
}
