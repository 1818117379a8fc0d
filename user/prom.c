// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Prometheus exposition and its HTTP server.
 *
 * The exposition is a pure function of a snapshot: views (per pid, per thread) are summed into
 * label sets by command name (and port), sorted, and written family by family. main renders it
 * once per interval and swaps it in under a mutex; the server's thread only copies the latest
 * text out, so a scrape never sees the state and never waits for more than a memcpy.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include "prom.h"
#include "prom_int.h"

#ifndef LL_VERSION
#define LL_VERSION "unknown"
#endif

#define PROM_NVAL		8
#define PROM_NHIST		2
#define PROM_LISTEN_BACKLOG	16
#define PROM_MAX_CONNS		32	/* scrapers are few; this bounds a misbehaving client */
#define PROM_CONN_TIMEOUT_S	10
#define PROM_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

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

/* Bytes of the UTF-8 sequence at s (at most n bytes), strictly; 0 if it is not valid. */
static unsigned int utf8_len(const unsigned char *s, size_t n)
{
	unsigned int len, cp, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

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
	unsigned int len;

	while (i < n) {
		if (s[i] < 0x80) {
			out[i] = s[i] < 0x20 || s[i] == 0x7f ? '?' : (char)s[i];
			i++;
			continue;
		}
		len = utf8_len(s + i, n - i);
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

/* ---- families ------------------------------------------------------------------------------- */

enum { Z_NOW, Z_OLDEST, Z_REAPED, Z_AUTO, Z_COALESCED };

static int write_zombies(FILE *f, const struct ll_snapshot *s, const struct prom_opts *o)
{
	static const char *cl = "parent_comm";
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
		agg_hist(&g, a, 0, z->lifetime);
	}
	aggs_sort(&g);

	family(f, "lifeline_zombies", "gauge", "Zombies now, by parent command.");
	for (i = 0; i < g.n; i++)
		put_u64(f, "lifeline_zombies", cl, &g.a[i], g.a[i].v[Z_NOW]);
	family(f, "lifeline_zombie_oldest_seconds", "gauge",
	       "Age of the oldest zombie now (0 when none), by parent command.");
	for (i = 0; i < g.n; i++)
		put_sec(f, "lifeline_zombie_oldest_seconds", cl, &g.a[i], g.a[i].v[Z_OLDEST]);
	family(f, "lifeline_zombie_lifetime_seconds", "histogram",
	       "From a child's exit to its reap by the parent, by parent command.");
	for (i = 0; i < g.n; i++)
		put_hist(f, "lifeline_zombie_lifetime_seconds", cl, &g.a[i], g.a[i].h[0]);
	family(f, "lifeline_reaps_total", "counter",
	       "Children reaped, by parent command and how: wait (wait4, waitid, or freed without "
	       "a wait seen) or autoreap (SIGCHLD ignored or SA_NOCLDWAIT: never a zombie).");
	for (i = 0; i < g.n; i++) {
		series(f, "lifeline_reaps_total", "", cl, &g.a[i], "how", "autoreap");
		fprintf(f, "%" PRIu64 "\n", g.a[i].v[Z_AUTO]);
		series(f, "lifeline_reaps_total", "", cl, &g.a[i], "how", "wait");
		fprintf(f, "%" PRIu64 "\n", g.a[i].v[Z_REAPED]);
	}
	family(f, "lifeline_sigchld_coalesced_total", "counter",
	       "SIGCHLD signals merged into one already pending, by parent command.");
	for (i = 0; i < g.n; i++)
		put_u64(f, "lifeline_sigchld_coalesced_total", cl, &g.a[i], g.a[i].v[Z_COALESCED]);
	aggs_free(&g);
	return g.oom ? -ENOMEM : 0;
}

enum { O_ALIVE, O_ADOPTED, O_EXITED };

static int write_orphans(FILE *f, const struct ll_snapshot *s, const struct prom_opts *o)
{
	static const char *cl = "adopter_comm";
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
		agg_hist(&g, a, 0, v->lifetime);
		agg_hist(&g, a, 1, v->reap);
	}
	aggs_sort(&g);

	family(f, "lifeline_orphans", "gauge",
	       "Living orphans now, by adopter command (\"?\" while the adopter is not known).");
	for (i = 0; i < g.n; i++)
		put_u64(f, "lifeline_orphans", cl, &g.a[i], g.a[i].v[O_ALIVE]);
	family(f, "lifeline_orphans_adopted_total", "counter",
	       "Processes adopted after their parent died, by adopter command.");
	for (i = 0; i < g.n; i++)
		put_u64(f, "lifeline_orphans_adopted_total", cl, &g.a[i], g.a[i].v[O_ADOPTED]);
	family(f, "lifeline_orphans_exited_total", "counter",
	       "Orphans that have exited since, by adopter command.");
	for (i = 0; i < g.n; i++)
		put_u64(f, "lifeline_orphans_exited_total", cl, &g.a[i], g.a[i].v[O_EXITED]);
	family(f, "lifeline_orphan_lifetime_seconds", "histogram",
	       "From the parent's death to the orphan's exit, by adopter command.");
	for (i = 0; i < g.n; i++)
		put_hist(f, "lifeline_orphan_lifetime_seconds", cl, &g.a[i], g.a[i].h[0]);
	family(f, "lifeline_orphan_reap_seconds", "histogram",
	       "From an orphan's exit to its reap by the adopter, by adopter command.");
	for (i = 0; i < g.n; i++)
		put_hist(f, "lifeline_orphan_reap_seconds", cl, &g.a[i], g.a[i].h[1]);
	aggs_free(&g);
	return g.oom ? -ENOMEM : 0;
}

