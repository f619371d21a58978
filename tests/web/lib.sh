# Harness for the web tests: the CLI harness (tests/cli/lib.sh), plus a
# store made for the web and a real lighttpd on a free loopback port
# running pm-web as www-data, the service account, by CGI (mod_cgi) or,
# with PM_WEB_MODE=fastcgi, FastCGI (mod_fastcgi, which starts pm-web
# itself); PM_WEB_MODE=nginx puts nginx and fcgiwrap in its place, and
# PM_WEB_MODE=apache Apache with mod_cgid, each with the snippet of
# share/pm/web/. Needs root (the servers drop to www-data); skips otherwise.
# A server or chromium missing fails the test: make deps installs them.
#
#   web_store            a community in $PM_DB with units, people, users
#                        (passwords in $PW), the example config and the
#                        month's bills
#   web_owner4_store     web_store, and owner4 (赵敏) of 3-2-1101
#   web_owner4_pages_store  and a ticket, an announcement, a vote, a group buy
#   web_start            lighttpd up; $BASE is http://127.0.0.1:PORT/pm
#   web_stop             lighttpd down (done at exit too)
#   get PATH [CURL...]   GET as the cookie jar $JAR; body in $T/body,
#                        headers in $T/head, status in $code
#   post PATH [FIELD=VALUE...] POST a form, the CSRF token of the last
#                        page fetched added (csrf= given overrides it)
#   upload PATH [-F ...] POST a multipart form, with that token
#   signin LOGIN [JAR]   a session for LOGIN in its own jar
#   expect_code N DESC   the last request answered N
#   expect_body GREP DESC / expect_head GREP DESC
#   csrf                 the CSRF token of the last page ($T/body)
. "$PM_TOP/tests/cli/lib.sh"

PM_WEB_MODE=${PM_WEB_MODE:-cgi}
case $PM_WEB_MODE in
nginx) _servers="nginx fcgiwrap" ;;
apache) _servers=apache2 ;;
*) _servers=lighttpd ;;
esac
need_prog $_servers
PATH=$PATH:/usr/sbin
need_accounts www-data
PW=web-pass-2026
PM_NOW=2026-12-01T09:00:00+08:00
PM_CALLBACK_WECHAT=cb-secret-wechat
export PM_NOW PM_CALLBACK_WECHAT
JAR=$T/jar
code=0
_lighttpd= _fcgiwrap=

trap 'web_stop; rm -rf "$T"; _accounts_done' EXIT

# The store every web test starts from, made in DIR: nine accounts whose
# passwords take 0.2 s each to hash, so a run of the suite makes it once
# for each PM_NOW in PM_TEST_CACHE (tests/run.sh) and each test copies it.
_web_store_make() { # DIR
	mkdir -p "$1"
	chgrp www-data "$1"
	chmod 2770 "$1"
	PM_DB=$1/pm.db
	pm init --community 幸福里小区 --group www-data >/dev/null 2>&1 || { echo "not ok - pm init"; exit 1; }
	pm config apply -q "$PM_TOP/share/pm/examples/pm.yaml" || { echo "not ok - config"; exit 1; }
	printf '%s\n' '{"code":"1-1-101","area":"89.50","delivered":"2019-06-30"}' \
		'{"code":"1-1-102","area":"120.00","delivered":"2019-06-30"}' \
		'{"code":"2-1-101","area":"75.00","delivered":"2019-06-30"}' | pm unit import -q
	printf '%s\n' '{"code":"P1","name":"张伟","phone":"13800000001","unit":"1-1-101"}' \
		'{"code":"P2","name":"李娜","phone":"13800000002","unit":"1-1-102"}' \
		'{"code":"P3","name":"王芳","phone":"13800000003"}' | pm person import -q
	for u in "owner1 owner --person P1" "owner2 owner --person P2" "owner3 owner --person P3" \
		 "desk frontdesk" "tech technician" "tech2 technician" "fin finance" "guard guard" "boss admin"; do
		# shellcheck disable=SC2086
		set -- $u
		l=$1; r=$2; shift 2
		printf '%s\n' "$PW" | pm user add "$l" --role "$r" "$@" --password-stdin >/dev/null ||
			{ echo "not ok - user $l"; exit 1; }
	done
	pm user add web --role service --unix www-data >/dev/null
	pm-bill run -q --period 2026-11 >/dev/null && pm-bill issue -q --period 2026-11 >/dev/null
}

