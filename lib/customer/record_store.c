/*
 * Create, read, list and update for the archive records that share one
 * shape: a document owned by a customer, keyed by a code, with a status,
 * one more indexed column, a version and an audit trail (accounts and
 * metering points).  What differs between them is data in a
 * struct pcrm__record_kind; the rules that only one of them has (an
 * account must belong to the customer, a metering point with a meter in
 * service cannot be deactivated, ...) are its hooks.
 *
 * Each kind writes its statements out in full; values are always bound
 * parameters.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "metering_internal.h"
#include "store/store.h"

static const char *doc_str(const json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key));
}

#define MAX_EXTRAS 6

/* Binds the kind's extra columns from p[first] on; returns the number of parameters. */
static int bind_extras(const struct pcrm__record_kind *kind, const json_t *doc,
                       pcrm_sql_value *p, int first)
{
	int n = first;
	for (const char *const *e = kind->extras; e && *e && n < first + MAX_EXTRAS; e++)
		p[n++] = PCRM_SQL_S(doc_str(doc, *e));
	return n;
}

/* ---- create ---- */

/*
 * Binds what the kind's seal hook gives (the cipher, then on update whether
 * to keep the stored one) after the extras; returns the number of parameters.
 */
static int bind_sealed(const struct pcrm__record_kind *kind, const char *cipher, int keep,
                       int update, pcrm_sql_value *p, int n)
{
	if (!kind->seal)
		return n;
	p[n++] = PCRM_SQL_S(cipher);
	if (update)
		p[n++] = PCRM_SQL_I(keep);
	return n;
}

static int insert_record(pcrm_ctx *ctx, const pcrm_actor *actor,
                         const struct pcrm__record_kind *kind, const char *customer_no,
                         json_t *doc)
{
	const char *key = doc_str(doc, kind->key);
	char *text, *cipher = NULL;
	json_t *summary;
	pcrm_sql_value p[6 + MAX_EXTRAS + 2];
	int keep = 0, n, rc = PCRM_OK;

	/* sealed first: the document stored and audited holds the mask */
	if (kind->seal)
		rc = kind->seal(ctx, customer_no, key, doc, NULL, &cipher, &keep);
	if (rc != PCRM_OK)
		return rc;
	text = pcrm__record_stored_doc(doc);
	if (!text) {
		free(cipher);
		return pcrm__error_oom();
	}
	p[0] = PCRM_SQL_S(customer_no);
	p[1] = PCRM_SQL_S(key);
	p[2] = PCRM_SQL_S(doc_str(doc, kind->column));
	p[3] = PCRM_SQL_S(doc_str(doc, "status"));
	p[4] = PCRM_SQL_S(text);
	p[5] = PCRM_SQL_I(pcrm_ctx_now(ctx));
	n = bind_sealed(kind, cipher, keep, 0, p, bind_extras(kind, doc, p, 6));
	rc = pcrm__store_exec(ctx->store, kind->insert_sql, p, n, NULL);
	free(text);
	free(cipher);
	if (rc == PCRM_EDUPLICATE)
		return pcrm__error(PCRM_EDUPLICATE, "%s: \"%s\" is already taken", kind->key, key);
	if (rc != PCRM_OK)
		return rc;
	summary = pcrm__audit_doc(doc);
	json_object_set_new(summary, "customer_no", json_string(customer_no));
	rc = pcrm__audit_append(ctx, actor, kind->create_action, kind->table, key, summary);
	json_decref(summary);
	return rc;
}

