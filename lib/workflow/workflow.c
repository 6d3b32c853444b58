/*
 * Workflow definitions in the store: every stored document becomes the next
 * version of its name; work orders keep the version they were opened with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "org/org_internal.h"
#include "store/store.h"
#include "workflow_store.h"

int pcrm__workflow_load(pcrm_ctx *ctx, const char *name, int version, pcrm_workflow **out)
{
	static const char by_version[] =
		"SELECT doc, calendar, version FROM workflow_def WHERE name = $1 AND version = $2";
	static const char newest[] = "SELECT doc, calendar, version FROM workflow_def "
	                             "WHERE name = $1 ORDER BY version DESC LIMIT 1";
	pcrm_sql_value p[2] = { PCRM_SQL_S(name), PCRM_SQL_I(version) };
	pcrm_rows *rows;
	int rc;

	*out = NULL;
	rc = pcrm__store_query(ctx->store, version ? by_version : newest, p, version ? 2 : 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1) {
		rc = pcrm__workflow_parse(pcrm__rows_text(rows, 0), pcrm__rows_text(rows, 1), out);
		if (rc == PCRM_OK)
			(*out)->version = (int)pcrm__rows_int(rows, 2);
		else
			pcrm__error_prefix("stored workflow \"%.64s\"", name);
	} else if (rc == 0) {
		rc = version ? pcrm__error(PCRM_ENOTFOUND, "workflow \"%.64s\" has no version %d",
		                           name, version) :
		               pcrm__error(PCRM_ENOTFOUND, "workflow \"%.64s\" does not exist", name);
	}
	pcrm__rows_free(rows);
	return rc;
}

/* The newest version's texts, to skip storing an identical document again. */
static int newest_same(pcrm_ctx *ctx, const pcrm_workflow *wf, int *version)
{
	pcrm_workflow *old = NULL;
	int rc = pcrm__workflow_load(ctx, wf->name, 0, &old);
	*version = 0;
	if (rc == PCRM_ENOTFOUND) {
		pcrm_error_clear();
		return PCRM_OK;
	}
	if (rc != PCRM_OK)
		return rc;
	if (strcmp(old->text, wf->text) == 0 &&
	    ((!old->calendar_text && !wf->calendar_text) ||
	     (old->calendar_text && wf->calendar_text &&
	      strcmp(old->calendar_text, wf->calendar_text) == 0)))
		*version = -old->version; /* same document: negative marks "exists" */
	else
		*version = old->version;
	pcrm_workflow_free(old);
	return PCRM_OK;
}

static int insert_def(pcrm_ctx *ctx, const pcrm_actor *actor, const pcrm_workflow *wf, int version)
{
	static const char sql[] = "INSERT INTO workflow_def (name, version, doc, calendar, "
	                          "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
	pcrm_sql_value p[6] = { PCRM_SQL_S(wf->name), PCRM_SQL_I(version), PCRM_SQL_S(wf->text),
		                PCRM_SQL_S(wf->calendar_text), PCRM_SQL_S(actor->operator_id),
		                PCRM_SQL_I(pcrm_ctx_now(ctx)) };
	json_t *summary;
	char id[PCRM__WF_NAME_MAX + 16];
	int rc = pcrm__store_exec(ctx->store, sql, p, 6, NULL);
	if (rc == PCRM_EDUPLICATE) /* another process stored this version first */
		return pcrm__error(PCRM_ERETRY, "workflow \"%s\" version %d was defined meanwhile: "
		                                "retry", wf->name, version);
	if (rc != PCRM_OK)
		return rc;
	summary = json_pack("{s:s, s:i, s:I, s:b}", "name", wf->name, "version", version,
	                    "states", (json_int_t)wf->nstates, "calendar", wf->calendar != NULL);
	if (!summary)
		return pcrm__error_oom();
	snprintf(id, sizeof(id), "%s/%d", wf->name, version);
	rc = pcrm__audit_append(ctx, actor, "workflow.define", "workflow", id, summary);
	json_decref(summary);
	return rc;
}

int pcrm_workflow_define(pcrm_ctx *ctx, const pcrm_actor *actor, const char *json,
                         const char *calendar_json, int *version)
{
	pcrm_workflow *wf = NULL;
	int newest = 0, rc;

	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__workflow_parse(json, calendar_json, &wf);
	if (rc == PCRM_OK)
		rc = pcrm_authorize(ctx, actor, PCRM_PERM_ORG_WRITE, NULL);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK) {
		/* read inside the transaction: two definers get versions n and n+1, or a retry */
		rc = newest_same(ctx, wf, &newest);
		if (rc == PCRM_OK && newest >= 0)
			rc = insert_def(ctx, actor, wf, ++newest);
		rc = pcrm__store_finish(ctx->store, rc);
	}
	if (rc == PCRM_OK && version)
		*version = newest < 0 ? -newest : newest;
	pcrm_workflow_free(wf);
	return rc;
}

int pcrm_workflow_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *name, int version,
                      pcrm_workflow **out)
{
	int rc;
	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	if (!name || !*name)
		return pcrm__error(PCRM_EINVAL, "name: missing");
	if (version < 0)
		return pcrm__error(PCRM_EINVAL, "version: %d is negative (0 = the newest)", version);
	rc = pcrm_authorize(ctx, actor, PCRM_PERM_ARCHIVE_READ, NULL);
	return rc == PCRM_OK ? pcrm__workflow_load(ctx, name, version, out) : rc;
}
