"""Exact decimal arithmetic (pcrm_decimal) with decimal.Decimal in and out.

Values cross the boundary as text: a Decimal (or int, or decimal string) is
parsed by the library's own pcrm_decimal_parse(), results come back through
pcrm_decimal_format() into Decimal, so the scale is kept (``Decimal('13.97')``,
``Decimal('12.30')``) and binary floating point never takes part: a float
argument is a TypeError.  Rounding modes are :class:`Rounding` members or
names (``'half_up'``, ``'half_even'``, ``'down'``, ``'up'``, ``'ceiling'``,
``'floor'``, or the decimal module's ``ROUND_*`` constants).
"""

import decimal as _decimal

from . import lowlevel as _ll
from .enums import Rounding
from .errors import Error as _Error

__all__ = [
    "decimal_parse", "decimal_format", "decimal_add", "decimal_sub", "decimal_neg",
    "decimal_mul", "decimal_mul_round", "decimal_div", "decimal_round", "decimal_cmp",
    "decimal_sign", "decimal_is_zero", "decimal_to_int",
    "DECIMAL_MAX_SCALE",
]

DECIMAL_MAX_SCALE = _ll.PCRM_DECIMAL_MAX_SCALE
_FORMAT_SIZE = _ll.PCRM_DECIMAL_STRING_MAX


def _text(value):
    if isinstance(value, _decimal.Decimal):
        # 'f' never uses an exponent; NaN/Infinity reach the library, which rejects them.
        return format(value, "f")
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError("decimal: %s is not exact; pass decimal.Decimal, int or a decimal "
                        "string" % type(value).__name__)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    raise TypeError("decimal: expected decimal.Decimal, int or str, got %s"
                    % type(value).__name__)


def _to_c(value, field=None):
    """A pcrm_decimal for a Decimal / int / decimal string (library-validated).

    Text that does not fit 64-bit units is InvalidInput, as everywhere in the
    library (bad input, not arithmetic); `field` names the argument in the
    message ("contract_capacity_kva: decimal \"...\": does not fit ...").
    """
    try:
        return _ll.pcrm_decimal_parse(_text(value))
    except _Error as e:
        if field is None:
            raise
        raise type(e)("%s: %s" % (field, e.message), e.status) from None


def _from_c(dec):
    return _decimal.Decimal(_ll.pcrm_decimal_format(dec, _FORMAT_SIZE))


def _mode(mode):
    return int(Rounding(mode))


def decimal_parse(text):
    """Parses text with the library's rules ('12.30' keeps scale 2) into a Decimal."""
    if not isinstance(text, str):
        raise TypeError("decimal_parse: expected str, got %s" % type(text).__name__)
    return _from_c(_ll.pcrm_decimal_parse(text))


def decimal_format(value):
    """The library's text of a value: exactly its scale digits after the point."""
    return _ll.pcrm_decimal_format(_to_c(value), _FORMAT_SIZE)


def decimal_add(a, b):
    """a + b at the larger scale (Overflow when it does not fit)."""
    return _from_c(_ll.pcrm_decimal_add(_to_c(a), _to_c(b)))


def decimal_sub(a, b):
    """a - b at the larger scale."""
    return _from_c(_ll.pcrm_decimal_sub(_to_c(a), _to_c(b)))


def decimal_neg(a):
    """-a."""
    return _from_c(_ll.pcrm_decimal_neg(_to_c(a)))


def decimal_mul(a, b):
    """Exact a x b at scale a.scale + b.scale (Overflow beyond 18 digits)."""
    return _from_c(_ll.pcrm_decimal_mul(_to_c(a), _to_c(b)))


def decimal_mul_round(a, b, scale, mode="half_up"):
    """a x b rounded once to `scale` digits: 140.00 x 0.09975 -> Decimal('13.97')."""
    return _from_c(_ll.pcrm_decimal_mul_round(_to_c(a), _to_c(b), int(scale), _mode(mode)))


def decimal_div(a, b, scale, mode="half_up"):
    """a / b rounded once to `scale` digits (InvalidInput on division by zero)."""
    return _from_c(_ll.pcrm_decimal_div(_to_c(a), _to_c(b), int(scale), _mode(mode)))


def decimal_round(a, scale, mode="half_up"):
    """a brought to `scale` digits (exact when widening, rounded with `mode` when narrowing)."""
    return _from_c(_ll.pcrm_decimal_round(_to_c(a), int(scale), _mode(mode)))


def decimal_cmp(a, b):
    """-1, 0 or 1, by value regardless of scale (1.50 == 1.5)."""
    r = _ll.pcrm_decimal_cmp(_to_c(a), _to_c(b))
    return (r > 0) - (r < 0)


def decimal_sign(a):
    """-1, 0 or 1."""
    return _ll.pcrm_decimal_sign(_to_c(a))


def decimal_is_zero(a):
    """True when a is zero."""
    return bool(_ll.pcrm_decimal_is_zero(_to_c(a)))


def decimal_to_int(a, mode="half_up"):
    """a as an int, rounded with `mode` (e.g. 'ceiling' for "agents needed")."""
    return _ll.pcrm_decimal_to_int(_to_c(a), _mode(mode))
