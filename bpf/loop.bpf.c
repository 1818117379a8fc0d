// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Event loops: where each loop thread's time goes, from the scheduler's view, aggregated here
 * because a busy loop waits 100k+ times a second. Only rare things become records: a new loop,
 * a stall, a loop's thread exiting (and every return in loop-all mode). User space reads the
 * "loops" map each interval.
 *
 * --loops sched (the default) needs no per-call hook. sched_switch tells, for the thread going
 * off CPU, whether it is still runnable (preempted: run queue), asleep in its event wait (the
 * syscall number in its saved registers is an event wait: idle) or asleep elsewhere (off CPU,
 * and in which syscall); sched_wakeup ends a sleep (from then on it waits for a CPU) and
 * sched_switch's next ends the wait for a CPU. A loop that never sleeps costs nothing at all;
 * one that sleeps pays three cheap tp_btf programs per wait, not a syscall tracepoint per call.
 *
 * --loops calls adds the syscall-exit programs of the waits (events per wakeup, timeouts,
 * maxevents full, and a boundary at every return, also the ones that did not sleep), at
 * +250 ns or more per call for the syscall tracepoint alone (make bench).
 *
 * A stretch runs from the end of one wait (woken in it; calls mode: or a return that did not
 * sleep) to the start of the next; one longer than --stall-ms is a stall, with its on-CPU,
 * off-CPU and run-queue parts.
 */
#include "common.bpf.h"

/* Syscall numbers of epoll_wait, epoll_pwait and epoll_pwait2 on this arch; -1: none. */
const volatile long ll_nr_epoll[3] = { -1, -1, -1 };
/* poll and ppoll, select and pselect6: the waits of loops without epoll (udp_echo, Python). */
const volatile long ll_nr_poll[2] = { -1, -1 };
const volatile long ll_nr_select[2] = { -1, -1 };
const volatile long ll_nr_futex = -1;
/* --loops calls: the syscall-exit programs are loaded and own the per-call counts. */
const volatile bool ll_loop_calls = false;

/*
 * Keyed by tid. Task-local storage pointing into an mmapped array was tried and ran slower here
 * (~420 vs ~265 ns per return under the epoll_echo load, bpf_stats).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LL_MAX_LOOPS);
	__type(key, __u32);
	__type(value, struct ll_loop_stats);
} loops SEC(".maps");

/* Which thread first waited on an epoll fd: a second one makes both a shared loop. */
struct ll_epfd_key {
	__u32 tgid;
	__s32 epfd;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LL_MAX_LOOPS);
	__type(key, struct ll_epfd_key);
	__type(value, __u32);
} loop_epfds SEC(".maps");

/*
 * Loop entries per tid slot (tid & (LL_LOOP_HINTS - 1)), raised before an entry is added (here
 * or by user space seeding at attach) and lowered after one is deleted, so it never undercounts.
 * A zero slot means "no loop": the scheduler programs run on every switch and wake-up of every
 * task, nearly all of them no loop, and a hash miss costs them 100-150 ns of cold buckets here
 * where one load of this small, always-hot array costs next to nothing.
 */
__u32 ll_loop_hint[LL_LOOP_HINTS];

static __always_inline __u32 *loop_hint(__u32 tid)
{
	return &ll_loop_hint[tid & (LL_LOOP_HINTS - 1)];
}

static __always_inline bool maybe_loop(__u32 tid)
{
	return *loop_hint(tid) != 0;
}

static __always_inline struct ll_loop_stats *loop_of(__u32 tid)
{
	if (!maybe_loop(tid))
		return NULL;
	return bpf_map_lookup_elem(&loops, &tid);
}

/* Template for new entries: the value is too large for the BPF stack. */
static const struct ll_loop_stats loop_zero;

/* The kind of event wait syscall nr is (enum ll_loop_wait), LL_WAIT_NONE for any other. */
static __always_inline __u32 wait_kind(long nr)
{
	if (nr < 0)
		return LL_WAIT_NONE;
	if (nr == ll_nr_epoll[0] || nr == ll_nr_epoll[1] || nr == ll_nr_epoll[2])
		return LL_WAIT_EPOLL;
	if (nr == ll_nr_poll[0] || nr == ll_nr_poll[1])
		return LL_WAIT_POLL;
	if (nr == ll_nr_select[0] || nr == ll_nr_select[1])
		return LL_WAIT_SELECT;
	return LL_WAIT_NONE;
}

