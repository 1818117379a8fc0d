// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The process table: entries, the pid hash, age lists, alloc/release/evict, subject
 * matching, groups, setup and queries.
 * The data model, and how entries, groups and lists fit together: proctab_int.h.
 */
#include <errno.h>
#include "lazymem.h"
#include "proctab_int.h"

/* ---- groups ----------------------------------------------------------------------------- */

uint32_t group_find(const struct proctab *pt, uint32_t pid, uint64_t start)
{
	uint32_t gi = pt->gbuckets[pid_hash(pid) & pt->gbmask];

	for (; gi != PT_NONE; gi = pt->groups[gi]->hnext)
		if (pt->groups[gi]->pid == pid && pt->groups[gi]->start_ns == start)
			return gi;
	return PT_NONE;
}

static bool group_evictable(const struct proctab *pt, const struct pt_group *g)
{
	return g->in_use && !g->refs && !g->now && !g->alive && g->pin != pt->seq;
}

static void group_release(struct proctab *pt, uint32_t gi)
{
	struct pt_group *g = pt->groups[gi];
	uint32_t *pp = &pt->gbuckets[pid_hash(g->pid) & pt->gbmask];

	while (*pp != gi)
		pp = &pt->groups[*pp]->hnext;
	*pp = g->hnext;
	free(g->oh);
	memset(g, 0, sizeof(*g));
	g->hnext = pt->gfree;
	pt->gfree = gi;
}

/* Drops the group with nothing now and the oldest activity; false if every group is busy. */
static bool group_evict_one(struct proctab *pt)
{
	uint32_t gi, best = PT_NONE;

	if (pt->now_ns < pt->gscan_after)
		return false;
	for (gi = 0; gi < pt->ghiwat; gi++) {
		if (!group_evictable(pt, pt->groups[gi]))
			continue;
		if (best == PT_NONE || pt->groups[gi]->last_ns < pt->groups[best]->last_ns)
			best = gi;
	}
	if (best == PT_NONE) {
		/* Scanning is O(max_groups): do not do it for every record while all are busy. */
		pt->gscan_after = pt->now_ns + PT_GSCAN_BACKOFF_NS;
		return false;
	}
	group_release(pt, best);
	return true;
}

static uint32_t group_alloc(struct proctab *pt, uint32_t pid, uint64_t start)
{
	struct pt_group *g;
	uint32_t gi;

	if (pt->gfree == PT_NONE && pt->ghiwat < pt->cfg.max_groups) {
		g = calloc(1, sizeof(*g));
		if (!g)
			return PT_NONE;
		g->hnext = PT_NONE;
		pt->groups[pt->ghiwat] = g;
		pt->gfree = pt->ghiwat++;
	}
	if (pt->gfree == PT_NONE && !group_evict_one(pt))
		return PT_NONE;
	gi = pt->gfree;
	g = pt->groups[gi];
	pt->gfree = g->hnext;
	g->in_use = true;
	g->pid = pid;
	g->start_ns = start;
	list_init(&g->zombies);
	g->hnext = pt->gbuckets[pid_hash(pid) & pt->gbmask];
	pt->gbuckets[pid_hash(pid) & pt->gbmask] = gi;
	return gi;
}

/* The group of the process in entry i (as a parent or adopter), created on first use. */
uint32_t group_of(struct proctab *pt, uint32_t i)
{
	struct pt_proc *e = &pt->procs[i];
	uint32_t gi = group_find(pt, e->pid, e->start_ns);

	if (gi == PT_NONE)
		gi = group_alloc(pt, e->pid, e->start_ns);
	if (gi == PT_NONE)
		return PT_NONE;
	if (e->comm[0])
		comm_set(pt->groups[gi]->comm, e->comm);
	if (e->ns_pid)
		pt->groups[gi]->ns_pid = e->ns_pid;
	group_touch(pt, pt->groups[gi]);
	return gi;
}

void group_ref(struct proctab *pt, uint32_t gi)
{
	if (gi != PT_NONE)
		pt->groups[gi]->refs++;
}

void group_unref(struct proctab *pt, uint32_t gi)
{
	if (gi != PT_NONE && pt->groups[gi]->refs)
		pt->groups[gi]->refs--;
}

/* ---- the pid hash ----------------------------------------------------------------------- */

static uint32_t *bucket(struct proctab *pt, uint32_t pid)
{
	return &pt->buckets[pid_hash(pid) & pt->bmask];
}

uint32_t proc_find_alive(const struct proctab *pt, uint32_t pid)
{
	uint32_t i;

	for (i = chain_head(pt, pid); i != PT_NONE; i = pt->procs[i].hnext)
		if (pt->procs[i].pid == pid && pt->procs[i].state == PT_ALIVE)
			return i;
	return PT_NONE;
}

