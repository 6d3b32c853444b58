/* Query plumbing the ledger's files share. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "ledger_internal.h"

int pcrm__ledger_first_row(pcrm_store *st, const char *sql, const pcrm_sql_value *params,
                           int nparams, pcrm_rows **rows)
{
	int rc = pcrm__store_query(st, sql, params, nparams, rows);
	if (rc != PCRM_OK) {
		*rows = NULL;
		return rc;
	}
	return pcrm__rows_next(*rows);
}
