# leanboot: plain Makefile.  make; make deps; make check; make demo.
#   WERROR=0      build without -Werror
#   SANITIZE=1    build with ASan and UBSan
#   PREFIX, DESTDIR honoured by make install

VERSION   = 0.1
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
CFLAGS   ?= -O2 -g
PKGS      = libvirt libxml-2.0 json-c nettle liblzma libarchive
DATADIR   = $(PREFIX)/lib/leanboot

WARN      = -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror)
WERROR   ?= 1
SAN_1     = -fsanitize=address,undefined -fno-omit-frame-pointer
SANFLAGS  = $(SAN_$(SANITIZE))
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LB_CFLAGS = -std=gnu11 $(WARN) $(SANFLAGS) $(PKG_CFLAGS) \
            -DLB_VERSION='"$(VERSION)"' -DLB_DATADIR='"$(DATADIR)"'

OBJS = \
	launcher/main.o \
	launcher/cmd.o \
	launcher/cmd-xml.o \
	launcher/cmd-check.o \
	launcher/cmd-appliance.o \
	launcher/cmd-run.o \
	launcher/cmd-inspect.o \
	launcher/inspect-report.o \
	launcher/inspect-derive.o \
	launcher/inspect-keys.o \
	launcher/inspect-sbom.o \
	launcher/text.o \
	launcher/err.o \
	launcher/util.o \
	launcher/digest.o \
	launcher/strv.o \
	launcher/proc.o \
	launcher/disk.o \
	launcher/plan.o \
	launcher/topology.o \
	launcher/domxml.o \
	launcher/qemuargv.o \
	launcher/appliance.o \
	launcher/appliance-build.o \
	launcher/kernel.o \
	launcher/xmlsafe.o \
	launcher/counts.o \
	launcher/addrs.o \
	launcher/lv.o \
	launcher/proto.o \
	launcher/chan.o \
	launcher/qmp.o \
	launcher/template.o \
	launcher/accel.o \
	launcher/launch.o \
	launcher/watchdog.o \
	launcher/backend-direct.o \
	launcher/backend-libvirt.o \
	launcher/pool.o \
	launcher/relay.o \
	launcher/stages.o \
	launcher/stats.o \
	launcher/fit.o \
	launcher/svg.o \
	launcher/cmd-bench.o \
	launcher/cmd-plan.o \
	launcher/bench.o \
	launcher/bench-report.o \
	launcher/bench-sweep.o \
	launcher/backend.o \
	launcher/cmd-completion.o

# The sanitizer runtime's defaults (launcher/sanitize.c says why).
OBJS += $(if $(filter 1,$(SANITIZE)),launcher/sanitize.o)

