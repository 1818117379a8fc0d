// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Every metric family of the exposition, in its order: the contract of doc/reference.md
 * ("Prometheus") in one table. A new family is a row here and the line of its group's writer
 * that fills its value; do not rename a family.
 */
#include "prom_int.h"
#include "util.h"

const struct prom_family prom_families[] = {
	/* name, type, label, group, value, index, calls only, help */
	{ "lifeline_build_info", "gauge", "version", PG_GLOBAL, PV_BUILD, 0, false,
	  "lifeline's version, as a label." },
	{ "lifeline_events_total", "counter", NULL, PG_GLOBAL, PV_U64, G_EVENTS, false,
	  "Kernel records received." },
	{ "lifeline_events_lost_total", "counter", NULL, PG_GLOBAL, PV_U64, G_LOST, false,
	  "Kernel records that could not be delivered (ring buffer full): counts are low." },
	{ "lifeline_forks_total", "counter", NULL, PG_GLOBAL, PV_U64, G_FORKS, false,
	  "Processes created." },
	{ "lifeline_execs_total", "counter", NULL, PG_GLOBAL, PV_U64, G_EXECS, false,
	  "Successful execs." },
	{ "lifeline_exits_total", "counter", NULL, PG_GLOBAL, PV_U64, G_EXITS, false,
	  "Processes that exited." },
	{ "lifeline_zombies", "gauge", "parent_comm", PG_ZOMBIES, PV_U64, Z_NOW, false,
	  "Zombies now, by parent command." },
	{ "lifeline_zombie_oldest_seconds", "gauge", "parent_comm", PG_ZOMBIES, PV_SEC, Z_OLDEST,
	  false,
	  "Age of the oldest zombie now (0 when none), by parent command." },
	{ "lifeline_zombie_lifetime_seconds", "histogram", "parent_comm", PG_ZOMBIES, PV_HIST,
	  Z_H_LIFETIME, false,
	  "From a child's exit to its reap by the parent, by parent command." },
	{ "lifeline_reaps_total", "counter", "parent_comm", PG_ZOMBIES, PV_REAPS, 0, false,
	  "Children reaped, by parent command and how: wait (wait4, waitid, or freed without a "
	  "wait seen) or autoreap (SIGCHLD ignored or SA_NOCLDWAIT: never a zombie)." },
	{ "lifeline_sigchld_coalesced_total", "counter", "parent_comm", PG_ZOMBIES, PV_U64,
	  Z_COALESCED, false,
	  "SIGCHLD signals merged into one already pending, by parent command." },
	{ "lifeline_orphans", "gauge", "adopter_comm", PG_ORPHANS, PV_U64, O_ALIVE, false,
	  "Living orphans now, by adopter command (\"?\" while the adopter is not known)." },
	{ "lifeline_orphans_adopted_total", "counter", "adopter_comm", PG_ORPHANS, PV_U64,
	  O_ADOPTED, false,
	  "Processes adopted after their parent died, by adopter command." },
	{ "lifeline_orphans_exited_total", "counter", "adopter_comm", PG_ORPHANS, PV_U64, O_EXITED,
	  false,
	  "Orphans that have exited since, by adopter command." },
	{ "lifeline_orphan_lifetime_seconds", "histogram", "adopter_comm", PG_ORPHANS, PV_HIST,
	  O_H_LIFETIME, false,
	  "From the parent's death to the orphan's exit, by adopter command." },
	{ "lifeline_orphan_reap_seconds", "histogram", "adopter_comm", PG_ORPHANS, PV_HIST,
	  O_H_REAP, false,
	  "From an orphan's exit to its reap by the adopter, by adopter command." },
	{ "lifeline_accepts_total", "counter", "comm", PG_LISTENERS, PV_U64, L_ACCEPTS, false,
	  "Connections accepted, by listening command and port." },
	{ "lifeline_accept_errors_total", "counter", "comm", PG_LISTENERS, PV_U64, L_ERRORS, false,
	  "accept() calls that failed (EAGAIN, EMFILE, ...), by listening command and port." },
	{ "lifeline_accept_forked_total", "counter", "comm", PG_LISTENERS, PV_U64, L_FORKED, false,
	  "Accepted connections handed to a forked child, by listening command and port." },
	{ "lifeline_accept_queue_wait_seconds", "histogram", "comm", PG_LISTENERS, PV_HIST,
	  L_H_QUEUE, false,
	  "From handshake complete to accept() returning it, by listening command and port." },
	{ "lifeline_accept_backlog_limit", "gauge", "comm", PG_LISTENERS, PV_BACKLOG, L_BL_LIMIT,
	  false,
	  "The listen queue's limit (the listen() backlog, capped by somaxconn) at the last "
	  "accept, by listening command and port." },
	{ "lifeline_accept_backlog_peak", "gauge", "comm", PG_LISTENERS, PV_BACKLOG, L_BL_PEAK,
	  false,
	  "Deepest listen queue an accept found since start, its connection included, by "
	  "listening command and port." },
	{ "lifeline_accept_backlog_full_total", "counter", "comm", PG_LISTENERS, PV_BACKLOG,
	  L_BL_FULL, false,
	  "Accepts that found the listen queue full (the kernel drops new handshakes then), by "
	  "listening command and port." },
	{ "lifeline_listen_overflows_total", "counter", NULL, PG_NETSTAT, PV_U64, G_OVERFLOWS,
	  false,
	  "The kernel's TcpExt ListenOverflows since lifeline started: handshakes that found a "
	  "full accept queue, system-wide." },
	{ "lifeline_listen_drops_total", "counter", NULL, PG_NETSTAT, PV_U64, G_DROPS, false,
	  "The kernel's TcpExt ListenDrops since lifeline started: handshakes dropped at a "
	  "listening socket, overflows included, system-wide." },
	{ "lifeline_loop_wakeups_total", "counter", "comm", PG_LOOPS, PV_U64, P_WAKEUPS, false,
	  "epoll_wait returns, by command (all its event loop threads)." },
	{ "lifeline_loop_events_total", "counter", "comm", PG_LOOPS, PV_U64, P_EVENTS, true,
	  "Events epoll_wait returned, by command." },
	{ "lifeline_loop_timeouts_total", "counter", "comm", PG_LOOPS, PV_U64, P_TIMEOUTS, true,
	  "epoll_wait returns with no event (timeout), by command." },
	{ "lifeline_loop_full_total", "counter", "comm", PG_LOOPS, PV_U64, P_FULL, true,
	  "epoll_wait returns that filled maxevents (more may be ready), by command." },
	{ "lifeline_loop_busy_seconds_total", "counter", "comm", PG_LOOPS, PV_SEC, P_BUSY, false,
	  "Time on CPU between waits, by command." },
	{ "lifeline_loop_blocked_seconds_total", "counter", "comm", PG_LOOPS, PV_SEC, P_BLOCKED,
	  false,
	  "Time asleep in the event wait (idle), by command." },
	{ "lifeline_loop_stalls_total", "counter", "comm", PG_LOOPS, PV_U64, P_STALLS, false,
	  "Busy periods longer than --stall-ms, by command." },
	{ "lifeline_loop_stall_max_seconds", "gauge", "comm", PG_LOOPS, PV_SEC, P_MAX_STALL, false,
	  "Longest stall seen since start, by command." },
	{ "lifeline_loop_unseen_switches_total", "counter", "comm", PG_LOOPS, PV_U64, P_UNSEEN,
	  false,
	  "Context switches of the loop threads that reached no scheduler tracepoint, placed from "
	  "their CPU time; a few are normal, many mean the split of time is less sure." },
	{ "lifeline_fork_failures_total", "counter", "comm", PG_FORK_FAILURES, PV_OWN, 0, false,
	  "Failed fork/vfork/clone/clone3 calls, by command and errno (EAGAIN: a pids cgroup or "
	  "process limit)." },
	{ "lifeline_cgroup_zombies", "gauge", "cgroup", PG_CGROUP_ZOMBIES, PV_OWN, 0, false,
	  "Zombies now, by the cgroup v2 path of their parent (not the root cgroup)." },
};

const size_t prom_nfamilies = ARRAY_SIZE(prom_families);
