/*
 * libpowercrm - the knowledge base (知识库) agents answer customers from.
 *
 * An article has a title, a category path ("电价/居民阶梯"), a summary,
 * keywords, a body (plain text or Markdown), the days it is valid and the
 * org unit it applies to.  An actor sees an article of its own unit, of any
 * unit above it (a province's tariff policy reaches every city below) and of
 * any unit inside its subtree.
 *
 * Articles are versioned: every change is a new version that starts as a
 * draft; approving it retires the version approved before.  Statuses move
 * draft -> approved -> retired only, each version's through a work order of
 * the workflow engine (workflow "kb_article", data/workflows/kb-article.json,
 * which the integrator stores with pcrm_workflow_define() like the other
 * shipped definitions; without it writing an article fails with
 * PCRM_ENOTFOUND naming the workflow).  Searches see only approved versions
 * valid today (ctx clock, civil date).
 *
 * Every function that takes an actor checks it (pcrm_authorize(), org.h):
 * PCRM_PERM_KB_READ to read and search, PCRM_PERM_KB_WRITE to write drafts,
 * PCRM_PERM_KB_APPROVE to approve and retire, each within the article's org
 * unit.  Every change is audited.
 */
#ifndef POWERCRM_KB_H
#define POWERCRM_KB_H

#include <stddef.h>

#include <powercrm/actor.h>
#include <powercrm/common.h>
#include <powercrm/ctx.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pcrm_kb_status {
	PCRM_KB_DRAFT = 1,    /**< written, not yet visible to searches */
	PCRM_KB_APPROVED = 2, /**< visible while valid */
	PCRM_KB_RETIRED = 3   /**< replaced or withdrawn; kept for the record */
} pcrm_kb_status;

/** Title and category at most 200 bytes, summary 1000, body 64 KiB, 20 keywords of 50. */
#define PCRM_KB_TITLE_MAX 200
#define PCRM_KB_SUMMARY_MAX 1000
#define PCRM_KB_BODY_MAX 65536
#define PCRM_KB_KEYWORDS_MAX 20
#define PCRM_KB_KEYWORD_MAX 50
/** A search holds at most this many terms (words separated by white space). */
#define PCRM_KB_TERMS_MAX 8

/** One version of an article.  Free with pcrm_kb_article_free(). */
typedef struct pcrm_kb_article pcrm_kb_article;

/** Search results, best first.  Free with pcrm_kb_hit_list_free(). */
typedef struct pcrm_kb_hit_list pcrm_kb_hit_list;

/** Usage statistics.  Free with pcrm_kb_stats_free(). */
typedef struct pcrm_kb_stats pcrm_kb_stats;

/**
 * Writes a new article as version 1, a draft, from a JSON document:
 *
 *     {"title": "...", "category": "电价/居民阶梯", "summary": "...",
 *      "keywords": ["阶梯电价", ...], "body": "...", "format": "text" | "markdown",
 *      "valid_from": "2026-01-01", "valid_to": "2026-12-31" (optional, inclusive),
 *      "org_unit": "37"}
 *
 * summary, keywords, format ("text") and valid_to are optional.  The actor
 * needs PCRM_PERM_KB_WRITE within org_unit (and PCRM_PERM_WORKORDER_HANDLE:
 * the version's approval work order is opened in state "draft").  *out
 * receives the article (may be NULL).  PCRM_EINVAL names the bad field.
 * Audited ("kb.create").
 */
PCRM_EXTERN(int) pcrm_kb_article_create(pcrm_ctx *ctx, const pcrm_actor *actor, const char *json,
                                        pcrm_kb_article **out);

/**
 * Writes a new draft version of `article_id` from a whole document (as for
 * create; org_unit may not change).  `expected_version` is the latest
 * version the caller read: PCRM_ECONFLICT when another version was written
 * since.  Audited ("kb.revise").
 */
PCRM_EXTERN(int) pcrm_kb_article_revise(pcrm_ctx *ctx, const pcrm_actor *actor,
                                        const char *article_id, int expected_version,
                                        const char *json, pcrm_kb_article **out);

