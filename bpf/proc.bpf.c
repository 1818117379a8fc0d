// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Process lifecycles: fork, exec, exit, reap (wait4/waitid, free as fallback) and SIGCHLD. */
#include "common.bpf.h"

/*
 * Zombies seen to die (exited, not auto-reaped) and not yet reaped: a set of pids. A zombie holds
 * its pid, so the pid alone is a safe key until the reap removes it. Most live in ll_zombie_slot,
 * a table indexed by the pid's low bits where one compare-and-swap adds or removes one; a pid
 * whose slot another zombie holds goes to the hash. A hash update takes a bucket lock: ~900 ns
 * per exit here (bpf_stats, forkstorm), against one cache line for the slot.
 */
__u64 ll_zombie_slot[LL_ZOMBIE_SLOTS];	/* 64-bit: the atomics of the default -mcpu */
/* Fewer slots for tests (LIFELINE_ZOMBIE_SLOTS): the hash then takes the rest. */
const volatile __u32 ll_zombie_mask = LL_ZOMBIE_SLOTS - 1;
/* Entries added to the hashes below minus those deleted (never less): skip them while zero. */
__u64 ll_zombies_hashed;
__u64 ll_traced_zombies;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} zombies SEC(".maps");

/* Zombies traced by a ptrace tracer other than their parent: pid -> tracer tgid. The tracer's
 * wait for them only detaches it (the parent still has to reap), so it is no reap. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
} traced_zombies SEC(".maps");

/* (namespace, pid there) -> host pid, for processes forked in a PID namespace: wait4/waitid of a
 * reaper there return the namespace's pid. Recorded at fork (and by user space from /proc for
 * processes older than lifeline), dropped when the task is freed. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ll_ns_key);
	__type(value, __u32);
} nspids SEC(".maps");

static const __u8 one = 1;

static __always_inline __u64 *zombie_slot(__u32 pid)
{
	return &ll_zombie_slot[pid & ll_zombie_mask & (LL_ZOMBIE_SLOTS - 1)];
}

static __always_inline void zombie_add(__u32 pid)
{
	__u64 old = __sync_val_compare_and_swap(zombie_slot(pid), 0, pid);

	/* old == pid: a zombie of that pid whose reap went unseen; this one takes its place */
	if (!old || old == pid)
		return;
	__sync_fetch_and_add(&ll_zombies_hashed, 1);
	if (bpf_map_update_elem(&zombies, &pid, &one, BPF_ANY)) {
		__sync_fetch_and_add(&ll_zombies_hashed, -1);
		ll_count_map_full();
	}
}

static __always_inline bool zombie_has(__u32 pid)
{
	if (*zombie_slot(pid) == pid)
		return true;
	return ll_zombies_hashed && bpf_map_lookup_elem(&zombies, &pid);
}

/* Whether pid was a zombie of the set; a wait and the free fallback may race: one wins. */
static __always_inline bool zombie_remove(__u32 pid)
{
	__u64 *slot = zombie_slot(pid);

	if (*slot == pid && __sync_val_compare_and_swap(slot, pid, 0) == pid)
		return true;
	if (!ll_zombies_hashed || bpf_map_delete_elem(&zombies, &pid))
		return false;
	__sync_fetch_and_add(&ll_zombies_hashed, -1);
	return true;
}

/* Syscall numbers of fork, vfork, clone and clone3 on this arch (set by user space); -1: none. */
const volatile long ll_nr_fork[4] = { -1, -1, -1, -1 };

/*
 * The forking syscall's clone flags, from the registers saved at its entry: CLONE_VFORK leaves no
 * trace in the child before this tracepoint (kernel_clone sets vfork_done after it). -1: the
 * process was not made by one of these syscalls (a kernel thread's user_mode_thread, say).
 */
