// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * loadgen: echo load generator. One thread drives every client from one epoll loop, so that
 * on a 2-core machine the server under test keeps the other core. Each request carries a
 * pattern seeded by its number, and every echoed byte is checked against it.
 */
#include "common.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#define DEFAULT_REQUESTS	1000
#define MAX_CLIENTS		65536
#define MAX_SIZE		(64 << 20)
#define MAX_UDP_SIZE		65507	/* largest IPv4 UDP payload */
#define MAX_EVENTS		256
#define LAT_EXACT_US		(1 << 20)	/* 1 µs buckets up to ~1 s, a list above */

struct options {
	const char *host;
	int port;
	long clients;
	uint64_t requests;		/* 0 with --duration */
	double duration_s;
	bool connect_per_request;
	size_t size;
	bool udp;
	long timeout_ms;
	bool json;
};

enum client_state { C_IDLE, C_CONNECTING, C_ACTIVE };

struct client {
	int fd;				/* -1: no connection */
	enum client_state state;
	uint32_t events;		/* what fd is registered for in epoll, 0 if not */
	uint64_t start_ns;
	size_t sent, rcvd;
	unsigned char *req;		/* this request's bytes */
};

/* Exact latencies in µs: a count per µs below LAT_EXACT_US, the rare slow ones listed. */
struct latency {
	uint64_t *counts;
	uint64_t *slow;
	size_t nslow, slow_cap;
	uint64_t n, max;
};

struct run {
	const struct options *o;
	int epfd;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char addrstr[LL_ADDRSTRLEN];
	uint64_t issued, ok, errors;
	uint64_t end_ns;		/* --duration: no new request after this */
	uint64_t next_scan_ns;		/* no request's deadline is earlier than this */
	long active;			/* clients with a request in flight */
	char first_error[160];
	struct latency lat;
	unsigned char *scratch;
};

static void usage(void)
{
	printf("usage: %s --port PORT [OPTIONS]\n"
	       "Echo load generator: checks every echoed byte, reports rate and latency.\n\n"
	       "  --host ADDR              server address (default %s; ::1 for IPv6)\n"
	       "  -p, --port PORT          server port (required)\n"
	       "  -c, --connections N      concurrent clients (default 1)\n"
	       "  -n, --requests N         total requests across all clients (default %d)\n"
	       "  -d, --duration SECS      send requests for SECS seconds instead (e.g. 2.5)\n"
	       "  --connect-per-request    a new TCP connection for every request\n"
	       "  --size BYTES             request size (default 64)\n"
	       "  --udp                    one datagram per request (size <= %d)\n"
	       "  --timeout-ms MS          a request not fully echoed in MS fails (default 5000)\n"
	       "  --json                   print one JSON result line\n"
	       "  -v, --verbose            log every failed request to stderr\n"
	       "  -h, --help               this help\n\n"
	       "\"requests\" counts requests echoed correctly, \"errors\" the others;\n"
	       "together they are exactly -n. Latency (µs) includes the connect when a request\n"
	       "opens one.\n"
	       "Exits 1 if any request failed.\n",
	       ll_prog, LL_DEFAULT_HOST, DEFAULT_REQUESTS, MAX_UDP_SIZE);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_HOST = 256, OPT_CPR, OPT_SIZE, OPT_UDP, OPT_TIMEOUT, OPT_JSON };
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, OPT_HOST },
		{ "port", required_argument, NULL, 'p' },
		{ "connections", required_argument, NULL, 'c' },
		{ "requests", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "connect-per-request", no_argument, NULL, OPT_CPR },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "udp", no_argument, NULL, OPT_UDP },
		{ "timeout-ms", required_argument, NULL, OPT_TIMEOUT },
		{ "json", no_argument, NULL, OPT_JSON },
		LL_COMMON_LONGOPTS
	};
	int c;

	while ((c = ll_getopt(argc, argv, ":p:c:n:d:vh", longopts, usage)) != -1) {
		switch (c) {
		case OPT_HOST:
			o->host = ll_parse_host("--host", optarg);
			break;
		case 'p':
			o->port = ll_parse_long("--port", optarg, 1, 65535);
			break;
		case 'c':
			o->clients = ll_parse_long("--connections", optarg, 1, MAX_CLIENTS);
			break;
		case 'n':
			o->requests = ll_parse_u64("--requests", optarg, 1, UINT64_MAX / 2);
			break;
		case 'd':
			o->duration_s = ll_parse_double("--duration", optarg, 0.001, 1e7);
			break;
		case OPT_CPR:
			o->connect_per_request = true;
			break;
		case OPT_SIZE:
			o->size = ll_parse_long("--size", optarg, 1, MAX_SIZE);
			break;
		case OPT_UDP:
			o->udp = true;
			break;
		case OPT_TIMEOUT:
			o->timeout_ms = ll_parse_long("--timeout-ms", optarg, 1, 24 * 3600 * 1000L);
			break;
		case OPT_JSON:
			o->json = true;
			break;
		}
	}
	if (!o->port)
		ll_usage_error("--port is required");
	if (o->requests && o->duration_s > 0)
		ll_usage_error("-n and -d exclude each other");
	if (!o->requests && !(o->duration_s > 0))
		o->requests = DEFAULT_REQUESTS;
	if (o->udp && o->size > MAX_UDP_SIZE)
		ll_usage_error("--size: at most %d bytes with --udp", MAX_UDP_SIZE);
	if (o->udp && o->connect_per_request)
		ll_usage_error("--connect-per-request is for TCP");
}

