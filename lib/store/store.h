/*
 * Internal: the store interface, the only way the rest of the library
 * speaks SQL.
 *
 * SQL is written once, in PostgreSQL style with numbered parameters ($1, $2,
 * ...), and is always parameterised: values travel as pcrm_sql_value, never
 * inside the SQL text.  Drivers translate what they must (SQLite reads $N as
 * ?N).  Schema text may use the {{tokens}} listed in migrations.c for the few
 * type names that differ.
 *
 * Errors come back as library statuses with the message set:
 * PCRM_EDUPLICATE (unique violation), PCRM_ERETRY (serialization failure or
 * busy), PCRM_ECONNECTION (connection lost; the next call reconnects when no
 * transaction is open), PCRM_ESTORE (anything else).
 */
#ifndef PCRM_STORE_STORE_H
#define PCRM_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <powercrm/common.h>

#include "trace.h"

typedef enum pcrm_sql_type {
	PCRM_SQL_NULL = 0,
	PCRM_SQL_INT,
	PCRM_SQL_TEXT
} pcrm_sql_type;

/** One bound parameter (or bulk-insert field). */
typedef struct pcrm_sql_value {
	pcrm_sql_type type;
	int64_t i;
	const char *s; /* NUL-terminated */
} pcrm_sql_value;

static inline pcrm_sql_value pcrm__sql_int(int64_t v)
{
	pcrm_sql_value out = { PCRM_SQL_INT, v, NULL };
	return out;
}

/* A NULL string binds SQL NULL. */
static inline pcrm_sql_value pcrm__sql_text(const char *s)
{
	pcrm_sql_value out = { s ? PCRM_SQL_TEXT : PCRM_SQL_NULL, 0, s };
	return out;
}

#define PCRM_SQL_I(v) pcrm__sql_int((int64_t)(v))
#define PCRM_SQL_S(v) pcrm__sql_text(v)
#define PCRM_SQL_NUL pcrm__sql_text(NULL)

typedef struct pcrm_store pcrm_store;
typedef struct pcrm_rows pcrm_rows;

/**
 * A statement queued by pcrm__store_exec_later() (or a transaction-control
 * statement the store queued itself): its own copies of the text and values.
 */
struct pcrm__queued {
	char *sql;
	pcrm_sql_value *params; /* text values point into owned copies */
	int nparams;
	int depth;           /* transaction depth when it was queued */
	int savepoint;       /* it opens the savepoint of this depth - 1 (0: it does not) */
	int64_t expect;      /* rows it must change, -1 when any number will do */
	int mismatch;        /* the status to report when it does not */
	char *mismatch_msg;
};

typedef enum pcrm_store_kind {
	PCRM_STORE_SQLITE = 1,
	PCRM_STORE_POSTGRES = 2
} pcrm_store_kind;

/** What a driver implements.  Generic logic (transactions, migrations) lives in store.c. */
struct pcrm_store_driver {
	const char *name;
	pcrm_store_kind kind;
	/** Runs one statement; *changes (may be NULL) receives the affected row count. */
	int (*exec)(pcrm_store *st, const char *sql, const pcrm_sql_value *params, int nparams,
	            int64_t *changes);
	/** Runs a query and returns a cursor over its rows. */
	int (*query)(pcrm_store *st, const char *sql, const pcrm_sql_value *params, int nparams,
	             pcrm_rows **out);
	/** Runs several parameterless statements (schema migrations). */
	int (*exec_script)(pcrm_store *st, const char *sql);
	/** Bulk insert: PostgreSQL streams COPY, SQLite reuses one prepared INSERT. */
	int (*bulk_begin)(pcrm_store *st, const char *table, const char *const *columns, int ncolumns);
	int (*bulk_row)(pcrm_store *st, const pcrm_sql_value *values);
	int (*bulk_end)(pcrm_store *st, int abort);
	/**
	 * Optional (NULL: statements are never queued, pcrm__store_exec_later()
	 * runs them at once).  Sends the queued statements and then `sql` (which
	 * may be NULL) in one round trip and reads every result in order.  The
	 * first failure is returned; a queued statement that changed other than
	 * its `expect` rows fails with its `mismatch` status.  `out` (may be
	 * NULL) receives the rows of `sql`, `changes` its row count.  Must not be
	 * given a statement that ends the transaction after a queued statement
	 * with an expectation (store.c sends those first).
	 */
	int (*pipeline)(pcrm_store *st, const struct pcrm__queued *queued, int nqueued,
	                const char *sql, const pcrm_sql_value *params, int nparams,
	                int64_t *changes, pcrm_rows **out);
	/** Reconnects a lost connection (only ever called outside a transaction). */
	int (*reconnect)(pcrm_store *st);
	/** Nonzero when the connection is known to be broken. */
	int (*is_broken)(pcrm_store *st);
	void (*close)(pcrm_store *st);
};

