/*
 * Work orders and fault reports (报修) opened from a call (docs/desktop.md):
 * pcrm_workorder_open as the agent's actor, at the customer's own unit, so
 * the library's org scope (another unit's customer and an unknown one are
 * the same refusal), permission and audit apply.  The complaint, which has
 * its own library entry point, is in api.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "desktop.h"
#include "request.h"

/*
 * A business key unique among the open work orders of a workflow: the call
 * (or "nocall") and 64 random bits, so two work orders of one call differ
 * and a key says which call opened it.
 */
static int business_key(const struct desk_user *u, char *out, size_t size)
{
	unsigned char r[8];
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	if (RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	int has_call = u->device[0] && pcrm_acd_agent_get(svc.acd, u->id, &info) == PCRM_OK &&
	               info.call_id[0];
	snprintf(out, size, "desk-%.32s-%02x%02x%02x%02x%02x%02x%02x%02x",
	         has_call ? info.call_id : "nocall", r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
	return 0;
}

/*
 * Opens `workflow` for the customer at the customer's own unit, with `data`
 * (channel, agent and call added).  The customer is read as the agent
 * first: another unit's customer and a number nobody has are the library's
 * one refusal (403), and nothing is written.
 */
static int open_order(const struct desk_user *u, const pcrm_actor *actor, const char *customer_no,
                      const char *workflow, json_t *data, json_t **body)
{
	pcrm_customer *c = NULL;
	pcrm_workorder *wo = NULL;
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	char key[80], *text = NULL;
	int http;
	if (pcrm_customer_get(svc.ctx, actor, customer_no, 0, &c) != PCRM_OK) {
		http = desk_lib_error(body);
		goto done;
	}
	/* the call, never the caller's number: a work order's data is stored unsealed */
	json_object_set_new(data, "channel", json_string("phone"));
	json_object_set_new(data, "agent", json_string(u->id));
	if (u->device[0] && pcrm_acd_agent_get(svc.acd, u->id, &info) == PCRM_OK && info.call_id[0])
		json_object_set_new(data, "call_id", json_string(info.call_id));
	if (!(text = json_dumps(data, JSON_COMPACT)) || business_key(u, key, sizeof(key)) != 0) {
		http = desk_fail(body, 500, "desktop.internal", "cannot build the work order");
		goto done;
	}
	if (pcrm_workorder_open(svc.ctx, actor, workflow, key, customer_no,
	                        pcrm_customer_org_unit(c), text, &wo) != PCRM_OK) {
		http = desk_lib_error(body);
		goto done;
	}
	*body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", pcrm_workorder_id(wo), "workflow",
	                  pcrm_workorder_workflow(wo), "state", pcrm_workorder_state(wo),
	                  "business_key", pcrm_workorder_business_key(wo), "org_unit",
	                  pcrm_workorder_org_unit(wo));
	http = 201;
done:
	pcrm_workorder_free(wo);
	pcrm_customer_free(c);
	free(text);
	json_decref(data);
	return http;
}

/* The work orders an agent opens from a call (the complaint has its own endpoint). */
static const char *const order_kinds[] = { "inquiry", "suggestion", "report", NULL };

int desk_api_workorder(const struct desk_request *req, const struct desk_user *u,
                         const pcrm_actor *actor, json_t **body)
{
	static const struct desk_field fields[] = { { "customer_no", 1, 32 }, { "kind", 1, 32 },
		{ "summary", 1, 2000 }, { NULL, 0, 0 } };
	const char *v[3];
	struct desk_refusal why;
	json_t *o = desk_parse_body(req->body, req->body_len, fields, v, &why);
	if (!o)
		return desk_refused(body, &why);
	int kind = desk_parse_choice(v[1], order_kinds, "kind", &why);
	int http = kind < 0 ? desk_refused(body, &why)
	                    : open_order(u, actor, v[0], order_kinds[kind],
	                                 json_pack("{s:s}", "summary", v[2]), body);
	json_decref(o);
	return http;
}

/* 报修: the fault kinds of the form, and the area that picks the workflow (its time limits). */
static const char *const fault_kinds[] = { "no_power", "partial_outage", "voltage", "meter",
	                                   "line_down", "other", NULL };
static const char *const fault_areas[] = { "urban", "rural", NULL };
static const char *const fault_workflows[] = { "fault_repair_urban", "fault_repair_rural" };

int desk_api_fault(const struct desk_request *req, const struct desk_user *u,
                     const pcrm_actor *actor, json_t **body)
{
	static const struct desk_field fields[] = { { "customer_no", 1, 32 }, { "fault", 1, 32 },
		{ "area", 0, 16 }, { "description", 1, 2000 }, { NULL, 0, 0 } };
	const char *v[4];
	struct desk_refusal why;
	json_t *o = desk_parse_body(req->body, req->body_len, fields, v, &why);
	if (!o)
		return desk_refused(body, &why);
	int fault = desk_parse_choice(v[1], fault_kinds, "fault", &why);
	int area = fault < 0 ? -1 : desk_parse_choice(*v[2] ? v[2] : "urban", fault_areas, "area", &why);
	int http = area < 0 ? desk_refused(body, &why)
	                    : open_order(u, actor, v[0], fault_workflows[area],
	                                 json_pack("{s:s, s:s}", "fault", fault_kinds[fault],
	                                           "description", v[3]), body);
	json_decref(o);
	return http;
}
