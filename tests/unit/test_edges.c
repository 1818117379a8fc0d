// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The edges of the state machines' windows, caps and orders: each test pins a boundary that a
 * mutant of tests/mutate.py showed no other unit test held (named in the comment).
 */
#include <errno.h>
#include <stdlib.h>
#include "fdinfo.h"
#include "listeners.h"
#include "loops.h"
#include "procfs.h"
#include "prom.h"
#include "proctab.h"
#include "records.h"
#include "test.h"

#define MS	1000000ull
#define SEC	1000000000ull

struct sink {
	unsigned long kinds[EV_KIND_MAX];
	struct ll_event last[EV_KIND_MAX];
};

static void sink_emit(void *ctx, const struct ll_event *ev)
{
	struct sink *s = ctx;

	s->kinds[ev->kind]++;
	s->last[ev->kind] = *ev;
}

/* ---- proctab -------------------------------------------------------------------------------- */

static struct proctab *new_pt(struct sink *s)
{
	struct pt_config cfg = { .emit = sink_emit, .ctx = s };

	memset(s, 0, sizeof(*s));
	return pt_new(&cfg);
}

/* A record built by records.h, fed to the table. */
#define PT_FEED(pt, rec) do {							\
	__typeof__(rec) ___r = (rec);						\
	pt_handle(pt, &___r.hdr);						\
} while (0)

/* /proc is asked about the zombies the table wants checked at now, and holds none of them. */
static void verify_none_left(struct proctab *pt, uint64_t now)
{
	uint32_t pids[64];
	struct pt_seen seen[64];
	size_t n = pt_zombies_to_verify(pt, now, false, pids, 64), k;

	for (k = 0; k < n && k < 64; k++)
		seen[k] = (struct pt_seen){ .pid = pids[k], .zombie = false };
	pt_verify(pt, now, false, seen, k);
}

static struct ll_proc_totals pt_tot(const struct proctab *pt)
{
	struct ll_proc_totals t;

	pt_totals(pt, &t);
	return t;
}

/* After losses: shell 100 (seeded) has a zombie child 201 that exited at 1200 ms. */
static struct proctab *lossy_with_zombie(struct sink *s)
{
	struct proctab *pt = new_pt(s);

	if (!pt)
		return NULL;
	pt_seed(pt, 100, 1, "shell", 1 * MS, false);
	pt_lost(pt, 1);
	PT_FEED(pt, mkrec_fork(1100 * MS, 100, 201, "shell"));
	PT_FEED(pt, mkrec_exit(1200 * MS, 201, 100, 1100 * MS, 0, 0, "c", "shell"));
	return pt;
}

/* pt-verify-join-window: after losses, a zombie exactly one join window old is checked. */
static void test_lossy_join_window_edge(void)
{
	struct sink s;
	struct proctab *pt = lossy_with_zombie(&s);

	if (!ASSERT_TRUE(pt, "pt_new"))
		return;
	verify_none_left(pt, 2199 * MS);
	ASSERT_U64_EQ(pt_tot(pt).zombies_now, 1, "1 ns inside the window: its reap may be in flight");
	verify_none_left(pt, 2200 * MS);
	ASSERT_U64_EQ(pt_tot(pt).zombies_now, 0, "a whole window old: /proc decides");
	ASSERT_U64_EQ(pt_tot(pt).incomplete, 1, "closed as incomplete");
	pt_free(pt);
}

/* pt-recent-window: a reap made before /proc was read but delivered after it closed its zombie
 * is a duplicate of that closure, not a reap of some unknown process. */
static void test_reap_after_closure(void)
{
	struct sink s;
	struct proctab *pt = lossy_with_zombie(&s);

	if (!ASSERT_TRUE(pt, "pt_new"))
		return;
	verify_none_left(pt, 3000 * MS);
	PT_FEED(pt, mkrec_reap(2990 * MS, 100, 201, LL_HOW_WAIT4));
	pt_tick(pt, 6000 * MS);
	ASSERT_U64_EQ(s.kinds[EV_REAP], 0, "no reap event for the closed zombie");
	ASSERT_U64_EQ(pt_tot(pt).reaps, 0, "not counted as a reap");
	pt_free(pt);
}

/* pt-span-disorder: the child's exit (under init) arrives first, and its parent's exit record is
 * stamped 1 us later still (two CPUs' clocks): the orphan lived 0 us, not a wrapped difference. */
