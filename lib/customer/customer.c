/* Customers: create, read, update, close; the ID number sealed on the way in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/crypto.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/json_doc.h"
#include "customer_internal.h"
#include "org/org_internal.h"
#include "pii.h"
#include "store/store.h"

#define ID_MAX PCRM__ID_MAX

static const char *doc_str(const json_t *doc, const char *key);

_Static_assert(PCRM_AEAD_OVERHEAD == 28, "struct pcrm__sealed_id sizes its cipher for 28 bytes of overhead");

static int need_data_key(const pcrm_ctx *ctx)
{
	if (ctx->has_data_key)
		return PCRM_OK;
	return pcrm__error(PCRM_EPERM, "id_number: this context has no data key (open it with "
	                               "options.data_key to store or search ID numbers)");
}

int pcrm__id_lookup_hash(const pcrm_ctx *ctx, const char *id, char out[PCRM_SHA256_HEX_LEN + 1])
{
	int rc = need_data_key(ctx);
	if (rc != PCRM_OK)
		return rc;
	return pcrm__hmac_sha256_hex(ctx->pii_mac_key, sizeof(ctx->pii_mac_key), id, strlen(id), out);
}

/* The customer number is the associated data: a cipher copied to another row fails to open. */
int pcrm__customer_seal_id(const pcrm_ctx *ctx, const char *customer_no, const char *id,
                           struct pcrm__sealed_id *out)
{
	unsigned char sealed[ID_MAX + PCRM_AEAD_OVERHEAD];
	size_t n = strlen(id);
	int rc = pcrm__id_lookup_hash(ctx, id, out->hash);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__aead_seal(ctx->pii_enc_key, customer_no, strlen(customer_no), id, n, sealed);
	if (rc != PCRM_OK)
		return rc;
	pcrm__hex_encode(sealed, n + PCRM_AEAD_OVERHEAD, out->cipher);
	pcrm__id_number_mask(id, out->masked);
	return PCRM_OK;
}

int pcrm__customer_open_id(const pcrm_ctx *ctx, const char *customer_no, const char *cipher_hex,
                           char out[ID_MAX + 1])
{
	unsigned char sealed[ID_MAX + PCRM_AEAD_OVERHEAD];
	long n = pcrm__hex_decode(cipher_hex, sealed, sizeof(sealed));
	int rc = need_data_key(ctx);
	if (rc != PCRM_OK)
		return rc;
	if (n < PCRM_AEAD_OVERHEAD)
		return pcrm__error(PCRM_EINTEGRITY, "id_number: stored cipher is malformed");
	rc = pcrm__aead_open(ctx->pii_enc_key, customer_no, strlen(customer_no), sealed, (size_t)n,
	                     (unsigned char *)out);
	if (rc == PCRM_OK)
		out[n - PCRM_AEAD_OVERHEAD] = '\0';
	return rc;
}

/* ---- the customer object ---- */

int pcrm__customer_wrap(json_t *doc, int version, pcrm_time created_at, pcrm_time updated_at,
                        pcrm_customer **out)
{
	pcrm_customer *c = calloc(1, sizeof(*c));
	if (!c)
		return pcrm__error_oom();
	json_object_set_new(doc, "version", json_integer(version));
	json_object_set_new(doc, "created_at", json_integer(created_at));
	json_object_set_new(doc, "updated_at", json_integer(updated_at));
	c->doc = json_incref(doc);
	c->json = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	if (!c->json) {
		pcrm_customer_free(c);
		return pcrm__error_oom();
	}
	c->no = json_string_value(json_object_get(doc, "customer_no"));
	c->name = json_string_value(json_object_get(doc, "name"));
	c->org_unit = json_string_value(json_object_get(doc, "org_unit"));
	c->status = json_string_value(json_object_get(doc, "status"));
	c->vip_level = (int)json_integer_value(json_object_get(doc, "vip_level"));
	c->version = version;
	c->created_at = created_at;
	c->updated_at = updated_at;
	*out = c;
	return PCRM_OK;
}

