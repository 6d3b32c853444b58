/*
 * Rotating the integrator's data key (docs/security.md, "Key versions and
 * rotation").  A context opened with a new options.key_version seals new
 * records under it at once; pcrm_customer_key_rotate() moves the customers
 * wrapped under older versions, a batch per call and a transaction per
 * batch, so it can run beside normal work, report progress through
 * *remaining, and be stopped at any moment: what a batch committed is done,
 * what it did not is found again by the next call (the state is the rows'
 * own key_version, nothing else).  Only each customer's wrapped data key
 * changes: its ciphers, ID number and blind indexes stay as they are, and
 * none of the columns the audit log's after-images digest is touched.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "customer_internal.h"
#include "org/org_internal.h"
#include "pii.h"
#include "store/store.h"

#define ROTATE_BATCH_MAX 10000

/* Customers of the subtree $1 whose data key is wrapped under another version than $2. */
#define OLD_KEY_WHERE                                                                              \
	"WHERE c.pii_key IS NOT NULL AND c.key_version <> $2 "                                     \
	"AND substr(o.path, 1, length($1)) = $1"

struct wrapped_row {
	char no[PCRM__CUSTOMER_NO_MAX + 1];
	char old[PCRM__DEK_WRAPPED_HEX];
};

static int read_batch(pcrm_ctx *ctx, const char *scope, int batch, struct wrapped_row *out,
                      size_t *n)
{
	static const char sql[] = "SELECT c.customer_no, c.pii_key FROM customer c "
	                          "JOIN org_unit o ON o.code = c.org_unit " OLD_KEY_WHERE
	                          " ORDER BY c.customer_no LIMIT $3";
	pcrm_sql_value p[3] = { PCRM_SQL_S(scope), PCRM_SQL_I(ctx->key_version), PCRM_SQL_I(batch) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, 3, &rows);

	*n = 0;
	if (rc != PCRM_OK)
		return rc;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		snprintf(out[*n].no, sizeof(out[*n].no), "%s", pcrm__rows_text(rows, 0));
		snprintf(out[*n].old, sizeof(out[*n].old), "%s", pcrm__rows_text(rows, 1));
		(*n)++;
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

static int rotate_batch(pcrm_ctx *ctx, const pcrm_actor *actor, const char *scope, int batch,
                        int64_t *moved)
{
	/* the old wrapped key in the WHERE: a customer rewritten in between is left as it is now */
	static const char update[] = "UPDATE customer SET pii_key = $3, key_version = $4 "
	                             "WHERE customer_no = $1 AND pii_key = $2";
	struct wrapped_row *rows = calloc((size_t)batch, sizeof(*rows));
	json_t *summary = NULL, *list = json_array();
	size_t n = 0;
	int rc = rows && list ? read_batch(ctx, scope, batch, rows, &n) : pcrm__error_oom();

	for (size_t i = 0; rc == PCRM_OK && i < n; i++) {
		char fresh[PCRM__DEK_WRAPPED_HEX];
		int64_t changes = 0;
		rc = pcrm__dek_rewrap(ctx, rows[i].no, rows[i].old, fresh);
		if (rc == PCRM_OK) {
			pcrm_sql_value p[4] = { PCRM_SQL_S(rows[i].no), PCRM_SQL_S(rows[i].old),
				                PCRM_SQL_S(fresh), PCRM_SQL_I(ctx->key_version) };
			rc = pcrm__store_exec(ctx->store, update, p, 4, &changes);
		}
		if (rc == PCRM_OK && changes == 1 && json_array_append_new(list, json_string(rows[i].no)))
			rc = pcrm__error_oom();
		OPENSSL_cleanse(fresh, sizeof(fresh));
	}
	/* one entry per batch, naming every customer moved (customer numbers are not personal) */
	if (rc == PCRM_OK && json_array_size(list) > 0) {
		summary = json_pack("{s:I, s:O}", "to_version", (json_int_t)ctx->key_version,
		                    "customers", list);
		rc = summary ? pcrm__audit_append(ctx, actor, "customer.key_rotate", "org_unit",
		                                  actor->org_unit, summary) :
		               pcrm__error_oom();
	}
	if (rc == PCRM_OK)
		*moved = (int64_t)json_array_size(list);
	json_decref(summary);
	json_decref(list);
	if (rows)
		OPENSSL_cleanse(rows, (size_t)batch * sizeof(*rows));
	free(rows);
	return rc;
}

int pcrm_customer_key_rotate(pcrm_ctx *ctx, const pcrm_actor *actor, int batch,
                             int64_t *remaining)
{
	static const char count_sql[] = "SELECT COUNT(*) FROM customer c "
	                                "JOIN org_unit o ON o.code = c.org_unit " OLD_KEY_WHERE;
	char *scope = NULL;
	int64_t moved = 0, left = 0;
	int rc;

	if (remaining)
		*remaining = -1;
	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if (batch < 0 || batch > ROTATE_BATCH_MAX)
		return pcrm__error(PCRM_EINVAL, "batch: %d is outside 0..%d", batch, ROTATE_BATCH_MAX);
	if (batch == 0)
		batch = 1000;
	rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_ARCHIVE_WRITE, NULL, &scope);
	if (rc == PCRM_OK)
		rc = pcrm__pii_need_key(ctx, "key_rotate");
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, rotate_batch(ctx, actor, scope, batch, &moved));
	if (rc == PCRM_OK) {
		pcrm_sql_value p[2] = { PCRM_SQL_S(scope), PCRM_SQL_I(ctx->key_version) };
		rc = pcrm__store_query_int(ctx->store, count_sql, p, 2, &left);
	}
	if (rc == PCRM_OK && remaining)
		*remaining = left;
	free(scope);
	return rc;
}