enum { L_ACCEPTS, L_ERRORS, L_FORKED };

static int write_listeners(FILE *f, const struct ll_snapshot *s, const struct prom_opts *o)
{
	static const char *cl = "comm";
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
		agg_hist(&g, a, 0, l->queue);
	}
	aggs_sort(&g);

	family(f, "lifeline_accepts_total", "counter",
	       "Connections accepted, by listening command and port.");
	for (i = 0; i < g.n; i++)
		put_u64(f, "lifeline_accepts_total", cl, &g.a[i], g.a[i].v[L_ACCEPTS]);
	family(f, "lifeline_accept_errors_total", "counter",
	       "accept() calls that failed (EAGAIN, EMFILE, ...), by listening command and port.");
	for (i = 0; i < g.n; i++)
		put_u64(f, "lifeline_accept_errors_total", cl, &g.a[i], g.a[i].v[L_ERRORS]);
	family(f, "lifeline_accept_forked_total", "counter",
	       "Accepted connections handed to a forked child, by listening command and port.");
	for (i = 0; i < g.n; i++)
		put_u64(f, "lifeline_accept_forked_total", cl, &g.a[i], g.a[i].v[L_FORKED]);
	family(f, "lifeline_accept_queue_wait_seconds", "histogram",
	       "From handshake complete to accept() returning it, by listening command and port.");
	for (i = 0; i < g.n; i++)
		put_hist(f, "lifeline_accept_queue_wait_seconds", cl, &g.a[i], g.a[i].h[0]);
	aggs_free(&g);
	return g.oom ? -ENOMEM : 0;
}

enum { P_WAKEUPS, P_EVENTS, P_TIMEOUTS, P_FULL, P_BUSY, P_BLOCKED, P_STALLS, P_MAX_STALL };

/* Per-call facts, known only with --loops calls: the families stay, their samples are left out. */
static void write_loop_calls(FILE *f, const struct prom_aggs *g, bool calls)
{
	static const char *cl = "comm";
	size_t i, n = calls ? g->n : 0;

	family(f, "lifeline_loop_events_total", "counter",
	       "Events epoll_wait returned, by command.");
	for (i = 0; i < n; i++)
		put_u64(f, "lifeline_loop_events_total", cl, &g->a[i], g->a[i].v[P_EVENTS]);
	family(f, "lifeline_loop_timeouts_total", "counter",
	       "epoll_wait returns with no event (timeout), by command.");
	for (i = 0; i < n; i++)
		put_u64(f, "lifeline_loop_timeouts_total", cl, &g->a[i], g->a[i].v[P_TIMEOUTS]);
	family(f, "lifeline_loop_full_total", "counter",
	       "epoll_wait returns that filled maxevents (more may be ready), by command.");
	for (i = 0; i < n; i++)
		put_u64(f, "lifeline_loop_full_total", cl, &g->a[i], g->a[i].v[P_FULL]);
}

