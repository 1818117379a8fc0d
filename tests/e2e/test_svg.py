#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""The lifeline chart (--svg FILE) against injected truth, parsed as XML, and drawn by a browser.

- a child that lies a zombie for 300 ms (fork_echo --reap-delay-ms 300): its data attributes
  and its drawn zombie segment both say 300 ms +-10%;
- an orphan (fork_echo --exit-after 1): its mark sits at its parent's exit, the adopter is the
  parent /proc names, and a line goes to the adopter's row;
- a 100 ms stall (epoll_echo --stall-ms 100): a stall mark 100 ms +-10% wide;
- XML that parses, uses only the SVG elements the chart is made of, and escapes hostile
  command names (quotes, <, &, newline, control and non-UTF-8 bytes, via prctl and exec);
- a demo scenario's chart rendered by headless chromium: the PNG has the chart's size, many
  colours, and the bar, zombie and stall colours where the data attributes say;
- a 10,000-process fork storm: under 2 MB, every process drawn or counted as folded; how long
  chromium takes to render it is reported (not asserted: machines differ).
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lltest as T  # noqa: E402
from lltest import Lifeline  # noqa: E402

NS = "{http://www.w3.org/2000/svg}"
# Everything the chart is made of; anything else (script, foreignObject, image...) is a defect.
ALLOWED = {"svg", "title", "style", "defs", "pattern", "g", "rect", "line", "path", "polygon",
           "text"}
TMP = tempfile.mkdtemp(prefix="lifeline-svg-")


def tmp(name):
    return os.path.join(TMP, name)


class Chart:
    """A parsed chart: the root's scale, and every process and loop group by its data."""

    def __init__(self, path):
        self.path = path
        self.size = os.path.getsize(path)
        self.tree = ET.parse(path)
        self.root = self.tree.getroot()
        r = self.root.attrib
        self.plot_x = float(r["data-plot-x"])
        self.plot_w = float(r["data-plot-width"])
        self.duration_us = float(r["data-duration-us"])
        self.row_h = float(r["data-row-height"])
        self.width = int(r["width"])
        self.height = int(r["height"])
        self.procs = [g for g in self.root.iter(NS + "g") if g.get("class") == "proc"]
        self.loops = [g for g in self.root.iter(NS + "g") if g.get("class") == "loop"]
        folded = [g for g in self.root.iter(NS + "g") if g.get("class") == "folded"]
        self.folded = int(folded[0].get("data-count")) if folded else 0

    def us_of_px(self, px):
        return px / self.plot_w * self.duration_us

    def x_of_us(self, us):
        return self.plot_x + self.plot_w * us / self.duration_us

    def elements(self):
        return {e.tag[len(NS):] if e.tag.startswith(NS) else e.tag for e in self.root.iter()}

    def proc(self, pid):
        for g in self.procs:
            if int(g.get("data-pid")) == pid:
                return g
        return None

    def kids(self, ppid):
        return [g for g in self.procs if g.get("data-ppid") == str(ppid)]


def child_rect(g, cls):
    for e in g:
        if e.tag == NS + "rect" and e.get("class") == cls:
            return e
    return None


def within(v, truth, tol):
    return v is not None and abs(v - truth) <= tol * truth


def traced_chart(name, pids, drive, *extra):
    """lifeline -p PIDS --svg FILE while drive() runs; returns the parsed Chart."""
    path = tmp(name + ".svg")
    args = ["--svg", path, *extra]
    for p in pids:
        args += ["-p", p]
    t = Lifeline(*args).start()
    try:
        drive()
    finally:
        rc = t.stop()
    T.check(f"{name}: lifeline exits 0 with --svg", rc == 0, f"rc {rc}: {t.stderr_lines[-3:]}")
    return Chart(path)


