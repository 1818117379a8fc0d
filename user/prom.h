/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Prometheus: the exposition of a snapshot in the text format (version 0.0.4, prom_expo.c: pure,
 * in libll.a), and an embedded HTTP server (prom_http.c, libmicrohttpd) that serves the latest
 * one at /metrics.
 *
 * Views are per pid (and per thread for loops); the exposition aggregates them by command name
 * (and port), so that series survive restarts and their number stays bounded. Durations are in
 * seconds, histograms have power-of-two microsecond buckets, counters end in _total. The metric
 * names of doc/reference.md ("Prometheus") are a contract: do not rename them.
 */
#ifndef LL_PROM_H
#define LL_PROM_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include "views.h"

/* At most this many label sets per metric family; the rest are summed into one "other" set. */
#define PROM_MAX_SERIES		256
/* The comm label of that set: longer than any command name can be, so it never collides. */
#define PROM_OTHER_COMM		"(other commands)"
/* Histogram buckets: le = 2^k microseconds for k in [MIN, MAX] (16 us .. ~2.4 h), and +Inf. */
#define PROM_BUCKET_MIN_LOG2	4
#define PROM_BUCKET_MAX_LOG2	33

struct prom_opts {
	bool by_pid;		/* add a pid label: one series per process, unbounded */
};

/*
 * Writes the exposition of s to f: every family with its HELP and TYPE, label sets sorted.
 * o may be NULL for the defaults. Returns 0, -ENOMEM, or -EIO when f reports an error.
 */
int prom_write(FILE *f, const struct ll_snapshot *s, const struct prom_opts *o);
/* The same into a malloc'd, NUL-terminated buffer (*len without the NUL); NULL on failure. */
char *prom_render(const struct ll_snapshot *s, const struct prom_opts *o, size_t *len);

struct prom_server;

/*
 * Listens on addr and serves GET /metrics from a thread of its own; text names the address in
 * messages. On failure returns -errno and writes one sentence (what and what to do) into err.
 */
int prom_start(const struct sockaddr *addr, socklen_t addrlen, const char *text,
	       const struct prom_opts *o, bool verbose, struct prom_server **out, char *err,
	       size_t errlen);
/* The port it listens on (what the kernel chose, for port 0). */
unsigned int prom_port(const struct prom_server *p);
/* Renders s and publishes it to the next scrapes. Call from one thread; p may be NULL. */
int prom_update(struct prom_server *p, const struct ll_snapshot *s);
/* Stops serving (in-flight requests finish) and frees p; p may be NULL. */
void prom_stop(struct prom_server *p);

#endif
