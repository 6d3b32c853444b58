/* Metering points (计量点): create, read, update, list per customer. */
#include <stdlib.h>
#include <string.h>

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

/* Create checks the account; an update only when it moves the point to another account. */
static int check_links(pcrm_ctx *ctx, const char *customer_no, const json_t *doc,
                       const json_t *patch)
{
	if (patch && !json_object_get(patch, "account_no"))
		return PCRM_OK;
	return check_account(ctx, customer_no, json_string_value(json_object_get(doc, "account_no")));
}

static int check_no_meter(pcrm_ctx *ctx, const char *mp_no, const char *status)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(mp_no) };
	int64_t n = 0;
	int rc;

	if (strcmp(status, "inactive") != 0)
		return PCRM_OK;
	rc = pcrm__store_query_int(ctx->store,
	                           "SELECT COUNT(*) FROM meter_installation "
	                           "WHERE mp_no = $1 AND removed_at IS NULL",
	                           p, 1, &n);
	if (rc == PCRM_OK && n > 0)
		rc = pcrm__error(PCRM_ESTATE,
		                 "status: metering point \"%s\" has a meter in service; remove it first",
		                 mp_no);
	return rc;
}

/*
 * A point moved to another account takes its readings with it: billing
 * sums an account's readings through their copy of the point's account
 * (migration 13), which must say what metering_point says.
 */
static int move_readings(pcrm_ctx *ctx, const char *mp_no, const json_t *doc)
{
	pcrm_sql_value p[2] = { PCRM_SQL_S(json_string_value(json_object_get(doc, "account_no"))),
		                PCRM_SQL_S(mp_no) };
	return pcrm__store_exec(ctx->store,
	                        "UPDATE meter_reading SET account_no = $1 "
	                        "WHERE mp_no = $2 AND (account_no <> $1 OR account_no IS NULL)",
	                        p, 2, NULL);
}

static const struct pcrm__record_kind point_kind = {
	.table = "metering_point",
	.key = "mp_no",
	.column = "account_no",
	.label = "metering point",
	.create_action = "metering_point.create",
	.update_action = "metering_point.update",
	.insert_sql = "INSERT INTO metering_point (customer_no, mp_no, account_no, status, doc, "
	              "created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $6, 1)",
	.load_sql = "SELECT c.customer_no, c.org_unit, c.status, m.customer_no, m.doc, m.version, "
	            "m.created_at, m.updated_at FROM metering_point m "
	            "JOIN customer c ON c.customer_no = m.customer_no WHERE m.mp_no = $1",
	.list_sql = "SELECT customer_no, doc, version, created_at, updated_at FROM metering_point "
	            "WHERE customer_no = $1 ORDER BY mp_no",
	.update_sql = "UPDATE metering_point SET account_no = $1, status = $2, doc = $3, "
	              "updated_at = $4, version = version + 1 WHERE mp_no = $5 AND version = $6",
	.final_status = NULL,
	.doc_check = pcrm__metering_point_doc_check,
	.check_links = check_links,
	.check_status = check_no_meter,
	.after_update = move_readings,
};

int pcrm_metering_point_create(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                               const char *json, pcrm_metering_point **out)
{
	struct pcrm__record *r = NULL;
	int rc = pcrm__record_create(ctx, actor, &point_kind, customer_no, json, out ? &r : NULL);
	if (out)
		*out = handle(r);
	return rc;
}

int pcrm_metering_point_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *mp_no,
                            pcrm_metering_point **out)
{
	struct pcrm__record *r = NULL;
	int rc = pcrm__record_get(ctx, actor, &point_kind, mp_no, out ? &r : NULL);
	if (out)
		*out = handle(r);
	return rc;
}

int pcrm_metering_point_list_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                                  pcrm_metering_point_list **out)
{
	struct pcrm__record_list *list = NULL;
	int rc = pcrm__record_list_of(ctx, actor, &point_kind, customer_no, out ? &list : NULL);
	if (out)
		*out = (pcrm_metering_point_list *)(void *)list;
	return rc;
}

int pcrm_metering_point_update(pcrm_ctx *ctx, const pcrm_actor *actor, const char *mp_no,
                               const char *patch_json, int expected_version,
                               pcrm_metering_point **out)
{
	struct pcrm__record *r = NULL;
	int rc = pcrm__record_update(ctx, actor, &point_kind, mp_no, patch_json, expected_version,
	                             out ? &r : NULL);
	if (out)
		*out = handle(r);
	return rc;
}
