#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
make bench: what lifeline costs a live workload, side by side with what a user would run instead.

    python3 tests/bench/bench.py [--quick] [--out PATH]

Runs as root, on one machine, in one go. Each case (workload x observer) is a series of traced
runs, each between two untraced ones (alone, traced, alone, ...), so that drift cancels; the
table holds the median traced/untraced rate ratio with a 95% interval and its min-max, the
observer's own CPU time per second of workload (from /proc/PID/stat utime+stime, children
included), its peak RSS (/proc/PID/status VmHWM) and what it lost. Then: lifeline's start-up
time, its CPU at ~1,000 process lifecycles per second, the largest fork/exit rate it follows
with zero loss (default ring buffer), and the BPF programs' own cost (kernel.bpf_stats_enabled
run_time_ns/run_cnt). Writes tests/bench/RESULTS.md. Python 3 standard library only.
"""
import argparse
import datetime
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import lltest  # noqa: E402  (the one harness that runs lifeline)
from lltest import fdinfo_ids, wait_until  # noqa: E402
BUILD = os.path.join(ROOT, "build")
BINS = ("lifeline", "fork_echo", "epoll_echo", "loadgen", "forkstorm", "tests/progs/loop_probe",
        "tests/ll_floor")
FLOOR_OBJ = "tests/floor.bpf.o"	# the empty programs ll_floor loads (data, not a binary)
FLOOR_BTF_OBJ = "tests/floor_btf.bpf.o"	# the same without the tp/syscalls programs
CLK_TCK = os.sysconf("SC_CLK_TCK")

# strace's "process" class plus what the issue names; perf trace gets the same list spelled out.
STRACE_SET = "process,accept,accept4,epoll_wait,epoll_pwait"
PERF_SET = ("clone,clone3,fork,vfork,execve,execveat,exit,exit_group,wait4,waitid,kill,tkill,"
            "tgkill,accept,accept4,epoll_wait,epoll_pwait")

FORK_ECHO_CLIENTS = 4		# connect-per-request clients: keeps fork_echo's accept queue busy
FORKSTORM_PARALLEL = 1		# children in flight: 1 is forkstorm's fastest on 2 vCPUs here
EPOLL_CLIENTS = 32		# keep-alive clients, as the issue says
# One event per epoll_pwait: with 32 clients and the default 64 a wakeup carries ~16 events and
# the loop waits only ~7k times/s; the issue wants a loop that waits well over 50k times/s.
EPOLL_MAXEVENTS = 1

# Syscalls an observer blocks in once it reached its event loop (x86_64 numbers): epoll_wait,
# epoll_pwait (libbpf perf/ring buffer polls), recvfrom/recvmsg (forkstat), poll/ppoll (perf).
LOOP_SYSCALLS = {"epoll": {232, 281, 441}, "recv": {45, 47}, "poll": {7, 271}}

TARGET_RATIO = 0.97
AIM_RATIO = 0.99
TARGET_CPU_PCT = 5.0
TARGET_RSS_MB = 20.0
TARGET_START_S = 0.5


class Config:
    def __init__(self, quick):
        self.quick = quick
        self.runs = 1 if quick else 5
        # Traced runs per case (each between two untraced ones). epoll_echo runs ~12 us per
        # request, so a few-percent effect needs more of them.
        self.extra_epoll_runs = 0 if quick else 2
        self.min_runs = 1 if quick else 3	# when the time budget runs short
        self.dur = 1.0 if quick else 1.5	# seconds of workload per run
        # Other users share this machine: before a run, wait (within a budget) for a moment
        # when it is nearly idle. The wait is bounded so the whole run stays within its limit.
        self.quiet_busy = 0.15			# fraction of all CPUs busy that counts as quiet
        self.quiet_wait = 1.0 if quick else 4.0	# per run
        self.quiet_budget = 10.0 if quick else 75.0	# whole run
        self.soft_limit = 95.0 if quick else 470.0	# past this, cases run min_runs
        self.gap = 0.1 if quick else 0.2	# pause between runs (sockets, reaping settle)
        self.attach_timeout = 30.0
        self.settle = 0.05			# after an observer reached its event loop
        self.pace_secs = 2.0 if quick else 4.0
        self.idle_secs = 1.0 if quick else 2.0
        # (forkstorm instances, -c each): more instances push the total rate past one storm's
        self.sweep = [(1, 1), (2, 1)] if quick else [(1, 1), (1, 2), (1, 4), (2, 1), (3, 1)]
        self.stats_dur = 1.0 if quick else 2.5


SPAWNED = []	# every long-lived process we start, stopped at exit whatever happens


def popen(*args, **kw):
    p = subprocess.Popen(*args, **kw)
    SPAWNED.append(p)
    return p


def cleanup():
    for p in SPAWNED:
        if p.returncode is None and p.poll() is None:
            try:
                p.send_signal(signal.SIGINT)
                p.wait(3)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                p.kill()
                p.wait()


# Per-call cost of a syscall under each observer, in a separate process: an empty epoll set
# polled with timeout 0 (epoll_wait), and getppid as a syscall nobody hooks.
PERCALL_SCRIPT = r"""
import os, select, sys, time
ep = select.epoll()
n, reps = int(sys.argv[1]), int(sys.argv[2])
def best(f):
    b = float("inf")
    for _ in range(reps):
        t = time.perf_counter_ns()
        for _ in range(n):
            f()
        b = min(b, (time.perf_counter_ns() - t) / n)
    return b
print(best(lambda: ep.poll(0)), best(os.getppid))
"""


def log(msg):
    print(msg, flush=True)


def die(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)


# ---------------------------------------------------------------------------------------------
# /proc helpers

def server_cpu(wl):
    """CPU seconds of a server workload's own process (not its clients), None for others."""
    if not isinstance(wl, ServerWorkload) or not wl.server_pid:
        return None
    return proc_cpu_s(wl.server_pid)


def proc_cpu_s(pid):
    """utime+stime+cutime+cstime of pid in seconds, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rindex(")") + 2:].split()
    # fields[0] is state (field 3); utime is field 14 -> index 11
    return sum(int(x) for x in fields[11:15]) / CLK_TCK


def proc_hwm_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def sum_or_none(vals):
    vals = list(vals)
    if any(v is None for v in vals):
        return None
    return sum(vals)


def cpu_busy_fraction(secs=1.0):
    """Fraction of all CPUs busy over secs (everything, not only us)."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + v[4]
        return idle, sum(v[:8])
    i0, t0 = snap()
    time.sleep(secs)
    i1, t1 = snap()
    return 1.0 - (i1 - i0) / max(1, t1 - t0)


TRACER_COMMS = ("lifeline", "perf", "strace", "forkstat", "bpftrace", "ltrace", "trace-cmd")


def foreign_tracers(mine=()):
    """Tracers running on this machine that are not ours (other users' runs disturb ours)."""
    found = set()
    me = {os.getpid()} | set(mine)
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) in me:
            continue
        comm = read_text("/proc/%s/comm" % d).strip()
        if comm in TRACER_COMMS or comm.endswith("snoop"):
            found.add(comm)
    return found


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def stop_proc(p, sig=signal.SIGINT, timeout=15):
    if p.poll() is None:
        try:
            p.send_signal(sig)
        except ProcessLookupError:
            pass
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        return p.wait()


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def median(v):
    return statistics.median(v) if v else None


def neighbours(before, after, i):
    """Mean of field i of the untraced runs on either side of a traced one: drift between them
    cancels to first order, and neither side is always first. None when either is missing."""
    if before is None or after is None or before[i] is None or after[i] is None:
        return None
    return (before[i] + after[i]) / 2


def median_ci(v, level=0.95, resamples=2000):
    """Bootstrap interval of the median of v (seeded: the same data gives the same interval)."""
    rng = random.Random(1)
    meds = sorted(statistics.median(rng.choices(v, k=len(v))) for _ in range(resamples))
    cut = int(resamples * (1 - level) / 2)
    return meds[cut], meds[resamples - 1 - cut]


# ---------------------------------------------------------------------------------------------
# lifeline's BPF objects, found from its fds (bpftool here cannot show owning pids)

def bpftool_json(args):
    try:
        r = subprocess.run(["bpftool", "-j"] + args, capture_output=True, text=True, timeout=30)
        return json.loads(r.stdout) if r.returncode == 0 and r.stdout.strip() else None
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def lifeline_bss_id(pid):
    for mid in sorted(fdinfo_ids(pid, "map_id")):
        m = bpftool_json(["map", "show", "id", str(mid)])
        if m and m.get("name", "").endswith(".bss"):
            return mid
    return None


def lifeline_counters(bss_id):
    """(sent, dropped) records summed over CPUs and types from lifeline's .bss, or None."""
    d = bpftool_json(["map", "dump", "id", str(bss_id)])
    try:
        secs = d[0]["formatted"]["value"][".bss"]
        vals = {}
        for item in secs:
            vals.update(item)

        def total(x):
            return sum(total(y) for y in x) if isinstance(x, list) else int(x)
        return total(vals["ll_sent"]), total(vals["ll_drops"])
    except (TypeError, KeyError, IndexError, ValueError):
        return None


