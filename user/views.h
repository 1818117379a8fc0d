/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What the renderers read of the state for summaries and the live view. Field for field the JSON
 * summary of doc/reference.md; histograms are pointers into the state, valid until the
 * next state update.
 */
#ifndef LL_VIEWS_H
#define LL_VIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hist.h"
#include "event.h"

enum ll_zombie_cause {
	CAUSE_NONE,		/* zombies are reaped promptly */
	CAUSE_NEVER_WAITS,	/* the parent has zombies and has never reaped one */
	CAUSE_SIGCHLD_IGNORED,	/* ignored but not auto-reaping (e.g. SA_NOCLDWAIT race) */
	CAUSE_SIGCHLD_BLOCKED,	/* SIGCHLD blocked in the parent */
	CAUSE_COALESCED,	/* SIGCHLD coalesced and the handler reaps one child per signal */
	CAUSE_INIT_BATCH,	/* the reaper is init (or an adopter) reaping in batches */
	CAUSE_SLOW_REAPER,	/* the parent reaps, but late */
	CAUSE_PARENT_DIED,	/* the parent exited without reaping: handed to the adopter */
	CAUSE_INIT_NEVER_WAITS,	/* the adopter is an init (host or namespace PID 1) that never waits */
};

const char *ll_cause_name(enum ll_zombie_cause c);	/* "never-waits", "coalesced", ... */
const char *ll_cause_text(enum ll_zombie_cause c);	/* a sentence for people */
/* What to change, one sentence (defined with the names in format.c); NULL for CAUSE_NONE. */
const char *fmt_cause_advice(enum ll_zombie_cause c);

struct ll_proc_totals {
	uint64_t forks;
	uint64_t execs;
	uint64_t exits;
	uint64_t reaps;
	uint64_t autoreaped;
	uint64_t zombies_now;
	uint64_t orphans_now;
	uint64_t processes_now;	/* in the table */
	uint64_t incomplete;	/* lifetimes left unfinished because records were lost */
	uint64_t unseen;	/* ... of them, zombies /proc showed gone with nothing lost */
	uint64_t evicted;	/* table entries dropped because the table was full */
	uint64_t fork_failures;	/* failed fork/vfork/clone/clone3 calls (not the table's: main) */
};

struct ll_zombie_view {
	uint32_t parent_pid;
	char parent_comm[LL_COMM_LEN];
	uint64_t reaped;
	uint64_t now;
	uint64_t autoreaped;
	uint64_t oldest_now_us;		/* 0 when none now; LL_UNKNOWN if it predates lifeline */
	uint64_t oldest_now_min_us;	/* then: its lower bound, the time since lifeline started */
	uint32_t parent_ns_pid;		/* parent's pid in its PID namespace; 0: initial namespace */
	const struct ll_hist *lifetime;	/* zombie lifetimes (us) of the children reaped */
	uint64_t coalesced_sigchld;
	enum ll_zombie_cause cause;
	uint64_t vforks;		/* children it made with vfork */
	const char *cgroup;		/* the parent's cgroup v2 path; NULL: root or unknown */
};

struct ll_orphan_view {
	uint32_t adopter_pid;		/* 0 when not yet known */
	uint32_t adopter_ns_pid;	/* its pid in its PID namespace; 0: initial namespace */
	char adopter_comm[LL_COMM_LEN];
	uint64_t adopted;
	uint64_t alive;
	uint64_t exited;
	const struct ll_hist *lifetime;	/* parent's death -> orphan's exit (us) */
	const struct ll_hist *reap;	/* orphan's exit -> adopter's reap (us) */
	const char *cgroup;		/* the adopter's cgroup v2 path; NULL: root or unknown */
};

/* Failed fork/vfork/clone/clone3 calls of one process with one errno. */
struct ll_forkfail_view {
	uint32_t pid;
	char comm[LL_COMM_LEN];
	int err;
	uint64_t count;
	int64_t pids_current;		/* at the last failure; -1: no pids limit known */
	int64_t pids_max;
	const char *cgroup;
};

