"""Contexts: opening, closing, use after close, transactions, clocks, options."""

import datetime as dt

import pytest

import powercrm
from conftest import DATA_KEY, MONITOR, ROOT_ADMIN, T0, FixedClock, make_tree


def test_open_and_describe(store_uri, clock):
    with powercrm.open(store_uri, clock=clock) as ctx:
        assert ctx.backend in ("sqlite", "postgresql")
        assert store_uri.startswith(ctx.backend)
        assert ctx.schema_version == powercrm.SCHEMA_VERSION_LATEST
        assert ctx.utc_offset == powercrm.UTC_OFFSET_CHINA
        assert ctx.now() == T0
        assert not ctx.closed
    assert ctx.closed


def test_version():
    assert powercrm.__version__ == powercrm.version()
    major, minor, patch = (int(x) for x in powercrm.version().split("."))
    assert powercrm.version_number() == major * 10000 + minor * 100 + patch
    assert powercrm.lowlevel.PCRM_VERSION_STRING == powercrm.version()


def test_close_is_idempotent_and_methods_raise_after_it(sqlite_path):
    ctx = powercrm.open("sqlite:" + sqlite_path)
    ctx.close()
    ctx.close()
    assert ctx.closed
    calls = [
        lambda: ctx.now(),
        lambda: ctx.backend,
        lambda: ctx.schema_version,
        lambda: ctx.begin(),
        lambda: ctx.commit(),
        lambda: ctx.tx_depth,
        lambda: ctx.set_clock(None),
        lambda: ctx.org_get(ROOT_ADMIN, "37"),
        lambda: ctx.org_create(ROOT_ADMIN, "37", None, "x", "province"),
        lambda: ctx.audit_list(MONITOR),
        lambda: ctx.audit_verify(MONITOR),
        lambda: ctx.customer_get(MONITOR, "1"),
        lambda: list(ctx.audit_iter(MONITOR)),
    ]
    for call in calls:
        with pytest.raises(powercrm.ClosedError) as ei:
            call()
        assert isinstance(ei.value, powercrm.WrongState)
        assert ei.value.status == powercrm.Status.ESTATE
        assert "closed" in ei.value.message
    with pytest.raises(powercrm.ClosedError):
        with ctx.transaction():
            pass


def test_with_block_closes_on_exception(sqlite_path):
    with pytest.raises(RuntimeError):
        with powercrm.open("sqlite:" + sqlite_path) as ctx:
            raise RuntimeError("boom")
    assert ctx.closed


def test_transaction_commits(sctx):
    with sctx.transaction() as tx:
        assert tx is sctx
        assert sctx.tx_depth == 1
        sctx.org_create(ROOT_ADMIN, "3703", "37", "淄博供电公司", "city")
    assert sctx.tx_depth == 0
    assert sctx.org_get(ROOT_ADMIN, "3703").name == "淄博供电公司"


def test_transaction_rolls_back_on_exception(sctx):
    with pytest.raises(KeyError):
        with sctx.transaction():
            sctx.org_create(ROOT_ADMIN, "3703", "37", "淄博供电公司", "city")
            raise KeyError("abort")
    assert sctx.tx_depth == 0
    with pytest.raises(powercrm.PermissionDenied):  # a missing unit: refused like another tree's
        sctx.org_get(ROOT_ADMIN, "3703")


def test_transaction_rolls_back_on_library_error(sctx):
    before = len(sctx.audit_list(MONITOR))
    with pytest.raises(powercrm.Duplicate):
        with sctx.transaction():
            sctx.org_create(ROOT_ADMIN, "3703", "37", "淄博供电公司", "city")
            sctx.org_create(ROOT_ADMIN, "3703", "37", "again", "city")
    assert len(sctx.audit_list(MONITOR)) == before
    with pytest.raises(powercrm.PermissionDenied):  # a missing unit: refused like another tree's
        sctx.org_get(ROOT_ADMIN, "3703")


def test_nested_transactions(sctx):
    with sctx.transaction():
        sctx.org_create(ROOT_ADMIN, "3703", "37", "淄博", "city")
        with pytest.raises(ValueError):
            with sctx.transaction():
                assert sctx.tx_depth == 2
                sctx.org_create(ROOT_ADMIN, "3704", "37", "枣庄", "city")
                raise ValueError
        assert sctx.tx_depth == 1
    assert sctx.org_get(ROOT_ADMIN, "3703").code == "3703"
    with pytest.raises(powercrm.PermissionDenied):
        sctx.org_get(ROOT_ADMIN, "3704")


def test_closing_inside_a_transaction_rolls_back(sqlite_path):
    with powercrm.open("sqlite:" + sqlite_path) as ctx:
        make_tree(ctx)
    with pytest.raises(powercrm.ClosedError):
        with powercrm.open("sqlite:" + sqlite_path) as ctx:
            with ctx.transaction():
                ctx.org_create(ROOT_ADMIN, "3703", "37", "淄博", "city")
                ctx.close()
    with powercrm.open("sqlite:" + sqlite_path) as ctx:
        with pytest.raises(powercrm.PermissionDenied):
            ctx.org_get(ROOT_ADMIN, "3703")


def test_python_clock_stamps_the_audit_log(sctx, clock):
    clock.t = T0 + 3600
    sctx.org_create(ROOT_ADMIN, "3703", "37", "淄博", "city")
    entry = sctx.audit_list(MONITOR)[-1]
    assert entry.at == T0 + 3600
    assert sctx.org_get(ROOT_ADMIN, "3703").created_at == T0 + 3600
    assert clock.calls > 0


