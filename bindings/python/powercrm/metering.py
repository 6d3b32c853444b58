"""Accounts, metering points, meters and readings (计量): Context methods and records.

Readings, multipliers and energies are ``decimal.Decimal``; in documents
(dicts) decimals are strings ("40", "1250.50") as the library requires, and a
Decimal value in a dict is written as such a string.
"""

import dataclasses
import datetime as _dt
import decimal as _decimal
import enum
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, List, Optional, TypeVar, Union

from . import lowlevel as _ll
from ._types import ContextMixinBase, JsonIn, JsonObject
from .actor import Actor, _native as _actor
from .money import DecimalLike, _from_c as _decimal_from_c, _to_c as _decimal_to_c
from .records import json_dumps, json_loads
from .timeutil import DateLike, Instant, _date_from_c, _date_to_c, _instant

__all__ = ["Register", "ContractTerms", "Account", "MeteringPoint", "MeterInstallation", "Reading",
           "READING_ROLLOVER", "READING_FINAL", "MeteringMixin"]

READING_ROLLOVER = _ll.PCRM_READING_ROLLOVER
READING_FINAL = _ll.PCRM_READING_FINAL


class _RegisterBase(enum.IntEnum):
    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            return cls(_ll.pcrm_register_parse(value))  # InvalidInput lists the names
        return None

    def __str__(self) -> str:
        return _ll.pcrm_register_name(self.value)

    @property
    def cumulative(self) -> bool:
        """True for registers that count up (all but max_demand)."""
        return bool(_ll.pcrm_register_is_cumulative(self.value))

    @property
    def bit(self) -> int:
        """The register's bit in MeterInstallation.registers."""
        return 1 << self.value


def _register_members() -> Dict[str, int]:
    out = {}
    for attr in dir(_ll):
        if attr.startswith("PCRM_REGISTER_"):
            value = getattr(_ll, attr)
            if isinstance(value, int) and _ll.pcrm_register_name(value) is not None:
                out[attr[len("PCRM_REGISTER_"):]] = value
    return dict(sorted(out.items(), key=lambda kv: kv[1]))


#: pcrm_register: TOTAL, PEAK, FLAT, VALLEY, CRITICAL_PEAK, REACTIVE, MAX_DEMAND
if TYPE_CHECKING:
    class Register(_RegisterBase):
        """pcrm_register: a meter register; Register('peak') is Register.PEAK."""

        TOTAL = _ll.PCRM_REGISTER_TOTAL
        PEAK = _ll.PCRM_REGISTER_PEAK
        FLAT = _ll.PCRM_REGISTER_FLAT
        VALLEY = _ll.PCRM_REGISTER_VALLEY
        CRITICAL_PEAK = _ll.PCRM_REGISTER_CRITICAL_PEAK
        REACTIVE = _ll.PCRM_REGISTER_REACTIVE
        MAX_DEMAND = _ll.PCRM_REGISTER_MAX_DEMAND
else:
    Register = _RegisterBase("Register", _register_members(), module=__name__,
                             qualname="Register")
    Register.__doc__ = "pcrm_register: a meter register; Register('peak') is Register.PEAK."


#: a register: a Register, its number or its name ('peak')
RegisterLike = Union[Register, int, str]
_T = TypeVar("_T")


def _register(reg: RegisterLike) -> int:
    if isinstance(reg, str):
        return int(Register(reg))  # type: ignore[arg-type]  # by name
    return int(reg)


_ZERO = _decimal.Decimal(0)


@dataclasses.dataclass(frozen=True)
class ContractTerms:
    """The contract terms of a two-part (两部制) account (pcrm_contract_terms).

    ``contract_capacity_kva`` (合同容量) and ``contract_demand_kw`` (需量核定值)
    are Decimals, ``pf_standard`` (功率因数考核标准) is in hundredths (90, 85,
    80); zero means "not contracted".  The names are those of
    :class:`powercrm.BillCustomer`, which a billing run fills from them.
    ``supply_start`` / ``supply_end`` (a ``datetime.date``, "YYYY-MM-DD" or
    None) bound the days a run bills in the month a supply starts or ends.
    ``basic_mode`` (a :class:`powercrm.BasicMode`) is the basic-charge mode the
    contract chose; 0 leaves it to the tariff.
    """

    contract_capacity_kva: _decimal.Decimal = _ZERO
    contract_demand_kw: _decimal.Decimal = _ZERO
    pf_standard: int = 0
    supply_start: Optional[DateLike] = None  # a datetime.date when read back
    supply_end: Optional[DateLike] = None
    basic_mode: int = 0  # a powercrm.BasicMode: 0 = the tariff's default

    def _to_c(self) -> Any:
        c = _ll.pcrm_contract_terms()
        c.contract_capacity_kva = _decimal_to_c(self.contract_capacity_kva, "contract_capacity_kva")
        c.contract_demand_kw = _decimal_to_c(self.contract_demand_kw, "contract_demand_kw")
        c.pf_standard = int(self.pf_standard)
        if self.supply_start is not None:
            c.supply_start = _date_to_c(self.supply_start)
        if self.supply_end is not None:
            c.supply_end = _date_to_c(self.supply_end)
        c.basic_mode = int(self.basic_mode)
        return c


