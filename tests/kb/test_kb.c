/*
 * The knowledge base on both stores: versions and statuses, who sees what,
 * the three kinds of search (2-character Chinese terms included), links from
 * contacts and their statistics, and precision@5 on a small labelled set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fixtures.h"
#include "../workflow/wf_fixtures.h"
#include "core/ctx.h"
#include "kb_labelled.h"
#include "kb/kb_internal.h"
#include "store/store.h"

/* migrations 31, 35 and 44: the SQL fills of the gram index (kb_schema.c) */
extern const char pcrm__schema_kb_grams_fill[];
extern const char pcrm__schema_kb_ranked_fill[];
extern const char pcrm__schema_kb_chars[];

#define ZHANG "3701000001" /* in the township station 37010201 */

static const pcrm_actor qingdao_agent = { "agent-qd", PCRM_ROLE_AGENT, 1, "3702" };
static const pcrm_actor township_agent = { "agent-tw", PCRM_ROLE_AGENT, 1, "37010201" };
static const pcrm_actor senior_clerk = { "clerk-sr", PCRM_ROLE_DATA_CLERK, 3, "37" };

/* The org tree and the shipped approval workflow every article's versions run on. */
static void kb_tree(pcrm_test_store *t)
{
	char *def = read_source("data/workflows/kb-article.json");
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, def, NULL, NULL));
	free(def);
}

static int64_t count_rows(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

static char *doc(const char *title, const char *category, const char *keywords,
                 const char *body, const char *org, const char *valid_to)
{
	static char buf[8192];
	char to[64] = "";
	if (valid_to)
		snprintf(to, sizeof(to), ", \"valid_to\": \"%s\"", valid_to);
	snprintf(buf, sizeof(buf),
	         "{\"title\": \"%s\", \"category\": \"%s\", \"summary\": \"摘要\", \"keywords\": [%s],"
	         " \"body\": \"%s\", \"valid_from\": \"2026-01-01\", \"org_unit\": \"%s\"%s}",
	         title, category, keywords, body, org, to);
	return buf;
}

/* Creates and approves an article; returns its id (free it). */
static char *publish(pcrm_test_store *t, const char *json)
{
	pcrm_kb_article *a;
	char *id;
	pcrm_assert_ok(pcrm_kb_article_create(t->ctx, &root_admin, json, &a));
	id = strdup(pcrm_kb_article_id(a));
	pcrm_assert_ok(pcrm_kb_article_approve(t->ctx, &root_admin, id, 1));
	pcrm_kb_article_free(a);
	return id;
}

static pcrm_kb_hit_list *search(pcrm_test_store *t, const pcrm_actor *actor,
                                const char *category, const char *keywords, pcrm_kb_match m,
                                const char *text)
{
	pcrm_kb_query q = { PCRM_KB_QUERY_VERSION, category, keywords, m, text, 0 };
	pcrm_kb_hit_list *l = NULL;
	pcrm_assert_ok(pcrm_kb_search(t->ctx, actor, &q, &l));
	return l;
}

static int has_hit(const pcrm_kb_hit_list *l, const char *id)
{
	for (size_t i = 0; i < pcrm_kb_hit_list_count(l); i++)
		if (strcmp(pcrm_kb_hit_id(l, i), id) == 0)
			return 1;
	return 0;
}

PCRM_BACKEND_TEST(kb, versions_move_draft_approved_retired)
{
	pcrm_kb_article *a, *b;
	pcrm_kb_hit_list *l;
	char id[64];
	int64_t audits;

	kb_tree(t);
	pcrm_assert_ok(pcrm_kb_article_create(
		t->ctx, &city_admin,
		doc("居民阶梯电价", "电价/居民阶梯", "\"阶梯\"", "第一档年用电量2760千瓦时", "3701",
		    NULL),
		&a));
	snprintf(id, sizeof(id), "%s", pcrm_kb_article_id(a));
	cr_assert_eq(pcrm_kb_article_version(a), 1);
	cr_assert_eq(pcrm_kb_article_status(a), PCRM_KB_DRAFT);
	cr_assert_str_eq(pcrm_kb_article_category(a), "电价/居民阶梯");
	cr_assert_str_eq(pcrm_kb_article_keywords(a), "阶梯");
	cr_assert_str_eq(pcrm_kb_article_format(a), "text");
	cr_assert_str_eq(pcrm_kb_article_valid_from(a), "2026-01-01");
	cr_assert_null(pcrm_kb_article_valid_to(a));
	pcrm_kb_article_free(a);

	/* a draft is not searchable */
	l = search(t, &city_agent, NULL, NULL, PCRM_KB_MATCH_ANY, "2760千瓦时");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 0);
	pcrm_kb_hit_list_free(l);

	pcrm_assert_ok(pcrm_kb_article_approve(t->ctx, &city_admin, id, 1));
	pcrm_assert_fails(pcrm_kb_article_approve(t->ctx, &city_admin, id, 1), PCRM_ESTATE,
	                  "not a draft");
	l = search(t, &city_agent, NULL, NULL, PCRM_KB_MATCH_ANY, "2760千瓦时");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 1);
	cr_assert_str_eq(pcrm_kb_hit_id(l, 0), id);
	cr_assert_eq(pcrm_kb_hit_version(l, 0), 1);
	pcrm_kb_hit_list_free(l);

	/* a revision is a draft: version 1 stays the one found until it is approved */
	pcrm_assert_fails(pcrm_kb_article_revise(t->ctx, &city_admin, id, 0,
	                                         doc("居民阶梯电价", "电价/居民阶梯", "\"阶梯\"",
	                                             "第一档年用电量2880千瓦时", "3701", NULL),
	                                         NULL),
	                  PCRM_ECONFLICT, "expected_version");
	pcrm_assert_ok(pcrm_kb_article_revise(t->ctx, &city_admin, id, 1,
	                                      doc("居民阶梯电价", "电价/居民阶梯", "\"阶梯\"",
	                                          "第一档年用电量2880千瓦时", "3701", NULL),
	                                      &b));
	cr_assert_eq(pcrm_kb_article_version(b), 2);
	pcrm_kb_article_free(b);
	l = search(t, &city_agent, NULL, NULL, PCRM_KB_MATCH_ANY, "2880千瓦时");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 0);
	pcrm_kb_hit_list_free(l);

	audits = count_rows(t, "SELECT COUNT(*) FROM audit_log");
	pcrm_assert_ok(pcrm_kb_article_approve(t->ctx, &city_admin, id, 2));
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'kb.approve'"), 2);
	/* the kb entry and the approval work orders' own (approve, supersede) */
	cr_assert_gt(count_rows(t, "SELECT COUNT(*) FROM audit_log"), audits + 1);
	l = search(t, &city_agent, NULL, NULL, PCRM_KB_MATCH_ANY, "千瓦时");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 1);
	cr_assert_eq(pcrm_kb_hit_version(l, 0), 2);
	pcrm_kb_hit_list_free(l);
	pcrm_assert_ok(pcrm_kb_article_get(t->ctx, &city_agent, id, 1, &a));
	cr_assert_eq(pcrm_kb_article_status(a), PCRM_KB_RETIRED);
	pcrm_kb_article_free(a);

	pcrm_assert_ok(pcrm_kb_article_retire(t->ctx, &city_admin, id));
	pcrm_assert_fails(pcrm_kb_article_retire(t->ctx, &city_admin, id), PCRM_ESTATE,
	                  "no version is approved");
	l = search(t, &city_agent, NULL, NULL, PCRM_KB_MATCH_ANY, "千瓦时");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 0);
	pcrm_kb_hit_list_free(l);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'kb.%'"), 5);
}

