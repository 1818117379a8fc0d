// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The chart's history: lifetimes from joined events (in and out of order), pid reuse, orphans
 * and their adopters, tree order, stalls, and the bounds: a 10,000-process run in a 64-entry
 * table keeps what is interesting and counts the rest exactly.
 */
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "history.h"

#define MS 1000000ULL
#define T0 (1000 * MS)

static struct ll_event ev(enum ll_ev_kind kind, uint64_t ts, uint32_t pid, uint32_t ppid,
			  const char *comm)
{
	struct ll_event e = { .kind = kind, .ts_ns = ts, .pid = pid, .ppid = ppid };

	strncpy(e.comm, comm, sizeof(e.comm) - 1);
	return e;
}

static void fork_(struct history *h, uint64_t ts, uint32_t pid, uint32_t ppid, const char *c)
{
	struct ll_event e = ev(EV_FORK, ts, pid, ppid, c);

	history_event(h, &e);
}

static void exec_(struct history *h, uint64_t ts, uint32_t pid, const char *c)
{
	struct ll_event e = ev(EV_EXEC, ts, pid, 0, c);

	history_event(h, &e);
}

static void exit_(struct history *h, uint64_t ts, uint32_t pid, uint32_t ppid, uint32_t status)
{
	struct ll_event e = ev(EV_EXIT, ts, pid, ppid, "");

	e.exit.status = status;
	e.exit.zombie = true;
	history_event(h, &e);
}

static void reap_(struct history *h, uint64_t ts, uint32_t pid, uint32_t reaper)
{
	struct ll_event e = ev(EV_REAP, ts, pid, reaper, "");

	e.reap.reaper_pid = reaper;
	e.reap.how = HOW_WAIT4;
	history_event(h, &e);
}

static struct history *new_history(uint32_t max_procs)
{
	return history_new(&(struct history_cfg){ .start_ns = T0, .max_procs = max_procs });
}

static const struct history_row *row_of(const struct history_row *r, size_t n, uint32_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i].proc && !r[i].loop && r[i].proc->pid == pid)
			return &r[i];
	return NULL;
}

static void test_lifetime_and_names(void)
{
	struct history *h = new_history(0);
	struct history_row rows[8];
	struct history_folded fo;
	const struct history_row *r;
	size_t n;

	fork_(h, T0 + 1 * MS, 200, 100, "sh");
	exec_(h, T0 + 2 * MS, 200, "ls");
	exit_(h, T0 + 5 * MS, 200, 100, 0);
	reap_(h, T0 + 305 * MS, 200, 100);
	history_end(h, T0 + 400 * MS);
	n = history_rows(h, 300, rows, 8, &fo);
	if (!ASSERT_EQ(n, 2, "the parent (first sight) and the child"))
		goto out;
	ASSERT_EQ(rows[0].proc->pid, 100, "the parent comes first");
	ASSERT_EQ(rows[0].proc->start_ns, LL_UNKNOWN, "its fork predates the run");
	ASSERT_STREQ(rows[0].proc->comm, "sh", "a child's name at fork is its parent's");
	r = row_of(rows, n, 200);
	if (!ASSERT_TRUE(r != NULL, "child drawn"))
		goto out;
	ASSERT_EQ(r->depth, 1, "under its parent");
	ASSERT_EQ(r->parent_row, 0, "parent row");
	ASSERT_EQ(r->proc->start_ns, T0 + 1 * MS, "fork time");
	ASSERT_EQ(r->proc->exit_ns, T0 + 5 * MS, "exit time");
	ASSERT_EQ(r->proc->reap_ns, T0 + 305 * MS, "reap time");
	ASSERT_STREQ(r->proc->comm, "ls", "exec'd name");
	ASSERT_STREQ(r->proc->old_comm, "sh", "old name kept");
	ASSERT_TRUE(history_lingered(h, r->proc), "300 ms as a zombie lingers");
	ASSERT_FALSE(history_failed(r->proc), "exit 0 is no failure");
	ASSERT_EQ(fo.procs, 0, "nothing folded");
	ASSERT_EQ(history_end_ns(h), T0 + 400 * MS, "end");
out:
	history_free(h);
}

