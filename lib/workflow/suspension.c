/*
 * SLA pause discipline (挂起): a suspension stops every clock of a work
 * order, so it must say why, may need a supervisor's approval, and should
 * end by itself.  A definition lists the reasons it accepts:
 *
 *   "suspension": {"reasons": [
 *     {"code": "customer_request", "approval_level": 2, "max": {"days": 30}},
 *     {"code": "force_majeure", "max": {"working_days": 5}},
 *     {"code": "awaiting_materials", "approval_level": 3}]}
 *
 * With such a list every suspension names one of its codes
 * (pcrm_workorder_suspend_request(); the reason-less pcrm_workorder_suspend()
 * is refused).  A reason with an approval level is only requested: the
 * clocks keep running until a supervisor of at least that level approves
 * (pcrm_workorder_suspend_decide()); a rejection (with its reason) leaves
 * the work order as it was.  The suspension resumes by itself at the
 * requested resume time, or, without one, when the reason's "max" has passed
 * since it began; pcrm_workorder_tick() resumes it, restarting the clocks
 * from that instant.  A suspension with neither runs until somebody resumes
 * it: pcrm_workorder_suspended_unlimited() lists those for supervision.
 *
 * The current suspension (requested or active) is one row of
 * work_order_suspension (migration 18); its history is the work order's:
 * "suspend_request", "suspend_reject", "suspend" and "resume" entries, the
 * reason code as their event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/strbuf.h"
#include "core/uuid.h"
#include "org/org_internal.h"
#include "workorder_internal.h"

#define MAX_REASONS 64
#define RESUME_BATCH 100

/* ---- the definition ---- */

