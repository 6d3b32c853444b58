/*
 * The world the crash, PostgreSQL-stop and concurrency tests work on: a
 * store of its own (a SQLite file, or a fresh database on the test server),
 * a small archive of homes with three months of readings, the four jobs the
 * tests interrupt, and the checks run after every interruption.
 *
 * Jobs are numbered instances, each new work on the same store, so one store
 * lives through several crashes:
 *
 *   JOB_BILLING   instance i bills month 2026-0(6+i) of org 3701 with
 *                 "post": true in batches of 4 accounts
 *   JOB_PAYMENTS  instance i posts 24 counter payments "S<i>-<k>", one
 *                 transaction each, round the homes' accounts
 *   JOB_IMPORT    instance i imports a JSON Lines file of 20 new customers
 *                 "I<i>-<kk>" in batches of 4 lines
 *   JOB_BANK      instance i posts ICBC's statement of 2026-11-(19+i), 16
 *                 lines, with pcrm_bank_reconcile(POST_MISSING)
 *
 * Running an instance again after it finished (or was interrupted) must
 * finish it without doubling anything: that is what the tests check.
 */
#ifndef PCRM_TEST_CRASH_WORLD_H
#define PCRM_TEST_CRASH_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include <powercrm.h>

enum crash_job { JOB_BILLING, JOB_PAYMENTS, JOB_IMPORT, JOB_BANK };

#define WORLD_HOMES 16
#define WORLD_MONTHS 3

struct world {
	char uri[4096];
	char path[96]; /* the SQLite file; empty on PostgreSQL */
	char dir[64];  /* a directory of its own for import files */
	pcrm_time now; /* the clock every context of this world reads */
};

/** The name of a job, for messages. */
const char *crash_job_name(enum crash_job job);

/**
 * A new, empty store: a SQLite file when `pg` is 0, otherwise a database on
 * the throwaway PostgreSQL server (asserting one exists under CI=true; on a
 * machine without PostgreSQL the test is skipped).
 */
void world_create(struct world *w, int pg);

/**
 * Removes the SQLite file (and -wal, -shm) or drops the PostgreSQL database
 * (pgtmp drops the one made last: remove a world before creating the next),
 * and the import directory.
 */
void world_remove(struct world *w);

/** A context on the world's store and clock, or NULL (pcrm_error_last() says why). */
pcrm_ctx *world_open(struct world *w);

/** The org tree, the tariff and WORLD_HOMES homes with their readings (asserts). */
void world_setup(struct world *w);

/** Runs one instance of a job to its end on `ctx`; returns the library's status. */
int world_run_job(pcrm_ctx *ctx, struct world *w, enum crash_job job, int instance);

/** What a run of a job instance said it did with its items. */
struct job_report {
	int64_t written; /* bills billed, payments posted, customers imported, lines posted */
	int64_t already; /* items it found stored before and skipped (replays, "matched", ...) */
};

/** world_run_job(), also filling `report` from the library's own summary of the run. */
int world_run_job_report(pcrm_ctx *ctx, struct world *w, enum crash_job job, int instance,
                         struct job_report *report);

/**
 * Asserts what must hold at any moment, even right after a crash: every
 * ledger's balance is the sum of its entries (and each entry's balance the
 * running sum), the summary agrees, and the audit chain verifies.
 */
void world_check_consistent(pcrm_ctx *ctx, const char *when);

/** The items of one instance of a job: bills (one per home), payments, customers, lines. */
int world_job_items(enum crash_job job);

/**
 * How many times item k (1..world_job_items()) of a job instance is stored.
 * A bill counts when it is current; it must then be posted and in its
 * ledger once (asserted, with `when` in the message).
 */
int world_item_stored(pcrm_ctx *ctx, enum crash_job job, int instance, int k, const char *when);

/** Asserts that every item of a finished job instance is stored exactly once. */
void world_check_exactly_once(pcrm_ctx *ctx, enum crash_job job, int instance, const char *when);

/**
 * The business state as text: every home's bills and ledger entries and the
 * customer export.  Two stores that did the same work in the same order must
 * give the same text, however often their jobs were interrupted.  With
 * `in_order` 0 the text leaves out what depends on the order of work that
 * ran concurrently (entry numbers, running balances and credit) and adds each
 * account's final standing instead, its lines sorted.  free() it.
 */
char *world_state(pcrm_ctx *ctx, int in_order);

/** The world's world_state(ctx, 1) from a context of its own; then the world is removed. */
char *world_take_state(struct world *w);

/** Asserts a == b, naming the first line that differs. */
void world_assert_same_state(const char *a, const char *b, const char *what);

#endif
