// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include "test.h"
#include "listeners.h"
#include "records.h"

#define MS 1000000ULL
#define SEC 1000000000ULL

struct sink {
	struct ll_event ev[64];
	struct ll_event last;
	int n;
};

static void sink_emit(void *ctx, const struct ll_event *ev)
{
	struct sink *s = ctx;

	if (s->n < (int)(sizeof(s->ev) / sizeof(s->ev[0])))
		s->ev[s->n] = *ev;
	s->last = *ev;
	s->n++;
}

static struct listeners *new_ls(struct sink *s, size_t max_l, size_t max_c, size_t max_t)
{
	struct ls_config cfg = {
		.emit = s ? sink_emit : NULL, .ctx = s,
		.max_listeners = max_l, .max_children = max_c, .max_threads = max_t,
	};

	if (s)
		memset(s, 0, sizeof(*s));
	return ls_new(&cfg);
}

static struct ll_accept mk_accept(uint32_t pid, uint32_t tid, uint16_t port, int fd, uint64_t ts,
				  uint64_t queue_ns)
{
	return mkrec_accept(ts, pid, tid, port, fd, queue_ns);
}

static void accept_at(struct listeners *ls, uint32_t pid, uint32_t tid, uint16_t port, int fd,
		      uint64_t ts)
{
	struct ll_accept a = mk_accept(pid, tid, port, fd, ts, 0);

	ls_handle_accept(ls, &a);
}

static void fork_at(struct listeners *ls, uint32_t pid, uint32_t tid, uint32_t child, uint64_t ts)
{
	struct ll_fork f = mkrec_fork(ts, pid, child, NULL);

	f.hdr.tid = tid;
	ls_handle_fork(ls, &f);
}

static void child_exit(struct listeners *ls, uint32_t pid, uint32_t status, bool zombie,
		       uint64_t ts)
{
	struct ll_event ev = { .kind = EV_EXIT, .ts_ns = ts, .pid = pid };

	ev.exit.status = status;
	ev.exit.zombie = zombie;
	ev.exit.age_us = LL_UNKNOWN;
	ls_on_event(ls, &ev);
}

static void child_reap(struct listeners *ls, uint32_t pid, uint64_t zombie_us, uint64_t ts)
{
	struct ll_event ev = { .kind = EV_REAP, .ts_ns = ts, .pid = pid };

	ev.reap.zombie_us = zombie_us;
	ev.reap.how = HOW_WAIT4;
	ls_on_event(ls, &ev);
}

/* The view of (pid, port), or NULL. */
static const struct ll_listener_view *find_view(const struct ll_listener_view *v, size_t n,
						uint32_t pid, unsigned int port)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].pid == pid && v[i].port == port)
			return &v[i];
	return NULL;
}

static void test_accept_counting(void)
{
	struct ll_listener_view v[8];
	const struct ll_listener_view *a;
	struct sink s;
	struct listeners *ls = new_ls(&s, 0, 0, 0);
	size_t n;
	int i;

	if (!ASSERT_TRUE(ls, "ls_new"))
		return;
	for (i = 0; i < 5; i++)
		accept_at(ls, 100, 100, 8080, 10 + i, SEC + i);
	for (i = 0; i < 3; i++)
		accept_at(ls, 100, 101, 8443, 20 + i, SEC + i);	/* same pid, other port */
	for (i = 0; i < 7; i++)
		accept_at(ls, 200, 200, 8080, 30 + i, SEC + i);	/* other pid, same port */
	n = ls_views(ls, v, 8);
	if (!ASSERT_EQ(n, 3, "listeners"))
		goto out;
	ASSERT_EQ(v[0].pid, 200, "most accepts first");
	ASSERT_EQ(v[0].accepts, 7, "first");
	ASSERT_EQ(v[1].accepts, 5, "second");
	ASSERT_EQ(v[2].accepts, 3, "third");
	a = find_view(v, n, 100, 8443);
	if (!ASSERT_TRUE(a, "(100, 8443)"))
		goto out;
	ASSERT_STREQ(a->comm, "srv100", "comm");
	ASSERT_EQ(a->errors, 0, "no errors");
	ASSERT_EQ(a->queue->count, 0, "no queue times known");
	ASSERT_EQ(ls_total_accepts(ls), 15, "total");
	ASSERT_EQ(ls_views(ls, v, 2), 2, "capped to max");
	ASSERT_EQ(v[1].accepts, 5, "top two of three");
	if (!ASSERT_EQ(s.n, 15, "one event per accept"))
		goto out;
	ASSERT_EQ(s.ev[0].kind, EV_ACCEPT, "kind");
	ASSERT_EQ(s.ev[0].pid, 100, "pid");
	ASSERT_EQ(s.ev[5].tid, 101, "tid");
	ASSERT_EQ(s.ev[0].ts_ns, SEC, "ts");
	ASSERT_EQ(s.ev[0].accept.fd, 10, "fd");
	ASSERT_EQ(s.ev[0].accept.listen_fd, 3, "listen fd");
	ASSERT_EQ(s.ev[0].accept.lport, 8080, "lport");
	ASSERT_EQ(s.ev[0].accept.rport, 40000, "rport");
	ASSERT_EQ(s.ev[0].accept.family, AF_INET, "family");
	ASSERT_EQ(s.ev[0].accept.raddr[0], 10, "raddr");
	ASSERT_EQ(s.ev[0].accept.raddr[3], 3, "raddr");
	ASSERT_EQ(s.ev[0].accept.queue_us, LL_UNKNOWN, "queue unknown");
	ASSERT_STREQ(s.ev[12].comm, "srv200", "event comm");
out:
	ls_free(ls);
}

