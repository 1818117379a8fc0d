/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Kernel records as the BPF side would send them, for the unit tests and the fuzzer: one builder
 * per record type, with the type and size filled in and sane defaults for what a test does not
 * care about (tid = tgid, a comm, an IPv4 loopback accept). Set a field after the call to
 * change a default. Every record built here passes ll_decode() (test_decode.c checks it).
 */
#ifndef LL_TEST_RECORDS_H
#define LL_TEST_RECORDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>
#include "../../bpf/lifeline.h"

#define MKREC_CLD_EXITED	1	/* si_code of a SIGCHLD for a normal exit */
#define MKREC_AF_INET		2

static inline struct ll_hdr mkrec_hdr(enum ll_rec_type type, size_t size, uint64_t ts,
				      uint32_t tgid)
{
	return (struct ll_hdr){ .type = type, .size = size, .ts_ns = ts, .tgid = tgid, .tid = tgid };
}

/* At most LL_COMM_LEN - 1 bytes and always terminated, as the kernel's comm is. */
static inline void mkrec_comm(char dst[LL_COMM_LEN], const char *comm)
{
	snprintf(dst, LL_COMM_LEN, "%s", comm ? comm : "");
}

/* parent forks child; the child's real parent is parent and its start time ts. */
static inline struct ll_fork mkrec_fork(uint64_t ts, uint32_t parent, uint32_t child,
					const char *comm)
{
	struct ll_fork r = { .hdr = mkrec_hdr(LL_REC_FORK, sizeof(r), ts, parent) };

	r.pid = child;
	r.ppid = parent;
	r.start_ns = ts;
	mkrec_comm(r.comm, comm);
	return r;
}

/* pid (started at start) execs filename with no arguments; see mkrec_exec_args(). */
static inline struct ll_exec mkrec_exec(uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start,
					const char *comm, const char *filename)
{
	struct ll_exec r = { .hdr = mkrec_hdr(LL_REC_EXEC, sizeof(r), ts, pid) };

	r.ppid = ppid;
	r.old_tid = pid;
	r.start_ns = start;
	mkrec_comm(r.comm, comm);
	r.filename_len = strnlen(filename, LL_FILENAME_LEN - 1);
	memcpy(r.filename, filename, r.filename_len);
	return r;
}

/* args: NUL-separated argv, len bytes (cut at LL_ARGS_LEN, which marks it truncated). */
static inline void mkrec_exec_args(struct ll_exec *r, const char *args, size_t len)
{
	r->args_truncated = len > LL_ARGS_LEN;
	r->args_len = len > LL_ARGS_LEN ? LL_ARGS_LEN : len;
	memcpy(r->args, args, r->args_len);
}

/* code: the wait(2) status word; flags: LL_EXIT_*. */
static inline struct ll_exit mkrec_exit(uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start,
					uint32_t code, uint32_t flags, const char *comm,
					const char *parent_comm)
{
	struct ll_exit r = { .hdr = mkrec_hdr(LL_REC_EXIT, sizeof(r), ts, pid) };

	r.ppid = ppid;
	r.exit_code = code;
	r.start_ns = start;
	r.flags = flags;
	mkrec_comm(r.comm, comm);
	mkrec_comm(r.parent_comm, parent_comm);
	return r;
}

static inline struct ll_reap mkrec_reap(uint64_t ts, uint32_t reaper, uint32_t pid,
					enum ll_reap_how how)
{
	struct ll_reap r = { .hdr = mkrec_hdr(LL_REC_REAP, sizeof(r), ts, reaper) };

	r.pid = pid;
	r.how = how;
	r.status = how == LL_HOW_FREE ? -1 : 0;
	return r;
}

/* from's exit sends SIGCHLD to to; result: enum ll_sig_result. */
static inline struct ll_sigchld mkrec_sigchld(uint64_t ts, uint32_t from, uint32_t to, int result)
{
	struct ll_sigchld r = { .hdr = mkrec_hdr(LL_REC_SIGCHLD, sizeof(r), ts, from) };

	r.pid = to;
	r.result = result;
	r.code = MKREC_CLD_EXITED;
	return r;
}

/* Thread tid of pid accepted fd (or -errno) on 127.0.0.1:port from 10.1.2.3:40000; comm srvPID. */
static inline struct ll_accept mkrec_accept(uint64_t ts, uint32_t pid, uint32_t tid,
					    uint16_t port, int fd, uint64_t queue_ns)
{
	struct ll_accept r = {
		.hdr = mkrec_hdr(LL_REC_ACCEPT, sizeof(r), ts, pid),
		.fd = fd, .listen_fd = 3, .family = MKREC_AF_INET, .lport = port, .rport = 40000,
		.laddr = { 127, 0, 0, 1 }, .raddr = { 10, 1, 2, 3 }, .queue_ns = queue_ns,
	};

	r.hdr.tid = tid;
	snprintf(r.comm, sizeof(r.comm), "srv%u", pid);
	return r;
}

/* Event loop records name their thread's comm loopTID. */
static inline struct ll_loop_new mkrec_loop_new(uint64_t ts, uint32_t tgid, uint32_t tid, int epfd)
{
	struct ll_loop_new r = { .hdr = mkrec_hdr(LL_REC_LOOP_NEW, sizeof(r), ts, tgid) };

	r.hdr.tid = tid;
	r.epfd = epfd;
	r.maxevents = 128;
	snprintf(r.comm, sizeof(r.comm), "loop%u", tid);
	return r;
}

/* A busy period from start_ns, busy_ns long, ended asleep in the next wait or by its return. */
static inline struct ll_stall mkrec_stall(uint32_t tgid, uint32_t tid, uint64_t start_ns,
					  uint64_t busy_ns, bool asleep)
{
	struct ll_stall r = {
		.hdr = mkrec_hdr(LL_REC_STALL, sizeof(r), start_ns + busy_ns, tgid),
		.busy_ns = busy_ns, .start_ns = start_ns, .asleep = asleep,
	};

	r.hdr.tid = tid;
	snprintf(r.comm, sizeof(r.comm), "loop%u", tid);
	return r;
}

static inline struct ll_wakeup mkrec_wakeup(uint64_t ts, uint32_t tgid, uint32_t tid, int events,
					    int epfd, uint64_t blocked_ns, uint64_t busy_ns)
{
	struct ll_wakeup r = {
		.hdr = mkrec_hdr(LL_REC_WAKEUP, sizeof(r), ts, tgid),
		.events = events, .epfd = epfd, .blocked_ns = blocked_ns, .busy_ns = busy_ns,
	};

	r.hdr.tid = tid;
	return r;
}

static inline struct ll_loop_exit mkrec_loop_exit(uint64_t ts, const struct ll_loop_stats *st)
{
	struct ll_loop_exit r = { .hdr = mkrec_hdr(LL_REC_LOOP_EXIT, sizeof(r), ts, st->tgid) };

	r.hdr.tid = st->tid;
	r.stats = *st;
	return r;
}

#endif
