#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""End-to-end tests of the bundled servers, loadgen and forkstorm against /proc's truth.

Run from the repository root after building them:
    make build/fork_echo build/epoll_echo build/udp_echo build/loadgen build/forkstorm
    python3 tests/e2e/test_servers.py
"""

import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lltest import echo, proc_status, slow_upper, timed_check  # noqa: E402
from lltest import (Server, check, children, exit_code, failed, finish, free_port,  # noqa: E402
                    group_members, info, missing_binaries, pgid, ppid, proc_state,
                    run_binary, run_loadgen, run_test, sid, start_binary, wait_until,
                    zombies_of)

BINARIES = ("fork_echo", "epoll_echo", "udp_echo", "loadgen", "forkstorm")


def lg_ok(res, n):
    return res["exit_code"] == 0 and res["requests"] == n and res["errors"] == 0


def lg_summary(res):
    lat = res["latency_us"]
    return (f"{res['requests']} ok, {res['errors']} errors, {res['requests_per_s']:.0f}/s, "
            f"p50 {lat['p50']} us, p99 {lat['p99']} us, max {lat['max']} us")


def settled_zombies(pid, timeout=3.0):
    """Zombie count once every child has exited and the count held still for 60 ms."""
    wait_until(lambda: all(proc_state(c) == "Z" for c in children(pid)), timeout)
    last = [None, 0]

    def steady():
        n = len(zombies_of(pid))
        last[1] = last[1] + 1 if n == last[0] else 0
        last[0] = n
        return last[1] >= 3
    wait_until(steady, timeout, 0.02)
    return last[0]


# ---- fork_echo: reaping ----

def test_reap_none():
    with Server("fork_echo", "--reap", "none", "--child-exit", "3") as s:
        res = run_loadgen(s.port, "-c", "1", "-n", "5", "--connect-per-request")
        check("fork_echo --reap none serves 5 sequential connections", lg_ok(res, 5),
              lg_summary(res))
        wait_until(lambda: len(zombies_of(s.pid)) >= 5, 3)
        kids, zombies = children(s.pid), zombies_of(s.pid)
        check("fork_echo --reap none: 5 connections leave exactly 5 zombies",
              len(kids) == 5 and len(zombies) == 5,
              f"{len(kids)} children, {len(zombies)} zombies")
        codes = {exit_code(z) for z in zombies}
        check("fork_echo --child-exit 3: zombies hold exit status 3", codes == {3 << 8},
              f"wait statuses {codes}")


def test_reap_ignore():
    with Server("fork_echo", "--reap", "ignore") as s:
        lg = start_binary("loadgen", "--port", s.port, "--json", "-c", "4", "-n", "200",
                              "--connect-per-request")
        most, samples = 0, 0
        while lg.poll() is None:
            most = max(most, len(zombies_of(s.pid)))
            samples += 1
        lg.communicate(timeout=10)
        gone = wait_until(lambda: not children(s.pid), 3)
        check("fork_echo --reap ignore: no zombie ever, all children auto-reaped",
              lg.returncode == 0 and most == 0 and gone,
              f"loadgen exit {lg.returncode}, at most {most} zombies in {samples} samples, "
              f"children left {children(s.pid)}")
        info(f"reap ignore: 0 zombies in {samples} /proc samples during 200 connections")


def test_reap_loop():
    with Server("fork_echo", "--reap", "loop") as s:
        res = run_loadgen(s.port, "-c", "25", "-n", "50", "--connect-per-request")
        t0 = time.monotonic()
        clean = wait_until(lambda: not children(s.pid), 3, 0.005)
        check("fork_echo --reap loop: no zombie after a burst of 50", lg_ok(res, 50) and clean,
              f"{lg_summary(res)}; children left {children(s.pid)}")
        info(f"reap loop: all 50 children gone {1000 * (time.monotonic() - t0):.0f} ms "
             f"after loadgen returned")


def test_reap_once():
    with Server("fork_echo", "--reap", "once") as s:
        for attempt in range(1, 5):
            res = run_loadgen(s.port, "-c", "25", "-n", "50", "--connect-per-request")
            leaked = settled_zombies(s.pid)
            if leaked or not lg_ok(res, 50):
                break
            info(f"reap once: burst {attempt} leaked no zombie (coalescing is timing-"
                 f"dependent), retrying")
        check("fork_echo --reap once: coalesced SIGCHLDs leak zombies",
              lg_ok(res, 50) and leaked >= 1, f"{lg_summary(res)}; {leaked} zombies")
        info(f"reap once: {leaked} zombies after {50 * attempt} connections "
             f"(burst {attempt}, 25 concurrent)")


def test_reap_block():
    with Server("fork_echo", "--reap", "block") as s:
        res = run_loadgen(s.port, "-c", "25", "-n", "50", "--connect-per-request")
        t0 = time.monotonic()
        clean = wait_until(lambda: not children(s.pid), 3, 0.005)
        ms = 1000 * (time.monotonic() - t0)
        check("fork_echo --reap block: idle poll timeout reaps the burst within 300 ms",
              lg_ok(res, 50) and clean and ms < 300,
              f"{lg_summary(res)}; clean after {ms:.0f} ms: {bool(clean)}")


def zombie_lifetime(s):
    """Closes one connection, samples its child's state every ~1 ms: (zombie ms, gone ms)."""
    sock = s.connect()
    assert echo(sock, b"ping") == b"ping", "no echo"
    kids = wait_until(lambda: [c for c in children(s.pid) if proc_state(c) != "Z"], 2)
    assert len(kids) == 1, f"expected one live child, have {kids}"
    child = kids[0]
    t_close = time.monotonic()
    sock.close()
    t_zombie = t_gone = None
    while time.monotonic() - t_close < 2:
        st, now = proc_state(child), time.monotonic()
        if st == "Z" and t_zombie is None:
            t_zombie = now
        if st is None:
            t_gone = now
            break
        time.sleep(0.001)
    assert t_zombie and t_gone, f"child {child}: zombie seen {t_zombie}, gone {t_gone}"
    return 1000 * (t_gone - t_zombie), 1000 * (t_gone - t_close)


