// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The u64 -> u32 index (see u64map.h). */
#include <errno.h>
#include <stdlib.h>
#include "u64map.h"

int u64map_init(struct u64map *m, size_t max)
{
	uint64_t slots = 1;

	*m = (struct u64map){ .max = max };
	if (max > UINT64_MAX / 4)
		return -EINVAL;
	/* at most half full: probes stay short, and one always ends at an empty slot */
	while (slots < 2 * (uint64_t)max)
		slots <<= 1;
	if (slots > SIZE_MAX / sizeof(*m->slots))
		return -EINVAL;
	m->slots = calloc(slots, sizeof(*m->slots));
	if (!m->slots)
		return -ENOMEM;
	m->mask = slots - 1;
	return 0;
}

void u64map_fini(struct u64map *m)
{
	free(m->slots);
	*m = (struct u64map){ 0 };
}

/* key's slot, or the empty slot that ends its probe sequence. */
static struct u64map_slot *u64map_slot(const struct u64map *m, uint64_t key)
{
	uint64_t i = u64map_hash(key) & m->mask;

	while (m->slots[i].val && m->slots[i].key != key)
		i = (i + 1) & m->mask;
	return &m->slots[i];
}

uint32_t u64map_get(const struct u64map *m, uint64_t key)
{
	return u64map_slot(m, key)->val;
}

int u64map_put(struct u64map *m, uint64_t key, uint32_t val)
{
	struct u64map_slot *s = u64map_slot(m, key);

	if (!val)
		return -EINVAL;
	if (!s->val) {
		if (m->n == m->max)
			return -ENOSPC;
		m->n++;
	}
	s->key = key;
	s->val = val;
	return 0;
}

uint32_t u64map_del(struct u64map *m, uint64_t key)
{
	uint64_t mask = m->mask, i, j, home;
	uint32_t val;

	i = u64map_slot(m, key) - m->slots;
	val = m->slots[i].val;
	if (!val)
		return 0;
	/* Move later members of the cluster back so no probe sequence crosses a hole. */
	for (j = (i + 1) & mask; m->slots[j].val; j = (j + 1) & mask) {
		home = u64map_hash(m->slots[j].key) & mask;
		if (((j - home) & mask) < ((j - i) & mask))
			continue;
		m->slots[i] = m->slots[j];
		i = j;
	}
	m->slots[i].val = 0;
	m->n--;
	return val;
}
