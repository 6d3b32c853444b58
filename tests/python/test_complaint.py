"""Complaint tickets through the bindings, on both backends."""

import json
import os
from decimal import Decimal

import pytest

import powercrm
from conftest import CALENDARS, CITY_AGENT, MONITOR, ROOT_ADMIN, SOURCE_ROOT

QINGDAO_AGENT = powercrm.Actor("agent-qd", "agent", 1, "3702")
CITY_LEAD = powercrm.Actor("lead-jn", "agent", 2, "3701")

CONFIG = {
    "default_unit": "3701", "repeat_window_days": 30,
    "subcategories": {"service": ["attitude", "standards"], "business": ["billing"],
                      "outage": ["planned"], "supply_quality": ["voltage"],
                      "grid_construction": ["line_route"]},
    "rules": [{"category": "service", "subcategory": "attitude", "org_unit": "370102",
               "responsible_unit": "370102"}],
}

CALL = {"channel": "phone", "caller_number": "13800138000", "category": "service",
        "subcategory": "attitude", "nature": "complaint", "description": "营业厅人员态度差"}


@pytest.fixture
def tickets(ctx):
    with open(os.path.join(CALENDARS, "cn-2026.json"), encoding="utf-8") as f:
        calendar = f.read()
    for name in ("complaint", "report", "suggestion"):
        with open(os.path.join(SOURCE_ROOT, "data", "workflows", name + ".json"),
                  encoding="utf-8") as f:
            ctx.workflow_define(ROOT_ADMIN, json.load(f), calendar)
    ctx.customer_create(ROOT_ADMIN, {
        "customer_no": "3701000001", "kind": "person", "name": "张三",
        "usage_class": "residential", "voltage_level": "220V", "org_unit": "37010201",
        "phones": {"mobile": "13800138000"}})
    ctx.complaint_config_set(ROOT_ADMIN, CONFIG)
    return ctx


def test_filing_from_a_call(tickets):
    c = tickets.complaint_file(CITY_AGENT, CALL)
    assert c.serial == "3701-20261123-00001"
    assert c.customer_no == "3701000001"
    assert c.responsible_unit == "370102" and not c.routed_by_default
    assert c.status == "open" and c.repeat_of is None
    wo = tickets.workorder_get(CITY_AGENT, c.work_order_id)
    assert wo.state == "accepted" and wo.business_key == c.serial
    page = tickets.contact_list(CITY_AGENT, "3701000001")
    assert [x.work_order_id for x in page] == [c.work_order_id]
    again = tickets.complaint_file(CITY_AGENT, CALL)
    assert again.repeat_of == c.serial
    assert tickets.complaint_get(MONITOR, c.serial) == c


def test_default_unit_anonymous_and_sealed(tickets):
    doc = dict(CALL, caller_number="0531-88886666", subcategory="standards",
               anonymous={"name": "匿名", "contact": "0531-88886666"})
    c = tickets.complaint_file(CITY_AGENT, doc)
    assert c.routed_by_default and c.responsible_unit == "3701"
    assert c.customer_no is None and c.fields["anonymous"]["name"] == "匿名"
    # the caller number is sealed at rest and opens for a keyed context
    assert c.fields["caller_number"] == "053188886666"
    assert tickets.complaint_reseal(ROOT_ADMIN) == 0  # nothing filed before schema 24
    with pytest.raises(powercrm.InvalidInput, match="batch"):
        tickets.complaint_reseal(ROOT_ADMIN, -1)
    with pytest.raises(powercrm.PermissionDenied):
        tickets.complaint_reseal(CITY_AGENT)


def test_refusals(tickets):
    with pytest.raises(powercrm.InvalidInput, match="category"):
        tickets.complaint_file(CITY_AGENT, dict(CALL, category="billing"))
    with pytest.raises(powercrm.InvalidInput, match="rules\\[0\\].responsible_unit"):
        tickets.complaint_config_set(ROOT_ADMIN, dict(CONFIG, rules=[
            {"category": "service", "responsible_unit": "3799"}]))
    c = tickets.complaint_file(CITY_AGENT, CALL)
    with pytest.raises(powercrm.PermissionDenied):
        tickets.complaint_get(QINGDAO_AGENT, c.serial)
    with pytest.raises(powercrm.InvalidInput, match="survivor"):
        tickets.complaint_merge(CITY_LEAD, c.serial, c.serial)


def test_merge_reply_and_return_visit(tickets):
    a = tickets.complaint_file(CITY_AGENT, CALL)
    b = tickets.complaint_file(CITY_AGENT, CALL)
    tickets.complaint_merge(CITY_LEAD, b.serial, a.serial, "重复来电")
    merged = tickets.complaint_get(CITY_AGENT, b.serial)
    assert merged.status == "merged" and merged.merged_into == a.serial

    wo = tickets.workorder_get(CITY_AGENT, a.work_order_id)
    wo = tickets.workorder_fire(CITY_AGENT, wo.id, wo.version, "contact", {"contact_note": "已联系"})
    tickets.workorder_fire(CITY_AGENT, wo.id, wo.version, "opinion", {"opinion": "已处理"})
    tickets.complaint_review(CITY_LEAD, a.serial, {"decision": "approve"})
    r = tickets.complaint_reply(CITY_AGENT, a.serial, {"channel": "phone", "content": "已致歉",
                                                       "substantiated": True})
    assert r.status == "replied" and r.fields["substantiated"] is True
    v = tickets.complaint_return_visit(CITY_AGENT, a.serial,
                                       {"result": "满意", "satisfaction": "satisfied"})
    assert v.status == "closed" and v.fields["satisfaction"] == "satisfied"