def prog_stats(ids):
    progs = bpftool_json(["prog", "show"]) or []
    out = {}
    for p in progs:
        if p.get("id") in ids:
            out[p["id"]] = (p.get("name", "?"), p.get("type", "?"),
                            p.get("run_time_ns", 0), p.get("run_cnt", 0))
    return out


# ---------------------------------------------------------------------------------------------
# Workloads

class Workload:
    key = name = unit = ""
    server_pid = None
    last_errors = 0

    def __init__(self, bench):
        self.b = bench

    def start(self):
        pass

    def stop(self):
        pass

    def prepare(self):
        """Returns the pid an observer with -p should attach to for the next run."""
        return self.server_pid

    def run(self, dur):
        """Runs the load for dur seconds; returns the rate."""
        raise NotImplementedError


def pinned_to(cpu):
    """preexec_fn that pins the child to one CPU (None: leave it to the scheduler)."""
    if cpu is None or cpu >= (os.cpu_count() or 1):
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


class ServerWorkload(Workload):
    server = ""
    server_args = []
    server_cpu = loadgen_cpu = None

    def start(self):
        self.proc = popen([self.b.bin(self.server), "-p", "0"] + self.server_args,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          stdin=subprocess.DEVNULL, text=True,
                          preexec_fn=pinned_to(self.server_cpu))
        line = self.proc.stdout.readline()
        m = re.search(r"listening on (\S+):(\d+) pid (\d+)", line)
        if not m:
            stop_proc(self.proc)
            die("%s did not start: %r" % (self.server, line))
        self.port, self.server_pid = int(m.group(2)), int(m.group(3))

    def stop(self):
        stop_proc(self.proc, signal.SIGTERM)

    def alive(self):
        return self.proc.poll() is None

    def loadgen_args(self):
        return []

    def run(self, dur):
        if not self.alive():
            die("%s died" % self.server)
        self.last_errors = 0
        r = subprocess.run([self.b.bin("loadgen"), "-p", str(self.port), "-d", str(dur),
                            "--json"] + self.loadgen_args(),
                           capture_output=True, text=True, timeout=dur + 60,
                           preexec_fn=pinned_to(self.loadgen_cpu))
        for line in r.stdout.splitlines():
            try:
                j = json.loads(line)
            except ValueError:
                continue
            if j.get("type") == "result":
                self.last_errors = j.get("errors", 0)
                return j.get("requests_per_s")
        return None


class ForkEcho(ServerWorkload):
    key, name, unit = "fork_echo", "fork_echo, connect per request", "connections/s"
    item = "connection"
    server = "fork_echo"

    def loadgen_args(self):
        return ["--connect-per-request", "-c", str(FORK_ECHO_CLIENTS)]

    def describe(self):
        return ("`fork_echo` (a forked child per connection, SIGCHLD reaper) with `loadgen "
                "--connect-per-request -c %d`" % FORK_ECHO_CLIENTS)


class EpollEcho(ServerWorkload):
    key, name, unit = "epoll_echo", "epoll_echo, 32 keep-alive clients", "requests/s"
    item = "request"
    server = "epoll_echo"
    server_args = ["--maxevents", str(EPOLL_MAXEVENTS)]
    # Unpinned, this rate has modes 2.5x apart (server and load generator on one vCPU or on
    # two), and runs that straddle two modes swamp a few-percent effect. Pinned apart it
    # holds one mode, the one of a server whose clients are elsewhere.
    server_cpu, loadgen_cpu = 0, 1

    def loadgen_args(self):
        return ["-c", str(EPOLL_CLIENTS)]

    def describe(self):
        return ("`epoll_echo --maxevents %d` (one epoll loop, one event per `epoll_pwait`, so "
                "it waits once per request) on CPU 0 with `loadgen -c %d` keep-alive clients "
                "on CPU 1" % (EPOLL_MAXEVENTS, EPOLL_CLIENTS))


