/*
 * Smart menus (seed 5.4, docs/ivr.md "Smart menus"): which self-service
 * item to offer a caller first, from what the library knows of the caller
 * now.  A caller in an area without power almost always calls about that;
 * one with arrears about the bill or a disconnection notice; one with an
 * open work order about its progress.  Reading these three facts is all a
 * menu costs; nothing is recorded.
 */
#include <stdio.h>
#include <string.h>

#include <powercrm/ivr.h>
#include <powercrm/ledger.h>
#include <powercrm/workflow.h>

#include "core/ctx.h"
#include "core/error.h"
#include "ivr_internal.h"

static const char *const titles[PCRM_IVR_MENU_ITEMS] = {
	[PCRM_IVR_MENU_OUTAGE] = "停电信息",     [PCRM_IVR_MENU_ARREARS] = "欠费查询",
	[PCRM_IVR_MENU_WORKORDERS] = "业务进度", [PCRM_IVR_MENU_LAST_BILL] = "电费账单",
	[PCRM_IVR_MENU_FAULT_REPORT] = "故障报修", [PCRM_IVR_MENU_AGENT] = "人工服务",
};

/* The order of the items nothing promotes. */
static const pcrm_ivr_menu_item default_order[PCRM_IVR_MENU_ITEMS] = {
	PCRM_IVR_MENU_LAST_BILL, PCRM_IVR_MENU_FAULT_REPORT, PCRM_IVR_MENU_OUTAGE,
	PCRM_IVR_MENU_ARREARS,   PCRM_IVR_MENU_WORKORDERS,  PCRM_IVR_MENU_AGENT,
};

static void add(pcrm_ivr_menu *m, pcrm_ivr_menu_item item, const char *reason, int placed[])
{
	pcrm_ivr_menu_entry *e = &m->items[m->count++];

	e->item = item;
	e->promoted = strcmp(reason, "default") != 0;
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	snprintf(e->title, sizeof(e->title), "%s", titles[item]);
	placed[item] = 1;
}

static int has_outage(pcrm_ctx *ctx, const struct pcrm__ivr_customer *c, int *yes)
{
	pcrm_ivr_outage_info first;
	int n = 0, rc = PCRM_OK;

	if (c->transformer_area[0] != '\0')
		rc = pcrm__ivr_area_outages(ctx, c->transformer_area, pcrm_ctx_now(ctx), &first, 1, &n);
	*yes = n > 0;
	return rc;
}

static int in_arrears(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no, int *yes)
{
	pcrm_arrears *a = NULL;
	int rc = pcrm_arrears_load(ctx, actor, customer_no, NULL, pcrm__ivr_today(ctx), &a);

	*yes = rc == PCRM_OK && pcrm_arrears_count(a) > 0;
	pcrm_arrears_free(a);
	return rc;
}

static int has_open_order(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                          int *yes)
{
	pcrm_workorder_filter f = PCRM_WORKORDER_FILTER_INIT;
	pcrm_workorder_list *list = NULL;
	int rc;

	f.customer_no = customer_no;
	rc = pcrm_workorder_query(ctx, actor, &f, NULL, 1, &list);
	*yes = rc == PCRM_OK && pcrm_workorder_list_count(list) > 0;
	pcrm_workorder_list_free(list);
	return rc;
}

int pcrm_ivr_smart_menu(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                        pcrm_ivr_menu *out)
{
	struct pcrm__ivr_customer cust;
	int outage = 0, arrears = 0, orders = 0, placed[PCRM_IVR_MENU_ITEMS] = { 0 };
	pcrm_ivr_menu m;
	int rc;

	if (out == NULL)
		return pcrm__error(PCRM_EINVAL, "out: missing");
	rc = pcrm__ivr_customer_load(ctx, actor, customer_no, &cust);
	if (rc == PCRM_OK)
		rc = has_outage(ctx, &cust, &outage);
	if (rc == PCRM_OK)
		rc = in_arrears(ctx, actor, customer_no, &arrears);
	if (rc == PCRM_OK)
		rc = has_open_order(ctx, actor, customer_no, &orders);
	if (rc != PCRM_OK)
		return rc;
	memset(&m, 0, sizeof(m));
	if (outage)
		add(&m, PCRM_IVR_MENU_OUTAGE, "outage_in_area", placed);
	if (arrears)
		add(&m, PCRM_IVR_MENU_ARREARS, "in_arrears", placed);
	if (orders)
		add(&m, PCRM_IVR_MENU_WORKORDERS, "open_workorders", placed);
	for (int i = 0; i < PCRM_IVR_MENU_ITEMS; i++)
		if (!placed[default_order[i]])
			add(&m, default_order[i], "default", placed);
	*out = m;
	return PCRM_OK;
}
