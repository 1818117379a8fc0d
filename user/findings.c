// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Findings from a snapshot. Each rule reads one kind of view and adds what it finds; the table
 * at the end lists them, so a new finding is one function and one line. Thresholds are what a
 * person would call a problem on any machine, not tuned to this one: a queue wait of 10 ms is
 * ten times a loopback round trip, a stall is what --stall-ms says it is.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "findings.h"
#include "format.h"

#define QUEUE_MEDIUM_US		10000		/* accept queue p99 */
#define QUEUE_HIGH_US		100000
#define STALL_HIGH_US		100000		/* the longest stall */
#define ZOMBIES_HIGH		10		/* zombies now */
#define ZOMBIE_OLD_US		10000000	/* a zombie this old now */

struct fnd {
	const struct ll_snapshot *s;
	const struct ll_findings_ctx *c;
	struct ll_finding *out;
	size_t n, max;
};

static struct ll_finding *fnd_add(struct fnd *f, enum ll_severity sev, enum ll_finding_topic t,
				  size_t idx, uint64_t weight, uint32_t pid, const char *comm)
{
	struct ll_finding *x;

	if (f->n == f->max)
		return NULL;
	x = &f->out[f->n++];
	memset(x, 0, sizeof(*x));
	x->severity = sev;
	x->topic = t;
	x->index = idx;
	x->weight = weight;
	x->pid = pid;
	if (comm)
		fmt_comm(x->comm, comm);
	return x;
}

static const char *hist_p(char *b, size_t n, const struct ll_hist *h, double q)
{
	return fmt_dur_us(b, n, h && h->count ? hist_quantile(h, q) : LL_UNKNOWN);
}

/* ---- lost events and full tables ---------------------------------------------------------- */

static void rule_lost(struct fnd *f)
{
	const struct ll_snapshot *s = f->s;
	struct ll_finding *x;
	size_t pos = 0;
	unsigned int t;
	bool any = false;

	if (!s->lost)
		return;
	x = fnd_add(f, SEV_HIGH, TOPIC_LOST, 0, UINT64_MAX, 0, NULL);
	if (!x)
		return;
	fmt_append(x->what, sizeof(x->what), &pos, "%" PRIu64 " kernel events were lost (ring "
		   "buffer full)", s->lost);
	for (t = 0; t < LL_REC_MAX; t++) {
		if (!s->lost_by_type[t] || !fmt_rec_name(t))
			continue;
		fmt_append(x->what, sizeof(x->what), &pos, "%s%s %" PRIu64, any ? ", " : ": ",
			   fmt_rec_name(t), s->lost_by_type[t]);
		any = true;
	}
	fmt_append(x->what, sizeof(x->what), &pos, "; counts are low and %" PRIu64 " lifetimes "
		   "incomplete", s->procs.incomplete);
	snprintf(x->advice, sizeof(x->advice), "raise --ringbuf-kb (now %u) or narrow what is "
		 "traced with -p, -c or -u", f->c->ringbuf_kb);
}

static void rule_tables_full(struct fnd *f)
{
	const struct ll_snapshot *s = f->s;
	uint64_t n = s->map_full + s->procs.evicted + s->evicted_listeners + s->evicted_children +
		     s->evicted_loops;
	struct ll_finding *x;

	if (!n || !(x = fnd_add(f, SEV_MEDIUM, TOPIC_LOST, 0, n, 0, NULL)))
		return;
	snprintf(x->what, sizeof(x->what), "%" PRIu64 " entries did not fit lifeline's tables "
		 "(%" PRIu64 " kernel map updates refused, %" PRIu64 " processes, %" PRIu64
		 " listeners and %" PRIu64 " loops evicted)", n, s->map_full, s->procs.evicted,
		 s->evicted_listeners, s->evicted_loops);
	snprintf(x->advice, sizeof(x->advice), "narrow what is traced with -p, -c or -u");
}

/* ---- zombies -------------------------------------------------------------------------------- */

/* What to change, per cause. */
static const char *const cause_advice[] = {
	[CAUSE_NEVER_WAITS] = "call waitpid() for every child it forks (or set SIGCHLD to SIG_IGN "
			      "if it never needs their exit status)",
	[CAUSE_SIGCHLD_IGNORED] = "reap with waitpid(-1, &st, WNOHANG) in a loop; SIG_IGN "
				  "auto-reaps only if it is set before the children exit",
	[CAUSE_SIGCHLD_BLOCKED] = "unblock SIGCHLD, or take it with signalfd() and reap with "
				  "waitpid(-1, &st, WNOHANG) in the main loop",
	[CAUSE_COALESCED] = "in the SIGCHLD handler, loop waitpid(-1, &st, WNOHANG) until it "
			    "returns 0: one signal can stand for many exits",
	[CAUSE_INIT_BATCH] = "their parent exited first; have it wait for its children before it "
			     "exits, or make a supervisor a subreaper (PR_SET_CHILD_SUBREAPER) "
			     "that reaps at once",
	[CAUSE_SLOW_REAPER] = "reap when SIGCHLD arrives (signalfd or a pidfd in the event loop) "
			      "instead of at intervals",
};

