#!/usr/bin/env python3
"""Headless Chromium on a phone's screen (390 x 844) through the owner's
vote: the list, the vote, a ballot clicked and changed, the count, with
browser.py's driver.

Usage: browser_govern.py BASE_URL SHOTS_DIR PASSWORD
Prints "PASS text" or "FAIL text" per check and saves a screenshot of
each page in SHOTS_DIR."""
import os
import sys

# The driver is browser.py's; importing it leaves no cache in the tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import Tab, check, run  # noqa: E402

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def click_and_wait(tab, selector):
    """Clicks like a person: the radio, then the form's button."""
    tab.js("document.querySelector(%r).click()" % selector)
    tab.submit("fieldset.ballot form", {})


def owner_flow(tab, base, password):
    tab.go(base + "/login")
    tab.submit("form[action$='/login']", {"login": "owner1", "password": password})
    tab.go(base + "/votes")
    check("续聘物业服务企业" in tab.text(), "owner1 finds the open vote in the list")
    tab.shot("01-votes")
    tab.js("document.querySelector('ul.votes a').click()")
    tab.c.wait_event("Page.loadEventFired", tab.s)
    body = tab.text()
    check("1-1-101" in body and "尚未投票" in body, "the vote shows owner1's unit without a ballot")
    check(tab.js("document.querySelectorAll('fieldset.ballot input[type=radio]').length") == 3,
          "with three choices to click")
    check(tab.js(FITS), "the vote page fits the phone")
    tab.shot("02-vote")
    click_and_wait(tab, "fieldset.ballot input[value=yes]")
    body = tab.text()
    check("表决票已保存" in body and "已投票：同意" in body, "a click on 同意 and 投票 casts the ballot")
    check(tab.js("document.querySelector('fieldset.ballot input[value=yes]').checked"), "the form shows it checked")
    row = tab.js("[...document.querySelectorAll('tr')].map(r => r.innerText).find(t => /^(参与表决|taking part)/.test(t))")
    check(row is not None and "89.50" in row and "1/3" in row,
          "the count on the page has owner1's 89.50 m² and one owner of three (%r)" % row)
    tab.shot("03-voted")
    click_and_wait(tab, "fieldset.ballot input[value=no]")
    check("已投票：反对" in tab.text(), "the ballot is changed with another click")
    check(tab.js(FITS), "and the page still fits the phone")
    tab.shot("04-changed")


def flows(chrome, base, shots, password):
    owner_flow(Tab(chrome, shots, "govern-owner"), base, password)


run(flows)
