"""Org units and the audit log on both backends; tampering on SQLite."""

import dataclasses
import decimal
import sqlite3

import pytest

import powercrm
from conftest import (CITY_ADMIN, CITY_AGENT, MONITOR, ROOT_ADMIN, T0, TOWNSHIP_CLERK)


# ---- actors and enums ------------------------------------------------------------------

def test_actor_roles_by_name_or_enum():
    a = powercrm.Actor("A1", "agent", 1, "3701")
    assert a.role is powercrm.Role.AGENT
    assert str(a.role) == "agent"
    assert a == powercrm.Actor("A1", powercrm.Role.AGENT, 1, "3701")
    assert hash(a) == hash(powercrm.Actor("A1", 2, 1, "3701"))
    with pytest.raises(powercrm.InvalidInput, match="boss"):
        powercrm.Actor("A1", "boss", 1, "37")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.level = 3


def test_actor_validate_and_can():
    ROOT_ADMIN.validate()
    with pytest.raises(powercrm.InvalidInput, match="actor.level"):
        powercrm.Actor("A1", "admin", 0, "37").validate()
    with pytest.raises(powercrm.InvalidInput, match="actor.operator_id"):
        powercrm.Actor(None, "admin", 1, "37").validate()
    assert MONITOR.can("audit.read")
    assert not CITY_AGENT.can(powercrm.Permission.ORG_WRITE)
    assert powercrm.role_min_level("admin", "org.write") >= 1
    assert powercrm.Role.AGENT.min_level("audit.read") == 0


def test_permission_names():
    for p in powercrm.Permission:
        assert powercrm.Permission(str(p)) is p
    assert powercrm.Permission("archive.write") is powercrm.Permission.ARCHIVE_WRITE
    assert powercrm.OrgLevel("township") is powercrm.OrgLevel.TOWNSHIP


# ---- org units ---------------------------------------------------------------------------

