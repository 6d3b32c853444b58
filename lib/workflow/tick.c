/*
 * pcrm_workorder_tick(): processing the timers that are due.
 *
 * Each timer is handled in its own (nested) transaction that first claims it with
 *
 *   UPDATE work_order_timer SET done = 1 ... WHERE id = $1 AND done = 0 AND due_at <= $now
 *
 * Only the transaction whose UPDATE changed the row applies the timer; a
 * second process racing for it waits for the first to commit (PostgreSQL's
 * row lock, SQLite's write lock) and then changes nothing.  Timers are
 * taken in batches of BATCH, oldest due first, and a batch commits as one
 * transaction (each timer in a savepoint of it).  A timer whose
 * work order changed concurrently rolls back unclaimed and waits for the
 * next tick, so a timer is applied exactly once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "org/org_internal.h"
#include "workorder_internal.h"

#define BATCH 100

struct due_timer {
	int64_t id;
	char work_order[PCRM_WORKORDER_ID_LEN + 1];
	int process, warn;
};

static int claim(pcrm_ctx *ctx, const struct due_timer *t, pcrm_time now, int *mine)
{
	static const char sql[] = "UPDATE work_order_timer SET done = 1, fired_at = $2 "
	                          "WHERE id = $1 AND done = 0 AND due_at IS NOT NULL AND due_at <= $2";
	pcrm_sql_value p[2] = { PCRM_SQL_I(t->id), PCRM_SQL_I(now) };
	int64_t changes = 0;
	int rc = pcrm__store_exec(ctx->store, sql, p, 2, &changes);
	*mine = changes == 1;
	return rc;
}

static int expire(struct pcrm__wo_op *op, const struct pcrm__wf_limit *limit, const char *what)
{
	struct pcrm__wo_entry e = { "expire", NULL, NULL, NULL, what, 1 };
	char note[200];
	size_t state = pcrm__workflow_state_index(op->wf, pcrm__wo_str(op->wo, "state"));
	const struct pcrm__wf_transition *t;
	int rc = PCRM_OK;

	if (limit->flag)
		pcrm__wo_set_int(op, "overdue", 1);
	if (limit->escalate) {
		rc = pcrm__wo_escalate(op);
		if (rc == PCRM_ESTATE) { /* at the top already: the flag and the entry remain */
			pcrm_error_clear();
			rc = PCRM_OK;
		}
	}
	if (rc == PCRM_OK)
		rc = pcrm__wo_sync_timers(op);
	if (rc == PCRM_OK)
		rc = pcrm__wo_commit(op, &e);
	if (rc == PCRM_OK && limit->notify) {
		struct pcrm__wo_entry n = { "notify", NULL, NULL, NULL, what, 0 };
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
			                    op->wf->states[t->to].name, note, 1 };
		rc = pcrm__wo_transition(op, t, NULL);
		if (rc == PCRM_OK)
			rc = pcrm__wo_commit(op, &f);
	}
	return rc;
}

static int apply(struct pcrm__wo_op *op, const struct due_timer *t)
{
	size_t state = pcrm__workflow_state_index(op->wf, pcrm__wo_str(op->wo, "state"));
	const struct pcrm__wf_limit *limit;
	char what[160];

	if (strcmp(pcrm__wo_str(op->wo, "status"), "open") != 0 || state == (size_t)-1)
		return PCRM_OK;
	limit = t->process ? &op->wf->process : &op->wf->states[state].limit;
	if (!limit->set)
		return PCRM_OK;
	if (t->warn) {
		struct pcrm__wo_entry e = { "warning", NULL, NULL, NULL, what, 0 };
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

static int process_one(pcrm_ctx *ctx, const pcrm_actor *actor, const struct due_timer *t,
                       pcrm_time now, int *done)
{
	struct pcrm__wo_op op;
	int mine = 0, rc = pcrm__store_begin(ctx->store);

	memset(&op, 0, sizeof(op));
	*done = 0;
	if (rc != PCRM_OK)
		return rc;
	rc = claim(ctx, t, now, &mine);
	if (rc == PCRM_OK && mine)
		rc = pcrm__wo_op_load(&op, ctx, actor, t->work_order, now);
	if (rc == PCRM_OK && mine)
		rc = apply(&op, t);
	pcrm__wo_op_clear(&op);
	rc = pcrm__store_finish(ctx->store, rc);
	*done = rc == PCRM_OK && mine;
	return rc;
}

static int due_batch(pcrm_ctx *ctx, pcrm_time now, struct due_timer *out, int *n)
{
	static const char sql[] =
		"SELECT id, work_order_id, scope, kind FROM work_order_timer "
		"WHERE done = 0 AND due_at <= $1 ORDER BY due_at, id LIMIT $2";
	pcrm_sql_value p[2] = { PCRM_SQL_I(now), PCRM_SQL_I(BATCH) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, 2, &rows);
	*n = 0;
	if (rc != PCRM_OK)
		return rc;
	while (*n < BATCH && (rc = pcrm__rows_next(rows)) == 1) {
		struct due_timer *t = &out[(*n)++];
		t->id = pcrm__rows_int(rows, 0);
		snprintf(t->work_order, sizeof(t->work_order), "%s", pcrm__rows_text(rows, 1));
		t->process = strcmp(pcrm__rows_text(rows, 2), "process") == 0;
		t->warn = strcmp(pcrm__rows_text(rows, 3), "warn") == 0;
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

/*
 * One batch in one transaction: each timer in its own savepoint, so a timer
 * whose work order changed meanwhile rolls back alone, and the batch commits
 * (claims and effects together) once instead of once per timer.
 */
static int process_batch(pcrm_ctx *ctx, const pcrm_actor *actor, const struct due_timer *batch,
                         int n, pcrm_time now, int *progress)
{
	int rc = pcrm__store_begin(ctx->store);
	*progress = 0;
	for (int i = 0; i < n && rc == PCRM_OK; i++) {
		int done = 0;
		rc = process_one(ctx, actor, &batch[i], now, &done);
		if (rc == PCRM_ECONFLICT || rc == PCRM_ERETRY) {
			pcrm_error_clear(); /* changed meanwhile: the next tick takes it */
			rc = PCRM_OK;
		}
		*progress += done;
	}
	rc = pcrm__store_finish(ctx->store, rc);
	if (rc != PCRM_OK)
		*progress = 0;
	return rc;
}

int pcrm_workorder_tick(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_time now, int *processed)
{
	struct due_timer *batch;
	int total = 0, rc;

	if (processed)
		*processed = 0;
	rc = pcrm_authorize(ctx, actor, PCRM_PERM_WORKORDER_SUPERVISE, NULL);
	if (rc != PCRM_OK)
		return rc;
	batch = calloc(BATCH, sizeof(*batch));
	if (!batch)
		return pcrm__error_oom();
	for (;;) {
		int n = 0, progress = 0;
		rc = due_batch(ctx, now, batch, &n);
		if (rc == PCRM_OK && n > 0)
			rc = process_batch(ctx, actor, batch, n, now, &progress);
		if (rc == PCRM_ERETRY && ctx->store->tx_depth == 0) {
			pcrm_error_clear(); /* the whole batch lost a race: the next tick takes it */
			rc = PCRM_OK;
		}
		total += progress;
		/* a batch that made no progress is left to other processes or the next tick */
		if (rc != PCRM_OK || n < BATCH || progress == 0)
			break;
	}
	free(batch);
	if (processed)
		*processed = total;
	return rc;
}
