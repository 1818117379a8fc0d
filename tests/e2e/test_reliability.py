#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""Reliability (issue 6), end to end with real BPF: malformed command lines, privilege and
kernel features, stop signals and a closed stdout, and overload (a fork storm into a small ring
buffer whose consumer is held stopped). The soak test is test_soak.py.

Every case ends with lifeline's own BPF programs gone: their ids, read from its fdinfo while it
ran, must no longer exist (other lifelines may be running on the machine at the same time).
"""
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lltest import binary, check, finish, info, run_test, wait_until  # noqa: E402
from lltest import proc_status, skip  # noqa: E402
from lltest import free_port, prog_ids, run_lifeline, tcp_listen_addrs  # noqa: E402
from lltest import LIFELINE, ROOT, Lifeline  # noqa: E402

UNPRIV = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all"]


# ---- helpers ----

def loaded_prog_ids():
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True,
                         timeout=20).stdout
    return {p["id"] for p in json.loads(out or "[]")}


def check_detached(name, ids):
    """The programs lifeline held are gone from the kernel once it has exited."""
    left = ids & loaded_prog_ids() if ids else set()
    check(f"{name}: its {len(ids)} BPF programs are detached and unloaded", ids and not left,
          f"held {sorted(ids)[:5]}..., still loaded: {sorted(left)}" if ids else
          "no program id was seen while it ran")


def sleeper():
    return subprocess.Popen(["sleep", "120"], stdin=subprocess.DEVNULL)


def gated_storm(n):
    """forkstorm -n n that waits for a line on its stdin, so lifeline can attach first; the shell
    execs it, so the pid to trace is the storm's own and it forks exactly n children."""
    return subprocess.Popen(["sh", "-c", f"read go; exec {binary('forkstorm')} -n {n} --json"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def release(storm):
    storm.stdin.write("go\n")
    storm.stdin.close()


def read_storm(storm, timeout):
    """forkstorm's result line, once it has exited (stdin was already closed by release())."""
    if not select.select([storm.stdout], [], [], timeout)[0]:
        raise RuntimeError(f"forkstorm printed nothing in {timeout}s")
    out = storm.stdout.read()
    storm.wait(timeout)
    return out


def end(*procs):
    for p in procs:
        if p and p.poll() is None:
            p.kill()
        if p:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                pass


def last_json(text):
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return None
    return None


def free_pid():
    """A pid no process has, within what --pid accepts."""
    with open("/proc/sys/kernel/pid_max") as f:
        top = min(int(f.read()), 4194304) - 1
    for pid in range(top, top - 1000, -1):
        if not os.path.exists(f"/proc/{pid}"):
            return pid
    raise RuntimeError("no free pid found")


# ---- command line ----

BAD_ARGS = [
    (["-p", "12abc"], "12abc"), (["-p", "-1"], "-1"), (["-p", "0"], "'0'"),
    (["-p", "99999999999999999999999"], "99999"), (["-p", ""], "--pid"),
    (["-p", "0x10"], "0x10"), (["-p", " 5"], "--pid"), (["-p", "4194305"], "4194305"),
    (["-p"], "'p'"), (["--pid"], "--pid"),
    (["-d", "0"], "'0'"), (["-d", "-1"], "-1"), (["-d", "abc"], "abc"), (["-d", "1e3"], "1e3"),
    (["-d", "2s"], "2s"), (["-d", "99999999999999999999"], "--duration"), (["-d"], "'d'"),
    (["-i", "0"], "'0'"), (["-i", "0.0"], "0.0"), (["-i", "-0.5"], "-0.5"), (["-i", "."], "."),
    (["-i", "0.0001"], "0.0001"), (["-d", "1.2.3"], "1.2.3"),
    (["--interval="], "--interval"),
    (["--stall-ms", "0"], "'0'"), (["--stall-ms", "5ms"], "5ms"),
    (["--stall-ms", "18446744073709551616"], "18446744073709551616"),
    (["--ringbuf-kb", "0"], "'0'"), (["--ringbuf-kb", "64x"], "64x"),
    (["--ringbuf-kb", "2000000"], "2000000"), (["--ringbuf-kb"], "--ringbuf-kb"),
    (["--bogus"], "--bogus"), (["-X"], "'X'"), (["--json=yes"], "--json"),
    (["-efoo"], "foo"), (["--events=proc,foo"], "foo"), (["--events=proc,"], "empty"),
    (["--events="], "empty"), (["-e", "procs"], "goes after --"),
    (["-c", "-d", "0.3"], "goes after --"),
    (["-c"], "'c'"), (["-c", ""], "--comm"), (["-c", "a" * 16], "longer"),
    (["--prometheus", "1.2.3:9090"], "1.2.3:9090"), (["--prometheus", ":99999"], "99999"),
    (["--prometheus", "127.0.0.1:0"], "127.0.0.1:0"),
    (["-p", "1", "--", "true"], "cannot be combined"),
]


def test_cli_usage_errors():
    """Every malformed option: one line on stderr naming it, nothing on stdout, status 2."""
    bad = []
    for args, needle in BAD_ARGS:
        p = run_lifeline(*args, timeout=10)
        lines = p.stderr.splitlines()
        ok = (p.returncode == 2 and len(lines) == 1 and lines[0].startswith("lifeline: ")
              and needle in lines[0] and not p.stdout)
        if not ok:
            bad.append(f"{args}: exit {p.returncode}, stderr {lines}, stdout {p.stdout[:60]!r}")
    check(f"cli: {len(BAD_ARGS)} malformed command lines each give one line and status 2",
          not bad, "; ".join(bad))


def test_cli_missing_pid():
    pid = free_pid()
    p = run_lifeline("-p", pid, timeout=10)
    lines = p.stderr.splitlines()
    check("cli: -p of a pid that does not exist: one line naming it, status 1",
          p.returncode == 1 and len(lines) == 1 and str(pid) in lines[0] and not p.stdout,
          f"exit {p.returncode}, stderr {lines}")


def test_cli_help_version():
    h = run_lifeline("--help", timeout=10)
    v = run_lifeline("--version", timeout=10)
    check("cli: --help and --version print to stdout, status 0",
          h.returncode == 0 and "--ringbuf-kb" in h.stdout and not h.stderr and
          v.returncode == 0 and v.stdout.startswith("lifeline ") and not v.stderr,
          f"help {h.returncode} {h.stderr!r}, version {v.returncode} {v.stdout!r}")


# ---- privilege and kernel ----

def one_error_line(p):
    lines = p.stderr.splitlines()
    return lines[0] if len(lines) == 1 else None


def test_unprivileged():
    """nobody without capabilities: one line saying what is missing and what to do, status 1;
    with --prometheus nothing gets served, and a COMMAND is never run."""
    p = run_lifeline("-d", "2", timeout=20, prefix=UNPRIV)
    line = one_error_line(p) or ""
    check("privilege: unprivileged run refused with one line naming root/CAP_BPF/CAP_PERFMON",
          p.returncode == 1 and "CAP_BPF" in line and "CAP_PERFMON" in line and
          "sudo" in line and not p.stdout,
          f"exit {p.returncode}, stderr {p.stderr.splitlines()}, stdout {p.stdout[:80]!r}")

    port = free_port()
    p = run_lifeline("--prometheus", f"127.0.0.1:{port}", "-d", "2", timeout=20, prefix=UNPRIV)
    line = one_error_line(p) or ""
    check("privilege: unprivileged --prometheus refuses to run rather than serve metrics",
          p.returncode == 1 and "CAP_BPF" in line and not p.stdout,
          f"exit {p.returncode}, stderr {p.stderr.splitlines()}")

    d = tempfile.mkdtemp(prefix="ll-unpriv-")
    os.chmod(d, 0o777)
    mark = os.path.join(d, "ran")
    try:
        p = run_lifeline("--", "/bin/sh", "-c", f"touch {mark}", timeout=20, prefix=UNPRIV)
        check("privilege: unprivileged with COMMAND: status 1 and COMMAND never ran",
              p.returncode == 1 and not os.path.exists(mark) and one_error_line(p),
              f"exit {p.returncode}, ran {os.path.exists(mark)}, stderr {p.stderr.splitlines()}")
    finally:
        if os.path.exists(mark):
            os.unlink(mark)
        os.rmdir(d)


def with_caps(caps):
    c = ",".join("+" + x for x in caps)
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", f"--inh-caps={c}",
            f"--ambient-caps={c}"]


def test_caps_instead_of_root():
    """Not root, with capabilities: CAP_BPF + CAP_PERFMON alone cannot read tracefs, and are
    told which one more they need; with CAP_DAC_READ_SEARCH as well, lifeline runs."""
    p = run_lifeline("-d", "2", timeout=20, prefix=with_caps(["bpf", "perfmon"]))
    line = one_error_line(p) or ""
    check("privilege: nobody with CAP_BPF+CAP_PERFMON: one line naming CAP_DAC_READ_SEARCH",
          p.returncode == 1 and "tracefs" in line and "CAP_DAC_READ_SEARCH" in line,
          f"exit {p.returncode}, stderr {p.stderr!r}")
    name = "privilege: nobody with CAP_BPF+CAP_PERFMON+CAP_DAC_READ_SEARCH runs, status 0"
    level = perf_event_paranoid()
    if level <= 2:
        check_runs_with_caps(name)
        test_service_caps()
        return
    # Debian's default 3: attaching a tp/ program (perf_event_open) needs CAP_SYS_ADMIN.
    p = run_with_caps()
    line = one_error_line(p) or ""
    check(f"privilege: at perf_event_paranoid {level} the same is refused with one line naming "
          "the sysctl, CAP_SYS_ADMIN and the fix", p.returncode == 1 and
          f"perf_event_paranoid is {level}" in line and "CAP_SYS_ADMIN" in line and
          "perf_event_paranoid=2" in line, f"exit {p.returncode}, stderr {p.stderr!r}")
    if not os.environ.get("LL_TEST_KERNELS"):
        skip(name, f"kernel.perf_event_paranoid is {level}: this test lowers it only inside a "
             "make test-kernels guest, never on the machine it runs on")
        return
    set_perf_event_paranoid(2)
    try:
        check_runs_with_caps(name + " (perf_event_paranoid 2, the fix it names)")
    finally:
        set_perf_event_paranoid(level)
    test_service_caps()


PARANOID = "/proc/sys/kernel/perf_event_paranoid"


def perf_event_paranoid():
    with open(PARANOID) as f:
        return int(f.read())


def set_perf_event_paranoid(level):
    with open(PARANOID, "w") as f:
        f.write(f"{level}\n")


def run_with_caps():
    return run_lifeline("--json", "-d", "0.5", timeout=20,
                        prefix=with_caps(["bpf", "perfmon", "dac_read_search"]))


def check_runs_with_caps(name):
    p = run_with_caps()
    s = last_json(p.stdout)
    check(name, p.returncode == 0 and s and s.get("final") and not p.stderr,
          f"exit {p.returncode}, stderr {p.stderr!r}")


def service_caps():
    """The capabilities examples/lifeline.service keeps, as setpriv names them (bpf, ...)."""
    with open(os.path.join(ROOT, "examples", "lifeline.service")) as f:
        for line in f:
            if line.startswith("CapabilityBoundingSet="):
                return [c.lower().removeprefix("cap_") for c in line.split("=", 1)[1].split()]
    return []


def test_service_caps():
    """Root limited to the example service's CapabilityBoundingSet runs, on this kernel with its
    perf_event_paranoid: the README's and the unit's minimum is the true one."""
    caps = service_caps()
    p = run_lifeline("--json", "-d", "0.5", timeout=20,
                     prefix=["setpriv", "--bounding-set=-all," + ",".join("+" + c for c in caps),
                             "--inh-caps=-all"])
    s = last_json(p.stdout)
    check(f"privilege: root with only the service's capabilities {caps} runs, status 0 "
          f"(perf_event_paranoid {perf_event_paranoid()})",
          caps and p.returncode == 0 and s and s.get("final") and not p.stderr,
          f"exit {p.returncode}, stderr {p.stderr!r}")


def test_root_without_caps():
    """Root whose capabilities were dropped (as in a container) gets the same clear line, not an
    EPERM from the loader."""
    p = run_lifeline("-d", "2", timeout=20,
                     prefix=["setpriv", "--bounding-set=-bpf,-perfmon,-sys_admin", "--inh-caps=-all"])
    line = one_error_line(p) or ""
    check("privilege: root without CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN refused with one clear line",
          p.returncode == 1 and "CAP_BPF" in line, f"exit {p.returncode}, stderr {p.stderr!r}")


def test_metrics_loopback():
    """--prometheus :PORT (no address) serves on 127.0.0.1 only."""
    port = free_port()
    target = sleeper()
    ll = Lifeline("--prometheus", f":{port}", "-p", target.pid, stdout=subprocess.DEVNULL)
    try:
        ll.start()
        addrs = wait_until(lambda: tcp_listen_addrs(port), 5, 0.02)
        ll.signal(signal.SIGTERM)
        rc = ll.exit_status(10)
    finally:
        ll.kill()
        end(target)
    check("metrics: --prometheus :PORT listens on 127.0.0.1 only", addrs == ["0100007F"] and
          rc == 0, f"listening on {addrs}, exit {rc}")


def in_mount_ns(script, timeout=30):
    """Runs a shell script in a private mount namespace (what it mounts stays there)."""
    return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, cwd=ROOT)


