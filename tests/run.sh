#!/bin/sh
# Runs the suites against the build in $1 and prints one closing line,
# "N passed, N failed", exiting non-zero on any failure.
#
# PM_SUITES picks suites (default: unit cli fuzz web; lint, which make
# check adds, runs make lint in pieces); PM_ONLY (shell patterns, space
# separated) picks CLI and web tests by name, e.g. PM_ONLY='t1* t80*'; PM_JOBS runs that many
# tests at once (default: the number of CPUs; PM_JOBS=1 runs one after
# another); PM_WRAP prefixes every program the CLI tests run (valgrind);
# PM_FUZZ_SECONDS sets the length of each fuzz run (default 3, a smoke;
# make fuzz gives 60).
#
# Each test's output is printed whole when it ends, so that tests running
# side by side do not interleave. The slowest tests start first: each run
# keeps every test's wall time in $1/test-times for the next (a test not
# timed yet counts as its suite's usual length), and the ten slowest are
# listed before the closing line.
B=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$B" && pwd) || exit 2
suites=${PM_SUITES:-unit cli fuzz web}
jobs=${PM_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $jobs in '' | *[!0-9]* | 0) echo "run.sh: PM_JOBS must be a positive number" >&2; exit 2 ;; esac
log=$(mktemp -d) || exit 2
trap 'rm -rf "$log"' EXIT
# The web tests' servers run as www-data inside the tests' directories.
chmod 755 "$log"
# What tests make once a run and copy (tests/web/lib.sh web_store).
mkdir "$log/cache" || exit 2
pass=0 fail=0
failed=
# Lint pieces run and clean: a piece counts no checks, yet a clean lint
# run alone is a success (PM_SUITES=lint).
lint_n=0 lint_ok=0

add() { # passed failed name
	pass=$((pass + $1)); fail=$((fail + $2))
	[ "$2" -gt 0 ] && failed="$failed $3"
}

count() { # file: sums "ok"/"not ok" lines
	p=$(grep -c '^ok ' "$1"); f=$(grep -c '^not ok ' "$1")
	echo "$p $f"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ---- what to run: one line a test, "suite name path" ----

# The lint suite: make lint over a few files each, side by side with the
# tests (it is CPU-bound, and each file is checked on its own anyway).
lint_pieces() {
	# shellcheck disable=SC2046
	set -- $(make -s --no-print-directory -C "$top" lint-src)
	k=0
	while [ $# -gt 0 ]; do
		k=$((k + 1)); files=
		i=0
		while [ $# -gt 0 ] && [ $i -lt 12 ]; do files="$files $1"; shift; i=$((i + 1)); done
		echo "$files" >"$log/lint-$k.files"
		echo "lint lint-$k $log/lint-$k.files"
	done
	return 0
}

list() {
	for s in $suites; do
		case $s in
		unit) for t in "$B"/tests/test_*; do [ -x "$t" ] && echo "unit ${t##*/} $t"; done ;;
		cli | web)
			if [ "$s" = cli ]; then set -- "$top"/tests/cli/t[0-9]*.sh
			else set -- "$top"/tests/web/t[0-9]*.sh "$top"/tests/web/attack/t[0-9]*.sh; fi
			for t; do
				[ -f "$t" ] || continue
				n=${t##*/}; n=${n%.sh}
				# PM_ONLY's words are patterns, not file names to expand.
				set -f
				# shellcheck disable=SC2254
				for pat in ${PM_ONLY:-*}; do case $n in $pat) echo "$s $n $t"; break ;; esac; done
				set +f
			done ;;
		fuzz) for t in "$B"/fuzz/fuzz_*; do [ -x "$t" ] && echo "fuzz ${t##*/} $t"; done ;;
		lint) lint_pieces ;;
		*) echo "run.sh: no suite '$s' (there are unit cli fuzz web lint)" >&2; exit 2 ;;
		esac
	done
	return 0
}

# Longest first, by the last run's times; a test without one gets its
# suite's usual time (the browser suites are the long ones).
order() {
	awk -v times="$B/test-times" '
	BEGIN { while ((getline l < times) > 0) { split(l, f, " "); ms[f[2] " " f[3]] = f[1] }
		guess["web"] = 30000; guess["lint"] = 30000; guess["cli"] = 4000
		guess["fuzz"] = 3500; guess["unit"] = 500 }
	{ k = $1 " " $2; t = (k in ms) ? ms[k] : guess[$1]; printf "%d %d %s\n", t, NR, $0 }' |
		sort -k1,1nr -k2,2n | cut -d' ' -f3-
}

# ---- one test: its output to $log/ID.out, what to print to $log/ID.rep,
# "passed failed ms" to $log/ID.res ----

