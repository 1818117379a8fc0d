// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The process table's causes, bounds, losses and reaps that race their records, fed synthetic
 * record sequences (the fixture: proctab_fixture.h).
 */
#include "proctab_fixture.h"

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
