// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Prometheus: the exposition of known snapshots, block by block and byte for byte (names, label
 * sets summed by command and port, escaping, cumulative buckets, +Inf, _sum and _count in
 * seconds, the overflow set), and the HTTP server over a real socket (status codes, the latest
 * text, swaps under concurrent scrapes, the listening socket closed on stop).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include "test.h"
#include "prom.h"

#ifndef LL_VERSION
#define LL_VERSION "unknown"
#endif

/* The block of one family: from its "# HELP name " line up to the next family's. */
static char *block(const char *text, const char *name)
{
	char head[128], *out;
	const char *p, *end;

	snprintf(head, sizeof(head), "# HELP %s ", name);
	p = strstr(text, head);
	if (!p)
		return strdup("(no such family)");
	end = strstr(p + 1, "# HELP ");
	if (!end)
		end = p + strlen(p);
	out = strndup(p, end - p);
	return out;
}

static bool block_is(const char *text, const char *name, const char *want)
{
	char *got = block(text, name);
	bool ok = ASSERT_STREQ(got, want, name);

	free(got);
	return ok;
}

static char *render(const struct ll_snapshot *s, const struct prom_opts *o)
{
	size_t len = 0;
	char *t = prom_render(s, o, &len);

	if (t && strlen(t) != len) {
		free(t);
		return NULL;
	}
	return t;
}

static size_t count_lines(const char *text, const char *prefix)
{
	size_t n = 0, plen = strlen(prefix);
	const char *p = text;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, prefix, plen))
			n++;
	return n;
}

static void test_globals(void)
{
	struct ll_snapshot s = { .events = 42, .lost = 3,
		.procs = { .forks = 5, .execs = 4, .exits = 2 } };
	char *t = render(&s, NULL);

	if (!ASSERT_TRUE(t != NULL, "render"))
		return;
	block_is(t, "lifeline_build_info",
		 "# HELP lifeline_build_info lifeline's version, as a label.\n"
		 "# TYPE lifeline_build_info gauge\n"
		 "lifeline_build_info{version=\"" LL_VERSION "\"} 1\n");
	block_is(t, "lifeline_events_total",
		 "# HELP lifeline_events_total Kernel records received.\n"
		 "# TYPE lifeline_events_total counter\n"
		 "lifeline_events_total 42\n");
	block_is(t, "lifeline_events_lost_total",
		 "# HELP lifeline_events_lost_total Kernel records that could not be delivered "
		 "(ring buffer full): counts are low.\n"
		 "# TYPE lifeline_events_lost_total counter\n"
		 "lifeline_events_lost_total 3\n");
	ASSERT_TRUE(strstr(t, "\nlifeline_forks_total 5\n") &&
		    strstr(t, "\nlifeline_execs_total 4\n") &&
		    strstr(t, "\nlifeline_exits_total 2\n"), "process counters");
	/* An empty snapshot still names every family, so dashboards find them. */
	block_is(t, "lifeline_accepts_total",
		 "# HELP lifeline_accepts_total Connections accepted, by listening command and "
		 "port.\n# TYPE lifeline_accepts_total counter\n");
	ASSERT_EQ(count_lines(t, "# TYPE "), 36, "families");
	/* The kernel's listen counters are unknown until /proc/net/netstat was read: no sample. */
	block_is(t, "lifeline_listen_overflows_total",
		 "# HELP lifeline_listen_overflows_total The kernel's TcpExt ListenOverflows since "
		 "lifeline started: handshakes that found a full accept queue, system-wide.\n"
		 "# TYPE lifeline_listen_overflows_total counter\n");
	free(t);
}

