/*
 * The PostgreSQL driver, through libpq.
 *
 * Every statement goes through PQexecParams with text parameters, so values
 * never enter SQL text.  Errors are mapped by SQLSTATE: 23505 unique
 * violation, 40001/40P01 serialization failure and deadlock (retry), and a
 * connection whose status went bad is reported as lost; the store layer
 * reconnects before the next statement outside a transaction.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core/error.h"
#include "core/text.h"
#include "store.h"

#define MAX_PARAMS 64
#define PREPARED_SLOTS 128

/*
 * Server-side prepared statements by SQL text: the library's statements are
 * a fixed set, and parsing and planning them again on every call dominated
 * the latency of small queries such as the screen pop.
 */
struct prepared {
	char *sql;
	char name[24];
};

typedef struct pg_store {
	pcrm_store base;
	PGconn *conn;
	char *conninfo;
	int broken;
	int copying;
	struct prepared prepared[PREPARED_SLOTS];
	int nprepared;
} pg_store;

typedef struct pg_rows {
	pcrm_rows base;
	PGresult *res;
	int row;   /* current row, -1 before the first */
	int nrows;
} pg_rows;

static int map_result_error(pg_store *st, const PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(st->conn);
	char clean[512];
	size_t n;

	snprintf(clean, sizeof(clean), "%s", msg && *msg ? msg : "unknown error");
	n = strlen(clean);
	while (n > 0 && (clean[n - 1] == '\n' || clean[n - 1] == ' '))
		clean[--n] = '\0';
	/*
	 * Every error the server sends carries a SQLSTATE; one without came from
	 * libpq itself.  When the server died under a statement (a crash, an
	 * immediate shutdown), libpq reports "server closed the connection
	 * unexpectedly" that way while PQstatus() can still say OK, because it
	 * notices the closed socket only on its next read: do that read now.
	 */
	if (!state && PQstatus(st->conn) == CONNECTION_OK)
		(void)PQconsumeInput(st->conn);
	if (PQstatus(st->conn) != CONNECTION_OK) {
		st->broken = 1;
		return pcrm__error(PCRM_ECONNECTION, "%s: PostgreSQL connection lost: %s", what, clean);
	}
	if (state && strcmp(state, "23505") == 0)
		return pcrm__error(PCRM_EDUPLICATE, "%s: %s", what, clean);
	if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
		return pcrm__error(PCRM_ERETRY, "%s: %s", what, clean);
	if (state && strncmp(state, "08", 2) == 0) {
		st->broken = 1;
		return pcrm__error(PCRM_ECONNECTION, "%s: %s", what, clean);
	}
	return pcrm__error(PCRM_ESTORE, "%s: %s%s%s", what, clean, state ? " SQLSTATE " : "",
	                   state ? state : "");
}

/* Text forms of the parameters; integers are rendered into `scratch`. */
static int render_params(const pcrm_sql_value *params, int n, const char **values,
                         char scratch[][24])
{
	if (n > MAX_PARAMS)
		return pcrm__error(PCRM_ESTORE, "too many parameters (%d)", n);
	for (int i = 0; i < n; i++) {
		switch (params[i].type) {
		case PCRM_SQL_INT:
			snprintf(scratch[i], 24, "%" PRId64, params[i].i);
			values[i] = scratch[i];
			break;
		case PCRM_SQL_TEXT:
			values[i] = params[i].s;
			break;
		default:
			values[i] = NULL;
			break;
		}
	}
	return PCRM_OK;
}

static void forget_prepared(pg_store *st)
{
	for (int i = 0; i < st->nprepared; i++)
		free(st->prepared[i].sql);
	st->nprepared = 0;
}

