// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * libFuzzer target: random bytes become a stream of kernel records, which go through the same
 * path as in lifeline: dispatch.c (decode, then the state modules decode's table names).
 * Most inputs are shaped into records of a real type and size so the fuzzer explores the joins
 * rather than only the validator; the raw bytes also go to the validator as they are.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cgroup.h"
#include "decode.h"
#include "dispatch.h"
#include "forkfail.h"
#include "listeners.h"
#include "loops.h"
#include "proctab.h"

/* The fan-out lifeline's main uses, without its printers. */
static void on_event(void *ctx, const struct ll_event *ev)
{
	dispatch_event(ctx, ev, NULL, NULL);
}

/* Names every cgroup but the even ones, which "were removed". */
static int fz_resolve(void *ctx, uint64_t id, char *buf, size_t n)
{
	if (!(id & 1))
		return -1;
	return snprintf(buf, n, "/fz/%llu", (unsigned long long)id) < (int)n ? 0 : -1;
}

/* Small pids and timestamps so records collide and join, as in a real run. */
static void shape(struct ll_hdr *h, uint8_t type, size_t size, uint64_t *clock)
{
	h->type = type;
	h->size = size;
	h->tgid %= 64;
	h->tid = h->tid % 4 ? h->tgid : h->tid % 64;
	*clock += h->ts_ns % 100000000;
	h->ts_ns = *clock;
	if (type == LL_REC_FORK || type == LL_REC_REAP || type == LL_REC_SIGCHLD)
		((uint32_t *)(h + 1))[0] %= 64;	/* the subject pid */
	if (type == LL_REC_EXIT)
		((struct ll_exit *)h)->ppid %= 64;
	if (type == LL_REC_EXEC)
		((struct ll_exec *)h)->filename[LL_FILENAME_LEN - 1] = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static union { struct ll_loop_exit big; char raw[4096]; } buf;
	struct pt_config pc = { .max_procs = 256, .max_groups = 32 };
	struct ls_config lc = { .max_listeners = 16 };
	struct lp_config lpc = { .max_loops = 16 };
	struct ll_loop_stats stats;
	uint64_t clock = 1000000000;
	struct ll_state f;
	size_t off = 0, n;
	uint8_t type;

	ll_decode(data, len);
	pc.emit = lc.emit = lpc.emit = on_event;
	pc.ctx = lc.ctx = lpc.ctx = &f;
	f.pt = pt_new(&pc);
	f.ls = ls_new(&lc);
	f.lp = lp_new(&lpc);
	f.ff = ff_new(&(struct ff_config){ .max_rows = 8, .emit = on_event, .ctx = &f });
	f.cg = cg_new(8, 16, fz_resolve, NULL);
	if (!f.pt || !f.ls || !f.lp || !f.ff || !f.cg)
		goto out;
	while (off + 2 <= len) {
		type = data[off] % (LL_REC_MAX + 2);	/* a few invalid types too */
		n = ll_rec_info(type) ? ll_rec_info(type)->size : data[off + 1];
		off += 2;
		memset(&buf, 0, sizeof(buf));
		memcpy(buf.raw, data + off, len - off < n ? len - off : n);
		off += len - off < 24 ? len - off : 24;	/* overlap: inputs stay small */
		if (ll_rec_info(type))
			shape((struct ll_hdr *)buf.raw, type, n, &clock);
		dispatch_record(&f, buf.raw, n);
		if (type == LL_REC_MAX) {	/* now and then, the interval work */
			memcpy(&stats, buf.raw, sizeof(stats));
			stats.tid %= 64;
			stats.tgid %= 64;
			lp_update(f.lp, &stats, 1, clock);
			pt_tick(f.pt, clock);
			ls_tick(f.ls, clock);
			pt_lost(f.pt, 1);
		}
	}
	{
		struct ll_zombie_view zv[8];
		struct ll_orphan_view ov[8];
		struct ll_listener_view lv[8];
		struct ll_loop_view pv[8];
		struct ll_forkfail_view fv[4];
		struct ll_proc_totals t;
		uint32_t pid;

		pt_totals(f.pt, &t);
		pt_zombie_views(f.pt, clock, zv, 8);
		pt_orphan_views(f.pt, ov, 8);
		ls_views(f.ls, lv, 8);
		lp_views(f.lp, clock, pv, 8);
		ff_views(f.ff, fv, 4);
		for (pid = 0; pid < 64; pid++)
			cg_path_of_pid(f.cg, pid);
	}
out:
	pt_free(f.pt);
	ls_free(f.ls);
	lp_free(f.lp);
	ff_free(f.ff);
	cg_free(f.cg);
	return 0;
}
