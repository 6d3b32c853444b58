#!/usr/bin/env python3
"""A month of complaint tickets: its statistics to CSV, and the printable monthly report.

    complaint_month.py [--store URI] [--month YYYY-MM] [--html FILE] [CSV]

On a store without org unit 37 (the default: a fresh in-memory SQLite store)
it first plays a simulated November 2026 at the 95598 service centre
(Beijing time, UTC+8): nine tickets filed by a province agent for customers
of two cities, one each just before and just after the month, routed to the
customer's city by the complaint configuration; replies, return visits (one
dissatisfied customer), a repeat complaint, and two tickets nobody handles,
which the work-order timers flag overdue while the clock runs to
2026-12-01 10:00.

Then it takes the month's period from the library (complaint_period(): the
1st 00:00 to the next 1st, local time), computes the statistics of the
tickets accepted in it by responsible unit and category, and writes the
library's CSV (RFC 4180) to CSV, or to stdout (the narration then goes to
stderr).  --html writes the monthly report (statistics, change against the
month before, overdue and repeat lists) as a self-contained HTML page.
"""

import argparse
import json
import os
import sys

import powercrm

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data")

# The data key that seals personal data (names, phones, addresses, ID numbers).
# DEMO KEY, public in this source: a deployment takes its key from its key store
# (an HSM or KMS) and never from code.  PCRM_DATA_KEY (64 hex digits) replaces it.
DEMO_DATA_KEY = b"demo-key-never-use-in-production"
DATA_KEY = bytes.fromhex(os.environ["PCRM_DATA_KEY"]) if "PCRM_DATA_KEY" in os.environ \
    else DEMO_DATA_KEY
HOUR = 3600

ADMIN = powercrm.Actor("A0001", "admin", 3, "37")
CLERK = powercrm.Actor("D0001", "data_clerk", 2, "37")
AGENT = powercrm.Actor("agent-95598", "agent", 2, "37")
LEAD = powercrm.Actor("L0001", "agent", 2, "37")
MONITOR = powercrm.Actor("M0001", "monitor", 1, "37")
SYSTEM = powercrm.Actor("tick", "system", 1, "37")

UNITS = [("37", None, "国网山东省电力公司", "province"),
         ("3701", "37", "国网济南供电公司", "city"),
         ("370102", "3701", "历下区供电中心", "county"),
         ("370103", "3701", "市中区供电中心", "county"),
         ("3702", "37", "国网青岛供电公司", "city"),
         ("370202", "3702", "市南区供电中心", "county"),
         ("370203", "3702", "市北区供电中心", "county")]
CATEGORIES = ("service", "business", "outage", "supply_quality", "grid_construction")

# What happens to a ticket: (hours after filing, step); "visit:..." is the return visit.
PATHS = {
    "closed": [(2, "contact"), (20, "opinion"), (22, "reply"), (30, "visit:satisfied")],
    "dissatisfied": [(2, "contact"), (5, "opinion"), (6, "reply"), (24, "visit:dissatisfied")],
    "replied": [(3, "contact"), (8, "opinion"), (9, "reply")],
    "open": [],
}

# customer, category, subcategory, filed at (local), path, substantiated, description
TICKETS = [
    ("3701030001", "business", "billing", "2026-10-28T15:00", "closed", False, "电费异常"),
    ("3701020001", "service", "attitude", "2026-11-02T09:00", "closed", True, "营业厅人员态度差"),
    ("3701030001", "business", "billing", "2026-11-03T14:00", "dissatisfied", False,
     "对电费核查结果有异议"),
    ("3702020001", "outage", "unplanned", "2026-11-05T08:30", "closed", False, "小区突然停电"),
    ("3701020001", "service", "attitude", "2026-11-09T10:00", "open", False, "再次反映服务态度"),
    ("3702030001", "supply_quality", "voltage", "2026-11-12T16:00", "replied", True,
     "晚高峰电压偏低"),
    ("3702020002", "grid_construction", "line_route", "2026-11-20T11:00", "open", False,
     "线路走廊影响房屋"),
    ("3701020002", "business", "payment", "2026-11-27T10:00", "closed", False, "缴费未到账"),
    ("3702020001", "outage", "unplanned", "2026-12-01T08:00", "open", False, "又一次停电"),
]
CUSTOMERS = sorted({t[0] for t in TICKETS})
T_END = powercrm.time_parse("2026-12-01T10:00:00+08:00")


class Clock:
    """A settable clock: the simulated month."""

    def __init__(self, t):
        self.t = t

    def __call__(self):
        return self.t


