// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The process table: the record handlers (fork/exec/exit/reap/sigchld), seed, lost, tick and
 * the adopters read from /proc.
 * The data model: proctab_int.h.
 */
#include "proctab_int.h"

/* ---- record handlers -------------------------------------------------------------------- */

/* Link living entry i under its parent; a parent already dead in the table makes it an orphan. */
static void proc_set_parent(struct proctab *pt, uint32_t i, uint32_t ppid, const char *pcomm)
{
	struct pt_proc *e = &pt->procs[i];
	uint32_t p;

	proc_unlink_parent(pt, i);
	e->ppid = ppid;
	if (!e->orig_ppid)
		e->orig_ppid = ppid;
	p = proc_get(pt, ppid, pcomm);
	if (p == PT_NONE || p == i || e->state != PT_ALIVE)
		return;
	if (pt->procs[p].state == PT_ZOMBIE && pt->procs[p].exit_ns != LL_UNKNOWN)
		orphan_mark(pt, i, p, pt->procs[p].exit_ns);
	else
		proc_link_parent(pt, i, p);
}

/* The vfork's parent is suspended from the fork until the child's first exec or exit. */
static void vfork_start(struct proctab *pt, uint32_t i, const struct ll_fork *r)
{
	uint32_t p = proc_get(pt, r->ppid, r->ppid == r->hdr.tgid ? r->comm : NULL);
	uint32_t gi = p != PT_NONE && p != i ? group_of(pt, p) : PT_NONE;

	if (gi != PT_NONE)
		pt->groups[gi]->vforks++;
	if (pt->procs[i].state == PT_ALIVE)
		pt->procs[i].vfork_ns = r->hdr.ts_ns;
}

/* How long the vfork parent of entry i (PT_NONE: none known) waited; LL_UNKNOWN if not one. */
static uint64_t vfork_end(struct proctab *pt, uint32_t i, uint64_t ts)
{
	uint64_t since;

	if (i == PT_NONE || !pt->procs[i].vfork_ns)
		return LL_UNKNOWN;
	since = pt->procs[i].vfork_ns;
	pt->procs[i].vfork_ns = 0;
	return since <= ts ? span_us(since, ts) : LL_UNKNOWN;
}

static void handle_fork(struct proctab *pt, const struct ll_fork *r)
{
	const struct ll_hdr *h = &r->hdr;
	struct ll_event ev;
	struct pt_proc *e;
	bool created;
	uint32_t i;

	if (!r->pid || r->pid == h->tgid)
		return;		/* a thread of the forking process, not a process */
	pt->tot.forks++;
	i = proc_subject(pt, r->pid, r->start_ns, &created);
	if (i != PT_NONE) {
		e = &pt->procs[i];
		if (!e->comm[0])
			comm_set(e->comm, r->comm);
		proc_learn_ns_pid(pt, i, r->ns_pid);
		proc_learn_ns_pid(pt, proc_get(pt, r->ppid, NULL), r->parent_ns_pid);
		/* Its exec or exit may have come first: link only a living, unlinked child. */
		if (e->state == PT_ALIVE && e->parent == PT_NONE && !(e->flags & PF_ORPHAN))
			proc_set_parent(pt, i, r->ppid, r->ppid == h->tgid ? r->comm : NULL);
		e->orig_ppid = r->ppid;
		proc_confirm(pt, i);
		if (r->how == LL_FORK_VFORK)
			vfork_start(pt, i, r);
	}
	ev_init(&ev, EV_FORK, h->ts_ns, r->pid, h->tid, r->ppid, r->comm);
	ev.fork.how = r->how;
	ev.fork.shares = r->shares;
	ev.ns_pid = r->ns_pid;
	emit(pt, &ev);
}

static void handle_exec(struct proctab *pt, const struct ll_exec *r)
{
	const struct ll_hdr *h = &r->hdr;
	char filename[LL_FILENAME_LEN];
	struct ll_event ev;
	struct pt_proc *e;
	bool created;
	uint32_t i, gi;

	i = proc_subject(pt, h->tgid, r->start_ns, &created);
	pt->tot.execs++;
	if (i != PT_NONE) {
		e = &pt->procs[i];
		comm_set(e->comm, r->comm);
		gi = group_find(pt, e->pid, e->start_ns);
		if (gi != PT_NONE)
			comm_set(pt->groups[gi]->comm, e->comm);
		if (e->state == PT_ALIVE && e->parent == PT_NONE && !(e->flags & PF_ORPHAN))
			proc_set_parent(pt, i, r->ppid, NULL);
		if ((e->flags & PF_ADOPT_WAIT) && r->ppid && r->ppid != e->old_ppid)
			orphan_resolve(pt, i, r->ppid, NULL);
		proc_confirm(pt, i);
	}

	/* ll_decode checked it: filename_len < LL_FILENAME_LEN, args_len <= LL_ARGS_LEN. */
	memcpy(filename, r->filename, r->filename_len);
	filename[r->filename_len] = '\0';

	ev_init(&ev, EV_EXEC, h->ts_ns, h->tgid, h->tid, r->ppid, r->comm);
	ev.exec.filename = filename;
	ev.exec.args = r->args;
	ev.exec.args_len = r->args_len;
	ev.exec.truncated = r->args_truncated;
	ev.exec.vfork_wait_us = vfork_end(pt, i, h->ts_ns);
	ev.exec.vfork_child = ev.exec.vfork_wait_us != LL_UNKNOWN;
	emit(pt, &ev);
}

