/*
 * After filing: merging a duplicate into the ticket that survives, the
 * reply to the customer and the return visit.  Each fires the carrying
 * work order's event and updates the ticket in one transaction (the work
 * order's own change nests as a savepoint), so the ticket never disagrees
 * with its work order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/workflow.h>

#include "audit/audit.h"
#include "complaint_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/json_doc.h"
#include "store/store.h"

static const char *str(const json_t *row, const char *name)
{
	return json_string_value(json_object_get(row, name));
}

static int same_text(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/*
 * The version of the ticket's work order, and a check that it is in `state`;
 * `definition` (may be NULL) receives the definition it runs on.
 */
static int work_order_in(pcrm_ctx *ctx, const pcrm_actor *actor, const json_t *row,
                         const char *state, const char *what, int *version,
                         struct pcrm__complaint_definition *definition)
{
	pcrm_workorder *wo = NULL;
	int rc = pcrm_workorder_get(ctx, actor, str(row, "work_order_id"), &wo);
	if (rc == PCRM_OK && strcmp(pcrm_workorder_state(wo), state) != 0)
		rc = pcrm__error(PCRM_ESTATE, "serial: %s needs the work order in state \"%s\", "
		                              "it is in \"%s\"", what, state, pcrm_workorder_state(wo));
	if (rc == PCRM_OK)
		*version = pcrm_workorder_version(wo);
	if (rc == PCRM_OK && definition) {
		snprintf(definition->workflow, sizeof(definition->workflow), "%s",
		         pcrm_workorder_workflow(wo));
		definition->version = pcrm_workorder_workflow_version(wo);
	}
	pcrm_workorder_free(wo);
	return rc;
}

static int fire(pcrm_ctx *ctx, const pcrm_actor *actor, const json_t *row, int version,
                const char *event, json_t *data)
{
	char *text = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int rc = text ? pcrm_workorder_fire(ctx, actor, str(row, "work_order_id"), version, event,
	                                    text, NULL, NULL) :
	                pcrm__error_oom();
	free(text);
	json_decref(data);
	return rc;
}

/* The ticket row changes only when nobody changed it since it was read. */
static int update_ticket(pcrm_ctx *ctx, const json_t *row, const char *sql,
                         pcrm_sql_value *p, int n)
{
	int64_t changes = 0;
	int rc;
	p[n] = PCRM_SQL_S(str(row, "serial"));
	p[n + 1] = PCRM_SQL_I(json_integer_value(json_object_get(row, "version")));
	/* the summary loses the ticket as it was and gains it as it is (complaint_summary.c) */
	rc = pcrm__complaint_summary_apply(ctx, str(row, "serial"), -1);
	if (rc == PCRM_OK)
		rc = pcrm__store_exec(ctx->store, sql, p, n + 2, &changes);
	if (rc == PCRM_OK && changes != 1)
		rc = pcrm__error(PCRM_ECONFLICT, "serial: the ticket changed meanwhile; read it again");
	if (rc == PCRM_OK)
		rc = pcrm__complaint_summary_apply(ctx, str(row, "serial"), 1);
	return rc;
}

static int audit(pcrm_ctx *ctx, const pcrm_actor *actor, const char *action, const json_t *row,
                 json_t *summary)
{
	int rc = summary ? pcrm__audit_append_in_tx(ctx, actor, action, "complaint",
	                                            str(row, "serial"), summary) :
	                   pcrm__error_oom();
	json_decref(summary);
	return rc;
}

static int reload(pcrm_ctx *ctx, int rc, const char *serial, pcrm_complaint **out)
{
	json_t *row = NULL;
	if (rc != PCRM_OK || !out)
		return rc;
	rc = pcrm__complaint_load(ctx, serial, &row);
	return rc == PCRM_OK ? pcrm__complaint_wrap(row, out) : rc;
}

