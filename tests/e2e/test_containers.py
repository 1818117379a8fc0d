#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""Containers: cgroups, fork failures at pids.max, --cgroup, and a real init as PID 1.

- A pids cgroup (v2 where the v2 hierarchy has the pids controller, else the v1 one) with
  pids.max 8 and a process that tries 20 forks and counts its own failures: lifeline's
  fork_failures, its fork_failed events, errno and pids_max agree with it.
- --cgroup A among busy cgroups A, B and the root: exactly the processes of A and of a cgroup
  made under A after start, checked against cgroup.procs; each event's cgroup is the path
  /proc/PID/cgroup gives.
- tini as PID 1 of `unshare --pid --fork --mount-proc` whose child orphans grandchildren: they
  are reaped, no zombie is left, no group is blamed.
- Bad --cgroup input: one line, exit 2. examples/lifeline.rules.yml passes promtool.

Needs root (real BPF, cgroups), tini and prometheus (make test installs them). Every cgroup made
here is named h3-test-* and removed on every path.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lltest import check, failed, finish, info, run_test, wait_until  # noqa: E402
from lltest import LIFELINE, ROOT, Lifeline, find, run_lifeline  # noqa: E402
from lltest import CG2, cg_place, cg_procs, cg_rel, cg_remove, proc_cgroup2  # noqa: E402

TAG = "h3-test-%d" % os.getpid()

# Tries N forks; each child blocks on a pipe so that it holds its pid. Prints what it counted.
FORKER = r"""
import json, os, sys
gate, n = sys.argv[1], int(sys.argv[2])
os.read(int(gate), 1)
r, w = os.pipe()
kids, fails, errnos = [], 0, set()
for i in range(n):
    try:
        pid = os.fork()
    except OSError as e:
        fails += 1
        errnos.add(e.errno)
        continue
    if pid == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(0)
    kids.append(pid)
os.close(w)
for k in kids:
    os.waitpid(k, 0)
print(json.dumps({"fails": fails, "kids": len(kids), "errnos": sorted(errnos)}), flush=True)
"""

# A busy process: forks /bin/true every 20 ms and reaps it, until killed.
BUSY = "while :; do /bin/true; sleep 0.02; done"

# Under tini: each child forks a grandchild and exits at once, orphaning it to the namespace's
# PID 1; the grandchildren live a little, then exit and must be reaped by tini.
ORPHANER = r"""
import os, time
gpids = []
for i in range(5):
    r, w = os.pipe()
    c = os.fork()
    if c == 0:
        g = os.fork()
        if g == 0:
            time.sleep(0.3)
            os._exit(0)
        os.write(w, str(g).encode())
        os._exit(0)
    os.close(w)
    gpids.append(int(os.read(r, 32)))
    os.waitpid(c, 0)
end = time.monotonic() + 20
while time.monotonic() < end and any(os.path.exists("/proc/%d" % g) for g in gpids):
    time.sleep(0.02)
"""


def kill_all(procs):
    for p in procs:
        if p.poll() is None:
            p.kill()
    for p in procs:
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            pass


# ---- fork failures at pids.max ------------------------------------------------------------------

def pids_parent():
    """(directory to make the pids cgroup in, "v2"/"v1"), or (None, why)."""
    if CG2:
        try:
            with open(os.path.join(CG2, "cgroup.controllers")) as f:
                if "pids" in f.read().split():
                    with open(os.path.join(CG2, "cgroup.subtree_control"), "w") as s:
                        s.write("+pids")
                    return CG2, "v2"
        except OSError as e:
            info("pids not usable in cgroup v2 (%s): trying v1" % e)
    if os.path.exists("/sys/fs/cgroup/pids/pids.max") or \
       os.path.exists("/sys/fs/cgroup/pids/cgroup.procs"):
        return "/sys/fs/cgroup/pids", "v1"
    return None, "no pids controller in v2 or v1"


