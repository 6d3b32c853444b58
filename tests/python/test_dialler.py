"""The voice campaign dialler through the bindings, on both backends, with a simulated
switch in Python: pacing to ready agents, a VIP to a suitable agent, retries, statistics."""

from typing import List, Tuple

import pytest

import powercrm
from conftest import CITY_ADMIN, ROOT_ADMIN

JOB = powercrm.Actor("dialler-job", "system", 1, "37")
QINGDAO_JOB = powercrm.Actor("dialler-qd", "system", 1, "3702")
T0 = 1796601600000
ACD_CONFIG = {"version": 1, "ring_timeout_s": 15,
              "queues": [{"id": "notice", "wrap_up_s": 0}],
              "agents": [{"id": "n1", "skills": {"notice": 3}},
                         {"id": "n9", "skills": {"notice": 9}}]}
NO_QUIET = {"quiet_hours": (0, 0), "rate_limit": (0, 86400)}


class Switch:
    """Places calls and routes them; the test plays the customers and the agents."""

    def __init__(self) -> None:
        self.dialled: List[Tuple[str, str]] = []
        self.routed: List[Tuple[str, str]] = []

    def route(self, call_id: str, device_id: str, agent_id: str) -> None:
        self.routed.append((call_id, device_id))

    def make_call(self, call_id: str, device_id: str, destination: str) -> None:
        assert device_id == "port-1"
        self.dialled.append((call_id, destination))


@pytest.fixture
def world():
    acd = powercrm.Acd(ACD_CONFIG, clock=T0)
    sw = Switch()
    tel = powercrm.Telephony(acd, sw)
    dialler = powercrm.Dialler(acd, tel, "VOICE-1", queue_id="notice", device_id="port-1",
                               vip_min_level=8)
    yield acd, sw, dialler
    dialler.close()
    tel.close()
    acd.close()


def customer(ctx, no, digit, vip=0):
    ctx.customer_create(ROOT_ADMIN, {
        "customer_no": no, "kind": "person", "name": "王五", "usage_class": "residential",
        "voltage_level": "220V", "org_unit": "3701", "vip_level": vip,
        "phones": {"mobile": "1390013900%d" % digit}})


def campaign(ctx):
    ctx.campaign_create(CITY_ADMIN, {
        "id": "VOICE-1", "org_unit": "3701", "name": "外呼", "kind": "tariff_announcement",
        "template": "{name}：新电价1月1日起执行。", "schedule_at": "2020-01-01T09:00:00+08:00",
        "channels": ["voice"], "target": {}})
    return ctx.campaign_queue(CITY_ADMIN, "VOICE-1")


def play(dialler, sw, replies, at=[T0]):
    """The customers reply (by the number's last digit: "answer", "busy", "no_answer"), then
    the agents answer what was routed to them."""
    for call_id, number in sw.dialled:
        at[0] += 1000
        reply = replies.get(number[-1], "answer")
        if reply == "answer":
            dialler.feed(type="queued", call_id=call_id, device_id="rp", at=at[0])
        else:
            dialler.feed(type="failed", call_id=call_id, device_id="port-1", reason=reply,
                         at=at[0])
            dialler.feed(type="call_cleared", call_id=call_id, at=at[0])
    sw.dialled.clear()
    for call_id, device in sw.routed:
        dialler.feed(type="delivered", call_id=call_id, device_id=device, at=at[0])
        dialler.feed(type="established", call_id=call_id, device_id=device, at=at[0])
    sw.routed.clear()


def test_paced_vip_to_suitable_agent_and_stats(ctx, world):
    acd, sw, dialler = world
    customer(ctx, "V1", 1, vip=3)
    customer(ctx, "V2", 2)
    customer(ctx, "V3", 3)
    assert campaign(ctx) == 3
    p = dialler.run(ctx, JOB, **NO_QUIET)
    assert p.capacity == 0 and sw.dialled == []  # nobody ready
    for agent in ("n1", "n9"):
        dialler.feed(type="agent_logged_on", agent_id=agent, device_id="d-" + agent, at=T0)
        dialler.feed(type="agent_ready", device_id="d-" + agent, at=T0)
    p = dialler.run(ctx, JOB, **NO_QUIET)
    assert (p.ready_agents, p.dialled) == (2, 2)
    assert dialler.in_progress == 2
    play(dialler, sw, {"2": "busy"})
    p = dialler.run(ctx, JOB, **NO_QUIET)
    assert isinstance(p, powercrm.DiallerPass) and p.results == 3  # answered, connected, busy
    assert p.dialled == 1  # V2 was busy: n1 is still ready, so V3 is called
    play(dialler, sw, {})
    assert dialler.run(ctx, JOB, **NO_QUIET).results == 2
    page = ctx.contact_list(JOB, "V1")
    # the VIP went to n9, although n1 had waited longer
    assert any("connected, agent n9" in c.summary for c in page.contacts)
    assert ctx.outbound_status(JOB, "VOICE-1/V2") == ("queued", 1)
    s = ctx.campaign_call_stats(JOB, "VOICE-1")
    assert s == powercrm.CampaignCallStats(dialled=3, no_answer=0, busy=1, answered=2,
                                           connected=2, abandoned=0)
    assert s.dialled == s.no_answer + s.busy + s.answered
    assert s.answered == s.connected + s.abandoned


