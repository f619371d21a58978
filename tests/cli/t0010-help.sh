#!/bin/sh
# Every program and subcommand: --help, --version, an unknown option, and a
# closed stdout.
. "$PM_TOP/tests/cli/lib.sh"

for p in "$PM_BIN"/pm "$PM_BIN"/pm-*; do
	[ -x "$p" ] || continue
	prog=$(basename "$p")
	run "$prog" --version
	expect_rc 0 "$prog --version exits 0"
	expect_out "^$prog [0-9]+\.[0-9]+\.[0-9]+$" "$prog --version prints name and version"
	run "$prog" --help
	expect_rc 0 "$prog --help exits 0"
	expect_out "^usage: $prog " "$prog --help prints usage on stdout"
	run "$prog" --no-such-option
	expect_rc 2 "$prog with an unknown option exits 2"
	expect_err "Try '$prog --help'" "$prog points to --help"
	# One with a default command runs it (t9924); the others need one.
	if ! "$prog" --help | grep -q '^Without a command'; then
		run "$prog"
		expect_rc 2 "$prog with no command exits 2"
	fi
	"$prog" --help >&- 2>"$T/err"
	rc=$?
	expect_rc 74 "$prog --help into a closed stdout fails"
	expect_err "write error" "$prog says it could not write"

	for cmd in $("$prog" --complete); do
		subs=$("$prog" --complete "$cmd" | grep -v '^-')
		for sub in ${subs:-""}; do
			words="$cmd${sub:+ $sub}"
			# shellcheck disable=SC2086
			run "$prog" $words --help
			expect_rc 0 "$prog $words --help exits 0"
			expect_out "^usage: $prog $words " "$prog $words --help shows its usage"
			# shellcheck disable=SC2086
			run "$prog" $words --bogus-option
			expect_rc 2 "$prog $words --bogus-option exits 2"
			expect_err "^$prog $words: bad option '--bogus-option'" "$prog $words names the bad option"
		done
	done
done
# Two programs run a command when none is named; their help says which.
for d in pm-ask:ask pm-backup:run; do
	run "${d%%:*}" --help
	expect_out "^usage: ${d%%:*} \[--db PATH\] \[--as LOGIN\] \[COMMAND\] " "${d%%:*}: the command is optional"
	expect_out "^Without a command, ${d%%:*} runs '${d#*:}'\.$" "${d%%:*} --help names the one it runs"
done
run pm-bill --help
expect_out "^usage: pm-bill \[--db PATH\] \[--as LOGIN\] COMMAND " "pm-bill's command is not"
expect_eq "$(grep -c 'Without a command' "$T/out")" "0" "and it names none"
run pm no-such-program
expect_rc 2 "pm with an unknown program exits 2"
expect_err "unknown command 'no-such-program'" "pm names the unknown command"
done_testing
