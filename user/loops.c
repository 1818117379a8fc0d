// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Event loop state.
 *
 * The kernel's per-thread totals are authoritative; this file keeps the last of them per loop,
 * rebuilds the histograms from the kernel's slots, derives rates from consecutive snapshots, and
 * keeps loops after their thread is gone so the final summary still has them.
 *
 * A loop is identified by (tid, first_ns): the tid alone can come back as another thread. Loops
 * sit in a fixed array (views point into it) with an open-addressing index by tid that holds only
 * loops that have not exited.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
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
	char comm[LL_COMM_LEN];
	uint64_t first_ns;	/* the kernel's; 0 until a snapshot or the exit record tells */
	uint64_t new_ns;	/* when this entry was made */
	uint64_t last_ns;	/* latest activity known, for eviction */
	uint64_t sleep_ns;
	uint64_t exit_ns;
	uint64_t wakeups;
	uint64_t events;
	uint64_t timeouts;
	uint64_t full;
	uint64_t errors;
	uint64_t blocked_ns;
	uint64_t busy_ns;
	uint64_t stalls;
	uint64_t max_stall_ns;
	uint64_t rec_stalls;	/* stall records: ahead of the kernel's between snapshots */
	uint64_t rec_max_stall_ns;
	uint64_t snap_ns;	/* last snapshot that had this loop, and its wakeups then */
	uint64_t snap_wakeups;
	double wakeups_rate;
	int et_fds;
	int lt_fds;
	struct ll_hist blocked;
	struct ll_hist busy;
};

struct loops {
	ll_emit_fn emit;
	void *ctx;
	struct lp_loop *l;
	size_t nl, max_l;
	struct u64map index;	/* tid of loops that have not exited -> loop index + 1 */
	uint64_t prev_update_ns;
	struct lp_counters cnt;
};

static uint64_t lp_max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* ---- index of loops that have not exited ---- */

static uint32_t lp_index_val(const struct loops *lp, const struct lp_loop *l)
{
	return (uint32_t)(l - lp->l) + 1;
}

static struct lp_loop *lp_find(const struct loops *lp, uint32_t tid)
{
	uint32_t val = u64map_get(&lp->index, tid);

	return val ? &lp->l[val - 1] : NULL;
}

static void lp_index_put(struct loops *lp, const struct lp_loop *l)
{
	/* cannot fail: only loops in the array are indexed, and there are at most max_l of them */
	u64map_put(&lp->index, l->tid, lp_index_val(lp, l));
}

static void lp_index_del(struct loops *lp, const struct lp_loop *l)
{
	/* not if the tid is another entry's by now */
	if (u64map_get(&lp->index, l->tid) == lp_index_val(lp, l))
		u64map_del(&lp->index, l->tid);
}

/* ---- entries ---- */

static bool lp_is_dead(const struct lp_loop *l)
{
	return l->exited || !l->alive;
}

/*
 * Room for a loop worth `wakeups`: a free entry, else the dead loop idle longest, else the live
 * loop with the fewest wakeups if it has fewer than the newcomer. NULL when everything is busier:
 * the table then keeps the busiest loops instead of churning.
 */
static struct lp_loop *lp_alloc(struct loops *lp, uint64_t wakeups)
{
	struct lp_loop *victim = NULL, *l;
	size_t i;

	if (lp->nl < lp->max_l)
		return &lp->l[lp->nl++];
	for (i = 0; i < lp->nl; i++) {
		l = &lp->l[i];
		if (!victim || (lp_is_dead(l) && !lp_is_dead(victim)) ||
		    (lp_is_dead(l) == lp_is_dead(victim) &&
		     (lp_is_dead(l) ? l->last_ns < victim->last_ns : l->wakeups < victim->wakeups)))
			victim = l;
	}
	if (!lp_is_dead(victim) && victim->wakeups >= wakeups) {
		lp->cnt.dropped++;
		return NULL;
	}
	if (!victim->exited)
		lp_index_del(lp, victim);
	lp->cnt.evicted++;
	return victim;
}

static struct lp_loop *lp_create(struct loops *lp, uint32_t tgid, uint32_t tid, uint64_t ts_ns,
				 uint64_t wakeups)
{
	struct lp_loop *l = lp_alloc(lp, wakeups);

	if (!l)
		return NULL;
	memset(l, 0, sizeof(*l));
	l->alive = true;
	l->tgid = tgid;
	l->tid = tid;
	l->epfd = -1;
	l->et_fds = -1;
	l->lt_fds = -1;
	l->new_ns = ts_ns;
	l->last_ns = ts_ns;
	lp_index_put(lp, l);
	return l;
}

