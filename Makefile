# leanboot: plain Makefile.  make; make deps; make check; make demo.
#   WERROR=0      build without -Werror
#   SANITIZE=1    build with ASan and UBSan
#   PREFIX, DESTDIR honoured by make install
#   CPPFLAGS, LDFLAGS honoured as well, as dpkg-buildflags sets them

# The version has one home, debian/changelog's newest entry: the package
# and leanboot --version cannot disagree.
VERSION  := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
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

# Every output goes under build/, laid out as an install is: the program
# in bin/, what the appliance is made of in lib/leanboot/ (the program
# finds it there, beside itself), objects in obj/ by source path.
B         = build
DATA      = $(B)/lib/leanboot
LB        = $(B)/bin/leanboot

# The launcher: every .c under launcher/ except the sanitizer's defaults.
LAUNCHER_SRCS = $(filter-out launcher/common/sanitize.c,$(sort $(wildcard launcher/*/*.c)))
OBJS = $(LAUNCHER_SRCS:%.c=$(B)/obj/%.o)

# The sanitizer runtime's defaults (launcher/common/sanitize.c says why).
SAN_OBJS = $(if $(filter 1,$(SANITIZE)),$(B)/obj/launcher/common/sanitize.o)
OBJS += $(SAN_OBJS)

INIT_SRCS    = $(sort $(wildcard appliance/init/*.c))
INSPECT_SRCS = $(sort $(wildcard appliance/inspect/*.c))
INIT_OBJS    = $(INIT_SRCS:%.c=$(B)/obj/%.o)
INSPECT_OBJS = $(INSPECT_SRCS:%.c=$(B)/obj/%.o)

HELPERS = rngcheck proto-test stages-test kernel-test report-test fit-test mksubvol sbom-test lv-test \
          render-test key-test nons
HELPER_BINS = $(HELPERS:%=$(B)/tests/helpers/%)

.DEFAULT_GOAL := all

# The flags of the last build: a change (SANITIZE=1, say) rebuilds
# everything, so that a sanitizer build never links stale objects.
FLAGS_STAMP = $(B)/.build-flags
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(LB_CFLAGS) $(SANFLAGS)' | cmp -s - $@ || \
		echo '$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(LB_CFLAGS) $(SANFLAGS)' >$@
FORCE:

# The aarch64 appliance's init and inspector, when Debian's cross compiler
# is there (scripts/deps aarch64 installs it, with the arm64 libraries the
# inspector links); without it leanboot still does everything for x86_64.
# CROSS_aarch64= leaves them out (the Debian package does: an amd64
# package carries no arm64 binaries).
ifeq ($(origin CROSS_aarch64),undefined)
CROSS_aarch64 := $(shell command -v aarch64-linux-gnu-gcc 2>/dev/null)
endif
CROSS_DATA = $(if $(CROSS_aarch64),$(DATA)/init-aarch64 $(DATA)/inspect-aarch64)

# What an install holds; all adds the test helpers.
PROGRAMS = $(LB) $(DATA)/init $(DATA)/inspect $(DATA)/packages $(DATA)/modules $(CROSS_DATA)
programs: $(PROGRAMS)
all: $(PROGRAMS) $(HELPER_BINS)

# Headers are found from the top of each tree: "plan/plan.h", "wire.h".
# -MMD writes each object's header dependencies beside it.
INCS = -Ilauncher -Iinclude
$(B)/obj/launcher/%.o: launcher/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LB_CFLAGS) $(INCS) -MMD -MP -c -o $@ $<

$(LB): $(OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(PKG_LIBS) -lm -pthread

# PID 1 of the appliance: static, so it needs nothing from the root image.
$(B)/obj/appliance/init/%.o: appliance/init/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -O2 -g -std=gnu11 $(WARN) -Iinclude -MMD -MP -c -o $@ $<
$(DATA)/init: $(INIT_OBJS)
	@mkdir -p $(@D)
	$(CC) -O2 -static $(LDFLAGS) -o $@ $(INIT_OBJS)

# The inspector runs inside the appliance, linked against the libraries
# appliance/packages puts there that every inspection uses (libblkid,
# libsqlite3); hivex, librpm and libbtrfsutil it loads when a disk needs
# them (appliance/inspect/inspect.h).
$(B)/obj/appliance/inspect/%.o: appliance/inspect/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -std=gnu11 $(WARN) -Iinclude -MMD -MP -c -o $@ $<
$(DATA)/inspect: $(INSPECT_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(INSPECT_OBJS) -lblkid -lsqlite3

# The same two for aarch64, by the cross compiler: no qemu-user, no
# binfmt.  Objects go to obj-aarch64/.
$(B)/obj-aarch64/appliance/init/%.o: appliance/init/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	aarch64-linux-gnu-gcc -O2 -std=gnu11 $(WARN) -Iinclude -MMD -MP -c -o $@ $<
$(DATA)/init-aarch64: $(INIT_SRCS:%.c=$(B)/obj-aarch64/%.o)
	@mkdir -p $(@D)
	aarch64-linux-gnu-gcc -O2 -static -o $@ $^
$(B)/obj-aarch64/appliance/inspect/%.o: appliance/inspect/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	aarch64-linux-gnu-gcc -O2 -g -std=gnu11 $(WARN) -Iinclude -MMD -MP -c -o $@ $<
$(DATA)/inspect-aarch64: $(INSPECT_SRCS:%.c=$(B)/obj-aarch64/%.o)
	@mkdir -p $(@D)
	aarch64-linux-gnu-gcc -O2 -g -o $@ $^ -lblkid -lsqlite3

# The lists supermin reads, beside the binaries, as an install has them.
$(DATA)/packages $(DATA)/modules: $(DATA)/%: appliance/%
	@mkdir -p $(@D)
	cp $< $@

HB = $(B)/tests/helpers
# -MMD: a helper is rebuilt when a header it includes changes (tap.h).
TCC = $(CC) $(CFLAGS) -std=gnu11 $(WARN) $(INCS) -MMD -MP
# What a helper is linked from: its prerequisites less the headers -MMD
# added to them.
SRCS_OF = $(filter %.c %.o,$^)
o = $(1:%=$(B)/obj/launcher/%.o)

$(HB)/rngcheck: tests/helpers/rngcheck.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(TCC) $(PKG_CFLAGS) -o $@ $< $(PKG_LIBS)

$(HB)/proto-test: tests/helpers/proto-test.c $(call o,launch/proto)
	@mkdir -p $(@D)
	$(TCC) $(SANFLAGS) -o $@ $(SRCS_OF)

# The bottom layer every helper links: text, err, util, strv.
BASE = common/text common/err common/util common/strv
BASE_OBJS = $(call o,$(BASE))

# The SBOM writer on reports made by hand, without a VM.
$(HB)/sbom-test: tests/helpers/sbom-test.c $(call o,inspect/sbom)
	@mkdir -p $(@D)
	$(TCC) $(SANFLAGS) $(PKG_CFLAGS) -o $@ $(SRCS_OF) $(PKG_LIBS)

$(HB)/report-test: tests/helpers/report-test.c $(call o,inspect/report inspect/derive) $(BASE_OBJS)
	@mkdir -p $(@D)
	$(TCC) $(SANFLAGS) $(PKG_CFLAGS) -o $@ $(SRCS_OF) $(PKG_LIBS)

$(HB)/stages-test: tests/helpers/stages-test.c $(call o,launch/stages plan/machine common/names) $(BASE_OBJS)
	@mkdir -p $(@D)
	$(TCC) $(SANFLAGS) -o $@ $(SRCS_OF)

# Static: it runs inside the appliance, sent there on the channel's stdin.
$(HB)/mksubvol: tests/helpers/mksubvol.c
	@mkdir -p $(@D)
	$(CC) -O2 -static -std=gnu11 $(WARN) -o $@ $<

# Namespaces forbidden, as a container's seccomp profile forbids them.
$(HB)/nons: tests/helpers/nons.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) -O2 -std=gnu11 $(WARN) -o $@ $<

$(HB)/fit-test: tests/helpers/fit-test.c $(call o,bench/fit)
	@mkdir -p $(@D)
	$(TCC) $(SANFLAGS) -o $@ $(SRCS_OF) -lm

# lv's check of QEMU's namespace, on libvirt's test driver and an
# embedded QEMU driver that only defines.
# It opens libvirt, so it takes the sanitizer defaults leanboot takes.
$(HB)/lv-test: tests/helpers/lv-test.c $(call o,backend/lv backend/jail common/xmlsafe) $(BASE_OBJS) $(SAN_OBJS)
	@mkdir -p $(@D)
	$(TCC) $(SANFLAGS) $(PKG_CFLAGS) -o $@ $(SRCS_OF) $(PKG_LIBS)

$(HB)/kernel-test: tests/helpers/kernel-test.c $(call o,plan/kernel common/names) $(BASE_OBJS)
	@mkdir -p $(@D)
	$(TCC) $(SANFLAGS) -o $@ $(SRCS_OF) $(PKG_LIBS)

# What each backend is given for cold, template and clone plans: the
# renderers and the clone's hot-adds, without a VM.
RENDER_OBJS = $(call o,plan/plan plan/machine plan/kernel plan/topology plan/disk common/names common/xmlsafe \
                backend/domxml backend/qemuargv backend/direct-attach)
$(HB)/render-test: tests/helpers/render-test.c $(RENDER_OBJS) $(BASE_OBJS)
	@mkdir -p $(@D)
	$(TCC) $(SANFLAGS) $(PKG_CFLAGS) -o $@ $(SRCS_OF) $(PKG_LIBS)

# The template key's words against both backends' renders: their hooks
# (backend_ops) come with the backends' objects and what those call.
# It links libvirt, so it takes the sanitizer defaults leanboot takes.
KEY_OBJS = $(RENDER_OBJS) $(call o,plan/key plan/conn common/proc backend/direct backend/diskfd backend/jail backend/libvirt \
             backend/libvirt-reap backend/libvirt-remote backend/lv backend/pool backend/qmp \
             backend/relay backend/volxml)
$(HB)/key-test: tests/helpers/key-test.c $(KEY_OBJS) $(BASE_OBJS) $(SAN_OBJS)
	@mkdir -p $(@D)
	$(TCC) $(SANFLAGS) $(PKG_CFLAGS) -o $@ $(SRCS_OF) $(PKG_LIBS) -pthread

-include $(OBJS:.o=.d) $(INIT_OBJS:.o=.d) $(INSPECT_OBJS:.o=.d) $(HELPER_BINS:=.d) \
         $(wildcard $(B)/obj-aarch64/appliance/*/*.d)

deps:
	@scripts/deps

# libFuzzer targets (tests/fuzz/): clang, ASan and UBSan.  make fuzz runs
# each for FUZZ_RUNS executions or FUZZ_TIME seconds, whichever ends first.
FUZZ_CC    ?= clang
FUZZ_FLAGS  = -g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS)
FUZZ_RUNS  ?= 10000000
FUZZ_TIME  ?= 1800
BASE_SRCS   = $(BASE:%=launcher/%.c)
FB          = $(B)/tests/fuzz
FUZZERS     = $(FB)/fuzz-proto $(FB)/fuzz-counts $(FB)/fuzz-report $(FB)/fuzz-pkgdb

$(FB)/fuzz-proto: tests/fuzz/fuzz-proto.c launcher/launch/proto.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(INCS) -o $@ $^

$(FB)/fuzz-counts: tests/fuzz/fuzz-counts.c launcher/check/counts.c launcher/check/addrs.c launcher/common/xmlsafe.c $(BASE_SRCS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(INCS) -o $@ $^ $(PKG_LIBS)

$(FB)/fuzz-report: tests/fuzz/fuzz-report.c launcher/inspect/report.c launcher/inspect/derive.c $(BASE_SRCS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(INCS) -o $@ $^ $(PKG_LIBS)

# The inspector's readers of package databases and release files, as
# they run in the appliance, on files the fuzzer writes.
PKGDB_SRCS = $(addprefix appliance/inspect/,app.c apps.c release.c util.c rpm.c xbps.c portage.c)
$(FB)/fuzz-pkgdb: tests/fuzz/fuzz-pkgdb.c $(PKGDB_SRCS)
	@mkdir -p $(@D)
	$(FUZZ_CC) -g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -Iinclude -o $@ $^ -lsqlite3 -ldl

fuzz:
	@scripts/deps fuzz
	@$(MAKE) --no-print-directory $(FUZZERS)
	@scripts/fuzz $(FUZZ_RUNS) $(FUZZ_TIME) $(FUZZERS)

# check and demo install what is missing first, then build in a fresh make,
# so that pkg-config sees libraries the set-up has just installed.
check:
	@scripts/deps
	@$(MAKE) --no-print-directory all
	prove -v --timer tests/*.t

# valgrind memcheck over xml and check.
check-valgrind:
	@scripts/deps valgrind
	@$(MAKE) --no-print-directory all
	@scripts/valgrind

# Fault injection and the soak (tests/faults/): minutes, not seconds.
check-faults:
	@scripts/deps
	@$(MAKE) --no-print-directory all
	prove -v --timer tests/faults/*.t

demo:
	@scripts/deps
	@$(MAKE) --no-print-directory all
	@scripts/demo

regen-golden: all
	LEANBOOT_REGEN=1 prove tests/01-golden.t

install: $(PROGRAMS)
	install -D -m 0755 $(LB) $(DESTDIR)$(PREFIX)/bin/leanboot
	install -D -m 0755 $(DATA)/init $(DESTDIR)$(DATADIR)/init
	install -D -m 0755 $(DATA)/inspect $(DESTDIR)$(DATADIR)/inspect
	install -D -m 0644 appliance/packages $(DESTDIR)$(DATADIR)/packages
	install -D -m 0644 appliance/modules $(DESTDIR)$(DATADIR)/modules
	$(if $(CROSS_DATA),install -m 0755 $(CROSS_DATA) $(DESTDIR)$(DATADIR)/)
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	sed '1s/"leanboot"/"leanboot $(VERSION)"/' docs/leanboot.1 >$(DESTDIR)$(PREFIX)/share/man/man1/leanboot.1
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	$(LB) completion bash >$(DESTDIR)$(PREFIX)/share/bash-completion/completions/leanboot

# The Debian package, built by dpkg-buildpackage from a copy of the tree
# (it writes its results beside the source directory, so the copy sits
# in build/deb/src and they land in build/deb/), then checked by lintian.
DEB = $(B)/deb/leanboot_$(VERSION)_amd64.deb
deb:
	@scripts/deps package
	rm -rf $(B)/deb
	mkdir -p $(B)/deb/src
	tar -c -f - --exclude=./build --exclude=./.git . | tar -x -f - -C $(B)/deb/src
	cd $(B)/deb/src && dpkg-buildpackage -us -uc -b
	lintian --fail-on error $(B)/deb/leanboot_$(VERSION)_amd64.changes

# An OCI image with that package installed and its appliance built in,
# from Debian's archive alone (container/build says how).
CONTAINER_IMAGE ?= leanboot
container: deb
	@scripts/deps container
	container/build $(DEB) $(CONTAINER_IMAGE)

# The package and the image tested as their users meet them: installed
# by apt in a fresh root, run as root and as a new user, purged; the
# image run by podman, as root and rootless (tests/package/).  The tree's
# own build is what the tests compare the package's answers with.
check-package: container
	@$(MAKE) --no-print-directory all
	LEANBOOT_DEB=$(DEB) LEANBOOT_IMAGE=$(CONTAINER_IMAGE) prove -v --timer tests/package/*.t

clean:
	rm -rf $(B)

.PHONY: FORCE all programs deps deb container check-package check check-faults check-valgrind demo fuzz regen-golden install clean
