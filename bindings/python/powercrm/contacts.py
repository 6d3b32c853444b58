"""The contact history (接触记录): Context methods and records."""

import dataclasses
from typing import Any, Iterator, List, Optional

from . import lowlevel as _ll
from ._types import ContextMixinBase, JsonIn
from .actor import Actor, _native as _actor
from .records import json_dumps

__all__ = ["Contact", "ContactPage", "ContactMixin"]


@dataclasses.dataclass(frozen=True)
class Contact:
    """One recorded interaction.  Optional fields not recorded are None."""

    id: str
    customer_no: str
    at: int
    channel: str
    direction: str
    agent: str
    caller_number: Optional[str]
    duration_seconds: Optional[int]  # None when not recorded
    business_code: Optional[str]
    summary: str
    work_order_id: Optional[str]
    recorded_by: str
    recorded_at: int
    log_line: str  # the call-log line of the marketing system plan (5.8.3)


@dataclasses.dataclass(frozen=True)
class ContactPage:
    """One page of a customer's history, newest first; iterate it for its contacts."""

    contacts: List[Contact]
    next_cursor: Optional[str]  # None on the last page

    def __iter__(self) -> Iterator[Contact]:
        return iter(self.contacts)

    def __len__(self) -> int:
        return len(self.contacts)

    def __getitem__(self, i: int) -> Contact:
        return self.contacts[i]


def _contact_record(c: Any) -> Contact:
    duration = _ll.pcrm_contact_duration_seconds(c)
    return Contact(
        id=_ll.pcrm_contact_id(c),
        customer_no=_ll.pcrm_contact_customer_no(c),
        at=_ll.pcrm_contact_at(c),
        channel=_ll.pcrm_contact_channel(c),
        direction=_ll.pcrm_contact_direction(c),
        agent=_ll.pcrm_contact_agent(c),
        caller_number=_ll.pcrm_contact_caller_number(c),
        duration_seconds=None if duration < 0 else duration,
        business_code=_ll.pcrm_contact_business_code(c),
        summary=_ll.pcrm_contact_summary(c),
        work_order_id=_ll.pcrm_contact_work_order_id(c),
        recorded_by=_ll.pcrm_contact_recorded_by(c),
        recorded_at=_ll.pcrm_contact_recorded_at(c),
        log_line=_ll.pcrm_contact_format_log_line(c, _ll.PCRM_CONTACT_LOG_LINE_MAX),
    )


class ContactMixin(ContextMixinBase):
    """Contact-history methods of :class:`powercrm.Context`."""

    def contact_record(self, actor: Actor, customer_no: str, document: JsonIn) -> Contact:
        """Records one interaction (a dict, see docs/contacts.md); returns the stored Contact."""
        with self._lock:
            c = self._call(_ll.pcrm_contact_record, _actor(actor), customer_no,
                           json_dumps(document))
            try:
                return _contact_record(c)
            finally:
                _ll.pcrm_contact_free(c)

    def contact_list(self, actor: Actor, customer_no: str, *, cursor: Optional[str] = None,
                     limit: int = 0) -> ContactPage:
        """One page of a customer's contact history, newest first: a :class:`ContactPage`."""
        with self._lock:
            lst = self._call(_ll.pcrm_contact_list_load, _actor(actor), customer_no, cursor,
                             int(limit))
            try:
                return ContactPage(
                    [_contact_record(_ll.pcrm_contact_list_at(lst, i))
                     for i in range(_ll.pcrm_contact_list_count(lst))],
                    _ll.pcrm_contact_list_next_cursor(lst))
            finally:
                _ll.pcrm_contact_list_free(lst)

    def contact_history(self, actor: Actor, customer_no: str, *,
                        page: int = 50) -> Iterator[Contact]:
        """Iterates over a customer's whole history, newest first, page after page."""
        cursor = None
        while True:
            p = self.contact_list(actor, customer_no, cursor=cursor, limit=page)
            yield from p.contacts
            cursor = p.next_cursor
            if cursor is None:
                return
