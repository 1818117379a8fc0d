/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The command line (doc/lifeline.8, OPTIONS), parsed into struct ll_opts. */
#ifndef LL_CLI_H
#define LL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <linux/types.h>
#include "../bpf/lifeline.h"

#define LL_MAX_PIDS		64
#define LL_PID_MAX		4194304		/* the kernel's PID_MAX_LIMIT */
#define LL_INTERVAL_MAX_MS	3600000ULL
#define LL_DURATION_MAX_MS	31536000000ULL	/* a year */
#define LL_STALL_MAX_MS		3600000ULL
#define LL_RINGBUF_MIN_KB	64
#define LL_RINGBUF_MAX_KB	1048576ULL	/* 1 GiB */

/* Bits of ll_opts.classes: what --events streams. */
#define LL_CLASS_PROC		(1u << 0)	/* fork exec exit reap orphan sigchld */
#define LL_CLASS_SOCK		(1u << 1)	/* accept */
#define LL_CLASS_LOOP		(1u << 2)	/* stall */
#define LL_CLASS_LOOP_ALL	(1u << 3)	/* every epoll_wait return (loop-all: + LOOP) */
#define LL_CLASS_DEFAULT	(LL_CLASS_PROC | LL_CLASS_SOCK)
/* "all" is every class but the per-wakeup firehose, which only loop-all asks for. */
#define LL_CLASS_ALL		(LL_CLASS_PROC | LL_CLASS_SOCK | LL_CLASS_LOOP)

/* --loops */
#define LL_LOOPS_SCHED	0	/* scheduler events only */
#define LL_LOOPS_CALLS	1	/* and every epoll wait return */
#define LL_LOOPS_OFF	2

struct ll_opts {
	uint32_t pids[LL_MAX_PIDS];	/* -p, without duplicates */
	unsigned int npids;
	char comms[LL_MAX_COMM_FILTERS][LL_COMM_LEN];	/* -c, NUL-terminated */
	unsigned int ncomms;
	const char *cgroups[LL_MAX_CGROUP_FILTERS];	/* --cgroup, as given (into argv) */
	unsigned int ncgroups;
	char **command;			/* COMMAND and its ARGS, NULL-terminated, into argv */
	int command_argc;		/* 0: no COMMAND */

	double duration_s;		/* -d, ms resolution; 0: until a signal or COMMAND's exit */
	double interval_s;		/* -i, ms resolution; default 1 */
	bool events;			/* -e given (or implied by --explain): stream events */
	unsigned int classes;		/* LL_CLASS_*: what to stream when events */
	bool json;			/* -j */
	bool explain;			/* --explain */
	int verbose;			/* -v, counted */
	uint64_t stall_ms;		/* --stall-ms; default 50 */
	unsigned int loops_mode;	/* --loops: LL_LOOPS_*; default sched */
	bool loops_given;

	/* --ringbuf-kb (default 4096), already rounded up to what will be created: a power of two,
	 * whole pages, at least 64 KiB. ringbuf_bytes == ringbuf_kb * 1024. */
	unsigned int ringbuf_kb;
	size_t ringbuf_bytes;

	bool prometheus;		/* --prometheus given */
	struct sockaddr_storage prom_addr;	/* where to listen */
	socklen_t prom_addrlen;
	char prom_text[64];		/* "127.0.0.1:9090", "[::1]:9090": for messages */

	const char *svg;		/* --svg FILE: the lifeline chart, written at the end */
	const char *output;		/* -o FILE, into argv; NULL: stdout */
	bool timestamp;			/* -T: wall-clock times in stream lines and JSON */
	bool failed_only;		/* -x: stream only failures */
	bool uid_set;			/* -u given */
	uint32_t uid;			/* -u UID: only processes of that user */
	bool full;			/* --full: the long final summary */
};

/*
 * Parses argv into *o (which it initialises with the defaults). Returns 0 on success, or 2 (the
 * usage-error exit status) after printing exactly one line "lifeline: <what> (try --help)" on
 * stderr. --help and --version print to stdout and exit(0).
 */
int cli_parse(int argc, char **argv, struct ll_opts *o);

/* The classes as a comma list ("proc,sock"), for messages; returns buf. */
const char *cli_classes_str(unsigned int classes, char *buf, size_t n);

#endif
