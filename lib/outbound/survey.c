/*
 * Return-visit surveys (回访调查): a campaign kind that asks the customers of
 * finished work orders how satisfied they are, and records each answer as
 * the work order's return visit.
 *
 * Which work orders: in the shipped definitions the return visit is the
 * step that closes a work order (a repair's "restored" --visit--> "closed",
 * a complaint's "return_visit" --visit--> "closed"), so "finished and not
 * yet visited" is a work order that is still open in a state with a "visit"
 * transition.  The library reads that from the definitions rather than
 * from a list of state names, so an integrator's own definitions take part.
 * The target window is when the work order entered that state (the last
 * history entry leading into it).  "Not yet surveyed": no survey message
 * for the work order was queued since it entered the state, so a ticket
 * sent back to handling by a dissatisfied customer is surveyed again when
 * its next reply comes, by a later campaign.
 *
 * Why the answer goes through the complaint or workflow API: an answer is
 * the same record an agent's return visit makes.  A complaint ticket's
 * work order (its data names the "complaint_serial") takes
 * pcrm_complaint_return_visit(), which sets the ticket's visit_result and
 * satisfaction and fires "visit" or "dissatisfied"; any other work order
 * takes pcrm_workorder_fire(... "visit" ...) with {"satisfaction",
 * "visit_result"}.  Each is audited by its own module; the message becomes
 * "answered" (a receipt, with its contact history entry) and an
 * "outbound.survey_answer" entry links message, work order and ticket, all
 * in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/complaint.h>
#include <powercrm/workflow.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/json_doc.h"
#include "core/text_check.h"
#include "org/org_internal.h"
#include "outbound_internal.h"

#define MAX_WORKFLOWS 16
#define RESULT_MAX 2000

static const char *const satisfactions[] = { "satisfied", "basically_satisfied", "dissatisfied",
	                                     NULL };

/* ---- the target ---- */

static int instant(const json_t *target, const char *key, pcrm_time *out)
{
	json_t *v = json_object_get(target, key);
	if (!json_is_string(v) || pcrm_time_parse(json_string_value(v), out) != PCRM_OK)
		return pcrm__error(PCRM_EINVAL, "target.%s: must be an ISO 8601 instant with offset",
		                   key);
	return PCRM_OK;
}

static int workflow_name(const json_t *v, size_t i)
{
	const char *s = json_string_value(v);
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > 64 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
		return pcrm__error(PCRM_EINVAL, "target.workflows[%zu]: must be 1..64 of a-z 0-9 _", i);
	return PCRM_OK;
}

int pcrm__survey_target_check(const json_t *target)
{
	static const char *const keys[] = { "workflows", "finished_from", "finished_to", NULL };
	json_t *arr, *v;
	pcrm_time from, to;
	size_t i;
	int rc;

	if ((rc = pcrm__json_check_keys("target", target, keys)) != PCRM_OK ||
	    (rc = instant(target, "finished_from", &from)) != PCRM_OK ||
	    (rc = instant(target, "finished_to", &to)) != PCRM_OK)
		return rc;
	if (to <= from)
		return pcrm__error(PCRM_EINVAL, "target.finished_to: must be after finished_from");
	if (!(arr = json_object_get(target, "workflows")))
		return PCRM_OK;
	if (pcrm__json_expect("target.workflows", arr, JSON_ARRAY, "an array") != PCRM_OK)
		return PCRM_EINVAL;
	if (json_array_size(arr) < 1 || json_array_size(arr) > MAX_WORKFLOWS)
		return pcrm__error(PCRM_EINVAL, "target.workflows: must hold 1..%d names",
		                   MAX_WORKFLOWS);
	json_array_foreach(arr, i, v)
		if ((rc = workflow_name(v, i)) != PCRM_OK)
			return rc;
	return PCRM_OK;
}

/* ---- queueing ---- */

static int listed(const json_t *workflows, const char *name)
{
	size_t i;
	json_t *v;
	if (!workflows)
		return 1;
	json_array_foreach(workflows, i, v)
		if (strcmp(json_string_value(v), name) == 0)
			return 1;
	return 0;
}

/* Adds `state` to the array of workflow `name` in `visit` (name -> states), once. */
static int add_state(json_t *visit, const char *name, const char *state)
{
	json_t *states = json_object_get(visit, name), *v;
	size_t i;

	if (!states) {
		states = json_array();
		if (!states || json_object_set_new(visit, name, states) != 0)
			return pcrm__error_oom();
	}
	json_array_foreach(states, i, v)
		if (strcmp(json_string_value(v), state) == 0)
			return PCRM_OK;
	return json_array_append_new(states, json_string(state)) ? pcrm__error_oom() : PCRM_OK;
}