static void test_orphan_lifetime_never_negative(void)
{
	struct ll_orphan_view v[4];
	struct sink s;
	struct proctab *pt = new_pt(&s);
	size_t n, i;

	if (!ASSERT_TRUE(pt, "pt_new"))
		return;
	pt_seed(pt, 1, 0, "init", 1 * MS, false);
	pt_seed(pt, 100, 1, "worker", 2 * MS, false);
	PT_FEED(pt, mkrec_fork(10 * MS, 100, 200, "worker"));
	PT_FEED(pt, mkrec_exit(100 * MS, 200, 1, 10 * MS, 0, 0, "worker", "init"));
	PT_FEED(pt, mkrec_exit(100 * MS + 1000, 100, 1, 2 * MS, 0, 0, "worker", "init"));
	n = pt_orphan_views(pt, v, 4);
	for (i = 0; i < n && v[i].adopter_pid != 1; i++)
		;
	if (ASSERT_LT(i, n, "init's orphans") && ASSERT_U64_EQ(v[i].exited, 1, "exited"))
		ASSERT_U64_EQ(v[i].lifetime->max, 0, "lifetime 0");
	pt_free(pt);
}

/* ---- listeners ------------------------------------------------------------------------------ */

static struct listeners *new_ls(void)
{
	struct ls_config cfg = {};

	return ls_new(&cfg);
}

static struct ll_listener_view one_view(const struct listeners *ls)
{
	struct ll_listener_view v[4] = {};

	ASSERT_U64_EQ(ls_views(ls, v, 4), 1, "one listener");
	return v[0];
}

static void ls_accept(struct listeners *ls, uint64_t ts, uint32_t pid, uint32_t tid, int fd)
{
	struct ll_accept a = mkrec_accept(ts, pid, tid, 80, fd, 0);

	ls_handle_accept(ls, &a);
}

/* ls-fork-window: a fork exactly LS_FORK_WINDOW_NS after the accept still takes it. */
static void test_fork_window_edge(void)
{
	struct listeners *ls = new_ls();
	struct ll_fork f;

	if (!ASSERT_TRUE(ls, "ls_new"))
		return;
	ls_accept(ls, 1 * SEC, 10, 10, 5);
	f = mkrec_fork(1 * SEC + LS_FORK_WINDOW_NS, 10, 11, "srv");
	ls_handle_fork(ls, &f);
	ASSERT_U64_EQ(one_view(ls).handled_by_fork, 1, "at the edge: taken");
	ls_accept(ls, 5 * SEC, 10, 10, 6);
	f = mkrec_fork(5 * SEC + LS_FORK_WINDOW_NS + 1, 10, 12, "srv");
	ls_handle_fork(ls, &f);
	ASSERT_U64_EQ(one_view(ls).handled_by_fork, 1, "1 ns past it: not taken");
	ls_free(ls);
}

/* ls-rate-dead: a listener whose process exited during the interval has rate 0, not the
 * interval's accepts; a live one next to it has its rate. */
static void test_dead_listener_rate(void)
{
	struct ll_event ev = { .kind = EV_EXIT, .ts_ns = 1500 * MS, .pid = 10 };
	struct ll_listener_view v[4];
	struct listeners *ls = new_ls();
	size_t n;
	int i;

	if (!ASSERT_TRUE(ls, "ls_new"))
		return;
	for (i = 0; i < 10; i++) {
		ls_accept(ls, 1 * SEC + i * MS, 10, 10, 5);
		ls_accept(ls, 1 * SEC + i * MS, 20, 20, 5);
	}
	ev.exit.age_us = LL_UNKNOWN;
	ls_on_event(ls, &ev);
	ls_tick(ls, 2 * SEC);
	n = ls_views(ls, v, 4);
	if (!ASSERT_U64_EQ(n, 2, "two listeners"))
		goto out;
	for (i = 0; i < 2; i++) {
		ASSERT_U64_EQ(v[i].accepts, 10, "accepts stay");
		ASSERT_NEAR(v[i].rate, v[i].pid == 10 ? 0.0 : 10.0, 0.01, "rate: 0 when dead");
	}
out:
	ls_free(ls);
}

/* ls-autoreap-zombie: an auto-reaped child was never a zombie: no zombie lifetime. */
static void test_autoreaped_child_no_zombie_time(void)
{
	struct ll_event ev = { .kind = EV_REAP, .ts_ns = 2 * SEC, .pid = 11 };
	struct listeners *ls = new_ls();
	struct ll_fork f = mkrec_fork(1 * SEC + MS, 10, 11, "srv");

	if (!ASSERT_TRUE(ls, "ls_new"))
		return;
	ls_accept(ls, 1 * SEC, 10, 10, 5);
	ls_handle_fork(ls, &f);
	ev.reap.how = HOW_AUTOREAP;
	ev.reap.zombie_us = 0;
	ls_on_event(ls, &ev);
	ASSERT_U64_EQ(one_view(ls).child_zombie->count, 0, "no zombie lifetime");
	ls_free(ls);
}

