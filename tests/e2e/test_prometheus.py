#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""End to end with the real thing: Debian's prometheus scrapes lifeline --prometheus every second
while bundled servers make zombies, reaps, orphans, accepts, queue waits and loop stalls; once
lifeline's JSON summaries hold still, Prometheus's HTTP API must report the same numbers, label
set by label set, and its buckets must agree with the JSON percentiles. promtool checks the
exposition. Also: headless on a terminal (no live view), 127.0.0.1 by default, a taken port.

Needs root (real BPF) and the prometheus package (make test installs it).
"""
import json
import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lltest import (Server, check, failed, finish, free_port, info, run_loadgen,  # noqa: E402
                    run_test, wait_until, zombies_of)
from lltest import LIFELINE, ROOT, Lifeline, set_subreaper  # noqa: E402
from lltest import run_lifeline, tcp_listen_addrs  # noqa: E402

PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")


def http_get(url, timeout=3.0):
    """(status, body text); status 0 when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except (OSError, urllib.error.URLError):
        return 0, ""


class Prometheus:
    """prometheus on a free loopback port, scraping one target every second, in a temp dir."""

    def __init__(self, target):
        self.target = target
        self.dir = tempfile.mkdtemp(prefix="lltest-prom-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log = None

    def __enter__(self):
        cfg = os.path.join(self.dir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n"
                    "  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: lifeline\n    static_configs:\n"
                    f"      - targets: ['{self.target}']\n")
        self.log = open(os.path.join(self.dir, "log"), "w+")
        self.proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={cfg}", f"--storage.tsdb.path={self.dir}/data",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        if not wait_until(lambda: self.proc.poll() is not None or
                          http_get(self.url + "/-/ready", 1)[0] == 200, 20, 0.1) \
                or self.proc.poll() is not None:
            self.__exit__()
            raise RuntimeError("prometheus did not become ready: " + self.tail())
        return self

    def tail(self):
        if not self.log:
            return ""
        self.log.seek(0)
        return " | ".join(self.log.read().splitlines()[-5:])

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.log:
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return False

    def query(self, q):
        """The instant vector of q now: a list of {"metric": {...}, "value": [ts, "v"]}."""
        st, body = http_get(self.url + "/api/v1/query?" + urllib.parse.urlencode({"query": q}))
        if st != 200:
            raise RuntimeError(f"query {q!r}: HTTP {st}: {body[:200]}")
        return json.loads(body)["data"]["result"]

    def vec(self, q, keys):
        """q's result as {(label values...): value}."""
        return {tuple(r["metric"].get(k, "") for k in keys): float(r["value"][1])
                for r in self.query(q)}

    def scalar(self, q):
        r = self.query(q)
        return float(r[0]["value"][1]) if len(r) == 1 else None


# ---- what the JSON summary says, summed by label set as the exposition does ----

def agg(entries, keys, fn, combine=lambda a, b: a + b):
    out = {}
    for e in entries:
        k = tuple(str(e[f]) for f in keys)
        v = fn(e)
        if v is None:   # not known for this entry (a poll loop's per-call counts): no sample
            continue
        out[k] = combine(out[k], v) if k in out else v
    return out


def hcount(h):
    return h["count"] if h else 0


