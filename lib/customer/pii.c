/* Personal data at rest: customer data keys, sealing, blind indexes, masks (pii.h). */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/crypto.h"
#include "core/ctx.h"
#include "core/error.h"
#include "pii.h"
#include "store/store.h"

static const char *const sealed_fields[] = { "name", "phones", "email", "addresses", NULL };

int pcrm__pii_is_sealed_field(const char *key)
{
	for (const char *const *f = sealed_fields; *f; f++)
		if (strcmp(key, *f) == 0)
			return 1;
	return 0;
}

int pcrm__pii_need_key(const pcrm_ctx *ctx, const char *field)
{
	if (ctx->has_data_key)
		return PCRM_OK;
	return pcrm__error(PCRM_EPERM, "%s: this context has no data key (open it with "
	                               "options.data_key: personal data is stored sealed)", field);
}

/* The DEK is bound to its customer: a wrapped key copied to another row does not open. */
static void dek_aad(const char *customer_no, char *out, size_t size)
{
	snprintf(out, size, "dek:%s", customer_no);
}

static int wrap_dek(const pcrm_ctx *ctx, const char *customer_no,
                    const unsigned char dek[PCRM__DEK_LEN], char wrapped[PCRM__DEK_WRAPPED_HEX])
{
	unsigned char sealed[PCRM__DEK_LEN + PCRM_AEAD_OVERHEAD];
	char aad[64];
	int prefix = 0, rc;
	dek_aad(customer_no, aad, sizeof(aad));
	rc = pcrm__aead_seal(ctx->pii_wrap_key, aad, strlen(aad), dek, PCRM__DEK_LEN, sealed);
	if (rc != PCRM_OK)
		return rc;
	if (ctx->key_version != 1)
		prefix = snprintf(wrapped, PCRM__DEK_WRAPPED_HEX, "v%u:", ctx->key_version);
	pcrm__hex_encode(sealed, sizeof(sealed), wrapped + prefix);
	return PCRM_OK;
}

int pcrm__dek_new(const pcrm_ctx *ctx, const char *customer_no, unsigned char dek[PCRM__DEK_LEN],
                  char wrapped[PCRM__DEK_WRAPPED_HEX])
{
	int rc = pcrm__pii_need_key(ctx, "customer");
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__random_bytes(dek, PCRM__DEK_LEN);
	return rc == PCRM_OK ? wrap_dek(ctx, customer_no, dek, wrapped) : rc;
}

/* The version named by the "v<N>:" prefix (1 without one); *hex points past it. */
static unsigned int parse_version(const char *wrapped, const char **hex)
{
	unsigned long v = 1;
	char *end;
	*hex = wrapped;
	if (wrapped[0] != 'v')
		return 1;
	v = strtoul(wrapped + 1, &end, 10);
	if (end == wrapped + 1 || *end != ':' || v < 1 || v > PCRM_KEY_VERSION_MAX)
		return 0;
	*hex = end + 1;
	return (unsigned int)v;
}

unsigned int pcrm__dek_version(const char *wrapped)
{
	const char *hex;
	return parse_version(wrapped, &hex);
}

int pcrm__dek_open(const pcrm_ctx *ctx, const char *customer_no, const char *wrapped,
                   unsigned char dek[PCRM__DEK_LEN])
{
	unsigned char sealed[PCRM__DEK_LEN + PCRM_AEAD_OVERHEAD];
	const unsigned char *key = NULL;
	const char *hex;
	unsigned int version = parse_version(wrapped, &hex);
	char aad[64];
	int rc = pcrm__pii_need_key(ctx, "customer");
	if (rc != PCRM_OK)
		return rc;
	if (version == 0 || pcrm__hex_decode(hex, sealed, sizeof(sealed)) != (long)sizeof(sealed))
		return pcrm__error(PCRM_EINTEGRITY, "customer \"%.32s\": stored data key is malformed",
		                   customer_no);
	for (size_t i = 0; i < ctx->wrap_key_count; i++)
		if (ctx->wrap_keys[i].version == version)
			key = ctx->wrap_keys[i].key;
	/* a version added by a context opened after this one: reopen with it */
	if (!key)
		return pcrm__error(PCRM_EPERM, "customer \"%.32s\": its data key is wrapped under key "
		                               "version %u, which this context was not opened with",
		                   customer_no, version);
	dek_aad(customer_no, aad, sizeof(aad));
	rc = pcrm__aead_open(key, aad, strlen(aad), sealed, sizeof(sealed), dek);
	if (rc != PCRM_OK)
		pcrm__error_prefix("customer \"%.32s\": data key", customer_no);
	return rc;
}