def test_zombie_segment():
    with T.Server("fork_echo", "--reap-delay-ms", "300") as srv:
        def drive():
            T.run_loadgen(srv.port, "-n", "1", "--connect-per-request")
            kids = T.wait_until(lambda: T.children(srv.pid), 5)
            T.wait_until(lambda: not T.children(srv.pid), 5)
            drive.kids = kids
        c = traced_chart("zombie", [srv.pid], drive)
    kids = c.kids(srv.pid)
    if not T.check("zombie: one child row under fork_echo", len(kids) == 1,
                   f"{len(kids)} rows with ppid {srv.pid}"):
        return
    g = kids[0]
    T.check("zombie: the child row is the child /proc showed", int(g.get("data-pid")) in
            (drive.kids or []), f"{g.get('data-pid')} not in {drive.kids}")
    z_us = int(g.get("data-reap-us")) - int(g.get("data-exit-us"))
    T.check("zombie: data-reap-us - data-exit-us is 300 ms +-10%", within(z_us, 300000, 0.1),
            f"{z_us} us")
    r = child_rect(g, "zombie")
    w = c.us_of_px(float(r.get("width"))) if r is not None else None
    T.check("zombie: the drawn zombie segment is 300 ms +-10% wide", within(w, 300000, 0.1),
            f"{w} us")
    x = float(r.get("x")) if r is not None else -1
    T.check("zombie: the segment starts at the exit", abs(x - c.x_of_us(int(g.get(
        "data-exit-us")))) < 1.0, f"x {x}")
    T.check("zombie: exit code 0 in the data", g.get("data-exit-code") == "0", str(g.attrib))


def test_orphan_mark():
    with T.Server("fork_echo", "--exit-after", "1") as srv:
        state = {}

        def drive():
            conn = srv.connect()
            conn.sendall(b"x")
            conn.recv(1)
            srv.proc.wait(5)        # the parent exits after its one accept
            # the child serves on, in the server's process group
            kids = T.wait_until(lambda: [p for p in T.group_members(srv.proc.pid)
                                         if p != srv.pid], 5)
            state["kid"] = kids[0] if kids else None
            state["adopter"] = T.ppid(kids[0]) if kids else None
            conn.close()
            T.wait_until(lambda: T.proc_state(state["kid"]) in (None, "Z"), 5)
            time.sleep(0.1)         # let the exit record through the 20 ms poll
        c = traced_chart("orphan", [srv.pid], drive)
    kid, parent = c.proc(state.get("kid") or -1), c.proc(srv.pid)
    if not T.check("orphan: child and parent rows", kid is not None and parent is not None,
                   f"kid {state.get('kid')}, parent {srv.pid}"):
        return
    o_us, p_us = kid.get("data-orphan-us"), parent.get("data-exit-us")
    T.check("orphan: data-orphan-us is the parent's data-exit-us", o_us is not None and
            o_us == p_us, f"{o_us} vs {p_us}")
    T.check("orphan: data-adopter is the parent /proc named", kid.get("data-adopter") ==
            str(state["adopter"]), f"{kid.get('data-adopter')} vs {state['adopter']}")
    mark = [e for e in kid if e.get("class") == "orphan"]
    x = float(mark[0].get("d")[1:].split()[0]) if mark else None
    T.check("orphan: the mark is drawn at the parent's exit", x is not None and p_us and
            abs(x - c.x_of_us(int(p_us))) < 1.0, f"mark x {x}")
    line = [e for e in kid if e.get("class") == "adopt"]
    adopter = c.proc(state["adopter"]) if state["adopter"] else None
    T.check("orphan: a line to the adopter's row", bool(line) and adopter is not None and
            abs(float(line[0].get("y2")) - float(line[0].get("y1"))) >= c.row_h / 2,
            f"line {[l.attrib for l in line]}, adopter row {adopter is not None}")


