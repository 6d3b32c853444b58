"""Importing OpenEI Utility Rate Database (URDB) rates (pcrm_tariff_from_urdb).

    doc = powercrm.tariff_from_urdb(open("rate.json").read(), effective_from="2026-01-01")
    tariff = powercrm.Tariff.load(doc)   # or powercrm.Tariff.from_urdb(text, ...)

The rate is URDB's JSON (v7/v8 field names, or an API answer
``{"items": [rate]}``) as text, or a dict whose numbers are
:class:`decimal.Decimal` (``json.loads(text, parse_float=Decimal)``): floats
are refused, since a float has lost the rate's digits already.  The
result is the library's tariff document as a dict (docs/tariff-format.md).
A rate the format cannot express yet raises :class:`powercrm.Unsupported`
whose message lists every such field; a malformed one
:class:`powercrm.InvalidInput` naming the JSON path.

Command line (``powercrm tariff import-urdb``)::

    python3 -m powercrm.urdb rate.json [--id ID] [--effective-from YYYY-MM-DD]
        [--currency USD] [--rounding half_up] [--utc-offset +00:00 | --time-zone ZONE]
        [--version N]

writes the tariff document to standard output; exit status 1 for a refused
rate (the message on standard error), 2 for bad usage.
"""

import argparse
import json as _json
import sys
from typing import Optional, Sequence

from .errors import Error
from .tariff import tariff_from_urdb

__all__ = ["tariff_from_urdb", "main"]


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``powercrm tariff import-urdb``: a URDB rate file (or - for stdin) to a tariff document."""
    p = argparse.ArgumentParser(prog="python3 -m powercrm.urdb",
                                description="Convert an OpenEI URDB rate into a libpowercrm "
                                            "tariff document (powercrm tariff import-urdb).")
    p.add_argument("rate", help="the URDB rate JSON file, or - for standard input")
    p.add_argument("--id", help="tariff id (default: urdb-<label>)")
    p.add_argument("--version", type=int, default=None, help="tariff version (default 1)")
    p.add_argument("--effective-from", help="YYYY-MM-DD (default: the rate's startdate)")
    p.add_argument("--currency", help="ISO 4217 code (default USD)")
    p.add_argument("--rounding", help="half_up (default), half_even, down, up, ceiling, floor")
    p.add_argument("--utc-offset", help="+HH:MM the schedules' hours are read in (default +00:00)")
    p.add_argument("--time-zone", help="an IANA zone (America/Los_Angeles) whose local clock "
                                       "hours, daylight saving time included, the schedules "
                                       "are read in; not with --utc-offset")
    args = p.parse_args(argv)
    if args.rate == "-":
        text = sys.stdin.read()
    else:
        with open(args.rate, encoding="utf-8") as f:
            text = f.read()
    try:
        doc = tariff_from_urdb(text, id=args.id, version=args.version,
                               effective_from=args.effective_from, currency=args.currency,
                               rounding=args.rounding, utc_offset=args.utc_offset,
                               time_zone=args.time_zone)
    except Error as e:
        print("powercrm tariff import-urdb: %s" % (e,), file=sys.stderr)
        return 1
    _json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
