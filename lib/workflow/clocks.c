/*
 * Named clocks and escalation levels (docs/workflow-format.md "Named
 * clocks", "Escalation levels").
 *
 * A named clock measures one commitment (first contact, arrival from the
 * customer's call) independently of the states' limits: it starts at the
 * work order's opening, on entering a state or on an event, and stops on
 * entering a state or on an event.  It runs once: entering its start state
 * again (a re-dispatch) neither restarts nor reopens it.  Its running
 * timers are rows of work_order_timer (scope 'clock', named in `clock`), so
 * its warning, levels and expiry fire exactly once through tick and survive
 * a restart; its record is the work order's "clocks" object:
 *
 *   {"arrival": {"start": t, "due": t}}                      running
 *   {"arrival": {"start": t, "remaining": s}}                suspended
 *   {"arrival": {"start": t, "due": t, "stop": t, "elapsed_seconds": n,
 *                "result": "met", "early_seconds": n}}       stopped
 *
 * so each change is a history delta like every other column, and a replay
 * rebuilds it.  early / late seconds are in the limit's unit's time:
 * working seconds for working units.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "workorder_internal.h"

static const char *sla_class(const struct pcrm__wo_op *op)
{
	return pcrm__wo_str(op->wo, "sla_class");
}

struct pcrm__wf_limit pcrm__wo_limit(const struct pcrm__wo_op *op,
                                     const struct pcrm__wf_limit *limit)
{
	return pcrm__workflow_limit_for(limit, sla_class(op));
}

static int insert_timer(struct pcrm__wo_op *op, const char *scope, const char *kind, int working,
                        pcrm_time due, const char *clock, int level)
{
	static const char sql[] =
		"INSERT INTO work_order_timer (work_order_id, scope, kind, working, due_at, done, "
		"clock, level) VALUES ($1, $2, $3, $4, $5, 0, $6, $7)";
	pcrm_sql_value p[7] = { PCRM_SQL_S(op->id), PCRM_SQL_S(scope), PCRM_SQL_S(kind),
		                PCRM_SQL_I(working), PCRM_SQL_I(due), PCRM_SQL_S(clock),
		                level >= 0 ? PCRM_SQL_I(level) : PCRM_SQL_NUL };
	return pcrm__store_exec_later(op->ctx->store, sql, p, 7, -1, 0, NULL);
}

int pcrm__wo_drop_levels(struct pcrm__wo_op *op, const char *scope)
{
	static const char sql[] = "DELETE FROM work_order_timer WHERE work_order_id = $1 AND "
	                          "done = 0 AND scope = $2 AND kind = 'level'";
	pcrm_sql_value p[2] = { PCRM_SQL_S(op->id), PCRM_SQL_S(scope) };
	return pcrm__store_exec_later(op->ctx->store, sql, p, 2, -1, 0, NULL);
}

int pcrm__wo_schedule_levels(struct pcrm__wo_op *op, const char *scope, const char *clock,
                             const struct pcrm__wf_limit *limit, pcrm_time start, pcrm_time due)
{
	int working = pcrm__workflow_unit_is_working(limit->unit), rc = PCRM_OK;
	for (int i = 0; i < limit->nlevels && rc == PCRM_OK; i++) {
		pcrm_time at;
		rc = pcrm__workflow_limit_share(op->wf, limit->unit, start, due,
		                                limit->levels[i].percent, &at);
		if (rc == PCRM_OK)
			rc = insert_timer(op, scope, "level", working, at, clock, i);
	}
	return rc;
}

/* A copy of the work order's clocks object (a new empty one when it has none). */
static json_t *clocks_copy(const struct pcrm__wo_op *op)
{
	json_t *c = json_object_get(op->wo, "clocks");
	return c ? json_deep_copy(c) : json_object();
}

static int start_clock(struct pcrm__wo_op *op, json_t *clocks, const struct pcrm__wf_clock *c)
{
	struct pcrm__wf_limit l = pcrm__wo_limit(op, &c->limit);
	json_t *rec;
	pcrm_time due = 0, warn = 0;
	int rc = PCRM_OK;

	if (json_object_get(clocks, c->name))
		return PCRM_OK; /* a clock runs once */
	if (l.set) {
		int working = pcrm__workflow_unit_is_working(l.unit);
		rc = pcrm__workflow_limit_due(op->wf, &l, op->now, &due, &warn);
		if (rc == PCRM_OK)
			rc = insert_timer(op, "clock", "due", working, due, c->name, -1);
		if (rc == PCRM_OK && warn)
			rc = insert_timer(op, "clock", "warn", working, warn, c->name, -1);
		if (rc == PCRM_OK)
			rc = pcrm__wo_schedule_levels(op, "clock", c->name, &l, op->now, due);
	}
	if (rc != PCRM_OK)
		return rc;
	rec = due ? json_pack("{sIsI}", "start", (json_int_t)op->now, "due", (json_int_t)due) :
	            json_pack("{sI}", "start", (json_int_t)op->now);
	if (!rec || json_object_set_new(clocks, c->name, rec) != 0)
		return pcrm__error_oom();
	return PCRM_OK;
}

