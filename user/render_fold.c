// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * --explain in a text stream: a burst of identical events (60 forks of one server) would repeat
 * one sentence 60 times. Sentences that differ only in their numbers (pids, durations) fold
 * into the first one and a line "... 59 more forks like this".
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "render.h"

#define SHAPE_LEN	1024

struct ll_fold {
	char shape[SHAPE_LEN];		/* the last sentence shown, digits taken out */
	enum ll_ev_kind kind;
	unsigned long more;		/* sentences of that shape left out since */
};

struct ll_fold *fold_new(void)
{
	return calloc(1, sizeof(struct ll_fold));
}

void fold_free(struct ll_fold *f)
{
	free(f);
}

static void shape_of(char *out, size_t n, const char *s)
{
	size_t o = 0;

	for (; *s && o + 1 < n; s++)
		if (!isdigit((unsigned char)*s))
			out[o++] = *s;
	out[o] = '\0';
}

void fold_flush(struct ll_fold *f, FILE *out)
{
	if (!f || !f->more)
		return;
	fprintf(out, "         # %s %lu more %ss like this\n", fmt_ascii() ? "..." : "…", f->more,
		render_event_name(f->kind));
	f->more = 0;
}

bool fold_take(struct ll_fold *f, FILE *out, enum ll_ev_kind kind, const char *sentence)
{
	char shape[SHAPE_LEN];

	if (!f)
		return false;
	shape_of(shape, sizeof(shape), sentence);
	if (kind == f->kind && !strcmp(shape, f->shape)) {
		f->more++;
		return true;
	}
	fold_flush(f, out);
	f->kind = kind;
	strcpy(f->shape, shape);
	return false;
}
