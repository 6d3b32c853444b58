"""Tariffs and bills (pcrm_tariff, pcrm_bill): pure computation, no store.

    t = Tariff.load_file("data/tariffs/cn-gd-guangzhou-residential.json")
    bill = t.bill("2026-07-01", "2026-07-31", Usage(total=Decimal("600")))
    bill.total                  # Decimal('370.40')
    [(l.code, l.tier, l.amount) for l in bill.lines]

Money and energy are :class:`decimal.Decimal` both ways (ints and decimal
strings are accepted too; floats are a TypeError).  A :class:`Bill` is a
frozen copy of the computed bill: the native bill is freed at once.
"""

import dataclasses
from typing import TYPE_CHECKING, Any, Dict, Iterable, Mapping, Optional, Tuple, Union
import datetime as _dt
import decimal as _decimal
import enum
import json as _json
import os as _os

from . import lowlevel as _ll
from ._types import JsonIn, JsonObject, PathLike
from .handles import Handle, HandleOwner
from .money import DecimalLike, _from_c as _decimal_from_c, _to_c as _decimal_to_c
from .records import json_dumps
from .timeutil import DateLike, Instant, _date_from_c, _date_to_c, _instant

if TYPE_CHECKING:
    from .calendars import Calendar

__all__ = [
    "LineKind", "BasicMode", "Tariff", "BillCustomer", "Usage", "BillLine", "Bill",
    "power_factor", "power_factor_rate", "late_fee", "tariff_from_urdb",
    "TierStatus", "TierPosition",
]

_ZERO = _decimal.Decimal(0)


class TierStatus(enum.IntEnum):
    """pcrm_tier_status: where a customer stands on the annual tiers, or why no tier applies."""

    POSITIONED = _ll.PCRM_TIER_POSITIONED
    NO_TIERS = _ll.PCRM_TIER_NO_TIERS
    NOT_ANNUAL = _ll.PCRM_TIER_NOT_ANNUAL
    NOT_RESIDENTIAL = _ll.PCRM_TIER_NOT_RESIDENTIAL
    NO_BILL = _ll.PCRM_TIER_NO_BILL


@dataclasses.dataclass(frozen=True)
class TierPosition:
    """pcrm_tier_position: the tier the next kWh of the year is billed in.

    ``tier`` is None and the thresholds are zero unless ``status`` is
    POSITIONED; ``upper`` and ``remaining`` are None in the top tier.  The
    account and tariff are None from :meth:`Tariff.tier_position`.
    """

    status: TierStatus
    year: int
    tier_count: int
    tier: Optional[int]
    energy: _decimal.Decimal
    lower: _decimal.Decimal
    upper: Optional[_decimal.Decimal]
    remaining: Optional[_decimal.Decimal]
    account_no: Optional[str]
    tariff_id: Optional[str]
    tariff_version: Optional[int]

    @classmethod
    def _from_c(cls, c: Any) -> "TierPosition":
        # the wrapper reads an int member of 0 as None (a status): hence the `or 0`
        status = int(c.status or 0)
        placed = status == _ll.PCRM_TIER_POSITIONED
        top = placed and bool(c.last_tier)
        return cls(TierStatus(status), int(c.year or 0), int(c.tier_count or 0),
                   int(c.tier or 0) if placed else None, _decimal_from_c(c.energy),
                   _decimal_from_c(c.lower),
                   _decimal_from_c(c.upper) if placed and not top else None,
                   _decimal_from_c(c.remaining) if placed and not top else None,
                   c.account_no or None, c.tariff_id or None,
                   int(c.tariff_version or 0) or None)