/*
 * Asleep in syscall nr is idle in the loop's wait: a wait of its kind, or any epoll wait (which
 * makes it an epoll loop). A poll inside an epoll loop's handler stays time asleep elsewhere.
 */
static __always_inline bool is_loop_wait(const struct ll_loop_stats *st, long nr)
{
	__u32 kind = wait_kind(nr);

	return kind != LL_WAIT_NONE && (!st || kind == st->wait || kind == LL_WAIT_EPOLL);
}

/* barrier_var: clang proves the slot in range and drops the check the verifier needs. */
static __always_inline void hist_inc(__u32 *hist, __u32 slot, __u32 nslots)
{
	barrier_var(slot);
	if (slot < nslots)
		hist[slot]++;
}

/* ---- shared epoll fds ---- */

static __always_inline void mark_shared(__u32 tid)
{
	struct ll_loop_stats *other = loop_of(tid);

	if (other)
		other->flags |= LL_LOOP_SHARED;
}

/* The thread waits on epfd now: a process's second thread on it makes a shared loop. */
static __always_inline void note_epfd(struct ll_loop_stats *st, __s32 epfd)
{
	struct ll_epfd_key key = { .tgid = st->tgid, .epfd = epfd };
	__u32 *first;

	if (st->epfd == epfd && st->first_ns)
		return;
	st->epfd = epfd;
	first = bpf_map_lookup_elem(&loop_epfds, &key);
	if (!first) {
		bpf_map_update_elem(&loop_epfds, &key, &st->tid, BPF_NOEXIST);
		return;
	}
	if (*first == st->tid)
		return;
	st->flags |= LL_LOOP_SHARED;
	mark_shared(*first);
}

/* An epoll wait's arguments, from the registers saved at syscall entry: (epfd, events, max). */
static __always_inline void note_wait_args(struct ll_loop_stats *st, struct pt_regs *regs)
{
	st->wait = LL_WAIT_EPOLL;
	note_epfd(st, PT_REGS_PARM1_SYSCALL(regs));
	st->maxevents = PT_REGS_PARM3_SYSCALL(regs);
}

/* Asleep in wait nr again: only an epoll wait has an epfd to follow. */
static __always_inline void note_wait(struct ll_loop_stats *st, struct pt_regs *regs, long nr)
{
	if (wait_kind(nr) == LL_WAIT_EPOLL) {
		st->wait = LL_WAIT_EPOLL;
		note_epfd(st, PT_REGS_PARM1_SYSCALL(regs));
	}
}

/* ---- time per state ---- */

/* Off-CPU time by syscall: a few slots, the last one taking whatever does not fit. */
static __always_inline void sys_add(struct ll_loop_stats *st, __s32 nr, __u64 d, bool stretch)
{
	struct ll_loop_sys *s = NULL;
	int i;

	for (i = 0; i < LL_LOOP_NSYS; i++) {
		if (st->sys[i].used && st->sys[i].nr == nr) {
			s = &st->sys[i];
			break;
		}
		if (!st->sys[i].used) {
			s = &st->sys[i];
			s->used = 1;
			s->nr = nr;
			break;
		}
	}
	if (!s) {
		s = &st->sys[LL_LOOP_NSYS - 1];
		s->nr = LL_SYS_OTHER;
	}
	s->ns += d;
	if (stretch)
		s->stretch_ns += d;
}

/* The state the thread was in since state_ns ends now. */
static __always_inline void close_state(struct ll_loop_stats *st, __u64 now)
{
	__u32 state = st->state & (LL_LS_NR - 1);
	bool stretch = st->flags & LL_LOOP_STRETCH;
	__u64 d = now > st->state_ns ? now - st->state_ns : 0;

	st->time_ns[state] += d;
	if (stretch)
		st->stretch_ns[state] += d;
	if (state == LL_LS_OFFCPU)
		sys_add(st, st->sleep_nr, d, stretch);
	st->state_ns = now;
}

static __always_inline void set_state(struct ll_loop_stats *st, __u32 state, __u64 now)
{
	close_state(st, now);
	st->state = state;
}

/* ---- stretches between waits ---- */

