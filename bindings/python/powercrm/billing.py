"""Tariff versions in the store, billing runs, stored bills and corrections.

Amounts are ``decimal.Decimal``; a stored bill's itemised lines come back as
``BillRecord.lines``, the same :class:`powercrm.BillLine` records (quantity,
unit price and amount as Decimal, reason code and kind) that a computed
:class:`powercrm.Bill` has; ``BillRecord.document`` is the dict that
``pcrm_bill_to_json`` wrote, decimals as strings.
"""

import dataclasses
import datetime as _datetime
import decimal as _decimal
from typing import Any, List, Optional, Tuple

from . import lowlevel as _ll
from ._types import ContextMixinBase, JsonIn, JsonObject, Progress
from .actor import Actor, _native as _actor
from .ledger import LedgerEntry, _entry
from .money import _from_c as _decimal_from_c
from .records import json_dumps, json_loads
from .tariff import BillLine, Tariff, TierPosition, _line_from_json
from .timeutil import DateLike, _date_from_c, _date_to_c

__all__ = ["BillingSummary", "BillingPostSummary", "BillRecord", "BillingMixin"]


@dataclasses.dataclass(frozen=True)
class BillingSummary:
    """What one call of billing_run did."""

    accounts: int        # active accounts without a bill for the month, looked at
    billed: int          # bills calculated and stored by this call
    already_billed: int  # accounts that had their bill already (a rerun)
    no_usage: int        # accounts without readings in the month (not billed)
    total: _decimal.Decimal


@dataclasses.dataclass(frozen=True)
class BillingPostSummary:
    """What one call of billing_post did."""

    bills: int           # current bills of the month and subtree looked at
    posted: int          # bills posted to the ledgers by this call
    already_posted: int  # bills the ledger held already (a rerun)
    nothing_owed: int    # bills of zero: nothing to post
    total: _decimal.Decimal


@dataclasses.dataclass(frozen=True)
class BillRecord:
    """A stored bill."""

    bill_no: str
    customer_no: str
    account_no: str
    period: str
    status: str  # "issued" or "void"
    tariff_id: str
    tariff_version: int
    issue_date: _datetime.date
    due_date: _datetime.date
    energy: _decimal.Decimal
    total: _decimal.Decimal
    replaces: Optional[str]  # the bill number it corrects, or None
    document: JsonObject  # the itemised bill as stored (decimals as strings)
    posted: bool      # the ledger holds it (a receivable); False before billing_post

    @property
    def lines(self) -> Tuple[BillLine, ...]:
        """The itemised lines: a tuple of :class:`powercrm.BillLine`, decimals as Decimal."""
        return tuple(_line_from_json(o) for o in self.document.get("lines", ()))


def _record(r: Any) -> BillRecord:
    return BillRecord(r.bill_no, r.customer_no, r.account_no, r.period, r.status, r.tariff_id,
                      r.tariff_version, _date_from_c(r.issue_date), _date_from_c(r.due_date),
                      _decimal_from_c(r.energy), _decimal_from_c(r.total), r.replaces,
                      json_loads(r.json), bool(r.posted))


def _document(doc: JsonIn) -> str:
    return doc if isinstance(doc, str) else json_dumps(doc)


