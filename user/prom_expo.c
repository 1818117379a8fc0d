// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The Prometheus exposition: a pure function of a snapshot. Views (per pid, per thread) are
 * summed into label sets by command name (and port), sorted, and written family by family; the
 * families (name, type, help, labels) are the one table prom_families[]. The HTTP server that
 * publishes it is prom_http.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "prom.h"
#include "prom_int.h"

#ifndef LL_VERSION
#define LL_VERSION "unknown"
#endif



/* ---- label sets ----------------------------------------------------------------------------- */

struct prom_key {
	char comm[PROM_LABEL_LEN];	/* already valid UTF-8 without control characters */
	bool has_port;
	bool other;			/* the overflow set: comm PROM_OTHER_COMM, port "other" */
	unsigned int port;
	uint32_t pid;			/* 0: no pid label */
};

struct prom_agg {
	struct prom_key key;
	uint64_t v[PROM_NVAL];
	/* The single contributing histogram, or own[i] once a second one had to be merged in. */
	const struct ll_hist *h[PROM_NHIST];
	struct ll_hist *own[PROM_NHIST];
};

struct prom_aggs {
	struct prom_agg *a;
	size_t n;
	size_t nreal;		/* label sets other than the overflow one */
	size_t max;		/* nreal never exceeds it */
	bool oom;
};

/*
 * A command name as a label value. Label values must be UTF-8, and a comm is any 15 bytes (a
 * multi-byte character may even be cut at the end): bytes that are not valid UTF-8, and control
 * characters, become '?' one for one, so the value never grows. Different comms can then map to
 * one value; aggregating by the value keeps the series unique all the same.
 */
static void label_comm(char out[PROM_LABEL_LEN], const char *comm)
{
	const unsigned char *s = (const unsigned char *)comm;
	size_t n = strnlen(comm, LL_COMM_LEN - 1), i = 0, k;
	size_t len;

	while (i < n) {
		if (s[i] < 0x80) {
			out[i] = s[i] < 0x20 || s[i] == 0x7f ? '?' : (char)s[i];
			i++;
			continue;
		}
		len = fmt_utf8_len(s + i, n - i);
		if (!len) {
			out[i++] = '?';
			continue;
		}
		for (k = 0; k < len; k++, i++)
			out[i] = (char)s[i];
	}
	out[i] = '\0';
	if (!n)
		strcpy(out, "?");	/* an empty value would mean "no label" to Prometheus */
}

static int aggs_init(struct prom_aggs *g, size_t nviews)
{
	memset(g, 0, sizeof(*g));
	g->max = nviews < PROM_MAX_SERIES ? nviews : PROM_MAX_SERIES;
	g->a = calloc(g->max + 1, sizeof(*g->a));
	return g->a ? 0 : -ENOMEM;
}

static void aggs_free(struct prom_aggs *g)
{
	size_t i;
	int k;

	for (i = 0; i < g->n; i++)
		for (k = 0; k < PROM_NHIST; k++)
			free(g->a[i].own[k]);
	free(g->a);
	g->a = NULL;
}

static bool key_eq(const struct prom_key *a, const struct prom_key *b)
{
	return a->other == b->other && a->has_port == b->has_port && a->port == b->port &&
	       a->pid == b->pid && !strcmp(a->comm, b->comm);
}

static struct prom_agg *aggs_find(struct prom_aggs *g, const struct prom_key *k)
{
	size_t i;

	/* Linear: at most PROM_MAX_SERIES + 1 sets, once per interval. */
	for (i = 0; i < g->n; i++)
		if (key_eq(&g->a[i].key, k))
			return &g->a[i];
	return NULL;
}

/*
 * The label set of key k. Views come most active first, so when there are more label sets than
 * PROM_MAX_SERIES the quiet ones are the ones summed into the overflow set.
 */
