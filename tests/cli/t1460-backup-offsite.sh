#!/bin/sh
# pm-backup: copies named by time in a directory, file:// or an HTTPS
# server (PUT), encrypted so that the copy shows nothing of the store,
# kept by retention; and restore from each, checked before it replaces.
. "$PM_TOP/tests/cli/lib.sh"

dump() {
	sqlite3 "$1" "SELECT code, area_centi FROM unit ORDER BY code; SELECT code, name FROM person ORDER BY code"
}

# Plain copies on their way to a server pass through here only.
TMPDIR=$T/tmp
export TMPDIR
mkdir "$TMPDIR"
run pm init
feed '{"code":"1-1-101","area":"80","delivered":"2020-01-01"}\n{"code":"1-1-102","area":"90.5","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"张秀英","phone":"13912345678","unit":"1-1-101"}\n' pm person import
expect_eq "$(sql "SELECT name FROM person")" "张秀英" "a resident in the store"
want=$(dump pm.db)

# ---- a directory and file:// ----
mkdir site
PM_NOW=2026-03-01T10:00:00+08:00 run pm-backup --to "file://$T/site"
expect_rc 0 "pm-backup --to file://DIR"
expect_out '^\{"type":"backup","to":"file://[^"]*/site","name":"pm-20260301T020000Z.db","encrypted":false\}$' \
	"prints the copy's name, stamped in UTC"
expect_eq "$(ls site | tr '\n' ' ')" "pm-20260301T020000Z.db pm-20260301T020000Z.db.manifest " \
	"the copy and its manifest"
expect_eq "$(stat -c %a site/pm-20260301T020000Z.db site/pm-20260301T020000Z.db.manifest | tr '\n' ' ')" \
	"600 600 " "both with the store's mode"
expect_eq "$(grep -c '"sha256":"[0-9a-f]\{64\}"' site/pm-20260301T020000Z.db.manifest)" "1" \
	"the manifest holds the copy's SHA-256"
expect_eq "$(sed 's/.*"size":\([0-9]*\).*/\1/' site/pm-20260301T020000Z.db.manifest)" \
	"$(stat -c %s site/pm-20260301T020000Z.db)" "and its size"
PM_NOW=2026-03-01T10:00:01+08:00 run pm backup --to site
expect_rc 0 "pm backup --to DIR hands over to pm-backup"
expect_eq "$(ls site/pm-20260301T020001Z.db)" "site/pm-20260301T020001Z.db" "a path is a directory too"

feed '{"code":"9-9-999","area":"1"}\n' pm unit import
run pm restore "file://$T/site/pm-20260301T020000Z.db"
expect_rc 0 "pm restore file://..."
expect_eq "$(dump pm.db)" "$want" "gives the store back as it was"
run pm-backup --to "ftp://127.0.0.1/x"
expect_rc 2 "a scheme pm-backup does not speak is a usage error"
expect_err "'ftp://127.0.0.1/x': expected a path, file://, https:// or sftp://" "saying which it speaks"

# ---- encrypted ----
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >backup.key
chmod 600 backup.key
printf 'effective: 2026-01-01\ncommunity:\n  name: 幸福里\nbackup:\n  key: file:%s/backup.key\n' "$T" >pm.yaml
run pm config apply pm.yaml
expect_rc 0 "backup.key in pm.yaml"
mkdir enc
PM_NOW=2026-03-02T10:00:00+08:00 run pm-backup --to enc --encrypt
expect_rc 0 "pm-backup --encrypt"
expect_eq "$(ls enc)" "pm-20260302T020000Z.db.enc" "one file, its manifest inside"
expect_eq "$(grep -a -c '张秀英' site/pm-20260301T020000Z.db)" "1" "a plain copy shows a resident's name"
expect_eq "$(grep -a -c -e '张秀英' -e 13912345678 -e 'SQLite format' -e audit_head enc/pm-20260302T020000Z.db.enc)" "0" \
	"the encrypted copy shows no name, no phone, no SQLite header, no manifest"
feed '{"code":"9-9-998","area":"1"}\n' pm unit import
run pm restore enc/pm-20260302T020000Z.db.enc
expect_rc 0 "pm restore decrypts with backup.key"
expect_eq "$(dump pm.db)" "$want" "and the store is the copy again"
run pm check
expect_rc 0 "a sound store"

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >other.key
chmod 600 other.key
before=$(sha256sum pm.db)
PM_OTHER_KEY=$(cat other.key) run pm restore --key env:PM_OTHER_KEY enc/pm-20260302T020000Z.db.enc
expect_rc 65 "a copy is refused under another key"
expect_err "^pm: 'enc/pm-20260302T020000Z.db.enc' cannot be decrypted with this key, or was altered: refusing it$" \
	"saying so"
