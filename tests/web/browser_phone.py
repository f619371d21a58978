#!/usr/bin/env python3
"""Headless Chromium as people hold it: a small phone (360 x 740) whose
browser asks for zh-CN. What an owner and a front-desk clerk do in a
month, each step reached by taps from the page before (no address
typed), each page checked for English left over and for fitting the
screen.

Usage: browser_phone.py BASE_URL SHOTS_DIR PASSWORD FLOW [PHOTO NOT_A_PHOTO]
FLOW is one of:
  money    owner4 of 3-2-1101 reads the bill's water tiers, pays online,
           finds the receipt from the bill, reads the statement;
  desk     the clerk finds 李娜 by name and by phone, takes her cash at
           the desk and prints the receipt;
  account  owner4 reads an announcement, changes the password with two
           mistakes first, and signs out (another phone of theirs is
           signed out too);
  visitor  a visitor the gate asked about waits on owner4's home page: a
           tap there, 同意, and the pass's QR code;
  online   owner1 taps 微信支付 on the pay page of B-2026-11-1-1-101 and
           sees the order's QR code; with ORDER given, that order's page
           once paid, and its receipt a tap away;
  reserve  owner1 books the visitors' space from the parking page, two
           taps and the form's own times;
  forms    a repair (PHOTO and NOT_A_PHOTO to attach), a visitor (its
           times set to now and four hours on) and a cash payment, each
           sent with a mistake first: the form comes back as typed,
           saying what to fix, and the fixed form is sent once however
           often its button is tapped.
Prints "PASS text" or "FAIL text" per check and saves a screenshot of
each page in SHOTS_DIR."""
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
# CASH-…), a channel's reference, a car's plate, the logins the test
# made, the names of picture formats, an e-mail address as typed.
CODES = re.compile(r"\b[A-Z]+-[0-9A-Za-z-]+|[\w.+-]+@[\w.@-]+")
OWN = re.compile(r"^(owner\d|desk|tech\d?|boss|WX\d+|A12345|JPEG|PNG|WebP|PM[0-9A-F]{20,})$")


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
    body = tab.page("the pay page")
    check("刷新本页" in body and "自动更新" not in body.replace("到账后账单自动更新", ""),
          "the pay page, which has no script, does not promise to update itself")
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
    check(not tab.js("document.querySelector(\"a[href$='/print']\")"),
          "no receipt numbered yet: no link to print, which a look would have numbered")
    tab.submit("form[action$='/print']", {})
    body = tab.text()
    check("No. 2026-000001" in body and "李娜" in body and "收款人：desk" in body and "贰佰玖拾柒元整" in body,
          "开具并打印收据: the numbered receipt to hand over, with the payer and the cashier")
    check(tab.js("getComputedStyle(document.querySelector('h1')).textAlign") == "center",
          "its print style applies under the content security policy")
    tab.shot("the printed receipt")
    tab.go(tab.js("location.href").replace("/print", ""))
    tab.click("a[href$='/print?paper=80mm']")
    check("No. 2026-000001" in tab.text() and tab.js("document.body.className") == "thermal",
          "the same receipt, same number, on an 80 mm roll")
    tab.shot("the printed slip")


def tap_twice(tab, form):
    """Sends a form by tapping its button twice, as an impatient thumb
    does, and waits for the page it leads to."""
    tab.c.events = [e for e in tab.c.events if e.get("method") != "Page.loadEventFired"]
    tab.js("(() => { const b = document.querySelector(%s).querySelector('button'); b.click(); b.click(); })()"
           % json.dumps(form))
    tab.c.wait_event("Page.loadEventFired", tab.s)


def values(tab, form, names):
    return tab.js("(() => { const f = document.querySelector(%s); return %s.map(n => f.elements[n].value); })()"
                  % (json.dumps(form), json.dumps(names)))


