// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The command line: every valid form parses to the right options; every malformed one ends with
 * status 2 and exactly one line "lifeline: ... (try --help)" on stderr. Exits are checked in a
 * forked child whose stdout and stderr are captured through pipes.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test.h"
#include "cli.h"

#define ARGV(...) (char *[]){ "lifeline", __VA_ARGS__, NULL }
#define ARGC(...) ((int)(sizeof((char *[]){ "lifeline", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, ...) cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o)

struct child {
	int status;		/* exit code, or -1 when it did not exit normally */
	char out[16384];
	char err[4096];
};

static void read_all(int fd, char *buf, size_t n)
{
	size_t len = 0;
	ssize_t r;

	while (len + 1 < n && (r = read(fd, buf + len, n - 1 - len)) > 0)
		len += r;
	buf[len] = '\0';
}

/* Runs exit(cli_parse(argv)) in a child, capturing its stdout and stderr. */
static void run_child(int argc, char **argv, struct child *c)
{
	int out[2], err[2], st;
	struct ll_opts o;
	pid_t pid;

	memset(c, 0, sizeof(*c));
	c->status = -1;
	if (pipe(out) || pipe(err))
		return;
	fflush(NULL);	/* nothing buffered may be written twice */
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		exit(cli_parse(argc, argv, &o));
	}
	close(out[1]);
	close(err[1]);
	read_all(err[0], c->err, sizeof(c->err));
	read_all(out[0], c->out, sizeof(c->out));
	close(out[0]);
	close(err[0]);
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		c->status = WEXITSTATUS(st);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && !strcmp(s + a - b, tail);
}

/* Status 2, nothing on stdout, one stderr line of the agreed form that mentions `want`. */
static bool usage_error(int argc, char **argv, const char *want)
{
	struct child c;
	bool ok = true;

	run_child(argc, argv, &c);
	ok &= ASSERT_EQ(c.status, 2, argv[1]);
	ok &= ASSERT_EQ(count_lines(c.err), 1, "exactly one line on stderr");
	ok &= ASSERT_TRUE(!strncmp(c.err, "lifeline: ", 10), c.err);
	ok &= ASSERT_TRUE(ends_with(c.err, " (try --help)\n"), c.err);
	ok &= ASSERT_TRUE(strstr(c.err, want) != NULL, c.err);
	ok &= ASSERT_STREQ(c.out, "", "nothing on stdout");
	return ok;
}

#define BAD(want, ...) usage_error(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), want)

/* ---- valid forms ---------------------------------------------------------------------------- */

static void test_defaults(void)
{
	struct ll_opts o;
	char *argv[] = { "lifeline", NULL };

	if (!ASSERT_EQ(cli_parse(1, argv, &o), 0, "no options"))
		return;
	ASSERT_EQ(o.npids, 0, "pids");
	ASSERT_EQ(o.ncomms, 0, "comms");
	ASSERT_EQ(o.command_argc, 0, "no command");
	ASSERT_TRUE(o.command == NULL, "command");
	ASSERT_TRUE(o.duration_s == 0.0, "duration: until Ctrl-C");
	ASSERT_TRUE(o.interval_s == 1.0, "interval 1 s");
	ASSERT_FALSE(o.events, "live view, not a stream");
	ASSERT_FALSE(o.json || o.explain || o.prometheus, "flags");
	ASSERT_EQ(o.verbose, 0, "verbose");
	ASSERT_EQ(o.stall_ms, 50, "stall");
	ASSERT_EQ(o.ringbuf_kb, 4096, "ring buffer");
	ASSERT_EQ(o.ringbuf_bytes, 4096 * 1024, "ring buffer bytes");
}

