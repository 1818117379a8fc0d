/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Event loop state: one entry per thread that waits in epoll. The kernel keeps the counters and
 * histograms (struct ll_loop_stats, map "loops"); user space reads the whole map each interval
 * into lp_update(), and the rare ring buffer records (new loop, stall, exit, and wakeups in
 * loop-all mode) into lp_handle(). Pure state: read through ll_loop_view.
 */
#ifndef LL_LOOPS_H
#define LL_LOOPS_H

#include <stddef.h>
#include <stdint.h>
#include "event.h"
#include "views.h"

#define LP_DEFAULT_LOOPS LL_MAX_LOOPS

struct lp_config {
	ll_emit_fn emit;	/* EV_STALL, EV_WAKEUP; may be NULL */
	void *ctx;
	size_t max_loops;	/* 0: LP_DEFAULT_LOOPS */
	bool calls;		/* --loops calls: events, timeouts and full are known */
};

/* A live loop's epoll fd, for main to read /proc/PID/fdinfo/EPFD and call lp_set_fds(). */
struct lp_epfd {
	uint32_t pid;
	uint32_t tid;
	int epfd;
};

struct lp_counters {
	uint64_t loops;		/* in the table now, dead ones included */
	uint64_t alive;
	uint64_t evicted;	/* entries dropped to make room (dead ones first) */
	uint64_t dropped;	/* times a loop found no room: every entry was busier */
};

struct loops;

/* NULL with errno set on failure. */
struct loops *lp_new(const struct lp_config *cfg);
void lp_free(struct loops *lp);

/* A LL_REC_LOOP_NEW, _STALL, _WAKEUP or _LOOP_EXIT record that passed ll_decode() (others are
 * ignored). */
void lp_handle(struct loops *lp, const struct ll_hdr *rec);
/*
 * The whole kernel map, read at now_ns. Loops missing from it that did not exit keep their last
 * totals but are no longer alive (their exit record was lost, or it is still in the ring buffer:
 * it will still be taken).
 */
void lp_update(struct loops *lp, const struct ll_loop_stats *stats, size_t n, uint64_t now_ns);
/* The interest list of thread tid's epoll fd; -ENOENT if tid has no live loop. */
int lp_set_fds(struct loops *lp, uint32_t tid, int et, int lt);
size_t lp_epfds(const struct loops *lp, struct lp_epfd *out, size_t max);

/*
 * Up to max views, most wakeups first; histogram pointers stay valid until the next update or
 * views. Threads of one process waiting on one epoll fd are one view (threads > 1).
 */
size_t lp_views(const struct loops *lp, uint64_t now_ns, struct ll_loop_view *out, size_t max);
void lp_counters(const struct loops *lp, struct lp_counters *out);

#endif
