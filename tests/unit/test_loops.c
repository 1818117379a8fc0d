// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include "test.h"
#include "loops.h"
#include "records.h"

#define US 1000ULL
#define MS 1000000ULL
#define SEC 1000000000ULL

struct sink {
	struct ll_event ev[16];
	int n;
};

static void sink_emit(void *ctx, const struct ll_event *ev)
{
	struct sink *s = ctx;

	if (s->n < (int)(sizeof(s->ev) / sizeof(s->ev[0])))
		s->ev[s->n] = *ev;
	s->n++;
}

static struct loops *new_lp(struct sink *s, size_t max)
{
	struct lp_config cfg = { .emit = s ? sink_emit : NULL, .ctx = s, .max_loops = max };

	if (s)
		memset(s, 0, sizeof(*s));
	return lp_new(&cfg);
}

static struct ll_loop_stats mk_stats(uint32_t tgid, uint32_t tid, uint64_t first_ns,
				     uint64_t wakeups)
{
	struct ll_loop_stats st = {
		.tgid = tgid, .tid = tid, .epfd = 4, .maxevents = 64, .first_ns = first_ns,
		.sleep_ns = first_ns, .wakeups = wakeups,
	};

	snprintf(st.comm, sizeof(st.comm), "loop%u", tid);
	return st;
}

static void add_slots(__u32 *slots, uint64_t us, __u32 count)
{
	slots[ll_hist_slot(us)] += count;
}

static bool within_16th(uint64_t got, uint64_t want)
{
	return (got > want ? got - want : want - got) <= want / 16;
}

static void send_new(struct loops *lp, uint32_t tgid, uint32_t tid, int epfd, uint64_t ts)
{
	struct ll_loop_new r = mkrec_loop_new(ts, tgid, tid, epfd);

	lp_handle(lp, &r.hdr);
}

/* asleep: the stall ended with the loop asleep in its next wait, not returning from it. */
static void send_stall_at(struct loops *lp, uint32_t tgid, uint32_t tid, uint64_t start_ns,
			  uint64_t busy_ns, bool asleep)
{
	struct ll_stall r = mkrec_stall(tgid, tid, start_ns, busy_ns, asleep);

	lp_handle(lp, &r.hdr);
}

static void send_stall(struct loops *lp, uint32_t tgid, uint32_t tid, uint64_t start_ns,
		       uint64_t busy_ns)
{
	send_stall_at(lp, tgid, tid, start_ns, busy_ns, true);
}

static void send_exit(struct loops *lp, const struct ll_loop_stats *st, uint64_t ts)
{
	struct ll_loop_exit r = mkrec_loop_exit(ts, st);

	lp_handle(lp, &r.hdr);
}

static const struct ll_loop_view *find_view(const struct ll_loop_view *v, size_t n, uint32_t tid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].tid == tid)
			return &v[i];
	return NULL;
}

