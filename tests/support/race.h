/*
 * Two processes at once: a forked child with connections of its own racing
 * the test's process on the same store.  SQLite in memory is private to its
 * connection, so a race on SQLite runs on a temporary file
 * (pcrm_test_race_store).
 */
#ifndef PCRM_TEST_RACE_H
#define PCRM_TEST_RACE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"

/* A context of its own on t's store and clock, as a second process would open it. */
static inline int open_another(pcrm_test_store *t, pcrm_ctx **ctx)
{
	pcrm_ctx_options opts;
	pcrm_test_options(t, &opts);
	return pcrm_ctx_open(ctx, t->uri, &opts);
}

/*
 * Runs here(t) in this process and, at the same time, there(t) in a forked
 * child (each opens its connections from t->uri); *mine and *theirs receive
 * the two results.
 */
static inline void race_pair(pcrm_test_store *t, int (*here)(pcrm_test_store *),
                             int (*there)(pcrm_test_store *), int *mine, int *theirs)
{
	int fds[2], status = 0;
	pid_t child;

	*theirs = -100;
	cr_assert_eq(pipe(fds), 0);
	child = fork();
	cr_assert(child >= 0);
	if (child == 0) {
		int n = there(t);
		close(fds[0]);
		if (write(fds[1], &n, sizeof(n)) != (ssize_t)sizeof(n))
			_exit(2);
		_exit(0); /* never run the parent's exit handlers or touch its connections */
	}
	close(fds[1]);
	*mine = here(t);
	cr_assert_eq(read(fds[0], theirs, sizeof(*theirs)), (ssize_t)sizeof(*theirs));
	close(fds[0]);
	cr_assert_eq(waitpid(child, &status, 0), child);
}

/* The same function racing itself. */
static inline void race_two(pcrm_test_store *t, int (*fn)(pcrm_test_store *), int *mine,
                            int *theirs)
{
	race_pair(t, fn, fn, mine, theirs);
}

/* A store two processes can share: t itself, or on SQLite a fresh file. */
struct pcrm_test_race_store {
	pcrm_test_store file;
	char path[64], uri[96];
};

/* The store to race on: t (PostgreSQL), or r->file, a migrated SQLite file on t's clock. */
static inline pcrm_test_store *pcrm_test_race_store(pcrm_test_store *t,
                                                    struct pcrm_test_race_store *r)
{
	pcrm_ctx_options opts;
	int fd;

	memset(r, 0, sizeof(*r));
	if (strcmp(pcrm_ctx_backend(t->ctx), "sqlite") != 0)
		return t;
	r->file = *t;
	snprintf(r->path, sizeof(r->path), "/tmp/pcrm-race-XXXXXX");
	fd = mkstemp(r->path);
	cr_assert(fd >= 0);
	close(fd);
	snprintf(r->uri, sizeof(r->uri), "sqlite:%s", r->path);
	pcrm_test_options(&r->file, &opts);
	cr_assert_eq(pcrm_ctx_open(&r->file.ctx, r->uri, &opts), PCRM_OK, "%s", pcrm_error_last());
	r->file.uri = r->uri;
	return &r->file;
}

/* Closes and removes the SQLite file (and its -wal and -shm), if there is one. */
static inline void pcrm_test_race_store_remove(struct pcrm_test_race_store *r)
{
	char side[96];
	if (!*r->path)
		return;
	pcrm_ctx_close(r->file.ctx);
	unlink(r->path);
	snprintf(side, sizeof(side), "%s-wal", r->path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", r->path);
	unlink(side);
}

#endif
