/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* What lifeline reads from /proc: processes that predate it, adopters, zombie checks. */
#ifndef LL_PROCFS_H
#define LL_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../bpf/lifeline.h"

struct procfs_stat {
	uint32_t pid;
	uint32_t ppid;
	char state;			/* 'R', 'S', 'Z', ... */
	char comm[LL_COMM_LEN];
};

/* Parse the text of /proc/PID/stat (comm may hold spaces and parentheses). 0 or -EINVAL. */
int procfs_parse_stat(const char *text, struct procfs_stat *st);
/* 0, or -errno (-ENOENT: the process is gone). */
int procfs_read_stat(uint32_t pid, struct procfs_stat *st);
/* Calls fn for every process; stops early if fn returns non-zero. Returns processes seen. */
int procfs_for_each(int (*fn)(const struct procfs_stat *st, void *ctx), void *ctx);
/* Adds to out the live descendants of pid (not pid itself); returns how many (up to max). */
size_t procfs_descendants(uint32_t pid, uint32_t *out, size_t max);
bool procfs_is_zombie(uint32_t pid);
/* The real uid of pid (the "Uid:" line of /proc/PID/status), or -1 when it cannot be read. */
int64_t procfs_uid(uint32_t pid);
/* Inode of the PID namespace of pid (/proc/PID/ns/pid), or 0 when it cannot be read. */
uint32_t procfs_pidns(uint32_t pid);
/* pid's pid in its own PID namespace (the last NSpid of /proc/PID/status); 0 if unknown. */
uint32_t procfs_ns_pid(uint32_t pid);
/* The last number of an "NSpid:" line's text (after the colon); 0 if it holds none. */
uint32_t procfs_parse_nspid(const char *text);

#endif
