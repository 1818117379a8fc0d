// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Streamed events (--events): one text line or one JSON object per event. The --explain
 * sentence that may follow or go with it is written by explain.c.
 */
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include "format.h"
#include "json.h"
#include "render.h"
#include "render_patterns.h"
#include "render_containers.h"
#include "render_loops.h"
#include "explain.h"
#include "util.h"

/* ---- helpers --------------------------------------------------------------------------------- */

/* A comm the state did not know ("?", or empty) is left out, never written as a name. */
static void json_comm(struct json_w *w, const char *key, const char *comm)
{
	if (comm[0] && strcmp(comm, "?"))
		json_kv_strn(w, key, comm, comm_len(comm));
}

static void json_other_comm(struct json_w *w, const char *key, const char *comm)
{
	json_comm(w, key, comm);
}

/* Unknown numbers are left out, never written as 0. */
static void json_known_u64(struct json_w *w, const char *key, uint64_t v)
{
	if (v != LL_UNKNOWN)
		json_kv_u64(w, key, v);
}

static void json_pid(struct json_w *w, const char *key, uint32_t pid)
{
	if (pid)
		json_kv_u64(w, key, pid);
}

static void json_argv(struct json_w *w, const char *args, size_t len)
{
	size_t off = 0;

	json_key(w, "argv");
	json_arr_begin(w);
	while (args && off < len) {
		const char *arg = args + off;
		const char *nul = memchr(arg, '\0', len - off);
		size_t n = nul ? (size_t)(nul - arg) : len - off;

		json_strn(w, arg, n);
		off += n + 1;
	}
	json_arr_end(w);
}

static void text_comm(FILE *f, const char *comm)
{
	fmt_text(f, comm, comm_len(comm));
}

static void text_thread(FILE *f, const struct ll_event *ev)
{
	if (ev->tid && ev->tid != ev->pid)
		fprintf(f, "tid %u, ", ev->tid);
}

/* ---- each kind: its JSON fields and its text details, side by side --------------------------- */

/* fork */
static void json_fork(struct json_w *w, const struct ll_event *ev)
{
	json_pid(w, "ppid", ev->ppid);
	json_comm(w, "comm", ev->comm);
	pat_json_fork(w, ev);
}

static void text_fork(FILE *f, const struct ll_event *ev)
{
	char pid[FMT_NUM_LEN];

	fprintf(f, "parent %s", fmt_pid(pid, sizeof(pid), ev->ppid));
	pat_text_fork(f, ev);
}

/* exec */
static void json_exec(struct json_w *w, const struct ll_event *ev)
{
	json_pid(w, "ppid", ev->ppid);
	json_comm(w, "comm", ev->comm);
	if (ev->exec.filename)
		json_kv_str(w, "filename", ev->exec.filename);
	json_argv(w, ev->exec.args, ev->exec.args_len);
	json_kv_bool(w, "argv_truncated", ev->exec.truncated);
	pat_json_vfork_wait(w, ev);
}

static void text_exec(FILE *f, const struct ll_event *ev)
{
	if (ev->exec.filename)
		fmt_text(f, ev->exec.filename, strlen(ev->exec.filename));
	else
		fputc('?', f);
	if (ev->exec.args_len || ev->exec.truncated) {
		fputs(": ", f);
		fmt_argv(f, ev->exec.args, ev->exec.args ? ev->exec.args_len : 0,
			 ev->exec.truncated);
	}
	pat_text_vfork_wait(f, ev);
}

/* exit */
static void json_exit_status(struct json_w *w, const struct ll_event *ev)
{
	struct fmt_status st = fmt_decode_status(ev->exit.status);
	char sig[FMT_NAME_LEN];

	if (st.signaled) {
		json_kv_i64(w, "signal", st.code);
		json_kv_str(w, "signal_name", fmt_signal(sig, sizeof(sig), st.code));
		json_kv_bool(w, "core_dumped", st.core);
	} else {
		json_kv_i64(w, "exit_code", st.code);
	}
	json_known_u64(w, "age_us", ev->exit.age_us);
	json_kv_bool(w, "zombie", ev->exit.zombie);
	json_kv_u64(w, "orphaned", ev->exit.orphaned);
}

static void json_exit(struct json_w *w, const struct ll_event *ev)
{
	json_pid(w, "ppid", ev->ppid);
	json_comm(w, "comm", ev->comm);
	json_exit_status(w, ev);
	pat_json_vfork_wait(w, ev);
}