/* The thread behind this tid is gone without an exit record: keep its totals, free the tid. */
static void lp_retire(struct loops *lp, struct lp_loop *l)
{
	lp_index_del(lp, l);
	l->alive = false;
	l->wakeups_rate = 0;
}

static bool lp_same_loop(const struct lp_loop *l, const struct ll_loop_stats *st)
{
	return l->tgid == st->tgid && (!l->first_ns || l->first_ns == st->first_ns);
}

/* The entry for a kernel loop record, made (or made anew, if the tid was reused) as needed. */
static struct lp_loop *lp_get_for_stats(struct loops *lp, const struct ll_loop_stats *st,
					uint64_t ts_ns)
{
	struct lp_loop *l = lp_find(lp, st->tid);

	if (l && !lp_same_loop(l, st)) {
		lp_retire(lp, l);
		l = NULL;
	}
	return l ? l : lp_create(lp, st->tgid, st->tid, ts_ns, st->wakeups);
}

/* The entry for a ring buffer record about hdr's thread. */
static struct lp_loop *lp_get_for_hdr(struct loops *lp, const struct ll_hdr *hdr)
{
	struct lp_loop *l = lp_find(lp, hdr->tid);

	if (l && l->tgid != hdr->tgid) {
		lp_retire(lp, l);
		l = NULL;
	}
	return l ? l : lp_create(lp, hdr->tgid, hdr->tid, hdr->ts_ns, 0);
}

static void lp_set_comm(struct lp_loop *l, const char *comm)
{
	if (!comm[0])
		return;
	memcpy(l->comm, comm, LL_COMM_LEN);
	l->comm[LL_COMM_LEN - 1] = '\0';
}

/* Records and snapshots arrive in no fixed order: the latest wait state wins. */
static void lp_set_wait_state(struct lp_loop *l, uint64_t sleep_ns, uint64_t exit_ns)
{
	if (lp_max64(sleep_ns, exit_ns) < lp_max64(l->sleep_ns, l->exit_ns))
		return;
	l->sleep_ns = sleep_ns;
	l->exit_ns = exit_ns;
	l->last_ns = lp_max64(l->last_ns, lp_max64(sleep_ns, exit_ns));
}

static void lp_apply_stats(struct lp_loop *l, const struct ll_loop_stats *st)
{
	l->tgid = st->tgid;
	l->epfd = st->epfd;
	l->maxevents = st->maxevents;
	l->first_ns = st->first_ns;
	lp_set_comm(l, st->comm);
	l->wakeups = st->wakeups;
	l->events = st->events;
	l->timeouts = st->timeouts;
	l->full = st->full;
	l->errors = st->errors;
	l->blocked_ns = st->blocked_ns;
	l->busy_ns = st->busy_ns;
	l->stalls = st->stalls;
	l->max_stall_ns = st->max_stall_ns;
	lp_set_wait_state(l, st->sleep_ns, st->exit_ns);
	/* 2 x 256 slots once per interval: cheaper than knowing whether they changed */
	memset(&l->blocked, 0, sizeof(l->blocked));
	memset(&l->busy, 0, sizeof(l->busy));
	hist_add_slots(&l->blocked, st->blocked_hist, LL_HIST_SLOTS);
	hist_add_slots(&l->busy, st->busy_hist, LL_HIST_SLOTS);
}

/* Wakeups per second since the previous snapshot that had this loop, or since its first wait. */
static void lp_update_rate(struct lp_loop *l, uint64_t now_ns)
{
	uint64_t since = l->snap_ns ? l->snap_ns : l->first_ns;
	uint64_t base = l->snap_ns ? l->snap_wakeups : 0;

	if (since && now_ns > since && l->wakeups >= base)
		l->wakeups_rate = (double)(l->wakeups - base) * 1e9 / (double)(now_ns - since);
	else
		l->wakeups_rate = 0;
	l->snap_ns = now_ns;
	l->snap_wakeups = l->wakeups;
}

