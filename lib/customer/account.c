/* Billing accounts (账户): create, read, update, list per customer. */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "metering_internal.h"
#include "store/store.h"

/*
 * A pcrm_account is a struct pcrm__record behind an opaque handle (the
 * public struct is never defined): these two convert.
 */
static const struct pcrm__record *rec(const pcrm_account *a)
{
	return (const struct pcrm__record *)(const void *)a;
}

static pcrm_account *handle(struct pcrm__record *r)
{
	return (pcrm_account *)(void *)r;
}

void pcrm_account_free(pcrm_account *a) { pcrm__record_free((struct pcrm__record *)(void *)a); }
const char *pcrm_account_no(const pcrm_account *a) { return pcrm__record_str(rec(a), "account_no"); }
const char *pcrm_account_customer_no(const pcrm_account *a) { return pcrm__record_str(rec(a), "customer_no"); }
const char *pcrm_account_name(const pcrm_account *a) { return pcrm__record_str(rec(a), "name"); }
const char *pcrm_account_payment_method(const pcrm_account *a) { return pcrm__record_str(rec(a), "payment_method"); }
const char *pcrm_account_status(const pcrm_account *a) { return pcrm__record_str(rec(a), "status"); }
int pcrm_account_version(const pcrm_account *a) { return rec(a)->version; }
pcrm_time pcrm_account_created_at(const pcrm_account *a) { return rec(a)->created_at; }
pcrm_time pcrm_account_updated_at(const pcrm_account *a) { return rec(a)->updated_at; }
const char *pcrm_account_json(const pcrm_account *a) { return rec(a)->json; }

static const struct pcrm__record_list *lst(const pcrm_account_list *l)
{
	return (const struct pcrm__record_list *)(const void *)l;
}

size_t pcrm_account_list_count(const pcrm_account_list *l)
{
	return l ? lst(l)->count : 0;
}

const pcrm_account *pcrm_account_list_at(const pcrm_account_list *l, size_t i)
{
	return l && i < lst(l)->count ? handle(lst(l)->items[i]) : NULL;
}

void pcrm_account_list_free(pcrm_account_list *l)
{
	pcrm__record_list_free((struct pcrm__record_list *)(void *)l);
}

static const char *doc_str(const json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key));
}

/* ---- create ---- */

static int insert_account(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                          const json_t *doc)
{
	static const char sql[] =
		"INSERT INTO account (customer_no, account_no, payment_method, status, doc, created_at, "
		"updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $6, 1)";
	char *text = pcrm__record_stored_doc(doc);
	json_t *summary;
	pcrm_sql_value p[6];
	int rc;

	if (!text)
		return pcrm__error_oom();
	p[0] = PCRM_SQL_S(customer_no);
	p[1] = PCRM_SQL_S(doc_str(doc, "account_no"));
	p[2] = PCRM_SQL_S(doc_str(doc, "payment_method"));
	p[3] = PCRM_SQL_S(doc_str(doc, "status"));
	p[4] = PCRM_SQL_S(text);
	p[5] = PCRM_SQL_I(pcrm_ctx_now(ctx));
	rc = pcrm__store_exec(ctx->store, sql, p, 6, NULL);
	free(text);
	if (rc == PCRM_EDUPLICATE)
		return pcrm__error(PCRM_EDUPLICATE, "account_no: \"%s\" is already taken",
		                   doc_str(doc, "account_no"));
	if (rc != PCRM_OK)
		return rc;
	summary = pcrm__audit_doc(doc);
	json_object_set_new(summary, "customer_no", json_string(customer_no));
	rc = pcrm__audit_append(ctx, actor, "account.create", "account", doc_str(doc, "account_no"),
	                        summary);
	json_decref(summary);
	return rc;
}

int pcrm_account_create(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                        const char *json, pcrm_account **out)
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
		rc = pcrm__metering_parse_json("account", json, &doc);
	if (rc == PCRM_OK)
		rc = pcrm__account_doc_check(doc, 0);
	if (rc == PCRM_OK)
		rc = pcrm__owner_load(ctx, customer_no, &owner);
	if (rc == PCRM_OK)
		rc = pcrm__owner_authorize(ctx, actor, &owner, PCRM_PERM_ARCHIVE_WRITE);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, insert_account(ctx, actor, customer_no, doc));
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

/* Loads an account with its owner; no permission check. */
static int load_account(pcrm_ctx *ctx, const char *account_no, struct pcrm__owner *owner,
                        struct pcrm__record **out)
{
	static const char sql[] =
		"SELECT c.customer_no, c.org_unit, c.status, "
		"a.customer_no, a.doc, a.version, a.created_at, a.updated_at "
		"FROM account a JOIN customer c ON c.customer_no = a.customer_no "
		"WHERE a.account_no = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(account_no) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1) {
		pcrm__owner_from_row(rows, 0, owner);
		rc = pcrm__record_from_row(rows, 3, out);
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "account \"%s\" does not exist", account_no);
	}
	pcrm__rows_free(rows);
	return rc;
}

