/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* -x: which joined events are failures. */
#ifndef LL_EVFILTER_H
#define LL_EVFILTER_H

#include <stdbool.h>
#include "event.h"

/* A non-zero exit (a failed exec's 127 included) or a death by signal; a fork failure. */
bool ev_is_failure(const struct ll_event *ev);

#endif
