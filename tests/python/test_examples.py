"""The Python examples run and say what they should (they are documentation that must work)."""

import csv
import os
import subprocess
import sys

from conftest import SOURCE_ROOT

EXAMPLES = os.path.join(SOURCE_ROOT, "examples", "python")


def run(script, *args, cwd):
    return subprocess.run([sys.executable, os.path.join(EXAMPLES, script), *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300, check=True).stdout


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