/*
 * The states where a work order waits for its return visit: those with a
 * "visit" transition, per workflow name, over every stored version (a work
 * order runs on the version it was opened with).
 */
static int visit_states(pcrm_ctx *ctx, const json_t *workflows, json_t **out)
{
	static const char sql[] = "SELECT name, doc FROM workflow_def ORDER BY name, version";
	json_t *visit = json_object();
	pcrm_rows *rows = NULL;
	int rc;

	*out = NULL;
	if (!visit)
		return pcrm__error_oom();
	rc = pcrm__store_query(ctx->store, sql, NULL, 0, &rows);
	while (rc >= 0 && rows && (rc = pcrm__rows_next(rows)) == 1) {
		const char *name = pcrm__rows_text(rows, 0);
		json_t *doc, *t;
		size_t i;

		if (!listed(workflows, name))
			continue;
		doc = json_loads(pcrm__rows_text(rows, 1), 0, NULL);
		if (!doc) {
			rc = pcrm__error(PCRM_ESTORE, "workflow %s: stored definition is not JSON", name);
			break;
		}
		rc = PCRM_OK;
		json_array_foreach(json_object_get(doc, "transitions"), i, t) {
			const char *ev = json_string_value(json_object_get(t, "event"));
			const char *from = json_string_value(json_object_get(t, "from"));
			if (rc == PCRM_OK && ev && from && strcmp(ev, "visit") == 0)
				rc = add_state(visit, name, from);
		}
		json_decref(doc);
		if (rc != PCRM_OK)
			break;
	}
	pcrm__rows_free(rows);
	if (rc < 0) {
		json_decref(visit);
		return rc;
	}
	*out = visit;
	return PCRM_OK;
}

/* When the work order entered the state it is in. */
#define ENTERED                                                                              \
	"(SELECT MAX(h.at) FROM work_order_history h WHERE h.work_order_id = w.id "               \
	"AND h.to_state = w.state)"
#define SURVEY_INSERT                                                                        \
	"INSERT INTO outbound_message (org_unit, id, customer_no, campaign_id, work_order_id, "    \
	"body, status, channel, channel_index, attempts, not_before, created_at, updated_at) "     \
	"SELECT c.org_unit, CAST($1 AS TEXT) || '/' || w.id, c.customer_no, $1, w.id, NULL, "     \
	"'queued', NULL, 0, 0, $2, $3, $3 FROM work_order w "                                      \
	"JOIN customer c ON c.customer_no = w.customer_no JOIN org_unit o ON o.code = c.org_unit " \
	"WHERE w.status = 'open' AND w.workflow = $5 AND c.status = 'active' "                    \
	"AND substr(o.path, 1, length($4)) = $4 "                                                  \
	"AND " ENTERED " >= $7 AND " ENTERED " < $8 "                                              \
	"AND NOT EXISTS (SELECT 1 FROM outbound_message m JOIN outbound_campaign k "              \
	"ON k.id = m.campaign_id WHERE m.work_order_id = w.id "                                    \
	"AND k.kind = 'return_visit_survey' AND m.created_at >= " ENTERED ") "                    \
	"AND NOT EXISTS (SELECT 1 FROM outbound_message m "                                        \
	"WHERE m.id = CAST($1 AS TEXT) || '/' || w.id) AND w.state"

int pcrm__survey_queue(pcrm_ctx *ctx, const char *campaign_id, pcrm_time schedule_at,
                       const json_t *target, const char *scope, int64_t *queued)
{
	static const char sql_pg[] = SURVEY_INSERT PCRM__SQL_IN_KEYS_PG("$6") " ORDER BY w.id";
	static const char sql_lite[] =
		SURVEY_INSERT PCRM__SQL_IN_KEYS_SQLITE("$6") " ORDER BY w.id";
	int pg = ctx->store->driver->kind == PCRM_STORE_POSTGRES;
	pcrm_time now = pcrm_ctx_now(ctx), from = 0, to = 0;
	json_t *visit = NULL, *states;
	const char *name;
	int rc;

	*queued = 0;
	pcrm_time_parse(json_string_value(json_object_get(target, "finished_from")), &from);
	pcrm_time_parse(json_string_value(json_object_get(target, "finished_to")), &to);
	rc = visit_states(ctx, json_object_get(target, "workflows"), &visit);
	json_object_foreach(visit, name, states) {
		char *list = NULL;
		int64_t n = 0;
		if (rc != PCRM_OK)
			break;
		if (!(list = json_dumps(states, JSON_COMPACT))) {
			rc = pcrm__error_oom();
			break;
		}
		{
			pcrm_sql_value p[8] = { PCRM_SQL_S(campaign_id),
				                PCRM_SQL_I(schedule_at > now ? schedule_at : now),
				                PCRM_SQL_I(now), PCRM_SQL_S(scope), PCRM_SQL_S(name),
				                PCRM_SQL_S(list), PCRM_SQL_I(from), PCRM_SQL_I(to) };
			rc = pcrm__store_exec(ctx->store, pg ? sql_pg : sql_lite, p, 8, &n);
		}
		free(list);
		*queued += n;
	}
	json_decref(visit);
	return rc;
}