static void test_pids_and_comms(void)
{
	struct ll_opts o;

	if (!ASSERT_EQ(PARSE(&o, "-p", "1", "--pid", "4194304", "-p", "1", "--pid=77", "-p007"), 0,
		       "pids"))
		return;
	ASSERT_EQ(o.npids, 4, "duplicates dropped");
	ASSERT_EQ(o.pids[0], 1, "pid 0");
	ASSERT_EQ(o.pids[1], 4194304, "pid 1");
	ASSERT_EQ(o.pids[2], 77, "pid 2");
	ASSERT_EQ(o.pids[3], 7, "leading zeros are decimal, not octal");

	if (!ASSERT_EQ(PARSE(&o, "-c", "nginx", "--comm=python3", "-cnginx",
			     "-c", "fifteen_chars_x"), 0, "comms"))
		return;
	ASSERT_EQ(o.ncomms, 3, "duplicates dropped");
	ASSERT_STREQ(o.comms[0], "nginx", "comm 0");
	ASSERT_STREQ(o.comms[1], "python3", "comm 1");
	ASSERT_STREQ(o.comms[2], "fifteen_chars_x", "15 characters fit");
}

/* --cgroup keeps the paths as given (checked against the mount later), without duplicates. */
static void test_cgroups(void)
{
	struct ll_opts o;
	char *argv[2 + 2 * (LL_MAX_CGROUP_FILTERS + 1)], name[LL_MAX_CGROUP_FILTERS + 1][8];
	int i, argc = 1;

	if (!ASSERT_EQ(PARSE(&o, "--cgroup", "/a", "--cgroup=b/c", "--cgroup", "/a"), 0, "cgroups"))
		return;
	ASSERT_EQ(o.ncgroups, 2, "duplicates dropped");
	ASSERT_STREQ(o.cgroups[0], "/a", "cgroup 0");
	ASSERT_STREQ(o.cgroups[1], "b/c", "cgroup 1, relative");
	BAD("--cgroup needs a cgroup path", "--cgroup", "");
	argv[0] = "lifeline";
	for (i = 0; i <= LL_MAX_CGROUP_FILTERS; i++) {
		snprintf(name[i], sizeof(name[i]), "/g%d", i);
		argv[argc++] = "--cgroup";
		argv[argc++] = name[i];
	}
	argv[argc] = NULL;
	usage_error(argc, argv, "too many --cgroup");
}

static void test_many_pids(void)
{
	char *argv[2 + 2 * LL_MAX_PIDS + 2], num[LL_MAX_PIDS + 1][12];
	struct ll_opts o;
	int i, argc = 1;

	argv[0] = "lifeline";
	for (i = 0; i < LL_MAX_PIDS; i++) {
		snprintf(num[i], sizeof(num[i]), "%d", 100 + i);
		argv[argc++] = "-p";
		argv[argc++] = num[i];
	}
	argv[argc] = NULL;
	if (!ASSERT_EQ(cli_parse(argc, argv, &o), 0, "64 pids"))
		return;
	ASSERT_EQ(o.npids, LL_MAX_PIDS, "all kept");
	snprintf(num[i], sizeof(num[i]), "%d", 100 + i);
	argv[argc++] = "-p";
	argv[argc++] = num[i];
	argv[argc] = NULL;
	usage_error(argc, argv, "too many --pid");
}

static void test_command(void)
{
	/* o.command points into argv: these must outlive the checks. */
	char *quoted[] = { "lifeline", "-j", "--", "sleep", "-p", "1", NULL };
	struct ll_opts o;

	if (!ASSERT_EQ(cli_parse(6, quoted, &o), 0, "-- COMMAND"))
		return;
	ASSERT_EQ(o.command_argc, 3, "argc");
	ASSERT_STREQ(o.command[0], "sleep", "argv[0]");
	ASSERT_STREQ(o.command[1], "-p", "options after -- are the command's");
	ASSERT_TRUE(o.command[3] == NULL, "NULL-terminated");
	ASSERT_EQ(o.npids, 0, "no pid taken from the command");
	ASSERT_TRUE(o.json, "options before --");

	ASSERT_EQ(o.ncomms, 0, "no comm");
}