static uint32_t proc_find_start(const struct proctab *pt, uint32_t pid, uint64_t start)
{
	uint32_t i;

	if (start == LL_UNKNOWN)
		return PT_NONE;
	for (i = chain_head(pt, pid); i != PT_NONE; i = pt->procs[i].hnext)
		if (pt->procs[i].pid == pid && pt->procs[i].start_ns == start)
			return i;
	return PT_NONE;
}

/* The zombie with this pid that a reap at ts belongs to: the oldest one that exited by then. */
uint32_t proc_find_zombie(const struct proctab *pt, uint32_t pid, uint64_t ts)
{
	uint32_t i, best = PT_NONE;

	for (i = chain_head(pt, pid); i != PT_NONE; i = pt->procs[i].hnext) {
		const struct pt_proc *e = &pt->procs[i];

		if (e->pid != pid || e->state != PT_ZOMBIE || zombie_key(e) > ts)
			continue;
		if (best == PT_NONE || zombie_key(e) < zombie_key(&pt->procs[best]))
			best = i;
	}
	return best;
}

/* The process a pid names now: the living one, else the latest zombie. */
uint32_t proc_find_current(const struct proctab *pt, uint32_t pid)
{
	uint32_t i, best = PT_NONE;

	for (i = chain_head(pt, pid); i != PT_NONE; i = pt->procs[i].hnext) {
		const struct pt_proc *e = &pt->procs[i];

		if (e->pid != pid)
			continue;
		if (e->state == PT_ALIVE)
			return i;
		if (best == PT_NONE || zombie_key(e) > zombie_key(&pt->procs[best]))
			best = i;
	}
	return best;
}

/* ---- entry lifetime --------------------------------------------------------------------- */

void proc_set_age(struct proctab *pt, uint32_t i, enum pt_age cls)
{
	struct pt_proc *e = &pt->procs[i];

	if (e->age_class == cls)
		return;
	list_del(pt, &pt->age[e->age_class], OFF_AGE, i);
	e->age_class = (uint8_t)cls;
	list_add_tail(pt, &pt->age[cls], OFF_AGE, i);
}

void proc_link_parent(struct proctab *pt, uint32_t i, uint32_t p)
{
	pt->procs[i].parent = p;
	list_add_tail(pt, &pt->procs[p].kids, OFF_SIB, i);
}

void proc_unlink_parent(struct proctab *pt, uint32_t i)
{
	uint32_t p = pt->procs[i].parent;

	if (p == PT_NONE)
		return;
	list_del(pt, &pt->procs[p].kids, OFF_SIB, i);
	pt->procs[i].parent = PT_NONE;
}

/*
 * Drop an entry and everything that points at it. Counts of "now" (zombies, living orphans) are
 * taken back here; what the drop means (a reap, an eviction, a loss) the caller has counted.
 */
void proc_release(struct proctab *pt, uint32_t i)
{
	struct pt_proc *e = &pt->procs[i];
	uint32_t *pp, c;

	if (e->state == PT_ZOMBIE) {
		zombie_leave_group(pt, i);
		pt->tot.zombies_now--;
	}
	orphan_stop_waiting(pt, i);
	if (e->flags & PF_ORPHAN)
		pt->tot.orphans_now--;
	orphan_leave_group(pt, i);
	proc_unlink_parent(pt, i);
	while ((c = e->kids.head) != PT_NONE)
		proc_unlink_parent(pt, c);
	list_del(pt, &pt->age[e->age_class], OFF_AGE, i);

	pp = bucket(pt, e->pid);
	while (*pp != i)
		pp = &pt->procs[*pp].hnext;
	*pp = e->hnext;

	e->state = PT_FREE;
	e->flags = 0;
	e->hnext = pt->free;
	pt->free = i;
	pt->nprocs--;
	pt->tot.processes_now = pt->nprocs;
}

/* A process is gone without a reap we could report (lost records): count it, drop it. */
void proc_close_incomplete(struct proctab *pt, uint32_t i)
{
	pt->tot.incomplete++;
	recent_add(pt, &pt->procs[i], pt->now_ns, PT_GONE_CLOSED);
	proc_release(pt, i);
}

static bool proc_evict_one(struct proctab *pt)
{
	unsigned int cls, n;
	uint32_t i;

	for (cls = 0; cls < PT_AGE_N; cls++) {
		i = pt->age[cls].head;
		for (n = 0; i != PT_NONE && n < PT_EVICT_SCAN; n++, i = pt->procs[i].age.next) {
			if (pt->procs[i].pin == pt->seq)
				continue;
			pt->tot.evicted++;
			proc_release(pt, i);
			return true;
		}
	}
	return false;
}

