// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "loop_seed.h"
#include "tracer.h"
#include "lifeline.skel.h"

#define TRACEFS "/sys/kernel/tracing"

struct tracer {
	struct lifeline_bpf *skel;
	struct ring_buffer *rb;
	struct tracer_config cfg;
	uint64_t attach_us;
};

static bool verbose_libbpf;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Without -v, failures are summarised by our own one-line error. */
	if (!verbose_libbpf)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void say(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static uint64_t effective_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};

	/* By the effective set, not the uid: root with its capabilities dropped (a container,
	 * capsh --drop) would otherwise get an EPERM from the loader that explains nothing. */
	if (syscall(SYS_capget, &h, d))
		return geteuid() == 0 ? ~0ULL : 0;
	return d[0].effective | ((uint64_t)d[1].effective << 32);
}

static bool has_caps_for_bpf(void)
{
	uint64_t eff = effective_caps();

	if (eff & (1ULL << CAP_SYS_ADMIN))
		return true;
	return (eff & (1ULL << CAP_BPF)) && (eff & (1ULL << CAP_PERFMON));
}

/* kernel.perf_event_paranoid, or INT_MIN when unreadable. */
static int perf_event_paranoid(void)
{
	char buf[32] = "", *end;
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	long v;

	if (!f)
		return INT_MIN;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v < INT_MIN || v > INT_MAX)
		return INT_MIN;
	return v;
}

/*
 * The tp/ programs attach through perf_event_open(). Debian and Ubuntu kernels add level 3 of
 * kernel.perf_event_paranoid (Debian's default), at which perf_event_open() needs
 * CAP_SYS_ADMIN: CAP_BPF and CAP_PERFMON alone get EACCES. Say so, and the way out.
 */
static void explain_attach_error(int ret, char *err, size_t len)
{
	int level = perf_event_paranoid();

	if ((ret == -EACCES || ret == -EPERM) && level > 2 &&
	    !(effective_caps() & (1ULL << CAP_SYS_ADMIN))) {
		say(err, len, "cannot attach the BPF programs: %s: kernel.perf_event_paranoid is %d, "
		    "at which attaching a tracepoint needs CAP_SYS_ADMIN; run it as root, or allow "
		    "CAP_BPF+CAP_PERFMON with 'sysctl kernel.perf_event_paranoid=2'", strerror(-ret),
		    level);
		return;
	}
	say(err, len, "cannot attach the BPF programs: %s", strerror(-ret));
}

static int ensure_tracefs(char *err, size_t len)
{
	struct stat st;

	if (!stat(TRACEFS "/events", &st))
		return 0;
	/* Mounted but closed to us (CAP_BPF and CAP_PERFMON without root): not a mount problem. */
	if (errno == EACCES) {
		say(err, len, "cannot read tracefs at %s (%s): without root, lifeline needs "
		    "CAP_DAC_READ_SEARCH too, besides CAP_BPF and CAP_PERFMON", TRACEFS,
		    strerror(errno));
		return -EACCES;
	}
	if (!mount("nodev", TRACEFS, "tracefs", 0, NULL))
		return 0;
	say(err, len, "tracefs is not mounted and mounting it on %s failed (%s): "
	    "mount it with 'mount -t tracefs nodev %s'", TRACEFS, strerror(errno), TRACEFS);
	return -errno;
}

/* "tp/cat/name" exists when tracefs lists it; "tp_btf/name" when the kernel's BTF has it. */
static bool tracepoint_exists(const struct btf *vmlinux, const char *sec)
{
	char path[256], type[128];
	struct stat st;

	if (!strncmp(sec, "tp/", 3)) {
		snprintf(path, sizeof(path), TRACEFS "/events/%s/id", sec + 3);
		return !stat(path, &st);
	}
	if (!strncmp(sec, "tp_btf/", 7)) {
		snprintf(type, sizeof(type), "btf_trace_%s", sec + 7);
		return vmlinux && btf__find_by_name_kind(vmlinux, type, BTF_KIND_TYPEDEF) > 0;
	}
	return true;
}

