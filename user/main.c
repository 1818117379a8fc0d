// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * lifeline: live process lifecycles and event loops, from tracepoints.
 * main only runs the lifecycle: options, tracer, state, renderers, signals, the end.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "cli.h"
#include "containers.h"
#include "command.h"
#include "decode.h"
#include "evfilter.h"
#include "fdinfo.h"
#include "history.h"
#include "format.h"
#include "listeners.h"
#include "loops.h"
#include "pidwatch.h"
#include "procfs.h"
#include "netstat.h"
#include "proctab.h"
#include "reconcile.h"
#include "reorder.h"
#include "prom.h"
#include "render.h"
#include "render_svg.h"
#include "term.h"
#include "tracer.h"

#define POLL_MS		20	/* records wait at most this long: the BPF side does not wake us */
#define MAX_VIEWS	1024
#define MAX_LOOPS	LL_MAX_LOOPS
#define MAX_TRACED	4096

enum out_mode { OUT_LIVE, OUT_STREAM, OUT_SUMMARIES, OUT_QUIET };

struct app {
	struct command cmd;		/* -- COMMAND and its tree */
	struct ll_opts opts;
	enum out_mode mode;
	struct ll_render_opts ro;
	struct tracer *tracer;
	struct prom_server *prom;	/* --prometheus: serves the latest snapshot */
	struct proctab *pt;
	struct listeners *ls;
	struct loops *lp;
	struct containers ct;		/* cgroups, --cgroup, fork failures */
	struct reorder *reo;		/* the event stream, in time order */
	uint64_t start_ns;
	uint64_t records;
	uint64_t bad_records;
	uint64_t lost_seen;
	int out_err;			/* first write error on the output; EPIPE: reader gone */
	struct ll_zombie_view zombies[MAX_VIEWS];
	struct ll_orphan_view orphans[MAX_VIEWS];
	struct ll_listener_view listeners[MAX_VIEWS];
	struct ll_loop_view loopv[MAX_VIEWS];
	struct ll_loop_stats kloops[MAX_LOOPS];
	struct ll_listen_counters netstat0;	/* the kernel's listen counters at start */
	bool netstat0_ok;
	uint32_t traced[MAX_TRACED];	/* what -p / COMMAND traced at start */
	unsigned int ntraced;
	struct history *hist;		/* --svg: what the chart draws */
	FILE *svg;
	char **argv;			/* for the chart's title */
	int argc;
	struct pidwatch alive;		/* -p: the run ends when none of the traced tree is left */
	char cmd_log[96];		/* the live view's COMMAND writes here, not on the screen */
	bool keys;			/* the live view reads keys from stdin */
	uint32_t own_pidns;		/* inode of lifeline's PID namespace */
};

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t interrupts;
static volatile sig_atomic_t resized;		/* SIGWINCH: the live view redraws at once */

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

static int setup_signals(bool live)
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

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static bool stream_wants(const struct app *a, enum ll_ev_kind kind)
{
	unsigned int c = a->opts.classes;

	switch (kind) {
	case EV_ACCEPT:
		return c & LL_CLASS_SOCK;
	case EV_STALL:
		return c & (LL_CLASS_LOOP | LL_CLASS_LOOP_ALL);
	case EV_WAKEUP:
		return c & LL_CLASS_LOOP_ALL;
	default:
		return c & LL_CLASS_PROC;
	}
}

/* The chart names an orphan's adopter, which may have done nothing else we saw (init). */
static void name_adopter(struct app *a, uint32_t pid)
{
	const char *comm = pt_comm(a->pt, pid);
	struct procfs_stat st;

	if (!comm && pid && !procfs_read_stat(pid, &st))
		comm = st.comm;
	history_name(a->hist, pid, comm);
}

/* Every joined event passes here: listeners learn how handler children ended, the stream
 * shows what was asked for. */
