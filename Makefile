# certbind — see README.md.  `make`, `make check`, `make demo`, `make install`.
PROG      = certbind
PREFIX   ?= /usr/local
BINDIR    = $(PREFIX)/bin
MANDIR    = $(PREFIX)/share/man
PKGS      = libcrypto libxml-2.0
SANITIZE ?=

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

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

.PHONY: all check check-run unit cli demo deps install uninstall clean lint bench
all: $(PROG)

$(PROG): $(B)/$(PROG)
	cp $< $@

$(B)/$(PROG): $(CMD_OBJS) $(CORE_OBJS)
	$(CC) $(ALLCFLAGS) -o $@ $(filter %.o,$^) $(ALLLDFLAGS) $(PKG_LIBS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c -o $@ $<

# The connector schema is compiled into the binary (SPEC §7).
$(B)/gen/schema.c: src/connectors.rng scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh conn_schema_rng $< > $@

$(B)/gen/schema.o: $(B)/gen/schema.c
	$(CC) $(ALLCFLAGS) -c -o $@ $<

$(B)/tests/test_%: tests/unit/test_%.c $(CORE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $(filter %.c %.o,$^) $(ALLLDFLAGS) $(PKG_LIBS) $$(pkg-config --libs cmocka)

unit: $(UNIT_BINS)

deps:
	@sh scripts/deps.sh

check: deps
	@$(MAKE) --no-print-directory $(PROG) unit
	@sh tests/run.sh $(UNIT_BINS)

demo: deps
	@$(MAKE) --no-print-directory $(PROG)
	@sh scripts/demo.sh

install: $(PROG)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(PROG) $(DESTDIR)$(BINDIR)/$(PROG)
	install -m 644 man/certbind.1 $(DESTDIR)$(MANDIR)/man1/certbind.1
	install -m 644 man/certbind-connectors.5 $(DESTDIR)$(MANDIR)/man5/certbind-connectors.5

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(PROG) $(DESTDIR)$(MANDIR)/man1/certbind.1 \
	    $(DESTDIR)$(MANDIR)/man5/certbind-connectors.5

lint:
	clang-format --dry-run -Werror src/*.c src/*.h src/cmd/*.c tests/unit/*.c
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --suppress=missingIncludeSystem -D_GNU_SOURCE -Isrc src

clean:
	rm -rf build $(PROG)

-include $(shell find build -name '*.d' 2>/dev/null)

# `make bench`: the measurements of README.md's "Performance" (issue 6).
# Uses the default flavour's binary, never a sanitizer build.
BENCH_N  ?= 1000 10000 100000
BENCH_BIN = build/bench/bin
BENCH_TOOLS = $(BENCH_BIN)/floor $(BENCH_BIN)/gencerts $(BENCH_BIN)/timeit

$(BENCH_BIN)/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu17 -O2 -o $@ $< $$(pkg-config --cflags --libs libcrypto)

bench: deps
	@$(MAKE) --no-print-directory $(B)/$(PROG) $(BENCH_TOOLS)
	@sh bench/run.sh $(B)/$(PROG) $(BENCH_TOOLS) build/bench/data $(BENCH_N)

# `make unit-dn` builds and runs tests/unit/test_dn.c alone.
unit-%: $(B)/tests/test_%
	CMOCKA_MESSAGE_OUTPUT=TAP $<