void pcrm_customer_free(pcrm_customer *c)
{
	if (!c)
		return;
	json_decref(c->doc);
	free(c->json);
	free(c);
}

int pcrm__customer_org_read(pcrm_ctx *ctx, const char *customer_no, char **org)
{
	static const char sql[] = "SELECT org_unit FROM customer WHERE customer_no = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(customer_no) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);

	*org = NULL;
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1) {
		*org = strdup(pcrm__rows_text(rows, 0));
		rc = *org ? PCRM_OK : pcrm__error_oom();
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "customer \"%.32s\" does not exist", customer_no);
	}
	pcrm__rows_free(rows);
	return rc;
}

/* NULL in, NULL (or 0) out, as the other modules' accessors do. */
const char *pcrm_customer_no(const pcrm_customer *c) { return c ? c->no : NULL; }
const char *pcrm_customer_name(const pcrm_customer *c) { return c ? c->name : NULL; }
const char *pcrm_customer_org_unit(const pcrm_customer *c) { return c ? c->org_unit : NULL; }
const char *pcrm_customer_status(const pcrm_customer *c) { return c ? c->status : NULL; }
int pcrm_customer_vip_level(const pcrm_customer *c) { return c ? c->vip_level : 0; }
int pcrm_customer_version(const pcrm_customer *c) { return c ? c->version : 0; }
pcrm_time pcrm_customer_created_at(const pcrm_customer *c) { return c ? c->created_at : 0; }
pcrm_time pcrm_customer_updated_at(const pcrm_customer *c) { return c ? c->updated_at : 0; }
const char *pcrm_customer_json(const pcrm_customer *c) { return c ? c->json : NULL; }

/* ---- reading rows ---- */

/* A stored row, before it becomes a pcrm_customer. */
struct customer_row {
	json_t *doc;
	char *id_masked;
	char *id_cipher;
	char *pii_key; /* the customer's wrapped data key, NULL before migration 20 or erased */
	int erased;
	int version;
	pcrm_time created_at;
	pcrm_time updated_at;
};

static void row_clear(struct customer_row *r)
{
	json_decref(r->doc);
	free(r->id_masked);
	free(r->id_cipher);
	free(r->pii_key);
	memset(r, 0, sizeof(*r));
}

/* Columns of PCRM__CUSTOMER_COLUMNS, in order; the personal fields unsealed into the doc. */
static int row_from_rows(const pcrm_ctx *ctx, pcrm_rows *rows, struct customer_row *r)
{
	json_error_t err;
	const char *masked = pcrm__rows_text(rows, 1), *cipher = pcrm__rows_text(rows, 2);
	const char *pii_key = pcrm__rows_text(rows, 7);
	int rc;
	memset(r, 0, sizeof(*r));
	r->doc = json_loads(pcrm__rows_text(rows, 0), 0, &err);
	if (!r->doc)
		return pcrm__error(PCRM_ESTORE, "customer row holds invalid JSON: %s", err.text);
	r->id_masked = masked ? strdup(masked) : NULL;
	r->id_cipher = cipher ? strdup(cipher) : NULL;
	r->pii_key = pii_key ? strdup(pii_key) : NULL;
	r->erased = !pcrm__rows_is_null(rows, 8);
	r->version = (int)pcrm__rows_int(rows, 3);
	r->created_at = pcrm__rows_int(rows, 4);
	r->updated_at = pcrm__rows_int(rows, 5);
	if ((masked && !r->id_masked) || (cipher && !r->id_cipher) || (pii_key && !r->pii_key)) {
		row_clear(r);
		return pcrm__error_oom();
	}
	rc = pcrm__customer_unseal(ctx, doc_str(r->doc, "customer_no"), r->doc,
	                           pcrm__rows_text(rows, 6), pii_key, r->erased);
	if (rc != PCRM_OK)
		row_clear(r);
	return rc;
}

