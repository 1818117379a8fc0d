// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Containers: fork/vfork/clone/clone3 calls that failed, with the pids cgroup limit that made
 * them fail (the classic "Resource temporarily unavailable" of a container at pids.max).
 *
 * These are rare syscalls. Their tp/syscalls programs cost nothing per other syscall beyond the
 * syscall slow path, which the wait4 and accept programs already put every task on.
 */
#include "common.bpf.h"

#define PIDS_UNLIMITED	(4 * 1024 * 1024 + 1)	/* the kernel's PIDS_MAX: "max" */
#define PIDS_DEPTH	16			/* cgroup levels searched for a limit */

/* The pids controller's state (kernel/cgroup/pids.c); CO-RE finds the fields on any kernel. */
struct pids_cgroup___ll {
	struct cgroup_subsys_state css;
	atomic64_t counter;
	atomic64_t limit;
} __attribute__((preserve_access_index));

/*
 * The nearest cgroup at or above the task's, in the pids controller's hierarchy (v1 or v2), that
 * has a limit: its count and limit. Each level counts its whole subtree, so that is the level
 * whose limit refused the fork.
 */
static __always_inline void read_pids_limit(struct ll_fork_failed *r)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct cgroup_subsys_state *css;
	struct pids_cgroup___ll *pc;
	int id, i;
	__s64 max;

	r->pids_current = -1;
	r->pids_max = -1;
	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, pids_cgrp_id))
		return;
	id = bpf_core_enum_value(enum cgroup_subsys_id, pids_cgrp_id);
	if (id < 0 || id >= 16)
		return;
	css = BPF_CORE_READ(task, cgroups, subsys[id]);
	for (i = 0; i < PIDS_DEPTH && css; i++) {
		pc = (struct pids_cgroup___ll *)css;
		max = BPF_CORE_READ(pc, limit.counter);
		if (max > 0 && max < PIDS_UNLIMITED) {
			r->pids_max = max;
			r->pids_current = BPF_CORE_READ(pc, counter.counter);
			return;
		}
		css = BPF_CORE_READ(css, parent);
	}
}

static __always_inline void fork_failed(long ret, __u32 call)
{
	struct ll_fork_failed *r;

	/*
	 * copy_process() gives up with -ERESTARTNOINTR when a signal (a child's SIGCHLD) arrives
	 * during the fork; the exit tracepoint sees that before the kernel restarts the call, and
	 * the caller never does: no failure. The same holds for every restart code.
	 */
	if (ret >= 0 || (ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK) ||
	    !ll_current_traced())
		return;
	r = ll_reserve(sizeof(*r), LL_REC_FORK_FAILED);
	if (!r)
		return;
	r->err = -ret;
	r->call = call;
	read_pids_limit(r);
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	ll_submit(r, LL_REC_FORK_FAILED);
}

SEC("tp/syscalls/sys_exit_clone")
int ll_exit_clone(struct trace_event_raw_sys_exit *ctx)
{
	fork_failed(ctx->ret, LL_FORK_CALL_CLONE);
	return 0;
}

SEC("tp/syscalls/sys_exit_clone3")
int ll_exit_clone3(struct trace_event_raw_sys_exit *ctx)
{
	fork_failed(ctx->ret, LL_FORK_CALL_CLONE3);
	return 0;
}

/* Not on every architecture (arm64 has only clone and clone3): skipped where absent. */
SEC("tp/syscalls/sys_exit_fork")
int ll_exit_fork(struct trace_event_raw_sys_exit *ctx)
{
	fork_failed(ctx->ret, LL_FORK_CALL_FORK);
	return 0;
}

SEC("tp/syscalls/sys_exit_vfork")
int ll_exit_vfork(struct trace_event_raw_sys_exit *ctx)
{
	fork_failed(ctx->ret, LL_FORK_CALL_VFORK);
	return 0;
}
