#!/bin/sh
# Red team: pm-pay order in a community whose name is longer than the 60
# bytes the payer's line keeps ("NAME 物业费 UNIT", within WeChat Pay's 127
# bytes of description). The name was cut at its 60th byte, in the middle
# of a character when the name is not three-byte characters from its
# start (here an X, then 21 Chinese characters): the cut was no UTF-8,
# the JSON of the Native order and Alipay's biz_content could not be made,
# and every order stayed pending without a QR code, "out of memory",
# exit 1, on both channels. The name is cut at a character now.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/pay/setup.sh"
make_world
sed -i 's/^  name: 幸福里$/  name: X北京市朝阳区幸福里花园小区二期物业服务中心/' pm.yaml
run pm config apply pm.yaml
expect_rc 0 "a community of a long name (an X, then 21 Chinese characters: 64 bytes)"

run pm-pay order --unit 3-2-1101 --channel wechat
expect_rc 0 "a WeChat Pay order"
expect_out '"amount_fen":17900,"status":"pending","bills":"","qr":"weixin://wxpay/bizpayurl\?pr=' \
	"for 179.00, with its QR code"
expect_eq "$(sql "SELECT count(*) FROM pay_order WHERE qr IS NULL")" 0 "no order waits without a code"
desc=$($PY3 -c 'import json, sys
print(json.loads(json.loads(open(sys.argv[1]).readlines()[-1])["body"])["description"])' "$K/requests.jsonl")
expect_eq "$desc" "X北京市朝阳区幸福里花园小区二期物业服务 物业费 3-2-1101" \
	"the description: the name cut at its last whole character in 60 bytes (58), then the fee and the unit"
run pm-pay order --unit 3-2-1102 --channel alipay
expect_rc 0 "an Alipay order"
expect_out '"amount_fen":19000,"status":"pending","bills":"","qr":"https://qr.alipay.com/' "for 190.00, with its QR code"
subj=$($PY3 -c 'import json, sys
from urllib.parse import parse_qsl
r = json.loads(open(sys.argv[1]).readlines()[-1])
print(json.loads(dict(parse_qsl(r["body"]))["biz_content"])["subject"])' "$K/requests.jsonl")
expect_eq "$subj" "X北京市朝阳区幸福里花园小区二期物业服务 物业费 3-2-1102" "Alipay's subject the same"
N=$(order_no)
note n.http alipay-note "$N"
run_in n.http pm-pay notify --channel alipay
expect_out '"outcome":"recorded"' "the Alipay order paid is recorded"
expect_eq "$(sql "SELECT b.status || ' ' || b.paid_fen FROM bill b JOIN unit u ON u.id = b.unit_id WHERE u.code = '3-2-1102'")" \
	"paid 19000" "3-2-1102's bill paid to the fen"
run pm check -q
expect_rc 0 "pm check: the store is sound"
done_testing
