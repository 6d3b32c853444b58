/*
 * Stored bills: writing a bill row, posting a bill to its ledger, reading
 * bills back as pcrm_bill_record objects (with whether the ledger holds
 * them), per number or per customer.
 *
 * A bill row holds the itemised bill exactly as pcrm_bill_to_json() wrote
 * it, so an agent can explain every line later without recomputing; the
 * tariff id and version say what to recompute it with.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "billing_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/vec.h"
#include "customer/metering_internal.h"
#include "ledger/ledger_internal.h"
#include "org/org_internal.h"
#include "store/store.h"
#include "tariff/tariff_internal.h"

static const char *const bill_columns[] = {
	"customer_no", "bill_no", "account_no", "period", "status", "tariff_id", "tariff_version",
	"issue_day", "due_day", "energy", "total", "replaces", "doc", "created_at", "created_by",
	"batch",
};
#define BILL_COLUMNS ((int)(sizeof(bill_columns) / sizeof(bill_columns[0])))

int pcrm__bill_bulk_begin(pcrm_ctx *ctx)
{
	return pcrm__store_bulk_begin(ctx->store, "bill", bill_columns, BILL_COLUMNS);
}

/* Rendered once (pcrm_bill_json_size() + pcrm_bill_to_json() would render it twice). */
static char *bill_json(const pcrm_bill *bill)
{
	return pcrm__bill_json_text(bill);
}

int pcrm__bill_insert(pcrm_ctx *ctx, const pcrm_actor *actor, const struct pcrm__bill_subject *s,
                      const struct pcrm__month *month, const struct pcrm__bill_meta *meta,
                      const pcrm_bill *bill, int bulk, pcrm__audit_cover_rows *cover)
{
	/*
	 * The columns of a "bill_batch" after-image (lib/audit/cover.c), in its
	 * order: every column but status and batch.
	 */
	static const int covered_columns[] = { 1, 0, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };
	char energy[PCRM_DECIMAL_STRING_MAX], total[PCRM_DECIMAL_STRING_MAX];
	pcrm_sql_value v[BILL_COLUMNS];
	char *doc = bill_json(bill);
	int rc;

	if (!doc)
		return pcrm__error_oom();
	pcrm_decimal_format(pcrm_bill_energy(bill), energy, sizeof(energy));
	pcrm_decimal_format(pcrm_bill_total(bill), total, sizeof(total));
	v[0] = PCRM_SQL_S(s->customer_no);
	v[1] = PCRM_SQL_S(meta->bill_no);
	v[2] = PCRM_SQL_S(s->account_no);
	v[3] = PCRM_SQL_S(month->text);
	v[4] = PCRM_SQL_S("issued");
	v[5] = PCRM_SQL_S(pcrm_bill_tariff_id(bill));
	v[6] = PCRM_SQL_I(pcrm_bill_tariff_version(bill));
	v[7] = PCRM_SQL_I(pcrm_date_to_days(meta->issue_date));
	v[8] = PCRM_SQL_I(pcrm_date_to_days(meta->due_date));
	v[9] = PCRM_SQL_S(energy);
	v[10] = PCRM_SQL_S(total);
	v[11] = PCRM_SQL_S(meta->replaces);
	v[12] = PCRM_SQL_S(doc);
	v[13] = PCRM_SQL_I(pcrm_ctx_now(ctx));
	v[14] = PCRM_SQL_S(actor->operator_id);
	v[15] = PCRM_SQL_S(meta->batch);
	if (cover) {
		const pcrm_sql_value *covered[sizeof(covered_columns) / sizeof(covered_columns[0])];
		for (size_t i = 0; i < sizeof(covered_columns) / sizeof(covered_columns[0]); i++)
			covered[i] = &v[covered_columns[i]];
		if ((rc = pcrm__audit_cover_rows_add(cover, covered)) != PCRM_OK) {
			free(doc);
			return rc;
		}
	}
	if (bulk)
		rc = pcrm__store_bulk_row(ctx->store, v);
	else
		rc = pcrm__store_exec(ctx->store,
		                      "INSERT INTO bill (customer_no, bill_no, account_no, period, status, "
		                      "tariff_id, tariff_version, issue_day, due_day, energy, total, "
		                      "replaces, doc, created_at, created_by, batch) VALUES ($1, $2, $3, "
		                      "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
		                      v, BILL_COLUMNS, NULL);
	free(doc);
	if (rc == PCRM_EDUPLICATE)
		rc = pcrm__error(PCRM_EDUPLICATE, "account \"%s\" already has a bill for %s",
		                 s->account_no, month->text);
	if (rc == PCRM_OK)
		pcrm__trace_count(ctx->store, PCRM__COUNTER_BILLING_BILLS, 1);
	return rc;
}

