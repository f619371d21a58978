#!/bin/sh
# The restore drill: back up, damage the live store, restore. pm restore
# never reads the store it replaces; it checks the copy (integrity, a pm
# store, its manifest) before anything is moved, and keeps the damaged
# store for inspection.
. "$PM_TOP/tests/cli/lib.sh"

dump() { # DB: the business tables, for comparing stores
	sqlite3 "$1" "SELECT code, area_centi FROM unit ORDER BY code; SELECT code, name FROM person ORDER BY code"
}

# DB's audit log: the rows the backup holds, the restore's own record
# after them.
audit_rows() {
	sqlite3 "$1" "SELECT count(*) FROM audit WHERE id <= $2;
		SELECT action, object, actor, json_extract(after, '\$.from'), json_extract(after, '\$.set_aside') IS NOT NULL
		FROM audit WHERE id > $2"
}

# Damages DB's pages after the first (the schema stays readable) once its
# WAL is checkpointed into it, as a failing disk would.
damage() {
	sqlite3 "$1" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
	size=$(stat -c %s "$1")
	head -c $((size - 4096)) /dev/zero | tr '\0' '\336' | dd of="$1" bs=4096 seek=1 conv=notrunc 2>/dev/null
}

run pm init
feed '{"code":"1-1-101","area":"80","delivered":"2020-01-01"}\n{"code":"1-1-102","area":"90.5","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"张秀英","phone":"13800000001","unit":"1-1-101"}\n' pm person import
run pm backup good.db
expect_rc 0 "a backup"
expect_eq "$(sql "SELECT name FROM person")" "张秀英" "a resident in the store"
want=$(dump good.db)
rows=$(sqlite3 good.db 'SELECT max(id) FROM audit')
feed '{"code":"2-1-101","area":"60"}\n' pm unit import
expect_eq "$(sql 'SELECT count(*) FROM unit')" "3" "the store moved on after the backup"

damage pm.db
cp pm.db damaged.copy
run pm check
expect_rc 1 "the damaged store fails pm check"
expect_err "malformed" "as malformed"

run pm restore good.db
expect_rc 0 "pm restore replaces a store it cannot read"
expect_err "^pm: restored 'good.db'; the store as it was is in '.*/pm.db.before-restore-[0-9]+'$" \
	"and says where the damaged store went"
run pm check
expect_rc 0 "the restored store passes pm check"
expect_eq "$(dump pm.db)" "$want" "and holds what the backup holds, to the row"
expect_eq "$(audit_rows pm.db "$rows")" "$rows
store.restore|store|$(id -un)|good.db|1" "its audit log: the backup's rows, then who restored it from where"
aside=$(ls pm.db.before-restore-* | grep -v -e '-wal$' -e '-shm$')
expect_eq "$(cmp "$aside" damaged.copy && echo same)" "same" "the damaged store is kept, byte for byte"
expect_eq "$(stat -c %a pm.db)" "600" "the restored store has the store's mode"
expect_eq "$(sqlite3 pm.db 'PRAGMA journal_mode')" "wal" "and it is in WAL mode again, as a store is"
expect_eq "$(ls pm.db.part* 2>/dev/null)" "" "no part file is left behind"
run pm audit --verify --anchor good.db.manifest
expect_rc 0 "the restored audit log verifies against the backup's manifest"

# A copy that is itself damaged is refused, and nothing moves.
cp good.db bad.db
damage bad.db
before=$(sha256sum pm.db)
run pm restore bad.db
expect_rc 65 "a damaged backup is refused"
expect_err "^pm: 'bad.db' is not a sound pm store: refusing to restore it$" "saying so"
expect_eq "$(sha256sum pm.db)" "$before" "the store is untouched"
expect_eq "$(ls pm.db.before-restore-* | grep -c -v -e '-wal$' -e '-shm$')" "1" "nothing is set aside"

# A sound copy that is not the one its manifest describes is refused.
cp good.db swapped.db
cp good.db.manifest swapped.db.manifest
sqlite3 swapped.db "UPDATE unit SET area_centi = 1 WHERE code = '1-1-101'"
run pm restore swapped.db
expect_rc 65 "a copy whose SHA-256 differs from its manifest is refused"
expect_err "^pm: 'swapped.db' does not match its manifest \(SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}\): refusing to restore it$" \
	"naming both hashes"
expect_eq "$(sha256sum pm.db)" "$before" "the store is untouched"

# The manifest's audit head must be the copy's too.
cp good.db head.db
sed 's/"id":[0-9]*/"id":999/' good.db.manifest >head.db.manifest
run pm restore head.db
expect_rc 65 "a manifest whose audit head is not the copy's is refused"
expect_err "the audit log of 'head.db' ends at row [0-9]+, its manifest says 999" "saying which rows"
echo 'not json' >junk.db.manifest
cp good.db junk.db
run pm restore junk.db
expect_rc 65 "a manifest that is none is refused"
expect_err "the manifest of 'junk.db' is not a backup manifest" "saying so"

# Restore onto a machine with no store yet (the off-site copy's use).
run pm --db fresh.db restore good.db
expect_rc 0 "a restore where there is no store"
expect_err "^pm: restored 'good.db' into 'fresh.db'$" "says so"
expect_eq "$(dump fresh.db)" "$want" "the new store is the backup"
expect_eq "$(audit_rows fresh.db "$rows")" "$rows
store.restore|store|$(id -un)|good.db|0" "recording its restore, with nothing set aside"
run pm --db fresh.db audit --object store --format jsonl
expect_eq "$(jq -r '[.action, .after.from] | join(" ")' "$T/out")" "store.restore good.db" \
	"pm audit --object store finds it"
run pm --db fresh.db audit --verify --anchor good.db.manifest
expect_rc 0 "its log still verifies against the backup's manifest"

# A copy of another community's store is refused: its audit log is keyed
# under that store's key, which this store's is not. Where there is no
# store, it becomes one: that is how a community moves.
mkdir other
run pm --db other/pm.db init --community 别处小区
run pm --db other/pm.db backup foreign.db
expect_rc 0 "a backup of another community's store"
before=$(sha256sum pm.db)
run pm restore foreign.db
expect_rc 65 "a copy of another store is refused"
expect_err "^pm: 'foreign.db' is a copy of another store \(id [0-9a-f]{32}, this one's [0-9a-f]{32}\): refusing to restore it; restore it with --db where there is no store$" \
	"saying so, and what to do"
expect_eq "$(sha256sum pm.db)" "$before" "the store is untouched"
expect_eq "$(ls pm.db.before-restore-* | grep -c -v -e '-wal$' -e '-shm$')" "1" "nothing more is set aside"
mv foreign.db.manifest foreign.manifest
run pm restore foreign.db
expect_rc 65 "without its manifest too: the copy says whose it is"
run pm check
expect_rc 0 "the store is sound"
mv foreign.manifest foreign.db.manifest
run pm --db moved.db restore foreign.db
expect_rc 0 "where there is no store, the other community's copy is restored"
run pm --db moved.db check
expect_rc 0 "and is sound, its log verified under its own store's key"

# A symbolic link where the store is is not replaced.
ln -s pm.db link.db
run pm --db link.db restore good.db
expect_rc 73 "a store that is a symbolic link is refused"
done_testing
