/*
 * The store-backed CDR sink of the ACD engine: one transaction per batch
 * writes the call records (bulk path: COPY on PostgreSQL), the contact
 * entries of answered calls and one audit entry for the batch.  Each record
 * and contact is digested as it is written, and the entry lists the digests
 * with the calls (lib/audit/cover_listed.c checks them at verification).
 *
 * Idempotent by (call id, arrival instant): the batch's calls already in
 * the store are read first and skipped, contact and all, so a batch the
 * engine offers again after a failure (or after a commit whose answer was
 * lost) never doubles a row.  Any failure rolls the whole batch back and is
 * returned to the engine, which keeps the CDRs pending.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/customer.h>

#include "audit/audit.h"
#include "call_record_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/out_version.h"
#include "core/uuid.h"
#include "customer/contact_internal.h"
#include "customer/customer_internal.h"
#include "org/org_internal.h"
#include "store/store.h"

#define NAME_MAX_ PCRM_CALL_RECORD_NAME_MAX
#define CODE_MAX 32
/* Largest sealed caller number: nonce + number + tag, as hex. */
#define CIPHER_HEX_MAX (2 * (PCRM_ACD_NUMBER_MAX + PCRM_AEAD_OVERHEAD) + 1)

struct pcrm_call_record_sink {
	pcrm_ctx *ctx;
	pcrm_actor actor;
	char operator_id[NAME_MAX_ + 1];
	char actor_org[NAME_MAX_ + 1];
	char org_unit[NAME_MAX_ + 1];
	char business_code[CODE_MAX + 1];
	int contacts;
	pthread_mutex_t lock; /* stats: read from any thread, written by the flusher */
	pcrm_call_record_sink_stats stats;
};

/* ---- checks ---- */

static int copy_name(char *dst, size_t size, const char *src, const char *field)
{
	size_t n = src ? strlen(src) : 0;
	if (n == 0 || n >= size)
		return pcrm__error(PCRM_EINVAL, "%s: must be 1..%zu bytes", field, size - 1);
	memcpy(dst, src, n + 1);
	return PCRM_OK;
}

