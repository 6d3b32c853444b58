/*
 * The JSON endpoints behind a session (docs/desktop.md lists them).  Every
 * store operation acts as the logged-in agent's actor, so the library's org
 * scope, permissions and audit apply exactly as they would to any other
 * client; the desktop adds no permission logic of its own beyond "only a
 * supervisor sees the wallboard" and "only your own phone".
 *
 * Errors are {"error": reason id, "field": ..., "message": ...} with the
 * HTTP status of the library status; the library's messages never quote
 * personal data, and nothing here adds any.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "desktop.h"
#include "request.h"

json_t *desk_error(const char *id, const char *message)
{
	return json_pack("{s:s, s:s}", "error", id, "message", message);
}

/* The last library error as a JSON body; returns its HTTP status. */
int desk_lib_error(json_t **body)
{
	int st = pcrm_error_last_status();
	int http = st == PCRM_EINVAL ? 400 : st == PCRM_ENOTFOUND ? 404 : st == PCRM_EPERM ? 403
	         : (st == PCRM_ESTATE || st == PCRM_EDUPLICATE || st == PCRM_ECONFLICT) ? 409 : 500;
	*body = json_pack("{s:s, s:s, s:s}", "error", pcrm_error_reason(), "field",
	                  pcrm_error_field(), "message", pcrm_error_last());
	return http;
}

int desk_fail(json_t **body, int http, const char *id, const char *message)
{
	*body = desk_error(id, message);
	return http;
}

/* A refused request (request.c) as its JSON error; returns its HTTP status. */
int desk_refused(json_t **body, const struct desk_refusal *why)
{
	*body = json_pack("{s:s, s:s, s:s}", "error", why->id, "field", why->field, "message",
	                  why->message);
	return why->http;
}

static json_t *agent_json(const char *agent_id)
{
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	if (pcrm_acd_agent_get(svc.acd, agent_id, &info) != PCRM_OK)
		return json_pack("{s:s}", "state", "none");
	return json_pack("{s:s, s:s, s:s, s:I}", "state", pcrm_acd_agent_state_name(info.state),
	                 "reason", info.reason, "call_id", info.call_id, "since", (json_int_t)info.state_since);
}

/* ---- agent state ---- */

static const char *const reasons[] = { "break", "meal", "training", "meeting", NULL };
static const char *const states[] = { "ready", "not_ready", "wrap_up_end", NULL };

static int api_state(const struct desk_request *req, const struct desk_user *u, json_t **body)
{
	static const struct desk_field fields[] = { { "state", 1, 32 }, { "reason", 0, 32 }, { NULL, 0, 0 } };
	const char *v[2];
	struct desk_refusal why;
	json_t *o = desk_parse_body(req->body, req->body_len, fields, v, &why);
	int http, state;
	if (!o)
		return desk_refused(body, &why);
	if ((state = desk_parse_choice(v[0], states, "state", &why)) < 0 ||
	    (state == 1 && desk_parse_choice(v[1], reasons, "reason", &why) < 0)) {
		http = desk_refused(body, &why);
		goto done;
	}
	if (!u->device[0]) {
		http = desk_fail(body, 409, "desktop.no_phone", "this user has no phone to take calls on");
		goto done;
	}
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	int rc;
	if (state == 0) {
		rc = pcrm_tel_agent_set_state(svc.tel, u->id, u->device, PCRM_TEL_AGENT_READY, NULL);
	} else if (state == 1) {
		rc = pcrm_tel_agent_set_state(svc.tel, u->id, u->device, PCRM_TEL_AGENT_NOT_READY, v[1]);
	} else {
		if (pcrm_acd_agent_get(svc.acd, u->id, &info) != PCRM_OK ||
		    info.state != PCRM_ACD_WRAP_UP) {
			http = desk_fail(body, 409, "desktop.not_in_wrap_up", "state: the agent is not in wrap-up");
			goto done;
		}
		rc = pcrm_tel_agent_set_state(svc.tel, u->id, u->device, PCRM_TEL_AGENT_READY, NULL);
	}
	if (rc != PCRM_OK) {
		http = desk_lib_error(body);
		goto done;
	}
	*body = agent_json(u->id);
	http = 200;
done:
	json_decref(o);
	return http;
}