/* Whether pid adopted orphans: a process that adopts and never waits is an init that leaks. */
static bool is_adopter(const struct ll_snapshot *s, uint32_t pid)
{
	size_t i;

	for (i = 0; i < s->norphans; i++)
		if (s->orphans[i].adopter_pid == pid && s->orphans[i].adopted)
			return true;
	return false;
}

/* An adopter whose zombies the zombie rule reports already (never-waits). */
static bool adopter_leaks(const struct ll_snapshot *s, uint32_t pid)
{
	size_t i;

	for (i = 0; i < s->nzombies; i++)
		if (s->zombies[i].parent_pid == pid && s->zombies[i].cause == CAUSE_NEVER_WAITS)
			return true;
	return false;
}

static enum ll_severity zombie_severity(const struct ll_zombie_view *z)
{
	if (z->cause == CAUSE_INIT_BATCH && z->now < ZOMBIES_HIGH)
		return SEV_LOW;
	if (z->now >= ZOMBIES_HIGH || (z->now && z->oldest_now_us >= ZOMBIE_OLD_US))
		return SEV_HIGH;
	return z->now ? SEV_MEDIUM : SEV_LOW;
}

static void zombie_what(char *b, size_t n, const struct ll_zombie_view *z, bool init)
{
	char comm[LL_COMM_LEN], d1[FMT_DUR_LEN], d2[FMT_DUR_LEN];
	size_t pos = 0;

	fmt_comm(comm, z->parent_comm);
	if (init)
		fmt_append(b, n, &pos, "%s (%u) adopts orphans and never waits for them, like a "
			   "container init that is not an init: ", comm, z->parent_pid);
	else
		fmt_append(b, n, &pos, "%s (%u) %s: ", comm, z->parent_pid,
			   z->now ? "leaks zombies" : "reaped its children late");
	fmt_append(b, n, &pos, "%" PRIu64 " zombies now", z->now);
	if (z->now)
		fmt_append(b, n, &pos, ", the oldest %s",
			   fmt_dur_us(d1, sizeof(d1), z->oldest_now_us));
	fmt_append(b, n, &pos, ", %" PRIu64 " reaped", z->reaped);
	if (z->lifetime && z->lifetime->count)
		fmt_append(b, n, &pos, " after p50 %s, p99 %s", hist_p(d1, sizeof(d1), z->lifetime,
			   0.5), hist_p(d2, sizeof(d2), z->lifetime, 0.99));
	if (z->coalesced_sigchld)
		fmt_append(b, n, &pos, ", %" PRIu64 " SIGCHLD coalesced", z->coalesced_sigchld);
	fmt_append(b, n, &pos, "; %s", ll_cause_text(z->cause));
}

static void rule_zombies(struct fnd *f)
{
	const struct ll_snapshot *s = f->s;
	struct ll_finding *x;
	size_t i;

	for (i = 0; i < s->nzombies; i++) {
		const struct ll_zombie_view *z = &s->zombies[i];
		bool init = z->cause == CAUSE_NEVER_WAITS && is_adopter(s, z->parent_pid);

		if (z->cause == CAUSE_NONE || z->cause >= sizeof(cause_advice) / sizeof(*cause_advice))
			continue;
		x = fnd_add(f, init ? SEV_HIGH : zombie_severity(z), TOPIC_ZOMBIES, i,
			    z->now * 1000 + z->reaped, z->parent_pid, z->parent_comm);
		if (!x)
			return;
		zombie_what(x->what, sizeof(x->what), z, init);
		snprintf(x->advice, sizeof(x->advice), "%s", init ? "run a real init as PID 1 "
			 "(tini, dumb-init, docker run --init), or reap in it with waitpid(-1, &st, "
			 "WNOHANG) on SIGCHLD" : cause_advice[z->cause]);
	}
}

/* ---- orphans -------------------------------------------------------------------------------- */