int pcrm__record_create(pcrm_ctx *ctx, const pcrm_actor *actor,
                        const struct pcrm__record_kind *kind, const char *customer_no,
                        const char *json, struct pcrm__record **out)
{
	struct pcrm__owner owner;
	json_t *doc = NULL;
	int rc;

	if (out)
		*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__code_arg("customer_no", customer_no);
	if (rc == PCRM_OK)
		rc = pcrm__metering_parse_json(kind->label, json, &doc);
	if (rc == PCRM_OK)
		rc = kind->doc_check(doc, 0);
	if (rc == PCRM_OK)
		rc = pcrm__owner_load(ctx, customer_no, &owner);
	rc = pcrm__owner_authorize(ctx, actor, rc, &owner, PCRM_PERM_ARCHIVE_WRITE);
	if (rc == PCRM_OK && kind->check_links)
		rc = kind->check_links(ctx, customer_no, doc, NULL);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, insert_record(ctx, actor, kind, customer_no, doc));
	if (rc == PCRM_OK && out) {
		pcrm_time now = pcrm_ctx_now(ctx);
		rc = pcrm__record_wrap(doc, customer_no, 1, now, now, out);
	}
	json_decref(doc);
	return rc;
}

/* ---- read ---- */

/* Loads a record with its owner; no permission check. */
static int load_record(pcrm_ctx *ctx, const struct pcrm__record_kind *kind, const char *key,
                       struct pcrm__owner *owner, struct pcrm__record **out)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(key) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, kind->load_sql, p, 1, &rows);

	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1) {
		pcrm__owner_from_row(rows, 0, owner);
		rc = pcrm__record_from_row(rows, 3, out);
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "%s \"%s\" does not exist", kind->label, key);
	}
	pcrm__rows_free(rows);
	return rc;
}

int pcrm__record_get(pcrm_ctx *ctx, const pcrm_actor *actor, const struct pcrm__record_kind *kind,
                     const char *key, struct pcrm__record **out)
{
	struct pcrm__owner owner;
	struct pcrm__record *r = NULL;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__code_arg(kind->key, key);
	if (rc == PCRM_OK)
		rc = load_record(ctx, kind, key, &owner, &r);
	rc = pcrm__owner_authorize(ctx, actor, rc, &owner, PCRM_PERM_ARCHIVE_READ);
	if (rc == PCRM_OK)
		*out = r;
	else
		pcrm__record_free(r);
	return rc;
}

int pcrm__record_list_of(pcrm_ctx *ctx, const pcrm_actor *actor,
                         const struct pcrm__record_kind *kind, const char *customer_no,
                         struct pcrm__record_list **out)
{
	struct pcrm__owner owner;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__code_arg("customer_no", customer_no);
	if (rc == PCRM_OK)
		rc = pcrm__owner_load(ctx, customer_no, &owner);
	rc = pcrm__owner_authorize(ctx, actor, rc, &owner, PCRM_PERM_ARCHIVE_READ);
	if (rc != PCRM_OK)
		return rc;
	return pcrm__record_list_load(ctx, kind->list_sql, customer_no, out);
}

/* ---- update ---- */

static int write_update(pcrm_ctx *ctx, const pcrm_actor *actor,
                        const struct pcrm__record_kind *kind, const char *customer_no,
                        const char *key, json_t *doc, const json_t *patch, int expected_version)
{
	char *text, *cipher = NULL;
	json_t *summary;
	int64_t changes = 0;
	pcrm_sql_value p[6 + MAX_EXTRAS + 2];
	int keep = 0, n;
	int rc = kind->check_status ? kind->check_status(ctx, key, doc_str(doc, "status")) : PCRM_OK;

	if (rc == PCRM_OK && kind->seal)
		rc = kind->seal(ctx, customer_no, key, doc, patch, &cipher, &keep);
	if (rc != PCRM_OK)
		return rc;
	text = pcrm__record_stored_doc(doc);
	if (!text) {
		free(cipher);
		return pcrm__error_oom();
	}
	p[0] = PCRM_SQL_S(doc_str(doc, kind->column));
	p[1] = PCRM_SQL_S(doc_str(doc, "status"));
	p[2] = PCRM_SQL_S(text);
	p[3] = PCRM_SQL_I(pcrm_ctx_now(ctx));
	p[4] = PCRM_SQL_S(key);
	p[5] = PCRM_SQL_I(expected_version);
	n = bind_sealed(kind, cipher, keep, 1, p, bind_extras(kind, doc, p, 6));
	rc = pcrm__store_exec(ctx->store, kind->update_sql, p, n, &changes);
	free(text);
	free(cipher);
	if (rc == PCRM_OK && changes != 1)
		rc = pcrm__error(PCRM_ECONFLICT, "%s \"%s\" was changed concurrently; read it again",
		                 kind->label, key);
	if (rc == PCRM_OK && kind->after_update)
		rc = kind->after_update(ctx, key, doc);
	if (rc != PCRM_OK)
		return rc;
	summary = json_pack("{s:o, s:i}", "changed", pcrm__audit_doc(patch), "version",
	                    expected_version + 1);
	rc = pcrm__audit_append(ctx, actor, kind->update_action, kind->table, key, summary);
	json_decref(summary);
	return rc;
}