/* ---- the current call ---- */

static int api_call(const struct desk_user *u, json_t **body)
{
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	if (pcrm_acd_agent_get(svc.acd, u->id, &info) != PCRM_OK || !info.call_id[0]) {
		*body = json_pack("{s:n}", "call");
		return 200;
	}
	pcrm_tel_call_info call = PCRM_TEL_CALL_INFO_INIT;
	if (pcrm_tel_call_get(svc.tel, info.call_id, &call) != PCRM_OK) {
		/* wrap-up after the call cleared: the switch has forgotten it */
		*body = json_pack("{s:{s:s, s:s}}", "call", "call_id", info.call_id, "state", "cleared");
		return 200;
	}
	*body = json_pack("{s:{s:s, s:s, s:s, s:s, s:s}}", "call", "call_id", call.call_id, "state",
	                  pcrm_tel_call_state_name(call.state), "queue", call.queue_id,
	                  "caller_number", call.caller_number, "customer_no", call.customer_no);
	return 200;
}

static int api_call_action(const struct desk_request *req, const struct desk_user *u, json_t **body)
{
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	if (!u->device[0] || pcrm_acd_agent_get(svc.acd, u->id, &info) != PCRM_OK || !info.call_id[0])
		return desk_fail(body, 409, "desktop.no_call", "the agent has no call");
	int answer = strcmp(req->path, "/api/call/answer") == 0;
	int rc = answer ? pcrm_tel_answer(svc.tel, info.call_id, u->device)
	                : pcrm_tel_hangup(svc.tel, info.call_id, u->device);
	if (rc != PCRM_OK)
		return desk_lib_error(body);
	*body = agent_json(u->id);
	return 200;
}

/* ---- the screen pop ---- */

/* "张建国" -> "张**": the first character, a star for each further one. */
static char *mask_name(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1), *p = out;
	if (!out)
		return NULL;
	size_t first = 1;
	while (first < n && ((unsigned char)s[first] & 0xC0) == 0x80)
		first++;
	memcpy(p, s, first);
	p += first;
	for (size_t i = first; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			*p++ = '*';
	*p = '\0';
	return out;
}

/* "13953100001" -> "139****0001"; shorter numbers keep their last four. */
static void mask_digits(const char *s, char *out, size_t size)
{
	size_t n = strlen(s);
	snprintf(out, size, "%s", s);
	size_t from = n > 7 ? 3 : 0, to = n > 4 ? n - 4 : 0;
	for (size_t i = from; i < to && i < size - 1; i++)
		out[i] = '*';
}

static void mask_customer(json_t *c)
{
	json_t *name = json_object_get(c, "name");
	if (json_is_string(name)) {
		char *m = mask_name(json_string_value(name));
		if (m)
			json_object_set_new(c, "name", json_string(m));
		free(m);
	}
	json_t *phones = json_object_get(c, "phones"), *v;
	const char *key;
	json_object_foreach(phones, key, v) {
		if (json_is_string(v)) {
			char buf[64];
			mask_digits(json_string_value(v), buf, sizeof(buf));
			json_object_set_new(phones, key, json_string(buf));
		}
	}
	static const char *const hidden[] = { "address", "email", NULL };
	for (const char *const *h = hidden; *h; h++)
		if (json_object_get(c, *h))
			json_object_set_new(c, *h, json_string("***"));
}

static json_t *contacts_json(const pcrm_contact_list *list)
{
	json_t *a = json_array();
	for (size_t i = 0; i < pcrm_contact_list_count(list); i++) {
		const pcrm_contact *k = pcrm_contact_list_at(list, i);
		char at[40] = "";
		pcrm_time_format(pcrm_contact_at(k), 8 * 3600, at, sizeof(at));
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
		                                   pcrm_contact_id(k), "at", at, "channel",
		                                   pcrm_contact_channel(k), "agent", pcrm_contact_agent(k),
		                                   "business_code", pcrm_contact_business_code(k) ? pcrm_contact_business_code(k) : "",
		                                   "summary", pcrm_contact_summary(k),
		                                   "work_order_id", pcrm_contact_work_order_id(k) ? pcrm_contact_work_order_id(k) : ""));
	}
	return a;
}