static void test_snapshot_views(void)
{
	struct ll_loop_stats st[2];
	struct ll_loop_view v[4];
	struct ll_pct p;
	struct loops *lp = new_lp(NULL, 0);

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	st[0] = mk_stats(10, 11, SEC, 100);
	st[0].events = 250;
	st[0].timeouts = 5;
	st[0].full = 2;
	st[0].errors = 1;
	st[0].time_ns[LL_LS_IDLE] = 3 * SEC;
	st[0].time_ns[LL_LS_BUSY] = 1 * SEC;
	st[0].stalls = 3;
	st[0].max_stall_ns = 120 * MS + 999;
	add_slots(st[0].blocked_hist, 100, 60);
	add_slots(st[0].blocked_hist, 1000, 46);
	add_slots(st[0].busy_hist, 10, 90);
	add_slots(st[0].busy_hist, 50000, 10);
	st[1] = mk_stats(20, 21, SEC, 500);
	lp_update(lp, st, 2, 2 * SEC);

	if (!ASSERT_EQ(lp_views(lp, 2 * SEC, v, 4), 2, "two loops"))
		goto out;
	ASSERT_EQ(v[0].tid, 21, "most wakeups first");
	ASSERT_EQ(v[1].tid, 11, "then the other");
	ASSERT_EQ(v[1].pid, 10, "pid");
	ASSERT_STREQ(v[1].comm, "loop11", "comm");
	ASSERT_TRUE(v[1].alive, "alive");
	ASSERT_EQ(v[1].wakeups, 100, "wakeups");
	ASSERT_EQ(v[1].events, 250, "events");
	ASSERT_EQ(v[1].timeouts, 5, "timeouts");
	ASSERT_EQ(v[1].full, 2, "full");
	ASSERT_EQ(v[1].errors, 1, "errors");
	ASSERT_EQ((long long)(v[1].busy_pct * 1000), 25000, "busy 1 s of 4");
	ASSERT_EQ((long long)(v[0].busy_pct * 1000), 0, "no time yet: 0, not NaN");
	ASSERT_EQ(v[1].stalls, 3, "stalls");
	ASSERT_EQ(v[1].max_stall_us, 120000, "max stall");
	ASSERT_EQ(v[1].busy_now_us, 0, "in a wait");
	ASSERT_EQ(v[1].et_fds, -1, "et unknown");
	ASSERT_EQ(v[1].lt_fds, -1, "lt unknown");
	ASSERT_EQ(v[1].blocked->count, 106, "blocked count");
	p = hist_pct(v[1].blocked);
	ASSERT_TRUE(within_16th(p.p50, 100), "blocked p50 ~ 100 us");
	ASSERT_TRUE(within_16th(p.p99, 1000), "blocked p99 ~ 1000 us");
	p = hist_pct(v[1].busy);
	ASSERT_EQ(p.p50, 10, "busy p50 exact for small values");
	ASSERT_TRUE(within_16th(p.p99, 50000), "busy p99 ~ 50 ms");
	ASSERT_EQ(v[0].blocked->count, 0, "empty hist");

	/* the histograms are rebuilt, not added to, by the next snapshot */
	add_slots(st[0].blocked_hist, 100, 4);
	lp_update(lp, st, 2, 3 * SEC);
	lp_views(lp, 3 * SEC, v, 4);
	ASSERT_EQ(v[1].blocked->count, 110, "rebuilt");
	ASSERT_EQ(lp_views(lp, 3 * SEC, v, 1), 1, "capped to max");
	ASSERT_EQ(v[0].tid, 21, "top one");
out:
	lp_free(lp);
}

static void test_rates(void)
{
	struct ll_loop_stats st = mk_stats(1, 2, 1 * SEC, 1000);
	struct ll_loop_view v[1];
	struct loops *lp = new_lp(NULL, 0);

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	lp_update(lp, &st, 1, 3 * SEC);		/* first seen: since its first wait */
	lp_views(lp, 3 * SEC, v, 1);
	ASSERT_EQ((long long)(v[0].wakeups_rate * 1000), 500000, "1000 in 2 s");
	st.wakeups = 4000;
	lp_update(lp, &st, 1, 4 * SEC);
	lp_views(lp, 4 * SEC, v, 1);
	ASSERT_EQ((long long)(v[0].wakeups_rate * 1000), 3000000, "3000 in 1 s");
	lp_update(lp, &st, 1, 4 * SEC + SEC / 2);
	lp_views(lp, 5 * SEC, v, 1);
	ASSERT_EQ((long long)(v[0].wakeups_rate * 1000), 0, "idle");
	st.wakeups = 4100;
	lp_update(lp, NULL, 0, 5 * SEC);	/* missing once (no exit record yet) */
	lp_update(lp, &st, 1, 5 * SEC + SEC / 2);
	lp_views(lp, 6 * SEC, v, 1);
	ASSERT_EQ((long long)(v[0].wakeups_rate * 1000), 100000, "100 since last seen, 1 s");
	lp_free(lp);
}

