// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <signal.h>
#include "pidwatch.h"

#define PIDWATCH_MAX	65536	/* as many as the kernel's "traced" map holds */

int pidwatch_init(struct pidwatch *w, const uint32_t *pids, size_t n)
{
	size_t i;
	int ret;

	ret = u64map_init(&w->alive, PIDWATCH_MAX);
	for (i = 0; !ret && i < n; i++)
		ret = u64map_put(&w->alive, pids[i], 1);
	w->on = !ret;
	return ret;
}

void pidwatch_event(struct pidwatch *w, const struct ll_event *ev)
{
	if (!w->on)
		return;
	if (ev->kind == EV_FORK)
		u64map_put(&w->alive, ev->pid, 1);
	else if (ev->kind == EV_EXIT)
		u64map_del(&w->alive, ev->pid);
}

bool pidwatch_gone(struct pidwatch *w)
{
	uint64_t i;

	if (!w->on)
		return false;
	for (i = 0; i <= w->alive.mask; i++) {
		uint32_t pid = w->alive.slots[i].key;

		if (w->alive.slots[i].val && kill(pid, 0) && errno == ESRCH) {
			u64map_del(&w->alive, pid);
			i--;	/* the rest of the cluster shifted back into this slot */
		}
	}
	return w->alive.n == 0;
}

void pidwatch_fini(struct pidwatch *w)
{
	u64map_fini(&w->alive);
	w->on = false;
}
