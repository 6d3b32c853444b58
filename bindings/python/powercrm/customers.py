"""The customer archive (客户档案): Context methods and records.

Customers go in as dicts (the JSON document of docs/customers.md) and come
out as :class:`Customer` records whose ``document`` is the stored JSON as a
dict.  Imports (JSON Lines) run without the GIL and report progress to a
Python callable; exports stream to a file or callable.
"""

import dataclasses
import io as _io
import os as _os
from typing import Any, Callable, Iterable, Iterator, List, Optional, Union

from . import lowlevel as _ll
from ._types import ContextMixinBase, JsonIn, JsonObject, PathLike, Progress, Writer
from .actor import Actor, _native as _actor
from .records import json_dumps, json_loads

__all__ = ["Customer", "CustomerPage", "ImportResult", "phone_normalize", "CustomerMixin"]

#: JSON Lines: text or bytes, or an iterable of documents (one per line)
JsonLines = Union[str, bytes, bytearray, memoryview, Iterable[JsonIn]]


@dataclasses.dataclass(frozen=True)
class Customer:
    """One customer, copied out of the library.  Instants are int seconds."""

    customer_no: str
    name: str
    org_unit: str
    status: str       # "applying", "active", "suspended" or "closed"
    vip_level: int
    version: int
    created_at: int
    updated_at: int
    document: JsonObject  # the whole customer (id_number masked unless revealed)


@dataclasses.dataclass(frozen=True)
class CustomerPage:
    """One page of a search; iterate it for its customers."""

    customers: List[Customer]
    next_cursor: Optional[str]  # None on the last page

    def __iter__(self) -> Iterator[Customer]:
        return iter(self.customers)

    def __len__(self) -> int:
        return len(self.customers)

    def __getitem__(self, i: int) -> Customer:
        return self.customers[i]


class ImportResult(int):
    """What an import did: an ``int``, the customers imported (so code that
    counted them keeps working), with ``imported`` and ``already_present``,
    the lines skipped because the store held their customer with the same
    content (a rerun of an interrupted import)."""

    already_present: int

    def __new__(cls, imported: int, already_present: int) -> "ImportResult":
        self = super().__new__(cls, imported)
        self.already_present = already_present
        return self

    @property
    def imported(self) -> int:
        """How many customers the import wrote."""
        return int(self)

    def __repr__(self) -> str:
        return "ImportResult(imported=%d, already_present=%d)" % (self, self.already_present)


def phone_normalize(raw: str) -> str:
    """A phone number as stored: '+86 531 8888 8888' -> '053188888888'."""
    return _ll.pcrm_phone_normalize(raw, _ll.PCRM_PHONE_MAX)


def _customer_record(c: Any) -> Customer:
    return Customer(
        customer_no=_ll.pcrm_customer_no(c),
        name=_ll.pcrm_customer_name(c),
        org_unit=_ll.pcrm_customer_org_unit(c),
        status=_ll.pcrm_customer_status(c),
        vip_level=_ll.pcrm_customer_vip_level(c),
        version=_ll.pcrm_customer_version(c),
        created_at=_ll.pcrm_customer_created_at(c),
        updated_at=_ll.pcrm_customer_updated_at(c),
        document=json_loads(_ll.pcrm_customer_json(c)),
    )


def _take_customer(c: Any) -> Customer:
    try:
        return _customer_record(c)
    finally:
        _ll.pcrm_customer_free(c)


def _take_list(lst: Any) -> CustomerPage:
    try:
        return CustomerPage(
            [_customer_record(_ll.pcrm_customer_list_at(lst, i))
             for i in range(_ll.pcrm_customer_list_count(lst))],
            _ll.pcrm_customer_list_next_cursor(lst))
    finally:
        _ll.pcrm_customer_list_free(lst)


def _jsonl(data: JsonLines) -> str:
    """JSON Lines text from str, bytes or an iterable of dicts."""
    if isinstance(data, str):
        return data
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data).decode("utf-8")
    return "".join(json_dumps(doc) + "\n" for doc in data)


def _writer(out: Writer) -> Callable[[bytes], object]:
    """A callable taking bytes, for a binary or text file or a callable."""
    if callable(out) and not hasattr(out, "write"):
        return out
    if isinstance(out, _io.TextIOBase) or hasattr(out, "encoding"):
        return lambda data: out.write(data.decode("utf-8")) and None
    return lambda data: out.write(data) and None


