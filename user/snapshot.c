// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The state at one moment, as the renderers and /metrics read it. */
#include <string.h>
#include "app.h"
#include "listeners.h"
#include "loops.h"
#include "netstat.h"
#include "proctab.h"
#include "tracer.h"

/* The kernel's ListenOverflows/ListenDrops since start (system-wide: no per-socket counter). */
static void snapshot_netstat(struct app *a, struct ll_snapshot *s)
{
	struct ll_listen_counters c;

	if (!a->netstat0_ok || netstat_read_listen(NULL, &c))
		return;
	s->netstat_known = true;
	s->listen_overflows = c.overflows >= a->netstat0.overflows ?
			      c.overflows - a->netstat0.overflows : 0;
	s->listen_drops = c.drops >= a->netstat0.drops ? c.drops - a->netstat0.drops : 0;
}

/* The final summary's rates are over the whole run, not its last (maybe empty) interval. */
static void final_rates(struct app *a, const struct ll_snapshot *s)
{
	size_t i;

	if (s->elapsed_s <= 0)
		return;
	for (i = 0; i < s->nlisteners; i++)
		a->listeners[i].rate = a->listeners[i].accepts / s->elapsed_s;
	for (i = 0; i < s->nloops; i++)
		a->loopv[i].wakeups_rate = a->loopv[i].wakeups / s->elapsed_s;
}

void snapshot(struct app *a, struct ll_snapshot *s, uint64_t now, bool final)
{
	struct tracer_counts c;
	struct ls_counters lc;
	struct lp_counters pc;
	int i;

	tracer_counts(a->tracer, &c);
	memset(s, 0, sizeof(*s));
	s->ts_ns = now;
	s->elapsed_s = (now - a->start_ns) / 1e9;
	s->events = a->records;
	s->lost = c.lost_total;
	for (i = 0; i < LL_REC_MAX; i++) {
		s->lost_by_type[i] = c.lost[i];
		s->sent_by_type[i] = c.sent[i];
	}
	s->map_full = c.map_full;
	ls_counters(a->st.ls, &lc);
	lp_counters(a->st.lp, &pc);
	s->evicted_listeners = lc.listeners_evicted;
	s->evicted_children = lc.children_evicted;
	s->evicted_loops = pc.evicted;
	s->final = final;
	pt_totals(a->st.pt, &s->procs);
	s->zombies = a->zombies;
	s->nzombies = pt_zombie_views(a->st.pt, now, a->zombies, MAX_VIEWS);
	s->orphans = a->orphans;
	s->norphans = pt_orphan_views(a->st.pt, a->orphans, MAX_VIEWS);
	s->listeners = a->listeners;
	s->nlisteners = ls_views(a->st.ls, a->listeners, MAX_VIEWS);
	snapshot_netstat(a, s);
	s->loops = a->loopv;
	s->nloops = lp_views(a->st.lp, now, a->loopv, MAX_VIEWS);
	containers_snapshot(&a->ct, s);
	containers_name_groups(&a->ct, a->zombies, s->nzombies, a->orphans, s->norphans);
	if (final)
		final_rates(a, s);
}
