// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The top-like live view. Plain ANSI: the cursor goes home, each row is erased and rewritten,
 * and whatever is left below is erased at the end, so the screen never flickers the way a full
 * clear does. No row ends with a newline on the last screen line, so the terminal never scrolls.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cgroup.h"
#include "format.h"
#include "render.h"

#define LIVE_LINE	1024
#define HILITE		"\033[1;7m"	/* bold reverse: lost events */
#define ALERT		"\033[1;31m"	/* bold red: a stalled loop */
#define HEAD		"\033[7m"	/* reverse: column headings */
#define NORMAL		"\033[0m"

enum { SEC_ZOMBIES, SEC_ORPHANS, SEC_LISTENERS, SEC_LOOPS, SEC_MAX };

#define LIVE_MAX_ROWS	1024
#define NARROW_COLS	100	/* below this, the least important columns go */

enum live_sort { SORT_NOW, SORT_OLDEST, SORT_HISTORY, SORT_MAX };
static const char *const sort_names[SORT_MAX] = { "what is wrong now", "oldest", "history" };

/* What the keys set, and the last frame's counters, to tell activity in this interval. */
struct live_state {
	bool paused, all, help, dirty;
	enum live_sort sort;
	struct { uint32_t id; uint64_t count; } prev_z[LIVE_MAX_ROWS], prev_l[LIVE_MAX_ROWS];
	size_t nprev_z, nprev_l;
};

struct screen {
	FILE *f;
	int rows;
	int cols;
	int row;		/* rows written so far */
	bool containers;	/* some group is in a non-root cgroup: show CONTAINER */
	bool narrow;		/* fewer columns: the terminal is small */
	const struct ll_render_opts *o;
	const struct ll_snapshot *s;
	struct live_state *l;
};

struct live_state *live_new(void)
{
	return calloc(1, sizeof(struct live_state));
}

void live_free(struct live_state *l)
{
	free(l);
}

enum live_action live_key(struct live_state *l, int key)
{
	if (!l)
		return LIVE_NONE;
	switch (key) {
	case 'q':
	case 'Q':
		return LIVE_QUIT;
	case 'p':
		l->paused = !l->paused;
		break;
	case 's':
		l->sort = (l->sort + 1) % SORT_MAX;
		break;
	case 'a':
		l->all = !l->all;
		break;
	case 'h':
	case '?':
		l->help = !l->help;
		break;
	default:
		return LIVE_NONE;
	}
	l->dirty = true;
	return LIVE_REDRAW;
}

/* A counter's value in the last frame (prev), or UINT64_MAX when the row is new. */
static uint64_t prev_count(const struct live_state *l, bool loops, uint32_t id)
{
	size_t i, n = loops ? l->nprev_l : l->nprev_z;

	for (i = 0; i < n; i++)
		if ((loops ? l->prev_l[i].id : l->prev_z[i].id) == id)
			return loops ? l->prev_l[i].count : l->prev_z[i].count;
	return UINT64_MAX;
}

/* Writes one row cut to the screen's width; escape sequences pass through at no width. */
static void scr_put(struct screen *scr, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	bool escapes = false, shown = false;
	int width = 0;

	if (scr->row >= scr->rows)
		return;
	if (scr->row)
		fputs("\r\n", scr->f);
	fputs("\033[2K", scr->f);
	while (*p) {
		if (p[0] == 0x1b && p[1] == '[') {
			const unsigned char *q = p + 2;

			while (*q && (*q < 0x40 || *q > 0x7e))
				q++;
			if (*q)
				q++;
			fwrite(p, 1, q - p, scr->f);
			escapes = true;
			p = q;
			continue;
		}
		if ((*p & 0xc0) != 0x80) {	/* a character starts here */
			shown = width < scr->cols;
			if (shown)
				width++;
		}
		if (shown)
			fputc(*p, scr->f);
		p++;
	}
	if (escapes)
		fputs(NORMAL, scr->f);
	scr->row++;
}