static void on_event(void *ctx, const struct ll_event *ev)
{
	struct app *a = ctx;
	struct ll_event named;

	if (ev->kind == EV_EXIT || ev->kind == EV_REAP)
		ls_on_event(a->ls, ev);
	pidwatch_event(&a->alive, ev);
	if (a->mode == OUT_STREAM && stream_wants(a, ev->kind) &&
	    (!a->opts.failed_only || ev_is_failure(ev))) {
		named = *ev;
		named.cgroup = cg_path_of_pid(a->ct.cg, ev->pid);
		reorder_push(a->reo, &named);
	}
	if (a->hist) {
		history_event(a->hist, ev);
		if (ev->kind == EV_ORPHAN)
			name_adopter(a, ev->orphan.adopter_pid);
	}
	if (ev->kind == EV_REAP)
		cg_forget(a->ct.cg, ev->pid);
}

static void on_ordered_event(void *ctx, const struct ll_event *ev)
{
	struct app *a = ctx;

	render_event(&a->ro, ev);
}

static int on_record(void *ctx, const void *data, size_t size)
{
	struct app *a = ctx;
	const struct ll_hdr *h = data;
	int type = ll_decode(data, size);

	if (type < 0) {
		a->bad_records++;
		return 0;
	}
	a->records++;
	cg_handle(a->ct.cg, h);
	switch (type) {
	case LL_REC_FORK:
		pt_handle(a->pt, h);
		ls_handle_fork(a->ls, data);
		break;
	case LL_REC_EXEC:
	case LL_REC_EXIT:
	case LL_REC_REAP:
	case LL_REC_SIGCHLD:
		pt_handle(a->pt, h);
		break;
	case LL_REC_ACCEPT:
		ls_handle_accept(a->ls, data);
		break;
	case LL_REC_FORK_FAILED:
		ff_handle(a->ct.ff, data);
		break;
	default:
		lp_handle(a->lp, h);
		break;
	}
	return 0;
}

static bool seed_wanted(struct app *a, const struct procfs_stat *st)
{
	unsigned int i;

	if (st->pid == (uint32_t)getpid())
		return false;
	if (!containers_seed(&a->ct, st->pid))
		return false;
	if (a->opts.uid_set && procfs_uid(st->pid) != (int64_t)a->opts.uid)
		return false;
	if (a->opts.npids || a->opts.command) {
		for (i = 0; i < a->ntraced; i++)
			if (a->traced[i] == st->pid)
				break;
		if (i == a->ntraced)
			return false;
	}
	if (!a->opts.ncomms)
		return true;
	for (i = 0; i < a->opts.ncomms; i++)
		if (!strncmp(st->comm, a->opts.comms[i], LL_COMM_LEN))
			return true;
	return false;
}

/* A process in another PID namespace than lifeline's: its pid there, for the table and for the
 * kernel side, which translates what its reaper's wait returns. */
static void seed_ns_pid(struct app *a, uint32_t pid)
{
	uint32_t ns = procfs_pidns(pid), ns_pid;

	if (!ns || ns == a->own_pidns)
		return;
	ns_pid = procfs_ns_pid(pid);
	if (!ns_pid)
		return;
	pt_set_ns_pid(a->pt, pid, ns_pid);
	tracer_watch_ns_pid(a->tracer, ns, ns_pid, pid);
}

/* What existed before lifeline, as far as the filters let it see: the same set the kernel
 * side traces, so the summary never shows processes the user filtered out. */
static int seed_one(const struct procfs_stat *st, void *ctx)
{
	struct app *a = ctx;

	if (!seed_wanted(a, st))
		return 0;
	pt_seed(a->pt, st->pid, st->ppid, st->comm, LL_UNKNOWN, st->state == 'Z');
	if (st->state == 'Z')
		tracer_watch_zombie(a->tracer, st->pid);
	seed_ns_pid(a, st->pid);
	return 0;
}

static int trace_pid(struct app *a, uint32_t pid)
{
	if (a->ntraced < MAX_TRACED)
		a->traced[a->ntraced++] = pid;
	return tracer_trace_pid(a->tracer, pid);
}

