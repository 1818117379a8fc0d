/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The BPF side seen from user space: load, attach, poll, counters. Nothing else touches BPF. */
#ifndef LL_TRACER_H
#define LL_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "../bpf/lifeline.h"

/* Return 0 to go on, non-zero to stop the current poll. */
typedef int (*tracer_record_fn)(void *ctx, const void *data, size_t size);

struct tracer_config {
	uint32_t self_tgid;
	bool filter_pids;		/* trace only what tracer_trace_pid() adds, and descendants */
	bool filter_uid;		/* -u: only tasks whose real uid is uid */
	uint32_t uid;
	char comms[LL_MAX_COMM_FILTERS][LL_COMM_LEN];
	unsigned int ncomms;
	int cgroup_fds[LL_MAX_CGROUP_FILTERS];	/* --cgroup: open cgroup v2 directories */
	unsigned int ncgroups;
	uint64_t stall_ns;
	bool loop_all;
	bool loop_calls;		/* --loops calls: the per-call programs too */
	bool loops_off;			/* --loops off: no loop program at all */
	bool sigchld_all;		/* a record per SIGCHLD, not only the coalesced ones */
	size_t ringbuf_bytes;		/* rounded up to a power of two pages */
	bool verbose;
	tracer_record_fn on_record;
	void *ctx;
};

struct tracer_counts {
	uint64_t sent[LL_REC_MAX];
	uint64_t lost[LL_REC_MAX];
	uint64_t sent_total;
	uint64_t lost_total;
	uint64_t map_full;		/* kernel-side state that could not be kept */
};

struct tracer;

/* 0, or -errno with one line for the user in err (what is wrong and what to do). */
int tracer_open(const struct tracer_config *cfg, struct tracer **out, char *err, size_t errlen);
int tracer_trace_pid(struct tracer *t, uint32_t pid);
/* A zombie that predates lifeline: with filters on, the kernel reports only reaps of zombies it
 * knows, so it must be told about this one. */
int tracer_watch_zombie(struct tracer *t, uint32_t pid);
/* A process older than lifeline in a PID namespace: its reaper there will name it ns_pid. */
int tracer_watch_ns_pid(struct tracer *t, uint32_t ns_inum, uint32_t ns_pid, uint32_t host_pid);
/* Wait up to timeout_ms (less if wake_fd, when >= 0, becomes readable), then hand every pending
 * record to on_record. Records or -errno. */
int tracer_poll(struct tracer *t, int timeout_ms, int wake_fd);
void tracer_counts(const struct tracer *t, struct tracer_counts *c);
/* Copy the kernel's per-thread loop statistics; returns how many. */
size_t tracer_read_loops(struct tracer *t, struct ll_loop_stats *out, size_t max);
struct loop_seed;
/* A loop thread asleep in its wait at attach (loop_seed.h): 0 or -errno. */
int tracer_seed_loop(struct tracer *t, const struct loop_seed *s);
/* Microseconds from launch until attached, for the benchmark. */
uint64_t tracer_attach_us(const struct tracer *t);
void tracer_close(struct tracer *t);

#endif
