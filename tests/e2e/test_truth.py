#!/usr/bin/env python3
"""Truth in every mode: a differential harness. One mixed workload (fork_echo reaping in a loop 30
ms late under connect-per-request load, fork_echo that never reaps, fork_echo that ignores
SIGCHLD, a parent that exits leaving zombies to its subreaper, and a PID namespace whose python
PID 1 never waits while its children orphan grandchildren and reap their own) runs under each of
lifeline's modes: system-wide, -p, -c, --cgroup, -- COMMAND, attached mid-load, with processes and
zombies that predate lifeline. In every mode:

  - zombies now per parent, in every periodic JSON summary (-i), equal what /proc held around
    that summary's instant (a sampler thread reads /proc every few ms; the summary must fall
    within the range /proc showed in a window around its ts_ns),
  - every reap an events instance reports is of a pid its reaper forked (host pids, also for
    the namespace's reaper), with a zombie time no shorter than the delay the workload injected,
  - no invented age: zombies older than lifeline have no oldest_now_us, only oldest_now_min_us,
  - causes: the abandoning parent never-waits, the namespace init init-never-waits (host pid,
    parent_ns_pid 1), each with advice.

The workload runs as `test_truth.py --workload STATE GATE DUR LATE`; its pids go to STATE.
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lltest import (BUILD, Server, check, finish, info, proc_state,  # noqa: E402
                    proc_status, run_test)
from lltest import LIFELINE, ROOT, Lifeline, set_subreaper, skip, wait_until  # noqa: E402
from lltest import CG2, cg_place, cg_rel, cg_remove  # noqa: E402

LOOP_DELAY_US = 30000           # fork_echo --reap-delay-ms 30
NS_REAP_DELAY_US = 20000        # the namespace's reaper waits this long after each child is a Z
HANDED = 3                      # zombies their parent abandons to the driver (a subreaper)
HANDED_DELAY_US = 300000        # the subreaper reaps the abandoned zombies this long after
NONE_CONNS = 6
# A summary is compared with what /proc showed from 500 ms before its ts_ns to 20 ms after:
# lifeline may lag the kernel by the records still in its ring (it polls every 20 ms, and on a
# 2-vCPU machine shared with the load it can be off CPU for a while), it can never lead it.
WINDOW_BEFORE_NS = 500 * 1000000
WINDOW_AFTER_NS = 20 * 1000000
# A parent's /proc read is a snapshot only if it is short against a zombie's 30 ms life: a
# longer one (the machine starved while two tracers attach) misses zombies reaped while it reads.
MAX_SCAN_NS = 10 * 1000000
# Nor is a parent's count steady across a stretch no read covered: a change could hide there.
# The driver's handed zombies live 300 ms, the other steady parents' changes are for good.
MAX_GAP_NS = 100 * 1000000
STEADY_SCANS = 3                # /proc "held still" only if that many snapshots agree
# This VM's host takes its vCPUs away now and then (steal time in /proc/stat): a reaper stalled
# between the reap and its syscall's return, where the reap is recorded, leaves /proc ahead of
# any tracer for as long. Around an instant with this much steal, /proc is no judge.
MAX_STEAL_S = 0.1
CLK_TCK = os.sysconf("SC_CLK_TCK")
EXITING_SLACK, EXITING_SLACK_REL = 2, 0.05   # processes between their exit record and Z
INIT_PATIENCE_S = 3.0           # lifeline calls an init that has not waited this long never-waits


# ---- the workload (runs as its own process) ------------------------------------------------

def kids_of(pid):
    """Children of a single-threaded process, zombies included; [] once it is gone."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def zombie_kids(pid):
    return [k for k in kids_of(pid) if proc_state(k) == "Z"]


def write_state(path, state):
    with open(path + ".tmp", "w") as f:
        json.dump(state, f)
    os.rename(path + ".tmp", path)


def ns_init(dur):
    """PID 1 of a PID namespace that never waits. Its reaper child reaps 5 children, each
    NS_REAP_DELAY_US after it became a zombie; its abandoner child leaves 3 grandchildren that
    die as orphans: init's zombies, for good."""
    if os.fork() == 0:
        for _ in range(5):
            k = os.fork()
            if k == 0:
                os._exit(3)
            wait_until(lambda: proc_state(k) == "Z", 5, 0.001)
            time.sleep(NS_REAP_DELAY_US / 1e6)
            os.waitpid(k, 0)
        os._exit(0)
    if os.fork() == 0:
        for _ in range(3):
            if os.fork() == 0:
                time.sleep(0.2)
                os._exit(0)
        os._exit(0)
    time.sleep(dur)


