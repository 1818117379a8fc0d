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
	bool full;		/* --full: every row and histogram in the final summary */
	unsigned int ringbuf_kb;	/* for the lost-events advice */
	bool timestamp;		/* -T: wall-clock times */
	int64_t wall_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC, for -T */
	struct ll_fold *fold;	/* --explain: collapses identical consecutive sentences; or NULL */
	struct live_state *live;	/* the live view's keys and memory; NULL: defaults */
};

/* One streamed event (--events): a text line with a time column, or one JSON object. */
void render_event(const struct ll_render_opts *o, const struct ll_event *ev);
/* Header line for the text stream. */
void render_event_header(const struct ll_render_opts *o);
/* A summary: JSON "summary" object on one line, or text (with log2 histograms when final). */
void render_summary(const struct ll_render_opts *o, const struct ll_snapshot *s);
/* The top-like live screen, sized to rows x cols; clears and redraws. */
void render_live(const struct ll_render_opts *o, const struct ll_snapshot *s, int rows, int cols);

/* --explain folding (render_fold.c): a sentence like the last one but for its numbers is left
 * out (fold_take returns true) and counted; fold_flush writes "... N more forks like this". */
struct ll_fold *fold_new(void);
void fold_free(struct ll_fold *f);
bool fold_take(struct ll_fold *f, FILE *out, enum ll_ev_kind kind, const char *sentence);
void fold_flush(struct ll_fold *f, FILE *out);
/* CLOCK_REALTIME - CLOCK_MONOTONIC now, in ns: what -T adds to the kernel's stamps. */
int64_t render_wall_offset(void);
/* -T: "12:34:56.789" (local time) and "2026-12-01T12:34:56.789012Z" of a CLOCK_MONOTONIC time. */
const char *render_wall_hms(const struct ll_render_opts *o, uint64_t mono_ns, char *buf,
			    size_t n);
const char *render_wall_rfc3339(const struct ll_render_opts *o, uint64_t mono_ns, char *buf,
				size_t n);

/* The live view's keys (q p s a h ?): what the main loop must do next. */
enum live_action { LIVE_NONE, LIVE_REDRAW, LIVE_QUIT };
struct live_state *live_new(void);
void live_free(struct live_state *l);
enum live_action live_key(struct live_state *l, int key);

/* The contract's "type" of an event kind: "fork", "exec", ...; "?" when out of range. */
const char *render_event_name(enum ll_ev_kind kind);
/* The --explain sentence for an event (no newline) into buf of size n; returns buf. */
const char *render_explain(const struct ll_render_opts *o, const struct ll_event *ev, char *buf,
			   size_t n);
/* A log2 histogram like libbpf-tools' print_log2_hist ("usecs : count distribution" with
 * stars; the first row is 0 -> 1); prints nothing when h is NULL or empty. */
void render_log2_hist(FILE *f, const struct ll_hist *h, const char *val_type);

#endif
