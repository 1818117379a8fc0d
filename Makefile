# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# lifeline: make | make test | make demo | make bench | make deps | make vmlinux | make clean
# make test-kernels [KERNELS="6.1 6.12"]: the end-to-end tests on Debian 12's kernels, under qemu.
# V=1 shows full commands; SANITIZE=1 builds user space with ASan/UBSan.

# A sanitized build lives apart: switching SANITIZE never mixes objects or needs a clean.
ifeq ($(SANITIZE),1)
OUT		:= build-san
else
OUT		:= build
endif
CC		?= cc
CLANG		?= clang
BPFTOOL		?= bpftool
ARCH		:= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/')
VERSION		:= 0.1.0

# Everything the build, tests and demo need from Debian; bench adds its own observers.
DEPS_PKGS	:= libbpf-dev bpftool clang llvm libelf-dev zlib1g-dev make gcc python3 iproute2 procps \
		   libclang-rt-14-dev libmicrohttpd-dev
BENCH_PKGS	:= libbpf-tools forkstat strace linux-perf
# Only the end-to-end tests need these: a real Prometheus (and promtool) to scrape lifeline, a
# real browser to draw the --svg chart, tini as a container's init, tmux to drive the live view,
# and nginx and Redis as real event loops.
TEST_PKGS	:= prometheus chromium tini tmux nginx-light redis-server

ifeq ($(V),1)
Q	:=
msg	=
else
Q	:= @
msg	= @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CFLAGS		?= -O2 -g
CFLAGS		+= -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE -MMD -MP
CFLAGS		+= -DLL_VERSION='"$(VERSION)"' -I$(OUT) -Iuser
LDLIBS		:= -lbpf -lelf -lz -lmicrohttpd
LDLIBS_TEST	:= -lm
ifeq ($(SANITIZE),1)
CFLAGS		+= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS		+= -fsanitize=address,undefined
endif
BPF_CFLAGS	:= -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(OUT) -Ibpf -Wall -Wno-unused-function \
		   -MMD -MP

