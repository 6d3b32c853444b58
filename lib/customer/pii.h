/*
 * Internal: how personal data is kept (docs/security.md, "Personal data").
 *
 * Every customer has its own data key (DEK), random, stored only wrapped
 * (AES-256-GCM) under a key derived from the integrator's data key.  The
 * customer's personal fields (name, phones, e-mail, addresses) are one
 * AES-256-GCM cipher under the DEK; the contact history's caller numbers and
 * summaries are sealed under the same DEK.  Erasing a customer destroys the
 * wrapped DEK, so everything sealed under it is unreadable for good
 * (crypto-shredding) while bills, ledger and audit stay as they were.
 *
 * Lookups go through blind indexes: HMAC-SHA256 under the lookup key derived
 * from the data key, with a domain label per field ("phone", "name"), so equal
 * values of one field have equal indexes and nothing else can be learnt
 * without the key.  What the store keeps in clear is a mask (first character
 * of a name, first 3 and last 4 digits of a phone), which is also all the
 * audit log ever gets.
 */
#ifndef PCRM_CUSTOMER_PII_H
#define PCRM_CUSTOMER_PII_H

#include <jansson.h>

#include <powercrm/ctx.h>
#include <powercrm/customer.h>

#include "core/crypto.h"

#define PCRM__DEK_LEN 32
/*
 * A wrapped DEK as stored: hex of nonce + wrapped key + tag, after "v<N>:"
 * naming the key version that wrapped it when that is not 1 (rows wrapped
 * before key versions existed have no prefix), so every reader of pii_key
 * knows which key opens it.
 */
#define PCRM__DEK_WRAPPED_HEX (sizeof("v65535:") + 2 * (PCRM__DEK_LEN + PCRM_AEAD_OVERHEAD))
/* Longest masked name: one UTF-8 character and two stars. */
#define PCRM__NAME_MASK_MAX 8
#define PCRM__PHONE_KINDS 3

/** PCRM_EPERM naming `field` when the context has no data key. */
int pcrm__pii_need_key(const pcrm_ctx *ctx, const char *field);

/** Most rows one call of a background reseal seals (its `batch`; 0 means 1,000). */
#define PCRM__RESEAL_BATCH_MAX 10000

/** One batch of a reseal: seals up to `batch` rows of the subtree `scope`, in the caller's
 * transaction. */
typedef int (*pcrm__reseal_batch_fn)(pcrm_ctx *ctx, const pcrm_actor *actor, const char *scope,
                                     int batch);

/**
 * What every `pcrm_*_reseal()` does around its batch, so that they check and count alike:
 * checks `batch`, the actor's archive.write scope and the data key, runs `seal` in one
 * transaction, then sets *remaining from `count_sql` (one parameter: the scope's path).
 */
int pcrm__reseal_run(pcrm_ctx *ctx, const pcrm_actor *actor, int batch, pcrm__reseal_batch_fn seal,
                     const char *count_sql, int64_t *remaining);

/** A fresh random DEK for `customer_no` and its wrapped form (hex) to store. */
int pcrm__dek_new(const pcrm_ctx *ctx, const char *customer_no, unsigned char dek[PCRM__DEK_LEN],
                  char wrapped[PCRM__DEK_WRAPPED_HEX]);

/** The key version a stored DEK is wrapped under (0 for malformed text). */
unsigned int pcrm__dek_version(const char *wrapped);

/**
 * The stored DEK `wrapped` wrapped again under the context's current key
 * version (a copy when it already is).
 */
int pcrm__dek_rewrap(const pcrm_ctx *ctx, const char *customer_no, const char *wrapped,
                     char out[PCRM__DEK_WRAPPED_HEX]);

/**
 * Unwraps a stored DEK; PCRM_EINTEGRITY for a wrong key or altered data,
 * PCRM_EPERM when the context lacks the key version that wrapped it.
 */
