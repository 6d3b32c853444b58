#!/usr/bin/env python3
"""A year of monthly residential bills from a real hourly load profile.

    bill_year.py [tariff.json] [profile.csv] [bills.csv]

Bills tests/tariff/data/ssc_res_load_kwh.csv (8,760 hourly kWh values from
NREL's ssc, hour 0 = 1 January 00:00) month by month under the tiered
time-of-use tariff data/tariffs/cn-residential-tiered-tou.json: each hour is
an interval, the library assigns it to its TOU period in UTC+8 and the
month's total decides the tiers.  Prints one line per month and writes every
bill line to CSV.  Money is decimal.Decimal throughout.
"""

import csv
import datetime as dt
import os
import sys
from decimal import Decimal

import powercrm

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
TARIFF = os.path.join(ROOT, "data", "tariffs", "cn-residential-tiered-tou.json")
PROFILE = os.path.join(ROOT, "tests", "tariff", "data", "ssc_res_load_kwh.csv")
CST = dt.timezone(dt.timedelta(hours=8))


def main():
    tariff_path = sys.argv[1] if len(sys.argv) > 1 else TARIFF
    profile_path = sys.argv[2] if len(sys.argv) > 2 else PROFILE
    out_path = sys.argv[3] if len(sys.argv) > 3 else "bills.csv"
    with open(profile_path, encoding="ascii") as f:
        hours = [Decimal(line.strip()) for line in f if line.strip()]
    year_start = dt.datetime(2026, 1, 1, tzinfo=CST)
    year_kwh = year_total = Decimal(0)
    with powercrm.Tariff.load_file(tariff_path) as tariff, \
            open(out_path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["month", "code", "period", "tier", "item", "quantity", "unit",
                         "unit_price", "amount"])
        print("tariff %s version %d" % (tariff.id, tariff.version))
        print("%-7s %10s %10s   %s" % ("month", "kWh", tariff.currency, "lines"))
        for month in range(1, 13):
            first = dt.date(2026, month, 1)
            last = (dt.date(2026 + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))
            h0 = (first - dt.date(2026, 1, 1)).days * 24
            h1 = ((last - dt.date(2026, 1, 1)).days + 1) * 24
            usage = powercrm.Usage(intervals=[
                (year_start + dt.timedelta(hours=h), 3600, hours[h]) for h in range(h0, h1)])
            bill = tariff.bill(first, last, usage)
            assert bill.total == sum(line.amount for line in bill.lines)
            for line in bill.lines:
                writer.writerow([first.strftime("%Y-%m"), line.code, line.period or "",
                                 line.tier or "", line.item or "", line.quantity, line.unit,
                                 line.unit_price, line.amount])
            print("%-7s %10s %10s   %d" % (first.strftime("%Y-%m"), bill.energy, bill.total,
                                          len(bill.lines)))
            year_kwh += bill.energy
            year_total += bill.total
    print("%-7s %10s %10s" % ("year", year_kwh, year_total))


if __name__ == "__main__":
    main()
