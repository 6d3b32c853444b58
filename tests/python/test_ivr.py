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
