#!/usr/bin/env python3
"""Headless Chromium on a phone's screen (390 x 844) through every page a
role reaches from its menu and the pages listed per role below: each
fits the screen, and no table header, and no figure of a table, breaks
over lines (eight columns in 390 px broke headers one character a line).

Usage: browser_sweep.py BASE_URL SHOTS_DIR PASSWORD
Prints "PASS text" or "FAIL text" per check and saves a screenshot of
each page in SHOTS_DIR."""
# browser.py's driver, beside this file (lib.sh runs python3 -B: no cache
# is left in the tree).
from browser import FITS, Tab, check, run

# The cells shown that break over lines: every header; and data cells
# whose lines hold two characters or fewer (text broken one character a
# line, not a long address wrapping).
BROKEN = """(() => {
  const lines = c => { // the lines its text takes: tops of its text's boxes more than 4 px apart
    const w = document.createTreeWalker(c, NodeFilter.SHOW_TEXT), tops = [];
    for (let t; (t = w.nextNode()); ) {
      const r = document.createRange(); r.selectNodeContents(t);
      for (const x of r.getClientRects()) if (x.width) tops.push(x.top);
    }
    tops.sort((a, b) => a - b);
    return tops.filter((y, i) => i == 0 || y - tops[i - 1] > 4).length;
  };
  return [...document.querySelectorAll('main th, main td')].filter(c => c.offsetParent && c.textContent.trim())
    .filter(c => { const n = lines(c); return n > 1 && (c.tagName == 'TH' || c.textContent.trim().length / n <= 2); })
    .map(c => c.textContent.trim().slice(0, 12));
})()"""

PAGES = {
    "owner1": ["/", "/units", "/unit/1-1-101", "/unit/1-1-101/statement", "/bills", "/points", "/repair",
               "/tickets", "/visitors", "/parking", "/renovations", "/announcements", "/prefs", "/ask",
               "/votes", "/shop", "/orders"],
    "desk": ["/", "/units", "/unit/1-1-102/statement", "/bills", "/cash", "/tickets", "/today", "/dunning",
             "/visitors", "/parking", "/renovations", "/announcements"],
    "tech": ["/", "/tickets", "/today"],
    "fin": ["/", "/bills", "/dashboard", "/export", "/dunning"],
    "boss": ["/", "/dashboard", "/units", "/tickets", "/export"],
}


def flows(chrome, base, shots, password):
    for login, pages in PAGES.items():
        tab = Tab(chrome, shots, login)
        tab.sign_in(base, login, password)
        for path in pages:
            tab.go(base + path)
            name = path.strip("/").replace("/", "-") or "home"
            status = tab.js("document.title")
            check(tab.js(FITS), "%s %s fits the phone (%s px wide; %s)"
                  % (login, path, tab.js("document.documentElement.scrollWidth"), status))
            broken = tab.js(BROKEN)
            check(not broken, "%s %s: no header or figure broken over lines %r" % (login, path, broken))
            tab.shot(name)


run(flows)
