"""Tariffs and bills from Python: Decimals in and out, errors naming the JSON path."""

import datetime as dt
import gc
import json
import os
from decimal import Decimal

import pytest

import powercrm
from conftest import SOURCE_ROOT, CALENDARS

TARIFFS = os.path.join(SOURCE_ROOT, "data", "tariffs")
CST = dt.timezone(dt.timedelta(hours=8))


def load(name):
    return powercrm.Tariff.load_file(os.path.join(TARIFFS, name + ".json"))


def test_guangzhou_600_kwh_in_july():
    with load("cn-gd-guangzhou-residential") as t:
        assert t.id == "cn-gd-guangzhou-residential" and t.version == 1
        assert t.currency == "CNY" and t.periods == ("all",)
        assert t.effective_from == dt.date(2026, 1, 1) and t.effective_to is None
        bill = t.bill("2026-07-01", dt.date(2026, 7, 31), powercrm.Usage(total=Decimal("600")))
    assert bill.total == Decimal("370.40") and isinstance(bill.total, Decimal)
    assert [(ln.code, ln.tier, ln.quantity, ln.unit_price, ln.amount) for ln in bill.lines] == [
        ("energy", 1, Decimal("260"), Decimal("0.589"), Decimal("153.14")),
        ("energy", 2, Decimal("340"), Decimal("0.639"), Decimal("217.26")),
    ]
    assert bill.lines[0].kind == powercrm.LineKind.ENERGY
    assert bill.tariff_id == "cn-gd-guangzhou-residential" and bill.tariff_version == 1
    assert bill.start == dt.date(2026, 7, 1) and bill.power_factor is None
    doc = bill.to_json()
    assert doc["total"] == "370.40" and doc["lines"][1]["amount"] == "217.26"


def test_two_part_tariff_with_power_factor():
    doc = {
        "id": "two-part", "version": 1, "effective_from": "2026-01-01", "currency": "CNY",
        "rounding": "half_up", "energy": {"price": Decimal("0.5")},
        "basic": {"kind": "capacity", "price": "25"}, "power_factor_adjustment": True,
        "funds": [{"code": "f", "name": "基金", "price": "0.01"}],
    }
    cust = powercrm.BillCustomer(contract_capacity_kva=Decimal("2000"), pf_standard=90)
    with powercrm.Tariff.load(doc) as t:
        bill = t.bill("2026-07-01", "2026-07-31",
                      powercrm.Usage(total=300000, reactive=Decimal("178000")), cust)
    assert bill.power_factor == Decimal("0.86")
    pf = [ln for ln in bill.lines if ln.code == "power_factor_adjustment"][0]
    assert (pf.quantity, pf.unit_price, pf.amount) == (
        Decimal("200000.00"), Decimal("0.02"), Decimal("4000.00"))
    assert bill.total == Decimal("207000.00")
    assert sum(ln.amount for ln in bill.lines) == bill.total
    fund = [ln for ln in bill.lines if ln.kind == powercrm.LineKind.FUND][0]
    assert fund.name == "基金" and fund.item == "f"


def test_tou_registers_and_intervals_agree():
    start = dt.datetime(2026, 7, 1, tzinfo=CST)
    hours = [(start + dt.timedelta(hours=h), 3600, Decimal("0.5") + h % 3) for h in range(31 * 24)]
    with load("cn-residential-tiered-tou") as t:
        assert t.period_at(start) == "valley"
        assert t.period_at(start + dt.timedelta(hours=9)) == "peak"
        a = t.bill("2026-07-01", "2026-07-31", powercrm.Usage(intervals=hours))
        peak = sum(kwh for at, _, kwh in hours if 8 <= at.hour < 22)
        valley = sum(kwh for at, _, kwh in hours) - peak
        b = t.bill("2026-07-01", "2026-07-31",
                   powercrm.Usage(periods={"peak": peak, "valley": valley}))
    assert a.total == b.total and a.lines == b.lines


