/*
 * Reopening a closed work order (a customer not satisfied with how a
 * complaint was closed calls again within the period the definition
 * allows): the same work order re-enters handling with its whole history,
 * instead of a new, unrelated one.
 *
 *   "reopen": {"days": 15, "to": "handling"}        calendar days after closing
 *   "reopen": {"working_days": 5, "to": "handling"}  working days of the calendar
 *
 * The period runs from the closing (the closed work order's updated_at: no
 * change of a closed work order moves it) and both edges count: reopening
 * exactly at closing + period is allowed, one second later is refused
 * (PCRM_ESTATE naming the end of the period).  Reopening sets the status
 * back to open, clears the overdue flag, starts the process limit afresh
 * from the reopening and enters `to` (its own limit starts), with one
 * history entry "reopen" (from the final state, to `to`).
 */
#include <stdio.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "workorder_internal.h"

int pcrm__workflow_parse_reopen(pcrm_workflow *wf)
{
	static const char *const units[] = { "days", "working_days" };
	const json_t *v = json_object_get(wf->doc, "reopen"), *to;
	struct pcrm__wf_reopen *r = &wf->reopen;
	const char *key, *name;
	json_t *x;
	int found = 0;

	memset(r, 0, sizeof(*r));
	if (!v)
		return PCRM_OK;
	if (!json_is_object(v))
		return pcrm__error(PCRM_EINVAL, "reopen: must be an object");
	json_object_foreach((json_t *)v, key, x) {
		if (strcmp(key, "to") == 0)
			continue;
		for (size_t u = 0; u < 2; u++)
			if (strcmp(key, units[u]) == 0) {
				if (!json_is_integer(x) || json_integer_value(x) < 1 ||
				    json_integer_value(x) > 366)
					return pcrm__error(PCRM_EINVAL,
					                   "reopen.%s: must be an integer 1..366", key);
				r->amount = json_integer_value(x);
				r->unit = u == 0 ? PCRM__WF_DAYS : PCRM__WF_WORKING_DAYS;
				found++;
				goto next;
			}
		{
			char q[PCRM_QUOTE_SIZE];
			pcrm__quote(key, strlen(key), q, sizeof(q));
			return pcrm__error(PCRM_EINVAL, "reopen: unknown field \"%s\"", q);
		}
	next:;
	}
	if (found != 1)
		return pcrm__error(PCRM_EINVAL, "reopen: needs exactly one of days, working_days");
	to = json_object_get(v, "to");
	if (!json_is_string(to))
		return pcrm__error(PCRM_EINVAL, "reopen.to: must be a state name");
	name = json_string_value(to);
	r->to = pcrm__workflow_state_index(wf, name);
	if (r->to == (size_t)-1) {
		char q[PCRM_QUOTE_SIZE];
		pcrm__quote(name, strlen(name), q, sizeof(q));
		return pcrm__error(PCRM_EINVAL, "reopen.to: unknown state \"%s\"", q);
	}
	if (wf->states[r->to].final)
		return pcrm__error(PCRM_EINVAL, "reopen.to: \"%s\" is a final state", name);
	r->set = 1;
	return PCRM_OK;
}

/* When the reopening period of a work order closed at `closed` ends (inclusive). */
static int period_end(const pcrm_workflow *wf, pcrm_time closed, pcrm_time *end)
{
	if (wf->reopen.unit == PCRM__WF_WORKING_DAYS)
		return pcrm_calendar_add_working_days(wf->calendar, closed, (int)wf->reopen.amount,
		                                      end);
	*end = closed + wf->reopen.amount * 86400;
	return PCRM_OK;
}

/* The business key must be free among the open work orders of the workflow again. */
static int key_free(struct pcrm__wo_op *op)
{
	static const char sql[] = "SELECT COUNT(*) FROM work_order WHERE workflow = $1 AND "
	                          "open_key = $2";
	pcrm_sql_value p[2] = { PCRM_SQL_S(pcrm__wo_str(op->wo, "workflow")),
		                PCRM_SQL_S(pcrm__wo_str(op->wo, "business_key")) };
	int64_t n = 0;
	int rc = pcrm__store_query_int(op->ctx->store, sql, p, 2, &n);
	if (rc == PCRM_OK && n > 0)
		rc = pcrm__error(PCRM_EDUPLICATE,
		                 "business_key: \"%s\" is open in another work order of workflow %s: "
		                 "close it before reopening %s",
		                 pcrm__wo_str(op->wo, "business_key"), pcrm__wo_str(op->wo, "workflow"),
		                 op->id);
	return rc;
}

static int check_reopen(struct pcrm__wo_op *op, int expected_version)
{
	const char *status = pcrm__wo_str(op->wo, "status");
	pcrm_time closed = (pcrm_time)pcrm__wo_int(op->wo, "updated_at"), end = 0;
	char when[32];
	int rc;

	if (pcrm__wo_int(op->wo, "version") != expected_version)
		return pcrm__error(PCRM_ECONFLICT,
		                   "work order %s is at version %lld, not %d: read it again", op->id,
		                   (long long)pcrm__wo_int(op->wo, "version"), expected_version);
	if (strcmp(status, "closed") != 0)
		return pcrm__error(PCRM_ESTATE, "work order %s is %s: only a closed one is reopened",
		                   op->id, status);
	if (!op->wf->reopen.set)
		return pcrm__error(PCRM_ESTATE,
		                   "workflow %s version %d allows no reopening (its definition has "
		                   "no \"reopen\")",
		                   op->wf->name, op->wf->version);
	rc = period_end(op->wf, closed, &end);
	if (rc == PCRM_OK && op->now > end) {
		pcrm_time_format(end, op->ctx->utc_offset, when, sizeof(when));
		rc = pcrm__error(PCRM_ESTATE,
		                 "work order %s: the reopening period (%lld %s after closing) ended "
		                 "at %s; open a new work order",
		                 op->id, (long long)op->wf->reopen.amount,
		                 op->wf->reopen.unit == PCRM__WF_DAYS ? "days" : "working days", when);
	}
	if (rc == PCRM_OK)
		rc = key_free(op);
	return rc;
}

static int apply_reopen(struct pcrm__wo_op *op)
{
	int rc;
	pcrm__wo_set_str(op, "status", "open");
	pcrm__wo_set_int(op, "overdue", 0);
	/* the final state cancelled every timer: the process clock starts again in full */
	rc = pcrm__wo_schedule(op, "process", &op->wf->process, 1, NULL);
	if (rc == PCRM_OK)
		rc = pcrm__wo_enter_state(op, op->wf->reopen.to);
	return rc;
}

int pcrm_workorder_reopen(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                          int expected_version, const char *note, pcrm_workorder **out)
{
	struct pcrm__wo_op op;
	struct pcrm__wo_entry e = { "reopen", NULL, NULL, NULL, note, 1, NULL };
	size_t from;
	int rc;

	if (out)
		*out = NULL;
	rc = pcrm__wo_check_note("note", note);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__wo_begin_change(&op, ctx, actor, id, PCRM_PERM_WORKORDER_HANDLE);
	if (rc != PCRM_OK)
		return rc;
	rc = check_reopen(&op, expected_version);
	if (rc != PCRM_OK)
		return pcrm__wo_refuse(&op, rc);
	/* names from the definition: the object's strings are replaced as it changes */
	from = pcrm__workflow_state_index(op.wf, pcrm__wo_str(op.wo, "state"));
	e.from = from != (size_t)-1 ? op.wf->states[from].name : NULL;
	e.to = op.wf->states[op.wf->reopen.to].name;
	return pcrm__wo_finish_change(&op, apply_reopen(&op), &e, out);
}