/* The depth of an org path ("/37/" is 1): only the top of the tree answers for every customer. */
static int path_depth(const char *path)
{
	int depth = 0;
	for (const char *p = path; *p; p++)
		depth += *p == '/' && p[1] != '\0';
	return depth;
}

static int retire(pcrm_ctx *ctx, const pcrm_actor *actor, unsigned int version)
{
	static const char state_sql[] = "SELECT retired_at FROM pii_key_check WHERE version = $1";
	static const char used_sql[] = "SELECT COUNT(*) FROM customer "
	                               "WHERE pii_key IS NOT NULL AND key_version = $1";
	static const char live_sql[] = "SELECT COUNT(*) FROM pii_key_check k JOIN pii_store_key s "
	                               "ON s.version = k.version "
	                               "WHERE k.retired_at IS NULL AND k.version <> $1";
	pcrm_sql_value p[2] = { PCRM_SQL_I(version), PCRM_SQL_I(pcrm_ctx_now(ctx)) };
	pcrm_rows *rows;
	int64_t used = 0, live = 0;
	int found, retired = 0, rc = pcrm__store_query(ctx->store, state_sql, p, 1, &rows);

	if (rc != PCRM_OK)
		return rc;
	found = pcrm__rows_next(rows);
	if (found == 1)
		retired = !pcrm__rows_is_null(rows, 0);
	pcrm__rows_free(rows);
	if (found < 0)
		return found;
	if (found == 0)
		return pcrm__error(PCRM_ENOTFOUND, "version: %u was never used by this store", version);
	if (retired)
		return pcrm__error(PCRM_ESTATE, "version: %u is already retired", version);
	if (version == ctx->key_version)
		return pcrm__error(PCRM_ESTATE, "version: %u is this context's current key version",
		                   version);
	rc = pcrm__store_query_int(ctx->store, used_sql, p, 1, &used);
	if (rc == PCRM_OK && used > 0)
		rc = pcrm__error(PCRM_ESTATE, "version: %lld customers' data keys are still wrapped "
		                              "under version %u (run pcrm_customer_key_rotate())",
		                 (long long)used, version);
	/* the store's secret must stay readable under some other version */
	if (rc == PCRM_OK)
		rc = pcrm__store_query_int(ctx->store, live_sql, p, 1, &live);
	if (rc == PCRM_OK && live == 0)
		rc = pcrm__error(PCRM_ESTATE, "version: %u is the only version holding the store's "
		                              "secret", version);
	if (rc == PCRM_OK)
		rc = pcrm__store_exec(ctx->store, "DELETE FROM pii_store_key WHERE version = $1", p, 1,
		                      NULL);
	if (rc == PCRM_OK)
		rc = pcrm__store_exec(ctx->store,
		                      "UPDATE pii_key_check SET retired_at = $2 WHERE version = $1", p,
		                      2, NULL);
	if (rc == PCRM_OK) {
		json_t *summary = json_pack("{s:I}", "version", (json_int_t)version);
		rc = summary ? pcrm__audit_append(ctx, actor, "customer.key_retire", "org_unit",
		                                  actor->org_unit, summary) :
		               pcrm__error_oom();
		json_decref(summary);
	}
	return rc;
}

int pcrm_customer_key_retire(pcrm_ctx *ctx, const pcrm_actor *actor, unsigned int version)
{
	char *scope = NULL;
	int rc;

	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_ARCHIVE_WRITE, NULL, &scope);
	if (rc == PCRM_OK && path_depth(scope) != 1)
		rc = pcrm__error(PCRM_EPERM, "actor.org_unit: retiring a key version needs an actor "
		                             "of the top org unit (it answers for every customer)");
	if (rc == PCRM_OK)
		rc = pcrm__pii_need_key(ctx, "key_retire");
	if (rc == PCRM_OK && (version < 1 || version > PCRM_KEY_VERSION_MAX))
		rc = pcrm__error(PCRM_EINVAL, "version: %u is outside 1..%d", version,
		                 PCRM_KEY_VERSION_MAX);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, retire(ctx, actor, version));
	free(scope);
	return rc;
}
