#!/bin/sh
# make web-demo: the demo community (demo.sh) behind lighttpd on 127.0.0.1,
# configured by share/pm/web/lighttpd.conf as an office would be, running
# pm-web by CGI as the user who starts it. Ctrl-C stops it.
# Usage: web-demo.sh BINDIR [PORT]
set -eu
bin=$(cd "${1:-build/bin}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
share=$(cd "$here/.." && pwd)
port=${2:-8071}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT INT TERM
command -v lighttpd >/dev/null || { echo "web-demo: no lighttpd (make deps installs it)" >&2; exit 69; }

PM_NOW=${PM_NOW:-2026-12-01T09:00:00+08:00}
export PM_NOW
sh "$here/demo.sh" "$bin" "$dir/pm.db" >"$dir/demo.log" 2>&1 || { cat "$dir/demo.log" >&2; exit 1; }
PATH="$bin:$PATH" PM_DB="$dir/pm.db" sh -c '
	for u in wang.manager li.finance zhao.desk sun.tech; do
		echo demo-pass-1 | pm user passwd "$u"
	done' >/dev/null

# The sample configuration, with this machine's paths.
mkdir -p "$dir/www"
{
	printf 'server.document-root = "%s/www"\nserver.bind = "127.0.0.1"\nserver.port = %s\n' "$dir" "$port"
	printf 'server.errorlog = "%s/error.log"\n' "$dir"
	printf 'mimetype.assign = (".css" => "text/css; charset=utf-8", ".png" => "image/png")\n'
	sed '/^#/d' "$share/web/lighttpd.conf"
	printf 'setenv.add-environment += ("PM_NOW" => "%s")\n' "$PM_NOW"
} | sed -e "s|/usr/local/share/pm/web/|$share/web/|g" -e "s|/usr/local/bin/pm-web|$bin/pm-web|g" \
	-e "s|/var/lib/pm/pm.db|$dir/pm.db|g" >"$dir/lighttpd.conf"

echo "web-demo: http://127.0.0.1:$port/pm/"
echo "  owner:   owner.p0001 / demo-owner-1"
echo "  staff:   wang.manager (admin), li.finance, zhao.desk (front desk), sun.tech (technician) / demo-pass-1"
echo "  Ctrl-C stops it"
lighttpd -D -f "$dir/lighttpd.conf"
