/*
 * IVR hand-off: mapping rules as data (matching, defaults, validation with
 * JSON paths), the customer lookup (priority from the VIP level, the
 * account manager as preferred agent), and the archive-backed lookup on
 * both stores.
 */
#include "tel_fixture.h"
#include "backend.h"
#include "fixtures.h"

static void queued_with(struct tel_fix *f, const char *call, const char *caller,
                        const char *dialled, const char *digits, const char *service)
{
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = PCRM_TEL_EV_OFFERED;
	ev.call_id = call;
	ev.device_id = "rp";
	ev.caller_number = caller;
	ev.dialled_number = dialled;
	ev.at = f->clock.now;
	OK(pcrm_tel_event_feed(f->tel, &ev, NULL));
	if (digits || service) {
		pcrm_tel_event d = PCRM_TEL_EVENT_INIT;
		d.type = PCRM_TEL_EV_DIGITS_COLLECTED;
		d.call_id = call;
		d.digits = digits;
		d.service = service;
		d.at = f->clock.now;
		OK(pcrm_tel_event_feed(f->tel, &d, NULL));
	}
	FEED(f, PCRM_TEL_EV_QUEUED, call, "rp");
}

static pcrm_acd_call_info acd_call(struct tel_fix *f, const char *call)
{
	pcrm_acd_call_info ci = PCRM_ACD_CALL_INFO_INIT;
	OK(pcrm_acd_call_get(f->acd, call, &ci));
	return ci;
}

Test(ivr, rules_map_numbers_to_queue_and_skills)
{
	struct tel_fix f;
	fix_open(&f);
	queued_with(&f, "c1", "13800000001", "95598", NULL, "billing");
	cr_assert_str_eq(acd_call(&f, "c1").queue_id, "billing");
	queued_with(&f, "c2", "13800000002", "95598", "21", NULL);
	pcrm_acd_call_info ci = acd_call(&f, "c2");
	cr_assert_str_eq(ci.queue_id, "repair");
	cr_assert_eq(ci.min_level, 3);
	cr_assert_eq(ci.priority, 1);
	/* the minnan requirement: a3 (minnan 6) takes it, a1 (no minnan, no repair) never would */
	agent_on(&f, "a3", "2003", 1);
	cr_assert_str_eq(last_req(&f.sw), "route c2 2003 a3");
	/* no rule: the default queue */
	queued_with(&f, "c3", "13800000003", "12345", NULL, NULL);
	cr_assert_str_eq(acd_call(&f, "c3").queue_id, "general");
	/* the numbers restated by the queued event count */
	pcrm_tel_event ev = PCRM_TEL_EVENT_INIT;
	ev.type = PCRM_TEL_EV_OFFERED;
	ev.call_id = "c4";
	ev.at = f.clock.now;
	OK(pcrm_tel_event_feed(f.tel, &ev, NULL));
	ev.type = PCRM_TEL_EV_QUEUED;
	ev.device_id = "rp";
	ev.dialled_number = "95598";
	ev.service = "billing";
	OK(pcrm_tel_event_feed(f.tel, &ev, NULL));
	cr_assert_str_eq(acd_call(&f, "c4").queue_id, "billing");
	fix_close(&f);
}

Test(ivr, caller_prefix_and_first_match_wins)
{
	struct tel_fix f;
	fix_open(&f);
	OK(pcrm_tel_set_ivr_rules(f.tel,
		"{\"rules\":[{\"caller_prefix\":\"0591\",\"queue\":\"repair\"},"
		"{\"dialled_prefix\":\"9559\",\"queue\":\"billing\"},"
		"{\"dialled\":\"95598\",\"queue\":\"general\"}]}"));
	queued_with(&f, "c1", "059112345678", "95598", NULL, NULL);
	cr_assert_str_eq(acd_call(&f, "c1").queue_id, "repair");
	queued_with(&f, "c2", "13800000002", "95598", NULL, NULL);
	cr_assert_str_eq(acd_call(&f, "c2").queue_id, "billing");
	fix_close(&f);
}

Test(ivr, bad_documents_name_the_path_and_keep_the_old_rules)
{
	struct tel_fix f;
	fix_open(&f);
	FAILS(pcrm_tel_set_ivr_rules(f.tel, "{\"rules\":[{\"service\":\"x\",\"queue\":\"nope\"}]}"),
	      PCRM_EINVAL, "rules[0].queue: \"nope\" is not a queue");
	FAILS(pcrm_tel_set_ivr_rules(f.tel, "{\"rules\":[{\"queue\":\"billing\"}]}"), PCRM_EINVAL,
	      "rules[0]: no condition");
	FAILS(pcrm_tel_set_ivr_rules(f.tel, "{\"rules\":[{\"service\":\"x\",\"queue\":\"billing\",\"colour\":1}]}"),
	      PCRM_EINVAL, "unknown key \"colour\"");
	FAILS(pcrm_tel_set_ivr_rules(f.tel, "{\"rules\":[{\"service\":\"x\",\"queue\":\"billing\",\"min_level\":11}]}"),
	      PCRM_EINVAL, "rules[0].min_level: 11 is not 1..10");
	FAILS(pcrm_tel_set_ivr_rules(f.tel,
		"{\"rules\":[{\"service\":\"x\",\"queue\":\"billing\",\"skills\":[{\"level\":2}]}]}"),
	      PCRM_EINVAL, "rules[0].skills[0].skill: missing");
	FAILS(pcrm_tel_set_ivr_rules(f.tel, "{\"rules\":[],\"vip_priority\":[1,2]}"), PCRM_EINVAL,
	      "vip_priority: 2 entries");
	FAILS(pcrm_tel_set_ivr_rules(f.tel, "{\"rules\":[],\"preferred_wait_s\":-1}"), PCRM_EINVAL,
	      "preferred_wait_s: -1 is not 0..3600");
	FAILS(pcrm_tel_set_ivr_rules(f.tel, "{\"rules\":[],\"default_queue\":\"zz\"}"), PCRM_EINVAL,
	      "default_queue: \"zz\" is not a queue");
	FAILS(pcrm_tel_set_ivr_rules(f.tel, "{\"rules\":"), PCRM_EINVAL, "IVR rules: line 1");
	FAILS(pcrm_tel_set_ivr_rules(f.tel, "{}"), PCRM_EINVAL, "rules: missing");
	/* the fixture's rules still apply */
	queued_with(&f, "c1", "13800000001", "95598", NULL, "billing");
	cr_assert_str_eq(acd_call(&f, "c1").queue_id, "billing");
	fix_close(&f);
}

