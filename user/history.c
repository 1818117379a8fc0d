// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The run's history for the chart (see history.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "history.h"
#include "u64map.h"

#define HY_DEF_PROCS	4096
#define HY_DEF_LOOPS	128
#define HY_DEF_STALLS	48
#define HY_DEF_LINGER	10000000ULL	/* 10 ms */

struct history {
	struct history_cfg cfg;
	struct history_proc *procs;	/* in id order: compaction keeps the order */
	uint32_t nprocs;
	struct u64map bypid;		/* pid -> index + 1 of its latest entry */
	uint64_t next_id;
	struct history_loop *loops;
	uint32_t nloops;
	struct history_stall *stalls;	/* max_loops * max_stalls */
	struct history_folded evicted;	/* folded to make room */
	uint64_t dropped;		/* processes never kept: the table was all open processes */
	uint64_t last_ns;		/* the latest event: "now" for what is still open */
	uint64_t end_ns;
};

struct history *history_new(const struct history_cfg *cfg)
{
	struct history *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->cfg = *cfg;
	if (!h->cfg.max_procs)
		h->cfg.max_procs = HY_DEF_PROCS;
	if (!h->cfg.max_loops)
		h->cfg.max_loops = HY_DEF_LOOPS;
	if (!h->cfg.max_stalls)
		h->cfg.max_stalls = HY_DEF_STALLS;
	if (!h->cfg.linger_ns)
		h->cfg.linger_ns = HY_DEF_LINGER;
	h->procs = calloc(h->cfg.max_procs, sizeof(*h->procs));
	h->loops = calloc(h->cfg.max_loops, sizeof(*h->loops));
	h->stalls = calloc((size_t)h->cfg.max_loops * h->cfg.max_stalls, sizeof(*h->stalls));
	if (!h->procs || !h->loops || !h->stalls || u64map_init(&h->bypid, h->cfg.max_procs)) {
		history_free(h);
		return NULL;
	}
	h->last_ns = h->cfg.start_ns;
	h->end_ns = LL_UNKNOWN;
	return h;
}

void history_free(struct history *h)
{
	if (!h)
		return;
	u64map_fini(&h->bypid);
	free(h->procs);
	free(h->loops);
	free(h->stalls);
	free(h);
}

uint64_t history_start_ns(const struct history *h)
{
	return h->cfg.start_ns;
}

uint64_t history_end_ns(const struct history *h)
{
	return h->end_ns != LL_UNKNOWN ? h->end_ns : h->last_ns;
}

size_t history_loops(const struct history *h)
{
	return h->nloops;
}

/* ---- interest and folding ---------------------------------------------------------------- */

bool history_failed(const struct history_proc *p)
{
	struct fmt_status st = fmt_decode_status(p->status);

	return (p->flags & HP_EXITED) && (st.signaled || st.code);
}

static uint64_t hy_zombie_ns(const struct history *h, const struct history_proc *p)
{
	if (!(p->flags & HP_EXITED) || (p->flags & HP_AUTOREAP) || p->exit_ns == LL_UNKNOWN)
		return 0;
	if (p->flags & HP_REAPED)
		return p->reap_ns > p->exit_ns ? p->reap_ns - p->exit_ns : 0;
	return history_end_ns(h) > p->exit_ns ? history_end_ns(h) - p->exit_ns : 0;
}

/* From fork (or first sight) to reap (or now). */
static uint64_t hy_life_ns(const struct history *h, const struct history_proc *p)
{
	uint64_t from = p->start_ns != LL_UNKNOWN ? p->start_ns : p->seen_ns;
	uint64_t to = history_end_ns(h);

	if (p->flags & HP_REAPED)
		to = p->reap_ns;
	else if ((p->flags & HP_EXITED) && (p->flags & HP_AUTOREAP))
		to = p->exit_ns;
	return to > from ? to - from : 0;
}

