"""A user's code as mypy sees it (the python-types test; not run by pytest).

Lines marked ``# type: ignore[...]`` must be errors: mypy.ini sets
warn_unused_ignores, so if the package's types stopped catching them (a
float where money goes, a misspelt keyword), mypy would fail on the unused
ignore.  The unmarked lines must type-check.
"""

import datetime
import decimal

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
