#!/bin/sh
# Installs the Debian packages pm needs to build and test, only those missing.
pkgs="build-essential pkg-config libsqlite3-dev sqlite3 libjansson-dev libyaml-dev
libcurl4-openssl-dev libcmocka-dev libsodium-dev libxlsxwriter-dev libqrencode-dev
gettext clang locales valgrind python3 time python3-aiosmtpd unzip zsh fish
libmosquitto-dev mosquitto libssl-dev openssl python3-cryptography chromium fonts-noto-cjk
cppcheck clang-tidy nginx fcgiwrap apache2 strace openssh-server libpq-dev postgresql
lighttpd libfcgi-dev wrk"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
if [ -n "$missing" ]; then
	echo "deps: installing$missing" >&2
	$sudo apt-get update -qq || exit 1
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null || exit 1
fi
# The zh_CN messages need the locale itself to exist.
if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	echo "deps: generating the zh_CN.UTF-8 locale" >&2
	$sudo localedef -i zh_CN -f UTF-8 zh_CN.UTF-8 || exit 1
fi
exit 0