/* Records from two CPUs: the child's exec and exit arrive before its fork. */
static void test_exec_before_fork(void)
{
	struct history *h = new_history(0);
	struct history_row rows[8];
	struct history_folded fo;
	const struct history_row *r;
	size_t n;

	exec_(h, T0 + 2 * MS, 200, "ls");
	exit_(h, T0 + 3 * MS, 200, 100, 1 << 8);
	fork_(h, T0 + 1 * MS, 200, 100, "sh");
	n = history_rows(h, 300, rows, 8, &fo);
	ASSERT_EQ(n, 2, "one entry for the child, one for the parent");
	r = row_of(rows, n, 200);
	if (!ASSERT_TRUE(r != NULL, "child drawn"))
		goto out;
	ASSERT_EQ(r->proc->start_ns, T0 + 1 * MS, "fork time from the late record");
	ASSERT_STREQ(r->proc->comm, "ls", "the exec'd name stays");
	ASSERT_STREQ(r->proc->old_comm, "sh", "the name at fork is the old one");
	ASSERT_TRUE(history_failed(r->proc), "exit 1 is a failure");
	ASSERT_EQ(r->depth, 1, "linked under its parent all the same");
out:
	history_free(h);
}

/* A child whose fork was not seen hangs under its parent all the same, even one seen later. */
static void test_parent_of_unseen_fork(void)
{
	struct history *h = new_history(0);
	struct history_row rows[8];
	struct history_folded fo;
	const struct history_row *r;
	size_t n;

	exit_(h, T0 + 1 * MS, 300, 200, 0);
	fork_(h, T0 + 2 * MS, 400, 200, "make");
	n = history_rows(h, 300, rows, 8, &fo);
	ASSERT_EQ(n, 3, "parent, the child seen at exit, the forked child");
	ASSERT_EQ(rows[0].proc->pid, 200, "the parent is the root");
	r = row_of(rows, n, 300);
	ASSERT_TRUE(r && r->depth == 1 && r->parent_row == 0, "the unseen fork's child under it");
	r = row_of(rows, n, 400);
	ASSERT_TRUE(r && r->depth == 1 && r->parent_row == 0, "the forked child under it");
	history_free(h);
}

static void test_pid_reuse(void)
{
	struct history *h = new_history(0);
	struct history_row rows[8];
	struct history_folded fo;
	size_t n;

	fork_(h, T0 + 1 * MS, 200, 100, "a");
	exit_(h, T0 + 2 * MS, 200, 100, 0);
	reap_(h, T0 + 3 * MS, 200, 100);
	fork_(h, T0 + 4 * MS, 200, 100, "b");
	exit_(h, T0 + 5 * MS, 200, 100, 9);
	n = history_rows(h, 300, rows, 8, &fo);
	if (!ASSERT_EQ(n, 3, "two lives of pid 200 and their parent"))
		goto out;
	ASSERT_EQ(rows[1].proc->start_ns, T0 + 1 * MS, "first life");
	ASSERT_EQ(rows[2].proc->start_ns, T0 + 4 * MS, "second life");
	ASSERT_EQ(rows[2].proc->reap_ns, LL_UNKNOWN, "second life not reaped");
	ASSERT_TRUE(history_lingered(h, rows[2].proc), "still a zombie at the end");
	ASSERT_TRUE(history_failed(rows[2].proc), "killed by signal 9");
out:
	history_free(h);
}

