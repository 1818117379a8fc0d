// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Command line parsing with glibc's argp. Every usage error ends as exactly one line
 * "lifeline: <what is wrong> (try --help)" on stderr and status 2: our own checks record their
 * message and stop the parse; getopt's messages (unknown option, missing argument) are caught by
 * pointing stderr at a memory stream during argp_parse() and reworded into that one line.
 */
#include <argp.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "cli_values.h"

#ifndef LL_VERSION
#define LL_VERSION "unknown"
#endif

#define CLI_ERR_LEN	320
#define CLI_SHOW_LEN	48	/* of a bad argument quoted back in a message */
#define CLI_USAGE	2	/* exit status of a usage error */

enum {
	OPT_EXPLAIN = 0x100,
	OPT_STALL_MS,
	OPT_RINGBUF_KB,
	OPT_PROMETHEUS,
	OPT_VERSION,
	OPT_SVG,
	OPT_CGROUP,
	OPT_FULL,
	OPT_LOOPS,
};

struct cli_ctx {
	struct ll_opts *o;
	char err[CLI_ERR_LEN];	/* the first error of ours; empty while there is none */
	bool help;
	bool version;
};

static const char cli_doc[] =
	"Trace process lifecycles (fork, exec, exit, zombies, orphans), accept queues and epoll "
	"event loops, live, with eBPF.\n\n"
	"Without -p, -c or COMMAND the whole system is traced. The live view refreshes every "
	"interval until Ctrl-C; --events streams one line per event instead; a final summary with "
	"histograms is printed at the end."
	"\v"
	"Examples:\n"
	"  lifeline                            live view of the whole system\n"
	"  lifeline -p 1234                    1234 and what it forks from now on\n"
	"  lifeline -e --explain -- make -j8   stream make's process events, explained\n"
	"  lifeline -eproc,sock -j -c nginx    nginx's events as JSON lines\n"
	"  lifeline --events=loop --stall-ms 20 -p 4321\n"
	"                                      event loop stalls longer than 20 ms\n"
	"  lifeline -j -i 0.5 -d 10            a JSON summary every 0.5 s for 10 s\n"
	"  lifeline --prometheus :9090         metrics on 127.0.0.1:9090/metrics\n"
	"\n"
	"Exit status: 0 on success, 1 on a runtime failure (cannot load or attach, not privileged, "
	"no kernel BTF, output not writable), 2 on a usage error. With COMMAND, lifeline exits with "
	"COMMAND's status. Ctrl-C, SIGTERM and SIGHUP end the run with the final summary; a second "
	"Ctrl-C exits at once, without it, with status 130.\n"
	"Needs root (or CAP_BPF, CAP_PERFMON and CAP_DAC_READ_SEARCH) and a kernel with BTF.";

