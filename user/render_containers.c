// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Containers in the output: failed forks (a pids cgroup at its limit, mostly) and cgroup paths. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include "format.h"
#include "render_containers.h"

const char *render_fork_call(unsigned int call)
{
	switch (call) {
	case LL_FORK_CALL_FORK:
		return "fork";
	case LL_FORK_CALL_VFORK:
		return "vfork";
	case LL_FORK_CALL_CLONE:
		return "clone";
	case LL_FORK_CALL_CLONE3:
		return "clone3";
	}
	return "?";
}

/* Only a limit the kernel holds is written: unknown is left out, never 0. */
static void json_pids(struct json_w *w, int64_t current, int64_t max)
{
	if (max < 0)
		return;
	json_kv_i64(w, "pids_current", current);
	json_kv_i64(w, "pids_max", max);
}

void render_fork_failed_json(struct json_w *w, const struct ll_event *ev)
{
	char err[FMT_NAME_LEN];

	if (ev->tid && ev->tid != ev->pid)
		json_kv_u64(w, "tid", ev->tid);
	json_kv_strn(w, "comm", ev->comm, strnlen(ev->comm, LL_COMM_LEN));
	json_kv_str(w, "errno", fmt_errno(err, sizeof(err), ev->fork_failed.err));
	json_kv_str(w, "call", render_fork_call(ev->fork_failed.call));
	json_pids(w, ev->fork_failed.pids_current, ev->fork_failed.pids_max);
}

void render_fork_failed_text(FILE *f, const struct ll_event *ev)
{
	char err[FMT_NAME_LEN];

	fprintf(f, "%s from %s", fmt_errno(err, sizeof(err), ev->fork_failed.err),
		render_fork_call(ev->fork_failed.call));
	if (ev->fork_failed.pids_max >= 0)
		fprintf(f, ", pids %" PRId64 "/%" PRId64, ev->fork_failed.pids_current,
			ev->fork_failed.pids_max);
	if (ev->cgroup)
		fprintf(f, ", cgroup %s", ev->cgroup);
}

void render_fork_failed_explain(char *b, size_t n, const struct ll_event *ev, const char *comm)
{
	const typeof(ev->fork_failed) *ff = &ev->fork_failed;
	char err[FMT_NAME_LEN];
	size_t pos = 0;

	fmt_append(b, n, &pos, "%s() by %u (%s) failed with %s", render_fork_call(ff->call),
		   ev->pid, comm, fmt_errno(err, sizeof(err), ff->err));
	if (ff->err == EAGAIN && ff->pids_max >= 0)
		fmt_append(b, n, &pos, ": its pids cgroup holds %" PRId64 " of at most %" PRId64
			   " tasks (pids.max), so the kernel refused a new one; zombies count too, "
			   "so look for a parent (a container's PID 1) that never waits",
			   ff->pids_current, ff->pids_max);
	else if (ff->err == EAGAIN)
		fmt_append(b, n, &pos, ": a process limit was reached (RLIMIT_NPROC, "
			   "kernel.threads-max or a pids cgroup); this is not about memory");
	else if (ff->err == ENOMEM)
		fmt_append(b, n, &pos, ": the kernel could not allocate the new task, or the "
			   "pid namespace's init has exited");
}

void render_fork_failures_json(struct json_w *w, const struct ll_snapshot *s)
{
	char err[FMT_NAME_LEN];
	size_t i;

	json_key(w, "fork_failures");
	json_arr_begin(w);
	for (i = 0; i < s->nforkfails; i++) {
		const struct ll_forkfail_view *v = &s->forkfails[i];

		json_obj_begin(w);
		json_kv_u64(w, "pid", v->pid);
		json_kv_strn(w, "comm", v->comm, strnlen(v->comm, LL_COMM_LEN));
		json_kv_u64(w, "count", v->count);
		json_kv_str(w, "errno", fmt_errno(err, sizeof(err), v->err));
		json_pids(w, v->pids_current, v->pids_max);
		if (v->cgroup)
			json_kv_str(w, "cgroup", v->cgroup);
		json_obj_end(w);
	}
	json_arr_end(w);
}

void render_fork_failures_text(FILE *f, const struct ll_snapshot *s)
{
	char err[FMT_NAME_LEN], comm[LL_COMM_LEN];
	size_t i;

	if (!s->fork_failures)
		return;
	fprintf(f, "\nfork failures: %" PRIu64 "\n", s->fork_failures);
	fprintf(f, "  %-7s %-15s %7s %-8s %s\n", "PID", "COMM", "COUNT", "ERRNO", "PIDS.MAX");
	for (i = 0; i < s->nforkfails; i++) {
		const struct ll_forkfail_view *v = &s->forkfails[i];

		fprintf(f, "  %-7u %-15s %7" PRIu64 " %-8s ", v->pid, fmt_comm(comm, v->comm),
			v->count, fmt_errno(err, sizeof(err), v->err));
		if (v->pids_max >= 0)
			fprintf(f, "%" PRId64 "/%" PRId64, v->pids_current, v->pids_max);
		else
			fputc('-', f);
		if (v->cgroup)
			fprintf(f, "  %s", v->cgroup);
		fputc('\n', f);
	}
}