web_store() {
	if [ -n "${PM_TEST_CACHE:-}" ]; then
		_made=$PM_TEST_CACHE/web-store-$(printf %s "$PM_NOW" | tr -c 'A-Za-z0-9' _)
		if ! [ -d "$_made" ]; then
			_web_store_make "$_made.$$"
			# Two tests may make it at once: the first rename wins.
			mv -T "$_made.$$" "$_made" 2>/dev/null || rm -rf "$_made.$$"
		fi
		cp -a "$_made" "$T/store"
	else
		_web_store_make "$T/store"
	fi
	PM_DB=$T/store/pm.db
	# The web front end's files must be www-data's to read.
	mkdir -p "$T/cgi-bin" "$T/www" "$T/log"
	cp "$PM_BIN/pm-web" "$T/cgi-bin/pm-web"
	cp -R "$PM_TOP/share/pm/web" "$T/static"
	cp -R "$PM_TOP/share/pm/templates" "$T/templates"
	[ -d "${PM_LOCALEDIR:-}" ] && cp -R "$PM_LOCALEDIR" "$T/locale"
	chown www-data "$T/log"
	chmod -R a+rX "$T/cgi-bin" "$T/static" "$T/templates" "$T/www"
	[ -d "$T/locale" ] && chmod -R a+rX "$T/locale"
}

# web_store, and 3-2-1101 (98 m², in building 3) of 赵敏 (P4, phone
# 13900000004), who signs in as owner4.
web_owner4_store() {
	web_store
	echo '{"code":"3-2-1101","area":"98.00","delivered":"2019-06-30"}' | pm unit import -q
	echo '{"code":"P4","name":"赵敏","phone":"13900000004","unit":"3-2-1101"}' | pm person import -q
	printf '%s\n' "$PW" | pm user add owner4 --role owner --person P4 --password-stdin >/dev/null ||
		{ echo "not ok - user owner4"; exit 1; }
}

# web_owner4_store, and something on each of owner4's pages: 3-2-1101's
# bill B-2026-11-3-2-1101 and its ticket 1, announcement 1 to building
# 3, vote 1 and the group buy AP.
web_owner4_pages_store() {
	web_owner4_store
	pm-bill run -q --period 2026-11 >/dev/null && pm-bill issue -q --period 2026-11 >/dev/null ||
		echo "not ok - 3-2-1101's bill"
	pm-repair submit -q --unit 3-2-1101 --category plumbing --text 厨房水管漏水 >/dev/null ||
		echo "not ok - the ticket"
	echo '12 月 3 日 9:00 至 12:00 三号楼停水，请提前储水。' >"$T/ann.txt"
	pm-notify announce -q --title 停水通知 --body "$T/ann.txt" --to building:3 >/dev/null ||
		echo "not ok - the announcement"
	pm-govern -q vote new --title 续聘物业服务企业 --matter manager --closes 2026-12-31 >/dev/null ||
		echo "not ok - the vote"
	pm-shop merchant M1 --name 鲜果坊 --commission 250 -q >/dev/null
	pm-shop offer AP --merchant M1 --title 烟台苹果 --price 39.90 --unit-name 箱 --deadline 2026-12-20 --min-group 2 \
		--stock 10 --pickup-point 东门快递柜旁 --pickup-at "12月22日 18:00-20:00" -q >/dev/null ||
		echo "not ok - the group buy"
}

