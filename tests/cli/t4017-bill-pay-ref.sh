#!/bin/sh
# A payment's reference is echoed into JSON, pages, CSV and xlsx exports
# and logs, so what comes in is 1 to 128 bytes of printable UTF-8: no C0
# or C1 control, DEL or bidi control (U+202A-U+202E, U+2066-U+2069).
# From a file, a bad line is named FILE:LINE, kept in --reject, and the
# good lines are committed, exit 65; from --ref, exit 65 and nothing
# stored; every program taking a ref refuses alike. A ref stored before
# the rule still reads, lists and exports.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
. "$PM_TOP/tests/cli/pay/refs.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

ref_community
expect_rc 0 "November billed and issued, 15.00 each"

long=$(printf '%0128d' 0 | tr 0 R)
pay() { # REF: one payment line of 1.00 for 1-1-101 through wechat
	printf '{"unit":"1-1-101","amount":"1.00","channel":"wechat","ref":"%s"}\n' "$1"
}
{
	pay 'WX-good-1'
	pay 'WX\u001b[2J'
	pay 'WX\u202e1'
	pay "$(printf '%05000d' 0 | tr 0 X)"
	pay "$long"
	pay "${long}S"
	pay 'WX\u0085x'
	pay 'WX\u007f'
	pay 'WX\u2066x'
	pay '微信-支付-001'
} >pays.jsonl
printf '{"unit":"1-1-101","amount":"1.00","channel":"wechat","ref":"WX\377"}\n' >>pays.jsonl
run pm-bill pay --reject rej.jsonl --format jsonl pays.jsonl
expect_rc 65 "bad refs in a file: exit 65"
expect_err '^pm-bill: pays.jsonl:2: field "ref": byte 3 is U\+001B, a control character: a reference is printable UTF-8$' \
	"an escape names the file, the line and the byte"
expect_err '^pm-bill: pays.jsonl:3: field "ref": byte 3 is U\+202E, a control character' "a bidi override"
expect_err '^pm-bill: pays.jsonl:4: field "ref": 5000 bytes: a reference is 1 to 128 bytes of printable UTF-8$' \
	"5,000 bytes"
expect_err '^pm-bill: pays.jsonl:6: field "ref": 129 bytes' "129 bytes"
expect_err '^pm-bill: pays.jsonl:7: field "ref": byte 3 is U\+0085' "a C1 control"
expect_err '^pm-bill: pays.jsonl:8: field "ref": byte 3 is U\+007F' "DEL"
expect_err '^pm-bill: pays.jsonl:9: field "ref": byte 3 is U\+2066' "a bidi isolate"
expect_err '^pm-bill: pays.jsonl:11: ' "a byte that is no UTF-8 (the JSON reader refuses it)"
expect_eq "$(grep -c 'pays.jsonl:' "$T/err")" 8 "eight lines refused"
expect_eq "$(cat rej.jsonl)" "$(sed -n '2,4p;6,9p;11p' pays.jsonl)" "each kept in --reject as read"
expect_eq "$(sql "SELECT count(*) || ' ' || sum(amount_fen) FROM payment")" "3 300" "the three good lines recorded, 3.00"
expect_eq "$(sql "SELECT ref FROM payment ORDER BY id")" "WX-good-1
$long
微信-支付-001" "128 bytes and Chinese are refs"
expect_eq "$(sql "SELECT paid_fen FROM bill WHERE code = 'B-2026-11-1-1-101'")" 300 "paying 1-1-101's bill 3.00"

# The same from --ref.
run pm-bill pay --unit 1-1-102 --amount 15 --channel wechat --ref "$(printf 'WX\033]0;x\007')"
expect_rc 65 "--ref with an escape"
expect_err '^pm-bill: field "ref": byte 3 is U\+001B, a control character' "is refused"
run pm-bill pay --unit 1-1-102 --amount 15 --channel wechat --ref "${long}S"
expect_rc 65 "--ref of 129 bytes"
expect_eq "$(sql "SELECT count(*) FROM payment WHERE unit_id = (SELECT id FROM unit WHERE code = '1-1-102')")" 0 \
	"nothing recorded for 1-1-102"

# Every other program that stores a ref.
ref_refused_everywhere "$(printf 'R\342\200\256x')" 'byte 2 is U\+202E, a control character' 3

# A ref stored before the rule reads as it is.
sql "INSERT INTO payment (channel, ref, unit_id, amount_fen, at, created_at)
	SELECT 'bank', 'OLD' || char(27) || 'ref', id, 500, 1796086800, 1796086800 FROM unit WHERE code = '2-1-201'"
feed '{"ref":"OLD\\u001bref","amount":"5.00","time":"2026-12-01T09:00:00+08:00"}\n' \
	pm-bill reconcile --channel bank --format jsonl -
expect_rc 0 "a bank statement still reconciles against it"
expect_out '"status":"matched".*"ref":"OLD\\u001Bref"' "printing the ref escaped in JSON"

# --amount of nothing or less is a bad option value, exit 2, as refund's,
# adjust's and pm-pay order's are (a record's amount in a file stays 65).
n=$(sql 'SELECT count(*) FROM payment')
for a in 0 -1 -0 0.00; do
	run pm-bill pay --unit 1-1-101 --amount "$a" --channel bank --ref "Z$a"
	expect_rc 2 "--amount $a: exit 2"
	expect_err '^pm-bill pay: --amount: must be more than 0$' "--amount $a: says so"
done
feed '{"unit":"1-1-101","amount":"0","channel":"bank","ref":"Z0"}\n' pm-bill pay -
expect_rc 65 "the same in a record: exit 65"
expect_eq "$(sql 'SELECT count(*) FROM payment')" "$n" "no payment recorded"
done_testing
