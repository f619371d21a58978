#!/bin/sh
# Every message the programs mark for translation (_(), N_(), NC_()) has
# its Chinese in share/locale/zh_CN.po: the collection report's columns,
# marked in lib/report-internal.h, had none, and the web dashboard a
# manager opens on a phone showed "paid in full", "charged", "notes",
# "late fees", "outstanding", "rate by count", "rate by amount" among its
# Chinese. Then those columns as pm-report prints them in zh_CN.
. "$PM_TOP/tests/cli/lib.sh"
need_prog xgettext
need_prog msgcmp

(cd "$PM_TOP" && xgettext -o "$T/pm.pot" --from-code=UTF-8 -k_ -kN_ -kNC_:1c,2 lib/*.c lib/*.h cmd/*.c) 2>"$T/err"
expect_eq "$?" 0 "xgettext reads the marked messages of lib/ and cmd/"
msgcmp --use-untranslated "$PM_TOP/share/locale/zh_CN.po" "$T/pm.pot" >"$T/out" 2>&1
expect_eq "$(grep -c 'used but not defined' "$T/out")" 0 "every one has its Chinese in zh_CN.po
$(grep -A1 'used but not defined' "$T/out" | head -20)"

# A month billed under the example configuration.
PM_NOW=2026-12-01T09:00:00+08:00 run pm init
PM_NOW=2026-12-01T09:00:00+08:00 run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
feed '{"code":"1-1-101","area":"80","delivered":"2020-01-01"}\n' pm unit import
PM_NOW=2026-12-01T09:00:00+08:00 run pm-bill run --period 2026-11
expect_rc 0 "November billed"
LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 run pm-report collection --period 2026-11 --section building --format table
expect_rc 0 "the collection report by building, in Chinese"
expect_out '缴清单数 +计费 +调整 +违约金 +应收 +实收 +欠费 +缴费率（按单数） +缴费率（按金额）' \
	"its columns in Chinese: 缴清单数 计费 调整 违约金 应收 实收 欠费 缴费率（按单数） 缴费率（按金额）"
done_testing
