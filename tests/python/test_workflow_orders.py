"""Issue 17's work-order discipline through the bindings, on both backends: suspension
reasons and approval, automatic resumption, the report of suspensions without an end,
master and child orders, reopening, failed return visits."""

import json
import os

import pytest

import powercrm
from conftest import CALENDARS, CITY_ADMIN, CITY_AGENT, MONITOR, ROOT_ADMIN, SOURCE_ROOT, T0

JUNIOR_ADMIN = powercrm.Actor("admin-jn1", "admin", 1, "3701")
TICK = powercrm.Actor("tick", "system", 1, "37")
CITY_LEAD = powercrm.Actor("lead-jn", "agent", 2, "3701")
HOUR = 3600
DAY = 86400

PAUSE = {
    "name": "pause_test", "limit": {"hours": 10},
    "suspension": {"reasons": [
        {"code": "customer_request", "approval_level": 2, "max": {"days": 3}},
        {"code": "force_majeure", "max": {"hours": 4}},
        {"code": "awaiting_materials"}]},
    "reopen": {"days": 7, "to": "handling"},
    "close_with_master": {"event": "master_closed"},
    "states": [{"name": "handling", "initial": True, "limit": {"hours": 2}},
               {"name": "closed", "final": True}],
    "transitions": [{"event": "close", "from": "handling", "to": "closed"},
                    {"event": "master_closed", "from": "handling", "to": "closed"}],
}


@pytest.fixture
def orders(ctx):
    ctx.workflow_define(ROOT_ADMIN, PAUSE)
    return ctx


def test_suspension_needs_a_reason_and_approval(orders):
    wo = orders.workorder_open(CITY_AGENT, "pause_test", "S1", "3701")
    with pytest.raises(powercrm.InvalidInput, match="reason"):
        orders.workorder_suspend(CITY_ADMIN, wo.id, 1)
    with pytest.raises(powercrm.InvalidInput, match="is not one of"):
        orders.workorder_suspend_request(CITY_ADMIN, wo.id, 1, "bogus")
    wo = orders.workorder_suspend_request(CITY_AGENT, wo.id, 1, "customer_request",
                                          note="客户要求暂缓")
    assert not wo.suspended
    assert orders.workorder_suspension(MONITOR, wo.id)["status"] == "requested"
    with pytest.raises(powercrm.PermissionDenied, match="needs level 2"):
        orders.workorder_suspend_decide(JUNIOR_ADMIN, wo.id, wo.version, True)
    wo = orders.workorder_suspend_decide(CITY_ADMIN, wo.id, wo.version, True)
    assert wo.suspended and wo.due_at is None
    s = orders.workorder_suspension(MONITOR, wo.id)
    assert s["status"] == "active" and s["resume_at"] == T0 + 3 * DAY
    # tick resumes it at its end
    assert orders.workorder_tick(TICK, T0 + 3 * DAY) == 1
    wo = orders.workorder_get(CITY_AGENT, wo.id)
    assert not wo.suspended and wo.due_at == T0 + 3 * DAY + 2 * HOUR
    with pytest.raises(powercrm.NotFound):
        orders.workorder_suspension(MONITOR, wo.id)


def test_suspensions_without_an_end_are_reported(orders):
    a = orders.workorder_open(CITY_AGENT, "pause_test", "U1", "3701")
    b = orders.workorder_open(CITY_AGENT, "pause_test", "U2", "3701")
    orders.workorder_suspend_request(CITY_ADMIN, a.id, 1, "awaiting_materials")
    orders.workorder_suspend_request(CITY_ADMIN, b.id, 1, "force_majeure")
    page = orders.workorder_suspended_unlimited(CITY_AGENT)
    assert [w.id for w in page.work_orders] == [a.id] and page.next_cursor is None


