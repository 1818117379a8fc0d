#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""The live view in a real terminal (tmux), at 80x24 and 200x50: keys, no echo, every line
within the width with cause words whole, redraw on resize, and the terminal given back (echo,
canonical mode, a visible cursor) after q, after SIGTERM and after a crash signal."""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lltest import check, failed, finish, info, run_test, Server, run_loadgen, wait_until  # noqa
from lltest import LIFELINE  # noqa: E402

TAG = f"h4live{os.getpid()}"
TMP = f"/tmp/h4-live-{os.getpid()}"
CAUSES = ("never-waits", "sigchld-blocked", "sigchld-ignored", "coalesced", "init-batch",
          "slow-reaper", "none")


def tmux(*args, check_rc=True):
    p = subprocess.run(["tmux", "-L", TAG, *args], capture_output=True, text=True, timeout=10)
    if check_rc and p.returncode:
        raise RuntimeError(f"tmux {args}: {p.stderr.strip()}")
    return p.stdout


class Term:
    """One tmux window running bash, its raw output recorded."""

    def __init__(self, name, cols, rows):
        self.name, self.raw = name, f"{TMP}-{name}.raw"
        tmux("new-session", "-d", "-s", name, "-x", str(cols), "-y", str(rows),
             "env", "PS1=$ ", "TERM=xterm", "bash", "--norc", "--noprofile")
        tmux("set-option", "-t", name, "status", "off")
        tmux("pipe-pane", "-t", name, "-o", f"cat >> {self.raw}")

    def keys(self, *keys):
        tmux("send-keys", "-t", self.name, *keys)

    def line(self, text):
        self.keys("-l", text)
        self.keys("Enter")

    def screen(self):
        return tmux("capture-pane", "-p", "-t", self.name)

    def wait_for(self, pattern, timeout=15):
        return wait_until(lambda: re.search(pattern, self.screen(), re.M), timeout, 0.1)

    def raw_bytes(self):
        try:
            with open(self.raw, "rb") as f:
                return f.read()
        except OSError:
            return b""


def width_ok(screen, cols):
    lines = screen.split("\n")
    long = [ln for ln in lines if len(ln) > cols]
    return not long, long[:2]


def causes_whole(screen):
    """Every CAUSE cell of the zombie rows is a whole cause word."""
    bad = []
    for ln in screen.split("\n"):
        m = re.match(r"^\d+\s+\S+\s+\d+\s", ln)
        if m and ("never" in ln or "coalesc" in ln or "init" in ln):
            word = ln.split()[-1]
            if word not in CAUSES:
                bad.append(ln)
    return bad


def stty_of(term, name):
    out = f"{TMP}-{name}.stty"
    term.line(f"stty -a > {out}; echo STTY-DONE")
    # The marker alone on a line: the typed command shows it at once, before stty has run.
    term.wait_for(r"^STTY-DONE$", 10)
    with open(out) as f:
        return f.read()


def restored(stty):
    words = stty.split()
    return "echo" in words and "icanon" in words


def live_run(term, pid, name, more=(), interval="0.3"):
    pidfile = f"{TMP}-{name}.pid"
    pids = " ".join(f"-p {p}" for p in (pid, *more))
    term.line(f"sh -c 'echo $$ > {pidfile}; exec {LIFELINE} -i {interval} {pids}'; "
              f"echo RC=$? > {TMP}-{name}.rc")
    if not term.wait_for(r"^lifeline \d+s"):
        raise RuntimeError(f"no live view: {term.screen()[:300]!r}")
    wait_until(lambda: os.path.exists(pidfile) and open(pidfile).read().strip(), 5)
    return int(open(pidfile).read())


def rc_of(name):
    path = f"{TMP}-{name}.rc"
    wait_until(lambda: os.path.exists(path) and open(path).read().strip(), 15)
    return open(path).read().strip() if os.path.exists(path) else None


def test_live_keys_fit_resize_quit():
    with Server("fork_echo", "--reap", "none") as srv, Server("fork_echo") as idle:
        run_loadgen(srv.port, "-n", 5, "--connect-per-request")
        term = Term("keys", 80, 24)
        try:
            live_run(term, srv.pid, "keys", (idle.pid,))
            run_loadgen(idle.port, "-n", 3, "--connect-per-request")
            ok = term.wait_for(r"never-waits")
            scr = term.screen()
            check("live 80x24: the zombie row with its cause, never cut", ok and
                  not causes_whole(scr), scr)
            fits, long = width_ok(scr, 80)
            check("live 80x24: no line longer than 80 columns", fits, long)
            check("live 80x24: the headline keeps whole words (zombies 5 shown, h: help)",
                  re.search(r"^lifeline \d+s\s+zombies 5\s+orphans \d+.*h: help", scr, re.M),
                  scr)
            term.keys("-l", "xyz")
            time.sleep(0.7)     # two refreshes: echoed text would have been drawn by now
            check("live: typed keys are not echoed", "xyz" not in term.screen(), term.screen())
            term.keys("h")
            check("live: h shows the help", term.wait_for(r"^Keys:"), term.screen())
            term.keys("?")
            check("live: ? goes back", term.wait_for(r"ZOMBIES by parent"), term.screen())
            term.keys("p")
            check("live: p pauses", term.wait_for(r"PAUSED"), term.screen())
            term.keys("p")
            term.keys("s")
            check("live: s cycles the sort", term.wait_for(r"sorted by oldest"), term.screen())
            idle_row = rf"^{idle.pid}\s+fork_echo\s+0\s"
            ok = term.wait_for(r"1 idle hidden: a", 5)
            check("live: a parent with no zombies now and no reaps this interval is hidden",
                  ok and not re.search(idle_row, term.screen(), re.M), term.screen())
            term.keys("a")
            check("live: a shows it", term.wait_for(idle_row, 5), term.screen())
            tmux("resize-window", "-t", "keys", "-x", "200", "-y", "50")
            ok = term.wait_for(r"COALESCED CAUSE", 5)
            scr = term.screen()
            fits, long = width_ok(scr, 200)
            check("live 200x50: redrawn wide after the resize (all columns), within 200",
                  ok and fits, scr[:400])
            term.keys("q")
            rc = rc_of("keys")
            check("live: q quits with status 0", rc == "RC=0", rc)
            stty = stty_of(term, "keys")
            check("live: after q the terminal has echo and icanon back", restored(stty), stty)
            raw = term.raw_bytes()
            check("live: the cursor was hidden, and shown again at the end",
                  b"\033[?25l" in raw and raw.rfind(b"\033[?25h") > raw.rfind(b"\033[?25l"),
                  f"{len(raw)} bytes")
        finally:
            tmux("kill-session", "-t", "keys", check_rc=False)


def test_live_wakes_on_keys_and_resize():
    """With a 60 s interval, the first screen, a key's answer and a resize's redraw can only come
    from lifeline reacting to them, not from its refresh."""
    term = Term("wake", 80, 24)
    try:
        t0 = time.monotonic()
        live_run(term, os.getpid(), "wake", interval="60")
        # The headline counts from the start of the attach, which a loaded machine stretches:
        # drawn at once, it says no more than the time since the command was typed.
        up = time.monotonic() - t0
        m = re.search(r"^lifeline (\d+)s", term.screen(), re.M)
        check("live -i 60: the first screen is drawn at once (its headline says %s, within "
              "the %.1f s since the start)" % (m and m.group(1) + "s", up),
              m and int(m.group(1)) <= up + 1, term.screen())
        term.keys("h")
        check("live -i 60: a key is answered at once (stdin wakes the loop)",
              term.wait_for(r"^Keys:", 10), term.screen())
        term.keys("h")
        tmux("resize-window", "-t", "wake", "-x", "200", "-y", "50")
        # Only a redraw at the new size has a line over 80 columns (the headline's dropped
        # fields come back); the body may be empty (nothing to show), so it is not waited on.
        check("live -i 60: a resize redraws at once (SIGWINCH)",
              wait_until(lambda: not width_ok(term.screen(), 80)[0], 10),
              term.screen())
        term.keys("q")
        check("live -i 60: q quits at once", rc_of("wake") == "RC=0")
    finally:
        tmux("kill-session", "-t", "wake", check_rc=False)


def test_live_command_output_to_log():
    term = Term("cmd", 80, 24)
    errf = f"{TMP}-cmd.err"
    try:
        term.line(f"{LIFELINE} -i 0.3 -- sh -c 'echo MARK-OUT; echo MARK-ERR >&2; sleep 1.5' "
                  f"2> {errf}; echo RC=$? > {TMP}-cmd.rc")
        seen = term.wait_for(r"^lifeline \d+s", 10)
        marks = []
        t_end = time.monotonic() + 10
        while time.monotonic() < t_end and not os.path.exists(f"{TMP}-cmd.rc"):
            if "MARK-" in term.screen():
                marks.append(term.screen())
            time.sleep(0.1)
        rc = rc_of("cmd")
        err = open(errf).read() if os.path.exists(errf) else ""
        m = re.search(r"the command's output is in (\S+)", err)
        log = open(m.group(1)).read() if m and os.path.exists(m.group(1)) else ""
        check("live -- COMMAND: its stdout and stderr never reach the screen, they go to the "
              "log named on stderr", seen and not marks and "MARK-OUT" in log and
              "MARK-ERR" in log and rc == "RC=0", f"{rc} {err!r} {marks[:1]}")
        if m and os.path.exists(m.group(1)):
            os.unlink(m.group(1))
    finally:
        tmux("kill-session", "-t", "cmd", check_rc=False)


def signal_case(sig, want_rc):
    name = f"sig{int(sig)}"
    term = Term(name, 80, 24)
    try:
        pid = live_run(term, os.getpid(), name)
        os.kill(pid, sig)
        rc = rc_of(name)
        stty = stty_of(term, name)
        raw = term.raw_bytes()
        check(f"live: after {sig.name} the terminal has echo and icanon back and the cursor "
              f"is shown ({rc})", restored(stty) and rc == want_rc and
              raw.rfind(b"\033[?25h") > raw.rfind(b"\033[?25l"), f"{rc} {stty[:200]}")
    finally:
        tmux("kill-session", "-t", name, check_rc=False)


def test_live_sigterm():
    signal_case(signal.SIGTERM, "RC=0")


def test_live_crash_signal():
    signal_case(signal.SIGSEGV, "RC=139")


if not shutil.which("tmux"):
    failed("live: tmux", "tmux is not installed (make test installs it: TEST_PKGS)")
else:
    # A tmux server exits with its last session, and a new-session racing that exit fails
    # ("server exited unexpectedly"): one idle session keeps it up between the tests.
    tmux("new-session", "-d", "-s", "keep", "cat")
    for fn in (test_live_keys_fit_resize_quit, test_live_wakes_on_keys_and_resize,
               test_live_command_output_to_log,
               test_live_sigterm, test_live_crash_signal):
        run_test(fn)
    tmux("kill-server", check_rc=False)
    for f in os.listdir("/tmp"):
        if f.startswith(os.path.basename(TMP)):
            os.unlink(os.path.join("/tmp", f))
finish()
