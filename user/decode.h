/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Validation of kernel records before anything reads them. */
#ifndef LL_DECODE_H
#define LL_DECODE_H

#include <stddef.h>
#include <linux/types.h>
#include "../bpf/lifeline.h"

/* The state modules a record type goes to (app.c holds the handler of each). */
enum ll_rec_to {
	LL_TO_PROCS = 1 << 0,			/* pt_handle */
	LL_TO_LISTENERS_FORK = 1 << 1,		/* ls_handle_fork */
	LL_TO_LISTENERS_ACCEPT = 1 << 2,	/* ls_handle_accept */
	LL_TO_LOOPS = 1 << 3,			/* lp_handle */
	LL_TO_FORKFAILS = 1 << 4,		/* ff_handle */
};

struct ll_rec_info {
	const char *name;		/* in summaries (lost and sent by type) and JSON keys */
	size_t size;			/* the exact size of a record of this type */
	unsigned int to;		/* enum ll_rec_to */
};

/* The type's row, or NULL for a type that does not exist. */
const struct ll_rec_info *ll_rec_info(unsigned int type);

/* The record's type if data holds a well-formed record of that type, else -EINVAL. */
int ll_decode(const void *data, size_t size);
/* The type's name, "?" if it has none. */
const char *ll_rec_name(int type);

#endif
