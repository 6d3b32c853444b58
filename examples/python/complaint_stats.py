#!/usr/bin/env python3
"""Complaint statistics: a week of complaint, report and suggestion work orders, exported to CSV.

    complaint_stats.py [--store URI] [CSV]

Defines the shipped complaint (投诉), report (举报) and suggestion (建议)
workflows with the shipped 2026 business calendar, opens a dozen work orders
for customers of four county units on a simulated clock starting Monday
2026-11-23 09:00 (Beijing time), moves them through their states with
workorder_fire (contact, opinion, approval, reply, return visit; one invalid, one
dissatisfied customer), reminds some, and lets workorder_tick flag and
escalate the ones whose time limit passes while the clock runs to Tuesday
2026-12-01 10:00.

Then it writes one CSV row per accepting org unit and workflow: the count of
work orders in each state, cancelled, overdue (flagged by a passed time
limit, closed ones included: the flag stays), escalated, reminded (work
orders with at least one reminder) and reminders, and the average handling
time of the closed ones (opening to the final state), in hours and in
working hours of the calendar.  A work order escalated to its city counts
under the county that accepted it.
Everything is computed from what the library returns: workorder_iter()
for the work orders, workorder_history() for where each was accepted and
when it closed.  The CSV goes to the CSV path, or to stdout (the narration
then goes to stderr).

--store defaults to a fresh in-memory SQLite store.  The simulated week runs
only on a store without org unit 37; a store that has it (a second run on the
same file, or your own data) is reported as it is.
"""

import argparse
import csv
import os
import sys
from decimal import ROUND_HALF_UP, Decimal

import powercrm

# The data key that seals personal data (names, phones, addresses, ID numbers).
# DEMO KEY, public in this source: a deployment takes its key from its key store
# (an HSM or KMS) and never from code.  PCRM_DATA_KEY (64 hex digits) replaces it.
DEMO_DATA_KEY = b"demo-key-never-use-in-production"
DATA_KEY = bytes.fromhex(os.environ["PCRM_DATA_KEY"]) if "PCRM_DATA_KEY" in os.environ \
    else DEMO_DATA_KEY

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data")

KINDS = ("complaint", "report", "suggestion")
HOUR = 3600
T0 = powercrm.time_parse("2026-11-23T09:00:00+08:00")   # a Monday
T_END = powercrm.time_parse("2026-12-01T10:00:00+08:00")

ADMIN = powercrm.Actor("A0001", "admin", 3, "37")
CLERK = powercrm.Actor("D0001", "data_clerk", 2, "37")
AGENTS = {"3701": powercrm.Actor("agent-jn", "agent", 2, "3701"),
          "3702": powercrm.Actor("agent-qd", "agent", 2, "3702")}
MONITOR = powercrm.Actor("M0001", "monitor", 1, "37")
SYSTEM = powercrm.Actor("tick", "system", 1, "37")

UNITS = [("37", None, "国网山东省电力公司", "province"),
         ("3701", "37", "国网济南供电公司", "city"),
         ("370102", "3701", "历下区供电中心", "county"),
         ("370103", "3701", "市中区供电中心", "county"),
         ("3702", "37", "国网青岛供电公司", "city"),
         ("370202", "3702", "市南区供电中心", "county"),
         ("370203", "3702", "市北区供电中心", "county")]

# What happens to a work order: (hours after it was opened, event, data).
PATHS = {
    "closed": [(2, "contact", {"contact_note": "已电话联系客户"}),
               (26, "opinion", {"opinion": "核实后已处理"}), (26, "approve", {}),
               (28, "replied", {"reply": "已答复客户"}),
               (50, "visit", {"satisfaction": "satisfied"})],
    "closed_late": [(27, "contact", {"contact_note": "次日联系客户"}),
                    (30, "opinion", {"opinion": "已更换表计"}), (30, "approve", {}),
                    (31, "replied", {"reply": "已答复客户"}),
                    (48, "visit", {"satisfaction": "basically_satisfied"})],
    "invalid": [(1, "invalid", {"reason": "重复工单"})],
    "dissatisfied": [(2, "contact", {"contact_note": "已联系"}),
                     (6, "opinion", {"opinion": "已解释电价政策"}), (6, "approve", {}),
                     (7, "replied", {"reply": "已答复"}),
                     (24, "dissatisfied", {"reason": "客户不认可解释"})],
    "return_visit": [(2, "contact", {"contact_note": "已联系"}),
                     (5, "opinion", {"opinion": "采纳建议"}), (5, "approve", {}),
                     (6, "replied", {"reply": "已答复"})],
    "reply": [(3, "contact", {"contact_note": "已联系"}), (20, "opinion", {"opinion": "已处理"}),
              (20, "approve", {})],
    "handling": [(4, "contact", {"contact_note": "已联系，待现场核查"})],
    "accepted": [],
}

