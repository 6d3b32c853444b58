/*
 * pcrm_tel_dial: a call placed from a dialler port with no agent on it,
 * which joins the dial's queue once the switch reports it answered
 * (queued), with the called customer's VIP priority and level, not the
 * IVR mapping's queue; bad input and a refusing switch leave nothing
 * tracked.
 */
#include "tel_fixture.h"

static pcrm_tel_dial_spec spec(const char *call, const pcrm_tel_customer *who)
{
	pcrm_tel_dial_spec d = PCRM_TEL_DIAL_SPEC_INIT;
	d.call_id = call;
	d.device_id = "port-1";
	d.destination = "13800138000";
	d.queue_id = "billing";
	d.min_level = who && who->vip_level ? 8 : 1;
	d.customer = who;
	return d;
}

Test(dial, answered_call_joins_the_dials_queue_with_the_vip_priority)
{
	struct tel_fix f;
	pcrm_tel_customer vip = { "3701000001", 4, "" };
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	pcrm_acd_call_info acd_call = PCRM_ACD_CALL_INFO_INIT;
	fix_open(&f);
	pcrm_tel_dial_spec d = spec("d-1", &vip);
	OK(pcrm_tel_dial(f.tel, &d));
	cr_assert_str_eq(last_req(&f.sw), "make_call d-1 port-1 13800138000");
	OK(pcrm_tel_call_get(f.tel, "d-1", &info));
	cr_assert_eq(info.state, PCRM_TEL_CALL_OFFERED);
	cr_assert(info.outbound);
	/* answered: queued at a routing point whose IVR rule would say "general" */
	FEED(&f, PCRM_TEL_EV_QUEUED, "d-1", "rp");
	OK(pcrm_acd_call_get(f.acd, "d-1", &acd_call));
	cr_assert_str_eq(acd_call.queue_id, "billing");
	cr_assert_eq(acd_call.priority, 4); /* no vip_priority in the rules: the level itself */
	cr_assert_eq(acd_call.min_level, 8);
	OK(pcrm_tel_call_get(f.tel, "d-1", &info));
	cr_assert_str_eq(info.customer_no, "3701000001");
	/* a1 holds billing 8, a2 billing 3: only a1 may take it */
	agent_on(&f, "a2", "2002", 1);
	cr_assert(!has_req(&f.sw, "route d-1 2002 a2"));
	agent_on(&f, "a1", "2001", 1);
	cr_assert_str_eq(last_req(&f.sw), "route d-1 2001 a1");
	fix_close(&f);
}

Test(dial, bad_input_and_a_refusing_switch_track_nothing)
{
	struct tel_fix f;
	pcrm_tel_call_info info = PCRM_TEL_CALL_INFO_INIT;
	fix_open(&f);
	pcrm_tel_dial_spec d = spec("d-2", NULL);
	d.min_level = 11;
	FAILS(pcrm_tel_dial(f.tel, &d), PCRM_EINVAL, "dial: min_level: 11 is not 1..10");
	d = spec("d-2", NULL);
	d.queue_id = "nosuch";
	FAILS(pcrm_tel_dial(f.tel, &d), PCRM_EINVAL, "dial: queue_id");
	d = spec("d-2", NULL);
	d.destination = "138 0013";
	FAILS(pcrm_tel_dial(f.tel, &d), PCRM_EINVAL, "dial: destination: byte 3");
	d = spec("d-2", NULL);
	d.version = 0;
	FAILS(pcrm_tel_dial(f.tel, &d), PCRM_EINVAL, "dial.version");
	cr_assert_eq(f.sw.count, 0);
	snprintf(f.sw.fail_kind, sizeof(f.sw.fail_kind), "make_call");
	f.sw.fail_result = PCRM_TEL_BUSY;
	f.sw.fail_times = 1;
	d = spec("d-2", NULL);
	FAILS(pcrm_tel_dial(f.tel, &d), PCRM_ESTATE, "dial: call d-2: device port-1 is busy");
	cr_assert_eq(pcrm_tel_call_get(f.tel, "d-2", &info), PCRM_ENOTFOUND);
	/* the same id once the switch accepts */
	OK(pcrm_tel_dial(f.tel, &d));
	FAILS(pcrm_tel_dial(f.tel, &d), PCRM_EDUPLICATE, "already tracked");
	fix_close(&f);
}