/* The name of the prepared statement for `sql`, preparing it first; NULL when the cache is full. */
static const char *prepared_name(pg_store *st, const char *sql, int n, int *rc)
{
	struct prepared *p;
	PGresult *res;
	*rc = PCRM_OK;
	for (int i = 0; i < st->nprepared; i++)
		if (strcmp(st->prepared[i].sql, sql) == 0)
			return st->prepared[i].name;
	if (st->nprepared == PREPARED_SLOTS)
		return NULL;
	p = &st->prepared[st->nprepared];
	snprintf(p->name, sizeof(p->name), "pcrm_%d", st->nprepared);
	res = PQprepare(st->conn, p->name, sql, n, NULL);
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		*rc = map_result_error(st, res, "prepare");
		PQclear(res);
		return NULL;
	}
	PQclear(res);
	p->sql = strdup(sql);
	if (!p->sql) {
		*rc = pcrm__error_oom();
		return NULL;
	}
	st->nprepared++;
	return p->name;
}

static int run(pg_store *st, const char *sql, const pcrm_sql_value *params, int n,
               PGresult **out)
{
	const char *values[MAX_PARAMS];
	char scratch[MAX_PARAMS][24];
	const char *name;
	PGresult *res;
	ExecStatusType status;
	int rc = render_params(params, n, values, scratch);

	if (rc != PCRM_OK)
		return rc;
	name = prepared_name(st, sql, n, &rc);
	if (rc != PCRM_OK)
		return rc;
	if (name)
		res = PQexecPrepared(st->conn, name, n, values, NULL, NULL, 0);
	else
		res = PQexecParams(st->conn, sql, n, NULL, values, NULL, NULL, 0);
	status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		rc = map_result_error(st, res, "execute");
		PQclear(res);
		return rc;
	}
	*out = res;
	return PCRM_OK;
}

static int pg_exec(pcrm_store *base, const char *sql, const pcrm_sql_value *params, int nparams,
                   int64_t *changes)
{
	pg_store *st = (pg_store *)base;
	PGresult *res;
	int rc = run(st, sql, params, nparams, &res);
	if (rc != PCRM_OK)
		return rc;
	if (changes) {
		const char *t = PQcmdTuples(res);
		*changes = t && *t ? strtoll(t, NULL, 10) : 0;
	}
	PQclear(res);
	return PCRM_OK;
}

static int rows_next(pcrm_rows *base)
{
	pg_rows *r = (pg_rows *)base;
	if (r->row + 1 >= r->nrows)
		return 0;
	r->row++;
	return 1;
}

static const char *rows_text(pcrm_rows *base, int col)
{
	pg_rows *r = (pg_rows *)base;
	if (PQgetisnull(r->res, r->row, col))
		return NULL;
	return PQgetvalue(r->res, r->row, col);
}

static int64_t rows_int(pcrm_rows *base, int col)
{
	const char *t = rows_text(base, col);
	return t ? strtoll(t, NULL, 10) : 0;
}

static int rows_is_null(pcrm_rows *base, int col)
{
	pg_rows *r = (pg_rows *)base;
	return PQgetisnull(r->res, r->row, col);
}

static void rows_free(pcrm_rows *base)
{
	pg_rows *r = (pg_rows *)base;
	PQclear(r->res);
	free(r);
}

static const struct pcrm_rows_ops pg_rows_ops = {
	rows_next, rows_text, rows_int, rows_is_null, rows_free
};

/* Hands a query's result out as a cursor (taking it; cleared when out of memory). */
static int rows_wrap(PGresult *res, pcrm_rows **out)
{
	pg_rows *r = calloc(1, sizeof(*r));
	if (!r) {
		PQclear(res);
		return pcrm__error_oom();
	}
	r->base.ops = &pg_rows_ops;
	r->res = res;
	r->row = -1;
	r->nrows = res ? PQntuples(res) : 0;
	*out = &r->base;
	return PCRM_OK;
}

static int pg_query(pcrm_store *base, const char *sql, const pcrm_sql_value *params, int nparams,
                    pcrm_rows **out)
{
	pg_store *st = (pg_store *)base;
	PGresult *res;
	int rc = run(st, sql, params, nparams, &res);
	if (rc != PCRM_OK)
		return rc;
	return rows_wrap(res, out);
}