# web_store, and owner1 (张伟) owns the parking space 1-1-B01 too, whose
# bill B-2026-11-1-1-B01 owes 80.00 of parking; 1-1-101 and 1-1-102 have
# 500 points each for their first online payment.
web_points_store() {
	web_store
	sed 's/first_online_payment: 50$/first_online_payment: 500/' "$PM_TOP/share/pm/examples/pm.yaml" >"$T/pm.yaml"
	pm config apply -q "$T/pm.yaml" || echo "not ok - the config with 500 points"
	echo '{"code":"1-1-B01","area":"12","use":"parking","floor":-1,"delivered":"2019-06-30"}' | pm unit import -q
	echo '{"code":"P1","name":"张伟","unit":"1-1-B01"}' | pm person import -q
	pm-bill run -q --period 2026-11 >/dev/null 2>&1 && pm-bill issue -q --period 2026-11 >/dev/null
	pm-bill pay --unit 1-1-101 --amount 1 --channel alipay --ref AL-1 -q >/dev/null
	pm-bill pay --unit 1-1-102 --amount 1 --channel wechat --ref WX-2 -q >/dev/null
	pm-bill rewards -q --as-of 2026-12-01 >/dev/null
	expect_eq "$(sql "SELECT group_concat(l.fee || ':' || l.amount_fen, ' ') FROM bill_line l JOIN bill b ON b.id = l.bill_id
		WHERE b.code = 'B-2026-11-1-1-B01'")" "parking:8000" "the space's bill: 80.00 parking"
}

_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_env_pairs() { # lighttpd's list of the environment pm-web gets
	printf '"PM_DB" => "%s", "PM_NOW" => "%s", "PM_TEMPLATE_DIR" => "%s/templates", "PM_LOCALEDIR" => "%s/locale", "PM_CALLBACK_WECHAT" => "%s"' \
		"$PM_DB" "$PM_NOW" "$T" "$T" "$PM_CALLBACK_WECHAT"
	[ -z "${PM_BUSY_TIMEOUT:-}" ] || printf ', "PM_BUSY_TIMEOUT" => "%s"' "$PM_BUSY_TIMEOUT"
}

# The shipped snippet (share/pm/web/nginx.conf, apache.conf) with this
# test's paths, and the environment pm-web gets from the server.
_snippet() { # FILE
	sed -e "s|/usr/local/share/pm/web/|$T/static/|g" -e "s|/usr/local/bin/pm-web|$T/cgi-bin/pm-web|g" \
		-e "s|/var/lib/pm/pm.db|$PM_DB|g" -e "s|/run/fcgiwrap.socket|$T/log/fcgiwrap.sock|g" "$1"
}

# nginx runs no programs: fcgiwrap, as www-data, runs pm-web as CGI.
_nginx_start() {
	cp /etc/nginx/fastcgi_params "$T/fastcgi_params"
	for v in PM_NOW:"$PM_NOW" PM_TEMPLATE_DIR:"$T/templates" PM_LOCALEDIR:"$T/locale" PM_CALLBACK_WECHAT:"$PM_CALLBACK_WECHAT"; do
		printf 'fastcgi_param %s %s;\n' "${v%%:*}" "${v#*:}"
	done >>"$T/fastcgi_params"
	{
		printf 'daemon off;\nuser www-data www-data;\nworker_processes 2;\npid %s/log/nginx.pid;\n' "$T"
		printf 'error_log %s/log/error.log;\nevents { worker_connections 256; }\nhttp {\n' "$T"
		printf 'types { text/css css; image/png png; }\naccess_log off;\n'
		for d in client_body fastcgi proxy uwsgi scgi; do printf '%s_temp_path %s/log/%s;\n' $d "$T" $d; done
		printf 'server {\nlisten 127.0.0.1:%s;\nroot %s/www;\n' "$port" "$T"
		_snippet "$PM_TOP/share/pm/web/nginx.conf"
		printf '}\n}\n'
	} >"$T/nginx.conf"
	# fcgiwrap's workers outlive their parent: a group of their own, ended
	# together.
	setsid setpriv --reuid=www-data --regid=www-data --clear-groups \
		fcgiwrap -c 4 -s "unix:$T/log/fcgiwrap.sock" >>"$T/log/fcgiwrap.out" 2>&1 &
	_fcgiwrap=$!
	# nginx answers 502 until the socket is there: wait for it first.
	for _i in $(seq 50); do
		[ -S "$T/log/fcgiwrap.sock" ] && break
		sleep 0.1
	done
	nginx -p "$T" -c "$T/nginx.conf" 2>>"$T/log/lighttpd.out" &
	_lighttpd=$!
}

