#!/usr/bin/python3
"""Real-browser test of the agent desktop (docs/desktop.md): Debian's headless
Chromium through chromedriver and python3-selenium.  An agent logs in, goes
ready, receives a call from the simulated switch, sees the screen pop of the
right customer (masked), answers, records a contact, files a complaint and a
fault report, reads the bill explanation (the newest bill, then July's with
its tier-3 line), hangs up and ends wrap-up; a supervisor's wallboard, open
in a second browser, shows the figures change, and the supervisor forces the
agent not ready from it.  Screenshots of both pages go to the build
directory; with PCRM_DESKTOP_UPDATE_DOCS=1 the agent page's also replaces
docs/desktop-agent.png.

usage: test_browser.py DESKTOP_BINARY SOURCE_ROOT OUT_DIR
Exit 77 (skipped) when Chromium, chromedriver or Selenium is missing, unless CI is set.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def pbkdf2(password, salt, iterations=10000):
    h = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return "pbkdf2-sha256$%d$%s$%s" % (iterations, salt.hex(), h.hex())


def missing(why):
    print("browser test: " + why)
    return 1 if os.environ.get("CI") in ("true", "1", "yes") else SKIP


def main():
    binary, root, out = sys.argv[1], sys.argv[2], sys.argv[3]
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select, WebDriverWait
    except ImportError:
        return missing("python3-selenium is not installed (make deps)")
    chromedriver = "/usr/bin/chromedriver"
    if not os.path.exists(chromedriver) or not shutil.which("chromium"):
        return missing("chromium / chromium-driver are not installed (make deps)")

    tmp = tempfile.mkdtemp(prefix="desktop-browser-")
    proc = None
    drivers = []
    try:
        users = {"users": [
            {"id": "1001", "name": "王芳", "role": "agent", "level": 2, "org_unit": "370102",
             "device": "d1001", "skills": {"billing": 8, "general": 5}, "password": pbkdf2("demo-1001", os.urandom(16))},
            {"id": "9001", "name": "陈班长", "role": "monitor", "level": 2, "org_unit": "3701",
             "password": pbkdf2("demo-9001", os.urandom(16))}]}
        with open(os.path.join(tmp, "users.json"), "w") as f:
            json.dump(users, f, ensure_ascii=False)
        proc = subprocess.Popen([binary, "--store", "sqlite:" + os.path.join(tmp, "store.db"),
                                 "--users", os.path.join(tmp, "users.json"), "--simulate", "--port", "0",
                                 "--static", os.path.join(root, "examples/desktop/static"),
                                 "--data", os.path.join(root, "data")],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        m = re.search(r"127\.0\.0\.1:(\d+)/", proc.stdout.readline())
        if not m:
            print("service did not start")
            return 1
        base = "http://127.0.0.1:%s/" % m.group(1)

        def browser():
            opts = webdriver.ChromeOptions()
            for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                      "--window-size=1366,768", "--lang=zh-CN"):
                opts.add_argument(a)
            opts.add_argument("--user-data-dir=" + tempfile.mkdtemp(dir=tmp))
            # A loaded machine sometimes fails Chromium's first start ("session not created"): try thrice.
            for attempt in range(3):
                try:
                    d = webdriver.Chrome(service=Service(chromedriver), options=opts)
                    break
                except Exception as e:
                    if attempt == 2:
                        raise
                    print("chromium did not start (%s); retrying" % str(e).splitlines()[0])
            drivers.append(d)
            d.set_window_size(1366, 768)
            return d

        def login(d, user, password):
            d.get(base)
            d.find_element(By.ID, "login-id").send_keys(user)
            d.find_element(By.ID, "login-password").send_keys(password)
            d.find_element(By.ID, "login-button").click()
            WebDriverWait(d, 30).until(lambda x: x.find_element(By.ID, "desk-view").is_displayed())

        def wait_text(d, element_id, pred, what):
            try:
                WebDriverWait(d, 30).until(lambda x: pred(x.find_element(By.ID, element_id).text))
            except Exception:
                raise AssertionError("%s (#%s is %r)" % (what, element_id, d.find_element(By.ID, element_id).text))

        def wallboard(d, queue):
            # One script reads the whole table: it is redrawn every 2 s, so element handles go stale.
            rows = d.execute_script(
                "return Array.from(document.querySelectorAll('#wallboard tbody tr'))"
                ".map(r => Array.from(r.cells).map(c => c.textContent));")
            for cells in rows or []:
                if cells and cells[0] == queue:
                    return cells
            return None

        boss = browser()
        login(boss, "9001", "demo-9001")
        WebDriverWait(boss, 30).until(lambda x: wallboard(x, "billing") is not None)
        before = wallboard(boss, "billing")
        assert before[6] == "0" and before[7] == "0", "wallboard starts empty: %s" % before

        agent = browser()
        login(agent, "1001", "demo-1001")
        wait_text(agent, "state-label", lambda t: t == "示忙", "after log-in the agent is not ready")
        agent.find_element(By.ID, "btn-ready").click()
        wait_text(agent, "state-label", lambda t: t == "空闲", "ready")

        agent.find_element(By.ID, "sim-caller").clear()
        agent.find_element(By.ID, "sim-caller").send_keys("13953100002")
        Select(agent.find_element(By.ID, "sim-service")).select_by_value("billing")
        agent.find_element(By.ID, "sim-call").click()
        WebDriverWait(agent, 30).until(lambda x: x.find_element(By.ID, "incoming").is_displayed())
        wait_text(agent, "incoming-customer", lambda t: t == "3701020002", "the pop names the caller's customer")
        wait_text(agent, "state-label", lambda t: t == "振铃", "ringing")
        wait_text(agent, "customer", lambda t: "3701020002" in t and "李**" in t and "139****0002" in t,
                  "screen pop shows the right customer, masked")
        assert "13953100002" not in agent.find_element(By.ID, "customer").text

        agent.find_element(By.ID, "btn-answer").click()
        wait_text(agent, "state-label", lambda t: t == "通话中", "talking after answer")

        agent.find_element(By.ID, "contact-summary").send_keys("客户咨询本月电费，已解释峰谷电价")
        agent.find_element(By.ID, "contact-save").click()
        wait_text(agent, "message", lambda t: t.startswith("接触记录已保存"), "contact saved")
        WebDriverWait(agent, 30).until(lambda x: "峰谷电价" in x.find_element(By.ID, "contacts").text)

        Select(agent.find_element(By.ID, "complaint-category")).select_by_value("business")
        Select(agent.find_element(By.ID, "complaint-subcategory")).select_by_value("billing")
        agent.find_element(By.ID, "complaint-description").send_keys("客户对本月电费金额有异议")
        agent.find_element(By.ID, "complaint-save").click()
        wait_text(agent, "message", lambda t: "流水号" in t, "complaint accepted")
        WebDriverWait(agent, 30).until(lambda x: len(x.find_elements(By.CSS_SELECTOR, "#orders tbody tr")) == 1)

        # A fault report (报修) from the call: accepted, listed with the work orders.
        Select(agent.find_element(By.ID, "fault-kind")).select_by_value("no_power")
        agent.find_element(By.ID, "fault-description").send_keys("客户家中无电，邻居有电")
        agent.find_element(By.ID, "fault-save").click()
        wait_text(agent, "message", lambda t: t.startswith("报修已受理"), "fault report accepted")
        WebDriverWait(agent, 30).until(lambda x: "故障报修（城区）" in x.find_element(By.ID, "orders").text)
        assert len(agent.find_elements(By.CSS_SELECTOR, "#orders tbody tr")) == 2, "complaint and fault report listed"

        # The bill explanation: 12 bills, the newest explained at once; July (427 kWh) reaches tier 3.
        bills = agent.find_elements(By.CSS_SELECTOR, "#bills tbody tr")
        assert len(bills) == 12, "12 bills in the panel, not %d" % len(bills)
        assert bills[0].text.startswith("2026-11") and bills[0].get_attribute("class") == "on", bills[0].text
        wait_text(agent, "bill-lines", lambda t: "电度电费 第1档" in t and "元/kWh" in t, "the newest bill's lines explained")
        july = [b for b in bills if b.text.startswith("2026-07")][0]
        july.click()
        wait_text(agent, "bill-no", lambda t: t == "A3701020002-202607", "July's bill chosen")
        wait_text(agent, "bill-lines", lambda t: "电度电费 第3档" in t and "27 kWh × 0.8469 元/kWh" in t
                  and "可再生能源电价附加" in t, "July's tier-3 line and funds explained")

        WebDriverWait(boss, 30).until(lambda x: wallboard(x, "billing")[7] == "1")
        during = wallboard(boss, "billing")
        assert during[6] == "1" and during[5] == "1", "wallboard: offered 1, busy 1: %s" % during
        os.makedirs(out, exist_ok=True)
        agent.execute_script("window.scrollTo(0, 0);")
        agent.save_screenshot(os.path.join(out, "desktop-agent.png"))

        agent.find_element(By.ID, "btn-hangup").click()
        wait_text(agent, "state-label", lambda t: t == "话后处理", "wrap-up after hang-up")
        agent.find_element(By.ID, "btn-wrap-up-end").click()
        wait_text(agent, "state-label", lambda t: t == "空闲", "ready after wrap-up end")

        WebDriverWait(boss, 30).until(lambda x: wallboard(x, "billing")[4] == "1")
        after = wallboard(boss, "billing")
        assert after[5] == "0" and after[7] == "1", "wallboard: ready again, 1 answered: %s" % after
        # The supervisor forces the agent not ready from the wallboard; the agent's page follows.
        boss.execute_script("document.querySelector('#agents button[data-agent=\"1001\"][data-force=\"not_ready\"]').click();")
        wait_text(boss, "message", lambda t: t.startswith("已将坐席 1001"), "force state done")
        wait_text(agent, "state-label", lambda t: t == "示忙", "the agent's page shows the forced not ready")
        wait_text(agent, "state-reason", lambda t: "班长置忙" in t, "with the supervisor's reason")
        boss.save_screenshot(os.path.join(out, "desktop-supervisor.png"))
        if os.environ.get("PCRM_DESKTOP_UPDATE_DOCS") == "1":
            shutil.copy(os.path.join(out, "desktop-agent.png"), os.path.join(root, "docs", "desktop-agent.png"))
        print("browser test passed; screenshots in", out)
        return 0
    finally:
        for d in drivers:
            try:
                d.quit()
            except Exception:
                pass
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        print("FAIL:", e)
        sys.exit(1)
