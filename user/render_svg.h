/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The lifeline chart: the run's history as one self-contained SVG (no scripts, no external
 * fonts or files). Pure: it reads the history and writes to a FILE. The format (classes, data
 * attributes, colours) is described in doc/chart.md.
 */
#ifndef LL_RENDER_SVG_H
#define LL_RENDER_SVG_H

#include <stddef.h>
#include <stdio.h>
#include "history.h"

#define SVG_MAX_ROWS	300	/* process rows; the rest are folded into one row */

struct svg_opts {
	char *const *argv;	/* the command line, for the title; NULL: "lifeline" */
	int argc;
	size_t max_rows;	/* 0: SVG_MAX_ROWS */
};

/* Writes the chart; 0, or -EIO if a write failed, -ENOMEM. */
int render_svg(FILE *f, const struct history *h, const struct svg_opts *o);

/* XML text or attribute value: fmt_text's escapes (\n, \xHH for bytes that are not UTF-8),
 * then & < > " ' as entities; the output is always well-formed XML. */
void svg_escape(FILE *f, const char *s, size_t n);
/* The same for text fmt_text (or fmt_argv) has already made terminal-safe. */
void svg_xml(FILE *f, const char *s, size_t n);

#endif