static __always_inline void stretch_begin(struct ll_loop_stats *st, __u64 now)
{
	int i;

	st->flags |= LL_LOOP_STRETCH;
	st->stretch_start_ns = now;
	for (i = 0; i < LL_LS_NR; i++)
		st->stretch_ns[i] = 0;
	for (i = 0; i < LL_LOOP_NSYS; i++)
		st->sys[i].stretch_ns = 0;
}

static __always_inline __s32 stretch_top_syscall(struct ll_loop_stats *st)
{
	__u64 best = 0;
	__s32 nr = LL_SYS_NONE;
	int i;

	for (i = 0; i < LL_LOOP_NSYS; i++) {
		if (st->sys[i].used && st->sys[i].stretch_ns > best) {
			best = st->sys[i].stretch_ns;
			nr = st->sys[i].nr;
		}
	}
	return nr;
}

static __always_inline void emit_stall(struct ll_loop_stats *st, __u64 len, __u64 now,
				       bool asleep)
{
	struct ll_stall *r = ll_reserve_at(sizeof(*r), LL_REC_STALL, now);

	if (!r)
		return;
	r->busy_ns = len;
	r->start_ns = st->stretch_start_ns;
	r->asleep = asleep;
	r->pad = 0;
	__builtin_memcpy(r->comm, st->comm, sizeof(r->comm));
	r->oncpu_ns = st->stretch_ns[LL_LS_BUSY];
	r->offcpu_ns = st->stretch_ns[LL_LS_OFFCPU];
	r->runq_ns = st->stretch_ns[LL_LS_RUNQ];
	r->syscall = r->offcpu_ns ? stretch_top_syscall(st) : LL_SYS_NONE;
	r->pad2 = 0;
	ll_submit(r, LL_REC_STALL);
}

/* The loop is back in a wait (asleep in it, or calls mode: a return that did not sleep). */
static __always_inline void stretch_end(struct ll_loop_stats *st, __u64 now, bool asleep)
{
	__u64 len;

	if (!(st->flags & LL_LOOP_STRETCH))
		return;
	st->flags &= ~LL_LOOP_STRETCH;
	len = now - st->stretch_start_ns;
	hist_inc(st->busy_hist, ll_hist_slot(len / 1000), LL_HIST_SLOTS);
	if (len < ll_stall_ns)
		return;
	st->stalls++;
	if (len > st->max_stall_ns)
		st->max_stall_ns = len;
	emit_stall(st, len, now, asleep);
}

/* ---- new loops ---- */

static __always_inline void emit_loop_new(struct ll_loop_stats *st, __u64 now)
{
	struct ll_loop_new *r = ll_reserve_at(sizeof(*r), LL_REC_LOOP_NEW, now);

	if (!r)
		return;
	r->epfd = st->epfd;
	r->maxevents = st->maxevents;
	__builtin_memcpy(r->comm, st->comm, sizeof(r->comm));
	r->wait = st->wait;
	r->pad = 0;
	ll_submit(r, LL_REC_LOOP_NEW);
}

/*
 * The current thread's first wait, of kind wait: it is in one now (asleep, or returning in calls
 * mode). The clock is read only past the filter: untraced loops (lifeline's own poll, other
 * processes under -p or -c) cost a lookup, not a clock read.
 */
static __always_inline struct ll_loop_stats *loop_create(struct pt_regs *regs, __u32 state,
							 __u32 wait)
{
	__u64 id = bpf_get_current_pid_tgid(), now;
	__u32 tid = (__u32)id;
	struct ll_loop_stats *st;

	if (!ll_current_traced())
		return NULL;
	now = bpf_ktime_get_ns();
	__sync_fetch_and_add(loop_hint(tid), 1);
	if (bpf_map_update_elem(&loops, &tid, &loop_zero, BPF_NOEXIST)) {
		__sync_fetch_and_add(loop_hint(tid), -1);
		ll_count_map_full();
		return NULL;
	}
	st = bpf_map_lookup_elem(&loops, &tid);
	if (!st)
		return NULL;
	st->tgid = id >> 32;
	st->tid = tid;
	st->epfd = -1;
	st->wait = wait;
	bpf_get_current_comm(st->comm, sizeof(st->comm));
	if (wait == LL_WAIT_EPOLL)
		note_wait_args(st, regs);
	st->first_ns = now;
	st->state = state;
	st->state_ns = now;
	if (state == LL_LS_IDLE)
		st->sleep_ns = now;
	emit_loop_new(st, now);
	return st;
}

