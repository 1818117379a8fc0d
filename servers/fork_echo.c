// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * fork_echo: TCP echo server with one forked child per connection, the classic Unix server.
 * --reap chooses how (or whether) the parent reaps its children, so each classic zombie bug
 * is one flag away; --reap-delay-ms makes zombie lifetimes a known, injected value.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_PORT		9000
/* --reap block: the longest a zombie waits for the accept loop when the server is idle. */
#define BLOCK_REAP_POLL_MS	100
#define MAX_DELAY_MS		3600000L
#define NO_DEADLINE		UINT64_MAX

enum reap_mode { REAP_LOOP, REAP_ONCE, REAP_NONE, REAP_IGNORE, REAP_BLOCK };

static const char *const reap_names[] = {
	[REAP_LOOP] = "loop", [REAP_ONCE] = "once", [REAP_NONE] = "none",
	[REAP_IGNORE] = "ignore", [REAP_BLOCK] = "block",
};

struct options {
	const char *host;
	int port;
	enum reap_mode reap;
	long reap_delay_ms;
	long accept_delay_ms;
	long backlog;			/* listen() backlog; 0: the default */
	int child_exit;
	bool daemon;
	char pidfile[PATH_MAX];		/* absolute, or empty */
	long exit_after;
};

/* --reap-delay-ms: every child still to be reaped, with the time its exit was noticed. */
struct child {
	pid_t pid;
	uint64_t exited_ns;		/* 0 while it runs */
};

static struct child *kids;
static size_t nkids, kids_cap;
static volatile sig_atomic_t sigchld_seen;

static void usage(void)
{
	printf("usage: %s [OPTIONS]\n"
	       "TCP echo server, one forked child per connection.\n\n"
	       "  --host ADDR            listen address (default %s; ::1 for IPv6)\n"
	       "  -p, --port PORT        listen port (default %d; 0 picks a free one)\n"
	       "  --reap MODE            how the parent reaps its children (default loop):\n"
	       "                           loop    SIGCHLD handler loops waitpid(WNOHANG)\n"
	       "                           once    SIGCHLD handler reaps one child per signal\n"
	       "                                   (leaks zombies when signals coalesce)\n"
	       "                           none    never waits: every child stays a zombie\n"
	       "                           ignore  SIGCHLD set to SIG_IGN: auto-reaped\n"
	       "                           block   no handler; waitpid(WNOHANG) in the accept\n"
	       "                                   loop, at least every %d ms\n"
	       "  --reap-delay-ms MS     reap each child MS after it exits (with --reap loop)\n"
	       "  --accept-delay-ms MS   sleep MS before each accept (connections queue up)\n"
	       "  --backlog N            listen(fd, N): the accept queue's limit (default %d);\n"
	       "                         a full queue makes the kernel drop new handshakes\n"
	       "  --child-exit CODE      children exit with CODE (default 0)\n"
	       "  --daemon               daemonize: fork, setsid, chdir /, umask 0, stdio to\n"
	       "                         /dev/null, SIGHUP ignored\n"
	       "  --pidfile PATH         write the server's pid to PATH\n"
	       "  --exit-after N         the parent exits after N accepts; children serve on\n"
	       "  -v, --verbose          log connections and reaping to stderr\n"
	       "  -h, --help             this help\n\n"
	       "Prints \"listening on HOST:PORT pid PID\" on stdout once listening.\n",
	       ll_prog, LL_DEFAULT_HOST, DEFAULT_PORT, BLOCK_REAP_POLL_MS, LL_LISTEN_BACKLOG);
}

static enum reap_mode parse_reap_mode(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(reap_names) / sizeof(reap_names[0]); i++)
		if (strcmp(s, reap_names[i]) == 0)
			return i;
	ll_usage_error("--reap: unknown mode '%s' (loop, once, none, ignore, block)", s);
}

/* The daemon changes directory before it writes the pidfile: resolve the path now. */
static void set_pidfile(struct options *o, const char *path)
{
	char cwd[PATH_MAX];
	int n;

	if (path[0] == '/')
		n = snprintf(o->pidfile, sizeof(o->pidfile), "%s", path);
	else if (getcwd(cwd, sizeof(cwd)))
		n = snprintf(o->pidfile, sizeof(o->pidfile), "%s/%s", cwd, path);
	else
		ll_usage_error("--pidfile: cannot resolve '%s': %s", path, strerror(errno));
	if (n < 0 || (size_t)n >= sizeof(o->pidfile))
		ll_usage_error("--pidfile: path too long");
}

