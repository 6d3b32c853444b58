/*
 * Work orders: opening, firing events, the supervisor actions, comments and
 * links.  Everything that may refuse (input, permission, version, state,
 * guard) is checked before the transaction opens; the change itself goes
 * through one pcrm__wo_op so it lands as a delta in the history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/json_doc.h"
#include "core/text_check.h"
#include "core/uuid.h"
#include "org/org_internal.h"
#include "audit/audit.h"
#include "workorder_internal.h"

#define DATA_MAX 65536
#define RELATION_MAX 32

/* ---- the object ---- */

int pcrm__json_merge_patch(json_t *target, const json_t *patch)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)patch, key, v) {
		json_t *cur = json_object_get(target, key);
		if (json_is_null(v)) {
			json_object_del(target, key);
		} else if (json_is_object(v)) {
			if (!json_is_object(cur)) {
				cur = json_object();
				if (!cur || json_object_set_new(target, key, cur) != 0)
					return pcrm__error_oom();
			}
			if (pcrm__json_merge_patch(cur, v) != PCRM_OK)
				return PCRM_ENOMEM;
		} else if (json_object_set_new(target, key, json_deep_copy(v)) != 0) {
			return pcrm__error_oom();
		}
	}
	return PCRM_OK;
}

int pcrm__workorder_apply_delta(json_t *obj, const json_t *delta)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)delta, key, v) {
		if (strcmp(key, "data") == 0) {
			json_t *data = json_object_get(obj, "data");
			if (!json_is_object(data)) {
				data = json_object();
				if (!data || json_object_set_new(obj, "data", data) != 0)
					return pcrm__error_oom();
			}
			if (!json_is_object(v))
				return pcrm__error(PCRM_EINTEGRITY, "history: delta.data is not an object");
			if (pcrm__json_merge_patch(data, v) != PCRM_OK)
				return PCRM_ENOMEM;
		} else if (json_object_set_new(obj, key, json_deep_copy(v)) != 0) {
			return pcrm__error_oom();
		}
	}
	return PCRM_OK;
}

int pcrm__workorder_new(json_t *obj, int steps, pcrm_workorder **out)
{
	pcrm_workorder *wo = calloc(1, sizeof(*wo));
	if (!wo) {
		json_decref(obj);
		return pcrm__error_oom();
	}
	wo->obj = obj;
	wo->steps = steps;
	wo->text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	wo->data_text = json_dumps(json_object_get(obj, "data"), JSON_COMPACT | JSON_SORT_KEYS);
	if (!wo->text || !wo->data_text) {
		pcrm_workorder_free(wo);
		return pcrm__error_oom();
	}
	*out = wo;
	return PCRM_OK;
}

int pcrm__wo_result(const struct pcrm__wo_op *op, pcrm_workorder **out)
{
	json_t *copy;
	if (!out)
		return PCRM_OK;
	copy = json_deep_copy(op->wo);
	if (!copy)
		return pcrm__error_oom();
	return pcrm__workorder_new(copy, op->steps, out);
}

void pcrm_workorder_free(pcrm_workorder *wo)
{
	if (!wo)
		return;
	json_decref(wo->obj);
	free(wo->text);
	free(wo->data_text);
	free(wo);
}

#define STR_ACCESSOR(fn, key)                                \
	const char *fn(const pcrm_workorder *wo)             \
	{                                                    \
		return wo ? pcrm__wo_str(wo->obj, key) : NULL; \
	}
#define INT_ACCESSOR(fn, type, key)                                 \
	type fn(const pcrm_workorder *wo)                           \
	{                                                           \
		return wo ? (type)pcrm__wo_int(wo->obj, key) : 0; \
	}

STR_ACCESSOR(pcrm_workorder_id, "id")
STR_ACCESSOR(pcrm_workorder_business_key, "business_key")
STR_ACCESSOR(pcrm_workorder_workflow, "workflow")
STR_ACCESSOR(pcrm_workorder_customer_no, "customer_no")
STR_ACCESSOR(pcrm_workorder_org_unit, "org_unit")
STR_ACCESSOR(pcrm_workorder_owner, "owner")
STR_ACCESSOR(pcrm_workorder_state, "state")
STR_ACCESSOR(pcrm_workorder_status, "status")
INT_ACCESSOR(pcrm_workorder_workflow_version, int, "workflow_version")
INT_ACCESSOR(pcrm_workorder_version, int, "version")
INT_ACCESSOR(pcrm_workorder_opened_at, pcrm_time, "opened_at")
INT_ACCESSOR(pcrm_workorder_updated_at, pcrm_time, "updated_at")
INT_ACCESSOR(pcrm_workorder_due_at, pcrm_time, "due_at")
INT_ACCESSOR(pcrm_workorder_is_overdue, int, "overdue")
INT_ACCESSOR(pcrm_workorder_is_suspended, int, "suspended")
INT_ACCESSOR(pcrm_workorder_reminders, int, "reminders")
INT_ACCESSOR(pcrm_workorder_escalations, int, "escalations")

const char *pcrm_workorder_data(const pcrm_workorder *wo) { return wo ? wo->data_text : NULL; }
const char *pcrm_workorder_json(const pcrm_workorder *wo) { return wo ? wo->text : NULL; }

/* ---- input checks ---- */

static int check_text(const char *field, const char *s, size_t max, int required)
{
	size_t n;
	if (!s)
		return required ? pcrm__error(PCRM_EINVAL, "%s: missing", field) : PCRM_OK;
	n = strlen(s);
	if (n == 0 || n > max)
		return pcrm__error(PCRM_EINVAL, "%s: must be 1..%zu bytes, not %zu", field, max, n);
	return pcrm__text_check(field, s, n, PCRM__TEXT_LINES);
}

