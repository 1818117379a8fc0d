/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Joined events: what the state code hands the renderers after it has matched kernel records
 * (an exit with its reap, an orphan with its adopter). Renderers read only these and the views.
 */
#ifndef LL_EVENT_H
#define LL_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "../bpf/lifeline.h"

/* A value the tracer could not know (a process that existed before it started, say). */
#define LL_UNKNOWN UINT64_MAX

enum ll_ev_kind {
	EV_FORK,
	EV_EXEC,
	EV_EXIT,
	EV_REAP,
	EV_ORPHAN,
	EV_SIGCHLD,
	EV_ACCEPT,
	EV_STALL,
	EV_WAKEUP,
	EV_FORK_FAILED,
	EV_KIND_MAX,
};

enum ll_how {
	HOW_WAIT4 = LL_HOW_WAIT4,
	HOW_WAITID = LL_HOW_WAITID,
	HOW_FREE = LL_HOW_FREE,
	HOW_AUTOREAP,
};

struct ll_event {
	enum ll_ev_kind kind;
	uint64_t ts_ns;
	uint32_t pid;		/* subject process */
	uint32_t tid;		/* thread that ran the hook, where it matters */
	uint32_t ppid;		/* subject's parent; 0 if unknown */
	char comm[LL_COMM_LEN];	/* subject's command name */
	const char *cgroup;	/* subject's cgroup v2 path; NULL for the root or unknown (main) */
	uint32_t ns_pid;	/* subject's pid in its PID namespace; 0: the initial one or unknown */
	union {
		struct {
			unsigned int how;	/* enum ll_fork_how */
			unsigned int shares;	/* LL_SHARES_* */
		} fork;
		struct {
			const char *filename;
			const char *args;	/* NUL-separated argv, args_len bytes */
			unsigned int args_len;
			bool truncated;
			bool vfork_child;	/* a vfork child's first exec: */
			uint64_t vfork_wait_us;	/* ... its parent's suspension (LL_UNKNOWN: unknown) */
		} exec;
		struct {
			uint32_t status;	/* wait(2) status word */
			uint64_t age_us;	/* LL_UNKNOWN when the fork was not seen */
			bool zombie;		/* false when auto-reaped */
			unsigned int orphaned;	/* live children this exit orphaned */
			bool vfork_child;	/* a vfork child that exits before any exec: */
			uint64_t vfork_wait_us;	/* ... its parent's suspension (LL_UNKNOWN: unknown) */
		} exit;
		struct {
			uint32_t reaper_pid;
			char reaper_comm[LL_COMM_LEN];
			uint64_t zombie_us;	/* LL_UNKNOWN when the exit was not seen */
			enum ll_how how;
			bool orphan;		/* reaped by an adopter, not the original parent */
			bool status_known;	/* its exit was seen: */
			uint32_t status;	/* ... the wait(2) status word the reaper got */
		} reap;
		struct {
			uint32_t old_ppid;
			char old_parent_comm[LL_COMM_LEN];
			uint32_t adopter_pid;	/* 0 while not yet known */
		} orphan;
		struct {
			uint32_t from_pid;
			char from_comm[LL_COMM_LEN];
			int result;		/* enum ll_sig_result */
			int code;		/* si_code */
			int status;		/* si_status: exit code or signal */
		} sigchld;
		struct {
			int fd;			/* new fd, or -errno */
			int listen_fd;
			unsigned int family;
			unsigned int lport;
			unsigned int rport;
			uint8_t laddr[16];
			uint8_t raddr[16];
			uint64_t queue_us;	/* LL_UNKNOWN when the handshake was not seen */
			unsigned int backlog;		/* queue depth found, this connection included; 0: unknown */
			unsigned int backlog_limit;
		} accept;
		struct {
			uint64_t busy_us;
			uint64_t start_ns;
			bool parts_known;	/* busy_us split into where the time went */
			uint64_t oncpu_us;
			uint64_t offcpu_us;
			uint64_t runq_us;
			int syscall;		/* slept in most; LL_SYS_NONE if it never slept */
			unsigned int wait;	/* the loop's enum ll_loop_wait; LL_WAIT_NONE: unknown */
		} stall;
		struct {
			int events;
			uint64_t blocked_us;
			uint64_t busy_us;
		} wakeup;
		struct {
			int err;		/* errno */
			unsigned int call;	/* enum ll_fork_call */
			int64_t pids_current;	/* -1: no pids limit known */
			int64_t pids_max;
		} fork_failed;
	};
};

typedef void (*ll_emit_fn)(void *ctx, const struct ll_event *ev);

#endif
