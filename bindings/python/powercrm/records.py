"""Immutable records copied out of the library's objects.

The C objects (pcrm_org_unit, list items, audit entries during a callback)
are read field by field into these dataclasses and freed at once, so a
record never refers to native memory and stays valid after its context is
closed.
"""

import dataclasses
import decimal as _decimal
import json as _json
from typing import Any, Dict, Optional, Union

from .enums import OrgLevel

__all__ = ["OrgUnit", "AuditEntry"]


@dataclasses.dataclass(frozen=True)
class OrgUnit:
    """One org unit (供电单位).  Instants are int seconds since the epoch."""

    code: str
    name: str
    parent: Optional[str]  # None for a top-level unit
    level: OrgLevel
    path: str       # "/37/3701/370102/"
    version: int
    created_at: int
    updated_at: int


@dataclasses.dataclass(frozen=True)
class AuditEntry:
    """One hash-chained audit entry; ``summary`` is the parsed JSON object."""

    seq: int
    at: int
    operator_id: str
    role: str
    actor_org: str
    action: str
    object_type: str
    object_id: str
    summary: Dict[str, Any]
    prev_hash: str
    hash: str
    chain: str = ""       # the city's (or province's) code; "(legacy)" before schema 21
    chain_seq: int = 0    # 1, 2, 3, ... within the chain
    covers: str = ""      # the after-image digest of the object, "" when not covered


def json_loads(text: Union[str, bytes]) -> Any:
    """Library JSON to Python: fractional numbers become Decimal, never float."""
    return _json.loads(text, parse_float=_decimal.Decimal)


def _json_default(value: object) -> str:
    if isinstance(value, _decimal.Decimal):
        return format(value, "f")  # exact text, never through float
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError("%s is not JSON serializable" % type(value).__name__)


def json_dumps(document: Any) -> str:
    """Python to library JSON: a str is passed through as JSON text; Decimals become strings."""
    if isinstance(document, str):
        return document
    if isinstance(document, (bytes, bytearray)):
        return bytes(document).decode("utf-8")
    return _json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                       default=_json_default)