static void test_times(void)
{
	struct ll_opts o;

	if (!ASSERT_EQ(PARSE(&o, "-d", "10", "-i", "0.5"), 0, "decimals"))
		return;
	ASSERT_TRUE(o.duration_s == 10.0, "duration");
	ASSERT_TRUE(o.interval_s == 0.5, "interval");
	if (!ASSERT_EQ(PARSE(&o, "--duration=2.25", "--interval", "3600"), 0, "long forms"))
		return;
	ASSERT_TRUE(o.duration_s == 2.25, "duration");
	ASSERT_TRUE(o.interval_s == 3600.0, "interval at its maximum");
	if (!ASSERT_EQ(PARSE(&o, "-i", ".25", "-d", "1.", "--stall-ms", "20"), 0, "edge forms"))
		return;
	ASSERT_TRUE(o.interval_s == 0.25, ".25");
	ASSERT_TRUE(o.duration_s == 1.0, "1.");
	ASSERT_EQ(o.stall_ms, 20, "stall");
	if (!ASSERT_EQ(PARSE(&o, "-i", "0.001", "-d", "0.0019"), 0, "millisecond precision"))
		return;
	ASSERT_TRUE(o.interval_s == 0.001, "1 ms");
	ASSERT_TRUE(o.duration_s == 0.001, "digits past ms dropped");
}

static void test_events(void)
{
	struct ll_opts o;

	if (!ASSERT_EQ(PARSE(&o, "-e"), 0, "-e alone"))
		return;
	ASSERT_TRUE(o.events, "events");
	ASSERT_EQ(o.classes, LL_CLASS_DEFAULT, "default proc,sock");

	ASSERT_EQ(PARSE(&o, "--events"), 0, "--events alone");
	ASSERT_EQ(o.classes, LL_CLASS_PROC | LL_CLASS_SOCK, "default");

	ASSERT_EQ(PARSE(&o, "--events=loop"), 0, "--events=loop");
	ASSERT_EQ(o.classes, LL_CLASS_LOOP, "stalls only");

	ASSERT_EQ(PARSE(&o, "-eproc"), 0, "-eproc");
	ASSERT_EQ(o.classes, LL_CLASS_PROC, "proc");

	ASSERT_EQ(PARSE(&o, "-esock,loop-all"), 0, "list");
	ASSERT_EQ(o.classes, LL_CLASS_SOCK | LL_CLASS_LOOP | LL_CLASS_LOOP_ALL, "sock + loop-all");

	ASSERT_EQ(PARSE(&o, "-eall"), 0, "all");
	ASSERT_EQ(o.classes, LL_CLASS_ALL, "all but wakeups");
	ASSERT_FALSE(o.classes & LL_CLASS_LOOP_ALL, "wakeups only with loop-all");

	ASSERT_EQ(PARSE(&o, "-eproc", "--events=sock"), 0, "repeated");
	ASSERT_EQ(o.classes, LL_CLASS_PROC | LL_CLASS_SOCK, "union");

	ASSERT_EQ(PARSE(&o, "--explain"), 0, "--explain");
	ASSERT_TRUE(o.explain && o.events, "--explain implies --events");
	ASSERT_EQ(o.classes, LL_CLASS_DEFAULT, "with the default classes");

	ASSERT_EQ(PARSE(&o, "--explain", "-eloop", "-j"), 0, "--explain with classes");
	ASSERT_EQ(o.classes, LL_CLASS_LOOP, "given classes kept");
	ASSERT_TRUE(o.json, "json");
}

static void test_flags(void)
{
	struct ll_opts o;

	if (!ASSERT_EQ(PARSE(&o, "-jvv", "--verbose", "--json"), 0, "flags"))
		return;
	ASSERT_TRUE(o.json, "json");
	ASSERT_EQ(o.verbose, 3, "-v counted");
	ASSERT_FALSE(o.events, "json alone keeps summaries");
}

static void test_loops_mode(void)
{
	struct ll_opts o;

	if (ASSERT_EQ(PARSE(&o, "-j"), 0, "defaults"))
		ASSERT_EQ(o.loops_mode, LL_LOOPS_SCHED, "sched by default");
	if (ASSERT_EQ(PARSE(&o, "--loops", "calls"), 0, "calls"))
		ASSERT_EQ(o.loops_mode, LL_LOOPS_CALLS, "calls");
	if (ASSERT_EQ(PARSE(&o, "--loops=off"), 0, "off"))
		ASSERT_EQ(o.loops_mode, LL_LOOPS_OFF, "off");
	if (ASSERT_EQ(PARSE(&o, "-eloop-all"), 0, "loop-all"))
		ASSERT_EQ(o.loops_mode, LL_LOOPS_CALLS, "loop-all implies calls");
	if (ASSERT_EQ(PARSE(&o, "-eloop"), 0, "loop"))
		ASSERT_EQ(o.loops_mode, LL_LOOPS_SCHED, "stalls alone need no per-call hook");
}

