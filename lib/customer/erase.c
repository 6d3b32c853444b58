/*
 * Erasure of a customer's personal data (PIPL Art. 47): crypto-shredding.
 *
 * The customer's data key is destroyed, so its sealed fields and its sealed
 * contact history can never be opened again, by anyone holding any key.  The
 * row itself stays (bills, ledger entries, work orders and audit entries
 * point at the customer number, and their checks must keep verifying): it
 * keeps what is not personal (org unit, usage class, status, ...), and its
 * clear masks and blind indexes are removed too.  Rows stored before
 * migration 20 and never sealed have their plaintext removed instead.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "contact_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "customer_internal.h"
#include "metering_internal.h"
#include "org/org_internal.h"
#include "pii.h"
#include "store/store.h"

struct erase_target {
	char org[64];
	char status[16];
	int version;
	int erased;
	char *doc; /* the stored document, stripped of personal fields for the rewrite */
};

static int load_target(pcrm_ctx *ctx, const char *customer_no, struct erase_target *t)
{
	static const char sql[] =
		"SELECT org_unit, status, version, erased_at, doc FROM customer WHERE customer_no = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(customer_no) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1) {
		json_error_t err;
		json_t *doc = json_loads(pcrm__rows_text(rows, 4), 0, &err);
		snprintf(t->org, sizeof(t->org), "%s", pcrm__rows_text(rows, 0));
		snprintf(t->status, sizeof(t->status), "%s", pcrm__rows_text(rows, 1));
		t->version = (int)pcrm__rows_int(rows, 2);
		t->erased = !pcrm__rows_is_null(rows, 3);
		/* stored before migration 20 the document still holds the personal fields */
		t->doc = doc ? pcrm__customer_stored_doc(doc) : NULL;
		json_decref(doc);
		rc = t->doc ? PCRM_OK :
		     doc ? pcrm__error_oom() :
		           pcrm__error(PCRM_ESTORE, "customer row holds invalid JSON");
	} else if (rc == 0) {
		rc = pcrm__error(PCRM_ENOTFOUND, "customer \"%.32s\" does not exist", customer_no);
	}
	pcrm__rows_free(rows);
	return rc;
}

static int write_erasure(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                         const struct erase_target *t)
{
	static const char customer_sql[] =
		"UPDATE customer SET name = '(erased)', doc = $2, pii_cipher = NULL, pii_key = NULL, "
		"name_hash = NULL, id_masked = NULL, id_cipher = NULL, id_hash = NULL, "
		"erased_at = $3, updated_at = $3, version = version + 1 "
		"WHERE customer_no = $1 AND version = $4";
	/* sealed contacts stay as unreadable ciphers; older clear ones lose their text */
	static const char contact_sql[] =
		"UPDATE contact SET caller_number = NULL, summary = '(erased)' WHERE customer_no = $1";
	pcrm_sql_value p[4] = { PCRM_SQL_S(customer_no), PCRM_SQL_S(t->doc),
		                PCRM_SQL_I(pcrm_ctx_now(ctx)), PCRM_SQL_I(t->version) };
	int64_t changes = 0;
	json_t *summary;
	int rc = pcrm__store_exec(ctx->store, customer_sql, p, 4, &changes);

	if (rc == PCRM_OK && changes != 1)
		rc = pcrm__error(PCRM_ECONFLICT, "customer \"%s\" was changed concurrently; read it again",
		                 customer_no);
	if (rc == PCRM_OK)
		rc = pcrm__store_exec(ctx->store, "DELETE FROM customer_phone WHERE customer_no = $1", p,
		                      1, NULL);
	if (rc == PCRM_OK)
		rc = pcrm__store_exec(ctx->store, contact_sql, p, 1, NULL);
	/* an erased customer has no IVR PIN: its hash is the customer's credential */
	if (rc == PCRM_OK)
		rc = pcrm__store_exec(ctx->store, "DELETE FROM ivr_pin WHERE customer_no = $1", p, 1,
		                      NULL);
	/* sealed bank account numbers go with the key; older clear ones keep their mask */
	if (rc == PCRM_OK)
		rc = pcrm__account_bank_erase(ctx, customer_no);
	if (rc != PCRM_OK)
		return rc;
	summary = json_pack("{s:i}", "version", t->version + 1);
	rc = pcrm__audit_append(ctx, actor, "customer.erase", "customer", customer_no, summary);
	json_decref(summary);
	return rc;
}

int pcrm_customer_erase(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                        int expected_version)
{
	struct erase_target t;
	int rc;

	memset(&t, 0, sizeof(t));
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK && (!customer_no || !*customer_no))
		rc = pcrm__error(PCRM_EINVAL, "customer_no: missing");
	if (rc == PCRM_OK) {
		rc = load_target(ctx, customer_no, &t);
		/*
		 * Erasing is writing the archive and handling personal data in full.  A
		 * customer nobody has is refused like one of another unit (no oracle).
		 */
		if (rc == PCRM_OK || rc == PCRM_ENOTFOUND)
			rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_ARCHIVE_WRITE, "customer",
			                           customer_no, rc, t.org);
		if (rc == PCRM_OK)
			rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_PII_READ, "customer",
			                           customer_no, PCRM_OK, t.org);
	}
	if (rc == PCRM_OK && t.erased)
		rc = pcrm__error(PCRM_ESTATE, "customer \"%s\" is already erased", customer_no);
	if (rc == PCRM_OK && strcmp(t.status, "closed") != 0)
		rc = pcrm__error(PCRM_ESTATE, "customer \"%s\" is %s: close it before erasing its "
		                              "personal data", customer_no, t.status);
	if (rc == PCRM_OK && t.version != expected_version)
		rc = pcrm__error(PCRM_ECONFLICT,
		                 "customer \"%s\" is at version %d, not %d: somebody changed it; read it "
		                 "again", customer_no, t.version, expected_version);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, write_erasure(ctx, actor, customer_no, &t));
	free(t.doc);
	return rc;
}