static __always_inline long fork_clone_flags(void)
{
	struct pt_regs *regs = ll_syscall_regs();
	long nr = ll_syscall_nr(regs);
	__u64 flags, uflags = 0;

	if (nr < 0)
		return -1;
	if (nr == ll_nr_fork[0])
		return 0;
	if (nr == ll_nr_fork[1])
		return CLONE_VM | CLONE_VFORK;
	/* Each load is pinned to its own path (barrier_var): clang would otherwise merge the load
	 * from the registers with the one from the stack, and the verifier refuses the mix. */
	if (nr == ll_nr_fork[2]) {	/* clone(flags, ...) on x86_64 and arm64 */
		flags = PT_REGS_PARM1_SYSCALL(regs);
		barrier_var(flags);
		return flags;
	}
	if (nr != ll_nr_fork[3])
		return -1;
	/* clone3(struct clone_args *): flags come first */
	if (bpf_probe_read_user(&uflags, sizeof(uflags), (void *)PT_REGS_PARM1_SYSCALL(regs)))
		return -1;
	flags = uflags;
	barrier_var(flags);
	return flags;
}

/* What the child shares, read from the tasks themselves (CO-RE), whatever made it. */
static __always_inline __u32 fork_shares(struct task_struct *parent, struct task_struct *child)
{
	void *mm = child->mm;
	__u32 shares = 0;

	if (mm && mm == parent->mm)
		shares |= LL_SHARES_VM;
	if (child->files == parent->files)
		shares |= LL_SHARES_FILES;
	if (child->fs == parent->fs)
		shares |= LL_SHARES_FS;
	if (child->sighand == parent->sighand)
		shares |= LL_SHARES_SIGHAND;
	return shares;
}

static __always_inline __u32 fork_how(long flags, __u32 shares)
{
	if (flags < 0)
		return LL_FORK_UNKNOWN;
	if (flags & CLONE_VFORK)
		return LL_FORK_VFORK;
	return shares ? LL_FORK_CLONE : LL_FORK_FORK;
}

/* numbers[level] of a struct pid: the task's pid in the namespace at that level. */
static __always_inline int pid_at_level(struct pid *p, unsigned int level, struct upid *up)
{
	return bpf_core_read(up, sizeof(*up), &p->numbers[level]);
}

/* A task's pid in its own PID namespace, 0 when that is the initial one. */
static __always_inline __u32 task_ns_pid(struct task_struct *t)
{
	struct pid *p = t->thread_pid;
	unsigned int level = p->level;
	struct upid up = {};

	if (!level || pid_at_level(p, level, &up))
		return 0;
	return up.nr;
}

/*
 * Every namespace pid of a process, for the reapers of each of its namespaces: recorded (host
 * != 0) at fork, forgotten (host == 0) when the task is freed.
 */
static __always_inline void set_ns_pids(struct task_struct *task, __u32 host)
{
	struct pid *p = task->thread_pid;
	unsigned int level = p->level, l;
	struct ll_ns_key k = {};
	struct upid up;

	for (l = 1; l <= LL_NS_LEVELS && l <= level; l++) {
		if (pid_at_level(p, l, &up))
			break;
		k.ns = BPF_CORE_READ(up.ns, ns.inum);
		k.nr = up.nr;
		if (!host)
			bpf_map_delete_elem(&nspids, &k);
		else if (bpf_map_update_elem(&nspids, &k, &host, BPF_ANY))
			ll_count_map_full();
	}
}

