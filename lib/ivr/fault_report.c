/*
 * A self-service fault report from the IVR (docs/ivr.md, "Fault reports"):
 * opens a repair work order for the caller and, when the caller's
 * transformer area has a fault being repaired under a master work order,
 * attaches it there, so the caller's order closes with the outage's and
 * the caller hears the estimated restoration instead of waiting for a
 * crew that is already on site.  One open repair per customer: a second
 * call while it is open gets the same order back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <powercrm/ivr.h>
#include <powercrm/workflow.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/text_check.h"
#include "ivr_internal.h"
#include "store/store.h"

struct report_arg {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	const struct pcrm__ivr_customer *cust;
	const char *workflow, *org_unit;
	pcrm_ivr_fault_report *r;
};

/* The customer's open repair order the actor sees, if any, into r->workorder_id. */
static int open_repair(struct report_arg *a, int *found)
{
	pcrm_workorder_filter f = PCRM_WORKORDER_FILTER_INIT;
	pcrm_workorder_list *list = NULL;
	int rc;

	*found = 0;
	f.customer_no = a->cust->customer_no;
	rc = pcrm_workorder_query(a->ctx, a->actor, &f, NULL, 1000, &list);
	for (size_t i = 0; rc == PCRM_OK && i < pcrm_workorder_list_count(list); i++) {
		const pcrm_workorder *wo = pcrm_workorder_list_at(list, i);

		if (strncmp(pcrm_workorder_workflow(wo), "fault_repair", 12) == 0) {
			snprintf(a->r->workorder_id, sizeof(a->r->workorder_id), "%s",
			         pcrm_workorder_id(wo));
			*found = 1;
			break;
		}
	}
	pcrm_workorder_list_free(list);
	return rc;
}

/* "IVR-<customer>-<yyyymmddhhmmss>": at most 64 bytes, unique per customer and second. */
static void business_key(struct report_arg *a, char key[65])
{
	pcrm_civil c = { 0, 0, 0, 0, 0, 0 };

	(void)pcrm_time_to_civil(pcrm_ctx_now(a->ctx), pcrm_ctx_utc_offset(a->ctx), &c);
	snprintf(key, 65, "IVR-%.44s-%04d%02d%02d%02d%02d%02d", a->cust->customer_no, c.year,
	         c.month, c.day, c.hour, c.minute, c.second);
}

static int open_and_attach(struct report_arg *a)
{
	pcrm_ivr_outage_info outages[PCRM_IVR_OUTAGES_MAX];
	pcrm_workorder *wo = NULL;
	json_t *data;
	char key[65], *json;
	int n = 0, rc;

	if (a->cust->transformer_area[0] != '\0') {
		rc = pcrm__ivr_area_outages(a->ctx, a->cust->transformer_area, pcrm_ctx_now(a->ctx),
		                            outages, PCRM_IVR_OUTAGES_MAX, &n);
		if (rc != PCRM_OK)
			return rc;
	}
	data = json_pack("{s:s, s:s, s:s?}", "source", "ivr", "fault", "no_power",
	                 "transformer_area",
	                 a->cust->transformer_area[0] ? a->cust->transformer_area : NULL);
	json = data ? json_dumps(data, JSON_COMPACT) : NULL;
	json_decref(data);
	if (json == NULL)
		return pcrm__error_oom();
	business_key(a, key);
	rc = pcrm_workorder_open(a->ctx, a->actor, a->workflow, key, a->cust->customer_no,
	                         a->org_unit ? a->org_unit : a->cust->org_unit, json, &wo);
	free(json);
	if (rc != PCRM_OK)
		return rc;
	snprintf(a->r->workorder_id, sizeof(a->r->workorder_id), "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
	a->r->opened = 1;
	/* the first fault going on now with a master: that is the one being repaired */
	for (int i = 0; i < n && i < PCRM_IVR_OUTAGES_MAX; i++) {
		const pcrm_ivr_outage_info *o = &outages[i];

		if (o->kind != PCRM_IVR_OUTAGE_FAULT || !o->in_progress || !o->master_workorder[0])
			continue;
		rc = pcrm_workorder_attach(a->ctx, a->actor, a->r->workorder_id, o->master_workorder);
		if (rc != PCRM_OK)
			return rc;
		memcpy(a->r->outage_id, o->id, sizeof(a->r->outage_id));
		memcpy(a->r->master_workorder, o->master_workorder, sizeof(a->r->master_workorder));
		a->r->restore_estimate = o->ends_at;
		break;
	}
	return PCRM_OK;
}

static int compose(struct report_arg *a)
{
	char when[PCRM_IVR_SPEECH_MAX];
	size_t len = 0;
	int rc;

	if (!a->r->opened)
		return pcrm__ivr_say(a->r->text, sizeof(a->r->text), &len,
		                     "您已报修，抢修工单正在办理中，无需重复报修。");
	if (!a->r->master_workorder[0])
		return pcrm__ivr_say(a->r->text, sizeof(a->r->text), &len,
		                     "您的故障报修已受理，我们将尽快安排抢修人员与您联系。");
	rc = pcrm__ivr_speak_instant(a->ctx, a->r->restore_estimate, when, sizeof(when));
	if (rc != PCRM_OK)
		return rc;
	return pcrm__ivr_say(a->r->text, sizeof(a->r->text), &len,
	                     "您的故障报修已受理。您所在台区的故障正在抢修，预计%s恢复供电，"
	                     "请您耐心等待。", when);
}

static int report_body(void *arg)
{
	struct report_arg *a = arg;
	int found, rc;

	/* from scratch on a retry */
	memset(a->r, 0, sizeof(*a->r));
	rc = open_repair(a, &found);
	if (rc == PCRM_OK && !found)
		rc = open_and_attach(a);
	if (rc == PCRM_OK)
		rc = compose(a);
	if (rc == PCRM_OK)
		rc = pcrm__ivr_record(a->ctx, a->actor, a->cust->customer_no, a->r->text);
	return rc;
}

int pcrm_ivr_report_fault(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                          const char *workflow, const char *org_unit, pcrm_ivr_fault_report *out)
{
	struct pcrm__ivr_answer ans;
	struct report_arg a;
	int rc = pcrm__ivr_answer_begin(ctx, actor, customer_no, out, sizeof(*out), 1, &ans);

	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__code_check("workflow", workflow, 64);
	if (rc == PCRM_OK && org_unit != NULL)
		rc = pcrm__code_check("org_unit", org_unit, 64);
	a = (struct report_arg){ .ctx = ctx, .actor = actor, .cust = &ans.cust, .workflow = workflow,
		                 .org_unit = org_unit, .r = ans.data };
	if (rc == PCRM_OK)
		rc = pcrm__store_transaction(ctx->store, report_body, &a);
	/* recorded in report_body: the contact goes with the work order or not at all */
	return pcrm__ivr_answer_end(&ans, rc, NULL);
}