static void test_ringbuf(void)
{
	static const struct {
		const char *kb;
		size_t bytes;
	} cases[] = {
		{ "4096", 4096 * 1024 }, { "100", 128 * 1024 }, { "1", 64 * 1024 },
		{ "64", 64 * 1024 }, { "5000", 8192 * 1024 }, { "1048576", 1024 * 1024 * 1024 },
	};
	long page = sysconf(_SC_PAGESIZE);
	struct ll_opts o;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t want = cases[i].bytes < (size_t)page ? (size_t)page : cases[i].bytes;

		if (!ASSERT_EQ(PARSE(&o, "--ringbuf-kb", (char *)cases[i].kb), 0, cases[i].kb))
			continue;
		ASSERT_EQ(o.ringbuf_bytes, want, cases[i].kb);
		ASSERT_EQ((size_t)o.ringbuf_kb * 1024, o.ringbuf_bytes, "kb is the rounded size");
		ASSERT_EQ(o.ringbuf_bytes & (o.ringbuf_bytes - 1), 0, "a power of two");
		ASSERT_EQ(o.ringbuf_bytes % page, 0, "whole pages");
	}
}

static void test_ringbuf_verbose_note(void)
{
	struct child c;

	run_child(ARGC("-v", "--ringbuf-kb", "100"), ARGV("-v", "--ringbuf-kb", "100"), &c);
	ASSERT_EQ(c.status, 0, "valid");
	ASSERT_TRUE(strstr(c.err, "rounded up to 128 KiB") != NULL, c.err);
	run_child(ARGC("--ringbuf-kb", "100"), ARGV("--ringbuf-kb", "100"), &c);
	ASSERT_STREQ(c.err, "", "quiet without -v");
}

static bool prom_is(const struct ll_opts *o, int family, const char *ip, unsigned int port)
{
	char got[INET6_ADDRSTRLEN] = "";

	if (!o->prometheus || o->prom_addr.ss_family != family)
		return false;
	if (family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)&o->prom_addr;

		inet_ntop(AF_INET, &sin->sin_addr, got, sizeof(got));
		return o->prom_addrlen == sizeof(*sin) && ntohs(sin->sin_port) == port &&
		       !strcmp(got, ip);
	}
	const struct sockaddr_in6 *sin6 = (const void *)&o->prom_addr;

	inet_ntop(AF_INET6, &sin6->sin6_addr, got, sizeof(got));
	return o->prom_addrlen == sizeof(*sin6) && ntohs(sin6->sin6_port) == port &&
	       !strcmp(got, ip);
}

static void test_prometheus(void)
{
	struct ll_opts o;

	ASSERT_EQ(PARSE(&o, "--prometheus", "9090"), 0, "PORT");
	ASSERT_TRUE(prom_is(&o, AF_INET, "127.0.0.1", 9090), "bare port binds 127.0.0.1");
	ASSERT_STREQ(o.prom_text, "127.0.0.1:9090", "text");

	ASSERT_EQ(PARSE(&o, "--prometheus=:9100"), 0, ":PORT");
	ASSERT_TRUE(prom_is(&o, AF_INET, "127.0.0.1", 9100), ":PORT binds 127.0.0.1");

	ASSERT_EQ(PARSE(&o, "--prometheus", "0.0.0.0:65535"), 0, "ADDR:PORT");
	ASSERT_TRUE(prom_is(&o, AF_INET, "0.0.0.0", 65535), "any address");

	ASSERT_EQ(PARSE(&o, "--prometheus", "[::1]:1"), 0, "[IPv6]:PORT");
	ASSERT_TRUE(prom_is(&o, AF_INET6, "::1", 1), "IPv6 loopback");
	ASSERT_STREQ(o.prom_text, "[::1]:1", "text");

	ASSERT_EQ(PARSE(&o, "--prometheus", "[::]:9090"), 0, "[::]:PORT");
	ASSERT_TRUE(prom_is(&o, AF_INET6, "::", 9090), "IPv6 any");

	ASSERT_EQ(PARSE(&o, "--prometheus", "localhost:9090"), 0, "localhost");
	ASSERT_TRUE(prom_is(&o, AF_INET, "127.0.0.1", 9090), "localhost is 127.0.0.1");
}

