#!/usr/bin/env python3
"""lifeline's demo: the bundled servers under load, traced live, then the classic bugs one by one.

    make demo                    overview, then every scenario
    make demo SCENARIO=zombie    one scenario: overview zombie coalesce orphan daemon et-bug stall
                                 vfork wait-status udp backlog tour

Each scenario runs a server with its classic bug switched on, drives it, and streams what
lifeline sees with --explain; it ends with "what you saw", written from lifeline's own final
summary (JSON), not from canned numbers. Everything binds 127.0.0.1 and stops by itself.
Each scenario also leaves its lifeline chart (--svg) in build/demo/NAME.svg (LL_CHART_DIR).
"""
import json
import re
import os
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from lltest import Lifeline, LifelineError, Server  # noqa: E402  (the harness the tests use)
TTY = sys.stdout.isatty()
# Each scenario's lifeline chart (--svg) goes here, one SVG per scenario.
CHART_DIR = os.environ.get("LL_CHART_DIR") or os.path.join(BUILD, "demo")
CHART = {"path": None}     # the running scenario's chart
OVERVIEW_LEAKY_CONNS = 200     # zombies the overview may leave: a few hundred at most


def bold(s):
    return "\033[1m%s\033[0m" % s if TTY else s


def dim(s):
    return "\033[2m%s\033[0m" % s if TTY else s


def say(text=""):
    print(text, flush=True)


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
        args = ["--json", "--explain", "--events=" + classes]
        for p in pids:
            args += ["-p", str(p)]
        if CHART["path"]:
            args += ["--svg", CHART["path"]]
        self.summary = None
        self.events = []
        self.t0 = None
        self.fold = (None, 0)   # (type and sentence without its numbers, how many left out)
        self.ll = Lifeline(*args, exe=os.path.join(BUILD, "lifeline"), on_object=self._show,
                           echo_stderr=True)
        try:
            self.ll.start()
        except LifelineError as e:
            raise RuntimeError("%s (are you root?)" % e)

    def _show(self, o):
        """Called for each JSON object as it comes: narrates it."""
        if o["type"] == "summary":
            self.summary = o
            return
        self.events.append(o)
        if self.t0 is None:
            self.t0 = o["ts_ns"]
        t = (o["ts_ns"] - self.t0) / 1e9
        # A burst of events alike but for their numbers is told once, then counted.
        shape = (o["type"], re.sub(r"\d+", "", o.get("explain", "")))
        if shape == self.fold[0]:
            self.fold = (shape, self.fold[1] + 1)
            return
        self._fold_flush()
        self.fold = (shape, 0)
        say("%7.3f  %-8s %-7s %s" % (t, o["type"], o.get("pid", ""), o.get("comm", "")))
        if o.get("explain"):
            say(dim("         " + o["explain"]))

    def _fold_flush(self):
        if self.fold[1]:
            say(dim("         … %d more %ss like this" % (self.fold[1], self.fold[0][0])))
        self.fold = (self.fold[0], 0)

    def stop(self):
        self.ll.stop()
        self._fold_flush()
        for f in (self.summary or {}).get("findings", []):
            say(bold("lifeline finds (%s): " % f["severity"]) + f["what"])
            say("         fix: " + f["advice"])
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
    srv = Server("fork_echo", "--reap", "none").start()
    try:
        n = Narrated([srv.pid], "proc")
        loadgen(srv.port, "-n", 5, "--connect-per-request")
        time.sleep(1.0)
        s = n.stop()
    finally:
        srv.kill()
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
    srv = Server("fork_echo", "--reap", "once").start()
    try:
        n = Narrated([srv.pid], "proc")
        loadgen(srv.port, "-c", 20, "-n", 60, "--connect-per-request")
        time.sleep(0.5)
        s = n.stop()
    finally:
        srv.kill()
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
    srv = Server("fork_echo", "--exit-after", "2").start()
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
        srv.kill()
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
    srv = Server("epoll_echo", "--mode", "et", "--et-bug", "--timeout-ms", "100").start()
    try:
        n = Narrated([srv.pid], "sock,loop")
        r = loadgen(srv.port, "-n", 1, "--size", 65536, "--timeout-ms", 1500)
        s = n.stop()
    finally:
        srv.kill()
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
    srv = Server("epoll_echo", "--stall-ms", "200", "--stall-every", "100").start()
    try:
        n = Narrated([srv.pid], "loop")
        r = loadgen(srv.port, "-c", 8, "-n", 400)
        s = n.stop()
    finally:
        srv.kill()
    lp = loop_of(s, srv.pid)
    saw(["%d stalls, the longest %s; the loop was busy %.1f%% of the time" %
         (lp.get("stalls", 0), ms(lp.get("max_stall_us")), lp.get("busy_pct", 0)),
         "clients saw a p99 latency of %s against a p50 of %s" %
         (ms(r["latency_us"]["p99"]) if r else "?", ms(r["latency_us"]["p50"]) if r else "?")])


