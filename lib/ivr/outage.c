/*
 * The outage list of transformer areas (台区), which the IVR reads to tell
 * callers about planned outages and faults being repaired (docs/ivr.md,
 * "Outages").  The archive knows each customer's area; nothing else in the
 * library did know about outages, so the list is its own table (migration
 * 29).  A fault's entry may name its master work order: repair calls are
 * attached to it, and closing it ends the outage for the IVR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <powercrm/ivr.h>
#include <powercrm/workflow.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/text_check.h"
#include "core/uuid.h"
#include "ivr_internal.h"
#include "org/org_internal.h"
#include "store/store.h"

static int check_spec(const pcrm_ivr_outage_spec *s)
{
	int rc;

	if (s == NULL)
		return pcrm__error(PCRM_EINVAL, "spec: missing");
	if (s->version != PCRM_IVR_OUTAGE_SPEC_VERSION)
		return pcrm__error(PCRM_EINVAL, "spec.version: %u is not %d (initialise it with "
		                   "PCRM_IVR_OUTAGE_SPEC_INIT)", s->version, PCRM_IVR_OUTAGE_SPEC_VERSION);
	if ((rc = pcrm__code_check("spec.org_unit", s->org_unit, 64)) != PCRM_OK ||
	    (rc = pcrm__code_check("spec.transformer_area", s->transformer_area, 64)) != PCRM_OK)
		return rc;
	if (s->kind != PCRM_IVR_OUTAGE_PLANNED && s->kind != PCRM_IVR_OUTAGE_FAULT)
		return pcrm__error(PCRM_EINVAL, "spec.kind: %d is not planned or fault", (int)s->kind);
	if (s->starts_at <= 0)
		return pcrm__error(PCRM_EINVAL, "spec.starts_at: missing");
	if (s->ends_at <= s->starts_at)
		return pcrm__error(PCRM_EINVAL, "spec.ends_at: must be after spec.starts_at");
	if (s->reason == NULL)
		return pcrm__error(PCRM_EINVAL, "spec.reason: missing");
	if (strlen(s->reason) > PCRM_IVR_OUTAGE_REASON_MAX)
		return pcrm__error(PCRM_EINVAL, "spec.reason: longer than %d bytes",
		                   PCRM_IVR_OUTAGE_REASON_MAX);
	if ((rc = pcrm__text_check("spec.reason", s->reason, strlen(s->reason), 0)) != PCRM_OK)
		return rc;
	if (s->master_workorder != NULL && !pcrm__uuid_is_valid(s->master_workorder))
		return pcrm__error(PCRM_EINVAL, "spec.master_workorder: not a work-order id");
	return PCRM_OK;
}

/* The master must exist for the actor and be open: a closed one would end the outage at once. */
static int check_master(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id)
{
	pcrm_workorder *wo = NULL;
	int rc = pcrm_workorder_get(ctx, actor, id, &wo);

	if (rc == PCRM_OK && strcmp(pcrm_workorder_status(wo), "open") != 0)
		rc = pcrm__error(PCRM_ESTATE, "spec.master_workorder: %s is not open", id);
	pcrm_workorder_free(wo);
	return rc;
}

struct publish_arg {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	const pcrm_ivr_outage_spec *spec;
	char id[PCRM_UUID_STRING_LEN + 1];
};

static int publish_body(void *arg)
{
	struct publish_arg *a = arg;
	const pcrm_ivr_outage_spec *s = a->spec;
	const char *kind = s->kind == PCRM_IVR_OUTAGE_FAULT ? "fault" : "planned";
	pcrm_sql_value p[10] = {
		PCRM_SQL_S(a->id), PCRM_SQL_S(s->org_unit), PCRM_SQL_S(s->transformer_area),
		PCRM_SQL_S(kind), PCRM_SQL_I(s->starts_at), PCRM_SQL_I(s->ends_at),
		PCRM_SQL_S(s->reason), PCRM_SQL_S(s->master_workorder),
		PCRM_SQL_I(pcrm_ctx_now(a->ctx)), PCRM_SQL_S(a->actor->operator_id)
	};
	json_t *summary;
	int rc = pcrm__store_exec(a->ctx->store,
	                          "INSERT INTO outage (id, org_unit, transformer_area, kind, starts_at,"
	                          " ends_at, reason, master_workorder, created_at, created_by)"
	                          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
	                          p, 10, NULL);

	if (rc != PCRM_OK)
		return rc;
	summary = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s?}", "transformer_area",
	                    s->transformer_area, "kind", kind, "org_unit", s->org_unit, "starts_at",
	                    (json_int_t)s->starts_at, "ends_at", (json_int_t)s->ends_at,
	                    "master_workorder", s->master_workorder);
	if (summary == NULL)
		return pcrm__error_oom();
	rc = pcrm__audit_append(a->ctx, a->actor, "ivr.outage_publish", "outage", a->id, summary);
	json_decref(summary);
	return rc;
}

