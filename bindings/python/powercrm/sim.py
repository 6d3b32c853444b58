"""The simulated switch: a deterministic simulation of a day's calls that
drives the ACD through the telephony adapter (docs/simulator.md).

    sim = Simulation(acd_config, queues=[SimQueue("billing", calls=[100] * 48)],
                     agents=[SimAgent("a%d" % i) for i in range(14)], seed=7)
    sim.run()
    sim.queue("billing")["total"]["service_level"]

Replay a recorded day against another staffing plan: give each queue its
``log`` (``(at_s, talk_s, patience_s)`` per call, patience < 0 when the
caller never hung up) and run once per plan; the callers are the same in
every run, so the service levels compare directly (:func:`replay_compare`).
"""

import dataclasses
from typing import Any, Dict, Iterable, List, Literal, Optional, Sequence, Tuple
import enum
import json

from . import lowlevel as _ll
from ._types import JsonText
from .handles import Handle
from .staffing import Shift

__all__ = ["Dist", "DistKind", "SimQueue", "SimAgent", "SimStats", "Simulation",
           "shift_stretches", "replay_compare"]


class DistKind(enum.IntEnum):
    """pcrm_sim_dist_kind."""

    NONE = _ll.PCRM_SIM_NONE
    FIXED = _ll.PCRM_SIM_FIXED
    EXPONENTIAL = _ll.PCRM_SIM_EXPONENTIAL
    LOGNORMAL = _ll.PCRM_SIM_LOGNORMAL


@dataclasses.dataclass(frozen=True)
class Dist:
    """A random duration in seconds (pcrm_sim_dist)."""

    kind: DistKind = DistKind.NONE
    mean_s: float = 0.0
    sd_s: float = 0.0

    @classmethod
    def fixed(cls, s: float) -> "Dist":
        """Every duration is ``s`` seconds."""
        return cls(DistKind.FIXED, s)

    @classmethod
    def exponential(cls, mean_s: float) -> "Dist":
        """Exponentially distributed durations with mean ``mean_s`` seconds."""
        return cls(DistKind.EXPONENTIAL, mean_s)

    @classmethod
    def lognormal(cls, mean_s: float, sd_s: float) -> "Dist":
        """Log-normal durations with mean ``mean_s`` and standard deviation ``sd_s`` seconds."""
        return cls(DistKind.LOGNORMAL, mean_s, sd_s)

    def _c(self) -> Tuple[int, float, float]:
        return (int(self.kind), float(self.mean_s), float(self.sd_s))


@dataclasses.dataclass(frozen=True)
class SimQueue:
    """The callers of one ACD queue (pcrm_sim_queue): a rate curve or a call log."""

    queue_id: str
    calls: Sequence[float] = ()  # calls offered per interval
    interval_s: float = 1800.0
    talk: Dist = Dist(DistKind.EXPONENTIAL, 180.0)
    patience: Dist = Dist()
    transfer_p: float = 0.0
    transfer_queue_id: Optional[str] = None
    log: Optional[Sequence[Tuple[float, float, float]]] = None  # (at_s, talk_s, patience_s)

    def _c(self) -> Dict[str, Any]:
        d = {"queue_id": self.queue_id, "calls": [float(c) for c in self.calls],
             "interval_s": float(self.interval_s), "talk": self.talk._c(),
             "patience": self.patience._c(), "transfer_p": float(self.transfer_p)}
        if self.transfer_queue_id is not None:
            d["transfer_queue_id"] = self.transfer_queue_id
        if self.log is not None:
            d["log"] = [(float(a), float(t), float(p)) for a, t, p in self.log]
        return d


@dataclasses.dataclass(frozen=True)
class SimAgent:
    """An ACD agent and its stretches on duty, ``(start_s, end_s)``; none: all day."""

    agent_id: str
    shifts: Sequence[Tuple[float, float]] = ()