static int check_id(const char *id)
{
	if (!id || !pcrm__uuid_is_valid(id))
		return pcrm__error(PCRM_EINVAL, "id: not a work-order id (a lowercase UUID)");
	return PCRM_OK;
}

/* An optional JSON object of outside data: NULL gives an empty object. */
static int parse_data(const char *text, json_t **out)
{
	json_error_t err;
	*out = NULL;
	if (!text) {
		*out = json_object();
		return *out ? PCRM_OK : pcrm__error_oom();
	}
	if (strlen(text) > DATA_MAX)
		return pcrm__error(PCRM_EINVAL, "data: longer than %d bytes", DATA_MAX);
	*out = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	if (!*out)
		return pcrm__error(PCRM_EINVAL, "data: line %d column %d: %s", err.line, err.column,
		                   pcrm__json_error_text(&err));
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return pcrm__error(PCRM_EINVAL, "data: must be a JSON object");
	}
	return PCRM_OK;
}

static int check_version(const struct pcrm__wo_op *op, int expected)
{
	int64_t v = pcrm__wo_int(op->wo, "version");
	if (v != expected)
		return pcrm__error(PCRM_ECONFLICT,
		                   "work order %s is at version %lld, not %d: read it again", op->id,
		                   (long long)v, expected);
	return PCRM_OK;
}

static int check_open(const struct pcrm__wo_op *op, int refuse_suspended)
{
	const char *status = pcrm__wo_str(op->wo, "status");
	if (strcmp(status, "open") != 0)
		return pcrm__error(PCRM_ESTATE, "work order %s is %s", op->id, status);
	if (refuse_suspended && pcrm__wo_int(op->wo, "suspended"))
		return pcrm__error(PCRM_ESTATE, "work order %s is suspended: resume it first", op->id);
	return PCRM_OK;
}

/* The input checks of every change, made before anything is read; op starts empty. */
static int check_op_input(struct pcrm__wo_op *op, const pcrm_actor *actor, const char *id)
{
	int rc = pcrm_actor_validate(actor);
	memset(op, 0, sizeof(*op));
	return rc == PCRM_OK ? check_id(id) : rc;
}

/*
 * Loads the work order for a change by `actor` and checks the permission on
 * its org unit: `perm`, or for firing `event` (not NULL) what its transition
 * in the work order's state names (transition_permission.c).
 */
static int load_op(struct pcrm__wo_op *op, pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                   pcrm_permission perm, const char *event)
{
	struct pcrm_org_unit home;
	int rc;
	memset(&home, 0, sizeof(home));
	/* the actor's org unit comes with the work order: one statement for both */
	rc = pcrm__wo_op_load_home(op, ctx, actor, id, pcrm_ctx_now(ctx), &home);
	if (rc == PCRM_OK && event)
		rc = pcrm__wo_fire_permission(op, home.code ? &home : NULL, event, &perm);
	/* an id nobody has is refused like a work order of another unit (no oracle) */
	if (rc == PCRM_ENOTFOUND)
		rc = pcrm__authorize_object(ctx, actor, perm, "work order", id, NULL);
	else if (rc == PCRM_OK)
		rc = pcrm__authorize_object_with_home(ctx, actor, perm, home.code ? &home : NULL,
		                                      "work order", id, pcrm__wo_str(op->wo, "org_unit"));
	pcrm__org_clear(&home);
	return rc;
}

/* Every public change starts here (or in begin_op_tx()): input checked, work order loaded. */
static int begin_op(struct pcrm__wo_op *op, pcrm_ctx *ctx, const pcrm_actor *actor,
                    const char *id, pcrm_permission perm)
{
	int rc = check_op_input(op, actor, id);
	return rc == PCRM_OK ? load_op(op, ctx, actor, id, perm, NULL) : rc;
}

/*
 * Ends the operation's transaction after a refusal (input, permission,
 * guard, version, state) found before anything was written: it commits, so
 * a denial's audit entry, the only thing a refusal writes, stays; the
 * refusal's status and message are what the caller gets.
 */
static int refuse(pcrm_ctx *ctx, int rc)
{
	pcrm__error_state e;
	pcrm__error_save(&e);
	pcrm__store_commit(ctx->store); /* rolls back instead when a statement failed */
	return pcrm__error_restore(&e, rc);
}

/*
 * begin_op() as the first step of the operation's transaction.  The reads
 * and checks come after BEGIN, so on SQLite they run under the write lock
 * the change takes anyway, instead of in a read transaction of their own
 * (its lock and unlock cost a transition about a twentieth of its time), and
 * on PostgreSQL BEGIN travels with the read.  A refusal ends it by refuse(),
 * with op cleared.
 */
static int begin_op_tx(struct pcrm__wo_op *op, pcrm_ctx *ctx, const pcrm_actor *actor,
                       const char *id, pcrm_permission perm, const char *event)
{
	int rc = check_op_input(op, actor, id);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc != PCRM_OK)
		return rc;
	rc = load_op(op, ctx, actor, id, perm, event);
	if (rc != PCRM_OK) {
		pcrm__wo_op_clear(op);
		return refuse(ctx, rc);
	}
	return PCRM_OK;
}