/* The rule of a contact's business_code (docs/contacts.md): 1..32 letters, digits, - _ . */
static int check_business_code(const char *code)
{
	size_t n = strlen(code);
	if (n == 0 || n > CODE_MAX ||
	    strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") != n)
		return pcrm__error(PCRM_EINVAL, "options.business_code: must be 1..%d letters, digits, "
		                                "'-', '_' or '.'", CODE_MAX);
	return PCRM_OK;
}

/* A fixed-size text field of a CDR: NUL-terminated inside its array. */
static int cdr_text(const char *s, size_t size, size_t i, const char *field, int required)
{
	const char *end = memchr(s, '\0', size);
	if (!end)
		return pcrm__error(PCRM_EINVAL, "cdrs[%zu].%s: not NUL-terminated", i, field);
	if (required && end == s)
		return pcrm__error(PCRM_EINVAL, "cdrs[%zu].%s: empty", i, field);
	for (const char *p = s; p < end; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '\'')
			return pcrm__error(PCRM_EINVAL, "cdrs[%zu].%s: holds a space, quote or control "
			                                "character", i, field);
	return PCRM_OK;
}

#define CDR_TEXT(r, i, f, req) cdr_text((r)->f, sizeof((r)->f), (i), #f, (req))

static int check_cdr(const pcrm_acd_cdr *r, size_t i)
{
	int rc = PCRM_OK;
	if (r->size != sizeof(*r) || r->version != PCRM_ACD_CDR_VERSION)
		return pcrm__error(PCRM_EINVAL, "cdrs[%zu]: size %zu / version %u is not this library's "
		                                "(%zu / %d)", i, r->size, r->version, sizeof(*r),
		                   PCRM_ACD_CDR_VERSION);
	if (rc == PCRM_OK)
		rc = CDR_TEXT(r, i, call_id, 1);
	if (rc == PCRM_OK)
		rc = CDR_TEXT(r, i, queue_id, 1);
	if (rc == PCRM_OK)
		rc = CDR_TEXT(r, i, first_queue_id, 1);
	if (rc == PCRM_OK)
		rc = CDR_TEXT(r, i, agent_id, r->outcome == PCRM_ACD_OUTCOME_ANSWERED);
	if (rc == PCRM_OK)
		rc = CDR_TEXT(r, i, caller_number, 0);
	if (rc == PCRM_OK)
		rc = CDR_TEXT(r, i, customer_no, 0);
	if (rc != PCRM_OK)
		return rc;
	if (!pcrm_acd_outcome_name(r->outcome))
		return pcrm__error(PCRM_EINVAL, "cdrs[%zu].outcome: %d is not an outcome", i,
		                   (int)r->outcome);
	if (r->priority < 0 || r->priority > PCRM_ACD_PRIORITY_MAX)
		return pcrm__error(PCRM_EINVAL, "cdrs[%zu].priority: %d is outside 0..%d", i,
		                   r->priority, PCRM_ACD_PRIORITY_MAX);
	if (r->misses < 0 || r->overflows < 0 || (r->short_abandon != 0 && r->short_abandon != 1))
		return pcrm__error(PCRM_EINVAL, "cdrs[%zu]: misses, overflows or short_abandon out of "
		                                "range", i);
	if (r->arrived_at < 0 || r->answered_at < 0 || r->ended_at < 0 || r->wrap_up_end_at < 0 ||
	    r->wait_ms < 0 || r->talk_ms < 0 || r->hold_ms < 0 || r->wrap_up_ms < 0)
		return pcrm__error(PCRM_EINVAL, "cdrs[%zu]: a negative time or duration", i);
	return PCRM_OK;
}

/* ---- the sink object ---- */

int pcrm_call_record_sink_new(pcrm_call_record_sink **out, pcrm_ctx *ctx, const pcrm_actor *actor,
                              const pcrm_call_record_sink_options *options)
{
	static const pcrm_call_record_sink_options defaults = PCRM_CALL_RECORD_SINK_OPTIONS_INIT;
	const pcrm_call_record_sink_options *o = options ? options : &defaults;
	pcrm_call_record_sink *s;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if (o->version != PCRM_CALL_RECORD_SINK_OPTIONS_VERSION)
		return pcrm__error(PCRM_EINVAL, "options.version: %u is not %d", o->version,
		                   PCRM_CALL_RECORD_SINK_OPTIONS_VERSION);
	rc = pcrm_actor_validate(actor);
	if (rc != PCRM_OK)
		return rc;
	if (o->business_code && (rc = check_business_code(o->business_code)) != PCRM_OK)
		return rc;
	if (!ctx->has_data_key)
		return pcrm__error(PCRM_EPERM, "call records seal caller numbers: open the context "
		                               "with options.data_key");
	if (!(s = calloc(1, sizeof(*s))))
		return pcrm__error_oom();
	rc = copy_name(s->operator_id, sizeof(s->operator_id), actor->operator_id,
	               "actor.operator_id");
	if (rc == PCRM_OK)
		rc = copy_name(s->actor_org, sizeof(s->actor_org), actor->org_unit, "actor.org_unit");
	if (rc == PCRM_OK)
		rc = copy_name(s->org_unit, sizeof(s->org_unit),
		               o->org_unit ? o->org_unit : actor->org_unit, "options.org_unit");
	if (rc == PCRM_OK)
		rc = pcrm_authorize(ctx, actor, PCRM_PERM_CONTACT_WRITE, s->org_unit);
	if (rc != PCRM_OK) {
		free(s);
		return rc;
	}
	s->ctx = ctx;
	s->actor = *actor;
	s->actor.operator_id = s->operator_id;
	s->actor.org_unit = s->actor_org;
	if (o->business_code)
		memcpy(s->business_code, o->business_code, strlen(o->business_code) + 1);
	s->contacts = o->contacts != 0;
	pthread_mutex_init(&s->lock, NULL);
	*out = s;
	return PCRM_OK;
}

void pcrm_call_record_sink_free(pcrm_call_record_sink *sink)
{
	if (!sink)
		return;
	pthread_mutex_destroy(&sink->lock);
	free(sink);
}

int pcrm_call_record_sink_attach(pcrm_call_record_sink *sink, pcrm_acd *acd)
{
	if (!sink)
		return pcrm__error(PCRM_EINVAL, "sink: is NULL");
	return pcrm_acd_set_cdr_sink(acd, pcrm_call_record_sink_write, sink);
}

int pcrm_call_record_sink_stats_get(pcrm_call_record_sink *sink, pcrm_call_record_sink_stats *out)
{
	if (!sink || !out)
		return pcrm__error(PCRM_EINVAL, "%s: is NULL", sink ? "out" : "sink");
	int rc = PCRM__OUT_VERSION_CHECK("out", out, PCRM_CALL_RECORD_SINK_STATS);
	if (rc)
		return rc;
	pthread_mutex_lock(&sink->lock);
	*out = sink->stats;
	pthread_mutex_unlock(&sink->lock);
	out->version = PCRM_CALL_RECORD_SINK_STATS_VERSION;
	return PCRM_OK;
}

/* ---- one batch ---- */

const char *const pcrm__call_record_columns[PCRM__CALL_RECORD_COLUMNS] = {
	"org_unit", "customer_no", "call_id", "arrived_ms", "queue_id", "first_queue_id",
	"agent_id", "outcome", "priority", "misses", "overflows", "short_abandon",
	"answered_ms", "ended_ms", "wrap_up_end_ms", "wait_ms", "talk_ms", "hold_ms",
	"wrap_up_ms", "caller_masked", "caller_cipher", "caller_hash", "contact_id",
	"stored_at", "stored_by"
};

int pcrm__caller_hash(const pcrm_ctx *ctx, const char *number, char out[PCRM__CALLER_HASH_LEN])
{
	char norm[PCRM_PHONE_MAX + 1];
	const char *key = pcrm_phone_normalize(number, norm, sizeof(norm)) == PCRM_OK ? norm : number;
	return pcrm__id_lookup_hash(ctx, key, out);
}

/* What the batch decided for one CDR. */
struct item {
	const pcrm_acd_cdr *cdr;
	int skip;                 /* already stored, or a repeat inside the batch */
	const char *org_unit;     /* the customer's (when known and in scope) or the sink's */
	int contact;              /* a contact entry is recorded */
	char contact_id[PCRM_UUID_STRING_LEN + 1];
	char masked[PCRM_ACD_NUMBER_MAX + 1];
	char cipher[CIPHER_HEX_MAX];
	char hash[PCRM__CALLER_HASH_LEN];
	char covers[PCRM__AUDIT_COVERS_MAX]; /* the written record's after-image digest */
};

struct batch {
	pcrm_call_record_sink *sink;
	struct item *items;
	size_t n, stored, skipped, contacts;
	json_t *customers; /* customer_no -> org_unit, for the known customers inside the scope */
	char *scope;       /* path of the sink's org unit */
	struct pcrm__contact_fields *fields;
	json_t **docs;     /* the contact documents the fields borrow from */
	char (*contact_covers)[PCRM__AUDIT_COVERS_MAX]; /* each written contact's digest */
	pcrm_time now;
};

static void call_key(const pcrm_acd_cdr *r, char *buf, size_t size)
{
	snprintf(buf, size, "%lld/%s", (long long)r->arrived_at, r->call_id);
}

/* A JSON array of the batch's distinct values of one CDR text field ("" left out). */
static char *json_list(const struct batch *b, size_t offset)
{
	json_t *seen = json_object(), *list = json_array();
	char *text = NULL;
	for (size_t i = 0; seen && list && i < b->n; i++) {
		const char *v = (const char *)b->items[i].cdr + offset;
		if (*v && !json_object_get(seen, v)) {
			json_object_set_new(seen, v, json_true());
			json_array_append_new(list, json_string(v));
		}
	}
	if (seen && list)
		text = json_dumps(list, JSON_COMPACT);
	json_decref(seen);
	json_decref(list);
	return text;
}

/* Marks the CDRs whose call is stored already, and repeats of a call inside the batch. */
static int mark_stored(struct batch *b)
{
	static const char pg[] =
		"SELECT call_id, arrived_ms FROM call_record WHERE call_id = ANY "
		"(ARRAY(SELECT json_array_elements_text($1::json)))";
	static const char lite[] = "SELECT call_id, arrived_ms FROM call_record WHERE call_id IN "
	                           "(SELECT value FROM json_each($1))";
	pcrm_store *st = b->sink->ctx->store;
	char *ids = json_list(b, offsetof(pcrm_acd_cdr, call_id));
	json_t *known = json_object();
	pcrm_sql_value p[1] = { PCRM_SQL_S(ids) };
	pcrm_rows *rows = NULL;
	char key[PCRM_ACD_ID_MAX + 32];
	int rc = ids && known ? PCRM_OK : pcrm__error_oom();

	if (rc == PCRM_OK)
		rc = pcrm__store_query(st, st->driver->kind == PCRM_STORE_POSTGRES ? pg : lite, p, 1,
		                       &rows);
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		snprintf(key, sizeof(key), "%lld/%s", (long long)pcrm__rows_int(rows, 1),
		         pcrm__rows_text(rows, 0));
		rc = json_object_set_new(known, key, json_true()) == 0 ? PCRM_OK : pcrm__error_oom();
	}
	pcrm__rows_free(rows);
	for (size_t i = 0; rc == PCRM_OK && i < b->n; i++) {
		call_key(b->items[i].cdr, key, sizeof(key));
		if (json_object_get(known, key)) {
			b->items[i].skip = 1;
			b->skipped++;
		} else if (json_object_set_new(known, key, json_true()) != 0) {
			rc = pcrm__error_oom();
		}
	}
	json_decref(known);
	free(ids);
	return rc < 0 ? rc : PCRM_OK;
}

