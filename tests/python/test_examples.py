"""The Python examples run and say what they should (they are documentation that must work)."""

import collections
import csv
import importlib.util
import io
import os
import subprocess
import sys

from conftest import SOURCE_ROOT

EXAMPLES = os.path.join(SOURCE_ROOT, "examples", "python")


def run(script, *args, cwd, env=None):
    return subprocess.run([sys.executable, os.path.join(EXAMPLES, script), *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                          check=True).stdout


def test_org_audit_report(tmp_path):
    db = "sqlite:%s" % (tmp_path / "crm.db")
    out = run("org_audit_report.py", db, str(tmp_path / "audit.csv"), cwd=tmp_path)
    assert "37010201 姚家供电所" in out and "audit chain verified: 6 entries intact" in out
    with open(tmp_path / "audit.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["seq"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert rows[-1]["action"] == "permission.denied"
    # a second run finds the tree and reports again
    assert "audit chain verified: 6 entries intact" in \
        run("org_audit_report.py", db, str(tmp_path / "audit2.csv"), cwd=tmp_path)


def test_staffing_plan(tmp_path):
    out = run("staffing_plan.py", "6000", str(tmp_path / "plan.csv"), cwd=tmp_path)
    assert "Shift plan (proven optimal)" in out
    with open(tmp_path / "plan.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 48
    assert all(int(r["staffed"]) >= int(r["scheduled"]) for r in rows)


def test_customer_import(tmp_path):
    out = run("customer_import.py", "sqlite:%s" % (tmp_path / "crm.db"),
              str(tmp_path / "customers.jsonl"), "700", cwd=tmp_path)
    assert "done: 2500 customers" in out and "S0000007" in out


def test_bill_year(tmp_path):
    out = run("bill_year.py", os.path.join(SOURCE_ROOT, "data", "tariffs",
                                           "cn-residential-tiered-tou.json"),
              os.path.join(SOURCE_ROOT, "tests", "tariff", "data", "ssc_res_load_kwh.csv"),
              str(tmp_path / "bills.csv"), cwd=tmp_path)
    assert "tariff cn-residential-tiered-tou version 2" in out
    year = [line for line in out.splitlines() if line.startswith("year")][0].split()
    assert year[1] == "6019.809"  # every hour of the profile billed once
    with open(tmp_path / "bills.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["month"] for r in rows} == {"2026-%02d" % m for m in range(1, 13)}
    assert {r["code"] for r in rows} == {"energy", "fund"}


def test_billing_report(tmp_path, store_uri):
    db = store_uri  # SQLite and PostgreSQL
    out = run("billing_report.py", db, cwd=tmp_path)
    # the hand-checked bill: 600 kWh in October, 260 x 0.589 + 340 x 0.639
    assert "A4401060001-202610  issued  tariff cn-gd-guangzhou-residential v1  600 kWh  " \
           "total 370.40" in out
    lines = out.split("A4401060001-202610", 1)[1].splitlines()
    assert lines[1].split() == ["energy", "tier", "1", "260", "kWh", "x", "0.589", "=", "153.14"]
    assert lines[2].split() == ["energy", "tier", "2", "340", "kWh", "x", "0.639", "=", "217.26"]
    assert "  progress: 1 bills issued so far\n  progress: 3 bills issued so far\n" \
           "  progress: 4 bills issued so far\n" in out
    assert "run summary: 5 accounts looked at, 4 billed, 0 already billed, 1 without usage, " \
           "total issued 1035.85" in out  # 370.40 + 117.80 + 459.30 + 88.35
    assert "posting 2026-10 for 4401: 4 bills posted to the ledgers, 0 posted before, " \
           "total posted 1035.85" in out
    assert "ledger A4401060001: balance 370.40, open 370.40, credit 0.00, 1 entries" in out
    assert "no bill (no reading in 2026-10)" in out
    assert "new bill A4401060002-202610-R1, total 147.25 (was 117.80)" in out  # 250 x 0.589
    assert "#2 void         A4401060002-202610-CN    -117.80  balance 0.00" in out
    assert "issued bills for 2026-10 total 1065.30 after the correction" in out
    # a second run on the same store reports it and bills nothing twice
    again = run("billing_report.py", db, cwd=tmp_path)
    assert "org unit 4401 found" in again
    assert "1 accounts looked at, 0 billed, 4 already billed, 1 without usage" in again
    assert "A4401060002-202610 is corrected already" in again
    assert "posting 2026-10 for 4401: 0 bills posted to the ledgers, 4 posted before" in again
    assert "ledger A4401060002: balance 147.25, open 147.25, credit 0.00, 3 entries" in again
    # without arguments: a fresh store in a temporary directory
    fresh = run("billing_report.py", cwd=tmp_path, env=dict(os.environ, TMPDIR=str(tmp_path)))
    assert "seeded org unit 4401 with 5 customers" in fresh and "total 370.40" in fresh


def _example_module(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_complaint_stats(tmp_path, store_uri):
    db = store_uri  # SQLite and PostgreSQL
    out = run("complaint_stats.py", "--store", db, str(tmp_path / "stats.csv"), cwd=tmp_path)
    assert "defined workflow complaint version 1" in out
    assert "12 work orders, 45 actions" in out
    with open(tmp_path / "stats.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    states = ["accepted", "handling", "review", "reply", "return_visit", "closed"]
    assert list(rows[0])[:4 + len(states)] == ["org_unit", "org_name", "workflow", "total"] + \
        states

    # the counts match the work orders the example opened, per accepting unit and workflow
    example = _example_module("complaint_stats")
    opened = collections.Counter((org, kind) for _, kind, org, *_ in example.ORDERS)
    assert {(r["org_unit"], r["workflow"]): int(r["total"]) for r in rows} == opened
    for r in rows:
        assert sum(int(r[s]) for s in states) + int(r["cancelled"]) == int(r["total"])
    expected_state = collections.Counter()
    final_state = {"closed": "closed", "closed_late": "closed", "invalid": "closed",
                   "dissatisfied": "handling", "return_visit": "return_visit",
                   "reply": "reply", "handling": "handling", "accepted": "accepted"}
    for _, kind, org, _, _, path, _ in example.ORDERS:
        expected_state[(org, kind, final_state[path])] += 1
    for r in rows:
        for s in states:
            assert int(r[s]) == expected_state[(r["org_unit"], r["workflow"], s)], (r, s)
    assert sum(int(r["reminded"]) for r in rows) == \
        sum(1 for o in example.ORDERS if o[6] is not None)

    by = {(r["org_unit"], r["workflow"]): r for r in rows}
    jn = by[("370102", "complaint")]
    # TS-0001 closed after 50 h, TS-0002 after 48 h (contacted late: flagged and escalated),
    # TS-0003 never contacted: overdue, escalated, reminded
    assert (jn["org_name"], jn["closed"], jn["accepted"], jn["overdue"], jn["escalated"],
            jn["reminded"], jn["avg_handling_hours"]) == ("历下区供电中心", "2", "1", "2", "2",
                                                          "2", "49.00")
    assert by[("370202", "complaint")]["overdue"] == "1"     # the one in reply is paused
    assert by[("370103", "suggestion")]["avg_handling_hours"] == ""   # none closed
    # JY-0001 has waited in return_visit longer than its 3 working days (issue 17's limit)
    assert by[("370103", "suggestion")]["overdue"] == "1"
    assert sum(int(r["overdue"]) for r in rows) == 7

    # a second run on the same store reports the same work orders
    again = run("complaint_stats.py", "--store", db, str(tmp_path / "again.csv"), cwd=tmp_path)
    assert "reporting its work orders as they are" in again
    with open(tmp_path / "again.csv", encoding="utf-8", newline="") as f:
        assert list(csv.DictReader(f)) == rows

    # without a path the CSV goes to stdout, the narration to stderr (a fresh in-memory store)
    p = subprocess.run([sys.executable, os.path.join(EXAMPLES, "complaint_stats.py")],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300, check=True)
    assert list(csv.DictReader(io.StringIO(p.stdout))) == rows
    assert "open and overdue now (workorder_query overdue=True): 6" in p.stderr  # JY-0001 too


def test_complaint_month(tmp_path, store_uri):
    db = store_uri  # SQLite and PostgreSQL
    out = run("complaint_month.py", "--store", db, "--html", str(tmp_path / "report.html"),
              str(tmp_path / "month.csv"), cwd=tmp_path)
    assert "simulated 9 tickets, 32 steps" in out
    assert "2026-11: 7 tickets in 5 groups (2026-11-01T00:00:00+08:00 .. " \
           "2026-12-01T00:00:00+08:00)" in out
    assert "(2 overdue, 2 repeat tickets)" in out
    with open(tmp_path / "month.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    # the month's tickets: not the one of 10-28 nor the one of 12-01, per city and category
    example = _example_module("complaint_month")
    in_month = collections.Counter(
        (t[0][:4], t[1]) for t in example.TICKETS if t[3].startswith("2026-11"))
    assert {(r["key1"], r["key2"]): int(r["received"]) for r in rows} == in_month
    by = {(r["key1"], r["key2"]): r for r in rows}
    # the 11-03 billing ticket repeats the one of 10-28; replied after 6 h and (11-27) 22 h
    assert by[("3701", "business")]["repeat"] == "1"
    assert by[("3701", "business")]["avg_handling_seconds"] == str((6 + 22) * 3600 // 2)
    assert by[("3701", "business")]["satisfaction_rate"] == "0.5000"  # one dissatisfied
    assert by[("3701", "service")]["overdue_open"] == "1"            # 11-09, never handled
    assert by[("3702", "grid_construction")]["avg_handling_seconds"] == ""
    with open(tmp_path / "report.html", encoding="utf-8") as f:
        page = f.read()
    assert "国网山东省电力公司 投诉统计月报" in page and "37-20261028-00001" in page
