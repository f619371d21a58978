#!/bin/sh
# Start-up: a program loads no shared library it does not need for the
# work at hand. libcurl (lib/http.c), libqrencode (lib/qr.c) and
# libxlsxwriter (lib/xlsx.c) are opened on first use, so pm-gate verify at
# a gate maps libc and libm alone, pm-web's every CGI request and pm-bill
# showing a bill (static programs) no library at all, while a pass's QR code
# and a workbook are still made.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW
pm init -q --community 懒加载小区
printf 'effective: 2026-01-01\ncommunity:\n  name: 懒加载小区\ngates:\n  north:\n    name: 北门\n' >pm.yaml
pm config apply -q pm.yaml
printf '{"code":"1-1-0101","area":"90"}\n' | pm unit import -q
pm-gate -q visitor request --unit 1-1-0101 --name 访客 --from 2026-12-01T08:00:00+08:00 --until 2026-12-02T08:00:00+08:00 >/dev/null
token=$(pm-gate -q visitor approve 1 --format jsonl | sed 's/.*"token":"\([^"]*\)".*/\1/')

# The shared libraries a start opens (strace: a static program's dlopen
# heeds no LD_DEBUG), but a sanitizer's runtime (make check-asan).
need_prog strace
# LeakSanitizer cannot work under ptrace and ends a traced program of a
# sanitizer's build with a fatal error, its output unflushed: traced, it
# runs without (this test is of what is opened, not of leaks).
untraced_leaks=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
opened() {
	grep -v ENOENT | sed -n 's|^.*open[a-z]*(.*"\([^"]*/\)\{0,1\}\([^"/]*\.so[.0-9]*\)".*|\2|p' |
		grep -v -E '^(ld\.so\.cache|lib(asan|ubsan|gcc_s|stdc\+\+)\.)' | sort -u | tr '\n' ' '
}
loaded() { # CMD...
	ASAN_OPTIONS=$untraced_leaks strace -f -e trace=open,openat -o trace "$@" >/dev/null 2>&1
	opened <trace
}
# pm-web, pm-bill and pm-report are static (t1935) and open none at all:
# libc and libm were linked in. A sanitizer's build links them dynamically.
libc() { # PROGRAM: what its start may open
	if readelf -lW "$PM_BIN/$1" | grep -q 'INTERP'; then echo "libc.so.6 libm.so.6 "; fi
}
run pm-gate verify "$token" --gate north
expect_out '"result":"allow"' "the pass verifies"
expect_eq "$(loaded pm-gate verify "$token" --gate north)" "libc.so.6 libm.so.6 " "pm-gate verify loads libc and libm alone"
env -i PATH="$PATH" PM_DB="$PM_DB" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/login \
	SCRIPT_NAME=/pm REMOTE_ADDR=127.0.0.1 ASAN_OPTIONS=$untraced_leaks strace -f -e trace=open,openat -o trace pm-web >page 2>&1
expect_eq "$(grep -c "name=\"password\"" page)|$(opened <trace)" "1|$(libc pm-web)" \
	"pm-web answering a request as CGI (the sign-in form) opens no library"

# The code is drawn all the same, libqrencode opened when it is asked for.
LD_DEBUG=files pm-gate pass show 1 --qr-svg pass.svg >/dev/null 2>loader
expect_eq "$?" "0" "pm-gate pass show --qr-svg works"
expect_eq "$(grep -c 'file=libqrencode.so.4 \[0\];  dynamically loaded by' loader)" "1" "loading libqrencode then"
expect_eq "$(grep -c '<path d="M' pass.svg)" "1" "and the SVG has the code's modules"

# pm-bill and pm-report: libxlsxwriter (with minizip, libz and libcrypto)
# only for a workbook.
expect_eq "$(loaded pm-bill --version)" "$(libc pm-bill)" "pm-bill starts with no library"
expect_eq "$(loaded pm-report --version)" "$(libc pm-report)" "nor does pm-report"
ASAN_OPTIONS=$untraced_leaks strace -f -e trace=open,openat -o trace pm-report collection --period 2026-11 \
	--output c.xlsx >/dev/null 2>&1
expect_eq "$?" "0" "pm-report writes a workbook"
expect_eq "$(opened <trace | grep -o 'libxlsxwriter\.so\.4 .*libz\.so\.1')" "libxlsxwriter.so.4 libz.so.1" \
	"loading libxlsxwriter, with the libraries it needs, then"
expect_eq "$(unzip -l c.xlsx | grep -c 'xl/worksheets/sheet1.xml')" "1" "and the workbook has its sheet"
done_testing