int pcrm_account_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                     pcrm_account **out)
{
	struct pcrm__owner owner;
	struct pcrm__record *r = NULL;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__code_arg("account_no", account_no);
	if (rc == PCRM_OK)
		rc = load_account(ctx, account_no, &owner, &r);
	if (rc == PCRM_OK)
		rc = pcrm__owner_authorize(ctx, actor, &owner, PCRM_PERM_ARCHIVE_READ);
	if (rc == PCRM_OK)
		*out = handle(r);
	else
		pcrm__record_free(r);
	return rc;
}

int pcrm_account_list_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                           pcrm_account_list **out)
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
		                            "FROM account WHERE customer_no = $1 ORDER BY account_no",
		                            customer_no, &list);
	if (rc == PCRM_OK)
		*out = (pcrm_account_list *)(void *)list;
	return rc;
}

/* ---- update ---- */

/* An account that still feeds active metering points stays open: their bills need it. */
static int check_closable(pcrm_ctx *ctx, const char *account_no)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(account_no) };
	int64_t active = 0;
	int rc = pcrm__store_query_int(ctx->store,
	                               "SELECT COUNT(*) FROM metering_point "
	                               "WHERE account_no = $1 AND status = 'active'",
	                               p, 1, &active);
	if (rc == PCRM_OK && active > 0)
		rc = pcrm__error(PCRM_ESTATE,
		                 "status: account \"%s\" still has %lld active metering point(s); "
		                 "deactivate them first",
		                 account_no, (long long)active);
	return rc;
}

static int write_update(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                        const json_t *doc, const json_t *patch, int expected_version)
{
	static const char sql[] =
		"UPDATE account SET payment_method = $1, status = $2, doc = $3, updated_at = $4, "
		"version = version + 1 WHERE account_no = $5 AND version = $6";
	char *text;
	json_t *summary;
	int64_t changes = 0;
	pcrm_sql_value p[6];
	int rc = PCRM_OK;

	if (strcmp(doc_str(doc, "status"), "closed") == 0)
		rc = check_closable(ctx, account_no);
	if (rc != PCRM_OK)
		return rc;
	text = pcrm__record_stored_doc(doc);
	if (!text)
		return pcrm__error_oom();
	p[0] = PCRM_SQL_S(doc_str(doc, "payment_method"));
	p[1] = PCRM_SQL_S(doc_str(doc, "status"));
	p[2] = PCRM_SQL_S(text);
	p[3] = PCRM_SQL_I(pcrm_ctx_now(ctx));
	p[4] = PCRM_SQL_S(account_no);
	p[5] = PCRM_SQL_I(expected_version);
	rc = pcrm__store_exec(ctx->store, sql, p, 6, &changes);
	free(text);
	if (rc == PCRM_OK && changes != 1)
		rc = pcrm__error(PCRM_ECONFLICT, "account \"%s\" was changed concurrently; read it again",
		                 account_no);
	if (rc != PCRM_OK)
		return rc;
	summary = json_pack("{s:o, s:i}", "changed", pcrm__audit_doc(patch), "version",
	                    expected_version + 1);
	rc = pcrm__audit_append(ctx, actor, "account.update", "account", account_no, summary);
	json_decref(summary);
	return rc;
}

/* The checks of an update that need the stored account: permission, state, version. */
static int check_change(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                        const struct pcrm__owner *owner, const struct pcrm__record *r,
                        int expected_version)
{
	int rc = pcrm__owner_authorize(ctx, actor, owner, PCRM_PERM_ARCHIVE_WRITE);
	if (rc == PCRM_OK && strcmp(pcrm__record_str(r, "status"), "closed") == 0)
		rc = pcrm__error(PCRM_ESTATE, "account \"%s\" is closed and cannot change", account_no);
	if (rc == PCRM_OK && r->version != expected_version)
		rc = pcrm__error(PCRM_ECONFLICT,
		                 "account \"%s\" is at version %d, not %d: somebody changed it; read it "
		                 "again",
		                 account_no, r->version, expected_version);
	return rc;
}

int pcrm_account_update(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                        const char *patch_json, int expected_version, pcrm_account **out)
{
	struct pcrm__owner owner;
	struct pcrm__record *r = NULL, *updated;
	json_t *patch = NULL, *doc = NULL;
	int rc;

	if (out)
		*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__code_arg("account_no", account_no);
	if (rc == PCRM_OK)
		rc = pcrm__metering_parse_json("patch", patch_json, &patch);
	if (rc == PCRM_OK)
		rc = pcrm__account_doc_check(patch, 1);
	if (rc == PCRM_OK && json_object_get(patch, "account_no"))
		rc = pcrm__error(PCRM_EINVAL, "account_no: cannot change");
	if (rc == PCRM_OK)
		rc = load_account(ctx, account_no, &owner, &r);
	if (rc == PCRM_OK)
		rc = check_change(ctx, actor, account_no, &owner, r, expected_version);
	if (rc == PCRM_OK && !(doc = pcrm__record_doc_copy(r)))
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = pcrm__doc_merge(doc, patch, pcrm__account_doc_check);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, write_update(ctx, actor, account_no, doc, patch,
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
