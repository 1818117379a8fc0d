// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * vforkdemo: the vfork lesson. Each child is made with vfork(), changes a variable, waits
 * --delay-ms and then execs --exec PATH (or _exits); the parent, suspended meanwhile, prints what
 * it finds in that variable (the child ran in its memory) and how long it was suspended, measured
 * by itself around vfork(). --spawn makes the children with posix_spawn() instead, to show what
 * glibc does underneath; --clone-vm with clone(CLONE_VM): memory shared, the parent not suspended.
 *
 * After vfork() POSIX lets the child only _exit or exec. The delay is a raw nanosleep syscall
 * and the store a plain write to the parent's memory: outside POSIX's guarantee, but exactly what
 * Linux does (the child borrows the parent's stack and memory until it execs), which is the point.
 */
#include "common.h"

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_COUNT	3
#define MAX_COUNT	10000
#define MAX_DELAY_MS	60000
#define CLONE_STACK	(64 * 1024)

struct options {
	long count;
	long delay_ms;
	const char *exec_path;		/* NULL: the child _exits */
	bool spawn;
	bool clone_vm;
	bool json;
};

static void usage(void)
{
	printf("usage: %s [OPTIONS]\n"
	       "The vfork lesson: children that run in their parent's memory while it waits.\n\n"
	       "  -n, --count N         children to make, one after another (default %d)\n"
	       "  --delay-ms MS         each child waits MS before it execs or exits (default 0)\n"
	       "  --exec PATH           children exec PATH (e.g. /bin/true) instead of _exit(0)\n"
	       "  --spawn               posix_spawn() PATH instead of vfork() (needs --exec)\n"
	       "  --clone-vm            clone(CLONE_VM) instead: shared memory, parent runs on\n"
	       "  --json                one JSON line per child\n"
	       "  -v, --verbose         more on stderr\n"
	       "  -h, --help            this help\n\n"
	       "Prints, per child, its pid, the value it left in the parent's variable and how\n"
	       "long the parent was suspended (its own clock around vfork()).\n",
	       ll_prog, DEFAULT_COUNT);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_DELAY = 256, OPT_EXEC, OPT_SPAWN, OPT_CLONE_VM, OPT_JSON };
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "delay-ms", required_argument, NULL, OPT_DELAY },
		{ "exec", required_argument, NULL, OPT_EXEC },
		{ "spawn", no_argument, NULL, OPT_SPAWN },
		{ "clone-vm", no_argument, NULL, OPT_CLONE_VM },
		{ "json", no_argument, NULL, OPT_JSON },
		LL_COMMON_LONGOPTS
	};
	int c;

	while ((c = ll_getopt(argc, argv, ":n:vh", longopts, usage)) != -1) {
		switch (c) {
		case 'n':
			o->count = ll_parse_long("--count", optarg, 1, MAX_COUNT);
			break;
		case OPT_DELAY:
			o->delay_ms = ll_parse_long("--delay-ms", optarg, 0, MAX_DELAY_MS);
			break;
		case OPT_EXEC:
			o->exec_path = ll_parse_exec("--exec", optarg);
			break;
		case OPT_SPAWN:
			o->spawn = true;
			break;
		case OPT_CLONE_VM:
			o->clone_vm = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		}
	}
	if (o->spawn && o->clone_vm)
		ll_usage_error("--spawn and --clone-vm: choose one");
	if (o->spawn && !o->exec_path)
		ll_usage_error("--spawn needs --exec PATH");
	if (o->spawn && o->delay_ms)
		ll_usage_error("--delay-ms works with vfork only (posix_spawn runs no code of ours)");
}

/* In the vfork child: only syscalls, no libc state touched. */
static void __attribute__((noreturn)) vfork_child(const struct options *o, volatile long *shared,
						  long value)
{
	struct timespec ts = { o->delay_ms / 1000, (o->delay_ms % 1000) * 1000000L };
	char *const argv[] = { (char *)o->exec_path, NULL };

	*shared = value;	/* the parent's variable: there is only one copy */
	if (o->delay_ms)
		while (syscall(SYS_nanosleep, &ts, &ts))
			;
	if (o->exec_path)
		execve(o->exec_path, argv, environ);
	_exit(o->exec_path ? 127 : 0);
}

struct clone_arg {
	const struct options *o;
	volatile long *shared;
	long value;
};

/* The clone(CLONE_VM) child, on a stack of its own: the same steps as the vfork child. */
static int clone_child(void *p)
{
	const struct clone_arg *a = p;

	vfork_child(a->o, a->shared, a->value);
}

static pid_t clone_vm_child(const struct options *o, volatile long *shared, long value)
{
	static char stack[CLONE_STACK] __attribute__((aligned(16)));
	static struct clone_arg a;

	/* Both static: the parent runs on and leaves this frame at once. It waits for this child
	 * before it makes the next, so they are reused only then. */
	a = (struct clone_arg){ o, shared, value };
	return clone(clone_child, stack + sizeof(stack), CLONE_VM | SIGCHLD, &a);
}

static pid_t make_child(const struct options *o, volatile long *shared, long value)
{
	char *const argv[] = { (char *)o->exec_path, NULL };
	pid_t pid;
	int err;

	if (o->spawn) {
		err = posix_spawn(&pid, o->exec_path, NULL, NULL, argv, environ);
		if (err) {
			errno = err;
			return -1;
		}
		return pid;
	}
	if (o->clone_vm)
		return clone_vm_child(o, shared, value);
	pid = vfork();
	if (pid == 0)
		vfork_child(o, shared, value);
	return pid;
}

static void report(const struct options *o, pid_t pid, long shared, uint64_t suspended_us,
		   int status)
{
	if (o->json)
		printf("{\"type\":\"child\",\"pid\":%d,\"how\":\"%s\",\"shared\":%ld,"
		       "\"suspended_us\":%llu,\"status\":%d}\n", (int)pid,
		       o->spawn ? "posix_spawn" : o->clone_vm ? "clone_vm" : "vfork", shared,
		       (unsigned long long)suspended_us, status);
	else
		printf("child %d: the parent's variable now reads %ld (the child wrote it); the "
		       "parent %s %.3f ms\n", (int)pid, shared,
		       o->clone_vm ? "ran on after" : "was suspended", suspended_us / 1e3);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct options o = { .count = DEFAULT_COUNT };
	volatile long shared = 0;
	uint64_t t0, t1;
	int status, failed = 0;
	pid_t pid;
	long i;

	ll_set_prog(argv[0]);
	parse_args(argc, argv, &o);
	signal(SIGCHLD, SIG_DFL);
	for (i = 1; i <= o.count; i++) {
		shared = 0;
		t0 = ll_now_ns();
		pid = make_child(&o, &shared, i);
		t1 = ll_now_ns();
		if (pid < 0) {
			ll_warn(errno, o.spawn ? "posix_spawn" : o.clone_vm ? "clone" : "vfork");
			return 1;
		}
		if (waitpid(pid, &status, 0) != pid) {
			ll_warn(errno, "waitpid");
			return 1;
		}
		report(&o, pid, shared, (t1 - t0) / 1000, status);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	return failed ? 1 : 0;
}
