/* Internal: how library modules append audit entries. */
#ifndef PCRM_AUDIT_AUDIT_H
#define PCRM_AUDIT_AUDIT_H

#include <jansson.h>

#include <powercrm/audit.h>

#include "core/crypto.h"
#include "store/store.h"

/** Longest `covers` value: "[<revision>/]<bound>:<hex>[+<hex>]", hex a SHA-256 (cover.c). */
#define PCRM__AUDIT_COVERS_MAX (3 + 21 + 1 + PCRM_SHA256_HEX_LEN + 1 + PCRM_SHA256_HEX_LEN + 1)
/** Most columns of a covered row (lib/audit/cover.c). */
#define PCRM__AUDIT_COVER_COLUMNS_MAX 32

/**
 * The action of a batched timer tick's entry (lib/workflow), whose items
 * verification checks (pcrm__audit_check_tick(), cover_workorder.c).
 */
#define PCRM__AUDIT_TICK "workorder.tick"

/** Columns of a tick's history entry and work-order row its digests take (cover_workorder.c). */
#define PCRM__AUDIT_TICK_HISTORY_COLUMNS 12
#define PCRM__AUDIT_TICK_ROW_COLUMNS 5

/**
 * A digest a tick's entry lists (cover_workorder.c), of n values as written:
 * a history entry it wrote (PCRM__AUDIT_TICK_HISTORY_COLUMNS: work order,
 * seq, at, kind, operator, role, unit, event, from, to, note, delta) or a
 * work order's row as the batch left it (PCRM__AUDIT_TICK_ROW_COLUMNS:
 * updated_at, due_at, overdue, version, steps).  Verification recomputes it
 * from the store.
 */
int pcrm__audit_tick_digest(const pcrm_sql_value *values, int n,
                            char out[PCRM_SHA256_HEX_LEN + 1]);

/**
 * Appends an entry in the current transaction (opens a nested one itself, so
 * it is atomic with whatever the caller's transaction holds).  `summary` is
 * borrowed (may be NULL for {}).  The actor must already be validated.
 */
int pcrm__audit_append(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                       const char *object_type, const char *object_id, const json_t *summary);

/**
 * pcrm__audit_append() (covers NULL) or pcrm__audit_append_covered() with
 * the summary given as its stored text, for a caller that writes a large
 * summary itself (a batch posting's entry lists thousands of ledger
 * entries): it must be the text json_dumps() writes with JSON_COMPACT |
 * JSON_SORT_KEYS, which the caller's tests prove.
 */
int pcrm__audit_append_text(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                            const char *object_type, const char *object_id,
                            const char *summary_text, const char *covers);
/**
 * pcrm__audit_append() without a savepoint of its own, for callers inside a
 * transaction they roll back as a whole when this fails (saves two
 * statements per entry).
 */
int pcrm__audit_append_in_tx(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                             const char *object_type, const char *object_id,
                             const json_t *summary);

/**
 * pcrm__audit_append() with the entry's after-image digest given (`covers`,
 * from pcrm__audit_cover_rows_finish()) instead of read back from the store.
 */
int pcrm__audit_append_covered(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                               const char *object_type, const char *object_id,
                               const json_t *summary, const char *covers);

/**
 * The after-image digest of rows taken while writing them (lib/audit/cover.c),
 * for a writer that knows every covered column of the rows it writes: it
 * equals what pcrm__audit_cover() would compute from the stored rows, so the
 * writer need not read them back.  Only object types whose rows are ordered
 * by a unique first column qualify ("bill_batch"; "customer", "contact" and
 * "call_record_row", one row a digest, for a bulk import and the call-record
 * sink); others are refused.
 */
typedef struct pcrm__audit_cover_rows pcrm__audit_cover_rows;

int pcrm__audit_cover_rows_new(const char *object_type, pcrm__audit_cover_rows **out);

/**
 * Adds one row: `values` are the covered columns in the order of the type's
 * query in cover.c, as bound for writing (integers, text, NULL text).
 */
int pcrm__audit_cover_rows_add(pcrm__audit_cover_rows *c, const pcrm_sql_value *const *values);

/**
 * The digest as `covers` ("0:<hex>"), "" when no row was added.  The rows are
 * then forgotten: the same object digests the next batch (its buffer kept).
 */
int pcrm__audit_cover_rows_finish(pcrm__audit_cover_rows *c, char out[PCRM__AUDIT_COVERS_MAX]);

/** Forgets the rows added so far (a batch written again after a failed attempt). */
int pcrm__audit_cover_rows_reset(pcrm__audit_cover_rows *c);

void pcrm__audit_cover_rows_free(pcrm__audit_cover_rows *c);

/**
 * Records that `actor` was refused `permission` on an object (an audit entry
 * "permission.denied") and returns PCRM_EPERM with `reason` as the message.
 * Call it before opening the operation's own transaction: outside a
 * caller's transaction the entry commits at once; inside one it shares that
 * transaction's fate (one connection cannot commit half of a transaction).
 */
int pcrm__audit_deny(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                     const char *object_type, const char *object_id, const char *reason);

#endif