/* The batch's customers the store knows inside the sink's subtree, with their org units. */
static int load_customers(struct batch *b)
{
	static const char pg[] =
		"SELECT c.customer_no, c.org_unit, o.path FROM customer c JOIN org_unit o "
		"ON o.code = c.org_unit WHERE c.customer_no = ANY "
		"(ARRAY(SELECT json_array_elements_text($1::json)))";
	static const char lite[] =
		"SELECT c.customer_no, c.org_unit, o.path FROM customer c JOIN org_unit o "
		"ON o.code = c.org_unit WHERE c.customer_no IN (SELECT value FROM json_each($1))";
	pcrm_store *st = b->sink->ctx->store;
	char *nos = json_list(b, offsetof(pcrm_acd_cdr, customer_no));
	pcrm_sql_value p[1] = { PCRM_SQL_S(nos) };
	pcrm_rows *rows = NULL;
	int rc = nos ? PCRM_OK : pcrm__error_oom();

	if (rc == PCRM_OK)
		rc = pcrm__store_query(st, st->driver->kind == PCRM_STORE_POSTGRES ? pg : lite, p, 1,
		                       &rows);
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		rc = PCRM_OK;
		if (!pcrm__org_path_within(pcrm__rows_text(rows, 2), b->scope))
			continue; /* another centre's customer: the record stays the sink's own */
		if (json_object_set_new(b->customers, pcrm__rows_text(rows, 0),
		                        json_string(pcrm__rows_text(rows, 1))) != 0)
			rc = pcrm__error_oom();
	}
	pcrm__rows_free(rows);
	free(nos);
	return rc < 0 ? rc : PCRM_OK;
}

