"""Call records in the store: the ACD engine's store-backed CDR sink and the call-record list.

    sink = ctx.call_record_sink(system_actor)      # a context with a data key
    acd.set_cdr_sink(sink)
    acd.flush_cdrs()                               # every second, say
    for r in ctx.call_records(monitor, agent_id="1001"):
        print(r.cdr["call_id"], r.cdr["outcome"], r.contact_id)

Each flushed batch is one transaction: the call records, the contact-history
entries of answered calls and one audit entry (docs/call-records.md).
"""

import dataclasses
from typing import Any, Dict, Iterator, List, Optional

from . import lowlevel as _ll
from ._types import ContextMixinBase, JsonObject
from .actor import Actor, _native as _actor
from .acd import cdr_dict
from .handles import Handle, HandleOwner

__all__ = ["CallRecord", "CallRecordPage", "CallRecordSink", "CallRecordMixin"]


@dataclasses.dataclass(frozen=True)
class CallRecord:
    """One stored call.  ``cdr`` is the CDR as a dict, its caller_number masked."""

    org_unit: str
    cdr: JsonObject
    contact_id: Optional[str]  # None when no contact entry was recorded
    stored_at: int
    stored_by: str


@dataclasses.dataclass(frozen=True)
class CallRecordPage:
    """One page of call records, newest first; iterate it for its records."""

    records: List[CallRecord]
    next_cursor: Optional[str]  # None on the last page

    def __iter__(self) -> Iterator[CallRecord]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, i: int) -> CallRecord:
        return self.records[i]


def _record(r: Any) -> CallRecord:
    return CallRecord(org_unit=r.org_unit, cdr=cdr_dict(r.cdr), contact_id=r.contact_id or None,
                      stored_at=r.stored_at, stored_by=r.stored_by)


class CallRecordSink(HandleOwner):
    """The store-backed CDR sink (pcrm_call_record_sink), made by
    :meth:`Context.call_record_sink`.  Pass it to :meth:`powercrm.Acd.set_cdr_sink`.

    Every batch goes through the context's handle and lock, so a closed
    context (or sink) makes the flush fail and the CDRs stay pending in the
    engine, never a write through freed memory.
    """

    __slots__ = ("_handle", "_ctx")

    def __init__(self, ctx: Any, ptr: Any) -> None:
        self._ctx = ctx
        self._handle = Handle(ptr, _ll.pcrm_call_record_sink_free, "call-record sink")

    def _write_cdrs(self, cdrs: Any) -> None:
        # cdrs: pcrm_acd_cdr copies, as the engine's sink trampoline hands them over
        with self._ctx._lock, self._ctx._handle, self._handle as s:
            _ll.pcrm_call_record_sink_write(s, cdrs)

    def stats(self) -> Dict[str, Any]:
        """What the sink did: batches, stored, skipped, contacts, failures, last_status, last_error."""
        with self._handle as s:
            st = _ll.pcrm_call_record_sink_stats_get(s)
        return {"batches": st.batches, "stored": st.stored, "skipped": st.skipped,
                "contacts": st.contacts, "failures": st.failures,
                "last_status": st.last_status, "last_error": st.last_error}


class CallRecordMixin(ContextMixinBase):
    """Call-record methods of :class:`powercrm.Context`."""

    def call_record_sink(self, actor: Actor, *, org_unit: Optional[str] = None,
                         business_code: Optional[str] = None,
                         contacts: bool = True) -> CallRecordSink:
        """A :class:`CallRecordSink` writing to this context as `actor`.

        ``org_unit`` owns the records of callers the store does not know
        (default: the actor's); ``business_code`` goes into the contact
        entries; ``contacts=False`` stores call records only.
        """
        opts = _ll.pcrm_call_record_sink_options(org_unit, business_code, 1 if contacts else 0)
        with self._lock:
            ptr = self._call(_ll.pcrm_call_record_sink_new, _actor(actor), opts)
        return CallRecordSink(self, ptr)

    def call_record_list(self, actor: Actor, *, org_unit: Optional[str] = None,
                         agent_id: Optional[str] = None, customer_no: Optional[str] = None,
                         caller_number: Optional[str] = None, from_ms: int = 0, to_ms: int = 0,
                         cursor: Optional[str] = None, limit: int = 0) -> CallRecordPage:
        """One page of call records, newest first: a :class:`CallRecordPage`."""
        q = _ll.pcrm_call_record_filter(org_unit, agent_id, customer_no, caller_number,
                                        int(from_ms), int(to_ms))
        with self._lock:
            lst = self._call(_ll.pcrm_call_record_list_load, _actor(actor), q, cursor, int(limit))
            try:
                return CallRecordPage(
                    [_record(_ll.pcrm_call_record_list_at(lst, i))
                     for i in range(_ll.pcrm_call_record_list_count(lst))],
                    _ll.pcrm_call_record_list_next_cursor(lst))
            finally:
                _ll.pcrm_call_record_list_free(lst)

    def call_records(self, actor: Actor, *, page: int = 200,
                     **filters: Any) -> Iterator[CallRecord]:
        """Iterates over every call record the filters select, newest first, page after page."""
        cursor = None
        while True:
            p = self.call_record_list(actor, cursor=cursor, limit=page, **filters)
            yield from p.records
            cursor = p.next_cursor
            if cursor is None:
                return
