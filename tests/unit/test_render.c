// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Renderers: every event kind and a summary in JSON (checked by a strict validator below, then
 * field by field), text lines, explain sentences, log2 histograms, and the live view's fit.
 */
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/socket.h>
#include "test.h"
#include "format.h"
#include "json.h"
#include "render.h"

/* ---- a strict JSON validator (RFC 8259), independent of the writer -------------------------- */

struct jp {
	const char *p;
	int depth;
};

static void jp_ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static bool jp_value(struct jp *j);

/* One UTF-8 sequence, strictly: no overlongs, no surrogates, nothing past U+10FFFF. */
static bool jp_utf8(struct jp *j)
{
	const unsigned char *s = (const unsigned char *)j->p;
	unsigned int cp, len, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return false;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return false;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return false;
	j->p += len;
	return true;
}

static bool jp_string(struct jp *j)
{
	int i;

	if (*j->p != '"')
		return false;
	j->p++;
	for (;;) {
		unsigned char c = (unsigned char)*j->p;

		if (c == '"') {
			j->p++;
			return true;
		}
		if (c < 0x20)
			return false;	/* also the terminating NUL */
		if (c == '\\') {
			j->p++;
			if (*j->p == 'u') {
				for (i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", j->p[i]) || !j->p[i])
						return false;
				j->p += 5;
			} else if (*j->p && strchr("\"\\/bfnrt", *j->p)) {
				j->p++;
			} else {
				return false;
			}
			continue;
		}
		if (c >= 0x80) {
			if (!jp_utf8(j))
				return false;
			continue;
		}
		j->p++;
	}
}

static bool jp_digits(struct jp *j)
{
	const char *s = j->p;

	while (*j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static bool jp_number(struct jp *j)
{
	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (!jp_digits(j))
		return false;
	if (*j->p == '.') {
		j->p++;
		if (!jp_digits(j))
			return false;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (!jp_digits(j))
			return false;
	}
	return true;
}

/* After a member or an element: 1 if a ',' says another follows, 0 at close, -1 otherwise. */
static int jp_after_item(struct jp *j, char close)
{
	jp_ws(j);
	if (*j->p == ',') {
		j->p++;
		return 1;
	}
	if (*j->p == close) {
		j->p++;
		return 0;
	}
	return -1;
}

static bool jp_object(struct jp *j)
{
	const char *keys[128];
	size_t lens[128], n = 0, i;
	int r;

	j->p++;
	jp_ws(j);
	if (*j->p == '}') {
		j->p++;
		return true;
	}
	for (;;) {
		const char *k;

		jp_ws(j);
		k = j->p;
		if (!jp_string(j))
			return false;
		/* A writer that repeats a key is a bug, even if JSON tolerates it. */
		for (i = 0; i < n; i++)
			if (lens[i] == (size_t)(j->p - k) && !memcmp(keys[i], k, lens[i]))
				return false;
		if (n < 128) {
			keys[n] = k;
			lens[n++] = j->p - k;
		}
		jp_ws(j);
		if (*j->p++ != ':')
			return false;
		if (!jp_value(j))
			return false;
		r = jp_after_item(j, '}');
		if (r <= 0)
			return r == 0;
	}
}

static bool jp_array(struct jp *j)
{
	int r;

	j->p++;
	jp_ws(j);
	if (*j->p == ']') {
		j->p++;
		return true;
	}
	for (;;) {
		if (!jp_value(j))
			return false;
		r = jp_after_item(j, ']');
		if (r <= 0)
			return r == 0;
	}
}

static bool jp_value(struct jp *j)
{
	bool ok;

	jp_ws(j);
	if (++j->depth > 64)
		return false;
	switch (*j->p) {
	case '{':
		ok = jp_object(j);
		break;
	case '[':
		ok = jp_array(j);
		break;
	case '"':
		ok = jp_string(j);
		break;
	case 't':
		ok = !strncmp(j->p, "true", 4) && (j->p += 4);
		break;
	case 'f':
		ok = !strncmp(j->p, "false", 5) && (j->p += 5);
		break;
	case 'n':
		ok = !strncmp(j->p, "null", 4) && (j->p += 4);
		break;
	default:
		ok = jp_number(j);
		break;
	}
	j->depth--;
	return ok;
}

/* One complete JSON value and nothing else but whitespace. */
static bool json_valid(const char *s)
{
	struct jp j = { .p = s };

	if (!jp_value(&j))
		return false;
	jp_ws(&j);
	return *j.p == '\0';
}

/*
 * The raw text of member key of the object at obj ("4212", "\"bash\"", "{...}"), into buf;
 * false when the key is absent. Keys are compared as written (no escapes in our keys).
 */
static bool json_get(const char *obj, const char *key, char *buf, size_t n)
{
	struct jp j = { .p = obj };
	size_t klen = strlen(key);

	jp_ws(&j);
	if (*j.p != '{')
		return false;
	j.p++;
	for (;;) {
		const char *k, *kend, *v;

		jp_ws(&j);
		if (*j.p != '"')
			return false;
		k = j.p + 1;
		if (!jp_string(&j))
			return false;
		kend = j.p - 1;	/* the closing quote */
		jp_ws(&j);
		j.p++;	/* ':' */
		jp_ws(&j);
		v = j.p;
		if (!jp_value(&j))
			return false;
		if ((size_t)(kend - k) == klen && !strncmp(k, key, klen)) {
			snprintf(buf, n, "%.*s", (int)(j.p - v), v);
			return true;
		}
		jp_ws(&j);
		if (*j.p != ',')
			return false;
		j.p++;
	}
}

/* The raw text at a path of keys and array indexes: "zombies", "0", "lifetime_us", "p50". */
static bool json_path(const char *doc, char *buf, size_t n, const char *const *path)
{
	static char tmp[65536];
	char cur[65536];
	size_t len;

	snprintf(cur, sizeof(cur), "%s", doc);
	for (; *path; path++) {
		if (cur[0] == '[') {
			struct jp j = { .p = cur + 1 };
			int idx = atoi(*path), i;
			const char *v;

			for (i = 0;; i++) {
				jp_ws(&j);
				v = j.p;
				if (!jp_value(&j))
					return false;
				if (i == idx)
					break;
				jp_ws(&j);
				if (*j.p++ != ',')
					return false;
			}
			snprintf(tmp, sizeof(tmp), "%.*s", (int)(j.p - v), v);
		} else if (!json_get(cur, *path, tmp, sizeof(tmp))) {
			return false;
		}
		snprintf(cur, sizeof(cur), "%s", tmp);
	}
	len = strnlen(cur, n - 1);
	memcpy(buf, cur, len);
	buf[len] = '\0';
	return true;
}

#define JPATH(doc, buf, ...) \
	json_path(doc, buf, sizeof(buf), (const char *const[]){ __VA_ARGS__, NULL })

/* ---- helpers -------------------------------------------------------------------------------- */

static char *out_buf;
static size_t out_len;

static FILE *out_open(void)
{
	free(out_buf);
	out_buf = NULL;
	out_len = 0;
	return open_memstream(&out_buf, &out_len);
}

static const char *out_close(FILE *f)
{
	fclose(f);
	return out_buf;
}

static struct ll_render_opts ropts(FILE *f, bool json, bool explain)
{
	return (struct ll_render_opts){ .out = f, .json = json, .explain = explain, .stall_ms = 50,
					 .start_ns = 1000000000ULL };
}

static struct ll_event mkev(enum ll_ev_kind kind, uint32_t pid, const char *comm)
{
	struct ll_event e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.ts_ns = 1123456789ULL;
	e.pid = pid;
	e.tid = pid;
	e.ppid = 4200;
	strncpy(e.comm, comm, sizeof(e.comm) - 1);
	return e;
}

static const char exec_args[] = "ls\0-l\0/tmp";

/* One event of every kind with known values; kind order follows enum ll_ev_kind. */
static struct ll_event sample(enum ll_ev_kind kind)
{
	struct ll_event e;

	switch (kind) {
	case EV_FORK:
		e = mkev(EV_FORK, 4212, "bash");
		break;
	case EV_EXEC:
		e = mkev(EV_EXEC, 4212, "ls");
		e.exec.filename = "/usr/bin/ls";
		e.exec.args = exec_args;
		e.exec.args_len = sizeof(exec_args);	/* with the final NUL */
		break;
	case EV_EXIT:
		e = mkev(EV_EXIT, 4211, "ls");
		e.exit.status = 3 << 8;
		e.exit.age_us = 7100;
		e.exit.zombie = true;
		break;
	case EV_REAP:
		e = mkev(EV_REAP, 4211, "ls");
		e.reap.reaper_pid = 4200;
		strcpy(e.reap.reaper_comm, "bash");
		e.reap.zombie_us = 1200;
		e.reap.how = HOW_WAIT4;
		break;
	case EV_ORPHAN:
		e = mkev(EV_ORPHAN, 4300, "sleep");
		e.orphan.old_ppid = 4299;
		strcpy(e.orphan.old_parent_comm, "sh");
		e.orphan.adopter_pid = 1;
		break;
	case EV_SIGCHLD:
		e = mkev(EV_SIGCHLD, 4200, "bash");
		e.sigchld.from_pid = 4211;
		strcpy(e.sigchld.from_comm, "ls");
		e.sigchld.result = LL_SIG_ALREADY_PENDING;
		e.sigchld.code = 1;	/* CLD_EXITED */
		break;
	case EV_ACCEPT:
		e = mkev(EV_ACCEPT, 5000, "nginx");
		e.tid = 5001;
		e.accept.fd = 12;
		e.accept.listen_fd = 6;
		e.accept.family = AF_INET;
		e.accept.lport = 80;
		e.accept.rport = 51234;
		memcpy(e.accept.laddr, "\x0a\x00\x00\x01", 4);
		memcpy(e.accept.raddr, "\x0a\x00\x00\x02", 4);
		e.accept.queue_us = 120;
		break;
	case EV_STALL:
		e = mkev(EV_STALL, 6000, "node");
		e.tid = 6001;
		e.stall.busy_us = 240000;
		break;
	case EV_FORK_FAILED:
		e = mkev(EV_FORK_FAILED, 7000, "git");
		e.cgroup = "/box/web";
		e.fork_failed.err = 11;
		e.fork_failed.call = LL_FORK_CALL_CLONE;
		e.fork_failed.pids_current = 8;
		e.fork_failed.pids_max = 8;
		break;
	default:
		e = mkev(EV_WAKEUP, 6000, "node");
		e.tid = 6001;
		e.wakeup.events = 3;
		e.wakeup.blocked_us = 12000;
		e.wakeup.busy_us = 40;
		break;
	}
	return e;
}

static const char *render_one(const struct ll_event *e, bool json, bool explain)
{
	FILE *f = out_open();
	struct ll_render_opts o = ropts(f, json, explain);

	render_event(&o, e);
	return out_close(f);
}

/* Every expected "key":raw pair of an object, and nothing left unchecked by mistake. */
static bool expect_fields(const char *doc, const char *const *kv)
{
	char got[4096];
	bool ok = true;

	for (; kv[0]; kv += 2) {
		if (!json_get(doc, kv[0], got, sizeof(got))) {
			fprintf(stderr, "  missing \"%s\" in %s", kv[0], doc);
			ok = false;
		} else if (strcmp(got, kv[1])) {
			fprintf(stderr, "  \"%s\": expected %s, got %s\n", kv[0], kv[1], got);
			ok = false;
		}
	}
	return ok;
}

#define EXPECT_FIELDS(doc, ...) \
	ASSERT_TRUE(expect_fields(doc, (const char *const[]){ __VA_ARGS__, NULL }), "fields")

static bool has_key(const char *doc, const char *key)
{
	char got[4096];

	return json_get(doc, key, got, sizeof(got));
}

static int count_char(const char *s, char c)
{
	int n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

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