static void rule_orphans(struct fnd *f)
{
	const struct ll_snapshot *s = f->s;
	char comm[LL_COMM_LEN], pid[FMT_NUM_LEN];
	struct ll_finding *x;
	uint64_t reaped, unreaped;
	size_t i;

	for (i = 0; i < s->norphans; i++) {
		const struct ll_orphan_view *o = &s->orphans[i];

		reaped = o->reap ? o->reap->count : 0;
		unreaped = o->exited > reaped ? o->exited - reaped : 0;
		fmt_comm(comm, o->adopter_comm);
		fmt_pid(pid, sizeof(pid), o->adopter_pid);
		if (unreaped && !adopter_leaks(s, o->adopter_pid)) {
			x = fnd_add(f, SEV_MEDIUM, TOPIC_ORPHANS, i, unreaped, o->adopter_pid,
				    o->adopter_comm);
			if (!x)
				return;
			snprintf(x->what, sizeof(x->what), "%" PRIu64 " orphan%s adopted by %s (%s) "
				 "exited and %s never reaped (%" PRIu64 " adopted, %" PRIu64
				 " reaped)", unreaped, unreaped == 1 ? "" : "s", comm, pid,
				 unreaped == 1 ? "was" : "were", o->adopted, reaped);
			snprintf(x->advice, sizeof(x->advice), "the adopter must wait() for what "
				 "it adopts; make the original parent wait for its children before "
				 "it exits");
		} else if (o->alive) {
			x = fnd_add(f, SEV_LOW, TOPIC_ORPHANS, i, o->alive, o->adopter_pid,
				    o->adopter_comm);
			if (!x)
				return;
			snprintf(x->what, sizeof(x->what), "%" PRIu64 " process%s outlived %s "
				 "parent and live%s on under %s (%s) (%" PRIu64 " adopted in all)",
				 o->alive, o->alive == 1 ? "" : "es", o->alive == 1 ? "its" : "their",
				 o->alive == 1 ? "s" : "", comm, pid, o->adopted);
			snprintf(x->advice, sizeof(x->advice), "expected for a daemon; otherwise the "
				 "parent should wait for its children (or kill them) before it exits");
		}
	}
}

/* ---- listeners ------------------------------------------------------------------------------ */

static void rule_listeners(struct fnd *f)
{
	const struct ll_snapshot *s = f->s;
	char p50[FMT_DUR_LEN], p99[FMT_DUR_LEN], comm[LL_COMM_LEN];
	struct ll_finding *x;
	uint64_t q99;
	size_t i;

	for (i = 0; i < s->nlisteners; i++) {
		const struct ll_listener_view *l = &s->listeners[i];

		fmt_comm(comm, l->comm);
		if (l->emfile && (x = fnd_add(f, SEV_HIGH, TOPIC_LISTENER, i, l->emfile, l->pid,
					      l->comm))) {
			snprintf(x->what, sizeof(x->what), "%s (%u) port %u: %" PRIu64 " accepts "
				 "failed with EMFILE/ENFILE: out of file descriptors", comm, l->pid,
				 l->port, l->emfile);
			snprintf(x->advice, sizeof(x->advice), "close connections it no longer "
				 "needs, or raise RLIMIT_NOFILE (ulimit -n, LimitNOFILE=)");
		}
		if (!l->queue || !l->queue->count)
			continue;
		q99 = hist_quantile(l->queue, 0.99);
		if (q99 < QUEUE_MEDIUM_US)
			continue;
		x = fnd_add(f, q99 >= QUEUE_HIGH_US ? SEV_HIGH : SEV_MEDIUM, TOPIC_LISTENER, i, q99,
			    l->pid, l->comm);
		if (!x)
			return;
		snprintf(x->what, sizeof(x->what), "%s (%u) port %u: connections waited in the "
			 "accept queue p99 %s (p50 %s) over %" PRIu64 " accepts", comm, l->pid,
			 l->port, fmt_dur_us(p99, sizeof(p99), q99),
			 hist_p(p50, sizeof(p50), l->queue, 0.5), l->accepts);
		snprintf(x->advice, sizeof(x->advice), "it accepts slower than connections arrive: "
			 "accept in a loop until EAGAIN, accept from more workers, and keep slow "
			 "work out of the accepting thread");
	}
}

/* A listen queue found at its limit: the kernel dropped handshakes while it was. */
static void rule_backlog(struct fnd *f)
{
	const struct ll_snapshot *s = f->s;
	char comm[LL_COMM_LEN];
	struct ll_finding *x;
	size_t i, pos;

	for (i = 0; i < s->nlisteners; i++) {
		const struct ll_listener_view *l = &s->listeners[i];

		if (!l->backlog_full)
			continue;
		x = fnd_add(f, SEV_MEDIUM, TOPIC_LISTENER, i, l->backlog_full, l->pid, l->comm);
		if (!x)
			return;
		fmt_comm(comm, l->comm);
		pos = 0;
		fmt_append(x->what, sizeof(x->what), &pos, "%s (%u) port %u: the listen queue was "
			   "full (limit %u) at %" PRIu64 " of %" PRIu64 " accepts", comm, l->pid,
			   l->port, l->backlog_limit, l->backlog_full, l->accepts);
		if (s->netstat_known && (s->listen_overflows || s->listen_drops))
			fmt_append(x->what, sizeof(x->what), &pos, "; the kernel dropped %" PRIu64
				   " handshakes meanwhile (%" PRIu64 " overflows, system-wide)",
				   s->listen_drops, s->listen_overflows);
		snprintf(x->advice, sizeof(x->advice), "accept faster (or from more workers) and "
			 "raise the backlog: listen(fd, 511 or more) and net.core.somaxconn");
	}
}