/* ---- the scheduler's view ---- */

/* Woken in its wait: the wait is over (its return follows once it runs). */
static __always_inline void wait_woken(struct ll_loop_stats *st, __u64 now)
{
	st->waits++;
	/* Only epoll waits have exit hooks: other waits count their wakeups here in calls mode. */
	if (!ll_loop_calls || st->wait != LL_WAIT_EPOLL) {
		st->wakeups++;
		/* 0: seeded at attach, asleep since before lifeline, so of unknown length */
		if (st->sleep_ns)
			hist_inc(st->blocked_hist, ll_hist_slot((now - st->sleep_ns) / 1000),
				 LL_HIST_SLOTS);
		st->sleep_ns = 0;
	}
	st->flags |= LL_LOOP_WOKE;
	stretch_begin(st, now);
}

/* A sleeping thread became runnable (woken) or runs again (a wake-up not seen). */
static __always_inline void sleep_over(struct ll_loop_stats *st, __u32 state, __u64 now)
{
	bool in_wait = st->state == LL_LS_IDLE;

	set_state(st, state, now);
	if (in_wait)
		wait_woken(st, now);
}

/*
 * Some switches here reach no program at all: bpftrace on the same tracepoint misses the same
 * ones, and no program counts a recursion miss. Left unseen, a switch-in booked the time the
 * loop then ran as run-queue time, a switch-out the time it then waited as time on CPU. The
 * next switch that is seen finds it (the state says the thread waited, yet it goes off CPU; or
 * on CPU, yet it comes on CPU), and the kernel's count of the thread's CPU time since its last
 * switch-out says how long it ran: the unseen switch is placed from that.
 */
static __always_inline void place_unseen_switch_in(struct ll_loop_stats *st, __u64 cpu, __u64 now)
{
	__u64 ran = cpu - st->cpu_ns, in = now - ran;

	if (st->state == LL_LS_BUSY || !st->cpu_ns || cpu <= st->cpu_ns)
		return;
	if (ran > now - st->state_ns)
		in = st->state_ns;
	st->unseen++;
	sleep_over(st, LL_LS_BUSY, in);
}

/* next comes on CPU, but its state says it has been on CPU since state_ns. */
static __always_inline void place_unseen_switch_out(struct ll_loop_stats *st, __u64 cpu,
						    __u64 now)
{
	__u64 ran = cpu - st->cpu_ns, out = st->state_ns + ran;

	if (!st->cpu_ns || cpu < st->cpu_ns || out >= now)
		return;
	st->unseen++;
	st->cpu_ns = cpu;
	set_state(st, LL_LS_RUNQ, out);
}

/* A loop thread goes off CPU now: whatever it did since its last switch-out is accounted for. */
static __always_inline __u64 loop_off_cpu(struct ll_loop_stats *st, struct task_struct *prev)
{
	__u64 now = bpf_ktime_get_ns(), cpu = prev->se.sum_exec_runtime;

	place_unseen_switch_in(st, cpu, now);
	st->cpu_ns = cpu;
	return now;
}

/* prev goes off CPU: still runnable (preempted), asleep in its wait, or asleep elsewhere. */
static __always_inline void loop_switch_out(struct task_struct *prev, bool runnable, __u64 *now)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(prev);
	__u32 tid = prev->pid;
	struct ll_loop_stats *st;
	long nr;

	st = loop_of(tid);
	if (runnable) {
		/* never asleep in the wait, even on its way out of it */
		if (st) {
			*now = loop_off_cpu(st, prev);
			set_state(st, LL_LS_RUNQ, *now);
		}
		return;
	}
	nr = ll_syscall_nr(regs);
	if (is_loop_wait(st, nr)) {
		if (!st) {
			/* current is still prev */
			st = loop_create(regs, LL_LS_IDLE, wait_kind(nr));
			if (st)
				st->cpu_ns = prev->se.sum_exec_runtime;
			return;
		}
		*now = loop_off_cpu(st, prev);
		note_wait(st, regs, nr);
		set_state(st, LL_LS_IDLE, *now);
		stretch_end(st, *now, true);
		if (!st->sleep_ns)
			st->sleep_ns = *now;
		return;
	}
	if (!st)
		return;
	*now = loop_off_cpu(st, prev);
	set_state(st, LL_LS_OFFCPU, *now);
	st->sleep_nr = nr;
	/*
	 * A thread of a shared loop parked in a futex left the loop to the others: no stall. One
	 * seeded at attach (epfd not known until its next wait) may be one: no stall either.
	 */
	if ((st->flags & LL_LOOP_SHARED || st->epfd < 0) && nr == ll_nr_futex)
		st->flags &= ~LL_LOOP_STRETCH;
}

