#!/usr/bin/env python3
"""Headless Chromium as people hold it: a small phone (360 x 740) whose
browser asks for zh-CN. An owner's month of money and a front-desk
clerk's cash payment, each reached by taps from the page before (no
address typed), each page checked for English left over, money in fen
and fitting the screen.

Usage: browser_phone.py BASE_URL SHOTS_DIR PASSWORD FLOW
FLOW is "money" (owner4 of 3-2-1101 reads the bill's water tiers, pays
online, finds the receipt from the bill, reads the statement) or "desk"
(the clerk finds 李娜 by name and by phone and takes her cash at the
desk). Prints "PASS text" or "FAIL text" per check and saves a
screenshot of each page in SHOTS_DIR."""
import hashlib
import hmac
import json
import os
import re
import sys
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import Tab, check, run  # noqa: E402

FITS = "window.innerWidth == 360 && document.documentElement.scrollWidth <= window.innerWidth"

# What may show in Latin letters: the codes people are given (a bill's,
# a meter's, a cash payment's reference: B-2026-11-…, W-3-2-1101,
# CASH-…), a channel's reference, the logins the test made.
CODES = re.compile(r"\b[A-Z]+-[0-9A-Za-z-]+")
OWN = re.compile(r"^(owner\d|desk|WX\d+)$")


class Phone(Tab):
    def __init__(self, chrome, shots, prefix):
        super().__init__(chrome, shots, prefix)
        self.c.call("Emulation.setDeviceMetricsOverride", self.s, width=360, height=740,
                    deviceScaleFactor=2, mobile=True)
        self.c.call("Emulation.setLocaleOverride", self.s, locale="zh-CN")
        self.c.call("Network.enable", self.s)
        self.c.call("Network.setExtraHTTPHeaders", self.s, headers={"Accept-Language": "zh-CN,zh;q=0.9"})

    def page(self, name):
        """The page as the person sees it: fits, speaks Chinese; its text."""
        body = self.text()
        latin = [w for w in re.findall(r"[A-Za-z_][A-Za-z_0-9]+", CODES.sub("", body)) if not OWN.match(w)]
        check(self.js(FITS), "%s fits 360 px (%s px wide)" % (name, self.js("document.documentElement.scrollWidth")))
        check(not latin, "%s: no English left over %r" % (name, latin))
        self.shot(name)
        return body


def callback(base, body):
    """The payment channel's signed notice, as the channel sends it."""
    data = json.dumps(body).encode()
    sig = hmac.new(os.environ["PM_CALLBACK_WECHAT"].encode(), data, hashlib.sha256).hexdigest()
    req = urllib.request.Request(base + "/callback/wechat", data=data,
                                 headers={"X-PM-Signature": "sha256=" + sig, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return r.status


def money(chrome, base, shots, password):
    tab = Phone(chrome, shots, "money")
    tab.sign_in(base, "owner4", password)
    tab.click("a[href$='/bills']")
    tab.click("a[href$='/bill/B-2026-11-3-2-1101']")
    body = tab.page("the bill")
    check("第1阶：自 0.000，至 180.000，数量 25.500，单价 3.4500，金额 ¥87.975" in body,
          "the water line's tier says its amount as money (¥87.975), not 87.9750000")
    tab.click("a[href$='/pay']")
    tab.page("the pay page")
    check(callback(base, {"unit": "3-2-1101", "amount": "357.51", "ref": "WX9001"}) == 200,
          "the channel's callback records the payment")
    tab.click("a[href$='/bill/B-2026-11-3-2-1101']")
    body = tab.page("the paid bill")
    rows = tab.js("[...document.querySelectorAll('h2 + table tr')].map(r => r.innerText.replace(/\\s+/g, ' '))")
    check(rows == ["2026-12-01 09:00 缴费 微信支付 收据 1 ¥357.51"],
          "the payment is one row saying 微信支付, with its receipt (%r)" % rows)
    tab.click("a[href$='/receipt/1']")
    body = tab.page("the receipt")
    check("收款方式\t微信支付" in body and "¥357.51" in body, "the receipt, reached from the bill, says 微信支付")
    tab.click("a[href$='/']")
    tab.click("a[href$='/unit/3-2-1101']")
    body = tab.page("the unit")
    check("98.00 m² · 住宅" in body, "the unit's use is 住宅")
    tab.click("a[href$='/statement']")
    body = tab.page("the statement")
    check(tab.js("!!document.querySelector(\"main a[href$='/bill/B-2026-11-3-2-1101']\")"),
          "the statement's charge names the bill and links to it, not bill:B-…")


def desk(chrome, base, shots, password):
    tab = Phone(chrome, shots, "desk")
    tab.sign_in(base, "desk", password)
    body = tab.page("the desk's home")
    check("desk（前台）您好" in body, "the clerk is greeted as 前台")
    tab.click("a[href$='/units']")
    tab.submit("form.search", {"q": "李娜"})
    body = tab.page("a unit found by its owner's name")
    check("1-1-102" in body and "李娜（业主）13800000002" in body and "待缴 ¥297.00" in body,
          "李娜's unit, with her, her phone and what it owes")
    tab.submit("form.search", {"q": "13800000002"})
    check("李娜（业主）" in tab.page("a unit found by phone"), "found by her phone number too")
    tab.click("a[href$='/unit/1-1-102']")
    body = tab.page("the unit at the desk")
    check("李娜 业主 13800000002" in body and "住宅" in body, "the unit's people and use in Chinese")
    tab.click("a[href$='/cash']")
    tab.submit("form[action$='/cash']", {"unit": "1-1-102", "amount": "297.00"})
    body = tab.page("the cash receipt")
    check("收款方式\t现金" in body and "贰佰玖拾柒元整" in body, "the receipt says 现金 and the sum in words")


run(lambda chrome, base, shots, password, flow: {"money": money, "desk": desk}[flow](chrome, base, shots, password))