def test_reap_delay():
    with Server("fork_echo", "--reap-delay-ms", "200") as s:
        runs = [zombie_lifetime(s) for _ in range(3)]
    ok = all(z >= 150 and g <= 400 for z, g in runs)
    check("fork_echo --reap-delay-ms 200: each child a zombie >= 150 ms, gone by 400 ms", ok,
          f"zombie/gone ms: {runs}")
    info("reap-delay 200: zombie for " + ", ".join(f"{z:.1f}" for z, _ in runs) +
         " ms (gone " + ", ".join(f"{g:.1f}" for _, g in runs) + " ms after close)")


# ---- fork_echo: accept queue, daemon, orphans ----

def test_accept_delay():
    with Server("fork_echo", "--accept-delay-ms", "100") as s:
        res = run_loadgen(s.port, "-c", "1", "-n", "5", "--connect-per-request")
    check("fork_echo --accept-delay-ms 100: 5 sequential connections wait >= 100 ms",
          lg_ok(res, 5) and res["latency_us"]["p50"] >= 100000, lg_summary(res))
    info(f"accept-delay 100: {lg_summary(res)}")


def test_daemon():
    tmp = tempfile.mkdtemp(prefix="lltest-")
    pidfile = os.path.join(tmp, "daemon.pid")
    # A relative --pidfile must land in the caller's directory, not in the daemon's "/".
    with Server("fork_echo", "--daemon", "--pidfile", "daemon.pid", cwd=tmp) as s:
        starter = s.proc.wait(5)  # the process we started, which forked the daemon
        pid = s.pid
        with open(pidfile) as f:
            written = f.read().strip()
        status = proc_status(pid)
        umask = status["Umask"]
        sighup_ignored = int(status["SigIgn"], 16) & (1 << (signal.SIGHUP - 1))
        fds = {os.readlink(f"/proc/{pid}/fd/{i}") for i in range(3)}
        res = run_loadgen(s.port, "-n", "5")
        facts = {
            "starter exited 0": starter == 0,
            "daemon is another process": pid != s.proc.pid,
            "pidfile holds its pid": written == str(pid),
            "adopted (parent is not the test)": ppid(pid) not in (os.getpid(), s.proc.pid),
            "session leader": sid(pid) == pid,
            "cwd is /": os.readlink(f"/proc/{pid}/cwd") == "/",
            "umask 0": umask == "0000",
            "SIGHUP ignored": bool(sighup_ignored),
            "stdio on /dev/null": fds == {"/dev/null"},
            "serves echo": lg_ok(res, 5),
        }
        check("fork_echo --daemon --pidfile: " + ", ".join(facts), all(facts.values()),
              "not " + ", ".join(k for k, v in facts.items() if not v))
        info(f"daemon pid {pid}, parent {ppid(pid)}, sid {sid(pid)}, pgid {pgid(pid)}")
        os.kill(pid, signal.SIGTERM)
        gone = wait_until(lambda: proc_state(pid) in (None, "Z") and
                          not os.path.exists(pidfile), 3)
        check("fork_echo --daemon: SIGTERM stops it and removes the pidfile", gone,
              f"state {proc_state(pid)}, pidfile exists {os.path.exists(pidfile)}")
    shutil.rmtree(tmp, ignore_errors=True)