static void test_help_and_version(void)
{
	struct child c;

	run_child(ARGC("--help"), ARGV("--help"), &c);
	ASSERT_EQ(c.status, 0, "--help exits 0");
	ASSERT_TRUE(strstr(c.out, "Usage: lifeline") != NULL, "usage");
	ASSERT_TRUE(strstr(c.out, "Examples:") != NULL, "examples");
	ASSERT_TRUE(strstr(c.out, "--events[=CLASSES]") != NULL, "optional argument shown");
	ASSERT_TRUE(strstr(c.out, "--prometheus") && strstr(c.out, "--ringbuf-kb") &&
		    strstr(c.out, "--stall-ms") && strstr(c.out, "--explain"), "all options");
	ASSERT_STREQ(c.err, "", "nothing on stderr");

	run_child(ARGC("-j", "-h", "--bogus"), ARGV("-j", "-h", "--bogus"), &c);
	ASSERT_EQ(c.status, 0, "-h stops the parse");
	ASSERT_TRUE(strstr(c.out, "Usage: lifeline") != NULL, "usage");

	run_child(ARGC("--version"), ARGV("--version"), &c);
	ASSERT_EQ(c.status, 0, "--version exits 0");
	ASSERT_STREQ(c.out, "lifeline " LL_VERSION "\n", "version line");
	ASSERT_STREQ(c.err, "", "nothing on stderr");
}

/* ---- malformed forms ------------------------------------------------------------------------ */

static void test_bad_numbers(void)
{
	BAD("invalid --pid '12abc'", "-p", "12abc");
	BAD("invalid --pid '-5'", "-p", "-5");
	BAD("invalid --pid '0'", "-p", "0");
	BAD("invalid --pid '4194305'", "--pid", "4194305");
	BAD("invalid --pid '99999999999999999999999'", "-p", "99999999999999999999999");
	BAD("invalid --pid ''", "-p", "");
	BAD("invalid --pid ' 12'", "-p", " 12");
	BAD("invalid --pid '+12'", "-p", "+12");
	BAD("invalid --pid '0x10'", "-p", "0x10");
	BAD("invalid --interval '0'", "-i", "0");
	BAD("invalid --interval '0.0004'", "-i", "0.0004");
	BAD("invalid --interval 'abc'", "-i", "abc");
	BAD("invalid --interval '-1'", "-i", "-1");
	BAD("invalid --interval '3600.5'", "-i", "3600.5");
	BAD("invalid --interval '1e3'", "-i", "1e3");
	BAD("invalid --interval '1.2.3'", "-i", "1.2.3");
	BAD("invalid --interval '.'", "-i", ".");
	BAD("invalid --interval 'inf'", "--interval=inf");
	BAD("invalid --duration '0'", "-d", "0");
	BAD("invalid --duration '1.5x'", "-d", "1.5x");
	BAD("invalid --duration '99999999999999999999999'", "-d", "99999999999999999999999");
	BAD("invalid --stall-ms '0'", "--stall-ms", "0");
	BAD("invalid --stall-ms '5.5'", "--stall-ms", "5.5");
	BAD("invalid --stall-ms '-50'", "--stall-ms=-50");
	BAD("invalid --ringbuf-kb '0'", "--ringbuf-kb", "0");
	BAD("invalid --ringbuf-kb '1048577'", "--ringbuf-kb", "1048577");
	BAD("invalid --ringbuf-kb '18446744073709551616'", "--ringbuf-kb", "18446744073709551616");
}