def forms(chrome, base, shots, password, photo, text_file):
    tab = Phone(chrome, shots, "forms")
    tab.sign_in(base, "owner4", password)
    tab.click("a[href$='/repair']")
    repair = "form[action$='/repair']"
    tab.upload(repair + " input[type=file]", text_file)
    tab.submit(repair, {"category": "electrical", "text": "客厅插座冒火花", "contact": "13900000004"})
    body = tab.page("a repair sent with a text file for a photo")
    check("照片须为 JPEG、PNG 或 WebP 图片" in body and tab.js("!!document.querySelector(%s)" % json.dumps(repair)),
          "the repair form comes back saying the photo must be a picture")
    kept = values(tab, repair, ["category", "text", "contact"])
    check(kept == ["electrical", "客厅插座冒火花", "13900000004"], "with what was typed kept (%r)" % kept)
    tab.upload(repair + " input[type=file]", photo)
    tap_twice(tab, repair)
    check("已收到您的报修" in tab.page("the repair sent again") and "客厅插座冒火花" in tab.text(),
          "the fixed repair is received")
    tab.click("a[href$='/visitors']")
    invite = "form[action$='/visitors']"
    times = values(tab, invite, ["from", "until"])
    check(times == ["2026-12-01T09:00", "2026-12-01T13:00"],
          "a new invitation is for now until four hours on, in the community's time (%r)" % times)
    tab.submit(invite, {"name": "王小明", "phone": "13700000009", "plate": "沪A12345",
                        "from": "2026-12-01T15:00", "until": "2026-12-01T10:00", "purpose": "探亲"})
    body = tab.page("a visitor leaving before coming")
    check("离开时间须晚于到访时间" in body, "the visitor form says the leaving time must be after the arrival")
    kept = values(tab, invite, ["name", "phone", "plate", "from", "until", "purpose"])
    check(kept == ["王小明", "13700000009", "沪A12345", "2026-12-01T15:00", "2026-12-01T10:00", "探亲"],
          "with what was typed kept (%r)" % kept)
    tab.js("document.querySelector(%s).elements.until.value = '2026-12-01T18:00'" % json.dumps(invite))
    tap_twice(tab, invite)
    check("访客通行证" in tab.page("the visitor's pass") and tab.js("!!document.querySelector('figure.qr svg')"),
          "the fixed invitation shows the pass's QR code")
    desk_tab = Phone(chrome, shots, "forms-desk")
    desk_tab.sign_in(base, "desk", password)
    desk_tab.click("a[href$='/cash']")
    cash = "form[action$='/cash']"
    desk_tab.submit(cash, {"unit": "1-1-102", "amount": "29７.00", "bill": "B-2026-11-1-1-102"})
    body = desk_tab.page("cash typed with a full-width digit")
    check("金额“29７.00”不对" in body, "the cash form says the 金额 is wrong, in its own words")
    kept = values(desk_tab, cash, ["unit", "amount", "bill"])
    check(kept == ["1-1-102", "29７.00", "B-2026-11-1-1-102"], "with what was typed kept (%r)" % kept)
    desk_tab.js("document.querySelector(%s).elements.amount.value = '297.00'" % json.dumps(cash))
    tap_twice(desk_tab, cash)
    check("贰佰玖拾柒元整" in desk_tab.page("the receipt of the fixed cash payment"), "the fixed payment's receipt")


def part(what, steps):
    """Runs steps, a part of a flow the next parts do not need: one that
    breaks is a failed check, and the flow goes on."""
    try:
        steps()
    except Exception as e:  # noqa: BLE001 -- said as a failed check
        check(False, "%s ran to the end: %s" % (what, e))


def need(ok, what):
    """A step the checks stand on: not a check of its own, its failure
    ends the part it is in."""
    if not ok:
        raise RuntimeError(what)


def refused(tab, name, form, words, code):
    """One check of the page after a form was refused: the page of the
    form, not an error page, with why in the form's words above form (a
    selector, or None when what was sent no longer applies), in Chinese,
    fitting the phone, answered code."""
    body = tab.text()
    tab.shot(name)
    latin = [w for w in re.findall(r"[A-Za-z_][A-Za-z_0-9]+", CODES.sub("", body)) if not OWN.match(w)]
    note = tab.js("(() => { const n = document.querySelector('main .note.error'), f = %s;"
                  " return n && (!f || n.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING)"
                  " ? n.innerText : null; })()"
                  % ("document.querySelector(%s)" % json.dumps(form) if form else "null"))
    got = tab.js("performance.getEntriesByType('navigation')[0].responseStatus")
    check(note is not None and words in note and "返回首页" not in body and got == code and not latin and tab.js(FITS),
          "%s: the form's page again, %r above %s, %d, no English, fits (%r, %r, %r)"
          % (name, words, form or "it", code, note, got, latin))


def checked(tab, form):
    return tab.js("[...document.querySelector(%s).querySelectorAll('input:checked')].map(b => b.value)"
                  % json.dumps(form))


