/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The event stream in time order: joined events reach the renderer up to a short window late
 * (records from several CPUs, a reap that arrived before its exit, an orphan's adopter read from
 * /proc), so they are held for window_ns and written oldest first. Pure: no I/O, no clock.
 */
#ifndef LL_REORDER_H
#define LL_REORDER_H

#include <stdint.h>
#include "event.h"

#define LL_REORDER_NS	200000000ull	/* 200 ms: stated in doc/lifeline.8 */

struct reorder;

/* NULL on allocation failure. At most max events are held (0: 16384); a full buffer writes its
 * oldest at once. */
struct reorder *reorder_new(uint64_t window_ns, uint32_t max, ll_emit_fn emit, void *ctx);
void reorder_free(struct reorder *r);
/* ev (and its exec strings) is copied. */
void reorder_push(struct reorder *r, const struct ll_event *ev);
/* Writes every event older than now_ns - window (all of them when now_ns is UINT64_MAX). */
void reorder_flush(struct reorder *r, uint64_t now_ns);

#endif
