/*
 * What the knowledge base was used for: the articles that answered a
 * contact, the questions none answered, and their counts.
 *
 * Both tables carry the org path of the customer's unit at the time, so the
 * statistics of a subtree are one prefix test and do not depend on the
 * article's unit (a province article used in one city counts for that city).
 * The unanswered questions are what "智能学习" turns into new articles.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "core/ctx.h"
#include "core/error.h"
#include "core/text_check.h"
#include "core/uuid.h"
#include "customer/customer_internal.h"
#include "kb_internal.h"
#include "org/org_internal.h"
#include "store/store.h"

#define LINKS_MAX 20
#define QUESTION_MAX 200
#define STATS_LIMIT_MAX 100

static int check_link_input(const char *customer_no, const char *contact_id,
                            const char *const *article_ids, size_t n, const char *unanswered)
{
	int rc = pcrm__code_check("customer_no", customer_no, 32);
	if (rc != PCRM_OK)
		return rc;
	if (!contact_id || !pcrm__uuid_is_valid(contact_id))
		return pcrm__error(PCRM_EINVAL, "contact_id: expected a UUID");
	if (n > LINKS_MAX)
		return pcrm__error(PCRM_EINVAL, "article_ids: %zu articles, at most %d", n, LINKS_MAX);
	if (n && !article_ids)
		return pcrm__error(PCRM_EINVAL, "article_ids: missing");
	for (size_t i = 0; i < n; i++) {
		if (!article_ids[i] || !pcrm__uuid_is_valid(article_ids[i]))
			return pcrm__error(PCRM_EINVAL, "article_ids[%zu]: expected a UUID", i);
		for (size_t k = 0; k < i; k++)
			if (strcmp(article_ids[k], article_ids[i]) == 0)
				return pcrm__error(PCRM_EINVAL, "article_ids[%zu]: given twice", i);
	}
	if (n && unanswered)
		return pcrm__error(PCRM_EINVAL, "unanswered: only when no article is given");
	if (!n) {
		size_t len = unanswered ? strlen(unanswered) : 0;
		if (len == 0 || len > QUESTION_MAX)
			return pcrm__error(PCRM_EINVAL, "unanswered: %zu bytes is outside 1..%d", len,
			                   QUESTION_MAX);
		return pcrm__text_check("unanswered", unanswered, len, 0);
	}
	return PCRM_OK;
}

static int contact_of_customer(pcrm_ctx *ctx, const char *customer_no, const char *contact_id)
{
	pcrm_sql_value p[2] = { PCRM_SQL_S(customer_no), PCRM_SQL_S(contact_id) };
	int64_t n = 0;
	int rc = pcrm__store_query_int(ctx->store,
	                               "SELECT COUNT(*) FROM contact WHERE customer_no = $1 AND id = $2",
	                               p, 2, &n);
	if (rc == PCRM_OK && n == 0)
		rc = pcrm__error(PCRM_ENOTFOUND, "contact_id: no such contact of customer %s",
		                 customer_no);
	return rc;
}

struct link_arg {
	pcrm_ctx *ctx;
	const pcrm_actor *actor;
	const char *customer_no, *contact_id, *org_path, *unanswered;
	const char *const *ids;
	size_t n;
};

static int link_body(void *p)
{
	struct link_arg *a = p;
	pcrm_time now = pcrm_ctx_now(a->ctx);
	json_t *summary = json_pack("{s:s}", "customer_no", a->customer_no), *list = json_array();
	int rc = summary && list ? PCRM_OK : pcrm__error_oom();

	for (size_t i = 0; i < a->n && rc == PCRM_OK; i++) {
		pcrm_sql_value v[5] = { PCRM_SQL_S(a->org_path), PCRM_SQL_S(a->customer_no),
			                PCRM_SQL_S(a->contact_id), PCRM_SQL_S(a->ids[i]),
			                PCRM_SQL_I(now) };
		rc = pcrm__store_exec(a->ctx->store,
		                      "INSERT INTO kb_use (org_path, customer_no, contact_id, "
		                      "article_id, at) VALUES ($1, $2, $3, $4, $5)",
		                      v, 5, NULL);
		if (rc == PCRM_EDUPLICATE)
			rc = pcrm__error(PCRM_EDUPLICATE, "article_ids[%zu]: already linked to this "
			                                  "contact", i);
		if (rc == PCRM_OK && json_array_append_new(list, json_string(a->ids[i])) != 0)
			rc = pcrm__error_oom();
	}
	if (rc == PCRM_OK && !a->n) {
		pcrm_sql_value v[5] = { PCRM_SQL_S(a->org_path), PCRM_SQL_S(a->customer_no),
			                PCRM_SQL_S(a->contact_id), PCRM_SQL_S(a->unanswered),
			                PCRM_SQL_I(now) };
		rc = pcrm__store_exec(a->ctx->store,
		                      "INSERT INTO kb_miss (org_path, customer_no, contact_id, "
		                      "question, at) VALUES ($1, $2, $3, $4, $5)",
		                      v, 5, NULL);
		if (rc == PCRM_EDUPLICATE)
			rc = pcrm__error(PCRM_EDUPLICATE, "contact_id: its question is already recorded");
		/* the question may quote the customer: the log keeps only its size */
		if (rc == PCRM_OK &&
		    json_object_set_new(summary, "question_bytes",
		                        json_integer((json_int_t)strlen(a->unanswered))) != 0)
			rc = pcrm__error_oom();
	}
	if (rc == PCRM_OK && a->n && json_object_set(summary, "articles", list) != 0)
		rc = pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = pcrm__audit_append(a->ctx, a->actor, a->n ? "kb.use" : "kb.miss", "contact",
		                        a->contact_id, summary);
	json_decref(summary);
	json_decref(list);
	return rc;
}