/* Two fork_echo parents and one nginx: summed by command, sorted by label. */
static void test_zombies_by_comm(void)
{
	static struct ll_hist h1, h2;
	struct ll_zombie_view z[3] = {
		{ .parent_pid = 11, .parent_comm = "nginx", .now = 1, .reaped = 0, .autoreaped = 7,
		  .oldest_now_us = 250000, .coalesced_sigchld = 0 },
		{ .parent_pid = 10, .parent_comm = "fork_echo", .now = 2, .reaped = 3,
		  .oldest_now_us = 1500000, .lifetime = &h1, .coalesced_sigchld = 4 },
		{ .parent_pid = 12, .parent_comm = "fork_echo", .now = 1, .reaped = 1,
		  .oldest_now_us = 2000001, .lifetime = &h2, .coalesced_sigchld = 1 },
	};
	struct ll_snapshot s = { .zombies = z, .nzombies = 3 };
	char *t;

	hist_add(&h1, 20);
	hist_add(&h1, 20);
	hist_add(&h1, 40);
	hist_add(&h2, 3000000);
	t = render(&s, NULL);
	if (!ASSERT_TRUE(t != NULL, "render"))
		return;
	block_is(t, "lifeline_zombies",
		 "# HELP lifeline_zombies Zombies now, by parent command.\n"
		 "# TYPE lifeline_zombies gauge\n"
		 "lifeline_zombies{parent_comm=\"fork_echo\"} 3\n"
		 "lifeline_zombies{parent_comm=\"nginx\"} 1\n");
	block_is(t, "lifeline_zombie_oldest_seconds",
		 "# HELP lifeline_zombie_oldest_seconds Age of the oldest zombie now "
		 "(0 when none), by parent command.\n"
		 "# TYPE lifeline_zombie_oldest_seconds gauge\n"
		 "lifeline_zombie_oldest_seconds{parent_comm=\"fork_echo\"} 2.000001\n"
		 "lifeline_zombie_oldest_seconds{parent_comm=\"nginx\"} 0.25\n");
	block_is(t, "lifeline_reaps_total",
		 "# HELP lifeline_reaps_total Children reaped, by parent command and how: wait "
		 "(wait4, waitid, or freed without a wait seen) or autoreap (SIGCHLD ignored or "
		 "SA_NOCLDWAIT: never a zombie).\n"
		 "# TYPE lifeline_reaps_total counter\n"
		 "lifeline_reaps_total{parent_comm=\"fork_echo\",how=\"autoreap\"} 0\n"
		 "lifeline_reaps_total{parent_comm=\"fork_echo\",how=\"wait\"} 4\n"
		 "lifeline_reaps_total{parent_comm=\"nginx\",how=\"autoreap\"} 7\n"
		 "lifeline_reaps_total{parent_comm=\"nginx\",how=\"wait\"} 0\n");
	block_is(t, "lifeline_sigchld_coalesced_total",
		 "# HELP lifeline_sigchld_coalesced_total SIGCHLD signals merged into one already "
		 "pending, by parent command.\n"
		 "# TYPE lifeline_sigchld_coalesced_total counter\n"
		 "lifeline_sigchld_coalesced_total{parent_comm=\"fork_echo\"} 5\n"
		 "lifeline_sigchld_coalesced_total{parent_comm=\"nginx\"} 0\n");
	/* The two histograms merged: 20, 20, 40 and 3 s; nginx has none, so all zeros. */
	ASSERT_TRUE(strstr(t, "lifeline_zombie_lifetime_seconds_bucket{parent_comm=\"fork_echo\","
			   "le=\"0.000032\"} 2\n"
			   "lifeline_zombie_lifetime_seconds_bucket{parent_comm=\"fork_echo\","
			   "le=\"0.000064\"} 3\n") != NULL, "merged buckets");
	ASSERT_TRUE(strstr(t, "lifeline_zombie_lifetime_seconds_sum{parent_comm=\"fork_echo\"} "
			   "3.00008\n"
			   "lifeline_zombie_lifetime_seconds_count{parent_comm=\"fork_echo\"} 4\n")
		    != NULL, "merged sum and count");
	ASSERT_TRUE(strstr(t, "lifeline_zombie_lifetime_seconds_bucket{parent_comm=\"nginx\","
			   "le=\"+Inf\"} 0\n"
			   "lifeline_zombie_lifetime_seconds_sum{parent_comm=\"nginx\"} 0\n"
			   "lifeline_zombie_lifetime_seconds_count{parent_comm=\"nginx\"} 0\n")
		    != NULL, "empty histogram");
	/* The views' histograms are not touched by the merge. */
	ASSERT_EQ(h1.count, 3, "h1 unchanged");
	free(t);
}