expect_eq "$(sha256sum pm.db)" "$before" "and the store is untouched"
cp enc/pm-20260302T020000Z.db.enc altered.enc
printf 'x' | dd of=altered.enc bs=1 seek=5000 conv=notrunc 2>/dev/null
run pm restore altered.enc
expect_rc 65 "an altered byte is refused"
size=$(stat -c %s enc/pm-20260302T020000Z.db.enc)
head -c $((size - 100)) enc/pm-20260302T020000Z.db.enc >short.enc
run pm restore short.enc
expect_rc 65 "a copy cut short is refused"
expect_eq "$(sha256sum pm.db)" "$before" "the store is untouched by all three"
mv backup.key backup.key.gone
run pm-backup --to enc --encrypt
expect_rc 66 "--encrypt with its key file missing fails"
mv backup.key.gone backup.key
chmod 644 backup.key
run pm-backup --to enc --encrypt
expect_rc 78 "and with a key others may read"
chmod 600 backup.key
echo 1234 >short.key
chmod 600 short.key
run pm-backup --to enc --encrypt --key "file:$T/short.key"
expect_rc 78 "a key that is not 64 hexadecimal digits is refused"
expect_err "the backup key is not 64 hexadecimal digits" "saying what it must be"

# ---- retention ----
mkdir keep
for t in 2026-01-15T10:00:00 2026-02-10T10:00:00 2026-03-01T10:00:00 2026-03-01T11:00:00 \
	2026-03-02T10:00:00 2026-03-03T10:00:00; do
	PM_NOW=$t+08:00 run pm-backup --to keep --keep-daily 2 --keep-monthly 2
done
expect_rc 0 "pm-backup with retention"
expect_eq "$(ls keep | tr '\n' ' ')" \
	"pm-20260210T020000Z.db pm-20260210T020000Z.db.manifest pm-20260302T020000Z.db pm-20260302T020000Z.db.manifest pm-20260303T020000Z.db pm-20260303T020000Z.db.manifest " \
	"keeps the newest of the last 2 days and of the last 2 months, and nothing else"
expect_out '^\{"type":"backup_removed","name":"pm-20260301T030000Z.db"\}$' "names what it removed"
: >keep/notes.txt
: >keep/other-20260101T000000Z.db
PM_NOW=2026-03-04T10:00:00+08:00 run pm-backup --to keep --keep-daily 1
expect_eq "$(ls keep | tr '\n' ' ')" "notes.txt other-20260101T000000Z.db pm-20260304T020000Z.db pm-20260304T020000Z.db.manifest " \
	"--keep-daily 1 alone keeps today's; files that are not this store's copies stay"
run pm-backup --to https://127.0.0.1:1/x --keep-daily 1
expect_rc 2 "retention is for directories only"

# Two communities, each with its store named pm.db, sharing one --to
# directory: each run's retention removes only its own store's copies,
# told by the store's id (a plain copy's own, an encrypted one's in its
# manifest), not by the name they share.
in_store() { # DIR CMD...: run CMD with DIR/pm.db as the store
	PM_DB=$T/$1/pm.db
	shift
	run "$@"
	PM_DB=$T/pm.db
}
mkdir ca cb off2
in_store ca pm init --community A
in_store cb pm init --community B
expect_rc 0 "a second community, its store pm.db too"
for d in 01 02 03; do
	PM_NOW=2026-12-${d}T09:00:00+08:00 in_store ca pm-backup --to off2
done
PM_NOW=2026-12-04T09:00:00+08:00 in_store cb pm-backup --to off2
PM_NOW=2026-12-05T09:00:00+08:00 in_store ca pm-backup --to off2 --keep-daily 2
expect_eq "$(ls off2 | grep -v manifest | tr '\n' ' ')" \
	"pm-20261203T010000Z.db pm-20261204T010000Z.db pm-20261205T010000Z.db " \
	"A's retention keeps A's newest two and B's copy between them"
PM_NOW=2026-12-06T09:00:00+08:00 in_store cb pm-backup --to off2 --keep-daily 1
expect_rc 0 "B's run with --keep-daily 1"
expect_eq "$(ls off2 | grep -v manifest | tr '\n' ' ')" \
	"pm-20261203T010000Z.db pm-20261205T010000Z.db pm-20261206T010000Z.db " \
	"removes B's older copy and none of A's"
