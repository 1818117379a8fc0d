#!/usr/bin/env python3
"""End to end, real BPF: the classic patterns against the truths their own programs print.

- vfork: vforkdemo's children exec (or exit) after a delay the test injects; lifeline must call
  each a vfork, measure its parent's suspension within 10% of that delay (and of what the parent
  measured itself), and count the vforks per parent. posix_spawn shows what glibc really does.
- wait statuses: waitstatus prints what its own waitpid() status word says for each child;
  lifeline's --explain must say the same, child by child.
- the listen backlog: fork_echo --backlog 3 --accept-delay-ms 100 under 20 concurrent connects.
  The queue depth at each accept must stay within what the kernel holds (the limit + 1: its
  full test is sk_ack_backlog > sk_max_ack_backlog, as `ss -lnt` shows) and reach it; the
  kernel's ListenOverflows over lifeline's run must be within what this test read from
  /proc/net/netstat around it (the machine is shared: others may overflow queues too).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lltest import Server, check, finish, info, run_loadgen, run_test  # noqa: E402
from lltest import Lifeline, find, no_loss, wait_until, within  # noqa: E402
from lltest import slow_within, timed_check  # noqa: E402

DELAY_MS = 100


def program_lines(t, kind):
    """The traced program's own JSON lines: with -j and a COMMAND, lifeline keeps its stdout pure
    JSON and passes the command's stdout to its own stderr."""
    out = []
    for line in t.stderr_lines:
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if isinstance(o, dict) and o.get("type") == kind:
            out.append(o)
    return out


def run_command(*args):
    t = Lifeline("--events=proc", "--json", "--explain", "--", *args)
    t.start()
    t.wait(60)
    return t


def vfork_children(t, prog):
    parent = find(t.events("exec"), filename=prog)
    ppid = parent[0]["pid"] if parent else None
    return ppid, find(t.events("fork"), ppid=ppid)


def test_vfork_exec():
    """5 vfork children that each sleep 100 ms, then exec /bin/true."""
    n = 5
    prog = "build/vforkdemo"
    t = run_command(prog, "-n", n, "--delay-ms", DELAY_MS, "--exec", "/bin/true", "--json")
    own = program_lines(t, "child")
    ppid, forks = vfork_children(t, prog)
    check("vfork: the program made %d children, each wrote the parent's variable" % n,
          len(own) == n and [c["shared"] for c in own] == list(range(1, n + 1)), own)
    check("vfork: %d forks, each how=vfork with shares_vm" % n,
          len(forks) == n and all(f.get("how") == "vfork" and f.get("shares_vm") is True
                                  for f in forks), forks)
    waits = {}
    for c in own:
        ex = find(t.events("exec"), pid=c["pid"])
        waits[c["pid"]] = (ex[0].get("vfork_wait_us") if ex else None, c["suspended_us"])
    info("vfork_wait_us (lifeline, the parent's own clock) per child: %s" % waits)
    # The child sleeps the delay, but a loaded machine may run it late: the floor is the delay,
    # the truth is the suspension the parent measured on its own clock.
    check("vfork: each exec's vfork_wait_us at least the %d ms delay (-1%%)" % DELAY_MS,
          waits and all(w is not None and w >= DELAY_MS * 990 for w, _ in waits.values()),
          waits)
    timed_check("vfork: ... and within 10% of the suspension the parent measured itself", 0.10,
                waits and all(slow_within(w, own_us, 0.10) for w, own_us in waits.values()),
                waits, target=DELAY_MS * 1000)
    ex = find(t.events("exec"), pid=own[0]["pid"]) if own else []
    check("vfork: --explain says how long the parent was suspended",
          ex and ("%d was suspended" % ppid) in ex[0].get("explain", "") and
          "until its vfork child %d exec'd /bin/true" % own[0]["pid"] in ex[0]["explain"], ex)
    z = [g for g in (t.summary or {}).get("zombies", []) if g["parent_pid"] == ppid]
    check("vfork: the parent's zombie group counts %d vforks" % n,
          len(z) == 1 and z[0].get("vforks") == n, z)
    no_loss("vfork", t)


def test_vfork_exit():
    """vfork children that _exit without exec: the wait ends at their exit."""
    n = 3
    prog = "build/vforkdemo"
    t = run_command(prog, "-n", n, "--delay-ms", DELAY_MS, "--json")
    own = program_lines(t, "child")
    waits = [((find(t.events("exit"), pid=c["pid"]) or [{}])[0].get("vfork_wait_us"),
              c["suspended_us"]) for c in own]
    info("vfork_wait_us at exit (lifeline, the parent's own clock): %s" % waits)
    check("vfork exit: %d children, each exit's vfork_wait_us within 10%% of the parent's own "
          "measure and at least %d ms" % (n, DELAY_MS), len(own) == n and
          all(w is not None and slow_within(w, own_us, 0.10) and w >= DELAY_MS * 990
              for w, own_us in waits), (own, waits))
    no_loss("vfork exit", t)


