/*
 * Reading call records: one page at a time, newest first, inside the
 * subtree the actor may see.
 *
 * Paging is by key (arrived_ms, call_id), so calls stored between two pages
 * never make a page repeat or skip one.  The cursor is "<arrived_ms>.<call
 * id>"; call ids are not UUIDs, so the (instant, UUID) cursors of
 * store/keyset.h do not fit them.  One statement text serves every filter:
 * an absent filter binds NULL and its condition holds for every row (the
 * CAST gives PostgreSQL the parameter's type where "$2 IS NULL" alone has
 * none).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call_record_internal.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/vec.h"
#include "org/org_internal.h"
#include "store/keyset.h"
#include "store/store.h"

#define CURSOR_MAX (24 + PCRM_ACD_ID_MAX)

struct pcrm_call_record_list {
	pcrm_call_record **items;
	size_t count;
	char *next_cursor;
};

PCRM__PAGE_LIST(pcrm_call_record_list, pcrm_call_record, pcrm_call_record_list, free)

static int parse_cursor(const char *cursor, pcrm_acd_ms *at, char id[PCRM_ACD_ID_MAX + 1])
{
	const char *dot = cursor ? strchr(cursor, '.') : NULL;
	char *end = NULL;
	long long v = 0;
	size_t n = dot ? strlen(dot + 1) : 0;

	if (dot && dot > cursor && strspn(cursor, "0123456789") == (size_t)(dot - cursor))
		v = strtoll(cursor, &end, 10);
	if (!dot || end != dot || v < 0 || n == 0 || n > PCRM_ACD_ID_MAX)
		return pcrm__error(PCRM_EINVAL, "cursor: not a cursor from "
		                                "pcrm_call_record_list_next_cursor()");
	*at = (pcrm_acd_ms)v;
	memcpy(id, dot + 1, n + 1);
	return PCRM_OK;
}

static int check_filter(const pcrm_call_record_filter *f)
{
	if (f->version != PCRM_CALL_RECORD_FILTER_VERSION)
		return pcrm__error(PCRM_EINVAL, "filter.version: %u is not %d", f->version,
		                   PCRM_CALL_RECORD_FILTER_VERSION);
	if (f->from_ms < 0 || f->to_ms < 0)
		return pcrm__error(PCRM_EINVAL, "filter.%s: is negative", f->from_ms < 0 ? "from_ms" :
		                                                                        "to_ms");
	if (f->to_ms && f->to_ms <= f->from_ms)
		return pcrm__error(PCRM_EINVAL, "filter.to_ms: is not after from_ms");
	return PCRM_OK;
}

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static pcrm_acd_outcome outcome_of(const char *name)
{
	for (int o = 0; pcrm_acd_outcome_name((pcrm_acd_outcome)o); o++)
		if (strcmp(name, pcrm_acd_outcome_name((pcrm_acd_outcome)o)) == 0)
			return (pcrm_acd_outcome)o;
	return PCRM_ACD_OUTCOME_ANSWERED; /* the table's CHECK admits no other name */
}

#define SELECT_COLUMNS                                                                          \
	"r.org_unit, r.customer_no, r.call_id, r.arrived_ms, r.queue_id, r.first_queue_id, "     \
	"r.agent_id, r.outcome, r.priority, r.misses, r.overflows, r.short_abandon, "           \
	"r.answered_ms, r.ended_ms, r.wrap_up_end_ms, r.wait_ms, r.talk_ms, r.hold_ms, "        \
	"r.wrap_up_ms, r.caller_masked, r.contact_id, r.stored_at, r.stored_by"

static int row_to_record(pcrm_rows *rows, pcrm_call_record **out)
{
	pcrm_call_record *c = calloc(1, sizeof(*c));
	pcrm_acd_cdr *r;

	if (!c)
		return pcrm__error_oom();
	r = &c->cdr;
	r->size = sizeof(*r);
	r->version = PCRM_ACD_CDR_VERSION;
	copy_text(c->org_unit, sizeof(c->org_unit), pcrm__rows_text(rows, 0));
	copy_text(r->customer_no, sizeof(r->customer_no), pcrm__rows_text(rows, 1));
	copy_text(r->call_id, sizeof(r->call_id), pcrm__rows_text(rows, 2));
	r->arrived_at = pcrm__rows_int(rows, 3);
	copy_text(r->queue_id, sizeof(r->queue_id), pcrm__rows_text(rows, 4));
	copy_text(r->first_queue_id, sizeof(r->first_queue_id), pcrm__rows_text(rows, 5));
	copy_text(r->agent_id, sizeof(r->agent_id), pcrm__rows_text(rows, 6));
	r->outcome = outcome_of(pcrm__rows_text(rows, 7));
	r->priority = (int)pcrm__rows_int(rows, 8);
	r->misses = (int)pcrm__rows_int(rows, 9);
	r->overflows = (int)pcrm__rows_int(rows, 10);
	r->short_abandon = (int)pcrm__rows_int(rows, 11);
	r->answered_at = pcrm__rows_int(rows, 12); /* NULL reads as 0: "never happened" */
	r->ended_at = pcrm__rows_int(rows, 13);
	r->wrap_up_end_at = pcrm__rows_int(rows, 14);
	r->wait_ms = pcrm__rows_int(rows, 15);
	r->talk_ms = pcrm__rows_int(rows, 16);
	r->hold_ms = pcrm__rows_int(rows, 17);
	r->wrap_up_ms = pcrm__rows_int(rows, 18);
	copy_text(r->caller_number, sizeof(r->caller_number), pcrm__rows_text(rows, 19));
	copy_text(c->contact_id, sizeof(c->contact_id), pcrm__rows_text(rows, 20));
	c->stored_at = pcrm__rows_int(rows, 21);
	copy_text(c->stored_by, sizeof(c->stored_by), pcrm__rows_text(rows, 22));
	*out = c;
	return PCRM_OK;
}