def test_scope_and_bad_input(ctx, world):
    acd, sw, dialler = world
    customer(ctx, "V1", 1)
    campaign(ctx)
    with pytest.raises(powercrm.PermissionDenied):
        dialler.run(ctx, QINGDAO_JOB, **NO_QUIET)
    with pytest.raises(powercrm.PermissionDenied):
        ctx.campaign_call_stats(QINGDAO_JOB, "VOICE-1")
    with pytest.raises(powercrm.InvalidInput, match="options.pacing_percent"):
        powercrm.Dialler(acd, dialler._tel, "VOICE-1", queue_id="notice", device_id="p",
                         pacing_percent=0)
    with pytest.raises(powercrm.InvalidInput, match="max_attempts"):
        dialler.run(ctx, JOB, max_attempts=0, **NO_QUIET)
    assert sw.dialled == []


def test_results_recorded_as_they_arrive_and_a_dead_dialler_settled(ctx, clock, world):
    acd, sw, dialler = world
    customer(ctx, "V1", 1)
    customer(ctx, "V2", 2)
    campaign(ctx)
    for agent in ("n1", "n9"):
        dialler.feed(type="agent_logged_on", agent_id=agent, device_id="d-" + agent, at=T0)
        dialler.feed(type="agent_ready", device_id="d-" + agent, at=T0)
    assert dialler.run(ctx, JOB, **NO_QUIET).dialled == 2
    (first, _), (second, _) = sw.dialled
    # stored with the event: the status moves without a run
    dialler.record(ctx, JOB, {"type": "failed", "call_id": first, "device_id": "port-1",
                              "reason": "busy", "at": T0 + 1000}, **NO_QUIET)
    dialler.record(ctx, JOB, {"type": "call_cleared", "call_id": first, "at": T0 + 1000},
                   **NO_QUIET)
    assert ctx.outbound_status(JOB, "VOICE-1/V1") == ("queued", 1)
    with pytest.raises(powercrm.PermissionDenied):
        dialler.record(ctx, QINGDAO_JOB, {"type": "call_cleared", "call_id": second,
                                          "at": T0 + 2000}, **NO_QUIET)
    # the dialler dies with V2's call ringing; a new one waits out its lease, then settles it
    tel = powercrm.Telephony(acd, Switch())
    again = powercrm.Dialler(acd, tel, "VOICE-1", queue_id="notice", device_id="port-1")
    try:
        with pytest.raises(powercrm.Error, match="another dialler holds it"):
            again.run(ctx, JOB, **NO_QUIET)
        clock.t += 60
        assert again.run(ctx, JOB, **NO_QUIET).results == 1  # V2's call, once
        assert again.run(ctx, JOB, **NO_QUIET).results == 0
        assert ctx.outbound_status(JOB, "VOICE-1/V2") == ("queued", 1)
        assert ctx.campaign_calls_unknown(JOB, "VOICE-1") == 1
    finally:
        again.close()
        tel.close()


def test_predictive_settings_and_pace(ctx, world):
    acd, sw, dialler = world
    customer(ctx, "V1", 1)
    campaign(ctx)
    with pytest.raises(powercrm.InvalidInput, match="predictive.target_abandon_permille"):
        dialler.set_predictive(target_abandon_permille=0)
    dialler.set_predictive(target_abandon_permille=30, min_observations=10)
    dialler.feed(type="agent_logged_on", agent_id="n1", device_id="d-n1", at=T0)
    dialler.feed(type="agent_ready", device_id="d-n1", at=T0)
    dialler.run(ctx, JOB, **NO_QUIET)
    pace = dialler.pace
    assert isinstance(pace, powercrm.DiallerPace)
    # no settled call yet: too few observations, so progressive
    assert (pace.mode, pace.capacity, pace.observations) == ("progressive", 1, 0)
    assert ctx.campaign_calls_unknown(JOB, "VOICE-1") == 0
    dialler.set_predictive(False)
