"""Staffing mathematics: Erlang B / C / A, required agents, staffing curves, shift plans.

Pure computation (thread-safe, the GIL is released while C computes).
Times are seconds, volumes are calls per interval, probabilities and
occupancies are floats (they are not money); shrinkage is an exact
``decimal.Decimal`` (``Decimal("0.30")``), so 21 agents at 30 % shrinkage
schedule exactly 30.  Results are frozen dataclasses.

    >>> q = Queue(calls=100, interval_s=1800, aht_s=180)
    >>> staffing_required(q, StaffingTarget(service_level=0.8, target_s=20,
    ...                                     shrinkage=Decimal("0.30"))).scheduled
    20
"""

import dataclasses
import decimal as _decimal
import enum
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import lowlevel as _ll
from .money import DecimalLike, _to_c as _decimal_to_c

__all__ = [
    "QueueModel", "ShiftObjective", "Queue", "QueueMetrics", "StaffingTarget", "StaffingResult",
    "ForecastInterval", "Shift", "ShiftPlan", "STAFFING_MAX_AGENTS", "SHIFT_COST_MAX",
    "erlang_load", "erlang_b", "erlang_b_lines", "erlang_c", "erlang_c_metrics",
    "erlang_a_metrics", "staffing_required", "staffing_shrink", "staffing_curve",
    "staffing_weekday_profile", "shift_plan",
]

STAFFING_MAX_AGENTS = _ll.PCRM_STAFFING_MAX_AGENTS
SHIFT_COST_MAX = _ll.PCRM_SHIFT_COST_MAX


class QueueModel(enum.IntEnum):
    """pcrm_queue_model: ERLANG_C (callers never abandon) or ERLANG_A (they do)."""

    ERLANG_C = _ll.PCRM_QUEUE_ERLANG_C
    ERLANG_A = _ll.PCRM_QUEUE_ERLANG_A

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            return cls.__members__.get(value.upper())
        return None


class ShiftObjective(enum.IntEnum):
    """pcrm_shift_objective: MIN_COST (cover every interval) or MIN_DEVIATION."""

    MIN_COST = _ll.PCRM_SHIFT_MIN_COST
    MIN_DEVIATION = _ll.PCRM_SHIFT_MIN_DEVIATION

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            return cls.__members__.get(value.upper())
        return None


@dataclasses.dataclass(frozen=True)
class Queue:
    """One interval of one queue (pcrm_queue)."""

    calls: float
    interval_s: float
    aht_s: float
    patience_s: float = 0.0  # Erlang A only

    def _c(self) -> Any:
        q = _ll.pcrm_queue()
        q.calls, q.interval_s = float(self.calls), float(self.interval_s)
        q.aht_s, q.patience_s = float(self.aht_s), float(self.patience_s)
        return q


@dataclasses.dataclass(frozen=True)
class QueueMetrics:
    """pcrm_queue_metrics: how a queue performs with a given number of agents."""

    erlangs: float
    p_wait: float
    p_abandon: float
    service_level: float
    service_level_excl: float
    asa_s: float
    avg_wait_s: float
    occupancy: float

    @classmethod
    def _from_c(cls, m: Any) -> "QueueMetrics":
        return cls(m.erlangs, m.p_wait, m.p_abandon, m.service_level, m.service_level_excl,
                   m.asa_s, m.avg_wait_s, m.occupancy)


@dataclasses.dataclass(frozen=True)
class StaffingTarget:
    """What "enough agents" means (pcrm_staffing_target); a goal of 0 is not set."""

    service_level: float = 0.0       # e.g. 0.8 of "80/20"
    target_s: float = 0.0            # e.g. 20 of "80/20"
    max_asa_s: float = 0.0
    max_abandon: float = 0.0         # Erlang A only
    max_occupancy: float = 0.0
    shrinkage: _decimal.Decimal = _decimal.Decimal(0)
    model: QueueModel = QueueModel.ERLANG_C

    def _c(self) -> Any:
        t = _ll.pcrm_staffing_target()
        t.version = _ll.PCRM_STAFFING_TARGET_VERSION
        t.model = int(QueueModel(self.model))
        t.service_level, t.target_s = float(self.service_level), float(self.target_s)
        t.max_asa_s, t.max_abandon = float(self.max_asa_s), float(self.max_abandon)
        t.max_occupancy = float(self.max_occupancy)
        t.shrinkage = _decimal_to_c(self.shrinkage, "shrinkage")
        return t


