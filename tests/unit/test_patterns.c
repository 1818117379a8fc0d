// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The classic patterns' prose and numbers: wait status words, vfork sentences, the kernel's
 * listen counters from /proc/net/netstat. */
#include <errno.h>
#include <stdlib.h>
#include "test.h"
#include "netstat.h"
#include "render.h"
#include "render_patterns.h"

static void test_wait_status_words(void)
{
	char b[96];

	ASSERT_STREQ(pat_wait_status(b, sizeof(b), 0), "WIFEXITED, WEXITSTATUS 0", "exit 0");
	ASSERT_STREQ(pat_wait_status(b, sizeof(b), 7 << 8), "WIFEXITED, WEXITSTATUS 7", "exit 7");
	ASSERT_STREQ(pat_wait_status(b, sizeof(b), 6 | 0x80),
		     "WIFSIGNALED, WTERMSIG 6 (SIGABRT), WCOREDUMP", "abort with core");
	ASSERT_STREQ(pat_wait_status(b, sizeof(b), 8), "WIFSIGNALED, WTERMSIG 8 (SIGFPE)",
		     "SIGFPE, no core");
}

static void test_fork_how_names(void)
{
	ASSERT_STREQ(pat_fork_how(LL_FORK_FORK), "fork", "fork");
	ASSERT_STREQ(pat_fork_how(LL_FORK_VFORK), "vfork", "vfork");
	ASSERT_STREQ(pat_fork_how(LL_FORK_CLONE), "clone", "clone");
	ASSERT_TRUE(pat_fork_how(LL_FORK_UNKNOWN) == NULL, "unknown is left out");
}

static void test_explain_vfork_exec(void)
{
	struct ll_render_opts o = { .explain = true };
	struct ll_event ev = { .kind = EV_EXEC, .pid = 4211, .ppid = 4200, .comm = "ls" };
	char b[1024];

	ev.exec.filename = "/bin/ls";
	ev.exec.vfork_child = true;
	ev.exec.vfork_wait_us = 1200;
	render_explain(&o, &ev, b, sizeof(b));
	ASSERT_TRUE(strstr(b, "4200 was suspended 1.20ms until its vfork child 4211 exec'd "
			   "/bin/ls"), b);
	ev.exec.vfork_child = false;
	render_explain(&o, &ev, b, sizeof(b));
	ASSERT_FALSE(strstr(b, "suspended"), "not a vfork child: no clause");
}

static void test_explain_exit_status(void)
{
	struct ll_render_opts o = { .explain = true };
	struct ll_event ev = { .kind = EV_EXIT, .pid = 7, .ppid = 1, .comm = "x" };
	char b[1024];

	ev.exit.status = 6 | 0x80;
	ev.exit.zombie = true;
	ev.exit.age_us = LL_UNKNOWN;
	render_explain(&o, &ev, b, sizeof(b));
	ASSERT_TRUE(strstr(b, "WIFSIGNALED, WTERMSIG 6 (SIGABRT), WCOREDUMP"), b);
}

static void test_explain_stop(void)
{
	struct ll_render_opts o = { .explain = true };
	struct ll_event ev = { .kind = EV_SIGCHLD, .pid = 1, .comm = "p" };
	char b[1024];

	ev.sigchld.from_pid = 9;
	ev.sigchld.result = LL_SIG_IGNORED;
	ev.sigchld.code = 5;	/* CLD_STOPPED */
	ev.sigchld.status = 19;
	render_explain(&o, &ev, b, sizeof(b));
	ASSERT_TRUE(strstr(b, "WIFSTOPPED, WSTOPSIG 19 (SIGSTOP): 9 was stopped, not reaped"), b);
	/* A SIGCONT before the notice: the kernel's siginfo carries 0, no WSTOPSIG is invented. */
	ev.sigchld.status = 0;
	render_explain(&o, &ev, b, sizeof(b));
	ASSERT_TRUE(strstr(b, "WIFSTOPPED: 9 was stopped, not reaped") && !strstr(b, "WSTOPSIG"), b);
	ASSERT_TRUE(strstr(b, "no stop signal") != NULL, b);
}

#define NETSTAT_HEAD "TcpExt: SyncookiesSent ListenOverflows ListenDrops TCPHPHits\n"
#define IPEXT "IpExt: InNoRoutes\nIpExt: 0\n"

