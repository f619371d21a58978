# Harness for the CLI tests. Source it, then call the checks; end with
# done_testing. Each test runs in a fresh temporary directory with its own
# store ($PM_DB) and the built programs first on PATH.
#
#   run CMD ARGS...        run a command; stdout in $T/out, stderr in $T/err,
#                          the exit code in $rc (pm's programs get $PM_WRAP)
#   run_in FILE CMD...     the same with FILE on stdin
#   feed TEXT CMD...       the same with TEXT (backslash escapes expanded) on stdin
#   expect_rc N DESC       the last run exited N
#   expect_out GREP DESC   stdout of the last run matches the grep -E pattern
#   expect_err GREP DESC   stderr likewise
#   expect_eq GOT WANT DESC
#   sql QUERY              the store's answer, one row a line, | between columns
#   need_accounts NAME...  other Unix accounts, for who may do what: skips
#                          the whole test, saying why, unless it runs as root
#                          with setpriv; an account that does not exist is
#                          made with useradd and removed when the last test
#                          using it ends (tests run side by side)
#   run_as NAME[:GROUP] CMD...  like run, as Unix account NAME (its own
#                          group, and GROUP as its only other one)
#   need_prog PROG...      a program make deps installs: the test fails
#                          without it ("a|b": either)
#   need_killat            tests/fault/killat.c built, as $SO for LD_PRELOAD,
#                          and the static programs' dynamic twins first on
#                          PATH (a static program ignores a preload)
#   wait_for QUERY WANT    polls the store until QUERY answers WANT (20 s at most)
#   hold SECONDS           another program holds the store's write lock that
#                          long, from when this returns; its pid in $holder
#   release                ends the hold now (a test that must find the store
#                          locked however slowly its programs start: valgrind)
set -u
: "${PM_BIN:?PM_BIN names the directory of the built programs}"
PM_BIN=$(cd "$PM_BIN" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/pm-test.XXXXXX")
_accounts=
trap 'rm -rf "$T"; _accounts_done' EXIT
cd "$T" || exit 2
PATH="$PM_BIN:$PATH"
PM_DB="$T/pm.db"
LC_ALL=C.UTF-8
LANG=C.UTF-8
unset LANGUAGE PM_USER
export PATH PM_DB LC_ALL LANG
_n=0 _failed=0
rc=0

# PM_WRAP (valgrind, make check-valgrind) runs pm's own programs, not the
# shells, sqlite3 or python3 a test runs the same way: their leaks are not
# pm's, and memcheck costs each start half a second.
_wrap() { # CMD: sets $_w to the wrapper CMD runs under
	case ${1##*/} in pm | pm-*) _w=${PM_WRAP:-} ;; *) _w= ;; esac
}

run() {
	_wrap "$1"
	# shellcheck disable=SC2086
	$_w "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}

feed() { # TEXT CMD...: like run, with TEXT (printf %b) on stdin
	printf '%b' "$1" >"$T/in"; shift
	run_in "$T/in" "$@"
}

run_in() { # FILE CMD...: like run, with FILE on stdin
	_in=$1; shift
	_wrap "$1"
	# shellcheck disable=SC2086
	$_w "$@" >"$T/out" 2>"$T/err" <"$_in"
	rc=$?
}

_report() { # ok DESC [diagnostic]
	_n=$((_n + 1))
	if [ "$1" = 1 ]; then
		echo "ok $_n - $2"
	else
		_failed=$((_failed + 1))
		echo "not ok $_n - $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/#   /'
	fi
}

expect_rc() {
	if [ "$rc" -eq "$1" ]; then _report 1 "$2"; else
		_report 0 "$2" "exit $rc, want $1
stderr: $(head -c 600 "$T/err")"; fi
}

expect_out() {
	if grep -qE -- "$1" "$T/out"; then _report 1 "$2"; else
		_report 0 "$2" "stdout lacks /$1/:
$(head -c 800 "$T/out")"; fi
}

expect_err() {
	if grep -qE -- "$1" "$T/err"; then _report 1 "$2"; else
		_report 0 "$2" "stderr lacks /$1/:
$(head -c 800 "$T/err")"; fi
}

expect_eq() {
	if [ "$1" = "$2" ]; then _report 1 "$3"; else
		_report 0 "$3" "got:  $1
want: $2"; fi
}

# The shell keeps the -wal and -shm files as pm does (persistent WAL):
# accounts that may not make them beside the store still open it after.
# It waits for a lock as pm does: a program closing the store checkpoints
# it under an exclusive lock, and a poll at that moment read nothing
# ("database is locked"), which t7010's kill loop took for no message sent.
sql() {
	sqlite3 -batch -cmd '.output /dev/null' -cmd '.filectrl persist_wal 1' -cmd '.timeout 10000' \
		-cmd '.output stdout' "$PM_DB" "$1"
}

# store_before MIGRATION [DB]: DB (the store) made by the migrations
# before MIGRATION (its file name in share/pm/schema), at their version
# and in WAL mode, as a pm of then left it; pm upgrades it on opening.
store_before() {
	_old=0
	for _f in "$PM_TOP"/share/pm/schema/*.sql; do
		case ${_f##*/} in "$1") break ;; esac
		cat "$_f"
		echo
		_old=$((_old + 1))
	done >"$T/store_before.sql"
	echo "PRAGMA user_version = $_old; PRAGMA journal_mode = WAL;" >>"$T/store_before.sql"
	sqlite3 "${2:-$PM_DB}" <"$T/store_before.sql" >/dev/null
}

# The accounts a test makes are shared with the tests running beside it
# (tests/run.sh runs several at once, and other checkouts may run theirs):
# need_prog PROG...: a program make deps installs (a server, chromium)
# missing fails the test: a suite that skips for want of one would pass
# CI having tested nothing. "a|b" takes either name.
need_prog() {
	for _p in "$@"; do
		_found=
		for _q in $(echo "$_p" | tr '|' ' '); do
			command -v "$_q" >/dev/null || PATH=$PATH:/usr/sbin command -v "$_q" >/dev/null && _found=1
		done
		[ -n "$_found" ] && continue
		_report 0 "no $_p: make deps installs it"
		done_testing
	done
}

need_killat() {
	SO=$PM_BIN/../killat.so
	[ -d "$PM_BIN/../dyn/bin" ] && PATH=$(cd "$PM_BIN/../dyn/bin" && pwd):$PATH
	if [ ! -f "$SO" ]; then
		_report 0 "$SO is built (make tests)"
		done_testing
	fi
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
	export ASAN_OPTIONS
}

# looked up and made under a lock, and removed by the last test to end
# that used them, not by the one that made them. The lock and the list of
# accounts made are machine-wide, as the accounts are.
_acct=/tmp/pm-test-accounts
need_accounts() {
	if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
		echo "# SKIP: needs root and setpriv to run commands as other Unix accounts"
		exit 0
	fi
	# fd 8: the lock for looking up, making and removing; fd 9, held
	# shared until this test ends: in use.
	exec 8>>"$_acct.lock" 9>>"$_acct.users"
	flock 8
	flock -s 9
	_accounts=1
	for _a in "$@"; do
		getent passwd "$_a" >/dev/null && continue
		if ! useradd -r -M -N -d / -s /usr/sbin/nologin "$_a" 2>/dev/null; then
			flock -u 8
			echo "# SKIP: no Unix account '$_a' and useradd cannot make one"
			exit 0
		fi
		echo "$_a" >>"$_acct.made"
	done
	flock -u 8
	# The accounts work in $T: they must get into it.
	chmod 755 "$T"
}

_accounts_done() { # at exit: the last test using them removes the accounts tests made
	[ -n "$_accounts" ] || return 0
	flock 8
	if flock -n 9; then
		[ -f "$_acct.made" ] && while read -r _a; do userdel "$_a" 2>/dev/null; done <"$_acct.made"
		rm -f "$_acct.made"
	fi
	# A server the test left running holds these descriptors too.
	flock -u 9
	flock -u 8
}

run_as() { # NAME[:GROUP] CMD...
	_u=${1%%:*} _g=; case $1 in *:*) _g=${1#*:} ;; esac; shift
	if [ -n "$_g" ]; then _groups="--groups=$(getent group "$_g" | cut -d: -f3)"; else _groups=--clear-groups; fi
	# shellcheck disable=SC2086
	_wrap "$1"
	setpriv --reuid="$_u" --regid="$(id -g "$_u")" $_groups $_w "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}

hold() { # SECONDS: holds the store's write lock that long, from when ./locked exists, or until release
	rm -f locked released
	python3 -c 'import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open("locked", "w").close()
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end and not os.path.exists("released"):
    time.sleep(0.05)
c.execute("COMMIT")' "$PM_DB" "$1" &
	holder=$!
	while [ ! -e locked ]; do sleep 0.05; done
}

release() { # ends hold's lock now, and waits for its holder to go
	: >released
	wait "$holder"
}

wait_for() {
	_i=0
	while [ "$(sql "$1")" != "$2" ] && [ $_i -lt 400 ]; do sleep 0.05; _i=$((_i + 1)); done
}

done_testing() {
	echo "# $_n checks, $_failed failed"
	[ "$_failed" -eq 0 ]
	exit $?
}
