"""The ACD engine from Python: routing, states, statistics, events as dicts, the poll
iterator, the manual clock, errors, and CDRs through Python and store-backed sinks."""

import threading

import pytest

import powercrm
from conftest import DATA_KEY, MONITOR, ROOT_ADMIN, make_tree

T0 = 1795395600000  # 2026-11-23T09:00:00+08:00 in ms

CONFIG = {
    "version": 1,
    "queues": [{"id": "billing", "wrap_up_s": 0},
               {"id": "repair", "strategy": "highest_skill", "wrap_up_s": 30}],
    "agents": [{"id": "1001", "skills": {"billing": 5, "repair": 3}},
               {"id": "1002", "skills": {"repair": 8}}],
}

SYSTEM = powercrm.Actor("acd-sink", "system", 1, "37")

@pytest.fixture
def acd():
    with powercrm.Acd(CONFIG, clock=T0) as a:
        yield a

def test_a_call_is_offered_answered_and_ended(acd):
    acd.login("1001")
    acd.ready("1001")
    assert acd.agent("1001")["state"] == "ready"
    assert acd.arrive("c-1", "billing", caller_number="13800138000",
                      customer_no="3701000001") == "offered"
    assert acd.agent("1001") == {"agent_id": "1001", "state": "reserved", "reason": "",
                                 "call_id": "c-1", "state_since": T0, "consecutive_misses": 0}
    acd.clock.advance(4000)
    acd.answer("c-1", "1001")
    call = acd.call("c-1")
    assert call["state"] == "talking" and call["agent_id"] == "1001"
    assert call["arrived_at"] == T0
    acd.clock.advance(60000)
    acd.hangup("c-1")
    assert acd.agent("1001")["state"] == "ready"  # billing has no wrap-up
    with pytest.raises(powercrm.NotFound):
        acd.call("c-1")
    stats = acd.queue_stats("billing")
    assert stats["total"]["offered"] == 1 and stats["total"]["answered"] == 1
    assert stats["total"]["answered_in_target"] == 1
    assert stats["total"]["wait_answered_ms"] == 4000
    assert stats["total"]["service_level"] == 1.0
    agent = acd.agent_stats("1001")
    assert agent["total"]["answered"] == 1 and agent["total"]["talk_ms"] == 60000
    assert agent["total"]["state_ms"]["talking"] == 60000
    assert acd.engine_stats()["calls_arrived"] == 1

def test_events_are_dicts_from_the_poll_iterator(acd):
    acd.login("1001")
    acd.ready("1001")
    acd.arrive("c-1", "billing", caller_number="13800138000", customer_no="3701000001")
    events = list(acd.events())
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    offered = [e for e in events if e["type"] == "call_offered"]
    assert offered == [{"type": "call_offered", "seq": offered[0]["seq"], "at": T0, "call": "c-1",
                        "agent": "1001", "queue": "billing", "caller_number": "13800138000",
                        "customer_no": "3701000001", "priority": 0, "wait_ms": 0}]
    assert {"type": "agent_state", "agent": "1001", "state": "ready", "previous": "not_ready",
            "seq": 2, "at": T0} in events
    assert acd.poll() == []
    assert list(acd.events(timeout_ms=10)) == []

def test_event_callback_and_its_exception(acd):
    seen = []
    acd.on_event(seen.append)
    acd.login("1001")
    assert [e["type"] for e in seen] == ["agent_state"]

    def boom(event):
        raise RuntimeError("desktop crashed")
    acd.on_event(boom)
    with pytest.raises(RuntimeError, match="desktop crashed"):
        acd.ready("1001")
    assert acd.agent("1001")["state"] == "ready", "the engine call itself went through"
    acd.on_event(None)
    acd.logout("1001")

