/*
 * The contact history in the store: recording an interaction, listing a
 * customer's history newest first, one page at a time.
 *
 * Contacts are only ever inserted.  Paging is by key, not by offset: the
 * cursor carries the (at, id) of the last contact shown, so contacts
 * recorded between two pages neither repeat nor hide older ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit/audit.h"
#include "contact_internal.h"
#include "customer_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/vec.h"
#include "core/uuid.h"
#include "org/org_internal.h"
#include "pii.h"
#include "store/keyset.h"
#include "store/store.h"


_Static_assert(PCRM_UUID_STRING_LEN == PCRM_CONTACT_ID_LEN, "contact ids are UUIDs");

struct pcrm_contact_list {
	pcrm_contact **items;
	size_t count;
	char *next_cursor;
};

PCRM__PAGE_LIST(pcrm_contact_list, pcrm_contact, pcrm_contact_list, pcrm_contact_free)

/* ---- the customer a contact belongs to ---- */

static int check_customer_no(const char *customer_no)
{
	if (!customer_no || !*customer_no)
		return pcrm__error(PCRM_EINVAL, "customer_no: missing");
	return PCRM_OK;
}

/* ---- recording ---- */

/* What the audit log keeps: who, when and how, not the summary's (personal) text. */
static json_t *audit_summary(const struct pcrm__contact_fields *f)
{
	json_t *s = json_pack("{s:s, s:I, s:s, s:s, s:s, s:I}", "customer_no", f->customer_no, "at",
	                      (json_int_t)f->at, "channel", f->channel, "direction", f->direction,
	                      "agent", f->agent, "summary_bytes", (json_int_t)strlen(f->summary));
	if (s && f->duration_seconds >= 0)
		json_object_set_new(s, "duration_seconds", json_integer(f->duration_seconds));
	if (s && f->business_code)
		json_object_set_new(s, "business_code", json_string(f->business_code));
	if (s && f->work_order_id)
		json_object_set_new(s, "work_order_id", json_string(f->work_order_id));
	return s;
}

/* The caller number and summary sealed under the customer's data key (contact_seal.c). */
static int seal_for(pcrm_ctx *ctx, const struct pcrm__contact_fields *f,
                    struct pcrm__contact_sealed *out)
{
	unsigned char dek[PCRM__DEK_LEN];
	enum pcrm__dek_state state;
	int rc = pcrm__customer_dek(ctx, f->customer_no, 1, dek, &state);
	memset(out, 0, sizeof(*out));
	if (rc == PCRM_OK)
		rc = pcrm__contact_seal(dek, f, out);
	OPENSSL_cleanse(dek, sizeof(dek));
	return rc;
}

static int insert_contact(pcrm_ctx *ctx, const pcrm_actor *actor,
                          const struct pcrm__contact_fields *f)
{
	static const char sql[] =
		"INSERT INTO contact (customer_no, id, at, channel, direction, agent, caller_number, "
		"duration_seconds, business_code, summary, work_order_id, recorded_by, recorded_at, "
		"sealed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
	struct pcrm__contact_sealed sealed;
	pcrm_sql_value p[14];
	json_t *summary;
	int rc = seal_for(ctx, f, &sealed);

	if (rc != PCRM_OK)
		return rc;

	p[0] = PCRM_SQL_S(f->customer_no);
	p[1] = PCRM_SQL_S(f->id);
	p[2] = PCRM_SQL_I(f->at);
	p[3] = PCRM_SQL_S(f->channel);
	p[4] = PCRM_SQL_S(f->direction);
	p[5] = PCRM_SQL_S(f->agent);
	p[6] = PCRM_SQL_S(f->caller_number ? sealed.caller_masked : NULL);
	p[7] = f->duration_seconds >= 0 ? PCRM_SQL_I(f->duration_seconds) : PCRM_SQL_NUL;
	p[8] = PCRM_SQL_S(f->business_code);
	p[9] = PCRM_SQL_S(PCRM__CONTACT_SUMMARY_SEALED);
	p[10] = PCRM_SQL_S(f->work_order_id);
	p[11] = PCRM_SQL_S(f->recorded_by);
	p[12] = PCRM_SQL_I(f->recorded_at);
	p[13] = PCRM_SQL_S(sealed.sealed);
	rc = pcrm__store_exec(ctx->store, sql, p, 14, NULL);
	free(sealed.sealed);
	if (rc != PCRM_OK)
		return rc;
	summary = audit_summary(f);
	if (!summary)
		return pcrm__error_oom();
	rc = pcrm__audit_append(ctx, actor, "contact.record", "contact", f->id, summary);
	json_decref(summary);
	return rc;
}

