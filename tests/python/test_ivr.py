"""IVR speech helpers through the bindings: readings, exact input only, errors."""

import datetime
from decimal import Decimal

import pytest

import powercrm


def test_amounts_read_in_yuan_jiao_fen():
    assert powercrm.speak_amount(Decimal("123.45")) == "一百二十三元四角五分"
    assert powercrm.speak_amount("1005.07") == "一千零五元零七分"
    assert powercrm.speak_amount(2) == "两元"
    assert powercrm.speak_amount(Decimal("0.05")) == "五分"


def test_energy_numbers_and_dates():
    assert powercrm.speak_energy(2700) == "两千七百千瓦时"
    assert powercrm.speak_energy("12.50") == "十二点五千瓦时"
    assert powercrm.speak_number(100010000) == "一亿零一万"
    assert powercrm.speak_date(datetime.date(2026, 12, 7)) == "二零二六年十二月七日"
    assert powercrm.speak_date("2000-02-20") == "二零零零年二月二十日"
    assert powercrm.speak_date((2024, 2, 29)) == "二零二四年二月二十九日"


def test_fraction_of_a_fen_is_refused_naming_the_field():
    with pytest.raises(powercrm.InvalidInput) as e:
        powercrm.speak_amount(Decimal("1.235"))
    assert "amount: 1.235 is not a whole number of fen" in str(e.value)


def test_floats_and_missing_dates_are_refused():
    with pytest.raises(TypeError):
        powercrm.speak_amount(1.5)
    with pytest.raises(powercrm.InvalidInput) as e:
        powercrm.speak_date((2026, 2, 29))
    assert "date:" in str(e.value)
    with pytest.raises(powercrm.InvalidInput) as e:
        powercrm.speak_number(10 ** 16)
    assert "number:" in str(e.value)


# ---- identifying the caller (both stores) ----

from conftest import CITY_AGENT, ROOT_ADMIN  # noqa: E402


def _customers(ctx):
    ctx.customer_create(ROOT_ADMIN, {
        "customer_no": "C1", "kind": "person", "name": "张三", "usage_class": "residential",
        "voltage_level": "220V", "org_unit": "3701", "phones": {"mobile": "13800138000"},
        "id_number": "11010519491231002X"})
    ctx.customer_create(ROOT_ADMIN, {
        "customer_no": "C3", "kind": "person", "name": "王五", "usage_class": "residential",
        "voltage_level": "220V", "org_unit": "3702", "id_number": "370202198001011232"})


def test_identify_by_phone(ctx):
    _customers(ctx)
    found = ctx.ivr_identify_by_phone(CITY_AGENT, "+86 138 0013 8000")
    assert found.outcome is powercrm.IvrOutcome.IDENTIFIED
    assert found.customer_no == "C1" and found.candidates == 1
    missing = ctx.ivr_identify_by_phone(CITY_AGENT, "13700137000")
    assert missing.outcome is powercrm.IvrOutcome.NOT_IDENTIFIED
    assert missing.customer_no is None


def test_identify_by_digits_locks_out(ctx, clock):
    _customers(ctx)
    ok = ctx.ivr_identify_by_id_digits(CITY_AGENT, "C1", "002*")
    assert ok.outcome is powercrm.IvrOutcome.IDENTIFIED and ok.customer_no == "C1"
    policy = powercrm.IvrLockout(max_failures=2, window_seconds=600)
    first = ctx.ivr_identify_by_id_digits(CITY_AGENT, "C1", "1111", policy)
    assert first.outcome is powercrm.IvrOutcome.NOT_IDENTIFIED and first.attempts_left == 1
    clock.t += 5
    second = ctx.ivr_identify_by_id_digits(CITY_AGENT, "C1", "2222", policy)
    assert second.attempts_left == 0 and second.locked_until == clock.t - 5 + 600
    locked = ctx.ivr_identify_by_id_digits(CITY_AGENT, "C1", "002*", policy)
    assert locked.outcome is powercrm.IvrOutcome.LOCKED and locked.customer_no is None


def test_identify_refusals(ctx):
    _customers(ctx)
    with pytest.raises(powercrm.InvalidInput) as e:
        ctx.ivr_identify_by_id_digits(CITY_AGENT, "C1", "12a4")
    assert "digits:" in str(e.value) and "12a4" not in str(e.value)
    with pytest.raises(powercrm.PermissionDenied):
        ctx.ivr_identify_by_id_digits(CITY_AGENT, "C3", "1234")


