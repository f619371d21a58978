# pm: one non-recursive Makefile. `make demo` and `make check` are all a new
# user needs; both install missing Debian packages first (make deps).

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
LOCALEDIR  ?= $(DATADIR)/locale
VERSION    := 0.1.0

B   ?= build
CC  ?= cc
SAN ?=
PKGS := sqlite3 jansson yaml-0.1 libsodium
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
HTTP_CFLAGS := $(shell pkg-config --cflags libcurl 2>/dev/null)
MQTT_LIBS  := $(shell pkg-config --libs libmosquitto 2>/dev/null)
XLSX_LIBS  := $(shell pkg-config --libs xlsxwriter 2>/dev/null)
QR_LIBS    := $(shell pkg-config --libs libqrencode 2>/dev/null)
FCGI_LIBS  := -lfcgi
# Every program is one start a command (pm-web one a request as CGI):
# libpm's libraries linked in save the dynamic loader a fifth of a short
# command's instructions (callgrind, pm unit show: 7.13 M to 5.66 M) and
# five library opens (tests/bench/startup.sh, web.sh).
PROG_LIBS  := -Wl,-Bstatic $(PKG_LIBS) -Wl,-Bdynamic
# The programs that never open libcurl, libpq or libmosquitto are linked
# whole, libc too, as position-independent executables (-static-pie: the
# kernel still places them at a random address). No dynamic loader: pm-web's
# CGI bill page 153-156 -> 121-123 page faults, 6.71 M -> 6.43 M
# instructions (README "Performance"). libqrencode and libxlsxwriter are still dlopen()ed, and
# iconv's gconv modules loaded at run time; the accounts come from the
# files alone (lib/static/nss-files.c). STATIC=0 links them dynamically,
# as does SAN=1 (AddressSanitizer's runtime needs the dynamic loader).
STATIC_PROGS := pm pm-web pm-bill pm-meter pm-repair pm-report pm-shop pm-govern
STATIC ?= 1
ifeq ($(STATIC)$(SAN),1)
# A static glibc links only the locale categories its code names, and
# gettext names none: without LC_MESSAGES, setlocale(LC_MESSAGES, "")
# answers "" and every message stays English (t0600, t1935).
STATIC_LDFLAGS := -static-pie -Wl,-u,_nl_current_LC_MESSAGES_used
STATIC_OBJ := $(B)/lib/static/nss-files.o
STATIC_END :=
STATIC_KIND := static-pie
else
STATIC_LDFLAGS :=
STATIC_OBJ :=
STATIC_END := -Wl,-Bdynamic
STATIC_KIND := dynamic
endif
STATIC_LIBS := -Wl,-Bstatic $(PKG_LIBS) $(STATIC_END) -lm -ldl
WEB_LIBS   := -Wl,-Bstatic $(PKG_LIBS) $(FCGI_LIBS) $(STATIC_END) -lm -ldl
CRYPTO_LIBS := $(shell pkg-config --libs libcrypto 2>/dev/null)

ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS += -Iinclude -Ilib -I$(B)/gen -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
            -DPM_VERSION='"$(VERSION)"' -DPM_LOCALEDIR='"$(LOCALEDIR)"' -DPM_DATADIR='"$(DATADIR)/pm"'
CFLAGS   ?= -O2 -g
ALLCFLAGS = -std=c11 $(WARN) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -include lib/banned.h
LDFLAGS  += -Wl,--as-needed $(SANFLAGS)

