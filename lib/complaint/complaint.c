/*
 * Complaint tickets: filing (serial number, routing, repeat check, work
 * order, contact-history entry, all in one transaction), reading, the
 * caller's object.  Everything that may refuse is checked before the
 * transaction opens, so a refusal stores nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/contact.h>
#include <powercrm/customer.h>
#include <powercrm/workflow.h>

#include "audit/audit.h"
#include "complaint_internal.h"
#include "core/crypto.h"
#include "core/ctx.h"
#include "core/error.h"
#include "customer/customer_internal.h"
#include "org/org_internal.h"
#include "store/store.h"

#define SERIAL_MAX 96
#define SEALED_MAX 1024

struct pcrm_complaint {
	json_t *doc;
	char *text;
};

/* ---- the caller's object ---- */

int pcrm__complaint_wrap(json_t *row, pcrm_complaint **out)
{
	pcrm_complaint *c = calloc(1, sizeof(*c));
	*out = NULL;
	if (c)
		c->text = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
	if (!c || !c->text) {
		free(c);
		json_decref(row);
		return pcrm__error_oom();
	}
	c->doc = row;
	*out = c;
	return PCRM_OK;
}

void pcrm_complaint_free(pcrm_complaint *c)
{
	if (!c)
		return;
	json_decref(c->doc);
	free(c->text);
	free(c);
}

static const char *field(const pcrm_complaint *c, const char *name)
{
	return c ? json_string_value(json_object_get(c->doc, name)) : NULL;
}

const char *pcrm_complaint_serial(const pcrm_complaint *c) { return field(c, "serial"); }
const char *pcrm_complaint_work_order_id(const pcrm_complaint *c) { return field(c, "work_order_id"); }
const char *pcrm_complaint_customer_no(const pcrm_complaint *c) { return field(c, "customer_no"); }
const char *pcrm_complaint_category(const pcrm_complaint *c) { return field(c, "category"); }
const char *pcrm_complaint_responsible_unit(const pcrm_complaint *c)
{
	return field(c, "responsible_unit");
}
const char *pcrm_complaint_repeat_of(const pcrm_complaint *c) { return field(c, "repeat_of"); }
const char *pcrm_complaint_status(const pcrm_complaint *c) { return field(c, "status"); }
const char *pcrm_complaint_merged_into(const pcrm_complaint *c) { return field(c, "merged_into"); }
const char *pcrm_complaint_json(const pcrm_complaint *c) { return c ? c->text : NULL; }

int pcrm_complaint_routed_by_default(const pcrm_complaint *c)
{
	return c ? json_is_true(json_object_get(c->doc, "routed_by_default")) : 0;
}

pcrm_time pcrm_complaint_accepted_at(const pcrm_complaint *c)
{
	return c ? (pcrm_time)json_integer_value(json_object_get(c->doc, "accepted_at")) : 0;
}

/* ---- sealing the personal fields ---- */

static int need_data_key(const pcrm_ctx *ctx, const char *field_name)
{
	if (ctx->has_data_key)
		return PCRM_OK;
	return pcrm__error(PCRM_EPERM, "%s: personal data needs a context with a data key "
	                               "(options.data_key)", field_name);
}

/* The personal fields as one object, sealed with the serial as associated data. */
static int seal_personal(pcrm_ctx *ctx, const char *serial, const struct pcrm__complaint_input *in,
                         char **out)
{
	json_t *p = json_object();
	char *plain = NULL;
	unsigned char *sealed = NULL;
	size_t n;
	int rc = p ? PCRM_OK : pcrm__error_oom();

	*out = NULL;
	if (rc == PCRM_OK && in->anonymous)
		json_object_set(p, "anonymous", (json_t *)in->anonymous);
	if (rc == PCRM_OK && in->target_person)
		json_object_set_new(p, "target_person", json_string(in->target_person));
	if (rc == PCRM_OK && in->target_phone)
		json_object_set_new(p, "target_phone", json_string(in->target_phone));
	if (rc != PCRM_OK || json_object_size(p) == 0) {
		json_decref(p);
		return rc;
	}
	plain = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
	n = plain ? strlen(plain) : 0;
	sealed = plain ? malloc(n + PCRM_AEAD_OVERHEAD) : NULL;
	*out = sealed ? malloc(2 * (n + PCRM_AEAD_OVERHEAD) + 1) : NULL;
	rc = *out ? pcrm__aead_seal(ctx->pii_enc_key, serial, strlen(serial), plain, n, sealed) :
	            pcrm__error_oom();
	if (rc == PCRM_OK)
		pcrm__hex_encode(sealed, n + PCRM_AEAD_OVERHEAD, *out);
	if (rc != PCRM_OK) {
		free(*out);
		*out = NULL;
	}
	json_decref(p);
	free(plain);
	free(sealed);
	return rc;
}

/* Opens the sealed fields into `row` when the context has the key; "sealed": true otherwise. */
static int open_personal(const pcrm_ctx *ctx, const char *serial, const char *hex, json_t *row)
{
	unsigned char buf[2 * SEALED_MAX], plain[2 * SEALED_MAX + 1];
	long n;
	json_t *p;
	int rc;

	if (!hex)
		return PCRM_OK;
	if (!ctx->has_data_key)
		return json_object_set_new(row, "sealed", json_true()) ? pcrm__error_oom() : PCRM_OK;
	n = pcrm__hex_decode(hex, buf, sizeof(buf));
	if (n < PCRM_AEAD_OVERHEAD)
		return pcrm__error(PCRM_EINTEGRITY, "complaint %.64s: sealed data is malformed", serial);
	rc = pcrm__aead_open(ctx->pii_enc_key, serial, strlen(serial), buf, (size_t)n, plain);
	if (rc != PCRM_OK)
		return rc;
	plain[n - PCRM_AEAD_OVERHEAD] = '\0';
	p = json_loads((const char *)plain, 0, NULL);
	if (!json_is_object(p)) {
		json_decref(p);
		return pcrm__error(PCRM_EINTEGRITY, "complaint %.64s: sealed data is malformed", serial);
	}
	rc = json_object_update(row, p) ? pcrm__error_oom() : PCRM_OK;
	json_decref(p);
	return rc;
}

/* ---- reading ---- */

static const char *const text_columns[] = {
	"serial", "responsible_unit", "accepting_unit", "agent", "channel", "caller_number",
	"customer_no", "org_unit", "category", "subcategory", "nature", "urgency", "description",
	"recording_ref", "work_order_id", "contact_id", "repeat_of", "status", "merged_into",
	"reply_channel", "reply_content", "customer_opinion", "visit_result", "satisfaction", NULL
};
static const char *const int_columns[] = { "accepted_at", "replied_at", "visited_at",
	                                   "closed_at", "reopened", "version", "visit_attempts",
	                                   "reply_due_at", "late_seconds", "review_returns", NULL };

int pcrm__complaint_load(pcrm_ctx *ctx, const char *serial, json_t **out)
{
	static const char sql[] =
		"SELECT serial, responsible_unit, accepting_unit, agent, channel, caller_number, "
		"customer_no, org_unit, category, subcategory, nature, urgency, description, "
		"recording_ref, work_order_id, contact_id, repeat_of, status, merged_into, "
		"reply_channel, reply_content, customer_opinion, visit_result, satisfaction, "
		"accepted_at, replied_at, visited_at, closed_at, reopened, version, visit_attempts, "
		"reply_due_at, late_seconds, review_returns, routed_by_default, substantiated, sealed, "
		"caller_cipher "
		"FROM complaint WHERE serial = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(serial) };
	pcrm_rows *rows;
	json_t *row = NULL;
	int rc, col = 0, i;

	*out = NULL;
	rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 0)
		rc = pcrm__error(PCRM_ENOTFOUND, "serial: no complaint \"%.64s\"", serial);
	if (rc == 1) {
		row = json_object();
		rc = row ? PCRM_OK : pcrm__error_oom();
		for (i = 0; rc == PCRM_OK && text_columns[i]; i++, col++)
			if (!pcrm__rows_is_null(rows, col))
				json_object_set_new(row, text_columns[i],
				                    json_string(pcrm__rows_text(rows, col)));
		for (i = 0; rc == PCRM_OK && int_columns[i]; i++, col++)
			if (!pcrm__rows_is_null(rows, col))
				json_object_set_new(row, int_columns[i],
				                    json_integer(pcrm__rows_int(rows, col)));
		if (rc == PCRM_OK) {
			json_object_set_new(row, "routed_by_default",
			                    json_boolean(pcrm__rows_int(rows, col)));
			if (!pcrm__rows_is_null(rows, col + 1))
				json_object_set_new(row, "substantiated",
				                    json_boolean(pcrm__rows_int(rows, col + 1)));
			rc = open_personal(ctx, serial, pcrm__rows_text(rows, col + 2), row);
			/* the column holds a mask: the number itself when the context can open it */
			if (rc == PCRM_OK && ctx->has_data_key && !pcrm__rows_is_null(rows, col + 3)) {
				char caller[PCRM_PHONE_MAX];
				rc = pcrm__complaint_caller_open(ctx, serial,
				                                 pcrm__rows_text(rows, col + 3), caller);
				if (rc == PCRM_OK)
					json_object_set_new(row, "caller_number", json_string(caller));
			}
		}
	}
	pcrm__rows_free(rows);
	if (rc != PCRM_OK) {
		json_decref(row);
		return rc;
	}
	*out = row;
	return PCRM_OK;
}

