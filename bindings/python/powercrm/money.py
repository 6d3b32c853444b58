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
from typing import Any, Optional, Union

from . import lowlevel as _ll
from .enums import Rounding
from .errors import Error as _Error

#: what the decimal functions accept: exact values only, never float
DecimalLike = Union[_decimal.Decimal, int, str]
#: a rounding mode: a Rounding member, its name or a decimal.ROUND_* constant
RoundingLike = Union[Rounding, int, str]

__all__ = [
    "DecimalLike", "RoundingLike",
    "decimal_parse", "decimal_format", "decimal_add", "decimal_sub", "decimal_neg",
    "decimal_mul", "decimal_mul_round", "decimal_div", "decimal_round", "decimal_cmp",
    "decimal_sign", "decimal_is_zero", "decimal_to_int",
    "DECIMAL_MAX_SCALE",
]

DECIMAL_MAX_SCALE = _ll.PCRM_DECIMAL_MAX_SCALE
_FORMAT_SIZE = _ll.PCRM_DECIMAL_STRING_MAX


def _text(value: object) -> str:
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


def _to_c(value: DecimalLike, field: Optional[str] = None) -> Any:
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


def _from_c(dec: Any) -> _decimal.Decimal:
    return _decimal.Decimal(_ll.pcrm_decimal_format(dec, _FORMAT_SIZE))


def _mode(mode: RoundingLike) -> int:
    return int(Rounding(mode))  # type: ignore[arg-type]  # names via _missing_


def decimal_parse(text: str) -> _decimal.Decimal:
    """Parses text with the library's rules ('12.30' keeps scale 2) into a Decimal."""
    if not isinstance(text, str):
        raise TypeError("decimal_parse: expected str, got %s" % type(text).__name__)
    return _from_c(_ll.pcrm_decimal_parse(text))


def decimal_format(value: DecimalLike) -> str:
    """The library's text of a value: exactly its scale digits after the point."""
    return str(_ll.pcrm_decimal_format(_to_c(value), _FORMAT_SIZE))


def decimal_add(a: DecimalLike, b: DecimalLike) -> _decimal.Decimal:
    """a + b at the larger scale (Overflow when it does not fit)."""
    return _from_c(_ll.pcrm_decimal_add(_to_c(a), _to_c(b)))


def decimal_sub(a: DecimalLike, b: DecimalLike) -> _decimal.Decimal:
    """a - b at the larger scale."""
    return _from_c(_ll.pcrm_decimal_sub(_to_c(a), _to_c(b)))


def decimal_neg(a: DecimalLike) -> _decimal.Decimal:
    """-a."""
    return _from_c(_ll.pcrm_decimal_neg(_to_c(a)))


def decimal_mul(a: DecimalLike, b: DecimalLike) -> _decimal.Decimal:
    """Exact a x b at scale a.scale + b.scale (Overflow beyond 18 digits)."""
    return _from_c(_ll.pcrm_decimal_mul(_to_c(a), _to_c(b)))


def decimal_mul_round(a: DecimalLike, b: DecimalLike, scale: int,
                      mode: RoundingLike = "half_up") -> _decimal.Decimal:
    """a x b rounded once to `scale` digits: 140.00 x 0.09975 -> Decimal('13.97')."""
    return _from_c(_ll.pcrm_decimal_mul_round(_to_c(a), _to_c(b), int(scale), _mode(mode)))


def decimal_div(a: DecimalLike, b: DecimalLike, scale: int,
                mode: RoundingLike = "half_up") -> _decimal.Decimal:
    """a / b rounded once to `scale` digits (InvalidInput on division by zero)."""
    return _from_c(_ll.pcrm_decimal_div(_to_c(a), _to_c(b), int(scale), _mode(mode)))


def decimal_round(a: DecimalLike, scale: int,
                  mode: RoundingLike = "half_up") -> _decimal.Decimal:
    """a brought to `scale` digits (exact when widening, rounded with `mode` when narrowing)."""
    return _from_c(_ll.pcrm_decimal_round(_to_c(a), int(scale), _mode(mode)))


def decimal_cmp(a: DecimalLike, b: DecimalLike) -> int:
    """-1, 0 or 1, by value regardless of scale (1.50 == 1.5)."""
    r: int = _ll.pcrm_decimal_cmp(_to_c(a), _to_c(b))
    return int(r > 0) - int(r < 0)


def decimal_sign(a: DecimalLike) -> int:
    """-1, 0 or 1."""
    return int(_ll.pcrm_decimal_sign(_to_c(a)))


def decimal_is_zero(a: DecimalLike) -> bool:
    """True when a is zero."""
    return bool(_ll.pcrm_decimal_is_zero(_to_c(a)))


def decimal_to_int(a: DecimalLike, mode: RoundingLike = "half_up") -> int:
    """a as an int, rounded with `mode` (e.g. 'ceiling' for "agents needed")."""
    return int(_ll.pcrm_decimal_to_int(_to_c(a), _mode(mode)))