/* ---- latency ---- */

static int lat_init(struct latency *l)
{
	/* calloc'ed pages stay untouched, and free, until a latency lands in them. */
	l->counts = calloc(LAT_EXACT_US, sizeof(*l->counts));
	return l->counts ? 0 : -1;
}

static int lat_add(struct latency *l, uint64_t us)
{
	uint64_t *bigger;

	if (us >= LAT_EXACT_US) {
		if (l->nslow == l->slow_cap) {
			l->slow_cap = l->slow_cap ? 2 * l->slow_cap : 64;
			bigger = realloc(l->slow, l->slow_cap * sizeof(*l->slow));
			if (!bigger)
				return -1;
			l->slow = bigger;
		}
		l->slow[l->nslow++] = us;
	} else {
		l->counts[us]++;
	}
	l->n++;
	if (us > l->max)
		l->max = us;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile; the slow list must be sorted. */
static uint64_t lat_percentile(const struct latency *l, double p)
{
	uint64_t rank, seen = 0, us;

	if (!l->n)
		return 0;
	rank = (uint64_t)ceil(p / 100.0 * l->n);
	if (rank < 1)
		rank = 1;
	for (us = 0; us < LAT_EXACT_US; us++) {
		seen += l->counts[us];
		if (seen >= rank)
			return us;
	}
	return l->slow[rank - seen - 1];
}

/* ---- requests ---- */

/* splitmix64: a cheap pattern that differs for every request number. */
static void fill_pattern(unsigned char *buf, size_t len, uint64_t seq)
{
	uint64_t x = seq * 0x9e3779b97f4a7c15ULL, z;
	size_t i;

	for (i = 0; i < len; i += 8) {
		x += 0x9e3779b97f4a7c15ULL;
		z = x;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		memcpy(buf + i, &z, len - i < 8 ? len - i : 8);
	}
}

static void close_client(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);	/* close also drops it from the epoll set */
	c->fd = -1;
	c->events = 0;
}

static int watch(struct run *r, struct client *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	if (events == c->events)
		return 0;
	if (epoll_ctl(r->epfd, c->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &ev))
		return -1;
	c->events = events;
	return 0;
}

static bool more_to_issue(struct run *r)
{
	if (r->o->requests)
		return r->issued < r->o->requests;
	return ll_now_ns() < r->end_ns;
}

