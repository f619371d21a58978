#!/bin/sh
# Config versions (issue 12): pm config list, pm config diff A B, and
# pm config apply warning when a new version drops a fee item the version
# before it had.
. "$PM_TOP/tests/cli/lib.sh"

PM_NOW=2026-11-26T10:00:00+08:00; export PM_NOW
ex="$PM_TOP/share/pm/examples/pm.yaml"

run pm init --community 幸福里小区
run pm config apply "$ex"
expect_rc 0 "the example applied"
expect_eq "$(cat "$T/err")" "pm: applied '$ex' as version 2" "a version adding fees warns of nothing"

# Version 3, from 2027: garbage dropped, water dearer, a key changed, a
# fee added (where garbage was).
sed -e 's/^effective: 2026-01-01/effective: 2027-01-01/' -e 's/^  due_day: 15/  due_day: 20/' \
    -e 's/- {upto: 180, price: 3.45}/- {upto: 180, price: 3.80}/' "$ex" | awk '
	/^  - name: garbage/ {
		skip = 1
		print "  - name: elevator\n    label: 电梯费\n    type: per_area\n    prices: {residential: \"0.30\"}\n"
		next
	}
	skip && /^  - name:/ { skip = 0 }
	!skip' >v3.yaml
expect_eq "$(grep -c 'due_day: 20' v3.yaml)" "1" "v3.yaml changes billing.due_day"
run pm config apply v3.yaml
expect_rc 0 "a version dropping a fee item is still applied"
expect_eq "$(cat "$T/err")" "pm: applied 'v3.yaml' as version 3
pm: version 3 drops fee item 'garbage' (生活垃圾处理费) that version 2 had: its bills will not charge it" \
	"and warned of on stderr, naming the item"
expect_eq "$(sql "SELECT count(*) FROM config_version")" "3" "three versions stored"
run pm -q config apply v3.yaml
expect_rc 0 "the same text again"
expect_eq "$(cat "$T/err")" "" "stores nothing and warns of nothing"
sed 's/^effective: 2027-01-01/effective: 2026-06-01/' v3.yaml >v4.yaml
run pm -q config apply v4.yaml
expect_eq "$(cat "$T/err")" "pm: version 4 drops fee item 'garbage' (生活垃圾处理费) that version 2 had: its bills will not charge it" \
	"the version before is the one in force on the new one's day (2 for 2026-06-01), and the warning shows through -q"
run pm config apply "$ex"
expect_eq "$(sed -n 2p "$T/err")" "" "a version before which no fee was dropped warns of nothing"

run pm config list
expect_rc 0 "config list"
expect_eq "$(sed 's/"applied_at":"[^"]*"/"applied_at":"T"/; s/"applied_by":"[^"]*"/"applied_by":"U"/' "$T/out")" \
'{"type":"config_version","version":1,"effective":"1970-01-01","applied_at":"T","applied_by":"U","source":"pm init","in_force":false}
{"type":"config_version","version":2,"effective":"2026-01-01","applied_at":"T","applied_by":"U","source":"'"$ex"'","in_force":false}
{"type":"config_version","version":3,"effective":"2027-01-01","applied_at":"T","applied_by":"U","source":"v3.yaml","in_force":false}
{"type":"config_version","version":4,"effective":"2026-06-01","applied_at":"T","applied_by":"U","source":"v4.yaml","in_force":true}
{"type":"config_version","version":5,"effective":"2026-01-01","applied_at":"T","applied_by":"U","source":"'"$ex"'","in_force":false}' \
	"each version with its effective date, and the one in force today"
expect_out '"applied_at":"2026-11-26T10:00:00\+08:00","applied_by":"'"$(id -un)"'"' "who applied it, and when"
run pm config list --format tsv --columns version,effective,in_force
expect_eq "$(cat "$T/out")" "version	effective	in_force
1	1970-01-01	false
2	2026-01-01	false
3	2027-01-01	false
4	2026-06-01	true
5	2026-01-01	false" "as a table"

run pm config diff 2 3
expect_rc 0 "config diff"
expect_eq "$(cat "$T/out")" '{"type":"config_change","path":"effective","change":"changed","before":"2026-01-01","after":"2027-01-01"}
{"type":"config_change","path":"billing.due_day","change":"changed","before":15,"after":20}
{"type":"config_change","path":"fees[water].tiers.steps","change":"changed","before":[{"upto":"180","price":"3.45"},{"upto":"260","price":"4.83"},{"price":"7.96"}],"after":[{"upto":"180","price":"3.8"},{"upto":"260","price":"4.83"},{"price":"7.96"}]}
{"type":"config_change","path":"fees[garbage]","change":"removed","before":{"name":"garbage","label":"生活垃圾处理费","type":"fixed","vacant_discount_percent":0,"prorate":true,"split":"area","uses":["residential","commercial"],"amounts":{"residential":"15.00","commercial":"30.00"},"rounding":{"to":"fen","mode":"half_up"}},"after":null}
{"type":"config_change","path":"fees[elevator]","change":"added","before":null,"after":{"name":"elevator","label":"电梯费","type":"per_area","prices":{"residential":"0.3"},"vacant_discount_percent":0,"prorate":true,"split":"area","uses":["residential","commercial"],"rounding":{"to":"fen","mode":"half_up"}}}' \
	"what changed: keys, a fee item changed, removed and added, each by name, values as pm.yaml writes them"
run pm config diff 3 2 --format tsv --columns path,change
expect_eq "$(cat "$T/out")" "path	change
effective	changed
billing.due_day	changed
fees[water].tiers.steps	changed
fees[elevator]	removed
fees[garbage]	added" "the other way round"
run pm config diff 2 5
expect_rc 0 "two versions of the same text"
expect_eq "$(cat "$T/out")" "" "differ in nothing"
run pm config diff 1 2 --format tsv --columns path,change,after
expect_out '^community.address	added	上海市浦东新区幸福路 88 号$' "from pm init's version: the address added"
expect_eq "$(grep -c '^community.name' "$T/out")" "0" "not the name, the same in both"
expect_out '^fees	added	\[\{"name":"property"' "and the fees, added whole"
run pm config diff 2 9
expect_rc 65 "an unknown version"
expect_err "^pm: no config version 9$" "is named"
run pm config diff 2
expect_rc 2 "diff wants two versions"
expect_err "expected two versions, A and B" "says so"
run pm config diff 2 x
expect_rc 2 "a version is a number"
expect_err "B wants a whole number above 0, not 'x'" "naming which"
run pm config list 2
expect_rc 2 "list takes no operand"

# A literal secret an older pm stored is shown redacted in a diff, as by
# pm config show.
cat >v6.yaml <<'Y'
effective: 2026-01-01
community: {name: 幸福里小区}
channels:
  wecom: {url: "env:PM_WECOM_URL"}
Y
run pm config apply v6.yaml
expect_rc 0 "a version with a channel"
sql "UPDATE config_version SET json = json_set(json, '\$.channels.wecom.url', 'https://qyapi.example/key=SECRET') WHERE version = 6"
run pm config diff 1 6
expect_out '"path":"channels","change":"added","before":null,"after":\{"wecom":\{"url":"<redacted>"' "a secret written as itself is redacted"
expect_eq "$(grep -c SECRET "$T/out")" "0" "and never printed"
done_testing
