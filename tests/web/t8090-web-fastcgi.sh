#!/bin/sh
# The same HTTP-level tests with pm-web as a FastCGI responder: lighttpd's
# mod_fastcgi starts two pm-web processes that keep the store open.
for t in "$PM_TOP"/tests/web/t80[0-4]*.sh; do
	echo "# $(basename "$t") in FastCGI mode"
	PM_WEB_MODE=fastcgi sh "$t" | sed "s/^\(not \)\{0,1\}ok [0-9]* - /&fastcgi: /"
done