static pcrm_date today(void)
{
	pcrm_civil c;
	pcrm_date d = { 2026, 1, 1 };
	if (pcrm_time_to_civil(pcrm_ctx_now(svc.ctx), pcrm_ctx_utc_offset(svc.ctx), &c) == PCRM_OK) {
		d.year = c.year;
		d.month = c.month;
		d.day = c.day;
	}
	return d;
}

static int api_screenpop(const struct desk_request *req, const pcrm_actor *actor, json_t **body)
{
	const char *no = req->query_customer_no;
	struct desk_refusal why;
	if (desk_parse_customer_no(no, &why) != 0)
		return desk_refused(body, &why);
	pcrm_customer *c = NULL;
	json_t *bills = NULL;
	pcrm_contact_list *contacts = NULL;
	pcrm_arrears *arrears = NULL;
	pcrm_workorder_list *orders = NULL;
	int http = 200;
	json_error_t jerr;
	if (pcrm_customer_get(svc.ctx, actor, no, 0, &c) != PCRM_OK ||
	    pcrm_contact_list_load(svc.ctx, actor, no, NULL, 20, &contacts) != PCRM_OK ||
	    pcrm_arrears_load(svc.ctx, actor, no, NULL, today(), &arrears) != PCRM_OK) {
		http = desk_lib_error(body);
		goto done;
	}
	pcrm_workorder_filter filter = PCRM_WORKORDER_FILTER_INIT;
	filter.customer_no = no;
	if (pcrm_workorder_query(svc.ctx, actor, &filter, NULL, 20, &orders) != PCRM_OK ||
	    desk_bills_json(actor, no, DESK_POP_BILLS, &bills) != 0) {
		http = desk_lib_error(body);
		goto done;
	}
	json_t *customer = json_loads(pcrm_customer_json(c), 0, &jerr);
	if (!customer) {
		http = desk_fail(body, 500, "desktop.internal", "customer record is not JSON");
		goto done;
	}
	mask_customer(customer);
	json_t *items = json_array();
	char amount[64], open[64], total[64];
	for (size_t i = 0; i < pcrm_arrears_count(arrears); i++) {
		const pcrm_arrears_item *it = pcrm_arrears_at(arrears, i);
		pcrm_decimal_format(it->amount, amount, sizeof(amount));
		pcrm_decimal_format(it->open_amount, open, sizeof(open));
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "account_no",
		                                       it->account_no, "item_no", it->item_no, "period",
		                                       it->period ? it->period : "", "amount", amount,
		                                       "open_amount", open, "days_past_due", it->days_past_due));
	}
	pcrm_decimal_format(pcrm_arrears_total(arrears), total, sizeof(total));
	json_t *wos = json_array();
	for (size_t i = 0; i < pcrm_workorder_list_count(orders); i++) {
		const pcrm_workorder *w = pcrm_workorder_list_at(orders, i);
		json_array_append_new(wos, json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", pcrm_workorder_id(w),
		                                     "workflow", pcrm_workorder_workflow(w), "state",
		                                     pcrm_workorder_state(w), "business_key",
		                                     pcrm_workorder_business_key(w) ? pcrm_workorder_business_key(w) : "",
		                                     "overdue", pcrm_workorder_is_overdue(w)));
	}
	*body = json_pack("{s:o, s:{s:s, s:o}, s:o, s:o, s:O}", "customer", customer, "arrears", "total",
	                  total, "items", items, "work_orders", wos, "contacts",
	                  contacts_json(contacts), "bills", bills);
done:
	json_decref(bills);
	pcrm_customer_free(c);
	pcrm_contact_list_free(contacts);
	pcrm_arrears_free(arrears);
	pcrm_workorder_list_free(orders);
	return http;
}

/* ---- recording what happened ---- */

