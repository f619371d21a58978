#!/bin/sh
# DL/T 645-2007 tariff registers one data identifier at a time: pm-meter
# decode turns a read response for tariff 1-4 (DI 00 01 01 00 .. 00 01 04
# 00) into the register sharp, peak, flat or valley and merges the frames
# of one meter and time into one reading; pm-meter ingest takes a reading
# of registers alone when its total is stored or comes in the same input.
# Frames are built here, their checksums summed here.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00; export PM_NOW

# dlt ADDR DI VALUE: a normal read response (control 91) from the meter
# at ADDR (12 digits, display order) for DI (8 hex digits, DI3 first) with
# VALUE (8 BCD digits, XXXXXX.XX), every data byte plus 33, sent low byte
# first; the checksum is the byte sum from the first 68.
dlt() {
	echo "$1 $2 $3" | awk -v hex=0123456789ABCDEF '
	function h(x) { return 16 * (index(hex, substr(x, 1, 1)) - 1) + index(hex, substr(x, 2, 1)) - 1 }
	function put(x) { b[n++] = x }
	function low_first(s, add,  i) { for (i = length(s) - 1; i >= 1; i -= 2) put((h(substr(s, i, 2)) + add) % 256) }
	{
		n = 0
		put(104); low_first($1, 0); put(104); put(145); put(4 + length($3) / 2)
		low_first($2, 51); low_first($3, 51)
		cs = 0; for (i = 0; i < n; i++) cs += b[i]
		put(cs % 256); put(22)
		for (i = 0; i < n; i++) printf "%02X%s", b[i], i < n - 1 ? " " : "\n"
	}'
}
TS=2026-11-30T23:00:00+08:00

run pm init
feed '{"code":"E-ALL","kind":"electricity","serves":"community","address":"000000000161","registers":["sharp","peak","flat","valley"]}
{"code":"E-PV","kind":"electricity","serves":"community","address":"000000000162","registers":["peak","valley"]}
{"code":"E-NONE","kind":"electricity","serves":"community","address":"000000000163"}
{"code":"E-HAND","kind":"electricity","serves":"community","address":"123456789012","registers":["flat"]}\n' pm-meter import
expect_rc 0 "meters: four registers, peak and valley, none, flat"

# Tariff 3 of meter 123456789012 at 1234.56 kWh, worked out by hand in
# tests/unit/test_frame.c (checksum 0x57).
expect_eq "$(dlt 123456789012 00010300 00123456)" "68 12 90 78 56 34 12 68 91 08 33 36 34 33 89 67 45 33 57 16" \
	"the builder gives the frame worked out by hand"
dlt 123456789012 00010300 00123456 >hand.hex
run pm-meter decode --protocol dlt645 --ts $TS hand.hex
expect_rc 0 "a single tariff register frame decodes"
expect_out '^\{"type":"reading","meter":"E-HAND","ts":"2026-11-30T23:00:00\+08:00","source":"dlt645","registers":\{"flat":"1234.560"\}\}$' \
	"to a reading of that register alone, named as the meter declares it"

{
	dlt 000000000161 00010000 00100000   # E-ALL total 1000.00
	dlt 000000000162 00010200 00020050   # E-PV peak 200.50
	dlt 000000000161 00010100 00010000   # sharp 100.00
	dlt 000000000161 00010200 00020000   # peak 200.00
	dlt 000000000161 00010300 00030000   # flat 300.00
	dlt 000000000161 00010400 00040000   # valley 400.00
	dlt 000000000162 00010000 00050000   # E-PV total 500.00
	dlt 000000000162 00010400 00029950   # valley 299.50
	dlt 000000000161 00010200 00020000   # peak again, the same: merged
	dlt 000000000161 00010000 00100001   # another total: refused
	dlt 000000000162 00010300 00000000   # flat, which E-PV lacks: refused
	dlt 000000000163 00010100 00000100   # sharp, which E-NONE lacks: refused
	dlt 000000000163 00010000 00000700   # E-NONE total 7.00
} >round.hex
run pm-meter decode --protocol dlt645 --ts $TS --reject rej.hex round.hex
expect_rc 65 "a collector's round: three frames refused"
expect_eq "$(grep -c . "$T/out")" "3" "one reading per meter"
expect_eq "$(sed -n 1p "$T/out")" '{"type":"reading","meter":"E-ALL","ts":"2026-11-30T23:00:00+08:00","value":"1000.000","source":"dlt645","registers":{"sharp":"100.000","peak":"200.000","flat":"300.000","valley":"400.000"}}' \
	"the total and four tariffs read one at a time make one reading"
