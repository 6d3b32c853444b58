/*
 * Shared by the fuzz targets of store-backed parsers (imports, specs, documents
 * that only a store call reads): one in-memory SQLite store, opened on the
 * first input and kept for the whole run, holding a small world to act on;
 * each input runs inside a transaction that is rolled back afterwards, so
 * every input meets the same world.  Also the invariant helpers all of
 * these targets share.
 */
#ifndef PCRM_FUZZ_WORLD_H
#define PCRM_FUZZ_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include <powercrm.h>

/* The world: org units 37 > 3701, 3702; customer C1 (residential, 3701) with account A1,
 * metering point P1 and meter M1 read 100 kWh in October 2026; tariff "fz-res" for
 * residential, October billed (bill A1-202610, not posted); workflow "fz" (accepted -> handled -> closed) with one open work order. */
#define FUZZ_CUSTOMER "C1"
#define FUZZ_ACCOUNT "A1"
#define FUZZ_POINT "P1"
#define FUZZ_PERIOD "2026-10"

/* Root administrator of province 37: every permission, so a refusal is about the input. */
extern const pcrm_actor fuzz_admin;

/* The context, set up on the first call (aborts when the world cannot be built). */
pcrm_ctx *fuzz_world(void);

/* The id of the open work order. */
const char *fuzz_workorder_id(void);

/* Row counts of every table an input could write to, and the audit entries
 * other than permission denials (a refusal may record its denial). */
enum fuzz_table {
	FUZZ_CUSTOMER_ROWS, FUZZ_PHONE_ROWS, FUZZ_ACCOUNT_ROWS, FUZZ_POINT_ROWS,
	FUZZ_INSTALLATION_ROWS, FUZZ_READING_ROWS, FUZZ_CONTACT_ROWS, FUZZ_BILL_ROWS,
	FUZZ_LEDGER_ACCOUNT_ROWS, FUZZ_LEDGER_ENTRY_ROWS, FUZZ_LEDGER_PAYMENT_ROWS,
	FUZZ_TARIFF_ROWS, FUZZ_WORKFLOW_ROWS, FUZZ_WORKORDER_ROWS, FUZZ_WORKORDER_HISTORY_ROWS,
	FUZZ_AUDIT_ROWS,
	FUZZ_TABLES
};
typedef struct fuzz_counts {
	int64_t n[FUZZ_TABLES];
} fuzz_counts;

void fuzz_count(fuzz_counts *out);

/* Aborts naming the first table whose row count differs. */
void fuzz_require_unchanged(const fuzz_counts *before, const char *call);

/* A failed call: a negative status and a message saying why. */
void fuzz_require_refusal(int rc, const char *call);

/* Begins the per-input transaction / rolls it back (aborting when either fails). */
void fuzz_begin(void);
void fuzz_rollback(void);

/* The input as a NUL-terminated string (free with free()): a C caller's string ends at
 * the first NUL byte, so that is what the call sees. */
char *fuzz_text(const uint8_t *data, size_t size);

/* Aborts with the failed condition, its line and the last error message. */
#define fuzz_require(cond) ((cond) ? (void)0 : fuzz_broken(__FILE__, __LINE__, #cond))
void fuzz_broken(const char *file, int line, const char *what);

#endif
