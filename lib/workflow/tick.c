/*
 * pcrm_workorder_tick(): processing the timers that are due, set-based.
 *
 * A batch of up to BATCH due timers (oldest due first) is one transaction:
 *
 *   1. one statement claims them all by deleting them:
 *        DELETE FROM work_order_timer
 *        WHERE id IN (SELECT id ... WHERE done = 0 AND due_at <= $now
 *                     ORDER BY due_at, id LIMIT n [FOR UPDATE SKIP LOCKED]) AND done = 0
 *        RETURNING ...
 *      Only the transaction whose DELETE removed a row applies that timer; a
 *      rollback (or a crash) puts it back, so a restart loses none.  The
 *      history entry the timer produced (warning / expire / notify, at the
 *      tick's time) is its record; a deleted row costs PostgreSQL no index
 *      entries, where setting done = 1 added one to each of the timer's three
 *      indexes.  Rows with done = 1 are only those claimed before migration 10.
 *      On PostgreSQL a second process skips the rows the first has locked and
 *      claims others; on SQLite BEGIN IMMEDIATE serialises whole batches.
 *   2. one statement reads their work orders and one their pending timers;
 *      (on PostgreSQL the read locks the work orders, in id order);
 *   3. work orders whose timers only warn, flag, or notify are changed in
 *      memory: their rows are written with one UPDATE ... FROM (VALUES ...)
 *      conditional on each row's step count, their history entries through
 *      the bulk path (COPY on PostgreSQL), and they are audited as one entry
 *      for the batch ("workorder.tick", listing every work order, seq and
 *      kind, and a digest of the entry and of the row as written, which
 *      verification checks: lib/audit/cover_workorder.c);
 *   4. timers that escalate or fire an event (they read org units and write
 *      timers) go one by one through the ordinary operation, each in a
 *      savepoint, with their own audit entries; a fired transition's
 *      customer notice ("notify_customer") is written in that savepoint with
 *      its fire entry, as an agent's fire writes it, so a rolled-back or
 *      unclaimed timer leaves none and a committed one exactly one.
 *
 * Nobody else can change a batch's work orders between the read and the
 * write: on PostgreSQL the read locks them (a concurrent fire waits, then
 * fails its version check), on SQLite the batch's transaction holds the
 * write lock.  The write is still conditional on each row's step count, and
 * a work order that misses its UPDATE (or an operation that rolls back to
 * its savepoint, e.g. after a deadlock) drops what it staged and has its
 * timers unclaimed (inserted again as they were, same id) for the next
 * batch, so a timer is applied exactly once even if that guarantee is ever
 * weakened.  With the locks as they are, only the savepoint path is
 * reachable, and only through a server error; no test reaches either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/progress.h"
#include "org/org_internal.h"
#include "workorder_internal.h"

#define BATCH 500

struct due_timer {
	int64_t id;
	char work_order[PCRM_WORKORDER_ID_LEN + 1];
	int process, warn, working;
	pcrm_time due;
	char clock[PCRM__WF_NAME_MAX + 1]; /* scope 'clock': the named clock, else "" */
	int level;                         /* kind 'level': its index, else -1 */
};

/*
 * The escalation of a limit: its own entry (the superior unit's
 * notification), after the expiry; nothing above the top.
 */
static int escalate(struct pcrm__wo_op *op, const char *what)
{
	struct pcrm__wo_entry e = { "escalate", NULL, NULL, NULL, what, 1, NULL };
	int rc = pcrm__wo_escalate(op);
	if (rc == PCRM_ESTATE) { /* at the top already: the flag and the expiry remain */
		pcrm_error_clear();
		return PCRM_OK;
	}
	e.to = e.address = op->superior;
	return rc == PCRM_OK ? pcrm__wo_commit(op, &e) : rc;
}