def steps(chrome, base, shots, password):
    owner = Phone(chrome, shots, "steps-owner")
    owner.sign_in(base, "owner4", password)
    owner.click("a[href$='/repair']")
    owner.submit("form[action$='/repair']", {"category": "electrical", "text": "卫生间灯不亮"})
    need("已收到您的报修" in owner.text(), "owner4 reports a repair")
    desk = Phone(chrome, shots, "steps-desk")
    desk.sign_in(base, "desk", password)
    boss = Phone(chrome, shots, "steps-boss")
    boss.sign_in(base, "boss", password)
    for tab in (desk, boss):
        tab.click("a[href$='/tickets']")
        tab.click("main a[href$='/ticket/1']")
    desk.submit("form[action$='/accept']", {})
    need("已接单" in desk.text(), "the desk accepts the ticket")

    def accept_again():
        boss.submit("form[action$='/accept']", {})
        refused(boss, "an accept the desk made first", "form[action$='/assign']", "这张工单现在是“已接单”", 409)
        boss.submit("form[action$='/assign']", {"to": "tech"})
        check("处理人：tech" in boss.text(), "the page it came back to assigns the ticket to tech")
    part("the second accept", accept_again)
    tech = Phone(chrome, shots, "steps-tech")
    tech.sign_in(base, "tech", password)
    tech.go(base + "/ticket/1")
    tech.submit("form[action$='/start']", {})
    resolve = "form[action$='/resolve']"

    def charge():
        tech.submit(resolve, {"note": "更换灯泡和开关", "cost": "30元", "parts": "LED灯泡"})
        refused(tech, "a charge typed with 元", resolve, "收费“30元”不对", 400)
        kept = values(tech, resolve, ["note", "cost", "parts"])
        check(kept == ["更换灯泡和开关", "30元", "LED灯泡"], "the resolve form keeps what was typed (%r)" % kept)
        other = tech.js("[...document.querySelectorAll(\"form:not([action$='/resolve']) input[name=note]\")]"
                        ".map(i => i.value)")
        check(other and not any(other), "and only that form: the page's other notes are empty (%r)" % other)
        tech.js("document.querySelector(%s).elements.cost.value = '30.00'" % json.dumps(resolve))
        tap_twice(tech, resolve)
        check("已完成" in tech.text(), "the fixed form resolves the ticket")
        tech.shot("the ticket resolved")
    part("the charge typed with 元", charge)
    other_phone = Phone(chrome, shots, "steps-owner-other")
    other_phone.sign_in(base, "owner4", password)
    for tab in (owner, other_phone):
        tab.go(base + "/ticket/1")
    other_phone.submit("form[action$='/rate']", {"comment": "修得很快"})
    owner.submit("form[action$='/rate']", {"stars": "2", "comment": "灯还是闪"})
    refused(owner, "a rating the other phone gave first", "form[action$='/reopen']", "这张工单已经评价过了（5 星）", 409)
    check(values(owner, "form[action$='/comment']", ["note"]) == ["灯还是闪"],
          "what the rating said waits in the comment form")
    owner.go(base + "/ticket/1")
    other_phone.submit("form[action$='/reopen']", {"note": "又不亮了"})
    owner.submit("form[action$='/reopen']", {"note": "灯还是闪"})
    refused(owner, "a reopening the other phone made first", None, "这张工单现在是“重新打开”", 409)
    check(values(owner, "form[action$='/comment']", ["note"]) == ["灯还是闪"],
          "what the reopening said waits in the comment form")


