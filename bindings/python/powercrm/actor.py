"""Actors: who performs an operation."""

import dataclasses
from typing import Any, Optional, Tuple, Union

from . import lowlevel as _ll
from .enums import Permission, Role

__all__ = ["Actor"]


@dataclasses.dataclass(frozen=True)
class Actor:
    """An operator acting in one role at one level inside one org unit.

    ``role`` may be a :class:`Role` or its name (``"admin"``, ``"agent"``,
    ``"data_clerk"``, ``"monitor"``, ``"system"``).  The native pcrm_actor
    (with its own copies of the strings) is made once and freed with the
    Actor.  Nothing is validated here: the library validates on every call
    and names the bad field (``actor.level: 7 is outside 1..3``); call
    :meth:`validate` to check early.

    >>> Actor("A0001", "admin", 3, "37")
    Actor(operator_id='A0001', role=<Role.ADMIN: 1>, level=3, org_unit='37')
    """

    operator_id: str
    role: Role  #: a Role, or its name when constructing (converted in __post_init__)
    level: int
    org_unit: str
    _native: object = dataclasses.field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.role, Role):
            object.__setattr__(self, "role", Role(self.role))
        object.__setattr__(self, "_native", _ll.pcrm_actor(self.operator_id, int(self.role),
                                                          int(self.level), self.org_unit))

    def validate(self) -> None:
        """Raises InvalidInput naming the bad field when the actor is malformed."""
        _ll.pcrm_actor_validate(self._native)

    def can(self, permission: Union[Permission, int, str]) -> bool:
        """True when role and level allow `permission` (org scope is not considered)."""
        if isinstance(permission, str):
            permission = Permission(permission)  # type: ignore[arg-type]  # by name
        return bool(_ll.pcrm_actor_can(self._native, int(permission)))

    def __reduce__(self) -> Tuple[Any, ...]:
        return (Actor, (self.operator_id, self.role, self.level, self.org_unit))


def _native(actor: Optional[Actor]) -> Any:
    """The pcrm_actor of an Actor (or None, which the library reports as missing)."""
    if actor is None:
        return None
    if not isinstance(actor, Actor):
        raise TypeError("actor: expected powercrm.Actor, got %s" % type(actor).__name__)
    return actor._native
