#!/bin/sh
# make web-demo: the demo store behind lighttpd configured by the sample
# share/pm/web/lighttpd.conf, as the README tells; the logins it prints
# work and the style sheet is served.
. "$PM_TOP/tests/cli/lib.sh"

need_prog lighttpd
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
setsid sh "$PM_TOP/share/pm/examples/web-demo.sh" "$PM_BIN" "$port" >"$T/demo.out" 2>&1 &
demo=$!
trap 'kill -- -$demo 2>/dev/null; rm -rf "$T"' EXIT
for _i in $(seq 600); do
	curl -s -o /dev/null "$base/pm/login" && break
	sleep 0.2
done

expect_eq "$(head -1 "$T/demo.out")" "web-demo: $base/pm/" "it prints the address"

signin() { # LOGIN PASSWORD: the status of the sign-in
	rm -f "$T/jar"
	curl -s -c "$T/jar" -o "$T/body" "$base/pm/login"
	_t=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -1)
	curl -s -b "$T/jar" -c "$T/jar" -o /dev/null -w '%{http_code}' --data-urlencode "login=$1" \
		--data-urlencode "password=$2" --data-urlencode "csrf=$_t" "$base/pm/login"
}

owner=$(sed -n 's/^  owner: *\([^ ]*\) \/ \(.*\)$/\1 \2/p' "$T/demo.out")
# shellcheck disable=SC2086
expect_eq "$(signin $owner)" 303 "the owner's printed login signs in"
curl -s -b "$T/jar" -o "$T/body" "$base/pm/bills"
expect_eq "$(grep -c '<td>1-1-101</td>' "$T/body")" 1 "and sees the bills of unit 1-1-101"
pw=$(sed -n 's/^  staff:.* \/ //p' "$T/demo.out")
expect_eq "$(signin zhao.desk "$pw")" 303 "the front desk's printed login signs in"
curl -s -b "$T/jar" -o "$T/body" "$base/pm/tickets"
expect_eq "$(grep -c '<h1>工单</h1>' "$T/body")" 1 "and sees the ticket queue"
expect_eq "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$base/pm-static/pm.css")" \
	"200 text/css; charset=utf-8" "the style sheet is served from the sample's alias"
done_testing
