/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The process table: joins each child's exit to its reap (zombie lifetimes, per parent) and
 * follows orphans from their parent's death to their own reap (per adopter).
 *
 * Pure state: it is driven only by kernel records and their timestamps (CLOCK_MONOTONIC ns), does
 * no I/O and prints nothing. What it cannot read itself (the adopter of an orphan, whether a
 * zombie is still there after records were lost) main reads from /proc and hands in. Not
 * thread-safe: one caller at a time.
 *
 * Memory is bounded: max_procs table entries (an entry is released as soon as its process has
 * been reaped and reported; when the table is full the oldest dead or unknown entries are
 * evicted) and max_groups per-parent groups.
 */
#ifndef LL_PROCTAB_H
#define LL_PROCTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event.h"
#include "views.h"

struct proctab;

struct pt_config {
	uint32_t max_procs;	/* table entries; 0: 65536 */
	uint32_t max_groups;	/* per-parent / per-adopter groups; 0: 4096 */
	uint64_t linger_ns;	/* a zombie older than this lingers and gets a cause; 0: 100 ms */
	uint64_t join_ns;	/* how long (record time) a reap waits for its exit; 0: 1 s */
	uint64_t start_ns;	/* when tracing started: zombies older than that are at least this
				 * old; 0: the first record's time */
	ll_emit_fn emit;	/* joined events; may be NULL */
	void *ctx;		/* for emit */
};

/* NULL on allocation failure (errno set). cfg may be NULL for all defaults. */
struct proctab *pt_new(const struct pt_config *cfg);
void pt_free(struct proctab *pt);

/*
 * A process that existed before tracing started (from /proc). start_ns is LL_UNKNOWN (or 0) when
 * not known. Emits nothing. Seed parents and children in any order.
 */
void pt_seed(struct proctab *pt, uint32_t pid, uint32_t ppid, const char *comm, uint64_t start_ns,
	     bool zombie);

/* A seeded process lives in a PID namespace below the initial one, where its pid is ns_pid. */
void pt_set_ns_pid(struct proctab *pt, uint32_t pid, uint32_t ns_pid);

/* One kernel record that passed ll_decode(); FORK, EXEC, EXIT, REAP and SIGCHLD are used, others ignored. */
void pt_handle(struct proctab *pt, const struct ll_hdr *rec);

/*
 * n records were lost: from now on a reap that cannot be joined to an exit counts as incomplete
 * instead of being taken for the reap of a process that predates the tracer.
 */
void pt_lost(struct proctab *pt, uint64_t n);

/* Time passes without records: flush reaps that waited too long for their exit, and the like. */
void pt_tick(struct proctab *pt, uint64_t now_ns);

/*
 * Orphans whose adopter is not known yet, oldest first: up to max pids are stored, and the number
 * pending is returned (so pids may be NULL with max 0). main reads their PPid from /proc...
 */
size_t pt_pending_adopters(const struct proctab *pt, uint32_t *pids, size_t max);
/* ...and reports it here (emits the orphan event). adopter_comm may be NULL. */
void pt_set_adopter(struct proctab *pt, uint32_t pid, uint32_t adopter_pid,
		    const char *adopter_comm);

/*
 * Reconciling with the kernel. The zombies to ask /proc about (exited at least join_ns before
 * now_ns, or all of them when all is set, as for the final summary; seeded ones always): up to
 * max pids are stored, the number is returned...
 */
size_t pt_zombies_to_verify(const struct proctab *pt, uint64_t now_ns, bool all, uint32_t *pids,
			    size_t max);

/* ...and what /proc said about each pid at read_ns. */
struct pt_seen {
	uint32_t pid;
	bool zombie;		/* /proc/PID/stat shows state Z */
};

/*
 * Zombies (by the same rule as pt_zombies_to_verify at read_ns) that /proc no longer holds were
 * reaped without a record we saw: they are closed as incomplete, never counted as zombies. Call
 * it after draining the ring buffer once more, so that no reap read before is still in flight.
 */
void pt_verify(struct proctab *pt, uint64_t read_ns, bool all, const struct pt_seen *seen,
	       size_t n);

/* The current process with this pid (the living one if any): its comm (NULL if unknown) or its
 * parent (0 if unknown). */
const char *pt_comm(const struct proctab *pt, uint32_t pid);
uint32_t pt_ppid(const struct proctab *pt, uint32_t pid);

void pt_totals(const struct proctab *pt, struct ll_proc_totals *out);

/*
 * Views for summaries; their histogram pointers point into the table and stay valid until the next
 * call that changes it. Zombie groups: most zombies now first, then the oldest zombie now. Orphan
 * groups: most living orphans first; orphans whose adopter is not known yet come last, as one row
 * with adopter_pid 0.
 */
size_t pt_zombie_views(const struct proctab *pt, uint64_t now_ns, struct ll_zombie_view *out,
		       size_t max);
size_t pt_orphan_views(const struct proctab *pt, struct ll_orphan_view *out, size_t max);

#endif
