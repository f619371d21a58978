# Sourced by the benches: instruction counts, which a busy machine does
# not change as it changes times (wall clock and CPU time both grow with
# the load of the other programs sharing the cores; instructions do not).

# instr CMD...: the instructions CMD runs, in millions, counted by
# callgrind; "-" without valgrind. Under valgrind pm's SQLite allocator
# gives way to malloc (lib/sqlmem.c), so pm's counts include glibc's
# malloc and free: an upper bound.
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
