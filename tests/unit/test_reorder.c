// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The event stream's reorder window: events come out oldest first, once older than the window. */
#include <stdlib.h>
#include <string.h>
#include "reorder.h"
#include "test.h"

#define MS	1000000ull

struct out {
	uint64_t ts[64];
	uint32_t pid[64];
	char filename[64][LL_FILENAME_LEN];
	unsigned int n;
};

static void collect(void *ctx, const struct ll_event *ev)
{
	struct out *o = ctx;

	if (o->n >= 64)
		return;
	o->ts[o->n] = ev->ts_ns;
	o->pid[o->n] = ev->pid;
	if (ev->kind == EV_EXEC && ev->exec.filename)
		snprintf(o->filename[o->n], LL_FILENAME_LEN, "%s", ev->exec.filename);
	o->n++;
}

static void push(struct reorder *r, uint64_t ts, uint32_t pid)
{
	struct ll_event ev = { .kind = EV_FORK, .ts_ns = ts, .pid = pid };

	reorder_push(r, &ev);
}

static void test_in_time_order(void)
{
	struct out o = {};
	struct reorder *r = reorder_new(200 * MS, 0, collect, &o);
	unsigned int i;

	if (!ASSERT_TRUE(r, "new"))
		return;
	push(r, 1000 * MS, 1);
	push(r, 1100 * MS, 2);
	push(r, 950 * MS, 3);		/* 150 ms late: inside the window */
	push(r, 1100 * MS, 4);		/* same time as 2: after it */
	reorder_flush(r, 1200 * MS);
	ASSERT_EQ(o.n, 2, "older than 1000 ms only");
	ASSERT_EQ(o.pid[0], 3, "oldest first");
	ASSERT_EQ(o.pid[1], 1, "then 1000 ms");
	reorder_flush(r, 1299 * MS);
	ASSERT_EQ(o.n, 2, "1100 ms is held until 1300 ms");
	reorder_flush(r, UINT64_MAX);
	ASSERT_EQ(o.n, 4, "the end writes everything");
	ASSERT_EQ(o.pid[2], 2, "equal times keep arrival order");
	ASSERT_EQ(o.pid[3], 4, "...");
	for (i = 1; i < o.n; i++)
		ASSERT_LE(o.ts[i - 1], o.ts[i], "in time order");
	reorder_free(r);
}

static void test_bounded_and_exec_strings(void)
{
	struct out o = {};
	struct reorder *r = reorder_new(200 * MS, 4, collect, &o);
	char name[32];
	struct ll_event ev = { .kind = EV_EXEC, .ts_ns = 5 * MS, .pid = 9 };
	unsigned int i;

	if (!ASSERT_TRUE(r, "new"))
		return;
	strcpy(name, "/bin/true");
	ev.exec.filename = name;
	ev.exec.args = "true";
	ev.exec.args_len = 5;
	reorder_push(r, &ev);
	strcpy(name, "clobbered");	/* the state's buffer is gone after the call */
	for (i = 0; i < 4; i++)
		push(r, (10 + i) * MS, 10 + i);
	ASSERT_EQ(o.n, 1, "a full buffer writes its oldest at once");
	ASSERT_STREQ(o.filename[0], "/bin/true", "the exec's strings were copied");
	reorder_free(r);	/* frees what it holds */
}

int main(void)
{
	RUN_TEST(test_in_time_order);
	RUN_TEST(test_bounded_and_exec_strings);
	return TEST_MAIN_END();
}
