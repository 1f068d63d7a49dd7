# certbind — see README.md.  `make`, `make check`, `make demo`, `make install`.
PROG      = certbind
PREFIX   ?= /usr/local
BINDIR    = $(PREFIX)/bin
MANDIR    = $(PREFIX)/share/man
COMPDIR   = $(PREFIX)/share/bash-completion/completions
ZCOMPDIR  = $(PREFIX)/share/zsh/site-functions
PKGS      = libssl libcrypto libxml-2.0
SANITIZE ?=

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
BIN_LIBS   := $(shell pkg-config --libs libssl libcrypto libxml-2.0 2>/dev/null)

WARN      = -Wall -Wextra -Wpedantic -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-unused-parameter
CFLAGS   ?= -O2 -g
ALLCFLAGS = -std=c17 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(PKG_CFLAGS) -Isrc -MMD -MP
ALLLDFLAGS = $(LDFLAGS)
ifneq ($(SANITIZE),)
ALLCFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALLLDFLAGS += -fsanitize=$(SANITIZE)
endif

# Objects of each flavour (compiler, flags) live apart, so switching
# between `make` and `make SANITIZE=...` never mixes them.
FLAVOUR  := $(shell echo '$(CC) $(ALLCFLAGS) $(ALLLDFLAGS)' | cksum | cut -d' ' -f1)
B         = build/$(FLAVOUR)