static void test_queue_percentiles(void)
{
	struct ll_listener_view v[1];
	struct ll_pct p;
	struct sink s;
	struct listeners *ls = new_ls(&s, 0, 0, 0);
	struct ll_accept a;
	int i;

	if (!ASSERT_TRUE(ls, "ls_new"))
		return;
	/* 10, 20, ..., 1000 us: true p50 (the 51st value) is 510 us, p99 (the 100th) 1000 us */
	for (i = 1; i <= 100; i++) {
		a = mk_accept(300, 300, 80, 100 + i, SEC + i * MS, (uint64_t)i * 10000 + 999);
		ls_handle_accept(ls, &a);
	}
	a = mk_accept(300, 300, 80, 300, 2 * SEC, 0);	/* handshake not seen */
	ls_handle_accept(ls, &a);
	if (!ASSERT_EQ(ls_views(ls, v, 1), 1, "one listener"))
		goto out;
	ASSERT_EQ(v[0].accepts, 101, "accepts");
	ASSERT_EQ(v[0].queue->count, 100, "only known queue times");
	p = hist_pct(v[0].queue);
	ASSERT_TRUE(p.valid, "valid");
	ASSERT_LE(p.p50 >= 510 ? p.p50 - 510 : 510 - p.p50, 510 / 16, "p50 within 1/16");
	ASSERT_LE(p.p99 >= 1000 ? p.p99 - 1000 : 1000 - p.p99, 1000 / 16, "p99 within 1/16");
	ASSERT_EQ(p.max, 1000, "max exact (ns truncated to us)");
	ASSERT_EQ(v[0].queue->min, 10, "min exact");
	ASSERT_EQ(s.ev[0].accept.queue_us, 10, "event queue_us");
	ASSERT_EQ(s.n, 101, "events");
	ASSERT_EQ(s.last.accept.queue_us, LL_UNKNOWN, "event queue unknown");
out:
	ls_free(ls);
}

static void test_errors(void)
{
	static const int errs[] = { EAGAIN, EAGAIN, EAGAIN, EMFILE, EMFILE, ENFILE, ECONNABORTED };
	struct ll_listener_view v[1];
	struct sink s;
	struct listeners *ls = new_ls(&s, 0, 0, 0);
	size_t i;

	if (!ASSERT_TRUE(ls, "ls_new"))
		return;
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		accept_at(ls, 400, 400, 9000, -errs[i], SEC + i);
	/* a failed accept leaves no connection for a fork to take */
	fork_at(ls, 400, 400, 401, SEC + 10);
	if (!ASSERT_EQ(ls_views(ls, v, 1), 1, "listener made by failures"))
		goto out;
	ASSERT_EQ(v[0].port, 9000, "port of failed accepts");
	ASSERT_EQ(v[0].accepts, 0, "accepts");
	ASSERT_EQ(v[0].errors, 4, "errors: all errnos but EAGAIN");
	ASSERT_EQ(v[0].eagain, 3, "eagain");
	ASSERT_EQ(v[0].emfile, 3, "emfile + enfile");
	ASSERT_EQ(v[0].handled_by_fork, 0, "no fork join");
	ASSERT_EQ(ls_total_accepts(ls), 0, "total");
	if (!ASSERT_EQ(s.n, 4, "events for all but EAGAIN"))
		goto out;
	ASSERT_EQ(s.ev[0].accept.fd, -EMFILE, "first event");
	ASSERT_EQ(s.ev[2].accept.fd, -ENFILE, "third event");
	ASSERT_EQ(s.ev[3].accept.fd, -ECONNABORTED, "last event");
	ASSERT_EQ(s.ev[3].accept.lport, 9000, "lport on failure");
out:
	ls_free(ls);
}