static int expire(struct pcrm__wo_op *op, const struct pcrm__wf_limit *limit, const char *what)
{
	struct pcrm__wo_entry e = { "expire", NULL, NULL, NULL, what, 1, NULL };
	char note[200];
	size_t state = pcrm__workflow_state_index(op->wf, pcrm__wo_str(op->wo, "state"));
	const struct pcrm__wf_transition *t;
	int rc = PCRM_OK;

	if (limit->flag)
		pcrm__wo_set_int(op, "overdue", 1);
	if (op->batch)
		pcrm__wo_set_int(op, "due_at", op->next_due); /* nothing paused or restarted */
	else
		rc = pcrm__wo_sync_timers(op);
	if (rc == PCRM_OK)
		rc = pcrm__wo_commit(op, &e);
	if (rc == PCRM_OK && limit->escalate)
		rc = escalate(op, what);
	if (rc == PCRM_OK && limit->notify) {
		struct pcrm__wo_entry n = { "notify", NULL, NULL, NULL, what, 0, NULL };
		rc = pcrm__wo_commit(op, &n);
	}
	if (rc != PCRM_OK || !limit->fire)
		return rc;
	t = pcrm__workflow_transition(op->wf, state, limit->fire);
	if (!t)
		return PCRM_OK; /* a process limit's event that this state does not have */
	snprintf(note, sizeof(note), "automatic: %.150s", what);
	{
		struct pcrm__wo_entry f = { "fire", t->event, op->wf->states[state].name,
			                    op->wf->states[t->to].name, note, 1, NULL };
		rc = pcrm__wo_transition(op, t, NULL);
		if (rc == PCRM_OK)
			rc = pcrm__wo_commit(op, &f);
	}
	return rc;
}

/*
 * The unit a {"role"} target is addressed in: the work order's (its
 * handling unit) or that unit's parent.  At the top there is no parent: the
 * work order's own unit, and the note says so.  *parent is malloc'd or NULL.
 */
static int role_unit(struct pcrm__wo_op *op, const struct pcrm__wf_level *lv, char **parent,
                     char *note, size_t size, const char *what)
{
	struct pcrm_org_unit unit;
	int rc;
	*parent = NULL;
	if (!lv->notify_parent)
		return PCRM_OK;
	rc = pcrm__org_load(op->ctx, pcrm__wo_str(op->wo, "org_unit"), &unit);
	if (rc != PCRM_OK)
		return rc;
	if (unit.parent) {
		*parent = strdup(unit.parent);
		rc = *parent ? PCRM_OK : pcrm__error_oom();
	} else {
		snprintf(note, size, "%.180s (no unit above %.32s: its own unit is told)", what,
		         unit.code);
	}
	pcrm__org_clear(&unit);
	return rc;
}

/*
 * An escalation level: its own entry ("level", changing the version when it
 * flags), then the escalation and the notification it asks for, each
 * audited by itself.  A notification for a unit that does not exist (any
 * more) goes to the work order's unit, saying so.  A role target is
 * addressed to the role (and level) in the handling unit or its parent;
 * the note names them, so the history says who was told.
 */
static int fire_level(struct pcrm__wo_op *op, const struct pcrm__wf_level *lv, const char *what)
{
	struct pcrm__wo_entry e = { "level", NULL, NULL, NULL, what, lv->flag, NULL };
	struct pcrm_org_unit unit;
	char note[260];
	int rc;

	if (lv->flag)
		pcrm__wo_set_int(op, "overdue", 1);
	rc = pcrm__wo_commit(op, &e);
	if (rc == PCRM_OK && lv->escalate)
		rc = escalate(op, what);
	if (rc != PCRM_OK || !lv->notify)
		return rc;
	{
		struct pcrm__wo_entry n = { "notify", NULL, NULL, NULL, what, 0, lv->notify_unit };
		if (lv->notify_unit) {
			if (pcrm__org_load(op->ctx, lv->notify_unit, &unit) == PCRM_OK) {
				pcrm__org_clear(&unit);
			} else {
				pcrm_error_clear();
				snprintf(note, sizeof(note), "%.180s (org unit %.32s does not exist)", what,
				         lv->notify_unit);
				n.note = note;
				n.address = NULL;
			}
		}
		char *parent = NULL;
		char role_note[300];
		if (lv->notify_role) {
			rc = role_unit(op, lv, &parent, note, sizeof(note), what);
			if (rc == PCRM_OK && parent)
				n.address = parent;
			if (rc == PCRM_OK && !parent && lv->notify_parent)
				n.note = note;
			char level[16] = "";
			if (lv->notify_level)
				snprintf(level, sizeof(level), " level %d", lv->notify_level);
			snprintf(role_note, sizeof(role_note), "%.220s; to %s%s in %.32s", n.note,
			         lv->notify_role, level,
			         parent ? parent : pcrm__wo_str(op->wo, "org_unit"));
			n.note = role_note;
		}
		op->recipient = lv->notify_operator;
		op->recipient_role = lv->notify_role;
		op->recipient_level = lv->notify_level;
		if (rc == PCRM_OK)
			rc = pcrm__wo_commit(op, &n);
		op->recipient = NULL;
		op->recipient_role = NULL;
		op->recipient_level = 0;
		free(parent);
	}
	return rc;
}

