/*
 * Master and child work orders on both stores: the callers' orders close
 * with the outage's, attach refusals (own master, a cycle, a process that
 * cannot close with a master, twice, closed master, permission), detach,
 * the list of children.
 */
#include "wf_fixtures.h"

#include "core/ctx.h"
#include "store/store.h"

static const char *const outage_def =
	"{\"name\": \"outage\", \"states\": ["
	"  {\"name\": \"open\", \"initial\": true}, {\"name\": \"restored\", \"final\": true}],"
	" \"transitions\": [{\"event\": \"restore\", \"from\": \"open\", \"to\": \"restored\"}]}";

static const char *const call_def =
	"{\"name\": \"call\", \"close_with_master\": {\"event\": \"master_closed\"},"
	" \"states\": ["
	"  {\"name\": \"new\", \"initial\": true, \"limit\": {\"hours\": 1}}, {\"name\": \"work\"},"
	"  {\"name\": \"done\", \"final\": true}],"
	" \"transitions\": ["
	"  {\"event\": \"start\", \"from\": \"new\", \"to\": \"work\"},"
	"  {\"event\": \"finish\", \"from\": \"work\", \"to\": \"done\"},"
	"  {\"event\": \"master_closed\", \"from\": \"new\", \"to\": \"done\","
	"   \"guard\": {\"require\": [\"master_id\"]}},"
	"  {\"event\": \"master_closed\", \"from\": \"work\", \"to\": \"done\","
	"   \"guard\": {\"require\": [\"master_id\"]}}]}";

static void setup(pcrm_test_store *t)
{
	make_tree(t->ctx);
	define_test(t->ctx);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, outage_def, NULL, NULL));
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, call_def, NULL, NULL));
}

static void open_order(pcrm_test_store *t, const char *wf, const char *key, const char *org,
                       char *id)
{
	pcrm_workorder *wo;
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, wf, key, NULL, org, NULL, &wo));
	snprintf(id, PCRM_WORKORDER_ID_LEN + 1, "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
}

static pcrm_workorder *get(pcrm_test_store *t, const char *id)
{
	pcrm_workorder *wo;
	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &root_admin, id, &wo));
	return wo;
}

static void assert_last_entry(pcrm_test_store *t, const char *id, const char *needle)
{
	pcrm_workorder_history *h;
	const char *e;
	pcrm_assert_ok(pcrm_workorder_history_load(t->ctx, &root_admin, id, &h));
	e = pcrm_workorder_history_at(h, pcrm_workorder_history_count(h) - 1);
	cr_assert(strstr(e, needle) != NULL, "last entry %s lacks %s", e, needle);
	pcrm_workorder_history_free(h);
}

static void assert_closed_with(pcrm_test_store *t, const char *id, const char *master)
{
	pcrm_workorder *wo = get(t, id), *replayed;
	char note[96];
	cr_assert_str_eq(pcrm_workorder_status(wo), "closed");
	cr_assert_str_eq(pcrm_workorder_state(wo), "done");
	cr_assert(!pcrm_workorder_is_suspended(wo));
	cr_assert_eq(pcrm_workorder_due_at(wo), 0);
	cr_assert(strstr(pcrm_workorder_data(wo), master), "%s", pcrm_workorder_data(wo));
	pcrm_assert_ok(pcrm_workorder_replay(t->ctx, &root_admin, id, &replayed));
	cr_assert_str_eq(pcrm_workorder_json(wo), pcrm_workorder_json(replayed));
	pcrm_workorder_free(replayed);
	pcrm_workorder_free(wo);
	snprintf(note, sizeof(note), "closed with master %s", master);
	assert_last_entry(t, id, "\"event\":\"master_closed\"");
	assert_last_entry(t, id, note);
}

PCRM_BACKEND_TEST(master, closing_the_master_closes_every_open_child_and_grandchild)
{
	char m[40], c1[40], c2[40], c3[40], c4[40], g[40];
	pcrm_workorder_list *l;
	pcrm_workorder *wo;
	setup(t);
	open_order(t, "outage", "TA-0001", "3701", m);
	open_order(t, "call", "C1", "3701", c1);
	open_order(t, "call", "C2", "370102", c2);
	open_order(t, "call", "C3", "3701", c3);
	open_order(t, "call", "C4", "3701", c4);
	open_order(t, "call", "G1", "3701", g);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, c2, 1, "start", NULL, NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_suspend(t->ctx, &city_admin, c3, 1, NULL, NULL));
	for (const char *const *c = (const char *const[]){ c1, c2, c3, c4, NULL }; *c; c++)
		pcrm_assert_ok(pcrm_workorder_attach(t->ctx, &city_agent, *c, m));
	pcrm_assert_ok(pcrm_workorder_attach(t->ctx, &city_agent, g, c1)); /* a grandchild */
	assert_last_entry(t, c1, "\"kind\":\"attached\"");
	assert_last_entry(t, m, "\"kind\":\"attached\"");
	/* attaching changes no version */
	wo = get(t, c1);
	cr_assert_eq(pcrm_workorder_version(wo), 1);
	pcrm_workorder_free(wo);
	pcrm_assert_ok(pcrm_workorder_children(t->ctx, &city_agent, m, NULL, 0, &l));
	cr_assert_eq(pcrm_workorder_list_count(l), 4);
	pcrm_workorder_list_free(l);
	/* a county agent may not read the city's master, nor its children */
	pcrm_assert_fails(pcrm_workorder_children(t->ctx, &county_agent, m, NULL, 0, &l), PCRM_EPERM,
	                  "");
	/* one child finished on its own before the outage ended */
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, c4, 1, "start", NULL, NULL, NULL));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, c4, 2, "finish", NULL, NULL, NULL));

	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, m, 1, "restore", NULL, NULL, &wo));
	cr_assert_str_eq(pcrm_workorder_status(wo), "closed");
	pcrm_workorder_free(wo);
	assert_closed_with(t, c1, m);
	assert_closed_with(t, c2, m);
	assert_closed_with(t, c3, m);
	assert_closed_with(t, g, c1);
	assert_last_entry(t, c4, "\"event\":\"finish\"");
	pcrm_assert_ok(pcrm_workorder_children(t->ctx, &city_agent, m, NULL, 2, &l));
	cr_assert_eq(pcrm_workorder_list_count(l), 2);
	cr_assert_not_null(pcrm_workorder_list_next_cursor(l));
	pcrm_workorder_list_free(l);
}

