// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Helpers shared by the bundled servers, the load generator and forkstorm. */
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *ll_prog = "lifeline-server";
bool ll_verbose;
volatile sig_atomic_t ll_stop;

static sigset_t stop_waitmask;		/* the mask to wait with: stop signals deliverable */

void ll_set_prog(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	ll_prog = slash ? slash + 1 : argv0;
}

void ll_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", ll_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try --help)\n");
	exit(2);
}

void ll_bad_option(int c, char **argv, const struct option *longopts)
{
	/* After a failed option getopt_long leaves the offending word at optind - 1. */
	const char *word = optind > 0 ? argv[optind - 1] : "?";
	size_t len;

	if (c == ':')
		ll_usage_error("option %s needs a value", word);
	if (strncmp(word, "--", 2))
		ll_usage_error("unknown option -%c", optopt ? optopt : '?');
	len = strcspn(word + 2, "=");
	for (; longopts->name; longopts++)
		if (strlen(longopts->name) == len && !strncmp(longopts->name, word + 2, len))
			ll_usage_error("option --%s takes no value", longopts->name);
	ll_usage_error("unknown or ambiguous option %.*s", (int)len + 2, word);
}

int ll_getopt(int argc, char **argv, const char *optstring, const struct option *longopts,
	      void (*usage)(void))
{
	int c;

	opterr = 0;	/* ll_bad_option() tells what was wrong, in the words of ll_usage_error() */
	for (;;) {
		c = getopt_long(argc, argv, optstring, longopts, NULL);
		switch (c) {
		case 'v':
			ll_verbose = true;
			break;
		case 'h':
			usage();
			exit(0);
		case '?':
		case ':':
			ll_bad_option(c, argv, longopts);
		case -1:
			if (optind < argc)
				ll_usage_error("unexpected argument '%s'", argv[optind]);
			return -1;
		default:
			return c;
		}
	}
}

bool ll_host_port_option(int c, int host_code, const char **host, int *port)
{
	if (c == host_code)
		*host = ll_parse_host("--host", optarg);
	else if (c == 'p')
		*port = ll_parse_port("--port", optarg);
	else
		return false;
	return true;
}

const char *ll_parse_exec(const char *opt, const char *path)
{
	if (access(path, X_OK))
		ll_usage_error("%s: cannot execute '%s': %s", opt, path, strerror(errno));
	return path;
}

long ll_parse_long(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0')
		ll_usage_error("%s: '%s' is not a number", opt, s);
	if (errno == ERANGE || v < min || v > max)
		ll_usage_error("%s: %s is out of range [%ld, %ld]", opt, s, min, max);
	return v;
}

uint64_t ll_parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts "-1" and wraps it; a count is never negative. */
	if (strchr(s, '-'))
		ll_usage_error("%s: %s is out of range [%llu, %llu]", opt, s,
			       (unsigned long long)min, (unsigned long long)max);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || *end != '\0')
		ll_usage_error("%s: '%s' is not a number", opt, s);
	if (errno == ERANGE || v < min || v > max)
		ll_usage_error("%s: %s is out of range [%llu, %llu]", opt, s,
			       (unsigned long long)min, (unsigned long long)max);
	return v;
}

double ll_parse_double(const char *opt, const char *s, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0')
		ll_usage_error("%s: '%s' is not a number", opt, s);
	if (errno == ERANGE || !isfinite(v) || v < min || v > max)
		ll_usage_error("%s: %s is out of range [%g, %g]", opt, s, min, max);
	return v;
}

int ll_parse_port(const char *opt, const char *s)
{
	return (int)ll_parse_long(opt, s, 0, 65535);
}

static void vmessage(int errnum, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	/* One write per line so lines from forked children do not interleave. */
	n = snprintf(line, sizeof(line), "%s[%d]: ", ll_prog, (int)getpid());
	if (n < sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (errnum && n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, ": %s", strerror(errnum));
	if (n > sizeof(line) - 1)
		n = sizeof(line) - 1;
	line[n++] = '\n';
	ll_write_all(STDERR_FILENO, line, n);
}

void ll_log(const char *fmt, ...)
{
	va_list ap;

	if (!ll_verbose)
		return;
	va_start(ap, fmt);
	vmessage(0, fmt, ap);
	va_end(ap);
}

void ll_warn(int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(errnum, fmt, ap);
	va_end(ap);
}

int ll_resolve(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

const char *ll_parse_host(const char *opt, const char *s)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (ll_resolve(s, 0, &ss, &len))
		ll_usage_error("%s: '%s' is not a numeric IPv4 or IPv6 address", opt, s);
	return s;
}

void ll_format_addr(const struct sockaddr *sa, char *buf, size_t size)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(sin->sin_port));
	} else {
		snprintf(buf, size, "?");
	}
}

int ll_listen_socket(const char *host, int port, int type, bool nonblock)
{
	struct sockaddr_storage ss;
	int fd, one = 1, err;
	socklen_t len;

	if (ll_resolve(host, port, &ss, &len)) {
		ll_warn(0, "bad address '%s': want a numeric IPv4 or IPv6 address", host);
		return -1;
	}
	fd = socket(ss.ss_family, type | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0) {
		ll_warn(errno, "socket");
		return -1;
	}
	/* Restarting a server must not wait for TIME_WAIT connections of the last run. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto fail;
	if (bind(fd, (struct sockaddr *)&ss, len))
		goto fail;
	if (type == SOCK_STREAM && listen(fd, LL_LISTEN_BACKLOG))
		goto fail;
	return fd;
fail:
	err = errno;
	ll_warn(err, "cannot listen on %s port %d", host, port);
	close(fd);
	return -1;
}

void ll_announce(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[LL_ADDRSTRLEN];

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		ss.ss_family = AF_UNSPEC;
	ll_format_addr((struct sockaddr *)&ss, addr, sizeof(addr));
	printf("listening on %s pid %d\n", addr, (int)getpid());
	fflush(stdout);
}

int ll_set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -1;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int ll_set_nodelay(int fd)
{
	int one = 1;

	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void on_stop_signal(int sig)
{
	ll_stop = 1;
}

int ll_setup_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -1;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &block, &stop_waitmask))
		return -1;
	sigdelset(&stop_waitmask, SIGINT);
	sigdelset(&stop_waitmask, SIGTERM);
	return 0;
}

const sigset_t *ll_stop_waitmask(void)
{
	return &stop_waitmask;
}

void ll_reset_stop_signals(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigprocmask(SIG_SETMASK, &stop_waitmask, NULL);
}

int ll_wait_readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct timespec ts, *tsp = NULL;
	int n;

	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * NSEC_PER_MSEC;
		tsp = &ts;
	}
	n = ppoll(&pfd, 1, tsp, &stop_waitmask);
	if (n < 0)
		return -1;
	return n > 0;
}

ssize_t ll_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		done += n;
	}
	return done;
}

uint64_t ll_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

void ll_sleep_ns(uint64_t ns)
{
	uint64_t until = ll_now_ns() + ns;
	struct timespec ts = {
		.tv_sec = until / NSEC_PER_SEC,
		.tv_nsec = until % NSEC_PER_SEC,
	};

	/* An absolute deadline keeps the total exact however often a signal interrupts it. */
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int ll_ms_until(uint64_t deadline_ns)
{
	uint64_t now = ll_now_ns();
	uint64_t ms;

	if (deadline_ns <= now)
		return 0;
	ms = (deadline_ns - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
	return ms > INT32_MAX ? INT32_MAX : (int)ms;
}
