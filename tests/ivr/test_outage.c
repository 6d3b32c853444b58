/*
 * The outage list, the outage answer, self-service fault reports and smart
 * menus on both stores: a planned outage ahead and a fault going on in the
 * caller's transformer area, told with their times; a revised estimate; an
 * outage over when ended or when its master work order closes; a fault
 * report attached to the area's master order (and closing with it), a
 * second report getting the same order; the menu order from the caller's
 * record; permission denials and bad input changing nothing.
 */
#include "ivr_fixtures.h"

#include "../workflow/wf_fixtures.h"

#define MIN 60

static const char *const outage_def =
	"{\"name\": \"outage\", \"title\": \"停电抢修主单\", \"states\": ["
	"  {\"name\": \"open\", \"initial\": true, \"title\": \"抢修中\"},"
	"  {\"name\": \"restored\", \"final\": true, \"title\": \"已恢复\"}],"
	" \"transitions\": [{\"event\": \"restore\", \"from\": \"open\", \"to\": \"restored\"}]}";

/* 2026-11-23T09:00:00+08:00, the test clock's start */
static const pcrm_time start = 1795395600;

/* C5 lives in area TQ-001 (Jinan), C6 in TQ-002; C1 and C2 have no area. */
static void setup(pcrm_test_store *t)
{
	char *doc, *cal = cn2026();

	ivr_setup(t);
	cr_assert_eq(t->now, start, "the clock starts at 09:00 Beijing time");
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &root_admin,
		"{\"customer_no\": \"C5\", \"kind\": \"person\", \"name\": \"居民5\","
		" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"3701\","
		" \"transformer_area\": \"TQ-001\"}", NULL));
	pcrm_assert_ok(pcrm_account_create(t->ctx, &root_admin, "C5",
		"{\"account_no\": \"A5\", \"name\": \"电费\", \"payment_method\": \"cash\"}", NULL));
	pcrm_assert_ok(pcrm_customer_create(t->ctx, &root_admin,
		"{\"customer_no\": \"C6\", \"kind\": \"person\", \"name\": \"居民6\","
		" \"usage_class\": \"residential\", \"voltage_level\": \"220V\", \"org_unit\": \"3701\","
		" \"transformer_area\": \"TQ-002\"}", NULL));
	doc = read_source("data/workflows/fault-repair-urban.json");
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, doc, cal, NULL));
	pcrm_assert_ok(pcrm_workflow_define(t->ctx, &root_admin, outage_def, NULL, NULL));
	free(doc);
	free(cal);
}

static char *publish(pcrm_test_store *t, const char *area, pcrm_ivr_outage_kind kind,
                     pcrm_time from, pcrm_time to, const char *reason, const char *master)
{
	pcrm_ivr_outage_spec s = PCRM_IVR_OUTAGE_SPEC_INIT;
	char *id = NULL;

	s.org_unit = "3701";
	s.transformer_area = area;
	s.kind = kind;
	s.starts_at = from;
	s.ends_at = to;
	s.reason = reason;
	s.master_workorder = master;
	pcrm_assert_ok(pcrm_ivr_outage_publish(t->ctx, &city_agent, &s, &id));
	cr_assert_eq(strlen(id), 36);
	return id;
}

static void open_master(pcrm_test_store *t, char id[PCRM_WORKORDER_ID_LEN + 1])
{
	pcrm_workorder *wo;

	pcrm_assert_ok(pcrm_workorder_open(t->ctx, &city_agent, "outage", "OUT-1", NULL, "3701",
	                                   NULL, &wo));
	snprintf(id, PCRM_WORKORDER_ID_LEN + 1, "%s", pcrm_workorder_id(wo));
	pcrm_workorder_free(wo);
}

static void close_master(pcrm_test_store *t, const char *id)
{
	pcrm_workorder *wo, *done;

	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &root_admin, id, &wo));
	pcrm_assert_ok(pcrm_workorder_fire(t->ctx, &city_agent, id, pcrm_workorder_version(wo),
	                                   "restore", NULL, NULL, &done));
	pcrm_workorder_free(wo);
	pcrm_workorder_free(done);
}

