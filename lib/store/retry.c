/*
 * Running a transaction the library owns again when the store asks for it.
 *
 * PostgreSQL aborts one of two transactions that wait for each other
 * (deadlock, 40P01) or that it cannot serialise (40001); SQLite gives up
 * waiting for the write lock after its busy timeout.  Both come back as
 * PCRM_ERETRY, and both leave nothing written: the transaction was rolled
 * back.  When the library opened the outermost transaction itself, it can
 * run the same work again and the caller never sees the retry; inside a
 * caller's transaction only the caller can (the statements before the call
 * are gone with the rollback), so PCRM_ERETRY goes back to it unchanged.
 */
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "store.h"

/* Attempts in all; a deadlock between two workers resolves in one retry almost always. */
#define ATTEMPTS 8

/*
 * A few milliseconds, growing with each attempt and jittered, so that two
 * transactions that met once do not meet again in lockstep.
 */
static void pause_before(int attempt, unsigned *seed)
{
	struct timespec ts;
	*seed = *seed * 1103515245u + 12345u;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(1 + attempt * 2 + (int)((*seed >> 16) % 5u)) * 1000000L;
	nanosleep(&ts, NULL);
}

int pcrm__store_transaction(pcrm_store *st, int (*body)(void *arg), void *arg)
{
	int outermost = st->tx_depth == 0;
	unsigned seed = (unsigned)getpid() ^ (unsigned)(uintptr_t)arg;
	int rc = PCRM_ERETRY;

	for (int attempt = 0; attempt < ATTEMPTS && rc == PCRM_ERETRY; attempt++) {
		if (attempt > 0) {
			pcrm__trace_emit(st, PCRM_TRACE_RETRY, pcrm_error_last(), 0, attempt + 1, rc);
			pause_before(attempt, &seed);
		}
		rc = pcrm__store_begin(st);
		if (rc == PCRM_OK)
			rc = pcrm__store_finish(st, body(arg));
		if (!outermost)
			break;
	}
	return rc;
}
