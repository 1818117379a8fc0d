// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The process table, fed synthetic record sequences: every number checked is the exact value the
 * sequence implies. Times are CLOCK_MONOTONIC ns as the kernel would stamp them.
 */
#include <stdlib.h>
#include <string.h>
#include "proctab.h"
#include "records.h"
#include "test.h"

#define US	1000ull
#define MS	1000000ull
#define CAP_MAX	64

/* Everything emitted: the first CAP_MAX events kept whole, all of them counted. */
struct capture {
	struct ll_event ev[CAP_MAX];
	char filename[CAP_MAX][LL_FILENAME_LEN];
	char args[CAP_MAX][LL_ARGS_LEN];
	unsigned int n;
	unsigned long total;
	unsigned long kinds[EV_KIND_MAX];
};

static struct capture cap;

static void capture_event(void *ctx, const struct ll_event *ev)
{
	struct capture *c = ctx;
	struct ll_event *e;

	c->total++;
	c->kinds[ev->kind]++;
	if (c->n >= CAP_MAX)
		return;
	e = &c->ev[c->n];
	*e = *ev;
	if (ev->kind == EV_EXEC) {	/* the strings live only during the call */
		snprintf(c->filename[c->n], LL_FILENAME_LEN, "%s", ev->exec.filename);
		memcpy(c->args[c->n], ev->exec.args, ev->exec.args_len);
		e->exec.filename = c->filename[c->n];
		e->exec.args = c->args[c->n];
	}
	c->n++;
}

static struct proctab *new_table(uint32_t max_procs, uint32_t max_groups)
{
	struct pt_config cfg = {
		.max_procs = max_procs,
		.max_groups = max_groups,
		.emit = capture_event,
		.ctx = &cap,
	};

	memset(&cap, 0, sizeof(cap));
	return pt_new(&cfg);
}

/* The k-th captured event of this kind about pid (k from 0), or NULL. */
static const struct ll_event *find_ev(enum ll_ev_kind kind, uint32_t pid, unsigned int k)
{
	unsigned int i;

	for (i = 0; i < cap.n; i++)
		if (cap.ev[i].kind == kind && cap.ev[i].pid == pid && k-- == 0)
			return &cap.ev[i];
	return NULL;
}

static int ev_index(const struct ll_event *ev)
{
	return ev ? (int)(ev - cap.ev) : -1;
}

/* ---- record builders ----------------------------------------------------------------------- */

static void set_hdr(struct ll_hdr *h, enum ll_rec_type type, size_t size, uint64_t ts,
		    uint32_t tgid)
{
	*h = mkrec_hdr(type, size, ts, tgid);
}

/* tgid forks child; ppid is the child's real parent (== tgid but for CLONE_PARENT). */
static void rec_fork_as(struct proctab *pt, uint64_t ts, uint32_t tgid, uint32_t tid,
			uint32_t child, uint32_t ppid, uint64_t start, const char *comm)
{
	struct ll_fork r = mkrec_fork(ts, tgid, child, comm);

	r.hdr.tid = tid;
	r.ppid = ppid;
	r.start_ns = start;
	pt_handle(pt, &r.hdr);
}

static void rec_fork(struct proctab *pt, uint64_t ts, uint32_t parent, uint32_t child,
		     const char *comm)
{
	rec_fork_as(pt, ts, parent, parent, child, parent, ts, comm);
}

static void rec_exec(struct proctab *pt, uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start,
		     const char *comm, const char *filename, const char *args, size_t args_len)
{
	struct ll_exec r = mkrec_exec(ts, pid, ppid, start, comm, filename);

	mkrec_exec_args(&r, args, args_len);
	pt_handle(pt, &r.hdr);
}

static void rec_exit(struct proctab *pt, uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start,
		     uint32_t code, uint32_t flags, const char *comm, const char *pcomm)
{
	struct ll_exit r = mkrec_exit(ts, pid, ppid, start, code, flags, comm, pcomm);

	pt_handle(pt, &r.hdr);
}

static void rec_reap(struct proctab *pt, uint64_t ts, uint32_t reaper, uint32_t pid,
		     enum ll_reap_how how)
{
	struct ll_reap r = mkrec_reap(ts, reaper, pid, how);

	r.hdr.tid = reaper + 1;		/* a reaper thread, to see tid carried */
	r.status = 0;
	pt_handle(pt, &r.hdr);
}

static void rec_sigchld(struct proctab *pt, uint64_t ts, uint32_t from, uint32_t to, int result)
{
	struct ll_sigchld r = mkrec_sigchld(ts, from, to, result);

	pt_handle(pt, &r.hdr);
}

static struct ll_proc_totals totals(struct proctab *pt)
{
	struct ll_proc_totals t;

	pt_totals(pt, &t);
	return t;
}

static bool zview(struct proctab *pt, uint64_t now, uint32_t parent, struct ll_zombie_view *out)
{
	struct ll_zombie_view v[64];
	size_t i, n = pt_zombie_views(pt, now, v, 64);

	for (i = 0; i < n; i++) {
		if (v[i].parent_pid == parent) {
			*out = v[i];
			return true;
		}
	}
	return false;
}

