"""Metering (exact energies as Decimal) and the contact history, on both backends."""

import datetime
from decimal import Decimal as D

import pytest

import powercrm
from conftest import CITY_ADMIN, CITY_AGENT, CITY_CLERK, MONITOR, T0, TOWNSHIP_CLERK

DAY = 86400

C1 = {"customer_no": "C1", "kind": "organisation", "name": "历下钢构厂",
      "usage_class": "large_industry", "voltage_level": "10kV", "org_unit": "37010201"}
A1 = {"account_no": "A1", "name": "主账户", "payment_method": "cash"}
MP1 = {"mp_no": "MP1", "account_no": "A1", "purpose": "settlement", "voltage_level": "10kV",
       "location": "1号配电室"}
M1 = {"meter_no": "M1", "type": "three_phase_four_wire", "model": "DTZY341",
      "multiplier": D("40"), "digits": 6, "registers": ["total", "peak", "valley", "max_demand"],
      "initial_readings": {"total": "1000.00", "peak": "300.00", "valley": "700.00"}}
M2 = {"meter_no": "M2", "type": "three_phase_four_wire", "multiplier": "0.5", "digits": 6,
      "registers": ["total"], "initial_readings": {"total": "0"}}
REMOVAL = {"reason": "fault", "note": "display blank",
           "final_readings": {"total": "1400.00", "peak": "350.00", "valley": "750.00"}}


@pytest.fixture
def metered(ctx):
    ctx.customer_create(CITY_CLERK, C1)
    ctx.account_create(CITY_CLERK, "C1", A1)
    ctx.metering_point_create(CITY_CLERK, "C1", MP1)
    ctx.meter_install(CITY_CLERK, "MP1", M1, T0 - 30 * DAY)
    return ctx


def test_registers():
    assert powercrm.Register("peak") is powercrm.Register.PEAK
    assert str(powercrm.Register.MAX_DEMAND) == "max_demand"
    assert not powercrm.Register.MAX_DEMAND.cumulative and powercrm.Register.TOTAL.cumulative
    with pytest.raises(powercrm.InvalidInput, match="total"):
        powercrm.Register("kwh")


def test_accounts_and_points(metered):
    a = metered.account_get(CITY_AGENT, "A1")
    assert isinstance(a, powercrm.Account)
    assert (a.account_no, a.customer_no, a.payment_method, a.status, a.version) == \
        ("A1", "C1", "cash", "active", 1)
    a2 = metered.account_update(CITY_CLERK, "A1", {"name": "新账户名"}, 1)
    assert a2.version == 2 and a2.document["name"] == "新账户名"
    with pytest.raises(powercrm.Conflict):
        metered.account_update(CITY_CLERK, "A1", {"name": "x"}, 1)
    assert [x.account_no for x in metered.account_list(CITY_AGENT, "C1")] == ["A1"]
    mp = metered.metering_point_get(CITY_AGENT, "MP1")
    assert (mp.mp_no, mp.account_no, mp.purpose, mp.voltage_level) == \
        ("MP1", "A1", "settlement", "10kV")
    assert [p.mp_no for p in metered.metering_point_list(CITY_AGENT, "C1")] == ["MP1"]
    with pytest.raises(powercrm.WrongState):
        metered.metering_point_update(CITY_CLERK, "MP1", {"status": "inactive"}, 1)
    with pytest.raises(powercrm.Duplicate):
        metered.account_create(CITY_CLERK, "C1", A1)
    with pytest.raises(powercrm.PermissionDenied):
        metered.account_create(TOWNSHIP_CLERK, "C1", dict(A1, account_no="A9"))


def test_bank_account_sealed_and_revealed(metered):
    bank = {"account_no": "A2", "name": "代扣户", "payment_method": "bank_collection",
            "bank": "工商银行", "bank_account": "6222020200001234567"}
    a = metered.account_create(CITY_CLERK, "C1", bank)
    assert a.document["bank_account"] == "6222***********4567"
    assert metered.account_get(CITY_AGENT, "A2").document["bank_account"] == \
        "6222***********4567"
    assert metered.account_bank_account_reveal(CITY_ADMIN, "A2") == "6222020200001234567"
    with pytest.raises(powercrm.PermissionDenied):
        metered.account_bank_account_reveal(CITY_CLERK, "A2")
    with pytest.raises(powercrm.WrongState, match="no bank account"):
        metered.account_bank_account_reveal(CITY_ADMIN, "A1")
    assert metered.account_reseal(CITY_CLERK) == 0  # nothing written before schema 28
    with pytest.raises(powercrm.InvalidInput, match="batch"):
        metered.account_reseal(CITY_CLERK, -1)
    with pytest.raises(powercrm.PermissionDenied):
        metered.account_reseal(CITY_AGENT)


