# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""Shared helpers for lifeline's end-to-end tests (Python 3 standard library only).

Reporting -- every test prints exactly one line per check, which tests/run.sh counts:
    check(name, cond, detail)   PASS when cond is true, else FAIL with detail
    passed(name), failed(name, why), info(text) (a "  # text" diagnostic line)
    skip(name, why)             SKIP name: why -- a check that cannot hold here, and why
    run_test(fn)                runs fn(); an exception becomes "FAIL fn: exception"
    finish()                    exits 1 if anything failed (or nothing was reported)

Processes -- every wait is bounded:
    Server(name, *args)         context manager: starts build/<name> in its own session, reads
                                its "listening on HOST:PORT pid PID" line, exposes .host .port
                                .pid .proc, and kills its whole process group(s) on exit
    run_loadgen(port, *args)    runs build/loadgen --json, returns the parsed result dict
    run_binary(name, *args)     runs build/<name>, returns subprocess.CompletedProcess
    start_binary(name, *args)   starts build/<name> in the background, returns the Popen
    echo(sock, data)            sends data, returns what came back (short on EOF or timeout)

Timing -- under emulation (make test-kernels) CPU work runs SLOWDOWN times slower, while a
delay (a sleep, a timer) stays real time and only gains a latency on its way (in us). The
guest's worst less the host's best (scripts/guest-init.sh), by scripts/latency-probe.py;
0 (SLOWDOWN 1) when unset:
    SLOWDOWN                    LL_SLOWDOWN: the guest's fork+exit+wait rate against the host's
    ADDED_US                    LL_ADDED_US: what a delay around a fork, an exit and a reap gains
    START_US                    LL_START_US: what each process start (fork+exec) in it adds
    added_us(starts)            the widening of a duration holding that many process starts
    slow_within(v, target, rel, starts=0)  v within target +-rel, each bound widened by it
    slow_upper(target, hi, starts=0)       hi, widened by it
    slow_floor(lo, starts=0)    a floor lo, lowered by it
    slow_limit(limit)           an upper bound on a latency, scaled by SLOWDOWN
    timing_skip(name, rel, target=None, starts=0)  SKIPs name when its widened slack reaches
                                the duration itself (target); without a target, for CPU work,
                                when SLOWDOWN is beyond 1+rel
    timed_check(name, rel, ok, detail="", target=None, starts=0)  check(name, ok), or that SKIP

/proc -- the kernel's own truth; every helper returns None (or []) for a vanished pid:
    proc_state(pid)  ppid(pid)  pgid(pid)  sid(pid)  exit_code(pid)  pids()
    proc_status(pid)            /proc/PID/status as {field: value} ({} once gone)
    children(pid)  zombies_of(pid)  group_members(pgid)
    wait_until(fn, timeout, interval)   polls fn until it returns something true
    tcp_listen_addrs(port)  fdinfo_ids(pid, key)  prog_ids(pid)

lifeline itself -- every wait is bounded:
    Lifeline(*args, stdout=PIPE, ...)  lifeline -v ARGS: .start() waits for "attached in N us"
                                (.attach_us, .ids: its BPF program ids), .stop() by a signal,
                                .wait() for runs that end by themselves; .lines .stderr_lines
                                .errors() .objects() .events(kind) .summary; a context manager
    run_lifeline(*args, timeout, prefix, **kw)  lifeline to completion: a CompletedProcess
                                that also unpacks as (returncode, stdout, stderr)
    no_loss(name, t)  find(objs, **kv)  within(v, target, rel)  set_subreaper()

