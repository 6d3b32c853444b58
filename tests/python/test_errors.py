"""Every status maps to one exception class, raised from real library failures."""

import os
import sqlite3
import threading
import time

import pytest

import powercrm
from powercrm import lowlevel
from conftest import CALENDARS, CITY_ADMIN, CITY_AGENT, CITY_CLERK, MONITOR, ROOT_ADMIN


def test_every_status_has_its_own_class():
    statuses = {getattr(lowlevel, n) for n in dir(lowlevel)
                if n.startswith("PCRM_E") and isinstance(getattr(lowlevel, n), int)}
    # common.h and powercrm.Status agree, so a new status code cannot go unmapped.
    assert statuses == {s.value for s in powercrm.Status if s != powercrm.Status.OK}
    classes = {s: powercrm.exception_class(s) for s in statuses}
    assert len(set(classes.values())) == len(statuses)
    for status, cls in classes.items():
        assert issubclass(cls, powercrm.Error)
        assert cls.STATUS == status
        e = powercrm.errors._from_status(status, "msg")
        assert type(e) is cls and e.status == status and e.message == "msg"


def test_hierarchy():
    assert issubclass(powercrm.Duplicate, powercrm.Conflict)
    assert issubclass(powercrm.ConnectionLost, powercrm.StoreError)
    assert issubclass(powercrm.RetryTransaction, powercrm.StoreError)
    assert issubclass(powercrm.ClosedError, powercrm.WrongState)
    assert issubclass(powercrm.OutOfMemory, MemoryError)
    assert issubclass(powercrm.InvalidInput, ValueError)
    assert issubclass(powercrm.NotFound, LookupError)
    assert issubclass(powercrm.Overflow, OverflowError)
    # Nothing shadows a builtin name.
    import builtins
    for name in ("Error", "InvalidInput", "NotFound", "Conflict", "Duplicate", "PermissionDenied",
                 "WrongState", "ClosedError", "StoreError", "ConnectionLost", "RetryTransaction",
                 "IOFailure", "OutOfMemory", "Overflow", "SchemaTooNew", "IntegrityError",
                 "Unsupported", "NotADatabase"):
        assert not hasattr(builtins, name), name


def test_unknown_status_is_the_base_class():
    e = powercrm.errors._from_status(-99, "future")
    assert type(e) is powercrm.Error and e.status == -99


def check(exc_info, cls, status, *fragments):
    e = exc_info.value
    assert type(e) is cls
    assert e.status == status
    assert e.message == str(e)
    for f in fragments:
        assert f in e.message, (f, e.message)


def test_invalid_input_names_the_field(sctx):
    with pytest.raises(powercrm.InvalidInput) as ei:
        sctx.org_get(powercrm.Actor("x", "admin", 7, "37"), "37")
    check(ei, powercrm.InvalidInput, powercrm.Status.EINVAL, "actor.level", "7")
    with pytest.raises(powercrm.InvalidInput) as ei:
        sctx.org_create(ROOT_ADMIN, "99", None, "x", 9)
    check(ei, powercrm.InvalidInput, powercrm.Status.EINVAL, "level: 9")
    with pytest.raises(powercrm.InvalidInput) as ei:
        sctx.authorize(ROOT_ADMIN, 99)
    check(ei, powercrm.InvalidInput, powercrm.Status.EINVAL, "permission: 99")


def test_not_found(sctx):
    with pytest.raises(powercrm.NotFound) as ei:
        sctx.tariff_fetch(ROOT_ADMIN, "t-3799", 3)
    check(ei, powercrm.NotFound, powercrm.Status.ENOTFOUND, '"t-3799"')


def test_missing_and_foreign_keys_are_refused_alike(sctx):
    """An org unit nobody has and one of another tree: the same status, the same words."""
    with pytest.raises(powercrm.PermissionDenied) as missing:
        sctx.org_get(CITY_ADMIN, "3799")
    with pytest.raises(powercrm.PermissionDenied) as foreign:
        sctx.org_get(CITY_ADMIN, "3702")
    assert missing.value.message.replace("3799", "#") == foreign.value.message.replace("3702", "#")


