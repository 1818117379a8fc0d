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
#include "loops_priv.h"

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

static uint64_t lp_state_since(const struct lp_loop *l)
{
	return lp_max64(l->state_ns, l->stretch_start_ns);
}

/* Records and snapshots arrive in no fixed order: the latest state wins. */
static void lp_set_state(struct lp_loop *l, const struct ll_loop_stats *st)
{
	if (lp_max64(st->state_ns, st->stretch_start_ns) < lp_state_since(l))
		return;
	l->state = st->state < LL_LS_NR ? st->state : LL_LS_BUSY;
	l->state_ns = st->state_ns;
	l->sleep_nr = st->sleep_nr;
	l->flags = st->flags;
	l->stretch_start_ns = st->stretch_start_ns;
	l->last_ns = lp_max64(l->last_ns, lp_state_since(l));
}

/*
 * A stall record, ahead of the next snapshot: the stretch ended at ts, asleep in the next wait
 * or (calls mode) at a return, where the next one began. The time up to ts is closed as the
 * kernel closed it, so totals read in between never go back.
 */
static void lp_stretch_ended(struct lp_loop *l, uint64_t ts, bool asleep)
{
	if (ts < lp_state_since(l))
		return;
	if (l->state_ns && ts > l->state_ns)
		l->time_ns[l->state] += ts - l->state_ns;
	l->state_ns = ts;
	if (asleep) {
		l->state = LL_LS_IDLE;
		l->flags &= ~LL_LOOP_STRETCH;
	} else {
		l->state = LL_LS_BUSY;	/* it returned: it runs */
		l->flags |= LL_LOOP_STRETCH;
		l->stretch_start_ns = ts;
	}
	l->last_ns = lp_max64(l->last_ns, ts);
}

/* What each u32 slot grew by since the last snapshot (mod 2^32: right across a wrap). */
static void lp_add_slot_growth(struct ll_hist *h, __u32 *raw, const __u32 *now)
{
	unsigned int i;

	for (i = 0; i < LL_HIST_SLOTS; i++) {
		hist_add_slot_count(h, i, (__u32)(now[i] - raw[i]));
		raw[i] = now[i];
	}
}

static void lp_apply_stats(struct lp_loop *l, const struct ll_loop_stats *st)
{
	l->tgid = st->tgid;
	l->epfd = st->epfd;
	l->maxevents = st->maxevents;
	l->wait = st->wait;
	l->first_ns = st->first_ns;
	lp_set_comm(l, st->comm);
	memcpy(l->time_ns, st->time_ns, sizeof(l->time_ns));
	memcpy(l->sys, st->sys, sizeof(l->sys));
	l->waits = st->waits;
	l->wakeups = st->wakeups;
	l->events = st->events;
	l->timeouts = st->timeouts;
	l->full = st->full;
	l->errors = st->errors;
	l->stalls = st->stalls;
	l->max_stall_ns = st->max_stall_ns;
	l->unseen = st->unseen;
	lp_set_state(l, st);
	lp_add_slot_growth(&l->blocked, l->raw_blocked, st->blocked_hist);
	lp_add_slot_growth(&l->busy, l->raw_busy, st->busy_hist);
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
	l->wait = rec->wait;
	lp_set_comm(l, rec->comm);
}

static void lp_on_stall(struct loops *lp, const struct ll_stall *rec)
{
	struct ll_event ev = { .kind = EV_STALL };
	struct lp_loop *l = lp_get_for_hdr(lp, &rec->hdr);

	if (l) {
		ev.stall.wait = l->wait;
		l->rec_stalls++;
		l->rec_max_stall_ns = lp_max64(l->rec_max_stall_ns, rec->busy_ns);
		lp_set_comm(l, rec->comm);
		lp_stretch_ended(l, rec->hdr.ts_ns, rec->asleep);
	}
	if (!lp->emit)
		return;
	ev.stall.busy_us = rec->busy_ns / 1000;
	ev.stall.start_ns = rec->start_ns;
	if (rec->hdr.size >= sizeof(*rec)) {
		ev.stall.parts_known = true;
		ev.stall.oncpu_us = rec->oncpu_ns / 1000;
		ev.stall.offcpu_us = rec->offcpu_ns / 1000;
		ev.stall.runq_us = rec->runq_ns / 1000;
		ev.stall.syscall = rec->syscall;
	}
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
		l->last_ns = lp_max64(l->last_ns, rec->hdr.ts_ns);
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

/* rec was checked by ll_decode (dispatch.c): its size is its type's. */
void lp_handle(struct loops *lp, const struct ll_hdr *rec)
{
	switch (rec->type) {
	case LL_REC_LOOP_NEW:
		lp_on_new(lp, (const struct ll_loop_new *)rec);
		break;
	case LL_REC_STALL:
		lp_on_stall(lp, (const struct ll_stall *)rec);
		break;
	case LL_REC_WAKEUP:
		lp_on_wakeup(lp, (const struct ll_wakeup *)rec);
		break;
	case LL_REC_LOOP_EXIT:
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
	lp->calls = cfg->calls;
	lp->max_l = max_l;
	lp->l = calloc(max_l, sizeof(*lp->l));
	lp->merged = calloc(2 * max_l, sizeof(*lp->merged));
	if (!lp->l || !lp->merged || u64map_init(&lp->index, max_l)) {
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
	free(lp->merged);
	u64map_fini(&lp->index);
	free(lp);
}
