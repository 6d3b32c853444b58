/*
 * Sealing what was stored in clear before migration 20: customers (name,
 * phones, e-mail, addresses in the row, its document and the phone index)
 * and their contact history (caller numbers, summaries).  A migration cannot
 * do it (it runs without the data key), so the integrator calls
 * pcrm_customer_reseal() with a keyed context until nothing remains; each
 * call is one transaction of at most `batch` customers, so a large archive is
 * sealed in steps that never hold the store for long.  Until a row is
 * sealed it reads as before.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "contact_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "customer_internal.h"
#include "org/org_internal.h"
#include "pii.h"
#include "store/store.h"


/* A contact sealed in memory, waiting for its UPDATE. */
struct pending_contact {
	char id[40];
	char masked[PCRM_PHONE_MAX];
	int has_caller;
	char *sealed;
};

/*
 * Customers of the actor's subtree, not erased, whose row is in clear or who
 * have a contact in clear (a customer updated since migration 20 has a
 * sealed row but may keep older contacts).
 */
#define PENDING_WHERE                                                                              \
	"WHERE c.erased_at IS NULL AND substr(o.path, 1, length($1)) = $1 "                        \
	"AND (c.key_version IS NULL OR EXISTS (SELECT 1 FROM contact k "                           \
	"WHERE k.customer_no = c.customer_no AND k.sealed IS NULL))"
static const char pending_sql[] =
	"SELECT c.customer_no, c.doc, c.pii_key, c.key_version FROM customer c "
	"JOIN org_unit o ON o.code = c.org_unit " PENDING_WHERE " ORDER BY c.customer_no LIMIT $2";

static int seal_contacts(pcrm_ctx *ctx, const char *customer_no, const char *dek_wrapped)
{
	static const char sql[] = "SELECT id, caller_number, summary FROM contact "
	                          "WHERE customer_no = $1 AND sealed IS NULL";
	static const char update[] = "UPDATE contact SET caller_number = $3, summary = $4, "
	                             "sealed = $5 WHERE customer_no = $1 AND id = $2";
	unsigned char dek[PCRM__DEK_LEN];
	pcrm_sql_value p[5] = { PCRM_SQL_S(customer_no) };
	struct pending_contact *items = NULL;
	size_t n = 0, cap = 0;
	pcrm_rows *rows;
	int rc = pcrm__dek_open(ctx, customer_no, dek_wrapped, dek);

	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	/* collected first: a statement may not run while the query's rows are open */
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		struct pcrm__contact_fields f;
		struct pcrm__contact_sealed s;
		rc = PCRM_OK;
		if (n == cap) {
			struct pending_contact *grown = realloc(items, (cap = cap ? cap * 2 : 8) * sizeof(*items));
			if (!grown) {
				rc = pcrm__error_oom();
				break;
			}
			items = grown;
		}
		memset(&f, 0, sizeof(f));
		f.id = pcrm__rows_text(rows, 0);
		f.caller_number = pcrm__rows_text(rows, 1);
		f.summary = pcrm__rows_text(rows, 2);
		rc = pcrm__contact_seal(dek, &f, &s);
		if (rc != PCRM_OK)
			break;
		snprintf(items[n].id, sizeof(items[n].id), "%s", f.id);
		snprintf(items[n].masked, sizeof(items[n].masked), "%s", s.caller_masked);
		items[n].has_caller = f.caller_number != NULL;
		items[n].sealed = s.sealed;
		n++;
	}
	pcrm__rows_free(rows);
	for (size_t i = 0; i < n; i++) {
		p[1] = PCRM_SQL_S(items[i].id);
		p[2] = PCRM_SQL_S(items[i].has_caller ? items[i].masked : NULL);
		p[3] = PCRM_SQL_S(PCRM__CONTACT_SUMMARY_SEALED);
		p[4] = PCRM_SQL_S(items[i].sealed);
		if (rc >= 0)
			rc = pcrm__store_exec(ctx->store, update, p, 5, NULL);
		free(items[i].sealed);
	}
	free(items);
	memset(dek, 0, sizeof(dek));
	return rc < 0 ? rc : PCRM_OK;
}

static int seal_customer(pcrm_ctx *ctx, const char *customer_no, const char *doc_text,
                         const char *dek_wrapped)
{
	static const char sql[] =
		"UPDATE customer SET name = $2, doc = $3, pii_cipher = $4, pii_key = $5, "
		"key_version = $6, name_hash = $7 WHERE customer_no = $1 AND key_version IS NULL";
	struct pcrm__customer_seal seal;
	json_error_t err;
	json_t *doc = json_loads(doc_text, 0, &err);
	char *stored = NULL;
	int rc;

	if (!doc)
		return pcrm__error(PCRM_ESTORE, "customer \"%.32s\" holds invalid JSON", customer_no);
	rc = pcrm__customer_seal(ctx, doc, dek_wrapped, &seal);
	if (rc == PCRM_OK && !(stored = pcrm__customer_stored_doc(doc)))
		rc = pcrm__error_oom();
	if (rc == PCRM_OK) {
		pcrm_sql_value p[7] = { PCRM_SQL_S(customer_no), PCRM_SQL_S(seal.name_masked),
			                PCRM_SQL_S(stored), PCRM_SQL_S(seal.cipher),
			                PCRM_SQL_S(seal.dek_wrapped), PCRM_SQL_I(ctx->key_version),
			                PCRM_SQL_S(seal.name_hash) };
		rc = pcrm__store_exec(ctx->store, sql, p, 7, NULL);
		if (rc == PCRM_OK)
			rc = pcrm__store_exec(ctx->store,
			                      "DELETE FROM customer_phone WHERE customer_no = $1", p, 1,
			                      NULL);
		for (size_t i = 0; rc == PCRM_OK && i < seal.phone_count; i++) {
			pcrm_sql_value q[4] = { PCRM_SQL_S(customer_no), PCRM_SQL_S(seal.phones[i].kind),
				                PCRM_SQL_S(seal.phones[i].masked),
				                PCRM_SQL_S(seal.phones[i].hash) };
			rc = pcrm__store_exec(ctx->store,
			                      "INSERT INTO customer_phone (customer_no, kind, phone, "
			                      "phone_hash) VALUES ($1, $2, $3, $4)",
			                      q, 4, NULL);
		}
		if (rc == PCRM_OK)
			rc = seal_contacts(ctx, customer_no, seal.dek_wrapped);
	}
	free(stored);
	pcrm__customer_seal_clear(&seal);
	json_decref(doc);
	return rc;
}

