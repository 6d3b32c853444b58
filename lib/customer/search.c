/*
 * Finding customers: paged search and the screen pop.
 *
 * Every query is limited to the subtree the actor may see (a prefix match on
 * the org unit's path) and is built from fixed SQL fragments with numbered
 * parameters; no value ever enters the SQL text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/text_check.h"
#include "core/vec.h"
#include "customer_internal.h"
#include "org/org_internal.h"
#include "pii.h"
#include "store/store.h"

#define DEFAULT_LIMIT 50
#define MAX_LIMIT 1000
#define SCREEN_POP_MAX 100
#define MAX_CONDITIONS 8

struct pcrm_customer_list {
	pcrm_customer **items;
	size_t count;
	char *next_cursor;
};


static const char select_visible[] =
	"SELECT " PCRM__CUSTOMER_COLUMNS " FROM customer c JOIN org_unit o ON o.code = c.org_unit "
	"WHERE substr(o.path, 1, length($1)) = $1";

PCRM__PAGE_LIST(pcrm_customer_list, pcrm_customer, pcrm_customer_list, pcrm_customer_free)

/* A query under construction: SQL text from constant fragments plus bound values. */
struct query_builder {
	char sql[1024];
	pcrm_sql_value params[MAX_CONDITIONS + 3];
	int nparams;
};

/* Each "$#" in `fragment` becomes this value's parameter number: a placeholder, never a value. */
static void add_condition(struct query_builder *q, const char *fragment, pcrm_sql_value value)
{
	size_t len = strlen(q->sql);
	q->params[q->nparams++] = value;
	for (const char *f = fragment; *f && len + 8 < sizeof(q->sql); f++) {
		if (f[0] == '$' && f[1] == '#') {
			len += (size_t)snprintf(q->sql + len, sizeof(q->sql) - len, "$%d", q->nparams);
			f++;
		} else {
			q->sql[len++] = *f;
		}
	}
	q->sql[len] = '\0';
}

static int check_query(const pcrm_customer_query *query, int *limit)
{
	if (!query)
		return pcrm__error(PCRM_EINVAL, "query: missing");
	/* version 1 callers' structs end before `name` */
	if (query->version < 1 || query->version > PCRM_CUSTOMER_QUERY_VERSION)
		return pcrm__error(PCRM_EINVAL, "query.version: %u is not supported (1..%d)",
		                   query->version, PCRM_CUSTOMER_QUERY_VERSION);
	*limit = query->limit == 0 ? DEFAULT_LIMIT : query->limit;
	if (*limit < 1 || *limit > MAX_LIMIT)
		return pcrm__error(PCRM_EINVAL, "query.limit: %d is outside 1..%d", query->limit,
		                   MAX_LIMIT);
	if (query->name_prefix)
		return pcrm__error(PCRM_EUNSUPPORTED, "query.name_prefix: names are stored sealed and "
		                                      "cannot be searched by prefix; use query.name");
	if (query->version >= 2 && query->name && !*query->name)
		return pcrm__error(PCRM_EINVAL, "query.name: empty");
	/* a cursor is the customer_no of a page's last customer: anything else is not one */
	if (query->cursor &&
	    pcrm__code_check("query.cursor", query->cursor, PCRM__CUSTOMER_NO_MAX) != PCRM_OK)
		return pcrm__error(PCRM_EINVAL,
		                   "query.cursor: not a cursor from pcrm_customer_list_next_cursor()");
	return PCRM_OK;
}

/* Hashes of the sought name and phone: the store holds only blind indexes of both. */
struct sought {
	char phone[PCRM_PHONE_MAX];
	char phone_hash[PCRM_SHA256_HEX_LEN + 1];
	char name_hash[PCRM_SHA256_HEX_LEN + 1];
	char id_hash[PCRM_SHA256_HEX_LEN + 1];
};

