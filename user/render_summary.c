// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Summaries: the contract's JSON "summary" object on one line, or a text report that ends, in the
 * final one, with log2 histograms in the style of libbpf-tools.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include "findings.h"
#include "format.h"
#include "json.h"
#include "render.h"
#include "render_containers.h"
#include "render_loops.h"

#define LINE_LEN	512
#define MAX_HISTS	8	/* histograms per section in the final report: the top rows only */
#define SHORT_ROWS	5	/* rows per table in the short final summary (without --full) */

static size_t summary_findings(const struct ll_render_opts *o, const struct ll_snapshot *s,
			       struct ll_finding *f)
{
	struct ll_findings_ctx c = { .stall_ms = o->stall_ms, .ringbuf_kb = o->ringbuf_kb };

	return findings_compute(s, &c, f, LL_FINDINGS_MAX);
}

/* ---- JSON ----------------------------------------------------------------------------------- */

static void json_pct(struct json_w *w, const char *key, const struct ll_hist *h)
{
	struct ll_pct p = { 0 };

	if (h)
		p = hist_pct(h);
	json_key(w, key);
	if (!p.valid) {
		json_null(w);
		return;
	}
	json_obj_begin(w);
	json_kv_u64(w, "p50", p.p50);
	json_kv_u64(w, "p99", p.p99);
	json_kv_u64(w, "max", p.max);
	json_kv_u64(w, "count", h->count);
	json_obj_end(w);
}

/* A comm the state did not know ("?", or empty) is left out. */
static void json_comm(struct json_w *w, const char *key, const char *comm)
{
	if (comm[0] && strcmp(comm, "?"))
		json_kv_strn(w, key, comm, strnlen(comm, LL_COMM_LEN));
}

static void json_processes(struct json_w *w, const struct ll_proc_totals *p)
{
	json_key(w, "processes");
	json_obj_begin(w);
	json_kv_u64(w, "forks", p->forks);
	json_kv_u64(w, "execs", p->execs);
	json_kv_u64(w, "exits", p->exits);
	json_kv_u64(w, "zombies_now", p->zombies_now);
	json_kv_u64(w, "orphans_now", p->orphans_now);
	json_kv_u64(w, "reaps", p->reaps);
	json_kv_u64(w, "autoreaped", p->autoreaped);
	json_kv_u64(w, "processes_now", p->processes_now);
	json_kv_u64(w, "incomplete", p->incomplete);
	/* With nothing lost, why some are incomplete: /proc showed them reaped unseen. */
	if (p->unseen)
		json_kv_u64(w, "incomplete_unseen", p->unseen);
	json_kv_u64(w, "evicted", p->evicted);
	json_kv_u64(w, "fork_failures", p->fork_failures);
	json_obj_end(w);
}

static void json_zombies(struct json_w *w, const struct ll_snapshot *s)
{
	size_t i;

	json_key(w, "zombies");
	json_arr_begin(w);
	for (i = 0; i < s->nzombies; i++) {
		const struct ll_zombie_view *z = &s->zombies[i];

		json_obj_begin(w);
		json_kv_u64(w, "parent_pid", z->parent_pid);
		json_comm(w, "parent_comm", z->parent_comm);
		json_kv_u64(w, "reaped", z->reaped);
		json_kv_u64(w, "now", z->now);
		json_kv_u64(w, "autoreaped", z->autoreaped);
		if (z->parent_ns_pid)
			json_kv_u64(w, "parent_ns_pid", z->parent_ns_pid);
		/* Unknown is left out: no zombie now, or one that predates lifeline (then the
		 * lower bound is given). */
		if (z->now && z->oldest_now_us != LL_UNKNOWN)
			json_kv_u64(w, "oldest_now_us", z->oldest_now_us);
		else if (z->now)
			json_kv_u64(w, "oldest_now_min_us", z->oldest_now_min_us);
		json_pct(w, "lifetime_us", z->lifetime);
		json_kv_u64(w, "coalesced_sigchld", z->coalesced_sigchld);
		json_kv_str(w, "cause", ll_cause_name(z->cause));
		json_kv_str(w, "cause_text", ll_cause_text(z->cause));
		json_kv_u64(w, "vforks", z->vforks);
		if (z->cgroup)
			json_kv_str(w, "cgroup", z->cgroup);
		if (fmt_cause_advice(z->cause))
			json_kv_str(w, "advice", fmt_cause_advice(z->cause));
		json_obj_end(w);
	}
	json_arr_end(w);
}

