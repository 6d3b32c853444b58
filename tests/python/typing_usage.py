"""A user's code as mypy sees it (the python-types test; not run by pytest).

Lines marked ``# type: ignore[...]`` must be errors: mypy.ini sets
warn_unused_ignores, so if the package's types stopped catching them (a
float where money goes, a misspelt keyword), mypy would fail on the unused
ignore.  The unmarked lines must type-check.
"""

import datetime
import decimal
from typing import Any, Dict, Iterator, List, Optional, Tuple

import powercrm
from powercrm import *  # noqa: F401,F403

# Star import binds __all__: not open, so the builtin stays.
with open(__file__, encoding="utf-8") as f:
    f.read()

total: decimal.Decimal = powercrm.decimal_add("1.10", decimal.Decimal("2.25"))
rounded: decimal.Decimal = powercrm.decimal_mul_round(140, "0.09975", 2, "half_even")
day: datetime.date = powercrm.date_parse("2026-11-30")
instant: int = powercrm.time_parse("2026-11-22T08:30:00+08:00")
text: str = powercrm.time_format(instant, datetime.timedelta(hours=8))
actor = powercrm.Actor("A0001", powercrm.Role.ADMIN, 3, "37")
allowed: bool = actor.can(powercrm.Permission.ARCHIVE_READ)
status: powercrm.Status = powercrm.Status.EINVAL
err_cls = powercrm.exception_class(-2)
assert issubclass(err_cls, powercrm.Error)

with powercrm.open("sqlite::memory:", utc_offset=28800) as ctx:
    depth: int = ctx.tx_depth
    with ctx.transaction() as inner:
        inner.now()

powercrm.decimal_add(1.5, 2)  # type: ignore[arg-type]
powercrm.time_format("2026-11-22")  # type: ignore[arg-type]
powercrm.open("sqlite::memory:", utc_ofset=0)  # type: ignore[call-arg]
wrong: str = powercrm.decimal_sign(1)  # type: ignore[assignment]


# -- the Context's module methods, results and callbacks, as a user writes them ----------

def on_progress(done: int) -> bool:
    """A progress callback: a true return stops the call."""
    return done > 1_000_000


def on_trace(event: powercrm.TraceEvent) -> None:
    """A trace callback."""
    kind: powercrm.TraceKind = event.kind
    sql: str = event.text
    del kind, sql


def on_acd_event(event: Dict[str, Any]) -> None:
    """An ACD event callback: events are dicts."""
    print(event["type"])


def on_trace_old_style(kind: int, text: str) -> None:
    """A callback of the wrong shape for set_trace."""


class Switch:
    """A switch for powercrm.Telephony: only route is required."""

    def route(self, call_id: str, device_id: str, agent_id: str) -> Optional[str]:
        return None


def use_context(ctx: powercrm.Context, actor: powercrm.Actor) -> None:
    ctx.set_trace(on_trace, powercrm.TraceKind.STATEMENT | powercrm.TraceKind.COUNTER)
    customer: powercrm.Customer = ctx.customer_get(actor, "3701000001", reveal_id=True)
    page: powercrm.CustomerPage = ctx.customer_search(actor, name="张三", limit=10)
    for found in page:
        vip: int = found.vip_level
    cursor: Optional[str] = page.next_cursor
    imported: powercrm.ImportResult = ctx.customer_import_file(actor, "customers.jsonl",
                                                               progress=on_progress)
    skipped: int = imported.already_present
    arrears: powercrm.Arrears = ctx.arrears(actor, customer.customer_no, datetime.date.today())
    for item in arrears:
        overdue: int = item.days_past_due
        period: Optional[str] = item.period
    owed: decimal.Decimal = arrears.total
    recon: List[powercrm.ReconItem] = ctx.bank_reconcile(actor, b"...", progress=on_progress)
    ticked: int = ctx.workorder_tick(actor, progress=on_progress)
    checked: int = ctx.audit_verify(actor, progress=on_progress)
    order: powercrm.WorkOrder = ctx.workorder_open(actor, "repair", "K-1", "3701",
                                                   data={"fault": "no power"})
    order = ctx.workorder_fire(actor, order.id, order.version, "dispatch")
    due: Optional[int] = order.due_at
    bills: List[powercrm.BillRecord] = ctx.bills(actor, customer.customer_no)
    lines: Tuple[powercrm.BillLine, ...] = bills[0].lines
    reading: powercrm.Reading = ctx.reading_record(actor, "M1", "peak", decimal.Decimal("12.5"),
                                                   instant)
    tree: Iterator[Tuple[int, powercrm.OrgUnit]] = ctx.org_tree(actor, "37")
    del vip, cursor, skipped, overdue, period, owed, recon, ticked, checked, due, lines
    del reading, tree

    # Wrong calls mypy must reject (each ignore is used, or the test fails):
    ctx.customer_get(actor, 3701000001)  # type: ignore[arg-type]
    ctx.customer_search(actor, nmae="张三")  # type: ignore[call-arg]
    ctx.workorder_tick(actor, progress="every batch")  # type: ignore[arg-type]
    ctx.set_trace(on_trace_old_style)  # type: ignore[arg-type]
    ctx.reading_record(actor, "M1", "peak", 12.5, instant)  # type: ignore[arg-type]
    ctx.ledger_post(actor, "A1", '{"kind": "payment"}')  # type: ignore[arg-type]
    ctx.org_get("A0001", "37")  # type: ignore[arg-type]
    page.next_cursor.upper()  # type: ignore[union-attr]
    wrong_total: float = arrears.total  # type: ignore[assignment]
    wrong_count: str = ctx.customer_reseal(actor)  # type: ignore[assignment]
    del wrong_total, wrong_count


def use_engines() -> None:
    acd = powercrm.Acd({"version": 1, "queues": [{"id": "billing"}]}, clock=0)
    acd.on_event(on_acd_event)
    disposition: str = acd.arrive("c-1", "billing", caller_number="13800138000")
    events: List[Dict[str, Any]] = acd.poll(16)
    tel = powercrm.Telephony(acd, Switch(), clock_from_events=True)
    tel.feed({"type": "agent_logged_on", "device_id": "8001", "at": 0}, agent_id="1001")
    curve: List[powercrm.StaffingResult] = powercrm.staffing_curve(
        [(100.0, 180.0)], 1800, powercrm.StaffingTarget(service_level=0.8, target_s=20))
    with powercrm.Simulation({"version": 1}, [powercrm.SimQueue("billing")], []) as sim:
        stats: powercrm.SimStats = sim.run().stats
    bill: powercrm.Bill = powercrm.Tariff.load_file("tariff.json").bill(
        "2026-07-01", "2026-07-31", powercrm.Usage(total=600))
    del disposition, events, curve, stats, bill

    acd.arrive("c-2", "billing", priority="high")  # type: ignore[arg-type]
    acd.on_event(on_progress)  # type: ignore[arg-type]
    powercrm.Telephony(acd, object())  # type: ignore[arg-type]
    powercrm.staffing_required(powercrm.Queue(100, 1800, 180), 0.8)  # type: ignore[arg-type]
    powercrm.Usage(total=600.0)  # type: ignore[arg-type]
