#!/bin/sh
# Start-up: the programs that never open libcurl, libpq or libmosquitto
# are linked whole, libc too, as static position-independent executables
# (no dynamic loader at a start; the kernel still places each at a random
# address), the others as before. What a static glibc program still loads
# at run time works from make install's copies: libqrencode for a
# visitor's pass in pm-web, libxlsxwriter for a workbook, iconv's gconv
# modules for GB18030 and GBK input, and the zh_CN messages (a static
# glibc links no LC_MESSAGES unless asked: every message stayed English).
# The Unix accounts (getpwuid, getpwnam, getgrnam) are t1936's.
. "$PM_TOP/tests/cli/lib.sh"
need_prog readelf unzip iconv
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW
static="pm pm-web pm-bill pm-meter pm-repair pm-report pm-shop pm-govern"
dynamic="pm-ask pm-backup pm-gate pm-notify pm-pay pm-rollup pm-mqtt"

# What the linker made. A sanitizer's build (make check-asan) links them
# all dynamically, as its runtime needs the loader, and so does STATIC=0
# (make check-valgrind: memcheck sees no malloc in a static program).
shape() { # PROGRAM: static-pie, pie (dynamic) or what it is
	h=$(readelf -hlW "$1")
	case $h in *'Type:'*'DYN'*) ;; *) echo "not position-independent"; return ;; esac
	case $h in *'Requesting program interpreter'*) echo pie ;; *) echo static-pie ;; esac
}
if readelf -dW "$PM_BIN/pm-gate" | grep -q 'NEEDED.*lib[a-z]*san\.so' ||
	[ "$(cat "${PM_BIN%/bin}/gen/link" 2>/dev/null)" = dynamic ]; then want=pie; else want="static-pie"; fi
for p in $static; do
	expect_eq "$(shape "$PM_BIN/$p")" "$want" "$p is linked $want"
	[ "$want" = static-pie ] && expect_eq "$(readelf -dW "$PM_BIN/$p" | grep -c NEEDED)" 0 "and needs no shared library"
done
for p in $dynamic; do
	expect_eq "$(shape "$PM_BIN/$p")" pie "$p, which loads libcurl, libpq or libmosquitto, is a dynamic PIE"
done

# Address randomisation kept: two starts of a static program are mapped
# at different addresses (pm-meter ingest waiting on a FIFO for input).
mkfifo in.fifo
base() { # the address the kernel mapped pm-meter at
	pm-meter ingest 0<>in.fifo >/dev/null 2>&1 &
	_pid=$!
	_i=0
	while [ "$(readlink "/proc/$_pid/exe" 2>/dev/null)" != "$PM_BIN/pm-meter" ] && [ $_i -lt 200 ]; do
		sleep 0.05; _i=$((_i + 1))
	done
	grep -m1 "$PM_BIN/pm-meter" "/proc/$_pid/maps" | cut -d- -f1
	kill "$_pid"; wait "$_pid" 2>/dev/null
}
pm init -q --community 静态小区
a1=$(base) a2=$(base)
expect_eq "$(cat /proc/sys/kernel/randomize_va_space)|$([ -n "$a1" ] && [ "$a1" != "$a2" ] && echo differ)" "2|differ" \
	"pm-meter is mapped at a random address ($a1, $a2)"

# The installed copies.
run make -s -C "$PM_TOP" -o all B="${PM_BIN%/bin}" DESTDIR="$T/root" install
expect_rc 0 "make install (nothing built again)"
bin=$T/root/usr/local/bin
PM_LOCALEDIR=$T/root/usr/local/share/locale
export PM_LOCALEDIR
for p in pm pm-web pm-report; do
	expect_eq "$(shape "$bin/$p")" "$want" "the installed $p is linked $want"
done

