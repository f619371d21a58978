#!/bin/sh
# The Unix accounts from make install's static programs (t1935): a static
# glibc reads /etc/passwd and /etc/group itself (nss_files is built in)
# and loads any other NSS module nsswitch.conf names. pm's caller is the
# account getpwuid names, --unix checks its account with getpwnam,
# --group its group with getgrnam, and pm-web runs as the service account.
. "$PM_TOP/tests/cli/lib.sh"
need_accounts daemon www-data
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run make -s -C "$PM_TOP" -o all B="${PM_BIN%/bin}" DESTDIR="$T/root" install
expect_rc 0 "make install (nothing built again)"
bin=$T/root/usr/local/bin
PM_LOCALEDIR=$T/root/usr/local/share/locale
export PM_LOCALEDIR

# getgrnam and getgrgid: the store's group.
run "$bin/pm" init --group staff
expect_rc 0 "a store for the staff group"
expect_eq "$(stat -c %G "$PM_DB")" staff "the store is the group's"
run "$bin/pm" init --db other.db --group no-such-group-1936
expect_rc 65 "a group that does not exist is refused"
expect_err "no-such-group-1936" "and named"
printf '{"code":"1-1-101","area":"80","delivered":"2020-06-30"}\n' | "$bin/pm" unit import -q
printf '{"code":"P1","name":"业主甲","unit":"1-1-101"}\n' | "$bin/pm" person import -q

# getpwnam: --unix names an account that exists.
run "$bin/pm" user add sun.tech --role technician --unix daemon
expect_rc 0 "a technician mapped to the account daemon"
run "$bin/pm" user add ghost --role technician --unix no-such-account-1936
expect_rc 65 "an account that does not exist is refused"
expect_err "no Unix account 'no-such-account-1936'" "and named"

# getpwuid: the caller is the mapped user, by name.
run_as daemon:staff "$bin/pm" user add x --role admin
expect_rc 77 "daemon, the technician, may not add a user"
expect_err "'sun.tech'" "refused as sun.tech, the user its account maps to"
run_as www-data:staff "$bin/pm" unit list --format tsv
expect_rc 0 "an unmapped account in the group reads as a viewer"
expect_out "^1-1-101	" "the units"
# A uid no account has (a container's): named by its number, a viewer.
setpriv --reuid=54321 --regid=54321 --groups="$(getent group staff | cut -d: -f3)" "$bin/pm" unit show 1-1-101 \
	--format jsonl >"$T/out" 2>"$T/err"
expect_eq "$?|$(grep -c '"code":"1-1-101"' "$T/out")" "0|1" "uid 54321, in no account, reads as a viewer"
setpriv --reuid=54321 --regid=54321 --groups="$(getent group staff | cut -d: -f3)" "$bin/pm" unit import /dev/null \
	>"$T/out" 2>"$T/err"
expect_eq "$?" 77 "and may not write"
expect_err "'uid54321'" "named uid54321"

# pm-web as www-data: refused while its account is no service user (the
# log names the account), served once it is.
cgi() { # one GET /login as CGI, run as www-data
	run_as www-data:staff env -i PATH="$PATH" PM_DB="$PM_DB" PM_LOCALEDIR="$PM_LOCALEDIR" GATEWAY_INTERFACE=CGI/1.1 \
		REQUEST_METHOD=GET PATH_INFO=/login SCRIPT_NAME=/pm REMOTE_ADDR=127.0.0.1 "$bin/pm-web"
}
cgi
expect_eq "$(head -1 "$T/out" | tr -d '\r')" "Status: 500 Internal Server Error" "pm-web as an unmapped www-data refuses"
expect_err "pm-web 以 'www-data'（viewer）身份运行" "naming the account it runs as"
run "$bin/pm" user add web --role service --unix www-data
expect_rc 0 "www-data made the web front end's service user"
cgi
expect_eq "$(head -1 "$T/out" | tr -d '\r')|$(grep -c 'name="password"' "$T/out")" "Status: 200 OK|1" \
	"then pm-web serves the sign-in page"
done_testing
