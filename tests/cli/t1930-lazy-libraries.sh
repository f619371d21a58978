#!/bin/sh
# Start-up: a program loads no shared library it does not need for the
# work at hand. libcurl (lib/http.c), libqrencode (lib/qr.c) and
# libxlsxwriter (lib/xlsx.c) are opened on first use, so pm-gate verify at
# a gate, pm-web's every CGI request and pm-bill showing a bill map libc
# and libm alone, while a pass's QR code and a workbook are still made.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW
pm init -q --community 懒加载小区
printf 'effective: 2026-01-01\ncommunity:\n  name: 懒加载小区\ngates:\n  north:\n    name: 北门\n' >pm.yaml
pm config apply -q pm.yaml
printf '{"code":"1-1-0101","area":"90"}\n' | pm unit import -q
pm-gate -q visitor request --unit 1-1-0101 --name 访客 --from 2026-12-01T08:00:00+08:00 --until 2026-12-02T08:00:00+08:00 >/dev/null
token=$(pm-gate -q visitor approve 1 --format jsonl | sed 's/.*"token":"\([^"]*\)".*/\1/')

# The libraries the dynamic loader opens at a start, but a sanitizer's
# runtime (make check-asan).
needed() {
	sed -n 's/.*file=\([^ ]*\) \[0\];  needed by .*/\1/p' | grep -v -E '^lib(asan|ubsan|gcc_s|stdc\+\+)\.' |
		sort -u | tr '\n' ' '
}
loaded() { # CMD...
	LD_DEBUG=files "$@" 2>&1 >/dev/null | needed
}
run pm-gate verify "$token" --gate north
expect_out '"result":"allow"' "the pass verifies"
expect_eq "$(loaded pm-gate verify "$token" --gate north)" "libc.so.6 libm.so.6 " "pm-gate verify loads libc and libm alone"
expect_eq "$(env -i PATH="$PATH" PM_DB="$PM_DB" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/login \
	SCRIPT_NAME=/pm REMOTE_ADDR=127.0.0.1 LD_DEBUG=files pm-web 2>&1 >/dev/null | needed)" "libc.so.6 libm.so.6 " \
	"so does pm-web answering a request as CGI"

# The code is drawn all the same, libqrencode opened when it is asked for.
LD_DEBUG=files pm-gate pass show 1 --qr-svg pass.svg >/dev/null 2>loader
expect_eq "$?" "0" "pm-gate pass show --qr-svg works"
expect_eq "$(grep -c 'file=libqrencode.so.4 \[0\];  dynamically loaded by' loader)" "1" "loading libqrencode then"
expect_eq "$(grep -c '<path d="M' pass.svg)" "1" "and the SVG has the code's modules"

# pm-bill and pm-report: libxlsxwriter (with minizip, libz and libcrypto)
# only for a workbook.
expect_eq "$(loaded pm-bill --version)" "libc.so.6 libm.so.6 " "pm-bill starts with libc and libm alone"
expect_eq "$(loaded pm-report --version)" "libc.so.6 libm.so.6 " "so does pm-report"
LD_DEBUG=files pm-report collection --period 2026-11 --output c.xlsx >/dev/null 2>loader
expect_eq "$?" "0" "pm-report writes a workbook"
expect_eq "$(grep -c 'file=libxlsxwriter.so.4 \[0\];  dynamically loaded by' loader)" "1" "loading libxlsxwriter then"
expect_eq "$(unzip -l c.xlsx | grep -c 'xl/worksheets/sheet1.xml')" "1" "and the workbook has its sheet"
done_testing
