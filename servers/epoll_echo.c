// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * epoll_echo: single-threaded TCP echo server around one epoll loop, shaped like redis' ae.c
 * (file events registered per fd with read/write handlers, one process_events() per turn).
 * --mode et, --et-bug and --stall-ms reproduce the classic event-loop mistakes on demand.
 */
#include "common.h"

#include <errno.h>
#include <time.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#define DEFAULT_PORT		9001
#define MAX_SETSIZE		(1 << 20)
#define MAX_DELAY_MS		3600000L

#define EV_NONE			0
#define EV_READABLE		1
#define EV_WRITABLE		2

struct event_loop;
typedef void file_proc(struct event_loop *el, int fd, void *data, int mask);

struct file_event {
	int mask;			/* EV_READABLE | EV_WRITABLE */
	file_proc *rproc;
	file_proc *wproc;
	void *data;
};

struct event_loop {
	int epfd;
	int setsize;			/* fds >= setsize are refused */
	bool edge;			/* register with EPOLLET */
	int maxevents;
	int timeout_ms;
	struct file_event *events;	/* indexed by fd */
	struct epoll_event *fired;
};

struct options {
	const char *host;
	int port;
	bool edge;
	bool et_bug;
	long read_size;
	long stall_ms;
	long stall_every;
	bool stall_cpu;
	long maxevents;
	long timeout_ms;
};

/* One client: a buffer holding one read's worth, echoed before the next read. */
struct conn {
	size_t len;
	size_t off;			/* buf[off, len) is still to be written */
	char buf[];
};

static struct options opts = {
	.host = LL_DEFAULT_HOST, .port = DEFAULT_PORT, .read_size = 4096,
	.maxevents = 64, .timeout_ms = 1000,
};
static unsigned long requests;		/* reads that echoed data, for --stall-every */

static void usage(void)
{
	printf("usage: %s [OPTIONS]\n"
	       "Single-threaded TCP echo server on one epoll loop (redis ae.c style).\n\n"
	       "  --host ADDR          listen address (default %s; ::1 for IPv6)\n"
	       "  -p, --port PORT      listen port (default %d; 0 picks a free one)\n"
	       "  --mode lt|et         level-triggered (default) or edge-triggered: fds are\n"
	       "                       registered with EPOLLET and read until EAGAIN\n"
	       "  --et-bug             edge-triggered, but only ONE read per wakeup: unread data\n"
	       "                       waits for an edge that never comes, and the client stalls\n"
	       "  --read-size BYTES    bytes per read() (default 4096)\n"
	       "  --stall-ms MS        block the loop MS (nanosleep) every --stall-every requests\n"
	       "  --stall-every N      stall on every Nth request, a read that echoes data\n"
	       "                       (default 1 when --stall-ms is given)\n"
	       "  --stall-cpu          stall by burning CPU instead of sleeping (a slow handler)\n"
	       "  --maxevents N        epoll_wait maxevents (default 64)\n"
	       "  --timeout-ms MS      epoll_wait timeout (default 1000; -1 waits forever)\n"
	       "  -v, --verbose        log connections and stalls to stderr\n"
	       "  -h, --help           this help\n\n"
	       "Prints \"listening on HOST:PORT pid PID\" on stdout once listening.\n",
	       ll_prog, LL_DEFAULT_HOST, DEFAULT_PORT);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_HOST = 256, OPT_MODE, OPT_ET_BUG, OPT_READ_SIZE, OPT_STALL_MS,
	       OPT_STALL_EVERY, OPT_MAXEVENTS, OPT_TIMEOUT, OPT_STALL_CPU };
	static const struct option longopts[] = {
		LL_HOST_PORT_LONGOPTS(OPT_HOST),
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "et-bug", no_argument, NULL, OPT_ET_BUG },
		{ "read-size", required_argument, NULL, OPT_READ_SIZE },
		{ "stall-ms", required_argument, NULL, OPT_STALL_MS },
		{ "stall-every", required_argument, NULL, OPT_STALL_EVERY },
		{ "stall-cpu", no_argument, NULL, OPT_STALL_CPU },
		{ "maxevents", required_argument, NULL, OPT_MAXEVENTS },
		{ "timeout-ms", required_argument, NULL, OPT_TIMEOUT },
		LL_COMMON_LONGOPTS
	};
	int c;

	while ((c = ll_getopt(argc, argv, ":p:vh", longopts, usage)) != -1) {
		if (ll_host_port_option(c, OPT_HOST, &o->host, &o->port))
			continue;
		switch (c) {
		case OPT_MODE:
			if (strcmp(optarg, "lt") && strcmp(optarg, "et"))
				ll_usage_error("--mode: want lt or et, not '%s'", optarg);
			o->edge = strcmp(optarg, "et") == 0;
			break;
		case OPT_ET_BUG:
			o->et_bug = true;
			break;
		case OPT_READ_SIZE:
			o->read_size = ll_parse_long("--read-size", optarg, 1, 16 << 20);
			break;
		case OPT_STALL_MS:
			o->stall_ms = ll_parse_long("--stall-ms", optarg, 0, MAX_DELAY_MS);
			break;
		case OPT_STALL_EVERY:
			o->stall_every = ll_parse_long("--stall-every", optarg, 1, LONG_MAX);
			break;
		case OPT_STALL_CPU:
			o->stall_cpu = true;
			break;
		case OPT_MAXEVENTS:
			o->maxevents = ll_parse_long("--maxevents", optarg, 1, 1 << 20);
			break;
		case OPT_TIMEOUT:
			o->timeout_ms = ll_parse_long("--timeout-ms", optarg, -1, INT_MAX);
			break;
		}
	}
	if (o->stall_every && !o->stall_ms)
		ll_usage_error("--stall-every needs --stall-ms");
	if (o->stall_ms && !o->stall_every)
		o->stall_every = 1;
	if (o->et_bug)
		o->edge = true;
}