def test_exit_after():
    with Server("fork_echo", "--exit-after", "2") as s:
        a, b = s.connect(), s.connect()
        echoed = echo(a, b"one") == b"one" and echo(b, b"two") == b"two"
        status = s.proc.wait(3)
        kids = [p for p in group_members(s.proc.pid) if p != s.proc.pid]
        alive = [p for p in kids if proc_state(p) not in (None, "Z")]
        parents = {p: ppid(p) for p in alive}
        still = echo(a, b"again") == b"again" and echo(b, b"again") == b"again"
        check("fork_echo --exit-after 2: parent exits 0, both children live on, adopted",
              echoed and status == 0 and len(alive) == 2 and still and
              all(pp != s.proc.pid for pp in parents.values()),
              f"echo {echoed}, exit {status}, children {kids} alive {alive}, "
              f"parents {parents}, still serving {still}")
        info(f"exit-after 2: orphans {alive} adopted by {sorted(set(parents.values()))}")
        a.close()
        b.close()


# ---- epoll_echo ----

def test_epoll_modes():
    for mode in ("lt", "et"):
        with Server("epoll_echo", "--mode", mode) as s:
            small = run_loadgen(s.port, "-c", "8", "-n", "800")
            big = run_loadgen(s.port, "-c", "8", "-n", "64", "--size", "65536",
                              "--timeout-ms", "3000")
        check(f"epoll_echo --mode {mode}: 8 concurrent clients, 64 B and 64 KiB requests",
              lg_ok(small, 800) and lg_ok(big, 64),
              f"64 B: {lg_summary(small)}; 64 KiB: {lg_summary(big)}")
        info(f"epoll {mode}: {lg_summary(small)}")


def test_et_bug():
    args = ("-c", "1", "-n", "1", "--size", "65536", "--timeout-ms", "1000")
    with Server("epoll_echo", "--et-bug") as s:
        small = run_loadgen(s.port, "-c", "4", "-n", "40")
        bug = run_loadgen(s.port, *args)
    with Server("epoll_echo", "--mode", "et") as s:
        good = run_loadgen(s.port, *args)
    check("epoll_echo --et-bug: small requests still echo", lg_ok(small, 40),
          lg_summary(small))
    check("epoll_echo --et-bug: a 64 KiB request stalls until loadgen's timeout",
          bug["errors"] == 1 and bug["exit_code"] != 0, lg_summary(bug))
    check("epoll_echo --mode et: the same 64 KiB request is echoed", lg_ok(good, 1),
          lg_summary(good))


def test_stall():
    with Server("epoll_echo", "--stall-ms", "100", "--stall-every", "5") as s:
        res = run_loadgen(s.port, "-c", "1", "-n", "10")
    lat = res["latency_us"]
    timed_check("epoll_echo --stall-ms 100 --stall-every 5: max latency 100-150 ms, p50 fast",
                0.5, lg_ok(res, 10) and 100000 <= lat["max"] < slow_upper(100000, 150000) and
                lat["p50"] < 100000, lg_summary(res), target=100000)
    info(f"stall: {lg_summary(res)}")


# ---- udp_echo, IPv6 ----