expect_eq "$(grep -c '"store_id":"[0-9a-f]\{32\}"' off2/pm-20261205T010000Z.db.manifest)" "1" \
	"a manifest names the store's id"
PM_NOW=2026-12-07T09:00:00+08:00 in_store ca pm-backup --to off2 --encrypt --key "file:$T/backup.key"
PM_NOW=2026-12-08T09:00:00+08:00 in_store cb pm-backup --to off2 --encrypt --key "file:$T/backup.key"
PM_NOW=2026-12-09T09:00:00+08:00 in_store cb pm-backup --to off2 --encrypt --key "file:$T/backup.key" \
	--keep-daily 1
expect_eq "$(ls off2 | grep -v manifest | tr '\n' ' ')" \
	"pm-20261203T010000Z.db pm-20261205T010000Z.db pm-20261207T010000Z.db.enc pm-20261209T010000Z.db.enc " \
	"encrypted copies under one key are told apart by the manifest inside"
PM_NOW=2026-12-10T09:00:00+08:00 in_store ca pm-backup --to off2 --keep-daily 1
expect_eq "$(ls off2 | grep -v manifest | tr '\n' ' ')" \
	"pm-20261207T010000Z.db.enc pm-20261209T010000Z.db.enc pm-20261210T010000Z.db " \
	"a plain run of A removes its plain copies, and keeps its encrypted one, which no key it has opens"

# ---- HTTPS ----
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	-keyout tls.key -out tls.crt 2>/dev/null
mkdir srv
python3 "$PM_TOP/tests/cli/backup/https-store.py" "$T/srv" tls.crt tls.key &
server=$!
trap 'touch "$T/srv/stop"; wait $server; rm -rf "$T"' EXIT
i=0; while [ ! -s srv/port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
url="https://127.0.0.1:$(cat srv/port)/pm/"
PM_NOW=2026-03-05T10:00:00+08:00 run pm-backup --to "$url" --cacert tls.crt
expect_rc 0 "pm-backup --to https:// (PUT)"
expect_eq "$(ls srv/files/pm | tr '\n' ' ')" "pm-20260305T020000Z.db pm-20260305T020000Z.db.manifest " \
	"the server has the copy and its manifest"
run pm-backup --to "$url" 
expect_rc 69 "a server whose certificate is not trusted is refused"
expect_err "^pm-backup: https://127.0.0.1:[0-9]+/pm/pm-[0-9T]+Z.db: .*certificate" "saying why"
run pm-backup --to "https://127.0.0.1:$(cat srv/port)/refuse/" --cacert tls.crt
expect_rc 69 "a server that refuses the PUT is an error"
expect_err "the server answered 403" "with its answer"
PM_NOW=2026-03-05T10:00:00+08:00 run pm-backup --to "$url" --cacert tls.crt --encrypt
expect_rc 0 "an encrypted copy to https://"
expect_eq "$(grep -a -c '张秀英' srv/files/pm/pm-20260305T020000Z.db.enc)" "0" "shows the server nothing"

feed '{"code":"9-9-997","area":"1"}\n' pm unit import
run pm restore "${url}pm-20260305T020000Z.db" --cacert tls.crt
expect_rc 0 "pm restore https://... fetches, checks and restores"
expect_eq "$(dump pm.db)" "$want" "the store is the copy"
feed '{"code":"9-9-996","area":"1"}\n' pm unit import
run pm-backup restore "${url}pm-20260305T020000Z.db.enc" --cacert tls.crt
expect_rc 0 "pm-backup restore of an encrypted copy over https://"
expect_eq "$(dump pm.db)" "$want" "the store is the copy"
printf 'x' | dd of=srv/files/pm/pm-20260305T020000Z.db bs=1 seek=3000 conv=notrunc 2>/dev/null
before=$(sha256sum pm.db)
run pm restore "${url}pm-20260305T020000Z.db" --cacert tls.crt
expect_rc 65 "a copy changed on the server is refused"
expect_err "does not match its manifest|not a sound pm store" "by its manifest or its integrity"
expect_eq "$(sha256sum pm.db)" "$before" "the store is untouched"
run pm restore "${url}nothere.db" --cacert tls.crt
expect_rc 66 "a copy the server lacks is missing input"
expect_eq "$(ls "$TMPDIR" | wc -l)" "0" "no temporary directory is left"
done_testing
