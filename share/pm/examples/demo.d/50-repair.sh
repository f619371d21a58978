# pm-repair: an owner reports a leak at night, reports it again, the front
# desk dispatches, the technician fixes it with a charge, the owner rates;
# then the cron jobs: inspections, SLA breaches, patrols.
pm-repair asset add -q --code EL-1-1 --name 1号楼1单元电梯 --kind elevator --location 1号楼1单元 --installed 2019-06-30 --interval 30
pm-repair asset add -q --code EL-2-1 --name 2号楼1单元电梯 --kind elevator --location 2号楼1单元 --installed 2019-06-30 --interval 30
pm-repair asset add -q --code FE-1-1 --name 1号楼灭火器 --kind extinguisher --location 1号楼大堂
unit1=$(pm --as owner.p0001 unit show "$(sqlite3 "$PM_DB" "SELECT u.code FROM unit u JOIN occupancy o ON o.unit_id = u.id JOIN person p ON p.id = o.person_id WHERE p.code = 'P0001'")" --format jsonl | sed 's/.*"code":"\([^"]*\)".*/\1/')
t=$(pm-repair -q --as owner.p0001 submit --unit "$unit1" --category plumbing --text 厨房水管漏水 --format jsonl | sed 's/.*"id":\([0-9]*\).*/\1/')
pm-repair -q --as owner.p0001 submit --unit "$unit1" --category plumbing --text 还在漏水，请尽快 >/dev/null
pm-repair -q --as zhao.desk assign "$t" --to sun.tech >/dev/null
pm-repair -q --as sun.tech start "$t" >/dev/null
pm-repair -q --as sun.tech resolve "$t" --note 更换角阀 --cost 85.00 --parts 角阀 >/dev/null
pm-repair -q --as owner.p0001 rate "$t" --stars 5 --comment 师傅很快 >/dev/null
pm-repair -q submit --unit 2-1-1502 --category electrical --text 客厅跳闸 >/dev/null
pm-repair -q submit --area 3号楼大堂 --category public --text 大堂灯不亮 >/dev/null
pm-repair -q schedule >/dev/null
pm-repair -q overdue --as-of 2026-12-01T11:00:00+08:00 --force >/dev/null
echo "pm-repair: $(pm-repair list --format jsonl | wc -l) tickets ($(pm-repair list --kind inspection --format jsonl | wc -l) inspections), ticket $t resolved and rated, $(pm-repair list --breached --format jsonl | wc -l) past their SLA"
