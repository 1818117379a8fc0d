// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Where a loop's time goes (--loops): on CPU, idle in its wait, asleep elsewhere (and in which
 * syscalls), waiting for a CPU; the same words in JSON, the text summary and stall events.
 */
#include <inttypes.h>
#include "format.h"
#include "render_loops.h"
#include "syscalls.h"

const char *ll_loop_wait_name(unsigned int wait)
{
	static const char *const names[LL_WAIT_NR] = {
		[LL_WAIT_EPOLL] = "epoll",
		[LL_WAIT_POLL] = "poll",
		[LL_WAIT_SELECT] = "select",
	};

	return wait < LL_WAIT_NR ? names[wait] : NULL;
}

const char *ll_loop_wait_call(unsigned int wait)
{
	return wait == LL_WAIT_POLL ? "poll" : wait == LL_WAIT_SELECT ? "select" : "epoll_wait";
}

void json_loop_time(struct json_w *w, const struct ll_loop_view *l)
{
	const char *wait = ll_loop_wait_name(l->wait);
	char buf[LL_SYSNAME_LEN];
	unsigned int i;

	if (wait)
		json_kv_str(w, "wait", wait);
	json_kv_str(w, "mode", l->calls ? "calls" : "sched");
	json_kv_u64(w, "threads", l->threads);
	json_kv_u64(w, "unseen_switches", l->unseen);
	json_kv_fixed(w, "idle_pct", l->idle_pct, 2);
	json_kv_fixed(w, "offcpu_pct", l->offcpu_pct, 2);
	json_kv_fixed(w, "runq_pct", l->runq_pct, 2);
	json_key(w, "offcpu_syscalls");
	json_obj_begin(w);
	for (i = 0; i < l->nsys; i++)
		json_kv_u64(w, ll_syscall_name(l->sys[i].nr, buf, sizeof(buf)), l->sys[i].us);
	json_obj_end(w);
}

void json_stall_parts(struct json_w *w, const struct ll_event *ev)
{
	char buf[LL_SYSNAME_LEN];

	if (!ev->stall.parts_known)
		return;
	json_kv_u64(w, "oncpu_us", ev->stall.oncpu_us);
	json_kv_u64(w, "offcpu_us", ev->stall.offcpu_us);
	json_kv_u64(w, "runq_us", ev->stall.runq_us);
	if (ev->stall.syscall != LL_SYS_NONE || ev->stall.offcpu_us)
		json_kv_str(w, "syscall", ll_syscall_name(ev->stall.syscall, buf, sizeof(buf)));
}

void text_stall_parts(FILE *f, const struct ll_event *ev)
{
	char on[FMT_DUR_LEN], off[FMT_DUR_LEN], rq[FMT_DUR_LEN], buf[LL_SYSNAME_LEN];

	if (!ev->stall.parts_known)
		return;
	fprintf(f, " (on CPU %s, off CPU %s", fmt_dur_us(on, sizeof(on), ev->stall.oncpu_us),
		fmt_dur_us(off, sizeof(off), ev->stall.offcpu_us));
	if (ev->stall.offcpu_us)
		fprintf(f, " in %s", ll_syscall_name(ev->stall.syscall, buf, sizeof(buf)));
	fprintf(f, ", run queue %s)", fmt_dur_us(rq, sizeof(rq), ev->stall.runq_us));
}

void text_loop_time_header(FILE *f)
{
	fprintf(f, "  %-7s %-7s %-15s %6s %6s %6s %6s %4s  %s\n", "PID", "TID", "COMM", "BUSY%",
		"IDLE%", "OFF%", "RUNQ%", "THR", "OFF-CPU IN");
}

void text_loop_time(FILE *f, const struct ll_loop_view *l)
{
	char comm[LL_COMM_LEN], buf[LL_SYSNAME_LEN], dur[FMT_DUR_LEN];
	unsigned int i;

	fprintf(f, "  %-7u %-7u %-15s %6.1f %6.1f %6.1f %6.1f %4u ", l->pid, l->tid,
		fmt_comm(comm, l->comm), l->busy_pct, l->idle_pct, l->offcpu_pct, l->runq_pct,
		l->threads);
	for (i = 0; i < l->nsys; i++)
		fprintf(f, " %s %s", ll_syscall_name(l->sys[i].nr, buf, sizeof(buf)),
			fmt_dur_us(dur, sizeof(dur), l->sys[i].us));
	fprintf(f, "%s\n", l->nsys ? "" : " -");
}
