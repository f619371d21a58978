# A community billing property at 2.50 a m², late fees 0.05% a day from
# the due day (the 15th of the next month): its pm.yaml, applied. Shared
# by the prepaid and arrears tests (sourced after lib.sh and pm init).
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
billing:
  late_fee: {daily_bp: 5}
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2.5}}
Y
run pm config apply pm.yaml