static void test_stall_events(void)
{
	struct ll_loop_stats st = mk_stats(30, 31, SEC, 10);
	struct ll_loop_view v[1];
	struct sink s;
	struct loops *lp = new_lp(&s, 0);

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	send_new(lp, 30, 31, 7, SEC);
	send_stall(lp, 30, 31, 2 * SEC, 75432100);
	if (!ASSERT_EQ(s.n, 1, "one stall event"))
		goto out;
	ASSERT_EQ(s.ev[0].kind, EV_STALL, "kind");
	ASSERT_EQ(s.ev[0].stall.busy_us, 75432, "busy_us");
	ASSERT_EQ(s.ev[0].stall.start_ns, 2 * SEC, "start_ns");
	ASSERT_EQ(s.ev[0].ts_ns, 2 * SEC + 75432100, "ts");
	ASSERT_EQ(s.ev[0].pid, 30, "pid");
	ASSERT_EQ(s.ev[0].tid, 31, "tid");
	ASSERT_STREQ(s.ev[0].comm, "loop31", "comm");
	/* before the next snapshot the record is all there is */
	lp_views(lp, 3 * SEC, v, 1);
	ASSERT_EQ(v[0].stalls, 1, "stalls from records");
	ASSERT_EQ(v[0].max_stall_us, 75432, "max stall from records");
	/* the snapshot counts the same stall: not twice */
	st.stalls = 1;
	st.max_stall_ns = 75432100;
	lp_update(lp, &st, 1, 3 * SEC);
	lp_views(lp, 3 * SEC, v, 1);
	ASSERT_EQ(v[0].stalls, 1, "one stall");
	ASSERT_EQ(v[0].max_stall_us, 75432, "max stall");
	/* a stall of a loop never seen still makes its event (its LOOP_NEW was lost) */
	send_stall(lp, 40, 41, 4 * SEC, 51 * MS);
	ASSERT_EQ(s.n, 2, "second stall event");
	ASSERT_EQ(s.ev[1].stall.busy_us, 51000, "busy_us");
out:
	lp_free(lp);
}

static void test_wakeup_events(void)
{
	struct ll_wakeup w = mkrec_wakeup(2 * SEC, 50, 51, 3, 9, 1500 * US + 999, 20 * US);
	struct lp_counters c;
	struct sink s;
	struct loops *lp = new_lp(&s, 0);

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	lp_handle(lp, &w.hdr);		/* before its LOOP_NEW: an event, no entry */
	lp_counters(lp, &c);
	ASSERT_EQ(c.loops, 0, "wakeups make no entries");
	send_new(lp, 50, 51, 9, SEC);
	w.hdr.ts_ns += MS;
	w.events = -EINTR;
	lp_handle(lp, &w.hdr);
	if (!ASSERT_EQ(s.n, 2, "two wakeup events"))
		goto out;
	ASSERT_EQ(s.ev[0].kind, EV_WAKEUP, "kind");
	ASSERT_EQ(s.ev[0].wakeup.events, 3, "events");
	ASSERT_EQ(s.ev[0].wakeup.blocked_us, 1500, "blocked_us");
	ASSERT_EQ(s.ev[0].wakeup.busy_us, 20, "busy_us");
	ASSERT_EQ(s.ev[0].pid, 50, "pid");
	ASSERT_EQ(s.ev[0].tid, 51, "tid");
	ASSERT_STREQ(s.ev[0].comm, "", "comm unknown without the loop");
	ASSERT_STREQ(s.ev[1].comm, "loop51", "comm from the loop");
	ASSERT_EQ(s.ev[1].wakeup.events, -EINTR, "error return");
out:
	lp_free(lp);
}