def test_conflict_on_stale_version(sctx):
    sctx.org_rename(CITY_ADMIN, "370102", "历下供电中心", 1)
    with pytest.raises(powercrm.Conflict) as ei:
        sctx.org_rename(CITY_ADMIN, "370102", "again", 1)
    check(ei, powercrm.Conflict, powercrm.Status.ECONFLICT, "370102")


def test_duplicate(sctx):
    with pytest.raises(powercrm.Duplicate) as ei:
        sctx.org_create(ROOT_ADMIN, "3701", "37", "again", "city")
    check(ei, powercrm.Duplicate, powercrm.Status.EDUPLICATE, "code:", "3701")
    assert isinstance(ei.value, powercrm.Conflict)


def test_permission_denied(sctx):
    with pytest.raises(powercrm.PermissionDenied) as ei:
        sctx.org_create(CITY_ADMIN, "370201", "3702", "市南区供电中心", "county")
    check(ei, powercrm.PermissionDenied, powercrm.Status.EPERM)
    assert ei.value.message


def test_wrong_state(sctx):
    with pytest.raises(powercrm.WrongState) as ei:
        sctx.commit()
    check(ei, powercrm.WrongState, powercrm.Status.ESTATE, "commit", "no transaction")


def test_not_a_database(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(4096))
    with pytest.raises(powercrm.NotADatabase) as ei:
        powercrm.open("sqlite:%s" % junk)
    check(ei, powercrm.NotADatabase, powercrm.Status.ENOTDB, "%s: not a database" % junk)


def test_store_error_from_a_damaged_schema(sctx, sqlite_path):
    db = sqlite3.connect(sqlite_path)
    db.execute("DROP TABLE audit_log")
    db.commit()
    db.close()
    with pytest.raises(powercrm.StoreError) as ei:
        sctx.audit_list(MONITOR)
    check(ei, powercrm.StoreError, powercrm.Status.ESTORE, "audit_log")


def test_connection_lost():
    with pytest.raises(powercrm.ConnectionLost) as ei:
        powercrm.open("postgresql://127.0.0.1:1/nothing?connect_timeout=5")
    check(ei, powercrm.ConnectionLost, powercrm.Status.ECONNECTION, "PostgreSQL")
    assert isinstance(ei.value, powercrm.StoreError)


def test_retry_transaction_when_the_store_is_busy(sctx, sqlite_path):
    with powercrm.open("sqlite:" + sqlite_path) as other:
        sctx.begin()  # BEGIN IMMEDIATE: holds the write lock
        try:
            t0 = time.monotonic()
            with pytest.raises(powercrm.RetryTransaction) as ei:
                other.begin()  # waits for the busy timeout, then gives up
            assert time.monotonic() - t0 >= 1
        finally:
            sctx.rollback()
    check(ei, powercrm.RetryTransaction, powercrm.Status.ERETRY, "busy")


def test_io_failure():
    with pytest.raises(powercrm.IOFailure) as ei:
        powercrm.Calendar.load_file("/nonexistent/calendar.json")
    check(ei, powercrm.IOFailure, powercrm.Status.EIO, "/nonexistent/calendar.json")
    with pytest.raises(powercrm.IOFailure) as ei:
        powercrm.open("sqlite:/nonexistent/dir/crm.db")
    check(ei, powercrm.IOFailure, powercrm.Status.EIO, "/nonexistent/dir/crm.db")


def test_overflow():
    # arithmetic on valid values overflows; text that does not fit is bad input
    with pytest.raises(powercrm.Overflow) as ei:
        powercrm.decimal_add("9223372036854775807", 1)
    check(ei, powercrm.Overflow, powercrm.Status.EOVERFLOW, "9223372036854775807")
    with pytest.raises(OverflowError):
        powercrm.decimal_add("9223372036854775807", 1)
    with pytest.raises(powercrm.InvalidInput) as ei:
        powercrm.decimal_parse("9223372036854775808")
    check(ei, powercrm.InvalidInput, powercrm.Status.EINVAL, "9223372036854775808")


