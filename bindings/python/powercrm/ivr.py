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
``ctx.ivr_identify_by_phone(actor, "13800138000")`` and
``ctx.ivr_identify_by_id_digits(actor, "C1", "002*")`` return an
:class:`IvrIdentity`.
"""

import dataclasses
import decimal as _decimal
import datetime as _dt
import enum
from typing import Any, Optional

from . import lowlevel as _ll
from ._types import ContextMixinBase
from .actor import Actor, _native as _actor
from .money import DecimalLike, _from_c as _decimal_from_c, _to_c as _decimal_to_c
from .timeutil import DateLike, _date_from_c, _date_to_c

__all__ = ["speak_number", "speak_amount", "speak_energy", "speak_date", "IVR_SPEECH_MAX",
           "IvrOutcome", "IvrIdentity", "IvrLockout", "IvrArrearsAnswer", "IvrMixin",
           "IVR_ID_DIGITS"]

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
        c_policy = None
        if policy is not None:
            c_policy = _ll.pcrm_ivr_lockout()
            c_policy.max_failures = int(policy.max_failures)
            c_policy.window_seconds = int(policy.window_seconds)
        return IvrIdentity._from_c(self._call(_ll.pcrm_ivr_identify_by_id_digits,
                                              _actor(actor), customer_no, digits, c_policy))

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
