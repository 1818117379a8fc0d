// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * waitstatus: the wait status lesson. Forks, one after another, children that exit 0, exit 7,
 * call abort() (SIGABRT), divide by zero (SIGFPE), and one that is stopped (SIGSTOP), continued
 * (SIGCONT) and then exits 3; prints what its own waitpid() status word says each time, in the
 * words of <sys/wait.h> (WIFEXITED, WEXITSTATUS 7, ...).
 */
#include "common.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define STOPPED_EXIT	3

struct options {
	bool json;
};

enum ending { END_EXIT0, END_EXIT7, END_ABORT, END_FPE, END_STOP, END_MAX };

static const char *const ending_names[END_MAX] = {
	[END_EXIT0] = "exit 0", [END_EXIT7] = "exit 7", [END_ABORT] = "abort()",
	[END_FPE] = "divide by zero", [END_STOP] = "stopped, continued, exit 3",
};

static void usage(void)
{
	printf("usage: %s [OPTIONS]\n"
	       "Forks children that end each classic way and prints each waitpid() status.\n\n"
	       "  --json                one JSON line per status\n"
	       "  -v, --verbose         more on stderr\n"
	       "  -h, --help            this help\n\n"
	       "abort() reports WCOREDUMP only when core dumps are enabled (ulimit -c).\n",
	       ll_prog);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_JSON = 256 };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		LL_COMMON_LONGOPTS
	};
	int c;

	while ((c = ll_getopt(argc, argv, ":vh", longopts, usage)) != -1)
		if (c == OPT_JSON)
			o->json = true;
}

/*
 * The stopped child exits only once its parent has read the continue (it closes the write end
 * then): an exit before that waitpid would be reported instead, and the continue never seen.
 */
static int gate[2] = { -1, -1 };

static void close_gate(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void __attribute__((noreturn)) run_child(enum ending e)
{
	volatile int zero = 0;
	char c;

	switch (e) {
	case END_EXIT7:
		_exit(7);
	case END_ABORT:
		abort();
	case END_FPE:
		zero = 1 / zero;	/* traps on x86; arm64 divides to 0, so raise it there */
		raise(SIGFPE);
		_exit(zero);
	case END_STOP:
		raise(SIGSTOP);
		close_gate(&gate[1]);
		while (read(gate[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(STOPPED_EXIT);
	default:
		_exit(0);
	}
}

/* The status word in <sys/wait.h>'s words. */
static void describe(int status, char *buf, size_t n)
{
	if (WIFEXITED(status))
		snprintf(buf, n, "WIFEXITED, WEXITSTATUS %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, n, "WIFSIGNALED, WTERMSIG %d (SIG%s)%s", WTERMSIG(status),
			 sigabbrev_np(WTERMSIG(status)), WCOREDUMP(status) ? ", WCOREDUMP" : "");
	else if (WIFSTOPPED(status))
		snprintf(buf, n, "WIFSTOPPED, WSTOPSIG %d (SIG%s)", WSTOPSIG(status),
			 sigabbrev_np(WSTOPSIG(status)));
	else if (WIFCONTINUED(status))
		snprintf(buf, n, "WIFCONTINUED");
	else
		snprintf(buf, n, "status 0x%x", status);
}

static void report(const struct options *o, pid_t pid, enum ending e, int status)
{
	char text[96];

	describe(status, text, sizeof(text));
	if (o->json)
		printf("{\"type\":\"status\",\"pid\":%d,\"child\":\"%s\",\"status\":%d,"
		       "\"reaped\":%s,\"text\":\"%s\"}\n", (int)pid, ending_names[e], status,
		       WIFSTOPPED(status) || WIFCONTINUED(status) ? "false" : "true", text);
	else
		printf("child %d (%s): status 0x%04x: %s\n", (int)pid, ending_names[e], status,
		       text);
	fflush(stdout);
}

/* waitpid until it reports pid, retried on EINTR; the status word, or -1. */
static int wait_report(pid_t pid, int options)
{
	int status;

	while (waitpid(pid, &status, options) != pid)
		if (errno != EINTR)
			return -1;
	return status;
}

static int run_one(const struct options *o, enum ending e)
{
	int status;
	pid_t pid;

	fflush(stdout);
	if (e == END_STOP && pipe(gate))
		return -1;
	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0)
		run_child(e);
	close_gate(&gate[0]);
	/* Stops and continues are reported too: a stop is answered with SIGCONT. */
	do {
		status = wait_report(pid, WUNTRACED | WCONTINUED);
		if (status == -1)
			goto fail;
		report(o, pid, e, status);
		if (WIFSTOPPED(status) && kill(pid, SIGCONT))
			goto fail;
		if (WIFCONTINUED(status))
			close_gate(&gate[1]);
	} while (WIFSTOPPED(status) || WIFCONTINUED(status));
	close_gate(&gate[1]);
	return 0;
fail:
	close_gate(&gate[0]);
	close_gate(&gate[1]);
	return -1;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	int e;

	ll_set_prog(argv[0]);
	parse_args(argc, argv, &o);
	signal(SIGCHLD, SIG_DFL);
	for (e = 0; e < END_MAX; e++) {
		if (run_one(&o, e)) {
			ll_warn(errno, "fork/waitpid");
			return 1;
		}
	}
	return 0;
}