/* Queues one statement of a pipeline: by its prepared name, or as text when it has none. */
static int pipeline_send(pg_store *st, const char *name, const char *sql,
                         const pcrm_sql_value *params, int n)
{
	const char *values[MAX_PARAMS];
	char scratch[MAX_PARAMS][24];
	int rc = render_params(params, n, values, scratch), sent;

	if (rc != PCRM_OK)
		return rc;
	sent = name ? PQsendQueryPrepared(st->conn, name, n, values, NULL, NULL, 0) :
	              PQsendQueryParams(st->conn, sql, n, NULL, values, NULL, NULL, 0);
	return sent == 1 ? PCRM_OK : map_result_error(st, NULL, "pipeline");
}

/* Whether `sql` is transaction control (BEGIN, COMMIT, SAVEPOINT, RELEASE, ROLLBACK). */
static int is_transaction_control(const char *sql)
{
	static const char *const words[] = { "BEGIN", "COMMIT", "SAVEPOINT ", "RELEASE ",
		                             "ROLLBACK" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strncmp(sql, words[i], strlen(words[i])) == 0)
			return 1;
	return 0;
}

/*
 * The prepared name of a pipelined statement, preparing it first (which
 * waits for the server, so it happens before the pipeline starts).
 * Transaction control (BEGIN, SAVEPOINT, COMMIT) is sent as text: the server
 * parses it but never plans it.  Every other statement is prepared, with or
 * without parameters: sent as text, a parameterless statement such as the
 * audit head's claim was parsed, analysed and planned again on every call
 * (about a tenth of the backend's CPU per work-order transition).
 */
static int pipeline_name(pg_store *st, const char *sql, int n, const char **name)
{
	int rc = PCRM_OK;
	*name = n > 0 || !is_transaction_control(sql) ? prepared_name(st, sql, n, &rc) : NULL;
	return rc;
}

/*
 * Reads the results of one pipelined statement.  Returns its status and,
 * for the last statement, hands its result out through *keep.
 */
static int pipeline_result(pg_store *st, const struct pcrm__queued *q, int *failed,
                           PGresult **keep)
{
	PGresult *res = PQgetResult(st->conn), *extra;
	ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	int rc = PCRM_OK;

	if (status == PGRES_PIPELINE_ABORTED) {
		rc = PCRM_ESTORE; /* skipped after an earlier failure, which is the one reported */
	} else if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		rc = *failed ? PCRM_ESTORE : map_result_error(st, res, "execute");
		*failed = 1;
	} else if (q && q->expect >= 0 && !*failed) {
		const char *t = PQcmdTuples(res);
		if ((t && *t ? strtoll(t, NULL, 10) : 0) != q->expect) {
			rc = pcrm__error(q->mismatch, "%s",
			                 q->mismatch_msg ? q->mismatch_msg : "no row changed");
			*failed = 1;
		}
	}
	if (keep && rc == PCRM_OK)
		*keep = res;
	else
		PQclear(res);
	/* each statement's results end with a NULL */
	while (res && (extra = PQgetResult(st->conn)) != NULL)
		PQclear(extra);
	return rc;
}

/*
 * The queued statements and then `sql` in one round trip (libpq pipeline
 * mode): every statement is sent, one Sync follows, and the results are read
 * in order.  After a failure the server skips the rest up to the Sync.
 */