static void text_exit(FILE *f, const struct ll_event *ev)
{
	struct fmt_status st = fmt_decode_status(ev->exit.status);
	char sig[FMT_NAME_LEN], dur[FMT_DUR_LEN], pid[FMT_NUM_LEN];

	if (st.signaled)
		fprintf(f, "%s%s", fmt_signal(sig, sizeof(sig), st.code),
			st.core ? " (core dumped)" : "");
	else
		fprintf(f, "code %d", st.code);
	fprintf(f, ", age %s, parent %s, %s", fmt_dur_us(dur, sizeof(dur), ev->exit.age_us),
		fmt_pid(pid, sizeof(pid), ev->ppid), ev->exit.zombie ? "zombie" : "auto-reaped");
	if (ev->exit.orphaned)
		fprintf(f, ", orphaned %u", ev->exit.orphaned);
	pat_text_vfork_wait(f, ev);
}

/* reap */
static void json_reap(struct json_w *w, const struct ll_event *ev)
{
	json_comm(w, "comm", ev->comm);
	json_pid(w, "reaper_pid", ev->reap.reaper_pid);
	json_other_comm(w, "reaper_comm", ev->reap.reaper_comm);
	if (ev->reap.how != HOW_AUTOREAP)	/* never a zombie: no zombie time */
		json_known_u64(w, "zombie_us", ev->reap.zombie_us);
	json_kv_str(w, "how", fmt_how(ev->reap.how));
	json_kv_bool(w, "orphan", ev->reap.orphan);
}

static void text_reap(FILE *f, const struct ll_event *ev)
{
	char dur[FMT_DUR_LEN], pid[FMT_NUM_LEN];

	fprintf(f, "%s, zombie %s", fmt_how(ev->reap.how),
		fmt_dur_us(dur, sizeof(dur), ev->reap.zombie_us));
	if (ev->reap.how == HOW_AUTOREAP)
		return;
	fprintf(f, ", by %s%s (", ev->reap.orphan ? "adopter " : "",
		fmt_pid(pid, sizeof(pid), ev->reap.reaper_pid));
	text_comm(f, ev->reap.reaper_comm);
	fputc(')', f);
}

/* orphan */
static void json_orphan(struct json_w *w, const struct ll_event *ev)
{
	json_comm(w, "comm", ev->comm);
	json_pid(w, "old_ppid", ev->orphan.old_ppid);
	json_other_comm(w, "old_parent_comm", ev->orphan.old_parent_comm);
	/* The contract keeps this one with 0 for "not yet known". */
	json_kv_u64(w, "adopter_pid", ev->orphan.adopter_pid);
}

static void text_orphan(FILE *f, const struct ll_event *ev)
{
	char old[FMT_NUM_LEN], adopter[FMT_NUM_LEN];

	fprintf(f, "parent %s (", fmt_pid(old, sizeof(old), ev->orphan.old_ppid));
	text_comm(f, ev->orphan.old_parent_comm);
	fprintf(f, ") died, adopter %s", fmt_pid(adopter, sizeof(adopter), ev->orphan.adopter_pid));
}

/* sigchld */
static void json_sigchld(struct json_w *w, const struct ll_event *ev)
{
	json_comm(w, "comm", ev->comm);
	json_pid(w, "from_pid", ev->sigchld.from_pid);
	json_other_comm(w, "from_comm", ev->sigchld.from_comm);
	json_kv_str(w, "result", fmt_sig_result(ev->sigchld.result));
	if (fmt_cld_code(ev->sigchld.code))
		json_kv_str(w, "code", fmt_cld_code(ev->sigchld.code));
}

static void text_sigchld(FILE *f, const struct ll_event *ev)
{
	const char *code = fmt_cld_code(ev->sigchld.code);
	char pid[FMT_NUM_LEN];

	fprintf(f, "from %s (", fmt_pid(pid, sizeof(pid), ev->sigchld.from_pid));
	text_comm(f, ev->sigchld.from_comm);
	fprintf(f, ")%s%s, %s", code ? " " : "", code ? code : "",
		fmt_sig_result(ev->sigchld.result));
	if (ev->sigchld.result < 0 || ev->sigchld.result > LL_SIG_ALREADY_PENDING)
		fprintf(f, " (%d)", ev->sigchld.result);
}