# metric (selector), Prometheus labels, summary section, its fields, value, combine
COMPARED = [
    ("lifeline_zombies", ("parent_comm",), "zombies", ("parent_comm",), lambda e: e["now"]),
    ('lifeline_reaps_total{how="wait"}', ("parent_comm",), "zombies", ("parent_comm",),
     lambda e: e["reaped"]),
    ('lifeline_reaps_total{how="autoreap"}', ("parent_comm",), "zombies", ("parent_comm",),
     lambda e: e["autoreaped"]),
    ("lifeline_sigchld_coalesced_total", ("parent_comm",), "zombies", ("parent_comm",),
     lambda e: e["coalesced_sigchld"]),
    ("lifeline_zombie_lifetime_seconds_count", ("parent_comm",), "zombies", ("parent_comm",),
     lambda e: hcount(e["lifetime_us"])),
    ("lifeline_orphans", ("adopter_comm",), "orphans", ("adopter_comm",), lambda e: e["alive"]),
    ("lifeline_orphans_adopted_total", ("adopter_comm",), "orphans", ("adopter_comm",),
     lambda e: e["adopted"]),
    ("lifeline_orphan_lifetime_seconds_count", ("adopter_comm",), "orphans", ("adopter_comm",),
     lambda e: hcount(e["lifetime_us"])),
    ("lifeline_accepts_total", ("comm", "port"), "listeners", ("comm", "port"),
     lambda e: e["accepts"]),
    ("lifeline_accept_forked_total", ("comm", "port"), "listeners", ("comm", "port"),
     lambda e: e["handled_by_fork"]),
    ("lifeline_accept_queue_wait_seconds_count", ("comm", "port"), "listeners", ("comm", "port"),
     lambda e: hcount(e["queue_us"])),
    # the backlog: left out (both sides) while a listener's queue depth is unknown
    ("lifeline_accept_backlog_limit", ("comm", "port"), "listeners", ("comm", "port"),
     lambda e: e.get("backlog_limit"), max),
    ("lifeline_accept_backlog_peak", ("comm", "port"), "listeners", ("comm", "port"),
     lambda e: e.get("backlog_peak"), max),
    ("lifeline_accept_backlog_full_total", ("comm", "port"), "listeners", ("comm", "port"),
     lambda e: e.get("backlog_full")),
    ("lifeline_loop_wakeups_total", ("comm",), "loops", ("comm",), lambda e: e["wakeups"]),
    # per-call counts: only epoll loops have them (fork_echo waits in ppoll)
    ("lifeline_loop_events_total", ("comm",), "loops", ("comm",), lambda e: e.get("events")),
    ("lifeline_loop_timeouts_total", ("comm",), "loops", ("comm",),
     lambda e: e.get("timeouts")),
    ("lifeline_loop_full_total", ("comm",), "loops", ("comm",), lambda e: e.get("full")),
    ("lifeline_loop_stalls_total", ("comm",), "loops", ("comm",), lambda e: e["stalls"]),
    ("lifeline_loop_stall_max_seconds", ("comm",), "loops", ("comm",),
     lambda e: e.get("max_stall_us", 0) / 1e6, max),  # left out without stalls
    ("lifeline_loop_unseen_switches_total", ("comm",), "loops", ("comm",),
     lambda e: e["unseen_switches"]),
]

SCALARS = [
    ("lifeline_events_total", lambda s: s["events"]),
    ("lifeline_events_lost_total", lambda s: s["lost"]),
    ("lifeline_forks_total", lambda s: s["processes"]["forks"]),
    ("lifeline_execs_total", lambda s: s["processes"]["execs"]),
    ("lifeline_exits_total", lambda s: s["processes"]["exits"]),
]


def projection(s):
    """Everything compared, from one summary: equal in two summaries means nothing moves."""
    out = [tuple(sorted(agg(s[sec], f, fn, *c).items())) for _, _, sec, f, fn, *c in COMPARED]
    return out + [fn(s) for _, fn in SCALARS]


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def same(got, want):
    return got.keys() == want.keys() and all(close(got[k], want[k]) for k in want)


