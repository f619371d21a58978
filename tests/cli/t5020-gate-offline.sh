#!/bin/sh
# What a gate controller's computer does: pm-gate verify on a read-only
# copy of the store, as a Unix user pm does not know, with the public key
# the store carries and no secret. And the key: keygen, pubkey, rotation.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community

run pm-gate pubkey
expect_rc 0 "pubkey with no key yet"
expect_eq "$(cat "$T/out")" "" "prints nothing"
run pm-gate --as zhao.desk keygen
expect_rc 77 "only an admin makes the key"
run pm-gate keygen --format jsonl
expect_rc 0 "keygen"
expect_out '^\{"type":"pass_key","kid":"[0-9a-f]{8}","public_key":"[0-9a-f]{64}","created_at":"2026-12-01T09:00:00\+08:00"\}$' \
	"prints the public key, in hex"
kid1=$(json_field kid)
expect_eq "$(stat -c %a "$PM_DB.pass.key")" "600" "the key file is 0600"
run pm-gate keygen
expect_rc 73 "a second keygen"
expect_err "the store has a pass-signing key already: give --rotate for a new one" "is refused"
run pm-gate --as qian.guard pubkey --format jsonl
expect_rc 0 "a guard reads the public key for the controllers"
expect_out "\"kid\":\"$kid1\"" "the same key"

run pm-gate visitor request --unit 1-1-0101 --name 刘洋 --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T18:00:00+08:00
run pm-gate visitor approve 1 --format jsonl
token=$(json_field token)

# The controller's copy: read-only, in a directory not its user's, with
# no key file beside it.
chmod 711 "$T"
mkdir gatepc
run pm backup gatepc/pm.db
expect_rc 0 "a copy for the gate's computer"
chmod 444 gatepc/pm.db
copied=$(ls gatepc)
chmod 555 gatepc
as_gate() { # CMD...: as an unknown Unix user when we can, else as we are
	if [ "$(id -u)" = 0 ]; then
		run setpriv --reuid=65534 --regid=65534 --clear-groups env PM_DB="$T/gatepc/pm.db" "$@"
	else
		PM_DB="$T/gatepc/pm.db" run "$@"
	fi
}
as_gate pm-gate verify "$token" --gate north --at 2026-12-01T10:30:00+08:00
expect_rc 0 "verified offline: allowed"
expect_out '^\{"type":"verify","result":"allow","reason":null,"pass":1,"unit":"1-1-0101","gate":"north","at":"2026-12-01T10:30:00\+08:00","recorded":false\}$' \
	"with nothing recorded"
as_gate pm-gate verify "$token" --gate north --at 2026-12-01T19:00:00+08:00
expect_rc 1 "an expired pass offline"
expect_out '"reason":"expired"' "expired"
as_gate pm-gate verify "${token}A" --gate north
expect_rc 1 "an altered token offline"
expect_out '"reason":"bad_signature"|"reason":"malformed"' "denied"
expect_eq "$(ls gatepc)" "$copied" "nothing written beside the copy"
as_gate pm-gate visitor request --unit 1-1-0101 --name 某人 --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T18:00:00+08:00
if [ "$(id -u)" = 0 ]; then
	# A Unix user pm does not know is a viewer: refused before the store.
	expect_rc 77 "a write on the copy is refused"
	expect_err "user 'nobody' \(viewer\) may not do 'visitor.request'" "a viewer only reads"
	expect_eq "$(stat -c %U gatepc/pm.db)" "root" "(the copy is not the gate user's)"
else
	expect_rc 73 "a write on the copy fails"
	expect_err "readonly|read-only" "saying the store is read-only"
fi

# Revoked in the office: the old copy does not know, a fresh one does.
run pm-gate pass revoke 1
as_gate pm-gate verify "$token" --gate north --at 2026-12-01T10:40:00+08:00
expect_rc 0 "the old copy still lets the pass in"
chmod 755 gatepc
rm -f gatepc/pm.db
run pm backup gatepc/pm.db
chmod 444 gatepc/pm.db
chmod 555 gatepc
as_gate pm-gate verify "$token" --gate north --at 2026-12-01T10:40:00+08:00
expect_rc 1 "a fresh copy refuses it"
expect_out '"reason":"revoked"' "as revoked"

# A new key: passes signed by the old one still verify by its key id.
run pm-gate visitor request --unit 1-1-0101 --name 周杰 --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T18:00:00+08:00
run pm-gate visitor approve 2 --format jsonl
old=$(json_field token)
run pm-gate keygen --rotate --format jsonl
expect_rc 0 "--rotate"
expect_eq "$(wc -l <"$T/out")" "2" "both public keys listed"
run pm-gate visitor request --unit 1-1-0101 --name 吴敏 --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T18:00:00+08:00
run pm-gate visitor approve 3 --format jsonl
new=$(json_field token)
expect_eq "$(printf '%s' "$new" | cut -c2-7 | grep -c "$(printf '%s' "$old" | cut -c2-7)")" "0" "the new pass names the new key"
run pm-gate verify "$old" --gate north --at 2026-12-01T11:00:00+08:00
expect_rc 0 "a pass of the old key verifies"
run pm-gate verify "$new" --gate north --at 2026-12-01T11:00:00+08:00
expect_rc 0 "and one of the new"
expect_eq "$(sql "SELECT group_concat(action, ' ') FROM audit WHERE object LIKE 'pass_key:%'")" "gate.keygen gate.key.rotate" "both audited"
done_testing