/* next comes on CPU: whatever it waited for (a CPU, or a wake-up not seen) is over. */
static __always_inline void loop_switch_in(struct task_struct *next, __u64 now)
{
	__u32 tid = next->pid;
	struct ll_loop_stats *st = loop_of(tid);

	if (!st)
		return;
	if (!now)
		now = bpf_ktime_get_ns();
	if (st->state == LL_LS_BUSY)
		place_unseen_switch_out(st, next->se.sum_exec_runtime, now);
	sleep_over(st, LL_LS_BUSY, now);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(ll_loop_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u64 now = 0;

	loop_switch_out(prev, preempt || prev_state == TASK_RUNNING, &now);
	loop_switch_in(next, now);
	return 0;
}

/*
 * A sleeping loop thread is woken: from now on it waits for a CPU. sched_wakeup_new is not
 * hooked: a new task has no loop state yet, so it would be a program run for nothing.
 */
SEC("tp_btf/sched_wakeup")
int BPF_PROG(ll_loop_wakeup, struct task_struct *p)
{
	__u32 tid = p->pid;
	struct ll_loop_stats *st = loop_of(tid);

	if (!st || (st->state != LL_LS_IDLE && st->state != LL_LS_OFFCPU))
		return 0;
	sleep_over(st, LL_LS_RUNQ, bpf_ktime_get_ns());
	return 0;
}

/* ---- calls mode: every return of the wait ---- */

static __always_inline void count_return(struct ll_loop_stats *st, long ret)
{
	if (ret > 0) {
		st->wakeups++;
		st->events += ret;
		if (ret >= st->maxevents)
			st->full++;
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

	st = loop_of(tid);
	if (!st) {
		/* The wait began before lifeline saw it: only its result is known. */
		st = loop_create(regs, LL_LS_BUSY, LL_WAIT_EPOLL);
		if (!st)
			return;
		count_return(st, ret);
		st->exit_ns = st->first_ns;
		return;
	}
	now = bpf_ktime_get_ns();
	if (st->epfd < 0) {
		/* Seeded at attach: this wait began before lifeline, only its result is known. */
		note_wait_args(st, regs);
		count_return(st, ret);
		st->flags &= ~LL_LOOP_WOKE;
		st->exit_ns = now;
		return;
	}
	note_wait_args(st, regs);
	began = st->sleep_ns ? st->sleep_ns : now;
	if (st->exit_ns)
		busy = began - st->exit_ns;
	if (st->sleep_ns) {
		blocked = now - st->sleep_ns;
		st->sleep_ns = 0;
	}
	if (!(st->flags & LL_LOOP_WOKE)) {
		/* found events ready without sleeping: one stretch ends, the next begins */
		stretch_end(st, now, false);
		stretch_begin(st, now);
	}
	st->flags &= ~LL_LOOP_WOKE;
	/* Every wait counts in the blocked histogram, the ones that found events ready as 0. */
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

/* A loop's thread exited: hand over its final totals, then free its entry. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(ll_loop_thread_exit, struct task_struct *task)
{
	struct ll_epfd_key key;
	__u32 tid = task->pid;
	struct ll_loop_stats *st;
	struct ll_loop_exit *r;
	__u32 *first;

	st = loop_of(tid);
	if (!st)
		return 0;
	close_state(st, bpf_ktime_get_ns());
	r = ll_reserve(sizeof(*r), LL_REC_LOOP_EXIT);
	if (r) {
		bpf_probe_read_kernel(&r->stats, sizeof(r->stats), st);
		ll_submit(r, LL_REC_LOOP_EXIT);
	}
	key.tgid = st->tgid;
	key.epfd = st->epfd;
	first = bpf_map_lookup_elem(&loop_epfds, &key);
	if (first && *first == tid)
		bpf_map_delete_elem(&loop_epfds, &key);
	if (!bpf_map_delete_elem(&loops, &tid))
		__sync_fetch_and_add(loop_hint(tid), -1);
	return 0;
}
