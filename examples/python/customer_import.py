#!/usr/bin/env python3
"""Bulk customer import with a progress line, then a screen pop.

    customer_import.py sqlite:crm.db customers.jsonl [batch-lines]

Imports a JSON Lines file in batches (each all or nothing, committed on its
own); the import runs in C without the GIL and reports to a Python progress
callback after each batch.  On a bad line the error names the line and the
field, and the batches before it stay imported; running the same file again
finishes an interrupted import (lines already there are skipped and counted).
Without a file argument a
sample of 2,500 customers is generated first.  The org tree of
org_audit_report.py is created when missing.
"""

import json
import os
import sys
import time

import powercrm

# The data key that seals personal data (names, phones, addresses, ID numbers).
# DEMO KEY, public in this source: a deployment takes its key from its key store
# (an HSM or KMS) and never from code.  PCRM_DATA_KEY (64 hex digits) replaces it.
DEMO_DATA_KEY = b"demo-key-never-use-in-production"
DATA_KEY = bytes.fromhex(os.environ["PCRM_DATA_KEY"]) if "PCRM_DATA_KEY" in os.environ \
    else DEMO_DATA_KEY

ADMIN = powercrm.Actor("A0001", "admin", 3, "37")
CLERK = powercrm.Actor("C3701", "data_clerk", 1, "3701")
AGENT = powercrm.Actor("G3701", "agent", 1, "3701")


def ensure_tree(ctx):
    try:
        ctx.org_is_within("37", "37")  # NotFound on a fresh store
    except powercrm.NotFound:
        with ctx.transaction():
            ctx.org_create(ADMIN, "37", None, "国网山东省电力公司", "province")
            ctx.org_create(ADMIN, "3701", "37", "国网济南供电公司", "city")


def sample(path, n):
    with open(path, "w", encoding="utf-8") as f:
        for i in range(1, n + 1):
            f.write(json.dumps({
                "customer_no": "S%07d" % i, "kind": "person", "name": "样例客户%d" % i,
                "usage_class": "residential", "voltage_level": "220V", "org_unit": "3701",
                "phones": {"mobile": "139%08d" % i}}, ensure_ascii=False) + "\n")


def main(argv):
    uri = argv[1] if len(argv) > 1 else "sqlite:crm.db"
    path = argv[2] if len(argv) > 2 else "customers-sample.jsonl"
    batch = int(argv[3]) if len(argv) > 3 else 500
    if not os.path.exists(path):
        sample(path, 2500)
    started = time.monotonic()

    def progress(done):
        print("\r  %6d lines done, %.1f s" % (done, time.monotonic() - started), end="",
              flush=True)

    with powercrm.open(uri, data_key=DATA_KEY) as ctx:
        ensure_tree(ctx)
        print("importing %s in batches of %d:" % (path, batch))
        try:
            n = ctx.customer_import_file(CLERK, path, batch_lines=batch, progress=progress)
            print("\ndone: %d customers imported, %d already there" % (n, n.already_present))
        except powercrm.Error as e:
            print("\nstopped: %s (%d imported before the bad batch)"
                  % (e.message, getattr(e, "imported", 0)))
            return 1
        pop = ctx.customer_find_by_phone(AGENT, "+86 139 0000 0007")
        for c in pop:
            print("screen pop for 13900000007: %s %s (%s)" % (c.customer_no, c.name, c.status))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
