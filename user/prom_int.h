/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Between prom.c and the files that write more of its exposition (prom_containers.c). */
#ifndef LL_PROM_INT_H
#define LL_PROM_INT_H

#include <stdio.h>
#include "prom.h"

#define PROM_LABEL_LEN		24	/* a command name, or PROM_OTHER_COMM */

/* "# HELP name help" and "# TYPE name type". */
void prom_family(FILE *f, const char *name, const char *type, const char *help);
/* A label value with \, " and newlines escaped. */
void prom_put_escaped(FILE *f, const char *s);
/* A command name as a label value: valid UTF-8, no control characters, never empty. */
void prom_label_comm(char out[PROM_LABEL_LEN], const char *comm);

/* lifeline_fork_failures_total and lifeline_cgroup_zombies. 0 or -ENOMEM. */
int prom_write_containers(FILE *f, const struct ll_snapshot *s, const struct prom_opts *o);

#endif
