"""The context: one store connection, a clock, the data key; org and audit calls."""

import contextlib
import datetime as _dt
import threading
from typing import Any, Callable, Iterator, List, Literal, Optional, Tuple, Union, cast

from . import lowlevel as _ll
from .actor import Actor, _native as _actor
from ._types import JsonIn, Progress
from .contacts import ContactMixin
from .complaints import ComplaintMixin
from .kb import KbMixin
from .outbound import OutboundMixin
from .dialler import DiallerMixin
from .customers import CustomerMixin
from .metering import MeteringMixin
from .workflows import WorkflowMixin
from .ledger import LedgerMixin
from .billing import BillingMixin
from .call_records import CallRecordMixin
from .ivr import IvrMixin
from .enums import OrgLevel, Permission
from .errors import Error
from .handles import Handle
from .records import AuditEntry, OrgUnit, json_dumps, json_loads
from .timeutil import UTC_OFFSET_CHINA, Offset, _instant, _offset
from .trace import TraceCallback, TraceKind, TraceKind as _TraceKind, _Deliver, \
    _adapter as _trace_adapter

#: a clock: a callable returning the current instant (int seconds or an aware datetime)
Clock = Callable[[], Union[int, _dt.datetime]]
#: the 32-byte key that seals personal data
DataKey = Union[bytes, bytearray, memoryview]

__all__ = ["Context", "open"]

#: entries fetched per round trip by Context.audit_iter()
AUDIT_PAGE = 500


def open(uri: str, *, clock: Optional[Clock] = None,  # noqa: A001
         data_key: Optional[DataKey] = None,
         utc_offset: Offset = UTC_OFFSET_CHINA, key_version: int = 1,
         key_provider: Any = None) -> "Context":
    """Opens a store and migrates it; returns a :class:`Context`.

    ``uri``: ``"sqlite:PATH"``, ``"sqlite::memory:"``, ``"postgresql://..."``.
    ``clock``: a callable returning the current instant (int or aware
    datetime), replacing the system clock (tests, simulations).
    ``data_key``: 32 bytes protecting personal identifiers, or None; it is
    version ``key_version`` of the key.
    ``key_version``: the data key version new records are sealed with.
    ``key_provider``: where key versions come from (an HSM, a KMS): a
    mapping of version to 32 bytes, or a callable taking a version and
    returning 32 bytes or None.  Asked only while the store opens, for the
    current version (without ``data_key``) and the older ones the store
    still uses during a rotation.
    ``utc_offset``: seconds east of UTC (or a timedelta) for civil time.

    Use it as a context manager: ``with powercrm.open("sqlite:crm.db") as ctx:``.
    """
    return Context(uri, clock=clock, data_key=data_key, utc_offset=utc_offset,
                   key_version=key_version, key_provider=key_provider)


def _key_provider_adapter(provider: Any) -> Optional[Callable[[int], Optional[bytes]]]:
    if provider is None:
        return None
    if hasattr(provider, "get") and not callable(provider):
        keys = provider

        def lookup(version: int) -> Any:
            return keys.get(version)
    elif callable(provider):
        lookup = provider
    else:
        raise TypeError("key_provider: expected a mapping or a callable, got %s"
                        % type(provider).__name__)

    def provide(version: int) -> Optional[bytes]:
        key = lookup(version)
        if key is None:
            return None
        if not isinstance(key, (bytes, bytearray, memoryview)):
            raise TypeError("key_provider: version %d: expected %d bytes, got %s"
                            % (version, _ll.PCRM_DATA_KEY_LEN, type(key).__name__))
        return bytes(key)
    return provide


def _clock_adapter(clock: Optional[Clock]) -> Optional[Callable[[], int]]:
    if clock is None:
        return None
    if not callable(clock):
        raise TypeError("clock: expected a callable returning an instant, got %s"
                        % type(clock).__name__)

    read = clock  # the narrowed (not None) type, for the closure

    def read_clock() -> int:
        return _instant(read(), "clock")
    return read_clock


def _level(level: Union[OrgLevel, int, str]) -> int:
    # Names go through OrgLevel; numbers reach the library, which names a bad one.
    if isinstance(level, str):
        return int(OrgLevel(level))  # type: ignore[arg-type]  # by name
    return int(level)


def _permission(permission: Union[Permission, int, str]) -> int:
    if isinstance(permission, str):
        return int(Permission(permission))  # type: ignore[arg-type]  # by name
    return int(permission)


