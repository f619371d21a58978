# A small community billed for October and November 2026, shared by the
# pm-report tests (sourced after lib.sh); the figures below are the
# tests' to check. Ends at PM_NOW=2026-12-05T09:00:00+08:00.
#
# Three buildings; building 3 has only a vacant unit.
# property 2.00 a m² (vacant half), garbage 10.00; due the 15th of the
# next month, late fees 10 bp a day from the due day.
PM_NOW=2026-10-01T09:00:00+08:00 run pm init --community 测试小区
feed '{"code":"1-1-101","area":"100","status":"occupied"}
{"code":"1-1-102","area":"80","status":"occupied"}
{"code":"1-2-101","area":"50","status":"rented"}
{"code":"2-1-101","area":"60","status":"occupied"}
{"code":"3-1-101","area":"70","status":"vacant"}\n' pm unit import
feed '{"code":"P1","name":"张伟","phone":"13800000001","unit":"1-1-101","since":"2020-01-01"}
{"code":"P2","name":"李娜","phone":"13800000002","unit":"1-1-102","since":"2020-01-01"}
{"code":"P3","name":"王芳","phone":"13800000003","unit":"1-2-101","role":"tenant","since":"2020-01-01"}
{"code":"P4","name":"赵磊","phone":"13800000004","unit":"2-1-101","since":"2020-01-01"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
billing:
  due_day: 15
  grace_days: 0
  late_fee: {daily_bp: 10, cap_percent: 100}
  allocation_order: [property, garbage]
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2}, vacant_discount_percent: 50}
  - {name: garbage, label: 垃圾费, type: fixed, amounts: {residential: 10}}
Y
run pm config apply pm.yaml
expect_rc 0 "the community is set up"

# October, and a prepayment of 300.00 by 2-1-101 before the bills:
# 101 210.00, 102 170.00, 1-2-101 110.00, 2-1-101 130.00 (prepaid),
# 3-1-101 70.00 + 10.00 = 80.00.
export PM_NOW=2026-10-20T10:00:00+08:00
run pm-bill pay --unit 2-1-101 --amount 300 --channel bank --ref B1
export PM_NOW=2026-11-01T09:00:00+08:00
run pm-bill run --period 2026-10
run pm-bill issue --period 2026-10
export PM_NOW=2026-11-12T09:00:00+08:00
run pm-bill pay --unit 1-1-101 --amount 210 --channel wechat --ref W1 --at 2026-11-10T10:00:00+08:00
run pm-bill pay --unit 1-1-102 --amount 100 --channel alipay --ref A1 --at 2026-11-12T10:00:00+08:00
# Ten days late on 25 November: 102 owes 70.00 → 0.70; 1-2-101 110.00 →
# 1.10; 3-1-101 80.00 → 0.80. Then a credit of 20.00 to 3-1-101.
export PM_NOW=2026-11-25T09:00:00+08:00
run pm-bill late-fees
export PM_NOW=2026-11-26T09:00:00+08:00
run pm-bill adjust B-2026-10-3-1-101 --amount -20 --reason 空置减免
# November: the same bills; 2-1-101's is paid from the 170.00 left
# prepaid; 1-2-101's is voided; 101 pays in December.
export PM_NOW=2026-12-01T09:00:00+08:00
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-11
run pm-bill void B-2026-11-1-2-101 --reason 重复
export PM_NOW=2026-12-05T09:00:00+08:00
run pm-bill pay --unit 1-1-101 --amount 210 --channel wechat --ref W2 --at 2026-12-05T10:00:00+08:00