static void test_ipv6(void)
{
	static const uint8_t lo6[16] = { [15] = 1 };
	static const uint8_t peer[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xbe, [15] = 0xef };
	struct ll_listener_view v[2];
	struct sink s;
	struct listeners *ls = new_ls(&s, 0, 0, 0);
	struct ll_accept a;

	if (!ASSERT_TRUE(ls, "ls_new"))
		return;
	a = mk_accept(500, 501, 443, 7, SEC, 250 * 1000);
	a.family = AF_INET6;
	a.rport = 51234;
	memcpy(a.laddr, lo6, 16);
	memcpy(a.raddr, peer, 16);
	ls_handle_accept(ls, &a);
	a.hdr.ts_ns += MS;
	a.fd = 8;
	ls_handle_accept(ls, &a);
	if (!ASSERT_EQ(ls_views(ls, v, 2), 1, "v4 and v6 on a port are one listener"))
		goto out;
	ASSERT_EQ(v[0].accepts, 2, "accepts");
	ASSERT_EQ(v[0].port, 443, "port");
	ASSERT_EQ(v[0].queue->count, 2, "queue");
	if (!ASSERT_EQ(s.n, 2, "events"))
		goto out;
	ASSERT_EQ(s.ev[0].accept.family, AF_INET6, "family");
	ASSERT_EQ(s.ev[0].accept.rport, 51234, "rport");
	ASSERT_EQ(memcmp(s.ev[0].accept.laddr, lo6, 16), 0, "laddr ::1");
	ASSERT_EQ(memcmp(s.ev[0].accept.raddr, peer, 16), 0, "raddr 2001:db8::beef");
	ASSERT_EQ(s.ev[0].accept.queue_us, 250, "queue_us");
	ASSERT_EQ(s.ev[1].tid, 501, "tid");
out:
	ls_free(ls);
}