/* Marks in a clock's record that its warning (-1) or level i fired, or that it expired (-2). */
static void clock_fired(struct pcrm__wo_op *op, const char *name, int what)
{
	json_t *clocks = json_deep_copy(json_object_get(op->wo, "clocks"));
	json_t *rec = json_object_get(clocks, name);
	if (!rec) {
		json_decref(clocks);
		return;
	}
	if (what == -1)
		json_object_set_new(rec, "warned", json_true());
	else if (what == -2)
		json_object_set_new(rec, "expired", json_true());
	else
		json_object_set_new(rec, "levels_fired", json_integer(what + 1));
	pcrm__wo_set(op, "clocks", clocks);
}

/* A named clock's timer: only while the clock runs (not stopped). */
static int apply_clock(struct pcrm__wo_op *op, const struct due_timer *t)
{
	const struct pcrm__wf_clock *c = pcrm__workflow_clock(op->wf, t->clock);
	const json_t *rec = json_object_get(json_object_get(op->wo, "clocks"), t->clock);
	char what[160];

	if (!c || !c->limit.set || !rec || json_object_get(rec, "stop"))
		return PCRM_OK;
	if (t->level >= 0) {
		if (t->level >= c->limit.nlevels)
			return PCRM_OK;
		snprintf(what, sizeof(what), "level %d: %d%% of clock %s used", t->level + 1,
		         c->limit.levels[t->level].percent, c->name);
		clock_fired(op, c->name, t->level);
		return fire_level(op, &c->limit.levels[t->level], what);
	}
	if (t->warn) {
		struct pcrm__wo_entry e = { "warning", NULL, NULL, NULL, what, 0, NULL };
		snprintf(what, sizeof(what), "%d%% of clock %s used", c->limit.warn_percent, c->name);
		clock_fired(op, c->name, -1);
		return pcrm__wo_commit(op, &e);
	}
	snprintf(what, sizeof(what), "clock %s passed", c->name);
	clock_fired(op, c->name, -2);
	return expire(op, &c->limit, what);
}

static int apply(struct pcrm__wo_op *op, const struct due_timer *t)
{
	size_t state = pcrm__workflow_state_index(op->wf, pcrm__wo_str(op->wo, "state"));
	const struct pcrm__wf_limit *limit;
	char what[160];

	if (strcmp(pcrm__wo_str(op->wo, "status"), "open") != 0 || state == (size_t)-1)
		return PCRM_OK;
	if (*t->clock)
		return apply_clock(op, t);
	limit = t->process ? &op->wf->process : &op->wf->states[state].limit;
	if (!limit->set)
		return PCRM_OK;
	if (t->level >= 0) {
		if (t->level >= limit->nlevels)
			return PCRM_OK;
		if (t->process)
			snprintf(what, sizeof(what), "level %d: %d%% of the process limit used",
			         t->level + 1, limit->levels[t->level].percent);
		else
			snprintf(what, sizeof(what), "level %d: %d%% of the limit of state %s used",
			         t->level + 1, limit->levels[t->level].percent,
			         op->wf->states[state].name);
		return fire_level(op, &limit->levels[t->level], what);
	}
	if (t->warn) {
		struct pcrm__wo_entry e = { "warning", NULL, NULL, NULL, what, 0, NULL };
		if (t->process)
			snprintf(what, sizeof(what), "%d%% of the process limit used", limit->warn_percent);
		else
			snprintf(what, sizeof(what), "%d%% of the limit of state %s used",
			         limit->warn_percent, op->wf->states[state].name);
		return pcrm__wo_commit(op, &e);
	}
	if (t->process)
		snprintf(what, sizeof(what), "process limit passed");
	else
		snprintf(what, sizeof(what), "limit of state %s passed", op->wf->states[state].name);
	return expire(op, limit, what);
}