/** The common head of every driver's store structure. */
struct pcrm_store {
	const struct pcrm_store_driver *driver;
	int tx_depth;
	int tx_failed; /* depth at which a statement failed (0 = none): that level can only roll back */
	int bulk_columns;
	uint64_t tx_serial;  /* outermost transactions begun so far (tells one from the next) */
	uint64_t statements; /* statements sent so far, transaction control included (benchmarks) */
	uint64_t round_trips; /* times the client waited for the store (benchmarks) */
	struct pcrm__queued *queue; /* statements not sent yet (drivers with a pipeline) */
	int nqueued, queue_cap;
	struct pcrm__trace trace; /* the integrator's observer (trace.c) */
	int64_t tx_started;       /* pcrm__trace_start() of the outermost transaction */
};

/** A result cursor.  Column values are valid until the next pcrm__rows_next/free. */
struct pcrm_rows_ops {
	int (*next)(pcrm_rows *rows);                  /* 1 = a row, 0 = done, <0 = error */
	const char *(*text)(pcrm_rows *rows, int col); /* NULL for SQL NULL */
	int64_t (*integer)(pcrm_rows *rows, int col);
	int (*is_null)(pcrm_rows *rows, int col);
	void (*free)(pcrm_rows *rows);
};

struct pcrm_rows {
	const struct pcrm_rows_ops *ops;
};

/* Driver constructors (sqlite.c, postgres.c).  `target` is the URI part after the scheme. */
int pcrm__sqlite_open(pcrm_store **out, const char *target);
int pcrm__postgres_open(pcrm_store **out, const char *conninfo);

/** Opens the right driver for a URI. */
int pcrm__store_open(pcrm_store **out, const char *uri);
void pcrm__store_close(pcrm_store *st);

/* Statements.  These reconnect first when the connection was lost outside a transaction. */
int pcrm__store_exec(pcrm_store *st, const char *sql, const pcrm_sql_value *params, int nparams,
                     int64_t *changes);
int pcrm__store_query(pcrm_store *st, const char *sql, const pcrm_sql_value *params, int nparams,
                      pcrm_rows **out);
/**
 * pcrm__store_query() of a statement run many times whose plan does not
 * depend on its parameters' values, planned once.  On PostgreSQL, outside a
 * transaction, the statement follows a set_config('plan_cache_mode',
 * 'force_generic_plan', true) in the same round trip (one pipeline, so one
 * implicit transaction: the setting ends with it); the server otherwise
 * plans again on every execution when it estimates the generic plan dearer
 * than a custom one.  Elsewhere (SQLite, inside a transaction, where the
 * setting would outlive the statement) it is pcrm__store_query().
 */
int pcrm__store_query_generic(pcrm_store *st, const char *sql, const pcrm_sql_value *params,
                              int nparams, pcrm_rows **out);
