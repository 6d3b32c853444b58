/*
 * The hand-over from the workflow outbox to the outbound queue: a
 * transition's notice to the work order's customer ("notify_customer",
 * lib/workflow/customer_notice.c) becomes one outbound message, delivered
 * on the customer's preferred channel with the fallback order like any
 * other (deliver.c).
 *
 * Why exactly once: each pending notice is copied into outbound_message
 * under the id "wo/<notification id>" and marked delivered in the outbox in
 * ONE transaction.  A crash anywhere before the commit leaves neither (the
 * notice is still pending, the next hand-over takes it); after the commit
 * the notice is no longer pending.  The id is a second guard: inserting it
 * again does nothing (ON CONFLICT DO NOTHING), so even a notice whose
 * delivered mark were lost could not become two messages.  On PostgreSQL
 * the pick locks the rows it takes and skips rows another hand-over holds,
 * so two delivery processes share the work instead of colliding.
 *
 * Why it runs inside the delivery pass (pcrm_outbound_deliver() hands over
 * first): the integrator already runs the delivery pass from a job, so a
 * notice reaches the customer on the next pass with no second job to
 * schedule and no rows to copy; and a notice handed over in a pass is due
 * in that same pass.  pcrm_outbound_handover() is the same step on its own,
 * for a deployment where one process fills the queue and gateways in
 * another place send.  The delivery pass itself stays at least once
 * (a crash between a gateway's send and its write sends again); the
 * hand-over adds no second copy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "org/org_internal.h"
#include "outbound_internal.h"

#define MAX_HANDOVER 1000
/* "wo/" + "<work order id>/<seq>" */
#define PCRM__HANDOVER_ID_MAX (3 + 36 + 1 + 20 + 1)

#define PICK                                                                                 \
	"SELECT n.id, n.work_order_id, n.customer_no, n.note, c.org_unit "                        \
	"FROM work_order_notification n JOIN org_unit o ON o.code = n.org_unit "                  \
	"JOIN customer c ON c.customer_no = n.customer_no "                                       \
	"WHERE n.delivered_at IS NULL AND n.customer_no IS NOT NULL "                             \
	"AND substr(o.path, 1, length($1)) = $1 ORDER BY n.created_at, n.id LIMIT $2"

struct handover {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	const char *scope, *unit;
	int limit;
	int64_t handed; /* messages queued by the committed attempt */
};

/* One pending notice, read before the first write (a scan must not see its own updates). */
struct notice {
	char *id, *work_order_id, *customer_no, *note, *org_unit;
};

static void notices_free(struct notice *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].work_order_id);
		free(v[i].customer_no);
		free(v[i].note);
		free(v[i].org_unit);
	}
	free(v);
}

static int pick(struct handover *h, struct notice **out, int *count)
{
	static const char pick_pg[] = PICK " FOR UPDATE OF n SKIP LOCKED";
	static const char pick_lite[] = PICK;
	pcrm_sql_value p[2] = { PCRM_SQL_S(h->scope), PCRM_SQL_I(h->limit) };
	struct notice *v = calloc((size_t)h->limit, sizeof(*v));
	pcrm_rows *rows = NULL;
	int rc, n = 0;

	*out = NULL;
	*count = 0;
	if (!v)
		return pcrm__error_oom();
	rc = pcrm__store_query(h->ctx->store,
	                       h->ctx->store->driver->kind == PCRM_STORE_POSTGRES ? pick_pg :
	                                                                            pick_lite,
	                       p, 2, &rows);
	while (rc == PCRM_OK && n < h->limit && (rc = pcrm__rows_next(rows)) == 1) {
		struct notice *x = &v[n++];
		x->id = strdup(pcrm__rows_text(rows, 0));
		x->work_order_id = strdup(pcrm__rows_text(rows, 1));
		x->customer_no = strdup(pcrm__rows_text(rows, 2));
		x->note = strdup(pcrm__rows_text(rows, 3));
		x->org_unit = strdup(pcrm__rows_text(rows, 4));
		rc = x->id && x->work_order_id && x->customer_no && x->note && x->org_unit ?
		             PCRM_OK :
		             pcrm__error_oom();
	}
	pcrm__rows_free(rows);
	if (rc < 0) {
		notices_free(v, n);
		return rc;
	}
	*out = v;
	*count = n;
	return PCRM_OK;
}