static int add_filters(pcrm_ctx *ctx, const pcrm_customer_query *query, struct query_builder *q,
                       struct sought *k)
{
	int rc;
	if (query->customer_no)
		add_condition(q, " AND c.customer_no = $#", PCRM_SQL_S(query->customer_no));
	if (query->version >= 2 && query->name) {
		/* sealed names are found whole, through their blind index (docs/security.md) */
		rc = pcrm__blind_index(ctx, "name", query->name, k->name_hash);
		if (rc != PCRM_OK) {
			pcrm__error_prefix("query");
			return rc;
		}
		add_condition(q, " AND c.name_hash = $#", PCRM_SQL_S(k->name_hash));
	}
	if (query->transformer_area)
		add_condition(q, " AND c.transformer_area = $#", PCRM_SQL_S(query->transformer_area));
	if (query->phone) {
		rc = pcrm_phone_normalize(query->phone, k->phone, PCRM_PHONE_MAX);
		if (rc == PCRM_OK)
			rc = pcrm__blind_index(ctx, "phone", k->phone, k->phone_hash);
		if (rc != PCRM_OK) {
			pcrm__error_prefix("query");
			return rc;
		}
		add_condition(q, " AND c.customer_no IN (SELECT customer_no FROM customer_phone "
		                 "WHERE phone_hash = $#)",
		              PCRM_SQL_S(k->phone_hash));
	}
	if (query->id_number) {
		rc = pcrm__id_lookup_hash(ctx, query->id_number, k->id_hash);
		if (rc != PCRM_OK)
			return rc;
		add_condition(q, " AND c.id_hash = $#", PCRM_SQL_S(k->id_hash));
	}
	if (query->cursor)
		add_condition(q, " AND c.customer_no > $#", PCRM_SQL_S(query->cursor));
	return PCRM_OK;
}

static int run_list(pcrm_ctx *ctx, struct query_builder *q, int limit, int paged,
                    pcrm_customer_list **out)
{
	pcrm_customer_list *list = calloc(1, sizeof(*list));
	pcrm_rows *rows;
	int rc;

	if (!list)
		return pcrm__error_oom();
	rc = pcrm__store_query(ctx->store, q->sql, q->params, q->nparams, &rows);
	if (rc == PCRM_OK) {
		rc = pcrm__customer_list_rows(ctx, rows, limit, &list->items, &list->count);
		/* One row more than the page was asked for: there is a next page. */
		if (rc == PCRM_OK && paged && (int)list->count == limit && pcrm__rows_next(rows) == 1) {
			list->next_cursor = strdup(pcrm_customer_no(list->items[list->count - 1]));
			if (!list->next_cursor)
				rc = pcrm__error_oom();
		}
		pcrm__rows_free(rows);
	}
	if (rc != PCRM_OK) {
		pcrm_customer_list_free(list);
		return rc;
	}
	*out = list;
	return PCRM_OK;
}

int pcrm_customer_search(pcrm_ctx *ctx, const pcrm_actor *actor, const pcrm_customer_query *query,
                         pcrm_customer_list **out)
{
	struct query_builder q;
	struct sought k;
	char *scope = NULL;
	int limit = DEFAULT_LIMIT, rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = check_query(query, &limit);
	if (rc == PCRM_OK)
		rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_ARCHIVE_READ, query->org_unit, &scope);
	if (rc != PCRM_OK)
		return rc;
	memset(&q, 0, sizeof(q));
	snprintf(q.sql, sizeof(q.sql), "%s", select_visible);
	q.params[q.nparams++] = PCRM_SQL_S(scope);
	rc = add_filters(ctx, query, &q, &k);
	if (rc == PCRM_OK) {
		add_condition(&q, " ORDER BY c.customer_no LIMIT $#", PCRM_SQL_I(limit + 1));
		rc = run_list(ctx, &q, limit, 1, out);
	}
	free(scope);
	return rc;
}

int pcrm_customer_find_by_phone(pcrm_ctx *ctx, const pcrm_actor *actor, const char *caller_number,
                                pcrm_customer_list **out)
{
	static const char sql[] =
		"SELECT " PCRM__CUSTOMER_COLUMNS " FROM customer c JOIN org_unit o "
		"ON o.code = c.org_unit "
		"WHERE c.customer_no IN (SELECT customer_no FROM customer_phone WHERE phone_hash = $1) "
		"AND substr(o.path, 1, length($2)) = $2 "
		"ORDER BY c.vip_level DESC, c.customer_no LIMIT $3";
	struct query_builder q;
	char phone[PCRM_PHONE_MAX], hash[PCRM_SHA256_HEX_LEN + 1], *scope = NULL;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: is NULL");
	*out = NULL;
	rc = pcrm_phone_normalize(caller_number, phone, sizeof(phone));
	if (rc != PCRM_OK) {
		pcrm__error_prefix("caller_number");
		return rc;
	}
	rc = pcrm__blind_index(ctx, "phone", phone, hash);
	if (rc != PCRM_OK)
		return rc;
	rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_ARCHIVE_READ, NULL, &scope);
	if (rc != PCRM_OK)
		return rc;
	memset(&q, 0, sizeof(q));
	snprintf(q.sql, sizeof(q.sql), "%s", sql);
	q.params[0] = PCRM_SQL_S(hash);
	q.params[1] = PCRM_SQL_S(scope);
	q.params[2] = PCRM_SQL_I(SCREEN_POP_MAX);
	q.nparams = 3;
	rc = run_list(ctx, &q, SCREEN_POP_MAX, 0, out);
	free(scope);
	return rc;
}