/* Commits one entry in its own transaction and hands the result out. */
static int finish_op(struct pcrm__wo_op *op, int rc, const struct pcrm__wo_entry *e,
                     pcrm_workorder **out)
{
	if (rc == PCRM_OK)
		rc = pcrm__wo_commit(op, e);
	rc = pcrm__store_finish(op->ctx->store, rc);
	if (rc == PCRM_OK)
		rc = pcrm__wo_result(op, out);
	pcrm__wo_op_clear(op);
	return rc;
}

/* ---- opening ---- */

static int find_open(pcrm_ctx *ctx, const char *workflow, const char *key, json_t **obj,
                     int *steps)
{
	static const char sql[] = "SELECT " PCRM__WO_SELECT " FROM work_order w "
	                          "WHERE w.workflow = $1 AND w.open_key = $2";
	pcrm_sql_value p[2] = { PCRM_SQL_S(workflow), PCRM_SQL_S(key) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, 2, &rows);
	*obj = NULL;
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1)
		rc = pcrm__workorder_from_row(rows, obj, steps);
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

/* What an open request asks for, to compare with an open work order of the same key. */
struct open_request {
	const char *workflow, *key, *customer_no, *org_unit;
	const json_t *data; /* the opening data, merged (nulls removed) */
	const char *sla_class; /* NULL: none given */
};

/*
 * The first field in which the work order as it was opened (its first
 * history entry holds the whole object) differs from the request, or NULL
 * when they are the same.  Compared with the opening, not the current row:
 * a retry of the same open stays the same request after the work order has
 * moved on.  Only the field's name is reported, never a value.
 */
static int differing_field(pcrm_ctx *ctx, const char *id, const struct open_request *r,
                           const char **field)
{
	static const char sql[] = "SELECT delta FROM work_order_history "
	                          "WHERE work_order_id = $1 AND seq = 1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(id) };
	pcrm_rows *rows;
	json_t *opened = NULL;
	const char *cust;
	int rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);

	*field = NULL;
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1)
		opened = json_loads(pcrm__rows_text(rows, 0), 0, NULL);
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	if (!json_is_object(opened)) {
		json_decref(opened);
		return pcrm__error(PCRM_EINTEGRITY, "work order %s: no opening history entry", id);
	}
	cust = pcrm__wo_str(opened, "customer_no");
	if ((cust == NULL) != (r->customer_no == NULL) ||
	    (cust && strcmp(cust, r->customer_no) != 0))
		*field = "customer_no";
	else if (strcmp(pcrm__wo_str(opened, "org_unit"), r->org_unit) != 0)
		*field = "org_unit";
	else if (!json_equal(json_object_get(opened, "data"), (json_t *)r->data))
		*field = "data";
	else if ((pcrm__wo_str(opened, "sla_class") == NULL) != (r->sla_class == NULL) ||
	         (r->sla_class && strcmp(pcrm__wo_str(opened, "sla_class"), r->sla_class) != 0))
		*field = "sla_class";
	json_decref(opened);
	return PCRM_OK;
}

/*
 * The open work order of the request's key, if any: the same request again
 * gives it back (a retried open is idempotent), a different one is
 * PCRM_EDUPLICATE naming the key and the first field that differs.
 */
static int existing(pcrm_ctx *ctx, const pcrm_actor *actor, const struct open_request *r,
                    pcrm_workorder **out, int *found)
{
	json_t *obj;
	const char *field = NULL;
	int steps = 0, rc = find_open(ctx, r->workflow, r->key, &obj, &steps);
	*found = obj != NULL;
	if (rc != PCRM_OK || !obj)
		return rc;
	rc = pcrm_authorize(ctx, actor, PCRM_PERM_WORKORDER_HANDLE, pcrm__wo_str(obj, "org_unit"));
	if (rc == PCRM_OK)
		rc = differing_field(ctx, pcrm__wo_str(obj, "id"), r, &field);
	if (rc == PCRM_OK && field)
		rc = pcrm__error(PCRM_EDUPLICATE,
		                 "business_key: \"%s\" is already open in workflow %s (work order %s) "
		                 "with a different %s",
		                 r->key, r->workflow, pcrm__wo_str(obj, "id"), field);
	if (rc == PCRM_OK && out)
		return pcrm__workorder_new(obj, steps, out);
	json_decref(obj);
	return rc;
}

/*
 * The customer a work order is opened for must lie in the actor's subtree.  A customer of
 * another unit and a number that belongs to nobody are refused alike, so opening a work order
 * is no way to learn which customer numbers exist (pcrm__authorize_object).
 */
static int customer_in_scope(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no)
{
	static const char sql[] = "SELECT org_unit FROM customer WHERE customer_no = $1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(customer_no) };
	pcrm_rows *rows;
	char *org = NULL;
	int rc;
	if (!customer_no)
		return PCRM_OK;
	rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1 && !(org = strdup(pcrm__rows_text(rows, 0))))
		rc = pcrm__error_oom();
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	rc = pcrm__authorize_object(ctx, actor, PCRM_PERM_WORKORDER_HANDLE, "customer", customer_no,
	                            org);
	free(org);
	return rc;
}