static int copy_one(struct handover *h, const struct notice *x)
{
	static const char ins[] =
		"INSERT INTO outbound_message (org_unit, id, customer_no, campaign_id, work_order_id, "
		"body, status, channel, channel_index, attempts, not_before, created_at, updated_at) "
		"VALUES ($1, $2, $3, NULL, $4, $5, 'queued', NULL, 0, 0, $6, $6, $6) "
		"ON CONFLICT DO NOTHING";
	static const char mark[] =
		"UPDATE work_order_notification SET delivered_at = $1, delivered_by = $2 "
		"WHERE id = $3 AND delivered_at IS NULL";
	pcrm_time now = pcrm_ctx_now(h->ctx);
	char msg_id[PCRM__HANDOVER_ID_MAX];
	int64_t added = 0;
	int rc;

	snprintf(msg_id, sizeof(msg_id), "wo/%s", x->id);
	{
		pcrm_sql_value p[6] = { PCRM_SQL_S(x->org_unit), PCRM_SQL_S(msg_id),
			                PCRM_SQL_S(x->customer_no), PCRM_SQL_S(x->work_order_id),
			                PCRM_SQL_S(x->note), PCRM_SQL_I(now) };
		rc = pcrm__store_exec(h->ctx->store, ins, p, 6, &added);
	}
	if (rc == PCRM_OK) {
		pcrm_sql_value p[3] = { PCRM_SQL_I(now), PCRM_SQL_S(h->actor->operator_id),
			                PCRM_SQL_S(x->id) };
		rc = pcrm__store_exec(h->ctx->store, mark, p, 3, NULL);
	}
	if (rc == PCRM_OK)
		h->handed += added;
	return rc;
}

static int handover_body(void *arg)
{
	struct handover *h = arg;
	struct notice *v = NULL;
	json_t *ids = NULL, *summary = NULL;
	int rc, n = 0;

	h->handed = 0;
	rc = pick(h, &v, &n);
	for (int i = 0; rc == PCRM_OK && i < n; i++)
		rc = copy_one(h, &v[i]);
	if (rc == PCRM_OK && n > 0) {
		/* one entry for the batch, naming every notice it handed over */
		ids = json_array();
		for (int i = 0; ids && i < n; i++)
			if (json_array_append_new(ids, json_string(v[i].id)) != 0) {
				json_decref(ids);
				ids = NULL;
			}
		summary = ids ? json_pack("{s:I, s:o}", "messages", (json_int_t)h->handed,
		                          "notifications", ids) :
		                NULL;
		rc = summary ? pcrm__audit_append_in_tx(h->ctx, h->actor, "outbound.handover",
		                                        "org_unit", h->unit, summary) :
		               pcrm__error_oom();
	}
	json_decref(summary);
	notices_free(v, n);
	return rc;
}

int pcrm__outbound_handover_in(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org_unit,
                               int limit, int64_t *handed)
{
	struct handover h;
	char *scope = NULL;
	int rc;

	*handed = 0;
	rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_WORKORDER_HANDLE, org_unit, NULL);
	if (rc == PCRM_OK)
		rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_CONTACT_WRITE, org_unit, &scope);
	if (rc != PCRM_OK)
		return rc;
	memset(&h, 0, sizeof(h));
	h.ctx = ctx;
	h.actor = actor;
	h.scope = scope;
	h.unit = org_unit ? org_unit : actor->org_unit;
	h.limit = limit;
	rc = pcrm__store_transaction(ctx->store, handover_body, &h);
	if (rc == PCRM_OK)
		*handed = h.handed;
	free(scope);
	return rc;
}

int pcrm_outbound_handover(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org_unit,
                           int limit, int64_t *handed)
{
	int64_t n = 0;
	int rc;

	if (handed)
		*handed = 0;
	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if (limit < 1 || limit > MAX_HANDOVER)
		return pcrm__error(PCRM_EINVAL, "limit: %d is not within 1..%d", limit, MAX_HANDOVER);
	rc = pcrm_actor_validate(actor);
	if (rc == PCRM_OK)
		rc = pcrm__outbound_handover_in(ctx, actor, org_unit, limit, &n);
	if (rc == PCRM_OK && handed)
		*handed = n;
	return rc;
}