# zh_CN: the installed catalogue, and libc's own messages (strerror).
(LC_ALL=zh_CN.UTF-8 "$bin/pm" unit show 1-1-999 >out 2>err)
expect_eq "$(cat err)" "pm: 没有房屋 '1-1-999'" "the installed pm speaks zh_CN"
(LC_ALL=zh_CN.UTF-8 "$bin/pm" unit import no-such.csv >out 2>err)
expect_eq "$(cat err)" 'pm: 无法打开 "no-such.csv"：没有那个文件或目录' "and libc's messages too"
# pm-web sets LC_MESSAGES alone (LC_CTYPE stays "C"): libc's messages
# quoted in its own still come as UTF-8, not a '?' for every character.
# A code asked for while the templates are missing says so in its log
# (a store of its own, which the checks below do not see).
form='login=zh1&csrf=abc'
(
	PM_DB=$T/zh.db
	export PM_DB
	"$bin/pm" init -q --community 静态小区
	echo '{"code":"PZ","name":"李静","phone":"13800000009"}' | "$bin/pm" person import -q
	printf 'pass-word-1\n' | "$bin/pm" user add zh1 --role owner --person PZ --password-stdin >/dev/null
	printf %s "$form" | PM_TEMPLATE_DIR=$T/no-templates GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST \
		PATH_INFO=/login/code CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=${#form} \
		SCRIPT_NAME=/pm REMOTE_ADDR=127.0.0.1 HTTP_COOKIE=pm_pre=abc "$bin/pm-web" >out 2>err
)
expect_eq "$(cat err)" "pm-web: POST /login/code: 没有模板 'login_code'（查找了 '$T/no-templates/login_code.yaml'：没有那个文件或目录）" \
	"pm-web quotes libc's messages in zh_CN too"

# GB18030 and GBK through iconv's modules, loaded at run time: the store
# holds the names as UTF-8, each character converted.
printf 'effective: 2026-01-01\ncommunity:\n  name: 静态小区\ngates:\n  north:\n    name: 北门\n' >pm.yaml
"$bin/pm" config apply -q pm.yaml
printf 'code,area,delivered\n1-1-0101,90,2020-01-01\n1-1-0102,88,2020-01-01\n' | "$bin/pm" unit import -q --format csv
printf 'code,name,unit\nP1,张伟,1-1-0101\nP2,𠀾欧阳,1-1-0102\n' | iconv -f UTF-8 -t GB18030 >people.gb18030.csv
printf 'code,name\nP3,镕基\n' | iconv -f UTF-8 -t GBK >people.gbk.csv
run "$bin/pm" person import people.gb18030.csv
expect_rc 65 "GB18030 read as UTF-8 is refused"
run "$bin/pm" person import --encoding GB18030 people.gb18030.csv
expect_rc 0 "the installed pm imports a GB18030 file"
run "$bin/pm" person import --encoding GBK people.gbk.csv
expect_rc 0 "and a GBK one"
expect_eq "$(sql "SELECT group_concat(code || '=' || name || '=' || hex(name), ' ') FROM (SELECT * FROM person ORDER BY code)")" \
	"P1=张伟=E5BCA0E4BC9F P2=𠀾欧阳=F0A080BEE6ACA7E998B3 P3=镕基=E99595E59FBA" \
	"every name in UTF-8, the four-byte GB18030 character too"

# A workbook: libxlsxwriter from the installed pm-report.
run "$bin/pm-report" collection --period 2026-11 --output c.xlsx
expect_rc 0 "the installed pm-report writes a workbook"
expect_eq "$(unzip -l c.xlsx | grep -c 'xl/worksheets/sheet1.xml')" 1 "with its sheet"

# A visitor's pass in pm-web as CGI, from the installed copy: an owner
# signs in and the pass's page carries pm-gate's own QR code of it.
printf '{"code":"P1","name":"张伟","unit":"1-1-0101"}\n' | "$bin/pm" person import -q
printf 'pass-1935-pw\n' | "$bin/pm" user add owner1 --role owner --person P1 --password-stdin >/dev/null
pm-gate -q visitor request --unit 1-1-0101 --name 访客 --from 2026-12-01T08:00:00+08:00 --until 2026-12-02T08:00:00+08:00 >/dev/null
pm-gate -q visitor approve 1 >/dev/null
cookie=
cgi() { # METHOD PATH [BODY]: one request, the response in ./resp
	_body=${3:-}
	printf '%s' "$_body" | env -i PATH="$PATH" PM_DB="$PM_DB" PM_NOW="$PM_NOW" PM_LOCALEDIR="$PM_LOCALEDIR" \
		GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD="$1" PATH_INFO="$2" SCRIPT_NAME=/pm REMOTE_ADDR=127.0.0.1 \
		HTTP_COOKIE="$cookie" CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=${#_body} \
		"$bin/pm-web" >resp 2>err
}
cgi GET /login
cookie=$(sed -n 's/^Set-Cookie: \(pm_pre=[^;]*\);.*/\1/p' resp)
csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' resp | head -1)
cgi POST /login "login=owner1&password=pass-1935-pw&csrf=$csrf"
expect_eq "$(head -1 resp | tr -d '\r')" "Status: 303 See Other" "owner1 signs in"
cookie=$(sed -n 's/^Set-Cookie: \(pm_session=[^;]*\);.*/\1/p' resp)
cgi GET /visitor/1
expect_eq "$(head -1 resp | tr -d '\r')|$(grep -c '<figure class="qr"><svg xmlns="http://www.w3.org/2000/svg"' resp)" \
	"Status: 200 OK|1" "the pass's page has its QR code"
pm-gate pass show 1 --qr-svg cli.svg >/dev/null
modules() { grep -o ' d="M[^"]*"' "$1" | md5sum | cut -c1-32; }
expect_eq "$(grep -c ' d="M' cli.svg)|$(modules resp)" "1|$(modules cli.svg)" "the same code as pm-gate pass show --qr-svg draws"
expect_eq "$(grep -c '已通过' resp)" 1 "in zh_CN's words"
done_testing