int pcrm__dek_rewrap(const pcrm_ctx *ctx, const char *customer_no, const char *wrapped,
                     char out[PCRM__DEK_WRAPPED_HEX])
{
	unsigned char dek[PCRM__DEK_LEN];
	int rc;
	if (pcrm__dek_version(wrapped) == ctx->key_version) {
		snprintf(out, PCRM__DEK_WRAPPED_HEX, "%s", wrapped);
		return PCRM_OK;
	}
	rc = pcrm__dek_open(ctx, customer_no, wrapped, dek);
	if (rc == PCRM_OK)
		rc = wrap_dek(ctx, customer_no, dek, out);
	OPENSSL_cleanse(dek, sizeof(dek));
	return rc;
}

int pcrm__blind_index(const pcrm_ctx *ctx, const char *domain, const char *value,
                      char out[PCRM_SHA256_HEX_LEN + 1])
{
	/* "domain\0value": the same text in two fields gets two unrelated indexes */
	size_t dl = strlen(domain), vl = strlen(value);
	char stack[320], *buf = dl + vl + 1 <= sizeof(stack) ? stack : malloc(dl + vl + 1);
	int rc = pcrm__pii_need_key(ctx, domain);
	if (!buf)
		return pcrm__error_oom();
	if (rc == PCRM_OK) {
		memcpy(buf, domain, dl + 1);
		memcpy(buf + dl + 1, value, vl);
		rc = pcrm__hmac_sha256_hex(ctx->pii_mac_key, sizeof(ctx->pii_mac_key), buf, dl + 1 + vl,
		                           out);
	}
	if (buf != stack)
		free(buf);
	return rc;
}

int pcrm__pii_seal_text(const unsigned char dek[PCRM__DEK_LEN], const char *aad, const char *text,
                        char **hex)
{
	size_t n = strlen(text);
	unsigned char *sealed = malloc(n + PCRM_AEAD_OVERHEAD);
	int rc;
	*hex = NULL;
	if (!sealed)
		return pcrm__error_oom();
	rc = pcrm__aead_seal(dek, aad, strlen(aad), text, n, sealed);
	if (rc == PCRM_OK && !(*hex = malloc(2 * (n + PCRM_AEAD_OVERHEAD) + 1)))
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		pcrm__hex_encode(sealed, n + PCRM_AEAD_OVERHEAD, *hex);
	free(sealed);
	return rc;
}

int pcrm__pii_open_text(const unsigned char dek[PCRM__DEK_LEN], const char *aad, const char *hex,
                        char **text)
{
	size_t cap = strlen(hex) / 2;
	unsigned char *sealed = malloc(cap ? cap : 1);
	long n;
	int rc;
	*text = NULL;
	if (!sealed)
		return pcrm__error_oom();
	n = pcrm__hex_decode(hex, sealed, cap);
	if (n < PCRM_AEAD_OVERHEAD) {
		free(sealed);
		return pcrm__error(PCRM_EINTEGRITY, "sealed personal data is malformed");
	}
	*text = malloc((size_t)n - PCRM_AEAD_OVERHEAD + 1);
	rc = *text ? pcrm__aead_open(dek, aad, strlen(aad), sealed, (size_t)n, (unsigned char *)*text)
	           : pcrm__error_oom();
	if (rc == PCRM_OK) {
		(*text)[n - PCRM_AEAD_OVERHEAD] = '\0';
	} else {
		free(*text);
		*text = NULL;
	}
	free(sealed);
	return rc;
}

/* ---- masks ---- */