Paths are relative to the repository root, found from this file's location; set
LL_BUILD_DIR to test binaries built elsewhere (e.g. a sanitizer build).
"""

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("LL_BUILD_DIR") or os.path.join(ROOT, "build")
LIFELINE = os.path.join(BUILD, "lifeline")

_counts = {"pass": 0, "fail": 0, "skip": 0}


def _env_number(name, default, lo, hi):
    """The number in environment variable name (default when unset), clamped to lo..hi."""
    try:
        v = float(os.environ.get(name) or default)
    except ValueError:
        raise SystemExit(f"{name}={os.environ[name]!r}: not a number")
    return min(max(v, lo), hi)


SLOWDOWN = _env_number("LL_SLOWDOWN", 1.0, 1.0, 1000.0)
ADDED_US = _env_number("LL_ADDED_US", 0.0, 0.0, 60e6)
START_US = _env_number("LL_START_US", 0.0, 0.0, 60e6)


# ---- reporting ----

def passed(name):
    _counts["pass"] += 1
    print(f"PASS {name}", flush=True)


def failed(name, why):
    _counts["fail"] += 1
    why = " ".join(str(why).split())  # one line, whatever the detail was
    print(f"FAIL {name}: {why}", flush=True)


def check(name, cond, detail=""):
    """PASS name if cond is true, else FAIL name: detail. Returns bool(cond)."""
    if cond:
        passed(name)
    else:
        failed(name, detail or "condition is false")
    return bool(cond)


def skip(name, why):
    """SKIP name: why -- counted apart; for a check that cannot hold here (say why)."""
    _counts["skip"] += 1
    why = " ".join(str(why).split())
    print(f"SKIP {name}: {why}", flush=True)


def info(text):
    """A short diagnostic line; not counted by the test runner."""
    print(f"  # {text}", flush=True)


def run_test(fn, name=None):
    """Runs one test function; an unexpected exception is reported as its failure."""
    name = name or fn.__name__
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - any crash is this test's failure
        tb = traceback.extract_tb(e.__traceback__)[-1]
        failed(name, f"{type(e).__name__}: {e} (line {tb.lineno})")


def finish():
    """Exits 1 if any check failed or none ran, else 0."""
    if not _counts["pass"] and not _counts["fail"] and not _counts["skip"]:
        failed(os.path.basename(sys.argv[0]), "ran no check")
    sys.exit(1 if _counts["fail"] else 0)


# ---- binaries and servers ----

def binary(name):
    return os.path.join(BUILD, name)


def missing_binaries(*names):
    """Names among *names with no executable in build/."""
    return [n for n in names if not os.access(binary(n), os.X_OK)]


def run_binary(name, *args, timeout=30, **kw):
    """Runs build/<name> with args; stdout/stderr captured as text; raises on timeout."""
    return subprocess.run([binary(name), *map(str, args)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout, **kw)


def start_binary(name, *args, **kw):
    """Starts build/<name> in the background (stdout piped as text, stderr discarded);
    the caller bounds its waits, e.g. proc.communicate(timeout=...)."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.DEVNULL)
    return subprocess.Popen([binary(name), *map(str, args)], stdin=subprocess.DEVNULL,
                            text=True, **kw)


def _read_line(fd, timeout):
    """Reads one line from a pipe fd within timeout; None on timeout or EOF."""
    buf = b""
    deadline = time.monotonic() + timeout
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 4096)
        if not chunk:
            return None
        buf += chunk
    return buf.split(b"\n", 1)[0].decode(errors="replace")


LISTEN_RE = re.compile(r"^listening on (\[?[^\]]*\]?):(\d+) pid (\d+)$")