static const struct argp_option cli_options[] = {
	{ NULL, 0, NULL, 0, "What to trace:", 1 },
	{ "pid", 'p', "PID", 0,
	  "Trace PID and every process it forks from now on (repeatable, up to 64)", 1 },
	{ "comm", 'c', "NAME", 0,
	  "Trace only processes whose command name is NAME (repeatable, up to 8)", 1 },
	{ "cgroup", OPT_CGROUP, "PATH", 0,
	  "Trace only processes in the cgroup v2 directory PATH or below it: a path under the "
	  "cgroup2 mount, or one relative to it (repeatable, up to 8)", 1 },
	{ "uid", 'u', "UID", 0, "Trace only processes of that user (a number or a name)", 1 },
	{ NULL, 0, NULL, 0, "Output:", 2 },
	{ "events", 'e', "CLASSES", OPTION_ARG_OPTIONAL,
	  "Stream one line per event instead of the live view. CLASSES is a comma list of proc, "
	  "sock, loop (stalls), loop-all (stalls and every epoll wakeup) and all (all but "
	  "wakeups); default proc,sock. -e proc, -eproc and --events=proc all work", 2 },
	{ "json", 'j', NULL, 0, "JSON lines on stdout: events, or a summary every interval", 2 },
	{ "explain", OPT_EXPLAIN, NULL, 0,
	  "Explain each streamed event in a plain sentence (implies --events)", 2 },
	{ "interval", 'i', "SECS", 0, "Refresh and summary interval (default 1; 0.5 works)", 2 },
	{ "duration", 'd', "SECS", 0, "Stop after SECS seconds and print the final summary", 2 },
	{ "output", 'o', "FILE", 0, "Write lifeline's output to FILE instead of stdout", 2 },
	{ "timestamp", 'T', NULL, 0,
	  "Wall-clock time (HH:MM:SS.mmm) in stream lines; JSON objects gain \"time\"", 2 },
	{ "failed", 'x', NULL, 0,
	  "Stream only failures: non-zero exits, deaths by signal, fork failures", 2 },
	{ "full", OPT_FULL, NULL, 0,
	  "The long final summary: every row and every histogram", 2 },
	{ "prometheus", OPT_PROMETHEUS, "ADDR:PORT", 0,
	  "Serve metrics at http://ADDR:PORT/metrics; [IPv6]:PORT works, and a bare PORT or "
	  ":PORT listens on 127.0.0.1", 2 },
	{ "svg", OPT_SVG, "FILE", 0,
	  "At the end, write the lifeline chart to FILE: one SVG row per process, fork to exit "
	  "to reap, orphans and loop stalls", 2 },
	{ NULL, 0, NULL, 0, "Tuning:", 3 },
	{ "stall-ms", OPT_STALL_MS, "MS", 0,
	  "Busy period that counts as an event loop stall (default 50)", 3 },
	{ "loops", OPT_LOOPS, "MODE", 0,
	  "Event loops: sched (default; scheduler events only, near-zero cost), calls (also every "
	  "epoll_wait return: events per wakeup, timeouts; costs more per call) or off", 3 },
	{ "ringbuf-kb", OPT_RINGBUF_KB, "KB", 0,
	  "Ring buffer size (default 4096; rounded up to a power of two, at least 64)", 3 },
	{ "verbose", 'v', NULL, 0, "libbpf and load diagnostics on stderr", 3 },
	{ NULL, 0, NULL, 0, "Help:", -1 },
	{ "help", 'h', NULL, 0, "Give this help list", -1 },
	{ "version", OPT_VERSION, NULL, 0, "Print the program version", -1 },
	{ 0 }
};

static error_t cli_parse_opt(int key, char *arg, struct argp_state *state);

static const struct argp cli_argp = {
	.options = cli_options,
	.parser = cli_parse_opt,
	.args_doc = "[-- COMMAND [ARGS...]]",
	.doc = cli_doc,
};

/* Records the first error and stops the parse: one line, the first thing that went wrong. */
static error_t cli_fail(struct cli_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static error_t cli_fail(struct cli_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->err[0]) {
		va_start(ap, fmt);
		vsnprintf(c->err, sizeof(c->err), fmt, ap);
		va_end(ap);
	}
	return EINVAL;
}