/* accept */
static void json_accept_fields(struct json_w *w, const struct ll_event *ev)
{
	const typeof(ev->accept) *a = &ev->accept;
	char ip[FMT_ADDR_LEN], err[FMT_NAME_LEN];

	json_kv_i64(w, "fd", a->fd);
	json_kv_i64(w, "listen_fd", a->listen_fd);
	if (a->fd < 0) {
		json_kv_str(w, "error", fmt_errno(err, sizeof(err), -a->fd));
		return;
	}
	if (a->family == AF_INET || a->family == AF_INET6) {
		json_kv_str(w, "laddr", fmt_ip(ip, sizeof(ip), a->family, a->laddr));
		json_kv_u64(w, "lport", a->lport);
		json_kv_str(w, "raddr", fmt_ip(ip, sizeof(ip), a->family, a->raddr));
		json_kv_u64(w, "rport", a->rport);
	}
	json_known_u64(w, "queue_us", a->queue_us);
	pat_json_accept(w, ev);
}

static void json_accept(struct json_w *w, const struct ll_event *ev)
{
	json_pid(w, "tid", ev->tid);
	json_comm(w, "comm", ev->comm);
	json_accept_fields(w, ev);
}

static void text_accept(FILE *f, const struct ll_event *ev)
{
	const typeof(ev->accept) *a = &ev->accept;
	char l[FMT_ADDR_LEN], r[FMT_ADDR_LEN], dur[FMT_DUR_LEN], err[FMT_NAME_LEN];

	text_thread(f, ev);
	if (a->fd < 0) {
		fprintf(f, "failed %s, listen fd %d", fmt_errno(err, sizeof(err), -a->fd),
			a->listen_fd);
		return;
	}
	fprintf(f, "fd %d, %s ← %s, queue %s", a->fd,
		fmt_addr(l, sizeof(l), a->family, a->laddr, a->lport),
		fmt_addr(r, sizeof(r), a->family, a->raddr, a->rport),
		a->queue_us == LL_UNKNOWN ? "-" : fmt_dur_us(dur, sizeof(dur), a->queue_us));
	pat_text_backlog(f, ev);
}

/* stall */
static void json_stall(struct json_w *w, const struct ll_event *ev)
{
	json_pid(w, "tid", ev->tid);
	json_comm(w, "comm", ev->comm);
	json_known_u64(w, "busy_us", ev->stall.busy_us);
	if (ev->stall.start_ns && ev->stall.start_ns != LL_UNKNOWN)
		json_kv_u64(w, "start_ns", ev->stall.start_ns);
	json_stall_parts(w, ev);
}

static void text_stall(FILE *f, const struct ll_event *ev)
{
	char dur[FMT_DUR_LEN];

	text_thread(f, ev);
	fprintf(f, "busy %s", fmt_dur_us(dur, sizeof(dur), ev->stall.busy_us));
	text_stall_parts(f, ev);
}

/* wakeup */
static void json_wakeup(struct json_w *w, const struct ll_event *ev)
{
	json_pid(w, "tid", ev->tid);
	json_comm(w, "comm", ev->comm);
	json_kv_i64(w, "events", ev->wakeup.events);
	json_known_u64(w, "blocked_us", ev->wakeup.blocked_us);
	json_known_u64(w, "busy_us", ev->wakeup.busy_us);
}

static void text_wakeup(FILE *f, const struct ll_event *ev)
{
	char blocked[FMT_DUR_LEN], busy[FMT_DUR_LEN], err[FMT_NAME_LEN];
	int events = ev->wakeup.events;

	text_thread(f, ev);
	if (events < 0)
		fprintf(f, "error %s", fmt_errno(err, sizeof(err), -events));
	else if (events == 0)
		fprintf(f, "timeout");
	else
		fprintf(f, "%d event%s", events, events == 1 ? "" : "s");
	fprintf(f, ", blocked %s, busy before %s",
		fmt_dur_us(blocked, sizeof(blocked), ev->wakeup.blocked_us),
		fmt_dur_us(busy, sizeof(busy), ev->wakeup.busy_us));
}

/*
 * Every kind of event: its "type" in the contract, its JSON fields after "pid" and its text
 * DETAILS column. A new kind is a row here, its two printers and its --explain sentence.
 */