class LineKind(enum.IntEnum):
    """pcrm_bill_line_kind: the reason of a bill line."""

    ENERGY = _ll.PCRM_LINE_ENERGY
    LOW_INCOME = _ll.PCRM_LINE_LOW_INCOME
    BASIC_CAPACITY = _ll.PCRM_LINE_BASIC_CAPACITY
    BASIC_DEMAND = _ll.PCRM_LINE_BASIC_DEMAND
    BASIC_DEMAND_EXCESS = _ll.PCRM_LINE_BASIC_DEMAND_EXCESS
    POWER_FACTOR = _ll.PCRM_LINE_POWER_FACTOR
    FUND = _ll.PCRM_LINE_FUND
    FIXED = _ll.PCRM_LINE_FIXED
    MINIMUM_MONTHLY = _ll.PCRM_LINE_MINIMUM_MONTHLY
    MINIMUM_ANNUAL = _ll.PCRM_LINE_MINIMUM_ANNUAL
    DEMAND_FLAT = _ll.PCRM_LINE_DEMAND_FLAT
    DEMAND_TOU = _ll.PCRM_LINE_DEMAND_TOU
    EXPORT_CREDIT = _ll.PCRM_LINE_EXPORT_CREDIT
    CREDIT_BROUGHT_FORWARD = _ll.PCRM_LINE_CREDIT_BROUGHT_FORWARD
    CREDIT_CARRIED_FORWARD = _ll.PCRM_LINE_CREDIT_CARRIED_FORWARD
    BASIC_CONTRACT_DEMAND = _ll.PCRM_LINE_BASIC_CONTRACT_DEMAND
    BASIC_CONTRACT_EXCESS = _ll.PCRM_LINE_BASIC_CONTRACT_EXCESS
    BASIC_ACTUAL_DEMAND = _ll.PCRM_LINE_BASIC_ACTUAL_DEMAND

    @classmethod
    def from_code(cls, code: str) -> "LineKind":
        """The kind of a line from its reason code ("energy", "fund", ...), as bills store it."""
        try:
            return _KIND_BY_CODE[code]
        except KeyError:
            raise ValueError("unknown bill line code %r" % (code,)) from None


# The reason codes of include/powercrm/tariff.h, one per kind.
_KIND_BY_CODE = {
    "energy": LineKind.ENERGY,
    "low_income_allowance": LineKind.LOW_INCOME,
    "basic_capacity": LineKind.BASIC_CAPACITY,
    "basic_demand": LineKind.BASIC_DEMAND,
    "basic_demand_excess": LineKind.BASIC_DEMAND_EXCESS,
    "power_factor_adjustment": LineKind.POWER_FACTOR,
    "fund": LineKind.FUND,
    "fixed_charge": LineKind.FIXED,
    "minimum_monthly": LineKind.MINIMUM_MONTHLY,
    "minimum_annual": LineKind.MINIMUM_ANNUAL,
    "demand_flat": LineKind.DEMAND_FLAT,
    "demand_tou": LineKind.DEMAND_TOU,
    "export_credit": LineKind.EXPORT_CREDIT,
    "credit_brought_forward": LineKind.CREDIT_BROUGHT_FORWARD,
    "credit_carried_forward": LineKind.CREDIT_CARRIED_FORWARD,
    "basic_contract_demand": LineKind.BASIC_CONTRACT_DEMAND,
    "basic_contract_demand_excess": LineKind.BASIC_CONTRACT_EXCESS,
    "basic_actual_demand": LineKind.BASIC_ACTUAL_DEMAND,
}


class BasicMode(enum.IntEnum):
    """pcrm_basic_mode: how the contract has the basic charge (基本电费) computed."""

    TARIFF = _ll.PCRM_BASIC_MODE_TARIFF                    # the tariff's default_mode
    CAPACITY = _ll.PCRM_BASIC_MODE_CAPACITY                # 按变压器容量
    CONTRACT_DEMAND = _ll.PCRM_BASIC_MODE_CONTRACT_DEMAND  # 按合同最大需量
    ACTUAL_DEMAND = _ll.PCRM_BASIC_MODE_ACTUAL_DEMAND      # 按实际最大需量


