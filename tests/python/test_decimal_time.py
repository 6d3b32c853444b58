"""Exact decimals (Decimal in and out, never float) and time helpers."""

import datetime as dt
import decimal
from decimal import Decimal as D

import pytest

import powercrm
from conftest import T0

CST = dt.timezone(dt.timedelta(hours=8))


# ---- decimals ----------------------------------------------------------------------------

def test_the_utility_example_is_exact():
    r = powercrm.decimal_mul_round(D("140.00"), D("0.09975"), 2)
    assert r == D("13.97") and str(r) == "13.97" and isinstance(r, D)
    # float would say 13.965 -> 13.96 or 13.97 depending on luck; the library never guesses
    assert powercrm.decimal_mul_round("140.00", "0.09975", 2, "down") == D("13.96")


def test_scale_is_kept():
    assert str(powercrm.decimal_parse("12.30")) == "12.30"
    assert str(powercrm.decimal_add(D("1.5"), D("0.25"))) == "1.75"
    assert str(powercrm.decimal_add(D("1.50"), 1)) == "2.50"
    assert str(powercrm.decimal_mul(D("1.5"), D("1.5"))) == "2.25"
    assert str(powercrm.decimal_round(D("2.5"), 3)) == "2.500"
    assert powercrm.decimal_format(D("0.05")) == "0.05"
    assert powercrm.decimal_format(D("1E+2")) == "100"
    assert powercrm.decimal_format(".5") == "0.5"


def test_operations():
    assert powercrm.decimal_sub("10", "0.01") == D("9.99")
    assert powercrm.decimal_neg(D("-3.2")) == D("3.2")
    assert powercrm.decimal_div(21, D("0.70"), 0, "ceiling") == 30
    assert powercrm.decimal_div(1, 3, 4) == D("0.3333")
    assert powercrm.decimal_cmp(D("1.50"), D("1.5")) == 0
    assert powercrm.decimal_cmp("2", "10") == -1
    assert powercrm.decimal_sign(D("-0.01")) == -1
    assert powercrm.decimal_is_zero("-0.000")
    assert powercrm.decimal_to_int(D("2.01"), "ceiling") == 3
    assert powercrm.decimal_to_int(D("-2.5")) == -3


@pytest.mark.parametrize("mode,expected", [
    ("half_up", "0.13"), ("half_even", "0.12"), ("down", "0.12"), ("up", "0.13"),
    ("ceiling", "0.13"), ("floor", "0.12"),
    (decimal.ROUND_HALF_EVEN, "0.12"), (powercrm.Rounding.UP, "0.13"),
])
def test_rounding_modes(mode, expected):
    assert str(powercrm.decimal_round(D("0.125"), 2, mode)) == expected


def test_float_is_refused():
    with pytest.raises(TypeError, match="not exact"):
        powercrm.decimal_add(0.1, 1)
    with pytest.raises(TypeError):
        powercrm.decimal_parse(D("1"))
    with pytest.raises(ValueError):
        powercrm.decimal_round(1, 2, "sideways")


def test_decimal_errors_name_the_problem():
    with pytest.raises(powercrm.InvalidInput, match="position 5"):
        powercrm.decimal_parse("12.3x")
    with pytest.raises(powercrm.InvalidInput, match="division by zero"):
        powercrm.decimal_div(1, D("0.00"), 2)
    with pytest.raises(powercrm.InvalidInput):
        powercrm.decimal_add(D("NaN"), 1)
    with pytest.raises(powercrm.InvalidInput, match="18"):
        powercrm.decimal_add(D("0E-20"), 1)
    with pytest.raises(powercrm.Overflow):
        powercrm.decimal_mul(D("0.0000000001"), D("0.0000000001"))
    with pytest.raises(powercrm.InvalidInput):
        powercrm.decimal_round(1, 19)


def test_lowlevel_decimal_struct():
    d = powercrm.lowlevel.pcrm_decimal_parse_n("12.345")
    assert (d.units, d.scale) == (12345, 3)
    assert powercrm.lowlevel.pcrm_decimal_format(d, powercrm.lowlevel.PCRM_DECIMAL_STRING_MAX) == "12.345"
    with pytest.raises(powercrm.InvalidInput):
        powercrm.lowlevel.pcrm_decimal_format(d, 3)  # buffer too small


# ---- time --------------------------------------------------------------------------------

def test_parse_and_format():
    t = powercrm.time_parse("2026-11-23T09:00:00+08:00")
    assert t == T0
    assert powercrm.time_parse("2026-11-23T01:00:00Z") == T0
    assert powercrm.time_format(T0) == "2026-11-23T09:00:00+08:00"
    assert powercrm.time_format(T0, 0) == "2026-11-23T01:00:00Z"
    with pytest.raises(powercrm.InvalidInput):
        powercrm.time_parse("2026-11-23T09:00:00")  # no offset: never guessed


def test_civil_conversions():
    assert powercrm.time_from_civil(dt.datetime(2026, 11, 23, 9, 0, 0)) == T0
    assert powercrm.time_from_civil((2026, 11, 23, 1), 0) == T0
    assert powercrm.time_to_civil(T0) == dt.datetime(2026, 11, 23, 9, 0, 0)
    assert powercrm.time_to_civil(T0, 0) == dt.datetime(2026, 11, 23, 1, 0, 0)
    with pytest.raises(powercrm.InvalidInput, match="day 29"):
        powercrm.time_from_civil((2026, 2, 29))
    with pytest.raises(powercrm.InvalidInput, match="hour 24"):
        powercrm.time_from_civil((2026, 2, 28, 24, 0, 0))
    with pytest.raises(powercrm.InvalidInput, match="utc_offset"):
        powercrm.time_to_civil(T0, 20 * 3600)


def test_datetime_round_trip():
    aware = powercrm.to_datetime(T0)
    assert aware == dt.datetime(2026, 11, 23, 9, tzinfo=CST)
    assert aware.utcoffset() == dt.timedelta(hours=8)
    assert powercrm.from_datetime(aware) == T0
    assert powercrm.from_datetime(aware.astimezone(dt.timezone.utc)) == T0
    assert powercrm.time_format(aware) == "2026-11-23T09:00:00+08:00"
    with pytest.raises(powercrm.InvalidInput, match="no UTC offset"):
        powercrm.from_datetime(dt.datetime(2026, 11, 23, 9))
    with pytest.raises(TypeError):
        powercrm.time_format("2026")


def test_dates():
    assert powercrm.date_parse("2026-02-28") == dt.date(2026, 2, 28)
    with pytest.raises(powercrm.InvalidInput):
        powercrm.date_parse("2026-2-28")
    assert powercrm.date_weekday(dt.date(2026, 11, 23)) == 1
    assert powercrm.date_weekday("2026-11-29") == 7
    assert powercrm.date_weekday((2026, 2, 30)) == 0
    assert powercrm.date_is_valid(2024, 2, 29) and not powercrm.date_is_valid(2026, 2, 29)
    assert powercrm.date_to_days(dt.date(1970, 1, 2)) == 1
    assert powercrm.date_from_days(-1) == dt.date(1969, 12, 31)
    with pytest.raises(powercrm.Overflow):
        powercrm.date_from_days(10 ** 9)
    with pytest.raises(powercrm.InvalidInput, match="2026-02-30"):
        powercrm.date_to_days((2026, 2, 30))
    assert powercrm.days_in_month(2024, 2) == 29 and powercrm.days_in_month(2024, 13) == 0
    assert abs(powercrm.clock_system() - int(dt.datetime.now().timestamp())) < 5
