// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The process table's private data model (proctab.h is the public API), shared by its rooms:
 *   proctab.c         entries, the pid hash, age lists, alloc/release/evict, subject matching,
 *                     groups, setup and queries;
 *   proctab_reap.c    zombie groups, reaps, the join queues (pend/stale), the recent ring, the
 *                     /proc verification;
 *   proctab_orphan.c  orphans and adopters;
 *   proctab_rec.c     the record handlers (fork/exec/exit/reap/sigchld), seed, lost, tick and
 *                     the adopters read from /proc;
 *   proctab_view.c    group_cause and the views.
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
#ifndef LL_PROCTAB_INT_H
#define LL_PROCTAB_INT_H

#include <stdlib.h>
#include <string.h>
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

static inline void comm_set(char *dst, const char *src)
{
	size_t n = src ? strnlen(src, LL_COMM_LEN - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

static inline const char *comm_or_unknown(const char *comm)
{
	return comm && comm[0] ? comm : "?";
}

static inline uint32_t pid_hash(uint32_t pid)
{
	return pid * 2654435761u;
}

static inline uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 16;

	while (p < n && p < (1u << 30))
		p <<= 1;
	return p;
}

/* Whole microseconds from a to b; LL_UNKNOWN if a is unknown, 0 if b precedes a (disorder). */
static inline uint64_t span_us(uint64_t a, uint64_t b)
{
	if (a == LL_UNKNOWN || b == LL_UNKNOWN)
		return LL_UNKNOWN;
	return b > a ? (b - a) / 1000 : 0;
}

static inline void emit(const struct proctab *pt, const struct ll_event *ev)
{
	if (pt->cfg.emit)
		pt->cfg.emit(pt->cfg.ctx, ev);
}

static inline void ev_init(struct ll_event *ev, enum ll_ev_kind kind, uint64_t ts, uint32_t pid,
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

static inline struct pt_link *link_at(struct proctab *pt, uint32_t i, size_t off)
{
	return (struct pt_link *)((char *)&pt->procs[i] + off);
}

static inline void list_init(struct pt_list *l)
{
	l->head = l->tail = PT_NONE;
}

/* Insert i after pos (PT_NONE: at the head). */
static inline void list_insert_after(struct proctab *pt, struct pt_list *l, size_t off,
				     uint32_t pos, uint32_t i)
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

static inline void list_add_tail(struct proctab *pt, struct pt_list *l, size_t off, uint32_t i)
{
	list_insert_after(pt, l, off, l->tail, i);
}

static inline void list_del(struct proctab *pt, struct pt_list *l, size_t off, uint32_t i)
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

/* ---- tiny accessors --------------------------------------------------------------------- */

static inline struct pt_group *grp(const struct proctab *pt, uint32_t gi)
{
	return gi == PT_NONE ? NULL : pt->groups[gi];
}

static inline void group_touch(struct proctab *pt, struct pt_group *g)
{
	g->last_ns = pt->now_ns;
	g->pin = pt->seq;
}

static inline struct pt_ohists *group_ohists(struct pt_group *g)
{
	if (!g->oh)
		g->oh = calloc(1, sizeof(*g->oh));
	return g->oh;
}

static inline uint32_t chain_head(const struct proctab *pt, uint32_t pid)
{
	return pt->buckets[pid_hash(pid) & pt->bmask];
}

/* Zombie exit times for ordering: a seeded zombie (exit unknown) died before anything we saw. */
static inline uint64_t zombie_key(const struct pt_proc *e)
{
	return e->exit_ns == LL_UNKNOWN ? 0 : e->exit_ns;
}

/* ---- proctab.c -------------------------------------------------------------------------- */

uint32_t group_find(const struct proctab *pt, uint32_t pid, uint64_t start);
uint32_t group_of(struct proctab *pt, uint32_t i);
void group_ref(struct proctab *pt, uint32_t gi);
void group_unref(struct proctab *pt, uint32_t gi);
uint32_t proc_find_alive(const struct proctab *pt, uint32_t pid);
uint32_t proc_find_zombie(const struct proctab *pt, uint32_t pid, uint64_t ts);
uint32_t proc_find_current(const struct proctab *pt, uint32_t pid);
void proc_set_age(struct proctab *pt, uint32_t i, enum pt_age cls);
void proc_link_parent(struct proctab *pt, uint32_t i, uint32_t p);
void proc_unlink_parent(struct proctab *pt, uint32_t i);
void proc_release(struct proctab *pt, uint32_t i);
void proc_close_incomplete(struct proctab *pt, uint32_t i);
uint32_t proc_alloc(struct proctab *pt, uint32_t pid);
void proc_learn_start(struct proctab *pt, uint32_t i, uint64_t start);
void proc_learn_ns_pid(struct proctab *pt, uint32_t i, uint32_t ns_pid);
void proc_confirm(struct proctab *pt, uint32_t i);
uint32_t proc_get(struct proctab *pt, uint32_t pid, const char *comm);
uint32_t proc_subject(struct proctab *pt, uint32_t pid, uint64_t start, bool *created);

/* ---- proctab_reap.c --------------------------------------------------------------------- */

void recent_add(struct proctab *pt, const struct pt_proc *e, uint64_t ts, enum pt_gone why);
bool recent_has_start(const struct proctab *pt, uint32_t pid, uint64_t start);
bool recent_released_unwaited(const struct proctab *pt, uint32_t pid, uint64_t ts);
void zombie_enter_group(struct proctab *pt, uint32_t i, uint32_t gi);
void zombie_leave_group(struct proctab *pt, uint32_t i);
void reap_event(struct proctab *pt, const struct pt_proc *e, uint64_t ts, uint32_t tid,
		uint32_t reaper, uint64_t zombie_us, enum ll_how how, bool orphan);
void reap_zombie(struct proctab *pt, uint32_t i, uint32_t reaper, uint32_t tid,
		 enum ll_how how, uint64_t ts);
void pend_add(struct proctab *pt, uint32_t pid, uint32_t reaper, uint32_t tid,
	      uint32_t how, uint64_t ts);
void pend_join(struct proctab *pt, uint32_t i);
void pend_flush_due(struct proctab *pt, uint64_t now);
void stale_add(struct proctab *pt, uint32_t i);
void stale_flush_due(struct proctab *pt, uint64_t now);

/* ---- proctab_orphan.c ------------------------------------------------------------------- */

void orphan_leave_group(struct proctab *pt, uint32_t i);
void orphan_stop_waiting(struct proctab *pt, uint32_t i);
void orphan_mark(struct proctab *pt, uint32_t i, uint32_t p, uint64_t ts);
void orphan_resolve(struct proctab *pt, uint32_t i, uint32_t adopter, const char *comm);
void orphan_cancel(struct proctab *pt, uint32_t i);
void orphan_exited(struct proctab *pt, uint32_t i, uint64_t ts);
void zombie_adopted(struct proctab *pt, uint32_t i, uint32_t adopter, const char *comm);
unsigned int orphans_of(const struct proctab *pt, uint32_t p);
void orphan_children(struct proctab *pt, uint32_t p, uint64_t ts);

#endif
