"""Ownership of native objects.

Every object the library hands to Python (a context, a calendar, ...) is
held by exactly one :class:`Handle`, which calls the object's free function
exactly once: on ``close()``, or when the handle is garbage-collected.
Using a handle after that raises :class:`ClosedError`, never touches freed
memory.  Nothing else refers to native memory: records, lists and pages are
copied out of the C objects, which are freed at once, and whatever depends on
a context (a transaction block, a page-by-page iterator) goes through the
context's handle, so it raises ClosedError once the context is closed.

Calls borrow the pointer with ``with handle as ptr:``; a close() that
arrives while another thread is inside a call is deferred until that call
returns, so the C object is never freed under a running call.

:func:`live_handles` counts the native objects currently owned by Python
(kept by the extension: +1 when an object is handed out, -1 in its free
function), so tests can check that dropping objects frees them.
"""

import threading
from typing import Any, Callable, Literal, TypeVar

from . import lowlevel as _ll
from .errors import ClosedError

__all__ = ["Handle", "HandleOwner", "live_handles"]

_Self = TypeVar("_Self", bound="HandleOwner")


def live_handles() -> int:
    """Native objects handed to Python and not freed yet (contexts, calendars, actors, ...)."""
    return _ll.pcrm_py_live_handles()


class Handle:
    """Owns one native pointer and its free function."""

    __slots__ = ("_ptr", "_free", "_what", "_lock", "_users", "_closing", "__weakref__")

    def __init__(self, ptr: Any, free: Callable[[Any], object], what: str) -> None:
        if ptr is None:
            raise ValueError("Handle: NULL %s" % what)
        self._ptr = ptr
        self._free = free
        self._what = what
        self._lock = threading.Lock()
        self._users = 0
        self._closing = False

    @property
    def closed(self) -> bool:
        """True once close() was called."""
        return self._closing or self._ptr is None

    def __enter__(self) -> Any:
        with self._lock:
            if self._closing or self._ptr is None:
                raise ClosedError("%s is closed" % self._what)
            self._users += 1
            return self._ptr

    def __exit__(self, exc_type: object, exc: object, tb: object) -> Literal[False]:
        with self._lock:
            self._users -= 1
            ptr = self._take_if_done()
        if ptr is not None:
            self._free(ptr)
        return False

    def _take_if_done(self) -> Any:
        # Called with the lock held: the pointer to free now, or None.
        if self._closing and self._users == 0 and self._ptr is not None:
            ptr, self._ptr = self._ptr, None
            return ptr
        return None

    def close(self) -> None:
        """Frees the object (once; later calls do nothing)."""
        with self._lock:
            self._closing = True
            ptr = self._take_if_done()
        if ptr is not None:
            self._free(ptr)

    def __del__(self) -> None:
        # Nobody can be inside a call any more: free directly, without the lock.
        ptr, self._ptr = getattr(self, "_ptr", None), None
        if ptr is not None:
            self._free(ptr)

    def __repr__(self) -> str:
        return "<Handle %s %s>" % (self._what, "closed" if self.closed else "open")


class HandleOwner:
    """Base of the Python objects that own one native object in ``self._handle``.

    Gives them ``close()`` (idempotent), ``closed`` and a ``with`` block that
    closes on exit.
    """

    __slots__ = ()

    _handle: Handle  # set by the subclass's __init__

    def close(self) -> None:
        """Frees the native object now (idempotent); using it afterwards raises ClosedError."""
        self._handle.close()

    @property
    def closed(self) -> bool:
        """True once the native object was released."""
        return self._handle.closed

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> Literal[False]:
        self.close()
        return False