def run_traced(classes, *argv):
    """Runs a bundled program under lifeline (tracing this demo's tree); returns (summary,
    the narrator, the program's pid, its stdout lines)."""
    n = Narrated([os.getpid()], classes)
    p = subprocess.run([os.path.join(BUILD, argv[0])] + [str(a) for a in argv[1:]],
                       stdout=subprocess.PIPE, text=True, timeout=60)
    time.sleep(0.3)
    # the program's pid: the exec of its binary in this tree
    execs = [e for e in n.events if e["type"] == "exec" and
             e.get("filename", "").endswith("/" + argv[0])]
    s = n.stop()
    return s, n, execs[0]["pid"] if execs else None, p.stdout.splitlines()


def scenario_vfork():
    header("vfork: a child that runs in its parent's memory",
           "vforkdemo makes 3 children with vfork(); each writes a variable, sleeps 100 ms and\n"
           "execs /bin/true. The parent is suspended until then, and finds the child's value.")
    s, n, pid, out = run_traced("proc", "vforkdemo", "-n", 3, "--delay-ms", 100,
                                "--exec", "/bin/true", "--json")
    own = [json.loads(line) for line in out if line.startswith("{")]
    z = group(s, "zombies", pid)
    forks = [e for e in n.events if e["type"] == "fork" and e.get("ppid") == pid]
    waits = [e.get("vfork_wait_us") for e in n.events if e["type"] == "exec" and
             e.get("vfork_wait_us") is not None and e.get("ppid") == pid]
    saw(["vforkdemo (pid %s) made %d vforks (its zombie group: vforks %s); lifeline called "
         "them %s" % (pid, len(forks), z.get("vforks", 0),
                       ", ".join(sorted({str(f.get("how")) for f in forks})) or "?"),
         "the parent was suspended %s (lifeline), %s by its own clock" %
         (", ".join(ms(w) for w in waits) or "?",
          ", ".join(ms(c["suspended_us"]) for c in own) or "?"),
         "the parent then read %s from the variable its children wrote: one memory" %
         ", ".join(str(c["shared"]) for c in own)])


def scenario_wait_status():
    header("wait-status: what the parent's wait() status word says",
           "waitstatus forks children that exit 0, exit 7, abort(), divide by zero, and one\n"
           "that is stopped and continued; it prints each status its own waitpid() read.")
    s, n, pid, out = run_traced("proc", "waitstatus", "--json")
    own = [json.loads(line) for line in out if line.startswith("{")]
    lines = []
    for st in own:
        evs = [e for e in n.events if (e.get("pid") == st["pid"] and e["type"] == "exit") or
               (e["type"] == "sigchld" and e.get("from_pid") == st["pid"] and
                e.get("code") in ("stopped", "continued"))]
        said = any(st["text"] in e.get("explain", "") for e in evs)
        lines.append("child %d (%s): the program read %s; lifeline %s" %
                     (st["pid"], st["child"], st["text"], "said the same" if said else
                      "said otherwise"))
    z = group(s, "zombies", pid)
    lines.append("reaped by waitstatus: %d children (a stop or a continue is not a reap)" %
                 z.get("reaped", 0))
    saw(lines)


