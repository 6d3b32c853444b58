"""The knowledge base through the bindings, on both backends."""

import os

import pytest

import powercrm
from conftest import CITY_ADMIN, CITY_AGENT, CITY_CLERK, ROOT_ADMIN, SOURCE_ROOT, T0

QINGDAO_AGENT = powercrm.Actor("agent-qd", "agent", 1, "3702")
CITY_MONITOR = powercrm.Actor("monitor-jn", "monitor", 2, "3701")


@pytest.fixture(autouse=True)
def approval_workflow(ctx):
    """The shipped approval workflow every article version runs on (docs/kb.md)."""
    path = os.path.join(SOURCE_ROOT, "data", "workflows", "kb-article.json")
    with open(path, encoding="utf-8") as f:
        ctx.workflow_define(ROOT_ADMIN, f.read(), None)


def article(title, body, org="37", **more):
    doc = {"title": title, "category": "电价/居民阶梯", "summary": "摘要", "body": body,
           "keywords": ["阶梯电价", "电价"], "valid_from": "2026-01-01", "org_unit": org}
    doc.update(more)
    return doc


def test_versions_search_and_scope(ctx):
    a = ctx.kb_create(CITY_CLERK, article("居民阶梯电价", "第一档年用电量2760千瓦时", "3701",
                                          format="markdown"))
    assert (a.version, a.status, a.format) == (1, "draft", "markdown")
    assert a.keywords == ["阶梯电价", "电价"] and a.valid_to is None
    assert ctx.kb_search(CITY_AGENT, text="电费") == []
    ctx.kb_approve(CITY_ADMIN, a.id, 1)
    hits = ctx.kb_search(CITY_AGENT, text="2760千瓦时")
    assert [(h.id, h.version) for h in hits] == [(a.id, 1)]
    assert [h.id for h in ctx.kb_search(CITY_AGENT, category="电价")] == [a.id]
    assert ctx.kb_search(CITY_AGENT, keywords="阶梯 峰谷", match="all") == []
    assert len(ctx.kb_search(CITY_AGENT, keywords="阶梯 峰谷")) == 1
    # another city neither finds nor reads it
    assert ctx.kb_search(QINGDAO_AGENT, text="千瓦时") == []
    with pytest.raises(powercrm.PermissionDenied):
        ctx.kb_get(QINGDAO_AGENT, a.id)
    b = ctx.kb_revise(CITY_CLERK, a.id, 1, article("居民阶梯电价", "第一档2880千瓦时", "3701"))
    assert b.version == 2 and b.status == "draft"
    with pytest.raises(powercrm.Conflict):
        ctx.kb_revise(CITY_CLERK, a.id, 1, article("x", "y", "3701"))
    ctx.kb_approve(CITY_ADMIN, a.id, 2)
    assert ctx.kb_get(CITY_AGENT, a.id, 1).status == "retired"
    with pytest.raises(powercrm.WrongState):
        ctx.kb_approve(CITY_ADMIN, a.id, 2)
    ctx.kb_retire(CITY_ADMIN, a.id)
    assert ctx.kb_search(CITY_AGENT, text="千瓦时") == []


def test_approval_is_a_work_order_of_the_workflow_engine(ctx):
    a = ctx.kb_create(CITY_CLERK, article("过户办理", "带身份证", "3701"))
    assert a.work_order_id is not None
    wo = ctx.workorder_get(CITY_ADMIN, a.work_order_id)
    assert (wo.workflow, wo.state) == ("kb_article", "draft")
    # the transitions name kb.approve: an agent holds workorder.handle but not kb.approve,
    # so firing the work order's event directly is refused, audited, and moves nothing
    denied = [e for e in ctx.audit_list(ROOT_ADMIN) if e.action == "permission.denied"]
    with pytest.raises(powercrm.PermissionDenied, match="may not kb.approve"):
        ctx.workorder_fire(CITY_AGENT, a.work_order_id, wo.version, "approve")
    after = [e for e in ctx.audit_list(ROOT_ADMIN) if e.action == "permission.denied"]
    assert len(after) == len(denied) + 1 and after[-1].summary["permission"] == "kb.approve"
    assert ctx.workorder_get(CITY_ADMIN, a.work_order_id).version == wo.version
    assert ctx.kb_get(CITY_AGENT, a.id).status == "draft"
    # a monitor holds kb.approve (not workorder.handle) and approves
    ctx.kb_approve(CITY_MONITOR, a.id, 1)
    assert ctx.workorder_get(CITY_ADMIN, a.work_order_id).state == "approved"
    b = ctx.kb_revise(CITY_CLERK, a.id, 1, article("过户办理", "带身份证和房产证", "3701"))
    ctx.kb_approve(CITY_MONITOR, a.id, 2)
    assert ctx.workorder_get(CITY_ADMIN, a.work_order_id).state == "retired"
    ctx.kb_retire(CITY_MONITOR, a.id)
    assert ctx.workorder_get(CITY_ADMIN, b.work_order_id).state == "retired"
    assert ctx.kb_get(CITY_AGENT, a.id, 2).status == "retired"


def test_bad_input_names_the_field(ctx):
    with pytest.raises(powercrm.InvalidInput, match="valid_from: expected a date"):
        ctx.kb_create(ROOT_ADMIN, article("t", "b", valid_from="2026-13-01"))
    with pytest.raises(powercrm.InvalidInput, match="query.text"):
        ctx.kb_search(CITY_AGENT, text=" ")
    with pytest.raises(ValueError):
        ctx.kb_search(CITY_AGENT, text="电费", match="some")
    with pytest.raises(TypeError):
        ctx.kb_contact_link(CITY_AGENT, "3701000001", "00000000-0000-4000-8000-000000000000",
                            [1])


def test_contact_links_and_statistics(ctx):
    ctx.customer_create(ROOT_ADMIN, {
        "customer_no": "3701000001", "kind": "person", "name": "张三",
        "usage_class": "residential", "voltage_level": "220V", "org_unit": "37010201",
        "phones": {"mobile": "13800138000"}})
    a = ctx.kb_create(ROOT_ADMIN, article("阶梯电价", "分档"))
    ctx.kb_approve(ROOT_ADMIN, a.id, 1)
    first = ctx.contact_record(CITY_AGENT, "3701000001", {
        "channel": "phone", "direction": "inbound", "summary": "咨询电价"})
    second = ctx.contact_record(CITY_AGENT, "3701000001", {
        "channel": "phone", "direction": "inbound", "summary": "咨询"})
    ctx.kb_contact_link(CITY_AGENT, "3701000001", first.id, [a.id])
    ctx.kb_contact_link(CITY_AGENT, "3701000001", second.id, unanswered="充电桩怎么报装")
    with pytest.raises(powercrm.Duplicate):
        ctx.kb_contact_link(CITY_AGENT, "3701000001", first.id, [a.id])
    stats = ctx.kb_stats(CITY_AGENT, 0, T0 + 1)
    assert stats.top == [(a.id, 1)]
    assert stats.misses == [("充电桩怎么报装", 1)]
    assert ctx.kb_stats(QINGDAO_AGENT, 0, T0 + 1) == powercrm.KbStats([], [])