static int load_row(pcrm_ctx *ctx, const char *customer_no, struct customer_row *r)
{
	static const char sql[] =
		"SELECT " PCRM__CUSTOMER_COLUMNS " FROM customer c WHERE c.customer_no = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(customer_no) };
	pcrm_rows *rows;
	int rc;
	memset(r, 0, sizeof(*r)); /* a miss leaves nothing for row_clear() to free */
	rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1)
		rc = row_from_rows(ctx, rows, r);
	else if (rc == 0)
		rc = pcrm__error(PCRM_ENOTFOUND, "customer \"%.32s\" does not exist", customer_no);
	pcrm__rows_free(rows);
	return rc;
}

/* Turns a row into the caller's object, the ID number masked. */
static int row_to_customer(struct customer_row *r, pcrm_customer **out)
{
	if (r->id_masked)
		json_object_set_new(r->doc, "id_number", json_string(r->id_masked));
	return pcrm__customer_wrap(r->doc, r->version, r->created_at, r->updated_at, out);
}

int pcrm__customer_list_rows(const pcrm_ctx *ctx, pcrm_rows *rows, int limit,
                             pcrm_customer ***items, size_t *count)
{
	size_t cap = 0;
	int rc;
	*items = NULL;
	*count = 0;
	while ((limit <= 0 || (int)*count < limit) && (rc = pcrm__rows_next(rows)) == 1) {
		struct customer_row r;
		if (*count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			pcrm_customer **n = realloc(*items, ncap * sizeof(*n));
			if (!n)
				return pcrm__error_oom();
			*items = n;
			cap = ncap;
		}
		rc = row_from_rows(ctx, rows, &r);
		if (rc == PCRM_OK)
			rc = row_to_customer(&r, &(*items)[*count]);
		row_clear(&r);
		if (rc != PCRM_OK)
			return rc;
		(*count)++;
	}
	return rc < 0 ? rc : PCRM_OK;
}

/* ---- writing rows ---- */

static int parse_json(const char *what, const char *text, json_t **out)
{
	json_error_t err;
	*out = NULL; /* callers free *out on every path, even when there is no text */
	if (!text)
		return pcrm__error(PCRM_EINVAL, "%s: missing", what);
	*out = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	if (!*out)
		return pcrm__error(PCRM_EINVAL, "%s: invalid JSON at line %d column %d: %s", what,
		                   err.line, err.column, pcrm__json_error_text(&err));
	return PCRM_OK;
}

static const char *doc_str(const json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key));
}

char *pcrm__customer_stored_doc(const json_t *doc)
{
	json_t *copy = json_deep_copy(doc);
	char *text;
	if (!copy)
		return NULL;
	json_object_del(copy, "id_number");
	/* the personal fields live sealed in pii_cipher (pii.h) */
	json_object_del(copy, "name");
	json_object_del(copy, "phones");
	json_object_del(copy, "email");
	json_object_del(copy, "addresses");
	json_object_del(copy, "version");
	json_object_del(copy, "created_at");
	json_object_del(copy, "updated_at");
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	return text;
}

/* The screen-pop index: a mask and the blind index of each phone, never the number. */
static int write_phones(pcrm_ctx *ctx, const json_t *doc, const struct pcrm__customer_seal *seal,
                        int replace)
{
	const char *no = doc_str(doc, "customer_no");
	int rc = PCRM_OK;

	if (replace) {
		pcrm_sql_value p[1] = { PCRM_SQL_S(no) };
		rc = pcrm__store_exec(ctx->store, "DELETE FROM customer_phone WHERE customer_no = $1",
		                      p, 1, NULL);
	}
	for (size_t i = 0; i < seal->phone_count && rc == PCRM_OK; i++) {
		pcrm_sql_value p[4] = { PCRM_SQL_S(no), PCRM_SQL_S(seal->phones[i].kind),
			                PCRM_SQL_S(seal->phones[i].masked),
			                PCRM_SQL_S(seal->phones[i].hash) };
		rc = pcrm__store_exec(ctx->store,
		                      "INSERT INTO customer_phone (customer_no, kind, phone, phone_hash) "
		                      "VALUES ($1, $2, $3, $4)",
		                      p, 4, NULL);
	}
	return rc;
}