@dataclasses.dataclass(frozen=True)
class StaffingResult:
    """Agents needed on the phones, agents to schedule, and the queue's performance."""

    agents: int
    scheduled: int
    metrics: QueueMetrics


@dataclasses.dataclass(frozen=True)
class ForecastInterval:
    """The forecast of one interval: calls offered and average handle time."""

    calls: float
    aht_s: float


@dataclasses.dataclass(frozen=True)
class Shift:
    """A kind of shift (pcrm_shift).

    Contiguous: ``length`` intervals from ``start`` (running over the end of
    a cyclic horizon).  With ``pattern`` (one truthy/falsy value per
    interval: breaks, split shifts) start and length are ignored.
    """

    start: int = 0
    length: int = 0
    cost: int = 0
    max_agents: int = 0
    pattern: Optional[Iterable[object]] = None  # truthy = on duty, per interval; or bytes


@dataclasses.dataclass(frozen=True)
class ShiftPlan:
    """The answer of :func:`shift_plan`."""

    counts: List[int]  # agents per shift, in the order of the shifts given
    staffed: List[int]  # agents on duty per interval
    cost: int
    agents: int
    shortage: int
    surplus: int
    optimal: bool    # proven optimal (False: the documented heuristic answered)


#: a queue: a Queue, a dict of its fields, or (calls, interval_s, aht_s[, patience_s])
QueueLike = Union[Queue, Mapping[str, float], Sequence[float]]
#: a target: a StaffingTarget or a dict of its fields
TargetLike = Union[StaffingTarget, Mapping[str, Any]]
#: a forecast interval: a ForecastInterval, a dict with calls and aht_s, or (calls, aht_s)
IntervalLike = Union[ForecastInterval, Mapping[str, float], Tuple[float, float]]
#: a shift: a Shift, a dict of its fields or a tuple of them
ShiftLike = Union[Shift, Mapping[str, Any], Sequence[Any]]


def _queue(queue: QueueLike) -> Any:
    if isinstance(queue, Queue):
        return queue._c()
    return Queue(**queue)._c() if isinstance(queue, dict) else Queue(*queue)._c()


def _target(target: TargetLike) -> Any:
    if isinstance(target, StaffingTarget):
        return target._c()
    return StaffingTarget(**target)._c()


def _result(agents: int, scheduled: int, metrics: Sequence[float]) -> StaffingResult:
    return StaffingResult(agents, scheduled, QueueMetrics(*metrics))


def _pairs(intervals: Iterable[IntervalLike]) -> List[Tuple[float, float]]:
    out = []
    for iv in intervals:
        if isinstance(iv, ForecastInterval):
            out.append((float(iv.calls), float(iv.aht_s)))
        elif isinstance(iv, dict):
            out.append((float(iv["calls"]), float(iv["aht_s"])))
        else:
            calls, aht_s = iv
            out.append((float(calls), float(aht_s)))
    return out


def erlang_load(queue: QueueLike) -> float:
    """Offered load in erlangs: calls * aht_s / interval_s."""
    return _ll.pcrm_erlang_load(_queue(queue))


def erlang_b(erlangs: float, lines: int) -> float:
    """Erlang B blocking probability of `lines` lines at `erlangs` offered load."""
    return _ll.pcrm_erlang_b(float(erlangs), int(lines))


def erlang_b_lines(erlangs: float, max_blocking: float) -> int:
    """The fewest lines with blocking <= max_blocking (10 erlangs at 2 % -> 17)."""
    return _ll.pcrm_erlang_b_lines(float(erlangs), float(max_blocking))


def erlang_c(erlangs: float, agents: int) -> float:
    """Erlang C probability of waiting."""
    return _ll.pcrm_erlang_c(float(erlangs), int(agents))


