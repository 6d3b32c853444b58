/* Internal to lib/audit: what its files share. */
#ifndef PCRM_AUDIT_INTERNAL_H
#define PCRM_AUDIT_INTERNAL_H

#include <powercrm/audit.h>

#include "audit.h"
#include "core/crypto.h"
#include "core/ctx.h"
#include "store/store.h"

/** The chain of the entries written before schema 21 (hashed as v1). */
#define PCRM__AUDIT_LEGACY_CHAIN "(legacy)"
/** The chain of actors whose org unit does not exist (their refusals are recorded too). */
#define PCRM__AUDIT_NO_UNIT_CHAIN "(none)"
/** Longest chain name: an org unit code (1..32) or one of the two above. */
#define PCRM__AUDIT_CHAIN_MAX 64

/** The entry's hash (v1 for the legacy chain, v2 elsewhere; entry_hash.c). */
int pcrm__audit_entry_hash(pcrm_sha256 *h, const pcrm_audit_entry *e,
                           char out[PCRM_SHA256_HEX_LEN + 1]);

/**
 * The chain an org path belongs to: the city-level code (the path's second
 * component), or the province's own code for a province-level path.
 */
void pcrm__audit_chain_of_path(const char *path, char out[PCRM__AUDIT_CHAIN_MAX]);

/**
 * The after-image digest of an object as it stands now (cover.c): "" when
 * object_type is not covered, else "[<revision>/]<bound>:<hex>" where bound
 * is what the digest was taken up to (the newest row seq of append-only
 * rows, 0 for a single row) and revision (absent: 1) what the type's digest
 * covered when it was taken.
 */
int pcrm__audit_cover(pcrm_ctx *ctx, const char *object_type, const char *object_id,
                      char out[PCRM__AUDIT_COVERS_MAX]);

/**
 * pcrm__audit_cover() with a given revision of the type's digest (0: the
 * newest, which new entries take); "" when the type has no such revision.
 */
int pcrm__audit_cover_revision(pcrm_ctx *ctx, const char *object_type, const char *object_id,
                               int revision, char out[PCRM__AUDIT_COVERS_MAX]);

/**
 * Recomputes a digest recorded as `covers` over the rows as they stand now,
 * up to the recorded bound and with its recorded revision: *same = 1 when
 * they still match.
 */
int pcrm__audit_cover_check(pcrm_ctx *ctx, const char *object_type, const char *object_id,
                            const char *covers, int *same);

/**
 * Feeds one column's text to a digest as every covered row encodes it
 * (cover.c): "<length>:<text>\n", or "-\n" for NULL.
 */
int pcrm__audit_hash_column(pcrm_sha256 *h, const char *value);

/**
 * Hashes one row as the digests do: "row\n", then each column as
 * pcrm__audit_hash_column() feeds it (integers in decimal, as the store
 * renders them).  pcrm__audit_hash_values() takes values[columns[i]] for
 * i in 0..n-1 (values[0..n-1] when `columns` is NULL), as a writer binds
 * them; pcrm__audit_hash_row() columns first..first+n-1 of a stored row.
 */
int pcrm__audit_hash_values(pcrm_sha256 *h, const pcrm_sql_value *values, const int *columns,
                            int n);
int pcrm__audit_hash_row(pcrm_sha256 *h, pcrm_rows *rows, int first, int n);

/**
 * The columns of a customer's row its digest covers, in order (cover.c);
 * a bulk import digests them as it writes them (cover_listed.c).
 */
#define PCRM__AUDIT_CUSTOMER_COLUMNS                                                            \
	"customer_no, org_unit, kind, name, usage_class, voltage_level, status, vip_level, "     \
	"transformer_area, doc, id_masked, id_cipher, id_hash, version"
#define PCRM__AUDIT_CUSTOMER_COLUMN_COUNT 14

/** The columns of a contact its digest covers: all but the sealed ones (cover.c). */
#define PCRM__AUDIT_CONTACT_COLUMNS                                                             \
	"customer_no, id, at, channel, direction, agent, duration_seconds, business_code, "      \
	"work_order_id, recorded_by, recorded_at"
#define PCRM__AUDIT_CONTACT_COLUMN_COUNT 11

/**
 * The columns of a call record its digest covers: every column, in the order
 * the call-record sink writes them (pcrm__call_record_columns).
 */
#define PCRM__AUDIT_CALL_RECORD_COLUMNS                                                         \
	"org_unit, customer_no, call_id, arrived_ms, queue_id, first_queue_id, agent_id, "       \
	"outcome, priority, misses, overflows, short_abandon, answered_ms, ended_ms, "           \
	"wrap_up_end_ms, wait_ms, talk_ms, hold_ms, wrap_up_ms, caller_masked, caller_cipher, "  \
	"caller_hash, contact_id, stored_at, stored_by"
#define PCRM__AUDIT_CALL_RECORD_COLUMN_COUNT 25

/** The columns entry_from_row reads, in order. */
#define PCRM__AUDIT_COLUMNS(a)                                                                  \
	a "seq, " a "at, " a "operator_id, " a "role, " a "actor_org, " a "action, " a            \
	"object_type, " a "object_id, " a "summary, " a "prev_hash, " a "hash, " a "chain, " a \
	"chain_seq, " a "covers"

/** Fills an entry from a row of PCRM__AUDIT_COLUMNS (strings live until the next row). */
void pcrm__audit_entry_from_row(pcrm_rows *rows, pcrm_audit_entry *e);

/** What a reader may see: everything, or one subtree and (for verification) one chain. */
struct pcrm__audit_scope {
	int everything;                     /* the actor's unit is a province */
	char *path;                         /* the actor's subtree (malloc'd) */
	char chain[PCRM__AUDIT_CHAIN_MAX];  /* the chain of the actor's unit */
	int level;                          /* the actor's unit's level, 1..4 */
};

/**
 * Checks `permission` for a reader of the audit log and the actor's unit
 * (refusals audited, an unknown unit refused) and fills *scope (free
 * scope->path).
 */
int pcrm__audit_scope(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_permission permission,
                      struct pcrm__audit_scope *scope);

#endif