def test_arrears_answer_is_spoken_and_recorded(ctx, clock):
    _customers(ctx)
    ctx.account_create(ROOT_ADMIN, "C1", {"account_no": "A1", "name": "电费",
                                          "payment_method": "cash"})
    ctx.ledger_post(ROOT_ADMIN, "A1", {"kind": "bill", "bill_no": "B1", "period": "2026-10",
                                       "issue_date": "2026-11-01", "due_date": "2026-11-15",
                                       "amount": "2.00"})
    answer = ctx.ivr_answer_arrears(CITY_AGENT, "C1")
    assert answer.total == Decimal("2.00") and answer.items == 1
    assert answer.oldest_due_date == datetime.date(2026, 11, 15) and answer.days_past_due == 8
    assert answer.text == ("您目前欠费共计两元，共一笔，最早一笔的缴费截止日期为"
                           "二零二六年十一月十五日，已逾期八天。")
    contacts = ctx.contact_list(CITY_AGENT, "C1")
    assert [c.channel for c in contacts] == ["ivr"]
    assert contacts[0].summary == answer.text


# ---- PINs, the other answers, outages, fault reports, menus (both stores) ----

import os  # noqa: E402

from conftest import MONITOR, SOURCE_ROOT  # noqa: E402

START = 1795395600  # the test clock's start, 2026-11-23T09:00:00+08:00


def test_pin_set_identify_change_and_refusals(ctx, clock):
    _customers(ctx)
    no_pin = ctx.ivr_identify_by_pin(CITY_AGENT, "C1", "246810")
    assert no_pin.outcome is powercrm.IvrOutcome.NOT_IDENTIFIED
    clock.t += 1
    ok = ctx.ivr_pin_set(CITY_AGENT, "C1", "002*", "246810")
    assert ok.outcome is powercrm.IvrOutcome.IDENTIFIED
    clock.t += 1
    assert ctx.ivr_identify_by_pin(CITY_AGENT, "C1", "246810").customer_no == "C1"
    changed = ctx.ivr_pin_change(CITY_AGENT, "C1", "246810", "975310")
    assert changed.outcome is powercrm.IvrOutcome.IDENTIFIED
    clock.t += 1
    assert ctx.ivr_identify_by_pin(CITY_AGENT, "C1", "975310").outcome \
        is powercrm.IvrOutcome.IDENTIFIED
    with pytest.raises(powercrm.InvalidInput) as e:
        ctx.ivr_pin_set(CITY_AGENT, "C1", "002*", "123456")
    assert "new_pin: too easy" in str(e.value) and "123456" not in str(e.value)
    with pytest.raises(powercrm.PermissionDenied):
        ctx.ivr_pin_set(MONITOR, "C1", "002*", "246810")
    with pytest.raises(powercrm.PermissionDenied):
        ctx.ivr_identify_by_pin(CITY_AGENT, "C3", "246810")


def _home(ctx, area=None):
    _customers(ctx)
    ctx.account_create(ROOT_ADMIN, "C1", {"account_no": "A1", "name": "电费",
                                          "payment_method": "cash"})
    if area:
        ctx.customer_create(ROOT_ADMIN, {
            "customer_no": "C5", "kind": "person", "name": "居民5", "usage_class": "residential",
            "voltage_level": "220V", "org_unit": "3701", "transformer_area": area})


def test_last_bill_answer(ctx, clock):
    _home(ctx)
    assert ctx.ivr_answer_last_bill(CITY_AGENT, "C1").bill_no is None
    ctx.ledger_post(ROOT_ADMIN, "A1", {"kind": "bill", "bill_no": "B1", "period": "2026-10",
                                       "issue_date": "2026-11-01", "due_date": "2026-11-15",
                                       "amount": "100.00"})
    ctx.ledger_post(ROOT_ADMIN, "A1", {"kind": "payment", "idempotency_key": "K1",
                                       "amount": "40.00", "channel": "online"})
    a = ctx.ivr_answer_last_bill(CITY_AGENT, "C1")
    assert (a.bill_no, a.period, a.amount, a.open_amount) == \
        ("B1", "2026-10", Decimal("100.00"), Decimal("60.00"))
    assert a.due_date == datetime.date(2026, 11, 15)
    assert (a.payment_amount, a.payment_date, a.payment_channel) == \
        (Decimal("40.00"), datetime.date(2026, 11, 23), "online")
    assert a.text == ("您最近一期账单为二零二六年十月电费，金额一百元，缴费截止日期为"
                      "二零二六年十一月十五日，尚欠六十元。您最近一次缴费在"
                      "二零二六年十一月二十三日，金额四十元。")
    with pytest.raises(powercrm.PermissionDenied):
        ctx.ivr_answer_last_bill(CITY_AGENT, "C3")


