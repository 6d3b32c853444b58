/*
 * After-image digests: what an audit entry commits to of the business rows
 * its change left behind, so that editing those rows directly in the
 * database (a ledger amount, a work order's return-visit result) is found by
 * pcrm_audit_verify() even though no audit entry was touched.
 *
 * Each covered object type names the rows that make up one object.  Rows
 * that are only ever appended (ledger entries, work-order history) are
 * digested up to the newest one at the time of the entry, and that bound is
 * recorded ("<bound>:<hex>"): later appends by bulk operations whose entries
 * name no single object (a billing posting, a timer tick) then leave the
 * digest intact, while an edit of any row up to the bound changes it.
 * Single rows are digested whole ("0:<hex>"), minus columns that legitimate
 * bulk operations change without an entry of that object (a bill's status,
 * set to 'void' by the correction that replaces it).  docs/security.md lists
 * what is covered and what is not yet.
 *
 * Every column is read as text (both stores render integers in decimal) and
 * hashed length-prefixed, NULL as its own mark, so no two row sets encode
 * alike.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"
#include "core/error.h"

struct covered_type {
	const char *object_type;
	/* $1 the object id; bounded ones: $2 the bound, the first column the row's seq */
	const char *sql;
	int bounded;
	int columns;
};

static const struct covered_type covered[] = {
	{ "customer",
	  "SELECT customer_no, org_unit, kind, name, usage_class, voltage_level, status, vip_level, "
	  "transformer_area, doc, id_masked, id_cipher, id_hash, version FROM customer "
	  "WHERE customer_no = $1",
	  0, 14 },
	{ "bill",
	  "SELECT bill_no, customer_no, account_no, period, tariff_id, tariff_version, issue_day, "
	  "due_day, energy, total, replaces, doc, created_at, created_by FROM bill "
	  "WHERE bill_no = $1",
	  0, 14 },
	/* the bills of one billing-run batch (bill.batch, migration 23), minus their status */
	{ "bill_batch",
	  "SELECT bill_no, customer_no, account_no, period, tariff_id, tariff_version, issue_day, "
	  "due_day, energy, total, replaces, doc, created_at, created_by FROM bill "
	  "WHERE batch = $1 ORDER BY bill_no",
	  0, 14 },
	/*
	 * A contact, minus its sealed text (caller number, summary, cipher): a
	 * reseal and an erasure change those under the customer's entry, and the
	 * cipher is authenticated by AES-GCM with the contact id.
	 */
	{ "contact",
	  "SELECT customer_no, id, at, channel, direction, agent, duration_seconds, business_code, "
	  "work_order_id, recorded_by, recorded_at FROM contact WHERE id = $1",
	  0, 11 },
	/* every version of a tariff id, each published with an entry of the id */
	{ "tariff",
	  "SELECT version, tariff_id, effective_from, effective_to, doc, doc_hash, published_at, "
	  "published_by, owner_unit, scope_unit FROM tariff_version WHERE tariff_id = $1 "
	  "ORDER BY version",
	  0, 10 },
	/*
	 * A meter's readings up to the newest reading time (a final reading of a
	 * removal or replacement comes later, under the metering point's entry),
	 * minus the account, which moves with the metering point.
	 */
	{ "meter",
	  "SELECT read_at, installation_id, reg, seq, customer_no, mp_no, meter_no, value, previous, "
	  "previous_at, multiplier, energy, flags, recorded_at FROM meter_reading "
	  "WHERE meter_no = $1 AND read_at <= CAST($2 AS BIGINT) "
	  "ORDER BY read_at, installation_id, reg, seq",
	  1, 14 },
	/* an account's ledger: every entry up to the bound */
	{ "account",
	  "SELECT seq, entry_key, kind, ref, amount, balance, credit, business_day, posted_at, "
	  "posted_by, request, doc FROM ledger_entry "
	  "WHERE customer_no = (SELECT customer_no FROM ledger_account WHERE account_no = $1) "
	  "AND account_no = $1 AND seq <= CAST($2 AS BIGINT) ORDER BY seq",
	  1, 12 },
	/* a work order's history, which its stored state replays from */
	{ "work_order",
	  "SELECT seq, at, kind, operator_id, role, actor_org, event, from_state, to_state, note, "
	  "delta FROM work_order_history WHERE work_order_id = $1 AND seq <= CAST($2 AS BIGINT) ORDER BY seq",
	  1, 11 },
};

