// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The top-like live view. Plain ANSI: the cursor goes home, each row is erased and rewritten,
 * and whatever is left below is erased at the end, so the screen never flickers the way a full
 * clear does. No row ends with a newline on the last screen line, so the terminal never scrolls.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include "format.h"
#include "render.h"

#define LIVE_LINE	1024
#define HILITE		"\033[1;7m"	/* bold reverse: lost events */
#define ALERT		"\033[1;31m"	/* bold red: a stalled loop */
#define HEAD		"\033[7m"	/* reverse: column headings */
#define NORMAL		"\033[0m"

enum { SEC_ZOMBIES, SEC_ORPHANS, SEC_LISTENERS, SEC_LOOPS, SEC_MAX };

struct screen {
	FILE *f;
	int rows;
	int cols;
	int row;		/* rows written so far */
	const struct ll_render_opts *o;
	const struct ll_snapshot *s;
};

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
	fmt_col(line, sizeof(line), &pos, 7, quantile(b, sizeof(b), z->lifetime, 0.5));
	fmt_col(line, sizeof(line), &pos, 7, quantile(b, sizeof(b), z->lifetime, 0.99));
	fmt_append(line, sizeof(line), &pos, "%9" PRIu64 " %s", z->coalesced_sigchld,
		   ll_cause_name(z->cause));
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
	fmt_col(line, sizeof(line), &pos, 8, quantile(b, sizeof(b), o->lifetime, 0.5));
	fmt_col(line, sizeof(line), &pos, 8, quantile(b, sizeof(b), o->lifetime, 0.99));
	fmt_col(line, sizeof(line), &pos, 8, quantile(b, sizeof(b), o->reap, 0.5));
	fmt_col(line, sizeof(line), &pos, 8, quantile(b, sizeof(b), o->reap, 0.99));
	scr_put(scr, line);
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

	fmt_append(line, sizeof(line), &pos, "%-7u %-7u %-15s %7.0f %7.1f %5.1f ", l->pid, l->tid,
		   fmt_comm(comm, l->comm), l->wakeups_rate, epw, l->busy_pct);
	fmt_col(line, sizeof(line), &pos, 8, quantile(b, sizeof(b), l->busy, 0.99));
	fmt_append(line, sizeof(line), &pos, "%6" PRIu64 " ", l->stalls);
	fmt_col(line, sizeof(line), &pos, 8, l->stalls ? fmt_dur_us(b, sizeof(b), l->max_stall_us)
		: "-");
	if (l->et_fds < 0 || l->lt_fds < 0)
		snprintf(etlt, sizeof(etlt), "?");
	else
		snprintf(etlt, sizeof(etlt), "%d/%d", l->et_fds, l->lt_fds);
	fmt_col(line, sizeof(line), &pos, 7, etlt);
	loop_state(line, sizeof(line), &pos, scr, l);
	scr_put(scr, line);
}

/* ---- sections ------------------------------------------------------------------------------- */

struct section {
	size_t n;			/* entries in the view */
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

static void title_listeners(struct screen *scr, const char *cut)
{
	scr_printf(scr, "LISTENERS%s: %zu", cut, scr->s->nlisteners);
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

static void sections_init(struct section sec[SEC_MAX], const struct ll_snapshot *s)
{
	sec[SEC_ZOMBIES] = (struct section){ s->nzombies, row_zombie,
		"PARENT  COMM              NOW  OLDEST   REAPED     P50     P99 COALESCED CAUSE" };
	sec[SEC_ORPHANS] = (struct section){ s->norphans, row_orphan,
		"ADOPTER COMM            ADOPTED ALIVE EXITED LIFE P50 LIFE P99 REAP P50 "
		"REAP P99" };
	sec[SEC_LISTENERS] = (struct section){ s->nlisteners, row_listener,
		"PID     COMM             PORT  ACCEPTS  RATE/s QUEUE50  QUEUE99 FORKED ERRORS" };
	sec[SEC_LOOPS] = (struct section){ s->nloops, row_loop,
		"PID     TID     COMM             WAKE/s EV/WAKE BUSY% BUSY P99 STALLS MAXSTALL  "
		"ET/LT STATE" };
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
	char cut[48] = "";

	if (rows <= 0)
		return;
	if (!shown)
		snprintf(cut, sizeof(cut), " (no room to list)");
	else if (shown < sec->n)
		snprintf(cut, sizeof(cut), " (top %zu of %zu)", shown, sec->n);
	section_title[idx](scr, cut);
	if (rows < 2)
		return;
	scr_printf(scr, HEAD "%s" NORMAL, sec->heading);
	for (i = 0; i < shown && i < sec->n; i++)
		sec->row(scr, i);
}

static void live_headline(struct screen *scr)
{
	const struct ll_snapshot *s = scr->s;
	char lost[64];

	if (s->lost)
		snprintf(lost, sizeof(lost), HILITE " LOST %" PRIu64 " " NORMAL, s->lost);
	else
		snprintf(lost, sizeof(lost), "lost 0");
	scr_printf(scr, "lifeline  up %.1fs  events %" PRIu64 "  %s  forks %" PRIu64 "  execs %"
		   PRIu64 "  exits %" PRIu64 "  zombies %" PRIu64 "  orphans %" PRIu64,
		   s->elapsed_s, s->events, lost, s->procs.forks, s->procs.execs, s->procs.exits,
		   s->procs.zombies_now, s->procs.orphans_now);
}

void render_live(const struct ll_render_opts *o, const struct ll_snapshot *s, int rows, int cols)
{
	struct screen scr = { .f = o->out, .rows = rows, .cols = cols, .o = o, .s = s };
	struct section sec[SEC_MAX];
	int alloc[SEC_MAX], i;
	bool any = false;

	if (scr.rows <= 0)
		scr.rows = 24;
	if (scr.cols <= 0)
		scr.cols = 80;
	fputs("\033[H", scr.f);
	live_headline(&scr);
	sections_init(sec, s);
	sections_fit(sec, scr.rows - 1, alloc);
	for (i = 0; i < SEC_MAX; i++) {
		section_draw(&scr, i, &sec[i], alloc[i]);
		any |= sec[i].n > 0;
	}
	if (!any)
		scr_put(&scr, "no zombies, orphans, listeners or event loops seen yet");
	/* Erase what an earlier, longer screen left below. */
	if (scr.row < scr.rows)
		fputs("\r\n\033[J", scr.f);
	fflush(scr.f);
}