/* The checks of an update that need the stored record: permission, state, version. */
static int check_change(pcrm_ctx *ctx, const pcrm_actor *actor,
                        const struct pcrm__record_kind *kind, const char *key,
                        const struct pcrm__owner *owner, const struct pcrm__record *r,
                        int expected_version)
{
	int rc = pcrm__owner_authorize(ctx, actor, PCRM_OK, owner, PCRM_PERM_ARCHIVE_WRITE);
	if (rc == PCRM_OK && kind->final_status &&
	    strcmp(pcrm__record_str(r, "status"), kind->final_status) == 0)
		rc = pcrm__error(PCRM_ESTATE, "%s \"%s\" is %s and cannot change", kind->label, key,
		                 kind->final_status);
	if (rc == PCRM_OK && r->version != expected_version)
		rc = pcrm__error(PCRM_ECONFLICT,
		                 "%s \"%s\" is at version %d, not %d: somebody changed it; read it again",
		                 kind->label, key, r->version, expected_version);
	return rc;
}

int pcrm__record_update(pcrm_ctx *ctx, const pcrm_actor *actor,
                        const struct pcrm__record_kind *kind, const char *key,
                        const char *patch_json, int expected_version, struct pcrm__record **out)
{
	struct pcrm__owner owner;
	struct pcrm__record *r = NULL;
	json_t *patch = NULL, *doc = NULL;
	int rc;

	if (out)
		*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__code_arg(kind->key, key);
	if (rc == PCRM_OK)
		rc = pcrm__metering_parse_json("patch", patch_json, &patch);
	if (rc == PCRM_OK)
		rc = kind->doc_check(patch, 1);
	if (rc == PCRM_OK && json_object_get(patch, kind->key))
		rc = pcrm__error(PCRM_EINVAL, "%s: cannot change", kind->key);
	if (rc == PCRM_OK)
		rc = load_record(ctx, kind, key, &owner, &r);
	if (rc == PCRM_ENOTFOUND) /* refused like a record of another unit */
		rc = pcrm__owner_authorize(ctx, actor, rc, &owner, PCRM_PERM_ARCHIVE_WRITE);
	if (rc == PCRM_OK)
		rc = check_change(ctx, actor, kind, key, &owner, r, expected_version);
	if (rc == PCRM_OK && !(doc = pcrm__record_doc_copy(r)))
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = pcrm__doc_merge(doc, patch, kind->doc_check, kind->merged_check);
	if (rc == PCRM_OK && kind->check_links)
		rc = kind->check_links(ctx, owner.customer_no, doc, patch);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, write_update(ctx, actor, kind, owner.customer_no,
		                                                 key, doc, patch, expected_version));
	if (rc == PCRM_OK && out)
		rc = pcrm__record_wrap(doc, owner.customer_no, expected_version + 1, r->created_at,
		                       pcrm_ctx_now(ctx), out);
	pcrm__record_free(r);
	json_decref(doc);
	json_decref(patch);
	return rc;
}