def test_stall_mark():
    with T.Server("epoll_echo", "--stall-ms", "100", "--stall-every", "1") as srv:
        # Two requests from two loadgen runs, so that the loop sleeps in its wait between them:
        # two requests back to back can be served in one stretch (one 200 ms stall), which is
        # what the scheduler's view sees of a loop that never sleeps between them.
        c = traced_chart("stall", [srv.pid],
                         lambda: [T.run_loadgen(srv.port, "-n", "1") for _ in range(2)])
    loops = [l for l in c.loops if l.get("data-pid") == str(srv.pid)]
    stalls = [e for l in loops for e in l if e.get("class") == "stall"]
    if not T.check("stall: one loop row with one or two stalls",
                   len(loops) == 1 and 1 <= len(stalls) <= 2,
                   f"{len(loops)} loops, {len(stalls)} stalls"):
        return
    s = stalls[-1]
    T.check("stall: each data-dur-us is 100 ms +-10%",
            all(within(int(e.get("data-dur-us")), 100000, 0.1) for e in stalls),
            [e.get("data-dur-us") for e in stalls])
    w = c.us_of_px(float(s.get("width")))
    T.check("stall: the mark is 100 ms +-10% wide", within(w, 100000, 0.1), f"{w} us")
    T.check("stall: its process has a row above it", c.proc(srv.pid) is not None, "no row")


# A child renamed by prctl(PR_SET_NAME) to hostile bytes exits 3; another execs a file whose
# name is hostile too.
HOSTILE = rb'a"<&' + b"\n\xff\x01'z"
EXEC_NAME = b'e<&"\x02\xfe'
SCRIPT = r"""
import ctypes, os, sys
libc = ctypes.CDLL(None)
pid = os.fork()
if pid == 0:
    libc.prctl(15, ctypes.c_char_p(bytes.fromhex(sys.argv[1])), 0, 0, 0)
    os._exit(3)
os.waitpid(pid, 0)
pid = os.fork()
if pid == 0:
    os.execv(bytes.fromhex(sys.argv[2]), [b"x"])
os.waitpid(pid, 0)
"""


def escaped(raw):
    """What the chart must say for raw bytes: printable ASCII and UTF-8 as is, \\n, \\xHH."""
    out = ""
    for b in raw:
        if b == 0x0a:
            out += "\\n"
        elif b == 0x5c:
            out += "\\\\"
        elif 0x20 <= b < 0x7f:
            out += chr(b)
        else:
            out += "\\x%02x" % b
    return out


def test_xml_and_escaping():
    link = os.path.join(TMP.encode(), EXEC_NAME)
    os.symlink(b"/bin/true", link)
    path = tmp("hostile.svg")
    t = Lifeline("--svg", path, "--", sys.executable, "-c", SCRIPT, HOSTILE.hex(), link.hex())
    t.start()
    rc = t.wait(30)
    T.check("hostile: the command ran and lifeline exits with its status", rc == 0,
            f"rc {rc}: {t.stderr_lines[-3:]}")
    try:
        c = Chart(path)
    except ET.ParseError as e:
        T.failed("hostile: the chart parses as XML", str(e))
        return
    T.passed("hostile: the chart parses as XML")
    bad = c.elements() - ALLOWED
    T.check("hostile: only the allowed SVG elements", not bad, f"also {sorted(bad)}")
    T.check("hostile: no script, no external reference", b"<script" not in
            open(path, "rb").read() and not any(
                k.endswith("href") for e in c.root.iter() for k in e.attrib),
            "script or href found")
    comms = [g.get("data-comm") for g in c.procs]
    T.check("hostile: the prctl name is escaped in data-comm", escaped(HOSTILE) in comms,
            f"{escaped(HOSTILE)!r} not in {comms}")
    T.check("hostile: the exec'd file name is escaped in data-comm",
            escaped(EXEC_NAME) in comms, f"{escaped(EXEC_NAME)!r} not in {comms}")
    renamed = [g for g in c.procs if g.get("data-comm") == escaped(HOSTILE)]
    T.check("hostile: its exit code 3 is in the data", renamed and
            renamed[0].get("data-exit-code") == "3", str(renamed[0].attrib if renamed else None))
    labels = "".join(e.text or "" for e in c.root.iter(NS + "text"))
    T.check("hostile: the label shows it escaped too", escaped(HOSTILE) in labels, labels[:200])


