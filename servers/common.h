/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Helpers shared by the bundled servers, the load generator and forkstorm: option and number
 * parsing, addresses and sockets, signal setup, I/O and time.
 */
#ifndef LL_SERVERS_COMMON_H
#define LL_SERVERS_COMMON_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define LL_DEFAULT_HOST		"127.0.0.1"
/* Deep enough that --accept-delay-ms and connection bursts queue instead of being dropped. */
#define LL_LISTEN_BACKLOG	1024
#define LL_ADDRSTRLEN		64	/* "[v6 address]:port" */

#define NSEC_PER_SEC		1000000000ULL
#define NSEC_PER_MSEC		1000000ULL
#define NSEC_PER_USEC		1000ULL

extern const char *ll_prog;		/* program name for messages */
extern bool ll_verbose;			/* -v: diagnostics on stderr */

void ll_set_prog(const char *argv0);

/* Usage errors: one line on stderr, exit 2. */
void ll_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Reports what getopt_long rejected; use with an optstring that starts with ':' and opterr 0. */
void ll_bad_option(int c, char **argv, const struct option *longopts)
	__attribute__((noreturn));
/*
 * getopt_long() for a command line that takes -v/--verbose and -h/--help (in optstring and
 * longopts as 'v' and 'h') and no operands. Handles those two itself, and exits 2 through
 * ll_bad_option() or on an operand (optstring must start with ':'). Returns the caller's next
 * option, or -1 at the end.
 */
int ll_getopt(int argc, char **argv, const char *optstring, const struct option *longopts,
	      void (*usage)(void));
/* The end of every longopts[]: -v/--verbose and -h/--help, which ll_getopt() handles. */
#define LL_COMMON_LONGOPTS \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ 0 }
/* A server's --host HOST and -p/--port PORT (host_code: the caller's code for --host). */
#define LL_HOST_PORT_LONGOPTS(host_code) \
	{ "host", required_argument, NULL, (host_code) }, \
	{ "port", required_argument, NULL, 'p' }
/* Parses c if it is one of LL_HOST_PORT_LONGOPTS (exits 2 on a bad value): true if it was. */
bool ll_host_port_option(int c, int host_code, const char **host, int *port);
/* An --exec PATH (opt names the option): PATH if it can be executed, else exit 2. */
const char *ll_parse_exec(const char *opt, const char *path);

/* Parse a whole decimal number in [min, max] or exit 2 naming the option. */
long ll_parse_long(const char *opt, const char *s, long min, long max);
uint64_t ll_parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max);
double ll_parse_double(const char *opt, const char *s, double min, double max);
int ll_parse_port(const char *opt, const char *s);
/* A numeric IPv4 or IPv6 address (no name lookups: servers and tests stay deterministic). */
const char *ll_parse_host(const char *opt, const char *s);

/* Verbose diagnostics to stderr, prefixed with program name and pid. */
void ll_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Runtime failure: message (and strerror(errno) when errnum != 0) on stderr. */
void ll_warn(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Numeric host (IPv4 or IPv6) and port to a socket address; -1 if host is not one. */
int ll_resolve(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len);
void ll_format_addr(const struct sockaddr *sa, char *buf, size_t size);

/* Bound (and for SOCK_STREAM listening) socket, or -1 with a message on stderr. */
int ll_listen_socket(const char *host, int port, int type, bool nonblock);
/* Prints "listening on HOST:PORT pid PID" on stdout and flushes it. */
void ll_announce(int fd);

int ll_set_nonblock(int fd);
int ll_set_nodelay(int fd);

/*
 * Stop signals: SIGINT and SIGTERM set ll_stop and stay blocked except while the caller waits
 * in ll_wait_readable() or ll_stop_waitmask() (ppoll/epoll_pwait), so a stop request can never
 * slip in between checking ll_stop and going to sleep.
 */
extern volatile sig_atomic_t ll_stop;
int ll_setup_stop_signals(void);
const sigset_t *ll_stop_waitmask(void);
/* Undoes ll_setup_stop_signals() in a forked child: default actions, nothing blocked by us. */
void ll_reset_stop_signals(void);
/* 1 readable, 0 timeout, -1 interrupted (check ll_stop) or error. timeout_ms < 0: forever. */
int ll_wait_readable(int fd, int timeout_ms);

/* write(2) until everything is written; -1 on error (EINTR is retried). */
ssize_t ll_write_all(int fd, const void *buf, size_t len);

uint64_t ll_now_ns(void);		/* CLOCK_MONOTONIC */
/* Sleeps the whole interval: EINTR resumes with the time left. */
void ll_sleep_ns(uint64_t ns);
/* Milliseconds from now until deadline, rounded up, for poll timeouts; 0 when past. */
int ll_ms_until(uint64_t deadline_ns);

#endif