/* The host pid of a pid the current task got from wait4/waitid (its namespace's); 0: unknown. */
static __always_inline __u32 host_pid_of_waited(__u32 nr)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct pid *p = cur->thread_pid;
	unsigned int level = p->level;
	struct ll_ns_key k = {};
	struct upid up;
	__u32 *host;

	if (!level)
		return nr;
	if (pid_at_level(p, level, &up))
		return 0;
	k.ns = BPF_CORE_READ(up.ns, ns.inum);
	k.nr = nr;
	host = bpf_map_lookup_elem(&nspids, &k);
	return host ? *host : 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(ll_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct ll_fork *r;

	if (ctgid == ptgid)	/* a thread, not a process */
		return 0;
	if (!ll_tgid_traced(ptgid))
		return 0;
	if (ll_filter_pids && bpf_map_update_elem(&traced, &ctgid, &one, BPF_ANY))
		ll_count_map_full();
	set_ns_pids(child, ctgid);
	if (!ll_comm_ok(child->comm) || !ll_uid_ok(child))
		return 0;
	r = ll_reserve(sizeof(*r), LL_REC_FORK);
	if (!r)
		return 0;
	r->pid = ctgid;
	r->ppid = child->real_parent->tgid;
	r->start_ns = child->start_time;
	__builtin_memcpy(r->comm, child->comm, sizeof(r->comm));
	r->shares = fork_shares(parent, child);
	r->how = fork_how(fork_clone_flags(), r->shares);
	r->ns_pid = task_ns_pid(child);
	r->parent_ns_pid = task_ns_pid(child->real_parent);
	ll_submit(r, LL_REC_FORK);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ll_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 arg_start, arg_end, len;
	struct ll_exec *r;
	long n;

	if (!ll_tgid_traced(p->tgid) || !ll_comm_ok(p->comm) || !ll_uid_ok(p))
		return 0;
	r = ll_reserve(sizeof(*r), LL_REC_EXEC);
	if (!r)
		return 0;
	r->ppid = p->real_parent->tgid;
	r->old_tid = old_pid;
	r->start_ns = p->group_leader->start_time;
	__builtin_memcpy(r->comm, p->comm, sizeof(r->comm));
	n = bpf_probe_read_kernel_str(r->filename, sizeof(r->filename), bprm->filename);
	r->filename_len = n > 0 ? n - 1 : 0;
	/* The new image's argv was just copied onto its stack, so the pages are present. */
	arg_start = p->mm->arg_start;
	arg_end = p->mm->arg_end;
	len = arg_end > arg_start ? arg_end - arg_start : 0;
	r->args_truncated = len > LL_ARGS_LEN;
	if (len > LL_ARGS_LEN)
		len = LL_ARGS_LEN;
	r->args_len = 0;
	r->pad = 0;
	if (len && !bpf_probe_read_user(r->args, len, (void *)arg_start))
		r->args_len = len;
	ll_submit(r, LL_REC_EXEC);
	return 0;
}

/* The parent's SIGCHLD disposition decides, at this moment, whether the child becomes a zombie. */
static __always_inline __u32 parent_sigchld_flags(struct task_struct *task, struct task_struct *parent)
{
	unsigned long handler, sa_flags, blocked;
	__u32 flags = 0;

	struct k_sigaction *act = &parent->sighand->action[SIGCHLD - 1];

	handler = (unsigned long)act->sa.sa_handler;
	sa_flags = act->sa.sa_flags;
	blocked = parent->blocked.sig[0];
	if (handler == SIG_IGN)
		flags |= LL_EXIT_SIGCHLD_IGN;
	else if (handler > SIG_IGN)
		flags |= LL_EXIT_SIGCHLD_HANDLER;
	if (sa_flags & SA_NOCLDWAIT)
		flags |= LL_EXIT_SIGCHLD_NOCLDWAIT;
	if (blocked & (1UL << (SIGCHLD - 1)))
		flags |= LL_EXIT_SIGCHLD_BLOCKED;
	if (parent->flags & PF_EXITING)
		flags |= LL_EXIT_PARENT_EXITING;
	if (task->exit_signal != SIGCHLD)
		flags |= LL_EXIT_NOT_SIGCHLD;
	/* As do_notify_parent(): only a SIGCHLD-signalling, untraced child is auto-reaped. */
	if ((flags & (LL_EXIT_SIGCHLD_IGN | LL_EXIT_SIGCHLD_NOCLDWAIT)) &&
	    !(flags & LL_EXIT_NOT_SIGCHLD) && !task->ptrace)
		flags |= LL_EXIT_AUTOREAP;
	return flags;
}

/* A dying tracee whose tracer is not its parent: the tracer's wait for it will be no reap. */
static __always_inline void note_tracer(struct task_struct *task, struct task_struct *parent,
					__u32 tgid)
{
	__u32 tracer;

	if (!task->ptrace)
		return;
	tracer = task->parent->tgid;
	if (tracer == parent->tgid)
		return;
	__sync_fetch_and_add(&ll_traced_zombies, 1);
	if (bpf_map_update_elem(&traced_zombies, &tgid, &tracer, BPF_ANY)) {
		__sync_fetch_and_add(&ll_traced_zombies, -1);
		ll_count_map_full();
	}
}