def test_building_through_the_api_and_rules():
    with powercrm.Acd(clock=powercrm.ManualClock(T0), ring_timeout_s=10,
                      event_queue_capacity=0) as acd:
        acd.add_queue("vip", strategy="round_robin", wrap_up_s=0)
        acd.add_queue("general", rules=[{"after_s": 30, "action": "add_queue", "value": 1,
                                         "queue_id": "vip"}], wrap_up_s=0)
        acd.add_agent("a1", {"vip": 9})
        acd.add_reason("coaching")
        with pytest.raises(powercrm.Duplicate):
            acd.add_reason("training")
        acd.login("a1")
        acd.not_ready("a1", "coaching")
        assert acd.agent("a1")["reason"] == "coaching"
        acd.ready("a1")
        acd.not_ready("a1", "training")
        assert acd.arrive("c-1", "general") == "queued"
        acd.ready("a1")
        assert acd.agent("a1")["state"] == "ready", "a1 is not a member of general yet"
        acd.clock.advance(30000)
        acd.tick()
        assert acd.agent("a1")["state"] == "reserved", "the rule added vip after 30 s"
        with pytest.raises(powercrm.Unsupported):
            acd.poll()
        with pytest.raises(powercrm.InvalidInput, match="no_agent"):
            acd.add_queue("x", no_agent="sometimes")
        with pytest.raises(powercrm.InvalidInput, match="strategy"):
            acd.add_queue("x", strategy="loudest")
        with pytest.raises(powercrm.InvalidInput, match=r"rules\[0\]"):
            acd.add_queue("x", rules=[{"after": 1}])
        with pytest.raises(powercrm.InvalidInput, match=r"skills\[0\]"):
            acd.add_agent("a2", [("vip",)])

def test_errors_raise_the_library_exceptions(acd):
    with pytest.raises(powercrm.NotFound, match="agent"):
        acd.login("nobody")
    acd.login("1001")
    acd.ready("1001")
    acd.arrive("c-1", "billing")
    with pytest.raises(powercrm.WrongState):
        acd.ready("1001")  # reserved
    with pytest.raises(powercrm.WrongState):
        acd.answer("c-1", "1002")  # never offered to 1002
    with pytest.raises(powercrm.Duplicate):
        acd.arrive("c-1", "billing")
    with pytest.raises(powercrm.InvalidInput, match="priority"):
        acd.arrive("c-2", "billing", priority=12)
    assert acd.engine_stats()["invalid_requests"] == 5
    with pytest.raises(powercrm.InvalidInput, match=r"queues\[0\]"):
        powercrm.Acd({"version": 1, "queues": [{"id": "q", "sl_percent": 0}]})
    with pytest.raises(TypeError):
        powercrm.Acd(CONFIG, clock=lambda: 0)

def test_supervisor_actions_check_the_actor(acd):
    acd.add_org_unit("37")
    agent = powercrm.Actor("agent-1", "agent", 1, "37")
    acd.login("1002")
    with pytest.raises(powercrm.PermissionDenied):
        acd.force_logout(agent, "1002")
    acd.force_state(MONITOR, "1002", "ready")
    assert acd.agent("1002")["state"] == "ready"
    acd.arrive("c-1", "repair")
    acd.answer("c-1", "1002")
    acd.supervise(MONITOR, "1002", "whisper")
    assert any(e["type"] == "supervise" and e["mode"] == "whisper" for e in acd.events())
    with pytest.raises(powercrm.InvalidInput, match="mode"):
        acd.supervise(MONITOR, "1002", "shout")

