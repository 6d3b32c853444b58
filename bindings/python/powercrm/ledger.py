"""The account ledger (账务), arrears, dunning and bank collection: Context methods and records.

Amounts are ``decimal.Decimal`` with two decimals; in posting documents they
are written as strings, never floats.  Dates are ``datetime.date``.
"""

import dataclasses
import datetime as _datetime
import decimal as _decimal
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, TypeVar, Union

from . import lowlevel as _ll
from ._types import ContextMixinBase, JsonObject, Progress
from .actor import Actor, _native as _actor
from .money import DecimalLike, _from_c as _decimal_from_c, _text as _decimal_text
from .records import json_dumps, json_loads
from .timeutil import DateLike, _date_to_c

__all__ = ["LedgerEntry", "LedgerSummary", "ArrearsItem", "Arrears", "DunningItem",
           "ReconItem", "BANK_RECONCILE_POST_MISSING", "LedgerMixin"]

BANK_RECONCILE_POST_MISSING = _ll.PCRM_BANK_RECONCILE_POST_MISSING

#: a date in a posting document: a datetime.date or "YYYY-MM-DD"
DateText = Union[_datetime.date, str]
#: an instant in a posting document: ISO 8601 text, int seconds or an aware datetime
InstantText = Union[str, int, _datetime.datetime]
_T = TypeVar("_T")


@dataclasses.dataclass(frozen=True)
class LedgerEntry:
    """One entry: amount is signed (+ the customer owes more), balance and credit after it."""

    customer_no: str
    account_no: str
    seq: int
    kind: str
    ref: str
    amount: _decimal.Decimal
    balance: _decimal.Decimal
    credit: _decimal.Decimal
    date: _datetime.date
    posted_at: int
    posted_by: str
    document: JsonObject  # the request plus its allocations
    replayed: bool  # True when a post found the key already posted


@dataclasses.dataclass(frozen=True)
class LedgerSummary:
    """An account's balance: what it owes, holds in credit and has open."""
    balance: _decimal.Decimal
    open: _decimal.Decimal
    credit: _decimal.Decimal
    entries: int


@dataclasses.dataclass(frozen=True)
class ArrearsItem:
    """An open bill or debit adjustment, aged at the as-of date."""

    customer_no: str
    account_no: str
    item_no: str
    kind: str
    period: Optional[str]  # None for adjustments
    issue_date: _datetime.date
    due_date: _datetime.date
    amount: _decimal.Decimal
    open_amount: _decimal.Decimal
    days_past_due: int
    prior_year: bool
    residential: bool
    usage_class: str