static void json_orphans(struct json_w *w, const struct ll_snapshot *s)
{
	size_t i;

	json_key(w, "orphans");
	json_arr_begin(w);
	for (i = 0; i < s->norphans; i++) {
		const struct ll_orphan_view *o = &s->orphans[i];

		json_obj_begin(w);
		json_kv_u64(w, "adopter_pid", o->adopter_pid);
		if (o->adopter_ns_pid)
			json_kv_u64(w, "adopter_ns_pid", o->adopter_ns_pid);
		json_comm(w, "adopter_comm", o->adopter_comm);
		json_kv_u64(w, "adopted", o->adopted);
		json_kv_u64(w, "alive", o->alive);
		json_kv_u64(w, "exited", o->exited);
		json_pct(w, "lifetime_us", o->lifetime);
		json_pct(w, "reap_us", o->reap);
		if (o->cgroup)
			json_kv_str(w, "cgroup", o->cgroup);
		json_obj_end(w);
	}
	json_arr_end(w);
}

static void json_listeners(struct json_w *w, const struct ll_snapshot *s)
{
	size_t i;

	json_key(w, "listeners");
	json_arr_begin(w);
	for (i = 0; i < s->nlisteners; i++) {
		const struct ll_listener_view *l = &s->listeners[i];

		json_obj_begin(w);
		json_kv_u64(w, "pid", l->pid);
		json_comm(w, "comm", l->comm);
		if (l->port)	/* 0: not a TCP/IP listener (a Unix socket) */
			json_kv_u64(w, "port", l->port);
		json_kv_u64(w, "accepts", l->accepts);
		json_kv_fixed(w, "rate", l->rate, 2);
		json_pct(w, "queue_us", l->queue);
		json_kv_u64(w, "handled_by_fork", l->handled_by_fork);
		json_kv_u64(w, "children_exited", l->children_exited);
		json_kv_u64(w, "children_failed", l->children_failed);
		json_pct(w, "child_zombie_us", l->child_zombie);
		json_kv_u64(w, "errors", l->errors);
		json_kv_u64(w, "eagain", l->eagain);
		json_kv_u64(w, "accept_eagain", l->eagain);
		json_kv_u64(w, "emfile", l->emfile);
		if (l->backlog_peak) {
			json_kv_u64(w, "backlog_limit", l->backlog_limit);
			json_kv_u64(w, "backlog_peak", l->backlog_peak);
			json_kv_u64(w, "backlog_full", l->backlog_full);
		}
		json_obj_end(w);
	}
	json_arr_end(w);
}

static void json_loops(struct json_w *w, const struct ll_snapshot *s)
{
	size_t i;

	json_key(w, "loops");
	json_arr_begin(w);
	for (i = 0; i < s->nloops; i++) {
		const struct ll_loop_view *l = &s->loops[i];

		json_obj_begin(w);
		json_kv_u64(w, "pid", l->pid);
		json_kv_u64(w, "tid", l->tid);
		json_comm(w, "comm", l->comm);
		json_kv_u64(w, "wakeups", l->wakeups);
		if (l->calls) {	/* per-call facts: sched mode cannot know them */
			json_kv_u64(w, "events", l->events);
			json_kv_u64(w, "timeouts", l->timeouts);
			json_kv_u64(w, "full", l->full);
			json_kv_u64(w, "errors", l->errors);
		}
		json_kv_fixed(w, "busy_pct", l->busy_pct, 2);
		json_loop_time(w, l);
		json_pct(w, "blocked_us", l->blocked);
		json_pct(w, "busy_us", l->busy);
		json_kv_u64(w, "stalls", l->stalls);
		if (l->stalls)
			json_kv_u64(w, "max_stall_us", l->max_stall_us);
		json_kv_u64(w, "busy_now_us", l->busy_now_us);
		/* -1 means the interest list was never read: unknown, so absent. */
		if (l->et_fds >= 0)
			json_kv_i64(w, "et_fds", l->et_fds);
		if (l->lt_fds >= 0)
			json_kv_i64(w, "lt_fds", l->lt_fds);
		json_kv_fixed(w, "wakeups_rate", l->wakeups_rate, 2);
		json_kv_bool(w, "alive", l->alive);
		json_obj_end(w);
	}
	json_arr_end(w);
}