def owner_forms(chrome, base, shots, password):
    tab = Phone(chrome, shots, "owner-forms")
    tab.sign_in(base, "owner4", password)
    renov = "form[action$='/renovations']"
    names = ["unit", "from", "to", "contractor", "scope"]
    typed = ["3-2-1101", "2026-12-20", "2026-12-10", "安居装饰 13700000001", "厨房和卫生间翻新"]

    def renovation():
        tab.submit(renov, dict(zip(names, typed)))
        refused(tab, "a renovation ending before it starts", renov, "完工日期早于开工日期", 400)
        kept = values(tab, renov, names)
        check(kept == typed, "the renovation form keeps what was typed (%r)" % kept)
        tab.js("document.querySelector(%s).elements.to.value = '2027-01-20'" % json.dumps(renov))
        tap_twice(tab, renov)
        check("装修申请 #1 已提交" in tab.text(), "the fixed application is received")
    tab.click("a[href$='/renovations']")
    part("the renovation", renovation)
    prefs = "form[action$='/prefs']"

    def preferences():
        # A phone's browser that checks no address (an in-app browser)
        # sends whatever was typed.
        tab.js("(() => { const f = document.querySelector(%s); f.noValidate = true;"
               " f.querySelector('input[value=email]').checked = true;"
               " f.querySelector('input[value=repair]').checked = true; })()" % json.dumps(prefs))
        tab.submit(prefs, {"email": "zhaomin@@example.com"})
        refused(tab, "an e-mail address with two @", prefs, "不是电子邮件地址", 400)
        kept = checked(tab, prefs) + values(tab, prefs, ["email"])
        check(kept == ["email", "repair", "zhaomin@@example.com"],
              "the preferences keep the boxes and address sent (%r)" % kept)
        tab.submit(prefs, {"email": "zhaomin@example.com"})
        check("已保存" in tab.text(), "the fixed address saves them")
    tab.click("a[href$='/prefs']")
    part("the preferences", preferences)
    ask = "form[action$='/ask']"
    question = "我家卫生间的灯一直不亮，" * 20

    def long_question():
        tab.submit(ask, {"q": question})
        refused(tab, "a question of 240 characters", ask, "问题请写 1 到 200 个字", 400)
        check(values(tab, ask, ["q"]) == [question], "the question is kept to shorten")
        tab.submit(ask, {"q": "物业费怎么算？"})
        check("问：物业费怎么算？" in tab.text() and values(tab, ask, ["q"]) == [""],
              "a short one is answered, the box empty for the next")
    tab.click("a[href$='/ask']")
    part("the long question", long_question)


def vote_shop(chrome, base, shots, password):
    tab = Phone(chrome, shots, "vote-shop")
    tab.sign_in(base, "owner4", password)
    ballot = "fieldset.ballot form"

    def three():
        tab.js("document.querySelectorAll('fieldset.ballot input[type=checkbox]')"
               ".forEach(b => { if (b.value != 'abstain') b.click(); })")
        tab.submit(ballot, {})
        refused(tab, "three ticked for two seats", ballot, "每张表决票最多选 2 项", 400)
        kept = checked(tab, ballot)
        check(kept == ["张三", "李四", "王五"], "the ballot keeps the three ticked to untick one (%r)" % kept)
        tab.js("document.querySelector(\"fieldset.ballot input[value='王五']\").click()")
        tab.submit(ballot, {})
        check("已投票：张三、李四" in tab.text(), "unticking one casts the ballot")
    tab.click("a[href$='/votes']")
    tab.click("ul.votes a")
    part("the ballot of three", three)
    order = "form[action$='/order']"

    def points():
        tab.submit(order, {"unit": "3-2-1101", "qty": "2", "points": "500"})
        refused(tab, "more points than the unit has", order, "只有 0 积分，不足 500", 400)
        kept = values(tab, order, ["unit", "qty", "points"])
        check(kept == ["3-2-1101", "2", "500"], "the order form keeps what was typed (%r)" % kept)
        tab.js("document.querySelector(%s).elements.points.value = '0'" % json.dumps(order))
        tap_twice(tab, order)
        check("¥79.80" in tab.text(), "the fixed order, two boxes, is to pay")
        tab.shot("the order to pay")
    tab.click("a[href$='/shop']")
    tab.click("a[href$='/shop/AP']")
    part("the order with too many points", points)


# The owner's pages: the menu's and those its lists lead to.
OWNER_PAGES = ["/", "/units", "/unit/3-2-1101", "/unit/3-2-1101/statement", "/bills", "/bill/B-2026-11-3-2-1101",
               "/points", "/repair", "/tickets", "/ticket/1", "/visitors", "/parking", "/renovations",
               "/announcements", "/announcement/1", "/prefs", "/ask", "/votes", "/vote/1", "/shop", "/shop/AP",
               "/orders", "/password"]

# The owner's menu, every item of it.
OWNER_MENU = ["首页", "账单", "报修", "报修进度", "访客", "停车", "装修", "公告", "业主表决", "团购", "我的订单", "积分",
              "通知设置", "智能客服", "修改密码"]

# Where a thumb can press el: its box on the screen, in view without
# scrolling sideways, and el (or what is in it) the thing pressed there.
REACH = """(el => { const r = el.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (!r.width || !r.height || r.left < 0 || r.right > innerWidth || r.top < 0 || r.bottom > innerHeight) return null;
  const hit = document.elementFromPoint(x, y);
  return hit && (hit === el || el.contains(hit)) ? [x, y] : null; })"""