@dataclasses.dataclass(frozen=True)
class Arrears:
    """The arrears report: one :class:`ArrearsItem` per account, and their total."""
    items: List[ArrearsItem]
    total: _decimal.Decimal

    def __iter__(self) -> Iterator[ArrearsItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> ArrearsItem:
        return self.items[i]


@dataclasses.dataclass(frozen=True)
class DunningItem:
    """An account due for dunning: its arrears and the step reached."""
    customer_no: str
    account_no: str
    org_unit: str
    arrears: _decimal.Decimal
    open_items: int
    oldest_due: _datetime.date
    days_past_due: int
    reminders: int
    last_reminded_at: Optional[int]  # None when never reminded


@dataclasses.dataclass(frozen=True)
class ReconItem:
    """status: matched, amount_mismatch, missing_ours, missing_bank or posted."""

    status: str
    transaction_id: str
    account_no: str
    bank_amount: _decimal.Decimal
    ledger_amount: _decimal.Decimal
    line: int


def _date(d: Any) -> _datetime.date:
    return _datetime.date(d.year, d.month, d.day)


def _entry(e: Any) -> LedgerEntry:
    return LedgerEntry(e.customer_no, e.account_no, e.seq, e.kind, e.ref,
                       _decimal_from_c(e.amount), _decimal_from_c(e.balance),
                       _decimal_from_c(e.credit), _date(e.date), e.posted_at, e.posted_by,
                       json_loads(e.json), bool(e.replayed))


def _arrears_item(i: Any) -> ArrearsItem:
    return ArrearsItem(i.customer_no, i.account_no, i.item_no, i.kind, i.period,
                       _date(i.issue_date), _date(i.due_date), _decimal_from_c(i.amount),
                       _decimal_from_c(i.open_amount), i.days_past_due, bool(i.prior_year),
                       bool(i.residential), i.usage_class)


def _dunning_item(i: Any) -> DunningItem:
    return DunningItem(i.customer_no, i.account_no, i.org_unit, _decimal_from_c(i.arrears),
                       i.open_items, _date(i.oldest_due), i.days_past_due, i.reminders,
                       i.last_reminded_at or None)


def _recon_item(i: Any) -> ReconItem:
    return ReconItem(i.status, i.transaction_id, i.account_no, _decimal_from_c(i.bank_amount),
                     _decimal_from_c(i.ledger_amount), i.line)


def _money_fields(document: Mapping[str, Any]) -> Dict[str, Any]:
    """A copy of a document with Decimal / int amounts as the strings the library wants."""
    out = dict(document)
    if "amount" in out and not isinstance(out["amount"], str):
        out["amount"] = _decimal_text(out["amount"])
    for k in ("issue_date", "due_date"):
        if isinstance(out.get(k), _datetime.date):
            out[k] = out[k].isoformat()
    return out


def _list(lst: Any, count: Callable[[Any], int], at: Callable[[Any, int], Any],
          convert: Callable[[Any], _T], free: Callable[[Any], object]) -> List[_T]:
    try:
        return [convert(at(lst, i)) for i in range(count(lst))]
    finally:
        free(lst)


class LedgerMixin(ContextMixinBase):
    """Ledger methods of :class:`powercrm.Context`."""

    def ledger_post(self, actor: Actor, account_no: str,
                    document: Mapping[str, Any]) -> LedgerEntry:
        """Posts one entry (a dict with "kind", see docs/ledger.md); returns the LedgerEntry.

        Posting the same key again returns the first entry with ``replayed=True``; the
        same key with other content raises Conflict.
        """
        with self._lock:
            e = self._call(_ll.pcrm_ledger_post, _actor(actor), account_no,
                           json_dumps(_money_fields(document)))
            try:
                return _entry(e)
            finally:
                _ll.pcrm_ledger_entry_free(e)

    def ledger_post_bill(self, actor: Actor, account_no: str, bill_no: str, period: str,
                         issue_date: DateText, due_date: DateText,
                         amount: DecimalLike) -> LedgerEntry:
        """Posts a bill (what the billing run calls)."""
        return self.ledger_post(actor, account_no, {
            "kind": "bill", "bill_no": bill_no, "period": period, "issue_date": issue_date,
            "due_date": due_date, "amount": amount})

    def ledger_post_payment(self, actor: Actor, account_no: str, idempotency_key: str,
                            amount: DecimalLike, channel: str = "counter",
                            paid_at: Optional[InstantText] = None) -> LedgerEntry:
        """Posts a payment (channel counter or online; bank payments: bank_payment_post)."""
        doc: Dict[str, Any] = {"kind": "payment", "idempotency_key": idempotency_key,
                               "amount": amount, "channel": channel}
        if paid_at is not None:
            doc["paid_at"] = paid_at
        return self.ledger_post(actor, account_no, doc)

    def ledger(self, actor: Actor, account_no: str) -> List[LedgerEntry]:
        """The whole ledger of an account, oldest entry first."""
        with self._lock:
            return _list(self._call(_ll.pcrm_ledger_load, _actor(actor), account_no),
                         _ll.pcrm_ledger_list_count, _ll.pcrm_ledger_list_at, _entry,
                         _ll.pcrm_ledger_list_free)

    def ledger_summary(self, actor: Actor, account_no: str) -> LedgerSummary:
        """Balance, open amount, credit and number of entries of an account."""
        s = self._call(_ll.pcrm_ledger_summary_load, _actor(actor), account_no)
        return LedgerSummary(_decimal_from_c(s.balance), _decimal_from_c(s.open),
                             _decimal_from_c(s.credit), s.entries)

    def arrears(self, actor: Actor, customer_no: str, as_of: DateLike,
                account_no: Optional[str] = None) -> Arrears:
        """The open items of a customer (or one account), aged at `as_of`: an Arrears."""
        with self._lock:
            a = self._call(_ll.pcrm_arrears_load, _actor(actor), customer_no, account_no,
                           _date_to_c(as_of))
            try:
                return Arrears([_arrears_item(_ll.pcrm_arrears_at(a, i))
                                for i in range(_ll.pcrm_arrears_count(a))],
                               _decimal_from_c(_ll.pcrm_arrears_total(a)))
            finally:
                _ll.pcrm_arrears_free(a)

    def dunning_list(self, actor: Actor, as_of: DateLike, min_days: int,
                     org_unit: Optional[str] = None) -> List[DunningItem]:
        """Accounts whose oldest open item is more than `min_days` past due at `as_of`."""
        with self._lock:
            return _list(self._call(_ll.pcrm_dunning_list_load, _actor(actor), org_unit,
                                    _date_to_c(as_of), int(min_days)),
                         _ll.pcrm_dunning_list_count, _ll.pcrm_dunning_list_at, _dunning_item,
                         _ll.pcrm_dunning_list_free)

    def dunning_remind(self, actor: Actor, account_no: str, channel: str,
                       at: Optional[InstantText] = None, note: Optional[str] = None) -> None:
        """Records a reminder (sms, phone, letter, visit, wechat)."""
        doc: Dict[str, Any] = {"channel": channel}
        if at is not None:
            doc["at"] = at
        if note is not None:
            doc["note"] = note
        self._call(_ll.pcrm_dunning_remind, _actor(actor), account_no, json_dumps(doc))

    def bank_payment_post(self, actor: Actor, bank_code: str, transaction_id: str, account_no: str,
                          amount: DecimalLike, paid_at: InstantText) -> LedgerEntry:
        """Posts a bank-collected payment; the transaction id is the idempotency key."""
        doc = {"bank_code": bank_code, "transaction_id": transaction_id,
               "account_no": account_no, "amount": _decimal_text(amount), "paid_at": paid_at}
        with self._lock:
            e = self._call(_ll.pcrm_bank_payment_post, _actor(actor), json_dumps(doc))
            try:
                return _entry(e)
            finally:
                _ll.pcrm_ledger_entry_free(e)

    def bank_reconcile(self, actor: Actor, statement: Union[str, bytes, bytearray, memoryview],
                       post_missing: bool = False,
                       progress: Optional[Progress] = None) -> List[ReconItem]:
        """Reconciles a bank statement (str or bytes, docs/bank-statement-format.md).

        ``progress(lines_so_far)`` is called every 1,000 statement lines and
        after the last; a truthy return stops with :class:`powercrm.WrongState`
        and nothing is posted.
        """
        if isinstance(statement, (bytes, bytearray, memoryview)):
            statement = bytes(statement).decode("utf-8")
        flags = BANK_RECONCILE_POST_MISSING if post_missing else 0
        with self._lock:
            return _list(self._call(_ll.pcrm_bank_reconcile_ext, _actor(actor), statement, flags,
                                    progress),
                         _ll.pcrm_bank_reconciliation_count, _ll.pcrm_bank_reconciliation_at,
                         _recon_item, _ll.pcrm_bank_reconciliation_free)
