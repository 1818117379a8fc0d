// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The run: signals, the poll loop with its intervals (ticks, screens, keys), its end and the
 * final summary. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "app.h"
#include "fdinfo.h"
#include "listeners.h"
#include "loops.h"
#include "proctab.h"
#include "reconcile.h"
#include "term.h"
#include "tracer.h"

#define POLL_MS		20	/* records wait at most this long: the BPF side does not wake us */

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t interrupts;
static volatile sig_atomic_t resized;		/* SIGWINCH: the live view redraws at once */

static void drain(struct app *a);

static void on_winch(int sig)
{
	resized = 1;
}

static void on_signal(int sig)
{
	/* A second Ctrl-C means now: the user is not waiting for the summary. */
	if (sig == SIGINT && ++interrupts > 1)
		_exit(130);
	stop_signal = sig;
}

int setup_signals(bool live)
{
	struct sigaction winch = { .sa_handler = on_winch, .sa_flags = SA_RESTART };
	/* SA_RESTART: a write blocked on a slow pipe must not fail with EINTR (and the summary be
	 * lost as "output broken"); epoll_wait is never restarted, so the loop still wakes up. */
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL))
			return -errno;
	/* A closed stdout (| head) shows up as EPIPE on write; we then end quietly. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&winch.sa_mask);
	if (live && sigaction(SIGWINCH, &winch, NULL))
		return -errno;
	return 0;
}

static void drain_ctx(void *ctx)
{
	drain(ctx);
}

static void refresh_loops(struct app *a, uint64_t now)
{
	struct lp_epfd fds[256];
	size_t n, i;
	int et, lt;

	n = tracer_read_loops(a->tracer, a->kloops, MAX_LOOPS);
	lp_update(a->st.lp, a->kloops, n, now);
	n = lp_epfds(a->st.lp, fds, sizeof(fds) / sizeof(fds[0]));
	for (i = 0; i < n; i++)
		if (fdinfo_epoll_read(fds[i].pid, fds[i].epfd, &et, &lt) >= 0)
			lp_set_fds(a->st.lp, fds[i].tid, et, lt);
}

/* final: before the last summary, every zombie believed in is checked against /proc. */
static void tick(struct app *a, uint64_t now, bool final)
{
	struct tracer_counts c;

	tracer_counts(a->tracer, &c);
	if (c.lost_total > a->lost_seen) {
		pt_lost(a->st.pt, c.lost_total - a->lost_seen);
		a->lost_seen = c.lost_total;
	}
	reconcile_zombies(a->st.pt, now, final, drain_ctx, a);
	resolve_adopters(a);
	refresh_loops(a, now);
	ls_tick(a->st.ls, now);
	pt_tick(a->st.pt, now);
}

static void terminal_size(int *rows, int *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

static void show_interval(struct app *a, uint64_t now)
{
	struct ll_snapshot s;
	int rows, cols;

	if (a->mode != OUT_LIVE && a->mode != OUT_SUMMARIES && !a->prom)
		return;
	snapshot(a, &s, now, false);
	/* On failure the previous exposition stays up: scrapes see older numbers, not none. */
	prom_update(a->prom, &s);
	if (a->mode == OUT_LIVE) {
		terminal_size(&rows, &cols);
		render_live(&a->ro, &s, rows, cols);
	} else if (a->mode == OUT_SUMMARIES) {
		render_summary(&a->ro, &s);
	}
	fflush(a->ro.out);
}

/*
 * The reader went away (lifeline -- make | head) but COMMAND runs on: like the shell with the
 * rest of a pipeline, wait for it and exit with its status. A stop signal ends the wait.
 */
void wait_command(struct app *a)
{
	const struct timespec tick = { .tv_nsec = 20 * 1000000 };

	if (a->out_err != EPIPE)
		return;
	for (command_reap(&a->cmd); a->cmd.pid > 0 && !a->cmd.done && !stop_signal;
	     command_reap(&a->cmd))
		nanosleep(&tick, NULL);
}

/* Whatever the kernel already produced is still shown: poll until the ring is empty. */
static void drain(struct app *a)
{
	int i;

	for (i = 0; i < 100 && tracer_poll(a->tracer, 0, -1) > 0; i++)
		;
}

/*
 * A write error, or a pipe whose reader is gone (lifeline -e | head): the latter shows up as
 * POLLERR without writing, so a quiet trace does not outlive its reader waiting for an event.
 * The first error is kept: a gone reader ends the run quietly, anything else (a full disk) is
 * reported at the end. errno is still the failed write's when the loop checks right after it.
 */
static bool output_broken(struct app *a)
{
	struct pollfd pfd = { .fd = fileno(a->ro.out) };
	int err = errno;
	bool gone;

	gone = poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP));
	if (!a->out_err && (gone || ferror(a->ro.out)))
		a->out_err = gone ? EPIPE : err ? err : EIO;
	return a->out_err != 0;
}

