#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""End to end, real BPF: the listen backlog in Prometheus and in the live view.

fork_echo --backlog 3 --accept-delay-ms 100 under 10 concurrent connects fills its queue
(test_patterns.py checks the depth of each accept against the kernel's own limit).
- Prometheus: once lifeline's summaries hold still, /metrics says what the JSON summary says:
  lifeline_accept_backlog_limit/_peak/_full_total for the listener (limit 3 as asked, peak 4:
  the kernel holds limit + 1, full at least once), and the kernel's counters
  lifeline_listen_overflows_total/_drops_total equal the summary's listen_overflows/_drops,
  which lie within what this test read from /proc/net/netstat around the run.
- the live view, on a 120x40 pseudo-terminal: the LISTENERS title says one listener reached
  its queue limit with the kernel's counters, and its row's BACKLOG cell is peak/limit.
"""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lltest import Server, check, failed, finish, free_port, info, run_loadgen  # noqa: E402
from lltest import run_test, wait_until  # noqa: E402
from lltest import LIFELINE, ROOT, Lifeline  # noqa: E402

CONNS = 10      # 4 fit in the queue (limit 3 + 1): the rest are dropped and retried
ESC = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def listen_counters():
    with open("/proc/net/netstat") as f:
        lines = [line.split() for line in f if line.startswith("TcpExt:")]
    v = dict(zip(lines[0][1:], (int(x) for x in lines[1][1:])))
    return v["ListenOverflows"], v["ListenDrops"]


def burst(port):
    """The connections served; a client whose SYNs were dropped retries after 1, 3, 7... s, and
    on a loaded machine one may still time out: the checks hold for what was served."""
    r = run_loadgen(port, "-c", CONNS, "-n", CONNS, "--connect-per-request",
                    "--timeout-ms", "60000", timeout=120)
    return r["requests"]


def scrape(port):
    """{(name, labels text): value} of /metrics; {} when it did not answer."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=3) as r:
            text = r.read().decode()
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        m = re.match(r"^(\w+)(\{[^}]*\})? (\S+)$", line)
        if m:
            out[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return out


def projection(s, pid):
    ls = [x for x in s.get("listeners", []) if x["pid"] == pid]
    lst = ls[0] if ls else {}
    return (tuple(lst.get(k) for k in ("accepts", "backlog_limit", "backlog_peak",
                                       "backlog_full")),
            s.get("listen_overflows"), s.get("listen_drops"))


def prom_projection(m, port):
    lab = '{comm="fork_echo",port="%d"}' % port
    return ((m.get(("lifeline_accepts_total", lab)),
             m.get(("lifeline_accept_backlog_limit", lab)),
             m.get(("lifeline_accept_backlog_peak", lab)),
             m.get(("lifeline_accept_backlog_full_total", lab))),
            m.get(("lifeline_listen_overflows_total", "")),
            m.get(("lifeline_listen_drops_total", "")))


def as_floats(p):
    (a, b, c, d), ov, dr = p
    return tuple(None if x is None else float(x) for x in (a, b, c, d, ov, dr))


def test_prometheus_backlog():
    pport = free_port()
    with Server("fork_echo", "--backlog", "3", "--accept-delay-ms", "100") as srv:
        before = listen_counters()
        with Lifeline("--json", "-i", "0.3", "--prometheus", "127.0.0.1:%d" % pport,
                      "-p", srv.pid) as t:
            r = burst(srv.port)
            # Two summaries in a row that say the same (nothing moves any more), then a scrape
            # that says it too: the exposition and the JSON came from the same numbers.
            state = {"ts": None, "p": None}

            def agree():
                s = t.summary
                if not s or s["ts_ns"] == state["ts"]:
                    return False
                p = as_floats(projection(s, srv.pid))
                held, state["ts"], state["p"] = p == state["p"], s["ts_ns"], p
                if not held:
                    return False
                m = scrape(pport)
                state.update(s=s, m=m)
                return as_floats(prom_projection(m, srv.port)) == p
            ok = wait_until(agree, 20, 0.2)
        after = listen_counters()
    kernel = (after[0] - before[0], after[1] - before[1])
    s, m = state.get("s") or {}, state.get("m") or {}
    want, got = projection(s, srv.pid), prom_projection(m, srv.port)
    info("served %d; summary %s; /metrics %s; kernel around the run %s" % (r, want, got, kernel))
    check("backlog prom: /metrics says what the JSON summary says (accepts, limit, peak, "
          "full; overflows, drops)", ok, (want, got))
    check("backlog prom: %d connections served, as many accepted, limit 3, peak 4, full at "
          "least once" % r, r > 0 and got[0][0] is not None and r <= got[0][0] <= CONNS and
          got[0][1] == 3 and got[0][2] == 4 and got[0][3] >= 1, got)
    ov, dr = got[1], got[2]
    check("backlog prom: overflows and drops within the kernel's over the test (%s)" %
          (kernel,), ov is not None and 0 < ov <= kernel[0] and dr is not None and
          ov <= dr <= kernel[1], (ov, dr))


def read_pty(fd, until, timeout):
    """What the terminal got, escapes taken out, until until(text) or timeout."""
    raw, text = b"", ""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            raw += chunk
            text = ESC.sub("", raw.decode(errors="replace")).replace("\r\n", "\n")
            if until(text):
                break
    return text


def test_live_backlog():
    with Server("fork_echo", "--backlog", "3", "--accept-delay-ms", "100") as srv:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        p = subprocess.Popen([LIFELINE, "-i", "0.3", "-p", str(srv.pid)], stdin=slave,
                             stdout=slave, stderr=subprocess.PIPE, cwd=ROOT,
                             env=dict(os.environ, TERM="xterm"), start_new_session=True)
        os.close(slave)
        try:
            if not read_pty(master, lambda s: re.search(r"lifeline \d+s", s), 15):
                return failed("backlog live", "no live view")
            r = burst(srv.port)
            row = r"^%d\s+fork_echo\s+%d\s.*\s(\d+)/3\s+(\d+)\s*$" % (srv.pid, srv.port)
            text = read_pty(master, lambda s: re.search(row, s, re.M) and
                            "at the queue limit" in s, 20)
        finally:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
            os.close(master)
    frame = text[text.rfind("LISTENERS"):] if "LISTENERS" in text else text[-2000:]
    rows = re.findall(row, text, re.M)
    title = re.findall(r"LISTENERS: 1, 1 at the queue limit \(kernel-wide: (\d+) overflows, "
                       r"(\d+) drops\)", text)
    check("backlog live: %d served; the title names the listener at its limit with the "
          "kernel's counters" % r, r > 0 and title and
          0 < int(title[-1][0]) <= int(title[-1][1]), frame[:600])
    check("backlog live: its row's BACKLOG is peak/3 (peak 4: the kernel holds limit + 1) "
          "and FULL counts accepts", rows and rows[-1][0] == "4" and int(rows[-1][1]) > 0,
          rows[-3:])


if __name__ == "__main__":
    run_test(test_prometheus_backlog)
    run_test(test_live_backlog)
    finish()
