/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The only ABI between lifeline's BPF programs and user space.
 *
 * Every record in the ring buffer starts with struct ll_hdr. hdr.tgid/hdr.tid are always the task
 * that ran the hook (current); the record's own fields name its subject (the forked child, the
 * reaped pid, the SIGCHLD recipient). Timestamps are bpf_ktime_get_ns(), i.e. CLOCK_MONOTONIC.
 *
 * Included by BPF code (after vmlinux.h) and by user code (after <linux/types.h>), so it uses only
 * __u* types and no libc.
 */
#ifndef LIFELINE_ABI_H
#define LIFELINE_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define LL_COMM_LEN	16
#define LL_FILENAME_LEN	256
#define LL_ARGS_LEN	512
#define LL_MAX_COMM_FILTERS 8
#define LL_MAX_CGROUP_FILTERS 8	/* --cgroup */
#define LL_MAX_CPUS	512	/* per-CPU counter rows in .bss; must be a power of two */
#define LL_MAX_LOOPS	1024	/* threads with loop state: the kernel map and user space's tables */
#define LL_LOOP_HINTS	1024	/* slots of ll_loop_hint (by tid); must be a power of two */
#define LL_ZOMBIE_SLOTS	65536	/* slots of ll_zombie_slot (by pid); must be a power of two */

enum ll_rec_type {
	LL_REC_FORK = 1,
	LL_REC_EXEC,
	LL_REC_EXIT,
	LL_REC_REAP,
	LL_REC_SIGCHLD,
	LL_REC_ACCEPT,
	LL_REC_LOOP_NEW,
	LL_REC_STALL,
	LL_REC_WAKEUP,
	LL_REC_LOOP_EXIT,
	LL_REC_FORK_FAILED,
	LL_REC_MAX,
};

struct ll_hdr {
	__u16 type;
	__u16 size;	/* of the whole record */
	__u32 cpu;	/* unused (0): a helper call per record that nothing read */
	__u64 ts_ns;
	__u32 tgid;	/* current task's process */
	__u32 tid;	/* current task */
	__u64 cgroup_id;	/* current task's cgroup v2 id (1: the root; 0 without cgroup2) */
};

/* How a process was made, from the forking syscall's clone flags (saved registers). */
enum ll_fork_how {
	LL_FORK_UNKNOWN = 0,	/* not made by fork/vfork/clone/clone3 (e.g. by a kernel thread) */
	LL_FORK_FORK,		/* a copy that shares nothing (fork(), or clone() without sharing) */
	LL_FORK_VFORK,		/* CLONE_VFORK: the parent is suspended until the child execs/exits */
	LL_FORK_CLONE,		/* clone() sharing memory, files, fs or signal handlers */
};

#define LL_SHARES_VM		(1u << 0)	/* child->mm == parent->mm (CLONE_VM) */
#define LL_SHARES_FILES		(1u << 1)	/* the fd table (CLONE_FILES) */
#define LL_SHARES_FS		(1u << 2)	/* cwd, root, umask (CLONE_FS) */
#define LL_SHARES_SIGHAND	(1u << 3)	/* signal handlers (CLONE_SIGHAND) */

/* A new process (never a thread): hdr is the forking task. */
struct ll_fork {
	struct ll_hdr hdr;
	__u32 pid;		/* child */
	__u32 ppid;		/* child's real_parent tgid (differs from hdr.tgid with CLONE_PARENT) */
	__u64 start_ns;		/* child task->start_time: with pid, identifies the process */
	char comm[LL_COMM_LEN];
	__u32 how;		/* enum ll_fork_how */
	__u32 shares;		/* LL_SHARES_*: what the child shares with its parent */
	__u32 ns_pid;		/* child's pid in its own PID namespace; 0 in the initial one */
	__u32 parent_ns_pid;	/* the same for its real parent */
};