/**
 * Runs a statement whose result the caller does not need before its next
 * statement: inside a transaction, on a driver that pipelines (PostgreSQL),
 * it is queued and sent together with the next statement that needs an
 * answer, so several writes cost one round trip; elsewhere it runs at once.
 * `expect` >= 0: the statement must change exactly that many rows, else it
 * fails with `mismatch` and the message `mismatch_msg`.  A queued
 * statement's failure is reported by the call that sends it, which is never
 * later than the next pcrm__store_query(), pcrm__store_exec(), savepoint
 * release or commit, so a library call that ends with one of those reports
 * its own failures.
 */
int pcrm__store_exec_later(pcrm_store *st, const char *sql, const pcrm_sql_value *params,
                           int nparams, int64_t expect, int mismatch, const char *mismatch_msg);
/**
 * Sends whatever is queued.  Drivers call it before work the queue must
 * precede and that cannot join a pipeline (scripts, COPY).
 */
int pcrm__store_flush(pcrm_store *st);
/** Runs a query expected to return at most one row of one integer; PCRM_ENOTFOUND when none. */
int pcrm__store_query_int(pcrm_store *st, const char *sql, const pcrm_sql_value *params,
                          int nparams, int64_t *out);

static inline int pcrm__rows_next(pcrm_rows *r) { return r->ops->next(r); }
static inline const char *pcrm__rows_text(pcrm_rows *r, int c) { return r->ops->text(r, c); }
static inline int64_t pcrm__rows_int(pcrm_rows *r, int c) { return r->ops->integer(r, c); }
static inline int pcrm__rows_is_null(pcrm_rows *r, int c) { return r->ops->is_null(r, c); }
static inline void pcrm__rows_free(pcrm_rows *r) { if (r) r->ops->free(r); }

/** A table to update from a JSON array: the library's own identifiers, never outside input. */
struct pcrm__json_update {
	const char *table;
	const char *key;          /* text key column: each JSON row names its row by this member */
	const struct pcrm__json_column {
		const char *name; /* set from the JSON member of the same name */
		int text;         /* 1: text (or NULL), 0: integer (or NULL) */
	} *columns;
	int ncolumns;
	const char *guard;        /* integer column that must equal ... */
	const char *guard_member; /* ... this member, or the row is left alone */
};

/**
 * Updates the rows of u->table named in `rows`, a JSON array of objects
 * (one parameter, so each store prepares the statement once), setting every
 * column in u->columns from the member of the same name, where the row's
 * guard column still equals the object's guard member.  *out lists the keys
 * of the rows it changed (free with pcrm__rows_free).  The statement text
 * belongs to the store: json_to_recordset on PostgreSQL, json_each on SQLite.
 */
int pcrm__store_update_from_json(pcrm_store *st, const struct pcrm__json_update *u,
                                 const char *rows, pcrm_rows **out);

/*
 * "<column> is one of the keys of the JSON array parameter", per engine: a
 * batch names its own rows (pcrm__store_key_list()) instead of a range of
 * keys that other rows may share.  Write the column before it:
 * "account_no" PCRM__SQL_IN_KEYS_PG("$1").  PostgreSQL probes the column's
 * index once per key (= ANY of an ARRAY) on a table it knows to be large,
 * SQLite looks each key of json_each up in it.
 *
 * On a table PostgreSQL thinks small (one that starts empty and fills
 * during the job and has not been analysed yet, as ledger_account while a
 * first month is posted) it scans the table instead and compares every row
 * with every key of the array: 2,000 keys against 2,000 rows cost 55-60 ms
 * of server CPU.  PCRM__SQL_IN_KEYS_BOUNDED_PG(column, param) is the same
 * condition as a semi-join, which stays linear there (a hash join), with
 * the column bounded by the smallest and largest key (computed by the
 * server, so in the column's collation) so that a larger table is read as
 * one index range: 1-2 ms per 2,000 keys on 2,000 to 50,000 rows, as
 * = ANY (a semi-join alone cost 1-2 ms more there).  Write the whole
 * condition with it: "WHERE " PCRM__SQL_IN_KEYS_BOUNDED_PG("account_no", "$1").
 */
