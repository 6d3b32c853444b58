/*
 * Complaint tickets on both backends: configuration checks, filing from a
 * call, routing with and without a matching rule, repeat detection at the
 * window's edge, sealed personal data, merge, reply and return visit,
 * permission denials, refusals that store nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "backend.h"
#include "core/ctx.h"
#include "store/store.h"
#include "complaint_fixture.h"

static const char *const config =
	"{\"default_unit\": \"3701\", \"repeat_window_days\": 30,"
	" \"subcategories\": {\"service\": [\"attitude\", \"standards\"],"
	"   \"business\": [\"billing\"], \"outage\": [\"planned\", \"unplanned\"],"
	"   \"supply_quality\": [\"voltage\"], \"grid_construction\": [\"line_route\"]},"
	" \"rules\": [{\"category\": \"service\", \"subcategory\": \"attitude\","
	"              \"org_unit\": \"370102\", \"responsible_unit\": \"370102\"},"
	"            {\"category\": \"outage\", \"responsible_unit\": \"3701\"}]}";

static void define(pcrm_ctx *ctx, const char *file)
{
	char *def = read_source(file), *cal = read_source("data/calendars/cn-2026.json");
	pcrm_assert_ok(pcrm_workflow_define(ctx, &root_admin, def, cal, NULL));
	free(def);
	free(cal);
}

static void setup(pcrm_test_store *t)
{
	make_tree(t->ctx);
	add_customer(t->ctx, ZHANG, "37010201", "13800138000");
	add_customer(t->ctx, LI, "370102", "13900139000");
	add_customer(t->ctx, QINGDAO, "3702", "13700137000");
	define(t->ctx, "data/workflows/complaint.json");
	define(t->ctx, "data/workflows/report.json");
	define(t->ctx, "data/workflows/suggestion.json");
	pcrm_assert_ok(pcrm_complaint_config_set(t->ctx, &root_admin, config));
}

static int64_t count(pcrm_test_store *t, const char *sql)
{
	int64_t n = -1;
	pcrm_assert_ok(pcrm__store_query_int(t->ctx->store, sql, NULL, 0, &n));
	return n;
}

/* A call about the agent's attitude; `extra` adds fields (starting with ", "). */
static pcrm_complaint *file_ok(pcrm_ctx *ctx, const pcrm_actor *actor, const char *extra)
{
	char doc[1024];
	pcrm_complaint *c = NULL;
	snprintf(doc, sizeof(doc),
	         "{\"channel\": \"phone\", \"category\": \"service\", \"subcategory\": \"attitude\","
	         " \"nature\": \"complaint\", \"description\": \"营业厅人员态度差\"%s}",
	         extra);
	pcrm_assert_ok(pcrm_complaint_file(ctx, actor, doc, &c));
	return c;
}

PCRM_BACKEND_TEST(complaint, config_is_validated_and_nothing_stored_on_error)
{
	make_tree(t->ctx);
	pcrm_assert_fails(pcrm_complaint_config_set(t->ctx, &root_admin,
	                  "{\"default_unit\": \"3799\", \"subcategories\": {}, \"rules\": []}"),
	                  PCRM_EINVAL, "default_unit: unknown org unit \"3799\"");
	pcrm_assert_fails(pcrm_complaint_config_set(t->ctx, &root_admin,
	                  "{\"default_unit\": \"37\", \"subcategories\": {\"service\": [\"a\"]},"
	                  " \"rules\": [{\"category\": \"service\", \"responsible_unit\": \"3799\"}]}"),
	                  PCRM_EINVAL, "rules[0].responsible_unit: unknown org unit");
	pcrm_assert_fails(pcrm_complaint_config_set(t->ctx, &root_admin,
	                  "{\"default_unit\": \"37\", \"subcategories\": {\"service\": [\"a\"]},"
	                  " \"rules\": [{\"category\": \"billing\", \"responsible_unit\": \"37\"}]}"),
	                  PCRM_EINVAL, "rules[0].category: unknown category");
	pcrm_assert_fails(pcrm_complaint_config_set(t->ctx, &root_admin,
	                  "{\"default_unit\": \"37\", \"subcategories\": {\"service\": [\"a\"]},"
	                  " \"rules\": [{\"category\": \"service\", \"subcategory\": \"b\","
	                  " \"responsible_unit\": \"37\"}]}"),
	                  PCRM_EINVAL, "rules[0].subcategory: \"b\" is not a subcategory of service");
	pcrm_assert_fails(pcrm_complaint_config_set(t->ctx, &root_admin,
	                  "{\"default_unit\": \"37\", \"repeat_window_days\": 0,"
	                  " \"subcategories\": {}, \"rules\": []}"),
	                  PCRM_EINVAL, "repeat_window_days");
	pcrm_assert_fails(pcrm_complaint_config_set(t->ctx, &root_admin,
	                  "{\"default_unit\": \"37\", \"subcategories\": {}, \"rules\": [], \"x\": 1}"),
	                  PCRM_EINVAL, "unknown key \"x\"");
	pcrm_assert_fails(pcrm_complaint_config_set(t->ctx, &city_agent, config), PCRM_EPERM, "");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM complaint_config"), 0);
	/* without a configuration nothing can be filed */
	{
		pcrm_complaint *c = NULL;
		pcrm_assert_fails(pcrm_complaint_file(t->ctx, &city_agent,
		                  "{\"channel\": \"phone\", \"category\": \"service\", \"subcategory\":"
		                  " \"attitude\", \"nature\": \"complaint\", \"description\": \"x\","
		                  " \"customer_no\": \"" ZHANG "\"}", &c),
		                  PCRM_ESTATE, "complaint configuration");
		cr_assert_null(c);
	}
}

PCRM_BACKEND_TEST(complaint, filing_from_a_call_finds_the_customer_routes_and_links)
{
	pcrm_complaint *c, *again;
	pcrm_workorder *wo;
	pcrm_contact_list *contacts;

	setup(t);
	c = file_ok(t->ctx, &city_agent, ", \"caller_number\": \"+86 138 0013 8000\","
	                                 " \"recording_ref\": \"rec-0001\"");
	cr_assert_str_eq(pcrm_complaint_serial(c), "3701-20261123-00001");
	cr_assert_str_eq(pcrm_complaint_customer_no(c), ZHANG);
	/* the township lies in 370102, whose rule takes service/attitude */
	cr_assert_str_eq(pcrm_complaint_responsible_unit(c), "370102");
	cr_assert_eq(pcrm_complaint_routed_by_default(c), 0);
	cr_assert_null(pcrm_complaint_repeat_of(c));
	cr_assert_str_eq(pcrm_complaint_status(c), "open");
	cr_assert_eq(pcrm_complaint_accepted_at(c), t->now);

	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(c), &wo));
	cr_assert_str_eq(pcrm_workorder_workflow(wo), "complaint");
	cr_assert_str_eq(pcrm_workorder_state(wo), "accepted");
	cr_assert_str_eq(pcrm_workorder_org_unit(wo), "370102");
	cr_assert_str_eq(pcrm_workorder_business_key(wo), "3701-20261123-00001");
	cr_assert_str_eq(pcrm_workorder_customer_no(wo), ZHANG);
	pcrm_workorder_free(wo);

	pcrm_assert_ok(pcrm_contact_list_load(t->ctx, &city_agent, ZHANG, NULL, 0, &contacts));
	cr_assert_eq(pcrm_contact_list_count(contacts), 1);
	cr_assert_str_eq(pcrm_contact_work_order_id(pcrm_contact_list_at(contacts, 0)),
	                 pcrm_complaint_work_order_id(c));
	cr_assert_str_eq(pcrm_contact_caller_number(pcrm_contact_list_at(contacts, 0)),
	                 "13800138000");
	cr_assert(strstr(pcrm_complaint_json(c), pcrm_contact_id(pcrm_contact_list_at(contacts, 0))));
	pcrm_contact_list_free(contacts);

	pcrm_assert_ok(pcrm_complaint_get(t->ctx, &monitor, "3701-20261123-00001", &again));
	cr_assert_str_eq(pcrm_complaint_json(again), pcrm_complaint_json(c));
	pcrm_complaint_free(again);
	pcrm_complaint_free(c);

	/* same unit, same day: the next sequence number; an outage goes to 3701 by its rule */
	c = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" LI "\"");
	cr_assert_str_eq(pcrm_complaint_serial(c), "3701-20261123-00002");
	pcrm_complaint_free(c);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaint.file'"), 2);
}

PCRM_BACKEND_TEST(complaint, no_rule_matching_goes_to_the_default_unit_flagged)
{
	pcrm_complaint *c = NULL;
	setup(t);
	/* service/standards has no rule */
	pcrm_assert_ok(pcrm_complaint_file(t->ctx, &root_admin,
	               "{\"channel\": \"web\", \"category\": \"service\", \"subcategory\":"
	               " \"standards\", \"nature\": \"suggestion\", \"description\": \"建议延长营业时间\","
	               " \"customer_no\": \"" QINGDAO "\"}", &c));
	cr_assert_str_eq(pcrm_complaint_responsible_unit(c), "3701");
	cr_assert_eq(pcrm_complaint_routed_by_default(c), 1);
	cr_assert_str_eq(pcrm_complaint_serial(c), "37-20261123-00001");
	pcrm_complaint_free(c);
	/* the attitude rule is limited to 370102's subtree: a Qingdao customer is not in it */
	pcrm_assert_ok(pcrm_complaint_file(t->ctx, &root_admin,
	               "{\"channel\": \"phone\", \"category\": \"service\", \"subcategory\":"
	               " \"attitude\", \"nature\": \"complaint\", \"description\": \"态度\","
	               " \"customer_no\": \"" QINGDAO "\"}", &c));
	cr_assert_eq(pcrm_complaint_routed_by_default(c), 1);
	pcrm_complaint_free(c);
}