class Server:
    """A bundled server under test, in its own session so that its children die with it.

        with Server("fork_echo", "--reap", "none") as s:
            run_loadgen(s.port, "-n", "10")

    "--port 0" is added unless args contain --port. .pid is the pid the server announced
    (the daemon's own pid with --daemon), .proc the Popen of what was started.
    """

    def __init__(self, name, *args, ready_timeout=5.0, cwd=None):
        self.name = name
        self.args = [str(a) for a in args]
        if "--port" not in self.args and "-p" not in self.args:
            self.args = ["--port", "0"] + self.args
        self.ready_timeout = ready_timeout
        self.cwd = cwd
        self.proc = None
        self.host = self.port = self.pid = None
        self._stderr = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.kill()
        return False

    def start(self):
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([binary(self.name), *self.args], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=self._stderr,
                                     cwd=self.cwd, start_new_session=True)
        line = _read_line(self.proc.stdout.fileno(), self.ready_timeout)
        m = LISTEN_RE.match(line or "")
        if not m:
            self.kill()
            raise RuntimeError(f"{self.name} {' '.join(self.args)}: no 'listening on' line "
                               f"(got {line!r}, stderr {self.stderr()!r})")
        self.host, self.port, self.pid = m.group(1).strip("[]"), int(m.group(2)), int(m.group(3))
        return self

    def stderr(self):
        """What the server wrote on stderr so far."""
        if not self._stderr:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def connect(self, timeout=2.0):
        """A TCP connection to the server, with timeout set on the socket."""
        return socket.create_connection((self.host, self.port), timeout=timeout)

    def stop(self, sig=signal.SIGTERM, timeout=3.0):
        """Sends sig to the started process; returns its exit status (None if it hung)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        """SIGKILLs every process group this server made (its children included)."""
        if not self.proc:
            return
        groups = {self.proc.pid}
        if self.pid and sid(self.pid) == self.pid:  # a daemon leads its own session
            groups.add(self.pid)
        for g in groups:
            try:
                os.killpg(g, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        if self.proc.stdout:
            self.proc.stdout.close()
        if self._stderr:
            self._stderr.close()
            self._stderr = None


def run_loadgen(port, *args, host=None, timeout=60):
    """Runs build/loadgen --json against port; returns its result dict.

    The dict is loadgen's JSON plus "exit_code" and "stderr". Raises RuntimeError if loadgen
    printed no result line (for example on a usage error).
    """
    argv = ["--port", port, "--json", *args]
    if host:
        argv = ["--host", host, *argv]
    p = run_binary("loadgen", *argv, timeout=timeout)
    for line in p.stdout.splitlines():
        if line.startswith("{"):
            res = json.loads(line)
            res["exit_code"] = p.returncode
            res["stderr"] = p.stderr.strip()
            return res
    raise RuntimeError(f"loadgen {' '.join(map(str, argv))}: exit {p.returncode}, "
                       f"no result (stderr {p.stderr.strip()!r})")


def free_port(kind=socket.SOCK_STREAM, host="127.0.0.1"):
    """A port nothing listens on right now (the kernel's choice, then released)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


# ---- lifeline itself ----

class LifelineError(Exception):
    """lifeline did not attach, stop or end in time, or printed a line that is not JSON."""


ATTACHED_RE = re.compile(r"attached in (\d+) us")


class Lifeline:
    """lifeline -v ARGS as a child process; every wait is bounded.

        with Lifeline("--events=all", "--json", "-p", pid) as t:
            ...drive the workload...
        t.events("reap"), t.summary

    stdout=PIPE is read here into .lines (and each JSON object handed to on_object(o) as it
    comes) unless read_stdout=False leaves .proc.stdout to the caller; so is a file, an fd or
    a pty slave. prefix is what runs lifeline (setpriv ...), exe another lifeline binary;
    echo_stderr copies its diagnostics to our stderr as they come."""

    def __init__(self, *args, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, prefix=(),
                 exe=None, attach_timeout=15.0, stop_signal=signal.SIGINT, on_object=None,
                 echo_stderr=False, read_stdout=True):
        self.args = [*prefix, exe or LIFELINE, "-v", *map(str, args)]
        self.stdout, self.stdin = stdout, stdin
        self.attach_timeout = attach_timeout
        self.stop_signal = stop_signal
        self.on_object = on_object
        self.echo_stderr = echo_stderr
        self.read_stdout = read_stdout and stdout == subprocess.PIPE
        self.proc = None
        self.lines = []          # stdout lines, when read here
        self.stderr_lines = []   # stderr lines but libbpf's
        self.returncode = None
        self.attached = False
        self.attach_us = None    # from its "attached in N us" line
        self.attached_at = None  # time.monotonic() when that line was read
        self.ids = set()         # its BPF program ids, once attached
        self._attach_seen = threading.Event()
        self._threads = []

    def _read_stdout(self):
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            self.lines.append(line)
            if self.on_object and line.startswith("{"):
                try:
                    o = json.loads(line)
                except json.JSONDecodeError:
                    continue
                self.on_object(o)

    def _read_stderr(self):
        for line in self.proc.stderr:
            if "attached in" in line:
                m = ATTACHED_RE.search(line)
                self.attach_us = int(m.group(1)) if m else None
                self.attached_at = time.monotonic()
                self.attached = True
                self._attach_seen.set()
            elif self.echo_stderr and not line.startswith("libbpf:"):
                sys.stderr.write(line)
            if not line.startswith("libbpf:"):
                self.stderr_lines.append(line.rstrip("\n"))
        self._attach_seen.set()  # it ended: start() need not wait any longer

    def _run_reader(self, fn):
        th = threading.Thread(target=fn, daemon=True)
        th.start()
        self._threads.append(th)

    def start(self):
        self.proc = subprocess.Popen(self.args, stdout=self.stdout, stderr=subprocess.PIPE,
                                     stdin=self.stdin, text=True, errors="replace", cwd=ROOT)
        if self.read_stdout:
            self._run_reader(self._read_stdout)
        self._run_reader(self._read_stderr)
        self._attach_seen.wait(self.attach_timeout)
        if not self.attached:
            self.kill()
            raise LifelineError("lifeline did not attach within %.0f s: %s" %
                                (self.attach_timeout, " | ".join(self.errors()[-5:])))
        self.ids = prog_ids(self.proc.pid)
        return self

    def _join(self):
        for th in self._threads:
            th.join(5)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=20.0):
        """Sends the stop signal and waits: its exit status. Raises if it does not end."""
        if self.proc is None or self.returncode is not None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(self.stop_signal)
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise LifelineError("lifeline did not stop within %.0f s of a signal" % timeout)
        self._join()
        return self.returncode

    def wait(self, timeout=30.0):
        """For runs that end by themselves (-- COMMAND, --duration): the exit status. Raises,
        after stopping it, if it is still running after timeout."""
        rc = self.exit_status(timeout)
        if rc is None:
            self.stop()
            raise LifelineError("lifeline did not end by itself within %.0f s" % timeout)
        return rc

    def exit_status(self, timeout):
        """The exit status, or None if it is still running after timeout."""
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self._join()
        return self.returncode

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def errors(self):
        """stderr lines that are not -v chatter."""
        return [ln for ln in self.stderr_lines if "attached in" not in ln]

    def objects(self):
        out = []
        for line in self.lines:
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise LifelineError("invalid JSON line from lifeline: %s: %r" % (e, line))
        return out

    def events(self, kind=None):
        return [o for o in self.objects() if o.get("type") != "summary" and
                (kind is None or o.get("type") == kind)]

    @property
    def summary(self):
        sums = [o for o in self.objects() if o.get("type") == "summary"]
        return sums[-1] if sums else None