static int seal_caller(const pcrm_ctx *ctx, struct item *it)
{
	const char *num = it->cdr->caller_number;
	unsigned char sealed[PCRM_ACD_NUMBER_MAX + PCRM_AEAD_OVERHEAD];
	char norm[PCRM_PHONE_MAX + 1];
	size_t n = strlen(num);
	int rc;

	if (n == 0)
		return PCRM_OK;
	/* the mask shows the number as the archive writes numbers, whatever the switch sent */
	if (pcrm_phone_normalize(num, norm, sizeof(norm)) != PCRM_OK || strlen(norm) > n)
		snprintf(norm, sizeof(norm), "%s", num);
	rc = pcrm__caller_hash(ctx, num, it->hash);
	if (rc == PCRM_OK)
		rc = pcrm__aead_seal(ctx->pii_enc_key, it->cdr->call_id, strlen(it->cdr->call_id), num,
		                     n, sealed);
	if (rc != PCRM_OK)
		return rc;
	pcrm__hex_encode(sealed, n + PCRM_AEAD_OVERHEAD, it->cipher);
	pcrm__id_number_mask(norm, it->masked);
	return PCRM_OK;
}

/* 通话时长: from the answer to the hang-up (talk and hold), in whole seconds, rounded. */
static int call_seconds(const pcrm_acd_cdr *r)
{
	int64_t s = (r->talk_ms + r->hold_ms + 500) / 1000;
	return s > 86400 ? 86400 : (int)s;
}

