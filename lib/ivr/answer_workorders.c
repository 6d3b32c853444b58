/*
 * The IVR's work-order progress answer: the caller's open work orders
 * (new connection, repair, complaint, ...) in words: the workflow's title,
 * the current state's title and the next state on the main path, said in
 * Chinese and recorded in the contact history (docs/ivr.md, "Answers").
 * Built on the public API: pcrm_workorder_query() sees only the actor's
 * subtree, pcrm_workflow_get() gives the titles of the version the order
 * runs on.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <powercrm/ivr.h>
#include <powercrm/workflow.h>

#include "core/error.h"
#include "ivr_internal.h"

static const char *const ordinals[PCRM_IVR_WORKORDERS_MAX] = { "第一张", "第二张", "第三张" };

static pcrm_ivr_workorder_kind kind_of(const char *workflow)
{
	if (strncmp(workflow, "new_connection", 14) == 0)
		return PCRM_IVR_WO_NEW_CONNECTION;
	if (strncmp(workflow, "fault_repair", 12) == 0)
		return PCRM_IVR_WO_REPAIR;
	if (strncmp(workflow, "complaint", 9) == 0)
		return PCRM_IVR_WO_COMPLAINT;
	return PCRM_IVR_WO_OTHER;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* Keeps the newest PCRM_IVR_WORKORDERS_MAX of the open orders, newest first. */
static void keep(pcrm_ivr_workorders_answer *a, const pcrm_workorder *wo)
{
	pcrm_ivr_workorder_progress *p;
	int n = a->listed < PCRM_IVR_WORKORDERS_MAX ? a->listed : PCRM_IVR_WORKORDERS_MAX - 1;

	/* the query lists oldest first: each one is the newest so far */
	memmove(&a->items[1], &a->items[0], (size_t)n * sizeof(a->items[0]));
	p = &a->items[0];
	memset(p, 0, sizeof(*p));
	copy(p->id, sizeof(p->id), pcrm_workorder_id(wo));
	copy(p->workflow, sizeof(p->workflow), pcrm_workorder_workflow(wo));
	copy(p->state, sizeof(p->state), pcrm_workorder_state(wo));
	p->kind = kind_of(p->workflow);
	p->opened_at = pcrm_workorder_opened_at(wo);
	p->due_at = pcrm_workorder_due_at(wo);
	p->suspended = pcrm_workorder_is_suspended(wo);
	if (a->listed < PCRM_IVR_WORKORDERS_MAX)
		a->listed++;
}

static int load_open(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                     pcrm_ivr_workorders_answer *a, int versions[PCRM_IVR_WORKORDERS_MAX])
{
	pcrm_workorder_filter f = PCRM_WORKORDER_FILTER_INIT;
	pcrm_workorder_list *list = NULL;
	char cursor[256] = "";
	int rc;

	f.customer_no = customer_no;
	do {
		const char *next;

		rc = pcrm_workorder_query(ctx, actor, &f, cursor[0] ? cursor : NULL, 1000, &list);
		if (rc != PCRM_OK)
			return rc;
		for (size_t i = 0; i < pcrm_workorder_list_count(list); i++) {
			const pcrm_workorder *wo = pcrm_workorder_list_at(list, i);
			int n = a->listed < PCRM_IVR_WORKORDERS_MAX ? a->listed :
			                                              PCRM_IVR_WORKORDERS_MAX - 1;

			memmove(&versions[1], &versions[0], (size_t)n * sizeof(versions[0]));
			versions[0] = pcrm_workorder_workflow_version(wo);
			keep(a, wo);
			a->open++;
		}
		next = pcrm_workorder_list_next_cursor(list);
		if (next != NULL && strlen(next) >= sizeof(cursor))
			rc = pcrm__error(PCRM_EOVERFLOW, "cursor: longer than %zu bytes", sizeof(cursor));
		else
			copy(cursor, sizeof(cursor), next);
		pcrm_workorder_list_free(list);
	} while (rc == PCRM_OK && cursor[0] != '\0');
	return rc;
}

/* The title of state `name` in the definition `doc`, or NULL. */
static const char *state_title(json_t *doc, const char *name)
{
	size_t i;
	json_t *st;

	json_array_foreach(json_object_get(doc, "states"), i, st) {
		if (strcmp(json_string_value(json_object_get(st, "name")), name) == 0)
			return json_string_value(json_object_get(st, "title"));
	}
	return NULL;
}

