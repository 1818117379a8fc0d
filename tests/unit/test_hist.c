// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The log-linear histogram: exact min/max/sum/count, slot counts, and quantiles read from
 * slots (exact below LL_HIST_SUB, within 1/16 above, never outside [min, max]).
 */
#include "hist.h"
#include "test.h"

static void test_add_exact(void)
{
	struct ll_hist h = {};

	hist_add(&h, 100);
	ASSERT_U64_EQ(h.min, 100, "the first value is the min, whatever min held");
	hist_add(&h, 7);
	hist_add(&h, 300);
	ASSERT_U64_EQ(h.min, 7, "min");
	ASSERT_U64_EQ(h.max, 300, "max");
	ASSERT_U64_EQ(h.count, 3, "count");
	ASSERT_U64_EQ(h.sum, 407, "sum");
	ASSERT_U64_EQ(h.slot[ll_hist_slot(7)], 1, "small values have a slot each");
	ASSERT_U64_EQ(h.slot[ll_hist_slot(100)], 1, "slot of 100");
	ASSERT_U64_EQ(h.slot[ll_hist_slot(300)], 1, "slot of 300");
}

/* q picks the value of rank floor(q * count), counted from 0. */
static void test_quantile_rank(void)
{
	struct ll_hist h = {};
	uint64_t v;

	ASSERT_U64_EQ(hist_quantile(&h, 0.5), 0, "empty");
	for (v = 1; v <= 4; v++)
		hist_add(&h, v);
	ASSERT_U64_EQ(hist_quantile(&h, 0.0), 1, "q 0: the smallest");
	ASSERT_U64_EQ(hist_quantile(&h, 0.5), 3, "q 0.5 of 1..4: rank 2");
	ASSERT_U64_EQ(hist_quantile(&h, 0.74), 3, "q 0.74: rank 2");
	ASSERT_U64_EQ(hist_quantile(&h, 0.75), 4, "q 0.75: rank 3");
	ASSERT_U64_EQ(hist_quantile(&h, 1.0), 4, "q 1: the largest");
}

/* A slot's midpoint can lie outside what was added: the answer stays within [min, max]. */
static void test_quantile_clamped(void)
{
	struct ll_hist h = {};
	struct ll_pct p;

	hist_add(&h, 1000);		/* slot [960, 1024): midpoint 991 */
	hist_add(&h, 1000);
	p = hist_pct(&h);
	ASSERT_TRUE(p.valid, "valid");
	ASSERT_U64_EQ(p.p50, 1000, "not below min");
	ASSERT_U64_EQ(p.p99, 1000, "p99");
	ASSERT_U64_EQ(p.max, 1000, "max");
	hist_add(&h, 1010);
	ASSERT_U64_LE(hist_quantile(&h, 0.99), 1010, "not above max");
	ASSERT_FALSE(hist_pct(&(struct ll_hist){}).valid, "empty: not valid");
}

/* Quantiles of a spread-out distribution are within 1/16 of the truth. */
static void test_quantile_error(void)
{
	struct ll_hist h = {};
	uint64_t v;

	for (v = 1; v <= 10000; v++)
		hist_add(&h, v);
	ASSERT_NEAR(hist_quantile(&h, 0.5), 5001, 5001 / 16.0, "p50 within 1/16");
	ASSERT_NEAR(hist_quantile(&h, 0.99), 9901, 9901 / 16.0, "p99 within 1/16");
}

/* The kernel's slot counts: each slot stands for its midpoint; min and max are its edges. */
static void test_add_slots(void)
{
	__u32 slots[LL_HIST_SLOTS] = {};
	struct ll_hist h = {};
	unsigned int s = ll_hist_slot(1000);

	ASSERT_U64_EQ(hist_slot_lo(s), 960, "slot lo");
	ASSERT_U64_EQ(hist_slot_hi(s), 1024, "slot hi (exclusive)");
	ASSERT_U64_EQ(hist_slot_hi(LL_HIST_SLOTS - 1), UINT64_MAX, "last slot is open");
	slots[s] = 2;
	hist_add_slots(&h, slots, LL_HIST_SLOTS);
	ASSERT_U64_EQ(h.count, 2, "count");
	ASSERT_U64_EQ(h.min, 960, "min: the slot's low edge");
	ASSERT_U64_EQ(h.max, 1023, "max: the slot's last value");
	ASSERT_U64_EQ(h.sum, 2 * 991, "sum: count x midpoint");
	ASSERT_U64_EQ(h.slot[s], 2, "slot");
}

static void test_merge(void)
{
	struct ll_hist a = {}, b = {}, empty = {};

	hist_add(&b, 5);
	hist_add(&b, 50);
	hist_merge(&a, &b);
	ASSERT_U64_EQ(a.min, 5, "into an empty one: its min");
	ASSERT_U64_EQ(a.max, 50, "max");
	ASSERT_U64_EQ(a.sum, 55, "sum");
	ASSERT_U64_EQ(a.count, 2, "count");
	hist_merge(&a, &b);
	hist_merge(&a, &empty);
	ASSERT_U64_EQ(a.count, 4, "count twice");
	ASSERT_U64_EQ(a.sum, 110, "sum twice");
	ASSERT_U64_EQ(a.min, 5, "an empty one changes nothing");
	ASSERT_U64_EQ(a.slot[ll_hist_slot(50)], 2, "slots add");
}

int main(void)
{
	RUN_TEST(test_add_exact);
	RUN_TEST(test_quantile_rank);
	RUN_TEST(test_quantile_clamped);
	RUN_TEST(test_quantile_error);
	RUN_TEST(test_add_slots);
	RUN_TEST(test_merge);
	return TEST_MAIN_END();
}
