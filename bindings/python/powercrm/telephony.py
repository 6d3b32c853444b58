"""The telephony adapter layer (telephony.h): switch events in, switch requests out.

    class Switch:                      # the switch table: only route is required
        def route(self, call_id, device_id, agent_id):
            pbx.redirect(call_id, device_id)   # None = done; or "busy", "refused", ...

    acd = powercrm.Acd(config, clock=0)
    tel = powercrm.Telephony(acd, Switch(), clock_from_events=True)
    tel.set_ivr_rules({"rules": [{"dialled": "95598", "queue": "billing"}]})
    tel.feed("agent_logged_on", agent_id="1001", device_id="8001", at=0)
    tel.feed({"type": "offered", "call_id": "c-1", "at": 1000, "dialled_number": "95598"})

Events are CSTA-style (docs/adapter-guide.md): a dict or keywords with
"type" (the library's name: "offered", "queued", "delivered", "established",
..., "agent_ready") and the fields of pcrm_tel_event.  A rejected event
raises the library's exception with ``exc.reject`` naming the kind
("out_of_order", "unknown_call", ...); :meth:`Telephony.stats` counts them.

The switch object's methods are the table's functions, called with the
library's strings; a method the object lacks is a request the switch cannot
do (:class:`powercrm.Unsupported`).  They are called outside the library's
lock, from the thread whose call made the request (a feed, a desktop
request), with the GIL held: they may feed events back synchronously, as an
in-process switch does.  A method that raises counts as refused; its
exception is re-raised by the call that made the request.

The Telephony holds the ACD's event callback: use :meth:`Telephony.on_acd_event`
instead of ``acd.on_event``.  Close the Telephony before the Acd.
"""

import json
from typing import (Any, Callable, Dict, Mapping, Optional, Protocol, Sequence, Tuple,
                    Union)

from . import lowlevel as _ll
from .acd import Acd, EventCallback
from .actor import Actor, _native as _actor
from .errors import InvalidInput
from .handles import Handle, HandleOwner

__all__ = ["Telephony", "TelephonySwitch", "CustomerLookup", "EVENT_TYPES", "REJECT_KINDS",
           "SWITCH_RESULTS", "CALL_STATES", "TEL_AGENT_STATES"]

#: the screen pop lookup: caller number -> None or a dict with "customer_no", "vip_level"
#: and optionally "account_manager"
CustomerLookup = Callable[[str], Optional[Mapping[str, Any]]]

#: event type names, by number (index 0 unused)
EVENT_TYPES = {_ll.pcrm_tel_event_type_name(i): i
               for i in range(_ll.PCRM_TEL_EV_OFFERED, _ll.PCRM_TEL_EV_AGENT_WORK_NOT_READY + 1)}
#: reject kind names, indexed by number ("accepted" first)
REJECT_KINDS = tuple(_ll.pcrm_tel_reject_name(i) for i in range(_ll.PCRM_TEL_REJECT_COUNT))
#: what a switch method may return, indexed by number ("done" first)
SWITCH_RESULTS = tuple(_ll.pcrm_tel_result_name(i) for i in range(_ll.PCRM_TEL_RESULT_COUNT))
#: the adapter's call states, indexed by number
CALL_STATES = tuple(_ll.pcrm_tel_call_state_name(i) for i in range(_ll.PCRM_TEL_CALL_HELD + 1))
#: agent device states of requests and snapshots, indexed by number
TEL_AGENT_STATES = tuple(_ll.pcrm_tel_agent_state_name(i)
                         for i in range(_ll.PCRM_TEL_AGENT_WORK_NOT_READY + 1))

#: what a switch method returns: None (done), a name of SWITCH_RESULTS or its number
SwitchResult = Union[None, str, int]


class TelephonySwitch(Protocol):
    """The switch object given to :class:`Telephony`: only ``route`` is required.

    The other methods of the switch table (``answer``, ``hangup``, ``hold``,
    ``retrieve``, ``transfer``, ``consult``, ``consult_transfer``,
    ``conference``, ``consult_cancel``, ``deflect``, ``record_start``,
    ``record_stop``, ``send_dtmf``, ``supervise``, ``make_call``,
    ``set_agent_state``, ``snapshot``) are optional: a missing one is a
    request the switch cannot do.  Each takes the library's strings and
    returns a :data:`SwitchResult` (docs/adapter-guide.md).
    """

    def route(self, __call_id: str, __device_id: str, __agent_id: str) -> SwitchResult:
        """Delivers a call to an agent's device; None when done."""


_EVENT_FIELDS = ("call_id", "device_id", "at", "agent_id", "other_call_id", "destination",
                 "caller_number", "dialled_number", "digits", "service", "reason")
