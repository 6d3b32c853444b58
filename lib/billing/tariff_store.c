/*
 * Tariff versions in the store: publish (validate, then store once) and
 * fetch (by version, or the version in effect on a day).
 *
 * A published version is immutable: what bills name must stay what they
 * were computed with.  Publishing is idempotent on the document's SHA-256,
 * so a deployment script can publish its tariff files on every start.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "billing_internal.h"
#include "core/crypto.h"
#include "core/ctx.h"
#include "core/error.h"
#include "org/org_internal.h"
#include "store/store.h"

/* A date as days since 1970-01-01; an open end (invalid date) as NULL. */
static pcrm_sql_value days_or_null(pcrm_date d)
{
	return pcrm_date_is_valid(d) ? PCRM_SQL_I(pcrm_date_to_days(d)) : PCRM_SQL_NUL;
}

/* Inserts the version, or checks that the stored one is the same document. */
static int store_version(pcrm_ctx *ctx, const pcrm_actor *actor, const pcrm_tariff *t,
                         const char *json, const char *hash)
{
	pcrm_sql_value p[8];
	pcrm_rows *rows = NULL;
	json_t *summary;
	int rc;

	p[0] = PCRM_SQL_S(pcrm_tariff_id(t));
	p[1] = PCRM_SQL_I(pcrm_tariff_version(t));
	rc = pcrm__store_query(ctx->store,
	                       "SELECT doc_hash FROM tariff_version WHERE tariff_id = $1 AND version = $2",
	                       p, 2, &rows);
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		rc = strcmp(pcrm__rows_text(rows, 0), hash) == 0 ?
		         PCRM_OK :
		         pcrm__error(PCRM_ECONFLICT,
		                     "tariff \"%s\" version %lld is already published with another "
		                     "document; publish a new version",
		                     pcrm_tariff_id(t), (long long)pcrm_tariff_version(t));
		pcrm__rows_free(rows);
		return rc;
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	p[2] = PCRM_SQL_I(pcrm_date_to_days(pcrm_tariff_effective_from(t)));
	p[3] = days_or_null(pcrm_tariff_effective_to(t));
	p[4] = PCRM_SQL_S(json);
	p[5] = PCRM_SQL_S(hash);
	p[6] = PCRM_SQL_I(pcrm_ctx_now(ctx));
	p[7] = PCRM_SQL_S(actor->operator_id);
	rc = pcrm__store_exec(ctx->store,
	                      "INSERT INTO tariff_version (tariff_id, version, effective_from, "
	                      "effective_to, doc, doc_hash, published_at, published_by) "
	                      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
	                      p, 8, NULL);
	if (rc != PCRM_OK)
		return rc;
	summary = json_pack("{s:s, s:I, s:s}", "tariff_id", pcrm_tariff_id(t), "version",
	                    (json_int_t)pcrm_tariff_version(t), "sha256", hash);
	rc = pcrm__audit_append(ctx, actor, "tariff.publish", "tariff", pcrm_tariff_id(t), summary);
	json_decref(summary);
	return rc;
}

/*
 * The document as stored and hashed: compact with sorted keys, so the same
 * tariff written with other spacing or key order publishes as the same.
 */
static char *canonical(const char *json)
{
	json_t *doc = json_loads(json, 0, NULL);
	char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(doc);
	return text;
}

int pcrm_tariff_publish(pcrm_ctx *ctx, const pcrm_actor *actor, const char *json)
{
	char hash[PCRM_SHA256_HEX_LEN + 1];
	pcrm_tariff *t = NULL;
	char *text = NULL;
	int rc;

	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	rc = pcrm_authorize(ctx, actor, PCRM_PERM_TARIFF_WRITE, NULL);
	if (rc == PCRM_OK)
		rc = pcrm_tariff_load(&t, json);
	if (rc == PCRM_OK && !(text = canonical(json)))
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = pcrm__sha256_hex(text, strlen(text), hash);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, store_version(ctx, actor, t, text, hash));
	free(text);
	pcrm_tariff_free(t);
	return rc;
}

int pcrm__tariff_fetch(pcrm_ctx *ctx, const char *id, int64_t version, pcrm_date on,
                       pcrm_tariff **out)
{
	pcrm_sql_value p[2];
	pcrm_rows *rows = NULL;
	int rc;

	*out = NULL;
	p[0] = PCRM_SQL_S(id);
	if (version > 0) {
		p[1] = PCRM_SQL_I(version);
		rc = pcrm__store_query(ctx->store,
		                       "SELECT doc FROM tariff_version WHERE tariff_id = $1 AND version = $2",
		                       p, 2, &rows);
	} else {
		if (!pcrm_date_is_valid(on))
			return pcrm__error(PCRM_EINVAL, "on: not a valid date");
		p[1] = PCRM_SQL_I(pcrm_date_to_days(on));
		rc = pcrm__store_query(ctx->store,
		                       "SELECT doc FROM tariff_version WHERE tariff_id = $1 "
		                       "AND effective_from <= $2 AND (effective_to IS NULL OR effective_to >= $2) "
		                       "ORDER BY version DESC LIMIT 1",
		                       p, 2, &rows);
	}
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		rc = pcrm_tariff_load(out, pcrm__rows_text(rows, 0));
		if (rc != PCRM_OK)
			rc = pcrm__error(PCRM_ESTORE, "stored tariff \"%s\" no longer loads: %s", id,
			                 pcrm_error_last());
	} else if (rc == 0 && version > 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "tariff \"%s\" version %lld is not published", id,
		                 (long long)version);
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "tariff \"%s\" has no version in effect on %04d-%02d-%02d",
		                 id, on.year, on.month, on.day);
	}
	pcrm__rows_free(rows);
	return rc;
}

int pcrm_tariff_fetch(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id, int64_t version,
                      pcrm_date on, pcrm_tariff **out)
{
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if (!id || !*id || strlen(id) > PCRM__BILL_CODE_MAX)
		return pcrm__error(PCRM_EINVAL, "id: must be 1..%d bytes", PCRM__BILL_CODE_MAX);
	if (version < 0)
		return pcrm__error(PCRM_EINVAL, "version: must be 0 (in effect) or a version number");
	rc = pcrm_authorize(ctx, actor, PCRM_PERM_ARCHIVE_READ, NULL);
	if (rc == PCRM_OK)
		rc = pcrm__tariff_fetch(ctx, id, version, on, out);
	return rc;
}