static void scr_printf(struct screen *scr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void scr_printf(struct screen *scr, const char *fmt, ...)
{
	char line[LIVE_LINE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	scr_put(scr, line);
}

static const char *quantile(char *buf, size_t n, const struct ll_hist *h, double q)
{
	if (!h || !h->count) {
		snprintf(buf, n, "-");
		return buf;
	}
	return fmt_dur_us(buf, n, hist_quantile(h, q));
}

/* ---- rows, one per view entry --------------------------------------------------------------- */

/* Last, so a narrow terminal drops it first: the cgroup's last path component. */
static void row_container(const struct screen *scr, char *line, size_t n, size_t *pos,
			  const char *cgroup)
{
	if (scr->containers)
		fmt_append(line, n, pos, " %s", cgroup ? cg_short_name(cgroup) : "-");
}

static bool any_container(const struct ll_snapshot *s)
{
	size_t i;

	for (i = 0; i < s->nzombies; i++)
		if (s->zombies[i].cgroup)
			return true;
	for (i = 0; i < s->norphans; i++)
		if (s->orphans[i].cgroup)
			return true;
	return false;
}

static void row_zombie(struct screen *scr, size_t i)
{
	const struct ll_zombie_view *z = &scr->s->zombies[i];
	char line[LIVE_LINE], comm[LL_COMM_LEN], b[FMT_DUR_LEN];
	size_t pos = 0;

	fmt_append(line, sizeof(line), &pos, "%-7u %-15s %5" PRIu64 " ", z->parent_pid,
		   fmt_comm(comm, z->parent_comm), z->now);
	fmt_col(line, sizeof(line), &pos, 7, z->now ? fmt_oldest_us(b, sizeof(b),
		z->oldest_now_us, z->oldest_now_min_us) : "-");
	fmt_append(line, sizeof(line), &pos, "%8" PRIu64 " ", z->reaped);
	if (!scr->narrow)
		fmt_col(line, sizeof(line), &pos, 7, quantile(b, sizeof(b), z->lifetime, 0.5));
	fmt_col(line, sizeof(line), &pos, 7, quantile(b, sizeof(b), z->lifetime, 0.99));
	if (!scr->narrow)
		fmt_append(line, sizeof(line), &pos, "%9" PRIu64 " ", z->coalesced_sigchld);
	fmt_append(line, sizeof(line), &pos, "%-*s", scr->containers ? 16 : 0,
		   ll_cause_name(z->cause));
	row_container(scr, line, sizeof(line), &pos, z->cgroup);
	scr_put(scr, line);
}

static void row_orphan(struct screen *scr, size_t i)
{
	const struct ll_orphan_view *o = &scr->s->orphans[i];
	char line[LIVE_LINE], comm[LL_COMM_LEN], pid[FMT_NUM_LEN], b[FMT_DUR_LEN];
	size_t pos = 0;

	fmt_append(line, sizeof(line), &pos, "%-7s %-15s %7" PRIu64 " %5" PRIu64 " %6" PRIu64 " ",
		   fmt_pid(pid, sizeof(pid), o->adopter_pid), fmt_comm(comm, o->adopter_comm),
		   o->adopted, o->alive, o->exited);
	if (!scr->narrow)
		fmt_col(line, sizeof(line), &pos, 8, quantile(b, sizeof(b), o->lifetime, 0.5));
	fmt_col(line, sizeof(line), &pos, 8, quantile(b, sizeof(b), o->lifetime, 0.99));
	fmt_col(line, sizeof(line), &pos, 8, quantile(b, sizeof(b), o->reap, 0.5));
	fmt_col(line, sizeof(line), &pos, 8, quantile(b, sizeof(b), o->reap, 0.99));
	row_container(scr, line, sizeof(line), &pos, o->cgroup);
	scr_put(scr, line);
}

/* BACKLOG: the deepest queue an accept found / its limit; FULL: accepts that found it full. */
static void row_backlog(char *line, size_t n, size_t *pos, const struct ll_listener_view *l)
{
	char peak[2 * FMT_NUM_LEN], full[FMT_NUM_LEN];

	if (!l->backlog_peak) {
		fmt_append(line, n, pos, " %8s %5s", "-", "-");	/* never seen: unknown */
		return;
	}
	snprintf(peak, sizeof(peak), "%u/%u", l->backlog_peak, l->backlog_limit);
	snprintf(full, sizeof(full), "%" PRIu64, l->backlog_full);
	fmt_append(line, n, pos, " %8s %s%5s%s", peak, l->backlog_full ? ALERT : "", full,
		   l->backlog_full ? NORMAL : "");
}

static void row_listener(struct screen *scr, size_t i)
{
	const struct ll_listener_view *l = &scr->s->listeners[i];
	char line[LIVE_LINE], comm[LL_COMM_LEN], b[FMT_DUR_LEN];
	size_t pos = 0;

	fmt_append(line, sizeof(line), &pos, "%-7u %-15s %5u %8" PRIu64 " %7.1f ", l->pid,
		   fmt_comm(comm, l->comm), l->port, l->accepts, l->rate);
	fmt_col(line, sizeof(line), &pos, 8, quantile(b, sizeof(b), l->queue, 0.5));
	fmt_col(line, sizeof(line), &pos, 8, quantile(b, sizeof(b), l->queue, 0.99));
	fmt_append(line, sizeof(line), &pos, "%6" PRIu64 " %6" PRIu64, l->handled_by_fork,
		   l->errors);
	if (!scr->narrow)
		row_backlog(line, sizeof(line), &pos, l);
	scr_put(scr, line);
}

static void loop_state(char *line, size_t n, size_t *pos, const struct screen *scr,
		       const struct ll_loop_view *l)
{
	char b[FMT_DUR_LEN];

	if (!l->alive)
		fmt_append(line, n, pos, "exited");
	else if (l->busy_now_us && l->busy_now_us > scr->o->stall_ms * 1000)
		fmt_append(line, n, pos, ALERT "STALLED %s" NORMAL,
			   fmt_dur_us(b, sizeof(b), l->busy_now_us));
}

static void row_loop(struct screen *scr, size_t i)
{
	const struct ll_loop_view *l = &scr->s->loops[i];
	char line[LIVE_LINE], comm[LL_COMM_LEN], b[FMT_DUR_LEN], etlt[FMT_NUM_LEN];
	double epw = l->wakeups ? (double)l->events / (double)l->wakeups : 0.0;
	size_t pos = 0;

	fmt_append(line, sizeof(line), &pos, "%-7u %-7u %-15s %7.0f ", l->pid, l->tid,
		   fmt_comm(comm, l->comm), l->wakeups_rate);
	if (!scr->narrow && l->calls)
		fmt_append(line, sizeof(line), &pos, "%7.1f ", epw);
	else if (!scr->narrow)	/* sched mode sees no returns */
		fmt_append(line, sizeof(line), &pos, "%7s ", "-");
	fmt_append(line, sizeof(line), &pos, "%5.1f ", l->busy_pct);
	if (!scr->narrow) {
		fmt_append(line, sizeof(line), &pos, "%5.1f %5.1f %5.1f %3u ", l->idle_pct,
			   l->offcpu_pct, l->runq_pct, l->threads);
		fmt_col(line, sizeof(line), &pos, 8, quantile(b, sizeof(b), l->busy, 0.99));
	}
	fmt_append(line, sizeof(line), &pos, "%6" PRIu64 " ", l->stalls);
	fmt_col(line, sizeof(line), &pos, 8, l->stalls ? fmt_dur_us(b, sizeof(b), l->max_stall_us)
		: "-");
	if (l->et_fds < 0 || l->lt_fds < 0)
		snprintf(etlt, sizeof(etlt), "?");
	else
		snprintf(etlt, sizeof(etlt), "%d/%d", l->et_fds, l->lt_fds);
	if (!scr->narrow)
		fmt_col(line, sizeof(line), &pos, 7, etlt);
	loop_state(line, sizeof(line), &pos, scr, l);
	scr_put(scr, line);
}

/* ---- sections ------------------------------------------------------------------------------- */

struct section {
	size_t n;			/* entries shown: active ones unless 'a', sorted */
	size_t total;			/* entries in the view */
	size_t idx[LIVE_MAX_ROWS];	/* view index of each entry shown */
	void (*row)(struct screen *scr, size_t i);
	const char *heading;
};

/* Titles end with cut, "" or " (top 3 of 9)" when the section had to be cut to fit. */
static void title_zombies(struct screen *scr, const char *cut)
{
	scr_printf(scr, "ZOMBIES by parent%s: %" PRIu64 " now, %" PRIu64 " reaped, %" PRIu64
		   " auto-reaped", cut, scr->s->procs.zombies_now, scr->s->procs.reaps,
		   scr->s->procs.autoreaped);
}

static void title_orphans(struct screen *scr, const char *cut)
{
	scr_printf(scr, "ORPHANS by adopter%s: %" PRIu64 " alive now", cut,
		   scr->s->procs.orphans_now);
}

/* The listeners whose queue was found full, with the kernel's drops over the run. */
static void title_listeners(struct screen *scr, const char *cut)
{
	const struct ll_snapshot *s = scr->s;
	char line[LIVE_LINE];
	size_t i, full = 0, pos = 0;

	for (i = 0; i < s->nlisteners; i++)
		if (s->listeners[i].backlog_full)
			full++;
	fmt_append(line, sizeof(line), &pos, "LISTENERS%s: %zu", cut, s->nlisteners);
	if (full)
		fmt_append(line, sizeof(line), &pos, ", " ALERT "%zu at the queue limit" NORMAL, full);
	if (full && s->netstat_known)
		fmt_append(line, sizeof(line), &pos, " (kernel-wide: %" PRIu64 " overflows, %"
			   PRIu64 " drops)", s->listen_overflows, s->listen_drops);
	scr_put(scr, line);
}

static void title_loops(struct screen *scr, const char *cut)
{
	const struct ll_loop_view *l = scr->s->loops;
	size_t i, stalled = 0;

	for (i = 0; i < scr->s->nloops; i++)
		if (l[i].alive && l[i].busy_now_us > scr->o->stall_ms * 1000)
			stalled++;
	scr_printf(scr, "EVENT LOOPS%s: %zu threads, %s%zu stalled now%s (threshold %"
		   PRIu64 " ms)", cut, scr->s->nloops, stalled ? ALERT : "", stalled,
		   stalled ? NORMAL : "", scr->o->stall_ms);
}

static void (*const section_title[SEC_MAX])(struct screen *scr, const char *cut) = {
	[SEC_ZOMBIES] = title_zombies,
	[SEC_ORPHANS] = title_orphans,
	[SEC_LISTENERS] = title_listeners,
	[SEC_LOOPS] = title_loops,
};

static bool zombie_active(const struct screen *scr, size_t i)
{
	const struct ll_zombie_view *z = &scr->s->zombies[i];
	uint64_t prev = prev_count(scr->l, false, z->parent_pid);

	return z->now || (prev != UINT64_MAX && z->reaped > prev);
}

static uint64_t loop_stalls_now(const struct screen *scr, const struct ll_loop_view *l)
{
	uint64_t prev = prev_count(scr->l, true, l->tid);

	return prev == UINT64_MAX || l->stalls < prev ? 0 : l->stalls - prev;
}

static bool entry_active(const struct screen *scr, int sec, size_t i)
{
	const struct ll_snapshot *s = scr->s;

	switch (sec) {
	case SEC_ZOMBIES:
		return zombie_active(scr, i);
	case SEC_ORPHANS:
		return s->orphans[i].alive > 0;
	case SEC_LISTENERS:
		return s->listeners[i].rate > 0;
	default:
		return s->loops[i].alive && (s->loops[i].wakeups_rate > 0 ||
					     s->loops[i].busy_now_us || loop_stalls_now(scr, &s->loops[i]));
	}
}

struct sort_ctx {
	const struct screen *scr;
	int sec;
};

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a > b ? -1 : a < b;
}

/* What is wrong now first: zombies now, the oldest, stalls this interval, a loop busy now. */
static int entry_cmp(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *c = arg;
	const struct ll_snapshot *s = c->scr->s;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	bool oldest = c->scr->l->sort == SORT_OLDEST;
	int r = 0;

	if (c->sec == SEC_ZOMBIES) {
		const struct ll_zombie_view *x = &s->zombies[a], *y = &s->zombies[b];

		r = oldest ? cmp_u64(x->oldest_now_us, y->oldest_now_us) : cmp_u64(x->now, y->now);
		if (!r)
			r = oldest ? cmp_u64(x->now, y->now) :
				     cmp_u64(x->oldest_now_us, y->oldest_now_us);
	} else if (c->sec == SEC_LOOPS) {
		const struct ll_loop_view *x = &s->loops[a], *y = &s->loops[b];
		uint64_t thr = c->scr->o->stall_ms * 1000;

		r = oldest ? cmp_u64(x->max_stall_us, y->max_stall_us) :
			     cmp_u64(x->alive && x->busy_now_us > thr, y->alive && y->busy_now_us > thr);
		if (!r && !oldest)
			r = cmp_u64(loop_stalls_now(c->scr, x), loop_stalls_now(c->scr, y));
		if (!r)
			r = cmp_u64(x->busy_now_us, y->busy_now_us);
	}
	return r ? r : a < b ? -1 : a > b;
}

static void section_pick(struct screen *scr, int idx, struct section *sec)
{
	struct sort_ctx c = { .scr = scr, .sec = idx };
	bool all = !scr->l || scr->l->all;
	size_t i;

	sec->n = 0;
	for (i = 0; i < sec->total && sec->n < LIVE_MAX_ROWS; i++)
		if (all || entry_active(scr, idx, i))
			sec->idx[sec->n++] = i;
	if (scr->l && scr->l->sort != SORT_HISTORY)
		qsort_r(sec->idx, sec->n, sizeof(sec->idx[0]), entry_cmp, &c);
}

static void sections_init(struct screen *scr, struct section sec[SEC_MAX])
{
	const struct ll_snapshot *s = scr->s;
	bool w = !scr->narrow;
	int i;

	sec[SEC_ZOMBIES] = (struct section){ .total = s->nzombies, .row = row_zombie,
		.heading = w ? "PARENT  COMM              NOW  OLDEST   REAPED     P50     P99 "
			       "COALESCED CAUSE" :
			       "PARENT  COMM              NOW  OLDEST   REAPED     P99 CAUSE" };
	sec[SEC_ORPHANS] = (struct section){ .total = s->norphans, .row = row_orphan,
		.heading = w ? "ADOPTER COMM            ADOPTED ALIVE EXITED LIFE P50 LIFE P99 "
			       "REAP P50 REAP P99" :
			       "ADOPTER COMM            ADOPTED ALIVE EXITED LIFE P99 REAP P50 "
			       "REAP P99" };
	sec[SEC_LISTENERS] = (struct section){ .total = s->nlisteners, .row = row_listener,
		.heading = w ? "PID     COMM             PORT  ACCEPTS  RATE/s QUEUE50  QUEUE99 "
			       "FORKED ERRORS  BACKLOG  FULL" :
			       "PID     COMM             PORT  ACCEPTS  RATE/s QUEUE50  QUEUE99 "
			       "FORKED ERRORS" };
	sec[SEC_LOOPS] = (struct section){ .total = s->nloops, .row = row_loop,
		.heading = w ? "PID     TID     COMM             WAKE/s EV/WAKE BUSY% IDLE%  OFF% "
			       "RUNQ% THR BUSY P99 STALLS MAXSTALL  ET/LT STATE" :
			       "PID     TID     COMM             WAKE/s BUSY% STALLS MAXSTALL "
			       "STATE" };
	for (i = 0; i < SEC_MAX; i++)
		section_pick(scr, i, &sec[i]);
}

/* This frame's counters become the next frame's "before". */
static void live_remember(struct live_state *l, const struct ll_snapshot *s)
{
	size_t i;

	l->nprev_z = l->nprev_l = 0;
	for (i = 0; i < s->nzombies && l->nprev_z < LIVE_MAX_ROWS; i++, l->nprev_z++) {
		l->prev_z[l->nprev_z].id = s->zombies[i].parent_pid;
		l->prev_z[l->nprev_z].count = s->zombies[i].reaped;
	}
	for (i = 0; i < s->nloops && l->nprev_l < LIVE_MAX_ROWS; i++, l->nprev_l++) {
		l->prev_l[l->nprev_l].id = s->loops[i].tid;
		l->prev_l[l->nprev_l].count = s->loops[i].stalls;
	}
}

static void live_help(struct screen *scr)
{
	static const char *const lines[] = {
		"Keys:",
		"  q      quit (the final summary follows)",
		"  p      pause and resume the refresh",
		"  s      sort: what is wrong now, oldest, history",
		"  a      show also the rows with no activity (hidden by default)",
		"  h, ?   this help; any of them again goes back",
	};
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		scr_put(scr, lines[i]);
}

/*
 * Shares the rows among the sections that have something to show: first a title, heading and
 * one entry each while rows last (in order of importance; just the title when fewer than three
 * rows are left, since a heading without an entry says nothing), then one more row at a time to
 * each section that still has entries, so a long list never starves the ones after it.
 */
static void sections_fit(const struct section sec[SEC_MAX], int avail, int alloc[SEC_MAX])
{
	bool more = true;
	int i, step;

	for (i = 0; i < SEC_MAX; i++) {
		alloc[i] = 0;
		if (!sec[i].n || avail <= 0)
			continue;
		alloc[i] = avail >= 3 ? 3 : 1;
		avail -= alloc[i];
	}
	while (avail > 0 && more) {
		more = false;
		for (i = 0; i < SEC_MAX && avail > 0; i++) {
			step = alloc[i] == 1 ? 2 : 1;
			if (!alloc[i] || alloc[i] >= 2 + (int)sec[i].n || step > avail)
				continue;
			alloc[i] += step;
			avail -= step;
			more = true;
		}
	}
}

static void section_draw(struct screen *scr, int idx, const struct section *sec, int rows)
{
	size_t shown = rows > 2 ? (size_t)rows - 2 : 0, i;
	char cut[96] = "";

	if (rows <= 0)
		return;
	if (!shown)
		snprintf(cut, sizeof(cut), " (no room to list)");
	else if (shown < sec->n)
		snprintf(cut, sizeof(cut), " (top %zu of %zu)", shown, sec->n);
	else if (sec->n < sec->total)
		snprintf(cut, sizeof(cut), " (%zu idle hidden: a)", sec->total - sec->n);
	if (scr->l && scr->l->sort != SORT_NOW)
		snprintf(cut + strlen(cut), sizeof(cut) - strlen(cut), " sorted by %s",
			 sort_names[scr->l->sort]);
	section_title[idx](scr, cut);
	if (rows < 2)
		return;
	scr_printf(scr, HEAD "%s%s" NORMAL, sec->heading, !scr->containers ? "" :
		   idx == SEC_ZOMBIES ? "            CONTAINER" : idx == SEC_ORPHANS ? " CONTAINER" : "");
	for (i = 0; i < shown && i < sec->n; i++)
		sec->row(scr, sec->idx[i]);
}

/* Appends a piece of the headline only whole: what does not fit is left out, never cut. */
static void head_piece(char *line, size_t n, size_t *pos, int cols, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void head_piece(char *line, size_t n, size_t *pos, int cols, const char *fmt, ...)
{
	char piece[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(piece, sizeof(piece), fmt, ap);
	va_end(ap);
	if ((int)(fmt_width(line) + fmt_width(piece)) <= cols)
		fmt_append(line, n, pos, "%s", piece);
}

/* Most important first: what is wrong now, then the totals, then the keys. */
static void live_headline(struct screen *scr)
{
	const struct ll_snapshot *s = scr->s;
	const struct live_state *l = scr->l;
	char line[LIVE_LINE];
	size_t pos = 0;
	int c = scr->cols;

	fmt_append(line, sizeof(line), &pos, "lifeline %.0fs", s->elapsed_s);
	if (l && l->paused)
		head_piece(line, sizeof(line), &pos, c, HILITE " PAUSED " NORMAL);
	head_piece(line, sizeof(line), &pos, c, "  zombies %" PRIu64, s->procs.zombies_now);
	head_piece(line, sizeof(line), &pos, c, "  orphans %" PRIu64, s->procs.orphans_now);
	if (s->fork_failures)
		head_piece(line, sizeof(line), &pos, c, "  " ALERT "fork failures %" PRIu64 NORMAL,
			   s->fork_failures);
	if (s->lost)
		head_piece(line, sizeof(line), &pos, c, "  " HILITE " LOST %" PRIu64 " " NORMAL,
			   s->lost);
	else
		head_piece(line, sizeof(line), &pos, c, "  lost 0");
	head_piece(line, sizeof(line), &pos, c, "  forks %" PRIu64, s->procs.forks);
	head_piece(line, sizeof(line), &pos, c, "  exits %" PRIu64, s->procs.exits);
	if (l)
		head_piece(line, sizeof(line), &pos, c, "  h: help");
	head_piece(line, sizeof(line), &pos, c, "  execs %" PRIu64, s->procs.execs);
	head_piece(line, sizeof(line), &pos, c, "  events %" PRIu64, s->events);
	scr_put(scr, line);
}

void render_live(const struct ll_render_opts *o, const struct ll_snapshot *s, int rows, int cols)
{
	struct screen scr = { .f = o->out, .rows = rows, .cols = cols, .o = o, .s = s,
			      .l = o->live };
	static struct section sec[SEC_MAX];
	int alloc[SEC_MAX], i;
	bool any = false;

	if (scr.l && scr.l->paused && !scr.l->dirty)
		return;	/* paused: the screen stays as it was until a key */
	if (scr.rows <= 0)
		scr.rows = 24;
	if (scr.cols <= 0)
		scr.cols = 80;
	scr.containers = any_container(s);
	scr.narrow = scr.cols < NARROW_COLS;
	fputs("\033[H", scr.f);
	live_headline(&scr);
	if (scr.l && scr.l->help) {
		live_help(&scr);
	} else {
		sections_init(&scr, sec);
		sections_fit(sec, scr.rows - 1, alloc);
		for (i = 0; i < SEC_MAX; i++) {
			section_draw(&scr, i, &sec[i], alloc[i]);
			any |= sec[i].total > 0;
		}
		if (!any)
			scr_put(&scr, "no zombies, orphans, listeners or event loops seen yet");
	}
	/* Erase what an earlier, longer screen left below. */
	if (scr.row < scr.rows)
		fputs("\r\n\033[J", scr.f);
	fflush(scr.f);
	if (scr.l) {
		scr.l->dirty = false;
		if (!scr.l->paused)
			live_remember(scr.l, s);
	}
}
