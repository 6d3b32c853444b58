/*
 * Billing accounts (账户): create, read, update, list per customer, and the
 * contract terms a two-part tariff bills them with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/out_version.h"
#include "customer_internal.h"
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

/* An account that still feeds active metering points stays open: their bills need it. */
static int check_closable(pcrm_ctx *ctx, const char *account_no, const char *status)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(account_no) };
	int64_t active = 0;
	int rc;

	if (strcmp(status, "closed") != 0)
		return PCRM_OK;
	rc = pcrm__store_query_int(ctx->store,
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

static const struct pcrm__record_kind account_kind = {
	.table = "account",
	.key = "account_no",
	.column = "payment_method",
	.label = "account",
	.create_action = "account.create",
	.update_action = "account.update",
	/* the customer's attributes a bill needs are copied from its row (migration 13) */
	/* bank_cipher ($13): the bank account number, sealed (account_bank.c, migration 28) */
	.insert_sql = "INSERT INTO account (customer_no, account_no, payment_method, status, doc, "
	              "created_at, updated_at, version, contract_capacity_kva, contract_demand_kw, "
	              "pf_standard, supply_start, supply_end, basic_mode, bank_cipher, "
	              PCRM__ACCOUNT_CUSTOMER_COLUMNS ") "
	              "SELECT $1, $2, $3, $4, $5, $6, $6, 1, $7, $8, $9, $10, $11, $12, $13, "
	              PCRM__ACCOUNT_CUSTOMER_SOURCE " FROM customer c WHERE c.customer_no = $1",
	.load_sql = "SELECT c.customer_no, c.org_unit, c.status, a.customer_no, a.doc, a.version, "
	            "a.created_at, a.updated_at FROM account a "
	            "JOIN customer c ON c.customer_no = a.customer_no WHERE a.account_no = $1",
	.list_sql = "SELECT customer_no, doc, version, created_at, updated_at FROM account "
	            "WHERE customer_no = $1 ORDER BY account_no",
	.update_sql = "UPDATE account SET payment_method = $1, status = $2, doc = $3, updated_at = $4, "
	              "version = version + 1, contract_capacity_kva = $7, contract_demand_kw = $8, "
	              "pf_standard = $9, supply_start = $10, supply_end = $11, basic_mode = $12, "
	              "bank_cipher = CASE WHEN $14 = 1 THEN bank_cipher ELSE $13 END "
	              "WHERE account_no = $5 AND version = $6",
	/* in the document and (migrations 9 and 25) in columns */
	.extras = pcrm__contract_term_names,
	.final_status = "closed",
	.doc_check = pcrm__account_doc_check,
	.check_links = NULL,
	.check_status = check_closable,
	.merged_check = pcrm__account_merged_check,
	.seal = pcrm__account_bank_seal,
};

int pcrm_account_create(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                        const char *json, pcrm_account **out)
{
	struct pcrm__record *r = NULL;
	int rc = pcrm__record_create(ctx, actor, &account_kind, customer_no, json, out ? &r : NULL);
	if (out)
		*out = handle(r);
	return rc;
}

int pcrm_account_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                     pcrm_account **out)
{
	struct pcrm__record *r = NULL;
	int rc = pcrm__record_get(ctx, actor, &account_kind, account_no, out ? &r : NULL);
	if (out)
		*out = handle(r);
	return rc;
}

int pcrm_account_list_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                           pcrm_account_list **out)
{
	struct pcrm__record_list *list = NULL;
	int rc = pcrm__record_list_of(ctx, actor, &account_kind, customer_no, out ? &list : NULL);
	if (out)
		*out = (pcrm_account_list *)(void *)list;
	return rc;
}

int pcrm_account_update(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                        const char *patch_json, int expected_version, pcrm_account **out)
{
	struct pcrm__record *r = NULL;
	int rc = pcrm__record_update(ctx, actor, &account_kind, account_no, patch_json,
	                             expected_version, out ? &r : NULL);
	if (out)
		*out = handle(r);
	return rc;
}

/* ---- contract terms ---- */

int pcrm_account_contract(const pcrm_account *a, pcrm_contract_terms *out)
{
	const char *text[PCRM__CONTRACT_TERM_COUNT];

	if (!a || !out)
		return pcrm__error(PCRM_EINVAL, "%s: is NULL", a ? "out" : "account");
	int rc = out->version < 0 ? pcrm__error(PCRM_EINVAL, "out.version: %d is negative", out->version)
	                          : PCRM__OUT_VERSION_CHECK("out", out, PCRM_CONTRACT_TERMS);
	if (rc)
		return rc;
	for (int i = 0; i < PCRM__CONTRACT_TERM_COUNT; i++)
		text[i] = pcrm__record_str(rec(a), pcrm__contract_term_names[i]);
	return pcrm__contract_terms_parse(text, out);
}

