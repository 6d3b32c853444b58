/*
 * The notification outbox: history entries that tell somebody something
 * become rows of work_order_notification in the entry's own transaction;
 * a delivery process claims them for a lease and acknowledges each one.
 *
 * Why an outbox and not a callback: the library must not deliver from
 * inside a transaction that may still roll back, and must not lose a
 * notification when the process dies between commit and delivery.  A row
 * written with its entry and removed from the pending set only by an
 * acknowledgement gives both: at-least-once delivery, never a notification
 * for something that did not happen.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/vec.h"
#include "org/org_internal.h"
#include "workorder_internal.h"

#define MAX_CLAIM 1000
#define MAX_LEASE 86400
#define ID_MAX (PCRM_WORKORDER_ID_LEN + 16)

struct pcrm_notification_list {
	struct pcrm__vec v;
};

PCRM__VEC_LIST(pcrm_notification_list, pcrm_notification, pcrm_notification_list_count,
               pcrm_notification_list_at, pcrm_notification_list_free)

int pcrm__wo_kind_notifies(const char *kind)
{
	return strcmp(kind, "notify") == 0 || strcmp(kind, "remind") == 0 ||
	       strcmp(kind, "escalate") == 0 || strcmp(kind, "reassign") == 0;
}

/*
 * The addressee is read from the work order row as the entry left it (the
 * row's write is queued before this statement), so a reassignment goes to
 * the new owner; an escalation names the supervising unit in `address`
 * (the work order stays with its unit), and then no owner is addressed.
 */
int pcrm__wo_notification_write(pcrm_ctx *ctx, const char *work_order_id, int64_t seq,
                                const char *kind, const char *note, pcrm_time at,
                                const char *address, const char *recipient, const char *role,
                                int level)
{
	/* a role is addressed in its unit, never to the owner */
	static const char sql[] =
		"INSERT INTO work_order_notification (org_unit, id, work_order_id, seq, kind, "
		"recipient, note, created_at, attempts, recipient_role, recipient_level) "
		"SELECT COALESCE(CAST($7 AS TEXT), w.org_unit), $1, w.id, $2, $3, "
		"COALESCE(CAST($8 AS TEXT), CASE WHEN $7 IS NULL AND CAST($9 AS TEXT) IS NULL THEN w.owner END), "
		"$4, $5, 0, $9, $10 "
		"FROM work_order w WHERE w.id = $6";
	char id[ID_MAX];
	pcrm_sql_value p[10];

	snprintf(id, sizeof(id), "%s/%lld", work_order_id, (long long)seq);
	p[0] = PCRM_SQL_S(id);
	p[1] = PCRM_SQL_I(seq);
	p[2] = PCRM_SQL_S(kind);
	p[3] = PCRM_SQL_S(note);
	p[4] = PCRM_SQL_I(at);
	p[5] = PCRM_SQL_S(work_order_id);
	p[6] = PCRM_SQL_S(address);
	p[7] = PCRM_SQL_S(recipient);
	p[8] = PCRM_SQL_S(role);
	p[9] = role && level > 0 ? PCRM_SQL_I(level) : PCRM_SQL_NUL;
	return pcrm__store_exec_later(ctx->store, sql, p, 10, 1, PCRM_ESTORE,
	                              "work order of a notification vanished");
}

/* ---- claiming ---- */

#define CLAIM_RETURNING                                                                    \
	" RETURNING id, work_order_id, seq, kind, org_unit, recipient, note, created_at, attempts," \
	" recipient_role, recipient_level"
#define CLAIM_PICK                                                                         \
	"SELECT n.id FROM work_order_notification n JOIN org_unit o ON o.code = n.org_unit "    \
	"WHERE n.delivered_at IS NULL AND (n.claimed_until IS NULL OR n.claimed_until <= $3) "  \
	"AND n.customer_no IS NULL "                                                             \
	"AND substr(o.path, 1, length($4)) = $4 ORDER BY n.created_at, n.id LIMIT $5"
#define CLAIM_SET                                                                          \
	"UPDATE work_order_notification SET claimed_by = $1, claimed_until = $2, "            \
	"attempts = attempts + 1 WHERE "
#define CLAIM_STILL_FREE                                                                   \
	" AND delivered_at IS NULL AND (claimed_until IS NULL OR claimed_until <= $3)"

/*
 * SQLite serialises writers, so the pick cannot race; PostgreSQL skips rows another claim holds.
 * Notices to customers (customer_no set) are not for operators: lib/outbound hands them over.
 */