static int write_loops(FILE *f, const struct ll_snapshot *s, const struct prom_opts *o)
{
	static const char *cl = "comm";
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
	}
	aggs_sort(&g);

	family(f, "lifeline_loop_wakeups_total", "counter",
	       "epoll_wait returns, by command (all its event loop threads).");
	for (i = 0; i < g.n; i++)
		put_u64(f, "lifeline_loop_wakeups_total", cl, &g.a[i], g.a[i].v[P_WAKEUPS]);
	write_loop_calls(f, &g, s->nloops && s->loops[0].calls);
	/* From the 64-bit totals (the histograms' 32-bit slots wrap): never going back. */
	family(f, "lifeline_loop_busy_seconds_total", "counter",
	       "Time on CPU between waits, by command.");
	for (i = 0; i < g.n; i++)
		put_sec(f, "lifeline_loop_busy_seconds_total", cl, &g.a[i], g.a[i].v[P_BUSY]);
	family(f, "lifeline_loop_blocked_seconds_total", "counter",
	       "Time asleep in the event wait (idle), by command.");
	for (i = 0; i < g.n; i++)
		put_sec(f, "lifeline_loop_blocked_seconds_total", cl, &g.a[i], g.a[i].v[P_BLOCKED]);
	family(f, "lifeline_loop_stalls_total", "counter",
	       "Busy periods longer than --stall-ms, by command.");
	for (i = 0; i < g.n; i++)
		put_u64(f, "lifeline_loop_stalls_total", cl, &g.a[i], g.a[i].v[P_STALLS]);
	family(f, "lifeline_loop_stall_max_seconds", "gauge",
	       "Longest stall seen since start, by command.");
	for (i = 0; i < g.n; i++)
		put_sec(f, "lifeline_loop_stall_max_seconds", cl, &g.a[i], g.a[i].v[P_MAX_STALL]);
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

	family(f, "lifeline_build_info", "gauge", "lifeline's version, as a label.");
	fprintf(f, "lifeline_build_info{version=\"%s\"} 1\n", LL_VERSION);
	family(f, "lifeline_events_total", "counter", "Kernel records received.");
	put_u64(f, "lifeline_events_total", NULL, NULL, s->events);
	family(f, "lifeline_events_lost_total", "counter",
	       "Kernel records that could not be delivered (ring buffer full): counts are low.");
	put_u64(f, "lifeline_events_lost_total", NULL, NULL, s->lost);
	family(f, "lifeline_forks_total", "counter", "Processes created.");
	put_u64(f, "lifeline_forks_total", NULL, NULL, p->forks);
	family(f, "lifeline_execs_total", "counter", "Successful execs.");
	put_u64(f, "lifeline_execs_total", NULL, NULL, p->execs);
	family(f, "lifeline_exits_total", "counter", "Processes that exited.");
	put_u64(f, "lifeline_exits_total", NULL, NULL, p->exits);
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
	if (!ret)
		ret = write_loops(f, s, o);
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

/* ---- the server ----------------------------------------------------------------------------- */

struct prom_server {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	char *text;		/* the latest exposition, under lock; NULL before the first */
	size_t len;
	struct prom_opts opts;
};

static const char prom_index[] =
	"lifeline: Prometheus metrics are at /metrics\n";