/* The audit summary: the document with every personal field masked. */
static json_t *audit_summary(const json_t *doc, const struct pcrm__sealed_id *id)
{
	json_t *s = pcrm__pii_audit_copy(doc);
	if (s && json_object_get(s, "id_number"))
		json_object_set_new(s, "id_number", json_string(id ? id->masked : "(unchanged)"));
	return s;
}

static int insert_customer(pcrm_ctx *ctx, const pcrm_actor *actor, json_t *doc,
                           const struct pcrm__sealed_id *id, const struct pcrm__customer_seal *seal)
{
	static const char sql[] =
		"INSERT INTO customer (customer_no, org_unit, kind, name, usage_class, voltage_level, "
		"status, vip_level, transformer_area, doc, id_masked, id_cipher, id_hash, created_at, "
		"updated_at, version, household_size, low_income, pii_cipher, pii_key, key_version, "
		"name_hash) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, 1, $15, $16, "
		"$17, $18, $19, $20)";
	pcrm_time now = pcrm_ctx_now(ctx);
	char *text = pcrm__customer_stored_doc(doc);
	json_t *summary;
	pcrm_sql_value p[20];
	int rc;

	if (!text)
		return pcrm__error_oom();
	p[0] = PCRM_SQL_S(doc_str(doc, "customer_no"));
	p[1] = PCRM_SQL_S(doc_str(doc, "org_unit"));
	p[2] = PCRM_SQL_S(doc_str(doc, "kind"));
	p[3] = PCRM_SQL_S(seal->name_masked);
	p[4] = PCRM_SQL_S(doc_str(doc, "usage_class"));
	p[5] = PCRM_SQL_S(doc_str(doc, "voltage_level"));
	p[6] = PCRM_SQL_S(doc_str(doc, "status"));
	p[7] = PCRM_SQL_I(json_integer_value(json_object_get(doc, "vip_level")));
	p[8] = PCRM_SQL_S(doc_str(doc, "transformer_area"));
	p[9] = PCRM_SQL_S(text);
	p[10] = PCRM_SQL_S(id ? id->masked : NULL);
	p[11] = PCRM_SQL_S(id ? id->cipher : NULL);
	p[12] = PCRM_SQL_S(id ? id->hash : NULL);
	p[13] = PCRM_SQL_I(now);
	p[14] = PCRM_SQL_I(pcrm__customer_household_size(doc));
	p[15] = PCRM_SQL_I(pcrm__customer_low_income(doc));
	p[16] = PCRM_SQL_S(seal->cipher);
	p[17] = PCRM_SQL_S(seal->dek_wrapped);
	p[18] = PCRM_SQL_I(ctx->key_version);
	p[19] = PCRM_SQL_S(seal->name_hash);
	rc = pcrm__store_exec(ctx->store, sql, p, 20, NULL);
	free(text);
	if (rc == PCRM_EDUPLICATE)
		return pcrm__error(PCRM_EDUPLICATE, "customer_no: \"%s\" is already taken",
		                   doc_str(doc, "customer_no"));
	if (rc == PCRM_OK)
		rc = write_phones(ctx, doc, seal, 0);
	if (rc != PCRM_OK)
		return rc;
	summary = audit_summary(doc, id);
	rc = pcrm__audit_append(ctx, actor, "customer.create", "customer", doc_str(doc, "customer_no"),
	                        summary);
	json_decref(summary);
	return rc;
}

/* Validation, permission and sealing: everything that may refuse before a write starts. */
static int prepare_new(pcrm_ctx *ctx, const pcrm_actor *actor, json_t *doc, struct pcrm__sealed_id *id,
                       int *has_id, struct pcrm__customer_seal *seal)
{
	int rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__customer_validate(doc, 0);
	if (rc == PCRM_OK)
		rc = pcrm_authorize(ctx, actor, PCRM_PERM_ARCHIVE_WRITE, doc_str(doc, "org_unit"));
	*has_id = json_object_get(doc, "id_number") != NULL;
	if (rc == PCRM_OK && *has_id)
		rc = pcrm__customer_seal_id(ctx, doc_str(doc, "customer_no"), doc_str(doc, "id_number"), id);
	if (rc == PCRM_OK)
		rc = pcrm__customer_seal(ctx, doc, NULL, seal);
	return rc;
}