/* Seconds from a to b (a <= b) in the unit's time. */
static int span(const struct pcrm__wo_op *op, int working, pcrm_time a, pcrm_time b, int64_t *out)
{
	if (working)
		return pcrm_calendar_working_seconds_between(op->wf->calendar, a, b, out);
	*out = b - a;
	return PCRM_OK;
}

static int stop_clock(struct pcrm__wo_op *op, json_t *clocks, const struct pcrm__wf_clock *c)
{
	static const char drop[] = "DELETE FROM work_order_timer WHERE work_order_id = $1 AND "
	                           "done = 0 AND scope = 'clock' AND clock = $2";
	struct pcrm__wf_limit l = pcrm__wo_limit(op, &c->limit);
	json_t *rec = json_object_get(clocks, c->name), *due, *left;
	pcrm_sql_value p[2] = { PCRM_SQL_S(op->id), PCRM_SQL_S(c->name) };
	int working = pcrm__workflow_unit_is_working(l.unit), rc = PCRM_OK;
	int64_t amount = 0;
	const char *result = NULL;

	if (!rec || json_object_get(rec, "stop"))
		return PCRM_OK; /* never started, or stopped already */
	due = json_object_get(rec, "due");
	left = json_object_get(rec, "remaining");
	if (left) { /* suspended before its due time: met, with what was left */
		result = "met";
		amount = json_integer_value(left);
	} else if (due && op->now <= json_integer_value(due)) {
		result = "met";
		rc = span(op, working, op->now, json_integer_value(due), &amount);
	} else if (due) {
		result = "missed";
		rc = span(op, working, json_integer_value(due), op->now, &amount);
	}
	if (rc == PCRM_OK)
		rc = pcrm__store_exec_later(op->ctx->store, drop, p, 2, -1, 0, NULL);
	if (rc != PCRM_OK)
		return rc;
	if (json_object_set_new(rec, "stop", json_integer(op->now)) != 0 ||
	    json_object_set_new(rec, "elapsed_seconds",
	                        json_integer(op->now - json_integer_value(
	                                                       json_object_get(rec, "start")))) != 0)
		return pcrm__error_oom();
	json_object_del(rec, "remaining");
	if (result &&
	    (json_object_set_new(rec, "result", json_string(result)) != 0 ||
	     json_object_set_new(rec, strcmp(result, "met") == 0 ? "early_seconds" : "late_seconds",
	                         json_integer(amount)) != 0))
		return pcrm__error_oom();
	return PCRM_OK;
}

static int matches(enum pcrm__wf_point kind, const char *name, enum pcrm__wf_point at,
                   const char *what)
{
	return kind == at && (at == PCRM__WF_AT_OPEN || strcmp(name, what) == 0);
}

int pcrm__wo_clocks_at(struct pcrm__wo_op *op, enum pcrm__wf_point at, const char *what)
{
	json_t *clocks;
	int rc = PCRM_OK, touched = 0;

	for (size_t i = 0; i < op->wf->nclocks; i++) {
		const struct pcrm__wf_clock *c = &op->wf->clocks[i];
		touched |= matches(c->start, c->start_name, at, what) ||
		           matches(c->stop, c->stop_name, at, what);
	}
	if (!touched)
		return PCRM_OK;
	clocks = clocks_copy(op);
	if (!clocks)
		return pcrm__error_oom();
	/* stops first: a clock stopping where another starts hands over at the same moment */
	for (size_t i = 0; i < op->wf->nclocks && rc == PCRM_OK; i++)
		if (matches(op->wf->clocks[i].stop, op->wf->clocks[i].stop_name, at, what))
			rc = stop_clock(op, clocks, &op->wf->clocks[i]);
	for (size_t i = 0; i < op->wf->nclocks && rc == PCRM_OK; i++)
		if (matches(op->wf->clocks[i].start, op->wf->clocks[i].start_name, at, what))
			rc = start_clock(op, clocks, &op->wf->clocks[i]);
	if (rc == PCRM_OK)
		pcrm__wo_set(op, "clocks", clocks);
	else
		json_decref(clocks);
	return rc;
}

int pcrm__wo_clock_timer_moved(struct pcrm__wo_op *op, const char *name, int running,
                               pcrm_time due, int64_t remaining)
{
	json_t *clocks = clocks_copy(op), *rec;
	int bad;
	if (!clocks)
		return pcrm__error_oom();
	rec = json_object_get(clocks, name);
	if (!rec || json_object_get(rec, "stop")) {
		json_decref(clocks);
		return PCRM_OK;
	}
	if (running) {
		json_object_del(rec, "remaining");
		bad = json_object_set_new(rec, "due", json_integer(due)) != 0;
	} else {
		json_object_del(rec, "due");
		bad = json_object_set_new(rec, "remaining", json_integer(remaining)) != 0;
	}
	if (bad) {
		json_decref(clocks);
		return pcrm__error_oom();
	}
	pcrm__wo_set(op, "clocks", clocks);
	return PCRM_OK;
}

