#!/bin/sh
# The guard at the gate reads pm-gate verify's table: in a Chinese locale
# its result and reason are Chinese (放行, 拒绝, 已撤销 ...), as a bill's
# status is, while JSON lines keep the English values scripts test.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
export PM_NOW=2026-12-15T10:00:00+08:00
make_gate_community
run pm-gate --as zhao.desk visitor request --unit 1-1-0101 --name 刘洋 \
	--from 2026-12-15T09:00:00+08:00 --until 2026-12-15T12:00:00+08:00 --gates north --uses 1
run pm-gate visitor approve 1
tok=$(json_field token)

zh() { LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 run pm-gate --as qian.guard verify "$@" --format table; }
zh "$tok" --gate garage
expect_rc 1 "not at the garage"
expect_out '^结果 +原因 +通行证 +房屋 +出入口' "the headings are Chinese"
expect_out '^拒绝 +此门不可通行 ' "deny and wrong_gate read 拒绝 此门不可通行"
zh "$tok" --gate north --at 2026-12-15T13:00:00+08:00
expect_out '^拒绝 +已过期 ' "expired reads 已过期"
zh "$tok" --gate north --at 2026-12-15T08:00:00+08:00
expect_out '^拒绝 +未到时间 ' "not_yet_valid reads 未到时间"
zh "$tok" --gate north
expect_rc 0 "allowed"
expect_out '^放行 ' "allow reads 放行"
zh "$tok" --gate north
expect_rc 1 "used once already"
expect_out '^拒绝 +次数已用完 ' "used_up reads 次数已用完"
zh "x$tok" --gate north
expect_out '^拒绝 +(签名无效|无法识别) ' "a bad token is Chinese too"
run pm-gate pass revoke 1
zh "$tok" --gate north
expect_out '^拒绝 +已撤销 ' "revoked reads 已撤销"
LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 run pm-gate --as qian.guard verify "$tok" --gate north --format jsonl
expect_out '"result":"deny","reason":"revoked"' "JSON lines keep the English values"
done_testing