def test_fork_failures_at_pids_max():
    parent, kind = pids_parent()
    if not parent:
        failed("pids cgroup", kind)
        return
    cg = os.path.join(parent, TAG + "-pids")
    os.mkdir(cg)
    procs = []
    try:
        with open(os.path.join(cg, "pids.max"), "w") as f:
            f.write("8")
        gate_r, gate_w = os.pipe()
        forker = subprocess.Popen([sys.executable, "-c", FORKER, str(gate_r), "20"],
                                  stdout=subprocess.PIPE, text=True, pass_fds=(gate_r,))
        procs.append(forker)
        os.close(gate_r)
        cg_place(cg, forker.pid)
        info("pids cgroup %s (%s), forker %d" % (cg, kind, forker.pid))
        with Lifeline("-e", "-j", "-p", forker.pid) as t:
            os.write(gate_w, b"g")
            os.close(gate_w)
            out, _ = forker.communicate(timeout=60)
            own = json.loads(out)
            wait_until(lambda: len(t.events("fork_failed")) >= own["fails"], timeout=10)
        s = t.summary
        ev = t.events("fork_failed")
        info("the forker counted %d failures (errnos %s), %d children; lifeline: %d events, "
             "summary %s" % (own["fails"], own["errnos"], own["kids"], len(ev),
                             s and s["processes"].get("fork_failures")))
        check("pids.max 8: some of the 20 forks failed", own["fails"] > 0, own)
        check("fork_failures equals the failures the process counted",
              s is not None and s["processes"].get("fork_failures") == own["fails"],
              "lifeline %s, own %d" % (s and s["processes"].get("fork_failures"), own["fails"]))
        rows = find((s or {}).get("fork_failures", []), pid=forker.pid)
        check("one fork_failures row for it: count, EAGAIN, pids_max 8",
              len(rows) == 1 and rows[0]["count"] == own["fails"] and
              rows[0]["errno"] == "EAGAIN" and rows[0]["pids_max"] == 8, rows)
        check("a fork_failed event per failure, each EAGAIN with pids 8/8",
              len(ev) == own["fails"] and own["errnos"] == [11] and
              all(e["pid"] == forker.pid and e["errno"] == "EAGAIN" and e["pids_max"] == 8 and
                  e["pids_current"] == 8 and e["comm"].startswith("python") for e in ev),
              ev[:3])
        forks = [e for e in t.events("fork") if e.get("ppid") == forker.pid]
        check("and the forks that worked are forks: 20 - failures",
              len(forks) == 20 - own["fails"], "%d forks" % len(forks))
    finally:
        kill_all(procs)
        cg_remove(cg)


# ---- --cgroup ------------------------------------------------------------------------------------

def start_busy(cg):
    """A busy shell placed in cg (None: left where it is) before it forks anything."""
    gate_r, gate_w = os.pipe()
    p = subprocess.Popen(["sh", "-c", "read x <&%d; %s" % (gate_r, BUSY)], pass_fds=(gate_r,))
    os.close(gate_r)
    if cg:
        cg_place(cg, p.pid)
    os.write(gate_w, b"g\n")
    os.close(gate_w)
    return p


