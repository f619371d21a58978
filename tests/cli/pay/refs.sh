# Shared by the tests of payment references (t4014, t4016, t4017).
# Source after lib.sh and shop/shop.sh.

# ref_community: three occupied units with parking, November billed and
# issued (15.00 each); $rc says how the issue went.
ref_community() {
	shop_community <<'Y'
parking:
  free: 15m
  hourly: "5.00"
Y
	expect_rc 0 "a community of three units with parking"
	run pm-bill run --period 2026-11
	run pm-bill issue --period 2026-11
}

# ref_refused_everywhere REF WHY ROWS: every program but pm-bill pay that
# stores a ref refuses REF from --ref, exit 65, its message
# "PROG: --ref: WHY" (a grep -E pattern); then the store still holds ROWS
# payments, parking payments, orders, bookings, deposits and contract
# charges in all.
ref_refused_everywhere() {
	run pm-gate parking pay --plate 苏E12345 --amount 5.00 --ref "$1"
	expect_rc 65 "pm-gate parking pay"
	expect_err "^pm-gate: --ref: $2" "refuses it"
	run pm-shop order --offer AP --unit 1-1-101 --channel wechat --ref "$1"
	expect_rc 65 "pm-shop order"
	expect_err "^pm-shop: --ref: $2" "refuses it"
	run pm-shop book --service CLEAN --slot 2026-12-02T09:00:00+08:00 --unit 1-1-101 --channel wechat --ref "$1"
	expect_rc 65 "pm-shop book"
	expect_err "^pm-shop: --ref: $2" "refuses it"
	run pm-bill deposit take --unit 1-1-101 --kind key --amount 50 --reason r --evidence e --ref "$1"
	expect_rc 65 "pm-bill deposit take"
	expect_err "^pm-bill: --ref: $2" "refuses it"
	run pm-bill contract pay 1 --amount 5 --channel wechat --ref "$1"
	expect_rc 65 "pm-bill contract pay"
	expect_err "^pm-bill: --ref: $2" "refuses it"
	run pm-bill pay-points B-2026-11-1-1-101 --points 10 --ref "$1"
	expect_rc 65 "pm-bill pay-points"
	expect_err "^pm-bill: --ref: $2" "refuses it"
	expect_eq "$(sql "SELECT (SELECT count(*) FROM payment) + (SELECT count(*) FROM parking_payment)
		+ (SELECT count(*) FROM shop_order) + (SELECT count(*) FROM shop_booking) + (SELECT count(*) FROM deposit)
		+ (SELECT count(*) FROM contract_charge)")" "$3" "none of them stored anything"
}