static int read_page(pcrm_rows *rows, int limit, pcrm_call_record_list *list)
{
	int rc;
	list->items = calloc((size_t)limit, sizeof(*list->items));
	if (!list->items)
		return pcrm__error_oom();
	while ((rc = pcrm__rows_next(rows)) == 1) {
		const pcrm_call_record *last;
		char cursor[CURSOR_MAX];
		if (list->count < (size_t)limit) {
			rc = row_to_record(rows, &list->items[list->count]);
			if (rc != PCRM_OK)
				return rc;
			list->count++;
			continue;
		}
		last = list->items[list->count - 1];
		snprintf(cursor, sizeof(cursor), "%" PRId64 ".%s", last->cdr.arrived_at,
		         last->cdr.call_id);
		list->next_cursor = strdup(cursor);
		return list->next_cursor ? PCRM_OK : pcrm__error_oom();
	}
	return rc < 0 ? rc : PCRM_OK;
}

static int query_page(pcrm_ctx *ctx, const pcrm_call_record_filter *f, const char *scope,
                      const char *caller_hash, pcrm_acd_ms after_at, const char *after_id,
                      int limit, pcrm_call_record_list *list)
{
	/* newest first: the key (arrived_ms, call_id) below the cursor's, within [from, to) */
	static const char sql[] =
		"SELECT " SELECT_COLUMNS " FROM call_record r JOIN org_unit o ON o.code = r.org_unit "
		"WHERE substr(o.path, 1, length($1)) = $1 "
		"AND (CAST($2 AS TEXT) IS NULL OR r.agent_id = $2) "
		"AND (CAST($3 AS TEXT) IS NULL OR r.customer_no = $3) "
		"AND (CAST($4 AS TEXT) IS NULL OR r.caller_hash = $4) "
		"AND r.arrived_ms >= $5 AND r.arrived_ms < $6 AND (r.arrived_ms, r.call_id) < ($7, $8) "
		"ORDER BY r.arrived_ms DESC, r.call_id DESC LIMIT $9";
	pcrm_sql_value p[9] = {
		PCRM_SQL_S(scope), PCRM_SQL_S(f->agent_id), PCRM_SQL_S(f->customer_no),
		PCRM_SQL_S(caller_hash), PCRM_SQL_I(f->from_ms),
		PCRM_SQL_I(f->to_ms ? f->to_ms : INT64_MAX), PCRM_SQL_I(after_at),
		PCRM_SQL_S(after_id), PCRM_SQL_I(limit + 1)
	};
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, 9, &rows);
	if (rc == PCRM_OK) {
		rc = read_page(rows, limit, list);
		pcrm__rows_free(rows);
	}
	return rc;
}

int pcrm_call_record_list_load(pcrm_ctx *ctx, const pcrm_actor *actor,
                               const pcrm_call_record_filter *filter, const char *cursor,
                               int limit, pcrm_call_record_list **out)
{
	static const pcrm_call_record_filter all = PCRM_CALL_RECORD_FILTER_INIT;
	char after_id[PCRM_ACD_ID_MAX + 1] = "", hash[PCRM__CALLER_HASH_LEN], *scope = NULL;
	pcrm_acd_ms after_at = INT64_MAX; /* the first page: every key lies below it */
	pcrm_call_record_list *list = NULL;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	if (!ctx)
		return pcrm__error(PCRM_EINVAL, "ctx: is NULL");
	if (!filter)
		filter = &all;
	rc = pcrm__page_limit(&limit);
	if (rc == PCRM_OK)
		rc = check_filter(filter);
	if (rc == PCRM_OK && cursor)
		rc = parse_cursor(cursor, &after_at, after_id);
	if (rc == PCRM_OK && filter->caller_number && !ctx->has_data_key)
		rc = pcrm__error(PCRM_EPERM, "filter.caller_number: this context has no data key "
		                             "(caller numbers are found through their keyed hash)");
	if (rc == PCRM_OK && filter->caller_number)
		rc = pcrm__caller_hash(ctx, filter->caller_number, hash);
	if (rc == PCRM_OK)
		rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_CALL_MONITOR, filter->org_unit, &scope);
	if (rc == PCRM_OK && !(list = calloc(1, sizeof(*list))))
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = query_page(ctx, filter, scope, filter->caller_number ? hash : NULL, after_at,
		                after_id, limit, list);
	free(scope);
	if (rc != PCRM_OK) {
		pcrm_call_record_list_free(list);
		return rc;
	}
	*out = list;
	return PCRM_OK;
}