HEADERS = $(wildcard launcher/*.h include/*.h)

.DEFAULT_GOAL := all

# The flags of the last build: a change (SANITIZE=1, say) rebuilds
# everything, so that a sanitizer build never links stale objects.
FLAGS_STAMP = launcher/.build-flags
$(FLAGS_STAMP): FORCE
	@echo '$(CC) $(CFLAGS) $(LB_CFLAGS) $(SANFLAGS)' | cmp -s - $@ || \
		echo '$(CC) $(CFLAGS) $(LB_CFLAGS) $(SANFLAGS)' >$@
FORCE:

all: launcher/leanboot appliance/init appliance/inspect tests/helpers/rngcheck tests/helpers/proto-test \
     tests/helpers/stages-test tests/helpers/kernel-test tests/helpers/report-test tests/helpers/fit-test \
     tests/helpers/mksubvol tests/helpers/sbom-test tests/helpers/lv-test

launcher/%.o: launcher/%.c $(HEADERS) $(FLAGS_STAMP)
	$(CC) $(CFLAGS) $(LB_CFLAGS) -c -o $@ $<

launcher/leanboot: $(OBJS)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $(OBJS) $(PKG_LIBS) -lm -pthread

# PID 1 of the appliance: static, so it needs nothing from the root image.
appliance/init: appliance/init.c appliance/job.c appliance/disks.c appliance/init.h launcher/wire.h
	$(CC) -O2 -static -std=gnu11 $(WARN) -o $@ appliance/init.c appliance/job.c appliance/disks.c

# The inspector runs inside the appliance, linked against the libraries
# appliance/packages puts there that every inspection uses (libblkid,
# libsqlite3); hivex, librpm and libbtrfsutil it loads when a disk needs
# them (inspect.h).
INSPECT_SRCS = appliance/inspect.c appliance/inspect-util.c appliance/inspect-fs.c \
               appliance/inspect-linux.c appliance/inspect-rpm.c appliance/inspect-windows.c \
               appliance/inspect-btrfs.c appliance/inspect-release.c appliance/inspect-apps.c \
               appliance/inspect-volumes.c appliance/inspect-xbps.c appliance/inspect-portage.c \
               appliance/inspect-fstab.c appliance/inspect-bsd.c
appliance/inspect: $(INSPECT_SRCS) appliance/inspect.h launcher/wire.h include/inspect-vocab.h
	$(CC) $(CFLAGS) -std=gnu11 $(WARN) -o $@ $(INSPECT_SRCS) -lblkid -lsqlite3

tests/helpers/rngcheck: tests/helpers/rngcheck.c $(FLAGS_STAMP)
	$(CC) $(CFLAGS) -std=gnu11 $(WARN) $(PKG_CFLAGS) -o $@ $< $(PKG_LIBS)

tests/helpers/proto-test: tests/helpers/proto-test.c launcher/proto.o launcher/proto.h
	$(CC) $(CFLAGS) -std=gnu11 $(WARN) $(SANFLAGS) -o $@ $< launcher/proto.o

# The bottom layer every helper links: text, err, util, strv.
BASE_OBJS = launcher/text.o launcher/err.o launcher/util.o launcher/strv.o

# The SBOM writer on reports made by hand, without a VM.
tests/helpers/sbom-test: tests/helpers/sbom-test.c launcher/inspect-sbom.c launcher/inspect-sbom.h include/inspect-vocab.h
	$(CC) $(CFLAGS) -std=gnu11 $(WARN) $(SANFLAGS) $(PKG_CFLAGS) -o $@ $< launcher/inspect-sbom.c $(PKG_LIBS)

tests/helpers/report-test: tests/helpers/report-test.c launcher/inspect-report.o launcher/inspect-derive.o $(BASE_OBJS) \
                           launcher/inspect-report.h
	$(CC) $(CFLAGS) -std=gnu11 $(WARN) $(SANFLAGS) $(PKG_CFLAGS) -o $@ $< launcher/inspect-report.o \
		launcher/inspect-derive.o $(BASE_OBJS) $(PKG_LIBS)

tests/helpers/stages-test: tests/helpers/stages-test.c launcher/stages.o $(BASE_OBJS) launcher/stages.h
	$(CC) $(CFLAGS) -std=gnu11 $(WARN) $(SANFLAGS) -o $@ $< launcher/stages.o $(BASE_OBJS)

# Static: it runs inside the appliance, sent there on the channel's stdin.
tests/helpers/mksubvol: tests/helpers/mksubvol.c
	$(CC) -O2 -static -std=gnu11 $(WARN) -o $@ $<

tests/helpers/fit-test: tests/helpers/fit-test.c launcher/fit.o launcher/fit.h
	$(CC) $(CFLAGS) -std=gnu11 $(WARN) $(SANFLAGS) -o $@ $< launcher/fit.o -lm

# lv's check of QEMU's namespace, on libvirt's test driver and an
# embedded QEMU driver that only defines.
# It opens libvirt, so it takes the sanitizer defaults leanboot takes.
LV_TEST_OBJS = launcher/lv.o launcher/xmlsafe.o $(BASE_OBJS) $(if $(filter 1,$(SANITIZE)),launcher/sanitize.o)
tests/helpers/lv-test: tests/helpers/lv-test.c $(LV_TEST_OBJS) launcher/lv.h
	$(CC) $(CFLAGS) -std=gnu11 $(WARN) $(SANFLAGS) $(PKG_CFLAGS) -o $@ $< $(LV_TEST_OBJS) $(PKG_LIBS)

tests/helpers/kernel-test: tests/helpers/kernel-test.c launcher/kernel.o $(BASE_OBJS) launcher/kernel.h
	$(CC) $(CFLAGS) -std=gnu11 $(WARN) $(SANFLAGS) -o $@ $< launcher/kernel.o $(BASE_OBJS) $(PKG_LIBS)

deps:
	@scripts/deps

# libFuzzer targets (tests/fuzz/): clang, ASan and UBSan.  make fuzz runs
# each for FUZZ_RUNS executions or FUZZ_TIME seconds, whichever ends first.
FUZZ_CC    ?= clang
FUZZ_FLAGS  = -g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS)
FUZZ_RUNS  ?= 10000000
FUZZ_TIME  ?= 1800
BASE_SRCS   = $(BASE_OBJS:.o=.c)
FUZZERS     = tests/fuzz/fuzz-proto tests/fuzz/fuzz-counts tests/fuzz/fuzz-report tests/fuzz/fuzz-pkgdb

tests/fuzz/fuzz-proto: tests/fuzz/fuzz-proto.c launcher/proto.c $(HEADERS)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< launcher/proto.c

tests/fuzz/fuzz-counts: tests/fuzz/fuzz-counts.c launcher/counts.c launcher/addrs.c launcher/xmlsafe.c $(BASE_SRCS) $(HEADERS)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< launcher/counts.c launcher/addrs.c launcher/xmlsafe.c \
		$(BASE_SRCS) $(PKG_LIBS)

tests/fuzz/fuzz-report: tests/fuzz/fuzz-report.c launcher/inspect-report.c launcher/inspect-derive.c $(BASE_SRCS) $(HEADERS)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< launcher/inspect-report.c launcher/inspect-derive.c $(BASE_SRCS) $(PKG_LIBS)

# The inspector's readers of package databases and release files, as
# they run in the appliance, on files the fuzzer writes.
PKGDB_SRCS = appliance/inspect-apps.c appliance/inspect-release.c appliance/inspect-util.c \
             appliance/inspect-rpm.c appliance/inspect-xbps.c appliance/inspect-portage.c
tests/fuzz/fuzz-pkgdb: tests/fuzz/fuzz-pkgdb.c $(PKGDB_SRCS) appliance/inspect.h include/inspect-vocab.h
	$(FUZZ_CC) -g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -o $@ $< $(PKGDB_SRCS) -lsqlite3 -ldl

fuzz:
	@scripts/deps fuzz
	@$(MAKE) --no-print-directory $(FUZZERS)
	@scripts/fuzz $(FUZZ_RUNS) $(FUZZ_TIME) $(FUZZERS)

# check and demo install what is missing first, then build in a fresh make,
# so that pkg-config sees libraries the set-up has just installed.
check:
	@scripts/deps
	@$(MAKE) --no-print-directory all
	prove -v tests/*.t

# valgrind memcheck over xml and check.
check-valgrind:
	@scripts/deps valgrind
	@$(MAKE) --no-print-directory all
	@scripts/valgrind

# Fault injection and the soak (tests/faults/): minutes, not seconds.
check-faults:
	@scripts/deps
	@$(MAKE) --no-print-directory all
	prove -v tests/faults/*.t

demo:
	@scripts/deps
	@$(MAKE) --no-print-directory all
	@scripts/demo

regen-golden: all
	LEANBOOT_REGEN=1 prove tests/01-golden.t

install: launcher/leanboot appliance/init appliance/inspect
	install -D -m 0755 launcher/leanboot $(DESTDIR)$(PREFIX)/bin/leanboot
	install -D -m 0755 appliance/init $(DESTDIR)$(DATADIR)/init
	install -D -m 0755 appliance/inspect $(DESTDIR)$(DATADIR)/inspect
	install -D -m 0644 appliance/packages $(DESTDIR)$(DATADIR)/packages
	install -D -m 0644 appliance/modules $(DESTDIR)$(DATADIR)/modules
	install -D -m 0644 docs/leanboot.1 $(DESTDIR)$(PREFIX)/share/man/man1/leanboot.1
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	launcher/leanboot completion bash >$(DESTDIR)$(PREFIX)/share/bash-completion/completions/leanboot

clean:
	rm -f launcher/*.o launcher/.build-flags launcher/leanboot appliance/init appliance/inspect tests/helpers/rngcheck tests/helpers/proto-test \
	      tests/helpers/stages-test tests/helpers/kernel-test tests/helpers/report-test tests/helpers/fit-test \
	      tests/helpers/mksubvol tests/helpers/sbom-test tests/helpers/lv-test $(FUZZERS)

.PHONY: FORCE all deps check check-faults check-valgrind demo fuzz regen-golden install clean