static void exit_event(struct proctab *pt, const struct ll_exit *r, unsigned int orphaned,
		       uint64_t vfork_wait_us)
{
	const struct ll_hdr *h = &r->hdr;
	uint64_t start = r->start_ns ? r->start_ns : LL_UNKNOWN;
	struct ll_event ev;

	ev_init(&ev, EV_EXIT, h->ts_ns, h->tgid, h->tid, r->ppid, r->comm);
	ev.ns_pid = r->ns_pid;
	ev.exit.status = r->exit_code;
	ev.exit.age_us = start <= h->ts_ns ? span_us(start, h->ts_ns) : LL_UNKNOWN;
	ev.exit.zombie = !(r->flags & LL_EXIT_AUTOREAP);
	ev.exit.orphaned = orphaned;
	ev.exit.vfork_wait_us = vfork_wait_us;
	ev.exit.vfork_child = vfork_wait_us != LL_UNKNOWN;
	emit(pt, &ev);
}

/* Orphan bookkeeping of the exiting process itself, from the parent its exit record names. */
static void exit_settle_orphan(struct proctab *pt, uint32_t i, const struct ll_exit *r)
{
	struct pt_proc *e = &pt->procs[i];

	if (e->flags & PF_ADOPT_WAIT) {
		if (r->ppid == e->old_ppid)
			orphan_cancel(pt, i);
		else
			orphan_resolve(pt, i, r->ppid, r->parent_comm);
	} else if (!(e->flags & PF_ORPHAN) && e->parent != PT_NONE && r->ppid != e->ppid &&
		   pt->procs[e->parent].state == PT_ALIVE) {
		/* Reparented, but its parent's exit record is still on another CPU's way. */
		e->flags |= PF_REPARENTED | PF_ZORPHAN;
	}
	if (e->flags & PF_ORPHAN)
		orphan_exited(pt, i, r->hdr.ts_ns);
}

static void exit_autoreap(struct proctab *pt, uint32_t i, const struct ll_exit *r, uint32_t gi)
{
	struct pt_proc *e = &pt->procs[i];
	struct pt_group *g = grp(pt, gi);
	struct pt_group *og = grp(pt, e->ogroup);

	if (g) {
		g->autoreaped++;
		group_touch(pt, g);
	}
	if (og && group_ohists(og))
		hist_add(&og->oh->reap, 0);
	pt->tot.autoreaped++;
	reap_event(pt, e, r->hdr.ts_ns, 0, r->ppid, 0, HOW_AUTOREAP,
		   r->ppid && e->orig_ppid && r->ppid != e->orig_ppid);
	recent_add(pt, e, r->hdr.ts_ns, PT_GONE_REAPED);
	proc_release(pt, i);
}

static void exit_to_zombie(struct proctab *pt, uint32_t i, const struct ll_exit *r, uint32_t gi)
{
	struct pt_proc *e = &pt->procs[i];

	e->state = PT_ZOMBIE;
	proc_set_age(pt, i, PT_AGE_DEAD);
	pt->tot.zombies_now++;
	zombie_enter_group(pt, i, gi);
	pend_join(pt, i);
}

/* A zombie seeded from /proc whose exit record was still queued: now its exit time is known. */
static void zombie_learn_exit(struct proctab *pt, uint32_t i, const struct ll_exit *r)
{
	struct pt_proc *e = &pt->procs[i];
	struct pt_group *g = grp(pt, e->zgroup);
	uint32_t pos;

	pt->tot.exits++;
	e->exit_ns = r->hdr.ts_ns;
	e->status = r->exit_code;
	e->exit_flags = r->flags;
	comm_set(e->comm, r->comm);
	if (g) {
		/* It sorted first as "exited before we started": move it to its exit time. */
		list_del(pt, &g->zombies, OFF_SIDE, i);
		for (pos = g->zombies.tail; pos != PT_NONE; pos = pt->procs[pos].side.prev)
			if (zombie_key(&pt->procs[pos]) <= zombie_key(e))
				break;
		list_insert_after(pt, &g->zombies, OFF_SIDE, pos, i);
		if (r->flags & LL_EXIT_SIGCHLD_BLOCKED)
			g->blocked_exits++;
	}
	exit_event(pt, r, 0, LL_UNKNOWN);
	pend_join(pt, i);
}