int pcrm_kb_contact_link(pcrm_ctx *ctx, const pcrm_actor *actor, const char *customer_no,
                         const char *contact_id, const char *const *article_ids, size_t n,
                         const char *unanswered)
{
	struct pcrm_org_unit unit = { 0 };
	char *org = NULL;
	int rc = pcrm_actor_validate(actor);

	if (rc == PCRM_OK)
		rc = check_link_input(customer_no, contact_id, article_ids, n, unanswered);
	if (rc == PCRM_OK) {
		rc = pcrm__customer_org_read(ctx, customer_no, &org);
		rc = pcrm__authorize_found(ctx, actor, PCRM_PERM_CONTACT_WRITE, "customer", customer_no,
		                           rc, org);
	}
	if (rc == PCRM_OK)
		rc = contact_of_customer(ctx, customer_no, contact_id);
	/* each article must be one the actor may see (pcrm_kb_article_get refuses the others) */
	for (size_t i = 0; i < n && rc == PCRM_OK; i++) {
		pcrm_kb_article *a = NULL;
		rc = pcrm_kb_article_get(ctx, actor, article_ids[i], 0, &a);
		pcrm_kb_article_free(a);
	}
	if (rc == PCRM_OK)
		rc = pcrm__org_load(ctx, org, &unit);
	if (rc == PCRM_OK) {
		struct link_arg arg = { ctx, actor, customer_no, contact_id, unit.path, unanswered,
			                article_ids, n };
		rc = pcrm__store_transaction(ctx->store, link_body, &arg);
	}
	pcrm__org_clear(&unit);
	free(org);
	return rc;
}

/* ---- statistics ---- */

struct counted {
	char *key;
	int64_t count;
};

struct pcrm_kb_stats {
	struct counted *top, *miss;
	size_t ntop, nmiss;
};

static int read_counted(pcrm_ctx *ctx, const char *sql, const pcrm_sql_value *p, int limit,
                        struct counted **out, size_t *n)
{
	pcrm_rows *rows;
	int rc = pcrm__store_query(ctx->store, sql, p, 4, &rows);

