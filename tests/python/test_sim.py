"""The simulated switch from Python: a run, determinism, replaying a call log
against two staffing plans, errors, shift stretches."""

import pytest

import powercrm

ACD = {"version": 1, "event_queue_capacity": 0,
       "queues": [{"id": "q", "wrap_up_s": 0}, {"id": "r", "wrap_up_s": 0}],
       "agents": [{"id": "a%d" % i, "skills": {"q": 5, "r": 3}} for i in range(16)]}


def agents(n):
    return [powercrm.SimAgent("a%d" % i) for i in range(n)]


def day(n, seed=11):
    q = powercrm.SimQueue("q", calls=[100] * 48, talk=powercrm.Dist.exponential(180),
                          patience=powercrm.Dist.exponential(120), transfer_p=0.05,
                          transfer_queue_id="r")
    r = powercrm.SimQueue("r", calls=[10] * 48, talk=powercrm.Dist.lognormal(200, 80))
    sim = powercrm.Simulation(ACD, [q, r], agents(n), seed=seed, start=1796601600000,
                              answer_delay=powercrm.Dist.fixed(1.5))
    return sim.run()


def test_a_day_reports_what_the_acd_measured():
    with day(14) as sim:
        st = sim.stats
        assert st.events_rejected == 0
        assert 4500 < st.calls < 5400 and st.transfers > 100 and st.abandons > 0
        q = sim.queue("q")
        total = q["total"]
        assert total["offered"] == total["answered"] + total["abandoned"]
        assert 0.5 < total["service_level"] <= 1.0
        # the last calls end after midnight: all 48 half-hours have closed
        assert len(q["intervals"]) == 48
        assert q["intervals"][0][0] == 1796601600000
        assert sum(c["offered"] for _, c in q["intervals"]) <= total["offered"]
        cdrs = sim.cdrs()
        assert len(cdrs) == st.cdrs
        assert all(c["wait_ms"] >= 1500 for c in cdrs if c["outcome"] == "answered")
        with pytest.raises(KeyError):
            sim.queue("nope")
        with pytest.raises(powercrm.WrongState):
            sim.run()


def test_same_seed_same_result():
    a, b = day(12, seed=5), day(12, seed=5)
    assert a.cdrs() == b.cdrs()
    assert a.queue("q") == b.queue("q")
    assert a.stats == b.stats
    assert day(12, seed=6).cdrs() != a.cdrs()


def test_replay_a_call_log_against_two_staffing_plans():
    # a recorded day: take the CDRs of one run and replay them as a call log
    with day(14) as recorded:
        calls = [c for c in recorded.cdrs() if c["first_queue_id"] == "q"
                 and c["queue_id"] == "q"]
    start = 1796601600000
    log = sorted(((c["arrived_at"] - start) / 1000.0,
                  (c["talk_ms"] or 180000) / 1000.0,
                  c["wait_ms"] / 1000.0 if c["outcome"] == "abandoned" else -1.0)
                 for c in calls)
    queues = [powercrm.SimQueue("q", log=tuple(log))]
    lean, rich = powercrm.replay_compare(ACD, queues, [agents(11), agents(16)], seed=3,
                                         start=start)
    assert lean["q"]["offered"] == rich["q"]["offered"] == len(log)
    assert rich["q"]["service_level"] > lean["q"]["service_level"]
    assert rich["q"]["abandoned"] < lean["q"]["abandoned"]


def test_bad_configuration_raises():
    with pytest.raises(powercrm.NotFound, match=r"queues\[0\].queue_id"):
        powercrm.Simulation(ACD, [powercrm.SimQueue("nope", calls=[1])], agents(1))
    with pytest.raises(powercrm.InvalidInput, match=r"talk.mean_s"):
        powercrm.Simulation(ACD, [powercrm.SimQueue("q", calls=[1],
                                                    talk=powercrm.Dist.fixed(-1))], agents(1))
    with pytest.raises(powercrm.InvalidInput, match=r"log\[1\].at_s"):
        powercrm.Simulation(ACD, [powercrm.SimQueue("q", log=((5, 1, -1), (2, 1, -1)))],
                            agents(1))
    with pytest.raises(ValueError):
        powercrm.Simulation(ACD, [powercrm.SimQueue("q", log=(("x", 1, 1),))], agents(1))
    with pytest.raises(TypeError):  # the C layer checks what reaches it too
        powercrm.lowlevel.pcrm_py_sim_new("{}", {"queues": [{"log": [(1, 2)]}], "agents": []})


def test_shift_stretches():
    night = powercrm.Shift(start=44, length=16)
    assert powercrm.shift_stretches(night, 48, 1800, cyclic=True) == [(0.0, 21600.0),
                                                                       (79200.0, 86400.0)]
    with pytest.raises(powercrm.InvalidInput):
        powercrm.shift_stretches(powercrm.Shift(start=50, length=2), 48, 1800)