def setup(ctx, say):
    """Org tree, customers, the three ticket workflows and the routing configuration."""
    with open(os.path.join(DATA, "calendars", "cn-2026.json"), encoding="utf-8") as f:
        calendar = f.read()
    with open(os.path.join(DATA, "complaints", "config-example.json"), encoding="utf-8") as f:
        config = json.load(f)
    # every category goes to the customer's city (the first matching rule decides)
    config["rules"] = [{"category": c, "org_unit": city, "responsible_unit": city}
                       for city in ("3701", "3702") for c in CATEGORIES]
    with ctx.transaction():
        for code, parent, name, level in UNITS:
            ctx.org_create(ADMIN, code, parent, name, level)
        for no in CUSTOMERS:
            ctx.customer_create(CLERK, {"customer_no": no, "kind": "person",
                                        "name": "客户" + no[-4:], "usage_class": "residential",
                                        "voltage_level": "220V", "org_unit": no[:6]})
        for kind in ("complaint", "report", "suggestion"):
            with open(os.path.join(DATA, "workflows", kind + ".json"), encoding="utf-8") as f:
                ctx.workflow_define(ADMIN, f.read(), calendar)
        ctx.complaint_config_set(ADMIN, config)
    say("set up %d org units, %d customers, routing by city" % (len(UNITS), len(CUSTOMERS)))


def simulate(ctx, clock, say):
    """Files the tickets and plays their steps in time order, letting the timers run."""
    timeline = []
    for n, (customer, cat, sub, at, path, subst, text) in enumerate(TICKETS):
        filed = powercrm.time_parse(at + ":00+08:00")
        timeline.append((filed, n, 0, "file"))
        for i, (after, step) in enumerate(PATHS[path]):
            timeline.append((filed + after * HOUR, n, i + 1, step))
    timeline.sort()
    serials = {}
    for t, n, _i, step in timeline:
        clock.t = t
        ctx.workorder_tick(SYSTEM)
        customer, cat, sub, _at, _path, subst, text = TICKETS[n]
        if step == "file":
            serials[n] = ctx.complaint_file(AGENT, {
                "channel": "phone", "customer_no": customer, "category": cat,
                "subcategory": sub, "nature": "complaint", "description": text}).serial
            continue
        ticket = ctx.complaint_get(AGENT, serials[n])
        if step in ("contact", "opinion"):
            wo = ctx.workorder_get(AGENT, ticket.work_order_id)
            data = {"contact_note": "已联系客户"} if step == "contact" else {"opinion": "已核实处理"}
            ctx.workorder_fire(AGENT, wo.id, wo.version, step, data)
        elif step == "reply":
            # the supervisor approves the handling opinion before the reply goes out (审核)
            ctx.complaint_review(LEAD, ticket.serial, {"decision": "approve"})
            ctx.complaint_reply(AGENT, ticket.serial, {"channel": "phone", "content": "已答复客户",
                                                       "substantiated": subst})
        else:
            ctx.complaint_return_visit(AGENT, ticket.serial, {
                "result": "已回访", "satisfaction": step.split(":")[1]})
    clock.t = T_END
    ctx.workorder_tick(SYSTEM)
    say("simulated %d tickets, %d steps, up to %s"
        % (len(TICKETS), len(timeline), powercrm.time_format(T_END, ctx.utc_offset)))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", default="sqlite::memory:", help="store URI")
    ap.add_argument("--month", default="2026-11", help="the month, YYYY-MM (default 2026-11)")
    ap.add_argument("--html", help="also write the monthly report page here")
    ap.add_argument("csv", nargs="?", help="output file (default: stdout)")
    args = ap.parse_args(argv[1:])
    log = sys.stderr if args.csv is None else sys.stdout

    def say(text):
        print(text, file=log)

    clock = Clock(powercrm.time_parse("2026-10-28T00:00:00+08:00"))
    with powercrm.open(args.store, clock=clock, data_key=DATA_KEY) as ctx:
        try:
            ctx.org_is_within("37", "37")
            say("store has org unit 37: reporting its tickets as they are")
            ctx.set_clock(None)
        except powercrm.NotFound:
            setup(ctx, say)
            simulate(ctx, clock, say)
        start, end = powercrm.complaint_period("month", args.month + "-01", ctx.utc_offset)
        stats = ctx.complaint_stats(MONITOR, start, end, "responsible_unit,category")
        say("%s: %d tickets in %d groups (%s .. %s)"
            % (args.month, sum(r.received for r in stats), len(stats),
               powercrm.time_format(start, ctx.utc_offset),
               powercrm.time_format(end, ctx.utc_offset)))
        if args.csv is None:
            sys.stdout.write(stats.csv)
        else:
            with open(args.csv, "w", encoding="utf-8", newline="") as f:
                f.write(stats.csv)
            say("%d rows written to %s" % (len(stats), args.csv))
        if args.html:
            report = ctx.complaint_report(MONITOR, {"period": "month",
                                                    "date": args.month + "-01"})
            with open(args.html, "w", encoding="utf-8") as f:
                f.write(report.html)
            say("monthly report written to %s (%d overdue, %d repeat tickets)"
                % (args.html, report.overdue["total"], report.repeats["total"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