/* Whether a timer can be applied in memory: it reads and writes nothing but its work order. */
static int is_simple(const struct pcrm__wo_op *op, const struct due_timer *t)
{
	size_t state = pcrm__workflow_state_index(op->wf, pcrm__wo_str(op->wo, "state"));
	const struct pcrm__wf_limit *limit;
	if (strcmp(pcrm__wo_str(op->wo, "status"), "open") != 0 || state == (size_t)-1)
		return 1; /* nothing to do */
	if (*t->clock || t->level >= 0)
		return 0; /* named clocks and levels change the clocks record, escalate, address */
	limit = t->process ? &op->wf->process : &op->wf->states[state].limit;
	if (!limit->set || t->warn)
		return 1;
	/* suspended or in a pause state, timers may need pausing: the ordinary path syncs them */
	return !limit->escalate && !limit->fire && !pcrm__wo_int(op->wo, "suspended") &&
	       !op->wf->states[state].pause;
}

static int cmp_timer(const void *a, const void *b)
{
	const struct due_timer *x = a, *y = b;
	int c = strcmp(x->work_order, y->work_order);
	if (c)
		return c;
	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int claim_batch(pcrm_ctx *ctx, pcrm_time now, struct due_timer *out, int *n)
{
	static const char pick[] =
		"DELETE FROM work_order_timer WHERE id IN (SELECT id FROM work_order_timer WHERE "
		"done = 0 AND due_at <= $1 ORDER BY due_at, id LIMIT $2) AND done = 0 "
		"RETURNING id, work_order_id, scope, kind, due_at, working, clock, level";
	/* = ANY (ARRAY(...)): probes the primary key, where IN (...) may scan the whole table */
	static const char pick_skip_locked[] =
		"DELETE FROM work_order_timer WHERE id = ANY (ARRAY(SELECT id FROM work_order_timer "
		"WHERE done = 0 AND due_at <= $1 ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)) "
		"AND done = 0 RETURNING id, work_order_id, scope, kind, due_at, working, clock, level";
	pcrm_sql_value p[2] = { PCRM_SQL_I(now), PCRM_SQL_I(BATCH) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store,
	                           ctx->store->driver->kind == PCRM_STORE_POSTGRES ?
	                                   pick_skip_locked : pick,
	                           p, 2, &rows);
	*n = 0;
	if (rc != PCRM_OK)
		return rc;
	while (*n < BATCH && (rc = pcrm__rows_next(rows)) == 1) {
		struct due_timer *t = &out[(*n)++];
		t->id = pcrm__rows_int(rows, 0);
		snprintf(t->work_order, sizeof(t->work_order), "%s", pcrm__rows_text(rows, 1));
		t->process = strcmp(pcrm__rows_text(rows, 2), "process") == 0;
		t->warn = strcmp(pcrm__rows_text(rows, 3), "warn") == 0;
		t->due = pcrm__rows_int(rows, 4);
		t->working = (int)pcrm__rows_int(rows, 5);
		snprintf(t->clock, sizeof(t->clock), "%s",
		         pcrm__rows_is_null(rows, 6) ? "" : pcrm__rows_text(rows, 6));
		t->level = pcrm__rows_is_null(rows, 7) ? -1 : (int)pcrm__rows_int(rows, 7);
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	qsort(out, (size_t)*n, sizeof(*out), cmp_timer);
	return PCRM_OK;
}

/* Puts claimed timers back as they were (same id), in the claiming transaction. */
static int unclaim(pcrm_ctx *ctx, const struct due_timer *t, int n)
{
	static const char sql[] =
		"INSERT INTO work_order_timer (id, work_order_id, scope, kind, working, due_at, done, "
		"clock, level) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8)";
	int rc = PCRM_OK;
	for (int i = 0; i < n && rc == PCRM_OK; i++) {
		const struct due_timer *x = &t[i];
		pcrm_sql_value p[8] = {
			PCRM_SQL_I(x->id), PCRM_SQL_S(x->work_order),
			PCRM_SQL_S(*x->clock ? "clock" : x->process ? "process" : "state"),
			PCRM_SQL_S(x->level >= 0 ? "level" : x->warn ? "warn" : "due"),
			PCRM_SQL_I(x->working), PCRM_SQL_I(x->due),
			PCRM_SQL_S(*x->clock ? x->clock : NULL),
			x->level >= 0 ? PCRM_SQL_I(x->level) : PCRM_SQL_NUL
		};
		rc = pcrm__store_exec(ctx->store, sql, p, 8, NULL);
	}
	return rc;
}

/* The distinct work orders of a sorted batch, as the JSON array text the queries take. */
static char *work_order_list(const struct due_timer *t, int n)
{
	json_t *ids = json_array();
	char *text = NULL;
	int bad = !ids;
	for (int i = 0; i < n && !bad; i++)
		if (i == 0 || strcmp(t[i].work_order, t[i - 1].work_order) != 0)
			bad = json_array_append_new(ids, json_string(t[i].work_order)) != 0;
	if (!bad)
		text = json_dumps(ids, JSON_COMPACT);
	json_decref(ids);
	return text;
}

/* The work orders of a batch, read at once, and when each one's pending timers next fall due. */
struct read_set {
	json_t *orders;   /* id -> work-order object */
	json_t *steps;    /* id -> step count */
	json_t *next_due; /* id -> earliest running due timer left */
};

static int read_batch(pcrm_ctx *ctx, const struct due_timer *t, int n, struct read_set *rs)
{
	/* PostgreSQL: lock them now, in id order, so two tickers never deadlock on them */
	static const char orders_pg[] =
		"SELECT " PCRM__WO_SELECT " FROM work_order w WHERE w.id = ANY "
		"(ARRAY(SELECT json_array_elements_text($1::json))) ORDER BY w.id FOR UPDATE";
	static const char orders_sqlite[] = "SELECT " PCRM__WO_SELECT " FROM work_order w "
	                                    "WHERE w.id IN (SELECT value FROM json_each($1))";
	static const char timers_pg[] =
		"SELECT work_order_id, MIN(due_at) FROM work_order_timer WHERE done = 0 AND "
		"kind = 'due' AND due_at IS NOT NULL AND work_order_id = ANY "
		"(ARRAY(SELECT json_array_elements_text($1::json))) GROUP BY work_order_id";
	static const char timers_sqlite[] =
		"SELECT work_order_id, MIN(due_at) FROM work_order_timer WHERE done = 0 AND "
		"kind = 'due' AND due_at IS NOT NULL AND work_order_id IN "
		"(SELECT value FROM json_each($1)) GROUP BY work_order_id";
	int pg = ctx->store->driver->kind == PCRM_STORE_POSTGRES;
	char *ids = work_order_list(t, n);
	pcrm_sql_value p[1] = { PCRM_SQL_S(ids) };
	pcrm_rows *rows = NULL;
	int rc = ids ? PCRM_OK : pcrm__error_oom();

	rs->orders = json_object();
	rs->steps = json_object();
	rs->next_due = json_object();
	if (rc == PCRM_OK && (!rs->orders || !rs->steps || !rs->next_due))
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, pg ? orders_pg : orders_sqlite, p, 1, &rows);
	while (rc == PCRM_OK && rows) {
		json_t *obj = NULL;
		int steps = 0, more = pcrm__rows_next(rows);
		if (more <= 0) {
			rc = more;
			break;
		}
		rc = pcrm__workorder_from_row(rows, &obj, &steps);
		if (rc == PCRM_OK &&
		    (json_object_set_new(rs->orders, pcrm__wo_str(obj, "id"), obj) != 0 ||
		     json_object_set_new(rs->steps, pcrm__wo_str(obj, "id"), json_integer(steps)) != 0))
			rc = pcrm__error_oom();
	}
	pcrm__rows_free(rows);
	rows = NULL;
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, pg ? timers_pg : timers_sqlite, p, 1, &rows);
	while (rc == PCRM_OK && rows) {
		int more = pcrm__rows_next(rows);
		if (more <= 0) {
			rc = more;
			break;
		}
		if (json_object_set_new(rs->next_due, pcrm__rows_text(rows, 0),
		                        json_integer(pcrm__rows_int(rows, 1))) != 0)
			rc = pcrm__error_oom();
	}
	pcrm__rows_free(rows);
	free(ids);
	return rc;
}

