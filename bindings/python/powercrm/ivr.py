"""IVR self-service helpers: Chinese number reading for text-to-speech.

Pure functions (thread-safe, the GIL is released while C reads): amounts in
元/角/分, energy in 千瓦时, dates in 年月日 and plain numbers, from exact
values only (``decimal.Decimal``, int or decimal strings; a float is a
TypeError).  The rules, with examples, are in docs/ivr.md.

    >>> speak_amount(Decimal("1005.07"))
    '一千零五元零七分'
    >>> speak_energy(2700)
    '两千七百千瓦时'
    >>> speak_date("2026-12-07")
    '二零二六年十二月七日'
"""

from . import lowlevel as _ll
from .money import _to_c as _decimal_to_c
from .timeutil import _date_to_c

__all__ = ["speak_number", "speak_amount", "speak_energy", "speak_date", "IVR_SPEECH_MAX"]

IVR_SPEECH_MAX = _ll.PCRM_IVR_SPEECH_MAX


def speak_number(value):
    """The Chinese reading of a number: ``speak_number(10005)`` is ``'一万零五'``."""
    return _ll.pcrm_ivr_speak_number(_decimal_to_c(value, "number"), IVR_SPEECH_MAX)


def speak_amount(yuan):
    """An amount in yuan read as 元/角/分; a fraction of a fen is InvalidInput."""
    return _ll.pcrm_ivr_speak_amount(_decimal_to_c(yuan, "amount"), IVR_SPEECH_MAX)


def speak_energy(kwh):
    """An energy in kWh read with 千瓦时: ``speak_energy(2)`` is ``'两千瓦时'``."""
    return _ll.pcrm_ivr_speak_energy(_decimal_to_c(kwh, "energy"), IVR_SPEECH_MAX)


def speak_date(date):
    """A date (datetime.date, 'YYYY-MM-DD' or (y, m, d)) read as 年月日."""
    return _ll.pcrm_ivr_speak_date(_date_to_c(date), IVR_SPEECH_MAX)