/*
 * One histogram, every line: values in whole microseconds 0, 15, 16, 100, 1000, 3 s and ~2.8 h
 * (past the last bucket). A stored 16 means 16.000-16.999 us, more than le 16 us: it counts from
 * the 32 us bucket on.
 */
/* Failed forks summed by command and errno; zombies by their parent's cgroup, root left out. */
static void test_containers(void)
{
	struct ll_forkfail_view ff[3] = {
		{ .pid = 20, .comm = "git", .err = 11, .count = 13, .pids_max = 8 },
		{ .pid = 21, .comm = "git", .err = 11, .count = 2, .pids_max = 8 },
		{ .pid = 22, .comm = "sh", .err = 12, .count = 1, .pids_max = -1 },
	};
	struct ll_zombie_view z[3] = {
		{ .parent_pid = 1, .parent_comm = "node", .now = 5, .cgroup = "/docker/a\"b" },
		{ .parent_pid = 2, .parent_comm = "node", .now = 2, .cgroup = "/docker/a\"b" },
		{ .parent_pid = 3, .parent_comm = "bash", .now = 4 },
	};
	struct ll_snapshot s = { .forkfails = ff, .nforkfails = 3, .fork_failures = 16,
				 .zombies = z, .nzombies = 3 };
	char *t = render(&s, NULL);

	if (!ASSERT_TRUE(t != NULL, "render"))
		return;
	block_is(t, "lifeline_fork_failures_total",
		 "# HELP lifeline_fork_failures_total Failed fork/vfork/clone/clone3 calls, by "
		 "command and errno (EAGAIN: a pids cgroup or process limit).\n"
		 "# TYPE lifeline_fork_failures_total counter\n"
		 "lifeline_fork_failures_total{comm=\"git\",errno=\"EAGAIN\"} 15\n"
		 "lifeline_fork_failures_total{comm=\"sh\",errno=\"ENOMEM\"} 1\n");
	block_is(t, "lifeline_cgroup_zombies",
		 "# HELP lifeline_cgroup_zombies Zombies now, by the cgroup v2 path of their parent "
		 "(not the root cgroup).\n"
		 "# TYPE lifeline_cgroup_zombies gauge\n"
		 "lifeline_cgroup_zombies{cgroup=\"/docker/a\\\"b\"} 7\n");
	free(t);
}