/*
 * The contact entry of an answered call, validated by the same parser as
 * every recorded contact.  A caller number the contact history would refuse
 * (not a Chinese mobile or landline) is left out of the entry; the call
 * record keeps it sealed.
 */
static int make_contact(struct batch *b, struct item *it, struct pcrm__contact_fields *f,
                        json_t **doc)
{
	const pcrm_acd_cdr *r = it->cdr;
	char summary[512], *text;
	int rc = PCRM_OK;

	snprintf(summary, sizeof(summary), "来电接通（呼叫 %s，技能组 %s，排队 %lld 秒，通话 %lld 秒，"
	         "保持 %lld 秒）", r->call_id, r->queue_id, (long long)(r->wait_ms / 1000),
	         (long long)(r->talk_ms / 1000), (long long)(r->hold_ms / 1000));
	for (int with_caller = *r->caller_number ? 1 : 0; with_caller >= 0; with_caller--) {
		json_t *d = json_pack("{s:s, s:s, s:s, s:i, s:s}", "channel", "phone",
		                      "direction", "inbound", "agent", r->agent_id, "duration_seconds",
		                      call_seconds(r), "summary", summary);
		if (d && with_caller)
			json_object_set_new(d, "caller_number", json_string(r->caller_number));
		if (d && *b->sink->business_code)
			json_object_set_new(d, "business_code", json_string(b->sink->business_code));
		text = d ? json_dumps(d, JSON_COMPACT) : NULL;
		json_decref(d);
		if (!text)
			return pcrm__error_oom();
		rc = pcrm__contact_parse(text, strlen(text), doc, f);
		free(text);
		if (rc != PCRM_EINVAL || !with_caller)
			break;
	}
	if (rc != PCRM_OK)
		return rc;
	pcrm__uuid_new(it->contact_id);
	f->id = it->contact_id;
	f->has_at = 1;
	f->at = r->arrived_at / 1000; /* 呼叫开始时间: the call's arrival */
	f->customer_no = r->customer_no;
	f->recorded_by = b->sink->operator_id;
	f->recorded_at = b->now;
	return PCRM_OK;
}

/* Decides each new CDR's org unit, seals its caller and builds its contact entry. */
static int prepare_items(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct item *it = &b->items[i];
		const pcrm_acd_cdr *r = it->cdr;
		const char *org = NULL;
		int rc;

		if (it->skip)
			continue;
		if (*r->customer_no)
			org = json_string_value(json_object_get(b->customers, r->customer_no));
		it->org_unit = org ? org : b->sink->org_unit;
		rc = seal_caller(b->sink->ctx, it);
		if (rc == PCRM_OK && org && b->sink->contacts &&
		    r->outcome == PCRM_ACD_OUTCOME_ANSWERED) {
			rc = make_contact(b, it, &b->fields[b->contacts], &b->docs[b->contacts]);
			if (rc == PCRM_OK) {
				it->contact = 1;
				b->contacts++;
			}
		}
		if (rc != PCRM_OK)
			return rc;
		b->stored++;
	}
	return PCRM_OK;
}

