#!/bin/sh
# The keyed audit chain and its anchors: what verification catches with
# and without the key, with and without an anchor; the audit's times are
# the real clock's whatever PM_NOW says.
. "$PM_TOP/tests/cli/lib.sh"
PY3=python3
[ -x /usr/bin/python3 ] && PY3=/usr/bin/python3

# rehash FROM [KEYFILE]: recompute the chain from row FROM as pm(7)
# documents it, with HMAC-SHA256 under the key in KEYFILE, or with plain
# SHA-256 as someone without the key would.
rehash() {
	$PY3 - "$PM_DB" "$@" <<'PY'
import hashlib, hmac, sqlite3, struct, sys
db, start = sys.argv[1], int(sys.argv[2])
key = bytes.fromhex(open(sys.argv[3]).read().strip()) if len(sys.argv) > 3 else None
c = sqlite3.connect(db)
prev = c.execute("SELECT coalesce((SELECT hash FROM audit WHERE id = ?), ?)",
                 (start - 1, "0" * 64)).fetchone()[0]
rows = c.execute("SELECT id, ts, actor, action, object, before, after, caller, business_ts"
                 " FROM audit WHERE id >= ? ORDER BY id", (start,)).fetchall()
for r in rows:
    fields = [prev, "%d %d" % (r[0], r[1])] + list(r[2:7])
    if r[7] is not None:
        fields += [r[7], None if r[8] is None else str(r[8])]
    msg = b"".join(struct.pack("<Q", len(f.encode())) + f.encode() if f is not None
                   else struct.pack("<Q", 0) for f in fields)
    h = hmac.new(key, msg, hashlib.sha256).hexdigest() if key else hashlib.sha256(msg).hexdigest()
    c.execute("UPDATE audit SET prev = ?, hash = ? WHERE id = ?", (prev, h, r[0]))
    prev = h
c.commit()
PY
}

run pm init --group staff
expect_eq "$(stat -c '%a %G' pm.db.key)" "640 staff" "pm init makes the audit key beside the store"
expect_eq "$(grep -cE '^[0-9a-f]{64}$' pm.db.key)" "1" "64 hexadecimal digits"
expect_eq "$(sql "SELECT id || ' ' || action || ' ' || json_extract(after, '$.owner') || ' ' || json_extract(after, '$.uid') || ' ' || json_extract(after, '$.mode') || ' ' || json_extract(after, '$.group') FROM audit WHERE id = 1")" \
	"1 audit.key root 0 0660 staff" "its first row starts the keyed chain and names the store's owner"
expect_eq "$(sql "SELECT json_extract(after, '$.key') FROM audit WHERE id = 1")" "file:$(pwd -P)/pm.db.key" \
	"and where the key is"

# PM_NOW moves the business clock, never the audit's.
before=$(date +%s)
feed '{"code":"1-1-101","area":"80"}\n' env PM_NOW=2020-01-01T00:00:00+08:00 pm unit import
after=$(date +%s)
expect_eq "$(sql "SELECT ts BETWEEN $before AND $after FROM audit WHERE action = 'unit.import'")" "1" \
	"a back-dated import is audited at the real time"
expect_eq "$(sql "SELECT business_ts FROM audit WHERE action = 'unit.import'")" "1577808000" \
	"with the business time beside it"
expect_eq "$(sql "SELECT created_at FROM unit")" "1577808000" "while the unit itself is back-dated"
run pm audit --object unit.import --format jsonl
expect_out '"business_ts":"2020-01-01T00:00:00\+08:00"' "pm audit prints both times"
feed '{"code":"1-1-102","area":"80"}\n' pm unit import
expect_eq "$(sql "SELECT coalesce(business_ts, 'none') FROM audit ORDER BY id DESC LIMIT 1")" "none" \
	"without PM_NOW there is one time"
for i in 1 2 3 4 5; do feed "{\"code\":\"P$i\",\"name\":\"人$i\"}\n" pm person import; done
rows=$(sql "SELECT count(*) FROM audit")

# The head, and an anchor file.
run pm audit --head --format jsonl
expect_rc 0 "pm audit --head"
expect_out "^\{\"type\":\"audit_head\",\"store\":\"[^\"]*pm.db\",\"at\":\"[^\"]+\",\"rows\":$rows,\"id\":$rows,\"hash\":\"$(sql "SELECT hash FROM audit ORDER BY id DESC LIMIT 1")\"\}$" \
	"prints the count and the last hash"
