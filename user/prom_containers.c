// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The containers' part of the exposition: failed forks by command and errno, and zombies by the
 * cgroup of their parent ("zombies growing in this container"). Bounded like every family: at
 * most PROM_MAX_SERIES label sets, the rest summed into the "(other commands)" one. Their label
 * sets have a shape of their own: their rows in prom_families.c are PV_OWN.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "prom_int.h"

struct ff_series {
	char comm[PROM_LABEL_LEN];
	char err[FMT_NAME_LEN];
	uint32_t pid;		/* 0: no pid label */
	uint64_t count;
};

static int ff_cmp(const void *pa, const void *pb)
{
	const struct ff_series *a = pa, *b = pb;
	int c = strcmp(a->comm, b->comm);

	if (c)
		return c;
	c = strcmp(a->err, b->err);
	if (c)
		return c;
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

#define FF_MAX_OTHER	16	/* overflow sets: one per errno */

/* The set of k's comm, errno (and pid); past PROM_MAX_SERIES, the overflow set of its errno. */
static struct ff_series *ff_get(struct ff_series *set, size_t *n, size_t *nreal,
				struct ff_series k)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!ff_cmp(&set[i], &k))
			return &set[i];
	if (*nreal == PROM_MAX_SERIES) {
		strcpy(k.comm, PROM_OTHER_COMM);
		k.pid = 0;
		for (i = 0; i < *n; i++)
			if (!ff_cmp(&set[i], &k))
				return &set[i];
		if (*n == PROM_MAX_SERIES + FF_MAX_OTHER)
			return NULL;
	} else {
		(*nreal)++;
	}
	set[*n] = k;
	set[*n].count = 0;
	return &set[(*n)++];
}

static int write_fork_failures(FILE *f, const struct ll_snapshot *s, const struct prom_opts *o)
{
	const struct prom_family *m = prom_own_family(PG_FORK_FAILURES);
	struct ff_series *set, k, *a;
	size_t i, n = 0, nreal = 0;

	prom_family(f, m->name, m->type, m->help);
	set = calloc(PROM_MAX_SERIES + FF_MAX_OTHER, sizeof(*set));
	if (!set)
		return -ENOMEM;
	for (i = 0; i < s->nforkfails; i++) {
		memset(&k, 0, sizeof(k));
		prom_label_comm(k.comm, s->forkfails[i].comm);
		fmt_errno(k.err, sizeof(k.err), s->forkfails[i].err);
		k.pid = o && o->by_pid ? s->forkfails[i].pid : 0;
		a = ff_get(set, &n, &nreal, k);
		if (a)
			a->count += s->forkfails[i].count;
	}
	qsort(set, n, sizeof(*set), ff_cmp);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s{%s=\"", m->name, m->label);
		prom_put_escaped(f, set[i].comm);
		fprintf(f, "\",errno=\"%s\"", set[i].err);
		if (set[i].pid)
			fprintf(f, ",pid=\"%" PRIu32 "\"", set[i].pid);
		fprintf(f, "} %" PRIu64 "\n", set[i].count);
	}
	free(set);
	return 0;
}

static void write_cgroup_zombies(FILE *f, const struct ll_snapshot *s)
{
	const struct prom_family *m = prom_own_family(PG_CGROUP_ZOMBIES);
	const char *path[PROM_MAX_SERIES];
	uint64_t now[PROM_MAX_SERIES];
	size_t i, j, n = 0;

	prom_family(f, m->name, m->type, m->help);
	for (i = 0; i < s->nzombies; i++) {
		const struct ll_zombie_view *z = &s->zombies[i];

		if (!z->cgroup)
			continue;
		for (j = 0; j < n && strcmp(path[j], z->cgroup); j++)
			;
		if (j == n) {
			if (n == PROM_MAX_SERIES)
				continue;	/* a fleet's host has fewer containers than that */
			path[n] = z->cgroup;
			now[n++] = 0;
		}
		now[j] += z->now;
	}
	for (j = 0; j < n; j++) {
		fprintf(f, "%s{%s=\"", m->name, m->label);
		prom_put_escaped(f, path[j]);
		fprintf(f, "\"} %" PRIu64 "\n", now[j]);
	}
}

int prom_write_containers(FILE *f, const struct ll_snapshot *s, const struct prom_opts *o)
{
	int ret = write_fork_failures(f, s, o);

	if (!ret)
		write_cgroup_zombies(f, s);
	return ret;
}