def test_supervisor_actions_tell_nothing_about_other_units(acd):
    """An id of another unit and an id nobody has: one exception, one message (issue 18)."""
    acd.add_org_unit("37")
    acd.add_org_unit("3701", "37")
    acd.add_org_unit("3702", "37")
    acd.add_agent("q-1", {"repair": 5}, org_unit="3702")
    acd.add_queue("jn", org_unit="3701")
    acd.add_queue("qd", org_unit="3702")
    acd.arrive("w-1", "jn")
    elsewhere = powercrm.Actor("mon-jn", "monitor", 1, "3701")

    def refusal(action, *args):
        with pytest.raises(powercrm.PermissionDenied) as e:
            action(elsewhere, *args)
        return e.value.reason, str(e.value)

    for action in (acd.force_logout, lambda a, i: acd.supervise(a, i, "monitor"),
                   lambda a, i: acd.force_state(a, i, "ready")):
        assert refusal(action, "q-1") == refusal(action, "q-9")
    assert refusal(acd.force_logout, "q-9")[0] == "permission.denied"
    assert refusal(acd.move_call, "w-1", "qd") == refusal(acd.move_call, "w-1", "nowhere")
    assert acd.call("w-1")["queue_id"] == "jn"
    assert acd.agent("q-1")["state"] == "logged_out"

def test_intervals_and_wrap_up(acd):
    acd.login("1002")
    acd.ready("1002")
    acd.arrive("c-1", "repair")
    acd.answer("c-1", "1002")
    acd.clock.advance(20000)
    acd.hangup("c-1")
    assert acd.agent("1002")["state"] == "wrap_up"
    acd.clock.advance(30 * 60 * 1000)
    acd.tick()
    assert acd.agent("1002")["state"] == "ready"
    done = acd.queue_interval("repair", 0)
    assert done["answered"] == 1 and done["start"] == T0 - T0 % (30 * 60 * 1000)
    assert acd.agent_interval("1002", 0)["handled"] == 1
    with pytest.raises(powercrm.NotFound):
        acd.queue_interval("repair", 5)

def test_python_cdr_sink_keeps_cdrs_pending_when_it_raises(acd):
    got = []
    fail = [True]

    def sink(cdrs):
        if fail[0]:
            raise ConnectionError("store down")
        got.extend(cdrs)
    acd.set_cdr_sink(sink)
    acd.login("1001")
    acd.ready("1001")
    acd.arrive("c-1", "billing", customer_no="3701000001")
    acd.answer("c-1", "1001")
    acd.clock.advance(5000)
    acd.hangup("c-1")
    with pytest.raises(ConnectionError):
        acd.flush_cdrs()
    assert acd.engine_stats()["cdrs_pending"] == 1
    fail[0] = False
    assert acd.flush_cdrs() == 1
    assert acd.flush_cdrs() == 0
    assert got[0]["call_id"] == "c-1" and got[0]["outcome"] == "answered"
    assert got[0]["talk_ms"] == 5000 and got[0]["short_abandon"] is False

def test_threads_share_one_engine():
    with powercrm.Acd({"version": 1, "queues": [{"id": "q", "wrap_up_s": 0}],
                       "agents": [{"id": "a%d" % i, "skills": {"q": 1}} for i in range(4)]},
                      clock=T0) as acd:
        for i in range(4):
            acd.login("a%d" % i)
            acd.ready("a%d" % i)
        errors = []

        def worker(n):
            try:
                for k in range(200):
                    cid = "c-%d-%d" % (n, k)
                    if acd.arrive(cid, "q") == "offered":
                        agent = acd.call(cid)["agent_id"]
                        acd.answer(cid, agent)
                    acd.hangup(cid)
            except Exception as e:  # noqa: BLE001
                errors.append(e)
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        s = acd.engine_stats()
        assert s["calls_arrived"] == 800 and s["calls_live"] == 0
        q = acd.queue_stats("q")["total"]
        assert q["answered"] + q["abandoned"] == 800

def test_closed_engine_raises(acd):
    acd.close()
    with pytest.raises(powercrm.ClosedError):
        acd.tick()
    acd.close()

# ---- the store-backed sink ---------------------------------------------------------------

@pytest.fixture
def kctx(store_uri, clock):
    with powercrm.open(store_uri, clock=clock, data_key=DATA_KEY) as c:
        make_tree(c)
        c.customer_create(ROOT_ADMIN, {"customer_no": "3701000001", "kind": "person",
                                       "name": "张三", "usage_class": "residential",
                                       "voltage_level": "220V", "org_unit": "37010201"})
        yield c

