// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* lifeline's start from /proc: the pid filter of -p (with descendants) or COMMAND, the table
 * seeded with what already exists, adopters of orphans. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "app.h"
#include "loop_seed.h"
#include "netstat.h"
#include "procfs.h"
#include "proctab.h"
#include "tracer.h"

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
	pt_set_ns_pid(a->st.pt, pid, ns_pid);
	tracer_watch_ns_pid(a->tracer, ns, ns_pid, pid);
}

/* Its threads asleep in an epoll wait now: loops whose wake-up must not go unseen. */
static void seed_loops(struct app *a, uint32_t pid)
{
	struct loop_seed s[64];
	size_t i, n;

	if (a->opts.loops_mode == LL_LOOPS_OFF)
		return;
	n = loop_seed_find(pid, s, sizeof(s) / sizeof(s[0]));
	for (i = 0; i < n; i++)
		tracer_seed_loop(a->tracer, &s[i]);	/* the map full: found at its next wait */
}

/* What existed before lifeline, as far as the filters let it see: the same set the kernel
 * side traces, so the summary never shows processes the user filtered out. */
static int seed_one(const struct procfs_stat *st, void *ctx)
{
	struct app *a = ctx;

	if (!seed_wanted(a, st))
		return 0;
	pt_seed(a->st.pt, st->pid, st->ppid, st->comm, LL_UNKNOWN, st->state == 'Z');
	if (st->state == 'Z')
		tracer_watch_zombie(a->tracer, st->pid);
	seed_ns_pid(a, st->pid);
	seed_loops(a, st->pid);
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
void resolve_adopters(struct app *a)
{
	uint32_t pids[256];
	struct procfs_stat st, ad;
	size_t i, n;

	n = pt_pending_adopters(a->st.pt, pids, sizeof(pids) / sizeof(pids[0]));
	for (i = 0; i < n; i++) {
		if (procfs_read_stat(pids[i], &st))
			continue;	/* exited: its exit record names the adopter */
		if (procfs_read_stat(st.ppid, &ad))
			strcpy(ad.comm, "?");
		pt_set_adopter(a->st.pt, pids[i], st.ppid, ad.comm);
	}
}

int check_pids(const struct ll_opts *o)
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

/* -p: what is alive of the traced tree now, from what /proc showed at start. */
static int watch_pids(struct app *a)
{
	return a->opts.npids ? pidwatch_init(&a->alive, a->traced, a->ntraced) : 0;
}

/* -p PIDs or COMMAND: the kernel's pid filter, and what of it is alive now. */
int seed_trace(struct app *a)
{
	int ret;

	if (a->cmd.pid > 0)
		ret = trace_pid(a, a->cmd.pid);
	else
		ret = trace_pids(a);
	if (!ret)
		ret = watch_pids(a);
	return ret;
}

/* The table from /proc, and the kernel's listen counters at start. */
void seed_procs(struct app *a)
{
	a->own_pidns = procfs_pidns(getpid());
	procfs_for_each(seed_one, a);
	a->netstat0_ok = !netstat_read_listen(NULL, &a->netstat0);
}
