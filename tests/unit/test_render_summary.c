// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The summary renderers (text and JSON), checked field by field against a sample snapshot (the
 * fixture: render_fixture.h).
 */
#include "render_fixture.h"

/* ---- summaries ------------------------------------------------------------------------------ */

static struct ll_hist h_life, h_empty, h_q, h_busy, h_blk, h_olife, h_oreap;

static struct ll_snapshot sample_snapshot(bool final, uint64_t lost)
{
	static struct ll_zombie_view z[2];
	static struct ll_orphan_view o[1];
	static struct ll_listener_view l[1];
	static struct ll_loop_view lp[1];
	static const uint64_t life[] = { 0, 1, 3, 5, 5, 100 };
	struct ll_snapshot s;
	unsigned int i;

	memset(&h_life, 0, sizeof(h_life));
	memset(&h_q, 0, sizeof(h_q));
	memset(&h_busy, 0, sizeof(h_busy));
	memset(&h_blk, 0, sizeof(h_blk));
	memset(&h_olife, 0, sizeof(h_olife));
	memset(&h_oreap, 0, sizeof(h_oreap));
	for (i = 0; i < sizeof(life) / sizeof(life[0]); i++)
		hist_add(&h_life, life[i]);
	hist_add(&h_q, 120);
	hist_add(&h_busy, 7);
	hist_add(&h_blk, 900);
	hist_add(&h_olife, 2000000);
	hist_add(&h_oreap, 40);
	z[0] = (struct ll_zombie_view){ .parent_pid = 4200, .parent_comm = "ba\"sh", .reaped = 6,
					.now = 2, .autoreaped = 1, .oldest_now_us = 1500,
					.lifetime = &h_life, .coalesced_sigchld = 4,
					.cause = CAUSE_COALESCED };
	z[1] = (struct ll_zombie_view){ .parent_pid = 77, .parent_comm = "idle",
					.lifetime = &h_empty, .cause = CAUSE_NONE };
	o[0] = (struct ll_orphan_view){ .adopter_pid = 1, .adopter_comm = "systemd", .adopted = 3,
					.alive = 1, .exited = 2, .lifetime = &h_olife,
					.reap = &h_oreap };
	l[0] = (struct ll_listener_view){ .pid = 5000, .comm = "nginx", .port = 80, .accepts = 10,
					  .rate = 2.5, .queue = &h_q, .handled_by_fork = 3 };
	lp[0] = (struct ll_loop_view){ .pid = 6000, .tid = 6001, .comm = "node", .alive = true,
				       .wakeups = 100, .events = 250, .timeouts = 2, .full = 1,
				       .busy_pct = 42.5, .blocked = &h_blk, .busy = &h_busy,
				       .stalls = 1, .max_stall_us = 240000, .et_fds = -1,
				       .lt_fds = -1, .wakeups_rate = 10, .calls = true };
	memset(&s, 0, sizeof(s));
	s.ts_ns = 5000000000ULL;
	s.elapsed_s = 4.25;
	s.events = 1234;
	s.lost = lost;
	s.lost_by_type[LL_REC_EXIT] = lost;
	s.final = final;
	s.procs = (struct ll_proc_totals){ .forks = 10, .execs = 9, .exits = 8, .reaps = 6,
					   .autoreaped = 1, .zombies_now = 2, .orphans_now = 1 };
	s.zombies = z;
	s.nzombies = 2;
	s.orphans = o;
	s.norphans = 1;
	s.listeners = l;
	s.nlisteners = 1;
	s.loops = lp;
	s.nloops = 1;
	return s;
}

static const char *render_sum_full(const struct ll_snapshot *s, bool json, bool full)
{
	FILE *f = out_open();
	struct ll_render_opts o = ropts(f, json, false);

	o.full = full;
	render_summary(&o, s);
	return out_close(f);
}

static const char *render_sum(const struct ll_snapshot *s, bool json)
{
	return render_sum_full(s, json, false);
}

