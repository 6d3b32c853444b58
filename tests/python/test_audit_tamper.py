"""Audit chains per city, signed checkpoints, after-image coverage and read scope (issue 18)."""

import sqlite3
import subprocess

import pytest

import powercrm
from conftest import CITY_ADMIN, CITY_AGENT, MONITOR, ROOT_ADMIN

INTEGRATOR = powercrm.Actor("crm-bridge", "system", 1, "3701")
CITY_MONITOR = powercrm.Actor("monitor-jn", "monitor", 1, "3701")
COUNTY_MONITOR = powercrm.Actor("monitor-lx", "monitor", 1, "370102")
GHOST_MONITOR = powercrm.Actor("monitor-x", "monitor", 1, "3799")


def ed25519_keys(tmp_path, name):
    """An Ed25519 key pair as PEM texts, made by the openssl tool (as an integrator would)."""
    private = tmp_path / (name + ".pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(private)],
                   check=True)
    public = subprocess.run(["openssl", "pkey", "-in", str(private), "-pubout"], check=True,
                            capture_output=True, text=True).stdout
    return private.read_text(), public


def tamper(path, *sql):
    db = sqlite3.connect(path)
    for statement in sql:
        db.execute(statement)
    db.commit()
    db.close()


def test_entries_carry_their_chain(ctx):
    ctx.audit_record(INTEGRATOR, "call.answered", "call", "c-1")
    entries = ctx.audit_list(MONITOR)
    assert [(e.chain, e.chain_seq) for e in entries] == [
        ("37", 1), ("37", 2), ("37", 3), ("3701", 1), ("3701", 2), ("3701", 3)]
    assert entries[3].prev_hash == "0" * 64
    # each org unit's entry covers its row; the integrator's call entry names no row
    assert [e.covers != "" for e in entries] == [e.object_type == "org_unit" for e in entries]
    assert entries[-1].object_type == "call" and entries[-1].covers == ""


def test_checkpoint_round_trip_and_wrong_key(ctx, tmp_path):
    private, public = ed25519_keys(tmp_path, "k")
    _, other_public = ed25519_keys(tmp_path, "other")
    checkpoint = ctx.audit_checkpoint(MONITOR, private)
    assert checkpoint.startswith("powercrm-audit-checkpoint-v1\n")
    assert "chain 3701 2 " in checkpoint
    ctx.audit_record(INTEGRATOR, "call.answered", "call", "c-1")  # newer than the checkpoint
    assert ctx.audit_verify_checkpoint(MONITOR, checkpoint, public) == 6
    with pytest.raises(powercrm.IntegrityError, match="signature does not verify"):
        ctx.audit_verify_checkpoint(MONITOR, checkpoint, other_public)
    with pytest.raises(powercrm.InvalidInput, match="checkpoint: line 2"):
        ctx.audit_verify_checkpoint(MONITOR, "powercrm-audit-checkpoint-v1\nat x\n", public)
    with pytest.raises(powercrm.InvalidInput, match="private_key_pem"):
        ctx.audit_checkpoint(MONITOR, public)
    with pytest.raises(powercrm.PermissionDenied, match="province-level"):
        ctx.audit_checkpoint(CITY_MONITOR, private)


def test_truncation_before_a_checkpoint_is_found(sctx, sqlite_path, tmp_path):
    private, public = ed25519_keys(tmp_path, "k")
    for i in range(3):
        sctx.audit_record(INTEGRATOR, "call.answered", "call", "c-%d" % i)
    checkpoint = sctx.audit_checkpoint(MONITOR, private)
    tamper(sqlite_path,
           "DELETE FROM audit_log WHERE chain = '3701' AND chain_seq > 2",
           "UPDATE audit_chain SET seq = 2, hash = (SELECT hash FROM audit_log WHERE "
           "chain = '3701' AND chain_seq = 2) WHERE chain = '3701'")
    assert sctx.audit_verify(MONITOR) == 5  # the chain alone cannot tell
    with pytest.raises(powercrm.IntegrityError) as ei:
        sctx.audit_verify_checkpoint(MONITOR, checkpoint, public)
    assert ei.value.first_bad == 3
    assert "the checkpoint signed entry 5" in ei.value.message


def test_edited_ledger_amount_is_found(sctx, sqlite_path):
    sctx.customer_create(CITY_ADMIN, {"customer_no": "C1", "kind": "person", "name": "张三",
                                      "usage_class": "residential", "voltage_level": "220V",
                                      "org_unit": "3701"})
    sctx.account_create(CITY_ADMIN, "C1", {"account_no": "A1", "name": "电费",
                                           "payment_method": "cash"})
    sctx.ledger_post(CITY_AGENT, "A1", {"kind": "payment", "idempotency_key": "K1",
                                        "amount": "150.00", "channel": "counter"})
    covered = [e for e in sctx.audit_list(MONITOR) if e.object_type == "account"]
    # revision 3 of "account" (the entries, the items, the ledger row's balance, the
    # allocations, payments and reminders), bound 1
    assert covered and covered[-1].covers.startswith("3/1:")
    sctx.audit_verify(MONITOR)
    tamper(sqlite_path, "UPDATE ledger_account SET balance = '0.00' WHERE account_no = 'A1'")
    with pytest.raises(powercrm.IntegrityError, match="account A1 no longer matches"):
        sctx.audit_verify(MONITOR)
    tamper(sqlite_path, "UPDATE ledger_account SET balance = '-150.00' WHERE account_no = 'A1'")
    sctx.audit_verify(MONITOR)
    tamper(sqlite_path, "UPDATE ledger_payment SET channel = 'online' WHERE account_no = 'A1'")
    with pytest.raises(powercrm.IntegrityError, match="account A1 no longer matches"):
        sctx.audit_verify(MONITOR)
    tamper(sqlite_path, "UPDATE ledger_payment SET channel = 'counter' WHERE account_no = 'A1'")
    sctx.audit_verify(MONITOR)
    tamper(sqlite_path, "UPDATE ledger_entry SET amount = '15.00' WHERE account_no = 'A1'")
    with pytest.raises(powercrm.IntegrityError, match="account A1 no longer matches"):
        sctx.audit_verify(MONITOR)


def test_reading_is_scoped_to_the_subtree(ctx):
    ctx.audit_record(INTEGRATOR, "call.answered", "call", "c-1")
    assert len(ctx.audit_list(MONITOR)) == 6
    assert {e.actor_org for e in ctx.audit_list(CITY_MONITOR)} == {"3701"}
    assert ctx.audit_list(COUNTY_MONITOR) == []
    assert ctx.audit_verify(CITY_MONITOR) == 3  # its city's chain
    with pytest.raises(powercrm.PermissionDenied, match="city- and province-level"):
        ctx.audit_verify(COUNTY_MONITOR)
    with pytest.raises(powercrm.PermissionDenied, match="does not exist"):
        ctx.audit_list(GHOST_MONITOR)


def test_integrator_entries_need_audit_write(ctx):
    with pytest.raises(powercrm.PermissionDenied, match="audit.write"):
        ctx.audit_record(CITY_AGENT, "x", "call", "c")
    ctx.audit_record(ROOT_ADMIN, "x", "call", "c")
    ctx.audit_record(INTEGRATOR, "x", "call", "c")
    assert [e.operator_id for e in ctx.audit_list(MONITOR) if e.action == "x"] == [
        "admin-root", "crm-bridge"]
