// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * --explain: one plain sentence per streamed event, saying what the kernel just did and what it
 * means for the program. The stream's text and JSON printers (render_stream.c) call
 * render_explain(); the clauses of the classic patterns and of failed forks come from
 * render_patterns.c and render_containers.c, next to those features' fields.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include "explain.h"
#include "format.h"
#include "render_loops.h"
#include "render_patterns.h"
#include "render_containers.h"
#include "util.h"

static const char *explain_parent(char *buf, size_t n, uint32_t ppid)
{
	if (ppid)
		snprintf(buf, n, "its parent %u", ppid);
	else
		snprintf(buf, n, "its parent");
	return buf;
}

static void explain_exec(char *b, size_t n, const struct ll_event *ev, const char *comm)
{
	size_t pos = 0;

	fmt_append(b, n, &pos, "%u now runs %s: exec replaced its program but kept its pid, its "
		   "parent and its open files (except close-on-exec ones); its command name is "
		   "now %s", ev->pid, ev->exec.filename ? ev->exec.filename : "a new program",
		   comm);
	if (ev->exec.truncated)
		fmt_append(b, n, &pos, " (its argument list was too long to copy in full)");
	pat_explain_vfork_wait(b, n, &pos, ev);
}

static void explain_exit_how(char *b, size_t n, size_t *pos, const struct ll_event *ev,
			     const char *comm)
{
	struct fmt_status st = fmt_decode_status(ev->exit.status);
	char sig[FMT_NAME_LEN], dur[FMT_DUR_LEN];

	if (st.signaled)
		fmt_append(b, n, pos, "%u (%s) was killed by %s%s", ev->pid, comm,
			   fmt_signal(sig, sizeof(sig), st.code),
			   st.core ? " and dumped core" : "");
	else
		fmt_append(b, n, pos, "%u (%s) exited with code %d", ev->pid, comm, st.code);
	if (ev->exit.age_us != LL_UNKNOWN)
		fmt_append(b, n, pos, " after %s", fmt_dur_us(dur, sizeof(dur), ev->exit.age_us));
}

static void explain_exit(char *b, size_t n, const struct ll_event *ev, const char *comm)
{
	char parent[FMT_NAME_LEN + 16];
	size_t pos = 0;

	explain_exit_how(b, n, &pos, ev, comm);
	explain_parent(parent, sizeof(parent), ev->ppid);
	if (ev->exit.zombie)
		fmt_append(b, n, &pos, "; it stays a zombie until %s calls wait()", parent);
	else
		fmt_append(b, n, &pos, "; %s ignores SIGCHLD (SIG_IGN or SA_NOCLDWAIT), so the "
			   "kernel reaps it at once and it never becomes a zombie", parent);
	pat_explain_wait_status(b, n, &pos, ev->exit.status, false);
	pat_explain_vfork_wait(b, n, &pos, ev);
	if (ev->exit.orphaned == 1)
		fmt_append(b, n, &pos, "; its living child is now an orphan that a subreaper or "
			   "init adopts");
	else if (ev->exit.orphaned > 1)
		fmt_append(b, n, &pos, "; its %u living children are now orphans that a subreaper "
			   "or init adopts", ev->exit.orphaned);
}

static void explain_reap(char *b, size_t n, const struct ll_event *ev, const char *comm)
{
	char reaper[LL_COMM_LEN], dur[FMT_DUR_LEN];
	const char *who = ev->reap.orphan ? "its adopter" : "its parent";
	const char *how = ev->reap.how == HOW_WAITID ? "waitid()" : "wait4()";
	size_t pos = 0;

	comm_copy(reaper, ev->reap.reaper_comm);
	fmt_dur_us(dur, sizeof(dur), ev->reap.zombie_us);
	switch (ev->reap.how) {
	case HOW_AUTOREAP:
		fmt_append(b, n, &pos, "%u (%s) was reaped by the kernel as it exited: its parent "
			   "ignores SIGCHLD (or set SA_NOCLDWAIT), so no wait() was needed and it "
			   "never lingered as a zombie", ev->pid, comm);
		return;
	case HOW_FREE:
		fmt_append(b, n, &pos, "%u (%s) was reaped, most likely by init or the "
			   "subreaper that adopted it; lifeline saw it only when the kernel freed it, "
			   "not the wait() itself; it was a zombie for %s", ev->pid, comm, dur);
		return;
	default:
		break;
	}
	if (ev->reap.zombie_us != LL_UNKNOWN)
		fmt_append(b, n, &pos, "%u (%s) was a zombie for %s: %s %u (%s) collected the exit "
			   "status with %s and the kernel freed its pid", ev->pid, comm, dur, who,
			   ev->reap.reaper_pid, reaper, how);
	else
		fmt_append(b, n, &pos, "%u (%s) was reaped: %s %u (%s) collected the exit status "
			   "with %s (its exit was not seen, so how long it was a zombie is "
			   "unknown)", ev->pid, comm, who, ev->reap.reaper_pid, reaper, how);
	if (ev->reap.status_known)
		pat_explain_wait_status(b, n, &pos, ev->reap.status, true);
}