static const char *status_of(pcrm_test_store *t, const char *id, char buf[16])
{
	pcrm_workorder *wo;

	pcrm_assert_ok(pcrm_workorder_get(t->ctx, &root_admin, id, &wo));
	snprintf(buf, 16, "%s", pcrm_workorder_status(wo));
	pcrm_workorder_free(wo);
	return buf;
}

PCRM_BACKEND_TEST(ivr_outage, planned_and_fault_told_revised_and_over)
{
	char master[PCRM_WORKORDER_ID_LEN + 1], *planned, *fault, *far, *other;
	pcrm_ivr_outage_answer a;

	setup(t);
	pcrm_assert_ok(pcrm_ivr_answer_outage(t->ctx, &city_agent, "C5", &a));
	cr_assert_str_eq(a.transformer_area, "TQ-001");
	cr_assert_eq(a.outages, 0);
	cr_assert_str_eq(a.text, "您所在台区目前没有停电信息。");
	ivr_expect_recorded(t, "C5", a.text);
	pcrm_assert_ok(pcrm_ivr_answer_outage(t->ctx, &city_agent, "C1", &a));
	cr_assert_str_eq(a.transformer_area, "");
	cr_assert_str_eq(a.text, "您的档案中没有台区信息，暂时无法查询停电信息。");

	/* the day after tomorrow 08:00-18:00; and one beyond the 7-day horizon; another area's */
	planned = publish(t, "TQ-001", PCRM_IVR_OUTAGE_PLANNED, start + 47 * 3600,
	                  start + 57 * 3600, "线路检修", NULL);
	far = publish(t, "TQ-001", PCRM_IVR_OUTAGE_PLANNED, start + 10 * 86400,
	              start + 10 * 86400 + 3600, "计划检修", NULL);
	other = publish(t, "TQ-002", PCRM_IVR_OUTAGE_FAULT, start - 3600, start + 3600, "树障",
	                NULL);
	t->now += MIN;
	pcrm_assert_ok(pcrm_ivr_answer_outage(t->ctx, &city_agent, "C5", &a));
	cr_assert_eq(a.outages, 1);
	cr_assert_str_eq(a.items[0].id, planned);
	cr_assert_eq(a.items[0].in_progress, 0);
	cr_assert_str_eq(a.text, "您所在台区计划于二零二六年十一月二十五日八时至十八时停电，"
	                         "原因：线路检修。");

	/* a fault since 08:30 under a master order, restoration expected 11:30 */
	open_master(t, master);
	fault = publish(t, "TQ-001", PCRM_IVR_OUTAGE_FAULT, start - 30 * MIN, start + 150 * MIN,
	                "变压器故障", master);
	t->now += MIN;
	pcrm_assert_ok(pcrm_ivr_answer_outage(t->ctx, &city_agent, "C5", &a));
	cr_assert_eq(a.outages, 2);
	cr_assert_str_eq(a.items[0].id, fault, "the one going on first");
	cr_assert_eq(a.items[0].kind, PCRM_IVR_OUTAGE_FAULT);
	cr_assert_str_eq(a.items[0].master_workorder, master);
	cr_assert_str_eq(a.text, "您所在台区因变压器故障停电，正在抢修，预计二零二六年十一月二十三日"
	                         "十一时三十分恢复供电。您所在台区计划于二零二六年十一月二十五日八时至"
	                         "十八时停电，原因：线路检修。");
	ivr_expect_recorded(t, "C5", a.text);

	/* the crew needs longer: 12:05 */
	pcrm_assert_ok(pcrm_ivr_outage_revise(t->ctx, &city_agent, fault, start + 185 * MIN));
	pcrm_assert_ok(pcrm_ivr_answer_outage(t->ctx, &city_agent, "C5", &a));
	cr_assert(strstr(a.text, "预计二零二六年十一月二十三日十二时零五分恢复供电") != NULL, "%s",
	          a.text);

	/* the master closes: the fault is over; the planned one is called off */
	close_master(t, master);
	pcrm_assert_ok(pcrm_ivr_outage_end(t->ctx, &city_agent, planned));
	pcrm_assert_fails(pcrm_ivr_outage_end(t->ctx, &city_agent, planned), PCRM_ESTATE, "ended");
	pcrm_assert_fails(pcrm_ivr_outage_revise(t->ctx, &city_agent, planned, start + 86400),
	                  PCRM_ESTATE, "ended");
	t->now += MIN;
	pcrm_assert_ok(pcrm_ivr_answer_outage(t->ctx, &city_agent, "C5", &a));
	cr_assert_eq(a.outages, 0);
	cr_assert_str_eq(a.text, "您所在台区目前没有停电信息。");
	/* an outage past its end is no longer told either */
	t->now = start + 2 * 3600;
	pcrm_assert_ok(pcrm_ivr_answer_outage(t->ctx, &city_agent, "C6", &a));
	cr_assert_eq(a.outages, 0);
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'ivr.outage_%'"),
	             6, "four published, one revised, one ended; refusals are not audited");
	free(planned);
	free(fault);
	free(far);
	free(other);
}