/* ---- the event loop, after ae.c ---- */

static int el_create(struct event_loop *el, int setsize, int maxevents, bool edge,
		     int timeout_ms)
{
	*el = (struct event_loop){ .setsize = setsize, .maxevents = maxevents, .edge = edge,
				   .timeout_ms = timeout_ms };
	el->events = calloc(setsize, sizeof(*el->events));
	el->fired = calloc(maxevents, sizeof(*el->fired));
	if (!el->events || !el->fired)
		goto fail;
	el->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (el->epfd < 0)
		goto fail;
	return 0;
fail:
	free(el->events);
	free(el->fired);
	return -1;
}

static void el_destroy(struct event_loop *el)
{
	close(el->epfd);
	free(el->events);
	free(el->fired);
}

static int el_ctl(struct event_loop *el, int op, int fd, int mask)
{
	struct epoll_event ee = { .data.fd = fd };

	if (mask & EV_READABLE)
		ee.events |= EPOLLIN;
	if (mask & EV_WRITABLE)
		ee.events |= EPOLLOUT;
	if (el->edge)
		ee.events |= EPOLLET;
	return epoll_ctl(el->epfd, op, fd, &ee);
}

/* Adds mask to what fd is registered for (aeCreateFileEvent). */
static int el_add(struct event_loop *el, int fd, int mask, file_proc *proc, void *data)
{
	struct file_event *fe;

	if (fd >= el->setsize) {
		errno = ERANGE;
		return -1;
	}
	fe = &el->events[fd];
	if (el_ctl(el, fe->mask == EV_NONE ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd,
		   fe->mask | mask))
		return -1;
	fe->mask |= mask;
	if (mask & EV_READABLE)
		fe->rproc = proc;
	if (mask & EV_WRITABLE)
		fe->wproc = proc;
	fe->data = data;
	return 0;
}

