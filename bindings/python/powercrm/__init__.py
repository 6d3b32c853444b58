"""libpowercrm for Python: customer service for power utilities.

    import powercrm
    admin = powercrm.Actor("A0001", "admin", 3, "37")
    with powercrm.open("sqlite:crm.db") as ctx:
        with ctx.transaction():
            ctx.org_create(admin, "37", None, "国网山东省电力公司", "province")
        print(ctx.org_get(admin, "37"))

Every failing call raises a :class:`powercrm.Error` subclass (see
:mod:`powercrm.errors`); native objects are freed exactly once when Python
drops them; decimals are :class:`decimal.Decimal`; JSON documents are dicts;
calls into the library release the GIL.  ``powercrm.lowlevel`` is the raw
SWIG module underneath (no ownership rules: prefer this package's API).
"""

from typing import Union as _Union

from . import lowlevel
from .errors import (  # noqa: F401
    Status, Error, InvalidInput, NotFound, Conflict, Duplicate, PermissionDenied, WrongState,
    ClosedError, StoreError, ConnectionLost, RetryTransaction, IOFailure, OutOfMemory,
    Overflow, SchemaTooNew, IntegrityError, Unsupported, NotADatabase, exception_class,
)
from .enums import Role, Permission, OrgLevel, Rounding  # noqa: F401
from .actor import Actor  # noqa: F401
from .records import OrgUnit, AuditEntry  # noqa: F401
from .money import (  # noqa: F401
    DECIMAL_MAX_SCALE, decimal_parse, decimal_format, decimal_add, decimal_sub, decimal_neg,
    decimal_mul, decimal_mul_round, decimal_div, decimal_round, decimal_cmp, decimal_sign,
    decimal_is_zero, decimal_to_int,
)
from .timeutil import (  # noqa: F401
    UTC_OFFSET_CHINA, time_parse, time_format, time_from_civil, time_to_civil, to_datetime,
    from_datetime, date_parse, date_weekday, date_is_valid, date_to_days, date_from_days,
    days_in_month, clock_system,
)
from .calendars import Calendar  # noqa: F401
from .customers import Customer, CustomerPage, ImportResult, phone_normalize  # noqa: F401
from .contacts import Contact, ContactPage  # noqa: F401
from .kb import KbArticle, KbHit, KbStats  # noqa: F401
from .outbound import CampaignStats, OutboundPass  # noqa: F401
from .complaints import (  # noqa: F401
    Complaint, ComplaintStat, ComplaintStats, ComplaintReport, complaint_period,
)
from .metering import (  # noqa: F401
    Register, ContractTerms, Account, MeteringPoint, MeterInstallation, Reading, READING_ROLLOVER,
    READING_FINAL,
)
from .workflows import (  # noqa: F401
    Workflow, WorkOrder, WorkOrderPage, HistoryEntry, Notification, workflow_check,
)
from .ledger import (  # noqa: F401
    LedgerEntry, LedgerSummary, ArrearsItem, Arrears, DunningItem, ReconItem,
    BANK_RECONCILE_POST_MISSING,
)
from .staffing import (  # noqa: F401
    QueueModel, ShiftObjective, Queue, QueueMetrics, StaffingTarget, StaffingResult,
    ForecastInterval, Shift, ShiftPlan, STAFFING_MAX_AGENTS, SHIFT_COST_MAX, erlang_load,
    erlang_b, erlang_b_lines, erlang_c, erlang_c_metrics, erlang_a_metrics, staffing_required,
    staffing_shrink, staffing_curve, staffing_weekday_profile, shift_plan,
)
from .tariff import (  # noqa: F401
    LineKind, BasicMode, Tariff, BillCustomer, Usage, BillLine, Bill, power_factor,
    power_factor_rate, late_fee, tariff_from_urdb, TierStatus, TierPosition,
)
from .sim import (  # noqa: F401
    Dist, DistKind, SimQueue, SimAgent, SimStats, Simulation, shift_stretches, replay_compare,
)
from .billing import BillingPostSummary, BillingSummary, BillRecord  # noqa: F401
from .acd import Acd, ManualClock, AGENT_STATES  # noqa: F401
from .telephony import (  # noqa: F401
    Telephony, TelephonySwitch, EVENT_TYPES, REJECT_KINDS, SWITCH_RESULTS, CALL_STATES,
    TEL_AGENT_STATES,
)
from .call_records import CallRecord, CallRecordPage, CallRecordSink  # noqa: F401
from .trace import TraceEvent, TraceKind  # noqa: F401
from .ivr import (  # noqa: F401
    speak_number, speak_amount, speak_energy, speak_date, IVR_SPEECH_MAX, IVR_ID_DIGITS,
    IvrOutcome, IvrIdentity, IvrLockout, IvrArrearsAnswer, IvrBillAnswer, IvrWorkorderKind,
    IvrWorkorderProgress, IvrWorkordersAnswer, IvrOutageKind, IvrOutage, IvrOutageAnswer,
    IvrFaultReport, IvrMenuItem, IvrMenuEntry, IvrTierAnswer,
)
from .dialler import CampaignCallStats, Dialler, DiallerPace, DiallerPass  # noqa: F401
from .context import Context, open  # noqa: F401,A001
from .handles import live_handles  # noqa: F401

