#!/bin/sh
# pm-report's SVG charts and HTML pages as a person sees them: rendered in
# headless Chromium, with Chinese headings, every element there, every
# label inside its picture and readable, labels not on top of each other,
# the page not wider than the window; screenshots kept with
# PM_SHOTS=DIR to look at.
. "$PM_TOP/tests/cli/lib.sh"

command -v chromium >/dev/null || { echo "not ok 1 - chromium is installed (share/pm/deps.sh)"; exit 1; }
run sh "$PM_TOP/share/pm/examples/demo.sh" "$PM_BIN" "$T/demo.db"
expect_rc 0 "the demo runs"
expect_out "^demo: the dashboard of November 2026 is in $T/demo-report.html$" "and ends with its dashboard"
expect_out "^按楼栋收缴情况$|^Collection by building$" "printed on the terminal too"
export PM_DB=$T/demo.db PM_NOW=2026-12-01T09:00:00+08:00 LC_ALL=zh_CN.UTF-8
export PM_LOCALEDIR=${PM_LOCALEDIR:-$PM_BIN/../locale}

# An owner behind on two bills, for arrears to draw; the tickets of the
# demo, submitted in December.
PM_NOW=2027-03-01T09:00:00+08:00 pm-report collection --period 2026-11 --format jsonl >/dev/null
for r in "collection --period 2026-11" "arrears --as-of 2027-03-01" "occupancy --by entrance" \
	"consumption --period 2026-11" "carbon --period 2026-11" "service --period 2026-12"; do
	name=${r%% *}
	# shellcheck disable=SC2086
	run pm-report $r --file-format svg
	expect_rc 0 "pm-report $r as SVG"
	sed '1d' "$T/out" >"$name.svg"
done

chrome() { # ARGS...: headless Chromium, a profile of its own each time
	rm -rf "$T/profile"
	chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$T/profile" "$@" 2>>"$T/chrome.err"
}

# The measurements, done by the page itself and written into it for
# --dump-dom: every text of every chart inside the chart, at least 10 px,
# not empty; x labels apart; the page no wider than the window.
cat >measure.js <<'J'
var out = {problems: [], charts: 0, bars: 0, points: 0, lines: 0, legend: 0, texts: 0, cjk: 0};
// Whether element e lies inside chart svg, in the chart's own units:
// its box's corners taken through its transforms to the chart's.
function within(e, svg) {
	var b = e.getBBox(), m = svg.getScreenCTM().inverse().multiply(e.getScreenCTM()), vb = svg.viewBox.baseVal;
	return [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]].every(function (c) {
		var x = m.a * c[0] + m.c * c[1] + m.e, y = m.b * c[0] + m.d * c[1] + m.f;
		return x >= -0.5 && x <= vb.width + 0.5 && y >= -0.5 && y <= vb.height + 0.5;
	});
}
function apart(a, b) { return a.right <= b.left + 0.5 || b.right <= a.left + 0.5 || a.bottom <= b.top + 0.5 || b.bottom <= a.top + 0.5; }
document.querySelectorAll('svg.chart').forEach(function (svg) {
	var scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
	out.charts++;
	out.bars += svg.querySelectorAll('rect.bar').length;
	out.points += svg.querySelectorAll('circle.point').length;
	out.lines += svg.querySelectorAll('polyline.line').length;
	out.legend += svg.querySelectorAll('g.legend-item').length;
	svg.querySelectorAll('text').forEach(function (t) {
		var r = t.getBoundingClientRect(), size = parseFloat(getComputedStyle(t).fontSize) * scale;
		out.texts++;
		if (/[\u4e00-\u9fff]/.test(t.textContent)) out.cjk++;
		if (!t.textContent.trim() || r.width < 1) out.problems.push('empty text in ' + svg.getAttribute('aria-label'));
		if (!within(t, svg)) out.problems.push('outside its chart: "' + t.textContent + '" in ' + svg.getAttribute('aria-label'));
		if (size < 9.5) out.problems.push('too small to read: "' + t.textContent + '" ' + size.toFixed(1) + 'px');
	});
	svg.querySelectorAll('rect.bar, circle.point').forEach(function (m) {
		if (!within(m, svg)) out.problems.push('a mark outside ' + svg.getAttribute('aria-label'));
	});
	// Level labels must not touch; slanted ones (parallel lines at 40°)
	// must lie a line's height apart.
	var xl = svg.querySelectorAll('text.x-label');
	for (var i = 1; i < xl.length; i++) {
		var a = xl[i - 1], b = xl[i], fs = parseFloat(getComputedStyle(b).fontSize) * scale;
		var gap = b.getAttribute('transform') ? (b.x.baseVal[0].value - a.x.baseVal[0].value) * scale * Math.sin(40 * Math.PI / 180)
			: (apart(a.getBoundingClientRect(), b.getBoundingClientRect()) ? fs : 0);
		if (gap < fs) out.problems.push('x labels on top of each other in ' + svg.getAttribute('aria-label'));
	}
	var ls = Array.prototype.map.call(svg.querySelectorAll('g.legend-item'), function (g) { return g.getBoundingClientRect(); });
	for (var i = 1; i < ls.length; i++)
		if (!apart(ls[i - 1], ls[i])) out.problems.push('legend items on top of each other in ' + svg.getAttribute('aria-label'));
});
out.sections = document.querySelectorAll('section').length;
out.tables = document.querySelectorAll('table').length;
out.kpis = document.querySelectorAll('.kpi').length;
out.wide = document.documentElement.scrollWidth > window.innerWidth + 1;
out.scripts = document.querySelectorAll('script').length - 1;
out.h1 = (document.querySelector('h1') || {}).textContent || '';
var pre = document.createElement('pre');
pre.id = 'measured';
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
J
measure() { # PAGE WIDTH: the page with measure.js, its measurements as JSON
	{ sed 's|</body>||; s|</html>||' "$1"; printf '<script>%s</script>\n</body>\n</html>\n' "$(cat measure.js)"; } >"m-$1"
	chrome --window-size="$2,1200" --virtual-time-budget=3000 --dump-dom "file://$T/m-$1" |
		sed -n 's|.*<pre id="measured">\(.*\)</pre>.*|\1|p' | sed 's/&quot;/"/g; s/&amp;/\&/g'
}
field() { # JSON KEY
	python3 -c 'import json, sys; v = json.loads(sys.argv[1])[sys.argv[2]]; print(json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v)' "$1" "$2"
}