static void test_summary_json(void)
{
	struct ll_snapshot s = sample_snapshot(true, 7);
	char v[4096];
	const char *doc = render_sum(&s, true);

	if (!ASSERT_EQ(count_char(doc, '\n'), 1, "exactly one line"))
		return;
	out_buf[out_len - 1] = '\0';
	if (!ASSERT_TRUE(json_valid(doc), doc))
		return;
	EXPECT_FIELDS(doc, "type", "\"summary\"", "ts_ns", "5000000000", "elapsed_s", "4.250",
		      "events", "1234", "lost", "7", "final", "true");
	ASSERT_TRUE(JPATH(doc, v, "processes"), "processes");
	EXPECT_FIELDS(v, "forks", "10", "execs", "9", "exits", "8", "zombies_now", "2",
		      "orphans_now", "1");
	ASSERT_TRUE(JPATH(doc, v, "zombies", "0"), "zombies[0]");
	EXPECT_FIELDS(v, "parent_pid", "4200", "parent_comm", "\"ba\\\"sh\"", "reaped", "6", "now",
		      "2", "autoreaped", "1", "oldest_now_us", "1500", "coalesced_sigchld", "4",
		      "cause", "\"coalesced\"");
	ASSERT_TRUE(JPATH(doc, v, "zombies", "0", "lifetime_us"), "lifetime_us");
	/* 100 lies in the log-linear slot 96..103, whose middle is 99; max is exact. */
	EXPECT_FIELDS(v, "p50", "5", "p99", "99", "max", "100");
	ASSERT_TRUE(JPATH(doc, v, "zombies", "1", "lifetime_us"), "empty histogram");
	ASSERT_STREQ(v, "null", "an empty histogram is null");
	ASSERT_TRUE(JPATH(doc, v, "orphans", "0"), "orphans[0]");
	EXPECT_FIELDS(v, "adopter_pid", "1", "adopter_comm", "\"systemd\"", "adopted", "3", "alive",
		      "1", "exited", "2");
	ASSERT_TRUE(JPATH(doc, v, "orphans", "0", "reap_us", "max"), "reap_us");
	ASSERT_STREQ(v, "40", "reap max");
	ASSERT_TRUE(JPATH(doc, v, "listeners", "0"), "listeners[0]");
	EXPECT_FIELDS(v, "pid", "5000", "comm", "\"nginx\"", "port", "80", "accepts", "10",
		      "handled_by_fork", "3");
	ASSERT_TRUE(JPATH(doc, v, "listeners", "0", "queue_us", "p99"), "queue p99");
	ASSERT_STREQ(v, "120", "queue p99");
	ASSERT_TRUE(JPATH(doc, v, "loops", "0"), "loops[0]");
	EXPECT_FIELDS(v, "pid", "6000", "tid", "6001", "comm", "\"node\"", "wakeups", "100",
		      "events", "250", "timeouts", "2", "full", "1", "busy_pct", "42.50", "stalls",
		      "1", "max_stall_us", "240000");
	ASSERT_TRUE(has_key(v, "blocked_us") && has_key(v, "busy_us"), "loop histograms");
	ASSERT_FALSE(has_key(v, "et_fds") || has_key(v, "lt_fds"), "unknown et/lt absent");
	ASSERT_TRUE(JPATH(doc, v, "lost_by_type"), "lost_by_type");
	EXPECT_FIELDS(v, "exit", "7");
}

static void test_summary_json_empty(void)
{
	struct ll_snapshot s;
	const char *doc;

	memset(&s, 0, sizeof(s));
	doc = render_sum(&s, true);
	out_buf[out_len - 1] = '\0';
	ASSERT_TRUE(json_valid(doc), doc);
	EXPECT_FIELDS(doc, "zombies", "[]", "orphans", "[]", "listeners", "[]", "loops", "[]",
		      "lost", "0", "lost_by_type", "{}", "final", "false");
}

