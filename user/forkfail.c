// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdlib.h>
#include <string.h>
#include "forkfail.h"
#include "u64map.h"

#define FF_DEFAULT_ROWS 1024

struct forkfails {
	struct ff_config cfg;
	struct u64map index;		/* (pid << 32 | errno) -> row + 1 */
	struct ll_forkfail_view *rows;
	size_t n;
	uint64_t total;
};

struct forkfails *ff_new(const struct ff_config *cfg)
{
	struct forkfails *ff = calloc(1, sizeof(*ff));

	if (!ff)
		return NULL;
	if (cfg)
		ff->cfg = *cfg;
	if (!ff->cfg.max_rows)
		ff->cfg.max_rows = FF_DEFAULT_ROWS;
	ff->rows = calloc(ff->cfg.max_rows, sizeof(*ff->rows));
	if (!ff->rows || u64map_init(&ff->index, ff->cfg.max_rows)) {
		ff_free(ff);
		return NULL;
	}
	return ff;
}

void ff_free(struct forkfails *ff)
{
	if (!ff)
		return;
	u64map_fini(&ff->index);
	free(ff->rows);
	free(ff);
}

static void comm_set(char *dst, const char *src)
{
	memcpy(dst, src, LL_COMM_LEN);
	dst[LL_COMM_LEN - 1] = '\0';
}

static struct ll_forkfail_view *row_get(struct forkfails *ff, uint32_t pid, int err)
{
	uint64_t key = (uint64_t)pid << 32 | (uint32_t)err;
	uint32_t v = u64map_get(&ff->index, key);
	struct ll_forkfail_view *row;

	if (v)
		return &ff->rows[v - 1];
	if (ff->n == ff->cfg.max_rows || u64map_put(&ff->index, key, ff->n + 1))
		return NULL;
	row = &ff->rows[ff->n++];
	row->pid = pid;
	row->err = err;
	return row;
}

void ff_handle(struct forkfails *ff, const struct ll_fork_failed *r)
{
	struct ll_forkfail_view *row;
	struct ll_event ev = { .kind = EV_FORK_FAILED };

	ff->total++;
	row = row_get(ff, r->hdr.tgid, r->err);
	if (row) {
		row->count++;
		comm_set(row->comm, r->comm);
		row->pids_current = r->pids_current;
		row->pids_max = r->pids_max;
	}
	if (!ff->cfg.emit)
		return;
	ev.ts_ns = r->hdr.ts_ns;
	ev.pid = r->hdr.tgid;
	ev.tid = r->hdr.tid;
	comm_set(ev.comm, r->comm);
	ev.fork_failed.err = r->err;
	ev.fork_failed.call = r->call;
	ev.fork_failed.pids_current = r->pids_current;
	ev.fork_failed.pids_max = r->pids_max;
	ff->cfg.emit(ff->cfg.ctx, &ev);
}

uint64_t ff_total(const struct forkfails *ff)
{
	return ff->total;
}

static int by_count(const void *pa, const void *pb)
{
	const struct ll_forkfail_view *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return a->err - b->err;
}

size_t ff_views(const struct forkfails *ff, struct ll_forkfail_view *out, size_t max)
{
	struct ll_forkfail_view *all = out;
	size_t n = ff->n < max ? ff->n : max;

	/* The rows stay where the index says; the sort is of a copy (out, when it fits). */
	if (ff->n > max) {
		all = malloc(ff->n * sizeof(*all));
		if (!all)
			return 0;
	}
	memcpy(all, ff->rows, ff->n * sizeof(*all));
	qsort(all, ff->n, sizeof(*all), by_count);
	if (all != out) {
		memcpy(out, all, n * sizeof(*out));
		free(all);
	}
	return n;
}