/* ---- the answer ---- */

struct answer_input {
	const char *satisfaction, *result;
};

static int parse_answer(const json_t *doc, struct answer_input *in)
{
	static const char *const known[] = { "satisfaction", "result", NULL };
	json_t *v;
	int rc, k;

	memset(in, 0, sizeof(*in));
	if ((rc = pcrm__json_expect("document", doc, JSON_OBJECT, "an object")) != PCRM_OK ||
	    (rc = pcrm__json_check_keys("", doc, known)) != PCRM_OK)
		return rc;
	v = json_object_get(doc, "satisfaction");
	if ((rc = pcrm__json_expect("satisfaction", v, JSON_STRING, "a string")) != PCRM_OK)
		return rc;
	for (k = 0; satisfactions[k] && strcmp(satisfactions[k], json_string_value(v)) != 0; k++)
		;
	if (!satisfactions[k])
		return pcrm__error(PCRM_EINVAL, "satisfaction: must be one of satisfied, "
		                                "basically_satisfied, dissatisfied");
	in->satisfaction = satisfactions[k];
	if ((v = json_object_get(doc, "result"))) {
		if ((rc = pcrm__json_expect("result", v, JSON_STRING, "a string")) != PCRM_OK)
			return rc;
		if (json_string_length(v) < 1 || json_string_length(v) > RESULT_MAX)
			return pcrm__error(PCRM_EINVAL, "result: must be 1..%d bytes", RESULT_MAX);
		if ((rc = pcrm__text_check("result", json_string_value(v), json_string_length(v),
		                           PCRM__TEXT_LINES)) != PCRM_OK)
			return rc;
		in->result = json_string_value(v);
	}
	return PCRM_OK;
}

int pcrm__survey_answer_doc_check(const char *json)
{
	struct answer_input in;
	json_t *doc;
	int rc;

	if ((rc = pcrm__json_parse("json", json, &doc)) != PCRM_OK)
		return rc;
	rc = parse_answer(doc, &in);
	json_decref(doc);
	return rc;
}

struct survey_message {
	char *org_unit, *status, *work_order_id, *kind, *channel;
};

static void survey_message_clear(struct survey_message *m)
{
	free(m->org_unit);
	free(m->status);
	free(m->work_order_id);
	free(m->kind);
	free(m->channel);
}

static char *col(pcrm_rows *rows, int c, int *oom)
{
	char *s;
	if (pcrm__rows_is_null(rows, c))
		return NULL;
	if (!(s = strdup(pcrm__rows_text(rows, c))))
		*oom = 1;
	return s;
}

/* The message and the actor's right to it; a missing one and a refused one read alike. */
static int load_message(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                        struct survey_message *m)
{
	static const char sql[] =
		"SELECT m.org_unit, m.status, m.work_order_id, k.kind, m.channel "
		"FROM outbound_message m LEFT JOIN outbound_campaign k ON k.id = m.campaign_id "
		"WHERE m.id = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(id) };
	pcrm_rows *rows = NULL;
	int rc, found = 0, oom = 0;

	memset(m, 0, sizeof(*m));
	rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		found = 1;
		m->org_unit = col(rows, 0, &oom);
		m->status = col(rows, 1, &oom);
		m->work_order_id = col(rows, 2, &oom);
		m->kind = col(rows, 3, &oom);
		m->channel = col(rows, 4, &oom);
		rc = oom ? pcrm__error_oom() : PCRM_OK;
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_CONTACT_WRITE, "outbound_message", id,
	                           found ? PCRM_OK : PCRM_ENOTFOUND, m->org_unit);
	if (rc != PCRM_OK)
		return rc;
	if (!m->kind || strcmp(m->kind, "return_visit_survey") != 0 || !m->work_order_id)
		return pcrm__error(PCRM_EINVAL, "message_id: message %.80s is not a return-visit "
		                                "survey", id);
	/* answered once, and only what a customer could have received */
	if (strcmp(m->status, "sent") != 0 && strcmp(m->status, "delivered") != 0)
		return pcrm__error(PCRM_ESTATE, "message_id: message %.80s is %s; a survey is "
		                                "answered once, after it was sent",
		                   id, m->status);
	return PCRM_OK;
}

