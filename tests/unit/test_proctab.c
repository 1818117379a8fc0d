// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The process table, fed synthetic record sequences: every number checked is the exact value the
 * sequence implies. Times are CLOCK_MONOTONIC ns as the kernel would stamp them.
 */
#include "proctab_fixture.h"

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
	return TEST_MAIN_END();
}