int pcrm__complaint_load_authorized(pcrm_ctx *ctx, const pcrm_actor *actor, const char *serial,
                                    pcrm_permission permission, json_t **out)
{
	int rc = pcrm_actor_validate(actor);
	*out = NULL;
	if (rc == PCRM_OK && (!serial || !*serial || strlen(serial) > SERIAL_MAX))
		rc = pcrm__error(PCRM_EINVAL, "serial: missing or longer than %d bytes", SERIAL_MAX);
	if (rc == PCRM_OK) {
		rc = pcrm__complaint_load(ctx, serial, out);
		/* a serial nobody has is refused like a complaint of another unit (no oracle) */
		rc = pcrm__authorize_found(
			ctx, actor, permission, "complaint", serial, rc,
			*out ? json_string_value(json_object_get(*out, "responsible_unit")) : NULL);
	}
	if (rc != PCRM_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int pcrm_complaint_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *serial,
                       pcrm_complaint **out)
{
	json_t *row;
	int rc;
	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = pcrm__complaint_load_authorized(ctx, actor, serial, PCRM_PERM_ARCHIVE_READ, &row);
	return rc == PCRM_OK ? pcrm__complaint_wrap(row, out) : rc;
}

/* ---- filing ---- */

/* Everything decided before the transaction. */
struct filing {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	struct pcrm__complaint_input in;
	char caller[PCRM_PHONE_MAX];
	char *customer_no, *org_unit, *responsible;
	int by_default, window_days;
	const char *workflow;
	pcrm_time at;
	/* written by the transaction body (reset on each attempt) */
	char serial[SERIAL_MAX + 1];
	char repeat_of[SERIAL_MAX + 1];
	char work_order_id[PCRM_WORKORDER_ID_LEN + 1];
	char contact_id[PCRM_CONTACT_ID_LEN + 1];
	char *sealed;
	struct pcrm__complaint_caller caller_sealed; /* when caller[0] */
	char caller_hash[PCRM_SHA256_HEX_LEN + 1];   /* when caller[0] */
	pcrm_time reply_due_at; /* 0: the process has no limit */
};

/* The customer: given, or the first the screen pop finds for the caller, or none (anonymous). */
static int resolve_customer(struct filing *f)
{
	pcrm_customer_list *list = NULL;
	int rc;

	if (f->in.customer_no) {
		f->customer_no = strdup(f->in.customer_no);
		return f->customer_no ? PCRM_OK : pcrm__error_oom();
	}
	if (f->in.anonymous || !f->caller[0])
		return PCRM_OK;
	rc = pcrm_customer_find_by_phone(f->ctx, f->actor, f->caller, &list);
	if (rc == PCRM_OK && pcrm_customer_list_count(list) > 0) {
		f->customer_no = strdup(pcrm_customer_no(pcrm_customer_list_at(list, 0)));
		rc = f->customer_no ? PCRM_OK : pcrm__error_oom();
	}
	pcrm_customer_list_free(list);
	return rc;
}

static const char *workflow_for(const char *nature)
{
	if (strcmp(nature, "complaint") == 0)
		return "complaint";
	if (strcmp(nature, "report") == 0)
		return "report";
	return "suggestion"; /* opinions and suggestions share the 建议 process */
}

static int window_days(const json_t *config)
{
	const json_t *w = json_object_get(config, "repeat_window_days");
	return w ? (int)json_integer_value(w) : PCRM_COMPLAINT_REPEAT_WINDOW_DAYS;
}

static int prepare_filing(struct filing *f, const char *json, json_t **doc)
{
	json_t *config = NULL;
	int rc = pcrm_actor_validate(f->actor);

	if (rc == PCRM_OK)
		rc = pcrm__complaint_parse(json, doc, &f->in);
	/* the actor alone (its role, its unit exists) before anything about the store is said */
	if (rc == PCRM_OK)
		rc = pcrm_authorize(f->ctx, f->actor, PCRM_PERM_CONTACT_WRITE, NULL);
	if (rc == PCRM_OK)
		rc = pcrm__complaint_config_load(f->ctx, &config);
	if (rc == PCRM_OK &&
	    !pcrm__complaint_subcategory_known(config, f->in.category, f->in.subcategory))
		rc = pcrm__error(PCRM_EINVAL, "subcategory: \"%.64s\" is not a subcategory of %s",
		                 f->in.subcategory, f->in.category);
	if (rc == PCRM_OK && f->in.caller_number_raw) {
		rc = pcrm_phone_normalize(f->in.caller_number_raw, f->caller, sizeof(f->caller));
		if (rc != PCRM_OK)
			pcrm__error_prefix("caller_number");
	}
	if (rc == PCRM_OK && (f->in.anonymous || f->in.target_person || f->in.target_phone))
		rc = need_data_key(f->ctx, f->in.anonymous ? "anonymous" : "target_person");
	if (rc == PCRM_OK && f->caller[0])
		rc = pcrm__complaint_caller_hash(f->ctx, f->caller, f->caller_hash);
	if (rc == PCRM_OK)
		rc = resolve_customer(f);
	if (rc == PCRM_OK && !f->customer_no && !f->in.anonymous)
		rc = pcrm__error(PCRM_EINVAL, "anonymous: required (name and contact) when the ticket "
		                              "has no customer");
	if (rc == PCRM_OK && f->customer_no) {
		/* a number nobody has is refused like another unit's customer (no oracle) */
		rc = pcrm__customer_org_read(f->ctx, f->customer_no, &f->org_unit);
		rc = pcrm__authorize_found(f->ctx, f->actor, PCRM_PERM_CONTACT_WRITE, "customer",
		                           f->customer_no, rc, f->org_unit);
	} else if (rc == PCRM_OK) {
		rc = (f->org_unit = strdup(f->actor->org_unit)) ? PCRM_OK : pcrm__error_oom();
	}
	if (rc == PCRM_OK)
		rc = pcrm__complaint_route(f->ctx, config, f->in.category, f->in.subcategory,
		                           f->org_unit, &f->responsible, &f->by_default);
	if (rc == PCRM_OK)
		rc = pcrm_authorize(f->ctx, f->actor, PCRM_PERM_WORKORDER_HANDLE, f->responsible);
	if (rc == PCRM_OK) {
		f->window_days = window_days(config);
		f->workflow = workflow_for(f->in.nature);
		f->at = f->in.has_accepted_at ? f->in.accepted_at : pcrm_ctx_now(f->ctx);
	}
	json_decref(config);
	return rc;
}

/* "<accepting unit>-<local yyyymmdd>-<sequence of that unit and day>" */
static int next_serial(struct filing *f)
{
	static const char sql[] =
		"INSERT INTO complaint_serial (org_unit, day, last) VALUES ($1, $2, 1) "
		"ON CONFLICT (org_unit, day) DO UPDATE SET last = complaint_serial.last + 1 "
		"RETURNING last";
	pcrm_civil civil;
	pcrm_sql_value p[2];
	int64_t seq = 0;
	int day, rc = pcrm_time_to_civil(f->at, pcrm_ctx_utc_offset(f->ctx), &civil);

	if (rc != PCRM_OK)
		return rc;
	day = civil.year * 10000 + civil.month * 100 + civil.day;
	p[0] = PCRM_SQL_S(f->actor->org_unit);
	p[1] = PCRM_SQL_I(day);
	rc = pcrm__store_query_int(f->ctx->store, sql, p, 2, &seq);
	if (rc == PCRM_OK)
		snprintf(f->serial, sizeof(f->serial), "%s-%08d-%05lld", f->actor->org_unit, day,
		         (long long)seq);
	return rc;
}

/*
 * The newest earlier ticket of the same customer (anonymous: the same
 * caller number) and category accepted in [at - window, at]: both edges
 * count.  Merged tickets are duplicates, not earlier complaints.
 */
static int find_repeat(struct filing *f)
{
	static const char by_customer[] =
		"SELECT serial FROM complaint WHERE customer_no = $1 AND category = $2 "
		"AND accepted_at BETWEEN $3 AND $4 AND status <> 'merged' "
		"ORDER BY accepted_at DESC, serial DESC LIMIT 1";
	/* by the keyed hash; a ticket filed before schema 24 by the number it holds in clear */
	static const char by_caller[] =
		"SELECT serial FROM complaint WHERE (caller_hash = $1 OR (caller_hash IS NULL AND "
		"caller_number = $5)) AND category = $2 "
		"AND customer_no IS NULL AND accepted_at BETWEEN $3 AND $4 AND status <> 'merged' "
		"ORDER BY accepted_at DESC, serial DESC LIMIT 1";
	pcrm_sql_value p[5];
	pcrm_rows *rows;
	int rc;

	f->repeat_of[0] = '\0';
	if (!f->customer_no && !f->caller[0])
		return PCRM_OK;
	p[0] = PCRM_SQL_S(f->customer_no ? f->customer_no : f->caller_hash);
	p[1] = PCRM_SQL_S(f->in.category);
	p[2] = PCRM_SQL_I(f->at - (pcrm_time)f->window_days * 86400);
	p[3] = PCRM_SQL_I(f->at);
	p[4] = PCRM_SQL_S(f->caller);
	rc = pcrm__store_query(f->ctx->store, f->customer_no ? by_customer : by_caller, p,
	                       f->customer_no ? 4 : 5, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1)
		snprintf(f->repeat_of, sizeof(f->repeat_of), "%s", pcrm__rows_text(rows, 0));
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

static int open_work_order(struct filing *f)
{
	pcrm_workorder *wo = NULL;
	json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s}", "complaint_serial", f->serial,
	                         "category", f->in.category, "subcategory", f->in.subcategory,
	                         "nature", f->in.nature, "urgency", f->in.urgency);
	char *text = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	/* the urgency is the work order's severity class: a major complaint gets the shorter limits */
	int rc = text ? pcrm_workorder_open_classed(f->ctx, f->actor, f->workflow, f->serial,
	                                            f->customer_no, f->responsible, f->in.urgency,
	                                            text, &wo) :
	                pcrm__error_oom();
	if (rc == PCRM_OK)
		snprintf(f->work_order_id, sizeof(f->work_order_id), "%s", pcrm_workorder_id(wo));
	if (rc == PCRM_OK)
		rc = pcrm__complaint_deadline(f->ctx, pcrm_workorder_workflow(wo),
		                              pcrm_workorder_workflow_version(wo), f->at,
		                              &f->reply_due_at);
	pcrm_workorder_free(wo);
	free(text);
	json_decref(data);
	return rc;
}

