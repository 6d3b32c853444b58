/*
 * Searching the knowledge base: by category, by keywords over title,
 * summary and keywords (any or all terms), by full text over the body.
 *
 * Full text goes through the bigram index kb_gram (kb_gram.c), the same SQL
 * on both stores.  For each term of 2+ characters the postings of its
 * bigrams are intersected (GROUP BY row_id HAVING COUNT(*) = the number of
 * bigrams) and each candidate gets an upper bound of the term's score from
 * the postings' field bits (a term can be in the title only if each of its
 * bigrams is).  The candidates, best bound first, are cut at a candidate
 * limit; only those are read, checked with a substring test (the bigrams of
 * a term may all occur without the term) and scored exactly.  The cut is
 * exact, not a guess: when the limit cut anything, the k-th hit's score
 * must prove that nothing cut off could rank above it (exact_enough());
 * when it cannot, the query runs again without the cut.  A query whose
 * every text term is one character has no bigram: it is a substring test
 * over the rows the other criteria leave (docs/kb.md).
 *
 * The index only finds candidates; every store ranks them with the same
 * expression, so both stores return the same order: for each term, 4 when
 * it occurs in the title, 2 in the summary, 2 in the keywords, 1 in the
 * body; ties go to the article written last, then the article id.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <powercrm/time.h>

#include "core/ctx.h"
#include "core/error.h"
#include "core/strbuf.h"
#include "core/text_check.h"
#include "kb_internal.h"
#include "org/org_internal.h"
#include "store/store.h"

#define QUERY_TEXT_MAX 200
#define LIMIT_DEFAULT 10
#define LIMIT_MAX 100
/* the candidates read per hit asked for, before the exactness check (at least CANDIDATES_MIN) */
#define CANDIDATES_PER_HIT 5
#define CANDIDATES_MIN 50
/* a term of QUERY_TEXT_MAX bytes has fewer bigrams than bytes */
#define GRAMS_MAX QUERY_TEXT_MAX
/* home, today, category, category prefix, candidate limit, keyword and text
 * terms, the bigrams */
#define PARAMS_MAX (6 + 2 * PCRM_KB_TERMS_MAX + GRAMS_MAX)
/* the largest score of one term: title 4 + summary 2 + keywords 2 + body 1 */
#define TERM_SCORE_MAX 9

struct hit {
	char *id, *title, *category, *summary;
	int version;
};

struct pcrm_kb_hit_list {
	struct hit *items;
	size_t count;
};

struct term {
	char *like;    /* '%term%' with % _ \ escaped */
	size_t chars;  /* characters (code points), not bytes */
	const char *s; /* start in the caller's text */
	size_t len;
};

struct terms {
	struct term t[PCRM_KB_TERMS_MAX];
	int n;
};

static void terms_clear(struct terms *ts)
{
	for (int i = 0; i < ts->n; i++)
		free(ts->t[i].like);
	ts->n = 0;
}

/* ASCII white space or U+3000 (ideographic space, typed by Chinese input methods). */
static size_t space_at(const char *p)
{
	if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		return 1;
	if ((unsigned char)p[0] == 0xe3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x80)
		return 3;
	return 0;
}

static int split_terms(const char *field, const char *text, struct terms *ts)
{
	const char *p = text;
	size_t n = strlen(text), skip;
	int rc;

	ts->n = 0;
	if (n == 0 || n > QUERY_TEXT_MAX)
		return pcrm__error(PCRM_EINVAL, "%s: %zu bytes is outside 1..%d", field, n,
		                   QUERY_TEXT_MAX);
	rc = pcrm__text_check(field, text, n, 0);
	if (rc != PCRM_OK)
		return rc;
	while (*p) {
		struct term *t;
		const char *start;
		char *o;

		while ((skip = space_at(p)) != 0)
			p += skip;
		if (!*p)
			break;
		if (ts->n == PCRM_KB_TERMS_MAX) {
			terms_clear(ts);
			return pcrm__error(PCRM_EINVAL, "%s: more than %d terms", field,
			                   PCRM_KB_TERMS_MAX);
		}
		t = &ts->t[ts->n];
		start = p;
		t->chars = 0;
		while (*p && !space_at(p)) {
			if (((unsigned char)*p & 0xc0) != 0x80)
				t->chars++;
			p++;
		}
		t->s = start;
		t->len = (size_t)(p - start);
		if (!(t->like = malloc(2 * t->len + 3))) {
			terms_clear(ts);
			return pcrm__error_oom();
		}
		ts->n++;
		o = t->like;
		*o++ = '%';
		for (const char *q = start; q < p; q++) {
			if (*q == '%' || *q == '_' || *q == '\\')
				*o++ = '\\';
			*o++ = *q;
		}
		*o++ = '%';
		*o = '\0';
	}
	return PCRM_OK;
}