__version__ = lowlevel.pcrm_version()

#: the newest schema version this library knows
SCHEMA_VERSION_LATEST = lowlevel.pcrm_schema_version_latest()

LEVEL_MIN = lowlevel.PCRM_LEVEL_MIN
LEVEL_MAX = lowlevel.PCRM_LEVEL_MAX
DATA_KEY_LEN = lowlevel.PCRM_DATA_KEY_LEN


def version() -> str:
    """The library's version, 'MAJOR.MINOR.PATCH' (pcrm_version())."""
    return lowlevel.pcrm_version()


def version_number() -> int:
    """The library's version as MAJOR*10000 + MINOR*100 + PATCH."""
    return lowlevel.pcrm_version_number()


def strerror(status: int) -> str:
    """The library's English description of a status code."""
    return lowlevel.pcrm_strerror(int(status))


def role_min_level(role: _Union[Role, int, str], permission: _Union[Permission, int, str]) -> int:
    """The lowest level of `role` that holds `permission`, or 0 when the role never does."""
    return Role(role).min_level(permission)  # type: ignore[arg-type]  # a name too

# What `from powercrm import *` binds.  Not `open`: it would shadow the builtin;
# call it as powercrm.open(...).  Not `lowlevel`: the raw SWIG module.
__all__ = [
    'Status', 'Error', 'InvalidInput', 'NotFound', 'Conflict', 'Duplicate', 'PermissionDenied',
    'WrongState', 'ClosedError', 'StoreError', 'ConnectionLost', 'RetryTransaction', 'IOFailure',
    'OutOfMemory', 'Overflow', 'SchemaTooNew', 'IntegrityError', 'Unsupported', 'NotADatabase',
    'exception_class', 'Role', 'Permission', 'OrgLevel', 'Rounding', 'Actor', 'OrgUnit',
    'AuditEntry', 'DECIMAL_MAX_SCALE', 'decimal_parse', 'decimal_format', 'decimal_add',
    'decimal_sub', 'decimal_neg', 'decimal_mul', 'decimal_mul_round', 'decimal_div',
    'decimal_round', 'decimal_cmp', 'decimal_sign', 'decimal_is_zero', 'decimal_to_int',
    'UTC_OFFSET_CHINA', 'time_parse', 'time_format', 'time_from_civil', 'time_to_civil',
    'to_datetime', 'from_datetime', 'date_parse', 'date_weekday', 'date_is_valid', 'date_to_days',
    'date_from_days', 'days_in_month', 'clock_system', 'Calendar', 'Customer', 'CustomerPage',
    'ImportResult', 'phone_normalize', 'Contact', 'ContactPage', 'Complaint', 'ComplaintStat',
    'ComplaintStats', 'ComplaintReport', 'complaint_period', 'Register', 'ContractTerms',
    'Account', 'MeteringPoint', 'MeterInstallation', 'Reading', 'READING_ROLLOVER',
    'READING_FINAL', 'Workflow', 'WorkOrder', 'WorkOrderPage', 'HistoryEntry', 'Notification',
    'workflow_check', 'LedgerEntry', 'LedgerSummary', 'ArrearsItem', 'Arrears', 'DunningItem',
    'ReconItem', 'BANK_RECONCILE_POST_MISSING', 'QueueModel', 'ShiftObjective', 'Queue',
    'QueueMetrics', 'StaffingTarget', 'StaffingResult', 'ForecastInterval', 'Shift', 'ShiftPlan',
    'STAFFING_MAX_AGENTS', 'SHIFT_COST_MAX', 'erlang_load', 'erlang_b', 'erlang_b_lines',
    'erlang_c', 'erlang_c_metrics', 'erlang_a_metrics', 'staffing_required', 'staffing_shrink',
    'staffing_curve', 'staffing_weekday_profile', 'shift_plan', 'LineKind', 'BasicMode', 'Tariff',
    'BillCustomer', 'Usage', 'BillLine', 'Bill', 'power_factor', 'power_factor_rate', 'late_fee',
    'Dist', 'DistKind', 'SimQueue', 'SimAgent', 'SimStats', 'Simulation', 'shift_stretches',
    'replay_compare', 'BillingPostSummary', 'BillingSummary', 'BillRecord', 'Acd', 'ManualClock',
    'AGENT_STATES', 'Telephony', 'TelephonySwitch', 'EVENT_TYPES', 'REJECT_KINDS',
    'SWITCH_RESULTS', 'CALL_STATES',
    'TEL_AGENT_STATES', 'CallRecord', 'CallRecordPage', 'CallRecordSink', 'Context',
    'live_handles', 'SCHEMA_VERSION_LATEST', 'LEVEL_MIN', 'LEVEL_MAX', 'DATA_KEY_LEN', 'version',
    'version_number', 'strerror', 'role_min_level', 'TraceEvent', 'TraceKind',
    'tariff_from_urdb', 'Dialler', 'DiallerPass', 'CampaignCallStats',
]