/* Fork and exit carry the mission; everything else can be missing on an older kernel. */
static bool essential(const char *sec)
{
	return strstr(sec, "sched_process_fork") || strstr(sec, "sched_process_exit");
}

/* Syscalls some architectures do not have at all (arm64: only clone and clone3): nothing is
 * missing there, so nothing is said. */
static bool arch_optional(const char *sec)
{
	return !strcmp(sec, "tp/syscalls/sys_exit_fork") ||
	       !strcmp(sec, "tp/syscalls/sys_exit_vfork");
}

/* name is an item of the ", "-separated list (not merely a prefix of one). */
static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

static int skip_missing_tracepoints(struct lifeline_bpf *skel, char *err, size_t len)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct bpf_program *prog;
	char missing[512] = "";
	size_t pos = 0;
	int ret = 0;

	bpf_object__for_each_program(prog, skel->obj) {
		const char *sec = bpf_program__section_name(prog);

		if (!bpf_program__autoload(prog) || tracepoint_exists(vmlinux, sec))
			continue;
		if (essential(sec)) {
			say(err, len, "this kernel lacks the tracepoint %s, which lifeline needs", sec);
			ret = -ENOENT;
			break;
		}
		/* A section can be on several programs (one per domain): name it once. */
		if (!arch_optional(sec) && !listed(missing, sec) && pos < sizeof(missing))
			pos += snprintf(missing + pos, sizeof(missing) - pos, "%s%s", pos ? ", " : "",
					sec);
		bpf_program__set_autoload(prog, false);
	}
	btf__free(vmlinux);
	/* Said once, however many are missing: what they would report is simply not there. */
	if (!ret && pos)
		fprintf(stderr, "lifeline: this kernel lacks the optional tracepoint(s) %s; "
			"running without them (what they report will be missing)\n", missing);
	return ret;
}

/*
 * Only what --loops asks for is loaded: sched needs no per-call program, and every tp/syscalls
 * program attached puts all syscalls of all tasks on the slow path.
 */
static void choose_loop_programs(struct lifeline_bpf *skel, const struct tracer_config *cfg)
{
	struct bpf_program *calls[] = {
		skel->progs.ll_exit_epoll_wait, skel->progs.ll_exit_epoll_pwait,
		skel->progs.ll_exit_epoll_pwait2,
	};
	struct bpf_program *sched[] = {
		skel->progs.ll_loop_switch, skel->progs.ll_loop_wakeup,
		skel->progs.ll_loop_thread_exit,
	};
	size_t i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		bpf_program__set_autoload(calls[i], cfg->loop_calls && !cfg->loops_off);
	for (i = 0; i < sizeof(sched) / sizeof(sched[0]); i++)
		bpf_program__set_autoload(sched[i], !cfg->loops_off);
}

static size_t ringbuf_size(size_t want)
{
	size_t page = sysconf(_SC_PAGESIZE), sz = page;

	while (sz < want && sz < (1UL << 30))
		sz <<= 1;
	return sz;
}

/*
 * Syscall numbers the hooks compare with. An arch without the call (arm64 has no fork, vfork,
 * poll or select) keeps -1, the knob's default, which no syscall has; clone3 has the same
 * number on every arch, which older headers lack. The epoll waits' are in loop_seed.c.
 */
#ifndef SYS_fork
#define SYS_fork		(-1)
#endif
#ifndef SYS_vfork
#define SYS_vfork		(-1)
#endif
#ifndef SYS_clone3
#define SYS_clone3		435
#endif
#ifndef SYS_futex
#define SYS_futex		(-1)
#endif
#ifndef SYS_poll
#define SYS_poll		(-1)
#endif
#ifndef SYS_ppoll
#define SYS_ppoll		(-1)
#endif
#ifndef SYS_select
#define SYS_select		(-1)
#endif
#ifndef SYS_pselect6
#define SYS_pselect6		(-1)
#endif

