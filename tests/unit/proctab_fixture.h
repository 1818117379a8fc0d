// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The fixture test_proctab.c and test_proctab_reap.c share: builders, capture and checkers. */
#ifndef TESTS_UNIT_PROCTAB_FIXTURE_H
#define TESTS_UNIT_PROCTAB_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include "proctab.h"
#include "records.h"
#include "test.h"

#define US	1000ull
#define MS	1000000ull
#define CAP_MAX	64

/* Everything emitted: the first CAP_MAX events kept whole, all of them counted. */
struct capture {
	struct ll_event ev[CAP_MAX];
	char filename[CAP_MAX][LL_FILENAME_LEN];
	char args[CAP_MAX][LL_ARGS_LEN];
	unsigned int n;
	unsigned long total;
	unsigned long kinds[EV_KIND_MAX];
};

static struct capture cap;

static inline void capture_event(void *ctx, const struct ll_event *ev)
{
	struct capture *c = ctx;
	struct ll_event *e;

	c->total++;
	c->kinds[ev->kind]++;
	if (c->n >= CAP_MAX)
		return;
	e = &c->ev[c->n];
	*e = *ev;
	if (ev->kind == EV_EXEC) {	/* the strings live only during the call */
		snprintf(c->filename[c->n], LL_FILENAME_LEN, "%s", ev->exec.filename);
		memcpy(c->args[c->n], ev->exec.args, ev->exec.args_len);
		e->exec.filename = c->filename[c->n];
		e->exec.args = c->args[c->n];
	}
	c->n++;
}

static inline struct proctab *new_table(uint32_t max_procs, uint32_t max_groups)
{
	struct pt_config cfg = {
		.max_procs = max_procs,
		.max_groups = max_groups,
		.emit = capture_event,
		.ctx = &cap,
	};

	memset(&cap, 0, sizeof(cap));
	return pt_new(&cfg);
}

/* The k-th captured event of this kind about pid (k from 0), or NULL. */
static inline const struct ll_event *find_ev(enum ll_ev_kind kind, uint32_t pid, unsigned int k)
{
	unsigned int i;

	for (i = 0; i < cap.n; i++)
		if (cap.ev[i].kind == kind && cap.ev[i].pid == pid && k-- == 0)
			return &cap.ev[i];
	return NULL;
}

static inline int ev_index(const struct ll_event *ev)
{
	return ev ? (int)(ev - cap.ev) : -1;
}

/* ---- record builders ----------------------------------------------------------------------- */

static inline void set_hdr(struct ll_hdr *h, enum ll_rec_type type, size_t size, uint64_t ts,
		    uint32_t tgid)
{
	*h = mkrec_hdr(type, size, ts, tgid);
}

/* tgid forks child; ppid is the child's real parent (== tgid but for CLONE_PARENT). */
static inline void rec_fork_as(struct proctab *pt, uint64_t ts, uint32_t tgid, uint32_t tid,
			uint32_t child, uint32_t ppid, uint64_t start, const char *comm)
{
	struct ll_fork r = mkrec_fork(ts, tgid, child, comm);

	r.hdr.tid = tid;
	r.ppid = ppid;
	r.start_ns = start;
	pt_handle(pt, &r.hdr);
}

static inline void rec_fork(struct proctab *pt, uint64_t ts, uint32_t parent, uint32_t child,
		     const char *comm)
{
	rec_fork_as(pt, ts, parent, parent, child, parent, ts, comm);
}

static inline void rec_exec(struct proctab *pt, uint64_t ts, uint32_t pid, uint32_t ppid,
			    uint64_t start, const char *comm, const char *filename,
			    const char *args, size_t args_len)
{
	struct ll_exec r = mkrec_exec(ts, pid, ppid, start, comm, filename);

	mkrec_exec_args(&r, args, args_len);
	pt_handle(pt, &r.hdr);
}

static inline void rec_exit(struct proctab *pt, uint64_t ts, uint32_t pid, uint32_t ppid,
			    uint64_t start, uint32_t code, uint32_t flags, const char *comm,
			    const char *pcomm)
{
	struct ll_exit r = mkrec_exit(ts, pid, ppid, start, code, flags, comm, pcomm);

	pt_handle(pt, &r.hdr);
}

static inline void rec_reap(struct proctab *pt, uint64_t ts, uint32_t reaper, uint32_t pid,
		     enum ll_reap_how how)
{
	struct ll_reap r = mkrec_reap(ts, reaper, pid, how);

	r.hdr.tid = reaper + 1;		/* a reaper thread, to see tid carried */
	r.status = 0;
	pt_handle(pt, &r.hdr);
}

static inline void rec_sigchld(struct proctab *pt, uint64_t ts, uint32_t from, uint32_t to,
			       int result)
{
	struct ll_sigchld r = mkrec_sigchld(ts, from, to, result);

	pt_handle(pt, &r.hdr);
}

static inline struct ll_proc_totals totals(struct proctab *pt)
{
	struct ll_proc_totals t;

	pt_totals(pt, &t);
	return t;
}

static inline bool zview(struct proctab *pt, uint64_t now, uint32_t parent,
			 struct ll_zombie_view *out)
{
	struct ll_zombie_view v[64];
	size_t i, n = pt_zombie_views(pt, now, v, 64);

	for (i = 0; i < n; i++) {
		if (v[i].parent_pid == parent) {
			*out = v[i];
			return true;
		}
	}
	return false;
}

static inline bool oview(struct proctab *pt, uint32_t adopter, struct ll_orphan_view *out)
{
	struct ll_orphan_view v[64];
	size_t i, n = pt_orphan_views(pt, v, 64);

	for (i = 0; i < n; i++) {
		if (v[i].adopter_pid == adopter) {
			*out = v[i];
			return true;
		}
	}
	return false;
}


#endif