static int is_code(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > PCRM__WF_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* "max": exactly one of hours, days, working_days. */
static int parse_max(const json_t *v, const char *path, struct pcrm__wf_limit *l)
{
	static const char *const units[] = { "hours", "days", "working_days" };
	static const enum pcrm__wf_unit codes[] = { PCRM__WF_HOURS, PCRM__WF_DAYS,
		                                    PCRM__WF_WORKING_DAYS };
	static const int64_t most[] = { 3660 * 24, 3660, 3660 };
	const char *key;
	json_t *x;
	int found = 0;

	memset(l, 0, sizeof(*l));
	if (!v)
		return PCRM_OK;
	if (!json_is_object(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be an object", path);
	json_object_foreach((json_t *)v, key, x) {
		size_t u;
		for (u = 0; u < 3 && strcmp(key, units[u]) != 0; u++)
			;
		if (u == 3) {
			char q[PCRM_QUOTE_SIZE];
			pcrm__quote(key, strlen(key), q, sizeof(q));
			return pcrm__error(PCRM_EINVAL, "%s: unknown field \"%s\"", path, q);
		}
		if (!json_is_integer(x) || json_integer_value(x) < 1 ||
		    json_integer_value(x) > most[u])
			return pcrm__error(PCRM_EINVAL, "%s.%s: must be an integer 1..%lld", path, key,
			                   (long long)most[u]);
		l->amount = json_integer_value(x);
		l->unit = codes[u];
		found++;
	}
	if (found != 1)
		return pcrm__error(PCRM_EINVAL, "%s: needs exactly one of hours, days, working_days",
		                   path);
	l->set = 1;
	return PCRM_OK;
}

static int parse_reason(const json_t *v, size_t i, struct pcrm__wf_suspend_reason *r)
{
	static const char *const keys[] = { "code", "title", "approval_level", "max" };
	char path[64], sub[96];
	const json_t *code, *level, *title;
	const char *key;
	json_t *x;

	snprintf(path, sizeof(path), "suspension.reasons[%zu]", i);
	if (!json_is_object(v))
		return pcrm__error(PCRM_EINVAL, "%s: must be an object", path);
	json_object_foreach((json_t *)v, key, x) {
		size_t k;
		for (k = 0; k < 4 && strcmp(key, keys[k]) != 0; k++)
			;
		if (k == 4) {
			char q[PCRM_QUOTE_SIZE];
			pcrm__quote(key, strlen(key), q, sizeof(q));
			return pcrm__error(PCRM_EINVAL, "%s: unknown field \"%s\"", path, q);
		}
	}
	code = json_object_get(v, "code");
	if (!json_is_string(code) || !is_code(json_string_value(code)) ||
	    strlen(json_string_value(code)) != json_string_length(code))
		return pcrm__error(PCRM_EINVAL, "%s.code: must be 1..%d of a-z, 0-9 and '_'", path,
		                   PCRM__WF_NAME_MAX);
	r->code = json_string_value(code);
	title = json_object_get(v, "title");
	if (title && !json_is_string(title))
		return pcrm__error(PCRM_EINVAL, "%s.title: must be a string", path);
	level = json_object_get(v, "approval_level");
	if (level && (!json_is_integer(level) || json_integer_value(level) < PCRM_LEVEL_MIN ||
	              json_integer_value(level) > PCRM_LEVEL_MAX))
		return pcrm__error(PCRM_EINVAL, "%s.approval_level: must be an integer %d..%d", path,
		                   PCRM_LEVEL_MIN, PCRM_LEVEL_MAX);
	r->approval_level = level ? (int)json_integer_value(level) : 0;
	snprintf(sub, sizeof(sub), "%s.max", path);
	return parse_max(json_object_get(v, "max"), sub, &r->max);
}

int pcrm__workflow_parse_suspension(pcrm_workflow *wf)
{
	const json_t *v = json_object_get(wf->doc, "suspension"), *reasons;
	const char *key;
	json_t *x;
	int rc = PCRM_OK;

	if (!v)
		return PCRM_OK;
	if (!json_is_object(v))
		return pcrm__error(PCRM_EINVAL, "suspension: must be an object");
	json_object_foreach((json_t *)v, key, x) {
		if (strcmp(key, "reasons") != 0) {
			char q[PCRM_QUOTE_SIZE];
			pcrm__quote(key, strlen(key), q, sizeof(q));
			return pcrm__error(PCRM_EINVAL, "suspension: unknown field \"%s\"", q);
		}
	}
	reasons = json_object_get(v, "reasons");
	if (!json_is_array(reasons) || json_array_size(reasons) == 0 ||
	    json_array_size(reasons) > MAX_REASONS)
		return pcrm__error(PCRM_EINVAL, "suspension.reasons: must be an array of 1..%d reasons",
		                   MAX_REASONS);
	wf->suspend_reasons = calloc(json_array_size(reasons), sizeof(*wf->suspend_reasons));
	if (!wf->suspend_reasons)
		return pcrm__error_oom();
	for (size_t i = 0; i < json_array_size(reasons) && rc == PCRM_OK; i++) {
		rc = parse_reason(json_array_get(reasons, i), i, &wf->suspend_reasons[i]);
		for (size_t j = 0; j < i && rc == PCRM_OK; j++)
			if (strcmp(wf->suspend_reasons[j].code, wf->suspend_reasons[i].code) == 0)
				rc = pcrm__error(PCRM_EINVAL,
				                 "suspension.reasons[%zu].code: \"%s\" is already "
				                 "reasons[%zu]",
				                 i, wf->suspend_reasons[i].code, j);
		if (rc == PCRM_OK)
			wf->nsuspend_reasons++;
	}
	return rc;
}

const struct pcrm__wf_suspend_reason *pcrm__workflow_suspend_reason(const pcrm_workflow *wf,
                                                                   const char *code)
{
	for (size_t i = 0; i < wf->nsuspend_reasons; i++)
		if (strcmp(wf->suspend_reasons[i].code, code) == 0)
			return &wf->suspend_reasons[i];
	return NULL;
}

/* ---- the suspension row ---- */

struct suspension {
	int found;
	char status[16];
	char reason[PCRM__WF_NAME_MAX + 1];
	char requested_by[72];
	pcrm_time requested_at, resume_at; /* resume_at 0: none */
};

static int read_suspension(pcrm_ctx *ctx, const char *id, struct suspension *s)
{
	static const char sql[] = "SELECT status, reason, requested_by, requested_at, resume_at "
	                          "FROM work_order_suspension WHERE work_order_id = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(id) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);

	memset(s, 0, sizeof(*s));
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1) {
		s->found = 1;
		snprintf(s->status, sizeof(s->status), "%s", pcrm__rows_text(rows, 0));
		snprintf(s->reason, sizeof(s->reason), "%s", pcrm__rows_text(rows, 1));
		snprintf(s->requested_by, sizeof(s->requested_by), "%s", pcrm__rows_text(rows, 2));
		s->requested_at = pcrm__rows_int(rows, 3);
		s->resume_at = pcrm__rows_is_null(rows, 4) ? 0 : pcrm__rows_int(rows, 4);
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

int pcrm__wo_suspension_end(struct pcrm__wo_op *op)
{
	static const char sql[] = "DELETE FROM work_order_suspension WHERE work_order_id = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(op->id) };
	return pcrm__store_exec(op->ctx->store, sql, p, 1, NULL);
}

int pcrm__wo_suspension_required(const struct pcrm__wo_op *op)
{
	if (!op->wf->suspend_reasons)
		return PCRM_OK;
	return pcrm__error(PCRM_EINVAL,
	                   "reason: workflow %s suspends only for a reason code of its definition: "
	                   "use pcrm_workorder_suspend_request()",
	                   op->wf->name);
}

/* ---- requesting, deciding ---- */

/* The listed codes, for a message. */
static int reason_list(const pcrm_workflow *wf, struct pcrm__strbuf *b)
{
	for (size_t i = 0; i < wf->nsuspend_reasons; i++)
		pcrm__strbuf_add(b, "%s%s", i ? ", " : "", wf->suspend_reasons[i].code);
	return b->failed ? pcrm__error_oom() : PCRM_OK;
}

static int find_reason(const struct pcrm__wo_op *op, const char *code,
                       const struct pcrm__wf_suspend_reason **out)
{
	struct pcrm__strbuf b = { NULL, 0, 0, 0 };
	char q[PCRM_QUOTE_SIZE];
	int rc;

	*out = NULL;
	if (!op->wf->suspend_reasons)
		return pcrm__error(PCRM_EINVAL,
		                   "reason: workflow %s lists no suspension reasons: use "
		                   "pcrm_workorder_suspend()",
		                   op->wf->name);
	*out = pcrm__workflow_suspend_reason(op->wf, code);
	if (*out)
		return PCRM_OK;
	rc = reason_list(op->wf, &b);
	pcrm__quote(code, strlen(code), q, sizeof(q));
	if (rc == PCRM_OK)
		rc = pcrm__error(PCRM_EINVAL, "reason: \"%s\" is not one of %s", q, b.p);
	free(b.p);
	return rc;
}

/* When a suspension beginning now for `r` ends: the requested time, else its "max", else 0. */
static int resume_time(const struct pcrm__wo_op *op, const struct pcrm__wf_suspend_reason *r,
                       pcrm_time requested, pcrm_time *out)
{
	pcrm_time longest = 0, warn;
	char when[32];
	int rc = PCRM_OK;

	*out = requested;
	if (r->max.set)
		rc = pcrm__workflow_limit_due(op->wf, &r->max, op->now, &longest, &warn);
	if (rc != PCRM_OK)
		return rc;
	if (requested && requested <= op->now)
		return pcrm__error(PCRM_EINVAL, "resume_at: not after now");
	if (requested && longest && requested > longest) {
		pcrm_time_format(longest, op->ctx->utc_offset, when, sizeof(when));
		return pcrm__error(PCRM_EINVAL,
		                   "resume_at: after the longest suspension for reason %s (until %s)",
		                   r->code, when);
	}
	if (!requested)
		*out = longest;
	return PCRM_OK;
}

static int insert_row(struct pcrm__wo_op *op, const char *status, const char *reason,
                      pcrm_time resume_at)
{
	static const char sql[] =
		"INSERT INTO work_order_suspension (work_order_id, status, reason, requested_by, "
		"requested_at, resume_at, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
	int active = strcmp(status, "active") == 0;
	pcrm_sql_value p[8] = { PCRM_SQL_S(op->id),
		                PCRM_SQL_S(status),
		                PCRM_SQL_S(reason),
		                PCRM_SQL_S(op->actor->operator_id),
		                PCRM_SQL_I(op->now),
		                resume_at ? PCRM_SQL_I(resume_at) : PCRM_SQL_NUL,
		                active ? PCRM_SQL_S(op->actor->operator_id) : PCRM_SQL_NUL,
		                active ? PCRM_SQL_I(op->now) : PCRM_SQL_NUL };
	return pcrm__store_exec(op->ctx->store, sql, p, 8, NULL);
}

/* Suspends now: the clocks stop; the row says why and until when. */
static int activate(struct pcrm__wo_op *op, const struct pcrm__wf_suspend_reason *r,
                    pcrm_time requested_resume, const struct suspension *pending)
{
	pcrm_time resume_at = 0;
	int rc = resume_time(op, r, requested_resume, &resume_at);
	if (rc != PCRM_OK)
		return rc;
	pcrm__wo_set_int(op, "suspended", 1);
	rc = pcrm__wo_sync_timers(op);
	if (rc == PCRM_OK && !pending)
		rc = insert_row(op, "active", r->code, resume_at);
	if (rc == PCRM_OK && pending) {
		static const char sql[] =
			"UPDATE work_order_suspension SET status = 'active', resume_at = $2, "
			"decided_by = $3, decided_at = $4 WHERE work_order_id = $1";
		pcrm_sql_value p[4] = { PCRM_SQL_S(op->id),
			                resume_at ? PCRM_SQL_I(resume_at) : PCRM_SQL_NUL,
			                PCRM_SQL_S(op->actor->operator_id), PCRM_SQL_I(op->now) };
		rc = pcrm__store_exec(op->ctx->store, sql, p, 4, NULL);
	}
	return rc;
}

static int check_common(struct pcrm__wo_op *op, int expected_version)
{
	const char *status = pcrm__wo_str(op->wo, "status");
	if (pcrm__wo_int(op->wo, "version") != expected_version)
		return pcrm__error(PCRM_ECONFLICT,
		                   "work order %s is at version %lld, not %d: read it again", op->id,
		                   (long long)pcrm__wo_int(op->wo, "version"), expected_version);
	if (strcmp(status, "open") != 0)
		return pcrm__error(PCRM_ESTATE, "work order %s is %s", op->id, status);
	return PCRM_OK;
}

static int check_code_text(const char *reason)
{
	if (!reason)
		return pcrm__error(PCRM_EINVAL, "reason: missing (a suspension needs a reason code)");
	if (!is_code(reason))
		return pcrm__error(PCRM_EINVAL, "reason: must be 1..%d of a-z, 0-9 and '_'",
		                   PCRM__WF_NAME_MAX);
	return PCRM_OK;
}

int pcrm_workorder_suspend_request(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                   int expected_version, const char *reason,
                                   pcrm_time resume_at, const char *note, pcrm_workorder **out)
{
	struct pcrm__wo_op op;
	struct pcrm__wo_entry e = { "suspend", NULL, NULL, NULL, note, 1, NULL };
	const struct pcrm__wf_suspend_reason *r = NULL;
	struct suspension s;
	pcrm_time dummy = 0;
	int rc;

	if (out)
		*out = NULL;
	rc = check_code_text(reason);
	if (rc == PCRM_OK)
		rc = pcrm__wo_check_note("note", note);
	if (rc == PCRM_OK && resume_at < 0)
		rc = pcrm__error(PCRM_EINVAL, "resume_at: negative (0 = none)");
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__wo_begin_change(&op, ctx, actor, id, PCRM_PERM_WORKORDER_HANDLE);
	if (rc != PCRM_OK)
		return rc;
	rc = check_common(&op, expected_version);
	if (rc == PCRM_OK)
		rc = find_reason(&op, reason, &r);
	if (rc == PCRM_OK && pcrm__wo_int(op.wo, "suspended"))
		rc = pcrm__error(PCRM_ESTATE, "work order %s is already suspended", op.id);
	if (rc == PCRM_OK)
		rc = read_suspension(ctx, op.id, &s);
	if (rc == PCRM_OK && s.found)
		rc = pcrm__error(PCRM_ESTATE,
		                 "work order %s has a suspension request pending (reason %s): "
		                 "decide it first",
		                 op.id, s.reason);
	/* checked now, so a request that could never be approved is refused at once */
	if (rc == PCRM_OK)
		rc = resume_time(&op, r, resume_at, &dummy);
	/* applied at once, it is a supervisor's action like pcrm_workorder_suspend() */
	if (rc == PCRM_OK && !r->approval_level)
		rc = pcrm_authorize(ctx, actor, PCRM_PERM_WORKORDER_SUPERVISE,
		                    pcrm__wo_str(op.wo, "org_unit"));
	if (rc != PCRM_OK)
		return pcrm__wo_refuse(&op, rc);
	e.event = r->code;
	if (r->approval_level) {
		e.kind = "suspend_request";
		rc = insert_row(&op, "requested", r->code, resume_at);
	} else {
		rc = activate(&op, r, resume_at, NULL);
	}
	return pcrm__wo_finish_change(&op, rc, &e, out);
}

int pcrm_workorder_suspend_decide(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                  int expected_version, int approve, const char *note,
                                  pcrm_workorder **out)
{
	struct pcrm__wo_op op;
	struct pcrm__wo_entry e = { "suspend", NULL, NULL, NULL, note, 1, NULL };
	const struct pcrm__wf_suspend_reason *r = NULL;
	struct suspension s;
	char why[200];
	int rc;

	if (out)
		*out = NULL;
	rc = pcrm__wo_check_note("note", note);
	if (rc == PCRM_OK && !approve && !note)
		rc = pcrm__error(PCRM_EINVAL, "note: a rejection needs its reason");
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__wo_begin_change(&op, ctx, actor, id, PCRM_PERM_WORKORDER_SUPERVISE);
	if (rc != PCRM_OK)
		return rc;
	rc = check_common(&op, expected_version);
	if (rc == PCRM_OK)
		rc = read_suspension(ctx, op.id, &s);
	if (rc == PCRM_OK && (!s.found || strcmp(s.status, "requested") != 0))
		rc = pcrm__error(PCRM_ESTATE, "work order %s has no suspension request pending",
		                 op.id);
	if (rc == PCRM_OK) {
		r = pcrm__workflow_suspend_reason(op.wf, s.reason);
		if (!r)
			rc = pcrm__error(PCRM_EINTEGRITY, "work order %s: suspension reason %s is not "
			                                  "in its definition",
			                 op.id, s.reason);
	}
	if (rc == PCRM_OK && actor->level < r->approval_level) {
		snprintf(why, sizeof(why), "suspension for %s: needs level %d to decide, %s has %d",
		         r->code, r->approval_level, actor->operator_id, actor->level);
		rc = pcrm__audit_deny(ctx, actor, PCRM_PERM_WORKORDER_SUPERVISE, "work_order", op.id,
		                      why);
	}
	if (rc != PCRM_OK)
		return pcrm__wo_refuse(&op, rc);
	e.event = r->code;
	if (approve) {
		rc = activate(&op, r, s.resume_at, &s);
	} else {
		e.kind = "suspend_reject";
		rc = pcrm__wo_suspension_end(&op);
	}
	return pcrm__wo_finish_change(&op, rc, &e, out);
}

int pcrm_workorder_suspension_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                  char **out)
{
	static const char sql[] = "SELECT s.status, s.reason, s.requested_by, s.requested_at, "
	                          "s.resume_at, s.decided_by, s.decided_at, w.org_unit "
	                          "FROM work_order w LEFT JOIN work_order_suspension s "
	                          "ON s.work_order_id = w.id WHERE w.id = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(id) };
	pcrm_rows *rows = NULL;
	json_t *obj = NULL;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK && (!id || !pcrm__uuid_is_valid(id)))
		rc = pcrm__error(PCRM_EINVAL, "id: not a work-order id (a lowercase UUID)");
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	/* an id nobody has is refused like a work order of another unit (no oracle) */
	if (rc == 0)
		rc = pcrm__authorize_object(ctx, actor, PCRM_PERM_ARCHIVE_READ, "work order", id, NULL);
	else if (rc == 1)
		rc = pcrm__authorize_object(ctx, actor, PCRM_PERM_ARCHIVE_READ, "work order", id,
		                            pcrm__rows_text(rows, 7));
	if (rc == PCRM_OK && pcrm__rows_is_null(rows, 0))
		rc = pcrm__error(PCRM_ENOTFOUND, "work order %s has no suspension", id);
	if (rc == PCRM_OK) {
		obj = json_pack("{s:s, s:s, s:s, s:I}", "status", pcrm__rows_text(rows, 0), "reason",
		                pcrm__rows_text(rows, 1), "requested_by", pcrm__rows_text(rows, 2),
		                "requested_at", (json_int_t)pcrm__rows_int(rows, 3));
		if (obj)
			json_object_set_new(obj, "resume_at",
			                    pcrm__rows_is_null(rows, 4) ?
			                            json_null() :
			                            json_integer(pcrm__rows_int(rows, 4)));
		if (obj && !pcrm__rows_is_null(rows, 5)) {
			json_object_set_new(obj, "decided_by", json_string(pcrm__rows_text(rows, 5)));
			json_object_set_new(obj, "decided_at", json_integer(pcrm__rows_int(rows, 6)));
		}
		*out = obj ? json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		if (!*out)
			rc = pcrm__error_oom();
	}
	json_decref(obj);
	pcrm__rows_free(rows);
	return rc;
}

/* ---- the automatic resumption (tick) ---- */

/* Resumes one due suspension in its own transaction; *done when it did. */
static int resume_one(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id, pcrm_time now,
                      int *done)
{
	static const char claim[] = "DELETE FROM work_order_suspension WHERE work_order_id = $1 AND "
	                            "status = 'active' AND resume_at <= $2 RETURNING resume_at, "
	                            "reason";
	pcrm_sql_value p[2] = { PCRM_SQL_S(id), PCRM_SQL_I(now) };
	struct pcrm__wo_op op;
	char note[160] = "", reason[PCRM__WF_NAME_MAX + 1] = "";
	struct pcrm__wo_entry e = { "resume", NULL, NULL, NULL, note, 1, NULL };
	pcrm_time at = 0;
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_begin(ctx->store), claimed = 0;

	*done = 0;
	memset(&op, 0, sizeof(op));
	if (rc != PCRM_OK)
		return rc;
	/* the DELETE claims it: a second ticker finds nothing to delete */
	rc = pcrm__store_query(ctx->store, claim, p, 2, &rows);
	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		claimed = 1;
		at = pcrm__rows_int(rows, 0);
		snprintf(reason, sizeof(reason), "%s", pcrm__rows_text(rows, 1));
		rc = PCRM_OK;
	}
	pcrm__rows_free(rows);
	/* the clocks restart at the suspension's end, not when tick came round */
	if (rc == PCRM_OK && claimed)
		rc = pcrm__wo_op_load(&op, ctx, actor, id, at);
	if (rc == PCRM_OK && claimed && strcmp(pcrm__wo_str(op.wo, "status"), "open") == 0 &&
	    pcrm__wo_int(op.wo, "suspended")) {
		snprintf(note, sizeof(note), "automatic: the suspension for %s ended", reason);
		e.event = reason;
		pcrm__wo_set_int(&op, "suspended", 0);
		rc = pcrm__wo_sync_timers(&op);
		if (rc == PCRM_OK)
			rc = pcrm__wo_commit(&op, &e);
		*done = rc == PCRM_OK;
	}
	pcrm__wo_op_clear(&op);
	rc = pcrm__store_finish(ctx->store, rc < 0 ? rc : PCRM_OK);
	if (rc == PCRM_ECONFLICT || rc == PCRM_ERETRY) {
		pcrm_error_clear(); /* changed meanwhile: the next tick takes it */
		*done = 0;
		return PCRM_OK;
	}
	if (rc != PCRM_OK)
		*done = 0;
	return rc;
}

int pcrm__wo_resume_due(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_time now, int *resumed)
{
	static const char sql[] = "SELECT work_order_id FROM work_order_suspension WHERE "
	                          "status = 'active' AND resume_at <= $1 "
	                          "ORDER BY resume_at, work_order_id LIMIT $2";
	pcrm_sql_value p[2] = { PCRM_SQL_I(now), PCRM_SQL_I(RESUME_BATCH) };
	int rc = PCRM_OK;

	*resumed = 0;
	for (;;) {
		char ids[RESUME_BATCH][PCRM_WORKORDER_ID_LEN + 1];
		int n = 0, progress = 0;
		pcrm_rows *rows;
		rc = pcrm__store_query(ctx->store, sql, p, 2, &rows);
		if (rc != PCRM_OK)
			break;
		while (n < RESUME_BATCH && (rc = pcrm__rows_next(rows)) == 1)
			snprintf(ids[n++], sizeof(ids[0]), "%s", pcrm__rows_text(rows, 0));
		pcrm__rows_free(rows);
		if (rc < 0)
			break;
		rc = PCRM_OK;
		for (int i = 0; i < n && rc == PCRM_OK; i++) {
			int done = 0;
			rc = resume_one(ctx, actor, ids[i], now, &done);
			*resumed += done;
			progress += done;
		}
		/* a short batch was the last; a batch without progress is left to the next tick */
		if (rc != PCRM_OK || n < RESUME_BATCH || progress == 0)
			break;
	}
	return rc;
}
