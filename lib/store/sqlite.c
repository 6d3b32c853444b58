/*
 * The SQLite driver: the embedded default store.
 *
 * WAL journal synced on every commit (synchronous=FULL, unless the URI asks
 * for "?synchronous=normal"), foreign keys on, a busy timeout (5 s, or the
 * URI's "busy_timeout=MS") so concurrent writers wait for the write lock
 * instead of failing at once; after it, the call fails with PCRM_ERETRY.
 * Prepared statements are cached by SQL text: the library's statements are
 * a fixed set, and preparing dominates the cost of small queries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/error.h"
#include "sqlite_file.h"
#include "store.h"

#define STMT_CACHE_SLOTS 128
#define BUSY_TIMEOUT_DEFAULT_MS 5000
#define BUSY_TIMEOUT_MAX_MS 3600000 /* an hour: anything longer is a mistake, not a wait */

struct cached_stmt {
	char *sql; /* the original ($N) text: the cache key */
	sqlite3_stmt *stmt;
	unsigned long long last_use;
	int in_use; /* an open cursor iterates it: never evict */
};

typedef struct sqlite_store {
	pcrm_store base;
	sqlite3 *db;
	struct cached_stmt cache[STMT_CACHE_SLOTS];
	unsigned long long use_clock;
	sqlite3_stmt *bulk; /* the INSERT of a bulk load */
	char *path;
} sqlite_store;

typedef struct sqlite_rows {
	pcrm_rows base;
	sqlite_store *st;
	struct cached_stmt *slot;
} sqlite_rows;

static int map_error(sqlite_store *st, int code, const char *what)
{
	int primary = code & 0xff;
	const char *msg = st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(code);

	if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
		return pcrm__error(PCRM_EDUPLICATE, "%s: %s", what, msg);
	if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
		return pcrm__error(PCRM_ERETRY, "%s: store is busy (%s)", what, msg);
	if (primary == SQLITE_NOMEM)
		return pcrm__error_oom();
	if (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN || primary == SQLITE_FULL)
		return pcrm__error(PCRM_EIO, "%s: %s", what, msg);
	return pcrm__error(PCRM_ESTORE, "%s: %s", what, msg);
}

/* "$3" becomes "?3" outside quoted text, so one SQL text serves both drivers. */
static char *translate_params(const char *sql)
{
	size_t n = strlen(sql);
	char *out = malloc(n + 1);
	char quote = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i <= n; i++) {
		char c = sql[i];
		if (quote) {
			if (c == quote)
				quote = 0;
		} else if (c == '\'' || c == '"') {
			quote = c;
		} else if (c == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
			c = '?';
		}
		out[i] = c;
	}
	return out;
}

/*
 * The cache slot hash of a statement text: its length and its first and last
 * 48 bytes.  Hashing every byte of every statement (a transition sends some
 * 3,000) cost more than SQLite's own work for some of them; texts that share
 * both ends and the length only share a probe sequence, and strcmp() decides.
 */
static unsigned long hash_text(const char *s)
{
	size_t n = strlen(s), head = n < 96 ? n : 48;
	unsigned long h = 5381 + n;
	for (size_t i = 0; i < head; i++)
		h = h * 33 + (unsigned char)s[i];
	for (size_t i = n < 96 ? n : n - 48; i < n; i++)
		h = h * 33 + (unsigned char)s[i];
	return h;
}