/* Contact channels are fewer than ticket channels: fax is a call, an app a web contact. */
static const char *contact_channel(const char *channel)
{
	if (strcmp(channel, "fax") == 0)
		return "phone";
	if (strcmp(channel, "app") == 0)
		return "web";
	return channel;
}

static int record_contact(struct filing *f)
{
	char at[64], summary[256];
	pcrm_contact *contact = NULL;
	json_t *doc;
	char *text;
	int rc;

	f->contact_id[0] = '\0';
	if (!f->customer_no)
		return PCRM_OK;
	rc = pcrm_time_format(f->at, pcrm_ctx_utc_offset(f->ctx), at, sizeof(at));
	if (rc != PCRM_OK)
		return rc;
	snprintf(summary, sizeof(summary), "%s ticket %s filed (%s/%s)", f->in.nature, f->serial,
	         f->in.category, f->in.subcategory);
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s}", "at", at, "channel",
	                contact_channel(f->in.channel), "direction", "inbound", "summary", summary,
	                "work_order_id", f->work_order_id);
	if (doc && f->caller[0])
		json_object_set_new(doc, "caller_number", json_string(f->caller));
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	rc = text ? pcrm_contact_record(f->ctx, f->actor, f->customer_no, text, &contact) :
	            pcrm__error_oom();
	if (rc == PCRM_OK)
		snprintf(f->contact_id, sizeof(f->contact_id), "%s", pcrm_contact_id(contact));
	pcrm_contact_free(contact);
	free(text);
	json_decref(doc);
	return rc;
}

