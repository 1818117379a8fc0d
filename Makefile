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
# Only the end-to-end tests need these: a real Prometheus (and promtool) to scrape lifeline.
TEST_PKGS	:= prometheus

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
# Unit tests link libll.a, whose prom.o serves HTTP.
LDLIBS_TEST	:= -lmicrohttpd -lm
ifeq ($(SANITIZE),1)
CFLAGS		+= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS		+= -fsanitize=address,undefined
endif
BPF_CFLAGS	:= -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ivmlinux -Ibpf -Wall -Wno-unused-function \
		   -MMD -MP

# shared.bpf.c defines what the others declare extern; libbpf 1.1's linker needs the definitions
# first (an extern map seen before its definition fails to relocate).
BPF_SRCS	:= bpf/shared.bpf.c $(filter-out bpf/shared.bpf.c,$(sort $(wildcard bpf/*.bpf.c)))
BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
SKEL		:= $(OUT)/lifeline.skel.h

# user/: the tracer and main touch BPF; everything else is pure and goes into the unit tests too.
USER_SRCS	:= $(sort $(wildcard user/*.c))
USER_BPF_SRCS	:= user/main.c user/tracer.c
USER_LIB_SRCS	:= $(filter-out $(USER_BPF_SRCS),$(USER_SRCS))
USER_LIB_OBJS	:= $(patsubst user/%.c,$(OUT)/user/%.o,$(USER_LIB_SRCS))
USER_BPF_OBJS	:= $(patsubst user/%.c,$(OUT)/user/%.o,$(filter $(USER_BPF_SRCS),$(USER_SRCS)))
LIBLL		:= $(OUT)/libll.a

SERVERS		:= fork_echo epoll_echo udp_echo loadgen forkstorm
SERVER_BINS	:= $(addprefix $(OUT)/,$(SERVERS))
SERVER_COMMON	:= $(wildcard servers/common.c)

UNIT_SRCS	:= $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS	:= $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))

# The fuzz target is built by clang with libFuzzer and sanitizers, from the pure sources it drives.
FUZZ_BIN	:= $(OUT)/fuzz_records
FUZZ_SRCS	:= user/decode.c user/proctab.c user/lazymem.c user/listeners.c user/loops.c user/hist.c user/u64map.c
FUZZ_SECS	?= 60

.PHONY: all deps vmlinux test test-unit test-e2e test-kernels bench demo clean install fuzz
.DELETE_ON_ERROR:

all: $(OUT)/lifeline $(SERVER_BINS) $(UNIT_BINS)

# Installs what is missing (as root); quiet when everything is there.
deps: $(OUT)/.deps
$(OUT)/.deps: scripts/deps.sh
	$(Q)mkdir -p $(OUT)
	$(Q)scripts/deps.sh $(DEPS_PKGS)
	$(Q)touch $@

vmlinux: vmlinux/vmlinux.h
vmlinux/vmlinux.h: | $(OUT)/.deps
	$(call msg,GEN,$@)
	$(Q)test -r /sys/kernel/btf/vmlinux || { echo "error: this kernel has no BTF" \
		"(/sys/kernel/btf/vmlinux missing): lifeline needs CONFIG_DEBUG_INFO_BTF=y" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c vmlinux/vmlinux.h | $(OUT)/.deps
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

$(OUT)/lifeline: $(USER_BPF_OBJS) $(LIBLL)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The servers are the workload, not what is tested: never sanitized (LeakSanitizer's checker
# would add a process to each of their exits, and the tests count processes).
$(OUT)/%: servers/%.c $(SERVER_COMMON) | $(OUT)/.deps
	$(call msg,CC,$@)
	$(Q)$(CC) $(filter-out -fsanitize=% -fno-sanitize-recover=%,$(CFLAGS)) -Iservers \
		$(filter-out -fsanitize=%,$(LDFLAGS)) $^ -o $@ -lm

$(OUT)/tests/%: tests/unit/%.c $(LIBLL) tests/unit/test.h | $(OUT)/.deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) $< $(LIBLL) -o $@ $(LDLIBS_TEST)

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

# Each kernel line's newest bookworm package, booted under qemu with this tree's build (cached
# in $(OUT)/kernels); ends with "N passed, N failed, N skipped". scripts/test-kernels.sh says how.
KERNELS		?= 6.1 6.12
test-kernels: all $(OUT)/.test-deps
	$(Q)LL_BUILD_DIR=$(OUT) scripts/test-kernels.sh $(KERNELS)

bench: all $(OUT)/.bench-deps
	$(Q)python3 tests/bench/bench.py $(if $(QUICK),--quick)

$(OUT)/.bench-deps: scripts/deps.sh
	$(Q)scripts/deps.sh $(BENCH_PKGS)
	$(Q)touch $@

demo: all
	$(Q)python3 scripts/demo.py $(SCENARIO)

PREFIX ?= /usr/local
install: $(OUT)/lifeline
	install -D -m 0755 $(OUT)/lifeline $(DESTDIR)$(PREFIX)/sbin/lifeline
	$(if $(wildcard doc/lifeline.8),install -D -m 0644 doc/lifeline.8 $(DESTDIR)$(PREFIX)/share/man/man8/lifeline.8)

clean:
	$(call msg,CLEAN,$(OUT))
	$(Q)rm -rf $(OUT) vmlinux/vmlinux.h

-include $(wildcard $(OUT)/*/*.d $(OUT)/*.d)
