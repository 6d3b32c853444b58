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

struct pcrm_ctx {
	struct pcrm_store *store;
	pcrm_clock_fn clock;
	void *clock_data;
	int utc_offset;
	int has_data_key;
	unsigned char pii_enc_key[PCRM_AEAD_KEY_LEN]; /* AES-256-GCM key for identifiers */
	unsigned char pii_mac_key[32];                /* HMAC key for identifier lookup */
	/* Wraps each customer's own data key (crypto-shredding: docs/security.md, "Personal data"). */
	unsigned char pii_wrap_key[PCRM_AEAD_KEY_LEN];
	/* Stored in pii_key_check at first use, compared at every open: a wrong key is refused. */
	unsigned char key_check[32];
	/* Parsed workflow definitions, owned by lib/workflow (core only frees it). */
	void *workflow_cache;
	void (*workflow_cache_free)(void *cache);
};

/** Allocates a context with validated options applied; no store yet. */
int pcrm__ctx_new(pcrm_ctx **out, const pcrm_ctx_options *opts);

/** Frees what pcrm__ctx_new allocated (wiping the keys). */
void pcrm__ctx_free(pcrm_ctx *ctx);

#endif
