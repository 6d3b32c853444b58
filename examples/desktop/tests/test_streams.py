#!/usr/bin/python3
"""The agent desktop's event streams at their edges (docs/desktop.md, "Event
stream" and "Concurrency"): an idle stream gets its keep-alive comment from
the timer although its connection is suspended; log-out ends the user's open
stream; Last-Event-ID resumes after the given id (one beyond the newest, from an
earlier run of the service, starts over); a reader more than the
backlog (256) behind gets one `events_lost` with the exact count and then the
oldest kept event; the fifth stream of a user is refused (429), and streams
whose clients left are found by the refusal's keep-alive so a retry opens; the service
exits cleanly on SIGTERM with a stream parked.  The event stream involves no
store, so this runs on SQLite only.

usage: test_streams.py DESKTOP_BINARY SOURCE_ROOT
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load import write_users  # noqa: E402  (the same users file as the load test)

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, flush=True)


def request(port, method, path, body=None, cookie=None, csrf=None):
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Content-Type": "application/json"}
    if cookie:
        h["Cookie"] = cookie
    if csrf:
        h["X-CSRF-Token"] = csrf
    conn.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=h)
    r = conn.getresponse()
    text = r.read()
    conn.close()
    return r.status, json.loads(text) if text else None, r.getheader("Set-Cookie")


class Stream:
    """A raw SSE connection; read() gives the (still chunked) bytes seen so far."""

    def __init__(self, port, cookie, last_id=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        extra = "Last-Event-ID: %d\r\n" % last_id if last_id is not None else ""
        self.sock.sendall(("GET /api/events HTTP/1.1\r\nHost: x\r\nCookie: %s\r\n%s\r\n" % (cookie, extra)).encode())
        self.buf = b""
        self.closed = False

    def read_until(self, pattern, timeout):
        deadline = time.time() + timeout
        while not re.search(pattern, self.buf) and time.time() < deadline and not self.closed:
            self.sock.settimeout(max(0.1, deadline - time.time()))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                self.closed = True
            self.buf += chunk
        return re.search(pattern, self.buf) is not None

    def ids(self):
        return [int(x) for x in re.findall(rb"\nid: (\d+)\n", b"\n" + self.buf)]

    def close(self):
        self.sock.close()


def main():
    binary, root = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="desktop-streams-")
    proc = None
    try:
        users = os.path.join(tmp, "users.json")
        write_users(users, 2)
        proc = subprocess.Popen([binary, "--store", "sqlite:" + os.path.join(tmp, "s.db"), "--users", users,
                                 "--simulate", "--port", "0", "--static", os.path.join(root, "examples/desktop/static"),
                                 "--data", os.path.join(root, "data")],
                                stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
        port = int(re.search(r"127\.0\.0\.1:(\d+)/", proc.stdout.readline()).group(1))
        status, body, set_cookie = request(port, "POST", "/api/login", {"agent_id": "a1", "password": "pw-a1"})
        check(status == 200, "log-in: %s" % status)
        cookie, csrf = set_cookie.split(";")[0], body["csrf_token"]

        # 300 events: 150 times not ready, ready (each an agent_state event).
        for i in range(150):
            request(port, "POST", "/api/state", {"state": "not_ready", "reason": "break"}, cookie, csrf)
            request(port, "POST", "/api/state", {"state": "ready"}, cookie, csrf)
        total = 1 + 300   # the log-in's not_ready (reason login) was event 1

        # From the start: 301 - 256 = 45 lost, reported once, then 46..301 in order.
        s = Stream(port, cookie)
        check(s.read_until(rb"id: %d\n" % total, 20), "a stream from the start reads up to the newest event")
        lost = re.findall(rb"event: events_lost\ndata: (\{.*?\})\n", s.buf)
        check(len(lost) == 1 and json.loads(lost[0])["count"] == total - 256,
              "one events_lost with count %d: %r" % (total - 256, lost))
        check(s.ids() == list(range(total - 255, total + 1)), "then the 256 kept events in order")

        # Resume after an id: exactly the events after it.
        r = Stream(port, cookie, last_id=total - 3)
        check(r.read_until(rb"id: %d\n" % total, 10), "resume reads to the newest event")
        check(r.ids() == [total - 2, total - 1, total], "Last-Event-ID resumes after the given id: %r" % r.ids())

        # Four streams per user: two open, two more allowed, the fifth refused.
        extra = [Stream(port, cookie, last_id=total), Stream(port, cookie, last_id=total)]
        for e in extra:
            check(e.read_until(rb"\r\n\r\n", 5) and e.buf.startswith(b"HTTP/1.1 200"), "streams 3 and 4 open")
        fifth = Stream(port, cookie, last_id=total)
        check(fifth.read_until(rb"\r\n\r\n", 5) and fifth.buf.startswith(b"HTTP/1.1 429"),
              "the fifth stream of a user is refused: %r" % fifth.buf[:40])
        for e in extra + [fifth]:
            e.close()
        r.close()

        # Three of the four went away unnoticed (suspended): the next stream is refused, but
        # the refusal sends the open ones a keep-alive, the dead ones close, and a retry opens.
        opened = False
        for attempt in range(10):
            retry = Stream(port, cookie, last_id=total)
            retry.read_until(rb"\r\n\r\n", 5)
            opened = retry.buf.startswith(b"HTTP/1.1 200")
            retry.close()
            if opened:
                break
            time.sleep(0.5)
        check(opened and attempt < 9, "after clients went away a retried stream opens within seconds "
              "(attempts: %d)" % (attempt + 1))

        # An id from an earlier run of the service (beyond the newest): from the start again, not a wait.
        old = Stream(port, cookie, last_id=100000)
        check(old.read_until(rb"id: %d\n" % total, 10), "a Last-Event-ID beyond the newest reads to the newest")
        check(old.ids() == list(range(total - 255, total + 1)) and b"events_lost" in old.buf,
              "... from what the ring keeps, the loss reported: %r" % old.ids()[:3])
        old.close()

        s.read_until(rb"(?!)", 1)   # drain the keep-alives the refusals sent: the timer's is next
        s.buf = b""

        # A parked (suspended) stream still gets its keep-alive after 15 s, then a new event at once.
        check(s.read_until(rb": keep-alive\n", 25), "an idle stream gets the keep-alive comment")
        request(port, "POST", "/api/state", {"state": "not_ready", "reason": "meal"}, cookie, csrf)
        check(s.read_until(rb"id: %d\n" % (total + 1), 5), "a parked stream wakes for its agent's next event")

        # Log-out ends the open stream (its session is gone).
        request(port, "POST", "/api/logout", {}, cookie, csrf)
        check(s.read_until(rb"\r\n0\r\n\r\n", 5) or s.closed, "log-out ends the user's stream")
        s.close()

        # SIGTERM with another user's stream parked: a clean exit.
        status, body, set_cookie = request(port, "POST", "/api/login", {"agent_id": "a2", "password": "pw-a2"})
        parked = Stream(port, set_cookie.split(";")[0])
        check(parked.read_until(rb"id: 1\n", 5), "a second agent's stream opens")
        proc.terminate()
        rc = proc.wait(timeout=30)
        check(rc == 0, "exits cleanly on SIGTERM with a stream parked (rc %s)" % rc)
        check(parked.read_until(rb"\r\n0\r\n\r\n", 5) or parked.closed, "the parked stream is ended at shutdown")
        parked.close()
        proc = None
    finally:
        if proc:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp)
    if FAILURES:
        print("%d failure(s)" % len(FAILURES))
        return 1
    print("all desktop event-stream checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