static struct prom_agg *aggs_get(struct prom_aggs *g, const struct prom_key *k)
{
	struct prom_key other = { .comm = PROM_OTHER_COMM, .has_port = k->has_port, .other = true };
	struct prom_agg *a = aggs_find(g, k);

	if (a)
		return a;
	if (g->nreal >= g->max) {
		k = &other;
		a = aggs_find(g, k);
		if (a)
			return a;
	} else {
		g->nreal++;
	}
	a = &g->a[g->n++];
	a->key = *k;
	return a;
}

static void agg_hist(struct prom_aggs *g, struct prom_agg *a, int i, const struct ll_hist *h)
{
	if (!h || !h->count)
		return;
	if (!a->h[i]) {
		a->h[i] = h;	/* the common case, one process per name: no copy */
		return;
	}
	if (!a->own[i]) {
		a->own[i] = malloc(sizeof(*a->own[i]));
		if (!a->own[i]) {
			g->oom = true;
			return;
		}
		*a->own[i] = *a->h[i];
		a->h[i] = a->own[i];
	}
	hist_merge(a->own[i], h);
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct prom_key *a = &((const struct prom_agg *)pa)->key;
	const struct prom_key *b = &((const struct prom_agg *)pb)->key;
	int c;

	if (a->other != b->other)
		return a->other ? 1 : -1;
	c = strcmp(a->comm, b->comm);
	if (c)
		return c;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return 0;
}

static void aggs_sort(struct prom_aggs *g)
{
	qsort(g->a, g->n, sizeof(*g->a), key_cmp);
}

static void key_make(struct prom_key *k, const char *comm, bool has_port, unsigned int port,
		     uint32_t pid, const struct prom_opts *o)
{
	memset(k, 0, sizeof(*k));
	label_comm(k->comm, comm);
	k->has_port = has_port;
	k->port = port;
	k->pid = o->by_pid ? pid : 0;
}

/* ---- writing -------------------------------------------------------------------------------- */

/* Whole microseconds as seconds, exactly: "0.000016", "1.5", "3". */
static const char *fmt_seconds(char *buf, size_t n, uint64_t us)
{
	int i;

	if (!(us % 1000000)) {
		snprintf(buf, n, "%" PRIu64, us / 1000000);
		return buf;
	}
	i = snprintf(buf, n, "%" PRIu64 ".%06" PRIu64, us / 1000000, us % 1000000);
	while (i > 0 && (size_t)i < n && buf[i - 1] == '0')
		buf[--i] = '\0';
	return buf;
}

static void put_seconds(FILE *f, uint64_t us)
{
	char b[32];

	fputs(fmt_seconds(b, sizeof(b), us), f);
}

static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/*
 * "name{clabel="comm",port="80",pid="1",xk="xv"} " -- the value follows. a may be NULL (no
 * label of ours); xv is one of our own strings and needs no escaping.
 */
static void series(FILE *f, const char *name, const char *suffix, const char *clabel,
		   const struct prom_agg *a, const char *xk, const char *xv)
{
	const char *sep = "";

	fputs(name, f);
	fputs(suffix, f);
	if (!a && !xk) {
		fputc(' ', f);
		return;
	}
	fputc('{', f);
	if (a) {
		fprintf(f, "%s=\"", clabel);
		put_escaped(f, a->key.comm);
		fputc('"', f);
		if (a->key.has_port && a->key.other)
			fputs(",port=\"other\"", f);
		else if (a->key.has_port)
			fprintf(f, ",port=\"%u\"", a->key.port);
		if (a->key.pid)
			fprintf(f, ",pid=\"%" PRIu32 "\"", a->key.pid);
		sep = ",";
	}
	if (xk)
		fprintf(f, "%s%s=\"%s\"", sep, xk, xv);
	fputs("} ", f);
}

static void put_u64(FILE *f, const char *name, const char *clabel, const struct prom_agg *a,
		    uint64_t v)
{
	series(f, name, "", clabel, a, NULL, NULL);
	fprintf(f, "%" PRIu64 "\n", v);
}