/* The outage answer's refusals: as every answer's (answer_common.c), nothing said or recorded. */
PCRM_BACKEND_TEST(ivr_outage, answer_refusals_record_nothing_and_leave_out_untouched)
{
	pcrm_ivr_outage_answer a;

	setup(t);
	memset(&a, 0x5a, sizeof(a));
	pcrm_assert_fails(pcrm_ivr_answer_outage(t->ctx, &city_agent, "C2", &a), PCRM_EPERM,
	                  "customer");
	pcrm_assert_fails(pcrm_ivr_answer_outage(t->ctx, &city_agent, "C9", &a), PCRM_EPERM,
	                  "customer");
	/* a monitor may read the archive but not write contacts: the answer is not handed over */
	pcrm_assert_fails(pcrm_ivr_answer_outage(t->ctx, &monitor, "C5", &a), PCRM_EPERM,
	                  "contact");
	pcrm_assert_fails(pcrm_ivr_answer_outage(t->ctx, &city_agent, "C 5", &a), PCRM_EINVAL,
	                  "customer_no");
	pcrm_assert_fails(pcrm_ivr_answer_outage(t->ctx, &city_agent, NULL, &a), PCRM_EINVAL,
	                  "customer_no");
	pcrm_assert_fails(pcrm_ivr_answer_outage(t->ctx, &city_agent, "C5", NULL), PCRM_EINVAL,
	                  "out");
	cr_assert_eq(a.outages, 0x5a5a5a5a, "the answer is untouched on failure");
	cr_assert_eq(ivr_contacts(t), 0);
}

