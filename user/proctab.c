// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The process table (see proctab.h).
 *
 * Entries live in one array and are named by index: a pid hash (chained, duplicates allowed:
 * during "exit(X), fork(new X), reap(X)" the zombie X and the new X coexist), the process tree
 * (each entry lists its children, so that a parent's exit finds its children in O(children)), an
 * age list per eviction class, and one "side" list per entry (its parent group's zombies, oldest
 * first, while it is a zombie; or the list of orphans waiting for their adopter while it is one).
 *
 * Groups hold the per-parent numbers: the zombies of its children and the orphans it adopted.
 * They are keyed by (pid, start_ns) of the parent, so a reused pid starts a new group, and they
 * outlive the parent's entry: the zombies of a dead parent still count against it until an
 * adopter reaps them.
 *
 * Records arrive slightly out of order and some get lost. Rules of thumb: a record is matched by
 * (pid, start_ns) where it has a start; a reap waits up to join_ns of record time for its exit;
 * what cannot be joined is reported with unknown durations and counted incomplete, never guessed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lazymem.h"
#include "proctab.h"

#define PT_NONE			UINT32_MAX
#define PT_DEF_MAX_PROCS	65536u
#define PT_DEF_MAX_GROUPS	4096u
#define PT_DEF_LINGER_NS	100000000ull
#define PT_DEF_JOIN_NS		1000000000ull
#define PT_PEND_MAX		256	/* reaps waiting for their exit */
#define PT_STALE_MAX		256	/* zombies whose pid was reused: their reap is due */
#define PT_RECENT_MAX		256	/* processes just released, to recognise late records */
#define PT_EVICT_SCAN		32	/* pinned entries skipped before giving up on a class */
#define PT_GSCAN_BACKOFF_NS	100000000ull
#define PT_INIT_PATIENCE_NS	3000000000ull	/* an init that has not reaped for this long with
						 * zombies waiting never waits (host init batches
						 * every 1-2 s) */

enum pt_state {
	PT_FREE,
	PT_ALIVE,
	PT_ZOMBIE,
};

/* Eviction classes, evicted in this order, oldest first within a class. */
enum pt_age {
	PT_AGE_DEAD,		/* zombies, and placeholders known only by their pid */
	PT_AGE_ALIVE,
	PT_AGE_N,
};

#define PF_PLACEHOLDER	0x01	/* seen only as someone's parent, adopter or signal target */
#define PF_SEEDED	0x02	/* from /proc at start */
#define PF_ORPHAN	0x04	/* alive, and the parent it had died */
#define PF_ADOPT_WAIT	0x08	/* orphan whose adopter is not known yet */
#define PF_REPARENTED	0x10	/* zombie that exited under an adopter before its parent's exit
				 * record arrived: it becomes an orphan when that record does */
#define PF_ZORPHAN	0x20	/* zombie that was an orphan when it exited */
#define PF_SUPERSEDED	0x40	/* zombie whose pid was reused: its reap is late or lost */
#define PF_HANDED	0x80	/* zombie whose parent exited without reaping it: the adopter's */
#define PF_HAND_WAIT	0x100	/* ... whose adopter is not known yet (in pt->hand_wait) */

enum pt_gone {
	PT_GONE_REAPED = 1,
	PT_GONE_FREED,		/* released by the free fallback: a late wait reap is a duplicate */
	PT_GONE_CLOSED,		/* closed without its reap (lost, or /proc says gone) */
};

struct pt_link {
	uint32_t prev, next;
};

struct pt_list {
	uint32_t head, tail;
};

struct pt_proc {
	uint32_t pid;
	uint32_t ppid;		/* current parent; 0 when unknown */
	uint32_t orig_ppid;	/* parent at fork (or as first seen) */
	uint32_t zparent;	/* parent at exit: the one responsible for its zombie */
	uint32_t old_ppid;	/* orphans: the parent that died */
	uint32_t status;
	uint32_t exit_flags;
	uint32_t gen;		/* bumped at each reuse of the slot */
	uint32_t hnext;		/* pid hash chain; free list while free */
	uint32_t parent;	/* entry whose kids list holds us, or PT_NONE */
	uint32_t zgroup;	/* group of the parent at exit, while a zombie */
	uint32_t ogroup;	/* group of the adopter, once adopted */
	uint32_t ns_pid;	/* pid in its PID namespace; 0: the initial one, or not known */
	struct pt_list kids;
	struct pt_link sib;	/* in parent's kids */
	struct pt_link side;	/* in a group's zombies, or in pt->adopt_wait / hand_wait */
	struct pt_link age;	/* in pt->age[age_class] */
	uint64_t start_ns;	/* LL_UNKNOWN when unknown */
	uint64_t exit_ns;	/* LL_UNKNOWN while alive, or for seeded zombies */
	uint64_t orphan_since;	/* the parent's exit, for orphans */
	uint64_t pin;		/* == pt->seq: in use by the current operation, not evictable */
	uint64_t vfork_ns;	/* a vfork child that has not exec'd or exited yet: its fork; else 0 */
	uint16_t flags;		/* PF_* */
	uint8_t state;		/* enum pt_state */
	uint8_t age_class;	/* enum pt_age */
	char comm[LL_COMM_LEN];
	char old_parent_comm[LL_COMM_LEN];
};

struct pt_ohists {
	struct ll_hist lifetime;	/* parent's death -> orphan's exit */
	struct ll_hist reap;		/* orphan's exit -> reap */
};

struct pt_group {
	uint32_t pid;
	uint32_t hnext;		/* group hash chain; free list while free */
	uint32_t refs;		/* entries pointing here (zombies, adopted orphans) */
	bool in_use;
	uint64_t start_ns;	/* of the parent: with pid, names it */
	uint64_t last_ns;	/* last activity, for eviction */
	uint64_t pin;
	char comm[LL_COMM_LEN];
	/* zombies among its children */
	uint64_t reaped;
	uint64_t now;
	uint64_t autoreaped;
	uint64_t coalesced;
	uint64_t zexits;	/* children that became zombies */
	uint64_t blocked_exits;	/* ... while SIGCHLD was blocked in the parent */
	uint64_t ignored_exits;	/* ... while SIGCHLD was ignored without auto-reaping */
	uint64_t by_parent;	/* reaps done by this parent itself */
	uint64_t by_adopter;	/* reaps by someone other than the child's original parent */
	uint64_t orphans_now;	/* zombies now that had been orphans (adopted children) */
	uint64_t vforks;	/* children it made with vfork (CLONE_VFORK) */
	uint64_t abandoned;	/* zombies it left unreaped when it exited */
	uint64_t handed_now;	/* zombies now handed to it by a parent that exited */
	uint32_t ns_pid;	/* its pid in its own PID namespace, 0 if the initial one */
	struct pt_list zombies;	/* by exit time, oldest first */
	struct ll_hist lifetime;
	/* orphans it adopted */
	uint64_t adopted;
	uint64_t alive;
	uint64_t exited;
	struct pt_ohists *oh;	/* allocated at the first adoption */
};

struct pt_pend {
	uint64_t ts;
	uint32_t pid;
	uint32_t reaper;
	uint32_t tid;
	uint32_t how;
};

struct pt_stale {
	uint64_t deadline;
	uint32_t idx;
	uint32_t gen;
};

struct pt_recent {
	uint64_t start_ns;
	uint64_t ts;
	uint32_t pid;
	uint32_t why;		/* enum pt_gone */
};

struct proctab {
	struct pt_config cfg;

	struct pt_proc *procs;
	uint32_t *buckets;
	uint32_t bmask;
	uint32_t hiwat;		/* slots below it have been used at least once */
	uint32_t free;		/* released slots, chained by hnext */
	uint32_t nprocs;
	struct pt_list age[PT_AGE_N];
	struct pt_list adopt_wait;
	uint32_t nwait;
	struct pt_list hand_wait;	/* handed zombies whose adopter is not known yet */
	uint32_t nhand;

	struct pt_group **groups;
	uint32_t *gbuckets;
	uint32_t gbmask;
	uint32_t ghiwat;
	uint32_t gfree;
	uint64_t gscan_after;	/* no evictable group was found: do not rescan before then */

	struct pt_pend pend[PT_PEND_MAX];
	uint32_t npend;
	struct pt_stale stale[PT_STALE_MAX];
	uint32_t nstale;
	struct pt_recent recent[PT_RECENT_MAX];
	uint32_t recent_pos;

	struct ll_proc_totals tot;
	uint64_t now_ns;	/* latest record (or tick) time */
	uint64_t first_ns;	/* first record time: seeded zombies are at least this old */
	uint64_t seq;		/* operation counter, for pinning */
	bool lossy;
	struct ll_hist empty;
};

/* ---- small helpers ---------------------------------------------------------------------- */

static void comm_set(char *dst, const char *src)
{
	size_t n = src ? strnlen(src, LL_COMM_LEN - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

static const char *comm_or_unknown(const char *comm)
{
	return comm && comm[0] ? comm : "?";
}

static uint32_t pid_hash(uint32_t pid)
{
	return pid * 2654435761u;
}

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 16;

	while (p < n && p < (1u << 30))
		p <<= 1;
	return p;
}

/* Whole microseconds from a to b; LL_UNKNOWN if a is unknown, 0 if b precedes a (disorder). */
static uint64_t span_us(uint64_t a, uint64_t b)
{
	if (a == LL_UNKNOWN || b == LL_UNKNOWN)
		return LL_UNKNOWN;
	return b > a ? (b - a) / 1000 : 0;
}

static void emit(const struct proctab *pt, const struct ll_event *ev)
{
	if (pt->cfg.emit)
		pt->cfg.emit(pt->cfg.ctx, ev);
}

static void ev_init(struct ll_event *ev, enum ll_ev_kind kind, uint64_t ts, uint32_t pid,
		    uint32_t tid, uint32_t ppid, const char *comm)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->ts_ns = ts;
	ev->pid = pid;
	ev->tid = tid;
	ev->ppid = ppid;
	comm_set(ev->comm, comm_or_unknown(comm));
}

/* ---- intrusive index lists -------------------------------------------------------------- */

static struct pt_link *link_at(struct proctab *pt, uint32_t i, size_t off)
{
	return (struct pt_link *)((char *)&pt->procs[i] + off);
}

static void list_init(struct pt_list *l)
{
	l->head = l->tail = PT_NONE;
}

/* Insert i after pos (PT_NONE: at the head). */
static void list_insert_after(struct proctab *pt, struct pt_list *l, size_t off, uint32_t pos,
			      uint32_t i)
{
	struct pt_link *n = link_at(pt, i, off);
	uint32_t next = pos == PT_NONE ? l->head : link_at(pt, pos, off)->next;

	n->prev = pos;
	n->next = next;
	if (pos == PT_NONE)
		l->head = i;
	else
		link_at(pt, pos, off)->next = i;
	if (next == PT_NONE)
		l->tail = i;
	else
		link_at(pt, next, off)->prev = i;
}

static void list_add_tail(struct proctab *pt, struct pt_list *l, size_t off, uint32_t i)
{
	list_insert_after(pt, l, off, l->tail, i);
}

static void list_del(struct proctab *pt, struct pt_list *l, size_t off, uint32_t i)
{
	struct pt_link *n = link_at(pt, i, off);

	if (n->prev == PT_NONE)
		l->head = n->next;
	else
		link_at(pt, n->prev, off)->next = n->next;
	if (n->next == PT_NONE)
		l->tail = n->prev;
	else
		link_at(pt, n->next, off)->prev = n->prev;
	n->prev = n->next = PT_NONE;
}

#define OFF_SIB		offsetof(struct pt_proc, sib)
#define OFF_SIDE	offsetof(struct pt_proc, side)
#define OFF_AGE		offsetof(struct pt_proc, age)

/* ---- recently released processes -------------------------------------------------------- */

static void recent_add(struct proctab *pt, const struct pt_proc *e, uint64_t ts, enum pt_gone why)
{
	struct pt_recent *r = &pt->recent[pt->recent_pos++ % PT_RECENT_MAX];

	r->pid = e->pid;
	r->start_ns = e->start_ns;
	r->ts = ts;
	r->why = why;
}

/* A record about (pid, start) arrived after that process was released. */
static bool recent_has_start(const struct proctab *pt, uint32_t pid, uint64_t start)
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
static bool recent_released_unwaited(const struct proctab *pt, uint32_t pid, uint64_t ts)
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

/* ---- groups ----------------------------------------------------------------------------- */

static struct pt_group *grp(const struct proctab *pt, uint32_t gi)
{
	return gi == PT_NONE ? NULL : pt->groups[gi];
}

static void group_touch(struct proctab *pt, struct pt_group *g)
{
	g->last_ns = pt->now_ns;
	g->pin = pt->seq;
}

static uint32_t group_find(const struct proctab *pt, uint32_t pid, uint64_t start)
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
static uint32_t group_of(struct proctab *pt, uint32_t i)
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

static void group_ref(struct proctab *pt, uint32_t gi)
{
	if (gi != PT_NONE)
		pt->groups[gi]->refs++;
}

static void group_unref(struct proctab *pt, uint32_t gi)
{
	if (gi != PT_NONE && pt->groups[gi]->refs)
		pt->groups[gi]->refs--;
}

static struct pt_ohists *group_ohists(struct pt_group *g)
{
	if (!g->oh)
		g->oh = calloc(1, sizeof(*g->oh));
	return g->oh;
}

/* ---- the pid hash ----------------------------------------------------------------------- */

static uint32_t *bucket(struct proctab *pt, uint32_t pid)
{
	return &pt->buckets[pid_hash(pid) & pt->bmask];
}

static uint32_t chain_head(const struct proctab *pt, uint32_t pid)
{
	return pt->buckets[pid_hash(pid) & pt->bmask];
}

static uint32_t proc_find_alive(const struct proctab *pt, uint32_t pid)
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

/* Zombie exit times for ordering: a seeded zombie (exit unknown) died before anything we saw. */
static uint64_t zombie_key(const struct pt_proc *e)
{
	return e->exit_ns == LL_UNKNOWN ? 0 : e->exit_ns;
}

/* The zombie with this pid that a reap at ts belongs to: the oldest one that exited by then. */
static uint32_t proc_find_zombie(const struct proctab *pt, uint32_t pid, uint64_t ts)
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
static uint32_t proc_find_current(const struct proctab *pt, uint32_t pid)
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

static void proc_set_age(struct proctab *pt, uint32_t i, enum pt_age cls)
{
	struct pt_proc *e = &pt->procs[i];

	if (e->age_class == cls)
		return;
	list_del(pt, &pt->age[e->age_class], OFF_AGE, i);
	e->age_class = (uint8_t)cls;
	list_add_tail(pt, &pt->age[cls], OFF_AGE, i);
}

static void proc_link_parent(struct proctab *pt, uint32_t i, uint32_t p)
{
	pt->procs[i].parent = p;
	list_add_tail(pt, &pt->procs[p].kids, OFF_SIB, i);
}

static void proc_unlink_parent(struct proctab *pt, uint32_t i)
{
	uint32_t p = pt->procs[i].parent;

	if (p == PT_NONE)
		return;
	list_del(pt, &pt->procs[p].kids, OFF_SIB, i);
	pt->procs[i].parent = PT_NONE;
}

static void zombie_leave_group(struct proctab *pt, uint32_t i)
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

/* An orphan stops counting as a living orphan of its adopter. */
static void orphan_leave_group(struct proctab *pt, uint32_t i)
{
	struct pt_proc *e = &pt->procs[i];
	struct pt_group *g = grp(pt, e->ogroup);

	if (g && (e->flags & PF_ORPHAN))
		g->alive--;
	group_unref(pt, e->ogroup);
	e->ogroup = PT_NONE;
}

static void orphan_stop_waiting(struct proctab *pt, uint32_t i)
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

/*
 * Drop an entry and everything that points at it. Counts of "now" (zombies, living orphans) are
 * taken back here; what the drop means (a reap, an eviction, a loss) the caller has counted.
 */
static void proc_release(struct proctab *pt, uint32_t i)
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
static void proc_close_incomplete(struct proctab *pt, uint32_t i)
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
static uint32_t proc_alloc(struct proctab *pt, uint32_t pid)
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
static void proc_learn_start(struct proctab *pt, uint32_t i, uint64_t start)
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
static void proc_learn_ns_pid(struct proctab *pt, uint32_t i, uint32_t ns_pid)
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
static void proc_confirm(struct proctab *pt, uint32_t i)
{
	pt->procs[i].flags &= ~PF_PLACEHOLDER;
	if (pt->procs[i].state == PT_ALIVE)
		proc_set_age(pt, i, PT_AGE_ALIVE);
}

/* The current entry for a pid that a record mentions (parent, adopter...), created if unknown. */
static uint32_t proc_get(struct proctab *pt, uint32_t pid, const char *comm)
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

static void stale_add(struct proctab *pt, uint32_t i);

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
static uint32_t proc_subject(struct proctab *pt, uint32_t pid, uint64_t start, bool *created)
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

/* ---- orphans ---------------------------------------------------------------------------- */

/* The parent of living entry i died at ts: it waits for its adopter to be known. */
static void orphan_mark(struct proctab *pt, uint32_t i, uint32_t p, uint64_t ts)
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

static void orphan_resolve(struct proctab *pt, uint32_t i, uint32_t adopter, const char *comm)
{
	orphan_stop_waiting(pt, i);
	orphan_adopted(pt, i, adopter, comm);
}

/* It exited still under the parent we took for dead: it was never reparented. */
static void orphan_cancel(struct proctab *pt, uint32_t i)
{
	struct pt_proc *e = &pt->procs[i];

	orphan_stop_waiting(pt, i);
	e->flags &= ~PF_ORPHAN;
	e->ppid = e->old_ppid;
	pt->tot.orphans_now--;
}

static void orphan_exited(struct proctab *pt, uint32_t i, uint64_t ts)
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

static void zombie_enter_group(struct proctab *pt, uint32_t i, uint32_t gi);

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
static void zombie_adopted(struct proctab *pt, uint32_t i, uint32_t adopter, const char *comm)
{
	uint32_t a;

	orphan_stop_waiting(pt, i);
	pt->procs[i].ppid = adopter;
	a = proc_get(pt, adopter, comm);
	if (a != PT_NONE && a != i)
		zombie_enter_group(pt, i, group_of(pt, a));
}

/* Living children (and children already reparented) that the exit of p leaves behind. */
static unsigned int orphans_of(const struct proctab *pt, uint32_t p)
{
	unsigned int n = 0;
	uint32_t c;

	for (c = pt->procs[p].kids.head; c != PT_NONE; c = pt->procs[c].sib.next)
		if (pt->procs[c].state == PT_ALIVE || (pt->procs[c].flags & PF_REPARENTED))
			n++;
	return n;
}

static void orphan_children(struct proctab *pt, uint32_t p, uint64_t ts)
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

/* ---- zombies and reaps ------------------------------------------------------------------ */

static void zombie_enter_group(struct proctab *pt, uint32_t i, uint32_t gi)
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

static void reap_event(struct proctab *pt, const struct pt_proc *e, uint64_t ts, uint32_t tid,
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
static void reap_zombie(struct proctab *pt, uint32_t i, uint32_t reaper, uint32_t tid,
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

static void pend_add(struct proctab *pt, uint32_t pid, uint32_t reaper, uint32_t tid,
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
static void pend_join(struct proctab *pt, uint32_t i)
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

static void pend_flush_due(struct proctab *pt, uint64_t now)
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

static void stale_add(struct proctab *pt, uint32_t i)
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

static void stale_flush_due(struct proctab *pt, uint64_t now)
{
	struct pt_stale s;

	while (pt->nstale && pt->stale[0].deadline <= now) {
		s = pt->stale[0];
		stale_remove(pt, 0);
		stale_close(pt, &s);
	}
}

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
	size_t avail, flen, alen;
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

	/* The record may be cut short after the filename; never read past it. */
	avail = h->size - offsetof(struct ll_exec, filename);
	flen = r->filename_len < LL_FILENAME_LEN - 1 ? r->filename_len : LL_FILENAME_LEN - 1;
	flen = flen < avail ? flen : avail;
	memcpy(filename, r->filename, flen);
	filename[flen] = '\0';
	avail = h->size > offsetof(struct ll_exec, args) ?
		h->size - offsetof(struct ll_exec, args) : 0;
	alen = r->args_len < LL_ARGS_LEN ? r->args_len : LL_ARGS_LEN;
	alen = alen < avail ? alen : avail;

	ev_init(&ev, EV_EXEC, h->ts_ns, h->tgid, h->tid, r->ppid, r->comm);
	ev.exec.filename = filename;
	ev.exec.args = r->args;
	ev.exec.args_len = (unsigned int)alen;
	ev.exec.truncated = r->args_truncated || alen < r->args_len;
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

static bool rec_fits(const struct ll_hdr *rec, size_t need)
{
	return rec->size >= need;
}

static void pt_advance(struct proctab *pt, uint64_t ts)
{
	if (!pt->first_ns)
		pt->first_ns = ts;
	if (ts > pt->now_ns)
		pt->now_ns = ts;
}

void pt_handle(struct proctab *pt, const struct ll_hdr *rec)
{
	pt->seq++;
	pt_advance(pt, rec->ts_ns);
	switch (rec->type) {
	case LL_REC_FORK:
		if (rec_fits(rec, sizeof(struct ll_fork)))
			handle_fork(pt, (const struct ll_fork *)rec);
		break;
	case LL_REC_EXEC:
		if (rec_fits(rec, offsetof(struct ll_exec, filename)))
			handle_exec(pt, (const struct ll_exec *)rec);
		break;
	case LL_REC_EXIT:
		if (rec_fits(rec, sizeof(struct ll_exit)))
			handle_exit(pt, (const struct ll_exit *)rec);
		break;
	case LL_REC_REAP:
		if (rec_fits(rec, sizeof(struct ll_reap)))
			handle_reap(pt, (const struct ll_reap *)rec);
		break;
	case LL_REC_SIGCHLD:
		if (rec_fits(rec, sizeof(struct ll_sigchld)))
			handle_sigchld(pt, (const struct ll_sigchld *)rec);
		break;
	default:
		break;
	}
	pend_flush_due(pt, pt->now_ns);
	stale_flush_due(pt, pt->now_ns);
}

/* ---- public: setup and inputs from main ------------------------------------------------- */

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

/*
 * How long the oldest zombie of g has lain, in us; 0 when it has none. LL_UNKNOWN when it exited
 * before lifeline started: *min_us then gets the lower bound, the time since lifeline started.
 */
static uint64_t group_oldest_us(const struct proctab *pt, const struct pt_group *g,
				uint64_t now_ns, uint64_t *min_us)
{
	const struct pt_proc *e;
	uint64_t since;

	*min_us = 0;
	if (g->zombies.head == PT_NONE)
		return 0;
	e = &pt->procs[g->zombies.head];
	if (e->exit_ns != LL_UNKNOWN)
		return now_ns > e->exit_ns ? (now_ns - e->exit_ns) / 1000 : 0;
	since = pt->cfg.start_ns ? pt->cfg.start_ns : pt->first_ns;
	*min_us = since && now_ns > since ? (now_ns - since) / 1000 : 0;
	return LL_UNKNOWN;
}

/* An init: host PID 1, or PID 1 of a PID namespace (a container's entrypoint). */
static bool group_is_init(const struct pt_group *g)
{
	return g->pid == 1 || g->ns_pid == 1;
}

/*
 * Why this parent's zombies linger, judged only when they do. The order matters: a disposition
 * that makes reaping impossible explains everything after it. oldest_us is LL_UNKNOWN for a
 * zombie older than lifeline: that one lingers.
 */
static enum ll_zombie_cause group_cause(const struct proctab *pt, const struct pt_group *g,
					uint64_t oldest_us)
{
	uint64_t linger_us = pt->cfg.linger_ns / 1000;
	uint64_t own_now = g->now - g->orphans_now;
	bool lingering;

	lingering = (g->now && oldest_us >= linger_us) || g->abandoned ||
		    (g->lifetime.count && hist_quantile(&g->lifetime, 0.5) >= linger_us);
	if (!lingering)
		return CAUSE_NONE;
	if (g->zexits && g->blocked_exits * 2 > g->zexits)
		return CAUSE_SIGCHLD_BLOCKED;
	if (g->zexits && g->ignored_exits * 2 > g->zexits)
		return CAUSE_SIGCHLD_IGNORED;
	if (group_is_init(g)) {
		if (!g->reaped && g->now && oldest_us >= PT_INIT_PATIENCE_NS / 1000)
			return CAUSE_INIT_NEVER_WAITS;
		return CAUSE_INIT_BATCH;	/* init waits, only not at once */
	}
	if ((own_now && !g->by_parent) || g->abandoned)
		return CAUSE_NEVER_WAITS;
	if (g->handed_now && g->handed_now * 2 >= g->now)
		return CAUSE_PARENT_DIED;
	if (g->coalesced && g->now)
		return CAUSE_COALESCED;
	if ((g->by_adopter + g->orphans_now) * 2 >= g->reaped + g->now)
		return CAUSE_INIT_BATCH;
	return CAUSE_SLOW_REAPER;
}

struct pt_sort {
	uint32_t gi;
	uint64_t k1, k2;
};

static int sort_desc(const void *a, const void *b)
{
	const struct pt_sort *x = a, *y = b;

	if (x->k1 != y->k1)
		return x->k1 > y->k1 ? -1 : 1;
	if (x->k2 != y->k2)
		return x->k2 > y->k2 ? -1 : 1;
	return x->gi < y->gi ? -1 : x->gi > y->gi;
}

static void view_comm(char *dst, const struct pt_group *g)
{
	comm_set(dst, comm_or_unknown(g->comm));
}

size_t pt_zombie_views(const struct proctab *pt, uint64_t now_ns, struct ll_zombie_view *out,
		       size_t max)
{
	const struct pt_group *g;
	struct pt_sort *s;
	uint64_t min_us;
	size_t n = 0, k;
	uint32_t gi;

	s = malloc((pt->ghiwat + 1) * sizeof(*s));
	if (!s)
		return 0;
	for (gi = 0; gi < pt->ghiwat; gi++) {
		g = pt->groups[gi];
		if (!g->in_use || !(g->abandoned || g->reaped || g->now || g->autoreaped ||
				    g->coalesced || g->vforks))
			continue;
		s[n].gi = gi;
		s[n].k1 = g->now;
		s[n].k2 = group_oldest_us(pt, g, now_ns, &min_us);
		if (s[n].k2 == LL_UNKNOWN)
			s[n].k2 = min_us;	/* sorts among the oldest */
		n++;
	}
	qsort(s, n, sizeof(*s), sort_desc);
	for (k = 0; k < n && k < max; k++) {
		struct ll_zombie_view *v = &out[k];

		g = pt->groups[s[k].gi];
		memset(v, 0, sizeof(*v));
		v->parent_pid = g->pid;
		view_comm(v->parent_comm, g);
		v->reaped = g->reaped;
		v->now = g->now;
		v->autoreaped = g->autoreaped;
		v->oldest_now_us = group_oldest_us(pt, g, now_ns, &v->oldest_now_min_us);
		v->lifetime = &g->lifetime;
		v->coalesced_sigchld = g->coalesced;
		v->vforks = g->vforks;
		v->cause = group_cause(pt, g, v->oldest_now_us);
		v->parent_ns_pid = g->ns_pid;
	}
	free(s);
	return k;
}

size_t pt_orphan_views(const struct proctab *pt, struct ll_orphan_view *out, size_t max)
{
	const struct pt_group *g;
	struct ll_orphan_view *v;
	struct pt_sort *s;
	size_t n = 0, k;
	uint32_t gi;

	s = malloc((pt->ghiwat + 1) * sizeof(*s));
	if (!s)
		return 0;
	for (gi = 0; gi < pt->ghiwat; gi++) {
		g = pt->groups[gi];
		if (!g->in_use || !g->adopted)
			continue;
		s[n].gi = gi;
		s[n].k1 = g->alive;
		s[n].k2 = g->adopted;
		n++;
	}
	qsort(s, n, sizeof(*s), sort_desc);
	for (k = 0; k < n && k < max; k++) {
		g = pt->groups[s[k].gi];
		v = &out[k];
		memset(v, 0, sizeof(*v));
		v->adopter_pid = g->pid;
		v->adopter_ns_pid = g->ns_pid;
		view_comm(v->adopter_comm, g);
		v->adopted = g->adopted;
		v->alive = g->alive;
		v->exited = g->exited;
		v->lifetime = g->oh ? &g->oh->lifetime : &pt->empty;
		v->reap = g->oh ? &g->oh->reap : &pt->empty;
	}
	free(s);
	if (pt->nwait && k < max) {
		v = &out[k++];
		memset(v, 0, sizeof(*v));
		comm_set(v->adopter_comm, "?");
		v->adopted = v->alive = pt->nwait;
		v->lifetime = v->reap = &pt->empty;
	}
	return k;
}