def test_contract_terms(metered):
    a = metered.account_get(CITY_AGENT, "A1")
    assert a.contract == powercrm.ContractTerms()  # none contracted
    a = metered.account_update(CITY_CLERK, "A1", {"contract_capacity_kva": D("1250"),
                                                  "pf_standard": "0.9"}, 1)
    assert a.contract == powercrm.ContractTerms(D("1250"), D(0), 90)
    assert a.document["pf_standard"] == "0.90"  # canonical
    terms = powercrm.ContractTerms(contract_demand_kw=D("800.5"), pf_standard=85,
                                   supply_start=datetime.date(2026, 10, 10))
    a = metered.account_set_contract(CITY_CLERK, "A1", terms, 2)
    assert (a.version, a.contract) == (3, terms)
    assert a.document["supply_start"] == "2026-10-10" and a.contract.supply_end is None
    assert "contract_capacity_kva" not in a.document  # zero removed it
    with pytest.raises(powercrm.InvalidInput, match="contract_demand_kw: must be greater than 0"):
        metered.account_set_contract(CITY_CLERK, "A1",
                                     powercrm.ContractTerms(contract_demand_kw=D("-1")), 3)
    with pytest.raises(powercrm.InvalidInput, match="pf_standard"):
        metered.account_set_contract(CITY_CLERK, "A1", powercrm.ContractTerms(pf_standard=95), 3)
    with pytest.raises(powercrm.InvalidInput, match="pf_standard: must be one of"):
        metered.account_update(CITY_CLERK, "A1", {"pf_standard": "0.75"}, 3)
    with pytest.raises(powercrm.InvalidInput, match="supply_end: 2026-10-01 lies before"):
        metered.account_update(CITY_CLERK, "A1", {"supply_end": "2026-10-01"}, 3)
    assert metered.account_get(CITY_AGENT, "A1").contract == terms  # nothing changed
    # the terms feed a bill computation directly
    c = a.contract
    bc = powercrm.BillCustomer(contract_demand_kw=c.contract_demand_kw,
                               pf_standard=c.pf_standard)
    assert bc.pf_standard == 85
    # the basic-charge mode is a term too (basic_mode)
    terms = powercrm.ContractTerms(contract_demand_kw=D("800.5"),
                                   basic_mode=powercrm.BasicMode.CONTRACT_DEMAND)
    a = metered.account_set_contract(CITY_CLERK, "A1", terms, 3)
    assert a.contract.basic_mode == powercrm.BasicMode.CONTRACT_DEMAND
    assert a.document["basic_mode"] == "contract_demand"


def test_readings_and_exact_energy(metered):
    r = metered.reading_record(CITY_CLERK, "M1", "total", D("1250.50"), T0 - 20 * DAY)
    assert isinstance(r, powercrm.Reading)
    assert r.register is powercrm.Register.TOTAL
    assert (r.value, r.previous, r.multiplier) == (D("1250.50"), D("1000.00"), D("40"))
    assert r.energy == D("10020.00") and str(r.energy) == "10020.00"
    metered.reading_record(CITY_CLERK, "M1", powercrm.Register.TOTAL, "1300.25", T0 - 10 * DAY)
    demand = metered.reading_record(CITY_CLERK, "M1", "max_demand", D("1.5"), T0 - 10 * DAY)
    assert demand.energy == D("60.0")
    energy = metered.metering_point_energy(CITY_AGENT, "MP1", "total", T0 - 30 * DAY, T0)
    assert energy == D("12010.00") and isinstance(energy, D)
    listed = metered.reading_list(CITY_AGENT, "M1", "total", T0 - 30 * DAY, T0)
    assert [x.value for x in listed] == [D("1250.50"), D("1300.25")]
    with pytest.raises(powercrm.InvalidInput, match="below the previous reading"):
        metered.reading_record(CITY_CLERK, "M1", "total", "1200", T0 - 5 * DAY)
    with pytest.raises(TypeError):
        metered.reading_record(CITY_CLERK, "M1", "total", 1200.0, T0 - 5 * DAY)
    roll = metered.reading_record(CITY_CLERK, "M1", "total", "10.00", T0 - 4 * DAY,
                                  rollover=True)
    assert roll.rollover and roll.energy == D("1000000") * 40 - (D("1300.25") - D("10.00")) * 40