const char *desk_current_caller(const struct desk_user *u, char *buf, size_t size)
{
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	pcrm_tel_call_info call = PCRM_TEL_CALL_INFO_INIT;
	buf[0] = '\0';
	if (pcrm_acd_agent_get(svc.acd, u->id, &info) == PCRM_OK && info.call_id[0] &&
	    pcrm_tel_call_get(svc.tel, info.call_id, &call) == PCRM_OK)
		snprintf(buf, size, "%s", call.caller_number);
	return buf[0] ? buf : NULL;
}

static int api_contact(const struct desk_request *req, const struct desk_user *u,
                       const pcrm_actor *actor, json_t **body)
{
	static const struct desk_field fields[] = { { "customer_no", 1, 32 },
		{ "summary", 1, PCRM_CONTACT_SUMMARY_MAX }, { "business_code", 0, 32 }, { NULL, 0, 0 } };
	const char *v[3];
	struct desk_refusal why;
	json_t *o = desk_parse_body(req->body, req->body_len, fields, v, &why), *doc = NULL;
	int http;
	if (!o)
		return desk_refused(body, &why);
	char caller[64];
	doc = json_pack("{s:s, s:s, s:s}", "channel", "phone", "direction", "inbound", "summary", v[1]);
	if (*v[2])
		json_object_set_new(doc, "business_code", json_string(v[2]));
	if (desk_current_caller(u, caller, sizeof(caller)))
		json_object_set_new(doc, "caller_number", json_string(caller));
	char *text = json_dumps(doc, JSON_COMPACT);
	pcrm_contact *k = NULL;
	int rc = text ? pcrm_contact_record(svc.ctx, actor, v[0], text, &k) : PCRM_ENOMEM;
	free(text);
	if (rc != PCRM_OK) {
		http = desk_lib_error(body);
		goto done;
	}
	*body = json_pack("{s:s}", "id", pcrm_contact_id(k));
	pcrm_contact_free(k);
	http = 201;
done:
	json_decref(doc);
	json_decref(o);
	return http;
}

static int api_complaint(const struct desk_request *req, const struct desk_user *u,
                         const pcrm_actor *actor, json_t **body)
{
	static const struct desk_field fields[] = { { "customer_no", 1, 32 }, { "category", 0, 64 },
		{ "subcategory", 0, 64 }, { "nature", 0, 64 }, { "urgency", 0, 64 },
		{ "description", 0, 4000 }, { NULL, 0, 0 } };
	const char *v[6];
	struct desk_refusal why;
	json_t *o = desk_parse_body(req->body, req->body_len, fields, v, &why);
	int http;
	if (!o)
		return desk_refused(body, &why);
	/* channel and caller come from the call; the rest goes to the library as given, which names any bad field */
	json_object_set_new(o, "channel", json_string("phone"));
	char caller[64];
	if (desk_current_caller(u, caller, sizeof(caller)))
		json_object_set_new(o, "caller_number", json_string(caller));
	char *text = json_dumps(o, JSON_COMPACT);
	pcrm_complaint *c = NULL;
	int rc = text ? pcrm_complaint_file(svc.ctx, actor, text, &c) : PCRM_ENOMEM;
	free(text);
	if (rc != PCRM_OK) {
		http = desk_lib_error(body);
		goto done;
	}
	*body = json_pack("{s:s, s:s, s:s}", "serial", pcrm_complaint_serial(c), "work_order_id",
	                  pcrm_complaint_work_order_id(c), "responsible_unit",
	                  pcrm_complaint_responsible_unit(c));
	pcrm_complaint_free(c);
	http = 201;
done:
	json_decref(o);
	return http;
}

/* ---- transfer to a queue ---- */

static const char *const queues[] = { "billing", "repair", "general", NULL };

/*
 * A blind transfer (pcrm_tel_transfer) of the agent's talking call to the
 * queue's routing point "rp-<queue>": the switch reports it transferred and
 * queued there, the IVR rules map the routing point to the queue, and the
 * agent goes to wrap-up.
 */