def test_net_metering_carries_the_credit_to_the_next_bill():
    # April (winter): peak 60 in / 10 out, off-peak 200 in / 900 out; 50 x 0.35 = 17.50
    # billed, 700 x 0.03 = 21.00 credited, 3.50 carried, base services 12.00.
    with load("us-residential-tou-tiers-nem") as t:
        april = t.bill("2026-04-01", "2026-04-30", powercrm.Usage(
            periods={"winter_peak": 60, "winter_off_peak": 200},
            exports={"winter_peak": 10, "winter_off_peak": Decimal("900")}))
        assert april.total == Decimal("12.00")
        assert april.credit_carried_forward == Decimal("3.50")
        credit = [ln for ln in april.lines if ln.kind == powercrm.LineKind.EXPORT_CREDIT]
        assert [(ln.period, ln.quantity, ln.amount) for ln in credit] == [
            ("winter_off_peak", Decimal("700"), Decimal("-21.00"))]
        assert april.to_json()["credit_carried_forward"] == "3.50"
        # May: 20 kWh peak at 0.35 = 7.00, the 3.50 brought forward, no new export
        start = dt.datetime(2026, 5, 4, 16, tzinfo=dt.timezone(dt.timedelta(hours=-8)))
        may = t.bill("2026-05-01", "2026-05-31", powercrm.Usage(
            intervals=[(start + dt.timedelta(hours=h), 3600, 4) for h in range(5)],
            export_intervals=[(start, 1800, 0)],
            credit_brought_forward=april.credit_carried_forward))
        assert [ln.kind for ln in may.lines] == [
            powercrm.LineKind.ENERGY, powercrm.LineKind.CREDIT_BROUGHT_FORWARD,
            powercrm.LineKind.FIXED]
        assert may.total == Decimal("7.00") - Decimal("3.50") + Decimal("12.00")
        assert may.credit_carried_forward == 0
    with load("cn-gd-guangzhou-residential") as t:
        with pytest.raises(powercrm.InvalidInput, match="no net_metering section"):
            t.bill("2026-07-01", "2026-07-31", powercrm.Usage(total=600, exports=1))


def test_holiday_calendar():
    with load("us-commercial-tou-demand") as t, \
            powercrm.Calendar.load_file(os.path.join(CALENDARS, "cn-2026.json")) as cal:
        at = dt.datetime(2026, 10, 1, 17, tzinfo=dt.timezone(dt.timedelta(hours=-8)))
        assert t.period_at(at) == "winter_peak"
        assert t.period_at(at, cal) == "winter_off_peak"


def test_errors_name_the_path():
    with pytest.raises(powercrm.InvalidInput, match=r"energy\.tiers\[2\]\.max"):
        powercrm.Tariff.load({
            "id": "t", "version": 1, "effective_from": "2026-01-01", "currency": "CNY",
            "rounding": "half_up",
            "energy": {"price": "1", "tiers": [{"max": "1", "surcharge": "0"},
                                                {"max": "2", "surcharge": "0"},
                                                {"max": "3", "surcharge": "0"}]}})
    with pytest.raises(powercrm.InvalidInput, match="got a JSON number"):
        powercrm.Tariff.load('{"id":"t","version":1,"effective_from":"2026-01-01",'
                             '"currency":"CNY","rounding":"half_up","energy":{"price":0.5}}')
    with pytest.raises(powercrm.IOFailure):
        powercrm.Tariff.load_file("/nonexistent.json")
    with load("cn-residential-tiered-tou") as t:
        with pytest.raises(powercrm.InvalidInput, match="usage.total"):
            t.bill("2026-07-01", "2026-07-31", powercrm.Usage(total=1))
        with pytest.raises(TypeError):
            t.bill("2026-07-01", "2026-07-31", powercrm.Usage(periods={"peak": 1.5}))


def test_power_factor_and_late_fee():
    assert powercrm.power_factor(Decimal("3"), 4) == Decimal("0.60")
    assert powercrm.power_factor_rate(Decimal("0.86"), 90) == Decimal("0.02")
    assert powercrm.power_factor_rate("0.96", 90) == Decimal("-0.0075")
    assert powercrm.late_fee(Decimal("100.00"), 0, 5, residential=True) == Decimal("1.00")
    assert powercrm.late_fee(Decimal("10000.00"), 0, 10, residential=False) == Decimal("200.00")


def test_shipped_tariffs_load_and_bill():
    for name in sorted(os.listdir(TARIFFS)):
        with powercrm.Tariff.load_file(os.path.join(TARIFFS, name)) as t:
            with open(os.path.join(TARIFFS, name), encoding="utf-8") as f:
                assert json.load(f)["id"] == t.id
            usage = powercrm.Usage(periods={p: Decimal("100") for p in t.periods},
                                   reactive=Decimal("40"), max_demand=Decimal("10"),
                                   period_demand={p: Decimal("8") for p in t.periods})
            cust = powercrm.BillCustomer(contract_capacity_kva=Decimal("100"),
                                         contract_demand_kw=Decimal("10"), pf_standard=85)
            bill = t.bill("2026-03-01", "2026-03-31", usage, cust)
            assert bill.total == sum(ln.amount for ln in bill.lines) > 0