int pcrm_ivr_outage_publish(pcrm_ctx *ctx, const pcrm_actor *actor,
                            const pcrm_ivr_outage_spec *spec, char **out)
{
	struct publish_arg a = { .ctx = ctx, .actor = actor, .spec = spec };
	int rc;

	if (out == NULL)
		return pcrm__error(PCRM_EINVAL, "out: missing");
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = check_spec(spec);
	if (rc == PCRM_OK)
		rc = pcrm__authorize_object(ctx, actor, PCRM_PERM_WORKORDER_HANDLE, "org_unit",
		                            spec->org_unit, spec->org_unit);
	if (rc == PCRM_OK && spec->master_workorder != NULL)
		rc = check_master(ctx, actor, spec->master_workorder);
	if (rc != PCRM_OK)
		return rc;
	pcrm__uuid_new(a.id);
	rc = pcrm__store_transaction(ctx->store, publish_body, &a);
	if (rc == PCRM_OK && (*out = strdup(a.id)) == NULL)
		rc = pcrm__error_oom();
	return rc;
}

struct change_arg {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	const char *id;
	pcrm_time ends_at; /* 0: end now */
};

static int change_body(void *arg)
{
	struct change_arg *a = arg;
	pcrm_sql_value p[1] = { PCRM_SQL_S(a->id) };
	pcrm_time now = pcrm_ctx_now(a->ctx);
	pcrm_rows *rows = NULL;
	char org[65] = "";
	pcrm_time starts_at = 0;
	int ended = 0, found;
	json_t *summary;
	int rc = pcrm__store_query(a->ctx->store,
	                           "SELECT org_unit, starts_at, ended_at FROM outage WHERE id = $1",
	                           p, 1, &rows);

	if (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		snprintf(org, sizeof(org), "%s", pcrm__rows_text(rows, 0));
		starts_at = pcrm__rows_int(rows, 1);
		ended = !pcrm__rows_is_null(rows, 2);
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	found = rc == 1;
	/* one refusal for an id nobody has and one outside the subtree */
	rc = pcrm__authorize_found(a->ctx, a->actor, PCRM_PERM_WORKORDER_HANDLE, "outage", a->id,
	                           found ? PCRM_OK : PCRM_ENOTFOUND, org);
	if (rc != PCRM_OK)
		return rc;
	if (ended)
		return pcrm__error(PCRM_ESTATE, "outage %s: has ended", a->id);
	if (a->ends_at != 0) {
		pcrm_sql_value u[2] = { PCRM_SQL_S(a->id), PCRM_SQL_I(a->ends_at) };

		if (a->ends_at <= starts_at)
			return pcrm__error(PCRM_EINVAL, "ends_at: must be after the outage's start");
		rc = pcrm__store_exec(a->ctx->store, "UPDATE outage SET ends_at = $2 WHERE id = $1", u,
		                      2, NULL);
		summary = json_pack("{s:I}", "ends_at", (json_int_t)a->ends_at);
	} else {
		pcrm_sql_value u[2] = { PCRM_SQL_S(a->id), PCRM_SQL_I(now) };

		rc = pcrm__store_exec(a->ctx->store, "UPDATE outage SET ended_at = $2 WHERE id = $1", u,
		                      2, NULL);
		summary = json_pack("{s:I}", "ended_at", (json_int_t)now);
	}
	if (rc == PCRM_OK && summary == NULL)
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = pcrm__audit_append(a->ctx, a->actor,
		                        a->ends_at ? "ivr.outage_revise" : "ivr.outage_end", "outage",
		                        a->id, summary);
	json_decref(summary);
	return rc;
}

static int change(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id, pcrm_time ends_at)
{
	struct change_arg a = { .ctx = ctx, .actor = actor, .id = id, .ends_at = ends_at };
	int rc = pcrm_actor_validate(actor);

	if (rc == PCRM_OK && (id == NULL || !pcrm__uuid_is_valid(id)))
		rc = pcrm__error(PCRM_EINVAL, "id: not an outage id");
	if (rc == PCRM_OK)
		rc = pcrm__store_transaction(ctx->store, change_body, &a);
	return rc;
}

int pcrm_ivr_outage_revise(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                           pcrm_time ends_at)
{
	if (ends_at <= 0)
		return pcrm__error(PCRM_EINVAL, "ends_at: missing");
	return change(ctx, actor, id, ends_at);
}

int pcrm_ivr_outage_end(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id)
{
	return change(ctx, actor, id, 0);
}
