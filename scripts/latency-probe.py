#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""What the round trips around a delay cost on this machine, for make test-kernels.

    scripts/latency-probe.py [-n RUNS]

prints two lines, in microseconds beyond the 50 ms delay each probe injects:
    delay BEST WORST    a 50 ms sleep, then the reap of a child that had exited before it: one
                        wake-up and a wait, what each wake-up in a check of a zombie's life, a
                        stall or a queue wait gains (not the fork, nor a python child's exit:
                        those cost far more than the small C programs the checks time)
    start BEST WORST    `sleep 0.05` run as a command (fork, exec, exit, wait): what each
                        process start inside a timed duration adds
Each is run once to warm up (under TCG the first run translates the code), then RUNS times
(default 10; the delay, cheap and what most checks time, 5 x RUNS times, so that its worst
stands for the tail of the hundreds of wake-ups the suite times), while one busy loop per CPU, at the lowest priority, keeps every CPU wanted: in
the tests lifeline and the workloads do, and under single-threaded TCG a vCPU woken by its timer
then waits its turn. At nice 19 the loops never hold the probe back within the kernel that runs
it, so what is measured is the machine's wake-up latency, not a time slice. The host's best and a guest's worst give the latency emulation adds
(LL_ADDED_US and LL_START_US for tests/e2e/lltest.py): a delay is real time in a guest, so
its error is this absolute amount, not the CPU slowdown.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time

DELAY_S = 0.05


def usage(why):
    print(f"latency-probe: {why}; usage: latency-probe.py [-n RUNS] (RUNS 1..1000)",
          file=sys.stderr)
    sys.exit(2)


def parse_runs(argv):
    if not argv:
        return 10
    if len(argv) != 2 or argv[0] != "-n":
        usage("unexpected arguments %r" % " ".join(argv))
    try:
        n = int(argv[1], 10)
    except ValueError:
        usage("RUNS %r is not a number" % argv[1])
    if not 1 <= n <= 1000:
        usage("RUNS %d out of range" % n)
    return n


def delay_round_trip():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # a zombie now, not reaped yet
    t0 = time.monotonic()
    time.sleep(DELAY_S)
    os.waitpid(pid, 0)
    return time.monotonic() - t0


def start_round_trip():
    t0 = time.monotonic()
    rc = subprocess.run(["sleep", "%g" % DELAY_S], stdin=subprocess.DEVNULL,
                        timeout=60).returncode
    if rc != 0:
        print(f"latency-probe: the probe's sleep exited {rc}", file=sys.stderr)
        sys.exit(1)
    return time.monotonic() - t0


@contextlib.contextmanager
def busy_cpus():
    """One spinning child per CPU at nice 19, killed on the way out."""
    pids = []
    try:
        for _ in range(os.cpu_count() or 1):
            pid = os.fork()
            if pid == 0:
                os.nice(19)
                while True:
                    pass
            pids.append(pid)
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def beyond_delay_us(fn, runs):
    """The best and worst time fn took beyond DELAY_S, after one warm-up run."""
    fn()
    got = [max(0, round((fn() - DELAY_S) * 1e6)) for _ in range(runs)]
    return min(got), max(got)


def main():
    runs = parse_runs(sys.argv[1:])
    with busy_cpus():
        delay = beyond_delay_us(delay_round_trip, 5 * runs)
        start = beyond_delay_us(start_round_trip, runs)
    print("delay %d %d" % delay)
    print("start %d %d" % start)


if __name__ == "__main__":
    main()
