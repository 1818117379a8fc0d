/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Event loop threads already asleep in their wait when lifeline attaches: the kernel side finds
 * a loop when it goes to sleep in its wait, so without these the first stretch of a loop idle
 * at attach would go unseen. /proc says which threads sleep in an epoll wait now.
 */
#ifndef LL_LOOP_SEED_H
#define LL_LOOP_SEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../bpf/lifeline.h"

struct loop_seed {
	uint32_t tgid;
	uint32_t tid;
	int maxevents;
	uint64_t cpu_ns;	/* its CPU time so far (schedstat), as the kernel side counts it */
	char comm[LL_COMM_LEN];
};

/* This arch's epoll_wait, epoll_pwait and epoll_pwait2; -1 where there is none. */
void loop_epoll_nrs(long nrs[3]);
/* /proc/PID/task/TID/syscall: 0 and the syscall's number and first and third arguments, or
 * -EINVAL (also "running", or not in a syscall). */
int loop_parse_syscall(const char *text, long *nr, long *arg1, long *arg3);
/* /proc/PID/task/TID/schedstat: 0 and its first field (ns on CPU), or -EINVAL. */
int loop_parse_schedstat(const char *text, uint64_t *cpu_ns);
/* The threads of pid asleep in an epoll wait now, up to max. */
size_t loop_seed_find(uint32_t pid, struct loop_seed *out, size_t max);

#endif
