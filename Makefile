# SPDX-License-Identifier: MIT
# mptcp-auto: one plain Makefile. `make check` runs everything CI runs.

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
# GNU convention: configuration under the prefix, except for PREFIX=/usr,
# whose configuration is in /etc. The shim, the command and the daemon
# read the system policy from $(SYSCONFDIR)/mptcp-auto: compiled in.
ifeq ($(patsubst %/,%,$(PREFIX)),/usr)
SYSCONFDIR ?= /etc
else
SYSCONFDIR ?= $(PREFIX)/etc
endif
INCLUDEDIR ?= $(PREFIX)/include
DESTDIR ?=

CC ?= cc
B := build
VERSION := 0.1.0
SONAME := libmptcplib.so.0

WARN := -Wall -Wextra -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
	-Wshadow -Werror
CFLAGS ?= -O2 -g
# Given to the links of what is installed (the libraries, the command and
# the daemon): a package build's hardening flags (debian/rules).
LDFLAGS ?=
BASE_CFLAGS := -std=gnu11 -fPIC -fvisibility=hidden $(WARN) -D_GNU_SOURCE
LIBMNL_LIBS := -lmnl
CMOCKA_LIBS := -lcmocka
# inih is linked statically (Debian's libinih-dev ships libinih.a).
INIH_LIBS := -l:libinih.a

# Rooms, lowest first; each sees its own headers and those of the rooms
# below it, never above (tests/layering.sh checks the includes):
#   common <- core <- policy <- engine <- preload, cli, daemon
# (policy depends on common only.)
INC_common := -Icommon
INC_core := -Icommon -Icore
INC_policy := -Icommon -Ipolicy
INC_engine := -Icommon -Icore -Ipolicy -Iengine
INC_preload := -Icommon -Icore -Ipolicy -Iengine -Ipreload
INC_cli := -Icommon -Icore -Ipolicy -Iengine -Icli
INC_daemon := -Icommon -Icore -Ipolicy -Iengine -Idaemon
INC_all := -Icommon -Icore -Ipolicy -Iengine -Ipreload -Icli -Idaemon

