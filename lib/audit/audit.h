/* Internal: how library modules append audit entries. */
#ifndef PCRM_AUDIT_AUDIT_H
#define PCRM_AUDIT_AUDIT_H

#include <jansson.h>

#include <powercrm/audit.h>

/**
 * Appends an entry in the current transaction (opens a nested one itself, so
 * it is atomic with whatever the caller's transaction holds).  `summary` is
 * borrowed (may be NULL for {}).  The actor must already be validated.
 */
int pcrm__audit_append(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                       const char *object_type, const char *object_id, const json_t *summary);

/**
 * pcrm__audit_append() without a savepoint of its own, for callers inside a
 * transaction they roll back as a whole when this fails (saves two
 * statements per entry).
 */
int pcrm__audit_append_in_tx(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                             const char *object_type, const char *object_id,
                             const json_t *summary);

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
