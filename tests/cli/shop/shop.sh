# Shared by the pm-shop tests. Source after lib.sh.

# shop_community: a community of three occupied units (1-1-101, 1-1-102,
# 2-1-201) with a garbage fee of 15.00, the pm.yaml sections on stdin
# added to its configuration, applied ($rc says how that went).
shop_community() {
	run pm init --community 幸福里
	feed '{"code":"1-1-101","area":"80","status":"occupied","delivered":"2020-01-01"}
{"code":"1-1-102","area":"80","status":"occupied","delivered":"2020-01-01"}
{"code":"2-1-201","area":"80","status":"occupied","delivered":"2020-01-01"}\n' pm unit import
	{
		printf 'effective: 2026-01-01\ncommunity:\n  name: 幸福里\n'
		printf 'fees:\n  - {name: garbage, label: 垃圾费, type: fixed, amounts: {residential: 15}}\n'
		cat
	} >pm.yaml
	run pm config apply pm.yaml
}

# shop_first_payments UNIT UNIT: October billed and issued, the first
# unit's bill paid through wechat, the second's through alipay, on 1
# November; then rewards as of 30 November (first_online_payment).
shop_first_payments() {
	pm-bill run --period 2026-10 -q >/dev/null && pm-bill issue --period 2026-10 -q >/dev/null
	pm-bill pay --unit "$1" --amount 15 --channel wechat --ref WX-BILL1 --at 2026-11-01T10:00:00+08:00 -q >/dev/null
	pm-bill pay --unit "$2" --amount 15 --channel alipay --ref AL-BILL2 --at 2026-11-01T10:00:00+08:00 -q >/dev/null
	run pm-bill rewards --as-of 2026-11-30 --force
}
