# kindly - comment moderation classifier.  `make` builds ./kindly and libkindly.a,
# `make check` runs every test, `make bench` measures the figures in docs/BENCHMARKS.md.
# SANITIZE=address,undefined builds everything (into build-san/) with those sanitizers.
# Packagers: CC, CPPFLAGS, CFLAGS, LDFLAGS, AR and PKG_CONFIG are honoured; V=1 shows the
# commands; WERROR= builds without -Werror (flags of another distribution or compiler may
# warn where gcc 12 -O2 does not).

PREFIX    ?= /usr/local
CC        ?= cc
PKG_CONFIG ?= pkg-config
WERROR    ?= -Werror
LIB_PKGS  := libpcre2-8 sqlite3 libutf8proc
SRV_PKGS  := libmicrohttpd jansson
PKGS      := $(LIB_PKGS) $(SRV_PKGS)
# libmicrohttpd and jansson are compiled against but not linked: the server loads them with
# dlopen when `kindly serve` starts (server.c, server/libjansson.c), so that every other
# command skips loading them, and the GnuTLS stack libmicrohttpd brings (about 1.3 ms of each
# process start; docs/BENCHMARKS-server.md). The tests and fuzz targets that call jansson
# themselves link it (JSON_LIBS).
LINK_PKGS := $(LIB_PKGS)
JSON_LIBS := $(shell $(PKG_CONFIG) --libs jansson)
WARN      := -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wpointer-arith -Wformat=2 -Wno-unused-parameter
OPT       ?= -O2
CFLAGS    ?= $(OPT) -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) \
             -fPIC -fvisibility=hidden -Iclassifier $(shell $(PKG_CONFIG) --cflags $(PKGS)) -MMD -MP
LIBS      := $(shell $(PKG_CONFIG) --libs $(LINK_PKGS)) -lcsv -lm -lpthread -ldl
# The kindly binary links PCRE2, SQLite, utf8proc and libcsv from their static archives
# (Debian's -dev packages ship them) when all four are found, STATIC_DEPS=0 links them
# dynamically: statically, a process starts without binding those libraries' symbols, 1.2
# million instructions and about 25 page faults of each `kindly check` (docs/BENCHMARKS.md),
# for a 4 MB binary that must be rebuilt for those libraries' security updates. libkindly,
# the tests and the sanitizer builds link them dynamically.
STATIC_ARCHIVES := libpcre2-8.a libsqlite3.a libutf8proc.a libcsv.a
STATIC_DEPS ?= $(if $(strip $(foreach a,$(STATIC_ARCHIVES),$(if $(filter /%,$(shell $(CC) -print-file-name=$(a))),,$(a)))),0,1)
CLI_LIBS  := $(LIBS)
ifeq ($(STATIC_DEPS)$(SANITIZE),1)
CLI_LIBS  := -Wl,-Bstatic $(shell $(PKG_CONFIG) --libs $(LINK_PKGS)) -lcsv -Wl,-Bdynamic -lm -lpthread -ldl
endif
LIB_LIBS  := $(shell $(PKG_CONFIG) --libs $(LIB_PKGS)) -lcsv -lm -lpthread
CRITERION := $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null || echo -lcriterion)

ifdef SANITIZE
B         ?= build-san
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_LDFLAGS := -fsanitize=$(SANITIZE)
BIN       ?= $(B)/kindly
else
B         ?= build
# another build directory (B=DIR) gets its own binary: a second compiler's build must not
# replace the ./kindly that `make check` and `make install` of the first then use
BIN       ?= $(if $(filter build,$(B)),kindly,$(B)/kindly)
endif