void lp_update(struct loops *lp, const struct ll_loop_stats *stats, size_t n, uint64_t now_ns)
{
	struct lp_loop *l;
	size_t i;

	for (i = 0; i < lp->nl; i++)
		lp->l[i].in_snap = false;
	for (i = 0; i < n; i++) {
		l = lp_get_for_stats(lp, &stats[i], now_ns);
		if (!l)
			continue;
		lp_apply_stats(l, &stats[i]);
		lp_update_rate(l, now_ns);
		l->alive = true;
		l->in_snap = true;
	}
	for (i = 0; i < lp->nl; i++) {
		l = &lp->l[i];
		if (l->in_snap || l->exited || !l->alive)
			continue;
		/* One made from a record since the last read may not have reached the map yet. */
		if (l->snap_ns || l->new_ns <= lp->prev_update_ns) {
			l->alive = false;
			l->wakeups_rate = 0;
		}
	}
	lp->prev_update_ns = now_ns;
}

/* ---- records ---- */

static void lp_emit(const struct loops *lp, struct ll_event *ev, const struct ll_hdr *hdr,
		    const char *comm)
{
	ev->ts_ns = hdr->ts_ns;
	ev->pid = hdr->tgid;
	ev->tid = hdr->tid;
	if (comm) {
		memcpy(ev->comm, comm, LL_COMM_LEN);
		ev->comm[LL_COMM_LEN - 1] = '\0';
	}
	lp->emit(lp->ctx, ev);
}

static void lp_on_new(struct loops *lp, const struct ll_loop_new *rec)
{
	struct lp_loop *l = lp_get_for_hdr(lp, &rec->hdr);

	if (!l)
		return;
	l->epfd = rec->epfd;
	l->maxevents = rec->maxevents;
	lp_set_comm(l, rec->comm);
}

static void lp_on_stall(struct loops *lp, const struct ll_stall *rec)
{
	struct ll_event ev = { .kind = EV_STALL };
	struct lp_loop *l = lp_get_for_hdr(lp, &rec->hdr);

	if (l) {
		l->rec_stalls++;
		l->rec_max_stall_ns = lp_max64(l->rec_max_stall_ns, rec->busy_ns);
		lp_set_comm(l, rec->comm);
		/* the busy period is over: the loop sleeps in its next wait, or that wait returned */
		if (rec->asleep)
			lp_set_wait_state(l, rec->hdr.ts_ns, l->exit_ns);
		else
			lp_set_wait_state(l, 0, rec->hdr.ts_ns);
	}
	if (!lp->emit)
		return;
	ev.stall.busy_us = rec->busy_ns / 1000;
	ev.stall.start_ns = rec->start_ns;
	lp_emit(lp, &ev, &rec->hdr, rec->comm);
}

static void lp_on_wakeup(struct loops *lp, const struct ll_wakeup *rec)
{
	struct ll_event ev = { .kind = EV_WAKEUP };
	struct lp_loop *l = lp_find(lp, rec->hdr.tid);

	/* Up to every epoll_wait return: never pay for a new entry here, the next snapshot will. */
	if (l && l->tgid != rec->hdr.tgid)
		l = NULL;
	if (l) {
		lp_set_wait_state(l, 0, rec->hdr.ts_ns);
		if (rec->epfd >= 0)
			l->epfd = rec->epfd;
	}
	if (!lp->emit)
		return;
	ev.wakeup.events = rec->events;
	ev.wakeup.blocked_us = rec->blocked_ns / 1000;
	ev.wakeup.busy_us = rec->busy_ns / 1000;
	lp_emit(lp, &ev, &rec->hdr, l ? l->comm : NULL);
}

static void lp_on_exit(struct loops *lp, const struct ll_loop_exit *rec)
{
	struct lp_loop *l = lp_get_for_stats(lp, &rec->stats, rec->hdr.ts_ns);

	if (!l)
		return;
	lp_apply_stats(l, &rec->stats);
	lp_index_del(lp, l);
	l->exited = true;
	l->alive = false;
	l->wakeups_rate = 0;
	l->last_ns = lp_max64(l->last_ns, rec->hdr.ts_ns);
}

