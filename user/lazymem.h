/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef LL_LAZYMEM_H
#define LL_LAZYMEM_H

#include <stddef.h>

/*
 * Zeroed memory for a table preallocated at its maximum size and filled in as it is used:
 * like calloc, and free() releases it, but never backed by transparent huge pages. With THP
 * "always" (Debian's kernels), the first touch of each 2 MiB of a calloc'd table costs 2 MiB,
 * so a 65536-entry process table held a few hundred entries in 6 MB instead of a few pages.
 */
void *lazy_calloc(size_t n, size_t size);

#endif
