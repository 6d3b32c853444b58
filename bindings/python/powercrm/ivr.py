"""IVR self-service helpers: Chinese number reading, identifying the caller.

Pure functions (thread-safe, the GIL is released while C reads): amounts in
元/角/分, energy in 千瓦时, dates in 年月日 and plain numbers, from exact
values only (``decimal.Decimal``, int or decimal strings; a float is a
TypeError).  The rules, with examples, are in docs/ivr.md.

    >>> speak_amount(Decimal("1005.07"))
    '一千零五元零七分'
    >>> speak_energy(2700)
    '两千七百千瓦时'
    >>> speak_date("2026-12-07")
    '二零二六年十二月七日'

Identifying the caller is on the context (:class:`IvrMixin`):
``ctx.ivr_identify_by_phone(actor, "13800138000")``,
``ctx.ivr_identify_by_id_digits(actor, "C1", "002*")`` and
``ctx.ivr_identify_by_pin(actor, "C1", "246810")`` return an
:class:`IvrIdentity`; ``ivr_pin_set`` / ``ivr_pin_change`` set the PIN.

The answers (each recorded as an "ivr" contact): ``ivr_answer_arrears``,
``ivr_answer_last_bill``, ``ivr_answer_workorders``, ``ivr_answer_outage``,
``ivr_answer_tier`` (the tier position this year);
``ivr_report_fault`` opens a repair order; ``ivr_smart_menu`` orders the
menu; ``ivr_outage_publish`` / ``_revise`` / ``_end`` keep the outage list.
"""

import dataclasses
import decimal as _decimal
import datetime as _dt
import enum
from typing import Any, List, Optional, Tuple

from . import lowlevel as _ll
from ._types import ContextMixinBase
from .actor import Actor, _native as _actor
from .tariff import TierPosition
from .money import DecimalLike, _from_c as _decimal_from_c, _to_c as _decimal_to_c
from .timeutil import DateLike, Instant, _date_from_c, _date_to_c, _instant

__all__ = ["speak_number", "speak_amount", "speak_energy", "speak_date", "IVR_SPEECH_MAX",
           "IvrOutcome", "IvrIdentity", "IvrLockout", "IvrArrearsAnswer", "IvrMixin",
           "IVR_ID_DIGITS", "IvrBillAnswer", "IvrWorkorderKind", "IvrWorkorderProgress",
           "IvrWorkordersAnswer", "IvrOutageKind", "IvrOutage", "IvrOutageAnswer",
           "IvrFaultReport", "IvrMenuItem", "IvrMenuEntry", "IvrTierAnswer"]

IVR_SPEECH_MAX = _ll.PCRM_IVR_SPEECH_MAX
IVR_ID_DIGITS = _ll.PCRM_IVR_ID_DIGITS


class IvrOutcome(enum.IntEnum):
    """pcrm_ivr_outcome."""

    IDENTIFIED = _ll.PCRM_IVR_IDENTIFIED
    NOT_IDENTIFIED = _ll.PCRM_IVR_NOT_IDENTIFIED
    AMBIGUOUS = _ll.PCRM_IVR_AMBIGUOUS
    LOCKED = _ll.PCRM_IVR_LOCKED


@dataclasses.dataclass(frozen=True)
class IvrLockout:
    """pcrm_ivr_lockout: max_failures wrong tries within window_seconds lock."""

    max_failures: int = 3
    window_seconds: int = 900


@dataclasses.dataclass(frozen=True)
class IvrIdentity:
    """pcrm_ivr_identity: the outcome; customer_no is None unless IDENTIFIED."""

    outcome: IvrOutcome
    customer_no: Optional[str]
    candidates: int
    attempts_left: int
    locked_until: Optional[int]  # an instant (int seconds) or None

    @classmethod
    def _from_c(cls, c: Any) -> "IvrIdentity":
        return cls(IvrOutcome(c.outcome), c.customer_no or None, int(c.candidates),
                   int(c.attempts_left), int(c.locked_until) or None)


@dataclasses.dataclass(frozen=True)
class IvrArrearsAnswer:
    """pcrm_ivr_arrears_answer: what the caller owes and the text to speak."""

    total: _decimal.Decimal
    items: int
    oldest_due_date: Optional[_dt.date]
    days_past_due: int
    text: str

    @classmethod
    def _from_c(cls, c: Any) -> "IvrArrearsAnswer":
        due = _date_from_c(c.oldest_due_date) if c.items else None
        return cls(_decimal_from_c(c.total), int(c.items), due, int(c.days_past_due), c.text)


