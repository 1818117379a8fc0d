/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Syscall names for what a loop slept in (this arch's numbers, from <sys/syscall.h>). */
#ifndef LL_SYSCALLS_H
#define LL_SYSCALLS_H

#include <stddef.h>

#define LL_SYSNAME_LEN 24

/* "futex", "nanosleep", "other" (LL_SYS_OTHER), "fault" (LL_SYS_NONE), else "syscall_NNN". */
const char *ll_syscall_name(int nr, char *buf, size_t n);

#endif
