"""The operator's command-line tool, run as cron would run it, on both stores.

The store is set up through the bindings (org tree, customers, readings, a
tariff), then every subcommand runs as a separate process against it; its
--json output, exit code and messages are checked, and what it did is read
back through the bindings.
"""

import json
import os
import pty
import select
import subprocess
from decimal import Decimal as D

import pytest

import powercrm
from conftest import CITY_AGENT, DATA_KEY, ROOT_ADMIN
from test_billing import home, tariff_doc
from test_customer import write_jsonl
from test_workflow import DEF as CALLBACK
from test_audit_tamper import ed25519_keys, tamper

BUILD_ROOT = os.environ.get("PCRM_BUILD_ROOT", os.path.join(os.path.dirname(__file__),
                                                            "..", "..", "build"))
POWERCRM = os.path.join(BUILD_ROOT, "cli", "powercrm")

# exit codes (powercrm(1), EXIT STATUS)
USAGE, BAD_INPUT, NOT_FOUND, DENIED, CONFLICT, INTEGRITY = 2, 3, 4, 5, 6, 7


def run(uri, *args, key_file=None, unit="3701", role="admin", level=2, operator="admin-jn",
        expect=0, env=None):
    """Runs powercrm --json ARGS; returns (parsed stdout, stderr)."""
    cmd = [POWERCRM, "--json", "--store", uri, "--operator", operator, "--role", role,
           "--level", str(level)]
    if unit:
        cmd += ["--unit", unit]
    if key_file:
        cmd += ["--key-file", str(key_file)]
    e = dict(os.environ)
    for k in ("POWERCRM_STORE", "POWERCRM_UNIT", "POWERCRM_KEY_FILE", "POWERCRM_OPERATOR"):
        e.pop(k, None)
    e.update(env or {})
    p = subprocess.run(cmd + list(args), capture_output=True, text=True, env=e, timeout=300)
    assert p.returncode == expect, (p.returncode, p.stdout, p.stderr)
    return (json.loads(p.stdout) if p.stdout.strip() else None), p.stderr


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "data.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, DATA_KEY)
    os.close(fd)
    return path


@pytest.fixture
def month(ctx):
    """Two homes with October readings and the tariff: 370.40 + 117.80 to bill."""
    home(ctx, 1, "37010201", 600)
    home(ctx, 2, "370102", 200)
    ctx.tariff_publish(ROOT_ADMIN, tariff_doc())
    return ctx


def test_init_migrates_and_creates_the_root_once(store_uri):
    out, _ = run(store_uri, "init", "--root", "37", "--root-name", "山东省电力公司", unit=None)
    assert out["schema_version"] == out["library_schema_version"] == \
        powercrm.SCHEMA_VERSION_LATEST
    assert out["root"] == {"code": "37", "outcome": "created"}
    out, _ = run(store_uri, "init", "--root", "37", "--root-name", "山东省电力公司", unit=None)
    assert out["root"]["outcome"] == "existed"
    with powercrm.open(store_uri) as c:
        assert c.org_get(ROOT_ADMIN, "37").name == "山东省电力公司"


def test_monthly_billing_run_and_posting(month, store_uri):
    args = ["billing", "run", "--period", "2026-10", "--issue-date", "2026-11-01",
            "--due-date", "2026-11-15", "--tariffs", "residential=cn-gd-guangzhou-residential"]
    out, _ = run(store_uri, *args, "--batch", "1")
    assert out["billing_run"] == {"accounts": 2, "billed": 2, "already_billed": 0,
                                  "no_usage": 0, "total": "488.20"}
    out, _ = run(store_uri, *args)  # a rerun bills nothing twice
    assert out["billing_run"]["billed"] == 0 and out["billing_run"]["already_billed"] == 2
    out, _ = run(store_uri, "billing", "post", "--period", "2026-10")
    assert out["billing_post"] == {"bills": 2, "posted": 2, "already_posted": 0,
                                   "nothing_owed": 0, "total": "488.20"}
    assert month.ledger_summary(CITY_AGENT, "A1").balance == D("370.40")  # owed

    out, _ = run(store_uri, "dunning", "list", "--as-of", "2026-12-01", "--min-days", "10")
    assert [(a["account_no"], a["arrears"], a["days_past_due"]) for a in out["accounts"]] == \
        [("A1", "370.40", 16), ("A2", "117.80", 16)]


