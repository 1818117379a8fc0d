// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Event loops with a known shape, for the --loops tests: each prints "ready PID TID..." and
 * then runs until killed.
 *
 *   loop_probe sleepy           4 x 20 ms idle waits, then a 60 ms nanosleep, repeated
 *   loop_probe idle             100 ms idle waits, forever
 *   loop_probe spin             a 1 ms wait, then 4 ms of CPU, repeated
 *   loop_probe netpoller N      N threads on one epoll fd, taking turns: the one whose turn it
 *                               is waits 30 ms in it, the others park in a futex
 *   loop_probe poll0 N REPS     best of REPS rounds of N epoll_wait(timeout 0) calls, and of N
 *                               getppid calls: "EPOLL_NS GETPPID_NS" (thread CPU time) on stdout
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>

static int epfd;

static void die(const char *what)
{
	fprintf(stderr, "loop_probe: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void wait_ms(int ms)
{
	struct epoll_event ev;

	if (epoll_wait(epfd, &ev, 1, ms) < 0 && errno != EINTR)
		die("epoll_wait");
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* CPU time, not wall time: a spin shared with a hog still burns exactly this much. */
static void spin_cpu_ms(long ms)
{
	uint64_t end = clock_ns(CLOCK_THREAD_CPUTIME_ID) + ms * 1000000ULL;

	while (clock_ns(CLOCK_THREAD_CPUTIME_ID) < end)
		;
}

static void ready(void)
{
	printf("ready %d %ld\n", getpid(), (long)syscall(SYS_gettid));
	fflush(stdout);
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int turn, nthreads;

static void *netpoller(void *arg)
{
	int me = (int)(long)arg;

	for (;;) {
		pthread_mutex_lock(&mu);
		while (turn != me)
			pthread_cond_wait(&cv, &mu);	/* parked in a futex */
		pthread_mutex_unlock(&mu);
		wait_ms(30);
		pthread_mutex_lock(&mu);
		turn = (me + 1) % nthreads;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

static int run_netpoller(int n)
{
	pthread_t t;
	int i;

	nthreads = n;
	for (i = 1; i < n; i++)
		if (pthread_create(&t, NULL, netpoller, (void *)(long)i))
			die("pthread_create");
	ready();
	netpoller(0);
	return 0;
}

static void poll0(void)
{
	struct epoll_event ev;

	epoll_wait(epfd, &ev, 1, 0);
}

static void ppid(void)
{
	syscall(SYS_getppid);
}

/*
 * Best of reps rounds of n calls, in ns of this thread's CPU time per call: time spent
 * preempted by other load is not counted, which a shared machine would otherwise add.
 */
static double best_ns(void (*f)(void), long n, long reps)
{
	double best = 1e30, ns;
	uint64_t t0;
	long r, i;

	for (r = 0; r < reps; r++) {
		t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		for (i = 0; i < n; i++)
			f();
		ns = (double)(clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0) / (double)n;
		if (ns < best)
			best = ns;
	}
	return best;
}

static int run_poll0(long n, long reps)
{
	printf("%.1f %.1f\n", best_ns(poll0, n, reps), best_ns(ppid, n, reps));
	return 0;
}

int main(int argc, char **argv)
{
	struct epoll_event ev = { .events = EPOLLIN };
	const char *mode = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	int efd, i;

	epfd = epoll_create1(0);
	efd = eventfd(0, 0);	/* never written: waits end by their timeout */
	if (epfd < 0 || efd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, efd, &ev))
		die("epoll");
	if (!strcmp(mode, "poll0") && n > 0 && argc > 3)
		return run_poll0(n, strtol(argv[3], NULL, 10));
	if (!strcmp(mode, "netpoller") && n > 1 && n < 64)
		return run_netpoller((int)n);
	if (strcmp(mode, "sleepy") && strcmp(mode, "idle") && strcmp(mode, "spin")) {
		fprintf(stderr, "usage: loop_probe sleepy|idle|spin|netpoller N|poll0 N REPS\n");
		return 2;
	}
	ready();
	for (;;) {
		if (!strcmp(mode, "idle")) {
			wait_ms(100);
		} else if (!strcmp(mode, "spin")) {
			wait_ms(1);
			spin_cpu_ms(4);
		} else {
			for (i = 0; i < 4; i++)
				wait_ms(20);
			sleep_ms(60);
		}
	}
}
