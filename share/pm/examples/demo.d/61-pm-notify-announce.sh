# pm-notify announce: a pinned notice to building 2 and a family day for
# everyone with 30 places, told on the stdout channel (a dry run); the
# demo owner signs up a family of three.
printf '12月3日 9:00-17:00 二次供水设备检修，2号楼停水，请提前储水。\n' >"$work/water.txt"
printf '周六上午九点，中心花园亲子运动会，名额有限，欢迎报名。\n' >"$work/games.txt"
pm-notify -q --as zhao.desk announce --title 停水通知 --body "$work/water.txt" --to building:2 \
	--channel stdout --pin --flush >"$work/water.jsonl"
pm-notify -q --as zhao.desk announce --title 亲子运动会 --body "$work/games.txt" --to all \
	--channel stdout --capacity 30 --flush >"$work/games.jsonl"
event=$(sed -n 's/^{"type":"announcement","id":\([0-9]*\),.*/\1/p' "$work/games.jsonl")
pm-notify -q --as owner.p0001 rsvp "$event" --person P0001 --count 3 >/dev/null
echo "pm-notify: $(pm-notify announcements | wc -l) announcements," \
	"$(cat "$work/water.jsonl" "$work/games.jsonl" | grep -c '"type":"message"') messages on stdout;" \
	"$(pm-notify rsvps "$event" 2>&1 >/dev/null | sed 's/^pm-notify: //')"