static void handle_exit(struct proctab *pt, const struct ll_exit *r)
{
	const struct ll_hdr *h = &r->hdr;
	struct pt_proc *e;
	bool created;
	uint32_t i, p, gi = PT_NONE;

	i = proc_subject(pt, h->tgid, r->start_ns, &created);
	if (i != PT_NONE && pt->procs[i].state == PT_ZOMBIE) {
		if (pt->procs[i].exit_ns == LL_UNKNOWN)
			zombie_learn_exit(pt, i, r);
		return;		/* else the same exit twice */
	}
	pt->tot.exits++;
	if (i == PT_NONE) {
		exit_event(pt, r, 0, LL_UNKNOWN);
		return;
	}
	e = &pt->procs[i];
	comm_set(e->comm, r->comm);
	if (!e->orig_ppid)
		e->orig_ppid = r->ppid;
	proc_confirm(pt, i);
	proc_learn_ns_pid(pt, i, r->ns_pid);
	proc_learn_ns_pid(pt, proc_get(pt, r->ppid, r->parent_comm), r->parent_ns_pid);
	exit_settle_orphan(pt, i, r);

	e->zparent = e->ppid = r->ppid;
	e->exit_ns = h->ts_ns;
	e->status = r->exit_code;
	e->exit_flags = r->flags;
	p = proc_get(pt, r->ppid, r->parent_comm);
	if (p != PT_NONE && p != i) {
		gi = group_of(pt, p);
		/* First seen at its exit: link it so that its parent's exit finds it. */
		if (e->parent == PT_NONE && !(e->flags & PF_REPARENTED) &&
		    pt->procs[p].state == PT_ALIVE)
			proc_link_parent(pt, i, p);
	}

	exit_event(pt, r, orphans_of(pt, i), vfork_end(pt, i, h->ts_ns));
	orphan_children(pt, i, h->ts_ns);
	if (r->flags & LL_EXIT_AUTOREAP)
		exit_autoreap(pt, i, r, gi);
	else
		exit_to_zombie(pt, i, r, gi);
}

static void handle_reap(struct proctab *pt, const struct ll_reap *r)
{
	const struct ll_hdr *h = &r->hdr;
	uint32_t i;

	if (!r->pid)
		return;
	if (r->how == LL_HOW_FREE) {
		/* Only a zombie we hold was freed unwaited; else its wait was seen. */
		i = proc_find_zombie(pt, r->pid, UINT64_MAX);
		if (i != PT_NONE)
			reap_zombie(pt, i, pt->procs[i].ppid, 0, HOW_FREE, h->ts_ns);
		return;
	}
	i = proc_find_zombie(pt, r->pid, h->ts_ns);
	if (i != PT_NONE) {
		reap_zombie(pt, i, h->tgid, h->tid, (enum ll_how)r->how, h->ts_ns);
		return;
	}
	/* Pids are allocated cyclically: a match here is a duplicate, not a reused pid. */
	if (recent_released_unwaited(pt, r->pid, h->ts_ns))
		return;
	pend_add(pt, r->pid, h->tgid, h->tid, r->how, h->ts_ns);
}

static void handle_sigchld(struct proctab *pt, const struct ll_sigchld *r)
{
	const struct ll_hdr *h = &r->hdr;
	uint32_t to = PT_NONE, from, gi;
	struct pt_group *g;
	struct ll_event ev;

	if (r->result == LL_SIG_ALREADY_PENDING) {
		to = proc_get(pt, r->pid, NULL);
		gi = to == PT_NONE ? PT_NONE : group_of(pt, to);
		g = grp(pt, gi);
		if (g) {
			g->coalesced++;
			group_touch(pt, g);
		}
	} else {
		to = r->pid ? proc_find_current(pt, r->pid) : PT_NONE;
	}
	from = proc_find_current(pt, h->tgid);

	ev_init(&ev, EV_SIGCHLD, h->ts_ns, r->pid, h->tid,
		to == PT_NONE ? 0 : pt->procs[to].ppid, to == PT_NONE ? NULL : pt->procs[to].comm);
	ev.sigchld.from_pid = h->tgid;
	comm_set(ev.sigchld.from_comm,
		 comm_or_unknown(from == PT_NONE ? NULL : pt->procs[from].comm));
	ev.sigchld.result = r->result;
	ev.sigchld.code = r->code;
	ev.sigchld.status = r->status;
	emit(pt, &ev);
}

static void pt_advance(struct proctab *pt, uint64_t ts)
{
	if (!pt->first_ns)
		pt->first_ns = ts;
	if (ts > pt->now_ns)
		pt->now_ns = ts;
}

