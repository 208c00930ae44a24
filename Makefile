# kindly - comment moderation classifier.  `make` builds ./kindly and libkindly.a,
# `make check` runs every test, `make bench` measures the figures in docs/BENCHMARKS.md.
# SANITIZE=address,undefined builds everything (into build-san/) with those sanitizers.

PREFIX    ?= /usr/local
CC        ?= cc
PKGS      := libpcre2-8 sqlite3 libutf8proc libmicrohttpd
WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wpointer-arith -Wformat=2 -Wno-unused-parameter
OPT       ?= -O2
CFLAGS    ?= $(OPT) -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) \
             -fPIC -Iclassifier $(shell pkg-config --cflags $(PKGS)) -MMD -MP
LIBS      := $(shell pkg-config --libs $(PKGS)) -lcsv -lm -lpthread
CRITERION := $(shell pkg-config --libs criterion 2>/dev/null || echo -lcriterion)

ifdef SANITIZE
B         ?= build-san
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS   += -fsanitize=$(SANITIZE)
BIN       ?= $(B)/kindly
else
B         ?= build
BIN       ?= kindly
endif

LIB_SRC   := $(sort $(wildcard classifier/*.c))
CLI_SRC   := $(sort $(wildcard classifier/cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(B)/%.o)
TESTS     := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)
LIBA      := $(B)/libkindly.a

.PHONY: all test check unit e2e bench model install uninstall clean sanitize
all: $(BIN) libkindly.a

libkindly.a: $(LIBA)
	@[ "$(B)" = build ] && cp $(LIBA) $@ || true

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	@ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIBA)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIBA) $(LIBS)

$(B)/tests/%: tests/unit/%.c $(LIBA)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(LIBA) $(LIBS) $(CRITERION) $(LDFLAGS)

unit: $(TESTS)
	@tests/run-unit.sh $(TESTS)

e2e: $(BIN)
	@KINDLY=$(abspath $(BIN)) tests/e2e/run.sh

test check: all
	@$(MAKE) --no-print-directory unit e2e

sanitize:
	$(MAKE) SANITIZE=address,undefined check

bench: all
	tools/bench.sh

model: all
	tools/build-model.sh

clean:
	rm -rf build build-san kindly libkindly.a

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
