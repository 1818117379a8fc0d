/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Failed fork/vfork/clone/clone3 calls, per process and errno: the sign of a pids cgroup at its
 * limit (EAGAIN) or of memory pressure (ENOMEM). Pure state, bounded (max_rows rows; failures of
 * further processes are still counted in the total). Not thread-safe.
 */
#ifndef LL_FORKFAIL_H
#define LL_FORKFAIL_H

#include <stddef.h>
#include <stdint.h>
#include "event.h"
#include "views.h"

struct ff_config {
	size_t max_rows;	/* 0: 1024 */
	ll_emit_fn emit;	/* EV_FORK_FAILED; may be NULL */
	void *ctx;
};

struct forkfails;

struct forkfails *ff_new(const struct ff_config *cfg);
void ff_free(struct forkfails *ff);
void ff_handle(struct forkfails *ff, const struct ll_fork_failed *r);
uint64_t ff_total(const struct forkfails *ff);
/* Rows, most failures first (then the lowest pid); returns how many were written. */
size_t ff_views(const struct forkfails *ff, struct ll_forkfail_view *out, size_t max);

#endif