static int check_query(const pcrm_kb_query *q, int *limit)
{
	if (!q)
		return pcrm__error(PCRM_EINVAL, "query: missing");
	if (q->version != PCRM_KB_QUERY_VERSION)
		return pcrm__error(PCRM_EINVAL, "query.version: %d is not %d", q->version,
		                   PCRM_KB_QUERY_VERSION);
	if (q->match != PCRM_KB_MATCH_ANY && q->match != PCRM_KB_MATCH_ALL)
		return pcrm__error(PCRM_EINVAL, "query.match: %d is not ANY (0) or ALL (1)",
		                   (int)q->match);
	if (q->limit < 0 || q->limit > LIMIT_MAX)
		return pcrm__error(PCRM_EINVAL, "query.limit: %d is outside 0..%d", q->limit,
		                   LIMIT_MAX);
	*limit = q->limit ? q->limit : LIMIT_DEFAULT;
	if (!q->category && !q->keywords && !q->text)
		return pcrm__error(PCRM_EINVAL, "query: give a category, keywords or text");
	if (q->category) {
		size_t n = strlen(q->category);
		if (n == 0 || n > PCRM_KB_TITLE_MAX)
			return pcrm__error(PCRM_EINVAL, "query.category: %zu bytes is outside 1..%d", n,
			                   PCRM_KB_TITLE_MAX);
		return pcrm__text_check("query.category", q->category, n, 0);
	}
	return PCRM_OK;
}

static void today(pcrm_ctx *ctx, char out[16])
{
	pcrm_civil c;
	if (pcrm_time_to_civil(pcrm_ctx_now(ctx), pcrm_ctx_utc_offset(ctx), &c) != PCRM_OK)
		memset(&c, 0, sizeof(c));
	snprintf(out, 16, "%04d-%02d-%02d", c.year, c.month, c.day);
}

/* "lower(a.COL) LIKE lower(CAST($n AS TEXT)) ESCAPE '\'" */
#define LIKE(b, col, n)                                                                       \
	pcrm__strbuf_add(b, "lower(a." col ") LIKE lower(CAST($%d AS TEXT)) ESCAPE '\\'", n)

static void add_score(struct pcrm__strbuf *b, int param, int with_body)
{
	pcrm__strbuf_add(b, " + (CASE WHEN ");
	LIKE(b, "title", param);
	pcrm__strbuf_add(b, " THEN 4 ELSE 0 END) + (CASE WHEN ");
	LIKE(b, "summary", param);
	pcrm__strbuf_add(b, " THEN 2 ELSE 0 END) + (CASE WHEN ");
	LIKE(b, "keywords", param);
	pcrm__strbuf_add(b, " THEN 2 ELSE 0 END)");
	if (with_body) {
		pcrm__strbuf_add(b, " + (CASE WHEN ");
		LIKE(b, "body", param);
		pcrm__strbuf_add(b, " THEN 1 ELSE 0 END)");
	}
}

struct built {
	struct pcrm__strbuf sql;
	pcrm_sql_value p[PARAMS_MAX];
	int64_t grams[GRAMS_MAX];
	int np, ngrams;
	int candidates; /* the candidate limit; 0 when none applies */
	char *category_prefix;
	char today[16];
};

