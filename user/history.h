/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The run's history for the lifeline chart (--svg): every process's fork, exec, exit, reap and
 * orphaning, and every loop's stalls, from the joined events (struct ll_event).
 *
 * Pure state: no I/O. Memory is bounded whatever the run: at most max_procs processes are kept
 * in detail; when the table is full the least interesting half of the finished ones (exited
 * and reaped, exit 0, never orphaned, short-lived) is folded into counts. Among equally dull
 * ones a hash of the pid decides, so what stays is a uniform sample of them (priority
 * sampling). Loops keep their longest max_stalls stalls and count the rest.
 */
#ifndef LL_HISTORY_H
#define LL_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event.h"

#define HISTORY_SYSCALL_LEN	24

/* history_proc.flags */
#define HP_FORKED	(1u << 0)	/* its fork was seen: start_ns is the fork */
#define HP_EXECED	(1u << 1)
#define HP_EXITED	(1u << 2)
#define HP_REAPED	(1u << 3)
#define HP_AUTOREAP	(1u << 4)	/* never a zombie: its parent ignores SIGCHLD */
#define HP_ORPHAN	(1u << 5)	/* its parent died first */
#define HP_ADOPTER	(1u << 6)	/* adopted an orphan */
#define HP_STALLS	(1u << 7)	/* one of its threads' loops stalled */
#define HP_PARENT	(1u << 8)	/* forked a child that was seen */

struct history_proc {
	uint64_t id;			/* unique, in order of first sight */
	uint64_t parent_id;		/* id of the parent's entry at fork; 0: none seen */
	uint32_t pid;
	uint32_t ppid;			/* parent at fork (or at first sight); 0: unknown */
	uint32_t adopter;		/* orphans: who took it; 0: not known */
	uint64_t adopter_id;		/* the adopter's entry; 0: none */
	uint32_t status;		/* wait(2) status word, with HP_EXITED */
	uint32_t flags;			/* HP_* */
	uint32_t kids;			/* children seen forked */
	uint64_t seen_ns;		/* first event that named it */
	uint64_t start_ns;		/* fork; LL_UNKNOWN: it predates lifeline (or its fork was lost) */
	uint64_t exit_ns;		/* LL_UNKNOWN unless HP_EXITED */
	uint64_t reap_ns;		/* LL_UNKNOWN unless HP_REAPED */
	uint64_t orphan_ns;		/* when its parent died, with HP_ORPHAN */
	char comm[LL_COMM_LEN];		/* the latest name */
	char old_comm[LL_COMM_LEN];	/* the first name seen, where it changed (exec, prctl) */
};

struct history_stall {
	uint64_t start_ns;
	uint64_t dur_ns;
	char syscall[HISTORY_SYSCALL_LEN];	/* where it slept most; "" when not known */
};

struct history_loop {
	uint32_t pid, tid;
	char comm[LL_COMM_LEN];
	uint64_t stalls;		/* all stalls seen; the longest nkept are in stall[] */
	uint64_t max_ns;
	uint32_t nkept;
	struct history_stall *stall;
};

/* What was folded into counts: evicted from the table, or not drawn. */
struct history_folded {
	uint64_t procs;
	uint64_t failed;		/* non-zero exit or killed by a signal */
	uint64_t zombies;		/* lay a zombie longer than the linger threshold */
	uint64_t orphans;
	uint64_t max_life_ns;		/* the longest fork-to-reap among them */
};

struct history_cfg {
	uint64_t start_ns;		/* lifeline's start: time 0 of the chart */
	uint32_t max_procs;		/* 0: 4096 */
	uint32_t max_loops;		/* 0: 128 */
	uint32_t max_stalls;		/* per loop; 0: 48 */
	uint64_t linger_ns;		/* a zombie older than this is interesting; 0: 10 ms */
};

struct history;

/* NULL on allocation failure. */
struct history *history_new(const struct history_cfg *cfg);
void history_free(struct history *h);

/* One joined event; the kinds a chart has no use for are ignored. */
void history_event(struct history *h, const struct ll_event *ev);
/* A stall of thread tid of pid, from start_ns for dur_ns; syscall may be NULL. */
void history_stall(struct history *h, uint32_t pid, uint32_t tid, const char *comm,
		   uint64_t start_ns, uint64_t dur_ns, const char *syscall);
/* Names a process the events left unnamed (an adopter, say); does nothing if it has a name. */
void history_name(struct history *h, uint32_t pid, const char *comm);
/* The run ended at end_ns: what is still open is drawn open-ended up to it. */
void history_end(struct history *h, uint64_t end_ns);

uint64_t history_start_ns(const struct history *h);
uint64_t history_end_ns(const struct history *h);
/* Loops with a row of their own (those that stalled). */
size_t history_loops(const struct history *h);

/* One row of the chart, in tree order: a process, or one of its loops right under it. */
struct history_row {
	const struct history_proc *proc;	/* NULL for a loop whose process is not drawn */
	const struct history_loop *loop;	/* non-NULL for a loop row */
	unsigned int depth;			/* 0: a root */
	int adopter_row;			/* orphans: the adopter's row, -1 if not drawn */
	int parent_row;				/* -1 for a root */
};

/*
 * Lays out at most max_rows process rows (the most interesting, in tree order: children under
 * their parent, by start time) plus their loop rows, into out (room for max_out rows). *folded
 * gets everything not drawn. Returns the number of rows. Pointers stay valid until the next
 * call that changes h.
 */
size_t history_rows(const struct history *h, size_t max_rows, struct history_row *out, size_t max_out,
		    struct history_folded *folded);

/* It exited with a non-zero code or was killed by a signal. */
bool history_failed(const struct history_proc *p);
/* It lay a zombie longer than the linger threshold, or is one still at the end. */
bool history_lingered(const struct history *h, const struct history_proc *p);

/* Interest of a process: failures, lingering zombies, orphans, stalls, long lives rank high. */
double history_interest(const struct history *h, const struct history_proc *p);

#endif