def test_no_btf():
    p = in_mount_ns(f"mount -t tmpfs none /sys/kernel/btf && exec {LIFELINE} -d 2")
    line = one_error_line(p) or ""
    check("kernel: no /sys/kernel/btf/vmlinux: one line naming BTF and the config option, status 1",
          p.returncode == 1 and "BTF" in line and "CONFIG_DEBUG_INFO_BTF" in line,
          f"exit {p.returncode}, stderr {p.stderr!r}")


def test_tracefs():
    """tracefs not mounted: lifeline mounts it; when it cannot, it says so and how."""
    p = in_mount_ns("umount /sys/kernel/tracing 2>/dev/null; "
                    "test ! -e /sys/kernel/tracing/events || exit 99; "
                    f"{LIFELINE} --json -d 0.5 && test -e /sys/kernel/tracing/events")
    s = last_json(p.stdout)
    check("kernel: tracefs unmounted: lifeline mounts it itself and runs (status 0, summary)",
          p.returncode == 0 and s and s.get("final") and not p.stderr,
          f"exit {p.returncode}, stderr {p.stderr!r}")
    p = in_mount_ns("umount /sys/kernel/tracing 2>/dev/null; "
                    f"exec setpriv --bounding-set=-sys_admin {LIFELINE} -d 2")
    line = one_error_line(p) or ""
    check("kernel: tracefs unmounted and not mountable: one line naming it and the fix, status 1",
          p.returncode == 1 and "tracefs" in line and "mount -t tracefs" in line,
          f"exit {p.returncode}, stderr {p.stderr!r}")