void lp_handle(struct loops *lp, const struct ll_hdr *rec)
{
	switch (rec->type) {
	case LL_REC_LOOP_NEW:
		if (rec->size >= sizeof(struct ll_loop_new))
			lp_on_new(lp, (const struct ll_loop_new *)rec);
		break;
	case LL_REC_STALL:
		if (rec->size >= sizeof(struct ll_stall))
			lp_on_stall(lp, (const struct ll_stall *)rec);
		break;
	case LL_REC_WAKEUP:
		if (rec->size >= sizeof(struct ll_wakeup))
			lp_on_wakeup(lp, (const struct ll_wakeup *)rec);
		break;
	case LL_REC_LOOP_EXIT:
		if (rec->size >= sizeof(struct ll_loop_exit))
			lp_on_exit(lp, (const struct ll_loop_exit *)rec);
		break;
	default:
		break;
	}
}

int lp_set_fds(struct loops *lp, uint32_t tid, int et, int lt)
{
	struct lp_loop *l = lp_find(lp, tid);

	if (!l)
		return -ENOENT;
	l->et_fds = et;
	l->lt_fds = lt;
	return 0;
}

size_t lp_epfds(const struct loops *lp, struct lp_epfd *out, size_t max)
{
	const struct lp_loop *l;
	size_t i, n = 0;

	for (i = 0; i < lp->nl && n < max; i++) {
		l = &lp->l[i];
		if (lp_is_dead(l) || l->epfd < 0)
			continue;
		out[n++] = (struct lp_epfd){ .pid = l->tgid, .tid = l->tid, .epfd = l->epfd };
	}
	return n;
}

/* ---- views ---- */

/* The busy period the loop is in right now, if it is not waiting: a stall in progress. */
static uint64_t lp_busy_now_us(const struct lp_loop *l, uint64_t now_ns)
{
	if (lp_is_dead(l) || l->sleep_ns || !l->exit_ns || now_ns <= l->exit_ns)
		return 0;
	return (now_ns - l->exit_ns) / 1000;
}

static void lp_fill_view(const struct lp_loop *l, uint64_t now_ns, struct ll_loop_view *v)
{
	uint64_t total = l->busy_ns + l->blocked_ns;

	*v = (struct ll_loop_view){
		.pid = l->tgid,
		.tid = l->tid,
		.alive = !lp_is_dead(l),
		.wakeups = l->wakeups,
		.events = l->events,
		.timeouts = l->timeouts,
		.full = l->full,
		.errors = l->errors,
		.busy_pct = total ? (double)l->busy_ns * 100.0 / (double)total : 0,
		.blocked = &l->blocked,
		.busy = &l->busy,
		.stalls = lp_max64(l->stalls, l->rec_stalls),
		.max_stall_us = lp_max64(l->max_stall_ns, l->rec_max_stall_ns) / 1000,
		.busy_now_us = lp_busy_now_us(l, now_ns),
		.et_fds = l->et_fds,
		.lt_fds = l->lt_fds,
		.wakeups_rate = l->wakeups_rate,
	};
	memcpy(v->comm, l->comm, LL_COMM_LEN);
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
	struct ll_loop_view *all = out;
	size_t i;

	if (!max || !lp->nl)
		return 0;
	/* only the top max are wanted, but which ones needs all of them sorted */
	if (lp->nl > max) {
		all = malloc(lp->nl * sizeof(*all));
		if (!all)
			return 0;
	}
	for (i = 0; i < lp->nl; i++)
		lp_fill_view(&lp->l[i], now_ns, &all[i]);
	qsort(all, lp->nl, sizeof(*all), lp_view_cmp);
	if (all != out) {
		memcpy(out, all, max * sizeof(*out));
		free(all);
		return max;
	}
	return lp->nl;
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

/* ---- life cycle ---- */

struct loops *lp_new(const struct lp_config *cfg)
{
	size_t max_l = cfg->max_loops ? cfg->max_loops : LP_DEFAULT_LOOPS;
	struct loops *lp;

	if (max_l > UINT32_MAX / 2) {
		errno = EINVAL;
		return NULL;
	}
	lp = calloc(1, sizeof(*lp));
	if (!lp)
		return NULL;
	lp->emit = cfg->emit;
	lp->ctx = cfg->ctx;
	lp->max_l = max_l;
	lp->l = calloc(max_l, sizeof(*lp->l));
	if (!lp->l || u64map_init(&lp->index, max_l)) {
		lp_free(lp);
		errno = ENOMEM;
		return NULL;
	}
	return lp;
}

void lp_free(struct loops *lp)
{
	if (!lp)
		return;
	free(lp->l);
	u64map_fini(&lp->index);
	free(lp);
}
