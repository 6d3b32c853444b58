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
#include "core/text.h"
#include "org/org_internal.h"
#include "store/store.h"

/* A date as days since 1970-01-01; an open end (invalid date) as NULL. */
static pcrm_sql_value days_or_null(pcrm_date d)
{
	return pcrm_date_is_valid(d) ? PCRM_SQL_I(pcrm_date_to_days(d)) : PCRM_SQL_NUL;
}

/*
 * The document as stored carries one field the pricing loader does not read:
 * "overridable" (true: units inside the owner's subtree may publish their
 * own versions, docs/security.md).  It is taken out here, so lib/tariff's
 * format stays about prices.
 */
static int tariff_doc_load(const char *text, pcrm_tariff **out)
{
	json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, NULL), *flag;
	char *priced;
	int rc;

	*out = NULL;
	if (!json_is_object(doc)) {
		json_decref(doc);
		return pcrm_tariff_load(out, text); /* its message says what is wrong */
	}
	flag = json_object_get(doc, "overridable");
	if (flag && !json_is_boolean(flag)) {
		json_decref(doc);
		return pcrm__error(PCRM_EINVAL, "overridable: expected true or false");
	}
	json_object_del(doc, "overridable");
	priced = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!priced)
		return pcrm__error_oom();
	rc = pcrm_tariff_load(out, priced);
	free(priced);
	return rc;
}

/* Whether a stored (validated) document allows overrides. */
static int doc_overridable(const char *text)
{
	json_t *doc = json_loads(text, 0, NULL);
	int yes = json_is_true(json_object_get(doc, "overridable"));
	json_decref(doc);
	return yes;
}

/* What is stored of a tariff id: its owner and whether the newest base version allows overrides. */
struct tariff_owner {
	int exists, has_owner, overridable;
	char owner[PCRM__BILL_CODE_MAX + 1];
};

static int read_owner(pcrm_ctx *ctx, const char *id, struct tariff_owner *o)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(id) };
	pcrm_rows *rows = NULL;
	int rc;

	memset(o, 0, sizeof(*o));
	rc = pcrm__store_query(ctx->store,
	                       "SELECT owner_unit, doc FROM tariff_version WHERE tariff_id = $1 "
	                       "AND scope_unit IS NULL ORDER BY version DESC LIMIT 1",
	                       p, 1, &rows);
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		o->exists = 1;
		o->has_owner = pcrm__rows_text(rows, 0) != NULL;
		if (o->has_owner)
			pcrm__text_copy(o->owner, sizeof(o->owner), pcrm__rows_text(rows, 0));
		o->overridable = doc_overridable(pcrm__rows_text(rows, 1));
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

static int same_owner(const struct tariff_owner *a, const struct tariff_owner *b)
{
	return a->exists == b->exists && a->has_owner == b->has_owner &&
	       a->overridable == b->overridable && strcmp(a->owner, b->owner) == 0;
}

/* Inserts the version, or checks that the stored one is the same document. */
static int store_version(pcrm_ctx *ctx, const pcrm_actor *actor, const pcrm_tariff *t,
                         const char *json, const char *hash, const struct tariff_owner *checked,
                         int override)
{
	struct tariff_owner now;
	pcrm_sql_value p[10];
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
	/* ownership was checked before the transaction (so a refusal is audited): still true? */
	rc = read_owner(ctx, pcrm_tariff_id(t), &now);
	if (rc == PCRM_OK && !same_owner(&now, checked))
		rc = pcrm__error(PCRM_ERETRY, "tariff \"%s\" was published meanwhile: retry",
		                 pcrm_tariff_id(t));
	if (rc != PCRM_OK)
		return rc;
	p[2] = PCRM_SQL_I(pcrm_date_to_days(pcrm_tariff_effective_from(t)));
	p[3] = days_or_null(pcrm_tariff_effective_to(t));
	p[4] = PCRM_SQL_S(json);
	p[5] = PCRM_SQL_S(hash);
	p[6] = PCRM_SQL_I(pcrm_ctx_now(ctx));
	p[7] = PCRM_SQL_S(actor->operator_id);
	/* the owner stays the first publisher's unit; before ownership (NULL) it stays the top */
	p[8] = !checked->exists ? PCRM_SQL_S(actor->org_unit) :
	       checked->has_owner ? PCRM_SQL_S(checked->owner) : PCRM_SQL_NUL;
	p[9] = override ? PCRM_SQL_S(actor->org_unit) : PCRM_SQL_NUL;
	rc = pcrm__store_exec(ctx->store,
	                      "INSERT INTO tariff_version (tariff_id, version, effective_from, "
	                      "effective_to, doc, doc_hash, published_at, published_by, owner_unit, "
	                      "scope_unit) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
	                      p, 10, NULL);
	if (rc != PCRM_OK)
		return rc;
	summary = json_pack("{s:s, s:I, s:s, s:s?}", "tariff_id", pcrm_tariff_id(t), "version",
	                    (json_int_t)pcrm_tariff_version(t), "sha256", hash, "override_for",
	                    override ? actor->org_unit : NULL);
	if (!summary)
		return pcrm__error_oom();
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
	struct tariff_owner owner;
	struct pcrm__published pub;
	pcrm_tariff *t = NULL;
	char *text = NULL;
	int override = 0, rc;

	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	rc = pcrm_authorize(ctx, actor, PCRM_PERM_TARIFF_WRITE, NULL);
	if (rc == PCRM_OK)
		rc = json ? tariff_doc_load(json, &t) : pcrm_tariff_load(&t, json);
	if (rc == PCRM_OK && !(text = canonical(json)))
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = pcrm__sha256_hex(text, strlen(text), hash);
	if (rc == PCRM_OK)
		rc = read_owner(ctx, pcrm_tariff_id(t), &owner);
	if (rc == PCRM_OK) {
		pub = (struct pcrm__published){ "tariff", pcrm_tariff_id(t), PCRM_PERM_TARIFF_WRITE,
			                        owner.exists, owner.has_owner ? owner.owner : NULL,
			                        owner.overridable };
		rc = pcrm__publish_scope(ctx, actor, &pub, &override);
	}
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store,
		                        store_version(ctx, actor, t, text, hash, &owner, override));
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
		                       "AND scope_unit IS NULL ORDER BY version DESC LIMIT 1",
		                       p, 2, &rows);
	}
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		rc = tariff_doc_load(pcrm__rows_text(rows, 0), out);
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

