// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Listener state.
 *
 * Listeners live in a fixed array (the views point into it) with an open-addressing index keyed by
 * (pid, port) that holds live listeners only: once a process exits, its listeners stay for the
 * summary, and a new process that reuses the pid starts fresh ones.
 *
 * Fork-per-connection servers accept, then fork a child that serves the connection. To join the
 * two, each accepting thread keeps its last few successful accepts ("pending"); a fork from that
 * thread within LS_FORK_WINDOW_NS takes the most recent one, and the child is followed until its
 * reap. Threads and children sit in small set-associative tables: O(1) per record, bounded, and
 * a full set drops its oldest entry, which is the one least likely to still matter.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "listeners.h"
#include "u64map.h"

#define LS_WAYS 4	/* entries per set in the thread and child tables */

struct ls_listener {
	uint32_t serial;	/* unique per listener ever made: stale references show; 0: free */
	uint32_t pid;
	uint16_t port;
	bool dead;		/* the process exited */
	char comm[LL_COMM_LEN];
	uint64_t last_ns;	/* last accept record, for eviction */
	uint64_t dead_ns;
	uint64_t accepts;
	uint64_t errors;
	uint64_t eagain;
	uint64_t emfile;
	uint64_t handled_by_fork;
	uint64_t children_exited;
	uint64_t children_failed;
	uint64_t tick_accepts;	/* accepts at the previous tick */
	int listen_fd;		/* of its last successful accept: where its failed ones go */
	unsigned int backlog_limit;
	unsigned int backlog_peak;
	uint64_t backlog_full;
	double rate;
	struct ll_hist queue;
	struct ll_hist child_zombie;
};

/* A listener as seen from a pending accept or a child: an index checked against the serial. */
struct ls_ref {
	uint32_t idx;
	uint32_t serial;
};

struct ls_pending {
	uint64_t ts_ns;
	struct ls_ref ref;
};

struct ls_thread {
	uint32_t tid;
	uint8_t head;		/* oldest pending accept */
	uint8_t n;		/* 0: free entry */
	struct ls_pending p[LS_PENDING_PER_THREAD];
};

struct ls_child {
	uint32_t pid;
	bool used;
	uint64_t ts_ns;		/* fork */
	struct ls_ref ref;
};

struct listeners {
	ll_emit_fn emit;
	void *ctx;

	struct ls_listener *l;
	size_t nl, max_l;
	uint32_t next_serial;
	struct u64map index;	/* (pid, port) of live listeners -> listener index + 1 */

	struct ls_thread *threads;
	uint64_t thread_sets_mask;
	struct ls_child *children;
	uint64_t child_sets_mask;

	uint64_t total_accepts;
	uint64_t first_ns;	/* first record: the first rate interval starts there */
	uint64_t last_tick_ns;
	struct ls_counters cnt;
};

