// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Renderers: every event kind in JSON (checked by a strict validator, render_fixture.h, then
 * field by field), text lines and explain sentences; the summaries are in test_render_summary.c.
 */
#include "render_fixture.h"

/* The validator must reject, or every "valid" above proves nothing. */
static void test_validator_rejects(void)
{
	static const char *const bad[] = {
		"", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{\"a\":1,\"a\":2}", "\"a\nb\"",
		"\"\x01\"", "\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\\x\"",
		"\"\\u12g4\"", "01", "1.", "-", ".5", "1e", "NaN", "nul", "[1] [2]", "{\"a\":1}x",
		"'a'",
	};
	static const char *const good[] = {
		"{}", "[]", "0", "-0.5e+3", "\"\\u00e9\\n\"", "{\"a\":[1,{\"b\":null}],\"c\":true}",
		"\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", " [ 1 , 2 ] ",
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_FALSE(json_valid(bad[i]), bad[i]);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ASSERT_TRUE(json_valid(good[i]), good[i]);
}

/* ---- JSON writer ---------------------------------------------------------------------------- */

static void test_json_writer_nesting(void)
{
	FILE *f = out_open();
	struct json_w w;

	json_init(&w, f);
	json_obj_begin(&w);
	json_kv_u64(&w, "a", 1);
	json_key(&w, "b");
	json_arr_begin(&w);
	json_u64(&w, 1);
	json_obj_begin(&w);
	json_obj_end(&w);
	json_arr_begin(&w);
	json_arr_end(&w);
	json_str(&w, "x");
	json_arr_end(&w);
	json_key(&w, "c");
	json_obj_begin(&w);
	json_kv_bool(&w, "t", true);
	json_kv_null(&w, "n");
	json_obj_end(&w);
	json_kv_u64(&w, "max", UINT64_MAX);
	json_kv_i64(&w, "min", INT64_MIN);
	json_obj_end(&w);
	json_newline(&w);
	out_close(f);
	ASSERT_STREQ(out_buf, "{\"a\":1,\"b\":[1,{},[],\"x\"],\"c\":{\"t\":true,\"n\":null},"
		     "\"max\":18446744073709551615,\"min\":-9223372036854775808}\n", "nesting");
	out_buf[out_len - 1] = '\0';
	ASSERT_TRUE(json_valid(out_buf), "valid");
}

static void test_json_writer_escaping(void)
{
	/* quote, backslash, controls, DEL, valid 2/3/4-byte UTF-8, then invalid sequences:
	 * a lone continuation, an overlong '/', a surrogate, past U+10FFFF, a cut 3-byte one. */
	static const char in[] = "q\"b\\n\nt\tc\x01\x1f\x7f é € \xf0\x9f\x98\x80 "
				 "\x80|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82";
	FILE *f = out_open();
	struct json_w w;

	json_init(&w, f);
	json_strn(&w, in, sizeof(in) - 1);
	out_close(f);
	ASSERT_TRUE(json_valid(out_buf), "escaped string is valid JSON");
	ASSERT_STREQ(out_buf, "\"q\\\"b\\\\n\\nt\\tc\\u0001\\u001f\\u007f é € \xf0\x9f\x98\x80 "
		     "\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd\\ufffd|"
		     "\\ufffd\\ufffd\"", "escapes");
}

static void test_json_writer_numbers(void)
{
	FILE *f = out_open();
	struct json_w w;

	json_init(&w, f);
	json_arr_begin(&w);
	json_double(&w, NAN);
	json_double(&w, INFINITY);
	json_double(&w, -INFINITY);
	json_fixed(&w, NAN, 2);
	json_double(&w, 0.1);
	json_double(&w, 1.0 / 3.0);
	json_fixed(&w, 12.345, 1);
	json_fixed(&w, 1e300, 3);
	json_double(&w, -0.0);
	json_arr_end(&w);
	out_close(f);
	ASSERT_TRUE(json_valid(out_buf), "valid");
	ASSERT_STREQ(out_buf, "[null,null,null,null,0.1,0.33333333333333331,12.3,1e+300,-0]",
		     "numbers");
}

/* ---- events as JSON ------------------------------------------------------------------------- */

static void test_json_every_event_kind(void)
{
	static const char *const types[EV_KIND_MAX] = { "fork", "exec", "exit", "reap", "orphan",
							 "sigchld", "accept", "stall", "wakeup",
							 "fork_failed" };
	int k;

	for (k = 0; k < EV_KIND_MAX; k++) {
		struct ll_event e = sample(k);
		const char *s = render_one(&e, true, false);
		char type[64];

		if (!ASSERT_EQ(count_char(s, '\n'), 1, "one line"))
			return;
		ASSERT_EQ(s[strlen(s) - 1], '\n', "ends the line");
		out_buf[out_len - 1] = '\0';
		if (!ASSERT_TRUE(json_valid(s), s))
			return;
		snprintf(type, sizeof(type), "\"%s\"", types[k]);
		EXPECT_FIELDS(s, "type", type, "ts_ns", "1123456789");
		ASSERT_FALSE(has_key(s, "explain"), "no explain unless asked");
	}
}

/* A fork refused at pids.max: errno by name, the limit, the cgroup; no limit: left out. */
static void test_json_fork_failed(void)
{
	struct ll_event e = sample(EV_FORK_FAILED);
	const char *s = render_one(&e, true, false);

	EXPECT_FIELDS(s, "pid", "7000", "comm", "\"git\"", "errno", "\"EAGAIN\"", "call",
		      "\"clone\"", "pids_current", "8", "pids_max", "8", "cgroup", "\"/box/web\"");
	e.fork_failed.pids_max = -1;
	e.fork_failed.pids_current = -1;
	e.cgroup = NULL;
	s = render_one(&e, true, false);
	ASSERT_FALSE(has_key(s, "pids_max") || has_key(s, "pids_current"), "no limit: left out");
	ASSERT_FALSE(has_key(s, "cgroup"), "the root cgroup: left out");
}

static void test_json_event_fields(void)
{
	struct ll_event e;
	const char *s;

	e = sample(EV_FORK);
	s = render_one(&e, true, false);
	EXPECT_FIELDS(s, "pid", "4212", "ppid", "4200", "comm", "\"bash\"");

	e = sample(EV_EXEC);
	s = render_one(&e, true, false);
	EXPECT_FIELDS(s, "pid", "4212", "ppid", "4200", "comm", "\"ls\"", "filename",
		      "\"/usr/bin/ls\"", "argv", "[\"ls\",\"-l\",\"/tmp\"]", "argv_truncated",
		      "false");

	e = sample(EV_EXIT);
	s = render_one(&e, true, false);
	EXPECT_FIELDS(s, "pid", "4211", "ppid", "4200", "comm", "\"ls\"", "exit_code", "3",
		      "age_us", "7100", "zombie", "true");
	ASSERT_FALSE(has_key(s, "signal"), "exit_code or signal, not both");

	e = sample(EV_REAP);
	s = render_one(&e, true, false);
	EXPECT_FIELDS(s, "pid", "4211", "comm", "\"ls\"", "reaper_pid", "4200", "reaper_comm",
		      "\"bash\"", "zombie_us", "1200", "how", "\"wait4\"");

	e = sample(EV_ORPHAN);
	s = render_one(&e, true, false);
	EXPECT_FIELDS(s, "pid", "4300", "comm", "\"sleep\"", "old_ppid", "4299", "adopter_pid",
		      "1");

	e = sample(EV_SIGCHLD);
	s = render_one(&e, true, false);
	EXPECT_FIELDS(s, "pid", "4200", "from_pid", "4211", "result", "\"coalesced\"");

	e = sample(EV_ACCEPT);
	s = render_one(&e, true, false);
	EXPECT_FIELDS(s, "pid", "5000", "tid", "5001", "comm", "\"nginx\"", "fd", "12", "laddr",
		      "\"10.0.0.1\"", "lport", "80", "raddr", "\"10.0.0.2\"", "rport", "51234",
		      "queue_us", "120");

	e = sample(EV_STALL);
	s = render_one(&e, true, false);
	EXPECT_FIELDS(s, "pid", "6000", "tid", "6001", "comm", "\"node\"", "busy_us", "240000");

	e = sample(EV_WAKEUP);
	s = render_one(&e, true, false);
	EXPECT_FIELDS(s, "pid", "6000", "tid", "6001", "comm", "\"node\"", "events", "3",
		      "blocked_us", "12000");
}

static void test_json_exit_signal_and_how(void)
{
	static const struct {
		enum ll_how how;
		const char *name;
	} hows[] = { { HOW_WAIT4, "\"wait4\"" }, { HOW_WAITID, "\"waitid\"" },
		     { HOW_AUTOREAP, "\"autoreap\"" }, { HOW_FREE, "\"free\"" } };
	static const char *const results[] = { "\"delivered\"", "\"ignored\"", "\"coalesced\"",
					       "\"other\"" };
	struct ll_event e = sample(EV_EXIT);
	const char *s;
	unsigned int i;

	e.exit.status = 0x80 | 11;	/* SIGSEGV, core dumped */
	e.exit.zombie = false;
	s = render_one(&e, true, false);
	ASSERT_TRUE(json_valid(s), s);
	EXPECT_FIELDS(s, "signal", "11", "core_dumped", "true", "zombie", "false");
	ASSERT_FALSE(has_key(s, "exit_code"), "no exit_code when signalled");

	e.exit.status = 9;
	s = render_one(&e, true, false);
	EXPECT_FIELDS(s, "signal", "9", "core_dumped", "false");

	for (i = 0; i < sizeof(hows) / sizeof(hows[0]); i++) {
		e = sample(EV_REAP);
		e.reap.how = hows[i].how;
		s = render_one(&e, true, false);
		EXPECT_FIELDS(s, "how", hows[i].name);
	}
	for (i = 0; i < 4; i++) {
		e = sample(EV_SIGCHLD);
		e.sigchld.result = i == 3 ? 7 : (int)i;
		s = render_one(&e, true, false);
		EXPECT_FIELDS(s, "result", results[i]);
	}
}

static void test_json_unknown_values_absent(void)
{
	struct ll_event e;
	const char *s;

	e = sample(EV_EXIT);
	e.exit.age_us = LL_UNKNOWN;
	e.ppid = 0;
	s = render_one(&e, true, false);
	ASSERT_TRUE(json_valid(s), s);
	ASSERT_FALSE(has_key(s, "age_us"), "unknown age absent");
	ASSERT_FALSE(has_key(s, "ppid"), "unknown ppid absent");
	ASSERT_FALSE(strstr(s, "18446744073709551615") != NULL, "never LL_UNKNOWN as a number");

	e = sample(EV_REAP);
	e.reap.zombie_us = LL_UNKNOWN;
	s = render_one(&e, true, false);
	ASSERT_FALSE(has_key(s, "zombie_us"), "unknown zombie time absent");

	e = sample(EV_ACCEPT);
	e.accept.queue_us = LL_UNKNOWN;
	s = render_one(&e, true, false);
	ASSERT_FALSE(has_key(s, "queue_us"), "unknown queue wait absent");
	EXPECT_FIELDS(s, "lport", "80");

	/* The contract keeps adopter_pid, with 0 for "not yet known". */
	e = sample(EV_ORPHAN);
	e.orphan.adopter_pid = 0;
	s = render_one(&e, true, false);
	EXPECT_FIELDS(s, "adopter_pid", "0");

	e = sample(EV_STALL);
	e.stall.busy_us = LL_UNKNOWN;
	s = render_one(&e, true, false);
	ASSERT_FALSE(has_key(s, "busy_us"), "unknown busy absent");
}

static void test_json_accept_ipv6(void)
{
	struct ll_event e = sample(EV_ACCEPT);
	const char *s;

	e.accept.family = AF_INET6;
	memset(e.accept.laddr, 0, 16);
	e.accept.laddr[15] = 1;
	memset(e.accept.raddr, 0, 16);
	e.accept.raddr[0] = 0xfe;
	e.accept.raddr[1] = 0x80;
	e.accept.raddr[15] = 9;
	s = render_one(&e, true, false);
	EXPECT_FIELDS(s, "laddr", "\"::1\"", "raddr", "\"fe80::9\"");
	s = render_one(&e, false, false);
	ASSERT_TRUE(strstr(s, "[::1]:80 ← [fe80::9]:51234") != NULL, s);
}

static void test_json_hostile_strings(void)
{
	static const char args[] = "sh\0-c\0echo \"hi\"\n\x1b[2J\0\xff\xfe\0";
	struct ll_event e = sample(EV_EXEC);
	const char *s;

	memcpy(e.comm, "a\"b\\c\nd\x1b\xff", 10);
	e.exec.filename = "/tmp/\"x\"\n\xc3";
	e.exec.args = args;
	e.exec.args_len = sizeof(args) - 1;
	e.exec.truncated = true;
	s = render_one(&e, true, true);
	ASSERT_EQ(count_char(s, '\n'), 1, "newlines escaped: still one line");
	out_buf[out_len - 1] = '\0';
	if (!ASSERT_TRUE(json_valid(s), s))
		return;
	EXPECT_FIELDS(s, "comm", "\"a\\\"b\\\\c\\nd\\u001b\\ufffd\"",
		      "filename", "\"/tmp/\\\"x\\\"\\n\\ufffd\"",
		      "argv", "[\"sh\",\"-c\",\"echo \\\"hi\\\"\\n\\u001b[2J\",\"\\ufffd\\ufffd\"]",
		      "argv_truncated", "true");

	/* A comm that fills all 16 bytes without a NUL must not run over. */
	memset(e.comm, 'x', sizeof(e.comm));
	s = render_one(&e, true, false);
	ASSERT_TRUE(json_valid(strtok(out_buf, "\n")), "full comm");
	EXPECT_FIELDS(s, "comm", "\"xxxxxxxxxxxxxxxx\"");
}

static void test_json_argv_split(void)
{
	static const char args[] = "a\0\0b";	/* an empty argument in the middle, no final NUL */
	struct ll_event e = sample(EV_EXEC);
	const char *s;

	e.exec.args = args;
	e.exec.args_len = sizeof(args) - 1;
	s = render_one(&e, true, false);
	EXPECT_FIELDS(s, "argv", "[\"a\",\"\",\"b\"]");
	e.exec.args_len = 0;
	e.exec.args = NULL;
	s = render_one(&e, true, false);
	EXPECT_FIELDS(s, "argv", "[]");
}

/* ---- events as text ------------------------------------------------------------------------- */

static void test_text_event_lines(void)
{
	static const char *const want[EV_KIND_MAX] = {
		"   0.123 fork    4212    bash            parent 4200\n",
		"   0.123 exec    4212    ls              /usr/bin/ls: ls -l /tmp\n",
		"   0.123 exit    4211    ls              code 3, age 7.10ms, parent 4200, "
		"zombie\n",
		"   0.123 reap    4211    ls              wait4, zombie 1.20ms, by 4200 (bash)\n",
		"   0.123 orphan  4300    sleep           parent 4299 (sh) died, adopter 1\n",
		"   0.123 sigchld 4200    bash            from 4211 (ls) exited, coalesced\n",
		"   0.123 accept  5000    nginx           tid 5001, fd 12, 10.0.0.1:80 ← "
		"10.0.0.2:51234, queue 120µs\n",
		"   0.123 stall   6000    node            tid 6001, busy 240ms\n",
		"   0.123 wakeup  6000    node            tid 6001, 3 events, blocked 12.0ms, busy "
		"before 40µs\n",
		"   0.123 fork_failed 7000    git             EAGAIN from clone, pids 8/8, cgroup "
		"/box/web\n",
	};
	int k;

	for (k = 0; k < EV_KIND_MAX; k++) {
		struct ll_event e = sample(k);

		ASSERT_STREQ(render_one(&e, false, false), want[k], "text line");
	}
}

static void test_text_unknown_is_question_mark(void)
{
	struct ll_event e;
	const char *s;

	e = sample(EV_EXIT);
	e.exit.age_us = LL_UNKNOWN;
	e.ppid = 0;
	s = render_one(&e, false, false);
	ASSERT_TRUE(strstr(s, "age ?, parent ?") != NULL, s);

	e = sample(EV_REAP);
	e.reap.zombie_us = LL_UNKNOWN;
	s = render_one(&e, false, false);
	ASSERT_TRUE(strstr(s, "zombie ?") != NULL, s);

	e = sample(EV_ORPHAN);
	e.orphan.adopter_pid = 0;
	s = render_one(&e, false, false);
	ASSERT_TRUE(strstr(s, "adopter ?") != NULL, s);

	e = sample(EV_ACCEPT);
	e.accept.queue_us = LL_UNKNOWN;
	s = render_one(&e, false, false);
	ASSERT_TRUE(strstr(s, "queue -\n") != NULL, s);

	e = sample(EV_EXIT);
	e.exit.status = 0x80 | 6;
	s = render_one(&e, false, false);
	ASSERT_TRUE(strstr(s, "SIGABRT (core dumped)") != NULL, s);
}

static void test_text_hostile_strings(void)
{
	static const char args[] = "sh\0-c\0a b\nc\x1b[2J\0it's\0\xff";
	struct ll_event e = sample(EV_EXEC);
	const char *s, *p;

	memcpy(e.comm, "ev\"il\n\x1b[31m\xff", 12);
	e.exec.filename = "/x\n\x1b";
	e.exec.args = args;
	e.exec.args_len = sizeof(args) - 1;
	e.exec.truncated = true;
	s = render_one(&e, false, true);
	ASSERT_EQ(count_char(s, '\n'), 2, "one event line and one explain line");
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			break;
	ASSERT_EQ(*p, '\0', "no control bytes reach the terminal");
	ASSERT_TRUE(strstr(s, " ev\"il??[31m? ") != NULL, s);
	ASSERT_TRUE(strstr(s, "/x\\n\\x1b: sh -c 'a b\\nc\\x1b[2J' 'it'\\''s' \\xff "
			   "[...]\n") != NULL, s);
}

static void test_text_header(void)
{
	FILE *f = out_open();
	struct ll_render_opts o = ropts(f, false, false);

	render_event_header(&o);
	out_close(f);
	ASSERT_STREQ(out_buf, " TIME(s) EVENT   PID     COMM            DETAILS\n", "header");

	f = out_open();
	o = ropts(f, true, false);
	render_event_header(&o);
	out_close(f);
	ASSERT_EQ(out_len, 0, "no header in JSON");
}

/* ---- explain -------------------------------------------------------------------------------- */

static void test_explain_sentences(void)
{
	static const char *const want[EV_KIND_MAX] = {
		"4200 (bash) forked 4212",
		"4212 now runs /usr/bin/ls",
		"4211 (ls) exited with code 3 after 7.10ms; it stays a zombie until its parent "
		"4200 calls wait()",
		"4211 (ls) was a zombie for 1.20ms: its parent 4200 (bash) collected the exit "
		"status with wait4()",
		"re-parented it to init (1)",
		"SIGCHLD was already pending for 4200 (bash), so this one (from 4211) merged into "
		"it: a handler that reaps one child per signal will leave a zombie",
		"accepted a connection from 10.0.0.2:51234 on 10.0.0.1:80 as fd 12; it had waited "
		"120µs in the accept queue",
		"Thread 6001 of 6000 (node) was busy for 240ms between two epoll_wait calls, more "
		"than the 50 ms stall threshold",
		"epoll_wait returned 3 ready events to thread 6001 of 6000 (node) after 12.0ms",
		"clone() by 7000 (git) failed with EAGAIN: its pids cgroup holds 8 of at most 8 "
		"tasks (pids.max)",
	};
	char buf[1024], field[2048];
	int k;

	for (k = 0; k < EV_KIND_MAX; k++) {
		struct ll_event e = sample(k);
		struct ll_render_opts o = ropts(NULL, false, true);
		const char *s;

		render_explain(&o, &e, buf, sizeof(buf));
		ASSERT_TRUE(strstr(buf, want[k]) != NULL, buf);
		ASSERT_EQ(buf[strlen(buf) - 1], '.', "a sentence ends with a full stop");

		s = render_one(&e, false, true);
		ASSERT_TRUE(strstr(s, "\n         # ") != NULL, "text: an indented second line");
		ASSERT_TRUE(strstr(s, want[k]) != NULL, s);

		s = render_one(&e, true, true);
		out_buf[out_len - 1] = '\0';
		ASSERT_TRUE(json_valid(s), s);
		ASSERT_TRUE(json_get(s, "explain", field, sizeof(field)), "JSON explain field");
	}
}

static void test_explain_variants(void)
{
	struct ll_render_opts o = ropts(NULL, false, true);
	struct ll_event e;
	char buf[1024];

	e = sample(EV_EXIT);
	e.exit.zombie = false;
	render_explain(&o, &e, buf, sizeof(buf));
	ASSERT_TRUE(strstr(buf, "never becomes a zombie") != NULL, buf);

	e = sample(EV_REAP);
	e.reap.how = HOW_AUTOREAP;
	render_explain(&o, &e, buf, sizeof(buf));
	ASSERT_TRUE(strstr(buf, "reaped by the kernel") != NULL, buf);

	e = sample(EV_ORPHAN);
	e.orphan.adopter_pid = 0;
	render_explain(&o, &e, buf, sizeof(buf));
	ASSERT_TRUE(strstr(buf, "not known yet") != NULL, buf);

	e = sample(EV_STALL);
	e.stall.wait = LL_WAIT_POLL;	/* udp_echo's loop waits in ppoll */
	render_explain(&o, &e, buf, sizeof(buf));
	ASSERT_TRUE(strstr(buf, "between two poll calls") != NULL, buf);

	e = sample(EV_ACCEPT);
	e.accept.fd = -24;	/* EMFILE */
	render_explain(&o, &e, buf, sizeof(buf));
	ASSERT_TRUE(strstr(buf, "failed with EMFILE") != NULL, buf);

	e = sample(EV_WAKEUP);
	e.wakeup.events = 0;
	render_explain(&o, &e, buf, sizeof(buf));
	ASSERT_TRUE(strstr(buf, "timed out") != NULL, buf);

	/* A small buffer is cut, never overrun. */
	e = sample(EV_SIGCHLD);
	render_explain(&o, &e, buf, 16);
	ASSERT_EQ(strlen(buf), 15, "truncated to the buffer");
}

int main(void)
{
	RUN_TEST(test_validator_rejects);
	RUN_TEST(test_json_writer_nesting);
	RUN_TEST(test_json_writer_escaping);
	RUN_TEST(test_json_writer_numbers);
	RUN_TEST(test_json_every_event_kind);
	RUN_TEST(test_json_event_fields);
	RUN_TEST(test_json_fork_failed);
	RUN_TEST(test_json_exit_signal_and_how);
	RUN_TEST(test_json_unknown_values_absent);
	RUN_TEST(test_json_accept_ipv6);
	RUN_TEST(test_json_hostile_strings);
	RUN_TEST(test_json_argv_split);
	RUN_TEST(test_text_event_lines);
	RUN_TEST(test_text_unknown_is_question_mark);
	RUN_TEST(test_text_hostile_strings);
	RUN_TEST(test_text_header);
	RUN_TEST(test_explain_sentences);
	RUN_TEST(test_explain_variants);
	free(out_buf);
	return TEST_MAIN_END();
}