def test_missing_tracepoint():
    """An optional tracepoint the kernel lacks (hidden here in a mount namespace): lifeline runs
    without it and says so once, naming them."""
    empty = tempfile.mkdtemp(prefix="ll-empty-")
    ev = "/sys/kernel/tracing/events/syscalls"
    hide = "; ".join(f"mount --bind {empty} {ev}/{t}" for t in
                     ("sys_exit_epoll_pwait2", "sys_exit_accept4"))
    try:
        p = in_mount_ns(f"{hide} && exec {LIFELINE} --json --loops calls -d 0.5")
    finally:
        os.rmdir(empty)
    lines = p.stderr.splitlines()
    s = last_json(p.stdout)
    check("kernel: optional tracepoints missing: one line naming both, runs, status 0",
          p.returncode == 0 and s and s.get("final") and len(lines) == 1 and
          "sys_exit_epoll_pwait2" in lines[0] and "sys_exit_accept4" in lines[0] and
          "without" in lines[0], f"exit {p.returncode}, stderr {lines}")


# ---- signals ----

SIGNAL_CASES = [
    # signal, JSON?, stdout to a file (else a pipe)
    (signal.SIGTERM, True, True),
    (signal.SIGHUP, True, False),
    (signal.SIGINT, True, True),
    (signal.SIGTERM, False, False),
    (signal.SIGHUP, False, True),
]


