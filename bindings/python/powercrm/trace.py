"""Observing a context: statements, transactions, retries, counters, notices.

``ctx.set_trace(callback)`` calls ``callback(event)`` with a :class:`TraceEvent`
for every kind in ``kinds`` (a :class:`TraceKind` flag, all by default);
``ctx.set_trace(None)`` stops.  The callback runs inside the library call
that caused the event: keep it quick and do not call the library with the
same context from it.  An exception it raises is re-raised when that call
returns.  docs/python.md and the C header powercrm/trace.h say more.
"""

import dataclasses
import enum
from typing import Callable, Optional

from . import lowlevel as _ll

__all__ = ["TraceKind", "TraceEvent", "TraceCallback"]


class TraceKind(enum.IntFlag):
    """What happened (a bit of the mask given to :meth:`Context.set_trace`)."""

    STATEMENT = _ll.PCRM_TRACE_STATEMENT
    TRANSACTION = _ll.PCRM_TRACE_TRANSACTION
    RETRY = _ll.PCRM_TRACE_RETRY
    COUNTER = _ll.PCRM_TRACE_COUNTER
    NOTICE = _ll.PCRM_TRACE_NOTICE
    ALL = _ll.PCRM_TRACE_ALL


@dataclasses.dataclass(frozen=True)
class TraceEvent:
    """One event.

    ``text``: the SQL of a statement (never its parameters), "commit" or
    "rollback", a retry's reason, a counter's name ("audit.entries",
    "billing.bills", "workflow.timers") or a notice.  ``duration_ns``: of a
    round trip or a transaction.  ``count``: statements in a round trip, a
    retry's attempt number, a counter's increment.  ``status``: 0 or the
    library's failure status of a statement or commit.
    """

    kind: TraceKind
    text: str
    duration_ns: int
    count: int
    status: int


#: a trace callback: called with each TraceEvent
TraceCallback = Callable[[TraceEvent], object]
#: what the C layer calls: (kind, text, duration_ns, count, status)
_Deliver = Callable[[int, str, int, int, int], None]


def _adapter(callback: Optional[TraceCallback]) -> Optional[_Deliver]:
    """The C-level callable for `callback` (None stays None)."""
    if callback is None:
        return None
    if not callable(callback):
        raise TypeError("trace: expected a callable taking a TraceEvent, got %s"
                        % type(callback).__name__)

    report = callback  # the narrowed (not None) type, for the closure

    def deliver(kind: int, text: str, duration_ns: int, count: int, status: int) -> None:
        report(TraceEvent(TraceKind(kind), text, duration_ns, count, status))
    return deliver