def _optional_date(d: Any) -> Optional[_dt.date]:
    return _date_from_c(d) if _ll.pcrm_date_is_valid(d) else None


def _contract(a: Any) -> ContractTerms:
    c = _ll.pcrm_account_contract(a)
    return ContractTerms(_decimal_from_c(c.contract_capacity_kva),
                         _decimal_from_c(c.contract_demand_kw), c.pf_standard,
                         _optional_date(c.supply_start), _optional_date(c.supply_end),
                         c.basic_mode)


@dataclasses.dataclass(frozen=True)
class Account:
    """A billing account (账户); ``document`` is the whole account as a dict."""

    account_no: str
    customer_no: str
    name: str
    payment_method: str
    status: str
    version: int
    created_at: int
    updated_at: int
    document: JsonObject
    contract: ContractTerms = ContractTerms()


@dataclasses.dataclass(frozen=True)
class MeteringPoint:
    """A metering point (计量点); ``document`` is the whole point as a dict."""

    mp_no: str
    customer_no: str
    account_no: str
    purpose: str
    voltage_level: str
    status: str
    version: int
    created_at: int
    updated_at: int
    document: JsonObject


@dataclasses.dataclass(frozen=True)
class MeterInstallation:
    """One installation of a meter at a metering point."""

    meter_no: str
    type: str
    multiplier: _decimal.Decimal
    digits: int
    registers: FrozenSet[Register]
    installed_at: int
    in_service: bool
    removed_at: Optional[int]  # None while in service
    removal_reason: Optional[str]
    document: JsonObject


@dataclasses.dataclass(frozen=True)
class Reading:
    """One reading of one register, with what it was measured against; energy is exact."""

    register: Union[Register, int]  # an int only for a register this package does not name
    read_at: int
    value: _decimal.Decimal
    previous: _decimal.Decimal
    previous_at: int
    multiplier: _decimal.Decimal
    energy: _decimal.Decimal
    flags: int
    recorded_at: int

    @property
    def rollover(self) -> bool:
        """True when the register wrapped around since the previous reading."""
        return bool(self.flags & READING_ROLLOVER)

    @property
    def final(self) -> bool:
        """True for the final reading of a meter (removal or exchange)."""
        return bool(self.flags & READING_FINAL)


def _register_or_int(value: int) -> Union[Register, int]:
    try:
        return Register(value)
    except ValueError:
        return value


def _account(a: Any) -> Account:
    return Account(_ll.pcrm_account_no(a), _ll.pcrm_account_customer_no(a),
                   _ll.pcrm_account_name(a), _ll.pcrm_account_payment_method(a),
                   _ll.pcrm_account_status(a), _ll.pcrm_account_version(a),
                   _ll.pcrm_account_created_at(a), _ll.pcrm_account_updated_at(a),
                   json_loads(_ll.pcrm_account_json(a)), _contract(a))


def _metering_point(mp: Any) -> MeteringPoint:
    return MeteringPoint(_ll.pcrm_metering_point_no(mp), _ll.pcrm_metering_point_customer_no(mp),
                         _ll.pcrm_metering_point_account_no(mp),
                         _ll.pcrm_metering_point_purpose(mp),
                         _ll.pcrm_metering_point_voltage_level(mp),
                         _ll.pcrm_metering_point_status(mp), _ll.pcrm_metering_point_version(mp),
                         _ll.pcrm_metering_point_created_at(mp),
                         _ll.pcrm_metering_point_updated_at(mp),
                         json_loads(_ll.pcrm_metering_point_json(mp)))


