/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Listener state: accepts per (accepting process, listening port), the accept queue wait, and for
 * fork-per-connection servers which child took each connection and how that child ended.
 * Pure state: fed kernel records and joined events, read through ll_listener_view.
 */
#ifndef LL_LISTENERS_H
#define LL_LISTENERS_H

#include <stddef.h>
#include <stdint.h>
#include "event.h"
#include "views.h"

#define LS_DEFAULT_LISTENERS	256
#define LS_DEFAULT_CHILDREN	8192	/* fork-per-connection children followed at once */
#define LS_DEFAULT_THREADS	1024	/* threads with accepts awaiting a fork */
#define LS_PENDING_PER_THREAD	8	/* ... their latest accepts, per thread */
#define LS_FORK_WINDOW_NS	1000000000ULL	/* an accept this old is no longer a fork's */

struct ls_config {
	ll_emit_fn emit;		/* EV_ACCEPT; may be NULL */
	void *ctx;
	size_t max_listeners;		/* 0: LS_DEFAULT_LISTENERS */
	size_t max_children;		/* 0: LS_DEFAULT_CHILDREN */
	size_t max_threads;		/* 0: LS_DEFAULT_THREADS */
};

/* What the bounds cost: for diagnostics and tests. */
struct ls_counters {
	uint64_t listeners;		/* in the table now */
	uint64_t listeners_evicted;	/* dropped to make room (dead ones first) */
	uint64_t children;		/* children followed now */
	uint64_t children_evicted;	/* followed children dropped before their reap */
	uint64_t pending;		/* accepted connections awaiting a fork now */
	uint64_t pending_dropped;	/* ... dropped because a thread or the table was full */
};

struct listeners;

/* NULL with errno set on failure. */
struct listeners *ls_new(const struct ls_config *cfg);
void ls_free(struct listeners *ls);

void ls_handle_accept(struct listeners *ls, const struct ll_accept *rec);
void ls_handle_fork(struct listeners *ls, const struct ll_fork *rec);
/* Joined process events: EV_EXIT and EV_REAP (others are ignored). */
void ls_on_event(struct listeners *ls, const struct ll_event *ev);
/* Once per interval: accept rates over the interval, expiry of stale pending accepts. */
void ls_tick(struct listeners *ls, uint64_t now_ns);

/* Up to max views, most accepts first; histogram pointers stay valid until the next update. */
size_t ls_views(const struct listeners *ls, struct ll_listener_view *out, size_t max);
/* Successful accepts since start, evicted listeners included. */
uint64_t ls_total_accepts(const struct listeners *ls);
void ls_counters(const struct listeners *ls, struct ls_counters *out);

#endif