def tap(tab, x, y):
    """A finger on the screen at x, y: the browser's own input, no
    script of the page's."""
    for kind in ("mousePressed", "mouseReleased"):
        tab.c.call("Input.dispatchMouseEvent", tab.s, type=kind, x=x, y=y, button="left", clickCount=1)


def menu(chrome, base, shots, password):
    tab = Phone(chrome, shots, "menu")
    tab.sign_in(base, "owner4", password)
    for path in OWNER_PAGES:
        tab.go(base + path)
        wide = tab.js("[document.scrollingElement.scrollWidth, innerWidth,"
                      " document.querySelector('nav').scrollWidth - document.querySelector('nav').clientWidth]")
        check(wide[0] <= wide[1] and wide[2] <= 0,
              "%s: neither the page nor its menu scrolls sideways (page %d of %d px, menu %d px more)"
              % (path, wide[0], wide[1], wide[2]))
    tab.go(base + "/")
    labels = tab.js("[...document.querySelectorAll('nav a')].map(a => a.textContent)")
    need(sorted(labels) == sorted(OWNER_MENU), "the menu has the owner's 15 items (%r)" % labels)
    tab.shot("the menu")
    unseen = []
    for i, label in enumerate(OWNER_MENU):
        tab.go(base + "/")
        el = "[...document.querySelectorAll('nav a')].find(a => a.textContent == %s)" % json.dumps(label)
        at = tab.js("%s(%s)" % (REACH, el))
        if not at:
            # Behind a 更多 (a <details>, opened by a tap, no script).
            more = tab.js("(() => { const s = document.querySelector('nav summary'); return s && %s(s); })()" % REACH)
            if more:
                tap(tab, *more)
                tab.until("document.querySelector('nav details').open")
                if i == len(OWNER_MENU) - 1:
                    tab.shot("the menu opened")
                at = tab.js("%s(%s)" % (REACH, el))
        if not at:
            unseen.append(label)
            continue
        href = tab.js("%s.href" % el)
        tab.c.events = [e for e in tab.c.events if e.get("method") != "Page.loadEventFired"]
        tap(tab, *at)
        tab.c.wait_event("Page.loadEventFired", tab.s)
        if tab.js("location.href") != href:
            unseen.append(label)
    check(not unseen, "a tap, or 更多 and a tap, on the screen reaches every item of the menu (not: %r)" % unseen)


# The links and buttons of a page smaller than a fingertip: 44 x 44 CSS
# px, or 40 x 40 with nothing else to press within 2 px around.
SMALL = """(() => {
  const all = [...document.querySelectorAll('a, button, input[type=submit]')].filter(e => e.getClientRects().length),
        box = e => e.getBoundingClientRect(),
        near = (a, b) => { const p = box(a), q = box(b);
          return p.left - 2 < q.right && q.left < p.right + 2 && p.top - 2 < q.bottom && q.top < p.bottom + 2; };
  return all.filter(e => { const r = box(e);
      if (r.width >= 44 && r.height >= 44) return false;
      return !(r.width >= 40 && r.height >= 40 && !all.some(o => o !== e && !o.contains(e) && !e.contains(o) && near(e, o)));
    }).map(e => `${(e.textContent || e.value).trim().slice(0, 10)} ${Math.round(box(e).width)}x${Math.round(box(e).height)}`);
})()"""


def taps(chrome, base, shots, password):
    tab = Phone(chrome, shots, "taps")
    tab.sign_in(base, "owner4", password)
    for path in OWNER_PAGES:
        tab.go(base + path)
        tab.js("document.querySelectorAll('details').forEach(d => d.open = true)")
        small = tab.js(SMALL)
        check(not small, "%s: every link and button is 44 x 44 px or more (not: %s)" % (path, ", ".join(small)))
        tab.shot(path.strip("/").replace("/", "-") or "home")