PCRM_BACKEND_TEST(kb, articles_are_seen_from_their_unit_above_and_below)
{
	char *province, *jinan, *qingdao;
	pcrm_kb_article *a = NULL;
	pcrm_kb_hit_list *l;

	kb_tree(t);
	province = publish(t, doc("省级政策", "政策", "", "全省统一的供电服务承诺", "37", NULL));
	jinan = publish(t, doc("济南营业厅", "营业厅", "", "济南市供电服务营业厅地址", "3701",
	                       NULL));
	qingdao = publish(t, doc("青岛营业厅", "营业厅", "", "青岛市供电服务营业厅地址", "3702",
	                         NULL));

	l = search(t, &township_agent, NULL, NULL, PCRM_KB_MATCH_ANY, "供电服务");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 2);
	cr_assert(has_hit(l, province) && has_hit(l, jinan));
	pcrm_kb_hit_list_free(l);
	l = search(t, &qingdao_agent, NULL, NULL, PCRM_KB_MATCH_ANY, "供电服务");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 2);
	cr_assert(has_hit(l, province) && has_hit(l, qingdao));
	pcrm_kb_hit_list_free(l);
	l = search(t, &monitor, NULL, NULL, PCRM_KB_MATCH_ANY, "供电服务");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 3);
	pcrm_kb_hit_list_free(l);

	/* another city's article is refused like one that does not exist */
	pcrm_assert_fails(pcrm_kb_article_get(t->ctx, &qingdao_agent, jinan, 0, &a), PCRM_EPERM,
	                  "unknown or outside");
	cr_assert_null(a);
	pcrm_assert_fails(pcrm_kb_article_get(t->ctx, &qingdao_agent,
	                                      "00000000-0000-4000-8000-000000000000", 0, &a),
	                  PCRM_EPERM, "unknown or outside");
	pcrm_assert_ok(pcrm_kb_article_get(t->ctx, &township_agent, province, 0, &a));
	pcrm_kb_article_free(a);
	free(province);
	free(jinan);
	free(qingdao);
}

PCRM_BACKEND_TEST(kb, writers_need_the_permission_in_the_unit)
{
	pcrm_kb_article *a = NULL;
	char *id;

	kb_tree(t);
	pcrm_assert_fails(pcrm_kb_article_create(t->ctx, &city_agent,
	                                         doc("标题", "分类", "", "正文内容", "3701", NULL),
	                                         &a),
	                  PCRM_EPERM, "may not kb.write");
	pcrm_assert_fails(pcrm_kb_article_create(t->ctx, &city_admin,
	                                         doc("标题", "分类", "", "正文内容", "3702", NULL),
	                                         &a),
	                  PCRM_EPERM, "outside");
	cr_assert_null(a);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM kb_article"), 0);

	/* a city clerk writes drafts; approving takes a senior one */
	pcrm_assert_ok(pcrm_kb_article_create(t->ctx, &city_clerk,
	                                      doc("标题", "分类", "", "正文内容", "3701", NULL), &a));
	id = strdup(pcrm_kb_article_id(a));
	pcrm_kb_article_free(a);
	pcrm_assert_fails(pcrm_kb_article_approve(t->ctx, &city_clerk, id, 1), PCRM_EPERM,
	                  "may not kb.approve");
	pcrm_assert_ok(pcrm_kb_article_approve(t->ctx, &senior_clerk, id, 1));
	pcrm_assert_fails(pcrm_kb_article_retire(t->ctx, &qingdao_agent, id), PCRM_EPERM,
	                  "may not kb.approve");
	free(id);
}

PCRM_BACKEND_TEST(kb, bad_documents_name_the_field_and_write_nothing)
{
	static const struct {
		const char *json, *needle;
	} cases[] = {
		{ "[]", "document: expected an object" },
		{ "{\"title\": \"t\"}", "category: missing" },
		{ "{\"title\": \"t\", \"category\": \"a//b\", \"body\": \"b\", \"valid_from\": "
		  "\"2026-01-01\", \"org_unit\": \"37\"}",
		  "category: empty segment at byte 3" },
		{ "{\"title\": \"t\", \"category\": \"a\", \"body\": \"b\", \"valid_from\": "
		  "\"2026-02-30\", \"org_unit\": \"37\"}",
		  "valid_from: expected a date" },
		{ "{\"title\": \"t\", \"category\": \"a\", \"body\": \"b\", \"valid_from\": "
		  "\"2026-02-01\", \"valid_to\": \"2026-01-01\", \"org_unit\": \"37\"}",
		  "valid_to: 2026-01-01 is before" },
		{ "{\"title\": \"t\", \"category\": \"a\", \"body\": \"b\", \"valid_from\": "
		  "\"2026-02-01\", \"org_unit\": \"37\", \"keywords\": [1]}",
		  "keywords[0]: expected a string" },
		{ "{\"title\": \"t\", \"category\": \"a\", \"body\": \"b\", \"valid_from\": "
		  "\"2026-02-01\", \"org_unit\": \"37\", \"format\": \"html\"}",
		  "format: must be" },
		{ "{\"title\": \"t\", \"category\": \"a\", \"body\": \"b\\u202e\", \"valid_from\": "
		  "\"2026-02-01\", \"org_unit\": \"37\"}",
		  "body: invisible formatting character U+202E" },
		{ "{\"title\": \"t\", \"category\": \"a\", \"body\": \"b\", \"valid_from\": "
		  "\"2026-02-01\", \"org_unit\": \"37\", \"extra\": 1}",
		  "unknown key \"extra\"" },
	};
	kb_tree(t);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		pcrm_assert_fails(pcrm_kb_article_create(t->ctx, &root_admin, cases[i].json, NULL),
		                  PCRM_EINVAL, cases[i].needle);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM kb_article"), 0);
}