static void test_handled_by_fork(void)
{
	struct ll_listener_view v[2];
	const struct ll_listener_view *l;
	struct ls_counters c;
	struct listeners *ls = new_ls(NULL, 0, 0, 0);
	uint64_t t = 10 * SEC;

	if (!ASSERT_TRUE(ls, "ls_new"))
		return;
	/* clean exit, reaped after 42 us as a zombie */
	accept_at(ls, 600, 600, 2000, 5, t);
	fork_at(ls, 600, 600, 1001, t + 50000);
	child_exit(ls, 1001, 0, true, t + 1 * MS);
	child_reap(ls, 1001, 42, t + 1 * MS + 42000);
	/* exit(1), reaped after 100 us */
	accept_at(ls, 600, 600, 2000, 5, t + 2 * MS);
	fork_at(ls, 600, 600, 1002, t + 3 * MS);
	child_exit(ls, 1002, 1 << 8, true, t + 4 * MS);
	child_reap(ls, 1002, 100, t + 5 * MS);
	/* killed by SIGKILL, auto-reaped: no zombie time */
	accept_at(ls, 600, 600, 2000, 5, t + 6 * MS);
	fork_at(ls, 600, 600, 1003, t + 7 * MS);
	child_exit(ls, 1003, 9, false, t + 8 * MS);
	/* two accepts then two forks: the most recent connection goes first, each only once */
	accept_at(ls, 600, 600, 2000, 5, t + 9 * MS);
	accept_at(ls, 600, 600, 2000, 6, t + 9 * MS + 1);
	fork_at(ls, 600, 600, 1004, t + 10 * MS);
	fork_at(ls, 600, 600, 1005, t + 10 * MS + 1);
	fork_at(ls, 600, 600, 1006, t + 10 * MS + 2);		/* no connection left */
	/* another thread's fork does not take this thread's connection */
	accept_at(ls, 600, 600, 2000, 7, t + 11 * MS);
	fork_at(ls, 600, 602, 1007, t + 12 * MS);
	/* nor does a fork long after the accept */
	fork_at(ls, 600, 600, 1008, t + 11 * MS + 2 * SEC);
	child_exit(ls, 1006, 0, true, t + 3 * SEC);		/* not a connection's child */
	child_exit(ls, 1007, 0, true, t + 3 * SEC);
	child_exit(ls, 1004, 0, true, t + 3 * SEC);
	child_exit(ls, 1005, 2, true, t + 3 * SEC);
	child_reap(ls, 1004, LL_UNKNOWN, t + 4 * SEC);		/* zombie time unknown */
	child_reap(ls, 1005, 7, t + 4 * SEC);

	if (!ASSERT_EQ(ls_views(ls, v, 2), 1, "one listener"))
		goto out;
	l = &v[0];
	ASSERT_EQ(l->accepts, 6, "accepts");
	ASSERT_EQ(l->handled_by_fork, 5, "handled by fork");
	ASSERT_EQ(l->children_exited, 5, "children exited");
	ASSERT_EQ(l->children_failed, 3, "exit(1), SIGKILL, SIGINT");
	ASSERT_EQ(l->child_zombie->count, 3, "zombie times known");
	ASSERT_EQ(l->child_zombie->min, 7, "min zombie");
	ASSERT_EQ(l->child_zombie->max, 100, "max zombie");
	ASSERT_EQ(l->child_zombie->sum, 42 + 100 + 7, "sum zombie");
	ls_counters(ls, &c);
	ASSERT_EQ(c.children, 0, "all children released");
	ASSERT_EQ(c.pending, 0, "no connection pending");
	ASSERT_EQ(c.children_evicted, 0, "nothing evicted");
out:
	ls_free(ls);
}

static void test_rate(void)
{
	struct ll_listener_view v[1];
	struct listeners *ls = new_ls(NULL, 0, 0, 0);
	int i;

	if (!ASSERT_TRUE(ls, "ls_new"))
		return;
	ls_tick(ls, SEC / 2);	/* nothing yet */
	/* the first interval starts at the first tick */
	for (i = 0; i < 10; i++)
		accept_at(ls, 700, 700, 80, 5, SEC + i * 50 * MS);
	ls_tick(ls, 5 * SEC / 2);
	ls_views(ls, v, 1);
	ASSERT_EQ((long long)(v[0].rate * 1000), 5000, "10 accepts in 2 s");
	for (i = 0; i < 30; i++)
		accept_at(ls, 700, 700, 80, 5, 3 * SEC + i * MS);
	ls_tick(ls, 9 * SEC / 2);
	ls_views(ls, v, 1);
	ASSERT_EQ((long long)(v[0].rate * 1000), 15000, "30 accepts in 2 s");
	ls_tick(ls, 11 * SEC / 2);
	ls_views(ls, v, 1);
	ASSERT_EQ((long long)(v[0].rate * 1000), 0, "idle interval");
	ls_free(ls);

	/* without an earlier tick the first interval starts at the first accept */
	ls = new_ls(NULL, 0, 0, 0);
	if (!ASSERT_TRUE(ls, "ls_new"))
		return;
	for (i = 0; i < 8; i++)
		accept_at(ls, 700, 700, 80, 5, 2 * SEC + i * MS);
	ls_tick(ls, 6 * SEC);
	ls_views(ls, v, 1);
	ASSERT_EQ((long long)(v[0].rate * 1000), 2000, "8 accepts in 4 s");
	ls_free(ls);
}

static void test_pid_reuse(void)
{
	struct ll_listener_view v[4];
	struct listeners *ls = new_ls(NULL, 0, 0, 0);

	if (!ASSERT_TRUE(ls, "ls_new"))
		return;
	accept_at(ls, 800, 800, 80, 5, SEC);
	accept_at(ls, 800, 800, 80, 6, SEC + 1);
	child_exit(ls, 800, 0, true, 2 * SEC);		/* the server itself exits */
	accept_at(ls, 800, 800, 80, 5, 3 * SEC);	/* a new process with the same pid */
	if (!ASSERT_EQ(ls_views(ls, v, 4), 2, "old and new listener"))
		goto out;
	ASSERT_EQ(v[0].accepts, 2, "old one kept for the summary");
	ASSERT_EQ(v[1].accepts, 1, "new one counts apart");
out:
	ls_free(ls);
}

