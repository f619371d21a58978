#!/bin/sh
# The README's other two servers, with the snippets of share/pm/web/ as
# shipped: pm-web behind nginx (fcgiwrap running it as CGI) and behind
# Apache (mod_cgid), through the basics, the signed callbacks, and the
# visitor and parking pages with their refusals of the wrong owner. (The
# whole authorization matrix, t8020, is the binary's and runs behind
# lighttpd.)
for mode in nginx apache; do
	for t in t8000-web-basics t8030-web-callback t8060-web-gate; do
		echo "# $t behind $mode"
		PM_WEB_MODE=$mode sh "$PM_TOP/tests/web/$t.sh" | sed "s/^\(not \)\{0,1\}ok [0-9]* - /&$mode: /"
	done
done