/* ls-pending-full: a thread that accepts without forking keeps only its latest accepts. */
static void test_pending_per_thread_cap(void)
{
	struct listeners *ls = new_ls();
	struct ls_counters c;
	int i;

	if (!ASSERT_TRUE(ls, "ls_new"))
		return;
	for (i = 0; i < LS_PENDING_PER_THREAD + 3; i++)
		ls_accept(ls, 1 * SEC + i, 10, 10, 5);
	ls_counters(ls, &c);
	ASSERT_U64_EQ(c.pending, LS_PENDING_PER_THREAD, "at most the cap pending");
	ASSERT_U64_EQ(c.pending_dropped, 3, "the oldest dropped, counted");
	ls_free(ls);
}

/* ---- loops ---------------------------------------------------------------------------------- */

static struct loops *new_lp(struct sink *s, size_t max)
{
	struct lp_config cfg = { .emit = s ? sink_emit : NULL, .ctx = s, .max_loops = max };

	if (s)
		memset(s, 0, sizeof(*s));
	return lp_new(&cfg);
}

static struct ll_loop_stats stats(uint32_t tgid, uint32_t tid, uint64_t wakeups)
{
	struct ll_loop_stats st = { .tgid = tgid, .tid = tid, .first_ns = SEC, .wakeups = wakeups };

	snprintf(st.comm, sizeof(st.comm), "loop%u", tid);
	return st;
}

/* lp-alloc-busier: a full table keeps its loop against a newcomer that is no busier. */
static void test_full_table_keeps_equal(void)
{
	struct ll_loop_stats a = stats(1, 2, 10), b = stats(3, 4, 10);
	struct ll_loop_view v[2];
	struct lp_counters c;
	struct loops *lp = new_lp(NULL, 1);

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	lp_update(lp, &a, 1, 2 * SEC);
	lp_update(lp, (struct ll_loop_stats[]){ a, b }, 2, 3 * SEC);
	lp_counters(lp, &c);
	ASSERT_U64_EQ(c.dropped, 1, "the equally busy newcomer is dropped");
	ASSERT_U64_EQ(c.evicted, 0, "nothing evicted");
	if (ASSERT_U64_EQ(lp_views(lp, 3 * SEC, v, 2), 1, "one view"))
		ASSERT_U64_EQ(v[0].tid, 2, "the first loop stays");
	lp_free(lp);
}

/* lp-alive-grace: a loop made from a record no later than the last read is gone once the
 * next read does not have it. */
static void test_record_loop_missing_from_map(void)
{
	struct ll_loop_new n = mkrec_loop_new(2 * SEC, 1, 2, 3);
	struct lp_counters c;
	struct loops *lp = new_lp(NULL, 0);

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	lp_update(lp, NULL, 0, 2 * SEC);
	lp_handle(lp, &n.hdr);
	lp_update(lp, NULL, 0, 3 * SEC);
	lp_counters(lp, &c);
	ASSERT_U64_EQ(c.loops, 1, "kept for the summary");
	ASSERT_U64_EQ(c.alive, 0, "not alive: the map had it by then and no longer does");
	lp_free(lp);
}

/* lp-wakeup-tgid: a wakeup from another process that reuses a loop's tid is not that loop's. */
static void test_wakeup_of_reused_tid(void)
{
	struct ll_loop_new n = mkrec_loop_new(1 * SEC, 50, 51, 3);
	struct ll_wakeup w = mkrec_wakeup(2 * SEC, 60, 51, 1, 9, 10, 10);
	struct sink s;
	struct loops *lp = new_lp(&s, 0);

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	lp_handle(lp, &n.hdr);
	lp_handle(lp, &w.hdr);
	if (ASSERT_U64_EQ(s.kinds[EV_WAKEUP], 1, "the event"))
		ASSERT_STREQ(s.last[EV_WAKEUP].comm, "", "not named after the other loop");
	lp_free(lp);
}

/* lp-max-stall: the longest stall seen in records, not the last one. */
static void test_max_stall_is_max(void)
{
	struct ll_stall a = mkrec_stall(1, 2, 1 * SEC, 100 * MS, true);
	struct ll_stall b = mkrec_stall(1, 2, 2 * SEC, 50 * MS, true);
	struct ll_loop_view v[1];
	struct loops *lp = new_lp(NULL, 0);

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	lp_handle(lp, &a.hdr);
	lp_handle(lp, &b.hdr);
	if (ASSERT_U64_EQ(lp_views(lp, 3 * SEC, v, 1), 1, "one view"))
		ASSERT_U64_EQ(v[0].max_stall_us, 100000, "max of 100 and 50 ms");
	lp_free(lp);
}