def test_bad_path():
    p = T.run_lifeline("--svg", "/nonexistent/dir/x.svg", "--", "true", timeout=30)
    lines = p.stderr.strip().splitlines()
    T.check("bad path: exit 1 with one line, before the run", p.returncode == 1 and
            len(lines) == 1 and "cannot write the chart" in lines[0],
            f"rc {p.returncode}: {lines}")


# ---- the browser ----

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(svg, png, w, h):
    """Renders svg in headless chromium into png; returns the seconds it took."""
    profile = tempfile.mkdtemp(prefix="lifeline-svg-chromium-")
    t0 = time.monotonic()
    p = subprocess.run([chromium(), *CHROMIUM_FLAGS, "--user-data-dir=" + profile,
                        "--screenshot=" + png, "--window-size=%d,%d" % (w, h),
                        "file://" + os.path.abspath(svg)], capture_output=True, timeout=120)
    took = time.monotonic() - t0
    shutil.rmtree(profile, ignore_errors=True)
    if p.returncode or not os.path.exists(png):
        raise RuntimeError("chromium failed: " + p.stderr.decode(errors="replace")[-300:])
    return took


def read_png(path):
    """(width, height, rows of (r, g, b) tuples): 8-bit RGB/RGBA, non-interlaced PNGs."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and not interlace, "unexpected PNG format"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw, stride, prev, rows = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xff
            elif f == 2:
                line[i] = (line[i] + b) & 0xff
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xff
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows


def near(px, rgb, tol=40):
    return all(abs(p - q) <= tol for p, q in zip(px, rgb))


BLUE, ORANGE, VERMILLION = (0x00, 0x72, 0xB2), (0xE6, 0x9F, 0x00), (0xD5, 0x5E, 0x00)


def pixels_in(rows, x0, x1, y0, y1, rgb):
    return sum(1 for y in range(int(y0), int(y1)) for x in range(int(x0), int(x1) + 1)
               if 0 <= y < len(rows) and 0 <= x < len(rows[0]) and near(rows[y][x], rgb))


def row_y(c, g):
    """The drawn row of a group: the y of its bar."""
    r = child_rect(g, "life") or child_rect(g, "stall")
    if r is None:
        r = [e for e in g if e.tag == NS + "rect"][0]
    return float(r.get("y")), float(r.get("height"))


def test_browser_renders_demo_chart():
    if not chromium():
        T.failed("browser: chromium renders the chart", "chromium is not installed; "
                 "make test installs it with TEST_PKGS (apt-get install chromium)")
        return
    env = dict(os.environ, LL_CHART_DIR=TMP)
    p = subprocess.run([sys.executable, os.path.join(T.ROOT, "scripts", "demo.py"), "zombie"],
                       capture_output=True, text=True, timeout=120, env=env)
    svg = os.path.join(TMP, "zombie.svg")
    if not T.check("browser: the zombie demo scenario writes its chart", p.returncode == 0 and
                   os.path.exists(svg) and svg in p.stdout, f"rc {p.returncode} "
                   f"{p.stderr[-300:]}"):
        return
    c = Chart(svg)
    png = tmp("zombie.png")
    took = screenshot(svg, png, c.width, c.height)
    T.info(f"chromium rendered the {c.size}-byte demo chart in {took:.2f} s")
    w, h, rows = read_png(png)
    T.check("browser: the PNG has the chart's size", (w, h) == (c.width, c.height),
            f"{w}x{h} vs {c.width}x{c.height}")
    colours = {px for r in rows[::4] for px in r[::4]}
    T.check("browser: not blank (many colours)", len(colours) > 20, f"{len(colours)} colours")
    zombies = [g for g in c.procs if child_rect(g, "zombie") is not None]
    T.check("browser: the demo has zombie rows", len(zombies) >= 3, f"{len(zombies)}")
    wide = 0
    for g in c.procs:
        y, bh = row_y(c, g)
        start = c.x_of_us(int(g.get("data-start-us", 0)))
        end = c.x_of_us(int(g.get("data-exit-us", c.duration_us)))
        if end - start < 4:
            continue        # a bar of a pixel or two is blended with its neighbours
        wide += 1
        blue = pixels_in(rows, start + 1, end - 1, y + 1, y + bh - 1, BLUE)
        if not T.check(f"browser: row {g.get('data-pid')} is blue from start to exit",
                       blue > (end - start - 2) * (bh - 2) * 0.8,
                       f"{blue} blue pixels in x {start:.0f}..{end:.0f} y {y:.0f}"):
            break
    T.check("browser: some bars were wide enough to check", wide > 0, "none")
    for g in zombies:
        y, bh = row_y(c, g)
        x0 = c.x_of_us(int(g.get("data-exit-us")))
        x1 = c.x_of_us(int(g.get("data-reap-us", c.duration_us)))
        orange = pixels_in(rows, x0 + 2, x1 - 2, y + 1, y + bh - 1, ORANGE)
        if not T.check(f"browser: zombie {g.get('data-pid')} is orange from exit to reap",
                       orange > (x1 - x0 - 4) * (bh - 2) * 0.3, f"{orange} orange pixels"):
            break
    for g in zombies:
        y, bh = row_y(c, g)
        x0 = c.x_of_us(int(g.get("data-start-us", 0)))
        before = pixels_in(rows, c.plot_x + 8, x0 - 3, y + 1, y + bh - 1, BLUE)
        if not T.check(f"browser: row {g.get('data-pid')} has no bar before its fork",
                       before == 0, f"{before} blue pixels before x {x0:.0f}"):
            break
    above = pixels_in(rows, c.plot_x + 10, c.plot_x + c.plot_w, 0, 60, ORANGE)
    T.check("browser: no zombie colour outside the rows", above == 0, f"{above} pixels")


def test_fork_storm():
    path = tmp("storm.svg")
    t = Lifeline("--svg", path, "--", T.binary("forkstorm"), "-n", "10000", "--json")
    t.start()
    rc = t.wait(240)
    T.check("storm: forkstorm and lifeline exit 0", rc == 0, f"rc {rc}")
    out = t.lines + t.stderr_lines    # forkstorm's result line, lifeline's summary
    res = [json.loads(l) for l in out if l.startswith('{"type":"result"')]
    forks = res[-1]["processes"] if res else None
    m = [re.search(r"events, (\d+) lost", l) for l in out]
    lost = [int(x.group(1)) for x in m if x]
    lost = lost[-1] if lost else None
    c = Chart(path)
    T.info(f"10,000-process storm: chart {c.size} bytes, {len(c.procs)} rows, "
           f"{c.folded} folded, {lost} lost")
    T.check("storm: the chart is under 2 MB", c.size < 2 * 1024 * 1024, f"{c.size} bytes")
    T.check("storm: at most 300 process rows", len(c.procs) <= 300, f"{len(c.procs)}")
    if lost == 0:
        T.check("storm: every child drawn or folded (forkstorm's own count, and itself)",
                forks is not None and len(c.procs) + c.folded == forks + 1,
                f"{len(c.procs)} + {c.folded} vs {forks} + 1")
    else:
        T.info(f"{lost} records lost: the drawn+folded count is not checked")
    if chromium():
        took = screenshot(path, tmp("storm.png"), c.width, c.height)
        T.info(f"chromium rendered the storm's chart ({c.width}x{c.height}) in {took:.2f} s "
               "(start-up included)")


def main():
    if os.geteuid() != 0:
        T.failed("test_svg", "needs root (real BPF)")
        T.finish()
    missing = T.missing_binaries("lifeline", "fork_echo", "epoll_echo", "forkstorm", "loadgen")
    if missing:
        T.failed("test_svg", f"missing binaries: {missing}; run make")
        T.finish()
    try:
        for fn in (test_zombie_segment, test_orphan_mark, test_stall_mark, test_xml_and_escaping,
                   test_bad_path, test_browser_renders_demo_chart, test_fork_storm):
            # test_svg.py [WORD...] runs only the tests whose names hold a WORD
            if len(sys.argv) < 2 or any(w in fn.__name__ for w in sys.argv[1:]):
                T.run_test(fn)
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    T.finish()


if __name__ == "__main__":
    main()
