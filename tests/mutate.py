#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""Mutation testing of the unit-tested C code: do the unit tests notice when the code is wrong?

Each mutant below is one small, plausible bug (a flipped comparison, an off-by-one, a dropped
statement or condition) at one place of user/*.c. For each, a private copy of the tree gets that
one change, the unit tests are rebuilt and run, and the mutant is KILLED when a test fails (or
crashes, or hangs) and SURVIVED when they all still pass: a survivor is behaviour no unit test
pins down. A mutant that no longer compiles is INVALID and left out of the score.

A mutant names its place by the text of a source line (stripped of indentation), optionally the
first such line after a unique anchor line, never by a line number, so that other edits to the
file do not move it. When the line is gone or no longer unique the mutant is SKIPPED with a note:
update it or pick another.

  python3 tests/mutate.py [--list] [--keep DIR] [NAME...]     (make mutate)
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEST_TIMEOUT = 20	# seconds per unit test binary (they take < 1 s); a hung mutant is killed


class Mutant:
    def __init__(self, name, path, line, old, new, anchor=None):
        self.name, self.path, self.line, self.old, self.new = name, path, line, old, new
        self.anchor = anchor

    def locate(self, lines):
        """Index of the line to mutate, or an error string."""
        stripped = [l.strip() for l in lines]
        start = 0
        if self.anchor is not None:
            hits = [i for i, s in enumerate(stripped) if s == self.anchor]
            if len(hits) != 1:
                return "anchor %r found %d times" % (self.anchor, len(hits))
            start = hits[0]
            for i in range(start, len(lines)):
                if stripped[i] == self.line:
                    return i
            return "line %r not found after its anchor" % self.line
        hits = [i for i, s in enumerate(stripped) if s == self.line]
        if len(hits) != 1:
            return "line %r found %d times" % (self.line, len(hits))
        return hits[0]

    def apply(self, text):
        """(mutated text, line number) or (None, why)."""
        lines = text.split("\n")
        i = self.locate(lines)
        if isinstance(i, str):
            return None, i
        if self.old not in lines[i]:
            return None, "%r not in line %r" % (self.old, self.line)
        lines[i] = lines[i].replace(self.old, self.new, 1)
        return "\n".join(lines), i + 1


M = Mutant
DROP = ";"	# a dropped statement leaves an empty one, so a braceless if keeps its shape

MUTANTS = [
    # ---- proctab_reap.c (and the span helper in proctab_int.h): joins, windows, losses
    M("pt-verify-join-window", "user/proctab_reap.c",
      "return all || e->exit_ns + pt->cfg.join_ns <= now_ns;", "<= now_ns", "< now_ns"),
    M("pt-verify-no-window", "user/proctab_reap.c",
      "return all || e->exit_ns + pt->cfg.join_ns <= now_ns;", " + pt->cfg.join_ns", ""),
    M("pt-pend-due-boundary", "user/proctab_reap.c",
      "while (pt->npend && pt->pend[0].ts + pt->cfg.join_ns <= now) {", "<= now", "< now"),
    M("pt-ghost-lossy", "user/proctab_reap.c", "if (pt->lossy)", "pt->lossy", "!pt->lossy"),
    M("pt-recent-window", "user/proctab_reap.c",
      "if (ts + pt->cfg.join_ns >= r->ts && ts <= r->ts + pt->cfg.join_ns)",
      "ts <= r->ts + pt->cfg.join_ns", "ts <= r->ts"),
    M("pt-pend-join-order", "user/proctab_reap.c",
      "if (p.ts >= pt->procs[i].exit_ns) {", ">=", "<"),
    # (not "!g->now" in group_evictable: every zombie holds a ref, so it is implied by !g->refs)
    M("pt-pend-overflow", "user/proctab_reap.c",
      "reap_unjoined(pt, &old);", "reap_unjoined(pt, &old);", DROP,
      anchor="void pend_add(struct proctab *pt, uint32_t pid, uint32_t reaper, uint32_t tid,"),
    M("pt-stale-due-boundary", "user/proctab_reap.c",
      "while (pt->nstale && pt->stale[0].deadline <= now) {", "<= now", "< now"),
    M("pt-unjoined-incomplete", "user/proctab_reap.c",
      "pt->tot.incomplete++;", "pt->tot.incomplete++;", DROP,
      anchor="e->zparent = e->ppid;"),
    M("pt-span-disorder", "user/proctab_int.h",
      "return b > a ? (b - a) / 1000 : 0;", "b > a ?", "1 ?"),
    # ---- listeners.c: the fork window, counters, ordering, eviction
    M("ls-fork-window", "user/listeners.c",
      "return now_ns > accept_ns && now_ns - accept_ns > LS_FORK_WINDOW_NS;",
      "> LS_FORK_WINDOW_NS", ">= LS_FORK_WINDOW_NS"),
    M("ls-eagain-count", "user/listeners.c", "if (rec->fd == -EAGAIN) {", "-EAGAIN", "-EINTR"),
    M("ls-eagain-emit", "user/listeners.c", "if (ls->emit && rec->fd != -EAGAIN)",
      " && rec->fd != -EAGAIN", ""),
    M("ls-rate-dead", "user/listeners.c",
      "l->rate = secs > 0 && !l->dead ? (double)(l->accepts - l->tick_accepts) / secs : 0;",
      " && !l->dead", ""),
    M("ls-autoreap-zombie", "user/listeners.c",
      "if (l && ev->reap.zombie_us != LL_UNKNOWN && ev->reap.how != HOW_AUTOREAP)",
      " && ev->reap.how != HOW_AUTOREAP", ""),
    M("ls-view-order", "user/listeners.c",
      "return x->accepts > y->accepts ? -1 : 1;", " > ", " < "),
    M("ls-evict-idle", "user/listeners.c",
      "(l->dead ? l->dead_ns < victim->dead_ns : l->last_ns < victim->last_ns)))",
      "l->last_ns < victim", "l->last_ns > victim"),
    M("ls-pending-full", "user/listeners.c", "if (t->n == LS_PENDING_PER_THREAD) {",
      "==", ">"),
    # ---- loops.c: eviction, wait state, liveness, stalls
    M("lp-alloc-busier", "user/loops.c",
      "if (!lp_is_dead(victim) && victim->wakeups >= wakeups) {", ">=", ">"),
    M("lp-alive-grace", "user/loops.c",
      "if (l->snap_ns || l->new_ns <= lp->prev_update_ns) {", "<=", "<"),
    M("lp-wakeup-tgid", "user/loops.c", "if (l && l->tgid != rec->hdr.tgid)",
      "l && l->tgid", "0 && l->tgid"),
    M("lp-max-stall", "user/loops.c",
      "l->rec_max_stall_ns = lp_max64(l->rec_max_stall_ns, rec->busy_ns);",
      "lp_max64(l->rec_max_stall_ns, rec->busy_ns)", "rec->busy_ns"),
    M("lp-rate-base", "user/loops.c",
      "uint64_t base = l->snap_ns ? l->snap_wakeups : 0;", "l->snap_wakeups", "0"),
    # ---- prom_expo.c: the series cap, labels, buckets, escaping
    M("prom-series-cap", "user/prom_expo.c", "if (g->nreal >= g->max) {", ">=", ">"),
    M("prom-series-max", "user/prom_expo.c",
      "g->max = nviews < PROM_MAX_SERIES ? nviews : PROM_MAX_SERIES;",
      "nviews < PROM_MAX_SERIES ? nviews : PROM_MAX_SERIES", "nviews"),
    M("prom-oldest-max", "user/prom_expo.c",
      "else if (z->oldest_now_us != LL_UNKNOWN && z->oldest_now_us > a->v[Z_OLDEST])", " > ",
      " < "),
    M("prom-bucket-edge", "user/prom_expo.c",
      "while (slot < LL_HIST_SLOTS && hist_slot_hi(slot) <= edge)", "<= edge", "< edge"),
    M("prom-port-other", "user/prom_expo.c", "if (a->key.has_port && a->key.other)",
      " && a->key.other", ""),
    M("prom-escape-backslash", "user/prom_expo.c", "if (*s == '\\\\' || *s == '\"')",
      "*s == '\\\\' || ", ""),
    # a label value's UTF-8 is checked by format.c's decoder, the one json.c uses too
    M("prom-utf8-overlong", "user/format.c", "lo = 0xa0;", "0xa0", "0x80"),
    M("prom-seconds-trim", "user/prom_expo.c",
      "while (i > 0 && (size_t)i < n && buf[i - 1] == '0')", "while", "if"),
    # ---- fdinfo.c
    M("fd-et-bit", "user/fdinfo.c", "if (events & FDINFO_ET_BIT)", "events &", "!events &"),
    M("fd-need-flags", "user/fdinfo.c", "if (!has_flags || (foreign && !(n_et + n_lt)))",
      "!has_flags || ", ""),
    M("fd-negative-fd", "user/fdinfo.c", "if (end == p || errno || fd < 0)", " || fd < 0", ""),
    M("fd-mask-range", "user/fdinfo.c", "if (end == p || errno || v > 0xffffffffUL)",
      " || v > 0xffffffffUL", ""),
    # ---- procfs.c
    M("procfs-last-paren", "user/procfs.c", "close = strrchr(text, ')');", "strrchr", "strchr"),
    M("procfs-comm-len", "user/procfs.c", "if (n >= LL_COMM_LEN)", ">=", ">"),
    M("procfs-pid-zero", "user/procfs.c",
      "if (errno || end == text || *end != ' ' || pid == 0 || pid > UINT32_MAX)",
      " || pid == 0", ""),
    M("procfs-desc-self", "user/procfs.c",
      "if (f.all[i].ppid == parent && f.all[i].pid != pid)", " && f.all[i].pid != pid", ""),
    # ---- decode.c: the one validator
    M("dec-size-field", "user/decode.c",
      "if (!ll_rec_info(h.type) || h.size != size || size != rec_info[h.type].size)",
      " || h.size != size", ""),
    M("dec-exec-check", "user/decode.c", "if (h.type == LL_REC_EXEC && check_exec(data))",
      "h.type == LL_REC_EXEC &&", "0 &&"),
    M("dec-args-len", "user/decode.c",
      "if (e->filename_len >= LL_FILENAME_LEN || e->args_len > LL_ARGS_LEN)",
      "args_len > LL_ARGS_LEN", "args_len > LL_ARGS_LEN + 1"),
    # ---- dispatch.c: a record goes to the modules its row names, no others
    M("disp-route-all", "user/dispatch.c", "if (to & handlers[i].to)", "to & ", "to | "),
    # ---- hist.c: min/max/sum, slots, quantiles
    M("hist-first-min", "user/hist.c", "if (!h->count || us < h->min)", "!h->count || ", ""),
    M("hist-slot-count", "user/hist.c", "h->slot[ll_hist_slot(us)]++;",
      "h->slot[ll_hist_slot(us)]++;", DROP),
    M("hist-quantile-rank", "user/hist.c", "if (seen > rank)", ">", ">="),
    M("hist-quantile-clamp", "user/hist.c", "v = h->min;", "v = h->min;", DROP),
    M("hist-slots-hi", "user/hist.c",
      "hi = hist_slot_hi(slot) == UINT64_MAX ? lo : hist_slot_hi(slot) - 1;",
      "hist_slot_hi(slot) - 1", "hist_slot_hi(slot)"),
    M("hist-merge-sum", "user/hist.c", "dst->sum += src->sum;", "dst->sum += src->sum;", DROP),
    M("hist-merge-min", "user/hist.c", "if (!dst->count || src->min < dst->min)",
      "!dst->count || ", ""),
    # ---- u64map.c
    M("map-half-full", "user/u64map.c", "while (slots < 2 * (uint64_t)max)", "2 * ", ""),
    M("map-full", "user/u64map.c", "if (m->n == m->max)", "==", ">"),
    M("map-del-shift", "user/u64map.c",
      "if (((j - home) & mask) < ((j - i) & mask))", ") < (", ") <= ("),
    M("map-del-count", "user/u64map.c", "m->n--;", "m->n--;", DROP),
]


def run(cmd, cwd, timeout=None):
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return None, "timed out after %ss" % timeout


def copy_tree(dst):
    """The sources the unit tests need, as they are in the working tree (edits included)."""
    for d in ("user", "bpf", "tests/unit", "scripts"):
        shutil.copytree(os.path.join(ROOT, d), os.path.join(dst, d),
                        ignore=shutil.ignore_patterns("*.o", "*.d"))
    shutil.copy2(os.path.join(ROOT, "Makefile"), dst)
    # The package check already ran for this tree: do not run apt-get once more.
    os.makedirs(os.path.join(dst, "build"), exist_ok=True)
    if os.path.exists(os.path.join(ROOT, "build", ".deps")):
        open(os.path.join(dst, "build", ".deps"), "w").close()
        os.utime(os.path.join(dst, "build", ".deps"))


def unit_targets(work):
    names = sorted(f[:-2] for f in os.listdir(os.path.join(work, "tests/unit"))
                   if f.startswith("test_") and f.endswith(".c"))
    return ["build/tests/" + n for n in names]


def build_and_test(work, jobs):
    """'pass', 'fail: why' or 'invalid: why'."""
    targets = unit_targets(work)
    rc, out = run(["make", "-s", "-j%d" % jobs] + targets, work, timeout=600)
    if rc != 0:
        return "invalid: " + (out.strip().splitlines() or ["build failed"])[-1]
    for t in targets:
        rc, out = run([t], work, timeout=TEST_TIMEOUT)
        if rc is None:
            return "fail: %s %s" % (os.path.basename(t), out)
        if rc != 0 or "\nFAIL " in "\n" + out:
            first = next((l for l in out.splitlines() if l.startswith("FAIL ")),
                         "exit %s" % rc)
            return "fail: " + first
    return "pass"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", help="run only these mutants (by name prefix)")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and leave it (default: a temp dir)")
    ap.add_argument("-j", type=int, default=2, help="make jobs")
    args = ap.parse_args()

    mutants = [m for m in MUTANTS if not args.names or any(m.name.startswith(n)
                                                             for n in args.names)]
    if args.list:
        for m in mutants:
            print("%-24s %-16s %s" % (m.name, m.path, m.line))
        return 0
    if not mutants:
        print("mutate: no mutant matches %s" % " ".join(args.names), file=sys.stderr)
        return 2

    work = args.keep or tempfile.mkdtemp(prefix="lifeline-mutate-")
    if args.keep:
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
    try:
        copy_tree(work)
        t0 = time.monotonic()
        base = build_and_test(work, args.j)
        if base != "pass":
            print("mutate: the unmutated tree does not pass its unit tests (%s)" % base,
                  file=sys.stderr)
            return 1
        print("# baseline passes (%.1fs); %d mutants" % (time.monotonic() - t0, len(mutants)))
        killed, survived, skipped, invalid = [], [], [], []
        for m in mutants:
            src = os.path.join(work, m.path)
            with open(src) as f:
                orig = f.read()
            text, where = m.apply(orig)
            if text is None:
                skipped.append(m)
                print("SKIPPED  %-24s %s: %s" % (m.name, m.path, where), flush=True)
                continue
            with open(src, "w") as f:
                f.write(text)
            try:
                res = build_and_test(work, args.j)
            finally:
                with open(src, "w") as f:
                    f.write(orig)
            place = "%s:%d" % (m.path, where)
            if res == "pass":
                survived.append((m, place))
                print("SURVIVED %-24s %s: %r -> %r" % (m.name, place, m.old, m.new), flush=True)
            elif res.startswith("invalid"):
                invalid.append(m)
                print("INVALID  %-24s %s: %s" % (m.name, place, res[9:]), flush=True)
            else:
                killed.append(m)
                print("KILLED   %-24s %s: %s" % (m.name, place, res[6:]), flush=True)
        n = len(killed) + len(survived)
        print()
        for m, place in survived:
            print("  survivor %s at %s: %r -> %r" % (m.name, place, m.old, m.new))
        for m in skipped:
            print("  skipped %s (%s): its line changed, update the mutant" % (m.name, m.path))
        print("mutation score: %d/%d killed (%.0f%%), %d survived, %d skipped, %d invalid"
              % (len(killed), n, 100.0 * len(killed) / n if n else 0, len(survived),
                 len(skipped), len(invalid)))
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