/* A successful exec: hdr is the task after exec (hdr.tid == hdr.tgid). */
struct ll_exec {
	struct ll_hdr hdr;
	__u32 ppid;
	__u32 old_tid;		/* tid that called exec (a non-leader thread takes over the tgid) */
	__u64 start_ns;
	__u16 filename_len;	/* bytes in filename, without the NUL */
	__u16 args_len;		/* bytes in args: NUL-separated argv */
	__u16 args_truncated;	/* argv was longer than LL_ARGS_LEN */
	__u16 pad;
	char comm[LL_COMM_LEN];
	char filename[LL_FILENAME_LEN];
	char args[LL_ARGS_LEN];
};

/* Bits of ll_exit.flags: the parent's SIGCHLD disposition at the moment the child died. */
#define LL_EXIT_AUTOREAP	(1u << 0)	/* parent ignores SIGCHLD or set SA_NOCLDWAIT */
#define LL_EXIT_SIGCHLD_IGN	(1u << 1)	/* handler is SIG_IGN */
#define LL_EXIT_SIGCHLD_NOCLDWAIT (1u << 2)
#define LL_EXIT_SIGCHLD_HANDLER	(1u << 3)	/* parent installed a handler */
#define LL_EXIT_SIGCHLD_BLOCKED	(1u << 4)	/* SIGCHLD is in the parent thread's blocked mask */
#define LL_EXIT_PARENT_EXITING	(1u << 5)	/* parent is itself exiting */
#define LL_EXIT_NOT_SIGCHLD	(1u << 6)	/* exit_signal is not SIGCHLD (clone flags) */

/* A whole process died (its last thread exited): hdr is that last thread. */
struct ll_exit {
	struct ll_hdr hdr;
	__u32 ppid;		/* real_parent tgid now: the adopter if this process was orphaned */
	__u32 exit_code;	/* wait(2) status word: (code << 8) | sig | 0x80 if core */
	__u64 start_ns;
	__u32 flags;		/* LL_EXIT_* */
	__u32 pad;
	char comm[LL_COMM_LEN];
	char parent_comm[LL_COMM_LEN];
	__u32 ns_pid;		/* its pid in its own PID namespace; 0 in the initial one */
	__u32 parent_ns_pid;	/* the same for real_parent */
};

enum ll_reap_how {
	LL_HOW_WAIT4 = 1,
	LL_HOW_WAITID,
	LL_HOW_FREE,		/* task freed without a wait seen (fallback, ~RCU delay late) */
};

/* PID namespace levels below the initial one whose pids are translated (deeper: level 4's). */
#define LL_NS_LEVELS	4

/* Key of map "nspids" (-> host pid): a pid as the PID namespace with inode ns names it. */
struct ll_ns_key {
	__u32 ns;
	__u32 nr;
};

/*
 * A child was reaped: hdr is the reaper (for LL_HOW_FREE, whatever task ran the RCU callback).
 * pid is always the host pid: a reaper in a PID namespace gets its namespace's pid from wait4,
 * which the kernel side translates with the pids it recorded at fork. A wait that reports a
 * ptrace tracee to its tracer (not its parent) releases nothing and sends no record.
 */
struct ll_reap {
	struct ll_hdr hdr;
	__u32 pid;		/* the reaped child */
	__u32 how;		/* enum ll_reap_how */
	__s32 status;		/* wait status if known, else -1 */
	__u32 pad;
};

enum ll_sig_result {		/* kernel's TRACE_SIGNAL_* */
	LL_SIG_DELIVERED = 0,
	LL_SIG_IGNORED = 1,
	LL_SIG_ALREADY_PENDING = 2,	/* coalesced with a pending SIGCHLD */
};

/* SIGCHLD generated: hdr is the sender (usually the dying child). */
struct ll_sigchld {
	struct ll_hdr hdr;
	__u32 pid;		/* recipient tgid */
	__s32 result;		/* enum ll_sig_result, or other TRACE_SIGNAL_* values */
	__s32 code;		/* si_code: CLD_EXITED, CLD_KILLED, ... */
	__s32 status;		/* si_status: exit code, or the signal that killed/stopped/continued it */
};