static const struct covered_type *find_type(const char *object_type)
{
	for (size_t i = 0; i < sizeof(covered) / sizeof(covered[0]); i++)
		if (strcmp(covered[i].object_type, object_type) == 0)
			return &covered[i];
	return NULL;
}

static int hash_column(pcrm_sha256 *h, const char *value)
{
	char len[32];
	int n, rc;
	if (!value)
		return pcrm__sha256_update(h, "-\n", 2);
	n = snprintf(len, sizeof(len), "%zu:", strlen(value));
	rc = pcrm__sha256_update(h, len, (size_t)n);
	if (rc == PCRM_OK)
		rc = pcrm__sha256_update(h, value, strlen(value));
	return rc == PCRM_OK ? pcrm__sha256_update(h, "\n", 1) : rc;
}

/*
 * Digests the object's rows up to `bound` into out; *newest receives the
 * last row's seq, *count (may be NULL) the number of rows.
 */
static int digest(pcrm_ctx *ctx, const struct covered_type *t, const char *object_id,
                  int64_t bound, int64_t *newest, int64_t *count,
                  char out[PCRM_SHA256_HEX_LEN + 1])
{
	int64_t rows_seen = 0;
	pcrm_sql_value p[2] = { PCRM_SQL_S(object_id), PCRM_SQL_I(bound) };
	pcrm_sha256 *h;
	pcrm_rows *rows;
	int rc = pcrm__sha256_new(&h);
	if (rc != PCRM_OK)
		return rc;
	*newest = 0;
	rc = pcrm__store_query(ctx->store, t->sql, p, t->bounded ? 2 : 1, &rows);
	if (rc == PCRM_OK) {
		while ((rc = pcrm__rows_next(rows)) == 1) {
			rc = pcrm__sha256_update(h, "row\n", 4);
			for (int i = 0; i < t->columns && rc == PCRM_OK; i++)
				rc = hash_column(h, pcrm__rows_text(rows, i));
			if (rc != PCRM_OK)
				break;
			if (t->bounded)
				*newest = pcrm__rows_int(rows, 0);
			rows_seen++;
		}
		pcrm__rows_free(rows);
	}
	if (rc == PCRM_OK)
		rc = pcrm__sha256_final_hex(h, out);
	pcrm__sha256_free(h);
	if (count)
		*count = rows_seen;
	return rc;
}

int pcrm__audit_cover(pcrm_ctx *ctx, const char *object_type, const char *object_id,
                      char out[PCRM__AUDIT_COVERS_MAX])
{
	const struct covered_type *t = find_type(object_type);
	char hex[PCRM_SHA256_HEX_LEN + 1];
	int64_t newest, count;
	int rc;

	out[0] = '\0';
	if (!t || !object_id[0])
		return PCRM_OK;
	rc = digest(ctx, t, object_id, INT64_MAX, &newest, &count, hex);
	/*
	 * No rows, nothing to cover: an object id that names a batch rather than
	 * an object (a customer import's row number), an account with no ledger
	 * entries yet.
	 */
	if (rc == PCRM_OK && count > 0)
		snprintf(out, PCRM__AUDIT_COVERS_MAX, "%" PRId64 ":%s", newest, hex);
	return rc;
}

int pcrm__audit_cover_check(pcrm_ctx *ctx, const char *object_type, const char *object_id,
                            const char *covers, int *same)
{
	const struct covered_type *t = find_type(object_type);
	char hex[PCRM_SHA256_HEX_LEN + 1], *end;
	const char *colon = strchr(covers, ':');
	int64_t bound, newest;
	int rc;

	*same = 0;
	/* an entry whose type is no longer covered, or whose value is not ours: cannot match */
	if (!t || !colon)
		return PCRM_OK;
	bound = strtoll(covers, &end, 10);
	if (end != colon)
		return PCRM_OK;
	rc = digest(ctx, t, object_id, t->bounded ? bound : INT64_MAX, &newest, NULL, hex);
	if (rc == PCRM_OK)
		*same = strcmp(hex, colon + 1) == 0 && (!t->bounded || newest == bound);
	return rc;
}
