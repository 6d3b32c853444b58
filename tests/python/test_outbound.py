"""Outbound messages and campaigns through the bindings, on both backends."""

import pytest

import powercrm
from conftest import CITY_ADMIN, CITY_CLERK, ROOT_ADMIN

JOB = powercrm.Actor("outbound-job", "system", 1, "37")
QINGDAO_ADMIN = powercrm.Actor("admin-qd", "admin", 2, "3702")


class Gateways:
    """Records every send; `refuse` holds channels that refuse for good, `down` raise."""

    def __init__(self, refuse=(), down=()):
        self.sent = []
        self.refuse = set(refuse)
        self.down = set(down)

    def _send(self, channel, message_id, customer_no, destination, body, attempt):
        self.sent.append((channel, message_id, destination, body, attempt))
        if channel in self.down:
            raise ConnectionError("gateway down")
        if channel in self.refuse:
            return False
        return "ref-%d" % len(self.sent)

    def sms(self, *a):
        return self._send("sms", *a)

    def email(self, *a):
        return self._send("email", *a)


def customer(ctx, no, area="TA-1", **more):
    doc = {"customer_no": no, "kind": "person", "name": "李四", "usage_class": "residential",
           "voltage_level": "220V", "org_unit": "3701", "transformer_area": area,
           "phones": {"mobile": "13900139000"}, "email": "li.si@example.com"}
    doc.update(more)
    ctx.customer_create(ROOT_ADMIN, doc)


def test_queue_deliver_fallback_and_receipts(ctx):
    customer(ctx, "C1", preferred_channel="sms")
    mid = ctx.outbound_queue(CITY_CLERK, "C1", {"body": "您的报修工单已派发。"})
    gw = Gateways(refuse={"sms"})
    p = ctx.outbound_deliver(JOB, gw)
    assert p == powercrm.OutboundPass(sent=0, retried=1, failed=0, deferred=0, suppressed=0)
    p = ctx.outbound_deliver(JOB, gw)
    assert p.sent == 1
    # SMS refused the number: e-mail, the next channel the gateways offer, got it
    assert [(c, d) for c, _, d, _, _ in gw.sent] == [("sms", "13900139000"),
                                                      ("email", "li.si@example.com")]
    assert ctx.outbound_status(JOB, mid) == ("sent", 2)
    ctx.outbound_receipt(JOB, mid, "delivered")
    assert ctx.outbound_status(JOB, mid) == ("delivered", 2)
    with pytest.raises(ValueError):
        ctx.outbound_receipt(JOB, mid, "read")
    page = ctx.contact_list(JOB, "C1")
    assert {c.channel for c in page.contacts} == {"sms", "email"}


def test_gateway_exception_is_a_passing_failure_and_reraised(ctx):
    customer(ctx, "C1")
    mid = ctx.outbound_queue(CITY_CLERK, "C1", {"body": "通知"})
    with pytest.raises(ConnectionError):
        ctx.outbound_deliver(JOB, Gateways(down={"sms"}), backoff=60)
    assert ctx.outbound_status(JOB, mid) == ("queued", 1)


def test_do_not_contact_and_bad_input(ctx):
    customer(ctx, "C1")
    ctx.outbound_set_do_not_contact(CITY_CLERK, "C1", "sms")
    ctx.outbound_set_do_not_contact(CITY_CLERK, "C1", "email")
    mid = ctx.outbound_queue(CITY_CLERK, "C1", {"body": "通知"})
    gw = Gateways()
    assert ctx.outbound_deliver(JOB, gw).suppressed == 1
    assert gw.sent == [] and ctx.outbound_status(JOB, mid)[0] == "suppressed"
    with pytest.raises(ValueError):
        ctx.outbound_set_do_not_contact(CITY_CLERK, "C1", "fax")
    with pytest.raises(powercrm.InvalidInput, match="body"):
        ctx.outbound_queue(CITY_CLERK, "C1", {"body": ""})
    with pytest.raises(powercrm.InvalidInput, match="policy.quiet_end"):
        ctx.outbound_deliver(JOB, gw, quiet_hours=(0, 1440))


