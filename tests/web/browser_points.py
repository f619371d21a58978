#!/usr/bin/env python3
"""Headless Chromium on a phone's screen (390 x 844): owner1 pays part of
the parking on the bill of its space with the points of its home, as an
owner does: the bill, its pay page, the points form (the button clicked
twice), the receipt; then the pay page shows what the parking still owes.

Usage: browser_points.py BASE_URL SHOTS_DIR PASSWORD BILL
Prints "PASS text" or "FAIL text" per check and saves a screenshot of
each page in SHOTS_DIR."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import FITS, Tab, check, run  # noqa: E402


def flows(chrome, base, shots, password, bill):
    tab = Tab(chrome, shots, "points")
    tab.sign_in(base, "owner1", password)
    tab.go(base + "/bill/" + bill)
    tab.click("a[href$='/pay']")
    body = tab.text()
    check("积分抵扣停车费" in body, "the pay page offers points off the parking")
    check("停车费待缴 ¥80.00，1 积分抵 0.01 元，每户每月最多抵扣 ¥20.00。" in body, "what the parking owes, the rate, the cap")
    options = tab.js("[...document.querySelectorAll('select[name=unit] option')].map(o => o.innerText)")
    check(options == ["1-1-101（积分 500）", "1-1-B01（积分 0）"], "owner1's homes with their points (%r)" % options)
    check(tab.js(FITS), "the pay page fits the phone")
    tab.shot("01-pay")
    # 300 of 1-1-101's points; the button clicked twice, as an impatient
    # thumb does.
    tab.c.events = [e for e in tab.c.events if e.get("method") != "Page.loadEventFired"]
    tab.js("(() => { const f = document.querySelector(\"form[action$='/points']\");"
           " f.elements.unit.value = '1-1-101'; f.elements.points.value = '300';"
           " const b = f.querySelector('button'); b.click(); b.click(); })()")
    tab.c.wait_event("Page.loadEventFired", tab.s)
    body = tab.text()
    check("/receipt/" in tab.js("location.pathname"), "straight to the receipt (%s)" % tab.js("location.href"))
    check("积分抵扣" in body and "¥3.00" in body and "叁元整" in body, "which says 3.00 paid in points")
    check(tab.js(FITS), "the receipt fits the phone")
    tab.shot("02-receipt")
    tab.go(base + "/bill/" + bill + "/pay")
    check("停车费待缴 ¥77.00" in tab.text(), "the parking now owes 77.00")
    options = tab.js("[...document.querySelectorAll('select[name=unit] option')].map(o => o.innerText)")
    check(options[0] == "1-1-101（积分 200）", "and 1-1-101 has 200 points left (%r)" % options)


run(flows)
