/* Metering points (计量点): create, read, update, list per customer. */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "metering_internal.h"
#include "store/store.h"

/* A pcrm_metering_point is a struct pcrm__record behind an opaque handle, as in account.c. */
static const struct pcrm__record *rec(const pcrm_metering_point *mp)
{
	return (const struct pcrm__record *)(const void *)mp;
}

static pcrm_metering_point *handle(struct pcrm__record *r)
{
	return (pcrm_metering_point *)(void *)r;
}

void pcrm_metering_point_free(pcrm_metering_point *mp)
{
	pcrm__record_free((struct pcrm__record *)(void *)mp);
}

const char *pcrm_metering_point_no(const pcrm_metering_point *mp) { return pcrm__record_str(rec(mp), "mp_no"); }
const char *pcrm_metering_point_customer_no(const pcrm_metering_point *mp) { return pcrm__record_str(rec(mp), "customer_no"); }
const char *pcrm_metering_point_account_no(const pcrm_metering_point *mp) { return pcrm__record_str(rec(mp), "account_no"); }
const char *pcrm_metering_point_purpose(const pcrm_metering_point *mp) { return pcrm__record_str(rec(mp), "purpose"); }
const char *pcrm_metering_point_voltage_level(const pcrm_metering_point *mp) { return pcrm__record_str(rec(mp), "voltage_level"); }
const char *pcrm_metering_point_status(const pcrm_metering_point *mp) { return pcrm__record_str(rec(mp), "status"); }
int pcrm_metering_point_version(const pcrm_metering_point *mp) { return rec(mp)->version; }
pcrm_time pcrm_metering_point_created_at(const pcrm_metering_point *mp) { return rec(mp)->created_at; }
pcrm_time pcrm_metering_point_updated_at(const pcrm_metering_point *mp) { return rec(mp)->updated_at; }
const char *pcrm_metering_point_json(const pcrm_metering_point *mp) { return rec(mp)->json; }

static const struct pcrm__record_list *lst(const pcrm_metering_point_list *l)
{
	return (const struct pcrm__record_list *)(const void *)l;
}

size_t pcrm_metering_point_list_count(const pcrm_metering_point_list *l)
{
	return l ? lst(l)->count : 0;
}

const pcrm_metering_point *pcrm_metering_point_list_at(const pcrm_metering_point_list *l, size_t i)
{
	return l && i < lst(l)->count ? handle(lst(l)->items[i]) : NULL;
}

void pcrm_metering_point_list_free(pcrm_metering_point_list *l)
{
	pcrm__record_list_free((struct pcrm__record_list *)(void *)l);
}

static const char *doc_str(const json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key));
}

/* The account must belong to the same customer (the foreign key says so too) and be open. */
static int check_account(pcrm_ctx *ctx, const char *customer_no, const char *account_no)
{
	pcrm_sql_value p[2] = { PCRM_SQL_S(customer_no), PCRM_SQL_S(account_no) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store,
	                           "SELECT status FROM account WHERE customer_no = $1 AND account_no = $2",
	                           p, 2, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 0)
		rc = pcrm__error(PCRM_EINVAL, "account_no: \"%s\" is not an account of customer \"%s\"",
		                 account_no, customer_no);
	else if (rc == 1 && strcmp(pcrm__rows_text(rows, 0), "closed") == 0)
		rc = pcrm__error(PCRM_ESTATE, "account_no: account \"%s\" is closed", account_no);
	else if (rc == 1)
		rc = PCRM_OK;
	pcrm__rows_free(rows);
	return rc;
}

/* ---- create ---- */

static int insert_point(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                        const json_t *doc)
{
	static const char sql[] =
		"INSERT INTO metering_point (customer_no, mp_no, account_no, status, doc, created_at, "
		"updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $6, 1)";
	char *text = pcrm__record_stored_doc(doc);
	json_t *summary;
	pcrm_sql_value p[6];
	int rc;

	if (!text)
		return pcrm__error_oom();
	p[0] = PCRM_SQL_S(customer_no);
	p[1] = PCRM_SQL_S(doc_str(doc, "mp_no"));
	p[2] = PCRM_SQL_S(doc_str(doc, "account_no"));
	p[3] = PCRM_SQL_S(doc_str(doc, "status"));
	p[4] = PCRM_SQL_S(text);
	p[5] = PCRM_SQL_I(pcrm_ctx_now(ctx));
	rc = pcrm__store_exec(ctx->store, sql, p, 6, NULL);
	free(text);
	if (rc == PCRM_EDUPLICATE)
		return pcrm__error(PCRM_EDUPLICATE, "mp_no: \"%s\" is already taken",
		                   doc_str(doc, "mp_no"));
	if (rc != PCRM_OK)
		return rc;
	summary = json_deep_copy(doc);
	json_object_set_new(summary, "customer_no", json_string(customer_no));
	rc = pcrm__audit_append(ctx, actor, "metering_point.create", "metering_point",
	                        doc_str(doc, "mp_no"), summary);
	json_decref(summary);
	return rc;
}

