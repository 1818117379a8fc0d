#!/usr/bin/env python3
"""End to end, real BPF: a loop that waits in ppoll() (servers/udp_echo), not epoll_wait.

udp_echo's whole life is ppoll(), then recvfrom()/sendto() on a non-blocking socket until it is
drained. Its loop must be found with `wait` = `poll`, and where its time goes must agree with
the truths the test holds:
- paced datagrams (one every PACE_MS, each answered before the next is sent): one wakeup per
  datagram at most (a wake-up needs a datagram), at least half of them (two that arrive before
  the server runs share one); idle most of the time; busy%% within 5 points of the thread's CPU
  time in /proc/PID/task/TID/stat; never asleep outside its wait (its socket never blocks).
- under loadgen --udp: busy%% within 5 points of /proc's CPU time, the split adds up to 100.
- --loops calls: ppoll has no exit hook, so the loop keeps its scheduler counts (mode sched,
  no per-call fields) instead of losing its wakeups.
- an epoll loop (epoll_echo) says `wait` = `epoll`.
"""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lltest import Server, check, failed, finish, info, run_loadgen, run_test  # noqa: E402
from lltest import Lifeline, no_loss  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
PACE_MS = 5
PACED = 300


def cpu_s(pid):
    """utime + stime of the (single-threaded) server, seconds: the kernel's own accounting."""
    with open("/proc/%d/task/%d/stat" % (pid, pid)) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class Client:
    """One UDP socket that sends a datagram and waits (bounded) for its echo."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(2.0)
        self.addr = ("127.0.0.1", port)

    def echo(self, i):
        data = b"dgram %d" % i
        self.sock.sendto(data, self.addr)
        try:
            while True:
                got, _ = self.sock.recvfrom(256)
                if got == data:
                    return True
        except socket.timeout:
            return False

    def close(self):
        self.sock.close()


def warm_up(c):
    """The server sleeps in ppoll since before lifeline attached: its loop is found when it
    next goes to sleep there, just after answering a first datagram."""
    for i in range(5):
        if c.echo(-1 - i):
            return True
    return False


def loop_of(t, pid):
    ls = [lp for lp in (t.summary or {}).get("loops", []) if lp["pid"] == pid]
    return ls[0] if len(ls) == 1 else None


def pcts(lp):
    return [round(lp[k], 1) for k in ("busy_pct", "idle_pct", "offcpu_pct", "runq_pct")]


def traced(mode, drive):
    """udp_echo traced in --loops mode while drive(port, client) runs; returns (tracer, loop,
    answered datagrams, /proc CPU %% of the window)."""
    with Server("udp_echo") as srv, Lifeline("--json", "--loops", mode, "-p", srv.pid) as t:
        c = Client(srv.port)
        if not warm_up(c):
            c.close()
            raise RuntimeError("udp_echo never answered")
        c0, t0 = cpu_s(srv.pid), time.monotonic()
        answered = drive(srv.port, c)
        c1, t1 = cpu_s(srv.pid), time.monotonic()
        c.close()
        t.stop()
        return t, loop_of(t, srv.pid), answered, 100 * (c1 - c0) / (t1 - t0)


def paced(port, c):
    answered = 0
    for i in range(PACED):
        answered += c.echo(i)
        time.sleep(PACE_MS / 1000)     # the load's shape, not a wait for a condition
    return answered


def loaded(port, c):
    r = run_loadgen(port, "--udp", "-c", "1", "-d", "2")
    return r["requests"] if r["exit_code"] == 0 else 0


def common_checks(name, t, lp, cpu):
    no_loss(name, t)
    if not lp:
        failed(name, "no single loop for udp_echo: %s" % (t.summary or {}).get("loops"))
        return False
    info("%s: busy/idle/offcpu/runq %s, %d wakeups, wait %s, /proc CPU %.1f%%" %
         (name, pcts(lp), lp["wakeups"], lp.get("wait"), cpu))
    check("%s: found as a poll loop" % name, lp.get("wait") == "poll", lp)
    total = lp["busy_pct"] + lp["idle_pct"] + lp["offcpu_pct"] + lp["runq_pct"]
    check("%s: busy+idle+offcpu+runq = 100 +-1 (%.2f)" % (name, total), abs(total - 100) <= 1)
    check("%s: busy %.1f%% within 5 points of /proc CPU %.1f%%" % (name, lp["busy_pct"], cpu),
          abs(lp["busy_pct"] - cpu) <= 5)
    check("%s: never asleep outside ppoll (non-blocking socket): off CPU %.2f%%" %
          (name, lp["offcpu_pct"]), lp["offcpu_pct"] <= 1, lp.get("offcpu_syscalls"))
    check("%s: no per-call fields, mode sched (ppoll has no exit hook)" % name,
          lp["mode"] == "sched" and not any(k in lp for k in ("events", "timeouts", "full")),
          lp)
    return True


def paced_checks(name, mode):
    t, lp, answered, cpu = traced(mode, paced)
    check("%s: %d of %d datagrams answered" % (name, answered, PACED), answered == PACED)
    if not common_checks(name, t, lp, cpu):
        return
    w = lp["wakeups"]
    # +5 warm-up datagrams; a wake-up needs a datagram (or a signal: none here)
    check("%s: wakeups %d between half the datagrams and all of them (%d)" % (name, w, answered),
          answered / 2 <= w <= answered + 5)
    check("%s: idle most of the time (%.1f%%)" % (name, lp["idle_pct"]), lp["idle_pct"] >= 50)


def test_udp_paced():
    paced_checks("udp paced", "sched")


def test_udp_paced_calls():
    paced_checks("udp paced, --loops calls", "calls")


def test_udp_loaded():
    t, lp, answered, cpu = traced("sched", loaded)
    check("udp loaded: loadgen answered (%d)" % answered, answered > 0)
    if not common_checks("udp loaded", t, lp, cpu):
        return
    check("udp loaded: wakeups %d at most the datagrams (%d + 5)" % (lp["wakeups"], answered),
          0 < lp["wakeups"] <= answered + 5)


def test_epoll_says_epoll():
    with Server("epoll_echo") as srv, Lifeline("--json", "-p", srv.pid) as t:
        r = run_loadgen(srv.port, "-c", "2", "-n", "2000")
        t.stop()
    ls = [lp for lp in (t.summary or {}).get("loops", []) if lp["pid"] == srv.pid]
    check("epoll_echo: %d requests, its loop found with wait epoll" % r["requests"],
          r["exit_code"] == 0 and ls and all(lp.get("wait") == "epoll" for lp in ls), ls)


if __name__ == "__main__":
    run_test(test_udp_paced)
    run_test(test_udp_paced_calls)
    run_test(test_udp_loaded)
    run_test(test_epoll_says_epoll)
    finish()
