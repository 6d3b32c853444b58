/*
 * A complaint ticket's caller number at rest (schema 24, docs/security.md
 * "Personal data"): the column caller_number keeps only a mask, caller_cipher
 * the number under the identifier key with the serial as associated data (a
 * cipher copied to another ticket does not open), and caller_hash its keyed
 * hash, which the repeat check of anonymous tickets looks up.  Tickets filed
 * before schema 24 keep the number in clear until pcrm_complaint_reseal()
 * seals them (a migration runs without the key); the repeat check still finds
 * them by it meanwhile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit/audit.h"
#include "complaint_internal.h"
#include "core/crypto.h"
#include "core/ctx.h"
#include "core/error.h"
#include "customer/pii.h"
#include "org/org_internal.h"
#include "store/store.h"

static int need_key(const pcrm_ctx *ctx)
{
	if (ctx->has_data_key)
		return PCRM_OK;
	return pcrm__error(PCRM_EPERM, "caller_number: personal data needs a context with a data "
	                               "key (options.data_key)");
}

int pcrm__complaint_caller_hash(const pcrm_ctx *ctx, const char *caller,
                                char out[PCRM_SHA256_HEX_LEN + 1])
{
	int rc = need_key(ctx);
	return rc == PCRM_OK ? pcrm__blind_index(ctx, "complaint caller", caller, out) : rc;
}

static void caller_aad(const char *serial, char *out, size_t size)
{
	snprintf(out, size, "complaint caller:%s", serial);
}

int pcrm__complaint_caller_seal(const pcrm_ctx *ctx, const char *serial, const char *caller,
                                struct pcrm__complaint_caller *out)
{
	unsigned char sealed[PCRM_PHONE_MAX + PCRM_AEAD_OVERHEAD];
	char aad[96];
	size_t n = strlen(caller);
	int rc = need_key(ctx);

	if (rc == PCRM_OK && n >= PCRM_PHONE_MAX)
		rc = pcrm__error(PCRM_EINVAL, "caller_number: longer than %d digits",
		                 PCRM_PHONE_MAX - 1);
	if (rc == PCRM_OK)
		rc = pcrm__complaint_caller_hash(ctx, caller, out->hash);
	caller_aad(serial, aad, sizeof(aad));
	if (rc == PCRM_OK)
		rc = pcrm__aead_seal(ctx->pii_enc_key, aad, strlen(aad), caller, n, sealed);
	if (rc != PCRM_OK)
		return rc;
	pcrm__hex_encode(sealed, n + PCRM_AEAD_OVERHEAD, out->cipher);
	pcrm__mask_phone(caller, out->masked);
	return PCRM_OK;
}

int pcrm__complaint_caller_open(const pcrm_ctx *ctx, const char *serial, const char *cipher,
                                char out[PCRM_PHONE_MAX])
{
	unsigned char sealed[PCRM_PHONE_MAX + PCRM_AEAD_OVERHEAD], plain[PCRM_PHONE_MAX];
	char aad[96];
	long n = pcrm__hex_decode(cipher, sealed, sizeof(sealed));
	int rc;

	if (n < PCRM_AEAD_OVERHEAD || n - PCRM_AEAD_OVERHEAD >= PCRM_PHONE_MAX)
		return pcrm__error(PCRM_EINTEGRITY, "complaint %.64s: sealed caller number is "
		                                    "malformed", serial);
	caller_aad(serial, aad, sizeof(aad));
	rc = pcrm__aead_open(ctx->pii_enc_key, aad, strlen(aad), sealed, (size_t)n, plain);
	if (rc != PCRM_OK)
		return rc;
	memcpy(out, plain, (size_t)n - PCRM_AEAD_OVERHEAD);
	out[n - PCRM_AEAD_OVERHEAD] = '\0';
	return PCRM_OK;
}

/* ---- sealing the tickets filed before schema 24 ---- */


/* Tickets of the subtree $1 whose caller number is still in clear. */
#define CLEAR_CALLER_WHERE                                                                         \
	"WHERE k.caller_number IS NOT NULL AND k.caller_hash IS NULL "                             \
	"AND substr(o.path, 1, length($1)) = $1"