def abandon_zombies(n):
    """A child that forks n children, waits until they are zombies and exits without reaping
    them: they pass to us (the subreaper). Returns (its pid, their pids)."""
    r, w = os.pipe()
    dier = os.fork()
    if dier == 0:
        os.close(r)
        kids = []
        for _ in range(n):
            k = os.fork()
            if k == 0:
                os._exit(0)
            kids.append(k)
        wait_until(lambda: all(proc_state(k) == "Z" for k in kids), 5, 0.001)
        os.write(w, json.dumps(kids).encode())
        os._exit(0)
    os.close(w)
    kids = json.loads(os.read(r, 4096).decode())
    os.close(r)
    os.waitpid(dier, 0)
    return dier, kids


def workload(state_path, gate, dur, late):
    set_subreaper()
    st = {"driver": os.getpid()}
    write_state(state_path, st)
    wait_until(lambda: os.path.exists(gate), 60, 0.005)
    servers = [Server("fork_echo", "--reap", "loop", "--reap-delay-ms", LOOP_DELAY_US // 1000),
               Server("fork_echo", "--reap", "none"), Server("fork_echo", "--reap", "ignore")]
    for s in servers:
        s.start()
    st.update(loop=servers[0].pid, none=servers[1].pid, ignore=servers[2].pid)
    lg = subprocess.Popen([os.path.join(BUILD, "loadgen"), "--port", str(servers[0].port),
                           "-c", "4", "--connect-per-request", "-d", str(dur), "--json"],
                          stdout=subprocess.PIPE, text=True)
    for s, n in ((servers[1], NONE_CONNS), (servers[2], 5)):
        subprocess.run([os.path.join(BUILD, "loadgen"), "--port", str(s.port), "-n", str(n),
                        "--connect-per-request", "--json"], stdout=subprocess.DEVNULL)
    write_state(state_path, st)
    if late:
        # Attached mid-load: what is judged by its zombie times (the namespace, the handed
        # zombies) is made once the tracers are attached, however long they take.
        wait_until(lambda: os.path.exists(gate + ".attached"), 60, 0.01)
    ns = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc", sys.executable,
                           os.path.abspath(__file__), "--nsinit", str(INIT_PATIENCE_S + 2)])
    st["ns_init"] = wait_until(lambda: (kids_of(ns.pid) or [None])[0], 5)
    st["ns_kids"] = wait_until(lambda: len(kids_of(st["ns_init"])) >= 2 and
                               kids_of(st["ns_init"]), 5)
    st["dier"], st["handed"] = abandon_zombies(HANDED)
    wait_until(lambda: all(k in zombie_kids(st["driver"]) for k in st["handed"]), 5, 0.001)
    t0 = time.monotonic()
    time.sleep(HANDED_DELAY_US / 1e6)
    st["handed_min_us"] = int((time.monotonic() - t0) * 1e6)
    for k in st["handed"]:
        os.waitpid(k, 0)
    write_state(state_path, st)
    st["loadgen"] = json.loads(lg.communicate()[0].strip().splitlines()[-1])
    if late:
        # The loop server is loaded again, so however slowly the tracers attached, the run has
        # reaps under lifeline to judge.
        subprocess.run([os.path.join(BUILD, "loadgen"), "--port", str(servers[0].port), "-c",
                        "4", "--connect-per-request", "-d", str(dur)], stdout=subprocess.DEVNULL)
    st["done"] = True
    write_state(state_path, st)
    wait_until(lambda: os.path.exists(gate + ".stop"), 120, 0.01)
    ns.wait(30)
    for s in servers:
        s.kill()


# ---- the test side ---------------------------------------------------------------------------

