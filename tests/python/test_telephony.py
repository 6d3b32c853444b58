"""The telephony adapter from Python: CSTA-style events driving the ACD, rejected events
counted by kind, a Python switch table receiving requests (and failing them), the IVR
rules, the customer lookup and re-synchronisation from a snapshot."""

import pytest

import powercrm

T0 = 1796601600000

ACD_CONFIG = {
    "version": 1, "ring_timeout_s": 15, "max_misses": 2,
    "queues": [{"id": "billing", "wrap_up_s": 0}, {"id": "repair", "wrap_up_s": 0},
               {"id": "general", "wrap_up_s": 0}],
    "agents": [{"id": "a1", "skills": {"billing": 8, "general": 5}},
               {"id": "a2", "skills": {"billing": 3, "general": 5}},
               {"id": "a3", "skills": {"repair": 5}}],
}

IVR = {"rules": [{"dialled": "95598", "service": "billing", "queue": "billing"},
                 {"dialled": "95598", "digits_prefix": "2", "queue": "repair"}],
       "default_queue": "general"}


class RecordingSwitch:
    """Records every request; `fail` maps a request name to the results of its next calls."""

    def __init__(self):
        self.log = []
        self.fail = {}

    def _result(self, kind):
        pending = self.fail.get(kind)
        return pending.pop(0) if pending else None

    def route(self, call_id, device_id, agent_id):
        self.log.append(("route", call_id, device_id, agent_id))
        return self._result("route")

    def hold(self, call_id, device_id):
        self.log.append(("hold", call_id, device_id))
        return self._result("hold")

    def snapshot(self):
        self.log.append(("snapshot",))
        return self._result("snapshot")


@pytest.fixture
def world():
    acd = powercrm.Acd(ACD_CONFIG, clock=T0)
    sw = RecordingSwitch()
    tel = powercrm.Telephony(acd, sw, clock_from_events=True)
    tel.set_ivr_rules(IVR)
    yield acd, sw, tel
    tel.close()
    acd.close()


def agent_on(tel, agent, device, at=T0):
    tel.feed(type="agent_logged_on", agent_id=agent, device_id=device, at=at)
    tel.feed({"type": "agent_ready", "device_id": device, "at": at})


def incoming(tel, call, service="billing", at=T0, digits=None):
    tel.feed(type="offered", call_id=call, device_id="rp", caller_number="13800000001",
             dialled_number="95598", at=at)
    tel.feed(type="queued", call_id=call, device_id="rp", service=service, digits=digits, at=at)


def test_a_call_goes_offered_delivered_established_cleared(world):
    acd, sw, tel = world
    agent_on(tel, "a1", "2001")
    incoming(tel, "c1")
    assert sw.log == [("route", "c1", "2001", "a1")]
    assert tel.call("c1")["state"] == "queued" and tel.call("c1")["queue_id"] == "billing"
    assert tel.agent_device("a1") == "2001"
    tel.feed(type="delivered", call_id="c1", device_id="2001", at=T0 + 1000)
    assert tel.call("c1")["state"] == "alerting"
    tel.feed(type="established", call_id="c1", device_id="2001", at=T0 + 5000)
    c = tel.call("c1")
    assert (c["state"], c["agent_id"], c["device_id"]) == ("connected", "a1", "2001")
    assert acd.call("c1")["state"] == "talking"
    tel.feed(type="connection_cleared", call_id="c1", device_id="2001", at=T0 + 65000)
    tel.feed(type="call_cleared", call_id="c1", at=T0 + 65000)
    with pytest.raises(powercrm.NotFound):
        tel.call("c1")
    q = acd.queue_stats("billing")["total"]
    assert q["offered"] == 1 and q["answered"] == 1 and q["handled"] == 1
    assert q["wait_answered_ms"] == 5000 and q["talk_ms"] == 60000
    st = tel.stats()
    assert st["events_rejected"] == 0 and st["calls_live"] == 0
    assert st["events_by_type"]["established"] == 1 and st["requests_sent"] == 1
    assert st["events_accepted"] == 8


def test_rejected_events_raise_and_are_counted_by_kind(world):
    acd, sw, tel = world
    agent_on(tel, "a1", "2001")
    with pytest.raises(powercrm.NotFound) as e:
        tel.feed(type="delivered", call_id="nobody", device_id="2001", at=T0)
    assert e.value.reject == "unknown_call"
    incoming(tel, "c1")
    with pytest.raises(powercrm.WrongState) as e:
        tel.feed(type="established", call_id="c1", device_id="2001", at=T0)
    assert e.value.reject == "out_of_order"
    tel.feed(type="delivered", call_id="c1", device_id="2001", at=T0 + 10)
    with pytest.raises(powercrm.WrongState) as e:
        tel.feed(type="delivered", call_id="c1", device_id="2001", at=T0 + 5)
    assert e.value.reject == "time"
    assert tel.call("c1")["state"] == "alerting"  # nothing changed
    with pytest.raises(powercrm.InvalidInput):
        tel.feed(type="no_such_event", call_id="c1")
    with pytest.raises(powercrm.InvalidInput):
        tel.feed(type="delivered", call_id="c1", colour="red")
    st = tel.stats()
    assert st["rejected"]["unknown_call"] == 1
    assert st["rejected"]["out_of_order"] == 1
    assert st["rejected"]["time"] == 1
    assert st["events_rejected"] == 3