COMMON_SRC := $(wildcard common/*.c)
CORE_SRC := $(wildcard core/*.c)
POLICY_SRC := $(wildcard policy/*.c)
ENGINE_SRC := $(wildcard engine/*.c)
PRELOAD_SRC := $(wildcard preload/*.c)
# The daemon's modules; dmn_main.c holds main() and stays out of the tests.
DAEMON_SRC := $(filter-out daemon/dmn_main.c,$(wildcard daemon/*.c))
ALL_HDR := $(wildcard common/*.h core/*.h policy/*.h engine/*.h preload/*.h \
	daemon/*.h)

COMMON_OBJ := $(patsubst %.c,$(B)/%.o,$(COMMON_SRC))
CORE_OBJ := $(patsubst %.c,$(B)/%.o,$(CORE_SRC))
POLICY_OBJ := $(patsubst %.c,$(B)/%.o,$(POLICY_SRC))
ENGINE_OBJ := $(patsubst %.c,$(B)/%.o,$(ENGINE_SRC))
PRELOAD_OBJ := $(patsubst %.c,$(B)/%.o,$(PRELOAD_SRC))
DAEMON_OBJ := $(patsubst %.c,$(B)/%.o,$(DAEMON_SRC) daemon/dmn_main.c)
SAN_OBJ = $(patsubst %.c,$(B)/asan/%.o,$(1))

# Debian packages the build, the tests and the demo need, beyond the
# minimal Debian (mmdebstrap --variant=minbase) plus git and make that
# tests/minbase.sh builds to check that nothing is missing here. The
# demo: iproute2 (ip, tc, ss), procps (sysctl, pgrep), curl, passwd
# (useradd) and util-linux (setpriv, unshare). The tests: binutils (nm,
# objdump, objcopy), wget and python3 (end-to-end downloads, JSON
# checks), iptables (a path cut), valgrind, clang (fuzzing, TSan), git.
DEB_PKGS := gcc binutils make pkg-config libmnl-dev libcmocka-dev \
	libinih-dev iproute2 procps curl passwd util-linux wget python3 \
	iptables valgrind clang libclang-rt-dev git

.SECONDARY:

.PHONY: all deps deb lib policy engine shim shim-debug tsan cli daemon fuzz fuzz-check bench check check-kernels check-minbase test-unit demo install clean sanitize

all: lib policy engine shim shim-debug tsan cli daemon examples tools

# Installs missing Debian packages when run as root; explains otherwise.
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:" $$missing; \
			apt-get update -qq -o DPkg::Lock::Timeout=300 && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				-o DPkg::Lock::Timeout=300 $$missing \
				>/dev/null || exit 1; \
		else \
			echo "missing Debian packages:" $$missing; \
			echo "run 'sudo make deps' or apt-get install them"; \
			exit 1; \
		fi; \
	fi

# ---- objects, one rule per room (plain and sanitizer builds) -------------
# The installed paths compiled in: the system policy's folder (in
# policy/mpa_policy.c alone), and the shim's path (in the command). A
# change of PREFIX or SYSCONFDIR rebuilds what holds them
# ($(B)/config.stamp).
PATH_DEFS := -DMPA_SYSCONFDIR='"$(SYSCONFDIR)"'
$(B)/policy/mpa_policy.o $(B)/asan/policy/mpa_policy.o: $(B)/config.stamp

# MPA_DEBUG: checks of internal conventions that abort (mpl_err.h), for
# the sanitizer builds of the tests only.
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all -DMPA_DEBUG

$(B)/common/%.o: common/%.c $(ALL_HDR) | $(B)/common
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(INC_common) -c -o $@ $<
$(B)/core/%.o: core/%.c $(ALL_HDR) | $(B)/core
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(INC_core) -c -o $@ $<
$(B)/policy/%.o: policy/%.c $(ALL_HDR) | $(B)/policy
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(PATH_DEFS) $(INC_policy) -c -o $@ $<
$(B)/engine/%.o: engine/%.c $(ALL_HDR) | $(B)/engine
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(INC_engine) -c -o $@ $<
$(B)/preload/%.o: preload/%.c $(ALL_HDR) | $(B)/preload
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(INC_preload) -c -o $@ $<
$(B)/daemon/%.o: daemon/%.c $(ALL_HDR) | $(B)/daemon
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(INC_daemon) -c -o $@ $<

$(B)/asan/common/%.o: common/%.c $(ALL_HDR) | $(B)/asan/common
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) $(INC_common) -c -o $@ $<
$(B)/asan/core/%.o: core/%.c $(ALL_HDR) | $(B)/asan/core
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) $(INC_core) -c -o $@ $<
$(B)/asan/policy/%.o: policy/%.c $(ALL_HDR) | $(B)/asan/policy
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) $(PATH_DEFS) $(INC_policy) -c -o $@ $<
$(B)/asan/engine/%.o: engine/%.c $(ALL_HDR) | $(B)/asan/engine
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) $(INC_engine) -c -o $@ $<
$(B)/asan/preload/%.o: preload/%.c $(ALL_HDR) | $(B)/asan/preload
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) $(INC_preload) -c -o $@ $<
$(B)/asan/cli/%.o: cli/%.c $(ALL_HDR) $(wildcard cli/*.h) | $(B)/asan/cli
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) $(INC_cli) -c -o $@ $<
$(B)/asan/daemon/%.o: daemon/%.c $(ALL_HDR) | $(B)/asan/daemon
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) $(INC_daemon) -c -o $@ $<

# ---- core: libmptcplib (shared + static), common/ inside -----------------
lib: $(B)/$(SONAME) $(B)/libmptcplib.a $(B)/mptcplib.pc

$(B)/$(SONAME): $(CORE_OBJ) $(COMMON_OBJ) core/mptcplib.map
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,-z,defs \
		-Wl,-z,now -Wl,--version-script=core/mptcplib.map -o $@ \
		$(CORE_OBJ) $(COMMON_OBJ) $(LIBMNL_LIBS) -lpthread
	ln -sf $(SONAME) $(B)/libmptcplib.so

$(B)/libmptcplib.a: $(CORE_OBJ) $(COMMON_OBJ)
	rm -f $@ && ar rcs $@ $^

PC_SUBST := -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|'

# Rewritten at install time, so that PREFIX given to `make install` counts.
$(B)/mptcplib.pc: core/mptcplib.pc.in | $(B)
	sed $(PC_SUBST) $< > $@

# ---- policy and engine: internal static libraries ------------------------
policy: $(B)/libmpa_policy.a
engine: $(B)/libmpa_engine.a

$(B)/libmpa_policy.a: $(POLICY_OBJ)
	rm -f $@ && ar rcs $@ $^
$(B)/libmpa_engine.a: $(ENGINE_OBJ)
	rm -f $@ && ar rcs $@ $^

# ---- preload: libmptcp_auto.so (the shim) --------------------------------
SHIM := $(B)/libmptcp_auto.so
SHIM_OBJ := $(PRELOAD_OBJ) $(ENGINE_OBJ) $(POLICY_OBJ) $(CORE_OBJ) \
	$(COMMON_OBJ)
SHIM_SRC := $(PRELOAD_SRC) $(ENGINE_SRC) $(POLICY_SRC) $(CORE_SRC) \
	$(COMMON_SRC)

shim: $(SHIM)

# Everything but the hooks is hidden by the version script, inih included
# (linked statically); bound at load time, not in a hook.
$(SHIM): $(SHIM_OBJ) preload/libmptcp_auto.map
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libmptcp_auto.so -Wl,-z,now \
		-Wl,-z,defs -Wl,--version-script=preload/libmptcp_auto.map \
		-o $@ $(SHIM_OBJ) $(LIBMNL_LIBS) $(INIH_LIBS) -lpthread -ldl

# Debug shim: aborts if a hook is ever re-entered (tests only).
SHIM_DEBUG := $(B)/debug/libmptcp_auto.so
shim-debug: $(SHIM_DEBUG)
$(SHIM_DEBUG): $(PRELOAD_SRC) $(ENGINE_OBJ) $(POLICY_OBJ) $(CORE_OBJ) \
		$(COMMON_OBJ) $(ALL_HDR) preload/libmptcp_auto.map | $(B)/debug
	$(CC) $(BASE_CFLAGS) -O1 -g -DMPA_HOOK_DEPTH_CHECK $(INC_preload) \
		-shared -Wl,-z,now -Wl,-z,defs \
		-Wl,--version-script=preload/libmptcp_auto.map -o $@ \
		$(PRELOAD_SRC) $(ENGINE_OBJ) $(POLICY_OBJ) $(CORE_OBJ) \
		$(COMMON_OBJ) $(LIBMNL_LIBS) $(INIH_LIBS) -lpthread -ldl

# ThreadSanitizer builds of the shim and its tester (thread stress test).
TSAN_DIR := $(B)/tests/tsan
tsan: $(TSAN_DIR)/libmptcp_auto.so $(TSAN_DIR)/mpa-shimtest
$(TSAN_DIR)/libmptcp_auto.so: $(SHIM_SRC) $(ALL_HDR) $(B)/config.stamp \
		| $(TSAN_DIR)
	$(CC) $(BASE_CFLAGS) -O1 -g -fsanitize=thread $(PATH_DEFS) \
		$(INC_preload) -shared \
		-Wl,-z,now -Wl,--version-script=preload/libmptcp_auto.map \
		-o $@ $(SHIM_SRC) $(LIBMNL_LIBS) $(INIH_LIBS) -lpthread -ldl
$(TSAN_DIR)/mpa-shimtest: tests/tools/mpa_shimtest.c tests/lib/io.h \
		| $(TSAN_DIR)
	$(CC) $(BASE_CFLAGS) -O1 -g -fsanitize=thread -Itests/lib -o $@ $< \
		-lpthread -ldl

# ---- cli: the mptcp-auto command -------------------------------------------
CLI_SRC := $(wildcard cli/*.c)
CLI_HDR := $(wildcard cli/*.h)
CLI := $(B)/mptcp-auto
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
# The shim's installed home; ld.so expands $$LIB to lib/$(MULTIARCH).
SHIMDIR ?= $(PREFIX)/lib/$(MULTIARCH)
SHIM_LD_PATH ?= $(PREFIX)/$$LIB/libmptcp_auto.so

# Rebuilt when PREFIX or SYSCONFDIR changes: the installed shim's path and
# the system policy's folder are compiled in.
CONFIG_LINE := $(SHIM_LD_PATH) $(SYSCONFDIR)
$(B)/config.stamp: FORCE | $(B)
	@echo '$(CONFIG_LINE)' | cmp -s - $@ || echo '$(CONFIG_LINE)' > $@

.PHONY: FORCE
FORCE:

cli: $(CLI)
CLI_LIBS := $(B)/libmpa_engine.a $(B)/libmpa_policy.a $(B)/libmptcplib.a
$(CLI): $(CLI_SRC) $(CLI_HDR) $(ALL_HDR) $(CLI_LIBS) $(B)/config.stamp | $(B)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS) $(INC_cli) \
		-DMPA_SHIM_INSTALLED='"$(SHIM_LD_PATH)"' -o $@ $(CLI_SRC) \
		$(CLI_LIBS) $(LIBMNL_LIBS) $(INIH_LIBS) -lpthread

# ---- daemon: mptcp-autod, the namespace's path manager ---------------------
DAEMON := $(B)/mptcp-autod
daemon: $(DAEMON)
$(DAEMON): $(DAEMON_OBJ) $(CLI_LIBS)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(DAEMON_OBJ) \
		$(CLI_LIBS) $(LIBMNL_LIBS) $(INIH_LIBS) -lpthread

# ---- examples and test tools ---------------------------------------------
EXAMPLES := $(B)/examples/readme_example
TOOLS := $(B)/tests/mpa-testsrv $(B)/tests/mpa-httpd \
	$(B)/tests/mpa-shimtest $(B)/tests/mpa-fdtest $(B)/tests/seccomp-filter \
	$(B)/tests/mpa-fakepm \
	$(B)/tests/mpa-sockopts \
	$(B)/tests/static-hello \
	$(B)/tests/libmalloc_count.so $(B)/tests/libctor_helper.so \
	$(B)/tests/test_core_integration \
	$(B)/tests/test_policy_ns \
	$(B)/tests/mpa-engine-plan \
	$(B)/tests/mpa-hostpm $(B)/tests/mpa-pmclient

examples: $(EXAMPLES)
tools: $(TOOLS)

$(B)/examples/%: examples/%.c $(B)/libmptcplib.a | $(B)/examples
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Icore -o $@ $< $(B)/libmptcplib.a \
		$(LIBMNL_LIBS) -lpthread

$(B)/tests/mpa-testsrv: tests/tools/mpa_testsrv.c tests/lib/io.h tests/lib/server.h \
		$(B)/libmptcplib.a | $(B)/tests
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Icore -Itests/lib -o $@ $< \
		$(B)/libmptcplib.a \
		$(LIBMNL_LIBS) -lpthread

$(B)/tests/mpa-httpd: tests/tools/mpa_httpd.c tests/lib/io.h tests/lib/server.h \
		$(B)/libmptcplib.a | $(B)/tests
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Icore -Itests/lib -o $@ $< \
		$(B)/libmptcplib.a $(LIBMNL_LIBS) -lpthread

$(B)/tests/mpa-shimtest: tests/tools/mpa_shimtest.c tests/lib/io.h \
		| $(B)/tests
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Itests/lib -o $@ $< -lpthread -ldl

# A stand-in for mptcp-autod's socket: checks and prints registrations.
$(B)/tests/mpa-fakepm: tests/tools/mpa_fakepm.c engine/eng_wire.c \
		engine/eng_wire.h $(B)/libmptcplib.a | $(B)/tests
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Icore -Iengine -o $@ $< \
		engine/eng_wire.c $(B)/libmptcplib.a $(LIBMNL_LIBS) -lpthread

# Socket options on TCP and MPTCP, and the shim's swap (docs/sockopts.md).
$(B)/tests/mpa-sockopts: tests/tools/mpa_sockopts.c | $(B)/tests
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $< -ldl

# A statically linked program, for the launcher's warning.
$(B)/tests/static-hello: tests/tools/static_hello.c | $(B)/tests
	$(CC) $(BASE_CFLAGS) -static -o $@ $<

$(B)/tests/seccomp-filter: tests/tools/seccomp_filter.c | $(B)/tests
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $<

$(B)/tests/mpa-fdtest: tests/tools/mpa_fdtest.c tests/lib/io.h | $(B)/tests
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Itests/lib -o $@ $<

$(B)/tests/lib%.so: tests/tools/%.c | $(B)/tests
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -shared -o $@ $<

$(B)/tests/test_core_integration: tests/integration/test_core.c \
		tests/integration/itest.h tests/lib/io.h $(B)/libmptcplib.a \
		| $(B)/tests
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Icore -Itests/integration -Itests/lib \
		-o $@ $< \
		$(B)/libmptcplib.a $(LIBMNL_LIBS) $(CMOCKA_LIBS) -lpthread

$(B)/tests/test_policy_ns: tests/integration/test_policy_ns.c $(CLI_LIBS) \
		| $(B)/tests
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(INC_engine) -o $@ $< $(CLI_LIBS) \
		$(LIBMNL_LIBS) $(INIH_LIBS) $(CMOCKA_LIBS) -lpthread

# The engine's own plan for one connection, to compare with `explain`.
$(B)/tests/mpa-engine-plan: tests/tools/mpa_engine_plan.c $(CLI_LIBS) \
		| $(B)/tests
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(INC_engine) -o $@ $< $(CLI_LIBS) \
		$(LIBMNL_LIBS) $(INIH_LIBS) -lpthread

# The daemon's host module alone on the real kernel (host_pm.sh).
$(B)/tests/mpa-hostpm: tests/tools/mpa_hostpm.c $(B)/daemon/dmn_host.o \
		$(CLI_LIBS) | $(B)/tests
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(INC_daemon) -o $@ $< \
		$(B)/daemon/dmn_host.o $(CLI_LIBS) $(LIBMNL_LIBS) \
		$(INIH_LIBS) -lpthread

# A client of mptcp-autod: registrations, good and bad.
$(B)/tests/mpa-pmclient: tests/tools/mpa_pmclient.c engine/eng_wire.c \
		engine/eng_wire.h tests/lib/io.h $(B)/libmptcplib.a | $(B)/tests
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Icore -Iengine -Itests/lib -o $@ \
		tests/tools/mpa_pmclient.c engine/eng_wire.c \
		$(B)/libmptcplib.a $(LIBMNL_LIBS) -lpthread

# ---- unit tests: cmocka, under ASan + UBSan --------------------------------
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/asan/tests/%,$(UNIT_SRC))

# The shim's pure parts only: its hooks would interpose the test itself.
PRELOAD_UNIT_ASAN_OBJ := $(B)/asan/preload/mpa_config.o \
	$(B)/asan/preload/mpa_linger.o \
	$(B)/asan/preload/mpa_mode.o \
	$(B)/asan/preload/mpa_say.o \
	$(B)/asan/preload/mpa_seccomp.o \
	$(B)/asan/preload/mpa_sockopt.o \
	$(B)/asan/cli/cli_util.o $(B)/asan/cli/cli_daemon.o \
	$(B)/asan/cli/cli_mon.o $(B)/asan/cli/cli_outlook.o \
	$(B)/asan/cli/cli_view.o
UNIT_ASAN_OBJ := $(call SAN_OBJ,$(COMMON_SRC) $(CORE_SRC) $(POLICY_SRC) \
	$(ENGINE_SRC) $(DAEMON_SRC)) $(PRELOAD_UNIT_ASAN_OBJ)

$(B)/asan/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(UNIT_ASAN_OBJ) \
		| $(B)/asan/tests
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) $(INC_all) \
		-DFIXTURES='"$(CURDIR)/tests/fixtures"' -o $@ $< \
		$(UNIT_ASAN_OBJ) $(LIBMNL_LIBS) $(INIH_LIBS) $(CMOCKA_LIBS) \
		-lpthread

# ---- fuzzing (libFuzzer, clang) ------------------------------------------
FUZZ_SECONDS ?= 300
FUZZ_CHECK_SECONDS ?= 15
FUZZ_CORPUS := tests/fixtures/policy
FUZZ_BIN := $(B)/fuzz/fuzz_policy

# The loader and matcher only: nothing that needs the kernel.
FUZZ_SRC := $(addprefix policy/,mpa_parse.c mpa_load.c mpa_match.c \
	mpa_policy.c) common/cmn_addr.c

$(FUZZ_BIN): tests/fuzz/fuzz_policy.c $(FUZZ_SRC) $(ALL_HDR) | $(B)/fuzz
	clang -std=gnu11 -g -O1 -D_GNU_SOURCE $(WARN) \
		-fsanitize=fuzzer,address,undefined $(INC_policy) -o $@ \
		tests/fuzz/fuzz_policy.c $(FUZZ_SRC) $(INIH_LIBS)

# The shim <-> mptcp-autod message parser (engine/eng_wire.c).
FUZZ_WIRE_BIN := $(B)/fuzz/fuzz_wire
FUZZ_WIRE_CORPUS := tests/fixtures/wire

$(FUZZ_WIRE_BIN): tests/fuzz/fuzz_wire.c engine/eng_wire.c engine/eng_wire.h \
		| $(B)/fuzz
	clang -std=gnu11 -g -O1 -D_GNU_SOURCE $(WARN) \
		-fsanitize=fuzzer,address,undefined -Iengine -o $@ \
		tests/fuzz/fuzz_wire.c engine/eng_wire.c

# What `make check` runs: every seed once, then a short seeded run.
fuzz-check: $(FUZZ_BIN) $(FUZZ_WIRE_BIN)
	$(FUZZ_BIN) $(FUZZ_CORPUS)/*.ini conf/policy.ini
	mkdir -p $(B)/fuzz/corpus $(B)/fuzz/corpus-wire
	$(FUZZ_BIN) -seed=1 -max_total_time=$(FUZZ_CHECK_SECONDS) \
		-max_len=4096 $(B)/fuzz/corpus $(FUZZ_CORPUS)
	$(FUZZ_WIRE_BIN) $(FUZZ_WIRE_CORPUS)/*.msg
	$(FUZZ_WIRE_BIN) -seed=1 -max_total_time=$(FUZZ_CHECK_SECONDS) \
		-max_len=4200 $(B)/fuzz/corpus-wire $(FUZZ_WIRE_CORPUS)

fuzz: $(FUZZ_BIN) $(FUZZ_WIRE_BIN)
	mkdir -p $(B)/fuzz/corpus $(B)/fuzz/corpus-wire
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
		$(B)/fuzz/corpus $(FUZZ_CORPUS)
	$(FUZZ_WIRE_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=4200 \
		$(B)/fuzz/corpus-wire $(FUZZ_WIRE_CORPUS)

# ---- benchmarks: figures, never pass/fail ---------------------------------
$(B)/bench/policy_match: bench/policy_match.c $(B)/libmpa_policy.a \
		$(B)/common/cmn_addr.o | $(B)/bench
	$(CC) $(BASE_CFLAGS) -O2 $(INC_policy) -o $@ $< $(B)/libmpa_policy.a \
		$(B)/common/cmn_addr.o $(INIH_LIBS)

$(B)/bench/mpa-delayq: bench/mpa_delayq.c | $(B)/bench
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $< $(LIBMNL_LIBS)

$(B)/bench/mpa-reqpar: bench/mpa_reqpar.c $(B)/libmptcplib.a | $(B)/bench
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Icore -o $@ $< $(B)/libmptcplib.a \
		$(LIBMNL_LIBS) -lpthread

# The shim once more, reading its system policy from the build tree
# instead of SYSCONFDIR: section 11 times the constructor with 1,000
# drop-ins in that folder's policy.d, and nobody else's policy changes.
BENCH_SYSCONF := $(abspath $(B))/bench/sysconf
$(B)/bench/mpa_policy.o: policy/mpa_policy.c $(ALL_HDR) | $(B)/bench
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -DMPA_SYSCONFDIR='"$(BENCH_SYSCONF)"' \
		$(INC_policy) -c -o $@ $<
BENCH_SHIM_OBJ := $(filter-out $(B)/policy/mpa_policy.o,$(SHIM_OBJ)) \
	$(B)/bench/mpa_policy.o
$(B)/bench/libmptcp_auto.so: $(BENCH_SHIM_OBJ) preload/libmptcp_auto.map
	$(CC) -shared -Wl,-soname,libmptcp_auto.so -Wl,-z,now -Wl,-z,defs \
		-Wl,--version-script=preload/libmptcp_auto.map -o $@ \
		$(BENCH_SHIM_OBJ) $(LIBMNL_LIBS) $(INIH_LIBS) -lpthread -ldl

# Figures, not pass/fail: installs what it compares against (mptcpd's
# mptcpize, iptables for the delay line, tcpdump for section 10's
# captures), runs as root in namespaces.
BENCH_PKGS := mptcpd iptables iputils-ping python3 tcpdump
bench: deps all $(B)/bench/policy_match $(B)/bench/mpa-delayq \
		$(B)/bench/mpa-reqpar $(B)/bench/libmptcp_auto.so
	@$(MAKE) -s deps DEB_PKGS="$(BENCH_PKGS)"
	bash bench/run.sh

test-unit: $(UNIT_BIN)
sanitize: $(UNIT_BIN)

# The kernel matrix: the namespace suites again on Debian's 6.1 and 6.12
# kernels, each booted under qemu (tests/kernels/run.sh; MPA_KERNELS picks
# the series). Part of `make check`; MPA_KERNELS_IN_CHECK=0 leaves it out
# of a quick local run.
KERNEL_PKGS := qemu-system-x86 busybox-static kmod xz-utils zstd

check-kernels: deps all
	@$(MAKE) -s deps DEB_PKGS="$(KERNEL_PKGS)"
	bash tests/kernels/run.sh

# systemd-analyze, to verify the daemon's unit (tests/systemd.sh); no
# systemd needs to run.
UNIT_PKGS := systemd

check: deps
	$(MAKE) all test-unit $(FUZZ_BIN) $(FUZZ_WIRE_BIN)
	@$(MAKE) -s deps DEB_PKGS="$(UNIT_PKGS)"
	@if [ "$${MPA_KERNELS_IN_CHECK:-1}" = 1 ]; then \
		$(MAKE) -s deps DEB_PKGS="$(KERNEL_PKGS)"; fi
	@if [ "$${MPA_MINBASE_IN_CHECK:-1}" = 1 ]; then \
		$(MAKE) -s deps DEB_PKGS="$(MINBASE_PKGS)"; fi
	bash tests/run.sh

# The README's two commands on a minimal Debian built with mmdebstrap:
# make demo, then CI=true make check without the kernel matrix
# (tests/minbase.sh; 13 to 16 minutes). make check runs the quick part,
# make demo and the unit tests there (the suite minbase-demo, about 4
# minutes); MPA_MINBASE_IN_CHECK=0 leaves it out.
MINBASE_PKGS := mmdebstrap

check-minbase: deps
	@$(MAKE) -s deps DEB_PKGS="$(MINBASE_PKGS)"
	bash tests/minbase.sh

# Quiet: the build says nothing unless it fails; the demo says what it does.
demo: deps
	@echo "make demo: building (quietly: only errors are shown)"
	@$(MAKE) -s --no-print-directory all
	@echo "make demo: a two-path lab in network namespaces, three downloads"
	@echo "  as root and two as a normal user, then a table (about a minute)"
	@bash examples/demo.sh

# ---- install -------------------------------------------------------------
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/mptcp-auto
# systemd's system units; the unit is installed, never enabled.
UNITDIR ?= $(PREFIX)/lib/systemd/system

# The installed system policy changes nothing: conf/policy.ini with its
# settings and sections commented out ('#'), under a header saying so.
NEUTRAL_POLICY := $(B)/policy-neutral.ini
$(NEUTRAL_POLICY): conf/policy.ini $(B)/config.stamp | $(B)
	{ printf '%s\n' \
	  '; mptcp-auto: the system policy. Nothing in this file is in effect:' \
	  '; every setting below is commented out with #, so that installing' \
	  '; changes no program. Remove the # of a line to use it, or write' \
	  '; drop-ins in policy.d/*.ini. The full example, every key explained:' \
	  ';   $(DOCDIR)/examples/policy.ini' \
	  '; Reference: mptcp-auto-policy(5). Check: mptcp-auto check.' ''; \
	  sed -e '1,/^$$/d' -e 's/^\([a-z[]\)/#\1/' $<; } > $@

# The man pages name the installed paths; their sources name those of a
# PREFIX=/usr install.
MAN_SUBST := -e 's|/usr/\$$LIB/libmptcp_auto\.so|$(SHIM_LD_PATH)|g' \
	-e 's|/etc/mptcp-auto|$(SYSCONFDIR)/mptcp-auto|g'

install: lib shim cli daemon $(NEUTRAL_POLICY)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(SHIMDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(DOCDIR)/examples \
		$(DESTDIR)$(SYSCONFDIR)/mptcp-auto/policy.d \
		$(DESTDIR)$(UNITDIR)
	install -m 0755 $(B)/$(SONAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libmptcplib.so
	install -m 0644 $(B)/libmptcplib.a $(DESTDIR)$(LIBDIR)/
	install -m 0644 core/mptcplib.h $(DESTDIR)$(INCLUDEDIR)/
	sed $(PC_SUBST) core/mptcplib.pc.in \
		> $(DESTDIR)$(LIBDIR)/pkgconfig/mptcplib.pc
	install -m 0755 $(SHIM) $(DESTDIR)$(SHIMDIR)/libmptcp_auto.so
	install -m 0755 $(CLI) $(DESTDIR)$(BINDIR)/mptcp-auto
	install -m 0755 $(DAEMON) $(DESTDIR)$(SBINDIR)/mptcp-autod
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		conf/mptcp-autod.service.in \
		> $(DESTDIR)$(UNITDIR)/mptcp-autod.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/mptcp-autod.service
	for m in man1/mptcp-auto.1 man3/mptcplib.3 \
		man5/mptcp-auto-policy.5 man8/mptcp-autod.8; do \
		sed $(MAN_SUBST) docs/man/$${m#*/} \
			> $(DESTDIR)$(MANDIR)/$$m && \
		chmod 0644 $(DESTDIR)$(MANDIR)/$$m || exit 1; \
	done
	install -m 0644 conf/policy.ini $(DESTDIR)$(DOCDIR)/examples/
	install -m 0644 docs/policy.md docs/sockopts.md README.md \
		$(DESTDIR)$(DOCDIR)/
	@# An administrator's policy is never overwritten.
	test -e $(DESTDIR)$(SYSCONFDIR)/mptcp-auto/policy.ini || \
		install -m 0644 $(NEUTRAL_POLICY) \
			$(DESTDIR)$(SYSCONFDIR)/mptcp-auto/policy.ini