static const struct ev_printer {
	const char *name;
	void (*json)(struct json_w *w, const struct ll_event *ev);
	void (*text)(FILE *f, const struct ll_event *ev);
} ev_printers[EV_KIND_MAX] = {
	[EV_FORK] = { "fork", json_fork, text_fork },
	[EV_EXEC] = { "exec", json_exec, text_exec },
	[EV_EXIT] = { "exit", json_exit, text_exit },
	[EV_REAP] = { "reap", json_reap, text_reap },
	[EV_ORPHAN] = { "orphan", json_orphan, text_orphan },
	[EV_SIGCHLD] = { "sigchld", json_sigchld, text_sigchld },
	[EV_ACCEPT] = { "accept", json_accept, text_accept },
	[EV_STALL] = { "stall", json_stall, text_stall },
	[EV_WAKEUP] = { "wakeup", json_wakeup, text_wakeup },
	[EV_FORK_FAILED] = { "fork_failed", render_fork_failed_json, render_fork_failed_text },
};

/* The printers of kind, or NULL when it is out of range or has none. */
static const struct ev_printer *printer_of(enum ll_ev_kind kind)
{
	if ((unsigned int)kind >= EV_KIND_MAX || !ev_printers[kind].name)
		return NULL;
	return &ev_printers[kind];
}

const char *render_event_name(enum ll_ev_kind kind)
{
	const struct ev_printer *p = printer_of(kind);

	return p ? p->name : "?";
}

/* ---- an event -------------------------------------------------------------------------------- */

static void event_json(const struct ll_render_opts *o, const struct ll_event *ev)
{
	const struct ev_printer *p = printer_of(ev->kind);
	char explain[EXPLAIN_LEN];
	struct json_w w;

	json_init(&w, o->out);
	json_obj_begin(&w);
	json_kv_str(&w, "type", render_event_name(ev->kind));
	json_kv_u64(&w, "ts_ns", ev->ts_ns);
	if (o->timestamp)
		json_kv_str(&w, "time", render_wall_rfc3339(o, ev->ts_ns, explain, sizeof(explain)));
	json_pid(&w, "pid", ev->pid);
	json_pid(&w, "ns_pid", ev->ns_pid);	/* only in a PID namespace below the host's */
	if (p)
		p->json(&w, ev);
	if (ev->cgroup)
		json_kv_str(&w, "cgroup", ev->cgroup);
	if (o->explain)
		json_kv_str(&w, "explain", render_explain(o, ev, explain, sizeof(explain)));
	json_obj_end(&w);
	json_newline(&w);
}

static double event_rel_s(const struct ll_render_opts *o, uint64_t ts_ns)
{
	if (ts_ns >= o->start_ns)
		return (double)(ts_ns - o->start_ns) / 1e9;
	return -(double)(o->start_ns - ts_ns) / 1e9;
}

static void event_text(const struct ll_render_opts *o, const struct ll_event *ev)
{
	const struct ev_printer *p = printer_of(ev->kind);
	char comm[LL_COMM_LEN], pid[FMT_NUM_LEN], explain[EXPLAIN_LEN], wall[32];
	bool folded = false;
	FILE *f = o->out;

	if (o->explain) {
		render_explain(o, ev, explain, sizeof(explain));
		folded = fold_take(o->fold, f, ev->kind, explain);
	}
	if (o->timestamp)
		fprintf(f, "%s ", render_wall_hms(o, ev->ts_ns, wall, sizeof(wall)));
	fprintf(f, "%8.3f %-7s %-7s %-15s ", event_rel_s(o, ev->ts_ns), render_event_name(ev->kind),
		fmt_pid(pid, sizeof(pid), ev->pid), fmt_comm(comm, ev->comm));
	if (p)
		p->text(f, ev);
	fputc('\n', f);
	if (o->explain && !folded) {
		fputs("         # ", f);
		fmt_text(f, explain, strlen(explain));
		fputc('\n', f);
	}
}

void render_event(const struct ll_render_opts *o, const struct ll_event *ev)
{
	if (o->json)
		event_json(o, ev);
	else
		event_text(o, ev);
	/* Line-oriented output goes to pipes and scripts: each line must leave at once. */
	fflush(o->out);
}

void render_event_header(const struct ll_render_opts *o)
{
	if (o->json)
		return;
	if (o->timestamp)
		fprintf(o->out, "%-12s ", "TIME");
	fprintf(o->out, "%8s %-7s %-7s %-15s %s\n", "TIME(s)", "EVENT", "PID", "COMM", "DETAILS");
	fflush(o->out);
}