@dataclasses.dataclass(frozen=True)
class BillCustomer:
    """The customer attributes a tariff needs (pcrm_bill_customer)."""

    usage_class: Optional[str] = None
    household_size: int = 1
    low_income: bool = False
    contract_capacity_kva: _decimal.Decimal = _ZERO
    contract_demand_kw: _decimal.Decimal = _ZERO
    pf_standard: int = 0
    ytd_kwh: _decimal.Decimal = _ZERO
    ytd_amount: _decimal.Decimal = _ZERO
    year_end: bool = False
    basic_mode: int = 0
    cycle_start: Optional[DateLike] = None
    cycle_end: Optional[DateLike] = None

    def _to_c(self) -> Any:
        c = _ll.pcrm_bill_customer(self.usage_class)
        c.household_size = int(self.household_size)
        c.low_income = int(bool(self.low_income))
        c.contract_capacity_kva = _decimal_to_c(self.contract_capacity_kva, "customer.contract_capacity_kva")
        c.contract_demand_kw = _decimal_to_c(self.contract_demand_kw, "customer.contract_demand_kw")
        c.pf_standard = int(self.pf_standard)
        c.ytd_kwh = _decimal_to_c(self.ytd_kwh, "customer.ytd_kwh")
        c.ytd_amount = _decimal_to_c(self.ytd_amount, "customer.ytd_amount")
        c.year_end = int(bool(self.year_end))
        c.basic_mode = int(BasicMode(self.basic_mode))
        if self.cycle_start is not None:
            c.cycle_start = _date_to_c(self.cycle_start)
        if self.cycle_end is not None:
            c.cycle_end = _date_to_c(self.cycle_end)
        return c


@dataclasses.dataclass(frozen=True)
class Usage:
    """Register readings or interval data for one billing period.

    Give either ``total`` (a tariff without TOU), ``periods`` (a dict of TOU
    period name -> kWh) or ``intervals`` (an iterable of ``(start, seconds,
    kwh)`` with ``start`` an int instant or an aware datetime); optionally
    ``reactive`` (kvarh), ``max_demand`` (kW) and ``period_demand`` (a dict
    of TOU period name -> maximum kW within it) and ``prior_demand`` (for
    a demand ratchet: a dict of months ago (1 = the month before) -> kW,
    or of ``(months_ago, period)`` -> kW for a ratchet by period).

    Net metering / net billing (a tariff with ``net_metering``): exported
    energy as ``exports`` (a Decimal total for a one-period tariff, or a
    dict of TOU period name -> kWh) or ``export_intervals`` (like
    ``intervals``), and ``credit_brought_forward``, the previous bill's
    :attr:`Bill.credit_carried_forward`.
    """

    total: Optional[DecimalLike] = None
    periods: Optional[Mapping[str, DecimalLike]] = None
    intervals: Optional[Iterable[Tuple[Instant, int, DecimalLike]]] = None
    reactive: Optional[DecimalLike] = None
    max_demand: Optional[DecimalLike] = None
    period_demand: Optional[Mapping[str, DecimalLike]] = None
    exports: Union[DecimalLike, Dict[str, DecimalLike], None] = None  # a dict: by TOU period
    export_intervals: Optional[Iterable[Tuple[Instant, int, DecimalLike]]] = None
    credit_brought_forward: Optional[DecimalLike] = None
    #: months ago -> kW, or (months ago, TOU period) -> kW
    prior_demand: Optional[Mapping[Union[int, Tuple[int, str]], DecimalLike]] = None

    def _to_c(self) -> Handle:
        u = _ll.pcrm_usage_new()
        h = Handle(u, _ll.pcrm_usage_free, "usage")
        with h as ptr:
            if self.total is not None:
                _ll.pcrm_usage_set_total(ptr, _decimal_to_c(self.total, "usage.total"))
            for name, kwh in (self.periods or {}).items():
                _ll.pcrm_usage_set_period(ptr, str(name), _decimal_to_c(kwh, "usage.periods.%s" % name))
            for start, seconds, kwh in (self.intervals or ()):
                _ll.pcrm_usage_add_interval(ptr, _instant(start, "start"), int(seconds),
                                            _decimal_to_c(kwh, "usage.intervals"))
            if self.reactive is not None:
                _ll.pcrm_usage_set_reactive(ptr, _decimal_to_c(self.reactive, "usage.reactive"))
            if self.max_demand is not None:
                _ll.pcrm_usage_set_max_demand(ptr, _decimal_to_c(self.max_demand, "usage.max_demand"))
            for name, kw in (self.period_demand or {}).items():
                _ll.pcrm_usage_set_period_demand(ptr, str(name), _decimal_to_c(kw, "usage.period_demand.%s" % name))
            if isinstance(self.exports, dict):
                for name, kwh in self.exports.items():
                    _ll.pcrm_usage_set_export_period(ptr, str(name), _decimal_to_c(kwh, "usage.export_periods.%s" % name))
            elif self.exports is not None:
                _ll.pcrm_usage_set_export_total(ptr, _decimal_to_c(self.exports, "usage.export_total"))
            for start, seconds, kwh in (self.export_intervals or ()):
                _ll.pcrm_usage_add_export_interval(ptr, _instant(start, "start"), int(seconds),
                                                   _decimal_to_c(kwh, "usage.export_intervals"))
            if self.credit_brought_forward is not None:
                _ll.pcrm_usage_set_credit_brought_forward(
                    ptr, _decimal_to_c(self.credit_brought_forward, "usage.credit_brought_forward"))
            for key, kw in (self.prior_demand or {}).items():
                ago, period = key if isinstance(key, tuple) else (key, None)
                _ll.pcrm_usage_set_prior_demand(ptr, int(ago), period,
                                                _decimal_to_c(kw, "usage.prior_demand"))
        return h