def buckets_agree(name, prom, sel, keys, h):
    """The Prometheus buckets of one histogram against its JSON p50/p99/max/count (us).

    A JSON percentile lies in the log-linear slot of the value of rank floor(q * count), which
    lies inside one power-of-two range [2^j, 2^(j+1)); bucket le=2^j then holds at most that rank
    and bucket le=2^(j+1) more than it. All values are below the first power of two above max.
    """
    b = prom.vec(f"{name}_bucket{sel}", keys + ("le",))
    cum = {k[-1]: v for k, v in b.items()}

    def le(us):
        return "+Inf" if us > 1 << 33 else \
            (f"{us // 10**6}" if us % 10**6 == 0 else f"{us / 1e6:.6f}".rstrip("0"))

    def at(us):  # cumulative count of bucket le = us (a power of two), clamped to the range
        us = max(us, 16)
        return cum.get(le(us))

    problems = []
    n = h["count"]
    if cum.get("+Inf") != n:
        problems.append(f"+Inf {cum.get('+Inf')} != count {n}")
    top = 1 << max(h["max"].bit_length(), 4)  # the first power of two above max
    if at(top) != n:
        problems.append(f"le {le(top)}: {at(top)} != count {n} (max {h['max']} us)")
    for q in ("p50", "p99"):
        v, rank = h[q], min(int({"p50": 0.5, "p99": 0.99}[q] * n), n - 1)
        lo = 1 << (v.bit_length() - 1) if v else 0
        hi = max(2 * lo, 16)
        if lo >= 16 and (at(lo) is None or at(lo) > rank):
            problems.append(f"{q} {v} us: le {le(lo)} holds {at(lo)} > rank {rank}")
        if at(hi) is None or at(hi) <= rank:
            problems.append(f"{q} {v} us: le {le(hi)} holds {at(hi)} <= rank {rank}")
    counts = sorted(cum.values())
    monotonic = [cum[k] for k in sorted(cum, key=lambda x: float(x))] == counts
    if not monotonic:
        problems.append("buckets are not cumulative")
    return problems