static int parse_object(const char *json, json_t **doc, const char *const *keys)
{
	json_error_t err;
	*doc = json ? json_loads(json, JSON_REJECT_DUPLICATES, &err) : NULL;
	if (!*doc)
		return pcrm__error(PCRM_EINVAL, "json: missing or not valid JSON");
	if (!json_is_object(*doc))
		return pcrm__error(PCRM_EINVAL, "json: expected an object");
	return pcrm__json_check_keys("", *doc, keys);
}

static int text_member(const json_t *doc, const char *name, int required, const char **out)
{
	const json_t *v = json_object_get(doc, name);
	*out = NULL;
	if (!v && !required)
		return PCRM_OK;
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > PCRM__COMPLAINT_TEXT_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: required, a string of 1..%d bytes", name,
		                   PCRM__COMPLAINT_TEXT_MAX);
	*out = json_string_value(v);
	return PCRM_OK;
}

/* ---- merge ---- */

struct merge {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	json_t *dup, *survivor;
	const char *note;
	int version;
	int accepted; /* the duplicate's work order is still in acceptance */
};

/*
 * The duplicate's work order must still be open.  In acceptance it is
 * withdrawn as invalid (every version of the shipped definitions has that
 * event); later (handling, review, reply, return visit) it closes by the
 * "merged" event the shipped definitions have since schema 22, so a work
 * order on an older definition version past acceptance is refused by the
 * engine (PCRM_ESTATE naming the event).
 */
static int merge_state(pcrm_ctx *ctx, const pcrm_actor *actor, struct merge *m)
{
	pcrm_workorder *wo = NULL;
	int rc = pcrm_workorder_get(ctx, actor, str(m->dup, "work_order_id"), &wo);
	if (rc == PCRM_OK && strcmp(pcrm_workorder_status(wo), "open") != 0)
		rc = pcrm__error(PCRM_ESTATE, "serial: the ticket's work order is %s; only an open "
		                              "ticket can be merged", pcrm_workorder_status(wo));
	if (rc == PCRM_OK) {
		m->version = pcrm_workorder_version(wo);
		m->accepted = strcmp(pcrm_workorder_state(wo), "accepted") == 0;
	}
	pcrm_workorder_free(wo);
	return rc;
}

static int merge_body(void *arg)
{
	static const char sql[] =
		"UPDATE complaint SET status = 'merged', merged_into = $1, closed_at = $2, "
		"version = version + 1 WHERE serial = $3 AND version = $4";
	struct merge *m = arg;
	pcrm_sql_value p[4] = { PCRM_SQL_S(str(m->survivor, "serial")),
		                PCRM_SQL_I(pcrm_ctx_now(m->ctx)) };
	int rc = fire(m->ctx, m->actor, m->dup, m->version, m->accepted ? "invalid" : "merged",
	              json_pack("{s:s, s:s}", "reason", m->note ? m->note : "duplicate",
	                        "duplicate_of", str(m->survivor, "serial")));
	if (rc == PCRM_OK)
		rc = pcrm_workorder_link(m->ctx, m->actor, str(m->dup, "work_order_id"),
		                         str(m->survivor, "work_order_id"), "duplicate_of");
	if (rc == PCRM_OK)
		rc = update_ticket(m->ctx, m->dup, sql, p, 2);
	if (rc == PCRM_OK)
		rc = audit(m->ctx, m->actor, "complaint.merge", m->dup,
		           json_pack("{s:s}", "merged_into", str(m->survivor, "serial")));
	return rc;
}

/* Duplicates are tickets of one customer, or of one caller when both are anonymous. */
static int check_same_party(const json_t *a, const json_t *b)
{
	const char *ca = str(a, "customer_no"), *cb = str(b, "customer_no");
	if (ca || cb)
		return same_text(ca, cb) ? PCRM_OK :
		                           pcrm__error(PCRM_EINVAL, "survivor: belongs to another "
		                                                    "customer; only one customer's "
		                                                    "tickets can be merged");
	return same_text(str(a, "caller_number"), str(b, "caller_number")) ?
	               PCRM_OK :
	               pcrm__error(PCRM_EINVAL, "survivor: anonymous tickets merge only with the "
	                                        "same caller number");
}

