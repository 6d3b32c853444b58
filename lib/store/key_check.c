/*
 * The data key check at open (migration 20's pii_key_check).  A store
 * remembers a one-way value of the data key it was first opened with (per
 * key version); opening it with another key is refused, so a mistyped or
 * swapped key never seals new records into a store whose older records it
 * cannot read.  The value is HKDF output of the key under its own label: it
 * reveals nothing of the key or of the keys derived for sealing and lookup.
 */
#include <string.h>

#include "core/crypto.h"
#include "core/ctx.h"
#include "core/error.h"
#include "store.h"

#define KEY_VERSION 1

static int record_check(pcrm_ctx *ctx, const char *hex)
{
	/* Two first opens at once: the loser's insert is a duplicate, and then compares below. */
	static const char sql[] = "INSERT INTO pii_key_check (version, check_value, created_at) "
	                          "VALUES ($1, $2, $3)";
	pcrm_sql_value p[3] = { PCRM_SQL_I(KEY_VERSION), PCRM_SQL_S(hex),
		                PCRM_SQL_I(pcrm_ctx_now(ctx)) };
	int rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, pcrm__store_exec(ctx->store, sql, p, 3, NULL));
	return rc;
}

int pcrm__store_key_check(pcrm_ctx *ctx)
{
	static const char sql[] = "SELECT check_value FROM pii_key_check WHERE version = $1";
	char hex[2 * sizeof(ctx->key_check) + 1];
	pcrm_sql_value p[1] = { PCRM_SQL_I(KEY_VERSION) };
	pcrm_rows *rows;
	int same = 0, found, rc;

	if (!ctx->has_data_key)
		return PCRM_OK;
	pcrm__hex_encode(ctx->key_check, sizeof(ctx->key_check), hex);
	for (int attempt = 0; attempt < 2; attempt++) {
		rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
		if (rc != PCRM_OK)
			return rc;
		found = pcrm__rows_next(rows);
		if (found == 1)
			same = strcmp(pcrm__rows_text(rows, 0), hex) == 0;
		pcrm__rows_free(rows);
		if (found < 0)
			return found;
		if (found == 1)
			return same ? PCRM_OK :
			              pcrm__error(PCRM_EPERM,
			                          "options.data_key: is not the key this store's personal "
			                          "data is sealed with (key check value differs)");
		rc = record_check(ctx, hex);
		if (rc != PCRM_EDUPLICATE)
			return rc;
	}
	return rc;
}
