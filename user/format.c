// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <arpa/inet.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "decode.h"
#include "format.h"
#include "views.h"

static bool ascii_units;

void fmt_set_ascii(bool ascii)
{
	ascii_units = ascii;
}

bool fmt_ascii(void)
{
	return ascii_units;
}

const char *fmt_dur_us(char *buf, size_t n, uint64_t us)
{
	double v;

	if (us == LL_UNKNOWN) {
		snprintf(buf, n, "?");
		return buf;
	}
	if (us < 1000) {
		snprintf(buf, n, "%" PRIu64 "%s", us, ascii_units ? "us" : "µs");
		return buf;
	}
	/* Thresholds sit where rounding would otherwise print "1000ms" or "60.0s". */
	v = (double)us / 1e3;
	if (v < 9.995) {
		snprintf(buf, n, "%.2fms", v);
	} else if (v < 99.95) {
		snprintf(buf, n, "%.1fms", v);
	} else if (v < 999.5) {
		snprintf(buf, n, "%.0fms", v);
	} else if ((v /= 1e3) < 9.995) {
		snprintf(buf, n, "%.2fs", v);
	} else if (v < 59.95) {
		snprintf(buf, n, "%.1fs", v);
	} else {
		uint64_t s = (us + 500000) / 1000000;

		uint64_t m = (s + 30) / 60;

		if (s < 3600)
			snprintf(buf, n, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
		else
			snprintf(buf, n, "%" PRIu64 "h%02" PRIu64 "m", m / 60, m % 60);
	}
	return buf;
}

const char *fmt_u64(char *buf, size_t n, uint64_t v)
{
	if (v == LL_UNKNOWN)
		snprintf(buf, n, "?");
	else
		snprintf(buf, n, "%" PRIu64, v);
	return buf;
}

const char *fmt_pid(char *buf, size_t n, uint32_t pid)
{
	if (!pid)
		snprintf(buf, n, "?");
	else
		snprintf(buf, n, "%u", pid);
	return buf;
}

const char *fmt_ip(char *buf, size_t n, unsigned int family, const uint8_t addr[16])
{
	int af = family == AF_INET ? AF_INET : family == AF_INET6 ? AF_INET6 : 0;

	if (!af || !inet_ntop(af, addr, buf, n))
		snprintf(buf, n, "?");
	return buf;
}

const char *fmt_addr(char *buf, size_t n, unsigned int family, const uint8_t addr[16],
		     unsigned int port)
{
	char ip[INET6_ADDRSTRLEN];

	fmt_ip(ip, sizeof(ip), family, addr);
	if (family == AF_INET6)
		snprintf(buf, n, "[%s]:%u", ip, port);
	else if (family == AF_INET)
		snprintf(buf, n, "%s:%u", ip, port);
	else
		snprintf(buf, n, "?");
	return buf;
}

const char *fmt_signal(char *buf, size_t n, int sig)
{
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		snprintf(buf, n, "SIG%s", abbrev);
	else
		snprintf(buf, n, "SIG%d", sig);
	return buf;
}

const char *fmt_errno(char *buf, size_t n, int err)
{
	const char *name = err > 0 ? strerrorname_np(err) : NULL;

	if (name)
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "E%d", err);
	return buf;
}

const char *fmt_how(enum ll_how how)
{
	switch (how) {
	case HOW_WAIT4:
		return "wait4";
	case HOW_WAITID:
		return "waitid";
	case HOW_AUTOREAP:
		return "autoreap";
	case HOW_FREE:
		return "free";
	}
	return "?";
}

const char *fmt_sig_result(int result)
{
	switch (result) {
	case LL_SIG_DELIVERED:
		return "delivered";
	case LL_SIG_IGNORED:
		return "ignored";
	case LL_SIG_ALREADY_PENDING:
		return "coalesced";
	}
	return "other";
}

