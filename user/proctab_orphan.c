// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The process table: orphans and adopters.
 * The data model: proctab_int.h.
 */
#include "proctab_int.h"

/* ---- orphans ---------------------------------------------------------------------------- */

/* An orphan stops counting as a living orphan of its adopter. */
void orphan_leave_group(struct proctab *pt, uint32_t i)
{
	struct pt_proc *e = &pt->procs[i];
	struct pt_group *g = grp(pt, e->ogroup);

	if (g && (e->flags & PF_ORPHAN))
		g->alive--;
	group_unref(pt, e->ogroup);
	e->ogroup = PT_NONE;
}

void orphan_stop_waiting(struct proctab *pt, uint32_t i)
{
	struct pt_proc *e = &pt->procs[i];

	if (e->flags & PF_HAND_WAIT) {
		list_del(pt, &pt->hand_wait, OFF_SIDE, i);
		pt->nhand--;
		e->flags &= ~PF_HAND_WAIT;
	}

	if (!(e->flags & PF_ADOPT_WAIT))
		return;
	list_del(pt, &pt->adopt_wait, OFF_SIDE, i);
	pt->nwait--;
	e->flags &= ~PF_ADOPT_WAIT;
}

/* The parent of living entry i died at ts: it waits for its adopter to be known. */
void orphan_mark(struct proctab *pt, uint32_t i, uint32_t p, uint64_t ts)
{
	struct pt_proc *e = &pt->procs[i];

	if (e->flags & PF_ORPHAN)
		orphan_leave_group(pt, i);	/* its adopter died too: orphaned again */
	else
		pt->tot.orphans_now++;
	orphan_stop_waiting(pt, i);
	e->flags |= PF_ORPHAN | PF_ADOPT_WAIT;
	e->old_ppid = pt->procs[p].pid;
	comm_set(e->old_parent_comm, pt->procs[p].comm);
	e->orphan_since = ts;
	e->ppid = 0;
	list_add_tail(pt, &pt->adopt_wait, OFF_SIDE, i);
	pt->nwait++;
}

/* Adopter known: report the orphan and count it in the adopter's group. */
static void orphan_adopted(struct proctab *pt, uint32_t i, uint32_t adopter, const char *comm)
{
	struct pt_proc *e = &pt->procs[i];
	struct pt_group *g = NULL;
	struct ll_event ev;
	uint32_t a, gi = PT_NONE;

	e->ppid = adopter;
	a = proc_get(pt, adopter, comm);
	if (a != PT_NONE && a != i) {
		if (e->state == PT_ALIVE && pt->procs[a].state == PT_ALIVE)
			proc_link_parent(pt, i, a);
		gi = group_of(pt, a);
	}
	g = grp(pt, gi);
	if (g) {
		g->adopted++;
		if (e->flags & PF_ORPHAN)
			g->alive++;
		group_ref(pt, gi);
		e->ogroup = gi;
	}

	ev_init(&ev, EV_ORPHAN, e->orphan_since, e->pid, 0, adopter, e->comm);
	ev.orphan.old_ppid = e->old_ppid;
	comm_set(ev.orphan.old_parent_comm, comm_or_unknown(e->old_parent_comm));
	ev.orphan.adopter_pid = adopter;
	emit(pt, &ev);
}

void orphan_resolve(struct proctab *pt, uint32_t i, uint32_t adopter, const char *comm)
{
	orphan_stop_waiting(pt, i);
	orphan_adopted(pt, i, adopter, comm);
}

/* It exited still under the parent we took for dead: it was never reparented. */
void orphan_cancel(struct proctab *pt, uint32_t i)
{
	struct pt_proc *e = &pt->procs[i];

	orphan_stop_waiting(pt, i);
	e->flags &= ~PF_ORPHAN;
	e->ppid = e->old_ppid;
	pt->tot.orphans_now--;
}

void orphan_exited(struct proctab *pt, uint32_t i, uint64_t ts)
{
	struct pt_proc *e = &pt->procs[i];
	struct pt_group *g = grp(pt, e->ogroup);
	uint64_t us = span_us(e->orphan_since, ts);

	if (g) {
		g->alive--;
		g->exited++;
		if (us != LL_UNKNOWN && group_ohists(g))
			hist_add(&g->oh->lifetime, us);
		group_touch(pt, g);
	}
	e->flags &= ~PF_ORPHAN;
	e->flags |= PF_ZORPHAN;
	pt->tot.orphans_now--;
}

/*
 * Child i exited under its adopter before its parent p's exit record arrived (records from two
 * CPUs): now that p's exit is here, it is an orphan that lived from p's exit to its own.
 */
static void orphan_reparented_zombie(struct proctab *pt, uint32_t i, uint32_t p, uint64_t ts)
{
	struct pt_proc *e = &pt->procs[i];
	struct pt_group *g;
	uint64_t us;

	e->flags &= ~PF_REPARENTED;
	e->old_ppid = pt->procs[p].pid;
	comm_set(e->old_parent_comm, pt->procs[p].comm);
	e->orphan_since = ts;
	orphan_adopted(pt, i, e->zparent, NULL);
	g = grp(pt, e->ogroup);
	if (!g)
		return;
	g->exited++;
	us = span_us(ts, e->exit_ns);
	if (us != LL_UNKNOWN && group_ohists(g))
		hist_add(&g->oh->lifetime, us);
}

/*
 * Zombie i outlived its parent p, which never reaped it: the kernel hands it to an adopter, in
 * whose group it counts from now on; p's group remembers that it left it behind.
 */
static void zombie_hand_over(struct proctab *pt, uint32_t i, uint32_t p)
{
	struct pt_proc *e = &pt->procs[i];
	struct pt_group *g = grp(pt, e->zgroup);

	if (g)
		g->abandoned++;
	zombie_leave_group(pt, i);
	e->flags |= PF_HANDED | PF_ZORPHAN | PF_HAND_WAIT;
	e->old_ppid = pt->procs[p].pid;
	e->ppid = 0;
	list_add_tail(pt, &pt->hand_wait, OFF_SIDE, i);
	pt->nhand++;
}

/* The adopter of a handed zombie is known (from /proc, or because it reaped it). */
void zombie_adopted(struct proctab *pt, uint32_t i, uint32_t adopter, const char *comm)
{
	uint32_t a;

	orphan_stop_waiting(pt, i);
	pt->procs[i].ppid = adopter;
	a = proc_get(pt, adopter, comm);
	if (a != PT_NONE && a != i)
		zombie_enter_group(pt, i, group_of(pt, a));
}

/* Living children (and children already reparented) that the exit of p leaves behind. */
unsigned int orphans_of(const struct proctab *pt, uint32_t p)
{
	unsigned int n = 0;
	uint32_t c;

	for (c = pt->procs[p].kids.head; c != PT_NONE; c = pt->procs[c].sib.next)
		if (pt->procs[c].state == PT_ALIVE || (pt->procs[c].flags & PF_REPARENTED))
			n++;
	return n;
}

void orphan_children(struct proctab *pt, uint32_t p, uint64_t ts)
{
	struct pt_proc *c;
	uint32_t i;

	while ((i = pt->procs[p].kids.head) != PT_NONE) {
		proc_unlink_parent(pt, i);
		c = &pt->procs[i];
		c->pin = pt->seq;	/* finding its adopter may need a new entry */
		if (c->state == PT_ALIVE)
			orphan_mark(pt, i, p, ts);
		else if (c->flags & PF_REPARENTED)
			orphan_reparented_zombie(pt, i, p, ts);
		else
			zombie_hand_over(pt, i, p);
	}
}