/* Whether pid was in traced_zombies; its tracer's tgid in *tracer. */
static __always_inline bool forget_tracer(__u32 pid, __u32 *tracer)
{
	__u32 *t;

	if (!ll_traced_zombies)
		return false;
	t = bpf_map_lookup_elem(&traced_zombies, &pid);
	if (!t)
		return false;
	*tracer = *t;
	if (!bpf_map_delete_elem(&traced_zombies, &pid))
		__sync_fetch_and_add(&ll_traced_zombies, -1);
	return true;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ll_exit, struct task_struct *task)
{
	struct task_struct *parent;
	struct signal_struct *sig;
	__u32 tgid = task->tgid, flags;
	struct ll_exit *r;
	__u64 now;

	/* Per thread; the process is gone when the last one leaves (do_exit's group_dead). */
	sig = task->signal;
	if (sig->live.counter != 0)
		return 0;
	if (!ll_tgid_traced(tgid))
		return 0;
	if (ll_filter_pids)
		bpf_map_delete_elem(&traced, &tgid);
	if (!ll_comm_ok(task->comm) || !ll_uid_ok(task))
		return 0;
	parent = task->real_parent;
	flags = parent_sigchld_flags(task, parent);
	/* The zombie is recorded even when the ring is full and this record is lost: its reap is
	 * then still sent, and user space closes the lifetime as incomplete instead of holding a
	 * process that is long gone as alive. */
	now = bpf_ktime_get_ns();
	if (!(flags & LL_EXIT_AUTOREAP))
		zombie_add(tgid);
	note_tracer(task, parent, tgid);
	r = ll_reserve_at(sizeof(*r), LL_REC_EXIT, now);
	if (!r)
		return 0;
	r->ppid = parent->tgid;
	r->exit_code = sig->flags & SIGNAL_GROUP_EXIT ? sig->group_exit_code : task->exit_code;
	r->start_ns = task->group_leader->start_time;
	r->flags = flags;
	r->pad = 0;
	__builtin_memcpy(r->comm, task->comm, sizeof(r->comm));
	__builtin_memcpy(r->parent_comm, parent->comm, sizeof(r->parent_comm));
	r->ns_pid = task_ns_pid(task);
	r->parent_ns_pid = task_ns_pid(parent);
	ll_submit(r, LL_REC_EXIT);
	return 0;
}

/* The tracer's wait for a tracee that is not its child: it only detaches. */
static __always_inline bool tracer_wait(__u32 pid)
{
	__u32 tracer;

	return forget_tracer(pid, &tracer) && tracer == bpf_get_current_pid_tgid() >> 32;
}

static __always_inline void emit_reap(__u32 pid, __u32 how, __s32 status)
{
	struct ll_reap *r;

	if (how != LL_HOW_FREE && tracer_wait(pid))
		return;

	/* Only zombies we saw die, unless tracing everything (then pre-existing ones too). */
	if (!zombie_remove(pid) && (ll_filter_pids || ll_ncomms || ll_ncgroups || ll_filter_uid))
		return;
	r = ll_reserve(sizeof(*r), LL_REC_REAP);
	if (!r)
		return;
	r->pid = pid;
	r->how = how;
	r->status = status;
	r->pad = 0;
	ll_submit(r, LL_REC_REAP);
}

/*
 * Not filtered by the waiter: the reaper (init, an adopter, lifeline reaping its COMMAND) is
 * often untraced while the child is; emit_reap decides by the child.
 */
SEC("tp/syscalls/sys_exit_wait4")
int ll_exit_wait4(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs;
	void *ustatus;
	__u32 pid;
	__s32 status = -1;
	long ret = ctx->ret;

	if (ret <= 0)
		return 0;
	/* wait4(pid, int *status, options, rusage): the status tells a reap from a report */
	regs = ll_syscall_regs();
	ustatus = (void *)PT_REGS_PARM2_SYSCALL(regs);
	if (ustatus)
		bpf_probe_read_user(&status, sizeof(status), ustatus);
	pid = host_pid_of_waited(ret);
	if (!pid)
		return 0;	/* a namespace pid we cannot translate: the free fallback has it */
	/* Stopped (0x7f low byte, also ptrace stops, reported without WUNTRACED) and continued
	 * (0xffff) reports are not reaps; with no status to read, only a zombie we hold is. */
	if (status != -1 && (status & 0xff) != 0x7f && status != 0xffff)
		emit_reap(pid, LL_HOW_WAIT4, status);
	else if (status == -1 && zombie_has(pid))
		emit_reap(pid, LL_HOW_WAIT4, status);
	return 0;
}