run_one() { # id suite name path
	id=$1 s=$2 n=$3 t=$4 out=$log/$1.out
	t0=$(now_ms)
	case $s in
	unit)
		PM_VECTORS="$top/tests/vectors/meter-frames.txt" "$t" >"$out" 2>&1; rc=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
		[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
		{ [ "$f" -gt 0 ] && cat "$out"; echo "unit $n: $p passed, $f failed"; } >"$log/$id.rep" ;;
	cli | web)
		PM_BIN="$B/bin" PM_LOCALEDIR="$B/locale" PM_TOP="$top" PM_TEST_CACHE="$log/cache" sh "$t" >"$out" 2>&1; rc=$?
		set -- $(count "$out"); p=$1 f=$2
		[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
		{ [ "$f" -gt 0 ] && cat "$out"; echo "$s $n: $p passed, $f failed"; } >"$log/$id.rep" ;;
	fuzz)
		corpus="$log/corpus-$n"; mkdir -p "$corpus"
		seeds="$top/tests/fuzz/corpus/${n#fuzz_}"
		# Every target starts from its seeds: without them a short
		# run never gets past the first bytes of the format.
		if ! [ -d "$seeds" ]; then
			p=0 f=1
			echo "fuzz $n: FAILED (no seed corpus tests/fuzz/corpus/${n#fuzz_})" >"$log/$id.rep"
		elif "$t" -max_total_time="${PM_FUZZ_SECONDS:-3}" -rss_limit_mb=1024 "$corpus" "$seeds" >"$out" 2>&1; then
			p=1 f=0
			echo "fuzz $n: ok ($(grep -o 'Done [0-9]* runs' "$out"))" >"$log/$id.rep"
		else
			p=0 f=1
			{ tail -40 "$out"; echo "fuzz $n: FAILED ($(grep -o 'Done [0-9]* runs' "$out"))"; } >"$log/$id.rep"
		fi ;;
	lint)
		# Counted only when it fails: the passed count stays the tests'.
		p=0 f=0
		# shellcheck disable=SC2046
		make -s --no-print-directory -C "$top" B="$B" lint LINT_SRC="$(cat "$t")" >"$out" 2>&1 || f=1
		set -- $(cat "$t")
		eval "last=\${$#}"
		{ [ "$f" -gt 0 ] && cat "$out"; if [ "$f" -gt 0 ]; then r=FAILED; else r=ok; fi
		  echo "lint $1 .. $last ($# files): $r"; } >"$log/$id.rep" ;;
	esac
	# CPU time of the test's processes (those it waited for).
	times >"$log/$id.times"
	cpu=$(awk 'NR == 2 { gsub(/[ms]/, " "); print int(($1 * 60 + $2 + $3 * 60 + $4) * 1000) }' "$log/$id.times")
	echo "$p $f $(($(now_ms) - t0)) $cpu" >"$log/$id.res"
}

# ---- the pool: a FIFO holds one token a free slot; a test ending puts
# its id back as its token, and this shell prints its report ----

fifo=$log/slots
mkfifo "$fifo" || exit 2
exec 7<>"$fifo"
i=0
while [ $i -lt "$jobs" ]; do echo - >&7; i=$((i + 1)); done

list >"$log/list" || exit 2
order <"$log/list" >"$log/queue"
: >"$log/times"

finish() { # id: print the test's report, count it
	read -r js jn _ <"$log/$1.job"
	read -r jp jf ms cpu <"$log/$1.res" 2>/dev/null || { jp=0 jf=1 ms=0 cpu=0; echo "$js $jn: did not report"; }
	cat "$log/$1.rep" 2>/dev/null
	add "$jp" "$jf" "$jn"
	[ "$js" = lint ] && { lint_n=$((lint_n + 1)); [ "$jf" -eq 0 ] && lint_ok=$((lint_ok + 1)); }
	echo "$ms $js $jn $cpu" >>"$log/times"
}

started=0 ended=0 start=$(now_ms)
while read -r s n t; do
	read -r tok <&7
	[ "$tok" != - ] && { finish "$tok"; ended=$((ended + 1)); }
	started=$((started + 1))
	echo "$s $n $t" >"$log/$started.job"
	# The test gets neither the pool's FIFO nor this loop's stdin.
	(run_one "$started" "$s" "$n" "$t" 7>&- </dev/null; echo "$started" >&7) &
done <"$log/queue"
while [ $ended -lt $started ]; do
	read -r tok <&7
	[ "$tok" != - ] && { finish "$tok"; ended=$((ended + 1)); }
done
wait

# The next run's order: these times, and the last known of tests not run now.
if [ -s "$log/times" ]; then
	{ cat "$log/times"; [ -f "$B/test-times" ] && awk 'NR == FNR { seen[$2 " " $3] = 1; next }
		!(($2 " " $3) in seen)' "$log/times" "$B/test-times"; } >"$log/times.new"
	mv "$log/times.new" "$B/test-times" 2>/dev/null
	echo "slowest (wall, CPU):"
	sort -k1,1nr "$log/times" | head -10 | awk '{ printf "  %6.1f s %6.1f s  %s %s\n", $1 / 1000, $4 / 1000, $2, $3 }'
	awk -v wall=$(($(now_ms) - start)) -v jobs="$jobs" '{ t += $1; c += $4 }
		END { printf "%d tests in %.1f s on %d jobs: %.1f s of tests, %.1f s CPU\n", NR, wall / 1000, jobs, t / 1000, c / 1000 }' "$log/times"
fi
[ -n "$failed" ] && echo "failing:$failed"
[ "$lint_n" -gt 0 ] && echo "lint: $lint_ok of $lint_n pieces clean"
echo "$pass passed, $fail failed"
# Something must have run and passed: a check, or a clean lint piece.
[ "$fail" -eq 0 ] && [ $((pass + lint_ok)) -gt 0 ]