struct fake_archive {
	int calls;
	int fail;
};

static int fake_lookup(void *ud, const char *caller, pcrm_tel_customer *out)
{
	struct fake_archive *a = ud;
	a->calls++;
	if (a->fail)
		return PCRM_ESTORE;
	if (strcmp(caller, "13800000009") == 0) {
		strcpy(out->customer_no, "3701000009");
		out->vip_level = 4;
		strcpy(out->account_manager, "a2");
		return PCRM_OK;
	}
	if (strcmp(caller, "13800000008") == 0) {
		strcpy(out->customer_no, "3701000008");
		out->vip_level = 1;
		strcpy(out->account_manager, "stranger"); /* not an agent of this ACD */
		return PCRM_OK;
	}
	return PCRM_ENOTFOUND;
}

Test(ivr, customer_lookup_gives_priority_and_preferred_agent)
{
	struct tel_fix f;
	fix_open(&f);
	OK(pcrm_tel_set_ivr_rules(f.tel,
		"{\"rules\":[{\"service\":\"billing\",\"queue\":\"billing\",\"priority\":2}],"
		"\"vip_priority\":[0,1,2,4,6,8],\"preferred_wait_s\":45}"));
	struct fake_archive arch = { 0, 0 };
	OK(pcrm_tel_set_customer_lookup(f.tel, fake_lookup, &arch));
	agent_on(&f, "a1", "2001", 1);
	agent_on(&f, "a2", "2002", 0);
	queued_with(&f, "c1", "13800000009", "95598", NULL, "billing");
	pcrm_acd_call_info ci = acd_call(&f, "c1");
	cr_assert_eq(ci.priority, 6); /* VIP 4 -> 6, above the rule's 2 */
	/* waits for a2 (its account manager), not offered to the ready a1 */
	cr_assert_eq(ci.state, PCRM_ACD_CALL_WAITING);
	cr_assert_eq(acd_state(&f, "a1"), PCRM_ACD_READY);
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	OK(pcrm_tel_call_get(f.tel, "c1", &info));
	cr_assert_str_eq(info.customer_no, "3701000009");
	FEED(&f, PCRM_TEL_EV_AGENT_READY, NULL, "2002");
	cr_assert_str_eq(last_req(&f.sw), "route c1 2002 a2");
	/* an account manager the ACD does not know is no preferred agent; unknown callers have none */
	queued_with(&f, "c2", "13800000008", "95598", NULL, "billing");
	ci = acd_call(&f, "c2");
	cr_assert_eq(ci.priority, 2);
	cr_assert_str_eq(last_req(&f.sw), "route c2 2001 a1");
	queued_with(&f, "c3", "13800000007", "95598", NULL, "billing");
	cr_assert_eq(acd_call(&f, "c3").priority, 2);
	cr_assert_eq(arch.calls, 3);
	/* a failing lookup queues the call without a customer and is counted */
	arch.fail = 1;
	queued_with(&f, "c4", "13800000009", "95598", NULL, "billing");
	cr_assert_eq(acd_call(&f, "c4").priority, 2);
	pcrm_tel_stats st = PCRM_TEL_STATS_INIT;
	OK(pcrm_tel_stats_get(f.tel, &st));
	cr_assert_eq(st.lookup_errors, 1);
	fix_close(&f);
}

static const char *const vip_customer =
	"{\"customer_no\": \"3701000077\", \"kind\": \"person\", \"name\": \"李四\","
	" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"3701\","
	" \"vip_level\": 3, \"account_manager\": \"a2\","
	" \"phones\": {\"mobile\": \"13900139000\"}}";

PCRM_BACKEND_TEST(ivr_archive, screen_pop_feeds_the_call)
{
	make_tree(t->ctx);
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &city_clerk, vip_customer, NULL));
	struct tel_fix f;
	fix_open(&f);
	pcrm_tel_archive arch = { t->ctx, &city_agent };
	OK(pcrm_tel_set_customer_lookup(f.tel, pcrm_tel_archive_lookup, &arch));
	queued_with(&f, "c1", "13900139000", "95598", NULL, "billing");
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	OK(pcrm_tel_call_get(f.tel, "c1", &info));
	cr_assert_str_eq(info.customer_no, "3701000077");
	pcrm_acd_call_info ci = acd_call(&f, "c1");
	cr_assert_eq(ci.priority, 3); /* default vip_priority: the VIP level */
	pcrm_tel_customer c;
	cr_assert_eq(pcrm_tel_archive_lookup(&arch, "13700000000", &c), PCRM_ENOTFOUND);
	cr_assert_eq(pcrm_tel_archive_lookup(NULL, "13700000000", &c), PCRM_EINVAL);
	OK(pcrm_tel_archive_lookup(&arch, "13900139000", &c));
	cr_assert_str_eq(c.account_manager, "a2");
	cr_assert_eq(c.vip_level, 3);
	fix_close(&f);
}
