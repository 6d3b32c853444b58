/*
 * What the metering files share: the owning customer and its permission
 * check, stored decimals, and the record object behind accounts and
 * metering points.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "metering_internal.h"
#include "org/org_internal.h"
#include "store/store.h"

/* ---- decimals and times ---- */

int pcrm__decimal_load(const char *text, pcrm_decimal *out)
{
	if (!text || pcrm_decimal_parse(text, out) != PCRM_OK)
		return pcrm__error(PCRM_ESTORE, "stored decimal \"%.48s\" is malformed",
		                   text ? text : "(null)");
	return PCRM_OK;
}

int64_t pcrm__pow10(int n)
{
	int64_t p = 1;
	while (n-- > 0)
		p *= 10;
	return p;
}

void pcrm__decimal_text(pcrm_decimal v, char out[PCRM_DECIMAL_STRING_MAX])
{
	if (pcrm_decimal_format(v, out, PCRM_DECIMAL_STRING_MAX) != PCRM_OK)
		snprintf(out, PCRM_DECIMAL_STRING_MAX, "?");
}

void pcrm__time_text(const pcrm_ctx *ctx, pcrm_time t, char out[40])
{
	if (pcrm_time_format(t, pcrm_ctx_utc_offset(ctx), out, 40) != PCRM_OK)
		snprintf(out, 40, "@%lld", (long long)t);
}

/* ---- the owning customer ---- */

int pcrm__code_arg(const char *name, const char *value)
{
	if (!value || !*value)
		return pcrm__error(PCRM_EINVAL, "%s: missing", name);
	if (strlen(value) > PCRM__CODE_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: longer than %d bytes", name, PCRM__CODE_MAX);
	return PCRM_OK;
}

void pcrm__owner_from_row(pcrm_rows *rows, int col, struct pcrm__owner *out)
{
	const char *status = pcrm__rows_text(rows, col + 2);
	snprintf(out->customer_no, sizeof(out->customer_no), "%s", pcrm__rows_text(rows, col));
	snprintf(out->org_unit, sizeof(out->org_unit), "%s", pcrm__rows_text(rows, col + 1));
	out->closed = status && strcmp(status, "closed") == 0;
}

int pcrm__owner_load(pcrm_ctx *ctx, const char *customer_no, struct pcrm__owner *out)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(customer_no) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store,
	                           "SELECT customer_no, org_unit, status FROM customer "
	                           "WHERE customer_no = $1",
	                           p, 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1) {
		pcrm__owner_from_row(rows, 0, out);
		rc = PCRM_OK;
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "customer \"%s\" does not exist", customer_no);
	}
	pcrm__rows_free(rows);
	return rc;
}

int pcrm__owner_authorize(pcrm_ctx *ctx, const pcrm_actor *actor, int lookup_rc,
                          const struct pcrm__owner *owner, pcrm_permission permission)
{
	/* On a miss `owner` was never filled: the audit entry names no key. */
	const char *key = lookup_rc == PCRM_OK ? owner->customer_no : "";
	int rc = pcrm__authorize_found(ctx, actor, permission, "customer", key, lookup_rc,
	                               lookup_rc == PCRM_OK ? owner->org_unit : NULL);
	/* after the permission check: an outsider learns nothing about the customer's state */
	if (rc == PCRM_OK && permission == PCRM_PERM_ARCHIVE_WRITE && owner->closed)
		rc = pcrm__error(PCRM_ESTATE, "customer \"%s\" is closed and its archive cannot change",
		                 owner->customer_no);
	return rc;
}

/* ---- records ---- */