run pm audit --anchor anchors --format jsonl
expect_rc 0 "pm audit --anchor"
expect_eq "$(stat -c %a anchors)" "600" "the anchor file is 0600"
expect_eq "$(cat anchors)" "$(cat "$T/out")" "it holds the head it printed"
feed '{"code":"P6","name":"人6"}\n' pm person import
run pm audit --anchor anchors
expect_eq "$(grep -c audit_head anchors)" "2" "each run appends a line"
run pm audit --verify --anchor anchors
expect_rc 0 "the chain holds against its anchors"
expect_err "$((rows + 1)) audit records, chain intact, 2 anchored heads hold" "saying how many"
run pm backup b.db
expect_eq "$(sed -n 's/.*"rows":\([0-9]*\).*"sha256":"\([0-9a-f]*\)".*/\1 \2/p' b.db.manifest)" \
	"$((rows + 1)) $(sha256sum b.db | cut -d' ' -f1)" "a backup's manifest holds its head and its SHA-256"
run pm --db b.db audit --verify
expect_rc 0 "the copy verifies, with the key its log names"
cp pm.db saved.db
restore() { cp saved.db pm.db; rm -f pm.db-wal pm.db-shm; run pm check; }

# Edited: caught without an anchor.
sql "UPDATE audit SET actor = 'mallory' WHERE id = 4"
run pm audit --verify
expect_rc 1 "an edited row"
expect_err "audit row 4: edited \(its hash does not match its contents\)" "is named, and how"
restore

# Rewritten and rehashed without the key: caught without an anchor.
sql "UPDATE audit SET after = '{\"read\":999}' WHERE id = 3"
rehash 3
run pm audit --verify
expect_rc 1 "a rewritten tail rehashed without the key"
expect_err "audit row 3: edited" "is caught at its first row"
restore

# Deleted in the middle.
sql "DELETE FROM audit WHERE id IN (4, 5)"
run pm audit --verify
expect_rc 1 "rows deleted in the middle"
expect_err "audit rows 4 to 5: deleted \(row 6 follows row 3\)" "are named"
restore

# Deleted at the end: only an anchor tells.
sql "DELETE FROM audit WHERE id > $((rows - 2))"
run pm audit --verify
expect_rc 0 "rows deleted from the end leave a sound chain"
run pm audit --verify --anchor anchors
expect_rc 1 "the anchor catches them"
expect_err "audit log truncated after row $((rows - 2)): the anchor of .* records $((rows + 1)) rows up to row $((rows + 1))" \
	"saying after which row"
run pm audit --verify --anchor b.db.manifest
expect_rc 1 "so does a backup's manifest"
run pm audit --anchor anchors
expect_rc 1 "and no new head is anchored over it"
expect_eq "$(grep -c audit_head anchors)" "2" "the anchor file is left as it was"
restore

# With the key, a rehashed tail verifies: the documented limit. The
# anchor still tells.
sql "UPDATE audit SET after = '{\"read\":999}' WHERE id = 3"
rehash 3 pm.db.key
run pm audit --verify
expect_rc 0 "with the key and no anchor, a rehashed tail passes"
run pm audit --verify --anchor anchors
expect_rc 1 "the anchor catches it"
expect_err "audit row $rows: rewritten since the anchor of " "naming the first anchored row that changed"
restore

# A head sent through pm-notify, for the record outside the store.
feed '{"code":"P9","name":"王经理","phone":"13900000009"}\n' pm person import
run pm user add wang --role admin --person P9
pm audit --head --format jsonl >head.jsonl
n=$(sql "SELECT count(*) FROM audit")
run pm-notify send --template audit_head --role admin --channel stdout --flush head.jsonl
expect_rc 0 "pm audit --head | pm-notify send --template audit_head --role admin"
expect_out "审计日志共 $n 条" "the message gives the count"
expect_out "$(sql "SELECT hash FROM audit WHERE id = $n")" "and the hash"

# A store from an older pm: unkeyed until pm audit --rekey.
PM_DB="$T/old.db"
run pm init
sql "DELETE FROM audit WHERE id = 1"
sql "UPDATE audit SET id = id - 1"
rehash 1
rm old.db.key
run pm audit --verify
expect_rc 0 "an older store's unkeyed chain verifies"
expect_err "chain intact but not keyed: run 'pm audit --rekey'" "saying it is not keyed"
run pm audit --rekey
expect_rc 0 "pm audit --rekey"
expect_eq "$(stat -c %a old.db.key)" "600" "makes the key"
expect_eq "$(sql "SELECT action || ' ' || json_extract(after, '$.from') FROM audit ORDER BY id DESC LIMIT 1")" "audit.key 2" \
	"and keys the chain from its next row"
feed '{"code":"1-1-101","area":"80"}\n' pm unit import
run pm audit --verify
expect_rc 0 "the chain verifies, keyed"
expect_err "3 audit records, chain intact$" "keyed from then on"
run pm audit --rekey
expect_rc 1 "once"
expect_err "the audit log is keyed already, from row 2" "saying so"
mv old.db.key aside.key
feed '{"code":"1-1-102","area":"80"}\n' pm unit import
expect_rc 78 "without its key a keyed store takes no change"
expect_err "the audit key: cannot read '.*old.db.key'" "saying which key is missing"
done_testing