PCRM_BACKEND_TEST(ivr_outage, publishing_refuses_bad_input_and_foreign_units)
{
	pcrm_ivr_outage_spec s = PCRM_IVR_OUTAGE_SPEC_INIT;
	char *id = NULL, *mine;

	setup(t);
	s.org_unit = "3701";
	s.transformer_area = "TQ-001";
	s.starts_at = start;
	s.ends_at = start + 3600;
	s.reason = "线路检修";
	s.ends_at = start;
	pcrm_assert_fails(pcrm_ivr_outage_publish(t->ctx, &city_agent, &s, &id), PCRM_EINVAL,
	                  "spec.ends_at");
	s.ends_at = start + 3600;
	s.transformer_area = "TQ 001";
	pcrm_assert_fails(pcrm_ivr_outage_publish(t->ctx, &city_agent, &s, &id), PCRM_EINVAL,
	                  "spec.transformer_area");
	s.transformer_area = "TQ-001";
	s.reason = "线路\x01检修";
	pcrm_assert_fails(pcrm_ivr_outage_publish(t->ctx, &city_agent, &s, &id), PCRM_EINVAL,
	                  "spec.reason");
	s.reason = "线路检修";
	s.kind = (pcrm_ivr_outage_kind)7;
	pcrm_assert_fails(pcrm_ivr_outage_publish(t->ctx, &city_agent, &s, &id), PCRM_EINVAL,
	                  "spec.kind");
	s.kind = PCRM_IVR_OUTAGE_PLANNED;
	s.master_workorder = "not-an-id";
	pcrm_assert_fails(pcrm_ivr_outage_publish(t->ctx, &city_agent, &s, &id), PCRM_EINVAL,
	                  "spec.master_workorder");
	s.master_workorder = NULL;
	s.version = 0;
	pcrm_assert_fails(pcrm_ivr_outage_publish(t->ctx, &city_agent, &s, &id), PCRM_EINVAL,
	                  "spec.version");
	s.version = PCRM_IVR_OUTAGE_SPEC_VERSION;
	pcrm_assert_fails(pcrm_ivr_outage_publish(t->ctx, &city_agent, &s, NULL), PCRM_EINVAL,
	                  "out");
	/* Qingdao is not Jinan's agent's to announce; a monitor announces nothing */
	s.org_unit = "3702";
	pcrm_assert_fails(pcrm_ivr_outage_publish(t->ctx, &city_agent, &s, &id), PCRM_EPERM,
	                  "outside");
	s.org_unit = "3701";
	pcrm_assert_fails(pcrm_ivr_outage_publish(t->ctx, &monitor, &s, &id), PCRM_EPERM,
	                  "workorder");
	cr_assert_null(id);
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM outage"), 0);

	/* Qingdao's agent cannot revise or end Jinan's outage, nor learn it exists */
	mine = publish(t, "TQ-001", PCRM_IVR_OUTAGE_PLANNED, start + 3600, start + 7200, "检修",
	               NULL);
	{
		static const pcrm_actor qd_agent = { "agent-qd", PCRM_ROLE_AGENT, 1, "3702" };

		pcrm_assert_fails(pcrm_ivr_outage_end(t->ctx, &qd_agent, mine), PCRM_EPERM, "outage");
		pcrm_assert_fails(pcrm_ivr_outage_end(t->ctx, &qd_agent,
		                                      "00000000-0000-4000-8000-000000000000"),
		                  PCRM_EPERM, "outage");
	}
	pcrm_assert_fails(pcrm_ivr_outage_revise(t->ctx, &city_agent, mine, start), PCRM_EINVAL,
	                  "ends_at");
	pcrm_assert_fails(pcrm_ivr_outage_end(t->ctx, &city_agent, "x"), PCRM_EINVAL, "id");
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM outage WHERE ended_at IS NULL"
	                         " AND ends_at = " "1795402800"), 1, "unchanged");
	free(mine);
}

PCRM_BACKEND_TEST(ivr_outage, fault_report_attaches_to_the_master_and_closes_with_it)
{
	char master[PCRM_WORKORDER_ID_LEN + 1], *fault, st[16];
	pcrm_ivr_fault_report r, again;

	setup(t);
	/* no outage known: a plain repair order */
	pcrm_assert_ok(pcrm_ivr_report_fault(t->ctx, &city_agent, "C6", "fault_repair_urban", NULL,
	                                     &r));
	cr_assert_eq(r.opened, 1);
	cr_assert_str_eq(r.master_workorder, "");
	cr_assert_str_eq(r.text, "您的故障报修已受理，我们将尽快安排抢修人员与您联系。");
	ivr_expect_recorded(t, "C6", r.text);
	/* calling again while it is open: the same order, nothing opened */
	t->now += MIN;
	pcrm_assert_ok(pcrm_ivr_report_fault(t->ctx, &city_agent, "C6", "fault_repair_urban", NULL,
	                                     &again));
	cr_assert_eq(again.opened, 0);
	cr_assert_str_eq(again.workorder_id, r.workorder_id);
	cr_assert_str_eq(again.text, "您已报修，抢修工单正在办理中，无需重复报修。");

	/* a fault under a master in C5's area: the report is attached and closes with it */
	open_master(t, master);
	fault = publish(t, "TQ-001", PCRM_IVR_OUTAGE_FAULT, start - 30 * MIN, start + 150 * MIN,
	                "变压器故障", master);
	pcrm_assert_ok(pcrm_ivr_report_fault(t->ctx, &city_agent, "C5", "fault_repair_urban", NULL,
	                                     &r));
	cr_assert_eq(r.opened, 1);
	cr_assert_str_eq(r.outage_id, fault);
	cr_assert_str_eq(r.master_workorder, master);
	cr_assert_eq(r.restore_estimate, start + 150 * MIN);
	cr_assert_str_eq(r.text, "您的故障报修已受理。您所在台区的故障正在抢修，"
	                         "预计二零二六年十一月二十三日十一时三十分恢复供电，请您耐心等待。");
	ivr_expect_recorded(t, "C5", r.text);
	cr_assert_str_eq(status_of(t, r.workorder_id, st), "open");
	close_master(t, master);
	cr_assert_str_eq(status_of(t, r.workorder_id, st), "closed", "closed with the master");
	free(fault);
}

