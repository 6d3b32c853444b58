/*
 * The approval of an article version as a work order of the workflow
 * engine (workflow "kb_article", data/workflows/kb-article.json): each
 * version is one work order, opened in "draft" when the version is
 * written; approving fires "approve", retiring "retire", and a newer
 * version's approval fires "supersede" on the version it replaces.  So
 * every step passes the engine's checks (the permission its transition
 * names, kb.approve in the shipped definition, on the article's unit, and
 * the transition's guard) and lands in the work order's history, after the
 * module's own kb.approve check.
 *
 * The article's status is set from the state the work order reached, in
 * the same transaction (the engine's change nests as a savepoint), so the
 * two never disagree through these calls.  A version written before
 * migration 35 has no work order: it gets one when it next moves (an
 * approved one is first moved to "approved" with a note saying so).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <powercrm/workflow.h>

#include "core/error.h"
#include "core/ctx.h"
#include "kb_internal.h"
#include "store/store.h"

#define WORKFLOW "kb_article"

pcrm_kb_status pcrm__kb_status_of_state(const char *state)
{
	if (strcmp(state, "draft") == 0)
		return PCRM_KB_DRAFT;
	if (strcmp(state, "approved") == 0)
		return PCRM_KB_APPROVED;
	if (strcmp(state, "retired") == 0)
		return PCRM_KB_RETIRED;
	return (pcrm_kb_status)0;
}

static int remember(pcrm_ctx *ctx, const struct pcrm__kb_version_ref *v,
                    const char *work_order_id)
{
	pcrm_sql_value p[3] = { PCRM_SQL_S(work_order_id), PCRM_SQL_S(v->article_id),
		                PCRM_SQL_I(v->version) };
	return pcrm__store_exec(ctx->store, "UPDATE kb_article SET work_order_id = $1 WHERE "
	                                    "article_id = $2 AND version = $3",
	                        p, 3, NULL);
}

int pcrm__kb_approval_open(pcrm_ctx *ctx, const pcrm_actor *actor,
                           const struct pcrm__kb_version_ref *v, char work_order_id[40])
{
	char key[64], data[96];
	pcrm_workorder *wo = NULL;
	int rc;

	snprintf(key, sizeof(key), "kb:%s:%d", v->article_id, v->version);
	snprintf(data, sizeof(data), "{\"article_id\": \"%s\", \"version\": %d}", v->article_id,
	         v->version);
	rc = pcrm_workorder_open(ctx, actor, WORKFLOW, key, NULL, v->org_unit, data, &wo);
	if (rc == PCRM_OK) {
		snprintf(work_order_id, 40, "%s", pcrm_workorder_id(wo));
		rc = remember(ctx, v, work_order_id);
	}
	pcrm_workorder_free(wo);
	return rc;
}

/* Fires `event` on the work order at the version it has now; *state the state reached. */
static int fire(pcrm_ctx *ctx, const pcrm_actor *actor, const char *work_order_id,
                const char *event, const char *data, const char *note, pcrm_kb_status *status)
{
	pcrm_workorder *wo = NULL, *after = NULL;
	int rc = pcrm_workorder_get(ctx, actor, work_order_id, &wo);
	if (rc == PCRM_OK)
		rc = pcrm_workorder_fire(ctx, actor, work_order_id, pcrm_workorder_version(wo), event,
		                         data, note, &after);
	if (rc == PCRM_OK)
		*status = pcrm__kb_status_of_state(pcrm_workorder_state(after));
	pcrm_workorder_free(wo);
	pcrm_workorder_free(after);
	return rc;
}

int pcrm__kb_approval_fire(pcrm_ctx *ctx, const pcrm_actor *actor,
                           const struct pcrm__kb_version_ref *v, const char *event,
                           const char *data, pcrm_kb_status *status)
{
	char opened[40];
	const char *id = v->work_order_id;
	int rc = PCRM_OK;

	if (!id || !*id) {
		/* written before migration 35: its work order starts now, in its status */
		rc = pcrm__kb_approval_open(ctx, actor, v, opened);
		if (rc == PCRM_OK && v->status == PCRM_KB_APPROVED)
			rc = fire(ctx, actor, opened, "approve", NULL,
			          "approved before the approval workflow (schema 35)", status);
		id = opened;
	}
	if (rc == PCRM_OK)
		rc = fire(ctx, actor, id, event, data, NULL, status);
	return rc;
}