/* A decimal term for the patch: null when zero (removed), else its text. */
static json_t *term_value(pcrm_decimal d)
{
	char text[PCRM_DECIMAL_STRING_MAX];
	if (d.units == 0)
		return json_null();
	if (pcrm_decimal_format(d, text, sizeof(text)) != PCRM_OK)
		return json_string("?"); /* a bad scale: the check names the field */
	return json_string(text);
}

/* A date term for the patch: null when {0, 0, 0}, else its text (the check validates it). */
static json_t *date_value(pcrm_date d)
{
	char text[48];
	if (d.year == 0 && d.month == 0 && d.day == 0)
		return json_null();
	snprintf(text, sizeof(text), "%04d-%02d-%02d", d.year, d.month, d.day);
	return json_string(text);
}

int pcrm_account_set_contract(pcrm_ctx *ctx, const pcrm_actor *actor, const char *account_no,
                              const pcrm_contract_terms *terms, int expected_version,
                              pcrm_account **out)
{
	char pf[8];
	json_t *patch;
	char *text;
	int rc;

	if (out)
		*out = NULL;
	if (!terms)
		return pcrm__error(PCRM_EINVAL, "terms: is NULL");
	static const char *const modes[] = { NULL, "capacity", "contract_demand", "actual_demand" };
	int mode = 0;

	if (terms->version != 1 && terms->version != PCRM_CONTRACT_TERMS_VERSION)
		return pcrm__error(PCRM_EINVAL, "terms.version: %d is not 1 or %d", terms->version,
		                   PCRM_CONTRACT_TERMS_VERSION);
	if (terms->version >= 2) /* version 1 ends before basic_mode: not read */
		mode = terms->basic_mode;
	if (mode < 0 || mode > 3)
		return pcrm__error(PCRM_EINVAL, "basic_mode: %d is not 0 (the tariff's) .. 3", mode);
	if (terms->pf_standard != 0 && terms->pf_standard != 90 && terms->pf_standard != 85 &&
	    terms->pf_standard != 80)
		return pcrm__error(PCRM_EINVAL, "pf_standard: %d is not 90, 85, 80 or 0 (none)",
		                   terms->pf_standard);
	snprintf(pf, sizeof(pf), "0.%02d", terms->pf_standard);
	patch = json_pack("{s:o, s:o, s:o, s:o, s:o}", "contract_capacity_kva",
	                  term_value(terms->contract_capacity_kva), "contract_demand_kw",
	                  term_value(terms->contract_demand_kw), "pf_standard",
	                  terms->pf_standard ? json_string(pf) : json_null(), "supply_start",
	                  date_value(terms->supply_start), "supply_end",
	                  date_value(terms->supply_end));
	/* a version 1 caller knows no mode: its call leaves the mode as it is */
	if (patch && terms->version >= 2 &&
	    json_object_set_new(patch, "basic_mode", mode ? json_string(modes[mode]) : json_null()))
		json_decref(patch), patch = NULL;
	text = patch ? json_dumps(patch, JSON_COMPACT) : NULL;
	json_decref(patch);
	if (!text)
		return pcrm__error_oom();
	rc = pcrm_account_update(ctx, actor, account_no, text, expected_version, out);
	free(text);
	return rc;
}

/*
 * "a differs from b", NULL counting as a value of its own: what IS DISTINCT
 * FROM says, which SQLite only has since 3.39 (the build accepts 3.35).
 */
#define DIFFERS(a, b) "(" a " <> " b " OR (" a " IS NULL) <> (" b " IS NULL))"

/*
 * The accounts' copies of their customer's row (migration 13), refreshed
 * where they differ, so a customer update that changes none of them
 * writes no account row.  A copy is never NULL when kept right, but if it
 * were, this would still repair it.
 */
int pcrm__account_customer_sync(pcrm_ctx *ctx, const char *customer_no)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(customer_no) };
	return pcrm__store_exec(
		ctx->store,
		"UPDATE account SET (" PCRM__ACCOUNT_CUSTOMER_COLUMNS ") = (SELECT "
		PCRM__ACCOUNT_CUSTOMER_SOURCE " FROM customer c WHERE c.customer_no = $1) "
		"WHERE customer_no = $1 AND EXISTS (SELECT 1 FROM customer c WHERE c.customer_no = $1 "
		"AND (" DIFFERS("c.org_unit", "account.org_unit")
		" OR " DIFFERS("c.usage_class", "account.usage_class")
		" OR " DIFFERS("c.household_size", "account.household_size")
		" OR " DIFFERS("c.low_income", "account.low_income")
		" OR " DIFFERS("c.status", "account.customer_status") "))",
		p, 1, NULL);
}
