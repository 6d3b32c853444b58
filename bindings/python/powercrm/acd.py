"""The ACD engine (自动呼叫分配): skill-based routing, agent states, statistics, events.

    acd = powercrm.Acd({"version": 1, "queues": [{"id": "billing"}],
                        "agents": [{"id": "1001", "skills": {"billing": 5}}]},
                       clock=powercrm.ManualClock(0))
    acd.login("1001"); acd.ready("1001")
    acd.arrive("c-1", "billing", caller_number="13800138000")   # -> "offered"
    for event in acd.events():          # the poll queue, as dicts
        print(event["type"])

The engine is in memory and thread-safe: call one :class:`Acd` from several
Python threads (calls release the GIL).  Names of states, strategies,
outcomes and event types are the library's strings (docs/acd.md); events,
snapshots and statistics are plain dicts; failures raise the library's
exceptions (:class:`powercrm.NotFound` for an unknown id,
:class:`powercrm.WrongState` for a forbidden transition, ...).  The
supervisor actions raise :class:`powercrm.PermissionDenied` alike for an id
of another unit and for one nobody has (no existence oracle).

Time: without a clock the engine reads the system clock.  A simulation
passes a :class:`ManualClock` and moves it by hand (``clock.advance(ms)``
then ``acd.tick()``); a Python function is not accepted as the clock,
because the engine reads its clock while holding its lock.
"""

import json
from typing import (TYPE_CHECKING, Any, Callable, ContextManager, Dict, Iterable, Iterator, List,
                    Literal, Mapping, Optional, Union)

from . import lowlevel as _ll
from ._types import JsonText
from .actor import Actor, _native as _actor
from .errors import InvalidInput
from .handles import Handle, HandleOwner

if TYPE_CHECKING:
    from .call_records import CallRecordSink

__all__ = ["Acd", "ManualClock", "AGENT_STATES", "cdr_dict", "EventCallback", "CdrCallback"]

#: an event callback: called with each event as a dict
EventCallback = Callable[[Dict[str, Any]], object]
#: a CDR sink callable: called with a list of CDR dicts; raising keeps them pending
CdrCallback = Callable[[List[Dict[str, Any]]], object]

#: agent state names, indexed by their numbers
AGENT_STATES = tuple(_ll.pcrm_acd_agent_state_name(i) for i in range(_ll.PCRM_ACD_STATE_COUNT))

_NO_AGENT = {"wait": _ll.PCRM_ACD_NO_AGENT_WAIT, "refuse": _ll.PCRM_ACD_NO_AGENT_REFUSE,
             "overflow": _ll.PCRM_ACD_NO_AGENT_OVERFLOW}
_RULE_ACTIONS = {"lower_min_level": _ll.PCRM_ACD_RULE_LOWER_MIN_LEVEL,
                 "add_queue": _ll.PCRM_ACD_RULE_ADD_QUEUE,
                 "raise_priority": _ll.PCRM_ACD_RULE_RAISE_PRIORITY}
_DISPOSITIONS = {_ll.PCRM_ACD_QUEUED: "queued", _ll.PCRM_ACD_OFFERED: "offered",
                 _ll.PCRM_ACD_REFUSED_FULL: "refused_full",
                 _ll.PCRM_ACD_REFUSED_NO_AGENT: "refused_no_agent"}
_MODES = {_ll.pcrm_acd_supervise_mode_name(m): m
          for m in (_ll.PCRM_ACD_MONITOR, _ll.PCRM_ACD_WHISPER, _ll.PCRM_ACD_BARGE)}