struct clear_row {
	char no[PCRM__CUSTOMER_NO_MAX + 1];
	char *doc;
	char *dek_wrapped;
	int row_sealed; /* only contacts are left in clear */
};

static int reseal_batch(pcrm_ctx *ctx, const pcrm_actor *actor, const char *scope, int batch,
                        int64_t *done)
{
	pcrm_sql_value p[2] = { PCRM_SQL_S(scope), PCRM_SQL_I(batch) };
	struct clear_row *rows_read = calloc((size_t)batch, sizeof(*rows_read));
	pcrm_rows *rows = NULL;
	json_t *summary;
	size_t n = 0;
	int rc = rows_read ? pcrm__store_query(ctx->store, pending_sql, p, 2, &rows) :
	                     pcrm__error_oom();

	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		const char *key = pcrm__rows_text(rows, 2);
		rc = PCRM_OK;
		snprintf(rows_read[n].no, sizeof(rows_read[n].no), "%s", pcrm__rows_text(rows, 0));
		rows_read[n].doc = strdup(pcrm__rows_text(rows, 1));
		rows_read[n].dek_wrapped = key ? strdup(key) : NULL;
		rows_read[n].row_sealed = !pcrm__rows_is_null(rows, 3);
		if (!rows_read[n].doc || (key && !rows_read[n].dek_wrapped))
			rc = pcrm__error_oom();
		n++;
	}
	pcrm__rows_free(rows);
	if (rc > 0)
		rc = PCRM_OK;
	for (size_t i = 0; rc == PCRM_OK && i < n; i++)
		rc = rows_read[i].row_sealed ?
		             seal_contacts(ctx, rows_read[i].no, rows_read[i].dek_wrapped) :
		             seal_customer(ctx, rows_read[i].no, rows_read[i].doc,
		                           rows_read[i].dek_wrapped);
	/*
	 * One entry per customer, nothing personal in it: each entry commits to
	 * the customer's row as resealed (its after-image, lib/audit/cover.c), so
	 * pcrm_audit_verify() does not take the reseal for an edit behind the
	 * library's back.  One entry per batch would cover its first customer only.
	 */
	for (size_t i = 0; rc == PCRM_OK && i < n; i++) {
		summary = json_pack("{s:I, s:b}", "batch", (json_int_t)n, "contacts_only",
		                    rows_read[i].row_sealed);
		rc = summary ? pcrm__audit_append(ctx, actor, "customer.reseal", "customer",
		                                  rows_read[i].no, summary) :
		               pcrm__error_oom();
		json_decref(summary);
	}
	for (size_t i = 0; rows_read && i < n; i++) {
		free(rows_read[i].doc);
		free(rows_read[i].dek_wrapped);
	}
	free(rows_read);
	if (rc == PCRM_OK)
		*done = (int64_t)n;
	return rc;
}

int pcrm__reseal_run(pcrm_ctx *ctx, const pcrm_actor *actor, int batch, pcrm__reseal_batch_fn seal,
                     const char *count_sql, int64_t *remaining)
{
	char *scope = NULL;
	int64_t left = 0;
	int rc;

	if (remaining)
		*remaining = -1;
	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if (batch < 0 || batch > PCRM__RESEAL_BATCH_MAX)
		return pcrm__error(PCRM_EINVAL, "batch: %d is outside 0..%d", batch,
		                   PCRM__RESEAL_BATCH_MAX);
	if (batch == 0)
		batch = 1000;
	rc = pcrm__pii_need_key(ctx, "reseal");
	if (rc == PCRM_OK)
		rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_ARCHIVE_WRITE, NULL, &scope);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, seal(ctx, actor, scope, batch));
	if (rc == PCRM_OK) {
		pcrm_sql_value p[1] = { PCRM_SQL_S(scope) };
		rc = pcrm__store_query_int(ctx->store, count_sql, p, 1, &left);
	}
	if (rc == PCRM_OK && remaining)
		*remaining = left;
	free(scope);
	return rc;
}

static int reseal_customers(pcrm_ctx *ctx, const pcrm_actor *actor, const char *scope, int batch)
{
	int64_t done = 0;
	return reseal_batch(ctx, actor, scope, batch, &done);
}

int pcrm_customer_reseal(pcrm_ctx *ctx, const pcrm_actor *actor, int batch, int64_t *remaining)
{
	static const char count_sql[] =
		"SELECT COUNT(*) FROM customer c JOIN org_unit o ON o.code = c.org_unit " PENDING_WHERE;
	return pcrm__reseal_run(ctx, actor, batch, reseal_customers, count_sql, remaining);
}