def test_posix_spawn_and_fork():
    """glibc's posix_spawn is clone(CLONE_VM|CLONE_VFORK): lifeline shows a vfork.
    clone(CLONE_VM) is a clone that shares memory; fork() is a fork: no shares_vm."""
    t = run_command("build/vforkdemo", "--spawn", "-n", 2, "--exec", "/bin/true", "--json")
    own = program_lines(t, "child")
    ppid, forks = vfork_children(t, "build/vforkdemo")
    info("posix_spawn forks: %s" % [(f.get("how"), f.get("shares_vm")) for f in forks])
    check("posix_spawn: shows how=vfork with shares_vm (glibc's clone(CLONE_VM|CLONE_VFORK))",
          len(own) == 2 and len(forks) == 2 and
          all(f.get("how") == "vfork" and f.get("shares_vm") is True for f in forks), forks)
    t = run_command("build/vforkdemo", "--clone-vm", "-n", 2, "--delay-ms", 20, "--json")
    own = program_lines(t, "child")
    ppid, forks = vfork_children(t, "build/vforkdemo")
    exits = [e for e in t.events("exit") if e.get("ppid") == ppid]
    check("clone(CLONE_VM): how=clone with shares_vm, the parent's variable written, and no "
          "vfork_wait_us (the parent was not suspended)",
          len(own) == 2 and [c["shared"] for c in own] == [1, 2] and len(forks) == 2 and
          all(f.get("how") == "clone" and f.get("shares_vm") is True for f in forks) and
          len(exits) == 2 and all("vfork_wait_us" not in e for e in exits), (own, forks))
    t = run_command("build/forkstorm", "-n", 3)
    ppid, forks = vfork_children(t, "build/forkstorm")
    execs = [e for e in t.events("exit") if e.get("ppid") == ppid]
    check("fork: how=fork, no shares_vm, no vfork_wait_us",
          len(forks) == 3 and all(f.get("how") == "fork" and "shares_vm" not in f
                                  for f in forks) and
          all("vfork_wait_us" not in e for e in execs), forks)


def test_wait_status():
    """waitstatus prints each status its own waitpid() read; lifeline must say the same."""
    t = run_command("build/waitstatus", "--json")
    own = program_lines(t, "status")
    check("wait-status: the program reported 7 statuses (5 children, a stop and a continue)",
          len(own) == 7, own)
    for s in own:
        pid, text = s["pid"], s["text"]
        if s["reaped"]:
            ex = find(t.events("exit"), pid=pid)
            rp = find(t.events("reap"), pid=pid)
            check("wait-status: %s: exit and reap explain '%s'" % (s["child"], text),
                  len(ex) == 1 and len(rp) == 1 and text in ex[0].get("explain", "") and
                  text in rp[0].get("explain", ""), (s, ex, rp))
            core = "WCOREDUMP" in text
            check("wait-status: %s: exit record matches the status word" % s["child"],
                  ex and (ex[0].get("exit_code") == (s["status"] >> 8) if s["status"] & 0x7f
                          == 0 else ex[0].get("signal") == s["status"] & 0x7f and
                          ex[0].get("core_dumped") == core), (s, ex))
        else:
            code = "stopped" if "WIFSTOPPED" in text else "continued"
            sg = [e for e in t.events("sigchld")
                  if e.get("from_pid") == pid and e.get("code") == code]
            want = text if code == "stopped" else "WIFCONTINUED"
            # A SIGCONT sent before the stop's notice clears the signal it carries (the
            # kernel's siginfo then says 0): the explain says so rather than a WSTOPSIG.
            said = sg[0].get("explain", "") if len(sg) == 1 else ""
            cleared = code == "stopped" and "WIFSTOPPED:" in said and "no stop signal" in said
            check("wait-status: %s: SIGCHLD explain says '%s', not a reap" % (code, want),
                  len(sg) == 1 and (want in said or cleared) and
                  ("not reaped" in sg[0]["explain"] or "nothing was reaped" in
                   sg[0]["explain"]), (s, sg))
    stopped = [s["pid"] for s in own if not s["reaped"]]
    check("wait-status: the stopped child was reaped once, at its exit",
          stopped and len(find(t.events("reap"), pid=stopped[0])) == 1, stopped)
    no_loss("wait-status", t)


def listen_counters():
    with open("/proc/net/netstat") as f:
        lines = [line.split() for line in f if line.startswith("TcpExt:")]
    names, values = lines[0], lines[1]
    v = dict(zip(names[1:], (int(x) for x in values[1:])))
    return v["ListenOverflows"], v["ListenDrops"]