static void test_histogram_exact(void)
{
	static const uint64_t vals[] = { 0, 15, 16, 100, 1000, 3000000, 10000000000ULL };
	static struct ll_hist q;
	struct ll_listener_view l = { .pid = 20, .comm = "nginx", .port = 80, .accepts = 7,
		.errors = 1, .handled_by_fork = 2, .queue = &q };
	struct ll_snapshot s = { .listeners = &l, .nlisteners = 1 };
	size_t i;
	char *t;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		hist_add(&q, vals[i]);
	t = render(&s, NULL);
	if (!ASSERT_TRUE(t != NULL, "render"))
		return;
#define B(le, n) "lifeline_accept_queue_wait_seconds_bucket{comm=\"nginx\",port=\"80\",le=\"" \
	le "\"} " #n "\n"
	block_is(t, "lifeline_accept_queue_wait_seconds",
		 "# HELP lifeline_accept_queue_wait_seconds From handshake complete to accept() "
		 "returning it, by listening command and port.\n"
		 "# TYPE lifeline_accept_queue_wait_seconds histogram\n"
		 B("0.000016", 2) B("0.000032", 3) B("0.000064", 3) B("0.000128", 4)
		 B("0.000256", 4) B("0.000512", 4) B("0.001024", 5) B("0.002048", 5)
		 B("0.004096", 5) B("0.008192", 5) B("0.016384", 5) B("0.032768", 5)
		 B("0.065536", 5) B("0.131072", 5) B("0.262144", 5) B("0.524288", 5)
		 B("1.048576", 5) B("2.097152", 5) B("4.194304", 6) B("8.388608", 6)
		 B("16.777216", 6) B("33.554432", 6) B("67.108864", 6) B("134.217728", 6)
		 B("268.435456", 6) B("536.870912", 6) B("1073.741824", 6) B("2147.483648", 6)
		 B("4294.967296", 6) B("8589.934592", 6) B("+Inf", 7)
		 "lifeline_accept_queue_wait_seconds_sum{comm=\"nginx\",port=\"80\"} "
		 "10003.001131\n"
		 "lifeline_accept_queue_wait_seconds_count{comm=\"nginx\",port=\"80\"} 7\n");
#undef B
	block_is(t, "lifeline_accepts_total",
		 "# HELP lifeline_accepts_total Connections accepted, by listening command and "
		 "port.\n# TYPE lifeline_accepts_total counter\n"
		 "lifeline_accepts_total{comm=\"nginx\",port=\"80\"} 7\n");
	ASSERT_TRUE(strstr(t, "\nlifeline_accept_errors_total{comm=\"nginx\",port=\"80\"} 1\n") &&
		    strstr(t, "\nlifeline_accept_forked_total{comm=\"nginx\",port=\"80\"} 2\n"),
		    "errors and forked");
	free(t);
}

/* Label values: \ and " escaped, bytes that are not UTF-8 or are control characters as '?',
 * valid UTF-8 kept; two comms that end up the same are one series. */
static void test_escaping(void)
{
	struct ll_listener_view l[4] = {
		{ .pid = 1, .comm = "a\"b\\c", .port = 1, .accepts = 1 },
		{ .pid = 2, .comm = "x\ny\x01\x7f", .port = 1, .accepts = 2 },
		{ .pid = 3, .comm = "caf\xc3\xa9\xff\xe2\x82", .port = 1, .accepts = 4 },
		{ .pid = 4, .comm = "x?y\x02?", .port = 1, .accepts = 8 },
	};
	struct ll_orphan_view o = { .adopter_comm = "" , .alive = 1 };
	struct ll_snapshot s = { .listeners = l, .nlisteners = 4, .orphans = &o, .norphans = 1 };
	char *t = render(&s, NULL);

	if (!ASSERT_TRUE(t != NULL, "render"))
		return;
	block_is(t, "lifeline_accepts_total",
		 "# HELP lifeline_accepts_total Connections accepted, by listening command and "
		 "port.\n# TYPE lifeline_accepts_total counter\n"
		 "lifeline_accepts_total{comm=\"a\\\"b\\\\c\",port=\"1\"} 1\n"
		 "lifeline_accepts_total{comm=\"caf\xc3\xa9???\",port=\"1\"} 4\n"
		 "lifeline_accepts_total{comm=\"x?y??\",port=\"1\"} 10\n");
	/* An empty comm would read as "no label" to Prometheus. */
	ASSERT_TRUE(strstr(t, "\nlifeline_orphans{adopter_comm=\"?\"} 1\n") != NULL, "empty comm");
	free(t);
}

