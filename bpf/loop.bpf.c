// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Event loops: per-thread epoll_wait behaviour, aggregated here because a busy loop waits 100k+
 * times a second. Only rare things become records: a new loop, a stall, a loop's thread exiting
 * (and every return in loop-all mode). User space reads the "loops" map each interval.
 */
#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct ll_loop_stats);
} loops SEC(".maps");

/* Template for new entries: the value is too large for the BPF stack. */
static const struct ll_loop_stats loop_zero;

static __always_inline void emit_loop_new(struct ll_loop_stats *st)
{
	struct ll_loop_new *r = ll_reserve(sizeof(*r), LL_REC_LOOP_NEW);

	if (!r)
		return;
	r->epfd = st->epfd;
	r->maxevents = st->maxevents;
	__builtin_memcpy(r->comm, st->comm, sizeof(r->comm));
	ll_submit(r, LL_REC_LOOP_NEW);
}

static __always_inline struct ll_loop_stats *loop_create(__u32 tid, __u32 tgid, __u64 now)
{
	struct ll_loop_stats *st;

	if (bpf_map_update_elem(&loops, &tid, &loop_zero, BPF_NOEXIST)) {
		ll_count_map_full();
		return NULL;
	}
	st = bpf_map_lookup_elem(&loops, &tid);
	if (!st)
		return NULL;
	st->tgid = tgid;
	st->tid = tid;
	st->first_ns = now;
	bpf_get_current_comm(st->comm, sizeof(st->comm));
	return st;
}

/* barrier_var: clang proves the slot in range and drops the check the verifier needs. */
static __always_inline void hist_inc(__u32 *hist, __u32 slot, __u32 nslots)
{
	barrier_var(slot);
	if (slot < nslots)
		hist[slot]++;
}

static __always_inline void account_busy(struct ll_loop_stats *st, __u64 now)
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
	__builtin_memcpy(r->comm, st->comm, sizeof(r->comm));
	ll_submit(r, LL_REC_STALL);
}

static __always_inline void loop_enter(int epfd, int maxevents)
{
	__u64 id = bpf_get_current_pid_tgid(), now;
	__u32 tid = (__u32)id;
	struct ll_loop_stats *st;
	bool fresh = false;

	if (!ll_current_traced())
		return;
	now = bpf_ktime_get_ns();
	st = bpf_map_lookup_elem(&loops, &tid);
	if (!st) {
		st = loop_create(tid, id >> 32, now);
		if (!st)
			return;
		fresh = true;
	} else if (st->exit_ns && !st->enter_ns) {
		account_busy(st, now);
	}
	st->enter_ns = now;
	st->epfd = epfd;
	st->maxevents = maxevents;
	if (fresh)
		emit_loop_new(st);
}

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 s = v ? ll_msb64(v) + 1 : 0;

	return s < LL_EVHIST_SLOTS ? s : LL_EVHIST_SLOTS - 1;
}

static __always_inline void loop_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ll_loop_stats *st;
	struct ll_wakeup *r;
	__u64 now, blocked;

	st = bpf_map_lookup_elem(&loops, &tid);
	if (!st || !st->enter_ns)
		return;
	now = bpf_ktime_get_ns();
	blocked = now - st->enter_ns;
	st->blocked_ns += blocked;
	hist_inc(st->blocked_hist, ll_hist_slot(blocked / 1000), LL_HIST_SLOTS);
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
	if (ll_loop_all) {
		r = ll_reserve(sizeof(*r), LL_REC_WAKEUP);
		if (r) {
			r->events = ret;
			r->epfd = st->epfd;
			r->blocked_ns = blocked;
			r->busy_ns = st->exit_ns ? st->enter_ns - st->exit_ns : 0;
			ll_submit(r, LL_REC_WAKEUP);
		}
	}
	st->enter_ns = 0;
	st->exit_ns = now;
}

SEC("tp/syscalls/sys_enter_epoll_wait")
int ll_enter_epoll_wait(struct trace_event_raw_sys_enter *ctx)
{
	loop_enter(ctx->args[0], ctx->args[2]);
	return 0;
}

SEC("tp/syscalls/sys_enter_epoll_pwait")
int ll_enter_epoll_pwait(struct trace_event_raw_sys_enter *ctx)
{
	loop_enter(ctx->args[0], ctx->args[2]);
	return 0;
}

SEC("tp/syscalls/sys_enter_epoll_pwait2")
int ll_enter_epoll_pwait2(struct trace_event_raw_sys_enter *ctx)
{
	loop_enter(ctx->args[0], ctx->args[2]);
	return 0;
}

SEC("tp/syscalls/sys_exit_epoll_wait")
int ll_exit_epoll_wait(struct trace_event_raw_sys_exit *ctx)
{
	loop_exit(ctx->ret);
	return 0;
}

SEC("tp/syscalls/sys_exit_epoll_pwait")
int ll_exit_epoll_pwait(struct trace_event_raw_sys_exit *ctx)
{
	loop_exit(ctx->ret);
	return 0;
}

SEC("tp/syscalls/sys_exit_epoll_pwait2")
int ll_exit_epoll_pwait2(struct trace_event_raw_sys_exit *ctx)
{
	loop_exit(ctx->ret);
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
