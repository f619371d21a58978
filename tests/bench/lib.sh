# Sourced by the benches: instruction counts, which a busy machine does
# not change as it changes times (wall clock and CPU time both grow with
# the load of the other programs sharing the cores; instructions do not).

# instr CMD...: the instructions CMD runs, in millions, counted by
# callgrind; "-" without valgrind. pm keeps its SQLite allocator under
# callgrind (lib/sqlmem.c), so the count is what pm runs outside it.
instr() {
	if ! command -v valgrind >/dev/null; then
		echo -
		return
	fi
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | awk '{ printf "%.2f", $1 / 1e6 }'
}

# iratio A B: A / B of two counts from instr, "-" when either is missing.
iratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'
}

# cpu_now VAR: sets VAR to the CPU time, user and system, of this
# shell's children that have ended, in milliseconds (`times`, which must
# run in this shell, not in a $(...)). Taken before and after a loop in
# the same shell, the difference is what the loop's commands used: on a
# shared machine it grows with the load much less than the wall clock.
cpu_now() {
	times >"${TMPDIR:-/tmp}/pm-bench-cpu.$$"
	eval "$1=\$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split(\$i, t, \"m\"); s += t[1] * 60 + t[2] } }
		END { printf \"%.0f\", s * 1000 }' \"\${TMPDIR:-/tmp}/pm-bench-cpu.\$\$\")"
	rm -f "${TMPDIR:-/tmp}/pm-bench-cpu.$$"
}

# nothing_c DIR: a do-nothing C program, DIR/nothing, the smallest start
# of a process to set a command's beside.
nothing_c() {
	printf '#include <stdio.h>\nint main(void) { fputs("Content-Type: text/plain\\r\\n\\r\\nok\\n", stdout); return 0; }\n' \
		>"$1/nothing.c"
	cc -O2 -o "$1/nothing" "$1/nothing.c"
}
