/*
 * The contract terms of an account (合同容量, 需量核定值, 功率因数考核标准,
 * and the supply dates of a new or terminated supply), which a two-part
 * tariff bills with.  They are kept on the account (docs/customers.md,
 * "Contract terms") and copied into columns of their own (migration 9), so
 * the query that reads a bill's subject (the run's batch of accounts and
 * customers, a correction's account) selects them with the account row it
 * reads anyway: PCRM__CONTRACT_COLUMNS, turned into terms here.
 */
#include "billing_internal.h"
#include "customer/metering_internal.h"
#include "core/error.h"
#include "store/store.h"

_Static_assert(PCRM__CONTRACT_NCOLUMNS == PCRM__CONTRACT_TERM_COUNT,
               "PCRM__CONTRACT_COLUMNS lists the archive's terms in its order");

int pcrm__contract_read(struct pcrm_rows *rows, int col, const char *account_no,
                        pcrm_contract_terms *out)
{
	const char *terms[PCRM__CONTRACT_NCOLUMNS];
	int rc;

	for (int c = 0; c < PCRM__CONTRACT_NCOLUMNS; c++) /* libpq answers "" for NULL */
		terms[c] = pcrm__rows_is_null(rows, col + c) ? NULL : pcrm__rows_text(rows, col + c);
	rc = pcrm__contract_terms_parse(terms, out);
	if (rc != PCRM_OK)
		pcrm__error_prefix("account \"%s\"", account_no);
	return rc;
}