/* Removes mask from fd's registration, and fd from the interest list when none is left. */
static void el_del(struct event_loop *el, int fd, int mask)
{
	struct file_event *fe = &el->events[fd];
	int left = fe->mask & ~mask;

	if (fe->mask == EV_NONE)
		return;
	if (el_ctl(el, left == EV_NONE ? EPOLL_CTL_DEL : EPOLL_CTL_MOD, fd, left))
		ll_warn(errno, "epoll_ctl fd %d", fd);
	fe->mask = left;
}

/* One turn of the loop (aeProcessEvents): wait, then run the handlers of what fired. */
static int el_process_events(struct event_loop *el)
{
	int i, n;

	/* epoll_pwait: stop signals are deliverable only while the loop sleeps. */
	n = epoll_pwait(el->epfd, el->fired, el->maxevents, el->timeout_ms, ll_stop_waitmask());
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	for (i = 0; i < n; i++) {
		struct epoll_event *e = &el->fired[i];
		struct file_event *fe = &el->events[e->data.fd];
		int fd = e->data.fd, mask = 0;
		bool fired_read = false;

		if (e->events & (EPOLLIN | EPOLLERR | EPOLLHUP))
			mask |= EV_READABLE;
		if (e->events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			mask |= EV_WRITABLE;
		if (fe->mask & mask & EV_READABLE) {
			fe->rproc(el, fd, fe->data, mask);
			fired_read = true;
		}
		/* The read handler may have closed fd or changed its handlers: look again. */
		if ((fe->mask & mask & EV_WRITABLE) && (!fired_read || fe->wproc != fe->rproc))
			fe->wproc(el, fd, fe->data, mask);
	}
	return n;
}

/* ---- the echo service ---- */

static void close_conn(struct event_loop *el, int fd, struct conn *c)
{
	ll_log("closing fd %d", fd);
	el_del(el, fd, EV_READABLE | EV_WRITABLE);
	close(fd);
	free(c);
}

/* Burns ns of this thread's CPU time: a handler that computes, not one that sleeps. */
static void spin_ns(uint64_t ns)
{
	struct timespec ts;
	uint64_t end;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	end = ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec + ns;
	do
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	while ((uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec < end);
}

/* Counts a request; every --stall-every'th blocks the whole loop, as a slow command would. */
static void count_request(void)
{
	requests++;
	if (opts.stall_every && requests % opts.stall_every == 0) {
		ll_log("request %lu: stalling the loop for %ld ms", requests, opts.stall_ms);
		if (opts.stall_cpu)
			spin_ns(opts.stall_ms * NSEC_PER_MSEC);
		else
			ll_sleep_ns(opts.stall_ms * NSEC_PER_MSEC);
	}
}

/* Reads once into the empty buffer: 1 data, 0 nothing there (EAGAIN), -1 EOF or error. */
static int read_request(int fd, struct conn *c)
{
	ssize_t n;

	do
		n = read(fd, c->buf, opts.read_size);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0)
		return -1;
	c->len = n;
	c->off = 0;
	count_request();
	return 1;
}

/* Writes what the socket takes: 1 all written, 0 some left (EAGAIN), -1 error. */
static int flush_reply(int fd, struct conn *c)
{
	ssize_t n;

	while (c->off < c->len) {
		n = write(fd, c->buf + c->off, c->len - c->off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->off += n;
	}
	return 1;
}

static file_proc lt_readable, lt_writable;

/* Level-triggered: one read per wakeup is fine, epoll reports the rest again. */
static void lt_readable(struct event_loop *el, int fd, void *data, int mask)
{
	struct conn *c = data;
	int r = read_request(fd, c);

	if (r == 0)
		return;
	if (r > 0)
		r = flush_reply(fd, c);
	if (r < 0) {
		close_conn(el, fd, c);
		return;
	}
	/* The client is slow to read: stop reading until its reply is out. */
	if (r == 0) {
		el_del(el, fd, EV_READABLE);
		if (el_add(el, fd, EV_WRITABLE, lt_writable, c))
			close_conn(el, fd, c);
	}
}

static void lt_writable(struct event_loop *el, int fd, void *data, int mask)
{
	struct conn *c = data;
	int r = flush_reply(fd, c);

	if (r < 0) {
		close_conn(el, fd, c);
	} else if (r > 0) {
		el_del(el, fd, EV_WRITABLE);
		if (el_add(el, fd, EV_READABLE, lt_readable, c))
			close_conn(el, fd, c);
	}
}

/*
 * Edge-triggered: registered once for both directions. An edge is reported only when new data
 * (or buffer space) arrives, so read until EAGAIN, and write everything before reading more.
 * --et-bug reads once per readable wakeup: whatever else is queued is never reported again.
 */
static void et_ready(struct event_loop *el, int fd, void *data, int mask)
{
	struct conn *c = data;
	int r = flush_reply(fd, c);

	if (opts.et_bug && r > 0 && (mask & EV_READABLE)) {
		r = read_request(fd, c);
		if (r > 0)
			r = flush_reply(fd, c);
	}
	while (!opts.et_bug && r > 0) {
		r = read_request(fd, c);
		if (r <= 0)
			break;
		r = flush_reply(fd, c);
	}
	if (r < 0)
		close_conn(el, fd, c);
}

static void accept_handler(struct event_loop *el, int lfd, void *data, int mask)
{
	struct conn *c;
	int fd;

	/* Until EAGAIN: with EPOLLET a connection left in the queue would never be reported. */
	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN)
				ll_warn(errno, "accept");
			return;
		}
		ll_set_nodelay(fd);	/* replies go out at once, as redis does */
		c = malloc(sizeof(*c) + opts.read_size);
		if (!c)
			goto refuse;
		c->len = c->off = 0;
		if (el->edge) {
			if (el_add(el, fd, EV_READABLE | EV_WRITABLE, et_ready, c))
				goto refuse;
		} else if (el_add(el, fd, EV_READABLE, lt_readable, c)) {
			goto refuse;
		}
		ll_log("accepted fd %d", fd);
		continue;
refuse:
		ll_warn(errno, "dropping connection on fd %d", fd);
		free(c);
		close(fd);
	}
}