int pcrm_complaint_merge(pcrm_ctx *ctx, const pcrm_actor *actor, const char *serial,
                         const char *survivor, const char *note)
{
	struct merge m = { ctx, actor, NULL, NULL, note, 0, 0 };
	int rc = pcrm__complaint_load_authorized(ctx, actor, serial, PCRM_PERM_WORKORDER_HANDLE,
	                                         &m.dup);
	if (rc == PCRM_OK && note && (!*note || strlen(note) > 2000))
		rc = pcrm__error(PCRM_EINVAL, "note: must be 1..2000 bytes or NULL");
	if (rc == PCRM_OK) {
		rc = pcrm__complaint_load_authorized(ctx, actor, survivor, PCRM_PERM_WORKORDER_HANDLE,
		                                     &m.survivor);
		if (rc == PCRM_EINVAL || rc == PCRM_ENOTFOUND)
			pcrm__error_prefix("survivor");
	}
	if (rc == PCRM_OK && strcmp(serial, survivor) == 0)
		rc = pcrm__error(PCRM_EINVAL, "survivor: is the ticket itself");
	if (rc == PCRM_OK && strcmp(str(m.dup, "status"), "merged") == 0)
		rc = pcrm__error(PCRM_EINVAL, "serial: already merged into %.64s",
		                 str(m.dup, "merged_into"));
	if (rc == PCRM_OK && strcmp(str(m.survivor, "status"), "merged") == 0)
		rc = pcrm__error(PCRM_EINVAL, "survivor: was itself merged into %.64s",
		                 str(m.survivor, "merged_into"));
	if (rc == PCRM_OK)
		rc = check_same_party(m.dup, m.survivor);
	if (rc == PCRM_OK)
		rc = merge_state(ctx, actor, &m);
	if (rc == PCRM_OK)
		rc = pcrm__store_transaction(ctx->store, merge_body, &m);
	json_decref(m.dup);
	json_decref(m.survivor);
	return rc;
}

/* ---- reply ---- */

struct followup {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	json_t *row, *doc;
	int version;
	struct pcrm__complaint_definition definition; /* reply only */
};

static int reply_body(void *arg)
{
	static const char sql[] =
		"UPDATE complaint SET status = 'replied', replied_at = $1, reply_channel = $2, "
		"reply_content = $3, customer_opinion = $4, substantiated = $5, late_seconds = $6, "
		"visit_attempts = 0, version = version + 1 WHERE serial = $7 AND version = $8";
	struct followup *f = arg;
	const char *channel = str(f->doc, "channel");
	int substantiated = json_is_true(json_object_get(f->doc, "substantiated"));
	pcrm_time now = pcrm_ctx_now(f->ctx);
	int64_t late = 0;
	/* how far past its deadline the (latest) reply comes, in working time: fixed now */
	int rc = pcrm__complaint_late_seconds(
		f->ctx, f->definition.workflow, f->definition.version,
		json_integer_value(json_object_get(f->row, "reply_due_at")), now, &late);
	pcrm_sql_value p[8] = { PCRM_SQL_I(now), PCRM_SQL_S(channel),
		                PCRM_SQL_S(str(f->doc, "content")),
		                PCRM_SQL_S(str(f->doc, "opinion")), PCRM_SQL_I(substantiated),
		                PCRM_SQL_I(late) };
	if (rc == PCRM_OK)
		rc = fire(f->ctx, f->actor, f->row, f->version, "replied",
		          json_pack("{s:{s:s, s:b}}", "reply", "channel", channel, "substantiated",
		                    substantiated));
	if (rc == PCRM_OK)
		rc = update_ticket(f->ctx, f->row, sql, p, 6);
	if (rc == PCRM_OK)
		rc = audit(f->ctx, f->actor, "complaint.reply", f->row,
		           json_pack("{s:s, s:b}", "channel", channel, "substantiated", substantiated));
	return rc;
}

