/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Renderers: they read joined events and snapshots and write text or JSON. They never touch BPF
 * and never change the state. */
#ifndef LL_RENDER_H
#define LL_RENDER_H

#include <stdbool.h>
#include <stdio.h>
#include "event.h"
#include "views.h"

struct ll_render_opts {
	FILE *out;
	bool json;		/* JSON lines instead of text */
	bool explain;		/* one plain sentence per streamed event */
	uint64_t stall_ms;	/* the threshold, for explain sentences */
	uint64_t start_ns;	/* CLOCK_MONOTONIC at start: text time column is relative to it */
};

/* One streamed event (--events): a text line with a time column, or one JSON object. */
void render_event(const struct ll_render_opts *o, const struct ll_event *ev);
/* Header line for the text stream. */
void render_event_header(const struct ll_render_opts *o);
/* A summary: JSON "summary" object on one line, or text (with log2 histograms when final). */
void render_summary(const struct ll_render_opts *o, const struct ll_snapshot *s);
/* The top-like live screen, sized to rows x cols; clears and redraws. */
void render_live(const struct ll_render_opts *o, const struct ll_snapshot *s, int rows, int cols);

#endif
