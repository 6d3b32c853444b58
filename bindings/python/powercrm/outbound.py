"""Notifications and outbound campaigns: Context methods and records (docs/outbound.md)."""

import dataclasses
from typing import Any, Dict, Iterable, Optional, Tuple

from . import lowlevel as _ll
from ._types import ContextMixinBase, JsonIn
from .actor import Actor, _native as _actor
from .records import json_dumps

__all__ = ["OutboundPass", "CampaignStats", "OutboundMixin", "CHANNELS"]

#: channel names in the library's numbering (pcrm_outbound_channel)
CHANNELS = ("sms", "email", "wechat", "voice", "letter")
_RESULTS = {"delivered": _ll.PCRM_OUTBOUND_DELIVERED, "undelivered": _ll.PCRM_OUTBOUND_UNDELIVERED,
            "answered": _ll.PCRM_OUTBOUND_ANSWERED, "confirmed": _ll.PCRM_OUTBOUND_CONFIRMED,
            "opted_out": _ll.PCRM_OUTBOUND_OPTED_OUT}


@dataclasses.dataclass(frozen=True)
class OutboundPass:
    """What one delivery pass did."""

    sent: int
    retried: int
    failed: int
    deferred: int
    suppressed: int


@dataclasses.dataclass(frozen=True)
class CampaignStats:
    """A campaign's messages, each counted once in its furthest state (outbound.h)."""

    queued: int
    waiting: int
    sent: int
    delivered: int
    answered: int
    confirmed: int
    opted_out: int
    failed: int


def _channel(name: str) -> int:
    if name not in CHANNELS:
        raise ValueError("channel: expected one of %s, got %r" % (", ".join(CHANNELS), name))
    return CHANNELS.index(name) + 1


def _policy(fallback: Optional[Iterable[str]], quiet_hours: Optional[Tuple[int, int]],
            quiet_channels: Optional[Iterable[str]], rate_limit: Optional[Tuple[int, int]],
            max_attempts: Optional[int], backoff: Optional[int]) -> Any:
    p = _ll.pcrm_outbound_policy()
    if fallback is not None:
        order = list(fallback)
        if len(order) > len(CHANNELS):
            raise ValueError("fallback: at most %d channels" % len(CHANNELS))
        for i in range(len(CHANNELS)):
            p.set_fallback(i, _channel(order[i]) if i < len(order) else 0)
    if quiet_hours is not None:
        p.quiet_start, p.quiet_end = (int(m) for m in quiet_hours)
    if quiet_channels is not None:
        mask = 0
        for name in quiet_channels:
            mask |= 1 << _channel(name)
        p.quiet_channels = mask
    if rate_limit is not None:
        p.rate_limit, p.rate_window = (int(v) for v in rate_limit)
    if max_attempts is not None:
        p.max_attempts = int(max_attempts)
    if backoff is not None:
        p.backoff = int(backoff)
    return p


class OutboundMixin(ContextMixinBase):
    """Outbound methods of :class:`powercrm.Context`."""

    def outbound_queue(self, actor: Actor, customer_no: str, document: JsonIn) -> str:
        """Queues one message (a dict: body, not_before, work_order_id, id); returns its id."""
        return self._call(_ll.pcrm_outbound_queue, _actor(actor), customer_no,
                          json_dumps(document), 65)

    def outbound_set_do_not_contact(self, actor: Actor, customer_no: str, channel: str,
                                    do_not_contact: bool = True) -> None:
        """Sets or clears the customer's do-not-contact preference for one channel."""
        self._call(_ll.pcrm_outbound_set_do_not_contact, _actor(actor), customer_no,
                   _channel(channel), 1 if do_not_contact else 0)

    def outbound_deliver(self, actor: Actor, channels: object, *, org_unit: Optional[str] = None,
                         limit: int = 100, fallback: Optional[Iterable[str]] = None,
                         quiet_hours: Optional[Tuple[int, int]] = None,
                         quiet_channels: Optional[Iterable[str]] = None,
                         rate_limit: Optional[Tuple[int, int]] = None,
                         max_attempts: Optional[int] = None,
                         backoff: Optional[int] = None) -> "OutboundPass":
        """Sends the due messages through ``channels`` (an object with methods sms, email,
        wechat, voice, letter, each taking message_id, customer_no, destination, body,
        attempt and returning None or a reference: accepted, False: refused for good;
        raising: failed for now).  Policy keywords: ``fallback`` (channel names),
        ``quiet_hours`` ((start, end) minutes after local midnight), ``quiet_channels``,
        ``rate_limit`` ((count, window seconds)), ``max_attempts``, ``backoff`` (seconds).
        Returns an :class:`OutboundPass`."""
        policy = _policy(fallback, quiet_hours, quiet_channels, rate_limit, max_attempts,
                         backoff)
        p = self._call(_ll.pcrm_outbound_deliver, _actor(actor), org_unit, channels, policy,
                       int(limit))
        return OutboundPass(p.sent, p.retried, p.failed, p.deferred, p.suppressed)

    def outbound_receipt(self, actor: Actor, message_id: str, result: str) -> None:
        """Records a gateway's receipt: "delivered", "undelivered", "answered",
        "confirmed" or "opted_out"."""
        if result not in _RESULTS:
            raise ValueError("result: expected one of %s, got %r" % (", ".join(_RESULTS), result))
        self._call(_ll.pcrm_outbound_receipt, _actor(actor), message_id, _RESULTS[result])

    def outbound_status(self, actor: Actor, message_id: str) -> Tuple[str, int]:
        """(state, attempts) of a message."""
        status, attempts = self._call(_ll.pcrm_outbound_status, _actor(actor), message_id, 16)
        return str(status), int(attempts)

    def campaign_create(self, actor: Actor, document: JsonIn) -> None:
        """Creates a campaign from a dict (docs/outbound.md)."""
        self._call(_ll.pcrm_campaign_create, _actor(actor), json_dumps(document))

    def campaign_queue(self, actor: Actor, campaign_id: str) -> int:
        """Queues the campaign's messages; returns how many were queued now."""
        return self._call(_ll.pcrm_campaign_queue, _actor(actor), campaign_id)

    def outbound_handover(self, actor: Actor, org_unit: Optional[str] = None,
                          limit: int = 1000) -> int:
        """Hands the workflow outbox's notices to customers (transitions with
        "notify_customer") over to the outbound queue, each exactly once;
        returns how many messages were queued.  outbound_deliver() does this
        first on its own; call it where queueing and sending run apart."""
        return int(self._call(_ll.pcrm_outbound_handover, _actor(actor), org_unit, limit))

    def campaign_survey_answer(self, actor: Actor, message_id: str, satisfaction: str,
                               result: Optional[str] = None) -> None:
        """Records a customer's answer to a return-visit survey message as the
        work order's return visit: satisfaction "satisfied",
        "basically_satisfied" or "dissatisfied", result what the customer
        said (docs/outbound.md)."""
        doc: Dict[str, str] = {"satisfaction": satisfaction}
        if result is not None:
            doc["result"] = result
        self._call(_ll.pcrm_campaign_survey_answer, _actor(actor), message_id, json_dumps(doc))

    def campaign_stats(self, actor: Actor, campaign_id: str) -> CampaignStats:
        """The campaign's :class:`CampaignStats`."""
        s = self._call(_ll.pcrm_campaign_stats_get, _actor(actor), campaign_id)
        return CampaignStats(s.queued, s.waiting, s.sent, s.delivered, s.answered, s.confirmed,
                             s.opted_out, s.failed)