static pcrm_sql_value ms_or_null(pcrm_acd_ms v)
{
	return v ? PCRM_SQL_I(v) : PCRM_SQL_NUL;
}

static const char *or_null(const char *s)
{
	return s && *s ? s : NULL;
}

static int copy_records(struct batch *b)
{
	pcrm_store *st = b->sink->ctx->store;
	pcrm__audit_cover_rows *cover = NULL;
	int rc = pcrm__audit_cover_rows_new("call_record_row", &cover);

	if (rc == PCRM_OK)
		rc = pcrm__store_bulk_begin(st, "call_record", pcrm__call_record_columns,
		                            PCRM__CALL_RECORD_COLUMNS);
	for (size_t i = 0; rc == PCRM_OK && i < b->n; i++) {
		struct item *it = &b->items[i];
		const pcrm_acd_cdr *r = it->cdr;
		if (it->skip)
			continue;
		pcrm_sql_value v[PCRM__CALL_RECORD_COLUMNS] = {
			PCRM_SQL_S(it->org_unit), PCRM_SQL_S(or_null(r->customer_no)),
			PCRM_SQL_S(r->call_id), PCRM_SQL_I(r->arrived_at), PCRM_SQL_S(r->queue_id),
			PCRM_SQL_S(r->first_queue_id), PCRM_SQL_S(or_null(r->agent_id)),
			PCRM_SQL_S(pcrm_acd_outcome_name(r->outcome)), PCRM_SQL_I(r->priority),
			PCRM_SQL_I(r->misses), PCRM_SQL_I(r->overflows), PCRM_SQL_I(r->short_abandon),
			ms_or_null(r->answered_at), ms_or_null(r->ended_at),
			ms_or_null(r->wrap_up_end_at), PCRM_SQL_I(r->wait_ms), PCRM_SQL_I(r->talk_ms),
			PCRM_SQL_I(r->hold_ms), PCRM_SQL_I(r->wrap_up_ms), PCRM_SQL_S(or_null(it->masked)),
			PCRM_SQL_S(or_null(it->cipher)), PCRM_SQL_S(or_null(it->hash)),
			PCRM_SQL_S(it->contact ? it->contact_id : NULL), PCRM_SQL_I(b->now),
			PCRM_SQL_S(b->sink->operator_id)
		};
		const pcrm_sql_value *covered[PCRM__CALL_RECORD_COLUMNS]; /* every column */
		for (int k = 0; k < PCRM__CALL_RECORD_COLUMNS; k++)
			covered[k] = &v[k];
		rc = pcrm__store_bulk_row(st, v);
		if (rc == PCRM_OK)
			rc = pcrm__audit_cover_rows_add(cover, covered);
		if (rc == PCRM_OK)
			rc = pcrm__audit_cover_rows_finish(cover, it->covers);
	}
	if (!cover)
		return rc;
	pcrm__audit_cover_rows_free(cover);
	if (rc != PCRM_OK) {
		pcrm__store_bulk_end(st, 1);
		return rc;
	}
	return pcrm__store_bulk_end(st, 0);
}

/* One entry for the batch, naming every call it stored (no caller numbers: personal data). */
static int audit_batch(struct batch *b)
{
	json_t *calls = json_array(), *summary;
	const char *first = NULL;
	size_t contact = 0;
	int rc;

	for (size_t i = 0; calls && i < b->n; i++) {
		const struct item *it = &b->items[i];
		json_t *c;
		if (it->skip)
			continue;
		first = first ? first : it->cdr->call_id;
		c = json_pack("{s:s, s:I, s:s, s:s}", "call_id", it->cdr->call_id, "arrived_ms",
		              (json_int_t)it->cdr->arrived_at, "outcome",
		              pcrm_acd_outcome_name(it->cdr->outcome), "org_unit", it->org_unit);
		if (c && *it->cdr->customer_no)
			json_object_set_new(c, "customer_no", json_string(it->cdr->customer_no));
		if (c)
			json_object_set_new(c, "covers", json_string(it->covers));
		if (c && it->contact) {
			json_object_set_new(c, "contact_id", json_string(it->contact_id));
			json_object_set_new(c, "contact_covers",
			                    json_string(b->contact_covers[contact++]));
		}
		if (!c || json_array_append_new(calls, c) != 0) {
			json_decref(calls);
			return pcrm__error_oom();
		}
	}
	summary = json_pack("{s:I, s:I, s:I, s:o}", "count", (json_int_t)b->stored, "skipped",
	                    (json_int_t)b->skipped, "contacts", (json_int_t)b->contacts, "calls",
	                    calls);
	if (!summary)
		return pcrm__error_oom();
	rc = pcrm__audit_append(b->sink->ctx, &b->sink->actor, "call_record.store", "call_record",
	                        first, summary);
	json_decref(summary);
	return rc;
}

