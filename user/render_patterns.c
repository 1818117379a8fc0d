// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The classic patterns in the event stream: fork kinds, vfork suspensions, wait status words and
 * the listen queue (see render_patterns.h).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "format.h"
#include "render_patterns.h"

const char *pat_fork_how(unsigned int how)
{
	switch (how) {
	case LL_FORK_FORK:
		return "fork";
	case LL_FORK_VFORK:
		return "vfork";
	case LL_FORK_CLONE:
		return "clone";
	}
	return NULL;
}

void pat_json_fork(struct json_w *w, const struct ll_event *ev)
{
	const char *how = pat_fork_how(ev->fork.how);

	if (how)
		json_kv_str(w, "how", how);
	if (ev->fork.shares & LL_SHARES_VM)
		json_kv_bool(w, "shares_vm", true);
}

/* The suspension an exec or exit event carries, LL_UNKNOWN when it is not a vfork child's. */
static uint64_t vfork_wait_of(const struct ll_event *ev)
{
	if (ev->kind == EV_EXEC)
		return ev->exec.vfork_child ? ev->exec.vfork_wait_us : LL_UNKNOWN;
	if (ev->kind == EV_EXIT)
		return ev->exit.vfork_child ? ev->exit.vfork_wait_us : LL_UNKNOWN;
	return LL_UNKNOWN;
}

void pat_json_vfork_wait(struct json_w *w, const struct ll_event *ev)
{
	uint64_t us = vfork_wait_of(ev);

	if (us != LL_UNKNOWN)
		json_kv_u64(w, "vfork_wait_us", us);
}

void pat_json_accept(struct json_w *w, const struct ll_event *ev)
{
	if (!ev->accept.backlog)
		return;
	json_kv_u64(w, "backlog", ev->accept.backlog);
	json_kv_u64(w, "backlog_limit", ev->accept.backlog_limit);
}

void pat_explain_fork(char *b, size_t n, const struct ll_event *ev, const char *comm)
{
	const char *verb = pat_fork_how(ev->fork.how);
	size_t pos = 0;

	if (!verb || ev->fork.how == LL_FORK_CLONE)
		verb = ev->fork.how == LL_FORK_CLONE ? "cloned" : "forked";
	else
		verb = ev->fork.how == LL_FORK_VFORK ? "vforked" : "forked";
	if (ev->ppid)
		fmt_append(b, n, &pos, "%u (%s) %s %u", ev->ppid, comm, verb, ev->pid);
	else
		fmt_append(b, n, &pos, "%s %s %u", comm, verb, ev->pid);
	switch (ev->fork.how) {
	case LL_FORK_VFORK:
		fmt_append(b, n, &pos, ": vfork copies nothing; the child runs in its parent's "
			   "memory (a variable it changes changes the parent's) and the parent is "
			   "suspended until the child execs or exits");
		break;
	case LL_FORK_CLONE:
		fmt_append(b, n, &pos, ": a new process made by clone() that shares %s with its "
			   "parent", ev->fork.shares & LL_SHARES_VM ? "its memory (CLONE_VM)" :
			   "open files, the filesystem context or signal handlers");
		break;
	default:
		fmt_append(b, n, &pos, ": a new process that starts as a copy of its parent and "
			   "runs on its own until it execs another program or exits");
		break;
	}
}

void pat_explain_vfork_wait(char *b, size_t n, size_t *pos, const struct ll_event *ev)
{
	uint64_t us = vfork_wait_of(ev);
	char dur[FMT_DUR_LEN];

	if (us == LL_UNKNOWN)
		return;
	fmt_dur_us(dur, sizeof(dur), us);
	if (ev->kind == EV_EXEC)
		fmt_append(b, n, pos, "; %u was suspended %s until its vfork child %u exec'd %s",
			   ev->ppid, dur, ev->pid,
			   ev->exec.filename ? ev->exec.filename : "a new program");
	else
		fmt_append(b, n, pos, "; %u was suspended %s until its vfork child %u exited",
			   ev->ppid, dur, ev->pid);
}

const char *pat_wait_status(char *buf, size_t n, uint32_t status)
{
	struct fmt_status st = fmt_decode_status(status);
	char sig[FMT_NAME_LEN];

	if (st.signaled)
		snprintf(buf, n, "WIFSIGNALED, WTERMSIG %d (%s)%s", st.code,
			 fmt_signal(sig, sizeof(sig), st.code), st.core ? ", WCOREDUMP" : "");
	else
		snprintf(buf, n, "WIFEXITED, WEXITSTATUS %d", st.code);
	return buf;
}

void pat_explain_wait_status(char *b, size_t n, size_t *pos, uint32_t status, bool reaped)
{
	char word[64];

	fmt_append(b, n, pos, "; the status word %s: %s",
		   reaped ? "its reaper's wait() read" : "its reaper's wait() will read",
		   pat_wait_status(word, sizeof(word), status));
}

void pat_explain_stop(char *b, size_t n, size_t *pos, const struct ll_event *ev)
{
	char sig[FMT_NAME_LEN];
	int s = ev->sigchld.status;

	/* A SIGCONT sent before the stopped child's notice clears the stop signal it carries. */
	if (ev->sigchld.code == CLD_STOPPED && !s)
		fmt_append(b, n, pos, "; a waitpid() with WUNTRACED reports WIFSTOPPED: %u was "
			   "stopped, not reaped, and lives on (this notice carries no stop signal: a "
			   "SIGCONT cleared it first)", ev->sigchld.from_pid);
	else if (ev->sigchld.code == CLD_STOPPED)
		fmt_append(b, n, pos, "; a waitpid() with WUNTRACED reports WIFSTOPPED, WSTOPSIG "
			   "%d (%s): %u was stopped, not reaped, and lives on", s,
			   fmt_signal(sig, sizeof(sig), s), ev->sigchld.from_pid);
	else if (ev->sigchld.code == CLD_CONTINUED)
		fmt_append(b, n, pos, "; a waitpid() with WCONTINUED reports WIFCONTINUED: %u "
			   "runs again, nothing was reaped", ev->sigchld.from_pid);
}

void pat_explain_backlog(char *b, size_t n, size_t *pos, const struct ll_event *ev)
{
	const typeof(ev->accept) *a = &ev->accept;

	if (!a->backlog)
		return;
	fmt_append(b, n, pos, "; the listen queue held %u connection%s (this one included), "
		   "its limit %u", a->backlog, a->backlog == 1 ? "" : "s", a->backlog_limit);
	if (a->backlog > a->backlog_limit)
		fmt_append(b, n, pos, ": it was full, and while it is the kernel drops new "
			   "handshakes (ListenOverflows) and clients retry their SYN after 1 s, "
			   "then 2 s more");
}

void pat_text_fork(FILE *f, const struct ll_event *ev)
{
	const char *how = pat_fork_how(ev->fork.how);

	if (how && ev->fork.how != LL_FORK_FORK)
		fprintf(f, ", %s", how);
	if (ev->fork.shares & LL_SHARES_VM)
		fputs(", shares memory", f);
}

void pat_text_vfork_wait(FILE *f, const struct ll_event *ev)
{
	uint64_t us = vfork_wait_of(ev);
	char dur[FMT_DUR_LEN];

	if (us != LL_UNKNOWN)
		fprintf(f, " (parent suspended %s)", fmt_dur_us(dur, sizeof(dur), us));
}

void pat_text_backlog(FILE *f, const struct ll_event *ev)
{
	if (ev->accept.fd >= 0 && ev->accept.backlog)
		fprintf(f, ", backlog %u/%u", ev->accept.backlog, ev->accept.backlog_limit);
}
