"""The package's public surface: __all__, docstrings, type information.

`from powercrm import *` binds exactly __all__, which must not shadow a
builtin (open, once); every public class, function and method defined in the
package says what it does; the package ships py.typed.
"""

import builtins
import inspect
import os

import powercrm


def test_all_names_exist_and_shadow_no_builtin():
    assert len(powercrm.__all__) == len(set(powercrm.__all__))
    for name in powercrm.__all__:
        assert hasattr(powercrm, name), name
        assert not hasattr(builtins, name), "%s shadows a builtin" % name
    names = {}
    exec("from powercrm import *", names)
    assert "open" not in names and "lowlevel" not in names
    assert set(powercrm.__all__) <= set(names)
    assert callable(powercrm.open)  # still there, by its full name


def _own(obj):
    """Classes and functions the package defines (not re-exported stdlib or SWIG names)."""
    module = getattr(obj, "__module__", "") or ""
    return module == "powercrm" or module.startswith("powercrm.") and \
        not module.startswith("powercrm.lowlevel")


def test_every_public_class_and_method_has_a_docstring():
    missing = []
    for name in powercrm.__all__:
        obj = getattr(powercrm, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)) or not _own(obj):
            continue
        if not inspect.getdoc(obj):
            missing.append(name)
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                target = member.fget if isinstance(member, property) else member
                if isinstance(target, (staticmethod, classmethod)):
                    target = target.__func__
                if inspect.isfunction(target) and not inspect.getdoc(target):
                    missing.append("%s.%s" % (name, attr))
    # the Context's methods come from its module mixins
    for klass in powercrm.Context.__mro__:
        if klass is object or not _own(klass):
            continue
        for attr, member in vars(klass).items():
            target = member.fget if isinstance(member, property) else member
            if not attr.startswith("_") and inspect.isfunction(target) and \
                    not inspect.getdoc(target):
                missing.append("%s.%s" % (klass.__name__, attr))
    assert not missing, "no docstring: %s" % ", ".join(sorted(set(missing)))


def test_the_package_carries_its_type_information():
    here = os.path.dirname(powercrm.__file__)
    assert os.path.exists(os.path.join(here, "py.typed"))
    assert os.path.exists(os.path.join(here, "lowlevel.pyi"))


def _modules():
    import importlib
    import pkgutil
    return [importlib.import_module("powercrm." + m.name)
            for m in pkgutil.iter_modules(powercrm.__path__)
            if m.name != "lowlevel" and m.name != "_lowlevel"]


def test_every_module_name_in_all_has_a_docstring():
    # Beyond the package's __all__: what each module exports (the mixins,
    # TelephonySwitch, workflows.Clock, the callback aliases' modules).
    missing = []
    for module in _modules():
        assert inspect.getdoc(module), module.__name__
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)) or not _own(obj):
                continue
            if not inspect.getdoc(obj):
                missing.append("%s.%s" % (module.__name__, name))
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    target = member.fget if isinstance(member, property) else member
                    if isinstance(target, (staticmethod, classmethod)):
                        target = target.__func__
                    if not attr.startswith("_") and inspect.isfunction(target) and \
                            not inspect.getdoc(target):
                        missing.append("%s.%s.%s" % (module.__name__, name, attr))
    assert not missing, "no docstring: %s" % ", ".join(sorted(set(missing)))


def _documented_fields():
    """docs/python.md's "Result fields" table: class name -> field names in order."""
    import re
    root = os.environ.get("PCRM_SOURCE_ROOT",
                          os.path.join(os.path.dirname(__file__), "..", ".."))
    with open(os.path.join(root, "docs", "python.md"), encoding="utf-8") as f:
        text = f.read()
    table = text[text.index("| Class | Fields |"):]
    table = table[:table.index("\n\n")]
    out = {}
    for line in table.splitlines()[2:]:
        m = re.match(r"\| `([\w.]+)` \| (.*) \|$", line)
        assert m, line
        out[m.group(1)] = re.findall(r"`(\w+)`", m.group(2))
    return out


def test_python_md_lists_every_result_dataclass_with_its_fields():
    import dataclasses
    documented = _documented_fields()
    found = {}
    for module in _modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isclass(obj) and dataclasses.is_dataclass(obj) and _own(obj):
                label = name if getattr(powercrm, name, None) is obj \
                    else "%s.%s" % (module.__name__.split(".")[-1], name)
                found[label] = [f.name for f in dataclasses.fields(obj)
                                if not f.name.startswith("_")]
    assert "ArrearsItem" in found and "TraceEvent" in found  # the walk sees the modules
    missing = sorted(set(found) - set(documented))
    assert not missing, "not in docs/python.md's Result fields: %s" % ", ".join(missing)
    stale = sorted(set(documented) - set(found))
    assert not stale, "in docs/python.md but not a result dataclass: %s" % ", ".join(stale)
    for label, fields in found.items():
        assert documented[label] == fields, label


def test_acd_and_telephony_dicts_have_the_documented_keys():
    # The dict rows of docs/python.md, checked against a live engine and adapter.
    acd = powercrm.Acd({"version": 1, "queues": [{"id": "billing"}],
                        "agents": [{"id": "1001", "skills": {"billing": 5}}]}, clock=0)

    class Switch:
        def route(self, call_id, device_id, agent_id):
            return None

    tel = powercrm.Telephony(acd, Switch(), clock_from_events=True)
    try:
        acd.login("1001")
        acd.ready("1001")
        acd.arrive("c-1", "billing", caller_number="13800138000")
        assert set(acd.agent("1001")) == {"agent_id", "state", "reason", "call_id",
                                          "state_since", "consecutive_misses"}
        assert set(acd.call("c-1")) == {"call_id", "queue_id", "agent_id", "state", "priority",
                                        "min_level", "queue_count", "arrived_at", "misses"}
        q = acd.queue_stats("billing")
        assert set(q) == {"queue_id", "waiting", "longest_wait_ms", "agents_logged_in",
                          "agents_ready", "agents_busy", "total", "interval", "interval_start"}
        assert "service_level" in q["total"] and "aht_s" in q["interval"]
        a = acd.agent_stats("1001")
        assert set(a) == {"agent_id", "state", "state_since", "total", "interval",
                          "interval_start"}
        assert "state_ms" in a["total"]
        assert {"agents", "cdrs_pending", "events_dropped"} <= set(acd.engine_stats())
        assert set(tel.stats()) == {"events_accepted", "events_rejected", "rejected",
                                    "events_by_type", "requests_sent", "requests_failed",
                                    "requests_unsupported", "routes_failed", "lookup_errors",
                                    "resyncs", "calls_live"}
        events = [e for e in acd.poll(64) if e["type"] == "call_offered"]
        assert events and {"type", "seq", "at", "call", "agent", "queue", "caller_number",
                           "wait_ms"} <= set(events[0])
    finally:
        tel.close()
        acd.close()