# ---- Debian packages ---------------------------------------------------------
# `make deb`: libmptcplib0, libmptcplib-dev and mptcp-auto (debian/), built
# by Debian's tools from a copy of the tree in DEB_DIR/src, because
# dpkg-buildpackage writes the packages into the parent of the tree it
# builds: here DEB_DIR, never the folder this tree is in. Then lintian,
# which must find no error and no warning debian/*.lintian-overrides does
# not justify. DEB_VERSION (e.g. 0.1.0-2) builds that version instead of
# debian/changelog's latest, with an entry saying so (in the copy only).
DEB_DIR ?= $(B)/deb
DEB_VERSION ?=
DEB_BUILD_PKGS := dpkg-dev debhelper fakeroot build-essential lintian \
	pkg-config libmnl-dev libinih-dev

deb:
	@case "$(abspath $(DEB_DIR))" in $(abspath $(B))/*) ;; \
	$(CURDIR) | $(CURDIR)/*) echo "DEB_DIR must be outside the tree or" \
		"under $(B)/"; exit 1 ;; "" | /) echo "DEB_DIR is empty"; exit 1 ;; \
	esac
	@$(MAKE) -s deps DEB_PKGS="$(DEB_BUILD_PKGS)"
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/src
	tar -c --exclude=./$(B) --exclude=./.git --exclude=./debian/tmp \
		--exclude='./debian/.debhelper' . | tar -x -C $(DEB_DIR)/src
	@if [ -n "$(DEB_VERSION)" ]; then \
		{ printf '%s (%s) unstable; urgency=medium\n\n' \
			mptcp-auto '$(DEB_VERSION)'; \
		  printf '  * Rebuilt as %s.\n\n' '$(DEB_VERSION)'; \
		  sed -n '0,/^ -- /{/^ -- /{s/  [A-Z][a-z][a-z], .*//p}}' \
			debian/changelog | \
			sed "s/\$$/  $$(date -R)/"; echo; \
		  cat debian/changelog; } > $(DEB_DIR)/src/debian/changelog; \
	fi
	@# No -dbgsym packages: `apt install ./$(DEB_DIR)/*.deb` takes them all.
	cd $(DEB_DIR)/src && DEB_BUILD_OPTIONS="noautodbgsym $$DEB_BUILD_OPTIONS" \
		dpkg-buildpackage -b -us -uc -jauto
	lintian --fail-on error,warning $(DEB_DIR)/*.changes
	@ls $(DEB_DIR)/*.deb

# The library's symbols file follows its version script (tests/abi.sh
# checks it).
debian/libmptcplib0.symbols: core/mptcplib.map core/mptcplib.h
	debian/gen-symbols $(VERSION) > $@.new && mv $@.new $@

$(B) $(B)/common $(B)/core $(B)/policy $(B)/engine $(B)/preload $(B)/debug \
		$(B)/daemon \
		$(B)/asan/common $(B)/asan/core $(B)/asan/policy $(B)/asan/engine \
		$(B)/asan/preload $(B)/asan/cli $(B)/asan/daemon \
		$(B)/asan/tests \
		$(B)/examples $(B)/tests $(B)/fuzz $(B)/bench $(TSAN_DIR):
	mkdir -p $@

clean:
	rm -rf $(B)