PCRM_BACKEND_TEST(complaint, repeat_detection_includes_the_window_edge)
{
	pcrm_complaint *first, *edge, *past, *other;
	char extra[256];
	setup(t);
	first = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" ZHANG "\","
	                                     " \"accepted_at\": \"2026-10-01T10:00:00+08:00\"");
	/* exactly 30 days later: still a repeat */
	edge = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" ZHANG "\","
	                                    " \"accepted_at\": \"2026-10-31T10:00:00+08:00\"");
	cr_assert_str_eq(pcrm_complaint_repeat_of(edge), pcrm_complaint_serial(first));
	/* another customer: 30 days and one second after their first is not */
	past = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" LI "\","
	                                    " \"accepted_at\": \"2026-10-01T10:00:00+08:00\"");
	cr_assert_null(pcrm_complaint_repeat_of(past));
	pcrm_complaint_free(past);
	past = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" LI "\","
	                                    " \"accepted_at\": \"2026-10-31T10:00:01+08:00\"");
	cr_assert_null(pcrm_complaint_repeat_of(past));
	/* same customer, another category: not a repeat */
	snprintf(extra, sizeof(extra), "{\"channel\": \"phone\", \"category\": \"outage\","
	         " \"subcategory\": \"planned\", \"nature\": \"complaint\", \"description\": \"停电\","
	         " \"customer_no\": \"%s\", \"accepted_at\": \"2026-10-31T11:00:00+08:00\"}", ZHANG);
	pcrm_assert_ok(pcrm_complaint_file(t->ctx, &city_agent, extra, &other));
	cr_assert_null(pcrm_complaint_repeat_of(other));
	/* serial numbers count per accepting unit and local day */
	cr_assert_str_eq(pcrm_complaint_serial(first), "3701-20261001-00001");
	cr_assert_str_eq(pcrm_complaint_serial(other), "3701-20261031-00003");
	pcrm_complaint_free(first);
	pcrm_complaint_free(edge);
	pcrm_complaint_free(past);
	pcrm_complaint_free(other);
}

static pcrm_ctx *open_with_key(pcrm_test_store *t)
{
	pcrm_ctx_options opts;
	pcrm_ctx *ctx = NULL;
	pcrm_test_options(t, &opts);
	pcrm_assert_ok(pcrm_ctx_open(&ctx, t->uri, &opts));
	return ctx;
}

PCRM_BACKEND_TEST(complaint, anonymous_tickets_seal_personal_data_and_repeat_by_caller)
{
	static const char anon[] =
		", \"caller_number\": \"0531-88886666\", \"target_person\": \"王某某\","
		" \"anonymous\": {\"name\": \"匿名张先生\", \"contact\": \"0531-88886666\"}";
	pcrm_ctx *keyed;
	static char file_uri[128];
	pcrm_complaint *a, *b, *plain, *c = NULL;
	char doc[1024];

	/* an in-memory SQLite store cannot be opened twice: this test needs a file */
	if (strcmp(t->uri, "sqlite::memory:") == 0) {
		snprintf(file_uri, sizeof(file_uri), "sqlite:/tmp/pcrm-complaint-%ld.db", (long)getpid());
		remove(file_uri + 7);
		pcrm_ctx_close(t->ctx);
		t->ctx = NULL;
		t->uri = file_uri;
		t->ctx = pcrm_test_open_again(t);
	}
	setup(t);
	/* a context without the data key cannot take personal data */
	snprintf(doc, sizeof(doc), "{\"channel\": \"phone\", \"category\": \"service\","
	         " \"subcategory\": \"attitude\", \"nature\": \"report\", \"description\": \"x\"%s}",
	         anon);
	{
		pcrm_ctx *bare = pcrm_test_open_keyless(t);
		pcrm_assert_fails(pcrm_complaint_file(bare, &city_agent, doc, &c), PCRM_EPERM,
		                  "anonymous");
		cr_assert(strstr(pcrm_error_last(), "张") == NULL);
		pcrm_ctx_close(bare);
	}
	/* no customer found for the caller and no anonymous caller: refused */
	pcrm_assert_fails(pcrm_complaint_file(t->ctx, &city_agent,
	                  "{\"channel\": \"phone\", \"category\": \"service\", \"subcategory\":"
	                  " \"attitude\", \"nature\": \"report\", \"description\": \"x\","
	                  " \"caller_number\": \"0531-88886666\"}", &c),
	                  PCRM_EINVAL, "anonymous: required");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM complaint"), 0);

	keyed = open_with_key(t);
	a = file_ok(keyed, &city_agent, anon);
	cr_assert_null(pcrm_complaint_customer_no(a));
	cr_assert(strstr(pcrm_complaint_json(a), "匿名张先生"), "%s", pcrm_complaint_json(a));
	cr_assert(strstr(pcrm_complaint_json(a), "王某某"));
	b = file_ok(keyed, &city_agent, anon);
	cr_assert_str_eq(pcrm_complaint_repeat_of(b), pcrm_complaint_serial(a));
	/* at rest and in the audit log the names are nowhere */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM complaint WHERE sealed LIKE '%匿名%' OR "
	                      "description LIKE '%匿名%' OR sealed IS NULL"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%匿名%' OR "
	                      "summary LIKE '%王某某%'"), 0);
	/* the caller number too (schema 24): a mask, a cipher and the hash the repeat check used */
	cr_assert(strstr(pcrm_complaint_json(a), "\"caller_number\":\"053188886666\""), "%s",
	          pcrm_complaint_json(a));
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM complaint WHERE caller_number LIKE '%88886666%'"
	                      " OR caller_hash IS NULL OR caller_cipher IS NULL"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM complaint WHERE caller_number = '053*****6666'"),
	             2);
	/* without the key the ticket reads, its personal part stays sealed */
	{
		pcrm_ctx *bare = pcrm_test_open_keyless(t);
		pcrm_assert_ok(pcrm_complaint_get(bare, &city_agent, pcrm_complaint_serial(a),
		                                  &plain));
		cr_assert(strstr(pcrm_complaint_json(plain), "\"sealed\":true"));
		cr_assert(strstr(pcrm_complaint_json(plain), "匿名") == NULL);
		cr_assert(strstr(pcrm_complaint_json(plain), "053*****6666"), "%s",
		          pcrm_complaint_json(plain));
		pcrm_complaint_free(plain);
		pcrm_ctx_close(bare);
	}
	/* a ticket filed before schema 24 (its number in clear) is still found, then resealed */
	{
		char sql[256];
		int64_t left = -1;
		pcrm_complaint *again;
		snprintf(sql, sizeof(sql),
		         "UPDATE complaint SET caller_number = '053188886666', caller_hash = NULL,"
		         " caller_cipher = NULL, repeat_of = NULL WHERE serial = '%s'",
		         pcrm_complaint_serial(b));
		pcrm_assert_ok(pcrm__store_exec(t->ctx->store, sql, NULL, 0, NULL));
		pcrm_assert_ok(pcrm__store_exec(t->ctx->store,
		                                "UPDATE complaint SET status = 'merged' WHERE serial = "
		                                "(SELECT MIN(serial) FROM complaint)", NULL, 0, NULL));
		again = file_ok(keyed, &city_agent, anon);
		cr_assert_str_eq(pcrm_complaint_repeat_of(again), pcrm_complaint_serial(b));
		pcrm_complaint_free(again);
		pcrm_assert_fails(pcrm_complaint_reseal(t->ctx, &city_agent, 0, &left), PCRM_EPERM, "");
		pcrm_assert_ok(pcrm_complaint_reseal(t->ctx, &root_admin, 0, &left));
		cr_assert_eq(left, 0);
		cr_assert_eq(count(t, "SELECT COUNT(*) FROM complaint WHERE caller_hash IS NULL OR "
		                      "caller_number LIKE '%88886666%'"), 0);
		pcrm_assert_ok(pcrm_complaint_get(keyed, &city_agent, pcrm_complaint_serial(b), &again));
		cr_assert(strstr(pcrm_complaint_json(again), "\"caller_number\":\"053188886666\""),
		          "%s", pcrm_complaint_json(again));
		pcrm_complaint_free(again);
		cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = "
		                      "'complaint.reseal'"), 1);
	}
	pcrm_complaint_free(a);
	pcrm_complaint_free(b);
	pcrm_ctx_close(keyed);
	if (t->uri == file_uri) {
		char side[160];
		pcrm_ctx_close(t->ctx); /* closed before its files go (run() closes NULL: a no-op) */
		t->ctx = NULL;
		remove(file_uri + 7);
		snprintf(side, sizeof(side), "%s-wal", file_uri + 7);
		remove(side);
		snprintf(side, sizeof(side), "%s-shm", file_uri + 7);
		remove(side);
	}
}

