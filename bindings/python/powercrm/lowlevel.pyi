# Type stub of the SWIG-generated powercrm.lowlevel: every name is Any, so
# mypy checks the typed layer above it (the package's public API) without
# a stub per wrapped C function.  Use the package's API, not this module.
from typing import Any

def __getattr__(name: str) -> Any: ...
