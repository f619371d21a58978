# Sourced after tests/cli/lib.sh by a test that preloads tests/fault/failio.c:
# SO is the shim, and the programs run are the dynamically linked ones.
SO=$PM_BIN/../failio.so
# A static program ignores LD_PRELOAD: make tests links the static ones
# dynamically too, in dyn/bin beside bin (Makefile, DYN_BINS).
[ -d "$PM_BIN/../dyn/bin" ] && PATH=$(cd "$PM_BIN/../dyn/bin" && pwd):$PATH
[ -f "$SO" ] || { echo "not ok 1 - $SO is built (make tests)"; exit 1; }
# An ASan build wants its runtime first; the shim only wraps libc calls.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS
