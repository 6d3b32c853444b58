/*
 * libpowercrm - the audit log.
 *
 * Every mutation made through the library appends one audit entry (who,
 * when, what action on which object, and a JSON summary of the change) in
 * the same transaction as the change itself: if the change is rolled back, so
 * is its entry.  Entries are hash-chained with SHA-256, one chain per city
 * (the city-level ancestor of the actor's org unit; a province's own staff
 * have their province's chain), so writers in different cities never wait
 * for each other: each entry's hash covers the previous entry of its chain
 * and all of its own fields, and each chain's head is remembered.  An entry
 * about a covered object (customers, bills, account ledgers, work orders,
 * complaint tickets, ...: docs/security.md) also commits to a digest of the
 * object's rows after the change.  pcrm_audit_verify() detects entries edited, deleted, inserted or
 * reordered directly in the database and covered rows changed outside the
 * library; checked against a signed checkpoint kept outside the database
 * (pcrm_audit_checkpoint()), it also detects truncation and chains
 * rewritten with every hash recomputed.
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
	int64_t seq;             /**< the log's order across chains (ascending, may have gaps) */
	pcrm_time at;            /**< when, from the context's clock */
	const char *operator_id; /**< the actor */
	const char *role;        /**< pcrm_role_name() of the actor's role */
	const char *actor_org;   /**< the actor's org unit */
	const char *action;      /**< e.g. "org_unit.create", "permission.denied" */
	const char *object_type; /**< e.g. "org_unit" */
	const char *object_id;   /**< e.g. the org unit code */
	const char *summary;     /**< compact JSON object with sorted keys */
	const char *prev_hash;   /**< hex SHA-256 of the previous entry of its chain (64 zeros for the first) */
	const char *hash;        /**< hex SHA-256 of this entry */
	const char *chain;       /**< its chain: a city's code, a province's, "(none)" or "(legacy)" */
	int64_t chain_seq;       /**< 1, 2, 3, ... without gaps within the chain */
	const char *covers;      /**< after-image digest of the object, "[<revision>/]<bound>:<hex>" ("" when its type is not covered) */
} pcrm_audit_entry;

/** Called once per entry; return nonzero to stop early (that value is then returned). */
typedef int (*pcrm_audit_visit_fn)(const pcrm_audit_entry *entry, void *userdata);

/** Longest summary_json pcrm_audit_record() takes, in bytes. */
#define PCRM_AUDIT_SUMMARY_MAX 4096

/** Longest object_id pcrm_audit_record() takes, in bytes. */
#define PCRM_AUDIT_OBJECT_ID_MAX 128

/**
 * Appends an entry for an operation the integrator performed outside the
 * library.  Needs PCRM_PERM_AUDIT_WRITE (the system role, admins from level
 * 2) and an actor whose org unit exists: PCRM_EPERM otherwise, recorded as
 * "permission.denied".  `summary_json` must be a JSON
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
 * Visits entries with seq > after_seq in seq order, at most `limit` of them
 * (0 = no limit).  Needs PCRM_PERM_AUDIT_READ and an actor whose org unit
 * exists.  A province-level reader sees every entry; any other reader the
 * entries made by actors of units in its subtree.  On PostgreSQL seq comes
 * from a sequence, so an entry may commit after one with a higher seq: page
 * with after_seq a little behind the last seen when following a busy log.
 */
PCRM_EXTERN(int) pcrm_audit_list(pcrm_ctx *ctx, const pcrm_actor *actor, int64_t after_seq,
                                 int64_t limit, pcrm_audit_visit_fn visit, void *userdata);

/**
 * Checks the chains in the actor's scope: a province-level reader's every
 * chain, a city-level reader's its city's (verification reads whole chains,
 * so readers below a city are refused with PCRM_EPERM).  Needs
 * PCRM_PERM_AUDIT_READ.  Then checks every covered object whose newest
 * entry lies in those chains against the after-image that entry recorded.
 * PCRM_OK when intact (*checked, if not NULL, receives the number of
 * entries); PCRM_EINTEGRITY when not, with *first_bad (if not NULL) set to
 * the chain_seq of the first entry that fails and pcrm_error_last() naming
 * the chain and how ("audit chain 3701: entry 7: hash does not match its
 * contents (edited)").  Cannot see the newest entries deleted with their
 * chain's head moved back, nor a chain rewritten with every hash
 * recomputed: pcrm_audit_verify_checkpoint() can.
 */
PCRM_EXTERN(int) pcrm_audit_verify(pcrm_ctx *ctx, const pcrm_actor *actor, int64_t *checked,
                                   int64_t *first_bad);

/**
 * pcrm_audit_verify() reporting to `progress` (may be NULL) the number of
 * entries checked so far, after every page of entries read (5,000); when it
 * returns nonzero, verification stops with PCRM_ESTATE (nothing was
 * written: verification only reads).
 */
PCRM_EXTERN(int) pcrm_audit_verify_ext(pcrm_ctx *ctx, const pcrm_actor *actor,
                                       pcrm_progress_fn progress, void *userdata,
                                       int64_t *checked, int64_t *first_bad);

/**
 * Makes a signed checkpoint of every chain's head, for the integrator to
 * keep outside the database.  `private_key_pem` is an Ed25519 private key in
 * PEM (PKCS#8, as `openssl genpkey -algorithm ed25519` writes it); the
 * library uses it for this call only and never stores it.  The log is
 * verified up to the heads first: PCRM_EINTEGRITY (as pcrm_audit_verify())
 * and no checkpoint when it does not verify.  *out receives the checkpoint
 * text (lines "powercrm-audit-checkpoint-v1", "at <time>", one "chain <name>
 * <seq> <hash>" per chain, "signature <hex>"); free it with pcrm_free.
 * Needs PCRM_PERM_AUDIT_READ at province level.  PCRM_EINVAL naming
 * private_key_pem when it is not an Ed25519 private key.
 */
PCRM_EXTERN(int) pcrm_audit_checkpoint(pcrm_ctx *ctx, const pcrm_actor *actor,
                                       const char *private_key_pem, char **out);

/**
 * Verifies the log against a checkpoint made by pcrm_audit_checkpoint():
 * the signature with `public_key_pem` (the Ed25519 public key in PEM),
 * then every chain as pcrm_audit_verify() does, and in addition that every
 * signed chain still reaches its signed entry and that this entry still
 * carries the signed hash.  Detects deleting entries back past the
 * checkpoint (head moved back too) and rewriting a chain before it even
 * with every later hash recomputed.  Entries newer than the checkpoint are
 * checked by their chains only: keep checkpoints frequent.  PCRM_EINVAL
 * naming the line of a malformed checkpoint or the key; PCRM_EINTEGRITY for
 * a signature that does not verify (another key, an altered checkpoint) or
 * a log that does not match, with *checked and *first_bad as for
 * pcrm_audit_verify().  Needs PCRM_PERM_AUDIT_READ at province level.
 */
PCRM_EXTERN(int) pcrm_audit_verify_checkpoint(pcrm_ctx *ctx, const pcrm_actor *actor,
                                              const char *checkpoint,
                                              const char *public_key_pem, int64_t *checked,
                                              int64_t *first_bad);

/** pcrm_audit_verify_checkpoint() reporting to `progress` as pcrm_audit_verify_ext() does. */
PCRM_EXTERN(int) pcrm_audit_verify_checkpoint_ext(pcrm_ctx *ctx, const pcrm_actor *actor,
                                                  const char *checkpoint,
                                                  const char *public_key_pem,
                                                  pcrm_progress_fn progress, void *userdata,
                                                  int64_t *checked, int64_t *first_bad);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_AUDIT_H */