static int insert_ticket(struct filing *f)
{
	static const char sql[] =
		"INSERT INTO complaint (responsible_unit, serial, accepting_unit, accepted_at, agent, "
		"channel, caller_number, customer_no, org_unit, category, subcategory, nature, "
		"urgency, routed_by_default, description, recording_ref, sealed, work_order_id, "
		"contact_id, repeat_of, reply_due_at, caller_hash, caller_cipher, status, version) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
		"$18, $19, $20, $21, $22, $23, 'open', 1)";
	pcrm_sql_value p[23] = {
		PCRM_SQL_S(f->responsible), PCRM_SQL_S(f->serial), PCRM_SQL_S(f->actor->org_unit),
		PCRM_SQL_I(f->at), PCRM_SQL_S(f->actor->operator_id), PCRM_SQL_S(f->in.channel),
		PCRM_SQL_S(f->caller[0] ? f->caller_sealed.masked : NULL), PCRM_SQL_S(f->customer_no),
		PCRM_SQL_S(f->org_unit), PCRM_SQL_S(f->in.category), PCRM_SQL_S(f->in.subcategory),
		PCRM_SQL_S(f->in.nature), PCRM_SQL_S(f->in.urgency), PCRM_SQL_I(f->by_default),
		PCRM_SQL_S(f->in.description), PCRM_SQL_S(f->in.recording_ref), PCRM_SQL_S(f->sealed),
		PCRM_SQL_S(f->work_order_id), PCRM_SQL_S(f->contact_id[0] ? f->contact_id : NULL),
		PCRM_SQL_S(f->repeat_of[0] ? f->repeat_of : NULL),
		f->reply_due_at ? PCRM_SQL_I(f->reply_due_at) : PCRM_SQL_NUL,
		PCRM_SQL_S(f->caller[0] ? f->caller_sealed.hash : NULL),
		PCRM_SQL_S(f->caller[0] ? f->caller_sealed.cipher : NULL)
	};
	int rc = pcrm__store_exec(f->ctx->store, sql, p, 23, NULL);
	return rc == PCRM_OK ? pcrm__complaint_summary_apply(f->ctx, f->serial, 1) : rc;
}