/* " AND (term in title OR summary OR keywords [OR body])" */
static void add_occurs(struct pcrm__strbuf *s, int param, int with_body)
{
	pcrm__strbuf_add(s, "(");
	LIKE(s, "title", param);
	pcrm__strbuf_add(s, " OR ");
	LIKE(s, "summary", param);
	pcrm__strbuf_add(s, " OR ");
	LIKE(s, "keywords", param);
	if (with_body) {
		pcrm__strbuf_add(s, " OR ");
		LIKE(s, "body", param);
	}
	pcrm__strbuf_add(s, ")");
}

/* The status, validity, visibility, category and keyword criteria, each " AND ...". */
static void add_filters(const pcrm_kb_query *q, const struct terms *kw, int kw_first,
                        int category_param, struct pcrm__strbuf *s)
{
	pcrm__strbuf_add(s, " AND a.status = 2 AND a.valid_from <= $2 AND (a.valid_to IS NULL OR "
	                    "a.valid_to >= $2) AND " PCRM__KB_VISIBLE_SQL("CAST($1 AS TEXT)"));
	if (q->category)
		pcrm__strbuf_add(s, " AND (a.category = $%d OR substr(a.category, 1, "
		                    "length(CAST($%d AS TEXT))) = $%d)",
		                 category_param, category_param + 1, category_param + 1);
	if (kw->n) {
		pcrm__strbuf_add(s, " AND (");
		for (int i = 0; i < kw->n; i++) {
			if (i)
				pcrm__strbuf_add(s, q->match == PCRM_KB_MATCH_ALL ? " AND " : " OR ");
			add_occurs(s, kw_first + i, 0);
		}
		pcrm__strbuf_add(s, ")");
	}
}

/* 1 (bit set) or 0 when every bigram's posting has field `bit` */
#define MIN_BIT(b, bit, weight) pcrm__strbuf_add(b, " + %d * MIN((fields & %d) / %d)", weight, bit, bit)

/*
 * The candidates of the text terms: one subquery per term of 2+ characters,
 * g<i>(row_id, b) with b the upper bound of the term's score, joined on
 * row_id.  Returns the sum of the bounds' SQL into *bound (a constant
 * TERM_SCORE_MAX for each one-character term), or 0 when no term has a
 * bigram.
 */
static int add_gram_sources(const struct terms *tx, struct built *b, struct pcrm__strbuf *s,
                            struct pcrm__strbuf *bound)
{
	int joined = 0;
	pcrm__strbuf_add(bound, "0");
	for (int i = 0; i < tx->n; i++) {
		size_t n = pcrm__kb_term_grams(tx->t[i].s, tx->t[i].len, b->grams + b->ngrams,
		                               (size_t)(GRAMS_MAX - b->ngrams));
		if (n == 0) {
			pcrm__strbuf_add(bound, " + %d", TERM_SCORE_MAX);
			continue;
		}
		pcrm__strbuf_add(s, "%s(SELECT row_id, 0", joined ? " JOIN " : "");
		MIN_BIT(s, KB_IN_TITLE, 4);
		MIN_BIT(s, KB_IN_SUMMARY, 2);
		MIN_BIT(s, KB_IN_KEYWORDS, 2);
		MIN_BIT(s, KB_IN_BODY, 1);
		pcrm__strbuf_add(s, " AS b FROM kb_gram WHERE gram IN (");
		for (size_t k = 0; k < n; k++) {
			b->p[b->np++] = PCRM_SQL_I(b->grams[b->ngrams + k]);
			pcrm__strbuf_add(s, "%s$%d", k ? ", " : "", b->np);
		}
		pcrm__strbuf_add(s, ") GROUP BY row_id HAVING COUNT(*) = %zu) g%d", n, i);
		if (joined)
			pcrm__strbuf_add(s, " ON g%d.row_id = g%d.row_id", i, joined - 1);
		pcrm__strbuf_add(bound, " + g%d.b", i);
		b->ngrams += (int)n;
		joined = i + 1;
	}
	return joined;
}

/*
 * The statement.  With text terms that have bigrams:
 *   SELECT id, ..., bound, matched, score FROM (
 *     SELECT row_id, bound FROM <bigram candidates> CROSS JOIN kb_article a
 *     WHERE <criteria> ORDER BY bound DESC, written_at DESC, article_id
 *     LIMIT <candidates>) c CROSS JOIN kb_article a WHERE a.row_id = c.row_id
 *   ORDER BY matched DESC, score DESC, written_at DESC, article_id
 * and otherwise one SELECT over kb_article with the substring tests in WHERE.
 */