static bool oview(struct proctab *pt, uint32_t adopter, struct ll_orphan_view *out)
{
	struct ll_orphan_view v[64];
	size_t i, n = pt_orphan_views(pt, v, 64);

	for (i = 0; i < n; i++) {
		if (v[i].adopter_pid == adopter) {
			*out = v[i];
			return true;
		}
	}
	return false;
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_cause_names(void)
{
	static const char *const names[] = {
		[CAUSE_NONE] = "none",
		[CAUSE_NEVER_WAITS] = "never-waits",
		[CAUSE_SIGCHLD_IGNORED] = "sigchld-ignored",
		[CAUSE_SIGCHLD_BLOCKED] = "sigchld-blocked",
		[CAUSE_COALESCED] = "coalesced",
		[CAUSE_INIT_BATCH] = "init-batch",
		[CAUSE_SLOW_REAPER] = "slow-reaper",
		[CAUSE_PARENT_DIED] = "parent-died",
		[CAUSE_INIT_NEVER_WAITS] = "init-never-waits",
	};
	unsigned int c;

	for (c = CAUSE_NONE; c <= CAUSE_INIT_NEVER_WAITS; c++) {
		if (!ASSERT_STREQ(ll_cause_name(c), names[c], "name"))
			return;
		if (!ASSERT_GT(strlen(ll_cause_text(c)), 10, "text"))
			return;
		/* Every cause but none says what to change. */
		if (!ASSERT_EQ(fmt_cause_advice(c) != NULL, c != CAUSE_NONE, "advice"))
			return;
	}
}

/* fork, exec, exit, wait4: every field of every event, and the parent's zombie group. */
static void test_fork_exec_exit_reap(void)
{
	static const char args[] = "sleep\0" "1";
	struct proctab *pt = new_table(0, 0);
	const struct ll_event *ev;
	struct ll_zombie_view zv;
	struct ll_proc_totals t;
	uint64_t base;

	if (!ASSERT_TRUE(pt, "pt_new"))
		return;
	pt_seed(pt, 1, 0, "init", 1 * MS, false);
	pt_seed(pt, 100, 1, "shell", 5 * MS, false);
	base = totals(pt).processes_now;
	if (!ASSERT_EQ(base, 2, "seeded"))
		goto out;

	rec_fork_as(pt, 10 * MS, 100, 101, 200, 100, 10 * MS, "shell");
	rec_exec(pt, 11 * MS, 200, 100, 10 * MS, "sleep", "/bin/sleep", args, sizeof(args));
	rec_exit(pt, 30 * MS, 200, 100, 10 * MS, 1 << 8, LL_EXIT_SIGCHLD_HANDLER, "sleep", "shell");

	t = totals(pt);
	ASSERT_EQ(t.zombies_now, 1, "zombie before the reap");
	ASSERT_TRUE(zview(pt, 30 * MS + 100 * US, 100, &zv), "group while zombie");
	ASSERT_EQ(zv.now, 1, "now");
	ASSERT_EQ(zv.oldest_now_us, 100, "oldest_now_us");
	ASSERT_EQ(zv.cause, CAUSE_NONE, "not lingering yet");

	rec_reap(pt, 30 * MS + 250 * US, 100, 200, LL_HOW_WAIT4);
	if (!ASSERT_EQ(cap.n, 4, "events"))
		goto out;

	ev = &cap.ev[0];
	ASSERT_EQ(ev->kind, EV_FORK, "fork kind");
	ASSERT_EQ(ev->ts_ns, 10 * MS, "fork ts");
	ASSERT_EQ(ev->pid, 200, "fork pid");
	ASSERT_EQ(ev->tid, 101, "fork tid");
	ASSERT_EQ(ev->ppid, 100, "fork ppid");
	ASSERT_STREQ(ev->comm, "shell", "fork comm");

	ev = &cap.ev[1];
	ASSERT_EQ(ev->kind, EV_EXEC, "exec kind");
	ASSERT_EQ(ev->ts_ns, 11 * MS, "exec ts");
	ASSERT_EQ(ev->pid, 200, "exec pid");
	ASSERT_EQ(ev->ppid, 100, "exec ppid");
	ASSERT_STREQ(ev->comm, "sleep", "exec comm");
	ASSERT_STREQ(ev->exec.filename, "/bin/sleep", "exec filename");
	ASSERT_EQ(ev->exec.args_len, sizeof(args), "args_len");
	ASSERT_TRUE(!memcmp(ev->exec.args, args, sizeof(args)), "args");
	ASSERT_FALSE(ev->exec.truncated, "truncated");

	ev = &cap.ev[2];
	ASSERT_EQ(ev->kind, EV_EXIT, "exit kind");
	ASSERT_EQ(ev->ts_ns, 30 * MS, "exit ts");
	ASSERT_EQ(ev->pid, 200, "exit pid");
	ASSERT_EQ(ev->ppid, 100, "exit ppid");
	ASSERT_STREQ(ev->comm, "sleep", "exit comm");
	ASSERT_EQ(ev->exit.status, 1 << 8, "status");
	ASSERT_EQ(ev->exit.age_us, 20000, "age_us");
	ASSERT_TRUE(ev->exit.zombie, "zombie");
	ASSERT_EQ(ev->exit.orphaned, 0, "orphaned");

	ev = &cap.ev[3];
	ASSERT_EQ(ev->kind, EV_REAP, "reap kind");
	ASSERT_EQ(ev->ts_ns, 30 * MS + 250 * US, "reap ts");
	ASSERT_EQ(ev->pid, 200, "reap pid");
	ASSERT_EQ(ev->tid, 101, "reaper tid");
	ASSERT_EQ(ev->ppid, 100, "reap ppid");
	ASSERT_STREQ(ev->comm, "sleep", "reap comm");
	ASSERT_EQ(ev->reap.reaper_pid, 100, "reaper");
	ASSERT_STREQ(ev->reap.reaper_comm, "shell", "reaper comm");
	ASSERT_EQ(ev->reap.zombie_us, 250, "zombie_us");
	ASSERT_EQ(ev->reap.how, HOW_WAIT4, "how");
	ASSERT_FALSE(ev->reap.orphan, "orphan");

	t = totals(pt);
	ASSERT_EQ(t.forks, 1, "forks");
	ASSERT_EQ(t.execs, 1, "execs");
	ASSERT_EQ(t.exits, 1, "exits");
	ASSERT_EQ(t.reaps, 1, "reaps");
	ASSERT_EQ(t.autoreaped, 0, "autoreaped");
	ASSERT_EQ(t.zombies_now, 0, "zombies_now");
	ASSERT_EQ(t.orphans_now, 0, "orphans_now");
	ASSERT_EQ(t.processes_now, base, "released after the reap");
	ASSERT_EQ(t.incomplete, 0, "incomplete");
	ASSERT_EQ(t.evicted, 0, "evicted");
	ASSERT_TRUE(pt_comm(pt, 200) == NULL, "reaped pid unknown again");

	if (!ASSERT_TRUE(zview(pt, 40 * MS, 100, &zv), "group"))
		goto out;
	ASSERT_STREQ(zv.parent_comm, "shell", "parent_comm");
	ASSERT_EQ(zv.reaped, 1, "reaped");
	ASSERT_EQ(zv.now, 0, "now");
	ASSERT_EQ(zv.oldest_now_us, 0, "oldest none");
	ASSERT_EQ(zv.lifetime->count, 1, "lifetime count");
	ASSERT_EQ(zv.lifetime->min, 250, "lifetime min");
	ASSERT_EQ(zv.lifetime->max, 250, "lifetime max");
	ASSERT_EQ(zv.cause, CAUSE_NONE, "cause");
out:
	pt_free(pt);
}

static void test_autoreap(void)
{
	struct proctab *pt = new_table(0, 0);
	const struct ll_event *ev;
	struct ll_zombie_view zv;
	struct ll_proc_totals t;
	uint64_t base;

	pt_seed(pt, 100, 1, "server", 1 * MS, false);
	base = totals(pt).processes_now;
	rec_fork(pt, 10 * MS, 100, 200, "server");
	rec_exit(pt, 20 * MS, 200, 100, 10 * MS, 0, LL_EXIT_AUTOREAP | LL_EXIT_SIGCHLD_IGN,
		 "server", "server");
	if (!ASSERT_EQ(cap.n, 3, "fork, exit, reap"))
		goto out;
	ev = find_ev(EV_EXIT, 200, 0);
	ASSERT_FALSE(ev->exit.zombie, "never a zombie");
	ev = find_ev(EV_REAP, 200, 0);
	ASSERT_EQ(ev_index(ev), 2, "reap after exit");
	ASSERT_EQ(ev->ts_ns, 20 * MS, "reap ts = exit ts");
	ASSERT_EQ(ev->reap.how, HOW_AUTOREAP, "how");
	ASSERT_EQ(ev->reap.zombie_us, 0, "zombie_us");
	ASSERT_EQ(ev->reap.reaper_pid, 100, "reaper = parent");
	ASSERT_STREQ(ev->reap.reaper_comm, "server", "reaper comm");

	/* The free fallback that follows finds nothing to do. */
	rec_reap(pt, 35 * MS, 7, 200, LL_HOW_FREE);
	ASSERT_EQ(cap.n, 3, "free ignored");

	t = totals(pt);
	ASSERT_EQ(t.exits, 1, "exits");
	ASSERT_EQ(t.autoreaped, 1, "autoreaped");
	ASSERT_EQ(t.reaps, 0, "not a wait reap");
	ASSERT_EQ(t.zombies_now, 0, "zombies_now");
	ASSERT_EQ(t.processes_now, base, "released");
	if (!ASSERT_TRUE(zview(pt, 40 * MS, 100, &zv), "group"))
		goto out;
	ASSERT_EQ(zv.autoreaped, 1, "group autoreaped");
	ASSERT_EQ(zv.reaped, 0, "group reaped");
	ASSERT_EQ(zv.now, 0, "group now");
	ASSERT_EQ(zv.cause, CAUSE_NONE, "cause");
out:
	pt_free(pt);
}

/* A parent that never waits dies; init reaps its zombie 2 s later. */
static void test_zombie_reaped_by_init(void)
{
	struct proctab *pt = new_table(0, 0);
	const struct ll_event *ev;
	struct ll_zombie_view zv;
	uint64_t base;

	pt_seed(pt, 1, 0, "systemd", 1 * MS, false);
	pt_seed(pt, 100, 1, "daemon", 2 * MS, false);
	base = totals(pt).processes_now;
	rec_fork(pt, 10 * MS, 100, 200, "daemon");
	rec_exit(pt, 20 * MS, 200, 100, 10 * MS, 0, 0, "daemon", "daemon");

	ASSERT_TRUE(zview(pt, 500 * MS, 100, &zv), "group");
	ASSERT_EQ(zv.now, 1, "now");
	ASSERT_EQ(zv.oldest_now_us, 480000, "oldest_now_us");
	ASSERT_EQ(zv.cause, CAUSE_NEVER_WAITS, "never waits while the parent lives");

	rec_exit(pt, 1000 * MS, 100, 1, 2 * MS, 0, 0, "daemon", "systemd");
	ev = find_ev(EV_EXIT, 100, 0);
	ASSERT_EQ(ev->exit.orphaned, 0, "a zombie child is not an orphan");
	ASSERT_EQ(totals(pt).orphans_now, 0, "orphans_now");
	ASSERT_EQ(pt_ppid(pt, 200), 0, "the zombie's new parent is not known");
	ASSERT_EQ(pt_pending_adopters(pt, NULL, 0), 1, "its adopter is asked for");
	ASSERT_TRUE(zview(pt, 1000 * MS, 100, &zv), "dead parent's group");
	ASSERT_EQ(zv.now, 0, "handed over: no longer the dead parent's");
	ASSERT_EQ(zv.cause, CAUSE_NEVER_WAITS, "it left a zombie behind: never waited");
	ASSERT_EQ(totals(pt).zombies_now, 2, "still a zombie, as is its parent");
	rec_reap(pt, 1000 * MS + 100 * US, 1, 100, LL_HOW_WAIT4);
	rec_reap(pt, 3000 * MS, 1, 200, LL_HOW_WAIT4);

	ev = find_ev(EV_REAP, 200, 0);
	if (!ASSERT_TRUE(ev, "reap event"))
		goto out;
	ASSERT_EQ(ev->ppid, 100, "parent at exit");
	ASSERT_EQ(ev->reap.reaper_pid, 1, "reaper");
	ASSERT_STREQ(ev->reap.reaper_comm, "systemd", "reaper comm");
	ASSERT_EQ(ev->reap.zombie_us, 2980000, "zombie_us");
	ASSERT_TRUE(ev->reap.orphan, "reaped by an adopter");

	ASSERT_TRUE(zview(pt, 3000 * MS, 100, &zv), "dead parent's group");
	ASSERT_EQ(zv.reaped, 0, "reaped by the adopter, in its group");
	ASSERT_EQ(zv.now, 0, "now");
	ASSERT_EQ(zv.cause, CAUSE_NEVER_WAITS, "never-waits, not slow-reaper");
	ASSERT_TRUE(zview(pt, 3000 * MS, 1, &zv), "init's group");
	ASSERT_EQ(zv.reaped, 2, "init reaped its own child and the handed zombie");
	ASSERT_EQ(zv.lifetime->max, 2980000, "the handed one lay 2.98 s");
	ASSERT_EQ(zv.cause, CAUSE_INIT_BATCH, "init reaped it, late");

	/* init's own child waiting for the next batch: init never "never waits". */
	rec_fork(pt, 3100 * MS, 1, 300, "systemd");
	rec_exit(pt, 3200 * MS, 300, 1, 3100 * MS, 0, LL_EXIT_SIGCHLD_HANDLER, "svc", "systemd");
	zview(pt, 3500 * MS, 1, &zv);
	ASSERT_EQ(zv.now, 1, "init has a zombie");
	ASSERT_EQ(zv.cause, CAUSE_INIT_BATCH, "batch, not never-waits");
	ASSERT_EQ(totals(pt).zombies_now, 1, "zombies_now");
	ASSERT_EQ(totals(pt).processes_now, base, "parent and child released, 300 held");
out:
	pt_free(pt);
}

/* Orphan adopted by a subreaper, adopter learnt from /proc (pt_set_adopter). */
static void test_orphan_set_adopter(void)
{
	struct proctab *pt = new_table(0, 0);
	struct ll_orphan_view ov;
	struct ll_zombie_view zv;
	const struct ll_event *ev;
	uint32_t pids[4];

	pt_seed(pt, 50, 1, "supervisor", 1 * MS, false);
	pt_seed(pt, 100, 50, "worker", 2 * MS, false);
	rec_fork(pt, 10 * MS, 100, 200, "worker");
	rec_exec(pt, 11 * MS, 200, 100, 10 * MS, "job", "/usr/bin/job", "job", 4);
	rec_exit(pt, 1000 * MS, 100, 50, 2 * MS, 0, 0, "worker", "supervisor");

	ev = find_ev(EV_EXIT, 100, 0);
	ASSERT_EQ(ev->exit.orphaned, 1, "orphaned");
	ASSERT_EQ(totals(pt).orphans_now, 1, "orphans_now");
	ASSERT_EQ(pt_pending_adopters(pt, pids, 4), 1, "pending");
	ASSERT_EQ(pids[0], 200, "pending pid");
	ASSERT_EQ(pt_ppid(pt, 200), 0, "adopter unknown");
	ASSERT_TRUE(oview(pt, 0, &ov), "unknown-adopter row");
	ASSERT_EQ(ov.alive, 1, "waiting alive");
	ASSERT_TRUE(find_ev(EV_ORPHAN, 200, 0) == NULL, "no orphan event yet");

	rec_reap(pt, 1000 * MS + 200 * US, 50, 100, LL_HOW_WAIT4);
	ev = find_ev(EV_REAP, 100, 0);
	ASSERT_FALSE(ev->reap.orphan, "its own parent reaped the worker");

	pt_set_adopter(pt, 200, 100, "worker");	/* a stale /proc read: ignored */
	ASSERT_TRUE(find_ev(EV_ORPHAN, 200, 0) == NULL, "stale read ignored");
	pt_set_adopter(pt, 200, 50, "supervisor");
	ev = find_ev(EV_ORPHAN, 200, 0);
	if (!ASSERT_TRUE(ev, "orphan event"))
		goto out;
	ASSERT_EQ(ev->ts_ns, 1000 * MS, "ts = parent's exit");
	ASSERT_STREQ(ev->comm, "job", "comm");
	ASSERT_EQ(ev->ppid, 50, "ppid");
	ASSERT_EQ(ev->orphan.old_ppid, 100, "old_ppid");
	ASSERT_STREQ(ev->orphan.old_parent_comm, "worker", "old_parent_comm");
	ASSERT_EQ(ev->orphan.adopter_pid, 50, "adopter");
	ASSERT_EQ(pt_pending_adopters(pt, pids, 4), 0, "no longer pending");
	ASSERT_EQ(pt_ppid(pt, 200), 50, "ppid now");
	pt_set_adopter(pt, 200, 50, "supervisor");
	ASSERT_EQ(cap.kinds[EV_ORPHAN], 1, "reported once");

	if (!ASSERT_TRUE(oview(pt, 50, &ov), "orphan group"))
		goto out;
	ASSERT_STREQ(ov.adopter_comm, "supervisor", "adopter_comm");
	ASSERT_EQ(ov.adopted, 1, "adopted");
	ASSERT_EQ(ov.alive, 1, "alive");
	ASSERT_EQ(ov.exited, 0, "exited");
	ASSERT_FALSE(oview(pt, 0, &ov), "nobody waits");

	rec_exit(pt, 3000 * MS, 200, 50, 10 * MS, 0, 0, "job", "supervisor");
	ASSERT_EQ(cap.kinds[EV_ORPHAN], 1, "exit does not report it again");
	ASSERT_EQ(totals(pt).orphans_now, 0, "orphans_now");
	rec_reap(pt, 3000 * MS + 500 * US, 50, 200, LL_HOW_WAITID);
	ev = find_ev(EV_REAP, 200, 0);
	ASSERT_TRUE(ev->reap.orphan, "reaped by the adopter");
	ASSERT_EQ(ev->reap.how, HOW_WAITID, "how");
	ASSERT_EQ(ev->reap.zombie_us, 500, "zombie_us");

	oview(pt, 50, &ov);
	ASSERT_EQ(ov.adopted, 1, "adopted");
	ASSERT_EQ(ov.alive, 0, "alive");
	ASSERT_EQ(ov.exited, 1, "exited");
	ASSERT_EQ(ov.lifetime->count, 1, "lifetime count");
	ASSERT_EQ(ov.lifetime->min, 2000000, "orphan lifetime");
	ASSERT_EQ(ov.reap->count, 1, "reap count");
	ASSERT_EQ(ov.reap->min, 500, "adopter's reap delay");
	ASSERT_TRUE(zview(pt, 3001 * MS, 50, &zv), "adopter's zombie group");
	ASSERT_EQ(zv.reaped, 2, "the worker and the orphan");
	ASSERT_EQ(zv.lifetime->min, 200, "worker's zombie time");
	ASSERT_EQ(zv.lifetime->max, 500, "orphan's zombie time");
out:
	pt_free(pt);
}

/* Adopter learnt from the orphan's exit record; init reaps in a batch 2 s later. */
static void test_orphan_adopter_from_exit(void)
{
	struct proctab *pt = new_table(0, 0);
	struct ll_orphan_view ov;
	struct ll_zombie_view zv;
	const struct ll_event *ev, *ex;

	pt_seed(pt, 100, 1, "worker", 2 * MS, false);	/* pid 1 is only a name so far */
	rec_fork(pt, 10 * MS, 100, 200, "worker");
	rec_exit(pt, 100 * MS, 100, 1, 2 * MS, 0, 0, "worker", "systemd");
	rec_reap(pt, 100 * MS + 50 * US, 1, 100, LL_HOW_WAIT4);
	rec_exit(pt, 600 * MS, 200, 1, 10 * MS, 9, 0, "worker", "systemd");

	ev = find_ev(EV_ORPHAN, 200, 0);
	ex = find_ev(EV_EXIT, 200, 0);
	if (!ASSERT_TRUE(ev && ex, "orphan and exit events"))
		goto out;
	ASSERT_LT(ev_index(ev), ev_index(ex), "orphan reported before its exit");
	ASSERT_EQ(ev->ts_ns, 100 * MS, "orphan ts");
	ASSERT_EQ(ev->orphan.old_ppid, 100, "old_ppid");
	ASSERT_EQ(ev->orphan.adopter_pid, 1, "adopter");
	ASSERT_EQ(ex->exit.status, 9, "killed by SIGKILL");
	ASSERT_EQ(ex->ppid, 1, "exit ppid");

	rec_reap(pt, 2600 * MS, 1, 200, LL_HOW_WAIT4);
	if (!ASSERT_TRUE(oview(pt, 1, &ov), "orphan group"))
		goto out;
	ASSERT_STREQ(ov.adopter_comm, "systemd", "comm from the exit record");
	ASSERT_EQ(ov.adopted, 1, "adopted");
	ASSERT_EQ(ov.alive, 0, "alive");
	ASSERT_EQ(ov.exited, 1, "exited");
	ASSERT_EQ(ov.lifetime->min, 500000, "lifetime");
	ASSERT_EQ(ov.reap->min, 2000000, "reap delay");
	ASSERT_TRUE(zview(pt, 2600 * MS, 1, &zv), "init's zombie group");
	ASSERT_EQ(zv.reaped, 2, "reaped");
	ASSERT_EQ(zv.cause, CAUSE_INIT_BATCH, "init batch");
out:
	pt_free(pt);
}

/* Adopter learnt from the orphan's exec record. */
static void test_orphan_adopter_from_exec(void)
{
	struct proctab *pt = new_table(0, 0);
	const struct ll_event *ev;

	pt_seed(pt, 100, 1, "worker", 2 * MS, false);
	rec_fork(pt, 10 * MS, 100, 200, "worker");
	rec_exit(pt, 100 * MS, 100, 1, 2 * MS, 0, 0, "worker", "init");
	rec_exec(pt, 150 * MS, 200, 1, 10 * MS, "ls", "/bin/ls", "", 0);
	ev = find_ev(EV_ORPHAN, 200, 0);
	if (!ASSERT_TRUE(ev, "orphan event"))
		goto out;
	ASSERT_EQ(ev->orphan.adopter_pid, 1, "adopter");
	ASSERT_EQ(totals(pt).orphans_now, 1, "still alive");
out:
	pt_free(pt);
}

/* The child's exit (under init) arrives before its parent's exit record. */
static void test_orphan_exit_before_parent_record(void)
{
	struct proctab *pt = new_table(0, 0);
	const struct ll_event *ev;
	struct ll_orphan_view ov;

	pt_seed(pt, 1, 0, "init", 1 * MS, false);
	pt_seed(pt, 100, 1, "worker", 2 * MS, false);
	rec_fork(pt, 10 * MS, 100, 200, "worker");
	rec_exit(pt, 100 * MS + 500 * US, 200, 1, 10 * MS, 0, 0, "worker", "init");
	ASSERT_TRUE(find_ev(EV_ORPHAN, 200, 0) == NULL, "not yet");
	rec_exit(pt, 100 * MS, 100, 1, 2 * MS, 0, 0, "worker", "init");
	ev = find_ev(EV_EXIT, 100, 0);
	ASSERT_EQ(ev->exit.orphaned, 1, "orphaned");
	ev = find_ev(EV_ORPHAN, 200, 0);
	if (!ASSERT_TRUE(ev, "orphan event"))
		goto out;
	ASSERT_EQ(ev->ts_ns, 100 * MS, "ts");
	ASSERT_EQ(ev->orphan.adopter_pid, 1, "adopter");
	ASSERT_STREQ(ev->orphan.old_parent_comm, "worker", "old parent");
	ASSERT_TRUE(oview(pt, 1, &ov), "group");
	ASSERT_EQ(ov.adopted, 1, "adopted");
	ASSERT_EQ(ov.alive, 0, "alive");
	ASSERT_EQ(ov.exited, 1, "exited");
	ASSERT_EQ(ov.lifetime->min, 500, "lifetime");
	ASSERT_EQ(totals(pt).orphans_now, 0, "orphans_now");
	rec_reap(pt, 101 * MS, 1, 200, LL_HOW_WAIT4);
	oview(pt, 1, &ov);
	ASSERT_EQ(ov.reap->min, 500, "reap delay");
out:
	pt_free(pt);
}

/* The parent's exit comes first but the child died before it was reparented. */
static void test_orphan_cancelled(void)
{
	struct proctab *pt = new_table(0, 0);
	struct ll_zombie_view zv;
	uint32_t pids[4];

	pt_seed(pt, 100, 1, "worker", 2 * MS, false);
	rec_fork(pt, 10 * MS, 100, 200, "worker");
	rec_exit(pt, 100 * MS, 100, 1, 2 * MS, 0, 0, "worker", "init");
	ASSERT_EQ(totals(pt).orphans_now, 1, "taken for an orphan");
	rec_exit(pt, 100 * MS + 1 * US, 200, 100, 10 * MS, 0, 0, "worker", "worker");
	ASSERT_EQ(totals(pt).orphans_now, 0, "it was not");
	ASSERT_EQ(pt_pending_adopters(pt, pids, 4), 0, "not pending");
	ASSERT_EQ(cap.kinds[EV_ORPHAN], 0, "no orphan event");
	ASSERT_TRUE(zview(pt, 101 * MS, 100, &zv), "dead parent's group");
	ASSERT_EQ(zv.now, 1, "its zombie");
	pt_free(pt);
}

/* Subreaper adopts, then dies itself: the orphan is orphaned again and goes to init. */
static void test_orphan_twice(void)
{
	struct proctab *pt = new_table(0, 0);
	struct ll_orphan_view ov;
	const struct ll_event *ev;

	pt_seed(pt, 1, 0, "init", 1 * MS, false);
	pt_seed(pt, 50, 1, "supervisor", 1 * MS, false);
	pt_seed(pt, 100, 50, "worker", 2 * MS, false);
	pt_seed(pt, 200, 100, "job", 3 * MS, false);	/* children of seeded parents count */
	rec_exit(pt, 100 * MS, 100, 50, 2 * MS, 0, 0, "worker", "supervisor");
	pt_set_adopter(pt, 200, 50, "supervisor");
	rec_exit(pt, 200 * MS, 50, 1, 1 * MS, 0, 0, "supervisor", "init");
	ev = find_ev(EV_EXIT, 50, 0);
	ASSERT_EQ(ev->exit.orphaned, 1, "adopted orphan orphaned again");
	ASSERT_EQ(totals(pt).orphans_now, 1, "one orphan");
	oview(pt, 50, &ov);
	ASSERT_EQ(ov.alive, 0, "no longer the supervisor's");
	pt_set_adopter(pt, 200, 1, "init");
	ev = find_ev(EV_ORPHAN, 200, 1);
	if (!ASSERT_TRUE(ev, "second orphan event"))
		goto out;
	ASSERT_EQ(ev->ts_ns, 200 * MS, "ts");
	ASSERT_EQ(ev->orphan.old_ppid, 50, "old_ppid");
	ASSERT_EQ(ev->orphan.adopter_pid, 1, "adopter");
	ASSERT_TRUE(oview(pt, 1, &ov), "init group");
	ASSERT_EQ(ov.alive, 1, "alive under init");
out:
	pt_free(pt);
}

/* exit(X), fork(new X), reap(X): the reap is the old X's; the new X lives on. */
static void test_pid_reuse(void)
{
	struct proctab *pt = new_table(0, 0);
	const struct ll_event *ev;
	struct ll_proc_totals t;
	uint64_t base;

	pt_seed(pt, 100, 1, "shell", 1 * MS, false);
	base = totals(pt).processes_now;
	rec_fork(pt, 10 * MS, 100, 300, "shell");
	rec_exec(pt, 11 * MS, 300, 100, 10 * MS, "old", "/bin/old", "", 0);
	rec_exit(pt, 20 * MS, 300, 100, 10 * MS, 0, 0, "old", "shell");
	rec_fork(pt, 25 * MS, 100, 300, "shell");
	rec_exec(pt, 25 * MS + 10 * US, 300, 100, 25 * MS, "new", "/bin/new", "", 0);
	rec_reap(pt, 26 * MS, 100, 300, LL_HOW_WAIT4);

	ev = find_ev(EV_REAP, 300, 0);
	if (!ASSERT_TRUE(ev, "reap"))
		goto out;
	ASSERT_STREQ(ev->comm, "old", "the old process");
	ASSERT_EQ(ev->reap.zombie_us, 6000, "zombie_us");
	ASSERT_STREQ(pt_comm(pt, 300), "new", "the new X is alive");
	ASSERT_EQ(pt_ppid(pt, 300), 100, "its parent");
	t = totals(pt);
	ASSERT_EQ(t.zombies_now, 0, "zombies_now");
	ASSERT_EQ(t.processes_now, base + 1, "new X in the table");
	pt_tick(pt, 2000 * MS);
	ASSERT_EQ(totals(pt).incomplete, 0, "nothing left unjoined");

	/* Both dead at once: reaps go oldest first. */
	rec_exit(pt, 3000 * MS, 300, 100, 25 * MS, 0, 0, "new", "shell");
	rec_fork(pt, 3001 * MS, 100, 300, "shell");
	rec_exit(pt, 3002 * MS, 300, 100, 3001 * MS, 0, 0, "newer", "shell");
	rec_reap(pt, 3003 * MS, 100, 300, LL_HOW_WAIT4);
	rec_reap(pt, 3004 * MS, 100, 300, LL_HOW_WAIT4);
	ev = find_ev(EV_REAP, 300, 1);
	ASSERT_STREQ(ev->comm, "new", "second reap");
	ASSERT_EQ(ev->reap.zombie_us, 3000, "its zombie time");
	ev = find_ev(EV_REAP, 300, 2);
	ASSERT_STREQ(ev->comm, "newer", "third reap");
	ASSERT_EQ(ev->reap.zombie_us, 2000, "its zombie time");
	t = totals(pt);
	ASSERT_EQ(t.processes_now, base, "all released");
	ASSERT_EQ(t.incomplete, 0, "incomplete");
out:
	pt_free(pt);
}

/* Processes that predate the tracer: unknown is unknown, never zero. */
static void test_preexisting(void)
{
	struct proctab *pt = new_table(0, 0);
	struct ll_zombie_view zv;
	const struct ll_event *ev;

	pt_seed(pt, 100, 1, "shell", LL_UNKNOWN, false);
	pt_seed(pt, 500, 100, "defunct", 0, true);
	pt_seed(pt, 400, 100, "old", LL_UNKNOWN, false);
	ASSERT_EQ(totals(pt).zombies_now, 1, "seeded zombie");

	rec_exec(pt, 1000 * MS, 400, 100, 500 * MS, "older", "/bin/older", "", 0);
	ASSERT_STREQ(pt_comm(pt, 400), "older", "comm after exec");
	ASSERT_TRUE(zview(pt, 1500 * MS, 100, &zv), "group");
	ASSERT_EQ(zv.now, 1, "now");
	ASSERT_EQ(zv.oldest_now_us, LL_UNKNOWN, "its age is not known...");
	ASSERT_EQ(zv.oldest_now_min_us, 500000, "...but at least since the first record");
	ASSERT_EQ(zv.cause, CAUSE_NEVER_WAITS, "cause");
	ASSERT_TRUE(zview(pt, 1001 * MS, 100, &zv), "group");
	ASSERT_EQ(zv.cause, CAUSE_NEVER_WAITS, "never none, even at once");

	rec_exit(pt, 2000 * MS, 400, 100, 500 * MS, 0, 0, "older", "shell");
	ev = find_ev(EV_EXIT, 400, 0);
	ASSERT_EQ(ev->exit.age_us, 1500000, "age from the record's start");
	rec_reap(pt, 2000 * MS + 100 * US, 100, 400, LL_HOW_WAIT4);
	rec_reap(pt, 2100 * MS, 100, 500, LL_HOW_WAIT4);
	ev = find_ev(EV_REAP, 500, 0);
	if (!ASSERT_TRUE(ev, "seeded zombie reaped"))
		goto out;
	ASSERT_EQ(ev->reap.zombie_us, LL_UNKNOWN, "zombie_us unknown, not 0");
	ASSERT_STREQ(ev->comm, "defunct", "comm");
	ASSERT_EQ(ev->ppid, 100, "ppid");
	zview(pt, 2100 * MS, 100, &zv);
	ASSERT_EQ(zv.reaped, 2, "reaped");
	ASSERT_EQ(zv.lifetime->count, 1, "only the known lifetime");
	ASSERT_EQ(zv.lifetime->max, 100, "which is 100 us");
	ASSERT_EQ(totals(pt).incomplete, 0, "nothing lost");

	/* A zombie nobody told us about: the reap waits for an exit, then reports unknown. */
	rec_reap(pt, 2200 * MS, 100, 999, LL_HOW_WAIT4);
	ASSERT_TRUE(find_ev(EV_REAP, 999, 0) == NULL, "waits for its exit");
	pt_tick(pt, 3200 * MS);
	ev = find_ev(EV_REAP, 999, 0);
	if (!ASSERT_TRUE(ev, "reported after the join window"))
		goto out;
	ASSERT_EQ(ev->ts_ns, 2200 * MS, "ts");
	ASSERT_EQ(ev->reap.zombie_us, LL_UNKNOWN, "zombie_us");
	ASSERT_STREQ(ev->comm, "?", "comm");
	ASSERT_STREQ(ev->reap.reaper_comm, "shell", "reaper comm");
	ASSERT_EQ(totals(pt).incomplete, 0, "no loss: it predates us");

	/* A fork by a process never seen: known from then on. */
	rec_fork(pt, 3300 * MS, 600, 601, "mystery");
	ASSERT_STREQ(pt_comm(pt, 600), "mystery", "parent's comm is the child's at fork");
	ASSERT_EQ(pt_ppid(pt, 601), 600, "child's parent");
	ASSERT_TRUE(pt_comm(pt, 602) == NULL, "unknown pid");
out:
	pt_free(pt);
}

static void test_threads_ignored(void)
{
	struct proctab *pt = new_table(0, 0);
	uint64_t base;

	pt_seed(pt, 100, 1, "server", 1 * MS, false);
	base = totals(pt).processes_now;
	rec_fork_as(pt, 10 * MS, 100, 100, 100, 1, 10 * MS, "server");
	ASSERT_EQ(cap.total, 0, "no event");
	ASSERT_EQ(totals(pt).forks, 0, "not a fork");
	ASSERT_EQ(totals(pt).processes_now, base, "no entry");
	ASSERT_EQ(pt_ppid(pt, 100), 1, "the process is unchanged");
	pt_free(pt);
}

/* Records from two CPUs: the reap arrives before the exit it belongs to. */
static void test_reap_before_exit(void)
{
	struct proctab *pt = new_table(0, 0);
	const struct ll_event *ev;
	struct ll_zombie_view zv;
	uint64_t base;

	pt_seed(pt, 100, 1, "shell", 1 * MS, false);
	base = totals(pt).processes_now;
	rec_fork(pt, 10 * MS, 100, 200, "shell");
	rec_reap(pt, 20 * MS + 300 * US, 100, 200, LL_HOW_WAIT4);
	ASSERT_EQ(cap.n, 1, "the reap waits");
	rec_exit(pt, 20 * MS, 200, 100, 10 * MS, 0, 0, "shell", "shell");
	if (!ASSERT_EQ(cap.n, 3, "exit, then the joined reap"))
		goto out;
	ev = &cap.ev[2];
	ASSERT_EQ(ev->kind, EV_REAP, "kind");
	ASSERT_EQ(ev->reap.zombie_us, 300, "zombie_us");
	ASSERT_EQ(ev->reap.reaper_pid, 100, "reaper");
	ASSERT_EQ(totals(pt).zombies_now, 0, "zombies_now");
	ASSERT_EQ(totals(pt).processes_now, base, "released");
	pt_tick(pt, 5000 * MS);
	ASSERT_EQ(cap.n, 3, "nothing more");
	ASSERT_EQ(totals(pt).incomplete, 0, "incomplete");
	zview(pt, 5000 * MS, 100, &zv);
	ASSERT_EQ(zv.lifetime->min, 300, "lifetime");
out:
	pt_free(pt);
}

/* Children exit together, SIGCHLDs coalesce, the handler reaps one per signal. */
static void test_coalesced(void)
{
	struct proctab *pt = new_table(0, 0);
	const struct ll_event *ev;
	struct ll_zombie_view zv;
	unsigned int k;

	pt_seed(pt, 100, 1, "server", 1 * MS, false);
	for (k = 0; k < 3; k++)
		rec_fork(pt, (10 + k) * MS, 100, 201 + k, "child");
	for (k = 0; k < 3; k++) {
		rec_exit(pt, 100 * MS + k * 10 * US, 201 + k, 100, (10 + k) * MS, 0,
			 LL_EXIT_SIGCHLD_HANDLER, "child", "server");
		rec_sigchld(pt, 100 * MS + k * 10 * US + 1 * US, 201 + k, 100,
			    k ? LL_SIG_ALREADY_PENDING : LL_SIG_DELIVERED);
	}
	rec_reap(pt, 100 * MS + 100 * US, 100, 201, LL_HOW_WAIT4);

	ev = find_ev(EV_SIGCHLD, 100, 1);
	if (!ASSERT_TRUE(ev, "sigchld event"))
		goto out;
	ASSERT_EQ(ev->ts_ns, 100 * MS + 11 * US, "ts");
	ASSERT_EQ(ev->tid, 202, "sender thread");
	ASSERT_EQ(ev->ppid, 1, "recipient's parent");
	ASSERT_STREQ(ev->comm, "server", "recipient comm");
	ASSERT_EQ(ev->sigchld.from_pid, 202, "from_pid");
	ASSERT_STREQ(ev->sigchld.from_comm, "child", "from_comm");
	ASSERT_EQ(ev->sigchld.result, LL_SIG_ALREADY_PENDING, "result");
	ASSERT_EQ(ev->sigchld.code, 1, "code");
	ASSERT_EQ(cap.kinds[EV_SIGCHLD], 3, "one event per signal");

	ASSERT_TRUE(zview(pt, 600 * MS, 100, &zv), "group");
	ASSERT_EQ(zv.now, 2, "two left");
	ASSERT_EQ(zv.reaped, 1, "one reaped");
	ASSERT_EQ(zv.coalesced_sigchld, 2, "coalesced");
	ASSERT_EQ(zv.oldest_now_us, 499990, "oldest_now_us");
	ASSERT_EQ(zv.cause, CAUSE_COALESCED, "cause");

	/* Reaped at last, late: no zombies now, so it is a slow reaper. */
	rec_reap(pt, 700 * MS, 100, 202, LL_HOW_WAIT4);
	rec_reap(pt, 700 * MS, 100, 203, LL_HOW_WAIT4);
	zview(pt, 700 * MS, 100, &zv);
	ASSERT_EQ(zv.now, 0, "none left");
	ASSERT_EQ(zv.lifetime->count, 3, "lifetimes");
	ASSERT_EQ(zv.lifetime->max, 599990, "max");
	ASSERT_EQ(zv.cause, CAUSE_SLOW_REAPER, "slow");
out:
	pt_free(pt);
}

static void test_cause_never_waits(void)
{
	struct proctab *pt = new_table(0, 0);
	struct ll_zombie_view zv;

	pt_seed(pt, 100, 1, "lazy", 1 * MS, false);
	rec_fork(pt, 5 * MS, 100, 200, "lazy");
	rec_exit(pt, 10 * MS, 200, 100, 5 * MS, 0, 0, "lazy", "lazy");
	zview(pt, 50 * MS, 100, &zv);
	ASSERT_EQ(zv.cause, CAUSE_NONE, "40 ms is not lingering");
	zview(pt, 200 * MS, 100, &zv);
	ASSERT_EQ(zv.oldest_now_us, 190000, "oldest");
	ASSERT_EQ(zv.cause, CAUSE_NEVER_WAITS, "cause");
	pt_free(pt);
}

static void test_cause_sigchld_blocked(void)
{
	const uint32_t blocked = LL_EXIT_SIGCHLD_HANDLER | LL_EXIT_SIGCHLD_BLOCKED;
	struct proctab *pt = new_table(0, 0);
	struct ll_zombie_view zv;

	pt_seed(pt, 100, 1, "blocker", 1 * MS, false);
	rec_fork(pt, 5 * MS, 100, 200, "blocker");
	rec_fork(pt, 6 * MS, 100, 201, "blocker");
	rec_exit(pt, 10 * MS, 200, 100, 5 * MS, 0, blocked, "blocker", "blocker");
	rec_exit(pt, 11 * MS, 201, 100, 6 * MS, 0, blocked, "blocker", "blocker");
	rec_reap(pt, 400 * MS, 100, 200, LL_HOW_WAIT4);	/* reaps, but only when it unblocks */
	zview(pt, 500 * MS, 100, &zv);
	ASSERT_EQ(zv.now, 1, "now");
	ASSERT_EQ(zv.reaped, 1, "reaped");
	ASSERT_EQ(zv.cause, CAUSE_SIGCHLD_BLOCKED, "cause");
	pt_free(pt);
}

static void test_cause_sigchld_ignored(void)
{
	struct proctab *pt = new_table(0, 0);
	struct ll_zombie_view zv;

	pt_seed(pt, 100, 1, "ign", 1 * MS, false);
	rec_fork(pt, 5 * MS, 100, 200, "ign");
	rec_exit(pt, 10 * MS, 200, 100, 5 * MS, 0, LL_EXIT_SIGCHLD_IGN, "ign", "ign");
	zview(pt, 500 * MS, 100, &zv);
	ASSERT_EQ(zv.cause, CAUSE_SIGCHLD_IGNORED, "cause");
	pt_free(pt);
}

static void test_cause_slow_reaper_and_none(void)
{
	struct proctab *pt = new_table(0, 0);
	struct ll_zombie_view zv;
	unsigned int k;

	pt_seed(pt, 100, 1, "slow", 1 * MS, false);
	pt_seed(pt, 101, 1, "quick", 1 * MS, false);
	for (k = 0; k < 3; k++) {
		uint64_t t = (1000 + 1000 * k) * MS;

		rec_fork(pt, t, 100, 200 + k, "slow");
		rec_exit(pt, t + 1 * MS, 200 + k, 100, t, 0, LL_EXIT_SIGCHLD_HANDLER, "c", "slow");
		rec_reap(pt, t + 201 * MS, 100, 200 + k, LL_HOW_WAIT4);
		rec_fork(pt, t, 101, 300 + k, "quick");
		rec_exit(pt, t + 1 * MS, 300 + k, 101, t, 0, LL_EXIT_SIGCHLD_HANDLER, "c", "quick");
		rec_reap(pt, t + 1 * MS + 40 * US, 101, 300 + k, LL_HOW_WAIT4);
	}
	zview(pt, 5000 * MS, 100, &zv);
	ASSERT_EQ(zv.reaped, 3, "reaped");
	ASSERT_EQ(zv.lifetime->min, 200000, "200 ms each");
	ASSERT_EQ(zv.cause, CAUSE_SLOW_REAPER, "slow");
	zview(pt, 5000 * MS, 101, &zv);
	ASSERT_EQ(zv.lifetime->max, 40, "40 us each");
	ASSERT_EQ(zv.cause, CAUSE_NONE, "prompt");
	pt_free(pt);
}

/* Most zombies now first, then the oldest. */
static void test_view_order(void)
{
	struct proctab *pt = new_table(0, 0);
	struct ll_zombie_view v[8];
	size_t n;

	pt_seed(pt, 10, 1, "a", 1 * MS, false);
	pt_seed(pt, 20, 1, "b", 1 * MS, false);
	pt_seed(pt, 30, 1, "c", 1 * MS, false);
	rec_fork(pt, 2 * MS, 10, 11, "a");
	rec_exit(pt, 50 * MS, 11, 10, 2 * MS, 0, 0, "a", "a");
	rec_fork(pt, 3 * MS, 20, 21, "b");
	rec_fork(pt, 4 * MS, 20, 22, "b");
	rec_exit(pt, 60 * MS, 21, 20, 3 * MS, 0, 0, "b", "b");
	rec_exit(pt, 61 * MS, 22, 20, 4 * MS, 0, 0, "b", "b");
	rec_fork(pt, 5 * MS, 30, 31, "c");
	rec_exit(pt, 40 * MS, 31, 30, 5 * MS, 0, 0, "c", "c");
	n = pt_zombie_views(pt, 100 * MS, v, 8);
	if (!ASSERT_EQ(n, 3, "groups"))
		goto out;
	ASSERT_EQ(v[0].parent_pid, 20, "two zombies first");
	ASSERT_EQ(v[1].parent_pid, 30, "then the oldest");
	ASSERT_EQ(v[2].parent_pid, 10, "then the younger");
	ASSERT_EQ(pt_zombie_views(pt, 100 * MS, v, 1), 1, "max respected");
	ASSERT_EQ(v[0].parent_pid, 20, "the top one");
out:
	pt_free(pt);
}

/* 100,000 fork/exit/reap cycles with pids reused: the table returns to its baseline. */
static void test_bounded_memory(void)
{
	struct proctab *pt = new_table(64, 16);
	struct ll_zombie_view zv;
	struct ll_proc_totals t;
	uint64_t base, max_now = 0, ts = 1 * MS;
	uint32_t k, pid;

	pt_seed(pt, 1, 0, "init", 1, false);
	pt_seed(pt, 100, 1, "forker", 1 * MS, false);
	base = totals(pt).processes_now;
	for (k = 0; k < 100000; k++) {
		pid = 1000 + k % 30000;
		ts += 10 * US;
		rec_fork(pt, ts, 100, pid, "forker");
		rec_exit(pt, ts + 3 * US, pid, 100, ts, 0, LL_EXIT_SIGCHLD_HANDLER, "child",
			 "forker");
		t = totals(pt);
		if (t.processes_now > max_now)
			max_now = t.processes_now;
		rec_reap(pt, ts + 5 * US, 100, pid, LL_HOW_WAIT4);
		rec_reap(pt, ts + 7 * US, 0, pid, LL_HOW_FREE);
	}
	pt_tick(pt, ts + 5000 * MS);
	t = totals(pt);
	ASSERT_EQ(t.forks, 100000, "forks");
	ASSERT_EQ(t.exits, 100000, "exits");
	ASSERT_EQ(t.reaps, 100000, "reaps");
	ASSERT_EQ(t.processes_now, base, "back to baseline");
	ASSERT_EQ(max_now, base + 1, "never more than one child at a time");
	ASSERT_EQ(t.zombies_now, 0, "zombies_now");
	ASSERT_EQ(t.evicted, 0, "no eviction needed");
	ASSERT_EQ(t.incomplete, 0, "incomplete");
	ASSERT_EQ(cap.total, 300000, "fork+exit+reap events");
	ASSERT_EQ(cap.kinds[EV_REAP], 100000, "one reap each, frees ignored");
	zview(pt, ts, 100, &zv);
	ASSERT_EQ(zv.reaped, 100000, "group reaped");
	ASSERT_EQ(zv.lifetime->count, 100000, "lifetimes");
	ASSERT_EQ(zv.lifetime->max, 2, "2 us each");
	pt_free(pt);
}

/* A full table evicts zombies and unknowns first, oldest first; then the oldest living. */
static void test_table_full(void)
{
	struct proctab *pt = new_table(16, 0);
	struct ll_zombie_view zv;
	struct ll_proc_totals t;
	uint32_t k;

	pt_seed(pt, 1, 0, "init", 1, false);
	pt_seed(pt, 100, 1, "forker", 1 * MS, false);
	for (k = 0; k < 10; k++)
		rec_fork(pt, (10 + k) * MS, 100, 200 + k, "forker");
	for (k = 0; k < 6; k++)
		rec_exit(pt, (30 + k) * MS, 200 + k, 100, (10 + k) * MS, 0, 0, "c", "forker");
	ASSERT_EQ(totals(pt).zombies_now, 6, "zombies");
	for (k = 0; k < 10; k++)
		rec_fork(pt, (40 + k) * MS, 100, 300 + k, "forker");
	t = totals(pt);
	ASSERT_EQ(t.processes_now, 16, "full");
	ASSERT_EQ(t.evicted, 6, "the six zombies went");
	ASSERT_EQ(t.zombies_now, 0, "zombies_now");
	ASSERT_STREQ(pt_comm(pt, 206), "forker", "living children stay");
	ASSERT_FALSE(zview(pt, 50 * MS, 100, &zv), "the group has nothing left to show");

	rec_fork(pt, 60 * MS, 100, 400, "forker");
	t = totals(pt);
	ASSERT_EQ(t.evicted, 7, "then the oldest living");
	ASSERT_TRUE(pt_comm(pt, 1) == NULL, "init's entry was the oldest");
	ASSERT_STREQ(pt_comm(pt, 400), "forker", "the new one is in");
	ASSERT_EQ(t.processes_now, 16, "still full");
	pt_free(pt);
}

/* Groups are bounded: the idle group with the oldest activity goes, busy groups stay. */
static void test_groups_bounded(void)
{
	struct proctab *pt = new_table(0, 4);
	struct ll_zombie_view v[8];
	struct ll_zombie_view zv;
	uint32_t k;

	pt_seed(pt, 10, 1, "busy", 1 * MS, false);
	rec_fork(pt, 2 * MS, 10, 11, "busy");
	rec_exit(pt, 3 * MS, 11, 10, 2 * MS, 0, 0, "busy", "busy");	/* stays a zombie */
	for (k = 0; k < 6; k++) {
		uint32_t p = 20 + 10 * k;

		pt_seed(pt, p, 1, "idle", 1 * MS, false);
		rec_fork(pt, (10 + k) * MS, p, p + 1, "idle");
		rec_exit(pt, (10 + k) * MS + 10 * US, p + 1, p, (10 + k) * MS, 0, 0, "i", "idle");
		rec_reap(pt, (10 + k) * MS + 20 * US, p, p + 1, LL_HOW_WAIT4);
	}
	ASSERT_EQ(pt_zombie_views(pt, 20 * MS, v, 8), 4, "bounded");
	ASSERT_TRUE(zview(pt, 20 * MS, 10, &zv), "the busy group stays");
	ASSERT_EQ(zv.now, 1, "with its zombie");
	ASSERT_TRUE(zview(pt, 20 * MS, 70, &zv), "the newest idle one is there");
	ASSERT_FALSE(zview(pt, 20 * MS, 20, &zv), "the oldest idle one went");
	rec_reap(pt, 30 * MS, 10, 11, LL_HOW_WAIT4);
	zview(pt, 30 * MS, 10, &zv);
	ASSERT_EQ(zv.reaped, 1, "reap counted in the kept group");
	pt_free(pt);
}

/* The free fallback: reaps a zombie whose wait was not seen; duplicates are dropped. */
static void test_free_fallback(void)
{
	struct proctab *pt = new_table(0, 0);
	const struct ll_event *ev;
	uint64_t base;

	pt_seed(pt, 100, 1, "shell", 1 * MS, false);
	base = totals(pt).processes_now;
	rec_fork(pt, 5 * MS, 100, 200, "shell");
	rec_exit(pt, 10 * MS, 200, 100, 5 * MS, 0, 0, "c", "shell");
	rec_reap(pt, 25 * MS, 7, 200, LL_HOW_FREE);
	ev = find_ev(EV_REAP, 200, 0);
	if (!ASSERT_TRUE(ev, "free reaps"))
		goto out;
	ASSERT_EQ(ev->reap.how, HOW_FREE, "how");
	ASSERT_EQ(ev->reap.reaper_pid, 100, "reaper = parent per table, not hdr");
	ASSERT_STREQ(ev->reap.reaper_comm, "shell", "reaper comm");
	ASSERT_EQ(ev->reap.zombie_us, 15000, "zombie_us");
	ASSERT_EQ(ev->tid, 0, "no reaper thread");
	/* The wait's own record, delayed past the free: a duplicate. */
	rec_reap(pt, 24 * MS, 100, 200, LL_HOW_WAIT4);
	pt_tick(pt, 2000 * MS);
	ASSERT_EQ(cap.kinds[EV_REAP], 1, "reported once");

	/* Free after a seen wait: ignored. */
	rec_fork(pt, 2100 * MS, 100, 201, "shell");
	rec_exit(pt, 2110 * MS, 201, 100, 2100 * MS, 0, 0, "c", "shell");
	rec_reap(pt, 2111 * MS, 100, 201, LL_HOW_WAIT4);
	rec_reap(pt, 2126 * MS, 7, 201, LL_HOW_FREE);
	ASSERT_EQ(cap.kinds[EV_REAP], 2, "free after wait ignored");

	/* A late free of the old 202 must not touch the new 202. */
	rec_fork(pt, 2200 * MS, 100, 202, "shell");
	rec_exit(pt, 2210 * MS, 202, 100, 2200 * MS, 0, 0, "old", "shell");
	rec_reap(pt, 2211 * MS, 100, 202, LL_HOW_WAIT4);
	rec_fork(pt, 2212 * MS, 100, 202, "new");
	rec_reap(pt, 2226 * MS, 7, 202, LL_HOW_FREE);
	ASSERT_EQ(cap.kinds[EV_REAP], 3, "free of the old one ignored");
	ASSERT_STREQ(pt_comm(pt, 202), "new", "new one alive");

	/* The wait's record stamped after the free (its syscall returns after the RCU free). */
	rec_fork(pt, 2300 * MS, 100, 203, "shell");
	rec_exit(pt, 2310 * MS, 203, 100, 2300 * MS, 0, 0, "c", "shell");
	rec_reap(pt, 2325 * MS, 7, 203, LL_HOW_FREE);
	rec_reap(pt, 2326 * MS, 100, 203, LL_HOW_WAIT4);
	pt_tick(pt, 4400 * MS);
	ASSERT_EQ(cap.kinds[EV_REAP], 4, "a wait just after the free: a duplicate");
	ASSERT_EQ(totals(pt).reaps, 4, "reaps");
	ASSERT_EQ(totals(pt).processes_now, base + 1, "only the new 202 left");
out:
	pt_free(pt);
}

/* A fork record that arrives after the child's exit and reap leaves no ghost entry. */
static void test_late_fork_record(void)
{
	struct proctab *pt = new_table(0, 0);
	uint64_t base;

	pt_seed(pt, 100, 1, "shell", 1 * MS, false);
	base = totals(pt).processes_now;
	rec_exit(pt, 10 * MS + 20 * US, 200, 100, 10 * MS, 0, 0, "c", "shell");
	rec_reap(pt, 10 * MS + 30 * US, 100, 200, LL_HOW_WAIT4);
	rec_fork(pt, 10 * MS, 100, 200, "shell");
	ASSERT_EQ(totals(pt).forks, 1, "counted");
	ASSERT_EQ(cap.kinds[EV_FORK], 1, "reported");
	ASSERT_EQ(totals(pt).processes_now, base, "no ghost");
	ASSERT_EQ(find_ev(EV_REAP, 200, 0)->reap.zombie_us, 10, "joined normally");
	pt_free(pt);
}

/* After losses, what cannot be joined is counted incomplete, never given made-up numbers. */
static void test_lost_records(void)
{
	struct proctab *pt = new_table(0, 0);
	struct ll_zombie_view zv;
	const struct ll_event *ev;
	struct ll_proc_totals t;
	uint64_t base;

	pt_seed(pt, 100, 1, "shell", 1 * MS, false);
	base = totals(pt).processes_now;
	pt_lost(pt, 3);

	/* Exit lost: the reap waits, then closes the process with unknown zombie time. */
	rec_fork(pt, 10 * MS, 100, 200, "shell");
	rec_reap(pt, 50 * MS, 100, 200, LL_HOW_WAIT4);
	pt_tick(pt, 1049 * MS);
	ASSERT_EQ(cap.kinds[EV_REAP], 0, "still waiting");
	pt_tick(pt, 1050 * MS);
	ev = find_ev(EV_REAP, 200, 0);
	if (!ASSERT_TRUE(ev, "reported after the window"))
		goto out;
	ASSERT_EQ(ev->reap.zombie_us, LL_UNKNOWN, "unknown");
	ASSERT_STREQ(ev->comm, "shell", "comm from the table");
	t = totals(pt);
	ASSERT_EQ(t.incomplete, 1, "incomplete");
	ASSERT_EQ(t.processes_now, base, "released");
	zview(pt, 1050 * MS, 100, &zv);
	ASSERT_EQ(zv.reaped, 1, "reaped");
	ASSERT_EQ(zv.lifetime->count, 0, "no made-up lifetime");

out:
	pt_free(pt);
}

/* /proc at now says: none of the zombies asked about is a zombie any more (or those in keep). */
static size_t verify_gone(struct proctab *pt, uint64_t now, bool all, uint32_t keep)
{
	uint32_t pids[64];
	struct pt_seen seen[64];
	size_t n = pt_zombies_to_verify(pt, now, all, pids, 64), k;

	for (k = 0; k < n && k < 64; k++) {
		seen[k].pid = pids[k];
		seen[k].zombie = pids[k] == keep;
	}
	pt_verify(pt, now, all, seen, k);
	return n;
}

static void test_lost_reaps(void)
{
	struct proctab *pt = new_table(0, 0);
	struct ll_zombie_view zv;
	struct ll_proc_totals t;
	uint64_t base;

	pt_seed(pt, 100, 1, "shell", 1 * MS, false);
	base = totals(pt).processes_now;
	pt_lost(pt, 1);

	/* Reap lost: /proc says the zombie is gone. A recent exit is left to its reap. */
	rec_fork(pt, 1100 * MS, 100, 201, "shell");
	rec_exit(pt, 1200 * MS, 201, 100, 1100 * MS, 0, 0, "c", "shell");
	rec_fork(pt, 2500 * MS, 100, 202, "shell");
	rec_exit(pt, 2600 * MS, 202, 100, 2500 * MS, 0, 0, "c", "shell");
	ASSERT_EQ(verify_gone(pt, 3000 * MS, false, 0), 1, "only the old zombie is asked about");
	t = totals(pt);
	ASSERT_EQ(t.incomplete, 1, "the old zombie closed");
	ASSERT_EQ(t.zombies_now, 1, "the recent one kept");
	zview(pt, 3000 * MS, 100, &zv);
	ASSERT_EQ(zv.now, 1, "group now");
	ASSERT_EQ(zv.reaped, 0, "not a reap");
	/* Its reap record shows up after all: a duplicate of the closure. */
	rec_reap(pt, 2900 * MS, 100, 201, LL_HOW_WAIT4);
	pt_tick(pt, 5000 * MS);
	ASSERT_EQ(cap.kinds[EV_REAP], 0, "dropped");
	rec_reap(pt, 5000 * MS, 100, 202, LL_HOW_WAIT4);
	ASSERT_EQ(find_ev(EV_REAP, 202, 0)->reap.zombie_us, 2400000, "the kept one joins");

	/* Reap lost, then the pid is reused: the old zombie is closed once its reap is overdue. */
	rec_fork(pt, 6000 * MS, 100, 203, "shell");
	rec_exit(pt, 6001 * MS, 203, 100, 6000 * MS, 0, 0, "old", "shell");
	rec_fork(pt, 6002 * MS, 100, 203, "shell");
	rec_exec(pt, 6003 * MS, 203, 100, 6002 * MS, "new", "/bin/new", "", 0);
	ASSERT_EQ(totals(pt).zombies_now, 1, "old 203 held for its reap");
	pt_tick(pt, 7002 * MS);
	t = totals(pt);
	ASSERT_EQ(t.zombies_now, 0, "closed");
	ASSERT_EQ(t.incomplete, 2, "incomplete");
	ASSERT_STREQ(pt_comm(pt, 203), "new", "new 203 alive");

	/* Exit and reap lost, then the pid is reused: the old one is closed at once. */
	rec_fork(pt, 8000 * MS, 100, 204, "shell");
	rec_fork(pt, 8100 * MS, 100, 204, "shell");
	t = totals(pt);
	ASSERT_EQ(t.incomplete, 3, "incomplete");
	ASSERT_EQ(t.processes_now, base + 2, "the new 203 and 204");

	/* A reap of a pid never seen, after losses: incomplete. */
	rec_reap(pt, 9000 * MS, 100, 999, LL_HOW_WAIT4);
	pt_tick(pt, 10000 * MS);
	ASSERT_EQ(find_ev(EV_REAP, 999, 0)->reap.zombie_us, LL_UNKNOWN, "unknown");
	ASSERT_EQ(totals(pt).incomplete, 4, "incomplete");
	pt_free(pt);
}

/* Children seeded before their parent are still found when the parent dies. */
static void test_seed_order(void)
{
	struct proctab *pt = new_table(0, 0);
	uint32_t pids[4];

	pt_seed(pt, 201, 100, "a", 3 * MS, false);
	pt_seed(pt, 202, 100, "b", 0, false);
	pt_seed(pt, 100, 1, "parent", 2 * MS, false);
	ASSERT_EQ(totals(pt).processes_now, 4, "1 (unknown), 100, 201, 202");
	ASSERT_STREQ(pt_comm(pt, 100), "parent", "placeholder filled in");
	rec_exit(pt, 10 * MS, 100, 1, 2 * MS, 0, 0, "parent", "init");
	ASSERT_EQ(find_ev(EV_EXIT, 100, 0)->exit.orphaned, 2, "orphaned");
	ASSERT_EQ(pt_pending_adopters(pt, pids, 4), 2, "pending");
	ASSERT_EQ(pids[0], 201, "oldest first");
	ASSERT_EQ(pids[1], 202, "then");
	pids[1] = 0;
	ASSERT_EQ(pt_pending_adopters(pt, pids, 1), 2, "returns how many are pending");
	ASSERT_EQ(pids[1], 0, "but stores no more than max");
	ASSERT_EQ(pt_pending_adopters(pt, NULL, 0), 2, "count only");
	pt_free(pt);
}

/* Reaps that never meet an exit are bounded, and each is reported once. */
static void test_pending_bounded(void)
{
	struct proctab *pt = new_table(0, 0);
	uint32_t k;

	pt_seed(pt, 100, 1, "reaper", 1 * MS, false);
	for (k = 0; k < 1000; k++)
		rec_reap(pt, 10 * MS + k * US, 100, 5000 + k, LL_HOW_WAIT4);
	ASSERT_EQ(cap.kinds[EV_REAP], 1000 - 256, "the oldest give up early");
	pt_tick(pt, 2000 * MS);
	ASSERT_EQ(cap.kinds[EV_REAP], 1000, "all reported once");
	ASSERT_EQ(totals(pt).reaps, 1000, "counted");
	ASSERT_EQ(totals(pt).incomplete, 0, "no loss declared");
	pt_free(pt);
}

/* Defaults, NULLs and records of another domain (short ones never pass ll_decode). */
static void test_robustness(void)
{
	struct proctab *pt = pt_new(NULL);
	struct ll_exec r = {};
	struct ll_zombie_view zv[2];
	struct ll_orphan_view ov[2];
	struct ll_proc_totals t;

	if (!ASSERT_TRUE(pt, "defaults"))
		return;
	pt_free(NULL);
	set_hdr(&r.hdr, LL_REC_EXEC, sizeof(r), 10 * MS, 300);
	r.start_ns = 5 * MS;
	strcpy(r.comm, "cut");
	r.filename_len = 4;
	memcpy(r.filename, "/cut", 4);
	r.args_len = 100;
	pt_handle(pt, &r.hdr);		/* no emit callback: nothing to call */
	set_hdr(&r.hdr, LL_REC_ACCEPT, sizeof(r), 12 * MS, 302);
	pt_handle(pt, &r.hdr);		/* not ours */
	t = totals(pt);
	ASSERT_EQ(t.execs, 1, "one exec");
	ASSERT_STREQ(pt_comm(pt, 300), "cut", "comm");
	ASSERT_EQ(pt_ppid(pt, 0), 0, "pid 0");
	ASSERT_EQ(pt_zombie_views(pt, 20 * MS, zv, 2), 0, "no zombie groups");
	ASSERT_EQ(pt_orphan_views(pt, ov, 2), 0, "no orphan groups");
	pt_free(pt);
}

/* A vfork's parent waits from the fork to the child's first exec (or its exit, without one). */
static void test_vfork_wait(void)
{
	struct proctab *pt = new_table(0, 0);
	const struct ll_event *ev;
	struct ll_zombie_view z;
	struct ll_fork f = {};

	if (!ASSERT_TRUE(pt, "table"))
		return;
	set_hdr(&f.hdr, LL_REC_FORK, sizeof(f), 10 * MS, 100);
	f.pid = 200;
	f.ppid = 100;
	f.start_ns = 10 * MS;
	f.how = LL_FORK_VFORK;
	f.shares = LL_SHARES_VM;
	strncpy(f.comm, "shell", LL_COMM_LEN - 1);
	pt_handle(pt, &f.hdr);
	f.hdr.ts_ns = f.start_ns = 100 * MS;
	f.pid = 201;
	pt_handle(pt, &f.hdr);
	rec_fork(pt, 200 * MS, 100, 202, "shell");		/* a plain fork */
	rec_exec(pt, 60 * MS, 200, 100, 10 * MS, "ls", "/bin/ls", "ls", 3);
	rec_exec(pt, 70 * MS, 200, 100, 10 * MS, "sh", "/bin/sh", "sh", 3);
	rec_exit(pt, 130 * MS, 201, 100, 100 * MS, 0, 0, "shell", "shell");
	rec_exec(pt, 210 * MS, 202, 100, 200 * MS, "ls", "/bin/ls", "ls", 3);

	ev = find_ev(EV_FORK, 200, 0);
	ASSERT_TRUE(ev && ev->fork.how == LL_FORK_VFORK && ev->fork.shares == LL_SHARES_VM,
		    "fork event carries how and shares");
	ev = find_ev(EV_EXEC, 200, 0);
	ASSERT_TRUE(ev && ev->exec.vfork_child && ev->exec.vfork_wait_us == 50000,
		    "first exec: 50 ms suspension");
	ev = find_ev(EV_EXEC, 200, 1);
	ASSERT_TRUE(ev && !ev->exec.vfork_child, "second exec: none");
	ev = find_ev(EV_EXIT, 201, 0);
	ASSERT_TRUE(ev && ev->exit.vfork_child && ev->exit.vfork_wait_us == 30000,
		    "exit without exec: 30 ms");
	ev = find_ev(EV_EXEC, 202, 0);
	ASSERT_TRUE(ev && !ev->exec.vfork_child, "a fork's exec: none");
	if (ASSERT_TRUE(zview(pt, 300 * MS, 100, &z), "parent's group"))
		ASSERT_EQ(z.vforks, 2, "vforks counted per parent");
	pt_free(pt);
}

/*
 * Attached mid-load: children that exited between the attach and the /proc read are seeded as
 * zombies while their fork and exit records are still queued. Those records are about the seeded
 * process; each reap closes it and leaves no phantom.
 */
static void test_seeded_zombie_takes_queued_records(void)
{
	struct proctab *pt = new_table(0, 0);
	const struct ll_event *ev;
	struct ll_zombie_view zv;

	pt_seed(pt, 100, 1, "server", LL_UNKNOWN, false);
	pt_seed(pt, 201, 100, "server", LL_UNKNOWN, true);	/* fork and exit queued */
	pt_seed(pt, 202, 100, "server", LL_UNKNOWN, true);	/* exit queued */
	pt_seed(pt, 203, 100, "server", LL_UNKNOWN, true);	/* exited before the attach */
	rec_fork(pt, 1000 * MS, 100, 201, "server");
	rec_exit(pt, 1010 * MS, 201, 100, 1000 * MS, 0, LL_EXIT_SIGCHLD_HANDLER, "server",
		 "server");
	rec_exit(pt, 1020 * MS, 202, 100, 900 * MS, 0, LL_EXIT_SIGCHLD_HANDLER, "server",
		 "server");
	ASSERT_EQ(totals(pt).zombies_now, 3, "three zombies, not five");
	ASSERT_TRUE(zview(pt, 1030 * MS, 100, &zv), "group");
	ASSERT_EQ(zv.now, 3, "now");
	ASSERT_EQ(zv.oldest_now_us, LL_UNKNOWN, "203's age is not known");
	rec_reap(pt, 1040 * MS, 100, 201, LL_HOW_WAIT4);
	rec_reap(pt, 1050 * MS, 100, 202, LL_HOW_WAIT4);
	rec_reap(pt, 1060 * MS, 100, 203, LL_HOW_WAIT4);
	ASSERT_EQ(totals(pt).zombies_now, 0, "no phantom");
	ev = find_ev(EV_REAP, 201, 0);
	ASSERT_EQ(ev ? ev->reap.zombie_us : 0, 30000, "201: its exit record gives its time");
	ev = find_ev(EV_REAP, 202, 0);
	ASSERT_EQ(ev ? ev->reap.zombie_us : 0, 30000, "202 too");
	ev = find_ev(EV_REAP, 203, 0);
	ASSERT_EQ(ev ? ev->reap.zombie_us : 0, LL_UNKNOWN, "203: unknown, not invented");
	ASSERT_EQ(totals(pt).incomplete, 0, "nothing lost");
	zview(pt, 1060 * MS, 100, &zv);
	ASSERT_EQ(zv.reaped, 3, "three reaped");
	ASSERT_EQ(zv.lifetime->count, 2, "two known lifetimes");
	pt_free(pt);
}

/* Before each summary old zombies are checked, before the final one all of them. */
static void test_verify_with_proc(void)
{
	struct proctab *pt = new_table(0, 0);

	pt_seed(pt, 100, 1, "server", 1 * MS, false);
	rec_fork(pt, 1000 * MS, 100, 201, "server");
	rec_exit(pt, 1100 * MS, 201, 100, 1000 * MS, 0, 0, "c", "server");
	rec_fork(pt, 2000 * MS, 100, 202, "server");
	rec_exit(pt, 2050 * MS, 202, 100, 2000 * MS, 0, 0, "c", "server");
	rec_fork(pt, 2100 * MS, 100, 203, "server");
	rec_exit(pt, 2150 * MS, 203, 100, 2100 * MS, 0, 0, "c", "server");
	/* A periodic summary at 2.2 s: only 201 is out of the join window; /proc has it. */
	ASSERT_EQ(verify_gone(pt, 2200 * MS, false, 201), 1, "one old zombie asked about");
	ASSERT_EQ(totals(pt).zombies_now, 3, "kept: /proc has it");
	/* The final summary: every zombie; /proc has only 201. One that exited after the read is
	 * not judged by it. */
	rec_fork(pt, 2300 * MS, 100, 204, "server");
	rec_exit(pt, 2400 * MS, 204, 100, 2300 * MS, 0, 0, "c", "server");
	ASSERT_EQ(verify_gone(pt, 2350 * MS, true, 201), 3, "201, 202, 203 asked about");
	ASSERT_EQ(totals(pt).zombies_now, 2, "201 and 204");
	ASSERT_EQ(totals(pt).incomplete, 2, "202 and 203 closed as incomplete");
	ASSERT_EQ(totals(pt).unseen, 2, "with nothing lost: reaped unseen");
	/* Their late reaps are duplicates of the closure. */
	rec_reap(pt, 2360 * MS, 100, 202, LL_HOW_WAIT4);
	pt_tick(pt, 4000 * MS);
	ASSERT_TRUE(find_ev(EV_REAP, 202, 0) == NULL, "no second ending");
	pt_free(pt);
}

/* A parent exits with zombies: they pass to the adopter, whose group they count in. */
static void test_zombie_handed_to_adopter(void)
{
	struct proctab *pt = new_table(0, 0);
	struct ll_zombie_view zv;
	uint32_t pids[4];

	pt_seed(pt, 50, 1, "shell", 1 * MS, false);
	pt_seed(pt, 100, 50, "socat", 2 * MS, false);
	rec_fork(pt, 10 * MS, 100, 201, "socat");
	rec_fork(pt, 11 * MS, 100, 202, "socat");
	rec_exit(pt, 20 * MS, 201, 100, 10 * MS, 0, 0, "socat", "socat");
	rec_exit(pt, 21 * MS, 202, 100, 11 * MS, 0, 0, "socat", "socat");
	rec_exit(pt, 500 * MS, 100, 50, 2 * MS, 0, 0, "socat", "shell");
	ASSERT_EQ(pt_pending_adopters(pt, pids, 4), 2, "both wait for their adopter");
	pt_set_adopter(pt, 201, 1, "init");
	pt_set_adopter(pt, 202, 1, "init");
	ASSERT_EQ(pt_pending_adopters(pt, NULL, 0), 0, "known");
	ASSERT_TRUE(zview(pt, 600 * MS, 100, &zv), "the dead parent's group");
	ASSERT_EQ(zv.now, 0, "no longer its zombies");
	ASSERT_EQ(zv.cause, CAUSE_NEVER_WAITS, "it never waited");
	ASSERT_TRUE(zview(pt, 600 * MS, 1, &zv), "the adopter's group");
	ASSERT_EQ(zv.now, 2, "its zombies now");
	ASSERT_EQ(zv.cause, CAUSE_INIT_BATCH, "host init, which may reap in a batch soon");
	ASSERT_TRUE(zview(pt, 3600 * MS, 1, &zv), "3 s later, init has reaped nothing");
	ASSERT_EQ(zv.cause, CAUSE_INIT_NEVER_WAITS, "init never waits");
	rec_reap(pt, 3700 * MS, 1, 201, LL_HOW_WAIT4);
	ASSERT_TRUE(zview(pt, 3700 * MS, 1, &zv), "the adopter's group");
	ASSERT_EQ(zv.reaped, 1, "it reaped one");
	ASSERT_EQ(zv.now, 1, "one left");
	ASSERT_EQ(zv.cause, CAUSE_INIT_BATCH, "it waits after all");
	ASSERT_EQ(totals(pt).zombies_now, 2, "202 and socat itself");

	/* A subreaper adopter: parent-died. The reap names the adopter before /proc does. */
	pt_seed(pt, 60, 1, "supervisor", 1 * MS, false);
	pt_seed(pt, 110, 60, "worker", 2 * MS, false);
	rec_fork(pt, 4000 * MS, 110, 301, "worker");
	rec_exit(pt, 4010 * MS, 301, 110, 4000 * MS, 0, 0, "worker", "worker");
	rec_exit(pt, 4100 * MS, 110, 60, 2 * MS, 0, 0, "worker", "supervisor");
	pt_set_adopter(pt, 301, 60, "supervisor");
	ASSERT_TRUE(zview(pt, 4500 * MS, 60, &zv), "the subreaper's group");
	ASSERT_EQ(zv.now, 2, "the worker and its handed child");
	ASSERT_EQ(zv.cause, CAUSE_NEVER_WAITS, "its own child (the worker) is not reaped");
	rec_reap(pt, 4600 * MS, 60, 110, LL_HOW_WAIT4);
	ASSERT_TRUE(zview(pt, 4700 * MS, 60, &zv), "the subreaper's group");
	ASSERT_EQ(zv.cause, CAUSE_PARENT_DIED, "the handed child waits: its parent died");
	ASSERT_TRUE(fmt_cause_advice(zv.cause) != NULL, "with advice");
	pt_free(pt);
}

int main(void)
{
	RUN_TEST(test_cause_names);
	RUN_TEST(test_fork_exec_exit_reap);
	RUN_TEST(test_autoreap);
	RUN_TEST(test_zombie_reaped_by_init);
	RUN_TEST(test_orphan_set_adopter);
	RUN_TEST(test_orphan_adopter_from_exit);
	RUN_TEST(test_orphan_adopter_from_exec);
	RUN_TEST(test_orphan_exit_before_parent_record);
	RUN_TEST(test_orphan_cancelled);
	RUN_TEST(test_orphan_twice);
	RUN_TEST(test_pid_reuse);
	RUN_TEST(test_preexisting);
	RUN_TEST(test_threads_ignored);
	RUN_TEST(test_reap_before_exit);
	RUN_TEST(test_coalesced);
	RUN_TEST(test_cause_never_waits);
	RUN_TEST(test_cause_sigchld_blocked);
	RUN_TEST(test_cause_sigchld_ignored);
	RUN_TEST(test_cause_slow_reaper_and_none);
	RUN_TEST(test_view_order);
	RUN_TEST(test_bounded_memory);
	RUN_TEST(test_table_full);
	RUN_TEST(test_groups_bounded);
	RUN_TEST(test_free_fallback);
	RUN_TEST(test_late_fork_record);
	RUN_TEST(test_lost_records);
	RUN_TEST(test_lost_reaps);
	RUN_TEST(test_seed_order);
	RUN_TEST(test_pending_bounded);
	RUN_TEST(test_robustness);
	RUN_TEST(test_vfork_wait);
	RUN_TEST(test_seeded_zombie_takes_queued_records);
	RUN_TEST(test_verify_with_proc);
	RUN_TEST(test_zombie_handed_to_adopter);
	return TEST_MAIN_END();
}
