"""Business calendars: working hours, holidays, make-up days (pcrm_calendar)."""

import datetime as _dt
import os as _os
from typing import Any, TypeVar, Union

from . import lowlevel as _ll
from ._types import JsonIn, PathLike
from .handles import Handle, HandleOwner
from .records import json_dumps
from .timeutil import DateLike, Instant, _date_to_c, _instant

__all__ = ["Calendar"]

#: an instant going in and coming out in the same kind: int seconds or an aware datetime
_InstantT = TypeVar("_InstantT", int, _dt.datetime)


class Calendar(HandleOwner):
    """A loaded, immutable business calendar.

    Made by :meth:`load` (a dict or JSON text) or :meth:`load_file`; freed
    exactly once by :meth:`close`, its ``with`` block, or garbage
    collection.  Safe to share between threads.

    Instants go in as ints or aware datetimes; results come back in the same
    kind (an aware datetime in the calendar's UTC offset when a datetime went
    in).  Dates go in as ``datetime.date``, ``'YYYY-MM-DD'`` or (y, m, d); an
    aware datetime given as a date is read in the calendar's offset.
    """

    def __init__(self, ptr: Any) -> None:
        self._handle = Handle(ptr, _ll.pcrm_calendar_free, "calendar")
        with self._handle as cal:
            self.name = _ll.pcrm_calendar_name(cal)
            self.utc_offset = _ll.pcrm_calendar_utc_offset(cal)
        self._tz = _dt.timezone(_dt.timedelta(seconds=self.utc_offset))

    @classmethod
    def load(cls, document: JsonIn) -> "Calendar":
        """Loads a calendar from a dict or JSON text; InvalidInput names the bad field's path."""
        return cls(_ll.pcrm_calendar_load(json_dumps(document)))

    @classmethod
    def load_file(cls, path: PathLike) -> "Calendar":
        """Loads a calendar from a JSON file (IOFailure when it cannot be read)."""
        return cls(_ll.pcrm_calendar_load_file(_os.fsdecode(path)))

    def __repr__(self) -> str:
        return "<powercrm.Calendar %r%s>" % (self.name, " closed" if self.closed else "")

    # -- conversions -----------------------------------------------------------------------

    def _date(self, value: DateLike) -> Any:
        if isinstance(value, _dt.datetime):
            if value.utcoffset() is not None:
                value = value.astimezone(self._tz)
            value = value.date()
        return _date_to_c(value)

    def _out(self, t: int, like: object) -> Any:
        if isinstance(like, _dt.datetime):
            return _dt.datetime.fromtimestamp(t, self._tz)
        return t

    # -- queries ---------------------------------------------------------------------------

    def is_working_day(self, date: DateLike) -> bool:
        """True for a make-up working day, or a weekday with hours that is not a holiday."""
        d = self._date(date)
        with self._handle as cal:
            return bool(_ll.pcrm_calendar_is_working_day(cal, d))

    def is_working_time(self, t: Instant) -> bool:
        """True when instant `t` falls inside working hours."""
        t = _instant(t)
        with self._handle as cal:
            return bool(_ll.pcrm_calendar_is_working_time(cal, t))

    def add_working_seconds(self, start: _InstantT,
                            seconds: Union[int, _dt.timedelta]) -> _InstantT:
        """The instant `seconds` of working time after `start`."""
        s = _instant(start, "start")
        if isinstance(seconds, _dt.timedelta):
            seconds = int(seconds.total_seconds())
        with self._handle as cal:
            return self._out(_ll.pcrm_calendar_add_working_seconds(cal, s, int(seconds)), start)

    def add_working_days(self, start: _InstantT, days: int) -> _InstantT:
        """The instant `days` working days after `start` ("within 5 working days")."""
        s = _instant(start, "start")
        with self._handle as cal:
            return self._out(_ll.pcrm_calendar_add_working_days(cal, s, int(days)), start)

    def working_seconds_between(self, start: Instant, end: Instant) -> int:
        """Working seconds from `start` to `end` (0 when end <= start)."""
        a, b = _instant(start, "from"), _instant(end, "to")
        with self._handle as cal:
            return _ll.pcrm_calendar_working_seconds_between(cal, a, b)
