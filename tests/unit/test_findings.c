// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Findings: each problem a snapshot shows gives its finding, with its numbers and its fix; a
 * clean snapshot gives none; the worst comes first. */
#include <string.h>
#include "test.h"
#include "findings.h"

static const struct ll_findings_ctx ctx = { .stall_ms = 50, .ringbuf_kb = 4096 };

static struct ll_hist hist_of(uint64_t v, unsigned int n)
{
	struct ll_hist h;
	unsigned int i;

	memset(&h, 0, sizeof(h));
	for (i = 0; i < n; i++)
		hist_add(&h, v);
	return h;
}

static void test_clean_run_has_none(void)
{
	struct ll_hist h = hist_of(300, 20), q = hist_of(200, 20);
	struct ll_zombie_view z = { .parent_pid = 10, .reaped = 20, .lifetime = &h,
				    .cause = CAUSE_NONE };
	struct ll_listener_view l = { .pid = 11, .port = 80, .accepts = 20, .queue = &q };
	struct ll_loop_view lp = { .pid = 12, .tid = 12, .alive = true, .wakeups = 100 };
	struct ll_snapshot s = { .zombies = &z, .nzombies = 1, .listeners = &l, .nlisteners = 1,
				 .loops = &lp, .nloops = 1 };
	struct ll_finding f[LL_FINDINGS_MAX];

	ASSERT_EQ(findings_compute(&s, &ctx, f, LL_FINDINGS_MAX), 0, "nothing wrong");
}

static void test_zombie_causes(void)
{
	struct ll_hist h = hist_of(2000, 3);
	struct ll_zombie_view z[] = {
		{ .parent_pid = 4200, .parent_comm = "fork_echo", .now = 39,
		  .oldest_now_us = 2000000, .lifetime = &h, .cause = CAUSE_NEVER_WAITS },
		{ .parent_pid = 4300, .parent_comm = "fork_echo", .now = 2, .reaped = 58,
		  .oldest_now_us = 1000, .coalesced_sigchld = 40, .lifetime = &h,
		  .cause = CAUSE_COALESCED },
	};
	struct ll_snapshot s = { .zombies = z, .nzombies = 2 };
	struct ll_finding f[LL_FINDINGS_MAX];
	size_t n = findings_compute(&s, &ctx, f, LL_FINDINGS_MAX);

	if (!ASSERT_EQ(n, 2, "one per leaking parent"))
		return;
	ASSERT_EQ(f[0].pid, 4200, "39 zombies now is the worst");
	ASSERT_EQ(f[0].severity, SEV_HIGH, "39 now is high");
	ASSERT_TRUE(strstr(f[0].what, "39 zombies now, the oldest 2.00s") != NULL, f[0].what);
	ASSERT_TRUE(strstr(f[0].advice, "waitpid()") != NULL, f[0].advice);
	ASSERT_STREQ(f[0].comm, "fork_echo", "comm");
	ASSERT_EQ(f[1].severity, SEV_MEDIUM, "2 now is medium");
	ASSERT_TRUE(strstr(f[1].what, "40 SIGCHLD coalesced") != NULL, f[1].what);
	ASSERT_TRUE(strstr(f[1].advice, "loop waitpid(-1, &st, WNOHANG) until it returns 0") !=
		    NULL, f[1].advice);
	ASSERT_TRUE(findings_cover(f, n, TOPIC_ZOMBIES, 1), "covers the coalesced row");
	ASSERT_FALSE(findings_cover(f, n, TOPIC_LOOP, 0), "not loops");
}

static void test_init_never_waits(void)
{
	struct ll_hist e = hist_of(0, 0);
	struct ll_zombie_view z = { .parent_pid = 900, .parent_comm = "myinit", .now = 3,
				    .oldest_now_us = 5000, .lifetime = &e,
				    .cause = CAUSE_NEVER_WAITS };
	struct ll_orphan_view o = { .adopter_pid = 900, .adopter_comm = "myinit", .adopted = 3,
				    .exited = 3, .lifetime = &e, .reap = &e };
	struct ll_snapshot s = { .zombies = &z, .nzombies = 1, .orphans = &o, .norphans = 1 };
	struct ll_finding f[LL_FINDINGS_MAX];
	size_t n = findings_compute(&s, &ctx, f, LL_FINDINGS_MAX);

	if (!ASSERT_EQ(n, 1, "one finding: the orphans are the init's zombies"))
		return;
	ASSERT_EQ(f[0].severity, SEV_HIGH, "high");
	ASSERT_TRUE(strstr(f[0].what, "container init") != NULL, f[0].what);
	ASSERT_TRUE(strstr(f[0].advice, "tini") != NULL, f[0].advice);
}