bool history_lingered(const struct history *h, const struct history_proc *p)
{
	return hy_zombie_ns(h, p) >= h->cfg.linger_ns ||
	       ((p->flags & HP_EXITED) && !(p->flags & (HP_REAPED | HP_AUTOREAP)));
}

/* Bits in x: a log2 that needs no libm. */
static double hy_log2(uint64_t x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

double history_interest(const struct history *h, const struct history_proc *p)
{
	double s = hy_log2(hy_life_ns(h, p) / 1000);

	if (history_failed(p))
		s += 100;
	if (history_lingered(h, p))
		s += 100 + hy_log2(hy_zombie_ns(h, p) / 1000);
	if (p->flags & (HP_ORPHAN | HP_ADOPTER))
		s += 100;
	if (p->flags & HP_STALLS)
		s += 100;
	if (p->flags & HP_PARENT)
		s += 50 + hy_log2(p->kids);
	if (!(p->flags & HP_EXITED))
		s += 60;
	/* Ties among the dull: a hash, so that the ones kept are a fair sample of them. */
	return s + (double)(u64map_hash(p->pid ^ (p->id << 32)) & 0xffff) / 65536.0;
}

static void hy_fold(const struct history *h, const struct history_proc *p,
		    struct history_folded *f)
{
	uint64_t life = hy_life_ns(h, p);

	f->procs++;
	f->failed += history_failed(p);
	f->zombies += history_lingered(h, p);
	f->orphans += !!(p->flags & HP_ORPHAN);
	if (life > f->max_life_ns)
		f->max_life_ns = life;
}

static bool hy_finished(const struct history_proc *p)
{
	return (p->flags & HP_EXITED) && (p->flags & (HP_REAPED | HP_AUTOREAP));
}

struct hy_rank {
	double score;
	uint32_t idx;
};

static int hy_rank_cmp(const void *a, const void *b)
{
	const struct hy_rank *x = a, *y = b;

	return x->score < y->score ? -1 : x->score > y->score;
}

/* Folds the least interesting half of the finished processes; false if none could go. */
static bool hy_compact(struct history *h)
{
	struct hy_rank *r = malloc(h->nprocs * sizeof(*r));
	uint32_t i, n = 0, keep;
	bool *gone;

	if (!r)
		return false;
	for (i = 0; i < h->nprocs; i++)
		if (hy_finished(&h->procs[i]))
			r[n++] = (struct hy_rank){ history_interest(h, &h->procs[i]), i };
	gone = calloc(h->nprocs, sizeof(*gone));
	if (!n || !gone) {
		free(r);
		free(gone);
		return false;
	}
	qsort(r, n, sizeof(*r), hy_rank_cmp);
	for (i = 0; i < (n + 1) / 2; i++) {
		gone[r[i].idx] = true;
		hy_fold(h, &h->procs[r[i].idx], &h->evicted);
	}
	for (i = 0; i < h->nprocs; i++)
		u64map_del(&h->bypid, h->procs[i].pid);
	for (i = keep = 0; i < h->nprocs; i++) {
		if (gone[i])
			continue;
		h->procs[keep] = h->procs[i];
		u64map_put(&h->bypid, h->procs[keep].pid, keep + 1);	/* the later id wins */
		keep++;
	}
	h->nprocs = keep;
	free(r);
	free(gone);
	return true;
}

/* ---- the table --------------------------------------------------------------------------- */

static struct history_proc *hy_latest(struct history *h, uint32_t pid)
{
	uint32_t v = pid ? u64map_get(&h->bypid, pid) : 0;

	return v ? &h->procs[v - 1] : NULL;
}

static void hy_rename(struct history_proc *p, const char *comm)
{
	if (!comm || !comm[0] || !strcmp(comm, "?") || !strncmp(p->comm, comm, LL_COMM_LEN))
		return;
	if (p->comm[0] && !p->old_comm[0])
		memcpy(p->old_comm, p->comm, LL_COMM_LEN);
	strncpy(p->comm, comm, LL_COMM_LEN - 1);
	p->comm[LL_COMM_LEN - 1] = '\0';
}

/* A new entry, first seen at ts; NULL (and counted) when every entry is an open process. */
static struct history_proc *hy_add(struct history *h, uint32_t pid, const char *comm, uint64_t ts)
{
	struct history_proc *p;

	if (h->nprocs == h->cfg.max_procs && !hy_compact(h)) {
		h->dropped++;
		return NULL;
	}
	p = &h->procs[h->nprocs];
	*p = (struct history_proc){ .id = ++h->next_id, .pid = pid, .seen_ns = ts,
		.start_ns = LL_UNKNOWN, .exit_ns = LL_UNKNOWN, .reap_ns = LL_UNKNOWN };
	hy_rename(p, comm);
	u64map_put(&h->bypid, pid, ++h->nprocs);
	return p;
}

/* The living process with this pid, or a new entry if the one we know has exited. */
static struct history_proc *hy_alive(struct history *h, uint32_t pid, const char *comm,
				     uint64_t ts)
{
	struct history_proc *p = hy_latest(h, pid);

	if (p && !(p->flags & HP_EXITED))
		return p;
	return pid ? hy_add(h, pid, comm, ts) : NULL;
}

/* Any process with this pid that has not been reaped, else a new entry. */
static struct history_proc *hy_unreaped(struct history *h, uint32_t pid, const char *comm,
					uint64_t ts)
{
	struct history_proc *p = hy_latest(h, pid);

	if (p && !(p->flags & HP_REAPED))
		return p;
	return pid ? hy_add(h, pid, comm, ts) : NULL;
}

static void hy_fork(struct history *h, const struct ll_event *ev)
{
	struct history_proc *parent, *p;
	uint64_t parent_id = 0;

	/* A child's name at fork is its parent's. */
	parent = hy_alive(h, ev->ppid, ev->comm, ev->ts_ns);
	if (parent) {
		parent->flags |= HP_PARENT;
		parent->kids++;
		parent_id = parent->id;
	}
	p = hy_latest(h, ev->pid);
	/* Its exec or exit may have come first (records from two CPUs): that is this child. */
	if (!p || (p->flags & (HP_FORKED | HP_REAPED)) || p->seen_ns < ev->ts_ns)
		p = hy_add(h, ev->pid, NULL, ev->ts_ns);
	if (!p)
		return;
	if (p->comm[0] && strncmp(p->comm, ev->comm, LL_COMM_LEN) && !p->old_comm[0])
		memcpy(p->old_comm, ev->comm, LL_COMM_LEN);
	else
		hy_rename(p, ev->comm);
	p->flags |= HP_FORKED;
	p->start_ns = ev->ts_ns;
	if (ev->ts_ns < p->seen_ns)
		p->seen_ns = ev->ts_ns;
	p->ppid = ev->ppid;
	p->parent_id = parent_id;
}

static void hy_exec(struct history *h, const struct ll_event *ev)
{
	struct history_proc *p = hy_alive(h, ev->pid, NULL, ev->ts_ns);

	if (!p)
		return;
	hy_rename(p, ev->comm);
	p->flags |= HP_EXECED;
	if (!p->ppid)
		p->ppid = ev->ppid;
}

static void hy_exit(struct history *h, const struct ll_event *ev)
{
	struct history_proc *p = hy_alive(h, ev->pid, ev->comm, ev->ts_ns);

	if (!p)
		return;
	hy_rename(p, ev->comm);	/* a prctl(PR_SET_NAME) shows here first */
	p->flags |= HP_EXITED;
	p->exit_ns = ev->ts_ns;
	p->status = ev->exit.status;
	if (!ev->exit.zombie)
		p->flags |= HP_AUTOREAP;
	if (!p->ppid)
		p->ppid = ev->ppid;
}

static void hy_reap(struct history *h, const struct ll_event *ev)
{
	struct history_proc *p = hy_unreaped(h, ev->pid, ev->comm, ev->ts_ns);

	if (!p)
		return;
	p->flags |= HP_REAPED;
	p->reap_ns = ev->ts_ns;
	if (ev->reap.how == HOW_AUTOREAP)
		p->flags |= HP_AUTOREAP;
	history_name(h, ev->reap.reaper_pid, ev->reap.reaper_comm);
}

static void hy_orphan(struct history *h, const struct ll_event *ev)
{
	struct history_proc *p = hy_latest(h, ev->pid), *a;

	if (!p)
		p = hy_add(h, ev->pid, ev->comm, ev->ts_ns);
	if (!p)
		return;
	p->flags |= HP_ORPHAN;
	p->orphan_ns = ev->ts_ns;
	p->adopter = ev->orphan.adopter_pid;
	if (!p->ppid)
		p->ppid = ev->orphan.old_ppid;
	a = hy_alive(h, p->adopter, NULL, ev->ts_ns);
	if (!a)
		return;
	a->flags |= HP_ADOPTER;
	p = hy_latest(h, ev->pid);	/* adding the adopter may have compacted the table */
	if (p)
		p->adopter_id = a->id;
}

void history_event(struct history *h, const struct ll_event *ev)
{
	if (ev->ts_ns > h->last_ns)
		h->last_ns = ev->ts_ns;
	switch (ev->kind) {
	case EV_FORK:
		hy_fork(h, ev);
		break;
	case EV_EXEC:
		hy_exec(h, ev);
		break;
	case EV_EXIT:
		hy_exit(h, ev);
		break;
	case EV_REAP:
		hy_reap(h, ev);
		break;
	case EV_ORPHAN:
		hy_orphan(h, ev);
		break;
	case EV_STALL:
		/* The stall event does not name the syscall it slept in yet; once it does, pass
		 * it here instead of NULL and the chart labels the stall with it. */
		history_stall(h, ev->pid, ev->tid, ev->comm, ev->stall.start_ns,
			      ev->stall.busy_us * 1000, NULL);
		break;
	default:
		break;
	}
}

void history_name(struct history *h, uint32_t pid, const char *comm)
{
	struct history_proc *p = pid ? hy_latest(h, pid) : NULL;

	if (p && !p->comm[0])
		hy_rename(p, comm);
}

/* ---- loops ------------------------------------------------------------------------------- */

static struct history_loop *hy_loop(struct history *h, uint32_t pid, uint32_t tid)
{
	struct history_loop *l;
	uint32_t i;

	for (i = 0; i < h->nloops; i++)
		if (h->loops[i].tid == tid && h->loops[i].pid == pid)
			return &h->loops[i];
	if (h->nloops == h->cfg.max_loops)
		return NULL;
	l = &h->loops[h->nloops];
	*l = (struct history_loop){ .pid = pid, .tid = tid,
		.stall = h->stalls + (size_t)h->nloops * h->cfg.max_stalls };
	h->nloops++;
	return l;
}

void history_stall(struct history *h, uint32_t pid, uint32_t tid, const char *comm,
		   uint64_t start_ns, uint64_t dur_ns, const char *syscall)
{
	struct history_loop *l = hy_loop(h, pid, tid);
	struct history_proc *p = hy_alive(h, pid, comm, start_ns);
	struct history_stall *s;
	uint32_t i, min = 0;

	if (p)
		p->flags |= HP_STALLS;
	if (start_ns + dur_ns > h->last_ns)
		h->last_ns = start_ns + dur_ns;
	if (!l)
		return;
	if (comm && comm[0])
		snprintf(l->comm, sizeof(l->comm), "%s", comm);
	l->stalls++;
	if (dur_ns > l->max_ns)
		l->max_ns = dur_ns;
	if (l->nkept < h->cfg.max_stalls) {
		s = &l->stall[l->nkept++];
	} else {
		/* Full: the shortest kept one makes room for a longer one. */
		for (i = 1; i < l->nkept; i++)
			if (l->stall[i].dur_ns < l->stall[min].dur_ns)
				min = i;
		if (l->stall[min].dur_ns >= dur_ns)
			return;
		s = &l->stall[min];
	}
	*s = (struct history_stall){ .start_ns = start_ns, .dur_ns = dur_ns };
	if (syscall)
		snprintf(s->syscall, sizeof(s->syscall), "%s", syscall);
}

void history_end(struct history *h, uint64_t end_ns)
{
	h->end_ns = end_ns > h->last_ns ? end_ns : h->last_ns;
}

/* ---- layout ------------------------------------------------------------------------------ */

struct hy_layout {
	const struct history *h;
	uint32_t *sel;		/* selected entries' indexes, in id order */
	uint32_t nsel;
	int32_t *first_kid, *next_kid;	/* by position in sel */
	int32_t *row_of;	/* by position in sel */
	int32_t *parent;	/* by position in sel: the parent's position, -1 for a root */
	struct history_row *out;
	size_t n, max;
};

/* Position in sel of the entry with this id, -1 if it is not drawn. */
static int32_t hy_find(const struct hy_layout *L, uint64_t id)
{
	int32_t lo = 0, hi = (int32_t)L->nsel - 1;

	while (id && lo <= hi) {
		int32_t mid = (lo + hi) / 2;
		uint64_t v = L->h->procs[L->sel[mid]].id;

		if (v == id)
			return mid;
		if (v < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static void hy_put(struct hy_layout *L, const struct history_proc *p,
		   const struct history_loop *l, unsigned int depth, int parent_row)
{
	if (L->n == L->max)
		return;
	L->out[L->n++] = (struct history_row){ .proc = p, .loop = l, .depth = depth,
		.adopter_row = -1, .parent_row = parent_row };
}

static bool hy_loop_of(const struct history_loop *l, const struct history_proc *p,
		       const struct history *h)
{
	const struct history_proc *cur = NULL;
	uint32_t v = u64map_get(&h->bypid, l->pid);

	if (v)
		cur = &h->procs[v - 1];
	/* The loop's thread belongs to the latest process with its pid. */
	return cur == p;
}

static void hy_emit(struct hy_layout *L, int32_t pos, unsigned int depth, int parent_row)
{
	const struct history_proc *p = &L->h->procs[L->sel[pos]];
	int row = (int)L->n;
	uint32_t i;
	int32_t k;

	if (L->row_of[pos] >= 0)
		return;		/* a cycle of bad data: each entry is drawn once */
	L->row_of[pos] = row;
	hy_put(L, p, NULL, depth, parent_row);
	for (i = 0; i < L->h->nloops; i++)
		if (hy_loop_of(&L->h->loops[i], p, L->h))
			hy_put(L, p, &L->h->loops[i], depth + 1, row);
	for (k = L->first_kid[pos]; k >= 0; k = L->next_kid[k])
		hy_emit(L, k, depth + 1, row);
}

static int hy_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The max_rows most interesting entries, back in id (= array) order. */
static uint32_t hy_select(const struct history *h, size_t max_rows, uint32_t *sel,
			  struct history_folded *folded)
{
	struct hy_rank *r;
	uint32_t i, n = 0;

	if (h->nprocs <= max_rows) {
		for (i = 0; i < h->nprocs; i++)
			sel[i] = i;
		return h->nprocs;
	}
	r = malloc(h->nprocs * sizeof(*r));
	if (!r)
		return 0;
	for (i = 0; i < h->nprocs; i++)
		r[i] = (struct hy_rank){ history_interest(h, &h->procs[i]), i };
	qsort(r, h->nprocs, sizeof(*r), hy_rank_cmp);
	for (i = 0; i < h->nprocs; i++) {
		if (i < h->nprocs - max_rows)
			hy_fold(h, &h->procs[r[i].idx], folded);
		else
			sel[n++] = r[i].idx;
	}
	free(r);
	qsort(sel, n, sizeof(*sel), hy_u32_cmp);
	return n;
}

/*
 * Where pos hangs: under the entry that forked it; or, when its fork was not seen, under the
 * drawn process with its parent's pid that was alive when it was first seen. -1: a root.
 */
static int32_t hy_parent_pos(const struct hy_layout *L, int32_t pos)
{
	const struct history_proc *p = &L->h->procs[L->sel[pos]], *q;
	int32_t i;

	if (p->parent_id)
		return hy_find(L, p->parent_id);
	if (!p->ppid || (p->flags & (HP_FORKED | HP_ORPHAN)))
		return -1;
	for (i = 0; i < (int32_t)L->nsel; i++) {
		q = &L->h->procs[L->sel[i]];
		if (i != pos && q->pid == p->ppid &&
		    (q->start_ns == LL_UNKNOWN || q->start_ns <= p->seen_ns) &&
		    (!(q->flags & HP_EXITED) || q->exit_ns >= p->seen_ns))
			return i;
	}
	return -1;
}

static void hy_link(struct hy_layout *L, int32_t *last_kid)
{
	int32_t pos, par;

	for (pos = 0; pos < (int32_t)L->nsel; pos++)
		L->first_kid[pos] = L->next_kid[pos] = last_kid[pos] = L->row_of[pos] = -1;
	for (pos = 0; pos < (int32_t)L->nsel; pos++) {
		par = L->parent[pos] = hy_parent_pos(L, pos);
		if (par < 0 || par == pos)
			continue;
		if (last_kid[par] < 0)
			L->first_kid[par] = pos;
		else
			L->next_kid[last_kid[par]] = pos;
		last_kid[par] = pos;
	}
}

size_t history_rows(const struct history *h, size_t max_rows, struct history_row *out, size_t max_out,
		    struct history_folded *folded)
{
	struct hy_layout L = { .h = h, .out = out, .max = max_out };
	int32_t *last_kid, pos;
	size_t i;

	*folded = h->evicted;
	folded->procs += h->dropped;
	L.sel = malloc((h->nprocs + 1) * sizeof(*L.sel));
	L.first_kid = malloc((h->nprocs + 1) * sizeof(int32_t));
	L.next_kid = malloc((h->nprocs + 1) * sizeof(int32_t));
	L.row_of = malloc((h->nprocs + 1) * sizeof(int32_t));
	L.parent = malloc((h->nprocs + 1) * sizeof(int32_t));
	last_kid = malloc((h->nprocs + 1) * sizeof(int32_t));
	if (!L.sel || !L.first_kid || !L.next_kid || !L.row_of || !L.parent || !last_kid)
		goto out;
	L.nsel = hy_select(h, max_rows, L.sel, folded);
	hy_link(&L, last_kid);
	/* Roots: entries whose parent is not drawn (or was never seen), in order of first sight;
	 * then whatever a cycle of bad data kept from being reached. */
	for (pos = 0; pos < (int32_t)L.nsel; pos++)
		if (L.parent[pos] < 0 || L.parent[pos] == pos)
			hy_emit(&L, pos, 0, -1);
	for (pos = 0; pos < (int32_t)L.nsel; pos++)
		hy_emit(&L, pos, 0, -1);
	/* Loops whose process is not drawn get a row of their own. */
	for (i = 0; i < h->nloops; i++) {
		uint32_t v = u64map_get(&h->bypid, h->loops[i].pid);

		if (!v || hy_find(&L, h->procs[v - 1].id) < 0)
			hy_put(&L, NULL, &h->loops[i], 0, -1);
	}
	for (i = 0; i < L.n; i++) {
		const struct history_proc *p = out[i].proc;

		if (p && !out[i].loop && (p->flags & HP_ORPHAN)) {
			pos = hy_find(&L, p->adopter_id);
			out[i].adopter_row = pos >= 0 ? L.row_of[pos] : -1;
		}
	}
out:
	free(L.sel);
	free(L.first_kid);
	free(L.next_kid);
	free(L.row_of);
	free(L.parent);
	free(last_kid);
	return L.n;
}
