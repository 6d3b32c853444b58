/*
 * Reading work orders: paged queries, the history, and the replay that
 * rebuilds a work order from its history alone.
 *
 * Queries are limited to the subtree the actor may see (a prefix match on
 * the org unit's path) and are built from fixed SQL fragments with numbered
 * parameters; no value ever enters the SQL text.  Paging is by key
 * (opened_at, id), so work orders opened between two pages never make a
 * page repeat or skip one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/vec.h"
#include "core/uuid.h"
#include "org/org_internal.h"
#include "store/keyset.h"
#include "workorder_internal.h"

#define MAX_PARAMS 14

struct pcrm_workorder_list {
	pcrm_workorder **items;
	size_t count;
	char *next_cursor;
};

struct pcrm_workorder_history {
	char **entries;
	size_t count;
};

PCRM__PAGE_LIST(pcrm_workorder_list, pcrm_workorder, pcrm_workorder_list, pcrm_workorder_free)

/* ---- queries ---- */

struct sql_builder {
	char sql[2048];
	pcrm_sql_value p[MAX_PARAMS];
	int n;
};

/* Appends a fragment whose "$?" (at most two) become the next parameter numbers. */
static void add(struct sql_builder *b, const char *fragment, int nvalues, pcrm_sql_value v1,
                pcrm_sql_value v2)
{
	size_t len = strlen(b->sql);
	const char *q;
	while ((q = strstr(fragment, "$?")) != NULL) {
		len += (size_t)snprintf(b->sql + len, sizeof(b->sql) - len, "%.*s$%d",
		                        (int)(q - fragment), fragment, ++b->n);
		fragment = q + 2;
	}
	snprintf(b->sql + len, sizeof(b->sql) - len, "%s", fragment);
	if (nvalues > 0)
		b->p[b->n - nvalues] = v1;
	if (nvalues > 1)
		b->p[b->n - 1] = v2;
}

static void build_query(struct sql_builder *b, const pcrm_workorder_filter *f, const char *scope,
                        pcrm_time now, const char *cursor, pcrm_time after_at,
                        const char *after_id, int limit)
{
	const pcrm_sql_value none = PCRM_SQL_NUL;
	memset(b, 0, sizeof(*b));
	add(b, "SELECT " PCRM__WO_SELECT " FROM work_order w JOIN org_unit o ON o.code = w.org_unit "
	       "WHERE substr(o.path, 1, length($?)) = $?",
	    2, PCRM_SQL_S(scope), PCRM_SQL_S(scope));
	if (!f->include_closed)
		add(b, " AND w.status = 'open'", 0, none, none);
	if (f->workflow)
		add(b, " AND w.workflow = $?", 1, PCRM_SQL_S(f->workflow), none);
	if (f->state)
		add(b, " AND w.state = $?", 1, PCRM_SQL_S(f->state), none);
	if (f->owner)
		add(b, " AND w.owner = $?", 1, PCRM_SQL_S(f->owner), none);
	if (f->customer_no)
		add(b, " AND w.customer_no = $?", 1, PCRM_SQL_S(f->customer_no), none);
	if (f->overdue_only)
		add(b, " AND (w.overdue = 1 OR w.due_at <= $?)", 1, PCRM_SQL_I(now), none);
	/*
	 * work_order has no due index (a tick's row update then changes no indexed
	 * column): the candidates come from the timers' (done, due_at) index.
	 * work_order.due_at is the earliest running due timer's, so both
	 * conditions select the same rows; the first one states the meaning.
	 */
	if (f->due_within_minutes >= 0) {
		pcrm_time until = now + (int64_t)f->due_within_minutes * 60;
		add(b, " AND w.due_at <= $?", 1, PCRM_SQL_I(until), none);
		add(b, " AND w.id IN (SELECT work_order_id FROM work_order_timer WHERE done = 0 AND "
		       "due_at <= $? AND kind = 'due')",
		    1, PCRM_SQL_I(until), none);
	}
	if (cursor)
		add(b, " AND (w.opened_at, w.id) > ($?, $?)", 2, PCRM_SQL_I(after_at),
		    PCRM_SQL_S(after_id));
	add(b, " ORDER BY w.opened_at, w.id LIMIT $?", 1, PCRM_SQL_I(limit + 1), none);
}

