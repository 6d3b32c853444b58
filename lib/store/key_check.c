/*
 * The data key versions at open (docs/security.md, "Key versions and
 * rotation").
 *
 * Two layers of keys.  The store has its own secret, made once: the
 * identifier encryption key and the blind-index key are derived from it, so
 * ID-number ciphers, call records, complaints and every blind index stay as
 * they are when the integrator's key changes.  The secret is kept wrapped
 * (AES-256-GCM) under each version of the integrator's key in use
 * (pii_store_key), and each customer's own data key is wrapped under one
 * version (customer.key_version).  Rotating the integrator's key therefore
 * re-wraps keys, never re-encrypts data: pcrm_customer_key_rotate() moves the
 * customers' wrapped keys to the newest version in batches, and
 * pcrm_customer_key_retire() then forgets the old version.
 *
 * A store opened before migration 24 had no secret of its own: its keys were
 * derived from version 1 directly, and that derivation stays its secret
 * (written wrapped under version 1 at the first open after the upgrade).
 *
 * The key check: the store remembers a one-way value of every version
 * (pii_key_check, HKDF output under its own label: it reveals nothing of the
 * key or of the keys derived for sealing and lookup).  Every open compares
 * every version it is given that the store still uses, so a mistyped or
 * swapped key of any version is refused instead of sealing new records into
 * a store whose older records it cannot read; a version the store still uses
 * but the context cannot get is refused too, so that nothing the store holds
 * is unreadable to a context that opened it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/crypto.h"
#include "core/ctx.h"
#include "core/error.h"
#include "store.h"

/* Far more rotations than a store sees in its life; retired versions count too. */
#define VERSIONS_MAX 256
#define SECRET_LEN (2 * PCRM_AEAD_KEY_LEN)
#define SECRET_WRAPPED_HEX (2 * (SECRET_LEN + PCRM_AEAD_OVERHEAD) + 1)

struct version_row {
	unsigned int version;
	char check[2 * 32 + 1];
	int retired;
	char wrapped[SECRET_WRAPPED_HEX]; /* "" when this version has no stored secret */
};

struct versions {
	struct version_row rows[VERSIONS_MAX];
	size_t n;
	int any_wrapped;
};

static int load_versions(pcrm_ctx *ctx, struct versions *v)
{
	static const char sql[] =
		"SELECT k.version, k.check_value, k.retired_at, s.wrapped FROM pii_key_check k "
		"LEFT JOIN pii_store_key s ON s.version = k.version ORDER BY k.version";
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, NULL, 0, &rows);

	if (rc != PCRM_OK)
		return rc;
	v->n = 0;
	v->any_wrapped = 0;
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		struct version_row *r = &v->rows[v->n];
		rc = PCRM_OK;
		if (v->n == VERSIONS_MAX) {
			rc = pcrm__error(PCRM_ESTORE, "pii_key_check: more than %d key versions",
			                 VERSIONS_MAX);
			break;
		}
		r->version = (unsigned int)pcrm__rows_int(rows, 0);
		snprintf(r->check, sizeof(r->check), "%s", pcrm__rows_text(rows, 1));
		r->retired = !pcrm__rows_is_null(rows, 2);
		r->wrapped[0] = '\0';
		if (!pcrm__rows_is_null(rows, 3)) {
			snprintf(r->wrapped, sizeof(r->wrapped), "%s", pcrm__rows_text(rows, 3));
			v->any_wrapped = 1;
		}
		v->n++;
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

/* Version `version` of the integrator's key, from the raw key or the provider. */
static int master_key(pcrm_ctx *ctx, unsigned int version, unsigned char key[PCRM_DATA_KEY_LEN])
{
	int rc;
	if (version == ctx->key_version && ctx->has_raw_key) {
		memcpy(key, ctx->raw_key, PCRM_DATA_KEY_LEN);
		return PCRM_OK;
	}
	if (!ctx->key_provider)
		return pcrm__error(PCRM_EPERM, "options.key_provider: this store still uses data key "
		                               "version %u; supply it (or finish the rotation and "
		                               "retire it)", version);
	rc = ctx->key_provider(ctx->key_provider_data, version, key);
	if (rc == PCRM_ENOTFOUND)
		return pcrm__error(PCRM_EPERM, "options.key_provider: has no data key version %u, "
		                               "which this store still uses", version);
	if (rc != PCRM_OK)
		return pcrm__error(rc < 0 ? rc : PCRM_EIO,
		                   "options.key_provider: failed for data key version %u", version);
	return PCRM_OK;
}

struct derived {
	unsigned char wrap[PCRM_AEAD_KEY_LEN];
	unsigned char check[32];
};

static int derive(const unsigned char key[PCRM_DATA_KEY_LEN], struct derived *d)
{
	int rc = pcrm__hkdf_sha256(key, PCRM_DATA_KEY_LEN, "powercrm pii wrap v1", d->wrap,
	                           sizeof(d->wrap));
	/* A one-way value of the key, so the store can say "not the key I was sealed with". */
	if (rc == PCRM_OK)
		rc = pcrm__hkdf_sha256(key, PCRM_DATA_KEY_LEN, "powercrm key check v1", d->check,
		                       sizeof(d->check));
	return rc;
}