def account(chrome, base, shots, password):
    other = Phone(chrome, shots, "account-other")
    other.sign_in(base, "owner4", password)
    tab = Phone(chrome, shots, "account")
    tab.sign_in(base, "owner4", password)
    tab.click("a[href$='/announcements']")
    tab.click("main a[href*='/announcement/']")
    check("停水通知" in tab.page("an announcement"), "the owner reads the announcement from the menu")
    tab.click("a[href$='/password']")
    tab.page("the password form")
    form = "form[action$='/password']"
    tab.submit(form, {"current": "not-" + password, "fresh": "new-pass-2027", "again": "new-pass-2027"})
    check("当前密码不对" in tab.page("a wrong current password") and tab.js("!!document.querySelector(%s)" % json.dumps(form)),
          "a wrong current password: the form again, saying so")
    tab.submit(form, {"current": password, "fresh": "new-pass-2027", "again": "new-pass-2028"})
    check("两次输入的新密码不一致" in tab.page("new passwords that differ"), "new passwords that differ: said so")
    tab.submit(form, {"current": password, "fresh": "new-pass-2027", "again": "new-pass-2027"})
    check("密码已修改" in tab.page("the password changed"), "the password is changed")
    other.go(base + "/bills")
    check("/login" in other.js("location.pathname"), "the owner's other phone is signed out")
    tab.go(base + "/bills")
    check("我的账单" in tab.text(), "this phone stays signed in")
    tab.submit("form[action$='/logout']", {})
    check("/login" in tab.js("location.pathname"), "signing out from the top bar")
    tab.sign_in(base, "owner4", password)
    check("/login" in tab.js("location.pathname"), "the old password no longer signs in")
    tab.sign_in(base, "owner4", "new-pass-2027")
    check("我的房屋" in tab.text(), "the new one does")


def visitor(chrome, base, shots, password):
    tab = Phone(chrome, shots, "visitor")
    tab.sign_in(base, "owner4", password)
    body = tab.page("the home page with a visitor waiting")
    check("待您审批的访客" in body and "快递员 3-2-1101 待审批" in body and "2026-12-01 10:00 至 2026-12-01 11:00" in body,
          "the home page says a visitor waits for the owner's yes, and when")
    check("送水工" not in body, "and not another unit's visitor")
    tab.click("main a[href*='/visitor/']")
    tab.submit("form[action$='/approve']", {})
    body = tab.page("the approved pass")
    check("已通过 快递员" in body and tab.js("!!document.querySelector('figure.qr svg')"), "approved, with its QR code")
    tab.click("a[href$='/']")
    check("待您审批的访客" not in tab.text(), "and the home page no longer asks")


def online(chrome, base, shots, password, order=None):
    tab = Phone(chrome, shots, "online")
    tab.sign_in(base, "owner1", password)
    if order:
        tab.go(base + "/order/" + order)
        body = tab.page("the paid order")
        check("已付款，已入账" in body and "¥225.33" in body, "the order's page, refreshed, says paid")
        tab.click("a[href*='/receipt/']")
        body = tab.page("its receipt")
        check("收款方式\t微信支付" in body and "¥225.33" in body, "and its receipt is a tap away")
        return
    tab.click("a[href$='/bills']")
    tab.click("a[href$='/bill/B-2026-11-1-1-101']")
    tab.click("a[href$='/pay']")
    tab.page("the pay page with online channels")
    check(tab.js("[...document.querySelectorAll('section.online button')].map(b => b.innerText).join('|')")
          == "微信支付 ¥225.33|支付宝 ¥225.33", "the pay page offers WeChat Pay and Alipay for the bill's 225.33")
    tab.submit("section.online form", {})
    body = tab.page("the order")
    check("¥225.33" in body and "长按二维码识别付款" in body, "a tap makes the order: its amount, and how to pay in WeChat")
    box = tab.js("(() => { const r = document.querySelector('figure.qr svg').getBoundingClientRect();"
                 " return [r.width, r.height, r.left, r.right]; })()")
    check(box[0] >= 150 and box[0] == box[1] and box[2] >= 0 and box[3] <= 360,
          "its QR code is square, at least 150 px, and on the screen (%r)" % box)


def reserve(chrome, base, shots, password):
    tab = Phone(chrome, shots, "reserve")
    tab.sign_in(base, "owner1", password)
    tab.click("a[href$='/parking']")
    tab.click("a[href$='/reserve']")
    tab.page("the bookings")
    tab.submit("form[action$='/reserve']", {"resource": "B1-001"})
    body = tab.page("the day's bookings")
    check("地下一层访客车位1 已预约 1-1-101" in body and "2026-12-01 10:00 至 2026-12-01 11:00" in body,
          "the space is booked for the hour the form offered, and listed by its name")


run(lambda chrome, base, shots, password, flow, *more:
    {"money": money, "desk": desk, "account": account, "visitor": visitor, "forms": forms, "steps": steps,
     "owner-forms": owner_forms, "vote-shop": vote_shop, "menu": menu, "taps": taps,
     "online": online, "reserve": reserve}[flow](
        chrome, base, shots, password, *more))