static json_t *new_object(pcrm_ctx *ctx, const pcrm_actor *actor, const pcrm_workflow *wf,
                          const char *key, const char *customer_no, const char *org_unit,
                          const char *sla_class, json_t *data)
{
	char id[PCRM_UUID_STRING_LEN + 1];
	pcrm_time now = pcrm_ctx_now(ctx);
	pcrm__uuid_new(id);
	/* sla_class only when given: the JSON of work orders without one stays as it was */
	return json_pack("{s:s, s:s, s:i, s:s, s:s?, s:s, s:n, s:s, s:s, s:O, s:s, s:I, s:I, s:i, "
	                 "s:i, s:i, s:i, s:i, s:i, s:s*}",
	                 "id", id, "workflow", wf->name, "workflow_version", wf->version,
	                 "business_key", key, "customer_no", customer_no, "org_unit", org_unit,
	                 "owner", "state", wf->states[wf->initial].name, "status", "open", "data",
	                 data, "opened_by", actor->operator_id, "opened_at", (json_int_t)now,
	                 "updated_at", (json_int_t)now, "due_at", 0, "overdue", 0, "suspended", 0,
	                 "reminders", 0, "escalations", 0, "version", 1, "sla_class", sla_class);
}

static int insert_new(struct pcrm__wo_op *op)
{
	static const struct pcrm__wo_entry entry = { "open", NULL, NULL, NULL, NULL, 0, NULL };
	int rc = pcrm__workorder_insert(op->ctx, op->wo);
	op->fresh = 1;
	if (rc == PCRM_OK)
		rc = pcrm__wo_schedule(op, "process", &op->wf->process, 0, NULL);
	if (rc == PCRM_OK)
		rc = pcrm__wo_clocks_at(op, PCRM__WF_AT_OPEN, NULL);
	if (rc == PCRM_OK)
		rc = pcrm__wo_enter_state(op, op->wf->initial);
	op->fresh = 0;
	if (rc == PCRM_OK) {
		/* the first entry holds the whole work order, so a replay starts from nothing */
		json_decref(op->delta);
		op->delta = json_deep_copy(op->wo);
		rc = op->delta ? pcrm__wo_commit(op, &entry) : pcrm__error_oom();
	}
	return rc;
}

int pcrm_workorder_open(pcrm_ctx *ctx, const pcrm_actor *actor, const char *workflow,
                        const char *business_key, const char *customer_no, const char *org_unit,
                        const char *data_json, pcrm_workorder **out)
{
	return pcrm_workorder_open_classed(ctx, actor, workflow, business_key, customer_no,
	                                   org_unit, NULL, data_json, out);
}

static int check_class(const char *sla_class)
{
	if (sla_class && pcrm__workflow_class(sla_class) < 0)
		return pcrm__error(PCRM_EINVAL,
		                   "sla_class: must be one of normal, important, major, vip");
	return PCRM_OK;
}

int pcrm_workorder_open_classed(pcrm_ctx *ctx, const pcrm_actor *actor, const char *workflow,
                                const char *business_key, const char *customer_no,
                                const char *org_unit, const char *sla_class,
                                const char *data_json, pcrm_workorder **out)
{
	struct pcrm__wo_op op;
	struct open_request req = { workflow, business_key, customer_no, org_unit, NULL, sla_class };
	json_t *patch = NULL, *data = NULL;
	int found = 0, rc;

	memset(&op, 0, sizeof(op));
	if (out)
		*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = check_text("workflow", workflow, PCRM__WF_NAME_MAX, 1);
	if (rc == PCRM_OK)
		rc = check_text("business_key", business_key, PCRM__WF_KEY_MAX, 1);
	if (rc == PCRM_OK)
		rc = check_text("org_unit", org_unit, 32, 1);
	if (rc == PCRM_OK)
		rc = check_class(sla_class);
	if (rc == PCRM_OK)
		rc = parse_data(data_json, &patch);
	if (rc == PCRM_OK && (data = json_object()) == NULL)
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = pcrm__json_merge_patch(data, patch);
	if (rc == PCRM_OK)
		rc = pcrm_authorize(ctx, actor, PCRM_PERM_WORKORDER_HANDLE, org_unit);
	if (rc == PCRM_OK)
		rc = customer_in_scope(ctx, actor, customer_no);
	if (rc == PCRM_OK)
		rc = pcrm__workflow_load_for(ctx, workflow, org_unit, &op.wf);
	req.data = data;
	if (rc == PCRM_OK)
		rc = existing(ctx, actor, &req, out, &found);
	if (rc == PCRM_OK && !found) {
		op.ctx = ctx;
		op.actor = actor;
		op.now = pcrm_ctx_now(ctx);
		op.delta = json_object();
		op.wo = new_object(ctx, actor, op.wf, business_key, customer_no, org_unit, sla_class,
		                   data);
		rc = op.wo && op.delta ? PCRM_OK : pcrm__error_oom();
		if (rc == PCRM_OK) {
			op.id = pcrm__wo_str(op.wo, "id");
			rc = pcrm__store_begin(ctx->store);
		}
		if (rc == PCRM_OK) {
			rc = pcrm__store_finish(ctx->store, insert_new(&op));
			if (rc == PCRM_EDUPLICATE) /* opened meanwhile by somebody else */
				rc = existing(ctx, actor, &req, out, &found);
			else if (rc == PCRM_OK)
				rc = pcrm__wo_result(&op, out);
		}
	}
	pcrm__wo_op_clear(&op);
	json_decref(patch);
	json_decref(data);
	return rc;
}

int pcrm_workorder_get(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                       pcrm_workorder **out)
{
	json_t *obj = NULL;
	int steps = 0, rc;
	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = check_id(id);
	if (rc == PCRM_OK)
		rc = pcrm__workorder_read(ctx, id, &obj, &steps);
	/* an id nobody has is refused like a work order of another unit (no oracle) */
	if (rc == PCRM_OK || rc == PCRM_ENOTFOUND)
		rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_ARCHIVE_READ, "work order", id, rc,
		                           obj ? pcrm__wo_str(obj, "org_unit") : NULL);
	if (rc == PCRM_OK)
		return pcrm__workorder_new(obj, steps, out);
	json_decref(obj);
	return rc;
}

