"""The GIL is released in C; native handles are freed exactly once, nothing leaks."""

import gc
import os
import threading
import time
import tracemalloc

import pytest

import powercrm
from conftest import CALENDARS, CITY_CLERK, DATA_KEY, MONITOR, ROOT_ADMIN, FixedClock, make_tree

CN = os.path.join(CALENDARS, "cn-2026.json")


# ---- the GIL -----------------------------------------------------------------------------

def test_a_blocked_call_does_not_hold_the_gil(sctx, sqlite_path):
    """Thread B waits inside C for A's write lock; A can only release it if B freed the GIL."""
    outcome = {}
    entered = threading.Event()
    other = powercrm.open("sqlite:" + sqlite_path)  # opened (and migrated) before A locks

    def writer():
        entered.set()
        t0 = time.monotonic()
        try:
            other.begin()  # blocks in sqlite's busy handler, inside C
            other.org_create(ROOT_ADMIN, "3703", "37", "淄博供电公司", "city")
            other.commit()
            outcome["ok"] = time.monotonic() - t0
        except powercrm.Error as e:
            outcome["error"] = e

    sctx.begin()
    sctx.org_create(ROOT_ADMIN, "3704", "37", "枣庄供电公司", "city")
    t = threading.Thread(target=writer)
    t.start()
    assert entered.wait(10)
    spins = 0
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:  # pure Python work while B sits in C
        spins += 1
    sctx.commit()
    t.join(30)
    other.close()
    assert "error" not in outcome, outcome
    assert outcome["ok"] < 4.0  # well under the 5 s busy timeout
    assert spins > 1000
    assert sctx.org_get(ROOT_ADMIN, "3703").name == "淄博供电公司"


def test_callbacks_from_worker_threads(tmp_path):
    """Python clocks and progress callbacks run safely while other threads use the library."""
    errors = []

    def worker(i):
        try:
            clock = FixedClock(1_800_000_000 + i)
            with powercrm.open("sqlite:%s" % (tmp_path / ("w%d.db" % i)), clock=clock,
                               data_key=DATA_KEY) as ctx:
                make_tree(ctx)
                path = tmp_path / ("w%d.jsonl" % i)
                with open(path, "w", encoding="utf-8") as f:
                    for n in range(30):
                        f.write('{"customer_no": "T%d-%03d", "kind": "person", "name": "x",'
                                ' "usage_class": "residential", "voltage_level": "220V",'
                                ' "org_unit": "3701"}\n' % (i, n))
                seen = []
                assert ctx.customer_import_file(CITY_CLERK, path, batch_lines=7,
                                                progress=seen.append) == 30
                assert seen == [7, 14, 21, 28, 30]
                assert all(e.at == 1_800_000_000 + i for e in ctx.audit_list(MONITOR))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []


def test_one_context_shared_by_threads_does_not_crash(sctx):
    errors = []

    def reader():
        try:
            for _ in range(50):
                assert sctx.org_get(ROOT_ADMIN, "3701").code == "3701"
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


# ---- ownership and leaks -----------------------------------------------------------------

def churn(n, tmp_path=None):
    for i in range(n):
        ctx = powercrm.open("sqlite::memory:", clock=FixedClock())
        ctx.org_create(ROOT_ADMIN, "37", None, "山东", "province")
        ctx.org_get(ROOT_ADMIN, "37")
        ctx.org_children(ROOT_ADMIN, "37")
        ctx.audit_list(MONITOR)
        cal = powercrm.Calendar.load_file(CN)
        cal.add_working_days(0, 3)
        actor = powercrm.Actor("x%d" % i, "agent", 1, "37")
        ctx.customer_search(actor)
        if i % 2:
            ctx.close()      # explicit close, then garbage collection of the object
            cal.close()
        del ctx, cal, actor  # the rest is freed by garbage collection alone


def test_live_handles_return_to_zero_after_gc_collect():
    gc.collect()
    before = powercrm.live_handles()
    churn(100)
    gc.collect()
    assert powercrm.live_handles() == before


def test_reference_cycles_are_collected():
    gc.collect()
    before = powercrm.live_handles()

    class Holder:
        pass

    for _ in range(50):
        h = Holder()
        h.ctx = powercrm.open("sqlite::memory:", clock=lambda h=h: 0)  # clock -> holder -> ctx
        h.cal = powercrm.Calendar.load_file(CN)
        h.me = h
        del h
    gc.collect()
    assert powercrm.live_handles() == before


def test_memory_does_not_grow(tmp_path):
    churn(30)
    gc.collect()
    tracemalloc.start()
    try:
        churn(50)
        gc.collect()
        first, _ = tracemalloc.get_traced_memory()
        churn(200)
        gc.collect()
        second, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert second - first < 256 * 1024, (first, second)


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")
def test_native_memory_and_file_handles_do_not_grow(tmp_path):
    path = "sqlite:%s" % (tmp_path / "fd.db")
    for _ in range(20):
        powercrm.open(path).close()
    churn(100)
    gc.collect()
    fds = len(os.listdir("/proc/self/fd"))
    rss = rss_kib()
    for _ in range(300):
        powercrm.open(path)  # dropped at once: freed by reference counting
    churn(400)
    gc.collect()
    assert len(os.listdir("/proc/self/fd")) <= fds
    assert rss_kib() - rss < 8 * 1024  # KiB: a leak per iteration would be far more