@dataclasses.dataclass(frozen=True)
class BillLine:
    """One itemised line: quantity x unit price = amount (rounded to the fen)."""

    kind: LineKind
    code: str
    period: Optional[str]  # the TOU period, None for a line without one
    tier: int
    item: Optional[str]
    name: Optional[str]
    quantity: _decimal.Decimal
    unit: str
    unit_price: _decimal.Decimal
    prorate_days: int
    amount: _decimal.Decimal


@dataclasses.dataclass(frozen=True)
class Bill:
    """A computed bill, copied out of the library (the tariff id and version it used)."""

    tariff_id: str
    tariff_version: int
    start: _dt.date
    end: _dt.date
    energy: _decimal.Decimal
    power_factor: Optional[_decimal.Decimal]  # None when the bill has no reactive energy
    lines: Tuple[BillLine, ...]
    total: _decimal.Decimal
    json_text: str
    credit_carried_forward: _decimal.Decimal = _ZERO
    max_demand: Optional[_decimal.Decimal] = None  # measured kW (before ratchets); None without one

    def to_json(self) -> JsonObject:
        """The bill as the library writes it (pcrm_bill_to_json), parsed into a dict."""
        return _json.loads(self.json_text, parse_float=_decimal.Decimal)


def _line(ln: Any) -> BillLine:
    return BillLine(LineKind(ln.kind), ln.code, ln.period, ln.tier or 0, ln.item, ln.name,
                    _decimal_from_c(ln.quantity), ln.unit, _decimal_from_c(ln.unit_price),
                    ln.prorate_days or 0, _decimal_from_c(ln.amount))


def _line_from_json(o: Mapping[str, Any]) -> BillLine:
    """A BillLine from one line of pcrm_bill_to_json() (decimals are strings there)."""
    return BillLine(LineKind.from_code(o["code"]), o["code"], o.get("period"), o.get("tier", 0),
                    o.get("item"), o.get("name"), _decimal.Decimal(o["quantity"]), o["unit"],
                    _decimal.Decimal(o["unit_price"]), o.get("prorate_days", 0),
                    _decimal.Decimal(o["amount"]))