static int setsize_from_rlimit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > MAX_SETSIZE)
		return MAX_SETSIZE;
	return rl.rlim_cur;
}

int main(int argc, char **argv)
{
	struct event_loop el;
	int lfd, ret = 1;

	ll_set_prog(argv[0]);
	parse_args(argc, argv, &opts);
	signal(SIGPIPE, SIG_IGN);	/* a vanished client is a write error, not a death */
	if (ll_setup_stop_signals()) {
		ll_warn(errno, "sigaction");
		return 1;
	}
	lfd = ll_listen_socket(opts.host, opts.port, SOCK_STREAM, true);
	if (lfd < 0)
		return 1;
	if (el_create(&el, setsize_from_rlimit(), opts.maxevents, opts.edge, opts.timeout_ms)) {
		ll_warn(errno, "cannot create the event loop");
		goto out;
	}
	if (el_add(&el, lfd, EV_READABLE, accept_handler, NULL)) {
		ll_warn(errno, "epoll_ctl listen fd");
		goto out_loop;
	}
	ll_announce(lfd);
	ll_log("mode %s%s, read size %ld, maxevents %ld, timeout %ld ms", opts.edge ? "et" : "lt",
	       opts.et_bug ? " (et-bug)" : "", opts.read_size, opts.maxevents, opts.timeout_ms);
	while (!ll_stop) {
		if (el_process_events(&el) < 0) {
			ll_warn(errno, "epoll_wait");
			goto out_loop;
		}
	}
	ret = 0;
out_loop:
	el_destroy(&el);
out:
	close(lfd);
	return ret;
}