static int pg_pipeline(pcrm_store *base, const struct pcrm__queued *queued, int nqueued,
                       const char *sql, const pcrm_sql_value *params, int nparams,
                       int64_t *changes, pcrm_rows **out)
{
	pg_store *st = (pg_store *)base;
	PGresult *res = NULL, *last = NULL;
	int rc = PCRM_OK, first = PCRM_OK, failed = 0, sent = 0;

	const char **names = calloc((size_t)nqueued + 1, sizeof(*names));

	if (!names)
		return pcrm__error_oom();
	for (int i = 0; i < nqueued && rc == PCRM_OK; i++)
		rc = pipeline_name(st, queued[i].sql, queued[i].nparams, &names[i]);
	if (rc == PCRM_OK && sql)
		rc = pipeline_name(st, sql, nparams, &names[nqueued]);
	if (rc == PCRM_OK && PQenterPipelineMode(st->conn) != 1)
		rc = map_result_error(st, NULL, "pipeline");
	if (rc != PCRM_OK) {
		free(names);
		return rc;
	}
	for (int i = 0; i < nqueued && rc == PCRM_OK; i++, sent++)
		rc = pipeline_send(st, names[i], queued[i].sql, queued[i].params, queued[i].nparams);
	if (rc == PCRM_OK && sql) {
		rc = pipeline_send(st, names[nqueued], sql, params, nparams);
		if (rc == PCRM_OK)
			sent++;
	}
	free(names);
	if (PQpipelineSync(st->conn) != 1 && rc == PCRM_OK)
		rc = map_result_error(st, NULL, "pipeline");
	first = rc;
	for (int i = 0; i < sent; i++) {
		int r = pipeline_result(st, i < nqueued ? &queued[i] : NULL, &failed,
		                        i == nqueued ? &last : NULL);
		if (first == PCRM_OK && r != PCRM_OK)
			first = r;
	}
	/* the Sync's own result, then back to one statement at a time */
	while ((res = PQgetResult(st->conn)) != NULL) {
		ExecStatusType status = PQresultStatus(res);
		PQclear(res);
		if (status == PGRES_PIPELINE_SYNC)
			break;
	}
	if (PQexitPipelineMode(st->conn) != 1 && first == PCRM_OK)
		first = map_result_error(st, NULL, "pipeline");
	/* a COMMIT skipped after a failure leaves the transaction open and aborted: end it */
	if (first != PCRM_OK && sql && strcmp(sql, "COMMIT") == 0 &&
	    PQtransactionStatus(st->conn) == PQTRANS_INERROR)
		PQclear(PQexec(st->conn, "ROLLBACK"));
	if (first != PCRM_OK) {
		PQclear(last);
		return first;
	}
	if (changes) {
		const char *t = last ? PQcmdTuples(last) : NULL;
		*changes = t && *t ? strtoll(t, NULL, 10) : 0;
	}
	if (out)
		return rows_wrap(last, out);
	PQclear(last);
	return PCRM_OK;
}

static int pg_exec_script(pcrm_store *base, const char *sql)
{
	pg_store *st = (pg_store *)base;
	PGresult *res;
	ExecStatusType status;
	int rc = pcrm__store_flush(base); /* what was queued comes first */
	if (rc != PCRM_OK)
		return rc;
	res = PQexec(st->conn, sql);
	status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
		rc = map_result_error(st, res, "execute");
	PQclear(res);
	return rc;
}

/* Identifiers are the library's own constants; PQescapeIdentifier quotes them anyway. */
static int append_ident(pg_store *st, char *buf, size_t size, const char *ident)
{
	char *q = PQescapeIdentifier(st->conn, ident, strlen(ident));
	if (!q)
		return pcrm__error_oom();
	if (strlen(buf) + strlen(q) + 3 >= size) {
		PQfreemem(q);
		return pcrm__error(PCRM_ESTORE, "bulk insert: column list too long");
	}
	strcat(buf, q);
	PQfreemem(q);
	return PCRM_OK;
}

static int pg_bulk_begin(pcrm_store *base, const char *table, const char *const *columns,
                         int ncolumns)
{
	pg_store *st = (pg_store *)base;
	char sql[2048] = "COPY ";
	PGresult *res;
	int rc = pcrm__store_flush(base); /* COPY cannot join a pipeline: send the queue first */
	if (rc == PCRM_OK)
		rc = append_ident(st, sql, sizeof(sql), table);
	strcat(sql, " (");
	for (int i = 0; rc == PCRM_OK && i < ncolumns; i++) {
		if (i)
			strcat(sql, ", ");
		rc = append_ident(st, sql, sizeof(sql), columns[i]);
	}
	if (rc != PCRM_OK)
		return rc;
	strcat(sql, ") FROM STDIN");
	res = PQexec(st->conn, sql);
	if (!res || PQresultStatus(res) != PGRES_COPY_IN) {
		rc = map_result_error(st, res, "COPY");
		PQclear(res);
		return rc;
	}
	PQclear(res);
	st->copying = 1;
	return PCRM_OK;
}

