"""The workflow engine through the bindings, on both backends."""

import os

import pytest

import powercrm
from conftest import CALENDARS, CITY_AGENT, CITY_CLERK, MONITOR, ROOT_ADMIN, SOURCE_ROOT, T0

HOUR = 3600
SYSTEM = powercrm.Actor("tick", "system", 1, "37")
LEAD = powercrm.Actor("lead-jn", "agent", 3, "3701")

DEF = {
    "name": "callback", "title": "回电",
    "states": [
        {"name": "open", "initial": True,
         "limit": {"hours": 2, "warn_percent": 50, "on_expiry": {"flag": True, "escalate": True}}},
        {"name": "waiting", "pause": True},
        {"name": "done", "final": True},
    ],
    "transitions": [
        {"event": "call", "from": "open", "to": "done", "guard": {"require": ["result"]}},
        {"event": "wait", "from": "open", "to": "waiting"},
        {"event": "back", "from": "waiting", "to": "open"},
    ],
}


def shipped(name):
    with open(os.path.join(SOURCE_ROOT, "data", "workflows", name + ".json"),
              encoding="utf-8") as f:
        return f.read()


def calendar():
    with open(os.path.join(CALENDARS, "cn-2026.json"), encoding="utf-8") as f:
        return f.read()


@pytest.fixture
def wf(ctx):
    assert ctx.workflow_define(ROOT_ADMIN, DEF) == 1
    return ctx


def test_check_names_the_path():
    powercrm.workflow_check(DEF)
    bad = dict(DEF, transitions=DEF["transitions"] + [{"event": "x", "from": "open",
                                                        "to": "nowhere"}])
    with pytest.raises(powercrm.InvalidInput, match=r"transitions\[3\]\.to: unknown state"):
        powercrm.workflow_check(bad)
    for name in ("complaint", "fault-repair-urban", "new-connection-hv-dual"):
        powercrm.workflow_check(shipped(name), calendar())


def test_define_get_and_dot(wf):
    assert wf.workflow_define(ROOT_ADMIN, DEF) == 1
    w = wf.workflow_get(CITY_AGENT, "callback")
    assert (w.name, w.title, w.version, w.initial_state) == ("callback", "回电", 1, "open")
    assert w.states == ("open", "waiting", "done") and w.final_states == ("done",)
    assert w.document["name"] == "callback"
    assert "open -> done [label=\"call\"];" in w.dot
    with pytest.raises(powercrm.PermissionDenied):
        wf.workflow_define(CITY_AGENT, DEF)
    with pytest.raises(powercrm.NotFound):
        wf.workflow_get(CITY_AGENT, "callback", 2)


def test_open_fire_conflict_history_replay(wf):
    wo = wf.workorder_open(CITY_AGENT, "callback", "K1", "3701", data={"phone": "95598"})
    assert wo.state == "open" and wo.status == "open" and wo.version == 1
    assert wo.data == {"phone": "95598"} and wo.due_at == T0 + 2 * HOUR and not wo.overdue
    # the same open again (a retry) gives the same work order; other data with the key is refused
    again = wf.workorder_open(CITY_AGENT, "callback", "K1", "3701", data={"phone": "95598"})
    assert again.id == wo.id
    with pytest.raises(powercrm.Duplicate, match='"K1" is already open .* different data'):
        wf.workorder_open(CITY_AGENT, "callback", "K1", "3701")
    with pytest.raises(powercrm.Conflict):
        wf.workorder_fire(CITY_AGENT, wo.id, 2, "call", {"result": "ok"})
    with pytest.raises(powercrm.InvalidInput, match="data.result: required"):
        wf.workorder_fire(CITY_AGENT, wo.id, 1, "call")
    with pytest.raises(powercrm.WrongState, match="not possible"):
        wf.workorder_fire(CITY_AGENT, wo.id, 1, "back")
    done = wf.workorder_fire(CITY_AGENT, wo.id, 1, "call", {"result": "ok"}, "回电完成")
    assert done.status == "closed" and done.version == 2 and done.due_at is None
    history = wf.workorder_history(MONITOR, wo.id)
    assert [e.kind for e in history] == ["open", "fire"]
    assert history[1].event == "call" and history[1].note == "回电完成"
    assert history[1].from_state == "open" and history[1].to_state == "done"
    assert wf.workorder_replay(MONITOR, wo.id) == wf.workorder_get(MONITOR, wo.id)


