"""Every public header and function reaches Python.

A public API change that is not bound (a new header, a new function) fails
here, so the bindings follow the headers in the same change.
"""

import os
import re

import powercrm
from powercrm import lowlevel

from conftest import SOURCE_ROOT

INCLUDE = os.path.join(SOURCE_ROOT, "include")
INTERFACE = os.path.join(SOURCE_ROOT, "bindings", "python", "powercrm.i")

DECL = re.compile(r"PCRM_EXTERN\(([^)]*)\)\s*(\w+)\s*\(")


def public_headers():
    d = os.path.join(INCLUDE, "powercrm")
    return sorted(f for f in os.listdir(d) if f.endswith(".h") or f.endswith(".h.in"))


def public_functions():
    out = {}
    for h in public_headers():
        with open(os.path.join(INCLUDE, "powercrm", h), encoding="utf-8") as f:
            for ret, name in DECL.findall(f.read()):
                if not name.startswith("_") and name != "type":  # the macro's definitions
                    out[name] = (h, ret.strip())
    return out


def interface_text():
    """powercrm.i and the interface files it %includes (acd.i)."""
    with open(INTERFACE, encoding="utf-8") as f:
        text = f.read()
    for part in re.findall(r'%include "(\w+\.i)"', text):
        with open(os.path.join(os.path.dirname(INTERFACE), part), encoding="utf-8") as f:
            text += f.read()
    return text


def test_every_public_header_is_wrapped():
    text = interface_text()
    for h in public_headers():
        name = h[:-3] if h.endswith(".in") else h
        assert '%%include "powercrm/%s"' % name in text, "powercrm.i does not %%include %s" % name
    with open(os.path.join(INCLUDE, "powercrm.h"), encoding="utf-8") as f:
        umbrella = re.findall(r"#include <powercrm/(\w+\.h)>", f.read())
    for h in umbrella:
        assert '%%include "powercrm/%s"' % h in text


def test_every_public_function_is_bound():
    missing = [n for n in public_functions() if not hasattr(lowlevel, n)]
    assert missing == [], "not in powercrm.lowlevel: %s" % missing


def test_plain_int_list_names_real_functions():
    """The int functions exempted from status checking exist and return int."""
    text = interface_text()
    block = re.search(r"%define PCRM_PLAIN_INT(.*?)%enddef", text, re.S).group(1)
    names = re.findall(r"int (pcrm_\w+)", block)
    funcs = public_functions()
    for n in names:
        assert n in funcs, "PCRM_PLAIN_INT names %s, which is not public" % n
        assert funcs[n][1] == "int", n


def test_status_returning_functions_raise_instead_of_returning_codes():
    funcs = public_functions()
    text = interface_text()
    block = re.search(r"%define PCRM_PLAIN_INT(.*?)%enddef", text, re.S).group(1)
    plain = set(re.findall(r"int (pcrm_\w+)", block))
    status_fns = [n for n, (_, ret) in funcs.items() if ret == "int" and n not in plain]
    assert "pcrm_ctx_open" in status_fns and "pcrm_decimal_cmp" not in status_fns
    # A representative: called with bad input, it raises; it never returns the code.
    try:
        lowlevel.pcrm_date_parse("nonsense")
    except powercrm.InvalidInput:
        pass
    else:
        raise AssertionError("pcrm_date_parse returned instead of raising")


def test_package_exports():
    for name in ("open", "Context", "Calendar", "Actor", "Role", "Permission", "OrgLevel",
                 "Rounding", "OrgUnit", "AuditEntry", "Customer", "Error", "live_handles"):
        assert hasattr(powercrm, name), name
