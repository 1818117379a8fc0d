#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""Issue 15, end to end: -- COMMAND follows its whole tree, -j keeps stdout pure JSON, -x -T -o
-u -p each checked against the workload, and findings against the demo scenarios' workloads."""
import json
import os
import pwd
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lltest import check, finish, info, run_test, Server, run_loadgen, wait_until  # noqa: E402
from lltest import Lifeline, run_lifeline  # noqa: E402


def jlines(out):
    return [json.loads(ln) for ln in out.splitlines() if ln.strip()]


def test_json_stdout_is_pure():
    rc, out, err = run_lifeline("-e", "-j", "--", "/bin/echo", "hello")
    objs = None
    try:
        objs = jlines(out)
    except json.JSONDecodeError as e:
        info(f"not JSON: {e}")
    check("command: with -j stdout is only JSON, the command's 'hello' on stderr",
          rc == 0 and objs is not None and "hello" in err.splitlines(), f"rc {rc} err {err!r}")


def test_grandchild_outlives_command():
    t0 = time.monotonic()
    rc, out, err = run_lifeline("-e", "proc", "-j", "--", "sh", "-c", "sleep 0.3 & exit 5",
                                timeout=30)
    wall = time.monotonic() - t0
    ev = jlines(out)
    sleeps = [e for e in ev if e["type"] == "exit" and e.get("comm") == "sleep"]
    check("command: a backgrounded grandchild that outlives it by 300 ms has its exit streamed",
          len(sleeps) == 1 and sleeps[0].get("exit_code") == 0, f"exits {sleeps}")
    check("command: lifeline waited for it (ran >= 0.3 s) and exits with the command's 5",
          rc == 5 and wall >= 0.3, f"rc {rc} wall {wall:.2f}")


def test_duration_terminates_leftovers():
    rc, out, err = run_lifeline("-e", "proc", "-j", "-d", "0.5", "--", "sh", "-c",
                                "sleep 30 & wait", timeout=30)
    ev = jlines(out)
    killed = [e for e in ev if e["type"] == "exit" and e.get("comm") == "sleep"]
    check("command: at -d the tree gets SIGTERM, and lifeline says so on stderr",
          "sending SIGTERM" in err and killed and killed[0].get("signal_name") == "SIGTERM",
          f"err {err!r} exits {killed}")
    check("command: then exits with the command's status (SIGTERM: 143)", rc == 143, f"rc {rc}")


def test_failed_only():
    script = "for i in 1 2 3; do (exit $i) & done; true & sh -c 'kill -KILL $$' & wait"
    rc, out, err = run_lifeline("-x", "-j", "--", "sh", "-c", script, timeout=30)
    ev = jlines(out)
    streamed = [e for e in ev if e["type"] != "summary"]
    codes = sorted(e.get("exit_code", -1) for e in streamed if "exit_code" in e)
    sigs = [e.get("signal_name") for e in streamed if "signal" in e]
    check("-x: exactly the failing children: exits 1 2 3 and one SIGKILL, nothing else",
          codes == [1, 2, 3] and sigs == ["SIGKILL"] and all(e["type"] == "exit"
                                                               for e in streamed),
          f"codes {codes} sigs {sigs} types {[e['type'] for e in streamed]}")