def test_a_failed_route_puts_the_call_back_in_the_queue(world):
    acd, sw, tel = world
    agent_on(tel, "a1", "2001")
    sw.fail["route"] = ["refused", powercrm.lowlevel.PCRM_TEL_REFUSED]
    incoming(tel, "c1")
    assert len(sw.log) == 2
    assert acd.agent("a1")["state"] == "not_ready"  # max_misses reached, not left reserved
    assert acd.call("c1")["state"] == "waiting"
    assert tel.call("c1")["state"] == "queued"
    st = tel.stats()
    assert st["routes_failed"] == 2 and st["requests_failed"]["refused"] == 2
    agent_on(tel, "a2", "2002")
    assert sw.log[-1] == ("route", "c1", "2002", "a2")


def test_a_switch_method_that_raises_is_refused_and_reraised(world):
    acd, sw, tel = world

    def broken(call_id, device_id, agent_id):
        raise RuntimeError("pbx link broke")
    sw.route = broken
    acd2 = powercrm.Acd(ACD_CONFIG, clock=T0)
    tel2 = powercrm.Telephony(acd2, sw)
    try:
        tel2.set_ivr_rules(IVR)
        agent_on(tel2, "a1", "2001")
        with pytest.raises(RuntimeError, match="pbx link broke"):
            incoming(tel2, "c1")
        # each raise is a refusal: retried until max_misses (2) sets a1 not ready
        assert tel2.stats()["routes_failed"] == 2
        assert acd2.agent("a1")["state"] == "not_ready"
        assert tel2.call("c1")["state"] == "queued"
    finally:
        tel2.close()
        acd2.close()


def test_requests_reach_the_switch_and_missing_ones_are_unsupported(world):
    acd, sw, tel = world
    agent_on(tel, "a1", "2001")
    incoming(tel, "c1")
    tel.feed(type="delivered", call_id="c1", device_id="2001", at=T0)
    with pytest.raises(powercrm.WrongState):
        tel.hold("c1")  # not connected yet: nothing sent
    tel.feed(type="established", call_id="c1", device_id="2001", at=T0 + 1)
    tel.hold("c1")
    assert sw.log[-1] == ("hold", "c1", "2001")
    sw.fail["hold"] = ["busy"]
    with pytest.raises(powercrm.WrongState, match="busy"):
        tel.hold("c1")
    with pytest.raises(powercrm.Unsupported):
        tel.record_start("c1")
    assert tel.stats()["requests_unsupported"] == 1


def test_ivr_rules_and_customer_lookup(world):
    acd, sw, tel = world
    agent_on(tel, "a3", "2003")
    tel.set_customer_lookup(lambda caller: {"customer_no": "3701000001", "vip_level": 3}
                            if caller == "13800000001" else None)
    incoming(tel, "c1", service=None, digits="21")
    c = tel.call("c1")
    assert c["queue_id"] == "repair" and c["customer_no"] == "3701000001"
    assert sw.log[-1] == ("route", "c1", "2003", "a3")
    with pytest.raises(powercrm.InvalidInput, match="nowhere"):
        tel.set_ivr_rules({"rules": [{"dialled": "1", "queue": "nowhere"}]})
    incoming(tel, "c2", service="billing")  # the previous rules stay
    assert tel.call("c2")["queue_id"] == "billing"


def test_resync_from_a_snapshot(world):
    acd, sw, tel = world
    agent_on(tel, "a1", "2001")
    incoming(tel, "gone")

    def snapshot():
        sw.log.append(("snapshot",))
        tel.snapshot_begin()
        tel.snapshot_agent("a1", "2001", "ready")
        tel.snapshot_call("c9", "queued", "rp", caller_number="13800000009",
                          dialled_number="95598", service="billing", since=T0)
        report.update(tel.snapshot_end())
    report = {}
    sw.snapshot = snapshot
    tel.resync()
    assert report["calls_ended"] == 1 and report["calls_restored"] == 1
    with pytest.raises(powercrm.NotFound):
        tel.call("gone")
    assert tel.call("c9")["queue_id"] == "billing"
    assert tel.stats()["resyncs"] == 1


def test_an_in_process_switch_feeds_events_back_from_its_methods_and_threads():
    """route() feeds "delivered" and "established" synchronously (re-entering the runtime
    with the GIL held), from two Python threads at once."""
    import threading
    agents = [{"id": "a%d" % i, "skills": {"billing": 5}} for i in range(8)]
    acd = powercrm.Acd({"version": 1, "queues": [{"id": "billing", "wrap_up_s": 0}],
                        "agents": agents})

    class InProcess:
        tel = None

        def route(self, call_id, device_id, agent_id):
            self.tel.feed(type="delivered", call_id=call_id, device_id=device_id)
            self.tel.feed(type="established", call_id=call_id, device_id=device_id)

    sw = InProcess()
    tel = powercrm.Telephony(acd, sw)
    sw.tel = tel
    try:
        tel.set_ivr_rules({"rules": [], "default_queue": "billing"})
        for i in range(8):
            tel.feed(type="agent_logged_on", agent_id="a%d" % i, device_id="d%d" % i)
            tel.feed(type="agent_ready", device_id="d%d" % i)
        errors = []

        def calls(prefix):
            try:
                for i in range(4):
                    cid = "%s%d" % (prefix, i)
                    tel.feed(type="offered", call_id=cid, device_id="rp", dialled_number="95598")
                    tel.feed(type="queued", call_id=cid, device_id="rp")
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)
        threads = [threading.Thread(target=calls, args=(p,)) for p in ("x", "y")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert all(tel.call("%s%d" % (p, i))["state"] == "connected"
                   for p in ("x", "y") for i in range(4))
        assert acd.queue_stats("billing")["total"]["answered"] == 8
        assert tel.stats()["events_rejected"] == 0
    finally:
        tel.close()
        acd.close()