def test_schema_too_new(sctx, sqlite_path):
    sctx.close()
    db = sqlite3.connect(sqlite_path)
    db.execute("INSERT INTO pcrm_schema (version, name, applied_at) VALUES (999, 'future', 0)")
    db.commit()
    db.close()
    with pytest.raises(powercrm.SchemaTooNew) as ei:
        powercrm.open("sqlite:" + sqlite_path)
    check(ei, powercrm.SchemaTooNew, powercrm.Status.ESCHEMA, "999")


def test_integrity_error(sctx, sqlite_path):
    db = sqlite3.connect(sqlite_path)
    db.execute("UPDATE audit_log SET object_id = 'forged' WHERE seq = 2")
    db.commit()
    db.close()
    with pytest.raises(powercrm.IntegrityError) as ei:
        sctx.audit_verify(MONITOR)
    check(ei, powercrm.IntegrityError, powercrm.Status.EINTEGRITY, "entry 2")
    assert ei.value.first_bad == 2


def test_out_of_memory_and_unsupported_map_by_status():
    # No library path fails with these on demand; the mapping itself is what is checked.
    assert powercrm.exception_class(powercrm.Status.ENOMEM) is powercrm.OutOfMemory
    assert powercrm.exception_class(powercrm.Status.EUNSUPPORTED) is powercrm.Unsupported


def test_message_is_the_last_error_of_this_thread(sctx):
    """Messages are thread-local in C: a failure in another thread does not leak into ours."""
    errors = []

    def other():
        try:
            powercrm.decimal_parse("1.2.3")
        except powercrm.Error as e:
            errors.append(e)

    with pytest.raises(powercrm.NotFound) as ei:
        sctx.tariff_fetch(ROOT_ADMIN, "t-3799", 3)
    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert "second decimal point" in errors[0].message or "1.2.3" in errors[0].message
    assert "3799" in ei.value.message


def test_no_call_returns_a_status():
    # Status-returning functions give None (or their outputs), never 0 or a negative code.
    assert lowlevel.pcrm_decimal_format(lowlevel.pcrm_decimal_from_int(7), 48) == "7"
    assert lowlevel.pcrm_actor_validate(ROOT_ADMIN._native) is None
    with pytest.raises(powercrm.InvalidInput):
        lowlevel.pcrm_actor_validate(powercrm.Actor("", "admin", 1, "37")._native)


def test_strerror():
    assert powercrm.strerror(powercrm.Status.EINVAL) == "invalid input"
    assert powercrm.strerror(-99) == "unknown status"


def test_calendar_io_message_uses_path():
    path = os.path.join(CALENDARS, "does-not-exist.json")
    with pytest.raises(powercrm.IOFailure) as ei:
        powercrm.Calendar.load_file(path)
    assert "does-not-exist.json" in ei.value.message


def test_errors_carry_reason_field_values_and_chinese(ctx):
    with pytest.raises(powercrm.InvalidInput) as ei:
        powercrm.Tariff.load({"id": 7})
    e = ei.value
    assert (e.reason, e.field) == ("json.wrong_type", "id")
    assert e.values == {"expected": "a string", "got": "an integer"}
    assert e.message_in("en") == e.message == "id: expected a string, got an integer"
    assert e.message_in("zh-CN") == "id：类型不正确，应为 a string，实际为 an integer"
    with pytest.raises(ValueError, match="lang"):
        e.message_in("fr")
    # a message that names its line and field gives them even without a specific reason
    with pytest.raises(powercrm.InvalidInput) as ei:
        ctx.customer_import(CITY_CLERK, '{"customer_no": "X1", "kind": 7}\n')
    assert ei.value.values.get("line") == "1" and ei.value.field
    assert ei.value.message_in("zh-CN").startswith("输入无效：第 1 行")
    # refused like one of another unit: the reason and the unit, in Chinese
    with pytest.raises(powercrm.PermissionDenied) as ei:
        ctx.customer_get(CITY_AGENT, "NOBODY")
    assert ei.value.reason == "permission.denied" and ei.value.field == "customer"
    assert "不在单位 3701 的管辖范围内" in ei.value.message_in("zh-CN")
