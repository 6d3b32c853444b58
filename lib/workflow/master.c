/*
 * Master and child work orders (主单 / 子单): one outage (a transformer area
 * fault) and many callers.  Each caller's work order (a repair call, a
 * complaint ticket's order) is attached to the master; when the master
 * reaches a final state, every open child fires its definition's
 * close_with_master event in the same transaction, so they close together:
 *
 *   "close_with_master": {"event": "master_closed"}
 *
 * The event must leave every non-final state of the child's definition for
 * a final state (checked when the definition is stored), so a child can
 * always close with its master whatever state it is in; a definition
 * without close_with_master cannot be attached (the processes could not
 * close together).  A suspended child is resumed as it closes.
 *
 * The attachment is a row of work_order_link (relation "child_of", the
 * child first) and an "attach" / "attached" history entry of both; a child
 * has at most one master, and attaching a work order under one of its own
 * descendants (a cycle) is refused.  Attach and detach need
 * PCRM_PERM_WORKORDER_HANDLE on both work orders; closing the children is
 * attributed to whoever closed the master.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/uuid.h"
#include "org/org_internal.h"
#include "workorder_internal.h"

#define RELATION "child_of"
#define MAX_DEPTH 64

int pcrm__workflow_parse_close_with_master(pcrm_workflow *wf)
{
	const json_t *v = json_object_get(wf->doc, "close_with_master"), *ev;
	const char *key, *event;
	json_t *x;

	wf->close_with_master = NULL;
	if (!v)
		return PCRM_OK;
	if (!json_is_object(v))
		return pcrm__error(PCRM_EINVAL, "close_with_master: must be an object");
	json_object_foreach((json_t *)v, key, x) {
		if (strcmp(key, "event") != 0) {
			char q[PCRM_QUOTE_SIZE];
			pcrm__quote(key, strlen(key), q, sizeof(q));
			return pcrm__error(PCRM_EINVAL, "close_with_master: unknown field \"%s\"", q);
		}
	}
	ev = json_object_get(v, "event");
	if (!json_is_string(ev))
		return pcrm__error(PCRM_EINVAL, "close_with_master.event: must be an event name");
	event = json_string_value(ev);
	for (size_t i = 0; i < wf->nstates; i++) {
		const struct pcrm__wf_transition *t;
		if (wf->states[i].final)
			continue;
		t = pcrm__workflow_transition(wf, i, event);
		if (!t || !wf->states[t->to].final) {
			char q[PCRM_QUOTE_SIZE];
			pcrm__quote(event, strlen(event), q, sizeof(q));
			return pcrm__error(PCRM_EINVAL,
			                   "close_with_master.event: \"%s\" must lead from state \"%s\" "
			                   "to a final state",
			                   q, wf->states[i].name);
		}
	}
	wf->close_with_master = event;
	return PCRM_OK;
}

/* The master of `id`, or *out "" when it has none. */
static int master_of(pcrm_ctx *ctx, const char *id, char out[PCRM_WORKORDER_ID_LEN + 1])
{
	static const char sql[] = "SELECT other_id FROM work_order_link WHERE work_order_id = $1 "
	                          "AND relation = '" RELATION "'";
	pcrm_sql_value p[1] = { PCRM_SQL_S(id) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	out[0] = '\0';
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1)
		snprintf(out, PCRM_WORKORDER_ID_LEN + 1, "%s", pcrm__rows_text(rows, 0));
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

/* Refuses attaching `child` under `master` when master is child or lies below it. */
static int check_cycle(pcrm_ctx *ctx, const char *child, const char *master)
{
	char cur[PCRM_WORKORDER_ID_LEN + 1];
	int rc = PCRM_OK;
	snprintf(cur, sizeof(cur), "%s", master);
	for (int depth = 0; rc == PCRM_OK && cur[0]; depth++) {
		if (strcmp(cur, child) == 0)
			return pcrm__error(PCRM_EINVAL,
			                   "master_id: work order %s lies below %s: attaching would make "
			                   "a cycle",
			                   master, child);
		if (depth >= MAX_DEPTH)
			return pcrm__error(PCRM_EINVAL, "master_id: masters nest deeper than %d",
			                   MAX_DEPTH);
		rc = master_of(ctx, cur, cur);
	}
	return rc;
}

static int check_ids(const char *child, const char *master)
{
	if (!child || !pcrm__uuid_is_valid(child))
		return pcrm__error(PCRM_EINVAL, "id: not a work-order id (a lowercase UUID)");
	if (!master || !pcrm__uuid_is_valid(master))
		return pcrm__error(PCRM_EINVAL, "master_id: not a work-order id (a lowercase UUID)");
	if (strcmp(child, master) == 0)
		return pcrm__error(PCRM_EINVAL, "master_id: a work order cannot be its own master");
	return PCRM_OK;
}

static int check_attachable(struct pcrm__wo_op *c, struct pcrm__wo_op *m)
{
	char current[PCRM_WORKORDER_ID_LEN + 1];
	int rc;
	if (strcmp(pcrm__wo_str(c->wo, "status"), "open") != 0)
		return pcrm__error(PCRM_ESTATE, "id: work order %s is %s", c->id,
		                   pcrm__wo_str(c->wo, "status"));
	if (strcmp(pcrm__wo_str(m->wo, "status"), "open") != 0)
		return pcrm__error(PCRM_ESTATE, "master_id: work order %s is %s", m->id,
		                   pcrm__wo_str(m->wo, "status"));
	if (!c->wf->close_with_master)
		return pcrm__error(PCRM_EINVAL,
		                   "id: workflow %s cannot close with a master (its definition has "
		                   "no close_with_master)",
		                   c->wf->name);
	rc = master_of(c->ctx, c->id, current);
	if (rc == PCRM_OK && current[0])
		rc = pcrm__error(PCRM_EDUPLICATE, "id: work order %s is already attached to %s",
		                 c->id, current);
	return rc == PCRM_OK ? check_cycle(c->ctx, c->id, m->id) : rc;
}

int pcrm_workorder_attach(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                          const char *master_id)
{
	static const char sql[] = "INSERT INTO work_order_link (work_order_id, other_id, relation, "
	                          "created_by, created_at) VALUES ($1, $2, '" RELATION "', $3, $4)";
	struct pcrm__wo_entry mine = { "attach", RELATION, NULL, NULL, master_id, 0, NULL };
	struct pcrm__wo_entry theirs = { "attached", RELATION, NULL, NULL, id, 0, NULL };
	struct pcrm__wo_op c, m;
	int rc = check_ids(id, master_id);

	memset(&m, 0, sizeof(m));
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__wo_begin_change(&c, ctx, actor, id, PCRM_PERM_WORKORDER_HANDLE);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__wo_op_load(&m, ctx, actor, master_id, c.now);
	if (rc == PCRM_OK)
		rc = pcrm_authorize(ctx, actor, PCRM_PERM_WORKORDER_HANDLE,
		                    pcrm__wo_str(m.wo, "org_unit"));
	if (rc == PCRM_OK)
		rc = check_attachable(&c, &m);
	if (rc != PCRM_OK) {
		pcrm__wo_op_clear(&m);
		return pcrm__wo_refuse(&c, rc);
	}
	{
		pcrm_sql_value p[4] = { PCRM_SQL_S(id), PCRM_SQL_S(master_id),
			                PCRM_SQL_S(actor->operator_id), PCRM_SQL_I(c.now) };
		rc = pcrm__store_exec(ctx->store, sql, p, 4, NULL);
	}
	if (rc == PCRM_OK)
		rc = pcrm__wo_commit(&m, &theirs);
	pcrm__wo_op_clear(&m);
	return pcrm__wo_finish_change(&c, rc, &mine, NULL);
}

int pcrm_workorder_detach(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                          const char *master_id)
{
	static const char sql[] = "DELETE FROM work_order_link WHERE work_order_id = $1 AND "
	                          "other_id = $2 AND relation = '" RELATION "'";
	struct pcrm__wo_entry mine = { "detach", RELATION, NULL, NULL, master_id, 0, NULL };
	struct pcrm__wo_entry theirs = { "detached", RELATION, NULL, NULL, id, 0, NULL };
	struct pcrm__wo_op c, m;
	char current[PCRM_WORKORDER_ID_LEN + 1];
	int rc = check_ids(id, master_id);

	memset(&m, 0, sizeof(m));
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__wo_begin_change(&c, ctx, actor, id, PCRM_PERM_WORKORDER_HANDLE);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__wo_op_load(&m, ctx, actor, master_id, c.now);
	if (rc == PCRM_OK)
		rc = pcrm_authorize(ctx, actor, PCRM_PERM_WORKORDER_HANDLE,
		                    pcrm__wo_str(m.wo, "org_unit"));
	if (rc == PCRM_OK)
		rc = master_of(ctx, id, current);
	if (rc == PCRM_OK && strcmp(current, master_id) != 0)
		rc = pcrm__error(PCRM_ENOTFOUND, "master_id: work order %s is not attached to %s", id,
		                 master_id);
	if (rc != PCRM_OK) {
		pcrm__wo_op_clear(&m);
		return pcrm__wo_refuse(&c, rc);
	}
	{
		pcrm_sql_value p[2] = { PCRM_SQL_S(id), PCRM_SQL_S(master_id) };
		rc = pcrm__store_exec(ctx->store, sql, p, 2, NULL);
	}
	if (rc == PCRM_OK)
		rc = pcrm__wo_commit(&m, &theirs);
	pcrm__wo_op_clear(&m);
	return pcrm__wo_finish_change(&c, rc, &mine, NULL);
}

/* Closes one child with its master. */
static int close_child(struct pcrm__wo_op *master, const char *child_id)
{
	struct pcrm__wo_op c;
	const struct pcrm__wf_transition *t;
	size_t from;
	char note[80];
	json_t *patch = NULL;
	int rc = pcrm__wo_op_load(&c, master->ctx, master->actor, child_id, master->now);

	if (rc != PCRM_OK || strcmp(pcrm__wo_str(c.wo, "status"), "open") != 0) {
		pcrm__wo_op_clear(&c);
		return rc;
	}
	from = pcrm__workflow_state_index(c.wf, pcrm__wo_str(c.wo, "state"));
	t = from == (size_t)-1 || !c.wf->close_with_master ?
	            NULL :
	            pcrm__workflow_transition(c.wf, from, c.wf->close_with_master);
	if (!t) {
		rc = pcrm__error(PCRM_EINTEGRITY, "work order %s cannot close with its master %s",
		                 c.id, master->id);
	} else {
		struct pcrm__wo_entry e = { "fire", t->event, c.wf->states[from].name,
			                    c.wf->states[t->to].name, note, 1, NULL };
		snprintf(note, sizeof(note), "closed with master %s", master->id);
		if (pcrm__wo_int(c.wo, "suspended")) {
			pcrm__wo_set_int(&c, "suspended", 0);
			rc = pcrm__wo_suspension_end(&c);
		}
		patch = json_pack("{s:s}", "master_id", master->id);
		if (rc == PCRM_OK && !patch)
			rc = pcrm__error_oom();
		if (rc == PCRM_OK)
			rc = pcrm__wo_transition(&c, t, patch);
		if (rc == PCRM_OK)
			rc = pcrm__wo_commit(&c, &e);
	}
	json_decref(patch);
	pcrm__wo_op_clear(&c);
	return rc;
}

int pcrm__wo_close_children(struct pcrm__wo_op *op)
{
	static const char sql[] = "SELECT work_order_id FROM work_order_link WHERE other_id = $1 "
	                          "AND relation = '" RELATION "' ORDER BY work_order_id";
	pcrm_sql_value p[1] = { PCRM_SQL_S(op->id) };
	json_t *ids = json_array();
	pcrm_rows *rows = NULL;
	size_t i;
	json_t *v;
	int rc = ids ? PCRM_OK : pcrm__error_oom();

	if (rc == PCRM_OK)
		rc = pcrm__store_query(op->ctx->store, sql, p, 1, &rows);
	while (rc == PCRM_OK) {
		int more = pcrm__rows_next(rows);
		if (more <= 0) {
			rc = more;
			break;
		}
		if (json_array_append_new(ids, json_string(pcrm__rows_text(rows, 0))) != 0)
			rc = pcrm__error_oom();
	}
	pcrm__rows_free(rows);
	json_array_foreach(ids, i, v) {
		if (rc != PCRM_OK)
			break;
		rc = close_child(op, json_string_value(v));
	}
	json_decref(ids);
	return rc;
}