class Sampler(threading.Thread):
    """Zombies per parent from /proc every few ms, with CLOCK_MONOTONIC times. Each parent's read
    is timed on its own: a whole scan can take 100 ms on a starved machine (the test's reader
    threads hold the GIL), one parent's read stays short, and only a short read is a snapshot."""

    def __init__(self):
        super().__init__(daemon=True)
        self.parents = set()
        self.reads = {}         # parent -> [(t0_ns, t1_ns, zombies)]
        self.seen_kids = {}     # parent -> every child pid ever seen
        self.running = True
        self.steal = []         # (ts_ns, steal seconds of all CPUs so far)
        self.stolen = 0         # instants left unjudged for the host's steal
        self.gappy = 0          # instants left unjudged for a gap in the reads

    def run(self):
        while self.running:
            self.steal.append((time.monotonic_ns(), steal_s()))
            for p in list(self.parents):
                t0 = time.monotonic_ns()
                kids = kids_of(p)
                n = sum(1 for k in kids if proc_state(k) == "Z")
                self.reads.setdefault(p, []).append((t0, time.monotonic_ns(), n))
                self.seen_kids.setdefault(p, set()).update(kids)
            time.sleep(0.003)

    def window(self, ts_ns, parent):
        lo, hi = ts_ns - WINDOW_BEFORE_NS, ts_ns + WINDOW_AFTER_NS
        return [r for r in self.reads.get(parent, []) if r[1] >= lo and r[0] <= hi]

    def max_gap(self, ts_ns, parent):
        """The longest stretch of ts_ns's window that no read of parent covered."""
        lo, hi = ts_ns - WINDOW_BEFORE_NS, ts_ns + WINDOW_AFTER_NS
        ends = [lo] + [x for t0, t1, n in self.window(ts_ns, parent) for x in (t0, t1)]
        after = next((t0 for t0, t1, n in self.reads.get(parent, []) if t0 > hi), hi)
        ends.append(min(after, hi))
        return max(max(0, min(b, hi) - max(a, lo)) for a, b in zip(ends[0::2], ends[1::2]))

    def range_at(self, ts_ns, parent, lenient=False):
        """What /proc showed around ts_ns, or None when it cannot say: the parent was not
        watched yet at ts_ns, no read in the window was short enough to be a snapshot, the reads
        left a gap in which a change could hide, or the host took the CPUs away for MAX_STEAL_S
        in the window (lenient: neither of the last two stops it). A long read is no snapshot,
        but what it read /proc held at some instant of it: it widens the range."""
        reads = self.reads.get(parent)
        if not reads or reads[0][0] > ts_ns:
            return None
        win = self.window(ts_ns, parent)
        snaps = [n for t0, t1, n in win if t1 - t0 <= MAX_SCAN_NS]
        if not snaps:
            return None
        if not lenient and self.max_gap(ts_ns, parent) > MAX_GAP_NS:
            self.gappy += 1
            return None
        st = [v for t, v in self.steal
              if ts_ns - WINDOW_BEFORE_NS <= t <= ts_ns + WINDOW_AFTER_NS]
        if not lenient and st and st[-1] - st[0] >= MAX_STEAL_S:
            self.stolen += 1
            return None
        vals = [n for t0, t1, n in win]
        # One snapshot shows no stillness: it counts as churning, whatever it read.
        return (min(vals), max(vals) + (len(snaps) < STEADY_SCANS))

    def reads_around(self, ts_ns, parent):
        """Diagnostic: parent's reads in ts_ns's window, as (start ms from ts_ns, duration ms,
        zombies)."""
        return [(round((t0 - ts_ns) / 1e6), round((t1 - t0) / 1e6, 1), n)
                for t0, t1, n in self.window(ts_ns, parent)]

    def first_full(self, parent, n):
        """When /proc first showed parent with n zombies."""
        return next((t1 for t0, t1, z in self.reads.get(parent, []) if z >= n), None)

    def longest_read_ms(self):
        return max(((t1 - t0) / 1e6 for r in list(self.reads.values()) for t0, t1, n in r),
                   default=0)