PCRM_BACKEND_TEST(kb, only_articles_valid_today_are_found)
{
	char *old, *current;
	pcrm_kb_hit_list *l;

	kb_tree(t); /* the test clock reads 2026-11-23 */
	old = publish(t, doc("旧政策", "政策", "", "去年的电价政策", "37", "2026-11-22"));
	current = publish(t, doc("新政策", "政策", "", "今年的电价政策", "37", "2026-11-23"));
	l = search(t, &city_agent, "政策", NULL, PCRM_KB_MATCH_ANY, NULL);
	cr_assert_eq(pcrm_kb_hit_list_count(l), 1);
	cr_assert_str_eq(pcrm_kb_hit_id(l, 0), current);
	pcrm_kb_hit_list_free(l);
	t->now += 86400;
	l = search(t, &city_agent, "政策", NULL, PCRM_KB_MATCH_ANY, NULL);
	cr_assert_eq(pcrm_kb_hit_list_count(l), 0);
	pcrm_kb_hit_list_free(l);
	free(old);
	free(current);
}

PCRM_BACKEND_TEST(kb, search_by_category_keywords_and_text)
{
	char *tier, *peak, *pay, *percent;
	pcrm_kb_hit_list *l;
	pcrm_kb_query q = { PCRM_KB_QUERY_VERSION, NULL, NULL, PCRM_KB_MATCH_ANY, NULL, 0 };

	kb_tree(t);
	tier = publish(t, doc("阶梯电价", "电价/居民阶梯", "\"阶梯\", \"电价\"", "按年度电量分档", "37",
	                      NULL));
	peak = publish(t, doc("峰谷电价", "电价/峰谷", "\"峰谷\", \"电价\"", "谷段电费较低", "37",
	                      NULL));
	pay = publish(t, doc("缴费渠道", "缴费", "\"缴费\"", "电费可在线缴纳", "37", NULL));
	percent = publish(t, doc("折扣说明", "缴费/优惠", "", "优惠100%_以内", "37", NULL));

	/* a category and those below it, not a prefix of a name */
	l = search(t, &city_agent, "电价", NULL, PCRM_KB_MATCH_ANY, NULL);
	cr_assert_eq(pcrm_kb_hit_list_count(l), 2);
	pcrm_kb_hit_list_free(l);
	l = search(t, &city_agent, "电", NULL, PCRM_KB_MATCH_ANY, NULL);
	cr_assert_eq(pcrm_kb_hit_list_count(l), 0);
	pcrm_kb_hit_list_free(l);

	/* keywords: OR by default, AND on request */
	l = search(t, &city_agent, NULL, "阶梯 峰谷", PCRM_KB_MATCH_ANY, NULL);
	cr_assert_eq(pcrm_kb_hit_list_count(l), 2);
	pcrm_kb_hit_list_free(l);
	l = search(t, &city_agent, NULL, "阶梯 峰谷", PCRM_KB_MATCH_ALL, NULL);
	cr_assert_eq(pcrm_kb_hit_list_count(l), 0);
	pcrm_kb_hit_list_free(l);
	l = search(t, &city_agent, NULL, "电价　阶梯", PCRM_KB_MATCH_ALL, NULL); /* U+3000 */
	cr_assert_eq(pcrm_kb_hit_list_count(l), 1);
	cr_assert_str_eq(pcrm_kb_hit_id(l, 0), tier);
	pcrm_kb_hit_list_free(l);
	/* keywords do not read the body */
	l = search(t, &city_agent, NULL, "分档", PCRM_KB_MATCH_ANY, NULL);
	cr_assert_eq(pcrm_kb_hit_list_count(l), 0);
	pcrm_kb_hit_list_free(l);

	/* full text: two-character terms (no trigram) and longer ones; ranked by where they occur */
	l = search(t, &city_agent, NULL, NULL, PCRM_KB_MATCH_ANY, "电费");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 2);
	cr_assert(has_hit(l, peak) && has_hit(l, pay));
	pcrm_kb_hit_list_free(l);
	l = search(t, &city_agent, NULL, NULL, PCRM_KB_MATCH_ANY, "谷段电费");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 1);
	cr_assert_str_eq(pcrm_kb_hit_id(l, 0), peak);
	pcrm_kb_hit_list_free(l);
	l = search(t, &city_agent, NULL, NULL, PCRM_KB_MATCH_ANY, "电价");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 2); /* in both titles */
	pcrm_kb_hit_list_free(l);
	l = search(t, &city_agent, NULL, NULL, PCRM_KB_MATCH_ANY, "缴费 在线");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 1);
	cr_assert_str_eq(pcrm_kb_hit_id(l, 0), pay);
	pcrm_kb_hit_list_free(l);
	/* LIKE's wildcards are text */
	l = search(t, &city_agent, NULL, NULL, PCRM_KB_MATCH_ANY, "0%_");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 1);
	cr_assert_str_eq(pcrm_kb_hit_id(l, 0), percent);
	pcrm_kb_hit_list_free(l);
	l = search(t, &city_agent, NULL, NULL, PCRM_KB_MATCH_ANY, "%");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 1);
	pcrm_kb_hit_list_free(l);
	l = search(t, &city_agent, "电价", NULL, PCRM_KB_MATCH_ANY, "谷段");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 1);
	pcrm_kb_hit_list_free(l);

	/* bad queries */
	pcrm_assert_fails(pcrm_kb_search(t->ctx, &city_agent, &q, &l), PCRM_EINVAL,
	                  "give a category, keywords or text");
	q.text = "   ";
	pcrm_assert_fails(pcrm_kb_search(t->ctx, &city_agent, &q, &l), PCRM_EINVAL, "query.text");
	q.text = "一 二 三 四 五 六 七 八 九";
	pcrm_assert_fails(pcrm_kb_search(t->ctx, &city_agent, &q, &l), PCRM_EINVAL,
	                  "more than 8 terms");
	q.text = "电费";
	q.limit = 101;
	pcrm_assert_fails(pcrm_kb_search(t->ctx, &city_agent, &q, &l), PCRM_EINVAL, "query.limit");
	q.limit = 0;
	q.version = 2;
	pcrm_assert_fails(pcrm_kb_search(t->ctx, &city_agent, &q, &l), PCRM_EINVAL,
	                  "query.version");
	free(tier);
	free(peak);
	free(pay);
	free(percent);
}