def test_tick_and_supervision(wf):
    wo = wf.workorder_open(CITY_AGENT, "callback", "K1", "3701")
    seen = []
    assert wf.workorder_tick(SYSTEM, T0 + HOUR, progress=seen.append) == 1
    assert seen == [1]
    assert wf.workorder_tick(SYSTEM, T0 + HOUR) == 0
    assert wf.workorder_tick(SYSTEM, T0 + 2 * HOUR) == 1
    wo = wf.workorder_get(ROOT_ADMIN, wo.id)
    # escalated: the parent unit supervises it, the work order stays with its unit
    assert wo.overdue and wo.org_unit == "3701" and wo.escalations == 1
    wo = wf.workorder_remind(ROOT_ADMIN, wo.id, "请尽快回电")
    assert wo.reminders == 1
    wo = wf.workorder_reassign(ROOT_ADMIN, wo.id, wo.version, owner="agent-jn", org_unit="3701")
    assert wo.owner == "agent-jn" and wo.org_unit == "3701"
    wo = wf.workorder_suspend(LEAD, wo.id, wo.version)
    assert wo.suspended
    wo = wf.workorder_resume(LEAD, wo.id, wo.version)
    wf.workorder_comment(CITY_AGENT, wo.id, "客户不在家")
    other = wf.workorder_open(CITY_AGENT, "callback", "K2", "3701")
    wf.workorder_link(CITY_AGENT, wo.id, other.id, "spawned")
    with pytest.raises(powercrm.Duplicate):
        wf.workorder_link(CITY_AGENT, wo.id, other.id, "spawned")
    wo = wf.workorder_withdraw(LEAD, wo.id, wo.version)
    assert wo.status == "cancelled"
    with pytest.raises(powercrm.PermissionDenied):
        wf.workorder_escalate(CITY_CLERK, other.id)
    assert wf.workorder_replay(ROOT_ADMIN, wo.id) == wf.workorder_get(ROOT_ADMIN, wo.id)


def test_notifications_are_claimed_and_acknowledged(wf):
    wo = wf.workorder_open(CITY_AGENT, "callback", "K1", "3701")
    assert wf.notification_claim(SYSTEM) == []
    wo = wf.workorder_remind(ROOT_ADMIN, wo.id, "请尽快回电")
    wf.workorder_reassign(ROOT_ADMIN, wo.id, wo.version, owner="agent-jn")
    claimed = wf.notification_claim(SYSTEM, limit=10, lease_seconds=30)
    assert [(n.kind, n.seq, n.org_unit, n.recipient) for n in claimed] == [
        ("remind", 2, "3701", None), ("reassign", 3, "3701", "agent-jn")]
    assert claimed[0].note == "请尽快回电" and claimed[0].attempts == 1
    assert claimed[0].id == wo.id + "/2" and claimed[0].work_order_id == wo.id
    assert isinstance(claimed[0], powercrm.Notification)
    assert wf.notification_claim(SYSTEM) == [], "leased"
    for n in claimed:
        wf.notification_ack(SYSTEM, n.id)
    wf.notification_ack(SYSTEM, claimed[0].id)  # again: a no-op
    # an id nobody has is refused like another unit's notification: no existence oracle
    with pytest.raises(powercrm.PermissionDenied, match="unknown or outside"):
        wf.notification_ack(SYSTEM, "nope/1")
    with pytest.raises(powercrm.InvalidInput):
        wf.notification_claim(SYSTEM, limit=0)