/* A new entry for pid, pinned, in the "dead/unknown" age class until the caller says more. */
uint32_t proc_alloc(struct proctab *pt, uint32_t pid)
{
	struct pt_proc *e;
	uint32_t i, gen;

	if (pt->free == PT_NONE && pt->hiwat < pt->cfg.max_procs) {
		pt->procs[pt->hiwat].hnext = PT_NONE;
		pt->free = pt->hiwat++;
	}
	if (pt->free == PT_NONE && !proc_evict_one(pt))
		return PT_NONE;
	i = pt->free;
	e = &pt->procs[i];
	pt->free = e->hnext;
	gen = e->gen + 1;

	memset(e, 0, sizeof(*e));
	e->gen = gen;
	e->pid = pid;
	e->state = PT_ALIVE;
	e->parent = e->zgroup = e->ogroup = PT_NONE;
	list_init(&e->kids);
	e->sib.prev = e->sib.next = e->side.prev = e->side.next = PT_NONE;
	e->start_ns = e->exit_ns = e->orphan_since = LL_UNKNOWN;
	e->pin = pt->seq;
	e->age_class = PT_AGE_DEAD;
	list_add_tail(pt, &pt->age[PT_AGE_DEAD], OFF_AGE, i);
	e->hnext = *bucket(pt, pid);
	*bucket(pt, pid) = i;
	pt->nprocs++;
	pt->tot.processes_now = pt->nprocs;
	return i;
}

/* The start of a process known so far only by pid: its group, if any, is now named by it. */
void proc_learn_start(struct proctab *pt, uint32_t i, uint64_t start)
{
	struct pt_proc *e = &pt->procs[i];
	uint32_t gi;

	if (e->start_ns != LL_UNKNOWN || start == LL_UNKNOWN)
		return;
	gi = group_find(pt, e->pid, LL_UNKNOWN);
	if (gi != PT_NONE && group_find(pt, e->pid, start) == PT_NONE)
		pt->groups[gi]->start_ns = start;
	e->start_ns = start;
}

/* Its pid in its PID namespace, and that of its groups (which may predate the knowledge). */
void proc_learn_ns_pid(struct proctab *pt, uint32_t i, uint32_t ns_pid)
{
	struct pt_proc *e;
	uint32_t gi;

	if (i == PT_NONE || !ns_pid)
		return;
	e = &pt->procs[i];
	e->ns_pid = ns_pid;
	gi = group_find(pt, e->pid, e->start_ns);
	if (gi != PT_NONE)
		pt->groups[gi]->ns_pid = ns_pid;
}

/* The entry is a real process we have seen records of, not just a pid someone mentioned. */
void proc_confirm(struct proctab *pt, uint32_t i)
{
	pt->procs[i].flags &= ~PF_PLACEHOLDER;
	if (pt->procs[i].state == PT_ALIVE)
		proc_set_age(pt, i, PT_AGE_ALIVE);
}

/* The current entry for a pid that a record mentions (parent, adopter...), created if unknown. */
uint32_t proc_get(struct proctab *pt, uint32_t pid, const char *comm)
{
	uint32_t i;

	if (!pid)
		return PT_NONE;
	i = proc_find_current(pt, pid);
	if (i == PT_NONE) {
		i = proc_alloc(pt, pid);
		if (i == PT_NONE)
			return PT_NONE;
		pt->procs[i].flags |= PF_PLACEHOLDER;
	}
	if (comm && comm[0] && !pt->procs[i].comm[0])
		comm_set(pt->procs[i].comm, comm);
	pt->procs[i].pin = pt->seq;
	return i;
}

/*
 * A zombie read from /proc at start, known only by its pid. Records queued between the attach
 * and the /proc read (its fork, its exit) are about this very process: a zombie holds its pid,
 * and its reap, which would free the pid, comes after them in the ring. Taking such a record for
 * a new process left two entries for one pid, the reap closed the seeded one and the other
 * stayed a zombie for ever (the phantoms of lifeline attached to a busy server).
 */
static uint32_t proc_find_seeded_zombie(const struct proctab *pt, uint32_t pid)
{
	uint32_t i;

	for (i = chain_head(pt, pid); i != PT_NONE; i = pt->procs[i].hnext) {
		const struct pt_proc *e = &pt->procs[i];

		if (e->pid == pid && e->state == PT_ZOMBIE && (e->flags & PF_SEEDED) &&
		    e->start_ns == LL_UNKNOWN && !(e->flags & PF_SUPERSEDED))
			return i;
	}
	return PT_NONE;
}

/* A new process takes a pid whose zombie we still hold: that zombie's reap is on its way. */
static void supersede_zombies(struct proctab *pt, uint32_t pid)
{
	uint32_t i;

	for (i = chain_head(pt, pid); i != PT_NONE; i = pt->procs[i].hnext) {
		struct pt_proc *e = &pt->procs[i];

		if (e->pid != pid || e->state != PT_ZOMBIE || (e->flags & PF_SUPERSEDED))
			continue;
		e->flags |= PF_SUPERSEDED;
		stale_add(pt, i);
	}
}

