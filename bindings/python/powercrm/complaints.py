"""Complaint tickets (投诉 / 举报 / 意见 / 建议): Context methods and the ticket record."""

import dataclasses

from . import lowlevel as _ll
from .actor import _native as _actor
from .records import json_dumps, json_loads

__all__ = ["Complaint", "ComplaintMixin"]


@dataclasses.dataclass(frozen=True)
class Complaint:
    """One ticket.  `fields` is the whole ticket as a dict (docs/complaints.md)."""

    serial: str
    work_order_id: str
    customer_no: object  # None for an anonymous ticket
    category: str
    responsible_unit: str
    routed_by_default: bool
    repeat_of: object
    status: str
    merged_into: object
    accepted_at: int
    fields: dict


def _complaint_record(c):
    return Complaint(
        serial=_ll.pcrm_complaint_serial(c),
        work_order_id=_ll.pcrm_complaint_work_order_id(c),
        customer_no=_ll.pcrm_complaint_customer_no(c),
        category=_ll.pcrm_complaint_category(c),
        responsible_unit=_ll.pcrm_complaint_responsible_unit(c),
        routed_by_default=bool(_ll.pcrm_complaint_routed_by_default(c)),
        repeat_of=_ll.pcrm_complaint_repeat_of(c),
        status=_ll.pcrm_complaint_status(c),
        merged_into=_ll.pcrm_complaint_merged_into(c),
        accepted_at=_ll.pcrm_complaint_accepted_at(c),
        fields=json_loads(_ll.pcrm_complaint_json(c)),
    )


class ComplaintMixin:
    """Complaint-ticket methods of :class:`powercrm.Context`."""

    def _complaint_call(self, fn, *args):
        with self._lock:
            c = self._call(fn, *args)
            try:
                return _complaint_record(c)
            finally:
                _ll.pcrm_complaint_free(c)

    def complaint_config_set(self, actor, document):
        """Stores the routing rules, subcategories and repeat window (a dict)."""
        self._call(_ll.pcrm_complaint_config_set, _actor(actor), json_dumps(document))

    def complaint_file(self, actor, document):
        """Files a ticket (a dict, see docs/complaints.md); returns the stored Complaint."""
        return self._complaint_call(_ll.pcrm_complaint_file, _actor(actor), json_dumps(document))

    def complaint_get(self, actor, serial):
        return self._complaint_call(_ll.pcrm_complaint_get, _actor(actor), serial)

    def complaint_merge(self, actor, serial, survivor, note=None):
        """Merges duplicate `serial` into `survivor` (same customer only)."""
        self._call(_ll.pcrm_complaint_merge, _actor(actor), serial, survivor, note)

    def complaint_reply(self, actor, serial, document):
        """Records the reply to the customer; fires the work order's "replied"."""
        return self._complaint_call(_ll.pcrm_complaint_reply, _actor(actor), serial,
                                    json_dumps(document))

    def complaint_return_visit(self, actor, serial, document):
        """Records the return visit; "dissatisfied" sends the ticket back to handling."""
        return self._complaint_call(_ll.pcrm_complaint_return_visit, _actor(actor), serial,
                                    json_dumps(document))