# libpm-http: the libcurl wrapper and what needs it (the gate drivers).
# libcurl itself is loaded by lib/http.c on first use, not linked: linking
# it costs every start of a program 30-odd libraries.
HTTP_SRC := lib/http.c lib/gatedrv.c lib/notify-flush.c lib/askmodel.c
# libpq only in pm-rollup: the group's loader, never a community's program.
ROLLUP_SRC := lib/rollup.c
ROLLUP_OBJ := $(ROLLUP_SRC:%.c=$(B)/%.o)
PQ_CFLAGS  := -I$(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
LIB_SRC  := $(filter-out $(HTTP_SRC) $(ROLLUP_SRC) lib/pay-%.c,$(wildcard lib/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o) $(B)/gen/schema.o
HTTP_OBJ := $(HTTP_SRC:%.c=$(B)/%.o)
HTTP_PROGS := pm-notify pm-gate pm-backup pm-ask
# libmosquitto only in pm-mqtt.
MQTT_PROGS := pm-mqtt
# libpm-pay: the payment channels' crypto (libcrypto), kept out of libpm so
# that programs taking no payments never load it; pay-api.c alone needs
# libpm-http, the rest (notifications) no network.
PAY_SRC  := $(wildcard lib/pay-*.c)
PAY_OBJ  := $(PAY_SRC:%.c=$(B)/%.o)
PROGS    := $(patsubst cmd/%.c,%,$(wildcard cmd/*.c))
BINS     := $(PROGS:%=$(B)/bin/%)
SCHEMA   := $(sort $(wildcard share/pm/schema/*.sql))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS  := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
PO       := $(wildcard share/locale/*.po)
MO       := $(PO:share/locale/%.po=$(B)/locale/%/LC_MESSAGES/pm.mo)

.DELETE_ON_ERROR:
.PHONY: FORCE all deps check check-asan check-valgrind check-fault lint lint-src bench bench-scale demo web-demo fuzz install uninstall clean tests

all: $(BINS) $(B)/libpm.a $(B)/libpm.pc $(MO)

# The paths compiled in: a change of PREFIX rebuilds what embeds them.
$(B)/gen/paths: FORCE
	@mkdir -p $(dir $@)
	@echo '$(PREFIX) $(LOCALEDIR) $(DATADIR) $(VERSION)' | cmp -s - $@ || \
	  echo '$(PREFIX) $(LOCALEDIR) $(DATADIR) $(VERSION)' > $@

# How the static programs were linked (t1935 reads it): a change of STATIC
# relinks them.
$(B)/gen/link: FORCE
	@mkdir -p $(dir $@)
	@echo '$(STATIC_KIND)' | cmp -s - $@ || echo '$(STATIC_KIND)' > $@

FORCE:

$(B)/%.o: %.c $(wildcard include/pm/*.h lib/*.h) $(B)/gen/paths
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALLCFLAGS) -c -o $@ $<

$(HTTP_OBJ): ALLCFLAGS += $(HTTP_CFLAGS)
$(ROLLUP_OBJ): ALLCFLAGS += $(PQ_CFLAGS)

# The migrations' names, rewritten only when the list changes: a
# migration removed (or renamed) changes no file's time, but must rebuild
# schema.c all the same.
$(B)/gen/schema.list: FORCE
	@mkdir -p $(dir $@)
	@echo '$(SCHEMA)' | cmp -s - $@ || echo '$(SCHEMA)' > $@

$(B)/gen/schema.c: $(SCHEMA) $(B)/gen/schema.list share/pm/schema-embed.sh
	@mkdir -p $(dir $@)
	sh share/pm/schema-embed.sh $(SCHEMA) > $@

$(B)/gen/schema.o: $(B)/gen/schema.c
	$(CC) $(CPPFLAGS) $(ALLCFLAGS) -c -o $@ $<

# pm.yaml's schema in a form without pointers (lib/sections.c,
# config-internal.h): lib/gen/schemagen writes it from the tables as
# written, linked with the rest of libpm, so that a static-pie start has
# none of them to relocate (46 KB of .data.rel.ro, 11 page faults a CGI
# request).
$(B)/gen/sections-tables.o: lib/sections.c $(wildcard include/pm/*.h lib/*.h) $(B)/gen/paths
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DPM_SCHEMA_TABLES $(ALLCFLAGS) -c -o $@ $<

$(B)/gen/libpm-base.a: $(filter-out $(B)/lib/sections.o,$(LIB_OBJ))
	rm -f $@ && ar rcs $@ $^

$(B)/gen/schemagen: lib/gen/schemagen.c $(B)/gen/sections-tables.o $(B)/gen/libpm-base.a
	$(CC) $(CPPFLAGS) -DPM_SCHEMA_TABLES $(ALLCFLAGS) $(LDFLAGS) -o $@ $< $(B)/gen/sections-tables.o \
	  $(B)/gen/libpm-base.a $(PROG_LIBS) -ldl -lm

$(B)/gen/schema-flat.h: $(B)/gen/schemagen
	$(B)/gen/schemagen > $@

$(B)/lib/sections.o $(B)/fuzzobj/lib/sections.o: $(B)/gen/schema-flat.h

$(B)/libpm.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/libpm-http.a: $(HTTP_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/libpm-pay.a: $(PAY_OBJ)
	rm -f $@ && ar rcs $@ $^

# libqrencode (a visitor pass's QR code) and libxlsxwriter (workbooks),
# which Debian ships shared only, are opened when first used (lib/qr.c,
# lib/xlsx-internal.h), not linked.
$(B)/bin/%: $(B)/cmd/%.o $(B)/libpm.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(B)/libpm.a $(PROG_LIBS) -ldl -lm

$(filter-out $(B)/bin/pm-web,$(STATIC_PROGS:%=$(B)/bin/%)): $(B)/bin/%: $(B)/cmd/%.o $(STATIC_OBJ) $(B)/libpm.a $(B)/gen/link
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(STATIC_LDFLAGS) -o $@ $< $(STATIC_OBJ) $(B)/libpm.a $(STATIC_LIBS)

$(B)/bin/pm-rollup: $(B)/cmd/pm-rollup.o $(ROLLUP_OBJ) $(B)/libpm.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(ROLLUP_OBJ) $(B)/libpm.a $(PKG_LIBS) -lpq -ldl -lm

# pm-web alone links libfcgi, for its FastCGI mode.
$(B)/bin/pm-web: $(B)/cmd/pm-web.o $(STATIC_OBJ) $(B)/libpm.a $(B)/gen/link
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(STATIC_LDFLAGS) -o $@ $< $(STATIC_OBJ) $(B)/libpm.a $(WEB_LIBS)

$(HTTP_PROGS:%=$(B)/bin/%): $(B)/bin/%: $(B)/cmd/%.o $(B)/libpm-http.a $(B)/libpm.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(B)/libpm-http.a $(B)/libpm.a $(PROG_LIBS) -ldl -lm

$(MQTT_PROGS:%=$(B)/bin/%): $(B)/bin/%: $(B)/cmd/%.o $(B)/libpm.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(B)/libpm.a $(PROG_LIBS) $(MQTT_LIBS) -lm

# pm-pay starts once per payment notification, which needs no network:
# libcurl is opened when a command first calls a channel (lib/http.c).
$(B)/bin/pm-pay: $(B)/cmd/pm-pay.o $(B)/libpm-pay.a $(B)/libpm-http.a $(B)/libpm.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(B)/libpm-pay.a $(B)/libpm-http.a $(B)/libpm.a \
	  $(PROG_LIBS) $(CRYPTO_LIBS) -ldl -lm

$(B)/libpm.pc: Makefile $(B)/gen/paths
	@mkdir -p $(dir $@)
	printf 'prefix=%s\nlibdir=%s\nincludedir=%s\n\nName: libpm\nDescription: property management core library\nVersion: %s\nRequires: %s\nCflags: -I$${includedir}\nLibs: -L$${libdir} -lpm\n' \
	  '$(PREFIX)' '$(LIBDIR)' '$(INCLUDEDIR)' '$(VERSION)' '$(PKGS)' > $@

$(B)/locale/%/LC_MESSAGES/pm.mo: share/locale/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# Unit tests: one cmocka program per library module.
$(B)/tests/%: tests/unit/%.c $(B)/libpm-pay.a $(B)/libpm-http.a $(B)/libpm.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALLCFLAGS) $(LDFLAGS) -o $@ $< $(B)/libpm-pay.a $(B)/libpm-http.a $(B)/libpm.a $(PKG_LIBS) \
	  $(XLSX_LIBS) $(CRYPTO_LIBS) $(QR_LIBS) -ldl -lcmocka -lm

# Fuzz targets: clang's libFuzzer over the library built once for them.
FUZZ_CC    ?= clang
# A record limit of 300 bytes, not 1 MiB, so that inputs reach it. Undefined
# behaviour stops a run as a crash would: recovered, it is only printed
# and the smoke in make check passes over it.
FUZZ_FLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -std=c11 $(PKG_CFLAGS) \
	      -include lib/banned.h -DPM_RECORD_MAX=300
FUZZ_OBJ   := $(LIB_SRC:%.c=$(B)/fuzzobj/%.o) $(B)/fuzzobj/gen/schema.o \
	      $(filter-out $(B)/fuzzobj/lib/pay-api.o,$(PAY_SRC:%.c=$(B)/fuzzobj/%.o))
# Made by a pattern rule only, make would take them for intermediates and
# delete them after each build, compiling the library again every time.
.SECONDARY: $(FUZZ_OBJ)
$(B)/fuzzobj/%.o: %.c $(wildcard include/pm/*.h lib/*.h) $(B)/gen/paths
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(B)/fuzzobj/gen/schema.o: $(B)/gen/schema.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -c -o $@ $<
$(B)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) $(XLSX_LIBS) $(CRYPTO_LIBS) \
	  $(QR_LIBS) -lm

# The LD_PRELOAD shims that fail writes and syncs, and that kill a
# program as it opens a file (tests/fault/).
$(B)/failio.so $(B)/killat.so: $(B)/%.so: tests/fault/%.c
	@mkdir -p $(dir $@)
	$(CC) -shared -fPIC -O2 -Wall -Wextra -Werror -o $@ $< -ldl

# The static programs linked dynamically too, in $(B)/dyn/bin, for the
# tests that preload the shim (t9510, t3850), which a static program
# ignores: the same objects under a failing disk. Linked dynamically
# already (STATIC=0, SAN=1), the programs need no twins, and stale ones
# from a static build go.
DYN_BINS := $(if $(STATIC_LDFLAGS),$(patsubst %,$(B)/dyn/bin/%,$(filter-out pm-web,$(STATIC_PROGS))))
$(DYN_BINS): $(B)/dyn/bin/%: $(B)/cmd/%.o $(B)/libpm.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(B)/libpm.a $(PROG_LIBS) -ldl -lm

tests: all $(UNITS) $(FUZZERS) $(B)/failio.so $(B)/killat.so $(DYN_BINS) $(B)/tests/feedsql
	$(if $(DYN_BINS),,rm -rf $(B)/dyn)

# Built and run on every CPU (PM_JOBS=1 runs the tests one at a time); the
# lint runs in pieces beside the tests (tests/run.sh's lint suite).
PM_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
export PM_JOBS
check: deps
	$(MAKE) -j$(PM_JOBS) tests
	if command -v cppcheck >/dev/null && command -v clang-tidy >/dev/null; then lint=lint; else lint=; fi; \
	  PM_SUITES="$${PM_SUITES:-$$lint unit cli fuzz web}" sh tests/run.sh $(B)

# Static checks, configured in .clang-tidy and share/lint/; clean, or make
# check stops.
LINT_SRC := $(sort $(wildcard lib/*.c lib/static/*.c lib/gen/*.c cmd/*.c))
lint-src:
	@echo $(LINT_SRC)
lint:
	cppcheck -q -j2 --std=c11 --library=share/lint/pm.cfg --enable=warning,portability,performance \
	  --inline-suppr --suppressions-list=share/lint/cppcheck.supp --error-exitcode=1 \
	  -Iinclude -Ilib -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(LINT_SRC)
	clang-tidy -quiet $(LINT_SRC) -- -std=c11 $(CPPFLAGS) $(PKG_CFLAGS) $(HTTP_CFLAGS) $(PQ_CFLAGS)

check-asan: deps
	$(MAKE) B=build-asan SAN=1 CFLAGS='-O1 -g' tests
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/run.sh build-asan

# memcheck sees malloc through a library it preloads, which a static
# program never loads: a planted leak in a static pm went unreported (0
# allocations counted, with --soname-synonyms=somalloc=NONE too), and glibc's
# own vectorised string functions, not replaced there, raised dozens of
# false errors a start. So the valgrind run links pm's programs dynamically
# (STATIC=0 relinks the eight static ones; the next plain make links them
# static again): the same objects, with malloc and the string functions
# memcheck's.
check-valgrind: deps
	$(MAKE) STATIC=0 tests
	PM_WRAP='valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99' \
	  PM_SUITES=cli sh tests/run.sh $(B)

# Kills at random moments and I/O faults (tests/fault/): 50 trials per
# operation at full size, which takes hours; FAULT_SEED replays a run.
FAULT_TRIALS ?= 50
FAULT_SEED   ?=
check-fault: deps
	$(MAKE) tests
	sh tests/fault/run.sh $(B) $(FAULT_TRIALS) $(FAULT_SEED)

# make check runs each fuzz target for a 3-second smoke; make fuzz for
# PM_FUZZ_SECONDS each (make fuzz FUZZ_SECONDS=600, or PM_FUZZ_SECONDS, for
# a long hunt).
FUZZ_SECONDS    ?= 60
PM_FUZZ_SECONDS ?= $(FUZZ_SECONDS)
fuzz: deps
	$(MAKE) $(FUZZERS)
	PM_FUZZ_SECONDS=$(PM_FUZZ_SECONDS) PM_SUITES=fuzz sh tests/run.sh $(B)

bench: deps
	$(MAKE) all
	sh tests/bench/run.sh $(B)

# How cost grows with size (issue 18); PM_BENCH_SCALE=0.1 for a tenth of
# each size.
bench-scale: deps
	$(MAKE) all
	sh tests/bench/scale.sh $(B)/bin

demo: deps
	$(MAKE) all
	sh share/pm/examples/demo.sh $(B)/bin

web-demo: deps
	$(MAKE) all
	sh share/pm/examples/web-demo.sh $(B)/bin $(PORT)

deps:
	@sh share/pm/deps.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/pm \
	  $(DESTDIR)$(DATADIR)/pm $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	  $(DESTDIR)$(DATADIR)/bash-completion/completions $(DESTDIR)$(DATADIR)/zsh/site-functions \
	  $(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(B)/libpm.a $(DESTDIR)$(LIBDIR)/
	install -m 644 $(B)/libpm.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 644 include/pm/*.h $(DESTDIR)$(INCLUDEDIR)/pm/
	cp -R share/pm/. $(DESTDIR)$(DATADIR)/pm/
	install -m 644 share/man/man1/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 share/man/man5/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 share/man/man7/*.7 $(DESTDIR)$(MANDIR)/man7/
	for p in $(PROGS); do install -m 644 completions/pm.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/$$p; done
	install -m 644 completions/_pm $(DESTDIR)$(DATADIR)/zsh/site-functions/_pm
	for p in $(PROGS); do install -m 644 completions/pm.fish $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/$$p.fish; done
	for m in $(MO); do l=$${m#$(B)/locale/}; install -D -m 644 $$m $(DESTDIR)$(LOCALEDIR)/$$l; done

uninstall:
	rm -f $(PROGS:%=$(DESTDIR)$(BINDIR)/%) $(DESTDIR)$(LIBDIR)/libpm.a $(DESTDIR)$(LIBDIR)/pkgconfig/libpm.pc
	rm -rf $(DESTDIR)$(INCLUDEDIR)/pm $(DESTDIR)$(DATADIR)/pm
	rm -f $(PROGS:%=$(DESTDIR)$(MANDIR)/man1/%.1) $(DESTDIR)$(MANDIR)/man5/pm.yaml.5 $(DESTDIR)$(MANDIR)/man7/pm.7
	rm -f $(PROGS:%=$(DESTDIR)$(DATADIR)/bash-completion/completions/%) \
	  $(DESTDIR)$(DATADIR)/zsh/site-functions/_pm $(PROGS:%=$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/%.fish)
	rm -f $(PO:share/locale/%.po=$(DESTDIR)$(LOCALEDIR)/%/LC_MESSAGES/pm.mo)

clean:
	rm -rf build build-asan