PCRM_BACKEND_TEST(kb, contacts_record_used_articles_and_unanswered_questions)
{
	const char *ids[2];
	char *tier, *pay, *qingdao, contact_id[64], other_contact[64];
	pcrm_contact *c;
	pcrm_kb_stats *s;

	kb_tree(t);
	add_person(t->ctx, ZHANG, "37010201");
	tier = publish(t, doc("阶梯电价", "电价", "", "分档", "37", NULL));
	pay = publish(t, doc("缴费渠道", "缴费", "", "在线缴纳", "3701", NULL));
	qingdao = publish(t, doc("青岛营业厅", "营业厅", "", "地址", "3702", NULL));
	pcrm_assert_ok(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                   "{\"channel\": \"phone\", \"direction\": \"inbound\","
	                                   " \"summary\": \"咨询电价\"}",
	                                   &c));
	snprintf(contact_id, sizeof(contact_id), "%s", pcrm_contact_id(c));
	pcrm_contact_free(c);
	pcrm_assert_ok(pcrm_contact_record(t->ctx, &city_agent, ZHANG,
	                                   "{\"channel\": \"phone\", \"direction\": \"inbound\","
	                                   " \"summary\": \"咨询\"}",
	                                   &c));
	snprintf(other_contact, sizeof(other_contact), "%s", pcrm_contact_id(c));
	pcrm_contact_free(c);

	ids[0] = tier;
	ids[1] = pay;
	pcrm_assert_ok(pcrm_kb_contact_link(t->ctx, &city_agent, ZHANG, contact_id, ids, 2, NULL));
	pcrm_assert_fails(pcrm_kb_contact_link(t->ctx, &city_agent, ZHANG, contact_id, ids, 1, NULL),
	                  PCRM_EDUPLICATE, "already linked");
	ids[0] = qingdao; /* not visible from 3701 */
	pcrm_assert_fails(pcrm_kb_contact_link(t->ctx, &city_agent, ZHANG, other_contact, ids, 1,
	                                       NULL),
	                  PCRM_EPERM, "unknown or outside");
	pcrm_assert_fails(pcrm_kb_contact_link(t->ctx, &qingdao_agent, ZHANG, other_contact, NULL, 0,
	                                       "问题"),
	                  PCRM_EPERM, "customer: unknown or outside");
	pcrm_assert_fails(pcrm_kb_contact_link(t->ctx, &city_agent, ZHANG, other_contact, NULL, 0,
	                                       NULL),
	                  PCRM_EINVAL, "unanswered");
	pcrm_assert_fails(pcrm_kb_contact_link(t->ctx, &city_agent, ZHANG,
	                                       "00000000-0000-4000-8000-000000000000", NULL, 0,
	                                       "问题"),
	                  PCRM_ENOTFOUND, "contact_id");
	pcrm_assert_ok(pcrm_kb_contact_link(t->ctx, &city_agent, ZHANG, other_contact, NULL, 0,
	                                    "充电桩峰谷电价怎么申请"));
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM kb_use"), 2);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM kb_miss"), 1);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'kb.miss'"), 1);

	pcrm_assert_ok(pcrm_kb_stats_load(t->ctx, &city_agent, 0, t->now + 1, 10, &s));
	cr_assert_eq(pcrm_kb_stats_top_count(s), 2);
	cr_assert_eq(pcrm_kb_stats_top_uses(s, 0), 1);
	cr_assert_eq(pcrm_kb_stats_miss_count(s), 1);
	cr_assert_str_eq(pcrm_kb_stats_miss_question(s, 0), "充电桩峰谷电价怎么申请");
	cr_assert_eq(pcrm_kb_stats_miss_times(s, 0), 1);
	pcrm_kb_stats_free(s);
	/* Qingdao's statistics do not hold Jinan's contacts */
	pcrm_assert_ok(pcrm_kb_stats_load(t->ctx, &qingdao_agent, 0, t->now + 1, 10, &s));
	cr_assert_eq(pcrm_kb_stats_top_count(s), 0);
	cr_assert_eq(pcrm_kb_stats_miss_count(s), 0);
	pcrm_kb_stats_free(s);
	/* the window excludes its end */
	pcrm_assert_ok(pcrm_kb_stats_load(t->ctx, &city_agent, 0, t->now, 10, &s));
	cr_assert_eq(pcrm_kb_stats_top_count(s), 0);
	pcrm_kb_stats_free(s);
	free(tier);
	free(pay);
	free(qingdao);
}

/* The postings of kb_gram, one line each with every column, in a fixed order (free it). */
static char *postings(pcrm_test_store *t)
{
	pcrm_rows *rows;
	size_t cap = 1 << 16, len = 0;
	char *out = malloc(cap);
	int rc;
	cr_assert_not_null(out);
	out[0] = '\0';
	pcrm_assert_ok(pcrm__store_query(t->ctx->store,
	                                 "SELECT gram, row_id, fields, weight, written_at, org_path, "
	                                 "valid_from, COALESCE(valid_to, '-') FROM kb_gram "
	                                 "ORDER BY row_id, gram",
	                                 NULL, 0, &rows));
	while ((rc = pcrm__rows_next(rows)) == 1) {
		cr_assert_lt(len + 160, cap, "more postings than the test expects");
		len += (size_t)snprintf(out + len, cap - len, "%lld %lld %lld %lld %lld %s %s %s\n",
		                        (long long)pcrm__rows_int(rows, 0),
		                        (long long)pcrm__rows_int(rows, 1),
		                        (long long)pcrm__rows_int(rows, 2),
		                        (long long)pcrm__rows_int(rows, 3),
		                        (long long)pcrm__rows_int(rows, 4), pcrm__rows_text(rows, 5),
		                        pcrm__rows_text(rows, 6), pcrm__rows_text(rows, 7));
	}
	cr_assert_eq(rc, 0);
	pcrm__rows_free(rows);
	return out;
}

/*
 * Migrations 31, 35 and 44 index the versions approved before them in SQL;
 * approvals are indexed in C (kb_gram.c).  Both must give the same
 * postings: ASCII lower-cased, no gram across a space (U+3000 included)
 * and no unigram of one, bigrams and single characters,
 * one row per gram with the bits of every field holding it, its weight and
 * the version's write time, org path and validity, approved versions only.
 */
PCRM_BACKEND_TEST(kb, migration_fill_gives_the_postings_approval_writes)
{
	char *a, *b, *by_api, *by_sql, *fill;
	pcrm_kb_article *draft;

	kb_tree(t);
	a = publish(t, doc("Peak 峰谷电价", "电价/峰谷", "\"峰谷\", \"TOU\"",
	                   "峰谷电价　按时段计费 (PEAK 08:00-22:00)\\n谷段", "37", NULL));
	b = publish(t, doc("过户办理", "业务/过户", "\"过户\"", "过户需要身份证", "3701", "2026-12-31"));
	pcrm_assert_ok(pcrm_kb_article_revise(t->ctx, &root_admin, b, 1,
	                                      doc("过户办理（新）", "业务/过户", "\"过户\"",
	                                          "带身份证和房产证", "3701", "2026-12-31"),
	                                      &draft));
	pcrm_assert_ok(pcrm_kb_article_approve(t->ctx, &root_admin, b, 2)); /* retires 1 */
	pcrm_kb_article_free(draft);
	pcrm_assert_ok(pcrm_kb_article_create(t->ctx, &root_admin,
	                                      doc("草稿", "业务/草稿", "", "未审核的草稿", "37",
	                                          NULL),
	                                      &draft));
	pcrm_kb_article_free(draft);

	by_api = postings(t);
	cr_assert_gt(strlen(by_api), 0);
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, "DELETE FROM kb_gram", NULL, 0, NULL));
	fill = pcrm__schema_render(pcrm__schema_kb_grams_fill, t->ctx->store->driver->kind);
	cr_assert_not_null(fill);
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, fill, NULL, 0, NULL));
	free(fill);
	fill = pcrm__schema_render(pcrm__schema_kb_ranked_fill, t->ctx->store->driver->kind);
	cr_assert_not_null(fill);
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, fill, NULL, 0, NULL));
	free(fill);
	fill = pcrm__schema_render(pcrm__schema_kb_chars, t->ctx->store->driver->kind);
	cr_assert_not_null(fill);
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, fill, NULL, 0, NULL));
	by_sql = postings(t);
	cr_assert_str_eq(by_sql, by_api);
	/* a posting of "pe" from "Peak" and "PEAK", in the title and the body */
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM kb_gram WHERE gram = CAST(112 AS BIGINT) * 2097152 + 101 "
	                           "AND fields = 9"),
	             1);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM kb_gram WHERE gram = CAST(12288 AS BIGINT) * "
	                           "2097152 + 25353 OR gram = CAST(20215 AS BIGINT) * 2097152 + 12288"),
	             0); /* "价　按": no gram holds the ideographic space */
	/* unigrams: "p" of "Peak" and "PEAK" (title, body), none for a space */
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM kb_gram WHERE gram = 112 AND fields = 9 "
	                           "AND weight = 5"),
	             1);
	cr_assert_eq(count_rows(t, "SELECT COUNT(*) FROM kb_gram WHERE gram IN (9, 10, 13, 32, "
	                           "12288)"),
	             0);
	free(fill);
	free(by_api);
	free(by_sql);
	free(a);
	free(b);
}

/*
 * The ranked scan reads postings best bound first.  Here 60 articles hold
 * every bigram of the term in the title (weight 4 + 1) but the term only
 * in the body (score 1), and the one with the term in its title (score 4)
 * has the lower weight 4: it is read after all 60, and only the stop rule
 * (the 10th hit's score 1 is below the weight 5 still being read) keeps
 * the scan going until it is found and put first.
 */
PCRM_BACKEND_TEST(kb, the_candidate_cut_never_drops_a_better_hit)
{
	char *best, *decoy[60];
	pcrm_kb_hit_list *l;

	kb_tree(t);
	best = publish(t, doc("甲乙丙丁说明", "测试/候选", "", "见营业厅", "37", NULL));
	for (int i = 0; i < 60; i++)
		decoy[i] = publish(t, doc("甲乙、乙丙、丙丁", "测试/候选", "", "甲乙丙丁", "37", NULL));
	l = search(t, &city_agent, NULL, NULL, PCRM_KB_MATCH_ANY, "甲乙丙丁");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 10);
	cr_assert_str_eq(pcrm_kb_hit_id(l, 0), best);
	pcrm_kb_hit_list_free(l);
	/* every bigram (、乙 乙丙 丙、) is in the decoys' titles, the term is not: no hit */
	l = search(t, &city_agent, NULL, NULL, PCRM_KB_MATCH_ANY, "、乙丙、乙");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 0);
	pcrm_kb_hit_list_free(l);
	for (int i = 0; i < 60; i++)
		free(decoy[i]);
	free(best);
}

/*
 * Keyword terms add to the score, so the stop rule's bound must count
 * them: here 60 articles score 5 for the text and 2 for the keywords, and
 * the one with "说明" in its title scores 4 + 6 but has the lower text
 * weight.  Were keywords left out of the bound, the 10th hit's 7 would beat
 * the weight 5 being read and the scan would stop before finding it.
 */
PCRM_BACKEND_TEST(kb, the_candidate_bound_counts_keyword_terms)
{
	char *best, *decoy[60];
	pcrm_kb_hit_list *l;

	kb_tree(t);
	best = publish(t, doc("甲乙丙丁说明", "测试/候选", "", "见营业厅", "37", NULL));
	for (int i = 0; i < 60; i++)
		decoy[i] = publish(t, doc("甲乙丙丁", "测试/候选", "", "甲乙丙丁", "37", NULL));
	l = search(t, &city_agent, NULL, "说明 摘要", PCRM_KB_MATCH_ANY, "甲乙丙丁");
	cr_assert_eq(pcrm_kb_hit_list_count(l), 10);
	cr_assert_str_eq(pcrm_kb_hit_id(l, 0), best);
	pcrm_kb_hit_list_free(l);
	for (int i = 0; i < 60; i++)
		free(decoy[i]);
	free(best);
}

/*
 * One article of the ranking fixture below: where "电费" is and who sees it
 * vary with i; `copy` > 0 writes the same article again at the same instant.
 */
