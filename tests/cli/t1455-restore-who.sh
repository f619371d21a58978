#!/bin/sh
# Who may restore: an admin, as for every change, while the store can be
# read; once it cannot, only the Unix account that owns its file (who ran
# pm init) or root. Others in the staff group may write the directory,
# so it is pm, not the file system, that refuses them.
. "$PM_TOP/tests/cli/lib.sh"
need_accounts nobody

chgrp staff "$T" && chmod 2770 "$T"
run pm init --group staff
feed '{"code":"1-1-101","area":"80"}\n' pm unit import
run pm backup good.db
chmod 640 good.db good.db.manifest

run_as nobody:staff pm restore good.db
expect_rc 77 "an unmapped account may not restore a store it can read"
expect_err "^pm: user 'nobody' \(viewer\) may not do 'restore'$" "the admin check says so"
expect_eq "$(ls pm.db.before-restore-* 2>/dev/null)" "" "nothing is set aside"

sqlite3 pm.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
size=$(stat -c %s pm.db)
head -c $((size - 4096)) /dev/zero | tr '\0' '\336' | dd of=pm.db bs=4096 seek=1 conv=notrunc 2>/dev/null
before=$(sha256sum pm.db)
run_as nobody:staff pm restore good.db
expect_rc 77 "nor one it cannot read"
expect_err "^pm: cannot open '.*pm.db' \(.*\): only its owner or root may restore it$" "saying who may"
expect_eq "$(sha256sum pm.db)" "$before" "the damaged store is where it was"
expect_eq "$(ls pm.db.before-restore-* 2>/dev/null)" "" "nothing is set aside"

run pm restore good.db
expect_rc 0 "the store's owner restores it"
run pm check
expect_rc 0 "and it is sound"
expect_eq "$(stat -c '%a %G' pm.db)" "660 staff" "with the store's mode and group"

# Root restoring a store another account owns leaves it that account's.
chown nobody pm.db pm.db-wal pm.db-shm
run pm restore good.db
expect_rc 0 "root restores another account's store"
expect_eq "$(stat -c '%U %G %a' pm.db)" "nobody staff 660" "which stays that account's, with its group and mode"
expect_eq "$(find . -maxdepth 1 \( -name pm.db -o -name 'pm.db-*' \) ! -name '*.key' ! -name '*before-restore*' -user "$(id -un)")" "" \
	"and recording the restore left no file of root's beside it"
expect_eq "$(sql "SELECT action, actor FROM audit ORDER BY id DESC LIMIT 1")" "store.restore|$(id -un)" \
	"the record says who restored it"
done_testing
