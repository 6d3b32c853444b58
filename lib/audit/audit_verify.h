/* Internal to lib/audit: verification and the checkpoints it checks against. */
#ifndef PCRM_AUDIT_VERIFY_H
#define PCRM_AUDIT_VERIFY_H

#include "audit_internal.h"

/** One chain's head as a checkpoint signed it. */
struct pcrm__audit_signed_head {
	char chain[PCRM__AUDIT_CHAIN_MAX];
	int64_t seq;
	char hash[PCRM_SHA256_HEX_LEN + 1];
};

/** A parsed checkpoint (checkpoint.c). */
struct pcrm__audit_checkpoint {
	pcrm_time at;
	struct pcrm__audit_signed_head *heads;
	size_t n;
};

/** Chain names (malloc'd copies). */
struct pcrm__audit_chain_list {
	char **names;
	size_t n;
};

int pcrm__audit_chains_in_scope(pcrm_ctx *ctx, const struct pcrm__audit_scope *scope,
                                struct pcrm__audit_chain_list *out);
void pcrm__audit_chain_list_free(struct pcrm__audit_chain_list *list);

/**
 * pcrm__audit_scope() for verification: city- and province-level readers
 * (province only when `province_only`); a refusal is audited.
 */
int pcrm__audit_verifier_scope(pcrm_ctx *ctx, const pcrm_actor *actor, int province_only,
                               struct pcrm__audit_scope *scope);

/** Where verification reports the entries checked so far (pcrm_audit_verify_ext()). */
struct pcrm__audit_progress {
	pcrm_progress_fn fn;
	void *userdata;
};

/**
 * Verifies the scope's chains and covered objects, against `cp` when not
 * NULL, reporting to `progress` (may be NULL) after every page of entries.
 */
int pcrm__audit_verify_scope(pcrm_ctx *ctx, const struct pcrm__audit_scope *scope,
                             const struct pcrm__audit_checkpoint *cp,
                             const struct pcrm__audit_progress *progress, int64_t *checked,
                             int64_t *first_bad);

/**
 * Checks the ledger rows a bulk posting's entry (chain, chain_seq, its
 * summary) lists against the store (cover_bulk.c): PCRM_EINTEGRITY naming
 * the entry and the first account whose rows no longer match.
 */
int pcrm__audit_check_bulk_posting(pcrm_ctx *ctx, const char *chain, int64_t chain_seq,
                                   const char *summary);

/**
 * Checks the history entries and work-order rows a tick's entry (chain,
 * chain_seq, its summary) lists against the store (cover_workorder.c):
 * PCRM_EINTEGRITY naming the entry and the first work order that no longer
 * matches.
 */
int pcrm__audit_check_tick(pcrm_ctx *ctx, const char *chain, int64_t chain_seq,
                           const char *summary);

/** The action of a customer import, whose rows pcrm__audit_check_import() checks. */
#define PCRM__AUDIT_CUSTOMER_IMPORT "customer.import"

/**
 * Checks the customers an import's entry (chain, chain_seq, global seq, its
 * summary) lists with their digests against the store (cover_listed.c),
 * except those a newer covering entry names: PCRM_EINTEGRITY naming the
 * entry and the first customer whose row no longer matches or is gone.
 */
int pcrm__audit_check_import(pcrm_ctx *ctx, const char *chain, int64_t chain_seq, int64_t seq,
                             const char *summary);

/** The action of a call-record sink's batch, whose rows pcrm__audit_check_call_records() checks. */
#define PCRM__AUDIT_CALL_RECORDS "call_record.store"

/**
 * pcrm__audit_check_import() for the call records and contacts a sink's
 * batch entry lists (cover_listed.c).
 */
int pcrm__audit_check_call_records(pcrm_ctx *ctx, const char *chain, int64_t chain_seq,
                                   int64_t seq, const char *summary);

/** Bytes of an Ed25519 signature. */
#define PCRM__AUDIT_SIGNATURE_LEN 64

/**
 * Parses a checkpoint's text (checkpoint.c): PCRM_EINVAL naming the line;
 * *signed_len receives the length of the signed part, `sig` the signature.
 * Free cp->heads with free().
 */
int pcrm__audit_checkpoint_parse(const char *text, size_t len, struct pcrm__audit_checkpoint *cp,
                                 size_t *signed_len, unsigned char sig[PCRM__AUDIT_SIGNATURE_LEN]);

#endif
