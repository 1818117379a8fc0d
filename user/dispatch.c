// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Routing of records to the state modules, by the .to bits of decode's table. */
#include <errno.h>
#include "cgroup.h"
#include "decode.h"
#include "dispatch.h"
#include "forkfail.h"
#include "listeners.h"
#include "loops.h"
#include "proctab.h"

static void to_procs(struct ll_state *st, const void *rec)
{
	pt_handle(st->pt, rec);
}

static void to_listeners_fork(struct ll_state *st, const void *rec)
{
	ls_handle_fork(st->ls, rec);
}

static void to_listeners_accept(struct ll_state *st, const void *rec)
{
	ls_handle_accept(st->ls, rec);
}

static void to_loops(struct ll_state *st, const void *rec)
{
	lp_handle(st->lp, rec);
}

static void to_forkfails(struct ll_state *st, const void *rec)
{
	ff_handle(st->ff, rec);
}

/* In this order: a fork reaches the process table before the listeners. */
static const struct {
	unsigned int to;
	void (*handle)(struct ll_state *st, const void *rec);
} handlers[] = {
	{ LL_TO_PROCS, to_procs },
	{ LL_TO_LISTENERS_FORK, to_listeners_fork },
	{ LL_TO_LISTENERS_ACCEPT, to_listeners_accept },
	{ LL_TO_LOOPS, to_loops },
	{ LL_TO_FORKFAILS, to_forkfails },
};

int dispatch_record(struct ll_state *st, const void *data, size_t size)
{
	int type = ll_decode(data, size);
	unsigned int to;
	size_t i;

	if (type < 0)
		return type;
	/* Every record says which cgroup its task is in now. */
	cg_handle(st->cg, data);
	to = ll_rec_info(type)->to;
	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (to & handlers[i].to)
			handlers[i].handle(st, data);
	return type;
}

void dispatch_event(struct ll_state *st, const struct ll_event *ev, ll_emit_fn sink, void *ctx)
{
	if (ev->kind == EV_EXIT || ev->kind == EV_REAP)
		ls_on_event(st->ls, ev);
	if (sink)
		sink(ctx, ev);
	if (ev->kind == EV_REAP)
		cg_forget(st->cg, ev->pid);
}