static int build(pcrm_ctx *ctx, const pcrm_kb_query *q, const char *home, int limit,
                 const struct terms *kw, const struct terms *tx, int candidates, struct built *b)
{
	struct pcrm__strbuf *s = &b->sql, from = { NULL, 0, 0, 0 }, bound = { NULL, 0, 0, 0 };
	int kw_first, tx_first, category_param = 0, last_source;

	today(ctx, b->today);
	b->p[b->np++] = PCRM_SQL_S(home);     /* $1 */
	b->p[b->np++] = PCRM_SQL_S(b->today); /* $2 */
	if (q->category) {
		size_t n = strlen(q->category);
		if (!(b->category_prefix = malloc(n + 2)))
			return pcrm__error_oom();
		memcpy(b->category_prefix, q->category, n);
		memcpy(b->category_prefix + n, "/", 2);
		b->p[b->np++] = PCRM_SQL_S(q->category);
		b->p[b->np++] = PCRM_SQL_S(b->category_prefix);
		category_param = b->np - 1;
	}
	kw_first = b->np + 1;
	for (int i = 0; i < kw->n; i++)
		b->p[b->np++] = PCRM_SQL_S(kw->t[i].like);
	tx_first = b->np + 1;
	for (int i = 0; i < tx->n; i++)
		b->p[b->np++] = PCRM_SQL_S(tx->t[i].like);

	last_source = tx->n ? add_gram_sources(tx, b, &from, &bound) : 0;
	/* keyword terms score too (title 4, summary 2, keywords 2): their most, for every row */
	if (kw->n)
		pcrm__strbuf_add(&bound, " + %d", 8 * kw->n);
	if (from.failed || bound.failed) {
		free(from.p);
		free(bound.p);
		return pcrm__error_oom();
	}
	if (last_source) {
		b->candidates = candidates;
		/*
		 * The cut reads few columns of each candidate (every candidate of a
		 * broad term is read here); the outer query reads the whole row of
		 * the candidates kept only.  Each candidate's article is read by its
		 * key, the join order spelled out for each store: left to itself,
		 * SQLite may walk every approved article by the status index and
		 * probe the candidates, and PostgreSQL hash-joins ~1,000 candidates
		 * with a scan of every article (260 ms at 100,000).  CROSS JOIN
		 * fixes SQLite's order; PostgreSQL plans CROSS JOIN like any join,
		 * but not a LATERAL subquery that OFFSET 0 keeps from being
		 * flattened.  Same rows, same order: only the plan differs.
		 */
		pcrm__strbuf_add(s, "SELECT a.article_id, a.version, a.title, a.category, a.summary, "
		                    "c.bound, CASE WHEN 1 = 1");
		for (int i = 0; i < tx->n; i++) {
			pcrm__strbuf_add(s, " AND ");
			add_occurs(s, tx_first + i, 1);
		}
		pcrm__strbuf_add(s, " THEN 1 ELSE 0 END AS matched, 0");
		for (int i = 0; i < kw->n; i++)
			add_score(s, kw_first + i, 0);
		for (int i = 0; i < tx->n; i++)
			add_score(s, tx_first + i, 1);
		pcrm__strbuf_add(s, " AS score FROM (SELECT a.row_id, %s AS bound FROM %s", bound.p,
		                 from.p);
		if (ctx->store->driver->kind == PCRM_STORE_SQLITE)
			pcrm__strbuf_add(s, " CROSS JOIN kb_article a WHERE a.row_id = g%d.row_id",
			                 last_source - 1);
		else
			pcrm__strbuf_add(s, " CROSS JOIN LATERAL (SELECT * FROM kb_article WHERE "
			                    "row_id = g%d.row_id OFFSET 0) a WHERE 1 = 1",
			                 last_source - 1);
		add_filters(q, kw, kw_first, category_param, s);
		pcrm__strbuf_add(s, " ORDER BY bound DESC, a.written_at DESC, a.article_id");
		if (candidates) {
			b->p[b->np++] = PCRM_SQL_I(candidates);
			pcrm__strbuf_add(s, " LIMIT $%d", b->np);
		}
		if (ctx->store->driver->kind == PCRM_STORE_SQLITE)
			pcrm__strbuf_add(s, ") c CROSS JOIN kb_article a WHERE a.row_id = c.row_id");
		else
			pcrm__strbuf_add(s, ") c CROSS JOIN LATERAL (SELECT * FROM kb_article WHERE "
			                    "row_id = c.row_id OFFSET 0) a");
		pcrm__strbuf_add(s, " ORDER BY matched DESC, score DESC, a.written_at DESC, "
		                    "a.article_id");
	} else {
		pcrm__strbuf_add(s, "SELECT a.article_id, a.version, a.title, a.category, a.summary, "
		                    "0 AS bound, 1 AS matched, 0");
		for (int i = 0; i < kw->n; i++)
			add_score(s, kw_first + i, 0);
		for (int i = 0; i < tx->n; i++)
			add_score(s, tx_first + i, 1);
		pcrm__strbuf_add(s, " AS score FROM kb_article a WHERE 1 = 1");
		add_filters(q, kw, kw_first, category_param, s);
		/* one-character text terms: no bigram, a substring test over what is left */
		for (int i = 0; i < tx->n; i++) {
			pcrm__strbuf_add(s, " AND ");
			add_occurs(s, tx_first + i, 1);
		}
		b->p[b->np++] = PCRM_SQL_I(limit);
		pcrm__strbuf_add(s, " ORDER BY score DESC, a.written_at DESC, a.article_id LIMIT $%d",
		                 b->np);
	}
	free(from.p);
	free(bound.p);
	return s->failed ? pcrm__error_oom() : PCRM_OK;
}