static int make_workorder(void *arg, pcrm_rows *rows, pcrm_workorder **out)
{
	json_t *obj;
	int steps;
	int rc = pcrm__workorder_from_row(rows, &obj, &steps);
	(void)arg;
	return rc == PCRM_OK ? pcrm__workorder_new(obj, steps, out) : rc;
}

/* oldest first; the cursor is the (opened_at, id) of the last work order shown */
PCRM__KEYSET_PAGE_READ(read_page, pcrm_workorder_list, pcrm_workorder, pcrm_workorder_opened_at,
                       pcrm_workorder_id)

static int check_filter(const pcrm_workorder_filter *f)
{
	if (f->version != PCRM_WORKORDER_FILTER_VERSION)
		return pcrm__error(PCRM_EINVAL, "filter.version: %u is not %d", f->version,
		                   PCRM_WORKORDER_FILTER_VERSION);
	if (f->due_within_minutes < -1)
		return pcrm__error(PCRM_EINVAL,
		                   "filter.due_within_minutes: %d is negative (-1 = no condition)",
		                   f->due_within_minutes);
	return PCRM_OK;
}

int pcrm_workorder_query(pcrm_ctx *ctx, const pcrm_actor *actor,
                         const pcrm_workorder_filter *filter, const char *cursor, int limit,
                         pcrm_workorder_list **out)
{
	static const pcrm_workorder_filter all = PCRM_WORKORDER_FILTER_INIT;
	char after_id[PCRM_UUID_STRING_LEN + 1] = "", *scope = NULL;
	pcrm_time after_at = 0;
	struct sql_builder *b = NULL;
	pcrm_workorder_list *list = NULL;
	pcrm_rows *rows;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	if (!filter)
		filter = &all;
	rc = pcrm__page_limit(&limit);
	if (rc != PCRM_OK)
		return rc;
	rc = check_filter(filter);
	if (rc == PCRM_OK && cursor)
		rc = pcrm__keyset_cursor_parse(cursor, "pcrm_workorder_list_next_cursor", &after_at,
		                               after_id);
	if (rc == PCRM_OK)
		rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_ARCHIVE_READ, filter->org_unit, &scope);
	if (rc == PCRM_OK) {
		b = malloc(sizeof(*b));
		list = calloc(1, sizeof(*list));
		if (!b || !list)
			rc = pcrm__error_oom();
	}
	if (rc == PCRM_OK) {
		build_query(b, filter, scope, pcrm_ctx_now(ctx), cursor, after_at, after_id, limit);
		rc = pcrm__store_query(ctx->store, b->sql, b->p, b->n, &rows);
	}
	if (rc == PCRM_OK) {
		rc = read_page(rows, limit, list, make_workorder, NULL);
		pcrm__rows_free(rows);
	}
	free(b);
	free(scope);
	if (rc != PCRM_OK) {
		pcrm_workorder_list_free(list);
		return rc;
	}
	*out = list;
	return PCRM_OK;
}

/*
 * One keyset page of work orders in (opened_at, id) order: `first` and
 * `next` take the actor's scope path as $1, the row limit as $2, `nfixed - 2`
 * parameters of the caller's after them, and `next` the cursor's (opened_at,
 * id) last.  `p` has room for nfixed + 2 values; the caller sets p[0] and
 * p[2 .. nfixed-1] and owns the authorisation.
 */
static int workorder_page(pcrm_ctx *ctx, const char *first, const char *next, pcrm_sql_value *p,
                          int nfixed, const char *cursor, int limit, pcrm_workorder_list **out)
{
	char after_id[PCRM_UUID_STRING_LEN + 1] = "";
	pcrm_time after_at = 0;
	pcrm_workorder_list *list = NULL;
	pcrm_rows *rows;
	int rc = pcrm__page_limit(&limit);

	if (rc == PCRM_OK && cursor)
		rc = pcrm__keyset_cursor_parse(cursor, "pcrm_workorder_list_next_cursor", &after_at,
		                               after_id);
	if (rc == PCRM_OK && !(list = calloc(1, sizeof(*list))))
		rc = pcrm__error_oom();
	if (rc == PCRM_OK) {
		p[1] = PCRM_SQL_I(limit + 1);
		p[nfixed] = PCRM_SQL_I(after_at);
		p[nfixed + 1] = PCRM_SQL_S(after_id);
		rc = pcrm__store_query(ctx->store, cursor ? next : first, p,
		                       cursor ? nfixed + 2 : nfixed, &rows);
	}
	if (rc == PCRM_OK) {
		rc = read_page(rows, limit, list, make_workorder, NULL);
		pcrm__rows_free(rows);
	}
	if (rc != PCRM_OK) {
		pcrm_workorder_list_free(list);
		return rc;
	}
	*out = list;
	return PCRM_OK;
}

