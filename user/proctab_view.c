// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The process table: group_cause and the views.
 * The data model: proctab_int.h.
 */
#include "proctab_int.h"

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

/* Sets the sort keys of a group a view shows; false for a group the view leaves out. */
typedef bool (*pt_sort_keys)(const struct proctab *pt, const struct pt_group *g,
			     uint64_t now_ns, struct pt_sort *s);

/* The groups in use that keys() takes, sorted by their keys, descending; NULL without memory. */
static struct pt_sort *sorted_groups(const struct proctab *pt, uint64_t now_ns,
				     pt_sort_keys keys, size_t *n)
{
	struct pt_sort *s;
	uint32_t gi;

	*n = 0;
	s = malloc((pt->ghiwat + 1) * sizeof(*s));
	if (!s)
		return NULL;
	for (gi = 0; gi < pt->ghiwat; gi++) {
		if (!pt->groups[gi]->in_use || !keys(pt, pt->groups[gi], now_ns, &s[*n]))
			continue;
		s[(*n)++].gi = gi;
	}
	qsort(s, *n, sizeof(*s), sort_desc);
	return s;
}

static void view_comm(char *dst, const struct pt_group *g)
{
	comm_set(dst, comm_or_unknown(g->comm));
}

/* Zombie groups: the most zombies now first, then the oldest. */
static bool zombie_keys(const struct proctab *pt, const struct pt_group *g, uint64_t now_ns,
			struct pt_sort *s)
{
	uint64_t min_us;

	if (!(g->abandoned || g->reaped || g->now || g->autoreaped || g->coalesced || g->vforks))
		return false;
	s->k1 = g->now;
	s->k2 = group_oldest_us(pt, g, now_ns, &min_us);
	if (s->k2 == LL_UNKNOWN)
		s->k2 = min_us;		/* sorts among the oldest */
	return true;
}

size_t pt_zombie_views(const struct proctab *pt, uint64_t now_ns, struct ll_zombie_view *out,
		       size_t max)
{
	const struct pt_group *g;
	struct pt_sort *s;
	size_t n, k;

	s = sorted_groups(pt, now_ns, zombie_keys, &n);
	if (!s)
		return 0;
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

/* Adopters: the most orphans alive first, then the most adopted. */
static bool orphan_keys(const struct proctab *pt, const struct pt_group *g, uint64_t now_ns,
			struct pt_sort *s)
{
	(void)pt;
	(void)now_ns;
	if (!g->adopted)
		return false;
	s->k1 = g->alive;
	s->k2 = g->adopted;
	return true;
}

size_t pt_orphan_views(const struct proctab *pt, struct ll_orphan_view *out, size_t max)
{
	const struct pt_group *g;
	struct ll_orphan_view *v;
	struct pt_sort *s;
	size_t n, k;

	s = sorted_groups(pt, 0, orphan_keys, &n);
	if (!s)
		return 0;
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