/* ---- events ---- */

/* The index of a state named in stored data; a name the definition lacks means tampering. */
static int state_of(const struct pcrm__wo_op *op, const char *name, size_t *idx)
{
	*idx = name ? pcrm__workflow_state_index(op->wf, name) : (size_t)-1;
	if (*idx == (size_t)-1)
		return pcrm__error(PCRM_EINTEGRITY,
		                   "work order %s: state \"%.64s\" is not in workflow %s version %d",
		                   op->id, name ? name : "", op->wf->name, op->wf->version);
	return PCRM_OK;
}

/*
 * Every path that moves a work order along a transition comes here: an
 * agent's fire, a timer's expiry in the tick, a master closing its
 * children.  So the definition's customer notice is staged here, once, for
 * all of them; it is set last, after the entries the transition commits of
 * its own (clocks), so it belongs to the caller's next entry, the "fire"
 * entry, and is written in that entry's transaction.
 */
int pcrm__wo_transition(struct pcrm__wo_op *op, const struct pcrm__wf_transition *t,
                        const json_t *patch)
{
	int rc = pcrm__wo_patch_data(op, patch);
	if (rc == PCRM_OK)
		rc = pcrm__wo_clocks_at(op, PCRM__WF_AT_EVENT, t->event);
	if (rc == PCRM_OK)
		rc = pcrm__wo_enter_state(op, t->to);
	if (rc == PCRM_OK)
		op->customer_notice = t->notify_customer;
	return rc;
}

static int no_transition(const struct pcrm__wo_op *op, size_t from, const char *event)
{
	char possible[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < op->wf->ntransitions; i++)
		if (op->wf->transitions[i].from == from && used < sizeof(possible) - 70)
			used += (size_t)snprintf(possible + used, sizeof(possible) - used, "%s%s",
			                         used ? ", " : "", op->wf->transitions[i].event);
	return pcrm__error(PCRM_ESTATE, "event: \"%.64s\" is not possible in state \"%s\"%s%s%s",
	                   event, op->wf->states[from].name, used ? " (possible: " : "", possible,
	                   used ? ")" : "");
}

static int check_guard(struct pcrm__wo_op *op, const struct pcrm__wf_transition *t,
                       const json_t *patch)
{
	const pcrm_actor *a = op->actor;
	const char *owner = pcrm__wo_str(op->wo, "owner");
	char reason[256] = "";

	if (t->roles && !(t->roles & (1u << a->role)))
		snprintf(reason, sizeof(reason), "event %s: role %s may not fire it", t->event,
		         pcrm_role_name(a->role));
	else if (a->level < t->min_level)
		snprintf(reason, sizeof(reason), "event %s: needs level %d, %s has %d", t->event,
		         t->min_level, a->operator_id, a->level);
	else if (t->scope == PCRM__WF_SCOPE_OWN_UNIT &&
	         strcmp(a->org_unit, pcrm__wo_str(op->wo, "org_unit")) != 0)
		snprintf(reason, sizeof(reason), "event %s: only org unit %s may fire it", t->event,
		         pcrm__wo_str(op->wo, "org_unit"));
	else if (t->scope == PCRM__WF_SCOPE_OWNER && (!owner || strcmp(owner, a->operator_id) != 0))
		snprintf(reason, sizeof(reason), "event %s: only the owner (%s) may fire it", t->event,
		         owner ? owner : "nobody yet");
	if (*reason)
		return pcrm__audit_deny(op->ctx, a, t->permission, "work_order", op->id, reason);
	for (size_t i = 0; t->require && i < json_array_size(t->require); i++) {
		const char *field = json_string_value(json_array_get(t->require, i));
		json_t *v = json_object_get(patch, field);
		if (!v || json_is_null(v))
			return pcrm__error(PCRM_EINVAL, "data.%s: required by event \"%s\"", field,
			                   t->event);
	}
	return pcrm__workflow_check_values(t, patch);
}

int pcrm_workorder_fire(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                        int expected_version, const char *event, const char *data_json,
                        const char *note, pcrm_workorder **out)
{
	struct pcrm__wo_op op;
	struct pcrm__wo_entry e = { "fire", event, NULL, NULL, note, 1, NULL };
	const struct pcrm__wf_transition *t = NULL;
	json_t *patch = NULL;
	size_t from = 0;
	int rc;

	if (out)
		*out = NULL;
	rc = begin_op_tx(&op, ctx, actor, id, PCRM_PERM_WORKORDER_HANDLE, event);
	if (rc != PCRM_OK)
		return rc;
	rc = check_text("event", event, PCRM__WF_NAME_MAX, 1);
	if (rc == PCRM_OK)
		rc = check_text("note", note, PCRM__WF_NOTE_MAX, 0);
	if (rc == PCRM_OK)
		rc = parse_data(data_json, &patch);
	if (rc == PCRM_OK)
		rc = check_version(&op, expected_version);
	if (rc == PCRM_OK)
		rc = check_open(&op, 1);
	if (rc == PCRM_OK)
		rc = state_of(&op, pcrm__wo_str(op.wo, "state"), &from);
	if (rc == PCRM_OK) {
		t = pcrm__workflow_transition(op.wf, from, event);
		if (!t)
			rc = no_transition(&op, from, event);
	}
	if (rc == PCRM_OK)
		rc = check_guard(&op, t, patch);
	if (rc != PCRM_OK) {
		pcrm__wo_op_clear(&op);
		json_decref(patch);
		return refuse(ctx, rc);
	}
	e.from = op.wf->states[from].name;
	e.to = op.wf->states[t->to].name;
	rc = pcrm__wo_transition(&op, t, patch);
	rc = finish_op(&op, rc, &e, out);
	json_decref(patch);
	return rc;
}