/* Ports are separate series; the same command on two ports, and one port held by two. */
static void test_ports(void)
{
	struct ll_listener_view l[3] = {
		{ .pid = 5, .comm = "nginx", .port = 443, .accepts = 10 },
		{ .pid = 6, .comm = "nginx", .port = 80, .accepts = 20 },
		{ .pid = 7, .comm = "nginx", .port = 80, .accepts = 30 },
	};
	struct ll_snapshot s = { .listeners = l, .nlisteners = 3 };
	struct prom_opts by_pid = { .by_pid = true };
	char *t = render(&s, NULL);

	if (!ASSERT_TRUE(t != NULL, "render"))
		return;
	ASSERT_TRUE(strstr(t, "\nlifeline_accepts_total{comm=\"nginx\",port=\"80\"} 50\n"
			      "lifeline_accepts_total{comm=\"nginx\",port=\"443\"} 10\n") != NULL,
		    "by comm and port, ports in numeric order");
	free(t);
	/* Asked for: one series per process. */
	t = render(&s, &by_pid);
	if (!ASSERT_TRUE(t != NULL, "render by pid"))
		return;
	ASSERT_TRUE(strstr(t, "\nlifeline_accepts_total{comm=\"nginx\",port=\"80\",pid=\"6\"} 20\n"
			      "lifeline_accepts_total{comm=\"nginx\",port=\"80\",pid=\"7\"} 30\n"
			      "lifeline_accepts_total{comm=\"nginx\",port=\"443\",pid=\"5\"} 10\n")
		    != NULL, "by pid");
	free(t);
}

/*
 * The listen backlog: per comm and port the largest limit and peak and every full accept;
 * a listener whose queue depth was never seen has no sample (unknown, not 0); the kernel's
 * counters as read.
 */
static void test_backlog(void)
{
	struct ll_listener_view l[4] = {
		{ .pid = 5, .comm = "fork_echo", .port = 80, .accepts = 20, .backlog_limit = 3,
		  .backlog_peak = 4, .backlog_full = 6 },
		{ .pid = 6, .comm = "fork_echo", .port = 80, .accepts = 5, .backlog_limit = 5,
		  .backlog_peak = 2, .backlog_full = 1 },
		{ .pid = 7, .comm = "fork_echo", .port = 81, .accepts = 1 },
		{ .pid = 8, .comm = "nginx", .port = 443, .accepts = 9, .backlog_limit = 511,
		  .backlog_peak = 1 },
	};
	struct ll_snapshot s = { .listeners = l, .nlisteners = 4, .netstat_known = true,
		.listen_overflows = 12, .listen_drops = 15 };
	char *t = render(&s, NULL);

	if (!ASSERT_TRUE(t != NULL, "render"))
		return;
	block_is(t, "lifeline_accept_backlog_limit",
		 "# HELP lifeline_accept_backlog_limit The listen queue's limit (the listen() "
		 "backlog, capped by somaxconn) at the last accept, by listening command and "
		 "port.\n"
		 "# TYPE lifeline_accept_backlog_limit gauge\n"
		 "lifeline_accept_backlog_limit{comm=\"fork_echo\",port=\"80\"} 5\n"
		 "lifeline_accept_backlog_limit{comm=\"nginx\",port=\"443\"} 511\n");
	ASSERT_TRUE(strstr(t, "\nlifeline_accept_backlog_peak{comm=\"fork_echo\",port=\"80\"} 4\n"
			      "lifeline_accept_backlog_peak{comm=\"nginx\",port=\"443\"} 1\n# HELP")
		    != NULL, "peak: the deepest of the two, port 81 left out");
	ASSERT_TRUE(strstr(t, "\nlifeline_accept_backlog_full_total{comm=\"fork_echo\","
			      "port=\"80\"} 7\n"
			      "lifeline_accept_backlog_full_total{comm=\"nginx\",port=\"443\"} 0\n")
		    != NULL, "full: summed, 0 where known and never full");
	ASSERT_TRUE(strstr(t, "port=\"81\"} 1\n") != NULL, "port 81's accepts are there");
	ASSERT_TRUE(strstr(t, "\nlifeline_listen_overflows_total 12\n") &&
		    strstr(t, "\nlifeline_listen_drops_total 15\n"), "the kernel's counters");
	free(t);
}

