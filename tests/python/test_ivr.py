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
