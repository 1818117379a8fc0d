/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Shared by the BPF programs of every domain: knobs, shared maps, filtering and record output.
 * Everything is defined once in shared.bpf.c and declared extern elsewhere; bpftool gen object
 * links them into one object, one skeleton.
 */
#ifndef LL_COMMON_BPF_H
#define LL_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "lifeline.h"
#include "kconst.bpf.h"

#ifdef LL_DEFINE_SHARED
#define LL_SHARED
#else
#define LL_SHARED extern
#endif

/* Knobs, set by user space before load (the verifier prunes what they switch off). */
LL_SHARED const volatile __u32 ll_self_tgid;
LL_SHARED const volatile bool ll_filter_pids;		/* only tgids in map "traced" */
LL_SHARED const volatile bool ll_filter_uid;		/* -u: only tasks of real uid ll_uid */
LL_SHARED const volatile __u32 ll_uid;
LL_SHARED const volatile __u32 ll_ncomms;
LL_SHARED const volatile char ll_comms[LL_MAX_COMM_FILTERS][LL_COMM_LEN];
LL_SHARED const volatile __u64 ll_stall_ns;
LL_SHARED const volatile bool ll_loop_all;		/* a record per epoll_wait return */
LL_SHARED const volatile __u64 ll_wakeup_bytes;	/* wake the consumer past this backlog */
LL_SHARED const volatile __u32 ll_ncgroups;		/* --cgroup: entries in cgroup_filter */

/* Records sent and records lost (ring buffer full), per CPU row so increments never contend. */
LL_SHARED __u64 ll_sent[LL_MAX_CPUS][LL_REC_MAX];
LL_SHARED __u64 ll_drops[LL_MAX_CPUS][LL_REC_MAX];
/* Map updates that failed because a map was full: state the kernel side could not keep. */
LL_SHARED __u64 ll_map_full[LL_MAX_CPUS];

LL_SHARED struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);	/* resized by user space (--ringbuf-kb) */
} events SEC(".maps");

/* -p / -- COMMAND: the traced processes; a fork of a traced process adds the child. */
LL_SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

/* --cgroup: the selected cgroup v2 directories (user space stores their fds). */
LL_SHARED struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, LL_MAX_CGROUP_FILTERS);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");


static __always_inline __u32 ll_cpu(void)
{
	return bpf_get_smp_processor_id() & (LL_MAX_CPUS - 1);
}

/*
 * A syscall's arguments, read at its exit from the user registers saved at its entry: a
 * sys_enter program per syscall would cost another tracepoint dispatch and a map round trip,
 * and would miss calls already in progress when lifeline attached.
 */
static __always_inline struct pt_regs *ll_syscall_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

/* The number of the syscall current is in, from its saved registers; -1 if unknown. */
static __always_inline long ll_syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return regs->orig_ax;
#elif defined(__TARGET_ARCH_arm64)
	return regs->syscallno;
#else
	return -1;
#endif
}

static __always_inline bool ll_comm_eq(const char *a, const volatile char *b)
{
	int i;

	for (i = 0; i < LL_COMM_LEN; i++) {
		if (a[i] != b[i])
			return false;
		if (!a[i])
			return true;
	}
	return true;
}

static __always_inline bool ll_comm_ok(const char *comm)
{
	__u32 i;

	if (!ll_ncomms)
		return true;
	for (i = 0; i < LL_MAX_COMM_FILTERS && i < ll_ncomms; i++)
		if (ll_comm_eq(comm, ll_comms[i]))
			return true;
	return false;
}

/*
 * --cgroup: the current task is in one of the selected cgroups or below. The kernel's own
 * ancestry check (cgroup->ancestors, a constant-time lookup on every kernel this builds for), so
 * cgroups created below a selected one after start are in, and a task moved out is out at once.
 */
static __always_inline bool ll_current_in_cgroups(void)
{
	__u32 i;

	for (i = 0; i < LL_MAX_CGROUP_FILTERS && i < ll_ncgroups; i++)
		if (bpf_current_task_under_cgroup(&cgroup_filter, i) == 1)
			return true;
	return false;
}

/* -u: by the task's real uid (the one ps -u shows for most processes). */
static __always_inline bool ll_uid_ok(struct task_struct *t)
{
	return !ll_filter_uid || BPF_CORE_READ(t, real_cred, uid.val) == ll_uid;
}

/*
 * Whether events of this process are wanted; lifeline itself never is (feedback loop). The
 * cgroup test is the current task's: every caller passes current's tgid, but for signal_generate's
 * recipient, which is wanted anyway when its sender is.
 */
static __always_inline bool ll_tgid_traced(__u32 tgid)
{
	if (tgid == ll_self_tgid)
		return false;
	if (ll_filter_pids && !bpf_map_lookup_elem(&traced, &tgid))
		return false;
	if (ll_ncgroups && !ll_current_in_cgroups())
		return false;
	return true;
}

static __always_inline bool ll_current_traced(void)
{
	char comm[LL_COMM_LEN];

	if (!ll_tgid_traced(bpf_get_current_pid_tgid() >> 32))
		return false;
	if (ll_filter_uid && (__u32)bpf_get_current_uid_gid() != ll_uid)
		return false;
	if (ll_ncomms) {
		bpf_get_current_comm(comm, sizeof(comm));
		return ll_comm_ok(comm);
	}
	return true;
}

/*
 * Waking the consumer per record costs ~3 us of IPI here; it polls on a short timer instead and
 * is woken only when a backlog builds up, so bursts cannot overflow the ring between polls.
 */
static __always_inline __u64 ll_wakeup_flag(void)
{
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= ll_wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/* ts: the caller's clock read, so a program that needs the time anyway reads it once. */
static __always_inline void *ll_reserve_at(__u32 size, __u16 type, __u64 ts)
{
	struct ll_hdr *h = bpf_ringbuf_reserve(&events, size, 0);
	__u64 id;

	if (!h) {
		__sync_fetch_and_add(&ll_drops[ll_cpu()][type], 1);
		return NULL;
	}
	id = bpf_get_current_pid_tgid();
	h->type = type;
	h->size = size;
	h->cpu = 0;
	h->ts_ns = ts;
	h->tgid = id >> 32;
	h->tid = (__u32)id;
	h->cgroup_id = bpf_get_current_cgroup_id();
	return h;
}

static __always_inline void *ll_reserve(__u32 size, __u16 type)
{
	return ll_reserve_at(size, type, bpf_ktime_get_ns());
}

static __always_inline void ll_submit(void *rec, __u16 type)
{
	__sync_fetch_and_add(&ll_sent[ll_cpu()][type], 1);
	bpf_ringbuf_submit(rec, ll_wakeup_flag());
}

static __always_inline void ll_count_map_full(void)
{
	__sync_fetch_and_add(&ll_map_full[ll_cpu()], 1);
}

#endif