/* The main path's next state from `state`: the first transition that leads elsewhere. */
static const char *next_state(json_t *doc, const char *state)
{
	size_t i;
	json_t *tr;

	json_array_foreach(json_object_get(doc, "transitions"), i, tr) {
		const char *from = json_string_value(json_object_get(tr, "from"));
		const char *to = json_string_value(json_object_get(tr, "to"));

		if (from && to && strcmp(from, state) == 0 && strcmp(to, state) != 0)
			return to;
	}
	return NULL;
}

/* Says one work order: "故障报修（城区）工单，当前进度：已派工，下一步：到达现场". */
static int say_order(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_ivr_workorder_progress *p,
                     int version, char *text, size_t size, size_t *len)
{
	pcrm_workflow *wf = NULL;
	json_t *doc = NULL;
	const char *title, *now, *next = NULL, *next_title = NULL;
	int rc = pcrm_workflow_get(ctx, actor, p->workflow, version, &wf);

	if (rc == PCRM_OK && (doc = json_loads(pcrm_workflow_json(wf), 0, NULL)) == NULL)
		rc = pcrm__error_oom();
	if (rc == PCRM_OK) {
		title = json_string_value(json_object_get(doc, "title"));
		now = state_title(doc, p->state);
		next = next_state(doc, p->state);
		if (next != NULL) {
			copy(p->next_state, sizeof(p->next_state), next);
			next_title = state_title(doc, next);
		}
		/* a definition without titles still gives a sentence, never an identifier */
		rc = pcrm__ivr_say(text, size, len, "%s工单，当前进度：%s%s", title ? title : "业务",
		                   now ? now : "办理中", p->suspended ? "（暂停办理）" : "");
		if (rc == PCRM_OK && next_title != NULL)
			rc = pcrm__ivr_say(text, size, len, "，下一步：%s", next_title);
		if (rc == PCRM_OK)
			rc = pcrm__ivr_say(text, size, len, "。");
	}
	json_decref(doc);
	pcrm_workflow_free(wf);
	return rc;
}

static int compose(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_ivr_workorders_answer *a,
                   const int versions[PCRM_IVR_WORKORDERS_MAX])
{
	char count[PCRM_IVR_SPEECH_MAX];
	size_t len = 0;
	int rc;

	a->text[0] = '\0';
	if (a->open == 0)
		return pcrm__ivr_say(a->text, sizeof(a->text), &len, "您目前没有正在办理的业务。");
	if (a->open == 1) {
		rc = pcrm__ivr_say(a->text, sizeof(a->text), &len, "您有一张正在办理的");
		return rc == PCRM_OK ? say_order(ctx, actor, &a->items[0], versions[0], a->text,
		                                 sizeof(a->text), &len) : rc;
	}
	rc = pcrm__ivr_speak_quantity(pcrm_decimal_from_int(a->open), "张", "open", count,
	                              sizeof(count));
	if (rc == PCRM_OK)
		rc = pcrm__ivr_say(a->text, sizeof(a->text), &len, "您有%s正在办理的工单。", count);
	for (int i = 0; rc == PCRM_OK && i < a->listed; i++) {
		rc = pcrm__ivr_say(a->text, sizeof(a->text), &len, "%s，", ordinals[i]);
		if (rc == PCRM_OK)
			rc = say_order(ctx, actor, &a->items[i], versions[i], a->text, sizeof(a->text),
			               &len);
	}
	if (rc == PCRM_OK && a->open > a->listed) {
		rc = pcrm__ivr_speak_quantity(pcrm_decimal_from_int(a->open - a->listed), "张", "open",
		                              count, sizeof(count));
		if (rc == PCRM_OK)
			rc = pcrm__ivr_say(a->text, sizeof(a->text), &len, "其余%s请咨询人工客服。",
			                   count);
	}
	return rc;
}

int pcrm_ivr_answer_workorders(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                               pcrm_ivr_workorders_answer *out)
{
	struct pcrm__ivr_answer ans;
	pcrm_ivr_workorders_answer *a;
	int versions[PCRM_IVR_WORKORDERS_MAX] = { 0 };
	int rc = pcrm__ivr_answer_begin(ctx, actor, customer_no, out, sizeof(*out), 1, &ans);

	if (rc != PCRM_OK)
		return rc;
	a = ans.data;
	rc = load_open(ctx, actor, customer_no, a, versions);
	if (rc == PCRM_OK)
		rc = compose(ctx, actor, a, versions);
	return pcrm__ivr_answer_end(&ans, rc, a->text);
}
