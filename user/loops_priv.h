/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Inside the event loop state: shared by loops.c (records, snapshots) and loop_views.c. */
#ifndef LL_LOOPS_PRIV_H
#define LL_LOOPS_PRIV_H

#include <stdbool.h>
#include "hist.h"
#include "loops.h"
#include "u64map.h"

struct lp_loop {
	bool alive;		/* kernel state exists: in the last snapshot, or newer than it */
	bool exited;		/* LOOP_EXIT seen: the totals are final */
	bool in_snap;		/* scratch for lp_update */
	uint32_t tgid;
	uint32_t tid;
	int epfd;
	int maxevents;
	unsigned int wait;	/* enum ll_loop_wait; LL_WAIT_NONE until a record tells */
	char comm[LL_COMM_LEN];
	uint64_t first_ns;	/* the kernel's; 0 until a snapshot or the exit record tells */
	uint64_t new_ns;	/* when this entry was made */
	uint64_t last_ns;	/* latest activity known, for eviction */
	uint32_t state;		/* the kernel's enum ll_loop_state since state_ns */
	uint32_t flags;		/* LL_LOOP_* */
	uint64_t state_ns;
	int sleep_nr;		/* LL_LS_OFFCPU: in which syscall */
	uint64_t stretch_start_ns;
	uint64_t time_ns[LL_LS_NR];
	struct ll_loop_sys sys[LL_LOOP_NSYS];
	uint64_t waits;
	uint64_t wakeups;
	uint64_t events;
	uint64_t timeouts;
	uint64_t full;
	uint64_t errors;
	uint64_t stalls;
	uint64_t max_stall_ns;
	uint64_t unseen;		/* switches no tracepoint reported, placed from CPU time */
	uint64_t rec_stalls;	/* stall records: ahead of the kernel's between snapshots */
	uint64_t rec_max_stall_ns;
	uint64_t snap_ns;	/* last snapshot that had this loop, and its wakeups then */
	uint64_t snap_wakeups;
	double wakeups_rate;
	int et_fds;
	int lt_fds;
	/* The kernel's u32 slots wrap: the histograms add what each slot grew by since then. */
	__u32 raw_blocked[LL_HIST_SLOTS];
	__u32 raw_busy[LL_HIST_SLOTS];
	struct ll_hist blocked;
	struct ll_hist busy;
};

struct loops {
	ll_emit_fn emit;
	void *ctx;
	bool calls;		/* --loops calls: the per-call counts are known */
	struct lp_loop *l;
	size_t nl, max_l;
	struct u64map index;	/* tid of loops that have not exited -> loop index + 1 */
	uint64_t prev_update_ns;
	struct lp_counters cnt;
	/* lp_views' scratch for loops of several threads: their merged histograms */
	struct ll_hist *merged;	/* 2 per view, max_l views */
};

static inline uint64_t lp_max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static inline bool lp_is_dead(const struct lp_loop *l)
{
	return l->exited || !l->alive;
}

#endif