static void test_orphans_unreaped_and_alive(void)
{
	struct ll_hist e = hist_of(0, 0), r = hist_of(40, 1);
	struct ll_orphan_view o[] = {
		{ .adopter_pid = 1, .adopter_comm = "systemd", .adopted = 4, .exited = 3,
		  .lifetime = &e, .reap = &r },
		{ .adopter_pid = 77, .adopter_comm = "sub", .adopted = 1, .alive = 1,
		  .lifetime = &e, .reap = &e },
	};
	struct ll_snapshot s = { .orphans = o, .norphans = 2 };
	struct ll_finding f[LL_FINDINGS_MAX];
	size_t n = findings_compute(&s, &ctx, f, LL_FINDINGS_MAX);

	if (!ASSERT_EQ(n, 2, "two"))
		return;
	ASSERT_EQ(f[0].severity, SEV_MEDIUM, "unreaped first");
	ASSERT_TRUE(strstr(f[0].what, "2 orphans adopted by systemd (1) exited and were never "
			   "reaped") != NULL, f[0].what);
	ASSERT_EQ(f[1].severity, SEV_LOW, "a live orphan is low");
}

static void test_queue_and_stall_and_lost(void)
{
	struct ll_hist q = hist_of(150000, 10), b = hist_of(100, 10);
	struct ll_listener_view l = { .pid = 5, .comm = "nginx", .port = 8080, .accepts = 10,
				      .queue = &q };
	struct ll_loop_view lp = { .pid = 6, .tid = 7, .comm = "redis", .alive = true,
				   .stalls = 10, .max_stall_us = 80000, .busy = &b, .blocked = &b };
	struct ll_snapshot s = { .listeners = &l, .nlisteners = 1, .loops = &lp, .nloops = 1,
				 .lost = 12 };
	struct ll_finding f[LL_FINDINGS_MAX];
	size_t n;

	s.lost_by_type[LL_REC_EXIT] = 12;
	n = findings_compute(&s, &ctx, f, LL_FINDINGS_MAX);
	if (!ASSERT_EQ(n, 3, "three"))
		return;
	ASSERT_TRUE(strstr(f[0].what, "12 kernel events were lost") != NULL, f[0].what);
	ASSERT_TRUE(strstr(f[0].advice, "--ringbuf-kb (now 4096)") != NULL, f[0].advice);
	ASSERT_EQ(f[1].severity, SEV_HIGH, "150 ms queue p99 is high");
	ASSERT_TRUE(strstr(f[1].what, "port 8080") && strstr(f[1].what, "p99 1"), f[1].what);
	ASSERT_EQ(f[2].severity, SEV_MEDIUM, "80 ms stalls are medium");
	ASSERT_TRUE(strstr(f[2].what, "stalled 10 times, up to 80.0ms") != NULL, f[2].what);
}

static void test_fork_failures_and_backlog(void)
{
	struct ll_forkfail_view ff[] = {
		{ .pid = 77, .comm = "node", .err = 11, .count = 13, .pids_current = 8,
		  .pids_max = 8 },
		{ .pid = 78, .comm = "make", .err = 12, .count = 1, .pids_current = -1,
		  .pids_max = -1 },
	};
	struct ll_listener_view l = { .pid = 11, .comm = "fork_echo", .port = 8080, .accepts = 20,
				      .backlog_limit = 3, .backlog_peak = 4, .backlog_full = 6 };
	struct ll_snapshot s = { .forkfails = ff, .nforkfails = 2, .fork_failures = 14,
				 .listeners = &l, .nlisteners = 1, .netstat_known = true,
				 .listen_overflows = 62, .listen_drops = 62 };
	struct ll_finding f[LL_FINDINGS_MAX];
	size_t n = findings_compute(&s, &ctx, f, LL_FINDINGS_MAX);

	if (!ASSERT_EQ(n, 3, "two processes whose forks failed, one full queue"))
		return;
	ASSERT_EQ(f[0].pid, 77, "13 failures first");
	ASSERT_EQ(f[0].severity, SEV_HIGH, "a failed fork is high");
	ASSERT_TRUE(strstr(f[0].what, "13 forks failed with EAGAIN (pids cgroup 8 of 8)") != NULL,
		    f[0].what);
	ASSERT_TRUE(strstr(f[0].advice, "tini") != NULL, f[0].advice);
	ASSERT_TRUE(strstr(f[1].what, "1 fork failed with ENOMEM") != NULL, f[1].what);
	ASSERT_TRUE(strstr(f[1].what, "pids cgroup") == NULL, "no limit, no cgroup numbers");
	ASSERT_EQ(f[2].severity, SEV_MEDIUM, "a full queue is medium");
	ASSERT_TRUE(strstr(f[2].what, "full (limit 3) at 6 of 20 accepts") != NULL, f[2].what);
	ASSERT_TRUE(strstr(f[2].what, "dropped 62 handshakes") != NULL, f[2].what);
	ASSERT_TRUE(strstr(f[2].advice, "somaxconn") != NULL, f[2].advice);
}

int main(void)
{
	RUN_TEST(test_clean_run_has_none);
	RUN_TEST(test_zombie_causes);
	RUN_TEST(test_init_never_waits);
	RUN_TEST(test_orphans_unreaped_and_alive);
	RUN_TEST(test_queue_and_stall_and_lost);
	RUN_TEST(test_fork_failures_and_backlog);
	return TEST_MAIN_END();
}