def _date_or_none(flag: bool, c_date: Any) -> Optional[_dt.date]:
    return _date_from_c(c_date) if flag else None


@dataclasses.dataclass(frozen=True)
class IvrBillAnswer:
    """pcrm_ivr_bill_answer: the last bill and the last payment; None where there is none."""

    bill_no: Optional[str]
    period: Optional[str]            # "2026-10"
    amount: Optional[_decimal.Decimal]
    open_amount: Optional[_decimal.Decimal]
    issue_date: Optional[_dt.date]
    due_date: Optional[_dt.date]
    payment_amount: Optional[_decimal.Decimal]
    payment_date: Optional[_dt.date]
    payment_channel: Optional[str]
    text: str

    @classmethod
    def _from_c(cls, c: Any) -> "IvrBillAnswer":
        b, p = bool(c.has_bill), bool(c.has_payment)
        return cls(c.bill_no if b else None, c.period if b else None,
                   _decimal_from_c(c.amount) if b else None,
                   _decimal_from_c(c.open_amount) if b else None,
                   _date_or_none(b, c.issue_date), _date_or_none(b, c.due_date),
                   _decimal_from_c(c.payment_amount) if p else None,
                   _date_or_none(p, c.payment_date), c.payment_channel if p else None, c.text)


@dataclasses.dataclass(frozen=True)
class IvrTierAnswer:
    """pcrm_ivr_tier_answer: the caller's tier position this year and the text to speak."""

    position: TierPosition
    text: str

    @classmethod
    def _from_c(cls, c: Any) -> "IvrTierAnswer":
        return cls(TierPosition._from_c(c.position), c.text)


class IvrWorkorderKind(enum.IntEnum):
    """pcrm_ivr_workorder_kind."""

    OTHER = _ll.PCRM_IVR_WO_OTHER
    NEW_CONNECTION = _ll.PCRM_IVR_WO_NEW_CONNECTION
    REPAIR = _ll.PCRM_IVR_WO_REPAIR
    COMPLAINT = _ll.PCRM_IVR_WO_COMPLAINT


@dataclasses.dataclass(frozen=True)
class IvrWorkorderProgress:
    """pcrm_ivr_workorder_progress: one open work order."""

    id: str
    workflow: str
    kind: IvrWorkorderKind
    state: str
    next_state: Optional[str]
    opened_at: int
    due_at: Optional[int]            # an instant
    suspended: bool

    @classmethod
    def _from_c(cls, c: Any) -> "IvrWorkorderProgress":
        return cls(c.id, c.workflow, IvrWorkorderKind(c.kind), c.state, c.next_state or None,
                   int(c.opened_at), int(c.due_at) or None, bool(c.suspended))


@dataclasses.dataclass(frozen=True)
class IvrWorkordersAnswer:
    """pcrm_ivr_workorders_answer: how many are open, the newest ones, the text."""

    open: int
    items: Tuple[IvrWorkorderProgress, ...]  # newest first
    text: str

    @classmethod
    def _from_c(cls, c: Any) -> "IvrWorkordersAnswer":
        return cls(int(c.open), tuple(IvrWorkorderProgress._from_c(c.item(i))
                                      for i in range(int(c.listed))), c.text)


class IvrOutageKind(enum.IntEnum):
    """pcrm_ivr_outage_kind."""

    PLANNED = _ll.PCRM_IVR_OUTAGE_PLANNED
    FAULT = _ll.PCRM_IVR_OUTAGE_FAULT


@dataclasses.dataclass(frozen=True)
class IvrOutage:
    """pcrm_ivr_outage_info: one outage of the caller's area."""

    id: str
    kind: IvrOutageKind
    starts_at: int
    ends_at: int
    in_progress: bool
    reason: str
    master_workorder: Optional[str]

    @classmethod
    def _from_c(cls, c: Any) -> "IvrOutage":
        return cls(c.id, IvrOutageKind(c.kind), int(c.starts_at), int(c.ends_at),
                   bool(c.in_progress), c.reason, c.master_workorder or None)


@dataclasses.dataclass(frozen=True)
class IvrOutageAnswer:
    """pcrm_ivr_outage_answer: the area (None when unknown), its outages, the text."""

    transformer_area: Optional[str]
    outages: int
    items: Tuple[IvrOutage, ...]  # current first
    text: str

    @classmethod
    def _from_c(cls, c: Any) -> "IvrOutageAnswer":
        return cls(c.transformer_area or None, int(c.outages),
                   tuple(IvrOutage._from_c(c.item(i)) for i in range(int(c.listed))), c.text)


