#!/bin/sh
# pm-shop refund: web payments the shop refused after the fact, given back
# by the channel they came through, to the fen. The carts here were
# refused before pm held their money (a store older than migration 0031:
# the refusal posted nothing), so the refund posts the receipt too;
# t8180 refuses one through the web and refunds it. Who may refund, a
# cart with nothing to refund, a second run, and runs stopped half way by
# a failing disk (tests/fault/failio.c) that the next run finishes.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"80","delivered":"2020-01-01"}
{"code":"1-1-102","area":"80","delivered":"2020-01-01"}\n' pm unit import
run pm user add zhao.desk --role frontdesk
run pm user add li.finance --role finance
pm-shop merchant M1 --name 鲜果坊 --commission 100 -q >/dev/null
pm-shop offer VEG --merchant M1 --title 有机蔬菜 --price 12.50 --deadline 2026-12-10 --min-group 3 --stock 100 \
	--pickup-point 物业前台 --pickup-at 12月11日 -q >/dev/null
# Three carts paid and refused (20.00 by wechat for 1-1-101, 37.50 by
# alipay and 12.49 by wechat for 1-1-102, 0.01 of its 12.50 in points),
# and one never paid.
cart() { # NO UNIT QTY POINTS CHANNEL REF
	sql "INSERT INTO shop_cart (no, offer_id, unit_id, qty, amount_fen, points, login, channel, ref, refused, created_at)
		SELECT '$1', f.id, u.id, $3, $3 * f.price_fen, $4, 'owner', nullif('$5', ''), nullif('$6', ''),
		CASE WHEN '$5' = '' THEN NULL ELSE '团购“VEG”的状态是 failed，不是 open' END, 1764550000
		FROM shop_offer f, unit u WHERE f.code = 'VEG' AND u.code = '$2'"
}
cart SO00000000000000a1 1-1-101 2 500 wechat WX-1
cart SO00000000000000a2 1-1-102 3 0 alipay AL-2
cart SO00000000000000a3 1-1-102 1 1 wechat WX-3
cart SO00000000000000a4 1-1-101 1 0 "" ""
expect_eq "$(sql "SELECT group_concat(amount_fen - points, ' ') FROM shop_cart")" "2000 3750 1249 1250" "four carts, three paid"

run pm check --format jsonl
expect_rc 1 "refused payments not refunded"
expect_out '^{"type":"problem","check":"shop.cart_refund","problem":"cart SO00000000000000a1: its payment of 2000 fen was refused and is not refunded \(pm-shop refund --pending\)"}$' \
	"pm check lists each as pending"
expect_eq "$(grep -c 'shop.cart_refund' out)" 3 "all three, not the cart never paid"

run pm-shop refund
expect_rc 2 "neither a cart nor --pending"
expect_err "pm-shop refund: expected one CART or --pending" "is a usage error"
run pm-shop refund SO00000000000000a1 --pending
expect_rc 2 "both"
run pm-shop --as zhao.desk refund SO00000000000000a1
expect_rc 77 "the desk may not refund"
run pm-shop refund SO0000000000000bad
expect_rc 65 "an unknown cart"
expect_err "pm-shop: unknown order 'SO0000000000000bad'" "is named"
run pm-shop refund SO00000000000000a4
expect_rc 65 "a cart never paid"
expect_err "pm-shop: order 'SO00000000000000a4' has no refused payment to refund" "has nothing to refund"
expect_eq "$(sql "SELECT count(*) FROM journal") $(sql "SELECT count(*) FROM audit WHERE action = 'shop.cart_refund'")" "0 0" \
	"nothing written by any of them"

postings() { # CART: its entries, kind and postings in order
	sql "SELECT j.kind || ' ' || p.account || ' ' || p.amount_fen FROM posting p JOIN journal j ON j.id = p.journal_id
		WHERE j.ref = 'shop_cart:$1' ORDER BY j.id, p.account" | tr '\n' ';'
}
run pm-shop --as li.finance refund SO00000000000000a1 --format jsonl
expect_rc 0 "finance refunds one cart"
expect_out '^{"type":"shop_cart_refund","cart":"SO00000000000000a1","unit":"1-1-101","offer":"VEG","channel":"wechat","ref":"WX-1","refund_fen":2000,"outcome":"refunded"}$' \
	"20.00 back by wechat (25.00 less 5.00 in points, which were never spent)"
