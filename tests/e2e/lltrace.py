"""Running lifeline under test: start it, wait until its programs are attached, stop it with a
signal, and hand back what it printed (JSON lines parsed).

    with Tracer("--events=all", "--json", "-p", str(pid)) as t:
        ...drive the workload...
    t.events("reap")      # JSON event objects of that type
    t.summary             # the final summary object (or None)
"""
import json
import os
import signal
import subprocess
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIFELINE = os.path.join(os.environ.get("LL_BUILD_DIR") or os.path.join(ROOT, "build"), "lifeline")


class TracerError(Exception):
    pass


class Tracer:
    """lifeline as a child process. Every wait is bounded."""

    def __init__(self, *args, attach_timeout=15.0, stop_signal=signal.SIGINT):
        self.args = [LIFELINE, "-v"] + [str(a) for a in args]
        self.attach_timeout = attach_timeout
        self.stop_signal = stop_signal
        self.proc = None
        self.lines = []          # stdout lines
        self.stderr_lines = []
        self.returncode = None
        self._attached = threading.Event()

    def _read_stdout(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def _read_stderr(self):
        for line in self.proc.stderr:
            if "attached in" in line:
                self._attached.set()
            if not line.startswith("libbpf:"):
                self.stderr_lines.append(line.rstrip("\n"))

    def start(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, errors="replace", cwd=ROOT)
        self._threads = [threading.Thread(target=self._read_stdout, daemon=True),
                         threading.Thread(target=self._read_stderr, daemon=True)]
        for th in self._threads:
            th.start()
        if not self._attached.wait(self.attach_timeout):
            self.stop()
            raise TracerError("lifeline did not attach within %.0f s: %s" %
                              (self.attach_timeout, " | ".join(self.stderr_lines[-5:])))
        return self

    def stop(self, timeout=20.0):
        if self.proc is None or self.returncode is not None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(self.stop_signal)
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.returncode = self.proc.wait(5)
            raise TracerError("lifeline did not stop within %.0f s of a signal" % timeout)
        for th in self._threads:
            th.join(5)
        return self.returncode

    def wait(self, timeout=30.0):
        """For runs that end by themselves (-- COMMAND, --duration)."""
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise TracerError("lifeline did not end by itself within %.0f s" % timeout)
        for th in self._threads:
            th.join(5)
        return self.returncode

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def objects(self):
        out = []
        for line in self.lines:
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise TracerError("invalid JSON line from lifeline: %s: %r" % (e, line))
        return out

    def events(self, kind=None):
        return [o for o in self.objects() if o.get("type") != "summary" and
                (kind is None or o.get("type") == kind)]

    @property
    def summary(self):
        sums = [o for o in self.objects() if o.get("type") == "summary"]
        return sums[-1] if sums else None


def run(*args, timeout=30.0):
    """lifeline to completion: (returncode, stdout, stderr)."""
    p = subprocess.run([LIFELINE] + [str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout, cwd=ROOT)
    return p.returncode, p.stdout, p.stderr


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


def no_loss(name, t):
    """Every run's summary must report zero lost events."""
    from lltest import check
    s = t.summary
    check(name + ": zero lost events", s is not None and s["lost"] == 0,
          "summary lost=%s" % (s or {}).get("lost"))


def find(objs, **kv):
    return [o for o in objs if all(o.get(k) == v for k, v in kv.items())]


def wait_for(fn, timeout=10.0, interval=0.01):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = fn()
        if v:
            return v
        time.sleep(interval)
    return fn()