def test_org_get_returns_a_frozen_record(ctx):
    unit = ctx.org_get(ROOT_ADMIN, "37010201")
    assert unit == powercrm.OrgUnit(code="37010201", name="姚家供电所", parent="370102",
                                    level=powercrm.OrgLevel.TOWNSHIP,
                                    path="/37/3701/370102/37010201/", version=1,
                                    created_at=T0, updated_at=T0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        unit.name = "x"
    assert ctx.org_get(ROOT_ADMIN, "37").parent is None


def test_org_children_and_tree(ctx):
    assert [u.code for u in ctx.org_children(ROOT_ADMIN, "37")] == ["3701", "3702"]
    assert ctx.org_children(ROOT_ADMIN, "37010201") == []
    tree = [(depth, u.code) for depth, u in ctx.org_tree(ROOT_ADMIN, "37")]
    assert tree == [(0, "37"), (1, "3701"), (2, "370102"), (3, "37010201"), (1, "3702")]


def test_org_rename_and_versions(ctx, clock):
    clock.t = T0 + 60
    ctx.org_rename(CITY_ADMIN, "370102", "历下供电中心", 1)
    unit = ctx.org_get(CITY_ADMIN, "370102")
    assert (unit.name, unit.version, unit.updated_at) == ("历下供电中心", 2, T0 + 60)
    with pytest.raises(powercrm.Conflict):
        ctx.org_rename(CITY_ADMIN, "370102", "again", 1)


def test_org_scope(ctx):
    assert ctx.org_is_within("37010201", "3701")
    assert not ctx.org_is_within("3702", "3701")
    with pytest.raises(powercrm.NotFound):
        ctx.org_is_within("9999", "37")
    ctx.authorize(CITY_ADMIN, "org.write", "370102")
    with pytest.raises(powercrm.PermissionDenied):
        ctx.authorize(TOWNSHIP_CLERK, powercrm.Permission.ARCHIVE_WRITE, "37010201")
    assert not ctx.is_authorized(CITY_ADMIN, "org.write", "3702")
    assert ctx.is_authorized(CITY_ADMIN, "org.read")
    with pytest.raises(powercrm.PermissionDenied):
        ctx.org_get(CITY_ADMIN, "3702")


def test_records_outlive_their_context(store_uri, clock):
    with powercrm.open(store_uri, clock=clock) as ctx:
        ctx.org_create(ROOT_ADMIN, "37", None, "山东", "province")
        unit = ctx.org_get(ROOT_ADMIN, "37")
        entries = ctx.audit_list(MONITOR)
    assert unit.name == "山东" and entries[0].object_id == "37"


# ---- audit -------------------------------------------------------------------------------

def test_audit_list_gives_dataclasses_with_dict_summaries(ctx):
    entries = ctx.audit_list(MONITOR)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    first = entries[0]
    assert isinstance(first, powercrm.AuditEntry)
    assert (first.action, first.object_type, first.object_id) == ("org_unit.create", "org_unit", "37")
    assert first.operator_id == "admin-root" and first.role == "admin" and first.actor_org == "37"
    assert first.summary == {"code": "37", "level": 1, "name": "山东省电力公司", "parent": None}
    assert first.prev_hash == "0" * 64
    assert entries[1].prev_hash == first.hash
    assert [e.seq for e in ctx.audit_list(MONITOR, after=2, limit=2)] == [3, 4]


def test_audit_record_and_iter(ctx):
    summary = {"batch": "2026-11", "amount": decimal.Decimal("13.97"), "items": [1, 2]}
    ctx.audit_record(ROOT_ADMIN, "billing.export", "batch", "2026-11", summary)
    ctx.audit_record(ROOT_ADMIN, "note.add", "note", "n1")  # no summary: {}
    entries = list(ctx.audit_iter(MONITOR, page=2))
    assert len(entries) == 7
    # A Decimal goes into JSON as its exact text, never through float.
    assert entries[5].summary == {"amount": "13.97", "batch": "2026-11", "items": [1, 2]}
    assert entries[6].summary == {}
    assert ctx.audit_verify(MONITOR) == 7
    seen = []
    assert ctx.audit_verify(MONITOR, progress=seen.append) == 7
    assert seen and seen[-1] == 7
    with pytest.raises(powercrm.WrongState, match="entries checked so far"):
        ctx.audit_verify(MONITOR, progress=lambda n: True)


def test_audit_summary_fractions_come_back_as_decimal(ctx):
    ctx.audit_record(ROOT_ADMIN, "meter.read", "meter", "m1", '{"kwh": 123.45}')
    s = ctx.audit_list(MONITOR)[-1].summary
    assert s["kwh"] == decimal.Decimal("123.45") and isinstance(s["kwh"], decimal.Decimal)


def test_audit_record_rejects_bad_summaries(ctx):
    with pytest.raises(powercrm.InvalidInput, match="summary"):
        ctx.audit_record(ROOT_ADMIN, "x.y", "thing", "1", [1, 2])
    with pytest.raises(powercrm.InvalidInput, match="summary"):
        ctx.audit_record(ROOT_ADMIN, "x.y", "thing", "1", "{not json")
    with pytest.raises(powercrm.InvalidInput, match="action"):
        ctx.audit_record(ROOT_ADMIN, "has space", "thing", "1", {})
    with pytest.raises(powercrm.InvalidInput, match="actor.level"):
        ctx.audit_record(powercrm.Actor("a", "agent", 9, "37"), "x.y", "thing", "1", {})


def test_audit_visit_stops_early(ctx):
    seen = []
    n = ctx.audit_visit(MONITOR, lambda e: seen.append(e.seq) or e.seq == 3)
    assert seen == [1, 2, 3] and n == 3


def test_an_exception_in_the_visitor_propagates_unchanged(ctx):
    class Stop(Exception):
        pass

    marker = Stop("at entry 2")
    seen = []

    def visit(entry):
        seen.append(entry.seq)
        if entry.seq == 2:
            raise marker

    with pytest.raises(Stop) as ei:
        ctx.audit_visit(MONITOR, visit)
    assert ei.value is marker
    assert seen == [1, 2]
    assert ctx.audit_verify(MONITOR) == 5  # the context is fine afterwards


def test_audit_needs_permission(ctx):
    with pytest.raises(powercrm.PermissionDenied):
        ctx.audit_list(CITY_AGENT)
    with pytest.raises(powercrm.PermissionDenied):
        ctx.audit_verify(CITY_AGENT)


def tamper(path, sql):
    db = sqlite3.connect(path)
    db.execute(sql)
    db.commit()
    db.close()


def test_audit_tampering_is_detected(sctx, sqlite_path):
    assert sctx.audit_verify(MONITOR) == 5
    tamper(sqlite_path, "UPDATE audit_log SET summary = '{\"code\":\"37\"}' WHERE seq = 3")
    with pytest.raises(powercrm.IntegrityError) as ei:
        sctx.audit_verify(MONITOR)
    assert ei.value.first_bad == 3
    assert "entry 3" in ei.value.message


def test_audit_deletion_is_detected(sctx, sqlite_path):
    tamper(sqlite_path, "DELETE FROM audit_log WHERE seq = 5")  # the city chain's second
    with pytest.raises(powercrm.IntegrityError) as ei:
        sctx.audit_verify(MONITOR)
    assert ei.value.first_bad == 2
    assert "audit chain 3701" in ei.value.message