void pcrm__mask_name(const char *name, char out[PCRM__NAME_MASK_MAX + 1])
{
	size_t first = 1;
	unsigned char c = (unsigned char)name[0];
	/* the length of the first UTF-8 character (the text was validated) */
	if (c >= 0xF0)
		first = 4;
	else if (c >= 0xE0)
		first = 3;
	else if (c >= 0xC0)
		first = 2;
	if (strlen(name) <= first) {
		strcpy(out, "*");
		return;
	}
	memcpy(out, name, first);
	strcpy(out + first, "**");
}

void pcrm__mask_phone(const char *phone, char out[PCRM_PHONE_MAX])
{
	size_t n = strlen(phone);
	if (n >= PCRM_PHONE_MAX)
		n = PCRM_PHONE_MAX - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (n >= 8 && (i < 3 || i >= n - 4)) ? phone[i] : '*';
	out[n] = '\0';
}

static json_t *mask_email(const char *email)
{
	const char *at = strchr(email, '@');
	char buf[300];
	snprintf(buf, sizeof(buf), "%c***%s", email[0], at ? at : "");
	return json_string(buf);
}

json_t *pcrm__pii_audit_copy(const json_t *doc)
{
	json_t *s = json_deep_copy(doc), *v;
	const char *key;
	char mask[PCRM_PHONE_MAX];
	if (!s)
		return NULL;
	v = json_object_get(s, "name");
	if (json_is_string(v)) {
		char name[PCRM__NAME_MASK_MAX + 1];
		pcrm__mask_name(json_string_value(v), name);
		json_object_set_new(s, "name", json_string(name));
	}
	json_object_foreach(json_object_get(s, "phones"), key, v) {
		if (!json_is_string(v))
			continue;
		pcrm__mask_phone(json_string_value(v), mask);
		json_string_set(v, mask);
	}
	v = json_object_get(s, "email");
	if (json_is_string(v))
		json_object_set_new(s, "email", mask_email(json_string_value(v)));
	v = json_object_get(s, "addresses");
	if (json_is_array(v)) {
		size_t i;
		json_t *a;
		json_array_foreach(v, i, a) {
			if (json_object_get(a, "text"))
				json_object_set_new(a, "text", json_string("***"));
			if (json_object_get(a, "postcode"))
				json_object_set_new(a, "postcode", json_string("***"));
		}
	}
	return s;
}

/* ---- a customer's sealed part ---- */

static const char *doc_str(const json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key));
}

void pcrm__customer_seal_clear(struct pcrm__customer_seal *s)
{
	OPENSSL_cleanse(s->dek, sizeof(s->dek));
	free(s->cipher);
	s->cipher = NULL;
}

