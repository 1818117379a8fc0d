#!/usr/bin/env python3
"""End to end, real BPF: a loop already asleep in its epoll wait when lifeline attaches is
seeded from /proc (its syscall file), so the wake-up that ends that first wait is seen and its
idle time counts from attach. Truth: the idle time the test injects between attach and the
first request, and the loop's sleep state in /proc/PID/syscall before attach."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lltest import Server, check, failed, finish, info, run_test  # noqa: E402
from lltest import Lifeline, echo, no_loss, proc_status, wait_until  # noqa: E402

EPOLL_NRS = {"x86_64": (232, 281, 441), "aarch64": (22, 441)}.get(os.uname().machine, ())
IDLE_S = 1.0


def asleep_in_epoll(pid):
    with open("/proc/%d/syscall" % pid) as f:
        fields = f.read().split()
    return bool(fields) and fields[0].isdigit() and int(fields[0]) in EPOLL_NRS


def sleeps(pid):
    """How many times pid has gone to sleep (voluntary_ctxt_switches in its status)."""
    return int(proc_status(pid).get("voluntary_ctxt_switches", 0))


def after_wakeup(pid, action):
    """Runs action, then waits until pid has woken for it and slept in its wait again: asleep in
    the wait alone is not enough, right after connect() it may not have woken yet."""
    before = sleeps(pid)
    out = action()
    wait_until(lambda: sleeps(pid) > before and asleep_in_epoll(pid), 5)
    return out


def three_wakeups(pid, port):
    """Connect, send, close, each once the loop has handled the one before: three wake-ups
    (accept, read, EOF) that cannot merge. Returns the bytes echoed."""
    s = after_wakeup(pid, lambda: socket.create_connection(("127.0.0.1", port), timeout=5))
    try:
        got = after_wakeup(pid, lambda: len(echo(s, b"x" * 64)))
    finally:
        after_wakeup(pid, s.close)
    return got


def test_idle_at_attach():
    """epoll_echo idle in its wait before lifeline starts, then one request."""
    with Server("epoll_echo", "--timeout-ms", "-1") as srv:
        if not wait_until(lambda: asleep_in_epoll(srv.pid), 5):
            return failed("seed", "epoll_echo never slept in epoll_wait (arch %s)" %
                          os.uname().machine)
        with Lifeline("--json", "--events=loop", "-p", srv.pid) as t:
            t0 = time.monotonic()
            time.sleep(IDLE_S)		# the injected idle time: the loop's first wait
            gap_us = (time.monotonic() - t0) * 1e6
            echoed = three_wakeups(srv.pid, srv.port)
        lps = [l for l in (t.summary or {}).get("loops", []) if l["tid"] == srv.pid]
    check("seed: request echoed", echoed == 64, echoed)
    if not lps:
        return failed("seed", "no loop for %d in the summary" % srv.pid)
    lp = lps[0]
    info("seed: wakeups %d, blocked %s, idle %.1f%% of %.2f s" %
         (lp["wakeups"], lp["blocked_us"], lp["idle_pct"], t.summary["elapsed_s"]))
    # Unseeded, the loop was found only at its sleep after the accept: 2.
    check("seed: 3 wake-ups, the first ending the wait in progress at attach (%d)" %
          lp["wakeups"], lp["wakeups"] == 3, lp)
    check("seed: that wait's length, unknown, is not in the histogram (%d of 3 waits)" %
          lp["blocked_us"]["count"], lp["blocked_us"]["count"] == 2, lp)
    # The loop lives at most the run, and was idle from attach through the injected gap.
    want = 100 * 0.9 * gap_us / 1e6 / t.summary["elapsed_s"]
    check("seed: idle %.1f%% >= %.1f%% (the injected idle time over the run)" %
          (lp["idle_pct"], want), lp["idle_pct"] >= want, lp)
    no_loss("seed", t)


def main():
    run_test(test_idle_at_attach)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