/*
 * The bulk path for a batch of contacts whose caller checked the actor and
 * every customer, and appends one audit entry for the whole batch (the call
 * records of the ACD sink, lib/callrecord).
 */
int pcrm__contact_insert_batch(pcrm_ctx *ctx, const struct pcrm__contact_fields *f, size_t n,
                               char (*covers)[PCRM__AUDIT_COVERS_MAX])
{
	static const char *const cols[] = { "customer_no", "id", "at", "channel", "direction",
		                            "agent", "caller_number", "duration_seconds",
		                            "business_code", "summary", "work_order_id",
		                            "recorded_by", "recorded_at", "sealed" };
	struct pcrm__contact_sealed *sealed = n ? calloc(n, sizeof(*sealed)) : NULL;
	pcrm__audit_cover_rows *cover = NULL;
	int begun = 0, rc = n && !sealed ? pcrm__error_oom() : PCRM_OK;

	/* sealing reads each customer's key: all of it before the bulk load starts */
	for (size_t i = 0; i < n && rc == PCRM_OK; i++)
		rc = seal_for(ctx, &f[i], &sealed[i]);
	if (rc == PCRM_OK && n)
		rc = pcrm__audit_cover_rows_new("contact", &cover);
	if (rc == PCRM_OK && n)
		begun = (rc = pcrm__store_bulk_begin(ctx->store, "contact", cols, 14)) == PCRM_OK;
	for (size_t i = 0; i < n && rc == PCRM_OK; i++) {
		pcrm_sql_value v[14] = {
			PCRM_SQL_S(f[i].customer_no), PCRM_SQL_S(f[i].id), PCRM_SQL_I(f[i].at),
			PCRM_SQL_S(f[i].channel), PCRM_SQL_S(f[i].direction), PCRM_SQL_S(f[i].agent),
			PCRM_SQL_S(f[i].caller_number ? sealed[i].caller_masked : NULL),
			f[i].duration_seconds >= 0 ? PCRM_SQL_I(f[i].duration_seconds) : PCRM_SQL_NUL,
			PCRM_SQL_S(f[i].business_code), PCRM_SQL_S(PCRM__CONTACT_SUMMARY_SEALED),
			PCRM_SQL_S(f[i].work_order_id), PCRM_SQL_S(f[i].recorded_by),
			PCRM_SQL_I(f[i].recorded_at), PCRM_SQL_S(sealed[i].sealed)
		};
		/* the digest's columns: all but the sealed ones (caller number, summary, cipher) */
		const pcrm_sql_value *covered[] = { &v[0], &v[1], &v[2],  &v[3],  &v[4], &v[5],
			                            &v[7], &v[8], &v[10], &v[11], &v[12] };
		rc = pcrm__store_bulk_row(ctx->store, v);
		if (rc == PCRM_OK)
			rc = pcrm__audit_cover_rows_add(cover, covered);
		if (rc == PCRM_OK)
			rc = pcrm__audit_cover_rows_finish(cover, covers[i]);
	}
	pcrm__audit_cover_rows_free(cover);
	for (size_t i = 0; sealed && i < n; i++)
		free(sealed[i].sealed);
	free(sealed);
	if (!begun)
		return rc;
	if (rc != PCRM_OK) {
		pcrm__store_bulk_end(ctx->store, 1);
		return rc;
	}
	return pcrm__store_bulk_end(ctx->store, 0);
}