static int seal_fields(const json_t *doc, const char *customer_no, struct pcrm__customer_seal *out)
{
	json_t *pii = json_object();
	char *text;
	int rc;
	if (!pii)
		return pcrm__error_oom();
	for (const char *const *f = sealed_fields; *f; f++)
		if (json_object_get(doc, *f))
			json_object_set(pii, *f, json_object_get(doc, *f));
	text = json_dumps(pii, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(pii);
	if (!text)
		return pcrm__error_oom();
	rc = pcrm__pii_seal_text(out->dek, customer_no, text, &out->cipher);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	return rc;
}

int pcrm__customer_seal(const pcrm_ctx *ctx, const json_t *doc, const char *dek_wrapped,
                        struct pcrm__customer_seal *out)
{
	const char *no = doc_str(doc, "customer_no"), *kind;
	json_t *num;
	int rc;

	memset(out, 0, sizeof(*out));
	if (dek_wrapped) {
		rc = pcrm__dek_open(ctx, no, dek_wrapped, out->dek);
		if (rc == PCRM_OK && pcrm__dek_version(dek_wrapped) == ctx->key_version)
			snprintf(out->dek_wrapped, sizeof(out->dek_wrapped), "%s", dek_wrapped);
		else if (rc == PCRM_OK)
			rc = wrap_dek(ctx, no, out->dek, out->dek_wrapped);
	} else {
		rc = pcrm__dek_new(ctx, no, out->dek, out->dek_wrapped);
	}
	if (rc == PCRM_OK)
		rc = seal_fields(doc, no, out);
	if (rc == PCRM_OK)
		rc = pcrm__blind_index(ctx, "name", doc_str(doc, "name"), out->name_hash);
	if (rc == PCRM_OK)
		pcrm__mask_name(doc_str(doc, "name"), out->name_masked);
	json_object_foreach(json_object_get(doc, "phones"), kind, num) {
		if (rc != PCRM_OK || out->phone_count == PCRM__PHONE_KINDS)
			break;
		out->phones[out->phone_count].kind = kind;
		pcrm__mask_phone(json_string_value(num), out->phones[out->phone_count].masked);
		rc = pcrm__blind_index(ctx, "phone", json_string_value(num),
		                       out->phones[out->phone_count].hash);
		out->phone_count++;
	}
	if (rc != PCRM_OK)
		pcrm__customer_seal_clear(out);
	return rc;
}

int pcrm__customer_unseal(const pcrm_ctx *ctx, const char *customer_no, json_t *doc,
                          const char *cipher, const char *dek_wrapped, int erased)
{
	unsigned char dek[PCRM__DEK_LEN];
	json_error_t err;
	json_t *pii;
	char *text;
	int rc;

	if (erased) {
		json_object_set_new(doc, "name", json_string("(erased)"));
		return PCRM_OK;
	}
	if (!cipher)
		return PCRM_OK; /* stored before migration 20: the document holds the fields */
	if (!dek_wrapped)
		return pcrm__error(PCRM_EINTEGRITY, "customer \"%.32s\": sealed data without a data key",
		                   customer_no);
	rc = pcrm__dek_open(ctx, customer_no, dek_wrapped, dek);
	if (rc == PCRM_OK)
		rc = pcrm__pii_open_text(dek, customer_no, cipher, &text);
	OPENSSL_cleanse(dek, sizeof(dek));
	if (rc != PCRM_OK)
		return rc;
	pii = json_loads(text, 0, &err);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	if (!pii)
		return pcrm__error(PCRM_EINTEGRITY, "customer \"%.32s\": sealed data is not JSON",
		                   customer_no);
	json_object_update(doc, pii);
	json_decref(pii);
	return PCRM_OK;
}

int pcrm__customer_dek(pcrm_ctx *ctx, const char *customer_no, int create,
                       unsigned char dek[PCRM__DEK_LEN], enum pcrm__dek_state *state)
{
	static const char sql[] = "SELECT pii_key, erased_at FROM customer WHERE customer_no = $1";
	static const char give[] =
		"UPDATE customer SET pii_key = $2, key_version = $3 WHERE customer_no = $1 "
		"AND pii_key IS NULL";
	char wrapped[PCRM__DEK_WRAPPED_HEX] = "";
	pcrm_sql_value p[3] = { PCRM_SQL_S(customer_no) };
	pcrm_rows *rows;
	int erased = 0, rc = pcrm__pii_need_key(ctx, "customer");

	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1) {
		if (!pcrm__rows_is_null(rows, 0))
			snprintf(wrapped, sizeof(wrapped), "%s", pcrm__rows_text(rows, 0));
		erased = !pcrm__rows_is_null(rows, 1);
		rc = PCRM_OK;
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "customer \"%.32s\" does not exist", customer_no);
	}
	pcrm__rows_free(rows);
	if (rc != PCRM_OK)
		return rc;
	*state = erased ? PCRM__DEK_ERASED : wrapped[0] ? PCRM__DEK_OPEN : PCRM__DEK_NONE;
	if (erased && create)
		return pcrm__error(PCRM_ESTATE, "customer \"%.32s\" is erased: nothing personal can be "
		                                "stored for it", customer_no);
	if (wrapped[0])
		return pcrm__dek_open(ctx, customer_no, wrapped, dek);
	if (erased || !create)
		return PCRM_OK;
	*state = PCRM__DEK_OPEN;
	rc = pcrm__dek_new(ctx, customer_no, dek, wrapped);
	p[1] = PCRM_SQL_S(wrapped);
	p[2] = PCRM_SQL_I(ctx->key_version);
	if (rc == PCRM_OK)
		rc = pcrm__store_exec(ctx->store, give, p, 3, NULL);
	return rc;
}