static void json_by_type(struct json_w *w, const char *key, const uint64_t *by_type)
{
	unsigned int t;

	json_key(w, key);
	json_obj_begin(w);
	for (t = 0; t < LL_REC_MAX; t++)
		if (by_type[t] && fmt_rec_name(t))
			json_kv_u64(w, fmt_rec_name(t), by_type[t]);
	json_obj_end(w);
}

static void json_findings(struct json_w *w, const struct ll_finding *f, size_t n)
{
	size_t i;

	json_key(w, "findings");
	json_arr_begin(w);
	for (i = 0; i < n; i++) {
		json_obj_begin(w);
		json_kv_str(w, "severity", finding_severity_name(f[i].severity));
		if (f[i].pid)
			json_kv_u64(w, "pid", f[i].pid);
		if (f[i].comm[0])
			json_comm(w, "comm", f[i].comm);
		json_kv_str(w, "what", f[i].what);
		json_kv_str(w, "advice", f[i].advice);
		json_obj_end(w);
	}
	json_arr_end(w);
}

static void summary_json(const struct ll_render_opts *o, const struct ll_snapshot *s)
{
	struct ll_finding f[LL_FINDINGS_MAX];
	size_t nf = summary_findings(o, s, f);
	struct json_w w;

	json_init(&w, o->out);
	json_obj_begin(&w);
	json_kv_str(&w, "type", "summary");
	json_kv_u64(&w, "ts_ns", s->ts_ns);
	if (o->timestamp) {
		char t[40];

		json_kv_str(&w, "time", render_wall_rfc3339(o, s->ts_ns, t, sizeof(t)));
	}
	json_kv_fixed(&w, "elapsed_s", s->elapsed_s, 3);
	json_kv_u64(&w, "events", s->events);
	json_kv_u64(&w, "lost", s->lost);
	json_by_type(&w, "lost_by_type", s->lost_by_type);
	/* What the kernel side delivered, per type: with lost_by_type, what it produced. */
	json_by_type(&w, "sent_by_type", s->sent_by_type);
	json_kv_u64(&w, "map_full", s->map_full);
	/* The other bounded tables (processes: processes.evicted): what they had to drop. */
	json_key(&w, "evicted");
	json_obj_begin(&w);
	json_kv_u64(&w, "listeners", s->evicted_listeners);
	json_kv_u64(&w, "listener_children", s->evicted_children);
	json_kv_u64(&w, "loops", s->evicted_loops);
	json_obj_end(&w);
	json_kv_bool(&w, "final", s->final);
	if (s->netstat_known) {
		json_kv_u64(&w, "listen_overflows", s->listen_overflows);
		json_kv_u64(&w, "listen_drops", s->listen_drops);
	}
	json_processes(&w, &s->procs);
	json_zombies(&w, s);
	json_orphans(&w, s);
	json_listeners(&w, s);
	json_loops(&w, s);
	render_fork_failures_json(&w, s);
	json_findings(&w, f, nf);
	json_obj_end(&w);
	json_newline(&w);
}

/* ---- text ----------------------------------------------------------------------------------- */

static const char *quantile(char *buf, size_t n, const struct ll_hist *h, double q)
{
	if (!h || !h->count) {
		snprintf(buf, n, "-");
		return buf;
	}
	return fmt_dur_us(buf, n, q >= 1.0 ? h->max : hist_quantile(h, q));
}

static void text_line(FILE *f, char *line, size_t pos)
{
	/* Cells end with a space; the line should not. */
	while (pos && line[pos - 1] == ' ')
		pos--;
	fwrite(line, 1, pos, f);
	fputc('\n', f);
}