def test_clock_may_return_an_aware_datetime(sqlite_path):
    when = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with powercrm.open("sqlite:" + sqlite_path, clock=lambda: when) as ctx:
        assert ctx.now() == T0


def test_set_clock(sctx):
    sctx.set_clock(lambda: 42)
    assert sctx.now() == 42
    sctx.set_clock(None)
    assert abs(sctx.now() - powercrm.clock_system()) < 5


def test_a_clock_that_raises_propagates(sctx):
    class Broken(Exception):
        pass

    def bad_clock():
        raise Broken("clock on fire")

    sctx.set_clock(bad_clock)
    with pytest.raises(Broken, match="clock on fire"):
        sctx.now()
    sctx.set_clock(lambda: "not a time")
    with pytest.raises(TypeError):
        sctx.now()
    sctx.set_clock(lambda: T0)
    assert sctx.now() == T0  # nothing left pending


def test_a_clock_that_raises_during_open_leaks_nothing(sqlite_path):
    before = powercrm.live_handles()

    def bad_clock():
        raise LookupError("no time")

    with pytest.raises(LookupError):
        powercrm.open("sqlite:" + sqlite_path, clock=bad_clock)
    assert powercrm.live_handles() == before


def test_bad_clock_argument():
    with pytest.raises(TypeError):
        powercrm.open("sqlite::memory:", clock=5)


def test_options_are_validated():
    with pytest.raises(powercrm.InvalidInput) as ei:
        powercrm.open("sqlite::memory:", data_key=b"short")
    assert "options.data_key" in ei.value.message
    with pytest.raises(TypeError):
        powercrm.open("sqlite::memory:", data_key="a str is not a key")
    with pytest.raises(powercrm.InvalidInput) as ei:
        powercrm.open("sqlite::memory:", utc_offset=20 * 3600)
    assert "options.utc_offset" in ei.value.message
    with powercrm.open("sqlite::memory:", utc_offset=dt.timedelta(hours=-5),
                       data_key=DATA_KEY) as ctx:
        assert ctx.utc_offset == -5 * 3600


def test_uri_errors():
    with pytest.raises(powercrm.InvalidInput) as ei:
        powercrm.open("mysql://x")
    assert "uri" in ei.value.message
    with pytest.raises(ValueError, match="NUL"):
        powercrm.open("sqlite:a\0b")


def test_garbage_collection_closes(sqlite_path):
    import gc
    before = powercrm.live_handles()
    ctx = powercrm.open("sqlite:" + sqlite_path, clock=FixedClock())
    assert powercrm.live_handles() == before + 1
    del ctx
    gc.collect()
    assert powercrm.live_handles() == before


def test_repr(sqlite_path):
    ctx = powercrm.open("sqlite:" + sqlite_path)
    assert "open" in repr(ctx)
    ctx.close()
    assert "closed" in repr(ctx)


def test_iterators_whose_context_is_gone_raise(sctx):
    for n in range(3):
        sctx.audit_record(ROOT_ADMIN, "note.add", "note", "n%d" % n, {})
    entries = sctx.audit_iter(MONITOR, page=2)
    first = next(entries)
    assert first.seq == 1
    tree = sctx.org_tree(ROOT_ADMIN, "37")
    next(tree)
    sctx.close()
    next(entries)  # the page already fetched is plain data
    with pytest.raises(powercrm.ClosedError):
        list(entries)  # the next page needs the context
    with pytest.raises(powercrm.ClosedError):
        list(tree)
    with pytest.raises(powercrm.ClosedError):
        next(sctx.customer_search_all(MONITOR))


def test_trace_reports_statements_transactions_and_committed_counters(ctx):
    events = []
    ctx.set_trace(events.append)
    ctx.org_create(ROOT_ADMIN, "3703", "37", "淄博供电公司", "city")
    kinds = {e.kind for e in events}
    assert powercrm.TraceKind.STATEMENT in kinds and powercrm.TraceKind.TRANSACTION in kinds
    statements = [e for e in events if e.kind == powercrm.TraceKind.STATEMENT]
    assert all(e.count >= 1 and e.duration_ns >= 0 and e.status == 0 for e in statements)
    assert not any("3703" in e.text for e in statements), "parameters are never reported"
    assert [e.text for e in events if e.kind == powercrm.TraceKind.TRANSACTION] == ["commit"]
    assert [(e.text, e.count) for e in events if e.kind == powercrm.TraceKind.COUNTER] == \
        [("audit.entries", 1)]

    # only counters, and rolled-back work counts nothing
    del events[:]
    ctx.set_trace(events.append, powercrm.TraceKind.COUNTER)
    with pytest.raises(ZeroDivisionError):
        with ctx.transaction():
            ctx.org_create(ROOT_ADMIN, "3704", "37", "枣庄供电公司", "city")
            1 / 0
    assert events == []
    ctx.set_trace(None)
    ctx.org_create(ROOT_ADMIN, "3704", "37", "枣庄供电公司", "city")
    assert events == []
    with pytest.raises(TypeError, match="trace"):
        ctx.set_trace(42)


def test_trace_callback_exception_is_raised_by_the_traced_call(ctx):
    def boom(event):
        raise RuntimeError("observer failed")
    ctx.set_trace(boom, powercrm.TraceKind.TRANSACTION)
    with pytest.raises(RuntimeError, match="observer failed"):
        ctx.org_create(ROOT_ADMIN, "3705", "37", "东营供电公司", "city")
    ctx.set_trace(None)
