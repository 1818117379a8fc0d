/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * lifeline's run as one bundle: what main.c's lifecycle opens and hands to the pieces it
 * composes (app.c: state and routing, seed.c: /proc at start, snapshot.c, run.c: the loop).
 */
#ifndef LL_APP_H
#define LL_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include "cli.h"
#include "command.h"
#include "containers.h"
#include "dispatch.h"
#include "history.h"
#include "netstat.h"
#include "pidwatch.h"
#include "prom.h"
#include "render.h"
#include "reorder.h"
#include "views.h"

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
	struct ll_state st;		/* pt, ls, lp; cg and ff are ct's */
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

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* app.c: the state modules (0 or -ENOMEM), and the tracer's record callback. */
int open_state(struct app *a);
int on_record(void *ctx, const void *data, size_t size);

/* seed.c: -p PIDs exist (else one line on stderr, -ESRCH); the pid filter from -p or COMMAND;
 * the table from /proc; adopters of new orphans from /proc. */
int check_pids(const struct ll_opts *o);
int seed_trace(struct app *a);
void seed_procs(struct app *a);
void resolve_adopters(struct app *a);

/* snapshot.c: the state as renderers and /metrics see it. */
void snapshot(struct app *a, struct ll_snapshot *s, uint64_t now, bool final);

/* run.c: signals, the loop until the end, the final summary, a COMMAND outliving its reader. */
int setup_signals(bool live);
void run(struct app *a);
void finish(struct app *a);
void wait_command(struct app *a);

#endif
