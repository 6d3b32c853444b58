#!/usr/bin/env python3
"""Billing report: a monthly billing run from meter readings, then every bill line by line.

    billing_report.py [URI] [TARIFF.json]

Opens the store at URI (default: a fresh SQLite file in a temporary
directory).  A store without the Guangzhou org tree gets one: a city, two
districts, five residential customers, each with an account, a metering
point and a meter, and their October 2026 readings.  A store that has it
already (a second run on the same file, or your own data under org unit
4401) is reported as it is.  Then:

  1. publishes the shipped Guangzhou residential tariff (a no-op when the
     same version is already published);
  2. calculates October 2026 for org unit 4401 with ctx.billing_run()
     (电费核算), printing the progress after every committed batch (a rerun
     bills nothing twice); the bills are stored, not yet owed;
  3. after review, posts them to the account ledgers with ctx.billing_post()
     (电费发行): now they are receivables (a rerun posts nothing twice);
  4. prints per customer each bill with its itemised lines (quantity, unit
     price, amount, reason code), the run summary and each ledger balance;
  5. corrects one bill (ctx.bill_correct): a late reading came in after the
     bills were posted, so the bill is voided with a credit note and billed
     again (an unposted bill would be voided and billed again without
     touching the ledger).

Money and energy are decimal.Decimal from the library to the page; nothing
here touches a float.  The clock is pinned to the run day (2026-11-01 09:00,
Beijing time) so the output is the same every time.
"""

import datetime as dt
import os
import sys
import tempfile
from decimal import Decimal

import powercrm

# The data key that seals personal data (names, phones, addresses, ID numbers).
# DEMO KEY, public in this source: a deployment takes its key from its key store
# (an HSM or KMS) and never from code.  PCRM_DATA_KEY (64 hex digits) replaces it.
DEMO_DATA_KEY = b"demo-key-never-use-in-production"
DATA_KEY = bytes.fromhex(os.environ["PCRM_DATA_KEY"]) if "PCRM_DATA_KEY" in os.environ \
    else DEMO_DATA_KEY

HERE = os.path.dirname(os.path.abspath(__file__))
TARIFF = os.path.join(HERE, "..", "..", "data", "tariffs", "cn-gd-guangzhou-residential.json")

CN = dt.timezone(dt.timedelta(hours=8))
RUN_DAY = dt.datetime(2026, 11, 1, 9, 0, tzinfo=CN)
PERIOD = "2026-10"

PRICING = powercrm.Actor("P0001", "admin", 3, "44")     # publishes tariffs
BILLING = powercrm.Actor("B4401", "admin", 2, "4401")   # runs and corrects the month
CLERK = powercrm.Actor("D4401", "data_clerk", 2, "4401")
AGENT = powercrm.Actor("G4401", "agent", 1, "4401")     # reads bills and ledgers

# customer number, name, district, kWh used in October (None: no reading this month)
HOMES = [
    ("4401060001", "陈建国", "440106", 600),   # 260 x 0.589 + 340 x 0.639 = 370.40
    ("4401060002", "李秀英", "440106", 200),   # read early; a later reading comes in
    ("4401060003", "黄志强", "440106", 700),   # reaches the third tier
    ("4401040001", "张丽华", "440104", 150),
    ("4401040002", "刘伟", "440104", None),    # away all month: no reading, not billed
]
LATE = ("4401060002", Decimal("50"))  # the late reading: 50 kWh more on 31 October


def seed(ctx):
    """The org tree, the customers and their October readings, in one transaction."""
    with ctx.transaction():
        ctx.org_create(PRICING, "44", None, "广东电网有限责任公司", "province")
        ctx.org_create(PRICING, "4401", "44", "广州供电局", "city")
        ctx.org_create(PRICING, "440106", "4401", "天河供电局", "county")
        ctx.org_create(PRICING, "440104", "4401", "越秀供电局", "county")
        for no, name, org, kwh in HOMES:
            ctx.customer_create(CLERK, {"customer_no": no, "kind": "person", "name": name,
                                        "usage_class": "residential", "voltage_level": "220V",
                                        "org_unit": org})
            ctx.account_create(CLERK, no, {"account_no": "A" + no, "name": "电费账户",
                                           "payment_method": "cash"})
            ctx.metering_point_create(CLERK, no, {"mp_no": "P" + no, "account_no": "A" + no,
                                                  "purpose": "settlement",
                                                  "voltage_level": "220V"})
            ctx.meter_install(CLERK, "P" + no, {"meter_no": "M" + no, "type": "single_phase",
                                                "multiplier": "1", "digits": 6,
                                                "registers": ["total"],
                                                "initial_readings": {"total": "8000"}},
                              dt.datetime(2026, 9, 30, 12, 0, tzinfo=CN))
            if kwh is not None:
                ctx.reading_record(CLERK, "M" + no, "total", Decimal(8000 + kwh),
                                   dt.datetime(2026, 10, 31, 10, 0, tzinfo=CN))


def customers(ctx):
    """The customers under 4401, as the library returns them (customer number order)."""
    return sorted(ctx.customer_search_all(AGENT, org_unit="4401"), key=lambda c: c.customer_no)