const char *fmt_cld_code(int code)
{
	switch (code) {
	case CLD_EXITED:
		return "exited";
	case CLD_KILLED:
		return "killed";
	case CLD_DUMPED:
		return "dumped";
	case CLD_TRAPPED:
		return "trapped";
	case CLD_STOPPED:
		return "stopped";
	case CLD_CONTINUED:
		return "continued";
	}
	return NULL;
}

struct fmt_status fmt_decode_status(uint32_t status)
{
	struct fmt_status st = { 0 };

	if (status & 0x7f) {
		st.signaled = true;
		st.code = status & 0x7f;
		st.core = status & 0x80;
	} else {
		st.code = (status >> 8) & 0xff;
	}
	return st;
}

const char *fmt_comm(char out[LL_COMM_LEN], const char *comm)
{
	size_t i;

	for (i = 0; i < LL_COMM_LEN - 1 && comm[i]; i++)
		out[i] = comm[i] >= 0x20 && comm[i] < 0x7f ? comm[i] : '?';
	out[i] = '\0';
	return out;
}

static bool fmt_is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t fmt_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		/* No overlong forms, no UTF-16 surrogates. */
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		/* No overlong forms, nothing past U+10FFFF. */
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (!fmt_is_cont(s[i]))
			return 0;
	return len;
}

void fmt_text(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;

	while (i < n) {
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7f) {
			if (c == '\\')
				fputs("\\\\", f);
			else
				fputc(c, f);
			i++;
			continue;
		}
		len = c >= 0x80 ? fmt_utf8_len(p + i, n - i) : 0;
		/* C1 controls (U+0080..U+009F) are escape sequences to some terminals. */
		if (len && !(len == 2 && c == 0xc2 && p[i + 1] < 0xa0)) {
			fwrite(p + i, 1, len, f);
			i += len;
			continue;
		}
		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\r')
			fputs("\\r", f);
		else
			fprintf(f, "\\x%02x", c);
		i++;
	}
}

static bool fmt_needs_quotes(const char *arg, size_t n)
{
	size_t i;

	if (!n)
		return true;
	for (i = 0; i < n; i++)
		if (strchr(" \t\n'\"", arg[i]))
			return true;
	return false;
}

static void fmt_quoted(FILE *f, const char *arg, size_t n)
{
	const char *q;

	fputc('\'', f);
	/* Shell style: a quote inside becomes '\'' so the line can be pasted back. */
	while ((q = memchr(arg, '\'', n))) {
		fmt_text(f, arg, q - arg);
		fputs("'\\''", f);
		n -= q - arg + 1;
		arg = q + 1;
	}
	fmt_text(f, arg, n);
	fputc('\'', f);
}

void fmt_argv(FILE *f, const char *args, size_t len, bool truncated)
{
	size_t off = 0;
	bool first = true;

	while (off < len) {
		const char *arg = args + off;
		const char *nul = memchr(arg, '\0', len - off);
		size_t n = nul ? (size_t)(nul - arg) : len - off;

		if (!first)
			fputc(' ', f);
		first = false;
		if (fmt_needs_quotes(arg, n))
			fmt_quoted(f, arg, n);
		else
			fmt_text(f, arg, n);
		off += n + 1;
	}
	if (truncated)
		fputs(first ? "[...]" : " [...]", f);
}

char *fmt_append(char *buf, size_t n, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*pos >= n)
		return buf;
	va_start(ap, fmt);
	w = vsnprintf(buf + *pos, n - *pos, fmt, ap);
	va_end(ap);
	if (w > 0)
		*pos = *pos + (size_t)w < n ? *pos + (size_t)w : n - 1;
	return buf;
}

size_t fmt_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0;

	while (*p) {
		if (p[0] == 0x1b && p[1] == '[') {
			for (p += 2; *p && (*p < 0x40 || *p > 0x7e); p++)
				;
			if (*p)
				p++;
			continue;
		}
		if (!fmt_is_cont(*p))
			w++;
		p++;
	}
	return w;
}

