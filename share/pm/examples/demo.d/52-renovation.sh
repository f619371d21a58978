# pm-repair renovation and stock: P0001's unit is renovated (装修) —
# applied for, approved with its deposit, a debris violation forfeiting
# 200.00, inspected twice by the technician, completed with the rest of
# the deposit refunded; the parts store (仓库) receives faucets and
# valves, the technician uses a faucet on a chargeable repair.
r=$(pm-repair -q --as owner.p0001 renovation apply --unit "$unit1" --from 2026-12-01 --to 2026-12-31 \
	--contractor '张师傅 13900000000' --scope 厨卫改造 --format jsonl | sed 's/.*"renovation":\([0-9]*\).*/\1/')
pm-repair -q --as zhao.desk renovation approve "$r" >/dev/null
pm-repair -q --as zhao.desk renovation start "$r" >/dev/null
pm-repair -q renovation violation "$r" --kind debris --note 楼道堆放建筑垃圾 --forfeit 200.00 >/dev/null
for note in 水电隐蔽工程合格 竣工验收合格; do
	pm-repair -q --as zhao.desk renovation inspect "$r" --to sun.tech >/dev/null
	pm-repair -q --as sun.tech renovation inspect "$r" --result pass --note "$note" >/dev/null
done
refund=$(pm-repair -q renovation complete "$r" --format jsonl | sed 's/.*"refund_fen":\([0-9]*\).*/\1/')
pm-repair -q --as zhao.desk stock add --item FAUCET --name 水龙头 --measure 个 --minimum 5 --location 仓库A-1 >/dev/null
pm-repair -q --as zhao.desk stock add --item VALVE --name 角阀 --measure 个 --minimum 10 --location 仓库A-2 >/dev/null
pm-repair -q --as zhao.desk stock receive --item FAUCET --qty 12 --cost 420.00 --supplier 五金店 >/dev/null
pm-repair -q --as zhao.desk stock receive --item VALVE --qty 6 --cost 150.00 --supplier 五金店 >/dev/null
t=$(pm-repair -q --as owner.p0001 submit --unit "$unit1" --category plumbing --text 卫生间龙头滴水 --format jsonl | sed 's/.*"id":\([0-9]*\).*/\1/')
pm-repair -q --as zhao.desk assign "$t" --to sun.tech >/dev/null
pm-repair -q --as sun.tech start "$t" >/dev/null
pm-repair -q --as sun.tech resolve "$t" --note 更换龙头 --cost 20.00 --parts FAUCET:1 >/dev/null
echo "pm-repair: renovation $r of $unit1 completed, ¥$((refund / 100)) of its deposit refunded; $(pm-repair stock list --below --format jsonl | wc -l) spare parts to buy"
