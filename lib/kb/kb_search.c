/*
 * Searching the knowledge base: by category, by keywords over title,
 * summary and keywords (any or all terms), by full text over the body.
 *
 * Full text goes through the gram index kb_gram (kb_gram.c: bigrams, and
 * single characters since schema 44), the same SQL on both stores, as a
 * ranked scan that stops early (search_ranked()): one gram of one text
 * term drives.  Every article that matches holds it, and its postings are
 * read best score bound first, then in the ranking's own tie order,
 * skipping in the index the versions the actor may not see or that are
 * not valid today (the postings carry org_path and the validity, migration
 * 35) and those missing any other gram of the text terms.  The bound is
 * the driving posting's weight for one text term alone (the stream plan,
 * kb_gram_ranked's order, nothing sorted); with several terms or keywords
 * it is the article's whole bound, each term's weight summed from the
 * field bits of its postings, so a common second term ("号") bounds at
 * what it scores in that article, not at its maximum 9 (the bounded plan:
 * the driving list joined by key and sorted inside the store, one
 * statement).  Each posting read has its article read by key, checked with
 * a substring test (the bigrams of a term may all occur without the term)
 * and scored exactly.  The scan stops once the k-th hit's score proves no
 * unread posting can rank above it (top_is_final()); no heuristic cut, so
 * the hits are the exhaustive ranking's (tests/kb checks it against
 * search_exhaustive()).  Keywords or a category alone are a substring
 * test over the visible approved rows (docs/kb.md).
 *
 * Both paths rank with the same rule, so both stores return the same
 * order: for each term, 4 when it occurs in the title, 2 in the summary, 2
 * in the keywords, 1 in the body; ties go to the version written last,
 * then the article id.
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
/* text and keywords of QUERY_TEXT_MAX bytes each have fewer grams than bytes */
#define GRAMS_MAX (2 * QUERY_TEXT_MAX)
/* home, today, category, category prefix, keyword and text terms, the
 * grams, the batch's limit and offset */
#define PARAMS_MAX (8 + 2 * PCRM_KB_TERMS_MAX + GRAMS_MAX)
/* the largest score of one term: title 4 + summary 2 + keywords 2 + body 1 */
#define TERM_SCORE_MAX 9

struct hit {
	char *id, *title, *category, *summary;
	int version;
	int64_t score, written_at; /* the ranking's keys */
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
	int kw_first, tx_first, category_param;
	char *category_prefix;
	char today[16];
};

/* "(term in title OR summary OR keywords [OR body])" */
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

/* The category and keyword criteria and every text term's substring test, each " AND ...". */
static void add_criteria(const pcrm_kb_query *q, const struct terms *kw, const struct terms *tx,
                         const struct built *b, struct pcrm__strbuf *s)
{
	if (q->category)
		pcrm__strbuf_add(s, " AND (a.category = $%d OR substr(a.category, 1, "
		                    "length(CAST($%d AS TEXT))) = $%d)",
		                 b->category_param, b->category_param + 1, b->category_param + 1);
	if (kw->n) {
		pcrm__strbuf_add(s, " AND (");
		for (int i = 0; i < kw->n; i++) {
			if (i)
				pcrm__strbuf_add(s, q->match == PCRM_KB_MATCH_ALL ? " AND " : " OR ");
			add_occurs(s, b->kw_first + i, 0);
		}
		pcrm__strbuf_add(s, ")");
	}
	for (int i = 0; i < tx->n; i++) {
		pcrm__strbuf_add(s, " AND ");
		add_occurs(s, b->tx_first + i, 1);
	}
}

/* " + <the ranking's score of every keyword and text term>" */
static void add_scores(const struct terms *kw, const struct terms *tx, const struct built *b,
                       struct pcrm__strbuf *s)
{
	for (int i = 0; i < kw->n; i++)
		add_score(s, b->kw_first + i, 0);
	for (int i = 0; i < tx->n; i++)
		add_score(s, b->tx_first + i, 1);
}