PCRM_BACKEND_TEST(ivr_outage, fault_report_refusals_change_nothing)
{
	pcrm_ivr_fault_report r;
	int64_t orders;

	setup(t);
	orders = count_of(t, "SELECT COUNT(*) FROM work_order");
	memset(&r, 0x5a, sizeof(r));
	pcrm_assert_fails(pcrm_ivr_report_fault(t->ctx, &city_agent, "C2", "fault_repair_urban",
	                                        NULL, &r), PCRM_EPERM, "customer");
	pcrm_assert_fails(pcrm_ivr_report_fault(t->ctx, &monitor, "C5", "fault_repair_urban", NULL,
	                                        &r), PCRM_EPERM, "workorder");
	pcrm_assert_fails(pcrm_ivr_report_fault(t->ctx, &city_agent, "C5", "no_such_flow", NULL,
	                                        &r), PCRM_ENOTFOUND, "no_such_flow");
	pcrm_assert_fails(pcrm_ivr_report_fault(t->ctx, &city_agent, "C5", "bad flow", NULL, &r),
	                  PCRM_EINVAL, "workflow");
	pcrm_assert_fails(pcrm_ivr_report_fault(t->ctx, &city_agent, "C5", "fault_repair_urban",
	                                        "3702", &r), PCRM_EPERM, "3702");
	pcrm_assert_fails(pcrm_ivr_report_fault(t->ctx, &city_agent, "C5", "fault_repair_urban",
	                                        NULL, NULL), PCRM_EINVAL, "out");
	cr_assert_eq(r.opened, 0x5a5a5a5a, "the report is untouched on failure");
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM work_order"), orders);
	cr_assert_eq(ivr_contacts(t), 0);
}

PCRM_BACKEND_TEST(ivr_outage, a_refused_attach_leaves_no_order_behind)
{
	char master[PCRM_WORKORDER_ID_LEN + 1], *fault;
	pcrm_ivr_fault_report r;
	int64_t orders;

	setup(t);
	open_master(t, master);
	fault = publish(t, "TQ-001", PCRM_IVR_OUTAGE_FAULT, start, start + 3600, "变压器故障",
	                master);
	orders = count_of(t, "SELECT COUNT(*) FROM work_order");
	/* "outage" cannot close with a master: the order opens, the attach is refused, all undone */
	pcrm_assert_fails(pcrm_ivr_report_fault(t->ctx, &city_agent, "C5", "outage", NULL, &r),
	                  PCRM_EINVAL, "close_with_master");
	cr_assert_eq(count_of(t, "SELECT COUNT(*) FROM work_order"), orders);
	cr_assert_eq(ivr_contacts(t), 0);
	free(fault);
}

static void expect_menu(const pcrm_ivr_menu *m, const pcrm_ivr_menu_item *order,
                        const char *first_reason)
{
	cr_assert_eq(m->count, PCRM_IVR_MENU_ITEMS);
	for (int i = 0; i < PCRM_IVR_MENU_ITEMS; i++)
		cr_assert_eq(m->items[i].item, order[i], "item %d is %d, expected %d", i,
		             m->items[i].item, order[i]);
	cr_assert_str_eq(m->items[0].reason, first_reason);
}

