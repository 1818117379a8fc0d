// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Event loops as the renderers see them: per loop, where its time went over the run (the state
 * it is in now counts up to now, so an idle loop's wait in progress is idle time), and the
 * threads of one process that wait on one epoll fd (Go's netpoller, thread pools) merged into
 * one loop.
 */
#include <stdlib.h>
#include <string.h>
#include "loops_priv.h"

/* Time in each state, the open period included. */
static void lp_times(const struct lp_loop *l, uint64_t now_ns, uint64_t t[LL_LS_NR])
{
	memcpy(t, l->time_ns, sizeof(l->time_ns));
	if (!lp_is_dead(l) && l->state_ns && now_ns > l->state_ns)
		t[l->state] += now_ns - l->state_ns;
}

/* The stretch since its last wait, while it is in one and a stall may be under way. */
static uint64_t lp_stretch_now_us(const struct lp_loop *l, uint64_t now_ns)
{
	if (lp_is_dead(l) || !(l->flags & LL_LOOP_STRETCH) || now_ns <= l->stretch_start_ns)
		return 0;
	return (now_ns - l->stretch_start_ns) / 1000;
}

static void lp_view_add_sys(struct ll_loop_view *v, int nr, uint64_t us)
{
	unsigned int i;

	if (!us)
		return;
	for (i = 0; i < v->nsys; i++)
		if (v->sys[i].nr == nr)
			break;
	if (i == v->nsys) {
		if (v->nsys < LL_LOOP_NSYS)
			v->nsys++;
		else
			v->sys[--i].nr = LL_SYS_OTHER;	/* the last slot takes the rest */
		if (v->sys[i].nr != LL_SYS_OTHER) {
			v->sys[i].nr = nr;
			v->sys[i].us = 0;
		}
	}
	v->sys[i].us += us;
}

/* A loop's threads summed up. */
struct lp_acc {
	uint64_t t[LL_LS_NR];
	bool in_wait;		/* a thread is in the wait: the loop is not stalled */
};

/* One thread's time, counts and state added to its loop's view. */
static void lp_view_add(struct ll_loop_view *v, const struct lp_loop *l, uint64_t now_ns,
			struct lp_acc *acc)
{
	uint64_t own[LL_LS_NR], stretch;
	unsigned int i;

	lp_times(l, now_ns, own);
	for (i = 0; i < LL_LS_NR; i++)
		acc->t[i] += own[i];
	for (i = 0; i < LL_LOOP_NSYS; i++)
		if (l->sys[i].used)
			lp_view_add_sys(v, l->sys[i].nr, l->sys[i].ns / 1000);
	if (!lp_is_dead(l) && l->state == LL_LS_OFFCPU && now_ns > l->state_ns)
		lp_view_add_sys(v, l->sleep_nr, (now_ns - l->state_ns) / 1000);
	v->alive |= !lp_is_dead(l);
	v->wakeups += l->wakeups;
	v->events += l->events;
	v->timeouts += l->timeouts;
	v->full += l->full;
	v->errors += l->errors;
	v->stalls += lp_max64(l->stalls, l->rec_stalls);
	v->max_stall_us = lp_max64(v->max_stall_us,
				   lp_max64(l->max_stall_ns, l->rec_max_stall_ns) / 1000);
	v->wakeups_rate += l->wakeups_rate;
	v->unseen += l->unseen;
	/* Stalled now only while no thread of the loop is in the wait: the shortest stretch. */
	stretch = lp_stretch_now_us(l, now_ns);
	if (!lp_is_dead(l) && l->state == LL_LS_IDLE)
		acc->in_wait = true;
	else if (stretch && (!v->busy_now_us || stretch < v->busy_now_us))
		v->busy_now_us = stretch;
	v->threads++;
}

/* Only epoll waits have exit hooks: the per-call counts of other loops are never known. */
static void lp_view_begin(struct ll_loop_view *v, const struct lp_loop *l, bool calls)
{
	*v = (struct ll_loop_view){
		.pid = l->tgid,
		.tid = l->tid,
		.calls = calls && l->wait == LL_WAIT_EPOLL,
		.wait = l->wait,
		.blocked = &l->blocked,
		.busy = &l->busy,
		.et_fds = l->et_fds,
		.lt_fds = l->lt_fds,
	};
	memcpy(v->comm, l->comm, LL_COMM_LEN);
}

static int lp_sys_cmp(const void *a, const void *b)
{
	const struct ll_loop_sys_view *x = a, *y = b;

	return x->us != y->us ? (x->us > y->us ? -1 : 1) : x->nr - y->nr;
}

static double lp_pct(uint64_t part, uint64_t total)
{
	return total ? (double)part * 100.0 / (double)total : 0;
}

static void lp_view_end(struct ll_loop_view *v, const struct lp_acc *acc)
{
	const uint64_t *t = acc->t;
	uint64_t total = t[LL_LS_BUSY] + t[LL_LS_IDLE] + t[LL_LS_OFFCPU] + t[LL_LS_RUNQ];

	if (acc->in_wait)
		v->busy_now_us = 0;
	v->busy_ns = t[LL_LS_BUSY];
	v->idle_ns = t[LL_LS_IDLE];
	v->busy_pct = lp_pct(t[LL_LS_BUSY], total);
	v->idle_pct = lp_pct(t[LL_LS_IDLE], total);
	v->offcpu_pct = lp_pct(t[LL_LS_OFFCPU], total);
	v->runq_pct = lp_pct(t[LL_LS_RUNQ], total);
	qsort(v->sys, v->nsys, sizeof(v->sys[0]), lp_sys_cmp);
}

/* Threads of one process on one epoll fd, one of them seen by the kernel beside another. */
static bool lp_same_group(const struct lp_loop *a, const struct lp_loop *b)
{
	return a->tgid == b->tgid && a->epfd >= 0 && a->epfd == b->epfd &&
	       ((a->flags | b->flags) & LL_LOOP_SHARED);
}

/* For each loop, the index of the first loop of its group (itself when alone). */
static void lp_find_leads(const struct loops *lp, size_t *lead)
{
	size_t i, j;

	for (i = 0; i < lp->nl; i++) {
		lead[i] = i;
		if (!(lp->l[i].flags & LL_LOOP_SHARED))
			continue;
		for (j = 0; j < i; j++) {
			if (lead[j] == j && lp_same_group(&lp->l[j], &lp->l[i])) {
				lead[i] = j;
				break;
			}
		}
	}
}

/* A loop of several threads: its histograms are the merge of theirs, in lp's scratch. */
static void lp_merge_hists(const struct loops *lp, const size_t *lead, size_t g,
			   struct ll_loop_view *v, size_t slot)
{
	struct ll_hist *blocked = &lp->merged[2 * slot], *busy = &lp->merged[2 * slot + 1];
	size_t i;

	memset(blocked, 0, sizeof(*blocked));
	memset(busy, 0, sizeof(*busy));
	for (i = g; i < lp->nl; i++) {
		if (lead[i] != g)
			continue;
		hist_merge(blocked, &lp->l[i].blocked);
		hist_merge(busy, &lp->l[i].busy);
	}
	v->blocked = blocked;
	v->busy = busy;
}

static size_t lp_fill_views(const struct loops *lp, uint64_t now_ns, const size_t *lead,
			    struct ll_loop_view *all)
{
	struct lp_acc acc;
	size_t g, i, n = 0;

	for (g = 0; g < lp->nl; g++) {
		if (lead[g] != g)
			continue;
		memset(&acc, 0, sizeof(acc));
		lp_view_begin(&all[n], &lp->l[g], lp->calls);
		for (i = g; i < lp->nl; i++)
			if (lead[i] == g)
				lp_view_add(&all[n], &lp->l[i], now_ns, &acc);
		lp_view_end(&all[n], &acc);
		if (all[n].threads > 1)
			lp_merge_hists(lp, lead, g, &all[n], n);
		n++;
	}
	return n;
}

static int lp_view_cmp(const void *a, const void *b)
{
	const struct ll_loop_view *x = a, *y = b;

	if (x->wakeups != y->wakeups)
		return x->wakeups > y->wakeups ? -1 : 1;
	if (x->timeouts != y->timeouts)
		return x->timeouts > y->timeouts ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

size_t lp_views(const struct loops *lp, uint64_t now_ns, struct ll_loop_view *out, size_t max)
{
	struct ll_loop_view *all;
	size_t *lead, n = 0;

	if (!max || !lp->nl)
		return 0;
	/* only the top max are wanted, but which ones needs all of them sorted */
	all = malloc(lp->nl * sizeof(*all));
	lead = malloc(lp->nl * sizeof(*lead));
	if (!all || !lead)
		goto out;
	lp_find_leads(lp, lead);
	n = lp_fill_views(lp, now_ns, lead, all);
	qsort(all, n, sizeof(*all), lp_view_cmp);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
out:
	free(lead);
	free(all);
	return n;
}

void lp_counters(const struct loops *lp, struct lp_counters *out)
{
	size_t i;

	*out = lp->cnt;
	out->loops = lp->nl;
	out->alive = 0;
	for (i = 0; i < lp->nl; i++)
		out->alive += !lp_is_dead(&lp->l[i]);
}