static void test_exit_keeps_final_totals(void)
{
	struct ll_loop_stats st[2] = { mk_stats(60, 61, SEC, 100), mk_stats(60, 62, SEC, 5) };
	struct ll_loop_view v[4];
	const struct ll_loop_view *a;
	struct lp_epfd ep[4];
	struct loops *lp = new_lp(NULL, 0);
	size_t n;

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	lp_update(lp, st, 2, 2 * SEC);
	st[0].wakeups = 180;
	st[0].time_ns[LL_LS_BUSY] = 3 * MS;
	st[0].time_ns[LL_LS_IDLE] = 1 * MS;
	add_slots(st[0].busy_hist, 3000, 1);
	send_exit(lp, &st[0], 2 * SEC + 500 * MS);
	lp_update(lp, &st[1], 1, 3 * SEC);		/* its map entry is gone */
	lp_update(lp, &st[1], 1, 4 * SEC);
	n = lp_views(lp, 4 * SEC, v, 4);
	if (!ASSERT_EQ(n, 2, "exited loop kept"))
		goto out;
	a = find_view(v, n, 61);
	if (!ASSERT_TRUE(a, "view of the exited loop"))
		goto out;
	ASSERT_FALSE(a->alive, "not alive");
	ASSERT_EQ(a->wakeups, 180, "final totals");
	ASSERT_EQ((long long)(a->busy_pct * 1000), 75000, "final busy pct");
	ASSERT_EQ(a->busy->count, 1, "final hist");
	ASSERT_EQ((long long)(a->wakeups_rate * 1000), 0, "no rate once gone");
	ASSERT_EQ(lp_epfds(lp, ep, 4), 1, "only the live loop's epfd");
	ASSERT_EQ(ep[0].tid, 62, "live loop");
	ASSERT_EQ(lp_set_fds(lp, 61, 1, 1), -ENOENT, "no fds for an exited loop");

	/* the exit record may come after the snapshot that already lacked the loop */
	lp_update(lp, NULL, 0, 5 * SEC);
	n = lp_views(lp, 5 * SEC, v, 4);
	a = find_view(v, n, 62);
	ASSERT_FALSE(a && a->alive, "missing from the map: not alive");
	ASSERT_EQ(a ? a->wakeups : 0, 5, "but its totals kept");
	st[1].wakeups = 7;
	send_exit(lp, &st[1], 5 * SEC + 1);
	n = lp_views(lp, 6 * SEC, v, 4);
	ASSERT_EQ(n, 2, "the late exit joins its loop");
	a = find_view(v, n, 62);
	ASSERT_EQ(a ? a->wakeups : 0, 7, "late exit's totals");
out:
	lp_free(lp);
}

static void test_busy_now(void)
{
	struct ll_loop_stats st = mk_stats(70, 71, SEC, 10);
	struct ll_loop_view v[1];
	struct loops *lp = new_lp(NULL, 0);

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	st.sleep_ns = 0;
	st.state = LL_LS_BUSY;			/* woken in its wait, and has not waited since */
	st.state_ns = 9 * SEC + 700 * MS;
	st.stretch_start_ns = st.state_ns;
	st.flags = LL_LOOP_STRETCH;
	lp_update(lp, &st, 1, 10 * SEC);
	lp_views(lp, 10 * SEC, v, 1);
	ASSERT_EQ(v[0].busy_now_us, 300000, "busy 300 ms now");
	lp_views(lp, 10 * SEC + 200 * MS, v, 1);
	ASSERT_EQ(v[0].busy_now_us, 500000, "still busy, 500 ms");
	lp_views(lp, 9 * SEC, v, 1);
	ASSERT_EQ(v[0].busy_now_us, 0, "clock before the return: 0");
	/* the stall ends: the loop sleeps in its next wait; the record beats the next snapshot */
	send_stall(lp, 70, 71, st.stretch_start_ns, 600 * MS);
	lp_views(lp, 10 * SEC + 400 * MS, v, 1);
	ASSERT_EQ(v[0].busy_now_us, 0, "waiting again");
	/* an older snapshot read after the record does not bring the stall back */
	lp_update(lp, &st, 1, 10 * SEC + 300 * MS);
	lp_views(lp, 10 * SEC + 400 * MS, v, 1);
	ASSERT_EQ(v[0].busy_now_us, 0, "latest state wins");
	st.state = LL_LS_IDLE;
	st.state_ns = 11 * SEC;
	st.flags = 0;
	lp_update(lp, &st, 1, 11 * SEC + 1);
	lp_views(lp, 12 * SEC, v, 1);
	ASSERT_EQ(v[0].busy_now_us, 0, "in a wait");
	/* a stall that ends in a wait with events ready: the loop is busy again from its return */
	send_stall_at(lp, 70, 71, 12 * SEC, 200 * MS, false);
	lp_views(lp, 12 * SEC + 300 * MS, v, 1);
	ASSERT_EQ(v[0].busy_now_us, 100000, "running again since the return");
	lp_free(lp);
}