/* Makes room for 2 more bytes plus the row's separator, sending what the buffer holds. */
static int copy_room(pg_store *st, char *buf, size_t *len, size_t cap)
{
	if (*len + 3 < cap)
		return PCRM_OK;
	if (PQputCopyData(st->conn, buf, (int)*len) != 1)
		return map_result_error(st, NULL, "COPY");
	*len = 0;
	return PCRM_OK;
}

/* Appends n bytes that need no escaping, in runs as long as the buffer allows. */
static int copy_plain(pg_store *st, const char *s, size_t n, char *buf, size_t *len, size_t cap)
{
	while (n > 0) {
		size_t k;
		int rc = copy_room(st, buf, len, cap);
		if (rc != PCRM_OK)
			return rc;
		k = cap - 3 - *len;
		if (k > n)
			k = n;
		memcpy(buf + *len, s, k);
		*len += k;
		s += k;
		n -= k;
	}
	return PCRM_OK;
}

/* COPY text format: tab-separated, \N for NULL, backslash escapes for specials. */
static int copy_field(pg_store *st, const pcrm_sql_value *v, char *buf, size_t *len, size_t cap)
{
	char num[PCRM__INT_TEXT_MAX];
	const char *s;
	int rc = PCRM_OK;
	if (v->type == PCRM_SQL_NULL)
		return copy_plain(st, "\\N", 2, buf, len, cap);
	if (v->type == PCRM_SQL_INT)
		return copy_plain(st, num, pcrm__int_text(v->i, num), buf, len, cap);
	for (s = v->s; rc == PCRM_OK && *s; s++) {
		size_t run = strcspn(s, "\\\t\n\r");
		const char *esc;
		rc = copy_plain(st, s, run, buf, len, cap);
		s += run;
		if (rc != PCRM_OK || !*s)
			break;
		esc = *s == '\\' ? "\\\\" : *s == '\t' ? "\\t" : *s == '\n' ? "\\n" : "\\r";
		rc = copy_room(st, buf, len, cap);
		if (rc == PCRM_OK) {
			memcpy(buf + *len, esc, 2);
			*len += 2;
		}
	}
	return rc;
}

static int pg_bulk_row(pcrm_store *base, const pcrm_sql_value *values)
{
	pg_store *st = (pg_store *)base;
	char buf[8192];
	size_t len = 0;
	for (int i = 0; i < st->base.bulk_columns; i++) {
		int rc;
		if (i)
			buf[len++] = '\t';
		rc = copy_field(st, &values[i], buf, &len, sizeof(buf));
		if (rc != PCRM_OK)
			return rc;
	}
	buf[len++] = '\n';
	if (PQputCopyData(st->conn, buf, (int)len) != 1)
		return map_result_error(st, NULL, "COPY");
	return PCRM_OK;
}