PCRM_BACKEND_TEST(complaint, bad_input_is_refused_naming_the_field_and_stores_nothing)
{
	static const struct {
		const char *doc, *needle;
	} bad[] = {
		{ "{\"channel\": \"phone\", \"category\": \"billing\", \"subcategory\": \"attitude\","
		  " \"nature\": \"complaint\", \"description\": \"x\", \"customer_no\": \"" ZHANG "\"}",
		  "category: unknown value" },
		{ "{\"channel\": \"phone\", \"category\": \"service\", \"subcategory\": \"billing\","
		  " \"nature\": \"complaint\", \"description\": \"x\", \"customer_no\": \"" ZHANG "\"}",
		  "subcategory: \"billing\" is not a subcategory of service" },
		{ "{\"channel\": \"pigeon\", \"category\": \"service\", \"subcategory\": \"attitude\","
		  " \"nature\": \"complaint\", \"description\": \"x\", \"customer_no\": \"" ZHANG "\"}",
		  "channel: unknown value" },
		{ "{\"channel\": \"phone\", \"category\": \"service\", \"subcategory\": \"attitude\","
		  " \"nature\": \"complaint\", \"customer_no\": \"" ZHANG "\"}",
		  "description" },
		{ "{\"channel\": \"phone\", \"category\": \"service\", \"subcategory\": \"attitude\","
		  " \"nature\": \"complaint\", \"description\": \"x\", \"customer_no\": \"" ZHANG "\","
		  " \"urgent\": true}",
		  "unknown key \"urgent\"" },
		{ "{\"channel\": \"phone\", \"category\": \"service\", \"subcategory\": \"attitude\","
		  " \"nature\": \"complaint\", \"description\": \"x\", \"customer_no\": \"" ZHANG "\","
		  " \"accepted_at\": \"yesterday\"}",
		  "accepted_at" },
	};
	pcrm_complaint *c = NULL;
	setup(t);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pcrm_assert_fails(pcrm_complaint_file(t->ctx, &city_agent, bad[i].doc, &c), PCRM_EINVAL,
		                  bad[i].needle);
		cr_assert_null(c);
	}
	/* a customer number nobody has is refused like another unit's customer (no oracle) */
	pcrm_assert_fails(pcrm_complaint_file(t->ctx, &city_agent,
	                                      "{\"channel\": \"phone\", \"category\": \"service\","
	                                      " \"subcategory\": \"attitude\", \"nature\": \"complaint\","
	                                      " \"description\": \"x\", \"customer_no\": \"9999\"}",
	                                      &c),
	                  PCRM_EPERM, "customer: unknown or outside");
	cr_assert_null(c);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM complaint"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM contact"), 0);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM complaint_serial"), 0);
}

PCRM_BACKEND_TEST(complaint, permissions_follow_the_org_subtree)
{
	pcrm_complaint *c, *other = NULL;
	setup(t);
	c = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" ZHANG "\"");
	/* Qingdao sees nothing of Jinan's tickets, and cannot file for a Jinan customer */
	pcrm_assert_fails(pcrm_complaint_get(t->ctx, &qd_agent, pcrm_complaint_serial(c), &other),
	                  PCRM_EPERM, "");
	pcrm_assert_fails(pcrm_complaint_file(t->ctx, &qd_agent,
	                  "{\"channel\": \"phone\", \"category\": \"service\", \"subcategory\":"
	                  " \"attitude\", \"nature\": \"complaint\", \"description\": \"x\","
	                  " \"customer_no\": \"" ZHANG "\"}", &other),
	                  PCRM_EPERM, "");
	/* a monitor reads but does not file or reply */
	pcrm_assert_ok(pcrm_complaint_get(t->ctx, &monitor, pcrm_complaint_serial(c), &other));
	pcrm_complaint_free(other);
	pcrm_assert_fails(pcrm_complaint_reply(t->ctx, &monitor, pcrm_complaint_serial(c),
	                  "{\"channel\": \"phone\", \"content\": \"x\", \"substantiated\": true}",
	                  NULL), PCRM_EPERM, "");
	pcrm_assert_fails(pcrm_complaint_merge(t->ctx, &qd_agent, pcrm_complaint_serial(c),
	                  pcrm_complaint_serial(c), NULL), PCRM_EPERM, "");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM complaint"), 1);
	cr_assert_geq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'permission.denied'"), 4);
	pcrm_complaint_free(c);
}

PCRM_BACKEND_TEST(complaint, merge_closes_the_duplicate_with_a_reference)
{
	pcrm_complaint *a, *b, *q, *merged;
	pcrm_workorder *wo;
	pcrm_workorder_history *h;
	setup(t);
	a = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" ZHANG "\"");
	b = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" ZHANG "\"");
	q = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" LI "\"");
	pcrm_assert_fails(pcrm_complaint_merge(t->ctx, &jn_lead, pcrm_complaint_serial(q),
	                  pcrm_complaint_serial(a), NULL), PCRM_EINVAL, "survivor: belongs to another customer");
	pcrm_assert_fails(pcrm_complaint_merge(t->ctx, &jn_lead, pcrm_complaint_serial(a),
	                  pcrm_complaint_serial(a), NULL), PCRM_EINVAL, "survivor: is the ticket itself");
	pcrm_assert_fails(pcrm_complaint_merge(t->ctx, &jn_lead, pcrm_complaint_serial(a),
	                  "3701-20261123-09999", NULL), PCRM_EPERM, "complaint: unknown or outside");
	/* a serial nobody has is refused like another unit's ticket (no oracle) */
	pcrm_assert_fails(pcrm_complaint_merge(t->ctx, &jn_lead, "3701-20261123-09999",
	                  pcrm_complaint_serial(a), NULL), PCRM_EPERM, "complaint: unknown or outside");
	cr_assert(strncmp(pcrm_error_last(), "survivor", 8) != 0, "%s", pcrm_error_last());
	pcrm_assert_ok(pcrm_complaint_merge(t->ctx, &jn_lead, pcrm_complaint_serial(b),
	                                    pcrm_complaint_serial(a), "同一事项重复来电"));
	pcrm_assert_ok(pcrm_complaint_get(t->ctx, &city_agent, pcrm_complaint_serial(b), &merged));
	cr_assert_str_eq(pcrm_complaint_status(merged), "merged");
	cr_assert_str_eq(pcrm_complaint_merged_into(merged), pcrm_complaint_serial(a));
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(b), &wo));
	cr_assert_str_eq(pcrm_workorder_status(wo), "closed");
	pcrm_workorder_free(wo);
	/* the history stays: open, the closing event and the link */
	pcrm_assert_ok(pcrm_workorder_history_load(t->ctx, &city_agent,
	                                           pcrm_complaint_work_order_id(b), &h));
	cr_assert_geq(pcrm_workorder_history_count(h), 3);
	pcrm_workorder_history_free(h);
	pcrm_assert_fails(pcrm_complaint_merge(t->ctx, &jn_lead, pcrm_complaint_serial(b),
	                  pcrm_complaint_serial(a), NULL), PCRM_EINVAL, "serial: already merged");
	pcrm_complaint_free(merged);
	pcrm_complaint_free(a);
	pcrm_complaint_free(b);
	pcrm_complaint_free(q);
}

/* Contact and handling opinion: the work order waits for the supervisor's review. */
static void to_review(pcrm_test_store *t, const pcrm_complaint *c)
{
	pcrm_workorder *wo;
	int v;
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(c), &wo));
	v = pcrm_workorder_version(wo);
	if (strcmp(pcrm_workorder_state(wo), "accepted") == 0)
		pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, pcrm_complaint_work_order_id(c),
		                                   v++, "contact", "{\"contact_note\": \"已联系\"}",
		                                   NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, pcrm_complaint_work_order_id(c), v,
	                                   "opinion", "{\"opinion\": \"拟致歉\"}", NULL, NULL));
	pcrm_workorder_free(wo);
}

static void to_reply(pcrm_test_store *t, const pcrm_complaint *c)
{
	to_review(t, c);
	/* the team lead approves the opinion before the reply goes out */
	pcrm_assert_ok(pcrm_complaint_review(t->ctx, &jn_lead, pcrm_complaint_serial(c),
	                                     "{\"decision\": \"approve\"}", NULL));
}

PCRM_BACKEND_TEST(complaint, reply_and_return_visit_dissatisfied_reopens)
{
	static const char reply[] =
		"{\"channel\": \"phone\", \"content\": \"已核实并致歉\", \"substantiated\": true,"
		" \"opinion\": \"接受\"}";
	pcrm_complaint *c, *r = NULL;
	pcrm_workorder *wo;
	setup(t);
	c = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" ZHANG "\"");
	/* still in acceptance: no reply yet */
	pcrm_assert_fails(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(c), reply,
	                  &r), PCRM_ESTATE, "state \"reply\"");
	to_reply(t, c);
	pcrm_assert_fails(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(c),
	                  "{\"channel\": \"phone\", \"content\": \"x\"}", &r),
	                  PCRM_EINVAL, "substantiated");
	pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(c), reply, &r));
	cr_assert_str_eq(pcrm_complaint_status(r), "replied");
	cr_assert(strstr(pcrm_complaint_json(r), "\"substantiated\":true"));
	pcrm_complaint_free(r);

	pcrm_assert_fails(pcrm_complaint_return_visit(t->ctx, &city_agent, pcrm_complaint_serial(c),
	                  "{\"result\": \"x\", \"satisfaction\": \"ok\"}", &r),
	                  PCRM_EINVAL, "satisfaction");
	pcrm_assert_ok(pcrm_complaint_return_visit(t->ctx, &city_agent, pcrm_complaint_serial(c),
	               "{\"result\": \"客户仍不满意\", \"satisfaction\": \"dissatisfied\"}", &r));
	cr_assert_str_eq(pcrm_complaint_status(r), "open");
	cr_assert(strstr(pcrm_complaint_json(r), "\"reopened\":1"));
	pcrm_complaint_free(r);
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(c), &wo));
	cr_assert_str_eq(pcrm_workorder_state(wo), "handling");
	pcrm_workorder_free(wo);

	to_reply(t, c);
	pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(c), reply, NULL));
	pcrm_assert_ok(pcrm_complaint_return_visit(t->ctx, &city_agent, pcrm_complaint_serial(c),
	               "{\"result\": \"满意\", \"satisfaction\": \"basically_satisfied\"}", &r));
	cr_assert_str_eq(pcrm_complaint_status(r), "closed");
	pcrm_complaint_free(r);
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(c), &wo));
	cr_assert_str_eq(pcrm_workorder_status(wo), "closed");
	pcrm_workorder_free(wo);
	pcrm_complaint_free(c);
}