static void read_set_clear(struct read_set *rs)
{
	json_decref(rs->orders);
	json_decref(rs->steps);
	json_decref(rs->next_due);
}

/* One timer through the ordinary operation, in a savepoint; unclaimed when its order changed. */
static int apply_alone(pcrm_ctx *ctx, const pcrm_actor *actor, const struct due_timer *t,
                       pcrm_time now, int *done)
{
	struct pcrm__wo_op op;
	int rc = pcrm__store_begin(ctx->store);
	*done = 0;
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__wo_op_load(&op, ctx, actor, t->work_order, now);
	if (rc == PCRM_OK)
		rc = apply(&op, t);
	pcrm__wo_op_clear(&op);
	rc = pcrm__store_finish(ctx->store, rc);
	if (rc == PCRM_ECONFLICT || rc == PCRM_ERETRY) {
		pcrm_error_clear(); /* changed meanwhile: the next batch takes it */
		return unclaim(ctx, t, 1);
	}
	*done = rc == PCRM_OK;
	return rc;
}

/* A work order whose timers were applied in memory, waiting for the batch's row write. */
struct staged_order {
	struct pcrm__wo_op op;
	const struct due_timer *timers;
	int n;
};

/*
 * The timers t[0..n) of one work order: applied in memory and staged in the
 * batch (*staged set, to be written with the others), or, when one of them
 * escalates or fires, one by one through the ordinary operation.
 */