static uint64_t ls_pow2_at_least(uint64_t n)
{
	uint64_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static uint64_t ls_key(uint32_t pid, uint16_t port)
{
	return (uint64_t)pid << 16 | port;
}

/* ---- listeners ---- */

static struct ls_listener *ls_index_find(const struct listeners *ls, uint64_t key)
{
	uint32_t val = u64map_get(&ls->index, key);

	return val ? &ls->l[val - 1] : NULL;
}

static struct ls_listener *ls_ref_get(struct listeners *ls, struct ls_ref ref)
{
	struct ls_listener *l = &ls->l[ref.idx];

	return l->serial == ref.serial ? l : NULL;
}

static struct ls_ref ls_ref_of(const struct listeners *ls, const struct ls_listener *l)
{
	return (struct ls_ref){ .idx = (uint32_t)(l - ls->l), .serial = l->serial };
}

static void ls_mark_dead(struct listeners *ls, struct ls_listener *l, uint64_t ts_ns)
{
	u64map_del(&ls->index, ls_key(l->pid, l->port));
	l->dead = true;
	l->dead_ns = ts_ns;
	l->rate = 0;
}

/* Room for one more: the longest-dead listener, else the one idle the longest. */
static struct ls_listener *ls_evict_one(struct listeners *ls)
{
	struct ls_listener *victim = NULL, *l;
	size_t i;

	for (i = 0; i < ls->nl; i++) {
		l = &ls->l[i];
		if (!victim || (l->dead && !victim->dead) ||
		    (l->dead == victim->dead &&
		     (l->dead ? l->dead_ns < victim->dead_ns : l->last_ns < victim->last_ns)))
			victim = l;
	}
	if (!victim->dead)
		u64map_del(&ls->index, ls_key(victim->pid, victim->port));
	ls->cnt.listeners_evicted++;
	return victim;
}

static struct ls_listener *ls_listener_get(struct listeners *ls, uint32_t pid, uint16_t port)
{
	struct ls_listener *l = ls_index_find(ls, ls_key(pid, port));

	if (l)
		return l;
	l = ls->nl < ls->max_l ? &ls->l[ls->nl++] : ls_evict_one(ls);
	memset(l, 0, sizeof(*l));
	l->serial = ++ls->next_serial ? ls->next_serial : ++ls->next_serial;
	l->pid = pid;
	l->port = port;
	/* cannot fail: only live listeners are indexed, and there are at most max_l of them */
	u64map_put(&ls->index, ls_key(pid, port), (uint32_t)(l - ls->l) + 1);
	return l;
}

/*
 * A failed accept carries no port (the kernel side does not walk an fd the accept rejected): it
 * belongs to the live listener of that process whose last accept came from the same listen fd.
 */
static struct ls_listener *ls_listener_of_accept(struct listeners *ls,
						 const struct ll_accept *rec)
{
	size_t i;

	if (rec->fd < 0 && !rec->lport)
		for (i = 0; i < ls->nl; i++)
			if (ls->l[i].serial && ls->l[i].pid == rec->hdr.tgid && !ls->l[i].dead &&
			    ls->l[i].listen_fd == rec->listen_fd && ls->l[i].accepts)
				return &ls->l[i];
	return ls_listener_get(ls, rec->hdr.tgid, rec->lport);
}

/* ---- threads with accepted connections that a fork may take ---- */

static struct ls_thread *ls_thread_set(const struct listeners *ls, uint32_t tid)
{
	return &ls->threads[(u64map_hash(tid) & ls->thread_sets_mask) * LS_WAYS];
}

static struct ls_thread *ls_thread_find(const struct listeners *ls, uint32_t tid)
{
	struct ls_thread *set = ls_thread_set(ls, tid);
	int w;

	for (w = 0; w < LS_WAYS; w++)
		if (set[w].n && set[w].tid == tid)
			return &set[w];
	return NULL;
}

static struct ls_pending *ls_thread_newest(struct ls_thread *t)
{
	return &t->p[(t->head + t->n - 1) % LS_PENDING_PER_THREAD];
}

static void ls_thread_clear(struct listeners *ls, struct ls_thread *t)
{
	ls->cnt.pending -= t->n;
	t->n = 0;
	t->head = 0;
}

/* An entry for tid: its own, a free one, or the one in its set whose last accept is oldest. */
static struct ls_thread *ls_thread_get(struct listeners *ls, uint32_t tid)
{
	struct ls_thread *set, *t = ls_thread_find(ls, tid);
	int w;

	if (t)
		return t;
	set = ls_thread_set(ls, tid);
	for (w = 0; w < LS_WAYS; w++) {
		if (!set[w].n)
			break;
		if (!t || ls_thread_newest(&set[w])->ts_ns < ls_thread_newest(t)->ts_ns)
			t = &set[w];
	}
	if (w < LS_WAYS) {
		t = &set[w];
	} else {
		ls->cnt.pending_dropped += t->n;
		ls_thread_clear(ls, t);
	}
	t->tid = tid;
	return t;
}

static void ls_pending_push(struct listeners *ls, uint32_t tid, uint64_t ts_ns, struct ls_ref ref)
{
	struct ls_thread *t = ls_thread_get(ls, tid);

	if (t->n == LS_PENDING_PER_THREAD) {
		/* a thread that accepts without forking: only its latest accepts matter */
		t->head = (t->head + 1) % LS_PENDING_PER_THREAD;
		t->n--;
		ls->cnt.pending--;
		ls->cnt.pending_dropped++;
	}
	t->n++;
	ls->cnt.pending++;
	*ls_thread_newest(t) = (struct ls_pending){ .ts_ns = ts_ns, .ref = ref };
}

static bool ls_pending_expired(uint64_t accept_ns, uint64_t now_ns)
{
	return now_ns > accept_ns && now_ns - accept_ns > LS_FORK_WINDOW_NS;
}

/* The connection a fork at ts_ns from tid takes: its most recent recent-enough accept. */
static bool ls_pending_pop(struct listeners *ls, uint32_t tid, uint64_t ts_ns, struct ls_ref *ref)
{
	struct ls_thread *t = ls_thread_find(ls, tid);
	struct ls_pending *p;

	if (!t)
		return false;
	p = ls_thread_newest(t);
	if (ls_pending_expired(p->ts_ns, ts_ns)) {
		ls_thread_clear(ls, t);	/* the others are older still */
		return false;
	}
	*ref = p->ref;
	t->n--;
	ls->cnt.pending--;
	return true;
}

static void ls_pending_expire(struct listeners *ls, uint64_t now_ns)
{
	struct ls_thread *t;
	uint64_t i, n = (ls->thread_sets_mask + 1) * LS_WAYS;

	for (i = 0; i < n; i++) {
		t = &ls->threads[i];
		while (t->n && ls_pending_expired(t->p[t->head].ts_ns, now_ns)) {
			t->head = (t->head + 1) % LS_PENDING_PER_THREAD;
			t->n--;
			ls->cnt.pending--;
		}
	}
}

/* ---- children of fork-per-connection servers ---- */

static struct ls_child *ls_child_set(const struct listeners *ls, uint32_t pid)
{
	return &ls->children[(u64map_hash(pid) & ls->child_sets_mask) * LS_WAYS];
}

static struct ls_child *ls_child_find(const struct listeners *ls, uint32_t pid)
{
	struct ls_child *set = ls_child_set(ls, pid);
	int w;

	for (w = 0; w < LS_WAYS; w++)
		if (set[w].used && set[w].pid == pid)
			return &set[w];
	return NULL;
}

static void ls_child_add(struct listeners *ls, uint32_t pid, uint64_t ts_ns, struct ls_ref ref)
{
	struct ls_child *set, *c = ls_child_find(ls, pid);
	int w;

	if (!c) {
		set = ls_child_set(ls, pid);
		for (w = 0; w < LS_WAYS && set[w].used; w++)
			if (!c || set[w].ts_ns < c->ts_ns)
				c = &set[w];
		if (w < LS_WAYS) {
			c = &set[w];
			ls->cnt.children++;
		} else {
			/* its exit or reap was lost, or it lives long */
			ls->cnt.children_evicted++;
		}
	}
	*c = (struct ls_child){ .pid = pid, .used = true, .ts_ns = ts_ns, .ref = ref };
}

static void ls_child_release(struct listeners *ls, struct ls_child *c)
{
	c->used = false;
	ls->cnt.children--;
}

/* ---- records ---- */

/*
 * The listen queue is full when it holds more than its limit: the kernel's own test
 * (sk_acceptq_is_full: sk_ack_backlog > sk_max_ack_backlog), so listen(fd, 3) queues 4
 * connections (as `ss -lnt` shows in Recv-Q) before it drops new handshakes.
 */
static void ls_count_backlog(struct ls_listener *l, const struct ll_accept *rec)
{
	if (!rec->backlog)
		return;
	l->backlog_limit = rec->backlog_limit;
	if (rec->backlog > l->backlog_peak)
		l->backlog_peak = rec->backlog;
	if (rec->backlog > rec->backlog_limit)
		l->backlog_full++;
}

static void ls_count_accept(struct listeners *ls, struct ls_listener *l,
			    const struct ll_accept *rec)
{
	memcpy(l->comm, rec->comm, LL_COMM_LEN);
	l->comm[LL_COMM_LEN - 1] = '\0';
	l->last_ns = rec->hdr.ts_ns;
	if (rec->fd >= 0) {
		l->accepts++;
		ls->total_accepts++;
		l->listen_fd = rec->listen_fd;
		ls_count_backlog(l, rec);
		if (rec->queue_ns)
			hist_add(&l->queue, rec->queue_ns / 1000);
		return;
	}
	/* A non-blocking accept that found the queue empty is no error: "try again" (on a prefork
	 * server, the thundering herd's signal). EWOULDBLOCK is EAGAIN on Linux. */
	if (rec->fd == -EAGAIN) {
		l->eagain++;
		return;
	}
	l->errors++;
	if (rec->fd == -EMFILE || rec->fd == -ENFILE)
		l->emfile++;
}

static void ls_emit_accept(const struct listeners *ls, const struct ll_accept *rec)
{
	struct ll_event ev = {
		.kind = EV_ACCEPT,
		.ts_ns = rec->hdr.ts_ns,
		.pid = rec->hdr.tgid,
		.tid = rec->hdr.tid,
	};

	memcpy(ev.comm, rec->comm, LL_COMM_LEN);
	ev.comm[LL_COMM_LEN - 1] = '\0';
	ev.accept.fd = rec->fd;
	ev.accept.listen_fd = rec->listen_fd;
	ev.accept.family = rec->family;
	ev.accept.lport = rec->lport;
	ev.accept.rport = rec->rport;
	memcpy(ev.accept.laddr, rec->laddr, sizeof(ev.accept.laddr));
	memcpy(ev.accept.raddr, rec->raddr, sizeof(ev.accept.raddr));
	ev.accept.queue_us = rec->queue_ns ? rec->queue_ns / 1000 : LL_UNKNOWN;
	ev.accept.backlog = rec->backlog;
	ev.accept.backlog_limit = rec->backlog_limit;
	ls->emit(ls->ctx, &ev);
}

void ls_handle_accept(struct listeners *ls, const struct ll_accept *rec)
{
	struct ls_listener *l = ls_listener_of_accept(ls, rec);

	if (!ls->first_ns)
		ls->first_ns = rec->hdr.ts_ns;
	ls_count_accept(ls, l, rec);
	if (rec->fd >= 0)
		ls_pending_push(ls, rec->hdr.tid, rec->hdr.ts_ns, ls_ref_of(ls, l));
	/* EAGAIN is the rest of a woken herd finding the queue already empty: noise */
	if (ls->emit && rec->fd != -EAGAIN)
		ls_emit_accept(ls, rec);
}

void ls_handle_fork(struct listeners *ls, const struct ll_fork *rec)
{
	struct ls_listener *l;
	struct ls_ref ref;

	if (!ls_pending_pop(ls, rec->hdr.tid, rec->hdr.ts_ns, &ref))
		return;
	l = ls_ref_get(ls, ref);
	if (!l)
		return;		/* the listener was evicted meanwhile */
	l->handled_by_fork++;
	ls_child_add(ls, rec->pid, rec->hdr.ts_ns, ref);
}

static void ls_child_exited(struct listeners *ls, const struct ll_event *ev)
{
	struct ls_child *c = ls_child_find(ls, ev->pid);
	struct ls_listener *l;

	if (!c)
		return;
	l = ls_ref_get(ls, c->ref);
	if (l) {
		l->children_exited++;
		if (ev->exit.status)
			l->children_failed++;
	}
	if (!ev->exit.zombie)
		ls_child_release(ls, c);	/* auto-reaped: no reap to wait for */
}

static void ls_child_reaped(struct listeners *ls, const struct ll_event *ev)
{
	struct ls_child *c = ls_child_find(ls, ev->pid);
	struct ls_listener *l;

	if (!c)
		return;
	l = ls_ref_get(ls, c->ref);
	if (l && ev->reap.zombie_us != LL_UNKNOWN && ev->reap.how != HOW_AUTOREAP)
		hist_add(&l->child_zombie, ev->reap.zombie_us);
	ls_child_release(ls, c);
}

/* Its listeners stay for the summary but leave the index: the pid may come back as another. */
static void ls_process_exited(struct listeners *ls, uint32_t pid, uint64_t ts_ns)
{
	size_t i;

	for (i = 0; i < ls->nl; i++)
		if (ls->l[i].pid == pid && !ls->l[i].dead)
			ls_mark_dead(ls, &ls->l[i], ts_ns);
}

void ls_on_event(struct listeners *ls, const struct ll_event *ev)
{
	switch (ev->kind) {
	case EV_EXIT:
		ls_child_exited(ls, ev);
		ls_process_exited(ls, ev->pid, ev->ts_ns);
		break;
	case EV_REAP:
		ls_child_reaped(ls, ev);
		break;
	default:
		break;
	}
}

void ls_tick(struct listeners *ls, uint64_t now_ns)
{
	uint64_t start = ls->last_tick_ns ? ls->last_tick_ns : ls->first_ns;
	double secs = start && now_ns > start ? (double)(now_ns - start) / 1e9 : 0;
	struct ls_listener *l;
	size_t i;

	for (i = 0; i < ls->nl; i++) {
		l = &ls->l[i];
		l->rate = secs > 0 && !l->dead ? (double)(l->accepts - l->tick_accepts) / secs : 0;
		l->tick_accepts = l->accepts;
	}
	ls->last_tick_ns = now_ns;
	ls_pending_expire(ls, now_ns);
}

/* ---- views ---- */

static void ls_fill_view(const struct ls_listener *l, struct ll_listener_view *v)
{
	*v = (struct ll_listener_view){
		.pid = l->pid,
		.port = l->port,
		.accepts = l->accepts,
		.errors = l->errors,
		.eagain = l->eagain,
		.emfile = l->emfile,
		.rate = l->rate,
		.queue = &l->queue,
		.handled_by_fork = l->handled_by_fork,
		.children_exited = l->children_exited,
		.children_failed = l->children_failed,
		.child_zombie = &l->child_zombie,
		.backlog_limit = l->backlog_limit,
		.backlog_peak = l->backlog_peak,
		.backlog_full = l->backlog_full,
	};
	memcpy(v->comm, l->comm, LL_COMM_LEN);
}

static int ls_view_cmp(const void *a, const void *b)
{
	const struct ll_listener_view *x = a, *y = b;

	if (x->accepts != y->accepts)
		return x->accepts > y->accepts ? -1 : 1;
	if (x->errors != y->errors)
		return x->errors > y->errors ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

size_t ls_views(const struct listeners *ls, struct ll_listener_view *out, size_t max)
{
	struct ll_listener_view *all = out;
	size_t i;

	if (!max || !ls->nl)
		return 0;
	/* only the top max are wanted, but which ones needs all of them sorted */
	if (ls->nl > max) {
		all = malloc(ls->nl * sizeof(*all));
		if (!all)
			return 0;
	}
	for (i = 0; i < ls->nl; i++)
		ls_fill_view(&ls->l[i], &all[i]);
	qsort(all, ls->nl, sizeof(*all), ls_view_cmp);
	if (all != out) {
		memcpy(out, all, max * sizeof(*out));
		free(all);
		return max;
	}
	return ls->nl;
}

uint64_t ls_total_accepts(const struct listeners *ls)
{
	return ls->total_accepts;
}

void ls_counters(const struct listeners *ls, struct ls_counters *out)
{
	*out = ls->cnt;
	out->listeners = ls->nl;
}

/* ---- life cycle ---- */

struct listeners *ls_new(const struct ls_config *cfg)
{
	size_t max_l = cfg->max_listeners ? cfg->max_listeners : LS_DEFAULT_LISTENERS;
	size_t max_c = cfg->max_children ? cfg->max_children : LS_DEFAULT_CHILDREN;
	size_t max_t = cfg->max_threads ? cfg->max_threads : LS_DEFAULT_THREADS;
	uint64_t child_sets = ls_pow2_at_least((max_c + LS_WAYS - 1) / LS_WAYS);
	uint64_t thread_sets = ls_pow2_at_least((max_t + LS_WAYS - 1) / LS_WAYS);
	struct listeners *ls;

	if (max_l > UINT32_MAX / 2) {
		errno = EINVAL;
		return NULL;
	}
	ls = calloc(1, sizeof(*ls));
	if (!ls)
		return NULL;
	ls->emit = cfg->emit;
	ls->ctx = cfg->ctx;
	ls->max_l = max_l;
	ls->child_sets_mask = child_sets - 1;
	ls->thread_sets_mask = thread_sets - 1;
	ls->l = calloc(max_l, sizeof(*ls->l));
	ls->children = calloc(child_sets * LS_WAYS, sizeof(*ls->children));
	ls->threads = calloc(thread_sets * LS_WAYS, sizeof(*ls->threads));
	if (!ls->l || !ls->children || !ls->threads || u64map_init(&ls->index, max_l)) {
		ls_free(ls);
		errno = ENOMEM;
		return NULL;
	}
	return ls;
}

void ls_free(struct listeners *ls)
{
	if (!ls)
		return;
	free(ls->l);
	u64map_fini(&ls->index);
	free(ls->children);
	free(ls->threads);
	free(ls);
}
