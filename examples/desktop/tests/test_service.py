#!/usr/bin/python3
"""Service test of the agent desktop (docs/desktop.md): starts `desktop
--simulate` on 127.0.0.1 with a free port against a fresh SQLite store, then
a fresh database on a throwaway PostgreSQL server (tests/support/pgserver.py;
skipped without the server binaries unless CI is set), and
drives every endpoint over HTTP with urllib: log-in, state, a simulated call
through the simulated switch and the real ACD, the screen pop, a contact, a
complaint, the event stream, the wallboard; and the refusals: no session,
wrong password, missing CSRF token, another county's customer (403 JSON and
nothing stored), malformed JSON, unknown fields, an oversized body.

usage: test_service.py DESKTOP_BINARY SOURCE_ROOT
"""
import decimal
import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, flush=True)


def pbkdf2(password, salt, iterations=10000):
    # Independent of the service's own code: Python's hashlib computes the same KDF.
    h = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return "pbkdf2-sha256$%d$%s$%s" % (iterations, salt.hex(), h.hex())


class Client:
    def __init__(self, port):
        self.port = port
        self.cookie = None
        self.csrf = None

    def request(self, method, path, body=None, raw=None, csrf=True, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = dict(headers or {})
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None:
            h["Content-Type"] = "application/json"
        if self.cookie:
            h["Cookie"] = self.cookie
        if csrf and self.csrf and method == "POST":
            h["X-CSRF-Token"] = self.csrf
        conn.request(method, path, body=data if data is not None else (b"" if method == "POST" else None), headers=h)
        r = conn.getresponse()
        text = r.read()
        set_cookie = r.getheader("Set-Cookie")
        conn.close()
        try:
            payload = json.loads(text)
        except ValueError:
            payload = None
        return r.status, payload, set_cookie, r.getheader("Content-Type")

    def login(self, agent, password):
        status, body, cookie, _ = self.request("POST", "/api/login", {"agent_id": agent, "password": password})
        if status == 200:
            self.cookie = cookie.split(";")[0]
            self.csrf = body["csrf_token"]
        return status, body, cookie


def is_error(body):
    return isinstance(body, dict) and isinstance(body.get("error"), str) and isinstance(body.get("message"), str)


def read_events(port, cookie, want, timeout=20):
    """Reads the SSE stream until every event type in `want` was seen."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.sendall(("GET /api/events HTTP/1.1\r\nHost: x\r\nCookie: %s\r\nAccept: text/event-stream\r\n\r\n" % cookie).encode())
    buf = b""
    seen = []
    deadline = time.time() + timeout
    while time.time() < deadline and not set(want) <= set(t for t, _ in seen):
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
        seen = [(m.group(1).decode(), json.loads(m.group(2))) for m in
                re.finditer(rb"event: (\w+)\ndata: (\{.*?\})\n\n", buf)]
    sock.close()
    return seen


def run_on(binary, root, tmp, store_uri, count):
    proc = subprocess.Popen([binary, "--store", store_uri, "--users", os.path.join(tmp, "users.json"),
                             "--simulate", "--port", "0", "--static", os.path.join(root, "examples/desktop/static"),
                             "--data", os.path.join(root, "data")],
                            stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"127\.0\.0\.1:(\d+)/", line)
        if not m:
            check(False, "service starts on %s: %r" % (store_uri.split(":")[0], line))
            return
        run(int(m.group(1)), count)
    finally:
        proc.terminate()
        rc = proc.wait(timeout=30)
        check(rc == 0, "service exits cleanly on SIGTERM (rc %s)" % rc)


def main():
    binary, root = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="desktop-test-")
    pg = None
    try:
        users = {"users": [
            {"id": "1001", "name": "坐席一", "role": "agent", "level": 2, "org_unit": "370102",
             "device": "d1001", "skills": {"billing": 8, "general": 5},
             "password": pbkdf2("秘密-1001", os.urandom(16))},
            {"id": "1002", "name": "坐席二", "role": "agent", "level": 2, "org_unit": "370102",
             "device": "d1002", "skills": {"repair": 8, "general": 5},
             "password": pbkdf2("秘密-1002", os.urandom(16))},
            {"id": "9001", "name": "班长", "role": "monitor", "level": 2, "org_unit": "3701",
             "password": pbkdf2("班长密码", os.urandom(16))},
            {"id": "9002", "name": "市中班长", "role": "monitor", "level": 2, "org_unit": "370103",
             "password": pbkdf2("市中密码", os.urandom(16))},
        ]}
        with open(os.path.join(tmp, "users.json"), "w") as f:
            json.dump(users, f, ensure_ascii=False)

        print("== SQLite", flush=True)
        store = os.path.join(tmp, "store.db")
        run_on(binary, root, tmp, "sqlite:" + store, lambda sql: count_rows(store, sql))

        print("== PostgreSQL", flush=True)
        sys.path.insert(0, os.path.join(root, "tests", "support"))
        from pgserver import PgServer
        pg = PgServer()
        pg.start()
        if pg.uri_base is None:
            if os.environ.get("CI") in ("true", "1", "yes"):
                check(False, "PostgreSQL: " + str(pg.error))
            else:
                print("PostgreSQL skipped:", pg.error)
        else:
            uri = pg.new_database()
            run_on(binary, root, tmp, uri, lambda sql: int(pg.query(uri, sql)))
    finally:
        if pg:
            pg.stop()
        shutil.rmtree(tmp)
    if FAILURES:
        print("%d failure(s)" % len(FAILURES))
        return 1
    print("all desktop service checks passed")
    return 0


def count_rows(store, sql):
    import sqlite3
    db = sqlite3.connect(store)
    try:
        return db.execute(sql).fetchone()[0]
    finally:
        db.close()


def money(text):
    return decimal.Decimal(text)


def fen(x):
    return x.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)


def check_bills(pop):
    """The last 12 of the 13 seeded bills, newest first, each line explained; July 2026 computed here."""
    bills = pop.get("bills", [])
    check(len(bills) == 12, "the pop has the last 12 bills (%d)" % len(bills))
    if len(bills) != 12:
        return
    periods = [b["period"] for b in bills]
    check(periods[0] == "2026-11" and periods[-1] == "2025-12" and periods == sorted(periods, reverse=True),
          "bills newest first, the oldest of 13 left out: %s" % periods)
    for b in bills:
        total = sum((money(l["amount"]) for l in b["lines"]), decimal.Decimal(0))
        check(total == money(b["total"]), "bill %s: the lines add up to the total" % b["bill_no"])
        for l in b["lines"]:
            check(l["explanation"].startswith(l["label"] + ": ") and
                  l["explanation"].endswith("= %s 元" % l["amount"]) and l["quantity"] in l["explanation"],
                  "line explained with its quantity and amount: %s" % l)
    # 2026-07 of customer 3701020001: 420 kWh; tiers 200 / 400 at 0.5469 + 0, + 0.05, + 0.30; two funds.
    july = [b for b in bills if b["period"] == "2026-07"][0]
    price = decimal.Decimal("0.5469")
    want = [("energy", 1, "200", price), ("energy", 2, "200", price + decimal.Decimal("0.05")),
            ("energy", 3, "20", price + decimal.Decimal("0.30")),
            ("fund", 0, "420", decimal.Decimal("0.0062")), ("fund", 0, "420", decimal.Decimal("0.001"))]
    got = [(l["code"], l.get("tier", 0), l["quantity"], money(l["unit_price"])) for l in july["lines"]]
    check(got == want, "July's lines: three tiers and two funds: %s" % got)
    expected_total = sum((fen(money(q) * p) for _, _, q, p in want), decimal.Decimal(0))
    check(money(july["total"]) == expected_total and july["energy_kwh"] == "420",
          "July's total computed independently: %s vs %s" % (july["total"], expected_total))
    check([l["label"] for l in july["lines"]][:3] == ["电度电费 第1档", "电度电费 第2档", "电度电费 第3档"]
          and july["lines"][3]["label"] == "大中型水库移民后期扶持基金", "lines labelled in Chinese")
    # Only the newest month was posted: it is the arrears.
    check(bills[0]["posted"] and not any(b["posted"] for b in bills[1:]), "only 2026-11 posted")
    check(money(pop["arrears"]["total"]) == money(bills[0]["total"]) and len(pop["arrears"]["items"]) == 1
          and pop["arrears"]["items"][0]["period"] == "2026-11", "arrears: the posted November bill")


def check_orders(agent, count):
    """Work orders and fault reports from the call; refusals store nothing."""
    before = count("SELECT count(*) FROM work_order")
    refusals = [
        ({"customer_no": "3701030001", "kind": "inquiry", "summary": "越权"}, "/api/workorder", 403, "permission.denied"),
        ({"customer_no": "9999999999", "kind": "inquiry", "summary": "无此户"}, "/api/workorder", 403, "permission.denied"),
        ({"customer_no": "3701020001", "kind": "wish", "summary": "x"}, "/api/workorder", 400, "desktop.kind"),
        ({"customer_no": "3701020001", "kind": "inquiry"}, "/api/workorder", 400, "json.missing"),
        ({"customer_no": "3701020001", "kind": "inquiry", "summary": "x", "priority": 1}, "/api/workorder", 400, "json.unknown_key"),
        ({"customer_no": "3701020001", "kind": "inquiry", "summary": 5}, "/api/workorder", 400, "json.wrong_type"),
        ({"customer_no": "3701030001", "fault": "no_power", "description": "越权"}, "/api/fault", 403, "permission.denied"),
        ({"customer_no": "9999999999", "fault": "no_power", "description": "无此户"}, "/api/fault", 403, "permission.denied"),
        ({"customer_no": "3701020001", "fault": "ghosts", "description": "x"}, "/api/fault", 400, "desktop.fault"),
        ({"customer_no": "3701020001", "fault": "no_power", "area": "moon", "description": "x"}, "/api/fault", 400, "desktop.area"),
    ]
    for body, path, want_status, want_error in refusals:
        status, reply, _, _ = agent.request("POST", path, body)
        check(status == want_status and reply.get("error") == want_error and "王" not in json.dumps(reply, ensure_ascii=False),
              "%s %s: %s %s (got %s %s)" % (path, body, want_status, want_error, status, reply))
    for path in ("/api/workorder", "/api/fault"):
        status, reply, _, _ = agent.request("POST", path, raw=b'{"summary": "13953100001 \xe5\xbc\xa0')
        check(status == 400 and reply.get("error") == "json.malformed" and "13953100001" not in reply["message"],
              "%s: malformed JSON refused without echoing it (%s)" % (path, reply))
    check(count("SELECT count(*) FROM work_order") == before, "nothing stored by the refused work orders")

    status, wo, _, _ = agent.request("POST", "/api/workorder", {"customer_no": "3701020001", "kind": "inquiry",
                                                               "summary": "咨询峰谷分时电价办理条件"})
    check(status == 201 and wo.get("workflow") == "inquiry" and wo.get("org_unit") == "370102"
          and wo.get("business_key", "").startswith("desk-sim-") and len(wo.get("id", "")) == 36,
          "inquiry work order opened from the call (%s %s)" % (status, wo))
    status, fault, _, _ = agent.request("POST", "/api/fault", {"customer_no": "3701020001", "fault": "no_power",
                                                              "description": "家中无电，邻居有电"})
    check(status == 201 and fault.get("workflow") == "fault_repair_urban" and fault.get("state") == "reported",
          "fault report opened on the urban repair workflow (%s %s)" % (status, fault))
    check(count("SELECT count(*) FROM work_order") == before + 2, "two work orders stored")
    if status == 201:
        check(count("SELECT count(*) FROM work_order WHERE id = '%s' AND customer_no = '3701020001'"
                    " AND data LIKE '%%\"call_id\":\"sim-1\"%%'" % fault["id"]) == 1,
              "the fault report is stored for the customer, naming the call")
    # A work order's data is not sealed: the caller's number must not be in it.
    check(count("SELECT count(*) FROM work_order WHERE data LIKE '%13953100001%'") == 0,
          "no caller number in the work orders' data")


def check_transfer_and_force(port, agent, boss):
    """A second call transferred to the repair queue reaches agent 1002; supervisors force states."""
    second = Client(port)
    check(second.login("1002", "秘密-1002")[0] == 200, "agent 1002 logs in")
    check(agent.request("POST", "/api/call/transfer", {"queue": "repair"})[0] == 409, "transfer without a call: 409")
    status, body, _, _ = agent.request("POST", "/api/sim/call", {"caller_number": "13953100002", "service": "billing"})
    check(status == 201, "second call")
    call_id = body.get("call_id")
    check(agent.request("POST", "/api/call/answer")[0] == 200, "second call answered by 1001")
    status, body, _, _ = agent.request("POST", "/api/call/transfer", {"queue": "nowhere"})
    check(status == 400 and body.get("error") == "desktop.queue" and body.get("field") == "queue",
          "transfer to an unknown queue: 400 naming it (%s)" % body)
    status, body, _, _ = agent.request("POST", "/api/call/transfer", raw=b"{queue}")
    check(status == 400 and body.get("error") == "json.malformed", "transfer with malformed JSON: 400")
    check(agent.request("GET", "/api/me")[1]["agent"]["state"] == "talking", "refused transfers left the call alone")
    status, body, _, _ = agent.request("POST", "/api/call/transfer", {"queue": "repair"})
    check(status == 200 and body.get("state") == "wrap_up", "transfer: the agent goes to wrap-up (%s %s)" % (status, body))
    status, board, _, _ = boss.request("GET", "/api/supervisor")
    repair = [q for q in board.get("queues", []) if q["queue"] == "repair"]
    check(repair and repair[0]["waiting"] == 1, "the call waits in the repair queue: %s" % repair)

    # Force state: refused to an agent and to another county's supervisor, done by the city's.
    status, body, _, _ = agent.request("POST", "/api/supervisor/force", {"agent_id": "1002", "state": "ready"})
    check(status == 403 and is_error(body), "an agent cannot force states: 403 (%s %s)" % (status, body))
    other = Client(port)
    check(other.login("9002", "市中密码")[0] == 200, "the other county's supervisor logs in")
    status, body, _, _ = other.request("POST", "/api/supervisor/force", {"agent_id": "1002", "state": "ready"})
    check(status == 403 and is_error(body), "a supervisor outside the agent's unit: 403 (%s %s)" % (status, body))
    # an agent nobody has gets the same answer: the force tells nothing about other units' agents
    status2, body2, _, _ = other.request("POST", "/api/supervisor/force", {"agent_id": "7777", "state": "ready"})
    check((status2, body2) == (status, body), "an unknown agent refused like another unit's (%s %s / %s %s)"
          % (status, body, status2, body2))
    check(second.request("GET", "/api/me")[1]["agent"]["state"] == "not_ready", "refused forces changed nothing")
    for bad, field in [({"agent_id": "1002", "state": "asleep"}, "state"),
                       ({"agent_id": "1002", "state": "not_ready", "reason": "nap"}, "reason"),
                       ({"state": "ready"}, "agent_id")]:
        status, body, _, _ = boss.request("POST", "/api/supervisor/force", bad)
        check(status == 400 and body.get("field") == field, "force %s: 400 naming %s (%s)" % (bad, field, body))
    status, body, _, _ = boss.request("POST", "/api/supervisor/force", {"agent_id": "7777", "state": "ready"})
    check(status == 403 and is_error(body), "force of an unknown agent: 403 (%s %s)" % (status, body))

    status, body, _, _ = boss.request("POST", "/api/supervisor/force", {"agent_id": "1002", "state": "ready"})
    check(status == 200 and body.get("agent", {}).get("state") in ("ready", "reserved"),
          "supervisor forces 1002 ready (%s %s)" % (status, body))
    status, body, _, _ = second.request("GET", "/api/call")
    call = body.get("call") or {}
    check(call.get("call_id") == call_id and call.get("queue") == "repair" and call.get("customer_no") == "3701020002",
          "the transferred call rings at 1002 from the repair queue: %s" % body)
    # Forcing a ringing agent withdraws the offer: the simulated switch deflects the call back to
    # its routing point and it waits in its queue again (not ended), to ring once more on ready.
    status, body, _, _ = boss.request("POST", "/api/supervisor/force", {"agent_id": "1002", "state": "not_ready"})
    check(status == 200 and body["agent"]["state"] == "not_ready", "ringing agent forced not ready (%s)" % body)
    check(second.request("GET", "/api/call")[1] == {"call": None}, "the offer is withdrawn from 1002")
    status, board, _, _ = boss.request("GET", "/api/supervisor")
    repair = [q for q in board.get("queues", []) if q["queue"] == "repair"]
    check(repair and repair[0]["waiting"] == 1 and repair[0]["abandoned"] == 0,
          "the withdrawn call waits in the repair queue again: %s" % repair)
    check(boss.request("POST", "/api/supervisor/force", {"agent_id": "1002", "state": "ready"})[0] == 200,
          "1002 forced ready again")
    check((second.request("GET", "/api/call")[1].get("call") or {}).get("call_id") == call_id,
          "the same call rings at 1002 again")
    check(second.request("POST", "/api/call/answer")[0] == 200, "1002 answers the transferred call")
    status, body, _, _ = boss.request("POST", "/api/supervisor/force", {"agent_id": "1002", "state": "logged_out"})
    check(status == 409 and is_error(body), "a talking agent cannot be forced: 409 (%s %s)" % (status, body))
    check(second.request("POST", "/api/call/hangup")[0] == 200, "1002 hangs up")
    status, body, _, _ = boss.request("POST", "/api/supervisor/force", {"agent_id": "1002", "state": "not_ready"})
    check(status == 200 and body["agent"]["state"] == "not_ready" and body["agent"]["reason"] == "supervisor",
          "forced out of wrap-up into not ready (supervisor) (%s)" % body)
    status, body, _, _ = boss.request("POST", "/api/supervisor/force", {"agent_id": "1002", "state": "logged_out"})
    check(status == 200 and body["agent"]["state"] == "logged_out", "forced log-out (%s)" % body)
    check(second.request("GET", "/api/me")[1]["agent"]["state"] == "logged_out", "1002 sees the forced log-out")
    check(agent.request("POST", "/api/state", {"state": "wrap_up_end"})[0] == 200, "1001 ends the transfer's wrap-up")


def check_login_rate_limit(port):
    """5 failures of one id from one address lock that pair; 20 from one address lock the address."""
    for i in range(5):
        status, body, _ = Client(port).login("9002", "wrong-%d" % i)
        check(status == 401, "failed log-in %d: 401 (%s)" % (i + 1, status))
    status, body, _ = Client(port).login("9002", "市中密码")
    check(status == 429 and body.get("error") == "desktop.login_rate_limited" and "csrf_token" not in body,
          "the 6th attempt of the pair, even with the right password: 429 (%s %s)" % (status, body))
    check(Client(port).login("9001", "班长密码")[0] == 200, "another id from the same address still logs in")
    # Spraying ids: the address's own count stops it (2 + 5 failures so far, limit 20).
    statuses = [Client(port).login("x%d" % i, "guess")[0] for i in range(14)]
    check(statuses == [401] * 13 + [429], "the address is limited at its 20th failure: %s" % statuses)
    check(Client(port).login("9001", "班长密码")[0] == 429, "then every log-in from the address waits")


def run(port, count):
    anon = Client(port)
    # The page is served, with a content security policy.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/")
    r = conn.getresponse()
    page = r.read().decode()
    check(r.status == 200 and "坐席工作台" in page and "default-src 'self'" in (r.getheader("Content-Security-Policy") or ""),
          "GET / serves the page with a CSP")
    conn.close()
    check(anon.request("GET", "/../meson.build")[0] == 404, "no path outside the page's files")

    # Nothing without a session.
    for method, path in [("GET", "/api/me"), ("GET", "/api/call"), ("GET", "/api/screenpop?customer_no=3701020001"),
                         ("GET", "/api/supervisor"), ("GET", "/api/events"), ("POST", "/api/state")]:
        status, body, _, _ = anon.request(method, path, {"state": "ready"} if method == "POST" else None)
        check(status == 401 and is_error(body), "%s %s without a session: 401 JSON (got %s)" % (method, path, status))

    # Log-in.
    status, body, _ = Client(port).login("1001", "wrong")
    check(status == 401 and is_error(body) and "csrf_token" not in body, "wrong password: 401")
    status, body, _ = Client(port).login("nobody", "x")
    check(status == 401 and is_error(body), "unknown agent: 401 with the same message")
    agent = Client(port)
    status, body, cookie = agent.login("1001", "秘密-1001")
    check(status == 200 and len(body.get("csrf_token", "")) == 64, "agent logs in")
    check(cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie, "session cookie is HttpOnly, SameSite=Strict")
    status, me, _, _ = agent.request("GET", "/api/me")
    check(status == 200 and me["agent"]["state"] == "not_ready" and me["agent"]["reason"] == "login",
          "after log-in the phone is logged on, not ready (login): %s" % me)

    # CSRF: a state-changing request without (or with a wrong) token is refused and changes nothing.
    status, body, _, _ = agent.request("POST", "/api/state", {"state": "ready"}, csrf=False)
    check(status == 403 and body.get("error") == "desktop.csrf", "POST without X-CSRF-Token: 403")
    status, body, _, _ = agent.request("POST", "/api/state", {"state": "ready"}, csrf=False,
                                       headers={"X-CSRF-Token": "0" * 64})
    check(status == 403, "POST with a wrong X-CSRF-Token: 403")
    check(agent.request("GET", "/api/me")[1]["agent"]["state"] == "not_ready", "refused requests changed no state")

    # Bad input.
    status, body, _, _ = agent.request("POST", "/api/state", raw=b"{\"state\": ")
    check(status == 400 and body.get("error") == "json.malformed" and "line" in body["message"], "malformed JSON: 400 naming where")
    status, body, _, _ = agent.request("POST", "/api/state", raw=b"[1]")
    check(status == 400 and body.get("error") == "json.wrong_type", "a JSON array: 400")
    status, body, _, _ = agent.request("POST", "/api/state", {"state": "ready", "x": 1})
    check(status == 400 and body.get("error") == "json.unknown_key" and body["message"].startswith("x:"), "unknown field: 400 naming it")
    status, body, _, _ = agent.request("POST", "/api/state", {"state": "ready", "13953100001": 1})
    check(status == 400 and body.get("error") == "json.unknown_key" and "13953100001" not in json.dumps(body),
          "an unknown key shaped like a phone number is refused without echoing it (%s)" % body)
    status, body, _, _ = agent.request("POST", "/api/state", {"state": "dancing"})
    check(status == 400 and body["message"].startswith("state:"), "unknown state: 400 naming the field")
    status, body, _, _ = agent.request("POST", "/api/state", {"state": "not_ready", "reason": "nap"})
    check(status == 400 and body["message"].startswith("reason:"), "unknown reason: 400 naming the field")
    status, body, _, _ = agent.request("POST", "/api/state", {"state": "wrap_up_end"})
    check(status == 409 and is_error(body), "wrap_up_end outside wrap-up: 409")
    status, body, _, _ = agent.request("POST", "/api/contact", raw=b"{\"summary\": \"" + b"a" * 20000 + b"\"}")
    check(status == 413 and body.get("error") == "desktop.body_too_large", "oversized body: 413 JSON")
    status, body, _, _ = agent.request("GET", "/api/nothing")
    check(status == 404 and is_error(body), "unknown endpoint: 404 JSON")
    check(agent.request("GET", "/api/screenpop")[0] == 400, "screen pop without customer_no: 400")

    # Not ready with a reason, then ready.
    status, body, _, _ = agent.request("POST", "/api/state", {"state": "not_ready", "reason": "meal"})
    check(status == 200 and body["state"] == "not_ready" and body["reason"] == "meal", "not ready (meal)")
    status, body, _, _ = agent.request("POST", "/api/state", {"state": "ready"})
    check(status == 200 and body["state"] == "ready", "ready")
    check(agent.request("GET", "/api/call")[1] == {"call": None}, "no call while idle")

    # A call through the simulated switch: the IVR picks billing, the archive lookup finds the customer.
    status, body, _, _ = agent.request("POST", "/api/sim/call", {"caller_number": "13953100001", "service": "billing"})
    check(status == 201 and body["call_id"].startswith("sim-"), "simulated call accepted: %s %s" % (status, body))
    call_id = body.get("call_id")
    status, body, _, _ = agent.request("GET", "/api/call")
    call = body.get("call") or {}
    check(call.get("call_id") == call_id and call.get("state") == "alerting" and call.get("queue") == "billing"
          and call.get("customer_no") == "3701020001", "current call rings at the agent with the customer: %s" % body)
    events = read_events(port, agent.cookie, ["agent_state", "call_offered"])
    offered = [d for t, d in events if t == "call_offered"]
    check(offered and offered[0].get("customer_no") == "3701020001" and offered[0].get("caller_number") == "13953100001",
          "event stream carries call_offered with the screen-pop keys: %s" % offered)

    status, body, _, _ = agent.request("POST", "/api/call/answer")
    check(status == 200 and body["state"] == "talking", "answer: talking (%s)" % body)

    # Screen pop: masked, with contact history.
    status, pop, _, _ = agent.request("GET", "/api/screenpop?customer_no=3701020001")
    check(status == 200, "screen pop 200 (%s)" % pop)
    if status == 200:
        c = pop["customer"]
        check(c["customer_no"] == "3701020001" and c["name"] == "张**", "name masked: %s" % c.get("name"))
        check(c["phones"]["mobile"] == "139****0001", "phone masked: %s" % c.get("phones"))
        check("13953100001" not in json.dumps(pop), "no full phone number anywhere in the pop")
        check(len(pop["contacts"]) == 1 and pop["contacts"][0]["summary"] == "咨询阶梯电价第二档起点", "contact history")
        check(pop["work_orders"] == [], "no open work orders yet")
        check_bills(pop)

    # Another county's customer: refused like a customer nobody has, nothing stored.
    contacts_before = count("SELECT count(*) FROM contact")
    for path in ["/api/screenpop?customer_no=3701030001", "/api/screenpop?customer_no=9999999999"]:
        status, body, _, _ = agent.request("GET", path)
        check(status == 403 and body.get("error") == "permission.denied" and "王" not in json.dumps(body, ensure_ascii=False),
              "%s: refused with a JSON error (%s %s)" % (path, status, body))
    status, body, _, _ = agent.request("POST", "/api/contact", {"customer_no": "3701030001", "summary": "越权"})
    check(status == 403 and is_error(body), "contact for another county's customer: 403 (%s)" % status)
    status, body, _, _ = agent.request("POST", "/api/complaint", {
        "customer_no": "3701030001", "category": "service", "subcategory": "attitude", "nature": "complaint",
        "description": "越权"})
    check(status == 403 and is_error(body), "complaint for another county's customer: 403 (%s %s)" % (status, body))
    check(count("SELECT count(*) FROM contact") == contacts_before, "nothing stored by the refusals")

    # A contact and a complaint from the call.
    status, body, _, _ = agent.request("POST", "/api/contact", {"customer_no": "3701020001", "business_code": "billing",
                                                               "summary": "核对十一月电费，已解释阶梯电价"})
    check(status == 201 and len(body.get("id", "")) == 36, "contact recorded (%s %s)" % (status, body))
    status, body, _, _ = agent.request("POST", "/api/contact", {"customer_no": "3701020001", "summary": "x",
                                                               "business_code": "no spaces allowed"})
    check(status == 400 and body.get("field") == "business_code", "bad business_code: 400 naming the field (%s)" % body)
    status, body, _, _ = agent.request("POST", "/api/complaint", {
        "customer_no": "3701020001", "category": "business", "subcategory": "billing", "nature": "complaint",
        "description": "对十一月电费有异议"})
    check(status == 201 and re.match(r"^\d+-\d{8}-\d{5}$", body.get("serial", "")), "complaint filed (%s %s)" % (status, body))
    status, body, _, _ = agent.request("POST", "/api/complaint", {
        "customer_no": "3701020001", "category": "nonsense", "subcategory": "billing", "nature": "complaint",
        "description": "x"})
    check(status == 400 and "category" in body.get("field", "") + body.get("message", ""), "bad category: 400 (%s)" % body)
    check_orders(agent, count)
    status, pop, _, _ = agent.request("GET", "/api/screenpop?customer_no=3701020001")
    check(status == 200 and len(pop["contacts"]) == 3 and len(pop["work_orders"]) == 3,
          "the pop now shows the new contacts and the complaint's work order (%d, %d)" %
          (len(pop.get("contacts", [])), len(pop.get("work_orders", []))))

    # Supervisor: agents may not see the wallboard, the monitor may.
    status, body, _, _ = agent.request("GET", "/api/supervisor")
    check(status == 403 and is_error(body), "agent: wallboard refused")
    boss = Client(port)
    check(boss.login("9001", "班长密码")[0] == 200, "supervisor logs in")
    status, board, _, _ = boss.request("GET", "/api/supervisor")
    billing = [q for q in board.get("queues", []) if q["queue"] == "billing"]
    check(status == 200 and billing and billing[0]["offered"] == 1 and billing[0]["answered"] == 1
          and billing[0]["busy"] == 1, "wallboard counts the call: %s" % billing)
    agents = {a["agent"]: a for a in board.get("agents", [])}
    check(agents.get("1001", {}).get("state") == "talking", "wallboard shows the agent talking")
    check(boss.request("POST", "/api/state", {"state": "ready"})[0] == 409, "a supervisor without a phone cannot go ready")

    # Hang up, wrap-up, end wrap-up.
    status, body, _, _ = agent.request("POST", "/api/call/hangup")
    check(status == 200 and body["state"] == "wrap_up", "hang-up: wrap-up (%s)" % body)
    status, body, _, _ = agent.request("POST", "/api/state", {"state": "wrap_up_end"})
    check(status == 200 and body["state"] == "ready", "wrap-up ended: ready (%s)" % body)
    status, board, _, _ = boss.request("GET", "/api/supervisor")
    billing = [q for q in board["queues"] if q["queue"] == "billing"][0]
    check(billing["ready"] == 1 and billing["busy"] == 0, "wallboard: agent ready again")
    check(agent.request("POST", "/api/call/hangup")[0] == 409, "hang-up without a call: 409")
    check_transfer_and_force(port, agent, boss)
    # The finished call reaches the store through the call-record sink (flushed by the ticker).
    deadline = time.time() + 10
    while time.time() < deadline and count("SELECT count(*) FROM call_record") == 0:
        time.sleep(0.2)
    check(count("SELECT count(*) FROM call_record WHERE call_id = '%s'" % call_id) == 1,
          "the call is stored as a call record")

    # Log out ends the session.
    check(agent.request("POST", "/api/logout")[0] == 200, "log out")
    check(agent.request("GET", "/api/me")[0] == 401, "the session is gone after log-out")
    check_login_rate_limit(port)


if __name__ == "__main__":
    sys.exit(main())