expect_eq "$(sed -n 2p "$T/out")" '{"type":"reading","meter":"E-PV","ts":"2026-11-30T23:00:00+08:00","value":"500.000","source":"dlt645","registers":{"peak":"200.500","valley":"299.500"}}' \
	"in order of the meters' first frames, whatever order the frames came in"
expect_eq "$(sed -n 3p "$T/out")" '{"type":"reading","meter":"E-NONE","ts":"2026-11-30T23:00:00+08:00","value":"7.000","source":"dlt645"}' \
	"a meter with no registers gives its total"
expect_err "^pm-meter: round.hex:10: meter 'E-ALL': total 1000.010 differs from 1000.000 in an earlier frame for the same time$" \
	"a second total that disagrees is refused, naming both"
expect_err "^pm-meter: round.hex:11: meter 'E-PV' reads 0.000 on tariff 3 \(flat\), a register it does not declare: declare it with pm-meter add --registers$" \
	"a tariff the meter does not declare is refused"
expect_err "^pm-meter: round.hex:12: meter 'E-NONE' reads 1.000 on tariff 1 \(sharp\), " "for a meter without registers too"
expect_err "^pm-meter: 3 of 13 frames rejected$" "counted"
expect_eq "$(sed -n '1p;3p' rej.hex | cut -c1-20)" "$(sed -n '10p;12p' round.hex | cut -c1-20)" "the refused frames are in the reject file"

# The block (total and tariffs 1-4) for a meter with peak and valley: the
# tariffs it lacks must read zero and are left out.
block() { # ADDR TOTAL T1 T2 T3 T4
	a=$1; shift
	dlt "$a" 0001FF00 "$(printf '%s' "$5$4$3$2$1")"
}
expect_eq "$(block 005223440001 00000389 00000000 00000000 00000389 00000000)" \
	"68 01 00 44 23 52 00 68 91 18 33 32 34 33 BC 36 33 33 33 33 33 33 33 33 33 33 BC 36 33 33 33 33 33 33 13 16" \
	"the builder gives the published block frame (tests/vectors)"
{
	block 000000000162 00060000 00000000 00025000 00000000 00035000
	block 000000000162 00060000 00000000 00025000 00000001 00035000
} >block.hex
run pm-meter decode --protocol dlt645 --ts $TS block.hex
expect_rc 65 "a block with a non-zero tariff the meter lacks is refused"
expect_out '^\{"type":"reading","meter":"E-PV",.*"value":"600.000","source":"dlt645","registers":\{"peak":"250.000","valley":"350.000"\}\}$' \
	"a block's undeclared tariffs at zero are left out"
expect_err "block.hex:2: meter 'E-PV' reads 0.010 on tariff 3 \(flat\), a register it does not declare" "naming it"

# decode | ingest stores the merged readings with their registers.
pm-meter decode --protocol dlt645 --ts $TS round.hex 2>/dev/null | pm-meter ingest 2>"$T/err"
expect_eq "$?" "0" "decode | ingest"
expect_eq "$(sql "SELECT m.code, r.value, coalesce(group_concat(g.reg || '=' || g.value), '') FROM reading r JOIN meter m ON m.id = r.meter_id LEFT JOIN reading_register g ON g.meter_id = r.meter_id AND g.ts = r.ts GROUP BY m.code ORDER BY m.code")" \
"E-ALL|1000000|1=100000,2=200000,3=300000,4=400000
E-NONE|7000|
E-PV|500000|2=200500,4=299500" "the totals and every register are stored"

# Registers alone, as a collector reading tariffs after the total sends.
TS2=2026-12-01T00:00:00+08:00
{
	dlt 000000000161 00010100 00010100
	dlt 000000000161 00010300 00030100
} >late.hex
run pm-meter decode --protocol dlt645 --ts $TS2 late.hex
expect_out '^\{"type":"reading","meter":"E-ALL","ts":"2026-12-01T00:00:00\+08:00","source":"dlt645","registers":\{"sharp":"101.000","flat":"301.000"\}\}$' \
	"frames of registers alone give a reading without a value"
cp "$T/out" regs.jsonl
run pm-meter ingest --reject rej.jsonl regs.jsonl
expect_rc 65 "with no total stored or coming, it is rejected"
expect_err "^pm-meter: regs.jsonl:1: meter 'E-ALL' has no total reading at 2026-12-01T00:00:00\+08:00: a reading of registers alone needs the total stored or in the same input$" \
	"saying so"
