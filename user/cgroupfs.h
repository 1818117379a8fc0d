/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The OS side of cgroups: where cgroup2 is mounted, the path of a cgroup id, --cgroup checks. */
#ifndef LL_CGROUPFS_H
#define LL_CGROUPFS_H

#include <stddef.h>
#include <stdint.h>

struct cgroupfs {
	char mount[256];	/* "" when cgroup2 is not mounted */
	int mount_fd;		/* -1 when not */
};

/* Finds cgroup2 in /proc/self/mountinfo; without one, fs->mount is "" (not an error). */
void cgroupfs_open(struct cgroupfs *fs);
void cgroupfs_close(struct cgroupfs *fs);

/* A cg_resolve_fn (ctx: struct cgroupfs *): the path below the mount of cgroup id. */
int cgroupfs_path_of_id(void *ctx, uint64_t id, char *buf, size_t n);
/* The cgroup v2 id of pid (from /proc/PID/cgroup), 0 if unknown. */
uint64_t cgroupfs_id_of_pid(const struct cgroupfs *fs, uint32_t pid);

/*
 * Opens the cgroup v2 directory --cgroup ARG names, for the kernel's filter: an fd, or -errno
 * with one line in err (no cgroup2 mounted, no such cgroup, not a directory, not cgroup2).
 */
int cgroupfs_open_filter(const struct cgroupfs *fs, const char *arg, char *err, size_t errlen);

#endif
