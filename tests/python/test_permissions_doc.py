"""docs/security.md's permission table says what the library's table says."""

import os
import re

import powercrm
from conftest import SOURCE_ROOT

ROLES = ["admin", "agent", "data_clerk", "monitor", "system"]


def documented():
    with open(os.path.join(SOURCE_ROOT, "docs", "security.md"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("### Permissions", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `([a-z_.]+)` \| (.+) \|$", section, re.M)
    return {name: [c.strip() for c in cells.split("|")] for name, cells in rows}


def test_every_permission_is_documented_with_its_levels():
    table = documented()
    assert sorted(table) == sorted(str(p) for p in powercrm.Permission)
    for p in powercrm.Permission:
        expected = [str(powercrm.role_min_level(r, p) or "-") for r in ROLES]
        assert table[str(p)] == expected, str(p)
