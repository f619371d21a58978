#!/usr/bin/env python3
"""Headless Chromium on a phone's screen (390 x 844) through the owner's
vote: the list, the vote, a ballot clicked and changed, the count, with
browser.py's driver.

Usage: browser_govern.py BASE_URL SHOTS_DIR PASSWORD [options]
With "options", an owner's ballot in an election of two of three instead.
Prints "PASS text" or "FAIL text" per check and saves a screenshot of
each page in SHOTS_DIR."""
# browser.py's driver, beside this file (lib.sh runs python3 -B: no cache
# is left in the tree).
from browser import FITS, Tab, check, run


def click_and_wait(tab, selector):
    """Clicks like a person: the radio, then the form's button."""
    tab.js("document.querySelector(%r).click()" % selector)
    tab.submit("fieldset.ballot form", {})


def owner_flow(tab, base, password):
    tab.sign_in(base, "owner1", password)
    tab.go(base + "/votes")
    check("续聘物业服务企业" in tab.text(), "owner1 finds the open vote in the list")
    tab.shot("01-votes")
    tab.click('ul.votes a')
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


def tick(tab, values):
    """Sets the ballot's boxes to exactly values, as fingers would."""
    tab.js("document.querySelectorAll('fieldset.ballot input[type=checkbox]')"
           ".forEach(b => { if (b.checked !== %s.includes(b.value)) b.click(); })" % values)


def options_flow(tab, base, password):
    """An election of two of three: boxes ticked, changed, one too many."""
    tab.sign_in(base, "owner1", password)
    tab.go(base + "/votes")
    tab.click('ul.votes a')
    body = tab.text()
    check("业主委员会选举" in body and "应选 2 项" in body, "the election says how many are chosen")
    names = tab.js("[...document.querySelectorAll('fieldset.ballot input[type=checkbox]')].map(b => b.value)")
    check(names == ["张三", "李四", "王五", "abstain"], "a box for each candidate and one to abstain (%r)" % names)
    check(tab.js(FITS), "the election fits the phone")
    tab.shot("01-election")
    tick(tab, ["张三", "王五"])
    tab.submit("fieldset.ballot form", {})
    body = tab.text()
    check("表决票已保存" in body and "已投票：张三、王五" in body, "two boxes ticked and 投票 cast the ballot")
    check(tab.js("[...document.querySelectorAll('fieldset.ballot input:checked')].map(b => b.value).join()")
          == "张三,王五", "the form shows the two ticked")
    row = tab.js("[...document.querySelectorAll('tr')].map(r => r.innerText).find(t => t.startsWith('王五'))")
    check(row is not None and "89.50" in row and "1/1" in row, "the count has 王五 with owner1's 89.50 m² (%r)" % row)
    tab.shot("02-voted")
    tick(tab, ["张三", "李四"])
    tab.submit("fieldset.ballot form", {})
    check("已投票：张三、李四" in tab.text(), "the ballot changed from 王五 to 李四")
    tab.shot("03-changed")
    tick(tab, ["张三", "李四", "王五"])
    tab.submit("fieldset.ballot form", {})
    body = tab.text()
    check("每张表决票最多选 2 项" in body, "three ticked for two seats is refused, saying why")
    check(tab.js(FITS), "the refusal fits the phone")
    tab.shot("04-refused")


def flows(chrome, base, shots, password, flow="yes-no"):
    if flow == "options":
        options_flow(Tab(chrome, shots, "govern-options"), base, password)
    else:
        owner_flow(Tab(chrome, shots, "govern-owner"), base, password)


run(flows)
