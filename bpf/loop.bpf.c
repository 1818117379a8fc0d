// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Event loops: per-thread epoll_wait behaviour, aggregated here because a busy loop waits 100k+
 * times a second. Only rare things become records: a new loop, a stall, a loop's thread exiting
 * (and every return in loop-all mode). User space reads the "loops" map each interval.
 *
 * A wait is seen at two points, never at its entry: where its thread goes to sleep in it
 * (sched_switch) and where it returns (sys_exit). A syscall-entry program would cost a
 * tracepoint dispatch and a clock read on every call (make bench: +516 ns per call with one,
 * +289 ns without); a loop that finds events ready never sleeps, so its waits cost one program and one clock
 * read. Busy time therefore runs from a return to the next sleep (or return), and blocked time is
 * time asleep in the wait: the few microseconds a wait spends running count as busy.
 */
#include "common.bpf.h"

/* Syscall numbers of epoll_wait, epoll_pwait and epoll_pwait2 on this arch; -1: none. */
const volatile long ll_nr_epoll[3] = { -1, -1, -1 };

/*
 * Keyed by tid. Task-local storage pointing into an mmapped array was tried and ran slower here
 * (~420 vs ~265 ns per return under the epoll_echo load, bpf_stats).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct ll_loop_stats);
} loops SEC(".maps");

/* Template for new entries: the value is too large for the BPF stack. */
static const struct ll_loop_stats loop_zero;

static __always_inline bool is_epoll_wait(long nr)
{
	return nr >= 0 && (nr == ll_nr_epoll[0] || nr == ll_nr_epoll[1] || nr == ll_nr_epoll[2]);
}

/* The wait's own arguments, from the registers saved at syscall entry: (epfd, events, max). */
static __always_inline void note_wait_args(struct ll_loop_stats *st, struct pt_regs *regs)
{
	st->epfd = PT_REGS_PARM1_SYSCALL(regs);
	st->maxevents = PT_REGS_PARM3_SYSCALL(regs);
}

static __always_inline void emit_loop_new(struct ll_loop_stats *st, __u64 now)
{
	struct ll_loop_new *r = ll_reserve_at(sizeof(*r), LL_REC_LOOP_NEW, now);

	if (!r)
		return;
	r->epfd = st->epfd;
	r->maxevents = st->maxevents;
	__builtin_memcpy(r->comm, st->comm, sizeof(r->comm));
	ll_submit(r, LL_REC_LOOP_NEW);
}

/*
 * The current thread's first wait: it is in one now (asleep or returning); first_ns is now.
 * The clock is read only past the filter: untraced loops (lifeline's own poll, other processes
 * under -p or -c) cost a lookup, not a clock read.
 */
static __always_inline struct ll_loop_stats *loop_create(struct pt_regs *regs)
{
	__u64 id = bpf_get_current_pid_tgid(), now;
	__u32 tid = (__u32)id;
	struct ll_loop_stats *st;

	if (!ll_current_traced())
		return NULL;
	now = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&loops, &tid, &loop_zero, BPF_NOEXIST)) {
		ll_count_map_full();
		return NULL;
	}
	st = bpf_map_lookup_elem(&loops, &tid);
	if (!st)
		return NULL;
	st->tgid = id >> 32;
	st->tid = tid;
	st->first_ns = now;
	bpf_get_current_comm(st->comm, sizeof(st->comm));
	note_wait_args(st, regs);
	emit_loop_new(st, now);
	return st;
}

/* barrier_var: clang proves the slot in range and drops the check the verifier needs. */
static __always_inline void hist_inc(__u32 *hist, __u32 slot, __u32 nslots)
{
	barrier_var(slot);
	if (slot < nslots)
		hist[slot]++;
}

/* The busy period since the previous return ended now: the loop is in its next wait. */
static __always_inline void account_busy(struct ll_loop_stats *st, __u64 now, bool asleep)
{
	__u64 busy = now - st->exit_ns;
	struct ll_stall *r;

	st->busy_ns += busy;
	hist_inc(st->busy_hist, ll_hist_slot(busy / 1000), LL_HIST_SLOTS);
	if (busy < ll_stall_ns)
		return;
	st->stalls++;
	if (busy > st->max_stall_ns)
		st->max_stall_ns = busy;
	r = ll_reserve_at(sizeof(*r), LL_REC_STALL, now);
	if (!r)
		return;
	r->busy_ns = busy;
	r->start_ns = st->exit_ns;
	r->asleep = asleep;
	r->pad = 0;
	__builtin_memcpy(r->comm, st->comm, sizeof(r->comm));
	ll_submit(r, LL_REC_STALL);
}

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 s = v ? ll_msb64(v) + 1 : 0;

	return s < LL_EVHIST_SLOTS ? s : LL_EVHIST_SLOTS - 1;
}

