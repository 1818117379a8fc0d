// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * A binary min-heap on (ts_ns, arrival): equal times keep their arrival order. An exec's slot
 * owns copies of its strings, which live only during the state's emit call; other slots carry
 * none, since the window holds a few thousand events at a busy machine's rate and the strings
 * would be three quarters of each slot (4.5 MB of heap at 4,800 connections/s).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "reorder.h"

#define RO_DEF_MAX	16384u

struct ro_slot {
	struct ll_event ev;
	uint64_t seq;
	char str[];	/* EV_EXEC only: LL_FILENAME_LEN bytes of filename, then LL_ARGS_LEN of args */
};

struct reorder {
	uint64_t window_ns;
	uint32_t max, n;
	uint64_t seq;
	ll_emit_fn emit;
	void *ctx;
	struct ro_slot **heap;
};

struct reorder *reorder_new(uint64_t window_ns, uint32_t max, ll_emit_fn emit, void *ctx)
{
	struct reorder *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->window_ns = window_ns;
	r->max = max ? max : RO_DEF_MAX;
	r->emit = emit;
	r->ctx = ctx;
	r->heap = calloc(r->max, sizeof(*r->heap));
	if (!r->heap) {
		free(r);
		return NULL;
	}
	return r;
}

void reorder_free(struct reorder *r)
{
	uint32_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->heap[i]);
	free(r->heap);
	free(r);
}

static bool before(const struct ro_slot *a, const struct ro_slot *b)
{
	if (a->ev.ts_ns != b->ev.ts_ns)
		return a->ev.ts_ns < b->ev.ts_ns;
	return a->seq < b->seq;
}

static void swap(struct reorder *r, uint32_t i, uint32_t j)
{
	struct ro_slot *t = r->heap[i];

	r->heap[i] = r->heap[j];
	r->heap[j] = t;
}

static void sift_up(struct reorder *r, uint32_t i)
{
	while (i && before(r->heap[i], r->heap[(i - 1) / 2])) {
		swap(r, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void sift_down(struct reorder *r, uint32_t i)
{
	uint32_t l, m;

	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < r->n && before(r->heap[l], r->heap[m]))
			m = l;
		if (l + 1 < r->n && before(r->heap[l + 1], r->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		swap(r, i, m);
		i = m;
	}
}

static void emit_oldest(struct reorder *r)
{
	struct ro_slot *s = r->heap[0];

	r->heap[0] = r->heap[--r->n];
	sift_down(r, 0);
	r->emit(r->ctx, &s->ev);
	free(s);
}

void reorder_push(struct reorder *r, const struct ll_event *ev)
{
	struct ro_slot *s;
	size_t n;

	if (r->n == r->max)
		emit_oldest(r);
	s = malloc(sizeof(*s) + (ev->kind == EV_EXEC ? LL_FILENAME_LEN + LL_ARGS_LEN : 0));
	if (!s) {
		r->emit(r->ctx, ev);	/* out of memory: in order no more, but not lost */
		return;
	}
	s->ev = *ev;
	s->seq = r->seq++;
	if (ev->kind == EV_EXEC) {
		char *filename = s->str, *args = s->str + LL_FILENAME_LEN;

		n = ev->exec.filename ? strnlen(ev->exec.filename, LL_FILENAME_LEN - 1) : 0;
		memcpy(filename, ev->exec.filename ? ev->exec.filename : "", n);
		filename[n] = '\0';
		s->ev.exec.filename = ev->exec.filename ? filename : NULL;
		n = ev->exec.args_len < LL_ARGS_LEN ? ev->exec.args_len : LL_ARGS_LEN;
		memcpy(args, ev->exec.args, n);
		s->ev.exec.args = args;
		s->ev.exec.args_len = n;
	}
	r->heap[r->n] = s;
	sift_up(r, r->n++);
}

void reorder_flush(struct reorder *r, uint64_t now_ns)
{
	uint64_t limit = now_ns > r->window_ns ? now_ns - r->window_ns : 0;

	while (r->n && (now_ns == UINT64_MAX || r->heap[0]->ev.ts_ns <= limit))
		emit_oldest(r);
}