/* $1 the actor's org path, $2 today, then the category, keyword and text parameters. */
static int bind_common(pcrm_ctx *ctx, const pcrm_kb_query *q, const char *home,
                       const struct terms *kw, const struct terms *tx, struct built *b)
{
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
		b->category_param = b->np - 1;
	}
	b->kw_first = b->np + 1;
	for (int i = 0; i < kw->n; i++)
		b->p[b->np++] = PCRM_SQL_S(kw->t[i].like);
	b->tx_first = b->np + 1;
	for (int i = 0; i < tx->n; i++)
		b->p[b->np++] = PCRM_SQL_S(tx->t[i].like);
	return PCRM_OK;
}

/*
 * Every visible, valid, approved article that meets all criteria, ranked,
 * without the index: for keywords or a category alone, and as the
 * reference the ranked scan is tested against (pcrm__kb_search_with()).
 */
static int build_exhaustive(pcrm_ctx *ctx, const pcrm_kb_query *q, const char *home, int limit,
                            const struct terms *kw, const struct terms *tx, struct built *b)
{
	struct pcrm__strbuf *s = &b->sql;
	int rc = bind_common(ctx, q, home, kw, tx, b);
	if (rc != PCRM_OK)
		return rc;
	pcrm__strbuf_add(s, "SELECT a.article_id, a.version, a.title, a.category, a.summary, "
	                    "0 AS weight, a.written_at, 1 AS ok, 0");
	add_scores(kw, tx, b, s);
	pcrm__strbuf_add(s, " AS score FROM kb_article a WHERE a.status = 2 AND a.valid_from <= $2 "
	                    "AND (a.valid_to IS NULL OR a.valid_to >= $2) AND "
	                    PCRM__KB_VISIBLE_SQL("CAST($1 AS TEXT)"));
	add_criteria(q, kw, tx, b, s);
	b->p[b->np++] = PCRM_SQL_I(limit);
	pcrm__strbuf_add(s, " ORDER BY score DESC, a.written_at DESC, a.article_id LIMIT $%d",
	                 b->np);
	return s->failed ? pcrm__error_oom() : PCRM_OK;
}

/*
 * The ranked scan's plan.  One gram of one text term drives: every article
 * that matches holds it.  The other grams of every term are probed.  With
 * one text term and no keyword term the walk streams the driving postings
 * in index order, its bound the posting's weight ("stream").  Otherwise it
 * orders the driving postings by each article's whole bound, summed from
 * the field bits of every term's postings ("bounded", docs/kb.md).
 */
struct scan_plan {
	int bounded;
	int64_t driving;
	int64_t others[GRAMS_MAX];
	int other_term[GRAMS_MAX]; /* text term i as i, keyword term j as TERM_KEYWORD + j */
	int nothers;
	int driving_term;
	int rest; /* the most the terms left without a gram (no room) can add */
};

#define TERM_KEYWORD PCRM_KB_TERMS_MAX
/*
 * The bounded plan joins one kb_gram per gram and SQLite joins at most 64
 * tables: its grams are shared out, each term's first ones (fewer grams
 * make a looser bound and more candidates, never a missed hit).
 */
#define BOUNDED_GRAMS_MAX 48

/*
 * Adds term `which`'s grams, at most `per_term` (the first drives when
 * `drive`); its maximum to rest when none fit.
 */
static void plan_term(struct scan_plan *p, const struct term *t, int which, int drive, int most,
                      int per_term)
{
	int64_t g[GRAMS_MAX];
	int room = GRAMS_MAX - p->nothers - 1;
	size_t n = pcrm__kb_term_grams(t->s, t->len, g, (size_t)(room < per_term ? room : per_term));
	for (size_t k = 0; k < n; k++) {
		if (drive && k == 0) {
			p->driving = g[0];
			continue;
		}
		p->others[p->nothers] = g[k];
		p->other_term[p->nothers++] = which;
	}
	if (n == 0)
		p->rest += most;
}

/*
 * 0 when there is no text term (the query is answered without the index).
 * The longest text term drives (a longer term is rarer as a rule, and a
 * bigram's list shorter than a character's); a term of one character has
 * its unigram (schema 44), so every term has postings.
 */