def _bill_from_c(ptr: Any) -> Bill:
    n = _ll.pcrm_bill_line_count(ptr)
    lines = tuple(_line(_ll.pcrm_bill_line_at(ptr, i)) for i in range(n))
    try:
        pf = _decimal_from_c(_ll.pcrm_bill_power_factor(ptr))
    except LookupError:
        pf = None
    try:
        max_demand = _decimal_from_c(_ll.pcrm_bill_max_demand(ptr))
    except LookupError:
        max_demand = None
    size = _ll.pcrm_bill_json_size(ptr)
    text = _ll.pcrm_bill_to_json(ptr, size) if size else ""
    return Bill(_ll.pcrm_bill_tariff_id(ptr), _ll.pcrm_bill_tariff_version(ptr),
                _date_from_c(_ll.pcrm_bill_period_start(ptr)),
                _date_from_c(_ll.pcrm_bill_period_end(ptr)),
                _decimal_from_c(_ll.pcrm_bill_energy(ptr)), pf, lines,
                _decimal_from_c(_ll.pcrm_bill_total(ptr)), text,
                _decimal_from_c(_ll.pcrm_bill_credit_carried_forward(ptr)), max_demand)


class Tariff(HandleOwner):
    """A loaded, immutable tariff version (safe to share between threads).

    Made by :meth:`load` (a dict or JSON text) or :meth:`load_file`; freed
    by :meth:`close`, its ``with`` block, or garbage collection.  Bad
    documents raise :class:`powercrm.InvalidInput` naming the JSON path.
    """

    def __init__(self, ptr: Any) -> None:
        self._handle = Handle(ptr, _ll.pcrm_tariff_free, "tariff")
        with self._handle as t:
            self.id = _ll.pcrm_tariff_id(t)
            self.version = _ll.pcrm_tariff_version(t)
            self.currency = _ll.pcrm_tariff_currency(t)
            self.effective_from = _date_from_c(_ll.pcrm_tariff_effective_from(t))
            to = _ll.pcrm_tariff_effective_to(t)
            self.effective_to = _date_from_c(to) if to.year else None
            self.periods = tuple(_ll.pcrm_tariff_period_name(t, i)
                                 for i in range(_ll.pcrm_tariff_period_count(t)))

    @classmethod
    def load(cls, document: JsonIn) -> "Tariff":
        """Loads a tariff from a dict (Decimals become strings) or JSON text."""
        return cls(_ll.pcrm_tariff_load(json_dumps(document)))

    @classmethod
    def from_urdb(cls, rate: Union[str, bytes, bytearray, Mapping[str, Any]],
                  **options: Any) -> "Tariff":
        """Loads a URDB rate through :func:`powercrm.urdb.tariff_from_urdb` (same options)."""
        return cls.load(tariff_from_urdb(rate, **options))

    @classmethod
    def load_file(cls, path: PathLike) -> "Tariff":
        """Loads a tariff from a JSON file (IOFailure when it cannot be read)."""
        return cls(_ll.pcrm_tariff_load_file(_os.fsdecode(path)))

    def __repr__(self) -> str:
        return "<powercrm.Tariff %s v%d%s>" % (self.id, self.version,
                                              " closed" if self.closed else "")

    def period_at(self, t: Instant, calendar: Optional["Calendar"] = None) -> str:
        """The TOU period name of instant `t` (int or aware datetime)."""
        t = _instant(t)
        with self._handle as tp:
            if calendar is None:
                i = _ll.pcrm_tariff_period_at(tp, t, None)
            else:
                with calendar._handle as cal:
                    i = _ll.pcrm_tariff_period_at(tp, t, cal)
        return self.periods[i]

    def tier_position(self, household_size: int, on: DateLike,
                      energy: DecimalLike) -> TierPosition:
        """Where `energy` kWh billed earlier in the year stand on the annual tiers on `on`."""
        d, e = _date_to_c(on), _decimal_to_c(energy, "energy")
        with self._handle as tp:
            return TierPosition._from_c(_ll.pcrm_tariff_tier_position(tp, int(household_size),
                                                                      d, e))

    def bill(self, start: DateLike, end: DateLike, usage: Usage,
             customer: Optional[BillCustomer] = None,
             calendar: Optional["Calendar"] = None) -> Bill:
        """Computes the bill for days `start`..`end` (inclusive) as a :class:`Bill`."""
        s, e = _date_to_c(start), _date_to_c(end)
        c = (customer or BillCustomer())._to_c()
        uh = usage._to_c()
        with self._handle as tp, uh as up:
            if calendar is None:
                ptr = _ll.pcrm_bill_compute(tp, c, s, e, up, None)
            else:
                with calendar._handle as cal:
                    ptr = _ll.pcrm_bill_compute(tp, c, s, e, up, cal)
        uh.close()
        bh = Handle(ptr, _ll.pcrm_bill_free, "bill")
        try:
            with bh as bp:
                return _bill_from_c(bp)
        finally:
            bh.close()