/* Takes body; MHD frees it after sending (or here, on failure). */
static enum MHD_Result prom_reply(struct MHD_Connection *c, unsigned int status, const char *type,
				  char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result prom_reply_str(struct MHD_Connection *c, unsigned int status,
				      const char *msg)
{
	char *body = strdup(msg);

	if (!body)
		return MHD_NO;
	return prom_reply(c, status, "text/plain; charset=utf-8", body, strlen(body));
}

/* Runs in MHD's thread: it only copies the latest text out, under the lock. */
static enum MHD_Result prom_handle(void *cls, struct MHD_Connection *c, const char *url,
				   const char *method, const char *version,
				   const char *upload_data, size_t *upload_size, void **req_cls)
{
	static int first_call;
	struct prom_server *p = cls;
	bool have = false;
	char *body = NULL;
	size_t len = 0;

	/* The first call only announces the request; a body (there should be none) is skipped. */
	if (!*req_cls) {
		*req_cls = &first_call;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return prom_reply_str(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (!strcmp(url, "/"))
		return prom_reply_str(c, MHD_HTTP_OK, prom_index);
	if (strcmp(url, "/metrics"))
		return prom_reply_str(c, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n");

	pthread_mutex_lock(&p->lock);
	if (p->text) {
		have = true;
		body = malloc(p->len + 1);
		if (body) {
			memcpy(body, p->text, p->len);
			len = p->len;
		}
	}
	pthread_mutex_unlock(&p->lock);
	if (!have)
		return prom_reply_str(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no snapshot yet\n");
	if (!body)
		return MHD_NO;	/* out of memory: MHD closes the connection */
	return prom_reply(c, MHD_HTTP_OK, PROM_CONTENT_TYPE, body, len);
}

static int prom_listen(const struct sockaddr *addr, socklen_t addrlen)
{
	int fd, one = 1, err;

	fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A restarted daemon must not wait out TIME_WAIT of its previous scrapes. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto fail;
	/* [::]:PORT means IPv6 only, as written: IPv4 is asked for with 0.0.0.0. */
	if (addr->sa_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto fail;
	if (bind(fd, addr, addrlen) || listen(fd, PROM_LISTEN_BACKLOG))
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	return -err;
}

static const char *prom_hint(int err)
{
	switch (err) {
	case EADDRINUSE:
		return "something else listens there: pick another port";
	case EADDRNOTAVAIL:
		return "no local interface has that address";
	case EACCES:
		return "ports below 1024 need root or CAP_NET_BIND_SERVICE";
	default:
		return "check the address";
	}
}

int prom_start(const struct sockaddr *addr, socklen_t addrlen, const char *text,
	       const struct prom_opts *o, bool verbose, struct prom_server **out, char *err,
	       size_t errlen)
{
	unsigned int flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD;
	struct prom_server *p;
	sigset_t all, old;
	int fd, ret;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "cannot serve metrics: out of memory");
		return -ENOMEM;
	}
	if (o)
		p->opts = *o;
	pthread_mutex_init(&p->lock, NULL);
	fd = prom_listen(addr, addrlen);
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen on %s for --prometheus: %s (%s)", text,
			 strerror(-fd), prom_hint(-fd));
		ret = fd;
		goto fail;
	}
	if (addr->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (verbose)
		flags |= MHD_USE_ERROR_LOG;
	/*
	 * The server's thread inherits our signal mask: block the signals main handles so that
	 * they reach main, whose poll then returns at once.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	p->daemon = MHD_start_daemon(flags, 0, NULL, NULL, prom_handle, p,
				     MHD_OPTION_LISTEN_SOCKET, fd,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)PROM_MAX_CONNS,
				     MHD_OPTION_CONNECTION_TIMEOUT,
				     (unsigned int)PROM_CONN_TIMEOUT_S,
				     MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!p->daemon) {
		close(fd);
		snprintf(err, errlen, "cannot start the HTTP server for --prometheus on %s", text);
		ret = -EIO;
		goto fail;
	}
	*out = p;
	return 0;
fail:
	pthread_mutex_destroy(&p->lock);
	free(p);
	return ret;
}

unsigned int prom_port(const struct prom_server *p)
{
	const union MHD_DaemonInfo *i;

	i = MHD_get_daemon_info(p->daemon, MHD_DAEMON_INFO_BIND_PORT);
	return i ? i->port : 0;
}

int prom_update(struct prom_server *p, const struct ll_snapshot *s)
{
	char *text, *old;
	size_t len;

	if (!p)
		return 0;
	/* Rendered outside the lock: a scrape waits for a pointer swap, never for a render. */
	text = prom_render(s, &p->opts, &len);
	if (!text)
		return -ENOMEM;	/* the previous exposition stays up */
	pthread_mutex_lock(&p->lock);
	old = p->text;
	p->text = text;
	p->len = len;
	pthread_mutex_unlock(&p->lock);
	free(old);
	return 0;
}

void prom_stop(struct prom_server *p)
{
	if (!p)
		return;
	/* Joins the server's thread and closes the listening socket. */
	MHD_stop_daemon(p->daemon);
	pthread_mutex_destroy(&p->lock);
	free(p->text);
	free(p);
}