static char *ranking_article(pcrm_test_store *t, int i, int copy)
{
	static const char *const orgs[] = { "37", "3701", "3702", "37010201", "3701", "37" };
	char json[1024], to[64] = "";
	if (i % 9 == 4)
		snprintf(to, sizeof(to), ", \"valid_to\": \"2026-06-30\""); /* expired */
	snprintf(json, sizeof(json),
	         "{\"title\": \"%s第%d条\", \"category\": \"%s\", \"summary\": \"%s\","
	         " \"keywords\": [%s], \"body\": \"%s%s\", \"valid_from\": \"2026-01-01\","
	         " \"org_unit\": \"%s\"%s}",
	         i % 4 == 0 ? "电费说明" : i % 4 == 1 ? "缴纳方式" : "业务说明", i,
	         i % 2 ? "收费/电费" : "业务/其他", i % 3 == 0 ? "关于电费缴纳" : "摘要",
	         i % 5 == 0 ? "\"电费\"" : "\"其他\"",
	         i % 7 == 3 ? "费电费用" : i % 2 ? "缴纳电费的方式" : "营业厅地址",
	         i % 11 == 0 ? "，交电费" : "", orgs[i % 6], to);
	/* copies tie in score and write time: the article id decides */
	if (!copy)
		t->now += 1000000;
	return publish(t, json);
}

/*
 * The ranked scan stops reading postings once the k-th hit is proven final.
 * Over a fixture where the term sits in every combination of fields, with
 * ties in score and in write time, articles of another city, expired ones
 * and near misses ("费电"), its hits must be exactly the exhaustive
 * ranking's (every visible valid article tested and ranked without the
 * index), for single and several terms, keywords, categories and limits;
 * and for a broad term it must have read fewer postings than the term has.
 */
PCRM_BACKEND_TEST(kb, the_ranked_scan_equals_the_exhaustive_ranking)
{
	static const struct {
		const char *category, *keywords, *text;
		pcrm_kb_match match;
	} queries[] = {
		{ NULL, NULL, "电费", PCRM_KB_MATCH_ANY },
		{ NULL, NULL, "电费 缴纳", PCRM_KB_MATCH_ANY },
		{ NULL, NULL, "交电费", PCRM_KB_MATCH_ANY },
		{ NULL, NULL, "费 电费", PCRM_KB_MATCH_ANY },
		{ NULL, NULL, "费电", PCRM_KB_MATCH_ANY },
		{ NULL, "说明 其他", "电费", PCRM_KB_MATCH_ANY },
		{ NULL, "说明 电费", "缴纳", PCRM_KB_MATCH_ALL },
		{ "收费", NULL, "电费", PCRM_KB_MATCH_ANY },
		{ "业务/其他", "摘要", "电费的", PCRM_KB_MATCH_ANY },
		/* several terms, a common one-character term among them (schema 44's bounds) */
		{ NULL, NULL, "费", PCRM_KB_MATCH_ANY },
		{ NULL, NULL, "电 费", PCRM_KB_MATCH_ANY },
		{ NULL, NULL, "电费 说明", PCRM_KB_MATCH_ANY },
		{ NULL, NULL, "缴纳 电费 方式", PCRM_KB_MATCH_ANY },
		{ NULL, NULL, "电费 条 费", PCRM_KB_MATCH_ANY },
		{ NULL, NULL, "费电 电费", PCRM_KB_MATCH_ANY },
		{ NULL, "说明 摘要", "电费 费", PCRM_KB_MATCH_ANY },
		{ NULL, "说 其他", "电费 缴纳", PCRM_KB_MATCH_ANY },
		{ NULL, "说明 电费", "电 缴纳", PCRM_KB_MATCH_ALL },
		{ NULL, "缴纳 方式 费", "条", PCRM_KB_MATCH_ALL },
		{ "收费", "电费", "条 费", PCRM_KB_MATCH_ANY },
		/* more grams than one statement joins (SQLite: 64 tables): shared out */
		{ NULL, "abcdefghijklmnopqrstuvwxyz0123456789 说明", "电费 缴纳 ",
		  PCRM_KB_MATCH_ANY },
		{ NULL, NULL, "条 费 abcdefghijklmnopqrstuvwxyz0123456789", PCRM_KB_MATCH_ANY },
	};
	static const int limits[] = { 1, 3, 7, 10, 100 };
	static const pcrm_actor *const actors[] = { &city_agent, &township_agent, &qingdao_agent };
	char *ids[160];
	int n = 0;
	long scanned = 0, compared = 0;
	int64_t postings = 0;
	pcrm_kb_hit_list *l;

	kb_tree(t);
	for (int i = 0; i < 120; i++)
		for (int copy = 0; copy < (i % 10 == 0 ? 4 : 1); copy++)
			ids[n++] = ranking_article(t, i, copy);
	for (size_t a = 0; a < sizeof(actors) / sizeof(actors[0]); a++)
		for (size_t qi = 0; qi < sizeof(queries) / sizeof(queries[0]); qi++)
			for (size_t li = 0; li < sizeof(limits) / sizeof(limits[0]); li++) {
				pcrm_kb_query q = { PCRM_KB_QUERY_VERSION, queries[qi].category,
					            queries[qi].keywords,  queries[qi].match,
					            queries[qi].text,      limits[li] };
				pcrm_kb_hit_list *ranked, *all;
				pcrm_assert_ok(pcrm__kb_search_with(t->ctx, actors[a], &q, 0, &ranked,
				                                    NULL));
				pcrm_assert_ok(pcrm__kb_search_with(t->ctx, actors[a], &q, 1, &all,
				                                    NULL));
				cr_assert_eq(pcrm_kb_hit_list_count(ranked), pcrm_kb_hit_list_count(all),
				             "query %zu limit %d actor %zu", qi, limits[li], a);
				for (size_t i = 0; i < pcrm_kb_hit_list_count(all); i++)
					cr_assert_str_eq(pcrm_kb_hit_id(ranked, i), pcrm_kb_hit_id(all, i),
					                 "query %zu limit %d actor %zu hit %zu", qi,
					                 limits[li], a, i);
				compared += (long)pcrm_kb_hit_list_count(all);
				pcrm_kb_hit_list_free(ranked);
				pcrm_kb_hit_list_free(all);
			}
	cr_assert_gt(compared, 500, "the fixture must give hits to compare");

	/* early: the 3 best of a term in ~60 articles, read from far fewer postings */
	{
		pcrm_kb_query q = { PCRM_KB_QUERY_VERSION, NULL, NULL, PCRM_KB_MATCH_ANY, "电费", 3 };
		int64_t gram[1];
		char sql[160];
		cr_assert_eq(pcrm__kb_term_grams("电费", strlen("电费"), gram, 1), 1);
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM kb_gram WHERE gram = %lld",
		         (long long)gram[0]);
		postings = count_rows(t, sql);
		pcrm_assert_ok(pcrm__kb_search_with(t->ctx, &city_agent, &q, 0, &l, &scanned));
		cr_assert_eq(pcrm_kb_hit_list_count(l), 3);
		cr_assert_gt(postings, 50);
		cr_assert_lt(scanned, postings / 3, "read %ld of %lld postings", scanned,
		             (long long)postings);
		pcrm_kb_hit_list_free(l);
	}
	/*
	 * and with a common second term: "条" is in every title, so its maximum
	 * (9) is above what any article scores; bounded per article from its
	 * postings, the scan still stops early
	 */
	{
		pcrm_kb_query q = { PCRM_KB_QUERY_VERSION, NULL, NULL, PCRM_KB_MATCH_ANY, "电费 条", 3 };
		pcrm_assert_ok(pcrm__kb_search_with(t->ctx, &city_agent, &q, 0, &l, &scanned));
		cr_assert_eq(pcrm_kb_hit_list_count(l), 3);
		cr_assert_lt(scanned, postings / 3, "read %ld of %lld postings", scanned,
		             (long long)postings);
		pcrm_kb_hit_list_free(l);
	}
	for (int i = 0; i < n; i++)
		free(ids[i]);
}

