/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The kernel's listen queue counters from /proc/net/netstat (TcpExt): ListenOverflows (a
 * connection found the accept queue full) and ListenDrops (any connection dropped at a listening
 * socket, overflows included). System-wide, so lifeline shows them over its run, as deltas.
 */
#ifndef LL_NETSTAT_H
#define LL_NETSTAT_H

#include <stdint.h>

struct ll_listen_counters {
	uint64_t overflows;
	uint64_t drops;
};

/* From the text of /proc/net/netstat: 0, or -EINVAL when the TcpExt lines or a counter are
 * missing or malformed. */
int netstat_parse_listen(const char *text, struct ll_listen_counters *out);
/* Reads path (NULL: /proc/net/netstat); 0 or -errno. */
int netstat_read_listen(const char *path, struct ll_listen_counters *out);

#endif