static pcrm_time at(const char *text)
{
	pcrm_time v;
	pcrm_assert_ok(pcrm_time_parse(text, &v));
	return v;
}

static pcrm_complaint *file_at(pcrm_test_store *t, const char *customer, const char *category,
                               const char *subcategory, const char *when)
{
	char doc[512];
	pcrm_complaint *c = NULL;
	snprintf(doc, sizeof(doc), "{\"channel\": \"phone\", \"category\": \"%s\", \"subcategory\":"
	         " \"%s\", \"nature\": \"complaint\", \"description\": \"x\", \"customer_no\": \"%s\","
	         " \"accepted_at\": \"%s\"}", category, subcategory, customer, when);
	pcrm_assert_ok(pcrm_complaint_file(t->ctx, &city_agent, doc, &c));
	return c;
}

static void assert_rate(pcrm_decimal d, const char *expected)
{
	pcrm_assert_dec(d, expected);
}

/*
 * The hand-checked month (November 2026, local time):
 *   A  张 service/attitude  11-02 10:00 -> 370102; replied 11-23 09:00 substantiated; visit
 *      dissatisfied (handling again)
 *   B  张 service/attitude  11-05       -> 370102; repeat of A; never handled; overdue after tick
 *   C  李 outage/planned    11-10 10:00 -> 3701;   replied 11-23 09:00 not substantiated; visit
 *      basically satisfied
 *   E  李 outage/planned    11-11       -> 3701;   merged into C: not counted
 *   D  李 service/standards 10-31        -> 3701;   outside the period
 * Reply deadlines: 5 working days of cn-2026 (08:30-12:00, 13:30-17:30, 7.5 h a day) after
 * acceptance, at the same time of day.  Statistics read on Wed 11-25 09:00.
 *   A  due Mon 11-09 10:00, replied Mon 11-23 09:00: 11-09 6 h + 11-10..13 30 h
 *      + 11-16..20 37.5 h + 11-23 0.5 h = 74 h = 266400 s late
 *   B  due Thu 11-12 10:00, open at Wed 11-25 09:00: 6 + 7.5 + 37.5 + 7.5 + 7.5 + 0.5
 *      = 66.5 h = 239400 s
 *   C  due Tue 11-17 10:00, replied Mon 11-23 09:00: 6 + 22.5 + 0.5 = 29 h = 104400 s
 */
PCRM_BACKEND_TEST(complaint, statistics_of_a_hand_checked_month)
{
	pcrm_complaint *a, *b, *c, *d, *e;
	pcrm_complaint_stats *s = NULL;
	const pcrm_complaint_stat *r;
	pcrm_time from = at("2026-11-01T00:00:00+08:00"), to = at("2026-12-01T00:00:00+08:00");
	char *csv = NULL;
	int processed = 0;

	setup(t);
	a = file_at(t, ZHANG, "service", "attitude", "2026-11-02T10:00:00+08:00");
	b = file_at(t, ZHANG, "service", "attitude", "2026-11-05T10:00:00+08:00");
	c = file_at(t, LI, "outage", "planned", "2026-11-10T10:00:00+08:00");
	e = file_at(t, LI, "outage", "planned", "2026-11-11T10:00:00+08:00");
	d = file_at(t, LI, "service", "standards", "2026-10-31T10:00:00+08:00");
	pcrm_assert_ok(pcrm_complaint_merge(t->ctx, &jn_lead, pcrm_complaint_serial(e),
	                                    pcrm_complaint_serial(c), NULL));
	to_reply(t, a);
	pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(a),
	               "{\"channel\": \"phone\", \"content\": \"x\", \"substantiated\": true}", NULL));
	pcrm_assert_ok(pcrm_complaint_return_visit(t->ctx, &city_agent, pcrm_complaint_serial(a),
	               "{\"result\": \"x\", \"satisfaction\": \"dissatisfied\"}", NULL));
	to_reply(t, c);
	pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(c),
	               "{\"channel\": \"sms\", \"content\": \"x\", \"substantiated\": false}", NULL));
	pcrm_assert_ok(pcrm_complaint_return_visit(t->ctx, &city_agent, pcrm_complaint_serial(c),
	               "{\"result\": \"x\", \"satisfaction\": \"basically_satisfied\"}", NULL));
	/* two days on, B's one working day to make contact has passed */
	t->now += 2 * DAY;
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, t->now, &processed));

	pcrm_assert_ok(pcrm_complaint_stats_compute(t->ctx, &root_admin, NULL, from, to,
	                                            "responsible_unit", &s));
	cr_assert_eq(pcrm_complaint_stats_count(s), 2, "%s", pcrm_complaint_stats_json(s));
	r = pcrm_complaint_stats_at(s, 0);
	cr_assert_str_eq(r->key1, "3701");
	cr_assert_null(r->key2);
	cr_assert_eq(r->received, 1);
	cr_assert_eq(r->handled, 1);
	cr_assert_eq(r->overdue_open, 0);
	cr_assert_eq(r->substantiated, 0);
	cr_assert_eq(r->repeat, 0);
	cr_assert_eq(r->visited, 1);
	cr_assert_eq(r->satisfied, 1);
	assert_rate(r->reply_rate, "1.0000");
	assert_rate(r->return_visit_rate, "1.0000");
	assert_rate(r->satisfaction_rate, "1.0000");
	cr_assert_eq(r->avg_handling_seconds, 12 * DAY + 23 * HOUR);
	cr_assert_eq(r->overdue, 1);
	cr_assert_eq(r->overdue_seconds, 29 * HOUR);
	cr_assert_eq(r->avg_overdue_seconds, 29 * HOUR);
	r = pcrm_complaint_stats_at(s, 1);
	cr_assert_str_eq(r->key1, "370102");
	cr_assert_eq(r->received, 2);
	cr_assert_eq(r->handled, 1);
	cr_assert_eq(r->overdue_open, 1);
	cr_assert_eq(r->substantiated, 1);
	cr_assert_eq(r->repeat, 1);
	cr_assert_eq(r->visited, 1);
	cr_assert_eq(r->satisfied, 0);
	assert_rate(r->reply_rate, "0.5000");
	assert_rate(r->return_visit_rate, "1.0000");
	assert_rate(r->satisfaction_rate, "0.0000");
	cr_assert_eq(r->avg_handling_seconds, 20 * DAY + 23 * HOUR);
	cr_assert_eq(r->overdue, 2);
	cr_assert_eq(r->overdue_seconds, 74 * HOUR + 66 * HOUR + 30 * 60);
	cr_assert_eq(r->avg_overdue_seconds, (74 * HOUR + 66 * HOUR + 30 * 60) / 2);
	cr_assert_null(pcrm_complaint_stats_at(s, 2));
	cr_assert(strstr(pcrm_complaint_stats_json(s), "\"key1\":\"370102\",\"key2\":null,\"received\":2"),
	          "%s", pcrm_complaint_stats_json(s));
	pcrm_assert_ok(pcrm_complaint_stats_csv(s, &csv));
	cr_assert(strstr(csv, "\r\n3701,,1,1,0,0,0,1,1,1.0000,1.0000,1.0000,1119600,1,104400,104400\r\n"),
	          "%s", csv);
	pcrm_free(csv);
	pcrm_complaint_stats_free(s);

	/*
	 * A period on no day boundary: [11-05 10:00, 11-10 10:00:01) holds B and C only, read
	 * from the tickets at both edges and the summary in between; the same as the direct way.
	 */
	{
		pcrm_complaint_stats *direct = NULL;
		pcrm_time f2 = at("2026-11-05T10:00:00+08:00"), t2 = at("2026-11-10T10:00:01+08:00");
		pcrm_assert_ok(pcrm_complaint_stats_compute(t->ctx, &root_admin, NULL, f2, t2,
		                                            "responsible_unit", &s));
		pcrm_assert_ok(pcrm_complaint_stats_compute_direct(t->ctx, &root_admin, NULL, f2, t2,
		                                                   "responsible_unit", &direct));
		cr_assert_eq(pcrm_complaint_stats_count(s), 2, "%s", pcrm_complaint_stats_json(s));
		cr_assert_eq(pcrm_complaint_stats_at(s, 0)->received, 1);
		cr_assert_eq(pcrm_complaint_stats_at(s, 0)->overdue_seconds, 29 * HOUR);
		cr_assert_eq(pcrm_complaint_stats_at(s, 1)->received, 1);
		cr_assert_eq(pcrm_complaint_stats_at(s, 1)->overdue_open, 1);
		cr_assert_eq(pcrm_complaint_stats_at(s, 1)->overdue_seconds, 66 * HOUR + 30 * 60);
		cr_assert_str_eq(pcrm_complaint_stats_json(s), pcrm_complaint_stats_json(direct));
		pcrm_complaint_stats_free(direct);
		pcrm_complaint_stats_free(s);
	}

	/* two keys, and a scope: the county sees its own */
	pcrm_assert_ok(pcrm_complaint_stats_compute(t->ctx, &root_admin, NULL, from, to,
	                                            "category,nature", &s));
	cr_assert_eq(pcrm_complaint_stats_count(s), 2);
	cr_assert_str_eq(pcrm_complaint_stats_at(s, 0)->key1, "outage");
	cr_assert_str_eq(pcrm_complaint_stats_at(s, 0)->key2, "complaint");
	cr_assert_eq(pcrm_complaint_stats_at(s, 1)->received, 2);
	pcrm_complaint_stats_free(s);
	pcrm_assert_ok(pcrm_complaint_stats_compute(t->ctx, &city_agent, "370102", from, to,
	                                            "channel", &s));
	cr_assert_eq(pcrm_complaint_stats_count(s), 1);
	cr_assert_eq(pcrm_complaint_stats_at(s, 0)->received, 2);
	pcrm_complaint_stats_free(s);

	pcrm_assert_fails(pcrm_complaint_stats_compute(t->ctx, &root_admin, NULL, to, from,
	                  "category", &s), PCRM_EINVAL, "to: not after from");
	pcrm_assert_fails(pcrm_complaint_stats_compute(t->ctx, &root_admin, NULL, from, to,
	                  "category,weather", &s), PCRM_EINVAL, "group_by");
	pcrm_assert_fails(pcrm_complaint_stats_compute_direct(t->ctx, &root_admin, NULL, to, from,
	                  "category", &s), PCRM_EINVAL, "to: not after from");
	pcrm_assert_fails(pcrm_complaint_stats_compute_direct(t->ctx, &root_admin, NULL, from, to,
	                  "weather", &s), PCRM_EINVAL, "group_by");
	pcrm_assert_fails(pcrm_complaint_stats_compute(t->ctx, &qd_agent, "3701", from, to,
	                  "category", &s), PCRM_EPERM, "");
	cr_assert_null(s);
	pcrm_complaint_free(a);
	pcrm_complaint_free(b);
	pcrm_complaint_free(c);
	pcrm_complaint_free(d);
	pcrm_complaint_free(e);
}