/* Everything that may refuse, before a transaction opens: input, customer, permission. */
static int prepare_record(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                          const char *json, json_t **doc, struct pcrm__contact_fields *f,
                          char **org)
{
	int rc = pcrm_actor_validate(actor);
	*doc = NULL;
	*org = NULL;
	if (rc == PCRM_OK)
		rc = check_customer_no(customer_no);
	if (rc == PCRM_OK)
		rc = pcrm__contact_parse(json, json ? strlen(json) : 0, doc, f);
	if (rc == PCRM_OK) {
		rc = pcrm__customer_org_read(ctx, customer_no, org);
		rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_CONTACT_WRITE, "customer", customer_no,
		                           rc, *org);
	}
	return rc;
}

int pcrm_contact_record(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                        const char *json, pcrm_contact **out)
{
	struct pcrm__contact_fields f;
	char id[PCRM_UUID_STRING_LEN + 1], *org;
	pcrm_contact *contact = NULL;
	json_t *doc;
	int rc;

	if (out)
		*out = NULL;
	rc = prepare_record(ctx, actor, customer_no, json, &doc, &f, &org);
	if (rc == PCRM_OK) {
		pcrm__uuid_new(id);
		f.id = id;
		f.customer_no = customer_no;
		f.recorded_by = actor->operator_id;
		f.recorded_at = pcrm_ctx_now(ctx);
		if (!f.has_at)
			f.at = f.recorded_at;
		if (!f.agent)
			f.agent = actor->operator_id;
		/* the caller's object is built first, so a success is never reported as ENOMEM */
		rc = pcrm__contact_new(&f, pcrm_ctx_utc_offset(ctx), &contact);
	}
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, insert_contact(ctx, actor, &f));
	if (rc == PCRM_OK && out)
		*out = contact;
	else
		pcrm_contact_free(contact);
	json_decref(doc);
	free(org);
	return rc;
}

/* ---- listing ---- */

static int check_list_args(const char *cursor, int *limit, pcrm_time *after_at,
                           char after_id[PCRM_UUID_STRING_LEN + 1])
{
	int rc = pcrm__page_limit(limit);
	if (rc != PCRM_OK)
		return rc;
	return cursor ? pcrm__keyset_cursor_parse(cursor, "pcrm_contact_list_next_cursor", after_at,
	                                         after_id) :
	                PCRM_OK;
}

struct contact_row_arg {
	const pcrm_ctx *ctx;
	const char *customer_no;
	int utc_offset;
	enum pcrm__dek_state key_state;
	unsigned char dek[PCRM__DEK_LEN];
};

/* Puts a sealed row's caller number and summary back (or "(erased)" for an erased customer). */
static int unseal_row(const struct contact_row_arg *a, pcrm_rows *rows,
                      struct pcrm__contact_fields *f, json_t **pii)
{
	const char *sealed = pcrm__rows_text(rows, 12);
	int rc;
	*pii = NULL;
	if (!sealed)
		return PCRM_OK; /* recorded before migration 20 */
	if (a->key_state == PCRM__DEK_ERASED) {
		f->caller_number = NULL;
		f->summary = "(erased)";
		return PCRM_OK;
	}
	if (!a->ctx->has_data_key)
		return pcrm__pii_need_key(a->ctx, "summary");
	if (a->key_state != PCRM__DEK_OPEN)
		return pcrm__error(PCRM_EINTEGRITY, "contact %s: sealed without a customer data key",
		                   f->id);
	rc = pcrm__contact_unseal(a->dek, f->id, sealed, pii);
	if (rc == PCRM_OK) {
		f->summary = json_string_value(json_object_get(*pii, "summary"));
		f->caller_number = json_string_value(json_object_get(*pii, "caller_number"));
	}
	return rc;
}