@dataclasses.dataclass(frozen=True)
class SimStats:
    """pcrm_sim_stats."""

    calls: int
    transfers: int
    abandons: int
    no_answers: int
    events_fed: int
    events_rejected: int
    requests: int
    routes_refused: int
    cdrs: int
    ended_at: int


class Simulation:
    """A pcrm_sim: builds the ACD from ``acd_config`` (a dict or JSON text), runs once."""

    def __init__(self, acd_config: JsonText, queues: Iterable[SimQueue], agents: Iterable[SimAgent],
                 seed: int = 1, start: int = 0, answer_delay: Dist = Dist(),
                 no_answer_p: float = 0.0, no_answer_s: float = 15.0, wrap_up: Dist = Dist(),
                 tick_ms: int = 1000, keep_cdrs: bool = True) -> None:
        text = acd_config if isinstance(acd_config, str) else json.dumps(acd_config)
        config = {"seed": int(seed), "start": int(start), "tick_ms": int(tick_ms),
                  "keep_cdrs": bool(keep_cdrs), "no_answer_p": float(no_answer_p),
                  "no_answer_s": float(no_answer_s), "answer_delay": answer_delay._c(),
                  "wrap_up": wrap_up._c(), "queues": [q._c() for q in queues],
                  "agents": [(a.agent_id, [(float(s), float(e)) for s, e in a.shifts])
                             for a in agents]}
        self._h = Handle(_ll.pcrm_py_sim_new(text, config), _ll.pcrm_sim_free, "simulation")

    def close(self) -> None:
        """Frees the simulation and its ACD (also when garbage-collected)."""
        self._h.close()

    def __enter__(self) -> "Simulation":
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self.close()
        return False

    def run(self) -> "Simulation":
        """Runs the whole simulation (once)."""
        with self._h as p:
            _ll.pcrm_sim_run(p)
        return self

    @property
    def stats(self) -> SimStats:
        """The run's statistics as a :class:`SimStats`."""
        with self._h as p:
            st = _ll.pcrm_sim_stats_get(p)
        return SimStats(*(int(getattr(st, f.name)) for f in dataclasses.fields(SimStats)))

    def cdrs(self) -> List[Dict[str, Any]]:
        """The ACD's call detail records, as dicts, in the order it produced them."""
        with self._h as p:
            return _ll.pcrm_py_sim_cdrs(p)

    def queue(self, queue_id: str) -> Dict[str, Any]:
        """What the ACD measured for a queue: {"total": {...}, "intervals": [(start_ms, {...})]}."""
        with self._h as p:
            q = _ll.pcrm_py_sim_queue(p, queue_id)
        if q is None:
            raise KeyError(queue_id)
        return q


def shift_stretches(shift: Shift, intervals: int, interval_s: float,
                    cyclic: bool = False) -> List[Tuple[float, float]]:
    """The ``(start_s, end_s)`` stretches of a contiguous staffing :class:`Shift`."""
    if shift.pattern is not None:
        raise ValueError("shift_stretches: patterned shifts are not bound (use the C function)")
    s = _ll.pcrm_shift()
    s.start, s.length, s.cost, s.max_agents = shift.start, shift.length, shift.cost, \
        shift.max_agents
    return _ll.pcrm_sim_shift_stretches(s, intervals, 1 if cyclic else 0, float(interval_s))


def replay_compare(acd_config: JsonText, queues: Sequence[SimQueue],
                   plans: Iterable[Iterable[SimAgent]], seed: int = 1,
                   **options: Any) -> List[Dict[str, Dict[str, Any]]]:
    """Runs the same callers against each staffing plan (a list of SimAgent lists).

    Returns, per plan, {queue_id: the ACD's total counters}.
    """
    out = []
    for agents in plans:
        with Simulation(acd_config, queues, agents, seed=seed, keep_cdrs=False,
                        **options) as sim:
            sim.run()
            out.append({q.queue_id: sim.queue(q.queue_id)["total"] for q in queues})
    return out