static int pg_bulk_end(pcrm_store *base, int abort)
{
	pg_store *st = (pg_store *)base;
	PGresult *res;
	int rc = PCRM_OK;
	if (PQputCopyEnd(st->conn, abort ? "aborted by the library" : NULL) != 1)
		rc = map_result_error(st, NULL, "COPY end");
	/* Drain every result: the COPY's own outcome carries constraint violations. */
	while ((res = PQgetResult(st->conn)) != NULL) {
		if (rc == PCRM_OK && !abort && PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = map_result_error(st, res, "COPY");
		PQclear(res);
	}
	st->copying = 0;
	/*
	 * The caller aborts because of an error of its own, whose message it
	 * returns: a status without a message of ours keeps it (the server's
	 * transaction is aborted all the same, which the status records).
	 */
	if (abort && rc == PCRM_OK)
		return PCRM_ESTATE;
	return rc;
}

/* Replaces every occurrence of `secret` in msg (of `size` bytes) with "***". */
static void hide(char *msg, size_t size, const char *secret, size_t n)
{
	char out[2048]; /* room for a one-byte secret become "***" everywhere */
	size_t o = 0;
	const char *p = msg, *hit;

	if (n == 0)
		return;
	while ((hit = strstr(p, secret)) != NULL && o + (size_t)(hit - p) + 4 < sizeof(out)) {
		memcpy(out + o, p, (size_t)(hit - p));
		o += (size_t)(hit - p);
		memcpy(out + o, "***", 3);
		o += 3;
		p = hit + n;
	}
	if (p == msg)
		return;
	snprintf(out + o, sizeof(out) - o, "%s", p);
	pcrm__text_copy(msg, size, out); /* cut to size, secrets already gone */
}

/*
 * The password as written in a URI ("scheme://user:PASSWORD@host") or a
 * key/value string ("password=PASSWORD"), found without libpq so that it
 * can be hidden even when libpq cannot parse the text.
 */
static void hide_written_password(char *msg, size_t size, const char *conninfo)
{
	const char *p = strstr(conninfo, "://"), *at, *colon;

	if (p && (at = strrchr(p + 3, '@')) != NULL) {
		colon = memchr(p + 3, ':', (size_t)(at - (p + 3)));
		if (colon)
			hide(msg, size, colon + 1, (size_t)(at - colon - 1));
	}
	for (p = conninfo; (p = strstr(p, "password")) != NULL; p++) {
		const char *v = p + strlen("password");
		while (*v == ' ')
			v++;
		if (*v++ != '=')
			continue;
		while (*v == ' ')
			v++;
		if (*v == '\'')
			v++;
		hide(msg, size, v, strcspn(v, " '&"));
	}
}

/*
 * libpq quotes what it could not read, and for a malformed URI that is the
 * whole URI, password and all ("postgresql://crm:secret@[::1/crm").  Every
 * libpq message bound for pcrm_error_last() passes through here: the
 * conninfo text and the password (as libpq parsed it, and as it is written)
 * become "***"; trailing newlines go.
 */
static void scrub(char *msg, size_t size, const char *conninfo)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	size_t n;

	hide(msg, size, conninfo, strlen(conninfo));
	hide_written_password(msg, size, conninfo);
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val)
			hide(msg, size, o->val, strlen(o->val));
	PQconninfoFree(opts);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
}

/* libpq's notice receiver: the server's NOTICE and WARNING messages, to the trace. */
static void notice_to_trace(void *arg, const PGresult *res)
{
	const pg_store *st = arg;
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	char text[512];

	if (!pcrm__trace_start(&st->base, PCRM_TRACE_NOTICE))
		return;
	snprintf(text, sizeof(text), "%s: %s", severity ? severity : "NOTICE", msg ? msg : "");
	pcrm__trace_emit(&st->base, PCRM_TRACE_NOTICE, text, 0, 0, PCRM_OK);
}

static int connect_now(pg_store *st)
{
	/* Prepared statements die with their session. */
	forget_prepared(st);
	if (st->conn)
		PQfinish(st->conn);
	st->conn = PQconnectdb(st->conninfo);
	if (!st->conn)
		return pcrm__error_oom();
	if (PQstatus(st->conn) != CONNECTION_OK) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(st->conn));
		scrub(msg, sizeof(msg), st->conninfo);
		st->broken = 1;
		return pcrm__error(PCRM_ECONNECTION, "cannot connect to PostgreSQL: %s", msg);
	}
	st->broken = 0;
	/* Notices and warnings go to the trace callback, never to stderr (a library prints nothing). */
	PQsetNoticeReceiver(st->conn, notice_to_trace, st);
	return PCRM_OK;
}

static int pg_reconnect(pcrm_store *base)
{
	return connect_now((pg_store *)base);
}

static int pg_is_broken(pcrm_store *base)
{
	pg_store *st = (pg_store *)base;
	return st->broken || PQstatus(st->conn) != CONNECTION_OK;
}

static void pg_close(pcrm_store *base)
{
	pg_store *st = (pg_store *)base;
	forget_prepared(st);
	PQfinish(st->conn);
	free(st->conninfo);
	free(st);
}