def test_bank_statement_reconciled_and_missing_payments_posted(month, store_uri, tmp_path):
    statement = tmp_path / "icbc.csv"
    statement.write_text("bank_statement,1,ICBC,2026-11-03,2,150.00\n"
                         "T1,A1,100.00,08:00:00\n"
                         "T2,A2,50.00,09:30:00\n")
    out, _ = run(store_uri, "bank", "reconcile", str(statement))
    assert out["counts"] == {"missing_ours": 2}
    out, _ = run(store_uri, "bank", "reconcile", str(statement), "--post-missing")
    assert out["counts"] == {"posted": 2}
    assert [(i["transaction_id"], i["bank_amount"]) for i in out["items"]] == \
        [("T1", "100.00"), ("T2", "50.00")]
    assert month.ledger_summary(CITY_AGENT, "A1").credit == D("100.00")
    # a malformed statement is bad input, named by line and field, and posts nothing
    statement.write_text("bank_statement,1,ICBC,2026-11-04,1,5.00\nT3,A1,5x,08:00:00\n")
    out, err = run(store_uri, "bank", "reconcile", str(statement), "--post-missing",
                   expect=BAD_INPUT)
    assert "line 2, amount" in err and out["error"]["kind"] == "bad_input"
    assert month.ledger_summary(CITY_AGENT, "A1").credit == D("100.00")


def test_import_and_export_customers(ctx, store_uri, tmp_path, key_file):
    path = tmp_path / "customers.jsonl"
    write_jsonl(path, 25)
    clerk = dict(role="data_clerk", level=1, operator="clerk-jn")
    out, _ = run(store_uri, "import", "customers", str(path), "--batch", "10",
                 key_file=key_file, **clerk)
    assert out == {"imported": 25, "already_present": 0}
    out, _ = run(store_uri, "import", "customers", str(path), key_file=key_file, **clerk)
    assert out == {"imported": 0, "already_present": 25}
    assert len(list(ctx.customer_search_all(CITY_AGENT))) == 25

    exported = tmp_path / "out.jsonl"
    out, _ = run(store_uri, "export", "customers", "--out", str(exported), key_file=key_file,
                 **clerk)
    assert out["exported"] == 25
    assert os.stat(exported).st_mode & 0o777 == 0o600, "personal data: owner only"
    assert [json.loads(x)["customer_no"] for x in exported.read_text().splitlines()] == \
        ["F%03d" % i for i in range(1, 26)]

    # a bad line: exit 3, the message names the line in the file and the field
    write_jsonl(path, 5, bad_line=4, prefix="G")
    out, err = run(store_uri, "import", "customers", str(path), key_file=key_file,
                   expect=BAD_INPUT, **clerk)
    assert "line 4: phones.mobile" in err and "not-a-phone" not in err
    # no key: personal data cannot be sealed, so the import is refused
    run(store_uri, "import", "customers", str(path), expect=DENIED, **clerk)


