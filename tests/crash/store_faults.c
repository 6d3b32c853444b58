/*
 * Counting and fault injection at the store's client calls (store_faults.h).
 *
 * RTLD_NEXT is a GNU extension of dlsym(); the build's _POSIX_C_SOURCE hides it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "store_faults.h"

static struct {
	int64_t calls;
	int64_t at;       /* 0: nothing armed */
	store_fault_fn fn; /* NULL: SIGKILL */
	void *userdata;
	int fired;
} faults;

void store_faults_reset(void)
{
	faults.calls = 0;
	faults.at = 0;
	faults.fn = NULL;
	faults.userdata = NULL;
	faults.fired = 0;
}

int64_t store_faults_calls(void)
{
	return faults.calls;
}

void store_faults_kill_at(int64_t n)
{
	store_faults_arm(n, NULL, NULL);
}

void store_faults_arm(int64_t n, store_fault_fn fn, void *userdata)
{
	faults.at = n;
	faults.fn = fn;
	faults.userdata = userdata;
	faults.fired = 0;
}

int store_faults_fired(void)
{
	return faults.fired;
}

/* Every intercepted call passes here before the real one. */
static void fault_point(void *pgconn)
{
	faults.calls++;
	if (faults.at <= 0 || faults.calls < faults.at)
		return;
	if (!faults.fn) {
		/* kill -9: no exit handlers, no rollback, no flush; whatever the store holds stays */
		raise(SIGKILL);
		_exit(99); /* not reached */
	}
	if (faults.fn(pgconn, faults.userdata)) {
		faults.at = 0;
		faults.fired = 1;
	}
}

/* The next definition of `name` after ours: the library's own. */
static void *real_function(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);
	if (!f) {
		fprintf(stderr, "store_faults: no %s after the test's own\n", name);
		abort();
	}
	return f;
}

/* Declares real_, the real `fn`, looked up once (memcpy: ISO C has no object-to-function cast). */
#define REAL(fn)                                          \
	static __typeof__(&fn) real_;                     \
	if (!real_) {                                     \
		void *found_ = real_function(#fn);        \
		memcpy(&real_, &found_, sizeof(found_));  \
	}

/* ---- SQLite ---- */

int sqlite3_step(sqlite3_stmt *stmt)
{
	REAL(sqlite3_step);
	fault_point(NULL);
	return real_(stmt);
}

int sqlite3_exec(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **), void *arg,
                 char **errmsg)
{
	REAL(sqlite3_exec);
	fault_point(NULL);
	return real_(db, sql, cb, arg, errmsg);
}

/* ---- libpq ---- */

PGresult *PQexec(PGconn *conn, const char *query)
{
	REAL(PQexec);
	fault_point(conn);
	return real_(conn, query);
}

PGresult *PQexecParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                       const char *const *paramValues, const int *paramLengths,
                       const int *paramFormats, int resultFormat)
{
	REAL(PQexecParams);
	fault_point(conn);
	return real_(conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats,
	             resultFormat);
}

PGresult *PQexecPrepared(PGconn *conn, const char *stmtName, int nParams,
                         const char *const *paramValues, const int *paramLengths,
                         const int *paramFormats, int resultFormat)
{
	REAL(PQexecPrepared);
	fault_point(conn);
	return real_(conn, stmtName, nParams, paramValues, paramLengths, paramFormats,
	             resultFormat);
}

PGresult *PQprepare(PGconn *conn, const char *stmtName, const char *query, int nParams,
                    const Oid *paramTypes)
{
	REAL(PQprepare);
	fault_point(conn);
	return real_(conn, stmtName, query, nParams, paramTypes);
}

int PQsendQueryParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                      const char *const *paramValues, const int *paramLengths,
                      const int *paramFormats, int resultFormat)
{
	REAL(PQsendQueryParams);
	fault_point(conn);
	return real_(conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats,
	             resultFormat);
}

int PQsendQueryPrepared(PGconn *conn, const char *stmtName, int nParams,
                        const char *const *paramValues, const int *paramLengths,
                        const int *paramFormats, int resultFormat)
{
	REAL(PQsendQueryPrepared);
	fault_point(conn);
	return real_(conn, stmtName, nParams, paramValues, paramLengths, paramFormats,
	             resultFormat);
}

int PQpipelineSync(PGconn *conn)
{
	REAL(PQpipelineSync);
	fault_point(conn);
	return real_(conn);
}

PGresult *PQgetResult(PGconn *conn)
{
	REAL(PQgetResult);
	fault_point(conn);
	return real_(conn);
}

int PQputCopyData(PGconn *conn, const char *buffer, int nbytes)
{
	REAL(PQputCopyData);
	fault_point(conn);
	return real_(conn, buffer, nbytes);
}

int PQputCopyEnd(PGconn *conn, const char *errormsg)
{
	REAL(PQputCopyEnd);
	fault_point(conn);
	return real_(conn, errormsg);
}

/* ---- seeds ---- */

uint64_t store_faults_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int64_t store_faults_pick(uint64_t *state, int64_t n)
{
	return n <= 1 ? 1 : 1 + (int64_t)(store_faults_next(state) % (uint64_t)n);
}

uint64_t store_faults_seed(void)
{
	const char *env = getenv("PCRM_CRASH_SEED");
	struct timespec ts;

	if (env && *env)
		return strtoull(env, NULL, 10);
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000003u) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
}
