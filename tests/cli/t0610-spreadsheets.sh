#!/bin/sh
# Spreadsheets as offices save them: Chinese column headings and values,
# and GB18030 files read with --encoding.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

gb() { iconv -f UTF-8 -t GB18030; }

run pm init
printf '房号,建筑面积,用途,状态,楼层,交付日期\n1-1-101,89.50,住宅,自住,,2020-01-01\n1-1-102,120,商铺,空置,,2020-01-01\n1-1-B01,12,车位,空置,-1,\n1-1-103,60,别墅,空置,,\n' >units.utf8.csv
gb <units.utf8.csv >units.csv

run pm unit import units.csv
expect_rc 65 "GB18030 read as UTF-8 is refused"
expect_err '^pm: units.csv:1: column 1 of the header: expected UTF-8 text \(a file saved as GB18030 reads with --encoding gb18030\)$' \
	"saying how to read it"
expect_eq "$(sql 'SELECT count(*) FROM unit')" "0" "and nothing stored"

run pm unit import --encoding gb18030 --reject rejects.csv units.csv
expect_rc 65 "with --encoding gb18030, one row bad"
expect_err '^pm: units.csv:5: field "use": unknown value "别墅": expected residential, commercial, parking or storage$' \
	"the bad row named in Chinese as written"
expect_eq "$(sql 'SELECT code, area_centi, use, status, floor FROM unit ORDER BY code' | tr '\n' ' ')" \
	"1-1-101|8950|residential|occupied|1 1-1-102|12000|commercial|vacant|1 1-1-B01|1200|parking|vacant|-1 " \
	"headings 房号 建筑面积 用途 状态 楼层 and values 住宅 商铺 车位 自住 空置 read as the fields"
expect_eq "$(cat rejects.csv)" "房号,建筑面积,用途,状态,楼层,交付日期
1-1-103,60,别墅,空置,," "the reject file in UTF-8, under its header, to import without --encoding once mended"
sed -i 's/别墅/住宅/' rejects.csv
: >rejects2.csv
run pm unit import --reject rejects2.csv rejects.csv
expect_rc 0 "the mended rejects import as they are"
expect_eq "$(sql "SELECT use FROM unit WHERE code = '1-1-103'")" "residential" "as a home"

# People: 编号 姓名 手机 身份证 房号 身份 入住日期; 房号 is the unit they live in.
printf '编号,姓名,手机,身份证,房号,身份,入住日期\nP1,张伟,13800000001,110101199001011234,1-1-101,业主,2020-02-01\nP2,李娜,13800000002,,1-1-101,家属,2020-02-01\nP3,王芳,13800000003,,1-1-102,租户,2026-03-01\n' | gb >people.csv
run pm person import --encoding GB18030 people.csv
expect_rc 0 "people from a GB18030 spreadsheet"
expect_eq "$(sql "SELECT p.code, p.name, o.role, o.since FROM person p JOIN occupancy o ON o.person_id = p.id JOIN unit u ON u.id = o.unit_id ORDER BY p.code" | tr '\n' ' ')" \
	"P1|张伟|owner|2020-02-01 P2|李娜|family|2020-02-01 P3|王芳|tenant|2026-03-01 " \
	"names, roles 业主 家属 租户 and move-in days as written"

# JSON lines in GB18030 too; a byte of no character rejects its record only.
{
	printf '{"code":"1-1-104","area":"70","use":"住宅"}\n' | gb
	printf '{"code":"1-1-105","area":"70","status":"\201\060\201"}\n'
	printf '{"code":"1-1-106","area":"71"}\n'
} >units.jsonl
run pm unit import --encoding gb18030 units.jsonl
expect_rc 65 "a bad byte in a JSON line"
expect_err '^pm: units.jsonl:2: ' "is that line's"
expect_eq "$(sql "SELECT group_concat(code) FROM unit WHERE code IN ('1-1-104', '1-1-105', '1-1-106')")" "1-1-104,1-1-106" \
	"and the lines around it are stored"

# A character cut by the end of a read: 4,000 people, every name whole.
awk 'BEGIN { print "编号,姓名"; for (i = 0; i < 4000; i++) printf "Q%04d,欧阳娜娜%d号\n", i, i }' | gb >many.csv
expect_eq "$([ "$(wc -c <many.csv)" -gt 65536 ] && echo more)" "more" "more than a read of input"
run pm person import --encoding gb18030 many.csv
expect_rc 0 "read whole"
expect_eq "$(sql "SELECT count(*), sum(name = '欧阳娜娜' || CAST(substr(code, 2) AS INTEGER) || '号') FROM person WHERE code LIKE 'Q%'")" \
	"4000|4000" "each name as written"

run pm unit import --encoding klingon units.csv
expect_rc 2 "an encoding iconv does not know"
expect_err '^pm unit import: --encoding: unknown character set "klingon" \(gb18030, gbk, big5, utf-16 …\)$' "is named"
run pm unit import --encoding utf-8 units.utf8.csv
expect_rc 65 "utf-8 is the default, named or not"

done_testing