/* Threads of one command summed, dead ones included; busy and blocked from the histograms. */
static void test_loops(void)
{
	static struct ll_hist busy1, busy2, blocked1;
	struct ll_loop_view l[2] = {
		{ .pid = 30, .tid = 30, .comm = "redis-server", .alive = true, .wakeups = 100,
		  .events = 150, .timeouts = 5, .full = 1, .busy = &busy1, .blocked = &blocked1,
		  .stalls = 2, .max_stall_us = 60000, .calls = true, .busy_ns = 61500000,
		  .idle_ns = 2000000000, .unseen = 4 },
		{ .pid = 30, .tid = 31, .comm = "redis-server", .alive = false, .wakeups = 10,
		  .events = 10, .busy = &busy2, .blocked = NULL, .stalls = 1,
		  .max_stall_us = 120000, .calls = true, .busy_ns = 120000000, .unseen = 3 },
	};
	struct ll_snapshot s = { .loops = l, .nloops = 2 };
	char *t;

	hist_add(&busy1, 60000);
	hist_add(&busy1, 1500);
	hist_add(&busy2, 120000);
	hist_add(&blocked1, 2000000);
	t = render(&s, NULL);
	if (!ASSERT_TRUE(t != NULL, "render"))
		return;
	block_is(t, "lifeline_loop_busy_seconds_total",
		 "# HELP lifeline_loop_busy_seconds_total Time on CPU between waits, by command.\n"
		 "# TYPE lifeline_loop_busy_seconds_total counter\n"
		 "lifeline_loop_busy_seconds_total{comm=\"redis-server\"} 0.1815\n");
	ASSERT_TRUE(strstr(t, "\nlifeline_loop_wakeups_total{comm=\"redis-server\"} 110\n") &&
		    strstr(t, "\nlifeline_loop_events_total{comm=\"redis-server\"} 160\n") &&
		    strstr(t, "\nlifeline_loop_timeouts_total{comm=\"redis-server\"} 5\n") &&
		    strstr(t, "\nlifeline_loop_full_total{comm=\"redis-server\"} 1\n") &&
		    strstr(t, "\nlifeline_loop_blocked_seconds_total{comm=\"redis-server\"} 2\n") &&
		    strstr(t, "\nlifeline_loop_stalls_total{comm=\"redis-server\"} 3\n") &&
		    strstr(t, "\nlifeline_loop_stall_max_seconds{comm=\"redis-server\"} 0.12\n") &&
		    strstr(t, "\nlifeline_loop_unseen_switches_total{comm=\"redis-server\"} 7\n"),
		    "loop counters");
	free(t);
}

/*
 * --loops calls with a poll loop first (fork_echo's ppoll): it has no per-call samples, and the
 * epoll loop after it keeps its own.
 */
static void test_loops_mixed_waits(void)
{
	struct ll_loop_view l[2] = {
		{ .pid = 40, .tid = 40, .comm = "fork_echo", .alive = true, .wakeups = 50,
		  .wait = LL_WAIT_POLL },
		{ .pid = 41, .tid = 41, .comm = "redis-server", .alive = true, .wakeups = 9,
		  .events = 12, .timeouts = 2, .calls = true, .wait = LL_WAIT_EPOLL },
	};
	struct ll_snapshot s = { .loops = l, .nloops = 2 };
	char *t = render(&s, NULL);

	if (!ASSERT_TRUE(t != NULL, "render"))
		return;
	block_is(t, "lifeline_loop_events_total",
		 "# HELP lifeline_loop_events_total Events epoll_wait returned, by command.\n"
		 "# TYPE lifeline_loop_events_total counter\n"
		 "lifeline_loop_events_total{comm=\"redis-server\"} 12\n");
	ASSERT_TRUE(strstr(t, "\nlifeline_loop_wakeups_total{comm=\"fork_echo\"} 50\n") &&
		    strstr(t, "\nlifeline_loop_timeouts_total{comm=\"redis-server\"} 2\n") &&
		    !strstr(t, "lifeline_loop_timeouts_total{comm=\"fork_echo\"}"),
		    "the poll loop's wakeups, no per-call samples");
	free(t);
}