static __always_inline void count_return(struct ll_loop_stats *st, long ret)
{
	if (ret > 0) {
		st->wakeups++;
		st->events += ret;
		if (ret >= st->maxevents)
			st->full++;
		hist_inc(st->events_hist, log2_slot(ret), LL_EVHIST_SLOTS);
	} else if (ret == 0) {
		st->timeouts++;
	} else {
		st->errors++;
	}
}

static __always_inline void emit_wakeup(struct ll_loop_stats *st, long ret, __u64 now,
					__u64 blocked, __u64 busy)
{
	struct ll_wakeup *r = ll_reserve_at(sizeof(*r), LL_REC_WAKEUP, now);

	if (!r)
		return;
	r->events = ret;
	r->epfd = st->epfd;
	r->blocked_ns = blocked;
	r->busy_ns = busy;
	ll_submit(r, LL_REC_WAKEUP);
}

static __always_inline void loop_return(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pt_regs *regs = ll_syscall_regs();
	struct ll_loop_stats *st;
	__u64 now, blocked = 0, busy = 0, began;

	st = bpf_map_lookup_elem(&loops, &tid);
	if (!st) {
		/* The wait began before lifeline saw it: only its result is known. */
		st = loop_create(regs);
		if (!st)
			return;
		count_return(st, ret);
		st->exit_ns = st->first_ns;
		return;
	}
	now = bpf_ktime_get_ns();
	note_wait_args(st, regs);
	began = st->sleep_ns ? st->sleep_ns : now;
	if (st->exit_ns)
		busy = began - st->exit_ns;
	if (st->sleep_ns) {
		blocked = now - st->sleep_ns;
		st->sleep_ns = 0;
	} else if (st->exit_ns) {
		account_busy(st, now, false);
	}
	/* Every wait counts in the blocked histogram, the ones that found events ready as 0. */
	st->blocked_ns += blocked;
	hist_inc(st->blocked_hist, ll_hist_slot(blocked / 1000), LL_HIST_SLOTS);
	count_return(st, ret);
	if (ll_loop_all)
		emit_wakeup(st, ret, now, blocked, busy);
	st->exit_ns = now;
}

SEC("tp/syscalls/sys_exit_epoll_wait")
int ll_exit_epoll_wait(struct trace_event_raw_sys_exit *ctx)
{
	loop_return(ctx->ret);
	return 0;
}

SEC("tp/syscalls/sys_exit_epoll_pwait")
int ll_exit_epoll_pwait(struct trace_event_raw_sys_exit *ctx)
{
	loop_return(ctx->ret);
	return 0;
}

SEC("tp/syscalls/sys_exit_epoll_pwait2")
int ll_exit_epoll_pwait2(struct trace_event_raw_sys_exit *ctx)
{
	loop_return(ctx->ret);
	return 0;
}

/*
 * A thread goes to sleep: if it sleeps inside an epoll wait, its busy period ended here. Only
 * voluntary sleeps: a wait preempted while it runs is still running. current is still prev.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(ll_loop_sleep, bool preempt, struct task_struct *prev)
{
	struct pt_regs *regs;
	struct ll_loop_stats *st;
	__u32 tid;
	__u64 now;

	if (preempt)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(prev);
	if (!is_epoll_wait(ll_syscall_nr(regs)))
		return 0;
	tid = prev->pid;
	st = bpf_map_lookup_elem(&loops, &tid);
	if (!st) {
		st = loop_create(regs);
		if (st)
			st->sleep_ns = st->first_ns;
		return 0;
	}
	if (st->sleep_ns)
		return 0;	/* woken without events and asleep again: still the same wait */
	now = bpf_ktime_get_ns();
	if (st->exit_ns)
		account_busy(st, now, true);
	st->sleep_ns = now;
	return 0;
}

/* A loop's thread exited: hand over its final totals, then free its entry. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(ll_loop_thread_exit, struct task_struct *task)
{
	__u32 tid = task->pid;
	struct ll_loop_stats *st;
	struct ll_loop_exit *r;

	st = bpf_map_lookup_elem(&loops, &tid);
	if (!st)
		return 0;
	r = ll_reserve(sizeof(*r), LL_REC_LOOP_EXIT);
	if (r) {
		bpf_probe_read_kernel(&r->stats, sizeof(r->stats), st);
		ll_submit(r, LL_REC_LOOP_EXIT);
	}
	bpf_map_delete_elem(&loops, &tid);
	return 0;
}
