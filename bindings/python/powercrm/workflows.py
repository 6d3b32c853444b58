"""The workflow engine (工作流 / 工单): definitions, work orders, timers, history."""

import dataclasses
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from . import lowlevel as _ll
from ._types import ContextMixinBase, JsonIn, JsonObject, Progress
from .actor import Actor, _native as _actor
from .records import json_dumps, json_loads
from .timeutil import Instant, _instant

__all__ = ["Workflow", "WorkOrder", "WorkOrderPage", "HistoryEntry", "Notification", "Clock",
           "WorkflowMixin", "workflow_check"]


@dataclasses.dataclass(frozen=True)
class Workflow:
    """One stored version of a workflow definition."""

    name: str
    title: str
    version: int
    initial_state: str
    states: Tuple[str, ...]
    final_states: Tuple[str, ...]
    document: JsonObject  # the definition as stored
    dot: str        # the state diagram in Graphviz DOT


@dataclasses.dataclass(frozen=True)
class Clock:
    """A named clock of a work order (docs/workflow-format.md "Named clocks")."""

    name: str
    started_at: int
    due_at: Optional[int]  # the deadline while it runs, else None
    result: Optional[str]  # "met" or "missed" once stopped (with a limit), else None
    seconds: int     # how early (> 0, met) or late (< 0, missed), in the limit's unit's time
    record: JsonObject  # the stored record: start, due, stop, elapsed_seconds, ...


@dataclasses.dataclass(frozen=True)
class WorkOrder:
    """One work order (工单) as read.  Instants are int seconds; due_at is None without a clock."""

    id: str
    business_key: str
    workflow: str
    workflow_version: int
    customer_no: Optional[str]
    org_unit: str
    owner: Optional[str]
    state: str
    status: str  # "open", "closed" or "cancelled"
    data: JsonObject
    opened_by: str
    opened_at: int
    updated_at: int
    due_at: Optional[int]
    overdue: bool
    suspended: bool
    reminders: int
    escalations: int
    version: int
    sla_class: str = "normal"  # the severity class choosing the limits
    #: name -> Clock, the started ones
    clocks: Dict[str, Clock] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class HistoryEntry:
    """One entry of a work order's append-only history."""

    seq: int
    at: int
    kind: str
    operator_id: str
    role: str
    actor_org: str
    event: Optional[str]
    from_state: Optional[str]
    to_state: Optional[str]
    note: Optional[str]
    delta: JsonObject


@dataclasses.dataclass(frozen=True)
class WorkOrderPage:
    """One page of a work-order query, oldest first; iterate it for its work orders."""

    work_orders: List[WorkOrder]
    next_cursor: Optional[str]  # None on the last page

    def __iter__(self) -> Iterator[WorkOrder]:
        return iter(self.work_orders)

    def __len__(self) -> int:
        return len(self.work_orders)

    def __getitem__(self, i: int) -> WorkOrder:
        return self.work_orders[i]


@dataclasses.dataclass(frozen=True)
class Notification:
    """A notification claimed from the outbox: deliver it, then acknowledge it by id."""

    id: str             # "<work order id>/<seq>"
    work_order_id: str
    seq: int            # the history entry it announces
    kind: str           # "notify", "remind", "escalate" or "reassign"
    org_unit: str       # the org unit addressed
    recipient: Optional[str]  # the owner's operator id, or None: the org unit
    note: Optional[str]
    created_at: int
    attempts: int       # how often it was claimed, this claim included
    recipient_role: Optional[str] = None  # a role told in org_unit ("agent", ...), or None
    recipient_level: Optional[int] = None  # that role's level 1..3, or None: any level


def _notification(n: Any) -> Notification:
    return Notification(n.id, n.work_order_id, n.seq, n.kind, n.org_unit, n.recipient, n.note,
                        n.created_at, n.attempts, n.recipient_role, n.recipient_level or None)


def _text(document: Optional[JsonIn]) -> Optional[str]:
    return None if document is None else json_dumps(document)


def workflow_check(document: JsonIn, calendar: Optional[JsonIn] = None) -> None:
    """Validates a definition (dict or JSON text) and its calendar without a store."""
    _ll.pcrm_workflow_check(json_dumps(document), _text(calendar))


def _clocks(wo: Any, records: Dict[str, Any]) -> Dict[str, Clock]:
    out = {}
    for name, record in sorted(records.items()):
        result, seconds = _ll.pcrm_workorder_clock_result(wo, name)
        out[name] = Clock(name, _ll.pcrm_workorder_clock_started_at(wo, name),
                          _ll.pcrm_workorder_clock_due_at(wo, name) or None, result, seconds,
                          record)
    return out