static void explain_orphan(char *b, size_t n, const struct ll_event *ev, const char *comm)
{
	char old[LL_COMM_LEN];
	size_t pos = 0;

	comm_copy(old, ev->orphan.old_parent_comm);
	fmt_append(b, n, &pos, "%u (%s) lost its parent %u (%s), which exited first, so the "
		   "kernel re-parented it", ev->pid, comm, ev->orphan.old_ppid, old);
	if (ev->orphan.adopter_pid == 1)
		fmt_append(b, n, &pos, " to init (1), which must now reap it when it exits");
	else if (ev->orphan.adopter_pid)
		fmt_append(b, n, &pos, " to %u, the nearest child subreaper "
			   "(PR_SET_CHILD_SUBREAPER) or its namespace's init, which must now reap "
			   "it when it exits", ev->orphan.adopter_pid);
	else
		fmt_append(b, n, &pos, " to the nearest child subreaper or its namespace's init "
			   "(not known yet), which must reap it when it exits");
}

static const char *explain_cld(int code)
{
	switch (code) {
	case CLD_EXITED:
		return "exited";
	case CLD_KILLED:
		return "was killed";
	case CLD_DUMPED:
		return "was killed and dumped core";
	case CLD_TRAPPED:
		return "was trapped";
	case CLD_STOPPED:
		return "stopped";
	case CLD_CONTINUED:
		return "continued";
	}
	return "changed state";
}

static void explain_sigchld(char *b, size_t n, const struct ll_event *ev, const char *comm)
{
	char from[LL_COMM_LEN];
	size_t pos = 0;

	comm_copy(from, ev->sigchld.from_comm);
	switch (ev->sigchld.result) {
	case LL_SIG_DELIVERED:
		fmt_append(b, n, &pos, "The kernel sent SIGCHLD to %u (%s) because %u (%s) %s: "
			   "its handler, if it has one, runs next, and wait() can now collect "
			   "the child", ev->pid, comm, ev->sigchld.from_pid, from,
			   explain_cld(ev->sigchld.code));
		break;
	case LL_SIG_IGNORED:
		fmt_append(b, n, &pos, "SIGCHLD to %u (%s) was dropped because it ignores the "
			   "signal: at the default (SIG_DFL) %u, which %s, stays a zombie until "
			   "wait(), while an explicit SIG_IGN makes the kernel reap it at once",
			   ev->pid, comm, ev->sigchld.from_pid, explain_cld(ev->sigchld.code));
		break;
	case LL_SIG_ALREADY_PENDING:
		fmt_append(b, n, &pos, "SIGCHLD was already pending for %u (%s), so this one "
			   "(from %u) merged into it: a handler that reaps one child per signal "
			   "will leave a zombie; reap in a loop with waitpid(-1, ..., WNOHANG)",
			   ev->pid, comm, ev->sigchld.from_pid);
		break;
	default:
		fmt_append(b, n, &pos, "SIGCHLD to %u (%s) from %u was not queued (kernel "
			   "result %d)", ev->pid, comm, ev->sigchld.from_pid, ev->sigchld.result);
		break;
	}
	pat_explain_stop(b, n, &pos, ev);
}

static void explain_accept_error(char *b, size_t n, const struct ll_event *ev, const char *comm)
{
	int err = -ev->accept.fd;
	char name[FMT_NAME_LEN];
	size_t pos = 0;

	fmt_append(b, n, &pos, "accept() by %u (%s) on fd %d failed with %s", ev->pid, comm,
		   ev->accept.listen_fd, fmt_errno(name, sizeof(name), err));
	if (err == EAGAIN)
		fmt_append(b, n, &pos, ": the accept queue was empty, because the socket is "
			   "non-blocking and nothing was waiting, or another thread took the "
			   "connection");
	else if (err == EMFILE || err == ENFILE)
		fmt_append(b, n, &pos, ": it is out of file descriptors, so connections pile up "
			   "in the accept queue until it closes some (or raises RLIMIT_NOFILE)");
	else if (err == EINTR)
		fmt_append(b, n, &pos, ": a signal interrupted the wait for a connection");
	else if (err == ECONNABORTED)
		fmt_append(b, n, &pos, ": the peer reset the connection while it sat in the queue");
}

