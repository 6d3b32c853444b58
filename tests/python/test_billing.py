"""Billing through the bindings: published tariffs, a run over readings, bills, corrections.

Guangzhou residential tiers (0.589 / 0.639 / 0.889, October thresholds 260 / 600):
600 kWh -> 370.40, 200 kWh -> 117.80, 700 kWh -> 459.30.
"""

import datetime
import json
import os
from decimal import Decimal as D

import pytest

import powercrm
from conftest import CITY_ADMIN, CITY_AGENT, ROOT_ADMIN, SOURCE_ROOT

CN = datetime.timezone(datetime.timedelta(hours=8))
OCT31 = datetime.datetime(2026, 10, 31, 20, 0, tzinfo=CN)
SPEC = {"org_unit": "3701", "period": "2026-10", "issue_date": "2026-11-01",
        "due_date": "2026-11-15", "tariffs": {"residential": "cn-gd-guangzhou-residential"}}
POST = {"org_unit": "3701", "period": "2026-10"}


def tariff_doc():
    path = os.path.join(SOURCE_ROOT, "data", "tariffs", "cn-gd-guangzhou-residential.json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def home(ctx, n, org, kwh):
    ctx.customer_create(ROOT_ADMIN, {"customer_no": "C%d" % n, "kind": "person",
                                     "name": "居民%d" % n, "usage_class": "residential",
                                     "voltage_level": "220V", "org_unit": org})
    ctx.account_create(ROOT_ADMIN, "C%d" % n, {"account_no": "A%d" % n, "name": "电费",
                                               "payment_method": "cash"})
    ctx.metering_point_create(ROOT_ADMIN, "C%d" % n, {"mp_no": "P%d" % n,
                                                      "account_no": "A%d" % n,
                                                      "purpose": "settlement",
                                                      "voltage_level": "220V"})
    ctx.meter_install(ROOT_ADMIN, "P%d" % n, {"meter_no": "M%d" % n, "type": "single_phase",
                                              "multiplier": "1", "digits": 6,
                                              "registers": ["total"],
                                              "initial_readings": {"total": "1000"}},
                      datetime.datetime(2026, 9, 15, tzinfo=CN))
    if kwh is not None:
        ctx.reading_record(ROOT_ADMIN, "M%d" % n, "total", 1000 + kwh, OCT31)


@pytest.fixture
def billing(ctx):
    home(ctx, 1, "37010201", 600)
    home(ctx, 2, "370102", 200)
    home(ctx, 3, "3701", None)
    ctx.tariff_publish(ROOT_ADMIN, tariff_doc())
    return ctx


def test_publish_and_fetch(billing):
    billing.tariff_publish(ROOT_ADMIN, json.dumps(tariff_doc()))  # the same again: no-op
    changed = tariff_doc()
    changed["energy"]["price"] = "0.600"
    with pytest.raises(powercrm.Conflict, match="another document"):
        billing.tariff_publish(ROOT_ADMIN, changed)
    with pytest.raises(powercrm.InvalidInput, match="energy.price"):
        changed["energy"]["price"] = 0.6
        changed["version"] = 2
        billing.tariff_publish(ROOT_ADMIN, changed)
    t = billing.tariff_fetch(CITY_AGENT, "cn-gd-guangzhou-residential", on="2026-10-01")
    assert isinstance(t, powercrm.Tariff) and t.version == 1
    with pytest.raises(powercrm.NotFound, match="no version in effect"):
        billing.tariff_fetch(CITY_AGENT, "cn-gd-guangzhou-residential", on="2025-01-01")


COUNTY_ADMIN = powercrm.Actor("admin-lx", "admin", 3, "370102")


def test_tariffs_belong_to_their_publishers_unit(billing):
    """Issue 18's attack: a county administrator may not publish the province's tariff."""
    newer = tariff_doc()
    newer["version"] = 2
    newer["energy"]["price"] = "0.001"
    with pytest.raises(powercrm.PermissionDenied, match="may neither publish"):
        billing.tariff_publish(COUNTY_ADMIN, newer)
    assert billing.tariff_fetch(CITY_AGENT, "cn-gd-guangzhou-residential",
                                on="2026-10-01").version == 1
    # once the province allows overrides, the county's own version bills its subtree only
    allowing = tariff_doc()
    allowing.update(version=2, overridable=True)
    billing.tariff_publish(ROOT_ADMIN, allowing)
    newer["version"] = 3
    newer["energy"]["price"] = "0.489"
    billing.tariff_publish(COUNTY_ADMIN, newer)
    billing.billing_run(CITY_ADMIN, SPEC)
    assert billing.bills(CITY_AGENT, "C1")[0].tariff_version == 3  # township of the county
    assert billing.bills(CITY_AGENT, "C2")[0].tariff_version == 3  # the county
    assert billing.tariff_fetch(CITY_AGENT, "cn-gd-guangzhou-residential",
                                on="2026-10-01").version == 2


def test_run_bills_and_reruns_nothing(billing):
    seen = []
    s = billing.billing_run(CITY_ADMIN, dict(SPEC, batch_size=1), progress=seen.append)
    assert s == powercrm.BillingSummary(3, 2, 0, 1, D("488.20"))
    assert isinstance(s.total, D)
    assert seen == [1, 2, 2]
    again = billing.billing_run(CITY_ADMIN, SPEC)
    assert (again.billed, again.already_billed) == (0, 2)
    (bill,) = billing.bills(CITY_AGENT, "C1")
    assert isinstance(bill, powercrm.BillRecord)
    assert (bill.bill_no, bill.status, bill.total, bill.energy) == ("A1-202610", "issued",
                                                                     D("370.40"), D("600"))
    assert bill.due_date.isoformat() == "2026-11-15"
    assert sum(line.amount for line in bill.lines) == bill.total
    assert bill.posted is False  # calculated and stored; issuance posts it
    assert billing.ledger(CITY_AGENT, "A1") == []
    seen = []
    p = billing.billing_post(CITY_ADMIN, {"org_unit": "3701", "period": "2026-10",
                                          "batch_size": 1}, progress=seen.append)
    assert p == powercrm.BillingPostSummary(2, 2, 0, 0, D("488.20"))
    assert isinstance(p.total, D)
    assert seen == [1, 2]
    assert billing.billing_post(CITY_ADMIN, POST) == powercrm.BillingPostSummary(
        2, 0, 2, 0, D("0.00"))
    assert billing.bills(CITY_AGENT, "C1")[0].posted is True
    assert billing.ledger_summary(CITY_AGENT, "A1").balance == D("370.40")


def test_posting_errors(billing):
    billing.billing_run(CITY_ADMIN, SPEC)
    with pytest.raises(powercrm.InvalidInput, match="batch_size"):
        billing.billing_post(CITY_ADMIN, dict(POST, batch_size=0))
    with pytest.raises(powercrm.InvalidInput, match="tariffs"):
        billing.billing_post(CITY_ADMIN, dict(POST, tariffs={}))
    with pytest.raises(powercrm.PermissionDenied, match="billing.run"):
        billing.billing_post(CITY_AGENT, POST)
    with pytest.raises(powercrm.WrongState, match="run it again"):
        billing.billing_post(CITY_ADMIN, dict(POST, batch_size=1), progress=lambda done: True)
    assert [b.posted for b in billing.bills(CITY_AGENT, "C1") + billing.bills(CITY_AGENT, "C2")] \
        == [True, False]
    with pytest.raises(ZeroDivisionError):
        billing.billing_post(CITY_ADMIN, POST, progress=lambda done: 1 / 0)
    assert billing.bills(CITY_AGENT, "C2")[0].posted is True  # that batch committed


def test_progress_can_stop_and_errors_raise(billing):
    with pytest.raises(powercrm.WrongState, match="run it again"):
        billing.billing_run(CITY_ADMIN, dict(SPEC, batch_size=1), progress=lambda done: True)
    assert len(billing.bills(CITY_AGENT, "C1")) == 1
    with pytest.raises(powercrm.InvalidInput, match="period"):
        billing.billing_run(CITY_ADMIN, dict(SPEC, period="2026-13"))
    with pytest.raises(powercrm.PermissionDenied):
        billing.billing_run(CITY_AGENT, SPEC)
    with pytest.raises(ZeroDivisionError):
        billing.billing_run(CITY_ADMIN, SPEC, progress=lambda done: 1 / 0)


def test_correction(billing):
    billing.billing_run(CITY_ADMIN, dict(SPEC, post=True))
    billing.reading_record(ROOT_ADMIN, "M1", "total", 1700, OCT31 + datetime.timedelta(hours=1))
    fresh = billing.bill_correct(CITY_ADMIN, "A1-202610", "late reading")
    assert (fresh.bill_no, fresh.replaces, fresh.total) == ("A1-202610-R1", "A1-202610",
                                                            D("459.30"))
    assert fresh.posted is True
    assert [e.kind for e in billing.ledger(CITY_AGENT, "A1")] == ["bill", "void", "bill"]
    assert [b.status for b in billing.bills(CITY_AGENT, "C1")] == ["issued", "void"]
    with pytest.raises(powercrm.WrongState, match="void"):
        billing.bill_correct(CITY_ADMIN, "A1-202610", "again")


def test_late_fee(billing):
    billing.billing_run(CITY_ADMIN, SPEC)
    assert billing.late_fee_quote(CITY_AGENT, "A1", "2026-11-20") == D("0")  # not issued yet
    billing.billing_post(CITY_ADMIN, POST)
    assert billing.late_fee_quote(CITY_AGENT, "A1", "2026-11-15") == D("0")
    fee = billing.late_fee_quote(CITY_AGENT, "A1", "2026-11-20")
    assert fee == D("1.85") and isinstance(fee, D)          # 370.40 x 5 days x 1/1000
    e = billing.late_fee_post(CITY_ADMIN, "A1", "2026-11-20", "LF-1")
    assert (e.kind, e.amount) == ("adjustment", D("1.85"))
    assert billing.late_fee_post(CITY_ADMIN, "A1", "2026-11-20", "LF-1").replayed
    assert billing.late_fee_post(CITY_ADMIN, "A2", "2026-11-01", "LF-2") is None


def test_stored_lines_are_bill_lines(billing):
    """A stored bill's lines are the BillLine records of the computed bill, Decimals included."""
    billing.billing_run(CITY_ADMIN, SPEC)
    (stored,) = billing.bills(CITY_AGENT, "C1")
    with powercrm.Tariff.load(tariff_doc()) as t:
        computed = t.bill("2026-10-01", "2026-10-31", powercrm.Usage(total=D("600")))
    assert stored.lines == computed.lines
    assert [(ln.kind, ln.code, ln.tier, ln.quantity, ln.unit_price, ln.amount)
            for ln in stored.lines] == [
        (powercrm.LineKind.ENERGY, "energy", 1, D("260"), D("0.589"), D("153.14")),
        (powercrm.LineKind.ENERGY, "energy", 2, D("340"), D("0.639"), D("217.26"))]
    assert all(isinstance(ln.amount, D) for ln in stored.lines)
    assert stored.document["lines"][0]["amount"] == "153.14"  # the stored JSON, unchanged


def test_every_line_kind_has_a_code():
    codes = ["energy", "low_income_allowance", "basic_capacity", "basic_demand",
             "basic_demand_excess", "power_factor_adjustment", "fund", "fixed_charge",
             "minimum_monthly", "minimum_annual", "demand_flat", "demand_tou", "export_credit",
             "credit_brought_forward", "credit_carried_forward", "basic_contract_demand",
             "basic_contract_demand_excess", "basic_actual_demand"]
    assert {powercrm.LineKind.from_code(c) for c in codes} == set(powercrm.LineKind)
    with pytest.raises(ValueError, match="unknown bill line code"):
        powercrm.LineKind.from_code("tip")


# ---- the tier position this year (annual tiers 0..700, 700..1000, above) ----

ANNUAL = {"id": "annual-residential", "version": 1, "name": "annual tiers",
          "usage_class": "residential", "effective_from": "2026-01-01", "currency": "CNY",
          "rounding": "half_up", "utc_offset": "+08:00",
          "energy": {"price": "0.589", "tier_basis": "annual",
                     "tiers": [{"max": "700", "surcharge": "0"},
                               {"max": "1000", "surcharge": "0.05"}, {"surcharge": "0.30"}],
                     "large_household": {"min_size": 5, "extra": ["100", "100"]}}}


def test_tariff_tier_position_is_pure_and_exact():
    with powercrm.Tariff.load(ANNUAL) as t:
        p = t.tier_position(1, "2026-11-23", D("650"))
        assert (p.status, p.tier, p.upper, p.remaining) == \
            (powercrm.TierStatus.POSITIONED, 1, D("700"), D("50"))
        assert (p.account_no, p.tariff_id, p.tariff_version) == (None, None, None)
        assert t.tier_position(5, "2026-11-23", "650").remaining == D("150")
        top = t.tier_position(1, "2026-11-23", 1000)
        assert (top.tier, top.upper, top.remaining, top.lower) == (3, None, None, D("1000"))
        with pytest.raises(powercrm.InvalidInput) as e:
            t.tier_position(1, "2026-11-23", D("-1"))
        assert "energy" in str(e.value)
        with pytest.raises(TypeError):
            t.tier_position(1, "2026-11-23", 1.5)
    with powercrm.Tariff.load(tariff_doc()) as gz:
        assert gz.tier_position(1, "2026-11-23", 100).status == powercrm.TierStatus.NOT_ANNUAL


def test_tier_position_from_the_years_bills(billing):
    billing.tariff_publish(ROOT_ADMIN, ANNUAL)
    assert billing.tier_position_get(CITY_AGENT, "C1", "2026-11-23").status == \
        powercrm.TierStatus.NO_BILL
    billing.billing_run(CITY_ADMIN, dict(SPEC, tariffs={"residential": "annual-residential"}))
    p = billing.tier_position_get(CITY_AGENT, "C1", datetime.date(2026, 11, 23))
    assert (p.status, p.tier, p.energy, p.remaining, p.account_no, p.tariff_id,
            p.tariff_version) == (powercrm.TierStatus.POSITIONED, 1, D("600"), D("100"), "A1",
                                  "annual-residential", 1)
    assert billing.tier_position_get(CITY_AGENT, "C1", "2026-11-23", account_no="A1") == p
    with pytest.raises(powercrm.NotFound):
        billing.tier_position_get(CITY_AGENT, "C1", "2026-11-23", account_no="A2")
    with pytest.raises(powercrm.PermissionDenied):
        billing.tier_position_get(CITY_AGENT, "C9", "2026-11-23")