static void put_sec(FILE *f, const char *name, const char *clabel, const struct prom_agg *a,
		    uint64_t us)
{
	series(f, name, "", clabel, a, NULL, NULL);
	put_seconds(f, us);
	fputc('\n', f);
}

/*
 * A histogram in seconds from one in microseconds. Bucket le = 2^k us holds the slots that end at
 * or below 2^k: powers of two are slot boundaries, so the fold is exact. Values are whole
 * microseconds truncated from nanoseconds, so "below 2^k us" is "at most 2^k us" but for a value
 * of exactly 2^k us to the nanosecond.
 */
static void put_hist(FILE *f, const char *name, const char *clabel, const struct prom_agg *a,
		     const struct ll_hist *h)
{
	static const struct ll_hist empty;
	unsigned int slot = 0;
	uint64_t cum = 0, edge;
	char le[32];
	int k;

	if (!h)
		h = &empty;
	for (k = PROM_BUCKET_MIN_LOG2; k <= PROM_BUCKET_MAX_LOG2; k++) {
		edge = 1ULL << k;
		while (slot < LL_HIST_SLOTS && hist_slot_hi(slot) <= edge)
			cum += h->slot[slot++];
		series(f, name, "_bucket", clabel, a, "le", fmt_seconds(le, sizeof(le), edge));
		fprintf(f, "%" PRIu64 "\n", cum);
	}
	series(f, name, "_bucket", clabel, a, "le", "+Inf");
	fprintf(f, "%" PRIu64 "\n", h->count);
	series(f, name, "_sum", clabel, a, NULL, NULL);
	put_seconds(f, h->sum);
	fputc('\n', f);
	series(f, name, "_count", clabel, a, NULL, NULL);
	fprintf(f, "%" PRIu64 "\n", h->count);
}

/* The sample(s) of family m for label set a; a's labels only when the family has any. */
static void put_value(FILE *f, const struct prom_family *m, const struct prom_agg *a)
{
	const struct prom_agg *la = m->label ? a : NULL;

	switch (m->val) {
	case PV_U64:
		put_u64(f, m->name, m->label, la, a->v[m->idx]);
		break;
	case PV_SEC:
		put_sec(f, m->name, m->label, la, a->v[m->idx]);
		break;
	case PV_HIST:
		put_hist(f, m->name, m->label, la, a->h[m->idx]);
		break;
	case PV_REAPS:
		series(f, m->name, "", m->label, a, "how", "autoreap");
		fprintf(f, "%" PRIu64 "\n", a->v[Z_AUTO]);
		series(f, m->name, "", m->label, a, "how", "wait");
		fprintf(f, "%" PRIu64 "\n", a->v[Z_REAPED]);
		break;
	case PV_BUILD:
		fprintf(f, "%s{%s=\"%s\"} 1\n", m->name, m->label, LL_VERSION);
		break;
	case PV_BACKLOG:
		if (a->v[L_BL_PEAK])
			put_u64(f, m->name, m->label, la, a->v[m->idx]);
		break;
	case PV_OWN:
		break;
	}
}

/*
 * Every family of group grp, in table order, with the samples of the n label sets in a. A
 * per-call family has samples only for the loops that know them (--loops calls, epoll waits:
 * a poll loop has no exit hook); it keeps its HELP and TYPE without them.
 */
static void put_group(FILE *f, enum prom_group grp, const struct prom_agg *a, size_t n)
{
	const struct prom_family *m;
	size_t i;

	for (m = prom_families; m < prom_families + prom_nfamilies; m++) {
		if (m->group != grp)
			continue;
		family(f, m->name, m->type, m->help);
		for (i = 0; i < n; i++)
			if (!m->calls || a[i].v[P_CALLS])
				put_value(f, m, &a[i]);
	}
}

