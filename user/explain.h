/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * --explain sentences (explain.c). render_explain() itself is declared in render.h with the
 * other renderers' entry points; this is what the stream's printers share with it.
 */
#ifndef LL_EXPLAIN_H
#define LL_EXPLAIN_H

#include "render.h"

/* Room for the longest sentence, with its clauses. */
#define EXPLAIN_LEN 1024

#endif