# business key, workflow, accepting unit, customer, hours after T0, path, reminded after (hours)
ORDERS = [
    ("TS-0001", "complaint", "370102", "3701020001", 0, "closed", None),
    ("TS-0002", "complaint", "370102", "3701020002", 1, "closed_late", 20),
    ("TS-0003", "complaint", "370102", "3701020003", 2, "accepted", 5),
    ("TS-0004", "complaint", "370103", "3701030001", 3, "handling", None),
    ("TS-0005", "complaint", "370103", "3701030002", 24, "dissatisfied", None),
    ("TS-0006", "complaint", "370202", "3702020001", 4, "reply", None),
    ("TS-0007", "complaint", "370202", "3702020002", 26, "accepted", None),
    ("JB-0001", "report", "370102", "3701020004", 5, "invalid", None),
    ("JB-0002", "report", "370203", "3702030001", 6, "handling", 30),
    ("JY-0001", "suggestion", "370103", "3701030003", 2, "return_visit", None),
    ("JY-0002", "suggestion", "370202", "3702020003", 48, "closed", None),
    ("JY-0003", "suggestion", "370203", "3702030002", 7, "accepted", None),
]


class Clock:
    """A settable clock (as tests/python/conftest.py's FixedClock): the simulated week."""

    def __init__(self, t):
        self.t = t

    def __call__(self):
        return self.t


def agent_for(org):
    return AGENTS[org[:4]]


def setup(ctx, say):
    """Org tree, customers and the three workflows; returns the calendar."""
    with open(os.path.join(DATA, "calendars", "cn-2026.json"), encoding="utf-8") as f:
        calendar_text = f.read()
    with ctx.transaction():
        for code, parent, name, level in UNITS:
            ctx.org_create(ADMIN, code, parent, name, level)
        for _key, _kind, org, customer_no, _at, _path, _remind in ORDERS:
            ctx.customer_create(CLERK, {"customer_no": customer_no, "kind": "person",
                                        "name": "客户" + customer_no[-4:],
                                        "usage_class": "residential", "voltage_level": "220V",
                                        "org_unit": org})
        for kind in KINDS:
            with open(os.path.join(DATA, "workflows", kind + ".json"), encoding="utf-8") as f:
                version = ctx.workflow_define(ADMIN, f.read(), calendar_text)
            say("defined workflow %s version %d" % (kind, version))


def simulate(ctx, clock, say):
    """Opens the work orders and plays their events in time order, ticking the timers."""
    timeline = []  # (instant, order of insertion, action)
    for n, (key, kind, org, customer_no, at, path, remind) in enumerate(ORDERS):
        opened = T0 + at * HOUR
        timeline.append((opened, n, 0, ("open", key, kind, org, customer_no)))
        for i, (after, event, data) in enumerate(PATHS[path]):
            timeline.append((opened + after * HOUR, n, i + 1, ("fire", key, org, event, data)))
        if remind is not None:
            timeline.append((opened + remind * HOUR, n, 99, ("remind", key, org)))
    timeline.sort(key=lambda x: x[:3])

    ids = {}
    ticked = 0
    for t, _n, _i, action in timeline:
        clock.t = t
        ticked += ctx.workorder_tick(SYSTEM)      # limits that passed before this moment
        if action[0] == "open":
            _, key, kind, org, customer_no = action
            ids[key] = ctx.workorder_open(agent_for(org), kind, key, org,
                                          customer_no=customer_no).id
        elif action[0] == "fire":
            _, key, org, event, data = action
            wo = ctx.workorder_get(agent_for(org), ids[key])
            # an escalated work order stays with its county (the city supervises): its agent fires
            ctx.workorder_fire(agent_for(org), wo.id, wo.version, event, data)
        else:
            _, key, org = action
            ctx.workorder_remind(ADMIN, ids[key], "请尽快处理")
    clock.t = T_END
    ticked += ctx.workorder_tick(SYSTEM)
    say("simulated %s .. %s: %d work orders, %d actions, %d timers processed"
        % (powercrm.time_format(T0, ctx.utc_offset), powercrm.time_format(T_END, ctx.utc_offset),
           len(ORDERS), len(timeline), ticked))