PCRM_BACKEND_TEST(master, attach_refusals_and_detach)
{
	char m[40], a[40], b[40], plain[40], closed[40];
	pcrm_workorder_list *l;
	setup(t);
	open_order(t, "outage", "TA-0002", "3701", m);
	open_order(t, "call", "A", "3701", a);
	open_order(t, "call", "B", "3701", b);
	open_order(t, "test", "P", "3701", plain);
	open_order(t, "outage", "TA-0003", "3701", closed);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, closed, 1, "restore", NULL, NULL,
	                                   NULL));
	pcrm_assert_fails(pcrm_workorder_attach(t->ctx, &city_agent, a, a), PCRM_EINVAL,
	                  "its own master");
	pcrm_assert_fails(pcrm_workorder_attach(t->ctx, &city_agent, a, "nope"), PCRM_EINVAL,
	                  "master_id: not a work-order id");
	pcrm_assert_fails(pcrm_workorder_attach(t->ctx, &city_agent, plain, m), PCRM_EINVAL,
	                  "workflow test cannot close with a master");
	pcrm_assert_fails(pcrm_workorder_attach(t->ctx, &city_agent, a, closed), PCRM_ESTATE,
	                  "is closed");
	pcrm_assert_fails(pcrm_workorder_attach(t->ctx, &county_agent, a, m), PCRM_EPERM, "");
	pcrm_assert_fails(pcrm_workorder_link(t->ctx, &city_agent, a, m, "child_of"), PCRM_EINVAL,
	                  "reserved");
	/* a below b below m; attaching b under a would be a cycle */
	pcrm_assert_ok(pcrm_workorder_attach(t->ctx, &city_agent, b, m));
	pcrm_assert_ok(pcrm_workorder_attach(t->ctx, &city_agent, a, b));
	pcrm_assert_fails(pcrm_workorder_attach(t->ctx, &city_agent, a, m), PCRM_EDUPLICATE,
	                  "already attached");
	pcrm_assert_ok(pcrm_workorder_detach(t->ctx, &city_agent, b, m));
	pcrm_assert_fails(pcrm_workorder_attach(t->ctx, &city_agent, b, a), PCRM_EINVAL, "cycle");
	pcrm_assert_fails(pcrm_workorder_detach(t->ctx, &city_agent, b, m), PCRM_ENOTFOUND,
	                  "not attached");
	assert_last_entry(t, b, "\"kind\":\"detach\"");
	/* detached, b stays open when m closes */
	pcrm_assert_ok(pcrm_workorder_children(t->ctx, &city_agent, m, NULL, 0, &l));
	cr_assert_eq(pcrm_workorder_list_count(l), 0);
	pcrm_workorder_list_free(l);
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, m, 1, "restore", NULL, NULL, NULL));
	{
		pcrm_workorder *wo = get(t, b);
		cr_assert_str_eq(pcrm_workorder_status(wo), "open");
		pcrm_workorder_free(wo);
	}
}

Test(master_definition, close_with_master_must_close_from_every_state)
{
	static const char doc[] =
		"{\"name\": \"x\", \"close_with_master\": {\"event\": \"mc\"},"
		" \"states\": [{\"name\": \"a\", \"initial\": true}, {\"name\": \"b\"},"
		"  {\"name\": \"z\", \"final\": true}],"
		" \"transitions\": [{\"event\": \"go\", \"from\": \"a\", \"to\": \"b\"},"
		"  {\"event\": \"mc\", \"from\": \"a\", \"to\": \"z\"},"
		"  {\"event\": \"mc\", \"from\": \"b\", \"to\": \"a\"}]}";
	pcrm_assert_fails(pcrm_workflow_check(doc, NULL), PCRM_EINVAL,
	                  "close_with_master.event: \"mc\" must lead from state \"b\" to a final "
	                  "state");
	pcrm_assert_fails(pcrm_workflow_check("{\"name\": \"x\", \"close_with_master\": {\"e\": 1},"
	                                      " \"states\": [{\"name\": \"a\", \"initial\": true},"
	                                      " {\"name\": \"z\", \"final\": true}],"
	                                      " \"transitions\": [{\"event\": \"go\", \"from\": "
	                                      "\"a\", \"to\": \"z\"}]}",
	                                      NULL),
	                  PCRM_EINVAL, "close_with_master: unknown field \"e\"");
}