def test_audit_verify_and_checkpoint(ctx, store_uri, tmp_path):
    private, public = ed25519_keys(tmp_path, "k")
    (tmp_path / "k.pem").write_text(private)
    os.chmod(tmp_path / "k.pem", 0o600)
    (tmp_path / "k.pub").write_text(public)
    auditor = dict(unit="37", role="monitor", level=1, operator="monitor-1")
    out, _ = run(store_uri, "audit", "verify", **auditor)
    assert out["intact"] is True and out["checked"] == 5
    out, _ = run(store_uri, "audit", "checkpoint", "--private-key", str(tmp_path / "k.pem"),
                 "--out", str(tmp_path / "cp.txt"), **auditor)
    assert out["checkpoint"].startswith("powercrm-audit-checkpoint-v1\n")
    out, _ = run(store_uri, "audit", "verify", "--checkpoint", str(tmp_path / "cp.txt"),
                 "--public-key", str(tmp_path / "k.pub"), **auditor)
    assert out == {"intact": True, "checked": 5, "checkpoint": True}
    # a county agent may not verify: permission denied, exit 5
    out, _ = run(store_uri, "audit", "verify", unit="370102", role="agent", level=1,
                 operator="agent-x", expect=DENIED)
    assert out["error"]["kind"] == "permission_denied"
    # a group-readable signing key is refused before anything is read
    os.chmod(tmp_path / "k.pem", 0o644)
    run(store_uri, "audit", "checkpoint", "--private-key", str(tmp_path / "k.pem"),
        expect=USAGE, **auditor)


def test_tampering_is_an_integrity_failure(sctx, sqlite_path):
    uri = "sqlite:" + sqlite_path
    tamper(sqlite_path, "UPDATE audit_log SET summary = '{}' WHERE chain_seq = 2 AND chain = '37'")
    out, err = run(uri, "audit", "verify", unit="37", role="monitor", level=1,
                   operator="monitor-1", expect=INTEGRITY)
    assert out["error"]["kind"] == "integrity" and "edited" in err


def test_reseal_seals_what_an_upgrade_left_in_clear(sctx, sqlite_path, key_file):
    uri = "sqlite:" + sqlite_path
    sctx.customer_create(ROOT_ADMIN, {"customer_no": "C1", "kind": "person", "name": "张三",
                                      "usage_class": "residential", "voltage_level": "220V",
                                      "org_unit": "3701"})
    for no, number in (("A1", "6222020200001234567"), ("A2", "6228480000000001")):
        sctx.account_create(ROOT_ADMIN, "C1", {"account_no": no, "name": "代扣",
                                               "payment_method": "bank_collection",
                                               "bank": "b", "bank_account": number})
        # as written before schema 28: the number in the document, no cipher
        tamper(sqlite_path, "UPDATE account SET bank_cipher = NULL, doc = json_set(doc, "
                            "'$.bank_account', '%s') WHERE account_no = '%s'" % (number, no))
    out, err = run(uri, "reseal", "--batch", "1", expect=DENIED)  # no key file
    assert "data key" in err
    out, _ = run(uri, "reseal", "--batch", "0", key_file=key_file, expect=USAGE)
    out, _ = run(uri, "reseal", "--batch", "1", key_file=key_file)
    assert out["accounts"] == {"batches": 2, "remaining": 0}
    assert out["customers"]["remaining"] == 0 and out["complaints"]["remaining"] == 0
    assert sctx.account_get(ROOT_ADMIN, "A1").document["bank_account"] == "6222***********4567"
    assert sctx.account_bank_account_reveal(ROOT_ADMIN, "A2") == "6228480000000001"
    out, _ = run(uri, "reseal", key_file=key_file)
    assert out["accounts"] == {"batches": 1, "remaining": 0}


def test_workorder_tick(ctx, store_uri):
    ctx.workflow_define(ROOT_ADMIN, CALLBACK)
    ctx.workorder_open(CITY_AGENT, "callback", "K1", "3701")  # at 2026-11-23 09:00
    out, _ = run(store_uri, "workorder", "tick", "--now", "2026-11-23T08:00:00+08:00",
                 unit="37", role="system", level=3, operator="cron")
    assert out == {"processed": 0}
    out, _ = run(store_uri, "workorder", "tick", "--now", "2026-11-30T08:00:00+08:00",
                 unit="37", role="system", level=3, operator="cron")
    assert out["processed"] >= 1