def erlang_c_metrics(queue: QueueLike, agents: int, target_s: float) -> QueueMetrics:
    """Every QueueMetrics of the Erlang C model with `agents` agents."""
    return QueueMetrics._from_c(_ll.pcrm_erlang_c_metrics(_queue(queue), int(agents),
                                                          float(target_s)))


def erlang_a_metrics(queue: QueueLike, agents: int, target_s: float) -> QueueMetrics:
    """Every QueueMetrics of the Erlang A model (callers abandon after queue.patience_s)."""
    return QueueMetrics._from_c(_ll.pcrm_erlang_a_metrics(_queue(queue), int(agents),
                                                          float(target_s)))


def staffing_required(queue: QueueLike, target: TargetLike) -> StaffingResult:
    """The fewest agents meeting every goal of `target`, and the number to schedule."""
    r = _ll.pcrm_staffing_required(_queue(queue), _target(target))
    return StaffingResult(r.agents, r.scheduled, QueueMetrics._from_c(r.metrics))


def staffing_shrink(agents: int, shrinkage: DecimalLike) -> int:
    """Agents to schedule so that `agents` stay on the phones: exact ceil(agents / (1 - s))."""
    return _ll.pcrm_staffing_shrink(int(agents), _decimal_to_c(shrinkage, "shrinkage"))


def staffing_curve(intervals: Iterable[IntervalLike], interval_s: float, target: TargetLike,
                   patience_s: float = 0.0) -> List[StaffingResult]:
    """staffing_required() for each interval of a forecast; a list of StaffingResult.

    ``intervals``: ForecastInterval, (calls, aht_s) pairs or dicts.  An error
    names the interval ("interval 17: ...").
    """
    rows = _ll.pcrm_staffing_curve(_pairs(intervals), float(interval_s), float(patience_s),
                                   _target(target))
    return [_result(*row) for row in rows]


def staffing_weekday_profile(history: Iterable[IntervalLike], per_day: int,
                             first_weekday: int) -> Tuple[List[List[ForecastInterval]], List[int]]:
    """Averages `history` (whole days of `per_day` intervals) by weekday and interval.

    ``first_weekday`` is 0 = Monday .. 6 = Sunday.  Returns (profile, samples):
    profile[weekday][interval] is a ForecastInterval, samples[weekday] the
    number of days averaged.
    """
    flat, samples = _ll.pcrm_staffing_weekday_profile(_pairs(history), int(per_day),
                                                      int(first_weekday))
    per_day = int(per_day)
    profile = [[ForecastInterval(*flat[w * per_day + i]) for i in range(per_day)]
               for w in range(7)]
    return profile, samples


def _pattern(p: Optional[Iterable[object]], intervals: int) -> Optional[bytes]:
    if p is None:
        return None
    if isinstance(p, (bytes, bytearray)):
        return bytes(p)
    return bytes(1 if x else 0 for x in p)


def shift_plan(required: Iterable[int], shifts: Iterable[ShiftLike], *, cyclic: bool = False,
               max_staffed: Optional[Iterable[int]] = None,
               objective: Union[ShiftObjective, int, str] = "min_cost") -> ShiftPlan:
    """How many agents to put on each shift to cover `required` (agents per interval).

    ``shifts``: :class:`Shift` objects.  ``objective``: 'min_cost' (cover every
    interval at minimum cost; InvalidInput "infeasible: ..." when impossible)
    or 'min_deviation'.  Returns a :class:`ShiftPlan`.
    """
    required = [int(r) for r in required]
    spec = []
    for s in shifts:
        if not isinstance(s, Shift):
            s = Shift(**s) if isinstance(s, dict) else Shift(*s)
        spec.append((int(s.start), int(s.length), _pattern(s.pattern, len(required)),
                     int(s.cost), int(s.max_agents)))
    goal = ShiftObjective(objective)  # type: ignore[arg-type]  # a name too
    counts, staffed, (cost, agents, shortage, surplus, optimal) = \
        _ll.pcrm_staffing_shift_plan(required, None if max_staffed is None else list(max_staffed),
                                     1 if cyclic else 0, spec, int(goal))
    return ShiftPlan(counts, staffed, cost, agents, shortage, surplus, bool(optimal))
