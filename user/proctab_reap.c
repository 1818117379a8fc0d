// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The process table: zombie groups, reaps, the join queues (pend/stale), the recent ring, the
 * /proc verification.
 * The data model: proctab_int.h.
 */
#include "proctab_int.h"

/* ---- recently released processes -------------------------------------------------------- */

void recent_add(struct proctab *pt, const struct pt_proc *e, uint64_t ts, enum pt_gone why)
{
	struct pt_recent *r = &pt->recent[pt->recent_pos++ % PT_RECENT_MAX];

	r->pid = e->pid;
	r->start_ns = e->start_ns;
	r->ts = ts;
	r->why = why;
}

/* A record about (pid, start) arrived after that process was released. */
bool recent_has_start(const struct proctab *pt, uint32_t pid, uint64_t start)
{
	unsigned int k;

	if (start == LL_UNKNOWN)
		return false;
	for (k = 0; k < PT_RECENT_MAX; k++)
		if (pt->recent[k].pid == pid && pt->recent[k].start_ns == start)
			return true;
	return false;
}

/* A wait reap of pid at ts duplicates a release we made without seeing a wait. */
bool recent_released_unwaited(const struct proctab *pt, uint32_t pid, uint64_t ts)
{
	const struct pt_recent *r;
	unsigned int k;

	for (k = 0; k < PT_RECENT_MAX; k++) {
		r = &pt->recent[k];
		if (r->pid != pid || (r->why != PT_GONE_FREED && r->why != PT_GONE_CLOSED))
			continue;
		if (ts + pt->cfg.join_ns >= r->ts && ts <= r->ts + pt->cfg.join_ns)
			return true;
	}
	return false;
}

/* ---- zombies and reaps ------------------------------------------------------------------ */

void zombie_enter_group(struct proctab *pt, uint32_t i, uint32_t gi)
{
	struct pt_proc *e = &pt->procs[i];
	struct pt_group *g = grp(pt, gi);
	uint32_t pos;

	if (!g)
		return;
	e->zgroup = gi;
	group_ref(pt, gi);
	g->now++;
	if (e->flags & PF_HANDED) {
		g->handed_now++;	/* its exit flags are of the parent that died */
	} else {
		g->zexits++;
		if (e->exit_flags & LL_EXIT_SIGCHLD_BLOCKED)
			g->blocked_exits++;
		if ((e->exit_flags & LL_EXIT_SIGCHLD_IGN) && !(e->exit_flags & LL_EXIT_AUTOREAP))
			g->ignored_exits++;
	}
	if (e->flags & PF_ZORPHAN)
		g->orphans_now++;
	/* Exits come nearly in order: walk back from the tail past later ones. */
	for (pos = g->zombies.tail; pos != PT_NONE; pos = pt->procs[pos].side.prev)
		if (zombie_key(&pt->procs[pos]) <= zombie_key(e))
			break;
	list_insert_after(pt, &g->zombies, OFF_SIDE, pos, i);
	group_touch(pt, g);
}

void zombie_leave_group(struct proctab *pt, uint32_t i)
{
	struct pt_proc *e = &pt->procs[i];
	struct pt_group *g = grp(pt, e->zgroup);

	if (!g)
		return;
	list_del(pt, &g->zombies, OFF_SIDE, i);
	g->now--;
	if (e->flags & PF_ZORPHAN)
		g->orphans_now--;
	if (e->flags & PF_HANDED)
		g->handed_now--;
	group_touch(pt, g);
	group_unref(pt, e->zgroup);
	e->zgroup = PT_NONE;
}

void reap_event(struct proctab *pt, const struct pt_proc *e, uint64_t ts, uint32_t tid,
		uint32_t reaper, uint64_t zombie_us, enum ll_how how, bool orphan)
{
	struct ll_event ev;
	uint32_t r = reaper ? proc_find_current(pt, reaper) : PT_NONE;

	ev_init(&ev, EV_REAP, ts, e->pid, tid, e->zparent ? e->zparent : e->ppid, e->comm);
	ev.ns_pid = e->ns_pid;
	ev.reap.reaper_pid = reaper;
	comm_set(ev.reap.reaper_comm, comm_or_unknown(r == PT_NONE ? NULL : pt->procs[r].comm));
	ev.reap.zombie_us = zombie_us;
	ev.reap.how = how;
	ev.reap.orphan = orphan;
	ev.reap.status_known = e->exit_ns != LL_UNKNOWN;
	ev.reap.status = e->status;
	emit(pt, &ev);
}