static void explain_accept(char *b, size_t n, const struct ll_event *ev, const char *comm)
{
	char raddr[FMT_ADDR_LEN], laddr[FMT_ADDR_LEN], dur[FMT_DUR_LEN];
	const typeof(ev->accept) *a = &ev->accept;
	size_t pos = 0;

	if (a->fd < 0) {
		explain_accept_error(b, n, ev, comm);
		return;
	}
	if (a->family != AF_INET && a->family != AF_INET6) {
		fmt_append(b, n, &pos, "%u (%s) accepted a connection as fd %d on a socket that is "
			   "not TCP/IP", ev->pid, comm, a->fd);
		return;
	}
	fmt_append(b, n, &pos, "%u (%s) accepted a connection from %s on %s as fd %d", ev->pid,
		   comm, fmt_addr(raddr, sizeof(raddr), a->family, a->raddr, a->rport),
		   fmt_addr(laddr, sizeof(laddr), a->family, a->laddr, a->lport), a->fd);
	if (a->queue_us == LL_UNKNOWN) {
		fmt_append(b, n, &pos, "; its handshake was not seen, so how long it waited in the "
			   "accept queue is unknown");
		return;
	}
	fmt_append(b, n, &pos, "; it had waited %s in the accept queue since its TCP handshake "
		   "completed", fmt_dur_us(dur, sizeof(dur), a->queue_us));
	if (a->queue_us >= 10000)
		fmt_append(b, n, &pos, ", a sign that the server calls accept() slower than "
			   "connections arrive");
	pat_explain_backlog(b, n, &pos, ev);
}

static void explain_thread(char *b, size_t n, size_t *pos, const struct ll_event *ev,
			   const char *comm)
{
	if (ev->tid && ev->tid != ev->pid)
		fmt_append(b, n, pos, "%s %u of %u (%s)", *pos ? "thread" : "Thread", ev->tid,
			   ev->pid, comm);
	else
		fmt_append(b, n, pos, "%u (%s)", ev->pid, comm);
}

static void explain_stall(const struct ll_render_opts *o, char *b, size_t n,
			  const struct ll_event *ev, const char *comm)
{
	char dur[FMT_DUR_LEN];
	size_t pos = 0;

	explain_thread(b, n, &pos, ev, comm);
	fmt_append(b, n, &pos, " was busy for %s between two %s calls",
		   fmt_dur_us(dur, sizeof(dur), ev->stall.busy_us),
		   ll_loop_wait_call(ev->stall.wait));
	if (o->stall_ms)
		fmt_append(b, n, &pos, ", more than the %" PRIu64 " ms stall threshold",
			   o->stall_ms);
	fmt_append(b, n, &pos, ": every other connection on this event loop waited up to that "
		   "long to be served");
}

static void explain_wakeup(char *b, size_t n, const struct ll_event *ev, const char *comm)
{
	char dur[FMT_DUR_LEN], err[FMT_NAME_LEN];
	int events = ev->wakeup.events;
	size_t pos = 0;

	fmt_dur_us(dur, sizeof(dur), ev->wakeup.blocked_us);
	if (events > 0) {
		fmt_append(b, n, &pos, "epoll_wait returned %d ready event%s to ", events,
			   events == 1 ? "" : "s");
		explain_thread(b, n, &pos, ev, comm);
		fmt_append(b, n, &pos, " after %s blocked; the loop handles %s before it waits "
			   "again", dur, events == 1 ? "it" : "them");
	} else if (events == 0) {
		fmt_append(b, n, &pos, "epoll_wait in ");
		explain_thread(b, n, &pos, ev, comm);
		fmt_append(b, n, &pos, " timed out after %s with nothing ready", dur);
	} else {
		fmt_append(b, n, &pos, "epoll_wait in ");
		explain_thread(b, n, &pos, ev, comm);
		fmt_append(b, n, &pos, " failed with %s after %s%s",
			   fmt_errno(err, sizeof(err), -events), dur,
			   -events == EINTR ? ": a signal interrupted the wait" : "");
	}
}

const char *render_explain(const struct ll_render_opts *o, const struct ll_event *ev, char *buf,
			   size_t n)
{
	char comm[LL_COMM_LEN];
	size_t pos;

	if (!n)
		return buf;
	buf[0] = '\0';
	comm_copy(comm, ev->comm);
	switch (ev->kind) {
	case EV_FORK:
		pat_explain_fork(buf, n, ev, comm);
		break;
	case EV_EXEC:
		explain_exec(buf, n, ev, comm);
		break;
	case EV_EXIT:
		explain_exit(buf, n, ev, comm);
		break;
	case EV_REAP:
		explain_reap(buf, n, ev, comm);
		break;
	case EV_ORPHAN:
		explain_orphan(buf, n, ev, comm);
		break;
	case EV_SIGCHLD:
		explain_sigchld(buf, n, ev, comm);
		break;
	case EV_ACCEPT:
		explain_accept(buf, n, ev, comm);
		break;
	case EV_STALL:
		explain_stall(o, buf, n, ev, comm);
		break;
	case EV_WAKEUP:
		explain_wakeup(buf, n, ev, comm);
		break;
	case EV_FORK_FAILED:
		render_fork_failed_explain(buf, n, ev, comm);
		break;
	default:
		break;
	}
	/* One sentence: it ends with a full stop. */
	pos = strlen(buf);
	if (pos && pos + 1 < n && buf[pos - 1] != '.')
		fmt_append(buf, n, &pos, ".");
	return buf;
}