static int plan_scan(const struct terms *kw, const struct terms *tx, struct scan_plan *p)
{
	int per_term = GRAMS_MAX;
	memset(p, 0, sizeof(*p));
	if (tx->n == 0)
		return 0;
	p->bounded = tx->n > 1 || kw->n > 0;
	if (p->bounded)
		per_term = BOUNDED_GRAMS_MAX / (tx->n + kw->n);
	for (int i = 1; i < tx->n; i++)
		if (tx->t[i].chars > tx->t[p->driving_term].chars)
			p->driving_term = i;
	plan_term(p, &tx->t[p->driving_term], p->driving_term, 1, TERM_SCORE_MAX, per_term);
	for (int i = 0; i < tx->n; i++)
		if (i != p->driving_term)
			plan_term(p, &tx->t[i], i, 0, TERM_SCORE_MAX, per_term);
	/* keyword terms score in title, summary and keywords: 8 at most each */
	for (int i = 0; i < kw->n; i++)
		plan_term(p, &kw->t[i], TERM_KEYWORD + i, 0, 8, per_term);
	return 1;
}

/*
 * " + <the bound of each term>": the weight of the fields every gram of the
 * term is in (exact for a term of one or two characters, an upper bound
 * for a longer one), title/summary/keywords only for a keyword term, which
 * an article may lack (ANY): a missing posting bounds it at 0.  Gram k's
 * fields are x<k>.fields, or column g.x<k> of add_bounded()'s `derived`
 * table.
 */
static void add_bounds(const struct terms *kw, const struct terms *tx,
                       const struct scan_plan *plan, int derived, struct pcrm__strbuf *s)
{
	for (int i = 0; i < tx->n + kw->n; i++) {
		int keyword = i >= tx->n, which = keyword ? TERM_KEYWORD + i - tx->n : i;
		int any = which == plan->driving_term;
		struct pcrm__strbuf f = { 0 };
		if (any)
			pcrm__strbuf_add(&f, "g.fields");
		for (int k = 0; k < plan->nothers; k++) {
			if (plan->other_term[k] != which)
				continue;
			pcrm__strbuf_add(&f, "%s", any ? " & " : "");
			pcrm__strbuf_add(&f, keyword ? "COALESCE(" : "(");
			pcrm__strbuf_add(&f, derived ? "g.x%d" : "x%d.fields", k);
			pcrm__strbuf_add(&f, keyword ? ", 0)" : ")");
			any = 1;
		}
		if (any) {
			if (keyword)
				pcrm__strbuf_add(&f, " & 7");
			pcrm__strbuf_add(s, " + " PCRM__KB_WEIGHT_SQL("%s"), f.p, f.p, f.p, f.p);
		}
		s->failed |= f.failed;
		free(f.p);
	}
}

/*
 * The driving gram's postings the actor sees and that are valid today, as
 * "g" (the start of a FROM clause body), the driving gram bound next.
 */
static void add_driving(struct built *b, const struct scan_plan *plan, struct pcrm__strbuf *s)
{
	b->p[b->np++] = PCRM_SQL_I(plan->driving);
	pcrm__strbuf_add(s, " WHERE g.gram = $%d AND g.valid_from <= $2 AND (g.valid_to IS NULL OR "
	                    "g.valid_to >= $2) AND " PCRM__KB_VISIBLE_SQL_OF("g", "CAST($1 AS TEXT)"),
	                 b->np);
}

/*
 * The candidates of the stream plan: the driving postings in
 * kb_gram_ranked's order, each probed for the other grams by key.
 * PostgreSQL would pull the probes up into joins and may then start from
 * another gram's postings and sort them all; OFFSET 0 keeps each probe a
 * per-row lookup (a subplan), so the one table's ordered index scan under
 * LIMIT is the plan.
 */
static void add_stream(struct built *b, const struct scan_plan *plan, int sqlite,
                       struct pcrm__strbuf *s)
{
	pcrm__strbuf_add(s, "SELECT g.row_id, g.weight AS bound, g.written_at FROM kb_gram g");
	add_driving(b, plan, s);
	for (int i = 0; i < plan->nothers; i++) {
		b->p[b->np++] = PCRM_SQL_I(plan->others[i]);
		pcrm__strbuf_add(s, " AND EXISTS (SELECT 1 FROM kb_gram x WHERE x.gram = $%d AND "
		                    "x.row_id = g.row_id%s)",
		                 b->np, sqlite ? "" : " OFFSET 0");
	}
}

