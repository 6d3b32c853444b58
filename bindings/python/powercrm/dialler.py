"""The voice campaign dialler (dialler.h): campaign calls paced to the ready agents.

    tel = powercrm.Telephony(acd, switch)            # the switch has make_call and route
    dialler = powercrm.Dialler(acd, tel, "OUT-2026-118", queue_id="notice",
                               device_id="dialler-port-1", vip_min_level=8)
    dialler.feed(type="queued", call_id=..., device_id="OUT-RP", at=...)  # switch events
    p = dialler.run(ctx, job)                          # write results, dial the next calls
    ctx.campaign_call_stats(job, "OUT-2026-118")
    dialler.record(ctx, job, {"type": "queued", ...})  # an event, its result stored at once
    dialler.set_predictive(target_abandon_permille=30) # pace from the observed answer rate
    dialler.pace                                        # what the last run knew

Feed the switch's events through :meth:`Dialler.feed` (it passes them to the
Telephony and watches the calls it placed); call :meth:`Dialler.run` with the
context whenever agents become ready and every few seconds.  Close the
Dialler before the Telephony and the Acd.

Every call is kept in the store before it is dialled, and :meth:`Dialler.record`
stores a result as its event arrives; a dialler that dies leaves its calls to the
next dialler of the campaign, which settles them ("unknown" or "abandoned", retried
per the policy) once the dead one's lease (60 s) has run out.
"""

import dataclasses
from typing import Any, Iterable, Mapping, Optional, Tuple

from . import lowlevel as _ll
from ._types import ContextMixinBase
from .acd import Acd
from .actor import Actor, _native as _actor
from .handles import Handle, HandleOwner
from .outbound import _policy
from .telephony import Telephony, _event_args

__all__ = ["Dialler", "DiallerPass", "DiallerPace", "CampaignCallStats", "DiallerMixin"]


@dataclasses.dataclass(frozen=True)
class DiallerPass:
    """What one :meth:`Dialler.run` did (pcrm_dialler_pass)."""

    results: int
    ready_agents: int
    in_progress: int
    capacity: int
    dialled: int
    retried: int
    deferred: int
    failed: int
    suppressed: int


@dataclasses.dataclass(frozen=True)
class DiallerPace:
    """How the last :meth:`Dialler.run` paced (pcrm_dialler_pace): ``mode`` "progressive" or
    "predictive", the calls it could dial, and the estimates the predictive pace used."""

    mode: str
    capacity: int
    observations: int
    answer_rate: float
    ring_s: float
    handle_s: float
    agents_soon: float
    predicted_abandon: float
    observed_abandon: float


@dataclasses.dataclass(frozen=True)
class CampaignCallStats:
    """A campaign's calls (pcrm_campaign_call_stats): once none is in progress,
    dialled = no_answer + busy + answered and answered = connected + abandoned."""

    dialled: int
    no_answer: int
    busy: int
    answered: int
    connected: int
    abandoned: int