static void test_summary_text_lost(void)
{
	struct ll_snapshot s = sample_snapshot(false, 17);
	const char *t = render_sum(&s, false);

	ASSERT_TRUE(strstr(t, "17 lost") != NULL, t);
	ASSERT_TRUE(strstr(t, "*** 17 EVENTS LOST") != NULL, "lost shown prominently");
	ASSERT_TRUE(strstr(t, "(exit 17)") != NULL, "lost by type");
	ASSERT_TRUE(strstr(t, "zombies by parent:") && strstr(t, "orphans by adopter:") &&
		    strstr(t, "listeners:") && strstr(t, "event loops:"), "sections");
	ASSERT_TRUE(strstr(t, "why: ") != NULL, "cause text for a lingering cause");
	ASSERT_TRUE(strstr(t, "usecs") == NULL, "histograms only in the final summary");

	s = sample_snapshot(false, 0);
	t = render_sum(&s, false);
	ASSERT_TRUE(strstr(t, "LOST") == NULL, "no banner without losses");
}

static void test_summary_text_final_histograms(void)
{
	struct ll_snapshot s = sample_snapshot(true, 0);
	const char *t = render_sum_full(&s, false, true);

	ASSERT_TRUE(strstr(t, "zombie lifetime, children of 4200 (ba\"sh) (6 samples):\n"
			   "     usecs               : count    distribution\n") != NULL, t);
	ASSERT_TRUE(strstr(t, "accept queue wait, 5000 (nginx) port 80") != NULL, "queue hist");
	ASSERT_TRUE(strstr(t, "event loop busy periods, 6000/6001 (node)") != NULL, "busy hist");
	ASSERT_TRUE(strstr(t, "event loop blocked in epoll_wait") != NULL, "blocked hist");
	ASSERT_TRUE(strstr(t, "orphan lifetime") != NULL, "orphan hist");
	ASSERT_TRUE(strstr(t, "children of 77") == NULL, "no histogram when empty");
}

/* Without --full: findings first, and histograms only for what a finding is about. */
static void test_summary_text_short(void)
{
	struct ll_snapshot s = sample_snapshot(true, 0);
	const char *t = render_sum(&s, false);

	ASSERT_TRUE(!strncmp(t, "Findings", 8), t);
	ASSERT_TRUE(strstr(t, "zombie lifetime, children of 4200") != NULL, t);
	ASSERT_TRUE(strstr(t, "accept queue wait,") == NULL, "no finding, no histogram");
}

static void test_log2_hist_known(void)
{
	static const uint64_t vals[] = { 0, 1, 3, 5, 5, 100 };
	static const char want[] =
		"     usecs               : count    distribution\n"
		"         0 -> 1          : 2        |****************************************|\n"
		"         2 -> 3          : 1        |********************                    |\n"
		"         4 -> 7          : 2        |****************************************|\n"
		"         8 -> 15         : 0        |                                        |\n"
		"        16 -> 31         : 0        |                                        |\n"
		"        32 -> 63         : 0        |                                        |\n"
		"        64 -> 127        : 1        |********************                    |\n";
	struct ll_hist h = { 0 };
	unsigned int i;
	FILE *f;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		hist_add(&h, vals[i]);
	f = out_open();
	render_log2_hist(f, &h, "usecs");
	out_close(f);
	ASSERT_STREQ(out_buf, want, "log2 histogram");

	/* Ten values in 1024..2047 and one at 3: stars scale to the largest row. */
	memset(&h, 0, sizeof(h));
	for (i = 0; i < 10; i++)
		hist_add(&h, 1024 + i * 100);
	hist_add(&h, 3);
	f = out_open();
	render_log2_hist(f, &h, "usecs");
	out_close(f);
	ASSERT_TRUE(strstr(out_buf, "         2 -> 3          : 1        |****      "
				    "                              |\n") != NULL, out_buf);
	ASSERT_TRUE(strstr(out_buf, "      1024 -> 2047       : 10       |*****") != NULL, out_buf);
	ASSERT_EQ(count_char(out_buf, '\n'), 12, "header + rows 0..10");
}

static void test_log2_hist_empty(void)
{
	struct ll_hist h = { 0 };
	FILE *f = out_open();

	render_log2_hist(f, &h, "usecs");
	render_log2_hist(f, NULL, "usecs");
	out_close(f);
	ASSERT_EQ(out_len, 0, "nothing for an empty histogram");
}

/* ---- live view ------------------------------------------------------------------------------ */

