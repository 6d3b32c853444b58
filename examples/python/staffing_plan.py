#!/usr/bin/env python3
"""Staffing plan: a day of half-hourly call volumes -> agents per half-hour -> shifts.

    staffing_plan.py [calls-per-day] [plan.csv]

The Python version of examples/staffing/staffing_plan.c: the 95598 hotline's
day shape, Erlang C with an 80/20 service goal, 90 % occupancy cap and 30 %
shrinkage (an exact Decimal), covered by 8.5-hour day shifts, an evening shift
and a night shift over midnight at minimum paid time.  The half-hour table is
also written to CSV.
"""

import csv
import sys
from decimal import Decimal

import powercrm

HALF_HOURS = 48

# Share of the day's calls in each half-hour: quiet at night, peaks at 09-11 and 14-16.
DAY_SHAPE = [
    0.4, 0.3, 0.25, 0.2, 0.2, 0.2, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7,
    0.9, 1.2, 1.8, 2.6, 3.4, 3.9, 4.2, 4.3, 4.1, 3.9, 3.5, 3.0,
    2.6, 2.5, 2.9, 3.4, 3.7, 3.8, 3.6, 3.2, 2.9, 2.6, 2.3, 2.0,
    1.9, 1.8, 1.7, 1.5, 1.3, 1.1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45,
]


def hhmm(i):
    i %= HALF_HOURS
    return "%02d:%02d" % (i // 2, i % 2 * 30)


def main(argv):
    per_day = float(argv[1]) if len(argv) > 1 else 6000.0
    csv_path = argv[2] if len(argv) > 2 else None
    total = sum(DAY_SHAPE)
    day = [powercrm.ForecastInterval(per_day * share / total, 240.0 if 16 <= i < 40 else 300.0)
           for i, share in enumerate(DAY_SHAPE)]
    target = powercrm.StaffingTarget(service_level=0.80, target_s=20, max_occupancy=0.90,
                                     shrinkage=Decimal("0.30"))
    need = powercrm.staffing_curve(day, 1800, target, patience_s=90)

    shifts = [powercrm.Shift(start=2 * h, length=17, cost=17) for h in range(6, 15)]
    shifts.append(powercrm.Shift(start=44, length=18, cost=22))   # 22:00-07:00, night premium
    shifts.append(powercrm.Shift(start=34, length=10, cost=10))   # 17:00-22:00
    plan = powercrm.shift_plan([r.scheduled for r in need], shifts, cyclic=True)

    print("%.0f calls a day, 80%% answered within 20 s, occupancy <= 90%%, shrinkage 30%%\n"
          % per_day)
    print(" time   calls  AHT  erlangs on-phone scheduled staffed  SL")
    for i, (iv, r) in enumerate(zip(day, need)):
        print("%s %7.1f %4.0f %8.2f %8d %9d %7d  %.3f" % (
            hhmm(i), iv.calls, iv.aht_s, r.metrics.erlangs, r.agents, r.scheduled,
            plan.staffed[i], r.metrics.service_level))
    print("\nShift plan (%s):" % ("proven optimal" if plan.optimal else "heuristic"))
    for s, n in zip(shifts, plan.counts):
        if n:
            print("  %s-%s  %3d agents" % (hhmm(s.start), hhmm(s.start + s.length), n))
    print("  %d agent-days, cost %d, surplus %d agent-half-hours"
          % (plan.agents, plan.cost, plan.surplus))

    if csv_path:
        with open(csv_path, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["time", "calls", "aht_s", "erlangs", "agents", "scheduled", "staffed",
                          "service_level", "occupancy"])
            for i, (iv, r) in enumerate(zip(day, need)):
                out.writerow([hhmm(i), "%.2f" % iv.calls, "%.0f" % iv.aht_s,
                              "%.3f" % r.metrics.erlangs, r.agents, r.scheduled,
                              plan.staffed[i], "%.4f" % r.metrics.service_level,
                              "%.4f" % r.metrics.occupancy])
        print("\nhalf-hour table written to %s" % csv_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