static const char claim_sqlite[] =
	CLAIM_SET "id IN (" CLAIM_PICK ")" CLAIM_STILL_FREE CLAIM_RETURNING;
static const char claim_pg[] =
	CLAIM_SET "id = ANY (ARRAY(" CLAIM_PICK " FOR UPDATE OF n SKIP LOCKED))" CLAIM_STILL_FREE
		CLAIM_RETURNING;

static pcrm_notification *notification_from_row(pcrm_rows *rows)
{
	static const size_t offsets[] = {
		offsetof(pcrm_notification, id),       offsetof(pcrm_notification, work_order_id),
		offsetof(pcrm_notification, kind),     offsetof(pcrm_notification, org_unit),
		offsetof(pcrm_notification, recipient), offsetof(pcrm_notification, note),
		offsetof(pcrm_notification, recipient_role),
	};
	const char *src[7];
	pcrm_notification *n;

	src[0] = pcrm__rows_text(rows, 0);
	src[1] = pcrm__rows_text(rows, 1);
	src[2] = pcrm__rows_text(rows, 3);
	src[3] = pcrm__rows_text(rows, 4);
	src[4] = pcrm__rows_is_null(rows, 5) ? NULL : pcrm__rows_text(rows, 5);
	src[5] = pcrm__rows_is_null(rows, 6) ? NULL : pcrm__rows_text(rows, 6);
	src[6] = pcrm__rows_is_null(rows, 9) ? NULL : pcrm__rows_text(rows, 9);
	n = pcrm__block_new(sizeof(*n), src, offsets, 7);
	if (n) {
		n->recipient_level = pcrm__rows_is_null(rows, 10) ? 0 : (int)pcrm__rows_int(rows, 10);
		n->seq = (int)pcrm__rows_int(rows, 2);
		n->created_at = pcrm__rows_int(rows, 7);
		n->attempts = (int)pcrm__rows_int(rows, 8);
	}
	return n;
}

/* RETURNING gives no order: oldest first, as claimed. */
static int cmp_notification(const void *a, const void *b)
{
	const pcrm_notification *x = *(pcrm_notification *const *)a;
	const pcrm_notification *y = *(pcrm_notification *const *)b;
	if (x->created_at != y->created_at)
		return x->created_at < y->created_at ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int claim_rows(pcrm_ctx *ctx, const pcrm_actor *actor, const char *scope, int limit,
                      int lease_seconds, pcrm_notification_list *list)
{
	pcrm_time now = pcrm_ctx_now(ctx);
	pcrm_sql_value p[5] = { PCRM_SQL_S(actor->operator_id), PCRM_SQL_I(now + lease_seconds),
		                PCRM_SQL_I(now), PCRM_SQL_S(scope), PCRM_SQL_I(limit) };
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_query(ctx->store,
	                           ctx->store->driver->kind == PCRM_STORE_POSTGRES ? claim_pg :
	                                                                             claim_sqlite,
	                           p, 5, &rows);

	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1) {
		pcrm_notification *n = notification_from_row(rows);
		rc = n ? pcrm__vec_push(&list->v, n) : PCRM_ENOMEM;
		if (rc != PCRM_OK) {
			free(n);
			rc = pcrm__error_oom();
		}
	}
	pcrm__rows_free(rows);
	if (rc < 0)
		return rc;
	if (list->v.count > 1)
		qsort(list->v.items, list->v.count, sizeof(void *), cmp_notification);
	return PCRM_OK;
}

static int audit_claim(pcrm_ctx *ctx, const pcrm_actor *actor, const char *unit,
                       const pcrm_notification_list *list, int lease_seconds)
{
	json_t *ids = json_array(), *summary;
	int rc;

	for (size_t i = 0; ids && i < list->v.count; i++)
		if (json_array_append_new(ids, json_string(((pcrm_notification *)list->v.items[i])->id)))
			break;
	summary = ids ? json_pack("{s:I, s:o}", "lease_seconds", (json_int_t)lease_seconds,
	                          "notifications", ids) :
	                NULL;
	if (!summary)
		return pcrm__error_oom();
	rc = pcrm__audit_append_in_tx(ctx, actor, "notification.claim", "org_unit", unit, summary);
	json_decref(summary);
	return rc;
}

