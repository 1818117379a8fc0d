/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Which cgroup (v2) each process is in, and the path of each cgroup id.
 *
 * Kernel records carry the cgroup v2 id of the task that made them; this table remembers, per
 * pid, the latest one, and names each id once (through a resolver the caller supplies: the OS
 * access lives in cgroupfs.c). Pure state, bounded: at most max_cgroups ids and max_pids pids;
 * what does not fit is simply not named. Not thread-safe.
 */
#ifndef LL_CGROUP_H
#define LL_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../bpf/lifeline.h"

#define CG_PATH_MAX	256
#define CG_ROOT_ID	1	/* the kernfs id of a cgroup2 root */

/* Writes id's path relative to the cgroup2 mount ("/a/b", "/" for the root) into buf: 0, or
 * -errno when it cannot be named (removed since, or no cgroup2). */
typedef int (*cg_resolve_fn)(void *ctx, uint64_t id, char *buf, size_t n);

struct cgroups;

/* NULL on allocation failure. 0 for either max means a default (4096 cgroups, 65536 pids). */
struct cgroups *cg_new(size_t max_cgroups, size_t max_pids, cg_resolve_fn resolve, void *ctx);
void cg_free(struct cgroups *c);

/* A record of hdr.tgid (and, for a fork, of its child) says where they are now. */
void cg_handle(struct cgroups *c, const struct ll_hdr *rec);
/* pid is in cgroup id (from /proc for processes that predate lifeline); id 0 is ignored. */
void cg_note(struct cgroups *c, uint32_t pid, uint64_t id);
/* pid was reaped: forget it (its pid may come back as another process). */
void cg_forget(struct cgroups *c, uint32_t pid);

/* The path of pid's cgroup, or of cgroup id; NULL for the root, unknown or unnamed ones. Valid
 * until cg_free. */
const char *cg_path_of_pid(struct cgroups *c, uint32_t pid);
const char *cg_path(struct cgroups *c, uint64_t id);

/* path is sel or below it ("/a/b" is under "/a" and "/", not under "/ab"). */
bool cg_path_under(const char *path, const char *sel);

/* The last component of a path ("/a/b" -> "b"), for narrow columns. */
const char *cg_short_name(const char *path);

/*
 * The mount point of cgroup2 in the text of /proc/self/mountinfo (the first one), into out:
 * 0, -ENOENT when there is none, -ENAMETOOLONG.
 */
int cg_parse_mountinfo(const char *text, char *out, size_t n);

/*
 * Where --cgroup ARG points, given the cgroup2 mount: an absolute path under the mount as it is,
 * any other absolute path as a cgroup path below the mount ("/system.slice" ->
 * "MOUNT/system.slice"), a relative one below the mount. No trailing slash; ".." is refused
 * (-EINVAL); -ENAMETOOLONG.
 */
int cg_filter_path(const char *mount, const char *arg, char *out, size_t n);

#endif
