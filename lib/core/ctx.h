/*
 * Internal: the context structure.  Core owns the clock, the civil-time
 * offset and the derived data keys; the store part is opened and closed by
 * lib/store (store_ctx.c), which is the only code that knows the drivers.
 */
#ifndef PCRM_CORE_CTX_H
#define PCRM_CORE_CTX_H

#include <powercrm/ctx.h>

#include "crypto.h"

struct pcrm_store;

/* At most this many key versions in use at once (a rotation needs two). */
#define PCRM__KEY_VERSIONS_LIVE_MAX 8

struct pcrm_ctx {
	struct pcrm_store *store;
	pcrm_clock_fn clock;
	void *clock_data;
	int utc_offset;
	int has_data_key;
	/*
	 * Keys derived from the store's own secret (docs/security.md, "Key
	 * versions"): they do not change when the integrator's key is rotated,
	 * so identifiers and blind indexes stay as they are; the secret is
	 * stored wrapped under every key version in use (pii_store_key).
	 */
	unsigned char pii_enc_key[PCRM_AEAD_KEY_LEN]; /* AES-256-GCM key for identifiers */
	unsigned char pii_mac_key[32];                /* HMAC key for identifier lookup */
	/* Wraps each customer's own data key (crypto-shredding), under key_version. */
	unsigned char pii_wrap_key[PCRM_AEAD_KEY_LEN];
	/* Stored in pii_key_check at first use, compared at every open: a wrong key is refused. */
	unsigned char key_check[32];
	/* The version new records are sealed with (0 without a data key). */
	unsigned int key_version;
	/* The wrap keys of every version the store still uses, key_version included. */
	struct pcrm__wrap_key {
		unsigned int version;
		unsigned char key[PCRM_AEAD_KEY_LEN];
	} wrap_keys[PCRM__KEY_VERSIONS_LIVE_MAX];
	size_t wrap_key_count;
	/*
	 * Until the store is open: where the key versions come from (the raw key
	 * is copied so the caller's buffer need not outlive pcrm_ctx_open(); it
	 * is wiped as soon as the key check has run).
	 */
	unsigned char raw_key[PCRM_DATA_KEY_LEN];
	int has_raw_key;
	pcrm_key_provider_fn key_provider;
	void *key_provider_data;
	/* Parsed workflow definitions, owned by lib/workflow (core only frees it). */
	void *workflow_cache;
	void (*workflow_cache_free)(void *cache);
};

/** Allocates a context with validated options applied; no store yet. */
int pcrm__ctx_new(pcrm_ctx **out, const pcrm_ctx_options *opts);

/** Wipes the raw key and forgets the provider (after the key check at open). */
void pcrm__ctx_forget_key_source(pcrm_ctx *ctx);

/** Frees what pcrm__ctx_new allocated (wiping the keys). */
void pcrm__ctx_free(pcrm_ctx *ctx);

#endif
