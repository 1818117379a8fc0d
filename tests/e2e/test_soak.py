#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""Soak (issue 6, long runs): short-lived processes come and go under lifeline for a long time;
its memory must stay bounded (entries of dead processes released once reported), its kernel maps
must not fill, and nothing may be evicted.

    LL_SOAK_PROCS   processes to fork (default 100000)
    LL_SOAK_MAX_S   stop the storm after this many seconds if it has not finished (default 40,
                    so that make test stays short on slow machines; the count reached is shown)

Bounds: lifeline's VmRSS may grow by at most RSS_BOUND_KB from the first sample (taken once
WARM processes have been seen, i.e. after the tables and buffers have warmed up: its code paged
in, the ring buffer's pages mapped, which some kernels do lazily) to the end: steady state; its
open fds not at all. Under emulation (LL_SLOWDOWN) the storm is that much slower, and WARM that
much smaller, so that the steady state is still reached, and measured, within LL_SOAK_MAX_S. On
a kernel with transparent huge pages "always" (Debian's), a table that touched a new 2 MiB
stretch at a time would show here as growth: lifeline's tables are kept out of huge pages.
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lltest import check, finish, info, run_test, wait_until  # noqa: E402
from lltest import SLOWDOWN  # noqa: E402
from lltest import Lifeline  # noqa: E402
from lltest import fdinfo_ids, prog_ids  # noqa: E402
from test_reliability import check_detached, end, gated_storm, release  # noqa: E402

PROCS = int(os.environ.get("LL_SOAK_PROCS", "100000"))
MAX_S = float(os.environ.get("LL_SOAK_MAX_S", "40"))
WARM = max(300, int(3000 / SLOWDOWN))
RSS_BOUND_KB = 4096
# Kernel maps that hold per-process state: traced (-p), zombies (exited, not reaped).
STATE_MAPS = ("traced", "zombies")


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def rss_parts(pid):
    """VmRSS as anonymous + file-backed + shared memory, e.g. '14200 (anon 1276, file 12752,
    shmem 0)': the ring buffer's pages are not anonymous."""
    with open(f"/proc/{pid}/status") as f:
        st = dict(line.split(":", 1) for line in f if ":" in line)
    get = lambda k: st.get(k, "? kB").split()[0]  # noqa: E731
    return (f"{get('VmRSS')} (anon {get('RssAnon')}, file {get('RssFile')}, "
            f"shmem {get('RssShmem')})")


def nfds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def map_fill(pid):
    """{name: (entries, max_entries)} of lifeline's per-process state maps."""
    out = {}
    for mid in fdinfo_ids(pid, "map_id"):
        show = json.loads(subprocess.run(["bpftool", "-j", "map", "show", "id", str(mid)],
                                         capture_output=True, text=True, timeout=20).stdout
                          or "{}")
        if show.get("name") in STATE_MAPS:
            dump = subprocess.run(["bpftool", "-j", "map", "dump", "id", str(mid)],
                                  capture_output=True, text=True, timeout=60).stdout
            out[show["name"]] = (len(json.loads(dump or "[]")), show.get("max_entries"))
    return out


def summaries(t):
    return [o for o in t.objects() if o.get("type") == "summary"]


def test_soak():
    storm = gated_storm(PROCS)
    # -p ends lifeline once its tree is gone: a sleeper in the set keeps it up after the storm,
    # so that its state is measured while it still runs.
    keep = subprocess.Popen(["sleep", "600"])
    t = Lifeline("--json", "-i", "1", "-p", storm.pid, "-p", keep.pid)
    ids = set()
    try:
        t.start()
        lpid = t.proc.pid
        ids = prog_ids(lpid)
        rss_attach = status_kb(lpid, "VmRSS")
        parts = [rss_parts(lpid)]
        t0 = time.monotonic()
        release(storm)
        warm = wait_until(lambda: (t.summary or {}).get("processes", {}).get("forks", 0) >= WARM,
                          60, 0.05)
        rss_warm, fds_warm = status_kb(lpid, "VmRSS"), nfds(lpid)
        parts.append(rss_parts(lpid))
        capped = False
        try:
            storm.wait(max(1.0, MAX_S - (time.monotonic() - t0)))
        except subprocess.TimeoutExpired:
            capped = True
            storm.send_signal(signal.SIGKILL)  # its one child in flight exits by itself
            storm.wait(10)
        secs = time.monotonic() - t0
        # Two more interval summaries: everything the storm made has been read and reported.
        # A capped storm leaves its child in flight to init, which reaps in ~2 s batches: wait
        # (bounded) for that reap too, so "zombies now" is judged after it.
        n = len(summaries(t))
        wait_until(lambda: len(summaries(t)) >= n + 2 and
                   (t.summary or {}).get("processes", {}).get("zombies_now") == 0, 10, 0.05)
        rss_end, fds_end = status_kb(lpid, "VmRSS"), nfds(lpid)
        parts.append(rss_parts(lpid))
        hwm = status_kb(lpid, "VmHWM")
        maps = map_fill(lpid)
        rc = t.stop()
    finally:
        t.proc and t.proc.poll() is None and t.proc.kill()
        end(storm)
        keep.kill()
        keep.wait(5)
    s = t.summary or {}
    p = s.get("processes", {})
    made = s.get("sent_by_type", {}).get("fork", 0) + s.get("lost_by_type", {}).get("fork", 0)
    info(f"soak: {made} processes in {secs:.1f}s{' (capped by LL_SOAK_MAX_S)' if capped else ''};"
         f" VmRSS attach {rss_attach} kB, after {WARM} {rss_warm} kB, end {rss_end} kB, "
         f"peak {hwm} kB; fds {fds_warm} -> {fds_end}; maps {maps}")
    info("soak: VmRSS kB at attach, warm, end: " + "; ".join(parts))
    info(f"soak: summary events {s.get('events')} lost {s.get('lost')} map_full "
         f"{s.get('map_full')} processes {p}")
    check("soak: lifeline warmed up and exited 0", warm and rc == 0, f"warm {warm}, exit {rc}")
    check(f"soak: {made} processes forked ({'all' if not capped else 'capped'})",
          made >= WARM if capped else made == PROCS, f"made {made} of {PROCS}")
    check(f"soak: VmRSS grew by at most {RSS_BOUND_KB} kB over {made - WARM} processes",
          rss_warm and rss_end and rss_end - rss_warm <= RSS_BOUND_KB,
          f"{rss_warm} kB -> {rss_end} kB")
    check("soak: no fd leaked", fds_end == fds_warm, f"{fds_warm} -> {fds_end}")
    check("soak: entries of dead processes released (processes_now <= 4, zombies_now 0)",
          p.get("processes_now", 1 << 30) <= 4 and p.get("zombies_now") == 0, p)
    ev = s.get("evicted")
    check("soak: no table eviction, no kernel map full", p.get("evicted") == 0 and
          ev is not None and not any(ev.values()) and s.get("map_full") == 0,
          f"processes evicted {p.get('evicted')}, other tables {ev}, map_full {s.get('map_full')}")
    full = {k: v for k, v in maps.items() if v[0] > 64}
    check("soak: kernel state maps hold (almost) nothing once the storm is over",
          set(maps) == set(STATE_MAPS) and not full, f"maps {maps}")
    check("soak: every fork accounted for (delivered + lost == made)",
          p.get("forks", 0) + s.get("lost_by_type", {}).get("fork", 0) == made,
          f"forks {p.get('forks')}, made {made}")
    check_detached("soak", ids)


if __name__ == "__main__":
    if os.geteuid() != 0:
        check("soak: needs root", False, "run as root")
    else:
        run_test(test_soak)
    finish()
