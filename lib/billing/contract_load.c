/*
 * The contract terms of a batch's accounts (合同容量, 需量核定值, 功率因数考核
 * 标准, and the supply dates of a new or terminated supply), which a
 * two-part tariff bills with.  They are kept on the account
 * (docs/customers.md, "Contract terms") and copied into columns of their
 * own (migration 9), so one range query on account_no reads a whole batch's
 * terms: the accounts without any are left out by the WHERE clause.
 */
#include "billing_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "store/store.h"

/* One stored term: NULL stays zero; anything but a canonical decimal above 0 is a broken store. */
static int load_term(const char *account_no, const char *field, const char *text,
                     pcrm_decimal *out)
{
	if (!text)
		return PCRM_OK;
	if (pcrm_decimal_parse(text, out) != PCRM_OK || pcrm_decimal_sign(*out) <= 0)
		return pcrm__error(PCRM_ESTORE, "account \"%s\": stored %s \"%.48s\" is malformed",
		                   account_no, field, text);
	return PCRM_OK;
}

/* "0.90" -> 90; the archive stores only the three 1983 standards. */
static int load_pf(const char *account_no, const char *text, int *out)
{
	pcrm_decimal d = pcrm_decimal_from_int(0), h;
	int64_t v = 0;
	int rc = text ? load_term(account_no, "pf_standard", text, &d) : PCRM_OK;

	if (rc != PCRM_OK || !text)
		return rc;
	if (pcrm_decimal_mul(d, pcrm_decimal_from_int(100), &h) != PCRM_OK ||
	    pcrm_decimal_to_int(h, PCRM_ROUND_DOWN, &v) != PCRM_OK ||
	    pcrm_decimal_cmp(h, pcrm_decimal_from_int(v)) != 0 || (v != 90 && v != 85 && v != 80))
		return pcrm__error(PCRM_ESTORE, "account \"%s\": stored pf_standard \"%.48s\" is not "
		                   "0.90, 0.85 or 0.80", account_no, text);
	*out = (int)v;
	return PCRM_OK;
}

static int load_date(const char *account_no, const char *field, const char *text,
                     pcrm_date *out)
{
	if (text && pcrm_date_parse(text, out) != PCRM_OK)
		return pcrm__error(PCRM_ESTORE, "account \"%s\": stored %s \"%.16s\" is malformed",
		                   account_no, field, text);
	return PCRM_OK;
}

int pcrm__contract_load_range(pcrm_ctx *ctx, const char *first, const char *last,
                              struct pcrm__account_usage *out, size_t n)
{
	pcrm_sql_value p[2] = { PCRM_SQL_S(first), PCRM_SQL_S(last) };
	pcrm_rows *rows = NULL;
	int rc;

	if (n == 0)
		return PCRM_OK; /* nothing to bill: no query */
	rc = pcrm__store_query(ctx->store,
	                       "SELECT account_no, contract_capacity_kva, contract_demand_kw, "
	                       "pf_standard, supply_start, supply_end FROM account "
	                       "WHERE account_no >= $1 AND account_no <= $2 "
	                       "AND (contract_capacity_kva IS NOT NULL OR contract_demand_kw IS NOT NULL "
	                       "OR pf_standard IS NOT NULL OR supply_start IS NOT NULL "
	                       "OR supply_end IS NOT NULL)",
	                       p, 2, &rows);
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		struct pcrm__account_usage *u = pcrm__usage_find(out, n, pcrm__rows_text(rows, 0));
		const char *terms[5];
		if (!u)
			continue; /* no reading this month: not billed now */
		for (int c = 0; c < 5; c++) /* libpq answers "" for NULL */
			terms[c] = pcrm__rows_is_null(rows, c + 1) ? NULL : pcrm__rows_text(rows, c + 1);
		rc = load_term(u->account_no, "contract_capacity_kva", terms[0],
		               &u->contract_capacity_kva);
		if (rc == PCRM_OK)
			rc = load_term(u->account_no, "contract_demand_kw", terms[1], &u->contract_demand_kw);
		if (rc == PCRM_OK)
			rc = load_pf(u->account_no, terms[2], &u->pf_standard);
		if (rc == PCRM_OK)
			rc = load_date(u->account_no, "supply_start", terms[3], &u->supply_start);
		if (rc == PCRM_OK)
			rc = load_date(u->account_no, "supply_end", terms[4], &u->supply_end);
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}