def scenario_udp():
    header("udp: a datagram server has no listen queue and no accept",
           "udp_echo waits in ppoll() and answers each datagram with recvfrom()/sendto(), one\n"
           "process for its whole life; loadgen --udp sends it requests for 2 s. lifeline finds\n"
           "its loop in ppoll (a loop's wait: epoll, poll or select) and splits its time.")
    srv = Server("udp_echo").start()
    try:
        n = Narrated([srv.pid], "proc,sock,loop")
        r = loadgen(srv.port, "--udp", "-c", 2, "-d", 2)
        s = n.stop()
    finally:
        srv.kill()
    p = s.get("processes", {})
    lps = [lp for lp in s.get("loops", []) if lp["pid"] == srv.pid]
    saw(["accepts at udp_echo (pid %d): %d (no listener row: UDP has no connections)" %
         (srv.pid, sum(lst["accepts"] for lst in s.get("listeners", [])
                       if lst["pid"] == srv.pid)),
         "forks %d, exits %d: one process that lives on, answering %s requests" %
         (p.get("forks", 0), p.get("exits", 0), r["requests"] if r else "?"),
         udp_loop_line(lps)])


def udp_loop_line(lps):
    """Where the udp loop's time went, from lifeline's loop row (wait: poll)."""
    if len(lps) != 1:
        return "event loops of udp_echo: %d (expected one, waiting in ppoll)" % len(lps)
    lp = lps[0]
    return ("its loop waits in %s, not epoll_wait: %d wakeups (one per burst of datagrams), "
            "idle in the wait %.0f%%, busy on CPU %.0f%%, asleep elsewhere %.0f%%, waiting for "
            "a CPU %.0f%%" % (lp.get("wait", "?"), lp["wakeups"], lp["idle_pct"],
                              lp["busy_pct"], lp["offcpu_pct"], lp["runq_pct"]))


def scenario_backlog():
    header("backlog: the listen queue at its limit",
           "fork_echo --backlog 3 --accept-delay-ms 200 accepts one connection every 200 ms;\n"
           "20 clients connect at once, the queue (3, the kernel holds one more) fills, and the\n"
           "kernel drops their handshakes until they retry.")
    srv = Server("fork_echo", "--backlog", "3", "--accept-delay-ms", "200").start()
    try:
        n = Narrated([srv.pid], "sock")
        r = loadgen(srv.port, "-c", 20, "-n", 20, "--connect-per-request", "--timeout-ms",
                    30000)
        s = n.stop()
    finally:
        srv.kill()
    ls = [lst for lst in s.get("listeners", []) if lst["pid"] == srv.pid]
    lst = ls[0] if ls else {}
    saw(["%d accepts; the queue's limit %s, its peak %s, full at %s accepts" %
         (lst.get("accepts", 0), lst.get("backlog_limit", "?"), lst.get("backlog_peak", "?"),
          lst.get("backlog_full", "?")),
         "the kernel counted %s listen overflows and %s drops over the run (system-wide)" %
         (s.get("listen_overflows", "?"), s.get("listen_drops", "?")),
         "the clients retried their SYNs: p50 connect+echo %s, max %s" %
         (ms(r["latency_us"]["p50"]) if r else "?", ms(r["latency_us"]["max"]) if r else "?")])