static void parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_HOST = 256, OPT_REAP, OPT_REAP_DELAY, OPT_ACCEPT_DELAY, OPT_CHILD_EXIT,
	       OPT_DAEMON, OPT_PIDFILE, OPT_EXIT_AFTER, OPT_BACKLOG };
	static const struct option longopts[] = {
		LL_HOST_PORT_LONGOPTS(OPT_HOST),
		{ "reap", required_argument, NULL, OPT_REAP },
		{ "reap-delay-ms", required_argument, NULL, OPT_REAP_DELAY },
		{ "accept-delay-ms", required_argument, NULL, OPT_ACCEPT_DELAY },
		{ "child-exit", required_argument, NULL, OPT_CHILD_EXIT },
		{ "daemon", no_argument, NULL, OPT_DAEMON },
		{ "pidfile", required_argument, NULL, OPT_PIDFILE },
		{ "exit-after", required_argument, NULL, OPT_EXIT_AFTER },
		{ "backlog", required_argument, NULL, OPT_BACKLOG },
		LL_COMMON_LONGOPTS
	};
	bool reap_given = false;
	int c;

	while ((c = ll_getopt(argc, argv, ":p:vh", longopts, usage)) != -1) {
		if (ll_host_port_option(c, OPT_HOST, &o->host, &o->port))
			continue;
		switch (c) {
		case OPT_REAP:
			o->reap = parse_reap_mode(optarg);
			reap_given = true;
			break;
		case OPT_REAP_DELAY:
			o->reap_delay_ms = ll_parse_long("--reap-delay-ms", optarg, 0,
							 MAX_DELAY_MS);
			break;
		case OPT_ACCEPT_DELAY:
			o->accept_delay_ms = ll_parse_long("--accept-delay-ms", optarg, 0,
							   MAX_DELAY_MS);
			break;
		case OPT_CHILD_EXIT:
			o->child_exit = ll_parse_long("--child-exit", optarg, 0, 255);
			break;
		case OPT_DAEMON:
			o->daemon = true;
			break;
		case OPT_PIDFILE:
			set_pidfile(o, optarg);
			break;
		case OPT_EXIT_AFTER:
			o->exit_after = ll_parse_long("--exit-after", optarg, 1, LONG_MAX);
			break;
		case OPT_BACKLOG:
			o->backlog = ll_parse_long("--backlog", optarg, 1, 65535);
			break;
		}
	}
	if (o->reap_delay_ms && reap_given && o->reap != REAP_LOOP)
		ll_usage_error("--reap-delay-ms works with --reap loop only");
}

/* --reap loop: the correct handler, reaps every child that is ready. */
static void reap_all_handler(int sig)
{
	int saved = errno;

	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = saved;
}

/* --reap once: the classic bug, one child per signal although signals coalesce. */
static void reap_one_handler(int sig)
{
	int saved = errno;

	waitpid(-1, NULL, WNOHANG);
	errno = saved;
}

/* --reap-delay-ms: only note the event; the main loop stamps exits and reaps on time. */
static void note_sigchld_handler(int sig)
{
	sigchld_seen = 1;
}

static int setup_sigchld(const struct options *o)
{
	struct sigaction sa = { .sa_flags = SA_RESTART };
	sigset_t chld;

	if (o->reap == REAP_IGNORE)
		return signal(SIGCHLD, SIG_IGN) == SIG_ERR ? -1 : 0;
	/* none and block: no handler at all; reset, as SIG_IGN may have been inherited. */
	if ((o->reap == REAP_NONE || o->reap == REAP_BLOCK) && !o->reap_delay_ms)
		return signal(SIGCHLD, SIG_DFL) == SIG_ERR ? -1 : 0;
	sigemptyset(&sa.sa_mask);
	if (o->reap == REAP_ONCE)
		sa.sa_handler = reap_one_handler;
	else if (!o->reap_delay_ms)
		sa.sa_handler = reap_all_handler;
	else
		sa.sa_handler = note_sigchld_handler;
	if (sigaction(SIGCHLD, &sa, NULL))
		return -1;
	if (!o->reap_delay_ms)
		return 0;
	/*
	 * A child exiting between the scan for exits and ppoll() would otherwise go unnoticed
	 * until the next wakeup: like the stop signals, SIGCHLD is let in only inside ppoll().
	 */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	return sigprocmask(SIG_BLOCK, &chld, NULL);
}

