#!/bin/sh
# pm-backup and pm backup killed: a copy is never left without its
# manifest (a copy without one would be restored unchecked), whether the
# kill lands as the copy is written, as its manifest is written
# (tests/fault/killat.c, preloaded, kills the program as it opens that
# file) or at a random moment; the next run leaves a whole copy, its
# manifest naming its bytes, and removes what the killed one left: its
# parts in the destination and its private directory with a plain copy
# of the store on the way to encryption.
. "$PM_TOP/tests/cli/lib.sh"
SO=$PM_BIN/../killat.so
# pm is static: make tests links its twin dynamically, in dyn/bin.
[ -d "$PM_BIN/../dyn/bin" ] && PATH=$(cd "$PM_BIN/../dyn/bin" && pwd):$PATH
[ -f "$SO" ] || { echo "not ok 1 - $SO is built (make tests)"; exit 1; }
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
mkdir tmp
TMPDIR=$T/tmp
export ASAN_OPTIONS TMPDIR

run pm init
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "{\"code\":\"%d-1-%d\",\"area\":\"60.50\"}\n", int(i / 1000) + 1, 1000 + i % 1000 }' >u.jsonl
run pm unit import -q u.jsonl
expect_rc 0 "a store of 20,000 units"
mkdir dest

# Each copy in dest (and bk.db) with its manifest, whose sha256 is the copy's.
whole() {
	for f in dest/*.db bk.db; do
		[ -f "$f" ] || continue
		[ -f "$f.manifest" ] || { echo "$f has no manifest"; continue; }
		[ "$(sed 's/.*"sha256":"\([0-9a-f]*\)".*/\1/' "$f.manifest")" = "$(sha256sum "$f" | cut -d' ' -f1)" ] ||
			echo "$f is not what its manifest says"
	done
}

# A night a run, each its own name.
night=10
backup() { # [pm | OPTION...]: the run of this night, killed as it opens a file with $at in its name
	night=$((night + 1))
	if [ "${1:-}" = pm ]; then
		PM_NOW=2026-12-${night}T02:15:00+08:00 PM_KILLAT_OPEN=${at:-} LD_PRELOAD=$SO run pm backup bk.db
	else
		PM_NOW=2026-12-${night}T02:15:00+08:00 PM_KILLAT_OPEN=${at:-} LD_PRELOAD=$SO run pm-backup --to "$T/dest" -q "$@"
	fi
}

at=.db.part backup
expect_rc 137 "pm-backup killed as it writes the copy"
expect_eq "$(ls dest | grep -v '\.part[0-9]' | grep -c '\.db$')" 0 "leaves no copy"
at=.manifest.part backup
expect_rc 137 "pm-backup killed as it writes the manifest"
expect_eq "$(whole)" "" "leaves no copy without its manifest"
at= backup
expect_rc 0 "the next night's run"
expect_eq "$(ls dest | grep -c '\.db$') $(whole)" "1 " "leaves a whole copy"

at=.manifest.part backup pm
expect_rc 137 "pm backup FILE killed as it writes the manifest"
expect_eq "$(whole)" "" "leaves no copy without its manifest"
at= backup pm
expect_rc 0 "pm backup FILE again"
expect_eq "$(ls bk.db* | tr '\n' ' ')$(whole)" "bk.db bk.db.manifest " "a whole copy, the killed run's part gone"

# Killed as SQLite opens the copy's journal (the part is there), and as
# the encrypted copy is written (the plain copy waits in a directory of
# TMPDIR): the next run removes both.
at=-journal backup
expect_rc 137 "pm-backup killed as the copy is begun"
expect_eq "$(ls dest | grep -c '\.db\.part[0-9]*$')" 1 "leaves its part"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >backup.key
chmod 600 backup.key
printf 'effective: 2026-01-01\ncommunity:\n  name: 幸福里\nbackup:\n  key: file:%s/backup.key\n' "$T" >pm.yaml
run pm config apply pm.yaml
at=.db.enc.part backup --encrypt
expect_rc 137 "pm-backup --encrypt killed as it writes the encrypted copy"
expect_eq "$(ls tmp/pm-backup.*/*.db | wc -l)" 1 "leaves a plain copy in TMPDIR"
at= backup --encrypt
expect_rc 0 "the next night's run"
expect_eq "$(ls dest | grep -c '\.part') $(ls tmp | wc -l) $(ls dest | grep -c '\.db\.enc$')" "0 0 1" \
	"removes the killed runs' parts and directory, and leaves its encrypted copy"

# Kills at random moments over a run's length, each followed by a check.
t0=$(date +%s%N)
at= backup
ms=$((($(date +%s%N) - t0) / 1000000))
seed=${PM_FAULT_SEED:-$(date +%s)}
echo "# a run takes $ms ms; kills from seed $seed"
bad=
for at_ms in $(awk -v s="$seed" -v ms="$ms" 'BEGIN { srand(s); for (i = 0; i < 6; i++) printf "%d\n", int(rand() * ms) }'); do
	night=$((night + 1))
	PM_NOW=2026-12-${night}T02:15:00+08:00 pm-backup --to "$T/dest" -q >/dev/null 2>&1 &
	pid=$!
	sleep "$(echo "$at_ms" | awk '{ printf "%d.%03d", $1 / 1000, $1 % 1000 }')"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	w=$(whole)
	[ -z "$w" ] || bad="$bad killed at $at_ms ms: $w;"
done
expect_eq "$bad" "" "no kill leaves a copy without its manifest (seed $seed)"
at= backup
expect_rc 0 "and the run after them"
expect_eq "$(whole)" "" "leaves every copy whole"

done_testing
