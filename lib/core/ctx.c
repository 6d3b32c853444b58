/* The context's store-independent half: options, clock, keys. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ctx.h"
#include "error.h"

#define MAX_UTC_OFFSET (14 * 3600)


int pcrm_ctx_options_init(pcrm_ctx_options *opts, unsigned int version)
{
	pcrm_ctx_options defaults = PCRM_CTX_OPTIONS_INIT;
	if (!opts)
		return pcrm__error(PCRM_EINVAL, "options: missing");
	if (version != 1 && version != PCRM_CTX_OPTIONS_VERSION)
		return pcrm__error(PCRM_EINVAL, "options.version: %u is not supported (expected %d)",
		                   version, PCRM_CTX_OPTIONS_VERSION);
	defaults.version = version;
	/* a version-1 structure ends before key_version: write only what the caller has */
	memcpy(opts, &defaults,
	       version == 1 ? offsetof(pcrm_ctx_options, key_version) : sizeof(defaults));
	return PCRM_OK;
}

/*
 * Only checks and copies where the keys come from: the key versions are read,
 * checked against the store and derived by the key check once the store is
 * open (lib/store/key_check.c).
 */
static int apply_data_key(pcrm_ctx *ctx, const pcrm_ctx_options *opts)
{
	if (opts->key_version < 1 || opts->key_version > PCRM_KEY_VERSION_MAX)
		return pcrm__error(PCRM_EINVAL, "options.key_version: %u is outside 1..%d",
		                   opts->key_version, PCRM_KEY_VERSION_MAX);
	if (opts->data_key || opts->data_key_len != 0) {
		if (!opts->data_key || opts->data_key_len != PCRM_DATA_KEY_LEN)
			return pcrm__error(PCRM_EINVAL,
			                   "options.data_key: must be exactly %d bytes (got %zu)",
			                   PCRM_DATA_KEY_LEN, opts->data_key_len);
		memcpy(ctx->raw_key, opts->data_key, PCRM_DATA_KEY_LEN);
		ctx->has_raw_key = 1;
	}
	ctx->key_provider = opts->key_provider;
	ctx->key_provider_data = opts->key_provider_data;
	ctx->key_version = opts->key_version;
	return PCRM_OK;
}

void pcrm__ctx_forget_key_source(pcrm_ctx *ctx)
{
	OPENSSL_cleanse(ctx->raw_key, sizeof(ctx->raw_key));
	ctx->has_raw_key = 0;
	ctx->key_provider = NULL;
	ctx->key_provider_data = NULL;
	if (!ctx->has_data_key)
		ctx->key_version = 0;
}

int pcrm__ctx_new(pcrm_ctx **out, const pcrm_ctx_options *opts)
{
	pcrm_ctx_options defaults = PCRM_CTX_OPTIONS_INIT, v1 = PCRM_CTX_OPTIONS_INIT;
	pcrm_ctx *ctx;
	int rc;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != 1 && opts->version != PCRM_CTX_OPTIONS_VERSION)
		return pcrm__error(PCRM_EINVAL, "options.version: %u is not supported (expected %d)",
		                   opts->version, PCRM_CTX_OPTIONS_VERSION);
	if (opts->version == 1) {
		/* the caller's structure ends before key_version: take the defaults after it */
		memcpy(&v1, opts, offsetof(pcrm_ctx_options, key_version));
		opts = &v1;
	}
	if (opts->utc_offset < -MAX_UTC_OFFSET || opts->utc_offset > MAX_UTC_OFFSET)
		return pcrm__error(PCRM_EINVAL, "options.utc_offset: %d s is outside +-14 hours",
		                   opts->utc_offset);
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return pcrm__error_oom();
	ctx->clock = opts->clock ? opts->clock : pcrm_clock_system;
	ctx->clock_data = opts->clock ? opts->clock_data : NULL;
	ctx->utc_offset = opts->utc_offset;
	rc = apply_data_key(ctx, opts);
	if (rc != PCRM_OK) {
		pcrm__ctx_free(ctx);
		return rc;
	}
	*out = ctx;
	return PCRM_OK;
}

void pcrm__ctx_free(pcrm_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->workflow_cache_free)
		ctx->workflow_cache_free(ctx->workflow_cache);
	OPENSSL_cleanse(ctx->pii_enc_key, sizeof(ctx->pii_enc_key));
	OPENSSL_cleanse(ctx->pii_mac_key, sizeof(ctx->pii_mac_key));
	OPENSSL_cleanse(ctx->pii_wrap_key, sizeof(ctx->pii_wrap_key));
	OPENSSL_cleanse(ctx->key_check, sizeof(ctx->key_check));
	OPENSSL_cleanse(ctx->wrap_keys, sizeof(ctx->wrap_keys));
	OPENSSL_cleanse(ctx->raw_key, sizeof(ctx->raw_key));
	free(ctx);
}

pcrm_time pcrm_ctx_now(const pcrm_ctx *ctx)
{
	return ctx->clock(ctx->clock_data);
}

void pcrm_ctx_set_clock(pcrm_ctx *ctx, pcrm_clock_fn clock, void *clock_data)
{
	ctx->clock = clock ? clock : pcrm_clock_system;
	ctx->clock_data = clock ? clock_data : NULL;
}

int pcrm_ctx_utc_offset(const pcrm_ctx *ctx)
{
	return ctx->utc_offset;
}

unsigned int pcrm_ctx_key_version(const pcrm_ctx *ctx)
{
	return ctx && ctx->has_data_key ? ctx->key_version : 0;
}