static void test_fds_and_epfds(void)
{
	struct ll_loop_stats st = mk_stats(80, 81, SEC, 1);
	struct ll_loop_view v[2];
	struct lp_epfd ep[2];
	struct loops *lp = new_lp(NULL, 0);

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	send_new(lp, 80, 81, 5, SEC);
	if (!ASSERT_EQ(lp_epfds(lp, ep, 2), 1, "one epfd"))
		goto out;
	ASSERT_EQ(ep[0].pid, 80, "pid");
	ASSERT_EQ(ep[0].tid, 81, "tid");
	ASSERT_EQ(ep[0].epfd, 5, "epfd from LOOP_NEW");
	ASSERT_EQ(lp_set_fds(lp, 81, 2, 3), 0, "set fds");
	ASSERT_EQ(lp_set_fds(lp, 99, 2, 3), -ENOENT, "unknown tid");
	st.epfd = 6;
	lp_update(lp, &st, 1, 2 * SEC);
	lp_epfds(lp, ep, 2);
	ASSERT_EQ(ep[0].epfd, 6, "epfd of the last wait");
	lp_views(lp, 2 * SEC, v, 2);
	ASSERT_EQ(v[0].et_fds, 2, "et");
	ASSERT_EQ(v[0].lt_fds, 3, "lt");
	ASSERT_EQ(lp_epfds(lp, ep, 0), 0, "max 0");
out:
	lp_free(lp);
}

static void test_tid_reuse(void)
{
	struct ll_loop_stats st = mk_stats(90, 91, SEC, 40);
	struct ll_loop_view v[4];
	const struct ll_loop_view *a, *b;
	struct loops *lp = new_lp(NULL, 0);

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	lp_update(lp, &st, 1, 2 * SEC);
	/* the thread died, its exit record was lost, and another process got its tid */
	st = mk_stats(95, 91, 5 * SEC, 3);
	lp_update(lp, &st, 1, 6 * SEC);
	if (!ASSERT_EQ(lp_views(lp, 6 * SEC, v, 4), 2, "two loops"))
		goto out;
	a = &v[0];
	b = &v[1];
	ASSERT_EQ(a->pid, 90, "old one");
	ASSERT_FALSE(a->alive, "old one retired");
	ASSERT_EQ(a->wakeups, 40, "old totals");
	ASSERT_EQ(b->pid, 95, "new one");
	ASSERT_TRUE(b->alive, "new one alive");
	ASSERT_EQ(b->wakeups, 3, "new totals");
	/* same process, new first wait: also a new loop */
	st.first_ns = 7 * SEC;
	st.wakeups = 1;
	lp_update(lp, &st, 1, 8 * SEC);
	ASSERT_EQ(lp_views(lp, 8 * SEC, v, 4), 3, "three incarnations");
out:
	lp_free(lp);
}