/* The ticket's urgency is its work order's severity class: a major complaint's limits are shorter. */
PCRM_BACKEND_TEST(complaint, a_major_complaint_runs_on_the_shorter_limits)
{
	pcrm_complaint *normal, *major;
	pcrm_workorder *a, *b;

	setup(t); /* Monday 2026-11-23 9:00; cn-2026 works 8:30-12:00, 13:30-17:30 */
	normal = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" LI "\"");
	major = file_ok(t->ctx, &city_agent,
	                ", \"customer_no\": \"" ZHANG "\", \"urgency\": \"major\"");
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(normal),
	                                  &a));
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(major),
	                                  &b));
	cr_assert_str_eq(pcrm_workorder_sla_class(a), "normal");
	cr_assert_str_eq(pcrm_workorder_sla_class(b), "major");
	/* first contact: one working day, or four working hours */
	cr_assert_eq(pcrm_workorder_clock_due_at(a, "first_contact"), cst(2026, 11, 24, 9, 0));
	cr_assert_eq(pcrm_workorder_clock_due_at(b, "first_contact"), cst(2026, 11, 23, 14, 30));
	/* the handling opinion: five working days, or three */
	cr_assert_eq(pcrm_workorder_clock_due_at(a, "opinion"), cst(2026, 11, 30, 9, 0));
	cr_assert_eq(pcrm_workorder_clock_due_at(b, "opinion"), cst(2026, 11, 26, 9, 0));
	/* the state's limit, which escalates, follows the class too */
	cr_assert_eq(pcrm_workorder_due_at(b), cst(2026, 11, 23, 14, 30));
	pcrm_workorder_free(a);
	pcrm_workorder_free(b);
	pcrm_complaint_free(normal);
	pcrm_complaint_free(major);
}

/* Files, replies and closes a ticket satisfied; returns it. */
static pcrm_complaint *closed_ticket(pcrm_test_store *t)
{
	pcrm_complaint *c = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" ZHANG "\""), *r;
	to_reply(t, c);
	pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(c),
	               "{\"channel\": \"phone\", \"content\": \"已处理\", \"substantiated\": true}",
	               NULL));
	pcrm_assert_ok(pcrm_complaint_return_visit(t->ctx, &city_agent, pcrm_complaint_serial(c),
	               "{\"result\": \"满意\", \"satisfaction\": \"satisfied\"}", &r));
	cr_assert_str_eq(pcrm_complaint_status(r), "closed");
	pcrm_complaint_free(r);
	return c;
}

PCRM_BACKEND_TEST(complaint, reopen_within_30_days_continues_the_same_work_order)
{
	static const char reason[] = "{\"reason\": \"客户来电：问题仍未解决\"}";
	pcrm_complaint *c, *r = (pcrm_complaint *)1;
	pcrm_workorder *wo;
	pcrm_time closed;
	setup(t);
	c = closed_ticket(t);
	closed = t->now;
	/* the shipped processes allow 30 days after closing; the edge counts */
	t->now = closed + 30 * DAY + 1;
	pcrm_assert_fails(pcrm_complaint_reopen(t->ctx, &city_agent, pcrm_complaint_serial(c), reason,
	                                        &r),
	                  PCRM_ESTATE, "reopening period (30 days after closing) ended");
	cr_assert_null(r);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM complaint WHERE status = 'closed'"), 1);
	t->now = closed + 30 * DAY;
	pcrm_assert_fails(pcrm_complaint_reopen(t->ctx, &city_agent, pcrm_complaint_serial(c),
	                                        "{\"reason\": \"\"}", &r),
	                  PCRM_EINVAL, "reason");
	pcrm_assert_fails(pcrm_complaint_reopen(t->ctx, &qd_agent, pcrm_complaint_serial(c), reason,
	                                        &r),
	                  PCRM_EPERM, "");
	pcrm_assert_ok(pcrm_complaint_reopen(t->ctx, &city_agent, pcrm_complaint_serial(c), reason,
	                                     &r));
	cr_assert_str_eq(pcrm_complaint_status(r), "open");
	cr_assert(strstr(pcrm_complaint_json(r), "\"reopened\":1"), "%s", pcrm_complaint_json(r));
	cr_assert(strstr(pcrm_complaint_json(r), "closed_at") == NULL);
	cr_assert_str_eq(pcrm_complaint_work_order_id(r), pcrm_complaint_work_order_id(c));
	pcrm_complaint_free(r);
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(c), &wo));
	cr_assert_str_eq(pcrm_workorder_state(wo), "handling");
	cr_assert_str_eq(pcrm_workorder_status(wo), "open");
	pcrm_workorder_free(wo);
	/* an open ticket is not reopened again */
	pcrm_assert_fails(pcrm_complaint_reopen(t->ctx, &city_agent, pcrm_complaint_serial(c), reason,
	                                        NULL),
	                  PCRM_ESTATE, "not closed");
	/* handled again: opinion, reply, visit; closed a second time */
	to_reply(t, c);
	pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(c),
	               "{\"channel\": \"sms\", \"content\": \"已再次处理\", \"substantiated\": true}",
	               NULL));
	pcrm_assert_ok(pcrm_complaint_return_visit(t->ctx, &city_agent, pcrm_complaint_serial(c),
	               "{\"result\": \"满意\", \"satisfaction\": \"satisfied\"}", &r));
	cr_assert_str_eq(pcrm_complaint_status(r), "closed");
	pcrm_complaint_free(r);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaint.reopen'"), 1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%未解决%'"), 0);
	pcrm_complaint_free(c);
}

static void assert_json_has(const pcrm_complaint *c, const char *needle)
{
	cr_assert(strstr(pcrm_complaint_json(c), needle), "%s lacks %s", pcrm_complaint_json(c),
	          needle);
}