static int open_connection(struct run *r, struct client *c)
{
	int type = r->o->udp ? SOCK_DGRAM : SOCK_STREAM;

	c->fd = socket(r->addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	if (!r->o->udp)
		ll_set_nodelay(c->fd);
	if (connect(c->fd, (struct sockaddr *)&r->addr, r->addrlen) == 0) {
		c->state = C_ACTIVE;
		return 0;
	}
	if (errno != EINPROGRESS)
		return -1;
	c->state = C_CONNECTING;
	return watch(r, c, EPOLLOUT);
}

/* The request ended badly: count it, keep the first reason. Returns true (request over). */
static bool fail_request(struct run *r, struct client *c, const char *what, int err)
{
	char msg[sizeof(r->first_error)];

	snprintf(msg, sizeof(msg), "%s %s: %s", what, r->addrstr,
		 err ? strerror(err) : "bad echo");
	if (!r->errors)
		snprintf(r->first_error, sizeof(r->first_error), "%s", msg);
	r->errors++;
	ll_log("request failed after %.3f ms: %s", (ll_now_ns() - c->start_ns) / 1e6, msg);
	close_client(c);
	r->active--;
	return true;
}

static bool complete_request(struct run *r, struct client *c)
{
	uint64_t us = (ll_now_ns() - c->start_ns) / NSEC_PER_USEC;

	if (lat_add(&r->lat, us))
		return fail_request(r, c, "out of memory for latencies at", ENOMEM);
	r->ok++;
	r->active--;
	if (r->o->connect_per_request)
		close_client(c);
	return true;
}

/* Sends what the socket takes: 0 progress or EAGAIN, -1 error. */
static int send_some(struct client *c, size_t size)
{
	ssize_t n;

	while (c->sent < size) {
		n = send(c->fd, c->req + c->sent, size - c->sent, MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->sent += n;
	}
	return 0;
}

/*
 * Reads the echo and checks it: 1 complete, 0 more to come, -1 error (errno set, 0 for a
 * wrong or short echo). Never reads past this request, so stray bytes fail the next one.
 */
static int recv_some(struct run *r, struct client *c, size_t size)
{
	size_t want;
	ssize_t n;

	while (c->rcvd < size) {
		want = r->o->udp ? size + 1 : size - c->rcvd;
		n = recv(c->fd, r->scratch, want, 0);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		errno = 0;
		if (n == 0 || (r->o->udp && (size_t)n != size))
			return -1;
		if (memcmp(r->scratch, c->req + c->rcvd, n))
			return -1;
		c->rcvd += n;
	}
	return 1;
}

/* Takes the client's next request number; false when the run has issued them all. */
static bool begin_request(struct run *r, struct client *c)
{
	if (!more_to_issue(r)) {
		close_client(c);
		c->state = C_IDLE;
		return false;
	}
	r->issued++;
	r->active++;
	c->start_ns = ll_now_ns();
	c->sent = c->rcvd = 0;
	fill_pattern(c->req, r->o->size, r->issued);
	return true;
}

/*
 * Moves the request on as far as the socket allows, then waits for what it needs next.
 * Returns true when the request is over (echoed or failed), false while it waits for epoll.
 */
static bool advance(struct run *r, struct client *c, uint32_t events)
{
	size_t size = r->o->size;
	socklen_t len = sizeof(int);
	int err, done = 0;

	if (c->fd < 0) {
		if (open_connection(r, c))
			return fail_request(r, c, "connect to", errno);
		if (c->state == C_CONNECTING)
			return false;
	} else if (c->state == C_CONNECTING) {
		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return false;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err)
			return fail_request(r, c, "connect to", err);
		c->state = C_ACTIVE;
		events |= EPOLLOUT;
	}
	if ((events & EPOLLOUT) && send_some(c, size))
		return fail_request(r, c, "send to", errno);
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		done = recv_some(r, c, size);
		if (done < 0)
			return fail_request(r, c, errno ? "recv from" : "wrong echo from", errno);
	}
	if (done)
		return complete_request(r, c);
	if (watch(r, c, EPOLLIN | (c->sent < size ? EPOLLOUT : 0)))
		return fail_request(r, c, "epoll_ctl for", errno);
	return false;
}

/* Runs the client's requests one after another until one has to wait (a loop: no recursion). */
static void drive(struct run *r, struct client *c, uint32_t events)
{
	while (advance(r, c, events)) {
		if (!begin_request(r, c))
			return;
		/* Send at once: a live connection is almost always writable. */
		events = EPOLLOUT;
	}
}

/* Fails requests past their deadline; returns the earliest deadline still pending. */
static uint64_t expire_requests(struct run *r, struct client *clients, uint64_t now)
{
	uint64_t timeout = r->o->timeout_ms * NSEC_PER_MSEC, next = now + timeout, due;
	long i;

	for (i = 0; i < r->o->clients; i++) {
		struct client *c = &clients[i];

		if (c->state == C_IDLE)
			continue;
		due = c->start_ns + timeout;
		if (due <= now) {
			fail_request(r, c, "timed out waiting for", ETIMEDOUT);
			/* Its next request starts now and falls due after this scan's horizon. */
			if (begin_request(r, c))
				drive(r, c, EPOLLOUT);
		} else if (due < next) {
			next = due;
		}
	}
	return next;
}

