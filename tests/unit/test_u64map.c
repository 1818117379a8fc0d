// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include "test.h"
#include "u64map.h"

static uint64_t home_of(const struct u64map *m, uint64_t key)
{
	return u64map_hash(key) & m->mask;
}

/* The first n keys from start whose home slot is home: a cluster made to order. */
static void keys_at_home(const struct u64map *m, uint64_t home, uint64_t start, uint64_t *keys,
			 int n)
{
	uint64_t k;
	int i = 0;

	for (k = start; i < n; k++)
		if (home_of(m, k) == home)
			keys[i++] = k;
}

/*
 * What lookups rely on: every key sits after its home with no empty slot in between, no key is
 * held twice, and the count is right.
 */
static bool layout_ok(const struct u64map *m)
{
	uint64_t i, j, held = 0;

	for (i = 0; i <= m->mask; i++) {
		if (!m->slots[i].val)
			continue;
		held++;
		for (j = home_of(m, m->slots[i].key); j != i; j = (j + 1) & m->mask)
			if (!ASSERT_NEQ(m->slots[j].val, 0, "hole between a key and its home"))
				return false;
		for (j = (i + 1) & m->mask; j != i; j = (j + 1) & m->mask)
			if (m->slots[j].val && !ASSERT_NEQ(m->slots[j].key, m->slots[i].key,
							   "key held twice"))
				return false;
	}
	return ASSERT_EQ(held, m->n, "count");
}

static void test_put_get_del(void)
{
	struct u64map m;

	if (!ASSERT_EQ(u64map_init(&m, 8), 0, "init"))
		return;
	ASSERT_EQ(m.mask, 15, "at most half full");
	ASSERT_EQ(u64map_get(&m, 42), 0, "empty");
	ASSERT_EQ(u64map_put(&m, 42, 7), 0, "put");
	ASSERT_EQ(u64map_put(&m, 0, 1), 0, "key 0 is a key like any other");
	ASSERT_EQ(u64map_put(&m, UINT64_MAX, 2), 0, "and so is the largest");
	ASSERT_EQ(u64map_get(&m, 42), 7, "get");
	ASSERT_EQ(u64map_get(&m, 0), 1, "get 0");
	ASSERT_EQ(u64map_get(&m, UINT64_MAX), 2, "get max");
	ASSERT_EQ(u64map_put(&m, 42, UINT32_MAX), 0, "replace");
	ASSERT_EQ(u64map_get(&m, 42), UINT32_MAX, "replaced");
	ASSERT_EQ(m.n, 3, "a replacement is no new key");
	ASSERT_EQ(u64map_put(&m, 43, 0), -EINVAL, "0 means empty: not a value");
	ASSERT_EQ(u64map_get(&m, 43), 0, "not put");
	ASSERT_EQ(u64map_del(&m, 42), UINT32_MAX, "del returns the value");
	ASSERT_EQ(u64map_get(&m, 42), 0, "deleted");
	ASSERT_EQ(u64map_del(&m, 42), 0, "deleting again");
	ASSERT_EQ(u64map_del(&m, 44), 0, "deleting what never was");
	ASSERT_EQ(u64map_get(&m, 0), 1, "others stay");
	ASSERT_EQ(m.n, 2, "count");
	layout_ok(&m);
	u64map_fini(&m);
	u64map_fini(&m);	/* twice: a freed map is a zeroed one */
}

/*
 * A cluster that starts in the last slot wraps to the first ones; deleting its head moves the
 * rest back across the wrap, except a key already at its home, and what follows that still moves.
 */
static void test_collisions_wrap(void)
{
	uint64_t last[4], at1[2], at4, at5;
	struct u64map m;
	int i;

	if (!ASSERT_EQ(u64map_init(&m, 8), 0, "init"))
		return;
	keys_at_home(&m, m.mask, 1, last, 4);
	keys_at_home(&m, 1, 1, at1, 2);
	keys_at_home(&m, 5, 1, &at5, 1);
	keys_at_home(&m, 4, 1, &at4, 1);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(u64map_put(&m, last[i], i + 1), 0, "put at the last slot");
	for (i = 0; i < 2; i++)
		ASSERT_EQ(u64map_put(&m, at1[i], 10 + i), 0, "put at 1");
	ASSERT_EQ(u64map_put(&m, at5, 20), 0, "put at 5");
	ASSERT_EQ(u64map_put(&m, at4, 21), 0, "put at 4");
	/* 15 0 1 2: the last slot's; 3 4: pushed on from 1; 5: at home; 6: pushed on from 4 */
	ASSERT_EQ(m.slots[m.mask].key, last[0], "first at home");
	ASSERT_EQ(m.slots[2].key, last[3], "wrapped");
	ASSERT_EQ(m.slots[4].key, at1[1], "pushed past the wrapped keys");
	ASSERT_EQ(m.slots[5].key, at5, "at home");
	ASSERT_EQ(m.slots[6].key, at4, "pushed past a key at home");
	for (i = 0; i < 4; i++)
		ASSERT_EQ(u64map_get(&m, last[i]), i + 1, "found across the wrap");
	ASSERT_EQ(u64map_get(&m, at4), 21, "found past a key at home");
	if (!layout_ok(&m))
		goto out;

	ASSERT_EQ(u64map_del(&m, last[0]), 1, "del the head");
	ASSERT_EQ(m.slots[m.mask].key, last[1], "moved back over the wrap");
	ASSERT_EQ(m.slots[2].key, at1[0], "moved back");
	ASSERT_EQ(m.slots[4].key, at4, "moved back over a key at home");
	ASSERT_EQ(m.slots[5].key, at5, "a key at home stays");
	ASSERT_EQ(m.slots[6].val, 0, "the cluster is one shorter");
	if (!layout_ok(&m))
		goto out;

	ASSERT_EQ(u64map_del(&m, last[2]), 3, "del in the middle");
	ASSERT_EQ(u64map_del(&m, at4), 21, "del the tail");
	if (!layout_ok(&m))
		goto out;
	ASSERT_EQ(u64map_get(&m, last[1]), 2, "left");
	ASSERT_EQ(u64map_get(&m, last[3]), 4, "left");
	ASSERT_EQ(u64map_get(&m, at1[0]), 10, "left");
	ASSERT_EQ(u64map_get(&m, at1[1]), 11, "left");
	ASSERT_EQ(u64map_get(&m, at5), 20, "left");
	ASSERT_EQ(u64map_get(&m, last[2]), 0, "gone");
	ASSERT_EQ(m.n, 5, "count");
out:
	u64map_fini(&m);
}