def test_master_closes_its_children_and_reopen(orders, clock):
    master = orders.workorder_open(CITY_AGENT, "pause_test", "M", "3701")
    kids = [orders.workorder_open(CITY_AGENT, "pause_test", "K%d" % i, "3701") for i in range(3)]
    for k in kids:
        orders.workorder_attach(CITY_AGENT, k.id, master.id)
    with pytest.raises(powercrm.InvalidInput, match="cycle"):
        orders.workorder_attach(CITY_AGENT, master.id, kids[0].id)
    assert len(orders.workorder_children(CITY_AGENT, master.id).work_orders) == 3
    orders.workorder_detach(CITY_AGENT, kids[2].id, master.id)
    orders.workorder_fire(CITY_AGENT, master.id, 1, "close")
    states = [orders.workorder_get(CITY_AGENT, k.id).status for k in kids]
    assert states == ["closed", "closed", "open"]
    # reopened within 7 days, refused after
    clock.t = T0 + 7 * DAY
    wo = orders.workorder_reopen(CITY_AGENT, kids[0].id, 2, note="客户再次来电")
    assert wo.status == "open" and wo.state == "handling"
    clock.t = T0 + 7 * DAY + 1
    with pytest.raises(powercrm.WrongState, match="reopening period"):
        orders.workorder_reopen(CITY_AGENT, kids[1].id, 2)


@pytest.fixture
def tickets(ctx):
    with open(os.path.join(CALENDARS, "cn-2026.json"), encoding="utf-8") as f:
        calendar = f.read()
    for name in ("complaint", "report", "suggestion", "fault-repair-urban"):
        with open(os.path.join(SOURCE_ROOT, "data", "workflows", name + ".json"),
                  encoding="utf-8") as f:
            ctx.workflow_define(ROOT_ADMIN, json.load(f), calendar)
    ctx.customer_create(ROOT_ADMIN, {
        "customer_no": "3701000001", "kind": "person", "name": "张三",
        "usage_class": "residential", "voltage_level": "220V", "org_unit": "3701",
        "phones": {"mobile": "13800138000"}})
    ctx.complaint_config_set(ROOT_ADMIN, {
        "default_unit": "3701", "return_visit_attempts": 2,
        "subcategories": {"outage": ["unplanned"]}, "rules": []})
    return ctx


CALL = {"channel": "phone", "customer_no": "3701000001", "category": "outage",
        "subcategory": "unplanned", "nature": "complaint", "description": "停电未通知"}
REPLY = {"channel": "sms", "content": "已恢复供电", "substantiated": True}


def to_return_visit(ctx, c):
    ctx.workorder_fire(CITY_AGENT, c.work_order_id, 1, "contact", {"contact_note": "已联系"})
    ctx.workorder_fire(CITY_AGENT, c.work_order_id, 2, "opinion", {"opinion": "已处理"})
    ctx.complaint_review(CITY_LEAD, c.serial, {"decision": "approve"})
    ctx.complaint_reply(CITY_AGENT, c.serial, REPLY)


def test_ticket_reopen_and_failed_visits(tickets, clock):
    c = tickets.complaint_file(CITY_AGENT, CALL)
    to_return_visit(tickets, c)
    r = tickets.complaint_visit_failed(CITY_AGENT, c.serial, {"note": "无人接听"})
    assert r.status == "replied" and r.fields["visit_attempts"] == 1
    with pytest.raises(powercrm.InvalidInput, match="satisfaction"):
        tickets.workorder_fire(CITY_AGENT, c.work_order_id, 6, "visit",
                               {"satisfaction": "还行"})
    r = tickets.complaint_visit_failed(CITY_AGENT, c.serial, {"note": "关机"})
    assert r.status == "closed"
    clock.t += 30 * DAY
    r = tickets.complaint_reopen(CITY_AGENT, c.serial, {"reason": "问题未解决"})
    assert r.status == "open" and r.fields["reopened"] == 1


def test_closing_the_outage_replies_to_every_caller(tickets):
    master = tickets.workorder_open(CITY_AGENT, "fault_repair_urban", "TA-1", "3701")
    calls = [tickets.complaint_file(CITY_AGENT, CALL) for _ in range(2)]
    for c in calls:
        tickets.workorder_attach(CITY_AGENT, c.work_order_id, master.id)
    n = tickets.complaint_close_with_master(CITY_AGENT, master.id, 1, "duplicate", REPLY,
                                            data={"duplicate_of": "TA-0"})
    assert n == 2
    for c in calls:
        r = tickets.complaint_get(CITY_AGENT, c.serial)
        assert r.status == "closed" and r.fields["reply_content"] == "已恢复供电"
