/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Reconciling the process table with the kernel: the zombies lifeline believes in are looked up
 * in /proc, and those the kernel no longer holds are closed as incomplete. This is the I/O side;
 * the decision is the state's (pt_verify).
 */
#ifndef LL_RECONCILE_H
#define LL_RECONCILE_H

#include <stdbool.h>
#include <stdint.h>
#include "proctab.h"

/*
 * Before a summary: zombies older than the join window (all of them when all is set, as before
 * the final summary). drain, if not NULL, consumes the records still in the ring after /proc was
 * read, so a reap in flight is joined rather than taken for a loss. Returns the zombies closed,
 * or -errno.
 */
int reconcile_zombies(struct proctab *pt, uint64_t now_ns, bool all, void (*drain)(void *ctx),
		      void *ctx);

#endif