@dataclasses.dataclass(frozen=True)
class IvrFaultReport:
    """pcrm_ivr_fault_report: the repair order, whether it is new, the master, the text."""

    workorder_id: str
    opened: bool
    outage_id: Optional[str]
    master_workorder: Optional[str]
    restore_estimate: Optional[int]  # an instant
    text: str

    @classmethod
    def _from_c(cls, c: Any) -> "IvrFaultReport":
        return cls(c.workorder_id, bool(c.opened), c.outage_id or None,
                   c.master_workorder or None, int(c.restore_estimate) or None, c.text)


class IvrMenuItem(enum.IntEnum):
    """pcrm_ivr_menu_item."""

    OUTAGE = _ll.PCRM_IVR_MENU_OUTAGE
    ARREARS = _ll.PCRM_IVR_MENU_ARREARS
    WORKORDERS = _ll.PCRM_IVR_MENU_WORKORDERS
    LAST_BILL = _ll.PCRM_IVR_MENU_LAST_BILL
    FAULT_REPORT = _ll.PCRM_IVR_MENU_FAULT_REPORT
    AGENT = _ll.PCRM_IVR_MENU_AGENT


@dataclasses.dataclass(frozen=True)
class IvrMenuEntry:
    """pcrm_ivr_menu_entry: an item in its place and why it is there."""

    item: IvrMenuItem
    promoted: bool
    reason: str
    title: str

    @classmethod
    def _from_c(cls, c: Any) -> "IvrMenuEntry":
        return cls(IvrMenuItem(c.item), bool(c.promoted), c.reason, c.title)


def _policy(policy: Optional[IvrLockout]) -> Any:
    if policy is None:
        return None
    c_policy = _ll.pcrm_ivr_lockout()
    c_policy.max_failures = int(policy.max_failures)
    c_policy.window_seconds = int(policy.window_seconds)
    return c_policy


