// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "containers.h"

void containers_init(struct containers *c)
{
	memset(c, 0, sizeof(*c));
	c->fs.mount_fd = -1;
	memset(c->fds, -1, sizeof(c->fds));
}

int containers_open(struct containers *c, ll_emit_fn emit, void *ctx)
{
	struct ff_config fc = { .emit = emit, .ctx = ctx };

	c->ff = ff_new(&fc);
	c->cg = cg_new(0, 0, cgroupfs_path_of_id, &c->fs);
	return c->ff && c->cg ? 0 : -ENOMEM;
}

int containers_open_filters(struct containers *c, const struct ll_opts *o)
{
	char err[512], abs[CG_PATH_MAX + 256];
	size_t ml;
	int fd;

	cgroupfs_open(&c->fs);
	ml = strlen(c->fs.mount);
	for (c->nsel = 0; c->nsel < o->ncgroups; c->nsel++) {
		fd = cgroupfs_open_filter(&c->fs, o->cgroups[c->nsel], err, sizeof(err));
		if (fd < 0) {
			fprintf(stderr, "lifeline: %s\n", err);
			return -EINVAL;
		}
		c->fds[c->nsel] = fd;
		cg_filter_path(c->fs.mount, o->cgroups[c->nsel], abs, sizeof(abs));
		snprintf(c->sel[c->nsel], CG_PATH_MAX, "%s", abs[ml] ? abs + ml : "/");
	}
	return 0;
}

void containers_close(struct containers *c)
{
	unsigned int i;

	for (i = 0; i < LL_MAX_CGROUP_FILTERS; i++)
		if (c->fds[i] >= 0)
			close(c->fds[i]);
	cgroupfs_close(&c->fs);
	cg_free(c->cg);
	ff_free(c->ff);
	containers_init(c);
}

/* The kernel filters what happens from now on; this, what was there before. */
bool containers_seed(struct containers *c, uint32_t pid)
{
	const char *path;
	unsigned int i;

	if (c->fs.mount[0])
		cg_note(c->cg, pid, cgroupfs_id_of_pid(&c->fs, pid));
	if (!c->nsel)
		return true;
	path = cg_path_of_pid(c->cg, pid);
	for (i = 0; i < c->nsel; i++)
		if (cg_path_under(path ? path : "/", c->sel[i]))
			return true;
	return false;
}

void containers_snapshot(struct containers *c, struct ll_snapshot *s)
{
	size_t i;

	s->fork_failures = ff_total(c->ff);
	s->procs.fork_failures = s->fork_failures;
	s->forkfails = c->views;
	s->nforkfails = ff_views(c->ff, c->views, CONTAINERS_MAX_VIEWS);
	for (i = 0; i < s->nforkfails; i++)
		c->views[i].cgroup = cg_path_of_pid(c->cg, c->views[i].pid);
}

void containers_name_groups(struct containers *c, struct ll_zombie_view *z, size_t nz,
			    struct ll_orphan_view *o, size_t no)
{
	size_t i;

	for (i = 0; i < nz; i++)
		z[i].cgroup = cg_path_of_pid(c->cg, z[i].parent_pid);
	for (i = 0; i < no; i++)
		o[i].cgroup = cg_path_of_pid(c->cg, o[i].adopter_pid);
}
