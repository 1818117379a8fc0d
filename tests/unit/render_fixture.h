// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The fixture test_render.c and test_render_summary.c share: builders, capture and checkers. */
#ifndef TESTS_UNIT_RENDER_FIXTURE_H
#define TESTS_UNIT_RENDER_FIXTURE_H

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

static inline void jp_ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static inline bool jp_value(struct jp *j);

/* One UTF-8 sequence, strictly: no overlongs, no surrogates, nothing past U+10FFFF. */
static inline bool jp_utf8(struct jp *j)
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

static inline bool jp_string(struct jp *j)
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

static inline bool jp_digits(struct jp *j)
{
	const char *s = j->p;

	while (*j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static inline bool jp_number(struct jp *j)
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
static inline int jp_after_item(struct jp *j, char close)
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

static inline bool jp_object(struct jp *j)
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

static inline bool jp_array(struct jp *j)
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

static inline bool jp_value(struct jp *j)
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
static inline bool json_valid(const char *s)
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
static inline bool json_get(const char *obj, const char *key, char *buf, size_t n)
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
static inline bool json_path(const char *doc, char *buf, size_t n, const char *const *path)
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

static inline FILE *out_open(void)
{
	free(out_buf);
	out_buf = NULL;
	out_len = 0;
	return open_memstream(&out_buf, &out_len);
}

static inline const char *out_close(FILE *f)
{
	fclose(f);
	return out_buf;
}

static inline struct ll_render_opts ropts(FILE *f, bool json, bool explain)
{
	return (struct ll_render_opts){ .out = f, .json = json, .explain = explain, .stall_ms = 50,
					 .start_ns = 1000000000ULL };
}

static inline struct ll_event mkev(enum ll_ev_kind kind, uint32_t pid, const char *comm)
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
static inline struct ll_event sample(enum ll_ev_kind kind)
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

static inline const char *render_one(const struct ll_event *e, bool json, bool explain)
{
	FILE *f = out_open();
	struct ll_render_opts o = ropts(f, json, explain);

	render_event(&o, e);
	return out_close(f);
}

/* Every expected "key":raw pair of an object, and nothing left unchecked by mistake. */
static inline bool expect_fields(const char *doc, const char *const *kv)
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

static inline bool has_key(const char *doc, const char *key)
{
	char got[4096];

	return json_get(doc, key, got, sizeof(got));
}

static inline int count_char(const char *s, char c)
{
	int n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}


#endif