int pcrm_metering_point_create(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                               const char *json, pcrm_metering_point **out)
{
	struct pcrm__owner owner;
	struct pcrm__record *r;
	json_t *doc = NULL;
	int rc;

	if (out)
		*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__code_arg("customer_no", customer_no);
	if (rc == PCRM_OK)
		rc = pcrm__metering_parse_json("metering point", json, &doc);
	if (rc == PCRM_OK)
		rc = pcrm__metering_point_doc_check(doc, 0);
	if (rc == PCRM_OK)
		rc = pcrm__owner_load(ctx, customer_no, &owner);
	if (rc == PCRM_OK)
		rc = pcrm__owner_authorize(ctx, actor, &owner, PCRM_PERM_ARCHIVE_WRITE);
	if (rc == PCRM_OK)
		rc = check_account(ctx, customer_no, doc_str(doc, "account_no"));
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, insert_point(ctx, actor, customer_no, doc));
	if (rc == PCRM_OK && out) {
		pcrm_time now = pcrm_ctx_now(ctx);
		rc = pcrm__record_wrap(doc, customer_no, 1, now, now, &r);
		if (rc == PCRM_OK)
			*out = handle(r);
	}
	json_decref(doc);
	return rc;
}

/* ---- read ---- */

static int load_point(pcrm_ctx *ctx, const char *mp_no, struct pcrm__owner *owner,
                      struct pcrm__record **out)
{
	static const char sql[] =
		"SELECT c.customer_no, c.org_unit, c.status, "
		"m.customer_no, m.doc, m.version, m.created_at, m.updated_at "
		"FROM metering_point m JOIN customer c ON c.customer_no = m.customer_no "
		"WHERE m.mp_no = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(mp_no) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1) {
		pcrm__owner_from_row(rows, 0, owner);
		rc = pcrm__record_from_row(rows, 3, out);
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "metering point \"%s\" does not exist", mp_no);
	}
	pcrm__rows_free(rows);
	return rc;
}

int pcrm_metering_point_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *mp_no,
                            pcrm_metering_point **out)
{
	struct pcrm__owner owner;
	struct pcrm__record *r = NULL;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__code_arg("mp_no", mp_no);
	if (rc == PCRM_OK)
		rc = load_point(ctx, mp_no, &owner, &r);
	if (rc == PCRM_OK)
		rc = pcrm__owner_authorize(ctx, actor, &owner, PCRM_PERM_ARCHIVE_READ);
	if (rc == PCRM_OK)
		*out = handle(r);
	else
		pcrm__record_free(r);
	return rc;
}

int pcrm_metering_point_list_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                                  pcrm_metering_point_list **out)
{
	struct pcrm__owner owner;
	struct pcrm__record_list *list;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__code_arg("customer_no", customer_no);
	if (rc == PCRM_OK)
		rc = pcrm__owner_load(ctx, customer_no, &owner);
	if (rc == PCRM_OK)
		rc = pcrm__owner_authorize(ctx, actor, &owner, PCRM_PERM_ARCHIVE_READ);
	if (rc == PCRM_OK)
		rc = pcrm__record_list_load(ctx,
		                            "SELECT customer_no, doc, version, created_at, updated_at "
		                            "FROM metering_point WHERE customer_no = $1 ORDER BY mp_no",
		                            customer_no, &list);
	if (rc == PCRM_OK)
		*out = (pcrm_metering_point_list *)(void *)list;
	return rc;
}

/* ---- update ---- */

static int check_no_meter(pcrm_ctx *ctx, const char *mp_no)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(mp_no) };
	int64_t n = 0;
	int rc = pcrm__store_query_int(ctx->store,
	                               "SELECT COUNT(*) FROM meter_installation "
	                               "WHERE mp_no = $1 AND removed_at IS NULL",
	                               p, 1, &n);
	if (rc == PCRM_OK && n > 0)
		rc = pcrm__error(PCRM_ESTATE,
		                 "status: metering point \"%s\" has a meter in service; remove it first",
		                 mp_no);
	return rc;
}