/* What the audit log keeps: the ticket's classification, never its personal data. */
static int audit_filing(struct filing *f)
{
	json_t *s = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "category",
	                      f->in.category, "subcategory", f->in.subcategory, "nature",
	                      f->in.nature, "channel", f->in.channel, "responsible_unit",
	                      f->responsible, "work_order_id", f->work_order_id,
	                      "routed_by_default", f->by_default, "urgency", f->in.urgency);
	int rc;
	if (s && f->customer_no)
		json_object_set_new(s, "customer_no", json_string(f->customer_no));
	if (s && f->repeat_of[0])
		json_object_set_new(s, "repeat_of", json_string(f->repeat_of));
	rc = s ? pcrm__audit_append_in_tx(f->ctx, f->actor, "complaint.file", "complaint", f->serial,
	                                  s) :
	         pcrm__error_oom();
	json_decref(s);
	return rc;
}

static int file_body(void *arg)
{
	struct filing *f = arg;
	int rc;

	free(f->sealed);
	f->sealed = NULL;
	rc = next_serial(f);
	if (rc == PCRM_OK && f->caller[0])
		rc = pcrm__complaint_caller_seal(f->ctx, f->serial, f->caller, &f->caller_sealed);
	if (rc == PCRM_OK)
		rc = find_repeat(f);
	if (rc == PCRM_OK)
		rc = seal_personal(f->ctx, f->serial, &f->in, &f->sealed);
	if (rc == PCRM_OK)
		rc = open_work_order(f);
	if (rc == PCRM_OK)
		rc = record_contact(f);
	if (rc == PCRM_OK)
		rc = insert_ticket(f);
	if (rc == PCRM_OK)
		rc = audit_filing(f);
	return rc;
}

int pcrm_complaint_file(pcrm_ctx *ctx, const pcrm_actor *actor, const char *json,
                        pcrm_complaint **out)
{
	struct filing f;
	json_t *doc = NULL, *row = NULL;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	memset(&f, 0, sizeof(f));
	f.ctx = ctx;
	f.actor = actor;
	rc = prepare_filing(&f, json, &doc);
	if (rc == PCRM_OK)
		rc = pcrm__store_transaction(ctx->store, file_body, &f);
	if (rc == PCRM_OK)
		rc = pcrm__complaint_load(ctx, f.serial, &row);
	if (rc == PCRM_OK)
		rc = pcrm__complaint_wrap(row, out);
	free(f.sealed);
	free(f.customer_no);
	free(f.org_unit);
	free(f.responsible);
	json_decref(doc);
	return rc;
}
