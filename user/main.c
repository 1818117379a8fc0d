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
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "cli.h"
#include "decode.h"
#include "fdinfo.h"
#include "listeners.h"
#include "loops.h"
#include "procfs.h"
#include "proctab.h"
#include "reconcile.h"
#include "reorder.h"
#include "prom.h"
#include "render.h"
#include "tracer.h"

#define POLL_MS		20	/* records wait at most this long: the BPF side does not wake us */
#define MAX_VIEWS	1024
#define MAX_LOOPS	1024
#define MAX_TRACED	4096

enum out_mode { OUT_LIVE, OUT_STREAM, OUT_SUMMARIES, OUT_QUIET };

struct app {
	int child_pidfd;	/* readable when COMMAND exits: reap it at once, as a shell would */
	struct ll_opts opts;
	enum out_mode mode;
	struct ll_render_opts ro;
	struct tracer *tracer;
	struct prom_server *prom;	/* --prometheus: serves the latest snapshot */
	struct proctab *pt;
	struct listeners *ls;
	struct loops *lp;
	struct reorder *reo;		/* the event stream, in time order */
	uint64_t start_ns;
	uint64_t records;
	uint64_t bad_records;
	uint64_t lost_seen;
	pid_t child;
	int child_status;
	bool child_done;
	int out_err;			/* first write error on the output; EPIPE: reader gone */
	struct ll_zombie_view zombies[MAX_VIEWS];
	struct ll_orphan_view orphans[MAX_VIEWS];
	struct ll_listener_view listeners[MAX_VIEWS];
	struct ll_loop_view loopv[MAX_VIEWS];
	struct ll_loop_stats kloops[MAX_LOOPS];
	uint32_t traced[MAX_TRACED];	/* what -p / COMMAND traced at start */
	unsigned int ntraced;
	uint32_t own_pidns;		/* inode of lifeline's PID namespace */
};

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t interrupts;

static void on_signal(int sig)
{
	/* A second Ctrl-C means now: the user is not waiting for the summary. */
	if (sig == SIGINT && ++interrupts > 1)
		_exit(130);
	stop_signal = sig;
}

static int setup_signals(void)
{
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

/* Every joined event passes here: listeners learn how handler children ended, the stream
 * shows what was asked for. */
static void on_event(void *ctx, const struct ll_event *ev)
{
	struct app *a = ctx;

	if (ev->kind == EV_EXIT || ev->kind == EV_REAP)
		ls_on_event(a->ls, ev);
	if (a->mode == OUT_STREAM && stream_wants(a, ev->kind))
		reorder_push(a->reo, ev);
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
	default:
		lp_handle(a->lp, h);
		break;
	}
	return 0;
}