static void test_bounded_memory(void)
{
	struct ll_listener_view v[8];
	struct ls_counters c;
	struct listeners *ls = new_ls(NULL, 4, 8, 4);
	uint32_t i;

	if (!ASSERT_TRUE(ls, "ls_new"))
		return;
	/* listeners: the dead one goes first, then the one idle longest */
	for (i = 0; i < 4; i++)
		accept_at(ls, 900 + i, 900 + i, 80, 5, SEC + i);
	accept_at(ls, 900, 900, 80, 5, SEC + 10);	/* 900 is now the most recently active */
	child_exit(ls, 902, 0, true, SEC + 11);
	accept_at(ls, 910, 910, 80, 5, SEC + 12);	/* evicts dead 902 */
	accept_at(ls, 911, 911, 80, 5, SEC + 13);	/* evicts 901, idle longest */
	ASSERT_EQ(ls_views(ls, v, 8), 4, "capped at 4");
	ASSERT_TRUE(find_view(v, 4, 900, 80), "900 kept");
	ASSERT_FALSE(find_view(v, 4, 901, 80), "901 evicted");
	ASSERT_FALSE(find_view(v, 4, 902, 80), "902 evicted");
	ASSERT_TRUE(find_view(v, 4, 903, 80), "903 kept");
	ASSERT_EQ(ls_total_accepts(ls), 7, "total survives eviction");
	ls_counters(ls, &c);
	ASSERT_EQ(c.listeners_evicted, 2, "evictions");

	/* children: forks of 100 children that never exit */
	for (i = 0; i < 100; i++) {
		accept_at(ls, 900, 900, 80, 5, 2 * SEC + i * MS);
		fork_at(ls, 900, 900, 5000 + i, 2 * SEC + i * MS + 1);
	}
	ls_counters(ls, &c);
	ASSERT_LE(c.children, 8, "children capped");
	ASSERT_EQ(c.children + c.children_evicted, 100, "every child followed or counted evicted");
	/* the listener evicted under a child: its exit is ignored, no stale write */
	accept_at(ls, 911, 911, 81, 5, 3 * SEC);
	fork_at(ls, 911, 911, 7777, 3 * SEC + 1);
	for (i = 0; i < 8; i++)
		accept_at(ls, 920 + i, 920 + i, 80, 5, 3 * SEC + 2 + i);
	child_exit(ls, 7777, 0, true, 3 * SEC + 20);
	child_reap(ls, 7777, 5, 3 * SEC + 21);

	/* pending accepts: per thread and per table */
	for (i = 0; i < 20; i++)
		accept_at(ls, 930, 930, 80, 5, 4 * SEC + i);
	for (i = 0; i < 50; i++)
		accept_at(ls, 930, 1000 + i, 80, 5, 4 * SEC + 100 + i);
	ls_counters(ls, &c);
	ASSERT_LE(c.pending, 4 * LS_PENDING_PER_THREAD, "pending capped");
	ASSERT_GE(c.pending_dropped, 12 + 46, "dropped counted");
	ls_tick(ls, 6 * SEC);
	ls_counters(ls, &c);
	ASSERT_EQ(c.pending, 0, "expired after the fork window");
	ls_free(ls);
}

