# itg pipeline: IT Glue -> BullPhish ID / Dark Web ID, as three staged programs.
#
#   make            build bin/itg-extract, bin/itg-transform, bin/itg-load, bin/itg-mock,
#                   bin/itg-run (the runner behind pipelines/run)
#   make test       install missing packages, build, run unit tests (ASan+UBSan) and e2e tests
#   make demo       run both example pipelines against the bundled test server
#   make bench      measure extract/transform/load on generated data, and transform
#                   against bin/bench-floor (inflate and parse only, tests/bench/floor.c)
#   make san        sanitizer build of everything under build/san/
#   make allocfail  the allocation-failure build (-DITG_ALLOC_FAULTS, ASan+UBSan)
#                   under build/allocfail/ (lib/xalloc.h)
#   make allocsweep fail every allocation of a small run of each stage in turn
#                   (t520 in make test sweeps a sample of them)
#   make lint       cppcheck
#   make clean

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build/rel
BINDIR  ?= bin

CC      ?= cc
OPT     ?= -O2 -g
SANFLAGS ?=
CSTD     = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
WARN     = -Wall -Wextra -Werror
PKGS     = libcurl yajl yaml-0.1 zlib libutf8proc
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv
MHD_CFLAGS := $(shell pkg-config --cflags libmicrohttpd 2>/dev/null)
MHD_LIBS   := $(shell pkg-config --libs libmicrohttpd 2>/dev/null)
CUNIT_LIBS := $(shell pkg-config --libs cunit 2>/dev/null)

ALL_CFLAGS = $(CSTD) $(WARN) $(OPT) $(SANFLAGS) -pthread -Ilib $(PKG_CFLAGS) $(MHD_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) -pthread $(LDFLAGS)

LIB_SRC       := $(sort $(wildcard lib/*.c))
EXTRACT_SRC   := $(sort $(filter-out extract/main.c,$(wildcard extract/*.c)))
TRANSFORM_SRC := $(sort $(filter-out transform/main.c,$(wildcard transform/*.c)))
LOAD_SRC      := $(sort $(filter-out load/main.c,$(wildcard load/*.c)))
MOCK_SRC      := $(sort $(filter-out tests/mock/main.c,$(wildcard tests/mock/*.c)))
RUNNER_SRC    := $(sort $(filter-out pipelines/runner/main.c,$(wildcard pipelines/runner/*.c)))
UNIT_SRC      := $(sort $(wildcard tests/unit/*.c))

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIB_OBJ       := $(call obj,$(LIB_SRC))
EXTRACT_OBJ   := $(call obj,$(EXTRACT_SRC))
TRANSFORM_OBJ := $(call obj,$(TRANSFORM_SRC))
LOAD_OBJ      := $(call obj,$(LOAD_SRC))
MOCK_OBJ      := $(call obj,$(MOCK_SRC))
RUNNER_OBJ    := $(call obj,$(RUNNER_SRC))
UNIT_OBJ      := $(call obj,$(UNIT_SRC))

# A program is built once its main.c exists.
PROGRAMS = $(if $(wildcard extract/main.c),$(BINDIR)/itg-extract) \
	   $(if $(wildcard transform/main.c),$(BINDIR)/itg-transform) \
	   $(if $(wildcard load/main.c),$(BINDIR)/itg-load) \
	   $(if $(wildcard tests/mock/main.c),$(BINDIR)/itg-mock) \
	   $(if $(wildcard pipelines/runner/main.c),$(BINDIR)/itg-run)

.PHONY: all test unit e2e san allocfail allocsweep demo bench lint clean deps install build-deps
all: $(PROGRAMS) $(BINDIR)/unit-tests

# Before the first compile: name any missing -dev package instead of dying
# on a missing header (scripts/deps installs them).
build-deps:
	@scripts/check-build-deps

$(BUILD)/%.o: %.c | build-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BINDIR)/itg-extract: $(call obj,extract/main.c) $(EXTRACT_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(BINDIR)/itg-transform: $(call obj,transform/main.c) $(TRANSFORM_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(BINDIR)/itg-load: $(call obj,load/main.c) $(LOAD_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(BINDIR)/itg-mock: $(call obj,tests/mock/main.c) $(MOCK_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(MHD_LIBS) $(PKG_LIBS) -lpthread
$(BINDIR)/itg-run: $(call obj,pipelines/runner/main.c) $(RUNNER_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)
# The bench's floor: zlib and yajl only, none of the project's code.
$(BINDIR)/bench-floor: $(call obj,tests/bench/floor.c)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(shell pkg-config --libs yajl zlib 2>/dev/null)

# One CUnit runner registers every suite (tests/unit/test_*.c), so its
# closing Run Summary counts the whole unit suite.
$(BINDIR)/unit-tests: $(UNIT_OBJ) $(EXTRACT_OBJ) $(TRANSFORM_OBJ) $(LOAD_OBJ) $(RUNNER_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CUNIT_LIBS)

SAN_OPT = -O1 -g -fno-omit-frame-pointer
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined
san:
	$(MAKE) BUILD=build/san BINDIR=build/san/bin OPT="$(SAN_OPT)" SANFLAGS="$(SAN_FLAGS)" \
		all build/san/bin/unit-tests

# The same programs with lib/xalloc.c's fault point compiled in: release
# builds carry none of it.
allocfail:
	$(MAKE) BUILD=build/allocfail BINDIR=build/allocfail/bin OPT="$(SAN_OPT)" \
		SANFLAGS="$(SAN_FLAGS)" CFLAGS="$(CFLAGS) -DITG_ALLOC_FAULTS" \
		build/allocfail/bin/itg-extract build/allocfail/bin/itg-transform \
		build/allocfail/bin/itg-load build/allocfail/bin/itg-run

# Every allocation point of each stage's run (several minutes); t520 in
# make test takes an even sample of them.
allocsweep: allocfail san
	ITG_BIN=build/san/bin ITG_ALLOC_STRIDE=1 sh tests/e2e/t520-alloc-failures.sh

deps:
	@scripts/deps

export ASAN_OPTIONS = detect_leaks=1:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS = print_stacktrace=1:halt_on_error=1:exitcode=87

unit: san
	build/san/bin/unit-tests

# e2e scripts run the sanitizer builds of the real programs against itg-mock
# (t520 the allocation-failure build too).
e2e: san all allocfail
	ITG_BIN=build/san/bin tests/e2e/run-all

test: deps
	$(MAKE) lint
	$(MAKE) all san allocfail
	tests/run-all-tests

demo: deps
	$(MAKE) all
	scripts/demo

bench: deps
	$(MAKE) all $(BINDIR)/bench-floor
	scripts/bench

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --suppress=missingIncludeSystem -Ilib \
		lib extract transform load pipelines/runner tests/mock tests/unit tests/bench

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 bin/itg-extract bin/itg-transform bin/itg-load bin/itg-mock bin/itg-run \
		$(DESTDIR)$(PREFIX)/bin/
	install -m 0644 docs/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	ln -sf pipelines-run.1 $(DESTDIR)$(PREFIX)/share/man/man1/itg-run.1

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------------------
# fuzz: libFuzzer targets tests/fuzz/fuzz_*.c (clang, ASan+UBSan) built into
# build/fuzz/, each run for FUZZ_SECONDS on its seed corpus
# tests/fuzz/corpus/<target>/.  Crashes land in build/fuzz/artifacts/.
FUZZ_SECONDS ?= 20
.PHONY: fuzz fuzz-build
fuzz-build:
	tests/fuzz/build.sh build/fuzz
fuzz: fuzz-build
	tests/fuzz/run.sh build/fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10
