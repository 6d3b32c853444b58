"""The exception hierarchy: one class per libpowercrm status code.

Every failing library call raises a subclass of :class:`Error` carrying the
status (:attr:`Error.status`, a :class:`Status`) and the library's message
(:attr:`Error.message`, from ``pcrm_error_last()``), which names the bad
field: ``actor.level: 7 is outside 1..3``.

This module has no dependency on the native extension: the extension imports
it to build the exceptions it raises.
"""

import enum
from typing import Any, Dict, Optional, Tuple, Type, Union

__all__ = [
    "Status", "Error", "InvalidInput", "NotFound", "Conflict", "Duplicate",
    "PermissionDenied", "WrongState", "ClosedError", "StoreError",
    "ConnectionLost", "RetryTransaction", "IOFailure", "OutOfMemory",
    "Overflow", "SchemaTooNew", "IntegrityError", "Unsupported", "NotADatabase",
    "exception_class",
]


class Status(enum.IntEnum):
    """The pcrm_status codes of common.h (stable values)."""

    OK = 0
    EINVAL = -1
    ENOTFOUND = -2
    ECONFLICT = -3
    EDUPLICATE = -4
    EPERM = -5
    ESTATE = -6
    ESTORE = -7
    ECONNECTION = -8
    ERETRY = -9
    EIO = -10
    ENOMEM = -11
    EOVERFLOW = -12
    ESCHEMA = -13
    EINTEGRITY = -14
    EUNSUPPORTED = -15
    ENOTDB = -16


class Error(Exception):
    """Base of every exception raised for a failing libpowercrm status.

    ``status`` is the :class:`Status` (or the raw int for a code this
    version does not know), ``message`` the library's message.
    """

    #: the status this class stands for (None for the base class)
    STATUS: Optional[Status] = None
    #: a stable id of what went wrong ("json.wrong_type", "invalid_input", ...: docs/errors.md)
    reason: Optional[str] = None
    #: the field, JSON path or file the error is about, or None
    field: Optional[str] = None
    #: named values of the error ({"line": "7", "expected": "a string"})
    values: Dict[str, str] = {}
    _localized: Dict[str, str] = {}

    def message_in(self, lang: str) -> str:
        """The message in ``lang``: "en" or "zh-CN" (the library's Chinese catalogue).

        Falls back to the English message for an exception not raised by the library.
        """
        if lang == "en":
            return self.message
        if lang in ("zh-CN", "zh", "zh_CN"):
            return self._localized.get("zh-CN") or self.message
        raise ValueError("lang: %r is not a language of the catalogue (en, zh-CN)" % (lang,))

    def __init__(self, message: str = "", status: Optional[int] = None) -> None:
        if status is None:
            status = self.STATUS if self.STATUS is not None else Status.EINVAL
        value: Union[Status, int] = status
        try:
            value = Status(status)
        except ValueError:
            pass
        super().__init__(message)
        #: the Status, or the raw int for a code this version does not know
        self.status: Union[Status, int] = value
        #: the library's message, naming the bad field
        self.message: str = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        name = self.status.name if isinstance(self.status, Status) else str(self.status)
        return "%s(%r, %s)" % (type(self).__name__, self.message, name)

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self.message, int(self.status)), self.__dict__)


class InvalidInput(Error, ValueError):
    """PCRM_EINVAL: invalid input; the message names the field."""
    STATUS = Status.EINVAL


class NotFound(Error, LookupError):
    """PCRM_ENOTFOUND: the object does not exist."""
    STATUS = Status.ENOTFOUND


class Conflict(Error):
    """PCRM_ECONFLICT: stale version, somebody changed the object first; read it again."""
    STATUS = Status.ECONFLICT


class Duplicate(Conflict):
    """PCRM_EDUPLICATE: a unique key is already taken."""
    STATUS = Status.EDUPLICATE


class PermissionDenied(Error):
    """PCRM_EPERM: the actor is not allowed to do this (the denial is audited)."""
    STATUS = Status.EPERM


class WrongState(Error):
    """PCRM_ESTATE: the object is in the wrong state for this operation."""
    STATUS = Status.ESTATE


class ClosedError(WrongState):
    """A Context or Calendar used after close() (raised by the Python layer)."""
    STATUS = Status.ESTATE


class StoreError(Error):
    """PCRM_ESTORE: the store failed (SQL error, constraint)."""
    STATUS = Status.ESTORE


class ConnectionLost(StoreError):
    """PCRM_ECONNECTION: the store connection was lost; the next call reconnects."""
    STATUS = Status.ECONNECTION


class RetryTransaction(StoreError):
    """PCRM_ERETRY: serialization failure or busy store; retry the transaction."""
    STATUS = Status.ERETRY


class IOFailure(Error):
    """PCRM_EIO: file or operating-system I/O failed."""
    STATUS = Status.EIO


class OutOfMemory(Error, MemoryError):
    """PCRM_ENOMEM: out of memory."""
    STATUS = Status.ENOMEM


class Overflow(Error, OverflowError):
    """PCRM_EOVERFLOW: an arithmetic result does not fit; nothing was wrapped."""
    STATUS = Status.EOVERFLOW


class SchemaTooNew(Error):
    """PCRM_ESCHEMA: the database schema is newer than this library."""
    STATUS = Status.ESCHEMA


class IntegrityError(Error):
    """PCRM_EINTEGRITY: tampering detected.

    From :meth:`Context.audit_verify` and :meth:`Context.audit_verify_checkpoint`,
    ``first_bad`` is the chain_seq of the first audit entry that fails, in the
    chain the message names (0 when no entry is at fault, None otherwise).
    """
    STATUS = Status.EINTEGRITY
    first_bad = None


class Unsupported(Error):
    """PCRM_EUNSUPPORTED: not available in this build or store."""
    STATUS = Status.EUNSUPPORTED


class NotADatabase(Error):
    """PCRM_ENOTDB: the store URI names a file that is not a database ("sqlite:/etc/passwd")."""
    STATUS = Status.ENOTDB


_BY_STATUS: Dict[Optional[Status], Type[Error]] = {
    cls.STATUS: cls
    for cls in (InvalidInput, NotFound, Conflict, Duplicate, PermissionDenied, WrongState,
                StoreError, ConnectionLost, RetryTransaction, IOFailure, OutOfMemory,
                Overflow, SchemaTooNew, IntegrityError, Unsupported, NotADatabase)
}


def exception_class(status: int) -> Type[Error]:
    """The exception class raised for a status code (Error for an unknown one)."""
    try:
        return _BY_STATUS.get(Status(status), Error)
    except ValueError:
        return Error


def _from_status(status: int, message: str) -> Error:
    """Called by the native extension: the exception instance for a failing status."""
    return exception_class(status)(message, status)
