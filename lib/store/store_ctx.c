/* Opening and closing a context's store, and the public transaction calls. */
#include "core/ctx.h"
#include "core/error.h"
#include "store.h"

int pcrm_ctx_open(pcrm_ctx **out, const char *uri, const pcrm_ctx_options *opts)
{
	pcrm_ctx *ctx;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "ctx_open: out is NULL");
	*out = NULL;
	rc = pcrm__ctx_new(&ctx, opts);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__store_open(&ctx->store, uri);
	if (rc == PCRM_OK)
		rc = pcrm__store_migrate(ctx->store, pcrm_ctx_now(ctx));
	if (rc == PCRM_OK)
		rc = pcrm__store_key_check(ctx);
	if (rc != PCRM_OK) {
		pcrm_ctx_close(ctx);
		return rc;
	}
	*out = ctx;
	return PCRM_OK;
}

void pcrm_ctx_close(pcrm_ctx *ctx)
{
	if (!ctx)
		return;
	pcrm__store_close(ctx->store);
	pcrm__ctx_free(ctx);
}

const char *pcrm_ctx_backend(const pcrm_ctx *ctx)
{
	return ctx->store->driver->name;
}

int pcrm_ctx_schema_version(pcrm_ctx *ctx, int *out)
{
	return pcrm__store_schema_version(ctx->store, out);
}

int pcrm_schema_version_latest(void)
{
	return pcrm__schema_latest();
}

int pcrm_ctx_begin(pcrm_ctx *ctx)
{
	return pcrm__store_begin(ctx->store);
}

int pcrm_ctx_commit(pcrm_ctx *ctx)
{
	return pcrm__store_commit(ctx->store);
}

int pcrm_ctx_rollback(pcrm_ctx *ctx)
{
	return pcrm__store_rollback(ctx->store);
}

int pcrm_ctx_tx_depth(const pcrm_ctx *ctx)
{
	return ctx->store->tx_depth;
}