static void text_lost(FILE *f, const struct ll_snapshot *s)
{
	bool any = false;
	unsigned int t;

	fprintf(f, "*** %" PRIu64 " EVENTS LOST: the kernel could not deliver them "
		"(ring buffer full)", s->lost);
	for (t = 0; t < LL_REC_MAX; t++) {
		if (!s->lost_by_type[t] || !fmt_rec_name(t))
			continue;
		fprintf(f, "%s%s %" PRIu64, any ? ", " : " (", fmt_rec_name(t), s->lost_by_type[t]);
		any = true;
	}
	fprintf(f, "%s; counts below are low: raise --ringbuf-kb or narrow with -p/-c ***\n",
		any ? ")" : "");
}

static void text_headline(FILE *f, const struct ll_snapshot *s)
{
	const struct ll_proc_totals *p = &s->procs;

	fprintf(f, "lifeline %s after %.1fs: %" PRIu64 " events, %" PRIu64 " lost\n",
		s->final ? "final summary" : "summary", s->elapsed_s, s->events, s->lost);
	if (s->lost)
		text_lost(f, s);
	if (s->map_full)
		fprintf(f, "*** %" PRIu64 " kernel-side map updates failed (map full): some "
			"processes, zombies or loops were not followed ***\n", s->map_full);
	if (s->evicted_listeners || s->evicted_children || s->evicted_loops)
		fprintf(f, "  (tables full: %" PRIu64 " listeners, %" PRIu64 " handler children and %"
			PRIu64 " event loops evicted)\n", s->evicted_listeners, s->evicted_children,
			s->evicted_loops);
	fprintf(f, "processes: %" PRIu64 " forks, %" PRIu64 " execs, %" PRIu64 " exits, %" PRIu64
		" reaped, %" PRIu64 " auto-reaped; zombies now %" PRIu64 ", orphans now %"
		PRIu64 "\n", p->forks, p->execs, p->exits, p->reaps, p->autoreaped,
		p->zombies_now, p->orphans_now);
	/* Say why only what is true: with nothing lost, /proc showed them gone unseen. */
	if (p->incomplete || p->evicted)
		fprintf(f, "  (%" PRIu64 " lifetimes incomplete because %s, %" PRIu64
			" table entries evicted because the table was full)\n", p->incomplete,
			s->lost && p->unseen < p->incomplete ? "records were lost" :
			"their end was not seen (/proc shows them gone)",
			p->evicted);
}

static void text_zombies(FILE *f, const struct ll_snapshot *s, size_t rows)
{
	char line[LINE_LEN], comm[LL_COMM_LEN], b[FMT_DUR_LEN];
	size_t i, pos = 0;

	if (!s->nzombies)
		return;
	fprintf(f, "\nzombies by parent:\n");
	fprintf(f, "  %-7s %-15s %5s %8s %8s %6s %8s %8s %8s %9s  %s\n", "PARENT", "COMM", "NOW",
		"OLDEST", "REAPED", "AUTO", "P50", "P99", "MAX", "COALESCED", "CAUSE");
	for (i = 0; i < s->nzombies && i < rows; i++) {
		const struct ll_zombie_view *z = &s->zombies[i];

		pos = 0;
		fmt_append(line, sizeof(line), &pos, "  %-7u %-15s %5" PRIu64 " ", z->parent_pid,
			   fmt_comm(comm, z->parent_comm), z->now);
		fmt_col(line, sizeof(line), &pos, 8, z->now ? fmt_oldest_us(b, sizeof(b),
			z->oldest_now_us, z->oldest_now_min_us) : "-");
		fmt_append(line, sizeof(line), &pos, "%8" PRIu64 " %6" PRIu64 " ", z->reaped,
			   z->autoreaped);
		fmt_col(line, sizeof(line), &pos, 8, quantile(b, sizeof(b), z->lifetime, 0.5));
		fmt_col(line, sizeof(line), &pos, 8, quantile(b, sizeof(b), z->lifetime, 0.99));
		fmt_col(line, sizeof(line), &pos, 8, quantile(b, sizeof(b), z->lifetime, 1.0));
		fmt_append(line, sizeof(line), &pos, "%9" PRIu64 "  %s", z->coalesced_sigchld,
			   ll_cause_name(z->cause));
		text_line(f, line, pos);
		if (z->cause != CAUSE_NONE)
			fprintf(f, "          why: %s\n", ll_cause_text(z->cause));
		if (z->vforks)
			fprintf(f, "          vforks: %" PRIu64 " children made with vfork\n",
				z->vforks);
		if (fmt_cause_advice(z->cause))
			fprintf(f, "          advice: %s\n", fmt_cause_advice(z->cause));
	}
}

