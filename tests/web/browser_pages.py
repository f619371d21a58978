#!/usr/bin/env python3
"""Headless Chromium on a phone's screen (390 x 844) through pages tested
only over HTTP before: the owner's help desk (ask), the owner's
renovation application (renovation), the desk's arrears list and its
demand letter (dunning), with browser.py's driver.

Usage: browser_pages.py BASE_URL SHOTS_DIR PASSWORD ask|renovation|dunning
Prints "PASS text" or "FAIL text" per check and saves a screenshot of
each page in SHOTS_DIR."""
# browser.py's driver, beside this file (lib.sh runs python3 -B: no cache
# is left in the tree).
from browser import FITS, Tab, check, run


# How many of the cells (SEL) shown wrap onto a second line.
WRAPPED = """(() => [...document.querySelectorAll(%s)].filter(c => c.offsetParent && c.textContent.trim())
  .filter(c => { const r = document.createRange(); r.selectNodeContents(c);
    return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1; }).length)()"""


def fits(tab, what):
    check(tab.js(FITS), "%s fits the phone (%s px wide)" % (what, tab.js("document.documentElement.scrollWidth")))


def ask_flow(tab, base, password):
    """An owner asks the help desk, then asks for a person."""
    tab.sign_in(base, "owner1", password)
    tab.go(base + "/")
    tab.click('a[href$=\"/ask\"]')
    check(tab.js("location.pathname").endswith("/ask"), "the menu leads owner1 to the help desk")
    check(tab.until("document.activeElement.name == 'q'"), "the question field has the cursor")
    fits(tab, "the help desk")
    tab.shot("01-ask")
    tab.submit("form[action$='/ask']", {"q": "物业费怎么算？"})
    body = tab.text()
    check("问：物业费怎么算？" in body and "每月每平方米 2.35 元" in body, "a question typed and 提问 answers from the FAQ")
    fits(tab, "the answer")
    tab.shot("02-answer")
    tab.submit("form[action$='/ask']", {"q": "转人工"})
    check("工单 #1" in tab.text(), "转人工 hands the question to the desk as ticket #1")
    tab.shot("03-human")


def renovation_flow(tab, base, password):
    """An owner applies to renovate their unit."""
    tab.sign_in(base, "owner1", password)
    tab.go(base + "/renovations")
    units = tab.js("[...document.querySelectorAll('select[name=unit] option')].map(o => o.value)")
    check(units == ["1-1-101"], "owner1 may apply for their own unit only (%r)" % units)
    check(tab.js("[...document.querySelectorAll('input[type=date]')].length") == 2, "with a date picker for each day")
    fits(tab, "the application form")
    tab.shot("01-form")
    tab.submit("form[action$='/renovations']", {"unit": "1-1-101", "from": "2026-12-10", "to": "2026-12-31",
                                                 "contractor": "张师傅 13900000000", "scope": "厨卫改造"})
    body = tab.text()
    check("装修申请 #1 已提交" in body and "待审批" in body, "提交装修申请 sends it, listed as waiting for approval")
    fits(tab, "the list")
    tab.shot("02-applied")
    tab.submit("form[action$='/renovations']", {"unit": "1-1-101", "from": "2026-12-31", "to": "2026-12-10",
                                                 "contractor": "李", "scope": "刷墙"})
    check(tab.js("document.querySelectorAll('.note.error').length") == 1, "days the wrong way round are refused")
    fits(tab, "the refusal")
    tab.shot("03-refused")


def dunning_flow(tab, base, password):
    """The desk logs a call with a promise and opens a demand letter."""
    tab.sign_in(base, "desk", password)
    tab.go(base + "/dunning")
    rows = tab.js("document.querySelectorAll('form[action*=\"/dunning/\"]').length")
    check(rows == 3, "the desk sees three units past due, each with a form (%r)" % rows)
    fits(tab, "the arrears list")
    wrapped = tab.js(WRAPPED % "'main table th, main table tr:not(:has(form)) td'")
    check(wrapped == 0, "no header or figure of the list breaks over lines on the phone (%r do)" % wrapped)
    tab.shot("01-list")
    tab.submit("form[action$='/dunning/1-1-101/contact']",
               {"by": "phone", "result": "promised", "promise_date": "2026-12-31", "note": "业主称月底前缴清"})
    check("2026-12-31" in tab.text(), "a call logged with its promise shows in the list")
    tab.shot("02-logged")
    tab.click('a[href$=\"/dunning/1-1-102/letter\"]')
    body = tab.text()
    check("催缴函" in body and "人民币" in body, "催缴函 opens the demand letter with the amount in words")
    fits(tab, "the letter")
    tab.shot("03-letter")


def flows(chrome, base, shots, password, which):
    flow = {"ask": ask_flow, "renovation": renovation_flow, "dunning": dunning_flow}[which]
    flow(Tab(chrome, shots, which), base, password)


run(flows)