PCRM_BACKEND_TEST(complaint, failed_return_visits_close_the_ticket_after_n_attempts)
{
	static const char reply[] =
		"{\"channel\": \"phone\", \"content\": \"已处理\", \"substantiated\": false}";
	static const char failed[] = "{\"note\": \"电话无人接听\"}";
	char two[2048];
	pcrm_complaint *c, *r = (pcrm_complaint *)1;
	pcrm_workorder *wo;
	setup(t);
	/* the configuration's count: 1..10 */
	snprintf(two, sizeof(two), "%.*s, \"return_visit_attempts\": 11}", (int)strlen(config) - 1,
	         config);
	pcrm_assert_fails(pcrm_complaint_config_set(t->ctx, &root_admin, two), PCRM_EINVAL,
	                  "return_visit_attempts: 11 is outside 1..10");
	snprintf(two, sizeof(two), "%.*s, \"return_visit_attempts\": 2}", (int)strlen(config) - 1,
	         config);
	pcrm_assert_ok(pcrm_complaint_config_set(t->ctx, &root_admin, two));
	c = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" ZHANG "\"");
	/* no reply yet: no return visit */
	pcrm_assert_fails(pcrm_complaint_visit_failed(t->ctx, &city_agent, pcrm_complaint_serial(c),
	                                              failed, &r),
	                  PCRM_ESTATE, "state \"return_visit\"");
	cr_assert_null(r);
	to_reply(t, c);
	pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(c), reply,
	                                    NULL));
	pcrm_assert_fails(pcrm_complaint_visit_failed(t->ctx, &city_agent, pcrm_complaint_serial(c),
	                                              "{}", NULL),
	                  PCRM_EINVAL, "note");
	pcrm_assert_fails(pcrm_complaint_visit_failed(t->ctx, &qd_agent, pcrm_complaint_serial(c),
	                                              failed, NULL),
	                  PCRM_EPERM, "");

	/* one failed attempt, then a visit that reaches the customer, dissatisfied */
	pcrm_assert_ok(pcrm_complaint_visit_failed(t->ctx, &city_agent, pcrm_complaint_serial(c),
	                                           failed, &r));
	cr_assert_str_eq(pcrm_complaint_status(r), "replied");
	assert_json_has(r, "\"visit_attempts\":1");
	pcrm_complaint_free(r);
	pcrm_assert_ok(pcrm_complaint_return_visit(t->ctx, &city_agent, pcrm_complaint_serial(c),
	               "{\"result\": \"不满意\", \"satisfaction\": \"dissatisfied\"}", NULL));
	/* handled again and replied: the attempts of the new reply start from 0 */
	to_reply(t, c);
	pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(c), reply,
	                                    &r));
	assert_json_has(r, "\"visit_attempts\":0");
	pcrm_complaint_free(r);
	pcrm_assert_ok(pcrm_complaint_visit_failed(t->ctx, &city_agent, pcrm_complaint_serial(c),
	                                           failed, &r));
	cr_assert_str_eq(pcrm_complaint_status(r), "replied");
	pcrm_complaint_free(r);
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(c), &wo));
	cr_assert_str_eq(pcrm_workorder_state(wo), "return_visit");
	pcrm_workorder_free(wo);
	/* the second of 2 closes it unreached: closed, no satisfaction recorded for this round */
	pcrm_assert_ok(pcrm_complaint_visit_failed(t->ctx, &city_agent, pcrm_complaint_serial(c),
	                                           failed, &r));
	cr_assert_str_eq(pcrm_complaint_status(r), "closed");
	assert_json_has(r, "\"visit_attempts\":2");
	assert_json_has(r, "closed_at");
	pcrm_complaint_free(r);
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(c), &wo));
	cr_assert_str_eq(pcrm_workorder_status(wo), "closed");
	cr_assert(strstr(pcrm_workorder_data(wo), "\"visit_attempts\":2"), "%s",
	          pcrm_workorder_data(wo));
	pcrm_workorder_free(wo);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_history WHERE event = 'visit_failed'"),
	             2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_history WHERE event = 'unreachable'"),
	             1);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = "
	                      "'complaint.visit_failed'"),
	             3);
	pcrm_complaint_free(c);
}

PCRM_BACKEND_TEST(complaint, the_shipped_visit_refuses_satisfaction_off_the_scale)
{
	pcrm_complaint *c;
	pcrm_workorder *wo;
	setup(t);
	c = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" ZHANG "\"");
	to_reply(t, c);
	pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(c),
	               "{\"channel\": \"phone\", \"content\": \"已处理\", \"substantiated\": true}",
	               NULL));
	/* an integrator firing the work order's event directly meets the same scale */
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(c), &wo));
	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, &city_agent, pcrm_workorder_id(wo),
	                                      pcrm_workorder_version(wo), "visit",
	                                      "{\"satisfaction\": \"非常满意\"}", NULL, NULL),
	                  PCRM_EINVAL, "data.satisfaction: must be one of satisfied, "
	                               "basically_satisfied");
	pcrm_assert_fails(pcrm_workorder_fire(t->ctx, &city_agent, pcrm_workorder_id(wo),
	                                      pcrm_workorder_version(wo), "dissatisfied",
	                                      "{\"reason\": \"x\", \"satisfaction\": \"satisfied\"}",
	                                      NULL, NULL),
	                  PCRM_EINVAL, "must be one of dissatisfied");
	pcrm_workorder_free(wo);
	pcrm_complaint_free(c);
}

PCRM_BACKEND_TEST(complaint, closing_the_outage_replies_and_closes_every_attached_ticket)
{
	static const char reply[] =
		"{\"channel\": \"sms\", \"content\": \"台区故障已于今日抢修完毕，已恢复供电\","
		" \"substantiated\": true}";
	pcrm_complaint *a, *b, *other, *r;
	pcrm_workorder *m;
	char master[PCRM_WORKORDER_ID_LEN + 1];
	int replied = -1;
	setup(t);
	define(t->ctx, "data/workflows/fault-repair-urban.json");
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &city_agent, "fault_repair_urban", "TA-3701-9",
	                                   NULL, "3701", NULL, &m));
	snprintf(master, sizeof(master), "%s", pcrm_workorder_id(m));
	pcrm_workorder_free(m);
	a = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" ZHANG "\"");
	b = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" LI "\"");
	other = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" ZHANG "\"");
	/* b was already answered on its own */
	to_reply(t, b);
	pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(b),
	               "{\"channel\": \"phone\", \"content\": \"正在抢修\", \"substantiated\": true}",
	               NULL));
	pcrm_assert_ok(pcrm_workorder_attach(t->ctx, &city_agent, pcrm_complaint_work_order_id(a),
	                                     master));
	pcrm_assert_ok(pcrm_workorder_attach(t->ctx, &city_agent, pcrm_complaint_work_order_id(b),
	                                     master));
	/* an event that does not close the master changes nothing */
	pcrm_assert_fails(pcrm_complaint_close_with_master(t->ctx, &city_agent, master, 1, "dispatch",
	                                                   "{\"crew\": \"抢修一班\"}", reply,
	                                                   &replied),
	                  PCRM_ESTATE, "does not close the master");
	pcrm_assert_fails(pcrm_complaint_close_with_master(t->ctx, &city_agent, master, 1,
	                                                   "duplicate", "{\"duplicate_of\": \"x\"}",
	                                                   "{\"channel\": \"sms\"}", &replied),
	                  PCRM_EINVAL, "content");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM complaint WHERE status = 'closed'"), 0);
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, master, &m));
	cr_assert_eq(pcrm_workorder_version(m), 1);
	pcrm_workorder_free(m);

	pcrm_assert_ok(pcrm_complaint_close_with_master(t->ctx, &city_agent, master, 1, "duplicate",
	                                                "{\"duplicate_of\": \"TA-3701-8\"}", reply,
	                                                &replied));
	cr_assert_eq(replied, 1);
	pcrm_assert_ok(pcrm_complaint_get(t->ctx, &city_agent, pcrm_complaint_serial(a), &r));
	cr_assert_str_eq(pcrm_complaint_status(r), "closed");
	cr_assert(strstr(pcrm_complaint_json(r), "已恢复供电"), "%s", pcrm_complaint_json(r));
	pcrm_complaint_free(r);
	pcrm_assert_ok(pcrm_complaint_get(t->ctx, &city_agent, pcrm_complaint_serial(b), &r));
	cr_assert_str_eq(pcrm_complaint_status(r), "closed");
	cr_assert(strstr(pcrm_complaint_json(r), "正在抢修"), "%s", pcrm_complaint_json(r));
	pcrm_complaint_free(r);
	pcrm_assert_ok(pcrm_complaint_get(t->ctx, &city_agent, pcrm_complaint_serial(other), &r));
	cr_assert_str_eq(pcrm_complaint_status(r), "open");
	pcrm_complaint_free(r);
	/* their work orders closed with the master */
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(a), &m));
	cr_assert_str_eq(pcrm_workorder_status(m), "closed");
	pcrm_workorder_free(m);
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(b), &m));
	cr_assert_str_eq(pcrm_workorder_status(m), "closed");
	pcrm_workorder_free(m);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = "
	                      "'complaint.close_with_master'"),
	             2);
	pcrm_complaint_free(a);
	pcrm_complaint_free(b);
	pcrm_complaint_free(other);
}

/* The summary table's rows that hold tickets, as one text, to compare two states of it. */
static char *summary_text(pcrm_test_store *t)
{
	pcrm_rows *rows = NULL;
	size_t len = 0, cap = 1;
	char *out = calloc(1, 1);
	int rc;
	pcrm_assert_ok(pcrm__store_query(t->ctx->store,
	               "SELECT responsible_unit, day, category, nature, channel, org_unit, received, "
	               "handled, substantiated, repeats, visited, satisfied, handling_seconds, late, "
	               "late_seconds FROM complaint_day WHERE received <> 0 ORDER BY responsible_unit, "
	               "day, category, nature, channel, org_unit", NULL, 0, &rows));
	while ((rc = pcrm__rows_next(rows)) == 1) {
		char line[512];
		int n = snprintf(line, sizeof(line), "%s %lld %s %s %s %s", pcrm__rows_text(rows, 0),
		                 (long long)pcrm__rows_int(rows, 1), pcrm__rows_text(rows, 2),
		                 pcrm__rows_text(rows, 3), pcrm__rows_text(rows, 4),
		                 pcrm__rows_text(rows, 5));
		for (int c = 6; c < 15; c++)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %lld",
			              (long long)pcrm__rows_int(rows, c));
		n += snprintf(line + n, sizeof(line) - (size_t)n, "\n");
		while (len + (size_t)n + 1 > cap) {
			cap *= 2;
			out = realloc(out, cap);
		}
		memcpy(out + len, line, (size_t)n + 1);
		len += (size_t)n;
	}
	cr_assert_eq(rc, 0);
	pcrm__rows_free(rows);
	return out;
}