/* Finds or prepares the statement for `sql`; the returned statement is reset and unbound. */
static int prepare_cached(sqlite_store *st, const char *sql, struct cached_stmt **out)
{
	unsigned long h = hash_text(sql);
	struct cached_stmt *victim = NULL;
	sqlite3_stmt *stmt;
	char *translated;
	int rc;

	for (int probe = 0; probe < 8; probe++) {
		struct cached_stmt *slot = &st->cache[(h + (unsigned long)probe) % STMT_CACHE_SLOTS];
		if (slot->sql && strcmp(slot->sql, sql) == 0) {
			if (slot->in_use)
				return pcrm__error(PCRM_ESTORE, "query is already open on this connection");
			slot->last_use = ++st->use_clock;
			*out = slot;
			return PCRM_OK;
		}
		if (slot->in_use)
			continue;
		if (!victim || !slot->sql || (victim->sql && slot->last_use < victim->last_use))
			victim = slot;
	}
	if (!victim)
		return pcrm__error(PCRM_ESTORE, "too many open queries on this connection");
	translated = translate_params(sql);
	if (!translated)
		return pcrm__error_oom();
	rc = sqlite3_prepare_v3(st->db, translated, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
	free(translated);
	if (rc != SQLITE_OK)
		return map_error(st, rc, "prepare");
	if (victim->sql) {
		sqlite3_finalize(victim->stmt);
		free(victim->sql);
	}
	victim->stmt = stmt;
	victim->sql = strdup(sql);
	if (!victim->sql) {
		sqlite3_finalize(stmt);
		victim->stmt = NULL;
		return pcrm__error_oom();
	}
	victim->last_use = ++st->use_clock;
	*out = victim;
	return PCRM_OK;
}

/*
 * Binds params; with `copy` 0 SQLite uses the caller's text in place, which
 * is only right when the statement is stepped, reset and unbound before the
 * caller's values can go away (sqlite_exec); a cursor outlives the call that
 * opened it, so queries copy.  A transition binds some 30 texts.
 */
static int bind_all(sqlite_store *st, sqlite3_stmt *stmt, const pcrm_sql_value *params, int n,
                    int copy)
{
	if (sqlite3_bind_parameter_count(stmt) != n)
		return pcrm__error(PCRM_ESTORE, "statement expects %d parameters, got %d",
		                   sqlite3_bind_parameter_count(stmt), n);
	for (int i = 0; i < n; i++) {
		int rc;
		switch (params[i].type) {
		case PCRM_SQL_INT:
			rc = sqlite3_bind_int64(stmt, i + 1, params[i].i);
			break;
		case PCRM_SQL_TEXT:
			rc = sqlite3_bind_text(stmt, i + 1, params[i].s, -1,
			                       copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
			break;
		default:
			rc = sqlite3_bind_null(stmt, i + 1);
			break;
		}
		if (rc != SQLITE_OK)
			return map_error(st, rc, "bind");
	}
	return PCRM_OK;
}

static int sqlite_exec(pcrm_store *base, const char *sql, const pcrm_sql_value *params,
                       int nparams, int64_t *changes)
{
	sqlite_store *st = (sqlite_store *)base;
	struct cached_stmt *slot;
	sqlite3_stmt *stmt;
	int rc = prepare_cached(st, sql, &slot);
	if (rc != PCRM_OK)
		return rc;
	stmt = slot->stmt;
	rc = bind_all(st, stmt, params, nparams, 0);
	if (rc == PCRM_OK) {
		int step;
		while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
			;
		if (step != SQLITE_DONE)
			rc = map_error(st, sqlite3_extended_errcode(st->db), "execute");
		else if (changes)
			*changes = sqlite3_changes64(st->db);
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc;
}

static int rows_next(pcrm_rows *base)
{
	sqlite_rows *r = (sqlite_rows *)base;
	int step = sqlite3_step(r->slot->stmt);
	if (step == SQLITE_ROW)
		return 1;
	if (step == SQLITE_DONE)
		return 0;
	return map_error(r->st, sqlite3_extended_errcode(r->st->db), "query");
}

static const char *rows_text(pcrm_rows *base, int col)
{
	return (const char *)sqlite3_column_text(((sqlite_rows *)base)->slot->stmt, col);
}

static int64_t rows_int(pcrm_rows *base, int col)
{
	return sqlite3_column_int64(((sqlite_rows *)base)->slot->stmt, col);
}

static int rows_is_null(pcrm_rows *base, int col)
{
	return sqlite3_column_type(((sqlite_rows *)base)->slot->stmt, col) == SQLITE_NULL;
}

static void rows_free(pcrm_rows *base)
{
	sqlite_rows *r = (sqlite_rows *)base;
	/* The statement belongs to the cache: reset it for its next use. */
	sqlite3_reset(r->slot->stmt);
	sqlite3_clear_bindings(r->slot->stmt);
	r->slot->in_use = 0;
	free(r);
}

static const struct pcrm_rows_ops sqlite_rows_ops = {
	rows_next, rows_text, rows_int, rows_is_null, rows_free
};

static int sqlite_query(pcrm_store *base, const char *sql, const pcrm_sql_value *params,
                        int nparams, pcrm_rows **out)
{
	sqlite_store *st = (sqlite_store *)base;
	sqlite_rows *r;
	struct cached_stmt *slot;
	int rc = prepare_cached(st, sql, &slot);
	if (rc != PCRM_OK)
		return rc;
	rc = bind_all(st, slot->stmt, params, nparams, 1);
	if (rc != PCRM_OK) {
		sqlite3_clear_bindings(slot->stmt);
		return rc;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return pcrm__error_oom();
	r->base.ops = &sqlite_rows_ops;
	r->st = st;
	r->slot = slot;
	slot->in_use = 1;
	*out = &r->base;
	return PCRM_OK;
}

static int sqlite_exec_script(pcrm_store *base, const char *sql)
{
	sqlite_store *st = (sqlite_store *)base;
	char *err = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		int status = map_error(st, sqlite3_extended_errcode(st->db), "execute");
		sqlite3_free(err);
		return status;
	}
	return PCRM_OK;
}

static int sqlite_bulk_begin(pcrm_store *base, const char *table, const char *const *columns,
                             int ncolumns)
{
	sqlite_store *st = (sqlite_store *)base;
	/* Identifiers cannot be bound: they are written with SQLite's own identifier quoting
	 * (%w doubles any '"'), as the PostgreSQL driver uses PQescapeIdentifier(), on top of
	 * pcrm__store_bulk_begin()'s plain-identifier check. The values are bound (?N). */
	sqlite3_str *text = sqlite3_str_new(st->db);
	char *sql;
	int rc;

	sqlite3_str_appendf(text, "INSERT INTO \"%w\" (", table);
	for (int i = 0; i < ncolumns; i++)
		sqlite3_str_appendf(text, "%s\"%w\"", i ? ", " : "", columns[i]);
	sqlite3_str_appendall(text, ") VALUES (");
	for (int i = 0; i < ncolumns; i++)
		sqlite3_str_appendf(text, "%s?%d", i ? ", " : "", i + 1);
	sqlite3_str_appendall(text, ")");
	sql = sqlite3_str_finish(text);
	if (!sql)
		return pcrm__error_oom();
	rc = sqlite3_prepare_v2(st->db, sql, -1, &st->bulk, NULL);
	sqlite3_free(sql);
	return rc == SQLITE_OK ? PCRM_OK : map_error(st, rc, "bulk insert");
}

static int sqlite_bulk_row(pcrm_store *base, const pcrm_sql_value *values)
{
	sqlite_store *st = (sqlite_store *)base;
	int rc = bind_all(st, st->bulk, values, st->base.bulk_columns, 1);
	if (rc == PCRM_OK && sqlite3_step(st->bulk) != SQLITE_DONE)
		rc = map_error(st, sqlite3_extended_errcode(st->db), "bulk insert");
	sqlite3_reset(st->bulk);
	return rc;
}

static int sqlite_bulk_end(pcrm_store *base, int abort)
{
	sqlite_store *st = (sqlite_store *)base;
	(void)abort; /* rows already sit in the transaction; the caller's rollback discards them */
	sqlite3_finalize(st->bulk);
	st->bulk = NULL;
	return PCRM_OK;
}

static int sqlite_reconnect(pcrm_store *base)
{
	(void)base;
	return PCRM_OK;
}

static int sqlite_is_broken(pcrm_store *base)
{
	(void)base;
	return 0;
}

static void sqlite_close(pcrm_store *base)
{
	sqlite_store *st = (sqlite_store *)base;
	for (int i = 0; i < STMT_CACHE_SLOTS; i++) {
		sqlite3_finalize(st->cache[i].stmt);
		free(st->cache[i].sql);
	}
	sqlite3_finalize(st->bulk);
	sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
}

static const struct pcrm_store_driver sqlite_driver = {
	"sqlite", PCRM_STORE_SQLITE,
	sqlite_exec, sqlite_query, sqlite_exec_script,
	sqlite_bulk_begin, sqlite_bulk_row, sqlite_bulk_end,
	NULL, /* no round trips to save: statements run at once */
	sqlite_reconnect, sqlite_is_broken, sqlite_close
};

/* What the URI's parameters ask for. */
struct sqlite_params {
	const char *sync; /* the PRAGMA that sets synchronous */
	int busy_timeout_ms;
};

/*
 * synchronous=full|normal: FULL is the default: in WAL mode NORMAL does not
 * sync the WAL on commit, so a power loss may undo the last committed
 * transactions (a posted payment, a closed work order).  NORMAL is for
 * callers that accept that in exchange for cheaper commits.
 */
static int param_synchronous(const char *v, size_t n, struct sqlite_params *p)
{
	if (n == 6 && memcmp(v, "normal", 6) == 0)
		p->sync = " PRAGMA synchronous = NORMAL;";
	else if (n == 4 && memcmp(v, "full", 4) == 0)
		p->sync = " PRAGMA synchronous = FULL;";
	else
		return pcrm__error(PCRM_EINVAL, "uri: sqlite: synchronous=\"%.*s\" is not full or normal",
		                   (int)(n < 32 ? n : 32), v);
	return PCRM_OK;
}

/* busy_timeout=MS: how long a call waits for the write lock before PCRM_ERETRY. */
static int param_busy_timeout(const char *v, size_t n, struct sqlite_params *p)
{
	long ms = 0;
	size_t i;
	for (i = 0; i < n && i < 8 && v[i] >= '0' && v[i] <= '9'; i++)
		ms = ms * 10 + (v[i] - '0');
	if (n == 0 || i < n || ms > BUSY_TIMEOUT_MAX_MS)
		return pcrm__error(PCRM_EINVAL,
		                   "uri: sqlite: busy_timeout=\"%.*s\" is not a number of milliseconds "
		                   "0..%d",
		                   (int)(n < 32 ? n : 32), v, BUSY_TIMEOUT_MAX_MS);
	p->busy_timeout_ms = (int)ms;
	return PCRM_OK;
}

/*
 * Splits "PATH?NAME=VALUE&NAME=VALUE" into the path (st->path) and the
 * parameters; an unknown or repeated parameter, or one without a value, is
 * PCRM_EINVAL naming it.
 */
static int parse_target(sqlite_store *st, const char *target, struct sqlite_params *p)
{
	static const struct {
		const char *name;
		int (*set)(const char *v, size_t n, struct sqlite_params *p);
	} known[] = { { "synchronous", param_synchronous }, { "busy_timeout", param_busy_timeout } };
	const char *q = strchr(target, '?');
	size_t n = q ? (size_t)(q - target) : strlen(target);
	unsigned seen = 0;

	p->sync = " PRAGMA synchronous = FULL;";
	p->busy_timeout_ms = BUSY_TIMEOUT_DEFAULT_MS;
	for (const char *at = q ? q + 1 : NULL; at; ) {
		const char *end = strchr(at, '&'), *eq;
		size_t len = end ? (size_t)(end - at) : strlen(at), k;
		int rc, i = -1;
		eq = memchr(at, '=', len);
		k = eq ? (size_t)(eq - at) : len;
		for (int j = 0; j < (int)(sizeof(known) / sizeof(known[0])); j++)
			if (strlen(known[j].name) == k && memcmp(known[j].name, at, k) == 0)
				i = j;
		if (i < 0 || !eq || (seen & (1u << i)))
			return pcrm__error(PCRM_EINVAL, "uri: sqlite: parameter \"%.*s\" %s", (int)(k < 32 ? k : 32),
			                   at, i < 0 ? "is unknown (synchronous, busy_timeout)" :
			                       !eq   ? "needs a value (NAME=VALUE)" :
			                               "is given twice");
		seen |= 1u << i;
		rc = known[i].set(eq + 1, len - k - 1, p);
		if (rc != PCRM_OK)
			return rc;
		at = end ? end + 1 : NULL;
	}
	if (n == 0)
		return pcrm__error(PCRM_EINVAL, "uri: sqlite: needs a path or :memory:");
	st->path = strndup(target, n);
	return st->path ? PCRM_OK : pcrm__error_oom();
}

int pcrm__sqlite_open(pcrm_store **out, const char *target)
{
	sqlite_store *st;
	struct sqlite_params params;
	char config[160];
	int rc;
	const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
	                  SQLITE_OPEN_URI;

	st = calloc(1, sizeof(*st));
	if (!st)
		return pcrm__error_oom();
	st->base.driver = &sqlite_driver;
	rc = parse_target(st, target, &params);
	if (rc != PCRM_OK) {
		sqlite_close(&st->base);
		return rc;
	}
	rc = pcrm__sqlite_create_private(st->path);
	if (rc != PCRM_OK) {
		sqlite_close(&st->base);
		return rc;
	}
	rc = sqlite3_open_v2(st->path, &st->db, flags, NULL);
	if (rc != SQLITE_OK) {
		int status = pcrm__error(rc == SQLITE_NOMEM ? PCRM_ENOMEM : PCRM_EIO,
		                         "cannot open SQLite database \"%s\": %s", st->path,
		                         st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		sqlite_close(&st->base);
		return status;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, params.busy_timeout_ms);
	/*
	 * WAL: readers never block the writer, nor the writer readers (setting it on a file
	 * already in WAL mode is a no-op that takes no lock, so opening never waits for another
	 * process's write transaction); foreign keys: SQLite leaves them off by default;
	 * synchronous: see param_synchronous(); temp_store: savepoints keep their sub-journal in
	 * memory instead of creating and deleting a temporary file each time (which cost more
	 * than the rest of a transaction).
	 */
	if (strcmp(st->path, ":memory:") == 0)
		snprintf(config, sizeof(config), "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY");
	else
		snprintf(config, sizeof(config), "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;%s"
		                                 " PRAGMA temp_store = MEMORY", params.sync);
	rc = sqlite_exec_script(&st->base, config);
	/* the first statement reads the file's header: a file of something else stops here */
	if (rc != PCRM_OK && sqlite3_errcode(st->db) == SQLITE_NOTADB) {
		rc = pcrm__error(PCRM_ENOTDB, "sqlite:%s: not a database", st->path);
		sqlite_close(&st->base);
		return rc;
	}
	if (rc != PCRM_OK) {
		pcrm__error_prefix("cannot configure SQLite database \"%s\"", st->path);
		sqlite_close(&st->base);
		return rc;
	}
	*out = &st->base;
	return PCRM_OK;
}
