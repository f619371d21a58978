#!/bin/sh
# Runs the suites against the build in $1 and prints one closing line,
# "N passed, N failed", exiting non-zero on any failure.
# PM_SUITES picks suites (default: unit cli fuzz web); PM_WRAP prefixes
# every program the CLI tests run (valgrind); PM_FUZZ_SECONDS sets the
# length of each fuzz run (default 3, a smoke; make fuzz gives 60); PM_ONLY (a shell pattern) picks CLI tests
# by name, e.g. PM_ONLY='t1*'.
B=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$B" && pwd) || exit 2
suites=${PM_SUITES:-unit cli fuzz web}
log=$(mktemp -d) || exit 2
trap 'rm -rf "$log"' EXIT
pass=0 fail=0
failed=

add() { # passed failed name
	pass=$((pass + $1)); fail=$((fail + $2))
	[ "$2" -gt 0 ] && failed="$failed $3"
}

count() { # file: sums "ok"/"not ok" lines
	p=$(grep -c '^ok ' "$1"); f=$(grep -c '^not ok ' "$1")
	echo "$p $f"
}

for s in $suites; do
	case $s in
	unit)
		for t in "$B"/tests/test_*; do
			[ -x "$t" ] || continue
			n=$(basename "$t")
			PM_VECTORS="$top/tests/vectors/meter-frames.txt" "$t" >"$log/$n" 2>&1; rc=$?
			p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log/$n" | awk '{s+=$1} END {print s+0}')
			f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log/$n" | awk '{s+=$1} END {print s+0}')
			[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
			[ "$f" -gt 0 ] && cat "$log/$n"
			echo "unit $n: $p passed, $f failed"
			add "$p" "$f" "$n"
		done ;;
	cli)
		for t in "$top"/tests/cli/t[0-9]*.sh; do
			[ -f "$t" ] || continue
			n=$(basename "$t" .sh)
			# shellcheck disable=SC2254
			case $n in ${PM_ONLY:-*}) ;; *) continue ;; esac
			PM_BIN="$B/bin" PM_LOCALEDIR="$B/locale" PM_TOP="$top" sh "$t" >"$log/$n" 2>&1; rc=$?
			set -- $(count "$log/$n"); p=$1 f=$2
			[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
			[ "$f" -gt 0 ] && cat "$log/$n"
			echo "cli $n: $p passed, $f failed"
			add "$p" "$f" "$n"
		done ;;
	fuzz)
		for t in "$B"/fuzz/fuzz_*; do
			[ -x "$t" ] || continue
			n=$(basename "$t")
			corpus="$log/corpus-$n"; mkdir -p "$corpus"
			seeds="$top/tests/fuzz/corpus/${n#fuzz_}"
			# Every target starts from its seeds: without them a short
			# run never gets past the first bytes of the format.
			if ! [ -d "$seeds" ]; then
				echo "fuzz $n: FAILED (no seed corpus tests/fuzz/corpus/${n#fuzz_})"
				add 0 1 "$n"
				continue
			fi
			"$t" -max_total_time="${PM_FUZZ_SECONDS:-3}" -rss_limit_mb=1024 "$corpus" "$seeds" >"$log/$n" 2>&1
			if [ $? -eq 0 ]; then add 1 0 "$n"; r=ok; else tail -40 "$log/$n"; add 0 1 "$n"; r=FAILED; fi
			echo "fuzz $n: $r ($(grep -o 'Done [0-9]* runs' "$log/$n"))"
		done ;;
	web)
		for t in "$top"/tests/web/t[0-9]*.sh "$top"/tests/web/attack/t[0-9]*.sh; do
			[ -f "$t" ] || continue
			n=$(basename "$t" .sh)
			PM_BIN="$B/bin" PM_LOCALEDIR="$B/locale" PM_TOP="$top" sh "$t" >"$log/$n" 2>&1; rc=$?
			set -- $(count "$log/$n"); p=$1 f=$2
			[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
			[ "$f" -gt 0 ] && cat "$log/$n"
			echo "web $n: $p passed, $f failed"
			add "$p" "$f" "$n"
		done ;;
	esac
done
[ -n "$failed" ] && echo "failing:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