def test_cgroup_filter():
    if not CG2:
        failed("--cgroup", "no cgroup2 mounted")
        return
    a, b = os.path.join(CG2, TAG + "-a"), os.path.join(CG2, TAG + "-b")
    late = os.path.join(a, "late")
    procs = []
    try:
        os.mkdir(a)
        os.mkdir(b)
        pa, pb, pr = start_busy(a), start_busy(b), start_busy(None)
        procs += [pa, pb, pr]
        with Lifeline("-e", "-j", "--cgroup", cg_rel(a)) as t:
            os.mkdir(late)      # made after lifeline started
            pl = start_busy(late)
            procs.append(pl)
            members = {a: cg_procs(a), b: cg_procs(b), late: cg_procs(late)}
            wait_until(lambda: len([e for e in t.events("fork") if e.get("ppid") == pl.pid])
                       >= 5 and len([e for e in t.events("fork") if e.get("ppid") == pa.pid])
                       >= 5, timeout=20)
            cgs = {pa.pid: proc_cgroup2(pa.pid), pl.pid: proc_cgroup2(pl.pid)}
        ev = [e for e in t.events() if e["type"] in ("fork", "exec", "exit")]
        inside = members[a] | members[late]
        info("cgroup.procs: A %s, A/late %s, B %s; %d events" %
             (sorted(members[a]), sorted(members[late]), sorted(members[b]), len(ev)))
        check("cgroup.procs: the busy processes are where they were put",
              pa.pid in members[a] and pl.pid in members[late] and pb.pid in members[b],
              members)
        # Each event is one of A's processes or a child of one (its /bin/true), nothing else.
        ours = [e for e in ev if e["pid"] in inside or e.get("ppid") in inside]
        check("--cgroup A: every event is of a process of A or below (by cgroup.procs)",
              ev and len(ours) == len(ev),
              [e for e in ev if e not in ours][:3])
        by = lambda pid: [e for e in ev if e.get("ppid") == pid and e["type"] == "fork"]
        check("--cgroup A: A's busy process is seen", len(by(pa.pid)) >= 5, len(by(pa.pid)))
        check("--cgroup A: a cgroup made under A after start is seen",
              len(by(pl.pid)) >= 5, len(by(pl.pid)))
        check("--cgroup A: B and the root cgroup are not",
              not by(pb.pid) and not by(pr.pid) and
              not [e for e in ev if e["pid"] in (pb.pid, pr.pid)],
              (len(by(pb.pid)), len(by(pr.pid))))
        # The cgroup field: the path /proc/PID/cgroup says, on the process's events and group.
        bad = [e for e in ev if e.get("ppid") in cgs and e.get("cgroup") != cgs[e["ppid"]]]
        check("events carry the cgroup path of /proc/PID/cgroup",
              cgs[pa.pid] and cgs[pl.pid] and not bad and
              cgs[pl.pid] == cg_rel(late), (cgs, bad[:2]))
        groups = [z for z in (t.summary or {}).get("zombies", []) if z["parent_pid"] in cgs]
        check("zombie groups carry their parent's cgroup path",
              len(groups) == 2 and all(z.get("cgroup") == cgs[z["parent_pid"]] for z in groups),
              groups)
    finally:
        kill_all(procs)
        for cg in (late, a, b):
            cg_remove(cg)


def test_cgroup_field_system_wide():
    """Without filters, a process outside any cgroup has no cgroup field; one inside has it."""
    if not CG2:
        failed("cgroup field", "no cgroup2 mounted")
        return
    c = os.path.join(CG2, TAG + "-field")
    procs = []
    try:
        os.mkdir(c)
        with Lifeline("-e", "-j") as t:
            p = start_busy(c)
            procs.append(p)
            wait_until(lambda: len([e for e in t.events("fork") if e.get("ppid") == p.pid]) >= 3,
                       timeout=20)
        ev = [e for e in t.events("fork") if e.get("ppid") == p.pid]
        root_ev = [e for e in t.events("fork") if e.get("ppid") == os.getpid()]
        check("system-wide: forks of a process placed in a cgroup carry its path",
              ev and all(e.get("cgroup") == "/" + TAG + "-field" for e in ev), ev[:2])
        mine = proc_cgroup2(os.getpid())
        check("system-wide: the test's own forks carry its own cgroup, or none for the root",
              root_ev and all(e.get("cgroup") == (None if mine == "/" else mine)
                              for e in root_ev), (mine, root_ev[:2]))
    finally:
        kill_all(procs)
        cg_remove(c)


# ---- tini as a container's PID 1 -----------------------------------------------------------------