def backlog_run(delay_ms, backlog=3, conns=20):
    args = (["--backlog", str(backlog)] if backlog else []) + \
        (["--accept-delay-ms", str(delay_ms)] if delay_ms else [])
    with Server("fork_echo", *args) as srv:
        before = listen_counters()
        with Lifeline("--events=sock", "--json", "-p", srv.pid) as t:
            r = run_loadgen(srv.port, "-c", conns, "-n", conns, "--connect-per-request",
                            "--timeout-ms", "30000", timeout=120)
            wait_until(lambda: len(find(t.events("accept"), pid=srv.pid)) >= conns, 10)
        after = listen_counters()
    acc = [e for e in find(t.events("accept"), pid=srv.pid) if e["fd"] >= 0]
    ls = [x for x in (t.summary or {}).get("listeners", []) if x["pid"] == srv.pid]
    return r, acc, ls[0] if ls else None, t, (after[0] - before[0], after[1] - before[1])


def test_backlog_full():
    r, acc, ls, t, kernel = backlog_run(100)
    depths = [e.get("backlog") for e in acc]
    s = t.summary or {}
    info("backlog at each accept: %s; listener %s; kernel overflows/drops around the run %s,"
         " lifeline's %s/%s" % (depths, ls and {k: ls.get(k) for k in
                                ("backlog_limit", "backlog_peak", "backlog_full")},
                                kernel, s.get("listen_overflows"), s.get("listen_drops")))
    check("backlog: 20 connections served (clients retried the dropped SYNs)",
          r["requests"] == 20 and r["errors"] == 0 and len(acc) == 20, r)
    check("backlog: every accept says limit 3",
          all(e.get("backlog_limit") == 3 for e in acc), acc[:2])
    check("backlog: depth never above what the kernel holds (limit + 1 = 4), never below 1",
          all(d is not None and 1 <= d <= 4 for d in depths), depths)
    check("backlog: the queue was full (4) at least once", 4 in depths, depths)
    check("backlog: listener peak and full count match the accepts",
          ls and ls.get("backlog_limit") == 3 and ls.get("backlog_peak") == max(depths) and
          ls.get("backlog_full") == depths.count(4), ls)
    ov, dr = s.get("listen_overflows"), s.get("listen_drops")
    check("backlog: the kernel's ListenOverflows grew, lifeline counted it, within the "
          "test's own window (%s)" % (kernel,),
          kernel[0] > 0 and ov is not None and 0 < ov <= kernel[0] and
          dr is not None and ov <= dr <= kernel[1], (ov, dr, kernel))
    no_loss("backlog", t)


def test_backlog_no_delay():
    """The same burst without the accept delay, at the default backlog (1024): never full, and
    no overflow of ours. (At --backlog 3 even a prompt fork-per-connection server overflows under
    20 simultaneous connects on a 2-vCPU machine: 40-49 overflows in 3 runs here.)"""
    r, acc, ls, t, kernel = backlog_run(0, backlog=0)
    depths = [e.get("backlog") for e in acc]
    s = t.summary or {}
    info("no delay: depths %s, kernel %s, lifeline %s" % (depths, kernel,
                                                          s.get("listen_overflows")))
    check("backlog, no delay: 20 served, limit 1024, queue never full, backlog_full 0",
          r["errors"] == 0 and len(acc) == 20 and all(1 <= d <= 20 for d in depths) and
          ls and ls.get("backlog_limit") == 1024 and ls.get("backlog_full") == 0,
          (depths, ls))
    ov = s.get("listen_overflows")
    check("backlog, no delay: lifeline's overflows within the kernel's over the window "
          "(0 unless another workload on this shared machine overflowed)",
          ov is not None and ov <= kernel[0] and (kernel[0] > 0 or ov == 0), (ov, kernel))


def test_failed_accepts():
    """accept() on a pipe (ENOTSOCK) and on an fd past the table (EBADF): both errors are
    reported, without addresses or a backlog. (That the kernel side no longer walks such an fd
    is not visible from here; the unit test of listeners checks where the errors are counted.)"""
    code = ("import ctypes, os\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            "r, w = os.pipe()\n"
            "for fd in (r, 100000):\n"
            "    print(libc.accept(fd, None, None), ctypes.get_errno(), flush=True)\n")
    t = Lifeline("--events=sock", "--json", "--", "/usr/bin/python3", "-c", code)
    t.start()
    rc = t.wait(60)
    acc = t.events("accept")
    info("failed accepts: %s" % [(e.get("fd"), e.get("error")) for e in acc])
    errs = sorted(e.get("error") for e in acc)
    check("failed accepts: ENOTSOCK and EBADF reported, no addresses, no backlog, exit 0",
          rc == 0 and "ENOTSOCK" in errs and "EBADF" in errs and
          all("lport" not in e and "backlog" not in e for e in acc), (rc, acc))


def main():
    for fn in (test_vfork_exec, test_vfork_exit, test_posix_spawn_and_fork, test_wait_status,
               test_backlog_full, test_backlog_no_delay, test_failed_accepts):
        run_test(fn)
    finish()


if __name__ == "__main__":
    main()
