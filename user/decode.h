/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Validation of kernel records before anything reads them. */
#ifndef LL_DECODE_H
#define LL_DECODE_H

#include <stddef.h>
#include <linux/types.h>
#include "../bpf/lifeline.h"

/* The record's type if data holds a well-formed record of that type, else -EINVAL. */
int ll_decode(const void *data, size_t size);
const char *ll_rec_name(int type);

#endif