static int row_to_contact(pcrm_rows *rows, const struct contact_row_arg *a, pcrm_contact **out)
{
	struct pcrm__contact_fields f;
	const char *customer_no = a->customer_no;
	json_t *pii;
	int rc;
	memset(&f, 0, sizeof(f));
	f.id = pcrm__rows_text(rows, 0);
	f.customer_no = customer_no;
	f.at = pcrm__rows_int(rows, 1);
	f.channel = pcrm__rows_text(rows, 2);
	f.direction = pcrm__rows_text(rows, 3);
	f.agent = pcrm__rows_text(rows, 4);
	f.caller_number = pcrm__rows_text(rows, 5);
	f.duration_seconds = pcrm__rows_is_null(rows, 6) ? -1 : (int)pcrm__rows_int(rows, 6);
	f.business_code = pcrm__rows_text(rows, 7);
	f.summary = pcrm__rows_text(rows, 8);
	f.work_order_id = pcrm__rows_text(rows, 9);
	f.recorded_by = pcrm__rows_text(rows, 10);
	f.recorded_at = pcrm__rows_int(rows, 11);
	rc = unseal_row(a, rows, &f, &pii);
	if (rc == PCRM_OK)
		rc = pcrm__contact_new(&f, a->utc_offset, out);
	json_decref(pii);
	return rc;
}

static int make_contact(void *arg, pcrm_rows *rows, pcrm_contact **out)
{
	return row_to_contact(rows, arg, out);
}

/* newest first; the cursor is the (at, id) of the last contact shown */
PCRM__KEYSET_PAGE_READ(read_page, pcrm_contact_list, pcrm_contact, pcrm_contact_at, pcrm_contact_id)

static int query_page(pcrm_ctx *ctx, const char *customer_no, const char *cursor,
                      pcrm_time after_at, const char *after_id, int limit, pcrm_contact_list **out)
{
	/* row-value comparison: one index range scan on (customer_no, at, id), backwards */
	static const char first_page[] =
		"SELECT id, at, channel, direction, agent, caller_number, duration_seconds, "
		"business_code, summary, work_order_id, recorded_by, recorded_at, sealed FROM contact "
		"WHERE customer_no = $1 ORDER BY at DESC, id DESC LIMIT $2";
	static const char next_page[] =
		"SELECT id, at, channel, direction, agent, caller_number, duration_seconds, "
		"business_code, summary, work_order_id, recorded_by, recorded_at, sealed FROM contact "
		"WHERE customer_no = $1 AND (at, id) < ($3, $4) ORDER BY at DESC, id DESC LIMIT $2";
	pcrm_sql_value p[4] = { PCRM_SQL_S(customer_no), PCRM_SQL_I(limit + 1), PCRM_SQL_I(after_at),
		                PCRM_SQL_S(after_id) };
	pcrm_contact_list *list = calloc(1, sizeof(*list));
	struct contact_row_arg arg = { ctx, customer_no, pcrm_ctx_utc_offset(ctx), PCRM__DEK_NONE, { 0 } };
	pcrm_rows *rows;
	int rc;

	if (!list)
		return pcrm__error_oom();
	/* one key per customer: unwrapped once for the page (none for a history without seals) */
	rc = ctx->has_data_key ? pcrm__customer_dek(ctx, customer_no, 0, arg.dek, &arg.key_state) :
	                         PCRM_OK;
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, cursor ? next_page : first_page, p, cursor ? 4 : 2,
		                       &rows);
	if (rc == PCRM_OK) {
		rc = read_page(rows, limit, list, make_contact, &arg);
		pcrm__rows_free(rows);
	}
	OPENSSL_cleanse(arg.dek, sizeof(arg.dek));
	if (rc != PCRM_OK) {
		pcrm_contact_list_free(list);
		return rc;
	}
	*out = list;
	return PCRM_OK;
}

int pcrm_contact_list_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                           const char *cursor, int limit, pcrm_contact_list **out)
{
	char after_id[PCRM_UUID_STRING_LEN + 1] = "", *org = NULL;
	pcrm_time after_at = 0;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = check_list_args(cursor, &limit, &after_at, after_id);
	if (rc == PCRM_OK)
		rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = check_customer_no(customer_no);
	if (rc == PCRM_OK) {
		rc = pcrm__customer_org_read(ctx, customer_no, &org);
		rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_ARCHIVE_READ, "customer", customer_no,
		                           rc, org);
	}
	if (rc == PCRM_OK)
		rc = query_page(ctx, customer_no, cursor, after_at, after_id, limit, out);
	free(org);
	return rc;
}