static void test_bad_options(void)
{
	BAD("unrecognized option '--bogus'", "--bogus");
	BAD("invalid option -- 'X'", "-X");
	BAD("option requires an argument -- 'p'", "-p");
	BAD("option '--pid' requires an argument", "--pid");
	BAD("option requires an argument -- 'd'", "-j", "-d");
	BAD("option '--json' doesn't allow an argument", "--json=yes");
	BAD("ambiguous", "--p", "1");
	BAD("unrecognized option '--usage'", "--usage");
}

static void test_bad_events(void)
{
	BAD("unknown event class 'foo'", "-efoo");
	BAD("unknown event class 'procs'", "--events=proc,procs");
	BAD("has an empty class", "--events=proc,");
	BAD("has an empty class", "--events=");
	BAD("has an empty class", "-e,sock");
	/* A word that is neither -e's classes nor after -- is a mistake, never a COMMAND. */
	BAD("unexpected 'procs' after '-e': a COMMAND goes after --", "-e", "procs");
	BAD("unexpected '0.3' after '-d': a COMMAND goes after --", "-c", "-d", "0.3");
	BAD("unexpected 'make' after 'make'", "-c", "make", "make", "-v", "all");
	BAD("unexpected 'sleep'", "sleep", "1", "-p", "1");
	BAD("invalid --uid 'no_such_user_x'", "-u", "no_such_user_x");
	BAD("invalid --uid '-1'", "-u", "-1");
	BAD("--output needs a file name", "-o", "");
}

static void test_bad_loops(void)
{
	BAD("invalid --loops 'fast': expected sched, calls or off", "--loops", "fast");
	BAD("invalid --loops '': expected", "--loops=");
	BAD("needs --loops calls", "-eloop-all", "--loops", "sched");
	BAD("needs --loops calls", "--loops=off", "--events=loop-all");
}

static void test_bad_comms(void)
{
	BAD("--comm needs a command name", "-c", "");
	BAD("longer than 15 characters", "-c", "sixteen_chars_xx");
	BAD("too many --comm", "-c", "a", "-c", "b", "-c", "c", "-c", "d", "-c", "e", "-c", "f",
	    "-c", "g", "-c", "h", "-c", "i");
	/* A hostile argument cannot split the one line in two. */
	BAD("longer than 15 characters", "-c", "line\nbreak_and_more_than_15");
}

static void test_bad_prometheus(void)
{
	BAD("invalid --prometheus '70000'", "--prometheus", "70000");
	BAD("invalid --prometheus ':0'", "--prometheus", ":0");
	BAD("invalid --prometheus '::1:9090'", "--prometheus", "::1:9090");
	BAD("invalid --prometheus '[::1]'", "--prometheus", "[::1]");
	BAD("invalid --prometheus '[::1]9090'", "--prometheus", "[::1]9090");
	BAD("invalid --prometheus '1.2.3:80'", "--prometheus", "1.2.3:80");
	BAD("invalid --prometheus 'example.com:80'", "--prometheus", "example.com:80");
	BAD("invalid --prometheus '127.0.0.1:'", "--prometheus", "127.0.0.1:");
	BAD("invalid --prometheus '[1.2.3.4]:80'", "--prometheus", "[1.2.3.4]:80");
}

static void test_bad_combinations(void)
{
	BAD("--pid and a COMMAND cannot be combined", "-p", "1", "--", "sleep", "1");
	BAD("--pid and a COMMAND cannot be combined", "--pid=1", "--", "sleep", "1");
}

static void test_pid_after_command_belongs_to_it(void)
{
	char *argv[] = { "lifeline", "--", "sleep", "1", "-p", "1", NULL };
	struct ll_opts o;

	ASSERT_EQ(cli_parse(6, argv, &o), 0, "valid");
	ASSERT_EQ(o.npids, 0, "no pid");
	ASSERT_EQ(o.command_argc, 4, "all of it is the command");
}