static int track_child(pid_t pid)
{
	struct child *bigger;
	size_t cap;

	if (nkids == kids_cap) {
		cap = kids_cap ? 2 * kids_cap : 64;
		bigger = realloc(kids, cap * sizeof(*kids));
		if (!bigger)
			return -1;
		kids = bigger;
		kids_cap = cap;
	}
	kids[nkids++] = (struct child){ .pid = pid };
	return 0;
}

/* Stamps children that exited since the last SIGCHLD; WNOWAIT leaves them zombies. */
static void note_exited_children(void)
{
	siginfo_t si;
	size_t i;

	if (!sigchld_seen)
		return;
	sigchld_seen = 0;
	for (i = 0; i < nkids; i++) {
		if (kids[i].exited_ns)
			continue;
		si.si_pid = 0;
		if (waitid(P_PID, kids[i].pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == kids[i].pid)
			kids[i].exited_ns = ll_now_ns();
	}
}

/* Reaps the children whose delay is over; returns when the next one falls due. */
static uint64_t reap_due_children(long delay_ms)
{
	uint64_t delay = delay_ms * NSEC_PER_MSEC, now, next = NO_DEADLINE;
	size_t i = 0;
	int status;

	note_exited_children();
	now = ll_now_ns();
	while (i < nkids) {
		struct child *k = &kids[i];

		if (!k->exited_ns || now < k->exited_ns + delay) {
			if (k->exited_ns && k->exited_ns + delay < next)
				next = k->exited_ns + delay;
			i++;
			continue;
		}
		if (waitpid(k->pid, &status, 0) == k->pid)
			ll_log("reaped child %d status 0x%x, %.1f ms after its exit", k->pid,
			       status, (ll_now_ns() - k->exited_ns) / 1e6);
		*k = kids[--nkids];
	}
	return next;
}

/*
 * The parent's only sleep: waits until fd (or nothing, fd < 0) is readable or until the
 * deadline, reaping on the way as the mode requires. 1: fd readable, 0: deadline passed,
 * -1: interrupted or failed (the caller re-checks ll_stop and loops).
 */
static int wait_for(int fd, uint64_t until, const struct options *o)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct timespec ts, *timeout = NULL;
	uint64_t wake = until, now, due;
	int n;

	if (o->reap == REAP_BLOCK) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		due = ll_now_ns() + BLOCK_REAP_POLL_MS * NSEC_PER_MSEC;
		if (due < wake)
			wake = due;
	}
	if (o->reap_delay_ms) {
		due = reap_due_children(o->reap_delay_ms);
		if (due < wake)
			wake = due;
	}
	if (wake != NO_DEADLINE) {
		now = ll_now_ns();
		wake = wake > now ? wake - now : 0;
		ts.tv_sec = wake / NSEC_PER_SEC;
		ts.tv_nsec = wake % NSEC_PER_SEC;
		timeout = &ts;
	}
	n = ppoll(&pfd, fd >= 0, timeout, ll_stop_waitmask());
	if (n > 0)
		return 1;
	if (n == 0 && until != NO_DEADLINE && ll_now_ns() >= until)
		return 0;
	return -1;
}

/* Sleeps before accept() so that connections wait, visibly, in the accept queue. */
static void accept_delay(const struct options *o)
{
	uint64_t until = ll_now_ns() + o->accept_delay_ms * NSEC_PER_MSEC;

	while (!ll_stop && wait_for(-1, until, o) != 0)
		;
}

static void __attribute__((noreturn)) echo_until_eof(int cfd, const struct options *o)
{
	char buf[16384];
	ssize_t n;

	for (;;) {
		n = read(cfd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ll_log("read: %s", strerror(errno));
		if (n <= 0)
			break;
		if (ll_write_all(cfd, buf, n) < 0) {
			ll_log("write: %s", strerror(errno));
			break;
		}
	}
	_exit(o->child_exit);
}

static int spawn_child(int lfd, int cfd, const struct options *o)
{
	pid_t pid;

	if (o->reap_delay_ms && track_child(0)) {
		ll_warn(ENOMEM, "cannot track another child, dropping the connection");
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		close(lfd);
		ll_reset_stop_signals();
		echo_until_eof(cfd, o);
	}
	if (pid < 0) {
		ll_warn(errno, "fork");
		if (o->reap_delay_ms)
			nkids--;
		return -1;
	}
	if (o->reap_delay_ms)
		kids[nkids - 1].pid = pid;
	return pid;
}

static int accept_one(int lfd, const struct options *o)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char peer[LL_ADDRSTRLEN];
	int cfd, pid;

	cfd = accept(lfd, (struct sockaddr *)&ss, &len);
	if (cfd < 0) {
		/* Another wakeup took it, or the peer gave up while queued: not our failure. */
		if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
			return 0;
		ll_warn(errno, "accept");
		return errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		       errno == ENOMEM ? 0 : -1;
	}
	pid = spawn_child(lfd, cfd, o);
	if (pid > 0 && ll_verbose) {
		ll_format_addr((struct sockaddr *)&ss, peer, sizeof(peer));
		ll_log("connection from %s handled by child %d", peer, pid);
	}
	close(cfd);
	return pid > 0;
}

