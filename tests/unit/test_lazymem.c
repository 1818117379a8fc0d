// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* lazy_calloc: zeroed, freeable, and its mapping marked "no huge pages" (VmFlags "nh"). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "test.h"
#include "lazymem.h"

/* The VmFlags of the /proc/self/smaps mapping that holds addr, or "" if not found. */
static const char *vmflags_of(const void *addr, char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	uintptr_t a = (uintptr_t)addr, lo, hi;
	char line[512];
	bool in = false;

	buf[0] = 0;
	if (!f)
		return buf;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && line[0] != 'V') {
			in = a >= lo && a < hi;
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			snprintf(buf, len, "%s", line + 8);
			break;
		}
	}
	fclose(f);
	return buf;
}

static void test_zeroed_and_no_huge_pages(void)
{
	size_t n = 65536, size = 280, i;
	unsigned char *p = lazy_calloc(n, size);
	char flags[512];

	if (!ASSERT_TRUE(p != NULL, "allocated"))
		return;
	for (i = 0; i < n * size; i += 4093)
		if (!ASSERT_EQ(p[i], 0, "zeroed"))
			break;
	p[n * size / 2] = 1;	/* touched: the mapping exists */
	ASSERT_TRUE(strstr(vmflags_of(p + n * size / 2, flags, sizeof(flags)), " nh") != NULL,
		    "the table's mapping says no huge pages (VmFlags nh)");
	free(p);
}

static void test_small_and_empty(void)
{
	void *p = lazy_calloc(3, 8), *q = lazy_calloc(0, 8);

	ASSERT_TRUE(p != NULL, "a small block is allocated (from the heap, left alone)");
	ASSERT_EQ(((uint64_t *)p)[2], 0, "zeroed");
	free(p);
	free(q);
}

int main(void)
{
	RUN_TEST(test_zeroed_and_no_huge_pages);
	RUN_TEST(test_small_and_empty);
	return TEST_MAIN_END();
}