/* The leading fields of the user's siginfo_t for SIGCHLD (x86_64/arm64 layout). */
struct user_sigchld_info {
	int si_signo;
	int si_errno;
	int si_code;
	int pad;
	int si_pid;
	unsigned int si_uid;
	int si_status;
};

SEC("tp/syscalls/sys_exit_waitid")
int ll_exit_waitid(struct trace_event_raw_sys_exit *ctx)
{
	struct user_sigchld_info si = {};
	struct pt_regs *regs;
	void *infop;
	__u32 options, pid;
	__s32 status;

	if (ctx->ret != 0)
		return 0;
	/* waitid(which, pid, siginfo_t *infop, options, rusage) */
	regs = ll_syscall_regs();
	infop = (void *)PT_REGS_PARM3_SYSCALL(regs);
	options = PT_REGS_PARM4_SYSCALL(regs);
	/* WNOWAIT only peeks; a NULL infop hides the pid (the free fallback catches it). */
	if (infop && !(options & WNOWAIT) && !bpf_probe_read_user(&si, sizeof(si), infop) &&
	    si.si_pid > 0 && si.si_code >= CLD_EXITED && si.si_code <= CLD_DUMPED) {
		if (si.si_code == CLD_EXITED)
			status = (si.si_status & 0xff) << 8;
		else
			status = (si.si_status & 0x7f) | (si.si_code == CLD_DUMPED ? 0x80 : 0);
		pid = host_pid_of_waited(si.si_pid);
		if (pid)
			emit_reap(pid, LL_HOW_WAITID, status);
	}
	return 0;
}

/* Fallback: a zombie freed without a wait we saw (ptrace, NULL infop, a reaper we missed). */
SEC("tp_btf/sched_process_free")
int BPF_PROG(ll_free, struct task_struct *task)
{
	__u32 pid = task->pid, tracer;

	if (pid != task->tgid)
		return 0;
	set_ns_pids(task, 0);
	forget_tracer(pid, &tracer);
	if (!zombie_has(pid))
		return 0;
	emit_reap(pid, LL_HOW_FREE, -1);
	return 0;
}

/*
 * A record per SIGCHLD (the event stream shows them all), or only per coalesced one (the
 * summaries count just those): a record costs ~270 ns of the ring and its timestamp, and this
 * is one per process that exits.
 */
const volatile bool ll_sigchld_all = true;

SEC("tp_btf/signal_generate")
int BPF_PROG(ll_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	__u32 to, from = bpf_get_current_pid_tgid() >> 32;
	struct ll_sigchld *r;

	if (sig != SIGCHLD || (!ll_sigchld_all && result != LL_SIG_ALREADY_PENDING))
		return 0;
	to = task->tgid;
	if (to == ll_self_tgid || from == ll_self_tgid)
		return 0;
	if (!ll_tgid_traced(to) && !ll_tgid_traced(from))
		return 0;
	if (!ll_uid_ok(task))
		return 0;
	if (!ll_comm_ok(task->comm)) {
		char comm[LL_COMM_LEN];

		bpf_get_current_comm(comm, sizeof(comm));
		if (!ll_comm_ok(comm))
			return 0;
	}
	r = ll_reserve(sizeof(*r), LL_REC_SIGCHLD);
	if (!r)
		return 0;
	r->pid = to;
	r->result = result;
	/* SEND_SIG_NOINFO and SEND_SIG_PRIV are the pointers 0 and 1. */
	r->code = 0;
	r->status = 0;
	/* The verifier types info as a scalar (it may encode SEND_SIG_PRIV): read it, not load it. */
	if ((unsigned long)info > 1) {
		r->code = BPF_CORE_READ(info, si_code);
		r->status = BPF_CORE_READ(info, _sifields._sigchld._status);
	}
	ll_submit(r, LL_REC_SIGCHLD);
	return 0;
}