/* The secret of a store that has none yet: derived from one key version, as before schema 24. */
static int secret_derive(const unsigned char key[PCRM_DATA_KEY_LEN],
                         unsigned char secret[SECRET_LEN])
{
	int rc = pcrm__hkdf_sha256(key, PCRM_DATA_KEY_LEN, "powercrm pii encryption v1", secret,
	                           PCRM_AEAD_KEY_LEN);
	if (rc == PCRM_OK)
		rc = pcrm__hkdf_sha256(key, PCRM_DATA_KEY_LEN, "powercrm pii lookup v1",
		                       secret + PCRM_AEAD_KEY_LEN, PCRM_AEAD_KEY_LEN);
	return rc;
}

/* The wrapped secret is bound to its version: a row copied to another version does not open. */
static void secret_aad(unsigned int version, char *out, size_t size)
{
	snprintf(out, size, "store-secret:%u", version);
}

static int secret_unwrap(const unsigned char wrap[PCRM_AEAD_KEY_LEN], unsigned int version,
                         const char *hex, unsigned char secret[SECRET_LEN])
{
	unsigned char sealed[SECRET_LEN + PCRM_AEAD_OVERHEAD];
	char aad[32];
	secret_aad(version, aad, sizeof(aad));
	if (pcrm__hex_decode(hex, sealed, sizeof(sealed)) != (long)sizeof(sealed))
		return pcrm__error(PCRM_EINTEGRITY, "pii_store_key: version %u is malformed", version);
	if (pcrm__aead_open(wrap, aad, strlen(aad), sealed, sizeof(sealed), secret) != PCRM_OK)
		return pcrm__error(PCRM_EINTEGRITY, "pii_store_key: version %u does not open with its "
		                                    "key", version);
	return PCRM_OK;
}

static int secret_wrap(const unsigned char wrap[PCRM_AEAD_KEY_LEN], unsigned int version,
                            const unsigned char secret[SECRET_LEN], char hex[SECRET_WRAPPED_HEX])
{
	unsigned char sealed[SECRET_LEN + PCRM_AEAD_OVERHEAD];
	char aad[32];
	int rc;
	secret_aad(version, aad, sizeof(aad));
	rc = pcrm__aead_seal(wrap, aad, strlen(aad), secret, SECRET_LEN, sealed);
	if (rc == PCRM_OK)
		pcrm__hex_encode(sealed, sizeof(sealed), hex);
	return rc;
}

static int add_wrap_key(pcrm_ctx *ctx, unsigned int version, const unsigned char wrap[])
{
	if (ctx->wrap_key_count == PCRM__KEY_VERSIONS_LIVE_MAX)
		return pcrm__error(PCRM_EPERM, "options.key_version: the store uses more than %d key "
		                               "versions at once; finish a rotation and retire the "
		                               "old versions first", PCRM__KEY_VERSIONS_LIVE_MAX);
	ctx->wrap_keys[ctx->wrap_key_count].version = version;
	memcpy(ctx->wrap_keys[ctx->wrap_key_count].key, wrap, PCRM_AEAD_KEY_LEN);
	ctx->wrap_key_count++;
	return PCRM_OK;
}

/* Records the current version: its check value and the store's secret wrapped under it. */
static int record_current(pcrm_ctx *ctx, int check_row, const char *check_hex, int secret_row,
                          const char *wrapped_hex)
{
	/* Two first opens at once: the loser's insert is a duplicate, and then compares again. */
	static const char check_sql[] = "INSERT INTO pii_key_check (version, check_value, "
	                                "created_at) VALUES ($1, $2, $3)";
	static const char secret_sql[] = "INSERT INTO pii_store_key (version, wrapped, created_at) "
	                                 "VALUES ($1, $2, $3)";
	pcrm_sql_value c[3] = { PCRM_SQL_I(ctx->key_version), PCRM_SQL_S(check_hex),
		                PCRM_SQL_I(pcrm_ctx_now(ctx)) };
	pcrm_sql_value s[3] = { PCRM_SQL_I(ctx->key_version), PCRM_SQL_S(wrapped_hex),
		                PCRM_SQL_I(pcrm_ctx_now(ctx)) };
	int rc = pcrm__store_begin(ctx->store);
	if (rc != PCRM_OK)
		return rc;
	if (check_row)
		rc = pcrm__store_exec(ctx->store, check_sql, c, 3, NULL);
	if (rc == PCRM_OK && secret_row)
		rc = pcrm__store_exec(ctx->store, secret_sql, s, 3, NULL);
	return pcrm__store_finish(ctx->store, rc);
}

static const struct version_row *find(const struct versions *v, unsigned int version)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->rows[i].version == version)
			return &v->rows[i];
	return NULL;
}

/*
 * One attempt: reads the versions, checks every one the store still uses,
 * and records the current one if it is new.  PCRM_EDUPLICATE when another
 * context recorded it at the same moment.
 */