class IvrMixin(ContextMixinBase):
    """IVR methods of :class:`powercrm.Context`."""

    def ivr_identify_by_phone(self, actor: Actor, caller_number: str) -> IvrIdentity:
        """Screen pop for the IVR: an :class:`IvrIdentity` (nothing is written)."""
        return IvrIdentity._from_c(self._call(_ll.pcrm_ivr_identify_by_phone, _actor(actor),
                                              caller_number))

    def ivr_identify_by_id_digits(self, actor: Actor, customer_no: str, digits: str,
                                  policy: Optional[IvrLockout] = None) -> IvrIdentity:
        """Customer number + the last ID characters ('*' for X), with the lockout.

        Every try is recorded and audited; PermissionDenied for a customer
        number that is unknown or outside the actor's subtree.
        """
        return IvrIdentity._from_c(self._call(_ll.pcrm_ivr_identify_by_id_digits,
                                              _actor(actor), customer_no, digits,
                                              _policy(policy)))

    def ivr_identify_by_pin(self, actor: Actor, customer_no: str, pin: str,
                            policy: Optional[IvrLockout] = None) -> IvrIdentity:
        """Customer number + PIN, with the lockout shared with the ID digits."""
        return IvrIdentity._from_c(self._call(_ll.pcrm_ivr_identify_by_pin, _actor(actor),
                                              customer_no, pin, _policy(policy)))

    def ivr_pin_set(self, actor: Actor, customer_no: str, id_digits: str, new_pin: str,
                    policy: Optional[IvrLockout] = None) -> IvrIdentity:
        """Sets the PIN, authorised by the ID digits; the PIN is set only when IDENTIFIED."""
        return IvrIdentity._from_c(self._call(_ll.pcrm_ivr_pin_set, _actor(actor), customer_no,
                                              id_digits, new_pin, _policy(policy)))

    def ivr_pin_change(self, actor: Actor, customer_no: str, old_pin: str, new_pin: str,
                       policy: Optional[IvrLockout] = None) -> IvrIdentity:
        """Changes the PIN, authorised by the current one."""
        return IvrIdentity._from_c(self._call(_ll.pcrm_ivr_pin_change, _actor(actor),
                                              customer_no, old_pin, new_pin, _policy(policy)))

    def ivr_answer_last_bill(self, actor: Actor, customer_no: str) -> IvrBillAnswer:
        """The last bill and last payment as an :class:`IvrBillAnswer`, recorded as a contact."""
        return IvrBillAnswer._from_c(self._call(_ll.pcrm_ivr_answer_last_bill, _actor(actor),
                                                customer_no))

    def ivr_answer_tier(self, actor: Actor, customer_no: str) -> IvrTierAnswer:
        """The tier position this year as an :class:`IvrTierAnswer`, recorded as a contact."""
        return IvrTierAnswer._from_c(self._call(_ll.pcrm_ivr_answer_tier, _actor(actor),
                                                customer_no))

    def ivr_answer_workorders(self, actor: Actor, customer_no: str) -> IvrWorkordersAnswer:
        """The open work orders in words as an :class:`IvrWorkordersAnswer`, recorded."""
        return IvrWorkordersAnswer._from_c(self._call(_ll.pcrm_ivr_answer_workorders,
                                                      _actor(actor), customer_no))

    def ivr_answer_outage(self, actor: Actor, customer_no: str) -> IvrOutageAnswer:
        """The outages of the caller's transformer area as an :class:`IvrOutageAnswer`."""
        return IvrOutageAnswer._from_c(self._call(_ll.pcrm_ivr_answer_outage, _actor(actor),
                                                  customer_no))

    def ivr_report_fault(self, actor: Actor, customer_no: str, workflow: str,
                         org_unit: Optional[str] = None) -> IvrFaultReport:
        """Opens (or finds) the caller's repair order; an :class:`IvrFaultReport`."""
        return IvrFaultReport._from_c(self._call(_ll.pcrm_ivr_report_fault, _actor(actor),
                                                 customer_no, workflow, org_unit))

    def ivr_smart_menu(self, actor: Actor, customer_no: str) -> List[IvrMenuEntry]:
        """Every menu item once, in the order to offer them: a list of :class:`IvrMenuEntry`."""
        menu = self._call(_ll.pcrm_ivr_smart_menu, _actor(actor), customer_no)
        return [IvrMenuEntry._from_c(menu.at(i)) for i in range(int(menu.count))]

    def ivr_outage_publish(self, actor: Actor, org_unit: str, transformer_area: str,
                           kind: IvrOutageKind, starts_at: Instant, ends_at: Instant,
                           reason: str, master_workorder: Optional[str] = None) -> str:
        """Publishes an outage of a transformer area; returns its id."""
        spec = _ll.pcrm_ivr_outage_spec(org_unit, transformer_area, int(IvrOutageKind(kind)),
                                        _instant(starts_at, "starts_at"),
                                        _instant(ends_at, "ends_at"), reason, master_workorder)
        return self._call(_ll.pcrm_ivr_outage_publish, _actor(actor), spec)

    def ivr_outage_revise(self, actor: Actor, outage_id: str, ends_at: Instant) -> None:
        """A new planned end / estimated restoration for an outage."""
        self._call(_ll.pcrm_ivr_outage_revise, _actor(actor), outage_id,
                   _instant(ends_at, "ends_at"))

    def ivr_outage_end(self, actor: Actor, outage_id: str) -> None:
        """Ends an outage now: the IVR no longer tells it."""
        self._call(_ll.pcrm_ivr_outage_end, _actor(actor), outage_id)

    def ivr_answer_arrears(self, actor: Actor, customer_no: str) -> IvrArrearsAnswer:
        """The caller's arrears today as an :class:`IvrArrearsAnswer`, recorded as a contact."""
        return IvrArrearsAnswer._from_c(self._call(_ll.pcrm_ivr_answer_arrears, _actor(actor),
                                                   customer_no))


def speak_number(value: DecimalLike) -> str:
    """The Chinese reading of a number: ``speak_number(10005)`` is ``'一万零五'``."""
    return _ll.pcrm_ivr_speak_number(_decimal_to_c(value, "number"), IVR_SPEECH_MAX)


def speak_amount(yuan: DecimalLike) -> str:
    """An amount in yuan read as 元/角/分; a fraction of a fen is InvalidInput."""
    return _ll.pcrm_ivr_speak_amount(_decimal_to_c(yuan, "amount"), IVR_SPEECH_MAX)


def speak_energy(kwh: DecimalLike) -> str:
    """An energy in kWh read with 千瓦时: ``speak_energy(2)`` is ``'两千瓦时'``."""
    return _ll.pcrm_ivr_speak_energy(_decimal_to_c(kwh, "energy"), IVR_SPEECH_MAX)


def speak_date(date: DateLike) -> str:
    """A date (datetime.date, 'YYYY-MM-DD' or (y, m, d)) read as 年月日."""
    return _ll.pcrm_ivr_speak_date(_date_to_c(date), IVR_SPEECH_MAX)
