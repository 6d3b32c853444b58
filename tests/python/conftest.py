"""Fixtures for the Python bindings' tests.

Run by `meson test --suite python` (PYTHONPATH points at the package in the
build tree).  Store tests run on SQLite and, when PostgreSQL server binaries
are installed, on a throwaway PostgreSQL server listening on a Unix socket in
a temporary directory (as "nobody", or PCRM_TEST_PG_RUN_AS, when the tests
run as root, since initdb refuses root); each test gets a database of its
own.  With CI=true a server that cannot be started fails the PostgreSQL tests
instead of skipping them.
"""

import os
import sys

import pytest

import powercrm

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from pgserver import PgServer as _PgServer  # noqa: E402  (shared with examples/desktop/tests)

SOURCE_ROOT = os.environ.get("PCRM_SOURCE_ROOT",
                             os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
CALENDARS = os.path.join(SOURCE_ROOT, "data", "calendars")

# The actors of tests/support/fixtures.h:
# province 37 > city 3701 > county 370102 > township 37010201; city 3702 beside 3701.
ROOT_ADMIN = powercrm.Actor("admin-root", "admin", 3, "37")
CITY_ADMIN = powercrm.Actor("admin-jn", "admin", 2, "3701")
CITY_CLERK = powercrm.Actor("clerk-jn", "data_clerk", 1, "3701")
SENIOR_CLERK = powercrm.Actor("clerk-boss", "data_clerk", 2, "37")
TOWNSHIP_CLERK = powercrm.Actor("clerk-tw", "data_clerk", 2, "37010201")
CITY_AGENT = powercrm.Actor("agent-jn", "agent", 1, "3701")
MONITOR = powercrm.Actor("monitor-1", "monitor", 1, "37")

DATA_KEY = b"0123456789abcdef0123456789abcde\0"

#: 2026-11-23T09:00:00+08:00, a Monday
T0 = 1795395600


class FixedClock:
    """A settable clock: ctx = powercrm.open(uri, clock=FixedClock())."""

    def __init__(self, t=T0):
        self.t = t
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.t


def make_tree(ctx):
    ctx.org_create(ROOT_ADMIN, "37", None, "山东省电力公司", "province")
    ctx.org_create(ROOT_ADMIN, "3701", "37", "济南供电公司", "city")
    ctx.org_create(ROOT_ADMIN, "3702", "37", "青岛供电公司", "city")
    ctx.org_create(CITY_ADMIN, "370102", "3701", "历下区供电中心", "county")
    ctx.org_create(CITY_ADMIN, "37010201", "370102", "姚家供电所", "township")


# ---- a throwaway PostgreSQL server (tests/support/pgserver.py) --------------------------

@pytest.fixture(scope="session")
def pg_server():
    server = _PgServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_uri(request, tmp_path):
    """A fresh, empty store on each backend."""
    if request.param == "sqlite":
        return "sqlite:%s" % (tmp_path / "crm.db")
    server = request.getfixturevalue("pg_server")
    if server.uri_base is None:
        if os.environ.get("CI") == "true":
            pytest.fail(server.error)
        pytest.skip(server.error)
    return server.new_database()


@pytest.fixture
def clock():
    return FixedClock()


@pytest.fixture
def ctx(store_uri, clock):
    """An open context with the standard org tree, on each backend."""
    with powercrm.open(store_uri, clock=clock, data_key=DATA_KEY) as c:
        make_tree(c)
        yield c


@pytest.fixture
def sqlite_path(tmp_path):
    return str(tmp_path / "crm.db")


@pytest.fixture
def sctx(sqlite_path, clock):
    """SQLite only (tests that edit the database file directly)."""
    with powercrm.open("sqlite:" + sqlite_path, clock=clock, data_key=DATA_KEY) as c:
        make_tree(c)
        yield c
