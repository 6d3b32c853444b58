#!/usr/bin/env python3
"""Org and audit report: print the org tree, export the audit log to CSV, verify the chain.

    org_audit_report.py sqlite:crm.db [audit.csv]

On a fresh database the supply company's tree of the C demo is created
first (as the actors who own each level), so the report has something to
show.  The audit CSV has one row per entry; the JSON summary goes in one
column.  Exit status 1 when the hash chain is broken.
"""

import csv
import json
import os
import sys

import powercrm

# The data key that seals personal data (names, phones, addresses, ID numbers).
# DEMO KEY, public in this source: a deployment takes its key from its key store
# (an HSM or KMS) and never from code.  PCRM_DATA_KEY (64 hex digits) replaces it.
DEMO_DATA_KEY = b"demo-key-never-use-in-production"
DATA_KEY = bytes.fromhex(os.environ["PCRM_DATA_KEY"]) if "PCRM_DATA_KEY" in os.environ \
    else DEMO_DATA_KEY

PROVINCE_ADMIN = powercrm.Actor("A0001", "admin", 3, "37")
CITY_ADMIN = powercrm.Actor("A3701", "admin", 2, "3701")
AUDITOR = powercrm.Actor("M0001", "monitor", 2, "37")


def seed(ctx):
    """The demo tree, in one transaction: it appears whole or not at all."""
    with ctx.transaction():
        ctx.org_create(PROVINCE_ADMIN, "37", None, "国网山东省电力公司", "province")
        ctx.org_create(PROVINCE_ADMIN, "3701", "37", "国网济南供电公司", "city")
        ctx.org_create(PROVINCE_ADMIN, "3702", "37", "国网青岛供电公司", "city")
        ctx.org_create(CITY_ADMIN, "370102", "3701", "历下区供电中心", "county")
        ctx.org_create(CITY_ADMIN, "37010201", "370102", "姚家供电所", "township")
    # A refused operation: denied, and the denial is audited.
    try:
        ctx.org_create(CITY_ADMIN, "370201", "3702", "市南区供电中心", "county")
    except powercrm.PermissionDenied as e:
        print("refused: %s" % e.message)


def main(argv):
    uri = argv[1] if len(argv) > 1 else "sqlite:crm.db"
    csv_path = argv[2] if len(argv) > 2 else "audit.csv"
    with powercrm.open(uri, data_key=DATA_KEY) as ctx:
        try:
            ctx.org_is_within("37", "37")  # NotFound on a fresh store
        except powercrm.NotFound:
            seed(ctx)

        print("org tree (%s, schema %d):" % (ctx.backend, ctx.schema_version))
        for depth, unit in ctx.org_tree(PROVINCE_ADMIN, "37"):
            print("  %s%s %s (%s, v%d)" % ("  " * depth, unit.code, unit.name, unit.level,
                                          unit.version))

        count = 0
        with open(csv_path, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["seq", "at", "operator_id", "role", "actor_org", "action",
                          "object_type", "object_id", "summary", "hash"])
            for e in ctx.audit_iter(AUDITOR):
                out.writerow([e.seq, powercrm.time_format(e.at, ctx.utc_offset), e.operator_id,
                              e.role, e.actor_org, e.action, e.object_type, e.object_id,
                              json.dumps(e.summary, ensure_ascii=False, sort_keys=True,
                                         default=str),
                              e.hash])
                count += 1
        print("\naudit log: %d entries written to %s" % (count, csv_path))

        try:
            print("audit chain verified: %d entries intact" % ctx.audit_verify(AUDITOR))
        except powercrm.IntegrityError as e:
            print("audit chain BROKEN at entry %d: %s" % (e.first_bad, e.message))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