static int api_transfer(const struct desk_request *req, const struct desk_user *u, json_t **body)
{
	static const struct desk_field fields[] = { { "queue", 1, 32 }, { NULL, 0, 0 } };
	const char *v[1];
	struct desk_refusal why;
	json_t *o = desk_parse_body(req->body, req->body_len, fields, v, &why);
	if (!o)
		return desk_refused(body, &why);
	int q = desk_parse_choice(v[0], queues, "queue", &why), http;
	pcrm_acd_agent_info info = PCRM_ACD_AGENT_INFO_INIT;
	char destination[48];
	if (q < 0)
		http = desk_refused(body, &why);
	else if (!u->device[0] || pcrm_acd_agent_get(svc.acd, u->id, &info) != PCRM_OK ||
	         !info.call_id[0] || info.state != PCRM_ACD_TALKING)
		http = desk_fail(body, 409, "desktop.no_call", "the agent has no call in conversation");
	else {
		snprintf(destination, sizeof(destination), "rp-%s", queues[q]);
		if (pcrm_tel_transfer(svc.tel, info.call_id, u->device, destination) != PCRM_OK)
			http = desk_lib_error(body);
		else {
			*body = agent_json(u->id);
			http = 200;
		}
	}
	json_decref(o);
	return http;
}

/* ---- supervisor: force an agent's state ---- */

static const char *const force_states[] = { "ready", "not_ready", "logged_out", NULL };
static const char *const force_reasons[] = { "supervisor", "break", "meal", "training", "meeting", NULL };

/*
 * pcrm_acd_agent_force_state as the supervisor's actor: the ACD checks
 * call.monitor and the org scope (the agents' units are declared to it at
 * start, switch.c), refuses a talking agent (409) and withdraws a ringing
 * offer.  The simulated phones have no state of their own to update.
 */
static int api_force(const struct desk_request *req, const pcrm_actor *actor, json_t **body)
{
	static const struct desk_field fields[] = { { "agent_id", 1, DESK_ID_MAX }, { "state", 1, 32 },
		{ "reason", 0, 32 }, { NULL, 0, 0 } };
	const char *v[3];
	struct desk_refusal why;
	json_t *o = desk_parse_body(req->body, req->body_len, fields, v, &why);
	if (!o)
		return desk_refused(body, &why);
	int http, state = desk_parse_choice(v[1], force_states, "state", &why), reason = 0;
	if (state < 0 || (state == 1 && *v[2] &&
	                  (reason = desk_parse_choice(v[2], force_reasons, "reason", &why)) < 0)) {
		http = desk_refused(body, &why);
		goto done;
	}
	static const pcrm_acd_agent_state map[] = { PCRM_ACD_READY, PCRM_ACD_NOT_READY,
		                                    PCRM_ACD_LOGGED_OUT };
	if (pcrm_acd_agent_force_state(svc.acd, actor, v[0], map[state],
	                               state == 1 ? force_reasons[reason] : NULL) != PCRM_OK) {
		http = desk_lib_error(body);
		goto done;
	}
	*body = json_pack("{s:s, s:o}", "agent_id", v[0], "agent", agent_json(v[0]));
	http = 200;
done:
	json_decref(o);
	return http;
}

/* ---- supervisor ---- */

static int api_supervisor(const pcrm_actor *actor, json_t **body)
{
	if (!pcrm_actor_can(actor, PCRM_PERM_CALL_MONITOR))
		return desk_fail(body, 403, "permission.denied", "the wallboard is for supervisors");
	json_t *qs = json_array(), *as = json_array();
	for (size_t i = 0; queues[i]; i++) {
		pcrm_acd_queue_stats s = PCRM_ACD_QUEUE_STATS_INIT;
		if (pcrm_acd_queue_stats_get(svc.acd, queues[i], &s) != PCRM_OK)
			continue;
		json_array_append_new(qs, json_pack(
			"{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f}", "queue", s.queue_id,
			"waiting", (json_int_t)s.waiting, "longest_wait_ms", (json_int_t)s.longest_wait_ms,
			"logged_in", (json_int_t)s.agents_logged_in, "ready", (json_int_t)s.agents_ready,
			"busy", (json_int_t)s.agents_busy, "offered", (json_int_t)s.total.offered,
			"answered", (json_int_t)s.total.answered, "abandoned", (json_int_t)s.total.abandoned,
			"service_level", s.total.service_level, "asa_s", s.total.asa_s, "aht_s", s.total.aht_s));
	}
	for (size_t i = 0; i < svc.user_count; i++) {
		pcrm_acd_agent_stats s = PCRM_ACD_AGENT_STATS_INIT;
		if (!svc.users[i].device[0] || pcrm_acd_agent_stats_get(svc.acd, svc.users[i].id, &s) != PCRM_OK)
			continue;
		json_array_append_new(as, json_pack("{s:s, s:s, s:s, s:I, s:I, s:f}", "agent", s.agent_id,
		                                    "name", svc.users[i].name, "state",
		                                    pcrm_acd_agent_state_name(s.state), "answered",
		                                    (json_int_t)s.total.answered, "handled",
		                                    (json_int_t)s.total.handled, "occupancy",
		                                    s.total.occupancy));
	}
	*body = json_pack("{s:o, s:o}", "queues", qs, "agents", as);
	return 200;
}