/**
 * Approves draft `version` of an article: it becomes searchable and the
 * version approved before it is retired.  Fires "approve" on the version's
 * work order and "supersede" on the one it replaces, in one transaction.
 * PCRM_ESTATE when that version is not a draft.  Needs PCRM_PERM_KB_APPROVE
 * on the article's unit, which the shipped definition's transitions also
 * name (checked by the engine in place of PCRM_PERM_WORKORDER_HANDLE, so a
 * level-2 monitor approves).  Audited ("kb.approve", and the engine's
 * work-order entries).
 */
PCRM_EXTERN(int) pcrm_kb_article_approve(pcrm_ctx *ctx, const pcrm_actor *actor,
                                         const char *article_id, int version);

/**
 * Retires the approved version of an article (withdrawn from searches):
 * fires "retire" on its work order.  PCRM_ESTATE when no version is
 * approved.  Needs PCRM_PERM_KB_APPROVE and what the transition asks, as
 * for approval.  Audited ("kb.retire").
 */
PCRM_EXTERN(int) pcrm_kb_article_retire(pcrm_ctx *ctx, const pcrm_actor *actor,
                                        const char *article_id);

/**
 * Reads `version` of an article (0: the latest).  An article the actor may
 * not see is refused like one that does not exist (PCRM_EPERM).
 */
PCRM_EXTERN(int) pcrm_kb_article_get(pcrm_ctx *ctx, const pcrm_actor *actor,
                                     const char *article_id, int version,
                                     pcrm_kb_article **out);

PCRM_EXTERN(void) pcrm_kb_article_free(pcrm_kb_article *article);
PCRM_EXTERN(const char *) pcrm_kb_article_id(const pcrm_kb_article *a);
PCRM_EXTERN(int) pcrm_kb_article_version(const pcrm_kb_article *a);
PCRM_EXTERN(pcrm_kb_status) pcrm_kb_article_status(const pcrm_kb_article *a);
PCRM_EXTERN(const char *) pcrm_kb_article_title(const pcrm_kb_article *a);
PCRM_EXTERN(const char *) pcrm_kb_article_category(const pcrm_kb_article *a);
/** "" when the article has none. */
PCRM_EXTERN(const char *) pcrm_kb_article_summary(const pcrm_kb_article *a);
/** The keywords joined by ", " ("" when none). */
PCRM_EXTERN(const char *) pcrm_kb_article_keywords(const pcrm_kb_article *a);
PCRM_EXTERN(const char *) pcrm_kb_article_body(const pcrm_kb_article *a);
/** "text" or "markdown". */
PCRM_EXTERN(const char *) pcrm_kb_article_format(const pcrm_kb_article *a);
PCRM_EXTERN(const char *) pcrm_kb_article_org_unit(const pcrm_kb_article *a);
/** "YYYY-MM-DD". */
PCRM_EXTERN(const char *) pcrm_kb_article_valid_from(const pcrm_kb_article *a);
/** "YYYY-MM-DD", or NULL when open-ended. */
PCRM_EXTERN(const char *) pcrm_kb_article_valid_to(const pcrm_kb_article *a);
/**
 * The id of the version's approval work order (workflow "kb_article": its
 * state, history and permission checks are the workflow engine's,
 * pcrm_workorder_get() / pcrm_workorder_history_load()), or NULL for a
 * version written before schema 35 that has not moved since.
 */
PCRM_EXTERN(const char *) pcrm_kb_article_work_order_id(const pcrm_kb_article *a);

/** How the terms of pcrm_kb_query.keywords combine. */
typedef enum pcrm_kb_match {
	PCRM_KB_MATCH_ANY = 0, /**< OR: an article matching any term (the default) */
	PCRM_KB_MATCH_ALL = 1  /**< AND: an article matching every term */
} pcrm_kb_match;

#define PCRM_KB_QUERY_VERSION 1

/**
 * A search.  Every criterion given must hold; at least one is required.
 * Terms are separated by white space.  Text terms of 2 or more characters
 * (such as "电费") are found through the bigram index; a text query whose
 * every term is one character, and keywords alone, are substring tests over
 * the articles the other criteria leave (docs/kb.md).
 */