/* Keys of the live view, read as they come; false when the user quits. */
static bool live_keys(struct app *a, uint64_t now)
{
	int key;

	while ((key = term_read_key(STDIN_FILENO)) >= 0) {
		switch (live_key(a->ro.live, key)) {
		case LIVE_QUIT:
			return false;
		case LIVE_REDRAW:
			show_interval(a, now);
			break;
		default:
			break;
		}
	}
	return true;
}

void run(struct app *a)
{
	uint64_t interval_ns = a->opts.interval_s * 1e9, next_tick, deadline = 0, now;
	bool stopped = false;		/* by -d or q, not by the tree's end or a gone reader */
	int ret, wait_ms, wake_fd;

	now = now_ns();
	next_tick = now + interval_ns;
	if (a->opts.duration_s > 0)
		deadline = now + (uint64_t)(a->opts.duration_s * 1e9);
	if (a->mode == OUT_LIVE)
		show_interval(a, now);	/* a screen at once, not after the first interval */
	while (!stop_signal && !a->cmd.tree_done && !output_broken(a)) {
		now = now_ns();
		wait_ms = POLL_MS;
		if (next_tick > now && (next_tick - now) / 1000000 < (uint64_t)wait_ms)
			wait_ms = (next_tick - now) / 1000000;
		/* Keys answer at once in the live view; otherwise the COMMAND's exit does. */
		wake_fd = a->keys ? STDIN_FILENO : a->cmd.done ? -1 : a->cmd.pidfd;
		ret = tracer_poll(a->tracer, wait_ms, wake_fd);
		if (ret < 0) {
			fprintf(stderr, "lifeline: reading the ring buffer failed: %s\n",
				strerror(-ret));
			break;
		}
		command_reap(&a->cmd);
		now = now_ns();
		if (a->keys && !live_keys(a, now)) {
			stopped = true;
			break;
		}
		if (resized) {
			resized = 0;
			show_interval(a, now);
		}
		if (pt_pending_adopters(a->st.pt, NULL, 0))
			resolve_adopters(a);
		reorder_flush(a->reo, now);
		if (now >= next_tick) {
			tick(a, now, false);
			show_interval(a, now);	/* the last state is drawn before -p's end */
			if (pidwatch_gone(&a->alive))
				break;
			next_tick += interval_ns;
			if (next_tick < now)
				next_tick = now + interval_ns;
		}
		if (deadline && now >= deadline) {
			stopped = true;
			break;
		}
	}
	drain(a);
	/* Stopped first (-d, a signal, q): what is left of the COMMAND's tree is told to go, and
	 * its exits are still shown. */
	if (a->cmd.pid > 0 && !a->cmd.tree_done && (stopped || stop_signal)) {
		command_stop_tree(&a->cmd, 1000);
		drain(a);
	}
}

void finish(struct app *a)
{
	struct ll_snapshot s;
	uint64_t now = now_ns();

	if (output_broken(a))
		return;
	tick(a, now, true);
	reorder_flush(a->reo, UINT64_MAX);
	snapshot(a, &s, now, true);
	prom_update(a->prom, &s);
	if (a->mode == OUT_LIVE)
		fputs("\033[H\033[2J", a->ro.out);
	fold_flush(a->ro.fold, a->ro.out);
	render_summary(&a->ro, &s);
	if (a->bad_records)
		fprintf(stderr, "lifeline: %llu malformed records were dropped\n",
			(unsigned long long)a->bad_records);
	fflush(a->ro.out);
	output_broken(a);
}