def test_planned_outage_campaign(ctx, clock):
    customer(ctx, "C1", "TA-1")
    customer(ctx, "C2", "TA-2")
    customer(ctx, "C3", "TA-9")
    doc = {"id": "OUT-1", "org_unit": "3701", "name": "检修停电", "kind": "planned_outage",
           "template": "{name}：台区{transformer_area}于{outage_start}停电。",
           "schedule_at": "2026-11-23T09:00:00+08:00", "channels": ["sms"],
           "target": {"transformer_areas": ["TA-1", "TA-2"],
                      "outage_start": "2026-12-05T08:00:00+08:00",
                      "outage_end": "2026-12-05T17:00:00+08:00"}}
    with pytest.raises(powercrm.PermissionDenied):
        ctx.campaign_create(QINGDAO_ADMIN, doc)
    ctx.campaign_create(CITY_ADMIN, doc)
    assert ctx.campaign_queue(CITY_ADMIN, "OUT-1") == 2
    gw = Gateways()
    assert ctx.outbound_deliver(JOB, gw).sent == 2
    assert gw.sent[0][3] == "李**：台区TA-1于2026-12-05T08:00:00+08:00停电。"
    ctx.outbound_receipt(JOB, "OUT-1/C1", "confirmed")
    s = ctx.campaign_stats(CITY_ADMIN, "OUT-1")
    assert (s.queued, s.sent, s.delivered, s.confirmed, s.waiting) == (2, 2, 1, 1, 0)
    clock.t += 8 * 86400
    with pytest.raises(powercrm.WrongState, match="7 days"):
        ctx.campaign_queue(CITY_ADMIN, "OUT-1")


REPAIR = {"name": "repair_notice", "states": [
    {"name": "reported", "initial": True}, {"name": "restored"},
    {"name": "closed", "final": True}],
    "transitions": [
        {"event": "restore", "from": "reported", "to": "restored",
         "notify_customer": "您报修的故障已修复，感谢您的耐心。"},
        {"event": "visit", "from": "restored", "to": "closed",
         "guard": {"require": ["satisfaction"]}}]}


def test_notice_to_customer_handed_over_once_and_survey_answer_closes(ctx, clock):
    customer(ctx, "C1", preferred_channel="email")
    ctx.workflow_define(ROOT_ADMIN, REPAIR)
    wo = ctx.workorder_open(ROOT_ADMIN, "repair_notice", "R1", "3701", customer_no="C1")
    clock.t += 60
    wo = ctx.workorder_fire(ROOT_ADMIN, wo.id, wo.version, "restore")
    # the transition's notice reaches the customer in the next pass, once
    gw = Gateways()
    assert ctx.outbound_deliver(JOB, gw).sent == 1
    assert gw.sent[0][0] == "email"
    assert gw.sent[0][3] == "您报修的故障已修复，感谢您的耐心。"
    assert ctx.outbound_handover(JOB) == 0
    assert ctx.outbound_deliver(JOB, gw).sent == 0

    clock.t += 60
    ctx.campaign_create(CITY_ADMIN, {
        "id": "RV-1", "org_unit": "3701", "name": "办结回访", "kind": "return_visit_survey",
        "template": "请回复1满意、2基本满意、3不满意。",
        "schedule_at": "2026-11-23T09:00:00+08:00", "channels": ["sms"],
        "target": {"finished_from": "2026-11-23T00:00:00+08:00",
                   "finished_to": "2026-11-24T00:00:00+08:00"}})
    assert ctx.campaign_queue(CITY_ADMIN, "RV-1") == 1
    assert ctx.outbound_deliver(JOB, gw).sent == 1
    message = "RV-1/" + wo.id
    with pytest.raises(powercrm.InvalidInput, match="satisfaction"):
        ctx.campaign_survey_answer(JOB, message, "fine")
    ctx.campaign_survey_answer(JOB, message, "satisfied", "抢修及时")
    done = ctx.workorder_get(ROOT_ADMIN, wo.id)
    assert (done.state, done.data["satisfaction"], done.data["visit_result"]) == \
        ("closed", "satisfied", "抢修及时")
    assert ctx.outbound_status(JOB, message) == ("answered", 1)
    with pytest.raises(powercrm.WrongState):
        ctx.campaign_survey_answer(JOB, message, "satisfied")
    with pytest.raises(powercrm.PermissionDenied):
        ctx.outbound_handover(QINGDAO_ADMIN, "3701")


TIMED = {"name": "repair_timed", "states": [
    {"name": "reported", "initial": True,
     "limit": {"minutes": 30, "on_expiry": {"fire": "time_out"}}},
    {"name": "transferred", "final": True}],
    "transitions": [
        {"event": "time_out", "from": "reported", "to": "transferred",
         "notify_customer": "您的报修工单超时未处理，已自动转办。"}]}


def test_notice_of_a_transition_the_tick_fires_reaches_the_customer_once(ctx, clock):
    customer(ctx, "C1", preferred_channel="sms")
    ctx.workflow_define(ROOT_ADMIN, TIMED)
    wo = ctx.workorder_open(ROOT_ADMIN, "repair_timed", "R1", "3701", customer_no="C1")
    clock.t += 31 * 60
    assert ctx.workorder_tick(ROOT_ADMIN) == 1
    assert ctx.workorder_get(ROOT_ADMIN, wo.id).state == "transferred"
    gw = Gateways()
    assert ctx.outbound_deliver(JOB, gw).sent == 1
    assert gw.sent[0][0] == "sms"
    assert gw.sent[0][3] == "您的报修工单超时未处理，已自动转办。"
    assert ctx.workorder_tick(ROOT_ADMIN) == 0
    assert ctx.outbound_deliver(JOB, gw).sent == 0