def reap_strays():
    """We are a subreaper: orphans that died under us are ours to reap."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def test_scrape_matches_summary():
    if not PROMETHEUS or not PROMTOOL:
        failed("prometheus", "prometheus/promtool not installed: apt-get install prometheus "
               "(make test installs it)")
        return
    set_subreaper()  # orphans of the exit-after server are adopted by this test: deterministic
    lport = free_port()
    with Prometheus(f"127.0.0.1:{lport}") as prom, \
            Server("fork_echo", "--reap", "none") as zsrv, \
            Server("fork_echo", "--accept-delay-ms", "50", "--reap-delay-ms", "20") as qsrv, \
            Server("fork_echo", "--exit-after", "2") as osrv, \
            Server("epoll_echo", "--timeout-ms", "-1", "--stall-ms", "60",
                   "--stall-every", "50") as esrv, \
            Lifeline("--json", "-i", "0.5", "--prometheus", f"127.0.0.1:{lport}", "--loops",
                     "calls", "-p", zsrv.pid, "-p", qsrv.pid, "-p", osrv.pid, "-p", esrv.pid) as t:
        t0 = time.monotonic()
        held = [osrv.connect(), osrv.connect()]  # the parent exits: 2 orphans live on
        for c in held:
            c.sendall(b"x")
            c.recv(1)
        osrv.proc.wait(5)
        r1 = run_loadgen(zsrv.port, "-c", "1", "-n", "5", "--connect-per-request")
        r2 = run_loadgen(qsrv.port, "-c", "2", "-n", "20", "--connect-per-request")
        r3 = run_loadgen(esrv.port, "-c", "1", "-n", "200")
        check("prometheus: workload ran",
              all(r["exit_code"] == 0 for r in (r1, r2, r3)), (r1, r2, r3))
        wait_until(lambda: len(zombies_of(zsrv.pid)) == 5, 3)

        # Until two summaries in a row say the same: then nothing moves any more.
        last = [None, None]

        def settled():
            s = t.summary
            if not s or s["ts_ns"] == last[1]:
                return False
            p = projection(s)
            ok = p == last[0]
            last[0], last[1] = p, s["ts_ns"]
            return ok
        ok = wait_until(settled, 15, 0.1)
        stable_at = time.time()
        check("prometheus: lifeline's summaries settle", ok, "still moving after 15 s")
        # A scrape after that instant reads an exposition rendered no earlier than it.
        scraped = wait_until(lambda: (prom.scalar('timestamp(up{job="lifeline"})') or 0)
                             > stable_at + 0.05, 10, 0.2)
        check("prometheus: scraped lifeline after the numbers settled", scraped,
              "no scrape: " + prom.tail())
        up = prom.scalar('up{job="lifeline"}')
        check("prometheus: target is up", up == 1.0, f"up = {up}; {prom.tail()}")
        s = t.summary
        # promtool on what Prometheus just scraped (same server, same text).
        st, text = http_get(f"http://127.0.0.1:{lport}/metrics")
        pt = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True,
                            text=True, timeout=20)
        check("prometheus: promtool check metrics passes",
              st == 200 and pt.returncode == 0 and not (pt.stdout + pt.stderr).strip(),
              f"HTTP {st}, promtool exit {pt.returncode}: {(pt.stdout + pt.stderr)[:300]}")

        for name, keys, sec, fields, fn, *comb in COMPARED:
            want = agg(s[sec], fields, fn, *comb)
            got = prom.vec(name, keys)
            if check(f"prometheus: {name} by {','.join(keys)} matches the summary",
                     same(got, want), f"prometheus says {got}, the summary {want}"):
                info(f"{name}: {want}")
        for name, fn in SCALARS:
            got = prom.scalar(name)
            check(f"prometheus: {name} matches the summary",
                  got is not None and close(got, fn(s)), f"prometheus says {got}, the summary "
                  f"{fn(s)}")

        # The truth behind the numbers, not just agreement.
        zp = ('fork_echo',)
        facts = {
            "5 zombies of the never-reaping fork_echo now":
                prom.vec("lifeline_zombies", ("parent_comm",)).get(zp) == 5,
            "20 reaped by the reaping fork_echo":
                prom.vec('lifeline_reaps_total{how="wait"}', ("parent_comm",)).get(zp) == 20,
            "5 and 20 accepts on the two ports":
                prom.vec("lifeline_accepts_total", ("comm", "port")).get(
                    ("fork_echo", str(zsrv.port))) == 5 and
                prom.vec("lifeline_accepts_total", ("comm", "port")).get(
                    ("fork_echo", str(qsrv.port))) == 20,
            "2 living orphans": sum(prom.vec("lifeline_orphans", ("adopter_comm",)).values())
                == 2,
            "4 stalls of epoll_echo":
                prom.vec("lifeline_loop_stalls_total", ("comm",)).get(("epoll_echo",)) == 4,
            "nothing lost": prom.scalar("lifeline_events_lost_total") == 0,
        }
        bad = [k for k, v in facts.items() if not v]
        check("prometheus: scraped numbers are the truth: " + "; ".join(facts), not bad,
              f"not so: {bad}")

        # Buckets against the JSON percentiles, where one process makes the whole label set.
        for name, sec, field, lk, jk in (
                ("lifeline_accept_queue_wait_seconds", "listeners", "queue_us",
                 ("comm", "port"), ("comm", "port")),
                ("lifeline_zombie_lifetime_seconds", "zombies", "lifetime_us",
                 ("parent_comm",), ("parent_comm",))):
            problems, seen = [], 0
            for key in sorted({tuple(str(e[f]) for f in jk) for e in s[sec]}):
                hs = [e[field] for e in s[sec]
                      if tuple(str(e[f]) for f in jk) == key and e[field]]
                if len(hs) != 1:
                    continue
                sel = "{" + ",".join(f'{k}="{v}"' for k, v in zip(lk, key)) + "}"
                problems += [sel + ": " + p for p in buckets_agree(name, prom, sel, lk, hs[0])]
                seen += 1
                info(f"{name}{sel}: JSON {hs[0]}")
            check(f"prometheus: {name} buckets agree with the JSON p50/p99/max/count",
                  seen >= 2 and not problems, "; ".join(problems) or f"{seen} label sets")
        # Prometheus's own estimate of the queue wait: fork_echo sleeps 50 ms before each
        # accept and two clients queue, so each waits 50-100 ms: within the 32-131 ms buckets.
        q50 = prom.scalar("histogram_quantile(0.5, lifeline_accept_queue_wait_seconds_bucket"
                          f'{{port="{qsrv.port}"}})')
        check("prometheus: histogram_quantile(0.5) of the queue wait is 32-131 ms",
              q50 is not None and 0.032 <= q50 <= 0.131072, f"{q50} s")
        info(f"queue wait p50: {q50} s by Prometheus")
        # Busy (on CPU) and blocked (idle in the wait) seconds come from the same 64-bit totals
        # as the summary's busy_pct and idle_pct: their ratio must agree. (The 4 x 60 ms stalls
        # are nanosleeps: off CPU, in neither.)
        busy = prom.scalar('lifeline_loop_busy_seconds_total{comm="epoll_echo"}')
        blocked = prom.scalar('lifeline_loop_blocked_seconds_total{comm="epoll_echo"}')
        lp = [e for e in s["loops"] if e["comm"] == "epoll_echo"]
        pct = (100 * lp[0]["busy_pct"] / (lp[0]["busy_pct"] + lp[0]["idle_pct"])
               if len(lp) == 1 and lp[0]["idle_pct"] else None)
        mine = 100 * busy / (busy + blocked) if busy is not None and blocked else None
        check("prometheus: busy / (busy + blocked) seconds is the summary's busy / (busy + idle)",
              mine is not None and pct is not None and busy > 0 and
              abs(mine - pct) <= max(0.5, 0.1 * pct),
              f"busy {busy} s, blocked {blocked} s: {mine} % vs {pct} %")
        info(f"epoll_echo busy {busy} s, blocked {blocked} s: {mine:.2f} % vs summary {pct} %"
             if mine is not None else "no utilisation")
        info(f"scrape comparison done {time.monotonic() - t0:.1f} s after attach")
        for c in held:
            c.close()
    reap_strays()


def test_headless_on_terminal():
    """--prometheus with no --events/--json: no live view even on a terminal; bare PORT binds
    127.0.0.1; SIGTERM ends it with status 0 and the text summary."""
    port = free_port()
    master, slave = pty.openpty()
    err = tempfile.TemporaryFile()
    sleeper = subprocess.Popen(["sleep", "30"])
    # /metrics is served from attach on: its answer is the sign that lifeline is up.
    p = subprocess.Popen([LIFELINE, "--prometheus", str(port), "-p", str(sleeper.pid)],
                         stdin=subprocess.DEVNULL, stdout=slave, stderr=err, cwd=ROOT)
    os.close(slave)
    out = b""
    try:
        wait_until(lambda: p.poll() is not None or
                   http_get(f"http://127.0.0.1:{port}/metrics", 1)[0] == 200, 15, 0.1)
        st, text = http_get(f"http://127.0.0.1:{port}/metrics")
        err.seek(0)
        check("headless: /metrics served once attached",
              st == 200 and "lifeline_events_lost_total 0" in text,
              f"HTTP {st}, exit {p.poll()}; {err.read().decode(errors='replace')[-300:]}")
        addrs = tcp_listen_addrs(port)
        check("headless: a bare port listens on 127.0.0.1 only", addrs == ["0100007F"], addrs)
        st404, _ = http_get(f"http://127.0.0.1:{port}/nothing")
        check("headless: other paths are 404", st404 == 404, st404)
        time.sleep(1.2)  # a live view would have drawn by now (interval 1 s)
        while select.select([master], [], [], 0)[0]:
            out += os.read(master, 65536)
        p.send_signal(signal.SIGTERM)
        rc = p.wait(15)
        end = time.monotonic() + 3
        while time.monotonic() < end:
            if not select.select([master], [], [], 0.2)[0]:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        text_out = out.decode(errors="replace")
        check("headless: no live view on the terminal, the final text summary at the end",
              b"\033[" not in out and "final summary" in text_out,
              f"{len(out)} bytes: {text_out[:200]!r}")
        check("headless: SIGTERM ends it with status 0", rc == 0, rc)
        st, _ = http_get(f"http://127.0.0.1:{port}/metrics", 1)
        check("headless: the port is closed after exit", st == 0, st)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(5)
        err.close()
        os.close(master)
        sleeper.kill()
        sleeper.wait(5)


def test_port_taken():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        p = run_lifeline("--prometheus", f"127.0.0.1:{port}", "-d", "5", timeout=30)
    lines = [ln for ln in p.stderr.splitlines() if not ln.startswith("libbpf:")]
    check("port taken: exit 1 and one line that says so",
          p.returncode == 1 and len(lines) == 1 and "Address already in use" in lines[0]
          and f"127.0.0.1:{port}" in lines[0], f"exit {p.returncode}, stderr {lines}")


if __name__ == "__main__":
    for fn in (test_scrape_matches_summary, test_headless_on_terminal, test_port_taken):
        run_test(fn)
    finish()