class CustomerMixin(ContextMixinBase):
    """Customer methods of :class:`powercrm.Context`."""

    def customer_create(self, actor: Actor, document: JsonIn) -> Customer:
        """Creates a customer from a dict; returns the stored :class:`Customer`.

        InvalidInput names the field ("phones.mobile: ..."), Duplicate when the
        customer number is taken.
        """
        with self._lock:
            return _take_customer(self._call(_ll.pcrm_customer_create, _actor(actor),
                                             json_dumps(document)))

    def customer_get(self, actor: Actor, customer_no: str, *, reveal_id: bool = False) -> Customer:
        """Reads a customer; reveal_id=True unmasks the ID number (pii.read, audited)."""
        flags = _ll.PCRM_CUSTOMER_REVEAL_ID if reveal_id else 0
        with self._lock:
            return _take_customer(self._call(_ll.pcrm_customer_get, _actor(actor),
                                             customer_no, flags))

    def customer_update(self, actor: Actor, customer_no: str, patch: JsonIn,
                        expected_version: int) -> Customer:
        """Changes the fields in `patch` (None removes one); Conflict on a stale version."""
        with self._lock:
            return _take_customer(self._call(_ll.pcrm_customer_update, _actor(actor),
                                             customer_no, json_dumps(patch),
                                             int(expected_version)))

    def customer_close(self, actor: Actor, customer_no: str, expected_version: int) -> None:
        """Sets the customer's status to closed (WrongState when already closed)."""
        self._call(_ll.pcrm_customer_close, _actor(actor), customer_no, int(expected_version))

    def customer_erase(self, actor: Actor, customer_no: str, expected_version: int) -> None:
        """Erases a closed customer's personal data for good (crypto-shredding).

        The customer's own data key is destroyed: name, phones, e-mail,
        addresses and the contact history's caller numbers and summaries can
        never be read again; bills, ledger and audit log stay and verify.
        Needs archive write and pii.read; WrongState when the customer is not
        closed or already erased.
        """
        self._call(_ll.pcrm_customer_erase, _actor(actor), customer_no, int(expected_version))

    def customer_reseal(self, actor: Actor, batch: int = 0) -> int:
        """Seals up to `batch` customers stored in clear before schema 20.

        Returns how many such customers the actor's subtree still has: call
        again until it returns 0.
        """
        return self._call(_ll.pcrm_customer_reseal, _actor(actor), int(batch))

    def customer_key_rotate(self, actor: Actor, batch: int = 0) -> int:
        """Moves up to `batch` customers' data keys to the context's key version.

        After the integrator added a new data key version (``key_version``
        at open).  Returns how many customers of the actor's subtree are
        still under an older version: call again until it returns 0.
        """
        return self._call(_ll.pcrm_customer_key_rotate, _actor(actor), int(batch))

    def customer_key_retire(self, actor: Actor, version: int) -> None:
        """Retires data key version `version` once no customer uses it.

        Needs an actor of the top org unit; WrongState while customers are
        still under it or when it is this context's current version.
        """
        self._call(_ll.pcrm_customer_key_retire, _actor(actor), int(version))

    def customer_search(self, actor: Actor, *, customer_no: Optional[str] = None,
                        name: Optional[str] = None, phone: Optional[str] = None,
                        id_number: Optional[str] = None, org_unit: Optional[str] = None,
                        transformer_area: Optional[str] = None, cursor: Optional[str] = None,
                        limit: int = 0, name_prefix: Optional[str] = None) -> CustomerPage:
        """One page of customers in the actor's subtree: a :class:`CustomerPage`.

        ``name`` matches whole names through their blind index (names are
        stored sealed); ``name_prefix`` raises :class:`Unsupported`.
        """
        query = _ll.pcrm_customer_query(customer_no, name_prefix, phone, id_number, org_unit,
                                        transformer_area, cursor, int(limit), name)
        with self._lock:
            return _take_list(self._call(_ll.pcrm_customer_search, _actor(actor), query))

    def customer_search_all(self, actor: Actor, **query: Any) -> Iterator[Customer]:
        """Iterates over every matching customer, page after page."""
        cursor = query.pop("cursor", None)
        while True:
            page = self.customer_search(actor, cursor=cursor, **query)
            yield from page.customers
            cursor = page.next_cursor
            if cursor is None:
                return

    def customer_find_by_phone(self, actor: Actor, caller_number: str) -> List[Customer]:
        """Screen pop: the customers with this phone, VIPs first (a list, maybe empty)."""
        with self._lock:
            return list(_take_list(self._call(_ll.pcrm_customer_find_by_phone, _actor(actor),
                                              caller_number)))

    def customer_import(self, actor: Actor,
                        data: JsonLines) -> ImportResult:
        """Imports one all-or-nothing batch; returns an :class:`ImportResult`.

        `data`: JSON Lines as str or bytes, or an iterable of dicts.  Lines
        whose customer is stored with the same content are skipped and
        counted in ``already_present``, so a rerun finishes an interrupted
        import; a stored customer with other content is Duplicate naming the
        line.  Errors name the line and field; the exception's ``imported``
        and ``already_present`` are 0.
        """
        return ImportResult(*self._call(_ll.pcrm_customer_import_ext, _actor(actor),
                                        _jsonl(data)))

    def customer_import_file(self, actor: Actor, path: PathLike, *, batch_lines: int = 0,
                             progress: Optional[Progress] = None) -> ImportResult:
        """Imports a JSON Lines file in batches, each committed on its own.

        Returns an :class:`ImportResult`; rerunning a file after an
        interruption skips the lines already imported (``already_present``).
        ``progress(done)`` is called after each batch with the lines done so
        far (imported + already present); returning a true value stops the
        import (WrongState); an exception it raises propagates unchanged.
        Runs without the GIL.  On failure the exception's ``imported`` and
        ``already_present`` count the batches that stay.
        """
        return ImportResult(*self._call(_ll.pcrm_customer_import_file_ext, _actor(actor),
                                        _os.fsdecode(path), int(batch_lines), progress))

    def customer_export(self, actor: Actor, out: Writer, *, org_unit: Optional[str] = None,
                        reveal_id: bool = False) -> int:
        """Writes customers as JSON Lines to `out` (binary/text file or callable(bytes)).

        Returns the number exported.  The output can be imported again.
        """
        flags = _ll.PCRM_CUSTOMER_REVEAL_ID if reveal_id else 0
        return self._call(_ll.pcrm_customer_export, _actor(actor), org_unit, flags,
                          _writer(out))

    def customer_export_list(self, actor: Actor, *, org_unit: Optional[str] = None,
                             reveal_id: bool = False) -> List[JsonObject]:
        """The exported customers as a list of dicts."""
        buf = _io.BytesIO()
        self.customer_export(actor, buf, org_unit=org_unit, reveal_id=reveal_id)
        return [json_loads(line) for line in buf.getvalue().decode("utf-8").splitlines()
                if line.strip()]
