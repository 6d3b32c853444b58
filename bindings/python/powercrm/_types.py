"""Type aliases shared by the package's modules, and what the Context mixins rely on.

Annotations only: nothing here changes what a call does.  Private: code
annotating its own callbacks spells the types out (docs/python.md, "Names
and types").
"""

import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, Mapping, Union

__all__ = ["JsonIn", "JsonText", "JsonObject", "Progress", "Writer", "PathLike", "ContextMixinBase"]

#: a JSON document going into the library: a dict (Decimals stay exact) or JSON text
JsonIn = Union[str, bytes, bytearray, Mapping[str, Any]]
#: a JSON document read with the json module: a dict or JSON text (str only)
JsonText = Union[str, Mapping[str, Any]]
#: a JSON object coming out of the library (fractional numbers as Decimal)
JsonObject = Dict[str, Any]
#: a progress callback: called with the count done so far; a true return stops the call
Progress = Callable[[int], object]
#: where an export goes: a binary or text file, or a callable taking bytes (not
#: expressible as one type: a file's ``write`` or the callable itself is used)
Writer = Any
#: a file name: str, bytes or an os.PathLike
PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

if TYPE_CHECKING:
    import os


class ContextMixinBase:
    """Base of the module mixins of :class:`powercrm.Context`.

    Declares (for type checkers only) the two members the mixins use and
    :class:`powercrm.Context` defines: its lock and its call helper.
    """

    if TYPE_CHECKING:
        _lock: threading.RLock

        def _call(self, fn: Callable[..., Any], *args: Any) -> Any: ...

        def now(self) -> int: ...