static int apply_group(pcrm_ctx *ctx, const pcrm_actor *actor, struct read_set *rs,
                       struct pcrm__wo_batch *batch, const struct due_timer *t, int n,
                       pcrm_time now, struct staged_order *so, int *staged, int *done)
{
	struct pcrm__wo_op *op = &so->op;
	json_t *obj = json_object_get(rs->orders, t[0].work_order);
	int rc = PCRM_OK, simple = 1;

	*done = *staged = 0;
	if (!obj) {
		*done = n; /* claimed, but its work order is gone: nothing to apply */
		return PCRM_OK;
	}
	memset(so, 0, sizeof(*so));
	so->timers = t;
	so->n = n;
	op->ctx = ctx;
	op->actor = actor;
	op->now = now;
	op->wo = json_incref(obj);
	op->id = pcrm__wo_str(obj, "id");
	op->steps = op->stored_steps =
		(int)json_integer_value(json_object_get(rs->steps, op->id));
	op->delta = json_object();
	if (!op->delta)
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = pcrm__workflow_load(ctx, pcrm__wo_str(obj, "workflow"),
		                         (int)pcrm__wo_int(obj, "workflow_version"), &op->wf);
	for (int i = 0; i < n && rc == PCRM_OK; i++)
		simple = simple && is_simple(op, &t[i]);
	if (rc != PCRM_OK || !simple) {
		pcrm__wo_op_clear(op);
		for (int i = 0; i < n && rc == PCRM_OK; i++) {
			int one = 0;
			rc = apply_alone(ctx, actor, &t[i], now, &one);
			*done += one;
		}
		return rc;
	}
	op->batch = batch;
	op->next_due = json_integer_value(json_object_get(rs->next_due, op->id));
	for (int i = 0; i < n && rc == PCRM_OK; i++)
		rc = apply(op, &t[i]);
	if (rc != PCRM_OK)
		pcrm__wo_op_clear(op);
	*staged = rc == PCRM_OK;
	return rc;
}

/*
 * Writes the staged work orders' rows in one statement; those that changed
 * since they were read lose what they staged and their timers are unclaimed.
 */
static int write_staged(pcrm_ctx *ctx, struct staged_order *so, int n,
                        struct pcrm__wo_batch *batch, int *progress)
{
	struct pcrm__wo_op **ops = calloc((size_t)n + 1, sizeof(*ops));
	json_t *written = json_object();
	int rc = ops && written ? PCRM_OK : pcrm__error_oom();

	for (int i = 0; i < n && rc == PCRM_OK; i++)
		ops[i] = &so[i].op;
	if (rc == PCRM_OK)
		rc = pcrm__wo_flush_many(ctx, ops, n, written);
	if (rc == PCRM_OK)
		rc = pcrm__wo_batch_keep(batch, written, ops, n);
	for (int i = 0; i < n && rc == PCRM_OK; i++) {
		if (json_object_get(written, so[i].op.id))
			*progress += so[i].n;
		else /* changed since it was read: the next batch takes its timers */
			rc = unclaim(ctx, so[i].timers, so[i].n);
	}
	json_decref(written);
	free(ops);
	return rc;
}