def test_store_sink_records_calls_and_contacts(acd, kctx):
    sink = kctx.call_record_sink(SYSTEM, business_code="ACD")
    acd.set_cdr_sink(sink)
    acd.login("1001")
    acd.ready("1001")
    acd.arrive("c-1", "billing", caller_number="+8613800138000", customer_no="3701000001")
    acd.clock.advance(3000)
    acd.answer("c-1", "1001")
    acd.clock.advance(61000)
    acd.hangup("c-1")
    acd.not_ready("1001", "missed")
    acd.arrive("c-2", "billing", caller_number="053188888888")
    acd.clock.advance(2000)
    acd.hangup("c-2")

    assert acd.flush_cdrs() == 2
    assert sink.stats()["stored"] == 2 and sink.stats()["contacts"] == 1
    page = kctx.call_record_list(MONITOR)
    assert [r.cdr["call_id"] for r in page] == ["c-2", "c-1"]
    c1 = page[1]
    assert c1.org_unit == "37010201" and c1.cdr["caller_number"] == "1380***8000"
    assert c1.cdr["wait_ms"] == 3000 and c1.cdr["outcome"] == "answered"
    assert c1.contact_id is not None and c1.stored_by == "acd-sink"
    assert page[0].cdr["short_abandon"] is True and page[0].contact_id is None
    contact = kctx.contact_list(ROOT_ADMIN, "3701000001").contacts[0]
    assert contact.id == c1.contact_id
    assert contact.log_line.startswith(
        "2026-11-23T09:00:00+08:00;3701000001;13800138000;1001;61;ACD;来电接通")
    assert [r.cdr["call_id"] for r in kctx.call_records(MONITOR, caller_number="138 0013 8000",
                                                        page=1)] == ["c-1"]
    with pytest.raises(powercrm.PermissionDenied):
        kctx.call_record_list(powercrm.Actor("agent-jn", "agent", 1, "3701"))
    assert [a.action for a in kctx.audit_list(ROOT_ADMIN)].count("call_record.store") == 1

def test_store_sink_on_a_closed_context_keeps_cdrs_pending(acd, kctx, store_uri, clock):
    sink = kctx.call_record_sink(SYSTEM)
    acd.set_cdr_sink(sink)
    acd.login("1001")
    acd.ready("1001")
    acd.arrive("c-1", "billing", customer_no="3701000001")
    acd.answer("c-1", "1001")
    acd.hangup("c-1")
    kctx.close()
    with pytest.raises(powercrm.ClosedError):
        acd.flush_cdrs()
    assert acd.engine_stats()["cdrs_pending"] == 1
    with powercrm.open(store_uri, clock=clock, data_key=DATA_KEY) as again:
        acd.set_cdr_sink(again.call_record_sink(SYSTEM))
        assert acd.flush_cdrs() == 1
        assert acd.flush_cdrs() == 0
        assert len(again.call_record_list(MONITOR)) == 1

def test_store_sink_needs_a_data_key_and_a_writer(kctx, store_uri, clock):
    with pytest.raises(powercrm.PermissionDenied, match="contact.write"):
        kctx.call_record_sink(MONITOR)
    with pytest.raises(powercrm.InvalidInput, match="business_code"):
        kctx.call_record_sink(SYSTEM, business_code="not a code")
    with powercrm.open(store_uri, clock=clock) as keyless:
        with pytest.raises(powercrm.PermissionDenied, match="data_key"):
            keyless.call_record_sink(SYSTEM)


def test_dropped_engines_clocks_and_sinks_are_freed(kctx):
    import gc
    gc.collect()
    before = powercrm.live_handles()
    for i in range(50):
        a = powercrm.Acd(CONFIG, clock=T0)
        a.on_event(lambda e, a=a: a.engine_stats())  # a cycle through the callback
        a.set_cdr_sink(kctx.call_record_sink(SYSTEM))
        a.login("1001")
        del a
    gc.collect()
    assert powercrm.live_handles() == before