def _installation(inst: Any) -> MeterInstallation:
    regs = frozenset(r for r in Register if inst.registers & (1 << r.value))
    return MeterInstallation(inst.meter_no, inst.type, _decimal_from_c(inst.multiplier),
                             inst.digits, regs, inst.installed_at, bool(inst.in_service),
                             None if inst.in_service else inst.removed_at, inst.removal_reason,
                             json_loads(inst.json) if inst.json else {})


def _reading(r: Any) -> Reading:
    return Reading(_register_or_int(r.reg), r.read_at, _decimal_from_c(r.value),
                   _decimal_from_c(r.previous), r.previous_at, _decimal_from_c(r.multiplier),
                   _decimal_from_c(r.energy), r.flags, r.recorded_at)


def _take(obj: Any, convert: Callable[[Any], _T], free: Callable[[Any], object]) -> _T:
    try:
        return convert(obj)
    finally:
        free(obj)


def _take_list(lst: Any, count: Callable[[Any], int], at: Callable[[Any, int], Any],
               convert: Callable[[Any], _T], free: Callable[[Any], object]) -> List[_T]:
    try:
        return [convert(at(lst, i)) for i in range(count(lst))]
    finally:
        free(lst)


class MeteringMixin(ContextMixinBase):
    """Metering methods of :class:`powercrm.Context`."""

    # -- accounts --

    def account_create(self, actor: Actor, customer_no: str, document: JsonIn) -> Account:
        """Creates a billing account of a customer from a dict; returns the Account."""
        with self._lock:
            return _take(self._call(_ll.pcrm_account_create, _actor(actor), customer_no,
                                    json_dumps(document)), _account, _ll.pcrm_account_free)

    def account_get(self, actor: Actor, account_no: str) -> Account:
        """Reads an account by its number; raises NotFound."""
        with self._lock:
            return _take(self._call(_ll.pcrm_account_get, _actor(actor), account_no),
                         _account, _ll.pcrm_account_free)

    def account_update(self, actor: Actor, account_no: str, patch: JsonIn,
                       expected_version: int) -> Account:
        """Applies a patch (None removes a field); Conflict on a stale version."""
        with self._lock:
            return _take(self._call(_ll.pcrm_account_update, _actor(actor), account_no,
                                    json_dumps(patch), int(expected_version)),
                         _account, _ll.pcrm_account_free)

    def account_set_contract(self, actor: Actor, account_no: str, terms: ContractTerms,
                             expected_version: int) -> Account:
        """Sets an account's ContractTerms (zero fields remove a term); returns the Account.

        The same change, checks and audit entry as account_update() with the
        three fields; InvalidInput names the bad field.
        """
        with self._lock:
            return _take(self._call(_ll.pcrm_account_set_contract, _actor(actor), account_no,
                                    terms._to_c(), int(expected_version)),
                         _account, _ll.pcrm_account_free)

    def account_list(self, actor: Actor, customer_no: str) -> List[Account]:
        """The accounts of a customer, by account number."""
        with self._lock:
            return _take_list(self._call(_ll.pcrm_account_list_load, _actor(actor), customer_no),
                              _ll.pcrm_account_list_count, _ll.pcrm_account_list_at, _account,
                              _ll.pcrm_account_list_free)

    def account_bank_account_reveal(self, actor: Actor, account_no: str) -> str:
        """The bank account number of a bank-collection account, in clear.

        Only for handing it to the bank (a collection file); everywhere else
        an account shows its mask.  Needs bank.reconcile (PermissionDenied
        otherwise, and for an account nobody has); WrongState when the
        account is not a bank collection or its customer's personal data was
        erased.  Audited with the mask only.
        """
        with self._lock:
            return self._call(_ll.pcrm_account_bank_account_reveal, _actor(actor), account_no)

    def account_reseal(self, actor: Actor, batch: int = 0) -> int:
        """Seals bank account numbers of up to `batch` accounts written before schema 28.

        Returns how many such accounts the actor's subtree still has: call
        again until it returns 0.
        """
        with self._lock:
            return self._call(_ll.pcrm_account_reseal, _actor(actor), int(batch))

    # -- metering points --

    def metering_point_create(self, actor: Actor, customer_no: str,
                              document: JsonIn) -> MeteringPoint:
        """Creates a metering point of a customer from a JSON document (dict)."""
        with self._lock:
            return _take(self._call(_ll.pcrm_metering_point_create, _actor(actor), customer_no,
                                    json_dumps(document)),
                         _metering_point, _ll.pcrm_metering_point_free)

    def metering_point_get(self, actor: Actor, mp_no: str) -> MeteringPoint:
        """Reads a metering point by its number; raises NotFound."""
        with self._lock:
            return _take(self._call(_ll.pcrm_metering_point_get, _actor(actor), mp_no),
                         _metering_point, _ll.pcrm_metering_point_free)

    def metering_point_update(self, actor: Actor, mp_no: str, patch: JsonIn,
                              expected_version: int) -> MeteringPoint:
        """Applies a JSON patch to a metering point at ``expected_version``; raises Conflict when stale."""
        with self._lock:
            return _take(self._call(_ll.pcrm_metering_point_update, _actor(actor), mp_no,
                                    json_dumps(patch), int(expected_version)),
                         _metering_point, _ll.pcrm_metering_point_free)

    def metering_point_list(self, actor: Actor, customer_no: str) -> List[MeteringPoint]:
        """The metering points of a customer, as a list."""
        with self._lock:
            return _take_list(self._call(_ll.pcrm_metering_point_list_load, _actor(actor),
                                         customer_no),
                              _ll.pcrm_metering_point_list_count, _ll.pcrm_metering_point_list_at,
                              _metering_point, _ll.pcrm_metering_point_list_free)

    def metering_point_energy(self, actor: Actor, mp_no: str, register: RegisterLike,
                              start: Instant, end: Instant) -> _decimal.Decimal:
        """Exact energy of `register` at the point in the period (start, end]: a Decimal."""
        return _decimal_from_c(self._call(_ll.pcrm_metering_point_energy, _actor(actor), mp_no,
                                          _register(register), _instant(start, "from"),
                                          _instant(end, "to")))

    # -- meters --

    def meter_install(self, actor: Actor, mp_no: str, meter: JsonIn,
                      installed_at: Instant) -> None:
        """Installs a meter (a dict: meter_no, type, multiplier, digits, registers, ...)."""
        self._call(_ll.pcrm_meter_install, _actor(actor), mp_no, json_dumps(meter),
                   _instant(installed_at, "installed_at"))

    def meter_remove(self, actor: Actor, mp_no: str, removal: JsonIn, removed_at: Instant) -> None:
        """Removes the meter in service (a dict: reason, note, final_readings)."""
        self._call(_ll.pcrm_meter_remove, _actor(actor), mp_no, json_dumps(removal),
                   _instant(removed_at, "removed_at"))

    def meter_replace(self, actor: Actor, mp_no: str, removal: JsonIn, meter: JsonIn,
                      at: Instant) -> None:
        """Removal of the old meter and installation of the new one, atomically."""
        self._call(_ll.pcrm_meter_replace, _actor(actor), mp_no, json_dumps(removal),
                   json_dumps(meter), _instant(at, "at"))

    def meter_history(self, actor: Actor, mp_no: str) -> List[MeterInstallation]:
        """The installations at a metering point, oldest first (the one in service last)."""
        with self._lock:
            return _take_list(self._call(_ll.pcrm_meter_history_load, _actor(actor), mp_no),
                              _ll.pcrm_meter_history_count, _ll.pcrm_meter_history_at,
                              _installation, _ll.pcrm_meter_history_free)

    # -- readings --

    def reading_record(self, actor: Actor, meter_no: str, register: RegisterLike,
                       value: DecimalLike, read_at: Instant, *, rollover: bool = False) -> Reading:
        """Records a reading (value: Decimal/int/str, never float); returns the Reading."""
        flags = READING_ROLLOVER if rollover else 0
        r = self._call(_ll.pcrm_reading_record, _actor(actor), meter_no, _register(register),
                       _decimal_to_c(value, "value"), _instant(read_at, "read_at"), flags)
        return _reading(r)

    def reading_list(self, actor: Actor, meter_no: str, register: RegisterLike, start: Instant,
                     end: Instant) -> List[Reading]:
        """Readings of a register taken in (start, end], oldest first."""
        with self._lock:
            return _take_list(self._call(_ll.pcrm_reading_list_load, _actor(actor), meter_no,
                                         _register(register), _instant(start, "from"),
                                         _instant(end, "to")),
                              _ll.pcrm_reading_list_count, _ll.pcrm_reading_list_at, _reading,
                              _ll.pcrm_reading_list_free)
