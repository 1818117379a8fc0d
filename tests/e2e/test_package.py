#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""make deb: the package installs into a scratch root (dpkg -x) with the binary, the man page and
the bash completion; the installed binary runs; the completion completes lifeline's options."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lltest import ROOT, check, finish, run_test  # noqa: E402


def version():
    with open(os.path.join(ROOT, "Makefile")) as f:
        for line in f:
            if line.startswith("VERSION"):
                return line.split(":=")[1].strip()
    return None


def complete(comp, *words):
    """What the completion offers for the words typed so far (the last one being completed)."""
    line = "lifeline " + " ".join(words)
    script = (f"source {comp}; COMP_WORDS=(lifeline {' '.join(words)}); "
              f"COMP_CWORD={len(words)}; COMP_LINE='{line}'; COMP_POINT={len(line)}; "
              "_lifeline; printf '%s\\n' \"${COMPREPLY[@]}\"")
    p = subprocess.run(["bash", "--norc", "-c", script], capture_output=True, text=True,
                       timeout=10)
    return p.stdout.split()


def test_deb():
    # The package is of the plain build (build/), whatever build the other tests run.
    p = subprocess.run(["make", "-s", "deb"], cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True,
                          text=True).stdout.strip()
    deb = os.path.join(ROOT, "build", f"lifeline_{version()}_{arch}.deb")
    if not check("deb: make deb builds the package", p.returncode == 0 and os.path.exists(deb),
                 p.stderr[-300:]):
        return
    root = tempfile.mkdtemp(prefix="h4-deb-")
    try:
        subprocess.run(["dpkg", "-x", deb, root], check=True, timeout=60)
        binary = os.path.join(root, "usr/sbin/lifeline")
        man = os.path.join(root, "usr/share/man/man8/lifeline.8.gz")
        comp = os.path.join(root, "usr/share/bash-completion/completions/lifeline")
        check("deb: it installs the binary, the man page and the completion",
              all(os.path.exists(x) for x in (binary, man, comp)), os.listdir(root))
        v = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
        check("deb: the installed lifeline --version runs and names the version",
              v.returncode == 0 and v.stdout.strip() == f"lifeline {version()}", v.stdout)
        info = subprocess.run(["dpkg-deb", "-f", deb, "Package", "Depends"],
                              capture_output=True, text=True).stdout
        check("deb: control names the package and its libraries",
              "Package: lifeline" in info and "libbpf1" in info, info)
        opts = complete(comp, "--f")
        check("completion: --f completes to --failed and --full", sorted(opts) ==
              ["--failed", "--full"], opts)
        classes = complete(comp, "-e", "loo")
        check("completion: -e completes event classes", sorted(classes) ==
              ["loop", "loop-all"], classes)
        users = complete(comp, "-u", "roo")
        check("completion: -u completes user names", "root" in users, users)
    finally:
        shutil.rmtree(root, ignore_errors=True)


run_test(test_deb)
finish()