# Apache httpd with mod_cgid, running pm-web as www-data.
_apache_start() {
	m=/usr/lib/apache2/modules
	{
		for mod in mpm_event authz_core alias cgid env mime; do
			printf 'LoadModule %s_module %s/mod_%s.so\n' "$mod" "$m" "$mod"
		done
		printf 'ServerName 127.0.0.1\nListen 127.0.0.1:%s\nPidFile %s/log/apache.pid\n' "$port" "$T"
		printf 'ErrorLog %s/log/error.log\nUser www-data\nGroup www-data\nScriptSock %s/log/cgid.sock\n' "$T" "$T"
		printf 'Mutex file:%s/log\nDocumentRoot %s/www\nTypesConfig /etc/mime.types\n' "$T" "$T"
		printf 'SetEnv PM_NOW %s\nSetEnv PM_TEMPLATE_DIR %s/templates\nSetEnv PM_LOCALEDIR %s/locale\n' "$PM_NOW" "$T" "$T"
		printf 'SetEnv PM_CALLBACK_WECHAT %s\n' "$PM_CALLBACK_WECHAT"
		_snippet "$PM_TOP/share/pm/web/apache.conf"
	} >"$T/apache.conf"
	apache2 -DFOREGROUND -f "$T/apache.conf" 2>>"$T/log/lighttpd.out" &
	_lighttpd=$!
}

web_start() {
	port=$(_free_port)
	case $PM_WEB_MODE in
	nginx) _nginx_start; _web_wait; return ;;
	apache) _apache_start; _web_wait; return ;;
	esac
	{
		printf 'server.document-root = "%s/www"\nserver.port = %s\nserver.bind = "127.0.0.1"\n' "$T" "$port"
		printf 'server.username = "www-data"\nserver.groupname = "www-data"\n'
		printf 'server.errorlog = "%s/log/error.log"\nserver.breakagelog = "%s/log/cgi.log"\n' "$T" "$T"
		printf 'server.max-request-size = 65536\n'
		printf 'mimetype.assign = (".css" => "text/css; charset=utf-8", ".png" => "image/png")\n'
		if [ "$PM_WEB_MODE" = fastcgi ]; then
			printf 'server.modules = ("mod_alias", "mod_fastcgi")\n'
			printf 'alias.url = ("/pm-static/" => "%s/static/")\n' "$T"
			printf '$HTTP["url"] =~ "^/pm(/|$)" {\n'
			printf 'fastcgi.server = ("/pm" => (("socket" => "%s/log/pm-web.sock", "bin-path" => "%s/cgi-bin/pm-web",\n' "$T" "$T"
			printf '  "check-local" => "disable", "max-procs" => 2, "bin-environment" => (%s))))\n}\n' "$(_env_pairs)"
		else
			printf 'server.modules = ("mod_alias", "mod_setenv", "mod_cgi")\n'
			printf 'alias.url = ("/pm-static/" => "%s/static/", "/pm" => "%s/cgi-bin/pm-web")\n' "$T" "$T"
			printf '$HTTP["url"] =~ "^/pm(/|$)" { cgi.assign = ("" => "") }\n'
			printf 'setenv.add-environment = (%s)\n' "$(_env_pairs)"
		fi
	} >"$T/lighttpd.conf"
	lighttpd -D -f "$T/lighttpd.conf" 2>>"$T/log/lighttpd.out" &
	_lighttpd=$!
	_web_wait
}

_web_wait() {
	BASE=http://127.0.0.1:$port/pm
	for _i in $(seq 50); do
		# A front server up before its CGI runner answers 502 or 503.
		case $(curl -s -o /dev/null -w '%{http_code}' "$BASE/login") in
		000 | 502 | 503) ;;
		*) return 0 ;;
		esac
		sleep 0.1
	done
	echo "not ok - lighttpd did not start"
	cat "$T/log/error.log" "$T/log/lighttpd.out" 2>/dev/null
	exit 1
}