/* accept/accept4 returned: hdr is the accepting thread. */
struct ll_accept {
	struct ll_hdr hdr;
	__s32 fd;		/* new fd, or -errno */
	__s32 listen_fd;
	__u16 family;		/* AF_INET / AF_INET6, 0 if not a TCP/IP socket */
	__u16 lport;		/* host order */
	__u16 rport;		/* host order */
	__u16 pad;
	__u8 laddr[16];		/* IPv4 in the first 4 bytes */
	__u8 raddr[16];
	__u64 queue_ns;		/* handshake complete -> accept returned; 0 if unknown */
	char comm[LL_COMM_LEN];
	/* The listening socket's accept queue as the accept left it, plus the connection it took
	 * (sk_ack_backlog + 1), and its limit (sk_max_ack_backlog); 0/0 if unknown or failed. */
	__u32 backlog;
	__u32 backlog_limit;
};

/* Log-linear histogram shared by BPF and user space: values in microseconds, 8 sub-buckets per
 * power of two, so a percentile read from it is within 1/16 (6.25%) of the true value. */
#define LL_HIST_SUB_BITS 3
#define LL_HIST_SUB	(1u << LL_HIST_SUB_BITS)
#define LL_HIST_SLOTS	256	/* covers 0 .. 2^33 us (~2.4 h); larger values go to the last slot */

static __always_inline __u32 ll_msb64(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) { r += 1; }
	return r;
}

static __always_inline __u32 ll_hist_slot(__u64 v)
{
	__u32 e, slot;

	if (v < LL_HIST_SUB)
		return (__u32)v;
	e = ll_msb64(v);
	slot = (e - LL_HIST_SUB_BITS + 1) * LL_HIST_SUB +
	       (__u32)((v >> (e - LL_HIST_SUB_BITS)) & (LL_HIST_SUB - 1));
	return slot < LL_HIST_SLOTS ? slot : LL_HIST_SLOTS - 1;
}

/*
 * Where a loop's thread is, as the scheduler sees it (--loops sched and calls alike): on CPU,
 * asleep in its event wait, asleep anywhere else, or runnable and waiting for a CPU.
 */
enum ll_loop_state {
	LL_LS_BUSY = 0,
	LL_LS_IDLE,
	LL_LS_OFFCPU,
	LL_LS_RUNQ,
	LL_LS_NR,
};

/*
 * Which wait a loop sleeps in, in ll_loop_stats.wait: the kind of its first sleep, but an epoll
 * wait always wins (a thread that polled once before its epoll loop is an epoll loop). Only
 * epoll loops have an epfd, and only their waits have exit hooks (--loops calls).
 */
enum ll_loop_wait {
	LL_WAIT_NONE = 0,
	LL_WAIT_EPOLL,		/* epoll_wait, epoll_pwait, epoll_pwait2 */
	LL_WAIT_POLL,		/* poll, ppoll */
	LL_WAIT_SELECT,		/* select, pselect6 */
	LL_WAIT_NR,
};

#define LL_LOOP_NSYS	4	/* syscalls slept in outside the wait; the last slot takes the rest */
#define LL_SYS_OTHER	(-2)	/* nr of that last slot once it holds more than one syscall */
#define LL_SYS_NONE	(-1)	/* asleep outside any syscall (a page fault) */

struct ll_loop_sys {
	__s32 nr;
	__u32 used;
	__u64 ns;		/* asleep in it outside the wait, whole run */
	__u64 stretch_ns;	/* ... during the current stretch between two waits */
};

/* Bits of ll_loop_stats.flags */
#define LL_LOOP_SHARED		(1u << 0)	/* another thread of the process waits on epfd */
#define LL_LOOP_STRETCH		(1u << 1)	/* between two waits: a stall may be under way */
#define LL_LOOP_WOKE		(1u << 2)	/* woken in its wait, not yet returned (calls mode) */