struct ll_listener_view {
	uint32_t pid;
	char comm[LL_COMM_LEN];
	unsigned int port;
	uint64_t accepts;
	uint64_t errors;		/* failed accepts, all errnos but EAGAIN */
	uint64_t eagain;		/* non-blocking accepts that found no connection */
	uint64_t emfile;		/* EMFILE + ENFILE */
	double rate;			/* accepts/s over the last interval; over the run, final */
	const struct ll_hist *queue;	/* accept queue wait (us), connections whose handshake was seen */
	uint64_t handled_by_fork;
	uint64_t children_exited;	/* of those children, how many have exited */
	uint64_t children_failed;	/* ... with a non-zero code or a signal */
	const struct ll_hist *child_zombie;	/* their zombie lifetimes (us) */
	unsigned int backlog_limit;	/* the listen queue's limit at the last accept; 0: unknown */
	unsigned int backlog_peak;	/* deepest queue an accept found, its connection included */
	uint64_t backlog_full;		/* accepts that found it full: over the limit, as the kernel tests */
};

struct ll_loop_sys_view {
	int nr;				/* LL_SYS_NONE, LL_SYS_OTHER or a syscall number */
	uint64_t us;
};

struct ll_loop_view {
	uint32_t pid;
	uint32_t tid;
	char comm[LL_COMM_LEN];
	bool alive;
	uint64_t wakeups;
	uint64_t events;
	uint64_t timeouts;
	uint64_t full;
	uint64_t errors;
	double busy_pct;		/* on CPU, of the whole run since it was found */
	const struct ll_hist *blocked;	/* us */
	const struct ll_hist *busy;	/* us */
	uint64_t stalls;
	uint64_t max_stall_us;
	uint64_t busy_now_us;		/* current busy period if it is not in a wait, else 0 */
	int et_fds;			/* -1 when unknown */
	int lt_fds;
	double wakeups_rate;		/* per second over the last interval */
	/* --loops: where the time went (waits in progress included); the four sum to 100 */
	bool calls;			/* events, timeouts, full and errors are known */
	unsigned int wait;		/* enum ll_loop_wait: what it waits in (epoll, poll...) */
	double idle_pct;		/* asleep in its event wait */
	double offcpu_pct;		/* asleep anywhere else */
	double runq_pct;		/* runnable, waiting for a CPU */
	uint64_t busy_ns;		/* the totals behind them, for counters */
	uint64_t idle_ns;
	unsigned int threads;		/* threads waiting on this epoll fd (1: its own loop) */
	uint64_t unseen;		/* switches no tracepoint reported, placed from CPU time */
	unsigned int nsys;		/* off-CPU time by syscall, most first */
	struct ll_loop_sys_view sys[LL_LOOP_NSYS];
};

/* Everything a summary or the live view shows, gathered by main from the state each interval. */
struct ll_snapshot {
	uint64_t ts_ns;			/* CLOCK_MONOTONIC */
	double elapsed_s;
	uint64_t events;		/* kernel records received */
	uint64_t lost;			/* kernel records that could not be delivered */
	uint64_t lost_by_type[LL_REC_MAX];
	uint64_t sent_by_type[LL_REC_MAX];	/* submitted by the kernel side: sent + lost = made */
	uint64_t map_full;		/* kernel-side map updates refused because a map was full */
	/* Entries the bounded user-space tables dropped to make room (processes: procs.evicted). */
	uint64_t evicted_listeners;
	uint64_t evicted_children;	/* fork-per-connection children followed by a listener */
	uint64_t evicted_loops;
	bool final;
	struct ll_proc_totals procs;
	const struct ll_zombie_view *zombies;	/* most zombies now / oldest first */
	size_t nzombies;
	const struct ll_orphan_view *orphans;
	size_t norphans;
	const struct ll_listener_view *listeners;	/* most accepts first */
	size_t nlisteners;
	const struct ll_loop_view *loops;	/* most wakeups first */
	size_t nloops;
	/* The kernel's TcpExt ListenOverflows/ListenDrops over the run, system-wide. */
	bool netstat_known;
	uint64_t listen_overflows;
	uint64_t listen_drops;
	uint64_t fork_failures;		/* failed fork/vfork/clone/clone3 calls */
	const struct ll_forkfail_view *forkfails;	/* most failures first */
	size_t nforkfails;
};

#endif
