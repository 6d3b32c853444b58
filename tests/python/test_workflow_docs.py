"""docs/workflow.md holds the diagrams the library draws from data/workflows/, unchanged."""

import glob
import os
import re

import powercrm
from conftest import CALENDARS, SOURCE_ROOT

ADMIN = powercrm.Actor("admin-docs", "admin", 3, "37")


def documented():
    with open(os.path.join(SOURCE_ROOT, "docs", "workflow.md"), encoding="utf-8") as f:
        text = f.read()
    pattern = r"^## [^\n]*\(`([\w.-]+\.json)`\)\n\n```dot\n(.*?)```"
    return dict(re.findall(pattern, text, re.S | re.M))


def test_every_shipped_diagram_is_documented_as_drawn():
    with open(os.path.join(CALENDARS, "cn-2026.json"), encoding="utf-8") as f:
        calendar = f.read()
    docs = documented()
    files = sorted(glob.glob(os.path.join(SOURCE_ROOT, "data", "workflows", "*.json")))
    assert sorted(docs) == sorted(os.path.basename(p) for p in files)
    with powercrm.open("sqlite::memory:") as ctx:
        ctx.org_create(ADMIN, "37", None, "省公司", "province")
        for path in files:
            with open(path, encoding="utf-8") as f:
                doc = f.read()
            ctx.workflow_define(ADMIN, doc, calendar)
            wf = ctx.workflow_get(ADMIN, powercrm.records.json_loads(doc)["name"])
            assert docs[os.path.basename(path)] == wf.dot, (
                "docs/workflow.md is stale for %s: regenerate it" % path)
