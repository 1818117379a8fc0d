/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The one path of a kernel record: validated by decode, routed to the state modules its row in
 * decode's table names, and the joined events those modules emit fanned out again. Pure state
 * (no libbpf): lifeline's main and the fuzzer both drive it.
 */
#ifndef LL_DISPATCH_H
#define LL_DISPATCH_H

#include <stddef.h>
#include "event.h"

struct cgroups;
struct forkfails;
struct listeners;
struct loops;
struct proctab;

/* The state modules; each may be NULL only where its records never come. */
struct ll_state {
	struct proctab *pt;
	struct listeners *ls;
	struct loops *lp;
	struct cgroups *cg;
	struct forkfails *ff;
};

/* One record from the ring buffer: its type once routed, or -EINVAL (malformed: not read). */
int dispatch_record(struct ll_state *st, const void *data, size_t size);

/*
 * Every joined event passes here. Before sink: the state that learns from events (listeners
 * learn how handler children ended). After it: what a reap lets go (the pid's cgroup, which the
 * sink may still name). sink may be NULL.
 */
void dispatch_event(struct ll_state *st, const struct ll_event *ev, ll_emit_fn sink, void *ctx);

#endif
