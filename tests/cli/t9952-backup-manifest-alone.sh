#!/bin/sh
# pm-backup and pm backup killed after the copy's manifest is renamed into
# place and before the copy is (tests/fault/killat.c kills as it renames
# to the copy's name): the manifest is left with no copy, and the next
# run removes it, as it removes the killed run's part; a manifest whose
# copy a live run is still writing stays, and so does one of another
# store.
. "$PM_TOP/tests/cli/lib.sh"
need_killat

run pm init
feed '{"code":"1-1-101","area":"60.50"}\n' pm unit import
mkdir dest
alone() { # DIR: the manifests there whose copy is not
	for m in "$1"/*.manifest; do
		[ -f "$m" ] && [ ! -f "${m%.manifest}" ] && echo "${m##*/}"
	done
}

PM_NOW=2026-12-11T02:15:00+08:00 PM_KILLAT_RENAME=.db LD_PRELOAD=$SO run pm-backup --to "$T/dest" -q
expect_rc 137 "pm-backup killed as it renames the copy into place"
expect_eq "$(alone dest | wc -l) $(ls dest | grep -c '\.db$')" "1 0" "leaves its manifest with no copy"
killed=$(alone dest)
PM_NOW=2026-12-12T02:15:00+08:00 run pm-backup --to "$T/dest" -q
expect_rc 0 "the next night's run"
expect_eq "$(alone dest)" "" "removes the manifest with no copy"
expect_eq "$(ls dest | grep -c '\.db$') $(ls dest | grep -c '\.manifest$') $(ls dest | grep -c '\.part')" "1 1 0" \
	"and leaves its copy, its manifest, and no part"
[ -n "$killed" ] && [ ! -e "dest/$killed" ]
expect_eq "$?" 0 "the killed run's manifest is gone"

# A live run's part beside its manifest (this shell's pid): not touched.
copy=pm-20261212T000000Z.db
echo '{}' >"dest/$copy.manifest"
: >"dest/$copy.part$$"
PM_NOW=2026-12-13T02:15:00+08:00 run pm-backup --to "$T/dest" -q
expect_rc 0 "a run beside another still writing its copy"
expect_eq "$(ls dest | grep -c "^$copy")" 2 "leaves that run's manifest and part"
rm "dest/$copy.part$$"
PM_NOW=2026-12-14T02:15:00+08:00 run pm-backup --to "$T/dest" -q
expect_eq "$(ls dest | grep -c "^$copy") $(alone dest)" "0 " "once no run writes it, the manifest alone goes"

# pm backup FILE: the same command run again leaves a whole copy; a
# backup to another file of that directory removes a manifest alone of
# this store's.
PM_KILLAT_RENAME=bk.db LD_PRELOAD=$SO run pm backup bk.db
expect_rc 137 "pm backup FILE killed as it renames the copy into place"
expect_eq "$(alone .)" "bk.db.manifest" "leaves its manifest with no copy"
run pm backup bk.db
expect_rc 0 "pm backup FILE again"
expect_eq "$(ls bk.db* | tr '\n' ' ')$(alone .)" "bk.db bk.db.manifest " "a whole copy with its manifest"
expect_eq "$(sed 's/.*"sha256":"\([0-9a-f]*\)".*/\1/' bk.db.manifest)" "$(sha256sum bk.db | cut -d' ' -f1)" \
	"the manifest names the copy's bytes"
PM_KILLAT_RENAME=bk2.db LD_PRELOAD=$SO run pm backup bk2.db
expect_eq "$(alone .)" "bk2.db.manifest" "killed again, at another name"
run pm backup bk3.db
expect_eq "$(alone .)$(ls bk*.db* | grep -v manifest | tr '\n' ' ')" "bk.db bk3.db " \
	"the next backup, to another file of that directory, removes it (one of this store's) and its part"
echo '{"type":"x"}' >other.manifest
cp bk3.db.manifest bk4.db.manifest
sed -i 's/"store_id":"[0-9a-f]*"/"store_id":"00000000000000000000000000000000"/' bk4.db.manifest
run pm backup bk3.db
expect_eq "$(alone . | tr '\n' ' ')" "bk4.db.manifest other.manifest " "another store's manifest, and what is none, stay"

done_testing
