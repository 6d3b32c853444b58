"""The periodic complaint report and report periods through the bindings, on both backends."""

import datetime
import html.parser

import pytest

import powercrm
from conftest import CITY_AGENT, MONITOR, ROOT_ADMIN
from test_complaint import CALL, QINGDAO_AGENT, tickets  # noqa: F401 (a fixture)

MONTH = {"period": "month", "date": "2026-11-15"}


def test_periods_at_utc_plus_8():
    assert powercrm.complaint_period("month", "2026-11-15") == (
        powercrm.time_parse("2026-11-01T00:00:00+08:00"),
        powercrm.time_parse("2026-12-01T00:00:00+08:00"))
    # the ISO week of a Sunday starts on the Monday before
    assert powercrm.complaint_period("week", datetime.date(2026, 11, 29)) == (
        powercrm.time_parse("2026-11-23T00:00:00+08:00"),
        powercrm.time_parse("2026-11-30T00:00:00+08:00"))
    assert powercrm.complaint_period("day", "2026-11-30", utc_offset=0)[0] == \
        powercrm.time_parse("2026-11-30T00:00:00Z")
    with pytest.raises(powercrm.InvalidInput, match="period"):
        powercrm.complaint_period("quarter", "2026-11-15")
    with pytest.raises(powercrm.InvalidInput, match="date"):
        powercrm.complaint_period("day", "2026-02-30")


def test_month_report_json_and_page(tickets, clock):  # noqa: F811
    hostile = dict(CALL, description="<script>alert('x')</script> & 停电")
    a = tickets.complaint_file(CITY_AGENT, CALL)
    b = tickets.complaint_file(CITY_AGENT, hostile)  # a repeat of a, overdue: in both lists
    wo = tickets.workorder_get(CITY_AGENT, a.work_order_id)
    wo = tickets.workorder_fire(CITY_AGENT, wo.id, wo.version, "contact", {"contact_note": "x"})
    tickets.workorder_fire(CITY_AGENT, wo.id, wo.version, "opinion", {"opinion": "x"})
    tickets.complaint_review(powercrm.Actor("lead-jn", "agent", 2, "3701"), a.serial,
                             {"decision": "approve"})
    tickets.complaint_reply(CITY_AGENT, a.serial, {"channel": "phone", "content": "x",
                                                   "substantiated": True})
    clock.t += 2 * 86400
    tickets.workorder_tick(powercrm.Actor("tick", "system", 1, "37"))

    r = tickets.complaint_report(ROOT_ADMIN, MONTH)
    assert isinstance(r, powercrm.ComplaintReport)
    assert r.json["period"] == {"kind": "month", "date": "2026-11-15",
                                "from": "2026-11-01T00:00:00+08:00",
                                "to": "2026-12-01T00:00:00+08:00"}
    t = r.totals
    assert (t["received"], t["handled"], t["overdue_open"], t["substantiated"], t["repeat"]) == \
        (2, 1, 1, 1, 1)
    assert t["reply_rate"] == "0.5000"
    # October had nothing: no relative change, the rate's difference is exact
    assert r.change["received"] == {"current": 2, "previous": 0, "difference": 2,
                                    "relative": None}
    assert r.change["reply_rate"]["difference"] == "0.5000"
    assert r.overdue["total"] == 1 and r.overdue["tickets"][0]["serial"] == b.serial
    assert r.repeats["tickets"][0]["repeat_of"] == a.serial
    assert "<script>" not in r.html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; 停电" in r.html
    html.parser.HTMLParser().feed(r.html)  # well-formed enough to parse

    # the same numbers in the statistics the report is built on
    start, end = powercrm.complaint_period("month", "2026-11-15")
    s = tickets.complaint_stats(ROOT_ADMIN, start, end, "responsible_unit")
    assert sum(row.received for row in s) == t["received"]

    limited = tickets.complaint_report(MONITOR, dict(MONTH, limit=1))
    assert limited.repeats["limit"] == 1 and len(limited.repeats["tickets"]) == 1


def test_report_refusals(tickets):  # noqa: F811
    with pytest.raises(powercrm.InvalidInput, match="period"):
        tickets.complaint_report(ROOT_ADMIN, {"period": "quarter", "date": "2026-11-15"})
    with pytest.raises(powercrm.InvalidInput, match="to: not after from"):
        tickets.complaint_report(ROOT_ADMIN, {"period": "custom",
                                              "from": "2026-11-02T00:00:00+08:00",
                                              "to": "2026-11-01T00:00:00+08:00"})
    with pytest.raises(powercrm.PermissionDenied, match="org_unit"):
        tickets.complaint_report(QINGDAO_AGENT, dict(MONTH, org_unit="3701"))