typedef struct pcrm_kb_query {
	int version;          /**< PCRM_KB_QUERY_VERSION */
	const char *category; /**< a category path: the category and those below it; NULL: any */
	const char *keywords; /**< terms over title, summary and keywords; NULL: none */
	pcrm_kb_match match;  /**< how keyword terms combine */
	const char *text;     /**< full text: every term in title, summary, keywords or body */
	int limit;            /**< at most this many hits (1..100; 0 means 10) */
} pcrm_kb_query;

/**
 * Searches the approved, valid articles the actor may see, best first
 * (PCRM_PERM_KB_READ).  An empty result is not an error: *out has no hits.
 */
PCRM_EXTERN(int) pcrm_kb_search(pcrm_ctx *ctx, const pcrm_actor *actor, const pcrm_kb_query *query,
                                pcrm_kb_hit_list **out);

PCRM_EXTERN(size_t) pcrm_kb_hit_list_count(const pcrm_kb_hit_list *list);
/** The article's id, current approved version, title, category and summary. */
PCRM_EXTERN(const char *) pcrm_kb_hit_id(const pcrm_kb_hit_list *list, size_t i);
PCRM_EXTERN(int) pcrm_kb_hit_version(const pcrm_kb_hit_list *list, size_t i);
PCRM_EXTERN(const char *) pcrm_kb_hit_title(const pcrm_kb_hit_list *list, size_t i);
PCRM_EXTERN(const char *) pcrm_kb_hit_category(const pcrm_kb_hit_list *list, size_t i);
PCRM_EXTERN(const char *) pcrm_kb_hit_summary(const pcrm_kb_hit_list *list, size_t i);
PCRM_EXTERN(void) pcrm_kb_hit_list_free(pcrm_kb_hit_list *list);

/**
 * Records what answered a contact of customer `customer_no`: the articles
 * used (`article_ids`, `n` of them, each one the actor may see), or, with
 * n == 0, the question no article answered (`unanswered`, 1..200 bytes of
 * text, kept for suggesting new articles).  The actor needs
 * PCRM_PERM_CONTACT_WRITE on the customer; the contact must belong to
 * the customer.  Audited ("kb.use" / "kb.miss"; the question's text is not
 * copied into the audit log).
 */
PCRM_EXTERN(int) pcrm_kb_contact_link(pcrm_ctx *ctx, const pcrm_actor *actor,
                                      const char *customer_no, const char *contact_id,
                                      const char *const *article_ids, size_t n,
                                      const char *unanswered);

/**
 * Usage in the actor's subtree between `from` and `to` (instants, to
 * exclusive): the `limit` most used articles (by contacts) and the `limit`
 * most frequent unanswered questions.  PCRM_PERM_KB_READ.
 */
PCRM_EXTERN(int) pcrm_kb_stats_load(pcrm_ctx *ctx, const pcrm_actor *actor, pcrm_time from,
                                    pcrm_time to, int limit, pcrm_kb_stats **out);
PCRM_EXTERN(size_t) pcrm_kb_stats_top_count(const pcrm_kb_stats *s);
PCRM_EXTERN(const char *) pcrm_kb_stats_top_id(const pcrm_kb_stats *s, size_t i);
PCRM_EXTERN(int64_t) pcrm_kb_stats_top_uses(const pcrm_kb_stats *s, size_t i);
PCRM_EXTERN(size_t) pcrm_kb_stats_miss_count(const pcrm_kb_stats *s);
PCRM_EXTERN(const char *) pcrm_kb_stats_miss_question(const pcrm_kb_stats *s, size_t i);
PCRM_EXTERN(int64_t) pcrm_kb_stats_miss_times(const pcrm_kb_stats *s, size_t i);
PCRM_EXTERN(void) pcrm_kb_stats_free(pcrm_kb_stats *s);

#ifdef __cplusplus
}
#endif

#endif /* POWERCRM_KB_H */
