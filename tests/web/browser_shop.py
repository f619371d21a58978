#!/usr/bin/env python3
"""Headless Chromium on a phone's screen (390 x 844) through group buying
as an owner sees it, with browser.py's driver. Phase "order": the offers,
an order of two boxes with 50 points off, its pay page, the channel's
callback (sent here as the channel would), "my orders"; one more order
that will fail. Phase "closed": "my orders" after the offers closed, one
formed and one failed with its refund. Phase "points": an order wholly in
points, its button clicked twice, straight to "my orders".

Usage: browser_shop.py BASE_URL SHOTS_DIR PASSWORD PHASE CALLBACK_SECRET
Prints "PASS text" or "FAIL text" per check and saves a screenshot of
each page in SHOTS_DIR."""
import hashlib
import hmac
import json
import os
import shutil
import sys
import tempfile
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import Chromium, Tab, check, results  # noqa: E402

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def pay(base, secret, cart, amount, ref):
    """The channel's signed callback for what the owner paid."""
    body = json.dumps({"order": cart, "amount": amount, "ref": ref}).encode()
    sig = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(base + "/callback/wechat", body,
                                 {"X-PM-Signature": sig, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["outcome"]


def order(tab, base, title, fields):
    """Clicks the offer in the list, fills the form, sends it: the pay page."""
    tab.go(base + "/shop")
    tab.js("[...document.querySelectorAll('ul.offers a')].find(a => a.innerText == %r).click()" % title)
    tab.c.wait_event("Page.loadEventFired", tab.s)
    tab.submit("form[action$='/order']", fields)


def order_phase(tab, base, secret):
    tab.go(base + "/shop")
    body = tab.text()
    check("烟台苹果" in body and "有机蔬菜" in body, "owner1 finds both open offers")
    check("¥39.90 / 箱" in body and "0/2 户" in body and "剩余\n10 箱" in body,
          "AP: 39.90 a box, none of two households yet, ten boxes left")
    check("东门快递柜旁 · 12月22日 18:00-20:00" in body, "with the pickup point and time")
    check(tab.js(FITS), "the list fits the phone")
    tab.shot("01-offers")
    tab.js("[...document.querySelectorAll('ul.offers a')].find(a => a.innerText == '烟台苹果').click()")
    tab.c.wait_event("Page.loadEventFired", tab.s)
    check("1-1-101（积分 50）" in tab.text(), "the offer's form shows 1-1-101's 50 points")
    check(tab.js(FITS), "the offer's page fits the phone")
    tab.shot("02-offer")
    tab.submit("form[action$='/order']", {"qty": "2", "points": "50"})
    body = tab.text()
    cart = tab.js("document.querySelector('b.cart').innerText")
    check(tab.js("document.querySelector('td.amount').innerText") == "¥79.80", "the pay page: 2 boxes are ¥79.80")
    check(tab.js("document.querySelector('td.points').innerText") == "-¥0.50", "50 points take ¥0.50 off")
    check(tab.js("document.querySelector('td.pay').innerText") == "¥79.30", "¥79.30 to pay")
    check("付款时请备注订单号 %s，金额 ¥79.30" % cart in body, "the channel asks for the order's number %s" % cart)
    check(tab.js(FITS), "the pay page fits the phone")
    tab.shot("03-pay")
    check(pay(base, secret, cart, "79.30", "WX-B1") == "recorded", "the channel's callback records the payment")
    tab.go(base + "/cart/" + cart)
    check("本订单已支付" in tab.text(), "the pay page now says it is paid")
    order(tab, base, "有机蔬菜", {"qty": "1", "points": "0"})
    veg = tab.js("document.querySelector('b.cart').innerText")
    check(pay(base, secret, veg, "12.50", "WX-B2") == "recorded", "an order of VEG paid too")
    tab.go(base + "/orders")
    rows = tab.js("[...document.querySelectorAll('ul.orders li')].map(r => r.innerText)")
    check(len(rows) == 2 and all("已支付，等待成团" in r for r in rows), "my orders: both paid, waiting for the group (%r)" % rows)
    check(tab.js(FITS), "my orders fit the phone")
    tab.shot("04-orders")


def closed_phase(tab, base):
    tab.go(base + "/orders")
    rows = tab.js("[...document.querySelectorAll('ul.orders li')].map(r => r.innerText)")
    apple = [r for r in rows if "烟台苹果" in r]
    veg = [r for r in rows if "有机蔬菜" in r]
    check(len(apple) == 1 and "已成团，待提货" in apple[0] and "东门快递柜旁" in apple[0],
          "AP formed: to pick up at the east gate (%r)" % apple)
    check(len(veg) == 1 and "未成团，已退款 ¥12.50，退回积分 0" in veg[0], "VEG failed: ¥12.50 refunded (%r)" % veg)
    check(tab.js(FITS), "my orders still fit the phone")
    tab.shot("05-closed")


def points_phase(tab, base):
    tab.go(base + "/shop")
    tab.js("[...document.querySelectorAll('ul.offers a')].find(a => a.innerText == '土鸡蛋').click()")
    tab.c.wait_event("Page.loadEventFired", tab.s)
    check("1-1-101（积分 50）" in tab.text(), "the egg's form shows 1-1-101's 50 points")
    check(tab.js(FITS), "the offer's page fits the phone")
    tab.shot("01-offer")
    # Two eggs, all 0.50 in points; the button clicked twice, as an
    # impatient thumb does.
    tab.c.events = [e for e in tab.c.events if e.get("method") != "Page.loadEventFired"]
    tab.js("(() => { const f = document.querySelector(\"form[action$='/order']\");"
           " f.elements.qty.value = '2'; f.elements.points.value = '50';"
           " const b = f.querySelector('button'); b.click(); b.click(); })()")
    tab.c.wait_event("Page.loadEventFired", tab.s)
    body = tab.text()
    check(tab.js("location.pathname").endswith("/orders"), "straight to my orders, no pay page (%s)" % tab.js("location.href"))
    check("订单已用积分付清，已提交。" in body, "which say the order is placed, paid in points")
    rows = tab.js("[...document.querySelectorAll('ul.orders li')].map(r => r.innerText)")
    check(len(rows) == 1 and "金额 ¥0.50 · 积分 50 · 实付 ¥0.00" in rows[0] and "已支付，等待成团" in rows[0],
          "one order: 0.50, 50 points, nothing to pay, waiting for the group (%r)" % rows)
    check(tab.js(FITS), "my orders fit the phone")
    tab.shot("02-orders")


def main():
    base, shots, password, phase, secret = sys.argv[1:6]
    os.makedirs(shots, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="pm-chromium.")
    chrome = Chromium(profile)
    try:
        tab = Tab(chrome, shots, "shop-" + phase)
        tab.go(base + "/login")
        tab.submit("form[action$='/login']", {"login": "owner1", "password": password})
        if phase == "order":
            order_phase(tab, base, secret)
        elif phase == "points":
            points_phase(tab, base)
        else:
            closed_phase(tab, base)
    except Exception as e:  # a broken flow is a failed check, with why
        check(False, "the %s flow ran to the end: %s" % (phase, e))
    finally:
        chrome.close()
        shutil.rmtree(profile, ignore_errors=True)
    print("\n".join(results))


main()