# shared.bpf.c defines what the others declare extern; libbpf 1.1's linker needs the definitions
# first (an extern map seen before its definition fails to relocate).
BPF_SRCS	:= bpf/shared.bpf.c $(filter-out bpf/shared.bpf.c,$(sort $(wildcard bpf/*.bpf.c)))
BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
SKEL		:= $(OUT)/lifeline.skel.h

# user/: the tracer and main touch BPF and the HTTP server links libmicrohttpd; everything else is
# pure and goes into the unit tests too (libll.a).
USER_SRCS	:= $(sort $(wildcard user/*.c))
USER_BPF_SRCS	:= user/main.c user/app.c user/run.c user/seed.c user/snapshot.c user/tracer.c
USER_HTTP_SRCS	:= user/prom_http.c
USER_LIB_SRCS	:= $(filter-out $(USER_BPF_SRCS) $(USER_HTTP_SRCS),$(USER_SRCS))
USER_LIB_OBJS	:= $(patsubst user/%.c,$(OUT)/user/%.o,$(USER_LIB_SRCS))
USER_BPF_OBJS	:= $(patsubst user/%.c,$(OUT)/user/%.o,$(filter $(USER_BPF_SRCS),$(USER_SRCS)))
USER_HTTP_OBJS	:= $(patsubst user/%.c,$(OUT)/user/%.o,$(USER_HTTP_SRCS))
LIBLL		:= $(OUT)/libll.a

SERVERS		:= fork_echo epoll_echo udp_echo loadgen forkstorm vforkdemo waitstatus
SERVER_BINS	:= $(addprefix $(OUT)/,$(SERVERS))
SERVER_COMMON	:= $(wildcard servers/common.c)
# Small programs with a known shape that e2e tests measure against.
TEST_PROGS	:= $(patsubst tests/e2e/progs/%.c,$(OUT)/tests/progs/%,$(wildcard tests/e2e/progs/*.c))

UNIT_SRCS	:= $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS	:= $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))

# The fuzz target is built by clang with libFuzzer and sanitizers, from the pure sources it drives.
FUZZ_BIN	:= $(OUT)/fuzz_records
FUZZ_SRCS	:= user/decode.c user/dispatch.c user/proctab.c user/lazymem.c user/listeners.c \
		   user/loops.c user/loop_views.c user/hist.c user/u64map.c user/forkfail.c user/cgroup.c
FUZZ_SRCS	+= user/proctab_orphan.c user/proctab_reap.c user/proctab_rec.c user/proctab_view.c
FUZZ_SECS	?= 60

.PHONY: all deps vmlinux test test-unit test-e2e test-kernels bench demo chart clean install \
	fuzz deb
.DELETE_ON_ERROR:

all: $(OUT)/lifeline $(SERVER_BINS) $(UNIT_BINS) $(TEST_PROGS)

# Installs what is missing (as root); quiet when everything is there.
deps: $(OUT)/.deps
$(OUT)/.deps: scripts/deps.sh
	$(Q)mkdir -p $(OUT)
	$(Q)scripts/deps.sh $(DEPS_PKGS)
	$(Q)touch $@

# Generated from the running kernel's BTF, like every other build product: under $(OUT).
VMLINUX_H	:= $(OUT)/vmlinux.h
vmlinux: $(VMLINUX_H)
$(VMLINUX_H): | $(OUT)/.deps
	$(call msg,GEN,$@)
	$(Q)test -r /sys/kernel/btf/vmlinux || { echo "error: this kernel has no BTF" \
		"(/sys/kernel/btf/vmlinux missing): lifeline needs CONFIG_DEBUG_INFO_BTF=y" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(VMLINUX_H) | $(OUT)/.deps
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/lifeline.bpf.o: $(BPF_OBJS)
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(SKEL): $(OUT)/lifeline.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name lifeline_bpf > $@.tmp && mv $@.tmp $@

$(OUT)/user/%.o: user/%.c | $(OUT)/.deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# Only the BPF-facing files wait for the skeleton.
$(USER_BPF_OBJS): $(SKEL)

$(LIBLL): $(USER_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUT)/lifeline: $(USER_BPF_OBJS) $(USER_HTTP_OBJS) $(LIBLL)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The servers are the workload, not what is tested: never sanitized (LeakSanitizer's checker
# would add a process to each of their exits, and the tests count processes).
$(OUT)/tests/progs/%: tests/e2e/progs/%.c | $(OUT)/.deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -Wall -Wextra $< -o $@ -lpthread

$(OUT)/%: servers/%.c $(SERVER_COMMON) | $(OUT)/.deps
	$(call msg,CC,$@)
	$(Q)$(CC) $(filter-out -fsanitize=% -fno-sanitize-recover=%,$(CFLAGS)) -Iservers \
		$(filter-out -fsanitize=%,$(LDFLAGS)) $^ -o $@ -lm

$(OUT)/tests/%: tests/unit/%.c $(LIBLL) tests/unit/test.h | $(OUT)/.deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) $< $(LIBLL) -o $@ $(LDLIBS_TEST)

# test_prom also tests the HTTP server: the one unit test that links it and libmicrohttpd.
$(OUT)/tests/test_prom: tests/unit/test_prom.c $(USER_HTTP_OBJS) $(LIBLL) tests/unit/test.h \
		| $(OUT)/.deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) $< $(USER_HTTP_OBJS) $(LIBLL) -o $@ \
		$(LDLIBS_TEST) -lmicrohttpd -lpthread

$(FUZZ_BIN): tests/fuzz/fuzz_records.c $(FUZZ_SRCS) | $(OUT)/.deps
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -Iuser \
		$^ -o $@

fuzz: $(FUZZ_BIN)
	$(Q)mkdir -p $(OUT)/fuzz-corpus
	$(Q)$(FUZZ_BIN) -max_total_time=$(FUZZ_SECS) $(OUT)/fuzz-corpus

# All tests; the runner ends with "N passed, N failed". E2E tests need root and real BPF.
test: all $(FUZZ_BIN) $(OUT)/.test-deps
	$(Q)LL_BUILD_DIR=$(OUT) tests/run.sh

test-unit: all $(FUZZ_BIN)
	$(Q)LL_BUILD_DIR=$(OUT) tests/run.sh unit

test-e2e: all $(OUT)/.test-deps
	$(Q)LL_BUILD_DIR=$(OUT) tests/run.sh e2e

$(OUT)/.test-deps: scripts/deps.sh
	$(Q)mkdir -p $(OUT)
	$(Q)scripts/deps.sh $(TEST_PKGS)
	$(Q)touch $@

# Do the unit tests notice a wrong comparison or a dropped statement? One rebuild per mutant in
# a private copy of the tree: minutes, so not part of make test. Prints the score and survivors.
.PHONY: mutate
mutate: $(OUT)/.deps
	$(Q)python3 tests/mutate.py

# Each kernel line's newest bookworm package, booted under qemu with this tree's build (cached
# in $(OUT)/kernels); ends with "N passed, N failed, N skipped". scripts/test-kernels.sh says how.
comma		:= ,
KERNELS		?= 6.1 6.12
# What depends on the kernel: the hooks, CO-RE reads, tracepoints, cgroups, the scheduler's
# accounting and the numbers they give. The chart, the live view, the package, Prometheus, the
# servers suite and the differential harness are user space over the same records (and take 20x
# longer under emulation): they run natively in make test. The guests run side by side.
KERNEL_TESTS	?= test_proc test_sock_loop test_reliability test_patterns test_containers \
		   test_loops_sched test_soak
test-kernels: all $(OUT)/.test-deps
	$(Q)LL_BUILD_DIR=$(OUT) LL_GUEST_TESTS=$(subst $(eval) ,$(comma),$(patsubst \
		%,tests/e2e/%.py,$(KERNEL_TESTS))) scripts/test-kernels.sh $(KERNELS)

# The floor row: empty programs on lifeline's hooks, loaded by a small libbpf loader; the same
# without the tp/syscalls ones, for the syscall slow path's price.
FLOOR		:= $(OUT)/tests/ll_floor $(OUT)/tests/floor.bpf.o $(OUT)/tests/floor_btf.bpf.o
bench: all $(FLOOR) $(OUT)/.bench-deps
	$(Q)python3 tests/bench/bench.py $(if $(QUICK),--quick)

$(OUT)/tests/floor.bpf.o: tests/bench/floor.bpf.c $(VMLINUX_H) | $(OUT)/.deps
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/tests/floor_btf.bpf.o: tests/bench/floor.bpf.c $(VMLINUX_H) | $(OUT)/.deps
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DFLOOR_BTF_ONLY -c $< -o $@

$(OUT)/tests/ll_floor: tests/bench/floor.c | $(OUT)/.deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $< -o $@ $(LDLIBS)

$(OUT)/.bench-deps: scripts/deps.sh
	$(Q)scripts/deps.sh $(BENCH_PKGS)
	$(Q)touch $@

demo: all
	$(Q)python3 scripts/demo.py $(SCENARIO)

# The README's chart: the demo's tour scenario, drawn again whenever the chart's code changes.
chart: doc/lifeline-chart.svg
doc/lifeline-chart.svg: user/render_svg.c user/history.c scripts/demo.py | all
	$(call msg,CHART,$@)
	$(Q)LL_CHART_DIR=$(OUT)/chart python3 scripts/demo.py tour > $(OUT)/chart.log
	$(Q)cp $(OUT)/chart/tour.svg $@

PREFIX ?= /usr/local
install: $(OUT)/lifeline
	install -D -m 0755 $(OUT)/lifeline $(DESTDIR)$(PREFIX)/sbin/lifeline
	$(if $(wildcard doc/lifeline.8),install -D -m 0644 doc/lifeline.8 $(DESTDIR)$(PREFIX)/share/man/man8/lifeline.8)
	install -D -m 0644 completion/lifeline.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/lifeline

# A Debian package of the binary, the man page and the completion: build/lifeline_VERSION_ARCH.deb
DEB_ARCH	= $(shell dpkg --print-architecture)
DEB		= $(OUT)/lifeline_$(VERSION)_$(DEB_ARCH).deb
deb: $(DEB)
$(DEB): $(OUT)/lifeline doc/lifeline.8 completion/lifeline.bash scripts/deb-control.sh
	$(call msg,DEB,$@)
	$(Q)rm -rf $(OUT)/deb && $(MAKE) -s install DESTDIR=$(CURDIR)/$(OUT)/deb PREFIX=/usr
	$(Q)gzip -9n $(OUT)/deb/usr/share/man/man8/lifeline.8
	$(Q)scripts/deb-control.sh $(VERSION) $(DEB_ARCH) $(OUT)/deb
	$(Q)dpkg-deb --root-owner-group --build $(OUT)/deb $@ >/dev/null

clean:
	$(call msg,CLEAN,$(OUT))
	$(Q)rm -rf $(OUT)

-include $(wildcard $(OUT)/*/*.d $(OUT)/*.d)