/*
 * Precision@5 and recall@5 over the labelled set.  The floor asserted is
 * below what the search reaches (printed), so a change that makes ranking
 * or matching worse fails here.
 */
PCRM_BACKEND_TEST(kb, precision_at_5_on_the_labelled_set)
{
	char *ids[KB_LABELLED_ARTICLES];
	double precision = 0, recall = 0;

	kb_tree(t);
	for (size_t i = 0; i < KB_LABELLED_ARTICLES; i++) {
		const struct kb_labelled_article *a = &kb_labelled_articles[i];
		char json[4096];
		snprintf(json, sizeof(json),
		         "{\"title\": \"%s\", \"category\": \"%s\", \"summary\": \"%s\","
		         " \"keywords\": [%s], \"body\": \"%s\", \"valid_from\": \"2026-01-01\","
		         " \"org_unit\": \"37\"}",
		         a->title, a->category, a->summary, a->keywords, a->body);
		ids[i] = publish(t, json);
	}
	for (size_t qi = 0; qi < KB_LABELLED_QUERIES; qi++) {
		const struct kb_labelled_query *q = &kb_labelled_queries[qi];
		pcrm_kb_query query = { PCRM_KB_QUERY_VERSION, NULL, NULL, PCRM_KB_MATCH_ANY, q->text,
			                5 };
		pcrm_kb_hit_list *l;
		int relevant = 0, found = 0;
		pcrm_assert_ok(pcrm_kb_search(t->ctx, &city_agent, &query, &l));
		for (int r = 0; q->relevant[r] >= 0; r++) {
			relevant++;
			found += has_hit(l, ids[q->relevant[r]]);
		}
		precision += found / 5.0;
		recall += (double)found / relevant;
		pcrm_kb_hit_list_free(l);
	}
	precision /= KB_LABELLED_QUERIES;
	recall /= KB_LABELLED_QUERIES;
	cr_log_info("kb labelled set: precision@5 %.3f, recall@5 %.3f over %zu queries", precision,
	            recall, KB_LABELLED_QUERIES);
	fprintf(stderr, "kb labelled set: precision@5 %.3f, recall@5 %.3f\n", precision, recall);
	cr_assert_geq(recall, 0.8, "recall@5 %.3f", recall);
	cr_assert_geq(precision, 0.3, "precision@5 %.3f", precision);
	for (size_t i = 0; i < KB_LABELLED_ARTICLES; i++)
		free(ids[i]);
}

/* The version (and state) of an article's approval work order, read as the root admin. */
static int order_version(pcrm_test_store *t, const char *wo_id, char state[16])
{
	pcrm_workorder *wo;
	int v;
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &root_admin, wo_id, &wo));
	v = pcrm_workorder_version(wo);
	snprintf(state, 16, "%s", pcrm_workorder_state(wo));
	pcrm_workorder_free(wo);
	return v;
}

/*
 * Firing `event` directly on the approval work order: refused with
 * PCRM_EPERM and `needle`, audited as permission.denied of kb.approve, and
 * the work order not moved.
 */
static void fire_refused(pcrm_test_store *t, const pcrm_actor *actor, const char *wo_id,
                         const char *event, const char *needle)
{
	static const char denials[] = "SELECT COUNT(*) FROM audit_log WHERE action = "
	                              "'permission.denied' AND summary LIKE '%kb.approve%'";
	char before[16], after[16];
	int version = order_version(t, wo_id, before);
	int64_t denied = count_rows(t, denials);
	pcrm_workorder *out = NULL;

	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, actor, wo_id, version, event, NULL, NULL,
	                                      &out),
	                  PCRM_EPERM, needle);
	cr_assert_null(out);
	cr_assert_eq(count_rows(t, denials), denied + 1);
	cr_assert_eq(order_version(t, wo_id, after), version);
	cr_assert_str_eq(after, before);
}

/*
 * Firing "approve" on another city's approval work order: the same status
 * and message as on an id nobody has (no oracle for which work orders are
 * drafts of the kb_article workflow), and the work order not moved.
 */
static void other_city_refused_as_missing(pcrm_test_store *t, const pcrm_actor *actor,
                                          const char *wo_id)
{
	char missing[256], state[16];
	int version = order_version(t, wo_id, state);
	int rc = pcrm_workorder_fire(t->ctx, actor, "00000000-0000-4000-8000-000000000000", 1,
	                             "approve", NULL, NULL, NULL);
	cr_assert_eq(rc, PCRM_EPERM);
	snprintf(missing, sizeof(missing), "%s", pcrm_error_last());
	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, actor, wo_id, version, "approve", NULL, NULL,
	                                      NULL),
	                  PCRM_EPERM, "");
	cr_assert_str_eq(pcrm_error_last(), missing);
	cr_assert_eq(order_version(t, wo_id, state), version);
	cr_assert_str_eq(state, "draft");
}

/*
 * The kb_article workflow's transitions name kb.approve, which the engine
 * checks in the work order's org scope in place of workorder.handle: a
 * monitor of level 2 (kb.approve, no workorder.handle) approves, supersedes
 * and retires; an agent (workorder.handle, no kb.approve), a level-1
 * admin or monitor, and a monitor of another city cannot, not even firing
 * the work order's events directly.
 */