/*
 * The entry a record about process (pid, start) updates: matched by start, else the living entry
 * with an unknown start; created when new. PT_NONE for a late record about a process that is
 * already gone (or when the table is full of pinned entries).
 */
uint32_t proc_subject(struct proctab *pt, uint32_t pid, uint64_t start, bool *created)
{
	uint32_t i;

	*created = false;
	if (!start)
		start = LL_UNKNOWN;
	i = proc_find_start(pt, pid, start);
	if (i != PT_NONE)
		goto found;
	i = proc_find_alive(pt, pid);
	if (i == PT_NONE)
		i = proc_find_seeded_zombie(pt, pid);
	if (i != PT_NONE) {
		if (pt->procs[i].start_ns == LL_UNKNOWN || start == LL_UNKNOWN) {
			proc_learn_start(pt, i, start);
			goto found;
		}
		if (pt->procs[i].start_ns > start)
			return PT_NONE;
		/* The pid was reused: the old process's exit and reap were lost. */
		proc_close_incomplete(pt, i);
	}
	if (recent_has_start(pt, pid, start))
		return PT_NONE;
	supersede_zombies(pt, pid);
	i = proc_alloc(pt, pid);
	if (i == PT_NONE)
		return PT_NONE;
	pt->procs[i].start_ns = start;
	*created = true;
found:
	pt->procs[i].pin = pt->seq;
	return i;
}

/* ---- public: setup ---------------------------------------------------------------------- */

struct proctab *pt_new(const struct pt_config *cfg)
{
	struct proctab *pt = calloc(1, sizeof(*pt));
	uint32_t n;

	if (!pt)
		return NULL;
	if (cfg)
		pt->cfg = *cfg;
	if (!pt->cfg.max_procs)
		pt->cfg.max_procs = PT_DEF_MAX_PROCS;
	if (!pt->cfg.max_groups)
		pt->cfg.max_groups = PT_DEF_MAX_GROUPS;
	if (!pt->cfg.linger_ns)
		pt->cfg.linger_ns = PT_DEF_LINGER_NS;
	if (!pt->cfg.join_ns)
		pt->cfg.join_ns = PT_DEF_JOIN_NS;
	if (pt->cfg.max_procs >= PT_NONE || pt->cfg.max_groups >= PT_NONE) {
		errno = EINVAL;
		goto err;
	}

	/* calloc: slots are touched (and cost memory) only as the table fills; never in huge
	 * pages, which would make each first touch cost 2 MiB (lazymem.h). */
	pt->procs = lazy_calloc(pt->cfg.max_procs, sizeof(*pt->procs));
	n = pow2_at_least(pt->cfg.max_procs);
	pt->buckets = malloc(n * sizeof(*pt->buckets));
	pt->bmask = n - 1;
	pt->groups = lazy_calloc(pt->cfg.max_groups, sizeof(*pt->groups));
	n = pow2_at_least(pt->cfg.max_groups);
	pt->gbuckets = malloc(n * sizeof(*pt->gbuckets));
	pt->gbmask = n - 1;
	if (!pt->procs || !pt->buckets || !pt->groups || !pt->gbuckets)
		goto err;
	memset(pt->buckets, 0xff, (pt->bmask + 1) * sizeof(*pt->buckets));
	memset(pt->gbuckets, 0xff, (pt->gbmask + 1) * sizeof(*pt->gbuckets));
	pt->free = pt->gfree = PT_NONE;
	for (n = 0; n < PT_AGE_N; n++)
		list_init(&pt->age[n]);
	list_init(&pt->adopt_wait);
	list_init(&pt->hand_wait);
	return pt;
err:
	pt_free(pt);
	return NULL;
}

void pt_free(struct proctab *pt)
{
	uint32_t gi;

	if (!pt)
		return;
	for (gi = 0; pt->groups && gi < pt->ghiwat; gi++) {
		free(pt->groups[gi]->oh);
		free(pt->groups[gi]);
	}
	free(pt->groups);
	free(pt->gbuckets);
	free(pt->buckets);
	free(pt->procs);
	free(pt);
}

/* ---- public: queries -------------------------------------------------------------------- */

const char *pt_comm(const struct proctab *pt, uint32_t pid)
{
	uint32_t i = pid ? proc_find_current(pt, pid) : PT_NONE;

	return i == PT_NONE || !pt->procs[i].comm[0] ? NULL : pt->procs[i].comm;
}

uint32_t pt_ppid(const struct proctab *pt, uint32_t pid)
{
	uint32_t i = pid ? proc_find_current(pt, pid) : PT_NONE;

	return i == PT_NONE ? 0 : pt->procs[i].ppid;
}

void pt_totals(const struct proctab *pt, struct ll_proc_totals *out)
{
	*out = pt->tot;
}