/* Per-thread event loop state, aggregated in the kernel (map "loops", key: tid). */
struct ll_loop_stats {
	__u32 tgid;
	__u32 tid;
	__s32 epfd;		/* epoll fd of the last wait */
	__s32 maxevents;	/* of the last wait */
	__u64 first_ns;		/* found: first sleep in the wait (calls mode: or first return) */
	__u64 sleep_ns;		/* asleep in a wait since then; 0 while not */
	__u64 exit_ns;		/* last wait returned then (calls mode) */
	__u32 state;		/* enum ll_loop_state, since state_ns */
	__u32 flags;		/* LL_LOOP_* */
	__u64 state_ns;
	__s32 sleep_nr;		/* LL_LS_OFFCPU: the syscall it sleeps in */
	__u32 wait;		/* enum ll_loop_wait */
	__u64 time_ns[LL_LS_NR];	/* closed periods per state; user space adds the open one */
	__u64 stretch_start_ns;		/* LL_LOOP_STRETCH: when the last wait ended */
	__u64 stretch_ns[LL_LS_NR];	/* that stretch so far, per state */
	__u64 waits;		/* sleeps in the wait that ended (woken) */
	__u64 wakeups;		/* calls mode: returns with events > 0; sched mode: waits */
	__u64 events;		/* calls mode only, like timeouts, full and errors */
	__u64 timeouts;		/* returns with 0 events */
	__u64 full;		/* returns with events == maxevents */
	__u64 errors;		/* returns < 0 (EINTR mostly) */
	__u64 stalls;
	__u64 max_stall_ns;
	struct ll_loop_sys sys[LL_LOOP_NSYS];
	__u32 blocked_hist[LL_HIST_SLOTS];	/* asleep in the wait, per wait (us); wraps */
	__u32 busy_hist[LL_HIST_SLOTS];		/* stretches between waits (us); wraps */
	char comm[LL_COMM_LEN];
	__u64 cpu_ns;		/* its CPU time (the kernel's own count) at its last switch-out */
	__u64 unseen;		/* switches in or out no tracepoint reported, placed from cpu_ns */
};

/* A thread slept in an event wait for the first time (rare: user space then follows the map). */
struct ll_loop_new {
	struct ll_hdr hdr;
	__s32 epfd;		/* -1: not an epoll loop */
	__s32 maxevents;
	char comm[LL_COMM_LEN];
	__u32 wait;		/* enum ll_loop_wait */
	__u32 pad;
};

/*
 * A stretch between two waits longer than the stall threshold ended: the loop went to sleep in
 * its next wait, or (calls mode) that wait returned at once with events ready.
 */
struct ll_stall {
	struct ll_hdr hdr;
	__u64 busy_ns;
	__u64 start_ns;		/* when the busy period began (the previous wait returned) */
	__u32 asleep;		/* ended by sleeping in the wait, not by its return */
	__u32 pad;
	char comm[LL_COMM_LEN];
	__u64 oncpu_ns;		/* busy_ns in its parts: on CPU, asleep outside the wait, runnable */
	__u64 offcpu_ns;
	__u64 runq_ns;
	__s32 syscall;		/* slept in most during the stretch; LL_SYS_NONE if it never slept */
	__u32 pad2;
};

/* One epoll_wait return (only when loop-all events are asked for). */
struct ll_wakeup {
	struct ll_hdr hdr;
	__s32 events;		/* return value */
	__s32 epfd;
	__u64 blocked_ns;
	__u64 busy_ns;		/* busy period before this wait */
};

/* A thread with loop state exited: its final totals, since its map entry is now gone. */
struct ll_loop_exit {
	struct ll_hdr hdr;
	struct ll_loop_stats stats;
};

/* Which call failed, in ll_fork_failed.call. */
enum ll_fork_call {
	LL_FORK_CALL_FORK = 1,
	LL_FORK_CALL_VFORK,
	LL_FORK_CALL_CLONE,
	LL_FORK_CALL_CLONE3,
};

/*
 * fork/vfork/clone/clone3 returned an error: hdr is the caller. The pids figures are those of
 * the nearest pids cgroup (v1 or v2, wherever the controller is bound) with a limit, read as the
 * call returned; -1 when no ancestor has a limit or the kernel has no pids controller.
 */
struct ll_fork_failed {
	struct ll_hdr hdr;
	__s32 err;		/* errno, positive */
	__u32 call;		/* enum ll_fork_call */
	__s64 pids_current;
	__s64 pids_max;
	char comm[LL_COMM_LEN];
};

#endif /* LIFELINE_ABI_H */