CORE_SRCS = $(filter-out src/main.c,$(wildcard src/*.c))
CMD_SRCS  = src/main.c $(wildcard src/cmd/*.c)
GEN_SRCS  = $(B)/gen/schema.c
CORE_OBJS = $(CORE_SRCS:%.c=$(B)/%.o) $(B)/gen/schema.o
CMD_OBJS  = $(CMD_SRCS:%.c=$(B)/%.o)
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
# The fuzz harnesses, also built without libFuzzer to replay their seeds
# and past crashes (tests/fuzz/regress/) in `make check`.
FUZZ_NAMES = thumb dn host store conn namekey clixml import
REPLAY_BINS = $(FUZZ_NAMES:%=$(B)/tests/replay_%)

.PHONY: all check check-run unit cli demo deps install uninstall clean lint bench \
        fuzz fuzz-run check-valgrind
all: $(PROG)

# Compared every time: after a build of another flavour (SANITIZE, CC),
# `make` puts this flavour's binary back although it is the older one.
# A new file, not a rewrite, so a running ./certbind is not disturbed.
.PHONY: $(PROG)
$(PROG): $(B)/$(PROG)
	@cmp -s $< $@ || { rm -f $@ && cp $< $@; }

$(B)/$(PROG): $(CMD_OBJS) $(CORE_OBJS)
	$(CC) $(ALLCFLAGS) -o $@ $(filter %.o,$^) $(ALLLDFLAGS) $(BIN_LIBS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c -o $@ $<

# The connector schema is compiled into the binary (certbind-connectors(5)).
$(B)/gen/schema.c: src/connectors.rng scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh conn_schema_rng $< > $@

$(B)/gen/schema.o: $(B)/gen/schema.c
	$(CC) $(ALLCFLAGS) -c -o $@ $<

$(B)/tests/test_%: tests/unit/test_%.c $(CORE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $(filter %.c %.o,$^) $(ALLLDFLAGS) $(PKG_LIBS) $$(pkg-config --libs cmocka)

$(B)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(CORE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -DFUZZ_NAME='"$*"' -o $@ $(filter %.c %.o,$^) \
	    $(ALLLDFLAGS) $(PKG_LIBS)

# tests/shim/freescan.c: an LD_PRELOAD allocator shim for the CLI tests
# (test-only, never installed), built without sanitizers whatever the
# flavour: it loads into ./certbind of any build but an ASan one.
SHIM = build/shim/freescan.so
$(SHIM): tests/shim/freescan.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -D_GNU_SOURCE $(WARN) -O2 -fPIC -shared -o $@ $<

unit: $(UNIT_BINS) $(REPLAY_BINS) $(SHIM)

deps:
	@sh scripts/deps.sh

check: deps
	@$(MAKE) --no-print-directory $(PROG) unit
	@sh tests/run.sh $(UNIT_BINS) $(REPLAY_BINS)

demo: deps
	@$(MAKE) --no-print-directory $(PROG)
	@sh scripts/demo.sh

install: $(PROG)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(PROG) $(DESTDIR)$(BINDIR)/$(PROG)
	install -m 644 man/certbind.1 $(DESTDIR)$(MANDIR)/man1/certbind.1
	install -m 644 man/certbind-connectors.5 $(DESTDIR)$(MANDIR)/man5/certbind-connectors.5
	install -d $(DESTDIR)$(COMPDIR)
	install -m 644 scripts/certbind.bash-completion $(DESTDIR)$(COMPDIR)/certbind
	install -d $(DESTDIR)$(ZCOMPDIR)
	install -m 644 scripts/_certbind $(DESTDIR)$(ZCOMPDIR)/_certbind

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(PROG) $(DESTDIR)$(MANDIR)/man1/certbind.1 \
	    $(DESTDIR)$(MANDIR)/man5/certbind-connectors.5 \
	    $(DESTDIR)$(COMPDIR)/certbind $(DESTDIR)$(ZCOMPDIR)/_certbind

lint:
	clang-format --dry-run -Werror src/*.c src/*.h src/cmd/*.c tests/unit/*.c \
	    tests/fuzz/*.c tests/shim/*.c bench/*.c
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --suppress=missingIncludeSystem -D_GNU_SOURCE -Isrc src

# libFuzzer harnesses (tests/fuzz/README): the core built apart with
# clang's fuzzer, address and undefined sanitizers.  `make fuzz-run
# FUZZ_SECONDS=N` runs each for N seconds on a scratch copy of its
# committed corpus and fails if any finds a crash, leak or timeout.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FB            = build/fuzz
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS   = -std=c17 -D_GNU_SOURCE $(WARN) -O1 -g -fno-omit-frame-pointer \
                $(FUZZ_SAN) $(PKG_CFLAGS) -Isrc -MMD -MP
FUZZ_OBJS     = $(CORE_SRCS:%.c=$(FB)/%.o) $(FB)/gen/schema.o
FUZZ_BINS     = $(FUZZ_NAMES:%=$(FB)/fuzz_%)
.SECONDARY: $(FUZZ_OBJS) $(FB)/gen/schema.c

fuzz: deps
	@echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' | \
	    $(FUZZ_CC) -fsanitize=fuzzer -x c - -o /dev/null 2>/dev/null || \
	    { echo "certbind: $(FUZZ_CC) cannot link libFuzzer; run: sudo apt-get install clang libclang-rt-14-dev" >&2; exit 1; }
	@$(MAKE) -s --no-print-directory $(FUZZ_BINS)

$(FB)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FB)/gen/schema.c: src/connectors.rng scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh conn_schema_rng $< > $@

$(FB)/gen/schema.o: $(FB)/gen/schema.c
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FB)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) \
	    $(PKG_LIBS)

fuzz-run: fuzz
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

# The unit tests and every ./certbind of the CLI tests under valgrind's
# memcheck: any error or definitely/indirectly lost block fails the test.
# Needs a build without sanitizers (valgrind cannot run ASan binaries).
VALGRIND = valgrind -q --leak-check=full \
           --errors-for-leak-kinds=definite,indirect --error-exitcode=99

check-valgrind: deps
	@test -z "$(SANITIZE)" || \
	    { echo "certbind: check-valgrind needs a build without SANITIZE" >&2; exit 1; }
	@command -v valgrind >/dev/null || \
	    { echo "certbind: valgrind is missing; run: sudo apt-get install valgrind" >&2; exit 1; }
	@$(MAKE) --no-print-directory $(B)/$(PROG) unit
	@cp $(B)/$(PROG) $(PROG)
	@CERTBIND_TEST_WRAP="$(VALGRIND)" sh tests/run.sh $(UNIT_BINS) $(REPLAY_BINS)

clean:
	rm -rf build $(PROG)

-include $(shell find build -name '*.d' 2>/dev/null)

# `make bench`: the measurements of README.md's "Performance" (issue 6).
# Uses the default flavour's binary, never a sanitizer build.
BENCH_N  ?= 1000 10000 100000
BENCH_BIN = build/bench/bin
BENCH_TOOLS = $(BENCH_BIN)/floor $(BENCH_BIN)/gencerts $(BENCH_BIN)/timeit \
              $(BENCH_BIN)/genconns

$(BENCH_BIN)/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu17 -O2 -o $@ $< $$(pkg-config --cflags --libs libcrypto)

bench: deps
	@$(MAKE) --no-print-directory $(B)/$(PROG) $(BENCH_TOOLS)
	@sh bench/run.sh $(B)/$(PROG) $(BENCH_TOOLS) build/bench/data $(BENCH_N)

# `make unit-dn` builds and runs tests/unit/test_dn.c alone.
unit-%: $(B)/tests/test_%
	CMOCKA_MESSAGE_OUTPUT=TAP $<
