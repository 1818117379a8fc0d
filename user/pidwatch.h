/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* -p PID: lifeline ends when PID and all it forked are gone. Forks add to the set, exits take
 * from it, and a process whose exit record was lost is found gone by kill(pid, 0). */
#ifndef LL_PIDWATCH_H
#define LL_PIDWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event.h"
#include "u64map.h"

struct pidwatch {
	struct u64map alive;
	bool on;
};

int pidwatch_init(struct pidwatch *w, const uint32_t *pids, size_t n);
void pidwatch_event(struct pidwatch *w, const struct ll_event *ev);
/* True once none is left (never when not on). */
bool pidwatch_gone(struct pidwatch *w);
void pidwatch_fini(struct pidwatch *w);

#endif