def scenario_tour():
    header("tour: one chart with a life of each kind",
           "fork_echo reaps each child 300 ms late (the children exit 3), a second fork_echo\n"
           "leaves after one accept and orphans its child, epoll_echo stalls 100 ms on each\n"
           "request; lifeline --svg draws it all (the README's chart is this scenario's).")
    import socket
    late = Server("fork_echo", "--reap-delay-ms", "300", "--child-exit", "3").start()
    quitter = Server("fork_echo", "--exit-after", "1").start()
    loop = Server("epoll_echo", "--stall-ms", "100", "--stall-every", "1").start()
    try:
        n = Narrated([late.pid, quitter.pid, loop.pid], "proc,loop")
        conn = socket.create_connection(("127.0.0.1", quitter.port), 5)
        conn.sendall(b"x")
        conn.recv(1)
        quitter.proc.wait(5)
        loadgen(late.port, "-n", 3, "--connect-per-request")
        loadgen(loop.port, "-n", 2)
        conn.close()
        time.sleep(2.5)     # the orphan's adopter reaps it in its own time
        s = n.stop()
    finally:
        for srv in (late, quitter, loop):
            srv.kill()
    z, lp = group(s, "zombies", late.pid), loop_of(s, loop.pid)
    saw(["fork_echo's children lay zombies for %s (p50) before their late reap" %
         ms((z.get("lifetime_us") or {}).get("p50")),
         "%d orphan(s) adopted; the loop stalled %d times, the longest %s" %
         (sum(o["adopted"] for o in s.get("orphans", [])), lp.get("stalls", 0),
          ms(lp.get("max_stall_us")))])


def scenario_overview():
    secs = float(os.environ.get("DEMO_SECS", "15"))
    header("overview: the bundled servers under load, traced live for %g s" % secs,
           "fork_echo reaping in a loop (healthy), fork_echo reaping one child per SIGCHLD\n"
           "(a burst of %d connections leaves coalesced zombies), epoll_echo (a 80 ms stall\n"
           "every 2000 requests) and udp_echo, each driven by loadgen. Ctrl-C ends early."
           % OVERVIEW_LEAKY_CONNS)
    servers = [Server("fork_echo", "--reap", "loop").start(),
               Server("fork_echo", "--reap", "once").start(),
               Server("epoll_echo", "--stall-ms", "80", "--stall-every", "2000").start(),
               Server("udp_echo").start()]
    args = ["-d", str(secs)]
    for s in servers:
        args += ["-p", str(s.pid)]
    if CHART["path"]:
        args += ["--svg", CHART["path"]]
    # The live view on this terminal, its keys from our stdin; the load starts once it is
    # attached, so it is seen from its start.
    ll = Lifeline(*args, exe=os.path.join(BUILD, "lifeline"), stdout=None, stdin=None,
                  echo_stderr=True).start()
    loads = []
    try:
        loads = [loadgen(servers[0].port, "-c", 4, "-d", secs, "--connect-per-request",
                         wait=False),
                 loadgen(servers[2].port, "-c", 32, "-d", secs, wait=False),
                 loadgen(servers[3].port, "--udp", "-c", 4, "-d", secs, wait=False)]
        time.sleep(secs / 3)
        # The leaky server gets a bounded burst: it can never leave more zombies than that on
        # the machine (under sustained load it filled the pid space in seconds).
        loads.append(loadgen(servers[1].port, "-c", 20, "-n", OVERVIEW_LEAKY_CONNS,
                             "--connect-per-request", wait=False))
        ll.wait(secs + 60)
    except KeyboardInterrupt:
        ll.exit_status(30)
    finally:
        for p in loads:
            p.kill()
            p.wait()
        for s in servers:
            s.kill()


SCENARIOS = {"overview": scenario_overview, "zombie": scenario_zombie,
             "coalesce": scenario_coalesce, "orphan": scenario_orphan,
             "daemon": scenario_daemon, "et-bug": scenario_et_bug, "stall": scenario_stall,
             "vfork": scenario_vfork, "wait-status": scenario_wait_status, "udp": scenario_udp,
             "backlog": scenario_backlog, "tour": scenario_tour}


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
    os.makedirs(CHART_DIR, exist_ok=True)
    for name in names:
        CHART["path"] = os.path.join(CHART_DIR, name + ".svg")
        if os.path.exists(CHART["path"]):
            os.remove(CHART["path"])    # never point at an older run's chart
        SCENARIOS[name]()
        if os.path.exists(CHART["path"]):
            say(dim("  the lifeline chart of this scenario: " + CHART["path"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
