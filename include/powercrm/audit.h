/*
 * libpowercrm - the audit log.
 *
 * Every mutation made through the library appends one audit entry (who,
 * when, what action on which object, and a JSON summary of the change) in
 * the same transaction as the change itself: if the change is rolled back, so
 * is its entry.  Entries are numbered 1, 2, 3, ... and hash-chained with
 * SHA-256: each entry's hash covers the previous entry's hash and all of its
 * own fields, and the store remembers the newest hash.  Editing, deleting,
 * inserting or reordering entries directly in the database is detected by
 * pcrm_audit_verify(), which names the first bad entry.
 */
#ifndef POWERCRM_AUDIT_H
#define POWERCRM_AUDIT_H

#include <powercrm/actor.h>
#include <powercrm/common.h>
#include <powercrm/ctx.h>
#include <powercrm/time.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One entry, as handed to a pcrm_audit_visit_fn.  Strings live during the callback only. */
typedef struct pcrm_audit_entry {
	int64_t seq;             /**< 1, 2, 3, ... without gaps */
	pcrm_time at;            /**< when, from the context's clock */
	const char *operator_id; /**< the actor */
	const char *role;        /**< pcrm_role_name() of the actor's role */
	const char *actor_org;   /**< the actor's org unit */
	const char *action;      /**< e.g. "org_unit.create", "permission.denied" */
	const char *object_type; /**< e.g. "org_unit" */
	const char *object_id;   /**< e.g. the org unit code */
	const char *summary;     /**< compact JSON object with sorted keys */
	const char *prev_hash;   /**< hex SHA-256 of the previous entry (64 zeros for the first) */
	const char *hash;        /**< hex SHA-256 of this entry */
} pcrm_audit_entry;

/** Called once per entry; return nonzero to stop early (that value is then returned). */
typedef int (*pcrm_audit_visit_fn)(const pcrm_audit_entry *entry, void *userdata);

/** Longest summary_json pcrm_audit_record() takes, in bytes. */
#define PCRM_AUDIT_SUMMARY_MAX 4096

/** Longest object_id pcrm_audit_record() takes, in bytes. */
#define PCRM_AUDIT_OBJECT_ID_MAX 128

/**
 * Appends an entry for an operation the integrator performed outside the
 * library (needs PCRM_PERM_AUDIT_WRITE).  `summary_json` must be a JSON
 * object of at most PCRM_AUDIT_SUMMARY_MAX bytes (or NULL for {}).
 * `action` and `object_type` are 1..64 characters without spaces,
 * `object_id` (NULL for none) at most PCRM_AUDIT_OBJECT_ID_MAX bytes.  None
 * of them, nor any key or string of the summary, may hold a control
 * character or an invisible formatting character (bidirectional overrides,
 * zero-width characters: the set of docs/conventions.md, "Text from
 * outside"), which could make a printed report read other than the log:
 * PCRM_EINVAL naming the field.  Runs in the caller's transaction when one
 * is open.
 */
PCRM_EXTERN(int) pcrm_audit_record(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action,
                                   const char *object_type, const char *object_id,
                                   const char *summary_json);

/**
 * Visits entries with seq > after_seq in order, at most `limit` of them
 * (0 = no limit).  Needs PCRM_PERM_AUDIT_READ.
 */
PCRM_EXTERN(int) pcrm_audit_list(pcrm_ctx *ctx, const pcrm_actor *actor, int64_t after_seq,
                                 int64_t limit, pcrm_audit_visit_fn visit, void *userdata);

/**
 * Checks the whole chain.  PCRM_OK when intact (*checked, if not NULL,
 * receives the number of entries); PCRM_EINTEGRITY when not, with
 * *first_bad (if not NULL) set to the seq of the first entry that fails and
 * pcrm_error_last() saying how ("entry 7: hash does not match its
 * contents").  Needs PCRM_PERM_AUDIT_READ.
 */
PCRM_EXTERN(int) pcrm_audit_verify(pcrm_ctx *ctx, const pcrm_actor *actor, int64_t *checked,
                                   int64_t *first_bad);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_AUDIT_H */