static int run_clients(struct run *r, struct client *clients)
{
	struct epoll_event events[MAX_EVENTS];
	uint64_t now;
	long i;
	int n;

	r->next_scan_ns = ll_now_ns() + r->o->timeout_ms * NSEC_PER_MSEC;
	for (i = 0; i < r->o->clients; i++)
		if (begin_request(r, &clients[i]))
			drive(r, &clients[i], EPOLLOUT);
	while (r->active > 0) {
		n = epoll_wait(r->epfd, events, MAX_EVENTS, ll_ms_until(r->next_scan_ns));
		if (n < 0 && errno != EINTR)
			return -1;
		for (i = 0; i < n; i++)
			drive(r, events[i].data.ptr, events[i].events);
		now = ll_now_ns();
		if (now >= r->next_scan_ns)
			r->next_scan_ns = expire_requests(r, clients, now);
	}
	return 0;
}

/* ---- setup and report ---- */

static int ensure_fd_limit(long clients)
{
	struct rlimit rl;
	rlim_t need = clients + 16;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	if (rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max < need) {
		ll_warn(0, "%ld connections need %lu fds, the hard limit is %lu", clients,
			(unsigned long)need, (unsigned long)rl.rlim_max);
		return -1;
	}
	rl.rlim_cur = need;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

static struct client *alloc_clients(const struct options *o)
{
	struct client *clients = calloc(o->clients, sizeof(*clients));
	long i;

	if (!clients)
		return NULL;
	for (i = 0; i < o->clients; i++) {
		clients[i].fd = -1;
		clients[i].req = malloc(o->size);
		if (!clients[i].req)
			goto fail;
	}
	return clients;
fail:
	while (i-- > 0)
		free(clients[i].req);
	free(clients);
	return NULL;
}

static void free_clients(struct client *clients, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		close_client(&clients[i]);
		free(clients[i].req);
	}
	free(clients);
}

static void report(struct run *r, double elapsed_s)
{
	double rate = elapsed_s > 0 ? r->ok / elapsed_s : 0;
	uint64_t p50, p99;

	if (r->lat.nslow)
		qsort(r->lat.slow, r->lat.nslow, sizeof(*r->lat.slow), cmp_u64);
	p50 = lat_percentile(&r->lat, 50);
	p99 = lat_percentile(&r->lat, 99);
	if (r->o->json)
		printf("{\"type\":\"result\",\"requests\":%llu,\"errors\":%llu,"
		       "\"requests_per_s\":%.1f,\"latency_us\":{\"p50\":%llu,\"p99\":%llu,"
		       "\"max\":%llu}}\n", (unsigned long long)r->ok,
		       (unsigned long long)r->errors, rate, (unsigned long long)p50,
		       (unsigned long long)p99, (unsigned long long)r->lat.max);
	else
		printf("requests %llu  errors %llu  requests/s %.1f  latency_us p50 %llu  "
		       "p99 %llu  max %llu\n", (unsigned long long)r->ok,
		       (unsigned long long)r->errors, rate, (unsigned long long)p50,
		       (unsigned long long)p99, (unsigned long long)r->lat.max);
	fflush(stdout);
	if (r->errors)
		fprintf(stderr, "%s: %llu of %llu requests failed (first: %s)\n", ll_prog,
			(unsigned long long)r->errors, (unsigned long long)r->issued,
			r->first_error);
}

int main(int argc, char **argv)
{
	struct options o = { .host = LL_DEFAULT_HOST, .clients = 1, .size = 64,
			     .timeout_ms = 5000 };
	struct run r = { .o = &o, .epfd = -1 };
	struct client *clients = NULL;
	uint64_t start;
	int ret = 1;

	ll_set_prog(argv[0]);
	parse_args(argc, argv, &o);
	ll_resolve(o.host, o.port, &r.addr, &r.addrlen);
	ll_format_addr((struct sockaddr *)&r.addr, r.addrstr, sizeof(r.addrstr));
	if (ensure_fd_limit(o.clients))
		return 1;
	r.scratch = malloc(o.size + 1);
	clients = alloc_clients(&o);
	if (!r.scratch || !clients || lat_init(&r.lat)) {
		ll_warn(ENOMEM, "cannot allocate %ld clients of %zu bytes", o.clients, o.size);
		goto out;
	}
	r.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r.epfd < 0) {
		ll_warn(errno, "epoll_create1");
		goto out;
	}
	start = ll_now_ns();
	r.end_ns = start + (uint64_t)(o.duration_s * NSEC_PER_SEC);
	if (run_clients(&r, clients)) {
		ll_warn(errno, "epoll_wait");
		goto out;
	}
	report(&r, (ll_now_ns() - start) / 1e9);
	ret = r.errors ? 1 : 0;
out:
	if (clients)
		free_clients(clients, o.clients);
	if (r.epfd >= 0)
		close(r.epfd);
	free(r.scratch);
	free(r.lat.counts);
	free(r.lat.slow);
	return ret;
}