static void assert_summary_equals_direct(pcrm_test_store *t, pcrm_time from, pcrm_time to,
                                         const char *group_by)
{
	pcrm_complaint_stats *s = NULL, *d = NULL;
	pcrm_assert_ok(pcrm_complaint_stats_compute(t->ctx, &root_admin, NULL, from, to, group_by,
	                                            &s));
	pcrm_assert_ok(pcrm_complaint_stats_compute_direct(t->ctx, &root_admin, NULL, from, to,
	                                                   group_by, &d));
	cr_assert_str_eq(pcrm_complaint_stats_json(s), pcrm_complaint_stats_json(d),
	                 "[%lld, %lld) by %s", (long long)from, (long long)to, group_by);
	pcrm_complaint_stats_free(s);
	pcrm_complaint_stats_free(d);
}

/*
 * A randomised history (fixed seed, so a failure repeats): tickets of three
 * customers over six weeks, replied to early or late,
 * visited satisfied or not (and so reopened and replied to again), some
 * merged, some overdue after a tick.  Statistics from the summary equal the
 * direct computation for aligned and unaligned periods and every grouping,
 * and the summary kept by the transactions equals a rebuilt one.
 */
PCRM_BACKEND_TEST(complaint, summary_statistics_equal_direct_ones_on_random_tickets)
{
	static const char *const cats[][2] = { { "service", "attitude" }, { "service", "standards" },
		                               { "business", "billing" },  { "outage", "planned" },
		                               { "supply_quality", "voltage" },
		                               { "grid_construction", "line_route" } };
	static const char *const channels[] = { "phone", "web", "wechat", "counter" };
	static const char *const natures[] = { "complaint", "report", "opinion", "suggestion" };
	static const char *const groupings[] = { "responsible_unit", "category", "nature", "channel",
		                                 "org_unit", "responsible_unit,category",
		                                 "channel,nature", "org_unit,category" };
	enum { TICKETS = 48 };
	char serials[TICKETS][32], customers[TICKETS][16];
	pcrm_time base = at("2026-10-26T00:00:00+08:00"), accepted[TICKETS];
	unsigned seed = 20261207;
	int processed = 0, merged = 0;
	char *incremental, *rebuilt;

	setup(t);
	add_customer(t->ctx, "3701000003", "37010201", "13600136000");
	t->now = at("2026-12-08T09:00:00+08:00");
	for (int i = 0; i < TICKETS; i++) {
		char doc[1024], when[64];
		pcrm_complaint *c = NULL;
		int k = rand_r(&seed) % 6, who = rand_r(&seed) % 3;
		accepted[i] = base + rand_r(&seed) % (40 * DAY);
		pcrm_assert_ok(pcrm_time_format(accepted[i], 8 * HOUR, when, sizeof(when)));
		snprintf(customers[i], sizeof(customers[i]), "%s",
		         who == 0 ? ZHANG : who == 1 ? LI : "3701000003");
		snprintf(doc, sizeof(doc), "{\"channel\": \"%s\", \"category\": \"%s\", \"subcategory\":"
		         " \"%s\", \"nature\": \"%s\", \"description\": \"x\", \"accepted_at\": \"%s\","
		         " \"customer_no\": \"%s\"}",
		         channels[rand_r(&seed) % 4], cats[k][0], cats[k][1], natures[rand_r(&seed) % 4],
		         when, customers[i]);
		pcrm_assert_ok(pcrm_complaint_file(t->ctx, &city_agent, doc, &c));
		snprintf(serials[i], sizeof(serials[i]), "%s", pcrm_complaint_serial(c));
		pcrm_complaint_free(c);
	}
	/* a few duplicates merged into an earlier ticket of the same customer */
	for (int i = 1; i < TICKETS && merged < 4; i++)
		for (int j = 0; j < i; j++)
			if (customers[i][0] && strcmp(customers[i], customers[j]) == 0 &&
			    rand_r(&seed) % 4 == 0) {
				pcrm_assert_ok(pcrm_complaint_merge(t->ctx, &jn_lead, serials[i], serials[j],
				                                    NULL));
				customers[i][0] = '\0'; /* handled no further */
				merged++;
				break;
			}
	cr_assert_gt(merged, 0);
	/* replies at random later moments, some visits, some reopened and replied to again */
	for (int i = 0; i < TICKETS; i++) {
		pcrm_complaint *c = NULL;
		if (!customers[i][0] || rand_r(&seed) % 4 == 0)
			continue;
		pcrm_assert_ok(pcrm_complaint_get(t->ctx, &root_admin, serials[i], &c));
		t->now = accepted[i] + rand_r(&seed) % (15 * DAY);
		to_reply(t, c);
		pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, serials[i],
		               rand_r(&seed) % 2 ? "{\"channel\": \"phone\", \"content\": \"x\","
		                                   " \"substantiated\": true}" :
		                                   "{\"channel\": \"sms\", \"content\": \"x\","
		                                   " \"substantiated\": false}", NULL));
		if (rand_r(&seed) % 3 != 0) {
			int unhappy = rand_r(&seed) % 3 == 0;
			t->now += rand_r(&seed) % DAY;
			pcrm_assert_ok(pcrm_complaint_return_visit(t->ctx, &city_agent, serials[i],
			               unhappy ? "{\"result\": \"x\", \"satisfaction\": \"dissatisfied\"}" :
			                         "{\"result\": \"x\", \"satisfaction\": \"satisfied\"}", NULL));
			if (unhappy && rand_r(&seed) % 2) {
				t->now += rand_r(&seed) % (3 * DAY);
				to_reply(t, c);
				pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, serials[i],
				               "{\"channel\": \"web\", \"content\": \"y\","
				               " \"substantiated\": false}", NULL));
			}
		}
		pcrm_complaint_free(c);
	}
	t->now = at("2026-12-20T15:00:00+08:00");
	pcrm_assert_ok(pcrm_workorder_tick(t->ctx, &system_actor, t->now, &processed));
	cr_assert_gt(processed, 0);

	for (size_t g = 0; g < sizeof(groupings) / sizeof(groupings[0]); g++) {
		/* the local month, the whole range, and a random unaligned span */
		pcrm_time f = base + rand_r(&seed) % (20 * DAY), to = f + 1 + rand_r(&seed) % (20 * DAY);
		assert_summary_equals_direct(t, at("2026-11-01T00:00:00+08:00"),
		                             at("2026-12-01T00:00:00+08:00"), groupings[g]);
		assert_summary_equals_direct(t, base - DAY, base + 50 * DAY, groupings[g]);
		assert_summary_equals_direct(t, f, to, groupings[g]);
		/* days of another offset (UTC) */
		assert_summary_equals_direct(t, at("2026-11-01T00:00:00Z"), at("2026-11-20T00:00:00Z"),
		                             groupings[g]);
	}
	incremental = summary_text(t);
	cr_assert_gt(strlen(incremental), 0);
	pcrm_assert_fails(pcrm_complaint_stats_rebuild(t->ctx, &city_agent, "37"), PCRM_EPERM, "");
	pcrm_assert_ok(pcrm_complaint_stats_rebuild(t->ctx, &root_admin, NULL));
	rebuilt = summary_text(t);
	cr_assert_str_eq(rebuilt, incremental);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaint.stats_rebuild'"),
	             1);
	/* a summary emptied behind the library's back is what the rebuild repairs */
	pcrm_assert_ok(pcrm__store_exec(t->ctx->store, "DELETE FROM complaint_day", NULL, 0, NULL));
	pcrm_assert_ok(pcrm_complaint_stats_rebuild(t->ctx, &root_admin, NULL));
	free(rebuilt);
	rebuilt = summary_text(t);
	cr_assert_str_eq(rebuilt, incremental);
	assert_summary_equals_direct(t, base, base + 45 * DAY, "responsible_unit,channel");
	free(incremental);
	free(rebuilt);
}

static const char *wo_state(pcrm_test_store *t, const pcrm_complaint *c, char *buf, size_t n)
{
	pcrm_workorder *wo;
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(c), &wo));
	snprintf(buf, n, "%s", pcrm_workorder_state(wo));
	pcrm_workorder_free(wo);
	return buf;
}

/* Whether the work order's named clock has stopped (its record has "stop"). */
static int clock_stopped(const pcrm_workorder *wo, const char *clock)
{
	json_t *doc = json_loads(pcrm_workorder_json(wo), 0, NULL);
	int stopped;
	cr_assert_not_null(doc);
	stopped = json_object_get(json_object_get(json_object_get(doc, "clocks"), clock),
	                          "stop") != NULL;
	json_decref(doc);
	return stopped;
}

static const pcrm_complaint_stat *only_group(pcrm_complaint_stats *s)
{
	cr_assert_eq(pcrm_complaint_stats_count(s), 1);
	return pcrm_complaint_stats_at(s, 0);
}