/* rec was checked by ll_decode (dispatch.c): its size is its type's, its strings bounded. */
void pt_handle(struct proctab *pt, const struct ll_hdr *rec)
{
	pt->seq++;
	pt_advance(pt, rec->ts_ns);
	switch (rec->type) {
	case LL_REC_FORK:
		handle_fork(pt, (const struct ll_fork *)rec);
		break;
	case LL_REC_EXEC:
		handle_exec(pt, (const struct ll_exec *)rec);
		break;
	case LL_REC_EXIT:
		handle_exit(pt, (const struct ll_exit *)rec);
		break;
	case LL_REC_REAP:
		handle_reap(pt, (const struct ll_reap *)rec);
		break;
	case LL_REC_SIGCHLD:
		handle_sigchld(pt, (const struct ll_sigchld *)rec);
		break;
	default:
		break;
	}
	pend_flush_due(pt, pt->now_ns);
	stale_flush_due(pt, pt->now_ns);
}

/* ---- public: inputs from main ----------------------------------------------------------- */

static void seed_zombie(struct proctab *pt, uint32_t i, uint32_t ppid)
{
	struct pt_proc *e = &pt->procs[i];
	uint32_t p, gi = PT_NONE;

	e->state = PT_ZOMBIE;
	e->ppid = e->zparent = ppid;
	proc_set_age(pt, i, PT_AGE_DEAD);
	pt->tot.zombies_now++;
	p = proc_get(pt, ppid, NULL);
	if (p != PT_NONE && p != i) {
		proc_link_parent(pt, i, p);
		gi = group_of(pt, p);
	}
	zombie_enter_group(pt, i, gi);
}

void pt_seed(struct proctab *pt, uint32_t pid, uint32_t ppid, const char *comm, uint64_t start_ns,
	     bool zombie)
{
	struct pt_proc *e;
	uint32_t i;

	if (!pid)
		return;
	pt->seq++;
	if (!start_ns)
		start_ns = LL_UNKNOWN;
	i = proc_find_current(pt, pid);
	if (i == PT_NONE)
		i = proc_alloc(pt, pid);
	if (i == PT_NONE)
		return;
	e = &pt->procs[i];
	e->pin = pt->seq;
	e->flags |= PF_SEEDED;
	if (comm && comm[0])
		comm_set(e->comm, comm);
	proc_learn_start(pt, i, start_ns);
	if (!e->orig_ppid)
		e->orig_ppid = ppid;
	if (zombie && e->state == PT_ALIVE) {
		e->flags &= ~PF_PLACEHOLDER;
		seed_zombie(pt, i, ppid);
	} else if (e->state == PT_ALIVE) {
		proc_confirm(pt, i);
		if (e->parent == PT_NONE)
			proc_set_parent(pt, i, ppid, NULL);
	}
}

void pt_set_ns_pid(struct proctab *pt, uint32_t pid, uint32_t ns_pid)
{
	proc_learn_ns_pid(pt, pid ? proc_find_current(pt, pid) : PT_NONE, ns_pid);
}

void pt_lost(struct proctab *pt, uint64_t n)
{
	if (n)
		pt->lossy = true;
}

void pt_tick(struct proctab *pt, uint64_t now_ns)
{
	pt->seq++;
	pt_advance(pt, now_ns);
	pend_flush_due(pt, pt->now_ns);
	stale_flush_due(pt, pt->now_ns);
}

size_t pt_pending_adopters(const struct proctab *pt, uint32_t *pids, size_t max)
{
	size_t n = 0;
	uint32_t i;

	for (i = pt->adopt_wait.head; i != PT_NONE && n < max; i = pt->procs[i].side.next)
		pids[n++] = pt->procs[i].pid;
	for (i = pt->hand_wait.head; i != PT_NONE && n < max; i = pt->procs[i].side.next)
		pids[n++] = pt->procs[i].pid;
	return pt->nwait + pt->nhand;
}

void pt_set_adopter(struct proctab *pt, uint32_t pid, uint32_t adopter_pid,
		    const char *adopter_comm)
{
	uint32_t i;

	pt->seq++;
	i = proc_find_current(pt, pid);
	if (i == PT_NONE || !(pt->procs[i].flags & (PF_ADOPT_WAIT | PF_HAND_WAIT)))
		return;
	/* /proc still naming the old parent is a stale read, not an adoption. */
	if (!adopter_pid || adopter_pid == pt->procs[i].old_ppid)
		return;
	pt->procs[i].pin = pt->seq;
	if (pt->procs[i].flags & PF_HAND_WAIT)
		zombie_adopted(pt, i, adopter_pid, adopter_comm);
	else
		orphan_resolve(pt, i, adopter_pid, adopter_comm);
}
