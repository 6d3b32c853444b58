/*
 * The IVR's work-order progress answer on both stores, on the shipped
 * definitions: none, one repair in words with what comes next, several
 * (newest first, at most three spoken), a closed order and one handled
 * outside the actor's subtree not counted; scope, a missing permission and
 * bad input record nothing.
 */
#include "ivr_fixtures.h"

#include "../workflow/wf_fixtures.h"

static void define_shipped(pcrm_test_store *t, const char *file)
{
	char rel[128], *doc, *cal = cn2026();

	snprintf(rel, sizeof(rel), "data/workflows/%s.json", file);
	doc = read_source(rel);
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, doc, cal, NULL));
	free(doc);
	free(cal);
}

static void setup(pcrm_test_store *t)
{
	ivr_setup(t);
	define_shipped(t, "fault-repair-urban");
	define_shipped(t, "new-connection-lv-residential");
}

/* Opens a work order for C1 a minute after the previous one; its id into `id`. */
static void open_for_c1(pcrm_test_store *t, const char *wf, const char *key, const char *org,
                        char id[PCRM_WORKORDER_ID_LEN + 1])
{
	pcrm_workorder *wo;

	t->now += 60;
	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &root_admin, wf, key, "C1", org, NULL, &wo));
	snprintf(id, PCRM_WORKORDER_ID_LEN + 1, "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
}

static void fire(pcrm_test_store *t, const char *id, const char *event, const char *data)
{
	pcrm_workorder *wo, *now;

	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &root_admin, id, &wo));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &root_admin, id, pcrm_workorder_version(wo), event,
	                                   data, NULL, &now));
	pcrm_workorder_free(wo);
	pcrm_workorder_free(now);
}

PCRM_BACKEND_TEST(ivr_workorders, none_one_several_in_words)
{
	char repair[PCRM_WORKORDER_ID_LEN + 1], conn[PCRM_WORKORDER_ID_LEN + 1],
	     other[PCRM_WORKORDER_ID_LEN + 1];
	pcrm_ivr_workorders_answer a;

	setup(t);
	pcrm_assert_ok(pcrm_ivr_answer_workorders(t->ctx, &city_agent, "C1", &a));
	cr_assert_eq(a.open, 0);
	cr_assert_eq(a.listed, 0);
	cr_assert_str_eq(a.text, "您目前没有正在办理的业务。");
	ivr_expect_recorded(t, "C1", a.text);

	open_for_c1(t, "fault_repair_urban", "R1", "3701", repair);
	fire(t, repair, "dispatch", "{\"crew\": \"抢修一班\"}");
	/* handled by Qingdao: outside the Jinan agent's subtree, never counted for it */
	open_for_c1(t, "fault_repair_urban", "R2", "3702", other);
	t->now += 60;
	pcrm_assert_ok(pcrm_ivr_answer_workorders(t->ctx, &city_agent, "C1", &a));
	cr_assert_eq(a.open, 1);
	cr_assert_eq(a.listed, 1);
	cr_assert_str_eq(a.items[0].id, repair);
	cr_assert_eq(a.items[0].kind, PCRM_IVR_WO_REPAIR);
	cr_assert_str_eq(a.items[0].state, "dispatched");
	cr_assert_str_eq(a.items[0].next_state, "on_site");
	cr_assert_gt(a.items[0].due_at, 0, "the dispatch limit runs");
	cr_assert_str_eq(a.text, "您有一张正在办理的故障报修（城区）工单，当前进度：已派工，"
	                         "下一步：到达现场，抢修中。");
	ivr_expect_recorded(t, "C1", a.text);

	open_for_c1(t, "new_connection_lv_residential", "N1", "3701", conn);
	t->now += 60;
	pcrm_assert_ok(pcrm_ivr_answer_workorders(t->ctx, &city_agent, "C1", &a));
	cr_assert_eq(a.open, 2);
	cr_assert_str_eq(a.items[0].id, conn, "newest first");
	cr_assert_eq(a.items[0].kind, PCRM_IVR_WO_NEW_CONNECTION);
	cr_assert_str_eq(a.items[1].id, repair);
	cr_assert_str_eq(a.text, "您有两张正在办理的工单。第一张，低压居民新装工单，当前进度：受理申请，"
	                         "下一步：现场勘查。第二张，故障报修（城区）工单，当前进度：已派工，"
	                         "下一步：到达现场，抢修中。");

	/* four open: three spoken, the rest counted */
	open_for_c1(t, "fault_repair_urban", "R3", "3701", other);
	open_for_c1(t, "fault_repair_urban", "R4", "370102", other);
	t->now += 60;
	pcrm_assert_ok(pcrm_ivr_answer_workorders(t->ctx, &city_agent, "C1", &a));
	cr_assert_eq(a.open, 4);
	cr_assert_eq(a.listed, 3);
	cr_assert_str_eq(a.items[0].id, other);
	cr_assert_str_eq(a.items[2].id, conn);
	cr_assert(strstr(a.text, "您有四张正在办理的工单。第一张，故障报修（城区）工单，当前进度：报修受理，"
	                         "下一步：已派工。") == a.text, "%s", a.text);
	cr_assert(strstr(a.text, "其余一张请咨询人工客服。") != NULL, "%s", a.text);
	cr_assert(strstr(a.text, "第四张") == NULL);

	/* closed ones are not open: the repair restored and visited */
	fire(t, repair, "arrive", NULL);
	fire(t, repair, "restore", "{\"cause\": \"树障\"}");
	fire(t, repair, "visit", "{\"satisfaction\": \"satisfied\"}");
	t->now += 60;
	pcrm_assert_ok(pcrm_ivr_answer_workorders(t->ctx, &city_agent, "C1", &a));
	cr_assert_eq(a.open, 3);
	cr_assert(strstr(a.text, "您有三张正在办理的工单。") == a.text, "%s", a.text);
	cr_assert(strstr(a.text, "已派工，下一步") == NULL, "the closed repair is gone: %s", a.text);
	ivr_expect_recorded(t, "C1", a.text);
	cr_assert_eq(ivr_contacts(t), 5);
}

PCRM_BACKEND_TEST(ivr_workorders, scope_permission_and_bad_input_record_nothing)
{
	pcrm_ivr_workorders_answer a;

	setup(t);
	memset(&a, 0x5a, sizeof(a));
	pcrm_assert_fails(pcrm_ivr_answer_workorders(t->ctx, &city_agent, "C2", &a), PCRM_EPERM,
	                  "customer");
	pcrm_assert_fails(pcrm_ivr_answer_workorders(t->ctx, &city_agent, "C9", &a), PCRM_EPERM,
	                  "customer");
	pcrm_assert_fails(pcrm_ivr_answer_workorders(t->ctx, &monitor, "C1", &a), PCRM_EPERM,
	                  "contact");
	pcrm_assert_fails(pcrm_ivr_answer_workorders(t->ctx, &city_agent, "", &a), PCRM_EINVAL,
	                  "customer_no");
	pcrm_assert_fails(pcrm_ivr_answer_workorders(t->ctx, &city_agent, "C1", NULL), PCRM_EINVAL,
	                  "out");
	cr_assert_eq(a.open, 0x5a5a5a5a, "the answer is untouched on failure");
	cr_assert_eq(ivr_contacts(t), 0);
}