/* Screen rows of a live frame: CSI sequences removed, rows split at "\r\n". */
static int live_rows(const char *frame, char rows[][512], int max)
{
	int n = 0;
	size_t pos = 0;
	const char *p = frame;

	while (*p && n < max) {
		if (p[0] == '\x1b' && p[1] == '[') {
			for (p += 2; *p && (*p < 0x40 || *p > 0x7e); p++)
				;
			if (*p)
				p++;
			continue;
		}
		if (p[0] == '\r' && p[1] == '\n') {
			rows[n][pos] = '\0';
			n++;
			pos = 0;
			p += 2;
			continue;
		}
		if (pos < 511)
			rows[n][pos++] = *p;
		p++;
	}
	if (n < max) {
		rows[n][pos] = '\0';
		n++;
	}
	return n;
}

static const char *render_live_frame(const struct ll_snapshot *s, int rows, int cols)
{
	FILE *f = out_open();
	struct ll_render_opts o = ropts(f, false, false);

	render_live(&o, s, rows, cols);
	return out_close(f);
}

static void test_live_fits_screen(void)
{
	static const int sizes[][2] = { { 24, 80 }, { 10, 40 }, { 5, 20 }, { 3, 200 }, { 1, 1 },
					{ 50, 132 }, { 7, 7 } };
	static char rows[128][512];
	struct ll_snapshot s = sample_snapshot(false, 3);
	unsigned int i;
	int n, r;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const char *frame = render_live_frame(&s, sizes[i][0], sizes[i][1]);

		ASSERT_TRUE(!strncmp(frame, "\x1b[H", 3), "starts at home");
		n = live_rows(frame, rows, 128);
		ASSERT_LE(n, sizes[i][0], "rows");
		ASSERT_FALSE(strchr(frame, '\n') && frame[strlen(frame) - 1] == '\n',
			     "never a newline at the end (it would scroll)");
		for (r = 0; r < n; r++)
			if (!ASSERT_LE(fmt_width(rows[r]), (size_t)sizes[i][1], rows[r]))
				return;
	}
}

/* A group in a non-root cgroup adds CONTAINER (its last path component); fork failures show in
 * the headline. Neither appears when there is nothing to say. */
static void test_live_containers(void)
{
	static char rows[128][512];
	struct ll_snapshot s = sample_snapshot(false, 3);
	struct ll_zombie_view z[2];
	bool heading = false, row = false, headline = false;
	const char *frame;
	int n, r;

	frame = render_live_frame(&s, 40, 200);
	ASSERT_TRUE(!strstr(frame, "CONTAINER") && !strstr(frame, "fork failures"), "not yet");
	memcpy(z, s.zombies, sizeof(z));
	z[0].cgroup = "/kubepods/pod7/web";
	s.zombies = z;
	s.fork_failures = 13;
	frame = render_live_frame(&s, 40, 200);
	n = live_rows(frame, rows, 128);
	for (r = 0; r < n; r++) {
		heading |= strstr(rows[r], "CAUSE") && strstr(rows[r], "CONTAINER");
		row |= !strncmp(rows[r], "4200 ", 5) && strstr(rows[r], " web");
		headline |= r == 0 && strstr(rows[r], "fork failures 13");
	}
	ASSERT_TRUE(heading && row && headline, "CONTAINER column and fork failures headline");
	ASSERT_FALSE(strstr(frame, "/kubepods"), "only the last component");
}