PCRM_BACKEND_TEST(kb, approval_needs_kb_approve_in_the_unit_not_workorder_handle)
{
	static const pcrm_actor senior_monitor = { "monitor-2", PCRM_ROLE_MONITOR, 2, "37" };
	static const pcrm_actor qingdao_monitor = { "monitor-qd", PCRM_ROLE_MONITOR, 2, "3702" };
	static const pcrm_actor junior_admin = { "admin-j1", PCRM_ROLE_ADMIN, 1, "3701" };
	pcrm_kb_article *a, *b;
	pcrm_workorder_history *h;
	const char *last;
	char id[64], wo1[64], wo2[64], state[16];

	kb_tree(t);
	pcrm_assert_ok(pcrm_kb_article_create(
		t->ctx, &city_admin, doc("报修电话", "服务", "", "拨打95598报修", "3701", NULL), &a));
	snprintf(id, sizeof(id), "%s", pcrm_kb_article_id(a));
	snprintf(wo1, sizeof(wo1), "%s", pcrm_kb_article_work_order_id(a));
	pcrm_kb_article_free(a);

	/* without kb.approve: the agent and the level-1 admin hold workorder.handle */
	fire_refused(t, &city_agent, wo1, "approve", "may not kb.approve");
	fire_refused(t, &junior_admin, wo1, "approve", "may not kb.approve");
	fire_refused(t, &monitor, wo1, "approve", "may not kb.approve");
	pcrm_assert_fails(pcrm_kb_article_approve(t->ctx, &monitor, id, 1), PCRM_EPERM,
	                  "may not kb.approve");
	/* another city's: refused exactly as an id nobody has, whatever the transition names */
	other_city_refused_as_missing(t, &qingdao_monitor, wo1);
	other_city_refused_as_missing(t, &qingdao_agent, wo1);
	pcrm_assert_fails(pcrm_kb_article_approve(t->ctx, &qingdao_monitor, id, 1), PCRM_EPERM,
	                  "unknown or outside");
	pcrm_assert_ok(pcrm_kb_article_get(t->ctx, &root_admin, id, 1, &a));
	cr_assert_eq(pcrm_kb_article_status(a), PCRM_KB_DRAFT);
	pcrm_kb_article_free(a);

	/* the province's senior monitor approves, in the work order's history under its name */
	pcrm_assert_ok(pcrm_kb_article_approve(t->ctx, &senior_monitor, id, 1));
	order_version(t, wo1, state);
	cr_assert_str_eq(state, "approved");
	pcrm_assert_ok(pcrm_workorder_history_load(t->ctx, &root_admin, wo1, &h));
	last = pcrm_workorder_history_at(h, pcrm_workorder_history_count(h) - 1);
	cr_assert(strstr(last, "\"operator_id\":\"monitor-2\"") || strstr(last, "\"operator_id\": \"monitor-2\""),
	          "%s", last);
	cr_assert(strstr(last, "approve") != NULL, "%s", last);
	pcrm_workorder_history_free(h);
	/* an event the state has not needs workorder.handle, which monitors lack */
	fire_refused(t, &city_agent, wo1, "retire", "may not kb.approve");

	/* a revision approved by the monitor supersedes version 1 through the engine */
	pcrm_assert_ok(pcrm_kb_article_revise(t->ctx, &city_admin, id, 1,
	                                      doc("报修电话", "服务", "", "拨打95598或网上国网报修",
	                                          "3701", NULL),
	                                      &b));
	snprintf(wo2, sizeof(wo2), "%s", pcrm_kb_article_work_order_id(b));
	pcrm_kb_article_free(b);
	pcrm_assert_ok(pcrm_kb_article_approve(t->ctx, &senior_monitor, id, 2));
	order_version(t, wo1, state);
	cr_assert_str_eq(state, "retired");
	fire_refused(t, &city_agent, wo2, "retire", "may not kb.approve");
	pcrm_assert_ok(pcrm_kb_article_retire(t->ctx, &senior_monitor, id));
	order_version(t, wo2, state);
	cr_assert_str_eq(state, "retired");
}

/*
 * Migration 45 rewrites the kb_article definition stored as shipped with
 * schema 35 (guards of roles on top of workorder.handle) to today's file:
 * a draft opened under it, refused to a monitor before, is approved by the
 * monitor after, and defining today's file finds it already stored.
 */
extern const char pcrm__schema_kb_approval_permission[];

PCRM_BACKEND_FILE_TEST(kb, migration_45_gives_stored_definitions_the_permission)
{
	static const pcrm_actor senior_monitor = { "monitor-2", PCRM_ROLE_MONITOR, 2, "37" };
	char *old = read_source("tests/kb/kb-article-schema35.json");
	char *now = read_source("data/workflows/kb-article.json");
	char *sql, id[64];
	pcrm_kb_article *a;
	pcrm_ctx *again;
	pcrm_test_store second;
	int version = 0;

	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, old, NULL, NULL));
	pcrm_assert_ok(pcrm_kb_article_create(
		t->ctx, &city_admin, doc("报修电话", "服务", "", "拨打95598报修", "3701", NULL), &a));
	snprintf(id, sizeof(id), "%s", pcrm_kb_article_id(a));
	pcrm_kb_article_free(a);
	pcrm_assert_fails(pcrm_kb_article_approve(t->ctx, &senior_monitor, id, 1), PCRM_EPERM,
	                  "may not workorder.handle");

	sql = pcrm__schema_render(pcrm__schema_kb_approval_permission, t->ctx->store->driver->kind);
	cr_assert_not_null(sql);
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, sql, NULL, 0, NULL));
	free(sql);

	/* a context opened after the migration (as the library's own opening migrates) */
	again = pcrm_test_open_again(t);
	second = *t;
	second.ctx = again;
	pcrm_assert_ok(pcrm_workflow_define(again, &root_admin, now, NULL, &version));
	cr_assert_eq(version, 1, "the migrated text differs from today's file");
	cr_assert_eq(count_rows(&second, "SELECT COUNT(*) FROM workflow_def"), 1);
	pcrm_assert_ok(pcrm_kb_article_approve(again, &senior_monitor, id, 1));
	pcrm_assert_ok(pcrm_kb_article_get(again, &root_admin, id, 1, &a));
	cr_assert_eq(pcrm_kb_article_status(a), PCRM_KB_APPROVED);
	pcrm_kb_article_free(a);
	pcrm_ctx_close(again);
	free(old);
	free(now);
}
