/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Log-linear histograms (the same slots as the kernel's, see bpf/lifeline.h). */
#ifndef LL_HIST_H
#define LL_HIST_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "../bpf/lifeline.h"

struct ll_hist {
	uint64_t count;
	uint64_t sum;		/* of values, us */
	uint64_t min;
	uint64_t max;
	uint64_t slot[LL_HIST_SLOTS];
};

/* p50/p99/max over a histogram; valid is false when it is empty. */
struct ll_pct {
	bool valid;
	uint64_t p50;
	uint64_t p99;
	uint64_t max;
};

void hist_add(struct ll_hist *h, uint64_t us);
/* Merge counts from the kernel's u32 slots (no exact min/max: those come from the slots). */
void hist_add_slots(struct ll_hist *h, const __u32 *slots, unsigned int n);
/* n more values in slot (counted as the slot's middle). */
void hist_add_slot_count(struct ll_hist *h, unsigned int slot, uint64_t n);
void hist_merge(struct ll_hist *dst, const struct ll_hist *src);
/* Value at quantile q (0..1): the middle of the slot holding it, clamped to [min, max]. */
uint64_t hist_quantile(const struct ll_hist *h, double q);
struct ll_pct hist_pct(const struct ll_hist *h);
/* Lowest value a slot holds, and one past its highest. */
uint64_t hist_slot_lo(unsigned int slot);
uint64_t hist_slot_hi(unsigned int slot);
/* Fold into power-of-two buckets for display: out[i] counts values in [2^(i-1), 2^i), out[0] 0. */
void hist_log2(const struct ll_hist *h, uint64_t out[64], unsigned int *nbuckets);

#endif