int pcrm_customer_create(pcrm_ctx *ctx, const pcrm_actor *actor, const char *json,
                         pcrm_customer **out)
{
	struct pcrm__sealed_id id;
	struct pcrm__customer_seal seal;
	json_t *doc;
	int has_id, rc;

	if (out)
		*out = NULL;
	rc = parse_json("customer", json, &doc);
	if (rc != PCRM_OK)
		return rc;
	memset(&seal, 0, sizeof(seal));
	rc = prepare_new(ctx, actor, doc, &id, &has_id, &seal);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store,
		                        insert_customer(ctx, actor, doc, has_id ? &id : NULL, &seal));
	pcrm__customer_seal_clear(&seal);
	if (rc == PCRM_OK && out) {
		pcrm_time now = pcrm_ctx_now(ctx);
		if (has_id)
			json_object_set_new(doc, "id_number", json_string(id.masked));
		rc = pcrm__customer_wrap(doc, 1, now, now, out);
	}
	json_decref(doc);
	return rc;
}

static int reveal_id(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                     const char *org_unit, struct customer_row *r)
{
	char id[ID_MAX + 1];
	int rc = pcrm_authorize(ctx, actor, PCRM_PERM_PII_READ, org_unit);
	if (rc != PCRM_OK || !r->id_cipher)
		return rc;
	rc = pcrm__customer_open_id(ctx, customer_no, r->id_cipher, id);
	if (rc != PCRM_OK)
		return rc;
	/* Seeing a full ID number is recorded like a change. */
	rc = pcrm__audit_append(ctx, actor, "customer.reveal_id", "customer", customer_no, NULL);
	if (rc == PCRM_OK) {
		free(r->id_masked);
		r->id_masked = strdup(id);
		rc = r->id_masked ? PCRM_OK : pcrm__error_oom();
	}
	return rc;
}

int pcrm_customer_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                      unsigned int flags, pcrm_customer **out)
{
	struct customer_row r;
	const char *org;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	if (!customer_no || !*customer_no)
		return pcrm__error(PCRM_EINVAL, "customer_no: missing");
	if (flags & ~PCRM_CUSTOMER_REVEAL_ID)
		return pcrm__error(PCRM_EINVAL, "flags: unknown bits 0x%x", flags);
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = load_row(ctx, customer_no, &r);
	if (rc != PCRM_OK && rc != PCRM_ENOTFOUND)
		return rc;
	org = rc == PCRM_OK ? doc_str(r.doc, "org_unit") : NULL;
	rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_ARCHIVE_READ, "customer", customer_no, rc,
	                           org);
	if (rc == PCRM_OK && (flags & PCRM_CUSTOMER_REVEAL_ID))
		rc = reveal_id(ctx, actor, customer_no, org, &r);
	if (rc == PCRM_OK)
		rc = row_to_customer(&r, out);
	row_clear(&r);
	return rc;
}

/* ---- update and close ---- */