def test_queries_and_paging(wf):
    for i in range(5):
        wf.workorder_open(CITY_AGENT, "callback", "Q%d" % i, "3701")
    page = wf.workorder_query(ROOT_ADMIN, workflow="callback", limit=2)
    assert len(page) == 2 and page.next_cursor
    assert len(list(wf.workorder_iter(ROOT_ADMIN, page=2))) == 5
    assert len(wf.workorder_query(ROOT_ADMIN, due_within_minutes=120)) == 5
    assert len(wf.workorder_query(ROOT_ADMIN, due_within_minutes=60)) == 0
    assert len(wf.workorder_query(ROOT_ADMIN, overdue=True)) == 0
    assert len(wf.workorder_query(ROOT_ADMIN, state="waiting")) == 0
    assert len(wf.workorder_query(ROOT_ADMIN, org_unit="3702")) == 0
    with pytest.raises(powercrm.InvalidInput, match="cursor"):
        wf.workorder_query(ROOT_ADMIN, cursor="nope")


CLOCKED = {
    "name": "repair",
    "states": [
        {"name": "reported", "initial": True},
        {"name": "dispatched", "limit": {"minutes": 60, "levels": [
            {"percent": 80, "notify": {"operator": "lead-jn"}},
            {"percent": 150, "escalate": True}]}},
        {"name": "on_site"},
        {"name": "closed", "final": True},
    ],
    "transitions": [
        {"event": "dispatch", "from": "reported", "to": "dispatched"},
        {"event": "redispatch", "from": "dispatched", "to": "dispatched"},
        {"event": "arrive", "from": "dispatched", "to": "on_site"},
        {"event": "close", "from": "on_site", "to": "closed"},
    ],
    "clocks": [
        {"name": "arrival", "start": "opened", "stop": {"state": "on_site"},
         "limit": {"minutes": 45, "by_class": {"major": {"minutes": 30}}}},
    ],
}


def test_named_clocks_levels_and_classes(ctx, clock):
    ctx.workflow_define(ROOT_ADMIN, CLOCKED)
    plain = ctx.workorder_open(CITY_AGENT, "repair", "P1", "3701")
    assert plain.sla_class == "normal"
    assert plain.clocks["arrival"].due_at == T0 + 45 * 60
    assert plain.due_at == T0 + 45 * 60
    major = ctx.workorder_open(CITY_AGENT, "repair", "M1", "3701", sla_class="major")
    assert major.sla_class == "major" and major.clocks["arrival"].due_at == T0 + 30 * 60
    with pytest.raises(powercrm.InvalidInput, match="sla_class"):
        ctx.workorder_open(CITY_AGENT, "repair", "X1", "3701", sla_class="urgent")

    w = ctx.workorder_fire(CITY_AGENT, plain.id, plain.version, "dispatch")
    clock.t = T0 + 20 * 60
    w = ctx.workorder_fire(CITY_AGENT, w.id, w.version, "redispatch")
    assert w.clocks["arrival"].due_at == T0 + 45 * 60, "a re-dispatch does not restart it"
    # the state's 80 % level counts from the re-dispatch: 20 + 48 min; fired once
    assert ctx.workorder_tick(SYSTEM, T0 + 67 * 60) == 2  # both arrival clocks passed
    assert ctx.workorder_tick(SYSTEM, T0 + 68 * 60) == 1  # the 80 % level
    assert ctx.workorder_tick(SYSTEM, T0 + 68 * 60) == 0
    assert [e.kind for e in ctx.workorder_history(CITY_AGENT, w.id)][-2:] == ["level", "notify"]
    clock.t = T0 + 70 * 60
    w = ctx.workorder_get(CITY_AGENT, w.id)
    w = ctx.workorder_fire(CITY_AGENT, w.id, w.version, "arrive")
    arrival = w.clocks["arrival"]
    assert (arrival.result, arrival.seconds, arrival.due_at) == ("missed", -25 * 60, None)
    assert arrival.record["elapsed_seconds"] == 70 * 60

    major = ctx.workorder_get(CITY_AGENT, major.id)  # its arrival clock's expiry changed it
    m = ctx.workorder_reclassify(LEAD, major.id, major.version, "normal", note="一般")
    assert m.sla_class == "normal"
    with pytest.raises(powercrm.PermissionDenied):
        ctx.workorder_reclassify(CITY_AGENT, major.id, m.version, "major")
