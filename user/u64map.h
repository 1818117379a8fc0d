/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * A fixed-size index from u64 keys to non-zero u32 values: in lifeline, the position + 1 of an
 * entry in its owner's array, so that the entries themselves can stay where views point at them.
 *
 * Open addressing with linear probing; deletion shifts the rest of the cluster back instead of
 * leaving tombstones, so probes stay short however much the keys churn and the table never needs
 * rebuilding. Sized once, for at most half full: a probe always ends at an empty slot.
 */
#ifndef LL_U64MAP_H
#define LL_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map_slot {
	uint64_t key;
	uint32_t val;		/* 0: empty */
};

struct u64map {
	struct u64map_slot *slots;
	uint64_t mask;		/* slot count - 1; the count is a power of two */
	size_t n, max;		/* keys held, and at most */
};

/* splitmix64 finaliser: pids, tids and ports are dense, spread them over the table. */
static inline uint64_t u64map_hash(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* Room for max keys; -ENOMEM, or -EINVAL if max is absurd. */
int u64map_init(struct u64map *m, size_t max);
/* Also fine on a zeroed map, or one whose init failed. */
void u64map_fini(struct u64map *m);

/* key's value, 0 if absent. */
uint32_t u64map_get(const struct u64map *m, uint64_t key);
/* key -> val (non-zero: -EINVAL), replacing any old value; -ENOSPC if new and max are held. */
int u64map_put(struct u64map *m, uint64_t key, uint32_t val);
/* Removes key; returns the value it had, 0 if absent. */
uint32_t u64map_del(struct u64map *m, uint64_t key);

#endif