static int write_update(pcrm_ctx *ctx, const pcrm_actor *actor, json_t *doc, int expected_version,
                        const struct pcrm__sealed_id *id, const struct pcrm__customer_seal *seal,
                        const json_t *patch, const char *action)
{
	static const char sql[] =
		"UPDATE customer SET org_unit = $1, kind = $2, name = $3, usage_class = $4, "
		"voltage_level = $5, status = $6, vip_level = $7, transformer_area = $8, doc = $9, "
		"id_masked = COALESCE($10, id_masked), id_cipher = COALESCE($11, id_cipher), "
		"id_hash = COALESCE($12, id_hash), updated_at = $13, version = version + 1, "
		"household_size = $16, low_income = $17, pii_cipher = $18, pii_key = $19, "
		"key_version = $20, name_hash = $21 WHERE customer_no = $14 AND version = $15";
	char *text = pcrm__customer_stored_doc(doc);
	json_t *summary, *masked;
	int64_t changes = 0;
	pcrm_sql_value p[21];
	int rc;

	if (!text)
		return pcrm__error_oom();
	p[0] = PCRM_SQL_S(doc_str(doc, "org_unit"));
	p[1] = PCRM_SQL_S(doc_str(doc, "kind"));
	p[2] = PCRM_SQL_S(seal->name_masked);
	p[3] = PCRM_SQL_S(doc_str(doc, "usage_class"));
	p[4] = PCRM_SQL_S(doc_str(doc, "voltage_level"));
	p[5] = PCRM_SQL_S(doc_str(doc, "status"));
	p[6] = PCRM_SQL_I(json_integer_value(json_object_get(doc, "vip_level")));
	p[7] = PCRM_SQL_S(doc_str(doc, "transformer_area"));
	p[8] = PCRM_SQL_S(text);
	p[9] = PCRM_SQL_S(id ? id->masked : NULL);
	p[10] = PCRM_SQL_S(id ? id->cipher : NULL);
	p[11] = PCRM_SQL_S(id ? id->hash : NULL);
	p[12] = PCRM_SQL_I(pcrm_ctx_now(ctx));
	p[13] = PCRM_SQL_S(doc_str(doc, "customer_no"));
	p[14] = PCRM_SQL_I(expected_version);
	p[15] = PCRM_SQL_I(pcrm__customer_household_size(doc));
	p[16] = PCRM_SQL_I(pcrm__customer_low_income(doc));
	p[17] = PCRM_SQL_S(seal->cipher);
	p[18] = PCRM_SQL_S(seal->dek_wrapped);
	p[19] = PCRM_SQL_I(ctx->key_version);
	p[20] = PCRM_SQL_S(seal->name_hash);
	rc = pcrm__store_exec(ctx->store, sql, p, 21, &changes);
	free(text);
	if (rc == PCRM_OK && changes != 1)
		rc = pcrm__error(PCRM_ECONFLICT, "customer \"%s\" was changed concurrently; read it again",
		                 doc_str(doc, "customer_no"));
	if (rc == PCRM_OK)
		rc = write_phones(ctx, doc, seal, 1);
	if (rc == PCRM_OK)
		rc = pcrm__account_customer_sync(ctx, doc_str(doc, "customer_no"));
	if (rc != PCRM_OK)
		return rc;
	masked = pcrm__pii_audit_copy(patch);
	summary = json_pack("{s:o, s:i}", "changed", masked, "version", expected_version + 1);
	if (json_object_get(patch, "id_number"))
		json_object_set_new(json_object_get(summary, "changed"), "id_number",
		                    json_string(id ? id->masked : "(removed)"));
	rc = pcrm__audit_append(ctx, actor, action, "customer", doc_str(doc, "customer_no"), summary);
	json_decref(summary);
	return rc;
}

/* Loads, authorises and checks the version: the common start of update and close. */
static int load_for_change(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                           int expected_version, struct customer_row *r)
{
	int rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK && (!customer_no || !*customer_no))
		rc = pcrm__error(PCRM_EINVAL, "customer_no: missing");
	if (rc == PCRM_OK)
		rc = load_row(ctx, customer_no, r);
	if (rc != PCRM_OK && rc != PCRM_ENOTFOUND)
		return rc;
	rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_ARCHIVE_WRITE, "customer", customer_no, rc,
	                           rc == PCRM_OK ? doc_str(r->doc, "org_unit") : NULL);
	if (rc == PCRM_OK && r->erased)
		rc = pcrm__error(PCRM_ESTATE, "customer \"%s\" is erased and cannot change", customer_no);
	if (rc == PCRM_OK && strcmp(doc_str(r->doc, "status"), "closed") == 0)
		rc = pcrm__error(PCRM_ESTATE, "customer \"%s\" is closed and cannot change", customer_no);
	if (rc == PCRM_OK && r->version != expected_version)
		rc = pcrm__error(PCRM_ECONFLICT,
		                 "customer \"%s\" is at version %d, not %d: somebody changed it; read it "
		                 "again",
		                 customer_no, r->version, expected_version);
	if (rc != PCRM_OK)
		row_clear(r);
	return rc;
}

