// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The live view's keys, idle rows, sort and fit at 80 columns; --explain folding; -x's failure
 * predicate; ASCII units; -T's wall-clock formats.
 */
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "evfilter.h"
#include "format.h"
#include "render.h"

static char out_buf[65536];

static FILE *out_open(void)
{
	memset(out_buf, 0, sizeof(out_buf));
	return fmemopen(out_buf, sizeof(out_buf) - 1, "w");
}

/* The frame's text, escape sequences taken out, rows split at CR LF. */
static int frame_rows(char rows[][512], int max)
{
	const char *p = out_buf;
	int n = 0;
	size_t pos = 0;

	rows[0][0] = '\0';
	for (; *p && n < max; p++) {
		if (p[0] == '\x1b' && p[1] == '[') {
			for (p += 2; *p && (*p < 0x40 || *p > 0x7e); p++)
				;
			continue;
		}
		if (p[0] == '\r' && p[1] == '\n') {
			rows[n++][pos] = '\0';
			pos = 0;
			p++;
			continue;
		}
		if (pos < 511)
			rows[n][pos++] = *p, rows[n][pos] = '\0';
	}
	return n + 1;
}

static struct ll_hist empty;

static void frame(struct ll_render_opts *o, const struct ll_snapshot *s, int rows, int cols)
{
	o->out = out_open();
	render_live(o, s, rows, cols);
	fclose(o->out);
}

static bool has_row(char rows[][512], int n, const char *prefix)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strncmp(rows[i], prefix, strlen(prefix)))
			return true;
	return false;
}

static void test_keys(void)
{
	struct live_state *l = live_new();

	ASSERT_EQ(live_key(l, 'q'), LIVE_QUIT, "q");
	ASSERT_EQ(live_key(l, 'p'), LIVE_REDRAW, "p");
	ASSERT_EQ(live_key(l, 's'), LIVE_REDRAW, "s");
	ASSERT_EQ(live_key(l, 'a'), LIVE_REDRAW, "a");
	ASSERT_EQ(live_key(l, '?'), LIVE_REDRAW, "?");
	ASSERT_EQ(live_key(l, 'z'), LIVE_NONE, "other keys do nothing");
	ASSERT_EQ(live_key(NULL, 'q'), LIVE_NONE, "no state");
	live_free(l);
}

/* 80x24: narrow columns, every zombie row ends with its whole cause; idle rows hidden until
 * 'a'; sorted by zombies now; paused frames are not drawn. */
static void test_fit_idle_sort_pause(void)
{
	struct ll_zombie_view z[] = {
		{ .parent_pid = 10, .parent_comm = "idle", .reaped = 4, .lifetime = &empty,
		  .cause = CAUSE_NONE },
		{ .parent_pid = 20, .parent_comm = "few", .now = 2, .oldest_now_us = 9000000,
		  .lifetime = &empty, .cause = CAUSE_SIGCHLD_BLOCKED },
		{ .parent_pid = 30, .parent_comm = "many", .now = 39, .oldest_now_us = 1000,
		  .lifetime = &empty, .coalesced_sigchld = 123456789, .cause = CAUSE_NEVER_WAITS },
	};
	struct ll_snapshot s = { .zombies = z, .nzombies = 3, .elapsed_s = 41 };
	struct ll_render_opts o = { .stall_ms = 50, .live = live_new() };
	char rows[64][512];
	int n, i, many = -1, few = -1;

	s.procs.forks = s.procs.exits = 18958;
	s.procs.zombies_now = 41;
	frame(&o, &s, 24, 80);
	n = frame_rows(rows, 64);
	for (i = 0; i < n; i++) {
		ASSERT_LE(fmt_width(rows[i]), 80, rows[i]);
		if (!strncmp(rows[i], "30 ", 3))
			many = i;
		if (!strncmp(rows[i], "20 ", 3))
			few = i;
	}
	ASSERT_TRUE(strstr(rows[0], "zombies 41") != NULL, rows[0]);
	ASSERT_TRUE(many >= 0 && few > many, "39 zombies now above 2");
	if (many >= 0)
		ASSERT_TRUE(strstr(rows[many], " never-waits") != NULL, rows[many]);
	if (few >= 0)
		ASSERT_TRUE(strstr(rows[few], " sigchld-blocked") != NULL, rows[few]);
	ASSERT_FALSE(has_row(rows, n, "10 "), "idle parent hidden");
	live_key(o.live, 'a');
	frame(&o, &s, 24, 80);
	n = frame_rows(rows, 64);
	ASSERT_TRUE(has_row(rows, n, "10 "), "shown with a");
	live_key(o.live, 's');	/* oldest first */
	frame(&o, &s, 24, 80);
	n = frame_rows(rows, 64);
	for (i = 0, many = few = -1; i < n; i++) {
		if (!strncmp(rows[i], "30 ", 3))
			many = i;
		if (!strncmp(rows[i], "20 ", 3))
			few = i;
	}
	ASSERT_TRUE(few >= 0 && many > few, "the 9 s old zombie first");
	live_key(o.live, 'p');
	frame(&o, &s, 24, 80);	/* the key's own redraw */
	ASSERT_TRUE(strstr(out_buf, "PAUSED") != NULL, "paused shown");
	frame(&o, &s, 24, 80);
	ASSERT_STREQ(out_buf, "", "no refresh while paused");
	live_free(o.live);
}

