// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* main's state: the modules, the routing of records into them (dispatch.c) and of the events
 * they emit out to the stream, the -p watch and the chart. */
#include <errno.h>
#include "app.h"
#include "evfilter.h"
#include "listeners.h"
#include "loops.h"
#include "procfs.h"
#include "proctab.h"

static bool stream_wants(const struct app *a, enum ll_ev_kind kind)
{
	unsigned int c = a->opts.classes;

	switch (kind) {
	case EV_ACCEPT:
		return c & LL_CLASS_SOCK;
	case EV_STALL:
		return c & (LL_CLASS_LOOP | LL_CLASS_LOOP_ALL);
	case EV_WAKEUP:
		return c & LL_CLASS_LOOP_ALL;
	default:
		return c & LL_CLASS_PROC;
	}
}

/* The chart names an orphan's adopter, which may have done nothing else we saw (init). */
static void name_adopter(struct app *a, uint32_t pid)
{
	const char *comm = pt_comm(a->st.pt, pid);
	struct procfs_stat st;

	if (!comm && pid && !procfs_read_stat(pid, &st))
		comm = st.comm;
	history_name(a->hist, pid, comm);
}

/* What main adds to dispatch's fan-out of every joined event: the -p watch, the stream shows
 * what was asked for, the chart. */
static void show_event(void *ctx, const struct ll_event *ev)
{
	struct app *a = ctx;
	struct ll_event named;

	pidwatch_event(&a->alive, ev);
	if (a->mode == OUT_STREAM && stream_wants(a, ev->kind) &&
	    (!a->opts.failed_only || ev_is_failure(ev))) {
		named = *ev;
		named.cgroup = cg_path_of_pid(a->ct.cg, ev->pid);
		reorder_push(a->reo, &named);
	}
	if (a->hist) {
		history_event(a->hist, ev);
		if (ev->kind == EV_ORPHAN)
			name_adopter(a, ev->orphan.adopter_pid);
	}
}

static void on_event(void *ctx, const struct ll_event *ev)
{
	struct app *a = ctx;

	dispatch_event(&a->st, ev, show_event, a);
}

static void on_ordered_event(void *ctx, const struct ll_event *ev)
{
	struct app *a = ctx;

	render_event(&a->ro, ev);
}

int on_record(void *ctx, const void *data, size_t size)
{
	struct app *a = ctx;

	if (dispatch_record(&a->st, data, size) < 0) {
		a->bad_records++;
		return 0;
	}
	a->records++;
	return 0;
}

int open_state(struct app *a)
{
	struct pt_config pc = { .emit = on_event, .ctx = a, .start_ns = now_ns() };
	struct ls_config lc = { .emit = on_event, .ctx = a };
	struct lp_config pl = { .emit = on_event, .ctx = a,
				.calls = a->opts.loops_mode == LL_LOOPS_CALLS };

	a->st.pt = pt_new(&pc);
	a->st.ls = ls_new(&lc);
	a->st.lp = lp_new(&pl);
	if (containers_open(&a->ct, on_event, a))
		return -ENOMEM;
	a->st.cg = a->ct.cg;
	a->st.ff = a->ct.ff;
	a->reo = reorder_new(LL_REORDER_NS, 0, on_ordered_event, a);
	return a->st.pt && a->st.ls && a->st.lp && a->reo ? 0 : -ENOMEM;
}