LIB_SRC   := $(sort $(wildcard classifier/*.c))
CLI_SRC   := $(sort $(wildcard classifier/cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(B)/%.o)
TESTS     := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)
LIBA      := $(B)/libkindly.a
# The HTTP server (classifier/server/) goes into the kindly binary only: libkindly has no HTTP.
# $(SRVA) is an internal archive of it for the unit tests.
SERVER_SRC := $(sort $(wildcard classifier/server/*.c))
SERVER_OBJ := $(SERVER_SRC:%.c=$(B)/%.o)
SRVA      := $(B)/libkindly-server.a
VERSION   := $(shell sed -n 's/^\#define KINDLY_VERSION "\(.*\)"/\1/p' classifier/kindly.h)
SOMAJOR   := $(firstword $(subst ., ,$(VERSION)))
LIBSO     := $(B)/libkindly.so
RULES_COMPILED := models/default.rules.compiled
ifeq ($(V),1)
Q         :=
else
Q         := @
endif

.PHONY: all test check test-programs unit fuzz-replay e2e bench model man install uninstall clean sanitize tsan help
all: $(BIN) libkindly.a $(LIBSO) $(RULES_COMPILED)

# The shipped rules' patterns kept compiled (kindly rules --compile): loading them skips
# pcre2_compile, 2.8 million instructions of each `kindly check`. Written here (and so by
# `make model` and `make install`), never by check/score/serve; a stale one is noted and
# compiled around.
$(RULES_COMPILED): models/default.rules $(BIN)
	@echo "  RULES   $@"
	$(Q)$(abspath $(BIN)) rules --compile models/default.rules >/dev/null

libkindly.a: $(LIBA)
	@[ "$(B)" = build ] && cp $(LIBA) $@ || true

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	$(Q)$(AR) rcs $@ $^

$(BIN): $(CLI_OBJ) $(SERVER_OBJ) $(LIBA)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) $(SAN_LDFLAGS) -o $@ $(CLI_OBJ) $(SERVER_OBJ) $(LIBA) $(CLI_LIBS)

$(SRVA): $(SERVER_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	$(Q)$(AR) rcs $@ $^

# -z nodelete: dlclose() leaves the library mapped. A thread that matched rules with the JIT
# holds a JIT stack whose destructor (thread-specific data, rules.c) is library code, run
# when that thread exits, which may be after the host has closed the library.
$(LIBSO): $(LIB_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) -shared -Wl,-soname,libkindly.so.$(SOMAJOR) -Wl,-z,nodelete $(LDFLAGS) $(SAN_LDFLAGS) -o $@ $(LIB_OBJ) $(LIB_LIBS)

$(B)/tests/%: tests/unit/%.c $(LIBA) $(SRVA)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(SRVA) $(LIBA) $(LIBS) $(JSON_LIBS) $(CRITERION) $(LDFLAGS) $(SAN_LDFLAGS) $(TEST_LDFLAGS)

# test_reload fails or interrupts the model's preload from the test itself
$(B)/tests/test_reload: TEST_LDFLAGS = -Wl,--wrap=kd_store_load_all
# test_oom fails kindly's allocations one at a time (SQLite's through sqlite3_config)
$(B)/tests/test_oom: TEST_LDFLAGS = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup

unit: $(TESTS)
	@tests/run-unit.sh $(TESTS)

# The fuzz targets (tests/fuzz/) built with the standalone driver instead of libFuzzer, each
# replaying its seed corpus through its own checks: every input a fuzzer ever tripped on
# stays fixed (libFuzzer itself: see each target's header).
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
$(B)/fuzz/%: tests/fuzz/%.c tests/fuzz/standalone_driver.c $(LIBA) $(SRVA)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Iclassifier/server -o $@ $< tests/fuzz/standalone_driver.c $(SRVA) $(LIBA) $(LIBS) \
	    $(JSON_LIBS) $(LDFLAGS) $(SAN_LDFLAGS)

fuzz-replay: $(FUZZ_BIN)
	@tests/fuzz/replay.sh $(B)/fuzz

e2e: $(BIN)
	@KINDLY=$(abspath $(BIN)) KINDLY_MAKE_ARGS="B=$(B) BIN=$(BIN) SANITIZE=$(SANITIZE)" tests/e2e/run.sh

# The test programs are built first, in one make (in parallel under -j: .ci/run passes
# -j$(nproc)), then the three suites run one after the other, each with its own output
test-programs: $(TESTS) $(FUZZ_BIN)
	@:
test check: all
	@$(MAKE) --no-print-directory test-programs
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory fuzz-replay
	@$(MAKE) --no-print-directory e2e

sanitize:
	$(MAKE) SANITIZE=address,undefined check

# ThreadSanitizer over the code that runs threads: `kindly serve` (libmicrohttpd's thread pool,
# one model handle per thread, shared metrics, reloads), through its end-to-end tests. Every
# report is written to build-tsan/tsan/ and fails the target. (Criterion's runner cannot
# start under ThreadSanitizer, and the other commands run one thread.)
TSAN_LOGS := $(abspath build-tsan)/tsan
tsan:
	$(Q)$(MAKE) --no-print-directory SANITIZE=thread B=build-tsan all
	$(Q)rm -rf $(TSAN_LOGS) && mkdir -p $(TSAN_LOGS)
	$(Q)rc=0; TSAN_OPTIONS="log_path=$(TSAN_LOGS)/report $(TSAN_OPTIONS)" KINDLY=$(abspath build-tsan/kindly) \
	    tests/e2e/run.sh server || rc=$$?; \
	if ls $(TSAN_LOGS)/report.* >/dev/null 2>&1; then cat $(TSAN_LOGS)/report.*; \
	    echo "tsan: ThreadSanitizer reported the above"; rc=1; fi; exit $$rc

# the binary just built, $(BIN), not ./kindly: `make B=DIR bench` measures DIR/kindly
bench: all
	KINDLY=$(abspath $(BIN)) tools/bench.sh
	KINDLY=$(abspath $(BIN)) tools/bench_server.sh

model: all
	KINDLY=$(abspath $(BIN)) tools/build-model.sh

# `make help`: the targets, as README's "Building, testing, benchmarks" describes them
help:
	@echo 'make                 ./kindly, libkindly.a and .so, models/default.rules.compiled'
	@echo 'make check           unit tests, fuzz corpora replayed, end-to-end tests'
	@echo 'make sanitize        the same tests under AddressSanitizer and UBSan (build-san/)'
	@echo 'make tsan            the server'"'"'s end-to-end tests under ThreadSanitizer (build-tsan/)'
	@echo 'make bench           the figures of docs/BENCHMARKS.md (needs ../shared or KINDLY_SHARED; a quiet machine)'
	@echo 'make model           rebuilds models/default.db (tools/build-model.sh; needs ../shared or KINDLY_SHARED)'
	@echo 'make man             build/kindly.1, kindly(1) from the help (tools/gen-man.sh)'
	@echo 'make install         PREFIX=... [DESTDIR=...]; make uninstall removes it'
	@echo 'make clean           removes the builds'
	@echo 'Options: B=DIR (out of tree), V=1, WERROR=, STATIC_DEPS=0, SANITIZE=...; see README.md'

# make install PREFIX=/opt/kindly [DESTDIR=...]: the binary and kindly(1), kindly.h, libkindly (static and
# shared), kindly.pc, the default model and rules in PREFIX/share/kindly/, and the
# third-party notices, README and example program in PREFIX/share/doc/kindly/.
LIBDIR    ?= $(PREFIX)/lib
DEST      := $(DESTDIR)$(PREFIX)
# kindly(1), from the binary's own help (tools/gen-man.sh)
man: $(B)/kindly.1
$(B)/kindly.1: $(BIN) tools/gen-man.sh
	@echo "  MAN     $@"
	$(Q)tools/gen-man.sh $(abspath $(BIN)) >$@.tmp && mv $@.tmp $@

install: all $(B)/kindly.1
	@echo "  INSTALL $(DEST)"
	@install -d $(DEST)/bin $(DEST)/include $(DESTDIR)$(LIBDIR)/pkgconfig $(DEST)/share/kindly
	@install -m 755 $(BIN) $(DEST)/bin/kindly
	@install -m 644 classifier/kindly.h $(DEST)/include/kindly.h
	@install -m 644 $(LIBA) $(DESTDIR)$(LIBDIR)/libkindly.a
	@install -m 644 $(LIBSO) $(DESTDIR)$(LIBDIR)/libkindly.so.$(VERSION)
	@ln -sf libkindly.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libkindly.so.$(SOMAJOR)
	@ln -sf libkindly.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libkindly.so
	@sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	     -e 's|@REQUIRES_PRIVATE@|$(LIB_PKGS)|g' kindly.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/kindly.pc
	@chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/kindly.pc
	@install -m 644 models/default.db $(DEST)/share/kindly/default.db
	@[ ! -f models/default.rules ] || install -m 644 models/default.rules $(DEST)/share/kindly/default.rules
	@[ ! -f $(RULES_COMPILED) ] || install -m 644 $(RULES_COMPILED) $(DEST)/share/kindly/default.rules.compiled
	@install -d $(DEST)/share/doc/kindly $(DEST)/share/man/man1
	@sed 's|PREFIX/share/|$(PREFIX)/share/|g' $(B)/kindly.1 >$(DEST)/share/man/man1/kindly.1
	@chmod 644 $(DEST)/share/man/man1/kindly.1
	@install -m 644 docs/NOTICES.md $(DEST)/share/doc/kindly/NOTICES.md
	@install -m 644 README.md $(DEST)/share/doc/kindly/README.md
	@install -m 644 docs/example.c $(DEST)/share/doc/kindly/example.c

uninstall:
	rm -f $(DEST)/bin/kindly $(DEST)/include/kindly.h $(DESTDIR)$(LIBDIR)/libkindly.a \
	      $(DESTDIR)$(LIBDIR)/libkindly.so $(DESTDIR)$(LIBDIR)/libkindly.so.$(SOMAJOR) \
	      $(DESTDIR)$(LIBDIR)/libkindly.so.$(VERSION) $(DESTDIR)$(LIBDIR)/pkgconfig/kindly.pc \
	      $(DEST)/share/kindly/default.db $(DEST)/share/kindly/default.rules $(DEST)/share/kindly/default.rules.compiled \
	      $(DEST)/share/doc/kindly/NOTICES.md \
	      $(DEST)/share/doc/kindly/README.md $(DEST)/share/doc/kindly/example.c $(DEST)/share/man/man1/kindly.1
	rmdir --ignore-fail-on-non-empty $(DEST)/share/kindly $(DEST)/share/doc/kindly 2>/dev/null || true

clean:
	rm -rf build build-san build-tsan $(B) kindly $(BIN) libkindly.a tests/e2e/node $(RULES_COMPILED)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(SERVER_OBJ:.o=.d) $(addsuffix .d,$(FUZZ_BIN)) $(TESTS:=.d)