static void test_eviction(void)
{
	struct ll_loop_stats st[3] = {
		mk_stats(1, 101, SEC, 10), mk_stats(1, 102, SEC, 20), mk_stats(1, 103, SEC, 30),
	};
	struct ll_loop_stats more;
	struct ll_loop_view v[4];
	struct lp_counters c;
	struct loops *lp = new_lp(NULL, 3);
	size_t n;

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	lp_update(lp, st, 3, 2 * SEC);
	send_exit(lp, &st[1], 2 * SEC + 1);		/* 102 is dead */
	more = mk_stats(1, 104, SEC, 1);
	lp_update(lp, (struct ll_loop_stats[]){ st[0], st[2], more }, 3, 3 * SEC);
	n = lp_views(lp, 3 * SEC, v, 4);
	ASSERT_EQ(n, 3, "bounded");
	ASSERT_FALSE(find_view(v, n, 102), "the dead loop went first");
	ASSERT_TRUE(find_view(v, n, 104), "the newcomer is in");
	/* all live now: a quieter newcomer stays out, a busier one takes the quietest's place */
	send_new(lp, 1, 105, 3, 3 * SEC + 1);
	more = mk_stats(1, 106, SEC, 500);
	lp_update(lp, (struct ll_loop_stats[]){ st[0], st[2], more }, 3, 4 * SEC);
	n = lp_views(lp, 4 * SEC, v, 4);
	ASSERT_EQ(n, 3, "still bounded");
	ASSERT_FALSE(find_view(v, n, 105), "quiet newcomer dropped");
	ASSERT_TRUE(find_view(v, n, 106), "busy newcomer kept");
	ASSERT_TRUE(find_view(v, n, 101), "101 kept");
	ASSERT_TRUE(find_view(v, n, 103), "103 kept");
	lp_counters(lp, &c);
	ASSERT_EQ(c.loops, 3, "loops");
	ASSERT_EQ(c.alive, 3, "alive");
	ASSERT_EQ(c.evicted, 2, "evicted: dead 102, then quiet 104");
	ASSERT_GE(c.dropped, 1, "dropped 105");
	lp_free(lp);
}

/* Many threads come and go: the tid index must always find the live loop. */
static void test_index_churn(void)
{
	enum { TIDS = 200, ROUNDS = 300 };
	static struct ll_loop_stats snap[TIDS], live[TIDS];
	static bool in_map[TIDS];
	struct loops *lp = new_lp(NULL, TIDS * 4);
	unsigned int seed = 777;
	uint64_t made = 0, ts = SEC;
	struct lp_counters c = { 0 };
	size_t n, i;
	int r;

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	for (r = 0; r < ROUNDS && made + TIDS < TIDS * 4; r++) {
		uint32_t tid = rand_r(&seed) % TIDS;

		ts += MS;
		if (!in_map[tid]) {
			snap[tid] = mk_stats(7, 1000 + tid, ts, 1);	/* a new thread */
			in_map[tid] = true;
			made++;
		} else if (rand_r(&seed) % 3) {
			snap[tid].wakeups++;
		} else {
			send_exit(lp, &snap[tid], ts);
			in_map[tid] = false;
		}
		for (i = 0, n = 0; i < TIDS; i++)
			if (in_map[i])
				live[n++] = snap[i];
		lp_update(lp, live, n, ts);
		lp_counters(lp, &c);
		if (!ASSERT_EQ(c.loops, made, "one entry per thread") ||
		    !ASSERT_EQ(c.alive, n, "alive = in the map"))
			break;
	}
	ASSERT_EQ(c.evicted + c.dropped, 0, "no eviction below the bound");
	lp_free(lp);
}

