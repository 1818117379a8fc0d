/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * main's containers glue: the cgroup2 mount, --cgroup's directories, which cgroup each process
 * is in, and failed forks; filled into each snapshot.
 */
#ifndef LL_CONTAINERS_H
#define LL_CONTAINERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cgroup.h"
#include "cgroupfs.h"
#include "cli.h"
#include "event.h"
#include "forkfail.h"
#include "views.h"

#define CONTAINERS_MAX_VIEWS 1024

struct containers {
	struct cgroupfs fs;
	struct cgroups *cg;		/* which cgroup each process is in, and their paths */
	struct forkfails *ff;
	int fds[LL_MAX_CGROUP_FILTERS];	/* --cgroup, for the kernel's filter */
	char sel[LL_MAX_CGROUP_FILTERS][CG_PATH_MAX];	/* ... as paths below the mount */
	unsigned int nsel;
	struct ll_forkfail_view views[CONTAINERS_MAX_VIEWS];
};

/* Safe to containers_close() after, whatever happened. */
void containers_init(struct containers *c);
/* The tables (emit gets EV_FORK_FAILED): 0 or -ENOMEM. */
int containers_open(struct containers *c, ll_emit_fn emit, void *ctx);
/* Finds the cgroup2 mount, then opens --cgroup's directories: 0, or -EINVAL after one line on
 * stderr (a usage error). Called first, whether or not --cgroup was given. */
int containers_open_filters(struct containers *c, const struct ll_opts *o);
void containers_close(struct containers *c);

/* A process seen in /proc at start: notes its cgroup; false if --cgroup leaves it out. */
bool containers_seed(struct containers *c, uint32_t pid);
/* Fork failures, into s. */
void containers_snapshot(struct containers *c, struct ll_snapshot *s);
/* The cgroup path of each zombie group's parent and each orphan group's adopter. */
void containers_name_groups(struct containers *c, struct ll_zombie_view *z, size_t nz,
			    struct ll_orphan_view *o, size_t no);

#endif