static void test_live_content(void)
{
	static char rows[128][512];
	struct ll_snapshot s = sample_snapshot(false, 3);
	struct ll_loop_view lp;
	const char *frame;
	int n, r;
	bool lost = false, zombie = false, loop = false, stalled = false;

	frame = render_live_frame(&s, 40, 200);
	ASSERT_TRUE(strstr(frame, "\x1b[1;7m LOST 3 ") != NULL, "lost highlighted");
	n = live_rows(frame, rows, 128);
	for (r = 0; r < n; r++) {
		lost |= strstr(rows[r], "LOST 3") != NULL;
		zombie |= !strncmp(rows[r], "4200    ba\"sh", 13);
		loop |= !strncmp(rows[r], "6000    6001    node", 20);
		stalled |= strstr(rows[r], "STALLED") != NULL;
	}
	ASSERT_TRUE(lost && zombie && loop, "headline, zombie row and loop row");
	ASSERT_FALSE(stalled, "not stalled below the threshold");

	lp = s.loops[0];
	lp.busy_now_us = 1200000;
	s.loops = &lp;
	frame = render_live_frame(&s, 40, 200);
	ASSERT_TRUE(strstr(frame, "STALLED 1.20s") != NULL, "stalled loop flagged");

	s = sample_snapshot(false, 0);
	frame = render_live_frame(&s, 40, 200);
	ASSERT_TRUE(strstr(frame, "lost 0") != NULL && !strstr(frame, "\x1b[1;7m"), "no highlight");

	/* Too small for every section: the cut ones say so. */
	s = sample_snapshot(false, 0);
	frame = render_live_frame(&s, 6, 200);
	ASSERT_TRUE(strstr(frame, "(no room to list)") != NULL || strstr(frame, "(top ") != NULL,
		    frame);
}

/* ---- formatting helpers --------------------------------------------------------------------- */

static void test_fmt_durations(void)
{
	static const struct {
		uint64_t us;
		const char *s;
	} cases[] = {
		{ 0, "0µs" }, { 999, "999µs" }, { 1000, "1.00ms" }, { 9994, "9.99ms" },
		{ 9995, "10.0ms" }, { 99949, "99.9ms" }, { 99950, "100ms" }, { 999499, "999ms" },
		{ 999500, "1.00s" }, { 12345678, "12.3s" }, { 59949999, "59.9s" },
		{ 59950000, "1m00s" }, { 61000000, "1m01s" }, { 3599000000ULL, "59m59s" },
		{ 3600000000ULL, "1h00m" }, { 5000000000ULL, "1h23m" }, { LL_UNKNOWN, "?" },
	};
	char buf[FMT_DUR_LEN];
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ASSERT_STREQ(fmt_dur_us(buf, sizeof(buf), cases[i].us), cases[i].s, "duration");
}

static void test_fmt_misc(void)
{
	uint8_t a4[16] = { 192, 168, 1, 2 }, a6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	char buf[FMT_ADDR_LEN], comm[LL_COMM_LEN];

	ASSERT_STREQ(fmt_addr(buf, sizeof(buf), AF_INET, a4, 8080), "192.168.1.2:8080", "ipv4");
	ASSERT_STREQ(fmt_addr(buf, sizeof(buf), AF_INET6, a6, 443), "[2001:db8::]:443", "ipv6");
	ASSERT_STREQ(fmt_addr(buf, sizeof(buf), 0, a4, 1), "?", "unknown family");
	ASSERT_STREQ(fmt_signal(buf, sizeof(buf), 9), "SIGKILL", "signal");
	ASSERT_STREQ(fmt_signal(buf, sizeof(buf), 200), "SIG200", "unnamed signal");
	ASSERT_STREQ(fmt_u64(buf, sizeof(buf), LL_UNKNOWN), "?", "unknown u64");
	ASSERT_STREQ(fmt_pid(buf, sizeof(buf), 0), "?", "unknown pid");
	ASSERT_STREQ(fmt_comm(comm, "a\nb\xff"), "a?b?", "comm sanitised");
	ASSERT_EQ(fmt_width("\x1b[1;7m5µs\x1b[0m"), 3, "width skips escapes, counts code points");
}

int main(void)
{
	RUN_TEST(test_summary_json);
	RUN_TEST(test_summary_json_empty);
	RUN_TEST(test_summary_text_lost);
	RUN_TEST(test_summary_text_final_histograms);
	RUN_TEST(test_summary_text_short);
	RUN_TEST(test_log2_hist_known);
	RUN_TEST(test_log2_hist_empty);
	RUN_TEST(test_live_fits_screen);
	RUN_TEST(test_live_content);
	RUN_TEST(test_live_containers);
	RUN_TEST(test_fmt_durations);
	RUN_TEST(test_fmt_misc);
	free(out_buf);
	return TEST_MAIN_END();
}
