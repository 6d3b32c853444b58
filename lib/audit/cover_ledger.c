/*
 * The digest of the ledger rows a billing run's bulk posting writes
 * (bulk_posting.h): one hex SHA-256 per row, taken by the posting from the
 * values it binds for the COPY / INSERT while it writes them, and by
 * verification from the rows as they are stored, with one encoding for
 * both (cover.c's, integers in decimal as the store renders them).
 */
#include <string.h>

#include "audit_internal.h"
#include "bulk_posting.h"

int pcrm__audit_values_hex(pcrm_sha256 *h, const pcrm_sql_value *values, const int *columns,
                           int n, char out[PCRM_SHA256_HEX_LEN + 1])
{
	int rc = pcrm__sha256_reset(h);
	if (rc == PCRM_OK)
		rc = pcrm__audit_hash_values(h, values, columns, n);
	return rc == PCRM_OK ? pcrm__sha256_final_hex(h, out) : rc;
}

int pcrm__audit_stored_hex(pcrm_sha256 *h, pcrm_rows *rows, int first, int n,
                           char out[PCRM_SHA256_HEX_LEN + 1])
{
	int rc = pcrm__sha256_reset(h);
	if (rc == PCRM_OK)
		rc = pcrm__audit_hash_row(h, rows, first, n);
	return rc == PCRM_OK ? pcrm__sha256_final_hex(h, out) : rc;
}

int pcrm__audit_bulk_rows_add(pcrm_sha256 *h, const char *entry_hex, const char *item_hex)
{
	int rc = pcrm__sha256_update(h, entry_hex, strlen(entry_hex));
	if (rc == PCRM_OK)
		rc = pcrm__sha256_update(h, "\n", 1);
	if (rc == PCRM_OK)
		rc = pcrm__sha256_update(h, item_hex, strlen(item_hex));
	return rc == PCRM_OK ? pcrm__sha256_update(h, "\n", 1) : rc;
}