/* The fork hook tells vfork from fork by the syscall the parent is in (arm64 has only clone). */
static void set_fork_syscalls(struct lifeline_bpf *skel)
{
	skel->rodata->ll_nr_fork[0] = SYS_fork;
	skel->rodata->ll_nr_fork[1] = SYS_vfork;
	skel->rodata->ll_nr_fork[2] = SYS_clone;
	skel->rodata->ll_nr_fork[3] = SYS_clone3;
}

/* The waits of loops without epoll; an arch may lack poll and select (arm64 has only the p-). */
static void set_wait_syscalls(struct lifeline_bpf *skel)
{
	skel->rodata->ll_nr_poll[0] = SYS_poll;
	skel->rodata->ll_nr_poll[1] = SYS_ppoll;
	skel->rodata->ll_nr_select[0] = SYS_select;
	skel->rodata->ll_nr_select[1] = SYS_pselect6;
}

static void set_knobs(struct lifeline_bpf *skel, const struct tracer_config *cfg)
{
	unsigned int i;
	long nrs[3];

	skel->rodata->ll_self_tgid = cfg->self_tgid;
	skel->rodata->ll_filter_pids = cfg->filter_pids;
	skel->rodata->ll_filter_uid = cfg->filter_uid;
	skel->rodata->ll_uid = cfg->uid;
	skel->rodata->ll_ncomms = cfg->ncomms;
	for (i = 0; i < cfg->ncomms && i < LL_MAX_COMM_FILTERS; i++)
		memcpy((char *)skel->rodata->ll_comms[i], cfg->comms[i], LL_COMM_LEN);
	skel->rodata->ll_ncgroups = cfg->ncgroups;
	skel->rodata->ll_stall_ns = cfg->stall_ns;
	skel->rodata->ll_loop_all = cfg->loop_all;
	skel->rodata->ll_loop_calls = cfg->loop_calls;
	skel->rodata->ll_sigchld_all = cfg->sigchld_all;
	skel->rodata->ll_nr_futex = SYS_futex;
	/* The sleep hook knows a thread is in an epoll wait only by its syscall number. */
	loop_epoll_nrs(nrs);
	for (i = 0; i < 3; i++)
		skel->rodata->ll_nr_epoll[i] = nrs[i];
	set_wait_syscalls(skel);
	set_fork_syscalls(skel);
	/* Wake the consumer early enough that a burst cannot fill the rest between two polls. */
	skel->rodata->ll_wakeup_bytes = ringbuf_size(cfg->ringbuf_bytes) / 4;
}

/*
 * LIFELINE_ZOMBIE_SLOTS=N (a power of two up to LL_ZOMBIE_SLOTS), for tests: fewer zombie slots
 * send zombies to the hash that pids colliding in a slot use, which pid_max 32768 never does.
 */
static int set_zombie_slots(struct lifeline_bpf *skel, char *err, size_t len)
{
	const char *v = getenv("LIFELINE_ZOMBIE_SLOTS");
	unsigned long n;
	char *end;

	if (!v)
		return 0;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || !n || n > LL_ZOMBIE_SLOTS || (n & (n - 1))) {
		say(err, len, "invalid LIFELINE_ZOMBIE_SLOTS '%s': expected a power of two from 1 "
		    "to %d", v, LL_ZOMBIE_SLOTS);
		return -EINVAL;
	}
	skel->rodata->ll_zombie_mask = n - 1;
	return 0;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;

	return t->cfg.on_record(t->cfg.ctx, data, size);
}

/* The kernel keeps its own reference to each cgroup: the fds can be closed after this. */
static int set_cgroup_filter(struct tracer *t)
{
	__u32 i;

	for (i = 0; i < t->cfg.ncgroups && i < LL_MAX_CGROUP_FILTERS; i++)
		if (bpf_map__update_elem(t->skel->maps.cgroup_filter, &i, sizeof(i),
					 &t->cfg.cgroup_fds[i], sizeof(int), BPF_ANY))
			return -errno;
	return 0;
}