def _choose(table: Mapping[Any, int], value: Any, what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # the library names a bad number
    try:
        return table[value]
    except (KeyError, TypeError):
        raise InvalidInput("%s: %r is not one of %s" % (what, value, ", ".join(table))) from None


def _state(value: Union[str, int]) -> int:
    return _choose({name: i for i, name in enumerate(AGENT_STATES)}, value, "state")


def _strategy(value: Union[str, int]) -> int:
    return _ll.pcrm_acd_strategy_parse(value) if isinstance(value, str) else int(value)


def _fields(proxy: Any, names: Iterable[str]) -> Dict[str, Any]:
    return {n: getattr(proxy, n) for n in names}


_QUEUE_COUNTS = ("offered", "answered", "abandoned", "short_abandoned", "answered_in_target",
                 "refused", "overflowed_out", "moved_out", "timed_out", "handled",
                 "wait_answered_ms", "talk_ms", "hold_ms", "wrap_up_ms", "service_level",
                 "service_level_excl", "asa_s", "aht_s")
_AGENT_COUNTS = ("offered", "answered", "missed", "handled", "talk_ms", "hold_ms", "wrap_up_ms",
                 "occupancy", "aht_s")
_ENGINE = ("agents", "agents_logged_in", "queues", "calls_live", "calls_waiting",
           "calls_arrived", "routing_decisions", "invalid_requests", "invalid_unknown_id",
           "invalid_transition", "invalid_input", "events_emitted", "events_dropped",
           "events_queued", "cdrs_emitted", "cdrs_flushed", "cdrs_dropped", "cdrs_pending")
_CDR_TEXT = ("call_id", "queue_id", "first_queue_id", "agent_id", "caller_number", "customer_no")
_CDR_INT = ("priority", "misses", "overflows", "arrived_at", "answered_at", "ended_at",
            "wrap_up_end_at", "wait_ms", "talk_ms", "hold_ms", "wrap_up_ms")


def _agent_counts(c: Any) -> Dict[str, Any]:
    d = _fields(c, _AGENT_COUNTS)
    d["state_ms"] = {name: c.state_ms_at(i) for i, name in enumerate(AGENT_STATES)}
    return d


def cdr_dict(cdr: Any) -> Dict[str, Any]:
    """A call detail record (pcrm_acd_cdr) as a dict; "outcome" by name, "short_abandon" a bool."""
    d = _fields(cdr, _CDR_TEXT + _CDR_INT)
    d["outcome"] = _ll.pcrm_acd_outcome_name(cdr.outcome)
    d["short_abandon"] = bool(cdr.short_abandon)
    return d


class ManualClock(HandleOwner):
    """A clock the engine reads and Python sets: milliseconds since the epoch (UTC).

    Reading it is atomic, so any thread may move it while others call the
    engine.  Moving it backwards has no effect on the engine (its time never
    goes back).  Call :meth:`Acd.tick` after moving it to run due timers.
    """

    __slots__ = ("_handle",)

    def __init__(self, start_ms: int = 0) -> None:
        self._handle = Handle(_ll.pcrm_py_acd_clock_new(int(start_ms)), _ll.pcrm_py_acd_clock_free,
                              "manual clock")

    @property
    def now(self) -> int:
        """The clock's current time in milliseconds since the epoch."""
        with self._handle as c:
            return _ll.pcrm_py_acd_clock_get(c)

    def set(self, ms: int) -> None:
        """Sets the time to `ms`."""
        with self._handle as c:
            _ll.pcrm_py_acd_clock_set(c, int(ms))

    def advance(self, ms: int) -> int:
        """Moves the time forward by `ms` milliseconds; returns the new time."""
        with self._handle as c:
            now = _ll.pcrm_py_acd_clock_get(c) + int(ms)
            _ll.pcrm_py_acd_clock_set(c, now)
            return now


class Acd(HandleOwner):
    """One engine (pcrm_acd).

    ``config``: None (an empty engine, built with :meth:`add_queue` and
    :meth:`add_agent`), a dict or a JSON string (docs/acd.md, Configuration).
    ``clock``: None (the system clock), a :class:`ManualClock`, or an int:
    the start of a new ManualClock, then available as ``acd.clock``.
    ``options``: when ``config`` is None, the engine-wide settings of
    pcrm_acd_options by name (``ring_timeout_s=20, event_queue_capacity=0``).
    """

    def __init__(self, config: Optional[JsonText] = None, *,
                 clock: Union[ManualClock, int, None] = None, **options: Any) -> None:
        self._handle = None  # type: ignore[assignment]  # a Handle once the engine exists
        self._callback: Optional[Callable[[str], None]] = None
        self._sink: Optional[Callable[[Any], None]] = None
        if isinstance(clock, int) and not isinstance(clock, bool):
            clock = ManualClock(clock)
        if clock is not None and not isinstance(clock, ManualClock):
            raise TypeError("clock: expected a powercrm.ManualClock, an int or None, got %s"
                            % type(clock).__name__)
        self.clock = clock
        if config is None:
            # pcrm_acd_options has the same names as the document's top-level keys
            config = dict(options, version=1)
        elif options:
            raise TypeError("options: give them in the configuration document instead")
        text = config if isinstance(config, str) else json.dumps(config)
        with _clock_ptr(clock) as c:
            ptr = _ll.pcrm_acd_new_from_json(text, c)
        self._handle = Handle(ptr, _ll.pcrm_acd_free, "ACD engine")

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        with self._handle as a:
            return fn(a, *args)

    # -- time ----------------------------------------------------------------------------

    def now(self) -> int:
        """The engine's time in milliseconds since the epoch."""
        return self._call(_ll.pcrm_acd_now)

    def tick(self) -> None:
        """Runs every timer due at the clock's current time."""
        self._call(_ll.pcrm_acd_tick)

    # -- configuration -------------------------------------------------------------------

    def add_queue(self, queue_id: str, *, strategy: Union[str, int] = "longest_idle",
                  sl_percent: int = 80, sl_target_s: int = 20, max_waiting: int = 0,
                  max_wait_s: int = 0, no_agent: Union[str, int] = "wait",
                  overflow_queue: Optional[str] = None, wrap_up_s: int = 10,
                  ring_timeout_s: int = 0, rules: Iterable[Mapping[str, Any]] = (),
                  org_unit: Optional[str] = None) -> None:
        """Adds a queue (skill group).  ``rules``: dicts with after_s, action, value, queue_id."""
        parsed = []
        for i, r in enumerate(rules):
            try:
                parsed.append((int(r["after_s"]), _choose(_RULE_ACTIONS, r["action"],
                                                          "rules[%d].action" % i),
                               int(r.get("value", 0)), r.get("queue_id")))
            except (KeyError, TypeError, ValueError, AttributeError):
                raise InvalidInput("rules[%d]: expected a dict with after_s, action, value"
                                   % i) from None
        self._call(_ll.pcrm_acd_queue_add, queue_id, _strategy(strategy), int(sl_percent),
                   int(sl_target_s), int(max_waiting), int(max_wait_s),
                   _choose(_NO_AGENT, no_agent, "no_agent"), overflow_queue, int(wrap_up_s),
                   int(ring_timeout_s), org_unit, parsed)

    def add_agent(self, agent_id: str, skills: Mapping[str, int], *,
                  org_unit: Optional[str] = None) -> None:
        """Adds an agent, logged out; ``skills`` maps skill names to levels 1..10."""
        self._call(_ll.pcrm_acd_agent_add, agent_id, org_unit, skills)

    def set_skill(self, agent_id: str, skill: str, level: int) -> None:
        """Sets a skill's level (1..10), or removes it with 0."""
        self._call(_ll.pcrm_acd_agent_set_skill, agent_id, skill, int(level))

    def add_reason(self, reason: str) -> None:
        """Adds a not-ready reason code."""
        self._call(_ll.pcrm_acd_reason_add, reason)

    def add_org_unit(self, code: str, parent: Optional[str] = None) -> None:
        """Declares an org unit (parents first), for supervisor scope checks."""
        self._call(_ll.pcrm_acd_org_unit_add, code, parent)

    # -- agents ---------------------------------------------------------------------------

    def login(self, agent_id: str) -> None:
        """Logs an agent in (state not_ready until ready())."""
        self._call(_ll.pcrm_acd_agent_login, agent_id)

    def logout(self, agent_id: str) -> None:
        """Logs an agent out; refused while the agent has a call."""
        self._call(_ll.pcrm_acd_agent_logout, agent_id)

    def ready(self, agent_id: str) -> None:
        """Makes the agent ready; it is offered the best waiting call at once, if any."""
        self._call(_ll.pcrm_acd_agent_ready, agent_id)

    def not_ready(self, agent_id: str, reason: str) -> None:
        """Puts an agent in not_ready with a reason code (break, training, ...)."""
        self._call(_ll.pcrm_acd_agent_not_ready, agent_id, reason)

    def end_wrap_up(self, agent_id: str) -> None:
        """Ends an agent's wrap-up: the agent becomes ready again."""
        self._call(_ll.pcrm_acd_agent_end_wrap_up, agent_id)

    def agent(self, agent_id: str) -> Dict[str, Any]:
        """A snapshot of one agent: agent_id, state (name), reason, call_id, state_since, ..."""
        i = self._call(_ll.pcrm_acd_agent_get, agent_id)
        return {"agent_id": i.agent_id, "state": AGENT_STATES[i.state], "reason": i.reason,
                "call_id": i.call_id, "state_since": i.state_since,
                "consecutive_misses": i.consecutive_misses}

    # -- calls ----------------------------------------------------------------------------

    def arrive(self, call_id: str, queue_id: str, *, priority: int = 0, min_level: int = 1,
               skills: Optional[Mapping[str, int]] = None, preferred_agent: Optional[str] = None,
               preferred_wait_s: int = 0, caller_number: Optional[str] = None,
               customer_no: Optional[str] = None) -> str:
        """A call arrives; returns "offered", "queued", "refused_full" or "refused_no_agent"."""
        d = self._call(_ll.pcrm_acd_call_arrive, call_id, queue_id, int(priority),
                       int(min_level), skills, preferred_agent, int(preferred_wait_s),
                       caller_number, customer_no)
        return _DISPOSITIONS[d]

    def answer(self, call_id: str, agent_id: str) -> None:
        """The offered agent answers the call."""
        self._call(_ll.pcrm_acd_call_answer, call_id, agent_id)

    def decline(self, call_id: str, agent_id: str) -> None:
        """The offered agent declines the call; it goes back to its queue."""
        self._call(_ll.pcrm_acd_call_decline, call_id, agent_id)

    def hold(self, call_id: str) -> None:
        """Puts a talking call on hold."""
        self._call(_ll.pcrm_acd_call_hold, call_id)

    def unhold(self, call_id: str) -> None:
        """Takes a held call off hold."""
        self._call(_ll.pcrm_acd_call_unhold, call_id)

    def hangup(self, call_id: str) -> None:
        """The call ends (caller or agent hung up), waiting, ringing or talking."""
        self._call(_ll.pcrm_acd_call_hangup, call_id)

    def call(self, call_id: str) -> Dict[str, Any]:
        """A snapshot of one live call."""
        c = self._call(_ll.pcrm_acd_call_get, call_id)
        return {"call_id": c.call_id, "queue_id": c.queue_id, "agent_id": c.agent_id,
                "state": _ll.pcrm_acd_call_state_name(c.state), "priority": c.priority,
                "min_level": c.min_level, "queue_count": c.queue_count,
                "arrived_at": c.arrived_at, "misses": c.misses}

    # -- supervisors ----------------------------------------------------------------------
    # The actor needs call.monitor and the target's unit or one above it; an agent, call or
    # queue id nobody has raises PermissionDenied like one of another unit, same message.

    def force_state(self, actor: Actor, agent_id: str, state: Union[str, int],
                    reason: Optional[str] = None) -> None:
        """Forces an agent into "logged_out", "ready" or "not_ready"."""
        self._call(_ll.pcrm_acd_agent_force_state, _actor(actor), agent_id, _state(state), reason)

    def force_logout(self, actor: Actor, agent_id: str) -> None:
        """A supervisor (``actor``) logs an agent out."""
        self._call(_ll.pcrm_acd_agent_force_logout, _actor(actor), agent_id)

    def move_call(self, actor: Actor, call_id: str, queue_id: str) -> None:
        """A supervisor (``actor``) moves a waiting call to another queue."""
        self._call(_ll.pcrm_acd_call_move, _actor(actor), call_id, queue_id)

    def supervise(self, actor: Actor, agent_id: str, mode: Union[str, int]) -> None:
        """Asks the adapter to "monitor", "whisper" to or "barge" into an agent's call."""
        self._call(_ll.pcrm_acd_supervise, _actor(actor), agent_id,
                   _choose(_MODES, mode, "mode"))

    # -- statistics -----------------------------------------------------------------------

    def queue_stats(self, queue_id: str) -> Dict[str, Any]:
        """Real-time statistics of a queue: dict with "total" and "interval" counters."""
        s = self._call(_ll.pcrm_acd_queue_stats_get, queue_id)
        return {"queue_id": s.queue_id, "waiting": s.waiting,
                "longest_wait_ms": s.longest_wait_ms, "agents_logged_in": s.agents_logged_in,
                "agents_ready": s.agents_ready, "agents_busy": s.agents_busy,
                "total": _fields(s.total, _QUEUE_COUNTS),
                "interval": _fields(s.interval, _QUEUE_COUNTS),
                "interval_start": s.interval_start}

    def agent_stats(self, agent_id: str) -> Dict[str, Any]:
        """Real-time statistics of an agent: dict with "total" and "interval" counters."""
        s = self._call(_ll.pcrm_acd_agent_stats_get, agent_id)
        return {"agent_id": s.agent_id, "state": AGENT_STATES[s.state],
                "state_since": s.state_since, "total": _agent_counts(s.total),
                "interval": _agent_counts(s.interval), "interval_start": s.interval_start}

    def queue_interval(self, queue_id: str, index: int = 0) -> Dict[str, Any]:
        """A completed interval (0 = the latest): its counters and "start"."""
        start, c = self._call(_ll.pcrm_acd_queue_interval_get, queue_id, int(index))
        return dict(_fields(c, _QUEUE_COUNTS), start=start)

    def agent_interval(self, agent_id: str, index: int = 0) -> Dict[str, Any]:
        """A completed interval of an agent (0 = the latest): its counters and "start"."""
        start, c = self._call(_ll.pcrm_acd_agent_interval_get, agent_id, int(index))
        return dict(_agent_counts(c), start=start)

    def engine_stats(self) -> Dict[str, Any]:
        """Engine-wide counters as a dict (agents, queues, calls, events, CDRs)."""
        return _fields(self._call(_ll.pcrm_acd_engine_stats_get), _ENGINE)

    # -- events ---------------------------------------------------------------------------

    def on_event(self, callback: Optional[EventCallback]) -> None:
        """Calls ``callback(event_dict)`` for every event (None removes it).

        It runs in the thread whose call produced the event, outside the
        engine's lock; an exception it raises is re-raised by that call.
        """
        if callback is None:
            self._call(_ll.pcrm_acd_set_event_callback, None)
            self._callback = None
            return

        report = callback  # the narrowed (not None) type, for the closure

        def deliver(text: str) -> None:
            report(json.loads(text))
        self._call(_ll.pcrm_acd_set_event_callback, deliver)
        self._callback = deliver  # the engine holds it: keep it alive

    def poll(self, max_events: int = 256, timeout_ms: int = 0) -> List[Dict[str, Any]]:
        """Takes up to ``max_events`` events from the poll queue (waiting up to timeout_ms)."""
        return [json.loads(t) for t in self._call(_ll.pcrm_acd_events_poll, int(max_events),
                                                  int(timeout_ms))]

    def events(self, timeout_ms: int = 0, batch: int = 256) -> Iterator[Dict[str, Any]]:
        """Iterates over the poll queue, oldest first, until it stays empty for timeout_ms."""
        while True:
            got = self.poll(batch, timeout_ms)
            if not got:
                return
            yield from got

    # -- call detail records --------------------------------------------------------------

    def set_cdr_sink(self, sink: Union["CallRecordSink", CdrCallback, None]) -> None:
        """Where CDRs go on :meth:`flush_cdrs`: a :class:`powercrm.CallRecordSink` (the store),
        a callable taking a list of CDR dicts (raise to keep them pending), or None."""
        if sink is None:
            self._call(_ll.pcrm_acd_set_cdr_sink, None)
            self._sink = None
            return
        write = getattr(sink, "_write_cdrs", None)
        if write is None:
            if not callable(sink):
                raise TypeError("sink: expected a CallRecordSink, a callable or None")

            deliver = sink  # the narrowed (callable) type, for the closure

            def write(cdrs: Any) -> None:
                deliver([cdr_dict(c) for c in cdrs])
        self._call(_ll.pcrm_acd_set_cdr_sink, write)
        self._sink = write  # the engine holds it: keep it alive

    def flush_cdrs(self) -> int:
        """Hands every pending CDR to the sink; returns how many it accepted.

        A sink that fails raises (its own exception, or the library's
        IOFailure) and the CDRs stay pending for the next flush.
        """
        return self._call(_ll.pcrm_acd_cdr_flush)

    def close(self) -> None:
        """Frees the engine (pending events and CDRs are dropped).  Idempotent."""
        if self._handle is not None:
            self._handle.close()

    def __repr__(self) -> str:
        return "<powercrm.Acd %s>" % ("closed" if self.closed else "open")


class _NoClock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> Literal[False]:
        return False


def _clock_ptr(clock: Optional[ManualClock]) -> ContextManager[Any]:
    if clock is None:
        return _NoClock()
    return clock._handle