static int check_once(pcrm_ctx *ctx, struct versions *v)
{
	unsigned char key[PCRM_DATA_KEY_LEN], secret[SECRET_LEN];
	char check_hex[2 * 32 + 1], wrapped_hex[SECRET_WRAPPED_HEX];
	struct derived d, cur;
	const struct version_row *mine;
	int have_secret = 0, rc = load_versions(ctx, v);

	memset(&cur, 0, sizeof(cur));
	ctx->wrap_key_count = 0;
	if (rc != PCRM_OK)
		return rc;
	mine = find(v, ctx->key_version);
	if (mine && mine->retired)
		return pcrm__error(PCRM_EPERM, "options.key_version: %u is retired in this store",
		                   ctx->key_version);
	for (size_t i = 0; i < v->n; i++)
		if (!v->rows[i].retired && v->rows[i].version > ctx->key_version)
			return pcrm__error(PCRM_EPERM, "options.key_version: %u is older than version %u, "
			                               "which this store already seals with",
			                   ctx->key_version, v->rows[i].version);
	for (size_t i = 0; rc == PCRM_OK && i < v->n; i++) {
		const struct version_row *r = &v->rows[i];
		if (r->retired)
			continue;
		rc = master_key(ctx, r->version, key);
		if (rc == PCRM_OK)
			rc = derive(key, &d);
		/* a store without a secret of its own derived its keys from its first version */
		if (rc == PCRM_OK && !have_secret && !v->any_wrapped) {
			rc = secret_derive(key, secret);
			have_secret = rc == PCRM_OK;
		}
		OPENSSL_cleanse(key, sizeof(key));
		if (rc != PCRM_OK)
			break;
		pcrm__hex_encode(d.check, sizeof(d.check), check_hex);
		if (strcmp(check_hex, r->check) != 0)
			rc = r->version == ctx->key_version && ctx->has_raw_key ?
			             pcrm__error(PCRM_EPERM, "options.data_key: is not the key this "
			                                     "store's personal data is sealed with (key "
			                                     "check value differs)") :
			             pcrm__error(PCRM_EPERM, "options.key_provider: data key version %u is "
			                                     "not the key this store's personal data is "
			                                     "sealed with (key check value differs)",
			                         r->version);
		if (rc == PCRM_OK && !have_secret && r->wrapped[0]) {
			rc = secret_unwrap(d.wrap, r->version, r->wrapped, secret);
			have_secret = rc == PCRM_OK;
		}
		if (rc == PCRM_OK)
			rc = add_wrap_key(ctx, r->version, d.wrap);
		if (r->version == ctx->key_version)
			cur = d;
		OPENSSL_cleanse(&d, sizeof(d));
	}
	if (rc == PCRM_OK && !mine) {
		rc = master_key(ctx, ctx->key_version, key);
		if (rc == PCRM_OK)
			rc = derive(key, &cur);
		/* a store never opened with a key: its secret comes from this first version */
		if (rc == PCRM_OK && !have_secret && v->n == 0) {
			rc = secret_derive(key, secret);
			have_secret = rc == PCRM_OK;
		}
		OPENSSL_cleanse(key, sizeof(key));
		if (rc == PCRM_OK)
			rc = add_wrap_key(ctx, ctx->key_version, cur.wrap);
	}
	if (rc == PCRM_OK && !have_secret)
		rc = pcrm__error(PCRM_EINTEGRITY, "pii_store_key: no stored secret opens with the key "
		                                  "versions this store uses");
	if (rc == PCRM_OK && (!mine || !mine->wrapped[0])) {
		pcrm__hex_encode(cur.check, sizeof(cur.check), check_hex);
		rc = secret_wrap(cur.wrap, ctx->key_version, secret, wrapped_hex);
		if (rc == PCRM_OK)
			rc = record_current(ctx, !mine, check_hex, 1, wrapped_hex);
	}
	if (rc == PCRM_OK) {
		memcpy(ctx->pii_enc_key, secret, PCRM_AEAD_KEY_LEN);
		memcpy(ctx->pii_mac_key, secret + PCRM_AEAD_KEY_LEN, sizeof(ctx->pii_mac_key));
		memcpy(ctx->pii_wrap_key, cur.wrap, sizeof(ctx->pii_wrap_key));
		memcpy(ctx->key_check, cur.check, sizeof(ctx->key_check));
		ctx->has_data_key = 1;
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(&cur, sizeof(cur));
	if (rc != PCRM_OK) {
		OPENSSL_cleanse(ctx->wrap_keys, sizeof(ctx->wrap_keys));
		ctx->wrap_key_count = 0;
	}
	return rc;
}

int pcrm__store_key_check(pcrm_ctx *ctx)
{
	struct versions *v;
	int rc = PCRM_OK;

	if (!ctx->has_raw_key && !ctx->key_provider) {
		pcrm__ctx_forget_key_source(ctx);
		return PCRM_OK;
	}
	if (!(v = malloc(sizeof(*v))))
		return pcrm__error_oom();
	for (int attempt = 0; attempt < 2; attempt++) {
		rc = check_once(ctx, v);
		if (rc != PCRM_EDUPLICATE)
			break;
	}
	free(v);
	pcrm__ctx_forget_key_source(ctx);
	return rc;
}