static const struct pcrm_store_driver pg_driver = {
	"postgresql", PCRM_STORE_POSTGRES,
	pg_exec, pg_query, pg_exec_script,
	pg_bulk_begin, pg_bulk_row, pg_bulk_end,
	pg_pipeline,
	pg_reconnect, pg_is_broken, pg_close
};

/*
 * Options whose values libpq checks only when it connects, where a bad one
 * would read as a lost connection (PCRM_ECONNECTION): checked here as bad
 * input (as are the integer options below).  Values as in libpq 15's
 * documentation.
 */
static const struct {
	const char *keyword;
	const char *const values[7];
} enumerated[] = {
	{ "sslmode", { "disable", "allow", "prefer", "require", "verify-ca", "verify-full", NULL } },
	{ "gssencmode", { "disable", "prefer", "require", NULL } },
	{ "channel_binding", { "disable", "prefer", "require", NULL } },
	{ "target_session_attrs",
	  { "any", "read-write", "read-only", "primary", "standby", "prefer-standby", NULL } },
};

static const char *const integer_options[] = {
	"port", "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
	"keepalives_count", "tcp_user_timeout", NULL
};

/* Digits with an optional sign, as libpq reads them; "port" may list one per host. */
static int is_integer_list(const char *v, int list)
{
	while (*v) {
		size_t n;
		v += strspn(v, " ");
		v += *v == '-' || *v == '+';
		n = strspn(v, "0123456789");
		v += n;
		v += strspn(v, " ");
		if ((n == 0 && !list) || (*v && !(list && *v == ',')))
			return 0;
		v += *v == ',';
	}
	return 1;
}

static int check_option(const PQconninfoOption *o)
{
	char q[PCRM_QUOTE_SIZE], list[128] = "";

	for (const char *const *k = integer_options; o->val && *k; k++)
		if (strcmp(o->keyword, *k) == 0 && !is_integer_list(o->val, k == integer_options)) {
			pcrm__quote(o->val, strlen(o->val), q, sizeof(q));
			return pcrm__error(PCRM_EINVAL, "uri: %s \"%s\" is not %s", o->keyword, q,
			                   k == integer_options ? "a port number" : "an integer");
		}

	for (size_t i = 0; i < sizeof(enumerated) / sizeof(enumerated[0]); i++) {
		if (strcmp(o->keyword, enumerated[i].keyword) != 0 || !o->val)
			continue;
		for (const char *const *v = enumerated[i].values; *v; v++) {
			if (strcmp(*v, o->val) == 0)
				return PCRM_OK;
			strcat(list, v == enumerated[i].values ? "" : ", ");
			strcat(list, *v);
		}
		pcrm__quote(o->val, strlen(o->val), q, sizeof(q));
		return pcrm__error(PCRM_EINVAL, "uri: %s \"%s\" is not one of %s", o->keyword, q,
		                   list);
	}
	return PCRM_OK;
}

int pcrm__postgres_open(pcrm_store **out, const char *conninfo)
{
	pg_store *st;
	char *err = NULL;
	PQconninfoOption *parsed = PQconninfoParse(conninfo, &err);
	int rc = PCRM_OK;

	/* Parse first so a malformed URI is reported as bad input, not as a failed connection. */
	if (!parsed) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", err ? err : "out of memory");
		scrub(msg, sizeof(msg), conninfo);
		PQfreemem(err);
		return pcrm__error(PCRM_EINVAL, "uri: not a valid PostgreSQL conninfo: %s", msg);
	}
	for (PQconninfoOption *o = parsed; rc == PCRM_OK && o->keyword; o++)
		rc = check_option(o);
	PQconninfoFree(parsed);
	if (rc != PCRM_OK)
		return rc;
	st = calloc(1, sizeof(*st));
	if (!st)
		return pcrm__error_oom();
	st->base.driver = &pg_driver;
	st->conninfo = strdup(conninfo);
	if (!st->conninfo) {
		free(st);
		return pcrm__error_oom();
	}
	rc = connect_now(st);
	if (rc != PCRM_OK) {
		pg_close(&st->base);
		return rc;
	}
	*out = &st->base;
	return PCRM_OK;
}
