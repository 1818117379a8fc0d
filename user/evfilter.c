// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include "evfilter.h"

/* One case per kind of event that can be a failure: a new failing kind is one more case. */
bool ev_is_failure(const struct ll_event *ev)
{
	switch (ev->kind) {
	case EV_EXIT:
		return ev->exit.status != 0;	/* a code, or a signal in the low bits */
	case EV_FORK_FAILED:
		return true;
	default:
		return false;
	}
}
