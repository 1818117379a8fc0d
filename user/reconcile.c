// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include "procfs.h"
#include "reconcile.h"

int reconcile_zombies(struct proctab *pt, uint64_t now_ns, bool all, void (*drain)(void *ctx),
		      void *ctx)
{
	struct ll_proc_totals before, after;
	struct pt_seen *seen = NULL;
	uint32_t *pids = NULL;
	size_t n, k;
	int ret = 0;

	n = pt_zombies_to_verify(pt, now_ns, all, NULL, 0);
	if (!n)
		return 0;
	pids = malloc(n * sizeof(*pids));
	seen = malloc(n * sizeof(*seen));
	if (!pids || !seen) {
		ret = -ENOMEM;
		goto out;
	}
	n = pt_zombies_to_verify(pt, now_ns, all, pids, n);
	for (k = 0; k < n; k++) {
		seen[k].pid = pids[k];
		seen[k].zombie = procfs_is_zombie(pids[k]);
	}
	if (drain)
		drain(ctx);
	pt_totals(pt, &before);
	pt_verify(pt, now_ns, all, seen, n);
	pt_totals(pt, &after);
	ret = (int)(after.incomplete - before.incomplete);
out:
	free(pids);
	free(seen);
	return ret;
}