def steal_s():
    """Time the host took from this VM's CPUs, all CPUs together (/proc/stat), seconds."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
        return int(fields[8]) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return 0.0


def group(summary, pid):
    for z in summary.get("zombies", []):
        if z["parent_pid"] == pid:
            return z
    return None


def read_state(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


class Run:
    """One mode: the workload, a summaries instance (-j -i 0.5) and an events instance."""

    def __init__(self, mode, args, command=False, late=False):
        self.mode, self.args, self.command, self.late = mode, args, command, late
        tag = f"/tmp/h1-truth-{os.getpid()}-{mode}"
        self.state_path, self.gate = tag + ".json", tag + ".gate"
        for p in (self.state_path, self.gate, self.gate + ".stop", self.gate + ".attached"):
            if os.path.exists(p):
                os.unlink(p)
        self.sampler = Sampler()
        self.sums = self.evs = self.work = None
        self.state = {}
        # --cgroup: the driver is placed in a cgroup of its own before it forks anything.
        self.cgroup = os.path.join(CG2, os.path.basename(tag)) if "CGROUP" in args else None

    def cleanup(self):
        for t in (self.sums, self.evs):
            if t and t.proc and t.proc.poll() is None:
                t.proc.kill()
        open(self.gate + ".stop", "w").close()
        if self.cgroup:
            cg_remove(self.cgroup)      # what is left of the workload in it goes too

    def workload_argv(self):
        return [sys.executable, os.path.abspath(__file__), "--workload", self.state_path,
                self.gate, "2", "1" if self.late else "0"]

    def tracers(self, driver):
        args = [a.replace("DRIVER", str(driver)) for a in self.args]
        if self.cgroup:
            os.mkdir(self.cgroup)
            cg_place(self.cgroup, driver)
            args = [cg_rel(self.cgroup) if a == "CGROUP" else a for a in args]
        if self.command:
            self.sums = Lifeline("-j", "-i", "0.5", "--", *self.workload_argv())
            self.sums.start()
            driver = wait_until(lambda: read_state(self.state_path).get("driver"), 10)
            args = ["-p", str(driver)]
        else:
            self.sums = Lifeline("-j", "-i", "0.5", *args).start()
        self.evs = Lifeline("--events=proc", "-j", *args).start()
        return driver

    def run(self):
        self.sampler.start()
        if self.command:
            driver = self.tracers(None)
        else:
            self.work = subprocess.Popen(self.workload_argv())
            driver = wait_until(lambda: read_state(self.state_path).get("driver"), 10)
            if not self.late:
                self.tracers(driver)
        open(self.gate, "w").close()
        # /proc is watched from the start: children older than lifeline are children too.
        wait_until(lambda: self.follow(read_state(self.state_path)).get("loop"), 10)
        if self.late:       # attach to a loaded machine with zombies older than lifeline
            wait_until(lambda: len(zombie_kids(read_state(self.state_path).get("none", 0))) ==
                       NONE_CONNS, 10)
            time.sleep(0.5)
            self.tracers(driver)
            open(self.gate + ".attached", "w").close()
        self.sampler.parents.add(driver)
        wait_until(lambda: self.follow(read_state(self.state_path)).get("done"), 60, 0.05)
        # The namespace init's zombies must have waited long enough to be judged.
        since = wait_until(lambda: self.sampler.first_full(self.state["ns_init"], 3), 10)
        wait_until(lambda: since and time.monotonic_ns() - since > (INIT_PATIENCE_S + 0.3) * 1e9,
                   10, 0.05)
        time.sleep(0.6)     # one more periodic summary at rest
        self.sums.stop()
        self.evs.stop()
        self.sampler.running = False
        open(self.gate + ".stop", "w").close()
        if self.work:
            self.work.wait(60)
        self.sampler.join(5)

    def follow(self, st):
        self.state = st
        for k in ("driver", "loop", "none", "ignore", "dier", "ns_init"):
            if st.get(k):
                self.sampler.parents.add(st[k])
        for k in st.get("ns_kids", []):
            self.sampler.parents.add(k)
        return st



def judged_parents(run):
    st = run.state
    if run.mode == "comm":
        return {"loop": st["loop"], "none": st["none"], "ignore": st["ignore"]}
    out = {k: st[k] for k in ("driver", "loop", "none", "ignore", "dier", "ns_init")}
    out.update({f"ns_kid{i}": k for i, k in enumerate(st["ns_kids"])})
    return out


def from_records(run, parent, ts_ns):
    """Zombies of parent at ts_ns by the kernel's own timestamps of the exit and reap records the
    events instance received: a diagnostic beside /proc's sampled view."""
    kids = {e["pid"] for e in run.evs.events("exit") if e.get("ppid") == parent and
            e.get("zombie") and e["ts_ns"] <= ts_ns}
    gone = {e["pid"] for e in run.evs.events("reap") if e["ts_ns"] <= ts_ns}
    # Zombies handed to parent: their own parent's exit came before ts_ns, parent reaped them.
    died = {e["pid"] for e in run.evs.events("exit") if e["ts_ns"] <= ts_ns}
    handed = {e["pid"] for e in run.evs.events("reap") if e.get("reaper_pid") == parent}
    kids |= {e["pid"] for e in run.evs.events("exit") if e.get("ppid") in died and
             e.get("zombie") and e["ts_ns"] <= ts_ns and e["pid"] in handed}
    # The same from each child's SIGCHLD, sent at exit_notify, when /proc starts showing Z.
    told = {e["from_pid"] for e in run.evs.events("sigchld") if e.get("pid") == parent and
            e["ts_ns"] <= ts_ns}
    return {"from exit": len(kids - gone), "from sigchld": len((kids & told) - gone)}


