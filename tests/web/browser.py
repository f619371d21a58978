#!/usr/bin/env python3
"""Drives headless Chromium through the DevTools protocol over a pipe
(--remote-debugging-pipe: JSON messages ended by NUL on file descriptors
3 and 4), so the test needs neither a websocket library nor npm.

Usage: browser.py BASE_URL SHOTS_DIR PASSWORD PHOTO
Walks an owner through sign-in, a bill, the pay page and a repair with a
photo, and the staff through dispatching and resolving it; prints one line
per check, "PASS text" or "FAIL text", and saves a screenshot of each step
in SHOTS_DIR."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


class Chromium:
    def __init__(self, profile):
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        to_child, self.out = os.pipe()
        self.inp, from_child = os.pipe()
        # The shell puts the pipe's ends on 3 and 4, where Chromium reads
        # and writes the protocol.
        self.proc = subprocess.Popen(
            ["sh", "-c", 'exec "$0" "$@" 3<&%d 4>&%d' % (to_child, from_child), exe,
             "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--remote-debugging-pipe", "--user-data-dir=" + profile, "about:blank"],
            pass_fds=(to_child, from_child), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in (to_child, from_child):
            os.close(fd)
        self.next_id = 0
        self.buf = b""
        self.events = []

    def _read(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.inp, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, session=None, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.out, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, name, session, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            for i, m in enumerate(self.events):
                if m.get("method") == name and m.get("sessionId") == session:
                    del self.events[i]
                    return m
            self.events.append(self._read())
        raise RuntimeError("no %s within %ss" % (name, timeout))

    def close(self):
        try:
            self.call("Browser.close")
        except (RuntimeError, OSError):
            pass
        self.proc.wait(timeout=10)


class Tab:
    """A page in a browser context of its own: its own cookies."""

    def __init__(self, chrome, shots, prefix):
        self.c, self.shots, self.prefix = chrome, shots, prefix
        ctx = chrome.call("Target.createBrowserContext")["browserContextId"]
        target = chrome.call("Target.createTarget", url="about:blank", browserContextId=ctx)["targetId"]
        self.s = chrome.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        chrome.call("Page.enable", self.s)
        # A phone: the pages are made for one.
        chrome.call("Emulation.setDeviceMetricsOverride", self.s, width=390, height=844,
                    deviceScaleFactor=2, mobile=True)

    def go(self, url):
        self.c.events = [e for e in self.c.events if e.get("method") != "Page.loadEventFired"]
        self.c.call("Page.navigate", self.s, url=url)
        self.c.wait_event("Page.loadEventFired", self.s)

    def js(self, expr):
        r = self.c.call("Runtime.evaluate", self.s, expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expr, r["exceptionDetails"].get("text")))
        return r["result"].get("value")

    def submit(self, form_selector, fields):
        """Fills a form's fields by name and clicks its button, then waits
        for the page it leads to."""
        self.c.events = [e for e in self.c.events if e.get("method") != "Page.loadEventFired"]
        self.js("(() => { const f = document.querySelector(%s); const v = %s;"
                " for (const k in v) f.elements[k].value = v[k];"
                " f.querySelector('button').click(); })()" % (json.dumps(form_selector), json.dumps(fields)))
        self.c.wait_event("Page.loadEventFired", self.s)

    def upload(self, selector, path):
        root = self.c.call("DOM.getDocument", self.s)["root"]["nodeId"]
        node = self.c.call("DOM.querySelector", self.s, nodeId=root, selector=selector)["nodeId"]
        self.c.call("DOM.setFileInputFiles", self.s, files=[path], nodeId=node)

    def text(self):
        return self.js("document.body.innerText")

    def until(self, expr, timeout=3):
        """expr's value once it is true, or as it is after timeout
        seconds: for what a page does after its load event (Chromium
        gives autofocus its element at a later rendering step)."""
        return self.js("new Promise(done => { const t0 = Date.now(); (function poll() {"
                       " const v = (%s); if (v || Date.now() - t0 > %d) done(v); else setTimeout(poll, 20); })(); })"
                       % (expr, timeout * 1000))

    def click(self, selector):
        """Clicks a link, then waits for the page it leads to."""
        self.c.events = [e for e in self.c.events if e.get("method") != "Page.loadEventFired"]
        self.js("document.querySelector(%s).click()" % json.dumps(selector))
        self.c.wait_event("Page.loadEventFired", self.s)

    def sign_in(self, base, login, password):
        self.go(base + "/login")
        self.submit("form[action$='/login']", {"login": login, "password": password})

    def shot(self, name):
        data = self.c.call("Page.captureScreenshot", self.s, format="png", captureBeyondViewport=True)["data"]
        with open(os.path.join(self.shots, "%s-%s.png" % (self.prefix, name)), "wb") as f:
            f.write(base64.b64decode(data))


# A page fits the phone: laid out for its 390 px (a page without a
# viewport is laid out for a desktop's 980 and shrunk), nothing wider.
FITS = "window.innerWidth == 390 && document.documentElement.scrollWidth <= window.innerWidth"

results = []


def check(ok, what):
    results.append(("PASS " if ok else "FAIL ") + what)


def run(flows):
    """The main of a driver: BASE_URL SHOTS_DIR PASSWORD [MORE...] from the
    command line, a browser for flows(chrome, base, shots, password, *more),
    a broken flow a failed check with why, and the verdicts printed."""
    base, shots, password = sys.argv[1:4]
    os.makedirs(shots, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="pm-chromium.")
    chrome = Chromium(profile)
    try:
        flows(chrome, base, shots, password, *sys.argv[4:])
    except Exception as e:  # a broken flow is a failed check, with why
        check(False, "the flows ran to the end: %s" % e)
    finally:
        chrome.close()
        shutil.rmtree(profile, ignore_errors=True)
    print("\n".join(results))


def owner_flow(tab, base, password, photo):
    tab.go(base + "/")
    check("/login" in tab.js("location.pathname"), "a visitor is sent to sign in")
    check(tab.js("getComputedStyle(document.querySelector('.bar')).backgroundColor") == "rgb(11, 122, 90)",
          "the style sheet applies under the content security policy")
    tab.shot("01-login")
    tab.submit("form[action$='/login']", {"login": "owner1", "password": password})
    body = tab.text()
    check("我的房屋" in body and "1-1-101" in body, "owner1 signs in and sees their unit")
    check("待缴 ¥225.33" in body, "with what it owes")
    tab.shot("02-home")
    tab.go(base + "/bills")
    tab.js("document.querySelector('a[href*=\"/bill/B-2026-11-1-1-101\"]').click()")
    tab.c.wait_event("Page.loadEventFired", tab.s)
    body = tab.text()
    check("账单详情" in body and "物业费" in body and "单价 2.3500" in body, "the bill shows its lines and breakdown")
    tab.shot("03-bill")
    tab.go(base + "/bill/B-2026-11-1-1-101/pay")
    check(tab.js("document.querySelector('img.qr').naturalWidth") > 0, "the pay page shows the payment QR code")
    check("B-2026-11-1-1-101" in tab.text(), "and the bill to name when paying")
    tab.shot("04-pay")
    tab.go(base + "/repair")
    tab.upload("input[type=file]", photo)
    tab.submit("form[action$='/repair']", {"category": "plumbing", "text": "厨房水管漏水，请尽快来修"})
    body = tab.text()
    check("已收到您的报修" in body, "a repair in one step is received at once")
    check("已受理" in body, "and shows its status")
    check(tab.js("document.querySelector('img.photo') && document.querySelector('img.photo').naturalWidth") == 8,
          "with its photo")
    tab.shot("05-repair-received")
    return tab.js("location.origin + location.pathname")


def staff_flow(desk, tech, base, password, ticket):
    desk.go(base + "/login")
    desk.submit("form[action$='/login']", {"login": "desk", "password": password})
    desk.go(base + "/tickets")
    check("厨房水管漏水" in desk.text(), "the front desk sees the repair in the queue")
    desk.shot("06-queue")
    desk.go(ticket)
    desk.submit("form[action$='/assign']", {"to": "tech"})
    check("已派工" in desk.text() and "处理人：tech" in desk.text(), "and assigns it to the technician")
    desk.shot("07-assigned")
    tech.go(base + "/login")
    tech.submit("form[action$='/login']", {"login": "tech", "password": password})
    tech.go(ticket)
    tech.submit("form[action$='/start']", {})
    check("维修中" in tech.text(), "the technician starts it")
    tech.submit("form[action$='/resolve']", {"note": "更换角阀", "cost": "80.00"})
    check("已完成" in tech.text() and "更换角阀" in tech.text(), "and resolves it, the timeline saying what was done")
    tech.shot("08-resolved")


def flows(chrome, base, shots, password, photo):
    owner = Tab(chrome, shots, "owner")
    ticket = owner_flow(owner, base, password, photo)
    staff_flow(Tab(chrome, shots, "desk"), Tab(chrome, shots, "tech"), base, password, ticket)
    owner.go(ticket)
    check("已完成" in owner.text(), "the owner sees the repair done")
    owner.submit("form[action$='/rate']", {"comment": "很快"})
    check("评价：5 星" in owner.text(), "and rates it")
    owner.shot("09-rated")


if __name__ == "__main__":
    run(flows)
