/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Option values for cli.c: 0, or -EINVAL (not that form) or -ERANGE (out of bounds). */
#ifndef LL_CLI_VALUES_H
#define LL_CLI_VALUES_H

#include <stdint.h>
#include "cli.h"

/* Decimal digits only, min .. max. */
int cli_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Seconds with optional decimals into milliseconds, 1 .. max_ms. */
int cli_seconds(const char *s, uint64_t max_ms, uint64_t *out_ms);
/* --prometheus ADDR:PORT into o's prom_addr, prom_addrlen, prom_text; sets o->prometheus. */
int cli_prom_parse(struct ll_opts *o, const char *arg);

#endif