def check_zombies_now(run):
    """Where /proc held still around a summary (the same count in every snapshot of the window:
    servers that never reap, idle parents, the namespace init) lifeline must say exactly that.
    Where it churned (the loop server turns its zombies over every 30 ms, under load on two
    shared vCPUs), a user-space /proc reader cannot pin the instant: the figures are reported,
    with the count from the kernel's own timestamps of the exit and reap records beside them."""
    sums = [o for o in run.sums.objects() if o.get("type") == "summary"]
    steady = steady_ok = churn = churn_ok = unjudged = 0
    bad, off = [], []
    for s in sums:
        for name, pid in judged_parents(run).items():
            rng = run.sampler.range_at(s["ts_ns"], pid)
            if rng is None:
                unjudged += 1
                continue
            g = group(s, pid)
            now = g["now"] if g else 0
            # The exit record is stamped at the start of the exit, /proc shows Z only at its
            # end (exit_notify): a few exits may be in that gap.
            slack = EXITING_SLACK + rng[1] * EXITING_SLACK_REL
            def where():
                return (name, round((s["ts_ns"] - sums[0]["ts_ns"]) / 1e9, 2), now, rng,
                        "records say", from_records(run, pid, s["ts_ns"]),
                        "reads", run.sampler.reads_around(s["ts_ns"], pid))
            if rng[0] == rng[1]:
                steady += 1
                steady_ok += abs(now - rng[0]) <= EXITING_SLACK
                if abs(now - rng[0]) > EXITING_SLACK:
                    bad.append(where())
            else:
                churn += 1
                churn_ok += rng[0] - slack <= now <= rng[1] + slack
                if not rng[0] - slack <= now <= rng[1] + slack:
                    off.append(where())
    info(f"{run.mode}: zombies now per parent at {len(sums)} summaries: /proc steady "
         f"{steady_ok}/{steady} equal; /proc churning {churn_ok}/{churn} within its range "
         f"+-{EXITING_SLACK} +-{EXITING_SLACK_REL:.0%}; {unjudged} without a /proc snapshot "
         f"(longest read {run.sampler.longest_read_ms():.0f} ms; {run.sampler.gappy} for a "
         f"gap > {MAX_GAP_NS // 1000000} ms in the reads, {run.sampler.stolen} for "
         f">= {MAX_STEAL_S * 1000:.0f} ms of the host's steal around them)")
    if off:
        info(f"{run.mode}: churning instants outside /proc's range: {off[:4]}")
    name = (f"{run.mode}: zombies now per parent = /proc wherever /proc held still "
            f"({steady_ok}/{steady})")
    check(name, steady > 0 and steady_ok == steady, bad[:8])
    final = sums[-1] if sums else {}
    phantoms = [(n, group(final, p)["now"]) for n, p in judged_parents(run).items()
                if group(final, p) and group(final, p)["now"] and
                run.sampler.range_at(final["ts_ns"], p, lenient=True) in (None, (0, 0))]
    check(f"{run.mode}: no phantom zombie in the final summary", final and not phantoms,
          phantoms)
    return sums