def test_stop_signals():
    """SIGTERM, SIGHUP and SIGINT end the run: the final summary is written to the file or the
    pipe, the programs are detached, status 0."""
    target = sleeper()
    try:
        for sig, js, to_file in SIGNAL_CASES:
            one_stop_signal(target.pid, sig, js, to_file)
    finally:
        end(target)


def one_stop_signal(pid, sig, js, to_file):
    name = f"signals: {sig.name}, {'JSON' if js else 'text'} to a {'file' if to_file else 'pipe'}"
    out = tempfile.TemporaryFile(mode="w+") if to_file else subprocess.PIPE
    args = (["--json"] if js else []) + ["-p", pid]
    ll = Lifeline(*args, stdout=out, read_stdout=False).start()
    try:
        ll.signal(sig)
        if to_file:
            rc = ll.exit_status(10)
            out.seek(0)
            text = out.read()
        else:
            try:
                text, _ = ll.proc.communicate(timeout=10)
                rc = ll.exit_status(1)
            except subprocess.TimeoutExpired:
                text, rc = "", None
    finally:
        ll.kill()
    if js:
        s = last_json(text)
        got = s is not None and s.get("type") == "summary" and s.get("final") is True
    else:
        got = "final summary" in text
    check(f"{name}: status 0 and the final summary written", rc == 0 and got and not ll.errors(),
          f"exit {rc}, summary {got}, stderr {ll.errors()}, output tail {text[-200:]!r}")
    check_detached(name, ll.ids)