/* ---- suspended without an end ---- */

int pcrm_workorder_suspended_unlimited(pcrm_ctx *ctx, const pcrm_actor *actor,
                                       const char *org_unit, const char *cursor, int limit,
                                       pcrm_workorder_list **out)
{
	static const char first[] =
		"SELECT " PCRM__WO_SELECT " FROM work_order w JOIN org_unit o ON o.code = w.org_unit "
		"LEFT JOIN work_order_suspension s ON s.work_order_id = w.id "
		"WHERE substr(o.path, 1, length($1)) = $1 AND w.status = 'open' AND w.suspended = 1 "
		"AND s.resume_at IS NULL ORDER BY w.opened_at, w.id LIMIT $2";
	static const char next[] =
		"SELECT " PCRM__WO_SELECT " FROM work_order w JOIN org_unit o ON o.code = w.org_unit "
		"LEFT JOIN work_order_suspension s ON s.work_order_id = w.id "
		"WHERE substr(o.path, 1, length($1)) = $1 AND w.status = 'open' AND w.suspended = 1 "
		"AND s.resume_at IS NULL AND (w.opened_at, w.id) > ($3, $4) "
		"ORDER BY w.opened_at, w.id LIMIT $2";
	pcrm_sql_value p[4];
	char *scope = NULL;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_ARCHIVE_READ, org_unit, &scope);
	if (rc == PCRM_OK) {
		p[0] = PCRM_SQL_S(scope);
		rc = workorder_page(ctx, first, next, p, 2, cursor, limit, out);
	}
	free(scope);
	return rc;
}

/* ---- the children of a master ---- */

int pcrm_workorder_children(pcrm_ctx *ctx, const pcrm_actor *actor, const char *master_id,
                            const char *cursor, int limit, pcrm_workorder_list **out)
{
	static const char first[] =
		"SELECT " PCRM__WO_SELECT " FROM work_order_link l JOIN work_order w ON "
		"w.id = l.work_order_id JOIN org_unit o ON o.code = w.org_unit WHERE l.other_id = $3 "
		"AND l.relation = 'child_of' AND substr(o.path, 1, length($1)) = $1 "
		"ORDER BY w.opened_at, w.id LIMIT $2";
	static const char next[] =
		"SELECT " PCRM__WO_SELECT " FROM work_order_link l JOIN work_order w ON "
		"w.id = l.work_order_id JOIN org_unit o ON o.code = w.org_unit WHERE l.other_id = $3 "
		"AND l.relation = 'child_of' AND substr(o.path, 1, length($1)) = $1 "
		"AND (w.opened_at, w.id) > ($4, $5) ORDER BY w.opened_at, w.id LIMIT $2";
	pcrm_workorder *master = NULL;
	pcrm_sql_value p[5];
	char *scope = NULL;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	/* reading the master checks the id and the permission on its unit */
	rc = pcrm_workorder_get(ctx, actor, master_id, &master);
	pcrm_workorder_free(master);
	if (rc == PCRM_OK)
		rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_ARCHIVE_READ, NULL, &scope);
	if (rc == PCRM_OK) {
		p[0] = PCRM_SQL_S(scope);
		p[2] = PCRM_SQL_S(master_id);
		rc = workorder_page(ctx, first, next, p, 3, cursor, limit, out);
	}
	free(scope);
	return rc;
}

/* ---- history ---- */

size_t pcrm_workorder_history_count(const pcrm_workorder_history *h)
{
	return h ? h->count : 0;
}

const char *pcrm_workorder_history_at(const pcrm_workorder_history *h, size_t i)
{
	return h && i < h->count ? h->entries[i] : NULL;
}