def test_timestamp():
    before = time.time()
    rc, out, err = run_lifeline("-e", "-j", "-T", "--", "/bin/true")
    after = time.time()
    from datetime import datetime
    ev = [e for e in jlines(out) if e["type"] == "exit"]
    ok = bool(ev) and "time" in ev[0]
    if ok:
        t = datetime.strptime(ev[0]["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
        wall = (t - datetime(1970, 1, 1)).total_seconds()
        ok = before - 0.05 <= wall <= after + 0.05
        info(f"exit at {ev[0]['time']}, run {before:.3f}..{after:.3f}")
    check("-T: JSON 'time' is RFC 3339 UTC with us, within the run's wall clock +-50 ms", ok,
          f"{ev[:1]}")
    rc, out, err = run_lifeline("-e", "-T", "--", "/bin/true")
    lines = [ln for ln in out.splitlines() if " exit " in ln]
    hms = lines[0].split()[0] if lines else ""
    now = time.strftime("%H:%M:%S")
    check("-T: text lines start with HH:MM:SS.mmm of now", len(hms) == 12 and hms[2] == ":" and
          hms[8] == "." and abs(int(hms[6:8]) - int(now[6:8])) % 58 <= 2, f"{lines[:1]}")


def test_ascii_units():
    def durations(lang):
        env = dict(os.environ, LC_ALL=lang)
        return run_lifeline("-e", "--", "sh", "-c", "sleep 0.01", env=env, timeout=30).stdout
    # The reap of the command by lifeline takes well under 1 ms, so it prints in us, unless the
    # machine is very busy: a few tries until both runs show one.
    for _ in range(5):
        c, utf8 = durations("C"), durations("C.UTF-8")
        if "µs" in c or (re.search(r"\d+us\b", c) and "µs" in utf8):
            break
    check("units: 'us' under LC_ALL=C, 'µs' under C.UTF-8 (the reap's zombie time)",
          "µs" not in c and re.search(r"\d+us\b", c) and "µs" in utf8, f"{c[-300:]!r}")


def test_output_file():
    path = f"/tmp/h4-out-{os.getpid()}.jsonl"
    try:
        rc, out, err = run_lifeline("-e", "-j", "-o", path, "--", "/bin/echo", "to-stdout")
        with open(path) as f:
            objs = jlines(f.read())
        check("-o: lifeline's JSON goes to the file, the command's output stays on stdout",
              rc == 0 and out.strip() == "to-stdout" and any(o["type"] == "exec" for o in objs)
              and objs[-1]["type"] == "summary", f"rc {rc} out {out!r}")
    finally:
        if os.path.exists(path):
            os.unlink(path)
    rc, out, err = run_lifeline("-o", "/nonexistent-dir/x", "-d", "1")
    check("-o: an unwritable file is one line and status 1", rc == 1 and
          len(err.strip().splitlines()) == 1 and "/nonexistent-dir/x" in err, err)


def test_uid():
    nobody = pwd.getpwnam("nobody").pw_uid
    with Lifeline("-e", "proc", "-j", "-u", str(nobody)) as t:
        subprocess.run(["setpriv", f"--reuid={nobody}", "--regid=65534", "--clear-groups",
                        "/bin/true"], check=True)
        subprocess.run(["/bin/true"], check=True)
        p = subprocess.run(["setpriv", f"--reuid={nobody}", "--regid=65534", "--clear-groups",
                            "sh", "-c", "echo $$"], capture_output=True, text=True)
        mine = int(p.stdout)
        wait_until(lambda: any(e.get("pid") == mine for e in t.events("exit")), 10)
    ev = t.events()
    check("-u: the uid's processes are streamed", any(e.get("pid") == mine for e in ev),
          f"{len(ev)} events")
    bad = [e for e in ev if e.get("comm") not in ("true", "sh", "setpriv")]
    own = [e for e in ev if e["type"] in ("exec", "exit") and os.path.exists(f"/proc/{e['pid']}")
           and os.stat(f"/proc/{e['pid']}").st_uid != nobody]
    check("-u: no other user's processes (every comm is the workload's)", not bad and not own,
          f"{bad[:3]} {own[:3]}")


def test_pid_ends_with_tree():
    p = subprocess.Popen(["sh", "-c", "sleep 0.4 & sleep 0.2; wait"])
    t = Lifeline("-e", "proc", "-j", "-p", str(p.pid))
    t.start()
    rc = t.wait(20)
    p.wait(5)
    check("-p: lifeline ends by itself once PID and all it forked are gone", rc == 0, f"rc {rc}")


def findings_of(summary):
    return summary.get("findings", []) if summary else []


def finding(summary, pid, words):
    """The finding about pid whose text has words (a loaded machine may add a queue one)."""
    return [x for x in findings_of(summary) if x.get("pid") == pid and words in x["what"]]


def test_findings_zombie_and_clean():
    with Server("fork_echo", "--reap", "none") as srv:
        with Lifeline("-j", "-p", str(srv.pid)) as t:
            run_loadgen(srv.port, "-n", 5, "--connect-per-request")
            wait_until(lambda: any(z["parent_pid"] == srv.pid and z["now"] >= 5 and
                                   z["cause"] != "none"
                                   for z in (t.summary or {}).get("zombies", [])), 15)
    f = finding(t.summary, srv.pid, "zombies now")
    check("findings: the zombie scenario gives 'leaks zombies' with the wait() fix",
          f and "leaks zombies: 5 zombies now" in f[0]["what"] and "waitpid" in f[0]["advice"],
          f"{findings_of(t.summary)}")
    rc, out, err = run_lifeline("--", "sh", "-c", "true; true")
    check("findings: a clean run opens with 'Findings: none'", out.startswith("Findings: none"),
          out[:200])


def test_findings_stall():
    with Server("epoll_echo", "--stall-ms", "200", "--stall-every", "100") as srv:
        with Lifeline("-j", "-i", "0.2", "-p", str(srv.pid)) as t:
            run_loadgen(srv.port, "-c", 4, "-n", 200)
            # One request in 100 sleeps 200 ms, the last one after its reply: wait for it.
            wait_until(lambda: any(lp["pid"] == srv.pid and lp["stalls"] >= 2
                                   for lp in (t.summary or {}).get("loops", [])), 15)
    f = finding(t.summary, srv.pid, "event loop")
    check("findings: the stall scenario gives a high 'stalled N times, up to 2xx ms' finding",
          f and f[0]["severity"] == "high" and "stalled 2 times, up to 2" in f[0]["what"],
          f"{findings_of(t.summary)}")


def test_findings_coalesce():
    with Server("fork_echo", "--reap", "once") as srv:
        with Lifeline("-j", "-i", "0.2", "-p", srv.pid) as t:
            run_loadgen(srv.port, "-c", 20, "-n", 60, "--connect-per-request")
            # The children exit after their connection closes: wait for what they leave.
            wait_until(lambda: any(z["parent_pid"] == srv.pid and z["now"] > 0 and
                                   z["cause"] != "none"
                                   for z in (t.summary or {}).get("zombies", [])), 15)
    f = finding(t.summary, srv.pid, "zombies now")
    z = [g for g in (t.summary or {}).get("zombies", []) if g["parent_pid"] == srv.pid]
    info(f"zombies of fork_echo --reap once: {z[:1]}")
    check("findings: the coalesce scenario leaves zombies and its finding advises looping "
          "waitpid until it returns 0", z and z[0]["cause"] == "coalesced" and f and
          "until it returns 0" in f[0]["advice"] and f"{z[0]['now']} zombies now" in f[0]["what"],
          f"{f} {z[:1]}")


def test_findings_orphan():
    import socket
    with Server("fork_echo", "--exit-after", "2") as srv:
        with Lifeline("-j", "-i", "0.2", "-p", srv.pid) as t:
            conns = [socket.create_connection(("127.0.0.1", srv.port), 5) for _ in range(2)]
            srv.proc.wait(5)
            wait_until(lambda: any("outlived" in x["what"] for x in findings_of(t.summary)), 10)
            adopter = [o for o in (t.summary or {}).get("orphans", []) if o["alive"]]
            f = [x for x in findings_of(t.summary) if "outlived" in x["what"]]
            for c in conns:
                c.close()
    check("findings: the orphan scenario names the adopter of the 2 live orphans",
          adopter and f and f"2 processes outlived their parent and live on under "
          f"{adopter[0]['adopter_comm']} ({adopter[0]['adopter_pid']})" in f[0]["what"],
          f"{f} {adopter}")


for fn in (test_json_stdout_is_pure, test_grandchild_outlives_command,
           test_duration_terminates_leftovers, test_failed_only, test_timestamp,
           test_output_file, test_ascii_units, test_uid, test_pid_ends_with_tree, test_findings_zombie_and_clean,
           test_findings_stall, test_findings_coalesce, test_findings_orphan):
    run_test(fn)
finish()
