#!/usr/bin/env python3
"""Headless Chromium on a phone's screen (390 x 844) through the visitor,
parking and dashboard pages, with browser.py's driver.

Usage: browser_gate.py BASE_URL SHOTS_DIR PASSWORD
Prints "PASS text" or "FAIL text" per check and saves a screenshot of
each page in SHOTS_DIR."""
# browser.py's driver, beside this file (lib.sh runs python3 -B: no cache
# is left in the tree).
from browser import FITS, Tab, check, run


def owner_flow(tab, base, password):
    tab.sign_in(base, "owner1", password)
    tab.go(base + "/visitors")
    check("邀请访客" in tab.text(), "owner1 finds the invitation form")
    check(tab.js(FITS), "the visitors page fits the phone")
    tab.shot("01-visitors")
    tab.submit("form[action$='/visitors']", {"name": "刘洋", "phone": "13900000009", "plate": "京A88888",
                                              "from": "2026-12-01T10:00", "until": "2026-12-01T18:00"})
    body = tab.text()
    check("访客通行证" in body and "已通过" in body and "刘洋" in body, "the invitation gives a pass at once")
    size = tab.js("(() => { const r = document.querySelector('figure.qr svg').getBoundingClientRect();"
                  " return [r.width, r.height, r.right]; })()")
    check(size[0] >= 200 and abs(size[0] - size[1]) < 1 and size[2] <= 390,
          "its QR code is drawn square, large enough to scan and on screen (%s)" % size)
    check(tab.js("document.querySelectorAll('figure.qr svg path').length") == 1, "as inline SVG")
    check(tab.js(FITS), "the pass page fits the phone")
    tab.shot("02-pass")
    tab.go(base + "/visitors")
    check("刘洋" in tab.text() and "取消通行证" in tab.text(), "the list shows the pass, with a way to cancel it")
    tab.go(base + "/parking")
    body = tab.text()
    check("京A12345" in body and "¥0.00" in body, "the parking page shows owner1's car and what its stay cost")
    check(tab.js(FITS), "and fits the phone")
    tab.shot("03-parking")


def staff_flow(tab, base, password):
    tab.sign_in(base, "boss", password)
    tab.go(base + "/dashboard?period=2026-11")
    body = tab.text()
    check("关键指标" in body and "缴费率" in body, "the manager's dashboard has pm-report's figures")
    charts = tab.js("document.querySelectorAll('svg.chart').length")
    check(charts >= 5, "and its charts (%d)" % charts)
    check(tab.js("[...document.querySelectorAll('svg.chart')].every(s => s.getBBox().width > 0"
                 " && s.querySelectorAll('text').length > 3)"), "each drawn, with its labels")
    check(tab.js("[...document.querySelectorAll('svg.chart text')].every(t => t.getBoundingClientRect().height >= 8)"),
          "labels big enough to read")
    check(tab.js(FITS), "the page itself fits the phone, the charts scrolling in their boxes")
    check(tab.js("document.scripts.length") == 0, "with no script at all")
    tab.shot("04-dashboard")


def flows(chrome, base, shots, password):
    owner_flow(Tab(chrome, shots, "gate-owner"), base, password)
    staff_flow(Tab(chrome, shots, "gate-boss"), base, password)


run(flows)