def test_bad_command_lines_and_credentials(store_uri, tmp_path, key_file):
    run(store_uri, "billing", "run", "--period", "2026-10", expect=USAGE)
    run(store_uri, "billing", "frobnicate", expect=USAGE)
    run(store_uri, "billing", "run", "--nonsense", expect=USAGE)
    run(store_uri, "dunning", "list", "--min-days", "-3", expect=USAGE)
    run(store_uri, "dunning", "list", unit=None, expect=USAGE)
    run(store_uri, "tariff", "publish", str(tmp_path / "missing.json"), expect=NOT_FOUND)
    # a password on the command line is refused, and never echoed
    out, err = run("postgresql://crm:s3cret@127.0.0.1/crm", "init", unit=None, expect=USAGE)
    assert "PGPASSWORD" in err and "s3cret" not in err and "s3cret" not in json.dumps(out)
    run("postgresql:host=127.0.0.1 password=s3cret", "init", unit=None, expect=USAGE)
    # a key file others can read is refused
    os.chmod(key_file, 0o640)
    out, err = run(store_uri, "init", unit=None, key_file=key_file, expect=USAGE)
    assert "chmod 600" in err
    # the environment stands in for the options
    p = subprocess.run([POWERCRM, "--json", "init"], capture_output=True, text=True,
                       env=dict(os.environ, POWERCRM_STORE=store_uri))
    assert p.returncode == 0 and json.loads(p.stdout)["schema_version"] > 0


def test_progress_bar_on_a_terminal(sctx, sqlite_path, tmp_path, key_file):
    """Under a pseudo-terminal, the import draws a bar that ends at 100 %."""
    path = tmp_path / "customers.jsonl"
    write_jsonl(path, 30)
    pid, fd = pty.fork()
    if pid == 0:  # the child: stderr is the terminal
        os.execv(POWERCRM, [POWERCRM, "--store", "sqlite:" + sqlite_path, "--unit", "3701",
                            "--role", "data_clerk", "--level", "1", "--operator", "clerk-jn",
                            "--key-file", str(key_file), "import", "customers", str(path),
                            "--batch", "10"])
    out = b""
    while True:
        r, _, _ = select.select([fd], [], [], 60)
        if not r:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    text = out.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "import customers [########################] 100% 30/30 lines" in text, text
    assert "30 customers imported, 0 already present" in text


def test_tariff_import_urdb_then_publish(ctx, store_uri, tmp_path):
    """A URDB rate becomes a tariff document without a store, then is published like any."""
    rate = os.path.join(os.path.dirname(__file__), "..", "tariff", "data", "urdb",
                        "ssc-residential-tou.json")
    out_file = tmp_path / "tou.json"
    p = subprocess.run([POWERCRM, "tariff", "import-urdb", rate, "--id", "us-res-tou",
                        "--effective-from", "2026-01-01", "--out", str(out_file)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    doc = json.loads(out_file.read_text())
    assert doc["id"] == "us-res-tou" and doc["version"] == 1
    out, _ = run(store_uri, "tariff", "publish", str(out_file), unit="37", operator="admin-root",
                 level=3)
    assert out == {"id": "us-res-tou", "version": 1}
    # --time-zone: the schedules' hours on the local clock, daylight saving time included
    p = subprocess.run([POWERCRM, "tariff", "import-urdb", rate, "--time-zone",
                        "America/Los_Angeles"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["time_zone"] == "America/Los_Angeles" and "utc_offset" not in doc
    p = subprocess.run([POWERCRM, "tariff", "import-urdb", rate, "--time-zone",
                        "America/Los_Angeles", "--utc-offset", "-08:00"],
                       capture_output=True, text=True)
    assert p.returncode == BAD_INPUT and "options.time_zone" in p.stderr
    # a rate that is not JSON: bad input, named
    broken = tmp_path / "broken.json"
    broken.write_text('{"label":')
    p = subprocess.run([POWERCRM, "--json", "tariff", "import-urdb", str(broken)],
                       capture_output=True, text=True)
    assert p.returncode == BAD_INPUT and "document: not JSON" in p.stderr
    assert json.loads(p.stdout)["error"]["kind"] == "bad_input"