void pcrm__bill_request(const struct pcrm__month *month, const struct pcrm__bill_meta *meta,
                        pcrm_decimal amount, struct pcrm__ledger_bill *out)
{
	out->bill_no = meta->bill_no;
	out->period = month->text;
	out->issue_date = meta->issue_date;
	out->due_date = meta->due_date;
	out->amount = amount;
}

int pcrm__bill_post(pcrm_ctx *ctx, const pcrm_actor *actor, const struct pcrm__bill_subject *s,
                    const struct pcrm__month *month, const struct pcrm__bill_meta *meta,
                    const pcrm_bill *bill)
{
	struct pcrm__ledger_bill lb;
	json_t *req;
	int rc;

	/* A bill of nothing (a low-income allowance covering it all) owes nothing: no entry. */
	if (pcrm_decimal_sign(pcrm_bill_total(bill)) <= 0)
		return PCRM_OK;
	memset(&lb, 0, sizeof(lb));
	pcrm__bill_request(month, meta, pcrm_bill_total(bill), &lb);
	if (!(req = pcrm__ledger_bill_doc(&lb)))
		return pcrm__error_oom();
	rc = pcrm__ledger_post_doc(ctx, actor, s->account_no, req, NULL);
	json_decref(req);
	return rc;
}

/* A bill is posted iff the ledger holds its entry: the ledger is the one record of it. */
int pcrm__bill_is_posted(pcrm_ctx *ctx, const char *bill_no, int *posted)
{
	char key[PCRM__BILL_NO_MAX + 8];
	pcrm_sql_value p[1] = { PCRM_SQL_S(key) };
	int64_t n = 0;
	int rc;

	snprintf(key, sizeof(key), "bill/%s", bill_no);
	rc = pcrm__store_query_int(ctx->store, "SELECT COUNT(*) FROM ledger_entry WHERE entry_key = $1",
	                           p, 1, &n);
	*posted = n > 0;
	return rc;
}

/* ---- records ---- */

#define RECORD_COLUMNS                                                                       \
	"b.bill_no, b.customer_no, b.account_no, b.period, b.status, b.tariff_id, "             \
	"b.tariff_version, b.issue_day, b.due_day, b.energy, b.total, b.replaces, b.doc, "      \
	"(SELECT COUNT(*) FROM ledger_entry e WHERE e.entry_key = 'bill/' || b.bill_no)"

/* Builds a record (struct and strings in one block) from the RECORD_COLUMNS at 0. */
static int record_from_row(pcrm_rows *rows, pcrm_bill_record **out)
{
	static const int text_cols[] = { 0, 1, 2, 3, 4, 5, 11, 12 };
	static const size_t offsets[] = {
		offsetof(pcrm_bill_record, bill_no),   offsetof(pcrm_bill_record, customer_no),
		offsetof(pcrm_bill_record, account_no), offsetof(pcrm_bill_record, period),
		offsetof(pcrm_bill_record, status),    offsetof(pcrm_bill_record, tariff_id),
		offsetof(pcrm_bill_record, replaces),  offsetof(pcrm_bill_record, json),
	};
	const char *src[8];
	pcrm_bill_record *r;

	for (int i = 0; i < 8; i++)
		src[i] = pcrm__rows_text(rows, text_cols[i]);
	r = pcrm__block_new(sizeof(*r), src, offsets, 8);
	if (!r)
		return pcrm__error_oom();
	r->tariff_version = pcrm__rows_int(rows, 6);
	r->posted = pcrm__rows_int(rows, 13) > 0;
	r->issue_date = pcrm_date_from_days(pcrm__rows_int(rows, 7));
	r->due_date = pcrm_date_from_days(pcrm__rows_int(rows, 8));
	if (pcrm_decimal_parse(pcrm__rows_text(rows, 9), &r->energy) != PCRM_OK ||
	    pcrm_decimal_parse(pcrm__rows_text(rows, 10), &r->total) != PCRM_OK) {
		free(r);
		return pcrm__error(PCRM_ESTORE, "bill \"%s\": stored amounts are malformed", src[0]);
	}
	*out = r;
	return PCRM_OK;
}