void fmt_col(char *buf, size_t n, size_t *pos, int width, const char *s)
{
	size_t w = fmt_width(s), pad = 0;

	if (width > 0 && (size_t)width > w)
		pad = width - w;
	else if (width < 0 && (size_t)-width > w)
		pad = -width - w;
	if (width > 0)
		fmt_append(buf, n, pos, "%*s%s ", (int)pad, "", s);
	else
		fmt_append(buf, n, pos, "%s%*s ", s, (int)pad, "");
}

const char *fmt_rec_name(unsigned int type)
{
	const struct ll_rec_info *ri = ll_rec_info(type);

	return ri ? ri->name : NULL;
}

/*
 * Every zombie cause in one place: its name (JSON, columns), what it means, and what to change.
 * Findings and summaries read the same sentences.
 */
static const struct {
	const char *name, *text, *advice;
} causes[] = {
	[CAUSE_NONE] = { "none", "zombies are reaped promptly", NULL },
	[CAUSE_NEVER_WAITS] = { "never-waits",
		"the parent has never reaped a child: it does not call wait()",
		"reap children: call waitpid(-1, &status, WNOHANG) in a loop on SIGCHLD or in the "
		"main loop, or set SIGCHLD to SIG_IGN if their exit status is not needed" },
	[CAUSE_SIGCHLD_IGNORED] = { "sigchld-ignored",
		"SIGCHLD is ignored, yet children are not auto-reaped: the parent must wait() for "
		"them",
		"wait() for the children, or ignore SIGCHLD before they exit so the kernel reaps "
		"them" },
	[CAUSE_SIGCHLD_BLOCKED] = { "sigchld-blocked",
		"SIGCHLD is blocked in the parent, so its handler cannot run when children exit",
		"unblock SIGCHLD (sigprocmask), or read it from a signalfd in the event loop and "
		"reap there" },
	[CAUSE_COALESCED] = { "coalesced",
		"SIGCHLD signals were coalesced and the handler reaps one child per signal: loop on "
		"waitpid(-1, WNOHANG)",
		"in the SIGCHLD handler, loop on waitpid(-1, &status, WNOHANG) until it returns 0: "
		"one signal can stand for many exits" },
	[CAUSE_INIT_BATCH] = { "init-batch",
		"the children are reaped by an adopter (init or a subreaper), which reaps in batches",
		"have the parent reap its children before it exits, or make a supervisor their "
		"subreaper (PR_SET_CHILD_SUBREAPER) that waits at once" },
	[CAUSE_SLOW_REAPER] = { "slow-reaper", "the parent reaps its children, but late",
		"reap as soon as SIGCHLD arrives instead of after other work" },
	[CAUSE_PARENT_DIED] = { "parent-died",
		"the zombie's parent exited without reaping it; it was handed to the adopter",
		"make the parent wait for its children before it exits (or ignore SIGCHLD); until "
		"then the adopter must reap them" },
	[CAUSE_INIT_NEVER_WAITS] = { "init-never-waits",
		"the adopter is an init (host PID 1, or PID 1 of a PID namespace) that never waits "
		"for adopted children",
		"run a real init as PID 1 (tini, dumb-init, docker run --init) so that adopted "
		"children are reaped" },
};

static bool cause_known(enum ll_zombie_cause c)
{
	return (unsigned int)c < sizeof(causes) / sizeof(causes[0]) && causes[c].name;
}

const char *ll_cause_name(enum ll_zombie_cause c)
{
	return cause_known(c) ? causes[c].name : "?";
}

const char *ll_cause_text(enum ll_zombie_cause c)
{
	return cause_known(c) ? causes[c].text : "unknown cause";
}

const char *fmt_cause_advice(enum ll_zombie_cause c)
{
	return cause_known(c) ? causes[c].advice : NULL;
}

const char *fmt_oldest_us(char *buf, size_t n, uint64_t us, uint64_t min_us)
{
	char d[FMT_DUR_LEN];

	if (us != LL_UNKNOWN)
		return fmt_dur_us(buf, n, us);
	snprintf(buf, n, ">%s", fmt_dur_us(d, sizeof(d), min_us));
	return buf;
}
