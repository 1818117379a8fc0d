// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The floor of lifeline's design: an empty program on each hook the default mode attaches, of
 * the same kind (tp_btf or tp/syscalls), so a workload pays each hook's dispatch and nothing of
 * lifeline's bodies. make bench runs the workloads under it: what lifeline adds above this row is
 * its bodies; what this row adds to the untraced run is the price of the hooks themselves.
 *
 * Built a second time with FLOOR_BTF_ONLY (floor_btf.bpf.o): the tp_btf programs alone. Any
 * tp/syscalls program puts every syscall of every task on the tracing slow path; the per-call
 * table's getppid column under the two objects is that price, which unhooked syscalls pay for
 * the reaps and accepts that no other hook here shows.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EMPTY_BTF(hook, name)						\
	SEC("tp_btf/" #hook)						\
	int BPF_PROG(name)						\
	{								\
		return 0;						\
	}

#ifdef FLOOR_BTF_ONLY
#define EMPTY_SYSCALL(sys)
#else
#define EMPTY_SYSCALL(sys)						\
	SEC("tp/syscalls/sys_exit_" #sys)				\
	int floor_exit_##sys(void *ctx)					\
	{								\
		return 0;						\
	}
#endif

EMPTY_BTF(sched_process_fork, floor_fork)
EMPTY_BTF(sched_process_exec, floor_exec)
EMPTY_BTF(sched_process_exit, floor_exit)		/* lifeline has two programs here */
EMPTY_BTF(sched_process_exit, floor_loop_thread_exit)
EMPTY_BTF(sched_process_free, floor_free)
EMPTY_BTF(signal_generate, floor_signal_generate)
EMPTY_BTF(sched_switch, floor_loop_switch)
EMPTY_BTF(sched_wakeup, floor_loop_wakeup)
EMPTY_BTF(inet_sock_set_state, floor_sock_state)
EMPTY_SYSCALL(wait4)
EMPTY_SYSCALL(waitid)
EMPTY_SYSCALL(clone)
EMPTY_SYSCALL(clone3)
EMPTY_SYSCALL(fork)
EMPTY_SYSCALL(vfork)
EMPTY_SYSCALL(accept)
EMPTY_SYSCALL(accept4)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