class Dialler(HandleOwner):
    """A voice campaign's dialler (pcrm_dialler) over an :class:`powercrm.Acd` and its
    :class:`powercrm.Telephony`.

    ``queue_id``: the ACD queue answered calls join (its ready agents set the pace);
    ``device_id``: where the switch places the calls from; ``pacing_percent``: calls in
    progress per 100 ready agents (100: one per agent); ``vip_min_level``: the skill level
    an agent needs for a VIP customer; ``preferred_wait_s``: how long an answered call
    waits for the customer's account manager.
    """

    def __init__(self, acd: Acd, telephony: Telephony, campaign_id: str, *, queue_id: str,
                 device_id: str, pacing_percent: int = 100, vip_min_level: int = 1,
                 preferred_wait_s: int = 0) -> None:
        self._handle = None  # type: ignore[assignment]  # a Handle once the dialler exists
        self._acd = acd  # the dialler uses both: keep them alive
        self._tel = telephony
        with acd._handle as a, telephony._handle as t:
            ptr = _ll.pcrm_dialler_new(a, t, campaign_id, queue_id, device_id,
                                       int(pacing_percent), int(vip_min_level),
                                       int(preferred_wait_s))
        self._handle = Handle(ptr, _ll.pcrm_dialler_free, "dialler")

    def _call(self, fn: Any, *args: Any) -> Any:
        with self._handle as d:
            return fn(d, *args)

    def feed(self, event: Optional[Mapping[str, Any]] = None, **fields: Any) -> None:
        """Feeds one switch event, as :meth:`powercrm.Telephony.feed` does, and notes what it
        tells of the dialler's calls (busy, no answer, answered, connected, abandoned)."""
        self._call(_ll.pcrm_dialler_event_feed, *_event_args(event, fields))

    def record(self, context: ContextMixinBase, actor: Actor, event: Mapping[str, Any], *,
               fallback: Optional[Iterable[str]] = None,
               quiet_hours: Optional[Tuple[int, int]] = None,
               quiet_channels: Optional[Iterable[str]] = None,
               rate_limit: Optional[Tuple[int, int]] = None, max_attempts: Optional[int] = None,
               backoff: Optional[int] = None) -> None:
        """Feeds one switch event as :meth:`feed` does, then stores at once the results it
        gave, each with its call (pcrm_dialler_event_record).  The actor and the policy
        keywords are those of :meth:`run`, checked before the event is fed."""
        policy = _policy(fallback, quiet_hours, quiet_channels, rate_limit, max_attempts,
                         backoff)
        args = _event_args(event, {})
        with self._handle as d:
            context._call(lambda ctx, *a: _ll.pcrm_dialler_event_record(d, ctx, *a),
                          _actor(actor), policy, *args)

    def set_predictive(self, enabled: bool = True, *, target_abandon_permille: int = 30,
                       min_observations: int = 50, max_percent: int = 300) -> None:
        """Paces from the campaign's observed answer rate, the queue's mean handle time and
        the agents about to be free, within ``target_abandon_permille`` abandoned calls per
        1000 answered; progressive until ``min_observations`` calls have settled.
        ``enabled=False`` goes back to progressive."""
        self._call(_ll.pcrm_dialler_set_predictive, 1 if enabled else 0,
                   int(target_abandon_permille), int(min_observations), int(max_percent))

    @property
    def pace(self) -> DiallerPace:
        """What the last :meth:`run` knew when it paced."""
        p = self._call(_ll.pcrm_dialler_pace_get)
        mode = "predictive" if p.mode == _ll.PCRM_DIALLER_PREDICTIVE else "progressive"
        return DiallerPace(mode, p.capacity, int(p.observations), p.answer_rate, p.ring_s,
                           p.handle_s, p.agents_soon, p.predicted_abandon, p.observed_abandon)

    def run(self, context: ContextMixinBase, actor: Actor, *,
            fallback: Optional[Iterable[str]] = None,
            quiet_hours: Optional[Tuple[int, int]] = None,
            quiet_channels: Optional[Iterable[str]] = None,
            rate_limit: Optional[Tuple[int, int]] = None, max_attempts: Optional[int] = None,
            backoff: Optional[int] = None) -> DiallerPass:
        """Writes the calls' results seen since the last run, then dials as many due messages
        of the campaign as the ready agents allow.  The policy keywords are those of
        :meth:`powercrm.Context.outbound_deliver`.  Returns a :class:`DiallerPass`."""
        policy = _policy(fallback, quiet_hours, quiet_channels, rate_limit, max_attempts,
                         backoff)
        with self._handle as d:
            p = context._call(lambda ctx, *a: _ll.pcrm_dialler_run(d, ctx, *a), _actor(actor),
                              policy)
        return DiallerPass(p.results, p.ready_agents, p.in_progress, p.capacity, p.dialled,
                           p.retried, p.deferred, p.failed, p.suppressed)

    @property
    def in_progress(self) -> int:
        """Calls placed and not yet connected or ended."""
        return int(self._call(_ll.pcrm_dialler_in_progress))

    def __repr__(self) -> str:
        return "<powercrm.Dialler %s>" % ("closed" if self.closed else "open")


class DiallerMixin(ContextMixinBase):
    """Dialler statistics of :class:`powercrm.Context`."""

    def campaign_call_stats(self, actor: Actor, campaign_id: str) -> CampaignCallStats:
        """The campaign's :class:`CampaignCallStats`."""
        s = self._call(_ll.pcrm_campaign_call_stats_get, _actor(actor), campaign_id)
        return CampaignCallStats(s.dialled, s.no_answer, s.busy, s.answered, s.connected,
                                 s.abandoned)

    def campaign_calls_unknown(self, actor: Actor, campaign_id: str) -> int:
        """The campaign's calls a dead dialler left unanswered, settled as "unknown"."""
        return int(self._call(_ll.pcrm_campaign_calls_unknown, _actor(actor), campaign_id))
