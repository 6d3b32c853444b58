"""Staffing mathematics: the worked example of docs/staffing.md, curves, profiles, shift plans."""

import dataclasses
import threading
from decimal import Decimal as D

import pytest

import powercrm

Q = powercrm.Queue(calls=100, interval_s=1800, aht_s=180)
GOAL = powercrm.StaffingTarget(service_level=0.80, target_s=20, shrinkage=D("0.30"))


def test_erlang_formulas():
    assert powercrm.erlang_load(Q) == pytest.approx(10.0)
    assert powercrm.erlang_b(10, 14) == pytest.approx(0.0568, abs=1e-4)
    assert powercrm.erlang_b_lines(10, 0.02) == 17
    assert powercrm.erlang_c(10, 14) == pytest.approx(0.1741, abs=1e-4)
    m = powercrm.erlang_c_metrics(Q, 14, 20)
    assert isinstance(m, powercrm.QueueMetrics)
    assert m.service_level == pytest.approx(0.8884, abs=1e-4)
    assert m.asa_s == pytest.approx(7.8, abs=0.05)
    assert m.p_abandon == 0.0


def test_erlang_a():
    q = dataclasses.replace(Q, patience_s=60)
    m = powercrm.erlang_a_metrics(q, 11, 20)
    assert m.service_level == pytest.approx(0.797, abs=1e-3)
    assert m.p_abandon == pytest.approx(0.112, abs=1e-3)


def test_the_worked_example():
    r = powercrm.staffing_required(Q, GOAL)
    assert (r.agents, r.scheduled) == (14, 20)
    assert r.metrics.service_level >= 0.80
    a = powercrm.staffing_required(dataclasses.replace(Q, patience_s=60),
                                   dataclasses.replace(GOAL, model="erlang_a"))
    assert a.agents == 12  # 11 agents answer 79.7 % within 20 s: just short of 80 %


def test_shrinkage_is_exact():
    assert powercrm.staffing_shrink(21, D("0.30")) == 30  # float would say 31
    assert powercrm.staffing_shrink(21, "0.30") == 30
    with pytest.raises(TypeError):
        powercrm.staffing_shrink(21, 0.30)
    with pytest.raises(powercrm.InvalidInput, match="shrinkage"):
        powercrm.staffing_shrink(21, D("1.00"))


def test_errors_name_the_parameter():
    with pytest.raises(powercrm.InvalidInput, match="aht_s"):
        powercrm.staffing_required(powercrm.Queue(100, 1800, -3), GOAL)
    with pytest.raises(powercrm.InvalidInput, match="max_abandon"):
        powercrm.staffing_required(Q, powercrm.StaffingTarget(max_abandon=0.1))
    with pytest.raises(powercrm.Overflow):
        powercrm.erlang_b_lines(999999, 0.0001)


def test_staffing_curve():
    day = [powercrm.ForecastInterval(100, 180), (0, 0), {"calls": 50, "aht_s": 180}]
    rows = powercrm.staffing_curve(day, 1800, GOAL)
    assert [r.scheduled for r in rows][:2] == [20, 0]
    assert all(isinstance(r, powercrm.StaffingResult) for r in rows)
    with pytest.raises(powercrm.InvalidInput, match="interval 1"):
        powercrm.staffing_curve([(100, 180), (10, -1)], 1800, GOAL)
    with pytest.raises(powercrm.InvalidInput, match=r"intervals\[0\]"):
        powercrm.lowlevel.pcrm_staffing_curve([("x",)], 1800.0, 0.0, GOAL._c())


def test_weekday_profile():
    # eight days of two intervals from a Monday: Mon, Tue, Wed, four quiet days, Mon again
    history = [(10, 100), (20, 200), (1, 100), (2, 100), (3, 100), (4, 100)] + \
        [(0, 0)] * 8 + [(4, 200), (0, 0)]
    profile, samples = powercrm.staffing_weekday_profile(history, 2, 0)
    assert samples == [2, 1, 1, 1, 1, 1, 1]
    assert profile[0][0].calls == pytest.approx(7.0)
    assert profile[0][0].aht_s == pytest.approx((10 * 100 + 4 * 200) / 14)
    assert profile[1][1] == powercrm.ForecastInterval(2.0, 100.0)
    with pytest.raises(powercrm.InvalidInput, match="whole days"):
        powercrm.staffing_weekday_profile(history[:3], 2, 0)


def test_shift_plan():
    required = [1, 2, 2, 1]
    shifts = [powercrm.Shift(0, 2, cost=2), powercrm.Shift(2, 2, cost=2),
              powercrm.Shift(1, 2, cost=2)]
    plan = powercrm.shift_plan(required, shifts)
    assert plan.counts == [1, 1, 1] and plan.staffed == [1, 2, 2, 1]
    assert (plan.cost, plan.agents, plan.shortage, plan.surplus, plan.optimal) == \
        (6, 3, 0, 0, True)
    night = powercrm.shift_plan([1, 0, 0, 1], [powercrm.Shift(3, 2, cost=1)], cyclic=True)
    assert night.counts == [1]


def test_shift_plan_patterns_and_objectives():
    split = powercrm.Shift(pattern=[1, 0, 0, 1], cost=1)
    plan = powercrm.shift_plan([2, 0, 0, 2], [split, powercrm.Shift(0, 4, cost=3)])
    assert plan.counts[0] == 2
    dev = powercrm.shift_plan([3, 3], [powercrm.Shift(0, 2, cost=1, max_agents=2)],
                              objective="min_deviation")
    assert dev.shortage == 2 and dev.counts == [2]
    with pytest.raises(powercrm.InvalidInput, match="infeasible"):
        powercrm.shift_plan([5], [powercrm.Shift(0, 1)], max_staffed=[4])
    with pytest.raises(powercrm.InvalidInput, match="pattern"):
        powercrm.shift_plan([1, 1], [powercrm.Shift(pattern=b"\x01")])
    with pytest.raises(powercrm.InvalidInput, match="max_staffed"):
        powercrm.shift_plan([1, 1], [powercrm.Shift(0, 2)], max_staffed=[1])


def test_computation_runs_in_parallel_threads():
    results = []

    def work():
        results.append([r.scheduled for r in
                        powercrm.staffing_curve([(n * 10, 240) for n in range(48)], 1800, GOAL)])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(r == results[0] for r in results)