const struct prom_family *prom_own_family(enum prom_group grp)
{
	const struct prom_family *m;

	for (m = prom_families; m < prom_families + prom_nfamilies; m++)
		if (m->group == grp && m->val == PV_OWN)
			return m;
	return NULL;
}

/* ---- families ------------------------------------------------------------------------------- */

static int write_zombies(FILE *f, const struct ll_snapshot *s, const struct prom_opts *o)
{
	struct prom_aggs g;
	struct prom_key k;
	struct prom_agg *a;
	size_t i;

	if (aggs_init(&g, s->nzombies))
		return -ENOMEM;
	for (i = 0; i < s->nzombies; i++) {
		const struct ll_zombie_view *z = &s->zombies[i];

		key_make(&k, z->parent_comm, false, 0, z->parent_pid, o);
		a = aggs_get(&g, &k);
		a->v[Z_NOW] += z->now;
		/* One that predates lifeline counts with its lower bound. */
		if (z->oldest_now_us == LL_UNKNOWN && z->oldest_now_min_us > a->v[Z_OLDEST])
			a->v[Z_OLDEST] = z->oldest_now_min_us;
		else if (z->oldest_now_us != LL_UNKNOWN && z->oldest_now_us > a->v[Z_OLDEST])
			a->v[Z_OLDEST] = z->oldest_now_us;
		a->v[Z_REAPED] += z->reaped;
		a->v[Z_AUTO] += z->autoreaped;
		a->v[Z_COALESCED] += z->coalesced_sigchld;
		agg_hist(&g, a, Z_H_LIFETIME, z->lifetime);
	}
	aggs_sort(&g);
	put_group(f, PG_ZOMBIES, g.a, g.n);
	aggs_free(&g);
	return g.oom ? -ENOMEM : 0;
}

static int write_orphans(FILE *f, const struct ll_snapshot *s, const struct prom_opts *o)
{
	struct prom_aggs g;
	struct prom_key k;
	struct prom_agg *a;
	size_t i;

	if (aggs_init(&g, s->norphans))
		return -ENOMEM;
	for (i = 0; i < s->norphans; i++) {
		const struct ll_orphan_view *v = &s->orphans[i];

		key_make(&k, v->adopter_comm, false, 0, v->adopter_pid, o);
		a = aggs_get(&g, &k);
		a->v[O_ALIVE] += v->alive;
		a->v[O_ADOPTED] += v->adopted;
		a->v[O_EXITED] += v->exited;
		agg_hist(&g, a, O_H_LIFETIME, v->lifetime);
		agg_hist(&g, a, O_H_REAP, v->reap);
	}
	aggs_sort(&g);
	put_group(f, PG_ORPHANS, g.a, g.n);
	aggs_free(&g);
	return g.oom ? -ENOMEM : 0;
}

/* Listeners summed into one label set: the largest limit and peak, every full accept. */
static void agg_backlog(struct prom_agg *a, const struct ll_listener_view *l)
{
	if (!l->backlog_peak)
		return;		/* no depth seen: unknown, not 0 */
	if (l->backlog_limit > a->v[L_BL_LIMIT])
		a->v[L_BL_LIMIT] = l->backlog_limit;
	if (l->backlog_peak > a->v[L_BL_PEAK])
		a->v[L_BL_PEAK] = l->backlog_peak;
	a->v[L_BL_FULL] += l->backlog_full;
}

static int write_listeners(FILE *f, const struct ll_snapshot *s, const struct prom_opts *o)
{
	struct prom_aggs g;
	struct prom_key k;
	struct prom_agg *a;
	size_t i;

	if (aggs_init(&g, s->nlisteners))
		return -ENOMEM;
	for (i = 0; i < s->nlisteners; i++) {
		const struct ll_listener_view *l = &s->listeners[i];

		key_make(&k, l->comm, true, l->port, l->pid, o);
		a = aggs_get(&g, &k);
		a->v[L_ACCEPTS] += l->accepts;
		a->v[L_ERRORS] += l->errors;
		a->v[L_FORKED] += l->handled_by_fork;
		agg_backlog(a, l);
		agg_hist(&g, a, L_H_QUEUE, l->queue);
	}
	aggs_sort(&g);
	put_group(f, PG_LISTENERS, g.a, g.n);
	aggs_free(&g);
	return g.oom ? -ENOMEM : 0;
}