static int apply_patch(pcrm_ctx *ctx, const pcrm_actor *actor, struct customer_row *r,
                       const json_t *patch, struct pcrm__sealed_id *id, int *new_id,
                       struct pcrm__customer_seal *seal)
{
	const char *old_org = doc_str(r->doc, "org_unit");
	char *old_org_copy = strdup(old_org);
	int rc;

	if (!old_org_copy)
		return pcrm__error_oom();
	rc = pcrm__customer_merge(r->doc, patch);
	/* Moving a customer needs write permission on the receiving org unit too. */
	if (rc == PCRM_OK && strcmp(old_org_copy, doc_str(r->doc, "org_unit")) != 0)
		rc = pcrm_authorize(ctx, actor, PCRM_PERM_ARCHIVE_WRITE, doc_str(r->doc, "org_unit"));
	free(old_org_copy);
	*new_id = json_object_get(patch, "id_number") && !json_is_null(json_object_get(patch, "id_number"));
	if (rc == PCRM_OK && *new_id)
		rc = pcrm__customer_seal_id(ctx, doc_str(r->doc, "customer_no"), doc_str(r->doc, "id_number"), id);
	if (rc == PCRM_OK && json_is_null(json_object_get(patch, "id_number")))
		rc = pcrm__error(PCRM_EINVAL, "id_number: cannot be removed, only replaced");
	/* every write seals again: a row stored before migration 20 comes out sealed */
	if (rc == PCRM_OK)
		rc = pcrm__customer_seal(ctx, r->doc, r->pii_key, seal);
	return rc;
}

int pcrm_customer_update(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                         const char *patch_json, int expected_version, pcrm_customer **out)
{
	struct customer_row r;
	struct pcrm__sealed_id id;
	struct pcrm__customer_seal seal;
	json_t *patch;
	int new_id = 0, rc;

	if (out)
		*out = NULL;
	rc = parse_json("patch", patch_json, &patch);
	if (rc == PCRM_OK && (rc = pcrm__customer_validate(patch, 1)) == PCRM_OK &&
	    json_object_get(patch, "customer_no"))
		rc = pcrm__error(PCRM_EINVAL, "customer_no: cannot change");
	if (rc != PCRM_OK) {
		json_decref(patch);
		return rc;
	}
	rc = load_for_change(ctx, actor, customer_no, expected_version, &r);
	if (rc != PCRM_OK) {
		json_decref(patch);
		return rc;
	}
	memset(&seal, 0, sizeof(seal));
	rc = apply_patch(ctx, actor, &r, patch, &id, &new_id, &seal);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, write_update(ctx, actor, r.doc, expected_version,
		                                                 new_id ? &id : NULL, &seal, patch,
		                                                 "customer.update"));
	pcrm__customer_seal_clear(&seal);
	if (rc == PCRM_OK && out) {
		json_object_del(r.doc, "id_number");
		if (new_id) {
			free(r.id_masked);
			r.id_masked = strdup(id.masked);
		}
		r.version = expected_version + 1;
		r.updated_at = pcrm_ctx_now(ctx);
		rc = row_to_customer(&r, out);
	}
	row_clear(&r);
	json_decref(patch);
	return rc;
}

int pcrm_customer_close(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                        int expected_version)
{
	struct customer_row r;
	struct pcrm__customer_seal seal;
	json_t *patch;
	int rc = load_for_change(ctx, actor, customer_no, expected_version, &r);
	if (rc != PCRM_OK)
		return rc;
	patch = json_pack("{s:s}", "status", "closed");
	json_object_set(r.doc, "status", json_object_get(patch, "status"));
	rc = pcrm__customer_seal(ctx, r.doc, r.pii_key, &seal);
	if (rc == PCRM_OK) {
		rc = pcrm__store_begin(ctx->store);
		if (rc == PCRM_OK)
			rc = pcrm__store_finish(ctx->store,
			                        write_update(ctx, actor, r.doc, expected_version, NULL,
			                                     &seal, patch, "customer.close"));
		pcrm__customer_seal_clear(&seal);
	}
	json_decref(patch);
	row_clear(&r);
	return rc;
}