def _work_order(wo: Any) -> WorkOrder:
    o = json_loads(_ll.pcrm_workorder_json(wo))
    o["sla_class"] = _ll.pcrm_workorder_sla_class(wo)
    o["clocks"] = _clocks(wo, o.get("clocks", {}))
    o["due_at"] = o["due_at"] or None
    o["overdue"] = bool(o["overdue"])
    o["suspended"] = bool(o["suspended"])
    return WorkOrder(**o)


def _entry(text: str) -> HistoryEntry:
    e = json_loads(text)
    return HistoryEntry(seq=e["seq"], at=e["at"], kind=e["kind"], operator_id=e["operator_id"],
                        role=e["role"], actor_org=e["actor_org"], event=e.get("event"),
                        from_state=e.get("from"), to_state=e.get("to"), note=e.get("note"),
                        delta=e["delta"])


class WorkflowMixin(ContextMixinBase):
    """Workflow and work-order methods of :class:`powercrm.Context`."""

    def _work_order_call(self, fn: Callable[..., Any], *args: Any) -> WorkOrder:
        with self._lock:
            wo = self._call(fn, *args)
            try:
                return _work_order(wo)
            finally:
                _ll.pcrm_workorder_free(wo)

    # -- definitions ---------------------------------------------------------------------

    def workflow_define(self, actor: Actor, document: JsonIn,
                        calendar: Optional[JsonIn] = None) -> int:
        """Stores a definition as its name's newest version; returns the version number.

        The name belongs to the org unit of its first definer: only that unit and its
        ancestors define base versions; a unit inside it defines an override for its own
        subtree only while the newest base version has ``"overridable": True``; anyone else
        raises PermissionDenied. Work orders open with the most specific version."""
        return self._call(_ll.pcrm_workflow_define, _actor(actor), json_dumps(document),
                          _text(calendar))

    def workflow_get(self, actor: Actor, name: str, version: int = 0) -> Workflow:
        """A stored definition (version 0 = the newest base version) as a :class:`Workflow`."""
        with self._lock:
            wf = self._call(_ll.pcrm_workflow_get, _actor(actor), name, int(version))
            try:
                states = tuple(_ll.pcrm_workflow_state_at(wf, i)
                               for i in range(_ll.pcrm_workflow_state_count(wf)))
                return Workflow(
                    name=_ll.pcrm_workflow_name(wf), title=_ll.pcrm_workflow_title(wf),
                    version=_ll.pcrm_workflow_version(wf),
                    initial_state=_ll.pcrm_workflow_initial_state(wf), states=states,
                    final_states=tuple(s for s in states
                                       if _ll.pcrm_workflow_state_is_final(wf, s)),
                    document=json_loads(_ll.pcrm_workflow_json(wf)),
                    dot=_ll.pcrm_workflow_to_dot(wf))
            finally:
                _ll.pcrm_workflow_free(wf)

    # -- work orders ---------------------------------------------------------------------

    def workorder_open(self, actor: Actor, workflow: str, business_key: str, org_unit: str, *,
                       customer_no: Optional[str] = None, data: Optional[JsonIn] = None,
                       sla_class: Optional[str] = None) -> WorkOrder:
        """Opens a work order.

        The same request again while the key is open returns that work order (a retry);
        other customer, org unit, data or class with an open key raises Duplicate naming
        the key.  `sla_class` ("normal", "important", "major", "vip") chooses the limits a
        definition gives per class.
        """
        return self._work_order_call(_ll.pcrm_workorder_open_classed, _actor(actor), workflow,
                                     business_key, customer_no, org_unit, sla_class,
                                     _text(data))

    def workorder_reclassify(self, actor: Actor, work_order_id: str, version: int, sla_class: str,
                             note: Optional[str] = None) -> WorkOrder:
        """Changes the severity class; running named clocks take the new class's limits."""
        return self._work_order_call(_ll.pcrm_workorder_reclassify, _actor(actor),
                                     work_order_id, int(version), sla_class, note)

    def workorder_get(self, actor: Actor, work_order_id: str) -> WorkOrder:
        """Reads a work order by id; raises NotFound."""
        return self._work_order_call(_ll.pcrm_workorder_get, _actor(actor), work_order_id)

    def workorder_fire(self, actor: Actor, work_order_id: str, version: int, event: str,
                       data: Optional[JsonIn] = None, note: Optional[str] = None) -> WorkOrder:
        """Fires `event` on the work order whose version the caller read (Conflict if stale).

        Needs the transition's ``permission`` (workorder.handle when it names none) on the
        work order's org unit; PermissionDenied otherwise, audited."""
        return self._work_order_call(_ll.pcrm_workorder_fire, _actor(actor), work_order_id,
                                     int(version), event, _text(data), note)

    def workorder_remind(self, actor: Actor, work_order_id: str,
                         note: Optional[str] = None) -> WorkOrder:
        """催办: records and counts a reminder to the owner."""
        return self._work_order_call(_ll.pcrm_workorder_remind, _actor(actor), work_order_id,
                                     note)

    def workorder_escalate(self, actor: Actor, work_order_id: str,
                           note: Optional[str] = None) -> WorkOrder:
        """督办: the superior org unit supervises it; the work order stays with its unit."""
        return self._work_order_call(_ll.pcrm_workorder_escalate, _actor(actor), work_order_id,
                                     note)

    def workorder_withdraw(self, actor: Actor, work_order_id: str, version: int,
                           note: Optional[str] = None) -> WorkOrder:
        """撤销: back one step, or cancelled when no step has completed."""
        return self._work_order_call(_ll.pcrm_workorder_withdraw, _actor(actor), work_order_id,
                                     int(version), note)

    def workorder_reassign(self, actor: Actor, work_order_id: str, version: int,
                           owner: Optional[str] = None, org_unit: Optional[str] = None,
                           note: Optional[str] = None) -> WorkOrder:
        """改派: another owner (None = nobody) and/or org unit (None = unchanged)."""
        return self._work_order_call(_ll.pcrm_workorder_reassign, _actor(actor), work_order_id,
                                     int(version), owner, org_unit, note)

    def workorder_suspend(self, actor: Actor, work_order_id: str, version: int,
                          note: Optional[str] = None) -> WorkOrder:
        """Stops every clock of the work order until :meth:`workorder_resume`."""
        return self._work_order_call(_ll.pcrm_workorder_suspend, _actor(actor), work_order_id,
                                     int(version), note)

    def workorder_resume(self, actor: Actor, work_order_id: str, version: int,
                         note: Optional[str] = None) -> WorkOrder:
        """Resumes a suspended work order at ``version``, with an optional note."""
        return self._work_order_call(_ll.pcrm_workorder_resume, _actor(actor), work_order_id,
                                     int(version), note)

    def workorder_suspend_request(self, actor: Actor, work_order_id: str, version: int,
                                  reason: str, resume_at: Optional[Instant] = None,
                                  note: Optional[str] = None) -> WorkOrder:
        """挂起 for a reason code of the definition: at once, or requested when the reason needs
        a supervisor's approval (:meth:`workorder_suspend_decide`).  `resume_at` (an instant,
        None = the reason's longest) is when tick resumes it."""
        t = 0 if resume_at is None else _instant(resume_at, "resume_at")
        return self._work_order_call(_ll.pcrm_workorder_suspend_request, _actor(actor),
                                     work_order_id, int(version), reason, t, note)

    def workorder_suspend_decide(self, actor: Actor, work_order_id: str, version: int,
                                 approve: bool, note: Optional[str] = None) -> WorkOrder:
        """Approves (the clocks stop) or rejects (`note` required) a pending suspension."""
        return self._work_order_call(_ll.pcrm_workorder_suspend_decide, _actor(actor),
                                     work_order_id, int(version), int(bool(approve)), note)

    def workorder_suspension(self, actor: Actor, work_order_id: str) -> JsonObject:
        """The current suspension as a dict (status, reason, resume_at, ...); NotFound if none."""
        return json_loads(self._call(_ll.pcrm_workorder_suspension_get, _actor(actor),
                                     work_order_id))

    def workorder_suspended_unlimited(self, actor: Actor, *, org_unit: Optional[str] = None,
                                      cursor: Optional[str] = None,
                                      limit: int = 0) -> WorkOrderPage:
        """Open suspended work orders nothing will resume: a :class:`WorkOrderPage`."""
        return self._page(_ll.pcrm_workorder_suspended_unlimited, _actor(actor), org_unit,
                          cursor, int(limit))

    def workorder_reopen(self, actor: Actor, work_order_id: str, version: int,
                         note: Optional[str] = None) -> WorkOrder:
        """Reopens a closed work order within its definition's reopening period."""
        return self._work_order_call(_ll.pcrm_workorder_reopen, _actor(actor), work_order_id,
                                     int(version), note)

    def workorder_attach(self, actor: Actor, work_order_id: str, master_id: str) -> None:
        """Attaches a caller's work order to a master: it closes when the master closes."""
        self._call(_ll.pcrm_workorder_attach, _actor(actor), work_order_id, master_id)

    def workorder_detach(self, actor: Actor, work_order_id: str, master_id: str) -> None:
        """Detaches a work order from its master order."""
        self._call(_ll.pcrm_workorder_detach, _actor(actor), work_order_id, master_id)

    def workorder_children(self, actor: Actor, master_id: str, *, cursor: Optional[str] = None,
                           limit: int = 0) -> WorkOrderPage:
        """The work orders attached to a master: a :class:`WorkOrderPage`."""
        return self._page(_ll.pcrm_workorder_children, _actor(actor), master_id, cursor,
                          int(limit))

    def _page(self, fn: Callable[..., Any], *args: Any) -> WorkOrderPage:
        with self._lock:
            lst = self._call(fn, *args)
            try:
                return WorkOrderPage(
                    [_work_order(_ll.pcrm_workorder_list_at(lst, i))
                     for i in range(_ll.pcrm_workorder_list_count(lst))],
                    _ll.pcrm_workorder_list_next_cursor(lst))
            finally:
                _ll.pcrm_workorder_list_free(lst)

    def workorder_comment(self, actor: Actor, work_order_id: str, text: str) -> None:
        """Adds a comment to a work order's history."""
        self._call(_ll.pcrm_workorder_comment, _actor(actor), work_order_id, text)

    def workorder_link(self, actor: Actor, work_order_id: str, other_id: str,
                       relation: str) -> None:
        """Links two work orders ("spawned": a complaint spawning a repair)."""
        self._call(_ll.pcrm_workorder_link, _actor(actor), work_order_id, other_id, relation)

    def workorder_tick(self, actor: Actor, now: Optional[Instant] = None,
                       progress: Optional[Progress] = None) -> int:
        """Processes every due timer exactly once; returns how many this call processed.

        ``progress(timers_so_far)`` is called after every committed batch; a
        truthy return stops with :class:`powercrm.WrongState`, the committed
        batches staying.
        """
        t = self.now() if now is None else _instant(now, "now")
        return self._call(_ll.pcrm_workorder_tick_ext, _actor(actor), t, progress)

    def workorder_query(self, actor: Actor, *, workflow: Optional[str] = None,
                        state: Optional[str] = None, owner: Optional[str] = None,
                        org_unit: Optional[str] = None, customer_no: Optional[str] = None,
                        overdue: bool = False, due_within_minutes: Optional[int] = None,
                        include_closed: bool = False, cursor: Optional[str] = None,
                        limit: int = 0) -> WorkOrderPage:
        """One page of matching work orders, oldest first: a :class:`WorkOrderPage`."""
        f = _ll.pcrm_workorder_filter(workflow, state, owner, org_unit, customer_no,
                                      int(bool(overdue)),
                                      -1 if due_within_minutes is None
                                      else int(due_within_minutes),
                                      int(bool(include_closed)))
        with self._lock:
            lst = self._call(_ll.pcrm_workorder_query, _actor(actor), f, cursor, int(limit))
            try:
                return WorkOrderPage(
                    [_work_order(_ll.pcrm_workorder_list_at(lst, i))
                     for i in range(_ll.pcrm_workorder_list_count(lst))],
                    _ll.pcrm_workorder_list_next_cursor(lst))
            finally:
                _ll.pcrm_workorder_list_free(lst)

    def workorder_iter(self, actor: Actor, *, page: int = 100,
                       **filters: Any) -> Iterator[WorkOrder]:
        """Iterates over every matching work order, page after page."""
        cursor = None
        while True:
            p = self.workorder_query(actor, cursor=cursor, limit=page, **filters)
            yield from p.work_orders
            cursor = p.next_cursor
            if cursor is None:
                return

    def workorder_history(self, actor: Actor, work_order_id: str) -> List[HistoryEntry]:
        """The append-only history, oldest first: a list of :class:`HistoryEntry`."""
        with self._lock:
            h = self._call(_ll.pcrm_workorder_history_load, _actor(actor), work_order_id)
            try:
                return [_entry(_ll.pcrm_workorder_history_at(h, i))
                        for i in range(_ll.pcrm_workorder_history_count(h))]
            finally:
                _ll.pcrm_workorder_history_free(h)

    def workorder_replay(self, actor: Actor, work_order_id: str) -> WorkOrder:
        """The work order rebuilt from its history alone (equals :meth:`workorder_get`)."""
        return self._work_order_call(_ll.pcrm_workorder_replay, _actor(actor), work_order_id)

    # -- notifications (the outbox) ------------------------------------------------------

    def notification_claim(self, actor: Actor, *, org_unit: Optional[str] = None, limit: int = 100,
                           lease_seconds: int = 300) -> List[Notification]:
        """Claims undelivered notifications of a subtree, oldest first, for a lease: a list of
        :class:`Notification`.  Acknowledge each delivered one with :meth:`notification_ack`;
        one not acknowledged within the lease is handed out again."""
        with self._lock:
            lst = self._call(_ll.pcrm_notification_claim, _actor(actor), org_unit, int(limit),
                             int(lease_seconds))
            try:
                return [_notification(_ll.pcrm_notification_list_at(lst, i))
                        for i in range(_ll.pcrm_notification_list_count(lst))]
            finally:
                _ll.pcrm_notification_list_free(lst)

    def notification_ack(self, actor: Actor, notification_id: str) -> None:
        """Marks a notification delivered (again: no-op)."""
        self._call(_ll.pcrm_notification_ack, _actor(actor), notification_id)