/* ---- accessors ---- */

static const json_t *clock_record(const pcrm_workorder *wo, const char *name)
{
	return wo && name ? json_object_get(json_object_get(wo->obj, "clocks"), name) : NULL;
}

pcrm_time pcrm_workorder_clock_started_at(const pcrm_workorder *wo, const char *clock)
{
	return json_integer_value(json_object_get(clock_record(wo, clock), "start"));
}

pcrm_time pcrm_workorder_clock_due_at(const pcrm_workorder *wo, const char *clock)
{
	const json_t *rec = clock_record(wo, clock);
	const char *status = wo ? pcrm__wo_str(wo->obj, "status") : NULL;
	/* a closed or cancelled work order's clocks run no more, stopped or not */
	if (!rec || json_object_get(rec, "stop") || !status || strcmp(status, "open") != 0)
		return 0;
	return json_integer_value(json_object_get(rec, "due"));
}

const char *pcrm_workorder_clock_result(const pcrm_workorder *wo, const char *clock,
                                        int64_t *seconds)
{
	const json_t *rec = clock_record(wo, clock);
	const char *r = json_string_value(json_object_get(rec, "result"));
	if (seconds) {
		*seconds = 0;
		if (r && strcmp(r, "met") == 0)
			*seconds = json_integer_value(json_object_get(rec, "early_seconds"));
		else if (r)
			*seconds = -json_integer_value(json_object_get(rec, "late_seconds"));
	}
	return r;
}

const char *pcrm_workorder_sla_class(const pcrm_workorder *wo)
{
	const char *c = wo ? pcrm__wo_str(wo->obj, "sla_class") : NULL;
	return c ? c : (wo ? "normal" : NULL);
}

/*
 * A new severity class: each running clock's limit is counted again from
 * its start with the class's amount.  What already fired (the record's
 * "warned", "levels_fired", "expired") is not scheduled again; what the new
 * limit puts in the past is due at once, for the next tick.
 */
int pcrm__wo_clocks_reclassify(struct pcrm__wo_op *op)
{
	static const char drop[] = "DELETE FROM work_order_timer WHERE work_order_id = $1 AND "
	                           "done = 0 AND scope = 'clock' AND clock = $2";
	json_t *clocks = clocks_copy(op);
	int rc = clocks ? PCRM_OK : pcrm__error_oom();

	for (size_t i = 0; i < op->wf->nclocks && rc == PCRM_OK; i++) {
		const struct pcrm__wf_clock *c = &op->wf->clocks[i];
		struct pcrm__wf_limit l = pcrm__wo_limit(op, &c->limit);
		json_t *rec = json_object_get(clocks, c->name);
		pcrm_sql_value p[2] = { PCRM_SQL_S(op->id), PCRM_SQL_S(c->name) };
		pcrm_time start, due = 0, warn = 0;
		int working = pcrm__workflow_unit_is_working(l.unit);
		int fired = (int)json_integer_value(json_object_get(rec, "levels_fired"));

		if (!l.set || !rec || json_object_get(rec, "stop"))
			continue;
		start = json_integer_value(json_object_get(rec, "start"));
		rc = pcrm__store_exec_later(op->ctx->store, drop, p, 2, -1, 0, NULL);
		if (rc == PCRM_OK)
			rc = pcrm__workflow_limit_due(op->wf, &l, start, &due, &warn);
		if (rc == PCRM_OK && !json_is_true(json_object_get(rec, "expired")))
			rc = insert_timer(op, "clock", "due", working, due, c->name, -1);
		if (rc == PCRM_OK && warn && !json_is_true(json_object_get(rec, "warned")))
			rc = insert_timer(op, "clock", "warn", working, warn, c->name, -1);
		for (int k = fired; k < l.nlevels && rc == PCRM_OK; k++) {
			pcrm_time at;
			rc = pcrm__workflow_limit_share(op->wf, l.unit, start, due, l.levels[k].percent,
			                                &at);
			if (rc == PCRM_OK)
				rc = insert_timer(op, "clock", "level", working, at, c->name, k);
		}
		if (rc == PCRM_OK && json_object_set_new(rec, "due", json_integer(due)) != 0)
			rc = pcrm__error_oom();
	}
	if (rc == PCRM_OK)
		pcrm__wo_set(op, "clocks", clocks);
	else
		json_decref(clocks);
	return rc == PCRM_OK ? pcrm__wo_sync_timers(op) : rc;
}