/* -p PID also means the children PID already has (an nginx master's workers, say). */
static int trace_pids(struct app *a)
{
	uint32_t kids[MAX_TRACED];
	size_t i, j, n;
	int ret;

	for (i = 0; i < a->opts.npids; i++) {
		ret = trace_pid(a, a->opts.pids[i]);
		if (ret)
			return ret;
		n = procfs_descendants(a->opts.pids[i], kids, MAX_TRACED);
		for (j = 0; j < n; j++) {
			ret = trace_pid(a, kids[j]);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* The adopter of an orphan is whoever /proc says its parent is now. */
static void resolve_adopters(struct app *a)
{
	uint32_t pids[256];
	struct procfs_stat st, ad;
	size_t i, n;

	n = pt_pending_adopters(a->pt, pids, sizeof(pids) / sizeof(pids[0]));
	for (i = 0; i < n; i++) {
		if (procfs_read_stat(pids[i], &st))
			continue;	/* exited: its exit record names the adopter */
		if (procfs_read_stat(st.ppid, &ad))
			strcpy(ad.comm, "?");
		pt_set_adopter(a->pt, pids[i], st.ppid, ad.comm);
	}
}

static void drain(struct app *a);

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
	lp_update(a->lp, a->kloops, n, now);
	n = lp_epfds(a->lp, fds, sizeof(fds) / sizeof(fds[0]));
	for (i = 0; i < n; i++)
		if (fdinfo_epoll_read(fds[i].pid, fds[i].epfd, &et, &lt) >= 0)
			lp_set_fds(a->lp, fds[i].tid, et, lt);
}

/* final: before the last summary, every zombie believed in is checked against /proc. */
static void tick(struct app *a, uint64_t now, bool final)
{
	struct tracer_counts c;

	tracer_counts(a->tracer, &c);
	if (c.lost_total > a->lost_seen) {
		pt_lost(a->pt, c.lost_total - a->lost_seen);
		a->lost_seen = c.lost_total;
	}
	reconcile_zombies(a->pt, now, final, drain_ctx, a);
	resolve_adopters(a);
	refresh_loops(a, now);
	ls_tick(a->ls, now);
	pt_tick(a->pt, now);
}

/* The kernel's ListenOverflows/ListenDrops since start (system-wide: no per-socket counter). */
static void snapshot_netstat(struct app *a, struct ll_snapshot *s)
{
	struct ll_listen_counters c;

	if (!a->netstat0_ok || netstat_read_listen(NULL, &c))
		return;
	s->netstat_known = true;
	s->listen_overflows = c.overflows >= a->netstat0.overflows ?
			      c.overflows - a->netstat0.overflows : 0;
	s->listen_drops = c.drops >= a->netstat0.drops ? c.drops - a->netstat0.drops : 0;
}

/* The final summary's rates are over the whole run, not its last (maybe empty) interval. */
static void final_rates(struct app *a, const struct ll_snapshot *s)
{
	size_t i;

	if (s->elapsed_s <= 0)
		return;
	for (i = 0; i < s->nlisteners; i++)
		a->listeners[i].rate = a->listeners[i].accepts / s->elapsed_s;
	for (i = 0; i < s->nloops; i++)
		a->loopv[i].wakeups_rate = a->loopv[i].wakeups / s->elapsed_s;
}

static void snapshot(struct app *a, struct ll_snapshot *s, uint64_t now, bool final)
{
	struct tracer_counts c;
	struct ls_counters lc;
	struct lp_counters pc;
	int i;

	tracer_counts(a->tracer, &c);
	memset(s, 0, sizeof(*s));
	s->ts_ns = now;
	s->elapsed_s = (now - a->start_ns) / 1e9;
	s->events = a->records;
	s->lost = c.lost_total;
	for (i = 0; i < LL_REC_MAX; i++) {
		s->lost_by_type[i] = c.lost[i];
		s->sent_by_type[i] = c.sent[i];
	}
	s->map_full = c.map_full;
	ls_counters(a->ls, &lc);
	lp_counters(a->lp, &pc);
	s->evicted_listeners = lc.listeners_evicted;
	s->evicted_children = lc.children_evicted;
	s->evicted_loops = pc.evicted;
	s->final = final;
	pt_totals(a->pt, &s->procs);
	s->zombies = a->zombies;
	s->nzombies = pt_zombie_views(a->pt, now, a->zombies, MAX_VIEWS);
	s->orphans = a->orphans;
	s->norphans = pt_orphan_views(a->pt, a->orphans, MAX_VIEWS);
	s->listeners = a->listeners;
	s->nlisteners = ls_views(a->ls, a->listeners, MAX_VIEWS);
	snapshot_netstat(a, s);
	s->loops = a->loopv;
	s->nloops = lp_views(a->lp, now, a->loopv, MAX_VIEWS);
	containers_snapshot(&a->ct, s);
	containers_name_groups(&a->ct, a->zombies, s->nzombies, a->orphans, s->norphans);
	if (final)
		final_rates(a, s);
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
static void wait_command(struct app *a)
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

static void run(struct app *a)
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
		if (pt_pending_adopters(a->pt, NULL, 0))
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

static void finish(struct app *a)
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

/* --svg: the file is opened at start, so that a bad path fails before the run, not after it. */
static int open_chart(struct app *a)
{
	if (!a->opts.svg)
		return 0;
	a->svg = fopen(a->opts.svg, "w");
	if (!a->svg) {
		fprintf(stderr, "lifeline: cannot write the chart to %s: %s\n", a->opts.svg,
			strerror(errno));
		return -errno;
	}
	return 0;
}

static int write_chart(struct app *a)
{
	int ret;

	if (!a->svg)
		return 0;
	history_end(a->hist, now_ns());
	ret = render_svg(a->svg, a->hist, &(struct svg_opts){ .argv = a->argv, .argc = a->argc });
	if (fclose(a->svg) && !ret)
		ret = -errno;
	a->svg = NULL;
	if (ret)
		fprintf(stderr, "lifeline: cannot write the chart to %s: %s\n", a->opts.svg,
			strerror(-ret));
	return ret;
}

static enum out_mode choose_mode(const struct ll_opts *o, FILE *out)
{
	if (o->events)
		return OUT_STREAM;
	if (o->json)
		return OUT_SUMMARIES;
	if (o->prometheus)
		return OUT_QUIET;	/* headless: a daemon serving /metrics, no live view */
	if (isatty(fileno(out)))
		return OUT_LIVE;
	return OUT_QUIET;	/* a file or a pipe gets the final summary only */
}

static int check_pids(const struct ll_opts *o)
{
	size_t i;

	for (i = 0; i < o->npids; i++) {
		if (kill(o->pids[i], 0) && errno == ESRCH) {
			fprintf(stderr, "lifeline: no process with pid %u\n", o->pids[i]);
			return -ESRCH;
		}
	}
	return 0;
}

static int open_state(struct app *a)
{
	struct pt_config pc = { .emit = on_event, .ctx = a, .start_ns = now_ns() };
	struct ls_config lc = { .emit = on_event, .ctx = a };
	struct lp_config pl = { .emit = on_event, .ctx = a,
				.calls = a->opts.loops_mode == LL_LOOPS_CALLS };

	a->pt = pt_new(&pc);
	a->ls = ls_new(&lc);
	a->lp = lp_new(&pl);
	if (containers_open(&a->ct, on_event, a))
		return -ENOMEM;
	a->reo = reorder_new(LL_REORDER_NS, 0, on_ordered_event, a);
	return a->pt && a->ls && a->lp && a->reo ? 0 : -ENOMEM;
}

/* /metrics is served from attach on, with the state at start: no scrape finds it empty. */
static int start_prom(struct app *a, char *err, size_t errlen)
{
	struct ll_snapshot s;
	int ret;

	ret = prom_start((const struct sockaddr *)&a->opts.prom_addr, a->opts.prom_addrlen,
			 a->opts.prom_text, NULL, a->opts.verbose, &a->prom, err, errlen);
	if (ret)
		return ret;
	snapshot(a, &s, now_ns(), false);
	prom_update(a->prom, &s);
	if (a->opts.verbose)
		fprintf(stderr, "lifeline: serving metrics at http://%s/metrics\n",
			a->opts.prom_text);
	return 0;
}

static void fill_tracer_config(struct app *a, struct tracer_config *tc)
{
	unsigned int i;

	memset(tc, 0, sizeof(*tc));
	tc->self_tgid = getpid();
	tc->filter_pids = a->opts.npids > 0 || a->opts.command;
	tc->filter_uid = a->opts.uid_set;
	tc->uid = a->opts.uid;
	tc->ncomms = a->opts.ncomms;
	tc->ncgroups = a->ct.nsel;
	memcpy(tc->cgroup_fds, a->ct.fds, sizeof(tc->cgroup_fds));
	for (i = 0; i < a->opts.ncomms; i++)
		memcpy(tc->comms[i], a->opts.comms[i], LL_COMM_LEN);
	tc->stall_ns = a->opts.stall_ms * 1000000ULL;
	tc->loop_all = a->opts.events && (a->opts.classes & LL_CLASS_LOOP_ALL);
	tc->loop_calls = a->opts.loops_mode == LL_LOOPS_CALLS;
	tc->loops_off = a->opts.loops_mode == LL_LOOPS_OFF;
	tc->ringbuf_bytes = (size_t)a->opts.ringbuf_kb * 1024;
	tc->verbose = a->opts.verbose;
	tc->on_record = on_record;
	tc->ctx = a;
}

/* -o FILE: lifeline's output; stdout stays the COMMAND's. */
static int open_output(struct app *a)
{
	if (!a->opts.output) {
		a->ro.out = stdout;
		return 0;
	}
	a->ro.out = fopen(a->opts.output, "w");
	if (!a->ro.out) {
		fprintf(stderr, "lifeline: cannot write '%s': %s\n", a->opts.output,
			strerror(errno));
		return -errno;
	}
	return 0;
}

static int start_command(struct app *a)
{
	enum command_out out = a->mode == OUT_LIVE ? CMD_OUT_LOG :
			       a->opts.json && !a->opts.output ? CMD_OUT_STDERR : CMD_OUT_KEEP;
	int ret = command_start(&a->cmd, a->opts.command, out, a->cmd_log, sizeof(a->cmd_log));

	if (ret && out != CMD_OUT_LOG)	/* a log that cannot be made was said already */
		fprintf(stderr, "lifeline: cannot start the command: %s\n", strerror(-ret));
	return ret;
}

/* -p: what is alive of the traced tree now, from what /proc showed at start. */
static int watch_pids(struct app *a)
{
	return a->opts.npids ? pidwatch_init(&a->alive, a->traced, a->ntraced) : 0;
}

static void render_setup(struct app *a)
{
	a->ro.json = a->opts.json;
	a->ro.explain = a->opts.explain;
	a->ro.stall_ms = a->opts.stall_ms;
	a->ro.full = a->opts.full;
	a->ro.ringbuf_kb = a->opts.ringbuf_kb;
	a->ro.timestamp = a->opts.timestamp;
	a->ro.wall_offset_ns = render_wall_offset();
	a->ro.fold = a->opts.explain && !a->opts.json ? fold_new() : NULL;
	if (a->mode == OUT_LIVE)
		a->ro.live = live_new();
	else
		setvbuf(a->ro.out, NULL, _IOLBF, 0);
}

int main(int argc, char **argv)
{
	struct tracer_config tc;
	char err[512];
	struct app *a;
	int ret, chart_err;

	setlocale(LC_CTYPE, "");
	fmt_set_ascii(strcmp(nl_langinfo(CODESET), "UTF-8") != 0);
	a = calloc(1, sizeof(*a));
	if (!a) {
		fprintf(stderr, "lifeline: out of memory\n");
		return 1;
	}
	a->cmd.pidfd = a->cmd.gate_fd = a->cmd.report_fd = -1;
	containers_init(&a->ct);
	ret = cli_parse(argc, argv, &a->opts);
	if (ret) {
		free(a);
		return ret;	/* 2: usage error, already explained */
	}
	a->argc = argc;
	a->argv = argv;
	if (containers_open_filters(&a->ct, &a->opts)) {
		ret = 2;
		goto cleanup;
	}
	if (check_pids(&a->opts) || open_output(a) || open_chart(a)) {
		ret = 1;
		goto cleanup;
	}
	a->mode = choose_mode(&a->opts, a->ro.out);
	render_setup(a);
	ret = setup_signals(a->mode == OUT_LIVE);
	if (ret || open_state(a)) {
		fprintf(stderr, "lifeline: cannot set up: %s\n", strerror(ret ? -ret : ENOMEM));
		ret = 1;
		goto cleanup;
	}
	if (a->opts.command && start_command(a)) {
		ret = 1;
		goto cleanup;
	}
	fill_tracer_config(a, &tc);
	/* Before the attach: no record can be older, so no time in the stream is negative. */
	a->start_ns = now_ns();
	a->ro.start_ns = a->start_ns;
	ret = tracer_open(&tc, &a->tracer, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "lifeline: %s\n", err);
		ret = 1;
		goto cleanup;
	}
	if (a->cmd.pid > 0)
		ret = trace_pid(a, a->cmd.pid);
	else
		ret = trace_pids(a);
	if (!ret)
		ret = watch_pids(a);
	if (ret) {
		fprintf(stderr, "lifeline: cannot set the pid filter: %s\n", strerror(-ret));
		ret = 1;
		goto cleanup;
	}
	a->own_pidns = procfs_pidns(getpid());
	procfs_for_each(seed_one, a);
	a->netstat0_ok = !netstat_read_listen(NULL, &a->netstat0);
	if (a->svg && !(a->hist = history_new(&(struct history_cfg){ .start_ns = a->start_ns }))) {
		fprintf(stderr, "lifeline: cannot set up the chart: %s\n", strerror(ENOMEM));
		ret = 1;
		goto cleanup;
	}
	if (a->opts.prometheus && start_prom(a, err, sizeof(err))) {
		fprintf(stderr, "lifeline: %s\n", err);
		ret = 1;
		goto cleanup;
	}
	if (a->opts.verbose)
		fprintf(stderr, "lifeline: attached in %llu us\n",
			(unsigned long long)tracer_attach_us(a->tracer));
	if (a->mode == OUT_STREAM && !a->opts.json)
		render_event_header(&a->ro);
	if (a->cmd.pid > 0 && command_release(&a->cmd, a->opts.command[0])) {
		ret = 127;
		goto cleanup;
	}
	/* Without a terminal on stdin the view still runs; it just takes no keys. */
	a->keys = a->mode == OUT_LIVE && !term_raw_start(STDIN_FILENO, fileno(a->ro.out));
	run(a);
	term_restore();
	finish(a);
	chart_err = write_chart(a);
	wait_command(a);
	ret = a->cmd.pid > 0 ? (a->cmd.done ? command_exit_status(&a->cmd) : 0) : 0;
	if (chart_err && !ret)
		ret = 1;
	if (a->out_err && a->out_err != EPIPE) {
		fprintf(stderr, "lifeline: cannot write the output: %s\n", strerror(a->out_err));
		if (!ret)
			ret = 1;
	}
	if (a->cmd_log[0])
		fprintf(stderr, "lifeline: the command's output is in %s\n", a->cmd_log);
cleanup:
	term_restore();
	command_close(&a->cmd);
	if (a->svg)
		fclose(a->svg);
	history_free(a->hist);
	prom_stop(a->prom);
	tracer_close(a->tracer);
	containers_close(&a->ct);
	lp_free(a->lp);
	ls_free(a->ls);
	pt_free(a->pt);
	reorder_free(a->reo);
	pidwatch_fini(&a->alive);
	live_free(a->ro.live);
	fold_free(a->ro.fold);
	if (a->ro.out && a->ro.out != stdout && fclose(a->ro.out) && !ret)
		ret = 1;
	free(a);
	return ret;
}