static void test_netstat_parse(void)
{
	struct ll_listen_counters c = { 0, 0 };

	if (ASSERT_EQ(netstat_parse_listen(NETSTAT_HEAD "TcpExt: 0 62 64 9\n" IPEXT, &c), 0,
		      "parse"))
		ASSERT_TRUE(c.overflows == 62 && c.drops == 64, "values by name, not position");
	ASSERT_EQ(netstat_parse_listen(IPEXT, &c), -EINVAL, "no TcpExt lines");
	ASSERT_EQ(netstat_parse_listen(NETSTAT_HEAD, &c), -EINVAL, "names without values");
	ASSERT_EQ(netstat_parse_listen(NETSTAT_HEAD "TcpExt: 0 6x 1 2\n", &c), -EINVAL,
		  "garbage value");
	ASSERT_EQ(netstat_parse_listen(NETSTAT_HEAD "TcpExt: 0 62\n", &c), -EINVAL,
		  "fewer values than names");
	ASSERT_EQ(netstat_parse_listen("TcpExt: ListenOverflows\nTcpExt: 5\n", &c), -EINVAL,
		  "ListenDrops missing");
	ASSERT_TRUE(c.overflows == 62 && c.drops == 64, "failures leave out untouched");
}

static void test_netstat_read_proc(void)
{
	struct ll_listen_counters c;

	ASSERT_EQ(netstat_read_listen(NULL, &c), 0, "this kernel's /proc/net/netstat");
	ASSERT_LE(c.overflows, c.drops, "every overflow is also a drop");
	ASSERT_EQ(netstat_read_listen("/nonexistent/netstat", &c), -ENOENT, "missing file");
}

/* The summary: vforks per parent, the listen queue per listener, the kernel's counters. */
static char *summary_of(const struct ll_snapshot *snap, bool json)
{
	struct ll_render_opts o = { .json = json };
	char *buf = NULL;
	size_t len = 0;

	o.out = open_memstream(&buf, &len);
	if (!o.out)
		return NULL;
	render_summary(&o, snap);
	fclose(o.out);
	return buf;
}

static void test_summary_fields(void)
{
	struct ll_zombie_view z = { .parent_pid = 4200, .parent_comm = "shell", .reaped = 2,
				    .vforks = 2 };
	struct ll_listener_view l = { .pid = 4300, .comm = "fork_echo", .port = 8080,
				      .accepts = 20, .backlog_limit = 3, .backlog_peak = 4,
				      .backlog_full = 6 };
	struct ll_snapshot snap = { .zombies = &z, .nzombies = 1, .listeners = &l,
				    .nlisteners = 1, .netstat_known = true,
				    .listen_overflows = 62, .listen_drops = 63 };
	char *text = summary_of(&snap, false), *json = summary_of(&snap, true);

	if (!ASSERT_TRUE(text && json, "rendered"))
		goto out;
	ASSERT_TRUE(strstr(text, "vforks: 2 children made with vfork"), text);
	ASSERT_TRUE(strstr(text, "listen queue: limit 3, peak 4, full at 6 accepts; kernel: 62 "
			   "overflows, 63 drops (system-wide)"), text);
	ASSERT_TRUE(strstr(json, "\"vforks\":2"), json);
	ASSERT_TRUE(strstr(json, "\"backlog_limit\":3,\"backlog_peak\":4,\"backlog_full\":6"),
		    json);
	ASSERT_TRUE(strstr(json, "\"listen_overflows\":62,\"listen_drops\":63"), json);
	free(text);
	free(json);
	snap.netstat_known = false;
	l.backlog_peak = 0;
	text = summary_of(&snap, false);
	json = summary_of(&snap, true);
	if (!ASSERT_TRUE(text && json, "rendered"))
		goto out;
	ASSERT_FALSE(strstr(json, "listen_overflows") || strstr(json, "backlog_peak"),
		     "unknown: left out");
	ASSERT_FALSE(strstr(text, "listen queue"), "no queue read: no line");
out:
	free(text);
	free(json);
}

int main(void)
{
	RUN_TEST(test_wait_status_words);
	RUN_TEST(test_fork_how_names);
	RUN_TEST(test_explain_vfork_exec);
	RUN_TEST(test_explain_exit_status);
	RUN_TEST(test_explain_stop);
	RUN_TEST(test_netstat_parse);
	RUN_TEST(test_netstat_read_proc);
	RUN_TEST(test_summary_fields);
	return TEST_MAIN_END();
}