static int check_reply(const json_t *doc)
{
	const json_t *s = json_object_get(doc, "substantiated");
	const char *v;
	int rc = text_member(doc, "channel", 1, &v);
	if (rc == PCRM_OK && !pcrm__complaint_one_of(v, pcrm__complaint_channels))
		rc = pcrm__error(PCRM_EINVAL, "channel: unknown value (phone, fax, email, web, sms, "
		                              "counter, app, wechat)");
	if (rc == PCRM_OK)
		rc = text_member(doc, "content", 1, &v);
	if (rc == PCRM_OK)
		rc = text_member(doc, "opinion", 0, &v);
	if (rc == PCRM_OK && !json_is_boolean(s))
		rc = pcrm__error(PCRM_EINVAL, "substantiated: required, true or false");
	return rc;
}

int pcrm_complaint_reply(pcrm_ctx *ctx, const pcrm_actor *actor, const char *serial,
                         const char *json, pcrm_complaint **out)
{
	static const char *const keys[] = { "channel", "content", "opinion", "substantiated", NULL };
	struct followup f = { ctx, actor, NULL, NULL, 0, { "", 0 } };
	int rc = pcrm__complaint_load_authorized(ctx, actor, serial, PCRM_PERM_WORKORDER_HANDLE,
	                                         &f.row);
	if (out)
		*out = NULL;
	if (rc == PCRM_OK)
		rc = parse_object(json, &f.doc, keys);
	if (rc == PCRM_OK)
		rc = check_reply(f.doc);
	if (rc == PCRM_OK)
		rc = work_order_in(ctx, actor, f.row, "reply", "a reply", &f.version, &f.definition);
	if (rc == PCRM_OK)
		rc = pcrm__store_transaction(ctx->store, reply_body, &f);
	rc = reload(ctx, rc, serial, out);
	json_decref(f.row);
	json_decref(f.doc);
	return rc;
}

/* ---- the supervisor's review of the handling opinion (审核 / 退单) ---- */

static int review_body(void *arg)
{
	static const char sql[] =
		"UPDATE complaint SET review_returns = review_returns + $1, version = version + 1 "
		"WHERE serial = $2 AND version = $3";
	struct followup *f = arg;
	int returned = strcmp(str(f->doc, "decision"), "return") == 0;
	const char *reason = str(f->doc, "reason");
	pcrm_sql_value p[3] = { PCRM_SQL_I(returned) };
	/* the reason goes to the work order's history (the guard requires it for a return),
	 * not to the audit log: it may hold personal data */
	int rc = fire(f->ctx, f->actor, f->row, f->version, returned ? "return" : "approve",
	              reason ? json_pack("{s:s}", "reason", reason) : json_object());
	if (rc == PCRM_OK)
		rc = update_ticket(f->ctx, f->row, sql, p, 1);
	if (rc == PCRM_OK)
		rc = audit(f->ctx, f->actor, "complaint.review", f->row,
		           json_pack("{s:s, s:I}", "decision", returned ? "return" : "approve",
		                     "review_returns",
		                     (json_int_t)(json_integer_value(
		                                          json_object_get(f->row, "review_returns")) +
		                                  returned)));
	return rc;
}

int pcrm_complaint_review(pcrm_ctx *ctx, const pcrm_actor *actor, const char *serial,
                          const char *json, pcrm_complaint **out)
{
	struct followup f = { ctx, actor, NULL, NULL, 0, { "", 0 } };
	const char *decision, *reason;
	int rc = pcrm__complaint_load_authorized(ctx, actor, serial, PCRM_PERM_WORKORDER_HANDLE,
	                                         &f.row);
	if (out)
		*out = NULL;
	if (rc == PCRM_OK)
		rc = pcrm__complaint_review_parse(json, &f.doc, &decision, &reason);
	if (rc == PCRM_OK)
		rc = work_order_in(ctx, actor, f.row, "review", "a review", &f.version, NULL);
	if (rc == PCRM_OK)
		rc = pcrm__store_transaction(ctx->store, review_body, &f);
	rc = reload(ctx, rc, serial, out);
	json_decref(f.row);
	json_decref(f.doc);
	return rc;
}

