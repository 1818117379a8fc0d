#!/usr/bin/env python3
"""lifeline's demo: the bundled servers under load, traced live, then the classic bugs one by one.

    make demo                    overview, then every scenario
    make demo SCENARIO=zombie    one scenario: overview zombie coalesce orphan daemon et-bug stall

Each scenario runs a server with its classic bug switched on, drives it, and streams what
lifeline sees with --explain; it ends with "what you saw", written from lifeline's own final
summary (JSON), not from canned numbers. Everything binds 127.0.0.1 and stops by itself.
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
TTY = sys.stdout.isatty()
OVERVIEW_LEAKY_CONNS = 200     # zombies the overview may leave: a few hundred at most


def bold(s):
    return "\033[1m%s\033[0m" % s if TTY else s


def dim(s):
    return "\033[2m%s\033[0m" % s if TTY else s


def say(text=""):
    print(text, flush=True)


class Server:
    def __init__(self, name, *args):
        self.proc = subprocess.Popen([os.path.join(BUILD, name), "--port", "0", *args],
                                     stdout=subprocess.PIPE, text=True, start_new_session=True)
        line = self.proc.stdout.readline().split()     # listening on HOST:PORT pid PID
        if len(line) < 5:
            raise RuntimeError("%s did not start" % name)
        self.port = int(line[2].rsplit(":", 1)[1])
        self.pid = int(line[4])

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(3)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(3)


def loadgen(port, *args, wait=True):
    p = subprocess.Popen([os.path.join(BUILD, "loadgen"), "--port", str(port), "--json",
                          *[str(a) for a in args]], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    if not wait:
        return p
    out, _ = p.communicate(60)
    return json.loads(out.strip().splitlines()[-1]) if out.strip() else None


class Narrated:
    """lifeline --events --json --explain on the given pids, printing each event's sentence."""

    def __init__(self, pids, classes="proc,sock,loop"):
        args = [os.path.join(BUILD, "lifeline"), "-v", "--json", "--explain",
                "--events=" + classes]
        for p in pids:
            args += ["-p", str(p)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.summary = None
        self.events = []
        self.attached = threading.Event()
        self.t0 = None
        threading.Thread(target=self._stderr, daemon=True).start()
        self.reader = threading.Thread(target=self._stdout, daemon=True)
        self.reader.start()
        if not self.attached.wait(15):
            raise RuntimeError("lifeline did not attach (are you root?)")

    def _stderr(self):
        for line in self.proc.stderr:
            if "attached in" in line:
                self.attached.set()
            elif not line.startswith("libbpf:"):
                sys.stderr.write(line)

    def _stdout(self):
        for line in self.proc.stdout:
            try:
                o = json.loads(line)
            except json.JSONDecodeError:
                continue
            if o["type"] == "summary":
                self.summary = o
                continue
            self.events.append(o)
            if self.t0 is None:
                self.t0 = o["ts_ns"]
            t = (o["ts_ns"] - self.t0) / 1e9
            say("%7.3f  %-8s %-7s %s" % (t, o["type"], o.get("pid", ""), o.get("comm", "")))
            if o.get("explain"):
                say(dim("         " + o["explain"]))

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(20)
        self.reader.join(5)
        return self.summary or {}


def header(title, what):
    say()
    say(bold("=== %s" % title))
    say(what)
    say()


def saw(lines):
    say()
    say(bold("What you saw (lifeline's own numbers):"))
    for line in lines:
        say("  - " + line)


def group(summary, key, pid):
    for g in summary.get(key, []):
        if g.get("parent_pid", g.get("adopter_pid")) == pid:
            return g
    return {}


def ms(us):
    return "?" if us is None else "%.1f ms" % (us / 1000.0)


def scenario_zombie():
    header("zombie: a server that never reaps",
           "fork_echo --reap none forks a child per connection and never calls wait().")
    srv = Server("fork_echo", "--reap", "none")
    try:
        n = Narrated([srv.pid], "proc")
        loadgen(srv.port, "-n", 5, "--connect-per-request")
        time.sleep(1.0)
        s = n.stop()
    finally:
        srv.stop()
    z = group(s, "zombies", srv.pid)
    saw(["%d children of fork_echo (pid %d) are zombies now, the oldest %s old" %
         (z.get("now", 0), srv.pid, ms(z.get("oldest_now_us"))),
         "reaped by their parent: %d; cause: %s (%s)" %
         (z.get("reaped", 0), z.get("cause"), z.get("cause_text", "")),
         "killing the parent hands them to init, which reaps them: that is the only cure"])


def scenario_coalesce():
    header("coalesce: one waitpid() per SIGCHLD under a burst",
           "fork_echo --reap once reaps a single child per signal; when children exit together\n"
           "their SIGCHLDs merge into one pending signal, and the rest stay zombies.")
    srv = Server("fork_echo", "--reap", "once")
    try:
        n = Narrated([srv.pid], "proc")
        loadgen(srv.port, "-c", 20, "-n", 60, "--connect-per-request")
        time.sleep(0.5)
        s = n.stop()
    finally:
        srv.stop()
    z = group(s, "zombies", srv.pid)
    saw(["%d SIGCHLD signals arrived while one was already pending (coalesced)" %
         z.get("coalesced_sigchld", 0),
         "%d children reaped, %d left as zombies; cause: %s" %
         (z.get("reaped", 0), z.get("now", 0), z.get("cause")),
         "the fix: loop waitpid(-1, WNOHANG) until it returns 0 (--reap loop)"])


def scenario_orphan():
    header("orphan: the parent exits before its children",
           "fork_echo --exit-after 2 leaves after two accepts; its two serving children are\n"
           "orphaned and the kernel hands them to a new parent.")
    srv = Server("fork_echo", "--exit-after", "2")
    import socket
    try:
        n = Narrated([srv.pid], "proc")
        conns = [socket.create_connection(("127.0.0.1", srv.port), 5) for _ in range(2)]
        srv.proc.wait(5)
        time.sleep(0.5)
        for c in conns:
            c.close()
        time.sleep(3.0)     # init reaps in batches: let it
        s = n.stop()
    finally:
        srv.stop()
    lines = []
    for o in s.get("orphans", []):
        lines.append("%d orphans adopted by %s (pid %d): lived on %s after their parent died, "
                     "reaped %s after they exited" %
                     (o["adopted"], o["adopter_comm"], o["adopter_pid"],
                      ms((o.get("lifetime_us") or {}).get("max")),
                      ms((o.get("reap_us") or {}).get("max"))))
    saw(lines or ["no orphan was recorded"])


def scenario_daemon():
    header("daemon: the classic daemonization",
           "fork_echo --daemon forks; the parent exits, so the child is orphaned and adopted;\n"
           "it calls setsid() and chdir(\"/\") and serves on.")
    n = Narrated([os.getpid()], "proc")
    p = subprocess.Popen([os.path.join(BUILD, "fork_echo"), "--daemon", "--port", "0"],
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline().split()
    p.wait(5)
    daemon, port = int(line[4]), int(line[2].rsplit(":", 1)[1])
    loadgen(port, "-n", 2, "--connect-per-request")
    time.sleep(0.5)
    os.kill(daemon, signal.SIGTERM)
    time.sleep(2.5)
    s = n.stop()
    adopted = [e for e in n.events if e["type"] == "orphan" and e["pid"] == daemon]
    served = [e for e in n.events if e["type"] == "fork" and e.get("ppid") == daemon]
    saw(["the launcher (pid %d) exited at once; the daemon (pid %d) was adopted by %s" %
         (p.pid, daemon, ", ".join("pid %d" % e["adopter_pid"] for e in adopted) or "?"),
         "the daemon forked %d children to serve the connections; in all lifeline saw %d forks "
         "and %d exits" % (len(served), s.get("processes", {}).get("forks", 0),
                            s.get("processes", {}).get("exits", 0))])


def loop_of(summary, pid):
    loops = [l for l in summary.get("loops", []) if l["pid"] == pid]
    return max(loops, key=lambda l: l["wakeups"]) if loops else {}


def scenario_et_bug():
    header("et-bug: edge-triggered epoll with one read per wakeup",
           "epoll_echo --et-bug reads 4 KiB per wakeup; a 64 KiB request leaves data unread,\n"
           "no new edge comes, and the client waits in vain.")
    srv = Server("epoll_echo", "--mode", "et", "--et-bug", "--timeout-ms", "100")
    try:
        n = Narrated([srv.pid], "sock,loop")
        r = loadgen(srv.port, "-n", 1, "--size", 65536, "--timeout-ms", 1500)
        s = n.stop()
    finally:
        srv.stop()
    lp = loop_of(s, srv.pid)
    saw(["the client's request %s" % ("timed out" if r and r["errors"] else "was answered"),
         "the loop woke up %d times with events, and %d times with none (timeouts) while the "
         "client was waiting" % (lp.get("wakeups", 0), lp.get("timeouts", 0)),
         "edge-triggered fds in its interest list at the end: %s; the fix: read until EAGAIN "
         "(--mode et)" % lp.get("et_fds", "?")])


def scenario_stall():
    header("stall: a slow handler blocks the event loop",
           "epoll_echo --stall-ms 200 --stall-every 100: one request in a hundred sleeps 200 ms\n"
           "inside the loop, and every other client waits behind it.")
    srv = Server("epoll_echo", "--stall-ms", "200", "--stall-every", "100")
    try:
        n = Narrated([srv.pid], "loop")
        r = loadgen(srv.port, "-c", 8, "-n", 400)
        s = n.stop()
    finally:
        srv.stop()
    lp = loop_of(s, srv.pid)
    saw(["%d stalls, the longest %s; the loop was busy %.1f%% of the time" %
         (lp.get("stalls", 0), ms(lp.get("max_stall_us")), lp.get("busy_pct", 0)),
         "clients saw a p99 latency of %s against a p50 of %s" %
         (ms(r["latency_us"]["p99"]) if r else "?", ms(r["latency_us"]["p50"]) if r else "?")])


def scenario_overview():
    secs = float(os.environ.get("DEMO_SECS", "15"))
    header("overview: the bundled servers under load, traced live for %g s" % secs,
           "fork_echo reaping in a loop (healthy), fork_echo reaping one child per SIGCHLD\n"
           "(a burst of %d connections leaves coalesced zombies), epoll_echo (a 80 ms stall\n"
           "every 2000 requests) and udp_echo, each driven by loadgen. Ctrl-C ends early."
           % OVERVIEW_LEAKY_CONNS)
    servers = [Server("fork_echo", "--reap", "loop"),
               Server("fork_echo", "--reap", "once"),
               Server("epoll_echo", "--stall-ms", "80", "--stall-every", "2000"),
               Server("udp_echo")]
    args = [os.path.join(BUILD, "lifeline"), "-d", str(secs)]
    for s in servers:
        args += ["-p", str(s.pid)]
    ll = subprocess.Popen(args)
    loads = []
    try:
        time.sleep(1.0)     # attached (it takes ~0.2 s): the load is seen from its start
        loads = [loadgen(servers[0].port, "-c", 4, "-d", secs, "--connect-per-request",
                         wait=False),
                 loadgen(servers[2].port, "-c", 32, "-d", secs, wait=False),
                 loadgen(servers[3].port, "--udp", "-c", 4, "-d", secs, wait=False)]
        time.sleep(secs / 3)
        # The leaky server gets a bounded burst: it can never leave more zombies than that on
        # the machine (under sustained load it filled the pid space in seconds).
        loads.append(loadgen(servers[1].port, "-c", 20, "-n", OVERVIEW_LEAKY_CONNS,
                             "--connect-per-request", wait=False))
        ll.wait()
    except KeyboardInterrupt:
        ll.wait()
    finally:
        for p in loads:
            p.kill()
            p.wait()
        for s in servers:
            s.stop()


SCENARIOS = {"overview": scenario_overview, "zombie": scenario_zombie,
             "coalesce": scenario_coalesce, "orphan": scenario_orphan,
             "daemon": scenario_daemon, "et-bug": scenario_et_bug, "stall": scenario_stall}


def main():
    names = sys.argv[1:] or list(SCENARIOS)
    for name in names:
        if name not in SCENARIOS:
            sys.stderr.write("demo: unknown scenario '%s' (one of: %s)\n" %
                             (name, " ".join(SCENARIOS)))
            return 2
    if os.geteuid() != 0:
        sys.stderr.write("demo: lifeline loads BPF programs: run it as root (sudo make demo)\n")
        return 1
    for name in names:
        SCENARIOS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