def hours(seconds, n):
    return (Decimal(seconds) / Decimal(n) / Decimal(HOUR)).quantize(Decimal("0.01"),
                                                                   ROUND_HALF_UP)


def collect(ctx, calendar):
    """Per (accepting unit, workflow): counts and handling times, from queries and history."""
    states = []
    final = set()
    stats = {}
    for kind in KINDS:
        wf = ctx.workflow_get(MONITOR, kind)
        states += [s for s in wf.states if s not in states]
        final.update(wf.final_states)
        for wo in ctx.workorder_iter(MONITOR, workflow=kind, include_closed=True):
            history = ctx.workorder_history(MONITOR, wo.id)
            accepted_by = history[0].delta["org_unit"]  # the "open" entry
            s = stats.setdefault((accepted_by, kind), {
                "total": 0, "states": {}, "cancelled": 0, "overdue": 0, "escalated": 0,
                "reminded": 0, "reminders": 0, "closed": 0, "handling_s": 0, "working_s": 0})
            s["total"] += 1
            if wo.status == "cancelled":
                s["cancelled"] += 1
            else:
                s["states"][wo.state] = s["states"].get(wo.state, 0) + 1
            s["overdue"] += wo.overdue
            s["escalated"] += wo.escalations > 0
            s["reminded"] += wo.reminders > 0
            s["reminders"] += wo.reminders
            if wo.status == "closed":
                closed_at = [e.at for e in history if e.to_state in final][-1]
                s["closed"] += 1
                s["handling_s"] += closed_at - wo.opened_at
                s["working_s"] += calendar.working_seconds_between(wo.opened_at, closed_at)
    return states, stats


def write_csv(out, ctx, states, stats):
    w = csv.writer(out)
    w.writerow(["org_unit", "org_name", "workflow", "total"] + states +
               ["cancelled", "overdue", "escalated", "reminded", "reminders",
                "avg_handling_hours", "avg_working_hours"])
    for (org, kind), s in sorted(stats.items()):
        n = s["closed"]
        w.writerow([org, ctx.org_get(MONITOR, org).name, kind, s["total"]] +
                   [s["states"].get(state, 0) for state in states] +
                   [s["cancelled"], s["overdue"], s["escalated"], s["reminded"], s["reminders"],
                    hours(s["handling_s"], n) if n else "", hours(s["working_s"], n) if n else ""])


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", default="sqlite::memory:", help="store URI")
    ap.add_argument("csv", nargs="?", help="output file (default: stdout)")
    args = ap.parse_args(argv[1:])
    log = sys.stderr if args.csv is None else sys.stdout

    def say(text):
        print(text, file=log)

    clock = Clock(T0)
    with powercrm.open(args.store, clock=clock, data_key=DATA_KEY) as ctx, \
            powercrm.Calendar.load_file(os.path.join(DATA, "calendars", "cn-2026.json")) as cal:
        try:
            ctx.org_is_within("37", "37")
            say("store has org unit 37: reporting its work orders as they are")
        except powercrm.NotFound:
            setup(ctx, say)
            simulate(ctx, clock, say)
        overdue_open = sum(1 for kind in KINDS
                           for _ in ctx.workorder_iter(MONITOR, workflow=kind, overdue=True))
        say("open and overdue now (workorder_query overdue=True): %d" % overdue_open)

        states, stats = collect(ctx, cal)
        if args.csv is None:
            write_csv(sys.stdout, ctx, states, stats)
        else:
            with open(args.csv, "w", newline="", encoding="utf-8") as f:
                write_csv(f, ctx, states, stats)
            say("%d rows written to %s" % (len(stats), args.csv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