void pcrm_bill_record_free(pcrm_bill_record *bill)
{
	free(bill);
}

int pcrm__bill_record_load(pcrm_ctx *ctx, const char *bill_no, pcrm_bill_record **out,
                           char org_unit[PCRM__BILL_CODE_MAX + 1])
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(bill_no) };
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_query(ctx->store,
	                           "SELECT " RECORD_COLUMNS ", c.org_unit FROM bill b "
	                           "JOIN customer c ON c.customer_no = b.customer_no "
	                           "WHERE b.bill_no = $1",
	                           p, 1, &rows);
	*out = NULL;
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		snprintf(org_unit, PCRM__BILL_CODE_MAX + 1, "%s", pcrm__rows_text(rows, 14));
		rc = record_from_row(rows, out);
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "bill \"%s\" does not exist", bill_no);
	}
	pcrm__rows_free(rows);
	return rc;
}

/* ---- lists ---- */

struct pcrm_bill_list {
	struct pcrm__vec v;
};

PCRM__VEC_LIST(pcrm_bill_list, pcrm_bill_record, pcrm_bill_list_count, pcrm_bill_list_at,
               pcrm_bill_list_free)

int pcrm_bill_list_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                        const char *from_period, const char *to_period, pcrm_bill_list **out)
{
	struct pcrm__owner owner;
	struct pcrm__month from, to;
	pcrm_sql_value p[3];
	pcrm_rows *rows = NULL;
	pcrm_bill_list *list;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if ((rc = pcrm__code_arg("customer_no", customer_no)) != PCRM_OK)
		return rc;
	if (from_period && (rc = pcrm__month_parse(ctx, "from_period", from_period, &from)) != PCRM_OK)
		return rc;
	if (to_period && (rc = pcrm__month_parse(ctx, "to_period", to_period, &to)) != PCRM_OK)
		return rc;
	rc = pcrm__owner_load(ctx, customer_no, &owner);
	rc = pcrm__owner_authorize(ctx, actor, rc, &owner, PCRM_PERM_ARCHIVE_READ);
	if (rc != PCRM_OK)
		return rc;
	if (!(list = calloc(1, sizeof(*list))))
		return pcrm__error_oom();
	p[0] = PCRM_SQL_S(customer_no);
	p[1] = PCRM_SQL_S(from_period ? from.text : "0000-00");
	p[2] = PCRM_SQL_S(to_period ? to.text : "9999-99");
	rc = pcrm__store_query(ctx->store,
	                       "SELECT " RECORD_COLUMNS " FROM bill b WHERE b.customer_no = $1 "
	                       "AND b.period >= $2 AND b.period <= $3 "
	                       "ORDER BY b.period DESC, b.created_at DESC, b.bill_no DESC",
	                       p, 3, &rows);
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		pcrm_bill_record *r;
		rc = record_from_row(rows, &r);
		if (rc == PCRM_OK && (rc = pcrm__vec_push(&list->v, r)) != PCRM_OK)
			free(r);
	}
	pcrm__rows_free(rows);
	if (rc < 0) {
		pcrm_bill_list_free(list);
		return rc;
	}
	*out = list;
	return PCRM_OK;
}