void pcrm__tariff_choices_free(struct pcrm__tariff_choice *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		pcrm_tariff_free(c[i].tariff);
		free(c[i].scope_path);
	}
	free(c);
}

/* Appends one choice; takes `t` (freed on failure). */
static int choice_add(struct pcrm__tariff_choice **c, size_t *n, pcrm_tariff *t, const char *path)
{
	struct pcrm__tariff_choice *grown = realloc(*c, (*n + 1) * sizeof(**c));
	char *copy = path ? strdup(path) : NULL;

	if (!grown || (path && !copy)) {
		if (grown)
			*c = grown;
		free(copy);
		pcrm_tariff_free(t);
		return pcrm__error_oom();
	}
	*c = grown;
	grown[*n].tariff = t;
	grown[*n].scope_path = copy;
	(*n)++;
	return PCRM_OK;
}

int pcrm__tariff_fetch_choices(pcrm_ctx *ctx, const char *id, pcrm_date on,
                               struct pcrm__tariff_choice **out, size_t *count)
{
	/* the newest version in effect of each overriding unit: rows of one unit come newest first */
	static const char sql[] =
		"SELECT v.doc, o.path, v.scope_unit FROM tariff_version v "
		"JOIN org_unit o ON o.code = v.scope_unit WHERE v.tariff_id = $1 "
		"AND v.scope_unit IS NOT NULL AND v.effective_from <= $2 "
		"AND (v.effective_to IS NULL OR v.effective_to >= $2) "
		"ORDER BY v.scope_unit, v.version DESC";
	char last[PCRM__BILL_CODE_MAX + 1] = "";
	struct pcrm__tariff_choice *c = NULL;
	pcrm_sql_value p[2];
	pcrm_rows *rows = NULL;
	pcrm_tariff *t = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	rc = pcrm__tariff_fetch(ctx, id, 0, on, &t);
	if (rc == PCRM_OK)
		rc = choice_add(&c, &n, t, NULL);
	p[0] = PCRM_SQL_S(id);
	p[1] = PCRM_SQL_I(pcrm_date_to_days(on));
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, sql, p, 2, &rows);
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		if (strcmp(last, pcrm__rows_text(rows, 2)) == 0)
			continue; /* an older version of a unit already taken */
		pcrm__text_copy(last, sizeof(last), pcrm__rows_text(rows, 2));
		rc = tariff_doc_load(pcrm__rows_text(rows, 0), &t);
		if (rc != PCRM_OK)
			rc = pcrm__error(PCRM_ESTORE, "stored tariff \"%s\" no longer loads: %s", id,
			                 pcrm_error_last());
		else
			rc = choice_add(&c, &n, t, pcrm__rows_text(rows, 1));
	}
	pcrm__rows_free(rows);
	if (rc < 0) {
		pcrm__tariff_choices_free(c, n);
		return rc;
	}
	*out = c;
	*count = n;
	return PCRM_OK;
}

const pcrm_tariff *pcrm__tariff_choose(const struct pcrm__tariff_choice *c, size_t n,
                                       const char *org_path)
{
	const struct pcrm__tariff_choice *best = n ? &c[0] : NULL;
	size_t best_len = 0;

	for (size_t i = 1; i < n; i++) {
		size_t len = strlen(c[i].scope_path);
		if (len > best_len && strncmp(org_path, c[i].scope_path, len) == 0) {
			best = &c[i];
			best_len = len;
		}
	}
	return best ? best->tariff : NULL;
}