/* ---- return visit ---- */

static const char *const satisfactions[] = { "satisfied", "basically_satisfied", "dissatisfied",
	                                     NULL };

static int visit_body(void *arg)
{
	static const char sql[] =
		"UPDATE complaint SET visited_at = $1, visit_result = $2, satisfaction = $3, "
		"status = $4, closed_at = $5, reopened = reopened + $6, version = version + 1 "
		"WHERE serial = $7 AND version = $8";
	struct followup *f = arg;
	const char *satisfaction = str(f->doc, "satisfaction");
	/* dissatisfied: handling starts again, the ticket is open and counts one more reopening */
	int unhappy = strcmp(satisfaction, "dissatisfied") == 0;
	pcrm_time now = pcrm_ctx_now(f->ctx);
	pcrm_sql_value p[8] = { PCRM_SQL_I(now), PCRM_SQL_S(str(f->doc, "result")),
		                PCRM_SQL_S(satisfaction), PCRM_SQL_S(unhappy ? "open" : "closed"),
		                unhappy ? PCRM_SQL_NUL : PCRM_SQL_I(now), PCRM_SQL_I(unhappy) };
	int rc = fire(f->ctx, f->actor, f->row, f->version, unhappy ? "dissatisfied" : "visit",
	              unhappy ? json_pack("{s:s, s:s}", "reason", "return visit: dissatisfied",
	                                  "satisfaction", satisfaction) :
	                        json_pack("{s:s}", "satisfaction", satisfaction));
	if (rc == PCRM_OK)
		rc = update_ticket(f->ctx, f->row, sql, p, 6);
	if (rc == PCRM_OK)
		rc = audit(f->ctx, f->actor, "complaint.return_visit", f->row,
		           json_pack("{s:s}", "satisfaction", satisfaction));
	return rc;
}

int pcrm_complaint_return_visit(pcrm_ctx *ctx, const pcrm_actor *actor, const char *serial,
                                const char *json, pcrm_complaint **out)
{
	static const char *const keys[] = { "result", "satisfaction", NULL };
	struct followup f = { ctx, actor, NULL, NULL, 0, { "", 0 } };
	const char *v;
	int rc = pcrm__complaint_load_authorized(ctx, actor, serial, PCRM_PERM_WORKORDER_HANDLE,
	                                         &f.row);
	if (out)
		*out = NULL;
	if (rc == PCRM_OK)
		rc = parse_object(json, &f.doc, keys);
	if (rc == PCRM_OK)
		rc = text_member(f.doc, "result", 1, &v);
	if (rc == PCRM_OK && !pcrm__complaint_one_of(str(f.doc, "satisfaction"), satisfactions))
		rc = pcrm__error(PCRM_EINVAL, "satisfaction: required, one of satisfied, "
		                              "basically_satisfied, dissatisfied");
	if (rc == PCRM_OK)
		rc = work_order_in(ctx, actor, f.row, "return_visit", "a return visit", &f.version,
		                   NULL);
	if (rc == PCRM_OK)
		rc = pcrm__store_transaction(ctx->store, visit_body, &f);
	rc = reload(ctx, rc, serial, out);
	json_decref(f.row);
	json_decref(f.doc);
	return rc;
}

/* ---- reopening by the customer ---- */