/* One batch in one transaction; *claimed is how many timers it claimed (0 = none due). */
static int process_batch(pcrm_ctx *ctx, const pcrm_actor *actor, struct due_timer *timers,
                         struct staged_order *so, pcrm_time now, int *claimed, int *progress)
{
	struct read_set rs = { NULL, NULL, NULL };
	struct pcrm__wo_batch *batch = NULL;
	int n = 0, nstaged = 0, rc = pcrm__store_begin(ctx->store);

	*claimed = *progress = 0;
	if (rc == PCRM_OK)
		rc = claim_batch(ctx, now, timers, &n);
	if (rc == PCRM_OK && n > 0)
		rc = read_batch(ctx, timers, n, &rs);
	if (rc == PCRM_OK && n > 0)
		rc = pcrm__wo_batch_new(&batch);
	for (int i = 0, j; rc == PCRM_OK && i < n; i = j) {
		int done = 0, staged = 0;
		for (j = i + 1; j < n && strcmp(timers[j].work_order, timers[i].work_order) == 0; j++)
			;
		rc = apply_group(ctx, actor, &rs, batch, &timers[i], j - i, now, &so[nstaged],
		                 &staged, &done);
		nstaged += staged;
		*progress += done;
	}
	if (rc == PCRM_OK && nstaged > 0)
		rc = write_staged(ctx, so, nstaged, batch, progress);
	if (rc == PCRM_OK && batch)
		rc = pcrm__wo_batch_write(ctx, actor, batch, now);
	for (int i = 0; i < nstaged; i++)
		pcrm__wo_op_clear(&so[i].op);
	pcrm__wo_batch_free(batch);
	read_set_clear(&rs);
	if (rc == PCRM_OK)
		pcrm__trace_count(ctx->store, PCRM__COUNTER_WORKFLOW_TIMERS, *progress);
	rc = pcrm__store_finish(ctx->store, rc);
	*claimed = n;
	if (rc != PCRM_OK)
		*progress = 0;
	return rc;
}

int pcrm_workorder_tick_ext(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_time now,
                            pcrm_progress_fn progress_fn, void *userdata, int *processed)
{
	struct due_timer *timers;
	struct staged_order *so;
	int total = 0, rc;

	if (processed)
		*processed = 0;
	rc = pcrm_authorize(ctx, actor, PCRM_PERM_WORKORDER_SUPERVISE, NULL);
	if (rc != PCRM_OK)
		return rc;
	timers = calloc(BATCH, sizeof(*timers));
	so = calloc(BATCH, sizeof(*so));
	if (!timers || !so) {
		free(timers);
		free(so);
		return pcrm__error_oom();
	}
	for (;;) {
		int claimed = 0, progress = 0;
		rc = process_batch(ctx, actor, timers, so, now, &claimed, &progress);
		if (rc == PCRM_ERETRY && ctx->store->tx_depth == 0) {
			pcrm_error_clear(); /* the whole batch lost a race: the next tick takes it */
			rc = PCRM_OK;
		}
		total += progress;
		if (rc == PCRM_OK && progress > 0)
			rc = pcrm__progress_report(progress_fn, userdata, total, "work-order tick",
			                           "timers processed");
		/*
		 * Stop when nothing was due, or a batch made no progress (what is left
		 * is being changed by others: the next tick takes it).  Timers
		 * unclaimed after a race are due again, so a short batch with
		 * progress is followed by another.
		 */
		if (rc != PCRM_OK || claimed == 0 || progress == 0)
			break;
	}
	free(timers);
	free(so);
	if (rc == PCRM_OK) { /* suspensions whose time is up (suspension.c) */
		int resumed = 0;
		rc = pcrm__wo_resume_due(ctx, actor, now, &resumed);
		total += resumed;
	}
	if (processed)
		*processed = total;
	return rc;
}

int pcrm_workorder_tick(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_time now, int *processed)
{
	return pcrm_workorder_tick_ext(ctx, actor, now, NULL, NULL, processed);
}