#define PCRM__SQL_IN_KEYS_PG(param)                                                          \
	" = ANY (ARRAY(SELECT json_array_elements_text(" param "::json)))"
#define PCRM__SQL_IN_KEYS_BOUNDED_PG(column, param)                                         \
	column " >= (SELECT min(k) FROM json_array_elements_text(" param "::json) k) AND "     \
	column " <= (SELECT max(k) FROM json_array_elements_text(" param "::json) k) AND "     \
	column " IN (SELECT json_array_elements_text(" param "::json))"
#define PCRM__SQL_IN_KEYS_SQLITE(param) " IN (SELECT value FROM json_each(" param "))"

/**
 * The keys key(items, 0) .. key(items, n - 1) as the text of a JSON array of
 * strings, the parameter of PCRM__SQL_IN_KEYS_*; a NULL key is left out.
 * *out receives it (free with free()).  PCRM_ENOMEM when out of memory.
 */
int pcrm__store_key_list(const void *items, size_t n,
                         const char *(*key)(const void *items, size_t i), char **out);

/* Transactions: nest as savepoints. */
int pcrm__store_begin(pcrm_store *st);
int pcrm__store_commit(pcrm_store *st);
int pcrm__store_rollback(pcrm_store *st);

/**
 * Ends the transaction a library function opened: commits when rc is
 * PCRM_OK, rolls back otherwise, and returns the status to report (the
 * commit's failure, or the original rc).  Keeps every mutation atomic.
 */
int pcrm__store_finish(pcrm_store *st, int rc);

/**
 * Runs body(arg) in a transaction of its own, as pcrm__store_begin() and
 * pcrm__store_finish() would, and runs it again, after a short pause, when
 * it fails with PCRM_ERETRY (deadlock or serialization failure on
 * PostgreSQL, a busy SQLite) and the transaction is the outermost one,
 * i.e. the library owns it: the rollback left nothing of the attempt.
 * Inside a caller's transaction PCRM_ERETRY is returned at once, for the
 * caller to run its whole transaction again.  At most 8 attempts; the last
 * PCRM_ERETRY is returned after that.  `body` must start from scratch each
 * time: whatever it changed outside the store in an earlier attempt it
 * resets first.  This is the one place the library retries.
 */
int pcrm__store_transaction(pcrm_store *st, int (*body)(void *arg), void *arg);

/**
 * Nonzero for a plain lower-case SQL identifier (letters, digits, '_'; at
 * most 63 bytes): the only names the store writes into statement text.
 */
int pcrm__store_is_identifier(const char *s);

/* Bulk insert inside the current transaction; table and columns must be plain identifiers. */
int pcrm__store_bulk_begin(pcrm_store *st, const char *table, const char *const *columns,
                           int ncolumns);
int pcrm__store_bulk_row(pcrm_store *st, const pcrm_sql_value *values);
int pcrm__store_bulk_end(pcrm_store *st, int abort);

/* Schema migrations (migrations.c). */
int pcrm__store_migrate(pcrm_store *st, int64_t now);
int pcrm__store_schema_version(pcrm_store *st, int *out);
int pcrm__schema_latest(void);
/**
 * The two parts of migration `version` as released (*sql, and *more or
 * NULL), with their {{tokens}}; 0 when the list has no such number.  For
 * tests that rebuild a table as an older migration left it.
 */
int pcrm__schema_migration(int version, const char **sql, const char **more);

/** Rewrites schema {{tokens}} for a driver; returns malloc'd text or NULL (out of memory). */
char *pcrm__schema_render(const char *sql, pcrm_store_kind kind);

/**
 * Compares the context's data key with the one the store was first opened
 * with (pii_key_check), recording it at the first open with a key;
 * PCRM_EPERM naming options.data_key when it differs (key_check.c).
 */
struct pcrm_ctx;
int pcrm__store_key_check(struct pcrm_ctx *ctx);

#endif