static int reopen_body(void *arg)
{
	static const char sql[] =
		"UPDATE complaint SET status = 'open', closed_at = NULL, reopened = reopened + 1, "
		"version = version + 1 WHERE serial = $1 AND version = $2";
	struct followup *f = arg;
	pcrm_sql_value p[2];
	int rc = pcrm_workorder_reopen(f->ctx, f->actor, str(f->row, "work_order_id"), f->version,
	                               str(f->doc, "reason"), NULL);
	if (rc == PCRM_OK)
		rc = update_ticket(f->ctx, f->row, sql, p, 0);
	if (rc == PCRM_OK)
		rc = audit(f->ctx, f->actor, "complaint.reopen", f->row,
		           json_pack("{s:s}", "work_order_id", str(f->row, "work_order_id")));
	return rc;
}

int pcrm_complaint_reopen(pcrm_ctx *ctx, const pcrm_actor *actor, const char *serial,
                          const char *json, pcrm_complaint **out)
{
	static const char *const keys[] = { "reason", NULL };
	struct followup f = { ctx, actor, NULL, NULL, 0, { "", 0 } };
	pcrm_workorder *wo = NULL;
	const char *v;
	int rc = pcrm__complaint_load_authorized(ctx, actor, serial, PCRM_PERM_WORKORDER_HANDLE,
	                                         &f.row);
	if (out)
		*out = NULL;
	if (rc == PCRM_OK)
		rc = parse_object(json, &f.doc, keys);
	if (rc == PCRM_OK)
		rc = text_member(f.doc, "reason", 1, &v);
	if (rc == PCRM_OK && v && strlen(v) > 2000)
		rc = pcrm__error(PCRM_EINVAL, "reason: longer than 2000 bytes");
	if (rc == PCRM_OK && strcmp(str(f.row, "status"), "merged") == 0)
		rc = pcrm__error(PCRM_ESTATE, "serial: was merged into %.64s; reopen that ticket",
		                 str(f.row, "merged_into"));
	else if (rc == PCRM_OK && strcmp(str(f.row, "status"), "closed") != 0)
		rc = pcrm__error(PCRM_ESTATE, "serial: the ticket is %s, not closed",
		                 str(f.row, "status"));
	if (rc == PCRM_OK)
		rc = pcrm_workorder_get(ctx, actor, str(f.row, "work_order_id"), &wo);
	if (rc == PCRM_OK)
		f.version = pcrm_workorder_version(wo);
	pcrm_workorder_free(wo);
	if (rc == PCRM_OK)
		rc = pcrm__store_transaction(ctx->store, reopen_body, &f);
	rc = reload(ctx, rc, serial, out);
	json_decref(f.row);
	json_decref(f.doc);
	return rc;
}

/* ---- a return visit that did not reach the customer ---- */

struct visit_attempt {
	struct followup f;
	int attempts, limit; /* this attempt's number, and the one that closes the ticket */
};

static int visit_failed_body(void *arg)
{
	static const char sql[] =
		"UPDATE complaint SET visit_attempts = $1, status = $2, closed_at = $3, "
		"version = version + 1 WHERE serial = $4 AND version = $5";
	struct visit_attempt *a = arg;
	struct followup *f = &a->f;
	int last = a->attempts >= a->limit;
	pcrm_time now = pcrm_ctx_now(f->ctx);
	pcrm_sql_value p[5] = { PCRM_SQL_I(a->attempts), PCRM_SQL_S(last ? "closed" : "replied"),
		                last ? PCRM_SQL_I(now) : PCRM_SQL_NUL };
	/* the attempt itself is the history entry; the last one closes the work order */
	int rc = fire(f->ctx, f->actor, f->row, f->version, last ? "unreachable" : "visit_failed",
	              json_pack("{s:i, s:s}", "visit_attempts", a->attempts, "attempt_note",
	                        str(f->doc, "note")));
	if (rc == PCRM_OK)
		rc = update_ticket(f->ctx, f->row, sql, p, 3);
	if (rc == PCRM_OK)
		rc = audit(f->ctx, f->actor, "complaint.visit_failed", f->row,
		           json_pack("{s:i, s:b}", "attempt", a->attempts, "closed", last));
	return rc;
}