/* ---- supervisor actions ---- */

/*
 * The common frame of the supervisor actions: load, permission, version
 * (when expected_version >= 0), open; `apply` makes the change.
 */
typedef int (*change_fn)(struct pcrm__wo_op *op, struct pcrm__wo_entry *e, const void *arg);

static int supervise(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id, int expected_version,
                     int check_version_too, const char *note, struct pcrm__wo_entry *e,
                     change_fn apply, const void *arg, pcrm_workorder **out)
{
	struct pcrm__wo_op op;
	int rc;

	if (out)
		*out = NULL;
	rc = begin_op_tx(&op, ctx, actor, id, PCRM_PERM_WORKORDER_SUPERVISE, NULL);
	if (rc != PCRM_OK)
		return rc;
	rc = check_text("note", note, PCRM__WF_NOTE_MAX, 0);
	if (rc == PCRM_OK && check_version_too)
		rc = check_version(&op, expected_version);
	if (rc == PCRM_OK)
		rc = check_open(&op, 0);
	e->note = note;
	e->bump = 1;
	if (rc != PCRM_OK) {
		pcrm__wo_op_clear(&op);
		return refuse(ctx, rc);
	}
	return finish_op(&op, apply(&op, e, arg), e, out);
}

static int do_remind(struct pcrm__wo_op *op, struct pcrm__wo_entry *e, const void *arg)
{
	(void)e;
	(void)arg;
	pcrm__wo_set_int(op, "reminders", pcrm__wo_int(op->wo, "reminders") + 1);
	return PCRM_OK;
}

int pcrm_workorder_remind(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                          const char *note, pcrm_workorder **out)
{
	struct pcrm__wo_entry e = { "remind", NULL, NULL, NULL, NULL, 1, NULL };
	return supervise(ctx, actor, id, 0, 0, note, &e, do_remind, NULL, out);
}