/* Where the time goes: closed periods plus the open one (a wait in progress is idle time). */
static void test_time_split(void)
{
	struct ll_loop_stats st = mk_stats(90, 91, SEC, 10);
	struct ll_loop_view v[1];
	struct loops *lp = new_lp(NULL, 0);

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	st.time_ns[LL_LS_BUSY] = 100 * MS;
	st.time_ns[LL_LS_IDLE] = 500 * MS;
	st.time_ns[LL_LS_OFFCPU] = 300 * MS;
	st.time_ns[LL_LS_RUNQ] = 100 * MS;
	st.sys[0] = (struct ll_loop_sys){ .nr = 230, .used = 1, .ns = 100 * MS };
	st.sys[1] = (struct ll_loop_sys){ .nr = 202, .used = 1, .ns = 200 * MS };
	st.state = LL_LS_IDLE;			/* asleep in its wait since 2 s */
	st.state_ns = 2 * SEC;
	lp_update(lp, &st, 1, 2 * SEC);
	lp_views(lp, 3 * SEC, v, 1);		/* 1 s closed + 1 s of the wait in progress */
	ASSERT_EQ((long long)(v[0].busy_pct * 100), 500, "busy 100 ms of 2 s");
	ASSERT_EQ((long long)(v[0].idle_pct * 100), 7500, "idle 500 ms + 1 s in progress");
	ASSERT_EQ((long long)(v[0].offcpu_pct * 100), 1500, "off CPU 300 ms");
	ASSERT_EQ((long long)(v[0].runq_pct * 100), 500, "run queue 100 ms");
	ASSERT_EQ(v[0].busy_ns, 100 * MS, "busy total");
	ASSERT_EQ(v[0].idle_ns, 1500 * MS, "idle total, in progress included");
	ASSERT_EQ(v[0].threads, 1, "a loop of its own");
	ASSERT_EQ(v[0].nsys, 2, "two syscalls");
	ASSERT_EQ(v[0].sys[0].nr, 202, "most off-CPU time first");
	ASSERT_EQ(v[0].sys[0].us, 200000, "its time");
	ASSERT_EQ(v[0].busy_now_us, 0, "in a wait: not stalled");
	/* now asleep elsewhere since 3 s: that syscall gains the time in progress */
	st.state = LL_LS_OFFCPU;
	st.state_ns = 3 * SEC;
	st.sleep_nr = 230;
	st.time_ns[LL_LS_IDLE] = 1500 * MS;
	lp_update(lp, &st, 1, 3 * SEC);
	lp_views(lp, 3 * SEC + 500 * MS, v, 1);
	ASSERT_EQ(v[0].sys[0].nr, 230, "the sleep in progress counts");
	ASSERT_EQ(v[0].sys[0].us, 600000, "100 ms closed + 500 ms open");
	lp_free(lp);
}

/* A poll loop has no epfd and no per-call counts, even in calls mode; an epoll loop has both. */
static void test_wait_kinds(void)
{
	struct lp_config cfg = { .calls = true };
	struct ll_loop_stats st[2] = { mk_stats(95, 96, SEC, 7), mk_stats(95, 97, SEC, 9) };
	struct ll_loop_view v[2];
	const struct ll_loop_view *p, *e;
	struct loops *lp = lp_new(&cfg);

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	st[0].wait = LL_WAIT_POLL;
	st[0].epfd = -1;
	st[0].maxevents = 0;
	st[1].wait = LL_WAIT_EPOLL;
	lp_update(lp, st, 2, 2 * SEC);
	ASSERT_EQ(lp_views(lp, 2 * SEC, v, 2), 2, "two loops");
	p = find_view(v, 2, 96);
	e = find_view(v, 2, 97);
	if (!ASSERT_TRUE(p && e, "both found"))
		goto out;
	ASSERT_EQ(p->wait, LL_WAIT_POLL, "waits in poll");
	ASSERT_FALSE(p->calls, "no exit hook for poll: per-call counts unknown");
	ASSERT_EQ(p->wakeups, 7, "its wakeups, from the scheduler");
	ASSERT_EQ(e->wait, LL_WAIT_EPOLL, "waits in epoll");
	ASSERT_TRUE(e->calls, "calls mode: epoll's per-call counts are known");
out:
	lp_free(lp);
}