static void text_orphans(FILE *f, const struct ll_snapshot *s, size_t rows)
{
	char line[LINE_LEN], comm[LL_COMM_LEN], pid[FMT_NUM_LEN], b[FMT_DUR_LEN];
	size_t i, pos;

	if (!s->norphans)
		return;
	fprintf(f, "\norphans by adopter:\n");
	fprintf(f, "  %-7s %-15s %8s %6s %6s %9s %9s %9s %9s\n", "ADOPTER", "COMM", "ADOPTED",
		"ALIVE", "EXITED", "LIFE P50", "LIFE P99", "REAP P50", "REAP P99");
	for (i = 0; i < s->norphans && i < rows; i++) {
		const struct ll_orphan_view *o = &s->orphans[i];

		pos = 0;
		fmt_append(line, sizeof(line), &pos, "  %-7s %-15s %8" PRIu64 " %6" PRIu64 " %6"
			   PRIu64 " ", fmt_pid(pid, sizeof(pid), o->adopter_pid),
			   fmt_comm(comm, o->adopter_comm), o->adopted, o->alive, o->exited);
		fmt_col(line, sizeof(line), &pos, 9, quantile(b, sizeof(b), o->lifetime, 0.5));
		fmt_col(line, sizeof(line), &pos, 9, quantile(b, sizeof(b), o->lifetime, 0.99));
		fmt_col(line, sizeof(line), &pos, 9, quantile(b, sizeof(b), o->reap, 0.5));
		fmt_col(line, sizeof(line), &pos, 9, quantile(b, sizeof(b), o->reap, 0.99));
		text_line(f, line, pos);
	}
}

/* The listen queue, and next to a queue that was full what the kernel dropped meanwhile. */
static void text_backlog(FILE *f, const struct ll_snapshot *s, const struct ll_listener_view *l)
{
	if (!l->backlog_peak)
		return;
	fprintf(f, "          listen queue: limit %u, peak %u, full at %" PRIu64 " accepts",
		l->backlog_limit, l->backlog_peak, l->backlog_full);
	if (l->backlog_full && s->netstat_known)
		fprintf(f, "; kernel: %" PRIu64 " overflows, %" PRIu64 " drops (system-wide)",
			s->listen_overflows, s->listen_drops);
	fputc('\n', f);
}

static void text_listeners(FILE *f, const struct ll_snapshot *s, size_t rows)
{
	char line[LINE_LEN], comm[LL_COMM_LEN], b[FMT_DUR_LEN];
	size_t i, pos;

	if (!s->nlisteners)
		return;
	fprintf(f, "\nlisteners:\n");
	fprintf(f, "  %-7s %-15s %5s %9s %8s %9s %9s %9s %7s %7s\n", "PID", "COMM", "PORT",
		"ACCEPTS", "RATE/s", "QUEUE P50", "QUEUE P99", "QUEUE MAX", "FORKED", "ERRORS");
	for (i = 0; i < s->nlisteners && i < rows; i++) {
		const struct ll_listener_view *l = &s->listeners[i];

		pos = 0;
		fmt_append(line, sizeof(line), &pos, "  %-7u %-15s %5u %9" PRIu64 " %8.1f ", l->pid,
			   fmt_comm(comm, l->comm), l->port, l->accepts, l->rate);
		fmt_col(line, sizeof(line), &pos, 9, quantile(b, sizeof(b), l->queue, 0.5));
		fmt_col(line, sizeof(line), &pos, 9, quantile(b, sizeof(b), l->queue, 0.99));
		fmt_col(line, sizeof(line), &pos, 9, quantile(b, sizeof(b), l->queue, 1.0));
		fmt_append(line, sizeof(line), &pos, "%7" PRIu64 " %7" PRIu64, l->handled_by_fork,
			   l->errors);
		text_line(f, line, pos);
		if (l->handled_by_fork)
			fprintf(f, "          forked children: %" PRIu64 " exited, %" PRIu64
				" failed\n", l->children_exited, l->children_failed);
		text_backlog(f, s, l);
	}
	if (s->netstat_known && (s->listen_overflows || s->listen_drops))
		fprintf(f, "  kernel, system-wide over the run: %" PRIu64 " listen overflows, %"
			PRIu64 " listen drops (TcpExt)\n", s->listen_overflows, s->listen_drops);
}