/* ---- the simulator's caller ---- */

static int api_sim_call(const struct desk_request *req, json_t **body)
{
	if (!svc.simulate)
		return desk_fail(body, 404, "desktop.not_found", "no such endpoint");
	static const struct desk_field fields[] = { { "caller_number", 1, 32 }, { "service", 0, 32 },
		{ NULL, 0, 0 } };
	const char *v[2];
	struct desk_refusal why;
	json_t *o = desk_parse_body(req->body, req->body_len, fields, v, &why);
	int http;
	if (!o)
		return desk_refused(body, &why);
	char number[PCRM_TEL_NUMBER_MAX + 1], id[64];
	if (pcrm_phone_normalize(v[0], number, sizeof(number)) != PCRM_OK) {
		http = desk_fail(body, 400, "desktop.caller_number", "caller_number: not a telephone number");
		goto done;
	}
	if (desk_switch_call(number, *v[1] ? v[1] : "general", id, sizeof(id)) != PCRM_OK) {
		http = desk_lib_error(body);
		goto done;
	}
	*body = json_pack("{s:s}", "call_id", id);
	http = 201;
done:
	json_decref(o);
	return http;
}

int desk_api(const struct desk_request *req, json_t **body)
{
	const struct desk_user *u = &svc.users[req->user];
	pcrm_actor actor;
	desk_actor(u, &actor);
	int get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
	int http;
	pthread_mutex_lock(&svc.lib);
	if (get && strcmp(req->path, "/api/me") == 0) {
		*body = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "id", u->id, "name", u->name, "role",
		                  pcrm_role_name(u->role), "org_unit", u->org_unit, "simulate",
		                  svc.simulate, "agent", agent_json(u->id));
		http = 200;
	} else if (post && strcmp(req->path, "/api/state") == 0)
		http = api_state(req, u, body);
	else if (get && strcmp(req->path, "/api/call") == 0)
		http = api_call(u, body);
	else if (post && (strcmp(req->path, "/api/call/answer") == 0 ||
	                  strcmp(req->path, "/api/call/hangup") == 0))
		http = api_call_action(req, u, body);
	else if (get && strcmp(req->path, "/api/screenpop") == 0)
		http = api_screenpop(req, &actor, body);
	else if (post && strcmp(req->path, "/api/contact") == 0)
		http = api_contact(req, u, &actor, body);
	else if (post && strcmp(req->path, "/api/complaint") == 0)
		http = api_complaint(req, u, &actor, body);
	else if (post && strcmp(req->path, "/api/workorder") == 0)
		http = desk_api_workorder(req, u, &actor, body);
	else if (post && strcmp(req->path, "/api/fault") == 0)
		http = desk_api_fault(req, u, &actor, body);
	else if (post && strcmp(req->path, "/api/call/transfer") == 0)
		http = api_transfer(req, u, body);
	else if (get && strcmp(req->path, "/api/supervisor") == 0)
		http = api_supervisor(&actor, body);
	else if (post && strcmp(req->path, "/api/supervisor/force") == 0)
		http = api_force(req, &actor, body);
	else if (post && strcmp(req->path, "/api/sim/call") == 0)
		http = api_sim_call(req, body);
	else
		http = desk_fail(body, 404, "desktop.not_found", "no such endpoint");
	pthread_mutex_unlock(&svc.lib);
	return http;
}