static void test_orphan_and_adopter(void)
{
	struct history *h = new_history(0);
	struct history_row rows[8];
	struct history_folded fo;
	const struct history_row *r, *a;
	struct ll_event e;
	size_t n;

	fork_(h, T0 + 1 * MS, 200, 100, "p");
	fork_(h, T0 + 2 * MS, 300, 200, "p");
	exit_(h, T0 + 10 * MS, 200, 100, 0);
	e = ev(EV_ORPHAN, T0 + 10 * MS, 300, 1, "p");
	e.orphan.old_ppid = 200;
	e.orphan.adopter_pid = 1;
	history_event(h, &e);
	history_name(h, 1, "init");
	history_name(h, 1, "other");
	n = history_rows(h, 300, rows, 8, &fo);
	r = row_of(rows, n, 300);
	a = row_of(rows, n, 1);
	if (!ASSERT_TRUE(r && a, "orphan and adopter drawn"))
		goto out;
	ASSERT_TRUE(r->proc->flags & HP_ORPHAN, "flagged");
	ASSERT_EQ(r->proc->orphan_ns, T0 + 10 * MS, "orphaned when its parent died");
	ASSERT_EQ(r->proc->adopter, 1, "adopter pid");
	ASSERT_EQ(r->adopter_row, (int)(a - rows), "line to the adopter's row");
	ASSERT_EQ(r->depth, 2, "still drawn under its original parent");
	ASSERT_STREQ(a->proc->comm, "init", "the first name given sticks");
out:
	history_free(h);
}

static void test_stalls_keep_longest(void)
{
	struct history *h = history_new(&(struct history_cfg){ .start_ns = T0, .max_stalls = 4 });
	struct history_row rows[8];
	struct history_folded fo;
	uint64_t sum = 0;
	size_t n, i;

	for (i = 1; i <= 10; i++)
		history_stall(h, 500, 501, "srv", T0 + i * 1000 * MS, i * MS,
			      i == 10 ? "nanosleep" : NULL);
	n = history_rows(h, 300, rows, 8, &fo);
	if (!ASSERT_EQ(n, 2, "the process row and its loop row"))
		goto out;
	ASSERT_TRUE(rows[1].loop != NULL, "second row is the loop");
	ASSERT_EQ(rows[1].depth, 1, "under its process");
	ASSERT_EQ(rows[1].loop->stalls, 10, "all counted");
	ASSERT_EQ(rows[1].loop->nkept, 4, "bounded");
	ASSERT_EQ(rows[1].loop->max_ns, 10 * MS, "max");
	for (i = 0; i < rows[1].loop->nkept; i++)
		sum += rows[1].loop->stall[i].dur_ns;
	ASSERT_EQ(sum, (7 + 8 + 9 + 10) * MS, "the four longest kept");
	ASSERT_TRUE(rows[0].proc->flags & HP_STALLS, "its process is marked");
out:
	history_free(h);
}

/*
 * 10,000 dull children in a 64-entry table, plus one that failed, one that lay a zombie for a
 * second and one that lived long: the table never grows, the three stay, and every process is
 * either drawn or counted in the folded row.
 */
static void test_bounded_keeps_interesting(void)
{
	struct history *h = new_history(64);
	struct history_row rows[400];
	struct history_folded fo;
	uint64_t t = T0;
	uint32_t pid;
	size_t n;

	fork_(h, t, 2, 0, "storm");	/* its parent unknown: no entry */
	for (pid = 1000; pid < 11000; pid++) {
		uint64_t life = pid == 5000 ? 900 * MS : 100000;

		t += 200000;
		fork_(h, t, pid, 2, "storm");
		exit_(h, t + life, pid, 2, pid == 3000 ? 3 << 8 : 0);
		reap_(h, t + life + (pid == 7000 ? 1000 * MS : 20000), pid, 2);
	}
	history_end(h, t + 2000 * MS);
	n = history_rows(h, 300, rows, 400, &fo);
	ASSERT_LE(n, 64, "no more rows than the table holds");
	ASSERT_EQ(n + fo.procs, 10001, "every process drawn or folded");
	ASSERT_TRUE(row_of(rows, n, 2) != NULL, "the parent stays");
	ASSERT_TRUE(row_of(rows, n, 3000) != NULL, "the failure stays");
	ASSERT_TRUE(row_of(rows, n, 7000) != NULL, "the lingering zombie stays");
	ASSERT_TRUE(row_of(rows, n, 5000) != NULL, "the long life stays");
	ASSERT_EQ(fo.failed, 0, "the only failure was not folded");
	ASSERT_EQ(fo.zombies, 0, "nor the only lingering zombie");
	ASSERT_GE(fo.max_life_ns, 120000, "folded ones lived 120 us fork to reap");
	ASSERT_LE(fo.max_life_ns, 120000, "and no longer");
	/* The sample of dull ones spans the run, not only its start or its end. */
	ASSERT_TRUE(rows[1].proc->pid < 4000 && rows[n - 1].proc->pid > 8000, "spread out");
	history_free(h);
}