expect_err "pm-shop: 1 refused payments refunded" "one"
expect_eq "$(postings SO00000000000000a1)" \
	"shop_cart_refused cash:wechat 2000;shop_cart_refused payable:shop_cart -2000;shop_cart_refund cash:wechat -2000;shop_cart_refund payable:shop_cart 2000;" \
	"the ledger: the 20.00 it held, then given back"
expect_eq "$(sql "SELECT refunded_at IS NOT NULL AND received_journal_id IS NOT NULL AND refund_journal_id IS NOT NULL FROM shop_cart WHERE no = 'SO00000000000000a1'")" 1 \
	"the cart keeps both entries and when"
expect_eq "$(sql "SELECT actor || ' ' || json_extract(after, '$.refund_fen') FROM audit WHERE action = 'shop.cart_refund'")" "li.finance 2000" "audited"
run pm-shop refund SO00000000000000a1 --format jsonl
expect_rc 0 "the same cart again"
expect_out '"refund_fen":2000,"outcome":"existing"}$' "is refunded already"
expect_err "pm-shop: 0 refused payments refunded" "nothing now"
expect_eq "$(sql "SELECT count(*) FROM journal") $(sql "SELECT count(*) FROM audit WHERE action = 'shop.cart_refund'")" "2 1" \
	"and nothing is written"

# The rest, on copies of the store whose disk fails after N writes: each
# run refunds some carts whole or none, pm check holds, and the next run
# finishes to what an unbroken run gives.
. "$PM_TOP/tests/fault/failio.sh"
sqlite3 "$PM_DB" ".backup base.db"
state() { sql "SELECT no || ' ' || (refunded_at IS NOT NULL) FROM shop_cart ORDER BY id" | tr '\n' ';'; }
ledger() { sql "SELECT account || ' ' || sum(amount_fen) FROM posting GROUP BY account ORDER BY account" | tr '\n' ';'; }
STORE=$PM_DB
cp base.db full.db
PM_DB=$T/full.db PM_FAILIO_COUNT=$T/count LD_PRELOAD=$SO pm-shop refund --pending >/dev/null 2>&1
total=$(cat count)
cp base.db full.db
PM_DB=$T/full.db
run pm-shop refund --pending --format jsonl
expect_rc 0 "an unbroken run"
expect_eq "$(cut -d, -f2,7,8 out | tr '\n' ' ')" \
	'"cart":"SO00000000000000a2","refund_fen":3750,"outcome":"refunded"} "cart":"SO00000000000000a3","refund_fen":1249,"outcome":"refunded"} ' \
	"refunds the two left: 37.50 by alipay, 12.49 by wechat"
expect_eq "$(ledger)" "cash:alipay 0;cash:wechat 0;payable:shop_cart 0;" "every fen held is given back"
want_state=$(state) want_ledger=$(ledger)
run pm check -q
expect_rc 0 "pm check holds"
odd= stopped=0
for n in $(awk -v t="$total" 'BEGIN { for (i = 0; i < 6; i++) print int(t * i / 6) }'); do
	cp base.db t.db
	PM_DB=$T/t.db
	PM_FAILIO_AFTER=$n LD_PRELOAD=$SO pm-shop refund --pending >/dev/null 2>err; rc=$?
	case $rc in 0) ;; 73 | 74) stopped=$((stopped + 1)) ;; *) odd="$odd N=$n: exit $rc $(head -c 200 err)" ;; esac
	# What the stopped run left is sound, but for the refunds still pending.
	pm check --format tsv >check.out 2>&1
	grep -v -e 'shop.cart_refund.*is not refunded' -e '^check	problem$' -e 'problems found$' -e 'store is sound$' \
		check.out | grep -q . &&
		odd="$odd N=$n: pm check: $(head -c 300 check.out)"
	pm-shop refund --pending >/dev/null 2>err || odd="$odd N=$n: the next run: $(head -c 200 err)"
	[ "$(state)" = "$want_state" ] && [ "$(ledger)" = "$want_ledger" ] || odd="$odd N=$n: $(state) $(ledger)"
	pm check >/dev/null 2>&1 || odd="$odd N=$n: pm check after the next run"
done
PM_DB=$STORE
expect_eq "$odd" "" "every stopped run is finished by the next, to the fen ($total writes, 6 points)"
expect_eq "$([ "$stopped" -gt 2 ] && echo yes)" yes "most runs were stopped half way ($stopped of 6)"
done_testing
