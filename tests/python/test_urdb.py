"""The URDB importer from Python: tariff_from_urdb, Tariff.from_urdb and the
``python3 -m powercrm.urdb`` command (``powercrm tariff import-urdb``)."""

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest

import powercrm
from powercrm import tariff_from_urdb
from conftest import SOURCE_ROOT

URDB = os.path.join(SOURCE_ROOT, "tests", "tariff", "data", "urdb")


def fixture(name):
    with open(os.path.join(URDB, name + ".json"), encoding="utf-8") as f:
        return f.read()


def test_ev9a_tiers_bill_as_ssc_expects():
    # lib_utility_rate_test.cpp: 25 kWh in period 1 cost 25 x 0.11365 (+-0.0001 per kWh)
    doc = tariff_from_urdb(fixture("ssc-ev9a-period1"))
    assert doc["id"] == "urdb-ssc-ev9a-period1" and doc["effective_from"] == "2018-01-01"
    assert doc["energy"]["tiers"][0] == {"max": "8.3", "price": "0.03461"}
    with powercrm.Tariff.load(doc) as t:
        bill = t.bill("2018-01-01", "2018-01-31", powercrm.Usage(total=Decimal("25")))
    # each tier line rounded to the cent: 0.29 + 0.13 + 0.85 + 1.55 + 0.02
    assert [ln.amount for ln in bill.lines] == [Decimal(x) for x in
                                                ("0.29", "0.13", "0.85", "1.55", "0.02")]
    assert abs(bill.total - Decimal("25") * Decimal("0.11365")) <= Decimal("0.0275")


def test_options_and_a_dict_with_decimals():
    rate = json.loads(fixture("ssc-residential-tou"), parse_float=Decimal)
    with powercrm.Tariff.from_urdb(rate, id="res-tou", version=2, effective_from="2026-01-01",
                                   currency="CAD", rounding="half_even",
                                   utc_offset="-05:00") as t:
        assert (t.id, t.version, t.currency) == ("res-tou", 2, "CAD")
        assert t.periods == ("p0", "p1", "p2", "p3")
    rate["energyratestructure"][0][0]["rate"] = 0.1
    with pytest.raises(TypeError, match=r"energyratestructure\[0\]\[0\]\.rate: a float"):
        tariff_from_urdb(rate)


def test_refusals_list_every_field():
    with pytest.raises(powercrm.Unsupported) as e:
        tariff_from_urdb('{"label": "a", "startdate": 0, "dgrules": "Buy All Sell All", '
                         '"demandratchetpercentage": [0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], '
                         '"flatdemandstructure": [[{"rate": 3}]], "flatdemandunit": "kVA"}')
    msg = str(e.value)
    assert "cannot express 3 fields" in msg
    for field in ('dgrules ("Buy All Sell All"', "demandratchetpercentage (",
                  'flatdemandunit ("kVA"'):
        assert field in msg
    with pytest.raises(powercrm.Unsupported, match=r'dgrules \("Net Billing Hourly"'):
        tariff_from_urdb('{"label": "a", "startdate": 0, "dgrules": "Net Billing Hourly", '
                         '"energyratestructure": [[{"rate": 0.1, "sell": 0.03}]]}')
    with pytest.raises(powercrm.InvalidInput, match=r"energyratestructure\[0\]\[0\]\.rate"):
        tariff_from_urdb('{"label": "a", "startdate": 0, '
                         '"energyratestructure": [[{"rate": "x"}]]}')


def run_cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "powercrm.urdb", *args], input=stdin,
                          capture_output=True, text=True, check=False)


def test_command_line():
    path = os.path.join(URDB, "ssc-commercial-tou-demand-tier1.json")
    r = run_cli(path, "--id", "com-1", "--effective-from", "2026-01-01")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["id"] == "com-1" and doc["demand_charges"]["by_period"]["d0"] == "20"
    assert doc["demand_charges"]["schedule"]["periods"] == ["d0", "d1"]
    powercrm.Tariff.load(doc).close()
    r = run_cli("-", "--time-zone", "America/Los_Angeles",
                stdin=fixture("ssc-pge-residential-nm"))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["time_zone"] == "America/Los_Angeles" and "utc_offset" not in doc
    assert doc["net_metering"] == {"mode": "net_metering", "sell_price": "0"}
    r = run_cli("-", stdin='{"label": "a", "startdate": 0, "dgrules": "Net Billing Hourly"}')
    assert r.returncode == 1 and r.stdout == ""
    assert 'dgrules ("Net Billing Hourly"' in r.stderr
    assert run_cli().returncode == 2


def test_prices_per_period_and_tier_and_net_metering():
    """ssc's EV9A rate whole: energy.rates with each period's own tier prices, daily maxima."""
    doc = tariff_from_urdb(fixture("ssc-ev9a-tiered-tou"))
    assert "tiers" not in doc["energy"]
    assert doc["energy"]["rates"]["p2"][0] == {"max": "8.3", "max_unit": "kWh daily",
                                               "price": "0.27904"}
    assert doc["energy"]["rates"]["p0"][4] == {"price": "0.18727"}
    # one day billed: the daily maxima are ssc's monthly ones, 25 kWh of peak cost ~25 x 0.41554
    with powercrm.Tariff.load(doc) as t:
        bill = t.bill("2018-01-01", "2018-01-01", powercrm.Usage(periods={"p2": Decimal("25")}))
    assert abs(bill.total - Decimal("25") * Decimal("0.41554")) <= Decimal("0.0275")
    assert len(bill.lines) == 5


def test_time_zone_option():
    doc = tariff_from_urdb(fixture("ssc-residential-tou"), time_zone="America/New_York")
    assert doc["time_zone"] == "America/New_York" and "utc_offset" not in doc
    with powercrm.Tariff.load(doc) as t:
        assert t.periods == ("p0", "p1", "p2", "p3")
    with pytest.raises(powercrm.InvalidInput, match="options.time_zone"):
        tariff_from_urdb(fixture("ssc-residential-tou"), time_zone="America/New_York",
                         utc_offset="-05:00")


def test_tiered_demand_and_ratchet():
    """ssc's URDB v8 export: tiered TOU and flat demand by month, net metering."""
    doc = tariff_from_urdb(fixture("ssc-urdbv8-export"))
    dc = doc["demand_charges"]
    assert dc["by_period"]["d0"] == [{"max": "100", "price": "19.539"}, {"price": "13.093"}]
    assert dc["flat_by_month"][0] == [{"max": "100", "price": "4"}, {"price": "6.46"}]
    assert dc["flat_by_month"][4] == "13.87"
    rate = json.loads(fixture("ssc-urdbv8-export"), parse_float=Decimal)
    rate.update(lookbackpercent=Decimal("0.75"), lookbackrange=11,
                lookbackMonths=[m in (6, 7, 8, 9) for m in range(1, 13)])
    with powercrm.Tariff.from_urdb(rate) as t:
        assert t.id == "urdb-" + rate["label"]
    ratchet = tariff_from_urdb(rate)["demand_charges"]["ratchet"]
    assert ratchet == {"percent": "0.75", "months": 11, "lookback_months": [6, 7, 8, 9],
                       "by": "month"}