class LifelineRun(subprocess.CompletedProcess):
    """A finished run; also unpacks as (returncode, stdout, stderr)."""

    def __iter__(self):
        return iter((self.returncode, self.stdout, self.stderr))


def run_lifeline(*args, timeout=30.0, prefix=(), **kw):
    """lifeline ARGS (after prefix, e.g. setpriv ...) to completion, output captured as text."""
    kw.setdefault("stdin", subprocess.DEVNULL)
    kw.setdefault("cwd", ROOT)
    if "stdout" not in kw and "stderr" not in kw:
        kw["capture_output"] = True
    p = subprocess.run([*prefix, LIFELINE, *map(str, args)], text=True, timeout=timeout, **kw)
    return LifelineRun(p.args, p.returncode, p.stdout, p.stderr)


def no_loss(name, t):
    """Every run's summary must report zero lost events."""
    s = t.summary
    check(name + ": zero lost events", s is not None and s["lost"] == 0,
          "summary lost=%s" % (s or {}).get("lost"))


def find(objs, **kv):
    """The objects whose fields equal kv."""
    return [o for o in objs if all(o.get(k) == v for k, v in kv.items())]


def within(value, target, rel):
    """value within rel (e.g. 0.10) of target."""
    return value is not None and abs(value - target) <= rel * target