/* The unit the newest escalation raised supervision to, or NULL (none, or from before 19). */
static int last_superior(struct pcrm__wo_op *op, char **code)
{
	static const char sql[] = "SELECT to_state FROM work_order_history WHERE work_order_id = $1 "
	                          "AND kind = 'escalate' ORDER BY seq DESC LIMIT 1";
	pcrm_sql_value p[1] = { PCRM_SQL_S(op->id) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(op->ctx->store, sql, p, 1, &rows);
	*code = NULL;
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__rows_next(rows);
	if (rc == 1 && !pcrm__rows_is_null(rows, 0)) {
		*code = strdup(pcrm__rows_text(rows, 0));
		rc = *code ? PCRM_OK : pcrm__error_oom();
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

/*
 * Escalation raises supervision, not the work order: it stays with its unit
 * and owner (the agent who opened a repair can still record the arrival),
 * and the superior unit, an ancestor, already sees, reminds and reassigns
 * it through its subtree; the entry and its notification tell it to.  Each
 * escalation goes one unit above the previous one while that one is still
 * above the work order's unit (after a reassignment elsewhere it starts again
 * from the new unit's parent).  Reads the history only here, never on a
 * transition.
 */
int pcrm__wo_escalate(struct pcrm__wo_op *op)
{
	struct pcrm_org_unit unit, prev;
	char *prev_code = NULL;
	const struct pcrm_org_unit *from = &unit;
	int rc;

	memset(&prev, 0, sizeof(prev));
	rc = pcrm__org_load(op->ctx, pcrm__wo_str(op->wo, "org_unit"), &unit);
	if (rc != PCRM_OK)
		return rc;
	rc = last_superior(op, &prev_code);
	if (rc == PCRM_OK && prev_code && strcmp(prev_code, unit.code) != 0) {
		if (pcrm__org_load(op->ctx, prev_code, &prev) != PCRM_OK)
			pcrm_error_clear(); /* a vanished earlier superior: start from the unit */
		else if (strncmp(prev.path, unit.path, strlen(prev.path)) == 0)
			from = &prev;
	}
	if (rc == PCRM_OK && !from->parent)
		rc = pcrm__error(PCRM_ESTATE, "org unit %s is at the top: nowhere to escalate",
		                 from->code);
	else if (rc == PCRM_OK && strlen(from->parent) >= sizeof(op->superior))
		rc = pcrm__error(PCRM_EINTEGRITY, "org unit code longer than %zu bytes",
		                 sizeof(op->superior) - 1);
	else if (rc == PCRM_OK) {
		snprintf(op->superior, sizeof(op->superior), "%s", from->parent);
		pcrm__wo_set_int(op, "escalations", pcrm__wo_int(op->wo, "escalations") + 1);
	}
	free(prev_code);
	pcrm__org_clear(&unit);
	pcrm__org_clear(&prev);
	return rc;
}

static int do_escalate(struct pcrm__wo_op *op, struct pcrm__wo_entry *e, const void *arg)
{
	int rc = pcrm__wo_escalate(op);
	(void)arg;
	e->to = e->address = op->superior;
	return rc;
}

int pcrm_workorder_escalate(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                            const char *note, pcrm_workorder **out)
{
	struct pcrm__wo_entry e = { "escalate", NULL, NULL, NULL, NULL, 1, NULL };
	return supervise(ctx, actor, id, 0, 0, note, &e, do_escalate, NULL, out);
}

/* The state before the newest transition not yet withdrawn, or NULL when none is left. */
static int withdraw_target(struct pcrm__wo_op *op, char **target)
{
	static const char sql[] = "SELECT kind, from_state FROM work_order_history "
	                          "WHERE work_order_id = $1 ORDER BY seq DESC";
	pcrm_sql_value p[1] = { PCRM_SQL_S(op->id) };
	pcrm_rows *rows;
	int pending = 0, rc = pcrm__store_query(op->ctx->store, sql, p, 1, &rows);

	*target = NULL;
	if (rc != PCRM_OK)
		return rc;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		const char *kind = pcrm__rows_text(rows, 0);
		if (strcmp(kind, "withdraw") == 0) {
			pending++;
		} else if (strcmp(kind, "fire") == 0 && pending-- == 0) {
			*target = strdup(pcrm__rows_text(rows, 1));
			rc = *target ? PCRM_OK : pcrm__error_oom();
			break;
		}
		if (pending < 0)
			pending = 0;
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

static int do_withdraw(struct pcrm__wo_op *op, struct pcrm__wo_entry *e, const void *arg)
{
	char *target = NULL;
	size_t cur = 0, idx = 0;
	int rc = state_of(op, pcrm__wo_str(op->wo, "state"), &cur);
	(void)arg;
	if (rc == PCRM_OK)
		rc = withdraw_target(op, &target);
	if (rc != PCRM_OK)
		return rc;
	/* names from the definition: the object's strings are replaced as it changes */
	e->from = op->wf->states[cur].name;
	if (!target) {
		e->kind = "cancel";
		pcrm__wo_set_str(op, "status", "cancelled");
		rc = pcrm__wo_cancel_timers(op, NULL);
		if (rc == PCRM_OK)
			rc = pcrm__wo_sync_timers(op);
	} else if ((rc = state_of(op, target, &idx)) == PCRM_OK) {
		e->to = op->wf->states[idx].name;
		rc = pcrm__wo_enter_state(op, idx);
	}
	free(target);
	return rc;
}

int pcrm_workorder_withdraw(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                            int expected_version, const char *note, pcrm_workorder **out)
{
	struct pcrm__wo_entry e = { "withdraw", NULL, NULL, NULL, NULL, 1, NULL };
	return supervise(ctx, actor, id, expected_version, 1, note, &e, do_withdraw, NULL, out);
}

struct reassign_arg {
	const char *owner, *org_unit;
};

static int do_reassign(struct pcrm__wo_op *op, struct pcrm__wo_entry *e, const void *arg)
{
	const struct reassign_arg *r = arg;
	(void)e;
	pcrm__wo_set_str(op, "owner", r->owner);
	if (r->org_unit)
		pcrm__wo_set_str(op, "org_unit", r->org_unit);
	return PCRM_OK;
}

int pcrm_workorder_reassign(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                            int expected_version, const char *owner, const char *org_unit,
                            const char *note, pcrm_workorder **out)
{
	struct pcrm__wo_entry e = { "reassign", NULL, NULL, NULL, NULL, 1, NULL };
	struct reassign_arg r = { owner, org_unit };
	int rc = check_text("owner", owner, 64, 0);
	if (rc == PCRM_OK)
		rc = check_text("org_unit", org_unit, 32, 0);
	/* the new department must lie in the actor's subtree too */
	if (rc == PCRM_OK && org_unit)
		rc = pcrm_authorize(ctx, actor, PCRM_PERM_WORKORDER_SUPERVISE, org_unit);
	if (rc != PCRM_OK) {
		if (out)
			*out = NULL;
		return rc;
	}
	return supervise(ctx, actor, id, expected_version, 1, note, &e, do_reassign, &r, out);
}

static int do_suspend(struct pcrm__wo_op *op, struct pcrm__wo_entry *e, const void *arg)
{
	int suspend = *(const int *)arg, rc;
	if ((pcrm__wo_int(op->wo, "suspended") != 0) == suspend)
		return pcrm__error(PCRM_ESTATE, "work order %s is %s", op->id,
		                   suspend ? "already suspended" : "not suspended");
	e->kind = suspend ? "suspend" : "resume";
	/* a definition with reason codes suspends only through pcrm_workorder_suspend_request() */
	rc = suspend ? pcrm__wo_suspension_required(op) : pcrm__wo_suspension_end(op);
	if (rc != PCRM_OK)
		return rc;
	pcrm__wo_set_int(op, "suspended", suspend);
	return pcrm__wo_sync_timers(op);
}

int pcrm_workorder_suspend(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                           int expected_version, const char *note, pcrm_workorder **out)
{
	struct pcrm__wo_entry e = { "suspend", NULL, NULL, NULL, NULL, 1, NULL };
	static const int yes = 1;
	return supervise(ctx, actor, id, expected_version, 1, note, &e, do_suspend, &yes, out);
}

int pcrm_workorder_resume(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                          int expected_version, const char *note, pcrm_workorder **out)
{
	struct pcrm__wo_entry e = { "resume", NULL, NULL, NULL, NULL, 1, NULL };
	static const int no = 0;
	return supervise(ctx, actor, id, expected_version, 1, note, &e, do_suspend, &no, out);
}

static int do_reclassify(struct pcrm__wo_op *op, struct pcrm__wo_entry *e, const void *arg)
{
	const char *cls = arg, *cur = pcrm__wo_str(op->wo, "sla_class");
	(void)e;
	if (pcrm__wo_int(op->wo, "suspended"))
		return pcrm__error(PCRM_ESTATE, "work order %s is suspended: resume it first", op->id);
	if (strcmp(cur ? cur : "normal", cls) == 0)
		return pcrm__error(PCRM_ESTATE, "work order %s is already of class %s", op->id, cls);
	pcrm__wo_set_str(op, "sla_class", cls);
	return pcrm__wo_clocks_reclassify(op);
}

int pcrm_workorder_reclassify(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                              int expected_version, const char *sla_class, const char *note,
                              pcrm_workorder **out)
{
	struct pcrm__wo_entry e = { "reclassify", NULL, NULL, NULL, NULL, 1, NULL };
	int rc = sla_class ? check_class(sla_class) :
	                     pcrm__error(PCRM_EINVAL, "sla_class: is required");
	if (rc != PCRM_OK) {
		if (out)
			*out = NULL;
		return rc;
	}
	return supervise(ctx, actor, id, expected_version, 1, note, &e, do_reclassify, sla_class,
	                 out);
}

/* ---- comments and links: history only, the version stays ---- */

int pcrm_workorder_comment(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                           const char *text)
{
	struct pcrm__wo_entry e = { "comment", NULL, NULL, NULL, text, 0, NULL };
	struct pcrm__wo_op op;
	int rc = begin_op(&op, ctx, actor, id, PCRM_PERM_WORKORDER_HANDLE);
	if (rc == PCRM_OK)
		rc = check_text("text", text, PCRM__WF_NOTE_MAX, 1);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, pcrm__wo_commit(&op, &e));
	pcrm__wo_op_clear(&op);
	return rc;
}

static int check_relation(const char *relation)
{
	int rc = check_text("relation", relation, RELATION_MAX, 1);
	for (const char *p = relation; rc == PCRM_OK && *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-'))
			rc = pcrm__error(PCRM_EINVAL,
			                 "relation: may hold only letters, digits, '_' and '-'");
	if (rc == PCRM_OK && strcmp(relation, "child_of") == 0)
		rc = pcrm__error(PCRM_EINVAL, "relation: \"child_of\" is reserved for "
		                              "pcrm_workorder_attach()");
	return rc;
}

static int insert_link(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                       const char *other, const char *relation)
{
	static const char sql[] = "INSERT INTO work_order_link (work_order_id, other_id, relation, "
	                          "created_by, created_at) VALUES ($1, $2, $3, $4, $5)";
	pcrm_sql_value p[5] = { PCRM_SQL_S(id), PCRM_SQL_S(other), PCRM_SQL_S(relation),
		                PCRM_SQL_S(actor->operator_id), PCRM_SQL_I(pcrm_ctx_now(ctx)) };
	int rc = pcrm__store_exec(ctx->store, sql, p, 5, NULL);
	if (rc == PCRM_EDUPLICATE)
		rc = pcrm__error(PCRM_EDUPLICATE, "work order %s is already linked to %s as %s", id,
		                 other, relation);
	return rc;
}

int pcrm_workorder_link(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                        const char *other_id, const char *relation)
{
	struct pcrm__wo_entry mine = { "link", relation, NULL, NULL, other_id, 0, NULL };
	struct pcrm__wo_entry theirs = { "linked", relation, NULL, NULL, id, 0, NULL };
	struct pcrm__wo_op a, b;
	int rc;

	memset(&b, 0, sizeof(b));
	rc = begin_op(&a, ctx, actor, id, PCRM_PERM_WORKORDER_HANDLE);
	if (rc == PCRM_OK)
		rc = check_relation(relation);
	if (rc == PCRM_OK && other_id && strcmp(id, other_id) == 0)
		rc = pcrm__error(PCRM_EINVAL, "other_id: a work order cannot link to itself");
	if (rc == PCRM_OK)
		rc = begin_op(&b, ctx, actor, other_id, PCRM_PERM_WORKORDER_HANDLE);
	if (rc == PCRM_OK)
		rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK) {
		rc = insert_link(ctx, actor, id, other_id, relation);
		if (rc == PCRM_OK)
			rc = pcrm__wo_commit(&a, &mine);
		if (rc == PCRM_OK)
			rc = pcrm__wo_commit(&b, &theirs);
		rc = pcrm__store_finish(ctx->store, rc);
	}
	pcrm__wo_op_clear(&a);
	pcrm__wo_op_clear(&b);
	return rc;
}

/* ---- the frame of a change, for the operations kept in their own files ---- */

int pcrm__wo_begin_change(struct pcrm__wo_op *op, pcrm_ctx *ctx, const pcrm_actor *actor,
                          const char *id, pcrm_permission perm)
{
	return begin_op_tx(op, ctx, actor, id, perm, NULL);
}

int pcrm__wo_refuse(struct pcrm__wo_op *op, int rc)
{
	pcrm_ctx *ctx = op->ctx;
	pcrm__wo_op_clear(op);
	return refuse(ctx, rc);
}

int pcrm__wo_finish_change(struct pcrm__wo_op *op, int rc, const struct pcrm__wo_entry *e,
                           pcrm_workorder **out)
{
	return finish_op(op, rc, e, out);
}

int pcrm__wo_check_note(const char *field, const char *note)
{
	return check_text(field, note, PCRM__WF_NOTE_MAX, 0);
}