def test_handles_are_freed():
    gc.collect()
    before = powercrm.live_handles()
    t = load("cn-gd-guangzhou-residential")
    t.bill("2026-07-01", "2026-07-31", powercrm.Usage(total=1))
    t.close()
    with pytest.raises(powercrm.ClosedError):
        t.bill("2026-07-01", "2026-07-31", powercrm.Usage(total=1))
    gc.collect()
    assert powercrm.live_handles() == before


def test_demand_charges_by_period():
    with load("us-commercial-tou-demand") as t:
        usage = powercrm.Usage(periods={"summer_peak": 100, "summer_off_peak": 400},
                               max_demand=20, period_demand={"summer_peak": Decimal("15")})
        bill = t.bill("2026-07-01", "2026-07-31", usage)
    tou = [ln for ln in bill.lines if ln.kind == powercrm.LineKind.DEMAND_TOU]
    assert [(ln.period, ln.quantity, ln.amount) for ln in tou] == [
        ("summer_peak", Decimal("15"), Decimal("187.50"))]
    assert bill.total == Decimal("739.23")


MODES_TARIFF = {
    "id": "modes", "version": 1, "effective_from": "2026-01-01", "currency": "CNY",
    "rounding": "half_up", "energy": {"price": "0.5"},
    "basic": {"modes": {"capacity": "25", "contract_demand": "38", "actual_demand": "38"},
              "default_mode": "capacity", "actual_demand_floor": "0.40",
              "proration": "calendar_days"},
    "demand_charges": {"flat_by_month": [[{"max": "100", "price": "10"}, {"price": "8"}]] * 12,
                       "ratchet": {"percent": "0.80", "months": 11}},
}


def test_basic_modes_tiers_ratchet_and_cycle():
    with powercrm.Tariff.load(MODES_TARIFF) as t:
        usage = powercrm.Usage(total=Decimal("0"), max_demand=Decimal("700"),
                               prior_demand={1: Decimal("1000")})
        cust = powercrm.BillCustomer(contract_capacity_kva=Decimal("2000"),
                                     contract_demand_kw=Decimal("1000"),
                                     basic_mode=powercrm.BasicMode.ACTUAL_DEMAND)
        bill = t.bill("2026-07-01", "2026-07-31", usage, cust)
        # 40 % of 2,000 kVA = 800 kW x 38; ratchet max(700, 0.8 x 1,000) = 800 kW:
        # 100 x 10 + 700 x 8
        assert [(ln.kind, ln.tier, ln.quantity, ln.amount) for ln in bill.lines] == [
            (powercrm.LineKind.BASIC_ACTUAL_DEMAND, 0, Decimal("800"), Decimal("30400.00")),
            (powercrm.LineKind.DEMAND_FLAT, 1, Decimal("100"), Decimal("1000.00")),
            (powercrm.LineKind.DEMAND_FLAT, 2, Decimal("700"), Decimal("5600.00")),
        ]
        assert bill.max_demand == Decimal("700") and bill.to_json()["max_demand_kw"] == "700"
        # by contract: 1,000 x 38 even though 700 kW were measured
        bill = t.bill("2026-07-01", "2026-07-31", usage, dataclasses_replace(
            cust, basic_mode=powercrm.BasicMode.CONTRACT_DEMAND))
        assert bill.lines[0].code == "basic_contract_demand"
        assert bill.lines[0].amount == Decimal("38000.00")
        # part of a cycle, 1 / 31 a day: 50,000.00 x 24 / 31 = 38,709.68
        part = powercrm.BillCustomer(contract_capacity_kva=Decimal("2000"),
                                     cycle_start="2026-07-25", cycle_end="2026-08-24")
        bill = t.bill("2026-08-01", "2026-08-24", usage, part)
        assert bill.lines[0].amount == Decimal("38709.68") and bill.lines[0].prorate_days == 24
        with pytest.raises(powercrm.InvalidInput, match="usage.prior_demand: months_ago 40"):
            t.bill("2026-07-01", "2026-07-31",
                   powercrm.Usage(total=Decimal("0"), prior_demand={40: Decimal("1")}), cust)


def dataclasses_replace(obj, **changes):
    import dataclasses
    return dataclasses.replace(obj, **changes)