/*
 * The candidates of the bounded plan: the driving postings with the other
 * grams' postings of the same version found by key (a text term's must
 * exist, every match holds them; a keyword term's may be missing), each
 * with its whole bound.  All of the driving list is probed and sorted,
 * one keyed probe per gram and posting, all inside the index; the articles
 * read are then only those the stop rule needs.  Spelled per store so that
 * the driving list is the outer loop and each probe a keyed lookup: SQLite
 * joins in the order written (CROSS JOIN, and LEFT JOIN keeps it); left to
 * its planner, PostgreSQL hash- or merge-joined a common gram's whole list
 * (measured: 36 ms for "topic + 号" at 20,000 articles), so there each
 * probe is a scalar subquery (a per-row subplan), in a derived table that
 * OFFSET 0 keeps whole so each runs once.
 */
static void add_bounded(const struct terms *kw, const struct terms *tx, struct built *b,
                        const struct scan_plan *plan, int sqlite, struct pcrm__strbuf *s)
{
	pcrm__strbuf_add(s, "SELECT g.row_id, 0");
	add_bounds(kw, tx, plan, !sqlite, s);
	pcrm__strbuf_add(s, " AS bound, g.written_at FROM %s",
	                 sqlite ? "kb_gram g" : "(SELECT g.row_id, g.written_at, g.fields");
	for (int i = 0; i < plan->nothers; i++) {
		b->p[b->np++] = PCRM_SQL_I(plan->others[i]);
		if (sqlite)
			pcrm__strbuf_add(s,
			                 " %s JOIN kb_gram x%d ON x%d.gram = $%d AND x%d.row_id = "
			                 "g.row_id",
			                 plan->other_term[i] >= TERM_KEYWORD ? "LEFT" : "CROSS", i, i,
			                 b->np, i);
		else
			pcrm__strbuf_add(s,
			                 ", (SELECT x.fields FROM kb_gram x WHERE x.gram = $%d AND "
			                 "x.row_id = g.row_id) AS x%d",
			                 b->np, i);
	}
	if (!sqlite)
		pcrm__strbuf_add(s, " FROM kb_gram g");
	add_driving(b, plan, s);
	if (sqlite)
		return;
	pcrm__strbuf_add(s, " OFFSET 0) g WHERE TRUE");
	for (int i = 0; i < plan->nothers; i++)
		if (plan->other_term[i] < TERM_KEYWORD)
			pcrm__strbuf_add(s, " AND g.x%d IS NOT NULL", i);
}

/*
 * One batch of the ranked scan: the candidates (add_stream() or
 * add_bounded()) best bound first, then in the ranking's tie order, rows
 * [offset, offset + batch); each with its article read by key, whether it
 * meets every criterion ("ok") and its exact score.  Rows come back in
 * scan order, failing ones too, so the caller knows how far the scan went.
 */
static int build_scan(pcrm_ctx *ctx, const pcrm_kb_query *q, const char *home,
                      const struct terms *kw, const struct terms *tx,
                      const struct scan_plan *plan, int64_t offset, int64_t batch,
                      struct built *b)
{
	struct pcrm__strbuf *s = &b->sql;
	int sqlite = ctx->store->driver->kind == PCRM_STORE_SQLITE;
	int rc = bind_common(ctx, q, home, kw, tx, b);

	if (rc != PCRM_OK)
		return rc;
	pcrm__strbuf_add(s, "SELECT a.article_id, a.version, a.title, a.category, a.summary, "
	                    "c.bound, c.written_at, CASE WHEN a.status = 2");
	add_criteria(q, kw, tx, b, s);
	pcrm__strbuf_add(s, " THEN 1 ELSE 0 END AS ok, 0");
	add_scores(kw, tx, b, s);
	pcrm__strbuf_add(s, " AS score FROM (");
	if (plan->bounded)
		add_bounded(kw, tx, b, plan, sqlite, s);
	else
		add_stream(b, plan, sqlite, s);
	b->p[b->np++] = PCRM_SQL_I(batch);
	b->p[b->np++] = PCRM_SQL_I(offset);
	pcrm__strbuf_add(s, " ORDER BY bound DESC, g.written_at DESC, g.row_id DESC "
	                    "LIMIT $%d OFFSET $%d) c",
	                 b->np - 1, b->np);
	/*
	 * Each article by its key, the join order spelled out per store: left to
	 * itself SQLite may walk kb_article and probe the batch, and PostgreSQL
	 * hash-join the batch with a scan of every article.  CROSS JOIN fixes
	 * SQLite's order; PostgreSQL plans CROSS JOIN like any join, but not a
	 * LATERAL subquery that OFFSET 0 keeps from being flattened.
	 */
	if (sqlite)
		pcrm__strbuf_add(s, " CROSS JOIN kb_article a WHERE a.row_id = c.row_id");
	else
		pcrm__strbuf_add(s, " CROSS JOIN LATERAL (SELECT * FROM kb_article WHERE "
		                    "row_id = c.row_id OFFSET 0) a");
	pcrm__strbuf_add(s, " ORDER BY c.bound DESC, c.written_at DESC, c.row_id DESC");
	return s->failed ? pcrm__error_oom() : PCRM_OK;
}