int pcrm_notification_claim(pcrm_ctx *ctx, const pcrm_actor *actor, const char *org_unit,
                            int limit, int lease_seconds, pcrm_notification_list **out)
{
	pcrm_notification_list *list;
	char *scope = NULL;
	int rc;

	if (out)
		*out = NULL;
	if (!ctx || !out)
		return pcrm__error(PCRM_EINVAL, "%s: is NULL", ctx ? "out" : "ctx");
	if (limit < 1 || limit > MAX_CLAIM)
		return pcrm__error(PCRM_EINVAL, "limit: %d is not within 1..%d", limit, MAX_CLAIM);
	if (lease_seconds < 1 || lease_seconds > MAX_LEASE)
		return pcrm__error(PCRM_EINVAL, "lease_seconds: %d is not within 1..%d",
		                   lease_seconds, MAX_LEASE);
	rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_WORKORDER_HANDLE, org_unit, &scope);
	if (rc != PCRM_OK)
		return rc;
	list = calloc(1, sizeof(*list));
	if (!list) {
		free(scope);
		return pcrm__error_oom();
	}
	rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK) {
		rc = claim_rows(ctx, actor, scope, limit, lease_seconds, list);
		if (rc == PCRM_OK && list->v.count > 0)
			rc = audit_claim(ctx, actor, org_unit ? org_unit : actor->org_unit, list,
			                 lease_seconds);
		rc = pcrm__store_finish(ctx->store, rc);
	}
	free(scope);
	if (rc != PCRM_OK) {
		pcrm_notification_list_free(list);
		return rc;
	}
	*out = list;
	return PCRM_OK;
}

/* ---- acknowledging ---- */

static int load_state(pcrm_ctx *ctx, const char *id, char *org_unit, size_t size,
                      int *delivered, int *to_customer)
{
	pcrm_sql_value p[1] = { PCRM_SQL_S(id) };
	pcrm_rows *rows = NULL;
	int rc = pcrm__store_query(ctx->store,
	                           "SELECT org_unit, delivered_at, customer_no "
	                           "FROM work_order_notification WHERE id = $1",
	                           p, 1, &rows);
	if (rc == PCRM_OK) {
		rc = pcrm__rows_next(rows);
		if (rc == 1) {
			snprintf(org_unit, size, "%s", pcrm__rows_text(rows, 0));
			*delivered = !pcrm__rows_is_null(rows, 1);
			*to_customer = !pcrm__rows_is_null(rows, 2);
			rc = PCRM_OK;
		} else if (rc == 0) {
			rc = pcrm__error(PCRM_ENOTFOUND, "notification \"%.80s\" does not exist", id);
		}
	}
	pcrm__rows_free(rows);
	return rc;
}

static int mark_delivered(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                          const char *org_unit)
{
	pcrm_time now = pcrm_ctx_now(ctx);
	pcrm_sql_value p[3] = { PCRM_SQL_I(now), PCRM_SQL_S(actor->operator_id), PCRM_SQL_S(id) };
	int64_t changed = 0;
	json_t *summary;
	int rc = pcrm__store_exec(ctx->store,
	                          "UPDATE work_order_notification SET delivered_at = $1, "
	                          "delivered_by = $2 WHERE id = $3 AND delivered_at IS NULL",
	                          p, 3, &changed);

	if (rc != PCRM_OK || changed == 0) /* acknowledged meanwhile: nothing to record */
		return rc;
	summary = json_pack("{s:s, s:s, s:I}", "id", id, "org_unit", org_unit, "at",
	                    (json_int_t)now);
	if (!summary)
		return pcrm__error_oom();
	rc = pcrm__audit_append_in_tx(ctx, actor, "notification.ack", "work_order_notification", id,
	                              summary);
	json_decref(summary);
	return rc;
}

int pcrm_notification_ack(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id)
{
	char org_unit[64]; /* org unit codes are 1..32 characters */
	int delivered = 0, to_customer = 0, rc;

	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if (!id || !*id)
		return pcrm__error(PCRM_EINVAL, "id: is empty");
	rc = load_state(ctx, id, org_unit, sizeof(org_unit), &delivered, &to_customer);
	/* an id nobody has is refused like a notification of another unit (no oracle) */
	rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_WORKORDER_HANDLE, "notification", id, rc,
	                           org_unit);
	if (rc != PCRM_OK || delivered)
		return rc;
	/* acknowledging it here would drop the customer's message: the outbound hand-over owns it */
	if (to_customer)
		return pcrm__error(PCRM_ESTATE, "id: notification %.80s is addressed to the customer; "
		                                "pcrm_outbound_handover() delivers it",
		                   id);
	rc = pcrm__store_begin(ctx->store);
	if (rc == PCRM_OK)
		rc = pcrm__store_finish(ctx->store, mark_delivered(ctx, actor, id, org_unit));
	return rc;
}