PCRM_BACKEND_TEST(complaint, the_supervisor_reviews_the_opinion_before_the_reply)
{
	static const char reply[] =
		"{\"channel\": \"sms\", \"content\": \"已核实并致歉\", \"substantiated\": true}";
	pcrm_complaint *c, *r = NULL;
	pcrm_complaint_stats *s;
	pcrm_workorder *wo;
	char state[32];
	pcrm_time from;
	setup(t);
	from = t->now;
	c = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" ZHANG "\"");
	/* before the opinion there is nothing to review */
	pcrm_assert_fails(pcrm_complaint_review(t->ctx, &jn_lead, pcrm_complaint_serial(c),
	                  "{\"decision\": \"approve\"}", NULL), PCRM_ESTATE, "state \"review\"");
	to_review(t, c);
	cr_assert_str_eq(wo_state(t, c, state, sizeof(state)), "review");
	/* no reply goes out unreviewed */
	pcrm_assert_fails(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(c), reply,
	                  NULL), PCRM_ESTATE, "state \"reply\"");
	/* bad decisions are refused by name, nothing changes */
	pcrm_assert_fails(pcrm_complaint_review(t->ctx, &jn_lead, pcrm_complaint_serial(c),
	                  "{\"decision\": \"maybe\"}", NULL), PCRM_EINVAL, "decision");
	pcrm_assert_fails(pcrm_complaint_review(t->ctx, &jn_lead, pcrm_complaint_serial(c),
	                  "{\"decision\": \"return\"}", NULL), PCRM_EINVAL, "reason");
	pcrm_assert_fails(pcrm_complaint_review(t->ctx, &jn_lead, pcrm_complaint_serial(c),
	                  "{\"decision\": \"approve\", \"by\": \"x\"}", NULL), PCRM_EINVAL, "by");
	/* the agent who handled it cannot approve it: the guard needs a team lead (level 2) */
	pcrm_assert_fails(pcrm_complaint_review(t->ctx, &city_agent, pcrm_complaint_serial(c),
	                  "{\"decision\": \"approve\"}", NULL), PCRM_EPERM, "");
	/* nor can another unit's lead see it */
	pcrm_assert_fails(pcrm_complaint_review(t->ctx, &qd_agent, pcrm_complaint_serial(c),
	                  "{\"decision\": \"approve\"}", NULL), PCRM_EPERM, "");
	cr_assert_str_eq(wo_state(t, c, state, sizeof(state)), "review");
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaint.review'"), 0);

	/* returned (退单): back to handling with the reason, counted */
	pcrm_assert_ok(pcrm_complaint_review(t->ctx, &jn_lead, pcrm_complaint_serial(c),
	               "{\"decision\": \"return\", \"reason\": \"未核实录音\"}", &r));
	cr_assert(strstr(pcrm_complaint_json(r), "\"review_returns\":1"), "%s",
	          pcrm_complaint_json(r));
	cr_assert_str_eq(pcrm_complaint_status(r), "open");
	pcrm_complaint_free(r);
	cr_assert_str_eq(wo_state(t, c, state, sizeof(state)), "handling");
	/* a ticket in review or returned is not handled */
	pcrm_assert_ok(pcrm_complaint_stats_compute(t->ctx, &root_admin, NULL, from, t->now + 1,
	                                            "category", &s));
	cr_assert_eq(only_group(s)->received, 1);
	cr_assert_eq(only_group(s)->handled, 0);
	pcrm_complaint_stats_free(s);

	/* a second opinion, approved: the reply may go out and completes the reply clock */
	to_review(t, c);
	pcrm_assert_ok(pcrm_complaint_review(t->ctx, &jn_lead, pcrm_complaint_serial(c),
	               "{\"decision\": \"approve\"}", &r));
	cr_assert(strstr(pcrm_complaint_json(r), "\"review_returns\":1"));
	pcrm_complaint_free(r);
	cr_assert_str_eq(wo_state(t, c, state, sizeof(state)), "reply");
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(c), &wo));
	/* the reply clock runs from the (first) opinion and has not stopped */
	cr_assert_gt(pcrm_workorder_clock_started_at(wo, "reply"), 0);
	cr_assert_not(clock_stopped(wo, "reply"), "%s", pcrm_workorder_json(wo));
	cr_assert(clock_stopped(wo, "opinion"), "%s", pcrm_workorder_json(wo));
	pcrm_workorder_free(wo);
	t->now += 600;
	pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(c), reply, &r));
	cr_assert_str_eq(pcrm_complaint_status(r), "replied");
	cr_assert(strstr(pcrm_complaint_json(r), "\"reply_channel\":\"sms\""));
	pcrm_complaint_free(r);
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(c), &wo));
	cr_assert_str_eq(pcrm_workorder_state(wo), "return_visit");
	/* the reply stopped the reply clock: its record has the elapsed time */
	cr_assert(clock_stopped(wo, "reply"), "%s", pcrm_workorder_json(wo));
	pcrm_workorder_free(wo);
	pcrm_assert_ok(pcrm_complaint_stats_compute(t->ctx, &root_admin, NULL, from, t->now + 1,
	                                            "category", &s));
	cr_assert_eq(only_group(s)->handled, 1);
	assert_rate(only_group(s)->reply_rate, "1.0000");
	pcrm_complaint_stats_free(s);
	/* both reviews audited, the reason left out (it may name people) */
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaint.review'"), 2);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%未核实录音%'"), 0);
	pcrm_complaint_free(c);
}

PCRM_BACKEND_TEST(complaint, merge_works_past_acceptance_and_keeps_history)
{
	pcrm_complaint *a, *b, *d, *merged;
	pcrm_complaint_stats *s;
	pcrm_workorder *wo;
	pcrm_workorder_history *h;
	size_t n_before;
	pcrm_time from;
	setup(t);
	from = t->now;
	a = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" ZHANG "\"");
	b = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" ZHANG "\"");
	d = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" ZHANG "\"");
	/* b is already in review, with its opinion given */
	to_review(t, b);
	pcrm_assert_ok(pcrm_workorder_history_load(t->ctx, &city_agent,
	                                           pcrm_complaint_work_order_id(b), &h));
	n_before = pcrm_workorder_history_count(h);
	pcrm_workorder_history_free(h);
	/* an agent may not close it this way: the guard needs level 2 */
	pcrm_assert_fails(pcrm_complaint_merge(t->ctx, &city_agent, pcrm_complaint_serial(b),
	                  pcrm_complaint_serial(a), NULL), PCRM_EPERM, "");
	pcrm_assert_ok(pcrm_complaint_merge(t->ctx, &jn_lead, pcrm_complaint_serial(b),
	                                    pcrm_complaint_serial(a), "同一事项重复来电"));
	pcrm_assert_ok(pcrm_complaint_get(t->ctx, &city_agent, pcrm_complaint_serial(b), &merged));
	cr_assert_str_eq(pcrm_complaint_status(merged), "merged");
	cr_assert_str_eq(pcrm_complaint_merged_into(merged), pcrm_complaint_serial(a));
	pcrm_complaint_free(merged);
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &city_agent, pcrm_complaint_work_order_id(b), &wo));
	cr_assert_str_eq(pcrm_workorder_status(wo), "closed");
	pcrm_workorder_free(wo);
	/* its history stays and gains the merge */
	pcrm_assert_ok(pcrm_workorder_history_load(t->ctx, &city_agent,
	                                           pcrm_complaint_work_order_id(b), &h));
	cr_assert_gt(pcrm_workorder_history_count(h), n_before);
	/* the first new entry is the "merged" transition (the link follows it) */
	cr_assert(strstr(pcrm_workorder_history_at(h, n_before), "\"merged\""), "%s",
	          pcrm_workorder_history_at(h, n_before));
	pcrm_workorder_history_free(h);
	cr_assert_eq(count(t, "SELECT COUNT(*) FROM work_order_link WHERE relation = "
	                      "'duplicate_of'"), 1);

	/* a ticket already replied to (return visit pending) merges too */
	to_reply(t, d);
	pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(d),
	               "{\"channel\": \"phone\", \"content\": \"x\", \"substantiated\": false}",
	               NULL));
	pcrm_assert_ok(pcrm_complaint_merge(t->ctx, &jn_lead, pcrm_complaint_serial(d),
	                                    pcrm_complaint_serial(a), NULL));
	/* the survivor alone counts; the merged ones are left out of every statistic */
	pcrm_assert_ok(pcrm_complaint_stats_compute(t->ctx, &root_admin, NULL, from, t->now + 1,
	                                            "category", &s));
	cr_assert_eq(only_group(s)->received, 1);
	cr_assert_eq(only_group(s)->handled, 0);
	pcrm_complaint_stats_free(s);

	/* a closed ticket is not merged: it was handled in full */
	to_reply(t, a);
	pcrm_assert_ok(pcrm_complaint_reply(t->ctx, &city_agent, pcrm_complaint_serial(a),
	               "{\"channel\": \"phone\", \"content\": \"x\", \"substantiated\": false}",
	               NULL));
	pcrm_assert_ok(pcrm_complaint_return_visit(t->ctx, &city_agent, pcrm_complaint_serial(a),
	               "{\"result\": \"满意\", \"satisfaction\": \"satisfied\"}", NULL));
	{
		pcrm_complaint *e = file_ok(t->ctx, &city_agent, ", \"customer_no\": \"" ZHANG "\"");
		pcrm_assert_fails(pcrm_complaint_merge(t->ctx, &jn_lead, pcrm_complaint_serial(a),
		                  pcrm_complaint_serial(e), NULL), PCRM_ESTATE, "closed");
		pcrm_complaint_free(e);
	}
	pcrm_assert_ok(pcrm_complaint_get(t->ctx, &city_agent, pcrm_complaint_serial(a), &merged));
	cr_assert_str_eq(pcrm_complaint_status(merged), "closed");
	pcrm_complaint_free(merged);
	pcrm_complaint_free(a);
	pcrm_complaint_free(b);
	pcrm_complaint_free(d);
}