def _unit_record(unit: Any) -> OrgUnit:
    """Copies a pcrm_org_unit (owned by the caller or a list) into an OrgUnit."""
    return OrgUnit(
        code=_ll.pcrm_org_unit_code(unit),
        name=_ll.pcrm_org_unit_name(unit),
        parent=_ll.pcrm_org_unit_parent(unit),
        level=OrgLevel(_ll.pcrm_org_unit_level(unit)),
        path=_ll.pcrm_org_unit_path(unit),
        version=_ll.pcrm_org_unit_version(unit),
        created_at=_ll.pcrm_org_unit_created_at(unit),
        updated_at=_ll.pcrm_org_unit_updated_at(unit),
    )


def _audit_record(row: Tuple[Any, ...]) -> AuditEntry:
    (seq, at, operator_id, role, actor_org, action, object_type, object_id, summary,
     prev_hash, hash_, chain, chain_seq, covers) = row
    return AuditEntry(seq, at, operator_id, role, actor_org, action, object_type, object_id,
                      json_loads(summary) if summary else {}, prev_hash, hash_, chain,
                      chain_seq, covers)


class Context(CustomerMixin, ContactMixin, MeteringMixin, WorkflowMixin, LedgerMixin,
              BillingMixin, CallRecordMixin, ComplaintMixin, KbMixin, IvrMixin,
              OutboundMixin, DiallerMixin):
    """An open store (pcrm_ctx).  Made by :func:`powercrm.open`.

    Closed exactly once: by :meth:`close`, by leaving its ``with`` block, or
    when it is garbage-collected; every method afterwards raises
    :class:`powercrm.ClosedError`.  A context is one connection: calls are
    serialized by a lock, so sharing one between threads cannot crash it,
    but a transaction spans every call made on the context while it is open;
    open one context per thread for concurrent work.
    """

    def __init__(self, uri: str, *, clock: Optional[Clock] = None,
                 data_key: Optional[DataKey] = None,
                 utc_offset: Offset = UTC_OFFSET_CHINA, key_version: int = 1,
                 key_provider: Any = None) -> None:
        self._lock = threading.RLock()
        self._handle: Optional[Handle] = None
        if data_key is not None:
            if not isinstance(data_key, (bytes, bytearray, memoryview)):
                raise TypeError("data_key: expected %d bytes, got %s"
                                % (_ll.PCRM_DATA_KEY_LEN, type(data_key).__name__))
            data_key = bytes(data_key)
        read_clock = _clock_adapter(clock)
        opts = _ll.pcrm_ctx_options()
        _ll.pcrm_ctx_options_init(opts, _ll.PCRM_CTX_OPTIONS_VERSION)
        opts.utc_offset = _offset(utc_offset)
        _ll.pcrm_py_options_set_clock(opts, read_clock)
        _ll.pcrm_py_options_set_data_key(opts, data_key)  # data_key lives until open returns
        opts.key_version = int(key_version)
        provide = _key_provider_adapter(key_provider)
        _ll.pcrm_py_options_set_key_provider(opts, provide)  # lives until open returns
        ptr = _ll.pcrm_ctx_open(uri, opts)
        # The C context calls read_clock from now on: keep it as long as the context.
        self._clock = read_clock
        self._trace: Optional[_Deliver] = None
        self._handle = Handle(ptr, _ll.pcrm_ctx_close, "context")
        self.uri = uri

    # -- lifetime ------------------------------------------------------------------------

    def close(self) -> None:
        """Closes the store (rolling back an open transaction).  Idempotent."""
        handle = self._handle
        if handle is not None:
            with self._lock:
                handle.close()

    @property
    def closed(self) -> bool:
        """True once the context was closed."""
        return self._handle is None or self._handle.closed

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> Literal[False]:
        self.close()
        return False

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle is not None:
            handle.close()

    def __repr__(self) -> str:
        return "<powercrm.Context %r %s>" % (getattr(self, "uri", "?"),
                                            "closed" if self.closed else "open")

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        with self._lock:
            with cast(Handle, self._handle) as ctx:  # None only while __init__ failed
                return fn(ctx, *args)

    # -- the store -----------------------------------------------------------------------

    @property
    def backend(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self._call(_ll.pcrm_ctx_backend)

    @property
    def schema_version(self) -> int:
        """The schema version of the open store."""
        return self._call(_ll.pcrm_ctx_schema_version)

    @property
    def key_version(self) -> int:
        """The data key version this context seals new records with (0: no key)."""
        return self._call(_ll.pcrm_ctx_key_version)

    @property
    def utc_offset(self) -> int:
        """The UTC offset of civil time for this context, in seconds."""
        return self._call(_ll.pcrm_ctx_utc_offset)

    def now(self) -> int:
        """The current instant according to the context's clock."""
        return self._call(_ll.pcrm_ctx_now)

    def set_clock(self, clock: Optional[Clock]) -> None:
        """Replaces the clock (a callable returning an instant); None restores the system clock."""
        read_clock = _clock_adapter(clock)
        with self._lock:
            self._call(_ll.pcrm_ctx_set_clock, read_clock)
            self._clock = read_clock  # the old one is released only after C stopped using it

    def set_trace(self, callback: Optional[TraceCallback],
                  kinds: Union[TraceKind, int, None] = None) -> None:
        """Reports what the library does on this context to ``callback(TraceEvent)``.

        ``kinds``: a :class:`TraceKind` flag (default: every kind).  None as
        the callback stops tracing.  Refused (WrongState) inside a transaction.
        """
        deliver = _trace_adapter(callback)
        mask = int(_TraceKind.ALL if kinds is None else _TraceKind(kinds)) if deliver else 0
        with self._lock:
            self._call(_ll.pcrm_ctx_set_trace, mask, deliver)
            self._trace = deliver  # the old one is released only after C stopped using it

    # -- transactions --------------------------------------------------------------------

    def begin(self) -> None:
        """Starts a transaction (a savepoint when one is open)."""
        self._call(_ll.pcrm_ctx_begin)

    def commit(self) -> None:
        """Commits the innermost transaction."""
        self._call(_ll.pcrm_ctx_commit)

    def rollback(self) -> None:
        """Rolls back the innermost transaction."""
        self._call(_ll.pcrm_ctx_rollback)

    @property
    def tx_depth(self) -> int:
        """How many transactions are open (0 = none)."""
        return self._call(_ll.pcrm_ctx_tx_depth)

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Context"]:
        """``with ctx.transaction():`` commits on success, rolls back on any exception.

        Nests (an inner block is a savepoint).  A failing commit raises.
        """
        self.begin()
        depth = self.tx_depth
        try:
            yield self
        except BaseException:
            self._abandon(depth)
            raise
        try:
            self.commit()
        except BaseException:
            self._abandon(depth)  # a failed savepoint release leaves it open
            raise

    def _abandon(self, depth: int) -> None:
        try:
            if not self.closed and self.tx_depth >= depth:
                self.rollback()
        except Error:
            pass  # the original exception matters more; close() rolls back anyway

    # -- org units -----------------------------------------------------------------------

    def org_create(self, actor: Actor, code: str, parent: Optional[str], name: str,
                   level: Union[OrgLevel, int, str]) -> None:
        """Creates an org unit under `parent` (None: top level).  Audited.

        ``level``: an :class:`OrgLevel`, its number or its name ('county').
        Raises Duplicate when the code is taken, PermissionDenied outside
        the actor's subtree.
        """
        self._call(_ll.pcrm_org_unit_create, _actor(actor), code, parent, name, _level(level))

    def org_rename(self, actor: Actor, code: str, new_name: str, expected_version: int) -> None:
        """Renames a unit; Conflict when its version is no longer `expected_version`."""
        self._call(_ll.pcrm_org_unit_rename, _actor(actor), code, new_name,
                   int(expected_version))

    def org_get(self, actor: Actor, code: str) -> OrgUnit:
        """Reads one org unit as an :class:`OrgUnit` (NotFound when it does not exist)."""
        with self._lock:
            unit = self._call(_ll.pcrm_org_unit_get, _actor(actor), code)
            try:
                return _unit_record(unit)
            finally:
                _ll.pcrm_org_unit_free(unit)

    def org_children(self, actor: Actor, code: str) -> List[OrgUnit]:
        """The direct children of `code`, ordered by code: a list of :class:`OrgUnit`."""
        with self._lock:
            units = self._call(_ll.pcrm_org_unit_children, _actor(actor), code)
            try:
                return [_unit_record(_ll.pcrm_org_unit_list_at(units, i))
                        for i in range(_ll.pcrm_org_unit_list_count(units))]
            finally:
                _ll.pcrm_org_unit_list_free(units)

    def org_tree(self, actor: Actor, code: str) -> Iterator[Tuple[int, OrgUnit]]:
        """Yields (depth, OrgUnit) for `code` and everything below it, depth first."""
        stack = [(0, self.org_get(actor, code))]
        while stack:
            depth, unit = stack.pop()
            yield depth, unit
            children = self.org_children(actor, unit.code)
            stack.extend((depth + 1, child) for child in reversed(children))

    def org_is_within(self, code: str, ancestor: str) -> bool:
        """True when `code` is `ancestor` or lies below it (NotFound for unknown units)."""
        return bool(self._call(_ll.pcrm_org_unit_is_within, code, ancestor))

    def authorize(self, actor: Actor, permission: Union[Permission, int, str],
                  target_org: Optional[str] = None) -> None:
        """Raises PermissionDenied (audited) unless `actor` may do `permission` on `target_org`."""
        self._call(_ll.pcrm_authorize, _actor(actor), _permission(permission), target_org)

    def is_authorized(self, actor: Actor, permission: Union[Permission, int, str],
                      target_org: Optional[str] = None) -> bool:
        """Like authorize() but answers True/False (a denial is still audited)."""
        try:
            self.authorize(actor, permission, target_org)
        except Error as e:
            if e.status == _ll.PCRM_EPERM:
                return False
            raise
        return True

    # -- audit ---------------------------------------------------------------------------

    def audit_record(self, actor: Actor, action: str, object_type: str, object_id: str,
                     summary: Optional[JsonIn] = None) -> None:
        """Appends an integrator-defined audit entry; `summary` is a dict (or JSON text)."""
        text = None if summary is None else json_dumps(summary)
        self._call(_ll.pcrm_audit_record, _actor(actor), action, object_type, object_id, text)

    def audit_visit(self, actor: Actor, visit: Callable[[AuditEntry], object], after: int = 0,
                    limit: int = 0) -> int:
        """Calls ``visit(entry)`` for each entry with seq > after (at most `limit`, 0 = all).

        ``visit`` returning a true value stops early; an exception it raises
        stops the iteration and propagates out of audit_visit unchanged.
        Returns the number of entries visited.
        """
        count = 0

        def on_row(row: Tuple[Any, ...]) -> object:
            nonlocal count
            count += 1
            return visit(_audit_record(row))

        self._call(_ll.pcrm_audit_list, _actor(actor), int(after), int(limit), on_row)
        return count

    def audit_list(self, actor: Actor, after: int = 0, limit: int = 0) -> List[AuditEntry]:
        """The entries with seq > after (at most `limit`, 0 = all), as a list of AuditEntry."""
        rows: List[Tuple[Any, ...]] = []
        self._call(_ll.pcrm_audit_list, _actor(actor), int(after), int(limit), rows.append)
        return [_audit_record(row) for row in rows]

    def audit_iter(self, actor: Actor, after: int = 0,
                   page: int = AUDIT_PAGE) -> Iterator[AuditEntry]:
        """Iterates over every entry with seq > after, fetching `page` entries at a time."""
        while True:
            entries = self.audit_list(actor, after, page)
            yield from entries
            if len(entries) < page:
                return
            after = entries[-1].seq

    def audit_verify(self, actor: Actor, progress: Optional[Progress] = None) -> int:
        """Checks the chains in the actor's scope and the covered objects' rows.

        Returns the number of entries checked.  Raises
        :class:`powercrm.IntegrityError` with ``first_bad`` (the chain_seq of
        the first entry that fails; the message names the chain) when the log
        or a covered row was tampered with.  City- and province-level auditors
        only (PermissionDenied otherwise).  ``progress(entries_so_far)`` is
        called after every page of 5,000 entries; a truthy return stops with
        :class:`powercrm.WrongState`.
        """
        return self._call(_ll.pcrm_audit_verify_ext, _actor(actor), progress)

    def audit_checkpoint(self, actor: Actor, private_key_pem: str) -> str:
        """Signs every chain's head with an Ed25519 private key (PEM text).

        Returns the checkpoint as text, for the caller to keep outside the
        database; the key is used for this call only.  Province-level
        auditors only; raises IntegrityError when the log does not verify.
        """
        return self._call(_ll.pcrm_audit_checkpoint, _actor(actor), private_key_pem)

    def audit_verify_checkpoint(self, actor: Actor, checkpoint: str, public_key_pem: str,
                                progress: Optional[Progress] = None) -> int:
        """Verifies the log against a checkpoint and its Ed25519 public key (PEM).

        Returns the number of entries checked; raises IntegrityError (with
        ``first_bad``) on a wrong key, an altered checkpoint, or a log
        truncated or rewritten before the checkpoint.  ``progress`` as for
        :meth:`audit_verify`.
        """
        return self._call(_ll.pcrm_audit_verify_checkpoint_ext, _actor(actor), checkpoint,
                          public_key_pem, progress)