/* More label sets than PROM_MAX_SERIES: the least active (the views come most active first)
 * are summed into one set that no command name can spell. */
static void test_overflow(void)
{
	size_t n = PROM_MAX_SERIES + 10, i;
	struct ll_listener_view *l = calloc(n, sizeof(*l));
	struct ll_snapshot s = { .listeners = l, .nlisteners = n };
	char *t, want[128];

	if (!ASSERT_TRUE(l != NULL, "calloc"))
		return;
	for (i = 0; i < n; i++) {
		snprintf(l[i].comm, sizeof(l[i].comm), "srv%04zu", i);
		l[i].port = 8000;
		l[i].accepts = 1000 - i;
	}
	t = render(&s, NULL);
	if (!ASSERT_TRUE(t != NULL, "render")) {
		free(l);
		return;
	}
	ASSERT_EQ(count_lines(t, "lifeline_accepts_total{"), PROM_MAX_SERIES + 1, "series");
	/* The last 10 views: 1000-256 ... 1000-265, summed. */
	snprintf(want, sizeof(want), "\nlifeline_accepts_total{comm=\"" PROM_OTHER_COMM "\","
		 "port=\"other\"} %d\n", 10 * 1000 - (256 + 265) * 10 / 2);
	ASSERT_TRUE(strstr(t, want) != NULL, want);
	ASSERT_TRUE(strstr(t, "{comm=\"srv0255\",port=\"8000\"}") != NULL, "last kept");
	ASSERT_TRUE(strstr(t, "{comm=\"srv0256\"") == NULL, "first folded");
	ASSERT_TRUE(sizeof(PROM_OTHER_COMM) > LL_COMM_LEN, "no comm can spell it");
	free(t);
	free(l);
}

/* ---- the server ------------------------------------------------------------------------------ */

struct reply {
	int status;
	char type[128];
	char *body;
};

static int http(unsigned int port, const char *method, const char *path, struct reply *r)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { .tv_sec = 5 };
	size_t len = 0, cap = 65536;
	char req[256], *buf, *hdr_end, *ct;
	ssize_t n;
	int fd, ret = -1;

	memset(r, 0, sizeof(*r));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		ret = -errno;
		close(fd);
		return ret;
	}
	snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
		 "Content-Length: 0\r\n\r\n", method, path);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		goto out;
	buf = malloc(cap);
	if (!buf)
		goto out;
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb)
				break;
			buf = nb;
		}
	}
	buf[len] = '\0';
	hdr_end = strstr(buf, "\r\n\r\n");
	if (!hdr_end || sscanf(buf, "HTTP/1.1 %d", &r->status) != 1) {
		free(buf);
		goto out;
	}
	*hdr_end = '\0';
	ct = strcasestr(buf, "\r\nContent-Type: ");
	if (ct)
		sscanf(ct + 16, "%127[^\r]", r->type);
	r->body = strdup(hdr_end + 4);
	free(buf);
	ret = 0;
out:
	close(fd);
	return ret;
}

static struct ll_listener_view srv_views[2];
static struct ll_snapshot srv_snap[2];
static char *srv_text[2];

struct scraper {
	unsigned int port;
	int bad;
	int ok;
};

static void *scrape(void *arg)
{
	struct scraper *sc = arg;
	struct reply r;
	int i;

	for (i = 0; i < 40; i++) {
		if (http(sc->port, "GET", "/metrics", &r) || r.status != 200 || !r.body ||
		    (strcmp(r.body, srv_text[0]) && strcmp(r.body, srv_text[1])))
			sc->bad++;
		else
			sc->ok++;
		free(r.body);
	}
	return NULL;
}