def check_reaps(run):
    st, evs = run.state, run.evs.events()
    forks, forked = {}, set()
    for e in run.evs.events("fork"):
        forks.setdefault(e["ppid"], set()).add(e["pid"])
        forked.add(e["pid"])
    if run.late:
        # Forked before the events instance attached (no fork record) and gone before the
        # sampler, starved while the tracers attach, read its parent: the kernel's parent at its
        # exit (read there by the exit program, not joined by lifeline) is the evidence left.
        for e in run.evs.events("exit"):
            if e["pid"] not in forked and e.get("ppid"):
                forks.setdefault(e["ppid"], set()).add(e["pid"])
    reaps = run.evs.events("reap")

    def attributed(reaper, min_us):
        mine = [e for e in reaps if e.get("reaper_pid") == reaper]
        kids = forks.get(reaper, set()) | run.sampler.seen_kids.get(reaper, set())
        right = [e for e in mine if e["pid"] in kids]
        short = [e for e in right if "zombie_us" in e and e["zombie_us"] < min_us]
        unknown = [e for e in right if "zombie_us" not in e]
        return mine, right, short, unknown

    mine, right, short, unknown = attributed(st["loop"], LOOP_DELAY_US)
    if run.late:
        # Zombies older than lifeline (no zombie time) that died before the sampler saw them,
        # on a machine starved by two attaching tracers: nothing can tell whose they were.
        old = [e for e in mine if e not in right and "zombie_us" not in e]
        info(f"{run.mode}: {len(old)} reaps of zombies older than lifeline that /proc's sampler "
             f"missed, not judged")
        mine = [e for e in mine if e not in old]
    zs = sorted(e["zombie_us"] for e in right if "zombie_us" in e)
    info(f"{run.mode}: loop server reaps attributed right {len(right)}/{len(mine)}, zombie_us "
         f"min {zs[0] if zs else '-'} p50 {zs[len(zs) // 2] if zs else '-'} (injected "
         f"{LOOP_DELAY_US}), unknown {len(unknown)}")
    check(f"{run.mode}: every reap by the loop server is of a child it forked "
          f"({len(right)}/{len(mine)})", mine and len(right) == len(mine),
          [e for e in mine if e not in right][:3])
    check(f"{run.mode}: no loop-server zombie shorter than the injected 30 ms", not short,
          short[:3])
    # Children older than lifeline may have no known exit; all others must.
    check(f"{run.mode}: zombie time known for every child forked under lifeline",
          run.late or not unknown, unknown[:3])
    if run.mode == "comm":
        return
    mine, right, short, unknown = attributed(st["driver"], 0)
    handed = [e for e in right if e["pid"] in st["handed"]]
    info(f"{run.mode}: handed zombies reaped by the subreaper {len(handed)}/3, zombie_us "
         f"{[e.get('zombie_us') for e in handed]} (>= {st['handed_min_us']} injected)")
    check(f"{run.mode}: the 3 abandoned zombies reaped by the adopter, each after the "
          f"injected delay", len(handed) == 3 and
          all(e.get("zombie_us", 0) >= st["handed_min_us"] for e in handed), handed)
    ns_right = ns_all = 0
    for k in st["ns_kids"]:
        mine, right, short, unknown = attributed(k, NS_REAP_DELAY_US)
        ns_all += len(mine)
        ns_right += len(right) - len(short) - len(unknown)
    info(f"{run.mode}: namespace reaps with host pids, attributed right {ns_right}/{ns_all}")
    check(f"{run.mode}: the namespace reaper's 5 reaps: host pids of its children, each "
          f"zombie >= 20 ms ({ns_right}/{ns_all})", ns_all == 5 and ns_right == 5)
    alien = [e for e in reaps if e.get("reaper_pid") in st["ns_kids"] + [st["ns_init"]] and
             e["pid"] not in run.sampler.seen_kids.get(e["reaper_pid"], set()) |
             forks.get(e["reaper_pid"], set())]
    check(f"{run.mode}: no namespace process reaps a pid that is not its child", not alien,
          alien[:3])


def check_groups(run, sums):
    st = run.state
    final = sums[-1]
    if run.late:
        none = [group(s, st["none"]) for s in sums if group(s, st["none"])]
        invented = [g for g in none if "oldest_now_us" in g]
        bounds = [g for g in none if not 0 < g.get("oldest_now_min_us", 0) <= 60e6]
        causes = {g["cause"] for g in none}
        info(f"{run.mode}: zombies older than lifeline: oldest_now_min_us "
             f"{[g.get('oldest_now_min_us') for g in none[:3]]}, causes {causes}")
        check(f"{run.mode}: zombies older than lifeline get no invented age, a lower bound, "
              f"and never cause none", none and not invented and not bounds and
              "none" not in causes, (invented[:1], bounds[:1], causes))
    ages = [(s["elapsed_s"], z["parent_pid"], z["oldest_now_us"]) for s in sums
            for z in s.get("zombies", []) if "oldest_now_us" in z and
            z["parent_pid"] in judged_parents(run).values() and
            z["oldest_now_us"] > s["elapsed_s"] * 1e6 + 50000]
    check(f"{run.mode}: no zombie older than lifeline's run is given an age", not ages, ages[:3])
    if run.mode == "comm":
        return
    # Its zombies are judged while it has them: with a COMMAND, lifeline SIGTERMs what is left
    # of the tree as it stops, the namespace included, so the final summary may find none.
    ns = next((group(x, st["ns_init"]) for x in reversed(sums)
               if group(x, st["ns_init"]) and group(x, st["ns_init"])["now"]),
              group(final, st["ns_init"]))
    info(f"{run.mode}: namespace init group: {ns and {k: ns.get(k) for k in ('parent_pid', 'parent_ns_pid', 'now', 'cause')}}")
    check(f"{run.mode}: the namespace init: host pid, parent_ns_pid 1, cause init-never-waits "
          f"with advice", ns and ns.get("parent_ns_pid") == 1 and
          ns["cause"] == "init-never-waits" and ns.get("advice"), ns)
    dier = group(final, st["dier"])
    check(f"{run.mode}: the parent that exited with zombies: now 0, cause never-waits",
          dier and dier["now"] == 0 and dier["cause"] == "never-waits" and dier.get("advice"),
          dier)


