// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include "lazymem.h"

void *lazy_calloc(size_t n, size_t size)
{
	size_t page = sysconf(_SC_PAGESIZE);
	uintptr_t start, end;
	void *p = calloc(n, size);

	if (!p || !n || !size)
		return p;
	/* The whole pages inside the block (a large calloc is its own mapping, so these are
	 * ours alone); smaller blocks live in the heap, where THP never backs a few pages. */
	start = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1);
	end = ((uintptr_t)p + n * size) & ~(uintptr_t)(page - 1);
	/* Advice only: a kernel without THP refuses it (EINVAL), and then nothing is needed. */
	if (end > start)
		madvise((void *)start, end - start, MADV_NOHUGEPAGE);
	return p;
}
