/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Small helpers more than one file needs: one copy of each. */
#ifndef LL_UTIL_H
#define LL_UTIL_H

#include <stddef.h>
#include <string.h>
#include "../bpf/lifeline.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* comm arrays are NUL-terminated by the kernel, but a full one need not be. */
static inline size_t comm_len(const char *comm)
{
	return strnlen(comm, LL_COMM_LEN);
}

/* The bytes as they are (no escaping: the caller's writer does that), always terminated. */
static inline const char *comm_copy(char out[LL_COMM_LEN], const char *comm)
{
	size_t n = comm_len(comm);

	if (n == LL_COMM_LEN)
		n--;
	memcpy(out, comm, n);
	out[n] = '\0';
	return out;
}

#endif
