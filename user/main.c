// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * lifeline: live process lifecycles and event loops, from tracepoints.
 * main only runs the lifecycle: parse -> open -> seed -> run -> finish -> cleanup; the pieces
 * it composes are app.c (state, routing), seed.c, snapshot.c, run.c, command.c, pidwatch.c.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <langinfo.h>
#include <locale.h>
#include "app.h"
#include "format.h"
#include "listeners.h"
#include "loops.h"
#include "proctab.h"
#include "render_svg.h"
#include "term.h"
#include "tracer.h"

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
	/* Summaries count only coalesced SIGCHLDs; the others are wanted only as events. */
	tc->sigchld_all = a->opts.events && (a->opts.classes & LL_CLASS_PROC);
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

	/* The tables are large and filled lazily: a transparent huge page per first touch (the
	 * default on Debian's kernels) would grow RSS in 2 MiB steps for a few bytes used. */
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
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
	ret = seed_trace(a);
	if (ret) {
		fprintf(stderr, "lifeline: cannot set the pid filter: %s\n", strerror(-ret));
		ret = 1;
		goto cleanup;
	}
	seed_procs(a);
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
	lp_free(a->st.lp);
	ls_free(a->st.ls);
	pt_free(a->st.pt);
	reorder_free(a->reo);
	pidwatch_fini(&a->alive);
	live_free(a->ro.live);
	fold_free(a->ro.fold);
	if (a->ro.out && a->ro.out != stdout && fclose(a->ro.out) && !ret)
		ret = 1;
	free(a);
	return ret;
}