# Every chart in one page, at the width of the charts.
{
	printf '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"></head><body style="margin:0">\n'
	for f in collection arrears occupancy consumption carbon service; do
		sed 's|<svg xmlns="http://www.w3.org/2000/svg" width|<svg class="doc" xmlns="http://www.w3.org/2000/svg" width|' "$f.svg"
	done
	printf '</body></html>\n'
} >charts.html
m=$(measure charts.html 1000)
expect_eq "$(field "$m" problems)" "[]" "every chart's labels inside it, readable, apart"
expect_eq "$(field "$m" charts)" "$(cat ./*.svg | grep -c 'class="chart"')" "the charts of six reports"
expect_eq "$(field "$m" legend)" "$(cat ./*.svg | grep -c 'class="legend-item"')" "a legend item for each series"
expect_eq "$(grep -c 'class="legend-item"' collection.svg)" "4" "billed and collected; the two rates"
expect_eq "$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["cjk"] > 20)' "$m")" "True" "with Chinese labels"
# collection: 3 buildings of 2 series; arrears: 3 buildings' ages;
# consumption: water and electricity of 3 buildings and the community;
# carbon: 3 buildings' electricity.
expect_eq "$(field "$m" bars)" "$(cat ./*.svg | grep -c 'class="bar"')" "every bar drawn"
expect_eq "$(grep -c 'class="bar"' collection.svg) $(grep -c 'class="point"' collection.svg)" "6 2" \
	"six bars and November's two rates"

# Many long categories: labels slant, and thin out when even slanted
# they would touch.
PM_DB=$T/many.db pm init -q --community 长名小区
awk 'BEGIN { for (b = 1; b <= 40; b++) for (e = 1; e <= 3; e++)
	printf "{\"code\":\"Tower%02d-Entrance%d-101\",\"area\":\"%d\"}\n", b, e, 50 + b * e }' >many.jsonl
PM_DB=$T/many.db pm unit import -q many.jsonl
PM_DB=$T/many.db run pm-report occupancy --by entrance --file-format svg
sed 1d "$T/out" >many.svg
{ printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body style="margin:0">\n'; cat many.svg; printf '</body></html>\n'; } >many.html
m=$(measure many.html 1000)
expect_eq "$(field "$m" problems)" "[]" "120 long labels slanted, inside and apart"
expect_eq "$(grep -c 'rotate(-40' many.svg)" "30" "every fourth of them shown, so the rest can be read"

for f in collection arrears service many; do
	chrome --window-size=960,1200 --screenshot="$T/$f.png" "file://$T/$f.svg" >/dev/null
	expect_eq "$(test -s "$f.png" && echo drawn)" "drawn" "$f.svg renders"
done

# The dashboard page at a desktop's width and a phone's.
m=$(measure demo-report.html 1000)
expect_eq "$(field "$m" problems)" "[]" "the dashboard's charts are sound at 1000 px"
expect_eq "$(field "$m" h1)" "经营看板" "headed in Chinese"
expect_eq "$(field "$m" wide)" "False" "no wider than the window"
expect_eq "$(field "$m" scripts)" "0" "with no script of its own"
expect_eq "$(field "$m" kpis)" "17" "the key figures"
expect_eq "$(field "$m" sections)" "$(grep -c '<section' demo-report.html)" "every section"
expect_eq "$(field "$m" charts)" "$(grep -c '<svg' demo-report.html)" "every chart"
m=$(measure demo-report.html 420)
expect_eq "$(field "$m" wide)" "False" "on a phone too, the tables scrolling in their boxes"
expect_eq "$(field "$m" problems)" "[]" "and the charts scaled down whole"
chrome --window-size=1000,2400 --screenshot="$T/dashboard.png" "file://$T/demo-report.html" >/dev/null
chrome --window-size=420,1600 --screenshot="$T/phone.png" "file://$T/demo-report.html" >/dev/null
expect_eq "$(test -s dashboard.png && echo drawn)" "drawn" "the dashboard renders"
if [ -n "${PM_SHOTS:-}" ]; then
	mkdir -p "$PM_SHOTS" && cp ./*.png ./*.svg demo-report.html "$PM_SHOTS/"
fi
done_testing