static const char *et_lt(char *buf, size_t n, int et, int lt)
{
	if (et < 0 || lt < 0)
		snprintf(buf, n, "?");
	else
		snprintf(buf, n, "%d/%d", et, lt);
	return buf;
}

static void text_loops(FILE *f, const struct ll_snapshot *s, size_t rows)
{
	char line[LINE_LEN], comm[LL_COMM_LEN], b[FMT_DUR_LEN], etlt[FMT_NUM_LEN];
	size_t i, pos;

	if (!s->nloops)
		return;
	fprintf(f, "\nevent loops:\n");
	fprintf(f, "  %-7s %-7s %-15s %9s %7s %7s %8s %6s %9s %6s %9s %6s\n", "PID", "TID", "COMM",
		"WAKEUPS", "EV/WAKE", "FULL", "TIMEOUTS", "BUSY%", "BUSY P99", "STALLS",
		"MAX STALL", "ET/LT");
	for (i = 0; i < s->nloops && i < rows; i++) {
		const struct ll_loop_view *l = &s->loops[i];
		double epw = l->wakeups ? (double)l->events / (double)l->wakeups : 0.0;

		pos = 0;
		if (l->calls)
			fmt_append(line, sizeof(line), &pos, "  %-7u %-7u %-15s %9" PRIu64 " %7.1f %7"
				   PRIu64 " %8" PRIu64 " %6.1f ", l->pid, l->tid,
				   fmt_comm(comm, l->comm), l->wakeups, epw, l->full, l->timeouts,
				   l->busy_pct);
		else	/* sched mode sees no returns: per-call columns unknown */
			fmt_append(line, sizeof(line), &pos, "  %-7u %-7u %-15s %9" PRIu64 " %7s %7s"
				   " %8s %6.1f ", l->pid, l->tid, fmt_comm(comm, l->comm),
				   l->wakeups, "-", "-", "-", l->busy_pct);
		fmt_col(line, sizeof(line), &pos, 9, quantile(b, sizeof(b), l->busy, 0.99));
		fmt_append(line, sizeof(line), &pos, "%6" PRIu64 " ", l->stalls);
		fmt_col(line, sizeof(line), &pos, 9, l->stalls ? fmt_dur_us(b, sizeof(b),
			l->max_stall_us) : "-");
		et_lt(etlt, sizeof(etlt), l->et_fds, l->lt_fds);
		fmt_col(line, sizeof(line), &pos, 6, etlt);
		if (!l->alive)
			fmt_append(line, sizeof(line), &pos, "exited");
		text_line(f, line, pos);
	}
	fprintf(f, "\nevent loops, where the time went:\n");
	text_loop_time_header(f);
	for (i = 0; i < s->nloops && i < rows; i++)
		text_loop_time(f, &s->loops[i]);
}

/* The short summary's "(12 more parents: --full shows them)". */
static void text_cut(FILE *f, size_t n, size_t rows, const char *what)
{
	if (n > rows)
		fprintf(f, "  (%zu more %s: --full shows them)\n", n - rows, what);
}

static void text_findings(FILE *f, const struct ll_finding *fs, size_t n)
{
	size_t i;

	if (!n) {
		fprintf(f, "Findings: none, nothing lifeline watches for looked wrong\n\n");
		return;
	}
	fprintf(f, "Findings, worst first:\n");
	for (i = 0; i < n; i++) {
		fprintf(f, "  %-6s %s\n", fs[i].severity == SEV_HIGH ? "HIGH" :
			fs[i].severity == SEV_MEDIUM ? "MEDIUM" : "LOW", fs[i].what);
		fprintf(f, "         fix: %s\n", fs[i].advice);
	}
	fputc('\n', f);
}