# (name, options, lifeline runs the workload as its COMMAND, lifeline starts mid-load). The
# namespace workload runs in every mode but comm (its python processes are filtered out there).
MODES = [
    ("system", [], False, False),
    ("pid", ["-p", "DRIVER"], False, False),
    ("comm", ["-c", "fork_echo"], False, False),
    ("cgroup", ["--cgroup", "CGROUP"], False, False),
    ("command", [], True, False),
    ("midload", [], False, True),
    ("predates", ["-p", "DRIVER"], False, True),
]


def test_mode(mode, args, command, late):
    if "CGROUP" in args and not CG2:
        skip(f"truth_{mode}", "no cgroup2 mounted")
        return
    run = Run(mode, args, command, late)
    try:
        run.run()
    finally:
        run.cleanup()
    info(f"{mode}: lost events: summaries {run.sums.summary and run.sums.summary.get('lost')}, "
         f"events {run.evs.summary and run.evs.summary.get('lost')}")
    sums = check_zombies_now(run)
    check_reaps(run)
    check_groups(run, sums)


def tracer_pid(pid):
    v = proc_status(pid).get("TracerPid")
    return int(v) if v else None


def test_ptrace_wait_is_no_reap():
    """strace (not the parent) traces a child: its wait4 for the child's exit only detaches;
    the reap is the parent's, later, and the zombie time runs until then."""
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(0)
    os.close(r)
    me = os.getpid()
    strace = None
    try:
        with Lifeline("--events=proc", "-j", "-p", me) as t:
            strace = subprocess.Popen(["strace", "-qq", "-o", "/dev/null", "-p", str(child)])
            wait_until(lambda: tracer_pid(child) == strace.pid, 10)
            os.write(w, b"x")
            strace.wait(10)     # it saw the exit with its own wait4
            wait_until(lambda: proc_state(child) == "Z", 5, 0.001)
            seen_z = time.monotonic()
            time.sleep(0.1)     # injected: the parent reaps 100 ms after the zombie is seen
            t0 = time.monotonic()
            os.waitpid(child, 0)
            wait_until(lambda: [e for e in t.events("reap") if e["pid"] == child], 5)
    finally:
        os.close(w)
        if strace and strace.poll() is None:
            strace.kill()
    reaps = [e for e in t.events("reap") if e["pid"] == child]
    lo = (t0 - seen_z) * 1e6
    info(f"ptrace: reaps of the traced child {[(e['reaper_pid'], e.get('zombie_us')) for e in reaps]}, "
         f"parent {me}, tracer {strace.pid}")
    check("ptrace: the tracer's wait is no reap: one reap, by the parent, after the injected delay",
          len(reaps) == 1 and reaps[0]["reaper_pid"] == me and
          reaps[0].get("zombie_us", 0) >= lo, (reaps, lo))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--workload":
        workload(sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5] == "1")
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--nsinit":
        ns_init(float(sys.argv[2]))
        return
    if os.geteuid() != 0:
        check("truth: needs root", False, "run as root")
        finish()
    only = os.environ.get("LL_TRUTH_MODES")
    if not only or "ptrace" in only.split(","):
        run_test(test_ptrace_wait_is_no_reap)
    for m in MODES:
        if not only or m[0] in only.split(","):
            run_test(lambda m=m: test_mode(*m), f"truth_{m[0]}")
    finish()


if __name__ == "__main__":
    main()