static int serve(int lfd, const struct options *o)
{
	long accepts = 0;
	int n;

	while (!ll_stop) {
		if (wait_for(lfd, NO_DEADLINE, o) <= 0)
			continue;
		if (o->accept_delay_ms)
			accept_delay(o);
		if (ll_stop)
			break;
		n = accept_one(lfd, o);
		if (n < 0)
			return -1;
		accepts += n;
		if (o->exit_after && accepts >= o->exit_after) {
			ll_log("exiting after %ld accepts; children serve on as orphans", accepts);
			break;
		}
	}
	return 0;
}

static int write_pidfile(const char *path)
{
	char line[32];
	int fd, n, ret = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ll_warn(errno, "cannot write pidfile %s", path);
		return -1;
	}
	n = snprintf(line, sizeof(line), "%d\n", (int)getpid());
	if (ll_write_all(fd, line, n) < 0) {
		ll_warn(errno, "cannot write pidfile %s", path);
		ret = -1;
	}
	close(fd);
	return ret;
}

static int redirect_stdio(void)
{
	int fd, i, ret = 0;

	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return -1;
	for (i = 0; i <= STDERR_FILENO; i++)
		if (dup2(fd, i) < 0)
			ret = -1;
	if (fd > STDERR_FILENO)
		close(fd);
	return ret;
}

/*
 * Classic daemonization. The parent waits on a pipe only until the daemon is ready (pidfile
 * written, "listening on" printed with the daemon's own pid), so its exit status says whether
 * the daemon started, then exits and leaves the daemon to be adopted.
 */
static int daemonize(int lfd, const struct options *o)
{
	int ready[2], err;
	char ok = 0;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC)) {
		ll_warn(errno, "pipe");
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		ll_warn(errno, "fork");
		return -1;
	}
	if (pid > 0) {
		close(ready[1]);
		while (read(ready[0], &ok, 1) < 0 && errno == EINTR)
			;
		_exit(ok ? 0 : 1);
	}
	close(ready[0]);
	err = setsid() < 0 ? errno : 0;
	if (!err && chdir("/"))
		err = errno;
	if (err) {
		ll_warn(err, "daemonize");
		return -1;
	}
	umask(0);
	if (o->pidfile[0] && write_pidfile(o->pidfile))
		return -1;
	ll_announce(lfd);
	if (redirect_stdio()) {
		ll_warn(errno, "cannot redirect stdio to /dev/null");
		return -1;
	}
	signal(SIGHUP, SIG_IGN);
	ok = 1;
	ll_write_all(ready[1], &ok, 1);
	close(ready[1]);
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { .host = LL_DEFAULT_HOST, .port = DEFAULT_PORT };
	int lfd, ret = 1;

	ll_set_prog(argv[0]);
	parse_args(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);	/* a vanished client is a write error, not a death */
	if (ll_setup_stop_signals() || setup_sigchld(&o)) {
		ll_warn(errno, "sigaction");
		return 1;
	}
	/* Bind before daemonizing so that a busy port is reported on the caller's terminal. */
	lfd = ll_listen_socket(o.host, o.port, SOCK_STREAM, true);
	if (lfd < 0)
		return 1;
	/* listen() again on a listening socket only sets its backlog (capped by somaxconn). */
	if (o.backlog && listen(lfd, o.backlog)) {
		ll_warn(errno, "listen");
		goto out;
	}
	if (o.daemon) {
		if (daemonize(lfd, &o))
			goto out;
	} else {
		if (o.pidfile[0] && write_pidfile(o.pidfile))
			goto out;
		ll_announce(lfd);
	}
	ll_log("reap mode %s, reap delay %ld ms, accept delay %ld ms, backlog %ld",
	       reap_names[o.reap], o.reap_delay_ms, o.accept_delay_ms,
	       o.backlog ? o.backlog : LL_LISTEN_BACKLOG);
	if (serve(lfd, &o) == 0)
		ret = 0;
	if (o.pidfile[0])
		unlink(o.pidfile);
out:
	close(lfd);
	free(kids);
	return ret;
}