/* ---- prom ----------------------------------------------------------------------------------- */

/* prom-utf8-overlong: an overlong UTF-8 form is not UTF-8 (RFC 3629): each byte reads '?'. */
static void test_label_overlong_utf8(void)
{
	struct ll_listener_view l = { .pid = 1, .comm = "a\xe0\x80\xafz", .port = 1, .accepts = 1 };
	struct ll_snapshot s = { .listeners = &l, .nlisteners = 1 };
	char *t = prom_render(&s, NULL, NULL);

	if (!ASSERT_TRUE(t, "render"))
		return;
	ASSERT_TRUE(strstr(t, "\nlifeline_accepts_total{comm=\"a???z\",port=\"1\"} 1\n"),
		    "overlong '/' as three '?'");
	free(t);
}

/* The series cap, at its edge: PROM_MAX_SERIES label sets are all real; one more is "other". */
static void test_series_cap_edge(void)
{
	struct ll_listener_view *l = calloc(PROM_MAX_SERIES + 1, sizeof(*l));
	struct ll_snapshot s = { .listeners = l };
	size_t i;
	char *t;

	if (!ASSERT_TRUE(l, "calloc"))
		return;
	for (i = 0; i <= PROM_MAX_SERIES; i++) {
		l[i].pid = i + 1;
		snprintf(l[i].comm, sizeof(l[i].comm), "c%zu", i);
		l[i].port = 80;
		l[i].accepts = 1000 - i;
	}
	s.nlisteners = PROM_MAX_SERIES;
	t = prom_render(&s, NULL, NULL);
	if (ASSERT_TRUE(t, "render"))
		ASSERT_FALSE(strstr(t, PROM_OTHER_COMM), "at the cap: no overflow set");
	free(t);
	s.nlisteners = PROM_MAX_SERIES + 1;
	t = prom_render(&s, NULL, NULL);
	if (ASSERT_TRUE(t, "render")) {
		ASSERT_TRUE(strstr(t, "\nlifeline_accepts_total{comm=\"" PROM_OTHER_COMM
				   "\",port=\"other\"} 744\n"), "one past: the quietest is other");
		ASSERT_FALSE(strstr(t, "comm=\"c256\""), "and not its own series");
	}
	free(t);
	free(l);
}

/* ---- fdinfo, procfs ------------------------------------------------------------------------- */

/* fd-negative-fd */
static void test_fdinfo_negative_fd(void)
{
	ASSERT_EQ(fdinfo_epoll_parse("pos:\t0\nflags:\t02\ntfd:       -1 events:       19 data: 0\n",
				     NULL, NULL), -EINVAL, "a negative target fd is not fdinfo");
}

/* procfs-comm-len, procfs-pid-zero */
static void test_stat_edges(void)
{
	struct procfs_stat st;

	if (ASSERT_EQ(procfs_parse_stat("7 (0123456789abcdefXYZ) S 1 7 7", &st), 0, "parse"))
		ASSERT_STREQ(st.comm, "0123456789abcde", "cut to 15 bytes and terminated");
	if (ASSERT_EQ(procfs_parse_stat("7 (0123456789abcdef) S 1 7 7", &st), 0, "parse 16"))
		ASSERT_STREQ(st.comm, "0123456789abcde", "16 bytes: cut too");
	ASSERT_EQ(procfs_parse_stat("0 (swapper) S 0 0 0", &st), -EINVAL, "pid 0");
}

int main(void)
{
	RUN_TEST(test_lossy_join_window_edge);
	RUN_TEST(test_reap_after_closure);
	RUN_TEST(test_orphan_lifetime_never_negative);
	RUN_TEST(test_fork_window_edge);
	RUN_TEST(test_dead_listener_rate);
	RUN_TEST(test_autoreaped_child_no_zombie_time);
	RUN_TEST(test_pending_per_thread_cap);
	RUN_TEST(test_full_table_keeps_equal);
	RUN_TEST(test_record_loop_missing_from_map);
	RUN_TEST(test_wakeup_of_reused_tid);
	RUN_TEST(test_max_stall_is_max);
	RUN_TEST(test_label_overlong_utf8);
	RUN_TEST(test_series_cap_edge);
	RUN_TEST(test_fdinfo_negative_fd);
	RUN_TEST(test_stat_edges);
	return TEST_MAIN_END();
}
