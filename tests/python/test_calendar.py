"""Business calendars: loading, queries with ints and datetimes, ownership."""

import datetime as dt
import json
import os
import threading

import pytest

import powercrm
from conftest import CALENDARS

CST = dt.timezone(dt.timedelta(hours=8))
CN = os.path.join(CALENDARS, "cn-2026.json")


def at(text):
    return powercrm.time_parse(text)


@pytest.fixture
def cal():
    with powercrm.Calendar.load_file(CN) as c:
        yield c


def test_load_file_and_describe(cal):
    assert cal.name == "cn-2026"
    assert cal.utc_offset == 8 * 3600
    assert "cn-2026" in repr(cal)


def test_load_from_dict_and_text():
    with open(CN, encoding="utf-8") as f:
        doc = json.load(f)
    with powercrm.Calendar.load(doc) as a, powercrm.Calendar.load(json.dumps(doc)) as b:
        assert a.name == b.name == "cn-2026"
        assert a.is_working_day("2026-10-08") and b.is_working_day("2026-10-08")


def test_invalid_documents_name_the_path():
    with open(CN, encoding="utf-8") as f:
        doc = json.load(f)
    doc["working_hours"]["mon"] = [["13:30", "12:00"]]
    with pytest.raises(powercrm.InvalidInput) as ei:
        powercrm.Calendar.load(doc)
    assert "working_hours.mon[0]" in ei.value.message
    with pytest.raises(powercrm.InvalidInput):
        powercrm.Calendar.load("{not json")


def test_working_days(cal):
    assert cal.is_working_day(dt.date(2026, 10, 8))
    assert not cal.is_working_day("2026-10-01")          # National Day
    assert cal.is_working_day((2026, 2, 14))             # make-up Saturday
    assert not cal.is_working_day("2026-11-29")          # Sunday
    # An aware datetime is read in the calendar's offset: 2026-10-07T20:00Z is the 8th in China.
    assert cal.is_working_day(dt.datetime(2026, 10, 7, 20, tzinfo=dt.timezone.utc))


def test_working_time_with_ints_and_datetimes(cal):
    assert cal.is_working_time(at("2026-11-23T09:00:00+08:00"))
    assert not cal.is_working_time(at("2026-11-23T12:30:00+08:00"))
    assert cal.is_working_time(dt.datetime(2026, 11, 23, 14, tzinfo=CST))
    with pytest.raises(powercrm.InvalidInput, match="no UTC offset"):
        cal.is_working_time(dt.datetime(2026, 11, 23, 14))


def test_adding_working_time(cal):
    start = at("2026-09-30T16:00:00+08:00")
    due = cal.add_working_days(start, 1)
    assert isinstance(due, int)
    assert powercrm.time_format(due) == "2026-10-08T16:00:00+08:00"
    due_dt = cal.add_working_days(dt.datetime(2026, 9, 30, 16, tzinfo=CST), 1)
    assert due_dt == dt.datetime(2026, 10, 8, 16, tzinfo=CST)
    assert due_dt.utcoffset() == dt.timedelta(hours=8)
    end = cal.add_working_seconds(start, 3600)
    assert powercrm.time_format(end) == "2026-09-30T17:00:00+08:00"
    assert cal.add_working_seconds(start, dt.timedelta(hours=2)) == \
        at("2026-10-08T09:00:00+08:00")
    assert cal.working_seconds_between(start, end) == 3600
    assert cal.working_seconds_between(end, start) == 0
    with pytest.raises(powercrm.InvalidInput):
        cal.add_working_seconds(start, -1)


def test_no_working_time_is_not_found():
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    with pytest.raises(powercrm.InvalidInput, match="working_hours.mon: missing"):
        powercrm.Calendar.load({"name": "never", "utc_offset": "+08:00", "working_hours": {}})
    doc = {"name": "never", "utc_offset": "+08:00", "working_hours": {d: [] for d in days}}
    with powercrm.Calendar.load(doc) as never:
        with pytest.raises(powercrm.NotFound):
            never.add_working_seconds(at("2026-11-23T09:00:00+08:00"), 60)


def test_close_is_idempotent_and_use_after_close_raises():
    before = powercrm.live_handles()
    c = powercrm.Calendar.load_file(CN)
    assert powercrm.live_handles() == before + 1
    c.close()
    c.close()
    assert powercrm.live_handles() == before
    assert c.closed
    for call in (lambda: c.is_working_day("2026-10-08"), lambda: c.is_working_time(0),
                 lambda: c.add_working_days(0, 1), lambda: c.working_seconds_between(0, 1)):
        with pytest.raises(powercrm.ClosedError, match="calendar is closed"):
            call()


def test_shared_between_threads(cal):
    start = at("2026-09-30T16:00:00+08:00")
    expected = cal.add_working_days(start, 3)
    results = []

    def work():
        for _ in range(200):
            results.append(cal.add_working_days(start, 3))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 800


def test_close_while_another_thread_uses_it_is_safe():
    c = powercrm.Calendar.load_file(CN)
    start = at("2026-09-30T16:00:00+08:00")
    outcomes = []
    go = threading.Event()

    def work():
        go.wait()
        try:
            for _ in range(2000):
                c.add_working_days(start, 30)
            outcomes.append("done")
        except powercrm.ClosedError:
            outcomes.append("closed")

    t = threading.Thread(target=work)
    t.start()
    go.set()
    c.close()
    t.join()
    assert outcomes in (["done"], ["closed"])
