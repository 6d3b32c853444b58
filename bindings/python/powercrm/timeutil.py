"""Instants, civil time in a fixed UTC offset, dates.

An instant is an int: seconds since 1970-01-01T00:00:00Z (pcrm_time).
Wherever an instant goes in, an *aware* datetime is accepted too (whole
seconds; microseconds are dropped); naive datetimes are refused as instants
because their offset would be a guess.  Civil (wall-clock) time is read at an
explicit UTC offset in seconds, China's +8:00 by default, never the process
time zone.
"""

import datetime as _dt
from typing import Any, Sequence, Tuple, Union

from . import lowlevel as _ll
from .errors import InvalidInput, Overflow

__all__ = [
    "UTC_OFFSET_CHINA", "time_parse", "time_format", "time_from_civil", "time_to_civil",
    "to_datetime", "from_datetime", "date_parse", "date_weekday", "date_is_valid",
    "date_to_days", "date_from_days", "days_in_month", "clock_system",
]

UTC_OFFSET_CHINA = _ll.PCRM_UTC_OFFSET_CHINA
_FORMAT_SIZE = 64

#: an instant: int seconds since the epoch, or an aware datetime
Instant = Union[int, _dt.datetime]
#: a UTC offset: seconds east of UTC, or a timedelta
Offset = Union[int, _dt.timedelta]
#: a date: datetime.date, 'YYYY-MM-DD' or (year, month, day)
DateLike = Union[_dt.date, str, Sequence[int]]
#: wall-clock time: a naive datetime, a date, or (year, month, day[, hour, minute, second])
CivilLike = Union[_dt.datetime, _dt.date, Sequence[int]]


def _civil_to_c(value: CivilLike) -> Any:
    c = _ll.pcrm_civil()
    fields: Tuple[int, ...]
    if isinstance(value, _dt.datetime):
        fields = (value.year, value.month, value.day, value.hour, value.minute, value.second)
    elif isinstance(value, _dt.date):
        fields = (value.year, value.month, value.day, 0, 0, 0)
    else:
        fields = tuple(value) + (0,) * (6 - len(tuple(value)))
        if len(fields) != 6:
            raise TypeError("civil: expected a datetime or (year, month, day[, hour, minute, "
                            "second])")
    c.year, c.month, c.day, c.hour, c.minute, c.second = (int(f) for f in fields)
    return c


def _date_to_c(value: DateLike) -> Any:
    """A pcrm_date from a date, 'YYYY-MM-DD' or (year, month, day)."""
    if isinstance(value, str):
        return _ll.pcrm_date_parse(value)
    d = _ll.pcrm_date()
    if isinstance(value, _dt.date):
        d.year, d.month, d.day = value.year, value.month, value.day
    else:
        d.year, d.month, d.day = (int(f) for f in value)
    return d


def _date_from_c(d: Any) -> _dt.date:
    return _dt.date(d.year, d.month, d.day)


_INT64_MIN = -(1 << 63)


def _instant(value: object, what: str = "t") -> int:
    """An int instant from an int or an aware datetime."""
    if isinstance(value, _dt.datetime):
        return from_datetime(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s: expected an int instant or an aware datetime, got %s"
                        % (what, type(value).__name__))
    return value


def _offset(utc_offset: Offset) -> int:
    if isinstance(utc_offset, _dt.timedelta):
        return int(utc_offset.total_seconds())
    return int(utc_offset)


def time_parse(text: str) -> int:
    """Parses an RFC 3339 instant with an explicit offset ('2026-11-22T08:30:00+08:00')."""
    return int(_ll.pcrm_time_parse(text))


def time_format(t: Instant, utc_offset: Offset = UTC_OFFSET_CHINA) -> str:
    """'YYYY-MM-DDTHH:MM:SS+HH:MM' of an instant at `utc_offset` ('Z' for 0)."""
    return str(_ll.pcrm_time_format(_instant(t), _offset(utc_offset), _FORMAT_SIZE))


def time_from_civil(civil: CivilLike, utc_offset: Offset = UTC_OFFSET_CHINA) -> int:
    """The instant of wall-clock time `civil` at `utc_offset`.

    `civil` is a naive datetime (its tzinfo, if any, is ignored: the offset
    is the argument) or a tuple (year, month, day[, hour, minute, second]),
    which the library validates field by field.
    """
    return int(_ll.pcrm_time_from_civil(_civil_to_c(civil), _offset(utc_offset)))


def time_to_civil(t: Instant, utc_offset: Offset = UTC_OFFSET_CHINA) -> _dt.datetime:
    """The wall-clock time of an instant at `utc_offset`, as a naive datetime."""
    c = _ll.pcrm_time_to_civil(_instant(t), _offset(utc_offset))
    return _dt.datetime(c.year, c.month, c.day, c.hour, c.minute, c.second)


def to_datetime(t: Instant, utc_offset: Offset = UTC_OFFSET_CHINA) -> _dt.datetime:
    """An instant as an aware datetime at `utc_offset`."""
    offset = _offset(utc_offset)
    tz = _dt.timezone(_dt.timedelta(seconds=offset))
    return time_to_civil(t, offset).replace(tzinfo=tz)


def from_datetime(value: _dt.datetime) -> int:
    """The instant of an aware datetime (whole seconds)."""
    if not isinstance(value, _dt.datetime):
        raise TypeError("expected a datetime, got %s" % type(value).__name__)
    off = value.utcoffset()
    if off is None:
        raise InvalidInput("datetime %s has no UTC offset: pass an aware datetime "
                           "(the library never guesses the offset)" % value.isoformat())
    return int(_ll.pcrm_time_from_civil(_civil_to_c(value), int(off.total_seconds())))


def date_parse(text: str) -> _dt.date:
    """Parses 'YYYY-MM-DD' strictly into a datetime.date."""
    return _date_from_c(_ll.pcrm_date_parse(text))


def date_weekday(date: DateLike) -> int:
    """ISO weekday: 1 = Monday .. 7 = Sunday (0 for an invalid date)."""
    return int(_ll.pcrm_date_weekday(_date_to_c(date)))


def date_is_valid(year: int, month: int, day: int) -> bool:
    """True when the date exists in the proleptic Gregorian calendar."""
    d = _ll.pcrm_date()
    d.year, d.month, d.day = int(year), int(month), int(day)
    return bool(_ll.pcrm_date_is_valid(d))


def date_to_days(date: DateLike) -> int:
    """Days since 1970-01-01 (negative before); InvalidInput for a date that does not exist."""
    d = _date_to_c(date)
    days = int(_ll.pcrm_date_to_days(d))
    if days == _INT64_MIN:
        raise InvalidInput("date %04d-%02d-%02d does not exist" % (d.year, d.month, d.day))
    return days


def date_from_days(days: int) -> _dt.date:
    """The date `days` days after 1970-01-01 (Overflow outside years 1..9999)."""
    d = _ll.pcrm_date_from_days(int(days))
    if not _ll.pcrm_date_is_valid(d):
        raise Overflow("days: %d is outside 0001-01-01..9999-12-31" % int(days))
    return _date_from_c(d)


def days_in_month(year: int, month: int) -> int:
    """Days in a month (0 for an invalid month)."""
    return int(_ll.pcrm_days_in_month(int(year), int(month)))


def clock_system() -> int:
    """The system clock's current instant (what a context uses without a clock)."""
    return int(_ll.pcrm_clock_system(None))
