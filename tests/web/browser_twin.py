#!/usr/bin/env python3
"""Headless Chromium through the dashboard's digital twin, with
browser.py's driver: the plan drawn, a cell a unit, each cell's colour
the legend's for the unit's class in the store, a tooltip; the layer
chosen with the form (no script); a technician's choice without arrears.

Usage: browser_twin.py BASE_URL SHOTS_DIR PASSWORD EXPECTED
EXPECTED holds a line a layer, "LAYER UNIT=CLASS ..." as the store says
(the test's SQL). Prints "PASS text" or "FAIL text" per check and saves
a screenshot of each page in SHOTS_DIR."""
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import Chromium, Tab, check, results  # noqa: E402

# The cells as drawn: unit -> [the legend class of its colour, its tooltip].
CELLS = """(() => {
  const colour = {};
  for (const g of document.querySelectorAll('svg.twin g.legend-item'))
    colour[g.querySelector('rect').getAttribute('fill')] = g.dataset.class;
  const out = {};
  for (const c of document.querySelectorAll('svg.twin path.cell'))
    out[c.dataset.unit] = [colour[c.getAttribute('fill')] || '?', c.querySelector('title').textContent];
  return out;
})()"""


def expected(path):
    layers = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            layers[words[0]] = dict(w.split("=", 1) for w in words[1:])
    return layers


def compare(cells, want, what):
    got = {u: c[0] for u, c in cells.items()}
    check(got == want, "%s: every unit's cell in its class's colour (%r)" % (what, got if got != want else ""))


def boss_flow(tab, base, password, want):
    tab.go(base + "/login")
    tab.submit("form[action$='/login']", {"login": "boss", "password": password})
    tab.go(base + "/dashboard")
    check(tab.js("document.querySelectorAll('svg.twin').length") == 1, "the dashboard draws the twin")
    cells = tab.js(CELLS)
    check(len(cells) == len(want["occupancy"]), "a cell a unit: %d of %d" % (len(cells), len(want["occupancy"])))
    compare(cells, want["occupancy"], "occupancy by default")
    check(cells.get("2-1-101", ["", ""])[1] == "2-1-101: 空置", "a tooltip names the unit and its class (%r)"
          % cells.get("2-1-101"))
    check(tab.js("document.querySelector('meta[http-equiv=refresh]').content") == "300",
          "the page refreshes itself every five minutes")
    tab.shot("01-occupancy")
    tab.submit("section.twin form", {"layer": "tickets"})
    check("layer=tickets" in tab.js("location.search"), "the layer is chosen with a form, no script")
    cells = tab.js(CELLS)
    compare(cells, want["tickets"], "open tickets")
    check(cells.get("1-1-101", ["", ""])[1] == "1-1-101: 未完成工单 2", "the tooltip gives the count (%r)"
          % cells.get("1-1-101"))
    tab.shot("02-tickets")
    tab.submit("section.twin form", {"layer": "arrears"})
    compare(tab.js(CELLS), want["arrears"], "arrears")
    tab.shot("03-arrears")


def tech_flow(tab, base, password):
    tab.go(base + "/login")
    tab.submit("form[action$='/login']", {"login": "tech", "password": password})
    tab.go(base + "/dashboard")
    layers = tab.js("[...document.querySelectorAll('section.twin select option')].map(o => o.value)")
    check(layers == ["occupancy", "tickets", "anomalies", "alarms", "energy"],
          "a technician may choose every layer but arrears (%r)" % layers)
    tab.go(base + "/dashboard?layer=arrears")
    check("无权访问" in tab.text(), "and is refused it asked by address")
    tab.shot("04-tech-refused")


def main():
    base, shots, password, want = sys.argv[1:5]
    os.makedirs(shots, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="pm-chromium.")
    chrome = Chromium(profile)
    try:
        boss_flow(Tab(chrome, shots, "twin-boss"), base, password, expected(want))
        tech_flow(Tab(chrome, shots, "twin-tech"), base, password)
    except Exception as e:  # a broken flow is a failed check, with why
        check(False, "the flow ran to the end: %s" % e)
    finally:
        chrome.close()
        shutil.rmtree(profile, ignore_errors=True)
    print("\n".join(results))


main()