static int write_update(pcrm_ctx *ctx, const pcrm_actor *actor, const char *mp_no,
                        const json_t *doc, const json_t *patch, int expected_version)
{
	static const char sql[] =
		"UPDATE metering_point SET account_no = $1, status = $2, doc = $3, updated_at = $4, "
		"version = version + 1 WHERE mp_no = $5 AND version = $6";
	char *text;
	json_t *summary;
	int64_t changes = 0;
	pcrm_sql_value p[6];
	int rc = PCRM_OK;

	if (strcmp(doc_str(doc, "status"), "inactive") == 0)
		rc = check_no_meter(ctx, mp_no);
	if (rc != PCRM_OK)
		return rc;
	text = pcrm__record_stored_doc(doc);
	if (!text)
		return pcrm__error_oom();
	p[0] = PCRM_SQL_S(doc_str(doc, "account_no"));
	p[1] = PCRM_SQL_S(doc_str(doc, "status"));
	p[2] = PCRM_SQL_S(text);
	p[3] = PCRM_SQL_I(pcrm_ctx_now(ctx));
	p[4] = PCRM_SQL_S(mp_no);
	p[5] = PCRM_SQL_I(expected_version);
	rc = pcrm__store_exec(ctx->store, sql, p, 6, &changes);
	free(text);
	if (rc == PCRM_OK && changes != 1)
		rc = pcrm__error(PCRM_ECONFLICT,
		                 "metering point \"%s\" was changed concurrently; read it again", mp_no);
	if (rc != PCRM_OK)
		return rc;
	summary = json_pack("{s:O, s:i}", "changed", patch, "version", expected_version + 1);
	rc = pcrm__audit_append(ctx, actor, "metering_point.update", "metering_point", mp_no,
	                        summary);
	json_decref(summary);
	return rc;
}

static int check_change(pcrm_ctx *ctx, const pcrm_actor *actor, const char *mp_no,
                        const struct pcrm__owner *owner, const struct pcrm__record *r,
                        int expected_version)
{
	int rc = pcrm__owner_authorize(ctx, actor, owner, PCRM_PERM_ARCHIVE_WRITE);
	if (rc == PCRM_OK && r->version != expected_version)
		rc = pcrm__error(PCRM_ECONFLICT,
		                 "metering point \"%s\" is at version %d, not %d: somebody changed it; "
		                 "read it again",
		                 mp_no, r->version, expected_version);
	return rc;
}

int pcrm_metering_point_update(pcrm_ctx *ctx, const pcrm_actor *actor, const char *mp_no,
                               const char *patch_json, int expected_version,
                               pcrm_metering_point **out)
{
	struct pcrm__owner owner;
	struct pcrm__record *r = NULL, *updated;
	json_t *patch = NULL, *doc = NULL;
	int rc;

	if (out)
		*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__code_arg("mp_no", mp_no);
	if (rc == PCRM_OK)
		rc = pcrm__metering_parse_json("patch", patch_json, &patch);
	if (rc == PCRM_OK)
		rc = pcrm__metering_point_doc_check(patch, 1);
	if (rc == PCRM_OK && json_object_get(patch, "mp_no"))
		rc = pcrm__error(PCRM_EINVAL, "mp_no: cannot change");
	if (rc == PCRM_OK)
		rc = load_point(ctx, mp_no, &owner, &r);
	if (rc == PCRM_OK)
		rc = check_change(ctx, actor, mp_no, &owner, r, expected_version);
	if (rc == PCRM_OK && !(doc = pcrm__record_doc_copy(r)))
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = pcrm__doc_merge(doc, patch, pcrm__metering_point_doc_check);
	if (rc == PCRM_OK && json_object_get(patch, "account_no"))
		rc = check_account(ctx, owner.customer_no, doc_str(doc, "account_no"));
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, write_update(ctx, actor, mp_no, doc, patch,
		                                                 expected_version));
	if (rc == PCRM_OK && out) {
		rc = pcrm__record_wrap(doc, owner.customer_no, expected_version + 1, r->created_at,
		                       pcrm_ctx_now(ctx), &updated);
		if (rc == PCRM_OK)
			*out = handle(updated);
	}
	pcrm__record_free(r);
	json_decref(doc);
	json_decref(patch);
	return rc;
}
