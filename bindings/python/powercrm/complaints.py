"""Complaint tickets (投诉 / 举报 / 意见 / 建议): Context methods and the ticket record."""

import dataclasses
import datetime as _dt
import decimal as _decimal
from typing import Any, Callable, Iterator, List, Optional, Tuple, Union

from . import lowlevel as _ll
from ._types import ContextMixinBase, JsonIn, JsonObject
from .actor import Actor, _native as _actor
from .money import _from_c as _decimal_from_c
from .records import json_dumps, json_loads

__all__ = ["Complaint", "ComplaintStat", "ComplaintStats", "ComplaintReport", "ComplaintMixin",
           "complaint_period"]


@dataclasses.dataclass(frozen=True)
class Complaint:
    """One ticket.  `fields` is the whole ticket as a dict (docs/complaints.md)."""

    serial: str
    work_order_id: str
    customer_no: Optional[str]  # None for an anonymous ticket
    category: str
    responsible_unit: str
    routed_by_default: bool
    repeat_of: Optional[str]
    status: str
    merged_into: Optional[str]
    accepted_at: int
    fields: JsonObject


@dataclasses.dataclass(frozen=True)
class ComplaintStat:
    """One group of the statistics (docs/complaints.md); rates are ``decimal.Decimal``."""

    key1: str
    key2: Optional[str]  # None with one grouping key
    received: int
    handled: int
    overdue_open: int
    substantiated: int
    repeat: int
    visited: int
    satisfied: int
    reply_rate: _decimal.Decimal
    return_visit_rate: _decimal.Decimal
    satisfaction_rate: _decimal.Decimal
    avg_handling_seconds: Optional[int]  # None when nothing was handled
    overdue: int = 0              # past the reply deadline (replied late, or open and due)
    overdue_seconds: int = 0      # their working seconds past the deadline
    avg_overdue_seconds: Optional[int] = None  # None when none was overdue


@dataclasses.dataclass(frozen=True)
class ComplaintStats:
    """The groups, the same as one JSON object (`json`) and as CSV text (`csv`)."""

    rows: List[ComplaintStat]
    json: JsonObject
    csv: str

    def __iter__(self) -> Iterator[ComplaintStat]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclasses.dataclass(frozen=True)
class ComplaintReport:
    """The periodic report (docs/complaints.md, "The periodic report"): `json` is the whole
    report as a dict (rates and changes as decimal strings, exact), `html` the printable page."""

    json: JsonObject
    html: str

    @property
    def totals(self) -> Any:
        """The report's "totals" section (counts by category and state)."""
        return self.json["totals"]

    @property
    def change(self) -> Any:
        """The report's "change" section: against the previous period."""
        return self.json["change"]

    @property
    def overdue(self) -> Any:
        """The report's "overdue" section: complaints past their deadline."""
        return self.json["overdue"]

    @property
    def repeats(self) -> Any:
        """The report's "repeats" section: customers who complained again."""
        return self.json["repeats"]


def complaint_period(kind: str, date: Union[str, _dt.date],
                     utc_offset: int = _ll.PCRM_UTC_OFFSET_CHINA) -> Tuple[int, int]:
    """The period (from, to) as instants, [from, to), of `kind` ("day", "week": the ISO week
    from Monday, "month") holding the local date `date` ("YYYY-MM-DD" or a datetime.date)."""
    if not isinstance(date, str):
        date = date.isoformat()
    start, end = _ll.pcrm_complaint_period(kind, date, int(utc_offset))
    return start, end


def _stat_record(r: Any) -> ComplaintStat:
    return ComplaintStat(
        key1=r.key1, key2=r.key2, received=r.received, handled=r.handled,
        overdue_open=r.overdue_open, substantiated=r.substantiated, repeat=r.repeat,
        visited=r.visited, satisfied=r.satisfied,
        reply_rate=_decimal_from_c(r.reply_rate),
        return_visit_rate=_decimal_from_c(r.return_visit_rate),
        satisfaction_rate=_decimal_from_c(r.satisfaction_rate),
        avg_handling_seconds=None if r.avg_handling_seconds < 0 else r.avg_handling_seconds,
        overdue=r.overdue, overdue_seconds=r.overdue_seconds,
        avg_overdue_seconds=None if r.avg_overdue_seconds < 0 else r.avg_overdue_seconds,
    )


def _complaint_record(c: Any) -> Complaint:
    return Complaint(
        serial=_ll.pcrm_complaint_serial(c),
        work_order_id=_ll.pcrm_complaint_work_order_id(c),
        customer_no=_ll.pcrm_complaint_customer_no(c),
        category=_ll.pcrm_complaint_category(c),
        responsible_unit=_ll.pcrm_complaint_responsible_unit(c),
        routed_by_default=bool(_ll.pcrm_complaint_routed_by_default(c)),
        repeat_of=_ll.pcrm_complaint_repeat_of(c),
        status=_ll.pcrm_complaint_status(c),
        merged_into=_ll.pcrm_complaint_merged_into(c),
        accepted_at=_ll.pcrm_complaint_accepted_at(c),
        fields=json_loads(_ll.pcrm_complaint_json(c)),
    )