_MODES = {_ll.pcrm_acd_supervise_mode_name(m): m
          for m in (_ll.PCRM_ACD_MONITOR, _ll.PCRM_ACD_WHISPER, _ll.PCRM_ACD_BARGE)}
_CALL_TEXT = ("call_id", "device_id", "agent_id", "queue_id", "caller_number", "dialled_number",
              "digits", "customer_no", "related_call_id")
_REPORT = ("agents_logged_on", "agents_logged_off", "agents_state_changed", "calls_kept",
           "calls_restored", "calls_ended", "calls_not_restored")


def _name(names: Sequence[str], value: Union[str, int], what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # the library names a bad number
    try:
        return names.index(value)
    except ValueError:
        raise InvalidInput("%s: %r is not one of %s" % (what, value, ", ".join(names))) from None


def _event_args(event: Optional[Mapping[str, Any]], fields: Mapping[str, Any]) -> Tuple[Any, ...]:
    """(type number, the fields of pcrm_tel_event in order) of an event given as a dict/keywords."""
    ev = dict(event or {}, **fields)
    kind = ev.pop("type", None)
    unknown = set(ev) - set(_EVENT_FIELDS)
    if unknown:
        raise InvalidInput("event: unknown field(s) %s" % ", ".join(sorted(unknown)))
    if isinstance(kind, str):
        if kind not in EVENT_TYPES:
            raise InvalidInput("event.type: %r is not one of %s" % (kind, ", ".join(EVENT_TYPES)))
        kind = EVENT_TYPES[kind]
    elif not isinstance(kind, int) or isinstance(kind, bool):
        raise InvalidInput("event.type: missing or not a str")
    return (kind,) + tuple(int(ev.get(f) or 0) if f == "at" else ev.get(f)
                           for f in _EVENT_FIELDS)


class Telephony(HandleOwner):
    """The adapter runtime (pcrm_tel) over an :class:`powercrm.Acd` and a Python switch.

    ``clock_from_events``: the ACD runs on the events' ``at`` (the Acd needs a
    ManualClock).  ``cleared_memory``: how many cleared call ids are remembered.
    ``fallback_destination``: where refused / timed-out calls are deflected.
    """

    def __init__(self, acd: Acd, switch: TelephonySwitch, *, clock_from_events: bool = False,
                 cleared_memory: int = 4096, fallback_destination: Optional[str] = None) -> None:
        self._handle = None  # type: ignore[assignment]  # a Handle once the runtime exists
        self._acd = acd  # the runtime uses the engine: keep it alive
        self._callback: Optional[Callable[[str], None]] = None
        self._lookup: Optional[Callable[[str], Optional[Tuple[str, int, Optional[str]]]]] = None
        sw = _ll.pcrm_py_tel_switch_new(switch)
        self._switch = Handle(sw, _ll.pcrm_py_tel_switch_free, "telephony switch table")
        try:
            with acd._handle as a:
                ptr = _ll.pcrm_tel_new(a, sw, 1 if clock_from_events else 0, int(cleared_memory),
                                       fallback_destination)
        except BaseException:
            self._switch.close()
            raise
        self._handle = Handle(ptr, _ll.pcrm_tel_free, "telephony adapter")

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        with self._handle as t:
            return fn(t, *args)

    # -- events in ------------------------------------------------------------------------

    def feed(self, event: Optional[Mapping[str, Any]] = None, **fields: Any) -> None:
        """Feeds one switch event: a dict and/or keywords; "type" names it.

        Raises the library's exception, with ``reject`` the kind, when the
        call's state machine rejects it (nothing changes but the counter).
        """
        self._call(_ll.pcrm_tel_event_feed, *_event_args(event, fields))

    # -- IVR hand-off ---------------------------------------------------------------------

    def set_ivr_rules(self, rules: Union[str, Mapping[str, Any]]) -> None:
        """The IVR mapping rules: a dict or its JSON text (docs/adapter-guide.md, IVR mapping)."""
        self._call(_ll.pcrm_tel_set_ivr_rules, rules if isinstance(rules, str) else json.dumps(rules))

    def set_customer_lookup(self, lookup: Optional[CustomerLookup]) -> None:
        """``lookup(caller_number)`` -> None or a dict with "customer_no", "vip_level" and
        optionally "account_manager" (the screen pop); None removes it."""
        if lookup is None:
            self._call(_ll.pcrm_tel_set_customer_lookup, None)
            self._lookup = None
            return

        ask = lookup  # the narrowed (not None) type, for the closure

        def find(caller: str) -> Optional[Tuple[str, int, Optional[str]]]:
            c = ask(caller)
            if c is None:
                return None
            return (c["customer_no"], int(c.get("vip_level", 0)), c.get("account_manager"))
        self._call(_ll.pcrm_tel_set_customer_lookup, find)
        self._lookup = find  # the runtime holds it: keep it alive

    def on_acd_event(self, callback: Optional[EventCallback]) -> None:
        """Calls ``callback(event_dict)`` for every ACD event after the adapter saw it."""
        if callback is None:
            self._call(_ll.pcrm_tel_set_acd_event_callback, None)
            self._callback = None
            return

        report = callback  # the narrowed (not None) type, for the closure

        def deliver(text: str) -> None:
            report(json.loads(text))
        self._call(_ll.pcrm_tel_set_acd_event_callback, deliver)
        self._callback = deliver

    # -- requests from desktops -----------------------------------------------------------

    def answer(self, call_id: str, device_id: Optional[str] = None) -> None:
        """Asks the switch to answer a call (at ``device_id``, or the call's agent device)."""
        self._call(_ll.pcrm_tel_answer, call_id, device_id)

    def hangup(self, call_id: str, device_id: Optional[str] = None) -> None:
        """Asks the switch to clear a call."""
        self._call(_ll.pcrm_tel_hangup, call_id, device_id)

    def hold(self, call_id: str, device_id: Optional[str] = None) -> None:
        """Asks the switch to hold a call."""
        self._call(_ll.pcrm_tel_hold, call_id, device_id)

    def retrieve(self, call_id: str, device_id: Optional[str] = None) -> None:
        """Asks the switch to retrieve a held call."""
        self._call(_ll.pcrm_tel_retrieve, call_id, device_id)

    def transfer(self, call_id: str, destination: str, device_id: Optional[str] = None) -> None:
        """Asks the switch for a blind transfer of a call to ``destination``."""
        self._call(_ll.pcrm_tel_transfer, call_id, device_id, destination)

    def consult(self, call_id: str, destination: str, device_id: Optional[str] = None) -> None:
        """Holds a call and asks the switch for a consultation call to ``destination``."""
        self._call(_ll.pcrm_tel_consult, call_id, device_id, destination)

    def consult_transfer(self, held_call_id: str, consult_call_id: str,
                         device_id: Optional[str] = None) -> None:
        """Completes a consultation by transferring the held call to the consulted party."""
        self._call(_ll.pcrm_tel_consult_transfer, held_call_id, consult_call_id, device_id)

    def conference(self, held_call_id: str, consult_call_id: str,
                   device_id: Optional[str] = None) -> None:
        """Joins a held call and its consultation call into a conference."""
        self._call(_ll.pcrm_tel_conference, held_call_id, consult_call_id, device_id)

    def consult_cancel(self, held_call_id: str, consult_call_id: str,
                       device_id: Optional[str] = None) -> None:
        """Ends a consultation call and retrieves the held call."""
        self._call(_ll.pcrm_tel_consult_cancel, held_call_id, consult_call_id, device_id)

    def deflect(self, call_id: str, destination: str, device_id: Optional[str] = None) -> None:
        """Asks the switch to deflect a ringing call to ``destination``."""
        self._call(_ll.pcrm_tel_deflect, call_id, device_id, destination)

    def record_start(self, call_id: str) -> None:
        """Asks the switch to start recording a call."""
        self._call(_ll.pcrm_tel_record_start, call_id)

    def record_stop(self, call_id: str) -> None:
        """Asks the switch to stop recording a call."""
        self._call(_ll.pcrm_tel_record_stop, call_id)

    def send_dtmf(self, call_id: str, digits: str, device_id: Optional[str] = None) -> None:
        """Asks the switch to send DTMF ``digits`` on a call."""
        self._call(_ll.pcrm_tel_send_dtmf, call_id, device_id, digits)

    def supervise(self, actor: Actor, agent_id: str, mode: Union[str, int]) -> None:
        """"monitor", "whisper" or "barge" (the ACD's supervisor check first)."""
        if isinstance(mode, str):
            if mode not in _MODES:
                raise InvalidInput("mode: %r is not one of %s" % (mode, ", ".join(_MODES)))
            mode = _MODES[mode]
        self._call(_ll.pcrm_tel_supervise, _actor(actor), agent_id, mode)

    def make_call(self, call_id: str, agent_id: str, destination: str) -> None:
        """Asks the switch to place an outbound call for an agent to ``destination``."""
        self._call(_ll.pcrm_tel_make_call, call_id, agent_id, destination)

    def dial(self, call_id: str, device_id: str, destination: str, queue_id: str, *,
             min_level: int = 1, preferred_wait_s: int = 0,
             customer: Optional[Mapping[str, Any]] = None) -> None:
        """Places a call to a customer from ``device_id`` (a dialler port) with no agent on it
        yet (pcrm_tel_dial): once answered (the switch's "queued" event) it joins
        ``queue_id`` with ``min_level`` and, given ``customer`` (a dict with "customer_no",
        "vip_level", optionally "account_manager"), that customer's VIP priority and account
        manager.  :class:`powercrm.Dialler` does this for a campaign."""
        c = customer or {}
        self._call(_ll.pcrm_tel_dial, call_id, device_id, destination, queue_id, int(min_level),
                   int(preferred_wait_s), c.get("customer_no") if customer else None,
                   int(c.get("vip_level", 0)), c.get("account_manager"))

    def set_agent_state(self, agent_id: str, state: Union[str, int],
                        device_id: Optional[str] = None, reason: Optional[str] = None) -> None:
        """Asks the switch to put an agent in a state of :data:`TEL_AGENT_STATES`."""
        self._call(_ll.pcrm_tel_agent_set_state, agent_id, device_id,
                   _name(TEL_AGENT_STATES, state, "state"), reason)

    # -- restart and re-synchronisation ---------------------------------------------------

    def resync(self) -> None:
        """Asks the switch for a snapshot (its ``snapshot`` method)."""
        self._call(_ll.pcrm_tel_resync)

    def snapshot_begin(self) -> None:
        """Starts a resynchronisation snapshot (after a switch link outage)."""
        self._call(_ll.pcrm_tel_snapshot_begin)

    def snapshot_agent(self, agent_id: str, device_id: str, state: Union[str, int] = "logged_on",
                       reason: Optional[str] = None) -> None:
        """Reports one agent's state in the current snapshot."""
        self._call(_ll.pcrm_tel_snapshot_agent, agent_id, device_id,
                   _name(TEL_AGENT_STATES, state, "state"), reason)

    def snapshot_call(self, call_id: str, state: Union[str, int] = "queued",
                      device_id: Optional[str] = None, *, caller_number: Optional[str] = None,
                      dialled_number: Optional[str] = None, digits: Optional[str] = None,
                      service: Optional[str] = None, since: int = 0) -> None:
        """Reports one call's state in the current snapshot."""
        self._call(_ll.pcrm_tel_snapshot_call, call_id, _name(CALL_STATES, state, "state"),
                   device_id, caller_number, dialled_number, digits, service, int(since))

    def snapshot_end(self) -> Dict[str, int]:
        """Reconciles; returns what changed as a dict (pcrm_tel_resync_report)."""
        r = self._call(_ll.pcrm_tel_snapshot_end)
        return {n: getattr(r, n) for n in _REPORT}

    # -- inspection -----------------------------------------------------------------------

    def call(self, call_id: str) -> Dict[str, Any]:
        """A call as the adapter tracks it, as a dict ("state" by name)."""
        c = self._call(_ll.pcrm_tel_call_get, call_id)
        d = {n: getattr(c, n) for n in _CALL_TEXT}
        d.update(state=_ll.pcrm_tel_call_state_name(c.state), with_acd=bool(c.with_acd),
                 recording=bool(c.recording), outbound=bool(c.outbound),
                 last_event_at=c.last_event_at)
        return d

    def agent_device(self, agent_id: str) -> str:
        """The device the agent is logged on at (NotFound when none)."""
        return self._call(_ll.pcrm_tel_agent_device, agent_id, _ll.PCRM_TEL_ID_MAX + 1)

    def stats(self) -> Dict[str, Any]:
        """Counters; "rejected", "events_by_type", "requests_failed" are dicts by name."""
        s = self._call(_ll.pcrm_tel_stats_get)
        return {
            "events_accepted": s.events_accepted,
            "events_rejected": s.events_rejected,
            "rejected": {REJECT_KINDS[i]: s.rejected_at(i) for i in range(1, len(REJECT_KINDS))},
            "events_by_type": {n: s.events_by_type_at(i) for n, i in EVENT_TYPES.items()},
            "requests_sent": s.requests_sent,
            "requests_failed": {SWITCH_RESULTS[i]: s.requests_failed_at(i)
                                for i in range(1, len(SWITCH_RESULTS))},
            "requests_unsupported": s.requests_unsupported,
            "routes_failed": s.routes_failed,
            "lookup_errors": s.lookup_errors,
            "resyncs": s.resyncs,
            "calls_live": s.calls_live,
        }

    def close(self) -> None:
        """Frees the runtime (and removes its ACD callback), then the switch table.  Idempotent."""
        if self._handle is not None:
            self._handle.close()
        self._switch.close()

    def __repr__(self) -> str:
        return "<powercrm.Telephony %s>" % ("closed" if self.closed else "open")
