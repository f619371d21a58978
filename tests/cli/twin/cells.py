#!/usr/bin/env python3
"""The cells of a digital twin's SVG (pm-report twin): a line a unit,
"UNIT|CLASS|TITLE" in the order drawn by unit code, where CLASS is the
legend item whose swatch has the cell's colour ("?" for a colour the
legend has not). Reads the SVG on stdin; an SVG that does not parse as
XML fails."""
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"


def main():
    root = ET.parse(sys.stdin).getroot()
    colours = {}
    for item in root.iter(NS + "g"):
        if item.get("class") == "legend-item":
            colours[item.find(NS + "rect").get("fill")] = item.get("data-class")
    rows = []
    for cell in root.iter(NS + "path"):
        if cell.get("class") != "cell":
            continue
        title = cell.find(NS + "title")
        rows.append((cell.get("data-unit"), colours.get(cell.get("fill"), "?"),
                     title.text if title is not None else ""))
    for unit, klass, title in sorted(rows):
        print("%s|%s|%s" % (unit, klass, title))


main()