static void text_hist(FILE *f, const struct ll_hist *h, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void text_hist(FILE *f, const struct ll_hist *h, const char *fmt, ...)
{
	va_list ap;

	if (!h || !h->count)
		return;
	fputc('\n', f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fprintf(f, " (%" PRIu64 " sample%s):\n", h->count, h->count == 1 ? "" : "s");
	render_log2_hist(f, h, "usecs");
}

static void text_more(FILE *f, size_t n, const char *what)
{
	if (n > MAX_HISTS)
		fprintf(f, "\n(%zu more %s not shown)\n", n - MAX_HISTS, what);
}

/* Without --full, histograms only for the rows a finding is about. */
struct hist_pick {
	bool full;
	const struct ll_finding *f;
	size_t n;
};

static bool hist_wanted(const struct hist_pick *p, enum ll_finding_topic t, size_t i)
{
	return p->full || findings_cover(p->f, p->n, t, i);
}

static void text_histograms(FILE *f, const struct ll_snapshot *s, const struct hist_pick *p)
{
	char comm[LL_COMM_LEN], pid[FMT_NUM_LEN];
	size_t i;

	for (i = 0; i < s->nzombies && i < MAX_HISTS; i++)
		if (hist_wanted(p, TOPIC_ZOMBIES, i))
			text_hist(f, s->zombies[i].lifetime, "zombie lifetime, children of %u (%s)",
			  s->zombies[i].parent_pid, fmt_comm(comm, s->zombies[i].parent_comm));
	if (p->full)
		text_more(f, s->nzombies, "parents");
	for (i = 0; i < s->norphans && i < MAX_HISTS; i++) {
		const struct ll_orphan_view *o = &s->orphans[i];

		if (!hist_wanted(p, TOPIC_ORPHANS, i))
			continue;
		fmt_pid(pid, sizeof(pid), o->adopter_pid);
		fmt_comm(comm, o->adopter_comm);
		text_hist(f, o->lifetime, "orphan lifetime after the parent died, adopter %s (%s)",
			  pid, comm);
		text_hist(f, o->reap, "orphan zombie time until the adopter reaped it, "
			  "adopter %s (%s)", pid, comm);
	}
	if (p->full)
		text_more(f, s->norphans, "adopters");
	for (i = 0; i < s->nlisteners && i < MAX_HISTS; i++)
		if (hist_wanted(p, TOPIC_LISTENER, i))
			text_hist(f, s->listeners[i].queue, "accept queue wait, %u (%s) port %u",
			  s->listeners[i].pid, fmt_comm(comm, s->listeners[i].comm),
			  s->listeners[i].port);
	if (p->full)
		text_more(f, s->nlisteners, "listeners");
	for (i = 0; i < s->nloops && i < MAX_HISTS; i++) {
		const struct ll_loop_view *l = &s->loops[i];

		if (!hist_wanted(p, TOPIC_LOOP, i))
			continue;
		fmt_comm(comm, l->comm);
		text_hist(f, l->busy, "event loop busy periods, %u/%u (%s)", l->pid, l->tid, comm);
		text_hist(f, l->blocked, "event loop blocked in %s, %u/%u (%s)",
			  ll_loop_wait_call(l->wait), l->pid, l->tid, comm);
	}
	if (p->full)
		text_more(f, s->nloops, "event loops");
}

static void summary_text(const struct ll_render_opts *o, const struct ll_snapshot *s)
{
	struct ll_finding fs[LL_FINDINGS_MAX];
	struct hist_pick pick = { .full = o->full || !s->final, .f = fs };
	size_t rows = pick.full ? SIZE_MAX : SHORT_ROWS;
	FILE *f = o->out;

	if (s->final) {
		pick.n = summary_findings(o, s, fs);
		text_findings(f, fs, pick.n);
	}
	text_headline(f, s);
	text_zombies(f, s, rows);
	text_cut(f, s->nzombies, rows, "parents");
	text_orphans(f, s, rows);
	text_cut(f, s->norphans, rows, "adopters");
	text_listeners(f, s, rows);
	text_cut(f, s->nlisteners, rows, "listeners");
	text_loops(f, s, rows);
	text_cut(f, s->nloops, rows, "event loops");
	render_fork_failures_text(f, s);
	if (s->final)
		text_histograms(f, s, &pick);
	fputc('\n', f);
}

void render_summary(const struct ll_render_opts *o, const struct ll_snapshot *s)
{
	if (o->json)
		summary_json(o, s);
	else
		summary_text(o, s);
	fflush(o->out);
}