def print_bill(bill):
    print("  %s  %s  tariff %s v%d  %s kWh  total %s%s" % (
        bill.bill_no, bill.status, bill.tariff_id, bill.tariff_version, bill.energy, bill.total,
        "  (replaces %s)" % bill.replaces if bill.replaces else ""))
    for ln in bill.lines:
        label = ln.code + (" tier %d" % ln.tier if ln.tier else "") + \
            (" %s" % ln.period if ln.period else "") + (" %s" % ln.item if ln.item else "")
        print("      %-22s %10s %-4s x %8s = %10s" % (label, ln.quantity, ln.unit,
                                                       ln.unit_price, ln.amount))
    lines_sum = sum((ln.amount for ln in bill.lines), Decimal("0.00"))
    assert lines_sum == bill.total, (bill.bill_no, lines_sum, bill.total)


def issued_total(ctx):
    """The sum of the issued (not void) bills of the month, from the stored bills."""
    return sum((b.total for c in customers(ctx)
                for b in ctx.bills(AGENT, c.customer_no, PERIOD, PERIOD)
                if b.status == "issued"), Decimal("0.00"))


def report(ctx):
    print("\nBills for %s (reason code, quantity x unit price = amount):" % PERIOD)
    grand = Decimal("0.00")
    for c in customers(ctx):
        print("%s %s (%s)" % (c.customer_no, c.name, c.org_unit))
        bills = ctx.bills(AGENT, c.customer_no, PERIOD, PERIOD)
        if not bills:
            print("  no bill (no reading in %s)" % PERIOD)
        for bill in bills:
            print_bill(bill)
            if bill.status == "issued":
                grand += bill.total
        for account in ctx.account_list(AGENT, c.customer_no):
            s = ctx.ledger_summary(AGENT, account.account_no)
            print("  ledger %s: balance %s, open %s, credit %s, %d entries"
                  % (account.account_no, s.balance, s.open, s.credit, s.entries))
    print("issued bills for %s total %s" % (PERIOD, grand))
    return grand


def main(argv):
    tmp = None
    if len(argv) > 1:
        uri = argv[1]
    else:
        tmp = tempfile.mkdtemp(prefix="powercrm-billing-")
        uri = "sqlite:" + os.path.join(tmp, "crm.db")
    tariff_path = argv[2] if len(argv) > 2 else TARIFF
    with open(tariff_path, encoding="utf-8") as f:
        tariff_text = f.read()

    with powercrm.open(uri, clock=lambda: RUN_DAY, data_key=DATA_KEY) as ctx:
        print("store %s (%s, schema %d)" % (uri, ctx.backend, ctx.schema_version))
        try:
            ctx.org_is_within("4401", "4401")
            print("org unit 4401 found: reporting the store as it is")
        except powercrm.NotFound:
            seed(ctx)
            print("seeded org unit 4401 with %d customers" % len(HOMES))

        ctx.tariff_publish(PRICING, tariff_text)
        with powercrm.Tariff.load(tariff_text) as tariff:
            tariff_id = tariff.id
            print("published tariff %s version %d (effective from %s)"
                  % (tariff.id, tariff.version, tariff.effective_from))
        spec = {"org_unit": "4401", "period": PERIOD, "issue_date": "2026-11-01",
                "due_date": "2026-11-15", "tariffs": {"residential": tariff_id},
                "batch_size": 2}

        print("\nbilling run %s for 4401 (batches of %d):" % (PERIOD, spec["batch_size"]))
        summary = ctx.billing_run(BILLING, spec,
                                  progress=lambda done: print("  progress: %d bills issued so far"
                                                              % done))
        print("run summary: %d accounts looked at, %d billed, %d already billed, "
              "%d without usage, total issued %s" % (summary.accounts, summary.billed,
                                                      summary.already_billed, summary.no_usage,
                                                      summary.total))
        posted = ctx.billing_post(BILLING, {"org_unit": "4401", "period": PERIOD})
        print("posting %s for 4401: %d bills posted to the ledgers, %d posted before, "
              "total posted %s" % (PERIOD, posted.posted, posted.already_posted, posted.total))
        report(ctx)

        no, more = LATE
        bill_no = "A%s-%s" % (no, PERIOD.replace("-", ""))
        print("\ncorrection: a late reading for %s (+%s kWh on %s-31)" % (no, more, PERIOD))
        current = [b for b in ctx.bills(AGENT, no, PERIOD, PERIOD) if b.status == "issued"]
        if current and current[0].bill_no == bill_no:
            last = ctx.reading_list(AGENT, "M" + no, "total",
                                    dt.datetime(2026, 10, 1, tzinfo=CN),
                                    dt.datetime(2026, 11, 1, tzinfo=CN))[-1]
            ctx.reading_record(CLERK, "M" + no, "total", last.value + more,
                               dt.datetime(2026, 10, 31, 21, 0, tzinfo=CN))
            fresh = ctx.bill_correct(BILLING, bill_no, "late reading at 21:00 on 31 October")
            print("  %s voided with credit note %s-CN; new bill %s, total %s (was %s)"
                  % (bill_no, bill_no, fresh.bill_no, fresh.total, current[0].total))
        else:
            print("  %s is corrected already: %s" % (bill_no, ", ".join(
                "%s %s %s" % (b.bill_no, b.status, b.total)
                for b in ctx.bills(AGENT, no, PERIOD, PERIOD))))
        for bill in ctx.bills(AGENT, no, PERIOD, PERIOD):
            print_bill(bill)
        print("  ledger A%s:" % no)
        for e in ctx.ledger(AGENT, "A" + no):
            print("    #%d %-12s %-20s %10s  balance %s" % (e.seq, e.kind, e.ref, e.amount,
                                                          e.balance))
        print("issued bills for %s total %s after the correction" % (PERIOD, issued_total(ctx)))
    if tmp:
        print("\n(store kept in %s)" % tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
