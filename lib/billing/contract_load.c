/*
 * The contract terms of an account (合同容量, 需量核定值, 功率因数考核标准,
 * and the supply dates of a new or terminated supply), which a two-part
 * tariff bills with.  They are kept on the account (docs/customers.md,
 * "Contract terms") and copied into columns of their own (migration 9), so
 * the query that reads a bill's subject (the run's batch of accounts and
 * customers, a correction's account) selects them with the account row it
 * reads anyway: PCRM__CONTRACT_COLUMNS, turned into terms here.
 */
#include <string.h>

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

int pcrm__contract_read(struct pcrm_rows *rows, int col, const char *account_no,
                        struct pcrm__contract_terms *out)
{
	const char *terms[PCRM__CONTRACT_NCOLUMNS];
	int rc;

	memset(out, 0, sizeof(*out));
	out->contract_capacity_kva = pcrm_decimal_from_int(0);
	out->contract_demand_kw = pcrm_decimal_from_int(0);
	for (int c = 0; c < PCRM__CONTRACT_NCOLUMNS; c++) /* libpq answers "" for NULL */
		terms[c] = pcrm__rows_is_null(rows, col + c) ? NULL : pcrm__rows_text(rows, col + c);
	rc = load_term(account_no, "contract_capacity_kva", terms[0], &out->contract_capacity_kva);
	if (rc == PCRM_OK)
		rc = load_term(account_no, "contract_demand_kw", terms[1], &out->contract_demand_kw);
	if (rc == PCRM_OK)
		rc = load_pf(account_no, terms[2], &out->pf_standard);
	if (rc == PCRM_OK)
		rc = load_date(account_no, "supply_start", terms[3], &out->supply_start);
	if (rc == PCRM_OK)
		rc = load_date(account_no, "supply_end", terms[4], &out->supply_end);
	return rc;
}
