// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <string.h>
#include "hist.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

void hist_add(struct ll_hist *h, uint64_t us)
{
	if (!h->count || us < h->min)
		h->min = us;
	if (us > h->max)
		h->max = us;
	h->count++;
	h->sum += us;
	h->slot[ll_hist_slot(us)]++;
}

uint64_t hist_slot_lo(unsigned int slot)
{
	unsigned int e;

	if (slot < LL_HIST_SUB)
		return slot;
	e = slot / LL_HIST_SUB + LL_HIST_SUB_BITS - 1;
	return (1ULL << e) + (uint64_t)(slot % LL_HIST_SUB) * (1ULL << (e - LL_HIST_SUB_BITS));
}

uint64_t hist_slot_hi(unsigned int slot)
{
	if (slot + 1 >= LL_HIST_SLOTS)
		return UINT64_MAX;
	return hist_slot_lo(slot + 1);
}

void hist_add_slot_count(struct ll_hist *h, unsigned int slot, uint64_t n)
{
	uint64_t lo, hi;

	if (!n || slot >= LL_HIST_SLOTS)
		return;
	lo = hist_slot_lo(slot);
	hi = hist_slot_hi(slot) == UINT64_MAX ? lo : hist_slot_hi(slot) - 1;
	if (!h->count || lo < h->min)
		h->min = lo;
	if (hi > h->max)
		h->max = hi;
	h->count += n;
	h->sum += n * ((lo + hi) / 2);
	h->slot[slot] += n;
}

void hist_add_slots(struct ll_hist *h, const __u32 *slots, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && i < LL_HIST_SLOTS; i++)
		hist_add_slot_count(h, i, slots[i]);
}

void hist_merge(struct ll_hist *dst, const struct ll_hist *src)
{
	unsigned int i;

	if (!src->count)
		return;
	if (!dst->count || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
	for (i = 0; i < LL_HIST_SLOTS; i++)
		dst->slot[i] += src->slot[i];
}

uint64_t hist_quantile(const struct ll_hist *h, double q)
{
	uint64_t rank, seen = 0, v;
	unsigned int i;

	if (!h->count)
		return 0;
	rank = (uint64_t)(q * (double)h->count);
	if (rank >= h->count)
		rank = h->count - 1;
	for (i = 0; i < LL_HIST_SLOTS; i++) {
		seen += h->slot[i];
		if (seen > rank)
			break;
	}
	if (i >= LL_HIST_SLOTS)
		return h->max;
	v = i + 1 >= LL_HIST_SLOTS ? hist_slot_lo(i) : (hist_slot_lo(i) + hist_slot_hi(i) - 1) / 2;
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

struct ll_pct hist_pct(const struct ll_hist *h)
{
	struct ll_pct p = { .valid = h->count > 0 };

	if (p.valid) {
		p.p50 = hist_quantile(h, 0.50);
		p.p99 = hist_quantile(h, 0.99);
		p.max = h->max;
	}
	return p;
}

void hist_log2(const struct ll_hist *h, uint64_t out[64], unsigned int *nbuckets)
{
	unsigned int i, b, n = 0;

	memset(out, 0, 64 * sizeof(out[0]));
	for (i = 0; i < LL_HIST_SLOTS; i++) {
		uint64_t lo;

		if (!h->slot[i])
			continue;
		lo = hist_slot_lo(i);
		b = lo ? ll_msb64(lo) + 1 : 0;
		out[b] += h->slot[i];
		if (b + 1 > n)
			n = b + 1;
	}
	*nbuckets = n;
}