def test_tini_reaps_orphans():
    tini = shutil.which("tini")
    if not tini:
        failed("tini", "tini is not installed (apt-get install tini)")
        return
    gate_r, gate_w = os.pipe()
    ns = subprocess.Popen(["sh", "-c", "read x <&%d; exec unshare --pid --fork --mount-proc "
                           "%s -- %s -c '%s'" % (gate_r, tini, sys.executable, ORPHANER)],
                          pass_fds=(gate_r,))
    os.close(gate_r)
    try:
        with Lifeline("-e", "-j", "-p", ns.pid) as t:
            os.write(gate_w, b"g\n")
            os.close(gate_w)
            rc = ns.wait(60)
            # Reaps inside the namespace may reach lifeline as the free fallback, a few ms
            # after the run: wait for every exit to have its reap before the final summary.
            wait_until(lambda: {e["pid"] for e in t.events("exit")} <=
                       {e["pid"] for e in t.events("reap")}, timeout=10)
    finally:
        kill_all([ns])
    execs = {e["pid"]: e for e in t.events("exec")}
    tini_pid = next((p for p, e in execs.items() if e["comm"] == "tini"), None)
    py = next((p for p, e in execs.items() if e.get("ppid") == tini_pid and
               e["comm"].startswith("python")), None)
    kids = {e["pid"] for e in t.events("fork") if e.get("ppid") == py}
    grand = {e["pid"] for e in t.events("fork") if e.get("ppid") in kids}
    reaped = {e["pid"] for e in t.events("reap")}
    orphans = {e["pid"]: e for e in t.events("orphan")}
    s = t.summary or {}
    info("tini %s, python %s, children %s, grandchildren %s; reaps of them by %s" %
         (tini_pid, py, sorted(kids), sorted(grand),
          sorted({(e.get("reaper_comm"), e["how"]) for e in t.events("reap")
                  if e["pid"] in grand})))
    check("tini: the run ended cleanly", rc == 0 and tini_pid and py, (rc, tini_pid, py))
    check("tini: 5 grandchildren were orphaned", len(grand) == 5 and
          all(g in orphans for g in grand), (sorted(grand), sorted(orphans)))
    check("tini: every grandchild was reaped", grand and grand <= reaped,
          sorted(grand - reaped))
    check("tini: no zombie left (lifeline and /proc)",
          s.get("processes", {}).get("zombies_now") == 0 and
          not any(os.path.exists("/proc/%d" % g) for g in grand), s.get("processes"))
    blamed = [z for z in s.get("zombies", []) if z["now"] or z["cause"] != "none"]
    check("tini: healthy, no group is blamed", not blamed, blamed)


# ---- bad input, rules ----------------------------------------------------------------------------

def lifeline_lines(*args, argv=None):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=ROOT) if argv \
        else run_lifeline(*args, timeout=30)
    return p.returncode, [ln for ln in p.stderr.splitlines() if not ln.startswith("libbpf:")]


def test_bad_cgroup_input():
    rc, lines = lifeline_lines("--cgroup", "/" + TAG + "-nonexistent", "-d", "1")
    check("--cgroup that does not exist: exit 2, one line that says so",
          rc == 2 and len(lines) == 1 and "no such cgroup" in lines[0], (rc, lines))
    if CG2:
        rc, lines = lifeline_lines("--cgroup", "cgroup.procs", "-d", "1")
        check("--cgroup that is a file: exit 2, one line that says so",
              rc == 2 and len(lines) == 1 and "not a directory" in lines[0], (rc, lines))
    rc, lines = lifeline_lines("--cgroup", "", "-d", "1")
    check("--cgroup '': exit 2, one line", rc == 2 and len(lines) == 1, (rc, lines))
    rc, lines = lifeline_lines("--cgroup", "a/../..", "-d", "1")
    check("--cgroup with '..': exit 2, one line", rc == 2 and len(lines) == 1, (rc, lines))
    if CG2:
        # A mount namespace without cgroup2: the same binary says it needs one.
        rc, lines = lifeline_lines(argv=["unshare", "--mount", "--propagation", "private", "sh",
                                         "-c", "umount -l %s && exec %s --cgroup / -d 1" %
                                         (CG2, LIFELINE)])
        check("no cgroup2 mounted: exit 2, one line that says cgroup v2 is needed",
              rc == 2 and len(lines) == 1 and "cgroup v2" in lines[0], (rc, lines))


def test_rules_file():
    promtool = shutil.which("promtool")
    rules = os.path.join(ROOT, "examples", "lifeline.rules.yml")
    tests = os.path.join(ROOT, "examples", "lifeline.rules.test.yml")
    if not promtool:
        failed("promtool", "promtool is not installed (apt-get install prometheus)")
        return
    p = subprocess.run([promtool, "check", "rules", rules], capture_output=True, text=True,
                       timeout=60)
    info(p.stdout.strip().replace("\n", " | "))
    check("promtool check rules examples/lifeline.rules.yml", p.returncode == 0,
          p.stdout + p.stderr)
    p = subprocess.run([promtool, "test", "rules", tests], capture_output=True, text=True,
                       timeout=60, cwd=os.path.dirname(tests))
    check("promtool test rules: each alert fires on its series, and only then",
          p.returncode == 0, p.stdout + p.stderr)


if __name__ == "__main__":
    for fn in (test_bad_cgroup_input, test_rules_file, test_fork_failures_at_pids_max,
               test_cgroup_filter, test_cgroup_field_system_wide, test_tini_reaps_orphans):
        run_test(fn)
    finish()