static void test_server(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct scraper sc[4] = { 0 };
	struct prom_server *p = NULL, *p2 = NULL;
	pthread_t th[4];
	unsigned int port;
	struct reply r;
	char err[256];
	int i, ret;

	for (i = 0; i < 2; i++) {
		srv_views[i] = (struct ll_listener_view){ .pid = 1, .comm = "srv", .port = 80,
							  .accepts = 100 + i };
		srv_snap[i] = (struct ll_snapshot){ .listeners = &srv_views[i], .nlisteners = 1 };
		srv_text[i] = render(&srv_snap[i], NULL);
	}
	ret = prom_start((struct sockaddr *)&sin, sizeof(sin), "127.0.0.1:0", NULL, false, &p, err,
			 sizeof(err));
	if (!ASSERT_EQ(ret, 0, err))
		goto out;
	port = prom_port(p);
	ASSERT_GT(port, 0, "port");
	/* Before the first update there is nothing to serve yet. */
	ASSERT_TRUE(!http(port, "GET", "/metrics", &r) && r.status == 503, "503 before update");
	free(r.body);

	ASSERT_EQ(prom_update(p, &srv_snap[0]), 0, "update");
	if (ASSERT_TRUE(!http(port, "GET", "/metrics", &r) && r.status == 200, "GET /metrics")) {
		ASSERT_STREQ(r.type, "text/plain; version=0.0.4; charset=utf-8", "content type");
		ASSERT_STREQ(r.body, srv_text[0], "body is the exposition");
	}
	free(r.body);
	ASSERT_TRUE(!http(port, "HEAD", "/metrics", &r) && r.status == 200 && !r.body[0], "HEAD");
	free(r.body);
	ASSERT_TRUE(!http(port, "GET", "/", &r) && r.status == 200 && strstr(r.body, "/metrics"),
		    "index");
	free(r.body);
	ASSERT_TRUE(!http(port, "GET", "/metricsx", &r) && r.status == 404, "404");
	free(r.body);
	ASSERT_TRUE(!http(port, "POST", "/metrics", &r) && r.status == 405, "405");
	free(r.body);

	/* Scrapes while main swaps: each gets one whole exposition or the other. */
	for (i = 0; i < 4; i++) {
		sc[i].port = port;
		pthread_create(&th[i], NULL, scrape, &sc[i]);
	}
	for (i = 0; i < 400; i++) {
		prom_update(p, &srv_snap[i % 2]);
		usleep(500);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ASSERT_EQ(sc[i].bad, 0, "torn or failed scrapes");
		ASSERT_EQ(sc[i].ok, 40, "scrapes");
	}

	/* The port is taken: one sentence that says so. */
	sin.sin_port = htons(port);
	ret = prom_start((struct sockaddr *)&sin, sizeof(sin), "127.0.0.1:PORT", NULL, false, &p2,
			 err, sizeof(err));
	ASSERT_EQ(ret, -EADDRINUSE, "second server on the port");
	ASSERT_STREQ(err, "cannot listen on 127.0.0.1:PORT for --prometheus: Address already in "
		     "use (something else listens there: pick another port)", "message");
	ASSERT_TRUE(p2 == NULL, "no server");

	prom_stop(p);
	p = NULL;
	ASSERT_EQ(http(port, "GET", "/metrics", &r), -ECONNREFUSED, "closed after stop");
out:
	prom_stop(p);
	prom_update(NULL, &srv_snap[0]);
	free(srv_text[0]);
	free(srv_text[1]);
}

int main(void)
{
	RUN_TEST(test_globals);
	RUN_TEST(test_zombies_by_comm);
	RUN_TEST(test_containers);
	RUN_TEST(test_histogram_exact);
	RUN_TEST(test_escaping);
	RUN_TEST(test_ports);
	RUN_TEST(test_backlog);
	RUN_TEST(test_loops);
	RUN_TEST(test_loops_mixed_waits);
	RUN_TEST(test_overflow);
	RUN_TEST(test_server);
	return TEST_MAIN_END();
}