/* Zombie i was reaped at ts by reaper (0: not known). */
void reap_zombie(struct proctab *pt, uint32_t i, uint32_t reaper, uint32_t tid,
		 enum ll_how how, uint64_t ts)
{
	struct pt_proc *e = &pt->procs[i];
	struct pt_group *g;

	if ((e->flags & PF_HAND_WAIT) && reaper)
		zombie_adopted(pt, i, reaper, NULL);
	g = grp(pt, e->zgroup);
	struct pt_group *og = grp(pt, e->ogroup);
	uint64_t us = span_us(e->exit_ns, ts);
	bool orphan = reaper && e->orig_ppid && reaper != e->orig_ppid;

	if (g) {
		g->reaped++;
		if (us != LL_UNKNOWN)
			hist_add(&g->lifetime, us);
		if (reaper == g->pid)
			g->by_parent++;
		if (orphan)
			g->by_adopter++;
		group_touch(pt, g);
	}
	if (og && us != LL_UNKNOWN && group_ohists(og))
		hist_add(&og->oh->reap, us);
	pt->tot.reaps++;
	reap_event(pt, e, ts, tid, reaper, us, how, orphan);
	recent_add(pt, e, ts, how == HOW_FREE ? PT_GONE_FREED : PT_GONE_REAPED);
	proc_release(pt, i);
}

/*
 * A reap that never met its exit. If we hold the process as living, its exit record was lost:
 * close it. Otherwise it is a process we never knew (it predates us, or its records were lost).
 */
static void reap_unjoined(struct proctab *pt, const struct pt_pend *p)
{
	uint32_t parent, i = proc_find_alive(pt, p->pid);
	struct pt_proc ghost, *e;
	struct pt_group *g = NULL;

	/* A living entry started after the reap is a newer process with that pid. */
	if (i != PT_NONE && pt->procs[i].start_ns != LL_UNKNOWN && pt->procs[i].start_ns > p->ts)
		i = PT_NONE;
	if (i != PT_NONE) {
		e = &pt->procs[i];
		e->pin = pt->seq;
		if ((e->flags & PF_ADOPT_WAIT) && p->reaper && p->reaper != e->old_ppid)
			orphan_resolve(pt, i, p->reaper, NULL);
		if (e->flags & PF_ORPHAN)
			orphan_exited(pt, i, LL_UNKNOWN);	/* when, we cannot know */
		parent = e->parent != PT_NONE ? e->parent : proc_get(pt, e->ppid, NULL);
		g = grp(pt, parent == PT_NONE ? PT_NONE : group_of(pt, parent));
		if (g) {
			g->reaped++;
			if (p->reaper == g->pid)
				g->by_parent++;
			group_touch(pt, g);
		}
		e->zparent = e->ppid;
		pt->tot.reaps++;
		pt->tot.incomplete++;
		reap_event(pt, e, p->ts, p->tid, p->reaper, LL_UNKNOWN, p->how,
			   p->reaper && e->orig_ppid && p->reaper != e->orig_ppid);
		recent_add(pt, e, p->ts, PT_GONE_REAPED);
		proc_release(pt, i);
		return;
	}
	memset(&ghost, 0, sizeof(ghost));
	ghost.pid = p->pid;
	ghost.start_ns = LL_UNKNOWN;
	pt->tot.reaps++;
	if (pt->lossy)
		pt->tot.incomplete++;
	reap_event(pt, &ghost, p->ts, p->tid, p->reaper, LL_UNKNOWN, p->how, false);
}

static void pend_remove(struct proctab *pt, uint32_t k)
{
	pt->npend--;
	memmove(&pt->pend[k], &pt->pend[k + 1], (pt->npend - k) * sizeof(pt->pend[0]));
}

void pend_add(struct proctab *pt, uint32_t pid, uint32_t reaper, uint32_t tid,
	      uint32_t how, uint64_t ts)
{
	struct pt_pend *p;

	if (pt->npend == PT_PEND_MAX) {
		struct pt_pend old = pt->pend[0];

		pend_remove(pt, 0);
		reap_unjoined(pt, &old);
	}
	p = &pt->pend[pt->npend++];
	p->pid = pid;
	p->reaper = reaper;
	p->tid = tid;
	p->how = how;
	p->ts = ts;
}