struct answer {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	const char *message_id;
	const struct survey_message *m;
	const char *satisfaction, *result;
};

/* The complaint serial a ticket's work order names in its data, copied into `serial`. */
static int ticket_of(const pcrm_workorder *wo, char *serial, size_t size)
{
	json_t *data = json_loads(pcrm_workorder_data(wo), 0, NULL);
	const char *s = json_string_value(json_object_get(data, "complaint_serial"));
	serial[0] = '\0';
	if (s)
		snprintf(serial, size, "%s", s);
	json_decref(data);
	return PCRM_OK;
}

static int answer_body(void *arg)
{
	const struct answer *a = arg;
	pcrm_workorder *wo = NULL;
	char serial[64] = "", note[160];
	json_t *visit = NULL, *summary = NULL;
	char *text = NULL;
	int rc;

	rc = pcrm_workorder_get(a->ctx, a->actor, a->m->work_order_id, &wo);
	if (rc == PCRM_OK)
		rc = ticket_of(wo, serial, sizeof(serial));
	if (rc == PCRM_OK) {
		visit = serial[0] ?
		        json_pack("{s:s, s:s}", "result", a->result, "satisfaction", a->satisfaction) :
		        json_pack("{s:s, s:s}", "visit_result", a->result, "satisfaction",
		                  a->satisfaction);
		text = visit ? json_dumps(visit, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		rc = text ? PCRM_OK : pcrm__error_oom();
	}
	if (rc == PCRM_OK && serial[0]) {
		rc = pcrm_complaint_return_visit(a->ctx, a->actor, serial, text, NULL);
	} else if (rc == PCRM_OK) {
		snprintf(note, sizeof(note), "return-visit survey, outbound message %.100s",
		         a->message_id);
		rc = pcrm_workorder_fire(a->ctx, a->actor, a->m->work_order_id,
		                         pcrm_workorder_version(wo), "visit", text, note, NULL);
	}
	if (rc == PCRM_OK)
		rc = pcrm_outbound_receipt(a->ctx, a->actor, a->message_id, PCRM_OUTBOUND_ANSWERED);
	if (rc == PCRM_OK) {
		summary = json_pack("{s:s, s:s, s:s*}", "work_order_id", a->m->work_order_id,
		                    "satisfaction", a->satisfaction, "complaint_serial",
		                    serial[0] ? serial : NULL);
		rc = summary ? pcrm__audit_append_in_tx(a->ctx, a->actor, "outbound.survey_answer",
		                                        "outbound_message", a->message_id, summary) :
		               pcrm__error_oom();
	}
	json_decref(summary);
	json_decref(visit);
	free(text);
	pcrm_workorder_free(wo);
	return rc;
}

int pcrm_campaign_survey_answer(pcrm_ctx *ctx, const pcrm_actor *actor, const char *message_id,
                                const char *json)
{
	struct survey_message m;
	struct answer_input in;
	struct answer a;
	char fallback[64];
	json_t *doc;
	int rc;

	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if ((rc = pcrm__json_parse("json", json, &doc)) != PCRM_OK)
		return rc;
	memset(&m, 0, sizeof(m));
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK && !message_id)
		rc = pcrm__error(PCRM_EINVAL, "message_id: is NULL");
	if (rc == PCRM_OK)
		rc = parse_answer(doc, &in);
	if (rc == PCRM_OK)
		rc = load_message(ctx, actor, message_id, &m);
	if (rc == PCRM_OK) {
		/* a reply that is only a key press ("1") still needs the visit's result text */
		snprintf(fallback, sizeof(fallback), "survey reply by %s",
		         m.channel ? m.channel : "outbound message");
		memset(&a, 0, sizeof(a));
		a.ctx = ctx;
		a.actor = actor;
		a.message_id = message_id;
		a.m = &m;
		a.satisfaction = in.satisfaction;
		a.result = in.result ? in.result : fallback;
		rc = pcrm__store_transaction(ctx->store, answer_body, &a);
	}
	survey_message_clear(&m);
	json_decref(doc);
	return rc;
}