/* The kernel's u32 histogram slots wrap; the counts built from them do not. */
static void test_hist_wrap(void)
{
	struct ll_loop_stats st = mk_stats(92, 93, SEC, 10);
	struct ll_loop_view v[1];
	struct loops *lp = new_lp(NULL, 0);

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	st.busy_hist[ll_hist_slot(100)] = UINT32_MAX - 9;
	lp_update(lp, &st, 1, 2 * SEC);
	st.busy_hist[ll_hist_slot(100)] = 20;		/* 30 more, across the wrap */
	lp_update(lp, &st, 1, 3 * SEC);
	lp_views(lp, 3 * SEC, v, 1);
	ASSERT_EQ(v[0].busy->count, (uint64_t)UINT32_MAX - 9 + 30, "no wrap in user space");
	lp_free(lp);
}

/* Threads of one process on one epoll fd are one loop; another fd is another loop. */
static void test_shared_epfd(void)
{
	struct ll_loop_stats st[3] = { mk_stats(94, 95, SEC, 10), mk_stats(94, 96, SEC, 20),
				       mk_stats(94, 97, SEC, 5) };
	struct ll_loop_view v[4];
	const struct ll_loop_view *a;
	struct loops *lp = new_lp(NULL, 0);
	size_t n;

	if (!ASSERT_TRUE(lp, "lp_new"))
		return;
	st[0].flags = st[1].flags = LL_LOOP_SHARED;
	st[0].time_ns[LL_LS_IDLE] = st[1].time_ns[LL_LS_OFFCPU] = SEC;
	st[0].stalls = 1;
	st[1].stalls = 2;
	st[0].unseen = 4;
	st[1].unseen = 1;
	st[2].epfd = 9;
	add_slots(st[0].busy_hist, 100, 3);
	add_slots(st[1].busy_hist, 100, 4);
	/* one thread is in a stretch, the other parked: the loop is stalled for as long */
	st[1].state = LL_LS_BUSY;
	st[1].state_ns = st[1].stretch_start_ns = 2 * SEC;
	st[1].flags |= LL_LOOP_STRETCH;
	lp_update(lp, st, 3, 2 * SEC);
	n = lp_views(lp, 2 * SEC + 100 * MS, v, 4);
	if (!ASSERT_EQ(n, 2, "two loops"))
		goto out;
	a = find_view(v, n, 95);
	if (!ASSERT_TRUE(a, "the shared loop, by its first thread"))
		goto out;
	ASSERT_EQ(a->threads, 2, "two threads");
	ASSERT_EQ(a->wakeups, 30, "their wakeups");
	ASSERT_EQ(a->stalls, 3, "their stalls");
	ASSERT_EQ(a->unseen, 5, "their unseen switches");
	ASSERT_EQ(a->busy->count, 7, "merged histogram");
	ASSERT_EQ(a->busy_now_us, 100000, "no thread in the wait: stretch in progress");
	ASSERT_EQ((long long)(a->idle_pct + 0.5), 48, "1 s idle of 2.1 s");
	ASSERT_EQ(find_view(v, n, 97)->threads, 1, "its own epoll fd: its own loop");
	/* the other thread waits again: the loop is not stalled */
	st[0].state = LL_LS_IDLE;
	st[0].state_ns = 2 * SEC + 50 * MS;
	lp_update(lp, st, 3, 2 * SEC + 50 * MS);
	n = lp_views(lp, 2 * SEC + 100 * MS, v, 4);
	ASSERT_EQ(find_view(v, n, 95)->busy_now_us, 0, "a thread in the wait");
out:
	lp_free(lp);
}

int main(void)
{
	RUN_TEST(test_snapshot_views);
	RUN_TEST(test_rates);
	RUN_TEST(test_stall_events);
	RUN_TEST(test_wakeup_events);
	RUN_TEST(test_exit_keeps_final_totals);
	RUN_TEST(test_busy_now);
	RUN_TEST(test_fds_and_epfds);
	RUN_TEST(test_tid_reuse);
	RUN_TEST(test_eviction);
	RUN_TEST(test_index_churn);
	RUN_TEST(test_time_split);
	RUN_TEST(test_hist_wrap);
	RUN_TEST(test_wait_kinds);
	RUN_TEST(test_shared_epfd);
	return TEST_MAIN_END();
}