class ComplaintMixin(ContextMixinBase):
    """Complaint-ticket methods of :class:`powercrm.Context`."""

    def _complaint_call(self, fn: Callable[..., Any], *args: Any) -> Complaint:
        with self._lock:
            c = self._call(fn, *args)
            try:
                return _complaint_record(c)
            finally:
                _ll.pcrm_complaint_free(c)

    def complaint_config_set(self, actor: Actor, document: JsonIn) -> None:
        """Stores the routing rules, subcategories and repeat window (a dict)."""
        self._call(_ll.pcrm_complaint_config_set, _actor(actor), json_dumps(document))

    def complaint_file(self, actor: Actor, document: JsonIn) -> Complaint:
        """Files a ticket (a dict, see docs/complaints.md); returns the stored Complaint."""
        return self._complaint_call(_ll.pcrm_complaint_file, _actor(actor), json_dumps(document))

    def complaint_get(self, actor: Actor, serial: str) -> Complaint:
        """Reads a complaint by its serial number; raises NotFound."""
        return self._complaint_call(_ll.pcrm_complaint_get, _actor(actor), serial)

    def complaint_reseal(self, actor: Actor, batch: int = 0) -> int:
        """Seals caller numbers of up to `batch` tickets filed before schema 24.

        Returns how many such tickets the actor's subtree still has: call
        again until it returns 0.
        """
        return self._call(_ll.pcrm_complaint_reseal, _actor(actor), int(batch))

    def complaint_merge(self, actor: Actor, serial: str, survivor: str,
                        note: Optional[str] = None) -> None:
        """Merges duplicate `serial` into `survivor` (same customer only)."""
        self._call(_ll.pcrm_complaint_merge, _actor(actor), serial, survivor, note)

    def complaint_review(self, actor: Actor, serial: str, document: JsonIn) -> Complaint:
        """The supervisor's review of the handling opinion: {"decision": "approve"} (on to
        the reply) or {"decision": "return", "reason": ...} (back to handling, counted in
        review_returns).  The shipped definitions need level 2."""
        return self._complaint_call(_ll.pcrm_complaint_review, _actor(actor), serial,
                                    json_dumps(document))

    def complaint_reply(self, actor: Actor, serial: str, document: JsonIn) -> Complaint:
        """Records the reply to the customer (after the review's approval); fires the work
        order's "replied", which stops its reply clock."""
        return self._complaint_call(_ll.pcrm_complaint_reply, _actor(actor), serial,
                                    json_dumps(document))

    def complaint_return_visit(self, actor: Actor, serial: str, document: JsonIn) -> Complaint:
        """Records the return visit; "dissatisfied" sends the ticket back to handling."""
        return self._complaint_call(_ll.pcrm_complaint_return_visit, _actor(actor), serial,
                                    json_dumps(document))

    def complaint_reopen(self, actor: Actor, serial: str, document: JsonIn) -> Complaint:
        """The customer reopens a closed ticket ({"reason"}) within its process's period."""
        return self._complaint_call(_ll.pcrm_complaint_reopen, _actor(actor), serial,
                                    json_dumps(document))

    def complaint_visit_failed(self, actor: Actor, serial: str, document: JsonIn) -> Complaint:
        """A return visit that did not reach the customer ({"note"}); the configuration's
        return_visit_attempts-th closes the ticket unreached."""
        return self._complaint_call(_ll.pcrm_complaint_visit_failed, _actor(actor), serial,
                                    json_dumps(document))

    def complaint_close_with_master(self, actor: Actor, master_id: str, version: int, event: str,
                                    reply: JsonIn, data: Optional[JsonIn] = None) -> int:
        """Fires `event` (which must close it) on the master work order and closes every
        attached ticket, recording `reply` on those still open; returns how many got it."""
        return self._call(_ll.pcrm_complaint_close_with_master, _actor(actor), master_id,
                          int(version), event, None if data is None else json_dumps(data),
                          json_dumps(reply))

    def complaint_stats(self, actor: Actor, start: int, end: int, group_by: str, *,
                        org_unit: Optional[str] = None, direct: bool = False) -> ComplaintStats:
        """Statistics of the tickets accepted in [start, end) (instants), grouped by one key or
        two ("responsible_unit,category"), for `org_unit`'s subtree (None: the actor's unit).
        `direct`: computed from the tickets alone, without the per-day summary (to check it)."""
        fn = _ll.pcrm_complaint_stats_compute_direct if direct else _ll.pcrm_complaint_stats_compute
        with self._lock:
            s = self._call(fn, _actor(actor), org_unit, int(start), int(end), group_by)
            try:
                return ComplaintStats(
                    [_stat_record(_ll.pcrm_complaint_stats_at(s, i))
                     for i in range(_ll.pcrm_complaint_stats_count(s))],
                    json_loads(_ll.pcrm_complaint_stats_json(s)),
                    _ll.pcrm_complaint_stats_csv(s))
            finally:
                _ll.pcrm_complaint_stats_free(s)

    def complaint_report(self, actor: Actor, request: JsonIn) -> ComplaintReport:
        """The periodic report: `request` is a dict {"period": "day" | "week" | "month" |
        "custom", "date": "YYYY-MM-DD" (or "from"/"to" instants as text for custom),
        "org_unit": optional, "limit": optional}.  Returns a ComplaintReport."""
        with self._lock:
            r = self._call(_ll.pcrm_complaint_report_build, _actor(actor), json_dumps(request))
            try:
                return ComplaintReport(json_loads(_ll.pcrm_complaint_report_json(r)),
                                       _ll.pcrm_complaint_report_html(r))
            finally:
                _ll.pcrm_complaint_report_free(r)

    def complaint_stats_rebuild(self, actor: Actor, *, org_unit: Optional[str] = None) -> None:
        """Rebuilds the per-day statistics summary of `org_unit`'s subtree (None: the actor's
        unit) from the ticket rows, e.g. after a bulk import."""
        self._call(_ll.pcrm_complaint_stats_rebuild, _actor(actor), org_unit)