/*
 * Whether the hits read from a candidate-limited query are the true top
 * hits.  Candidates were taken in the order (bound, then the ranking's own
 * tie order); every row cut off comes after the last candidate C in that
 * order, and its score is at most its bound.  So it cannot outrank the k-th
 * hit K when score(K) > bound(C), or when score(K) = bound(C) = bound(K)
 * (then K came before C among equal bounds, i.e. by the same tie order as
 * the ranking's).  Otherwise the caller runs the query without the cut.
 */
struct cut {
	long rows;         /* candidates read */
	int64_t min_bound; /* bound(C): the last candidate's */
	int64_t kth_score, kth_bound;
};

static int exact_enough(const struct cut *c, int candidates, size_t hits, int limit)
{
	if (candidates == 0 || c->rows < candidates)
		return 1; /* nothing was cut */
	if (hits < (size_t)limit)
		return 0;
	return c->kth_score > c->min_bound ||
	       (c->kth_score == c->min_bound && c->kth_bound == c->min_bound);
}

static int read_hits(pcrm_rows *rows, int limit, pcrm_kb_hit_list *list, struct cut *cut)
{
	int rc;
	list->items = calloc((size_t)limit, sizeof(*list->items));
	if (!list->items)
		return pcrm__error_oom();
	cut->rows = 0;
	cut->min_bound = INT64_MAX;
	while ((rc = pcrm__rows_next(rows)) == 1) {
		struct hit *h;
		const char *sum;
		int64_t bound = pcrm__rows_int(rows, 5);

		cut->rows++;
		if (bound < cut->min_bound)
			cut->min_bound = bound;
		if (!pcrm__rows_int(rows, 6) || list->count == (size_t)limit)
			continue; /* a candidate without the term, or beyond the hits asked for */
		h = &list->items[list->count++];
		sum = pcrm__rows_text(rows, 4);
		h->id = strdup(pcrm__rows_text(rows, 0));
		h->version = (int)pcrm__rows_int(rows, 1);
		h->title = strdup(pcrm__rows_text(rows, 2));
		h->category = strdup(pcrm__rows_text(rows, 3));
		h->summary = strdup(sum ? sum : "");
		if (!h->id || !h->title || !h->category || !h->summary)
			return pcrm__error_oom();
		cut->kth_bound = bound;
		cut->kth_score = pcrm__rows_int(rows, 7);
	}
	return rc < 0 ? rc : PCRM_OK;
}