struct clear_caller {
	char serial[64];
	char caller[PCRM_PHONE_MAX];
};

static int seal_entry(pcrm_ctx *ctx, const pcrm_actor *actor, const char *serial)
{
	json_t *summary = json_pack("{s:s}", "caller_number", "sealed");
	int rc = summary ? pcrm__audit_append(ctx, actor, "complaint.seal_caller", "complaint",
	                                      serial, summary) :
	                   pcrm__error_oom();
	json_decref(summary);
	return rc;
}

static int reseal_batch(pcrm_ctx *ctx, const pcrm_actor *actor, const char *scope, int batch)
{
	static const char sql[] = "SELECT k.serial, k.caller_number FROM complaint k "
	                          "JOIN org_unit o ON o.code = k.responsible_unit " CLEAR_CALLER_WHERE
	                          " ORDER BY k.serial LIMIT $2";
	static const char update[] = "UPDATE complaint SET caller_number = $2, caller_hash = $3, "
	                             "caller_cipher = $4 WHERE serial = $1 AND caller_hash IS NULL";
	pcrm_sql_value p[4] = { PCRM_SQL_S(scope), PCRM_SQL_I(batch) };
	struct clear_caller *items = calloc((size_t)batch, sizeof(*items));
	json_t *serials = json_array(), *summary = NULL;
	pcrm_rows *rows = NULL;
	size_t n = 0;
	int rc = items && serials ? pcrm__store_query(ctx->store, sql, p, 2, &rows) :
	                            pcrm__error_oom();

	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		rc = PCRM_OK;
		snprintf(items[n].serial, sizeof(items[n].serial), "%s", pcrm__rows_text(rows, 0));
		/* stored normalised by the filing; a longer value is not a phone number we wrote */
		snprintf(items[n].caller, sizeof(items[n].caller), "%s", pcrm__rows_text(rows, 1));
		n++;
	}
	if (rows)
		pcrm__rows_free(rows);
	if (rc > 0)
		rc = PCRM_OK;
	for (size_t i = 0; rc == PCRM_OK && i < n; i++) {
		struct pcrm__complaint_caller s;
		rc = pcrm__complaint_caller_seal(ctx, items[i].serial, items[i].caller, &s);
		if (rc == PCRM_OK) {
			pcrm_sql_value u[4] = { PCRM_SQL_S(items[i].serial), PCRM_SQL_S(s.masked),
				                PCRM_SQL_S(s.hash), PCRM_SQL_S(s.cipher) };
			rc = pcrm__store_exec(ctx->store, update, u, 4, NULL);
		}
		/*
		 * and an entry of the ticket, whose digest covers the sealed number
		 * (cover.c, "complaint" revision 2): the ticket's older entries
		 * digested the number in clear
		 */
		if (rc == PCRM_OK)
			rc = seal_entry(ctx, actor, items[i].serial);
		if (rc == PCRM_OK && json_array_append_new(serials, json_string(items[i].serial)))
			rc = pcrm__error_oom();
	}
	/* one entry per batch naming the tickets (serials are not personal) */
	if (rc == PCRM_OK && n > 0) {
		summary = json_pack("{s:O}", "complaints", serials);
		rc = summary ? pcrm__audit_append(ctx, actor, "complaint.reseal", "org_unit",
		                                  actor->org_unit, summary) :
		               pcrm__error_oom();
	}
	json_decref(summary);
	json_decref(serials);
	if (items)
		OPENSSL_cleanse(items, (size_t)batch * sizeof(*items));
	free(items);
	return rc;
}

int pcrm_complaint_reseal(pcrm_ctx *ctx, const pcrm_actor *actor, int batch, int64_t *remaining)
{
	static const char count_sql[] = "SELECT COUNT(*) FROM complaint k "
	                                "JOIN org_unit o ON o.code = k.responsible_unit "
	                                CLEAR_CALLER_WHERE;
	return pcrm__reseal_run(ctx, actor, batch, reseal_batch, count_sql, remaining);
}