int pcrm__dek_open(const pcrm_ctx *ctx, const char *customer_no, const char *wrapped,
                   unsigned char dek[PCRM__DEK_LEN]);

/** The blind index of `value` in the field `domain` ("phone", "name"): 64 hex characters. */
int pcrm__blind_index(const pcrm_ctx *ctx, const char *domain, const char *value,
                      char out[PCRM_SHA256_HEX_LEN + 1]);

/** Seals text under a DEK, bound to `aad`; *hex is malloc'd. */
int pcrm__pii_seal_text(const unsigned char dek[PCRM__DEK_LEN], const char *aad, const char *text,
                        char **hex);

/** Opens what pcrm__pii_seal_text() sealed; *text is malloc'd. */
int pcrm__pii_open_text(const unsigned char dek[PCRM__DEK_LEN], const char *aad, const char *hex,
                        char **text);

/** "张**": the first character of a name and two stars ("*" for a one-character name). */
void pcrm__mask_name(const char *name, char out[PCRM__NAME_MASK_MAX + 1]);

/** "138****8000": first 3 and last 4 digits of a normalised phone, stars between. */
void pcrm__mask_phone(const char *phone, char out[PCRM_PHONE_MAX]);

/**
 * A copy of a customer document or patch for the audit log: name, phones,
 * e-mail and addresses masked (the ID number is masked by the caller, which
 * holds its mask).
 */
json_t *pcrm__pii_audit_copy(const json_t *doc);

/** Whether `key` is a personal field kept in the sealed part of a customer. */
int pcrm__pii_is_sealed_field(const char *key);

/* ---- a customer's sealed part ---- */

struct pcrm__customer_seal {
	unsigned char dek[PCRM__DEK_LEN];
	char dek_wrapped[PCRM__DEK_WRAPPED_HEX];
	char *cipher; /* hex of the personal fields' JSON under the DEK; malloc'd */
	char name_masked[PCRM__NAME_MASK_MAX + 1];
	char name_hash[PCRM_SHA256_HEX_LEN + 1];
	size_t phone_count;
	struct {
		const char *kind; /* points into the document */
		char masked[PCRM_PHONE_MAX];
		char hash[PCRM_SHA256_HEX_LEN + 1];
	} phones[PCRM__PHONE_KINDS];
};

/**
 * Seals a validated document's personal fields.  `dek_wrapped` is the
 * customer's stored DEK (NULL: a new customer, or a row that has none yet,
 * gets a new one).  out->dek_wrapped is always under the context's current
 * key version: a write moves the customer to the newest key.
 */
int pcrm__customer_seal(const pcrm_ctx *ctx, const json_t *doc, const char *dek_wrapped,
                        struct pcrm__customer_seal *out);

/** Wipes the DEK and frees the cipher. */
void pcrm__customer_seal_clear(struct pcrm__customer_seal *s);

/**
 * Puts a stored row's personal fields back into its document: opens `cipher`
 * under the DEK in `dek_wrapped`.  A row without cipher is either a row
 * stored before migration 20 (its document still holds the fields) or an
 * erased customer (`erased`: name becomes "(erased)").
 */
int pcrm__customer_unseal(const pcrm_ctx *ctx, const char *customer_no, json_t *doc,
                          const char *cipher, const char *dek_wrapped, int erased);

enum pcrm__dek_state {
	PCRM__DEK_NONE,   /* stored before migration 20, never given a key */
	PCRM__DEK_OPEN,   /* dek holds the key */
	PCRM__DEK_ERASED  /* the key was destroyed */
};

/**
 * The DEK of a stored customer, for what hangs off it (contacts).  With
 * `create`, a customer stored before migration 20 gets one now (in the
 * caller's transaction) and an erased customer is PCRM_ESTATE; without, the
 * state says what there is.
 */
int pcrm__customer_dek(pcrm_ctx *ctx, const char *customer_no, int create,
                       unsigned char dek[PCRM__DEK_LEN], enum pcrm__dek_state *state);

#endif
