// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * forkstorm: forks and reaps children as fast as it can, for benchmarks and soak tests of the
 * tracer's process table. Each child exits at once (or execs --exec PATH); the parent keeps
 * -c children in flight and reaps each with a blocking waitpid().
 */
#include "common.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_COUNT	1000
#define MAX_PARALLEL	4096

struct options {
	uint64_t count;			/* 0 with --duration */
	double duration_s;
	long parallel;
	const char *exec_path;
	bool json;
};

struct storm {
	uint64_t started, reaped, failed;
	long in_flight;
	uint64_t end_ns;
};

static void usage(void)
{
	printf("usage: %s [OPTIONS]\n"
	       "Forks and reaps children as fast as possible.\n\n"
	       "  -n, --count N         processes to fork (default %d)\n"
	       "  -d, --duration SECS   fork for SECS seconds instead (e.g. 0.5)\n"
	       "  -c, --parallel N      children in flight at once (default 1)\n"
	       "  --exec PATH           children exec PATH (e.g. /bin/true) instead of _exit(0)\n"
	       "  --json                print one JSON result line\n"
	       "  -v, --verbose         log failed children to stderr\n"
	       "  -h, --help            this help\n\n"
	       "Exits 1 if a fork failed or a child did not exit with status 0.\n",
	       ll_prog, DEFAULT_COUNT);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_EXEC = 256, OPT_JSON };
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "parallel", required_argument, NULL, 'c' },
		{ "exec", required_argument, NULL, OPT_EXEC },
		{ "json", no_argument, NULL, OPT_JSON },
		LL_COMMON_LONGOPTS
	};
	int c;

	while ((c = ll_getopt(argc, argv, ":n:d:c:vh", longopts, usage)) != -1) {
		switch (c) {
		case 'n':
			o->count = ll_parse_u64("--count", optarg, 1, UINT64_MAX / 2);
			break;
		case 'd':
			o->duration_s = ll_parse_double("--duration", optarg, 0.001, 1e7);
			break;
		case 'c':
			o->parallel = ll_parse_long("--parallel", optarg, 1, MAX_PARALLEL);
			break;
		case OPT_EXEC:
			o->exec_path = ll_parse_exec("--exec", optarg);
			break;
		case OPT_JSON:
			o->json = true;
			break;
		}
	}
	if (o->count && o->duration_s > 0)
		ll_usage_error("-n and -d exclude each other");
	if (!o->count && !(o->duration_s > 0))
		o->count = DEFAULT_COUNT;
}

static bool more_to_fork(const struct options *o, const struct storm *s)
{
	if (o->count)
		return s->started < o->count;
	return ll_now_ns() < s->end_ns;
}

static void __attribute__((noreturn)) run_child(const struct options *o)
{
	if (o->exec_path) {
		execl(o->exec_path, o->exec_path, (char *)NULL);
		_exit(127);
	}
	_exit(0);
}

/* Blocks until one child is reaped; -1 if there is none or waitpid failed. */
static int reap_one(struct storm *s)
{
	int status;
	pid_t pid;

	do
		pid = waitpid(-1, &status, 0);
	while (pid < 0 && errno == EINTR);
	if (pid < 0)
		return -1;
	s->in_flight--;
	s->reaped++;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		s->failed++;
		ll_log("child %d ended with status 0x%x", pid, status);
	}
	return 0;
}

static int storm(const struct options *o, struct storm *s)
{
	pid_t pid;

	while (more_to_fork(o, s)) {
		if (s->in_flight >= o->parallel && reap_one(s))
			return -1;
		pid = fork();
		if (pid == 0)
			run_child(o);
		if (pid < 0) {
			/* Out of processes for now: make room by reaping, or give up. */
			if (errno == EAGAIN && s->in_flight > 0 && reap_one(s) == 0)
				continue;
			ll_warn(errno, "fork");
			return -1;
		}
		s->started++;
		s->in_flight++;
	}
	while (s->in_flight > 0)
		if (reap_one(s))
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { .parallel = 1 };
	struct storm s = { 0 };
	uint64_t start;
	double elapsed, rate;
	int ret;

	ll_set_prog(argv[0]);
	parse_args(argc, argv, &o);
	/* An inherited SIG_IGN would auto-reap the children and starve waitpid(). */
	signal(SIGCHLD, SIG_DFL);
	start = ll_now_ns();
	s.end_ns = start + (uint64_t)(o.duration_s * NSEC_PER_SEC);
	ret = storm(&o, &s);
	elapsed = (ll_now_ns() - start) / 1e9;
	rate = elapsed > 0 ? s.reaped / elapsed : 0;
	if (o.json)
		printf("{\"type\":\"result\",\"processes\":%llu,\"processes_per_s\":%.1f}\n",
		       (unsigned long long)s.reaped, rate);
	else
		printf("processes %llu  processes/s %.1f\n", (unsigned long long)s.reaped, rate);
	fflush(stdout);
	if (s.failed)
		fprintf(stderr, "%s: %llu of %llu children failed%s\n", ll_prog,
			(unsigned long long)s.failed, (unsigned long long)s.reaped,
			o.exec_path ? " (exec or exit status)" : "");
	return ret || s.failed ? 1 : 0;
}