static void built_free(struct built *b)
{
	free(b->sql.p);
	free(b->category_prefix);
	memset(b, 0, sizeof(*b));
}

/* The ranking: score, then the version written last, then the article id. */
static int ranks_before(const struct hit *x, const struct hit *y)
{
	if (x->score != y->score)
		return x->score > y->score;
	if (x->written_at != y->written_at)
		return x->written_at > y->written_at;
	return strcmp(x->id, y->id) < 0;
}

static void hit_free(struct hit *h)
{
	free(h->id);
	free(h->title);
	free(h->category);
	free(h->summary);
}

/* Columns: id, version, title, category, summary, weight, written_at, ok, score. */
static int hit_from_row(pcrm_rows *rows, struct hit *h)
{
	const char *sum = pcrm__rows_text(rows, 4);
	h->id = strdup(pcrm__rows_text(rows, 0));
	h->version = (int)pcrm__rows_int(rows, 1);
	h->title = strdup(pcrm__rows_text(rows, 2));
	h->category = strdup(pcrm__rows_text(rows, 3));
	h->summary = strdup(sum ? sum : "");
	h->written_at = pcrm__rows_int(rows, 6);
	h->score = pcrm__rows_int(rows, 8);
	if (!h->id || !h->title || !h->category || !h->summary) {
		hit_free(h);
		return pcrm__error_oom();
	}
	return PCRM_OK;
}

/*
 * Puts `h` into the ranked top list->items[0..limit) (taking it), or frees
 * it.  Batches are read by offset, so a version approved between two of
 * them can shift a posting into the next batch again: an article already
 * kept is not kept twice.
 */
static void top_insert(pcrm_kb_hit_list *list, int limit, struct hit *h)
{
	size_t at = list->count;
	for (size_t i = 0; i < list->count; i++)
		if (strcmp(list->items[i].id, h->id) == 0) {
			hit_free(h);
			return;
		}
	while (at > 0 && ranks_before(h, &list->items[at - 1]))
		at--;
	if (at == (size_t)limit) {
		hit_free(h);
		return;
	}
	if (list->count == (size_t)limit)
		hit_free(&list->items[--list->count]);
	memmove(&list->items[at + 1], &list->items[at], (list->count - at) * sizeof(*h));
	list->items[at] = *h;
	list->count++;
}

/*
 * Whether nothing after the posting just read can outrank the k-th hit K.
 * Postings come best bound first (bound w: the driving posting's weight
 * in the stream plan, the article's summed bound in the bounded plan),
 * then written_at descending; an article not yet read scores at most
 * w + plan->rest, with w at most the current posting's.  So it cannot
 * outrank K when K's score is above that, or equal to it and K written
 * strictly later than the current posting (every posting after it with
 * the same bound was written no later; among equal times the article id
 * decides, which the scan order does not follow, so it reads on).
 */
static int top_is_final(const pcrm_kb_hit_list *list, int limit, const struct scan_plan *plan,
                        int64_t bound, int64_t written_at)
{
	const struct hit *k;
	int64_t most = bound + plan->rest;
	if (list->count < (size_t)limit)
		return 0;
	k = &list->items[limit - 1];
	return k->score > most || (k->score == most && k->written_at > written_at);
}

#define BATCH_FIRST_MIN 16
#define BATCH_MAX 4096

/*
 * The ranked scan (docs/kb.md "Full text"): batches of the driving gram's
 * postings, growing, until the top is final or the postings end.  Exact:
 * it stops only when top_is_final() proves no unread article can enter.
 */
