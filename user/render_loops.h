/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The event loop fields of --loops (where the time goes), shared by the renderers. */
#ifndef LL_RENDER_LOOPS_H
#define LL_RENDER_LOOPS_H

#include <stdio.h>
#include "json.h"
#include "views.h"

/* "epoll", "poll" or "select"; NULL when not known. */
const char *ll_loop_wait_name(unsigned int wait);
/* The call a loop of that kind waits in, for sentences: "epoll_wait" (also when unknown). */
const char *ll_loop_wait_call(unsigned int wait);
/* wait, mode, threads, the four percentages and offcpu_syscalls of a summary's loop. */
void json_loop_time(struct json_w *w, const struct ll_loop_view *l);
/* oncpu_us, offcpu_us, runq_us and syscall of a stall event, when known. */
void json_stall_parts(struct json_w *w, const struct ll_event *ev);
/* " (on CPU 10 ms, off CPU 90 ms in nanosleep, run queue 1 ms)" for a stall line. */
void text_stall_parts(FILE *f, const struct ll_event *ev);
/* "BUSY% IDLE% OFF% RUNQ% THR OFF-CPU IN" columns of the text summary, and their header. */
void text_loop_time_header(FILE *f);
void text_loop_time(FILE *f, const struct ll_loop_view *l);

#endif