/* The kernel's listen counters over the run: no sample when /proc/net/netstat was not read. */
static void write_netstat(FILE *f, const struct ll_snapshot *s)
{
	struct prom_agg a = { .v = { [G_OVERFLOWS] = s->listen_overflows,
		[G_DROPS] = s->listen_drops } };

	put_group(f, PG_NETSTAT, &a, s->netstat_known ? 1 : 0);
}

static int write_loops(FILE *f, const struct ll_snapshot *s, const struct prom_opts *o)
{
	struct prom_aggs g;
	struct prom_key k;
	struct prom_agg *a;
	size_t i;

	if (aggs_init(&g, s->nloops))
		return -ENOMEM;
	for (i = 0; i < s->nloops; i++) {
		const struct ll_loop_view *l = &s->loops[i];

		/* Dead threads stay in: their counts are part of the totals. */
		key_make(&k, l->comm, false, 0, l->pid, o);
		a = aggs_get(&g, &k);
		a->v[P_WAKEUPS] += l->wakeups;
		a->v[P_EVENTS] += l->events;
		a->v[P_TIMEOUTS] += l->timeouts;
		a->v[P_FULL] += l->full;
		a->v[P_BUSY] += l->busy_ns / 1000;
		a->v[P_BLOCKED] += l->idle_ns / 1000;
		a->v[P_STALLS] += l->stalls;
		if (l->max_stall_us > a->v[P_MAX_STALL])
			a->v[P_MAX_STALL] = l->max_stall_us;
		a->v[P_UNSEEN] += l->unseen;
		if (l->calls)
			a->v[P_CALLS] = 1;
	}
	aggs_sort(&g);
	put_group(f, PG_LOOPS, g.a, g.n);
	aggs_free(&g);
	return g.oom ? -ENOMEM : 0;
}

/* For the families written in other files (prom_containers.c): the same helpers. */
void prom_family(FILE *f, const char *name, const char *type, const char *help)
{
	family(f, name, type, help);
}

void prom_put_escaped(FILE *f, const char *s)
{
	put_escaped(f, s);
}

void prom_label_comm(char out[PROM_LABEL_LEN], const char *comm)
{
	label_comm(out, comm);
}

static void write_globals(FILE *f, const struct ll_snapshot *s)
{
	const struct ll_proc_totals *p = &s->procs;
	struct prom_agg a = { .v = { [G_EVENTS] = s->events, [G_LOST] = s->lost,
		[G_FORKS] = p->forks, [G_EXECS] = p->execs, [G_EXITS] = p->exits } };

	put_group(f, PG_GLOBAL, &a, 1);
}

int prom_write(FILE *f, const struct ll_snapshot *s, const struct prom_opts *o)
{
	static const struct prom_opts defaults;
	int ret;

	if (!o)
		o = &defaults;
	write_globals(f, s);
	ret = write_zombies(f, s, o);
	if (!ret)
		ret = write_orphans(f, s, o);
	if (!ret)
		ret = write_listeners(f, s, o);
	if (!ret) {
		write_netstat(f, s);
		ret = write_loops(f, s, o);
	}
	if (!ret)
		ret = prom_write_containers(f, s, o);
	if (!ret && (fflush(f) || ferror(f)))
		ret = -EIO;
	return ret;
}

char *prom_render(const struct ll_snapshot *s, const struct prom_opts *o, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	int ret;

	f = open_memstream(&buf, &n);
	if (!f)
		return NULL;
	ret = prom_write(f, s, o);
	if (fclose(f) || ret) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
}