static void hits_clear(pcrm_kb_hit_list *l)
{
	for (size_t i = 0; i < l->count; i++) {
		free(l->items[i].id);
		free(l->items[i].title);
		free(l->items[i].category);
		free(l->items[i].summary);
	}
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

/* One run of the statement with `candidates` (0: no cut); *exact says whether to trust it. */
static int run(pcrm_ctx *ctx, const pcrm_kb_query *q, const char *home, int limit,
               const struct terms *kw, const struct terms *tx, int candidates,
               pcrm_kb_hit_list *list, int *exact)
{
	struct built b;
	struct cut cut = { 0, 0, 0, 0 };
	pcrm_rows *rows = NULL;
	int rc;

	memset(&b, 0, sizeof(b));
	rc = build(ctx, q, home, limit, kw, tx, candidates, &b);
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, b.sql.p, b.p, b.np, &rows);
	if (rc == PCRM_OK)
		rc = read_hits(rows, limit, list, &cut);
	if (rc == PCRM_OK)
		*exact = exact_enough(&cut, b.candidates, list->count, limit);
	pcrm__rows_free(rows);
	free(b.sql.p);
	free(b.category_prefix);
	return rc;
}

int pcrm_kb_search(pcrm_ctx *ctx, const pcrm_actor *actor, const pcrm_kb_query *query,
                   pcrm_kb_hit_list **out)
{
	struct terms kw = { .n = 0 }, tx = { .n = 0 };
	pcrm_kb_hit_list *list = NULL;
	char *home = NULL;
	int rc, limit = LIMIT_DEFAULT, exact = 0;

	if (!out)
		return pcrm__error(PCRM_EINVAL, "out: missing");
	*out = NULL;
	rc = pcrm__authorize_scope(ctx, actor, PCRM_PERM_KB_READ, NULL, &home);
	if (rc == PCRM_OK)
		rc = check_query(query, &limit);
	if (rc == PCRM_OK && query->keywords)
		rc = split_terms("query.keywords", query->keywords, &kw);
	if (rc == PCRM_OK && query->text)
		rc = split_terms("query.text", query->text, &tx);
	if (rc == PCRM_OK && ((query->keywords && !kw.n) || (query->text && !tx.n)))
		rc = pcrm__error(PCRM_EINVAL, "%s: holds no term", query->keywords && !kw.n ?
		                                                      "query.keywords" : "query.text");
	if (rc == PCRM_OK && !(list = calloc(1, sizeof(*list))))
		rc = pcrm__error_oom();
	if (rc == PCRM_OK) {
		int candidates = limit * CANDIDATES_PER_HIT;
		rc = run(ctx, query, home, limit, &kw, &tx,
		         candidates < CANDIDATES_MIN ? CANDIDATES_MIN : candidates, list, &exact);
	}
	if (rc == PCRM_OK && !exact) {
		/* the cut could have dropped a better hit: rank every candidate */
		hits_clear(list);
		rc = run(ctx, query, home, limit, &kw, &tx, 0, list, &exact);
	}
	terms_clear(&kw);
	terms_clear(&tx);
	free(home);
	if (rc == PCRM_OK)
		*out = list;
	else
		pcrm_kb_hit_list_free(list);
	return rc;
}

size_t pcrm_kb_hit_list_count(const pcrm_kb_hit_list *l) { return l ? l->count : 0; }

#define HIT_FIELD(type, name, field, none)                                                      \
	type pcrm_kb_hit_##name(const pcrm_kb_hit_list *l, size_t i)                            \
	{                                                                                       \
		return l && i < l->count ? l->items[i].field : none;                            \
	}
HIT_FIELD(const char *, id, id, NULL)
HIT_FIELD(int, version, version, 0)
HIT_FIELD(const char *, title, title, NULL)
HIT_FIELD(const char *, category, category, NULL)
HIT_FIELD(const char *, summary, summary, NULL)

void pcrm_kb_hit_list_free(pcrm_kb_hit_list *l)
{
	if (!l)
		return;
	hits_clear(l);
	free(l);
}