static int search_ranked(pcrm_ctx *ctx, const pcrm_kb_query *q, const char *home, int limit,
                         const struct terms *kw, const struct terms *tx,
                         const struct scan_plan *plan, pcrm_kb_hit_list *list, long *scanned)
{
	int64_t offset = 0, batch = 2 * limit + 2;
	int rc = PCRM_OK, done = 0;

	if (batch < BATCH_FIRST_MIN)
		batch = BATCH_FIRST_MIN;
	list->items = calloc((size_t)limit, sizeof(*list->items));
	if (!list->items)
		return pcrm__error_oom();
	while (rc == PCRM_OK && !done) {
		struct built b;
		pcrm_rows *rows = NULL;
		int64_t read = 0;

		memset(&b, 0, sizeof(b));
		rc = build_scan(ctx, q, home, kw, tx, plan, offset, batch, &b);
		if (rc == PCRM_OK)
			rc = pcrm__store_query(ctx->store, b.sql.p, b.p, b.np, &rows);
		while (rc == PCRM_OK && !done && (rc = pcrm__rows_next(rows)) == 1) {
			read++;
			rc = PCRM_OK;
			if (pcrm__rows_int(rows, 7)) {
				struct hit h;
				rc = hit_from_row(rows, &h);
				if (rc == PCRM_OK)
					top_insert(list, limit, &h);
			}
			if (rc == PCRM_OK)
				done = top_is_final(list, limit, plan, pcrm__rows_int(rows, 5),
				                    pcrm__rows_int(rows, 6));
		}
		if (rc == 0) /* rows ran out */
			rc = PCRM_OK;
		pcrm__rows_free(rows);
		built_free(&b);
		*scanned += (long)read;
		if (read < batch)
			done = 1; /* the postings ended */
		offset += batch;
		batch = batch * 4 > BATCH_MAX ? BATCH_MAX : batch * 4;
	}
	return rc;
}

static int search_exhaustive(pcrm_ctx *ctx, const pcrm_kb_query *q, const char *home, int limit,
                             const struct terms *kw, const struct terms *tx,
                             pcrm_kb_hit_list *list)
{
	struct built b;
	pcrm_rows *rows = NULL;
	int rc;

	memset(&b, 0, sizeof(b));
	list->items = calloc((size_t)limit, sizeof(*list->items));
	rc = list->items ? build_exhaustive(ctx, q, home, limit, kw, tx, &b) : pcrm__error_oom();
	if (rc == PCRM_OK)
		rc = pcrm__store_query(ctx->store, b.sql.p, b.p, b.np, &rows);
	while (rc == PCRM_OK && (rc = pcrm__rows_next(rows)) == 1 &&
	       list->count < (size_t)limit) {
		rc = hit_from_row(rows, &list->items[list->count]);
		if (rc == PCRM_OK)
			list->count++;
	}
	if (rc == 0 || rc == 1)
		rc = PCRM_OK;
	pcrm__rows_free(rows);
	built_free(&b);
	return rc;
}

static void hits_clear(pcrm_kb_hit_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		hit_free(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

int pcrm__kb_search_with(pcrm_ctx *ctx, const pcrm_actor *actor, const pcrm_kb_query *query,
                         int exhaustive, pcrm_kb_hit_list **out, long *scanned)
{
	struct terms kw = { .n = 0 }, tx = { .n = 0 };
	struct scan_plan plan;
	pcrm_kb_hit_list *list = NULL;
	char *home = NULL;
	int rc, limit = LIMIT_DEFAULT;
	long ignored = 0;

	if (!scanned)
		scanned = &ignored;
	*scanned = 0;
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
		if (!exhaustive && plan_scan(&kw, &tx, &plan))
			rc = search_ranked(ctx, query, home, limit, &kw, &tx, &plan, list, scanned);
		else
			rc = search_exhaustive(ctx, query, home, limit, &kw, &tx, list);
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

int pcrm_kb_search(pcrm_ctx *ctx, const pcrm_actor *actor, const pcrm_kb_query *query,
                   pcrm_kb_hit_list **out)
{
	return pcrm__kb_search_with(ctx, actor, query, 0, out, NULL);
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