int pcrm_complaint_visit_failed(pcrm_ctx *ctx, const pcrm_actor *actor, const char *serial,
                                const char *json, pcrm_complaint **out)
{
	static const char *const keys[] = { "note", NULL };
	struct visit_attempt a = { { ctx, actor, NULL, NULL, 0, { "", 0 } }, 0, 0 };
	json_t *config = NULL;
	const char *v;
	int rc = pcrm__complaint_load_authorized(ctx, actor, serial, PCRM_PERM_WORKORDER_HANDLE,
	                                         &a.f.row);
	if (out)
		*out = NULL;
	if (rc == PCRM_OK)
		rc = parse_object(json, &a.f.doc, keys);
	if (rc == PCRM_OK)
		rc = text_member(a.f.doc, "note", 1, &v);
	if (rc == PCRM_OK && strlen(v) > 2000)
		rc = pcrm__error(PCRM_EINVAL, "note: longer than 2000 bytes");
	if (rc == PCRM_OK)
		rc = pcrm__complaint_config_load(ctx, &config);
	if (rc == PCRM_OK)
		rc = work_order_in(ctx, actor, a.f.row, "return_visit", "a return visit", &a.f.version,
		                   NULL);
	if (rc == PCRM_OK) {
		a.limit = pcrm__complaint_visit_attempts(config);
		a.attempts = (int)json_integer_value(json_object_get(a.f.row, "visit_attempts")) + 1;
		rc = pcrm__store_transaction(ctx->store, visit_failed_body, &a);
	}
	rc = reload(ctx, rc, serial, out);
	json_decref(config);
	json_decref(a.f.row);
	json_decref(a.f.doc);
	return rc;
}

/* ---- closing with a master work order (one outage, many callers) ---- */

struct with_master {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	const char *master_id, *event, *data;
	int expected_version;
	json_t *doc;     /* the reply */
	json_t *tickets; /* rows of the attached tickets still open, loaded and authorized */
	int replied;
};

static int attached_tickets(struct with_master *w)
{
	static const char sql[] =
		"SELECT c.serial FROM complaint c JOIN work_order_link l ON "
		"l.work_order_id = c.work_order_id WHERE l.other_id = $1 AND l.relation = 'child_of' "
		"AND c.status IN ('open', 'replied') ORDER BY c.serial";
	pcrm_sql_value p[1] = { PCRM_SQL_S(w->master_id) };
	json_t *serials = json_array();
	pcrm_rows *rows = NULL;
	size_t i;
	json_t *v;
	int rc = serials ? pcrm__store_query(w->ctx->store, sql, p, 1, &rows) : pcrm__error_oom();

	while (rc == PCRM_OK) {
		int more = pcrm__rows_next(rows);
		if (more <= 0) {
			rc = more;
			break;
		}
		if (json_array_append_new(serials, json_string(pcrm__rows_text(rows, 0))) != 0)
			rc = pcrm__error_oom();
	}
	pcrm__rows_free(rows);
	json_array_foreach(serials, i, v) {
		json_t *row = NULL;
		if (rc != PCRM_OK)
			break;
		rc = pcrm__complaint_load_authorized(w->ctx, w->actor, json_string_value(v),
		                                     PCRM_PERM_WORKORDER_HANDLE, &row);
		if (rc == PCRM_OK && json_array_append_new(w->tickets, row) != 0)
			rc = pcrm__error_oom();
	}
	json_decref(serials);
	return rc;
}