static void test_row_limit_folds_least_interesting(void)
{
	struct history *h = new_history(0);
	struct history_row rows[64];
	struct history_folded fo;
	uint32_t pid;
	size_t n;

	fork_(h, T0, 2, 0, "p");
	for (pid = 10; pid < 60; pid++) {
		fork_(h, T0 + pid * MS, pid, 2, "c");
		exit_(h, T0 + pid * MS + 1000, pid, 2, pid == 33 ? 1 << 8 : 0);
		reap_(h, T0 + pid * MS + 2000, pid, 2);
	}
	n = history_rows(h, 10, rows, 64, &fo);
	ASSERT_EQ(n, 10, "ten rows");
	ASSERT_EQ(fo.procs, 41, "the other 41 folded");
	ASSERT_TRUE(row_of(rows, n, 33) != NULL, "the failure is drawn");
	ASSERT_TRUE(row_of(rows, n, 2) != NULL, "so is the parent");
	ASSERT_EQ(rows[0].proc->pid, 2, "parent first, children under it");
	history_free(h);
}

/*
 * Random events over a few pids, in any order, into a tiny table (run under SANITIZE=1 too):
 * nothing crashes, rows stay within their bounds, every row's parent is drawn above it and
 * every adopter row index is a process row.
 */
static void test_random_events_hold_invariants(void)
{
	static const enum ll_ev_kind kinds[] = { EV_FORK, EV_EXEC, EV_EXIT, EV_REAP, EV_ORPHAN,
						 EV_STALL };
	struct history *h = history_new(&(struct history_cfg){ .start_ns = T0, .max_procs = 16,
							       .max_loops = 4, .max_stalls = 3 });
	struct history_row rows[64];
	struct history_folded fo;
	uint64_t seed = 42, t = T0;
	size_t n, i, round;

	for (round = 0; round < 20000; round++) {
		struct ll_event e;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		t += (seed >> 40) % (5 * MS);
		e = ev(kinds[(seed >> 33) % 6], t - (seed >> 20) % MS, 1 + (seed >> 24) % 40,
		       (seed >> 50) % 41, (seed >> 14) & 1 ? "a" : "b");
		e.exit.zombie = (seed >> 11) & 1;
		if (e.kind == EV_ORPHAN)
			e.orphan.adopter_pid = (seed >> 7) % 3;
		if (e.kind == EV_REAP)
			e.reap.reaper_pid = e.ppid;
		if (e.kind == EV_STALL) {
			e.tid = e.pid + (seed & 1);
			e.stall.start_ns = t - MS;
			e.stall.busy_us = 1000;
		}
		history_event(h, &e);
		if (round % 997)
			continue;
		n = history_rows(h, 10, rows, 64, &fo);
		for (i = 0; i < n; i++) {
			if (!ASSERT_TRUE(rows[i].parent_row < (int)i, "parent above"))
				goto out;
			if (!ASSERT_TRUE(rows[i].adopter_row < (int)n, "adopter row in range"))
				goto out;
			if (rows[i].adopter_row >= 0 &&
			    !ASSERT_TRUE(!rows[rows[i].adopter_row].loop, "adopter is a process"))
				goto out;
		}
	}
	history_end(h, t);
	n = history_rows(h, 300, rows, 64, &fo);
	ASSERT_LE(n, 16 + 4, "at most the table and the loops");
	ASSERT_GT(fo.procs, 0, "folding happened");
out:
	history_free(h);
}

int main(void)
{
	RUN_TEST(test_lifetime_and_names);
	RUN_TEST(test_exec_before_fork);
	RUN_TEST(test_parent_of_unseen_fork);
	RUN_TEST(test_pid_reuse);
	RUN_TEST(test_orphan_and_adopter);
	RUN_TEST(test_stalls_keep_longest);
	RUN_TEST(test_bounded_keeps_interesting);
	RUN_TEST(test_row_limit_folds_least_interesting);
	RUN_TEST(test_random_events_hold_invariants);
	return TEST_MAIN_END();
}