int pcrm__record_wrap(json_t *doc, const char *customer_no, int version, pcrm_time created_at,
                      pcrm_time updated_at, struct pcrm__record **out)
{
	struct pcrm__record *r = calloc(1, sizeof(*r));
	if (!r)
		return pcrm__error_oom();
	json_object_set_new(doc, "customer_no", json_string(customer_no));
	json_object_set_new(doc, "version", json_integer(version));
	json_object_set_new(doc, "created_at", json_integer(created_at));
	json_object_set_new(doc, "updated_at", json_integer(updated_at));
	r->doc = json_incref(doc);
	r->json = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	r->version = version;
	r->created_at = created_at;
	r->updated_at = updated_at;
	if (!r->json) {
		pcrm__record_free(r);
		return pcrm__error_oom();
	}
	*out = r;
	return PCRM_OK;
}

int pcrm__record_from_row(pcrm_rows *rows, int col, struct pcrm__record **out)
{
	json_error_t err;
	json_t *doc = json_loads(pcrm__rows_text(rows, col + 1), 0, &err);
	int rc;
	if (!json_is_object(doc)) {
		json_decref(doc);
		return pcrm__error(PCRM_ESTORE, "stored document is not a JSON object: %s", err.text);
	}
	rc = pcrm__record_wrap(doc, pcrm__rows_text(rows, col), (int)pcrm__rows_int(rows, col + 2),
	                       pcrm__rows_int(rows, col + 3), pcrm__rows_int(rows, col + 4), out);
	json_decref(doc);
	return rc;
}

void pcrm__record_free(struct pcrm__record *r)
{
	if (!r)
		return;
	json_decref(r->doc);
	free(r->json);
	free(r);
}

const char *pcrm__record_str(const struct pcrm__record *r, const char *key)
{
	return json_string_value(json_object_get(r->doc, key));
}

void pcrm__record_list_free(struct pcrm__record_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		pcrm__record_free(list->items[i]);
	free(list->items);
	free(list);
}

static int list_push(struct pcrm__record_list *list, size_t *cap, struct pcrm__record *r)
{
	if (list->count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct pcrm__record **n = realloc(list->items, ncap * sizeof(*n));
		if (!n)
			return pcrm__error_oom();
		list->items = n;
		*cap = ncap;
	}
	list->items[list->count++] = r;
	return PCRM_OK;
}

int pcrm__record_list_load(pcrm_ctx *ctx, const char *sql, const char *key,
                           struct pcrm__record_list **out)
{
	struct pcrm__record_list *list = calloc(1, sizeof(*list));
	pcrm_sql_value p[1] = { PCRM_SQL_S(key) };
	pcrm_rows *rows = NULL;
	size_t cap = 0;
	int rc;

	if (!list)
		return pcrm__error_oom();
	rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		struct pcrm__record *r;
		rc = pcrm__record_from_row(rows, 0, &r);
		if (rc == PCRM_OK && (rc = list_push(list, &cap, r)) != PCRM_OK)
			pcrm__record_free(r);
	}
	pcrm__rows_free(rows);
	if (rc < 0) {
		pcrm__record_list_free(list);
		return rc;
	}
	*out = list;
	return PCRM_OK;
}

static json_t *plain_copy(const json_t *doc)
{
	json_t *copy = json_deep_copy(doc);
	if (!copy)
		return NULL;
	json_object_del(copy, "customer_no");
	json_object_del(copy, "version");
	json_object_del(copy, "created_at");
	json_object_del(copy, "updated_at");
	return copy;
}

json_t *pcrm__record_doc_copy(const struct pcrm__record *r)
{
	return plain_copy(r->doc);
}

char *pcrm__record_stored_doc(const json_t *doc)
{
	json_t *copy = plain_copy(doc);
	char *text;
	if (!copy)
		return NULL;
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	return text;
}

/* A bank account number is shown masked (pcrm__mask_bank_account()); a mask as it is. */
json_t *pcrm__audit_doc(const json_t *doc)
{
	json_t *copy = json_deep_copy(doc);
	const char *acct = json_string_value(json_object_get(copy, "bank_account"));
	if (acct && !pcrm__bank_account_is_mask(acct)) {
		char masked[PCRM__BANK_ACCOUNT_MAX + 1];
		pcrm__mask_bank_account(acct, masked);
		json_object_set_new(copy, "bank_account", json_string(masked));
	}
	return copy;
}