int tracer_open(const struct tracer_config *cfg, struct tracer **out, char *err, size_t len)
{
	uint64_t t0 = mono_us();
	struct tracer *t;
	int ret;

	verbose_libbpf = cfg->verbose;
	libbpf_set_print(libbpf_print);
	if (!has_caps_for_bpf()) {
		say(err, len, "needs root, or CAP_BPF and CAP_PERFMON, to load BPF programs "
		    "(run it with sudo)");
		return -EPERM;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		say(err, len, "this kernel has no BTF (/sys/kernel/btf/vmlinux): lifeline needs a "
		    "kernel built with CONFIG_DEBUG_INFO_BTF=y");
		return -ENOENT;
	}
	ret = ensure_tracefs(err, len);
	if (ret)
		return ret;

	t = calloc(1, sizeof(*t));
	if (!t) {
		say(err, len, "out of memory");
		return -ENOMEM;
	}
	t->cfg = *cfg;
	t->skel = lifeline_bpf__open();
	if (!t->skel) {
		ret = -errno;
		say(err, len, "cannot open the BPF object: %s", strerror(errno));
		goto fail;
	}
	set_knobs(t->skel, cfg);
	ret = set_zombie_slots(t->skel, err, len);
	if (ret)
		goto fail;
	ret = bpf_map__set_max_entries(t->skel->maps.events, ringbuf_size(cfg->ringbuf_bytes));
	if (ret) {
		say(err, len, "cannot size the ring buffer: %s", strerror(-ret));
		goto fail;
	}
	choose_loop_programs(t->skel, cfg);
	ret = skip_missing_tracepoints(t->skel, err, len);
	if (ret)
		goto fail;
	ret = lifeline_bpf__load(t->skel);
	if (ret) {
		say(err, len, "cannot load the BPF programs: %s%s", strerror(-ret),
		    cfg->verbose ? "" : " (run with -v for the verifier's log)");
		goto fail;
	}
	ret = set_cgroup_filter(t);
	if (ret) {
		say(err, len, "cannot set the cgroup filter: %s", strerror(-ret));
		goto fail;
	}
	ret = lifeline_bpf__attach(t->skel);
	if (ret) {
		explain_attach_error(ret, err, len);
		goto fail;
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_sample, t, NULL);
	if (!t->rb) {
		ret = -errno;
		say(err, len, "cannot open the ring buffer: %s", strerror(errno));
		goto fail;
	}
	t->attach_us = mono_us() - t0;
	*out = t;
	return 0;
fail:
	tracer_close(t);
	return ret;
}

int tracer_trace_pid(struct tracer *t, uint32_t pid)
{
	__u8 one = 1;

	if (bpf_map__update_elem(t->skel->maps.traced, &pid, sizeof(pid), &one, sizeof(one),
				 BPF_ANY))
		return -errno;
	return 0;
}

/* A zombie older than lifeline, as the kernel side's zombie_add: its pid's slot, else the hash. */
int tracer_watch_zombie(struct tracer *t, uint32_t pid)
{
	__u64 *slot = &t->skel->bss->ll_zombie_slot[pid & t->skel->rodata->ll_zombie_mask];
	__u64 *hashed = &t->skel->bss->ll_zombies_hashed;
	__u64 expect = 0;
	__u8 one = 1;
	int err;

	if (__atomic_compare_exchange_n(slot, &expect, pid, false, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST) || expect == pid)
		return 0;
	/* Counted before it is added, so the kernel side never skips the hash while it has it. */
	__atomic_fetch_add(hashed, 1, __ATOMIC_SEQ_CST);
	if (bpf_map__update_elem(t->skel->maps.zombies, &pid, sizeof(pid), &one, sizeof(one),
				 BPF_NOEXIST)) {
		err = errno;
		__atomic_fetch_sub(hashed, 1, __ATOMIC_SEQ_CST);
		return err == EEXIST ? 0 : -err;
	}
	return 0;
}