static int write_batch(struct batch *b)
{
	int rc = mark_stored(b);
	if (rc == PCRM_OK && b->skipped < b->n)
		rc = load_customers(b);
	if (rc == PCRM_OK)
		rc = prepare_items(b);
	if (rc != PCRM_OK || b->stored == 0)
		return rc; /* all stored before: nothing to write, nothing to audit */
	rc = copy_records(b);
	if (rc == PCRM_OK)
		rc = pcrm__contact_insert_batch(b->sink->ctx, b->fields, b->contacts,
		                                b->contact_covers);
	if (rc == PCRM_OK)
		rc = audit_batch(b);
	return rc;
}

static int store_batch(pcrm_call_record_sink *s, const pcrm_acd_cdr *cdrs, size_t count,
                       struct batch *b)
{
	int rc = PCRM_OK;

	for (size_t i = 0; i < count && rc == PCRM_OK; i++)
		rc = check_cdr(&cdrs[i], i);
	if (rc != PCRM_OK)
		return rc;
	/* before the transaction: a refusal's audit entry must not roll back with it */
	rc = pcrm__authorize_scope(s->ctx, &s->actor, PCRM_PERM_CONTACT_WRITE, s->org_unit,
	                           &b->scope);
	if (rc != PCRM_OK)
		return rc;
	b->items = calloc(count, sizeof(*b->items));
	b->fields = calloc(count, sizeof(*b->fields));
	b->docs = calloc(count, sizeof(*b->docs));
	b->contact_covers = calloc(count, sizeof(*b->contact_covers));
	b->customers = json_object();
	if (!b->items || !b->fields || !b->docs || !b->contact_covers || !b->customers)
		return pcrm__error_oom();
	for (size_t i = 0; i < count; i++)
		b->items[i].cdr = &cdrs[i];
	b->n = count;
	b->now = pcrm_ctx_now(s->ctx);
	rc = pcrm__store_begin(s->ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(s->ctx->store, write_batch(b));
	return rc;
}

static void batch_clear(struct batch *b)
{
	for (size_t i = 0; b->docs && i < b->contacts; i++)
		json_decref(b->docs[i]);
	free(b->docs);
	free(b->contact_covers);
	free(b->fields);
	free(b->items);
	free(b->scope);
	json_decref(b->customers);
}

int pcrm_call_record_sink_write(void *sink, const pcrm_acd_cdr *cdrs, size_t count)
{
	pcrm_call_record_sink *s = sink;
	struct batch b;
	int rc;

	if (!s)
		return pcrm__error(PCRM_EINVAL, "sink: is NULL");
	if (count == 0)
		return PCRM_OK;
	if (!cdrs)
		return pcrm__error(PCRM_EINVAL, "cdrs: is NULL");
	memset(&b, 0, sizeof(b));
	b.sink = s;
	rc = store_batch(s, cdrs, count, &b);
	pthread_mutex_lock(&s->lock);
	if (rc == PCRM_OK) {
		s->stats.batches++;
		s->stats.stored += b.stored;
		s->stats.skipped += b.skipped;
		s->stats.contacts += b.contacts;
	} else {
		s->stats.failures++;
		s->stats.last_status = rc;
		snprintf(s->stats.last_error, sizeof(s->stats.last_error), "%s", pcrm_error_last());
	}
	pthread_mutex_unlock(&s->lock);
	batch_clear(&b);
	return rc;
}