def set_subreaper():
    """Make this test process the adopter of orphans in its subtree (PR_SET_CHILD_SUBREAPER),
    so adoption is deterministic and prompt, instead of going to init's batches."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(36, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


# ---- /proc ----

def _stat(pid):
    """Fields of /proc/PID/stat after the comm, so index 0 is field 3 (state); None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return data[data.rindex(")") + 2:].split()


def _field(pid, number):
    st = _stat(pid)
    return None if st is None else (st[0] if number == 3 else int(st[number - 3]))


def echo(sock, data):
    """Sends data and returns the echo (all of it, or what came before EOF or timeout)."""
    sock.sendall(data)
    got = b""
    while len(got) < len(data):
        chunk = sock.recv(len(data) - len(got))
        if not chunk:
            break
        got += chunk
    return got


def proc_status(pid):
    """/proc/PID/status as {field: value}, {} once pid is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return {k: v.strip() for k, sep, v in (ln.partition(":") for ln in f) if sep}
    except OSError:
        return {}


def proc_state(pid):
    """'R', 'S', 'D', 'Z', ... as the kernel reports it; None once the pid is gone."""
    return _field(pid, 3)


def ppid(pid):
    return _field(pid, 4)


def pgid(pid):
    return _field(pid, 5)


def sid(pid):
    return _field(pid, 6)


def exit_code(pid):
    """A zombie's wait status (exit code << 8, or the signal), from /proc/PID/stat field 52."""
    return _field(pid, 52)


def pids():
    """Every process (thread group) id in /proc."""
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def children(pid):
    """Processes whose parent is pid, zombies included."""
    return [p for p in pids() if ppid(p) == pid]


def zombies_of(pid):
    return [c for c in children(pid) if proc_state(c) == "Z"]


def group_members(pg):
    """Processes in process group pg."""
    return [p for p in pids() if pgid(p) == pg]


def tcp_listen_addrs(port):
    """Local addresses (hex, as /proc/net/tcp{,6} show them) listening on TCP port."""
    out = []
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(path) as f:
            for line in f.readlines()[1:]:
                loc, st = line.split()[1], line.split()[3]
                addr, p = loc.split(":")
                if st == "0A" and int(p, 16) == port:
                    out.append(addr)
    return out