def _define_repair(ctx):
    with open(os.path.join(SOURCE_ROOT, "data", "workflows", "fault-repair-urban.json"),
              encoding="utf-8") as f:
        ctx.workflow_define(ROOT_ADMIN, f.read())
    ctx.workflow_define(ROOT_ADMIN, {
        "name": "outage", "title": "停电抢修主单",
        "states": [{"name": "open", "initial": True}, {"name": "restored", "final": True}],
        "transitions": [{"event": "restore", "from": "open", "to": "restored"}]})


def test_workorders_answer(ctx, clock):
    _home(ctx)
    _define_repair(ctx)
    assert ctx.ivr_answer_workorders(CITY_AGENT, "C1").text == "您目前没有正在办理的业务。"
    wo = ctx.workorder_open(CITY_AGENT, "fault_repair_urban", "R1", "3701", customer_no="C1")
    a = ctx.ivr_answer_workorders(CITY_AGENT, "C1")
    assert a.open == 1 and a.items[0].id == wo.id
    assert a.items[0].kind is powercrm.IvrWorkorderKind.REPAIR
    assert a.items[0].state == "reported" and a.items[0].next_state == "dispatched"
    assert a.text == "您有一张正在办理的故障报修（城区）工单，当前进度：报修受理，下一步：已派工。"


def test_outage_fault_report_and_menu(ctx, clock):
    _home(ctx, area="TQ-001")
    _define_repair(ctx)
    menu = ctx.ivr_smart_menu(CITY_AGENT, "C5")
    assert [m.item for m in menu][0] is powercrm.IvrMenuItem.LAST_BILL
    assert {m.reason for m in menu} == {"default"}
    master = ctx.workorder_open(CITY_AGENT, "outage", "OUT-1", "3701")
    oid = ctx.ivr_outage_publish(CITY_AGENT, "3701", "TQ-001", powercrm.IvrOutageKind.FAULT,
                                 START - 1800, START + 9000, "变压器故障", master.id)
    a = ctx.ivr_answer_outage(CITY_AGENT, "C5")
    assert a.transformer_area == "TQ-001" and a.outages == 1
    assert a.items[0].id == oid and a.items[0].in_progress
    assert a.text == ("您所在台区因变压器故障停电，正在抢修，预计二零二六年十一月二十三日"
                      "十一时三十分恢复供电。")
    r = ctx.ivr_report_fault(CITY_AGENT, "C5", "fault_repair_urban")
    assert r.opened and r.master_workorder == master.id and r.outage_id == oid
    assert r.restore_estimate == START + 9000
    menu = ctx.ivr_smart_menu(CITY_AGENT, "C5")
    assert [(m.item, m.reason) for m in menu[:2]] == [
        (powercrm.IvrMenuItem.OUTAGE, "outage_in_area"),
        (powercrm.IvrMenuItem.WORKORDERS, "open_workorders")]
    assert menu[0].title == "停电信息" and menu[0].promoted
    ctx.ivr_outage_revise(CITY_AGENT, oid, START + 9300)
    ctx.ivr_outage_end(CITY_AGENT, oid)
    assert ctx.ivr_answer_outage(CITY_AGENT, "C5").outages == 0
    with pytest.raises(powercrm.WrongState):
        ctx.ivr_outage_end(CITY_AGENT, oid)
    with pytest.raises(powercrm.InvalidInput) as e:
        ctx.ivr_outage_publish(CITY_AGENT, "3701", "TQ-001", powercrm.IvrOutageKind.PLANNED,
                               START + 100, START, "检修")
    assert "spec.ends_at" in str(e.value)
    with pytest.raises(powercrm.PermissionDenied):
        ctx.ivr_report_fault(MONITOR, "C5", "fault_repair_urban")


def test_tier_answer(ctx, clock):
    from test_billing import ANNUAL, SPEC, home
    from conftest import CITY_ADMIN
    home(ctx, 1, "3701", 600)
    ctx.tariff_publish(ROOT_ADMIN, ANNUAL)
    assert ctx.ivr_answer_tier(CITY_AGENT, "C1").text == \
        "您目前还没有电费账单，暂时无法查询阶梯档位。"
    ctx.billing_run(CITY_ADMIN, dict(SPEC, tariffs={"residential": "annual-residential"}))
    a = ctx.ivr_answer_tier(CITY_AGENT, "C1")
    assert isinstance(a, powercrm.IvrTierAnswer)
    assert (a.position.tier, a.position.energy, a.position.remaining) == \
        (1, Decimal("600"), Decimal("100"))
    assert a.text == ("本年度已用电量六百千瓦时，处于第一档，第一档上限为七百千瓦时，"
                      "再用一百千瓦时将进入第二档。")
    with pytest.raises(powercrm.PermissionDenied):
        ctx.ivr_answer_tier(CITY_AGENT, "C9")