/* Many processes come and go: every accept must find its live listener, never a dead one. */
static void test_index_churn(void)
{
	enum { PIDS = 300, PORTS = 2, MAXL = 2048 };
	static uint64_t accepts[PIDS][PORTS], gens[PIDS][PORTS];
	static struct ll_listener_view v[MAXL];
	struct listeners *ls = new_ls(NULL, MAXL, 0, 0);
	uint64_t made = 0, ts = SEC, views_of[PIDS][PORTS] = { { 0 } };
	bool live[PIDS][PORTS] = { { false } };
	unsigned int seed = 12345;
	size_t n, i;
	int op;

	if (!ASSERT_TRUE(ls, "ls_new"))
		return;
	memset(accepts, 0, sizeof(accepts));
	memset(gens, 0, sizeof(gens));
	for (op = 0; op < 20000 && made < MAXL; op++) {
		uint32_t pid = rand_r(&seed) % PIDS, port = rand_r(&seed) % PORTS;

		ts += 1000;
		if (rand_r(&seed) % 8 == 0) {
			child_exit(ls, 10000 + pid, 0, true, ts);
			live[pid][0] = live[pid][1] = false;
			continue;
		}
		if (!live[pid][port]) {
			live[pid][port] = true;
			gens[pid][port]++;
			made++;
		}
		accepts[pid][port]++;
		accept_at(ls, 10000 + pid, 10000 + pid, 80 + port, 5, ts);
	}
	n = ls_views(ls, v, MAXL);
	ASSERT_EQ(n, made, "one listener per process and port lifetime");
	for (i = 0; i < n; i++) {
		uint32_t pid = v[i].pid - 10000, port = v[i].port - 80;

		if (!ASSERT_TRUE(pid < PIDS && port < PORTS, "key"))
			break;
		views_of[pid][port]++;
		accepts[pid][port] -= v[i].accepts;
	}
	for (i = 0; i < PIDS * PORTS; i++) {
		if (!ASSERT_EQ(accepts[i / PORTS][i % PORTS], 0, "accepts add up") ||
		    !ASSERT_EQ(views_of[i / PORTS][i % PORTS], gens[i / PORTS][i % PORTS],
			       "lifetimes"))
			break;
	}
	ls_free(ls);
}

static void test_no_emit_callback(void)
{
	struct listeners *ls = new_ls(NULL, 0, 0, 0);
	struct ls_config cfg = { 0 };

	if (!ASSERT_TRUE(ls, "ls_new"))
		return;
	ls_free(ls);
	ls = ls_new(&cfg);
	if (!ASSERT_TRUE(ls, "ls_new without emit"))
		return;
	accept_at(ls, 1, 1, 22, -EPERM, SEC);
	accept_at(ls, 1, 1, 22, 4, SEC);
	ASSERT_EQ(ls_total_accepts(ls), 1, "counted");
	ls_free(ls);
	ls_free(NULL);
}

/* The listen queue: limit, peak, accepts that found it full (more than its limit), and a failed
 * accept (no port: its fd is not walked) counted at the listener of its listen fd. */
static void test_backlog(void)
{
	struct listeners *ls = new_ls(NULL, 0, 0, 0);
	static const unsigned int depth[] = { 2, 4, 3, 4, 1 };
	struct ll_listener_view v[4];
	const struct ll_listener_view *l;
	struct ll_accept a;
	size_t i, n;

	if (!ASSERT_TRUE(ls, "ls_new"))
		return;
	for (i = 0; i < sizeof(depth) / sizeof(depth[0]); i++) {
		a = mk_accept(100, 100, 8080, 5 + i, (i + 1) * 1000000, 0);
		a.backlog = depth[i];
		a.backlog_limit = 3;
		ls_handle_accept(ls, &a);
	}
	a = mk_accept(100, 100, 0, -EAGAIN, 9000000, 0);
	ls_handle_accept(ls, &a);
	a = mk_accept(100, 100, 0, -EBADF, 9000000, 0);
	a.listen_fd = 77;
	ls_handle_accept(ls, &a);
	n = ls_views(ls, v, 4);
	l = find_view(v, n, 100, 8080);
	if (!ASSERT_TRUE(l, "listener"))
		goto out;
	ASSERT_EQ(l->backlog_limit, 3, "limit");
	ASSERT_EQ(l->backlog_peak, 4, "peak");
	ASSERT_EQ(l->backlog_full, 2, "full: deeper than the limit");
	ASSERT_EQ(l->eagain, 1, "EAGAIN on its listen fd counted at its port");
	ASSERT_EQ(l->errors, 0, "EAGAIN is no error, and the EBADF on another fd is not its");
	ASSERT_TRUE(find_view(v, n, 100, 0), "... it has a row of its own, port unknown");
out:
	ls_free(ls);
}

int main(void)
{
	RUN_TEST(test_accept_counting);
	RUN_TEST(test_queue_percentiles);
	RUN_TEST(test_errors);
	RUN_TEST(test_ipv6);
	RUN_TEST(test_handled_by_fork);
	RUN_TEST(test_rate);
	RUN_TEST(test_pid_reuse);
	RUN_TEST(test_bounded_memory);
	RUN_TEST(test_index_churn);
	RUN_TEST(test_no_emit_callback);
	RUN_TEST(test_backlog);
	return TEST_MAIN_END();
}
