/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Between the files of the exposition: prom_families.c (the table of metric families),
 * prom_expo.c (label sets and the writers) and prom_containers.c (its own label sets).
 */
#ifndef LL_PROM_INT_H
#define LL_PROM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "prom.h"

#define PROM_LABEL_LEN		24	/* a command name, or PROM_OTHER_COMM */
#define PROM_NVAL		10	/* the longest enum below: the loops' */
#define PROM_NHIST		2

/* The writer a family's samples come from; each writes its families in table order. */
enum prom_group {
	PG_GLOBAL,		/* one sample, no label */
	PG_ZOMBIES,		/* by parent command */
	PG_ORPHANS,		/* by adopter command */
	PG_LISTENERS,		/* by listening command and port */
	PG_LOOPS,		/* by command, all its event loop threads */
	PG_FORK_FAILURES,	/* by command and errno (prom_containers.c) */
	PG_CGROUP_ZOMBIES,	/* by the parent's cgroup (prom_containers.c) */
	PG_NETSTAT,		/* one sample, no label, only when /proc/net/netstat was read */
};

/* What a label set's sample of the family is. */
enum prom_val {
	PV_U64,			/* v[idx] */
	PV_SEC,			/* v[idx] microseconds, in seconds */
	PV_HIST,		/* h[idx] (microseconds) as a histogram in seconds */
	PV_REAPS,		/* how="autoreap" v[Z_AUTO], how="wait" v[Z_REAPED] */
	PV_BUILD,		/* label = LL_VERSION, value 1 */
	PV_OWN,			/* written by its group's own code after the HELP and TYPE */
	PV_BACKLOG,		/* v[idx], only for label sets whose queue depth was seen */
};

/* The indexes into a label set's v[] (and h[]) of each group. */
enum { G_EVENTS, G_LOST, G_FORKS, G_EXECS, G_EXITS, G_OVERFLOWS, G_DROPS };
enum { Z_NOW, Z_OLDEST, Z_REAPED, Z_AUTO, Z_COALESCED };
enum { Z_H_LIFETIME };
enum { O_ALIVE, O_ADOPTED, O_EXITED };
enum { O_H_LIFETIME, O_H_REAP };
enum { L_ACCEPTS, L_ERRORS, L_FORKED, L_BL_LIMIT, L_BL_PEAK, L_BL_FULL };
enum { L_H_QUEUE };
/* P_CALLS: set when a loop of the label set has per-call facts (--loops calls, an epoll wait) */
enum { P_WAKEUPS, P_EVENTS, P_TIMEOUTS, P_FULL, P_BUSY, P_BLOCKED, P_STALLS, P_MAX_STALL,
       P_UNSEEN, P_CALLS, P_NVAL };
_Static_assert(P_NVAL <= PROM_NVAL, "PROM_NVAL too small for the loops' values");

/* One metric family: the names, types and help of doc/reference.md ("Prometheus"). */
struct prom_family {
	const char *name;
	const char *type;	/* "counter", "gauge" or "histogram" */
	const char *label;	/* the first label ("comm", "parent_comm", ...); NULL: none */
	enum prom_group group;
	enum prom_val val;
	int idx;
	bool calls;		/* a per-call fact: samples only for label sets with v[P_CALLS] */
	const char *help;
};

/* Every family, in the order of the exposition. */
extern const struct prom_family prom_families[];
extern const size_t prom_nfamilies;

/* "# HELP name help" and "# TYPE name type". */
void prom_family(FILE *f, const char *name, const char *type, const char *help);
/* A label value with \, " and newlines escaped. */
void prom_put_escaped(FILE *f, const char *s);
/* A command name as a label value: valid UTF-8, no control characters, never empty. */
void prom_label_comm(char out[PROM_LABEL_LEN], const char *comm);
/* The family of group g written by its own code (PV_OWN): there is one per such group. */
const struct prom_family *prom_own_family(enum prom_group g);

/* lifeline_fork_failures_total and lifeline_cgroup_zombies. 0 or -ENOMEM. */
int prom_write_containers(FILE *f, const struct ll_snapshot *s, const struct prom_opts *o);

#endif
