#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""What a process round trip around a delay costs on this machine, for make test-kernels.

    scripts/latency-probe.py [-n RUNS]      prints "BEST_US WORST_US"

Runs `sh -c 'sleep 0.05; exit 5'` RUNS times (default 10): a fork, two execs, a 50 ms timer,
two exits and waits -- what the end-to-end timing checks time around the delay they inject.
It prints the least and the most wall time beyond the 50 ms, in microseconds. The host's
best and a guest's worst give the latency emulation adds (LL_ADDED_US for tests/e2e/lltest.py):
a delay is real time in a guest, so its error is this absolute amount, not the CPU slowdown.
"""

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


def one_round_trip_us():
    t0 = time.monotonic()
    rc = subprocess.run(["sh", "-c", "sleep %g; exit 5" % DELAY_S], stdin=subprocess.DEVNULL,
                        timeout=60).returncode
    if rc != 5:
        print(f"latency-probe: the probe's shell exited {rc}, not 5", file=sys.stderr)
        sys.exit(1)
    return max(0, round((time.monotonic() - t0 - DELAY_S) * 1e6))


def main():
    runs = sorted(one_round_trip_us() for _ in range(parse_runs(sys.argv[1:])))
    print(runs[0], runs[-1])


if __name__ == "__main__":
    main()