static int close_ticket(struct with_master *w, const json_t *row)
{
	/* a ticket replied on its own keeps its reply; an open one gets the master's */
	static const char open_sql[] =
		"UPDATE complaint SET status = 'closed', replied_at = $1, reply_channel = $2, "
		"reply_content = $3, customer_opinion = $4, substantiated = $5, closed_at = $1, "
		"late_seconds = $6, version = version + 1 WHERE serial = $7 AND version = $8";
	static const char replied_sql[] =
		"UPDATE complaint SET status = 'closed', closed_at = $1, version = version + 1 "
		"WHERE serial = $2 AND version = $3";
	int open = strcmp(str(row, "status"), "open") == 0;
	int substantiated = json_is_true(json_object_get(w->doc, "substantiated"));
	pcrm_time now = pcrm_ctx_now(w->ctx);
	int64_t late = 0;
	int rc = PCRM_OK;
	if (open) {
		/* the master's reply is this ticket's reply: its lateness is fixed now, as a
		 * reply's is (docs/complaints.md, overdue duration) */
		pcrm_workorder *wo = NULL;
		rc = pcrm_workorder_get(w->ctx, w->actor, str(row, "work_order_id"), &wo);
		if (rc == PCRM_OK)
			rc = pcrm__complaint_late_seconds(
				w->ctx, pcrm_workorder_workflow(wo), pcrm_workorder_workflow_version(wo),
				json_integer_value(json_object_get(row, "reply_due_at")), now, &late);
		pcrm_workorder_free(wo);
	}
	pcrm_sql_value p[8] = { PCRM_SQL_I(now), PCRM_SQL_S(str(w->doc, "channel")),
		                PCRM_SQL_S(str(w->doc, "content")),
		                PCRM_SQL_S(str(w->doc, "opinion")), PCRM_SQL_I(substantiated),
		                PCRM_SQL_I(late) };
	if (rc == PCRM_OK)
		rc = update_ticket(w->ctx, row, open ? open_sql : replied_sql, p, open ? 6 : 1);
	if (rc == PCRM_OK && open)
		w->replied++;
	if (rc == PCRM_OK)
		rc = audit(w->ctx, w->actor, "complaint.close_with_master", row,
		           json_pack("{s:s, s:b}", "master_id", w->master_id, "reply_recorded", open));
	return rc;
}

static int with_master_body(void *arg)
{
	struct with_master *w = arg;
	pcrm_workorder *master = NULL;
	size_t i;
	json_t *row;
	int rc;

	w->replied = 0;
	json_array_clear(w->tickets);
	rc = attached_tickets(w);
	/* the master's closing closes the tickets' work orders with it (close_with_master) */
	if (rc == PCRM_OK)
		rc = pcrm_workorder_fire(w->ctx, w->actor, w->master_id, w->expected_version, w->event,
		                         w->data, NULL, &master);
	if (rc == PCRM_OK && strcmp(pcrm_workorder_status(master), "closed") != 0)
		rc = pcrm__error(PCRM_ESTATE, "event: \"%s\" does not close the master (it is in "
		                              "state \"%s\")",
		                 w->event, pcrm_workorder_state(master));
	pcrm_workorder_free(master);
	json_array_foreach(w->tickets, i, row) {
		if (rc != PCRM_OK)
			break;
		rc = close_ticket(w, row);
	}
	return rc;
}

int pcrm_complaint_close_with_master(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *master_id, int expected_version,
                                     const char *event, const char *data_json,
                                     const char *reply_json, int *replied)
{
	static const char *const keys[] = { "channel", "content", "opinion", "substantiated", NULL };
	struct with_master w = { ctx, actor, master_id, event, data_json, expected_version,
		                 NULL, json_array(), 0 };
	int rc = w.tickets ? PCRM_OK : pcrm__error_oom();

	if (replied)
		*replied = 0;
	if (rc == PCRM_OK)
		rc = parse_object(reply_json, &w.doc, keys);
	if (rc == PCRM_OK)
		rc = check_reply(w.doc);
	if (rc == PCRM_OK)
		rc = pcrm__store_transaction(ctx->store, with_master_body, &w);
	if (rc == PCRM_OK && replied)
		*replied = w.replied;
	json_decref(w.doc);
	json_decref(w.tickets);
	return rc;
}