def test_meter_replacement_and_history(metered):
    metered.meter_replace(CITY_CLERK, "MP1", REMOVAL, M2, T0 - 5 * DAY)
    history = metered.meter_history(CITY_AGENT, "MP1")
    assert [h.meter_no for h in history] == ["M1", "M2"]
    old, new = history
    assert not old.in_service and old.removal_reason == "fault" and old.removed_at == T0 - 5 * DAY
    assert old.multiplier == D("40") and old.digits == 6
    assert old.registers == {powercrm.Register.TOTAL, powercrm.Register.PEAK,
                             powercrm.Register.VALLEY, powercrm.Register.MAX_DEMAND}
    assert new.in_service and new.removed_at is None and new.multiplier == D("0.5")
    assert new.document["meter_no"] == "M2"
    finals = metered.reading_list(CITY_AGENT, "M1", "total", T0 - 30 * DAY, T0)
    assert finals[-1].final
    with pytest.raises(powercrm.WrongState):
        metered.reading_record(CITY_CLERK, "M1", "total", "1500", T0 - DAY)
    metered.meter_remove(CITY_CLERK, "MP1", {"reason": "closure",
                                            "final_readings": {"total": "2"}}, T0 - DAY)
    with pytest.raises(powercrm.PermissionDenied, match="unknown or outside"):
        metered.reading_record(CITY_CLERK, "M9", "total", "1", T0)


# ---- contacts ------------------------------------------------------------------------------

CALL = {"at": "2026-11-23T08:30:00+08:00", "channel": "phone", "direction": "inbound",
        "agent": "agent-07", "caller_number": "+86 138 0013 8000", "duration_seconds": 125,
        "business_code": "YK-0101", "summary": "客户询问电费；已答复", "work_order_id": "WO-1"}


def test_contact_record_and_history(metered, clock):
    c = metered.contact_record(CITY_AGENT, "C1", CALL)
    assert isinstance(c, powercrm.Contact)
    assert len(c.id) == 36 and c.customer_no == "C1"
    assert c.at == powercrm.time_parse(CALL["at"]) and c.recorded_at == T0
    assert (c.channel, c.direction, c.agent, c.caller_number, c.duration_seconds) == \
        ("phone", "inbound", "agent-07", "13800138000", 125)
    assert c.recorded_by == "agent-jn"
    assert c.log_line == ("2026-11-23T08:30:00+08:00;C1;13800138000;agent-07;125;YK-0101;"
                          "客户询问电费；已答复")
    minimal = metered.contact_record(CITY_AGENT, "C1", {"channel": "sms",
                                                       "direction": "outbound",
                                                       "summary": "停电通知"})
    assert minimal.duration_seconds is None and minimal.caller_number is None
    assert minimal.at == T0
    page = metered.contact_list(MONITOR, "C1", limit=1)
    assert len(page) == 1 and page.next_cursor is not None
    assert [x.id for x in metered.contact_history(MONITOR, "C1", page=1)] == [minimal.id, c.id]


def test_contact_errors(metered):
    with pytest.raises(powercrm.InvalidInput, match="channel"):
        metered.contact_record(CITY_AGENT, "C1", dict(CALL, channel="fax"))
    with pytest.raises(powercrm.InvalidInput, match="caller_number"):
        metered.contact_record(CITY_AGENT, "C1", dict(CALL, caller_number="12345"))
    with pytest.raises(powercrm.PermissionDenied, match="unknown or outside"):
        metered.contact_record(CITY_AGENT, "nobody", CALL)
    with pytest.raises(powercrm.PermissionDenied):
        metered.contact_record(MONITOR, "C1", CALL)
