/* The context's store-independent half: options, clock, keys. */
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
	if (version != PCRM_CTX_OPTIONS_VERSION)
		return pcrm__error(PCRM_EINVAL, "options.version: %u is not supported (expected %d)",
		                   version, PCRM_CTX_OPTIONS_VERSION);
	*opts = defaults;
	return PCRM_OK;
}

static int apply_data_key(pcrm_ctx *ctx, const pcrm_ctx_options *opts)
{
	int rc;
	if (!opts->data_key && opts->data_key_len == 0)
		return PCRM_OK;
	if (!opts->data_key || opts->data_key_len != PCRM_DATA_KEY_LEN)
		return pcrm__error(PCRM_EINVAL, "options.data_key: must be exactly %d bytes (got %zu)",
		                   PCRM_DATA_KEY_LEN, opts->data_key_len);
	/* Separate keys for encryption and lookup: knowing one reveals nothing of the other. */
	rc = pcrm__hkdf_sha256(opts->data_key, opts->data_key_len, "powercrm pii encryption v1",
	                       ctx->pii_enc_key, sizeof(ctx->pii_enc_key));
	if (rc == PCRM_OK)
		rc = pcrm__hkdf_sha256(opts->data_key, opts->data_key_len, "powercrm pii lookup v1",
		                       ctx->pii_mac_key, sizeof(ctx->pii_mac_key));
	if (rc == PCRM_OK)
		rc = pcrm__hkdf_sha256(opts->data_key, opts->data_key_len, "powercrm pii wrap v1",
		                       ctx->pii_wrap_key, sizeof(ctx->pii_wrap_key));
	/* A one-way value of the key, so the store can say "not the key I was sealed with". */
	if (rc == PCRM_OK)
		rc = pcrm__hkdf_sha256(opts->data_key, opts->data_key_len, "powercrm key check v1",
		                       ctx->key_check, sizeof(ctx->key_check));
	if (rc == PCRM_OK)
		ctx->has_data_key = 1;
	return rc;
}

int pcrm__ctx_new(pcrm_ctx **out, const pcrm_ctx_options *opts)
{
	pcrm_ctx_options defaults = PCRM_CTX_OPTIONS_INIT;
	pcrm_ctx *ctx;
	int rc;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != PCRM_CTX_OPTIONS_VERSION)
		return pcrm__error(PCRM_EINVAL, "options.version: %u is not supported (expected %d)",
		                   opts->version, PCRM_CTX_OPTIONS_VERSION);
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
