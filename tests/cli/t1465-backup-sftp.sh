#!/bin/sh
# pm-backup over sftp:// against a real OpenSSH server on 127.0.0.1: the
# copy goes only to a server whose host key known_hosts holds, signed in
# with our key as our Unix account, and comes back through pm restore.
. "$PM_TOP/tests/cli/lib.sh"

dump() {
	sqlite3 "$1" "SELECT code, area_centi FROM unit ORDER BY code; SELECT code, name FROM person ORDER BY code"
}

sshd=$(command -v sshd || echo /usr/sbin/sshd)
expect_eq "$(test -x "$sshd" && echo yes)" "yes" "OpenSSH's sshd is installed (share/pm/deps.sh)"
TMPDIR=$T/tmp
export TMPDIR
mkdir "$TMPDIR" ssh remote
ssh-keygen -q -t ed25519 -N '' -C host -f ssh/host
ssh-keygen -q -t ed25519 -N '' -C owner -f ssh/user
ssh-keygen -q -t ed25519 -N '' -C stranger -f ssh/other
cp ssh/user.pub ssh/authorized_keys
[ "$(id -u)" = 0 ] && mkdir -p /run/sshd

# A free loopback port, asked of the kernel; another taker in between
# makes sshd fail to start, and the next try takes another.
for try in 1 2 3 4 5; do
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >ssh/sshd_config <<CONF
ListenAddress 127.0.0.1:$port
HostKey $T/ssh/host
PidFile $T/ssh/sshd.pid
AuthorizedKeysFile $T/ssh/authorized_keys
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
CONF
	"$sshd" -f ssh/sshd_config -E "$T/ssh/log" && break
done
i=0; while [ ! -s ssh/sshd.pid ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
trap 'kill "$(cat "$T/ssh/sshd.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$T"' EXIT
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 ssh/host.pub)" >ssh/known_hosts
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 ssh/other.pub)" >ssh/impostor
url="sftp://127.0.0.1:$port$T/remote/"

run pm init
feed '{"code":"1-1-101","area":"80","delivered":"2020-01-01"}\n{"code":"1-1-102","area":"90.5","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"张秀英","phone":"13912345678","unit":"1-1-101"}\n' pm person import
want=$(dump pm.db)

# ---- the host key is checked before anything is sent ----
PM_NOW=2026-03-01T10:00:00+08:00 run pm-backup --to "$url" --ssh-key ssh/user --known-hosts ssh/impostor
expect_rc 69 "a server whose host key is not the one known is refused"
expect_err "^pm-backup: sftp://127.0.0.1:$port$T/remote/pm-20260301T020000Z.db: the server's host key is not the one 'ssh/impostor' holds for it: refused$" \
	"saying so, with the URL"
echo "[127.0.0.1]:1 $(cut -d' ' -f1,2 ssh/host.pub)" >ssh/elsewhere
PM_NOW=2026-03-01T10:00:00+08:00 run pm-backup --to "$url" --ssh-key ssh/user --known-hosts ssh/elsewhere
expect_rc 69 "a server known_hosts does not name is refused"
expect_err "^pm-backup: sftp://127.0.0.1:$port$T/remote/pm-20260301T020000Z.db: the server's host key is not in 'ssh/elsewhere': refused$" \
	"saying so"
expect_eq "$(ls remote)" "" "and nothing was sent"
HOME=$T/nohome PM_NOW=2026-03-01T10:00:00+08:00 run pm-backup --to "$url" --ssh-key ssh/user
expect_rc 78 "with no known_hosts at all, nothing is tried"
expect_err "^pm-backup: sftp://127.0.0.1:$port.*: cannot check the server's host key: cannot read '$T/nohome/.ssh/known_hosts' \(add it with ssh-keyscan, or name a file with --known-hosts\)$" \
	"saying which file it wanted and how to fill it"
PM_NOW=2026-03-01T10:00:00+08:00 run pm-backup --to "$url" --ssh-key ssh/other --known-hosts ssh/known_hosts
expect_rc 69 "a key the server does not know is refused by it"
expect_eq "$(ls remote)" "" "and nothing was sent"

# ---- a plain copy, and a restore from it ----
PM_NOW=2026-03-01T10:00:00+08:00 run pm-backup --to "$url" --ssh-key ssh/user --known-hosts ssh/known_hosts
expect_rc 0 "pm-backup --to sftp://"
expect_out "^\{\"type\":\"backup\",\"to\":\"sftp://127.0.0.1:$port[^\"]*/remote/\",\"name\":\"pm-20260301T020000Z.db\",\"encrypted\":false\}$" \
	"prints the copy's name"
expect_eq "$(ls remote | tr '\n' ' ')" "pm-20260301T020000Z.db pm-20260301T020000Z.db.manifest " \
	"the copy and its manifest are on the server"
expect_eq "$(grep -c 'Accepted publickey for '"$(id -un)"' ' ssh/log)" "2" \
	"signed in as our Unix account, once per file"
expect_eq "$(ls "$TMPDIR")" "" "no plain copy is left on the way"
feed '{"code":"9-9-999","area":"1"}\n' pm unit import
run pm restore "${url}pm-20260301T020000Z.db" --ssh-key ssh/user --known-hosts ssh/known_hosts
expect_rc 0 "pm restore sftp://... hands over to pm-backup"
expect_eq "$(dump pm.db)" "$want" "and gives the store back as it was"
run pm restore "${url}pm-20260301T020000Z.db" --ssh-key ssh/user --known-hosts ssh/impostor
expect_rc 69 "a restore from an impostor is refused"
expect_eq "$(dump pm.db)" "$want" "and nothing changes"

# ---- encrypted, with ~/.ssh's files and no options ----
mkdir -p home/.ssh
cp ssh/user home/.ssh/id_ed25519
cp ssh/known_hosts home/.ssh/known_hosts
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >backup.key
chmod 600 backup.key
HOME=$T/home PM_NOW=2026-03-02T10:00:00+08:00 run pm backup --to "$url" --encrypt --key "file:$T/backup.key"
expect_rc 0 "pm backup --to sftp:// --encrypt, with ~/.ssh/id_ed25519 and ~/.ssh/known_hosts"
expect_eq "$(ls remote | grep -c '^pm-20260302T020000Z.db.enc$')" "1" "one sealed file on the server"
expect_eq "$(grep -a -c -e '张秀英' -e 13912345678 -e 'SQLite format' remote/pm-20260302T020000Z.db.enc)" "0" \
	"which shows nothing of the store"
feed '{"code":"9-9-998","area":"1"}\n' pm unit import
HOME=$T/home run pm restore "${url}pm-20260302T020000Z.db.enc" --key "file:$T/backup.key"
expect_rc 0 "and comes back"
expect_eq "$(dump pm.db)" "$want" "as it was"
run pm check
expect_rc 0 "the restored store passes pm check"
done_testing
