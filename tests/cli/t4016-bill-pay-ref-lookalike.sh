#!/bin/sh
# A payment is recorded once per (channel, ref); a ref that looks like
# another but is not the same bytes is a second payment. A blank other
# than U+0020 (which is trimmed around a ref), an invisible character
# (zero width, a bidi mark, a BOM, a tag, a variation selector), a line
# separator or a combining mark made "WX1" twice: the same 1.00 paid once
# at the bank was recorded as five payments, each ref printing as "WX1".
# Such refs are refused as the controls are, on every path; the bidi
# marks (U+061C, U+200E, U+200F) are bidi controls, told as controls.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
. "$PM_TOP/tests/cli/pay/refs.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

ref_community
expect_rc 0 "November billed and issued, 15.00 each"

run pm-bill pay --unit 1-1-101 --amount 1 --channel wechat --ref ' WX1 '
expect_rc 0 "WX1 paid 1.00 (the spaces around it trimmed)"
pay() { # REF: one payment line of 1.00 for 1-1-101 through wechat
	printf '{"unit":"1-1-101","amount":"1.00","channel":"wechat","ref":"%s"}\n' "$1"
}
{
	pay 'WX1'
	pay 'WX1\u3000'
	pay 'WX1\u200b'
	pay 'WX1\u200f'
	pay 'WX1\u2028'
	pay 'WX1\u00a0'
	pay '\ufeffWX1'
	pay 'WX\u200d1'
	pay 'WX1\u0301'
	pay 'WX1\udb40\udc20'
	pay 'WX1\ufe0f'
	pay 'WX1\u061c'
	pay 'WX1\uffff'
} >pays.jsonl
run pm-bill pay --reject rej.jsonl --format jsonl pays.jsonl
expect_rc 65 "look-alike refs in a file: exit 65"
expect_out '^\{"type":"payment","payment":1,"channel":"wechat","ref":"WX1",.*"outcome":"duplicate"\}$' \
	"WX1 itself is the payment recorded before"
what='a blank, invisible or combining character: a reference is printable UTF-8'
expect_err "^pm-bill: pays.jsonl:2: field \"ref\": byte 4 is U\+3000, $what\$" "an ideographic space (全角空格)"
expect_err "^pm-bill: pays.jsonl:3: field \"ref\": byte 4 is U\+200B, $what\$" "a zero width space"
expect_err '^pm-bill: pays.jsonl:4: field "ref": byte 4 is U\+200F, a control character: a reference is printable UTF-8$' \
	"a right-to-left mark, a bidi control"
expect_err "^pm-bill: pays.jsonl:5: field \"ref\": byte 4 is U\+2028, $what\$" "a line separator"
expect_err "^pm-bill: pays.jsonl:6: field \"ref\": byte 4 is U\+00A0, $what\$" "a no-break space"
expect_err "^pm-bill: pays.jsonl:7: field \"ref\": byte 1 is U\+FEFF, $what\$" "a BOM before it"
expect_err "^pm-bill: pays.jsonl:8: field \"ref\": byte 3 is U\+200D, $what\$" "a zero width joiner inside"
expect_err "^pm-bill: pays.jsonl:9: field \"ref\": byte 4 is U\+0301, $what\$" "a combining accent"
expect_err "^pm-bill: pays.jsonl:10: field \"ref\": byte 4 is U\+E0020, $what\$" "a tag character"
expect_err "^pm-bill: pays.jsonl:11: field \"ref\": byte 4 is U\+FE0F, $what\$" "a variation selector"
expect_err '^pm-bill: pays.jsonl:12: field "ref": byte 4 is U\+061C, a control character' "the Arabic letter mark"
expect_err "^pm-bill: pays.jsonl:13: field \"ref\": byte 4 is U\+FFFF, $what\$" "a noncharacter"
expect_eq "$(grep -c 'pays.jsonl:' "$T/err")" 12 "twelve lines refused"
expect_eq "$(cat rej.jsonl)" "$(sed -n '2,13p' pays.jsonl)" "each kept in --reject as read"
expect_eq "$(sql "SELECT count(*) || ' ' || sum(amount_fen) || ' ' || hex(min(ref)) FROM payment")" "1 100 575831" \
	"one payment of 1.00, ref WX1"
expect_eq "$(sql "SELECT paid_fen FROM bill WHERE code = 'B-2026-11-1-1-101'")" 100 "1-1-101's bill paid 1.00, once"

# From --ref: an input method's space after the ref.
run pm-bill pay --unit 1-1-101 --amount 1 --channel wechat --ref "$(printf 'WX1\343\200\200')"
expect_rc 65 "--ref with U+3000 after it"
expect_err "^pm-bill: field \"ref\": byte 4 is U\+3000, $what\$" "is refused"
run pm-bill pay --unit 1-1-101 --amount 1 --channel wechat --ref "$(printf 'WX1\342\200\216')"
expect_rc 65 "--ref with a left-to-right mark"
expect_err '^pm-bill: field "ref": byte 4 is U\+200E, a control character' "is refused as a control"

# Every other program that stores a ref.
ref_refused_everywhere "$(printf 'R1\342\200\213')" "byte 3 is U\+200B, $what\$" 1

# Printable refs just beside the ranges refused are refs.
run pm-bill pay --unit 1-1-102 --amount 1 --channel wechat --ref "$(printf 'WX\342\200\220\342\200\247\343\200\201\302\241')"
expect_rc 0 "a ref of U+2010, U+2027, U+3001 and U+00A1 is recorded"
expect_eq "$(sql "SELECT count(*) FROM payment")" 2 "a second payment"
done_testing