static void test_svg(void)
{
	struct ll_opts o;

	ASSERT_EQ(PARSE(&o, "-d", "1"), 0, "no --svg");
	ASSERT_TRUE(o.svg == NULL, "no chart by default");
	ASSERT_EQ(PARSE(&o, "--svg", "run.svg", "--", "true"), 0, "--svg FILE");
	ASSERT_STREQ(o.svg, "run.svg", "the file");
	BAD("--svg needs a file name", "--svg=");
	BAD("requires an argument", "--svg");
}

/* The README's forms: classes after a detached -e, before or after other options. */
static void test_detached_events(void)
{
	char *quoted[] = { "lifeline", "-e", "--", "proc", NULL };
	struct ll_opts o;

	if (!ASSERT_EQ(PARSE(&o, "-e", "loop-all", "-p", "1"), 0, "-e loop-all -p PID"))
		return;
	ASSERT_EQ(o.classes, LL_CLASS_LOOP | LL_CLASS_LOOP_ALL, "loop-all");
	ASSERT_EQ(o.npids, 1, "-p still parsed");
	ASSERT_TRUE(o.command == NULL, "no command");
	if (!ASSERT_EQ(PARSE(&o, "-e", "proc"), 0, "-e proc"))
		return;
	ASSERT_EQ(o.classes, LL_CLASS_PROC, "proc only");
	if (!ASSERT_EQ(PARSE(&o, "--events", "sock,loop", "-j"), 0, "--events sock,loop"))
		return;
	ASSERT_EQ(o.classes, LL_CLASS_SOCK | LL_CLASS_LOOP, "sock,loop");
	ASSERT_TRUE(o.json, "-j after it");
	/* o.command points into argv: it must outlive the checks. */
	if (!ASSERT_EQ(cli_parse(4, quoted, &o), 0, "-e -- proc"))
		return;
	ASSERT_EQ(o.classes, LL_CLASS_DEFAULT, "after --, proc is the command");
	ASSERT_STREQ(o.command[0], "proc", "command");
}

static void test_output_flags(void)
{
	struct ll_opts o;

	if (!ASSERT_EQ(PARSE(&o, "-o", "/tmp/x", "-T", "-x", "-u", "0", "--full"), 0, "flags"))
		return;
	ASSERT_STREQ(o.output, "/tmp/x", "-o");
	ASSERT_TRUE(o.timestamp, "-T");
	ASSERT_TRUE(o.failed_only, "-x");
	ASSERT_TRUE(o.events, "-x asks for the stream");
	ASSERT_TRUE(o.uid_set && o.uid == 0, "-u 0");
	ASSERT_TRUE(o.full, "--full");
	if (!ASSERT_EQ(PARSE(&o, "--uid=root", "--output=/tmp/y"), 0, "long forms"))
		return;
	ASSERT_TRUE(o.uid_set && o.uid == 0, "root is uid 0");
	ASSERT_FALSE(o.events, "no stream without -e or -x");
	if (!ASSERT_EQ(PARSE(&o, "-u", "4294967294"), 0, "largest uid"))
		return;
	ASSERT_EQ(o.uid, 4294967294u, "uid");
	BAD("invalid --uid '4294967295'", "-u", "4294967295");
}

int main(void)
{
	RUN_TEST(test_defaults);
	RUN_TEST(test_pids_and_comms);
	RUN_TEST(test_many_pids);
	RUN_TEST(test_cgroups);
	RUN_TEST(test_command);
	RUN_TEST(test_times);
	RUN_TEST(test_events);
	RUN_TEST(test_flags);
	RUN_TEST(test_loops_mode);
	RUN_TEST(test_ringbuf);
	RUN_TEST(test_ringbuf_verbose_note);
	RUN_TEST(test_prometheus);
	RUN_TEST(test_help_and_version);
	RUN_TEST(test_bad_numbers);
	RUN_TEST(test_bad_options);
	RUN_TEST(test_bad_events);
	RUN_TEST(test_bad_loops);
	RUN_TEST(test_bad_comms);
	RUN_TEST(test_bad_prometheus);
	RUN_TEST(test_bad_combinations);
	RUN_TEST(test_pid_after_command_belongs_to_it);
	RUN_TEST(test_svg);
	RUN_TEST(test_detached_events);
	RUN_TEST(test_output_flags);
	return TEST_MAIN_END();
}