def power_factor(kwh: DecimalLike, kvarh: DecimalLike) -> _decimal.Decimal:
    """P / sqrt(P^2 + Q^2) rounded half-up to 2 decimals, exactly (Decimal('0.86'))."""
    return _decimal_from_c(_ll.pcrm_power_factor(_decimal_to_c(kwh, "kwh"),
                                                  _decimal_to_c(kvarh, "kvarh")))


def power_factor_rate(pf: DecimalLike, standard: int) -> _decimal.Decimal:
    """The 1983 adjustment rate for power factor `pf` against standard 90, 85 or 80."""
    return _decimal_from_c(_ll.pcrm_power_factor_rate(_decimal_to_c(pf, "pf"), int(standard)))


def late_fee(current_year: DecimalLike, earlier_years: DecimalLike = 0, days: int = 0,
             residential: bool = True) -> _decimal.Decimal:
    """The late-payment penalty (电费违约金) after `days` days: Decimal, at least 1.00 if any."""
    return _decimal_from_c(_ll.pcrm_late_fee(_decimal_to_c(current_year, "current_year"),
                                             _decimal_to_c(earlier_years, "earlier_years"),
                                             int(days),
                                             int(bool(residential))))


def _refuse_floats(value: object, path: str = "document") -> None:
    if isinstance(value, float):
        raise TypeError("%s: a float; give the rate as JSON text, or parse it with "
                        "parse_float=decimal.Decimal (money is never binary floating point)"
                        % path)
    if isinstance(value, dict):
        for k, v in value.items():
            _refuse_floats(v, "%s.%s" % (path, k) if path != "document" else str(k))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _refuse_floats(v, "%s[%d]" % (path, i))


def _json_text(rate: Union[str, bytes, bytearray, Mapping[str, Any]]) -> str:
    if isinstance(rate, (str, bytes, bytearray)):
        return json_dumps(rate)
    _refuse_floats(rate)
    return _json.dumps(rate, default=_decimal_text)


def _decimal_text(value: object) -> str:
    if isinstance(value, _decimal.Decimal):
        return str(value)
    raise TypeError("%r cannot be written as JSON" % (value,))


def tariff_from_urdb(rate: Union[str, bytes, bytearray, Mapping[str, Any]], *,
                     id: Optional[str] = None, version: Optional[int] = None,
                     effective_from: Optional[str] = None, currency: Optional[str] = None,
                     rounding: Optional[str] = None, utc_offset: Optional[str] = None,
                     time_zone: Optional[str] = None) -> JsonObject:
    """The tariff document (a dict) of an OpenEI URDB rate (pcrm_tariff_from_urdb).

    `rate` is the URDB JSON as text, or a dict whose numbers are Decimals
    (``json.loads(text, parse_float=Decimal)``); floats are a TypeError, they
    have lost the rate's digits.  Options as pcrm_urdb_options (docs/tariff-format.md,
    "Importing from URDB"); `time_zone` (an IANA name such as "America/Los_Angeles",
    not with `utc_offset`) bills the schedules' hours on local clock time with
    daylight saving time.  A rate the format cannot express yet raises
    Unsupported listing every such field; a malformed one InvalidInput.
    """
    opts = _ll.pcrm_urdb_options(id, int(version or 0), effective_from, currency, rounding,
                                 utc_offset, time_zone)
    text = _ll.pcrm_tariff_from_urdb(_json_text(rate), opts)
    return _json.loads(text)
