"""Enumerations of the C API, accepting their stable names as well as their numbers.

``Role("agent") is Role.AGENT``, ``Permission("archive.write")``,
``OrgLevel("county")``, ``Rounding("half_even")`` (or the decimal module's
``decimal.ROUND_HALF_EVEN``).  ``str()`` of a member is the library's name.
"""

import enum
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional

from . import lowlevel as _ll

__all__ = ["Role", "Permission", "OrgLevel", "Rounding"]


def _members(prefix: str, name_of: Callable[[int], Optional[str]]) -> Dict[str, int]:
    """NAME -> value for every lowlevel constant PREFIX* the library can name."""
    out: Dict[str, int] = {}
    for attr in dir(_ll):
        if attr.startswith(prefix):
            value = getattr(_ll, attr)
            if isinstance(value, int) and name_of(value) is not None:
                out[attr[len(prefix):]] = value
    return dict(sorted(out.items(), key=lambda kv: kv[1]))


class _RoleBase(enum.IntEnum):
    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            # The library parses its own names; a bad one raises InvalidInput naming it.
            return cls(_ll.pcrm_role_parse(value))
        return None

    def __str__(self) -> str:
        return _ll.pcrm_role_name(self.value)

    def min_level(self, permission: "int | str") -> int:
        """The lowest level of this role holding `permission`, or 0 when it never does."""
        # A name goes through _missing_, which mypy cannot see.
        perm = Permission(permission)  # type: ignore[arg-type]
        return _ll.pcrm_role_min_level(self.value, perm.value)


class _PermissionBase(enum.IntEnum):
    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            for member in cls:
                if str(member) == value or member.name == value.upper():
                    return member
        return None

    def __str__(self) -> str:
        return _ll.pcrm_permission_name(self.value)


# Members come from the headers (PCRM_ROLE_*, PCRM_PERM_*), so values the
# library adds appear here without a change to this file.

if TYPE_CHECKING:
    # What mypy sees: the members of this release's headers.  At run time the
    # members are read from the library (below), so new ones need no change.
    class Role(_RoleBase):
        """pcrm_role: the role an operator acts in; Role('agent') is Role.AGENT."""

        ADMIN = _ll.PCRM_ROLE_ADMIN
        AGENT = _ll.PCRM_ROLE_AGENT
        DATA_CLERK = _ll.PCRM_ROLE_DATA_CLERK
        MONITOR = _ll.PCRM_ROLE_MONITOR
        SYSTEM = _ll.PCRM_ROLE_SYSTEM

    class Permission(_PermissionBase):
        """pcrm_permission: what an actor wants to do."""

        ORG_READ = _ll.PCRM_PERM_ORG_READ
        ORG_WRITE = _ll.PCRM_PERM_ORG_WRITE
        ARCHIVE_READ = _ll.PCRM_PERM_ARCHIVE_READ
        ARCHIVE_WRITE = _ll.PCRM_PERM_ARCHIVE_WRITE
        PII_READ = _ll.PCRM_PERM_PII_READ
        TARIFF_WRITE = _ll.PCRM_PERM_TARIFF_WRITE
        BILLING_RUN = _ll.PCRM_PERM_BILLING_RUN
        WORKORDER_HANDLE = _ll.PCRM_PERM_WORKORDER_HANDLE
        WORKORDER_SUPERVISE = _ll.PCRM_PERM_WORKORDER_SUPERVISE
        CALL_MONITOR = _ll.PCRM_PERM_CALL_MONITOR
        AUDIT_READ = _ll.PCRM_PERM_AUDIT_READ
        AUDIT_WRITE = _ll.PCRM_PERM_AUDIT_WRITE
        CONTACT_WRITE = _ll.PCRM_PERM_CONTACT_WRITE
        PAYMENT_POST = _ll.PCRM_PERM_PAYMENT_POST
        LEDGER_ADJUST = _ll.PCRM_PERM_LEDGER_ADJUST
        BANK_RECONCILE = _ll.PCRM_PERM_BANK_RECONCILE
else:
    #: pcrm_role: ADMIN (管理员), AGENT (业务员), DATA_CLERK (资料员), MONITOR (监听员), SYSTEM
    Role = _RoleBase("Role", _members("PCRM_ROLE_", _ll.pcrm_role_name), module=__name__,
                     qualname="Role")
    Role.__doc__ = "pcrm_role: the role an operator acts in; Role('agent') is Role.AGENT."

    #: pcrm_permission: ORG_READ, ORG_WRITE, ARCHIVE_READ, ... (str() is the library's name)
    Permission = _PermissionBase("Permission", _members("PCRM_PERM_", _ll.pcrm_permission_name),
                                 module=__name__, qualname="Permission")
    Permission.__doc__ = ("pcrm_permission: what an actor wants to do; "
                          "Permission('archive.write') is Permission.ARCHIVE_WRITE.")


class OrgLevel(enum.IntEnum):
    """pcrm_org_level: the depth of an org unit."""

    PROVINCE = _ll.PCRM_ORG_PROVINCE  #: 省公司
    CITY = _ll.PCRM_ORG_CITY          #: 市供电公司
    COUNTY = _ll.PCRM_ORG_COUNTY      #: 县供电公司
    TOWNSHIP = _ll.PCRM_ORG_TOWNSHIP  #: 乡镇供电所

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            return cls.__members__.get(value.upper())
        return None

    def __str__(self) -> str:
        return self.name.lower()


class Rounding(enum.IntEnum):
    """pcrm_rounding: how decimal digits are dropped."""

    HALF_UP = _ll.PCRM_ROUND_HALF_UP
    HALF_EVEN = _ll.PCRM_ROUND_HALF_EVEN
    DOWN = _ll.PCRM_ROUND_DOWN
    UP = _ll.PCRM_ROUND_UP
    CEILING = _ll.PCRM_ROUND_CEILING
    FLOOR = _ll.PCRM_ROUND_FLOOR

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            name = value.upper()
            if name.startswith("ROUND_"):  # decimal.ROUND_HALF_UP and friends
                name = name[len("ROUND_"):]
            return cls.__members__.get(name)
        return None

    def __str__(self) -> str:
        return self.name.lower()