def test_signal_before_attach():
    """A stop signal while the programs are still being loaded still ends the run cleanly."""
    target = sleeper()
    try:
        p = subprocess.Popen([LIFELINE, "--json", "-p", str(target.pid)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        # As soon as it handles SIGTERM, before its programs are loaded and attached.
        wait_until(lambda: catches(p.pid, signal.SIGTERM), 10, 0.001)
        early = not prog_ids(p.pid)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=20)
        s = last_json(out)
        check("signals: SIGTERM before the programs are attached: status 0, final summary",
              early and p.returncode == 0 and s and s.get("final") and not err,
              f"before attach {early}, exit {p.returncode}, stderr {err!r}, out {out[-120:]!r}")
    finally:
        end(target)


def sigmask(pid, field, sig):
    """Whether sig is in the /proc/PID/status mask field (SigCgt, SigPnd, ShdPnd)."""
    v = proc_status(pid).get(field)
    return bool(v) and bool(int(v, 16) & (1 << (sig - 1)))


def catches(pid, sig):
    return sigmask(pid, "SigCgt", sig)


def handled(pid, sig):
    """sig is no longer pending for pid: its handler has run."""
    return not sigmask(pid, "SigPnd", sig) and not sigmask(pid, "ShdPnd", sig)


def blocked_in_write(pid):
    try:
        with open(f"/proc/{pid}/wchan") as f:
            return "pipe_write" in f.read()
    except OSError:
        return False


def storm_into_full_pipe():
    """lifeline streaming a fork storm's events into a pipe nobody reads, until it blocks."""
    storm = gated_storm(3000)
    r, w = os.pipe()
    ll = Lifeline("--events=proc", "--json", "-p", storm.pid, stdout=w)
    try:
        ll.start()
    finally:
        os.close(w)
    release(storm)
    blocked = wait_until(lambda: blocked_in_write(ll.proc.pid), 30, 0.02)
    return storm, ll, r, blocked


def read_to_eof(fd, chunks):
    """Reads what fd has within 1 s into chunks: True at its end."""
    if not select.select([fd], [], [], 1)[0]:
        return False
    b = os.read(fd, 1 << 16)
    chunks.append(b)
    return not b


def test_sigint_slow_reader():
    """Ctrl-C while the output is blocked on a slow reader: nothing is lost to EINTR, the
    summary follows once the reader catches up, status 0."""
    storm, ll, r, blocked = storm_into_full_pipe()
    try:
        if not check("signals: lifeline blocks writing to a full pipe", blocked, "never blocked"):
            return
        ll.signal(signal.SIGINT)
        # Read only once the handler has run: the blocked write it interrupted must resume,
        # not fail with EINTR and take the summary with it.
        wait_until(lambda: handled(ll.proc.pid, signal.SIGINT), 5, 0.002)
        chunks = []
        wait_until(lambda: read_to_eof(r, chunks), 30, 0)
        rc = ll.exit_status(10)
        text = b"".join(chunks).decode(errors="replace")
        s = last_json(text)
        check("signals: SIGINT with a slow reader: the stream ends with the final summary, "
              "status 0", rc == 0 and s and s.get("type") == "summary" and s.get("final"),
              f"exit {rc}, last line {text[-200:]!r}, stderr {ll.errors()}")
    finally:
        os.close(r)
        ll.kill()
        end(storm)
    check_detached("signals: SIGINT with a slow reader", ll.ids)


def test_second_sigint():
    """A second Ctrl-C exits at once with status 130, even while the first one's shutdown is
    stuck writing to a reader that does not read."""
    storm, ll, r, blocked = storm_into_full_pipe()
    try:
        if not check("signals: lifeline blocks writing to a full pipe (2)", blocked,
                     "never blocked"):
            return
        ll.signal(signal.SIGINT)
        wait_until(lambda: handled(ll.proc.pid, signal.SIGINT), 5, 0.002)
        # Handled, and back to (still) waiting for the reader, as the shutdown is: the write the
        # handler interrupted resumes, so pipe_write shows again a moment later (under
        # emulation, a long moment: one read of wchan right after the handler can miss it).
        def after_first():
            rc = ll.proc.poll()
            if rc is not None:
                return f"exited {rc}"
            return "blocked" if blocked_in_write(ll.proc.pid) else None
        first = wait_until(after_first, 5, 0.002)
        ll.signal(signal.SIGINT)
        t0 = time.monotonic()
        rc = ll.exit_status(5)
        took = time.monotonic() - t0
        check("signals: first SIGINT waits for the blocked output, the second exits at once "
              "with 130", first == "blocked" and rc == 130 and took < 2,
              f"after the first: {first}, after the second: {rc} in {took:.2f}s")
    finally:
        os.close(r)
        ll.kill()
        end(storm)
    check_detached("signals: second SIGINT", ll.ids)


def test_closed_stdout():
    """lifeline --events | head -1: when the reader goes, lifeline ends quietly, status 0 --
    also when it has nothing to write (it notices without a write)."""
    p = subprocess.run(["bash", "-c", f"set -o pipefail; {LIFELINE} --events | head -1 >/dev/null"],
                       capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
    check("sigpipe: lifeline --events | head -1 ends with status 0 and no error output",
          p.returncode == 0 and not p.stderr, f"exit {p.returncode}, stderr {p.stderr!r}")

    p = subprocess.run(["bash", "-c", f"set -o pipefail; {LIFELINE} --events -- "
                        "sh -c 'sleep 0.3; exit 3' | head -1 >/dev/null"],
                       capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
    check("sigpipe: lifeline --events -- COMMAND | head -1 waits for COMMAND, exits with its "
          "status", p.returncode == 3 and not p.stderr, f"exit {p.returncode}, stderr {p.stderr!r}")

    with open("/dev/full", "w") as full:
        p = run_lifeline("--json", "-d", "0.3", stdout=full, stderr=subprocess.PIPE, timeout=20)
    line = one_error_line(p) or ""
    check("output: a write error other than a gone reader (/dev/full) is one line and status 1",
          p.returncode == 1 and "cannot write" in line and "No space" in line,
          f"exit {p.returncode}, stderr {p.stderr!r}")

    target = sleeper()
    try:
        for js in (False, True):
            name = f"sigpipe: {'JSON' if js else 'text'} stream of an idle process, reader closed"
            ll = Lifeline("--events", *(["--json"] if js else []), "-p", target.pid,
                          read_stdout=False).start()
            try:
                if not js:
                    ll.proc.stdout.readline()  # the header: the reader has read something
                ll.proc.stdout.close()
                t0 = time.monotonic()
                rc = ll.exit_status(5)
                took = time.monotonic() - t0
            finally:
                ll.kill()
            check(f"{name}: exits within 1 s, status 0, quietly",
                  rc == 0 and took < 1 and not ll.errors(),
                  f"exit {rc} after {took:.2f}s, stderr {ll.errors()}")
            check_detached(name, ll.ids)
    finally:
        end(target)


# ---- overload ----

STORM_N = 2000


class LiveView:
    """lifeline's live view on a pseudo-terminal of 50x160, read in the background."""

    def __init__(self, *args):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
        self.ll = Lifeline(*args, stdout=slave)
        try:
            self.ll.start()
        finally:
            os.close(slave)
        self.buf = bytearray()
        self._th = threading.Thread(target=self._read, daemon=True)
        self._th.start()

    def _read(self):
        while True:
            try:
                b = os.read(self.master, 65536)
            except OSError:
                return
            if not b:
                return
            self.buf += b

    def text(self):
        return self.buf.decode(errors="replace")

    def close(self):
        self.ll.kill()
        self._th.join(5)
        os.close(self.master)


def test_overload():
    """A fork storm into a 64 KiB ring buffer whose consumer is held stopped (SIGSTOP) while the
    storm runs, as a tracer starved of CPU would be. The kernel side must count every record it
    drops, per type: for forks, delivered + lost == the N children forkstorm made."""
    storm = gated_storm(STORM_N)
    t = Lifeline("--json", "--ringbuf-kb", "64", "-p", storm.pid)
    live, ids = None, set()
    try:
        t.start()
        ids = prog_ids(t.proc.pid)
        live = LiveView("--ringbuf-kb", "64", "-i", "0.2", "-p", storm.pid)
        stopped = [t.proc.pid, live.ll.proc.pid]
        for pid in stopped:
            os.kill(pid, signal.SIGSTOP)
        t0 = time.monotonic()
        release(storm)
        out = read_storm(storm, 120)
        wall_us = (time.monotonic() - t0) * 1e6
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
        res = json.loads(out.strip().splitlines()[-1])
        info(f"storm: {res['processes']} processes at {res['processes_per_s']}/s")
        shown = wait_until(lambda: re.search(r"LOST (\d+)", live.text()), 10, 0.05)
        live.ll.signal(signal.SIGINT)
        live_rc = live.ll.exit_status(10)
        rc = t.stop()
    finally:
        if live:
            live.close()
        t.proc and t.proc.poll() is None and t.proc.kill()
        end(storm)
    s = t.summary or {}
    sent, lost = s.get("sent_by_type", {}), s.get("lost_by_type", {})
    procs = s.get("processes", {})
    info("summary: events %s lost %s sent_by_type %s lost_by_type %s processes %s" %
         (s.get("events"), s.get("lost"), sent, lost, procs))
    check("overload: storm ran, lifeline exited 0", res["processes"] == STORM_N and rc == 0,
          f"storm {res}, lifeline {rc}")
    check("overload: records were dropped, and lost is the sum of lost_by_type",
          s.get("lost", 0) > 0 and s["lost"] == sum(lost.values()), f"lost {s.get('lost')}")
    n_fork = sent.get("fork", 0) + lost.get("fork", 0)
    check(f"overload: fork records delivered + lost == {STORM_N} children forked",
          n_fork == STORM_N, f"sent {sent.get('fork')} + lost {lost.get('fork')} = {n_fork}")
    # Every child exits and is reaped, and so does forkstorm itself (reaped by this test).
    for ty in ("exit", "reap"):
        n = sent.get(ty, 0) + lost.get(ty, 0)
        check(f"overload: {ty} records delivered + lost == {STORM_N + 1}",
              n == STORM_N + 1, f"sent {sent.get(ty)} + lost {lost.get(ty)} = {n}")
    check("overload: what was sent was delivered (processes.forks == sent fork, events == sent)",
          procs.get("forks") == sent.get("fork") and s.get("events") == sum(sent.values()),
          f"forks {procs.get('forks')}, events {s.get('events')}, sent {sum(sent.values())}")
    z = [g for g in s.get("zombies", []) if g["parent_comm"] == "forkstorm"]
    reaped = z[0]["reaped"] if z else 0
    lmax = (z[0].get("lifetime_us") or {}).get("max", 0) if z else 0
    inc = procs.get("incomplete", 0)
    # The children lifeline heard of: each has a full lifetime or is counted incomplete (one may
    # straddle the moment the ring filled: its fork delivered, its exit and reap both lost).
    gap = sent.get("fork", 0) - (reaped + inc)
    check("overload: each child heard of has a complete lifetime or is counted incomplete",
          0 <= gap <= 1 and procs.get("zombies_now") == 0,
          f"forks delivered {sent.get('fork')}, complete {reaped}, incomplete {inc}, "
          f"zombies now {procs.get('zombies_now')}")
    check("overload: no lifetime is made up from mismatched records (max <= the storm's time)",
          0 < lmax <= wall_us, f"zombie lifetime max {lmax} us, storm {wall_us:.0f} us")
    txt = live.text() if live else ""
    m = re.findall(r"(\d+) EVENTS LOST", txt)
    check("overload: the live view shows LOST n, the final text summary the lost events",
          shown and int(shown.group(1)) > 0 and m and int(m[-1]) >= int(shown.group(1)) and
          live_rc == 0, f"live {shown and shown.group(0)}, final {m}, exit {live_rc}")
    check_detached("overload", ids | (live.ll.ids if live else set()))


def main():
    if os.geteuid() != 0:
        check("reliability: needs root", False, "run as root")
        finish()
    for fn in (test_cli_usage_errors, test_cli_missing_pid, test_cli_help_version,
               test_unprivileged, test_caps_instead_of_root, test_root_without_caps,
               test_metrics_loopback, test_no_btf, test_tracefs,
               test_missing_tracepoint, test_stop_signals, test_signal_before_attach,
               test_sigint_slow_reader, test_second_sigint, test_closed_stdout, test_overload):
        t0 = time.monotonic()
        run_test(fn)
        info(f"{fn.__name__}: {time.monotonic() - t0:.1f}s")
    finish()


if __name__ == "__main__":
    main()