def test_udp():
    with Server("udp_echo") as s:
        res = run_loadgen(s.port, "--udp", "-c", "4", "-n", "400", "--size", "512")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.settimeout(2)
            u.sendto(b"datagram", ("127.0.0.1", s.port))
            got = u.recvfrom(100)[0]
    check("udp_echo echoes datagrams (loadgen --udp and a raw socket)",
          lg_ok(res, 400) and got == b"datagram", f"{lg_summary(res)}; raw {got!r}")


def test_ipv6():
    with Server("epoll_echo", "--host", "::1") as s:
        tcp = run_loadgen(s.port, "-c", "2", "-n", "20", host="::1")
        host = s.host
    with Server("udp_echo", "--host", "::1") as s:
        udp = run_loadgen(s.port, "--udp", "-n", "20", host="::1")
    with Server("fork_echo", "--host", "::1") as s:
        fork = run_loadgen(s.port, "-n", "3", "--connect-per-request", host="::1")
    check("IPv6 ::1: epoll_echo, udp_echo and fork_echo serve loadgen --host ::1",
          host == "::1" and lg_ok(tcp, 20) and lg_ok(udp, 20) and lg_ok(fork, 3),
          f"announced {host}; tcp {lg_summary(tcp)}; udp {lg_summary(udp)}; "
          f"fork {lg_summary(fork)}")


# ---- loadgen ----

def test_loadgen_exact():
    with Server("epoll_echo") as s:
        res = run_loadgen(s.port, "-c", "4", "-n", "10")
    check("loadgen -c 4 -n 10 reports exactly 10 requests", lg_ok(res, 10), lg_summary(res))
    # The server's truth: with --reap none every connection leaves one zombie.
    with Server("fork_echo", "--reap", "none") as s:
        res = run_loadgen(s.port, "-c", "4", "-n", "10", "--connect-per-request")
        n = settled_zombies(s.pid)
    check("loadgen -c 4 -n 10 --connect-per-request makes exactly 10 connections",
          lg_ok(res, 10) and n == 10, f"{lg_summary(res)}; server forked {n}")


def test_loadgen_failures():
    port = free_port()
    t0 = time.monotonic()
    dead = run_loadgen(port, "-n", "3")
    check("loadgen on a dead port: 3 errors, exit 1, one stderr line",
          dead["exit_code"] == 1 and dead["errors"] == 3 and dead["requests"] == 0 and
          len(dead["stderr"].splitlines()) == 1 and time.monotonic() - t0 < 5,
          f"{lg_summary(dead)}, exit {dead['exit_code']}, stderr {dead['stderr']!r}")

    # A server that completes the handshake but never answers must not hang loadgen.
    with socket.socket() as mute:
        mute.bind(("127.0.0.1", 0))
        mute.listen(16)
        t0 = time.monotonic()
        res = run_loadgen(mute.getsockname()[1], "-n", "2", "--timeout-ms", "300")
        took = time.monotonic() - t0
    check("loadgen --timeout-ms 300 against a mute server: 2 errors in ~0.6 s",
          res["errors"] == 2 and res["exit_code"] == 1 and 0.55 <= took < 2,
          f"{lg_summary(res)} in {took:.2f} s")

    # An echo that flips one byte must fail every request.
    with socket.socket() as ls:
        ls.bind(("127.0.0.1", 0))
        ls.listen(16)
        t = threading.Thread(target=corrupting_echo, args=(ls,), daemon=True)
        t.start()
        res = run_loadgen(ls.getsockname()[1], "-n", "3", "--size", "100", "--timeout-ms", "2000")
    check("loadgen checks every echoed byte: a corrupted echo fails each request",
          res["errors"] == 3 and res["requests"] == 0, lg_summary(res))


def corrupting_echo(ls):
    conn, _ = ls.accept()
    with conn:
        conn.settimeout(5)
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                conn.sendall(data[:-1] + bytes([data[-1] ^ 1]))
        except OSError:
            return


# ---- forkstorm ----