def test_statistics_and_csv(tickets, clock):
    a = tickets.complaint_file(CITY_AGENT, CALL)
    tickets.complaint_file(CITY_AGENT, CALL)
    wo = tickets.workorder_get(CITY_AGENT, a.work_order_id)
    wo = tickets.workorder_fire(CITY_AGENT, wo.id, wo.version, "contact", {"contact_note": "x"})
    tickets.workorder_fire(CITY_AGENT, wo.id, wo.version, "opinion", {"opinion": "x"})
    tickets.complaint_review(CITY_LEAD, a.serial, {"decision": "approve"})
    clock.t += 3600
    tickets.complaint_reply(CITY_AGENT, a.serial, {"channel": "phone", "content": "x",
                                                   "substantiated": False})
    s = tickets.complaint_stats(ROOT_ADMIN, clock.t - 86400, clock.t + 1, "responsible_unit")
    assert len(s) == 1
    row = s.rows[0]
    assert (row.key1, row.key2, row.received, row.handled, row.repeat) == ("370102", None, 2, 1, 1)
    assert row.reply_rate == Decimal("0.5") and str(row.reply_rate) == "0.5000"
    assert row.avg_handling_seconds == 3600 and row.satisfaction_rate == 0
    assert s.json["rows"][0]["received"] == 2
    assert s.csv.splitlines()[1] == "370102,,2,1,0,0,1,0,0,0.5000,0.0000,0.0000,3600,0,0,"
    assert row.overdue == 0 and row.avg_overdue_seconds is None
    assert tickets.complaint_stats(ROOT_ADMIN, clock.t - 86400, clock.t + 1, "responsible_unit",
                                   direct=True) == s
    with pytest.raises(powercrm.InvalidInput, match="to: not after from"):
        tickets.complaint_stats(ROOT_ADMIN, clock.t, clock.t, "category")
    with pytest.raises(powercrm.PermissionDenied):
        tickets.complaint_stats(QINGDAO_AGENT, clock.t - 86400, clock.t, "category",
                                org_unit="3701")


def test_shipped_example_configuration_is_valid(ctx):
    with open(os.path.join(SOURCE_ROOT, "data", "complaints", "config-example.json"),
              encoding="utf-8") as f:
        ctx.complaint_config_set(ROOT_ADMIN, json.load(f))


def test_overdue_duration_and_rebuild(tickets, clock):
    # accepted Mon 2026-11-23 09:00: due 5 working days later, Mon 11-30 09:00 (cn-2026)
    a = tickets.complaint_file(CITY_AGENT, CALL)
    start, end = clock.t - 3600, clock.t + 1
    # Tue 12-01 09:00: one working day (7.5 h) late and still open
    clock.t += 8 * 86400
    s = tickets.complaint_stats(ROOT_ADMIN, start, end, "category")
    assert (s.rows[0].overdue, s.rows[0].overdue_seconds) == (1, 27000)
    assert s.rows[0].avg_overdue_seconds == 27000 and s.json["rows"][0]["overdue"] == 1
    assert a.fields["reply_due_at"] == a.accepted_at + 7 * 86400
    tickets.complaint_stats_rebuild(ROOT_ADMIN)
    assert tickets.complaint_stats(ROOT_ADMIN, start, end, "category") == s
    assert tickets.complaint_stats(ROOT_ADMIN, start, end, "category", direct=True) == s
    with pytest.raises(powercrm.PermissionDenied):
        tickets.complaint_stats_rebuild(QINGDAO_AGENT, org_unit="3701")
    with pytest.raises(powercrm.InvalidInput, match="group_by"):
        tickets.complaint_stats(ROOT_ADMIN, start, end, "weather", direct=True)


def test_review_returns_then_approves_and_merge_past_acceptance(tickets):
    a = tickets.complaint_file(CITY_AGENT, CALL)
    b = tickets.complaint_file(CITY_AGENT, CALL)
    wo = tickets.workorder_get(CITY_AGENT, a.work_order_id)
    wo = tickets.workorder_fire(CITY_AGENT, wo.id, wo.version, "contact", {"contact_note": "x"})
    wo = tickets.workorder_fire(CITY_AGENT, wo.id, wo.version, "opinion", {"opinion": "x"})
    assert wo.state == "review"
    with pytest.raises(powercrm.InvalidInput, match="reason"):
        tickets.complaint_review(CITY_LEAD, a.serial, {"decision": "return"})
    with pytest.raises(powercrm.PermissionDenied):
        tickets.complaint_review(CITY_AGENT, a.serial, {"decision": "approve"})
    r = tickets.complaint_review(CITY_LEAD, a.serial, {"decision": "return", "reason": "补充核实"})
    assert r.fields["review_returns"] == 1 and r.status == "open"
    wo = tickets.workorder_get(CITY_AGENT, a.work_order_id)
    assert wo.state == "handling"
    wo = tickets.workorder_fire(CITY_AGENT, wo.id, wo.version, "opinion", {"opinion": "y"})
    r = tickets.complaint_review(CITY_LEAD, a.serial, {"decision": "approve"})
    assert tickets.workorder_get(CITY_AGENT, a.work_order_id).state == "reply"
    # b is in handling: a duplicate past acceptance still merges, its work order closes
    wo = tickets.workorder_get(CITY_AGENT, b.work_order_id)
    tickets.workorder_fire(CITY_AGENT, wo.id, wo.version, "contact", {"contact_note": "x"})
    tickets.complaint_merge(CITY_LEAD, b.serial, a.serial)
    assert tickets.complaint_get(CITY_AGENT, b.serial).status == "merged"
    assert tickets.workorder_get(CITY_AGENT, b.work_order_id).status == "closed"