/* A bad argument quoted back: shortened, and without bytes that would break the line. */
static const char *cli_show(char *buf, size_t n, const char *arg)
{
	size_t i, len = strlen(arg);

	snprintf(buf, n, "%.*s%s", CLI_SHOW_LEN, arg, len > CLI_SHOW_LEN ? "..." : "");
	for (i = 0; buf[i]; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
	return buf;
}

static error_t cli_pid(struct cli_ctx *c, const char *arg)
{
	struct ll_opts *o = c->o;
	char show[CLI_SHOW_LEN + 8];
	uint64_t v;
	unsigned int i;

	if (cli_uint(arg, 1, LL_PID_MAX, &v))
		return cli_fail(c, "invalid --pid '%s': expected a process id from 1 to %u",
				cli_show(show, sizeof(show), arg), LL_PID_MAX);
	for (i = 0; i < o->npids; i++)
		if (o->pids[i] == v)
			return 0;
	if (o->npids == LL_MAX_PIDS)
		return cli_fail(c, "too many --pid: at most %d", LL_MAX_PIDS);
	o->pids[o->npids++] = (uint32_t)v;
	return 0;
}

static error_t cli_comm(struct cli_ctx *c, const char *arg)
{
	struct ll_opts *o = c->o;
	char show[CLI_SHOW_LEN + 8];
	unsigned int i;

	if (!*arg)
		return cli_fail(c, "--comm needs a command name");
	/* The kernel keeps 15 bytes of a name: a longer one would silently never match. */
	if (strlen(arg) >= LL_COMM_LEN)
		return cli_fail(c, "--comm '%s' is longer than %d characters, the most a command "
				"name holds", cli_show(show, sizeof(show), arg), LL_COMM_LEN - 1);
	for (i = 0; i < o->ncomms; i++)
		if (!strcmp(o->comms[i], arg))
			return 0;
	if (o->ncomms == LL_MAX_COMM_FILTERS)
		return cli_fail(c, "too many --comm: at most %d", LL_MAX_COMM_FILTERS);
	strcpy(o->comms[o->ncomms++], arg);
	return 0;
}

static error_t cli_cgroup(struct cli_ctx *c, char *arg)
{
	struct ll_opts *o = c->o;
	unsigned int i;

	/* Whether it exists is checked against the cgroup2 mount once options are parsed. */
	if (!*arg)
		return cli_fail(c, "--cgroup needs a cgroup path");
	for (i = 0; i < o->ncgroups; i++)
		if (!strcmp(o->cgroups[i], arg))
			return 0;
	if (o->ncgroups == LL_MAX_CGROUP_FILTERS)
		return cli_fail(c, "too many --cgroup: at most %d", LL_MAX_CGROUP_FILTERS);
	o->cgroups[o->ncgroups++] = arg;
	return 0;
}

static const struct {
	const char *name;
	unsigned int bits;
} cli_classes[] = {
	{ "proc", LL_CLASS_PROC },
	{ "sock", LL_CLASS_SOCK },
	{ "loop", LL_CLASS_LOOP },
	{ "loop-all", LL_CLASS_LOOP | LL_CLASS_LOOP_ALL },
	{ "all", LL_CLASS_ALL },
};

/* "proc,sock" into LL_CLASS_* bits; on error *bad is the offending item (NUL-terminated). */
static int cli_class_list(const char *list, unsigned int *bits, char *bad, size_t badlen)
{
	const char *p = list;
	size_t n, i;

	*bits = 0;
	for (;;) {
		n = strcspn(p, ",");
		for (i = 0; i < sizeof(cli_classes) / sizeof(cli_classes[0]); i++)
			if (strlen(cli_classes[i].name) == n && !strncmp(cli_classes[i].name, p, n))
				break;
		if (i == sizeof(cli_classes) / sizeof(cli_classes[0])) {
			snprintf(bad, badlen, "%.*s", (int)n, p);
			return -EINVAL;
		}
		*bits |= cli_classes[i].bits;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

static error_t cli_events(struct cli_ctx *c, const char *arg)
{
	char bad[CLI_SHOW_LEN + 8], show[CLI_SHOW_LEN + 8];
	unsigned int bits;

	c->o->events = true;
	if (!arg)
		return 0;	/* the default classes, unless a detached list follows: cli_check */
	if (cli_class_list(arg, &bits, bad, sizeof(bad))) {
		if (!bad[0])
			return cli_fail(c, "--events '%s' has an empty class: expected a comma "
					"list of proc, sock, loop, loop-all, all",
					cli_show(show, sizeof(show), arg));
		return cli_fail(c, "unknown event class '%s': expected a comma list of proc, sock, "
				"loop, loop-all, all", cli_show(show, sizeof(show), bad));
	}
	c->o->classes |= bits;
	return 0;
}

static error_t cli_prometheus(struct cli_ctx *c, const char *arg)
{
	char show[CLI_SHOW_LEN + 8];

	if (cli_prom_parse(c->o, arg))
		return cli_fail(c, "invalid --prometheus '%s': expected ADDR:PORT, [IPv6]:PORT or "
				"PORT, with PORT from 1 to 65535",
				cli_show(show, sizeof(show), arg));
	return 0;
}

static error_t cli_number(struct cli_ctx *c, int key, const char *arg)
{
	struct ll_opts *o = c->o;
	char show[CLI_SHOW_LEN + 8];
	uint64_t v;

	cli_show(show, sizeof(show), arg);
	switch (key) {
	case 'd':
		if (cli_seconds(arg, LL_DURATION_MAX_MS, &v))
			return cli_fail(c, "invalid --duration '%s': expected seconds, more than 0 "
					"and at most %llu, like 10 or 2.5", show,
					LL_DURATION_MAX_MS / 1000);
		o->duration_s = (double)v / 1000.0;
		return 0;
	case 'i':
		if (cli_seconds(arg, LL_INTERVAL_MAX_MS, &v))
			return cli_fail(c, "invalid --interval '%s': expected seconds, more than 0 "
					"and at most %llu, like 1 or 0.5", show,
					LL_INTERVAL_MAX_MS / 1000);
		o->interval_s = (double)v / 1000.0;
		return 0;
	case OPT_STALL_MS:
		if (cli_uint(arg, 1, LL_STALL_MAX_MS, &o->stall_ms))
			return cli_fail(c, "invalid --stall-ms '%s': expected milliseconds from 1 "
					"to %llu", show, LL_STALL_MAX_MS);
		return 0;
	case OPT_RINGBUF_KB:
		if (cli_uint(arg, 1, LL_RINGBUF_MAX_KB, &v))
			return cli_fail(c, "invalid --ringbuf-kb '%s': expected kilobytes "
					"from 1 to %llu", show, LL_RINGBUF_MAX_KB);
		o->ringbuf_kb = (unsigned int)v;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static error_t cli_loops(struct cli_ctx *c, const char *arg)
{
	static const char *const names[] = {
		[LL_LOOPS_SCHED] = "sched", [LL_LOOPS_CALLS] = "calls", [LL_LOOPS_OFF] = "off",
	};
	char show[CLI_SHOW_LEN + 8];
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(arg, names[i])) {
			c->o->loops_mode = i;
			c->o->loops_given = true;
			return 0;
		}
	}
	return cli_fail(c, "invalid --loops '%s': expected sched, calls or off",
			cli_show(show, sizeof(show), arg));
}

/* "-e proc": argp gives an optional argument only when attached, so the word after a detached
 * -e (-e, -je, --ev..--events) is its classes when it parses as a class list. */
static bool cli_detached_events(const struct argp_state *state, const char *word)
{
	const char *prev;
	char bad[CLI_SHOW_LEN + 8];
	unsigned int bits;
	size_t n;

	/* In ARGP_KEY_ARG, next is already past the word. */
	if (state->next < 2)
		return false;
	prev = state->argv[state->next - 2];
	n = strlen(prev);
	/* "--e" alone would be ambiguous with --explain. */
	if (!(prev[0] == '-' && prev[1] != '-' && n >= 2 && prev[n - 1] == 'e' &&
	      strspn(prev + 1, "jvTx") == n - 2) &&
	    !(n >= 4 && !strncmp(prev, "--events", n)))
		return false;
	return !cli_class_list(word, &bits, bad, sizeof(bad));
}

/* A word that is no option: -e's classes, or after "--" the COMMAND, or a mistake. */
static error_t cli_word(struct cli_ctx *c, struct argp_state *state, const char *word)
{
	char show[CLI_SHOW_LEN + 8], prev[CLI_SHOW_LEN + 8];

	if (state->quoted && state->next - 1 >= state->quoted)
		return ARGP_ERR_UNKNOWN;	/* ARGP_KEY_ARGS takes it and the rest */
	if (cli_detached_events(state, word))
		return cli_events(c, word);
	cli_show(prev, sizeof(prev), state->next >= 2 ? state->argv[state->next - 2] : "lifeline");
	return cli_fail(c, "unexpected '%s' after '%s': a COMMAND goes after --, as in "
			"lifeline -- %s", cli_show(show, sizeof(show), word), prev, show);
}

static error_t cli_args(struct cli_ctx *c, struct argp_state *state)
{
	c->o->command = state->argv + state->next;
	c->o->command_argc = state->argc - state->next;
	state->next = state->argc;
	return 0;
}

/* -u: a number, or a user name from the passwd database, like ps -u. */
static error_t cli_uid(struct cli_ctx *c, const char *arg)
{
	char show[CLI_SHOW_LEN + 8];
	struct passwd *pw;
	uint64_t v;

	if (!cli_uint(arg, 0, UINT32_MAX - 1, &v)) {
		c->o->uid = (uint32_t)v;
	} else if (*arg && (arg[0] < '0' || arg[0] > '9') && (pw = getpwnam(arg))) {
		c->o->uid = pw->pw_uid;
	} else {
		return cli_fail(c, "invalid --uid '%s': expected a user id or a user name",
				cli_show(show, sizeof(show), arg));
	}
	c->o->uid_set = true;
	return 0;
}

static error_t cli_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct cli_ctx *c = state->input;

	switch (key) {
	case 'p':
		return cli_pid(c, arg);
	case 'c':
		return cli_comm(c, arg);
	case OPT_CGROUP:
		return cli_cgroup(c, arg);
	case 'e':
		return cli_events(c, arg);
	case 'j':
		c->o->json = true;
		return 0;
	case OPT_EXPLAIN:
		c->o->explain = true;
		return 0;
	case 'o':
		if (!*arg)
			return cli_fail(c, "--output needs a file name");
		c->o->output = arg;
		return 0;
	case 'T':
		c->o->timestamp = true;
		return 0;
	case 'x':
		c->o->failed_only = true;
		return 0;
	case 'u':
		return cli_uid(c, arg);
	case OPT_FULL:
		c->o->full = true;
		return 0;
	case 'v':
		c->o->verbose++;
		return 0;
	case 'd':
	case 'i':
	case OPT_STALL_MS:
	case OPT_RINGBUF_KB:
		return cli_number(c, key, arg);
	case OPT_PROMETHEUS:
		return cli_prometheus(c, arg);
	case OPT_SVG:
		if (!*arg)
			return cli_fail(c, "--svg needs a file name");
		c->o->svg = arg;
		return 0;
	case OPT_LOOPS:
		return cli_loops(c, arg);
	case 'h':
		c->help = true;
		return EINTR;	/* stop here, like --help always does */
	case OPT_VERSION:
		c->version = true;
		return EINTR;
	case ARGP_KEY_ARG:
		return cli_word(c, state, arg);
	case ARGP_KEY_ARGS:
		return cli_args(c, state);
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static void cli_defaults(struct ll_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->interval_s = 1.0;
	o->stall_ms = 50;
	o->ringbuf_kb = 4096;
}

/* The kernel wants a power-of-two number of pages; users should not have to know that. */
static void cli_ringbuf_size(struct ll_opts *o)
{
	unsigned int kb = o->ringbuf_kb < LL_RINGBUF_MIN_KB ? LL_RINGBUF_MIN_KB : o->ringbuf_kb;
	size_t want = (size_t)kb * 1024, size = 1;
	long page = sysconf(_SC_PAGESIZE);

	while (size < want)
		size <<= 1;
	if (page > 0 && size < (size_t)page)
		size = page;
	if (o->verbose && size != (size_t)o->ringbuf_kb * 1024)
		fprintf(stderr, "lifeline: --ringbuf-kb %u rounded up to %zu KiB (a power-of-two "
			"number of pages, at least %d KiB)\n", o->ringbuf_kb, size / 1024,
			LL_RINGBUF_MIN_KB);
	o->ringbuf_bytes = size;
	o->ringbuf_kb = (unsigned int)(size / 1024);
}

/* Checks between options, once all are known. */
static int cli_check(struct cli_ctx *c)
{
	struct ll_opts *o = c->o;

	if (o->npids && o->command_argc)
		return cli_fail(c, "--pid and a COMMAND cannot be combined: with a COMMAND, its "
				"own process tree is what is traced");
	/* --explain and -x are about streamed events: asking for them asks for the stream. */
	if (o->explain || o->failed_only)
		o->events = true;
	if (o->events && !o->classes)
		o->classes = LL_CLASS_DEFAULT;
	/* Every wakeup is a per-call fact: loop-all needs the per-call programs. */
	if (o->events && (o->classes & LL_CLASS_LOOP_ALL)) {
		if (o->loops_given && o->loops_mode != LL_LOOPS_CALLS)
			return cli_fail(c, "-e loop-all streams every epoll_wait return, which needs "
					"--loops calls");
		o->loops_mode = LL_LOOPS_CALLS;
	}
	return 0;
}

/* getopt's "argv0: unrecognized option '--x'\nTry ...\n" becomes "unrecognized option '--x'". */
static void cli_getopt_msg(char *out, size_t n, const char *captured, const char *argv0)
{
	size_t len, plen = argv0 ? strlen(argv0) : 0;

	if (!captured || !*captured) {
		snprintf(out, n, "invalid command line");
		return;
	}
	if (plen && !strncmp(captured, argv0, plen) && !strncmp(captured + plen, ": ", 2))
		captured += plen + 2;
	len = strcspn(captured, "\n");
	snprintf(out, n, "%.*s", (int)len, captured);
}

static void cli_help(void)
{
	argp_help(&cli_argp, stdout, ARGP_HELP_STD_HELP, (char *)"lifeline");
	exit(fflush(stdout) ? 1 : 0);
}

static void cli_version(void)
{
	printf("lifeline %s\n", LL_VERSION);
	exit(fflush(stdout) ? 1 : 0);
}

int cli_parse(int argc, char **argv, struct ll_opts *o)
{
	struct cli_ctx c = { .o = o };
	char *captured = NULL, msg[CLI_ERR_LEN];
	size_t caplen = 0;
	FILE *saved = stderr, *cap;
	int err;

	cli_defaults(o);
	/* For whatever argp error might still exit by itself: a usage error is status 2. */
	argp_err_exit_status = CLI_USAGE;
	/* glibc documents stderr as an assignable variable; getopt writes to it. */
	cap = open_memstream(&captured, &caplen);
	if (cap)
		stderr = cap;
	err = argp_parse(&cli_argp, argc, argv, ARGP_IN_ORDER | ARGP_NO_EXIT | ARGP_NO_HELP, NULL,
			 &c);
	if (cap) {
		stderr = saved;
		fclose(cap);
	}
	if (c.help)
		cli_help();
	if (c.version)
		cli_version();
	if (!err)
		err = cli_check(&c);
	if (err) {
		if (c.err[0])
			snprintf(msg, sizeof(msg), "%s", c.err);
		else
			cli_getopt_msg(msg, sizeof(msg), captured, argc > 0 ? argv[0] : NULL);
		fprintf(stderr, "lifeline: %s (try --help)\n", msg);
		free(captured);
		return CLI_USAGE;
	}
	free(captured);
	cli_ringbuf_size(o);
	return 0;
}

const char *cli_classes_str(unsigned int classes, char *buf, size_t n)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = {
		{ LL_CLASS_PROC, "proc" },
		{ LL_CLASS_SOCK, "sock" },
		{ LL_CLASS_LOOP, "loop" },
		{ LL_CLASS_LOOP_ALL, "loop-all" },
	};
	size_t i, pos = 0;

	if (n)
		buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int w;

		if (!(classes & names[i].bit) || pos >= n)
			continue;
		w = snprintf(buf + pos, n - pos, "%s%s", pos ? "," : "", names[i].name);
		if (w > 0)
			pos += (size_t)w;
	}
	return buf;
}