def test_forkstorm():
    runs = {
        "-n 300": ("-n", "300"),
        "-n 300 -c 4": ("-n", "300", "-c", "4"),
        "--exec /bin/true -n 20": ("--exec", "/bin/true", "-n", "20"),
        "-d 0.3": ("-d", "0.3"),
    }
    got = {}
    for name, args in runs.items():
        p = run_binary("forkstorm", "--json", *args, timeout=30)
        got[name] = (p.returncode, json.loads(p.stdout) if p.returncode == 0 else p.stderr)
    want = {"-n 300": 300, "-n 300 -c 4": 300, "--exec /bin/true -n 20": 20}
    ok = all(got[k][0] == 0 and got[k][1]["processes"] == n for k, n in want.items())
    ok = ok and got["-d 0.3"][0] == 0 and got["-d 0.3"][1]["processes"] > 0
    check("forkstorm: -n counts exact (with -c 4 and --exec), -d runs", ok, str(got))
    info("forkstorm: " + ", ".join(f"{k} {v[1]['processes_per_s']:.0f}/s"
                                   for k, v in got.items() if v[0] == 0))


# ---- every binary: usage, signals, quiet unless -v ----

BAD_ARGS = {
    "fork_echo": [["--bogus"], ["--port", "70000"], ["--port"], ["--reap", "sometimes"],
                  ["--child-exit", "x"], ["--host", "localhost"], ["--reap-delay-ms", "-5"],
                  ["--reap", "none", "--reap-delay-ms", "10"], ["-x"], ["extra"]],
    "epoll_echo": [["--bogus"], ["--mode", "xt"], ["--maxevents", "0"], ["--timeout-ms", "-2"],
                   ["--stall-every", "3"], ["--read-size", "4k"]],
    "udp_echo": [["--bogus"], ["--port", "abc"], ["--port", "-1"]],
    "loadgen": [["--bogus"], [], ["--port", "1", "-c", "0"], ["--port", "1", "-n", "-1"],
                ["--port", "1", "-n", "5", "-d", "1"], ["--port", "1", "--udp", "--size", "70000"],
                ["--port", "1", "-d", "soon"], ["--port", "1", "--host", "::1::"]],
    "forkstorm": [["--bogus"], ["-n", "0"], ["--exec", "/nonexistent"], ["-c", "many"],
                  ["-n", "99999999999999999999999"]],
}


def test_usage():
    for name, cases in BAD_ARGS.items():
        bad = []
        for args in cases:
            p = run_binary(name, *args, timeout=5)
            lines = p.stderr.splitlines()
            if p.returncode != 2 or len(lines) != 1 or p.stdout:
                bad.append(f"{args}: exit {p.returncode}, stderr {p.stderr!r}")
        h = run_binary(name, "--help", timeout=5)
        if h.returncode != 0 or "usage:" not in h.stdout or h.stderr:
            bad.append(f"--help: exit {h.returncode}")
        check(f"{name}: bad options exit 2 with one stderr line, --help exits 0", not bad,
              "; ".join(bad))


def test_signals_and_quiet():
    for name, sig in (("fork_echo", signal.SIGTERM), ("epoll_echo", signal.SIGINT),
                      ("udp_echo", signal.SIGTERM)):
        with Server(name, "--port", "0") as s:
            if name != "udp_echo":
                with s.connect() as c:
                    echo(c, b"hello")
            status = s.stop(sig)
            check(f"{name}: {signal.Signals(sig).name} gives a clean exit 0, stderr silent "
                  f"without -v", status == 0 and s.stderr() == "",
                  f"exit {status}, stderr {s.stderr()!r}")
    with Server("fork_echo", "-v", "--reap-delay-ms", "1") as s:
        with s.connect() as c:
            echo(c, b"hello")
        logged = wait_until(lambda: "reaped child" in s.stderr(), 2)
        check("fork_echo -v logs connections and reaping to stderr", logged, s.stderr())


TESTS = [test_usage, test_reap_none, test_reap_ignore, test_reap_loop, test_reap_once,
         test_reap_block, test_reap_delay, test_accept_delay, test_daemon, test_exit_after,
         test_epoll_modes, test_et_bug, test_stall, test_udp, test_ipv6, test_loadgen_exact,
         test_loadgen_failures, test_forkstorm, test_signals_and_quiet]


def main():
    os.chdir(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    missing = missing_binaries(*BINARIES)
    if missing:
        failed("servers built", "missing " + ", ".join(f"build/{m}" for m in missing) +
               ": run make " + " ".join(f"build/{m}" for m in missing))
        finish()
    t0 = time.monotonic()
    for t in TESTS:
        run_test(t)
    info(f"servers: {time.monotonic() - t0:.1f} s")
    finish()


if __name__ == "__main__":
    main()
