#!/bin/sh
# Red team: tests/run.sh with the lint suite alone. Its pieces count no
# checks (the passed count stays the tests'), so `PM_SUITES=lint sh
# tests/run.sh build`, as BRIEF.md tells a helper to run it, ended
# "0 passed, 0 failed" and exited 1 with every piece clean: no way to
# tell a clean lint from nothing run. Found running it as told. Here
# run.sh runs against a small tree whose make lint refuses a file
# holding "bad".
. "$PM_TOP/tests/cli/lib.sh"

mkdir -p top/tests build
cp "$PM_TOP/tests/run.sh" top/tests/run.sh
cat >top/Makefile <<'M'
LINT_SRC := $(sort $(wildcard src/*.c))
lint-src:
	@echo $(LINT_SRC)
lint:
	@for f in $(LINT_SRC); do if grep -q bad $$f; then echo "$$f: bad"; exit 1; fi; done
M
mkdir top/src
for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14; do echo good >top/src/f$i.c; done

PM_SUITES=lint PM_JOBS=2 sh top/tests/run.sh build >lint.out 2>&1
rc=$?
expect_eq "$rc" 0 "a clean lint alone exits 0"
expect_eq "$(grep '^lint ' lint.out | sort)" "lint src/f01.c .. src/f12.c (12 files): ok
lint src/f13.c .. src/f14.c (2 files): ok" "both pieces ok"
expect_eq "$(tail -2 lint.out)" "lint: 2 of 2 pieces clean
0 passed, 0 failed" "it ends saying what the lint found, then the tests' count"

echo bad >top/src/f13.c
PM_SUITES=lint PM_JOBS=2 sh top/tests/run.sh build >lint.out 2>&1
rc=$?
expect_eq "$rc" 1 "a lint finding exits 1"
expect_eq "$(grep -c '^src/f13.c: bad$' lint.out)" 1 "and is shown"
expect_eq "$(tail -3 lint.out)" "failing: lint-2
lint: 1 of 2 pieces clean
0 passed, 1 failed" "counted as failed"

# Nothing to run is still a failure.
PM_SUITES=cli PM_ONLY='t0000-none*' sh top/tests/run.sh build >none.out 2>&1
rc=$?
expect_eq "$rc" 1 "no test run exits 1"
expect_eq "$(tail -1 none.out)" "0 passed, 0 failed" "0 passed"
done_testing