def fdinfo_ids(pid, key):
    """The values of "key:" (prog_id, map_id, ...) over process pid's /proc/PID/fdinfo."""
    ids = set()
    fddir = f"/proc/{pid}/fdinfo"
    try:
        fds = os.listdir(fddir)
    except OSError:
        return ids
    for fd in fds:
        try:
            with open(f"{fddir}/{fd}") as f:
                for line in f:
                    if line.startswith(key + ":"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass
    return ids


def prog_ids(pid):
    """Ids of the BPF programs process pid holds (its prog and link fds)."""
    return fdinfo_ids(pid, "prog_id")


def wait_until(fn, timeout=5.0, interval=0.01):
    """Calls fn every interval until it returns something true, at most timeout seconds.
    Returns that value, or fn's last (false) value on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)


# ---- timing under emulation ----


# ---- cgroup v2 ----------------------------------------------------------------------------------

def mountinfo_cgroup2():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            if right.split()[:1] == ["cgroup2"]:
                return left.split()[4]
    return None


CG2 = mountinfo_cgroup2()


def cg_rel(path):
    return path[len(CG2):] or "/"


def proc_cgroup2(pid):
    """The cgroup v2 path /proc/PID/cgroup gives, or None."""
    try:
        with open("/proc/%d/cgroup" % pid) as f:
            for line in f:
                if line.startswith("0::"):
                    return line[3:].strip()
    except OSError:
        return None
    return None


def cg_procs(path):
    with open(os.path.join(path, "cgroup.procs")) as f:
        return {int(x) for x in f.read().split()}


def cg_place(path, pid):
    with open(os.path.join(path, "cgroup.procs"), "w") as f:
        f.write(str(pid))


def cg_remove(path):
    """Kill what is left in it (and below), then remove it; bounded."""
    if not os.path.isdir(path):
        return
    for sub in sorted((os.path.join(d, n) for d, ns, _ in os.walk(path) for n in ns),
                      key=len, reverse=True):
        cg_remove(sub)
    for pid in cg_procs(path) if os.path.exists(os.path.join(path, "cgroup.procs")) else ():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    wait_until(lambda: not cg_procs(path), timeout=10)
    for _ in range(200):
        try:
            os.rmdir(path)
            return
        except OSError:
            time.sleep(0.05)
    info("could not remove %s" % path)


def added_us(starts=0):
    """What emulation adds to a timed duration that holds starts process starts (fork+exec):
    the delay's own latency, or each start's (which holds a delay's too)."""
    return max(ADDED_US, starts * START_US)


def slow_within(value, target, rel, starts=0):
    """value within target*(1-rel) .. target*(1+rel), each bound widened by added_us(starts):
    emulation adds latency (process start, scheduling, a late timer) around what a check
    times, to the value or, when the truth is itself a measure (a program's own clock), to the
    truth. Natively (nothing added) exactly +-rel."""
    return value is not None and target * (1 - rel) - added_us(starts) <= value <= slow_upper(
        target, target * (1 + rel), starts)


def slow_upper(target, hi, starts=0):
    """The upper bound hi of a duration whose truth is target, widened by the latency
    emulation adds (added_us): 100 ms +30 ms becomes 100 ms +30 ms +ADDED_US. A delay is real
    time in a guest too, so its error does not grow with the slowdown factor."""
    return hi + added_us(starts)


def slow_floor(lo, starts=0):
    """A floor lo on a duration, lowered by the latency emulation adds (added_us): the part of
    a wait before its sleep, or the truth it is measured against, may carry it."""
    return lo - added_us(starts)


def slow_limit(limit):
    """An upper bound on a latency (a poll, a wake-up), scaled by the measured slowdown."""
    return limit * SLOWDOWN


def timing_skip(name, rel, target=None, starts=0):
    """True, after reporting SKIP name, when a +-rel check of a duration cannot hold here: its
    widened slack would reach the duration itself, so it could no longer tell the truth from
    twice the truth. A delay of target us gains added_us(starts); CPU work (no target) runs
    SLOWDOWN times slower, which a +-rel check holds only up to 1+rel."""
    if target is not None:
        if target * rel + added_us(starts) < target:
            return False
        skip(name, f"cannot hold under emulation: the {added_us(starts) / 1000:.0f} ms emulation "
                   f"adds (a delay{f' and {starts} process start(s)' if starts else ''}), with "
                   f"the +-{rel:.0%} slack, reaches the {target / 1000:g} ms measured")
        return True
    if SLOWDOWN <= 1 + rel:
        return False
    skip(name, f"cannot hold under emulation: the CPU work it times runs {SLOWDOWN:g} times "
               f"slower, beyond its +-{rel:.0%} slack")
    return True


def timed_check(name, rel, ok, detail="", target=None, starts=0):
    """check(name, ok, detail) of a duration given +-rel of slack (ok computed with
    slow_within/slow_upper), or SKIP name when that slack cannot hold (timing_skip)."""
    if timing_skip(name, rel, target, starts):
        return None
    return check(name, ok, detail)