/* Zombie i has just exited: a reap of it that arrived first can be joined now. */
void pend_join(struct proctab *pt, uint32_t i)
{
	uint32_t pid = pt->procs[i].pid, k = 0;
	struct pt_pend p;

	while (k < pt->npend) {
		if (pt->pend[k].pid != pid) {
			k++;
			continue;
		}
		p = pt->pend[k];
		pend_remove(pt, k);
		if (p.ts >= pt->procs[i].exit_ns) {
			reap_zombie(pt, i, p.reaper, p.tid, p.how, p.ts);
			return;
		}
		reap_unjoined(pt, &p);	/* reaped before this exit: an older process */
	}
}

void pend_flush_due(struct proctab *pt, uint64_t now)
{
	struct pt_pend p;

	while (pt->npend && pt->pend[0].ts + pt->cfg.join_ns <= now) {
		p = pt->pend[0];
		pend_remove(pt, 0);
		reap_unjoined(pt, &p);
	}
}

static void stale_remove(struct proctab *pt, uint32_t k)
{
	pt->nstale--;
	memmove(&pt->stale[k], &pt->stale[k + 1], (pt->nstale - k) * sizeof(pt->stale[0]));
}

static void stale_close(struct proctab *pt, const struct pt_stale *s)
{
	if (pt->procs[s->idx].gen == s->gen && pt->procs[s->idx].state == PT_ZOMBIE)
		proc_close_incomplete(pt, s->idx);
}

void stale_add(struct proctab *pt, uint32_t i)
{
	struct pt_stale *s;

	if (pt->nstale == PT_STALE_MAX) {
		struct pt_stale old = pt->stale[0];

		stale_remove(pt, 0);
		stale_close(pt, &old);
	}
	s = &pt->stale[pt->nstale++];
	s->idx = i;
	s->gen = pt->procs[i].gen;
	s->deadline = pt->now_ns + pt->cfg.join_ns;
}

void stale_flush_due(struct proctab *pt, uint64_t now)
{
	struct pt_stale s;

	while (pt->nstale && pt->stale[0].deadline <= now) {
		s = pt->stale[0];
		stale_remove(pt, 0);
		stale_close(pt, &s);
	}
}

/* Zombies old enough to ask /proc about: out of the join window, or all of them (the end). */
static bool zombie_verifiable(const struct proctab *pt, const struct pt_proc *e, uint64_t now_ns,
			      bool all)
{
	if (e->state != PT_ZOMBIE)
		return false;
	if (e->exit_ns == LL_UNKNOWN)
		return true;
	if (e->exit_ns > now_ns)
		return false;	/* exited after /proc was read */
	return all || e->exit_ns + pt->cfg.join_ns <= now_ns;
}

size_t pt_zombies_to_verify(const struct proctab *pt, uint64_t now_ns, bool all, uint32_t *pids,
			    size_t max)
{
	size_t n = 0;
	uint32_t i;

	for (i = 0; i < pt->hiwat; i++) {
		if (!zombie_verifiable(pt, &pt->procs[i], now_ns, all))
			continue;
		if (n < max)
			pids[n] = pt->procs[i].pid;
		n++;
	}
	return n;
}

void pt_verify(struct proctab *pt, uint64_t read_ns, bool all, const struct pt_seen *seen,
	       size_t n)
{
	uint32_t i, next;
	size_t k;

	pt->seq++;
	/* A closure happens at the read: a reap made before it and delivered late must find it. */
	if (read_ns > pt->now_ns)
		pt->now_ns = read_ns;
	for (k = 0; k < n; k++) {
		if (seen[k].zombie)
			continue;
		for (i = chain_head(pt, seen[k].pid); i != PT_NONE; i = next) {
			next = pt->procs[i].hnext;
			if (pt->procs[i].pid != seen[k].pid ||
			    !zombie_verifiable(pt, &pt->procs[i], read_ns, all))
				continue;
			if (!pt->lossy)
				pt->tot.unseen++;	/* its reap was not traced at all */
			proc_close_incomplete(pt, i);
		}
	}
}