class BillingMixin(ContextMixinBase):
    """Billing methods of :class:`powercrm.Context`."""

    def tariff_publish(self, actor: Actor, document: JsonIn) -> None:
        """Validates and stores a tariff version (dict or JSON text); publishing the
        same version again is a no-op, another document under it raises Conflict.

        The tariff id belongs to the org unit of its first publisher: only that unit and its
        ancestors publish base versions; a unit inside it publishes an override for its own
        subtree only while the newest base version has ``"overridable": True``; anyone else
        raises PermissionDenied (docs/security.md)."""
        self._call(_ll.pcrm_tariff_publish, _actor(actor), _document(document))

    def tariff_fetch(self, actor: Actor, tariff_id: str, version: int = 0,
                     on: Optional[DateLike] = None) -> Tariff:
        """A published tariff: `version`, or (0) the newest base version in effect on `on`."""
        on = _date_to_c(on if on is not None else _datetime.date.today())
        return Tariff(self._call(_ll.pcrm_tariff_fetch, _actor(actor), tariff_id, int(version),
                                 on))

    def billing_run(self, actor: Actor, spec: JsonIn,
                    progress: Optional[Progress] = None) -> BillingSummary:
        """Bills one month for an org subtree (spec: a dict, see docs/billing.md); a BillingSummary.

        The bills are stored, not posted to the ledgers: billing_post() does that after
        review, unless the spec says ``"post": True``.

        Runs without the GIL; ``progress(bills_so_far)`` is called after each committed
        batch and stops the run (raising WrongState) when it returns a true value.  Rerun
        to finish an interrupted run: nothing is billed twice.
        """
        s = self._call(_ll.pcrm_billing_run, _actor(actor), _document(spec), progress)
        return BillingSummary(s.accounts, s.billed, s.already_billed, s.no_usage,
                              _decimal_from_c(s.total))

    def billing_post(self, actor: Actor, spec: JsonIn,
                     progress: Optional[Progress] = None) -> BillingPostSummary:
        """Posts a month's stored, unposted bills of an org subtree to the ledgers (电费发行);
        spec: {"org_unit", "period", ["batch_size"]}.  A BillingPostSummary.

        Runs without the GIL; ``progress(posted_so_far)`` is called after each committed
        batch and stops (raising WrongState) when it returns a true value.  Rerun to
        finish: a bill is posted once, whatever the number of calls.
        """
        s = self._call(_ll.pcrm_billing_post, _actor(actor), _document(spec), progress)
        return BillingPostSummary(s.bills, s.posted, s.already_posted, s.nothing_owed,
                                  _decimal_from_c(s.total))

    def bills(self, actor: Actor, customer_no: str, from_period: Optional[str] = None,
              to_period: Optional[str] = None) -> List[BillRecord]:
        """The bills of a customer, newest month first, void ones included."""
        with self._lock:
            lst = self._call(_ll.pcrm_bill_list_load, _actor(actor), customer_no, from_period,
                             to_period)
            try:
                return [_record(_ll.pcrm_bill_list_at(lst, i))
                        for i in range(_ll.pcrm_bill_list_count(lst))]
            finally:
                _ll.pcrm_bill_list_free(lst)

    def bill_correct(self, actor: Actor, bill_no: str, reason: str) -> BillRecord:
        """Voids a bill with a credit note and bills its month again; the new BillRecord."""
        with self._lock:
            r = self._call(_ll.pcrm_bill_correct, _actor(actor), bill_no, reason)
            try:
                return _record(r)
            finally:
                _ll.pcrm_bill_record_free(r)

    def tier_position_get(self, actor: Actor, customer_no: str, on: DateLike,
                          account_no: Optional[str] = None) -> TierPosition:
        """The residential customer's position on this year's annual tiers on `on`."""
        return TierPosition._from_c(self._call(_ll.pcrm_tier_position_get, _actor(actor),
                                               customer_no, account_no, _date_to_c(on)))

    def late_fee_quote(self, actor: Actor, account_no: str, on: DateLike) -> _decimal.Decimal:
        """The late-payment penalty (电费违约金) owed on an account at date `on`: a Decimal."""
        return _decimal_from_c(self._call(_ll.pcrm_late_fee_quote, _actor(actor), account_no,
                                          _date_to_c(on)))

    def late_fee_post(self, actor: Actor, account_no: str, on: DateLike,
                      idempotency_key: str) -> Optional[LedgerEntry]:
        """Posts that penalty as a debit adjustment; the LedgerEntry, or None when none is owed."""
        with self._lock:
            e = self._call(_ll.pcrm_late_fee_post, _actor(actor), account_no, _date_to_c(on),
                           idempotency_key)
            if e is None:
                return None
            try:
                return _entry(e)
            finally:
                _ll.pcrm_ledger_entry_free(e)