/* ---- fork failures -------------------------------------------------------------------------- */

static void rule_fork_failures(struct fnd *f)
{
	const struct ll_snapshot *s = f->s;
	char comm[LL_COMM_LEN], err[32];
	struct ll_finding *x;
	size_t i, pos;

	for (i = 0; i < s->nforkfails; i++) {
		const struct ll_forkfail_view *v = &s->forkfails[i];

		x = fnd_add(f, SEV_HIGH, TOPIC_FORKFAIL, i, v->count, v->pid, v->comm);
		if (!x)
			return;
		fmt_comm(comm, v->comm);
		fmt_errno(err, sizeof(err), v->err);
		pos = 0;
		fmt_append(x->what, sizeof(x->what), &pos, "%s (%u): %" PRIu64 " fork%s failed with "
			   "%s", comm, v->pid, v->count, v->count == 1 ? "" : "s", err);
		if (v->pids_max >= 0)
			fmt_append(x->what, sizeof(x->what), &pos, " (pids cgroup %" PRId64 " of %"
				   PRId64 ")", v->pids_current, v->pids_max);
		snprintf(x->advice, sizeof(x->advice), "%s", v->pids_max >= 0 ?
			 "the pids cgroup is at its limit: reap zombies (run a real init such as tini, "
			 "docker run --init) or raise pids.max" :
			 "the process or user hit a limit (RLIMIT_NPROC, kernel.pid_max, memory): "
			 "find what holds the processes (zombies?) before raising it");
	}
}

/* ---- event loops ---------------------------------------------------------------------------- */

static void rule_loops(struct fnd *f)
{
	const struct ll_snapshot *s = f->s;
	char max[FMT_DUR_LEN], comm[LL_COMM_LEN];
	struct ll_finding *x;
	size_t i;

	for (i = 0; i < s->nloops; i++) {
		const struct ll_loop_view *l = &s->loops[i];

		if (!l->stalls)
			continue;
		x = fnd_add(f, l->max_stall_us >= STALL_HIGH_US ? SEV_HIGH : SEV_MEDIUM, TOPIC_LOOP,
			    i, l->stalls * l->max_stall_us, l->pid, l->comm);
		if (!x)
			return;
		fmt_comm(comm, l->comm);
		snprintf(x->what, sizeof(x->what), "event loop %s (%u/%u) stalled %" PRIu64 " "
			 "time%s, up to %s, over the %" PRIu64 " ms threshold; busy %.1f%% of the "
			 "time", comm, l->pid, l->tid, l->stalls, l->stalls == 1 ? "" : "s",
			 fmt_dur_us(max, sizeof(max), l->max_stall_us), f->c->stall_ms, l->busy_pct);
		snprintf(x->advice, sizeof(x->advice), "every connection on this loop waited for "
			 "the stall: move blocking or CPU-heavy work (disk, DNS, big requests) to "
			 "a worker thread, or split it into steps");
	}
}

/* ---- the table ------------------------------------------------------------------------------ */

static void (*const rules[])(struct fnd *f) = {
	rule_lost,
	rule_tables_full,
	rule_zombies,
	rule_orphans,
	rule_listeners,
	rule_backlog,
	rule_loops,
	rule_fork_failures,
};

static int finding_cmp(const void *pa, const void *pb)
{
	const struct ll_finding *a = pa, *b = pb;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

size_t findings_compute(const struct ll_snapshot *s, const struct ll_findings_ctx *c,
			struct ll_finding *out, size_t max)
{
	struct fnd f = { .s = s, .c = c, .out = out, .max = max };
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		rules[i](&f);
	qsort(out, f.n, sizeof(*out), finding_cmp);
	return f.n;
}

const char *finding_severity_name(enum ll_severity sev)
{
	return sev == SEV_HIGH ? "high" : sev == SEV_MEDIUM ? "medium" : "low";
}

bool findings_cover(const struct ll_finding *f, size_t n, enum ll_finding_topic topic,
		    size_t idx)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i].topic == topic && f[i].index == idx)
			return true;
	return false;
}