int tracer_watch_ns_pid(struct tracer *t, uint32_t ns_inum, uint32_t ns_pid, uint32_t host_pid)
{
	struct ll_ns_key k = { .ns = ns_inum, .nr = ns_pid };

	/* A fork recorded since the attach knows better: keep its entry. */
	if (bpf_map__update_elem(t->skel->maps.nspids, &k, sizeof(k), &host_pid,
				 sizeof(host_pid), BPF_NOEXIST) && errno != EEXIST)
		return -errno;
	return 0;
}

int tracer_poll(struct tracer *t, int timeout_ms, int wake_fd)
{
	struct pollfd fds[2] = {
		{ .fd = ring_buffer__epoll_fd(t->rb), .events = POLLIN },
		{ .fd = wake_fd, .events = POLLIN },
	};
	int m;

	/* Records are submitted without wake-ups (see common.bpf.h), so whether the wait ends by
	 * timeout, by a forced wake-up or by wake_fd, consume whatever is there. */
	if (poll(fds, wake_fd >= 0 ? 2 : 1, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	m = ring_buffer__consume(t->rb);
	if (m < 0 && m != -EINTR)
		return m;
	return m > 0 ? m : 0;
}

void tracer_counts(const struct tracer *t, struct tracer_counts *c)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, i;

	memset(c, 0, sizeof(*c));
	if (ncpu > LL_MAX_CPUS)
		ncpu = LL_MAX_CPUS;
	for (cpu = 0; cpu < ncpu; cpu++) {
		for (i = 0; i < LL_REC_MAX; i++) {
			c->sent[i] += t->skel->bss->ll_sent[cpu][i];
			c->lost[i] += t->skel->bss->ll_drops[cpu][i];
		}
		c->map_full += t->skel->bss->ll_map_full[cpu];
	}
	for (i = 0; i < LL_REC_MAX; i++) {
		c->sent_total += c->sent[i];
		c->lost_total += c->lost[i];
	}
}

size_t tracer_read_loops(struct tracer *t, struct ll_loop_stats *out, size_t max)
{
	int fd = bpf_map__fd(t->skel->maps.loops);
	__u32 key, next, *prev = NULL;
	size_t n = 0;

	while (n < max && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &out[n]))
			n++;
	}
	return n;
}

/*
 * A loop thread asleep in its wait since before lifeline: idle from now on, so the wake-up that
 * ends its wait is seen (that wait's length, unknown, is left out of the histogram). Its epoll
 * fd stays unknown (-1) until its next wait, which then also notes it for shared loops. A thread
 * the kernel side found meanwhile keeps its own entry.
 */
int tracer_seed_loop(struct tracer *t, const struct loop_seed *s)
{
	static struct ll_loop_stats st;	/* large: not on the stack */
	struct timespec ts;
	__u32 *hint;
	__u64 now;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	memset(&st, 0, sizeof(st));
	st.tgid = s->tgid;
	st.tid = s->tid;
	st.epfd = -1;
	st.maxevents = s->maxevents;
	st.first_ns = now;
	st.sleep_ns = 0;	/* asleep since before now: that wait's length is unknown */
	st.state = LL_LS_IDLE;
	st.wait = LL_WAIT_EPOLL;	/* only epoll waits are seeded */
	st.state_ns = now;
	st.cpu_ns = s->cpu_ns;
	memcpy(st.comm, s->comm, sizeof(st.comm));
	/* The kernel side's hint first, as it does: a slot may overcount, never undercount. */
	hint = &t->skel->bss->ll_loop_hint[s->tid & (LL_LOOP_HINTS - 1)];
	__atomic_fetch_add(hint, 1, __ATOMIC_SEQ_CST);
	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.loops), &s->tid, &st, BPF_NOEXIST)) {
		err = errno;
		__atomic_fetch_sub(hint, 1, __ATOMIC_SEQ_CST);
		return err == EEXIST ? 0 : -err;
	}
	return 0;
}

uint64_t tracer_attach_us(const struct tracer *t)
{
	return t->attach_us;
}

void tracer_close(struct tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	lifeline_bpf__destroy(t->skel);
	free(t);
}