class ForkStorm(Workload):
    """forkstorm behind a gate, so that strace -p can attach before it forks anything."""
    key, name, unit = "forkstorm", "forkstorm fork/exit storm", "processes/s"
    item = "process"

    def __init__(self, bench, parallel=FORKSTORM_PARALLEL):
        super().__init__(bench)
        self.parallel = parallel
        self.gate = None

    def describe(self):
        return "`forkstorm -c %d` (fork, `_exit(0)`, blocking `waitpid`)" % self.parallel

    def prepare(self):
        # The gate shell reads the duration, then execs forkstorm in place (same pid).
        self.gate = popen(
            ["/bin/sh", "-c", 'read d && exec "$@" -d "$d"', "gate", self.b.bin("forkstorm"),
             "-c", str(self.parallel), "--json"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.server_pid = self.gate.pid
        return self.gate.pid

    def run(self, dur):
        g, self.gate = self.gate, None
        out, _ = g.communicate("%g\n" % dur, timeout=dur + 120)
        for line in out.splitlines():
            try:
                j = json.loads(line)
            except ValueError:
                continue
            if j.get("type") == "result":
                return j.get("processes_per_s")
        return None


# ---------------------------------------------------------------------------------------------
# Observers. start() returns when attached; cpu()/rss_kb() cover every process of the observer;
# stop() stops them with SIGINT, reaps them (keeping their rusage) and returns (lost, records).

def exited(p):
    """Whether p has exited, without reaping it (its /proc/PID/stat and rusage stay readable)."""
    if p.returncode is not None:
        return True
    try:
        return os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def in_syscall(pid, numbers):
    """Whether pid is blocked in one of the syscalls numbers (per /proc/PID/syscall)."""
    first = read_text("/proc/%d/syscall" % pid).split(" ", 1)[0].strip()
    return first.isdigit() and int(first) in numbers


class Observer:
    key = name = output = lost_src = ""
    attach = "blocked in its event loop's wait"

    def __init__(self, bench):
        self.b = bench
        self.procs = []
        self.startup_s = None

    def available(self):
        return None	# None when usable, else why not

    def pids(self):
        return [p.pid for p in self.procs]

    def cpu(self):
        return sum_or_none(proc_cpu_s(p) for p in self.pids())

    def rss_kb(self):
        """Peak RSS so far: VmHWM summed over the observer's processes (None if one is gone)."""
        return sum_or_none(proc_hwm_kb(p) for p in self.pids())

    def watch_rss(self):
        """Samples rss_kb() every 50 ms until the returned stop() is called; stop() returns the
        peak seen. An observer that exits by itself (strace when its tracee exits) keeps the
        peak it had while alive (ru_maxrss would also count the pre-exec fork of bench.py)."""
        peak = [0]
        done = threading.Event()

        def sample():
            v = self.rss_kb()
            if v is not None and v > peak[0]:
                peak[0] = v

        def loop():
            while not done.wait(0.05):
                sample()
        t = threading.Thread(target=loop, daemon=True)
        sample()
        t.start()

        def stop():
            sample()
            done.set()
            t.join()
            return peak[0] or None
        return stop

    def spawn(self, cmd, stdout, stderr):
        p = popen(cmd, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def check_alive(self):
        for p in self.procs:
            if exited(p):
                return "exited early"
        return None

    def wait_in_loop(self, numbers, t0):
        """Attached = every process blocked in its loop's wait on two polls in a row."""
        streak = 0
        end = time.monotonic() + self.b.cfg.attach_timeout
        while time.monotonic() < end:
            if self.check_alive():
                return "exited before attaching"
            if all(in_syscall(p.pid, numbers) for p in self.procs):
                streak += 1
                if streak >= 2:
                    self.startup_s = time.monotonic() - t0
                    time.sleep(self.b.cfg.settle)
                    return None
            else:
                streak = 0
            time.sleep(0.005)
        return "did not reach its event loop in %.0f s" % self.b.cfg.attach_timeout

    def stop_all(self):
        for p in self.procs:
            if p.returncode is None:
                try:
                    p.send_signal(signal.SIGINT)
                except ProcessLookupError:
                    pass
        for p in self.procs:
            if p.returncode is not None:
                continue
            end = time.monotonic() + 15
            killed = False
            while True:
                try:
                    pid, status, _ = os.wait4(p.pid, os.WNOHANG)
                except ChildProcessError:
                    p.returncode = -1
                    break
                if pid:
                    p.returncode = os.waitstatus_to_exitcode(status)
                    break
                if not killed and time.monotonic() > end:
                    p.kill()
                    killed = True
                time.sleep(0.005)

    def before_stop(self):
        pass

    def fail(self, why, errfile=None):
        self.stop_all()
        tail = read_text(errfile).strip()[-200:] if errfile else ""
        return why + (": " + tail if tail else "")


class Lifeline(Observer):
    key, name = "lifeline", "lifeline (summary, --loops sched)"
    output = "`--json` summaries to a file (for `lost`)"
    lost_src = "`lost` of its final JSON summary"
    attach = "its `attached in N us` line (-v)"
    events = False

    def args(self):
        return ["--json"]

    def start(self, target_pid):
        self.out = self.b.tmp("ll-out")
        stdout = open(os.devnull, "w") if self.events else open(self.out, "w")
        self.ll = lltest.Lifeline(*self.args(), exe=self.b.bin("lifeline"), stdout=stdout,
                                  attach_timeout=self.b.cfg.attach_timeout)
        t0 = time.monotonic()
        try:
            self.ll.start()
        except lltest.LifelineError as e:
            return self.fail(str(e))
        finally:
            if self.ll.proc:
                SPAWNED.append(self.ll.proc)
                self.procs.append(self.ll.proc)
        if self.ll.attach_us is None:
            return self.fail("no `attached in N us` line: %s" % self.ll.stderr_lines[-1:])
        self.startup_s = self.ll.attached_at - t0
        self.self_attach_us = self.ll.attach_us
        self.b.startups.append((self.startup_s, self.self_attach_us))
        self.bss = lifeline_bss_id(self.ll.proc.pid) if self.events else None
        return None

    def before_stop(self):
        self.counters = lifeline_counters(self.bss) if self.bss else None

    def stop(self):
        self.stop_all()
        self.summary = None
        if self.events:
            if self.counters:
                return self.counters[1], self.counters[0]
            return None, None
        for line in read_text(self.out).splitlines():
            try:
                j = json.loads(line)
            except ValueError:
                continue
            if j.get("type") == "summary":
                self.summary = j
        if not self.summary:
            return None, None
        return self.summary.get("lost"), self.summary.get("events")


class LifelineCalls(Lifeline):
    key, name = "lifeline-calls", "lifeline --loops calls (summary)"
    output = "`--json` summaries to a file (for `lost`)"

    def args(self):
        return ["--json", "--loops", "calls"]


class EpollFloor(Observer):
    """An empty bpftrace program on the waits' exit tracepoints: what any per-call design on a
    syscall tracepoint costs before its body does anything."""
    key, name = "floor", "empty program on sys_exit_epoll_wait* (bpftrace)"
    output = "none"
    attach = "its `Attaching N probes` line"

    def available(self):
        return None if shutil.which("bpftrace") else "bpftrace not installed"

    def start(self, target_pid):
        self.err = self.b.tmp("bpftrace-out")
        prog = ("tracepoint:syscalls:sys_exit_epoll_wait,tracepoint:syscalls:sys_exit_epoll_pwait"
                " {}")
        p = self.spawn(["bpftrace", "-e", prog], open(self.err, "w"), subprocess.STDOUT)
        if not wait_until(lambda: "Attaching" in read_text(self.err) or exited(p),
                          self.b.cfg.attach_timeout, 0.005) or exited(p):
            return self.fail("did not attach", self.err)
        time.sleep(0.2)	# "Attaching" is printed just before the attach itself
        return None

    def stop(self):
        self.stop_all()
        return None, None


class HookFloor(Observer):
    """Empty programs on every hook lifeline's default mode attaches, of the same kinds (tp_btf,
    tp/syscalls): the price of the hooks themselves. lifeline above this row is its bodies."""
    key, name = "hook-floor", "empty programs on lifeline's hooks (the floor)"
    output = "none"
    lost_src = "none possible: the programs record nothing"
    attach = "its `attached N programs` line"
    obj = FLOOR_OBJ

    def start(self, target_pid):
        self.out = self.b.tmp("floor-out")
        t0 = time.monotonic()
        p = self.spawn([self.b.bin("ll_floor"), self.b.bin(self.obj)], open(self.out, "w"),
                       subprocess.STDOUT)
        if not wait_until(lambda: "attached" in read_text(self.out) or exited(p),
                          self.b.cfg.attach_timeout, 0.005) or exited(p):
            return self.fail("did not attach", self.out)
        self.startup_s = time.monotonic() - t0
        return None

    def stop(self):
        self.stop_all()
        return None, None


class HookFloorBtf(HookFloor):
    """The floor without its tp/syscalls programs: the tp_btf hooks alone leave unhooked
    syscalls on the fast path; the difference to HookFloor is the slow path's price."""
    key, name = "hook-floor-btf", "the floor's tp_btf programs only"
    obj = FLOOR_BTF_OBJ


class LifelineEvents(Lifeline):
    key, name = "lifeline-e", "lifeline --events --json"
    output = "`/dev/null` (lost read from its BPF counters)"
    lost_src = "its BPF drop counters (`ll_drops` in .bss, read with bpftool before SIGINT)"
    events = True

    def args(self):
        return ["--events", "--json"]


class Snoops(Observer):
    key, name = "snoops", "exitsnoop + execsnoop"
    output = "files on tmpfs (for `lost` warnings)"
    lost_src = "`Lost N events on CPU` warnings on stderr"
    attach = "both blocked in `epoll_wait` (perf buffer poll)"

    def available(self):
        if not (self.b.tools.get("exitsnoop") and self.b.tools.get("execsnoop")):
            return "libbpf-tools exitsnoop/execsnoop not found"
        return None

    def start(self, target_pid):
        self.files = []
        t0 = time.monotonic()
        for tool in ("exitsnoop", "execsnoop"):
            out, err = self.b.tmp(tool + "-out"), self.b.tmp(tool + "-err")
            self.files.append((out, err))
            self.spawn([self.b.tools[tool]], open(out, "w"), open(err, "w"))
        why = self.wait_in_loop(LOOP_SYSCALLS["epoll"], t0)
        return self.fail(why, self.files[-1][1]) if why else None

    def stop(self):
        self.stop_all()
        lost = 0
        for _, err in self.files:
            for m in re.finditer(r"[Ll]ost (\d+) events", read_text(err)):
                lost += int(m.group(1))
        return lost, None


class Forkstat(Observer):
    key, name = "forkstat", "forkstat -e all"
    output = "file on tmpfs (to count `nobufs`)"
    lost_src = "`nobufs` (netlink receive overrun) lines"
    attach = "blocked in `recvfrom` on its netlink socket"

    def available(self):
        return None if self.b.tools.get("forkstat") else "forkstat not found"

    def start(self, target_pid):
        self.out, self.err = self.b.tmp("forkstat-out"), self.b.tmp("forkstat-err")
        t0 = time.monotonic()
        self.spawn([self.b.tools["forkstat"], "-e", "all"], open(self.out, "w"),
                   open(self.err, "w"))
        why = self.wait_in_loop(LOOP_SYSCALLS["recv"], t0)
        return self.fail(why, self.err) if why else None

    def stop(self):
        self.stop_all()
        n = len(re.findall(r"nobufs", read_text(self.out)))
        return n, None


class Strace(Observer):
    key, name = "strace", "strace -f -p SERVER"
    output = "`-o /dev/null`"
    lost_src = "none possible: ptrace stops the tracee until strace is done"
    attach = "its `Process N attached` line"

    def available(self):
        return None if self.b.tools.get("strace") else "strace not found"

    def start(self, target_pid):
        self.err = self.b.tmp("strace-err")
        t0 = time.monotonic()
        self.spawn([self.b.tools["strace"], "-f", "-o", "/dev/null", "-e", "trace=" + STRACE_SET,
                    "-p", str(target_pid)], subprocess.DEVNULL, open(self.err, "w"))
        ok = wait_until(lambda: "attached" in read_text(self.err) or self.check_alive(),
                        self.b.cfg.attach_timeout, 0.005)
        if ok is not True:
            return self.fail("did not attach (%s)" % (ok or "timeout"), self.err)
        self.startup_s = time.monotonic() - t0
        return None

    def check_alive(self):
        return None	# strace -p ends by itself when its tracee (forkstorm) exits

    def stop(self):
        self.stop_all()
        return 0, None


class PerfTrace(Observer):
    key, name = "perf", "perf trace -a (same syscalls)"
    output = "`-o` file on tmpfs (to count `LOST`)"
    lost_src = "`LOST N events!` lines"
    attach = "blocked in `poll` (its event loop)"

    def available(self):
        return self.b.perf_trace_problem

    def start(self, target_pid):
        self.out, self.err = self.b.tmp("perf-out"), self.b.tmp("perf-err")
        t0 = time.monotonic()
        self.spawn([self.b.tools["perf"], "trace", "-a", "-o", self.out, "-e", PERF_SET],
                   subprocess.DEVNULL, open(self.err, "w"))
        why = self.wait_in_loop(LOOP_SYSCALLS["poll"], t0)
        return self.fail(why, self.err) if why else None

    def stop(self):
        self.stop_all()
        text = read_text(self.out) + read_text(self.err)
        lost = sum(int(x) for x in re.findall(r"LOST (\d+) events", text))
        return lost, None


OBSERVERS = [HookFloor, Lifeline, LifelineCalls, LifelineEvents, Snoops, Forkstat, Strace, PerfTrace]


# ---------------------------------------------------------------------------------------------

class Case:
    def __init__(self, wl, obs):
        self.wl, self.obs = wl, obs
        self.base, self.traced, self.ratios = [], [], []
        self.cpu, self.rss, self.lost, self.notes, self.startup = [], [], [], [], []
        self.extra = []		# per traced run: e.g. epoll_wait/s
        self.srv_cpu = []	# per traced run: (server CPU us per item untraced, traced)
        self.records = []	# per traced run: what lifeline sent
        self.foreign = 0	# traced runs during which someone else's tracer was running
        self.noisy = 0		# traced runs started while the machine was busy with others' work
        self.error = None


class Bench:
    def __init__(self, cfg, out_path):
        self.cfg = cfg
        self.out_path = out_path
        self.startups = []
        self.foreign = set()
        self.quiet_spent = 0.0
        self.t_start = time.monotonic()
        self.work = tempfile.mkdtemp(prefix="lifeline-bench-",
                                     dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
        self.bindir = os.path.join(self.work, "bin")
        os.mkdir(self.bindir)
        self.ntmp = 0

    def tmp(self, name):
        self.ntmp += 1
        return os.path.join(self.work, "%04d-%s" % (self.ntmp, name))

    def bin(self, name):
        return os.path.join(self.bindir, os.path.basename(name))

    # --- setup -------------------------------------------------------------------------------
    def copy_bins(self):
        for b in BINS + (FLOOR_OBJ, FLOOR_BTF_OBJ):
            shutil.copy2(os.path.join(BUILD, b), self.bin(b))

    def setup(self):
        if os.geteuid() != 0:
            die("needs root (lifeline and the other tracers load BPF / use ptrace)")
        # Private copies: others may rebuild build/ while we measure.
        for b in BINS:
            if not os.access(os.path.join(BUILD, b), os.X_OK):
                die("%s missing: run make first" % os.path.join(BUILD, b))
        for o in (FLOOR_OBJ, FLOOR_BTF_OBJ):
            if not os.access(os.path.join(BUILD, o), os.R_OK):
                die("%s missing: run make bench" % os.path.join(BUILD, o))
        self.copy_bins()
        # /dev/shm may be noexec; fall back to a private dir under /tmp for the binaries.
        if subprocess.run([self.bin("forkstorm"), "-n", "1"], capture_output=True).returncode:
            self.bindir = tempfile.mkdtemp(prefix="lifeline-bench-bin-")
            self.copy_bins()
        self.tools = {}
        libbpf = sh(["dpkg", "-L", "libbpf-tools"]).splitlines()
        for tool in ("exitsnoop", "execsnoop"):
            cands = [p for p in libbpf if os.path.basename(p).endswith(tool)
                     and os.access(p, os.X_OK) and not os.path.isdir(p)]
            cands.sort(key=lambda p: (os.path.basename(p) != tool, len(p)))
            self.tools[tool] = cands[0] if cands else shutil.which(tool)
        for tool in ("forkstat", "strace", "perf"):
            self.tools[tool] = shutil.which(tool)
        self.perf_trace_problem = None
        if not self.tools["perf"]:
            self.perf_trace_problem = "perf not installed"
        else:
            r = subprocess.run([self.tools["perf"], "trace", "-e", "exit_group", "--", "true"],
                               capture_output=True, text=True, timeout=60)
            if r.returncode != 0:
                self.perf_trace_problem = ("`perf trace` does not run on this kernel: %s"
                                           % (r.stderr.strip().splitlines() or ["?"])[-1])
        self.machine = self.machine_info()

    def machine_info(self):
        cpu = "?"
        flags = ""
        for line in read_text("/proc/cpuinfo").splitlines():
            if line.startswith("model name") and cpu == "?":
                cpu = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = line
        mem = 0
        for line in read_text("/proc/meminfo").splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // 1024
        m = re.search(r"Hypervisor detected: (\S+)", sh(["dmesg"]))
        vm = m.group(1) if m else sh(["systemd-detect-virt", "--vm"])
        if not vm or vm == "none":
            vm = "yes (CPU hypervisor flag)" if " hypervisor" in flags else "no"
        virt = "VM: " + vm
        ct = sh(["systemd-detect-virt", "--container"])
        if ct and ct != "none":
            virt += "; container: " + ct
        cs = read_text("/sys/devices/system/clocksource/clocksource0/current_clocksource").strip()
        if cs:
            virt += "; clocksource " + cs
        vers = {}
        for pkg in ("libbpf-tools", "forkstat", "strace", "linux-perf", "libbpf1"):
            vers[pkg] = sh(["dpkg-query", "-W", "-f", "${Version}", pkg]) or "-"
        vers["lifeline"] = sh([self.bin("lifeline"), "--version"]) or "?"
        log("measuring background load for 1 s ...")
        busy = cpu_busy_fraction(1.0)
        return {"cpu": cpu, "ncpu": os.cpu_count(), "kernel": platform.release(),
                "mem_mb": mem, "virt": virt, "versions": vers, "busy_before": busy,
                "clocksource": cs or "?",
                "date": datetime.datetime.now(datetime.timezone.utc)
                .strftime("%Y-%m-%d %H:%M UTC"),
                "loadavg": read_text("/proc/loadavg").split()[:3]}

    def wait_quiet(self):
        """Waits until the machine is nearly idle (others' jobs) or the wait budget is spent.
        Returns the busy fraction of the last 0.25 s window."""
        cfg = self.cfg
        t0 = time.monotonic()
        while True:
            busy = cpu_busy_fraction(0.25)
            waited = time.monotonic() - t0
            if busy <= cfg.quiet_busy or waited >= cfg.quiet_wait or \
                    self.quiet_spent + waited >= cfg.quiet_budget:
                self.quiet_spent += waited
                return busy

    # --- one case: traced runs between untraced ones -----------------------------------------
    def run_case(self, case, idx, total):
        cfg = self.cfg
        wl, obs = case.wl, case.obs
        tag = "[%d/%d] %s × %s" % (idx, total, wl.key, obs.key)
        why = obs.available()
        if why:
            case.error = why
            log("%s: skipped (%s)" % (tag, why))
            return
        runs = cfg.runs + (cfg.extra_epoll_runs if isinstance(wl, EpollEcho) else 0)
        if time.monotonic() - self.t_start > cfg.soft_limit:
            runs = cfg.min_runs
        self.wait_quiet()
        before = self.baseline(case)
        for i in range(runs):
            busy = self.wait_quiet()
            log("%s: traced run %d/%d (machine %.0f%% busy before) ..." % (tag, i + 1, runs,
                                                                       100 * busy))
            if busy > cfg.quiet_busy:
                case.noisy += 1
            foreign = foreign_tracers()
            target = wl.prepare()
            obs.procs = []
            err = obs.start(target)
            if err:
                case.error = err
                log("%s: %s" % (tag, err))
                if isinstance(wl, ForkStorm) and wl.gate:
                    stop_proc(wl.gate, signal.SIGKILL)
                    wl.gate = None
                return
            rss_stop = obs.watch_rss()
            c0, t0 = obs.cpu(), time.monotonic()
            s2 = server_cpu(wl)
            traced = wl.run(cfg.dur)
            s3 = server_cpu(wl)
            c1, t1 = obs.cpu(), time.monotonic()
            if wl.last_errors:
                case.notes.append("loadgen saw %d failed requests in traced run %d"
                                  % (wl.last_errors, i + 1))
            rss = rss_stop()
            foreign |= foreign_tracers(obs.pids())
            alive = obs.check_alive()
            obs.before_stop()
            lost, records = obs.stop()
            if isinstance(obs, Lifeline) and not obs.events and obs.summary and \
                    isinstance(wl, EpollEcho):
                for lp in obs.summary.get("loops", []):
                    if lp.get("pid") == wl.server_pid:
                        case.extra.append((lp.get("wakeups", 0) + lp.get("timeouts", 0)) /
                                          (t1 - t0))
            if alive and "observer " + alive not in case.notes:
                case.notes.append("observer " + alive + " during a traced run")
            time.sleep(cfg.gap)
            self.wait_quiet()
            after = self.baseline(case)
            base = neighbours(before, after, 0)
            bcpu = neighbours(before, after, 1)
            before = after
            if base is None or traced is None:
                case.notes.append("a run reported no rate")
                log("%s: run %d: no rate (baselines %s, traced %s)" % (tag, i + 1, base, traced))
                continue
            if bcpu is not None and s2 is not None and s3 is not None:
                case.srv_cpu.append((bcpu, 1e6 * (s3 - s2) / (traced * cfg.dur)))
            if foreign:
                case.foreign += 1
                self.foreign |= foreign
            case.traced.append(traced)
            case.ratios.append(traced / base)
            if c0 is not None and c1 is not None:
                case.cpu.append((c1 - c0) / (t1 - t0))
            if rss is not None:
                case.rss.append(rss)
            case.lost.append(lost)
            case.startup.append(obs.startup_s)
            if records is not None:
                case.records.append(records)
            log("%s: run %d/%d: baselines %.0f, traced %.0f %s -> ratio %.3f, observer CPU "
                "%.1f%%, RSS %.1f MB, lost %s" % (tag, i + 1, runs, base, traced, wl.unit,
                                                  traced / base,
                                                  100 * case.cpu[-1] if case.cpu else
                                                  float("nan"), (rss or 0) / 1024, lost))

    def baseline(self, case):
        """One untraced run: (rate, server CPU us per item or None), or None without a rate."""
        wl, dur = case.wl, self.cfg.dur
        wl.prepare()
        s0 = server_cpu(wl)
        rate = wl.run(dur)
        s1 = server_cpu(wl)
        time.sleep(self.cfg.gap)
        if not rate:
            return None
        case.base.append(rate)
        cpu = 1e6 * (s1 - s0) / (rate * dur) if None not in (s0, s1) else None
        return (rate, cpu)

    # --- extras ------------------------------------------------------------------------------
    def paced_lifecycles(self, rate, secs):
        """forkstorm chunks on a fixed tick: ~rate lifecycles/s. Returns the achieved rate."""
        tick = 0.1
        chunk = max(1, int(round(rate * tick)) - 1)	# the forkstorm process is one more
        n = 0
        t0 = time.monotonic()
        nxt = t0
        while time.monotonic() - t0 < secs:
            r = subprocess.run([self.bin("forkstorm"), "-n", str(chunk), "--json"],
                               capture_output=True, text=True)
            m = re.search(r'"processes":(\d+)', r.stdout)
            n += (int(m.group(1)) if m else 0) + 1
            nxt += tick
            d = nxt - time.monotonic()
            if d > 0:
                time.sleep(d)
        return n / (time.monotonic() - t0)

    def run_paced_cpu(self, results):
        for cls in (Lifeline, LifelineEvents):
            obs = cls(self)
            self.wait_quiet()
            log("[extra] lifeline CPU at ~1,000 lifecycles/s: %s ..." % obs.name)
            err = obs.start(None)
            if err:
                results.append((obs.name, None, None, None, None, err, None))
                continue
            ci, ti = obs.cpu(), time.monotonic()
            time.sleep(self.cfg.idle_secs)
            c0, t0 = obs.cpu(), time.monotonic()
            idle = (c0 - ci) / (t0 - ti)
            rate = self.paced_lifecycles(1000, self.cfg.pace_secs)
            c1, t1 = obs.cpu(), time.monotonic()
            rss = obs.rss_kb()
            obs.before_stop()
            lost, _ = obs.stop()
            cpu = (c1 - c0) / (t1 - t0)
            results.append((obs.name, rate, cpu, rss, lost, None, idle))
            log("[extra]   %.0f lifecycles/s, lifeline CPU %.2f%% of a core (idle %.2f%%), "
                "RSS %.1f MB, lost %s" % (rate, 100 * cpu, 100 * idle, rss / 1024, lost))

    def storms(self, n, parallel, dur):
        """n forkstorms at once; returns their summed processes/s (None if one failed)."""
        procs = [popen([self.bin("forkstorm"), "-c", str(parallel), "-d", str(dur), "--json"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                 for _ in range(n)]
        total = 0.0
        for p in procs:
            out, _ = p.communicate(timeout=dur + 120)
            m = re.search(r'"processes_per_s":([0-9.]+)', out)
            if not m:
                return None
            total += float(m.group(1))
        return total

    def run_sweep(self, results):
        for n, c in self.cfg.sweep:
            label = "%d × forkstorm -c %d" % (n, c)
            obs = LifelineEvents(self)
            self.wait_quiet()
            log("[extra] zero-loss sweep: %s under lifeline --events --json ..." % label)
            err = obs.start(None)
            if err:
                results.append((label, None, None, None, err))
                continue
            rate = self.storms(n, c, self.cfg.dur)
            obs.before_stop()
            lost, _ = obs.stop()
            results.append((label, rate, lost, obs.counters[0] if obs.counters else None, None))
            log("[extra]   %s: %.0f processes/s, lost %s" % (label, rate or 0, lost))
            time.sleep(self.cfg.gap)

    def run_percall(self):
        """Best-of ns per epoll_wait (timeout 0, a C loop) and per getppid: untraced, an empty
        program on the waits' exit tracepoints (the floor of a per-call design), the empty
        programs on lifeline's hooks with and without their tp/syscalls ones (the slow path's
        price), lifeline in each --loops mode, exitsnoop+execsnoop (whose execve tracepoint puts
        every syscall on the tracing slow path)."""
        res = {}
        rounds = 1 if self.cfg.quick else 2
        for _ in range(rounds):
            for cls in (None, EpollFloor, HookFloorBtf, HookFloor, Lifeline, LifelineCalls,
                        Snoops):
                obs = cls(self) if cls else None
                name = obs.name if obs else "none"
                if obs and obs.available():
                    continue
                self.wait_quiet()
                log("[extra] per-call cost: epoll_wait and getppid, %s ..." % name)
                if obs and obs.start(None):
                    continue
                r = subprocess.run([self.bin("loop_probe"), "poll0", "300000", "7"],
                                   capture_output=True, text=True, timeout=120)
                if obs:
                    obs.stop()
                try:
                    ep, gp = (float(x) for x in r.stdout.split())
                except ValueError:
                    continue
                old = res.get(name, (float("inf"), float("inf")))
                res[name] = (min(old[0], ep), min(old[1], gp))
                log("[extra]   epoll_wait %.0f ns, getppid %.0f ns" % (ep, gp))
        return res

    def stats_of(self, ids, wl):
        """Per program (name, type, runs/s, ns/run, core share) over one run of wl, and its
        rate; bpf_stats must be on."""
        wl.prepare()
        s0, t0 = prog_stats(ids), time.monotonic()
        rate = wl.run(self.cfg.stats_dur)
        s1, t1 = prog_stats(ids), time.monotonic()
        rows = []
        for pid_, (name, typ, ns1, cnt1) in s1.items():
            name0, _, ns0, cnt0 = s0.get(pid_, (name, typ, 0, 0))
            cnt, ns = cnt1 - cnt0, ns1 - ns0
            if cnt > 0:
                rows.append((name, typ, cnt / (t1 - t0), ns / cnt, ns / (t1 - t0) / 1e9))
        rows.sort(key=lambda r: -r[4])
        return rate, rows

    def run_floor_stats(self, wl, path, old):
        """ns/run of the empty program on each of lifeline's hooks, under wl: by lifeline's
        program name (floor_X is ll_X's twin)."""
        obs = HookFloor(self)
        if obs.start(None):
            return {}
        try:
            with open(path, "w") as f:
                f.write("1\n")
            _, rows = self.stats_of(fdinfo_ids(obs.procs[0].pid, "prog_id"), wl)
        finally:
            with open(path, "w") as f:
                f.write(old + "\n")
            obs.stop()
        return {"ll_" + r[0][len("floor_"):]: r[3] for r in rows if r[0].startswith("floor_")}

    def run_bpf_stats(self, workloads, results):
        path = "/proc/sys/kernel/bpf_stats_enabled"
        old = read_text(path).strip() or "0"
        self.floor_stats = {}
        try:
            for wl in workloads:
                self.wait_quiet()
                log("[extra] BPF program profile: %s under the empty programs ..." % wl.key)
                self.floor_stats[wl.key] = self.run_floor_stats(wl, path, old)
                obs = Lifeline(self)
                self.wait_quiet()
                log("[extra] BPF program profile: %s under lifeline (system-wide) ..." % wl.key)
                err = obs.start(None)
                if err:
                    results.append((wl, None, None, err))
                    continue
                ids = obs.ll.ids
                with open(path, "w") as f:
                    f.write("1\n")
                rate, rows = self.stats_of(ids, wl)
                with open(path, "w") as f:
                    f.write(old + "\n")
                obs.before_stop()
                obs.stop()
                results.append((wl, rate, rows, None if ids else "no program ids found"))
                log("[extra]   %d programs ran; total %.2f%% of a core in BPF" %
                    (len(rows), 100 * sum(r[4] for r in rows)))
        finally:
            with open(path, "w") as f:
                f.write(old + "\n")

    # --- everything --------------------------------------------------------------------------
    def run(self):
        self.setup()
        wls = [ForkEcho(self), ForkStorm(self), EpollEcho(self)]
        cases = [Case(w, o(self)) for w in wls for o in OBSERVERS]
        log("lifeline bench (%s): %d cases x %d traced run(s) x %.1f s; CPU %s, %d vCPUs, "
            "kernel %s; background load %.0f%% of all CPUs" %
            ("quick" if self.cfg.quick else "full", len(cases), self.cfg.runs, self.cfg.dur,
             self.machine["cpu"], self.machine["ncpu"], self.machine["kernel"],
             100 * self.machine["busy_before"]))
        idx = 0
        for w in wls:
            w.start()
            try:
                w.prepare()
                w.run(min(1.0, self.cfg.dur))	# warm-up, not recorded
                for c in cases:
                    if c.wl is w:
                        idx += 1
                        self.run_case(c, idx, len(cases))
            finally:
                w.stop()
        paced, sweep, stats = [], [], []
        self.run_paced_cpu(paced)
        self.run_sweep(sweep)
        percall = self.run_percall()
        for w in wls:
            w.start()
        try:
            self.run_bpf_stats(wls, stats)
        finally:
            for w in wls:
                w.stop()
        self.machine["busy_after"] = cpu_busy_fraction(1.0)
        self.elapsed = time.monotonic() - self.t_start
        text = self.report(wls, cases, paced, sweep, stats, percall)
        with open(self.out_path, "w") as f:
            f.write(text)
        log("wrote %s in %.0f s total" % (os.path.relpath(self.out_path, ROOT), self.elapsed))
        shutil.rmtree(self.work, ignore_errors=True)

    # --- report ------------------------------------------------------------------------------
    def report(self, wls, cases, paced, sweep, stats, percall):
        m, cfg = self.machine, self.cfg
        L = []
        a = L.append
        a("# lifeline benchmark results")
        a("")
        a("Generated by `make bench%s` (`tests/bench/bench.py%s`) on %s; the whole run took %.0f s."
          % (" QUICK=1" if cfg.quick else "", " --quick" if cfg.quick else "", m["date"],
             self.elapsed))
        if cfg.quick:
            a("**Quick mode**: one traced run of %.1f s per case, so ratios are rough." % cfg.dur)
        a("")
        a("## Machine")
        a("")
        a("| | |")
        a("|---|---|")
        a("| CPU | %s |" % m["cpu"])
        a("| cores | %d vCPUs (epoll_echo's server pinned to CPU 0 and its load generator to "
          "CPU 1; everything else, observers included, left to the scheduler) |"
          % m["ncpu"])
        a("| kernel | %s |" % m["kernel"])
        a("| memory | %d MB |" % m["mem_mb"])
        a("| virtualization | %s |" % m["virt"])
        a("| date | %s |" % m["date"])
        a("| other load | %.0f%% of all CPUs busy just before the run, %.0f%% just after "
          "(load average %s)%s |" % (100 * m["busy_before"], 100 * m["busy_after"],
                                     " ".join(m["loadavg"]),
                                     "; other users' tracers seen running during the bench: "
                                     + ", ".join(sorted(self.foreign)) if self.foreign else ""))
        v = m["versions"]
        a("| versions | %s; libbpf-tools %s; forkstat %s; strace %s; perf %s |" %
          (v["lifeline"], v["libbpf-tools"], v["forkstat"], v["strace"], v["linux-perf"]))
        a("")
        a("## Method")
        a("")
        a("- Each case runs the workload %d time(s) (%d for epoll_echo) for %.1f s with the "
          "observer attached, each between two untraced runs of %.1f s (alone, traced, alone, "
          "traced, ..., alone). A traced run's ratio is its rate / the mean rate of the two "
          "untraced runs beside it, so drift between them cancels to first order and neither "
          "kind of run always comes first. The table gives the median ratio with a 95%% "
          "bootstrap interval of that median (the spread this shared VM leaves in it) and the "
          "min–max, and the median rates." %
          (cfg.runs, cfg.runs + cfg.extra_epoll_runs, cfg.dur, cfg.dur))
        a("- Workloads, all on loopback, load generators as separate processes:")
        for w in wls:
            a("  - **%s** (%s): %s." % (w.key, w.unit, w.describe()))
        a("- Observer CPU = its utime+stime (+ reaped children) from `/proc/PID/stat` over the "
          "traced run, divided by the run's wall time: %% of one core per second of workload "
          "(clock-tick resolution: 10 ms per run of %.1f s = %.1f%%). BPF programs run in the "
          "traced tasks' context, so their cost shows up in the workload's rate (and in the BPF "
          "profile below), not in this column. Peak RSS is `VmHWM`, sampled every 50 ms "
          "during the traced run, summed over the observer's processes, max over the traced runs."
          % (cfg.dur, 1.0 / cfg.dur))
        a("- strace attaches with `-f -p` to the server (for forkstorm, to a gate shell that then "
          "execs forkstorm, so the whole storm is traced). perf trace runs system-wide (`-a`) on "
          "`%s` (strace's `process` class plus accept and epoll waits), like lifeline and the "
          "snoops." % PERF_SET)
        a("- A traced run starts only once its observer is attached; observers are stopped with "
          "SIGINT after it. The start-up column is launch → attached as detected below.")
        a("- This VM is shared with other users' builds and tests. Before each run the bench "
          "waits (at most %.0f s per run, %.0f s in all; %.0f s were spent) for a 0.25 s window "
          "in which the machine is under %.0f%% busy, and it notes the traced runs that started "
          "without one. Noise shows as a wide interval: read those medians with care." %
          (cfg.quiet_wait, cfg.quiet_budget, self.quiet_spent, 100 * cfg.quiet_busy))
        a("")
        a("| observer | output | attached when | lost counted from |")
        a("|---|---|---|---|")
        seen = set()
        for c in cases:
            if c.obs.key in seen:
                continue
            seen.add(c.obs.key)
            a("| %s | %s | %s | %s |" % (c.obs.name, c.obs.output, c.obs.attach,
                                         c.obs.lost_src))
        a("")
        a("## Workload rate under each observer")
        for w in wls:
            a("")
            a("### %s (%s)" % (w.name, w.unit))
            a("")
            a("| observer | baseline | traced | ratio median [95% interval] (min–max) "
              "| observer CPU "
              "| peak RSS | lost | start-up |")
            a("|---|---:|---:|---|---:|---:|---:|---:|")
            for c in cases:
                if c.wl is not w:
                    continue
                o = c.obs
                if not c.ratios:
                    a("| %s | – | – | not measured: %s | | | | |" %
                      (o.name, (c.error or "no data").replace("|", "/")
                       .replace("\n", " ")[:200]))
                    continue
                lost = ("n/a" if any(x is None for x in c.lost) else str(sum(c.lost)))
                if isinstance(o, Strace):
                    lost = "– (synchronous)"
                lo, hi = median_ci(c.ratios)
                a("| %s | %.0f | %.0f | **%.3f** [%.3f–%.3f] (%.3f–%.3f) | %.1f%% | %.1f MB "
                  "| %s | %.2f s |" % (o.name, median(c.base), median(c.traced),
                                       median(c.ratios), lo, hi, min(c.ratios), max(c.ratios),
                                100 * median(c.cpu) if c.cpu else float("nan"),
                                max(c.rss) / 1024 if c.rss else float("nan"), lost,
                                median([s for s in c.startup if s is not None] or [0])))
            cpu_rows = [c for c in cases if c.wl is w and c.srv_cpu]
            if cpu_rows:
                a("")
                a("The server process's own CPU time per %s (its clients excluded), median "
                  "over the traced runs (untraced: the mean of the two runs beside each):" %
                  w.item)
                a("")
                a("| observer | untraced | traced | ratio |")
                a("|---|---:|---:|---:|")
                for c in cpu_rows:
                    b0 = median([x[0] for x in c.srv_cpu])
                    b1 = median([x[1] for x in c.srv_cpu])
                    a("| %s | %.2f µs | %.2f µs | %.3f |" % (c.obs.name, b0, b1,
                                                           median([x[1] / x[0] for x in
                                                                   c.srv_cpu if x[0]] or [0])))
            bases = [x for c in cases if c.wl is w for x in c.base]
            if bases and max(bases) > 1.3 * min(bases):
                a("")
                a("Baselines of this workload ranged from %.0f to %.0f %s over the run: the rate "
                  "has several modes, depending on where the scheduler places its processes "
                  "on the %d vCPUs and on other users' load, so a traced run "
                  "whose neighbours land in another mode gives an outlier ratio; the median "
                  "absorbs a few of them." % (min(bases), max(bases), w.unit, self.machine["ncpu"]))
            extra = [x for c in cases if c.wl is w for x in c.extra]
            if extra:
                a("")
                a("The server's loop called epoll_pwait %.0f times/s (median over lifeline's "
                  "traced runs, min %.0f; from lifeline's own loop counters)." %
                  (median(extra), min(extra)))
            busy = ["%s %d/%d" % (c.obs.name, c.noisy, len(c.ratios)) for c in cases
                    if c.wl is w and c.noisy]
            if busy:
                a("")
                a("Traced runs that started while other work kept the machine > %.0f%% busy (after "
                  "the bounded wait for quiet): %s." % (100 * cfg.quiet_busy, ", ".join(busy)))
            fp = ["%s %d/%d" % (c.obs.name, c.foreign, len(c.ratios)) for c in cases
                  if c.wl is w and c.foreign]
            if fp:
                a("")
                a("Traced runs that overlapped another user's tracer on this machine (%s): %s." %
                  (", ".join(sorted(self.foreign)), ", ".join(fp)))
            notes = ["%s: %s" % (c.obs.name, "; ".join(c.notes)) for c in cases
                     if c.wl is w and c.notes]
            if notes:
                a("")
                a("Notes — " + " · ".join(notes) + ".")
        # start-up
        a("")
        a("## lifeline start-up (launch to attached)")
        a("")
        if self.startups:
            wall = [s for s, _ in self.startups]
            selfr = [u / 1e6 for _, u in self.startups]
            a("Over %d launches in this run: wall time from exec to the `attached` line median "
              "**%.3f s**, max %.3f s; lifeline's own `attached in N us` median %.3f s, "
              "max %.3f s. Attach includes loading and verifying the BPF programs, attaching "
              "them and seeding the process table from /proc." %
              (len(wall), median(wall), max(wall), median(selfr), max(selfr)))
        # paced CPU
        a("")
        a("## lifeline CPU at ~1,000 process lifecycles per second")
        a("")
        a("Lifecycles (fork, exit, reap; system-wide tracing) paced by running `forkstorm -n N` "
          "every 100 ms for %.0f s, after %.0f s with no load of ours (idle). When the machine "
          "cannot reach 1,000/s, the 1,000/s figure is idle + (loaded − idle) × 1,000 / rate."
          % (cfg.pace_secs, cfg.idle_secs))
        a("")
        a("| mode | lifecycles/s achieved | lifeline CPU idle | lifeline CPU loaded | at 1,000/s "
          "| peak RSS | lost |")
        a("|---|---:|---:|---:|---:|---:|---:|")
        for name, rate, cpu, rss, lost, err, idle in paced:
            if err:
                a("| %s | – | not measured: %s | | | | |" % (name, err[:150]))
                continue
            a("| %s | %.0f | %.2f%% | %.2f%% | %.2f%% | %.1f MB | %s |" %
              (name, rate, 100 * idle, 100 * cpu, 100 * self.at_1000(rate, cpu, idle),
               rss / 1024, lost))
        # sweep
        a("")
        a("## Zero-loss fork/exit rate (default 4 MB ring buffer)")
        a("")
        a("forkstorm at full rate, one or more at once and with more children in flight, "
          "under `lifeline --events --json` system-wide for %.1f s each (stdout /dev/null; lost "
          "read from lifeline's BPF drop counters). forkstorm has no pacing option, so the "
          "sweep raises the load instead; the fork/exit rows of the table above add more "
          "full-rate runs (summary and events mode)." % cfg.dur)
        a("")
        a("| load | processes/s (total) | records sent | lost |")
        a("|---|---:|---:|---:|")
        for label, rate, lost, sent, err in sweep:
            if err:
                a("| %s | – | – | not measured: %s |" % (label, err[:150]))
            else:
                a("| %s | %.0f | %s | %s |" % (label, rate or 0,
                                               sent if sent is not None else "?",
                                               lost if lost is not None else "?"))
        zero = self.zero_loss_rate(cases, sweep)
        a("")
        if zero:
            a("Highest sustained fork/exit rate with zero lost events: **%.0f processes/s** "
              "(%s). Every rate this machine reached is listed; none lost anything unless the "
              "table says so." % zero)
        else:
            a("No run finished with zero lost events.")
        # per-call
        if percall.get("none"):
            a("")
            a("## Per-call cost of an epoll wait")
            a("")
            a("A C loop calling `epoll_wait` (timeout 0, one idle fd: it never sleeps) and "
              "`getppid`, best of 7 rounds of 300,000 calls, in ns per call. The floor is an "
              "empty bpftrace program on the waits' exit tracepoints: what any per-call design "
              "costs before its body runs. `--loops sched` runs nothing on a wait that does not "
              "sleep. The two rows of empty programs on lifeline's hooks, with and without its "
              "`tp/syscalls` ones (the returns of wait4/waitid, accept/accept4 and the fork "
              "family), price the syscall tracing slow path that any `tp/syscalls` program puts "
              "every task on: getppid pays it though nothing hooks it. No other hook shows a "
              "reap or an accept on this kernel (README, \"What it costs\"), so that is what "
              "they cost every other syscall.")
            a("")
            a("| observer | epoll_wait | added | getppid | added |")
            a("|---|---:|---:|---:|---:|")
            e0, g0 = percall["none"]
            for name, (ep, gp) in percall.items():
                a("| %s | %.0f ns | %s | %.0f ns | %s |" %
                  (name, ep, "–" if name == "none" else "%+.0f ns" % (ep - e0), gp,
                   "–" if name == "none" else "%+.0f ns" % (gp - g0)))
        # BPF stats
        a("")
        a("## BPF program cost (lifeline system-wide, `kernel.bpf_stats_enabled=1`)")
        a("")
        a("Deltas of `run_time_ns`/`run_cnt` from `bpftool prog show` over a %.1f s run of each "
          "workload (stats enabled only for these runs, then restored). ns/run includes the "
          "two clock reads bpf_stats adds around each run (clocksource %s here), and not the "
          "tracepoint's dispatch before the program runs. The floor column is the empty program "
          "on the same hook (`tests/bench/floor.bpf.c`), measured the same way under the same "
          "workload: what lifeline's body adds is the difference." %
          (cfg.stats_dur, m["clocksource"]))
        for wl, rate, rows, err in stats:
            a("")
            a("### %s (%s %s)" % (wl.key, "%.0f" % rate if rate else "?", wl.unit))
            a("")
            if err or not rows:
                a("not measured: %s" % (err or "no program ran"))
                continue
            floor = getattr(self, "floor_stats", {}).get(wl.key, {})
            a("| program | type | runs/s | ns/run | floor ns/run | % of one core |")
            a("|---|---|---:|---:|---:|---:|")
            for name, typ, rps, nspr, core in rows:
                f = floor.get(name)
                a("| %s | %s | %.0f | %.0f | %s | %.3f%% |" %
                  (name, typ, rps, nspr, "%.0f" % f if f is not None else "–", 100 * core))
            tot = sum(r[4] for r in rows)
            per_unit = (tot * 1e9 / rate) if rate else 0
            ftot = sum(floor.get(r[0], 0) * r[2] for r in rows) / 1e9
            a("| **total** | | | | %s | **%.3f%%** (%.2f µs per %s) |" %
              ("%.2f µs per %s" % (ftot * 1e9 / rate / 1000, wl.item) if floor and rate else "–",
               100 * tot, per_unit / 1000, wl.item))
        # targets
        a("")
        a("## Targets")
        a("")
        a("| target | measured | verdict |")
        a("|---|---|---|")
        for t in self.targets(cases, paced, sweep) + self.percall_targets(percall):
            a("| %s | %s | %s |" % t)
        a("")
        a("## Interpretation")
        a("")
        a(self.interpretation(cases, paced, stats, percall))
        a("")
        return "\n".join(L)

    @staticmethod
    def at_1000(rate, cpu, idle):
        """lifeline CPU at 1,000 lifecycles/s: measured if the rate got there (within 5%),
        else idle + per-lifecycle cost x 1,000."""
        if rate >= 950:
            return cpu
        return idle + max(0.0, cpu - idle) * 1000.0 / rate

    def find(self, cases, wkey, okey):
        for c in cases:
            if c.wl.key == wkey and c.obs.key == okey:
                return c
        return None

    def zero_loss_rate(self, cases, sweep):
        best = None
        for label, rate, lost, _, err in sweep:
            if not err and rate and lost == 0 and (not best or rate > best[0]):
                best = (rate, label + ", events mode")
        for okey in ("lifeline", "lifeline-e"):
            c = self.find(cases, "forkstorm", okey)
            if c:
                for r, lost in zip(c.traced, c.lost):
                    if lost == 0 and (not best or r > best[0]):
                        best = (r, "forkstorm -c %d, %s" % (FORKSTORM_PARALLEL, c.obs.name))
        return best

    @staticmethod
    def percall_targets(percall):
        """--loops sched adds at most 50 ns to an epoll_wait (timeout 0) that never sleeps."""
        base, ll = percall.get("none"), percall.get(Lifeline.name)
        if not base or not ll:
            return [("--loops sched adds ≤ 50 ns per epoll_wait", "not measured", "**missed**")]
        d = ll[0] - base[0]
        return [("--loops sched adds ≤ 50 ns per epoll_wait", "%+.0f ns" % d,
                 ("met" if d <= 50 else "**missed**"))]

    def targets(self, cases, paced, sweep):
        out = []

        def verdict(ok, margin):
            return ("met" if ok else "**missed**") + (" (%s)" % margin if margin else "")
        for wkey in ("fork_echo", "forkstorm", "epoll_echo"):
            c = self.find(cases, wkey, "lifeline")
            if not c or not c.ratios:
                out.append(("lifeline keeps ≥ 97%% of %s's rate" % wkey, "not measured",
                            "**missed**"))
                continue
            r = median(c.ratios)
            lo, hi = median_ci(c.ratios)
            aim = "aim 99%% %s" % ("reached" if r >= AIM_RATIO else
                                   "inside the interval" if hi >= AIM_RATIO else "not reached")
            out.append(("lifeline system-wide keeps ≥ 97%% of the untraced rate: %s" % wkey,
                        "%.1f%% [%.1f–%.1f%%] (min %.1f%%)" % (100 * r, 100 * lo, 100 * hi,
                                                              100 * min(c.ratios)),
                        verdict(r >= TARGET_RATIO, "%+.1f points; %s" %
                                (100 * (r - TARGET_RATIO), aim))))
        for wkey in ("fork_echo", "forkstorm", "epoll_echo"):
            c = self.find(cases, wkey, "lifeline")
            s = self.find(cases, wkey, "snoops")
            if c and s and c.ratios and s.ratios:
                d = median(c.ratios) - median(s.ratios)
                overlap = min(c.ratios) <= max(s.ratios) and min(s.ratios) <= max(c.ratios)
                out.append(("at least as good as exitsnoop+execsnoop: %s" % wkey,
                            "%.1f%% vs %.1f%%" % (100 * median(c.ratios), 100 * median(s.ratios)),
                            verdict(d >= -0.01, "%+.1f points%s" % (
                                100 * d, "; the runs' ranges overlap" if overlap else
                                "; the runs' ranges do not overlap"))))
            st = self.find(cases, wkey, "strace")
            if c and st and c.ratios and st.ratios:
                out.append(("far ahead of strace: %s" % wkey,
                            "%.1f%% vs %.1f%%" % (100 * median(c.ratios),
                                                  100 * median(st.ratios)),
                            verdict(median(c.ratios) - median(st.ratios) > 0.1,
                                    "%.1fx strace's rate" %
                                    (median(c.traced) / median(st.traced)))))
        # zero loss at full storm rate
        lost_runs = []
        for okey in ("lifeline", "lifeline-e"):
            c = self.find(cases, "forkstorm", okey)
            if c:
                lost_runs += list(zip(c.traced, c.lost))
        lost_runs += [(r, l) for _, r, l, _, e in sweep if not e]
        if lost_runs:
            bad = [(r, l) for r, l in lost_runs if l is None or l > 0]
            top = max(r or 0 for r, _ in lost_runs)
            out.append(("zero lost events at the fork storm's full rate",
                        "%d runs up to %.0f processes/s; %s" %
                        (len(lost_runs), top, "none lost anything" if not bad else
                         "%d lost events (max %s)" % (len(bad), max(l or 0 for _, l in bad))),
                        verdict(not bad, None)))
        for name, rate, cpu, rss, lost, err, idle in paced:
            if err or not rate:
                continue
            scaled = 100 * self.at_1000(rate, cpu, idle)
            out.append(("CPU ≤ 5%% of one core at 1,000 lifecycles/s (%s)" % name,
                        "%.2f%% at %.0f/s" % (100 * cpu, rate) +
                        ("" if rate >= 950 else " → %.2f%% at 1,000/s" % scaled),
                        verdict(scaled <= TARGET_CPU_PCT, "%.1fx under" %
                                (TARGET_CPU_PCT / scaled) if scaled <= TARGET_CPU_PCT and scaled
                                else "%+.2f points" % (scaled - TARGET_CPU_PCT))))
        rss = [x for c in cases if c.obs.key in ("lifeline", "lifeline-e") for x in c.rss]
        rss += [r for _, _, _, r, _, e, _ in paced if not e and r]
        if rss:
            mx = max(rss) / 1024
            out.append(("lifeline RSS ≤ 20 MB", "max %.1f MB over all runs" % mx,
                        verdict(mx <= TARGET_RSS_MB, "%.1f MB headroom" % (TARGET_RSS_MB - mx)
                                if mx <= TARGET_RSS_MB else "%.1f MB over" % (mx - TARGET_RSS_MB))))
        if self.startups:
            mx = max(s for s, _ in self.startups)
            out.append(("start-up ≤ 0.5 s", "median %.3f s, max %.3f s" %
                        (median([s for s, _ in self.startups]), mx),
                        verdict(mx <= TARGET_START_S, None)))
        return out

    def interpretation(self, cases, paced, stats, percall):
        parts = []
        ratios = {}
        for wkey in ("fork_echo", "forkstorm", "epoll_echo"):
            for okey in ("lifeline", "lifeline-e", "snoops", "forkstat", "strace", "perf"):
                c = self.find(cases, wkey, okey)
                if c and c.ratios:
                    ratios[(wkey, okey)] = median(c.ratios)
        ll = [ratios[(w, "lifeline")] for w in ("fork_echo", "forkstorm", "epoll_echo")
              if (w, "lifeline") in ratios]
        if ll:
            parts.append("lifeline system-wide kept %s of the untraced rate across the three "
                         "workloads (median of traced runs)." %
                         " / ".join("%.1f%%" % (100 * r) for r in ll))
        st = [ratios[(w, "strace")] for w in ("fork_echo", "forkstorm", "epoll_echo")
              if (w, "strace") in ratios]
        if st:
            parts.append("strace, which stops the tracee at every traced syscall, kept %s." %
                         " / ".join("%.1f%%" % (100 * r) for r in st))
        sn = [ratios[(w, "snoops")] for w in ("fork_echo", "forkstorm", "epoll_echo")
              if (w, "snoops") in ratios]
        if sn:
            parts.append("exitsnoop+execsnoop kept %s; they hook only exec and exit, so they see "
                         "no reaping, accepts or event loops." %
                         " / ".join("%.1f%%" % (100 * r) for r in sn))
        base_fork = self.find(cases, "forkstorm", "lifeline")
        if base_fork and base_fork.base:
            parts.append("This VM forks slowly (about %.0f fork/exit/wait cycles per second at "
                         "full rate, far below the 12–14k/s reference in kernel-hooks.md; a "
                         "bare syscall costs about 1 µs here), so every workload is slow and a "
                         "fixed per-event cost is a smaller share of it than on bare metal."
                         % median(base_fork.base))
        tot = []
        for wl, rate, rows, err in stats:
            if rows and rate:
                c = self.find(cases, wl.key, "lifeline")
                user = median(c.cpu) if c and c.cpu else 0.0
                tot.append("%s %.1f µs per %s (%.2f%% of one core, plus %.1f%% for lifeline's "
                           "user space)" % (wl.key, sum(r[4] for r in rows) * 1e6 / rate,
                                            wl.item, 100 * sum(r[4] for r in rows), 100 * user))
        if tot:
            parts.append("What lifeline itself spends, measured directly (bpf_stats and "
                         "/proc): " + "; ".join(tot) + ". On the fork workloads these shares are "
                         "small next to the run-to-run spread, which comes from other users' "
                         "load on this shared VM and from scheduling (see the min–max); "
                         "bpf_stats' `run_time_ns` also leaves out the tracepoint dispatch.")
        for wl, rate, rows, err in stats:
            if wl.key != "epoll_echo" or not rows:
                continue
            ep = [r for r in rows if "epoll" in r[0]]
            if not ep:
                continue
            waits = max(r[2] for r in ep)
            per_wait = sum(r[3] for r in ep if "pwait" in r[0] and "pwait2" not in r[0])
            core = sum(r[4] for r in ep)
            sleeps = sum(r[2] for r in rows if r[0] == "ll_loop_sleep")
            parts.append("On the event loop every epoll wait runs one of lifeline's programs, at "
                         "its return: %.0f ns per `epoll_pwait`, %.1f%% of a core at these rates "
                         "(up to %.0f waits/s per program), plus the perf-tracepoint dispatch of "
                         "`tp/syscalls/*` programs, which `run_time_ns` does not include. A wait "
                         "that goes to sleep also runs `ll_loop_sleep` at `sched_switch` (%.0f/s "
                         "here, system-wide). On a single-threaded loop that is CPU-bound this "
                         "per-wait cost comes straight out of its rate."
                         % (per_wait, 100 * core, waits, sleeps))
        base = percall.get("none")
        ll = percall.get(Lifeline.name)
        lc = percall.get(LifelineCalls.name)
        if base and ll:
            sn = percall.get(Snoops.name)
            parts.append("Measured end to end, lifeline (--loops sched) adds %.0f ns to every "
                         "epoll_wait call%s (getppid, which it does not hook: %+.0f ns)%s." %
                         (ll[0] - base[0], "; --loops calls %+.0f ns" % (lc[0] - base[0])
                          if lc else "", ll[1] - base[1],
                          "; exitsnoop+execsnoop, whose execve tracepoint puts all syscalls on "
                          "the tracing slow path, add %+.0f ns to it" % (sn[0] - base[0])
                          if sn else ""))
        hf, hb = percall.get(HookFloor.name), percall.get(HookFloorBtf.name)
        if base and hf and hb:
            parts.append("Empty programs on lifeline's hooks add %+.0f ns to getppid; without "
                         "their tp/syscalls ones %+.0f ns: the syscall slow path that the reap "
                         "and accept hooks cost every syscall on the machine." %
                         (hf[1] - base[1], hb[1] - base[1]))
        return " ".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer, shorter runs (under 2 minutes)")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"),
                    help="where to write the results (default tests/bench/RESULTS.md)")
    args = ap.parse_args()
    b = Bench(Config(args.quick), os.path.abspath(args.out))
    try:
        b.run()
    except KeyboardInterrupt:
        die("interrupted")
    finally:
        cleanup()
        shutil.rmtree(b.work, ignore_errors=True)


if __name__ == "__main__":
    main()