/* Listeners at their queue limit: a title line at any width, a BACKLOG column when wide. */
static void test_backlog(void)
{
	struct ll_listener_view l[] = {
		{ .pid = 40, .comm = "fork_echo", .port = 9000, .accepts = 20, .rate = 2,
		  .queue = &empty, .backlog_limit = 3, .backlog_peak = 4, .backlog_full = 6 },
		{ .pid = 41, .comm = "nginx", .port = 80, .accepts = 9, .rate = 1, .queue = &empty },
	};
	struct ll_snapshot s = { .listeners = l, .nlisteners = 2, .elapsed_s = 3,
		.netstat_known = true, .listen_overflows = 12, .listen_drops = 15 };
	struct ll_render_opts o = { .stall_ms = 50, .live = live_new() };
	char rows[64][512];
	int n, i, fe = -1, ng = -1;
	bool title = false;

	frame(&o, &s, 24, 80);
	n = frame_rows(rows, 64);
	for (i = 0; i < n; i++) {
		ASSERT_LE(fmt_width(rows[i]), 80, rows[i]);
		title |= !strcmp(rows[i], "LISTENERS: 2, 1 at the queue limit (kernel-wide: 12 "
				 "overflows, 15 drops)");
	}
	ASSERT_TRUE(title, "the title names the full listener and the kernel's counters");
	frame(&o, &s, 24, 120);
	n = frame_rows(rows, 64);
	for (i = 0; i < n; i++) {
		if (!strncmp(rows[i], "40 ", 3))
			fe = i;
		if (!strncmp(rows[i], "41 ", 3))
			ng = i;
	}
	ASSERT_TRUE(strstr(out_buf, "ERRORS  BACKLOG  FULL") != NULL, "wide: the columns");
	if (ASSERT_TRUE(fe >= 0 && ng >= 0, "both rows"))  {
		ASSERT_TRUE(strstr(rows[fe], "      4/3     6") != NULL, rows[fe]);
		ASSERT_TRUE(strstr(rows[ng], "        -     -") != NULL, "unknown: a dash");
	}
	live_free(o.live);
}

static void test_fold(void)
{
	struct ll_fold *f = fold_new();
	FILE *out = out_open();

	ASSERT_FALSE(fold_take(f, out, EV_FORK, "1 forked 2"), "first shown");
	ASSERT_TRUE(fold_take(f, out, EV_FORK, "1 forked 3"), "alike: folded");
	ASSERT_TRUE(fold_take(f, out, EV_FORK, "1 forked 44"), "alike: folded");
	ASSERT_FALSE(fold_take(f, out, EV_EXIT, "2 exited"), "another shown");
	ASSERT_FALSE(fold_take(f, out, EV_FORK, "1 forked 5"), "a fork again is shown");
	fold_flush(f, out);
	fclose(out);
	ASSERT_TRUE(strstr(out_buf, "2 more forks like this\n") != NULL, out_buf);
	ASSERT_TRUE(strstr(strstr(out_buf, "more") + 1, "more") == NULL, "only once");
	fold_free(f);
}

static void test_failure_predicate(void)
{
	struct ll_event ev = { .kind = EV_EXIT };

	ASSERT_FALSE(ev_is_failure(&ev), "exit 0");
	ev.exit.status = 1 << 8;
	ASSERT_TRUE(ev_is_failure(&ev), "exit 1");
	ev.exit.status = 9;
	ASSERT_TRUE(ev_is_failure(&ev), "SIGKILL");
	ev.kind = EV_FORK;
	ASSERT_FALSE(ev_is_failure(&ev), "a fork");
}

static void test_ascii_and_time(void)
{
	struct ll_render_opts o = { .wall_offset_ns = 1796119414LL * 1000000000LL };
	char b[64];

	fmt_set_ascii(true);
	ASSERT_STREQ(fmt_dur_us(b, sizeof(b), 850), "850us", "ASCII");
	fmt_set_ascii(false);
	ASSERT_STREQ(fmt_dur_us(b, sizeof(b), 850), "850µs", "UTF-8");
	ASSERT_STREQ(render_wall_rfc3339(&o, 1234567000ULL, b, sizeof(b)),
		     "2026-12-01T10:03:35.234567Z", "RFC 3339 UTC, us");
	setenv("TZ", "UTC", 1);
	ASSERT_STREQ(render_wall_hms(&o, 1234567000ULL, b, sizeof(b)), "10:03:35.234", "HH:MM:SS");
}

int main(void)
{
	RUN_TEST(test_keys);
	RUN_TEST(test_fit_idle_sort_pause);
	RUN_TEST(test_fold);
	RUN_TEST(test_backlog);
	RUN_TEST(test_failure_predicate);
	RUN_TEST(test_ascii_and_time);
	return TEST_MAIN_END();
}