PCRM_BACKEND_TEST(ivr_outage, smart_menu_from_the_callers_record)
{
	static const pcrm_ivr_menu_item plain[] = {
		PCRM_IVR_MENU_LAST_BILL, PCRM_IVR_MENU_FAULT_REPORT, PCRM_IVR_MENU_OUTAGE,
		PCRM_IVR_MENU_ARREARS,   PCRM_IVR_MENU_WORKORDERS,  PCRM_IVR_MENU_AGENT };
	static const pcrm_ivr_menu_item arrears[] = {
		PCRM_IVR_MENU_ARREARS,   PCRM_IVR_MENU_LAST_BILL,   PCRM_IVR_MENU_FAULT_REPORT,
		PCRM_IVR_MENU_OUTAGE,    PCRM_IVR_MENU_WORKORDERS,  PCRM_IVR_MENU_AGENT };
	static const pcrm_ivr_menu_item all[] = {
		PCRM_IVR_MENU_OUTAGE,    PCRM_IVR_MENU_ARREARS,     PCRM_IVR_MENU_WORKORDERS,
		PCRM_IVR_MENU_LAST_BILL, PCRM_IVR_MENU_FAULT_REPORT, PCRM_IVR_MENU_AGENT };
	char master[PCRM_WORKORDER_ID_LEN + 1], *fault;
	pcrm_ivr_fault_report r;
	pcrm_ivr_menu m;
	int64_t contacts;

	setup(t);
	pcrm_assert_ok(pcrm_ivr_smart_menu(t->ctx, &city_agent, "C5", &m));
	expect_menu(&m, plain, "default");
	cr_assert_eq(m.items[0].promoted, 0);
	cr_assert_str_eq(m.items[0].title, "电费账单");

	pcrm_assert_ok(pcrm_ledger_post(t->ctx, &root_admin, "A5",
		"{\"kind\": \"bill\", \"bill_no\": \"B5\", \"period\": \"2026-10\","
		" \"issue_date\": \"2026-11-01\", \"due_date\": \"2026-11-15\", \"amount\": \"80.00\"}",
		NULL));
	pcrm_assert_ok(pcrm_ivr_smart_menu(t->ctx, &city_agent, "C5", &m));
	expect_menu(&m, arrears, "in_arrears");
	cr_assert_eq(m.items[0].promoted, 1);
	cr_assert_str_eq(m.items[0].title, "欠费查询");
	cr_assert_eq(m.items[1].promoted, 0);

	/* a fault in the area and a repair order open: outage, arrears, progress */
	open_master(t, master);
	fault = publish(t, "TQ-001", PCRM_IVR_OUTAGE_FAULT, start, start + 3600, "变压器故障",
	                master);
	pcrm_assert_ok(pcrm_ivr_report_fault(t->ctx, &city_agent, "C5", "fault_repair_urban", NULL,
	                                     &r));
	contacts = ivr_contacts(t);
	pcrm_assert_ok(pcrm_ivr_smart_menu(t->ctx, &city_agent, "C5", &m));
	expect_menu(&m, all, "outage_in_area");
	cr_assert_str_eq(m.items[1].reason, "in_arrears");
	cr_assert_str_eq(m.items[2].reason, "open_workorders");
	cr_assert_str_eq(m.items[3].reason, "default");
	cr_assert_eq(ivr_contacts(t), contacts, "a menu is a read");

	pcrm_assert_fails(pcrm_ivr_smart_menu(t->ctx, &city_agent, "C2", &m), PCRM_EPERM,
	                  "customer");
	pcrm_assert_fails(pcrm_ivr_smart_menu(t->ctx, &city_agent, "C 5", &m), PCRM_EINVAL,
	                  "customer_no");
	pcrm_assert_fails(pcrm_ivr_smart_menu(t->ctx, &city_agent, "C5", NULL), PCRM_EINVAL, "out");
	free(fault);
}