static bool seed_wanted(const struct app *a, const struct procfs_stat *st)
{
	unsigned int i;

	if (st->pid == (uint32_t)getpid())
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
	s->loops = a->loopv;
	s->nloops = lp_views(a->lp, now, a->loopv, MAX_VIEWS);
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

/* The command runs only once it is traced: it waits for a byte on the gate pipe. An exec
 * failure comes back as errno on the report pipe (closed on a successful exec). */
static pid_t spawn_command(char **argv, int *gate_fd, int *report_fd)
{
	int gate[2], report[2], err;
	char go;
	pid_t pid;

	if (pipe2(gate, O_CLOEXEC) || pipe2(report, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(gate[1]);
		close(report[0]);
		if (read(gate[0], &go, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		err = errno;
		if (write(report[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(gate[0]);
	close(report[1]);
	*gate_fd = gate[1];
	*report_fd = report[0];
	return pid;
}

static int release_command(struct app *a, int gate_fd, int report_fd)
{
	int err = 0;

	if (write(gate_fd, "g", 1) != 1)
		return -errno;
	close(gate_fd);
	if (read(report_fd, &err, sizeof(err)) == sizeof(err)) {
		fprintf(stderr, "lifeline: cannot run '%s': %s\n", a->opts.command[0],
			strerror(err));
		close(report_fd);
		return -err;
	}
	close(report_fd);
	return 0;
}

static void check_command(struct app *a)
{
	int st;

	if (a->child <= 0 || a->child_done)
		return;
	if (waitpid(a->child, &st, WNOHANG) == a->child) {
		a->child_done = true;
		a->child_status = st;
	}
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
	for (check_command(a); a->child > 0 && !a->child_done && !stop_signal; check_command(a))
		nanosleep(&tick, NULL);
}

static int command_exit_status(const struct app *a)
{
	if (WIFEXITED(a->child_status))
		return WEXITSTATUS(a->child_status);
	if (WIFSIGNALED(a->child_status))
		return 128 + WTERMSIG(a->child_status);
	return 1;
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

static void run(struct app *a)
{
	uint64_t interval_ns = a->opts.interval_s * 1e9, next_tick, deadline = 0, now;
	int ret, wait_ms;

	now = now_ns();
	next_tick = now + interval_ns;
	if (a->opts.duration_s > 0)
		deadline = now + (uint64_t)(a->opts.duration_s * 1e9);
	while (!stop_signal && !a->child_done && !output_broken(a)) {
		now = now_ns();
		wait_ms = POLL_MS;
		if (next_tick > now && (next_tick - now) / 1000000 < (uint64_t)wait_ms)
			wait_ms = (next_tick - now) / 1000000;
		ret = tracer_poll(a->tracer, wait_ms, a->child_pidfd);
		if (ret < 0) {
			fprintf(stderr, "lifeline: reading the ring buffer failed: %s\n",
				strerror(-ret));
			break;
		}
		check_command(a);
		now = now_ns();
		if (pt_pending_adopters(a->pt, NULL, 0))
			resolve_adopters(a);
		reorder_flush(a->reo, now);
		if (now >= next_tick) {
			tick(a, now, false);
			show_interval(a, now);
			next_tick += interval_ns;
			if (next_tick < now)
				next_tick = now + interval_ns;
		}
		if (deadline && now >= deadline)
			break;
	}
	drain(a);
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
	render_summary(&a->ro, &s);
	if (a->bad_records)
		fprintf(stderr, "lifeline: %llu malformed records were dropped\n",
			(unsigned long long)a->bad_records);
	fflush(a->ro.out);
	output_broken(a);
}

static enum out_mode choose_mode(const struct ll_opts *o)
{
	if (o->events)
		return OUT_STREAM;
	if (o->json)
		return OUT_SUMMARIES;
	if (o->prometheus)
		return OUT_QUIET;	/* headless: a daemon serving /metrics, no live view */
	if (isatty(STDOUT_FILENO))
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
	struct lp_config pl = { .emit = on_event, .ctx = a };

	a->pt = pt_new(&pc);
	a->ls = ls_new(&lc);
	a->lp = lp_new(&pl);
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
	tc->ncomms = a->opts.ncomms;
	for (i = 0; i < a->opts.ncomms; i++)
		memcpy(tc->comms[i], a->opts.comms[i], LL_COMM_LEN);
	tc->stall_ns = a->opts.stall_ms * 1000000ULL;
	tc->loop_all = a->opts.events && (a->opts.classes & LL_CLASS_LOOP_ALL);
	tc->ringbuf_bytes = (size_t)a->opts.ringbuf_kb * 1024;
	tc->verbose = a->opts.verbose;
	tc->on_record = on_record;
	tc->ctx = a;
}

int main(int argc, char **argv)
{
	struct tracer_config tc;
	int gate_fd = -1, report_fd = -1, ret;
	char err[512];
	struct app *a;

	a = calloc(1, sizeof(*a));
	if (!a) {
		fprintf(stderr, "lifeline: out of memory\n");
		return 1;
	}
	a->child_pidfd = -1;
	ret = cli_parse(argc, argv, &a->opts);
	if (ret) {
		free(a);
		return ret;	/* 2: usage error, already explained */
	}
	if (check_pids(&a->opts)) {
		ret = 1;
		goto cleanup;
	}
	a->mode = choose_mode(&a->opts);
	a->ro = (struct ll_render_opts){ .out = stdout, .json = a->opts.json,
		.explain = a->opts.explain, .stall_ms = a->opts.stall_ms };
	if (a->mode != OUT_LIVE)
		setvbuf(stdout, NULL, _IOLBF, 0);
	ret = setup_signals();
	if (ret || open_state(a)) {
		fprintf(stderr, "lifeline: cannot set up: %s\n", strerror(ret ? -ret : ENOMEM));
		ret = 1;
		goto cleanup;
	}
	if (a->opts.command) {
		a->child = spawn_command(a->opts.command, &gate_fd, &report_fd);
		if (a->child > 0)	/* without pidfds (< 5.3), the poll timer bounds the delay */
			a->child_pidfd = syscall(SYS_pidfd_open, a->child, 0);
		if (a->child < 0) {
			fprintf(stderr, "lifeline: cannot start the command: %s\n",
				strerror(-a->child));
			ret = 1;
			goto cleanup;
		}
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
	if (a->child > 0)
		ret = trace_pid(a, a->child);
	else
		ret = trace_pids(a);
	if (ret) {
		fprintf(stderr, "lifeline: cannot set the pid filter: %s\n", strerror(-ret));
		ret = 1;
		goto cleanup;
	}
	a->own_pidns = procfs_pidns(getpid());
	procfs_for_each(seed_one, a);
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
	if (a->child > 0 && release_command(a, gate_fd, report_fd)) {
		gate_fd = report_fd = -1;
		waitpid(a->child, NULL, 0);
		a->child = 0;
		ret = 127;
		goto cleanup;
	}
	gate_fd = report_fd = -1;
	run(a);
	finish(a);
	wait_command(a);
	ret = a->child > 0 ? (a->child_done ? command_exit_status(a) : 0) : 0;
	if (a->out_err && a->out_err != EPIPE) {
		fprintf(stderr, "lifeline: cannot write the output: %s\n", strerror(a->out_err));
		if (!ret)
			ret = 1;
	}
cleanup:
	if (a->child_pidfd >= 0)
		close(a->child_pidfd);
	if (gate_fd >= 0)
		close(gate_fd);	/* the child reads EOF and exits */
	if (report_fd >= 0)
		close(report_fd);
	if (a->child > 0 && !a->child_done && ret == 1)
		waitpid(a->child, NULL, 0);
	prom_stop(a->prom);
	tracer_close(a->tracer);
	lp_free(a->lp);
	ls_free(a->ls);
	pt_free(a->pt);
	reorder_free(a->reo);
	free(a);
	return ret;
}
