// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The one record path: decode's table describes every type, and dispatch routes a record to
 * the state modules its row names and nowhere else; a malformed record reaches none of them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cgroup.h"
#include "decode.h"
#include "dispatch.h"
#include "format.h"
#include "forkfail.h"
#include "listeners.h"
#include "loops.h"
#include "proctab.h"
#include "records.h"
#include "test.h"

struct fixture {
	struct ll_state st;
	int events;		/* what reached the sink after dispatch's fan-out */
	int reaps_sunk;
};

static void sink(void *ctx, const struct ll_event *ev)
{
	struct fixture *fx = ctx;

	fx->events++;
	if (ev->kind == EV_REAP)
		fx->reaps_sunk++;
}

static void fan_out(void *ctx, const struct ll_event *ev)
{
	struct fixture *fx = ctx;

	dispatch_event(&fx->st, ev, sink, fx);
}

static void fx_open(struct fixture *fx)
{
	struct pt_config pc = { .emit = fan_out, .ctx = fx };
	struct ls_config lc = { .emit = fan_out, .ctx = fx };
	struct lp_config lpc = { .emit = fan_out, .ctx = fx };

	memset(fx, 0, sizeof(*fx));
	fx->st.pt = pt_new(&pc);
	fx->st.ls = ls_new(&lc);
	fx->st.lp = lp_new(&lpc);
	fx->st.ff = ff_new(&(struct ff_config){ .emit = fan_out, .ctx = fx });
	fx->st.cg = cg_new(8, 64, NULL, NULL);
	ASSERT_TRUE(fx->st.pt && fx->st.ls && fx->st.lp && fx->st.ff && fx->st.cg, "state opened");
}

static void fx_close(struct fixture *fx)
{
	pt_free(fx->st.pt);
	ls_free(fx->st.ls);
	lp_free(fx->st.lp);
	ff_free(fx->st.ff);
	cg_free(fx->st.cg);
}

/* Every type between the ends has a name, a size and at least one state module; summaries name
 * types from the same row (fork_failed too, which format's own list once lacked). */
static void test_table(void)
{
	const struct ll_rec_info *ri;
	unsigned int t;

	ASSERT_TRUE(ll_rec_info(0) == NULL, "no type 0");
	ASSERT_TRUE(ll_rec_info(LL_REC_MAX) == NULL, "no type LL_REC_MAX");
	for (t = 1; t < LL_REC_MAX; t++) {
		ri = ll_rec_info(t);
		ASSERT_TRUE(ri != NULL, "every type has a row");
		if (!ri)
			continue;
		ASSERT_TRUE(ri->name && ri->name[0], "a name");
		ASSERT_U64_GE(ri->size, sizeof(struct ll_hdr), "a size past the header");
		ASSERT_U64_NE(ri->to, 0, "a state module");
		ASSERT_STREQ(fmt_rec_name(t), ri->name, "format names it from the table");
	}
	ASSERT_STREQ(fmt_rec_name(LL_REC_FORK_FAILED), "fork_failed", "fork_failed");
	ASSERT_TRUE(fmt_rec_name(LL_REC_MAX) == NULL, "no name past the end");
}

static struct ll_fork_failed mkrec_fork_failed(uint64_t ts, uint32_t pid)
{
	struct ll_fork_failed r = { .hdr = mkrec_hdr(LL_REC_FORK_FAILED, sizeof(r), ts, pid) };

	r.err = EAGAIN;
	r.pids_current = r.pids_max = 10;
	mkrec_comm(r.comm, "sh");
	return r;
}

/* Each record reaches the module its row names, and only that one. */
static void test_routes(void)
{
	struct ll_fork f = mkrec_fork(1000, 10, 11, "sh");
	struct ll_accept a = mkrec_accept(2000, 20, 20, 80, 4, 1000);
	struct ll_loop_new n = mkrec_loop_new(3000, 30, 31, 3);
	struct ll_fork_failed ff = mkrec_fork_failed(4000, 40);
	struct ll_proc_totals t;
	struct ls_counters lc;
	struct lp_counters pc;
	struct fixture fx;

	fx_open(&fx);
	ASSERT_EQ(dispatch_record(&fx.st, &f, sizeof(f)), LL_REC_FORK, "fork routed");
	pt_totals(fx.st.pt, &t);
	ASSERT_U64_EQ(t.forks, 1, "the process table saw the fork");
	ASSERT_EQ(dispatch_record(&fx.st, &a, sizeof(a)), LL_REC_ACCEPT, "accept routed");
	ls_counters(fx.st.ls, &lc);
	ASSERT_U64_EQ(lc.listeners, 1, "the listeners saw the accept");
	pt_totals(fx.st.pt, &t);
	ASSERT_U64_EQ(t.forks, 1, "an accept is no fork");
	ASSERT_EQ(dispatch_record(&fx.st, &n, sizeof(n)), LL_REC_LOOP_NEW, "loop_new routed");
	lp_counters(fx.st.lp, &pc);
	ASSERT_U64_EQ(pc.loops, 1, "the loops saw the new loop");
	ASSERT_U64_EQ(ff_total(fx.st.ff), 0, "no fork failure yet");
	ASSERT_EQ(dispatch_record(&fx.st, &ff, sizeof(ff)), LL_REC_FORK_FAILED, "failure routed");
	ASSERT_U64_EQ(ff_total(fx.st.ff), 1, "the fork failures saw it");
	fx_close(&fx);
}

/* Validated once, before any module: a record one byte short reaches none. */
static void test_malformed(void)
{
	struct ll_fork f = mkrec_fork(1000, 10, 11, "sh");
	struct ll_proc_totals t;
	struct fixture fx;

	fx_open(&fx);
	ASSERT_EQ(dispatch_record(&fx.st, &f, sizeof(f) - 1), -EINVAL, "short record refused");
	f.hdr.type = LL_REC_MAX;
	ASSERT_EQ(dispatch_record(&fx.st, &f, sizeof(f)), -EINVAL, "unknown type refused");
	pt_totals(fx.st.pt, &t);
	ASSERT_U64_EQ(t.forks, 0, "the process table saw nothing");
	fx_close(&fx);
}

/* The fan-out: the joined events of a fork, an exit and a reap reach the sink, the reap too. */
static void test_fan_out(void)
{
	struct ll_fork f = mkrec_fork(1000, 10, 11, "sh");
	struct ll_exit x = mkrec_exit(2000, 11, 10, 1000, 0, 0, "sh", "sh");
	struct ll_reap r = mkrec_reap(3000, 10, 11, LL_HOW_WAIT4);
	struct fixture fx;

	fx_open(&fx);
	dispatch_record(&fx.st, &f, sizeof(f));
	dispatch_record(&fx.st, &x, sizeof(x));
	dispatch_record(&fx.st, &r, sizeof(r));
	pt_tick(fx.st.pt, 10ULL * 1000000000);
	ASSERT_GT(fx.events, 0, "events reached the sink");
	ASSERT_EQ(fx.reaps_sunk, 1, "the reap reached the sink once");
	fx_close(&fx);
}

int main(void)
{
	RUN_TEST(test_table);
	RUN_TEST(test_routes);
	RUN_TEST(test_malformed);
	RUN_TEST(test_fan_out);
	return TEST_MAIN_END();
}