expect_eq "$(cat rej.jsonl)" "$(cat regs.jsonl)" "into the reject file as it was"
expect_eq "$(sql "SELECT count(*) FROM reading_register WHERE ts = 1796054400")" "0" "storing nothing"

printf '%s\n' '{"meter":"E-ALL","ts":"2026-12-01T00:00:00+08:00","value":"1010"}' >total.jsonl
run pm-meter ingest --format jsonl regs.jsonl total.jsonl
expect_rc 0 "registers first, then their total in the same input"
expect_err "read 2, inserted 2, duplicate 0, replaced 0, rejected 0" "both are taken"
expect_out '"ts":"2026-12-01T00:00:00\+08:00","outcome":"inserted"' "each with its outcome"
expect_eq "$(sql "SELECT reg, value FROM reading_register WHERE ts = 1796054400 ORDER BY reg" | tr '\n' ' ')" "1|101000 3|301000 " \
	"the registers joined the total"
run pm-meter ingest regs.jsonl
expect_rc 0 "registers again against the stored total"
expect_err "read 1, inserted 0, duplicate 1," "a duplicate"
printf '%s\n' '{"meter":"E-ALL","ts":"2026-12-01T00:00:00+08:00","registers":{"peak":"202","valley":"404"}}' >more.jsonl
run pm-meter ingest more.jsonl
expect_rc 0 "more registers for a stored total"
expect_err "inserted 1, " "are added"
printf '%s\n' '{"meter":"E-ALL","ts":"2026-12-01T00:00:00+08:00","registers":{"peak":"202.5"}}' >other.jsonl
run pm-meter ingest other.jsonl
expect_rc 65 "another value for a stored register"
expect_err "^pm-meter: other.jsonl:1: conflict: meter 'E-ALL' already reads 202.000 on register \"peak\" at this time, not 202.500 \(--replace corrects it\)$" \
	"is a conflict, naming both"
run pm-meter ingest --replace other.jsonl
expect_err "replaced 1" "--replace corrects it"
expect_eq "$(sql "SELECT value FROM reading_register WHERE ts = 1796054400 AND reg = 2")" "202500" "to the new value"
expect_eq "$(sql "SELECT before, after FROM audit WHERE action = 'reading.replace' ORDER BY id DESC LIMIT 1")" \
	'{"registers":{"peak":"202.000"},"ts":"2026-11-30T16:00:00Z"}|{"registers":{"peak":"202.500"},"ts":"2026-11-30T16:00:00Z"}' \
	"audited with both values"
printf '%s\n' '{"meter":"E-ALL","ts":"2026-12-01T00:00:00+08:00","registers":{"flat":"400"}}' >over.jsonl
run pm-meter ingest --replace over.jsonl
expect_rc 65 "registers may not pass the stored total"
expect_err "registers sum to 1107.500, more than the total 1010.000" "saying by how much"

# A full reading whose total is stored adds the registers it brings.
printf '%s\n' '{"meter":"E-PV","ts":"2026-12-01T00:00:00+08:00","value":"510"}' >pv.jsonl
run pm-meter ingest pv.jsonl
printf '%s\n' '{"meter":"E-PV","ts":"2026-12-01T00:00:00+08:00","value":"510","registers":{"peak":"205","valley":"305"}}' >pv2.jsonl
run pm-meter ingest pv2.jsonl
expect_err "read 1, inserted 1, duplicate 0" "the registers of a reading whose total is stored are not dropped"
expect_eq "$(sql "SELECT count(*) FROM reading_register r JOIN meter m ON m.id = r.meter_id WHERE m.code = 'E-PV' AND ts = 1796054400")" "2" \
	"both are stored"
run pm-meter usage --period 2026-11 --meter E-PV --format jsonl
expect_out '"closing":"510.000",.*"registers":\{"peak":\{"opening":"0.000","closing":"205.000","usage":"205.000"\},"valley":\{"opening":"0.000","closing":"305.000","usage":"305.000"\}\}' \
	"and close November's registers (a reading at midnight closes the month before)"

printf '%s\n' '{"meter":"E-PV","ts":"2026-12-01T01:00:00+08:00","registers":{"peak":"206"}}' \
	'{"meter":"E-PV","ts":"2026-12-01T01:00:00+08:00","value":"511"}' \
	'{"meter":"NOPE","ts":"2026-12-01T01:00:00+08:00","value":"1"}' >strict.jsonl
run pm-meter ingest --strict strict.jsonl
expect_rc 65 "--strict with a bad line"
expect_eq "$(sql "SELECT count(*) FROM reading WHERE ts = 1796058000")" "0" "writes nothing, registers held for later included"
done_testing