	*n = 0;
	if (rc != PCRM_OK)
		return rc;
	if (!(*out = calloc((size_t)limit, sizeof(**out)))) {
		pcrm__rows_free(rows);
		return pcrm__error_oom();
	}
	while ((rc = pcrm__rows_next(rows)) == 1 && *n < (size_t)limit) {
		struct counted *c = &(*out)[(*n)++];
		c->count = pcrm__rows_int(rows, 1);
		if (!(c->key = strdup(pcrm__rows_text(rows, 0)))) {
			rc = pcrm__error_oom();
			break;
		}
	}
	pcrm__rows_free(rows);
	return rc < 0 ? rc : PCRM_OK;
}

int pcrm_kb_stats_load(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_time from, pcrm_time to,
                       int limit, pcrm_kb_stats **out)
{
	static const char top[] =
		"SELECT article_id, COUNT(*) AS uses FROM kb_use WHERE at >= $2 AND at < $3 AND "
		"substr(org_path, 1, length(CAST($1 AS TEXT))) = $1 "
		"GROUP BY article_id ORDER BY uses DESC, article_id LIMIT $4";
	static const char miss[] =
		"SELECT question, COUNT(*) AS times FROM kb_miss WHERE at >= $2 AND at < $3 AND "
		"substr(org_path, 1, length(CAST($1 AS TEXT))) = $1 "
		"GROUP BY question ORDER BY times DESC, question LIMIT $4";
	pcrm_kb_stats *s = NULL;
	char *home = NULL;
	int rc;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: missing");
	*out = NULL;
	rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_KB_READ, NULL, &home);
	if (rc == PCRM_OK && (limit < 1 || limit > STATS_LIMIT_MAX))
		rc = pcrm__error(PCRM_EINVAL, "limit: %d is outside 1..%d", limit, STATS_LIMIT_MAX);
	if (rc == PCRM_OK && to < from)
		rc = pcrm__error(PCRM_EINVAL, "to: before from");
	if (rc == PCRM_OK && !(s = calloc(1, sizeof(*s))))
		rc = pcrm__error_oom();
	if (rc == PCRM_OK) {
		pcrm_sql_value p[4] = { PCRM_SQL_S(home), PCRM_SQL_I(from), PCRM_SQL_I(to),
			                PCRM_SQL_I(limit) };
		rc = read_counted(ctx, top, p, limit, &s->top, &s->ntop);
		if (rc == PCRM_OK)
			rc = read_counted(ctx, miss, p, limit, &s->miss, &s->nmiss);
	}
	free(home);
	if (rc == PCRM_OK)
		*out = s;
	else
		pcrm_kb_stats_free(s);
	return rc;
}

size_t pcrm_kb_stats_top_count(const pcrm_kb_stats *s) { return s ? s->ntop : 0; }
const char *pcrm_kb_stats_top_id(const pcrm_kb_stats *s, size_t i)
{
	return s && i < s->ntop ? s->top[i].key : NULL;
}
int64_t pcrm_kb_stats_top_uses(const pcrm_kb_stats *s, size_t i)
{
	return s && i < s->ntop ? s->top[i].count : 0;
}
size_t pcrm_kb_stats_miss_count(const pcrm_kb_stats *s) { return s ? s->nmiss : 0; }
const char *pcrm_kb_stats_miss_question(const pcrm_kb_stats *s, size_t i)
{
	return s && i < s->nmiss ? s->miss[i].key : NULL;
}
int64_t pcrm_kb_stats_miss_times(const pcrm_kb_stats *s, size_t i)
{
	return s && i < s->nmiss ? s->miss[i].count : 0;
}

void pcrm_kb_stats_free(pcrm_kb_stats *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ntop; i++)
		free(s->top[i].key);
	for (size_t i = 0; i < s->nmiss; i++)
		free(s->miss[i].key);
	free(s->top);
	free(s->miss);
	free(s);
}
