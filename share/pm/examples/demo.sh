#!/bin/sh
# A month in the life of a demo community: run by `make demo`.
# Usage: demo.sh BINDIR [STORE]
set -eu
bin=$(cd "${1:-build/bin}" && pwd)
PATH="$bin:$PATH"
here=$(cd "$(dirname "$0")" && pwd)
PM_DB=${2:-demo.db}
# The demo's clock: the morning of 1 December 2026, when November is billed,
# so every run tells the same month whatever the day it runs.
PM_NOW=${PM_NOW:-2026-12-01T09:00:00+08:00}
export PATH PM_DB PM_NOW
# Run from a build tree, the programs find their messages beside them.
[ -z "${PM_LOCALEDIR:-}" ] && [ -d "$bin/../locale" ] && PM_LOCALEDIR=$(cd "$bin/../locale" && pwd) &&
	export PM_LOCALEDIR
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rm -f "$PM_DB" "$PM_DB-wal" "$PM_DB-shm" "$PM_DB.key" "$PM_DB.pass.key" "$PM_DB.notify-lock"
pm init --community 幸福里小区 --tz Asia/Shanghai
pm config apply "$here/pm.yaml"

# 3 buildings x 2 entrances x 18 floors x 4 units, 60-160 m², and an owner
# for most of them (a deterministic pseudo-random walk, so every run is alike).
awk -v out="$work" 'BEGIN {
	split("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗", sn, " ")
	split("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 建华 玉兰", gn, " ")
	seed = 20261125
	for (b = 1; b <= 3; b++) for (e = 1; e <= 2; e++) for (f = 1; f <= 18; f++) for (r = 1; r <= 4; r++) {
		seed = (seed * 1103515245 + 12345) % 2147483648
		code = sprintf("%d-%d-%d%02d", b, e, f, r)
		area = 6000 + seed % 10001
		status = (seed % 10 == 0) ? "vacant" : (seed % 10 == 1 ? "rented" : "occupied")
		printf "{\"code\":\"%s\",\"area\":\"%d.%02d\",\"status\":\"%s\",\"delivered\":\"2019-06-30\"}\n",
			code, area / 100, area % 100, status > out "/units.jsonl"
		if (status == "vacant") continue
		n++
		name = sn[1 + seed % 20] gn[1 + int(seed / 20) % 24]
		printf "{\"code\":\"P%04d\",\"name\":\"%s\",\"phone\":\"139%08d\",\"unit\":\"%s\",\"since\":\"2019-07-01\"}\n",
			n, name, seed % 100000000, code > out "/people.jsonl"
	}
}'
pm unit import "$work/units.jsonl"
pm person import "$work/people.jsonl"
pm user add wang.manager --role admin
pm user add li.finance --role finance
pm user add zhao.desk --role frontdesk
pm user add sun.tech --role technician
echo 'demo-owner-1' | pm user add owner.p0001 --role owner --person P0001 --password-stdin

for step in "$here"/demo.d/*.sh; do
	[ -f "$step" ] && . "$step"
done

pm check -q
echo
echo "demo: $(pm unit list | wc -l) units, $(pm person list | wc -l) residents, store $PM_DB"
pm audit --verify

# The month on one page: on the terminal, and as a page to open in a
# browser or send by e-mail, in Chinese when the locale is there.
page=$(dirname "$PM_DB")/demo-report.html
echo
pm-report dashboard --period 2026-11 --format table
zh=
locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$' && zh=zh_CN.UTF-8
LC_ALL=${zh:-${LC_ALL:-C.UTF-8}} pm-report dashboard --period 2026-11 --output "$page"
echo
echo "demo: the dashboard of November 2026 is in $page"