static void test_full(void)
{
	struct u64map m;
	uint64_t k;

	if (!ASSERT_EQ(u64map_init(&m, 5), 0, "init"))
		return;
	for (k = 1; k <= 5; k++)
		ASSERT_EQ(u64map_put(&m, k * 1000, k), 0, "put up to max");
	ASSERT_EQ(u64map_put(&m, 6000, 6), -ENOSPC, "one more");
	ASSERT_EQ(u64map_get(&m, 6000), 0, "not put");
	ASSERT_EQ(u64map_put(&m, 3000, 33), 0, "replacing needs no room");
	ASSERT_EQ(u64map_get(&m, 3000), 33, "replaced");
	ASSERT_EQ(u64map_del(&m, 1000), 1, "del");
	ASSERT_EQ(u64map_put(&m, 6000, 6), 0, "room again");
	ASSERT_EQ(u64map_put(&m, 7000, 7), -ENOSPC, "full again");
	ASSERT_EQ(m.n, 5, "count");
	layout_ok(&m);
	u64map_fini(&m);

	/* nothing at all fits: still a map to ask */
	if (!ASSERT_EQ(u64map_init(&m, 0), 0, "init 0"))
		return;
	ASSERT_EQ(u64map_put(&m, 1, 1), -ENOSPC, "put into 0");
	ASSERT_EQ(u64map_get(&m, 1), 0, "get from 0");
	ASSERT_EQ(u64map_del(&m, 1), 0, "del from 0");
	u64map_fini(&m);

	ASSERT_EQ(u64map_init(&m, SIZE_MAX), -EINVAL, "absurd size");
	u64map_fini(&m);
}

/*
 * Random puts and deletes against a plain array, in a small table that is kept nearly full of
 * keys from a few homes, so clusters are long, overlap and wrap: every backward shift case.
 */
static void test_random_vs_model(void)
{
	enum { MAX = 24, KEYS = 96, OPS = 200000 };
	uint32_t model[KEYS] = { 0 };
	uint64_t keys[KEYS];
	unsigned int seed = 20240607;
	size_t held = 0;
	struct u64map m;
	int op, i, r;

	if (!ASSERT_EQ(u64map_init(&m, MAX), 0, "init"))
		return;
	/* a third of the keys at each of three homes: one of them the last slot */
	keys_at_home(&m, m.mask, 1, keys, KEYS / 3);
	keys_at_home(&m, m.mask - 3, 1, keys + KEYS / 3, KEYS / 3);
	keys_at_home(&m, 5, 1, keys + 2 * KEYS / 3, KEYS - 2 * KEYS / 3);
	for (op = 0; op < OPS; op++) {
		i = rand_r(&seed) % KEYS;
		if (rand_r(&seed) % 2) {
			uint32_t val = (uint32_t)op + 1;

			r = u64map_put(&m, keys[i], val);
			if (!model[i] && held == MAX) {
				if (!ASSERT_EQ(r, -ENOSPC, "put when full"))
					break;
				continue;
			}
			if (!ASSERT_EQ(r, 0, "put"))
				break;
			held += !model[i];
			model[i] = val;
		} else {
			if (!ASSERT_EQ(u64map_del(&m, keys[i]), model[i], "del returns the value"))
				break;
			held -= !!model[i];
			model[i] = 0;
		}
		if (op % 97 == 0 || op > OPS - 1000) {
			for (i = 0; i < KEYS; i++)
				if (!ASSERT_EQ(u64map_get(&m, keys[i]), model[i], "get"))
					break;
			if (test_failed_now || !layout_ok(&m))
				break;
		}
	}
	ASSERT_EQ(m.n, held, "count");
	u64map_fini(&m);
}

int main(void)
{
	RUN_TEST(test_put_get_del);
	RUN_TEST(test_collisions_wrap);
	RUN_TEST(test_full);
	RUN_TEST(test_random_vs_model);
	return TEST_MAIN_END();
}