web_stop() {
	[ -n "$_lighttpd" ] && kill "$_lighttpd" 2>/dev/null && wait "$_lighttpd" 2>/dev/null
	[ -n "$_fcgiwrap" ] && kill -- "-$_fcgiwrap" 2>/dev/null && wait "$_fcgiwrap" 2>/dev/null
	_lighttpd= _fcgiwrap=
}

get() { # PATH [CURL ARGS...]
	_p=$1; shift
	code=$(curl -s -b "$JAR" -c "$JAR" -D "$T/head" -o "$T/body" -w '%{http_code}' "$@" "$BASE$_p")
}

csrf() {
	sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -1
}

post() { # PATH [FIELD=VALUE...]
	_p=$1; shift
	_has=0
	for _f; do case $_f in csrf=*) _has=1 ;; esac; done
	[ "$_has" = 1 ] || set -- "$@" "csrf=$(csrf)"
	for _f; do set -- "$@" --data-urlencode "$_f"; shift; done
	code=$(curl -s -b "$JAR" -c "$JAR" -D "$T/head" -o "$T/body" -w '%{http_code}' "$@" "$BASE$_p")
}

upload() { # PATH [CURL -F ARGS...]: a multipart form with the page's CSRF token
	_p=$1; shift
	code=$(curl -s -b "$JAR" -c "$JAR" -D "$T/head" -o "$T/body" -w '%{http_code}' -F "csrf=$(csrf)" "$@" "$BASE$_p")
}

signin() { # LOGIN [JAR]
	JAR=${2:-$T/jar.$1}
	rm -f "$JAR"
	get /login
	post /login "login=$1" "password=$PW"
	[ "$code" = 303 ] || { echo "# signin $1: $code"; return 1; }
}

expect_code() {
	if [ "$code" = "$1" ]; then _report 1 "$2"; else
		_report 0 "$2" "status $code, want $1
$(grep -o 'class="note[^<]*<' "$T/body" | head -3)
$(tail -3 "$T/log/error.log" 2>/dev/null)"; fi
}

expect_body() {
	if grep -qE -- "$1" "$T/body"; then _report 1 "$2"; else
		_report 0 "$2" "body lacks /$1/:
$(head -c 1200 "$T/body")"; fi
}

expect_head() {
	if grep -qiE -- "$1" "$T/head"; then _report 1 "$2"; else
		_report 0 "$2" "headers lack /$1/:
$(cat "$T/head")"; fi
}

# A payment channel's callback: sign BODY [SECRET] is the hex HMAC-SHA256
# a channel signs with; wechat_callback BODY [SIGNATURE] posts BODY to
# /callback/wechat signed (or with SIGNATURE, "" for none): status in
# $code, body and headers as for get; cart_of the order number the last
# answer's Location names.
sign() { printf %s "$1" | openssl dgst -sha256 -hmac "${2:-$PM_CALLBACK_WECHAT}" | sed 's/^.*= //'; }
wechat_callback() {
	code=$(curl -s -o "$T/body" -D "$T/head" -w '%{http_code}' -H 'Content-Type: application/json' \
		-H "X-PM-Signature: ${2-$(sign "$1")}" --data-binary "$1" "$BASE/callback/wechat")
}
cart_of() { sed -n 's|^Location: /pm/cart/\(SO[0-9a-f]*\).*|\1|p' "$T/head" | tr -d '\r'; }

# Headless Chromium tests: need_browser fails the test when there is no
# chromium; browser_checks runs the driver tests/web/SCRIPT (browser.py's
# run) against $BASE, each of its PASS or FAIL lines a check.
need_browser() {
	need_prog 'chromium|chromium-browser'
}

browser_checks() { # SCRIPT SHOTS [ARGS...]
	_script=$1 _shots=$2
	shift 2
	python3 -B "$PM_TOP/tests/web/$_script" "$BASE" "$_shots" "$PW" "$@" >"$T/browser" 2>&1
	while read -r verdict what; do
		case $verdict in
		PASS) _report 1 "$what" ;;
		FAIL) _report 0 "$what" ;;
		*) _report 0 "$_script: $verdict $what" ;;
		esac
	done <"$T/browser"
}
