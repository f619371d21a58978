#!/bin/sh
# The files pm writes: the store, its -wal and -shm, the audit key,
# backups and their manifests, the copy kept by restore, exports, notices
# and anchors get the store's mode whatever the umask, and none is written
# through a symbolic link.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

mode() { stat -c '%a %G' "$1"; }

# A community with one owed bill, for exports and notices.
community() { # DIR [INIT OPTIONS...]
	_d=$1; shift
	mkdir -p "$_d"
	PM_DB="$_d/pm.db"
	export PM_DB
	run pm init "$@"
	feed '{"code":"1-1-101","area":"89.50","status":"occupied"}\n' pm unit import
	printf 'effective: 2026-01-01\ncommunity:\n  name: x\nfees:\n  - name: property\n    label: 物业费\n    type: per_area\n    prices: {residential: 2.5}\n' >"$_d/pm.yaml"
	run pm config apply "$_d/pm.yaml"
	run pm-bill run --period 2026-11
	run pm-bill issue --period 2026-11 --due 2026-12-20
}

for u in 022 077 000; do
	d="$T/u$u"
	( umask $u; community "$d"
	  pm backup "$d/b.db" 2>/dev/null
	  pm restore "$d/b.db" 2>/dev/null
	  pm-bill export --period 2026-11 --output "$d/lines.csv" 2>/dev/null
	  pm-bill export --period 2026-11 --file-format xlsx --output "$d/lines.xlsx" 2>/dev/null
	  mkdir "$d/notices" && pm-bill notice --period 2026-11 --output "$d/notices" 2>/dev/null
	  pm audit --anchor "$d/anchor" >/dev/null 2>&1 )
	for f in pm.db pm.db-wal pm.db-shm pm.db.key b.db b.db.manifest lines.csv lines.xlsx \
		 notices/B-2026-11-1-1-101.html anchor; do
		expect_eq "$(mode "$d/$f")" "600 root" "umask $u: $f is 0600"
	done
	expect_eq "$(mode "$(ls "$d"/pm.db.before-restore-* | grep -v -e '-wal$' -e '-shm$')")" "600 root" "umask $u: the store kept by restore is 0600"
	expect_eq "$(ls "$d" | grep -c '\.part')" "0" "umask $u: no part left behind"
done

# A staff group: the store and what is made from it are the group's,
# read and write; the key is the group's to read only; anchors stay private.
d="$T/group"
( umask 077; community "$d" --group staff
  pm backup "$d/b.db" 2>/dev/null
  pm-bill export --period 2026-11 --output "$d/lines.csv" 2>/dev/null
  mkdir "$d/notices" && pm-bill notice --period 2026-11 --output "$d/notices" 2>/dev/null
  pm audit --anchor "$d/anchor" >/dev/null 2>&1 )
for f in pm.db pm.db-wal pm.db-shm b.db b.db.manifest lines.csv notices/B-2026-11-1-1-101.html; do
	expect_eq "$(mode "$d/$f")" "660 staff" "--group staff: $f is 0660, the group's"
done
expect_eq "$(mode "$d/pm.db.key")" "640 staff" "--group staff: the key is 0640"
expect_eq "$(mode "$d/anchor")" "600 root" "--group staff: an anchor is 0600"
( umask 077; PM_DB="$T/ro.db"; export PM_DB; pm init --group staff --mode 640 2>/dev/null )
expect_eq "$(mode "$T/ro.db")" "640 staff" "--mode 640: the group reads only"
run pm --db "$T/x.db" init --mode 640
expect_rc 2 "a group mode needs --group"
expect_err "--mode 640 lets a group in: name it with --group" "saying so"
run pm --db "$T/x.db" init --group staff --mode 666
expect_rc 2 "others never get in"
run pm --db "$T/x.db" init --group no-such-group-1810
expect_rc 65 "an unknown group is refused"
expect_eq "$(ls "$T" | grep -c '^x.db')" "0" "and nothing is made"

# Symbolic links at the last component are refused, and their targets
# left alone.
PM_DB="$T/u022/pm.db"
export PM_DB
echo precious >"$T/target"
link() { rm -f "$1"; ln -s "$T/target" "$1"; }
link "$T/s.db"
run pm --db "$T/s.db" init
expect_rc 73 "pm init refuses a link where the store would be"
link "$T/s.db"
run pm backup "$T/s.db"
expect_rc 73 "pm backup refuses a link"
expect_err "'.*s.db' is a symbolic link: refusing to write through it" "saying so"
link "$T/s.csv"
run pm-bill export --period 2026-11 --output "$T/s.csv"
expect_rc 73 "pm-bill export refuses a link"
link "$T/s.xlsx"
run pm-bill export --period 2026-11 --file-format xlsx --output "$T/s.xlsx"
expect_rc 73 "and for a workbook"
mkdir "$T/n"
link "$T/n/B-2026-11-1-1-101.html"
run pm-bill notice --period 2026-11 --output "$T/n"
expect_rc 73 "pm-bill notice refuses a link"
expect_err "'.*B-2026-11-1-1-101.html' is a symbolic link: refusing to write through it" "naming it"
link "$T/s.anchor"
run pm audit --anchor "$T/s.anchor"
expect_rc 73 "pm audit --anchor refuses a link"
run pm backup "$T/ok.db"
link "$T/ok.db.manifest"
run pm backup "$T/ok.db"
expect_rc 73 "a link where the manifest goes is refused"
expect_eq "$(cat "$T/target")" "precious" "no link's target was written"
mkfifo "$T/fifo.csv"
run pm-bill export --period 2026-11 --output "$T/fifo.csv"
expect_rc 73 "a FIFO is no file to export to"
expect_err "'.*fifo.csv' is not a regular file: refusing to write it" "nor replaced by one"

# Without its -shm (the sqlite3 shell removes it on close), a store the
# caller may not make files beside cannot be read; any pm command by its
# owner makes it again.
need_accounts nobody
( umask 022; PM_DB="$T/shared/pm.db"; export PM_DB; mkdir "$T/shared"; pm init --group staff 2>/dev/null )
PM_DB="$T/shared/pm.db"
sqlite3 "$PM_DB" 'SELECT count(*) FROM audit' >/dev/null
expect_eq "$(ls "$T/shared" | grep -c shm)" "0" "the sqlite3 shell removed the -shm"
run_as nobody:staff pm unit list
expect_rc 77 "a reader who may not make it is refused"
expect_err "cannot open '.*pm.db' without its -shm file, which you may not make: the store's owner makes it by running any pm command" \
	"saying what to do"
run pm check
run_as nobody:staff pm unit list
expect_rc 0 "after the owner's pm check, it reads"

# A store is given only to a group its maker is in.
mkdir "$T/open" && chmod 777 "$T/open"
run_as nobody pm --db "$T/open/pm.db" init --group staff
expect_rc 77 "pm init --group for a group one is not in is refused"
expect_err "cannot give '.*open/pm.db' to group 'staff': you are not in it" "saying so"
expect_eq "$(ls "$T/open")" "" "and leaves nothing behind"
done_testing
