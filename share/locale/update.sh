#!/bin/sh
# Re-extracts the messages of pm's sources and merges them into every
# catalogue here (msgmerge --update), then says how many messages of each
# are untranslated or fuzzy: translate those, check the fuzzy ones against
# their new English and remove their "#, fuzzy" line.
#
#   sh share/locale/update.sh
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
pot=$(mktemp "${TMPDIR:-/tmp}/pm.pot.XXXXXX")
trap 'rm -f "$pot"' EXIT

xgettext --from-code=UTF-8 -k_ -kN_ -kNC_:1c,2 -c --language=C --package-name=pm \
	-o "$pot" lib/*.c cmd/*.c include/pm/*.h
for po in share/locale/*.po; do
	msgmerge --quiet --update --backup=none --previous "$po" "$pot"
	untranslated=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
	fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)
	# Each count includes the header entry when there is anything to count.
	[ "$untranslated" -gt 0 ] && untranslated=$((untranslated - 1))
	[ "$fuzzy" -gt 0 ] && fuzzy=$((fuzzy - 1))
	echo "$po: $(msgfmt --check --statistics -o /dev/null "$po" 2>&1)"
	echo "$po: $untranslated untranslated, $fuzzy fuzzy"
done