void pcrm_workorder_history_free(pcrm_workorder_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->count; i++)
		free(h->entries[i]);
	free(h->entries);
	free(h);
}

static json_t *entry_from_row(pcrm_rows *rows)
{
	static const char *const optional[] = { "event", "from", "to", "note" };
	json_t *delta = json_loads(pcrm__rows_text(rows, 6), 0, NULL);
	json_t *e;
	if (!json_is_object(delta)) {
		json_decref(delta);
		return NULL;
	}
	e = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:o}", "seq",
	              (json_int_t)pcrm__rows_int(rows, 0), "at", (json_int_t)pcrm__rows_int(rows, 1),
	              "kind", pcrm__rows_text(rows, 2), "operator_id", pcrm__rows_text(rows, 3),
	              "role", pcrm__rows_text(rows, 4), "actor_org", pcrm__rows_text(rows, 5),
	              "delta", delta);
	for (int i = 0; e && i < 4; i++)
		if (!pcrm__rows_is_null(rows, 7 + i))
			json_object_set_new(e, optional[i], json_string(pcrm__rows_text(rows, 7 + i)));
	return e;
}

/* Calls visit for every entry of a work order, oldest first. */
static int walk_history(pcrm_ctx *ctx, const char *id, int (*visit)(json_t *e, void *arg),
                        void *arg)
{
	static const char sql[] =
		"SELECT seq, at, kind, operator_id, role, actor_org, delta, event, from_state, "
		"to_state, note FROM work_order_history WHERE work_order_id = $1 ORDER BY seq";
	pcrm_sql_value p[1] = { PCRM_SQL_S(id) };
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, 1, &rows);
	if (rc != PCRM_OK)
		return rc;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		json_t *e = entry_from_row(rows);
		if (!e) {
			rc = pcrm__error(PCRM_EINTEGRITY, "history of %s: entry %lld is malformed", id,
			                 (long long)pcrm__rows_int(rows, 0));
			break;
		}
		rc = visit(e, arg);
		json_decref(e);
		if (rc != PCRM_OK)
			break;
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

/* The work order must exist and be visible to the actor. */
static int check_readable(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id)
{
	pcrm_workorder *wo = NULL;
	int rc = pcrm_workorder_get(ctx, actor, id, &wo);
	pcrm_workorder_free(wo);
	return rc;
}

static int add_entry(json_t *e, void *arg)
{
	pcrm_workorder_history *h = arg;
	char **m = realloc(h->entries, (h->count + 1) * sizeof(*m));
	if (!m)
		return pcrm__error_oom();
	h->entries = m;
	h->entries[h->count] = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	if (!h->entries[h->count])
		return pcrm__error_oom();
	h->count++;
	return PCRM_OK;
}

int pcrm_workorder_history_load(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                                pcrm_workorder_history **out)
{
	pcrm_workorder_history *h;
	int rc;
	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = check_readable(ctx, actor, id);
	if (rc != PCRM_OK)
		return rc;
	h = calloc(1, sizeof(*h));
	if (!h)
		return pcrm__error_oom();
	rc = walk_history(ctx, id, add_entry, h);
	if (rc != PCRM_OK) {
		pcrm_workorder_history_free(h);
		return rc;
	}
	*out = h;
	return PCRM_OK;
}

struct replay {
	json_t *obj;
	int steps;
};

static int replay_entry(json_t *e, void *arg)
{
	struct replay *r = arg;
	r->steps++;
	if (json_integer_value(json_object_get(e, "seq")) != r->steps)
		return pcrm__error(PCRM_EINTEGRITY, "history: entry %d is missing", r->steps);
	return pcrm__workorder_apply_delta(r->obj, json_object_get(e, "delta"));
}

int pcrm_workorder_replay(pcrm_ctx *ctx, const pcrm_actor *actor, const char *id,
                          pcrm_workorder **out)
{
	struct replay r = { NULL, 0 };
	int rc;
	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = check_readable(ctx, actor, id);
	if (rc == PCRM_OK && (r.obj = json_object()) == NULL)
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = walk_history(ctx, id, replay_entry, &r);
	if (rc == PCRM_OK)
		return pcrm__workorder_new(r.obj, r.steps, out);
	json_decref(r.obj);
	return rc;
}
